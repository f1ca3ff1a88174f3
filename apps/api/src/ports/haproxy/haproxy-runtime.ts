import { connect } from "node:net";

const COMMAND_TIMEOUT_MS = 5_000;
// Map keys and values are host names, cookie tokens and addresses; anything else could smuggle a
// second command (";") or break the line.
const SAFE_WORD = /^[\x21-\x3a\x3c-\x7e]{1,1024}$/;

export function isSafeMapWord(word: string): boolean {
  return SAFE_WORD.test(word);
}

/**
 * HAProxy's runtime API on its admin socket: the map of allowed ports changes here without a
 * reload. Commands are sent one batch at a time (one connection per batch, HAProxy's
 * non-interactive mode), in the order they were asked for.
 */
export class HaproxyRuntime {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly socketPath: string,
    private readonly mapPath: string,
  ) {}

  setEntry(key: string, value: string): Promise<void> {
    // "set" fails on a missing key and "add" would add a duplicate: delete, then add, in one batch.
    return this.batch([`del map ${this.mapPath} ${word(key)}`, `add map ${this.mapPath} ${word(key)} ${word(value)}`], {
      tolerate: /Key not found/,
    });
  }

  deleteEntries(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return Promise.resolve();
    return this.batch(
      keys.map((key) => `del map ${this.mapPath} ${word(key)}`),
      { tolerate: /Key not found/ },
    );
  }

  /**
   * The keys in HAProxy's table `table` (IN_USE_TABLE: the map keys requests used lately). The
   * table's lines read "0x55d0c0a0b0c0: key=<key> use=0 exp=59000 ..."; keys are safe words.
   */
  async tableKeys(table: string): Promise<Set<string>> {
    const output = await this.send(`show table ${word(table)}`);
    const keys = new Set<string>();
    for (const line of output.split("\n")) {
      const key = / key=(\S+)/.exec(line)?.[1];
      if (key !== undefined) keys.add(key);
    }
    return keys;
  }

  /**
   * How many responses HAProxy sent for `backend` since it started, by status class ("1xx".."5xx",
   * "other"): the hrsp_* columns of the backend's line in `show stat` (CSV, named by its header).
   */
  async responseCounts(backend: string): Promise<Map<string, number>> {
    return parseResponseCounts(await this.send(`show stat ${word(backend)} 2 -1`));
  }

  /** Whether HAProxy serves its runtime API (it has started and bound its listeners). */
  answers(): Promise<boolean> {
    return this.send("show info").then(
      (output) => output.includes("Name: HAProxy"),
      () => false,
    );
  }

  private batch(commands: string[], options: { tolerate: RegExp }): Promise<void> {
    return this.send(commands.join(";")).then((output) => {
      const complaints = output
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line !== "" && !options.tolerate.test(line));
      if (complaints.length > 0) throw new Error(`HAProxy refused a map change: ${complaints.join("; ")}`);
    });
  }

  private send(line: string): Promise<string> {
    const run = (): Promise<string> =>
      new Promise((resolve, reject) => {
        const socket = connect(this.socketPath);
        const chunks: Buffer[] = [];
        socket.setTimeout(COMMAND_TIMEOUT_MS, () => socket.destroy(new Error("HAProxy's runtime API did not answer")));
        socket.on("data", (chunk: Buffer) => chunks.push(chunk));
        socket.on("error", reject);
        socket.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")));
        socket.end(`${line}\n`);
      });
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

function word(text: string): string {
  if (!isSafeMapWord(text)) throw new Error(`not a safe HAProxy map word: ${JSON.stringify(text)}`);
  return text;
}

const RESPONSE_CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx", "other"] as const;

/** The hrsp_* counters of the BACKEND line of `show stat`'s CSV; throws when HAProxy sent none. */
export function parseResponseCounts(csv: string): Map<string, number> {
  const lines = csv.split("\n");
  const header =
    lines
      .find((line) => line.startsWith("# "))
      ?.slice(2)
      .split(",") ?? [];
  const row = lines.map((line) => line.split(",")).find((fields) => fields[1] === "BACKEND");
  if (!row) throw new Error(`HAProxy sent no backend statistics: ${csv.trim().slice(0, 200)}`);
  const counts = new Map<string, number>();
  for (const status of RESPONSE_CLASSES) {
    // A missing column reads as undefined, which is no integer.
    const value = Number(row[header.indexOf(`hrsp_${status}`)]);
    if (!Number.isInteger(value)) throw new Error(`HAProxy's statistics have no hrsp_${status} count`);
    counts.set(status, value);
  }
  return counts;
}
