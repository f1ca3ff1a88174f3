"use client";

import { useTextSize } from "@/lib/appearance/use-appearance";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { TextSizeIcon } from "@/components/ui/icons";

// For projectors: scales every rem-based size, terminals included.
export function TextSizeToggle() {
  const { dict } = useI18n();
  const [size, setSize] = useTextSize();
  return (
    <button
      type="button"
      className="icon-button"
      aria-pressed={size === "large"}
      onClick={() => setSize(size === "large" ? "normal" : "large")}
      title={dict.header.largerText}
    >
      <TextSizeIcon />
      <span className="visually-hidden">{dict.header.largerText}</span>
    </button>
  );
}
