import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { safeNextPath } from "./safe-next-path";

describe("safeNextPath", () => {
  it("keeps same-site paths with their query", () => {
    assert.equal(safeNextPath("/lab/kubernetes?step=3"), "/lab/kubernetes?step=3");
    assert.equal(safeNextPath(["/admin/users", "/x"]), "/admin/users");
  });

  it("sends everything that could leave the site, split a header or loop to / ", () => {
    for (const bad of [
      undefined,
      null,
      "",
      "https://evil.example",
      "//evil.example",
      "/\\evil.example",
      "/%0d%0aLocation:x".replace("%0d%0a", "\r\n"),
      "/\u202Eevil",
      "/login?next=/x",
      `/${"a".repeat(2001)}`,
      "lab",
    ]) {
      assert.equal(safeNextPath(bad), "/", JSON.stringify(bad));
    }
  });
});
