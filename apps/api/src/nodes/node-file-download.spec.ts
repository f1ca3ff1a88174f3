import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AppError } from "../common/app-error";
import { attachmentDisposition, downloadPath, formatSize, pathKind } from "./node-file-download";

describe("download paths", () => {
  it("takes absolute paths and squeezes repeated slashes", () => {
    assert.equal(downloadPath("/root/.kube/config"), "/root/.kube/config");
    assert.equal(downloadPath("/root//a..b/x"), "/root/a..b/x");
  });

  it("refuses relative paths, . and .. segments, directories by slash, and nothing at all", () => {
    for (const path of [
      "root/x",
      "../x",
      "/root/../etc/shadow",
      "/root/./x",
      "/..",
      "/root/",
      "",
      undefined,
      ["/a"],
      "/a\0b",
    ]) {
      assert.throws(
        () => downloadPath(path),
        (error: unknown) => error instanceof AppError && error.code === "bad_request",
        JSON.stringify(path),
      );
    }
  });
});

describe("Docker's file modes", () => {
  it("tells files, directories, symlinks and special files apart", () => {
    assert.equal(pathKind(0o644), "file");
    assert.equal(pathKind(2 ** 31 + 0o755), "directory");
    assert.equal(pathKind(2 ** 27 + 0o777), "symlink");
    assert.equal(pathKind(2 ** 26 + 2 ** 21 + 0o666), "other");
    assert.equal(pathKind(2 ** 25 + 0o600), "other");
  });
});

describe("attachment names", () => {
  it("gives an ASCII name and the exact one", () => {
    assert.equal(attachmentDisposition("/root/.kube/config"), `attachment; filename="config"; filename*=UTF-8''config`);
    assert.equal(
      attachmentDisposition('/root/año "x".txt'),
      `attachment; filename="a_o _x_.txt"; filename*=UTF-8''a%C3%B1o%20%22x%22.txt`,
    );
    assert.equal(attachmentDisposition("/root/.bashrc"), `attachment; filename="_bashrc"; filename*=UTF-8''.bashrc`);
  });

  it("words sizes for people", () => {
    assert.equal(formatSize(5 * 1024 ** 2), "5 MiB");
    assert.equal(formatSize(1.5 * 1024 ** 2), "1.5 MiB");
    assert.equal(formatSize(300 * 1024), "300 KiB");
  });
});
