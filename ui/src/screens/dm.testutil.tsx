// Test helpers of the data manager's screens (not a test file itself): sessions by role, the
// app services, and a small endpoint report.

import { vi } from "vitest";
import type { Action } from "../bindings/Action";
import type { EndpointReport } from "../bindings/EndpointReport";
import type { KmStepView } from "../bindings/KmStepView";
import type { NodeSummary } from "../bindings/NodeSummary";
import type { PkReport } from "../bindings/PkReport";
import type { RateView } from "../bindings/RateView";
import type { SessionInfo } from "../bindings/SessionInfo";
import type { AppServices } from "../context";
import { definition } from "../test/fixtures";

const base: Action[] = ["view_data", "verify_audit"];
export const sessions: Record<"nurse" | "monitor" | "dm", SessionInfo> = {
  nurse: { username: "wang.fang", full_name: "Wang Fang", role: "nurse", permissions: [...base, "enrol", "enter_data", "answer_query"], idle_minutes: 15 },
  monitor: { username: "liu.yang", full_name: "Liu Yang", role: "monitor", permissions: [...base, "open_query", "verify_source", "reports"], idle_minutes: 15 },
  dm: {
    username: "zhao.min",
    full_name: "Zhao Min",
    role: "data-manager",
    permissions: [...base, "open_query", "verify_source", "close_query", "resolve_conflict", "lock", "export_bundle", "import_bundle", "manage_node_keys", "reports"],
    idle_minutes: 15,
  },
};

export const centralNode: NodeSummary = {
  node_id: "7f3a9c12-5b4e-4d21-8e6f-1a2b3c4d5e6f",
  role: "central",
  site: null,
  study: "STUDY-1",
  study_name: { en: "A test study", zh: "测试研究" },
  definition_version: "1.0",
  epoch: 1,
  fingerprint: "ab".repeat(32),
};

export function services(session: SessionInfo, statuses: Array<[string, string | undefined]> = []): AppServices {
  return {
    node: centralNode,
    session,
    def: definition,
    definitionFor: async () => definition,
    status: (text, kind) => statuses.push([text, kind]),
    open: vi.fn(),
    back: vi.fn(),
    setLeaveGuard: vi.fn(),
    can: (a) => session.permissions.includes(a),
  };
}

export const rate = (x: number, n: number, lower: number | null, upper: number | null): RateView => ({ x, n, rate: n ? x / n : null, lower, upper });

const st = (day: number, at_risk: number, events: number, censored: number, survival: number, lower: number, upper: number): KmStepView => ({ day, at_risk, events, censored, survival, lower, upper });

export function endpointReport(): EndpointReport {
  const steps = [st(30, 20, 2, 0, 0.9, 0.66, 0.97), st(120, 18, 3, 1, 0.75, 0.5, 0.89), st(250, 14, 4, 2, 0.536, 0.3, 0.72), st(400, 8, 0, 8, 0.536, 0.3, 0.72)];
  const landmarks = [6, 12, 24, 36].map((m) => ({ months: m, survival: m <= 12 ? 0.75 - m / 100 : null, lower: m <= 12 ? 0.5 : null, upper: m <= 12 ? 0.89 : null }));
  const surv = (endpoint: string, analysis: string, median: number | null) => ({
    endpoint,
    analysis,
    n: 20,
    events: 9,
    median,
    median_lower: median === null ? null : 246.6,
    median_upper: null,
    landmarks,
    steps,
    at_risk: [{ day: 0, n: 20 }],
    subjects: [],
  });
  return {
    study: "STUDY-1",
    generated_at: "2026-11-25T02:08:20.688Z",
    scope: "all sites",
    populations: [
      { population: "enrolled", n: 24 },
      { population: "leukapheresed", n: 21 },
      { population: "infused", n: 20 },
    ],
    responses: [
      { population: "infused", disease: "all", n: 20, orr: rate(12, 20, 0.36054, 0.8088), cr: rate(9, 20, 0.2306, 0.6847), cri: rate(2, 20, 0.0123, 0.317), pr: rate(1, 20, 0.0013, 0.2487) },
      { population: "infused", disease: "lymphoma", n: 8, orr: rate(5, 8, 0.2449, 0.9148), cr: rate(4, 8, 0.157, 0.843), cri: rate(0, 8, 0, 0.3694), pr: rate(1, 8, 0.0032, 0.5265) },
    ],
    survival: [surv("OS", "primary", null), surv("PFS", "primary", 373), surv("PFS", "sensitivity", 373)],
    toxicity: [
      { toxicity: "CRS", n: 20, grades: [rate(4, 20, 0, 0), rate(7, 20, 0, 0), rate(5, 20, 0, 0), rate(3, 20, 0, 0), rate(1, 20, 0, 0), rate(0, 20, 0, 0)], grade3plus: rate(4, 20, 0.0573, 0.4366) },
      { toxicity: "ICANS", n: 20, grades: [rate(14, 20, 0, 0), rate(3, 20, 0, 0), rate(2, 20, 0, 0), rate(1, 20, 0, 0), rate(0, 20, 0, 0), rate(0, 20, 0, 0)], grade3plus: rate(1, 20, 0.0013, 0.2487) },
    ],
    sae: [{ subject: "S01-002", term: "Sepsis", start: "2026-08-06", day: 90 as unknown as bigint, grade: 5 as unknown as bigint, criteria: "DEATH", related_car_t: "POSSIBLE", outcome: "FATAL" }],
    swimmer: [{ subject: "S01-001", disease: "B-ALL", days: 371, died: false, responses: [{ day: 28, code: "CR" }], new_therapy_day: null }],
  };
}

export function pkReport(): PkReport {
  const samples = (k: number) => [
    { day: 0, value: null, blq: 50 },
    { day: 1, value: 300 * k, blq: null },
    { day: 7, value: 20000 * k, blq: null },
    { day: 14, value: 60000 * k, blq: null },
    { day: 28, value: 9000 * k, blq: null },
  ];
  const subj = (subject: string, assay: string, k: number) => ({
    subject,
    assay,
    samples: samples(k),
    cmax: 60000 * k,
    tmax: 14,
    clast: 9000 * k,
    tlast: 28,
    auc_0_28_lin_up_log_down: 793034.4 * k,
    auc_0_28_linear: 830296.7 * k,
  });
  return {
    study: "STUDY-1",
    generated_at: "2026-11-25T02:08:20.688Z",
    subjects: [subj("S01-001", "qPCR", 1), subj("S01-002", "qPCR", 2), subj("S01-003", "qPCR", 0.5), subj("S01-001", "flow", 0.01)],
    summaries: [
      { assay: "qPCR", parameter: "Cmax", n: 3, geometric_mean: 60000, geometric_cv_percent: 93.4, median: 60000, min: 30000, max: 120000 },
      { assay: "qPCR", parameter: "Tmax", n: 3, geometric_mean: null, geometric_cv_percent: null, median: 14, min: 14, max: 14 },
      { assay: "flow", parameter: "Cmax", n: 1, geometric_mean: 600, geometric_cv_percent: null, median: 600, min: 600, max: 600 },
    ],
  };
}
