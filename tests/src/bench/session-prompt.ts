// When an attendee can type: the shell prompt arriving over Kubelab's terminal WebSocket, and the
// same prompt from a plain `docker exec -it <node> bash -l` (the baseline), both timed to the byte.
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import type { ApiClient } from "../support/api-client";
import { docker } from "../support/docker-objects";
import { TerminalClient } from "../support/terminal-client";

// The node image's PS1 is '[\h \W]\$ ' (infra/images/node-offline/profile.sh): "[node1 ~]# ".
const PROMPT = /\[node\d [^\]\n]*\][#$] /;
const TIMEOUT_MS = 60_000;

export interface PromptTimes {
  /** performance.now() when the first byte of terminal output arrived (the motd, usually). */
  firstByte: number;
  /** performance.now() when the prompt had arrived in full. */
  prompt: number;
}

/** Collects output until the prompt; resolves with the times, rejects after TIMEOUT_MS. */
function watchForPrompt(what: string, subscribe: (onData: (chunk: Buffer) => void) => void): Promise<PromptTimes> {
  return new Promise<PromptTimes>((resolve, reject) => {
    let text = "";
    let firstByte: number | undefined;
    const timer = setTimeout(
      () => reject(new Error(`${what}: no prompt in ${TIMEOUT_MS} ms: ${text.slice(-200)}`)),
      TIMEOUT_MS,
    );
    subscribe((chunk) => {
      const now = performance.now();
      firstByte ??= now;
      text = (text + chunk.toString("utf8")).slice(-4096);
      if (PROMPT.test(text)) {
        clearTimeout(timer);
        resolve({ firstByte, prompt: now });
      }
    });
  });
}

/** Opens a terminal on a node of a ready session, as the web app does, and waits for the prompt. */
export async function kubelabPrompt(
  client: ApiClient,
  origin: string,
  sessionId: string,
  node = "node1",
): Promise<PromptTimes> {
  const headers: Record<string, string> = { origin };
  if (client.cookieHeader) headers.cookie = client.cookieHeader;
  const ws = new WebSocket(TerminalClient.url(client.baseUrl, sessionId, node, { cols: 120, rows: 30 }), { headers });
  try {
    const refused = new Promise<never>((_, reject) => {
      ws.once("unexpected-response", (_req, res) => reject(new Error(`terminal upgrade refused: ${res.statusCode}`)));
      ws.once("error", reject);
    });
    return await Promise.race([
      refused,
      watchForPrompt(`terminal of ${sessionId}`, (onData) =>
        ws.on("message", (data: Buffer, isBinary: boolean) => isBinary && onData(data)),
      ),
    ]);
  } finally {
    ws.terminate();
  }
}

/** The baseline: a login shell with a TTY straight through the Docker API, as Kubelab starts it. */
export async function dockerExecPrompt(container: string): Promise<PromptTimes> {
  const exec = await docker.getContainer(container).exec({
    Cmd: ["bash", "-l"],
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: true,
    Env: ["TERM=xterm-256color", "COLORTERM=truecolor", "LANG=C.UTF-8"],
    WorkingDir: "/root",
  });
  const stream = await exec.start({ hijack: true, stdin: true, Tty: true });
  try {
    return await watchForPrompt(`docker exec in ${container}`, (onData) => stream.on("data", onData));
  } finally {
    stream.destroy();
  }
}
