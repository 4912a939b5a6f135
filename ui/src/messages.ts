// Words for codes the services send (error codes, roles, form statuses).

import type { ApiError } from "./api";
import type { Definition } from "./bindings/Definition";
import type { Role } from "./bindings/Role";
import { hasKey, t, tx } from "./i18n";

/** The definition whose names replace form keys in messages (set by the app at sign-in). */
let wordsDef: Definition | null = null;
export function setMessagesDefinition(def: Definition | null): void {
  wordsDef = def;
}

/**
 * Form keys the services name in messages (`S01-001/D7.1/CRS.1`, `D7.1/CRS.1`, with an item
 * `…/MAIN.1/TEMP`) in words: "S01-001 Day 7 · CRS daily assessment · Temperature". Text
 * without such keys, or with ids the definition does not know, comes back as it is.
 */
export function formKeysText(text: string, def: Definition | null = wordsDef): string {
  if (!def) return text;
  return text.replace(
    /(?:([A-Z0-9]+-\d+)\/)?([A-Z][A-Z0-9_]*)\.(\d+)\/([A-Z][A-Z0-9_]*)\.(\d+)(?:\/([A-Z][A-Z0-9_]*)\.(\d+)\/([A-Z][A-Z0-9_]*))?/g,
    (whole, subject: string | undefined, ev: string, er: string, fm: string, fr: string, g?: string, gr?: string, it?: string) => {
      const e = def.events.find((x) => x.id === ev);
      const f = def.forms.find((x) => x.id === fm);
      if (!e || !f) return whole;
      let out = `${subject ? `${subject} ` : ""}${tx(e.name)}${e.repeating ? ` #${er}` : ""} · ${tx(f.name)}${f.repeating ? ` #${fr}` : ""}`;
      if (it) {
        const item = f.items.find((x) => x.id === it);
        const rep = g && f.groups.some((x) => x.id === g && x.repeating) ? ` (${t("query.row", { n: Number(gr) })})` : "";
        out += ` · ${item ? tx(item.label) : it}${rep}`;
      }
      return out;
    },
  );
}

/** An error in plain words: what kind of problem, then the services' own message. */
export function errorText(e: ApiError): string {
  const key = `error.${e.code}`;
  const kind = hasKey(key) ? t(key) : t("error.internal");
  const msg = e.message ? formKeysText(e.message.trim()) : e.message;
  if (!msg || msg.toLowerCase() === kind.toLowerCase()) return `${kind}.`;
  return `${kind}: ${msg}`;
}

export function roleText(r: Role): string {
  const key = `role.${r}`;
  return hasKey(key) ? t(key) : r;
}

export function statusText(s: string): string {
  const key = `status.${s}`;
  return hasKey(key) ? t(key) : s;
}

/** The date part of a timestamp as stored (the site's own date), e.g. 2024-03-05. */
export function dateOf(ts: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(ts);
  return m ? m[1] : ts;
}

/** A timestamp as a person reads it: date and minutes, e.g. 2024-03-05 14:30. */
export function whenOf(ts: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}))?/.exec(ts);
  if (!m) return ts;
  return m[2] ? `${m[1]} ${m[2]}` : m[1];
}
