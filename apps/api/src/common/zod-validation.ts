import type { z } from "zod";
import { AppError } from "./app-error";

/** Parses a request body strictly; unknown or bad fields become a 400 naming each field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  // Express leaves the body undefined when no JSON was sent; treat it as {}.
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({
    path: issue.path.join(".") || "(body)",
    message: issue.code === "unrecognized_keys" ? `unknown field(s): ${issue.keys.join(", ")}` : issue.message,
  }));
  throw new AppError(
    "bad_request",
    `Invalid request body: ${details.map((d) => `${d.path}: ${d.message}`).join("; ")}`,
    details,
  );
}
