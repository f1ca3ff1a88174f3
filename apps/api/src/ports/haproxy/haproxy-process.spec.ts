import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
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

  it("removes the folders of Kubelab processes that are gone, and only those", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kubelab-stale-spec-"));
    try {
      const exited = spawn(process.execPath, ["-e", ""]);
      await once(exited, "exit");
      const folder = (name: string, owner?: number): void => {
        fs.mkdirSync(path.join(tmp, name));
        fs.writeFileSync(path.join(tmp, name, "haproxy.cfg"), "");
        if (owner !== undefined) fs.writeFileSync(path.join(tmp, name, "kubelab.pid"), String(owner));
      };
      folder("kubelab-haproxy-gone", exited.pid);
      folder("kubelab-haproxy-live", process.pid);
      folder("kubelab-haproxy-unnamed");
      folder("someone-elses", exited.pid);

      HaproxyProcess.removeStaleFolders(tmp);
      assert.deepEqual(fs.readdirSync(tmp).sort(), [
        "kubelab-haproxy-live",
        "kubelab-haproxy-unnamed",
        "someone-elses",
      ]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
