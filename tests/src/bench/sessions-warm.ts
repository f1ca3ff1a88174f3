// The warm cases of bench:sessions: sessions claimed from the warm pool, one at a time (warm) and a
// class clicking Start within one second (classroom). Each case has its own server.
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { TSession } from "@kubelab/shared";
import pg from "pg";
import type { ApiClient } from "../support/api-client";
import type { KubelabServer } from "../support/kubelab-server";
import { dockerExecPrompt, kubelabPrompt } from "./session-prompt";

const CLIENT_POLL_MS = 100;
const TIMEOUT_MS = 300_000;

export interface Claim {
  /** POST /api/sessions sent → the session seen `ready` (the 201 itself when the pool had one). */
  ready: number;
  /** POST sent → the first terminal byte, and → the whole prompt, over the terminal WebSocket. */
  firstByte: number;
  prompt: number;
  /** Whether the 201 already said `ready` (a pooled session), or the session had to be built. */
  fromPool: boolean;
  /** performance.now() of the prompt, to time a whole class. */
  promptAt: number;
}

/** POST, then (if the pool had none) poll until ready, then open node1's terminal until the prompt. */
export async function claimUntilPrompt(client: ApiClient, origin: string): Promise<Claim & { id: string }> {
  const t0 = performance.now();
  let session: TSession = await client.createSession();
  const fromPool = session.status === "ready";
  while (session.status !== "ready") {
    if (session.status !== "provisioning") throw new Error(`session ${session.id} ${session.status}`);
    if (performance.now() - t0 > TIMEOUT_MS) throw new Error(`session ${session.id} not ready in ${TIMEOUT_MS} ms`);
    await sleep(CLIENT_POLL_MS);
    session = await client.getSession(session.id);
  }
  const ready = performance.now() - t0;
  const times = await kubelabPrompt(client, origin, session.id);
  return {
    id: session.id,
    ready,
    firstByte: times.firstByte - t0,
    prompt: times.prompt - t0,
    promptAt: times.prompt,
    fromPool,
  };
}

/** The pool's sessions by status, read from the database as session-pool.test.ts does. */
export class PoolWatch {
  private constructor(
    private readonly db: pg.Client,
    private readonly instanceId: string,
  ) {}

  static async open(databaseUrl: string, instanceId: string): Promise<PoolWatch> {
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    return new PoolWatch(db, instanceId);
  }

  async counts(): Promise<{ pooled: number; building: number }> {
    const { rows } = await this.db.query<{ status: string; n: string }>(
      `SELECT status::text, count(*) AS n FROM lab_sessions
       WHERE instance_id = $1 AND owner_id IS NULL AND status IN ('pooled', 'provisioning') GROUP BY status`,
      [this.instanceId],
    );
    const of = (status: string): number => Number(rows.find((r) => r.status === status)?.n ?? 0);
    return { pooled: of("pooled"), building: of("provisioning") };
  }

  /** Waits until `size` sessions are pooled and none is being built; false at the timeout. */
  async settled(size: number, timeoutMs: number): Promise<boolean> {
    const until = performance.now() + timeoutMs;
    while (performance.now() < until) {
      const { pooled, building } = await this.counts();
      if (pooled >= size && building === 0) return true;
      await sleep(250);
    }
    return false;
  }

  async close(): Promise<void> {
    await this.db.end();
  }
}

export interface WarmSample extends Claim {
  /** The baseline on the same node right after: `docker exec -it node1 bash -l` → prompt. */
  baselinePrompt: number;
}

/** `n` claims, one at a time, each from a full pool; the session is deleted after each. */
export async function warmCase(
  server: KubelabServer,
  pool: PoolWatch,
  origin: string,
  options: { n: number; poolSize: number },
): Promise<WarmSample[]> {
  const samples: WarmSample[] = [];
  for (let i = 0; i < options.n; i++) {
    if (!(await pool.settled(options.poolSize, TIMEOUT_MS))) throw new Error("the warm pool did not fill");
    const client = server.client();
    await client.loginAsGuest(`Warm ${i}`);
    const claim = await claimUntilPrompt(client, origin);
    const before = performance.now();
    const base = await dockerExecPrompt(`kubelab-${claim.id}-node1`);
    samples.push({ ...claim, baselinePrompt: base.prompt - before });
    const res = await client.request("DELETE", `/api/sessions/${claim.id}`);
    if (res.status !== 204) throw new Error(`DELETE ${claim.id} answered ${res.status}`);
    process.stderr.write(`  warm ${i + 1}/${options.n}\n`);
  }
  return samples;
}

export interface ClassroomResult {
  users: number;
  /** How long the pool took to fill from the server's start, and how many it held when the class started. */
  fillMs: number;
  pooledAtStart: number;
  claims: Claim[];
  /** The first POST sent → the last attendee's prompt. */
  allPromptsMs: number;
}

/** Fills the pool, then `users` attendees each click Start once, spread evenly over one second. */
export async function classroomCase(
  server: KubelabServer,
  pool: PoolWatch,
  origin: string,
  options: { users: number; fillTimeoutMs: number; serverStartedAt: number },
): Promise<ClassroomResult> {
  const filled = await pool.settled(options.users, options.fillTimeoutMs);
  const fillMs = performance.now() - options.serverStartedAt;
  const { pooled } = await pool.counts();
  if (!filled)
    process.stderr.write(`  classroom: pool holds ${pooled}/${options.users} after ${Math.round(fillMs)} ms\n`);
  const clients = await Promise.all(
    Array.from({ length: options.users }, async (_, i) => {
      const client = server.client();
      await client.loginAsGuest(`Attendee ${i + 1}`);
      return client;
    }),
  );
  const t0 = performance.now();
  const claims = await Promise.all(
    clients.map(async (client, i) => {
      await sleep((i * 1000) / options.users);
      return claimUntilPrompt(client, origin);
    }),
  );
  const allPromptsMs = Math.max(...claims.map((c) => c.promptAt)) - t0;
  return { users: options.users, fillMs, pooledAtStart: pooled, claims, allPromptsMs };
}
