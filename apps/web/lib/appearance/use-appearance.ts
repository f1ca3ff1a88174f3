"use client";

import { useCallback, useSyncExternalStore } from "react";
import { isThemeChoice, TEXT_SIZE_STORAGE_KEY, THEME_STORAGE_KEY, type TextSize, type ThemeChoice } from "./appearance";

const DARK_QUERY = "(prefers-color-scheme: dark)";

// Subscribes to the <html> attributes and the OS colour scheme, so every
// component (and every xterm instance) follows a change made anywhere.
function subscribe(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme", "data-text-size"] });
  const media = window.matchMedia(DARK_QUERY);
  media.addEventListener("change", onChange);
  return () => {
    observer.disconnect();
    media.removeEventListener("change", onChange);
  };
}

function readThemeChoice(): ThemeChoice {
  const value = document.documentElement.getAttribute("data-theme");
  return isThemeChoice(value) ? value : "system";
}

function readResolvedTheme(): "light" | "dark" {
  const choice = readThemeChoice();
  if (choice !== "system") return choice;
  return window.matchMedia(DARK_QUERY).matches ? "dark" : "light";
}

function readTextSize(): TextSize {
  return document.documentElement.getAttribute("data-text-size") === "large" ? "large" : "normal";
}

function store(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Private browsing or storage disabled: the choice lasts for this page only.
  }
}

export function useThemeChoice(): [ThemeChoice, (choice: ThemeChoice) => void] {
  const choice = useSyncExternalStore(subscribe, readThemeChoice, () => "system" as const);
  const setChoice = useCallback((next: ThemeChoice) => {
    if (next === "system") document.documentElement.removeAttribute("data-theme");
    else document.documentElement.setAttribute("data-theme", next);
    store(THEME_STORAGE_KEY, next === "system" ? null : next);
  }, []);
  return [choice, setChoice];
}

export function useResolvedTheme(): "light" | "dark" {
  return useSyncExternalStore(subscribe, readResolvedTheme, () => "light" as const);
}

export function useTextSize(): [TextSize, (size: TextSize) => void] {
  const size = useSyncExternalStore(subscribe, readTextSize, () => "normal" as const);
  const setSize = useCallback((next: TextSize) => {
    if (next === "large") document.documentElement.setAttribute("data-text-size", "large");
    else document.documentElement.removeAttribute("data-text-size");
    store(TEXT_SIZE_STORAGE_KEY, next === "large" ? "large" : null);
  }, []);
  return [size, setSize];
}
