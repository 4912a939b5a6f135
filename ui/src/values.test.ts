import { describe, expect, it } from "vitest";
import { item } from "./test/fixtures";
import {
  FieldState,
  asciiDigits,
  emptyField,
  fromJson,
  localOffset,
  normalizeDate,
  normalizeDateTime,
  normalizeTime,
  parseNumber,
  showDateTime,
  tidy,
  toJson,
} from "./values";

const T = { en: "x", zh: "x" };
const f = (patch: Partial<FieldState>): FieldState => ({ ...emptyField(), ...patch });

describe("parseNumber", () => {
  it("reads plain, signed, decimal and exponent numbers", () => {
    expect(parseNumber("42")).toBe(42);
    expect(parseNumber(" -3.5 ")).toBe(-3.5);
    expect(parseNumber(".5")).toBe(0.5);
    expect(parseNumber("1e3")).toBe(1000);
    expect(parseNumber("12.")).toBe(12);
  });
  it("refuses what is not a number", () => {
    for (const s of ["", "abc", "1,5", "1.2.3", "12kg", "--1", "Infinity", "0x10"]) expect(parseNumber(s)).toBeNull();
  });
  it("accepts full-width digits from a Chinese input method", () => {
    expect(asciiDigits("１２３．５")).toBe("123.5");
    expect(parseNumber("１２３．５")).toBe(123.5);
  });
});

describe("dates and times", () => {
  it("normalises complete dates typed several ways", () => {
    expect(normalizeDate("2024-03-05", false)).toBe("2024-03-05");
    expect(normalizeDate("2024-3-5", false)).toBe("2024-03-05");
    expect(normalizeDate("2024/03/05", false)).toBe("2024-03-05");
    expect(normalizeDate("2024.3.5", false)).toBe("2024-03-05");
    expect(normalizeDate("20240305", false)).toBe("2024-03-05");
  });
  it("keeps partial dates only where allowed", () => {
    expect(normalizeDate("2024-3", true)).toBe("2024-03");
    expect(normalizeDate("202403", true)).toBe("2024-03");
    expect(normalizeDate("2024", true)).toBe("2024");
    expect(normalizeDate("2024-3", false)).toBe("2024-3");
  });
  it("leaves what it does not understand for the services to report", () => {
    expect(normalizeDate(" 5 March ", false)).toBe("5 March");
    // Half typed (the field left for a moment, e.g. by the idle lock): not padded into nonsense.
    expect(normalizeDate("2024-01-0", false)).toBe("2024-01-0");
    expect(normalizeDate("2024-0", true)).toBe("2024-0");
  });
  it("normalises times", () => {
    expect(normalizeTime("9:05")).toBe("09:05");
    expect(normalizeTime("1430")).toBe("14:30");
    expect(normalizeTime("14.30")).toBe("14:30");
    expect(normalizeTime("14:30:15")).toBe("14:30:15");
    expect(normalizeTime("soon")).toBe("soon");
  });
  it("date-times carry an offset: the one typed, or the one given", () => {
    expect(normalizeDateTime("2024-03-05 14:30", "+08:00")).toBe("2024-03-05T14:30+08:00");
    expect(normalizeDateTime("2024-03-05T14:30-0500")).toBe("2024-03-05T14:30-05:00");
    expect(normalizeDateTime("2024-03-05T14:30Z")).toBe("2024-03-05T14:30Z");
    expect(normalizeDateTime("20240305 1430", "+08:00")).toBe("2024-03-05T14:30+08:00");
    expect(normalizeDateTime("yesterday")).toBe("yesterday");
  });
  it("without an offset, this machine's offset is used", () => {
    expect(localOffset()).toMatch(/^[+-]\d\d:\d\d$/);
    const v = normalizeDateTime("2024-03-05 14:30");
    expect(v).toBe(`2024-03-05T14:30${localOffset(new Date("2024-03-05T14:30"))}`);
  });
  it("shows a stored date-time without this machine's own offset", () => {
    const here = localOffset(new Date("2024-03-05T14:30"));
    expect(showDateTime(`2024-03-05T14:30${here}`)).toBe("2024-03-05 14:30");
    const other = here === "+01:00" ? "+02:00" : "+01:00";
    expect(showDateTime(`2024-03-05T14:30${other}`)).toBe(`2024-03-05 14:30${other}`);
  });
});

describe("toJson: field state to the JSON value", () => {
  it("text, choice and note", () => {
    expect(toJson(item("A", T, "text"), f({ text: "  hello " }))).toBe("hello");
    expect(toJson(item("A", T, "choice"), f({ text: "Y" }))).toBe("Y");
    expect(toJson(item("A", T, "note"), f({ text: "a\nb" }))).toBe("a\nb");
  });
  it("numbers as numbers; unparseable input as typed", () => {
    expect(toJson(item("A", T, "integer"), f({ text: "7" }))).toBe(7);
    expect(toJson(item("A", T, "decimal"), f({ text: "36.6" }))).toBe(36.6);
    expect(toJson(item("A", T, "decimal"), f({ text: "36,6" }))).toBe("36,6");
    expect(toJson(item("A", T, "integer"), f({ text: "7.5" }))).toBe(7.5); // the services say "whole number"
  });
  it("booleans", () => {
    expect(toJson(item("A", T, "boolean"), f({ text: "true" }))).toBe(true);
    expect(toJson(item("A", T, "boolean"), f({ text: "false" }))).toBe(false);
  });
  it("dates, times and date-times", () => {
    expect(toJson(item("A", T, "date"), f({ text: "2024/3/5" }))).toBe("2024-03-05");
    expect(toJson(item("A", T, "date", { partial: true }), f({ text: "2024-3" }))).toBe("2024-03");
    expect(toJson(item("A", T, "time"), f({ text: "0730" }))).toBe("07:30");
    expect(toJson(item("A", T, "datetime"), f({ text: "2024-03-05 07:30+08:00" }))).toBe("2024-03-05T07:30+08:00");
  });
  it("empty is null (clears)", () => {
    for (const type of ["text", "integer", "date", "boolean", "choice"] as const) expect(toJson(item("A", T, type), f({ text: "  " }))).toBeNull();
  });
  it("special values", () => {
    const it_ = item("A", T, "decimal", { not_done: true, codes: ["UNK"], blq: true });
    expect(toJson(it_, f({ mode: "not_done", reason: " broken " }))).toEqual({ not_done: "broken" });
    expect(toJson(it_, f({ mode: "code", code: "UNK" }))).toEqual({ code: "UNK" });
    expect(toJson(it_, f({ mode: "blq", lloq: "10" }))).toEqual({ blq: 10 });
    expect(toJson(it_, f({ mode: "blq", lloq: "ten" }))).toEqual({ blq: "ten" });
  });
});

describe("fromJson: stored value to field state, and back", () => {
  const cases: Array<[ReturnType<typeof item>, unknown]> = [
    [item("A", T, "text"), "abc"],
    [item("A", T, "integer"), 12],
    [item("A", T, "decimal"), 36.6],
    [item("A", T, "boolean"), false],
    [item("A", T, "choice"), "N"],
    [item("A", T, "date", { partial: true }), "1979-06"],
    [item("A", T, "time"), "08:15"],
    [item("A", T, "decimal", { not_done: true }), { not_done: "no sample" }],
    [item("A", T, "integer", { codes: ["ND"] }), { code: "ND" }],
    [item("A", T, "decimal", { blq: true }), { blq: 0.5 }],
  ];
  it.each(cases)("round-trips %#", (it_, v) => {
    expect(toJson(it_, fromJson(it_, v))).toEqual(v);
  });
  it("shows a decimal with its digits", () => {
    expect(fromJson(item("A", T, "decimal", { digits: 1 }), 162).text).toBe("162.0");
    expect(fromJson(item("A", T, "decimal", { digits: 1 }), 92.5).text).toBe("92.5");
  });
  it("null is an empty field", () => {
    expect(fromJson(item("A", T, "text"), null)).toEqual(emptyField());
  });
});

describe("tidy", () => {
  it("rewrites dates, times and full-width numbers on leaving a field, never other text", () => {
    expect(tidy(item("A", T, "date"), "20240305")).toBe("2024-03-05");
    expect(tidy(item("A", T, "time"), "930")).toBe("930");
    expect(tidy(item("A", T, "time"), "9:30")).toBe("09:30");
    expect(tidy(item("A", T, "decimal"), "３６．６")).toBe("36.6");
    expect(tidy(item("A", T, "decimal"), "36,6")).toBe("36,6");
    expect(tidy(item("A", T, "text"), " as typed ")).toBe(" as typed ");
  });
});
