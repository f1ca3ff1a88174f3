"use client";

import {
  ENDABLE_SESSION_STATUSES,
  isSessionStatusIn,
  OPEN_SESSION_STATUSES,
  type TRoomAttendee,
} from "@kubelab/shared";
import Link from "next/link";
import { useState } from "react";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { stepLabel } from "@/lib/room/board";
import { watchPath } from "@/lib/room/room-actions";
import {
  DEFAULT_STUCK_MINUTES,
  filterRoster,
  idleMinutes,
  isStuck,
  MAX_STUCK_MINUTES,
  MIN_STUCK_MINUTES,
  parseStuckMinutes,
  ROSTER_FILTERS,
  ROSTER_SORTS,
  sortRoster,
  stepMinutes,
  type RosterFilter,
  type RosterSort,
} from "@/lib/room/roster";
import { formatDuration, useServerNow } from "@/lib/ui/use-now";

interface RoomRosterProps {
  eventId: string;
  attendees: readonly TRoomAttendee[];
  stepCount: number;
  onEnd: (attendee: TRoomAttendee) => void;
  onReset: (attendee: TRoomAttendee) => void;
}

/** Every attendee's latest session: sort, filter (stuck after N minutes), watch, end, reset. */
export function RoomRoster({ eventId, attendees, stepCount, onEnd, onReset }: RoomRosterProps) {
  const { dict } = useI18n();
  const t = dict.room;
  const statusText = dict.session.sessionStatus;
  const now = useServerNow(1000);
  const [sort, setSort] = useState<RosterSort>("name");
  const [filter, setFilter] = useState<RosterFilter>("all");
  const [minutesField, setMinutesField] = useState(String(DEFAULT_STUCK_MINUTES));
  const stuckMinutes = parseStuckMinutes(minutesField);
  const shown = sortRoster(filterRoster(attendees, filter, now, stuckMinutes), sort, now);

  return (
    <section className="room-panel" aria-labelledby="room-roster-title">
      <h2 id="room-roster-title">{t.rosterTitle}</h2>
      <div className="admin-filters room-filters">
        <label>
          {t.sortLabel}
          <select value={sort} onChange={(e) => setSort(e.target.value as RosterSort)} data-testid="room-sort">
            {ROSTER_SORTS.map((s) => (
              <option key={s} value={s}>
                {t.sorts[s]}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t.filterLabel}
          <select value={filter} onChange={(e) => setFilter(e.target.value as RosterFilter)} data-testid="room-filter">
            {ROSTER_FILTERS.map((f) => (
              <option key={f} value={f}>
                {t.filters[f]}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t.stuckMinutes}
          <input
            type="number"
            min={MIN_STUCK_MINUTES}
            max={MAX_STUCK_MINUTES}
            step={1}
            value={minutesField}
            onChange={(e) => setMinutesField(e.target.value)}
            data-testid="room-stuck-minutes"
          />
        </label>
        <span className="muted" data-testid="room-roster-count">
          {formatMessage(t.shownOf, { shown: String(shown.length), total: String(attendees.length) })}
        </span>
      </div>
      {attendees.length === 0 ? (
        <p className="muted">{t.noAttendees}</p>
      ) : shown.length === 0 ? (
        <p className="muted">{t.noneMatch}</p>
      ) : (
        <div className="room-table-wrap">
          <table className="room-table" data-testid="room-roster">
            <thead>
              <tr>
                <th scope="col">{t.columns.name}</th>
                <th scope="col">{t.columns.status}</th>
                <th scope="col">{t.columns.timeLeft}</th>
                <th scope="col">{t.columns.step}</th>
                <th scope="col">{t.columns.done}</th>
                <th scope="col">{t.columns.activity}</th>
                <th scope="col">{t.columns.help}</th>
                <th scope="col">{t.columns.actions}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((a) => {
                const idle = idleMinutes(a, now);
                const onStep = stepMinutes(a, now);
                const stuck = isStuck(a, now, stuckMinutes);
                const open = isSessionStatusIn(OPEN_SESSION_STATUSES, a.status);
                const endable = isSessionStatusIn(ENDABLE_SESSION_STATUSES, a.status);
                return (
                  <tr
                    key={a.userId}
                    data-testid="room-attendee"
                    data-user-id={a.userId}
                    data-session-id={a.sessionId}
                    data-stuck={stuck ? "true" : "false"}
                    className={stuck ? "room-stuck" : undefined}
                  >
                    <th scope="row" data-testid="room-attendee-name">
                      {a.name}
                      {stuck ? <span className="badge badge-warning">{t.stuckBadge}</span> : null}
                    </th>
                    <td>{statusText[a.status]}</td>
                    <td className="room-number">{open ? formatDuration(Date.parse(a.expiresAt) - now) : "–"}</td>
                    <td data-testid="room-attendee-step">
                      {formatMessage(t.stepOf, {
                        step: stepLabel(a.currentStep),
                        total: String(stepCount),
                      })}
                      {onStep !== null ? (
                        <span className="muted"> · {formatMessage(t.onStepFor, { minutes: String(onStep) })}</span>
                      ) : null}
                    </td>
                    <td className="room-number" data-testid="room-attendee-done">
                      {a.doneSteps.length}
                    </td>
                    <td data-testid="room-attendee-idle">
                      {idle === null
                        ? t.noActivity
                        : idle === 0
                          ? t.activeNow
                          : formatMessage(t.idleFor, { minutes: String(idle) })}
                    </td>
                    <td>{a.helpRequestId ? <span className="badge badge-danger">{t.helpOpen}</span> : null}</td>
                    <td className="room-row-actions">
                      <Link
                        className="button button-small"
                        href={watchPath(eventId, a.sessionId)}
                        data-testid="room-watch"
                      >
                        {t.watch}
                      </Link>
                      {endable ? (
                        <>
                          <button
                            type="button"
                            className="button button-small"
                            onClick={() => onReset(a)}
                            data-testid="room-reset"
                          >
                            {t.reset}
                          </button>
                          <button
                            type="button"
                            className="button button-small button-danger"
                            onClick={() => onEnd(a)}
                            data-testid="room-end"
                          >
                            {t.end}
                          </button>
                        </>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
