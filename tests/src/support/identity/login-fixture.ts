import path from "node:path";
import { after, before } from "node:test";
import { removeInstanceObjects } from "../docker-objects";
import { freePort } from "../free-port";
import { KubelabServer } from "../kubelab-server";
import { startTestDatabase, type TestDatabase } from "../test-database";
import { HelperProcess } from "./helper-process";

export const GITHUB_CLIENT = { id: "kubelab-test-client", secret: "kubelab-test-secret" };
export const OIDC_CLIENT = { id: "kubelab-oidc-client", secret: "kubelab-oidc-secret-0123456789abcdef" };
/** The numeric id the GitHub stand-in gives its default user, made admin via ADMINS in these tests. */
export const GITHUB_ADMIN_ID = 583231;

export interface LoginFixture {
  db: TestDatabase;
  server: KubelabServer;
  /** The stand-in for github.com and api.github.com (GitHub itself cannot be reached from tests). */
  github: HelperProcess;
  /** A real OIDC provider process configured in Kubelab as the "dockerid" preset. */
  oidc: HelperProcess;
  /** http://localhost:<port>: Kubelab's PUBLIC_URL, which the callbacks are registered under. */
  publicUrl: string;
}

/**
 * Kubelab configured with GitHub (pointed at the stand-in through GITHUB_URL
 * and GITHUB_API_URL, as for GitHub Enterprise) and Docker ID (the OIDC preset
 * with its issuer overridden to the local provider).
 */
export function useLoginProviders(env: Record<string, string> = {}): LoginFixture {
  const fixture = {} as LoginFixture;
  before(async () => {
    fixture.db = await startTestDatabase();
    const port = await freePort();
    fixture.publicUrl = `http://localhost:${port}`;
    fixture.github = await HelperProcess.start(path.join(__dirname, "fake-github.main.js"), {
      FAKE_GITHUB_CLIENT_ID: GITHUB_CLIENT.id,
      FAKE_GITHUB_CLIENT_SECRET: GITHUB_CLIENT.secret,
      FAKE_GITHUB_CALLBACK_URL: `${fixture.publicUrl}/api/auth/github/callback`,
    });
    fixture.oidc = await HelperProcess.start(path.join(__dirname, "oidc-provider.main.js"), {
      OIDC_TEST_CLIENT_ID: OIDC_CLIENT.id,
      OIDC_TEST_CLIENT_SECRET: OIDC_CLIENT.secret,
      OIDC_TEST_REDIRECT_URI: `${fixture.publicUrl}/api/auth/dockerid/callback`,
    });
    fixture.server = await KubelabServer.start({
      databaseUrl: fixture.db.url,
      port,
      env: {
        PUBLIC_URL: fixture.publicUrl,
        // Failed logins redirect to the login page, which only exists with the web app.
        WEB_ENABLED: "true",
        GITHUB_CLIENT_ID: GITHUB_CLIENT.id,
        GITHUB_CLIENT_SECRET: GITHUB_CLIENT.secret,
        GITHUB_URL: fixture.github.url,
        GITHUB_API_URL: fixture.github.url,
        OIDC_PROVIDERS: "dockerid",
        OIDC_DOCKERID_ISSUER: fixture.oidc.url,
        OIDC_DOCKERID_CLIENT_ID: OIDC_CLIENT.id,
        OIDC_DOCKERID_CLIENT_SECRET: OIDC_CLIENT.secret,
        ADMINS: `github:${GITHUB_ADMIN_ID}`,
        ...env,
      },
    });
  });
  after(async () => {
    await fixture.server?.stop();
    if (fixture.server) await removeInstanceObjects(fixture.server.instanceId);
    await Promise.all([fixture.github?.stop(), fixture.oidc?.stop(), fixture.db?.stop()]);
  });
  return fixture;
}
