"use client";

import { useCallback } from "react";
import type { TextSize } from "@/lib/appearance/appearance";
import { useResolvedTheme, useTextSize } from "@/lib/appearance/use-appearance";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";

/** What every xterm view takes from the page: theme, text size and the lost-output notice. */
export function useTerminalAppearance(): {
  theme: "light" | "dark";
  textSize: TextSize;
  /** `null`: an unknown amount (the server restarted meanwhile). */
  gapNotice: (lostBytes: number | null) => string;
} {
  const { dict } = useI18n();
  const theme = useResolvedTheme();
  const [textSize] = useTextSize();
  const gapNotice = useCallback(
    (bytes: number | null) =>
      bytes === null ? dict.terminal.gapRestarted : formatMessage(dict.terminal.gap, { bytes }),
    [dict.terminal.gap, dict.terminal.gapRestarted],
  );
  return { theme, textSize, gapNotice };
}
