// The seed workshop "Kubernetes para principiantes": valid, bilingual, and updated for current Kubernetes.
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { loadLessonCatalog } from "@kubelab/lessons";
import type { TLesson } from "@kubelab/shared";
import { REPO_ROOT } from "./support/repo-paths";

const ID = "kubernetes-para-principiantes";
const { lessons, errors } = loadLessonCatalog(
  path.join(REPO_ROOT, "content/lessons"),
  (id) => `/api/lessons/${id}/assets`,
);

function version(lang: string): TLesson {
  const lesson = lessons.get(ID)?.get(lang);
  assert.ok(lesson, `${ID}/${lang}.md exists and parses`);
  return lesson;
}

const allCommands = (lesson: TLesson): string[] => lesson.steps.flatMap((s) => s.blocks.map((b) => b.command));
const allText = (lesson: TLesson): string => lesson.introHtml + lesson.steps.map((s) => s.title + s.html).join("\n");

describe("seed lesson", () => {
  it("every lesson under content/lessons is valid", () => {
    assert.deepEqual(
      errors.map((e) => e.message),
      [],
    );
  });

  it("exists in Spanish and English with the same steps and the same runnable blocks", () => {
    const es = version("es");
    const en = version("en");
    assert.equal(es.title, "Kubernetes para principiantes");
    assert.deepEqual(es.nodes, ["node1", "node2"]);
    assert.equal(es.steps.length, en.steps.length);
    const shape = (lesson: TLesson) =>
      lesson.steps.map((s) => s.blocks.filter((b) => b.node).map((b) => `${b.node}:${b.mode}`));
    assert.deepEqual(shape(en), shape(es));
    assert.ok(es.steps.length >= 8, `the whole workshop (${es.steps.length} steps)`);
  });

  for (const lang of ["es", "en"]) {
    it(`(${lang}) runs each command in the node the workshop says`, () => {
      const lesson = version(lang);
      const blocks = lesson.steps.flatMap((s) => s.blocks);
      for (const block of blocks.filter((b) => b.language === "bash" || b.language === "sh")) {
        assert.ok(block.node, `bash block without a target node: ${block.command.slice(0, 60)}`);
      }
      const init = blocks.find((b) => /kubeadm init/.test(b.command));
      assert.equal(init?.node, "node1");
      assert.equal(init?.mode, "run");
      const join = blocks.find((b) => /kubeadm join/.test(b.command));
      assert.equal(join?.node, "node2", "join runs on node2");
      assert.equal(join?.mode, "edit", "the join line must be pasted from node1's output, not run as is");
      const cni = blocks.find((b) => /kubectl apply -f \/etc\/kubelab\/cni\//.test(b.command));
      assert.equal(cni?.node, "node1", "the network add-on comes from the manifest shipped in the image");
      const ports = lesson.steps.flatMap((s) => s.portLinks).map((p) => p.port);
      assert.ok(ports.includes(8000), "the Compose web UI on port 8000 is linked");
      assert.ok(ports.includes(30001), "the NodePort 30001 web UI is linked");
    });

    it(`(${lang}) has no outdated commands or translation damage`, () => {
      const lesson = version(lang);
      const commands = allCommands(lesson).join("\n");
      assert.doesNotMatch(commands, /kubectl run\b.*--(replicas|restart|schedule)/, "removed kubectl run generators");
      assert.doesNotMatch(commands, /--export\b/, "--export was removed in 1.18");
      assert.doesNotMatch(commands, /docker-compose\b/, "docker compose is a plugin now");
      assert.doesNotMatch(commands, /weave/i, "the Weave Net URL is dead");
      assert.doesNotMatch(commands, /\brun=/, "labels are app=NAME since kubectl create deployment");
      assert.match(commands, /kubectl create deployment/);
      assert.match(commands, /dockercoins\/(rng|hasher|worker|webui):v0\.1/);
      const text = allText(lesson);
      assert.doesNotMatch(text, /vainas|cápsulas/i, "pods are pods");
      assert.doesNotMatch(text, /image(-\d+)?\.png/, "missing screenshots are replaced by text output");
    });
  }
});
