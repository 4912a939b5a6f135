// How a scheduled visit reads: its state as a coloured badge with words (never colour alone),
// and the mark for dates that hang on a planned, not yet actual, infusion.

import type { VisitState } from "../bindings/VisitState";
import { hasKey, t } from "../i18n";

export function visitStateText(s: VisitState | string): string {
  const key = `visit.${s}`;
  return hasKey(key) ? t(key) : s;
}

export function VisitBadge(p: { state: VisitState }) {
  return (
    <span class={`visit-state vs-${p.state}`} data-visit-state={p.state}>
      <span class="vs-icon" aria-hidden="true" />
      {visitStateText(p.state)}
    </span>
  );
}

export function PlannedMark() {
  return (
    <span class="planned-mark" data-planned="true" title={t("visit.planned.title")}>
      {t("visit.planned")}
      <span class="visually-hidden"> — {t("visit.planned.title")}</span>
    </span>
  );
}
