import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { auditChanges, auditContext, formatAuditValue } from "./audit-changes";

const LABELS = { none: "none", yes: "yes", no: "no" };

describe("audit entry details", () => {
  it("shows values in plain words", () => {
    assert.equal(formatAuditValue(null, LABELS), "none");
    assert.equal(formatAuditValue(true, LABELS), "yes");
    assert.equal(formatAuditValue(["a", "b"], LABELS), "a, b");
    assert.equal(formatAuditValue([], LABELS), "none");
    assert.equal(formatAuditValue(3, LABELS), "3");
    assert.equal(formatAuditValue({ x: 1 }, LABELS), '{"x":1}');
    const instant = (date: Date) => `at ${date.getUTCHours()}h`;
    assert.equal(formatAuditValue("2026-12-02T10:00:00.000Z", { ...LABELS, instant }), "at 10h");
    assert.equal(formatAuditValue("2026-12-02", { ...LABELS, instant }), "2026-12-02");
  });

  it("pairs before and after per field", () => {
    assert.deepEqual(auditChanges({ before: { role: "attendee" }, after: { role: "instructor" } }, LABELS), [
      { field: "role", before: "attendee", after: "instructor" },
    ]);
    assert.deepEqual(auditChanges({ before: null, after: { title: "K8s" } }, LABELS), [
      { field: "title", before: undefined, after: "K8s" },
    ]);
    assert.deepEqual(auditChanges({ before: { bannedAt: null }, after: { bannedAt: "2026-12-02" } }, LABELS), [
      { field: "bannedAt", before: "none", after: "2026-12-02" },
    ]);
    assert.deepEqual(auditChanges({ count: 2 }, LABELS), []);
  });

  it("lists the rest of the detail", () => {
    assert.deepEqual(auditContext({ before: {}, after: {}, node: "node1", count: 2 }, LABELS), [
      ["node", "node1"],
      ["count", "2"],
    ]);
  });
});
