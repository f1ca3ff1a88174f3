// Threat cases 27 and 28: root in a node cannot reach other containers'
// cgroups, its own limits, the host's kernel settings, kernel log, modules or
// raw devices; Docker-in-Docker and the node's limits keep working.
// Each probe runs inside a real node of a real session (docker exec), and
// what a node must not change is read back from the host's own view.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { before, describe, it } from "node:test";
import type { TSession } from "@kubelab/shared";
import { docker, execIn } from "./support/docker-objects";
import { useKubelab } from "./support/lab-fixture";
import { REPO_ROOT } from "./support/repo-paths";

const PIDS_LIMIT = 400;
const MEMORY_BYTES = 1024 ** 3; // the fixture's NODE_MEMORY=1g

interface Node {
  id: string;
  name: string;
  /** The node's PID 1 as the host sees it. */
  hostPid: number;
}

async function nodeOf(sessionId: string, node: string): Promise<Node> {
  const name = `kubelab-${sessionId}-${node}`;
  const info = await docker.getContainer(name).inspect();
  return { id: info.Id, name, hostPid: info.State.Pid };
}

async function sh(node: Node, script: string): Promise<{ exitCode: number; output: string }> {
  return execIn(node.name, ["bash", "-c", script]);
}

/** The host's cgroup paths of a host process, by controller ("" for cgroup v2). */
function hostCgroups(pid: number): Map<string, string> {
  const text = fs.readFileSync(`/proc/${pid}/cgroup`, "utf8");
  const paths = new Map<string, string>();
  for (const line of text.trim().split("\n")) {
    const [, controllers, cgroupPath] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    if (cgroupPath === undefined) continue;
    for (const controller of (controllers ?? "").split(",")) paths.set(controller, cgroupPath);
  }
  return paths;
}

/** A limit file of the node's own container cgroup, read on the host. */
function hostLimit(node: Node, controller: "pids" | "memory", v1File: string, v2File: string): string {
  const cgroups = hostCgroups(node.hostPid);
  const v1 = cgroups.get(controller);
  const own = (p: string): string => {
    // The node's cgroup is the path segment naming its container; PID 1 may sit below it.
    const segments = p.split("/");
    const index = segments.findIndex((s) => s.includes(node.id));
    assert.ok(index > 0, `no cgroup of ${node.id} in ${p}`);
    return segments.slice(0, index + 1).join("/");
  };
  if (v1 !== undefined) return fs.readFileSync(path.join("/sys/fs/cgroup", controller, own(v1), v1File), "utf8").trim();
  return fs.readFileSync(path.join("/sys/fs/cgroup", own(cgroups.get("")!), v2File), "utf8").trim();
}

/** Host PIDs of the processes in the node's PID namespace whose PID there is `nsPid`. */
function hostPidOf(node: Node, nsPid: number): number {
  const namespace = fs.readlinkSync(`/proc/${node.hostPid}/ns/pid`);
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readlinkSync(`/proc/${entry}/ns/pid`) !== namespace) continue;
      const nspid = /^NSpid:\s+(.*)$/m.exec(fs.readFileSync(`/proc/${entry}/status`, "utf8"))?.[1]?.split(/\s+/);
      if (nspid?.[1] === String(nsPid)) return Number(entry);
    } catch {
      // The process exited while we looked.
    }
  }
  throw new Error(`no process ${nsPid} in ${node.name}'s PID namespace`);
}

/** Host PIDs whose command line contains `token`. */
function hostPidsRunning(token: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ").includes(token))
        pids.push(Number(entry));
    } catch {
      // Exited.
    }
  }
  return pids;
}

function assertInsideNode(node: Node, pid: number, what: string): void {
  for (const [controller, cgroupPath] of hostCgroups(pid)) {
    assert.ok(cgroupPath.includes(node.id), `${what} is in ${controller || "cgroup2"}:${cgroupPath}, outside its node`);
  }
}

// Python inside the node: the raw system call and its errno, as "errno=N".
function syscallScript(call: "init_module" | "finit_module"): string {
  return `python3 - <<'EOF'
import ctypes, os, platform
numbers = {"x86_64": {"init_module": 175, "finit_module": 313}, "aarch64": {"init_module": 105, "finit_module": 273}}
nr = numbers[platform.machine()]["${call}"]
libc = ctypes.CDLL(None, use_errno=True)
if "${call}" == "init_module":
    rc = libc.syscall(nr, None, ctypes.c_ulong(0), b"")
else:
    fd = os.open("/dev/null", os.O_RDONLY)
    rc = libc.syscall(nr, fd, b"", 0)
print("rc=%d errno=%d" % (rc, ctypes.get_errno()))
EOF`;
}

// Creates each device node (allowed: the inner engine makes its containers'
// /dev) and opens it read-only; prints "name errno=N" (0: it opened).
function openDevicesScript(devices: Record<string, string>): string {
  const lines = Object.entries(devices).map(
    ([name, spec]) =>
      `d=$(mktemp -u /tmp/dev.XXXXXX); mknod "$d" ${spec} && python3 -c '${OPEN_READ}' ${name} "$d"; rm -f "$d"`,
  );
  return lines.join("\n");
}
const OPEN_READ = `import os, sys
try:
    os.close(os.open(sys.argv[2], os.O_RDONLY)); print(sys.argv[1], "errno=0")
except OSError as e:
    print(sys.argv[1], "errno=%d" % e.errno)`;

// Opens for writing without writing anything: the open alone tells whether a
// write would be allowed, and changes nothing on a host where it is.
function openForWriteScript(file: string): string {
  return `python3 -c 'import os,sys
try:
    os.close(os.open(sys.argv[1], os.O_WRONLY)); print("writable")
except OSError as e:
    print("refused:", e)' ${file}`;
}

describe("node isolation (threat cases 27 and 28)", () => {
  // Two sessions start at once on a shared 2-core machine: allow more than the default 90 s.
  const lab = useKubelab({ env: { NODE_PIDS_LIMIT: String(PIDS_LIMIT), NODE_READY_TIMEOUT: "240s" } });
  let node1: Node;
  let node2: Node;
  let other: Node;

  before(async () => {
    // Two users' sessions: the second one is the neighbour a node must not see or touch.
    const sessions = await Promise.all(
      ["Owner", "Neighbour"].map(async (name) => {
        const user = lab.server.client();
        await user.loginAsGuest(name);
        const session: TSession = await user.createSession();
        const ready = await user.waitUntilSettled(session.id, 300_000);
        assert.equal(ready.status, "ready", ready.reason ?? "");
        return session.id;
      }),
    );
    [node1, node2, other] = await Promise.all([
      nodeOf(sessions[0]!, "node1"),
      nodeOf(sessions[0]!, "node2"),
      nodeOf(sessions[1]!, "node1"),
    ]);
  });

  it("runs nested containers, placed inside the node's cgroup (its limits apply to them)", async () => {
    const nested = await sh(node1, "kubelab-nested-test");
    assert.equal(nested.exitCode, 0, nested.output);
    assert.match(nested.output, /nested-ok/);
    const token = `${Date.now() % 100_000}.25`;
    const run = await sh(node1, `docker run -d --rm kubelab/busybox:local sleep ${token}`);
    assert.equal(run.exitCode, 0, run.output);
    const pids = hostPidsRunning(`sleep ${token}`);
    assert.equal(pids.length, 1, `processes running "sleep ${token}": ${pids.join(",")}`);
    assertInsideNode(node1, pids[0]!, "a nested container");
    await sh(node1, `docker rm -f ${run.output.trim()}`);
  });

  it("shows no other container's cgroups and cannot write another node's limits", async () => {
    const found = await sh(
      node1,
      `find /sys/fs/cgroup -xdev -name '*${other.id.slice(0, 12)}*' 2>/dev/null; ` +
        `find /sys/fs/cgroup -name '*${node2.id.slice(0, 12)}*' 2>/dev/null; ls /sys/fs/cgroup/pids /sys/fs/cgroup 2>&1`,
    );
    assert.doesNotMatch(found.output, new RegExp(`${other.id.slice(0, 12)}|${node2.id.slice(0, 12)}`), found.output);
    // Where cgroup v1 mounts would put the neighbour on a cgroupfs host.
    const write = await sh(node1, `echo 64 > /sys/fs/cgroup/pids/docker/${other.id}/pids.max`);
    assert.notEqual(write.exitCode, 0, write.output);
    assert.equal(hostLimit(other, "pids", "pids.max", "pids.max"), String(PIDS_LIMIT));
  });

  it("reaches no release_agent, not even in cgroup hierarchies it mounts itself", async () => {
    const result = await sh(
      node1,
      `find /sys/fs/cgroup -name release_agent 2>/dev/null
       sed -n 's|^.* - cgroup [^ ]* \\([^ ]*\\)$|\\1|p' /proc/self/mountinfo | sort -u | while read -r opts; do
         d=$(mktemp -d); opts=$(echo "$opts" | tr , '\\n' | grep -vE '^(rw|ro|release_agent=.*)$' | paste -sd,)
         mount -t cgroup -o "$opts" cgroup "$d" 2>/dev/null && { ls "$d"/release_agent 2>/dev/null; umount "$d"; }
         rmdir "$d"
       done`,
    );
    assert.doesNotMatch(result.output, /release_agent/, result.output);
  });

  it("cannot move a process out of its cgroup or raise its own pids and memory limits", async () => {
    // Every cgroup the node can name: each mounted hierarchy's root and its own cgroup there.
    const result = await sh(
      node1,
      `sleep 600 & victim=$!
       for root in $(sed -n 's|^[^ ]* [^ ]* [^ ]* [^ ]* \\(/sys/fs/cgroup[^ ]*\\) .* - cgroup2\\{0,1\\} .*|\\1|p' /proc/self/mountinfo); do
         own=$(sed -n "s|^[0-9]*:[^:]*$(basename "$root" | sed 's/^name=//'):\\(.*\\)$|\\1|p" /proc/self/cgroup | head -n1)
         for d in "$root\${own#/..}" "$root"; do
           [ -e "$d/cgroup.procs" ] || continue
           echo "$victim" > "$d/cgroup.procs"
           echo max > "$d/pids.max"; echo max > "$d/memory.max"
           echo -1 > "$d/memory.memsw.limit_in_bytes"; echo -1 > "$d/memory.limit_in_bytes"
         done
       done 2>/dev/null
       echo "victim=$victim"`,
    );
    const victim = Number(/victim=(\d+)/.exec(result.output)?.[1]);
    assert.ok(victim > 0, result.output);
    assertInsideNode(node1, hostPidOf(node1, victim), "a process of the node");
    assert.equal(hostLimit(node1, "pids", "pids.max", "pids.max"), String(PIDS_LIMIT));
    assert.equal(hostLimit(node1, "memory", "memory.limit_in_bytes", "memory.max"), String(MEMORY_BYTES));
    await sh(node1, `kill ${victim}`);
  });

  it("cannot write host-wide kernel settings or trigger SysRq", async () => {
    for (const file of ["/proc/sys/kernel/core_pattern", "/proc/sys/vm/drop_caches", "/proc/sysrq-trigger"]) {
      const result = await sh(node1, openForWriteScript(file));
      assert.match(result.output, /^refused:/m, `${file}: ${result.output}`);
    }
  });

  it("cannot read the host's kernel log", async () => {
    const dmesg = await sh(node1, "dmesg | head -n 3");
    assert.match(dmesg.output, /not permitted|denied/i, dmesg.output);
    const kmsg = await sh(node1, openDevicesScript({ kmsg: "c 1 11" }));
    assert.match(kmsg.output, /^kmsg errno=1$/m, kmsg.output);
  });

  it("cannot load kernel modules (EPERM)", async () => {
    for (const call of ["init_module", "finit_module"] as const) {
      const result = await sh(node1, syscallScript(call));
      assert.match(result.output, /rc=-1 errno=1$/m, `${call}: ${result.output}`);
    }
  });

  it("cannot open raw memory, I/O ports or the host's block devices, even after mknod", async () => {
    // EPERM is the device cgroup's answer; a kernel without /dev/mem would say ENXIO only after the cgroup let it by.
    const disk = await sh(node1, `awk 'NR > 2 && $1 != "" { print "b", $1, $2; exit }' /proc/partitions`);
    assert.match(disk.output, /^b \d+ \d+$/m, disk.output);
    const result = await sh(
      node1,
      openDevicesScript({ mem: "c 1 1", kmem: "c 1 2", port: "c 1 4", disk: disk.output.trim() }),
    );
    for (const device of ["mem", "kmem", "port", "disk"]) {
      assert.match(result.output, new RegExp(`^${device} errno=1$`, "m"), result.output);
    }
  });

  it("keeps the node's pids limit on nested containers after all of the above", async () => {
    // A nested fork bomb stops at the node's limit (the nested container has none of its own).
    const result = await sh(
      node1,
      `docker run --rm kubelab/busybox:local sh -c 'for i in $(seq ${PIDS_LIMIT + 100}); do sleep 20 & done; echo all-spawned'`,
    );
    assert.doesNotMatch(result.output, /all-spawned/, result.output);
    assert.match(result.output, /can't fork|Resource temporarily unavailable/, result.output);
  });

  it("describes the engine's HostConfig in nodeSecurityFacts", async () => {
    // The admin console's facts and the container the engine made come from one set of constants.
    const { nodeSecurityFacts } = (await import(
      path.join(REPO_ROOT, "apps/api/dist/nodes/node-security-facts.js")
    )) as {
      nodeSecurityFacts: (profile: string) => { capabilities: string[]; cgroupNamespace: string; devices: string[] };
    };
    const info = await docker.getContainer(node1.id).inspect();
    // dockerode's types predate these Engine API fields.
    const hostConfig = info.HostConfig as {
      Privileged?: boolean;
      CapAdd?: string[];
      CgroupnsMode?: string;
      DeviceCgroupRules?: string[];
    };
    const profile = hostConfig.Privileged ? "privileged" : "capabilities";
    const facts = nodeSecurityFacts(profile);
    assert.equal(facts.cgroupNamespace, hostConfig.CgroupnsMode);
    if (!hostConfig.Privileged) {
      assert.deepEqual([...(hostConfig.CapAdd ?? [])].sort(), [...facts.capabilities].sort());
      assert.equal(hostConfig.DeviceCgroupRules?.length, facts.devices.length);
    }
  });
});

describe("NODE_SECURITY_PROFILE=userns on an engine without --userns-remap", () => {
  const lab = useKubelab({ env: { NODE_SECURITY_PROFILE: "userns" } });

  it("fails the session with a stable reason naming the setting, and leaves no containers", async () => {
    if (
      ((await docker.info()) as { SecurityOptions?: string[] }).SecurityOptions?.some((o) => o.includes("name=userns"))
    ) {
      assert.fail("this engine remaps users: the refusal cannot be tested here");
    }
    const user = lab.server.client();
    await user.loginAsGuest("Userns");
    const session = await user.createSession();
    const settled = await user.waitUntilSettled(session.id);
    assert.equal(settled.status, "failed");
    assert.match(settled.reason ?? "", /^node_profile_unavailable: NODE_SECURITY_PROFILE=userns .*--userns-remap/);
    assert.equal(settled.stopReason?.code, "profile_unavailable");
    const containers = await docker.listContainers({
      all: true,
      filters: { label: [`kubelab.session=${session.id}`] },
    });
    assert.equal(containers.length, 0);
  });
});
