// Words for codes the services send (error codes, roles, form statuses).

import type { ApiError } from "./api";
import type { Role } from "./bindings/Role";
import { hasKey, t } from "./i18n";

/** An error in plain words: what kind of problem, then the services' own message. */
export function errorText(e: ApiError): string {
  const key = `error.${e.code}`;
  const kind = hasKey(key) ? t(key) : t("error.internal");
  const msg = e.message?.trim();
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
