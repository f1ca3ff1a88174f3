import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { lastOpenStep, needsVerification } from "./lesson-gate";

const plain = { checks: [], quizzes: [] };
const checked = { checks: [{}], quizzes: [] };
const quizzed = { checks: [], quizzes: [{}] };

describe("gated lessons", () => {
  it("know which steps can be verified", () => {
    assert.equal(needsVerification(plain), false);
    assert.equal(needsVerification(checked), true);
    assert.equal(needsVerification(quizzed), true);
  });

  it("open steps up to the first one not verified", () => {
    const steps = [plain, checked, plain, quizzed, plain];
    assert.equal(lastOpenStep(steps, [], true), 1);
    assert.equal(lastOpenStep(steps, [1], true), 3);
    assert.equal(lastOpenStep(steps, [1, 3], true), 4);
    assert.equal(lastOpenStep(steps, [], false), 4, "ungated: all open");
    assert.equal(lastOpenStep([], [], true), 0);
  });
});
