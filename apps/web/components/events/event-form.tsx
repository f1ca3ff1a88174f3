"use client";

import { ZEvent, type TEvent, type TLessonSummary } from "@kubelab/shared";
import { useId, useState, type FormEvent, type ReactNode } from "react";
import { ApiError } from "@/lib/api/api-error";
import { apiRequest } from "@/lib/api/browser-api";
import {
  changedBody,
  detailField,
  emptyEventForm,
  eventToForm,
  formToBody,
  type EventFormField,
  type EventFormValues,
} from "@/lib/events/event-form";
import { apiErrorText } from "@/lib/i18n/api-error-text";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";

interface EventFormProps {
  lessons: TLessonSummary[];
  /** Null: a new event. */
  event: TEvent | null;
  onSaved: (event: TEvent) => void;
  onCancel: () => void;
}

/** Create or edit an event; times are typed in the viewer's time zone and sent as instants. */
export function EventForm({ lessons, event, onSaved, onCancel }: EventFormProps) {
  const { dict, locale } = useI18n();
  const t = dict.events;
  const [values, setValues] = useState<EventFormValues>(() => {
    if (event) return eventToForm(event);
    const first = lessons[0];
    return emptyEventForm(
      Date.now(),
      first?.id ?? "",
      first?.languages.includes(locale) ? locale : (first?.languages[0] ?? ""),
    );
  });
  const [wrong, setWrong] = useState<EventFormField[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const baseId = useId();
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const lesson = lessons.find((l) => l.id === values.lessonId);

  function set<K extends EventFormField>(field: K, value: EventFormValues[K]): void {
    setValues((v) => {
      const next = { ...v, [field]: value };
      // A lesson without the chosen language: take its first one.
      if (field === "lessonId") {
        const chosen = lessons.find((l) => l.id === value);
        if (chosen && !chosen.languages.includes(next.language)) next.language = chosen.languages[0] ?? "";
      }
      return next;
    });
  }

  function label(field: EventFormField): string {
    return formatMessage(t.fields[field], { zone });
  }

  function showInvalid(fields: EventFormField[]): void {
    setWrong(fields);
    setError(formatMessage(t.invalidFields, { fields: fields.map((f) => label(f)).join(", ") }));
  }

  async function submit(e: FormEvent<HTMLFormElement>): Promise<void> {
    e.preventDefault();
    const result = event ? changedBody(values, event) : formToBody(values);
    if ("invalid" in result) return showInvalid(result.invalid);
    // Nothing changed: there is nothing to send (and PATCH wants at least one field).
    if (event && Object.keys(result.body).length === 0) return onSaved(event);
    setBusy(true);
    setError(null);
    setWrong([]);
    try {
      const saved = event
        ? await apiRequest("PATCH", `/api/events/${event.id}`, ZEvent, { body: result.body })
        : await apiRequest("POST", "/api/events", ZEvent, { body: result.body });
      onSaved(saved);
    } catch (caught) {
      const fields = caught instanceof ApiError ? caught.details.map((d) => detailField(d.path)) : [];
      const known = [...new Set(fields.filter((f): f is EventFormField => f !== null))];
      if (caught instanceof ApiError && caught.code === "bad_request" && known.length) showInvalid(known);
      else setError(formatMessage(t.saveFailed, { message: apiErrorText(caught, dict) }));
      setBusy(false);
    }
  }

  const field = (name: EventFormField, input: (id: string, invalid: boolean) => ReactNode) => {
    const id = `${baseId}-${name}`;
    return (
      <div className="event-field">
        <label htmlFor={id}>{label(name)}</label>
        {input(id, wrong.includes(name))}
      </div>
    );
  };
  const text = (name: EventFormField, type: "text" | "number" | "datetime-local", extra: object = {}) =>
    field(name, (id, invalid) => (
      <input
        id={id}
        type={type}
        value={values[name]}
        onChange={(e) => set(name, e.target.value)}
        aria-invalid={invalid || undefined}
        data-testid={`event-${name}`}
        {...(type === "number" ? { min: 0, step: 1, inputMode: "numeric" as const } : {})}
        {...extra}
      />
    ));

  return (
    <form className="event-form" onSubmit={(e) => void submit(e)} noValidate data-testid="event-form">
      <h2>{event ? formatMessage(t.formEditTitle, { title: event.title }) : t.formNewTitle}</h2>
      {text("title", "text", { maxLength: 200, autoFocus: true })}
      {field("lessonId", (id, invalid) => (
        <select
          id={id}
          value={values.lessonId}
          onChange={(e) => set("lessonId", e.target.value)}
          aria-invalid={invalid || undefined}
          data-testid="event-lessonId"
        >
          {lessons.map((l) => (
            <option key={l.id} value={l.id}>
              {l.titles[locale] ?? l.titles[l.languages[0] ?? ""] ?? l.id}
            </option>
          ))}
        </select>
      ))}
      {field("language", (id, invalid) => (
        <select
          id={id}
          value={values.language}
          onChange={(e) => set("language", e.target.value)}
          aria-invalid={invalid || undefined}
          data-testid="event-language"
        >
          {(lesson?.languages ?? []).map((code) => (
            <option key={code} value={code}>
              {new Intl.DisplayNames([locale], { type: "language" }).of(code) ?? code}
            </option>
          ))}
        </select>
      ))}
      {text("startsAt", "datetime-local")}
      {text("endsAt", "datetime-local")}
      {text("capacity", "number")}
      {text("reservedSessions", "number")}
      {text("prepareMinutes", "number")}
      {text("sessionMinutes", "number")}
      {text("maxExtensions", "number")}
      {field("joinPolicy", (id) => (
        <select
          id={id}
          value={values.joinPolicy}
          onChange={(e) => set("joinPolicy", e.target.value as EventFormValues["joinPolicy"])}
          data-testid="event-joinPolicy"
        >
          {(["guests", "logged_in", "allow_list"] as const).map((p) => (
            <option key={p} value={p}>
              {t.policies[p]}
            </option>
          ))}
        </select>
      ))}
      {values.joinPolicy === "allow_list"
        ? field("allowList", (id, invalid) => (
            <textarea
              id={id}
              rows={4}
              value={values.allowList}
              onChange={(e) => set("allowList", e.target.value)}
              aria-invalid={invalid || undefined}
              data-testid="event-allowList"
            />
          ))
        : null}
      {error ? (
        <p className="form-error" role="alert" data-testid="event-form-error">
          {error}
        </p>
      ) : null}
      <div className="event-form-actions">
        <button type="submit" className="button button-primary" disabled={busy} data-testid="event-save">
          {busy ? t.saving : event ? t.save : t.create}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          {t.cancel}
        </button>
      </div>
    </form>
  );
}
