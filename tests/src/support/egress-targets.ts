import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import net from "node:net";
import os from "node:os";
import { waitFor } from "./wait-for";

/** Opens a TCP connection from this process; resolves to the first line the peer sends, or throws. */
export async function hostConnect(host: string, port: number, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, timeout: timeoutMs });
    let data = "";
    socket.on("data", (chunk) => (data += chunk.toString("utf8")));
    socket.on("end", () => resolve(data.trim()));
    socket.on("timeout", () => socket.destroy(new Error(`timeout connecting to ${host}:${port}`)));
    socket.on("error", reject);
  });
}

/** Whether a TCP handshake with host:port completes from this process. */
export async function hostCanConnect(host: string, port: number, timeoutMs = 3000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: timeoutMs }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("timeout", () => socket.destroy());
    socket.on("error", () => resolve(false));
    socket.on("close", () => resolve(false));
  });
}

/** A listener on 0.0.0.0 in the host's namespace that greets every connection with `banner`. */
export async function startHostListener(port: number, banner: string): Promise<net.Server> {
  const server = net.createServer((socket) => socket.end(`${banner}\n`));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "0.0.0.0", resolve);
  });
  return server;
}

/** The host's own IPv4 addresses outside loopback (every one of them must stay closed to nodes). */
export function hostAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .filter((a): a is os.NetworkInterfaceInfo => !!a && a.family === "IPv4" && !a.internal)
    .map((a) => a.address);
}

function sh(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
}

/**
 * A network namespace on this machine standing in for the world outside the host, behind a veth
 * pair the host routes to: a private address, an "Internet" address (TEST-NET-3), the cloud
 * metadata address and an address in a network an admin allows. Each answers on `port` with its
 * own name. Nothing leaves the machine. Its ranges (10.251/16, 10.252/16) stay clear of the default
 * NODE_SUBNETS (10.213.0.0/16), where session networks live now.
 */
export class FakeOutside {
  readonly privateIp: string;
  readonly internetIp = "203.0.113.77";
  readonly metadataIp = "169.254.169.254";
  readonly allowedIp: string;
  readonly allowedCidr: string;
  private listener: ChildProcess | undefined;

  private constructor(
    readonly namespace: string,
    private readonly hostVeth: string,
    private readonly octet: number,
    readonly port: number,
  ) {
    this.privateIp = `10.251.${octet}.2`;
    this.allowedIp = `10.252.${octet}.2`;
    this.allowedCidr = `10.252.${octet}.0/24`;
  }

  static async create(port: number): Promise<FakeOutside> {
    const tag = randomBytes(3).toString("hex");
    const outside = new FakeOutside(`klegress-${tag}`, `kleg${tag}h`, randomInt(1, 254), port);
    try {
      outside.setUp(tag);
      await outside.startListener();
    } catch (error) {
      outside.tearDown();
      throw error;
    }
    return outside;
  }

  private setUp(tag: string): void {
    const ns = this.namespace;
    const peer = `kleg${tag}n`;
    const hostIp = `10.251.${this.octet}.1`;
    sh("ip", ["netns", "add", ns]);
    sh("ip", ["link", "add", this.hostVeth, "type", "veth", "peer", "name", peer]);
    sh("ip", ["link", "set", peer, "netns", ns]);
    sh("ip", ["addr", "add", `${hostIp}/24`, "dev", this.hostVeth]);
    sh("ip", ["link", "set", this.hostVeth, "up"]);
    const inNs = (...args: string[]): void => sh("ip", ["netns", "exec", ns, ...args]);
    inNs("ip", "link", "set", "lo", "up");
    inNs("ip", "addr", "add", `${this.privateIp}/24`, "dev", peer);
    inNs("ip", "link", "set", peer, "up");
    for (const ip of [this.internetIp, this.metadataIp, this.allowedIp])
      inNs("ip", "addr", "add", `${ip}/32`, "dev", "lo");
    inNs("ip", "route", "add", "default", "via", hostIp);
    for (const ip of [this.internetIp, this.metadataIp, this.allowedIp]) {
      sh("ip", ["route", "add", `${ip}/32`, "via", this.privateIp, "dev", this.hostVeth]);
    }
  }

  private async startListener(): Promise<void> {
    const program = `require("net").createServer((s) => s.end("outside " + s.localAddress + "\\n")).listen(${this.port}, "0.0.0.0")`;
    this.listener = spawn("ip", ["netns", "exec", this.namespace, process.execPath, "-e", program], {
      stdio: "ignore",
    });
    await waitFor(
      "the listener in the test namespace",
      async () =>
        (await hostConnect(this.privateIp, this.port).catch(() => "")).startsWith("outside") ? true : undefined,
      10_000,
    );
  }

  /** Removes the listener, the routes, the veth pair (both ends go with it) and the namespace. */
  tearDown(): void {
    this.listener?.kill("SIGKILL");
    for (const ip of [this.internetIp, this.metadataIp, this.allowedIp]) {
      try {
        sh("ip", ["route", "del", `${ip}/32`, "via", this.privateIp]);
      } catch {
        // already gone with the veth
      }
    }
    for (const [cmd, args] of [
      ["ip", ["link", "del", this.hostVeth]],
      ["ip", ["netns", "del", this.namespace]],
    ] as const) {
      try {
        sh(cmd, [...args]);
      } catch {
        // not created, or already removed
      }
    }
  }
}
