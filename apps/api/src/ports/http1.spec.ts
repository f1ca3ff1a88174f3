import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ChunkedReframer,
  headEnd,
  parseRequestHead,
  parseResponseHead,
  requestHasBody,
  responseFraming,
  serializeHead,
} from "./http1";

const bytes = (text: string): Buffer => Buffer.from(text, "latin1");
const response = (text: string): ReturnType<typeof parseResponseHead> => parseResponseHead(bytes(text));

describe("HTTP/1.1 heads for the fast path", () => {
  it("finds the end of a head only once CRLFCRLF has arrived", () => {
    assert.equal(headEnd(bytes("GET / HTTP/1.1\r\nHost: a\r\n")), -1);
    assert.equal(headEnd(bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\nrest")), 27);
  });

  it("reads a request head with headers as Node's IncomingMessage has them", () => {
    const head = parseRequestHead(
      bytes(
        "GET /x?y=1 HTTP/1.1\r\nHost: a\r\nCookie: a=1\r\ncookie: b=2\r\nAccept: x\r\nACCEPT:  y \r\nConstructor: c\r\n\r\n",
      ),
    );
    assert.deepEqual(head && { ...head, headers: { ...head.headers } }, {
      method: "GET",
      target: "/x?y=1",
      minor: 1,
      // A header named like an Object.prototype member is a header like any other.
      headers: { host: "a", cookie: "a=1; b=2", accept: "x, y", constructor: "c" },
    });
  });

  it("refuses a repeated Content-Length, Transfer-Encoding or Host, as llhttp does (no CL.CL smuggling)", () => {
    for (const twice of [
      "Content-Length: 0\r\nContent-Length: 44\r\n",
      "Content-Length: 0\r\ncontent-length: 0\r\n",
      "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
      "Host: b\r\n",
    ]) {
      assert.equal(parseRequestHead(bytes(`GET /a HTTP/1.1\r\nHost: a\r\n${twice}\r\n`)), null, JSON.stringify(twice));
    }
    assert.equal(response("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"), null);
  });

  it("refuses what browsers read differently from strict parsers", () => {
    for (const trick of [
      "Set-Cookie : kubelab_session=x\r\n", // whitespace before the colon
      "Set-Cookie\t: kubelab_session=x\r\n",
      "X-A: 1\r\n folded=1\r\n", // obsolete line folding
      "X-A: 1\nSet-Cookie: kubelab_session=x\r\n", // bare LF
      "X-A: 1\rSet-Cookie: kubelab_session=x\r\n", // bare CR
      "X-A: 1\0\r\n",
    ]) {
      assert.equal(response(`HTTP/1.1 200 OK\r\n${trick}\r\n`), null, JSON.stringify(trick));
    }
    assert.equal(parseRequestHead(bytes("GET / HTTP/1.1\r\nHost : a\r\n\r\n")), null);
    assert.equal(parseRequestHead(bytes("GET /a b HTTP/1.1\r\n\r\n")), null);
    assert.equal(parseRequestHead(bytes("GET / HTTP/2.0\r\n\r\n")), null);
    assert.equal(response("HTTP/1.1 20 OK\r\n\r\n"), null);
  });

  it("keeps every Set-Cookie and the first of single-valued headers", () => {
    const head = response(
      "HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nLocation: /a\r\nLocation: /b\r\n\r\n",
    );
    assert.deepEqual({ ...head?.headers }, { "set-cookie": ["a=1", "b=2"], location: "/a" });
    assert.equal(response("HTTP/1.1 204\r\n\r\n")?.status, 204);
  });

  it("tells how a response body ends, refusing contradictory framing", () => {
    const framing = (method: string, text: string): unknown => responseFraming(method, response(text)!);
    assert.deepEqual(framing("GET", "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n"), { kind: "length", length: 12 });
    assert.deepEqual(framing("HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n"), { kind: "none" });
    assert.deepEqual(framing("GET", "HTTP/1.1 304 Not Modified\r\n\r\n"), { kind: "none" });
    assert.deepEqual(framing("GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"), {
      kind: "chunked",
    });
    assert.deepEqual(framing("GET", "HTTP/1.1 200 OK\r\n\r\n"), { kind: "close" });
    assert.equal(framing("GET", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"), null);
    assert.equal(framing("GET", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"), null);
    assert.equal(framing("GET", "HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n"), null);
  });

  it("knows which requests carry a body", () => {
    assert.equal(requestHasBody({}), false);
    assert.equal(requestHasBody({ "content-length": "0" }), false);
    assert.equal(requestHasBody({ "content-length": "00" }), true, "left to Node's parser");
    assert.equal(requestHasBody({ "content-length": "3" }), true);
    assert.equal(requestHasBody({ "transfer-encoding": "chunked" }), true);
  });

  it("writes a head with one line per value", () => {
    assert.equal(
      serializeHead("HTTP/1.1 200 OK", { a: "1", "set-cookie": ["x=1", "y=2"], n: 3 }, "connection: close\r\n"),
      "HTTP/1.1 200 OK\r\na: 1\r\nset-cookie: x=1\r\nset-cookie: y=2\r\nn: 3\r\nconnection: close\r\n\r\n",
    );
  });
});

describe("chunked bodies", () => {
  const reframe = (...parts: string[]): { text: string; done: boolean; used: number } | Error => {
    const chunks = new ChunkedReframer();
    let text = "";
    let used = 0;
    for (const part of parts) {
      const result = chunks.push(bytes(part));
      if (result instanceof Error) return result;
      text += Buffer.concat(result.out).toString("latin1");
      used = result.used;
    }
    return { text, done: chunks.done, used };
  };

  it("passes data on, split anywhere, and drops extensions and trailers", () => {
    assert.deepEqual(reframe("5;ext=1\r\nhel", "lo\r\n0\r\nX-Trailer: 1\r\n\r\nNEXT"), {
      text: "5\r\nhello\r\n0\r\n\r\n",
      done: true,
      used: 23,
    });
    assert.deepEqual(reframe("a\r\n0123456789\r", "\n0\r", "\n\r\n"), {
      text: "a\r\n0123456789\r\n0\r\n\r\n",
      done: true,
      used: 3,
    });
  });

  it("refuses bodies that are not strict chunked syntax", () => {
    assert.ok(reframe("5\nhello\r\n") instanceof Error);
    assert.ok(reframe("zz\r\n") instanceof Error);
    assert.ok(reframe("2\r\nabc\r\n") instanceof Error);
    assert.ok(reframe("0\r\nbad trailer\r\n\r\n") instanceof Error);
  });
});
