import type { z } from "zod";
import { AppError } from "./app-error";

function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({
    path: issue.path.join(".") || `(${what})`,
    message: issue.code === "unrecognized_keys" ? `unknown field(s): ${issue.keys.join(", ")}` : issue.message,
  }));
  throw new AppError(
    "bad_request",
    `Invalid request ${what}: ${details.map((d) => `${d.path}: ${d.message}`).join("; ")}`,
    details,
  );
}

/** Parses a request body strictly; unknown or bad fields become a 400 naming each field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  // Express leaves the body undefined when no JSON was sent; treat it as {}.
  return parseInput(schema, body ?? {}, "body");
}

/** Parses query parameters; bad ones become a 400 naming each parameter. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.infer<S> {
  return parseInput(schema, query ?? {}, "query");
}
