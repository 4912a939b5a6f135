import { useEffect, useRef, useState } from "preact/hooks";
import { api, toApiError } from "../api";
import type { Definition } from "../bindings/Definition";
import type { Derived } from "../bindings/Derived";
import type { Finding } from "../bindings/Finding";
import type { FormDef } from "../bindings/FormDef";
import type { FormRef } from "../bindings/FormRef";
import type { ItemRef } from "../bindings/ItemRef";
import type { LockView } from "../bindings/LockView";
import type { OverrideView } from "../bindings/OverrideView";
import type { QueryThread } from "../bindings/QueryThread";
import type { QueryView } from "../bindings/QueryView";
import type { SdvView } from "../bindings/SdvView";
import type { ValueEntry } from "../bindings/ValueEntry";
import type { Scope } from "../bindings/Scope";
import type { SignatureView } from "../bindings/SignatureView";
import type { Slot } from "../bindings/Slot";
import { DerivedPanel } from "../components/DerivedPanel";
import { fieldId } from "../components/Field";
import { FormRenderer } from "../components/FormRenderer";
import { HistoryDialog } from "../components/HistoryDialog";
import { BrokenIcon, DraftIcon, LockIcon, VerifiedIcon } from "../components/Icons";
import { QueryThreads } from "../components/QueryThreads";
import { ExportDialog, SignDialog, meaningText, sigScopeText } from "../components/SignDialog";
import { Modal } from "../components/Modal";
import { useApp } from "../context";
import { LockPanel, VerifyPanel } from "./DmHome";
import { DraftKeeper, draftTime } from "../drafts";
import {
  EditState,
  addRow,
  applyDraft,
  currentValue,
  draftEntries,
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
import { FieldState, MAIN_GROUP, isPresent, slotKey } from "../values";

/** How long typing must pause before the input is checked. */
export const CHECK_DELAY_MS = 150;

export function FormScreen(p: { form: FormRef }) {
  const app = useApp();
  const ref = p.form;
  /** The definition version this form instance was captured under (known once loaded). */
  const [def, setDef] = useState<Definition | null>(null);
  const fdef: FormDef | undefined = def?.forms.find((f) => f.id === ref.form);
  const event = (def ?? app.def).events.find((e) => e.id === ref.event);
  /** The lock in force over this form, if any: then it is read-only. */
  const [lock, setLock] = useState<LockView | null>(null);
  const readOnly = !app.can("enter_data") || lock !== null;
  const fdefRef = useRef<FormDef | undefined>(fdef);
  fdefRef.current = fdef;
  const readOnlyRef = useRef(readOnly);
  readOnlyRef.current = readOnly;

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
  /** Source data verification marks that hold. */
  const [verified, setVerified] = useState<SdvView | null>(null);
  /** The form's queries with their threads (null until loaded, or when the services cannot say). */
  const [threads, setThreads] = useState<QueryThread[] | null>(null);
  /** When the draft restored on opening was kept (the banner shows while it is there). */
  const [draftAt, setDraftAt] = useState<string | null>(null);
  /** Whether the unsaved input is kept as a draft yet. */
  const [draftState, setDraftState] = useState<"none" | "keeping" | "kept" | "failed">("none");
  /** The item whose history is shown. */
  const [history, setHistory] = useState<Slot | null>(null);
  /** Bumped to read the form again (after a signature). */
  const [reload, setReload] = useState(0);

  const stRef = useRef<EditState | null>(null);
  stRef.current = st;
  const timer = useRef<number | undefined>(undefined);
  /** The check under way, if any. */
  const inFlight = useRef<Promise<void> | null>(null);
  const seq = useRef(0);
  const focused = useRef(false);
  /** The values as stored when the form was opened (what "Discard" goes back to). */
  const loaded = useRef<ValueEntry[]>([]);
  /** Changes so far, and the change the draft being sent holds (to tell when it is kept). */
  const changeSeq = useRef(0);
  const sendingSeq = useRef(0);
  const draftWarned = useRef(false);
  const keeper = useRef<DraftKeeper | null>(null);
  if (!keeper.current) {
    keeper.current = new DraftKeeper(
      (entries) => api.draftSave(ref, entries),
      () => {
        const f = fdefRef.current;
        const cur = stRef.current;
        if (!f || !cur || readOnlyRef.current) return null;
        sendingSeq.current = changeSeq.current;
        return draftEntries(f, cur);
      },
      {
        onSaved: () => {
          if (sendingSeq.current === changeSeq.current) setDraftState((d) => (d === "keeping" || d === "failed" ? "kept" : d));
        },
        onError: (raw) => {
          const e = toApiError(raw);
          setDraftState("failed");
          // Said once per form: the input itself is still on the screen.
          if (!draftWarned.current && e.code !== "unauthenticated") {
            draftWarned.current = true;
            app.status(t("draft.failed", { msg: errorText(e) }), "warn");
          }
        },
      },
    );
  }

  // Load the form, then the definition version it was captured under, to draw it with.
  useEffect(() => {
    let alive = true;
    (async () => {
      // The kept draft, if any, is asked for alongside the form (a failure only means none).
      const wantDraft = app.can("enter_data") && reload === 0;
      const draftP = wantDraft
        ? Promise.resolve()
            .then(() => api.draft(ref))
            .catch(() => null)
        : Promise.resolve(null);
      const v = await api.formShow(ref);
      const d = v.definition_version ? await app.definitionFor(v.definition_version) : app.def;
      if (!alive) return;
      const f = d.forms.find((x) => x.id === ref.form);
      if (!f) {
        if (alive) setDef(d);
        return; // "not in the definition", below
      }
      // Input typed earlier and not saved (a crash, a kill, leaving with "keep the draft").
      let st0 = initState(f, v.values);
      let restoredAt: string | null = null;
      if (wantDraft && !v.locked) {
        const draft = await draftP;
        if (draft && draft.entries.length > 0) {
          const st1 = applyDraft(f, st0, draft.entries);
          if (isDirty(f, st1)) {
            st0 = st1;
            restoredAt = draft.saved_at;
          } else {
            // Nothing in it differs from what is saved: it has no use.
            void Promise.resolve()
              .then(() => api.draftDiscard(ref))
              .catch(() => undefined);
          }
        }
      }
      if (!alive) return;
      loaded.current = v.values;
      setDef(d);
      stRef.current = st0;
      setSt(st0);
      setLock(v.locked ?? null);
      setVerified(v.verified ?? null);
      if (restoredAt) {
        setDraftAt(restoredAt);
        setDraftState("kept");
        // The derived values and checks of the restored input.
        scheduleCheck();
      }
      setFormStatus(v.status);
      setVersion(v.definition_version);
      setDerived(v.derived);
      setOverrides(v.overrides ?? []);
      setFindings(v.findings);
      setHidden(v.hidden);
      setQueries(v.queries ?? []);
      setSignatures(v.signatures ?? []);
      // The queries' threads (who asked and answered what): a separate call.
      Promise.resolve()
        .then(() => api.queries(ref.subject))
        .then((all) => {
          if (alive) setThreads(all.filter((q) => sameForm(q.form, ref)));
        })
        .catch(() => {
          if (alive) setThreads(null);
        });
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

  // Closing the form sends what is still to be kept.
  useEffect(() => () => keeper.current?.stop(), []);

  // Focus the first field once the form is drawn.
  useEffect(() => {
    if (!st || focused.current) return;
    focused.current = true;
    const body = document.querySelector<HTMLElement>(".form-body");
    if (body) fieldStops(body)[0]?.focus();
  }, [st]);

  // Leaving with unsaved input asks first: keep the draft, or discard the input.
  useEffect(() => {
    app.setLeaveGuard(
      () => (stRef.current && fdefRef.current && !readOnlyRef.current ? isDirty(fdefRef.current, stRef.current) : false),
      () => {
        keeper.current?.cancel();
        void Promise.resolve()
          .then(() => api.draftDiscard(ref))
          .catch(() => undefined);
      },
    );
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
    const fdef = fdefRef.current;
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
    if (!readOnlyRef.current) {
      // Kept as a draft within DRAFT_DELAY_MS of every change.
      changeSeq.current++;
      setDraftState("keeping");
      keeper.current?.changed();
    }
  };

  /** Forgets the restored (or typed) input: the saved values show again. */
  const discardDraft = () => {
    const f = fdefRef.current;
    if (!f) return;
    keeper.current?.cancel();
    const st0 = initState(f, loaded.current);
    stRef.current = st0;
    setSt(st0);
    setDraftAt(null);
    setDraftState("none");
    setRequiredMarks([]);
    void Promise.resolve()
      .then(() => api.draftDiscard(ref))
      .catch(() => undefined);
    app.status(t("draft.discarded"), "info");
    scheduleCheck();
    window.setTimeout(() => {
      const body = document.querySelector<HTMLElement>(".form-body");
      if (body) fieldStops(body)[0]?.focus();
    }, 0);
  };

  const save = async (complete: boolean, withReason: string | null = null) => {
    const cur = stRef.current;
    if (!fdef || !cur || saving || readOnly) return;
    window.clearTimeout(timer.current);
    timer.current = undefined;
    seq.current++; // a check under way no longer counts
    setChecking(false);
    const values = valuesToSend(fdef, cur);
    // No draft may land after the save (which removes it): what is scheduled is dropped, and
    // one already sent reaches the services before the save does.
    keeper.current?.cancel();
    setSaving(true);
    app.status(t("form.saving"), "info");
    try {
      const out = await api.formSave(ref, values, complete, withReason);
      // The services removed the draft in the save's transaction.
      keeper.current?.cancel();
      setSt((s) => {
        const n = s ? markSaved(fdef, s, values) : s;
        stRef.current = n;
        return n;
      });
      loaded.current = valuesAfter(loaded.current, values);
      setDraftAt(null);
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
      // Input typed while the save was under way is still to be checked, and kept.
      if (stRef.current && isDirty(fdef, stRef.current)) {
        scheduleCheck();
        changeSeq.current++;
        setDraftState("keeping");
        keeper.current?.changed();
      } else {
        setDraftState("none");
      }
    } catch (raw) {
      const e = toApiError(raw);
      // Not saved: the input is still to be kept.
      if (!readOnlyRef.current && stRef.current && isDirty(fdef, stRef.current)) keeper.current?.changed();
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
        // Locked meanwhile (a return bundle, the data manager at this node): show who locked it.
        // The input stays on the screen (and in its draft), read-only.
        if (e.code === "locked") {
          api.formShow(ref).then((v) => setLock(v.locked ?? null), () => undefined);
        }
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
  // Threads when the services gave them, else the form's queries without their threads.
  const shownThreads: QueryThread[] =
    threads ??
    queries.map((q) => ({ ...q, subject: ref.subject, form: ref, thread: [] }));
  const onAnswered = (q: QueryThread) => {
    setThreads((ts) => (ts ?? shownThreads).map((x) => (x.query === q.query ? q : x)));
    setQueries((qs) => qs.map((x) => (x.query === q.query ? { ...x, status: q.status } : x)));
  };
  const verifiedSlots = new Set<string>(
    (verified?.items ?? []).map((k) => {
      const m = /\/([^/]+)\.(\d+)\/([^/]+)$/.exec(k);
      return m ? slotKey(m[1], Number(m[2]), m[3]) : k;
    }),
  );
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
            {signatures.some((x) => x.broken) && (
              <span class="badge sig-broken-badge" data-signature-state="broken">
                <BrokenIcon /> {t("sig.cell.broken")}
              </span>
            )}
            {verified?.form_verified && (
              <span class="badge sdv" data-form-verified="true" title={t("sdv.form.title", { user: verified.by ?? "?", at: whenOf(verified.at ?? "") })}>
                <VerifiedIcon /> {t("sdv.form")}
              </span>
            )}
            {lock && (
              <span class="badge locked" data-form-locked="true">
                <LockIcon /> {t("cell.locked")}
              </span>
            )}
            {dirty && (
              <span class="badge unsaved" data-draft={draftState} title={t("draft.kept.title")}>
                <DraftIcon /> {t("form.unsaved")}
                {/* Steady words while typing: the previous input is kept until the next one is. */}
                {draftState === "failed" ? (
                  <span class="draft-kept"> · {t("draft.notKept")}</span>
                ) : draftState !== "none" ? (
                  <span class="draft-kept"> · {t("draft.kept")}</span>
                ) : null}
              </span>
            )}
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
      {lock ? (
        <div id="lock-banner" class="alert lock-banner" role="note">
          <LockIcon />{" "}
          <span>
            <strong>{t("lock.banner", { what: lockWhat(lock, app.def), user: lock.username, at: whenOf(lock.at) })}</strong>{" "}
            {lock.reason && <span>{t("lock.reason", { reason: lock.reason })} </span>}
            {t("lock.readOnly")}
          </span>
        </div>
      ) : (
        <p class="hint">{readOnly ? t("form.readOnly") : t("form.hint")}</p>
      )}
      {draftAt && dirty && !readOnly && (
        <div id="draft-banner" class="alert warn draft-banner" role="status">
          <DraftIcon />{" "}
          <span>
            <strong>{t("draft.restored", { time: draftTime(draftAt) })}</strong> {t("draft.restored.hint")}
          </span>
          <button id="draft-discard" type="button" class="mini" title={t("draft.discard.title")} onClick={discardDraft}>
            {t("draft.discard")}
          </button>
        </div>
      )}

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
              onHistory={(slot) => setHistory(slot)}
              verified={verifiedSlots}
            />
          </div>
          <aside class="form-side" aria-label={t("form.derived")}>
            {/* A broken signature is the first thing an investigator needs to see. */}
            {signatures.some((x) => x.broken) && <SignaturesPanel signatures={signatures} />}
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
            <QueryThreads
              threads={shownThreads}
              labelOf={(q) => queryTarget(q, fdef)}
              canAnswer={app.can("answer_query")}
              onAnswered={onAnswered}
              status={(text, kind) => app.status(text, kind)}
            />
            {!signatures.some((x) => x.broken) && <SignaturesPanel signatures={signatures} />}
            {app.can("verify_source") && verified && (
              <VerifyPanel form={ref} verified={verified} values={loaded.current} onChanged={(v) => setVerified(v)} />
            )}
            {app.can("lock") && (
              <LockPanel
                scope={lock ? lock.scope : { level: "form", ...ref }}
                lock={lock}
                onChanged={() => {
                  api.formShow(ref).then((v) => setLock(v.locked ?? null), () => undefined);
                }}
              />
            )}
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
      {history && (
        <HistoryDialog
          item={itemRef(ref, history)}
          def={fdef.items.find((i) => i.id === history.item)}
          codelists={def.codelists}
          where={
            t("itemHistory.where", { subject: ref.subject, event: eventTitle, form: formTitle }) +
            (fdef.groups.some((g) => g.id === history.group && g.repeating) ? ` · ${t("query.row", { n: history.repeat })}` : "")
          }
          onClose={() => setHistory(null)}
        />
      )}
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

/** Whether two form references name the same form instance. */
export function sameForm(a: FormRef, b: FormRef): boolean {
  return a.subject === b.subject && a.event === b.event && a.event_repeat === b.event_repeat && a.form === b.form && a.form_repeat === b.form_repeat;
}

/** The values stored after a save of `sent` over `before`. */
function valuesAfter(before: ValueEntry[], sent: ValueEntry[]): ValueEntry[] {
  const m = new Map(before.map((v) => [slotKey(v.group, v.repeat, v.item), v]));
  for (const v of sent) {
    const k = slotKey(v.group, v.repeat, v.item);
    if (v.value === null) m.delete(k);
    else m.set(k, v);
  }
  return [...m.values()];
}

export function itemRef(f: FormRef, slot: Slot): ItemRef {
  return { ...f, group: slot.group || MAIN_GROUP, group_repeat: slot.repeat, item: slot.item };
}

/** What a query is about, in words: the item's label (and row), or the whole form. */
export function queryTarget(q: { item: string | null; group: string | null; repeat: number | null }, fdef: FormDef): string {
  if (!q.item) return t("query.form");
  const label = tx(fdef.items.find((i) => i.id === q.item)?.label) || q.item;
  const rep = q.group && fdef.groups.some((g) => g.id === q.group && g.repeating) && q.repeat ? ` (${t("query.row", { n: q.repeat })})` : "";
  return label + rep;
}

/** What a lock covers, as the start of the lock banner ("This form is", "Day 7 is"…). */
export function lockWhat(l: LockView, def: Definition): string {
  const sc = l.scope;
  switch (sc.level) {
    case "form":
      return t("lock.scope.form");
    case "event": {
      const ev = def.events.find((e) => e.id === sc.event);
      return t("lock.scope.event", { event: (ev ? tx(ev.name) : sc.event) + (ev?.repeating ? ` #${sc.event_repeat}` : "") });
    }
    case "subject":
      return t("lock.scope.subject");
    default:
      return t("lock.scope.study");
  }
}
