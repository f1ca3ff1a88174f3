import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { haproxyConfig, type HaproxyConfigInput } from "./haproxy-config";

// What HAProxy does with these rules is tested end to end (ports.test.ts, both data planes); these
// are the choices the generator makes from Kubelab's settings.
const input: HaproxyConfigInput = {
  bindHost: "127.0.0.1",
  bindPort: 3000,
  kubelabPort: 41234,
  dir: "/tmp/kubelab-haproxy-x",
  trustedProxies: [],
  threads: 3,
  authPath: "/__kubelab/auth",
  loginCookie: "kubelab_session",
  pathFormCsp: "sandbox allow-scripts",
};
const lines = (config: string, pattern: RegExp): string[] =>
  config
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => pattern.test(line));

describe("HAProxy's configuration", () => {
  it("runs the threads HAPROXY_THREADS names", () => {
    assert.deepEqual(lines(haproxyConfig(input), /^nbthread /), ["nbthread 3"]);
  });

  it("listens on IPv4 and IPv6 separately for HOST=::, so that IPv4 clients keep their plain address", () => {
    assert.deepEqual(lines(haproxyConfig({ ...input, bindHost: "::" }), /^bind /), [
      "bind 0.0.0.0:3000",
      "bind :::3000 v6only",
    ]);
    assert.deepEqual(lines(haproxyConfig({ ...input, bindHost: "2001:db8::5" }), /^bind /), [
      "bind [2001:db8::5]:3000",
    ]);
    assert.deepEqual(lines(haproxyConfig(input), /^bind /), ["bind 127.0.0.1:3000"]);
  });

  it("has no rule that believes a proxy unless TRUSTED_PROXIES names one", () => {
    const alone = haproxyConfig(input);
    assert.deepEqual(lines(alone, /\btrusted\b/), ["acl trusted always_false", "acl trusted always_false"]);
    assert.deepEqual(lines(alone, /add-header X-Forwarded-For/), ["http-request add-header X-Forwarded-For %[src]"]);
    const behind = haproxyConfig({ ...input, trustedProxies: ["10.0.0.2", "2001:db8::1"] });
    assert.equal(lines(behind, /^acl trusted src 10\.0\.0\.2 2001:db8::1$/).length, 2);
    assert.deepEqual(lines(behind, /if trusted/), [
      "http-request set-var(txn.host) req.hdr(x-forwarded-host,1) if trusted { req.hdr(x-forwarded-host) -m found }",
      "http-request set-var(txn.xff) req.fhdr(x-forwarded-for) if trusted",
      "http-request set-var(txn.https) bool(true) if trusted { req.hdr(x-forwarded-proto,1) -m str https }",
    ]);
  });

  it("removes every client-supplied X-Forwarded-* and hop-by-hop header before adding its own", () => {
    for (const trustedProxies of [[], ["10.0.0.2"]]) {
      const config = haproxyConfig({ ...input, trustedProxies });
      const removed = lines(config, /^http-request del-header '/);
      assert.equal(removed.length, 1);
      const pattern = new RegExp(/'(.*)'/.exec(removed[0]!)![1]!, "i");
      for (const name of ["x-forwarded-for", "x-forwarded-port", "forwarded", "x-real-ip", "te", "keep-alive"]) {
        assert.match(name, pattern);
      }
      for (const name of ["x-forwarded", "cookie", "host", "accept", "tea"]) assert.doesNotMatch(name, pattern);
      assert.ok(config.indexOf(removed[0]!) < config.indexOf("add-header X-Forwarded-For"));
    }
  });
});
