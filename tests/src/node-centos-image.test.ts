// The CentOS node image cannot be built in CI (no registry, no mirrors), so its
// recipe is checked statically: every command the seed lesson runs must come
// from a package the Dockerfile installs, a file it copies or the base image;
// the files the lesson uses under /etc/kubelab must be made by the Dockerfile;
// and every shell script of the node images must pass shellcheck.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { loadLessonCatalog } from "@kubelab/lessons";
import { REPO_ROOT } from "./support/repo-paths";
import { type SimpleCommand, simpleCommands } from "./support/shell-commands";

const IMAGES_DIR = path.join(REPO_ROOT, "infra/images");
const CENTOS_DIR = path.join(IMAGES_DIR, "node-centos");
const SEED_LESSON = "kubernetes-para-principiantes";
// Shell builtins and the like: bash provides them wherever it runs.
const BUILTINS = new Set([
  "cd",
  "export",
  "echo",
  "printf",
  "read",
  "set",
  "unset",
  "source",
  ".",
  "true",
  "false",
  "test",
  "[",
  "[[",
  "exit",
  "return",
  "shift",
  "alias",
  "type",
  "wait",
  "kill",
  "pwd",
  "let",
  "local",
  "declare",
  "eval",
  "exec",
  "trap",
  "umask",
  "history",
  "jobs",
  "fg",
  "bg",
  "command",
  "hash",
  "help",
]);

interface Provides {
  base: { image: string; commands: string[] };
  packages: Record<string, string[]>;
  plugins: Record<string, string>;
}

interface DockerfileFacts {
  /** Packages named by `dnf install` lines. */
  installed: Set<string>;
  /** Destination paths of COPY instructions. */
  copied: string[];
  /** Every RUN instruction, continuation lines joined. */
  runText: string;
  /** ARG defaults. */
  args: Map<string, string>;
}

function readDockerfile(file: string): DockerfileFacts {
  const instructions = fs
    .readFileSync(file, "utf8")
    .replace(/\\\n/g, " ")
    .split("\n")
    .filter((line) => line.trim() && !line.trim().startsWith("#"));
  const facts: DockerfileFacts = { installed: new Set(), copied: [], runText: "", args: new Map() };
  for (const line of instructions) {
    const [keyword = "", ...rest] = line.trim().split(/\s+/);
    if (keyword === "COPY") facts.copied.push(rest.at(-1) ?? "");
    if (keyword === "ARG" && rest[0]?.includes("=")) {
      const [name = "", value = ""] = rest[0].split("=");
      facts.args.set(name, value);
    }
    if (keyword !== "RUN") continue;
    facts.runText += line + "\n";
    // `dnf [options] install [options] pkg... [&& ...]`; "pkg${suffix}" names pkg.
    for (const match of line.matchAll(/\bdnf\b[^&]*?\binstall\b([^&]*)/g)) {
      for (const token of match[1]!.trim().split(/\s+/)) {
        const name = token.replace(/["']/g, "").replace(/\$\{[^}]*\}/g, "");
        if (name && !name.startsWith("-")) facts.installed.add(name);
      }
    }
  }
  return facts;
}

function readProvides(): Provides {
  return JSON.parse(fs.readFileSync(path.join(CENTOS_DIR, "provides.json"), "utf8")) as Provides;
}

/** The commands of `commands` that the image does not provide, as readable lines. */
function missingCommands(commands: SimpleCommand[], facts: DockerfileFacts, provides: Provides): string[] {
  const available = new Set(provides.base.commands);
  for (const [pkg, names] of Object.entries(provides.packages)) {
    if (facts.installed.has(pkg)) names.forEach((name) => available.add(name));
  }
  for (const dest of facts.copied) {
    if (/^\/usr\/(local\/)?s?bin\/[^/]+$/.test(dest)) available.add(path.posix.basename(dest));
  }
  const missing: string[] = [];
  for (const words of commands) {
    const [name = "", sub = ""] = words;
    // A command named by a variable cannot be checked statically.
    if (BUILTINS.has(name) || name.startsWith("$")) continue;
    const provided = name.includes("/") ? facts.copied.includes(name) : available.has(name);
    const plugin = name === "docker" ? provides.plugins[sub] : undefined;
    if (!provided) missing.push(`${name} (in: ${words.join(" ").slice(0, 80)})`);
    else if (plugin && !facts.installed.has(plugin)) missing.push(`docker ${sub} needs ${plugin}`);
  }
  return missing;
}

/** The seed lesson's runnable bash blocks and its check scripts (which run in the nodes too). */
function lessonBlocks(lang: string): { node: string; command: string }[] {
  const catalog = loadLessonCatalog(path.join(REPO_ROOT, "content/lessons"), (id) => `/api/lessons/${id}/assets`);
  const lesson = catalog.lessons.get(SEED_LESSON)?.get(lang);
  assert.ok(lesson, `${SEED_LESSON}/${lang}.md parses`);
  const checks = Object.values(catalog.secrets.get(SEED_LESSON)?.get(lang)?.checks ?? {});
  assert.ok(checks.length > 0, "the seed lesson has checks");
  return lesson.steps
    .flatMap((step) => step.blocks)
    .filter((block) => block.node && (block.language === "bash" || block.language === "sh"))
    .map((block) => ({ node: block.node ?? "", command: block.command }))
    .concat(checks.map((check) => ({ node: check.node, command: check.script })));
}

/** Shell scripts under infra/images: *.sh, or any file whose first line is a sh/bash shebang. */
function shellScripts(): string[] {
  return fs
    .readdirSync(IMAGES_DIR, { recursive: true, encoding: "utf8" })
    .map((relative) => path.join(IMAGES_DIR, relative))
    .filter((file) => fs.statSync(file).isFile())
    .filter((file) => file.endsWith(".sh") || /^#!.*\b(ba)?sh\b/.test(fs.readFileSync(file, "utf8").split("\n")[0]!))
    .sort();
}

const facts = readDockerfile(path.join(CENTOS_DIR, "Dockerfile"));
const provides = readProvides();

describe("CentOS node image recipe", () => {
  it("installs every package provides.json maps, from the base image it describes", () => {
    const notInstalled = [...Object.keys(provides.packages), ...Object.values(provides.plugins)].filter(
      (pkg) => !facts.installed.has(pkg),
    );
    assert.deepEqual(notInstalled, [], "provides.json names packages the Dockerfile does not install");
    assert.equal(facts.args.get("CENTOS_IMAGE"), provides.base.image);
    assert.ok(facts.installed.has("kubeadm") && facts.installed.has("docker-ce"), "the dnf line was parsed");
  });

  for (const lang of ["es", "en"]) {
    it(`(${lang}) provides every command the seed lesson runs`, () => {
      const commands = lessonBlocks(lang).flatMap((block) => simpleCommands(block.command));
      assert.ok(commands.length > 50, `found the lesson's commands (${commands.length})`);
      assert.deepEqual(missingCommands(commands, facts, provides), []);
    });

    it(`(${lang}) creates every /etc/kubelab file the seed lesson uses`, () => {
      const text = lessonBlocks(lang)
        .map((block) => block.command)
        .join("\n");
      const files = [...new Set(text.match(/\/etc\/kubelab\/[\w./-]*[\w-]/g) ?? [])];
      assert.ok(files.includes("/etc/kubelab/cni/kube-flannel.yml"), "the lesson applies the shipped flannel");
      for (const file of files) {
        assert.ok(
          facts.copied.includes(file) || facts.runText.includes(file),
          `${file} is neither copied nor written by the Dockerfile`,
        );
      }
    });
  }

  it("reports a command the image lacks, a missing plugin and an unknown absolute path", () => {
    const script = "helm install web ./chart | yq .\ndocker compose up\n/opt/tool/run";
    const lacking: DockerfileFacts = {
      ...facts,
      installed: new Set([...facts.installed].filter((p) => !p.includes("compose"))),
    };
    assert.deepEqual(
      missingCommands(simpleCommands(script), lacking, provides).map((line) => line.split(" ")[0]),
      ["helm", "yq", "docker", "/opt/tool/run"],
    );
  });

  it("finds commands across pipes, lists, substitutions, loop bodies and here-documents", () => {
    const script = [
      "POD=$(kubectl get pods -o name | head -n1) && echo $POD # not-a-command",
      "for S in a b; do curl -s http://$IP/ | grep Hostname; done",
      "cat > f.yaml <<'EOF'",
      "fake: command",
      "EOF",
      "kubectl patch x -p '",
      "spec: {}",
      "' 2>&1 || true",
      'kubectl patch y -p "$(jq -n .)"',
    ].join("\n");
    assert.deepEqual(
      simpleCommands(script).map((words) => words[0]),
      ["kubectl", "head", "echo", "curl", "grep", "cat", "kubectl", "true", "jq", "kubectl"],
    );
  });

  it("every shell script of the node images passes shellcheck, and npm run lint checks it too", () => {
    const scripts = shellScripts();
    assert.ok(
      scripts.some((file) => file.endsWith("kubeadm-wrapper.sh")),
      "found the CentOS scripts",
    );
    try {
      execFileSync("shellcheck", scripts, { cwd: REPO_ROOT, encoding: "utf8", stdio: "pipe" });
    } catch (error) {
      const { stdout = "", message } = error as { stdout?: string; message: string };
      assert.fail(`shellcheck found problems:\n${stdout || message}`);
    }
    // The root lint script's globs (`*` within one folder) must cover them all.
    const lint = (
      JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { scripts: { lint: string } }
    ).scripts.lint;
    const globs = (/shellcheck ([^&]*)/.exec(lint)?.[1] ?? "").trim().split(/\s+/);
    const covered = (relative: string): boolean =>
      globs.some((glob) => new RegExp(`^${glob.replace(/[.]/g, "\\.").replace(/\*/g, "[^/]*")}$`).test(relative));
    const uncovered = scripts.map((file) => path.relative(REPO_ROOT, file)).filter((file) => !covered(file));
    assert.deepEqual(uncovered, [], "scripts the lint step's shellcheck globs miss");
  });
});
