import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { downloadName } from "./download-file";

describe("download names", () => {
  it("prefer the exact name, then the plain one, then the path", () => {
    assert.equal(downloadName(`attachment; filename="a_o.txt"; filename*=UTF-8''a%C3%B1o.txt`, "/x"), "año.txt");
    assert.equal(downloadName(`attachment; filename="config"`, "/root/.kube/config"), "config");
    assert.equal(downloadName(null, "/root/.kube/config"), "config");
    assert.equal(downloadName(`attachment; filename*=UTF-8''%E0%A4%A`, "/root/x.bin"), "x.bin");
  });
});
