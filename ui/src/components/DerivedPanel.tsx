// The derived values of a form, live, and investigators' overrides of them: an override is shown
// first and emphasised, with who, when and why; the derived value stays beside it, with a note
// when it has changed since the override. An investigator overrides (or withdraws an override)
// through #override-dialog.

import { useState } from "preact/hooks";
import { ApiError, toApiError } from "../api";
import type { Derived } from "../bindings/Derived";
import type { DerivedDef } from "../bindings/DerivedDef";
import type { OverrideView } from "../bindings/OverrideView";
import { t, tx } from "../i18n";
import { errorText, whenOf } from "../messages";
import { parseOverride, sameValue, scaleOf, valueText } from "../scales";
import { Modal } from "./Modal";

type Dialog = { id: string; mode: "set" | "withdraw" };

/** The services' error in plain words, without repeating which value it is about. */
function overrideError(e: ApiError, id: string): string {
  const msg = e.message.replace(new RegExp(`^override of ${id}:\\s*`), "");
  return t("override.failed", { msg: errorText(new ApiError(e.code, msg, e.findings)) });
}

export function DerivedPanel(p: {
  defs: DerivedDef[];
  derived: Derived[];
  overrides: OverrideView[];
  /** The user may override (investigators). */
  canOverride: boolean;
  /** Why overriding is not possible just now (unsaved input, no data yet), or null. */
  blocked: string | null;
  onBlocked: (why: string) => void;
  /** Records an override (`value` null withdraws it); rejects with the services' error. */
  submit: (id: string, value: number | string | null, reason: string) => Promise<void>;
  onDone: (text: string) => void;
}) {
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [value, setValue] = useState("");
  const [reason, setReason] = useState("");
  const [error, setError] = useState<{ text: string; field: "value" | "reason" | null } | null>(null);
  const [busy, setBusy] = useState(false);

  const openDialog = (d: DerivedDef, mode: Dialog["mode"]) => {
    if (p.blocked) {
      p.onBlocked(p.blocked);
      return;
    }
    const ov = p.overrides.find((o) => o.id === d.id);
    setValue(mode === "set" && ov && (typeof ov.value === "number" || typeof ov.value === "string") ? String(ov.value) : "");
    setReason("");
    setError(null);
    setDialog({ id: d.id, mode });
  };

  const def = dialog ? p.defs.find((d) => d.id === dialog.id) : undefined;

  const ok = async () => {
    if (!dialog || !def || busy) return;
    let v: number | string | null = null;
    if (dialog.mode === "set") {
      const parsed = parseOverride(scaleOf(def.function), value);
      if ("error" in parsed) {
        setError({ text: t(parsed.error), field: "value" });
        document.getElementById("override-value")?.focus();
        return;
      }
      v = parsed.value;
    }
    const r = reason.trim();
    if (!r) {
      setError({ text: t("override.reasonMissing"), field: "reason" });
      document.getElementById("override-reason")?.focus();
      return;
    }
    setBusy(true);
    try {
      await p.submit(dialog.id, v, r);
      const label = tx(def.label);
      setDialog(null);
      p.onDone(dialog.mode === "set" ? t("override.done", { label }) : t("override.withdrawn", { label }));
      if (dialog.mode === "withdraw") {
        // The withdraw button has gone: the focus goes to the override button instead.
        const id = dialog.id;
        window.setTimeout(() => document.querySelector<HTMLElement>(`[data-override-open="${id}"]`)?.focus(), 0);
      }
    } catch (raw) {
      const e = toApiError(raw);
      if (e.code === "unauthenticated") {
        setDialog(null);
        return;
      }
      setError({ text: overrideError(e, dialog.id), field: null });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel derived-panel">
      <h2>{t("form.derived")}</h2>
      {p.defs.length === 0 ? (
        <p class="muted">{t("form.derived.none")}</p>
      ) : (
        <dl class="derived">
          {p.defs.map((d) => {
            const v = p.derived.find((x) => x.id === d.id);
            const ov = p.overrides.find((o) => o.id === d.id);
            const present = v && v.value !== null && v.value !== undefined;
            const many = v && !present && v.missing.length > 3;
            const out = (
              <output
                data-derived={d.id}
                class={present ? "derived-value" : "derived-missing"}
                aria-live="polite"
                title={many ? tx(v.display) : undefined}
              >
                {!v ? t("common.none") : many ? t("form.derived.missing", { n: v.missing.length }) : tx(v.display)}
              </output>
            );
            const changed = ov && v && !sameValue(v.value, ov.derived_then);
            const can = p.canOverride && d.overridable;
            return (
              <div class={`derived-row${ov ? " overridden" : ""}`} key={d.id}>
                <dt>{tx(d.label)}</dt>
                <dd>
                  {ov ? (
                    <>
                      <div class="override-box" data-overridden={d.id}>
                        <span class="ov-tag">{t("override.tag")}</span>
                        <strong class="override-value">{valueText(d.function, ov.value, d.unit)}</strong>
                        <div class="ov-meta">{t("override.by", { user: ov.username, date: whenOf(ov.at), reason: ov.reason })}</div>
                      </div>
                      <div class="derived-under">
                        <span class="ov-tag derived-tag">{t("override.derivedTag")}</span>
                        {out}
                      </div>
                      {changed && (
                        <div class="ov-changed" data-override-changed={d.id} role="note">
                          <span aria-hidden="true">▲ </span>
                          {t("override.changed", { then: valueText(d.function, ov.derived_then, d.unit) })}
                        </div>
                      )}
                    </>
                  ) : (
                    out
                  )}
                  {can && (
                    <div class="ov-actions">
                      <button
                        type="button"
                        class="mini"
                        data-override-open={d.id}
                        aria-disabled={p.blocked ? "true" : undefined}
                        title={p.blocked ?? t("override.button.title", { label: tx(d.label) })}
                        onClick={() => openDialog(d, "set")}
                      >
                        {t("override.button")}
                      </button>
                      {ov && (
                        <button
                          type="button"
                          class="mini"
                          data-override-withdraw={d.id}
                          aria-disabled={p.blocked ? "true" : undefined}
                          title={p.blocked ?? undefined}
                          onClick={() => openDialog(d, "withdraw")}
                        >
                          {t("override.withdraw")}
                        </button>
                      )}
                    </div>
                  )}
                </dd>
              </div>
            );
          })}
        </dl>
      )}
      {p.canOverride && p.blocked && p.defs.some((d) => d.overridable) && <p class="muted small ov-blocked">{p.blocked}</p>}

      {dialog && def && (
        <Modal
          id="override-dialog"
          title={dialog.mode === "set" ? t("override.title", { label: tx(def.label) }) : t("override.withdrawTitle", { label: tx(def.label) })}
          onCancel={() => setDialog(null)}
        >
          <p>{dialog.mode === "set" ? t("override.text") : t("override.withdrawText")}</p>
          <OverrideContext def={def} derived={p.derived.find((x) => x.id === def.id)} ov={p.overrides.find((o) => o.id === def.id)} />
          {dialog.mode === "set" && (
            <div class="dialog-field">
              <label for="override-value">{t("override.value")}</label>
              <ValueInput
                def={def}
                value={value}
                invalid={error?.field === "value"}
                onValue={setValue}
                onEnter={() => document.getElementById("override-reason")?.focus()}
              />
            </div>
          )}
          <div class="dialog-field">
            <label for="override-reason">
              {dialog.mode === "set" ? t("override.reason") : t("override.withdrawReason")}
              <span class="req" aria-hidden="true">
                *
              </span>
            </label>
            <textarea
              id="override-reason"
              rows={3}
              maxLength={1000}
              required
              value={reason}
              aria-invalid={error?.field === "reason" ? "true" : undefined}
              aria-describedby={error ? "override-error" : undefined}
              onInput={(e) => setReason((e.currentTarget as HTMLTextAreaElement).value)}
              onKeyDown={(e) => {
                if (e.key === "Enter" && !e.shiftKey) {
                  e.preventDefault();
                  void ok();
                }
              }}
            />
          </div>
          {error && (
            <div id="override-error" class="inline-error" role="alert">
              {error.text}
            </div>
          )}
          <div class="modal-actions">
            <button type="button" class="secondary" onClick={() => setDialog(null)}>
              {t("common.cancel")}
            </button>
            <button id="override-ok" type="button" class={dialog.mode === "set" ? "primary" : "danger"} disabled={busy} onClick={() => void ok()}>
              {dialog.mode === "set" ? t("override.ok") : t("override.withdrawOk")}
            </button>
          </div>
        </Modal>
      )}
    </section>
  );
}

/** What the dialog is about: the derived value now, and the override in force, if any. */
function OverrideContext(p: { def: DerivedDef; derived: Derived | undefined; ov: OverrideView | undefined }) {
  return (
    <ul class="ov-context">
      <li>{t("override.derivedNow", { value: p.derived ? tx(p.derived.display) : t("common.none") })}</li>
      {p.ov && <li>{t("override.current", { value: valueText(p.def.function, p.ov.value, p.def.unit) })}</li>}
    </ul>
  );
}

/** #override-value: a choice of the scale (grades, responses), or a number. */
function ValueInput(p: { def: DerivedDef; value: string; invalid: boolean; onValue: (v: string) => void; onEnter: () => void }) {
  const scale = scaleOf(p.def.function);
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Enter") {
      e.preventDefault();
      p.onEnter();
    }
  };
  const common = {
    id: "override-value",
    "aria-invalid": p.invalid ? ("true" as const) : undefined,
    "aria-describedby": p.invalid ? "override-error" : undefined,
    onKeyDown,
  };
  if (scale.kind === "number") {
    return (
      <div class="field-line">
        <input
          {...common}
          type="text"
          inputMode="decimal"
          autocomplete="off"
          class="w-num num"
          value={p.value}
          onInput={(e) => p.onValue((e.currentTarget as HTMLInputElement).value)}
        />
        {p.def.unit && <span class="unit">{p.def.unit}</span>}
      </div>
    );
  }
  const options =
    scale.kind === "integer" ? Array.from({ length: scale.max - scale.min + 1 }, (_, i) => String(scale.min + i)) : scale.codes;
  return (
    <select {...common} class="w-select" value={p.value} onChange={(e) => p.onValue((e.currentTarget as HTMLSelectElement).value)}>
      <option value="">{t("field.select")}</option>
      {options.map((o) => (
        <option key={o} value={o}>
          {valueText(p.def.function, scale.kind === "integer" ? Number(o) : o)}
        </option>
      ))}
    </select>
  );
}
