import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, loadConfig } from "./app-config";

describe("NODE_REGISTRY_MIRROR", () => {
  it("is unset by default and read as given", () => {
    assert.equal(loadConfig({}).nodes.registryMirror, undefined);
    assert.equal(
      loadConfig({ NODE_REGISTRY_MIRROR: "http://10.0.0.5:5000" }).nodes.registryMirror,
      "http://10.0.0.5:5000",
    );
  });

  it("refuses anything but an http(s) URL, naming the variable", () => {
    for (const value of ["10.0.0.5:5000", "ftp://mirror:21", "mirror"]) {
      assert.throws(
        () => loadConfig({ NODE_REGISTRY_MIRROR: value }),
        (error: unknown) => error instanceof ConfigError && /NODE_REGISTRY_MIRROR/.test(error.message),
        value,
      );
    }
  });
});
