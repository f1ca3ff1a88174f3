import assert from "node:assert/strict";
import { ZEvent, type TEvent } from "@kubelab/shared";
import type { ApiClient } from "./api-client";

/** The seed lesson events use in tests. */
export const EVENT_LESSON = "kubernetes-para-principiantes";

/**
 * An event created by `instructor` through the API: running (started a minute ago, ends in an
 * hour), one place, no reserved sessions, unless `overrides` say otherwise.
 */
export async function createRunningEvent(
  instructor: ApiClient,
  overrides: Record<string, unknown> = {},
): Promise<TEvent> {
  const created = await instructor.request("POST", "/api/events", {
    title: "Class",
    lessonId: EVENT_LESSON,
    language: "es",
    startsAt: new Date(Date.now() - 60_000).toISOString(),
    endsAt: new Date(Date.now() + 3600_000).toISOString(),
    capacity: 1,
    reservedSessions: 0,
    ...overrides,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return ZEvent.parse(created.body);
}
