import net from "node:net";

// Below Linux's ephemeral range (32768-60999): a port the OS hands out for port 0 is also what it
// picks as the source port of outgoing connections (to the database, the identity helpers...), so
// one could take it between this check and the server's listen (EADDRINUSE, seen in CI). Ports
// here are only ever used by something that asks for them by number.
const FIRST = 20_000;
const LAST = 32_000;
const handedOut = new Set<number>();

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A TCP port on 127.0.0.1 that is free now and not handed out before by this process. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = FIRST + Math.floor(Math.random() * (LAST - FIRST));
    if (handedOut.has(port)) continue;
    if (await canListen(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free TCP port found between ${FIRST} and ${LAST}`);
}
