import { after, before } from "node:test";
import pg from "pg";
import type { LabFixture } from "./lab-fixture";

/**
 * Registers hooks on the current suite for a direct connection to the fixture's database (for what
 * the API cannot do or show: a user's role, a session's pool key). Call after useKubelab.
 */
export function useDatabaseClient(lab: LabFixture): { readonly client: pg.Client } {
  const holder = {} as { client: pg.Client };
  before(async () => {
    holder.client = new pg.Client({ connectionString: lab.db.url });
    await holder.client.connect();
  });
  after(async () => {
    await holder.client?.end();
  });
  return holder;
}
