// DEVELOPMENT ONLY. A small in-memory stand-in for the Rust services, so the screens can be
// looked at in a plain browser (`npm run dev` or `npm run preview`, then open `/?mock`).
// main.tsx loads this module only when there is no Tauri (`window.__TAURI_INTERNALS__` absent)
// AND the URL has `?mock`; inside the real app it is never imported. It imitates the contract
// roughly (validation, derived values, hidden items); the real rules live in ecrf-core.
//
// URL options: `?mock&user=nurse` starts signed in (nurse, investigator, monitor, dm, admin);
// `&locked` makes the first data call after sign-in answer `session_locked`; `&idle=N` sets the
// idle lock to N minutes; `&central` makes this a central node; `&lang=zh` starts in Chinese;
// `&click=SEL|SEL|…` clicks those CSS selectors in turn once each appears (to reach a screen or a
// dialog for a screenshot), e.g. `&user=investigator&click=[data-subject="S01-001"]|[data-form-cell="D7.1/CRS.1"]`;
// `&files=a.ecrfb|b.ecrfb` are the files the native open dialog answers (sync import: a name
// starting S01- brings new data, S02- was imported before, S04- is an unknown site; others come
// from the central node), e.g. `&central&user=dm&click=#nav-sync|#import-bundles`.

import { emit } from "@tauri-apps/api/event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { dmHandlers } from "./mock.dm";
import { IMPORT_PROGRESS } from "./api";
import type { BundleInspection } from "./api";
import type { ConflictView } from "./bindings/ConflictView";
import type { ImportRecord } from "./bindings/ImportRecord";
import type { ImportSummary } from "./bindings/ImportSummary";
import type { ItemRef } from "./bindings/ItemRef";
import type { NodeView } from "./bindings/NodeView";
import type { Action } from "./bindings/Action";
import type { CheckDef } from "./bindings/CheckDef";
import type { Codelist } from "./bindings/Codelist";
import type { Definition } from "./bindings/Definition";
import type { Derived } from "./bindings/Derived";
import type { FormDef } from "./bindings/FormDef";
import type { FormRef } from "./bindings/FormRef";
import type { Finding } from "./bindings/Finding";
import type { ItemDef } from "./bindings/ItemDef";
import type { NodeSummary } from "./bindings/NodeSummary";
import type { OverrideView } from "./bindings/OverrideView";
import type { QueryView } from "./bindings/QueryView";
import type { AuditEntry } from "./bindings/AuditEntry";
import type { AuditLine } from "./bindings/AuditLine";
import type { Draft } from "./bindings/Draft";
import type { LockView } from "./bindings/LockView";
import type { QueryMessage } from "./bindings/QueryMessage";
import type { QueryThread } from "./bindings/QueryThread";
import type { QueueItem } from "./bindings/QueueItem";
import type { Role } from "./bindings/Role";
import type { Scope } from "./bindings/Scope";
import type { SignatureMeaning } from "./bindings/SignatureMeaning";
import type { SignatureView } from "./bindings/SignatureView";
import type { SessionInfo } from "./bindings/SessionInfo";
import type { Slot } from "./bindings/Slot";
import type { SubjectSummary } from "./bindings/SubjectSummary";
import type { Text } from "./bindings/Text";
import type { ValueEntry } from "./bindings/ValueEntry";
import type { Visit } from "./bindings/Visit";
import type { WorklistEntry } from "./bindings/WorklistEntry";

const T = (en: string, zh: string): Text => ({ en, zh });

function item(id: string, label: Text, type: ItemDef["type"], more: Partial<ItemDef> = {}): ItemDef {
  return {
    id,
    label,
    type,
    group: "MAIN",
    unit: null,
    range: null,
    soft_range: null,
    codelist: null,
    required: false,
    when: null,
    partial: false,
    not_done: false,
    codes: [],
    blq: false,
    max_length: null,
    digits: null,
    help: null,
    criterion: null,
    ...more,
  };
}

function check(id: string, it: string, assert: string, severity: CheckDef["severity"], message: Text, when: string | null = null): CheckDef {
  return { id, item: it, when, assert, severity, message };
}

const codelists: Codelist[] = [
  { id: "NY", choices: [{ code: "Y", en: "Yes", zh: "是" }, { code: "N", en: "No", zh: "否" }] },
  { id: "SEX", choices: [{ code: "M", en: "Male", zh: "男" }, { code: "F", en: "Female", zh: "女" }] },
  {
    id: "ETHNIC",
    choices: [
      { code: "HAN", en: "Han", zh: "汉族" },
      { code: "OTHER_CN", en: "Other Chinese ethnic group", zh: "其他民族" },
      { code: "NON_CN", en: "Not Chinese", zh: "非中国籍" },
    ],
  },
  {
    id: "DIAG",
    choices: [
      { code: "BALL", en: "B-cell acute lymphoblastic leukaemia", zh: "B 细胞急性淋巴细胞白血病" },
      { code: "BLBL", en: "B-cell lymphoblastic lymphoma", zh: "B 淋巴母细胞淋巴瘤" },
      { code: "NHL", en: "Other B-cell non-Hodgkin lymphoma", zh: "其他 B 细胞非霍奇金淋巴瘤" },
    ],
  },
  { id: "DISSTAT", choices: [{ code: "RELAPSED", en: "Relapsed", zh: "复发" }, { code: "REFRACTORY", en: "Refractory", zh: "难治" }] },
  {
    id: "ANTIGEN",
    choices: [
      { code: "POS", en: "Positive", zh: "阳性" },
      { code: "NEG", en: "Negative", zh: "阴性" },
      { code: "NT", en: "Not tested", zh: "未检测" },
    ],
  },
  { id: "AGMETHOD", choices: [{ code: "FLOW", en: "Flow cytometry", zh: "流式细胞术" }, { code: "IHC", en: "Immunohistochemistry", zh: "免疫组化" }] },
  {
    id: "PSSCALE",
    choices: [
      { code: "ECOG", en: "ECOG", zh: "ECOG 评分" },
      { code: "KPS", en: "Karnofsky", zh: "Karnofsky 评分（KPS）" },
      { code: "LANSKY", en: "Lansky (age < 16)", zh: "Lansky 评分（年龄 < 16 岁）" },
    ],
  },
  {
    id: "LBTEST",
    choices: [
      { code: "WBC", en: "White blood cells", zh: "白细胞计数" },
      { code: "NEUT", en: "Neutrophils", zh: "中性粒细胞计数" },
      { code: "LYM", en: "Lymphocytes", zh: "淋巴细胞计数" },
      { code: "HGB", en: "Haemoglobin", zh: "血红蛋白" },
      { code: "PLT", en: "Platelets", zh: "血小板计数" },
      { code: "CRP", en: "C-reactive protein", zh: "C 反应蛋白" },
      { code: "IL6", en: "Interleukin-6", zh: "白细胞介素-6" },
      { code: "FERR", en: "Ferritin", zh: "铁蛋白" },
    ],
  },
  {
    id: "HYPOT",
    choices: [
      { code: "NONE", en: "None", zh: "无" },
      { code: "FLUIDS", en: "Needing fluids, not vasopressors", zh: "需补液，无需血管活性药物" },
      { code: "VASO1", en: "One vasopressor (± vasopressin)", zh: "需一种血管活性药物（± 血管加压素）" },
      { code: "VASO2", en: "Several vasopressors", zh: "需多种血管活性药物" },
    ],
  },
  {
    id: "OXY",
    choices: [
      { code: "NONE", en: "None", zh: "无" },
      { code: "LOWFLOW", en: "Low-flow nasal cannula (≤ 6 L/min)", zh: "低流量鼻导管（≤ 6 L/min）" },
      { code: "HIGHFLOW", en: "High-flow cannula, facemask or Venturi", zh: "高流量鼻导管、面罩或文丘里面罩" },
      { code: "PPV", en: "Positive pressure (CPAP, BiPAP, ventilation)", zh: "正压通气（CPAP、BiPAP、机械通气）" },
    ],
  },
];

const DM: FormDef = {
  id: "DM",
  name: T("Demographics", "人口学资料"),
  repeating: false,
  groups: [],
  items: [
    item("ICDAT", T("Date of informed consent", "知情同意书签署日期"), "date", { required: true }),
    item("BRTHDAT", T("Date of birth", "出生日期"), "date", {
      partial: true,
      required: true,
      help: T("Year and month, or year only, when the full date is not known", "如不知道完整日期，可只填年月或年份"),
    }),
    item("SEX", T("Sex", "性别"), "choice", { codelist: "SEX", required: true }),
    item("ETHNIC", T("Ethnicity", "民族"), "choice", { codelist: "ETHNIC", required: true }),
    item("HEIGHT", T("Height", "身高"), "decimal", { unit: "cm", digits: 1, range: [40, 230], soft_range: [90, 210], required: true }),
    item("WEIGHT", T("Weight", "体重"), "decimal", { unit: "kg", digits: 1, range: [2, 300], soft_range: [10, 150], required: true }),
  ],
  checks: [
    check("DM-01", "BRTHDAT", "BRTHDAT < ICDAT", "error", T("Date of birth must be before the date of consent", "出生日期应早于知情同意日期")),
    check("DM-02", "ICDAT", "ICDAT <= today()", "error", T("Date of consent cannot be in the future", "知情同意日期不能晚于今天")),
  ],
  derived: [
    { id: "AGE", label: T("Age at consent", "签署知情同意时年龄"), function: "age_years", inputs: { birth: "BRTHDAT", at: "ICDAT" }, unit: "years", overridable: false },
    { id: "BSA", label: T("Body surface area (Mosteller)", "体表面积（Mosteller 公式）"), function: "bsa_mosteller", inputs: {}, unit: "m²", overridable: false },
    { id: "BMI", label: T("Body-mass index", "体重指数"), function: "bmi", inputs: {}, unit: "kg/m²", overridable: false },
  ],
};

const NY = { type: "choice" as const, codelist: "NY", required: true };
const ELIG: FormDef = {
  id: "ELIG",
  name: T("Eligibility", "入选/排除标准"),
  repeating: false,
  groups: [
    { id: "ANTIGEN", name: T("CD19 / CD22 antigen status", "CD19 / CD22 抗原表达"), repeating: false, max: null },
    { id: "PERF", name: T("Performance status", "体能状态"), repeating: false, max: null },
    { id: "INCL", name: T("Inclusion criteria", "入选标准"), repeating: false, max: null },
    { id: "EXCL", name: T("Exclusion criteria", "排除标准"), repeating: false, max: null },
  ],
  items: [
    item("DIAG", T("Diagnosis", "诊断"), "choice", { codelist: "DIAG", required: true }),
    item("DISSTAT", T("Disease status", "疾病状态"), "choice", { codelist: "DISSTAT", required: true }),
    item("CD19", T("CD19 expression", "CD19 表达"), "choice", { group: "ANTIGEN", codelist: "ANTIGEN", required: true }),
    item("CD19MTH", T("CD19 method", "CD19 检测方法"), "choice", { group: "ANTIGEN", codelist: "AGMETHOD", required: true, when: "CD19 in ['POS', 'NEG']" }),
    item("CD19PCT", T("CD19-positive blasts", "CD19 阳性原始细胞比例"), "decimal", {
      group: "ANTIGEN",
      unit: "%",
      digits: 1,
      range: [0, 100],
      required: true,
      when: "CD19 in ['POS', 'NEG'] and CD19MTH == 'FLOW'",
    }),
    item("CD19DAT", T("CD19 assessment date", "CD19 检测日期"), "date", { group: "ANTIGEN", required: true, when: "CD19 in ['POS', 'NEG']" }),
    item("CD22", T("CD22 expression", "CD22 表达"), "choice", { group: "ANTIGEN", codelist: "ANTIGEN", required: true }),
    item("CD22MTH", T("CD22 method", "CD22 检测方法"), "choice", { group: "ANTIGEN", codelist: "AGMETHOD", required: true, when: "CD22 in ['POS', 'NEG']" }),
    item("CD22PCT", T("CD22-positive blasts", "CD22 阳性原始细胞比例"), "decimal", {
      group: "ANTIGEN",
      unit: "%",
      digits: 1,
      range: [0, 100],
      required: true,
      when: "CD22 in ['POS', 'NEG'] and CD22MTH == 'FLOW'",
    }),
    item("CD22DAT", T("CD22 assessment date", "CD22 检测日期"), "date", { group: "ANTIGEN", required: true, when: "CD22 in ['POS', 'NEG']" }),
    item("PSSCALE", T("Performance scale", "体能评分量表"), "choice", { group: "PERF", codelist: "PSSCALE", required: true }),
    item("PSSCORE", T("Performance score", "体能评分"), "integer", { group: "PERF", range: [0, 100], required: true }),
    item("IN01", T("Relapsed or refractory CD19+ and/or CD22+ B-ALL or B-cell lymphoma", "复发或难治性 CD19+ 和/或 CD22+ B-ALL 或 B 细胞淋巴瘤"), "choice", { ...NY, group: "INCL", criterion: "inclusion" }),
    item(
      "IN02",
      T(
        "CD19 and/or CD22 positive by flow cytometry or IHC within 90 days (and after any CD19/CD22-directed therapy)",
        "90 天内（且在任何 CD19/CD22 靶向治疗之后）流式或免疫组化检测 CD19 和/或 CD22 阳性",
      ),
      "choice",
      { ...NY, group: "INCL", criterion: "inclusion" },
    ),
    item("IN03", T("ECOG 0–1, Karnofsky ≥ 70, or Lansky ≥ 50 (age < 16)", "ECOG 0–1 分，Karnofsky ≥ 70 分，或 Lansky ≥ 50 分（年龄 < 16 岁）"), "choice", { ...NY, group: "INCL", criterion: "inclusion" }),
    item("IN04", T("Creatinine clearance ≥ 50 mL/min", "肌酐清除率 ≥ 50 mL/min"), "choice", { ...NY, group: "INCL", criterion: "inclusion" }),
    item("IN05", T("ALT/AST ≤ 5 × ULN and bilirubin ≤ 2 × ULN", "ALT/AST ≤ 5 倍正常值上限，胆红素 ≤ 2 倍正常值上限"), "choice", { ...NY, group: "INCL", criterion: "inclusion" }),
    item("IN06", T("SpO₂ ≥ 92 % on room air and LVEF ≥ 45 %", "未吸氧状态下 SpO₂ ≥ 92%，且 LVEF ≥ 45%"), "choice", { ...NY, group: "INCL", criterion: "inclusion" }),
    item("EX01", T("Active CNS3 disease", "活动性 CNS3 中枢神经系统受累"), "choice", { ...NY, group: "EXCL", criterion: "exclusion" }),
    item("EX02", T("Active HIV, HBV or HCV infection", "活动性 HIV、HBV 或 HCV 感染"), "choice", { ...NY, group: "EXCL", criterion: "exclusion" }),
    item("EX03", T("Active graft-versus-host disease", "活动性移植物抗宿主病"), "choice", { ...NY, group: "EXCL", criterion: "exclusion" }),
    item("EX04", T("Pregnant or breast-feeding", "妊娠或哺乳期"), "choice", { ...NY, group: "EXCL", criterion: "exclusion", when: "DM.SEX == 'F'" }),
  ],
  checks: [
    check("ELIG-04", "PSSCORE", "PSSCORE <= 5", "error", T("An ECOG score is between 0 and 5", "ECOG 评分应在 0 到 5 之间"), "PSSCALE == 'ECOG'"),
    check(
      "ELIG-05",
      "IN03",
      "…",
      "warning",
      T("Inclusion 3 is met although the recorded performance score does not qualify", "入选标准 3 判定为“是”，但记录的体能评分不符合"),
      "IN03 == 'Y'",
    ),
  ],
  derived: [{ id: "ELIGIBLE", label: T("Eligibility", "入组资格"), function: "eligibility", inputs: {}, unit: null, overridable: false }],
};

const VS: FormDef = {
  id: "VS",
  name: T("Vital signs", "生命体征"),
  repeating: false,
  groups: [],
  items: [
    item("VSDTC", T("Date and time of measurement", "测量日期时间"), "datetime", { required: true }),
    item("TEMP", T("Temperature", "体温"), "decimal", { unit: "°C", digits: 1, range: [30, 45], soft_range: [35, 39], required: true }),
    item("SYSBP", T("Systolic blood pressure", "收缩压"), "integer", { unit: "mmHg", range: [40, 300], not_done: true, required: true }),
    item("HR", T("Heart rate", "心率"), "integer", { unit: "/min", range: [20, 250], codes: ["ND", "UNK"], required: true }),
    item("FEVER", T("Fever since last visit", "自上次访视以来发热"), "boolean", { required: true }),
    item("FEVTIM", T("Time fever began", "发热开始时间"), "time", { when: "FEVER == true" }),
    item("VSCOM", T("Comment", "备注"), "note", { max_length: 2000 }),
  ],
  checks: [],
  derived: [],
};

const LB: FormDef = {
  id: "LB",
  name: T("Laboratory results", "实验室检查结果"),
  repeating: false,
  groups: [{ id: "RES", name: T("Results", "检查结果"), repeating: true, max: 20 }],
  items: [
    item("LBDAT", T("Sample date", "采样日期"), "date", { required: true }),
    item("FASTING", T("Fasting", "空腹"), "boolean", { codes: ["UNK"] }),
    item("LBTEST", T("Test", "检查项目"), "choice", { group: "RES", codelist: "LBTEST", required: true }),
    item("LBORRES", T("Result", "结果"), "decimal", { group: "RES", digits: 2, blq: true, not_done: true, required: true }),
    item("LBUNIT", T("Unit", "单位"), "text", { group: "RES", max_length: 20 }),
    item("LBCLSIG", T("Clinically significant", "有临床意义"), "choice", { group: "RES", codelist: "NY" }),
    item("LBCOM", T("Explain", "说明"), "text", { group: "RES", when: "LBCLSIG == 'Y'", required: true }),
  ],
  checks: [],
  derived: [],
};

const CRS: FormDef = {
  id: "CRS",
  name: T("Cytokine release syndrome", "细胞因子释放综合征"),
  repeating: true,
  groups: [],
  items: [
    item("CRSDAT", T("Assessment date", "评估日期"), "date", { required: true }),
    item("TEMP", T("Maximum temperature in 24 h", "24 小时内最高体温"), "decimal", { unit: "°C", digits: 1, range: [30, 45], required: true }),
    item("HYPOT", T("Hypotension", "低血压"), "choice", { codelist: "HYPOT", required: true }),
    item("OXY", T("Oxygen need", "吸氧需求"), "choice", { codelist: "OXY", required: true }),
    item("TOCI", T("Tocilizumab given", "使用托珠单抗"), "boolean", { required: true }),
    item("TOCIN", T("Number of tocilizumab doses", "托珠单抗给药次数"), "integer", { range: [1, 4], when: "TOCI == true", required: true }),
  ],
  checks: [],
  derived: [{ id: "CRSGR", label: T("CRS grade (ASTCT)", "CRS 分级（ASTCT）"), function: "crs_grade", inputs: {}, unit: null, overridable: true }],
};

const RSP: FormDef = {
  id: "RSP",
  name: T("Response assessment (B-ALL)", "疗效评估（B-ALL）"),
  repeating: false,
  groups: [],
  items: [
    item("BMDAT", T("Bone marrow date", "骨髓检查日期"), "date", { required: true }),
    item("BLASTS", T("Marrow blasts", "骨髓原始细胞比例"), "decimal", { unit: "%", digits: 1, range: [0, 100], required: true }),
    item("CIRC", T("Circulating blasts", "外周血原始细胞"), "choice", { codelist: "NY", required: true }),
    item("ANC", T("Absolute neutrophil count", "中性粒细胞绝对值"), "decimal", { unit: "/µL", range: [0, 100000], required: true }),
    item("PLT", T("Platelets", "血小板计数"), "decimal", { unit: "/µL", range: [0, 2000000], required: true }),
    item("MRDRES", T("MRD (flow cytometry)", "MRD（流式细胞术）"), "decimal", { unit: "%", digits: 4, range: [0, 100] }),
  ],
  checks: [],
  derived: [
    { id: "RESP", label: T("Response (B-ALL)", "疗效（B-ALL）"), function: "all_response", inputs: {}, unit: null, overridable: true },
    { id: "MRD", label: T("MRD status", "MRD 状态"), function: "mrd_status", inputs: {}, unit: null, overridable: true },
  ],
};

const definition: Definition = {
  study: { id: "CART-1922-01", version: "1.0", name: T("CD19/CD22 bispecific CAR-T cells in relapsed/refractory B-cell leukaemia/lymphoma", "CD19/CD22 双特异性 CAR-T 细胞治疗复发/难治性 B 细胞白血病/淋巴瘤"), protocol: "CART-1922-01", sponsor: null },
  parameters: { antigen_assessment_max_days: 90 },
  codelists,
  events: [
    { id: "SCR", name: T("Screening", "筛选期"), anchor: "enrolment", day: 0, window: [0, 28], repeating: false, forms: ["DM", "ELIG", "LB"] },
    { id: "D0", name: T("Infusion (day 0)", "回输日（第 0 天）"), anchor: "infusion", day: 0, window: [0, 0], repeating: false, forms: ["VS", "LB"] },
    { id: "D7", name: T("Day 7", "第 7 天"), anchor: "infusion", day: 7, window: [6, 8], repeating: false, forms: ["VS", "LB", "CRS"] },
    { id: "D14", name: T("Day 14", "第 14 天"), anchor: "infusion", day: 14, window: [12, 16], repeating: false, forms: ["VS", "LB", "CRS"] },
    { id: "D28", name: T("Day 28 response", "第 28 天疗效评估"), anchor: "infusion", day: 28, window: [25, 31], repeating: false, forms: ["VS", "LB", "RSP"] },
    { id: "M3", name: T("Month 3", "第 3 个月"), anchor: "infusion", day: 90, window: [80, 100], repeating: false, forms: ["VS", "LB", "RSP"] },
    { id: "UNS", name: T("Unscheduled visit", "计划外访视"), anchor: "none", day: null, window: null, repeating: true, forms: ["VS", "LB", "CRS"] },
  ],
  forms: [DM, ELIG, VS, LB, CRS, RSP],
  sha256: "0".repeat(64),
};

/** An earlier version: vital signs without the fever questions (S01-001's day 0 was captured under it). */
const definition09: Definition = {
  ...definition,
  study: { ...definition.study, version: "0.9" },
  forms: definition.forms.map((f) => (f.id === "VS" ? { ...f, items: f.items.filter((i) => i.id !== "FEVER" && i.id !== "FEVTIM") } : f)),
  sha256: "9".repeat(64),
};
const VERSIONS: Record<string, Definition> = { "1.0": definition, "0.9": definition09 };

// ---- hidden items: the `when` conditions above, in JavaScript ----

type Get = (item: string, group?: string, repeat?: number) => unknown;
const WHEN: Record<string, (get: Get, group: string, repeat: number) => boolean | null> = {
  CD19MTH: (g) => (g("CD19") == null ? null : ["POS", "NEG"].includes(g("CD19") as string)),
  CD19PCT: (g) => (g("CD19") == null || g("CD19MTH") == null ? null : ["POS", "NEG"].includes(g("CD19") as string) && g("CD19MTH") === "FLOW"),
  CD19DAT: (g) => (g("CD19") == null ? null : ["POS", "NEG"].includes(g("CD19") as string)),
  CD22MTH: (g) => (g("CD22") == null ? null : ["POS", "NEG"].includes(g("CD22") as string)),
  CD22PCT: (g) => (g("CD22") == null || g("CD22MTH") == null ? null : ["POS", "NEG"].includes(g("CD22") as string) && g("CD22MTH") === "FLOW"),
  CD22DAT: (g) => (g("CD22") == null ? null : ["POS", "NEG"].includes(g("CD22") as string)),
  EX04: (g) => (g("DM.SEX") == null ? null : g("DM.SEX") === "F"),
  FEVTIM: (g) => (g("FEVER") == null ? null : g("FEVER") === true),
  LBCOM: (g, group, repeat) => (g("LBCLSIG", group, repeat) == null ? null : g("LBCLSIG", group, repeat) === "Y"),
  TOCIN: (g) => (g("TOCI") == null ? null : g("TOCI") === true),
};

// ---- state ----

type Instance = { status: string; values: Map<string, unknown>; version?: string; overrides?: OverrideView[] };
type Subject = {
  summary: SubjectSummary;
  forms: Map<string, Instance>;
  /** Actual infusion date; without it the schedule uses a planned one (enrolment + 28 days). */
  infusion?: string;
  /** Death, withdrawal or end of study: nothing is expected after it. */
  end?: string;
};

const subjects = new Map<string, Subject>();
const key = (g: string, r: number, i: string) => `${g}|${r}|${i}`;
const formKey = (f: FormRef) => `${f.event}.${f.event_repeat}/${f.form}.${f.form_repeat}`;

/** Today's local date plus n days, YYYY-MM-DD: the seeds keep their places relative to today. */
function day(n: number, from?: string): string {
  const d = from ? new Date(`${from}T12:00:00`) : new Date();
  d.setDate(d.getDate() + n);
  const p = (x: number) => String(x).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

type Seed = [string, string, Record<string, unknown>, Partial<Pick<Instance, "version" | "overrides">>?];

function seed(id: string, enrolled: string, forms: Seed[], more: Pick<Subject, "infusion" | "end"> = {}) {
  const s: Subject = {
    summary: { subject: id, site: "S01", enrolled_at: enrolled, definition_version: "1.0", forms_started: 0, forms_complete: 0, eligibility: null },
    forms: new Map(),
    ...more,
  };
  for (const [fk, status, values, extra] of forms) {
    const m = new Map<string, unknown>();
    for (const [k, v] of Object.entries(values)) {
      const parts = k.split("|");
      m.set(parts.length === 3 ? k : key("MAIN", 1, k), v);
    }
    s.forms.set(fk, { status, values: m, ...extra });
  }
  subjects.set(id, s);
  refresh(s);
}

function refresh(s: Subject) {
  s.summary.forms_started = [...s.forms.values()].filter((f) => f.status !== "not_started").length;
  s.summary.forms_complete = [...s.forms.values()].filter((f) => f.status === "complete").length;
  const elig = [...s.forms.entries()].find(([k]) => k.includes("/ELIG."));
  if (elig) {
    const d = derive(ELIG, elig[1].values, s).find((x) => x.id === "ELIGIBLE");
    s.summary.eligibility = d ? d.display : null;
  }
}

const ELIG_OK = {
  DIAG: "BALL", DISSTAT: "RELAPSED",
  "ANTIGEN|1|CD19": "POS", "ANTIGEN|1|CD19MTH": "FLOW", "ANTIGEN|1|CD19PCT": 92.5, "ANTIGEN|1|CD19DAT": day(-45),
  "ANTIGEN|1|CD22": "POS", "ANTIGEN|1|CD22MTH": "IHC", "ANTIGEN|1|CD22DAT": day(-45),
  "PERF|1|PSSCALE": "ECOG", "PERF|1|PSSCORE": 1,
  "INCL|1|IN01": "Y", "INCL|1|IN02": "Y", "INCL|1|IN03": "Y", "INCL|1|IN04": "Y", "INCL|1|IN05": "Y", "INCL|1|IN06": "Y",
  "EXCL|1|EX01": "N", "EXCL|1|EX02": "N", "EXCL|1|EX03": "N", "EXCL|1|EX04": "N",
};
const VS_OK = (d: string) => ({ VSDTC: `${d}T08:30+08:00`, TEMP: 36.8, SYSBP: 118, HR: 76, FEVER: false });
const LB_OK = (d: string) => ({ LBDAT: d, "RES|1|LBTEST": "WBC", "RES|1|LBORRES": 3.2, "RES|1|LBUNIT": "10⁹/L" });

// S01-001: infused 12 days ago; day 7 done (CRS grade overridden by the investigator), day 14 under way.
{
  const enr = day(-40), inf = day(-12);
  seed(
    "S01-001",
    `${enr}T09:12:00+08:00`,
    [
      ["SCR.1/DM.1", "complete", { ICDAT: enr, BRTHDAT: "1979-06", SEX: "F", ETHNIC: "HAN", HEIGHT: 162, WEIGHT: 55.4 }],
      ["SCR.1/ELIG.1", "complete", ELIG_OK],
      ["SCR.1/LB.1", "complete", { LBDAT: day(1, enr), "RES|1|LBTEST": "WBC", "RES|1|LBORRES": 3.2, "RES|1|LBUNIT": "10⁹/L", "RES|2|LBTEST": "CRP", "RES|2|LBORRES": { blq: 0.5 }, "RES|2|LBUNIT": "mg/L" }],
      // Captured under the earlier definition version 0.9 (no fever questions on vital signs).
      ["D0.1/VS.1", "complete", { VSDTC: `${inf}T08:30+08:00`, TEMP: 36.8, SYSBP: { not_done: "Patient asleep" }, HR: 80 }, { version: "0.9" }],
      ["D0.1/LB.1", "complete", LB_OK(inf)],
      ["D7.1/VS.1", "complete", VS_OK(day(7, inf))],
      ["D7.1/LB.1", "complete", LB_OK(day(7, inf))],
      [
        "D7.1/CRS.1",
        "complete",
        { CRSDAT: day(7, inf), TEMP: 39.2, HYPOT: "FLUIDS", OXY: "LOWFLOW", TOCI: true, TOCIN: 1 },
        {
          overrides: [
            {
              id: "CRSGR",
              value: 3,
              derived_then: 2,
              reason: "Noradrenaline started 22:40 per the ICU chart; the hypotension answer predates it",
              username: "dr.chen",
              at: `${day(8, inf)}T10:05:00+08:00`,
            },
          ],
        },
      ],
      ["D14.1/VS.1", "in_progress", { VSDTC: `${day(0)}T08:10+08:00`, TEMP: 37.1 }],
    ],
    { infusion: inf },
  );
}
// S01-002: in screening, infusion only planned (in 4 days).
seed("S01-002", `${day(-24)}T14:40:00+08:00`, [["SCR.1/DM.1", "in_progress", { ICDAT: day(-24), SEX: "M", HEIGHT: 175 }]]);
// S01-003: enrolled two days ago, nothing entered: screening due.
seed("S01-003", `${day(-2)}T10:05:00+08:00`, []);
// S01-004: infused 45 days ago, day 14 missed, day 28 response under way (override: the derived
// response has changed since), withdrawn 10 days ago: month 3 is not expected.
{
  const enr = day(-75), inf = day(-45);
  seed(
    "S01-004",
    `${enr}T11:20:00+08:00`,
    [
      ["SCR.1/DM.1", "complete", { ICDAT: enr, BRTHDAT: "1991-11-02", SEX: "M", ETHNIC: "HAN", HEIGHT: 171, WEIGHT: 64 }],
      ["SCR.1/ELIG.1", "complete", ELIG_OK],
      ["SCR.1/LB.1", "complete", LB_OK(enr)],
      ["D0.1/VS.1", "complete", VS_OK(inf)],
      ["D0.1/LB.1", "complete", LB_OK(inf)],
      ["D7.1/VS.1", "complete", VS_OK(day(7, inf))],
      ["D7.1/LB.1", "complete", LB_OK(day(7, inf))],
      ["D7.1/CRS.1", "complete", { CRSDAT: day(7, inf), TEMP: 37.2, HYPOT: "NONE", OXY: "NONE", TOCI: false }],
      [
        "D28.1/RSP.1",
        "in_progress",
        { BMDAT: day(28, inf), BLASTS: 3.5, CIRC: "N", ANC: 800, PLT: 60000, MRDRES: 0.004 },
        {
          overrides: [
            {
              id: "RESP",
              value: "CR",
              derived_then: "NR",
              reason: "Repeat blood count two days later: ANC 1400/µL, platelets 112000/µL",
              username: "dr.chen",
              at: `${day(30, inf)}T15:30:00+08:00`,
            },
          ],
        },
      ],
    ],
    { infusion: inf, end: day(-10) },
  );
}

// ---- signatures and queries ----

/** What a signature covered: each form instance's content when signed. */
type Signed = { view: SignatureView; content: Map<string, string> };
const signatures = new Map<string, Signed[]>();
const queries = new Map<string, QueryView[]>();
let sigSeq = 0;

function contentOf(inst: Instance): string {
  return JSON.stringify([inst.status, [...inst.values.entries()].sort(([a], [b]) => a.localeCompare(b))]);
}
function covers(scope: Scope, subject: string, fk: string): boolean {
  if (scope.level === "study") return true;
  if (scope.subject !== subject) return false;
  if (scope.level === "subject") return true;
  if (scope.level === "event") return fk.startsWith(`${scope.event}.${scope.event_repeat}/`);
  return fk === `${scope.event}.${scope.event_repeat}/${scope.form}.${scope.form_repeat}`;
}
function isBroken(s: Subject, sig: Signed): boolean {
  for (const [fk, c] of sig.content) {
    const inst = s.forms.get(fk);
    if (!inst || contentOf(inst) !== c) return true;
  }
  return false;
}
function viewOf(s: Subject, sig: Signed): SignatureView {
  return { ...sig.view, broken: isBroken(s, sig) };
}
function addSignature(s: Subject, scope: Scope, meaning: SignatureMeaning, who: { username: string; full_name: string }, at: string): SignatureView {
  const id = s.summary.subject;
  const content = new Map<string, string>();
  for (const [fk, inst] of s.forms) if (covers(scope, id, fk) && inst.status !== "not_started") content.set(fk, contentOf(inst));
  const view: SignatureView = {
    signature: `sig-${++sigSeq}`,
    scope,
    meaning,
    printed_name: who.full_name,
    username: who.username,
    at,
    content_hash: (sigSeq * 2654435761).toString(16).padStart(64, "0").slice(-64),
    forms: [...content.keys()].map((fk) => `${id}/${fk}`),
    broken: false,
  };
  signatures.set(id, [...(signatures.get(id) ?? []), { view, content }]);
  return view;
}
/** Signatures covering one form instance, oldest first. */
function signaturesOf(s: Subject, fk: string): Signed[] {
  return (signatures.get(s.summary.subject) ?? []).filter((x) => x.content.has(fk));
}

// S01-001: screening signed by the investigator (still holds); day 0 vital signs signed, then
// changed (the signature is broken); open queries on day 7 CRS and day 14 vital signs.
{
  const s = subjects.get("S01-001")!;
  const chen = { username: "dr.chen", full_name: "Dr Chen Jian 陈健" };
  addSignature(s, { level: "event", subject: "S01-001", event: "SCR", event_repeat: 1 }, "approval", chen, `${day(-30)}T16:20:00+08:00`);
  addSignature(s, { level: "form", subject: "S01-001", event: "D0", event_repeat: 1, form: "VS", form_repeat: 1 }, "review", chen, `${day(-11)}T09:45:00+08:00`);
  addSignature(s, { level: "form", subject: "S01-001", event: "D7", event_repeat: 1, form: "VS", form_repeat: 1 }, "review", chen, `${day(-4)}T11:02:00+08:00`);
  // The heart rate was corrected after the signature.
  s.forms.get("D0.1/VS.1")!.values.set(key("MAIN", 1, "HR"), 84);
  queries.set("S01-001/D7.1/CRS.1", [
    {
      query: "q-1",
      item: "TEMP",
      group: "MAIN",
      repeat: 1,
      rule: null,
      status: "open",
      text: "Temperature 39.2 °C: please confirm against the nursing chart (38.6 °C at 22:00).",
      opened_by: "monitor",
      opened_at: `${day(-3)}T14:12:00+08:00`,
    },
    {
      query: "q-2",
      item: null,
      group: null,
      repeat: null,
      rule: "CRS_TOCI",
      status: "answered",
      text: "Tocilizumab given: doses recorded?",
      opened_by: "system",
      opened_at: `${day(-4)}T08:00:00+08:00`,
    },
  ]);
}

// Query threads (q-2 answered by the nurse), a lock on S01-004's screening (withdrawn subject),
// source data verified on S01-001's demographics, and the history of changed items.
const threads = new Map<string, QueryMessage[]>([
  ["q-1", [{ kind: "query_opened", text: "Temperature 39.2 °C: please confirm against the nursing chart (38.6 °C at 22:00).", username: "monitor", at: `${day(-3)}T14:12:00+08:00` }]],
  [
    "q-2",
    [
      { kind: "query_opened", text: "Tocilizumab given: doses recorded?", username: "system", at: `${day(-4)}T08:00:00+08:00` },
      { kind: "query_answered", text: "Yes: one dose of 8 mg/kg at 23:10, on the concomitant medication log.", username: "nurse", at: `${day(-4)}T10:31:00+08:00` },
    ],
  ],
]);
const locks = new Map<string, LockView>([
  [
    "S01-004/SCR.1",
    {
      scope: { level: "event", subject: "S01-004", event: "SCR", event_repeat: 1 },
      username: "dm",
      at: `${day(-9)}T16:00:00+08:00`,
      reason: "Subject withdrawn: screening data reviewed and frozen",
    },
  ],
]);
const sdv = new Map<string, { items: string[]; by: string; at: string }>([
  ["S01-001/SCR.1/DM.1", { items: ["MAIN.1/ICDAT", "MAIN.1/BRTHDAT", "MAIN.1/SEX"], by: "monitor", at: `${day(-20)}T10:00:00+08:00` }],
]);
/** Every change of an item by key `subject/EVENT.n/FORM.n/GROUP.n/ITEM`, oldest first. */
const itemHistory = new Map<string, AuditLine[]>();
let auditSeq = 0;
function lockOf(subject: string, f: FormRef): LockView | null {
  return locks.get(`${subject}/${formKey(f)}`) ?? locks.get(`${subject}/${f.event}.${f.event_repeat}`) ?? locks.get(subject) ?? null;
}
function threadOf(subject: string, fk: string, q: QueryView): QueryThread {
  const [e, f] = fk.split("/");
  const [event, er] = e.split(".");
  const [form, fr] = f.split(".");
  return {
    ...q,
    subject,
    form: { subject, event, event_repeat: Number(er), form, form_repeat: Number(fr) },
    thread: threads.get(q.query) ?? [{ kind: "query_opened", text: q.text, username: q.opened_by, at: q.opened_at }],
  };
}
function shown(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    if ("not_done" in o) return `NOT DONE: ${String(o.not_done)}`;
    if ("code" in o) return String(o.code);
    if ("blq" in o) return `<LLOQ ${String(o.blq)}`;
    return JSON.stringify(v);
  }
  return String(v);
}

// ---- validation and derivation, imitating ecrf-core ----

function num(v: unknown): number | null {
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v))) return Number(v);
  return null;
}

function problem(it: ItemDef, v: unknown): Text | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    if ("not_done" in o) return !it.not_done ? T('"not done" is not allowed here', "此项不允许“未做”") : String(o.not_done).trim() ? null : T('"not done" needs a reason', "“未做”需要填写原因");
    if ("code" in o) return it.codes.includes(String(o.code)) ? null : T(`code "${o.code}" is not allowed here`, `此项不允许代码“${o.code}”`);
    if ("blq" in o) return !it.blq ? T("BLQ is not allowed here", "此项不允许低于定量限（BLQ）") : (num(o.blq) ?? 0) > 0 ? null : T("BLQ needs its limit of quantification, a positive number", "BLQ 需要填写定量下限（正数）");
    return T("unknown special value", "未知的特殊值");
  }
  switch (it.type) {
    case "integer":
    case "decimal": {
      const x = num(v);
      if (x === null) return T("expected a number", "应为数值");
      if (it.type === "integer" && !Number.isInteger(x)) return T("expected a whole number", "应为整数");
      if (it.digits !== null && Math.round(x * 10 ** it.digits) / 10 ** it.digits !== x) return T(`at most ${it.digits} decimal places`, `最多 ${it.digits} 位小数`);
      if (it.range && x < it.range[0]) return T(`below the minimum ${it.range[0]}`, `低于最小值 ${it.range[0]}`);
      if (it.range && x > it.range[1]) return T(`above the maximum ${it.range[1]}`, `高于最大值 ${it.range[1]}`);
      return null;
    }
    case "date": {
      const s = String(v);
      if (/^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s))) return null;
      if (it.partial && /^\d{4}(-\d{2})?$/.test(s)) return null;
      return it.partial ? T("expected a date YYYY-MM-DD, YYYY-MM or YYYY", "日期格式应为 YYYY-MM-DD、YYYY-MM 或 YYYY") : T("expected a date YYYY-MM-DD", "日期格式应为 YYYY-MM-DD");
    }
    case "datetime":
      return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})$/.test(String(v))
        ? null
        : T("expected a date-time YYYY-MM-DDTHH:MM with offset, e.g. 2024-03-05T14:30+08:00", "日期时间格式应为 YYYY-MM-DDTHH:MM 并带时区，例如 2024-03-05T14:30+08:00");
    case "time":
      return /^([01]\d|2[0-3]):[0-5]\d$/.test(String(v)) ? null : T("expected a time HH:MM", "时间格式应为 HH:MM");
    case "boolean":
      return typeof v === "boolean" ? null : T("expected true or false", "应为是或否");
    case "choice": {
      const cl = codelists.find((c) => c.id === it.codelist);
      return cl?.choices.some((c) => c.code === v) ? null : T(`"${v}" is not one of the choices`, `“${v}”不是可选项`);
    }
    default:
      return null;
  }
}

function normalize(it: ItemDef, v: unknown): unknown {
  if (v === "" || v === undefined) return null;
  if ((it.type === "integer" || it.type === "decimal") && typeof v === "string" && num(v) !== null) return num(v);
  if (typeof v === "string" && it.type !== "note") return v.trim();
  return v;
}

function rowsOf(form: FormDef, values: Map<string, unknown>): Map<string, number[]> {
  const out = new Map<string, number[]>([["MAIN", [1]]]);
  for (const g of form.groups) out.set(g.id, g.repeating ? [] : [1]);
  for (const [k, v] of values) {
    if (v === null) continue;
    const [g, r] = k.split("|");
    const list = out.get(g) ?? [];
    if (!list.includes(Number(r))) list.push(Number(r));
    out.set(g, list.sort((a, b) => a - b));
  }
  return out;
}

function getter(form: FormDef, values: Map<string, unknown>, subject: Subject | undefined): Get {
  return (name, group, repeat) => {
    if (name.includes(".")) {
      const [f, i] = name.split(".");
      const inst = subject && [...subject.forms.entries()].find(([k]) => k.includes(`/${f}.`));
      const v = inst?.[1].values.get(key("MAIN", 1, i));
      return v ?? null;
    }
    const it = form.items.find((x) => x.id === name);
    const g = group ?? it?.group ?? "MAIN";
    return values.get(key(g, g === (it?.group ?? "MAIN") ? (repeat ?? 1) : 1, name)) ?? null;
  };
}

function hiddenSlots(form: FormDef, values: Map<string, unknown>, subject: Subject | undefined): Slot[] {
  const rows = rowsOf(form, values);
  const get = getter(form, values, subject);
  const out: Slot[] = [];
  for (const it of form.items) {
    const w = WHEN[it.id];
    if (!w) continue;
    for (const r of rows.get(it.group) ?? []) if (w(get, it.group, r) !== true) out.push({ group: it.group, repeat: r, item: it.id });
  }
  return out;
}

function validate(form: FormDef, values: Map<string, unknown>, subject: Subject | undefined, completing: boolean): Finding[] {
  const rows = rowsOf(form, values);
  const get = getter(form, values, subject);
  const out: Finding[] = [];
  const f = (it: ItemDef, repeat: number, rule: string, severity: Finding["severity"], message: Text): Finding => ({ item: it.id, group: it.group, repeat, rule, severity, message });
  for (const it of form.items) {
    for (const r of rows.get(it.group) ?? []) {
      const v = values.get(key(it.group, r, it.id)) ?? null;
      const w = WHEN[it.id];
      const applicable = w ? w(get, it.group, r) : true;
      if (v !== null) {
        if (applicable === false) out.push(f(it, r, "conditional", "warning", T(`${it.label.en} is filled although it does not apply`, `${it.label.zh} 不适用，但已填写`)));
        const p = problem(it, v);
        if (p) out.push(f(it, r, "type", "error", T(`${it.label.en}: ${p.en}`, `${it.label.zh}：${p.zh}`)));
        const x = typeof v === "object" ? null : num(v);
        if (!p && x !== null && it.soft_range && (x < it.soft_range[0] || x > it.soft_range[1])) {
          const u = it.unit ?? "";
          out.push(f(it, r, "soft_range", "warning", T(`${it.label.en} ${x} ${u} is outside the expected range ${it.soft_range[0]}–${it.soft_range[1]}; please confirm`, `${it.label.zh} ${x} ${u} 超出预期范围 ${it.soft_range[0]}–${it.soft_range[1]}，请确认`)));
        }
      } else if (completing && it.required && applicable === true) {
        out.push(f(it, r, "required", "error", T(`${it.label.en} is required`, `${it.label.zh} 为必填项`)));
      }
    }
  }
  const g = (i: string) => values.get(key("MAIN", 1, i)) ?? null;
  if (form.id === "DM") {
    const b = g("BRTHDAT"), ic = g("ICDAT");
    if (typeof b === "string" && typeof ic === "string" && b >= ic) out.push(f(form.items[1], 1, "DM-01", "error", form.checks[0].message));
    if (typeof ic === "string" && ic > new Date().toISOString().slice(0, 10)) out.push(f(form.items[0], 1, "DM-02", "error", form.checks[1].message));
  }
  if (form.id === "ELIG") {
    const scale = values.get(key("PERF", 1, "PSSCALE"));
    const score = num(values.get(key("PERF", 1, "PSSCORE")));
    const ps = form.items.find((i) => i.id === "PSSCORE")!;
    if (scale === "ECOG" && score !== null && score > 5) out.push(f(ps, 1, "ELIG-04", "error", form.checks[0].message));
    const ok = score === null || scale == null ? null : (scale === "ECOG" && score <= 1) || (scale === "KPS" && score >= 70) || (scale === "LANSKY" && score >= 50);
    if (values.get(key("INCL", 1, "IN03")) === "Y" && ok === false) out.push(f(form.items.find((i) => i.id === "IN03")!, 1, "ELIG-05", "warning", form.checks[1].message));
  }
  return out;
}

function missing(form: FormDef, ids: string[], display?: Text): Derived {
  const labels = ids.map((i) => form.items.find((x) => x.id === i)?.label ?? T(i, i));
  return { id: "", value: null, display: display ?? T(`not derivable: missing ${labels.map((l) => l.en).join(", ")}`, `无法推导：缺少 ${labels.map((l) => l.zh).join("、")}`), missing: ids };
}

function derive(form: FormDef, values: Map<string, unknown>, subject: Subject | undefined): Derived[] {
  const g = (i: string) => values.get(key("MAIN", 1, i)) ?? null;
  const out: Derived[] = [];
  for (const d of form.derived) {
    let r: Derived;
    if (d.function === "age_years") {
      const b = g("BRTHDAT"), a = g("ICDAT");
      if (typeof b !== "string" || typeof a !== "string") r = missing(form, [b ? "" : "BRTHDAT", a ? "" : "ICDAT"].filter(Boolean));
      else if (b.length === 10) {
        let y = Number(a.slice(0, 4)) - Number(b.slice(0, 4));
        if (a.slice(5) < b.slice(5)) y--;
        r = { id: "", value: y, display: T(`${y} years`, `${y} 岁`), missing: [] };
      } else {
        const y = Number(a.slice(0, 4)) - Number(b.slice(0, 4));
        r = { id: "", value: y, display: T(`≈${y} years (from year of birth)`, `约 ${y} 岁（按出生年份）`), missing: [] };
      }
    } else if (d.function === "bsa_mosteller" || d.function === "bmi") {
      const h = num(g("HEIGHT")), w = num(g("WEIGHT"));
      if (h === null || w === null || h <= 0 || w <= 0) r = missing(form, [h === null ? "HEIGHT" : "", w === null ? "WEIGHT" : ""].filter(Boolean));
      else if (d.function === "bmi") {
        const x = (w / (h / 100) ** 2).toFixed(1);
        r = { id: "", value: Number(x), display: T(`${x} kg/m²`, `${x} kg/m²`), missing: [] };
      } else {
        const x = Math.sqrt((h * w) / 3600).toFixed(2);
        r = { id: "", value: Number(x), display: T(`${x} m²`, `${x} m²`), missing: [] };
      }
    } else if (d.function === "crs_grade") {
      const temp = num(g("TEMP")), hyp = g("HYPOT"), oxy = g("OXY");
      if (temp === null || hyp === null || oxy === null) r = missing(form, [temp === null ? "TEMP" : "", hyp === null ? "HYPOT" : "", oxy === null ? "OXY" : ""].filter(Boolean));
      else {
        const H: Record<string, number> = { NONE: 0, FLUIDS: 2, VASO1: 3, VASO2: 4 };
        const O: Record<string, number> = { NONE: 0, LOWFLOW: 2, HIGHFLOW: 3, PPV: 4 };
        const grade = temp >= 38 ? Math.max(1, H[String(hyp)] ?? 0, O[String(oxy)] ?? 0) : 0;
        r = { id: "", value: grade, display: grade ? T(`Grade ${grade} (ASTCT)`, `${grade} 级（ASTCT）`) : T("No CRS", "无 CRS"), missing: [] };
      }
    } else if (d.function === "all_response") {
      const blasts = num(g("BLASTS")), circ = g("CIRC"), anc = num(g("ANC")), plt = num(g("PLT"));
      if (blasts === null || circ === null || anc === null || plt === null)
        r = missing(form, [blasts === null ? "BLASTS" : "", circ === null ? "CIRC" : "", anc === null ? "ANC" : "", plt === null ? "PLT" : ""].filter(Boolean));
      else {
        const code = blasts < 5 && circ === "N" ? (anc >= 1000 && plt >= 100000 ? "CR" : "CRI") : "NR";
        const words: Record<string, Text> = {
          CR: T("CR — complete remission", "CR — 完全缓解"),
          CRI: T("CRi — complete remission with incomplete count recovery", "CRi — 完全缓解伴血细胞计数未完全恢复"),
          NR: T("NR — no response", "NR — 未缓解"),
        };
        r = { id: "", value: code, display: words[code], missing: [] };
      }
    } else if (d.function === "mrd_status") {
      const x = num(g("MRDRES"));
      if (x === null) r = missing(form, ["MRDRES"]);
      else r = x < 0.01 ? { id: "", value: "NEG", display: T("MRD negative", "MRD 阴性"), missing: [] } : { id: "", value: "POS", display: T("MRD positive", "MRD 阳性"), missing: [] };
    } else {
      const get = getter(form, values, subject);
      const miss: string[] = [];
      const fail: ItemDef[] = [];
      for (const it of form.items) {
        if (!it.criterion) continue;
        const w = WHEN[it.id];
        if (w && w(get, it.group, 1) === false) continue;
        const v = values.get(key(it.group, 1, it.id));
        if (v == null) miss.push(it.id);
        else if (v !== (it.criterion === "inclusion" ? "Y" : "N")) fail.push(it);
      }
      if (fail.length)
        r = {
          id: "",
          value: { eligible: false, failing: fail.map((i) => i.id) },
          display: T(`Not eligible — fails: ${fail.map((i) => i.label.en).join("; ")}`, `不符合入组条件 — 未满足：${fail.map((i) => i.label.zh).join("；")}`),
          missing: [],
        };
      else if (miss.length) r = missing(form, miss);
      else r = { id: "", value: { eligible: true, failing: [] }, display: T("Eligible", "符合入组条件"), missing: [] };
    }
    out.push({ ...r, id: d.id });
  }
  return out;
}

// ---- overrides and the visit schedule, imitating ecrf-core ----

/** The override value normalised, null to withdraw, or "!message" when it is off the scale. */
function checkOverride(fn: string, v: unknown): unknown {
  if (v === null) return null;
  const ints: Record<string, [number, number]> = { crs_grade: [0, 5], icans_grade: [0, 4], ice_score: [0, 10] };
  const codes: Record<string, string[]> = {
    all_response: ["CR", "CRI", "MLFS", "PR", "NR", "PD", "RELAPSE"],
    mrd_status: ["NEG", "POS", "NE"],
    lugano_pet: ["CMR", "PMR", "NMR", "PMD"],
    lugano_ct: ["CR", "PR", "SD", "PD"],
    lugano_overall: ["CR", "PR", "SD", "PD"],
  };
  if (ints[fn]) {
    const [lo, hi] = ints[fn];
    return typeof v === "number" && Number.isInteger(v) && v >= lo && v <= hi ? v : `!expected a whole number from ${lo} to ${hi}`;
  }
  if (codes[fn]) return typeof v === "string" && codes[fn].includes(v) ? v : `!expected one of ${codes[fn].join(", ")}`;
  if (typeof v === "number") return v;
  return typeof v === "string" && v.trim() && v.length <= 200 ? v.trim() : "!expected a number or a short text";
}

function schedule(s: Subject): Visit[] {
  const dm = [...s.forms.entries()].find(([k]) => k.startsWith("SCR.1/DM."));
  const icdat = dm?.[1].values.get(key("MAIN", 1, "ICDAT"));
  const enrolment = typeof icdat === "string" ? icdat : s.summary.enrolled_at.slice(0, 10);
  const planned = !s.infusion;
  const infusion = s.infusion ?? day(28, enrolment);
  const today = day(0);
  const out: Visit[] = [];
  for (const ev of definition.events) {
    if (ev.anchor === "none") continue;
    const base = ev.anchor === "enrolment" ? enrolment : infusion;
    const [lo, hi] = ev.window ?? [ev.day ?? 0, ev.day ?? 0];
    const earliest = day(lo, base), latest = day(hi, base);
    const mine = [...s.forms.entries()].filter(([k]) => k.startsWith(`${ev.id}.1/`)).map(([, i]) => i.status);
    const started = mine.filter((x) => x !== "not_started").length;
    const complete = mine.filter((x) => x === "complete").length;
    const state: Visit["state"] =
      complete >= ev.forms.length
        ? "complete"
        : s.end && earliest > s.end && started === 0
          ? "not_expected"
          : started > 0
            ? today > latest ? "overdue" : "in_progress"
            : today < earliest ? "upcoming" : today <= latest ? "due" : "overdue";
    out.push({ event: ev.id, name: ev.name, due: day(ev.day ?? 0, base), earliest, latest, state, planned: ev.anchor === "infusion" && planned });
  }
  return out;
}

// ---- sync bundles ----

const CENTRAL_NODE = "7f3a9c12-5b4e-4d21-8e6f-1a2b3c4d5e6f";
const SITE_NODES: Record<string, string> = {
  S01: "4f04a1b2-6c1d-4e5f-9a7b-0c2d3e4f5a6b",
  S02: "9b3e7d21-0f8a-4b6c-a1d2-e3f4a5b6c7d8",
  S03: "c71a0e55-2d9b-47f3-b6e1-8a0c2f4d6e8a",
  S04: "2d8e5f10-3a4b-4c5d-8e9f-0a1b2c3d4e5f",
};
const DOWNLOADS = "/home/zhao/Downloads";

/** A made-up key fingerprint (64 hex digits) starting with `head`. */
function fp(head: string): string {
  let x = 0;
  for (const ch of head) x = (x * 31 + ch.charCodeAt(0)) >>> 0;
  let out = head;
  while (out.length < 64) {
    x = (x * 1103515245 + 12345) >>> 0;
    out += (x >>> 16).toString(16).padStart(4, "0");
  }
  return out.slice(0, 64);
}

function now(): string {
  const d = new Date();
  const p = (x: number) => String(x).padStart(2, "0");
  return `${day(0)}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}+08:00`;
}

type SyncState = { nodes: NodeView[]; history: ImportRecord[]; conflicts: ConflictView[] };

function summary(o: Partial<ImportSummary>): ImportSummary {
  return {
    file: "",
    status: "imported",
    reason: null,
    origin: null,
    origin_site: null,
    origin_key_fingerprint: null,
    accepted_node: false,
    new: 0,
    duplicate: 0,
    pending: 0,
    released: 0,
    conflicts: 0,
    future: 0,
    pdfs: 0,
    gaps: [],
    subjects: [],
    definitions: [],
    ...o,
  };
}

function ref(subject: string, event: string, form: string, item: string, group = "MAIN", formRepeat = 1): ItemRef {
  return { subject, event, event_repeat: 1, form, form_repeat: formRepeat, group, group_repeat: 1, item };
}

function syncFixtures(central: boolean): SyncState {
  const site = (code: string, accepted: string, received: string[], acknowledged: string[], more: Partial<NodeView> = {}): NodeView => ({
    node: SITE_NODES[code],
    fingerprint: fp(SITE_NODES[code].slice(0, 4)),
    role: "site",
    site: code,
    status: "accepted",
    accepted_at: accepted,
    accepted_by: "dm",
    revoked_at: null,
    reason: null,
    received,
    acknowledged,
    ...more,
  });
  const nodes: NodeView[] = central
    ? [
        site("S01", `${day(-62)}T09:12:40+08:00`, ["1:S01 up to 1234"], ["1:S01 up to 310 of 342", "1:ALL up to 12 of 12"]),
        site("S02", `${day(-41)}T14:03:11+08:00`, ["1:S02 up to 856"], ["1:S02 up to 98 of 98", "1:ALL up to 12 of 12"]),
        site("S03", `${day(-90)}T11:30:02+08:00`, ["1:S03 up to 77", "2:S03 up to 15"], [], {
          status: "revoked",
          revoked_at: `${day(-20)}T08:45:00+08:00`,
          reason: "Laptop stolen from the ward office; replaced by a new computer",
        }),
      ]
    : [
        {
          node: CENTRAL_NODE,
          fingerprint: fp("7f3a"),
          role: "central",
          site: null,
          status: "accepted",
          accepted_at: `${day(-62)}T08:30:00+08:00`,
          accepted_by: "admin",
          revoked_at: null,
          reason: null,
          received: ["1:S01 up to 342", "1:ALL up to 12"],
          acknowledged: ["1:S01 up to 1180 of 1234"],
        },
      ];
  const rec = (file: string, code: string | null, created: string, imported: string, by: string, o: Partial<ImportSummary>): ImportRecord => ({
    file,
    sha256: fp(file.slice(0, 4)),
    origin: code ? SITE_NODES[code] : CENTRAL_NODE,
    origin_site: code,
    created_at: created,
    imported_at: imported,
    imported_by: by,
    summary: summary({ file, origin: code ? SITE_NODES[code] : CENTRAL_NODE, origin_site: code, ...o }),
  });
  const history: ImportRecord[] = central
    ? [
        rec(`${DOWNLOADS}/S02-${day(-8)}T1615.ecrfb`, "S02", `${day(-8)}T16:15:02+08:00`, `${day(-7)}T09:20:44+08:00`, "dm", { new: 98, pdfs: 1 }),
        rec(`${DOWNLOADS}/S01-${day(-9)}T1030.ecrfb`, "S01", `${day(-9)}T10:30:12+08:00`, `${day(-7)}T09:18:05+08:00`, "dm", { new: 310, duplicate: 4, pending: 2 }),
        rec(`${DOWNLOADS}/S01-${day(-30)}T1102.ecrfb`, "S01", `${day(-30)}T11:02:54+08:00`, `${day(-29)}T15:40:31+08:00`, "admin", { new: 924, pdfs: 3 }),
        rec(`${DOWNLOADS}/S02-${day(-41)}T1350.ecrfb`, "S02", `${day(-41)}T13:50:19+08:00`, `${day(-41)}T14:03:11+08:00`, "dm", { new: 758, accepted_node: true }),
      ]
    : [rec(`/media/usb/central-to-S01-${day(-10)}T1700.ecrfb`, null, `${day(-10)}T17:00:08+08:00`, `${day(-9)}T08:12:30+08:00`, "nurse", { new: 12 })];
  const at = (d: number, hm: string) => `${day(d)}T${hm}:00+08:00`;
  const conflicts: ConflictView[] = [
    {
      key: "S01-001/D7.1/VS.1/MAIN.1/TEMP",
      subject: "S01-001",
      item: ref("S01-001", "D7", "VS", "TEMP"),
      versions: [
        { event_id: "e1", value: 38.2, username: "wang.fang", captured_at: at(-4, "08:30"), imported_at: at(-2, "10:05"), resolution: false, flagged: false, shown: false },
        { event_id: "e2", value: 38.6, username: "li.na", captured_at: at(-4, "09:10"), imported_at: at(-1, "16:40"), resolution: false, flagged: false, shown: true },
      ],
    },
    {
      key: "S02-003/SCR.1/DM.1/MAIN.1/SEX",
      subject: "S02-003",
      item: ref("S02-003", "SCR", "DM", "SEX"),
      versions: [
        { event_id: "e3", value: "F", username: "liu.hong", captured_at: at(-12, "14:02"), imported_at: at(-7, "09:20"), resolution: false, flagged: false, shown: true },
        { event_id: "e4", value: "M", username: "zhou.qiang", captured_at: "2027-03-02T11:15:00+08:00", imported_at: at(-7, "09:20"), resolution: false, flagged: true, shown: false },
      ],
    },
    {
      key: "S01-002/D7.1/CRS.1/MAIN.1/HYPOT",
      subject: "S01-002",
      item: ref("S01-002", "D7", "CRS", "HYPOT"),
      versions: [
        { event_id: "e5", value: "FLUIDS", username: "wang.fang", captured_at: at(-3, "22:40"), imported_at: at(-1, "16:40"), resolution: false, flagged: false, shown: false },
        { event_id: "e6", value: "VASO1", username: "dr.chen", captured_at: at(-3, "23:05"), imported_at: at(-1, "16:40"), resolution: false, flagged: false, shown: true },
      ],
    },
  ];
  return { nodes, history, conflicts: central ? conflicts : conflicts.slice(0, 1) };
}

/** Which site a bundle file is from, by its name (S01-….ecrfb; central-to-….ecrfb). */
function siteOfFile(path: string): string | null {
  const m = /(?:^|\/)(S\d\d)-[^/]*$/.exec(path);
  return m && !/central-to-/.test(path) ? m[1] : null;
}

function inspect(path: string, central: boolean): BundleInspection {
  const code = siteOfFile(path);
  const node = code ? SITE_NODES[code] : CENTRAL_NODE;
  const created = /(\d{4}-\d{2}-\d{2})T(\d\d)(\d\d)/.exec(path);
  return {
    origin_key_fingerprint: fp(node.slice(0, 4)),
    signature: "valid",
    manifest: {
      study: "CART-1922-01",
      definition_version: "1.0",
      origin: { node, role: code ? "site" : "central", site: code, epoch: 1, public_key: "00".repeat(32) },
      destination: code ? CENTRAL_NODE : central ? null : SITE_NODES.S01,
      full: false,
      created_at: created ? `${created[1]}T${created[2]}:${created[3]}:00+08:00` : now(),
      streams: [],
      counts: { events: code === "S04" ? 212 : code === "S02" ? 856 : 1_249, pdfs: code === "S01" ? 2 : 0 },
    },
  };
}

/** What importing one file does in the mock: S01 brings new data (and a conflict), S02 was
 * imported before, S04 is a site this node does not know yet, anything else comes from the
 * central node. */
function importOne(sync: SyncState, path: string, accept: string | null, central: boolean, by: string): ImportSummary {
  const info = inspect(path, central);
  const o = info.manifest.origin;
  const fpr = info.origin_key_fingerprint;
  const known = sync.nodes.find((n) => n.node === o.node);
  if (known?.status === "revoked")
    return summary({ file: path, status: "refused", reason: `node ${o.node} was revoked on ${known.revoked_at}: its bundles are no longer accepted` });
  if (accept && accept !== fpr)
    return summary({ file: path, status: "refused", reason: `the fingerprint given (${accept}) is not the bundle's key fingerprint ${fpr}` });
  if (!known && !accept)
    return summary({
      file: path,
      status: "refused",
      reason: `unknown node ${o.node} (${o.role} ${o.site ?? ""}): check its key fingerprint ${fpr} with the sender and import again with --accept-node ${fpr}`,
    });
  const base = { file: path, origin: o.node, origin_site: o.site, origin_key_fingerprint: fpr, accepted_node: !known };
  const again = sync.history.some((r) => r.file === path);
  const res = again
    ? summary({ ...base, accepted_node: false, duplicate: info.manifest.counts.events })
    : o.site === "S01"
      ? summary({ ...base, new: 1_234, duplicate: 12, pending: 3, conflicts: 1, pdfs: 2, subjects: ["S01-001", "S01-002", "S01-003", "S01-004"] })
      : o.site === "S02"
        ? summary({ ...base, duplicate: 856 })
        : o.site
          ? summary({ ...base, new: 212, subjects: ["S04-001", "S04-002"] })
          : summary({ ...base, new: 57, released: 3, subjects: ["S01-001", "S01-002"] });
  if (!known)
    sync.nodes.push({
      node: o.node,
      fingerprint: fpr,
      role: o.role,
      site: o.site,
      status: "accepted",
      accepted_at: now(),
      accepted_by: by,
      revoked_at: null,
      reason: null,
      received: [],
      acknowledged: [],
    });
  sync.history.unshift({
    file: path,
    sha256: fp(path.slice(-8)),
    origin: o.node,
    origin_site: o.site,
    created_at: info.manifest.created_at,
    imported_at: now(),
    imported_by: by,
    summary: res,
  });
  return res;
}

// ---- the commands ----

type Err = { code: string; message: string; findings: Finding[] };
const fail = (code: string, message: string, findings: Finding[] = []): Err => ({ code, message, findings });

/** What each role may do, as `permits` in ecrf-core's roles.rs has it. */
function permsOf(role: Role, central: boolean): Action[] {
  const all: Action[] = ["view_data", "verify_audit"];
  switch (role) {
    case "nurse":
      return [...all, "enrol", "enter_data", "answer_query", "export_bundle", ...(central ? [] : (["import_bundle"] as Action[]))];
    case "investigator":
      return [...all, "enrol", "enter_data", "answer_query", "sign", "override_derived", "reports", "export_bundle", ...(central ? [] : (["import_bundle"] as Action[]))];
    case "monitor":
      return [...all, "open_query", "verify_source", "reports"];
    case "data-manager":
      return [
        ...all,
        "open_query",
        "verify_source",
        "close_query",
        "resolve_conflict",
        "lock",
        "export_bundle",
        "import_bundle",
        "manage_node_keys",
        "reports",
        ...(central ? (["publish_definition"] as Action[]) : []),
      ];
    case "admin":
      return [...all, "import_bundle", "manage_node_keys", "manage_users", "backup", "node_setup", "demo"];
  }
}
const USERS: Record<string, { full_name: string; role: Role }> = {
  nurse: { full_name: "Wang Fang 王芳", role: "nurse" },
  investigator: { full_name: "Dr Chen Jian 陈健", role: "investigator" },
  monitor: { full_name: "Liu Yang 刘洋", role: "monitor" },
  dm: { full_name: "Zhao Min 赵敏", role: "data-manager" },
  admin: { full_name: "Sun Lei 孙磊", role: "admin" },
};

export function installMock(params: URLSearchParams): void {
  const central = params.has("central");
  const idle = Number(params.get("idle") ?? "15") || 15;
  let session: SessionInfo | null = null;
  /** Kept drafts by `user/subject/EVENT.n/FORM.n`. */
  const drafts = new Map<string, Draft>();
  let lockedOnce = params.has("locked");
  let locked = false;
  const start = (username: string) => {
    const u = USERS[username] ?? { full_name: username, role: "nurse" as Role };
    session = { username, full_name: u.full_name, role: u.role, permissions: permsOf(u.role, central), idle_minutes: idle };
    return session;
  };
  if (params.get("user")) start(params.get("user")!);

  const node: NodeSummary = {
    node_id: central ? CENTRAL_NODE : SITE_NODES.S01,
    role: central ? "central" : "site",
    site: central ? null : "S01",
    study: definition.study.id,
    study_name: definition.study.name,
    definition_version: definition.study.version,
    epoch: 1,
    fingerprint: central ? fp("7f3a") : fp("4f04"),
  };
  const sync = syncFixtures(central);

  const instance = (f: FormRef): { s: Subject; form: FormDef; inst: Instance } => {
    const s = subjects.get(f.subject);
    if (!s) throw fail("not_found", `no subject ${f.subject}`);
    const inst: Instance = s.forms.get(formKey(f)) ?? { status: "not_started", values: new Map() };
    const form = VERSIONS[inst.version ?? "1.0"].forms.find((x) => x.id === f.form);
    if (!form) throw fail("not_found", `no form ${f.form}`);
    return { s, form, inst };
  };
  const merged = (form: FormDef, inst: Instance, entries: ValueEntry[]) => {
    const m = new Map(inst.values);
    for (const e of entries) {
      const it = form.items.find((i) => i.id === e.item);
      if (!it) throw fail("invalid_input", `no item ${e.item} in form ${form.id}`);
      const v = normalize(it, e.value);
      if (v === null) m.delete(key(e.group, e.repeat, e.item));
      else m.set(key(e.group, e.repeat, e.item), v);
    }
    return m;
  };
  const asEntries = (m: Map<string, unknown>): ValueEntry[] =>
    [...m.entries()].map(([k, value]) => {
      const [group, repeat, item] = k.split("|");
      return { group, repeat: Number(repeat), item, value };
    });

  const handlers: Record<string, (a: Record<string, unknown>) => unknown> = {
    node_info: () => node,
    login: (a) => {
      if (a.password === "wrong" || !a.username) throw fail("unauthenticated", "Wrong username or password");
      return start(String(a.username));
    },
    logout: () => {
      session = null;
      return null;
    },
    session: () => session,
    unlock: (a) => {
      if (!session) throw fail("unauthenticated", "No session");
      if (a.password === "wrong" || !a.password) throw fail("unauthenticated", "Wrong password");
      locked = false;
      return session;
    },
    definition: (a) => {
      if (a.version === undefined || a.version === null) return definition;
      const d = VERSIONS[String(a.version)];
      if (!d) throw fail("not_found", `definition version ${a.version}`);
      return d;
    },
    subjects: () => [...subjects.values()].map((s) => s.summary),
    enrol: (a) => {
      const id = String(a.subject);
      if (!/^S01-\d{3,6}$/.test(id)) throw fail("invalid_input", `${id} is not a subject number of site S01`);
      if (subjects.has(id)) throw fail("invalid_input", `Subject ${id} is already enrolled`);
      const now = new Date();
      seed(id, `${now.toISOString().slice(0, 19)}+08:00`, []);
      return subjects.get(id)!.summary;
    },
    casebook: (a) => {
      const s = subjects.get(String(a.subject));
      if (!s) throw fail("not_found", `No subject ${a.subject}`);
      const forms = [...s.forms.entries()].map(([k, inst]) => {
        const [e, f] = k.split("/");
        const [event, er] = e.split(".");
        const [form, fr] = f.split(".");
        const sigs = signaturesOf(s, k);
        const last = sigs[sigs.length - 1];
        const signature = last ? (isBroken(s, last) ? "signature_broken" : "signed") : null;
        const ref = { subject: s.summary.subject, event, event_repeat: Number(er), form, form_repeat: Number(fr) };
        const open_queries = (queries.get(`${s.summary.subject}/${k}`) ?? []).filter((q) => q.status !== "closed").length;
        const v = sdv.get(`${s.summary.subject}/${k}`);
        return { form: ref, status: inst.status, signature, open_queries, locked: lockOf(s.summary.subject, ref) !== null, verified: !!v };
      });
      return { subject: s.summary, forms };
    },
    form_show: (a) => {
      const ref = a.form as FormRef;
      const { s, form, inst } = instance(ref);
      return {
        form: ref,
        status: inst.status,
        definition_version: inst.version ?? "1.0",
        values: asEntries(inst.values),
        derived: derive(form, inst.values, s),
        findings: validate(form, inst.values, s, false),
        hidden: hiddenSlots(form, inst.values, s),
        overrides: inst.overrides ?? [],
        queries: queries.get(`${s.summary.subject}/${formKey(ref)}`) ?? [],
        signatures: signaturesOf(s, formKey(ref)).map((x) => viewOf(s, x)),
        locked: lockOf(s.summary.subject, ref),
        verified: (() => {
          const v = sdv.get(`${s.summary.subject}/${formKey(ref)}`);
          return {
            form: ref,
            form_verified: !!v,
            items: (v?.items ?? []).map((i) => `${s.summary.subject}/${formKey(ref)}/${i}`),
            by: v?.by ?? null,
            at: v?.at ?? null,
          };
        })(),
      };
    },
    form_override: (a) => {
      const ref = a.form as FormRef;
      if (!session?.permissions.includes("override_derived")) throw fail("forbidden", "only an investigator may override a derived value");
      const reason = typeof a.reason === "string" ? a.reason.trim() : "";
      if (!reason || reason.length > 1000) throw fail("invalid_input", "an override needs a reason (at most 1000 printable characters)");
      const { s, form, inst } = instance(ref);
      const id = String(a.derived);
      const spec = form.derived.find((d) => d.id === id);
      if (!spec) throw fail("not_found", `derived value ${id} of form ${form.id}`);
      if (!spec.overridable) throw fail("invalid_input", `${spec.label.en} (${id}) may not be overridden`);
      const value = checkOverride(spec.function, a.value ?? null);
      if (typeof value === "string" && value.startsWith("!")) throw fail("invalid_input", `override of ${id}: ${value.slice(1)}`);
      if (inst.status === "not_started") throw fail("invalid_input", "the form has no data yet: nothing to override");
      const list = (inst.overrides ?? []).filter((o) => o.id !== id);
      if (value === null && list.length === (inst.overrides ?? []).length) throw fail("invalid_input", `${id} is not overridden`);
      if (value !== null) {
        const now = new Date();
        const at = `${day(0)}T${String(now.getHours()).padStart(2, "0")}:${String(now.getMinutes()).padStart(2, "0")}:00+08:00`;
        const then = derive(form, inst.values, s).find((d) => d.id === id)?.value ?? null;
        list.push({ id, value, derived_then: then, reason, username: session.username, at });
      }
      inst.overrides = list;
      return handlers.form_show({ form: ref });
    },
    sign: (a) => {
      if (!session?.permissions.includes("sign")) throw fail("forbidden", "only an investigator may sign");
      if (a.password === "wrong" || !a.password) throw fail("unauthenticated", "wrong username or password");
      const scope = a.scope as Scope;
      if (scope.level === "study") throw fail("invalid_input", "a study cannot be signed");
      const s = subjects.get(scope.subject);
      if (!s) throw fail("not_found", `No subject ${scope.subject}`);
      const covered = [...s.forms.entries()].filter(([fk]) => covers(scope, scope.subject, fk));
      if (scope.level === "form" && covered.length === 0) covered.push([formKey(scope), { status: "not_started", values: new Map() }]);
      const open = covered.filter(([, inst]) => inst.status !== "complete");
      if (open.length) throw fail("validation", `not signed: ${open.length} form(s) not complete: ${open.map(([fk]) => fk).join(", ")}`);
      if (covered.length === 0) throw fail("validation", "not signed: no form has data");
      const now = new Date();
      const at = `${day(0)}T${String(now.getHours()).padStart(2, "0")}:${String(now.getMinutes()).padStart(2, "0")}:00+08:00`;
      return addSignature(s, scope, a.meaning as SignatureMeaning, session, at);
    },
    subject_signatures: (a) => {
      const s = subjects.get(String(a.subject));
      if (!s) throw fail("not_found", `No subject ${a.subject}`);
      return (signatures.get(s.summary.subject) ?? []).map((x) => viewOf(s, x));
    },
    export_pdf: (a) => {
      const path = String(a.path ?? "");
      if (!/\.pdf$/i.test(path)) throw fail("invalid_input", "the path must end in .pdf");
      if (a.password !== undefined) {
        if (!session?.permissions.includes("sign")) throw fail("forbidden", "only an investigator may sign");
        if (a.password === "wrong" || !a.password) throw fail("unauthenticated", "wrong username or password");
      }
      const scope = a.scope as Scope;
      const pages = scope.level === "form" ? 2 : scope.level === "event" ? 6 : 31;
      return pages * 23_417 * (a.lang === "both" ? 2 : 1) + (a.password !== undefined ? 9_812 : 0);
    },
    // The native save dialog (@tauri-apps/plugin-dialog): answers a path at once.
    "plugin:dialog|save": (a) => {
      const o = (a.options ?? {}) as { defaultPath?: string };
      return `/home/chen/Documents/${o.defaultPath ?? "export.pdf"}`;
    },
    // The native open dialog: the bundles a person would pick (`&files=a|b` to choose others).
    "plugin:dialog|open": () => {
      const given = params.get("files");
      if (given) return given.split("|").map((f) => `${DOWNLOADS}/${f}`);
      return central
        ? [`${DOWNLOADS}/S01-${day(-1)}T1030.ecrfb`, `${DOWNLOADS}/S02-${day(-3)}T1615.ecrfb`, `${DOWNLOADS}/S04-${day(-1)}T0905.ecrfb`]
        : [`${DOWNLOADS}/central-to-S01-${day(-1)}T1700.ecrfb`];
    },
    bundle_export: (a) => {
      const path = String(a.path ?? "");
      if (!/\.ecrfb$/i.test(path)) throw fail("invalid_input", "the file name must end in .ecrfb");
      if (central && !a.to) throw fail("invalid_input", "a central bundle is for one site node: give --to NODE (or the site code)");
      const full = a.full === true;
      const events = full ? 4_812 : central ? 57 : 342;
      return { file: path, destination: central ? String(a.to) : CENTRAL_NODE, full, events, pdfs: full ? 9 : 2, streams: [], bytes: events * 412 + 180_000 };
    },
    bundle_inspect: (a) => inspect(String(a.path), central),
    bundle_import: async (a) => {
      const paths = (a.paths as string[]) ?? [];
      const accept = typeof a.accept === "string" ? a.accept : null;
      const out: ImportSummary[] = [];
      for (const path of paths) {
        await emit(IMPORT_PROGRESS, { file: path, done: 0, total: 0 });
        await new Promise((r) => setTimeout(r, 500));
        const res = importOne(sync, path, accept, central, session?.username ?? "?");
        const total = res.new + res.duplicate;
        const steps = total > 100 ? 12 : 2;
        for (let i = 1; i <= steps && res.status === "imported"; i++) {
          await new Promise((r) => setTimeout(r, 180));
          await emit(IMPORT_PROGRESS, { file: path, done: Math.round((total * i) / steps), total });
        }
        out.push(res);
      }
      return out;
    },
    import_history: () => sync.history,
    nodes: () => sync.nodes,
    revoke_node: (a) => {
      if (!session?.permissions.includes("manage_node_keys")) throw fail("forbidden", `${session?.role} may not manage node keys`);
      const reason = typeof a.reason === "string" ? a.reason.trim() : "";
      if (!reason) throw fail("invalid_input", "revoking a node needs a reason (at most 1000 printable characters)");
      const n = sync.nodes.find((x) => x.node === a.node);
      if (!n) throw fail("not_found", `node ${a.node} not found`);
      if (n.status === "revoked") throw fail("invalid_input", `node ${n.node} is already revoked`);
      Object.assign(n, { status: "revoked", revoked_at: now(), reason });
      return n;
    },
    conflicts: (a) => sync.conflicts.filter((c) => !a.subject || c.subject === a.subject),
    resolve_conflict: (a) => {
      if (!session?.permissions.includes("resolve_conflict")) throw fail("forbidden", `${session?.role} may not resolve conflicts`);
      const reason = typeof a.reason === "string" ? a.reason.trim() : "";
      if (!reason) throw fail("invalid_input", "a resolution needs a reason (at most 1000 printable characters)");
      const item = a.item as ItemRef;
      const i = sync.conflicts.findIndex((c) => JSON.stringify(c.item) === JSON.stringify(item));
      if (i < 0) throw fail("not_found", "a conflict on that item not found");
      const [c] = sync.conflicts.splice(i, 1);
      return { ...c, versions: [] };
    },
    subject_schedule: (a) => {
      const s = subjects.get(String(a.subject));
      if (!s) throw fail("not_found", `No subject ${a.subject}`);
      return schedule(s);
    },
    worklist: (a) => {
      const days = typeof a.days === "number" ? a.days : 7;
      const horizon = day(days);
      const rank = (v: Visit) => ({ overdue: 0, due: 1, in_progress: 2 })[v.state as string] ?? 3;
      const out: WorklistEntry[] = [];
      for (const s of subjects.values())
        for (const v of schedule(s))
          if (["due", "overdue", "in_progress"].includes(v.state) || (v.state === "upcoming" && v.earliest <= horizon)) out.push({ subject: s.summary.subject, ...v });
      return out.sort((x, y) => rank(x) - rank(y) || x.latest.localeCompare(y.latest) || x.subject.localeCompare(y.subject));
    },
    form_check: (a) => {
      const { s, form, inst } = instance(a.form as FormRef);
      const m = merged(form, inst, a.values as ValueEntry[]);
      return { derived: derive(form, m, s), findings: validate(form, m, s, false), hidden: hiddenSlots(form, m, s) };
    },
    form_save: (a) => {
      const ref = a.form as FormRef;
      const { s, form, inst } = instance(ref);
      const lk = lockOf(s.summary.subject, ref);
      if (lk) throw fail("locked", `locked by ${lk.username} since ${lk.at.slice(0, 16).replace("T", " ")}: nothing can change`);
      const m = merged(form, inst, a.values as ValueEntry[]);
      const complete = a.complete === true;
      const findings = validate(form, m, s, complete);
      const errors = findings.filter((x) => x.severity === "error");
      if (errors.length) throw fail("validation", `${errors.length} value(s) need correcting`, findings);
      let changes = 0;
      for (const k of new Set([...m.keys(), ...inst.values.keys()])) if (JSON.stringify(m.get(k)) !== JSON.stringify(inst.values.get(k))) changes++;
      if (inst.status === "complete" && changes > 0 && !(typeof a.reason === "string" && a.reason.trim())) {
        throw fail("reason_required", "This form is complete: a reason for the change is needed");
      }
      const status = complete || inst.status === "complete" ? "complete" : "in_progress";
      const events = changes + (status !== inst.status ? 1 : 0);
      const when = new Date().toISOString().replace(/\.\d+Z$/, "Z");
      for (const k of new Set([...m.keys(), ...inst.values.keys()])) {
        if (JSON.stringify(m.get(k)) === JSON.stringify(inst.values.get(k))) continue;
        const [g, r, it] = k.split("|");
        const ik = `${s.summary.subject}/${formKey(ref)}/${g}.${r}/${it}`;
        const line: AuditLine = {
          event_id: `mock:1:S01:${++auditSeq}`,
          subject: s.summary.subject,
          kind: "value_set",
          target: ik,
          username: session?.username ?? "?",
          full_name: session?.full_name ?? "?",
          captured_at: when,
          imported_at: null,
          old: shown(inst.values.get(k)),
          new: shown(m.get(k)),
          reason: typeof a.reason === "string" ? a.reason : "",
        };
        itemHistory.set(ik, [...(itemHistory.get(ik) ?? []), line]);
      }
      drafts.delete(`${session?.username}/${s.summary.subject}/${formKey(ref)}`);
      s.forms.set(formKey(ref), { ...inst, status, values: m });
      refresh(s);
      return { form: ref, status, events, derived: derive(form, m, s), findings, hidden: hiddenSlots(form, m, s) };
    },
    // Drafts: typed input kept per user and form; a save removes it.
    draft_save: (a) => {
      const ref = a.form as FormRef;
      instance(ref);
      const k = `${session?.username}/${ref.subject}/${formKey(ref)}`;
      const entries = (a.values as ValueEntry[]) ?? [];
      if (entries.length === 0) drafts.delete(k);
      else drafts.set(k, { form: ref, entries, saved_at: new Date().toISOString() });
      return null;
    },
    draft: (a) => {
      const ref = a.form as FormRef;
      return drafts.get(`${session?.username}/${ref.subject}/${formKey(ref)}`) ?? null;
    },
    drafts: () => [...drafts.entries()].filter(([k]) => k.startsWith(`${session?.username}/`)).map(([, d]) => d).reverse(),
    draft_discard: (a) => {
      const ref = a.form as FormRef;
      drafts.delete(`${session?.username}/${ref.subject}/${formKey(ref)}`);
      return null;
    },
    signature_queue: () => {
      if (!session?.permissions.includes("sign")) throw fail("forbidden", `${session?.role} may not sign`);
      const out: QueueItem[] = [];
      for (const s of subjects.values())
        for (const [fk, inst] of s.forms) {
          if (inst.status !== "complete") continue;
          const sigs = signaturesOf(s, fk);
          const last = sigs[sigs.length - 1];
          if (last && !isBroken(s, last)) continue;
          const [e, f] = fk.split("/");
          const [event, er] = e.split(".");
          const [form, fr] = f.split(".");
          out.push({ form: { subject: s.summary.subject, event, event_repeat: Number(er), form, form_repeat: Number(fr) }, state: last ? "signature_broken" : "unsigned" });
        }
      return out;
    },
    audit_trail: (a) => {
      if (!session?.permissions.includes("reports")) throw fail("forbidden", `${session?.role} may not run reports`);
      const it = a.item as ItemRef | null;
      if (!it) throw fail("invalid_input", "the mock answers the history of one item only");
      return historyOf(it);
    },
    audit_log: (a) => {
      const subject = String(a.subject);
      const out: AuditEntry[] = [];
      for (const [k, lines] of itemHistory) {
        if (!k.startsWith(`${subject}/`)) continue;
        const [, e, f, g, it] = k.split("/");
        const [event, er] = e.split(".");
        const [form, fr] = f.split(".");
        const [group, gr] = g.split(".");
        const item = { subject, event, event_repeat: Number(er), form, form_repeat: Number(fr), group, group_repeat: Number(gr), item: it };
        for (const l of lines) {
          out.push({ id: l.event_id, seq: 0, kind: "value_set", subject, username: l.username, captured_at: l.captured_at, imported_at: null, payload: { type: "value_set", item, old: l.old || null, new: l.new || null, reason: l.reason || null }, hash: "" });
        }
      }
      return out;
    },
    queries: (a) => {
      const out: QueryThread[] = [];
      for (const [k, list] of queries) {
        const [subject, ...rest] = k.split("/");
        if (a.subject && a.subject !== subject) continue;
        for (const q of list) if (!a.status || q.status === a.status) out.push(threadOf(subject, rest.join("/"), q));
      }
      return out;
    },
    query_act: (a) => {
      const id = String(a.query);
      const text = typeof a.text === "string" ? a.text.trim() : "";
      if (!text) throw fail("invalid_input", "an answer needs a text (at most 1000 printable characters)");
      for (const [k, list] of queries) {
        const q = list.find((x) => x.query === id);
        if (!q) continue;
        if (a.action === "answer") {
          if (!session?.permissions.includes("answer_query")) throw fail("forbidden", `${session?.role} may not answer queries`);
          if (q.status === "closed") throw fail("invalid_input", `query ${id} is closed; a data manager can re-open it`);
          q.status = "answered";
        } else if (a.action === "close") q.status = "closed";
        else q.status = "open";
        const kind = a.action === "answer" ? "query_answered" : a.action === "close" ? "query_closed" : "query_reopened";
        threads.set(id, [...(threads.get(id) ?? threadOf("", k.split("/").slice(1).join("/"), q).thread), { kind, text, username: session?.username ?? "?", at: now() }]);
        const [subject, ...rest] = k.split("/");
        return threadOf(subject, rest.join("/"), q);
      }
      throw fail("not_found", `query ${id}`);
    },
  };

  /** The history of an item: what the mock recorded, else one line for a seeded value. */
  const historyOf = (it: ItemRef): AuditLine[] => {
    const ik = `${it.subject}/${it.event}.${it.event_repeat}/${it.form}.${it.form_repeat}/${it.group}.${it.group_repeat}/${it.item}`;
    const kept = itemHistory.get(ik);
    if (kept) return kept;
    const s = subjects.get(it.subject);
    const v = s?.forms.get(`${it.event}.${it.event_repeat}/${it.form}.${it.form_repeat}`)?.values.get(key(it.group, it.group_repeat, it.item));
    if (!s || v === undefined) return [];
    return [
      { event_id: `mock:1:S01:seed-${ik}`, subject: it.subject, kind: "value_set", target: ik, username: "nurse", full_name: "Wang Fang 王芳", captured_at: s.summary.enrolled_at, imported_at: null, old: "", new: shown(v), reason: "" },
    ];
  };
  // The seeded values' creations join the change log the mock answers `audit_log` with.
  for (const s of subjects.values())
    for (const [fk, inst] of s.forms)
      for (const k of inst.values.keys()) {
        const [g, r, it] = k.split("|");
        const [e, f] = fk.split("/");
        const [event, er] = e.split(".");
        const [form, fr] = f.split(".");
        const ir = { subject: s.summary.subject, event, event_repeat: Number(er), form, form_repeat: Number(fr), group: g, group_repeat: Number(r), item: it };
        const ik = `${s.summary.subject}/${fk}/${g}.${r}/${it}`;
        if (!itemHistory.has(ik)) itemHistory.set(ik, historyOf(ir));
      }
  // S01-001's day 0 heart rate was corrected after the signature: its history says so.
  {
    const ik = "S01-001/D0.1/VS.1/MAIN.1/HR";
    const first = itemHistory.get(ik)?.[0];
    if (first) {
      itemHistory.set(ik, [
        { ...first, new: "80" },
        { ...first, event_id: "mock:1:S01:hr-2", old: "80", new: "84", username: "nurse", full_name: "Wang Fang 王芳", captured_at: `${day(-5)}T09:20:00+08:00`, reason: "Transcription error: 84/min on the monitoring sheet" },
      ]);
    }
  }

  // The data manager's commands (queries, verification, locks, reports, exports).
  Object.assign(handlers, dmHandlers({ central, subjects: () => [...subjects.keys()] }));

  const clicks = (params.get("click") ?? "").split("|").filter(Boolean);
  if (clicks.length) void autopilot(clicks);

  mockIPC(
    async (cmd, payload) => {
      await new Promise((r) => setTimeout(r, 40));
      const a = (payload ?? {}) as Record<string, unknown>;
      const h = handlers[cmd];
      if (!h) throw fail("internal", `unknown command ${cmd}`);
      const open = ["node_info", "login", "session", "logout", "unlock"];
      if (!open.includes(cmd)) {
        if (!session) throw fail("unauthenticated", "Not signed in");
        if (lockedOnce && cmd !== "definition") {
          lockedOnce = false;
          locked = true;
        }
        if (locked) throw fail("session_locked", "The session is locked after inactivity");
      }
      return h(a);
    },
    { shouldMockEvents: true },
  );
}

/** Clicks each selector in turn, waiting (up to 15 s each) for it to appear; `SEL=>TEXT` types
 * TEXT into it instead (e.g. `#sign-password=>wrong`). */
async function autopilot(selectors: string[]): Promise<void> {
  for (const step of selectors) {
    const [sel, text] = step.split("=>");
    let el: HTMLElement | null = null;
    for (let i = 0; i < 300 && !el; i++) {
      await new Promise((r) => setTimeout(r, 50));
      el = document.querySelector<HTMLElement>(sel);
    }
    if (!el) {
      console.warn(`mock click: no ${sel}`);
      return;
    }
    el.focus();
    if (text !== undefined) {
      (el as HTMLInputElement).value = text;
      el.dispatchEvent(new Event("input", { bubbles: true }));
      await new Promise((r) => setTimeout(r, 50));
    } else el.click();
  }
}
