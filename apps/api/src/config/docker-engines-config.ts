import { z } from "zod";
import { zByteSize } from "./config-parsers";

/** One Docker engine sessions may run on (DOCKER_ENGINES). */
export interface EngineConfig {
  /** Short id recorded on each session (lab_sessions.engine); never reused for another engine. */
  name: string;
  /** unix:///path, tcp://host:port or ssh://user@host[:port]; none = the environment's (DOCKER_HOST). */
  url?: string;
  /** For tcp: a folder with ca.pem, cert.pem and key.pem (the layout `docker --tlsverify` reads). */
  tlsDir?: string;
  /** Live sessions it may hold; none = no session limit of its own (MAX_SESSIONS still applies). */
  sessions?: number;
  /** Node memory it may hold; none = no cap (the memory its engine reports only weighs it against others). */
  memoryBytes?: number;
}

/** The engine of a single-host installation: DOCKER_HOST, or the local socket. */
export const LOCAL_ENGINE = "local";

const NAME = /^[a-z0-9][a-z0-9-]{0,30}$/;
const URL_FORM = /^(unix:\/\/\/\S+|tcp:\/\/[^\s/]+:\d+|ssh:\/\/[^\s/]+)$/;

/**
 * "local=unix:///var/run/docker.sock;sessions=40 b=tcp://10.0.0.2:2376;tls=/etc/kubelab/tls/b;memory=96g"
 * → engines. Entries are separated by spaces or commas; each is name=url with ;key=value options
 * (tls, sessions, memory). Empty: the one engine of DOCKER_HOST (a single-host installation).
 */
export const zDockerEngines = z
  .string()
  .default("")
  .transform((raw, ctx): EngineConfig[] => {
    const engines: EngineConfig[] = [];
    for (const entry of raw.split(/[\s,]+/).filter(Boolean)) {
      const parsed = parseEntry(entry);
      if (typeof parsed === "string") {
        ctx.addIssue({ code: "custom", message: `${parsed} (in "${entry}")` });
        return z.NEVER;
      }
      if (engines.some((e) => e.name === parsed.name)) {
        ctx.addIssue({ code: "custom", message: `engine ${parsed.name} is listed twice` });
        return z.NEVER;
      }
      engines.push(parsed);
    }
    return engines;
  });

function parseEntry(entry: string): EngineConfig | string {
  const [head = "", ...options] = entry.split(";");
  const eq = head.indexOf("=");
  const name = head.slice(0, eq);
  const url = head.slice(eq + 1);
  if (eq < 0 || !NAME.test(name)) return "expected name=url with a short lowercase name";
  if (!URL_FORM.test(url)) return "expected unix:///path, tcp://host:port or ssh://user@host";
  const engine: EngineConfig = { name, url };
  for (const option of options) {
    const [key, value = ""] = option.split("=", 2);
    if (key === "tls" && value.startsWith("/")) engine.tlsDir = value;
    else if (key === "sessions" && /^\d{1,5}$/.test(value)) engine.sessions = Number(value);
    else if (key === "memory" && zByteSize.safeParse(value).success) engine.memoryBytes = zByteSize.parse(value);
    else return `unknown or bad option "${option}": expected tls=/folder, sessions=N or memory=SIZE`;
  }
  if (engine.tlsDir && !url.startsWith("tcp://")) return "tls= applies to tcp:// engines only";
  return engine;
}

/** The engines to use: DOCKER_ENGINES, or the single engine of the environment (DOCKER_HOST). */
export function enginesOrLocal(engines: EngineConfig[]): EngineConfig[] {
  return engines.length > 0 ? engines : [{ name: LOCAL_ENGINE }];
}
