// The investigator's queue: completed forms awaiting a signature (never signed, or signed and
// changed since: the signature is broken), grouped by subject. A row opens the form (Enter) or
// signs it (S, or "Sign…"); the queue is read again after a signature.

import { useEffect, useRef, useState } from "preact/hooks";
import { api, toApiError } from "../api";
import type { Definition } from "../bindings/Definition";
import type { FormRef } from "../bindings/FormRef";
import type { QueueItem } from "../bindings/QueueItem";
import type { Scope } from "../bindings/Scope";
import { BrokenIcon, UnsignedIcon } from "../components/Icons";
import { SignDialog } from "../components/SignDialog";
import { useApp } from "../context";
import { Key, hasKey, t, tn, tx } from "../i18n";
import { errorText } from "../messages";
import { cellKey } from "./Casebook";

export const queueKey = (f: FormRef) => `${f.subject}/${cellKey(f)}`;

/** The queue by subject (in id order), each subject's forms in protocol order. */
export function groupQueue(items: QueueItem[], def: Definition): Array<{ subject: string; items: QueueItem[] }> {
  const evOrder = new Map(def.events.map((e, i) => [e.id, i]));
  const formOrder = new Map(def.forms.map((f, i) => [f.id, i]));
  const by = new Map<string, QueueItem[]>();
  for (const q of items) by.set(q.form.subject, [...(by.get(q.form.subject) ?? []), q]);
  return [...by.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([subject, list]) => ({
      subject,
      items: [...list].sort(
        (a, b) =>
          (evOrder.get(a.form.event) ?? 999) - (evOrder.get(b.form.event) ?? 999) ||
          a.form.event_repeat - b.form.event_repeat ||
          (formOrder.get(a.form.form) ?? 999) - (formOrder.get(b.form.form) ?? 999) ||
          a.form.form_repeat - b.form.form_repeat,
      ),
    }));
}

/** An event's name as a person reads it ("Day 7", "Unscheduled visit #2"). */
export function eventText(def: Definition, event: string, repeat: number): string {
  const ev = def.events.find((e) => e.id === event);
  if (!ev) return event;
  return tx(ev.name) + (ev.repeating ? ` #${repeat}` : "");
}

/** A form's name as a person reads it ("Adverse event #2"). */
export function formText(def: Definition, form: string, repeat: number): string {
  const f = def.forms.find((x) => x.id === form);
  if (!f) return form;
  return tx(f.name) + (f.repeating ? ` #${repeat}` : "");
}

function stateText(s: string): string {
  const key = `queue.state.${s}`;
  return hasKey(key) ? t(key as Key) : s;
}

export function Queue() {
  const app = useApp();
  const def = app.def;
  const [items, setItems] = useState<QueueItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [signing, setSigning] = useState<Scope | null>(null);
  const [reload, setReload] = useState(0);
  const focused = useRef<string | null>(null);

  useEffect(() => {
    let alive = true;
    api
      .signatureQueue()
      .then((l) => {
        if (!alive) return;
        setItems(l);
        setError(null);
      })
      .catch((raw) => {
        if (!alive) return;
        const msg = t("queue.loadError", { msg: errorText(toApiError(raw)) });
        setError(msg);
        app.status(msg, "error");
      });
    return () => {
      alive = false;
    };
  }, [reload]);

  // Once loaded, the first row (or the row after the one just signed) has the focus.
  useEffect(() => {
    if (!items) return;
    const rows = Array.from(document.querySelectorAll<HTMLElement>("[data-queue-item]"));
    const again = focused.current ? rows.find((r) => r.dataset.queueItem === focused.current) : undefined;
    (again ?? rows[0])?.focus();
  }, [items]);

  const groups = items ? groupQueue(items, def) : [];
  const flat = groups.flatMap((g) => g.items);
  const broken = flat.filter((q) => q.state === "signature_broken").length;

  const sign = (q: QueueItem) => {
    // After signing, the focus goes to the next row still in the queue.
    const i = flat.indexOf(q);
    const next = flat[i + 1] ?? flat[i - 1];
    focused.current = next ? queueKey(next.form) : null;
    setSigning({ level: "form", ...q.form });
  };
  const open = (q: QueueItem) => app.open({ kind: "form", form: q.form });

  const onRowKey = (e: KeyboardEvent, q: QueueItem) => {
    if (e.target !== e.currentTarget) return;
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      open(q);
    } else if ((e.key === "s" || e.key === "S") && !e.ctrlKey && !e.altKey && !e.metaKey) {
      e.preventDefault();
      sign(q);
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const rows = Array.from(document.querySelectorAll<HTMLElement>("[data-queue-item]"));
      const i = rows.indexOf(e.currentTarget as HTMLElement);
      rows[e.key === "ArrowDown" ? i + 1 : i - 1]?.focus();
    }
  };

  return (
    <main class="screen queue-screen">
      <div class="screen-head">
        <h1>{t("queue.heading")}</h1>
        <p class="muted">{t("queue.intro")}</p>
      </div>
      {error && <div class="alert error">{error}</div>}
      {!items && !error && <p class="muted">{t("common.loading")}</p>}
      {items && (
        <>
          <p class="worklist-count" aria-live="polite">
            {items.length === 0 ? t("queue.empty") : t("queue.count", { forms: tn("queue.forms", flat.length), subjects: tn("queue.subjects", groups.length) })}
            {broken > 0 && (
              <>
                {" · "}
                <strong class="sig-broken-text">{t("queue.broken", { n: broken })}</strong>
              </>
            )}
          </p>
          {groups.map((g) => (
            <section class="queue-subject" key={g.subject} data-queue-subject={g.subject} aria-label={g.subject}>
              <div class="queue-subject-head">
                <h2 class="subject-id">{g.subject}</h2>
                <button
                  type="button"
                  class="link"
                  tabIndex={-1}
                  title={t("queue.casebook.title", { subject: g.subject })}
                  onClick={() => app.open({ kind: "casebook", subject: g.subject })}
                >
                  {t("queue.casebook")}
                </button>
              </div>
              <div class="table-wrap">
                <table class="grid queue">
                  <thead>
                    <tr>
                      <th scope="col">{t("queue.col.event")}</th>
                      <th scope="col">{t("queue.col.form")}</th>
                      <th scope="col">{t("queue.col.state")}</th>
                      <th scope="col" class="actions-col">
                        <span class="visually-hidden">{t("queue.open")}</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {g.items.map((q) => {
                      const k = queueKey(q.form);
                      const formName = formText(def, q.form.form, q.form.form_repeat);
                      const eventName = eventText(def, q.form.event, q.form.event_repeat);
                      return (
                        <tr
                          key={k}
                          class={`clickable q-state-${q.state}`}
                          data-queue-item={k}
                          data-state={q.state}
                          tabIndex={0}
                          aria-label={`${g.subject} · ${eventName} · ${formName}: ${stateText(q.state)}`}
                          onKeyDown={(e) => onRowKey(e, q)}
                          onDblClick={() => open(q)}
                        >
                          <td>{eventName}</td>
                          <td class="form-name">{formName}</td>
                          <td>
                            {q.state === "signature_broken" ? (
                              <span class="sig sig-signature_broken">
                                <BrokenIcon /> {stateText(q.state)}
                              </span>
                            ) : (
                              <span class="sig sig-unsigned">
                                <UnsignedIcon /> {stateText(q.state)}
                              </span>
                            )}
                          </td>
                          <td class="actions-col">
                            <button type="button" class="mini" tabIndex={-1} data-queue-open={k} title={t("queue.open.title")} onClick={() => open(q)}>
                              {t("queue.open")}
                            </button>
                            <button type="button" class="mini primary" tabIndex={-1} data-queue-sign={k} title={t("queue.sign.title")} onClick={() => sign(q)}>
                              {t("queue.sign")}
                            </button>
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            </section>
          ))}
        </>
      )}
      {signing && (
        <SignDialog
          scope={signing}
          onCancel={() => setSigning(null)}
          onSigned={() => {
            setSigning(null);
            setReload((n) => n + 1);
          }}
        />
      )}
    </main>
  );
}
