// Watching an attendee's terminal (issue 16), over real WebSockets: one event with one guest
// attendee on real Docker nodes. The watch socket is read-only (hello, the current screen, live
// output), take-over is refused until the attendee allows it or asks for help, the attendee's own
// sockets learn who watches and types, every watch and take-over lands in the append-only audit
// log, and nobody but the event's instructor (or an admin) gets in.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  TERMINAL_CLOSE_CODES,
  ZWatchTargets,
  type TEventJoinResponse,
  type TEventRoom,
  type TMyHelpRequest,
  type TTerminalWatchState,
} from "@kubelab/shared";
import { createRunningEvent } from "./support/classroom";
import { useDatabaseClient } from "./support/database-client";
import { useKubelab } from "./support/lab-fixture";
import { TerminalClient } from "./support/terminal-client";
import { userWithRole as userWithRole_ } from "./support/user-roles";
import { waitFor } from "./support/wait-for";

const ORIGIN = "http://localhost:4300";
// Short, so that the end of the attendee's terminal (and the watcher's with it) fits in the test.
const GRACE_SECONDS = 3;

describe("watching an attendee's terminal", () => {
  const lab = useKubelab({
    env: { GUEST_LOGIN: "true", PUBLIC_URL: ORIGIN, TERMINAL_GRACE: `${GRACE_SECONDS}s` },
  });
  const db = useDatabaseClient(lab);
  const userWithRole = (name: string, role: "attendee" | "instructor" | "admin") => userWithRole_(lab, db, name, role);

  it("is read-only until the attendee allows take-over or asks for help, tells the attendee, and is audited", async () => {
    const teacher = await userWithRole("Teacher", "instructor");
    const event = await createRunningEvent(teacher, { title: "Watch" });
    // The teacher's second event, without attendees: Ana's session is not one of its sessions.
    const otherEvent = await createRunningEvent(teacher, { title: "Another class" });

    const ana = lab.server.client();
    const joined = await ana.request<TEventJoinResponse>("POST", "/api/events/join", {
      code: event.accessCode,
      name: "Ana",
    });
    assert.equal(joined.status, 200, JSON.stringify(joined.body));
    const sessionId = joined.body.session.id;
    assert.equal((await ana.waitUntilSettled(sessionId)).status, "ready");

    const targetsPath = (eventId: string) => `/api/events/${eventId}/sessions/${sessionId}/terminals`;
    const watch = (client = teacher, options: { node?: string; eventId?: string; terminal?: string } = {}) =>
      TerminalClient.connect(client, ORIGIN, sessionId, options.node ?? "node1", {
        watchEvent: options.eventId ?? event.id,
        ...(options.terminal ? { terminal: options.terminal } : {}),
      });
    const refusal = (
      client = teacher,
      options: { node?: string; eventId?: string; origin?: string | null; terminal?: string } = {},
    ) =>
      TerminalClient.refusal(client, ORIGIN, sessionId, options.node ?? "node1", {
        watchEvent: options.eventId ?? event.id,
        ...(options.origin !== undefined ? { origin: options.origin } : {}),
        ...(options.terminal ? { terminal: options.terminal } : {}),
      });
    const targets = async () => {
      const res = await teacher.request("GET", targetsPath(event.id));
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return ZWatchTargets.parse(res.body);
    };
    const setTakeover = async (allowed: boolean) => {
      const res = await ana.request("PUT", `/api/sessions/${sessionId}/takeover`, { allowed });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body, { allowed });
    };
    const watchState = (watcher: TerminalClient, state: Omit<TTerminalWatchState, "type">, what: string) =>
      waitFor(
        what,
        () => {
          const last = watcher.last("watch");
          return last?.typing === state.typing && last.mayTakeOver === state.mayTakeOver ? last : undefined;
        },
        5_000,
        20,
      );

    // A watcher never starts a shell: before Ana opens a terminal there is nothing to watch.
    assert.deepEqual(await targets(), {
      sessionId,
      userId: (await ana.request<{ id: string }>("GET", "/api/me")).body.id,
      name: "Ana",
      status: "ready",
      nodes: [
        { name: "node1", terminals: [] },
        { name: "node2", terminals: [] },
      ],
      takeoverAllowed: false,
      helpRequestId: null,
    });
    const early = await refusal();
    assert.deepEqual([early.status, early.body.error.code], [404, "not_found"]);
    assert.deepEqual((await targets()).nodes[0], { name: "node1", terminals: [] }, "the refused watch started nothing");

    const own = await TerminalClient.connect(ana, ORIGIN, sessionId, "node1");
    // Sent right after the hello, in a frame of its own: it may arrive a moment after connect() returns.
    const told = await waitFor("the watchers message on attach", () => own.last("watchers"), 5_000, 20);
    assert.deepEqual(told, { type: "watchers", watchers: [] }, "told on attach: nobody watches");
    own.send("echo hello-from-ana\r");
    await own.waitForOutput(/^hello-from-ana\r?$/m);
    assert.deepEqual((await targets()).nodes[0], { name: "node1", terminals: ["main"] });

    // Read-only: hello, the current screen (the replay buffer), then the watch state.
    const watcher = await watch();
    const hello = watcher.messages[0];
    assert.ok(hello?.type === "hello" && !hello.created && hello.node === "node1" && hello.terminal === "main");
    await watcher.waitForOutput(/^hello-from-ana\r?$/m, 5_000);
    await watchState(watcher, { typing: false, mayTakeOver: "no" }, "the first watch state");
    await waitFor(
      "Ana to see the teacher watching",
      () => (own.last("watchers")?.watchers[0]?.name === "Teacher" ? true : undefined),
      5_000,
      20,
    );
    assert.deepEqual(own.last("watchers")?.watchers, [{ name: "Teacher", typing: false }]);

    // Live output reaches the watcher as it happens.
    const typedAt = Date.now();
    own.send("echo live-$((20+1))\r");
    await watcher.waitForOutput(/^live-21\r?$/m, 5_000);
    const liveMs = Date.now() - typedAt;
    console.log(`# attendee output on the watch socket after ${liveMs} ms`);
    assert.ok(liveMs <= 1000, `took ${liveMs} ms`);

    // Input is dropped with read_only; asking to type is refused while Ana has not allowed it.
    const ownBefore = own.output.length;
    watcher.send("echo sneaky-$((1+1))\r");
    await waitFor("the read_only error", () => (watcher.last("error")?.code === "read_only" ? true : undefined), 5_000);
    watcher.takeover();
    await waitFor(
      "the refused take-over's answer",
      () => (watcher.messages.filter((m) => m.type === "watch").length >= 2 ? true : undefined),
      5_000,
      20,
    );
    assert.deepEqual(watcher.last("watch"), { type: "watch", typing: false, mayTakeOver: "no" });
    await sleep(300);
    assert.doesNotMatch(own.output.subarray(ownBefore).toString("utf8"), /sneaky/, "nothing reached the shell");

    // Ana allows take-over: the watcher is told at once, asks, types; Ana sees who types.
    const activityBefore = (await teacher.request<TEventRoom>("GET", `/api/events/${event.id}/room`)).body.attendees[0]
      ?.lastActivityAt;
    assert.ok(activityBefore, "Ana's typing is activity");
    await setTakeover(true);
    await watchState(watcher, { typing: false, mayTakeOver: "allowed" }, "the permission to reach the watcher");
    watcher.takeover();
    await watchState(watcher, { typing: true, mayTakeOver: "allowed" }, "the take-over");
    await waitFor(
      "Ana to see the teacher typing",
      () => (own.last("watchers")?.watchers[0]?.typing ? true : undefined),
      5_000,
      20,
    );
    // Over a second after Ana's last input, so that the room's second-precision time would move.
    await sleep(1_100);
    watcher.send("echo typed-by-$((40+2))\r");
    await own.waitForOutput(/^typed-by-42\r?$/m, 5_000);
    await watcher.waitForOutput(/^typed-by-42\r?$/m, 5_000);
    const activityAfter = (await teacher.request<TEventRoom>("GET", `/api/events/${event.id}/room`)).body.attendees[0]
      ?.lastActivityAt;
    assert.equal(activityAfter, activityBefore, "the watcher's typing is not the attendee's activity");
    // The screen's size stays the attendee's.
    watcher.resize(40, 10);
    assert.equal((await targets()).takeoverAllowed, true);

    // Ana withdraws it: typing stops at once, input is dropped again.
    await setTakeover(false);
    await watchState(watcher, { typing: false, mayTakeOver: "no" }, "the withdrawn permission");
    await waitFor(
      "Ana's notice to stop saying typing",
      () => (own.last("watchers")?.watchers[0]?.typing === false ? true : undefined),
      5_000,
      20,
    );
    const errorsBefore = watcher.messages.filter((m) => m.type === "error").length;
    watcher.send("x");
    await waitFor(
      "another read_only error",
      () => (watcher.messages.filter((m) => m.type === "error").length > errorsBefore ? true : undefined),
      5_000,
      20,
    );

    // A raised hand allows it too, until it is resolved.
    const hand = await ana.request<TMyHelpRequest>("POST", `/api/sessions/${sessionId}/help`, {});
    assert.equal(hand.status, 201, JSON.stringify(hand.body));
    const raisedAt = Date.now();
    await watchState(watcher, { typing: false, mayTakeOver: "help" }, "the help request to reach the watcher");
    console.log(`# help request on the watch socket after ${Date.now() - raisedAt} ms`);
    assert.equal((await targets()).helpRequestId, hand.body.id);
    watcher.takeover();
    await watchState(watcher, { typing: true, mayTakeOver: "help" }, "the take-over on a help request");
    watcher.send("echo helped-$((3*3))\r");
    await own.waitForOutput(/^helped-9\r?$/m, 5_000);
    const resolved = await teacher.request("POST", `/api/events/${event.id}/help/${hand.body.id}/resolve`);
    assert.equal(resolved.status, 204);
    await watchState(watcher, { typing: false, mayTakeOver: "no" }, "the resolved request to end the take-over");

    // A second watch socket on node2 needs a terminal there; the same user is listed once.
    const own2 = await TerminalClient.connect(ana, ORIGIN, sessionId, "node2");
    const watcher2 = await watch(teacher, { node: "node2" });
    await watchState(watcher2, { typing: false, mayTakeOver: "no" }, "node2's watch state");
    const toldAgain = await waitFor("the watchers message on attach", () => own2.last("watchers"), 5_000, 20);
    assert.deepEqual(toldAgain.watchers, [{ name: "Teacher", typing: false }]);
    watcher2.close();
    await watcher2.closed;

    // A watcher that stops reading never slows Ana's shell down: it is closed with 1013 instead.
    const slow = await watch();
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const flooded = Date.now();
    own.send("head -c 16000000 /dev/zero | tr '\\0' y; echo; echo flood-$((2+2))\r");
    await own.waitForOutput(/^flood-4\r?$/m, 30_000);
    console.log(`# 16 MB of output to the attendee with a stalled watcher: ${Date.now() - flooded} ms`);
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    assert.equal((await slow.closed).code, 1013);

    // The audit log: one entry per watch and per granted take-over, and it cannot be changed.
    const audit = await db.client.query<{
      action: string;
      actor_id: string;
      target_type: string;
      target_id: string;
      detail: Record<string, string>;
      client_address: string | null;
    }>(
      "SELECT action, actor_id, target_type, target_id, detail, client_address FROM audit_log WHERE action LIKE 'terminal.%' ORDER BY id",
    );
    const teacherId = (await teacher.request<{ id: string }>("GET", "/api/me")).body.id;
    assert.deepEqual(
      audit.rows.map((r) => [r.action, r.actor_id, r.target_type, r.target_id, r.detail]),
      [
        ["terminal.watch", teacherId, "session", sessionId, { eventId: event.id, node: "node1", terminal: "main" }],
        [
          "terminal.takeover",
          teacherId,
          "session",
          sessionId,
          { eventId: event.id, node: "node1", terminal: "main", because: "allowed" },
        ],
        [
          "terminal.takeover",
          teacherId,
          "session",
          sessionId,
          { eventId: event.id, node: "node1", terminal: "main", because: "help" },
        ],
        ["terminal.watch", teacherId, "session", sessionId, { eventId: event.id, node: "node2", terminal: "main" }],
        ["terminal.watch", teacherId, "session", sessionId, { eventId: event.id, node: "node1", terminal: "main" }],
      ],
    );
    assert.ok(audit.rows.every((r) => r.client_address === "127.0.0.1"));
    for (const sql of ["UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"]) {
      await assert.rejects(db.client.query(sql), /append-only/, sql);
    }

    // Who is kept out, of the watch socket (before any upgrade) and of the terminals route.
    const stranger = await userWithRole("Other Teacher", "instructor");
    const admin = await userWithRole("Admin", "admin");
    const cases: [string, Awaited<ReturnType<typeof refusal>>, number, string][] = [
      ["the attendee herself", await refusal(ana), 403, "forbidden"],
      ["another event's instructor", await refusal(stranger), 404, "not_found"],
      ["a session of another event", await refusal(teacher, { eventId: otherEvent.id }), 404, "not_found"],
      ["a bad Origin", await refusal(teacher, { origin: "https://evil.example" }), 403, "forbidden"],
      ["no Origin", await refusal(teacher, { origin: null }), 403, "forbidden"],
      ["no login", await refusal(lab.server.client()), 401, "unauthenticated"],
      ["a node that does not exist", await refusal(teacher, { node: "node9" }), 404, "not_found"],
      ["a terminal that does not run", await refusal(teacher, { terminal: "other" }), 404, "not_found"],
    ];
    for (const [what, res, status, code] of cases) {
      assert.deepEqual([res.status, res.body.error.code], [status, code], what);
    }
    for (const [client, eventId, status] of [
      [ana, event.id, 403],
      [stranger, event.id, 404],
      [teacher, otherEvent.id, 404],
    ] as const) {
      const res = await client.request("GET", targetsPath(eventId));
      assert.equal(res.status, status, JSON.stringify(res.body));
    }
    assert.equal((await admin.request("GET", targetsPath(event.id))).status, 200, "admins watch any event");
    const adminWatch = await watch(admin);
    adminWatch.close();
    for (const client of [teacher, stranger]) {
      const res = await client.request("PUT", `/api/sessions/${sessionId}/takeover`, { allowed: true });
      assert.equal(res.status, 404, "only the attendee switches take-over");
    }
    assert.equal((await ana.request("PUT", `/api/sessions/${sessionId}/takeover`, { allowed: "yes" })).status, 400);
    assert.equal((await targets()).takeoverAllowed, false);

    // The watcher leaves: Ana's notice empties. Her terminal's life is hers: when she leaves, it
    // ends after the grace period even though someone still watches it.
    watcher.close();
    await waitFor(
      "Ana's notice to empty",
      () => (own.last("watchers")?.watchers.length === 0 ? true : undefined),
      5_000,
      20,
    );
    // Its replay is a full buffer of the flood above: a fresh watcher is not "too far behind".
    const lastWatcher = await watch();
    own.close();
    own2.close();
    const closed = await lastWatcher.closed;
    assert.equal(closed.code, TERMINAL_CLOSE_CODES.terminalExited, JSON.stringify(closed));
    await waitFor(
      "both terminals to end",
      async () => ((await targets()).nodes.every((n) => n.terminals.length === 0) ? true : undefined),
      5_000,
    );
  });
});
