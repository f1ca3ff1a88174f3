import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TEvent } from "@kubelab/shared";
import {
  changedBody,
  detailField,
  emptyEventForm,
  eventToForm,
  formToBody,
  fromDatetimeLocal,
  parseAllowList,
  qrModulesPath,
  toDatetimeLocal,
} from "./event-form";

// Node reads TZ on every conversion: the instructor's browser is in Madrid here.
process.env.TZ = "Europe/Madrid";

describe("event form times", () => {
  it("turns the viewer's local wall time into the instant and back", () => {
    assert.equal(fromDatetimeLocal("2026-12-03T10:00"), "2026-12-03T09:00:00.000Z", "CET is UTC+1 in December");
    assert.equal(fromDatetimeLocal("2026-07-03T10:00"), "2026-07-03T08:00:00.000Z", "CEST in July");
    assert.equal(toDatetimeLocal("2026-12-03T09:00:00.000Z"), "2026-12-03T10:00");
    assert.equal(fromDatetimeLocal(""), null);
    assert.equal(fromDatetimeLocal("tomorrow"), null);
  });

  it("proposes the next full hour for two hours", () => {
    const form = emptyEventForm(Date.parse("2026-12-03T09:20:00Z"));
    assert.equal(form.startsAt, "2026-12-03T11:00");
    assert.equal(form.endsAt, "2026-12-03T13:00");
  });
});

/** An event with every field set (the rest of TEvent is not read here). */
const existing = {
  title: "K",
  lessonId: "l",
  language: "en",
  startsAt: "2026-12-03T09:00:00.000Z",
  endsAt: "2026-12-03T11:00:00.000Z",
  capacity: 5,
  sessionSeconds: 3600,
  maxExtensions: 1,
  reservedSessions: 3,
  prepareSeconds: 1200,
  joinPolicy: "allow_list",
  allowList: ["a", "b"],
} as TEvent;

describe("formToBody", () => {
  const filled = {
    ...emptyEventForm(Date.parse("2026-12-03T09:20:00Z"), "kubernetes-para-principiantes", "es"),
    title: "  Kubernetes 101 ",
    capacity: "2",
  };

  it("leaves blank optional numbers to the server's defaults", () => {
    const result = formToBody(filled);
    assert.ok("body" in result);
    assert.deepEqual(result.body, {
      title: "Kubernetes 101",
      lessonId: "kubernetes-para-principiantes",
      language: "es",
      startsAt: "2026-12-03T10:00:00.000Z",
      endsAt: "2026-12-03T12:00:00.000Z",
      capacity: 2,
      prepareSeconds: 600,
      joinPolicy: "guests",
      allowList: [],
    });
  });

  it("converts minutes and keeps the allow-list only for that policy", () => {
    const result = formToBody({
      ...filled,
      sessionMinutes: "90",
      reservedSessions: "2",
      maxExtensions: "0",
      joinPolicy: "allow_list",
      allowList: "Ana@example.org, bob\n\n",
    });
    assert.ok("body" in result);
    assert.equal(result.body.sessionSeconds, 5400);
    assert.equal(result.body.reservedSessions, 2);
    assert.equal(result.body.maxExtensions, 0);
    assert.deepEqual(result.body.allowList, ["Ana@example.org", "bob"]);
    const guests = formToBody({ ...filled, allowList: "ana" });
    assert.ok("body" in guests);
    assert.deepEqual(guests.body.allowList, []);
  });

  it("names the fields that are not well-formed", () => {
    const result = formToBody({ ...filled, title: " ", capacity: "two", startsAt: "", sessionMinutes: "1.5" });
    assert.deepEqual(result, { invalid: ["title", "startsAt", "capacity", "sessionMinutes"] });
  });

  it("maps the server's detail paths onto the form's fields", () => {
    assert.equal(detailField("sessionSeconds"), "sessionMinutes");
    assert.equal(detailField("allowList.2"), "allowList");
    assert.equal(detailField("nope"), null);
  });

  it("fills an existing event's values back in", () => {
    const form = eventToForm(existing);
    assert.equal(form.startsAt, "2026-12-03T10:00");
    assert.equal(form.sessionMinutes, "60");
    assert.equal(form.prepareMinutes, "20");
    assert.equal(form.allowList, "a\nb");
  });

  it("sends only what an edit changed", () => {
    // The start has seconds the form cannot show; it is not sent back rounded.
    const event = { ...existing, startsAt: "2026-12-03T09:00:17.000Z" };
    const form = eventToForm(event);
    assert.deepEqual(changedBody(form, event), { body: {} });
    assert.deepEqual(changedBody({ ...form, title: "K2", capacity: "2", allowList: "a\nb\nc" }, event), {
      body: { title: "K2", capacity: 2, allowList: ["a", "b", "c"] },
    });
    assert.deepEqual(changedBody({ ...form, startsAt: "2026-12-03T10:30" }, event), {
      body: { startsAt: "2026-12-03T09:30:00.000Z" },
    });
    assert.deepEqual(changedBody({ ...form, capacity: "" }, event), { invalid: ["capacity"] });
  });
});

describe("parseAllowList", () => {
  it("takes one login or email per line or comma, dropping blanks", () => {
    assert.deepEqual(parseAllowList(" ana@example.org,bob \n\n carol\n"), ["ana@example.org", "bob", "carol"]);
  });
});

describe("qrModulesPath", () => {
  it("draws one unit square per dark module", () => {
    const dark = new Set(["0,0", "1,2"]);
    assert.equal(
      qrModulesPath(3, (r, c) => dark.has(`${r},${c}`)),
      "M0 0h1v1h-1zM2 1h1v1h-1z",
    );
  });
});
