// The worklist: visits of every subject that need attention (overdue, due, in progress, or
// opening soon), overdue first. A row opens that subject's casebook.

import { useEffect, useRef, useState } from "preact/hooks";
import { api, toApiError } from "../api";
import type { VisitState } from "../bindings/VisitState";
import type { WorklistEntry } from "../bindings/WorklistEntry";
import { useApp } from "../context";
import { t, tx } from "../i18n";
import { errorText } from "../messages";
import { PlannedMark, VisitBadge } from "./Schedule";

/** Overdue first, then due, in progress, upcoming; within each, the window closing first. */
const RANK: Record<VisitState, number> = { overdue: 0, due: 1, in_progress: 2, upcoming: 3, complete: 4, not_expected: 5 };

export function sortWorklist(list: WorklistEntry[]): WorklistEntry[] {
  return [...list].sort(
    (a, b) =>
      RANK[a.state] - RANK[b.state] ||
      a.latest.localeCompare(b.latest) ||
      a.due.localeCompare(b.due) ||
      a.subject.localeCompare(b.subject),
  );
}

export const worklistKey = (e: Pick<WorklistEntry, "subject" | "event">) => `${e.subject}/${e.event}`;

const DAYS = [7, 14, 30];

export function Worklist() {
  const app = useApp();
  const [days, setDays] = useState(7);
  const [list, setList] = useState<WorklistEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const focused = useRef(false);

  useEffect(() => {
    let alive = true;
    api
      .worklist(days === 7 ? undefined : days)
      .then((l) => {
        if (!alive) return;
        setList(sortWorklist(l));
        setError(null);
      })
      .catch((raw) => {
        if (!alive) return;
        const msg = t("worklist.loadError", { msg: errorText(toApiError(raw)) });
        setError(msg);
        app.status(msg, "error");
      });
    return () => {
      alive = false;
    };
  }, [days]);

  // Once loaded, the first row has the focus: Enter opens the most pressing visit.
  useEffect(() => {
    if (!list || focused.current) return;
    focused.current = true;
    document.querySelector<HTMLElement>("[data-worklist]")?.focus();
  }, [list]);

  const open = (e: WorklistEntry) => app.open({ kind: "casebook", subject: e.subject });
  const n = (s: VisitState) => (list ?? []).filter((e) => e.state === s).length;

  return (
    <main class="screen worklist-screen">
      <div class="screen-head">
        <h1>{t("worklist.heading")}</h1>
        <div class="toolbar">
          <label for="worklist-days">{t("worklist.days")}</label>
          <select id="worklist-days" value={String(days)} onChange={(e) => setDays(Number((e.currentTarget as HTMLSelectElement).value))}>
            {DAYS.map((d) => (
              <option key={d} value={String(d)}>
                {t("worklist.daysN", { n: d })}
              </option>
            ))}
          </select>
        </div>
        <p class="muted">{t("worklist.intro", { days })}</p>
      </div>
      {error && <div class="alert error">{error}</div>}
      {!list && !error && <p class="muted">{t("common.loading")}</p>}
      {list && (
        <>
          <p class="worklist-count" aria-live="polite">
            {t("worklist.count", { overdue: n("overdue"), due: n("due"), progress: n("in_progress"), upcoming: n("upcoming") })}
          </p>
          <div class="table-wrap">
            <table class="grid worklist">
              <thead>
                <tr>
                  <th scope="col">{t("worklist.col.subject")}</th>
                  <th scope="col">{t("worklist.col.visit")}</th>
                  <th scope="col">{t("worklist.col.due")}</th>
                  <th scope="col">{t("worklist.col.window")}</th>
                  <th scope="col">{t("worklist.col.state")}</th>
                </tr>
              </thead>
              <tbody>
                {list.map((e) => (
                  <tr
                    key={worklistKey(e)}
                    data-worklist={worklistKey(e)}
                    data-state={e.state}
                    class={`clickable wl-${e.state}`}
                    tabIndex={0}
                    aria-label={t("worklist.open", { id: e.subject, visit: tx(e.name) })}
                    onClick={() => open(e)}
                    onKeyDown={(ev) => {
                      if (ev.key === "Enter" || ev.key === " ") {
                        ev.preventDefault();
                        open(e);
                      } else if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
                        ev.preventDefault();
                        const row = ev.currentTarget as HTMLElement;
                        const next = (ev.key === "ArrowDown" ? row.nextElementSibling : row.previousElementSibling) as HTMLElement | null;
                        next?.focus();
                      }
                    }}
                  >
                    <td class="subject-id">{e.subject}</td>
                    <td>{tx(e.name)}</td>
                    <td class="date">
                      {e.due}
                      {e.planned && <PlannedMark />}
                    </td>
                    <td class="date">{e.earliest === e.latest ? e.earliest : t("worklist.windowRange", { from: e.earliest, to: e.latest })}</td>
                    <td>
                      <VisitBadge state={e.state} />
                    </td>
                  </tr>
                ))}
                {list.length === 0 && (
                  <tr>
                    <td colSpan={5} class="empty">
                      {t("worklist.empty", { days })}
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
        </>
      )}
    </main>
  );
}
