import type { TAdminSession, TAdminSessionQuery } from "@kubelab/shared";

/** The sum of the known values (null: not sampled yet, counted as nothing). */
export const sumOf = (values: (number | null)[]): number => values.reduce<number>((total, v) => total + (v ?? 0), 0);

const memoryOf = (s: TAdminSession) => sumOf(s.nodes.map((n) => n.memoryBytes));
const cpuOf = (s: TAdminSession) => sumOf(s.nodes.map((n) => n.cpuPercent));

/** Sorts the admin list: oldest first, soonest to expire, owner's name, or the heaviest first. */
export function sortSessions(sessions: TAdminSession[], sort: TAdminSessionQuery["sort"]): TAdminSession[] {
  const by: Record<TAdminSessionQuery["sort"], (a: TAdminSession, b: TAdminSession) => number> = {
    age: (a, b) => a.createdAt.localeCompare(b.createdAt),
    expires: (a, b) => a.expiresAt.localeCompare(b.expiresAt),
    owner: (a, b) => (a.owner?.name ?? "").localeCompare(b.owner?.name ?? ""),
    memory: (a, b) => memoryOf(b) - memoryOf(a),
    cpu: (a, b) => cpuOf(b) - cpuOf(a),
    status: (a, b) => a.status.localeCompare(b.status),
  };
  return [...sessions].sort((a, b) => by[sort](a, b) || a.id.localeCompare(b.id));
}
