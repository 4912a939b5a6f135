import { afterEach, describe, expect, it } from "vitest";
import { hasKey, setLang } from "./i18n";
import { parseOverride, sameValue, scaleOf, valueText } from "./scales";

afterEach(() => setLang("en"));

describe("scales of derived values", () => {
  it("match the core's scales", () => {
    expect(scaleOf("crs_grade")).toEqual({ kind: "integer", min: 0, max: 5 });
    expect(scaleOf("icans_grade")).toEqual({ kind: "integer", min: 0, max: 4 });
    expect(scaleOf("all_response")).toEqual({ kind: "codes", codes: ["CR", "CRI", "MLFS", "PR", "NR", "PD", "RELAPSE"] });
    expect(scaleOf("lugano_overall")).toEqual({ kind: "codes", codes: ["CR", "PR", "SD", "PD"] });
    expect(scaleOf("lugano_ct")).toEqual({ kind: "codes", codes: ["CR", "PR", "SD", "PD"] });
    expect(scaleOf("lugano_pet")).toEqual({ kind: "codes", codes: ["CMR", "PMR", "NMR", "PMD"] });
    expect(scaleOf("mrd_status")).toEqual({ kind: "codes", codes: ["NEG", "POS", "NE"] });
    expect(scaleOf("bsa_mosteller")).toEqual({ kind: "number" });
  });

  it("have words for every code, in both languages", () => {
    for (const [fn, fam] of [["all_response", "all"], ["lugano_ct", "lugano"], ["lugano_pet", "pet"], ["mrd_status", "mrd"]]) {
      const s = scaleOf(fn);
      if (s.kind !== "codes") throw new Error(fn);
      for (const c of s.codes) expect(hasKey(`scale.${fam}.${c}`), `${fam}.${c}`).toBe(true);
    }
    for (const st of ["complete", "in_progress", "due", "overdue", "upcoming", "not_expected"]) expect(hasKey(`visit.${st}`)).toBe(true);
  });

  it("read values in words", () => {
    expect(valueText("crs_grade", 0)).toBe("No CRS (grade 0)");
    expect(valueText("crs_grade", 3)).toBe("Grade 3 (ASTCT)");
    expect(valueText("icans_grade", 2)).toBe("Grade 2 (ASTCT)");
    expect(valueText("all_response", "CRI")).toBe("CRi — complete remission with incomplete count recovery");
    expect(valueText("lugano_ct", { response: "PR", spd: 12.5 })).toBe("PR — partial response");
    expect(valueText("bsa_mosteller", 1.71, "m²")).toBe("1.71 m²");
    expect(valueText("crs_grade", null)).toBe("not derivable");
    setLang("zh");
    expect(valueText("crs_grade", 3)).toBe("3 级（ASTCT）");
    expect(valueText("mrd_status", "NEG")).toBe("MRD 阴性");
  });

  it("turn what was picked or typed into the value to send", () => {
    expect(parseOverride(scaleOf("crs_grade"), "4")).toEqual({ value: 4 });
    expect(parseOverride(scaleOf("crs_grade"), "6")).toEqual({ error: "override.valueMissing" });
    expect(parseOverride(scaleOf("crs_grade"), "")).toEqual({ error: "override.valueMissing" });
    expect(parseOverride(scaleOf("all_response"), "MLFS")).toEqual({ value: "MLFS" });
    expect(parseOverride(scaleOf("all_response"), "CRi")).toEqual({ error: "override.valueMissing" });
    expect(parseOverride(scaleOf("bmi"), "23,4")).toEqual({ value: 23.4 });
    expect(parseOverride(scaleOf("bmi"), "1e3")).toEqual({ error: "override.notNumber" });
  });

  it("compare values regardless of key order", () => {
    expect(sameValue({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 })).toBe(true);
    expect(sameValue(2, 3)).toBe(false);
    expect(sameValue(null, undefined)).toBe(true);
  });
});
