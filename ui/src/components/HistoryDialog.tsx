// The history of one item on demand (Alt+H on a field, or its history button): every change
// from the audit trail, newest first, with who, when, old → new value and the reason.
// `audit_trail` answers it; a user without the reports permission (a research nurse) gets it
// from the subject's change log (`audit_log`), read the same way.

import { useEffect, useState } from "preact/hooks";
import { api, toApiError } from "../api";
import type { AuditEntry } from "../bindings/AuditEntry";
import type { AuditLine } from "../bindings/AuditLine";
import type { Codelist } from "../bindings/Codelist";
import type { ItemDef } from "../bindings/ItemDef";
import type { ItemRef } from "../bindings/ItemRef";
import { Key, hasKey, t, tx } from "../i18n";
import { errorText, whenOf } from "../messages";
import { choicesOf } from "./Field";
import { Modal } from "./Modal";

/** One row of the history. */
export type HistoryLine = {
  id: string;
  at: string;
  imported: string | null;
  who: string;
  /** A value change: old → new; otherwise `what` says what happened (a query, a resolution). */
  change: { old: string; new: string } | null;
  what: string;
  reason: string;
};

/** A value as the audit trail shows it (the services' `display_value`). */
export function displayValue(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (typeof v === "object" && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if ("not_done" in o) return `NOT DONE: ${String(o.not_done ?? "")}`;
    if (typeof o.code === "string") return o.code;
    if ("blq" in o) return `<LLOQ ${String(o.blq)}`;
  }
  return JSON.stringify(v);
}

/** A stored value's words for a person: choice labels, Yes/No, units, "not done: why". */
export function valueWords(item: ItemDef | undefined, codelists: Codelist[], shown: string): string {
  if (shown === "") return t("itemHistory.emptyValue");
  if (!item) return shown;
  const nd = /^NOT DONE: ?(.*)$/.exec(shown);
  if (nd) return `${t("field.special.not_done")}${nd[1] ? `: ${nd[1]}` : ""}`;
  if (item.type === "choice" || item.type === "boolean") {
    const c = choicesOf(item, codelists).find((x) => x.code === shown);
    if (c) return c.code === "true" ? t("field.yes") : c.code === "false" ? t("field.no") : tx({ en: c.en, zh: c.zh });
  }
  if ((item.type === "integer" || item.type === "decimal") && item.unit && /^-?[\d.]+(e[+-]?\d+)?$/i.test(shown)) return `${shown} ${item.unit}`;
  return shown;
}

/** What a line that is not a value change says, in words: a query and its answers. */
export function eventWords(kind: string, text: string): string {
  if (kind === "source_verified") return /withdrawn/.test(text) ? t("itemHistory.sdvWithdrawn") : t("sdv.form");
  // The services write "query <id> opened (<rule>): <text>" and "<verb>: <text>".
  const body = text.includes(": ") ? text.slice(text.indexOf(": ") + 2) : text;
  const key = `itemHistory.${kind}`;
  return hasKey(key) ? t(key as Key, { text: body }) : text;
}

export function fromAuditLines(lines: AuditLine[]): HistoryLine[] {
  return lines.map((l) => ({
    id: l.event_id,
    at: l.captured_at,
    imported: l.imported_at,
    who: l.full_name && l.full_name !== l.username ? `${l.full_name} (${l.username})` : l.username,
    change: l.kind === "value_set" || l.kind === "conflict_resolved" ? { old: l.old, new: l.new } : null,
    what: eventWords(l.kind, l.new),
    reason: l.reason,
  }));
}

function sameItem(a: ItemRef, b: unknown): boolean {
  if (!b || typeof b !== "object") return false;
  const o = b as Record<string, unknown>;
  return (
    o.subject === a.subject &&
    o.event === a.event &&
    o.event_repeat === a.event_repeat &&
    o.form === a.form &&
    o.form_repeat === a.form_repeat &&
    o.group === a.group &&
    o.group_repeat === a.group_repeat &&
    o.item === a.item
  );
}

/** The item's value changes (and resolutions) from a subject's raw change log. */
export function fromAuditLog(entries: AuditEntry[], item: ItemRef): HistoryLine[] {
  const out: HistoryLine[] = [];
  for (const e of entries) {
    const p = (e.payload ?? {}) as Record<string, unknown>;
    if (!sameItem(item, p.item)) continue;
    if (e.kind === "value_set") {
      out.push({
        id: e.id,
        at: e.captured_at,
        imported: e.imported_at,
        who: e.username,
        change: { old: displayValue(p.old), new: displayValue(p.new) },
        what: "",
        reason: typeof p.reason === "string" ? p.reason : "",
      });
    } else if (e.kind === "conflict_resolved") {
      const prev = out.length ? out[out.length - 1].change?.new ?? "" : "";
      out.push({
        id: e.id,
        at: e.captured_at,
        imported: e.imported_at,
        who: e.username,
        change: { old: prev, new: displayValue(p.chosen) },
        what: "",
        reason: typeof p.reason === "string" ? p.reason : "",
      });
    }
  }
  return out;
}

/** Loads the history of one item: `audit_trail`, or the change log when reports are not allowed. */
export async function loadHistory(item: ItemRef): Promise<HistoryLine[]> {
  try {
    return fromAuditLines(await api.auditTrail(null, item));
  } catch (raw) {
    const e = toApiError(raw);
    if (e.code !== "forbidden") throw e;
    return fromAuditLog(await api.auditLog(item.subject), item);
  }
}

export function HistoryDialog(p: {
  item: ItemRef;
  def: ItemDef | undefined;
  codelists: Codelist[];
  /** Where the item is, in words (subject, visit, form, row). */
  where: string;
  onClose: () => void;
}) {
  const [lines, setLines] = useState<HistoryLine[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let alive = true;
    loadHistory(p.item)
      .then((l) => alive && setLines(l))
      .catch((raw) => alive && setError(t("itemHistory.failed", { msg: errorText(toApiError(raw)) })));
    return () => {
      alive = false;
    };
  }, []);
  const label = p.def ? tx(p.def.label) : p.item.item;
  const shown = lines ? [...lines].reverse() : null;
  return (
    <Modal id="history-dialog" title={t("itemHistory.title", { label })} onCancel={p.onClose} wide initialFocus="#history-close">
      <p class="muted">{p.where}</p>
      {error && (
        <div class="alert error" role="alert">
          {error}
        </div>
      )}
      {!error && !shown && <p class="muted">{t("common.loading")}</p>}
      {shown && shown.length === 0 && <p class="muted" data-history-empty="true">{t("itemHistory.empty")}</p>}
      {shown && shown.length > 0 && (
        <div class="table-wrap history-wrap">
          <table class="grid history-table">
            <thead>
              <tr>
                <th scope="col">{t("itemHistory.col.when")}</th>
                <th scope="col">{t("itemHistory.col.who")}</th>
                <th scope="col">{t("itemHistory.col.change")}</th>
                <th scope="col">{t("itemHistory.col.reason")}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((l) => (
                <tr key={l.id} data-history-line={l.id}>
                  <td class="date">
                    {whenOf(l.at)}
                    {l.imported && <div class="muted small">{t("itemHistory.received", { at: whenOf(l.imported) })}</div>}
                  </td>
                  <td>{l.who}</td>
                  <td>
                    {l.change ? (
                      <span class="change">
                        <span class="old">{valueWords(p.def, p.codelists, l.change.old)}</span>
                        <span class="arrow"> → </span>
                        <strong class="new">{valueWords(p.def, p.codelists, l.change.new)}</strong>
                      </span>
                    ) : (
                      l.what
                    )}
                  </td>
                  <td>{l.reason || <span class="muted">{t("common.none")}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div class="modal-actions">
        <button id="history-close" type="button" class="primary" onClick={p.onClose}>
          {t("common.close")}
        </button>
      </div>
    </Modal>
  );
}
