// Classroom events (issue 15): instructors' and admins' event API, who is kept out of it, and a
// small classroom end to end on real Docker nodes: reserved sessions built before the start, guests
// joining with the code, a full event, rejoining, code guessing, and the end; the logged-in and
// allow-list policies, and guests who joined through an event kept to its lesson.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  EVENT_CODE_ALPHABET,
  EVENT_CODE_LENGTH,
  ZEvent,
  ZEventList,
  type TApiErrorBody,
  type TEvent,
  type TEventJoinResponse,
  type TMeResponse,
  type TSession,
} from "@kubelab/shared";
import type { ApiClient } from "./support/api-client";
import { countLabelled } from "./support/docker-objects";
import { useDatabaseClient } from "./support/database-client";
import { useKubelab } from "./support/lab-fixture";
import { userWithRole as userWithRole_ } from "./support/user-roles";
import { waitFor } from "./support/wait-for";

const LESSON = "kubernetes-para-principiantes";

describe("classroom events", () => {
  // Pool refills and expiry every second; both reserved sessions built at once.
  const lab = useKubelab({
    env: { GUEST_LOGIN: "true", EVENT_MAX_RESERVED: "3", REAPER_INTERVAL: "1s", POOL_CONCURRENCY: "2" },
  });
  const db = useDatabaseClient(lab);

  const userWithRole = (name: string, role: "attendee" | "instructor" | "admin") => userWithRole_(lab, db, name, role);

  /**
   * A logged-in (GitHub) user. A real OIDC/GitHub login needs a provider process (auth.test.ts);
   * every join rule reads only provider, login and email, so a guest login turned into a GitHub
   * user in the database is that user to the server.
   */
  async function loggedInUser(name: string, login: string, email: string): Promise<ApiClient> {
    const client = lab.server.client();
    const me: TMeResponse = await client.loginAsGuest(name);
    await db.client.query(
      "UPDATE users SET provider = 'github', provider_id = $2, login = $3, email = $4, guest_address = NULL WHERE id = $1",
      [me.id, `gh-${me.id}`, login, email],
    );
    return client;
  }

  function eventBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const start = Date.now() + 3600_000;
    return {
      title: "Kubernetes 101",
      lessonId: LESSON,
      language: "es",
      startsAt: new Date(start).toISOString(),
      endsAt: new Date(start + 2 * 3600_000).toISOString(),
      capacity: 2,
      ...overrides,
    };
  }

  async function created(client: ApiClient, overrides: Record<string, unknown> = {}): Promise<TEvent> {
    const res = await client.request("POST", "/api/events", eventBody(overrides));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return ZEvent.parse(res.body);
  }

  it("lets an instructor create, read, list, change and delete their events", async () => {
    const teacher = await userWithRole("Teacher", "instructor");
    const event = await created(teacher);
    assert.equal(event.capacity, 2);
    assert.equal(event.reservedSessions, 2, "reserves the capacity by default");
    assert.equal(event.prepareSeconds, 600);
    assert.equal(event.joinPolicy, "guests");
    assert.equal(event.sessionSeconds, 2 * 3600, "SESSION_DURATION by default");
    assert.equal(event.maxExtensions, 3, "SESSION_MAX_EXTENSIONS by default");
    assert.equal(event.accessCode.length, EVENT_CODE_LENGTH);
    assert.ok(
      [...event.accessCode].every((c) => EVENT_CODE_ALPHABET.includes(c)),
      event.accessCode,
    );
    assert.equal(event.joinPath, `/join/${event.accessCode}`);

    const big = await created(teacher, { capacity: 30 });
    assert.equal(big.reservedSessions, 3, "the default reservation is capped by EVENT_MAX_RESERVED");
    assert.notEqual(big.accessCode, event.accessCode);

    const read = await teacher.request<TEvent>("GET", `/api/events/${event.id}`);
    assert.equal(read.status, 200);
    assert.deepEqual(read.body, event);
    const list = ZEventList.parse((await teacher.request("GET", "/api/events")).body);
    assert.deepEqual(
      list.events.map((e) => e.id),
      [event.id, big.id],
    );

    const later = new Date(Date.parse(event.endsAt) + 1800_000).toISOString();
    const patched = await teacher.request<TEvent>("PATCH", `/api/events/${event.id}`, {
      endsAt: later,
      title: "Kubernetes 102",
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(patched.body.endsAt, later);
    assert.equal(patched.body.title, "Kubernetes 102");
    assert.equal(patched.body.accessCode, event.accessCode, "the code never changes");

    const deleted = await teacher.request("DELETE", `/api/events/${big.id}`);
    assert.equal(deleted.status, 204);
    assert.equal((await teacher.request("GET", `/api/events/${big.id}`)).status, 404);
  });

  it("refuses settings beyond the admin's limits with the fields named", async () => {
    const teacher = await userWithRole("Careful Teacher", "instructor");
    const res = await teacher.request<TApiErrorBody>(
      "POST",
      "/api/events",
      eventBody({ reservedSessions: 3, maxExtensions: 9, sessionSeconds: 5 * 3600, language: "fr" }),
    );
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, "bad_request");
    assert.deepEqual(
      res.body.error.details?.map((d) => d.path),
      ["language", "sessionSeconds", "maxExtensions", "reservedSessions"],
    );
    const unknownLesson = await teacher.request<TApiErrorBody>("POST", "/api/events", eventBody({ lessonId: "nope" }));
    assert.equal(unknownLesson.status, 400);
    assert.equal(unknownLesson.body.error.details?.[0]?.path, "lessonId");
    const backwards = await teacher.request<TApiErrorBody>(
      "POST",
      "/api/events",
      eventBody({ endsAt: new Date().toISOString() }),
    );
    assert.equal(backwards.status, 400);
    assert.equal(backwards.body.error.details?.[0]?.path, "endsAt");
    const unknownField = await teacher.request<TApiErrorBody>("POST", "/api/events", eventBody({ accessCode: "X" }));
    assert.equal(unknownField.status, 400);
  });

  it("keeps attendees out (403) and hides an event from other instructors (404), not from admins", async () => {
    const owner = await userWithRole("Owner Teacher", "instructor");
    const event = await created(owner);
    const attendee = await userWithRole("Student", "attendee");
    const rival = await userWithRole("Other Teacher", "instructor");
    const admin = await userWithRole("Admin", "admin");

    const oneEvent = [
      ["GET", `/api/events/${event.id}`, undefined],
      ["PATCH", `/api/events/${event.id}`, { title: "Mine now" }],
      ["DELETE", `/api/events/${event.id}`, undefined],
    ] as const;
    const refused = async (
      client: ApiClient,
      routes: readonly (readonly [string, string, unknown])[],
      status: number,
    ) => {
      for (const [method, path, body] of routes) {
        const res = await client.request<TApiErrorBody>(method, path, body);
        assert.equal(res.status, status, `${method} ${path}`);
        assert.equal(res.body.error.code, status === 403 ? "forbidden" : "not_found");
      }
    };
    await refused(
      attendee,
      [["GET", "/api/events", undefined], ["POST", "/api/events", eventBody()], ...oneEvent],
      403,
    );
    const anonymous = await lab.server.client().request("GET", "/api/events");
    assert.equal(anonymous.status, 401);

    await refused(rival, oneEvent, 404);
    const rivalList = ZEventList.parse((await rival.request("GET", "/api/events")).body);
    assert.ok(!rivalList.events.some((e) => e.id === event.id), "not in another instructor's list");

    const adminList = ZEventList.parse((await admin.request("GET", "/api/events")).body);
    assert.ok(
      adminList.events.some((e) => e.id === event.id),
      "admins see every event",
    );
    const adminPatch = await admin.request<TEvent>("PATCH", `/api/events/${event.id}`, { capacity: 1 });
    assert.equal(adminPatch.status, 200);
    assert.equal(adminPatch.body.reservedSessions, 1, "a smaller capacity takes the reservation down");
    assert.equal((await owner.request<TEvent>("GET", `/api/events/${event.id}`)).body.title, event.title);
  });

  it("runs a classroom: reserved sessions, guests joining, full, rejoin, the end", async () => {
    const teacher = await userWithRole("Classroom Teacher", "instructor");
    // Starts in an hour and prepares two hours ahead: its reserve is built now.
    const event = await created(teacher, { capacity: 2, prepareSeconds: 7200 });
    assert.equal(event.reservedSessions, 2);
    const poolRows = async () =>
      (
        await db.client.query<{ id: string; status: string; owner_id: string | null; event_id: string | null }>(
          "SELECT id, status::text, owner_id, event_id FROM lab_sessions WHERE pool_key = $1 ORDER BY created_at",
          [`event:${event.id}`],
        )
      ).rows;
    const reserved = await waitFor(
      "both reserved sessions pooled",
      async () => {
        const rows = await poolRows();
        return rows.length === 2 && rows.every((r) => r.status === "pooled") ? rows : undefined;
      },
      240_000,
    );
    assert.ok(reserved.every((r) => r.event_id === event.id && r.owner_id === null));
    for (const row of reserved) {
      const objects = await countLabelled(lab.server.instanceId, row.id);
      assert.equal(objects.containers, 2, "a reserved session runs its nodes before the start");
    }

    const early = lab.server.client();
    const notYet = await early.request<TApiErrorBody>("POST", "/api/events/join", {
      code: event.accessCode,
      name: "Ana",
    });
    assert.equal(notYet.status, 409);
    assert.equal(notYet.body.error.code, "event_not_started");
    assert.deepEqual(notYet.body.error.details, [{ path: "startsAt", message: event.startsAt }]);
    assert.equal((await early.request("GET", "/api/me")).status, 401, "nobody is logged in before the start");

    // The instructor starts it now.
    const started = await teacher.request<TEvent>("PATCH", `/api/events/${event.id}`, {
      startsAt: new Date().toISOString(),
    });
    assert.equal(started.status, 200);

    const join = (client: ApiClient, body: Record<string, unknown>) =>
      client.request<TEventJoinResponse & TApiErrorBody>("POST", "/api/events/join", body);
    const ana = lab.server.client();
    const bea = lab.server.client();
    const sessions: TSession[] = [];
    for (const [client, name, typed] of [
      [ana, "Ana", event.accessCode.toLowerCase()],
      [bea, "Bea", `${event.accessCode.slice(0, 4)}-${event.accessCode.slice(4)}`],
    ] as const) {
      const res = await join(client, { code: typed, name });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.event.id, event.id);
      assert.equal(res.body.session.status, "ready", "a reserved session: ready at once");
      assert.equal(res.body.session.lesson, LESSON);
      assert.ok(
        reserved.some((r) => r.id === res.body.session.id),
        "one of the reserved sessions",
      );
      assert.ok(Date.parse(res.body.session.expiresAt) <= Date.parse(event.endsAt), "never past the end");
      const me = (await client.request<TMeResponse>("GET", "/api/me")).body;
      assert.equal(me.name, name, "the guest is logged in");
      sessions.push(res.body.session);
    }
    assert.notEqual(sessions[0]!.id, sessions[1]!.id);

    const count = async () =>
      (
        await db.client.query<{ n: string }>(
          "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM lab_sessions) AS n",
        )
      ).rows[0]!.n;
    const before = await count();
    const third = lab.server.client();
    const full = await join(third, { code: event.accessCode, name: "Cai" });
    assert.equal(full.status, 409);
    assert.equal(full.body.error.code, "event_full");
    assert.equal(await count(), before, "a full event creates nothing, not even the guest");
    assert.equal((await third.request("GET", "/api/me")).status, 401);
    assert.equal((await poolRows()).length, 2, "no reserve is rebuilt for a full event");

    const again = await join(ana, { code: event.accessCode });
    assert.equal(again.status, 200);
    assert.equal(again.body.session.id, sessions[0]!.id, "rejoining returns the same session");

    const attendeeView = await ana.request<TApiErrorBody>("GET", `/api/events/${event.id}`);
    assert.equal(attendeeView.status, 403, "attendees have no access to the event's API");

    const ended = await teacher.request<TEvent>("POST", `/api/events/${event.id}/end`);
    assert.equal(ended.status, 200);
    assert.ok(Date.parse(ended.body.endsAt) <= Date.now());
    for (const [client, session] of [
      [ana, sessions[0]!],
      [bea, sessions[1]!],
    ] as const) {
      const after = await client.getSession(session.id);
      assert.equal(after.status, "ended");
      assert.equal(after.stopReason?.code, "event_ended");
      assert.deepEqual(await countLabelled(lab.server.instanceId, session.id), {
        containers: 0,
        networks: 0,
        volumes: 0,
      });
    }
    const over = await join(lab.server.client(), { code: event.accessCode, name: "Late" });
    assert.equal(over.status, 410);
    assert.equal(over.body.error.code, "event_ended");
  });

  it("removes an event's unused reserved sessions when it ends", async () => {
    const teacher = await userWithRole("Spare Teacher", "instructor");
    const event = await created(teacher, { capacity: 1, prepareSeconds: 7200 });
    const pooled = await waitFor(
      "the reserved session pooled",
      async () =>
        (
          await db.client.query<{ id: string }>(
            "SELECT id FROM lab_sessions WHERE pool_key = $1 AND status = 'pooled'",
            [`event:${event.id}`],
          )
        ).rows[0],
      240_000,
    );
    assert.equal((await teacher.request("POST", `/api/events/${event.id}/end`)).status, 200);
    const gone = await waitFor(
      "the reserved session ended",
      async () =>
        (
          await db.client.query<{ status: string; status_reason: string }>(
            "SELECT status::text, status_reason FROM lab_sessions WHERE id = $1 AND status = 'ended'",
            [pooled.id],
          )
        ).rows[0],
      60_000,
    );
    assert.equal(gone.status_reason, "pool_shrunk");
    assert.deepEqual(await countLabelled(lab.server.instanceId, pooled.id), { containers: 0, networks: 0, volumes: 0 });
  });

  it("ends attendees' sessions at the end time, and keeps them within the event's limits", async () => {
    const teacher = await userWithRole("Timely Teacher", "instructor");
    const now = Date.now();
    const event = await created(teacher, {
      capacity: 1,
      reservedSessions: 0,
      maxExtensions: 0,
      startsAt: new Date(now - 60_000).toISOString(),
      endsAt: new Date(now + 3600_000).toISOString(),
    });
    const guest = lab.server.client();
    const joined = await guest.request<TEventJoinResponse>("POST", "/api/events/join", {
      code: event.accessCode,
      name: "Dee",
    });
    assert.equal(joined.status, 200, JSON.stringify(joined.body));
    assert.equal(joined.body.session.maxExtensions, 0, "the event's extensions, not the installation's");
    await guest.waitForStatus(joined.body.session.id, "ready");
    const extend = await guest.request<TApiErrorBody>("POST", `/api/sessions/${joined.body.session.id}/extend`);
    assert.equal(extend.status, 409);
    assert.equal(extend.body.error.code, "extension_limit");

    // Brought forward: the session follows the new end, and ends there.
    const endsAt = new Date(Date.now() + 3000).toISOString();
    assert.equal((await teacher.request("PATCH", `/api/events/${event.id}`, { endsAt })).status, 200);
    assert.equal((await guest.getSession(joined.body.session.id)).expiresAt, endsAt);
    const ended = await guest.waitForStatus(joined.body.session.id, "ended", 60_000);
    assert.equal(ended.stopReason?.code, "event_ended");
    assert.deepEqual(await countLabelled(lab.server.instanceId, joined.body.session.id), {
      containers: 0,
      networks: 0,
      volumes: 0,
    });
  });

  it("admits logged-in users with the code, and only listed logins or emails to an allow-list event", async () => {
    const teacher = await userWithRole("Policy Teacher", "instructor");
    const running = { reservedSessions: 0, startsAt: new Date(Date.now() - 60_000).toISOString() };
    const members = await created(teacher, { ...running, joinPolicy: "logged_in" });
    const listed = await created(teacher, {
      ...running,
      joinPolicy: "allow_list",
      allowList: ["Carol-GH", "dan@example.com"],
    });
    const join = (client: ApiClient, code: string, name?: string) =>
      client.request<TEventJoinResponse & TApiErrorBody>("POST", "/api/events/join", { code, name });

    // logged_in: neither strangers nor guests, whatever name they give.
    for (const client of [lab.server.client(), await userWithRole("Guest Gil", "attendee")]) {
      const refused = await join(client, members.accessCode, "Gil");
      assert.equal(refused.status, 401);
      assert.equal(refused.body.error.code, "unauthenticated");
      assert.match(refused.body.error.message, /logged-in users/);
    }
    const ana = await loggedInUser("Ana", "ana-gh", "ana@example.com");
    const anaMe = (await ana.request<TMeResponse>("GET", "/api/me")).body;
    const anaJoin = await join(ana, members.accessCode);
    assert.equal(anaJoin.status, 200, JSON.stringify(anaJoin.body));
    assert.equal(anaJoin.body.session.lesson, LESSON);
    const anaAfter = (await ana.request<TMeResponse>("GET", "/api/me")).body;
    assert.equal(anaAfter.id, anaMe.id, "joins as herself: no guest is logged in");

    // allow_list: a listed login (any case) and a listed email get in; anyone else is refused.
    const carol = await loggedInUser("Carol", "carol-gh", "carol@example.com");
    const dan = await loggedInUser("Dan", "dan-gh", "Dan@Example.com");
    for (const client of [carol, dan]) {
      const admitted = await join(client, listed.accessCode);
      assert.equal(admitted.status, 200, JSON.stringify(admitted.body));
      assert.equal(admitted.body.event.id, listed.id);
    }
    const eve = await loggedInUser("Eve", "eve-gh", "eve@example.com");
    const before = (await db.client.query("SELECT id FROM lab_sessions")).rowCount;
    const unlisted = await join(eve, listed.accessCode);
    assert.equal(unlisted.status, 403);
    assert.equal(unlisted.body.error.code, "forbidden");
    assert.match(unlisted.body.error.message, /not on this event's list/);
    const guest = await join(lab.server.client(), listed.accessCode, "Gus");
    assert.equal(guest.status, 401, "an allow-list event logs no guest in");
    assert.equal((await db.client.query("SELECT id FROM lab_sessions")).rowCount, before, "refusals create nothing");

    for (const event of [members, listed]) {
      assert.equal((await teacher.request("POST", `/api/events/${event.id}/end`)).status, 200);
    }
  });

  it("keeps a guest who joined through an event to its lesson and session, and to nothing after the end", async () => {
    const teacher = await userWithRole("Strict Teacher", "instructor");
    const event = await created(teacher, {
      reservedSessions: 0,
      startsAt: new Date(Date.now() - 60_000).toISOString(),
    });
    const guest = lab.server.client();
    const joined = await guest.request<TEventJoinResponse>("POST", "/api/events/join", {
      code: event.accessCode,
      name: "Fay",
    });
    assert.equal(joined.status, 200, JSON.stringify(joined.body));
    const mine = joined.body.session;
    const me = (await guest.request<TMeResponse>("GET", "/api/me")).body;
    const bound = await db.client.query<{ event_id: string }>("SELECT event_id FROM users WHERE id = $1", [me.id]);
    assert.equal(bound.rows[0]!.event_id, event.id);

    const start = (body: Record<string, unknown>) =>
      guest.request<TSession & TApiErrorBody>("POST", "/api/sessions", body);
    for (const body of [{}, { lesson: "another-lesson" }]) {
      const refused = await start(body);
      assert.equal(refused.status, 403, JSON.stringify(body));
      assert.equal(refused.body.error.code, "event_guest_only");
      assert.match(refused.body.error.message, new RegExp(`only use its lesson \\("${LESSON}"\\)`));
    }
    const same = await start({ lesson: LESSON });
    assert.equal(same.status, 201, JSON.stringify(same.body));
    assert.equal(same.body.id, mine.id, "the event's lesson: their event session, as a rejoin");
    const list = await guest.request<{ sessions: TSession[] }>("GET", "/api/sessions");
    assert.deepEqual(
      list.body.sessions.map((s) => s.id),
      [mine.id],
    );
    assert.equal((await guest.request("GET", "/api/lessons")).status, 200, "the lesson catalog stays readable");

    assert.equal((await teacher.request("POST", `/api/events/${event.id}/end`)).status, 200);
    const over = await start({ lesson: LESSON });
    assert.equal(over.status, 410);
    assert.equal(over.body.error.code, "event_ended");
    assert.equal((await start({})).body.error.code, "event_ended");
    assert.equal((await guest.getSession(mine.id)).status, "ended");

    // The same browser at the next event: a new guest, bound to that one; the old login is over.
    const next = await created(teacher, { reservedSessions: 0, startsAt: new Date(Date.now() - 60_000).toISOString() });
    const rejoined = await guest.request<TEventJoinResponse>("POST", "/api/events/join", {
      code: next.accessCode,
      name: "Fay",
    });
    assert.equal(rejoined.status, 200, JSON.stringify(rejoined.body));
    const nextMe = (await guest.request<TMeResponse>("GET", "/api/me")).body;
    assert.notEqual(nextMe.id, me.id, "another event's guest is not reused");
    const nextBound = await db.client.query<{ event_id: string }>("SELECT event_id FROM users WHERE id = $1", [
      nextMe.id,
    ]);
    assert.equal(nextBound.rows[0]!.event_id, next.id);
    assert.equal((await teacher.request("POST", `/api/events/${next.id}/end`)).status, 200);
  });

  // Last: the limit holds for the whole address (every client of this test) for a minute.
  it("refuses joins from an address after ten wrong codes (429, Retry-After)", async () => {
    const teacher = await userWithRole("Guarded Teacher", "instructor");
    const event = await created(teacher, { reservedSessions: 0 });
    const join = (client: ApiClient, body: Record<string, unknown>) =>
      client.request<TApiErrorBody>("POST", "/api/events/join", body);
    // Guessing: ten wrong codes from one address, then even the right one waits.
    const guesser = lab.server.client();
    for (let i = 0; i < 10; i++) {
      const wrong = await join(guesser, { code: "ZZZZZZZ" + EVENT_CODE_ALPHABET[i], name: "Guess" });
      assert.equal(wrong.status, 404, `guess ${i + 1}`);
      assert.equal(wrong.body.error.code, "not_found");
    }
    const limited = await join(guesser, { code: event.accessCode, name: "Guess" });
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.code, "rate_limited");
    assert.ok(Number(limited.headers.get("retry-after")) > 0, "Retry-After");
  });
});
