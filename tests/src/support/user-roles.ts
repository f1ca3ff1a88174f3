import type pg from "pg";
import type { TMeResponse } from "@kubelab/shared";
import type { ApiClient } from "./api-client";
import type { LabFixture } from "./lab-fixture";

/** A guest login given `role` straight in the database (as an admin's PATCH would). */
export async function userWithRole(
  lab: LabFixture,
  db: { readonly client: pg.Client },
  name: string,
  role: "attendee" | "instructor" | "admin",
): Promise<ApiClient> {
  const client = lab.server.client();
  const me: TMeResponse = await client.loginAsGuest(name);
  await db.client.query("UPDATE users SET role = $1 WHERE id = $2", [role, me.id]);
  return client;
}
