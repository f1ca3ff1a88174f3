import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nodeImagesReport } from "./node-images-report";

const OFFLINE = "kubelab/node-offline:latest";
const CENTOS = "kubelab/node-centos:latest";
const CREATED = new Date("2026-11-30T08:00:00Z");

describe("nodeImagesReport", () => {
  it("shows each allowed image present or missing, with its pool and lessons, and warns of lessons on a missing image", () => {
    const report = nodeImagesReport({
      allowed: [OFFLINE, CENTOS],
      defaultImage: OFFLINE,
      facts: new Map([
        [OFFLINE, { id: "sha256:1", sizeBytes: 1000, createdAt: CREATED }],
        [CENTOS, undefined],
      ]),
      pools: new Map([[OFFLINE, { wanted: 2, ready: 1, building: 1 }]]),
      lessons: [
        { id: "zeta", image: CENTOS },
        { id: "alpha", image: null },
        { id: "beta", image: OFFLINE },
        { id: "gamma", image: "someone/else:1" },
      ],
    });
    assert.deepEqual(report.images, [
      {
        image: OFFLINE,
        isDefault: true,
        present: true,
        sizeBytes: 1000,
        createdAt: CREATED.toISOString(),
        pool: { wanted: 2, ready: 1, building: 1 },
        lessons: ["alpha", "beta"],
      },
      {
        image: CENTOS,
        isDefault: false,
        present: false,
        sizeBytes: null,
        createdAt: null,
        pool: { wanted: 0, ready: 0, building: 0 },
        lessons: ["zeta"],
      },
    ]);
    assert.deepEqual(report.warnings, [
      { code: "lesson_image_not_allowed", lessonId: "gamma", image: "someone/else:1" },
      { code: "lesson_image_missing", lessonId: "zeta", image: CENTOS },
    ]);
  });

  it("warns first when the default image itself is missing", () => {
    const report = nodeImagesReport({
      allowed: [OFFLINE],
      defaultImage: OFFLINE,
      facts: new Map([[OFFLINE, undefined]]),
      pools: new Map(),
      lessons: [{ id: "alpha", image: null }],
    });
    assert.deepEqual(report.warnings, [
      { code: "default_image_missing", lessonId: null, image: OFFLINE },
      { code: "lesson_image_missing", lessonId: "alpha", image: OFFLINE },
    ]);
  });

  it("says the engine did not answer rather than calling images missing", () => {
    const report = nodeImagesReport({
      allowed: [OFFLINE],
      defaultImage: OFFLINE,
      facts: new Map([[OFFLINE, null]]),
      pools: new Map(),
      lessons: [{ id: "alpha", image: null }],
    });
    assert.equal(report.images[0]!.present, null);
    assert.deepEqual(report.warnings, [{ code: "engine_unreachable", lessonId: null, image: null }]);
  });
});
