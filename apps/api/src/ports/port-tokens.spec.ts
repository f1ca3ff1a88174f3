import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadConfig } from "../config/app-config";
import { PortTokens } from "./port-tokens";

const SESSION = "0123456789abcdef0123456789abcdef";
const ADDRESS = { sessionId: SESSION, node: "node1", port: 8080 };
const config = loadConfig({ SECRET_KEY: "k".repeat(40) });
const inOneMinute = (): Date => new Date(Date.now() + 60_000);

describe("port tokens", () => {
  const tokens = new PortTokens(config);

  it("give back the user a ticket was issued to, for that port only", () => {
    const ticket = tokens.sign("ticket", "user-1", ADDRESS, inOneMinute());
    assert.equal(tokens.verify("ticket", ticket, ADDRESS), "user-1");
    assert.equal(tokens.verify("ticket", ticket, { ...ADDRESS, port: 8081 }), null);
    assert.equal(tokens.verify("ticket", ticket, { ...ADDRESS, node: "node2" }), null);
    assert.equal(tokens.verify("ticket", ticket, { ...ADDRESS, sessionId: "f".repeat(32) }), null);
  });

  it("keep tickets and cookies apart", () => {
    const ticket = tokens.sign("ticket", "user-1", ADDRESS, inOneMinute());
    assert.equal(tokens.verify("cookie", ticket, ADDRESS), null);
  });

  it("refuse expired, tampered, foreign-key and malformed tokens", () => {
    assert.equal(
      tokens.verify("ticket", tokens.sign("ticket", "u", ADDRESS, new Date(Date.now() - 1000)), ADDRESS),
      null,
    );
    const [payload, mac] = tokens.sign("ticket", "user-1", ADDRESS, inOneMinute()).split(".");
    const forgedPayload = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload!, "base64url").toString()), u: "admin" }),
    ).toString("base64url");
    assert.equal(tokens.verify("ticket", `${forgedPayload}.${mac}`, ADDRESS), null);
    const other = new PortTokens(loadConfig({ SECRET_KEY: "o".repeat(40) }));
    assert.equal(other.verify("ticket", `${payload}.${mac}`, ADDRESS), null);
    for (const junk of [undefined, "", ".", "abc", `${payload}.`, `${payload}.${mac}.x`]) {
      assert.equal(tokens.verify("ticket", junk, ADDRESS), null, String(junk));
    }
  });
});
