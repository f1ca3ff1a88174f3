import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { enginesOrLocal, zDockerEngines } from "./docker-engines-config";

describe("DOCKER_ENGINES", () => {
  it("reads name=url entries with their options, separated by spaces or commas", () => {
    assert.deepEqual(
      zDockerEngines.parse(
        "local=unix:///var/run/docker.sock;sessions=40  b=tcp://10.0.0.2:2376;tls=/etc/kubelab/tls/b;memory=96g,c=ssh://kubelab@h3",
      ),
      [
        { name: "local", url: "unix:///var/run/docker.sock", sessions: 40 },
        { name: "b", url: "tcp://10.0.0.2:2376", tlsDir: "/etc/kubelab/tls/b", memoryBytes: 96 * 1024 ** 3 },
        { name: "c", url: "ssh://kubelab@h3" },
      ],
    );
  });

  it("is the environment's single engine when empty", () => {
    assert.deepEqual(zDockerEngines.parse(""), []);
    assert.deepEqual(enginesOrLocal([]), [{ name: "local" }]);
  });

  it("refuses bad entries with a message naming the entry", () => {
    for (const [raw, message] of [
      ["b", /expected name=url/],
      ["B=tcp://h:1", /expected name=url/],
      ["b=http://h:2375", /expected unix/],
      ["b=tcp://h", /expected unix/],
      ["b=tcp://h:1;sessions=many", /unknown or bad option "sessions=many"/],
      ["b=unix:///s;tls=/certs", /tls= applies to tcp/],
      ["b=tcp://h:1;tls=certs", /unknown or bad option/],
      ["b=tcp://h:1 b=tcp://h:2", /listed twice/],
    ] as const) {
      const result = zDockerEngines.safeParse(raw);
      assert.equal(result.success, false, raw);
      assert.match(result.error.issues[0]!.message, message, raw);
    }
  });
});
