import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { csvCell, eventSummary, exportCsv, median, type ReportAttendee } from "./event-report";

const NOW = new Date("2026-12-02T11:00:00Z");

function attendee(overrides: Partial<ReportAttendee> = {}): ReportAttendee {
  return {
    name: "Ana",
    login: null,
    status: "ready",
    createdAt: new Date("2026-12-02T10:00:00Z"),
    readyAt: new Date("2026-12-02T10:00:30Z"),
    endedAt: null,
    currentStep: 1,
    doneSteps: 1,
    helpRequests: 0,
    ...overrides,
  };
}

describe("csvCell", () => {
  it("quotes commas, quotes and line breaks, doubling quotes", () => {
    assert.equal(csvCell("plain"), "plain");
    assert.equal(csvCell("a,b"), '"a,b"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell("two\nlines"), '"two\nlines"');
    assert.equal(csvCell("cr\rhere"), '"cr\rhere"');
    assert.equal(csvCell(""), "");
  });

  it("defuses text a spreadsheet would run as a formula", () => {
    assert.equal(csvCell('=HYPERLINK("http://x")'), '"\'=HYPERLINK(""http://x"")"');
    assert.equal(csvCell("+1"), "'+1");
    assert.equal(csvCell("-2"), "'-2");
    assert.equal(csvCell("@SUM(A1)"), "'@SUM(A1)");
    assert.equal(csvCell("\tcmd"), "'\tcmd");
    assert.equal(csvCell("a=b"), "a=b", "only a leading sign counts");
    assert.equal(csvCell(-3), "-3", "numbers are written as they are");
  });
});

describe("exportCsv", () => {
  it("writes a header and one line per attendee, by name, with CRLF line ends", () => {
    const csv = exportCsv(
      [
        attendee({ name: "Bea", login: "bea-gh", doneSteps: 3, currentStep: 3, helpRequests: 2 }),
        attendee({ name: "=Ana, the first", endedAt: new Date("2026-12-02T10:30:00Z"), status: "ended" }),
      ],
      NOW,
    );
    assert.equal(
      csv,
      "name,login,status,steps_done,current_step,time_spent_seconds,help_requests\r\n" +
        '"\'=Ana, the first",,ended,1,1,1800,0\r\n' +
        "Bea,bea-gh,ready,3,3,3600,2\r\n",
    );
  });
});

describe("eventSummary", () => {
  it("counts joined, started and finished, and takes the medians", () => {
    const summary = eventSummary(
      "e1",
      [
        attendee({ doneSteps: 4 }),
        attendee({ doneSteps: 1, readyAt: new Date("2026-12-02T10:01:30Z") }),
        attendee({ doneSteps: 0, readyAt: null, status: "failed" }),
      ],
      4,
    );
    assert.deepEqual(summary, {
      eventId: "e1",
      joined: 3,
      started: 2,
      finished: 1,
      medianStepsDone: 1,
      medianSecondsToReady: 60,
    });
  });

  it("has no medians without attendees", () => {
    assert.deepEqual(eventSummary("e1", [], 4), {
      eventId: "e1",
      joined: 0,
      started: 0,
      finished: 0,
      medianStepsDone: null,
      medianSecondsToReady: null,
    });
  });

  it("takes the middle value, or the mean of the two middle ones", () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 2, 3]), 2.5);
  });
});
