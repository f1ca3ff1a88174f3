// Prisma CLI configuration. The CLI runs fully offline with the WebAssembly
// schema engine ("js") through a pg driver adapter; see docs/architecture.md.
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";
import { Pool, type PoolConfig } from "pg";

// prisma/prisma#27403: the adapter cannot decode the catalog types `name`
// (OID 19) and `"char"` (OID 18) that migrate reads; reporting them as text
// is lossless for those columns.
class CatalogFriendlyPool extends Pool {
  override query(...args: unknown[]): never {
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (result instanceof Promise) {
      return result.then((res: { fields?: { dataTypeID: number }[] }) => {
        for (const field of res?.fields ?? []) {
          if (field.dataTypeID === 19 || field.dataTypeID === 18) field.dataTypeID = 25;
        }
        return res;
      }) as never;
    }
    return result as never;
  }
}

export default defineConfig({
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  engine: "js",
  experimental: { adapter: true },
  async adapter() {
    const pool = new CatalogFriendlyPool({
      connectionString: process.env.DATABASE_URL,
      // Idle connections would otherwise keep every CLI command alive for 10 s after it is done.
      allowExitOnIdle: true,
    } satisfies PoolConfig);
    return new PrismaPg(pool);
  },
});
