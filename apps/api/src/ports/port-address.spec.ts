import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parsePortHost, parsePortParts, parsePortPath } from "./port-address";

const SESSION = "0123456789abcdef0123456789abcdef";

describe("port addresses", () => {
  it("parses a host-form URL under LAB_DOMAIN, any case, with or without a port or trailing dot", () => {
    for (const host of [
      `node1-8080-${SESSION}.localhost`,
      `NODE1-8080-${SESSION}.LOCALHOST:3000`,
      `node1-8080-${SESSION}.localhost.`,
    ]) {
      assert.deepEqual(parsePortHost(host, "localhost"), {
        ok: true,
        address: { sessionId: SESSION, node: "node1", port: 8080 },
      });
    }
  });

  it("leaves hosts outside LAB_DOMAIN to the platform and refuses malformed ones inside it", () => {
    assert.equal(parsePortHost("localhost:3000", "localhost"), null);
    assert.equal(parsePortHost(`node1-80-${SESSION}.evil.example`, "labs.example.org"), null);
    assert.equal(parsePortHost("labs.example.org", "labs.example.org"), null);
    for (const host of ["127.0.0.1-80-x.localhost", `node1-80.localhost`, `a.node1-80-${SESSION}.localhost`]) {
      const parsed = parsePortHost(host, "localhost");
      assert.equal(parsed?.ok, false, host);
    }
  });

  it("accepts only real session ids, node names and ports 1-65535", () => {
    assert.equal(parsePortParts(SESSION, "node2", "65535").ok, true);
    assert.deepEqual(parsePortParts(SESSION, "node1", "0"), {
      ok: false,
      code: "bad_request",
      message: "The port must be a number from 1 to 65535",
    });
    for (const [id, node, port, code] of [
      [SESSION.toUpperCase(), "node1", "80", "not_found"],
      ["../../etc", "node1", "80", "not_found"],
      [SESSION, "node0", "80", "not_found"],
      [SESSION, "db", "80", "not_found"],
      [SESSION, "node1", "65536", "bad_request"],
      [SESSION, "node1", "8e3", "bad_request"],
      [SESSION, "node1", "-1", "bad_request"],
    ] as const) {
      const parsed = parsePortParts(id, node, port);
      assert.equal(parsed.ok ? "ok" : parsed.code, code, `${id}/${node}/${port}`);
    }
  });

  it("splits a path-form URL into the prefix and what the app sees", () => {
    const route = parsePortPath(`/ports/${SESSION}/node2/3000/api/items?x=1&y=/z`);
    assert.ok(route);
    assert.equal(route.prefix, `/ports/${SESSION}/node2/3000`);
    assert.equal(route.rest, "/api/items?x=1&y=/z");
    assert.equal(parsePortPath(`/ports/${SESSION}/node2/3000`)?.rest, "/");
    assert.equal(parsePortPath(`/ports/${SESSION}/node2/3000?q`)?.rest, "/?q");
    assert.equal(parsePortPath("/api/ports"), null);
    assert.equal(parsePortPath(`/ports/${SESSION}/node9x/3000/`)?.parsed.ok, false);
  });
});
