import type { ITheme } from "@xterm/xterm";

// Terminal palettes that match the app's light and dark themes; both keep
// enough contrast for a projector at the back of a room.
export const TERMINAL_THEMES: Record<"light" | "dark", ITheme> = {
  dark: {
    background: "#0d1117",
    foreground: "#e6edf3",
    cursor: "#6d9eff",
    cursorAccent: "#0d1117",
    selectionBackground: "#264f78",
    black: "#484f58",
    red: "#ff7b72",
    green: "#3fb950",
    yellow: "#d29922",
    blue: "#58a6ff",
    magenta: "#bc8cff",
    cyan: "#39c5cf",
    white: "#b1bac4",
    brightBlack: "#6e7681",
    brightRed: "#ffa198",
    brightGreen: "#56d364",
    brightYellow: "#e3b341",
    brightBlue: "#79c0ff",
    brightMagenta: "#d2a8ff",
    brightCyan: "#56d4dd",
    brightWhite: "#ffffff",
  },
  light: {
    background: "#ffffff",
    foreground: "#1f2328",
    cursor: "#326ce5",
    cursorAccent: "#ffffff",
    selectionBackground: "#b6d3ff",
    black: "#24292f",
    red: "#cf222e",
    green: "#116329",
    yellow: "#7d4e00",
    blue: "#0550ae",
    magenta: "#8250df",
    cyan: "#1b7c83",
    white: "#6e7781",
    brightBlack: "#57606a",
    brightRed: "#a40e26",
    brightGreen: "#1a7f37",
    brightYellow: "#633c01",
    brightBlue: "#218bff",
    brightMagenta: "#a475f9",
    brightCyan: "#3192aa",
    brightWhite: "#8c959f",
  },
};

export const TERMINAL_FONT_SIZE = { normal: 14, large: 18 } as const;
