// The README's configuration table and .env.example are the user-facing
// config schema: both must name exactly the variables config.schema.ts reads.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { ZEnvironment } from "./config.schema";

// From apps/api/dist/config (or src/config) to the repository root.
const ROOT = path.resolve(__dirname, "../../../..");

// Read by libraries rather than by config.schema.ts, yet documented for users.
const READ_ELSEWHERE = new Set(["DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"]);

function schemaVariables(): string[] {
  return Object.keys(ZEnvironment.shape).sort();
}

function readmeTableVariables(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const table = readme.slice(
    readme.indexOf("## Configuration"),
    readme.indexOf("\n## ", readme.indexOf("## Configuration") + 1),
  );
  const names = new Set<string>();
  for (const line of table.split("\n")) {
    const firstCell = /^\|([^|]*)\|/.exec(line)?.[1] ?? "";
    for (const match of firstCell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) names.add(match[1]!);
  }
  return [...names].sort();
}

function envExampleVariables(): string[] {
  const text = fs.readFileSync(path.join(ROOT, ".env.example"), "utf8");
  // Commented assignments count: they document optional variables with an example value.
  const names = [...text.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);
  // OIDC_<ID>_* lines are examples of per-provider variables, not schema entries.
  return [...new Set(names.filter((n) => !/^OIDC_(?!PROVIDERS$)/.test(n)))].sort();
}

describe("configuration docs", () => {
  it("the README table lists exactly the schema's variables", () => {
    const documented = readmeTableVariables().filter((n) => !READ_ELSEWHERE.has(n));
    assert.deepEqual(documented, schemaVariables());
  });

  it(".env.example lists exactly the schema's variables", () => {
    const listed = envExampleVariables().filter((n) => !READ_ELSEWHERE.has(n));
    assert.deepEqual(listed, schemaVariables());
  });
});
