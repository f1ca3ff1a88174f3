import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fillVariables, fillVariablesInHtml, variableValue, type LessonVariableValues } from "./lesson-variables";

const SESSION = "0123456789abcdef0123456789abcdef";
const values: LessonVariableValues = {
  sessionId: SESSION,
  userName: "Ana <b>&</b>",
  nodes: [
    { name: "node1", ip: "10.77.0.2" },
    { name: "node2", ip: null },
  ],
  portUrls: { publicUrl: "https://lab.example.org/", labDomain: "lab.example.org" },
};

describe("lesson variables", () => {
  it("have the session's values", () => {
    assert.equal(variableValue("session.id", values), SESSION);
    assert.equal(variableValue("user.name", values), "Ana <b>&</b>");
    assert.equal(variableValue("node1.ip", values), "10.77.0.2");
    assert.equal(variableValue("node2.hostname", values), "node2");
    assert.equal(variableValue("node1.url.30001", values), `https://node1-30001-${SESSION}.lab.example.org/`);
    assert.equal(variableValue("node1.pathurl.30001", values), `https://lab.example.org/ports/${SESSION}/node1/30001/`);
  });

  it("keep the server's port for the host form", () => {
    const local = { ...values, portUrls: { publicUrl: "http://localhost:3000/", labDomain: "localhost" } };
    assert.equal(variableValue("node1.url.8080", local), `http://node1-8080-${SESSION}.localhost:3000/`);
    assert.equal(variableValue("node1.pathurl.8080", local), `http://localhost:3000/ports/${SESSION}/node1/8080/`);
  });

  it("stay as written when they have no value (yet)", () => {
    assert.equal(variableValue("node2.ip", values), undefined);
    assert.equal(variableValue("node3.ip", values), undefined);
    assert.equal(variableValue("node1.url.70000", values), undefined);
    const early = { ...values, sessionId: null };
    assert.equal(
      fillVariables("{{session.id}} {{node1.url.80}} {{ node1.ip }}", early),
      "{{session.id}} {{node1.url.80}} 10.77.0.2",
    );
  });

  it("fill commands, leaving Go templates and unknown names alone", () => {
    assert.equal(
      fillVariables("curl {{node1.pathurl.30001}} && docker inspect -f '{{.State.Status}}' x # {{user.nam}}", values),
      `curl https://lab.example.org/ports/${SESSION}/node1/30001/ && docker inspect -f '{{.State.Status}}' x # {{user.nam}}`,
    );
  });

  it("do not double the slash when a path follows a port URL", () => {
    assert.equal(
      fillVariables("curl {{node1.pathurl.80}}/x", values),
      `curl https://lab.example.org/ports/${SESSION}/node1/80/x`,
    );
    assert.equal(
      fillVariablesInHtml('<a href="{{node1.url.8080}}/hello">{{node1.url.8080}}</a>', values),
      `<a href="https://node1-8080-${SESSION}.lab.example.org/hello">https://node1-8080-${SESSION}.lab.example.org/</a>`,
    );
  });

  it("fill HTML as escaped text, never as markup", () => {
    assert.equal(fillVariablesInHtml("<p>Hi {{user.name}}</p>", values), "<p>Hi Ana &lt;b&gt;&amp;&lt;/b&gt;</p>");
    assert.equal(
      fillVariablesInHtml('<a href="%7B%7Bnode1.url.30001%7D%7D">{{node1.url.30001}}</a>', values),
      `<a href="https://node1-30001-${SESSION}.lab.example.org/">https://node1-30001-${SESSION}.lab.example.org/</a>`,
    );
    assert.equal(
      fillVariablesInHtml('<a href="%7B%7Buser.name%7D%7D">x</a>', values),
      '<a href="%7B%7Buser.name%7D%7D">x</a>',
    );
  });
});
