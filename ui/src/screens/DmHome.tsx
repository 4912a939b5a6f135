// The data manager's and monitor's home, and the verification and lock panels other screens
// embed.
//
// Exports:
//   <DmHome onOpenForm={(form: FormRef) => void} onOpenSubject={(subject: string) => void}
//           onNavigate={(screen: "queries" | "reports" | "exports" | "sync") => void} />
//       Counts with links: open and answered queries, conflicts to resolve, completed forms
//       awaiting source data verification (listed; a click opens the form), locks in force
//       (with Unlock for data managers, and "Lock data…"), the last imported bundles, reports
//       and exports. What is shown follows the session's permissions.
//   <VerifyPanel form={FormRef} verified={SdvView} values={ValueEntry[]} onChanged?={(v: SdvView) => void} />
//       Source data verification of one form instance (FormView.verified and .values): mark the
//       whole form or one item verified, or withdraw (monitors, data managers: `verify_source`);
//       read-only for others.
//   <LockPanel scope={Scope} lock={LockView | null} onChanged?={(locks: LockView[]) => void} />
//       The lock of a form, event, subject or the study (FormView.locked for a form): lock with
//       an optional reason, unlock with a required reason (data managers: `lock`).
//   <LockDialog scope?={Scope} onDone={(locks: LockView[]) => void} onCancel={() => void} />
//       Choose what to lock (study, subject, visit, form) and lock it with a reason.
//
// Selectors: #dm-home, [data-home-card=queries|answered|conflicts|verify|locks|imports|reports|exports],
// [data-verify-form=FORMKEY], [data-lock=SCOPEKEY] with .unlock-data, #lock-new; VerifyPanel:
// #sdv-form, #sdv-form-withdraw, [data-sdv-item=ITEMKEY] (checkbox); LockPanel: #lock-data,
// #unlock-data-open; dialogs #lock-dialog (#lock-level #lock-subject #lock-target #lock-reason
// #lock-ok #lock-error) and #unlock-data-dialog (#unlock-data-reason #unlock-data-ok #unlock-data-error).

import { useEffect, useState } from "preact/hooks";
import { api, toApiError } from "../api";
import type { Casebook } from "../bindings/Casebook";
import type { FormRef } from "../bindings/FormRef";
import type { ImportRecord } from "../bindings/ImportRecord";
import type { LockView } from "../bindings/LockView";
import type { Scope } from "../bindings/Scope";
import type { SdvView } from "../bindings/SdvView";
import type { SubjectSummary } from "../bindings/SubjectSummary";
import type { ValueEntry } from "../bindings/ValueEntry";
import { Modal } from "../components/Modal";
import { useApp } from "../context";
import { num, t, tn } from "../i18n";
import { errorText, roleText, whenOf } from "../messages";
import { baseName, whoText } from "../sync";
import "./dm.css";
import { eventName, itemName, placeText, scopeKey, scopeText } from "./dmShared";

export type DmScreen = "queries" | "reports" | "exports" | "sync";

const formKey = (f: FormRef) => `${f.subject}/${f.event}.${f.event_repeat}/${f.form}.${f.form_repeat}`;

type Counts = {
  open: number | null;
  answered: number | null;
  conflicts: number | null;
  locks: LockView[] | null;
  toVerify: FormRef[] | null;
  imports: ImportRecord[] | null;
};

/** Completed forms without a form-level verification mark that still holds. */
export function awaitingVerification(books: Casebook[]): FormRef[] {
  return books.flatMap((b) => b.forms.filter((f) => f.status === "complete" && !f.verified && !f.locked).map((f) => f.form));
}

export function DmHome(p: { onOpenForm: (form: FormRef) => void; onOpenSubject: (subject: string) => void; onNavigate: (screen: DmScreen) => void }) {
  const app = useApp();
  const [c, setC] = useState<Counts>({ open: null, answered: null, conflicts: null, locks: null, toVerify: null, imports: null });
  const [error, setError] = useState<string | null>(null);
  const [locking, setLocking] = useState(false);
  const [unlocking, setUnlocking] = useState<Scope | null>(null);
  const canVerify = app.can("verify_source");
  const canLock = app.can("lock");
  const canConflicts = app.can("resolve_conflict");
  const canImport = app.can("import_bundle");
  const canReports = app.can("reports");
  const central = app.node?.role === "central";

  const set = (k: Partial<Counts>) => setC((old) => ({ ...old, ...k }));
  const fail = (raw: unknown) => {
    const msg = t("dm.home.loadError", { msg: errorText(toApiError(raw)) });
    setError(msg);
  };
  const loadLocks = () => api.locks().then((l) => set({ locks: l })).catch(fail);

  useEffect(() => {
    api
      .queries(null, null)
      .then((l) => set({ open: l.filter((q) => q.status === "open").length, answered: l.filter((q) => q.status === "answered").length }))
      .catch(fail);
    void loadLocks();
    if (canConflicts) api.conflicts().then((l) => set({ conflicts: l.length })).catch(fail);
    if (canImport) api.importHistory().then((l) => set({ imports: l.slice(0, 5) })).catch(() => set({ imports: [] }));
    if (canVerify)
      api
        .subjects()
        .then((subs: SubjectSummary[]) => Promise.all(subs.map((s) => api.casebook(s.subject))))
        .then((books) => set({ toVerify: awaitingVerification(books) }))
        .catch(fail);
  }, []);

  const n = (v: number | null | undefined) => (v === null || v === undefined ? "…" : num(v));
  const Card = (q: { id: string; label: string; value: string; note?: string; tone?: "warn" | "ok" | "plain"; onClick: () => void }) => (
    <button type="button" class={`home-card tone-${q.tone ?? "plain"}`} data-home-card={q.id} onClick={q.onClick}>
      <span class="home-card-value">{q.value}</span>
      <span class="home-card-label">{q.label}</span>
      {q.note && <span class="home-card-note">{q.note}</span>}
    </button>
  );
  const last = c.imports?.[0];

  return (
    <main class="screen dm-screen" id="dm-home">
      <div class="screen-head">
        <h1>{t("dm.home.heading")}</h1>
        <p class="muted">
          {t("dm.home.intro", { name: app.session.full_name, role: roleText(app.session.role) })} · {central ? t("dm.home.central") : t("dm.home.site", { site: app.node?.site ?? "" })}
        </p>
      </div>
      {error && <div class="alert error">{error}</div>}
      <div class="home-cards">
        <Card id="queries" label={t("dm.home.openQueries")} value={n(c.open)} tone={c.open ? "warn" : "plain"} note={t("dm.home.openQueries.note")} onClick={() => p.onNavigate("queries")} />
        <Card id="answered" label={t("dm.home.answered")} value={n(c.answered)} tone={c.answered ? "warn" : "plain"} note={app.can("close_query") ? t("dm.home.answered.note") : t("dm.home.answered.noteMonitor")} onClick={() => p.onNavigate("queries")} />
        {canConflicts && <Card id="conflicts" label={t("dm.home.conflicts")} value={n(c.conflicts)} tone={c.conflicts ? "warn" : "ok"} note={t("dm.home.conflicts.note")} onClick={() => p.onNavigate("sync")} />}
        {canVerify && (
          <Card
            id="verify"
            label={t("dm.home.toVerify")}
            value={n(c.toVerify?.length)}
            tone={c.toVerify?.length ? "warn" : "ok"}
            note={t("dm.home.toVerify.note")}
            onClick={() => document.getElementById("home-verify")?.scrollIntoView({ behavior: "smooth" })}
          />
        )}
        <Card id="locks" label={t("dm.home.locks")} value={n(c.locks?.length)} note={t("dm.home.locks.note")} onClick={() => document.getElementById("home-locks")?.scrollIntoView({ behavior: "smooth" })} />
        {canImport && (
          <Card
            id="imports"
            label={t("dm.home.lastImport")}
            value={last ? whenOf(last.imported_at).slice(0, 10) : c.imports ? t("dm.home.never") : "…"}
            note={last ? t("dm.home.lastImport.note", { who: whoText(last.origin_site) }) : undefined}
            onClick={() => p.onNavigate("sync")}
          />
        )}
        {canReports && <Card id="reports" label={t("dm.home.reports")} value="↗" note={t("dm.home.reports.note")} onClick={() => p.onNavigate("reports")} />}
        {canReports && <Card id="exports" label={t("dm.home.exports")} value="↗" note={t("dm.home.exports.note")} onClick={() => p.onNavigate("exports")} />}
      </div>

      <div class="home-sections">
        {canVerify && (
          <section class="panel" id="home-verify" aria-labelledby="home-verify-h">
            <h2 id="home-verify-h">{t("dm.home.verifyHeading")}</h2>
            {!c.toVerify && <p class="muted">{t("common.loading")}</p>}
            {c.toVerify && c.toVerify.length === 0 && <p class="muted">{t("dm.home.verifyNone")}</p>}
            {c.toVerify && c.toVerify.length > 0 && (
              <>
                <ul class="link-list">
                  {c.toVerify.slice(0, 12).map((f) => (
                    <li key={formKey(f)}>
                      <button type="button" class="link" data-verify-form={formKey(f)} onClick={() => p.onOpenForm(f)}>
                        {placeText(app.def, f)}
                      </button>
                    </li>
                  ))}
                </ul>
                {c.toVerify.length > 12 && <p class="muted small">{t("dm.home.verifyMore", { n: c.toVerify.length - 12 })}</p>}
              </>
            )}
          </section>
        )}
        <section class="panel" id="home-locks" aria-labelledby="home-locks-h">
          <div class="panel-title-row">
            <h2 id="home-locks-h">{t("dm.home.locksHeading")}</h2>
            {canLock && (
              <button id="lock-new" type="button" class="secondary" onClick={() => setLocking(true)}>
                {t("dm.lock.new")}
              </button>
            )}
          </div>
          {!c.locks && <p class="muted">{t("common.loading")}</p>}
          {c.locks && c.locks.length === 0 && <p class="muted">{t("dm.home.locksNone")}</p>}
          {c.locks && c.locks.length > 0 && (
            <table class="grid dm-table">
              <thead>
                <tr>
                  <th>{t("dm.lock.what")}</th>
                  <th>{t("dm.lock.by")}</th>
                  <th>{t("dm.lock.reason")}</th>
                  {canLock && <th />}
                </tr>
              </thead>
              <tbody>
                {c.locks.map((l) => (
                  <tr key={scopeKey(l.scope)} data-lock={scopeKey(l.scope)}>
                    <td>
                      {l.scope.level === "subject" || l.scope.level === "event" ? (
                        <button type="button" class="link" onClick={() => p.onOpenSubject((l.scope as { subject: string }).subject)}>
                          {scopeText(app.def, l.scope)}
                        </button>
                      ) : l.scope.level === "form" ? (
                        <button type="button" class="link" onClick={() => p.onOpenForm(l.scope as FormRef)}>
                          {scopeText(app.def, l.scope)}
                        </button>
                      ) : (
                        <strong>{scopeText(app.def, l.scope)}</strong>
                      )}
                    </td>
                    <td>
                      {l.username}
                      <div class="muted small nw">{whenOf(l.at)}</div>
                    </td>
                    <td>{l.reason ?? <span class="muted">{t("common.none")}</span>}</td>
                    {canLock && (
                      <td class="n">
                        <button type="button" class="secondary unlock-data" onClick={() => setUnlocking(l.scope)}>
                          {t("dm.lock.unlock")}
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        {canImport && (
          <section class="panel" id="home-imports" aria-labelledby="home-imports-h">
            <div class="panel-title-row">
              <h2 id="home-imports-h">{t("dm.home.importsHeading")}</h2>
              <button type="button" class="link" onClick={() => p.onNavigate("sync")}>
                {t("dm.home.toSync")}
              </button>
            </div>
            {!c.imports && <p class="muted">{t("common.loading")}</p>}
            {c.imports && c.imports.length === 0 && <p class="muted">{t("dm.home.importsNone")}</p>}
            {c.imports && c.imports.length > 0 && (
              <table class="grid dm-table">
                <thead>
                  <tr>
                    <th>{t("dm.home.imp.when")}</th>
                    <th>{t("dm.home.imp.from")}</th>
                    <th>{t("dm.home.imp.changes")}</th>
                    <th>{t("dm.home.imp.file")}</th>
                  </tr>
                </thead>
                <tbody>
                  {c.imports.map((r) => {
                    const s = (r.summary ?? {}) as { new?: number; conflicts?: number };
                    return (
                      <tr key={r.sha256 + r.imported_at}>
                        <td class="date nw-cell">{whenOf(r.imported_at)}</td>
                        <td class="nw-cell">{whoText(r.origin_site)}</td>
                        <td>
                          {tn("dm.home.imp.new", s.new ?? 0)}
                          {s.conflicts ? <span class="warn-text"> · {tn("dm.home.imp.conflicts", s.conflicts)}</span> : null}
                        </td>
                        <td class="muted file-cell" title={r.file}>
                          {baseName(r.file)}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            )}
          </section>
        )}
      </div>
      {locking && (
        <LockDialog
          onCancel={() => setLocking(false)}
          onDone={(l) => {
            setLocking(false);
            set({ locks: l });
          }}
        />
      )}
      {unlocking && (
        <UnlockDialog
          scope={unlocking}
          onCancel={() => setUnlocking(null)}
          onDone={(l) => {
            setUnlocking(null);
            set({ locks: l });
          }}
        />
      )}
    </main>
  );
}

// ---------- source data verification ----------

export function VerifyPanel(p: { form: FormRef; verified: SdvView; values: ValueEntry[]; onChanged?: (v: SdvView) => void }) {
  const app = useApp();
  const [v, setV] = useState<SdvView>(p.verified);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setV(p.verified), [p.verified]);
  const can = app.can("verify_source");
  const fk = formKey(p.form);
  const items = p.values
    .filter((e) => e.value !== null && e.value !== undefined)
    .map((e) => ({ key: `${fk}/${e.group}.${e.repeat}/${e.item}`, e }));

  const mark = async (target: Parameters<typeof api.sdvMark>[0], verified: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const nv = await api.sdvMark(target, verified);
      setV(nv);
      p.onChanged?.(nv);
      app.status(verified ? t("dm.sdv.marked") : t("dm.sdv.withdrawn"), "ok");
    } catch (raw) {
      setError(errorText(toApiError(raw)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel verify-panel" aria-labelledby="sdv-h">
      <h2 id="sdv-h">{t("dm.sdv.heading")}</h2>
      <p class={v.form_verified ? "sdv-state ok-text" : "sdv-state muted"} data-sdv-state={v.form_verified ? "verified" : "not_verified"}>
        {v.form_verified ? t("dm.sdv.formVerified", { who: v.by ?? "", when: whenOf(v.at ?? "") }) : t("dm.sdv.formNot")}
      </p>
      {can && (
        <div class="panel-actions">
          {!v.form_verified ? (
            <button id="sdv-form" type="button" class="primary" disabled={busy} onClick={() => void mark({ level: "form", ...p.form }, true)}>
              {t("dm.sdv.markForm")}
            </button>
          ) : (
            <button id="sdv-form-withdraw" type="button" class="secondary" disabled={busy} onClick={() => void mark({ level: "form", ...p.form }, false)}>
              {t("dm.sdv.withdrawForm")}
            </button>
          )}
        </div>
      )}
      {items.length > 0 && (
        <details class="sdv-items">
          <summary>{t("dm.sdv.items", { n: v.items.length, total: items.length })}</summary>
          <ul>
            {items.map(({ key, e }) => {
              const on = v.items.includes(key);
              return (
                <li key={key}>
                  <label class="check">
                    <input
                      type="checkbox"
                      data-sdv-item={key}
                      checked={on}
                      disabled={!can || busy}
                      onChange={() => void mark({ level: "item", ...p.form, group: e.group, group_repeat: e.repeat, item: e.item }, !on)}
                    />
                    {itemName(app.def, p.form.form, e.item)}
                    {e.group !== "MAIN" && <span class="muted"> · {t("dm.q.row", { n: e.repeat })}</span>}
                  </label>
                </li>
              );
            })}
          </ul>
        </details>
      )}
      {error && (
        <div class="inline-error" role="alert">
          {error}
        </div>
      )}
    </section>
  );
}

// ---------- locks ----------

export function LockPanel(p: { scope: Scope; lock: LockView | null; onChanged?: (locks: LockView[]) => void }) {
  const app = useApp();
  const [lock, setLock] = useState<LockView | null>(p.lock);
  const [dialog, setDialog] = useState<"lock" | "unlock" | null>(null);
  useEffect(() => setLock(p.lock), [p.lock]);
  const can = app.can("lock");
  const done = (locks: LockView[]) => {
    setDialog(null);
    const mine = locks.find((l) => scopeKey(l.scope) === scopeKey(p.scope)) ?? null;
    setLock(mine);
    p.onChanged?.(locks);
  };
  return (
    <section class="panel lock-panel" aria-labelledby="lock-h">
      <h2 id="lock-h">{t("dm.lock.heading")}</h2>
      {lock ? (
        <p class="lock-state" data-locked="true">
          🔒 {t("dm.lock.lockedBy", { who: lock.username, when: whenOf(lock.at) })}
          {lock.reason && <span class="muted"> — {lock.reason}</span>}
        </p>
      ) : (
        <p class="lock-state muted" data-locked="false">
          {t("dm.lock.notLocked")}
        </p>
      )}
      {can && (
        <div class="panel-actions">
          {lock ? (
            <button id="unlock-data-open" type="button" class="secondary" onClick={() => setDialog("unlock")}>
              {t("dm.lock.unlockDots")}
            </button>
          ) : (
            <button id="lock-data" type="button" class="secondary" onClick={() => setDialog("lock")}>
              {t("dm.lock.lockDots")}
            </button>
          )}
        </div>
      )}
      {dialog === "lock" && <LockDialog scope={p.scope} onCancel={() => setDialog(null)} onDone={done} />}
      {dialog === "unlock" && <UnlockDialog scope={lock?.scope ?? p.scope} onCancel={() => setDialog(null)} onDone={done} />}
    </section>
  );
}

type Level = "study" | "subject" | "event" | "form";

export function LockDialog(p: { scope?: Scope; onDone: (locks: LockView[]) => void; onCancel: () => void }) {
  const app = useApp();
  const [level, setLevel] = useState<Level>(p.scope?.level ?? "subject");
  const [subjects, setSubjects] = useState<SubjectSummary[]>([]);
  const [subject, setSubject] = useState("");
  const [book, setBook] = useState<Casebook | null>(null);
  const [target, setTarget] = useState("");
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (p.scope) return;
    api
      .subjects()
      .then((l) => {
        setSubjects(l);
        if (l.length) setSubject(l[0].subject);
      })
      .catch(() => setSubjects([]));
  }, []);
  useEffect(() => {
    if (p.scope || !subject || (level !== "event" && level !== "form")) return;
    setBook(null);
    api
      .casebook(subject)
      .then(setBook)
      .catch((raw) => setError(errorText(toApiError(raw))));
  }, [subject, level]);

  const events = book ? [...new Map(book.forms.map((f) => [`${f.form.event}.${f.form.event_repeat}`, f.form])).values()] : [];
  const forms = book ? book.forms.filter((f) => f.status !== "not_started").map((f) => f.form) : [];

  const scope = (): Scope | null => {
    if (p.scope) return p.scope;
    if (level === "study") return { level: "study" };
    if (!subject) return null;
    if (level === "subject") return { level: "subject", subject };
    if (level === "event") {
      const e = events.find((f) => `${f.event}.${f.event_repeat}` === target) ?? events[0];
      return e ? { level: "event", subject, event: e.event, event_repeat: e.event_repeat } : null;
    }
    const f = forms.find((x) => formKey(x) === target) ?? forms[0];
    return f ? { level: "form", ...f } : null;
  };

  const submit = async () => {
    const s = scope();
    if (!s) {
      setError(t("dm.lock.chooseWhat"));
      return;
    }
    setBusy(true);
    try {
      const locks = await api.lockData(s, reason.trim() || null);
      app.status(t("dm.lock.done", { what: scopeText(app.def, s) }), "ok");
      p.onDone(locks);
    } catch (raw) {
      setError(errorText(toApiError(raw)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal id="lock-dialog" title={t("dm.lock.title")} onCancel={p.onCancel}>
      {p.scope ? (
        <p>
          {t("dm.lock.willLock")} <strong>{scopeText(app.def, p.scope)}</strong>
        </p>
      ) : (
        <div class="dm-dialog-grid">
          <label for="lock-level">{t("dm.lock.level")}</label>
          <select id="lock-level" value={level} onChange={(e) => { setLevel((e.target as HTMLSelectElement).value as Level); setTarget(""); }}>
            <option value="subject">{t("dm.lock.level.subject")}</option>
            <option value="event">{t("dm.lock.level.event")}</option>
            <option value="form">{t("dm.lock.level.form")}</option>
            <option value="study">{t("dm.lock.level.study")}</option>
          </select>
          {level !== "study" && (
            <>
              <label for="lock-subject">{t("dm.q.subject")}</label>
              <select id="lock-subject" value={subject} onChange={(e) => { setSubject((e.target as HTMLSelectElement).value); setTarget(""); }}>
                {subjects.map((s) => (
                  <option key={s.subject} value={s.subject}>
                    {s.subject}
                  </option>
                ))}
              </select>
            </>
          )}
          {(level === "event" || level === "form") && (
            <>
              <label for="lock-target">{level === "event" ? t("dm.lock.level.event") : t("dm.lock.level.form")}</label>
              <select id="lock-target" value={target} disabled={!book} onChange={(e) => setTarget((e.target as HTMLSelectElement).value)}>
                {!book && <option value="">{t("common.loading")}</option>}
                {level === "event" &&
                  events.map((f) => (
                    <option key={`${f.event}.${f.event_repeat}`} value={`${f.event}.${f.event_repeat}`}>
                      {eventName(app.def, f.event, f.event_repeat)}
                    </option>
                  ))}
                {level === "form" &&
                  forms.map((f) => (
                    <option key={formKey(f)} value={formKey(f)}>
                      {placeText(app.def, f).split(" · ").slice(1).join(" · ")}
                    </option>
                  ))}
              </select>
            </>
          )}
        </div>
      )}
      {level === "study" && !p.scope && <p class="alert warn">{t("dm.lock.studyWarning")}</p>}
      <label for="lock-reason">{t("dm.lock.reasonOptional")}</label>
      <textarea id="lock-reason" rows={2} value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
      {error && (
        <div id="lock-error" class="inline-error" role="alert">
          {error}
        </div>
      )}
      <div class="modal-actions">
        <button type="button" class="secondary" onClick={p.onCancel}>
          {t("common.cancel")}
        </button>
        <button id="lock-ok" type="button" class="primary" disabled={busy} onClick={() => void submit()}>
          {t("dm.lock.ok")}
        </button>
      </div>
    </Modal>
  );
}

export function UnlockDialog(p: { scope: Scope; onDone: (locks: LockView[]) => void; onCancel: () => void }) {
  const app = useApp();
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    if (!reason.trim()) {
      setError(t("dm.lock.reasonNeeded"));
      return;
    }
    setBusy(true);
    try {
      const locks = await api.unlockData(p.scope, reason.trim());
      app.status(t("dm.lock.undone", { what: scopeText(app.def, p.scope) }), "ok");
      p.onDone(locks);
    } catch (raw) {
      setError(errorText(toApiError(raw)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal id="unlock-data-dialog" title={t("dm.lock.unlockTitle")} onCancel={p.onCancel}>
      <p>
        {t("dm.lock.willUnlock")} <strong>{scopeText(app.def, p.scope)}</strong>
      </p>
      <label for="unlock-data-reason">{t("dm.lock.reasonRequired")}</label>
      <textarea id="unlock-data-reason" rows={2} value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
      {error && (
        <div id="unlock-data-error" class="inline-error" role="alert">
          {error}
        </div>
      )}
      <div class="modal-actions">
        <button type="button" class="secondary" onClick={p.onCancel}>
          {t("common.cancel")}
        </button>
        <button id="unlock-data-ok" type="button" class="primary" disabled={busy} onClick={() => void submit()}>
          {t("dm.lock.unlock")}
        </button>
      </div>
    </Modal>
  );
}
