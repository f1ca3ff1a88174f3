import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { safeNextPath } from "./safe-next-path";

describe("safeNextPath", () => {
  it("keeps same-site paths with their query", () => {
    assert.equal(safeNextPath("/lab/kubernetes?step=3"), "/lab/kubernetes?step=3");
    assert.equal(safeNextPath(["/admin/users", "/x"]), "/admin/users");
    assert.equal(safeNextPath("/"), "/");
    assert.equal(safeNextPath("/lab/caf%C3%A9?q=a%20b#top"), "/lab/caf%C3%A9?q=a%20b#top");
    assert.equal(safeNextPath("/logins/page"), "/logins/page");
    assert.equal(safeNextPath(`/${"a".repeat(1999)}`).length, 2000);
  });

  it("sends everything that could leave the site, split a header or loop to / ", () => {
    for (const bad of [
      undefined,
      null,
      "",
      [],
      "https://evil.example",
      "javascript:alert(1)",
      "//evil.example",
      "/\\evil.example",
      "/%0d%0aLocation:x".replace("%0d%0a", "\r\n"),
      "/\u202Eevil",
      "/login",
      "/login?next=/x",
      "/login/",
      `/${"a".repeat(2000)}`,
      "lab",
      " /lab",
    ]) {
      assert.equal(safeNextPath(bad), "/", JSON.stringify(bad));
    }
  });

  // The port host had its own copy of this rule (apps/api/src/ports/port-cookie.ts) and the
  // platform another; each let through something the other refused. One rule now.
  it("refuses what only one of the two former rules refused", () => {
    // The former platform rule let these through: they cannot go into a Location header as they are
    // (Node refuses characters above U+00FF with ERR_INVALID_CHAR; a space ends the header's URL).
    for (const bad of ["/lab/café", "/日本", "/a b", "/tab\u00a0x"]) {
      assert.equal(safeNextPath(bad), "/", JSON.stringify(bad));
    }
    // The former port rule let these through: a backslash after the first character, paths of any
    // length, and a return to the login page.
    for (const bad of ["/x/\\evil.example", `/${"a".repeat(5000)}`, "/login?next=/lab"]) {
      assert.equal(safeNextPath(bad), "/", JSON.stringify(bad).slice(0, 40));
    }
  });

  it("guards the login path it is given instead of the platform's", () => {
    const port = { loopPath: "/__kubelab/auth" };
    assert.equal(safeNextPath("/__kubelab/auth?ticket=x&next=/", port), "/");
    // On a port host /login belongs to the user's app.
    assert.equal(safeNextPath("/login?next=/x", port), "/login?next=/x");
  });
});
