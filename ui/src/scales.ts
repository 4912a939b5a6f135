// The scale of a derived value, for overrides: what an investigator may put in its place and how
// a value of it reads. Mirrors `ecrf_core::overrides::scale` (the services check again).

import { type Key, hasKey, t } from "./i18n";

export type Scale =
  | { kind: "integer"; min: number; max: number }
  | { kind: "codes"; codes: string[] }
  /** Any number (the free scale's derivations are all numeric). */
  | { kind: "number" };

const ALL = ["CR", "CRI", "MLFS", "PR", "NR", "PD", "RELAPSE"];
const LUGANO = ["CR", "PR", "SD", "PD"];
const PET = ["CMR", "PMR", "NMR", "PMD"];
const MRD = ["NEG", "POS", "NE"];

export function scaleOf(fn: string): Scale {
  switch (fn) {
    case "crs_grade":
      return { kind: "integer", min: 0, max: 5 };
    case "icans_grade":
      return { kind: "integer", min: 0, max: 4 };
    case "ice_score":
      return { kind: "integer", min: 0, max: 10 };
    case "all_response":
      return { kind: "codes", codes: ALL };
    case "mrd_status":
      return { kind: "codes", codes: MRD };
    case "lugano_pet":
      return { kind: "codes", codes: PET };
    case "lugano_ct":
    case "lugano_overall":
      return { kind: "codes", codes: LUGANO };
    default:
      return { kind: "number" };
  }
}

/** The i18n family of a function's codes. */
function family(fn: string): string | null {
  switch (fn) {
    case "all_response":
      return "all";
    case "mrd_status":
      return "mrd";
    case "lugano_pet":
      return "pet";
    case "lugano_ct":
    case "lugano_overall":
      return "lugano";
    default:
      return null;
  }
}

/** One value of a function's scale in words, e.g. "Grade 3 (ASTCT)", "CR — complete remission". */
export function valueText(fn: string, value: unknown, unit: string | null = null): string {
  if (value === null || value === undefined) return t("override.notDerivable");
  // Lugano CT carries its SPD beside the response.
  if (typeof value === "object" && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    if (typeof o.response === "string") return valueText(fn, o.response, unit);
    return JSON.stringify(value);
  }
  if (fn === "crs_grade" || fn === "icans_grade") {
    const n = Number(value);
    const which = fn === "crs_grade" ? "crs" : "icans";
    return n === 0 ? t(`scale.${which}.0` as Key) : t(`scale.${which}.n` as Key, { n });
  }
  if (fn === "ice_score") return t("scale.ice", { n: String(value) });
  const fam = family(fn);
  if (fam && typeof value === "string") {
    const key = `scale.${fam}.${value}`;
    return hasKey(key) ? t(key) : value;
  }
  return unit ? `${String(value)} ${unit}` : String(value);
}

/** The value an override dialog sends for what was picked or typed; an error key when unusable. */
export function parseOverride(scale: Scale, raw: string): { value: number | string } | { error: Key } {
  const s = raw.trim();
  if (!s) return { error: "override.valueMissing" };
  switch (scale.kind) {
    case "integer": {
      const n = Number(s);
      if (!Number.isInteger(n) || n < scale.min || n > scale.max) return { error: "override.valueMissing" };
      return { value: n };
    }
    case "codes":
      return scale.codes.includes(s) ? { value: s } : { error: "override.valueMissing" };
    case "number": {
      const n = Number(s.replace(",", "."));
      if (!/^[+-]?(\d+([.,]\d*)?|[.,]\d+)$/.test(s) || !Number.isFinite(n)) return { error: "override.notNumber" };
      return { value: n };
    }
  }
}

/** Whether two JSON values are the same (key order aside). */
export function sameValue(a: unknown, b: unknown): boolean {
  return stable(a ?? null) === stable(b ?? null);
}

function stable(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stable).join(",")}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stable(o[k])}`)
    .join(",")}}`;
}
