import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import { loadConfig } from "../config/app-config";
import {
  allowedSetCookies,
  forwardRequestHeaders,
  forwardResponseHeaders,
  forwardUpgradeHeaders,
  PATH_FORM_CSP,
} from "./forward-headers";

function request(peer: string, headers: Record<string, string | string[]>): IncomingMessage {
  return { socket: { remoteAddress: peer }, headers } as unknown as IncomingMessage;
}

const config = loadConfig({ TRUSTED_PROXIES: "10.0.0.2" });
const context = { config, host: "p-abc.labs.example.org", https: true };

describe("forwarded headers", () => {
  it("hands the app our X-Forwarded-* and none of the client's", () => {
    const headers = forwardRequestHeaders(
      request("203.0.113.9", {
        host: "p-abc.labs.example.org",
        "x-forwarded-for": "1.2.3.4",
        "x-forwarded-host": "evil.example",
        "x-forwarded-proto": "http",
        "x-forwarded-port": "1",
        forwarded: "for=1.2.3.4",
        "x-real-ip": "1.2.3.4",
        accept: "text/html",
      }),
      context,
    );
    assert.deepEqual(headers, {
      host: "p-abc.labs.example.org",
      accept: "text/html",
      "x-forwarded-for": "203.0.113.9",
      "x-forwarded-proto": "https",
      "x-forwarded-host": "p-abc.labs.example.org",
    });
  });

  it("extends a trusted proxy's X-Forwarded-For chain with the proxy's address", () => {
    const headers = forwardRequestHeaders(request("10.0.0.2", { "x-forwarded-for": "198.51.100.7" }), context);
    assert.equal(headers["x-forwarded-for"], "198.51.100.7, 10.0.0.2");
  });

  it("drops hop-by-hop headers, also those the Connection header names", () => {
    const headers = forwardRequestHeaders(
      request("203.0.113.9", {
        connection: "keep-alive, X-Secret-Hop",
        "keep-alive": "timeout=5",
        "x-secret-hop": "1",
        te: "trailers",
        "transfer-encoding": "chunked",
        "proxy-authorization": "Basic abc",
        upgrade: "websocket",
        "x-app": "kept",
      }),
      context,
    );
    assert.deepEqual(Object.keys(headers).sort(), [
      "x-app",
      "x-forwarded-for",
      "x-forwarded-host",
      "x-forwarded-proto",
    ]);
  });

  it("keeps the app's cookies and removes every form of the platform's", () => {
    const headers = forwardRequestHeaders(
      request("203.0.113.9", {
        cookie: "kubelab_session=s; theme=dark; __Host-kubelab_port=p; __Secure-KUBELAB_x=y; cart=3",
      }),
      context,
    );
    assert.equal(headers.cookie, "theme=dark; cart=3");
    const none = forwardRequestHeaders(request("203.0.113.9", { cookie: "kubelab_session=s" }), context);
    assert.equal("cookie" in none, false);
  });

  it("lets through only host-only Set-Cookie values with the app's own names", () => {
    assert.deepEqual(
      allowedSetCookies(
        ["a=1; Path=/; HttpOnly", "kubelab_session=stolen; Path=/", "b=2; Domain=labs.example.org", "=x", "c=3"],
        undefined,
      ),
      ["a=1; Path=/; HttpOnly", "c=3"],
    );
  });

  it("confines cookies to the port's prefix in the path form", () => {
    assert.deepEqual(allowedSetCookies(["a=1; Path=/app; HttpOnly", "b=2", "c=3; path=sub"], "/ports/s1/node1/8080"), [
      "a=1; HttpOnly; Path=/ports/s1/node1/8080/app",
      "b=2; Path=/ports/s1/node1/8080/",
      "c=3; Path=/ports/s1/node1/8080/sub",
    ]);
  });

  it("keeps path-form redirects inside the prefix and sandboxes the documents", () => {
    const prefix = "/ports/s1/node1/8080";
    const out = forwardResponseHeaders(
      { location: "/next", "content-security-policy": "default-src 'self'", connection: "close" },
      prefix,
    );
    assert.equal(out.location, `${prefix}/next`);
    assert.equal(out["content-security-policy"], `default-src 'self', ${PATH_FORM_CSP}`);
    assert.equal("connection" in out, false);
    // Scheme-relative and absolute redirects are the app's business; they are not rewritten.
    assert.equal(forwardResponseHeaders({ location: "//elsewhere.example/" }, prefix).location, "//elsewhere.example/");
    assert.equal(forwardResponseHeaders({}, prefix)["content-security-policy"], PATH_FORM_CSP);
  });

  it("changes nothing but hop-by-hop headers and cookies in the host form", () => {
    const out = forwardResponseHeaders(
      { location: "/next", "content-type": "text/html", "set-cookie": ["a=1", "kubelab_port=x"] },
      undefined,
    );
    assert.deepEqual(out, { location: "/next", "content-type": "text/html", "set-cookie": ["a=1"] });
  });

  it("answers a protocol switch with the filtered headers and the two it needs", () => {
    const out = forwardUpgradeHeaders(
      { upgrade: "websocket", connection: "Upgrade", "sec-websocket-accept": "abc=", "set-cookie": ["kubelab=x"] },
      undefined,
    );
    assert.deepEqual(out, { "sec-websocket-accept": "abc=", connection: "Upgrade", upgrade: "websocket" });
  });
});
