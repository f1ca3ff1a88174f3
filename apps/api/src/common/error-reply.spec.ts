import assert from "node:assert/strict";
import { STATUS_CODES, type IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import { NotFoundException, PayloadTooLargeException } from "@nestjs/common";
import { AppError, HTTP_STATUS_BY_CODE } from "./app-error";
import { errorPage, errorReplyOf, prefersJson, rawErrorResponse, statusLine } from "./error-reply";

function accepting(accept: string | undefined): IncomingMessage {
  return { headers: accept === undefined ? {} : { accept } } as unknown as IncomingMessage;
}

describe("error replies", () => {
  it("has a proper reason phrase for every status an error code maps to, 413/429/502/503 included", () => {
    for (const status of new Set(Object.values(HTTP_STATUS_BY_CODE))) {
      assert.ok(STATUS_CODES[status], `status ${status}`);
      assert.equal(statusLine(status), `HTTP/1.1 ${status} ${STATUS_CODES[status]}`);
    }
    assert.equal(statusLine(413), "HTTP/1.1 413 Payload Too Large");
    assert.equal(statusLine(429), "HTTP/1.1 429 Too Many Requests");
    assert.equal(statusLine(502), "HTTP/1.1 502 Bad Gateway");
    assert.equal(statusLine(503), "HTTP/1.1 503 Service Unavailable");
    assert.equal(statusLine(504), "HTTP/1.1 504 Gateway Timeout");
  });

  it("maps app errors by code, keeps details and Retry-After, and leaves out the request id", () => {
    const reply = errorReplyOf(new AppError("rate_limited", "Slow down", undefined, 2.2), "id-1");
    assert.equal(reply.status, 429);
    assert.equal(reply.retryAfterSeconds, 2.2);
    assert.equal(reply.unexpected, false);
    assert.deepEqual(JSON.parse(JSON.stringify(reply.body)), { error: { code: "rate_limited", message: "Slow down" } });
    const bad = errorReplyOf(new AppError("bad_request", "No", [{ path: "name", message: "Required" }]), "id-2");
    assert.deepEqual(bad.body.error.details, [{ path: "name", message: "Required" }]);
  });

  it("gives framework and body-parser errors stable codes", () => {
    assert.deepEqual(errorReplyOf(new NotFoundException("Cannot GET /x"), "i").body, {
      error: { code: "not_found", message: "No such endpoint" },
    });
    assert.equal(errorReplyOf(new PayloadTooLargeException(), "i").body.error.code, "payload_too_large");
    const tooLarge = Object.assign(new Error("request entity too large"), {
      status: 413,
      expose: true,
      type: "entity.too.large",
      limit: 65536,
    });
    const reply = errorReplyOf(tooLarge, "i");
    assert.equal(reply.status, 413);
    assert.deepEqual(reply.body.error, {
      code: "payload_too_large",
      message: "The request body is larger than the limit of 64 KiB",
    });
  });

  it("turns anything else into a 500 that names the request id and hides the cause", () => {
    const reply = errorReplyOf(new TypeError("x is undefined"), "req-42");
    assert.equal(reply.status, 500);
    assert.equal(reply.unexpected, true);
    assert.deepEqual(reply.body, {
      error: { code: "internal_error", message: "Something went wrong on the server", requestId: "req-42" },
    });
  });

  it("answers JSON only to clients that ask for JSON and not for HTML", () => {
    assert.equal(prefersJson(accepting("application/json")), true);
    assert.equal(prefersJson(accepting("text/html,application/xhtml+xml,application/json;q=0.9")), false);
    assert.equal(prefersJson(accepting("*/*")), false);
    assert.equal(prefersJson(accepting(undefined)), false);
  });

  it("escapes the message in the error page and adds the reload only when asked", () => {
    const page = errorPage(`<script>alert("x")</script>`, false);
    assert.doesNotMatch(page, /<script>/);
    assert.doesNotMatch(page, /http-equiv="refresh"/);
    assert.match(errorPage("Nothing yet", true), /<meta http-equiv="refresh" content="3">/);
  });

  it("writes a complete raw response for refused upgrades", () => {
    const reply = errorReplyOf(new AppError("payload_too_large", "Too big"), "abc");
    const raw = rawErrorResponse(reply, "abc");
    const [head, body] = raw.split("\r\n\r\n");
    const lines = head!.split("\r\n");
    assert.equal(lines[0], "HTTP/1.1 413 Payload Too Large");
    assert.ok(lines.includes("X-Request-Id: abc"));
    assert.ok(lines.includes(`Content-Length: ${Buffer.byteLength(body!)}`));
    assert.ok(lines.includes("Connection: close"));
    assert.deepEqual(JSON.parse(body!), { error: { code: "payload_too_large", message: "Too big" } });
  });
});
