// The web app and the API share one origin: pages from Next.js, /api from NestJS.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useKubelab } from "./support/lab-fixture";

describe("web app on the API's origin", () => {
  const lab = useKubelab({ env: { WEB_ENABLED: "true" } });

  it("serves the home page, a 404 page, and leaves /api to the API", async () => {
    const home = await fetch(`${lab.server.url}/`);
    assert.equal(home.status, 200);
    assert.match(home.headers.get("content-type") ?? "", /text\/html/);
    assert.match(await home.text(), /Kubelab/);
    assert.equal(home.headers.get("x-powered-by"), null);

    const missingPage = await fetch(`${lab.server.url}/no-such-page`);
    assert.equal(missingPage.status, 404);
    assert.match(missingPage.headers.get("content-type") ?? "", /text\/html/);

    const missingApi = await fetch(`${lab.server.url}/api/no-such-endpoint`);
    assert.equal(missingApi.status, 404);
    assert.deepEqual(await missingApi.json(), { error: { code: "not_found", message: "No such endpoint" } });
  });
});
