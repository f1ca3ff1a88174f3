import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import "@xterm/xterm/css/xterm.css";
import "./globals.css";
import "./styles/layout.css";
import "./styles/lab.css";
import "./styles/lesson.css";
import "./styles/terminal.css";
import "./styles/admin.css";
import "./styles/room.css";
import "./styles/watch.css";
import { ToastProvider } from "@/components/ui/toast-provider";
import { APPEARANCE_BOOT_SCRIPT } from "@/lib/appearance/appearance";
import { getDictionary } from "@/lib/i18n/get-dictionary";
import { I18nProvider } from "@/lib/i18n/i18n-provider";
import { getLocale } from "@/lib/server/locale";

export async function generateMetadata(): Promise<Metadata> {
  const dict = getDictionary(await getLocale());
  return {
    title: { default: dict.common.appName, template: `%s · ${dict.common.appName}` },
    description: dict.common.tagline,
  };
}

export const viewport: Viewport = {
  colorScheme: "light dark",
};

export default async function RootLayout({ children }: Readonly<{ children: ReactNode }>) {
  const locale = await getLocale();
  return (
    // The boot script sets data-theme/data-text-size on <html> before React hydrates.
    <html lang={locale} suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: APPEARANCE_BOOT_SCRIPT }} />
      </head>
      <body>
        <I18nProvider locale={locale} dict={getDictionary(locale)}>
          <ToastProvider>{children}</ToastProvider>
        </I18nProvider>
      </body>
    </html>
  );
}
