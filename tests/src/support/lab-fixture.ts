import assert from "node:assert/strict";
import { after, before } from "node:test";
import type { TSession } from "@kubelab/shared";
import type { ApiClient } from "./api-client";
import { removeInstanceObjects } from "./docker-objects";
import { freePort } from "./free-port";
import { KubelabServer } from "./kubelab-server";
import { startTestDatabase, type TestDatabase } from "./test-database";

export interface LabFixture {
  db: TestDatabase;
  /** Replace it after a restart so the suite's teardown stops the live process. */
  server: KubelabServer;
  /** With `withReadySession`: a logged-in user and their ready session. */
  owner: ApiClient;
  session: TSession;
  /** With `browserOrigin`: the URL a browser opens (http://localhost:<port>, the server's PUBLIC_URL). */
  publicUrl: string;
}

/**
 * Registers before/after hooks on the current suite: a fresh PostgreSQL, a
 * Kubelab server process on it, and (optionally) a ready session; teardown
 * stops both and removes every Docker object the server's instance made.
 */
export function useKubelab(
  options: { env?: Record<string, string>; withReadySession?: boolean; browserOrigin?: boolean } = {},
): LabFixture {
  const fixture = {} as LabFixture;
  before(async () => {
    fixture.db = await startTestDatabase();
    // Browsers send Origin = the page's origin, which must equal PUBLIC_URL for terminal sockets.
    const port = options.browserOrigin ? await freePort() : undefined;
    fixture.publicUrl = port ? `http://localhost:${port}` : "";
    const env = { ...options.env, ...(port ? { PUBLIC_URL: fixture.publicUrl } : {}) };
    fixture.server = await KubelabServer.start({ databaseUrl: fixture.db.url, env, port });
    if (options.withReadySession) {
      fixture.owner = fixture.server.client();
      await fixture.owner.loginAsGuest("Owner");
      fixture.session = await fixture.owner.createSession();
      const ready = await fixture.owner.waitUntilSettled(fixture.session.id);
      assert.equal(ready.status, "ready", ready.reason ?? "");
    }
  });
  after(async () => {
    await fixture.server?.stop();
    if (fixture.server) await removeInstanceObjects(fixture.server.instanceId);
    await fixture.db?.stop();
  });
  return fixture;
}
