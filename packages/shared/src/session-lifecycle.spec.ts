import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  canTransition,
  ENDABLE_SESSION_STATUSES,
  LIVE_SESSION_STATUSES,
  OPEN_SESSION_STATUSES,
  QUEUED_QUOTA_STATUSES,
  SESSION_TRANSITIONS,
  sessionStatusesLeadingTo,
  ZSessionEndReasonCode,
  ZSessionFailureReasonCode,
  ZSessionReasonCode,
} from "./session-lifecycle";
import { ZSessionStatus, type TSessionStatus } from "./sessions";

const ALL = ZSessionStatus.options;

// Statuses from which `to` can be reached in one or more steps.
function reachable(from: TSessionStatus): Set<TSessionStatus> {
  const seen = new Set<TSessionStatus>();
  const queue: TSessionStatus[] = [from];
  while (queue.length > 0) {
    for (const next of SESSION_TRANSITIONS[queue.shift() as TSessionStatus]) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
}

describe("session transitions", () => {
  it("cover every status, and only the moves the lifecycle makes", () => {
    assert.deepEqual(Object.keys(SESSION_TRANSITIONS).sort(), [...ALL].sort());
    const allowed = ALL.flatMap((from) => ALL.filter((to) => canTransition(from, to)).map((to) => `${from}>${to}`));
    assert.deepEqual(allowed.sort(), [
      "ending>ended",
      "failed>ending",
      "pooled>ending",
      "pooled>failed",
      "pooled>ready",
      "provisioning>ending",
      "provisioning>failed",
      "provisioning>pooled",
      "provisioning>ready",
      "queued>ended",
      "queued>provisioning",
      "ready>ending",
      "ready>failed",
    ]);
  });

  it("never go back: only a queued session becomes provisioning, a failed one never ready, ended is final", () => {
    assert.deepEqual(sessionStatusesLeadingTo("provisioning"), ["queued"]);
    assert.equal(canTransition("provisioning", "queued"), false, "nothing goes back to the queue");
    assert.equal(canTransition("failed", "ready"), false);
    assert.equal(canTransition("ending", "failed"), false);
    assert.equal(reachable("ended").size, 0);
    for (const status of ALL) assert.equal(reachable(status).has(status), false, `${status} can come back`);
  });

  it("every session can still end from wherever it is", () => {
    for (const status of ALL.filter((s) => s !== "ended")) assert.ok(reachable(status).has("ended"), status);
  });

  it("give the conditional updates' WHERE status IN lists", () => {
    assert.deepEqual(sessionStatusesLeadingTo("ready"), ["provisioning", "pooled"]);
    assert.deepEqual(sessionStatusesLeadingTo("pooled"), ["provisioning"]);
    assert.deepEqual(sessionStatusesLeadingTo("failed"), ["provisioning", "pooled", "ready"]);
    assert.deepEqual(sessionStatusesLeadingTo("ending"), ["provisioning", "pooled", "ready", "failed"]);
    assert.deepEqual(sessionStatusesLeadingTo("ended"), ["queued", "ending"]);
  });
});

describe("pooled sessions", () => {
  it("are only built (from provisioning), and leave only by a claim (ready), a failure or an end", () => {
    assert.deepEqual([...SESSION_TRANSITIONS.pooled].sort(), ["ending", "failed", "ready"]);
    assert.equal(canTransition("ready", "pooled"), false, "a claimed session never goes back to the pool");
  });

  it("hold Docker objects, so they count toward MAX_SESSIONS and keep the firewall", () => {
    assert.ok((LIVE_SESSION_STATUSES as readonly string[]).includes("pooled"));
  });
});

describe("queued sessions", () => {
  it("leave the queue only by a promotion (provisioning) or by ending at once (no objects to clean)", () => {
    assert.deepEqual([...SESSION_TRANSITIONS.queued].sort(), ["ended", "provisioning"]);
  });

  it("hold no place under MAX_SESSIONS but count toward their owner's quota, and can be ended, not extended", () => {
    assert.equal((LIVE_SESSION_STATUSES as readonly string[]).includes("queued"), false);
    assert.equal((OPEN_SESSION_STATUSES as readonly string[]).includes("queued"), false);
    assert.deepEqual([...QUEUED_QUOTA_STATUSES].sort(), [...LIVE_SESSION_STATUSES, "queued"].sort());
    assert.ok((ENDABLE_SESSION_STATUSES as readonly string[]).includes("queued"));
  });
});

describe("named session status sets", () => {
  it("live = still holds Docker objects: everything but queued (none yet), failed (freed on entry) and ended", () => {
    // The admin console once counted only provisioning and ready as active while the quotas also
    // counted ending: a user blocked by an ending session was shown with 0 active sessions.
    assert.deepEqual(
      [...LIVE_SESSION_STATUSES].sort(),
      ALL.filter((s) => s !== "queued" && s !== "failed" && s !== "ended").sort(),
    );
    assert.ok((LIVE_SESSION_STATUSES as readonly string[]).includes("ending"));
  });

  it("open = can still fail (the lab is coming or running); endable = can still move to ending; pooled in neither", () => {
    // A pooled session is nobody's lab: it never expires, is never extended nor ended by a user.
    const notPooled = (statuses: TSessionStatus[]) => statuses.filter((s) => s !== "pooled");
    assert.deepEqual([...OPEN_SESSION_STATUSES], notPooled(sessionStatusesLeadingTo("failed")));
    assert.deepEqual([...ENDABLE_SESSION_STATUSES], ["queued", ...notPooled(sessionStatusesLeadingTo("ending"))]);
    for (const status of OPEN_SESSION_STATUSES)
      assert.ok((LIVE_SESSION_STATUSES as readonly string[]).includes(status));
  });
});

describe("session reason codes", () => {
  it("are split into end and failure reasons with no code in both", () => {
    const end = new Set<string>(ZSessionEndReasonCode.options);
    assert.deepEqual(
      ZSessionFailureReasonCode.options.filter((code) => end.has(code)),
      [],
    );
    assert.equal(
      ZSessionReasonCode.options.length,
      ZSessionEndReasonCode.options.length + ZSessionFailureReasonCode.options.length,
    );
  });
});
