import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { execExitCode } from "./docker-exec";

describe("exit code of an exec", () => {
  it("is the process's code once it ended, 0 included", () => {
    assert.equal(execExitCode({ Running: false, ExitCode: 0 }), 0);
    assert.equal(execExitCode({ Running: false, ExitCode: 130 }), 130);
  });

  it("is unknown while the process runs, whatever ExitCode says", () => {
    assert.equal(execExitCode({ Running: true, ExitCode: null }), null);
    assert.equal(execExitCode({ Running: true, ExitCode: 0 }), null);
  });

  it("is unknown when Docker gives none", () => {
    assert.equal(execExitCode({ Running: false, ExitCode: null }), null);
    assert.equal(execExitCode({}), null);
  });
});
