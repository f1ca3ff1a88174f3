// The instructor's live room (issue 16), server side: a running event with two guest attendees on
// real Docker nodes; the room snapshot and its Server-Sent Events stream (terminal input, a done
// step and raised hands show within ~1-2 s), the help queue, broadcasts, and who is kept out of all
// of it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ZEventRoom,
  ZBroadcastList,
  ZMyHelp,
  ZSessionBroadcast,
  type TApiErrorBody,
  type TBroadcast,
  type TEventJoinResponse,
  type TEventRoom,
  type TEventSummary,
  type TMyHelpRequest,
  type TRoomHelpRequest,
  type TSessionBroadcast,
} from "@kubelab/shared";
import type { ApiClient } from "./support/api-client";
import { createRunningEvent, EVENT_LESSON as LESSON } from "./support/classroom";
import { useDatabaseClient } from "./support/database-client";
import { openEventStream } from "./support/event-stream-client";
import { useKubelab } from "./support/lab-fixture";
import { TerminalClient } from "./support/terminal-client";
import { userWithRole as userWithRole_ } from "./support/user-roles";
import { waitFor } from "./support/wait-for";

const ORIGIN = "http://localhost:4300";

describe("event room", () => {
  const lab = useKubelab({ env: { GUEST_LOGIN: "true", PUBLIC_URL: ORIGIN } });
  const db = useDatabaseClient(lab);

  const userWithRole = (name: string, role: "attendee" | "instructor" | "admin") => userWithRole_(lab, db, name, role);

  it("shows the attendees live to the event's instructor, and to nobody else", async () => {
    const teacher = await userWithRole("Teacher", "instructor");
    const event = await createRunningEvent(teacher, { title: "Room", capacity: 2 });

    const attendees: { client: ApiClient; sessionId: string }[] = [];
    for (const name of ["Bea", "Ana"]) {
      const client = lab.server.client();
      const joined = await client.request<TEventJoinResponse>("POST", "/api/events/join", {
        code: event.accessCode,
        name,
      });
      assert.equal(joined.status, 200, JSON.stringify(joined.body));
      attendees.push({ client, sessionId: joined.body.session.id });
    }
    const [bea, ana] = attendees as [(typeof attendees)[0], (typeof attendees)[0]];
    for (const a of attendees) {
      const settled = await a.client.waitUntilSettled(a.sessionId);
      assert.equal(settled.status, "ready", JSON.stringify(settled));
    }

    const snapshot = await teacher.request<TEventRoom>("GET", `/api/events/${event.id}/room`);
    assert.equal(snapshot.status, 200, JSON.stringify(snapshot.body));
    const room = ZEventRoom.parse(snapshot.body);
    assert.equal(room.eventId, event.id);
    assert.deepEqual(
      room.attendees.map((a) => [a.name, a.sessionId, a.status, a.currentStep, a.doneSteps, a.lastActivityAt]),
      [
        ["Ana", ana.sessionId, "ready", 0, [], null],
        ["Bea", bea.sessionId, "ready", 0, [], null],
      ],
    );
    assert.ok(room.steps.length > 1, "one entry per lesson step");
    assert.deepEqual(room.steps[0], { step: 0, current: 2, done: 0, verified: 0 });

    const raise = (a: typeof ana, body: Record<string, unknown>) =>
      a.client.request<TMyHelpRequest & TApiErrorBody>("POST", `/api/sessions/${a.sessionId}/help`, body);
    const mine = async (a: typeof ana) =>
      ZMyHelp.parse((await a.client.request("GET", `/api/sessions/${a.sessionId}/help`)).body).request;
    const stream = await openEventStream(teacher, `/api/events/${event.id}/room/stream`, "room", (data) =>
      ZEventRoom.parse(data),
    );
    const latest = (): TEventRoom | undefined => stream.messages.at(-1);
    const attendee = (name: string) => latest()?.attendees.find((a) => a.name === name);
    try {
      await waitFor("the first room", () => latest(), 5_000, 20);
      assert.deepEqual(latest(), room, "the stream starts with the snapshot");

      // Terminal input: last activity shows within ~1-2 s (the stream ticks every second).
      const terminal = await TerminalClient.connect(ana.client, ORIGIN, ana.sessionId, "node1");
      const typed = Date.now();
      terminal.send("echo hello-from-ana\r");
      await terminal.waitForOutput(/hello-from-ana\r?\n/);
      await waitFor("Ana's activity on the stream", () => attendee("Ana")?.lastActivityAt ?? undefined, 3_000, 20);
      const activityMs = Date.now() - typed;
      assert.ok(activityMs < 2_500, `took ${activityMs} ms`);
      assert.ok(Math.abs(Date.parse(attendee("Ana")!.lastActivityAt!) - typed) < 2_000);
      assert.equal(attendee("Bea")?.lastActivityAt, null);
      terminal.close();

      // A step marked done (lesson progress API) moves the board.
      const progress = await bea.client.request("PUT", `/api/lessons/${LESSON}/progress`, {
        currentStep: 1,
        doneSteps: [0],
      });
      assert.equal(progress.status, 200, JSON.stringify(progress.body));
      const moved = Date.now();
      await waitFor("the board to move", () => (latest()?.steps[0]?.done === 1 ? true : undefined), 3_000, 20);
      assert.ok(Date.now() - moved < 2_500);
      assert.deepEqual(latest()!.steps.slice(0, 2), [
        { step: 0, current: 1, done: 1, verified: 0 },
        { step: 1, current: 1, done: 0, verified: 0 },
      ]);
      assert.deepEqual([attendee("Bea")?.currentStep, attendee("Bea")?.doneSteps], [1, [0]]);

      // A raised hand: queued oldest first, on the stream within ~1-2 s, claimed, resolved, withdrawn.
      const raised = Date.now();
      const anaHand = await raise(ana, { message: "kubectl hangs", step: 1 });
      assert.equal(anaHand.status, 201, JSON.stringify(anaHand.body));
      assert.deepEqual([anaHand.body.position, anaHand.body.claimed, anaHand.body.step], [1, false, 1]);
      assert.equal((await raise(ana, {})).status, 409, "one open request per session");
      const beaHand = await raise(bea, {});
      assert.equal(beaHand.status, 201, JSON.stringify(beaHand.body));
      assert.equal(beaHand.body.position, 2);
      await waitFor("both hands on the stream", () => (latest()?.help.length === 2 ? true : undefined), 3_000, 20);
      assert.ok(Date.now() - raised < 2_500, `took ${Date.now() - raised} ms`);
      assert.deepEqual(
        latest()!.help.map((h) => [h.name, h.id, h.message, h.claimedBy]),
        [
          ["Ana", anaHand.body.id, "kubectl hangs", null],
          ["Bea", beaHand.body.id, null, null],
        ],
      );
      assert.equal(attendee("Ana")?.helpRequestId, anaHand.body.id);

      const helpPath = (id: string, action: string) => `/api/events/${event.id}/help/${id}/${action}`;
      const claimed = await teacher.request<TRoomHelpRequest>("POST", helpPath(anaHand.body.id, "claim"));
      assert.equal(claimed.status, 200, JSON.stringify(claimed.body));
      assert.equal(claimed.body.claimedBy, "Teacher");
      assert.deepEqual(
        await mine(ana).then((r) => [r?.position, r?.claimed, r?.claimedBy]),
        [1, true, "Teacher"],
        "the attendee sees that someone is looking",
      );
      assert.equal((await teacher.request("POST", helpPath(anaHand.body.id, "resolve"))).status, 204);
      assert.equal((await teacher.request("POST", helpPath(anaHand.body.id, "resolve"))).status, 404, "closed");
      assert.equal(await mine(ana), null);
      assert.equal((await mine(bea))?.position, 1, "Bea moves up");
      await waitFor("the resolved hand to leave", () => (latest()?.help.length === 1 ? true : undefined), 3_000, 20);
      assert.equal(attendee("Ana")?.helpRequestId, null);
      assert.equal((await bea.client.request("DELETE", `/api/sessions/${bea.sessionId}/help`)).status, 204);
      assert.equal((await bea.client.request("DELETE", `/api/sessions/${bea.sessionId}/help`)).status, 404);
      await waitFor("an empty queue", () => (latest()?.help.length === 0 ? true : undefined), 3_000, 20);
      const again = await raise(bea, { message: "one more" });
      assert.equal(again.status, 201, "a new request after the last one closed");
      await waitFor("the new hand", () => (latest()?.help.length === 1 ? true : undefined), 3_000, 20);

      // Nothing changes: nothing is sent.
      const count = stream.messages.length;
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      assert.equal(stream.messages.length, count, "no message without a change");
    } finally {
      stream.close();
    }

    // A broadcast reaches both attendees through their sessions.
    const none = await ana.client.request<TSessionBroadcast>("GET", `/api/sessions/${ana.sessionId}/broadcast`);
    assert.deepEqual(none.body, { broadcast: null });
    const sent = await teacher.request<TBroadcast>("POST", `/api/events/${event.id}/broadcasts`, {
      message: "  Go to step 3  ",
      step: 2,
    });
    assert.equal(sent.status, 201, JSON.stringify(sent.body));
    assert.deepEqual([sent.body.message, sent.body.step, sent.body.author], ["Go to step 3", 2, "Teacher"]);
    const later = await teacher.request<TBroadcast>("POST", `/api/events/${event.id}/broadcasts`, {
      message: "Break: 10 minutes",
    });
    assert.equal(later.status, 201);
    for (const a of [ana, bea]) {
      const read = await a.client.request("GET", `/api/sessions/${a.sessionId}/broadcast`);
      assert.equal(read.status, 200);
      assert.deepEqual(ZSessionBroadcast.parse(read.body).broadcast, later.body, "the latest one");
    }
    const history = ZBroadcastList.parse((await teacher.request("GET", `/api/events/${event.id}/broadcasts`)).body);
    assert.deepEqual(
      history.broadcasts.map((b) => b.id),
      [later.body.id, sent.body.id],
    );
    assert.equal(
      (await teacher.request("POST", `/api/events/${event.id}/broadcasts`, { message: " " })).status,
      400,
      "an empty message",
    );

    // The export: one line per attendee with their steps and help requests; the summary.
    const csv = await fetch(new URL(`/api/events/${event.id}/export.csv`, teacher.baseUrl), {
      headers: { cookie: teacher.cookieHeader ?? "" },
    });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get("content-type") ?? "", /^text\/csv/);
    const lines = (await csv.text()).trimEnd().split("\r\n");
    assert.equal(lines[0], "name,login,status,steps_done,current_step,time_spent_seconds,help_requests");
    const cells = lines.slice(1).map((line) => line.split(","));
    assert.deepEqual(
      cells.map((c) => [c[0], c[2], c[3], c[4], c[6]]),
      [
        ["Ana", "ready", "0", "0", "1"],
        ["Bea", "ready", "1", "1", "2"],
      ],
      "one line per attendee: steps done, current step, help requests",
    );
    assert.ok(
      cells.every((c) => Number(c[5]) > 0),
      "time spent",
    );
    const summary = await teacher.request<TEventSummary>("GET", `/api/events/${event.id}/summary`);
    assert.equal(summary.status, 200);
    assert.deepEqual(
      { ...summary.body, medianSecondsToReady: typeof summary.body.medianSecondsToReady },
      { eventId: event.id, joined: 2, started: 2, finished: 0, medianStepsDone: 0.5, medianSecondsToReady: "number" },
    );

    // Attendees (403) and another event's instructor (404) get nothing from any room route; nobody
    // but the attendee reaches their session's help.
    const stranger = await userWithRole("Other Teacher", "instructor");
    const open = (await mine(bea))?.id ?? "missing";
    for (const [client, status] of [
      [ana.client, 403],
      [bea.client, 403],
      [stranger, 404],
    ] as const) {
      for (const [method, path] of [
        ["GET", `/api/events/${event.id}/room`],
        ["GET", `/api/events/${event.id}/room/stream`],
        ["POST", `/api/events/${event.id}/help/${open}/claim`],
        ["POST", `/api/events/${event.id}/help/${open}/resolve`],
        ["POST", `/api/events/${event.id}/broadcasts`],
        ["GET", `/api/events/${event.id}/broadcasts`],
        ["GET", `/api/events/${event.id}/export.csv`],
        ["GET", `/api/events/${event.id}/summary`],
      ] as const) {
        const res = await client.request<TApiErrorBody>(method, path, method === "POST" ? { message: "x" } : undefined);
        assert.equal(res.status, status, `${method} ${path}: ${JSON.stringify(res.body)}`);
      }
    }
    for (const client of [ana.client, stranger, teacher]) {
      for (const method of ["GET", "POST", "DELETE"]) {
        const res = await client.request(
          method,
          `/api/sessions/${bea.sessionId}/help`,
          method === "POST" ? {} : undefined,
        );
        assert.equal(res.status, 404, `${method} of another's help`);
      }
      const broadcast = await client.request("GET", `/api/sessions/${bea.sessionId}/broadcast`);
      assert.equal(broadcast.status, 404, "another's session broadcast");
    }
    assert.equal((await mine(bea))?.claimed, false, "still open, untouched");
    const admin = await userWithRole("Admin", "admin");
    assert.equal((await admin.request("GET", `/api/events/${event.id}/room`)).status, 200, "admins see every room");

    assert.equal((await teacher.request("POST", `/api/events/${event.id}/end`)).status, 200);
    await waitFor(
      "the ended sessions' help requests to close",
      async () => {
        const open = await db.client.query("SELECT closed_reason FROM help_requests WHERE open_session_id IS NOT NULL");
        return open.rowCount === 0 ? true : undefined;
      },
      5_000,
    );
    const reasons = await db.client.query<{ closed_reason: string }>(
      "SELECT closed_reason FROM help_requests ORDER BY created_at",
    );
    assert.deepEqual(
      reasons.rows.map((r) => r.closed_reason),
      ["resolved", "withdrawn", "session_stopped"],
    );
  });
});
