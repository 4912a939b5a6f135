// Test fixtures: a small study definition exercising every kind of item the renderer draws.

import type { Codelist } from "../bindings/Codelist";
import type { Definition } from "../bindings/Definition";
import type { FormDef } from "../bindings/FormDef";
import type { ItemDef } from "../bindings/ItemDef";
import type { SessionInfo } from "../bindings/SessionInfo";
import type { Text } from "../bindings/Text";

export const T = (en: string, zh: string): Text => ({ en, zh });

export function item(id: string, label: Text, type: ItemDef["type"], more: Partial<ItemDef> = {}): ItemDef {
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

export const codelists: Codelist[] = [
  { id: "SEX", choices: [{ code: "M", en: "Male", zh: "男" }, { code: "F", en: "Female", zh: "女" }] },
  { id: "NY", choices: [{ code: "Y", en: "Yes", zh: "是" }, { code: "N", en: "No", zh: "否" }] },
  {
    id: "ROUTE",
    choices: [
      { code: "PO", en: "Oral", zh: "口服" },
      { code: "IV", en: "Intravenous", zh: "静脉注射" },
      { code: "SC", en: "Subcutaneous", zh: "皮下注射" },
      { code: "IM", en: "Intramuscular", zh: "肌内注射" },
      { code: "INH", en: "Inhaled", zh: "吸入" },
    ],
  },
];

export const form: FormDef = {
  id: "TEST",
  name: T("Test visit", "测试访视"),
  repeating: false,
  groups: [
    { id: "VITAL", name: T("Vital signs", "生命体征"), repeating: false, max: null },
    { id: "CM", name: T("Concomitant medication", "合并用药"), repeating: true, max: 3 },
  ],
  items: [
    item("VISDAT", T("Visit date", "访视日期"), "date", { required: true, help: T("As on the source document", "以原始文件为准") }),
    item("SEX", T("Sex", "性别"), "choice", { codelist: "SEX", required: true }),
    item("PREG", T("Pregnant", "妊娠"), "choice", { codelist: "NY", when: "SEX == 'F'" }),
    item("WEIGHT", T("Weight", "体重"), "decimal", { unit: "kg", digits: 1, not_done: true }),
    item("SMOKER", T("Current smoker", "目前吸烟"), "boolean"),
    item("TEMP", T("Temperature", "体温"), "decimal", { group: "VITAL", unit: "°C", digits: 1 }),
    item("HR", T("Heart rate", "心率"), "integer", { group: "VITAL", unit: "/min", codes: ["ND", "UNK"] }),
    item("CRP", T("C-reactive protein", "C 反应蛋白"), "decimal", { group: "VITAL", unit: "mg/L", blq: true }),
    item("VSTIM", T("Time measured", "测量时间"), "time", { group: "VITAL" }),
    item("VSDTC", T("Date-time of the ECG", "心电图日期时间"), "datetime", { group: "VITAL" }),
    item("COMMENT", T("Comment", "备注"), "note", { group: "VITAL" }),
    item("CMTRT", T("Medication", "药物名称"), "text", { group: "CM", required: true }),
    item("CMROUTE", T("Route", "给药途径"), "choice", { group: "CM", codelist: "ROUTE" }),
    item("CMSTDAT", T("Start date", "开始日期"), "date", { group: "CM", partial: true }),
    item("CMONG", T("Ongoing", "仍在使用"), "boolean", { group: "CM" }),
  ],
  checks: [],
  derived: [{ id: "BMI", label: T("Body-mass index", "体重指数"), function: "bmi", inputs: {}, unit: "kg/m²", overridable: false }],
};

export const definition: Definition = {
  study: { id: "STUDY-1", version: "1.0", name: T("A test study", "测试研究"), protocol: null, sponsor: null },
  parameters: {},
  codelists,
  events: [
    { id: "SCR", name: T("Screening", "筛选期"), anchor: "enrolment", day: 0, window: [0, 28], repeating: false, forms: ["TEST"] },
    { id: "FU", name: T("Follow-up", "随访"), anchor: "none", day: null, window: null, repeating: true, forms: ["TEST"] },
  ],
  forms: [form],
  sha256: "0".repeat(64),
};

export const nurse: SessionInfo = {
  username: "nurse1",
  full_name: "Li Na",
  role: "nurse",
  permissions: ["view_data", "enrol", "enter_data", "answer_query"],
  idle_minutes: 15,
};
