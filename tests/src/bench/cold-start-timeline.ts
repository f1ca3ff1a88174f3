// The moments of a node's cold start, read off the clocks that saw them: the benchmark's own
// (epoch ms), the engine's (container Created / StartedAt), Docker's timestamp on each line of the
// entrypoint's output, and dockerd's own log inside the node. All on one host, so one clock.

export interface Timeline {
  sent: number; // startNode called (volume and container create sent)
  created?: number; // engine: container created
  processStarted?: number; // engine: the container's first process started
  startReturned?: number; // startNode returned (start answered, address inspected)
  preparing?: number; // entrypoint, under tini in its nested cgroup: "preparing mounts and cgroups"
  probing?: number; // entrypoint: "probing the storage driver"
  launching?: number; // entrypoint: "starting dockerd"
  dockerdUp?: number; // dockerd: "Starting up"
  apiListening?: number; // dockerd: "API listen on /var/run/docker.sock"
  nodeReady?: number; // entrypoint: its own `docker info` answered (the marker, then "dockerd ready")
  kubelabReady?: number; // Kubelab's readiness wait resolved
}

export interface Step {
  key: string;
  label: string;
  from: keyof Timeline;
  to: keyof Timeline;
}

export const STEPS: Step[] = [
  // The engine stamps Created early in the create call, so most of create is on the second line.
  { key: "created", label: "engine: volume, container create (→ Created)", from: "sent", to: "created" },
  { key: "start", label: "engine: layer, mounts, network, runc (→ StartedAt)", from: "created", to: "processStarted" },
  { key: "init", label: "entrypoint: re-exec under tini in a nested cgroup", from: "processStarted", to: "preparing" },
  { key: "prepare", label: "entrypoint: rshared /, cgroup remount, identity", from: "preparing", to: "probing" },
  { key: "probe", label: "entrypoint: overlay probe", from: "probing", to: "launching" },
  {
    key: "entrypoint",
    label: "entrypoint, all steps (StartedAt → dockerd launched)",
    from: "processStarted",
    to: "launching",
  },
  { key: "dockerdExec", label: "dockerd: launched → 'Starting up'", from: "launching", to: "dockerdUp" },
  { key: "dockerdInit", label: "dockerd: 'Starting up' → 'API listen'", from: "dockerdUp", to: "apiListening" },
  {
    key: "nodeSees",
    label: "entrypoint sees the API (its docker info answers)",
    from: "apiListening",
    to: "nodeReady",
  },
  { key: "kubelabSees", label: "Kubelab sees ready, after the API listens", from: "apiListening", to: "kubelabReady" },
  { key: "total", label: "total: startNode called → Kubelab sees ready", from: "sent", to: "kubelabReady" },
];

const ENTRYPOINT_LINES: [RegExp, keyof Timeline][] = [
  [/preparing mounts and cgroups/, "preparing"],
  [/probing the storage driver/, "probing"],
  [/starting dockerd/, "launching"],
  [/dockerd ready/, "nodeReady"],
];

/** Entrypoint moments from `docker logs --timestamps` of a non-TTY container (multiplexed frames). */
export function entrypointTimes(logs: Buffer): Partial<Timeline> {
  const times: Partial<Timeline> = {};
  let text = "";
  for (let at = 0; at + 8 <= logs.length; at += 8 + logs.readUInt32BE(at + 4)) {
    text += logs.subarray(at + 8, at + 8 + logs.readUInt32BE(at + 4)).toString("utf8");
  }
  for (const line of text.split("\n")) {
    const [stamp = "", ...rest] = line.split(" ");
    const message = rest.join(" ");
    for (const [pattern, key] of ENTRYPOINT_LINES) {
      if (pattern.test(message) && times[key] === undefined) times[key] = Date.parse(stamp);
    }
  }
  return times;
}

/** dockerd's start-up moments from its log (logrus text format: time="RFC3339Nano" … msg="…"). */
export function dockerdTimes(log: string): Partial<Timeline> {
  const at = (msg: RegExp): number | undefined => {
    for (const line of log.split("\n")) {
      const stamp = /^time="([^"]+)"/.exec(line)?.[1];
      if (stamp && msg.test(line)) return Date.parse(stamp);
    }
    return undefined;
  };
  return { dockerdUp: at(/msg="Starting up"/), apiListening: at(/msg="API listen on/) };
}
