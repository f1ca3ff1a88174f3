// Uploading files into a node (drag and drop onto a terminal): real server, Docker and PostgreSQL.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import type { ApiClient } from "./support/api-client";
import { execIn } from "./support/docker-objects";
import { useKubelab } from "./support/lab-fixture";

describe("file uploads into nodes", () => {
  const lab = useKubelab({ env: { UPLOAD_MAX_SIZE: "8m", MAX_TERMINALS_PER_NODE: "3" }, withReadySession: true });

  const put = (client: ApiClient, node: string, name: string, body: Buffer) =>
    fetch(`${lab.server.url}/api/sessions/${lab.session.id}/nodes/${node}/files/${encodeURIComponent(name)}`, {
      method: "PUT",
      headers: {
        "content-type": "application/octet-stream",
        ...(client.cookieHeader ? { cookie: client.cookieHeader } : {}),
      },
      body,
    });

  it("tells logged-in users the configured limits (GET /api/limits), which the lab page applies", async () => {
    const limits = await lab.owner.request("GET", "/api/limits");
    assert.equal(limits.status, 200);
    assert.deepEqual(limits.body, { terminalsPerNode: 3, uploadMaxBytes: 8 * 1024 * 1024 });
    assert.equal((await lab.server.client().request("GET", "/api/limits")).status, 401);
  });

  it("stores the exact bytes as /root/<name> in the chosen node", async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const res = await put(lab.owner, "node2", "my app.tar.gz", data);
    assert.equal(res.status, 201);
    assert.deepEqual(await res.json(), { path: "/root/my app.tar.gz", size: data.length });
    const sum = await execIn(`kubelab-${lab.session.id}-node2`, ["md5sum", "/root/my app.tar.gz"]);
    assert.equal(sum.output.split(" ")[0], createHash("md5").update(data).digest("hex"));
    const absent = await execIn(`kubelab-${lab.session.id}-node1`, ["test", "-e", "/root/my app.tar.gz"]);
    assert.equal(absent.exitCode, 1, "only the chosen node gets the file");
  });

  it("confines names to the upload folder and refuses oversized files with 413", async () => {
    for (const name of ["../etc/passwd", "..", "a/b", ".", "/abs", "x\u0000y", "semi;colon"]) {
      const res = await put(lab.owner, "node1", name, Buffer.from("x"));
      assert.ok([400, 404].includes(res.status), `${JSON.stringify(name)} → ${res.status}`);
    }
    const passwd = await execIn(`kubelab-${lab.session.id}-node1`, ["grep", "-c", "root", "/etc/passwd"]);
    assert.equal(passwd.exitCode, 0, "/etc/passwd untouched");
    const big = await put(lab.owner, "node1", "big.bin", Buffer.alloc(9 * 1024 * 1024));
    assert.equal(big.status, 413);
    assert.equal(((await big.json()) as { error: { code: string } }).error.code, "payload_too_large");
    const left = await execIn(`kubelab-${lab.session.id}-node1`, ["test", "-e", "/root/big.bin"]);
    assert.equal(left.exitCode, 1);
  });

  it("is only for the session's owner and its own nodes", async () => {
    const other = lab.server.client();
    await other.loginAsGuest("Viktor");
    assert.equal((await put(other, "node1", "x.txt", Buffer.from("x"))).status, 404);
    assert.equal((await put(lab.server.client(), "node1", "x.txt", Buffer.from("x"))).status, 401);
    assert.equal((await put(lab.owner, "node3", "x.txt", Buffer.from("x"))).status, 404);
  });
});
