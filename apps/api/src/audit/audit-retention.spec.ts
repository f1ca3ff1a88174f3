import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ZEnvironment } from "../config/config.schema";
import { auditCutoff } from "./audit-retention";

describe("auditCutoff", () => {
  const now = new Date("2026-12-02T12:00:00.000Z");

  it("keeps everything when the retention is 0", () => {
    assert.equal(auditCutoff(now, 0), null);
  });

  it("is the retention before now", () => {
    assert.equal(auditCutoff(now, 365 * 86400)?.toISOString(), "2025-12-02T12:00:00.000Z");
    assert.equal(auditCutoff(now, 30 * 86400)?.toISOString(), "2026-11-02T12:00:00.000Z");
  });

  it("is never later than a day ago, the most the table's trigger allows", () => {
    assert.equal(auditCutoff(now, 60)?.toISOString(), "2026-12-01T12:00:00.000Z");
  });
});

describe("AUDIT_RETENTION", () => {
  const retention = (value?: string) => ZEnvironment.shape.AUDIT_RETENTION.safeParse(value);

  it("is a year by default, 0 keeps forever, durations as elsewhere", () => {
    assert.equal(retention().data, 365 * 86400);
    assert.equal(retention("0").data, 0);
    assert.equal(retention("90d").data, 90 * 86400);
    assert.equal(retention("36h").data, 36 * 3600);
  });

  it("refuses less than a day (the trigger would refuse the pruning) and non-durations", () => {
    for (const bad of ["12h", "30m", "1y", "-1d", "forever"]) assert.equal(retention(bad).success, false, bad);
  });
});
