import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatEventTime, formatJoinCode, isPlausibleJoinCode, normalizeJoinCode, parseRetryAfter } from "./join-code";

describe("event join codes", () => {
  it("compares codes without case, spaces or dashes, as the server does", () => {
    assert.equal(normalizeJoinCode(" k7m3-qx9p "), "K7M3QX9P");
    assert.equal(normalizeJoinCode("K7M3 QX9P"), "K7M3QX9P");
  });

  it("shows a code in two groups of four", () => {
    assert.equal(formatJoinCode("k7m3qx9p"), "K7M3-QX9P");
    assert.equal(formatJoinCode("K7M3-QX9P"), "K7M3-QX9P");
    assert.equal(formatJoinCode("abc"), "ABC", "anything else is left as typed");
  });

  it("tells plausible codes from typos the alphabet excludes", () => {
    assert.equal(isPlausibleJoinCode("k7m3-qx9p"), true);
    assert.equal(isPlausibleJoinCode("K7M3QX9O"), false, "no letter O");
    assert.equal(isPlausibleJoinCode("K7M3QX9"), false, "too short");
  });
});

describe("formatEventTime", () => {
  const start = "2026-12-03T09:00:00.000Z";

  it("gives the time in the viewer's zone and names the zone", () => {
    assert.equal(formatEventTime(start, "en", "UTC"), "Thursday, December 3, 2026 at 9:00 AM UTC");
    assert.match(formatEventTime(start, "en", "Europe/Madrid"), /10:00 AM GMT\+1$/);
    assert.match(formatEventTime(start, "es", "Europe/Madrid"), /^jueves, 3 de diciembre de 2026, 10:00 CET$/);
    assert.match(formatEventTime(start, "es", "America/Mexico_City"), /3:00/);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-12-03T09:00:00Z");
  it("reads seconds and HTTP dates", () => {
    assert.equal(parseRetryAfter("42", now), 42);
    assert.equal(parseRetryAfter("0", now), 1, "never tells anyone to wait 0 seconds");
    assert.equal(parseRetryAfter("Thu, 03 Dec 2026 09:00:30 GMT", now), 30);
    assert.equal(parseRetryAfter(null, now), null);
    assert.equal(parseRetryAfter("soon", now), null);
  });
});
