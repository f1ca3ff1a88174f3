import assert from "node:assert/strict";
import { once } from "node:events";
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { describe, it } from "node:test";
import { watchUpgradedSocketErrors } from "./upgraded-socket-errors";

describe("watchUpgradedSocketErrors", () => {
  it("gives every upgraded socket an error listener before the handlers registered earlier see it", async () => {
    const server = http.createServer();
    const seen: number[] = [];
    // A handler registered first, as main.ts registers the terminal and port handlers first.
    server.on("upgrade", (_req, socket: Duplex) => {
      seen.push(socket.listenerCount("error"));
      socket.destroy();
    });
    watchUpgradedSocketErrors(server);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    try {
      const client = net.connect((server.address() as AddressInfo).port, "127.0.0.1");
      client.on("error", () => undefined);
      client.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
      await once(client, "close");
      assert.deepEqual(seen, [1]);
    } finally {
      server.close();
    }
  });
});
