import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nodeHoursWithin, usageCsv, usageRange, usageReport, type UsageSession } from "./usage-report";

const NOW = new Date("2026-12-03T12:00:00Z");

function session(overrides: Partial<UsageSession> & Pick<UsageSession, "id" | "liveFrom">): UsageSession {
  return {
    userId: "u1",
    userName: "Ana",
    userLogin: null,
    eventId: null,
    eventTitle: null,
    lessonId: null,
    image: "kubelab/node-offline:latest",
    nodes: 2,
    endedAt: null,
    ...overrides,
  };
}

describe("usageRange", () => {
  it("defaults to the last 30 days up to today (UTC)", () => {
    const range = usageRange({}, NOW);
    assert.equal(range.from, "2026-11-04");
    assert.equal(range.to, "2026-12-03");
    assert.equal(range.end.toISOString(), "2026-12-04T00:00:00.000Z");
  });

  it("refuses impossible dates, reversed ranges and more than a year, naming the field", () => {
    assert.throws(() => usageRange({ from: "2026-02-30" }, NOW), /^RangeError: from:/);
    assert.throws(() => usageRange({ from: "2026-12-02", to: "2026-12-01" }, NOW), /^RangeError: to:/);
    assert.throws(() => usageRange({ from: "2024-01-01", to: "2026-01-01" }, NOW), /^RangeError: to: at most 366/);
    assert.equal(
      usageRange({ from: "2026-12-01", to: "2026-12-01" }, NOW).end.toISOString(),
      "2026-12-02T00:00:00.000Z",
    );
  });
});

describe("usageReport", () => {
  const range = usageRange({ from: "2026-12-01", to: "2026-12-03" }, NOW);
  const sessions = [
    // 2 nodes × 1.5 h on Dec 1.
    session({
      id: "a",
      liveFrom: new Date("2026-12-01T10:00:00Z"),
      endedAt: new Date("2026-12-01T11:30:00Z"),
      eventId: "e1",
      eventTitle: "Workshop",
    }),
    // 3 nodes across midnight: 1 h on Dec 1, 2 h on Dec 2.
    session({
      id: "b",
      userId: "u2",
      userName: "Bea",
      userLogin: "bea",
      nodes: 3,
      liveFrom: new Date("2026-12-01T23:00:00Z"),
      endedAt: new Date("2026-12-02T02:00:00Z"),
      eventId: "e1",
      eventTitle: "Workshop",
    }),
    // Still running: 1 node from 09:00 to now (12:00) on Dec 3.
    session({ id: "c", nodes: 1, liveFrom: new Date("2026-12-03T09:00:00Z") }),
    // Before the range: ignored; it began earlier and only its part inside counts.
    session({ id: "d", liveFrom: new Date("2026-11-20T09:00:00Z"), endedAt: new Date("2026-11-20T10:00:00Z") }),
    session({
      id: "e",
      nodes: 1,
      liveFrom: new Date("2026-11-30T23:30:00Z"),
      endedAt: new Date("2026-12-01T00:30:00Z"),
    }),
  ];

  it("counts node-hours per day, event and user, clipped to the range and to now", () => {
    const report = usageReport(sessions, range, NOW);
    assert.deepEqual(report.totals, { sessions: 4, nodeHours: 3 + 9 + 3 + 0.5 });
    assert.deepEqual(report.days, [
      { day: "2026-12-01", sessions: 3, started: 2, nodeHours: 3 + 3 + 0.5 },
      { day: "2026-12-02", sessions: 1, started: 0, nodeHours: 6 },
      { day: "2026-12-03", sessions: 1, started: 1, nodeHours: 3 },
    ]);
    assert.deepEqual(report.events, [{ eventId: "e1", title: "Workshop", sessions: 2, nodeHours: 12 }]);
    assert.deepEqual(report.users, [
      { userId: "u2", name: "Bea", login: "bea", sessions: 1, nodeHours: 9 },
      { userId: "u1", name: "Ana", login: null, sessions: 3, nodeHours: 6.5 },
    ]);
  });

  it("lists every day of the range, empty ones too", () => {
    const report = usageReport([], usageRange({ from: "2026-12-01", to: "2026-12-02" }, NOW), NOW);
    assert.deepEqual(
      report.days.map((d) => [d.day, d.sessions, d.nodeHours]),
      [
        ["2026-12-01", 0, 0],
        ["2026-12-02", 0, 0],
      ],
    );
    assert.deepEqual(report.totals, { sessions: 0, nodeHours: 0 });
  });

  it("never counts time after now, even for an end in the future", () => {
    const odd = session({
      id: "x",
      nodes: 1,
      liveFrom: new Date("2026-12-03T11:00:00Z"),
      endedAt: new Date("2026-12-03T15:00:00Z"),
    });
    assert.equal(nodeHoursWithin(odd, range.start, range.end, NOW), 1);
  });
});

describe("usageCsv", () => {
  it("writes one defused, quoted line per session, oldest first, with CRLF ends", () => {
    const range = usageRange({ from: "2026-12-01", to: "2026-12-01" }, NOW);
    const csv = usageCsv(
      [
        session({
          id: "b",
          userName: '=HYPERLINK("x")',
          liveFrom: new Date("2026-12-01T12:00:00Z"),
          endedAt: new Date("2026-12-01T12:30:00Z"),
        }),
        session({
          id: "a",
          userName: "Ana, Jr.",
          eventTitle: "Día 1",
          eventId: "e",
          lessonId: "intro",
          liveFrom: new Date("2026-12-01T10:00:00Z"),
          endedAt: new Date("2026-12-01T11:00:00Z"),
        }),
      ],
      range,
      NOW,
    );
    assert.equal(
      csv,
      "session_id,user,login,event,lesson,image,nodes,live_from,ended_at,node_hours\r\n" +
        'a,"Ana, Jr.",,Día 1,intro,kubelab/node-offline:latest,2,2026-12-01T10:00:00.000Z,2026-12-01T11:00:00.000Z,2\r\n' +
        'b,"\'=HYPERLINK(""x"")",,,,kubelab/node-offline:latest,2,2026-12-01T12:00:00.000Z,2026-12-01T12:30:00.000Z,1\r\n',
    );
  });
});
