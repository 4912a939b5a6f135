// Dev-mock answers (`?mock`) for the data manager's commands: queries, source data
// verification, locks, reports and exports. Installed by mock.ts.
//
// The endpoint and PK reports are real output of the services (`ecrf report endpoints --json`
// and `ecrf report pk --json` over `ecrf demo --sites 3 --subjects 12 --seed 9` at a central
// node), kept in mock.dm.fixture.json; at a site node only that site's subjects are kept.
// Queries sit on the mock's subjects (S01-001 … S01-004), one of each status, with threads.

import type { EndpointReport } from "./bindings/EndpointReport";
import type { FormRef } from "./bindings/FormRef";
import type { LockView } from "./bindings/LockView";
import type { PkReport } from "./bindings/PkReport";
import type { QueryMessage } from "./bindings/QueryMessage";
import type { QueryThread } from "./bindings/QueryThread";
import type { Scope } from "./bindings/Scope";
import type { SdvView } from "./bindings/SdvView";
import type { Target } from "./bindings/Target";
import fixture from "./mock.dm.fixture.json";

export type DmMockContext = {
  central: boolean;
  /** The mock's subject ids. */
  subjects: () => string[];
};

type Err = { code: string; message: string; findings: [] };
const fail = (code: string, message: string): Err => ({ code, message, findings: [] });

function day(offset: number): string {
  const d = new Date(Date.now() + offset * 86_400_000);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}
const at = (offset: number, time: string) => `${day(offset)}T${time}:00+08:00`;
const form = (subject: string, event: string, f: string, er = 1, fr = 1): FormRef => ({ subject, event, event_repeat: er, form: f, form_repeat: fr });
const msg = (kind: QueryMessage["kind"], text: string, username: string, when: string): QueryMessage => ({ kind, text, username, at: when });

function seedQueries(): QueryThread[] {
  const q = (id: string, f: FormRef, item: string | null, rule: string | null, status: string, thread: QueryMessage[]): QueryThread => ({
    query: id,
    subject: f.subject,
    form: f,
    item,
    group: item ? "MAIN" : null,
    repeat: item ? 1 : null,
    rule,
    status,
    text: thread[0].text,
    opened_by: thread[0].username,
    opened_at: thread[0].at,
    thread,
  });
  return [
    q("q-1", form("S01-001", "D7", "CRS"), "TEMP", null, "open", [
      msg("query_opened", "Temperature 39.2 °C: please confirm against the nursing chart (38.6 °C at 22:00).", "monitor", at(-3, "14:12")),
    ]),
    q("q-2", form("S01-001", "D7", "CRS"), null, "CRS_TOCI", "answered", [
      msg("query_opened", "Tocilizumab given: doses recorded?", "system", at(-4, "08:00")),
      msg("query_answered", "One dose of 8 mg/kg at 23:40 on day 6; recorded in the number of doses.", "nurse", at(-3, "09:31")),
    ]),
    q("q-3", form("S01-004", "D28", "RSP"), "BLASTS", null, "answered", [
      msg("query_opened", "Marrow blasts 4.8 %: the pathology report says 4.0 %. Please check.", "dm", at(-9, "10:05")),
      msg("query_answered", "Corrected to 4.0 % from the signed pathology report (re-read on day 30).", "investigator", at(-7, "16:48")),
    ]),
    q("q-4", form("S01-002", "SCR", "DM"), "HEIGHT", null, "open", [
      msg("query_opened", "Height 175 cm and weight 52 kg give a BMI of 17: please confirm both against the source.", "dm", at(-1, "11:20")),
    ]),
    q("q-5", form("S01-004", "D7", "VS"), "HR", "VS_HR_RANGE", "closed", [
      msg("query_opened", "Heart rate 148 /min is outside 40–140.", "system", at(-38, "07:55")),
      msg("query_answered", "Confirmed: sinus tachycardia during fever, ECG in the source file.", "nurse", at(-37, "15:02")),
      msg("query_closed", "Confirmed by the source; no change needed.", "dm", at(-35, "09:40")),
    ]),
    q("q-6", form("S01-001", "SCR", "ELIG"), null, null, "open", [
      msg("query_opened", "Eligibility: the CD19 result date is after the enrolment date. Please check which test was used.", "dm", at(-20, "13:00")),
      msg("query_answered", "The CD19 flow result of the diagnostic biopsy was used; date corrected.", "investigator", at(-18, "10:12")),
      msg("query_closed", "Date corrected.", "dm", at(-17, "09:00")),
      msg("query_reopened", "The corrected date is still after enrolment; please check again.", "dm", at(-2, "16:30")),
    ]),
  ];
}

function whoAmI(): string {
  try {
    return new URLSearchParams(globalThis.location?.search ?? "").get("user") || "dm";
  } catch {
    return "dm";
  }
}

const fkey = (f: FormRef) => `${f.subject}/${f.event}.${f.event_repeat}/${f.form}.${f.form_repeat}`;
function scopeKey(s: Scope): string {
  switch (s.level) {
    case "study":
      return "study";
    case "subject":
      return s.subject;
    case "event":
      return `${s.subject}/${s.event}.${s.event_repeat}`;
    case "form":
      return fkey(s);
  }
}

export function dmHandlers(ctx: DmMockContext): Record<string, (a: Record<string, unknown>) => unknown> {
  let seq = 6;
  const queries = seedQueries();
  const locks: LockView[] = [
    { scope: { level: "subject", subject: "S01-004" }, username: "dm", at: at(-6, "17:05"), reason: "Withdrawn from the study; casebook reviewed and complete." },
    { scope: { level: "form", ...form("S01-001", "SCR", "DM") }, username: "dm", at: at(-25, "10:00"), reason: "Source data verified and queries closed." },
  ];
  const sdv = new Map<string, SdvView>();
  const sdvOf = (f: FormRef): SdvView => sdv.get(fkey(f)) ?? { form: f, form_verified: false, items: [], by: null, at: null };

  const report = (): EndpointReport => {
    const rep = structuredClone(fixture.endpoints) as unknown as EndpointReport;
    rep.generated_at = new Date().toISOString();
    if (!ctx.central) {
      rep.scope = "site S01";
      rep.sae = rep.sae.filter((s) => s.subject.startsWith("S01-"));
      rep.swimmer = rep.swimmer.filter((s) => s.subject.startsWith("S01-"));
    }
    return rep;
  };
  const pk = (): PkReport => {
    const rep = structuredClone(fixture.pk) as unknown as PkReport;
    rep.generated_at = new Date().toISOString();
    if (!ctx.central) rep.subjects = rep.subjects.filter((s) => s.subject.startsWith("S01-"));
    return rep;
  };

  return {
    queries: (a) => {
      const subject = typeof a.subject === "string" ? a.subject : null;
      const status = typeof a.status === "string" ? a.status : null;
      return queries.filter((q) => (!subject || q.subject === subject) && (!status || q.status === status)).map((q) => structuredClone(q));
    },
    query_open: (a) => {
      const target = a.target as Target;
      const text = String(a.text ?? "").trim();
      if (!text) throw fail("invalid_input", "A query needs a text");
      if (!ctx.subjects().includes(target.subject)) throw fail("not_found", `No subject ${target.subject}`);
      const f = form(target.subject, target.event, target.form, target.event_repeat, target.form_repeat);
      const now = new Date().toISOString();
      const q: QueryThread = {
        query: `q-${++seq}`,
        subject: target.subject,
        form: f,
        item: target.level === "item" ? target.item : null,
        group: target.level === "item" ? target.group : null,
        repeat: target.level === "item" ? target.group_repeat : null,
        rule: null,
        status: "open",
        text,
        opened_by: whoAmI(),
        opened_at: now,
        thread: [msg("query_opened", text, whoAmI(), now)],
      };
      queries.unshift(q);
      return structuredClone(q);
    },
    query_act: (a) => {
      const q = queries.find((x) => x.query === a.query);
      if (!q) throw fail("not_found", `No query ${a.query}`);
      const text = String(a.text ?? "").trim();
      if (!text) throw fail("invalid_input", "A text is required");
      const action = String(a.action);
      const next: Record<string, [string[], string, QueryMessage["kind"]]> = {
        answer: [["open"], "answered", "query_answered"],
        close: [["open", "answered"], "closed", "query_closed"],
        reopen: [["closed"], "open", "query_reopened"],
      };
      const rule = next[action];
      if (!rule) throw fail("invalid_input", `Unknown action ${action}`);
      if (!rule[0].includes(q.status)) throw fail("invalid_input", `The query is ${q.status}: it cannot be ${action === "reopen" ? "re-opened" : `${action}ed`}`);
      q.status = rule[1];
      q.thread.push(msg(rule[2], text, whoAmI(), new Date().toISOString()));
      return structuredClone(q);
    },
    sdv_mark: (a) => {
      const target = a.target as Target;
      const f = form(target.subject, target.event, target.form, target.event_repeat, target.form_repeat);
      const v = structuredClone(sdvOf(f));
      const on = a.verified === true;
      if (target.level === "form") {
        v.form_verified = on;
        v.by = on ? whoAmI() : null;
        v.at = on ? new Date().toISOString() : null;
      } else {
        const k = `${fkey(f)}/${target.group}.${target.group_repeat}/${target.item}`;
        v.items = on ? [...new Set([...v.items, k])].sort() : v.items.filter((x) => x !== k);
      }
      sdv.set(fkey(f), v);
      return v;
    },
    locks: () => structuredClone(locks),
    lock_data: (a) => {
      const scope = a.scope as Scope;
      if (locks.some((l) => scopeKey(l.scope) === scopeKey(scope))) throw fail("exists", "Already locked");
      locks.push({ scope, username: whoAmI(), at: new Date().toISOString(), reason: typeof a.reason === "string" && a.reason ? a.reason : null });
      return structuredClone(locks);
    },
    unlock_data: (a) => {
      const scope = a.scope as Scope;
      if (!(typeof a.reason === "string" && a.reason.trim())) throw fail("reason_required", "Unlocking needs a reason");
      const i = locks.findIndex((l) => scopeKey(l.scope) === scopeKey(scope));
      if (i < 0) throw fail("not_found", "Not locked");
      locks.splice(i, 1);
      return structuredClone(locks);
    },
    report_endpoints: () => report(),
    report_pk: () => pk(),
    report_endpoints_pdf: (a) => {
      if (typeof a.path !== "string" || !a.path) throw fail("invalid_input", "No path");
      return a.lang === "both" ? 486_912 : 412_306;
    },
    export_odm: (a) => ({
      written: String(a.path),
      file_type: "Transactional",
      bytes: ctx.central ? 38_512_004 : 9_804_113,
      subjects: ctx.central ? 36 : 12,
      forms: ctx.central ? 4_318 : 1_402,
      item_data: ctx.central ? 61_772 : 20_115,
      audit_records: ctx.central ? 64_930 : 21_047,
      signatures: ctx.central ? 212 : 71,
      metadata_versions: ["0.9", "1.0"],
    }),
    export_csv: (a) => {
      const names = ["DM", "ELIG", "LEUK", "LD", "INF", "VS", "LAB", "CRS", "ICANS", "AE", "CM", "BM", "MRD", "LYRESP", "PK", "SURV", "DTH", "NACT"];
      const k = ctx.central ? 3 : 1;
      return {
        written: String(a.path),
        subjects: 12 * k,
        forms: (ctx.central ? 4_318 : 1_402),
        files: [
          ...names.map((n, i) => ({ file: `${n}.csv`, rows: k * (12 + ((i * 37) % 140)) })),
          { file: "data_dictionary.csv", rows: 486 },
          { file: "codelists.csv", rows: 391 },
        ],
      };
    },
  };
}
