import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import type { AppConfig } from "../../config/app-config";
import type { SessionEvents } from "../../sessions/session-events";
import type { PortAddress } from "../port-address";
import type { PortAccess, PortCredential, PortTarget } from "../port-access.service";
import type { PortRoute } from "../port-route";
import { PortGrants, type PortMap } from "./port-grants";

const SESSION = "0123456789abcdef0123456789abcdef";
const ADDRESS: PortAddress = { sessionId: SESSION, node: "node1", port: 8080 };
const HOST = `NODE1-8080-${SESSION}.localhost:3000`;
const hostRoute = { form: "host", host: HOST } as PortRoute;
const pathRoute = { form: "path", host: "localhost:3000" } as PortRoute;
const target = (isPublic: boolean, more: Partial<PortTarget> = {}): PortTarget => ({
  ip: "10.0.0.2",
  port: 8080,
  isPublic,
  ...more,
});

class FakeMap implements PortMap {
  readonly entries = new Map<string, string>();
  /** What HAProxy's in-use table holds; undefined: the table cannot be read. */
  used: Set<string> | undefined = new Set();
  tablesRead: string[] = [];
  setEntry(key: string, value: string): Promise<void> {
    this.entries.set(key, value);
    return Promise.resolve();
  }
  deleteEntries(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.entries.delete(key);
    return Promise.resolve();
  }
  tableKeys(table: string): Promise<Set<string>> {
    this.tablesRead.push(table);
    return this.used ? Promise.resolve(new Set(this.used)) : Promise.reject(new Error("no socket"));
  }
}

const cookie = (token: string | undefined): PortCredential => ({ form: "host", portCookie: token });
const login = (token: string): PortCredential => ({
  form: "path",
  req: { headers: { cookie: `other=1; kubelab_session=${token}` } } as IncomingMessage,
});
const HOST_KEY = `h:${HOST.toLowerCase()}|cookie-token`;
const PATH_KEY = `p:${SESSION}/node1/8080|login-token`;

/** PortGrants with an access check that allows what `allow` says, and the session-stopped hook. */
function setUp(allow: (credential: PortCredential) => PortTarget | undefined) {
  let stopped: (event: { sessionId: string }) => void = () => undefined;
  const access = {
    resolve: (_address: PortAddress, credential: PortCredential): Promise<PortTarget> => {
      const allowed = allow(credential);
      return allowed ? Promise.resolve(allowed) : Promise.reject(new Error("refused"));
    },
  } as unknown as PortAccess;
  const config = { server: { publicUrl: new URL("http://localhost:3000") } } as AppConfig;
  const events = { onStopped: (listener: typeof stopped) => (stopped = listener) } as unknown as SessionEvents;
  const grants = new PortGrants(access, config, events);
  const map = new FakeMap();
  grants.attach(map);
  return { grants, map, stop: (sessionId: string) => stopped({ sessionId }) };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("PortGrants", () => {
  it("grants the host (lower-cased) with the cookie, the path form's port with the login, a public port to anyone", async () => {
    const { grants, map } = setUp(() => target(false));
    grants.granted(hostRoute, ADDRESS, target(false), cookie("cookie-token"));
    grants.granted(pathRoute, ADDRESS, target(false), login("login-token"));
    grants.granted(hostRoute, { ...ADDRESS, port: 9090 }, target(true, { port: 9090 }), cookie("cookie-token"));
    await settle();
    assert.deepEqual(Object.fromEntries(map.entries), {
      [HOST_KEY]: "10.0.0.2:8080:node1",
      [PATH_KEY]: "10.0.0.2:8080:node1",
      [`h:${HOST.toLowerCase()}|*`]: "10.0.0.2:9090:node1",
    });
    grants.onModuleDestroy();
  });

  it("grants nothing for a private port without a credential, a relayed node, or a word HAProxy could misread", async () => {
    const { grants, map } = setUp(() => target(false));
    grants.granted(hostRoute, ADDRESS, target(false), cookie(undefined));
    grants.granted(hostRoute, ADDRESS, target(false, { relay: {} as PortTarget["relay"] }), cookie("cookie-token"));
    grants.granted(hostRoute, ADDRESS, target(false), cookie("two words"));
    await settle();
    assert.equal(map.entries.size, 0);
    grants.onModuleDestroy();
  });

  it("removes a grant once the access check refuses it or sends it elsewhere, and keeps the others", async () => {
    let allowed = true;
    const { grants, map } = setUp((credential) => {
      if (credential.form === "path") {
        const cookie = credential.req.headers.cookie;
        // The path form's credential is the login cookie, under its name.
        assert.equal(cookie, "kubelab_session=login-token");
        return target(false, { ip: "10.0.0.9" });
      }
      return allowed ? target(false) : undefined;
    });
    grants.granted(hostRoute, ADDRESS, target(false), cookie("cookie-token"));
    grants.granted(pathRoute, ADDRESS, target(false), login("login-token"));
    await settle();
    await grants.recheck();
    assert.deepEqual([...map.entries.keys()], [HOST_KEY]);
    allowed = false;
    await grants.recheck();
    assert.equal(map.entries.size, 0);
    grants.onModuleDestroy();
  });

  it("removes a session's grants, and only those, when it stops", async () => {
    const { grants, map, stop } = setUp(() => target(false));
    grants.granted(hostRoute, ADDRESS, target(false), cookie("cookie-token"));
    const other = "fedcba9876543210fedcba9876543210";
    grants.granted(pathRoute, { ...ADDRESS, sessionId: other }, target(false), login("login-token"));
    await settle();
    stop(SESSION);
    await settle();
    assert.deepEqual([...map.entries.keys()], [`p:${other}/node1/8080|login-token`]);
    await grants.revokeSession(other);
    assert.equal(map.entries.size, 0);
    grants.onModuleDestroy();
  });

  it("keeps a grant HAProxy's in-use table shows, and ends one nobody used for a minute", async (t) => {
    t.mock.timers.enable({ apis: ["Date"], now: 1_000_000 });
    const { grants, map } = setUp(() => target(false));
    grants.granted(hostRoute, ADDRESS, target(false), cookie("cookie-token"));
    grants.granted(pathRoute, ADDRESS, target(false), login("login-token"));
    await settle();
    t.mock.timers.tick(59_000);
    await grants.recheck();
    assert.equal(map.entries.size, 2);
    assert.deepEqual(map.tablesRead, [], "the table is read only when a grant's idle time is up");
    t.mock.timers.tick(1_000);
    map.used = new Set([HOST_KEY]);
    await grants.recheck();
    assert.deepEqual([...map.entries.keys()], [HOST_KEY]);
    assert.deepEqual(map.tablesRead, ["grants_in_use"]);
    t.mock.timers.tick(59_000);
    map.used = new Set();
    await grants.recheck();
    assert.deepEqual([...map.entries.keys()], [HOST_KEY], "kept for another minute from its last check");
    t.mock.timers.tick(1_000);
    await grants.recheck();
    assert.equal(map.entries.size, 0);
    grants.onModuleDestroy();
  });

  it("ends grants whose idle time is up when the in-use table cannot be read", async (t) => {
    t.mock.timers.enable({ apis: ["Date"], now: 1_000_000 });
    const { grants, map } = setUp(() => target(false));
    grants.granted(hostRoute, ADDRESS, target(false), cookie("cookie-token"));
    await settle();
    map.used = undefined;
    t.mock.timers.tick(60_000);
    await grants.recheck();
    assert.equal(map.entries.size, 0);
    grants.onModuleDestroy();
  });

  it("forgets what HAProxy lost in a restart, so the next request grants again", async () => {
    const { grants, map } = setUp(() => target(false));
    grants.granted(hostRoute, ADDRESS, target(false), cookie("cookie-token"));
    await settle();
    map.entries.clear();
    grants.forgetAll();
    grants.granted(hostRoute, ADDRESS, target(false), cookie("cookie-token"));
    await settle();
    assert.equal(map.entries.size, 1);
    grants.onModuleDestroy();
  });
});
