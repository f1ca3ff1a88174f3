// Two Kubelab processes of one installation behind nginx from Debian, round-robin (issue 21): a lab
// page in Chromium works through either, ports answer through both, and when a process is killed
// the other leads within 10 s while the page's terminal comes back to the same shell.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launchBrowser } from "./support/browser";
import { removeInstanceFirewall, removeInstanceObjects } from "./support/docker-objects";
import { freePort } from "./support/free-port";
import { KubelabServer } from "./support/kubelab-server";
import { openLessonAsGuest, typeIn, waitConnected, waitForLine } from "./support/lab-page-terminals";
import { startRoundRobinNginx, type RunningNginx } from "./support/nginx";
import { startTestDatabase, type TestDatabase } from "./support/test-database";
import { waitFor } from "./support/wait-for";

const LESSON = "kubernetes-para-principiantes";

async function leads(server: KubelabServer): Promise<boolean> {
  const response = await fetch(`${server.url}/api/health`).catch(() => undefined);
  return ((await response?.json()) as { leader?: boolean } | undefined)?.leader === true;
}

describe("two Kubelab processes behind nginx (round-robin)", () => {
  let db: TestDatabase;
  let nginx: RunningNginx;
  const servers: KubelabServer[] = [];
  let browser: Browser;
  let page: Page;
  let sessionId = "";
  let shellPid = "";

  before(async () => {
    db = await startTestDatabase();
    const ports = [await freePort(), await freePort()];
    nginx = await startRoundRobinNginx(ports);
    const env = { WEB_ENABLED: "true", PUBLIC_URL: nginx.url, TRUSTED_PROXIES: "127.0.0.1" };
    const first = await KubelabServer.start({ databaseUrl: db.url, port: ports[0], env });
    servers.push(first);
    servers.push(await KubelabServer.start({ databaseUrl: db.url, port: ports[1], instanceId: first.instanceId, env }));
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  });

  after(async () => {
    await browser?.close();
    for (const server of servers) await server.stop().catch(() => undefined);
    await nginx?.stop();
    if (servers[0]) {
      await removeInstanceObjects(servers[0].instanceId);
      removeInstanceFirewall(servers[0].instanceId);
    }
    await db?.stop();
  });

  it("serves the lab page, its terminal and a port of the node through either process", async () => {
    sessionId = await openLessonAsGuest(page, nginx.url, LESSON, "Ada");
    await typeIn(page, "node1", "echo shell-$$; (python3 -m http.server 8080 >/dev/null 2>&1 &); echo up-$((6*7))\n");
    shellPid = (await waitForLine(page, "node1", /^shell-(\d+)\s*$/m))[1]!;
    await waitForLine(page, "node1", /^up-42\s*$/m);
    // Round-robin: six requests reach both processes; each answers for a session it may not have built.
    const url = `${nginx.url}/ports/${sessionId}/node1/8080/`;
    await waitFor("the app in node1 to answer through nginx", async () =>
      (await page.request.get(url)).status() === 200 ? true : undefined,
    );
    for (let i = 0; i < 6; i++) assert.equal((await page.request.get(url)).status(), 200, `request ${i + 1}`);
  });

  for (const victim of [0, 1]) {
    it(`kill -9 of process ${victim + 1}: the other leads within 10 s, the page's terminal returns to its shell`, async (t) => {
      const survivor = servers[1 - victim]!;
      const killedAt = Date.now();
      await servers[victim]!.kill();
      await waitFor("the survivor to lead", async () => ((await leads(survivor)) ? true : undefined), 15_000, 100);
      const tookOver = Date.now() - killedAt;
      t.diagnostic(`process ${2 - victim} led ${tookOver} ms after the kill`);
      assert.ok(tookOver < 10_000, `took over after ${tookOver} ms`);

      await waitConnected(page, "node1");
      const marker = `again${victim}`;
      await typeIn(page, "node1", `echo ${marker}-$$\n`);
      const [, pid] = await waitForLine(page, "node1", new RegExp(`^${marker}-(\\d+)\\s*$`, "m"));
      assert.equal(pid, shellPid, "the same shell");
      // nginx itself may answer 502 for a moment: it counts the restarted process as down for
      // fail_timeout after its last failure, and now the other one is down too.
      await waitFor(
        "the port through nginx",
        async () =>
          (await page.request.get(`${nginx.url}/ports/${sessionId}/node1/8080/`)).status() === 200 ? true : undefined,
        10_000,
      );
      // Back to two processes for the next case.
      servers[victim] = await servers[victim]!.restart();
    });
  }
});
