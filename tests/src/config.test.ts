// Configuration: a wrong value stops the server with a message naming the variable.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { SERVER_ENTRY } from "./support/repo-paths";

function startWith(env: Record<string, string>): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [SERVER_ENTRY], {
    env: { PATH: process.env.PATH ?? "", ...env },
    encoding: "utf8",
    timeout: 30_000,
  });
  return { status: result.status, stderr: result.stderr };
}

describe("configuration", () => {
  for (const [variable, value] of [
    ["NODE_MEMORY", "lots"],
    ["PORT", "70000"],
    ["SESSION_DURATION", "120"],
    ["NODE_SECURITY_PROFILE", "yolo"],
    ["DATABASE_URL", "mysql://x"],
    ["MAX_SESSIONS_PER_USER", "-1"],
    ["GITHUB_URL", "github.com"],
    ["OIDC_PROVIDERS", "Keycloak!"],
    ["ADMINS", "octocat"],
    ["LOGIN_IDLE_TIMEOUT", "forever"],
  ] as const) {
    it(`refuses ${variable}=${value} and names the variable`, () => {
      const { status, stderr } = startWith({ [variable]: value });
      assert.equal(status, 1);
      assert.match(stderr, new RegExp(`Invalid configuration:[\\s\\S]*${variable}`));
    });
  }

  it("refuses a default duration longer than the maximum", () => {
    const { status, stderr } = startWith({ SESSION_DURATION: "5h", SESSION_MAX_DURATION: "4h" });
    assert.equal(status, 1);
    assert.match(stderr, /SESSION_DURATION: must not exceed SESSION_MAX_DURATION/);
  });

  it("names every missing setting of a configured OIDC provider, and a half-configured GitHub", () => {
    const oidc = startWith({ OIDC_PROVIDERS: "keycloak,dockerid", OIDC_KEYCLOAK_ISSUER: "not a url" });
    assert.equal(oidc.status, 1);
    assert.match(oidc.stderr, /OIDC_KEYCLOAK_ISSUER: expected an http\(s\) URL/);
    assert.match(oidc.stderr, /OIDC_KEYCLOAK_CLIENT_ID: required/);
    // Docker ID is a preset: its issuer is known, only the client id is missing.
    assert.match(oidc.stderr, /OIDC_DOCKERID_CLIENT_ID: required/);
    assert.doesNotMatch(oidc.stderr, /OIDC_DOCKERID_ISSUER/);
    const github = startWith({ GITHUB_CLIENT_ID: "abc" });
    assert.equal(github.status, 1);
    assert.match(github.stderr, /GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET: set both or neither/);
  });

  it("explains an unreachable Docker engine instead of crashing", () => {
    const { status, stderr } = startWith({ DOCKER_HOST: "unix:///nonexistent/docker.sock" });
    assert.equal(status, 1);
    assert.match(stderr, /Cannot reach the Docker engine/);
  });
});
