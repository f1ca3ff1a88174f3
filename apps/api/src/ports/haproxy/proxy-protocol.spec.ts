import assert from "node:assert/strict";
import { Socket } from "node:net";
import { describe, it } from "node:test";
import { adoptProxiedPeer, parseProxyLine } from "./proxy-protocol";

const line = (text: string): Buffer => Buffer.from(text, "latin1");

describe("PROXY protocol v1 line", () => {
  it("reads the client's IPv4 or IPv6 address and the line's length, leaving the request after it", () => {
    const v4 = line("PROXY TCP4 203.0.113.7 127.0.0.1 51234 3000\r\nGET / HTTP/1.1\r\n");
    assert.deepEqual(parseProxyLine(v4), {
      kind: "ok",
      length: 45,
      source: { address: "203.0.113.7", port: 51234, family: "IPv4" },
    });
    assert.equal(v4.subarray(45).toString("latin1").startsWith("GET /"), true);
    assert.deepEqual(parseProxyLine(line("PROXY TCP6 2001:db8::1 ::1 443 3000\r\n")), {
      kind: "ok",
      length: 37,
      source: { address: "2001:db8::1", port: 443, family: "IPv6" },
    });
  });

  it("accepts UNKNOWN (HAProxy's own checks) without an address", () => {
    assert.deepEqual(parseProxyLine(line("PROXY UNKNOWN\r\n")), { kind: "ok", length: 15 });
  });

  it("waits for the rest of a line that arrives in pieces", () => {
    for (const piece of ["P", "PROXY", "PROXY TCP4 203.0.113.7 127.0.0.1 51"]) {
      assert.deepEqual(parseProxyLine(line(piece)), { kind: "incomplete" }, piece);
    }
  });

  it("refuses a connection that does not start with a well-formed line", () => {
    for (const text of [
      "GET / HTTP/1.1\r\n",
      "PROXY TCP4 203.0.113.7 127.0.0.1 99999 3000\r\n",
      "PROXY TCP4 not-an-address 127.0.0.1 1 2\r\n",
      "PROXY TCP5 1.2.3.4 1.2.3.4 1 2\r\n",
      `PROXY TCP4 ${"1".repeat(120)}`,
    ]) {
      assert.deepEqual(parseProxyLine(line(text)), { kind: "invalid" }, text);
    }
  });

  it("makes a socket report the named client", () => {
    const socket = new Socket();
    adoptProxiedPeer(socket, { address: "203.0.113.7", port: 51234, family: "IPv4" });
    assert.equal(socket.remoteAddress, "203.0.113.7");
    assert.equal(socket.remotePort, 51234);
    assert.equal(socket.remoteFamily, "IPv4");
  });
});
