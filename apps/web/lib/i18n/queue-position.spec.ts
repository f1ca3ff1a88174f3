import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { en } from "./dictionaries/en";
import { es } from "./dictionaries/es";
import { queuePositionText } from "./queue-position";

describe("queuePositionText", () => {
  it("says the issue's sentence in English and Spanish", () => {
    assert.equal(queuePositionText({ position: 3, estimateSeconds: 120 }, en), "You are number 3; about 2 minutes");
    assert.equal(queuePositionText({ position: 3, estimateSeconds: 120 }, es), "Eres el número 3; unos 2 minutos");
  });

  it("rounds to whole minutes, singular for one, and says 'a moment' under 30 s", () => {
    assert.equal(queuePositionText({ position: 1, estimateSeconds: 89 }, en), "You are number 1; about 1 minute");
    assert.equal(queuePositionText({ position: 2, estimateSeconds: 151 }, en), "You are number 2; about 3 minutes");
    assert.equal(queuePositionText({ position: 1, estimateSeconds: 0 }, en), "You are number 1; starting in a moment");
    assert.equal(
      queuePositionText({ position: 1, estimateSeconds: 29 }, es),
      "Eres el número 1; empieza en un momento",
    );
  });
});
