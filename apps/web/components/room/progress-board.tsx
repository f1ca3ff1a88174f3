"use client";

import type { TRoomAttendee, TRoomStep } from "@kubelab/shared";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { BOARD_CELLS, boardRows, stepLabel } from "@/lib/room/board";

// Verified (checked on the server) and only marked done differ in mark as well as colour.
const MARK = {
  verified: "✔",
  done: "○",
  current: "●",
  "current-verified": "✔",
  "current-done": "○",
  todo: "",
} as const;

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
            <CountRow testId="room-board-on-it" label={t.boardOnIt} steps={steps} count={(s) => s.current} />
            <CountRow testId="room-board-done" label={t.boardDone} steps={steps} count={(s) => s.done} />
            <CountRow testId="room-board-verified" label={t.boardVerified} steps={steps} count={(s) => s.verified} />
          </tfoot>
        </table>
      </div>
      <ul className="room-board-legend" aria-label={t.boardLegend} data-testid="room-board-legend">
        {BOARD_CELLS.filter((cell) => cell !== "todo").map((cell) => (
          <li key={cell}>
            <span className={`room-cell room-cell-${cell}`} aria-hidden="true">
              {MARK[cell]}
            </span>{" "}
            {t.boardCell[cell]}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** A footer row of the board: one count per step. */
function CountRow({
  testId,
  label,
  steps,
  count,
}: {
  testId: string;
  label: string;
  steps: readonly TRoomStep[];
  count: (step: TRoomStep) => number;
}) {
  return (
    <tr data-testid={testId}>
      <th scope="row">{label}</th>
      {steps.map((s) => (
        <td key={s.step} data-step={s.step} data-count={count(s)}>
          {count(s)}
        </td>
      ))}
    </tr>
  );
}
