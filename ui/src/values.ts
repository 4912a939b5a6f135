// Conversion between what a person types into a field and the JSON value the services take
// (see crates/ecrf-core/src/value.rs), plus the addressing of values inside a form.

import type { ItemDef } from "./bindings/ItemDef";
import type { Slot } from "./bindings/Slot";
import type { ValueEntry } from "./bindings/ValueEntry";

export const MAIN_GROUP = "MAIN";

/** What a field holds: a typed value, or one of the special values the item allows. */
export type Mode = "value" | "not_done" | "code" | "blq";

export type FieldState = {
  mode: Mode;
  /** The value as typed (for `value`). */
  text: string;
  /** Reason, for `not_done`. */
  reason: string;
  /** Missing-value code, for `code`. */
  code: string;
  /** Limit of quantification as typed, for `blq`. */
  lloq: string;
};

export const emptyField = (): FieldState => ({ mode: "value", text: "", reason: "", code: "", lloq: "" });

export function slotKey(group: string, repeat: number, item: string): string {
  return `${group}\u0000${repeat}\u0000${item}`;
}

export function slotOf(key: string): Slot {
  const [group, repeat, item] = key.split("\u0000");
  return { group, repeat: Number(repeat), item };
}

/** Full-width digits and punctuation (Chinese input methods) to ASCII. */
export function asciiDigits(s: string): string {
  return s
    .replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xff10 + 48))
    .replace(/[\uFF0E\u3002]/g, ".")
    .replace(/\uFF0D/g, "-")
    .replace(/\uFF1A/g, ":")
    .replace(/\uFF0F/g, "/")
    .replace(/\uFF0B/g, "+")
    .replace(/\u3000/g, " ");
}

/** A number as typed, or null when it is not one (then the raw string goes to the server). */
export function parseNumber(s: string): number | null {
  const t = asciiDigits(s).trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
  const x = Number(t);
  return Number.isFinite(x) ? x : null;
}

const pad2 = (n: number | string) => String(n).padStart(2, "0");

/**
 * A date as typed to its canonical form: `2024-03-05`, `2024-3-5`, `2024/03/05`, `2024.3.5`,
 * `20240305` → `2024-03-05`; with `partial`, `2024-03`, `202403` and `2024` too. Anything else
 * comes back trimmed, unchanged, for the server to report.
 */
export function normalizeDate(s: string, partial: boolean): string {
  const t = asciiDigits(s).trim();
  // A month or day of 0 is a date still being typed ("2024-01-0"): left as it is.
  let m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(t) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  if (m) return Number(m[2]) === 0 || Number(m[3]) === 0 ? t : `${m[1]}-${pad2(m[2])}-${pad2(m[3])}`;
  if (partial) {
    m = /^(\d{4})[-/.](\d{1,2})$/.exec(t) ?? /^(\d{4})(\d{2})$/.exec(t);
    if (m) return Number(m[2]) === 0 ? t : `${m[1]}-${pad2(m[2])}`;
  }
  return t;
}

/** `14:30`, `1430`, `9:5`, `9.05` → `HH:MM`; seconds kept when typed. */
export function normalizeTime(s: string): string {
  const t = asciiDigits(s).trim();
  let m = /^(\d{1,2})[:.](\d{1,2})(?::(\d{2}))?$/.exec(t);
  if (m) return `${pad2(m[1])}:${pad2(m[2])}${m[3] ? ":" + m[3] : ""}`;
  m = /^(\d{2})(\d{2})$/.exec(t);
  if (m) return `${m[1]}:${m[2]}`;
  return t;
}

/** This machine's UTC offset at a moment, as `+08:00`. */
export function localOffset(at: Date = new Date()): string {
  const mins = -at.getTimezoneOffset();
  const sign = mins >= 0 ? "+" : "-";
  const a = Math.abs(mins);
  return `${sign}${pad2(Math.floor(a / 60))}:${pad2(a % 60)}`;
}

const DT = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)\s*(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * A date-time as typed (`2024-03-05 14:30`, `2024-03-05T14:30+08:00`, `20240305 1430`) to
 * `YYYY-MM-DDTHH:MM±HH:MM`; without an offset, this machine's offset at that moment is used.
 */
export function normalizeDateTime(s: string, offset?: string): string {
  const t = asciiDigits(s).trim().replace(/\s+/g, " ");
  const parts = /^(\S+)[T ](\d{1,2}[:.]?\d{2}(?::\d{2})?)\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(t);
  if (!parts) return t;
  const date = normalizeDate(parts[1], false);
  const time = normalizeTime(parts[2]);
  const m = DT.exec(`${date}T${time}`);
  if (!m) return t;
  let off = parts[3];
  if (off && off !== "Z" && !off.includes(":")) off = `${off.slice(0, 3)}:${off.slice(3)}`;
  if (!off) off = offset ?? localOffset(new Date(`${date}T${time}`));
  return `${date}T${time}${off}`;
}

/** How a stored date-time is shown for editing: the offset only when it is not this machine's. */
export function showDateTime(v: string): string {
  const m = DT.exec(v);
  if (!m) return v;
  const [, date, time, off] = m;
  const here = localOffset(new Date(`${date}T${time}`));
  return off && off !== here ? `${date} ${time}${off}` : `${date} ${time}`;
}

/** The JSON value for a field's state (`null` clears). */
export function toJson(item: ItemDef, f: FieldState): unknown {
  switch (f.mode) {
    case "not_done":
      return { not_done: f.reason.trim() };
    case "code":
      return f.code ? { code: f.code } : null;
    case "blq": {
      const x = parseNumber(f.lloq);
      return { blq: x ?? f.lloq.trim() };
    }
    case "value":
      break;
  }
  const raw = f.text;
  if (raw.trim() === "") return null;
  switch (item.type) {
    case "text":
    case "choice":
      return raw.trim();
    case "note":
      return raw;
    case "integer":
    case "decimal": {
      const x = parseNumber(raw);
      return x ?? raw.trim();
    }
    case "boolean":
      if (raw === "true") return true;
      if (raw === "false") return false;
      return raw;
    case "date":
      return normalizeDate(raw, item.partial);
    case "datetime":
      return normalizeDateTime(raw);
    case "time":
      return normalizeTime(raw);
  }
}

/** A field's state from a stored JSON value. */
export function fromJson(item: ItemDef, v: unknown): FieldState {
  const f = emptyField();
  if (v === null || v === undefined) return f;
  if (typeof v === "object" && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if ("not_done" in o) return { ...f, mode: "not_done", reason: String(o.not_done ?? "") };
    if ("code" in o) return { ...f, mode: "code", code: String(o.code ?? "") };
    if ("blq" in o) return { ...f, mode: "blq", lloq: o.blq === null || o.blq === undefined ? "" : String(o.blq) };
    return { ...f, text: JSON.stringify(v) };
  }
  if (typeof v === "boolean") return { ...f, text: v ? "true" : "false" };
  if (typeof v === "number") {
    const s = item.type === "decimal" && item.digits !== null && item.digits > 0 && Number.isInteger(v) ? v.toFixed(item.digits) : String(v);
    return { ...f, text: s };
  }
  if (typeof v === "string") {
    if (item.type === "datetime") return { ...f, text: showDateTime(v) };
    return { ...f, text: v };
  }
  return { ...f, text: String(v) };
}

/** The text a field shows after leaving it: dates, times and numbers tidied. */
export function tidy(item: ItemDef, text: string): string {
  switch (item.type) {
    case "date":
      return normalizeDate(text, item.partial);
    case "time":
      return normalizeTime(text);
    case "datetime": {
      const n = normalizeDateTime(text);
      return n === text.trim() && !DT.test(n) ? text.trim() : showDateTime(n);
    }
    case "integer":
    case "decimal": {
      const a = asciiDigits(text).trim();
      return parseNumber(a) === null ? text : a;
    }
    default:
      return text;
  }
}

/** Whether a stored value is present (not null / empty). */
export function isPresent(v: unknown): boolean {
  return !(v === null || v === undefined || (typeof v === "string" && v.trim() === ""));
}

/** Equality of JSON values (to tell an edited field from an untouched one). */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

export function entry(slot: Slot, value: unknown): ValueEntry {
  return { group: slot.group, repeat: slot.repeat, item: slot.item, value };
}
