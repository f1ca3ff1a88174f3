// Runs a lesson the way an attendee would, in real nodes: its runnable blocks in order, in the
// node each names, and between them its checks (retried until they pass or a deadline), with
// the lesson's own parser (@kubelab/lessons, built: npm run build -w packages/lessons). Used by
// infra/images/node-centos/smoke-test.sh on the seed lesson; works with any lesson and any node
// containers (docs/node-images.md, "Smoke test").
//
//   node scripts/run-lesson.mjs --lessons-dir content/lessons --lesson ID [--lang es]
//     --node node1=CONTAINER --node node2=CONTAINER [options]
//
// Options:
//   --check-deadline S   how long a check is retried (every 5 s) before the run fails (300)
//   --block-timeout S    longest a run block may take (900); longer fails the run
//   --blocking-timeout S longest a blocking block (-w, --follow, compose up) stays up (600)
//   --skip REGEX         run blocks whose text matches are not run (e.g. optional image builds)
//   --edit-hook CMD      edit blocks (typed without Enter, to complete by hand) go to CMD, run by
//                        bash on this host with KUBELAB_BLOCK_NODE, KUBELAB_BLOCK_COMMAND and
//                        KUBELAB_CONTAINER_<node> set; what it prints is run instead (empty: skip).
//                        Without a hook, edit blocks are skipped.
//   --port-base URL      the port proxy's path-form prefix, e.g. http://host/ports/<session>: each
//                        step's port links must answer 2xx/3xx there once the step's checks pass
//   --cookie VALUE       Cookie header for --port-base (the session owner's login)
//   --session ID, --user NAME   values of {{session.id}} and {{user.name}}
//
// Shell state: each node keeps one "terminal": the variables and the working directory a run block
// leaves behind are restored before the next block on that node, as in the attendee's shell.
// A blocking block runs in the background until the next block on its node (the attendee's
// Ctrl+C: SIGINT to its process group) or the end of the run. Run blocks that exit non-zero are
// reported and the run goes on (lessons show failing commands on purpose); checks decide. Exit
// code: 0 when every check passed, 1 on the first check that did not, 2 on bad usage.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

// Commands that run until interrupted. The attendee reads their output and presses Ctrl+C.
const BLOCKING = [
  /\bkubectl\b[^\n|;&]*\s(get|events)\b[^\n|;&]*\s(-w|--watch|--watch-only)(\s|=|$)/m,
  /\bkubectl\b[^\n|;&]*\s(logs|attach)\b[^\n|;&]*\s(-f|--follow)(\s|=|$)/m,
  /\bkubectl\b[^\n|;&]*\sport-forward\b/m,
  /\bdocker\b[^\n|;&]*\slogs\b[^\n|;&]*\s(-f|--follow)(\s|$)/m,
  /\bdocker compose\b[^\n|;&]*\s(up)\b(?![^\n|;&]*\s(-d|--detach)\b)/m,
  /(^|[;&|]\s*)tail\s+-[fF]\b/m,
  /^\s*watch\s/m,
];
export const isBlocking = (command) => BLOCKING.some((pattern) => pattern.test(command));

// The node side of one block: restore the node's "terminal" (variables, directory), run the block
// (given in KUBELAB_BLOCK, so no quoting), save the terminal again.
const TERMINAL = String.raw`
state=/tmp/kubelab-run-lesson
mkdir -p "$state"
[ -f "$state/vars" ] && . "$state/vars" 2>/dev/null
cd "$(cat "$state/cwd" 2>/dev/null || echo "$HOME")" 2>/dev/null || cd
[ "$KUBELAB_BACKGROUND" = 1 ] && echo $$ >"$state/blocking.pid"
eval "$KUBELAB_BLOCK"
kubelab_rc=$?
if [ "$KUBELAB_BACKGROUND" != 1 ]; then
  pwd >"$state/cwd"
  skip='^(BASH.*|SHELLOPTS|EUID|PPID|UID|SHLVL|PWD|OLDPWD|HOSTNAME|HOSTTYPE|MACHTYPE|OSTYPE|_|RANDOM|SRANDOM|SECONDS|LINENO|FUNCNAME|GROUPS|DIRSTACK|PIPESTATUS|EPOCH.*|COMP_.*|HIST.*|OPTIND|OPTERR|OPTARG|IFS|PS[0-9]|TERM|HOME|PATH|state|skip|kubelab_.*|KUBELAB_.*)$'
  for name in $(compgen -v); do
    [[ $name =~ $skip ]] || declare -p "$name" 2>/dev/null
  done | grep -v '^declare -[a-zA-Z]*r' >"$state/vars.new"
  mv "$state/vars.new" "$state/vars"
fi
exit $kubelab_rc
`;

// Ctrl+C for a blocking block: SIGINT to its process group, then SIGKILL if it lingers.
const INTERRUPT = String.raw`
# The background block writes its pid as it starts: give it a moment.
for _ in $(seq 20); do [ -f /tmp/kubelab-run-lesson/blocking.pid ] && break; sleep 0.5; done
pid=$(cat /tmp/kubelab-run-lesson/blocking.pid 2>/dev/null) || exit 0
rm -f /tmp/kubelab-run-lesson/blocking.pid
group=$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ')
[ -n "$group" ] || exit 0
kill -INT -- "-$group" 2>/dev/null
for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.5; done
kill -KILL -- "-$group" 2>/dev/null
exit 0
`;

function usage(message) {
  console.error(`run-lesson: ${message} (--help for the options)`);
  process.exit(2);
}

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      "lessons-dir": { type: "string" },
      lesson: { type: "string" },
      lang: { type: "string", default: "es" },
      node: { type: "string", multiple: true, default: [] },
      "check-deadline": { type: "string", default: "300" },
      "block-timeout": { type: "string", default: "900" },
      "blocking-timeout": { type: "string", default: "600" },
      skip: { type: "string" },
      "edit-hook": { type: "string" },
      "port-base": { type: "string" },
      cookie: { type: "string" },
      session: { type: "string", default: "session" },
      user: { type: "string", default: "Kubelab" },
    },
  });
  if (!values["lessons-dir"] || !values.lesson) usage("--lessons-dir and --lesson are required");
  const containers = new Map();
  for (const pair of values.node) {
    const [name, container] = pair.split("=");
    if (!name || !container) usage(`--node expects NAME=CONTAINER, not "${pair}"`);
    containers.set(name, container);
  }
  const seconds = (name) => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value <= 0) usage(`--${name} expects seconds`);
    return value;
  };
  return {
    lessonsDir: path.resolve(values["lessons-dir"]),
    lesson: values.lesson,
    lang: values.lang,
    containers,
    checkDeadline: seconds("check-deadline"),
    blockTimeout: seconds("block-timeout"),
    blockingTimeout: seconds("blocking-timeout"),
    skip: values.skip ? new RegExp(values.skip, "m") : null,
    editHook: values["edit-hook"] ?? null,
    portBase: values["port-base"]?.replace(/\/+$/, "") ?? null,
    cookie: values.cookie ?? null,
    session: values.session,
    user: values.user,
  };
}

/** The lesson, its secrets (check scripts) and, per step, its blocks and checks in page order. */
export async function loadPlan(lessonsDir, id, lang) {
  const lessonsPackage = path.join(root, "packages/lessons/dist/index.js");
  const { loadLessonCatalog } = await import(lessonsPackage);
  const { lessons, secrets, errors } = loadLessonCatalog(lessonsDir, (lessonId) => `/api/lessons/${lessonId}/assets`);
  const lesson = lessons.get(id)?.get(lang);
  if (!lesson) {
    const why = errors.map((e) => e.message ?? String(e)).join("\n");
    throw new Error(`lesson ${id} (${lang}) not found in ${lessonsDir}${why ? `:\n${why}` : ""}`);
  }
  const checks = secrets.get(id)?.get(lang)?.checks ?? {};
  const steps = lesson.steps.map((step) => {
    const blocks = new Map(step.blocks.map((b) => [b.id, b]));
    const actions = [];
    for (const match of step.html.matchAll(/data-(block|check)-id="([^"]+)"/g)) {
      const [, kind, itemId] = match;
      if (kind === "block") {
        const block = blocks.get(itemId);
        if (block?.node && block.mode !== "copy")
          actions.push({ kind: block.mode, node: block.node, command: block.command });
      } else {
        const check = checks[itemId];
        if (!check) throw new Error(`check ${itemId} of step ${step.index + 1} has no script in the lesson's secrets`);
        actions.push({
          kind: "check",
          id: itemId,
          node: check.node,
          script: check.script,
          timeout: check.timeoutSeconds,
        });
      }
    }
    return { index: step.index, title: step.title, actions, portLinks: step.portLinks };
  });
  return { lesson, steps };
}

const log = (line) => console.log(`[run-lesson ${new Date().toISOString().slice(11, 19)}] ${line}`);
const firstLine = (text) => text.trim().split("\n")[0].slice(0, 100);

/** Runs `docker args...`; resolves with the exit code and the combined output (never rejects). */
function docker(args, { env = {}, echo = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn("docker", args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const take = (chunk) => {
      output += chunk;
      if (echo) process.stdout.write(chunk);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("close", (code) => resolve({ code: code ?? -1, output }));
    child.on("error", (error) => resolve({ code: -1, output: String(error) }));
  });
}

async function nodeAddress(container) {
  const { code, output } = await docker(["exec", container, "hostname", "-i"]);
  return code === 0 ? output.trim().split(/\s+/)[0] : "";
}

/** Fills in the lesson variables ({{node1.ip}}, ...) as the lab page would for this session. */
function substitute(text, values) {
  return text.replace(
    /\{\{\s*(session\.id|user\.name|(node[1-9])\.(hostname|ip|url\.(\d{1,5})|pathurl\.(\d{1,5})))\s*\}\}/g,
    (whole, name, node, field, urlPort, pathPort) => {
      if (name === "session.id") return values.session;
      if (name === "user.name") return values.user;
      if (field === "hostname") return node;
      if (field === "ip") return values.addresses.get(node) ?? whole;
      const port = urlPort ?? pathPort;
      return values.portBase ? `${values.portBase}/${node}/${port}/` : whole;
    },
  );
}

export async function runLesson(options) {
  const { steps } = await loadPlan(options.lessonsDir, options.lesson, options.lang);
  const nodes = new Set(steps.flatMap((s) => s.actions.map((a) => a.node)));
  for (const node of nodes) {
    if (!options.containers.has(node)) throw new Error(`the lesson uses ${node}: pass --node ${node}=CONTAINER`);
  }
  const addresses = new Map();
  for (const [node, container] of options.containers) {
    addresses.set(node, await nodeAddress(container));
    await docker(["exec", container, "rm", "-rf", "/tmp/kubelab-run-lesson"]);
  }
  const values = { session: options.session, user: options.user, addresses, portBase: options.portBase };
  const blocking = new Set();
  const interrupt = async (node) => {
    if (!blocking.delete(node)) return;
    log(`${node}: Ctrl+C (stopping the blocking command)`);
    await docker(["exec", options.containers.get(node), "bash", "-c", INTERRUPT]);
  };
  const counts = { blocks: 0, checks: 0, skipped: 0 };
  try {
    for (const step of steps) {
      log(`step ${step.index + 1}: ${step.title}`);
      for (const action of step.actions) {
        const container = options.containers.get(action.node);
        if (action.kind === "check") {
          await runCheck(action, container, options.checkDeadline, step);
          counts.checks += 1;
          continue;
        }
        let command = substitute(action.command, values);
        if (action.kind === "edit") {
          command = editHook(options, action.node, command);
          if (!command) {
            log(`${action.node}: skip edit block: ${firstLine(action.command)}`);
            counts.skipped += 1;
            continue;
          }
        }
        if (options.skip?.test(command)) {
          log(`${action.node}: skip (--skip): ${firstLine(command)}`);
          counts.skipped += 1;
          continue;
        }
        await interrupt(action.node);
        counts.blocks += 1;
        if (isBlocking(command)) {
          log(`${action.node}$ ${firstLine(command)}   [blocking: runs in the background until the next block]`);
          const timeout = String(options.blockingTimeout);
          const args = ["exec", "-d", "-e", `KUBELAB_BLOCK=${command}`, "-e", "KUBELAB_BACKGROUND=1", container];
          await docker([...args, "timeout", "-k", "5", timeout, "bash", "-c", TERMINAL]);
          blocking.add(action.node);
          continue;
        }
        log(`${action.node}$ ${firstLine(command)}`);
        const timeout = String(options.blockTimeout);
        const { code } = await docker(
          ["exec", "-e", `KUBELAB_BLOCK=${command}`, container, "timeout", "-k", "10", timeout, "bash", "-c", TERMINAL],
          { echo: true },
        );
        if (code === 124 || code === 137)
          throw new Error(`a run block on ${action.node} took over ${timeout} s: ${firstLine(command)}`);
        if (code !== 0) log(`${action.node}: exit ${code} (the run goes on; the checks decide)`);
      }
      for (const link of step.portLinks) await probePort(options, link);
    }
  } finally {
    for (const node of [...blocking]) await interrupt(node);
  }
  log(`PASSED: ${counts.checks} checks, ${counts.blocks} blocks run, ${counts.skipped} skipped, ${steps.length} steps`);
  return counts;
}

function editHook(options, node, command) {
  if (!options.editHook) return "";
  const env = { ...process.env, KUBELAB_BLOCK_NODE: node, KUBELAB_BLOCK_COMMAND: command };
  for (const [name, container] of options.containers) env[`KUBELAB_CONTAINER_${name}`] = container;
  const result = spawnSync("bash", ["-c", options.editHook], { env, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`--edit-hook failed for "${firstLine(command)}": ${result.stderr}`);
  return result.stdout.trim();
}

async function runCheck(check, container, deadlineSeconds, step) {
  const deadline = Date.now() + deadlineSeconds * 1000;
  for (let attempt = 1; ; attempt++) {
    // As the server runs it: bash in the node, killed at the check's time limit.
    const { code, output } = await docker([
      "exec",
      container,
      "timeout",
      "-k",
      "2",
      String(check.timeout),
      "bash",
      "-c",
      check.script,
    ]);
    if (code === 0) {
      log(`PASS ${check.id} (${check.node}): ${firstLine(output)}`);
      return;
    }
    if (Date.now() >= deadline) {
      const why = code === 124 ? `timed out after ${check.timeout} s` : `exit ${code}`;
      throw new Error(
        `FAIL ${check.id} (${check.node}, step ${step.index + 1} "${step.title}", ${why}, ${attempt} tries):\n${output.trim()}`,
      );
    }
    if (attempt === 1) log(`${check.id} not yet (${firstLine(output)}); retrying every 5 s`);
    await sleep(5000);
  }
}

/** GET url (10 s at most); resolves with the status code, the body read and dropped. */
function httpStatus(url, cookie) {
  return new Promise((resolve, reject) => {
    const client = url.startsWith("https:") ? https : http;
    const req = client.get(url, { headers: cookie ? { cookie } : {}, timeout: 10_000 }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    });
    req.on("timeout", () => req.destroy(new Error("no answer within 10 s")));
    req.on("error", reject);
  });
}

async function probePort(options, link) {
  if (!options.portBase) return;
  const url = `${options.portBase}/${link.node}/${link.port}${link.path}`;
  const deadline = Date.now() + options.checkDeadline * 1000;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const status = await httpStatus(url, options.cookie);
      if (status < 400) {
        log(`PASS port link ${link.node}:${link.port}${link.path} through the proxy (HTTP ${status})`);
        return;
      }
      last = `HTTP ${status}`;
    } catch (error) {
      last = error.message;
    }
    await sleep(5000);
  }
  throw new Error(`FAIL port link ${link.node}:${link.port}${link.path}: ${url} did not answer (${last})`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    const header = fs.readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n");
    console.log(
      header
        .slice(
          0,
          header.findIndex((line) => !line.startsWith("//")),
        )
        .map((l) => l.slice(3))
        .join("\n"),
    );
    process.exit(0);
  }
  const options = parseOptions(process.argv.slice(2));
  runLesson(options).then(
    () => process.exit(0),
    (error) => {
      console.error(`[run-lesson] ${error.message}`);
      process.exit(1);
    },
  );
}
