"use client";

import type { TRoomAttendee, TRoomStep } from "@kubelab/shared";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { boardRows, stepLabel } from "@/lib/room/board";

const MARK = { done: "✓", current: "●", "current-done": "✓", todo: "" } as const;

/** Attendees × lesson steps, and per step how many are on it and have done it, to pace the class. */
export function ProgressBoard({
  attendees,
  steps,
}: {
  attendees: readonly TRoomAttendee[];
  steps: readonly TRoomStep[];
}) {
  const { dict } = useI18n();
  const t = dict.room;
  if (steps.length === 0) return null;
  const rows = boardRows(attendees, steps.length);
  return (
    <section className="room-panel" aria-labelledby="room-board-title">
      <h2 id="room-board-title">{t.boardTitle}</h2>
      <div className="room-table-wrap">
        <table className="room-board" data-testid="room-board">
          <thead>
            <tr>
              <th scope="col">{t.columns.name}</th>
              {steps.map((s) => (
                <th scope="col" key={s.step} title={formatMessage(t.boardStep, { step: stepLabel(s.step) })}>
                  {stepLabel(s.step)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.userId} data-testid="room-board-row" data-user-id={row.userId}>
                <th scope="row">{row.name}</th>
                {row.cells.map((cell, step) => (
                  <td
                    key={step}
                    className={`room-cell room-cell-${cell}`}
                    data-cell={cell}
                    title={`${formatMessage(t.boardStep, { step: stepLabel(step) })}: ${t.boardCell[cell]}`}
                  >
                    {MARK[cell]}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr data-testid="room-board-on-it">
              <th scope="row">{t.boardOnIt}</th>
              {steps.map((s) => (
                <td key={s.step} data-step={s.step} data-count={s.current}>
                  {s.current}
                </td>
              ))}
            </tr>
            <tr data-testid="room-board-done">
              <th scope="row">{t.boardDone}</th>
              {steps.map((s) => (
                <td key={s.step} data-step={s.step} data-count={s.done}>
                  {s.done}
                </td>
              ))}
            </tr>
          </tfoot>
        </table>
      </div>
    </section>
  );
}
