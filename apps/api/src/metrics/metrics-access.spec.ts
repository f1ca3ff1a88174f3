import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadConfig } from "../config/app-config";
import { bearerMatches, metricsAccessOf } from "./metrics-access";
import { dockerErrorKind, statusClass } from "./metrics.service";

const TOKEN = "0123456789abcdef0123";

describe("metrics access", () => {
  it("is off with neither setting, elsewhere with a port (token or not), token-protected otherwise", () => {
    assert.equal(metricsAccessOf({ token: undefined, port: undefined }), "off");
    assert.equal(metricsAccessOf({ token: TOKEN, port: undefined }), "token");
    assert.equal(metricsAccessOf({ token: undefined, port: 9464 }), "elsewhere");
    assert.equal(metricsAccessOf({ token: TOKEN, port: 9464 }), "elsewhere");
  });

  it("reads the settings, and refuses a metrics port equal to PORT", () => {
    assert.deepEqual(loadConfig({}).metrics, { token: undefined, port: undefined, host: "127.0.0.1" });
    assert.deepEqual(loadConfig({ METRICS_PORT: "9464", METRICS_HOST: "10.0.0.5" }).metrics, {
      token: undefined,
      port: 9464,
      host: "10.0.0.5",
    });
    assert.throws(() => loadConfig({ PORT: "4000", METRICS_PORT: "4000" }), /METRICS_PORT: must differ from PORT/);
    assert.throws(() => loadConfig({ METRICS_TOKEN: "short" }), /METRICS_TOKEN/);
  });

  it("accepts exactly `Bearer <token>`", () => {
    assert.equal(bearerMatches(`Bearer ${TOKEN}`, TOKEN), true);
    assert.equal(bearerMatches(`bearer  ${TOKEN} `, TOKEN), true);
    for (const header of [undefined, "", TOKEN, `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`]) {
      assert.equal(bearerMatches(header, TOKEN), false, String(header));
    }
    assert.equal(bearerMatches([`Bearer ${TOKEN}`], TOKEN), false);
    assert.equal(bearerMatches(`Bearer ${TOKEN} extra`, TOKEN), false);
  });
});

describe("metric labels", () => {
  it("status classes, and 'error' for a response never sent", () => {
    assert.equal(statusClass(200), "2xx");
    assert.equal(statusClass(302), "3xx");
    assert.equal(statusClass(502), "5xx");
    assert.equal(statusClass(0), "error");
  });

  it("Docker error kinds stay few", () => {
    assert.equal(dockerErrorKind({ code: "engine_timeout" }), "timeout");
    assert.equal(dockerErrorKind({ statusCode: 500 }), "5xx");
    assert.equal(dockerErrorKind({ statusCode: 409 }), "4xx");
    assert.equal(dockerErrorKind(new Error("connect ENOENT /var/run/docker.sock")), "connection");
    assert.equal(dockerErrorKind(undefined), "connection");
  });
});
