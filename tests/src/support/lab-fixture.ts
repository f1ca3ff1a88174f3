import assert from "node:assert/strict";
import { after, before } from "node:test";
import type { TSession } from "@kubelab/shared";
import type { ApiClient } from "./api-client";
import { removeInstanceObjects } from "./docker-objects";
import { KubelabServer } from "./kubelab-server";
import { startTestDatabase, type TestDatabase } from "./test-database";

export interface LabFixture {
  db: TestDatabase;
  /** Replace it after a restart so the suite's teardown stops the live process. */
  server: KubelabServer;
  /** With `withReadySession`: a logged-in user and their ready session. */
  owner: ApiClient;
  session: TSession;
}

/**
 * Registers before/after hooks on the current suite: a fresh PostgreSQL, a
 * Kubelab server process on it, and (optionally) a ready session; teardown
 * stops both and removes every Docker object the server's instance made.
 */
export function useKubelab(options: { env?: Record<string, string>; withReadySession?: boolean } = {}): LabFixture {
  const fixture = {} as LabFixture;
  before(async () => {
    fixture.db = await startTestDatabase();
    fixture.server = await KubelabServer.start({ databaseUrl: fixture.db.url, env: options.env });
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
