"use client";

import { useEffect, useRef, type RefObject } from "react";

/**
 * A native modal <dialog> shown while `open`: the browser keeps focus inside it, makes the page
 * behind it inert, closes it on Escape and returns focus to the opener. Put the ref on the dialog.
 */
export function useModalDialog(open: boolean): RefObject<HTMLDialogElement | null> {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return ref;
}
