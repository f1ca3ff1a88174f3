// CI guard: prisma/schema.prisma and prisma/migrations must describe the same database.
//
// `prisma migrate diff --from-migrations` needs a shadow database, which the
// offline WebAssembly engine with a driver adapter does not support. So both
// sides are built for real and their catalogs compared: database A gets the
// committed migrations (through the server's own migration runner), database B
// gets the SQL Prisma generates from the schema.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";
import pg from "pg";
import { REPO_ROOT } from "../support/repo-paths";
import { startTestDatabase } from "../support/test-database";

type ApplyMigrations = (url: string) => Promise<string[]>;

const CATALOG_QUERIES = {
  columns: `SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default
            FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
            ORDER BY 1, 2`,
  indexes: `SELECT tablename, indexname, indexdef FROM pg_indexes
            WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1, 2`,
  constraints: `SELECT c.conrelid::regclass::text AS table, c.conname, pg_get_constraintdef(c.oid) AS def
                FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
                WHERE n.nspname = 'public' AND c.conrelid::regclass::text <> '_prisma_migrations' ORDER BY 1, 2`,
  enums: `SELECT t.typname, e.enumlabel FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid ORDER BY 1, e.enumsortorder`,
};

async function catalog(url: string): Promise<Record<string, string[]>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const result: Record<string, string[]> = {};
  for (const [name, sql] of Object.entries(CATALOG_QUERIES)) {
    result[name] = (await client.query(sql)).rows.map((row) => JSON.stringify(row));
  }
  await client.end();
  return result;
}

function prisma(args: string[], databaseUrl: string): string {
  return execFileSync(path.join(REPO_ROOT, "node_modules/.bin/prisma"), args, {
    cwd: REPO_ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, CHECKPOINT_DISABLE: "1" },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

async function main(): Promise<void> {
  // The server's compiled runner (npm run build comes first), so this checks what production runs.
  const runner = pathToFileURL(path.join(REPO_ROOT, "apps/api/dist/database/migrations.js")).href;
  const { applyMigrations } = (await import(runner)) as { applyMigrations: ApplyMigrations };
  const db = await startTestDatabase();
  try {
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query("CREATE DATABASE from_migrations");
    await admin.query("CREATE DATABASE from_schema");
    await admin.end();
    const urlA = db.url.replace(/\/kubelab$/, "/from_migrations");
    const urlB = db.url.replace(/\/kubelab$/, "/from_schema");

    const applied = await applyMigrations(urlA);
    // The runner must leave _prisma_migrations as Prisma expects, or `prisma migrate` would disagree.
    const status = prisma(["migrate", "status"], urlA);
    if (!/Database schema is up to date/.test(status)) throw new Error(`prisma migrate status disagrees:\n${status}`);

    const sql = prisma(
      ["migrate", "diff", "--from-empty", "--to-schema-datamodel", "prisma/schema.prisma", "--script"],
      urlB,
    );
    const clientB = new pg.Client({ connectionString: urlB });
    await clientB.connect();
    await clientB.query(sql);
    await clientB.end();

    const [a, b] = [await catalog(urlA), await catalog(urlB)];
    const drift: string[] = [];
    for (const kind of Object.keys(CATALOG_QUERIES)) {
      const inA = new Set(a[kind]);
      const inB = new Set(b[kind]);
      for (const row of inA) if (!inB.has(row)) drift.push(`  only in migrations (${kind}): ${row}`);
      for (const row of inB) if (!inA.has(row)) drift.push(`  only in schema.prisma (${kind}): ${row}`);
    }
    if (drift.length > 0) {
      console.error(
        `prisma/schema.prisma and prisma/migrations drift apart:\n${drift.join("\n")}\n` +
          "Create a migration: see docs/operations.md (Schema changes).",
      );
      process.exitCode = 1;
    } else {
      console.log(
        `Migrations and schema agree (${applied.length} migration(s) applied, ${a.columns?.length} columns compared).`,
      );
    }
  } finally {
    await db.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
