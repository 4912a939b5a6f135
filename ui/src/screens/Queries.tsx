// Queries: every query with its whole thread, filtered by subject and status, and what the
// user may do with each (the session's permissions; the services check again):
//   - raise a query on an item or a whole form (monitors, data managers: `open_query`),
//   - answer an open query (site staff: `answer_query`),
//   - close an open or answered query, re-open a closed one (data managers: `close_query`),
// each with a text.
//
// Exports:
//   <Queries onOpenForm?={(form: FormRef) => void} subject?={string} />
//       The screen. `subject` starts the list filtered on one subject.
//   <RaiseQueryDialog target?={Target} subject?={string} onDone={(q: QueryThread) => void} onCancel={() => void} />
//       The "Raise a query" dialog (#query-dialog), for any screen: with `target` it asks only
//       for the text; otherwise subject, form and item are chosen in it.
//
// Selectors: #query-subject #query-status #query-new, article[data-query=ID][data-status],
// [data-query-action=answer|close|reopen], #query-reply-text, #query-reply-ok,
// in #query-dialog: #qd-subject #qd-form #qd-item #qd-row #qd-text #qd-ok #qd-error.

import { useEffect, useState } from "preact/hooks";
import { api, toApiError } from "../api";
import type { Casebook } from "../bindings/Casebook";
import type { FormRef } from "../bindings/FormRef";
import type { QueryThread } from "../bindings/QueryThread";
import type { SubjectSummary } from "../bindings/SubjectSummary";
import type { Target } from "../bindings/Target";
import { Modal } from "../components/Modal";
import { useApp } from "../context";
import { t, tn } from "../i18n";
import { errorText, whenOf } from "../messages";
import "./dm.css";
import { formName, itemName, placeText, tk } from "./dmShared";

type Status = "open" | "answered" | "closed";
type Act = "answer" | "close" | "reopen";

/** Who raised a query, in words: an edit check, or the user. */
export function raisedBy(q: QueryThread): string {
  return q.rule ? t("dm.q.system") : q.opened_by;
}

/** The actions the user may take on a query now. */
export function actionsFor(q: QueryThread, can: (a: "answer_query" | "close_query") => boolean): Act[] {
  const out: Act[] = [];
  if (q.status === "open" && can("answer_query")) out.push("answer");
  if (q.status !== "closed" && can("close_query")) out.push("close");
  if (q.status === "closed" && can("close_query")) out.push("reopen");
  return out;
}

export function Queries(p: { onOpenForm?: (form: FormRef) => void; subject?: string }) {
  const app = useApp();
  const [subject, setSubject] = useState(p.subject ?? "");
  const [status, setStatus] = useState<Status | "">("");
  const [list, setList] = useState<QueryThread[] | null>(null);
  const [subjects, setSubjects] = useState<SubjectSummary[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [raising, setRaising] = useState(false);

  const load = () =>
    api
      .queries(subject || null, status || null)
      .then((l) => {
        setList(l);
        setError(null);
      })
      .catch((raw) => {
        const msg = t("dm.q.loadError", { msg: errorText(toApiError(raw)) });
        setError(msg);
        app.status(msg, "error");
      });
  useEffect(() => {
    void load();
  }, [subject, status]);
  useEffect(() => {
    api
      .subjects()
      .then(setSubjects)
      .catch(() => setSubjects([]));
  }, []);

  const replace = (q: QueryThread) => {
    setList((l) => {
      if (!l) return l;
      const keep = !status || q.status === status;
      return keep ? l.map((x) => (x.query === q.query ? q : x)) : l.filter((x) => x.query !== q.query);
    });
  };

  const counts = list ? { open: list.filter((q) => q.status === "open").length, answered: list.filter((q) => q.status === "answered").length } : null;

  return (
    <main class="screen dm-screen queries-screen">
      <div class="screen-head">
        <h1>{t("dm.q.heading")}</h1>
        <p class="muted">{t("dm.q.intro")}</p>
      </div>
      <div class="toolbar dm-toolbar">
        <label class="field-inline">
          <span>{t("dm.q.subject")}</span>
          <select id="query-subject" value={subject} onChange={(e) => setSubject((e.target as HTMLSelectElement).value)}>
            <option value="">{t("dm.q.allSubjects")}</option>
            {subjects.map((s) => (
              <option key={s.subject} value={s.subject}>
                {s.subject}
              </option>
            ))}
          </select>
        </label>
        <label class="field-inline">
          <span>{t("dm.q.status")}</span>
          <select id="query-status" value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value as Status | "")}>
            <option value="">{t("dm.q.allStatuses")}</option>
            <option value="open">{t("dm.qs.open")}</option>
            <option value="answered">{t("dm.qs.answered")}</option>
            <option value="closed">{t("dm.qs.closed")}</option>
          </select>
        </label>
        {counts && (
          <span class="muted dm-count" aria-live="polite">
            {tn("dm.q.count", list!.length)}
            {!status && ` · ${t("dm.q.countOpen", { open: counts.open, answered: counts.answered })}`}
          </span>
        )}
        <span class="spacer" />
        {app.can("open_query") && (
          <button id="query-new" type="button" class="primary" onClick={() => setRaising(true)}>
            {t("dm.q.new")}
          </button>
        )}
      </div>
      {error && <div class="alert error">{error}</div>}
      {!list && !error && <p class="muted">{t("common.loading")}</p>}
      {list && list.length === 0 && <p class="empty-note">{subject || status ? t("dm.q.noneMatch") : t("dm.q.none")}</p>}
      {list && (
        <div class="query-list">
          {list.map((q) => (
            <QueryCard key={q.query} q={q} onOpenForm={p.onOpenForm} onChanged={replace} />
          ))}
        </div>
      )}
      {raising && (
        <RaiseQueryDialog
          subject={subject || undefined}
          onCancel={() => setRaising(false)}
          onDone={(q) => {
            setRaising(false);
            app.status(t("dm.q.raised", { place: placeText(app.def, q.form) }), "ok");
            void load();
          }}
        />
      )}
    </main>
  );
}

const KIND: Record<string, string> = {
  query_opened: "dm.q.kind.opened",
  query_answered: "dm.q.kind.answered",
  query_closed: "dm.q.kind.closed",
  query_reopened: "dm.q.kind.reopened",
};

export function QueryCard(p: { q: QueryThread; onOpenForm?: (form: FormRef) => void; onChanged: (q: QueryThread) => void }) {
  const app = useApp();
  const { q } = p;
  const [acting, setActing] = useState<Act | null>(null);
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const acts = actionsFor(q, app.can);
  const item = q.item ? itemName(app.def, q.form.form, q.item) : null;
  const row = q.group && q.group !== "MAIN" && q.repeat ? t("dm.q.row", { n: q.repeat }) : null;

  const submit = async () => {
    if (!acting) return;
    if (!text.trim()) {
      setError(tk(`dm.q.textNeeded.${acting}`));
      return;
    }
    setBusy(true);
    try {
      const updated = await api.queryAct(q.query, acting, text.trim());
      app.status(tk(`dm.q.done.${acting}`, { place: placeText(app.def, q.form) }), "ok");
      setActing(null);
      setText("");
      setError(null);
      p.onChanged(updated);
    } catch (raw) {
      setError(errorText(toApiError(raw)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <article class={`query-card status-${q.status}`} data-query={q.query} data-status={q.status}>
      <header class="query-head">
        <span class={`qbadge qbadge-${q.status}`}>{tk(`dm.qs.${q.status}`)}</span>
        <div class="query-place">
          {p.onOpenForm ? (
            <button type="button" class="link" onClick={() => p.onOpenForm?.(q.form)} title={t("dm.q.openForm")}>
              {placeText(app.def, q.form)}
            </button>
          ) : (
            <span>{placeText(app.def, q.form)}</span>
          )}
          <div class="query-item">
            {item ? (
              <>
                {t("dm.q.onItem")} <strong>{item}</strong>
                {row && <span class="muted"> · {row}</span>}
              </>
            ) : (
              <>{t("dm.q.onForm")}</>
            )}
          </div>
        </div>
        <div class="query-meta muted" title={q.rule ? t("dm.q.byRule", { rule: q.rule }) : undefined}>
          {t("dm.q.raisedBy", { who: raisedBy(q), when: whenOf(q.opened_at) })}
        </div>
      </header>
      <ol class="thread">
        {q.thread.map((m, i) => (
          <li key={i} class={`msg msg-${m.kind}`}>
            <div class="msg-head">
              <span class="msg-kind">{KIND[m.kind] ? tk(KIND[m.kind]) : m.kind}</span>
              <span class="muted">
                {m.username === "system" ? t("dm.q.system") : m.username} · {whenOf(m.at)}
              </span>
            </div>
            <div class="msg-text">{m.text}</div>
          </li>
        ))}
      </ol>
      {acts.length > 0 && !acting && (
        <div class="query-actions">
          {acts.map((a) => (
            <button
              key={a}
              type="button"
              class={a === "close" ? "secondary" : a === "reopen" ? "secondary" : "primary"}
              data-query-action={a}
              onClick={() => {
                setActing(a);
                setError(null);
              }}
            >
              {tk(`dm.q.act.${a}`)}
            </button>
          ))}
        </div>
      )}
      {acting && (
        <div class="query-reply">
          <label for="query-reply-text">{tk(`dm.q.prompt.${acting}`)}</label>
          <textarea
            id="query-reply-text"
            rows={3}
            value={text}
            ref={(el) => el?.focus()}
            onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
          />
          {error && (
            <div class="inline-error" role="alert">
              {error}
            </div>
          )}
          <div class="query-actions">
            <button id="query-reply-ok" type="button" class="primary" disabled={busy} onClick={() => void submit()}>
              {tk(`dm.q.confirm.${acting}`)}
            </button>
            <button
              type="button"
              class="secondary"
              onClick={() => {
                setActing(null);
                setText("");
                setError(null);
              }}
            >
              {t("common.cancel")}
            </button>
          </div>
        </div>
      )}
    </article>
  );
}

const fkey = (f: FormRef) => `${f.event}.${f.event_repeat}/${f.form}.${f.form_repeat}`;

export function RaiseQueryDialog(p: { target?: Target; subject?: string; onDone: (q: QueryThread) => void; onCancel: () => void }) {
  const app = useApp();
  const fixed = p.target;
  const [subjects, setSubjects] = useState<SubjectSummary[]>([]);
  const [subject, setSubject] = useState(fixed?.subject ?? p.subject ?? "");
  const [book, setBook] = useState<Casebook | null>(null);
  const [form, setForm] = useState("");
  const [item, setItem] = useState("");
  const [row, setRow] = useState("1");
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (fixed) return;
    api
      .subjects()
      .then((l) => {
        setSubjects(l);
        if (!subject && l.length) setSubject(l[0].subject);
      })
      .catch(() => setSubjects([]));
  }, []);
  useEffect(() => {
    if (fixed || !subject) return;
    setBook(null);
    setForm("");
    setItem("");
    api
      .casebook(subject)
      .then((b) => {
        setBook(b);
        const first = b.forms.find((f) => f.status !== "not_started");
        if (first) setForm(fkey(first.form));
      })
      .catch((raw) => setError(errorText(toApiError(raw))));
  }, [subject]);

  const formRef = fixed ? null : book?.forms.map((f) => f.form).find((f) => fkey(f) === form) ?? null;
  const formDef = formRef ? app.def.forms.find((f) => f.id === formRef.form) : undefined;
  const itemDef = formDef?.items.find((i) => i.id === item);
  const repeating = !!itemDef && itemDef.group !== "MAIN" && !!formDef?.groups.find((g) => g.id === itemDef.group && g.repeating);

  const target = (): Target | null => {
    if (fixed) return fixed;
    if (!formRef) return null;
    if (!itemDef) return { level: "form", ...formRef };
    return { level: "item", ...formRef, group: itemDef.group, group_repeat: repeating ? Math.max(1, Number(row) || 1) : 1, item: itemDef.id };
  };

  const submit = async () => {
    const tg = target();
    if (!tg) {
      setError(t("dm.qd.chooseForm"));
      return;
    }
    if (!text.trim()) {
      setError(t("dm.qd.textNeeded"));
      return;
    }
    setBusy(true);
    try {
      p.onDone(await api.queryOpen(tg, text.trim()));
    } catch (raw) {
      setError(errorText(toApiError(raw)));
    } finally {
      setBusy(false);
    }
  };

  const fixedText = fixed
    ? fixed.level === "item"
      ? `${placeText(app.def, fixed)} · ${itemName(app.def, fixed.form, fixed.item)}`
      : placeText(app.def, fixed)
    : null;

  return (
    <Modal id="query-dialog" title={t("dm.qd.title")} onCancel={p.onCancel}>
      {fixedText ? (
        <p>
          {t("dm.qd.on")} <strong>{fixedText}</strong>
        </p>
      ) : (
        <div class="dm-dialog-grid">
          <label for="qd-subject">{t("dm.q.subject")}</label>
          <select id="qd-subject" value={subject} onChange={(e) => setSubject((e.target as HTMLSelectElement).value)}>
            {subjects.map((s) => (
              <option key={s.subject} value={s.subject}>
                {s.subject}
              </option>
            ))}
          </select>
          <label for="qd-form">{t("dm.qd.form")}</label>
          <select id="qd-form" value={form} disabled={!book} onChange={(e) => { setForm((e.target as HTMLSelectElement).value); setItem(""); }}>
            {!book && <option value="">{t("common.loading")}</option>}
            {book && book.forms.filter((f) => f.status !== "not_started").length === 0 && <option value="">{t("dm.qd.noForms")}</option>}
            {book?.forms
              .filter((f) => f.status !== "not_started")
              .map((f) => (
                <option key={fkey(f.form)} value={fkey(f.form)}>
                  {placeText(app.def, f.form).split(" · ").slice(1).join(" · ")}
                </option>
              ))}
          </select>
          <label for="qd-item">{t("dm.qd.item")}</label>
          <select id="qd-item" value={item} disabled={!formDef} onChange={(e) => setItem((e.target as HTMLSelectElement).value)}>
            <option value="">{formDef ? t("dm.qd.wholeForm", { form: formName(app.def, formDef.id) }) : "—"}</option>
            {formDef?.items.map((i) => (
              <option key={i.id} value={i.id}>
                {itemName(app.def, formDef.id, i.id)}
              </option>
            ))}
          </select>
          {repeating && (
            <>
              <label for="qd-row">{t("dm.qd.row")}</label>
              <input id="qd-row" type="number" min={1} value={row} onInput={(e) => setRow((e.target as HTMLInputElement).value)} />
            </>
          )}
        </div>
      )}
      <label for="qd-text">{t("dm.qd.text")}</label>
      <textarea id="qd-text" rows={4} value={text} placeholder={t("dm.qd.placeholder")} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
      {error && (
        <div id="qd-error" class="inline-error" role="alert">
          {error}
        </div>
      )}
      <div class="modal-actions">
        <button type="button" class="secondary" onClick={p.onCancel}>
          {t("common.cancel")}
        </button>
        <button id="qd-ok" type="button" class="primary" disabled={busy} onClick={() => void submit()}>
          {t("dm.qd.ok")}
        </button>
      </div>
    </Modal>
  );
}
