// Prometheus /metrics (METRICS_TOKEN on the main port, or METRICS_PORT without a token), readiness
// (/api/ready) and LOG_FORMAT=json. Real server, engine and database; the server reaches the engine
// through a Unix-socket relay this test can switch off (an engine that stops answering: the server
// refuses to start without one, so DOCKER_HOST cannot simply point nowhere).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { ENGINE_ADDRESS, removeInstanceObjects } from "./support/docker-objects";
import { freePort } from "./support/free-port";
import { KubelabServer } from "./support/kubelab-server";
import { useKubelab } from "./support/lab-fixture";
import { TerminalClient } from "./support/terminal-client";
import { waitFor } from "./support/wait-for";

const TOKEN = randomBytes(24).toString("hex");

/** Relays every connection to the engine while up; when down, drops them all and refuses new ones. */
function startEngineRelay(socketPath: string) {
  let up = true;
  const connections = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (!up) {
      client.destroy();
      return;
    }
    connections.add(client);
    const engine = net.connect(ENGINE_ADDRESS);
    client.pipe(engine);
    engine.pipe(client);
    client.on("error", () => engine.destroy());
    engine.on("error", () => client.destroy());
    client.on("close", () => {
      connections.delete(client);
      engine.destroy();
    });
    engine.on("close", () => client.destroy());
  });
  server.listen(socketPath);
  return {
    setUp(value: boolean): void {
      up = value;
      if (!value) for (const socket of connections) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of connections) socket.destroy();
      }),
  };
}

/** The value of one sample (`name{labels}`) in a Prometheus text exposition; 0 when absent. */
function sample(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe("metrics, readiness and JSON logs", () => {
  const socketPath = path.join(os.tmpdir(), `kubelab-metrics-relay-${randomBytes(4).toString("hex")}.sock`);
  const relay = startEngineRelay(socketPath);
  const lab = useKubelab({
    env: {
      DOCKER_HOST: `unix://${socketPath}`,
      METRICS_TOKEN: TOKEN,
      LOG_FORMAT: "json",
      READY_CHECK_INTERVAL: "1s",
    },
  });
  // After the fixture's teardown (the server needs the engine to shut down cleanly).
  after(async () => {
    await relay.close();
    fs.rmSync(socketPath, { force: true });
  });

  const scrape = async (auth?: string): Promise<Response> =>
    fetch(`${lab.server.url}/metrics`, auth === undefined ? {} : { headers: { authorization: auth } });

  it("answers 401 without the token or with a wrong one", async () => {
    const none = await scrape();
    assert.equal(none.status, 401);
    assert.match(none.headers.get("www-authenticate") ?? "", /^Bearer/);
    assert.equal((await scrape(`Bearer ${TOKEN}x`)).status, 401);
    assert.equal((await scrape(`Basic ${TOKEN}`)).status, 401);
  });

  it("with the token, the session counters and gauges move after a create", async () => {
    const before = await (await scrape(`Bearer ${TOKEN}`)).text();
    assert.match(before, /# TYPE kubelab_sessions gauge/);
    assert.equal(sample(before, 'kubelab_sessions{status="ready"}'), 0);
    assert.match(before, /kubelab_queue_length 0/);
    assert.match(before, /kubelab_event_attendees 0/);

    const owner = lab.server.client();
    await owner.loginAsGuest("Metrics");
    const session = await owner.createSession();
    const ready = await owner.waitUntilSettled(session.id);
    assert.equal(ready.status, "ready", ready.reason ?? "");

    const res = await scrape(`Bearer ${TOKEN}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain/);
    const text = await res.text();
    assert.equal(sample(text, 'kubelab_sessions{status="ready"}'), 1);
    assert.equal(
      sample(text, 'kubelab_sessions_created_total{outcome="created"}') -
        sample(before, 'kubelab_sessions_created_total{outcome="created"}'),
      1,
    );
    assert.equal(sample(text, 'kubelab_session_provision_seconds_count{kind="cold"}'), 1);
    assert.ok(sample(text, 'kubelab_login_attempts_total{provider="guest",outcome="succeeded"}') >= 1);
    assert.match(text, /kubelab_terminals_open 0/);

    // A terminal: open while it runs, bytes both ways.
    const terminal = await TerminalClient.connect(owner, `http://localhost:${lab.server.port}`, session.id, "node1");
    terminal.send("echo metrics-$((6*7))\r");
    await terminal.waitForOutput(/metrics-42/);
    const typed = await (await scrape(`Bearer ${TOKEN}`)).text();
    assert.equal(sample(typed, "kubelab_terminals_open"), 1);
    assert.ok(sample(typed, 'kubelab_terminal_bytes_total{direction="in"}') >= "echo metrics-$((6*7))\r".length);
    assert.ok(sample(typed, 'kubelab_terminal_bytes_total{direction="out"}') > 0);
    terminal.close();

    // A port request (nothing listens on 8000: the proxy answers itself), counted with its latency.
    const proxied = await fetch(`${lab.server.url}/ports/${session.id}/node1/8000/`, {
      headers: { cookie: owner.cookieHeader ?? "", accept: "application/json" },
    });
    await proxied.arrayBuffer();
    const ported = await (await scrape(`Bearer ${TOKEN}`)).text();
    const status = `${Math.floor(proxied.status / 100)}xx`;
    assert.equal(sample(ported, `kubelab_port_proxy_requests_total{kind="http",status="${status}"}`), 1);
    assert.equal(sample(ported, `kubelab_port_proxy_request_seconds_count{status="${status}"}`), 1);

    const ended = await owner.request("DELETE", `/api/sessions/${session.id}`);
    assert.ok(ended.status < 300, `end: ${ended.status}`);
    await owner.waitForStatus(session.id, "ended", 60_000);
    const after = await (await scrape(`Bearer ${TOKEN}`)).text();
    assert.equal(sample(after, 'kubelab_sessions{status="ready"}'), 0);
    assert.equal(sample(after, 'kubelab_sessions{status="ended"}'), 1);
    // The session's end ends its terminal.
    await waitFor(
      "the terminal to be counted closed",
      async () =>
        sample(await (await scrape(`Bearer ${TOKEN}`)).text(), "kubelab_terminals_open") === 0 ? true : undefined,
      10_000,
      100,
    );
  });

  it("LOG_FORMAT=json: every line is a JSON object, and a request's lines carry its id", async () => {
    const res = await fetch(`${lab.server.url}/api/no-such-route`, { headers: { accept: "application/json" } });
    assert.equal(res.status, 404);
    const requestId = res.headers.get("x-request-id");
    assert.ok(requestId, "the response names its request id");
    const body = (await res.json()) as { error: { code: string } };
    assert.equal(body.error.code, "not_found");

    const line = await waitFor(
      "the 404's log line",
      () =>
        lab.server
          .logs()
          .split("\n")
          .filter((l) => l.startsWith("{"))
          .map((l) => JSON.parse(l) as { requestId?: string; message: string; level: string; context?: string })
          .find((l) => l.requestId === requestId),
      10_000,
      100,
    );
    assert.match(line.message, /GET \/api\/no-such-route -> 404 not_found/);
    assert.equal(line.context, "HTTP");
    // Every line of the server's own output parses (nothing printed as plain text).
    const lines = lab.server
      .logs()
      .split("\n")
      .filter((l) => l.trim() !== "");
    assert.ok(lines.length > 10);
    for (const l of lines) {
      const parsed = JSON.parse(l) as { time: string; level: string; message: string };
      assert.equal(typeof parsed.time, "string", l);
      assert.equal(typeof parsed.message, "string", l);
    }
  });

  it("/api/ready: 200 normally, 503 while the engine does not answer, 200 again once it does", async () => {
    const ok = await fetch(`${lab.server.url}/api/ready`);
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { status: "ok", phase: "serving", docker: "ok" });

    relay.setUp(false);
    try {
      const down = await waitFor(
        "readiness to fail",
        async () => {
          const res = await fetch(`${lab.server.url}/api/ready`);
          const body: unknown = await res.json();
          return res.status === 503 ? body : undefined;
        },
        20_000,
        250,
      );
      assert.deepEqual(down, { status: "unavailable", phase: "serving", docker: "unavailable" });
    } finally {
      relay.setUp(true);
    }
    const errors = await (await scrape(`Bearer ${TOKEN}`)).text();
    assert.ok(sample(errors, 'kubelab_docker_api_errors_total{kind="connection"}') >= 1);
    await waitFor(
      "readiness to recover",
      async () => ((await fetch(`${lab.server.url}/api/ready`)).status === 200 ? true : undefined),
      20_000,
      250,
    );
  });

  it("METRICS_PORT: served there without a token, and not on the main port; /api/ready 503 while starting", async () => {
    const metricsPort = await freePort();
    const port = await freePort();
    // Watches /api/ready from before the process exists until it is ready: while it starts
    // (migrations, recovery) the port answers 503 "starting", never anything else before 200.
    const seen: string[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const answer = await fetch(`http://127.0.0.1:${port}/api/ready`).then(
          async (res) => `${res.status} ${((await res.json()) as { phase?: string }).phase ?? ""}`,
          () => "refused",
        );
        if (seen.at(-1) !== answer) seen.push(answer);
        if (answer.startsWith("200")) return;
        await sleep(10);
      }
    })();
    const second = await KubelabServer.start({
      databaseUrl: lab.db.url,
      port,
      env: { METRICS_PORT: String(metricsPort), METRICS_HOST: "127.0.0.1", METRICS_TOKEN: TOKEN },
    }).finally(() => setTimeout(() => (watching = false), 5_000));
    try {
      await watcher;
      assert.deepEqual(
        seen.filter((s) => s !== "refused"),
        ["503 starting", "200 serving"],
        `answers seen: ${seen.join(", ")}`,
      );
      const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /# TYPE kubelab_sessions gauge/);
      assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/api/health`)).status, 404);
      // Even with the token: a separate port means the main one never serves the metrics.
      const main = await fetch(`${second.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(main.status, 404);
      assert.equal((await fetch(`${second.url}/api/ready`)).status, 200);
    } finally {
      await second.stop();
      await removeInstanceObjects(second.instanceId);
    }
  });
});
