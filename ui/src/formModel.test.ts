import { describe, expect, it } from "vitest";
import { addRow, initState, isDirty, markSaved, nextRow, removeRow, sections, setField, valuesToSend } from "./formModel";
import { form } from "./test/fixtures";
import { emptyField } from "./values";

const saved = [
  { group: "MAIN", repeat: 1, item: "VISDAT", value: "2024-03-05" },
  { group: "MAIN", repeat: 1, item: "WEIGHT", value: 70 },
  { group: "CM", repeat: 2, item: "CMTRT", value: "Aspirin" },
];

describe("form model", () => {
  it("sections follow the order items appear; MAIN first here, named after the form", () => {
    const s = sections(form);
    expect(s.map((x) => x.group.id)).toEqual(["MAIN", "VITAL", "CM"]);
    expect(s[0].group.name.en).toBe("Test visit");
    expect(s[2].group.repeating).toBe(true);
    expect(s[2].items.map((i) => i.id)).toEqual(["CMTRT", "CMROUTE", "CMSTDAT", "CMONG"]);
  });

  it("loads stored values, rows from the repeats present", () => {
    const st = initState(form, saved);
    expect(st.rows.CM).toEqual([2]);
    expect(isDirty(form, st)).toBe(false);
    // Untouched values are sent exactly as stored.
    expect(valuesToSend(form, st)).toEqual([
      { group: "CM", repeat: 2, item: "CMTRT", value: "Aspirin" },
      { group: "MAIN", repeat: 1, item: "VISDAT", value: "2024-03-05" },
      { group: "MAIN", repeat: 1, item: "WEIGHT", value: 70 },
    ]);
  });

  it("an edit makes the form dirty; typing the saved value back does not", () => {
    let st = initState(form, saved);
    st = setField(st, { group: "MAIN", repeat: 1, item: "WEIGHT" }, { ...emptyField(), text: "71" });
    expect(isDirty(form, st)).toBe(true);
    st = setField(st, { group: "MAIN", repeat: 1, item: "WEIGHT" }, { ...emptyField(), text: "70.0" });
    expect(isDirty(form, st)).toBe(false);
  });

  it("new rows take the next number; the group's max stops them", () => {
    let st = initState(form, saved);
    expect(nextRow(form, st, "CM")).toBe(3);
    st = addRow(form, st, "CM");
    st = addRow(form, st, "CM");
    expect(st.rows.CM).toEqual([2, 3, 4]);
    expect(nextRow(form, st, "CM")).toBeNull();
    expect(addRow(form, st, "CM")).toBe(st);
  });

  it("removing a row nulls what was saved in it and drops what was not", () => {
    let st = initState(form, saved);
    st = addRow(form, st, "CM");
    st = setField(st, { group: "CM", repeat: 3, item: "CMTRT" }, { ...emptyField(), text: "New" });
    st = removeRow(form, st, "CM", 3);
    st = removeRow(form, st, "CM", 2);
    expect(st.rows.CM).toEqual([]);
    const cm = valuesToSend(form, st).filter((v) => v.group === "CM");
    expect(cm).toEqual([{ group: "CM", repeat: 2, item: "CMTRT", value: null }]);
  });

  it("after a save the sent values are the saved ones; edits made meanwhile stay dirty", () => {
    let st = initState(form, saved);
    st = setField(st, { group: "MAIN", repeat: 1, item: "WEIGHT" }, { ...emptyField(), text: "72" });
    const sent = valuesToSend(form, st);
    // The user goes on typing while the save is under way.
    st = setField(st, { group: "MAIN", repeat: 1, item: "VISDAT" }, { ...emptyField(), text: "2024-03-06" });
    st = markSaved(form, st, sent);
    expect(st.saved[Object.keys(st.saved).find((k) => k.includes("WEIGHT"))!]).toBe(72);
    expect(isDirty(form, st)).toBe(true);
    expect(valuesToSend(form, st).find((v) => v.item === "VISDAT")?.value).toBe("2024-03-06");
    st = markSaved(form, st, valuesToSend(form, st));
    expect(isDirty(form, st)).toBe(false);
  });
});
