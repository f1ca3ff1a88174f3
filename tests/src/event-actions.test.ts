// The room's actions on attendees' sessions (issue 16), against real Docker: extend all (the
// instructor's extensions do not use up the attendee's, never past the event's end), end one and
// all (ended_by_instructor), reset (a fresh session, same lesson position; the old one ends with
// session_reset), stepSince in the room, the audit log's entries, and who may do any of it
// (attendees 403, another instructor's event or another event's session 404).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ZEventBulkResult,
  ZEventRoom,
  ZSession,
  type TApiErrorBody,
  type TEventJoinResponse,
  type TLessonProgress,
  type TSession,
} from "@kubelab/shared";
import type { ApiClient } from "./support/api-client";
import { createRunningEvent, EVENT_LESSON as LESSON } from "./support/classroom";
import { useDatabaseClient } from "./support/database-client";
import { useKubelab } from "./support/lab-fixture";
import { userWithRole as userWithRole_ } from "./support/user-roles";

const EXTENSION_S = 600;
const SESSION_S = 1200;

describe("event room actions", () => {
  const lab = useKubelab({ env: { GUEST_LOGIN: "true", SESSION_EXTENSION: `${EXTENSION_S}s` } });
  const db = useDatabaseClient(lab);
  const userWithRole = (name: string, role: "attendee" | "instructor" | "admin") => userWithRole_(lab, db, name, role);

  it("extends, ends and resets attendees' sessions for the event's instructor only", async () => {
    const teacher = await userWithRole("Teacher", "instructor");
    const event = await createRunningEvent(teacher, {
      title: "Actions",
      capacity: 2,
      sessionSeconds: SESSION_S,
      maxExtensions: 1,
    });
    const base = `/api/events/${event.id}/sessions`;

    const attendees: { client: ApiClient; session: TSession }[] = [];
    for (const name of ["Ana", "Bea"]) {
      const client = lab.server.client();
      const joined = await client.request<TEventJoinResponse>("POST", "/api/events/join", {
        code: event.accessCode,
        name,
      });
      assert.equal(joined.status, 200, JSON.stringify(joined.body));
      attendees.push({ client, session: joined.body.session });
    }
    const [ana, bea] = attendees as [(typeof attendees)[0], (typeof attendees)[0]];
    for (const a of attendees) {
      a.session = await a.client.waitUntilSettled(a.session.id);
      assert.equal(a.session.status, "ready", JSON.stringify(a.session));
    }
    const room = async () => ZEventRoom.parse((await teacher.request("GET", `/api/events/${event.id}/room`)).body);
    const progress = (step: number, done: number[]) =>
      ana.client.request<TLessonProgress>("PUT", `/api/lessons/${LESSON}/progress`, {
        currentStep: step,
        doneSteps: done,
      });

    // stepSince: set when the current step changes, kept while it stays.
    assert.equal((await room()).attendees.find((a) => a.name === "Ana")?.stepSince, null, "no progress yet");
    const before = Date.now();
    assert.equal((await progress(1, [0])).status, 200);
    const since1 = (await room()).attendees.find((a) => a.name === "Ana")!.stepSince!;
    assert.ok(Date.parse(since1) >= before - 1000 && Date.parse(since1) <= Date.now() + 1000, since1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal((await progress(1, [0, 1])).status, 200);
    assert.equal((await room()).attendees.find((a) => a.name === "Ana")?.stepSince, since1, "same step: kept");
    assert.equal((await progress(2, [0, 1])).status, 200);
    const since2 = (await room()).attendees.find((a) => a.name === "Ana")!.stepSince!;
    assert.ok(Date.parse(since2) > Date.parse(since1), "a new step: a new stepSince");

    // Who may act: attendees 403; another instructor 404 on this event; a session of another event
    // (or none) 404 even on an event one manages.
    const stranger = await userWithRole("Other Teacher", "instructor");
    const other = await createRunningEvent(stranger, { title: "Other" });
    const routes = (eventId: string, sessionId: string) =>
      [
        ["POST", `/api/events/${eventId}/sessions/extend`],
        ["POST", `/api/events/${eventId}/sessions/end`],
        ["DELETE", `/api/events/${eventId}/sessions/${sessionId}`],
        ["POST", `/api/events/${eventId}/sessions/${sessionId}/reset`],
      ] as const;
    for (const [client, eventId, sessionId, status, what] of [
      [ana.client, event.id, ana.session.id, 403, "an attendee"],
      [stranger, event.id, ana.session.id, 404, "another instructor"],
      [stranger, other.id, ana.session.id, 404, "a session of another event"],
      [teacher, event.id, "0123456789abcdef0123456789abcdef", 404, "no such session"],
      [teacher, event.id, "nope", 404, "not a session id"],
    ] as const) {
      for (const [method, path] of routes(eventId, sessionId)) {
        if (what.includes("session") && !path.includes(sessionId)) continue;
        const res = await client.request<TApiErrorBody>(method, path);
        assert.equal(res.status, status, `${what}: ${method} ${path}: ${JSON.stringify(res.body)}`);
      }
    }
    for (const a of attendees) {
      const still = await a.client.getSession(a.session.id);
      assert.equal(still.status, "ready", "refused actions changed nothing");
      assert.equal(still.expiresAt, a.session.expiresAt);
    }

    // Extend all: everyone gets SESSION_EXTENSION, and keeps their own extension.
    const extended = await teacher.request("POST", `${base}/extend`);
    assert.equal(extended.status, 200, JSON.stringify(extended.body));
    assert.deepEqual(ZEventBulkResult.parse(extended.body), { count: 2 });
    for (const a of attendees) {
      const now = await a.client.getSession(a.session.id);
      assert.equal(Date.parse(now.expiresAt) - Date.parse(a.session.expiresAt), EXTENSION_S * 1000);
      assert.deepEqual([now.extensions, now.maxExtensions], [0, 1], "the attendee's own extension is left");
      a.session = now;
    }
    const own = await bea.client.request<TSession>("POST", `/api/sessions/${bea.session.id}/extend`, {});
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.equal(own.body.extensions, 1);
    bea.session = own.body;
    // A changed event keeps the instructor's extension (its sessions are recomputed from their start).
    const renamed = await teacher.request("PATCH", `/api/events/${event.id}`, { title: "Actions!" });
    assert.equal(renamed.status, 200);
    assert.equal((await ana.client.getSession(ana.session.id)).expiresAt, ana.session.expiresAt);
    // Never past the event's end: bring the end to just after Ana's time, extend twice.
    const endsAt = new Date(Date.parse(ana.session.expiresAt) + 60_000);
    const moved = await teacher.request("PATCH", `/api/events/${event.id}`, { endsAt: endsAt.toISOString() });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.equal(
      Date.parse((await bea.client.getSession(bea.session.id)).expiresAt),
      endsAt.getTime(),
      "Bea (two extensions) ends with the event now",
    );
    assert.deepEqual(
      ZEventBulkResult.parse((await teacher.request("POST", `${base}/extend`)).body),
      { count: 1 },
      "Ana only",
    );
    for (const a of attendees) {
      assert.equal(Date.parse((await a.client.getSession(a.session.id)).expiresAt), endsAt.getTime(), "capped");
    }
    assert.deepEqual(
      ZEventBulkResult.parse((await teacher.request("POST", `${base}/extend`)).body),
      { count: 0 },
      "nothing left to extend",
    );

    // Reset Ana: a fresh ready session at the same lesson position; the old one ended (session_reset).
    const resetAt = Date.now();
    const reset = await teacher.request<TSession>("POST", `${base}/${ana.session.id}/reset`);
    assert.equal(reset.status, 201, JSON.stringify(reset.body));
    const fresh = ZSession.parse(reset.body);
    assert.notEqual(fresh.id, ana.session.id);
    assert.equal(fresh.event?.id, event.id);
    const old = await ana.client.getSession(ana.session.id);
    assert.deepEqual([old.status, old.stopReason?.code], ["ended", "session_reset"]);
    const ready = await ana.client.waitUntilSettled(fresh.id);
    assert.equal(ready.status, "ready", JSON.stringify(ready));
    console.log(`reset: new session ready ${Date.now() - resetAt} ms after the request`);
    const kept = await ana.client.request<TLessonProgress>("GET", `/api/lessons/${LESSON}/progress`);
    assert.deepEqual([kept.body.currentStep, kept.body.doneSteps], [2, [0, 1]], "same lesson position");
    const afterReset = (await room()).attendees.find((a) => a.name === "Ana");
    assert.deepEqual(
      [afterReset?.sessionId, afterReset?.status, afterReset?.currentStep, afterReset?.stepSince],
      [fresh.id, "ready", 2, since2],
    );
    const listed = await ana.client.request<{ sessions: TSession[] }>("GET", "/api/sessions");
    assert.deepEqual(
      listed.body.sessions.filter((s) => s.status === "ready").map((s) => s.id),
      [fresh.id],
      "the attendee has one lab: the fresh one",
    );
    const again = await teacher.request<TApiErrorBody>("POST", `${base}/${ana.session.id}/reset`);
    assert.deepEqual([again.status, again.body.error.code], [409, "session_not_active"], "an ended session");
    ana.session = ready;

    // End one (Bea), then all (Ana's fresh one): ended_by_instructor; again: nothing more.
    assert.equal((await teacher.request("DELETE", `${base}/${bea.session.id}`)).status, 204);
    const beaEnded = await bea.client.getSession(bea.session.id);
    assert.deepEqual([beaEnded.status, beaEnded.stopReason?.code], ["ended", "ended_by_instructor"]);
    assert.equal((await teacher.request("DELETE", `${base}/${bea.session.id}`)).status, 204, "already ended");
    const admin = await userWithRole("Admin", "admin");
    const all = await admin.request("POST", `${base}/end`);
    assert.equal(all.status, 200, JSON.stringify(all.body));
    assert.deepEqual(ZEventBulkResult.parse(all.body), { count: 1 }, "admins act on any event");
    const anaEnded = await ana.client.getSession(ana.session.id);
    assert.deepEqual([anaEnded.status, anaEnded.stopReason?.code], ["ended", "ended_by_instructor"]);
    assert.deepEqual(ZEventBulkResult.parse((await teacher.request("POST", `${base}/end`)).body), { count: 0 });
    // Every action is in the audit log: who, what, on which event or session, from which address;
    // refused requests and the no-op second end of Bea's session left nothing.
    const audit = await db.client.query<{
      action: string;
      actor: string;
      target_type: string;
      target_id: string;
      detail: { count?: number };
      client_address: string | null;
    }>(
      "SELECT a.action, u.name AS actor, a.target_type, a.target_id, a.detail, a.client_address " +
        "FROM audit_log a JOIN users u ON u.id = a.actor_id " +
        // The room's actions (creating the event is audited too: admin-audit.test.ts).
        "WHERE a.action LIKE 'event.sessions_%' OR a.action LIKE 'session.%' ORDER BY a.id",
    );
    assert.deepEqual(
      audit.rows.map((r) => [r.action, r.actor, r.target_type, r.target_id, r.detail.count ?? null]),
      [
        ["event.sessions_extended", "Teacher", "event", event.id, 2],
        ["event.sessions_extended", "Teacher", "event", event.id, 1],
        ["event.sessions_extended", "Teacher", "event", event.id, 0],
        ["session.reset", "Teacher", "session", old.id, null],
        ["session.ended_by_instructor", "Teacher", "session", bea.session.id, null],
        ["event.sessions_ended", "Admin", "event", event.id, 1],
        ["event.sessions_ended", "Teacher", "event", event.id, 0],
      ],
    );
    assert.ok(
      audit.rows.every((r) => r.client_address),
      "each entry has the client's address",
    );
    // The event itself goes on: an attendee may join again.
    assert.equal((await teacher.request("GET", `/api/events/${event.id}`)).status, 200);
  });
});
