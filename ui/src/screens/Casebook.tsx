import { useEffect, useState } from "preact/hooks";
import { api, toApiError } from "../api";
import type { Casebook as CasebookData } from "../bindings/Casebook";
import type { Definition } from "../bindings/Definition";
import type { EventDef } from "../bindings/EventDef";
import type { FormRef } from "../bindings/FormRef";
import type { Visit } from "../bindings/Visit";
import type { Scope } from "../bindings/Scope";
import { BrokenIcon, LockIcon, QueryIcon, SignedIcon, StatusIcon, VerifiedIcon } from "../components/Icons";
import { ExportDialog, SignDialog } from "../components/SignDialog";
import { useApp } from "../context";
import { hasKey, t, tn, tx } from "../i18n";
import { dateOf, errorText, statusText } from "../messages";
import { PlannedMark, VisitBadge, visitStateText } from "./Schedule";
import { eligibilityClass } from "./Subjects";

export function cellKey(f: Pick<FormRef, "event" | "event_repeat" | "form" | "form_repeat">): string {
  return `${f.event}.${f.event_repeat}/${f.form}.${f.form_repeat}`;
}

export type Column = { event: EventDef; repeat: number; isNew: boolean };
export type Cell = {
  ref: FormRef;
  status: string;
  isNew: boolean;
  signature: string | null;
  /** Queries not closed. */
  queries: number;
  locked: boolean;
  verified: boolean;
};

/** The casebook's columns: each event (each of its repeats so far, and a new one if it repeats). */
export function columns(def: Definition, cb: CasebookData): Column[] {
  const out: Column[] = [];
  for (const ev of def.events) {
    const reps = [...new Set(cb.forms.filter((f) => f.form.event === ev.id).map((f) => f.form.event_repeat))].sort((a, b) => a - b);
    if (reps.length === 0) reps.push(1);
    for (const r of reps) out.push({ event: ev, repeat: r, isNew: false });
    // A repeating event offers a new repeat once the last one has been started.
    const last = Math.max(...reps);
    const started = cb.forms.some((f) => f.form.event === ev.id && f.form.event_repeat === last && f.status !== "not_started");
    if (ev.repeating && started) out.push({ event: ev, repeat: last + 1, isNew: true });
  }
  return out;
}

/** The form instances of one form in one column (each repeat so far, and a new one if it repeats). */
export function cells(def: Definition, cb: CasebookData, col: Column, formId: string): Cell[] {
  if (!col.event.forms.includes(formId)) return [];
  const fdef = def.forms.find((f) => f.id === formId);
  const found = cb.forms
    .filter((f) => f.form.event === col.event.id && f.form.event_repeat === col.repeat && f.form.form === formId)
    .sort((a, b) => a.form.form_repeat - b.form.form_repeat);
  const ref = (n: number): FormRef => ({
    subject: cb.subject.subject,
    event: col.event.id,
    event_repeat: col.repeat,
    form: formId,
    form_repeat: n,
  });
  const blank = (n: number, isNew: boolean): Cell => ({ ref: ref(n), status: "not_started", isNew, signature: null, queries: 0, locked: false, verified: false });
  const out: Cell[] = found.map((f) => ({
    ref: f.form,
    status: f.status,
    isNew: false,
    signature: f.signature ?? null,
    queries: f.open_queries ?? 0,
    locked: !!f.locked,
    verified: !!f.verified,
  }));
  if (out.length === 0) out.push(blank(1, false));
  if (fdef?.repeating && out.some((c) => c.status !== "not_started")) {
    const n = Math.max(...out.map((c) => c.ref.form_repeat)) + 1;
    out.push(blank(n, true));
  }
  return out;
}

function eventSub(ev: EventDef): string {
  const parts: string[] = [];
  if (ev.day !== null) {
    const key = `casebook.day.${ev.anchor}`;
    parts.push(hasKey(key) ? t(key, { day: ev.day }) : t("casebook.day", { day: ev.day }));
  }
  if (ev.window && !(ev.window[0] === ev.day && ev.window[1] === ev.day)) {
    parts.push(t(ev.day !== null ? "casebook.window" : "casebook.windowDays", { from: ev.window[0], to: ev.window[1] }));
  }
  return parts.join(" · ");
}

/** A scheduled event's dates and state, under its name in the grid's head. */
export function VisitDates(p: { visit: Visit }) {
  const v = p.visit;
  return (
    <div class={`visit vs-col-${v.state}`} data-visit={v.event} data-visit-state={v.state} title={t("visit.title", { visit: tx(v.name), state: visitStateText(v.state) })}>
      <div class="visit-line">
        <VisitBadge state={v.state} />
        <span class="visit-due">{t("visit.dueOn", { date: v.due })}</span>
        {v.planned && <PlannedMark />}
      </div>
      {v.earliest !== v.latest && <div class="visit-window">{t("visit.window", { from: v.earliest, to: v.latest })}</div>}
    </div>
  );
}

/** The cell a form's row is entered at: its first cell not complete, else its first. */
function rowEntry(grid: HTMLElement, row: number): HTMLElement | null {
  const cellsOf = Array.from(grid.querySelectorAll<HTMLElement>(`[data-form-cell][data-row="${row}"]`));
  return cellsOf.find((c) => c.dataset.status !== "complete") ?? cellsOf[0] ?? null;
}

/** What has been typed to jump to a row (type-ahead), and when the last key came. */
const typed = { text: "", at: 0 };
export const TYPE_AHEAD_MS = 1000;

/**
 * Type-ahead: the row whose form name (in the current language) or form code starts with what
 * has been typed; the same letter again goes on to the next such row.
 */
export function findRow(names: Array<{ name: string; code: string }>, text: string, from: number): number | null {
  const q = text.toLocaleLowerCase();
  if (!q) return null;
  const starts = (i: number) => names[i].name.toLocaleLowerCase().startsWith(q) || names[i].code.toLocaleLowerCase().startsWith(q);
  const n = names.length;
  // One letter repeated cycles through the rows starting with it.
  const cycle = q.length > 1 && [...q].every((c) => c === q[0]);
  if (cycle) {
    const one = q[0];
    for (let step = 1; step <= n; step++) {
      const i = (from + step) % n;
      if (names[i].name.toLocaleLowerCase().startsWith(one) || names[i].code.toLocaleLowerCase().startsWith(one)) return i;
    }
    return null;
  }
  // A new search starts after the current row for one letter, at the current row otherwise.
  const start = q.length === 1 ? 1 : 0;
  for (let step = start; step < n + start; step++) {
    const i = (from + step) % n;
    if (starts(i)) return i;
  }
  return null;
}

function onTypeAhead(e: KeyboardEvent, names: Array<{ name: string; code: string }>): boolean {
  const el = e.target as HTMLElement;
  if (!el.dataset.formCell || e.ctrlKey || e.altKey || e.metaKey || e.key.length !== 1) return false;
  // Letters, digits, spaces and hyphens make up form names and codes; other keys (?) are not typed.
  if (!/^[\p{L}\p{N} \-]$/u.test(e.key)) return false;
  const now = Date.now();
  if (now - typed.at > TYPE_AHEAD_MS) typed.text = "";
  if (e.key === " " && !typed.text) return false; // Space opens the cell
  typed.text += e.key;
  typed.at = now;
  e.preventDefault();
  const grid = el.closest("table");
  const row = findRow(names, typed.text, Number(el.dataset.row));
  if (grid && row !== null) rowEntry(grid, row)?.focus();
  return true;
}

/** Arrow keys move between the cells of the grid. */
function onGridKey(e: KeyboardEvent) {
  const dirs: Record<string, [number, number]> = { ArrowRight: [0, 1], ArrowLeft: [0, -1], ArrowDown: [1, 0], ArrowUp: [-1, 0] };
  const d = dirs[e.key];
  const el = e.target as HTMLElement;
  if (!d || !el.dataset.formCell) return;
  const grid = el.closest("table");
  if (!grid) return;
  // Up and down move first between the instances stacked in one cell (adverse event #1, #2, new).
  if (d[0]) {
    const stack = Array.from(el.closest(".cell-stack")?.querySelectorAll<HTMLElement>("[data-form-cell]") ?? []);
    const sib = stack[stack.indexOf(el) + d[0]];
    if (sib) {
      e.preventDefault();
      sib.focus();
      return;
    }
  }
  const all = Array.from(grid.querySelectorAll<HTMLElement>("[data-form-cell]"));
  const r = Number(el.dataset.row);
  const c = Number(el.dataset.col);
  // The nearest cell in that direction.
  let best: HTMLElement | null = null;
  let bestDist = Infinity;
  for (const x of all) {
    const xr = Number(x.dataset.row);
    const xc = Number(x.dataset.col);
    const along = d[0] ? (xr - r) * d[0] : (xc - c) * d[1];
    const across = d[0] ? Math.abs(xc - c) : Math.abs(xr - r);
    if (along <= 0) continue;
    const dist = along * 10 + across * 100;
    if (dist < bestDist) {
      bestDist = dist;
      best = x;
    }
  }
  if (best) {
    e.preventDefault();
    best.focus();
  }
}

/** The cell opened last in each subject's casebook: coming back, the focus is there again. */
const lastCell = new Map<string, string>();

export function Casebook(p: { subject: string }) {
  const app = useApp();
  const [cb, setCb] = useState<CasebookData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [visits, setVisits] = useState<Visit[] | null>(null);
  const [scheduleError, setScheduleError] = useState<string | null>(null);
  const [signing, setSigning] = useState<Scope | null>(null);
  const [exporting, setExporting] = useState<Scope | null>(null);
  /** Bumped after a signature to read the casebook again. */
  const [reload, setReload] = useState(0);
  const canSign = app.can("sign");

  useEffect(() => {
    let alive = true;
    // The schedule is extra: without it the grid still opens the forms.
    api
      .subjectSchedule(p.subject)
      .then((v) => alive && setVisits(v))
      .catch((raw) => {
        if (!alive) return;
        const e = toApiError(raw);
        if (e.code !== "unauthenticated") setScheduleError(t("casebook.scheduleError", { msg: errorText(e) }));
      });
    api
      .casebook(p.subject)
      .then((c) => alive && setCb(c))
      .catch((raw) => {
        if (!alive) return;
        const msg = t("casebook.loadError", { msg: errorText(toApiError(raw)) });
        setError(msg);
        app.status(msg, "error");
      });
    return () => {
      alive = false;
    };
  }, [p.subject, reload]);

  useEffect(() => {
    // Focus the cell opened last, else the first cell not complete, so Enter opens what comes next.
    if (!cb || reload > 0) return;
    typed.text = "";
    const cellsEls = Array.from(document.querySelectorAll<HTMLElement>("[data-form-cell]"));
    const last = lastCell.get(p.subject);
    // What comes next in time: visit by visit (scheduled visits, not the logs), the first form
    // not complete.
    const byVisit = [...cellsEls].sort((a, b) => Number(a.dataset.col) - Number(b.dataset.col) || Number(a.dataset.row) - Number(b.dataset.row));
    (
      cellsEls.find((c) => c.dataset.formCell === last) ??
      byVisit.find((c) => c.dataset.scheduled === "true" && c.dataset.status !== "complete") ??
      cellsEls.find((c) => c.dataset.status !== "complete") ??
      cellsEls[0]
    )?.focus();
  }, [cb]);

  const def = app.def;
  if (error) return <main class="screen"><div class="alert error">{error}</div></main>;
  if (!cb) return <main class="screen"><p class="muted">{t("common.loading")}</p></main>;

  const cols = columns(def, cb);
  const formIds = def.forms.map((f) => f.id).filter((id) => def.events.some((e) => e.forms.includes(id)));
  const s = cb.subject;
  const names = formIds.map((id) => ({ name: tx(def.forms.find((f) => f.id === id)?.name), code: id }));

  return (
    <main class="screen casebook-screen">
      <div class="screen-head casebook-head">
        <h1>{t("casebook.heading", { id: s.subject })}</h1>
        <div class="casebook-actions">
          {canSign && (
            <button id="sign-subject" type="button" class="secondary" title={t("sign.subject.title", { subject: s.subject })} onClick={() => setSigning({ level: "subject", subject: s.subject })}>
              {t("sign.subject")}
            </button>
          )}
          <button id="export-casebook" type="button" class="secondary" title={t("export.casebook.title")} onClick={() => setExporting({ level: "subject", subject: s.subject })}>
            {t("export.button")}
          </button>
        </div>
        <p class="muted">
          {t("casebook.summary", { site: s.site, date: dateOf(s.enrolled_at), started: s.forms_started, complete: s.forms_complete })}
          {s.eligibility && (
            <>
              {" · "}
              <strong class={eligibilityClass(s)}>{tx(s.eligibility)}</strong>
            </>
          )}
        </p>
      </div>
      <Legend />
      <p class="hint">{t("casebook.keys")}</p>
      {scheduleError && <div class="alert warn">{scheduleError}</div>}
      <div class="table-wrap">
        <table
          class="grid casebook"
          onKeyDown={(e) => {
            if (!onTypeAhead(e, names)) onGridKey(e);
          }}
        >
          <thead>
            <tr>
              <th scope="col" class="form-col">
                {t("casebook.form")}
              </th>
              {cols.map((c) => (
                <th scope="col" key={`${c.event.id}.${c.repeat}`} class={c.isNew ? "new-col" : ""}>
                  <div class="event-name">
                    {tx(c.event.name)}
                    {c.event.repeating && <span class="event-rep"> {c.isNew ? t("casebook.newRepeat") : t("casebook.repeat", { n: c.repeat })}</span>}
                  </div>
                  <div class="event-sub">{eventSub(c.event)}</div>
                  {(() => {
                    // The schedule is of each event's first occurrence.
                    const v = c.repeat === 1 && !c.isNew ? visits?.find((x) => x.event === c.event.id) : undefined;
                    return v ? <VisitDates visit={v} /> : null;
                  })()}
                  {canSign && !c.isNew && cb.forms.some((f) => f.form.event === c.event.id && f.form.event_repeat === c.repeat && f.status === "complete") && (
                    <button
                      type="button"
                      class="link sign-event"
                      data-sign-event={c.event.id}
                      data-sign-event-repeat={c.repeat}
                      title={t("sign.event.title", { event: tx(c.event.name) })}
                      onClick={() => setSigning({ level: "event", subject: s.subject, event: c.event.id, event_repeat: c.repeat })}
                    >
                      {t("sign.event")}
                    </button>
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {formIds.map((fid, row) => {
              const fdef = def.forms.find((f) => f.id === fid)!;
              return (
                <tr key={fid}>
                  <th scope="row" class="form-col">
                    {tx(fdef.name)}
                  </th>
                  {cols.map((c, col) => {
                    const cs = cells(def, cb, c, fid);
                    if (cs.length === 0) {
                      return (
                        <td key={col} class="not-planned" title={t("casebook.notPlanned")}>
                          <span class="visually-hidden">{t("casebook.notPlanned")}</span>
                        </td>
                      );
                    }
                    return (
                      <td key={col}>
                        <div class="cell-stack">
                          {cs.map((cell) => {
                            const st = statusText(cell.status);
                            const sig = cell.signature === "signed" ? t("sig.cell.signed") : cell.signature === "signature_broken" ? t("sig.cell.broken") : null;
                            const flags = [
                              cell.queries > 0 ? tn("cell.queries", cell.queries) : null,
                              sig,
                              cell.locked ? t("cell.locked") : null,
                              cell.verified ? t("cell.verified") : null,
                            ].filter(Boolean);
                            return (
                              <button
                                type="button"
                                key={cellKey(cell.ref)}
                                class={`form-cell status-${cell.status}${cell.isNew ? " new" : ""}${cell.signature ? ` sig-${cell.signature}` : ""}${cell.queries ? " has-queries" : ""}${cell.locked ? " locked" : ""}`}
                                data-form-cell={cellKey(cell.ref)}
                                data-status={cell.status}
                                data-signature={cell.signature ?? undefined}
                                data-queries={cell.queries > 0 ? String(cell.queries) : undefined}
                                data-locked={cell.locked ? "true" : undefined}
                                data-verified={cell.verified ? "true" : undefined}
                                data-row={row}
                                data-col={col}
                                data-scheduled={c.event.day !== null ? "true" : undefined}
                                title={t("casebook.cell.title", { form: tx(fdef.name), event: tx(c.event.name), status: st }) + flags.map((f) => ` · ${f}`).join("")}
                                onClick={() => {
                                  lastCell.set(p.subject, cellKey(cell.ref));
                                  app.open({ kind: "form", form: cell.ref });
                                }}
                              >
                                {cell.isNew ? (
                                  <span class="cell-main">
                                    <span class="st">+ {t("casebook.newRepeat")}</span>
                                  </span>
                                ) : (
                                  <>
                                    <span class="cell-main">
                                      <StatusIcon status={cell.status} class="st-icon" />
                                      {fdef.repeating && <span class="inst">#{cell.ref.form_repeat}</span>}
                                      <span class="st">{st}</span>
                                    </span>
                                    {(cell.queries > 0 || sig || cell.locked || cell.verified) && (
                                      <span class="cell-flags">
                                        {cell.queries > 0 && (
                                          <span class="flag flag-queries">
                                            <QueryIcon /> {tn("cell.queries", cell.queries)}
                                          </span>
                                        )}
                                        {sig && (
                                          <span class={`flag sig sig-${cell.signature}`}>
                                            {cell.signature === "signed" ? <SignedIcon /> : <BrokenIcon />} {sig}
                                          </span>
                                        )}
                                        {cell.locked && (
                                          <span class="flag flag-locked">
                                            <LockIcon /> {t("cell.locked")}
                                          </span>
                                        )}
                                        {cell.verified && (
                                          <span class="flag flag-verified">
                                            <VerifiedIcon /> {t("cell.verified")}
                                          </span>
                                        )}
                                      </span>
                                    )}
                                  </>
                                )}
                              </button>
                            );
                          })}
                        </div>
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {signing && (
        <SignDialog
          scope={signing}
          onCancel={() => setSigning(null)}
          onSigned={() => {
            setSigning(null);
            setReload((n) => n + 1);
          }}
        />
      )}
      {exporting && <ExportDialog scope={exporting} onCancel={() => setExporting(null)} onDone={() => setExporting(null)} />}
    </main>
  );
}

/** What the cells' icons and words mean. */
export function Legend() {
  return (
    <div class="legend" aria-label={t("casebook.legend.title")}>
      <span class="legend-title">{t("casebook.legend.title")}:</span>
      <span class="legend-item status-not_started">
        <StatusIcon status="not_started" /> {statusText("not_started")}
      </span>
      <span class="legend-item status-in_progress">
        <StatusIcon status="in_progress" /> {statusText("in_progress")}
      </span>
      <span class="legend-item status-complete">
        <StatusIcon status="complete" /> {statusText("complete")}
      </span>
      <span class="legend-item flag-queries">
        <QueryIcon /> {t("casebook.legend.queries")}
      </span>
      <span class="legend-item sig-signed">
        <SignedIcon /> {t("sig.cell.signed")}
      </span>
      <span class="legend-item sig-signature_broken">
        <BrokenIcon /> {t("sig.cell.broken")}
      </span>
      <span class="legend-item flag-locked">
        <LockIcon /> {t("cell.locked")}
      </span>
      <span class="legend-item flag-verified">
        <VerifiedIcon /> {t("casebook.legend.verified")}
      </span>
    </div>
  );
}
