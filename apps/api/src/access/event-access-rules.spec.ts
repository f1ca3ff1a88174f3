import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TApiErrorCode } from "@kubelab/shared";
import { AppError } from "../common/app-error";
import {
  attendeeSessionOf,
  eventsScope,
  joinAs,
  manageableEvent,
  sessionStart,
  type Joiner,
} from "./event-access-rules";

const EVENT = { id: "e1", ownerId: "teacher" };
const TEACHER = { id: "teacher", role: "instructor" as const };
const OTHER_TEACHER = { id: "other", role: "instructor" as const };
const ADMIN = { id: "boss", role: "admin" as const };
const ATTENDEE = { id: "student", role: "attendee" as const };

function refusal(fn: () => unknown): TApiErrorCode {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof AppError);
    return error.code;
  }
  assert.fail("expected a refusal");
}

describe("event access rules", () => {
  it("let the owning instructor and any admin manage an event", () => {
    assert.equal(manageableEvent(TEACHER, EVENT), EVENT);
    assert.equal(manageableEvent(ADMIN, EVENT), EVENT);
  });

  it("hide another instructor's event as if it did not exist", () => {
    assert.equal(
      refusal(() => manageableEvent(OTHER_TEACHER, EVENT)),
      "not_found",
    );
    assert.equal(
      refusal(() => manageableEvent(OTHER_TEACHER, null)),
      "not_found",
    );
  });

  it("let the room act only on an attendee session of the same event", () => {
    const mine = { id: "s1", eventId: "e1", ownerId: "student" };
    assert.equal(attendeeSessionOf(EVENT, mine), mine);
    assert.equal(
      refusal(() => attendeeSessionOf(EVENT, { ...mine, eventId: "e2" })),
      "not_found",
    );
    assert.equal(
      refusal(() => attendeeSessionOf(EVENT, { ...mine, eventId: null })),
      "not_found",
    );
    assert.equal(
      refusal(() => attendeeSessionOf(EVENT, { ...mine, ownerId: null })),
      "not_found",
    );
    assert.equal(
      refusal(() => attendeeSessionOf(EVENT, null)),
      "not_found",
    );
  });

  it("forbid attendees and users without a known role, and ask strangers to log in", () => {
    assert.equal(
      refusal(() => manageableEvent(ATTENDEE, EVENT)),
      "forbidden",
    );
    assert.equal(
      refusal(() => manageableEvent({ id: "teacher" }, EVENT)),
      "forbidden",
    );
    assert.equal(
      refusal(() => eventsScope(ATTENDEE)),
      "forbidden",
    );
    assert.equal(
      refusal(() => manageableEvent(null, EVENT)),
      "unauthenticated",
    );
  });

  it("list an instructor's own events and every event for admins", () => {
    assert.deepEqual(eventsScope(TEACHER), { ownerId: "teacher" });
    assert.deepEqual(eventsScope(ADMIN), {});
  });
});

describe("who may join an event with its code", () => {
  const guest: Joiner = { id: "g", provider: "guest", login: null, email: null, eventId: null };
  const ana: Joiner = { id: "a", provider: "github", login: "Ana", email: "ana@example.com", eventId: null };
  const bob: Joiner = { id: "b", provider: "oidc:corp", login: null, email: "bob@example.com", eventId: null };

  it("lets anyone in for the guests policy, logging a guest in when nobody is", () => {
    const event = { id: "e1", joinPolicy: "guests" as const, allowList: [] };
    assert.equal(joinAs(event, null), "new_guest");
    assert.equal(joinAs(event, guest), "as_is");
    assert.equal(joinAs(event, ana), "as_is");
    assert.equal(joinAs(event, { ...guest, eventId: "e1" }), "as_is", "the event's own guest rejoins");
    assert.equal(joinAs(event, { ...guest, eventId: "e0" }), "new_guest", "another event's guest is not reused");
  });

  it("asks guests and strangers to log in for the logged_in policy", () => {
    const event = { id: "e1", joinPolicy: "logged_in" as const, allowList: [] };
    assert.equal(
      refusal(() => joinAs(event, null)),
      "unauthenticated",
    );
    assert.equal(
      refusal(() => joinAs(event, guest)),
      "unauthenticated",
    );
    assert.equal(joinAs(event, bob), "as_is");
  });

  it("lets only listed logins or emails in for the allow_list policy, in any case", () => {
    const event = { id: "e1", joinPolicy: "allow_list" as const, allowList: ["ana", "carol@example.com"] };
    assert.equal(joinAs(event, ana), "as_is");
    assert.equal(
      refusal(() => joinAs(event, bob)),
      "forbidden",
    );
    assert.equal(joinAs({ ...event, allowList: ["bob@example.com"] }, bob), "as_is");
    assert.equal(
      refusal(() => joinAs(event, guest)),
      "unauthenticated",
    );
  });
});

describe("what an event's guest may start", () => {
  const event = {
    id: "e1",
    lessonId: "k8s",
    startsAt: new Date("2026-12-02T10:00:00Z"),
    endsAt: new Date("2026-12-02T12:00:00Z"),
  };
  const during = new Date("2026-12-02T11:00:00Z");
  const guestOfE1 = { eventId: "e1" };

  it("leaves users bound to no event free", () => {
    assert.equal(sessionStart({ eventId: null }, null, undefined, during), "free");
    assert.equal(sessionStart({ eventId: null }, null, "other", during), "free");
  });

  it("makes the event's lesson a join of the event while it runs", () => {
    assert.equal(sessionStart(guestOfE1, event, "k8s", during), "event");
  });

  it("refuses any other lesson, and no lesson, with event_guest_only", () => {
    assert.equal(
      refusal(() => sessionStart(guestOfE1, event, "other", during)),
      "event_guest_only",
    );
    assert.equal(
      refusal(() => sessionStart(guestOfE1, event, undefined, during)),
      "event_guest_only",
    );
  });

  it("starts nothing after the end, once the event is gone, or before the start", () => {
    assert.equal(
      refusal(() => sessionStart(guestOfE1, event, "k8s", event.endsAt)),
      "event_ended",
    );
    assert.equal(
      refusal(() => sessionStart(guestOfE1, null, "k8s", during)),
      "event_ended",
    );
    assert.equal(
      refusal(() => sessionStart(guestOfE1, event, "k8s", new Date("2026-12-02T09:00:00Z"))),
      "event_not_started",
    );
  });
});
