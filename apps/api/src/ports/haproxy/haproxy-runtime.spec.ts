import assert from "node:assert/strict";
import fs from "node:fs";
import { createServer, type Server } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { HaproxyRuntime } from "./haproxy-runtime";

describe("HaproxyRuntime", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubelab-runtime-spec-"));
  const socketPath = path.join(dir, "admin.sock");
  const received: string[] = [];
  // Answers as HAProxy's runtime API does: one line per command, empty when it succeeded.
  let answer = (commands: string[]): string => commands.map(() => "\n").join("");
  let server: Server;

  before(async () => {
    server = createServer((socket) => {
      let text = "";
      socket.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
      socket.on("end", () => {
        const commands = text.trim().split(";");
        received.push(...commands);
        socket.end(answer(commands));
      });
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  });

  after(() => {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("replaces an entry with one delete-then-add batch, and missing keys are no error", async () => {
    received.length = 0;
    answer = (commands) => ["Key not found.\n", ...commands.slice(1).map(() => "\n")].join("");
    const runtime = new HaproxyRuntime(socketPath, "/m/ports.map");
    await runtime.setEntry("node1-80-x.localhost|tok", "10.0.0.2:80");
    await runtime.deleteEntries(["a|b", "c|*"]);
    assert.deepEqual(received, [
      "del map /m/ports.map node1-80-x.localhost|tok",
      "add map /m/ports.map node1-80-x.localhost|tok 10.0.0.2:80",
      "del map /m/ports.map a|b",
      "del map /m/ports.map c|*",
    ]);
  });

  it("keeps the order of changes asked for at once", async () => {
    received.length = 0;
    answer = (commands) => commands.map(() => "\n").join("");
    const runtime = new HaproxyRuntime(socketPath, "/m/ports.map");
    await Promise.all([runtime.setEntry("k1", "v1"), runtime.deleteEntries(["k1"]), runtime.setEntry("k2", "v2")]);
    assert.deepEqual(
      received.filter((command) => command.startsWith("add") || command === "del map /m/ports.map k1"),
      [
        "del map /m/ports.map k1",
        "add map /m/ports.map k1 v1",
        "del map /m/ports.map k1",
        "add map /m/ports.map k2 v2",
      ],
    );
  });

  it("fails with HAProxy's own complaint", async () => {
    answer = () => "Unknown map identifier. Please use #<id> or <file>.\n";
    const runtime = new HaproxyRuntime(socketPath, "/m/ports.map");
    await assert.rejects(runtime.setEntry("k", "v"), /Unknown map identifier/);
  });

  it("reads the keys of a table from HAProxy's dump", async () => {
    received.length = 0;
    answer = () =>
      "# table: grants_in_use, type: string, size:102400, used:2\n" +
      "0x55565b7980b8: key=h:node1-80-x.localhost|tok use=0 exp=59000\n" +
      "0x55565b7980c0: key=p:0123/node1/80|* use=1 exp=12\n\n";
    const runtime = new HaproxyRuntime(socketPath, "/m/ports.map");
    assert.deepEqual(
      await runtime.tableKeys("grants_in_use"),
      new Set(["h:node1-80-x.localhost|tok", "p:0123/node1/80|*"]),
    );
    assert.deepEqual(received, ["show table grants_in_use"]);
  });

  it("reads a backend's response counts by status class from HAProxy's statistics", async () => {
    received.length = 0;
    // The shape of HAProxy 2.6's CSV, cut to a few columns (their order is read from the header).
    answer = () =>
      "# pxname,svname,scur,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,req_tot,\n" +
      "nodes,BACKEND,3,0,749791,12,4,2,0,749809,\n\n";
    const runtime = new HaproxyRuntime(socketPath, "/m/ports.map");
    assert.deepEqual(
      await runtime.responseCounts("nodes"),
      new Map([
        ["1xx", 0],
        ["2xx", 749791],
        ["3xx", 12],
        ["4xx", 4],
        ["5xx", 2],
        ["other", 0],
      ]),
    );
    assert.deepEqual(received, ["show stat nodes 2 -1"]);
    answer = () => "Unknown command.\n";
    await assert.rejects(runtime.responseCounts("nodes"), /no backend statistics: Unknown command/);
    answer = () => "# pxname,svname,hrsp_2xx,\nnodes,BACKEND,5,\n";
    await assert.rejects(runtime.responseCounts("nodes"), /no hrsp_1xx count/);
  });

  it("refuses words that could end the command or start another", () => {
    const runtime = new HaproxyRuntime(socketPath, "/m/ports.map");
    for (const key of ["a b", "a;del map x y", "a\nb", ""]) {
      assert.throws(() => void runtime.setEntry(key, "v"), /not a safe HAProxy map word/, JSON.stringify(key));
    }
  });
});
