import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TTerminalForeground } from "@kubelab/shared";
import { INTERRUPT, interruptAndWait, runDecision } from "./run-guard";

const idle: TTerminalForeground = { busy: false, command: null };
const sleeping: TTerminalForeground = { busy: true, command: "sleep 300" };

describe("Run while something runs", () => {
  it("types at a prompt, asks over a foreground command, interrupts for interrupt blocks", () => {
    assert.deepEqual(runDecision({}, idle), { kind: "type" });
    assert.deepEqual(runDecision({}, null), { kind: "type" });
    assert.deepEqual(runDecision({ interrupt: false }, sleeping), { kind: "ask", command: "sleep 300" });
    assert.deepEqual(runDecision({}, { busy: true, command: null }), { kind: "ask", command: null });
    assert.deepEqual(runDecision({ interrupt: true }, idle), { kind: "interrupt" });
  });

  it("presses Ctrl-C and waits for the prompt", async () => {
    const sent: string[] = [];
    const answers = [sleeping, sleeping, idle];
    const ok = await interruptAndWait({
      send: (text) => (sent.push(text), true),
      probe: () => Promise.resolve(answers.shift() ?? idle),
      wait: () => Promise.resolve(),
    });
    assert.equal(ok, true);
    assert.deepEqual(sent, [INTERRUPT]);
    assert.equal(answers.length, 0);
  });

  it("gives up on a program that ignores Ctrl-C, and on a disconnected terminal", async () => {
    let probes = 0;
    const stuck = await interruptAndWait({
      send: () => true,
      probe: () => (probes++, Promise.resolve(sleeping)),
      wait: () => Promise.resolve(),
      attempts: 4,
    });
    assert.equal(stuck, false);
    assert.equal(probes, 4);
    const gone = await interruptAndWait({
      send: () => false,
      probe: () => Promise.resolve(idle),
      wait: () => Promise.resolve(),
    });
    assert.equal(gone, false);
  });

  it("types when the foreground cannot be told", async () => {
    const ok = await interruptAndWait({
      send: () => true,
      probe: () => Promise.resolve(null),
      wait: () => Promise.resolve(),
    });
    assert.equal(ok, true);
  });
});
