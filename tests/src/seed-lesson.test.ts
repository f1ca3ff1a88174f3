// The seed workshop "Kubernetes para principiantes": valid, bilingual, and updated for current Kubernetes.
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { loadLessonCatalog, type LessonSecrets } from "@kubelab/lessons";
import type { TLesson } from "@kubelab/shared";
import { REPO_ROOT } from "./support/repo-paths";

const ID = "kubernetes-para-principiantes";
const { lessons, secrets, errors } = loadLessonCatalog(
  path.join(REPO_ROOT, "content/lessons"),
  (id) => `/api/lessons/${id}/assets`,
);

function version(lang: string): TLesson {
  const lesson = lessons.get(ID)?.get(lang);
  assert.ok(lesson, `${ID}/${lang}.md exists and parses`);
  return lesson;
}

function secretsOf(lang: string): LessonSecrets {
  const found = secrets.get(ID)?.get(lang);
  assert.ok(found, `${ID}/${lang} has its secrets (check scripts, hints, quiz answers)`);
  return found;
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

  it("exists in Spanish and English with the same milestone steps, blocks and checks", () => {
    const es = version("es");
    const en = version("en");
    assert.equal(es.title, "Kubernetes para principiantes");
    assert.deepEqual(es.nodes, ["node1", "node2"]);
    assert.equal(es.steps.length, en.steps.length);
    assert.ok(es.steps.length >= 20 && es.steps.length <= 25, `20-25 milestone steps, not ${es.steps.length}`);
    const shape = (lesson: TLesson) =>
      lesson.steps.map((s) => ({
        blocks: s.blocks.filter((b) => b.node).map((b) => `${b.node}:${b.mode}`),
        checks: s.checks.map((c) => `${c.id}:${c.node}:${c.timeoutSeconds}`),
        quizzes: s.quizzes.map((q) => `${q.id}:${q.choices.length}:${q.multiple}`),
      }));
    assert.deepEqual(shape(en), shape(es));
    assert.deepEqual(Object.keys(secretsOf("en").hints), Object.keys(secretsOf("es").hints));
    // The lab page and the server use the same answers in both languages.
    const answers = (lang: string) => Object.values(secretsOf(lang).quizzes).map((q) => q.correct);
    assert.deepEqual(answers("en"), answers("es"));
  });

  it("asks Kubelab for a bigger node1 (control plane and half the app)", () => {
    assert.equal(version("es").resources.node1?.memory, "4g");
    assert.equal(version("en").resources.node1?.memory, "4g");
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
      const join = blocks.find((b) => b.node && /kubeadm join/.test(b.command));
      assert.equal(join?.node, "node2", "join runs on node2");
      assert.equal(join?.mode, "edit", "the join line must be pasted from node1's output, not run as is");
      assert.match(join?.command ?? "", /^kubeadm join \{\{node1\.ip\}\}:6443 /, "node1's address is filled in");
      const joinCommand = blocks.find((b) => b.node && /kubeadm token create --print-join-command/.test(b.command));
      assert.equal(joinCommand?.node, "node1", "node1 prints the join line as one line to copy");
      assert.equal(joinCommand?.mode, "run");
      const cni = blocks.find((b) => b.node && /kubectl apply -f \/etc\/kubelab\/cni\//.test(b.command));
      assert.equal(cni?.node, "node1", "the network add-on comes from the manifest shipped in the image");
      const ports = lesson.steps.flatMap((s) => s.portLinks).map((p) => p.port);
      assert.ok(ports.includes(8000), "the Compose web UI on port 8000 is linked");
      assert.ok(ports.includes(30001), "the NodePort 30001 web UI is linked");
    });

    it(`(${lang}) ends every milestone step with a check whose failures say what is wrong`, () => {
      const lesson = version(lang);
      const { checks, hints } = secretsOf(lang);
      for (const step of lesson.steps) {
        assert.ok(step.checks.length > 0, `step ${step.index + 1} (${step.title}) has a check`);
        const lastCheck = step.html.lastIndexOf("data-check-id=");
        assert.ok(lastCheck > step.html.lastIndexOf("data-block-id="), `step ${step.index + 1} ends in its check`);
        for (const check of step.checks) {
          const script = checks[check.id]?.script ?? "";
          const lines = script.split("\n");
          lines.forEach((line, i) => {
            if (!/\bexit 1\b/.test(line)) return;
            const before = lines.slice(Math.max(0, i - 3), i + 1).join("\n");
            assert.match(before, /\becho\b/, `${check.id}: "exit 1" without a message before it`);
          });
          assert.match(lines.at(-1) ?? "", /^echo /, `${check.id} says what passed`);
        }
      }
      assert.ok(Object.keys(hints).length >= 10, "hints where attendees get stuck");
      assert.ok(lesson.steps.flatMap((s) => s.quizzes).length >= 2, "a couple of quizzes");
      // The milestones the issue lists, found by what their checks look at.
      const scripts = Object.values(checks);
      const milestone = (what: string, node: string, pattern: RegExp) =>
        assert.ok(
          scripts.some((c) => c.node === node && pattern.test(c.script)),
          `a ${node} check for ${what}`,
        );
      milestone("the control plane", "node1", /--raw=\/readyz/);
      milestone("node2 joined", "node1", /get node node2/);
      milestone("both nodes Ready", "node1", /type=="Ready"/);
      milestone("flannel 2/2", "node1", /kube-flannel-ds/);
      milestone("CoreDNS", "node1", /deployment coredns/);
      milestone("the taint removed", "node1", /node-role\.kubernetes\.io\/control-plane/);
      milestone("Compose on port 8000", "node1", /localhost:8000/);
      milestone("pingpong across both nodes", "node1", /app=pingpong.*nodeName/s);
      milestone("pods on node2 reached from node1", "node1", /app=whoami.*podIP/s);
      milestone("Dockercoins wired", "node1", /units of work done/);
      milestone("NodePort 30001 with rising hashes", "node1", /30001\/json/);
      milestone("NodePort 30001 on node2", "node2", /:30001\/index\.html/);
      milestone("the daemon set", "node1", /daemonset rng/);
      milestone("the rollout settings", "node1", /maxSurge/);
    });

    it(`(${lang}) shows the image's kubeadm wrapper and tells attendees what to do when a pull fails`, () => {
      const text = allText(version(lang));
      assert.match(text, /\[kubelab\] kubeadm configuration for this container/);
      assert.match(text, /\[kubelab\] kubectl is set up for root/);
      assert.match(text, /\[WARNING SystemVerification\]/);
      assert.match(text, /toomanyrequests/);
      assert.match(text, /NODE_REGISTRY_MIRROR/);
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
      assert.doesNotMatch(text, /1\.31/, "the image runs Kubernetes 1.33");
      assert.doesNotMatch(text, /ruta de los datos cuando|on the data path when/, "kube-proxy programs the kernel");
      if (lang === "es")
        assert.doesNotMatch(text, /registros (de los pods|en tiempo real|combinados)|Registros y/, "logs");
    });
  }
});
