"use client";

import type { ThemeChoice } from "@/lib/appearance/appearance";
import { useThemeChoice } from "@/lib/appearance/use-appearance";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { MonitorIcon, MoonIcon, SunIcon } from "@/components/ui/icons";

const NEXT_CHOICE: Record<ThemeChoice, ThemeChoice> = { system: "light", light: "dark", dark: "system" };

/** Cycles system → light → dark; "system" follows prefers-color-scheme. */
export function ThemeToggle() {
  const { dict } = useI18n();
  const [choice, setChoice] = useThemeChoice();
  const label = { system: dict.header.themeSystem, light: dict.header.themeLight, dark: dict.header.themeDark }[choice];
  return (
    <button
      type="button"
      className="icon-button"
      onClick={() => setChoice(NEXT_CHOICE[choice])}
      aria-label={`${dict.header.theme}: ${label}`}
      title={label}
      data-testid="theme-toggle"
      data-theme-choice={choice}
    >
      {choice === "dark" ? <MoonIcon /> : choice === "light" ? <SunIcon /> : <MonitorIcon />}
    </button>
  );
}
