import type { LoggerService, LogLevel } from "@nestjs/common";
import { currentRequestId } from "./request-context";

export interface JsonLogLine {
  time: string;
  level: LogLevel;
  pid: number;
  context?: string;
  message: string;
  requestId?: string;
  stack?: string;
}

/**
 * One log call as a JSON line. Nest passes `(message, ...params)` where the last string param is
 * the Logger's context and, for errors, the one before it the stack.
 */
export function jsonLogLine(
  level: LogLevel,
  message: unknown,
  params: unknown[],
  extra: { time: Date; pid: number; requestId: string | undefined },
): string {
  const rest = [...params];
  const context = rest.length > 0 && typeof rest[rest.length - 1] === "string" ? (rest.pop() as string) : undefined;
  let stack: string | undefined;
  if (level === "error" || level === "fatal") {
    const first = rest[0];
    if (typeof first === "string") stack = first;
    else if (first instanceof Error) stack = first.stack;
  }
  if (message instanceof Error) {
    stack ??= message.stack;
    message = message.message;
  }
  const line: JsonLogLine = {
    time: extra.time.toISOString(),
    level,
    pid: extra.pid,
    ...(context === undefined ? {} : { context }),
    message: typeof message === "string" ? message : JSON.stringify(message),
    ...(extra.requestId === undefined ? {} : { requestId: extra.requestId }),
    ...(stack === undefined ? {} : { stack }),
  };
  return JSON.stringify(line);
}

/** LOG_FORMAT=json: every Nest log call as one JSON object per line (errors and warnings to stderr). */
export class JsonLogger implements LoggerService {
  constructor(private levels: LogLevel[]) {}

  setLogLevels(levels: LogLevel[]): void {
    this.levels = levels;
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write("log", message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write("error", message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write("warn", message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write("debug", message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write("verbose", message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write("fatal", message, params);
  }

  private write(level: LogLevel, message: unknown, params: unknown[]): void {
    if (level !== "fatal" && !this.levels.includes(level)) return;
    const line = jsonLogLine(level, message, params, {
      time: new Date(),
      pid: process.pid,
      requestId: currentRequestId(),
    });
    (level === "error" || level === "warn" || level === "fatal" ? process.stderr : process.stdout).write(`${line}\n`);
  }
}
