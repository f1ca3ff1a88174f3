import { randomBytes } from "node:crypto";
import type { Prisma } from "../generated/prisma/client";
import { SESSION_VIEW_INCLUDE, type LabSessionForView } from "./session-view";

/**
 * Inserts a session row with its nodes, loaded as the API shows it. The one place a session id is
 * made: 128 random bits as lowercase hex, unguessable and usable in DNS labels and Docker names.
 * Users' creates, event joins and the warm pool all insert through here, under the quota lock.
 */
export function insertSession(
  tx: Prisma.TransactionClient,
  data: Omit<Prisma.LabSessionUncheckedCreateInput, "id" | "nodes">,
  nodes: readonly string[],
): Promise<LabSessionForView> {
  return tx.labSession.create({
    data: { ...data, id: randomBytes(16).toString("hex"), nodes: { create: nodes.map((name) => ({ name })) } },
    include: SESSION_VIEW_INCLUDE,
  });
}
