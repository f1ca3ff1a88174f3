// Node terminals over WebSocket: real server, real Docker nodes, real WebSocket clients.
import assert from "node:assert/strict";
import { once } from "node:events";
import fs from "node:fs";
import net from "node:net";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { TERMINAL_CLOSE_CODES } from "@kubelab/shared";
import { docker, execIn } from "./support/docker-objects";
import { useKubelab, type LabFixture } from "./support/lab-fixture";
import { TerminalClient, type ConnectOptions } from "./support/terminal-client";
import { waitFor } from "./support/wait-for";

const ORIGIN = "http://localhost:4300";

/** Opens terminals in the fixture's session as its owner, from the configured origin. */
function terminalOpener(lab: LabFixture) {
  return (node: string, options: ConnectOptions = {}) =>
    TerminalClient.connect(lab.owner, ORIGIN, lab.session.id, node, options);
}

describe("node terminals", () => {
  // Pings far apart here: the flow-control test below has a client that stops reading for 30 s.
  const lab = useKubelab({
    env: { PUBLIC_URL: ORIGIN, TERMINAL_PING_INTERVAL: "90s", MAX_SESSIONS_PER_USER: "2" },
    withReadySession: true,
  });

  const open = terminalOpener(lab);

  it("runs a login shell in the node with TERM and cwd set, and echoes input", async () => {
    const term = await open("node1", { terminal: "echo" });
    const hello = term.messages[0];
    assert.deepEqual(hello, { type: "hello", terminal: "echo", node: "node1", created: true, seq: 0 });
    term.send('echo "$((6 * 7))-$(hostname)-$TERM-$(pwd)"\n');
    await term.waitForOutput(/42-node1-xterm-256color-\/root/);
    term.close();
  });

  it("tells whether a command runs in a terminal's foreground (the lab page's Run asks first)", async () => {
    const term = await open("node1", { terminal: "fg" });
    const foreground = async (terminal = "fg") =>
      (await lab.owner.request(
        "GET",
        `/api/sessions/${lab.session.id}/nodes/node1/terminal/foreground?terminal=${terminal}`,
      )) as { status: number; body: unknown };
    term.send("echo ready-$((1+1))\n");
    await term.waitForOutput(/ready-2/);
    assert.deepEqual((await foreground()).body, { busy: false, command: null });
    term.send("sleep 300\n");
    await waitFor(
      "sleep in the foreground",
      async () => ((await foreground()).body as { busy: boolean }).busy || undefined,
      10_000,
    );
    assert.deepEqual((await foreground()).body, { busy: true, command: "sleep 300" });
    // A nested interactive shell is a prompt, not a busy terminal.
    term.send("\u0003");
    term.send("bash\n");
    await term.waitForOutput(/[#$] ?$/, 10_000, term.output.length);
    await sleep(300);
    assert.deepEqual((await foreground()).body, { busy: false, command: null });
    term.send("exit\n");
    // No such terminal (never opened): nothing runs in it. Other users: 404.
    assert.deepEqual((await foreground("none")).body, { busy: false, command: null });
    const other = lab.server.client();
    await other.loginAsGuest("Olga");
    const refused = await other.request(
      "GET",
      `/api/sessions/${lab.session.id}/nodes/node1/terminal/foreground?terminal=fg`,
    );
    assert.equal(refused.status, 404);
    term.close();
  });

  it("resizes the TTY (stty size shows the new size)", async () => {
    const term = await open("node2", { terminal: "resize", cols: 91, rows: 33 });
    term.send("stty size\n");
    await term.waitForOutput(/^33 91\r?$/m);
    term.resize(120, 40);
    await sleep(200);
    const mark = term.output.length;
    term.send("stty size\n");
    await term.waitForOutput(/^40 120\r?$/m, 10_000, mark);
    term.close();
  });

  it("keeps two terminals on one node independent, and shows one terminal to two sockets", async () => {
    const a = await open("node1", { terminal: "a" });
    const b = await open("node1", { terminal: "b" });
    a.send("cd /tmp && export WHO=terminal-a\n");
    b.send('echo "[$(pwd)|${WHO:-unset}]"\n');
    await b.waitForOutput(/\[\/root\|unset\]/);
    const aAgain = await open("node1", { terminal: "a" });
    assert.equal(aAgain.messages[0]?.type === "hello" && aAgain.messages[0].created, false);
    a.send('echo "[$(pwd)|$WHO]"\n');
    await a.waitForOutput(/\[\/tmp\|terminal-a\]/);
    await aAgain.waitForOutput(/\[\/tmp\|terminal-a\]/);
    for (const t of [a, b, aAgain]) t.close();
  });

  it("resumes after a dropped connection with exactly the missing bytes: no duplicates, no gaps", async () => {
    const first = await open("node1", { terminal: "seq" });
    // A marker line before and after makes the command's own output easy to cut out.
    first.send("echo BEGIN-$((1+1)); seq 1 200000; echo END-$((2+2))\n");
    await first.waitForOutput(/BEGIN-2/);
    await waitFor("some seq output", () => (first.output.length > 50_000 ? true : undefined), 20_000, 5);
    first.drop();
    const received = first.output;
    const resumeAt = first.seq;
    await sleep(300);

    const second = await open("node1", { terminal: "seq", resume: resumeAt });
    assert.ok(!second.messages.some((m) => m.type === "gap"), JSON.stringify(second.messages));
    assert.equal(second.messages[0]?.type === "hello" && second.messages[0].seq, resumeAt);
    await second.waitForOutput(/END-4/, 60_000);
    const all = Buffer.concat([received, second.output]).toString("utf8").replace(/\r\n/g, "\n");
    const body = all.slice(all.indexOf("BEGIN-2\n") + "BEGIN-2\n".length, all.indexOf("END-4"));
    const expected = Array.from({ length: 200000 }, (_, i) => `${i + 1}\n`).join("");
    assert.equal(body.length, expected.length, "same length");
    assert.ok(body === expected, "output identical to seq's");
    second.close();
  });

  it("reports an explicit gap when the replay buffer no longer reaches back", async () => {
    const term = await open("node2", { terminal: "gap" });
    const resumeAt = term.seq;
    term.send("head -c 6000000 /dev/zero | tr '\\0' x; echo; echo GAP-$((3+3))\n");
    await term.waitForOutput(/GAP-6/, 60_000);
    term.close();
    const again = await open("node2", { terminal: "gap", resume: resumeAt });
    const gap = again.messages.find((m) => m.type === "gap");
    assert.ok(gap && gap.type === "gap", "a gap notice");
    assert.equal(gap.from, resumeAt);
    const hello = again.messages[0];
    assert.ok(hello?.type === "hello" && hello.seq === gap.to, "data resumes where the gap ends");
    again.close();
  });

  it("stays bounded when a client stops reading during `yes`, keeps other terminals responsive, and Ctrl-C stops it", async (t) => {
    const pid = lab.server.process.pid!;
    const rss = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;
    const slow = await open("node1", { terminal: "yes" });
    const other = await open("node2", { terminal: "other" });
    const baseline = rss();
    slow.send("yes\n");
    await slow.waitForOutput(/^y$/m);
    // Stop reading: the TCP window fills, the server's send callbacks stop, flow control pauses the shell.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    let peak = 0;
    const started = Date.now();
    while (Date.now() - started < 30_000) {
      await sleep(1_000);
      peak = Math.max(peak, rss());
      const mark = other.output.length;
      const t0 = Date.now();
      other.send(`echo ping-${t0}\n`);
      await other.waitForOutput(new RegExp(`^ping-${t0}\\r?$`, "m"), 5_000, mark);
      assert.ok(Date.now() - t0 < 2_000, `other terminal answered in ${Date.now() - t0} ms`);
    }
    const growth = peak - baseline;
    t.diagnostic(
      `server RSS ${Math.round(baseline / 1024 / 1024)} MiB before, peak ${Math.round(peak / 1024 / 1024)} MiB during 30 s of yes`,
    );
    // Bound: replay buffer (2 MiB) + per-socket high watermark (256 KiB) + allocator slack.
    assert.ok(growth < 64 * 1024 ** 2, `server RSS grew by ${Math.round(growth / 1024 / 1024)} MiB`);
    slow.send("\x03");
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    await waitFor(
      "yes to be gone from node1",
      async () =>
        (await execIn(`kubelab-${lab.session.id}-node1`, ["pgrep", "-x", "yes"])).exitCode === 1 ? true : undefined,
      30_000,
    );
    const mark = slow.output.length;
    slow.send("echo after-ctrl-c\n");
    await slow.waitForOutput(/^after-ctrl-c\r?$/m, 30_000, mark);
    slow.close();
    other.close();
  });

  it("accepts a 10 MB paste in chunks and delivers every byte", async () => {
    const term = await open("node2", { terminal: "paste" });
    term.send("stty -echo; head -c 10485760 > /tmp/paste; stty echo; wc -c < /tmp/paste; md5sum /tmp/paste\n");
    await sleep(500);
    const line = Buffer.from(`${"k".repeat(1023)}\n`);
    const chunk = Buffer.concat(Array.from({ length: 64 }, () => line)); // 64 KiB
    for (let i = 0; i < 160; i++) term.send(chunk);
    await term.waitForOutput(/^10485760\r?$/m, 120_000);
    const md5 = (await execIn(`kubelab-${lab.session.id}-node2`, ["md5sum", "/tmp/paste"])).output.split(" ")[0];
    const { createHash } = await import("node:crypto");
    const expected = createHash("md5")
      .update(Buffer.concat(Array.from({ length: 160 }, () => chunk)))
      .digest("hex");
    assert.equal(md5, expected);
    term.close();
  });

  it("refuses a single frame over 1 MiB with close code 1009, and the terminal lives on", async () => {
    const term = await open("node1", { terminal: "big" });
    term.send(Buffer.alloc(1024 * 1024 + 1, 0x61));
    const closed = await term.closed;
    assert.equal(closed.code, TERMINAL_CLOSE_CODES.messageTooBig);
    const again = await open("node1", { terminal: "big" });
    again.send("echo still-here\n");
    await again.waitForOutput(/^still-here\r?$/m);
    again.close();
  });

  it("answers bad control messages with an error message and keeps the connection", async () => {
    const term = await open("node1", { terminal: "bad" });
    term.ws.send("not json");
    term.ws.send(JSON.stringify({ type: "resize", cols: -1, rows: 5 }));
    await waitFor("two error messages", () =>
      term.messages.filter((m) => m.type === "error").length === 2 ? true : undefined,
    );
    term.send("echo alive\n");
    await term.waitForOutput(/^alive\r?$/m);
    term.close();
  });

  it("refuses upgrades before starting anything: bad origin, no login, other user, bad node, bad query", async () => {
    const containerBefore = await docker.getContainer(`kubelab-${lab.session.id}-node1`).inspect();
    const execsBefore = containerBefore.ExecIDs?.length ?? 0;
    const mallory = lab.server.client();
    await mallory.loginAsGuest("Mallory");
    const anonymous = lab.server.client();
    const cases: [string, ReturnType<typeof TerminalClient.refusal>, number, string][] = [
      [
        "forged origin",
        TerminalClient.refusal(lab.owner, ORIGIN, lab.session.id, "node1", { origin: "http://evil.example" }),
        403,
        "forbidden",
      ],
      [
        "missing origin",
        TerminalClient.refusal(lab.owner, ORIGIN, lab.session.id, "node1", { origin: null }),
        403,
        "forbidden",
      ],
      ["no login", TerminalClient.refusal(anonymous, ORIGIN, lab.session.id, "node1"), 401, "unauthenticated"],
      ["another user's session", TerminalClient.refusal(mallory, ORIGIN, lab.session.id, "node1"), 404, "not_found"],
      [
        "node outside the session",
        TerminalClient.refusal(lab.owner, ORIGIN, lab.session.id, "node3"),
        404,
        "not_found",
      ],
      ["guessed session id", TerminalClient.refusal(lab.owner, ORIGIN, "0".repeat(32), "node1"), 404, "not_found"],
      [
        "bad terminal id",
        TerminalClient.refusal(lab.owner, ORIGIN, lab.session.id, "node1", { terminal: "../x" }),
        400,
        "bad_request",
      ],
    ];
    const requestIds = new Set<string>();
    for (const [what, attempt, status, code] of cases) {
      const res = await attempt;
      assert.equal(res.status, status, what);
      assert.equal(res.body.error.code, code, what);
      // Each refusal can be found in the server log by the id the client was given.
      assert.match(res.requestId ?? "", /^[0-9a-f-]{36}$/, what);
      requestIds.add(res.requestId!);
      await waitFor(
        `the log line of ${what}`,
        () => (lab.server.logs().includes(`${status} ${code} (request ${res.requestId})`) ? true : undefined),
        5_000,
      );
    }
    assert.equal(requestIds.size, cases.length, "every refusal has its own request id");
    const containerAfter = await docker.getContainer(`kubelab-${lab.session.id}-node1`).inspect();
    assert.equal(containerAfter.ExecIDs?.length ?? 0, execsBefore, "no exec was started");
  });

  it("stays up when clients reset their upgrade connections while they are checked or refused", async () => {
    const upgrade = (origin: string, path = `/api/sessions/${lab.session.id}/nodes/node1/terminal`): string =>
      [
        `GET ${path} HTTP/1.1`,
        "Host: localhost:4300",
        "Connection: Upgrade",
        "Upgrade: websocket",
        "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        `Origin: ${origin}`,
        `Cookie: ${lab.owner.cookieHeader ?? ""}`,
        "",
        "",
      ].join("\r\n");
    // Terminals refused at once (a forged origin) or after the login is read (a node that does not
    // exist), and port WebSockets refused after the access check (nothing listens on the port);
    // each connection is reset right after the request or a moment later.
    const requests = [
      upgrade("http://evil.example"),
      upgrade(ORIGIN).replace("/node1/", "/node3/"),
      upgrade(ORIGIN, `/ports/${lab.session.id}/node1/8999/`),
    ];
    for (let i = 0; i < 60; i++) {
      const socket = net.connect(lab.server.port, "127.0.0.1");
      socket.on("error", () => undefined);
      await once(socket, "connect");
      socket.write(requests[i % requests.length]!);
      if (i % 4 >= 2) await sleep(i % 8);
      socket.resetAndDestroy();
    }
    await sleep(500);
    const health = await fetch(`${lab.server.url}/api/health`);
    assert.equal(health.status, 200, "the server answers after the resets");
    assert.equal(lab.server.process.exitCode, null, "the server process is still running");
  });

  it("closes sockets with 4001 and a reason when the session is deleted, and the shells are gone", async () => {
    const other = await lab.owner.createSession();
    assert.equal((await lab.owner.waitUntilSettled(other.id)).status, "ready");
    const t1 = await TerminalClient.connect(lab.owner, ORIGIN, other.id, "node1");
    const t2 = await TerminalClient.connect(lab.owner, ORIGIN, other.id, "node2");
    t1.send("sleep 1000\n");
    await sleep(300);
    assert.equal((await lab.owner.request("DELETE", `/api/sessions/${other.id}`)).status, 204);
    for (const t of [t1, t2]) {
      const closed = await t.closed;
      assert.equal(closed.code, TERMINAL_CLOSE_CODES.sessionEnded);
      assert.match(closed.reason, /session ended: deleted/);
    }
    await assert.rejects(docker.getContainer(`kubelab-${other.id}-node1`).inspect(), /no such container/i);
  });
});

describe("terminal keep-alive and grace period", () => {
  const lab = useKubelab({
    env: { PUBLIC_URL: ORIGIN, TERMINAL_PING_INTERVAL: "1s", TERMINAL_GRACE: "3s" },
    withReadySession: true,
  });

  const open = terminalOpener(lab);

  it("keeps idle terminals alive with pings", async () => {
    const term = await open("node2", { terminal: "idle" });
    let pings = 0;
    term.ws.on("ping", () => pings++);
    await sleep(3_500);
    assert.ok(pings >= 2, `received ${pings} pings`);
    assert.equal(term.ws.readyState, term.ws.OPEN);
    term.close();
  });

  it("ends an unwatched terminal and everything started in it after the grace period", async () => {
    const term = await open("node1", { terminal: "grace" });
    term.send("sleep 777 & sleep 778\n");
    const node1 = `kubelab-${lab.session.id}-node1`;
    await waitFor("the sleeps to run", async () =>
      (await execIn(node1, ["pgrep", "-f", "sleep 77[78]"])).exitCode === 0 ? true : undefined,
    );
    term.close();
    // Within the grace period a reconnect finds the same shell.
    await sleep(1_000);
    const back = await open("node1", { terminal: "grace" });
    assert.equal(back.messages[0]?.type === "hello" && back.messages[0].created, false);
    back.close();
    await waitFor(
      "the terminal's processes to be gone",
      async () => ((await execIn(node1, ["pgrep", "-f", "sleep 77[78]"])).exitCode === 1 ? true : undefined),
      15_000,
    );
    const fresh = await open("node1", { terminal: "grace" });
    assert.equal(fresh.messages[0]?.type === "hello" && fresh.messages[0].created, true);
    fresh.close();
  });
});
