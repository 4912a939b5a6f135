import { afterEach, describe, expect, it } from "vitest";
import type { AuditLine } from "../bindings/AuditLine";
import { setLang } from "../i18n";
import { codelists, form } from "../test/fixtures";
import { eventWords, fromAuditLines, valueWords } from "./HistoryDialog";

afterEach(() => setLang("en"));

const line = (o: Partial<AuditLine>): AuditLine => ({
  event_id: "n:1:S01:1",
  subject: "S01-001",
  kind: "value_set",
  target: "S01-001/SCR.1/TEST.1/MAIN.1/WEIGHT",
  username: "nurse1",
  full_name: "Li Na",
  captured_at: "2025-03-01T09:00:00Z",
  imported_at: null,
  old: "",
  new: "70",
  reason: "",
  ...o,
});

describe("item history in words", () => {
  it("value changes: who, old → new; queries without their ids", () => {
    const [v, q, a] = fromAuditLines([
      line({}),
      line({ kind: "query_opened", new: "query 9af23c4a-56ae-4a8b-a065-71b9511734e4 opened (VS-03): Please check" }),
      line({ kind: "query_answered", new: "answered: Checked", username: "dr.chen", full_name: "Dr Chen" }),
    ]);
    expect(v.who).toBe("Li Na (nurse1)");
    expect(v.change).toEqual({ old: "", new: "70" });
    expect(q.change).toBeNull();
    expect(q.what).toBe("Query: Please check");
    expect(a.what).toBe("Answer: Checked");
    expect(eventWords("source_verified", "source data verified")).toBe("Source data verified");
    setLang("zh");
    expect(eventWords("query_answered", "answered: 已核对")).toBe("回复：已核对");
  });

  it("values read as a person reads them: choice labels, units, not done", () => {
    const weight = form.items.find((i) => i.id === "WEIGHT")!;
    const sex = form.items.find((i) => i.id === "SEX")!;
    const smoker = form.items.find((i) => i.id === "SMOKER")!;
    expect(valueWords(weight, codelists, "70.5")).toBe("70.5 kg");
    expect(valueWords(weight, codelists, "NOT DONE: scale broken")).toBe("Not done: scale broken");
    expect(valueWords(sex, codelists, "F")).toBe("Female");
    expect(valueWords(smoker, codelists, "true")).toBe("Yes");
    expect(valueWords(sex, codelists, "")).toBe("(empty)");
  });
});
