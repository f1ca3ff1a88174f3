// Lessons through the API, and sessions created from a lesson: real server, database and Docker.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import {
  ZLesson,
  ZLessonCatalog,
  type TLesson,
  type TLessonCatalog,
  type TLessonProgress,
  type TSession,
} from "@kubelab/shared";
import { countLabelled, docker } from "./support/docker-objects";
import { useKubelab } from "./support/lab-fixture";
import { waitFor } from "./support/wait-for";

const FRONT = (title: string, extra = "") =>
  `---\ntitle: ${title}\ndescription: Solo lab.\nduration: 20\ndifficulty: beginner\nnodes: [node1]\nimage: kubelab/node-offline:latest\ntags: [test]\n${extra}---\n`;

/** The start-up image check runs in the background: its log line may come a moment after boot. */
async function waitForLog(server: { logs(): string }, line: RegExp): Promise<void> {
  await waitFor(`a log line ${line}`, () => Promise.resolve(line.test(server.logs()) ? true : undefined));
}

const MISSING_IMAGE = "kubelab/node-not-built:test";
const ALLOWED_IMAGES = `kubelab/node-offline:latest,${MISSING_IMAGE}`;

function writeLessons(dir: string): void {
  const solo = path.join(dir, "solo-lab");
  fs.mkdirSync(path.join(solo, "images"), { recursive: true });
  fs.writeFileSync(
    path.join(solo, "es.md"),
    `${FRONT("Laboratorio solo")}## Paso\n\n\`\`\`bash node1\nhostname\n\`\`\`\n\n![esquema](images/a.png)\n`,
  );
  fs.writeFileSync(
    path.join(solo, "en.md"),
    `${FRONT("Solo lab")}## Step\n\n\`\`\`bash node1\nhostname\n\`\`\`\n\n![diagram](images/a.png)\n`,
  );
  fs.writeFileSync(path.join(solo, "images", "a.png"), Buffer.from("89504e470d0a1a0a", "hex"));
  fs.writeFileSync(path.join(dir, "secret.png"), "outside");
  const foreign = path.join(dir, "foreign-image");
  fs.mkdirSync(foreign);
  fs.writeFileSync(
    path.join(foreign, "en.md"),
    FRONT("Foreign", "").replace("kubelab/node-offline:latest", "evil/miner:latest") + "## S\n\ntext\n",
  );
  // Allowed by NODE_IMAGES below, but never built: stands for a production image not built yet.
  const unbuilt = path.join(dir, "unbuilt-image");
  fs.mkdirSync(unbuilt);
  fs.writeFileSync(
    path.join(unbuilt, "en.md"),
    FRONT("Unbuilt", "").replace("kubelab/node-offline:latest", MISSING_IMAGE) + "## S\n\ntext\n",
  );
  const broken = path.join(dir, "broken");
  fs.mkdirSync(broken);
  fs.writeFileSync(path.join(broken, "en.md"), "---\ntitle: Broken\n---\n## S\n");
}

describe("lessons API", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubelab-lessons-"));
  writeLessons(dir);
  const lab = useKubelab({ env: { LESSONS_DIR: dir, NODE_IMAGES: ALLOWED_IMAGES } });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("lists valid lessons publicly, with titles per language; invalid ones are left out", async () => {
    const res = await lab.server.client().request<TLessonCatalog>("GET", "/api/lessons");
    assert.equal(res.status, 200);
    const catalog = ZLessonCatalog.parse(res.body);
    assert.deepEqual(
      catalog.lessons.map((l) => l.id),
      ["foreign-image", "solo-lab", "unbuilt-image"],
    );
    const solo = catalog.lessons.find((l) => l.id === "solo-lab")!;
    assert.deepEqual(solo.languages, ["en", "es"]);
    assert.deepEqual(solo.titles, { en: "Solo lab", es: "Laboratorio solo" });
    assert.equal(solo.durationMinutes, 20);
    assert.match(lab.server.logs(), /Lesson skipped: .*broken\/en\.md:\d+: bad front matter/);
  });

  it("returns a parsed lesson in the asked language, English by default, with clear errors", async () => {
    const client = lab.server.client();
    const es = await client.request<TLesson>("GET", "/api/lessons/solo-lab?lang=es");
    assert.equal(es.status, 200);
    ZLesson.parse(es.body);
    assert.equal(es.body.title, "Laboratorio solo");
    assert.equal(es.body.steps[0]?.blocks[0]?.command, "hostname");
    assert.equal((await client.request<TLesson>("GET", "/api/lessons/solo-lab")).body.lang, "en");
    const missingLanguage = await client.request<{ error: { code: string; message: string } }>(
      "GET",
      "/api/lessons/solo-lab?lang=fr",
    );
    assert.equal(missingLanguage.status, 404);
    assert.match(missingLanguage.body.error.message, /available: en, es/);
    assert.equal((await client.request("GET", "/api/lessons/solo-lab?lang=french")).status, 400);
    assert.equal((await client.request("GET", "/api/lessons/nope")).status, 404);
  });

  it("serves lesson images, and nothing outside the lesson folder", async () => {
    const image = await fetch(`${lab.server.url}/api/lessons/solo-lab/assets/images/a.png`);
    assert.equal(image.status, 200);
    assert.equal(image.headers.get("content-type"), "image/png");
    assert.equal(image.headers.get("x-content-type-options"), "nosniff");
    for (const attempt of [
      "/api/lessons/solo-lab/assets/..%2fsecret.png",
      "/api/lessons/solo-lab/assets/%2e%2e/secret.png",
      "/api/lessons/solo-lab/assets/es.md",
      "/api/lessons/solo-lab/assets/images/none.png",
    ]) {
      const res = await fetch(`${lab.server.url}${attempt}`);
      assert.equal(res.status, 404, attempt);
    }
  });

  it("creates a session from a lesson with the lesson's node list and image", async () => {
    const client = lab.server.client();
    await client.loginAsGuest("Lena");
    const created = await client.request<TSession>("POST", "/api/sessions", { lesson: "solo-lab" });
    assert.equal(created.status, 201);
    assert.equal(created.body.lesson, "solo-lab");
    assert.equal(created.body.image, "kubelab/node-offline:latest");
    assert.equal(created.body.requestedImage, null, "the lesson's own image: nothing to tell");
    assert.deepEqual(
      created.body.nodes.map((n) => n.name),
      ["node1"],
    );
    const ready = await client.waitUntilSettled(created.body.id);
    assert.equal(ready.status, "ready", ready.reason ?? "");
    const containers = await docker.listContainers({ filters: { label: [`kubelab.session=${created.body.id}`] } });
    assert.deepEqual(
      containers.map((c) => c.Labels["kubelab.node"]),
      ["node1"],
    );
    assert.equal(containers[0]?.Image, "kubelab/node-offline:latest");
    assert.equal((await client.request("DELETE", `/api/sessions/${created.body.id}`)).status, 204);

    const unknown = await client.request<{ error: { code: string } }>("POST", "/api/sessions", {
      lesson: "no-such-lesson",
    });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, "not_found");
  });

  it("remembers each user's progress per lesson, validated against the lesson's steps", async () => {
    const client = lab.server.client();
    assert.equal((await client.request("GET", "/api/lessons/solo-lab/progress")).status, 401);
    await client.loginAsGuest("Pia");
    const initial = await client.request<TLessonProgress>("GET", "/api/lessons/solo-lab/progress");
    assert.deepEqual(initial.body, {
      lesson: "solo-lab",
      currentStep: 0,
      doneSteps: [],
      verifiedSteps: [],
      passed: [],
    });
    const saved = await client.request<TLessonProgress>("PUT", "/api/lessons/solo-lab/progress", {
      currentStep: 0,
      doneSteps: [0, 0],
    });
    assert.equal(saved.status, 200);
    assert.deepEqual(saved.body.doneSteps, [0]);
    assert.deepEqual(
      (await client.request<TLessonProgress>("GET", "/api/lessons/solo-lab/progress")).body.doneSteps,
      [0],
    );
    // Another user starts from scratch.
    const other = lab.server.client();
    await other.loginAsGuest("Quinn");
    assert.deepEqual(
      (await other.request<TLessonProgress>("GET", "/api/lessons/solo-lab/progress")).body.doneSteps,
      [],
    );
    for (const body of [
      { currentStep: 5, doneSteps: [] },
      { currentStep: 0, doneSteps: [9] },
      { currentStep: -1, doneSteps: [] },
      { currentStep: 0 },
      { currentStep: 0, doneSteps: [], extra: 1 },
    ]) {
      assert.equal(
        (await client.request("PUT", "/api/lessons/solo-lab/progress", body)).status,
        400,
        JSON.stringify(body),
      );
    }
    assert.equal(
      (await client.request("PUT", "/api/lessons/nope/progress", { currentStep: 0, doneSteps: [] })).status,
      404,
    );
  });

  it("ignores a lesson's image that the admin has not allowed", async () => {
    const client = lab.server.client();
    await client.loginAsGuest("Omar");
    const created = await client.request<TSession>("POST", "/api/sessions", { lesson: "foreign-image" });
    assert.equal(created.status, 201);
    const containers = await client
      .waitUntilSettled(created.body.id)
      .then(() => docker.listContainers({ filters: { label: [`kubelab.session=${created.body.id}`] } }));
    assert.ok(containers.every((c) => c.Image === "kubelab/node-offline:latest"));
    assert.match(
      lab.server.logs(),
      /asks for image evil\/miner:latest, which NODE_IMAGES \(or the admin console\) does not allow/,
    );
    assert.equal(created.body.image, "kubelab/node-offline:latest");
    assert.equal(created.body.requestedImage, "evil/miner:latest");
    assert.equal((await client.request("DELETE", `/api/sessions/${created.body.id}`)).status, 204);
  });

  it("runs a lesson whose image is not built on NODE_IMAGE instead, and says which image it wanted", async () => {
    // Said at start-up, before any attendee asks: the admin sees it when starting Kubelab.
    const startupWarning =
      /Lesson unbuilt-image asks for image kubelab\/node-not-built:test, which is not on this Docker engine; its sessions use kubelab\/node-offline:latest/;
    await waitForLog(lab.server, startupWarning);
    const client = lab.server.client();
    await client.loginAsGuest("Iris");
    const created = await client.request<TSession>("POST", "/api/sessions", { lesson: "unbuilt-image" });
    assert.equal(created.status, 201);
    assert.equal(created.body.image, "kubelab/node-offline:latest");
    assert.equal(created.body.requestedImage, MISSING_IMAGE);
    const ready = await client.waitUntilSettled(created.body.id);
    assert.equal(ready.status, "ready", ready.reason ?? "");
    assert.equal(ready.requestedImage, MISSING_IMAGE, "still known after creation");
    const containers = await docker.listContainers({ filters: { label: [`kubelab.session=${created.body.id}`] } });
    assert.ok(containers.length > 0 && containers.every((c) => c.Image === "kubelab/node-offline:latest"));
    assert.equal((await client.request("DELETE", `/api/sessions/${created.body.id}`)).status, 204);
    // A classroom starts the same lesson many times: the log says it once.
    const again = await client.request<TSession>("POST", "/api/sessions", { lesson: "unbuilt-image" });
    assert.equal(again.body.requestedImage, MISSING_IMAGE);
    await client.waitUntilSettled(again.body.id);
    assert.equal(lab.server.logs().match(/not-built:test, which is not on this Docker engine/g)?.length, 1);
    assert.equal((await client.request("DELETE", `/api/sessions/${again.body.id}`)).status, 204);
  });
});

describe("lessons API with LESSON_IMAGE_FALLBACK=false", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubelab-lessons-"));
  writeLessons(dir);
  const lab = useKubelab({ env: { LESSONS_DIR: dir, NODE_IMAGES: ALLOWED_IMAGES, LESSON_IMAGE_FALLBACK: "false" } });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("fails a session whose lesson image is not built, with how to fix it, and leaves nothing behind", async () => {
    const client = lab.server.client();
    await client.loginAsGuest("Strict");
    const created = await client.request<TSession>("POST", "/api/sessions", { lesson: "unbuilt-image" });
    assert.equal(created.status, 201);
    assert.equal(created.body.image, MISSING_IMAGE);
    assert.equal(created.body.requestedImage, null);
    const failed = await client.waitUntilSettled(created.body.id);
    assert.equal(failed.status, "failed");
    assert.match(
      failed.reason ?? "",
      /node image "kubelab\/node-not-built:test" is not on this Docker engine \(build it/,
    );
    assert.equal(failed.stopReason?.code, "image_missing");
    await waitForLog(lab.server, /Lesson unbuilt-image asks for .*; its sessions fail until it is built/);
    assert.deepEqual(await countLabelled(lab.server.instanceId, created.body.id), {
      containers: 0,
      networks: 0,
      volumes: 0,
    });
  });
});
