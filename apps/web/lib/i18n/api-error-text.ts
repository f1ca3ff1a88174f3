import type { TApiErrorCode } from "@kubelab/shared";
import { ApiError } from "../api/api-error";
import type { Dictionary } from "./dictionaries/en";
import { formatMessage } from "./format-message";

/** Codes the web app itself uses for failures that never reached the API's error body. */
export type ClientErrorCode = "network_error" | "http_error" | "bad_response" | "client_error";

/**
 * What to tell the user about a failed call, in their language: always from
 * the error code, never the server's English message, which may only follow as
 * a detail (for a bug report). A code this build does not know yet (a newer
 * server) gets a generic sentence naming the code.
 */
export function apiErrorText(error: unknown, dict: Dictionary): string {
  const code = error instanceof ApiError ? error.code : "client_error";
  const texts: Record<string, string> = dict.apiErrors.codes;
  return Object.hasOwn(texts, code) ? texts[code]! : formatMessage(dict.apiErrors.unknown, { code });
}

/** The server's own words, for a detail line; empty when there is nothing more than the code. */
export function apiErrorDetail(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

// Compile-time check that every API code and client code has a text in each dictionary.
export type ApiErrorTexts = Record<TApiErrorCode | ClientErrorCode, string>;
