import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { foregroundFrom } from "./terminal-foreground";

describe("a terminal's foreground", () => {
  it("is idle when the tty's foreground group is the shell's own", () => {
    assert.deepEqual(foregroundFrom("42 42\n"), { busy: false, command: null });
    assert.deepEqual(foregroundFrom(""), { busy: false, command: null });
    assert.deepEqual(foregroundFrom("42 -1\n"), { busy: false, command: null });
  });

  it("names the command running in the foreground", () => {
    assert.deepEqual(foregroundFrom("42 97\nsleep\nsleep 300 "), { busy: true, command: "sleep 300" });
    assert.deepEqual(foregroundFrom("42 97\nkubectl\nkubectl get pods -w "), {
      busy: true,
      command: "kubectl get pods -w",
    });
    assert.deepEqual(foregroundFrom("42 97\nkworker\n"), { busy: true, command: "kworker" });
    assert.deepEqual(foregroundFrom("42 97\n"), { busy: true, command: null });
  });

  it("treats a nested interactive shell as a prompt, a shell running a script as busy", () => {
    assert.deepEqual(foregroundFrom("42 97\nbash\nbash "), { busy: false, command: null });
    assert.deepEqual(foregroundFrom("42 97\nbash\n-bash "), { busy: false, command: null });
    assert.deepEqual(foregroundFrom("42 97\nsudo\nsudo -i "), { busy: false, command: null });
    assert.deepEqual(foregroundFrom("42 97\nbash\nbash setup.sh "), { busy: true, command: "bash setup.sh" });
    assert.deepEqual(foregroundFrom("42 97\nsh\nsh -c sleep 9 "), { busy: true, command: "sh -c sleep 9" });
  });
});
