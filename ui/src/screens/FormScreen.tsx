import { useEffect, useRef, useState } from "preact/hooks";
import { api, toApiError } from "../api";
import type { Definition } from "../bindings/Definition";
import type { Derived } from "../bindings/Derived";
import type { Finding } from "../bindings/Finding";
import type { FormDef } from "../bindings/FormDef";
import type { FormRef } from "../bindings/FormRef";
import type { OverrideView } from "../bindings/OverrideView";
import type { QueryView } from "../bindings/QueryView";
import type { Scope } from "../bindings/Scope";
import type { SignatureView } from "../bindings/SignatureView";
import type { Slot } from "../bindings/Slot";
import { DerivedPanel } from "../components/DerivedPanel";
import { fieldId } from "../components/Field";
import { queryStatusText } from "../components/Field";
import { FormRenderer } from "../components/FormRenderer";
import { ExportDialog, SignDialog, meaningText, sigScopeText } from "../components/SignDialog";
import { Modal } from "../components/Modal";
import { useApp } from "../context";
import {
  EditState,
  addRow,
  currentValue,
  initState,
  isDirty,
  markSaved,
  removeRow,
  setField,
  valuesToSend,
} from "../formModel";
import { t, tx } from "../i18n";
import { fieldStops } from "../keyboard";
import { errorText, statusText, whenOf } from "../messages";
import { FieldState, isPresent, slotKey } from "../values";

/** How long typing must pause before the input is checked. */
export const CHECK_DELAY_MS = 150;

export function FormScreen(p: { form: FormRef }) {
  const app = useApp();
  const ref = p.form;
  /** The definition version this form instance was captured under (known once loaded). */
  const [def, setDef] = useState<Definition | null>(null);
  const fdef: FormDef | undefined = def?.forms.find((f) => f.id === ref.form);
  const event = (def ?? app.def).events.find((e) => e.id === ref.event);
  const readOnly = !app.can("enter_data");
  const fdefRef = useRef<FormDef | undefined>(fdef);
  fdefRef.current = fdef;

  const [st, setSt] = useState<EditState | null>(null);
  const [formStatus, setFormStatus] = useState<string>("not_started");
  const [version, setVersion] = useState<string>("");
  const [derived, setDerived] = useState<Derived[]>([]);
  const [overrides, setOverrides] = useState<OverrideView[]>([]);
  const [findings, setFindings] = useState<Finding[]>([]);
  /** Required-item errors from the last refused completion, kept while the item is empty. */
  const [requiredMarks, setRequiredMarks] = useState<Finding[]>([]);
  const [hidden, setHidden] = useState<Slot[] | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [checking, setChecking] = useState(false);
  const [reasonFor, setReasonFor] = useState<{ complete: boolean } | null>(null);
  const [reason, setReason] = useState("");
  const [reasonError, setReasonError] = useState<string | null>(null);
  const [queries, setQueries] = useState<QueryView[]>([]);
  const [signatures, setSignatures] = useState<SignatureView[]>([]);
  const [dialog, setDialog] = useState<"sign" | "export" | null>(null);
  /** Bumped to read the form again (after a signature). */
  const [reload, setReload] = useState(0);

  const stRef = useRef<EditState | null>(null);
  stRef.current = st;
  const timer = useRef<number | undefined>(undefined);
  /** The check under way, if any. */
  const inFlight = useRef<Promise<void> | null>(null);
  const seq = useRef(0);
  const focused = useRef(false);

  // Load the form, then the definition version it was captured under, to draw it with.
  useEffect(() => {
    let alive = true;
    (async () => {
      const v = await api.formShow(ref);
      const d = v.definition_version ? await app.definitionFor(v.definition_version) : app.def;
      if (!alive) return;
      const f = d.forms.find((x) => x.id === ref.form);
      setDef(d);
      if (!f) return; // "not in the definition", below
      setSt(initState(f, v.values));
      setFormStatus(v.status);
      setVersion(v.definition_version);
      setDerived(v.derived);
      setOverrides(v.overrides ?? []);
      setFindings(v.findings);
      setHidden(v.hidden);
      setQueries(v.queries ?? []);
      setSignatures(v.signatures ?? []);
    })().catch((raw) => {
      if (!alive) return;
      const msg = t("form.loadError", { msg: errorText(toApiError(raw)) });
      setLoadError(msg);
      app.status(msg, "error");
    });
    return () => {
      alive = false;
      window.clearTimeout(timer.current);
    };
  }, [ref.subject, ref.event, ref.event_repeat, ref.form, ref.form_repeat, reload]);

  // Focus the first field once the form is drawn.
  useEffect(() => {
    if (!st || focused.current) return;
    focused.current = true;
    const body = document.querySelector<HTMLElement>(".form-body");
    if (body) fieldStops(body)[0]?.focus();
  }, [st]);

  // Leaving with unsaved input asks first.
  useEffect(() => {
    app.setLeaveGuard(() => (stRef.current && fdefRef.current ? isDirty(fdefRef.current, stRef.current) : false));
    return () => app.setLeaveGuard(null);
  }, []);

  const runCheck = (): Promise<void> => {
    const p = doCheck();
    inFlight.current = p;
    void p.finally(() => {
      if (inFlight.current === p) inFlight.current = null;
    });
    return p;
  };

  /** Runs a scheduled check now; gives the check under way, if any. */
  const pendingCheck = (): Promise<void> | null => {
    if (timer.current !== undefined) {
      window.clearTimeout(timer.current);
      timer.current = undefined;
      return runCheck();
    }
    return inFlight.current;
  };

  const doCheck = async () => {
    const cur = stRef.current;
    if (!fdef || !cur) return;
    const my = ++seq.current;
    setChecking(true);
    try {
      const out = await api.formCheck(ref, valuesToSend(fdef, cur));
      if (my !== seq.current) return;
      setDerived(out.derived);
      setFindings(out.findings);
      if (out.hidden !== undefined) setHidden(out.hidden);
    } catch (raw) {
      if (my !== seq.current) return;
      const e = toApiError(raw);
      if (e.code !== "unauthenticated") app.status(errorText(e), "error");
    } finally {
      if (my === seq.current) setChecking(false);
    }
  };

  const scheduleCheck = () => {
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => {
      timer.current = undefined;
      void runCheck();
    }, CHECK_DELAY_MS);
  };

  const update = (f: (s: EditState) => EditState) => {
    setSt((s) => {
      if (!s) return s;
      const n = f(s);
      stRef.current = n;
      return n;
    });
    scheduleCheck();
  };

  const save = async (complete: boolean, withReason: string | null = null) => {
    const cur = stRef.current;
    if (!fdef || !cur || saving || readOnly) return;
    window.clearTimeout(timer.current);
    timer.current = undefined;
    seq.current++; // a check under way no longer counts
    setChecking(false);
    const values = valuesToSend(fdef, cur);
    setSaving(true);
    app.status(t("form.saving"), "info");
    try {
      const out = await api.formSave(ref, values, complete, withReason);
      setSt((s) => {
        const n = s ? markSaved(fdef, s, values) : s;
        stRef.current = n;
        return n;
      });
      setFormStatus(out.status);
      setDerived(out.derived);
      setFindings(out.findings);
      setRequiredMarks([]);
      if (out.hidden !== undefined) setHidden(out.hidden);
      // A change after signing breaks the signatures: read them again.
      if (out.events > 0 && signatures.length > 0) {
        api.formShow(ref).then((v) => setSignatures(v.signatures ?? []), () => undefined);
      }
      const status = statusText(out.status);
      const warnings = out.findings.length;
      if (out.events === 0 && !complete) app.status(t("form.unchanged", { status }), "ok");
      else if (warnings > 0) app.status(t("form.savedWarnings", { n: warnings, status }), "warn");
      else app.status(t("form.saved", { status }), "ok");
      // Input typed while the save was under way is still to be checked.
      if (stRef.current && isDirty(fdef, stRef.current)) scheduleCheck();
    } catch (raw) {
      const e = toApiError(raw);
      if (e.code === "reason_required") {
        setReason("");
        setReasonError(null);
        setReasonFor({ complete });
        app.status(errorText(e), "warn");
      } else if (e.code === "validation") {
        if (e.findings.length) {
          setFindings(e.findings);
          setRequiredMarks(e.findings.filter((f) => f.rule === "required"));
          const n = e.findings.filter((f) => f.severity === "error").length;
          app.status(n ? t("form.notSavedFindings", { n }) : t("form.notSaved", { msg: errorText(e) }), "error");
          const first = e.findings.find((f) => f.severity === "error");
          if (first) window.setTimeout(() => document.getElementById(fieldId(first))?.focus(), 0);
        } else {
          app.status(t("form.notSaved", { msg: errorText(e) }), "error");
        }
      } else {
        app.status(t("form.notSaved", { msg: errorText(e) }), "error");
      }
    } finally {
      setSaving(false);
    }
  };

  // Ctrl+S saves, Ctrl+Shift+S saves and completes, wherever the focus is.
  const saveRef = useRef(save);
  saveRef.current = save;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "s") {
        e.preventDefault();
        void saveRef.current(e.shiftKey);
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  const submitReason = () => {
    const r = reason.trim();
    if (!r) {
      setReasonError(t("reason.empty"));
      document.getElementById("reason")?.focus();
      return;
    }
    const complete = reasonFor?.complete ?? false;
    setReasonFor(null);
    void save(complete, r);
  };

  if (loadError) return <main class="screen"><div class="alert error">{loadError}</div></main>;
  if (!def) return <main class="screen"><p class="muted">{t("common.loading")}</p></main>;
  if (!fdef) return <main class="screen"><div class="alert error">{t("form.unknown", { id: ref.form })}</div></main>;

  const submitOverride = async (id: string, value: number | string | null, reason: string) => {
    const v = await api.formOverride(ref, id, value, reason);
    setOverrides(v.overrides ?? []);
    setFormStatus(v.status);
    // The services answer for the saved values; live input (none, normally) keeps its own.
    if (!(stRef.current && isDirty(fdef, stRef.current))) {
      setDerived(v.derived);
      setFindings(v.findings);
      if (v.hidden !== undefined) setHidden(v.hidden);
    }
  };

  // Required marks stay while their item is still empty.
  const shownFindings =
    st === null
      ? findings
      : [
          ...findings,
          ...requiredMarks.filter(
            (m) =>
              !isPresent(currentValue(fdef, st, slotKey(m.group, m.repeat, m.item))) &&
              !findings.some((f) => f.item === m.item && f.group === m.group && f.repeat === m.repeat && f.rule === m.rule),
          ),
        ];
  const errors = shownFindings.filter((f) => f.severity === "error").length;
  const warnings = shownFindings.length - errors;
  const dirty = st ? isDirty(fdef, st) : false;
  const openQueries = queries.filter((q) => q.status !== "closed");
  const scope: Scope = { level: "form", ...ref };
  const formTitle = tx(fdef.name) + (fdef.repeating ? ` #${ref.form_repeat}` : "");
  const eventTitle = event ? tx(event.name) + (event.repeating ? ` #${ref.event_repeat}` : "") : ref.event;

  return (
    <main class="screen form-screen">
      <div class="form-head">
        <div class="form-title">
          <div class="muted form-context">{t("form.context", { subject: ref.subject, event: eventTitle })}</div>
          <h1>
            {formTitle}{" "}
            <span class={`badge status-${formStatus}`} data-form-status={formStatus}>
              {statusText(formStatus)}
            </span>
            {dirty && <span class="badge unsaved">{t("form.unsaved")}</span>}
          </h1>
        </div>
        <div class="form-actions">
          <button id="export-form" type="button" class="secondary" title={t("export.form.title")} onClick={() => setDialog("export")}>
            {t("export.button")}
          </button>
          {app.can("sign") && formStatus === "complete" && (
            <button
              id="sign-form"
              type="button"
              class="secondary"
              title={dirty ? t("override.unsaved") : t("sign.button.title")}
              disabled={dirty || saving}
              onClick={() => setDialog("sign")}
            >
              {t("sign.button")}
            </button>
          )}
          {!readOnly && (
            <>
            <span class="action-sep" aria-hidden="true" />
            <button id="save" type="button" class="secondary" title={t("form.save.title")} disabled={!st || saving} onClick={() => void save(false)}>
              {t("form.save")}
            </button>
            <button
              id="save-complete"
              type="button"
              class="primary"
              title={t("form.saveComplete.title")}
              disabled={!st || saving}
              onClick={() => void save(true)}
            >
              {t("form.saveComplete")}
            </button>
            </>
          )}
        </div>
      </div>
      <p class="hint">{readOnly ? t("form.readOnly") : t("form.hint")}</p>

      {!st ? (
        <p class="muted">{t("common.loading")}</p>
      ) : (
        <div class="form-layout">
          <div class="form-main">
            <FormRenderer
              form={fdef}
              codelists={def.codelists}
              state={st}
              hidden={hidden}
              findings={shownFindings}
              queries={openQueries}
              readOnly={readOnly}
              onField={(slot: Slot, f: FieldState) => update((s) => setField(s, slot, f))}
              onAddRow={(g) => update((s) => addRow(fdef, s, g))}
              onRemoveRow={(g, r) => update((s) => removeRow(fdef, s, g, r))}
              afterLast={() => document.getElementById("save")}
              pendingCheck={pendingCheck}
            />
          </div>
          <aside class="form-side" aria-label={t("form.derived")}>
            <SignaturesPanel signatures={signatures} />
            <DerivedPanel
              defs={fdef.derived}
              derived={derived}
              overrides={overrides}
              canOverride={app.can("override_derived")}
              blocked={formStatus === "not_started" ? t("override.notStarted") : dirty ? t("override.unsaved") : null}
              onBlocked={(why) => app.status(why, "warn")}
              submit={submitOverride}
              onDone={(text) => app.status(text, "ok")}
            />
            <section class="panel">
              <h2>
                {t("form.findings")} {checking && <span class="muted small">{t("form.checking")}</span>}
              </h2>
              {shownFindings.length === 0 ? (
                <p class="muted">{t("form.findings.none")}</p>
              ) : (
                <>
                  <p class={errors ? "count error" : "count warning"}>{t("form.findings.count", { e: errors, w: warnings })}</p>
                  <ul class="finding-list">
                    {shownFindings.map((f, i) => {
                      return (
                        <li key={i} class={f.severity}>
                          <button
                            type="button"
                            class="link"
                            onClick={() => document.getElementById(fieldId({ group: f.group, repeat: f.repeat, item: f.item }))?.focus()}
                          >
                            {/* The services' messages name their item already. */}
                            {tx(f.message)}
                            {fdef.groups.some((g) => g.id === f.group && g.repeating) ? ` (${t("form.row")} ${f.repeat})` : ""}
                          </button>
                        </li>
                      );
                    })}
                  </ul>
                </>
              )}
            </section>
            <QueriesPanel queries={openQueries} labelOf={(id) => tx(fdef.items.find((i) => i.id === id)?.label) || id} />
            {version && <p class="muted small">{t("form.version", { v: version })}</p>}
          </aside>
        </div>
      )}

      {dialog === "sign" && (
        <SignDialog
          scope={scope}
          onCancel={() => setDialog(null)}
          onSigned={() => {
            setDialog(null);
            setReload((n) => n + 1);
          }}
        />
      )}
      {dialog === "export" && <ExportDialog scope={scope} onCancel={() => setDialog(null)} onDone={() => setDialog(null)} />}
      {reasonFor && (
        <Modal id="reason-dialog" title={t("reason.title")} onCancel={() => setReasonFor(null)}>
          <p>{t("reason.text")}</p>
          <label for="reason">{t("reason.label")}</label>
          <textarea
            id="reason"
            rows={3}
            maxLength={1000}
            value={reason}
            aria-invalid={reasonError ? "true" : undefined}
            onInput={(e) => setReason((e.currentTarget as HTMLTextAreaElement).value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey) {
                e.preventDefault();
                submitReason();
              }
            }}
          />
          {reasonError && (
            <div class="inline-error" role="alert">
              {reasonError}
            </div>
          )}
          <div class="modal-actions">
            <button type="button" class="secondary" onClick={() => setReasonFor(null)}>
              {t("common.cancel")}
            </button>
            <button id="reason-ok" type="button" class="primary" onClick={submitReason}>
              {t("reason.ok")}
            </button>
          </div>
        </Modal>
      )}
    </main>
  );
}

/** The signatures covering this form: who, what it means, when, over what; broken ones in red. */
export function SignaturesPanel(p: { signatures: SignatureView[] }) {
  const app = useApp();
  const sigs = [...p.signatures].sort((a, b) => b.at.localeCompare(a.at));
  return (
    <section class="panel signatures" aria-label={t("sig.panel")}>
      <h2>{t("sig.panel")}</h2>
      {sigs.length === 0 ? (
        <p class="muted">{t("sig.none")}</p>
      ) : (
        <ul class="sig-list">
          {sigs.map((s) => (
            <li key={s.signature} class={s.broken ? "sig-broken" : "sig-ok"} data-signature-id={s.signature}>
              <div class="sig-who">
                <strong>{s.printed_name}</strong> · {meaningText(s.meaning)}
              </div>
              <div class="muted small">
                {whenOf(s.at)} · {sigScopeText(s.scope, app.def)}
              </div>
              {s.broken ? (
                <div class="sig-state broken" data-signature-broken={s.signature} role="alert">
                  <span aria-hidden="true">✗ </span>
                  {t("sig.broken")}
                </div>
              ) : (
                <div class="sig-state ok" data-signature-ok={s.signature}>
                  <span aria-hidden="true">✓ </span>
                  {t("sig.ok")}
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Open and answered queries on the form, read-only. */
export function QueriesPanel(p: { queries: QueryView[]; labelOf?: (item: string) => string }) {
  return (
    <section class="panel queries" aria-label={t("query.panel")}>
      <h2>
        {t("query.panel")} {p.queries.length > 0 && <span class="muted small">{t("query.count", { n: p.queries.filter((q) => q.status === "open").length })}</span>}
      </h2>
      {p.queries.length === 0 ? (
        <p class="muted">{t("query.none")}</p>
      ) : (
        <ul class="query-list">
          {p.queries.map((q) => (
            <li key={q.query} class={`q-${q.status}`} data-query-panel={q.query} data-query-status={q.status}>
              <div>
                <span class={`badge q-badge q-${q.status}`}>{queryStatusText(q.status)}</span> <span class="q-item">{q.item ? (p.labelOf ? p.labelOf(q.item) : q.item) : t("query.form")}:</span> {q.text}
              </div>
              <div class="muted small">
                {q.rule ? t("query.rule", { rule: q.rule }) : t("query.manual")} · {t("query.by", { user: q.opened_by, at: whenOf(q.opened_at) })}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
