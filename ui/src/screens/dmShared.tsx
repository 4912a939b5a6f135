// Shared by the data manager's screens (DmHome, Queries, Reports, Exports): words for places
// (subject · visit · form · item from the definition), codes, rates with their confidence
// intervals, lock scopes; a segmented control; the native save dialog.

import { save as saveDialog } from "@tauri-apps/plugin-dialog";
import { toApiError } from "../api";
import type { Definition } from "../bindings/Definition";
import type { FormRef } from "../bindings/FormRef";
import type { RateView } from "../bindings/RateView";
import type { Scope } from "../bindings/Scope";
import { hasKey, lang, t, tx } from "../i18n";

/** A percentage with one decimal, e.g. 60.0. */
export function pct1(v: number | null | undefined): string {
  return typeof v === "number" && Number.isFinite(v) ? (v * 100).toFixed(1) : "–";
}

/** "12/20 (60.0%; 95% CI 36.1–80.9)"; "0/0" when nobody is in the group. */
export function rateText(r: RateView): string {
  if (!r.n || r.rate === null) return `${r.x}/${r.n}`;
  return t("dm.rate", { x: r.x, n: r.n, p: pct1(r.rate), lo: pct1(r.lower), hi: pct1(r.upper) });
}

/** A rate as `rateText` writes it, breakable only after the semicolon (for narrow columns). */
export function RateCell(p: { r: RateView }) {
  const s = rateText(p.r);
  const m = /^(.*?[;；])\s*(.*)$/.exec(s);
  if (!m) return <span class="nw">{s}</span>;
  return (
    <>
      <span class="nw">{m[1]}</span>
      {m[1].endsWith("；") ? <wbr /> : " "}
      <span class="nw">{m[2]}</span>
    </>
  );
}

/** Days as months with one decimal. */
export function months(days: number | null | undefined): string {
  return typeof days === "number" && Number.isFinite(days) ? (days / (365.25 / 12)).toFixed(1) : "–";
}

/** A code of the definition's codelist in words (the code itself when unknown). */
export function codeText(def: Definition, codelist: string | null | undefined, code: string | null | undefined): string {
  if (!code) return t("common.none");
  const cl = def.codelists.find((c) => c.id === codelist);
  const ch = cl?.choices.find((c) => c.code === code);
  return ch ? tx({ en: ch.en, zh: ch.zh }) : code;
}

/** The codelist of an item of a form (for words of its codes). */
export function codelistOf(def: Definition, form: string, item: string): string | null {
  return def.forms.find((f) => f.id === form)?.items.find((i) => i.id === item)?.codelist ?? null;
}

export function eventName(def: Definition, event: string, repeat = 1): string {
  const e = def.events.find((x) => x.id === event);
  const name = e ? tx(e.name) : event;
  return e?.repeating || repeat > 1 ? `${name} #${repeat}` : name;
}

export function formName(def: Definition, form: string, repeat = 1): string {
  const f = def.forms.find((x) => x.id === form);
  const name = f ? tx(f.name) : form;
  return f?.repeating || repeat > 1 ? `${name} #${repeat}` : name;
}

export function itemName(def: Definition, form: string, item: string): string {
  const i = def.forms.find((x) => x.id === form)?.items.find((x) => x.id === item);
  return i ? tx(i.label) : item;
}

/** "S01-001 · Day 7 · CRS assessment". */
export function placeText(def: Definition, f: FormRef): string {
  return `${f.subject} · ${eventName(def, f.event, f.event_repeat)} · ${formName(def, f.form, f.form_repeat)}`;
}

/** What a lock covers, in words. */
export function scopeText(def: Definition, s: Scope): string {
  switch (s.level) {
    case "study":
      return t("dm.scope.study");
    case "subject":
      return t("dm.scope.subject", { subject: s.subject });
    case "event":
      return t("dm.scope.event", { subject: s.subject, event: eventName(def, s.event, s.event_repeat) });
    case "form":
      return placeText(def, s);
  }
}

/** A key of a scope, for lists. */
export function scopeKey(s: Scope): string {
  switch (s.level) {
    case "study":
      return "study";
    case "subject":
      return s.subject;
    case "event":
      return `${s.subject}/${s.event}.${s.event_repeat}`;
    case "form":
      return `${s.subject}/${s.event}.${s.event_repeat}/${s.form}.${s.form_repeat}`;
  }
}

/** A string whose key is built at run time (the key itself when missing). */
export function tk(key: string, params?: Record<string, string | number>): string {
  return hasKey(key) ? t(key, params) : key;
}

/** Words for a code the services send (`dm.<prefix>.<code>`), else the code. */
export function wordFor(prefix: string, code: string): string {
  const k = `dm.${prefix}.${code}`;
  return hasKey(k) ? t(k) : code;
}

/** A response code in words: the UI's short name (B-ALL and Lugano codes). */
export function responseText(code: string): string {
  return wordFor("resp", code.toUpperCase());
}

/** A segmented control (a few mutually exclusive choices). */
export function Segmented<T extends string>(p: { label: string; value: T; options: Array<{ value: T; label: string; id?: string }>; onChange: (v: T) => void }) {
  return (
    <span class="segmented-wrap">
      <span class="segmented-label">{p.label}</span>
      <span class="segmented" role="group" aria-label={p.label}>
        {p.options.map((o) => (
          <button key={o.value} id={o.id} type="button" aria-pressed={p.value === o.value} onClick={() => p.onChange(o.value)}>
            {o.label}
          </button>
        ))}
      </span>
    </span>
  );
}

/** The native save dialog with one filter: the chosen path, or null when cancelled. */
export async function savePath(defaultPath: string, filterName: string, extensions: string[]): Promise<string | null> {
  try {
    const p = await saveDialog(extensions.length ? { defaultPath, filters: [{ name: filterName, extensions }] } : { defaultPath });
    return p ?? null;
  } catch (raw) {
    throw toApiError(raw);
  }
}

/** Today's date as a file name part, e.g. 2026-11-25. */
export function today(d: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** The language a PDF is made in, by default the UI's. */
export function uiLang(): "en" | "zh" {
  return lang();
}
