"use client";

import { useState } from "react";
import { apiErrorText } from "@/lib/i18n/api-error-text";
import { apiRequestNoContent } from "@/lib/api/browser-api";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { useToast } from "@/components/ui/toast-provider";

export function LogoutButton() {
  const { dict } = useI18n();
  const toast = useToast();
  const [busy, setBusy] = useState(false);

  async function logout(): Promise<void> {
    setBusy(true);
    try {
      await apiRequestNoContent("POST", "/api/auth/logout");
      // A full load, so no server-rendered part keeps showing the old login.
      window.location.assign("/");
    } catch (error) {
      toast.show("error", formatMessage(dict.header.logoutFailed, { message: apiErrorText(error, dict) }));
      setBusy(false);
    }
  }

  return (
    <button type="button" className="button-quiet" onClick={() => void logout()} disabled={busy} data-testid="logout">
      {busy ? dict.header.loggingOut : dict.header.logout}
    </button>
  );
}
