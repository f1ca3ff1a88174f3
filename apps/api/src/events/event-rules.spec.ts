import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EVENT_CODE_ALPHABET, EVENT_CODE_LENGTH } from "@kubelab/shared";
import { AppError } from "../common/app-error";
import {
  attendeeExpiry,
  eventIdOfPool,
  eventPhase,
  eventPoolKey,
  eventPoolTarget,
  newAccessCode,
  normalizeAccessCode,
  resolveEventSettings,
  type EventInput,
  type EventLimits,
} from "./event-rules";

const LIMITS: EventLimits = {
  durationSeconds: 7200,
  maxDurationSeconds: 14_400,
  maxExtensions: 3,
  maxReserved: 50,
  maxCapacity: 1000,
  lessonLanguages: ["en", "es"],
};

const INPUT: EventInput = {
  title: "Workshop",
  lessonId: "kubernetes-para-principiantes",
  language: "es",
  startsAt: new Date("2026-12-03T09:00:00Z"),
  endsAt: new Date("2026-12-03T11:00:00Z"),
  capacity: 30,
  prepareSeconds: 600,
  joinPolicy: "guests",
  allowList: [],
};

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof AppError);
    assert.equal(error.code, "bad_request");
    return (error.details ?? []).map((d) => d.path);
  }
  assert.fail("expected a bad_request");
}

describe("event access codes", () => {
  it("have the fixed length and only unambiguous characters", () => {
    for (const look of "0O1IL") assert.ok(!EVENT_CODE_ALPHABET.includes(look), `${look} is not used`);
    assert.equal(new Set(EVENT_CODE_ALPHABET).size, EVENT_CODE_ALPHABET.length);
    for (let i = 0; i < 200; i++) {
      const code = newAccessCode();
      assert.equal(code.length, EVENT_CODE_LENGTH);
      for (const char of code) assert.ok(EVENT_CODE_ALPHABET.includes(char), `${char} in ${code}`);
    }
  });

  it("draw each character from the whole alphabet through the random source", () => {
    const asked: number[] = [];
    let next = 0;
    const code = newAccessCode((max) => {
      asked.push(max);
      return next++ % max;
    });
    assert.deepEqual(asked, Array(EVENT_CODE_LENGTH).fill(EVENT_CODE_ALPHABET.length));
    assert.equal(code, EVENT_CODE_ALPHABET.slice(0, EVENT_CODE_LENGTH));
  });

  it("do not repeat in practice", () => {
    const codes = new Set(Array.from({ length: 2000 }, () => newAccessCode()));
    assert.equal(codes.size, 2000);
  });
});

describe("event settings", () => {
  it("default to the installation's session limits and reserve the capacity", () => {
    const settings = resolveEventSettings(INPUT, LIMITS);
    assert.equal(settings.sessionSeconds, 7200);
    assert.equal(settings.maxExtensions, 3);
    assert.equal(settings.reservedSessions, 30);
  });

  it("cap the default reservation at EVENT_MAX_RESERVED", () => {
    assert.equal(resolveEventSettings({ ...INPUT, capacity: 200 }, LIMITS).reservedSessions, 50);
    assert.equal(resolveEventSettings({ ...INPUT, capacity: 5 }, { ...LIMITS, maxReserved: 0 }).reservedSessions, 0);
  });

  it("refuse a capacity over EVENT_MAX_CAPACITY, naming the field", () => {
    assert.throws(
      () => resolveEventSettings({ ...INPUT, capacity: 41 }, { ...LIMITS, maxCapacity: 40 }),
      (error: AppError) => error.details?.some((d) => d.path === "capacity") === true,
    );
  });

  it("keep what the instructor chose within the limits", () => {
    const settings = resolveEventSettings(
      { ...INPUT, sessionSeconds: 3600, maxExtensions: 0, reservedSessions: 10 },
      LIMITS,
    );
    assert.deepEqual([settings.sessionSeconds, settings.maxExtensions, settings.reservedSessions], [3600, 0, 10]);
  });

  it("refuse everything beyond the admin's limits, naming each field", () => {
    assert.deepEqual(
      problems(() =>
        resolveEventSettings(
          { ...INPUT, sessionSeconds: 14_401, maxExtensions: 4, reservedSessions: 31, language: "fr" },
          LIMITS,
        ),
      ),
      ["language", "sessionSeconds", "maxExtensions", "reservedSessions"],
    );
    assert.deepEqual(
      problems(() => resolveEventSettings({ ...INPUT, capacity: 100, reservedSessions: 51 }, LIMITS)),
      ["reservedSessions"],
    );
  });

  it("refuse an end not after the start and an empty allow-list", () => {
    assert.deepEqual(
      problems(() => resolveEventSettings({ ...INPUT, endsAt: INPUT.startsAt, joinPolicy: "allow_list" }, LIMITS)),
      ["endsAt", "allowList"],
    );
    const listed = resolveEventSettings({ ...INPUT, joinPolicy: "allow_list", allowList: ["ana@example.com"] }, LIMITS);
    assert.deepEqual(listed.allowList, ["ana@example.com"]);
  });
});

describe("joining and the event's pool", () => {
  const at = (iso: string) => new Date(`2026-12-03T${iso}Z`);
  const EVENT = {
    startsAt: at("09:00:00"),
    endsAt: at("11:00:00"),
    prepareSeconds: 600,
    capacity: 30,
    reservedSessions: 20,
    sessionSeconds: 3600,
  };

  it("reads typed codes the way they are printed", () => {
    assert.equal(normalizeAccessCode(" k7m3-qx9p "), "K7M3QX9P");
    assert.equal(normalizeAccessCode("K7M3 QX9P"), "K7M3QX9P");
  });

  it("tells before, during and after the event apart (the end is exclusive)", () => {
    assert.equal(eventPhase(EVENT, at("08:59:59")), "not_started");
    assert.equal(eventPhase(EVENT, at("09:00:00")), "running");
    assert.equal(eventPhase(EVENT, at("10:59:59")), "running");
    assert.equal(eventPhase(EVENT, at("11:00:00")), "ended");
  });

  it("keeps the reserved sessions from the prepare time until the end, and none outside", () => {
    assert.equal(eventPoolTarget(EVENT, at("08:49:59"), 0), 0);
    assert.equal(eventPoolTarget(EVENT, at("08:50:00"), 0), 20);
    assert.equal(eventPoolTarget(EVENT, at("10:59:59"), 0), 20);
    assert.equal(eventPoolTarget(EVENT, at("11:00:00"), 0), 0);
  });

  it("never reserves more than the places attendees have not taken", () => {
    assert.equal(eventPoolTarget(EVENT, at("09:30:00"), 10), 20);
    assert.equal(eventPoolTarget(EVENT, at("09:30:00"), 25), 5);
    assert.equal(eventPoolTarget(EVENT, at("09:30:00"), 30), 0);
    assert.equal(eventPoolTarget({ ...EVENT, reservedSessions: 0 }, at("09:30:00"), 0), 0);
  });

  it("ends an attendee's session after its length, or at the event's end if sooner", () => {
    assert.deepEqual(attendeeExpiry(at("09:00:00"), EVENT), at("10:00:00"));
    assert.deepEqual(attendeeExpiry(at("10:30:00"), EVENT), at("11:00:00"));
  });

  it("names an event's pool by its id, apart from image pools", () => {
    assert.equal(eventIdOfPool(eventPoolKey("6f1c")), "6f1c");
    assert.equal(eventIdOfPool("kubelab/node-offline:latest"), null);
  });
});
