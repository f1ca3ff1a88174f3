import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { jsonLogLine } from "./json-logger";

const AT = { time: new Date("2026-12-02T10:00:00Z"), pid: 42, requestId: "req-1" };

describe("JSON log lines", () => {
  it("names the context (the last string param) and the request", () => {
    assert.deepEqual(JSON.parse(jsonLogLine("log", "Session x ready", ["Sessions"], AT)), {
      time: "2026-12-02T10:00:00.000Z",
      level: "log",
      pid: 42,
      context: "Sessions",
      message: "Session x ready",
      requestId: "req-1",
    });
  });

  it("keeps an error's stack and leaves out what is unknown", () => {
    const line = JSON.parse(
      jsonLogLine("error", "boom", ["Error: boom\n    at x", "HTTP"], { ...AT, requestId: undefined }),
    ) as Record<string, unknown>;
    assert.equal(line.stack, "Error: boom\n    at x");
    assert.equal(line.context, "HTTP");
    assert.equal("requestId" in line, false);
    const bare = JSON.parse(jsonLogLine("warn", "plain", [], AT)) as Record<string, unknown>;
    assert.equal("context" in bare, false);
  });

  it("writes Error and object messages as text, one line each", () => {
    const error = JSON.parse(jsonLogLine("error", new Error("failed\nbadly"), [], AT)) as Record<string, string>;
    assert.equal(error.message, "failed\nbadly");
    assert.match(error.stack ?? "", /^Error: failed/);
    assert.equal((JSON.parse(jsonLogLine("log", { a: 1 }, [], AT)) as { message: string }).message, '{"a":1}');
    assert.equal(jsonLogLine("log", "a\nb", [], AT).includes("\n"), false);
  });
});
