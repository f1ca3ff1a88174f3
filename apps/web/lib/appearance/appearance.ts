// Theme and text size live on <html> as data attributes, chosen by the user and
// kept in localStorage (they are per device, unlike the language cookie the
// server needs). CSS reads the attributes; the terminal reads them too.

export type ThemeChoice = "system" | "light" | "dark";
export type TextSize = "normal" | "large";

export const THEME_STORAGE_KEY = "kubelab.theme";
export const TEXT_SIZE_STORAGE_KEY = "kubelab.textSize";

export function isThemeChoice(value: unknown): value is ThemeChoice {
  return value === "system" || value === "light" || value === "dark";
}

/**
 * Runs in <head> before the first paint so a dark-theme user never sees a
 * white flash. A static string: it embeds nothing from the request.
 */
export const APPEARANCE_BOOT_SCRIPT = `(function(){try{var d=document.documentElement;var t=localStorage.getItem(${JSON.stringify(
  THEME_STORAGE_KEY,
)});if(t==="light"||t==="dark")d.setAttribute("data-theme",t);if(localStorage.getItem(${JSON.stringify(
  TEXT_SIZE_STORAGE_KEY,
)})==="large")d.setAttribute("data-text-size","large");}catch(e){}})();`;
