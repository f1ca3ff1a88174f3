import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../../config/config-error";
import { HaproxyProcess } from "./haproxy-process";

describe("HaproxyProcess", () => {
  it("refuses to start without the haproxy command, saying what to install or set instead", () => {
    const path = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      assert.throws(
        () => HaproxyProcess.assertInstalled(),
        (error: unknown) =>
          error instanceof ConfigError &&
          /apt-get install haproxy/.test(error.message) &&
          /PORT_DATA_PLANE=node/.test(error.message),
      );
    } finally {
      process.env.PATH = path;
    }
  });
});
