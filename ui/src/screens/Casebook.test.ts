import { describe, expect, it } from "vitest";
import type { Casebook } from "../bindings/Casebook";
import type { Definition } from "../bindings/Definition";
import { definition, form } from "../test/fixtures";
import { cellKey, cells, columns } from "./Casebook";

const def: Definition = {
  ...definition,
  forms: [form, { ...form, id: "AE", name: { en: "Adverse event", zh: "不良事件" }, repeating: true }],
  events: [
    { id: "SCR", name: { en: "Screening", zh: "筛选期" }, anchor: "enrolment", day: 0, window: [0, 28], repeating: false, forms: ["TEST"] },
    { id: "UNS", name: { en: "Unscheduled", zh: "计划外" }, anchor: "none", day: null, window: null, repeating: true, forms: ["TEST", "AE"] },
  ],
};
const subject = { subject: "S01-001", site: "S01", enrolled_at: "2025-01-01T00:00:00+08:00", definition_version: "1.0", forms_started: 0, forms_complete: 0, eligibility: null };
const fr = (event: string, er: number, f: string, n: number) => ({ subject: "S01-001", event, event_repeat: er, form: f, form_repeat: n });

describe("casebook grid", () => {
  it("an untouched casebook: one column per event, every planned form not started", () => {
    const cb: Casebook = { subject, forms: [] };
    const cols = columns(def, cb);
    expect(cols.map((c) => `${c.event.id}.${c.repeat}${c.isNew ? "+" : ""}`)).toEqual(["SCR.1", "UNS.1"]);
    expect(cells(def, cb, cols[0], "TEST").map((c) => [cellKey(c.ref), c.status])).toEqual([["SCR.1/TEST.1", "not_started"]]);
    expect(cells(def, cb, cols[0], "AE")).toEqual([]); // not planned at screening
  });

  it("a started repeating event offers a new repeat; a started repeating form a new instance", () => {
    const cb: Casebook = {
      subject,
      forms: [
        { form: fr("UNS", 1, "AE", 1), status: "complete", signature: null, open_queries: 0, locked: false, verified: false },
        { form: fr("UNS", 1, "AE", 2), status: "in_progress", signature: null, open_queries: 0, locked: false, verified: false },
      ],
    };
    const cols = columns(def, cb);
    expect(cols.map((c) => `${c.event.id}.${c.repeat}${c.isNew ? "+" : ""}`)).toEqual(["SCR.1", "UNS.1", "UNS.2+"]);
    const ae = cells(def, cb, cols[1], "AE");
    expect(ae.map((c) => [cellKey(c.ref), c.status, c.isNew])).toEqual([
      ["UNS.1/AE.1", "complete", false],
      ["UNS.1/AE.2", "in_progress", false],
      ["UNS.1/AE.3", "not_started", true],
    ]);
    expect(cells(def, cb, cols[2], "AE").map((c) => cellKey(c.ref))).toEqual(["UNS.2/AE.1"]);
  });
});
