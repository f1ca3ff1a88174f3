import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { furthestOpenStep, OutputTail, recordPass, type VerifiableLesson } from "./lesson-verification";

describe("check output", () => {
  it("keeps short output whole", () => {
    const tail = new OutputTail(16);
    tail.push(Buffer.from("ok\n"));
    tail.push(Buffer.from("done"));
    assert.deepEqual(tail.text(), { output: "ok\ndone", truncated: false });
  });

  it("keeps exactly the last bytes of long output, across chunks", () => {
    const tail = new OutputTail(10);
    for (let i = 0; i < 100; i++) tail.push(Buffer.from(`line ${i}\n`));
    assert.deepEqual(tail.text(), { output: "\nline 99\n".padStart(10, "8"), truncated: true });
    assert.equal(Buffer.byteLength(tail.text().output), 10);
  });

  it("cuts one big chunk too", () => {
    const tail = new OutputTail(4096);
    tail.push(Buffer.from("x".repeat(10_000) + "END"));
    const { output, truncated } = tail.text();
    assert.equal(truncated, true);
    assert.equal(output.length, 4096);
    assert.ok(output.endsWith("END"));
  });

  it("never starts inside a UTF-8 character", () => {
    const tail = new OutputTail(5);
    tail.push(Buffer.from("ñññ")); // 6 bytes: the cut falls in the first ñ
    assert.deepEqual(tail.text(), { output: "ññ", truncated: true });
  });

  it("is not truncated at exactly the limit", () => {
    const tail = new OutputTail(4);
    tail.push(Buffer.from("ab"));
    tail.push(Buffer.from("cd"));
    assert.deepEqual(tail.text(), { output: "abcd", truncated: false });
  });
});

const lesson: VerifiableLesson = {
  gated: true,
  steps: [
    { checks: [], quizzes: [] },
    { checks: [{ id: "s1-c0" }, { id: "s1-c1" }], quizzes: [{ id: "s1-q0" }] },
    { checks: [], quizzes: [] },
    { checks: [{ id: "s3-c0" }], quizzes: [] },
    { checks: [], quizzes: [] },
  ],
};
const none = { passed: [], verifiedSteps: [], doneSteps: [] };

describe("verification", () => {
  it("verifies a step only once every check and quiz of it passed, and marks it done", () => {
    let progress = recordPass(lesson, none, 1, "s1-c0");
    assert.deepEqual(progress, { passed: ["s1-c0"], verifiedSteps: [], doneSteps: [] });
    progress = recordPass(lesson, progress, 1, "s1-q0");
    assert.deepEqual(progress.verifiedSteps, []);
    progress = recordPass(lesson, { ...progress, doneSteps: [0, 4] }, 1, "s1-c1");
    assert.deepEqual(progress, { passed: ["s1-c0", "s1-c1", "s1-q0"], verifiedSteps: [1], doneSteps: [0, 1, 4] });
  });

  it("records a pass once, however often it happens", () => {
    const once = recordPass(lesson, none, 3, "s3-c0");
    assert.deepEqual(recordPass(lesson, once, 3, "s3-c0"), once);
    assert.deepEqual(once, { passed: ["s3-c0"], verifiedSteps: [3], doneSteps: [3] });
  });

  it("keeps passes of checks the lesson no longer has, and verifies nothing for a missing step", () => {
    const progress = recordPass(lesson, { ...none, passed: ["s9-c0"] }, 9, "s9-c1");
    assert.deepEqual(progress, { passed: ["s9-c0", "s9-c1"], verifiedSteps: [], doneSteps: [] });
  });

  it("opens a gated lesson up to its first unverified step with checks or quizzes", () => {
    assert.equal(furthestOpenStep(lesson, []), 1);
    assert.equal(furthestOpenStep(lesson, [1]), 3);
    assert.equal(furthestOpenStep(lesson, [1, 3]), 4);
    assert.equal(furthestOpenStep(lesson, [3]), 1);
  });

  it("opens every step of a lesson that is not gated", () => {
    assert.equal(furthestOpenStep({ ...lesson, gated: false }, []), 4);
  });
});
