// Uploading files into a node (drag and drop onto a terminal) and downloading them (lesson links, the
// terminal's "Download file"): real server, Docker and PostgreSQL.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import type { ApiClient } from "./support/api-client";
import { execIn } from "./support/docker-objects";
import { useKubelab } from "./support/lab-fixture";

describe("file uploads into nodes and downloads from them", () => {
  const lab = useKubelab({
    env: { UPLOAD_MAX_SIZE: "8m", DOWNLOAD_MAX_SIZE: "4m", MAX_TERMINALS_PER_NODE: "3" },
    withReadySession: true,
  });

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
    assert.deepEqual(limits.body, {
      terminalsPerNode: 3,
      uploadMaxBytes: 8 * 1024 * 1024,
      downloadMaxBytes: 4 * 1024 * 1024,
      portUrls: { publicUrl: `http://localhost:${new URL(lab.server.url).port}/`, labDomain: "localhost" },
    });
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

  const download = (client: ApiClient, node: string, path: string) =>
    fetch(
      `${lab.server.url}/api/sessions/${lab.session.id}/nodes/${node}/files?path=${encodeURIComponent(path)}`,
      client.cookieHeader ? { headers: { cookie: client.cookieHeader } } : {},
    );
  const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

  it("downloads a file written in the node byte for byte, as an attachment", async () => {
    const container = `kubelab-${lab.session.id}-node1`;
    // Random bytes made in the node itself (not an upload), so the download is the only copy path.
    const made = await execIn(container, [
      "sh",
      "-c",
      "head -c 3145745 /dev/urandom > '/root/data 1.bin' && ln -sf '/root/data 1.bin' /root/link.bin && sha256sum '/root/data 1.bin'",
    ]);
    assert.equal(made.exitCode, 0, made.output);
    const expected = made.output.split(" ")[0];
    const res = await download(lab.owner, "node1", "/root/data 1.bin");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/octet-stream");
    assert.equal(res.headers.get("content-length"), "3145745");
    assert.match(
      res.headers.get("content-disposition") ?? "",
      /^attachment; filename="data 1\.bin"; filename\*=UTF-8''data%201\.bin$/,
    );
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(body.length, 3145745);
    assert.equal(createHash("sha256").update(body).digest("hex"), expected);
    // A symlink is followed to its file; the name stays the one asked for.
    const linked = await download(lab.owner, "node1", "/root/link.bin");
    assert.equal(linked.status, 200);
    assert.equal(
      createHash("sha256")
        .update(Buffer.from(await linked.arrayBuffer()))
        .digest("hex"),
      expected,
    );
  });

  it("refuses relative paths, . and .. segments, directories, missing files and files over the limit", async () => {
    for (const path of ["root/.bashrc", "/root/../etc/shadow", "/../etc/passwd", "/root/./x", "", "/root/"]) {
      const res = await download(lab.owner, "node1", path);
      assert.equal(res.status, 400, `${JSON.stringify(path)} → ${res.status}`);
      assert.equal((await errorOf(res)).code, "bad_request");
    }
    const missing = await download(lab.owner, "node1", "/root/no-such-file");
    assert.equal(missing.status, 404);
    assert.match((await errorOf(missing)).message, /No such file/);
    const directory = await download(lab.owner, "node1", "/etc");
    assert.equal(directory.status, 404);
    assert.match((await errorOf(directory)).message, /directory/);
    await execIn(`kubelab-${lab.session.id}-node1`, ["sh", "-c", "head -c 5242880 /dev/zero > /root/big.bin"]);
    const big = await download(lab.owner, "node1", "/root/big.bin");
    assert.equal(big.status, 413);
    const error = await errorOf(big);
    assert.equal(error.code, "payload_too_large");
    assert.equal(error.message, "/root/big.bin is 5 MiB; downloads may be at most 4 MiB");
    // The refused copy released the node: it still answers at once.
    assert.equal((await download(lab.owner, "node1", "/etc/hostname")).status, 200);
  });

  it("downloads only from the owner's own sessions and nodes", async () => {
    const other = lab.server.client();
    await other.loginAsGuest("Wanda");
    assert.equal((await download(other, "node1", "/etc/hostname")).status, 404);
    assert.equal((await download(lab.server.client(), "node1", "/etc/hostname")).status, 401);
    assert.equal((await download(lab.owner, "node3", "/etc/hostname")).status, 404);
  });
});
