import assert from "node:assert/strict";
import { once } from "node:events";
import net from "node:net";
import { describe, it } from "node:test";
import { CachedCheck, readiness } from "./readiness";
import { startStartupResponder } from "./startup-responder";

async function freePortForTest(): Promise<number> {
  const server = net.createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, "close");
  return port;
}

describe("readiness", () => {
  it("is ready only while serving with an engine that answers", () => {
    assert.deepEqual(readiness("serving", true), { ready: true, phase: "serving", docker: "ok" });
    assert.equal(readiness("serving", false).ready, false);
    assert.equal(readiness("starting", true).ready, false);
    assert.equal(readiness("stopping", true).ready, false);
  });

  it("CachedCheck runs at most once per interval and shares a run in progress", async () => {
    let now = 0;
    let runs = 0;
    let fail = false;
    const check = new CachedCheck(
      () => {
        runs++;
        return fail ? Promise.reject(new Error("engine down")) : Promise.resolve();
      },
      5_000,
      () => now,
    );
    const [a, b] = await Promise.all([check.ok(), check.ok()]);
    assert.deepEqual([a, b, runs], [true, true, 1]);
    fail = true;
    now = 4_999;
    assert.equal(await check.ok(), true, "still the cached answer");
    assert.equal(runs, 1);
    now = 5_000;
    assert.equal(await check.ok(), false);
    assert.equal(runs, 2);
  });

  it("the start-up responder answers 503 'starting' to everything, then frees the port", async () => {
    const port = await freePortForTest();
    const responder = await startStartupResponder("127.0.0.1", port);
    for (const path of ["/api/ready", "/api/health", "/"]) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      assert.equal(res.status, 503);
      assert.equal(res.headers.get("retry-after"), "2");
      assert.equal(((await res.json()) as { phase: string }).phase, "starting");
    }
    await responder.close();
    await assert.rejects(fetch(`http://127.0.0.1:${port}/api/ready`));
  });
});
