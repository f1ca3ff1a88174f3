import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Logger } from "@nestjs/common";
import pg from "pg";

const logger = new Logger("Migrations");

// Any constant works; it only has to be the same for every Kubelab process.
const MIGRATION_LOCK_KEY = 7_345_210_001;

/** prisma/migrations, found from the compiled file's location (apps/api/dist/database). */
export const DEFAULT_MIGRATIONS_DIR = path.resolve(__dirname, "../../../../prisma/migrations");

/**
 * Applies committed Prisma migrations at startup, writing the same
 * `_prisma_migrations` rows as `prisma migrate deploy`, so both tools agree.
 * It runs in-process (no CLI at run time) under an advisory lock, so several
 * servers starting together apply each migration once.
 */
export async function applyMigrations(databaseUrl: string, migrationsDir = DEFAULT_MIGRATIONS_DIR): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
    const applied = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
    );
    const byName = new Map(applied.rows.map((row) => [row.migration_name, row]));
    const names = fs
      .readdirSync(migrationsDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    const newlyApplied: string[] = [];
    for (const name of names) {
      const sql = fs.readFileSync(path.join(migrationsDir, name, "migration.sql"), "utf8");
      const checksum = crypto.createHash("sha256").update(sql).digest("hex");
      const previous = byName.get(name);
      if (previous) {
        if (!previous.finished_at) {
          throw new Error(`Migration ${name} failed earlier and needs manual repair (see docs/operations.md)`);
        }
        if (previous.checksum !== checksum) {
          logger.warn(`Migration ${name} was edited after it was applied (checksum differs)`);
        }
        continue;
      }
      const id = crypto.randomUUID();
      await client.query("BEGIN");
      try {
        await client.query(sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), now(), 1)`,
          [id, checksum, name],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new Error(`Migration ${name} failed: ${(error as Error).message}`);
      }
      logger.log(`Applied migration ${name}`);
      newlyApplied.push(name);
    }
    return newlyApplied;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}
