// The web app and the API share one origin: pages from Next.js, /api from NestJS.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { KubelabServer } from "./support/kubelab-server";
import { startTestDatabase, type TestDatabase } from "./support/test-database";

describe("web app on the API's origin", () => {
  let db: TestDatabase;
  let server: KubelabServer;

  before(async () => {
    db = await startTestDatabase();
    server = await KubelabServer.start({ databaseUrl: db.url, env: { WEB_ENABLED: "true" } });
  });

  after(async () => {
    await server?.stop();
    await db?.stop();
  });

  it("serves the home page, a 404 page, and leaves /api to the API", async () => {
    const home = await fetch(`${server.url}/`);
    assert.equal(home.status, 200);
    assert.match(home.headers.get("content-type") ?? "", /text\/html/);
    assert.match(await home.text(), /Kubelab/);
    assert.equal(home.headers.get("x-powered-by"), null);

    const missingPage = await fetch(`${server.url}/no-such-page`);
    assert.equal(missingPage.status, 404);
    assert.match(missingPage.headers.get("content-type") ?? "", /text\/html/);

    const missingApi = await fetch(`${server.url}/api/no-such-endpoint`);
    assert.equal(missingApi.status, 404);
    assert.deepEqual(await missingApi.json(), { error: { code: "not_found", message: "No such endpoint" } });
  });
});
