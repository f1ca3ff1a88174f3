import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import { loadConfig } from "../config/app-config";
import { clientAddress, forwardedFor, refusedOrigin, requestHost, requestIdOf, requestIsHttps } from "./request-origin";

function request(peer: string, headers: Record<string, string>): IncomingMessage {
  return { socket: { remoteAddress: peer }, headers } as unknown as IncomingMessage;
}

const config = loadConfig({ TRUSTED_PROXIES: "10.0.0.2" });
const SPOOF = {
  host: "labs.example.org",
  "x-forwarded-host": "evil.example",
  "x-forwarded-proto": "https",
  "x-forwarded-for": "1.2.3.4",
};

describe("request origin", () => {
  it("ignores X-Forwarded-* from anyone but a trusted proxy", () => {
    const direct = request("203.0.113.9", SPOOF);
    assert.equal(requestHost(direct, config), "labs.example.org");
    assert.equal(requestIsHttps(direct, config), false);
    assert.equal(clientAddress(direct, config), "203.0.113.9");
    assert.equal(forwardedFor(direct, config), "203.0.113.9");
  });

  it("believes a trusted proxy, taking the address it saw (the last entry)", () => {
    const proxied = request("::ffff:10.0.0.2", { ...SPOOF, "x-forwarded-for": "6.6.6.6, 198.51.100.7" });
    assert.equal(requestHost(proxied, config), "evil.example");
    assert.equal(requestIsHttps(proxied, config), true);
    assert.equal(clientAddress(proxied, config), "198.51.100.7");
    assert.equal(forwardedFor(proxied, config), "6.6.6.6, 198.51.100.7, 10.0.0.2");
  });

  it("keeps a trusted proxy's plain-token X-Request-Id only", () => {
    const id = { "x-request-id": "edge-7f3a" };
    assert.equal(requestIdOf(request("10.0.0.2", id), config), "edge-7f3a");
    assert.notEqual(requestIdOf(request("203.0.113.9", id), config), "edge-7f3a");
    assert.notEqual(requestIdOf(request("10.0.0.2", { "x-request-id": "a b" }), config), "a b");
  });

  it("has one Origin rule, with the caller deciding what a missing Origin means", () => {
    const platform = ["http://localhost:3000"];
    const from = (headers: Record<string, string>): IncomingMessage => request("127.0.0.1", headers);
    assert.equal(refusedOrigin(from({ origin: "http://localhost:3000" }), platform, "refuse"), undefined);
    assert.deepEqual(refusedOrigin(from({ origin: "http://evil.example" }), platform, "allow"), {
      origin: "http://evil.example",
    });
    assert.deepEqual(refusedOrigin(from({}), platform, "refuse"), { origin: "(none)" });
    assert.equal(refusedOrigin(from({}), platform, "allow"), undefined);
    assert.equal(refusedOrigin(from({}), platform, "check-fetch-site"), undefined);
    assert.equal(refusedOrigin(from({ "sec-fetch-site": "same-origin" }), platform, "check-fetch-site"), undefined);
    assert.deepEqual(refusedOrigin(from({ "sec-fetch-site": "same-site" }), platform, "check-fetch-site"), {
      fetchSite: "same-site",
    });
  });
});
