import { inspect } from "node:util";
import { ConfigError } from "../config/config-error";

/**
 * What to print when the server cannot start. Anything may be thrown (libraries
 * reject with strings, plain objects or nothing at all), and the operator must
 * still learn what went wrong: never just "undefined".
 */
export function describeStartupFailure(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  if (error === undefined || error === null) {
    return `Kubelab failed to start: a step failed without saying why (it threw ${String(error)}); run with LOG_LEVEL=debug to see the steps before it.`;
  }
  if (typeof error === "string") return `Kubelab failed to start: ${error}`;
  // inspect shows the stack, `cause` chains, error codes and an AggregateError's inner errors.
  return `Kubelab failed to start: ${inspect(error, { depth: 4 })}`;
}
