import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TEvent } from "@kubelab/shared";
import { changedFields, eventAuditFields } from "./event-audit";

const EVENT: TEvent = {
  id: "00000000-0000-4000-8000-000000000001",
  ownerId: "00000000-0000-4000-8000-000000000002",
  title: "Kubernetes 101",
  lessonId: "intro",
  language: "en",
  startsAt: "2026-12-02T10:00:00.000Z",
  endsAt: "2026-12-02T12:00:00.000Z",
  capacity: 20,
  sessionSeconds: 3600,
  maxExtensions: 2,
  reservedSessions: 5,
  prepareSeconds: 600,
  joinPolicy: "guests",
  allowList: [],
  accessCode: "SECRET12",
  joinPath: "/join/SECRET12",
  createdAt: "2026-12-01T10:00:00.000Z",
  updatedAt: "2026-12-01T10:00:00.000Z",
};

describe("event audit fields", () => {
  it("keeps the settings and leaves the access code out", () => {
    const fields = eventAuditFields(EVENT);
    assert.equal(fields.startsAt, "2026-12-02T10:00:00.000Z");
    assert.equal(fields.title, "Kubernetes 101");
    assert.ok(!JSON.stringify(fields).includes("SECRET12"));
    assert.ok(!("id" in fields) && !("updatedAt" in fields));
  });

  it("names only what changed, before and after", () => {
    const before = eventAuditFields(EVENT);
    const after = eventAuditFields({ ...EVENT, title: "K8s 101", allowList: ["a@example.org"], capacity: 20 });
    assert.deepEqual(changedFields(before, after), {
      before: { title: "Kubernetes 101", allowList: [] },
      after: { title: "K8s 101", allowList: ["a@example.org"] },
    });
    assert.deepEqual(changedFields(before, before), { before: {}, after: {} });
  });
});
