import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TAdminSession, TNodeUsage } from "@kubelab/shared";
import { sortSessions, sumOf } from "./admin-session-sort";

const node = (memoryBytes: number | null, cpuPercent: number | null): TNodeUsage => ({
  name: "node1",
  status: "running",
  cpuPercent,
  memoryBytes,
  memoryLimitBytes: 100,
  diskBytes: null,
  diskLimitBytes: 100,
  pids: null,
  pidsLimit: null,
  sampledAt: null,
});

const session = (id: string, createdAt: string, expiresAt: string, owner: string | null, nodes: TNodeUsage[]) =>
  ({
    id,
    status: "ready",
    owner: owner ? { id: owner, name: owner, login: null } : null,
    event: null,
    lesson: null,
    image: "img",
    createdAt,
    expiresAt,
    extensions: 0,
    nodes,
  }) satisfies TAdminSession;

describe("admin session sort", () => {
  const a = session("a", "2026-01-01T10:00:00.000Z", "2026-01-01T13:00:00.000Z", "Zoe", [node(10, 5), node(10, 1)]);
  const b = session("b", "2026-01-01T09:00:00.000Z", "2026-01-01T14:00:00.000Z", "Ana", [node(50, 0)]);
  const c = session("c", "2026-01-01T11:00:00.000Z", "2026-01-01T12:00:00.000Z", null, [node(null, null)]);
  const ids = (list: TAdminSession[]) => list.map((s) => s.id).join("");

  it("sorts by age, expiry, owner, memory and CPU", () => {
    assert.equal(ids(sortSessions([a, b, c], "age")), "bac");
    assert.equal(ids(sortSessions([a, b, c], "expires")), "cab");
    assert.equal(ids(sortSessions([a, b, c], "owner")), "cba");
    assert.equal(ids(sortSessions([a, b, c], "memory")), "bac");
    assert.equal(ids(sortSessions([a, b, c], "cpu")), "abc");
  });

  it("counts nodes not sampled yet as nothing", () => {
    assert.equal(sumOf([1, null, 2]), 3);
    assert.equal(sumOf([]), 0);
  });
});
