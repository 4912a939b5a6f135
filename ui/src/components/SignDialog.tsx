// Electronic signatures (21 CFR 11.50: printed name, date and time, meaning) and PDF export.
// `#sign-dialog` signs a form, an event or a casebook with the user's password; `#export-dialog`
// writes a PDF of one (signed by the exporting investigator when asked) to a path chosen in the
// native save dialog. A wrong password keeps the dialog open and clears the password.

import { useEffect, useState } from "preact/hooks";
import { ApiError, PdfLang, api, toApiError } from "../api";
import type { Definition } from "../bindings/Definition";
import type { Scope } from "../bindings/Scope";
import type { SignatureMeaning } from "../bindings/SignatureMeaning";
import type { SignatureView } from "../bindings/SignatureView";
import { useApp } from "../context";
import { Key, lang, t, tx } from "../i18n";
import { errorText, formKeysText } from "../messages";
import { Modal } from "./Modal";

export const MEANINGS: SignatureMeaning[] = ["authorship", "review", "approval"];

export function meaningText(m: SignatureMeaning): string {
  return t(`sign.meaning.${m}` as Key);
}

function eventName(def: Definition, event: string, repeat: number): string {
  const ev = def.events.find((e) => e.id === event);
  if (!ev) return event;
  return tx(ev.name) + (ev.repeating ? ` #${repeat}` : "");
}

/** What a scope covers, in words ("the form Vital signs, Day 7, subject S01-001"). */
export function scopeText(scope: Scope, def: Definition): string {
  switch (scope.level) {
    case "form": {
      const f = def.forms.find((x) => x.id === scope.form);
      const form = (f ? tx(f.name) : scope.form) + (f?.repeating ? ` #${scope.form_repeat}` : "");
      return t("sign.scope.form", { form, event: eventName(def, scope.event, scope.event_repeat), subject: scope.subject });
    }
    case "event":
      return t("sign.scope.event", { event: eventName(def, scope.event, scope.event_repeat), subject: scope.subject });
    case "subject":
      return t("sign.scope.subject", { subject: scope.subject });
    default:
      return t("sig.scope.study");
  }
}

/** A signature's scope, short, as seen from a form ("this form", "event Day 7", "whole casebook"). */
export function sigScopeText(scope: Scope, def: Definition): string {
  switch (scope.level) {
    case "form":
      return t("sig.scope.form");
    case "event":
      return t("sig.scope.event", { event: eventName(def, scope.event, scope.event_repeat) });
    case "subject":
      return t("sig.scope.subject");
    default:
      return t("sig.scope.study");
  }
}

/** The file name the save dialog proposes, e.g. S01-001-casebook.pdf, S01-001-D7.1-CRS.1.pdf. */
export function defaultPdfName(scope: Scope): string {
  switch (scope.level) {
    case "form":
      return `${scope.subject}-${scope.event}.${scope.event_repeat}-${scope.form}.${scope.form_repeat}.pdf`;
    case "event":
      return `${scope.subject}-${scope.event}.${scope.event_repeat}.pdf`;
    case "subject":
      return `${scope.subject}-casebook.pdf`;
    default:
      return "study.pdf";
  }
}

/** The three meanings as radio buttons, each with its one-line explanation. */
function MeaningPicker(p: { value: SignatureMeaning; onChange: (m: SignatureMeaning) => void }) {
  return (
    <fieldset class="meanings">
      <legend>{t("sign.meaning")}</legend>
      {MEANINGS.map((m) => (
        <label key={m} class="meaning" for={`sign-meaning-${m}`}>
          <input
            type="radio"
            name="sign-meaning"
            id={`sign-meaning-${m}`}
            value={m}
            checked={p.value === m}
            onChange={() => p.onChange(m)}
          />
          <span>
            <strong>{meaningText(m)}</strong>
            <span class="meaning-text">{t(`sign.meaning.${m}.text` as Key)}</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}

/** A password error in plain words: wrong password, incomplete forms, not allowed, or else. */
function signErrorText(e: ApiError, def: Definition): string {
  if (e.code === "unauthenticated") return t("sign.wrongPassword");
  if (e.code === "forbidden") return t("sign.forbidden");
  if (e.code === "validation") {
    const m = /(\d+) form\(s\) not complete:?\s*(.*)$/i.exec(e.message);
    if (m) return t("sign.incomplete", { n: m[1], forms: formKeysText(m[2].trim(), def).replace(/, /g, lang() === "zh" ? "、" : ", ") });
  }
  return t("sign.failed", { msg: errorText(e) });
}

function Statement(p: { scope: Scope; meaning: SignatureMeaning }) {
  const app = useApp();
  return (
    <p class="sign-statement">
      {t("sign.statement", { scope: scopeText(p.scope, app.def), name: app.session.full_name, meaning: meaningText(p.meaning) })}
    </p>
  );
}

function PasswordField(p: { value: string; onInput: (v: string) => void; onEnter: () => void; invalid: boolean }) {
  return (
    <>
      <label for="sign-password">{t("sign.password")}</label>
      <input
        id="sign-password"
        type="password"
        autocomplete="current-password"
        value={p.value}
        aria-invalid={p.invalid ? "true" : undefined}
        onInput={(e) => p.onInput((e.currentTarget as HTMLInputElement).value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            p.onEnter();
          }
        }}
      />
    </>
  );
}

export function SignDialog(p: { scope: Scope; onCancel: () => void; onSigned: (s: SignatureView) => void }) {
  const app = useApp();
  const [meaning, setMeaning] = useState<SignatureMeaning>("review");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The dialog opens on the chosen meaning (arrow keys change it; Tab goes on to the password).
  useEffect(() => document.getElementById(`sign-meaning-${meaning}`)?.focus(), []);

  const submit = async () => {
    if (busy) return;
    if (!password) {
      setError(t("sign.passwordMissing"));
      document.getElementById("sign-password")?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const sig = await api.sign(p.scope, meaning, password);
      app.status(t("sign.done", { meaning: meaningText(sig.meaning), name: sig.printed_name }), "ok");
      p.onSigned(sig);
    } catch (raw) {
      const e = toApiError(raw);
      setError(signErrorText(e, app.def));
      if (e.code === "unauthenticated") setPassword("");
      document.getElementById("sign-password")?.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal id="sign-dialog" title={t("sign.title")} onCancel={p.onCancel}>
      <MeaningPicker value={meaning} onChange={setMeaning} />
      <Statement scope={p.scope} meaning={meaning} />
      <PasswordField value={password} onInput={setPassword} onEnter={() => void submit()} invalid={!!error} />
      {error && (
        <div id="sign-error" class="inline-error" role="alert">
          {error}
        </div>
      )}
      <div class="modal-actions">
        <button id="sign-cancel" type="button" class="secondary" onClick={p.onCancel}>
          {t("common.cancel")}
        </button>
        <button id="sign-ok" type="button" class="primary" disabled={busy} onClick={() => void submit()}>
          {busy ? t("sign.busy") : t("sign.ok")}
        </button>
      </div>
    </Modal>
  );
}

export function ExportDialog(p: { scope: Scope; onCancel: () => void; onDone: () => void }) {
  const app = useApp();
  const canSign = app.can("sign");
  const [pdfLang, setPdfLang] = useState<PdfLang>(lang() === "zh" ? "zh" : "en");
  const [signAs, setSignAs] = useState(false);
  const [meaning, setMeaning] = useState<SignatureMeaning>("review");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    if (busy) return;
    const signing = canSign && signAs;
    if (signing && !password) {
      setError(t("sign.passwordMissing"));
      document.getElementById("sign-password")?.focus();
      return;
    }
    setError(null);
    setBusy(true);
    try {
      const path = await api.savePdfPath(defaultPdfName(p.scope));
      if (path === null) return; // cancelled: nothing happens, the dialog stays
      if (!/\.pdf$/i.test(path)) {
        setError(t("export.notPdf"));
        return;
      }
      app.status(t("export.busy"), "info");
      const bytes = await api.exportPdf(p.scope, pdfLang, path, signing ? { password, meaning } : undefined);
      app.status(t("export.saved", { kb: Math.max(1, Math.round(bytes / 1024)), path }), "ok");
      p.onDone();
    } catch (raw) {
      const e = toApiError(raw);
      const msg = signing ? signErrorText(e, app.def) : t("export.failed", { msg: errorText(e) });
      setError(msg);
      if (signing && e.code === "unauthenticated") {
        setPassword("");
        document.getElementById("sign-password")?.focus();
      }
      app.status(msg, "error");
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal id="export-dialog" title={t("export.title")} onCancel={p.onCancel}>
      <p>{t("export.what", { scope: scopeText(p.scope, app.def) })}</p>
      <label for="export-lang">{t("export.lang")}</label>
      <select id="export-lang" value={pdfLang} onChange={(e) => setPdfLang((e.currentTarget as HTMLSelectElement).value as PdfLang)}>
        {(["en", "zh", "both"] as const).map((l) => (
          <option key={l} value={l}>
            {t(`export.lang.${l}` as Key)}
          </option>
        ))}
      </select>
      {canSign && (
        <label class="check" for="export-sign">
          <input id="export-sign" type="checkbox" checked={signAs} onChange={(e) => setSignAs((e.currentTarget as HTMLInputElement).checked)} />
          <span>
            <strong>{t("export.signAs")}</strong> <span class="muted">{t("export.signAs.text")}</span>
          </span>
        </label>
      )}
      {canSign && signAs && (
        <>
          <MeaningPicker value={meaning} onChange={setMeaning} />
          <Statement scope={p.scope} meaning={meaning} />
          <PasswordField value={password} onInput={setPassword} onEnter={() => void submit()} invalid={!!error} />
        </>
      )}
      {error && (
        <div id="export-error" class="inline-error" role="alert">
          {error}
        </div>
      )}
      <div class="modal-actions">
        <button id="export-cancel" type="button" class="secondary" onClick={p.onCancel}>
          {t("common.cancel")}
        </button>
        <button id="export-ok" type="button" class="primary" disabled={busy} onClick={() => void submit()}>
          {busy ? t("export.busy") : t("export.ok")}
        </button>
      </div>
    </Modal>
  );
}
