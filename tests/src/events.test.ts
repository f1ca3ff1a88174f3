// Classroom events (issue 15): instructors' and admins' event API, and who is kept out of it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  EVENT_CODE_ALPHABET,
  EVENT_CODE_LENGTH,
  ZEvent,
  ZEventList,
  type TApiErrorBody,
  type TEvent,
  type TMeResponse,
} from "@kubelab/shared";
import type { ApiClient } from "./support/api-client";
import { useDatabaseClient } from "./support/database-client";
import { useKubelab } from "./support/lab-fixture";

const LESSON = "kubernetes-para-principiantes";

describe("classroom events", () => {
  const lab = useKubelab({ env: { GUEST_LOGIN: "true", EVENT_MAX_RESERVED: "3" } });
  const db = useDatabaseClient(lab);

  /** A guest login given `role` straight in the database (as an admin's PATCH would). */
  async function userWithRole(name: string, role: "attendee" | "instructor" | "admin"): Promise<ApiClient> {
    const client = lab.server.client();
    const me: TMeResponse = await client.loginAsGuest(name);
    await db.client.query("UPDATE users SET role = $1 WHERE id = $2", [role, me.id]);
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
});
