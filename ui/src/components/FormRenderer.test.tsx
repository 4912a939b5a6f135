import { useState } from "preact/hooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Finding } from "../bindings/Finding";
import type { Slot } from "../bindings/Slot";
import type { ValueEntry } from "../bindings/ValueEntry";
import { EditState, addRow, initState, removeRow, setField, valuesToSend } from "../formModel";
import { setLang } from "../i18n";
import { codelists, form } from "../test/fixtures";
import { $, Mounted, blur, choose, click, mount, press, type } from "../test/util";
import { FormRenderer } from "./FormRenderer";

let latest: EditState;

function Harness(p: { hidden?: Slot[]; findings?: Finding[]; initial?: ValueEntry[]; readOnly?: boolean; onHistory?: (s: Slot) => void; verified?: Set<string> }) {
  const [st, setSt] = useState(() => initState(form, p.initial ?? []));
  latest = st;
  return (
    <div>
      <FormRenderer
        form={form}
        codelists={codelists}
        state={st}
        hidden={p.hidden}
        findings={p.findings ?? []}
        readOnly={p.readOnly}
        onField={(slot, f) => setSt((s) => setField(s, slot, f))}
        onAddRow={(g) => setSt((s) => addRow(form, s, g))}
        onRemoveRow={(g, r) => setSt((s) => removeRow(form, s, g, r))}
        afterLast={() => document.getElementById("after")}
        onHistory={p.onHistory}
        verified={p.verified}
      />
      <button id="after">Save</button>
    </div>
  );
}

const sent = () => valuesToSend(form, latest);
const valueOf = (item: string, group = "MAIN", repeat = 1) =>
  sent().find((v) => v.item === item && v.group === group && v.repeat === repeat)?.value;

let m: Mounted;
beforeEach(() => setLang("en"));
afterEach(() => m?.unmount());

describe("FormRenderer: widgets drawn from the definition", () => {
  it("draws a widget per item type, carrying the item, group and repeat", () => {
    m = mount(<Harness hidden={[{ group: "MAIN", repeat: 1, item: "PREG" }]} />);
    const r = m.root;
    // Date: a text input with the date pattern as placeholder.
    const visdat = $<HTMLInputElement>(r, "input[data-item=VISDAT]");
    expect(visdat.type).toBe("text");
    expect(visdat.placeholder).toBe("YYYY-MM-DD");
    expect(visdat.dataset.group).toBe("MAIN");
    expect(visdat.dataset.repeat).toBe("1");
    // A short codelist: radios, one per choice, valued with the codes.
    const sex = r.querySelectorAll<HTMLInputElement>("input[data-item=SEX]");
    expect([...sex].map((x) => [x.type, x.value])).toEqual([
      ["radio", "M"],
      ["radio", "F"],
    ]);
    // Boolean: Yes / No radios valued true / false.
    const smoker = r.querySelectorAll<HTMLInputElement>("input[data-item=SMOKER]");
    expect([...smoker].map((x) => x.value)).toEqual(["true", "false"]);
    // Decimal: a text input with decimal keyboard and its unit beside it.
    const weight = $<HTMLInputElement>(r, "input[data-item=WEIGHT][data-part=value]");
    expect(weight.inputMode).toBe("decimal");
    expect(weight.closest(".field-line")!.querySelector(".unit")!.textContent).toBe("kg");
    // A repeating group starts with no rows; a long codelist (5 choices) is a select whose
    // first option is empty.
    expect(r.querySelector("[data-item=CMROUTE]")).toBeNull();
    click($(r, "button[data-add-row=CM]"));
    const route = $<HTMLSelectElement>(r, "select[data-item=CMROUTE][data-repeat='1']");
    expect([...route.options].map((o) => o.value)).toEqual(["", "PO", "IV", "SC", "IM", "INH"]);
    expect(route.options[1].textContent).toBe("Oral");
    // Note: a textarea; time: HH:MM.
    expect($(r, "[data-item=COMMENT]").tagName).toBe("TEXTAREA");
    expect($<HTMLInputElement>(r, "input[data-item=VSTIM]").placeholder).toBe("HH:MM");
  });

  it("does not draw an item its condition hides, and draws it once it applies", () => {
    m = mount(<Harness hidden={[{ group: "MAIN", repeat: 1, item: "PREG" }]} />);
    expect(m.root.querySelector("[data-item=PREG]")).toBeNull();
    m.unmount();
    m = mount(<Harness hidden={[]} />);
    expect(m.root.querySelectorAll("input[data-item=PREG]").length).toBe(2);
  });

  it("leaves out a section none of whose items applies", () => {
    const vital = form.items.filter((i) => i.group === "VITAL").map((i) => ({ group: "VITAL", repeat: 1, item: i.id }));
    m = mount(<Harness hidden={vital} />);
    expect(m.root.querySelector("[data-section=VITAL]")).toBeNull();
    expect(m.root.querySelector("[data-section=MAIN]")).not.toBeNull();
  });

  it("shows a hidden item that still holds a value, marked as not applicable, with a Clear button", () => {
    m = mount(<Harness hidden={[{ group: "MAIN", repeat: 1, item: "PREG" }]} initial={[{ group: "MAIN", repeat: 1, item: "PREG", value: "Y" }]} />);
    const row = $(m.root, "[data-item-row=PREG]");
    expect(row.classList.contains("not-applicable")).toBe(true);
    expect(row.textContent).toContain("Does not apply");
    click($(row, "button.link"));
    expect(valueOf("PREG")).toBeNull();
  });

  it("labels items in the current language, with required marker, help text and group headings", () => {
    m = mount(<Harness />);
    const label = $(m.root, "[data-item-row=VISDAT] label");
    expect(label.textContent).toBe("Visit date*");
    expect($(m.root, "[data-item-row=VISDAT] .help").textContent).toBe("As on the source document");
    expect([...m.root.querySelectorAll(".group-heading")].map((h) => h.textContent)).toEqual(["Vital signs", "Concomitant medication"]);
    expect($(m.root, "[data-item-row=SEX]").textContent).toContain("Female");
    m.unmount();

    setLang("zh");
    m = mount(<Harness />);
    expect($(m.root, "[data-item-row=VISDAT] label").textContent).toBe("访视日期*");
    expect($(m.root, "[data-item-row=VISDAT] .help").textContent).toBe("以原始文件为准");
    expect([...m.root.querySelectorAll(".group-heading")].map((h) => h.textContent)).toEqual(["生命体征", "合并用药"]);
    expect($(m.root, "[data-item-row=SEX]").textContent).toContain("女");
    expect($(m.root, "[data-item-row=SMOKER]").textContent).toContain("是");
    expect($(m.root, "[data-item-row=WEIGHT] .unit").textContent).toBe("kg");
  });

  it("links each label to its input", () => {
    m = mount(<Harness />);
    const label = $<HTMLLabelElement>(m.root, "[data-item-row=WEIGHT] label");
    expect(document.getElementById(label.htmlFor)?.dataset.item).toBe("WEIGHT");
  });
});

describe("FormRenderer: typing produces the values the services take", () => {
  it("dates, decimals, integers, choices, booleans, text", () => {
    m = mount(<Harness />);
    const r = m.root;
    type($(r, "input[data-item=VISDAT]"), "2024-03-05");
    type($(r, "input[data-item=WEIGHT][data-part=value]"), "72.5");
    type($(r, "input[data-item=HR][data-part=value]"), "88");
    click($(r, "input[data-item=SEX][value=F]"));
    click($(r, "input[data-item=SMOKER][value=false]"));
    type($(r, "[data-item=COMMENT]"), "line one\nline two");
    expect(valueOf("VISDAT")).toBe("2024-03-05");
    expect(valueOf("WEIGHT")).toBe(72.5);
    expect(valueOf("HR", "VITAL")).toBe(88);
    expect(valueOf("SEX")).toBe("F");
    expect(valueOf("SMOKER")).toBe(false);
    expect(valueOf("COMMENT", "VITAL")).toBe("line one\nline two");
    // A number that does not parse goes as typed, for the services to report.
    type($(r, "input[data-item=WEIGHT][data-part=value]"), "72,5");
    expect(valueOf("WEIGHT")).toBe("72,5");
    // Clearing sends null.
    type($(r, "input[data-item=VISDAT]"), "");
    expect(valueOf("VISDAT")).toBeUndefined(); // never saved, empty: not sent at all
  });

  it("tidies a date typed without separators when the field is left", () => {
    m = mount(<Harness />);
    const el = $<HTMLInputElement>(m.root, "input[data-item=VISDAT]");
    type(el, "20240305");
    expect(valueOf("VISDAT")).toBe("2024-03-05");
    blur(el);
    expect(el.value).toBe("2024-03-05");
  });

  it("a datetime gets an offset, a time is HH:MM", () => {
    m = mount(<Harness />);
    type($(m.root, "input[data-item=VSTIM]"), "930");
    expect(valueOf("VSTIM", "VITAL")).toBe("930"); // 3 digits: not a time, sent as typed
    type($(m.root, "input[data-item=VSTIM]"), "0930");
    expect(valueOf("VSTIM", "VITAL")).toBe("09:30");
    type($(m.root, "input[data-item=VSDTC]"), "2024-03-05 14:30+08:00");
    expect(valueOf("VSDTC", "VITAL")).toBe("2024-03-05T14:30+08:00");
    type($(m.root, "input[data-item=VSDTC]"), "2024-03-05 14:30");
    expect(valueOf("VSDTC", "VITAL")).toMatch(/^2024-03-05T14:30(Z|[+-]\d\d:\d\d)$/);
  });

  it("not done, a missing-value code and BLQ where the item allows them", () => {
    m = mount(<Harness />);
    const r = m.root;
    // Only items that allow a special value have the control.
    expect(r.querySelector("select[data-item=VISDAT][data-part=special]")).toBeNull();
    choose($(r, "select[data-item=WEIGHT][data-part=special]"), "not_done");
    expect($<HTMLInputElement>(r, "input[data-item=WEIGHT][data-part=value]").hidden).toBe(true);
    type($(r, "input[data-item=WEIGHT][data-part=reason]"), "scale broken");
    expect(valueOf("WEIGHT")).toEqual({ not_done: "scale broken" });

    const hrSpecial = $<HTMLSelectElement>(r, "select[data-item=HR][data-part=special]");
    expect([...hrSpecial.options].map((o) => o.value)).toEqual(["value", "code:ND", "code:UNK"]);
    choose(hrSpecial, "code:UNK");
    expect(valueOf("HR", "VITAL")).toEqual({ code: "UNK" });

    choose($(r, "select[data-item=CRP][data-part=special]"), "blq");
    type($(r, "input[data-item=CRP][data-part=lloq]"), "0.5");
    expect(valueOf("CRP", "VITAL")).toEqual({ blq: 0.5 });

    // Back to a plain value.
    choose(hrSpecial, "value");
    type($(r, "input[data-item=HR][data-part=value]"), "70");
    expect(valueOf("HR", "VITAL")).toBe(70);
  });
});

describe("FormRenderer: repeating groups", () => {
  const initial: ValueEntry[] = [
    { group: "CM", repeat: 1, item: "CMTRT", value: "Paracetamol" },
    { group: "CM", repeat: 1, item: "CMROUTE", value: "PO" },
    { group: "CM", repeat: 2, item: "CMTRT", value: "Tocilizumab" },
  ];

  it("draws one row per repeat, with the row's values", () => {
    m = mount(<Harness initial={initial} />);
    const rows = m.root.querySelectorAll("[data-repeating-group=CM] tbody tr[data-row]");
    expect(rows.length).toBe(2);
    expect($<HTMLInputElement>(m.root, "input[data-item=CMTRT][data-repeat='2']").value).toBe("Tocilizumab");
    expect($<HTMLSelectElement>(m.root, "select[data-item=CMROUTE][data-repeat='1']").value).toBe("PO");
    // Column headings are the item labels (with units).
    const heads = [...m.root.querySelectorAll("[data-repeating-group=CM] thead th")].map((h) => h.textContent);
    expect(heads).toContain("Medication*");
  });

  it("adds a row with the button, values go to the new repeat, and stops at the group's max", () => {
    m = mount(<Harness initial={initial} />);
    click($(m.root, "button[data-add-row=CM]"));
    const input = $<HTMLInputElement>(m.root, "input[data-item=CMTRT][data-repeat='3']");
    type(input, "Dexamethasone");
    choose($(m.root, "select[data-item=CMROUTE][data-repeat='3']"), "IV");
    expect(valueOf("CMTRT", "CM", 3)).toBe("Dexamethasone");
    expect(valueOf("CMROUTE", "CM", 3)).toBe("IV");
    // max = 3
    expect($<HTMLButtonElement>(m.root, "button[data-add-row=CM]").disabled).toBe(true);
  });

  it("Ctrl+Enter in a row adds a row and focuses its first field", () => {
    m = mount(<Harness initial={initial} />);
    const el = $<HTMLInputElement>(m.root, "input[data-item=CMTRT][data-repeat='2']");
    el.focus();
    const e = press(el, "Enter", { ctrlKey: true });
    expect(e.defaultPrevented).toBe(true);
    const added = $<HTMLInputElement>(m.root, "input[data-item=CMTRT][data-repeat='3']");
    expect(document.activeElement).toBe(added);
  });

  it("Ctrl+Delete removes the row the focus is in after confirming; the focus goes to the next row", () => {
    m = mount(<Harness initial={initial} />);
    const el = $<HTMLSelectElement>(m.root, "select[data-item=CMROUTE][data-repeat='1']");
    el.focus();
    const e = press(el, "Delete", { ctrlKey: true });
    expect(e.defaultPrevented).toBe(true);
    expect(document.activeElement?.id).toBe("remove-row-ok");
    // Escape keeps the row.
    press($(m.root, "#remove-row-ok"), "Escape");
    expect(m.root.querySelector("#remove-row-dialog")).toBeNull();
    expect(m.root.querySelector("[data-item=CMTRT][data-repeat='1']")).not.toBeNull();
    press($(m.root, "select[data-item=CMROUTE][data-repeat='1']"), "Delete", { ctrlKey: true });
    click($(m.root, "#remove-row-ok"));
    expect(m.root.querySelector("[data-item=CMTRT][data-repeat='1']")).toBeNull();
    expect(valueOf("CMTRT", "CM", 1)).toBeNull();
    expect(document.activeElement).toBe($(m.root, "input[data-item=CMTRT][data-repeat='2']"));
  });

  it("Ctrl+Delete in an empty row removes it at once; the last row gone, Add row has the focus", () => {
    m = mount(<Harness initial={[]} />);
    click($(m.root, "button[data-add-row=CM]"));
    const el = $<HTMLInputElement>(m.root, "input[data-item=CMTRT][data-repeat='1']");
    expect(document.activeElement).toBe(el);
    press(el, "Delete", { ctrlKey: true });
    expect(m.root.querySelector("#remove-row-dialog")).toBeNull();
    expect(m.root.querySelector("[data-item=CMTRT][data-repeat='1']")).toBeNull();
    expect(document.activeElement).toBe($(m.root, "button[data-add-row=CM]"));
    // Ctrl+Delete outside a table does nothing.
    const visdat = $<HTMLInputElement>(m.root, "input[data-item=VISDAT]");
    expect(press(visdat, "Delete", { ctrlKey: true }).defaultPrevented).toBe(false);
  });

  it("removing a saved row sends its values as null and keeps the other rows' numbers", () => {
    m = mount(<Harness initial={initial} />);
    click($(m.root, "button[data-remove-row='CM.1']"));
    // The row holds values: removing it asks first; Cancel keeps it.
    expect($(m.root, "#remove-row-dialog").textContent).toContain("Row 1 of “Concomitant medication”");
    click($(m.root, "#remove-row-cancel"));
    expect(m.root.querySelector("#remove-row-dialog")).toBeNull();
    expect(m.root.querySelector("[data-item=CMTRT][data-repeat='1']")).not.toBeNull();
    click($(m.root, "button[data-remove-row='CM.1']"));
    expect(document.activeElement?.id).toBe("remove-row-ok");
    click($(m.root, "#remove-row-ok"));
    expect(m.root.querySelector("#remove-row-dialog")).toBeNull();
    expect(m.root.querySelector("[data-item=CMTRT][data-repeat='1']")).toBeNull();
    expect($<HTMLInputElement>(m.root, "input[data-item=CMTRT][data-repeat='2']").value).toBe("Tocilizumab");
    expect(valueOf("CMTRT", "CM", 1)).toBeNull();
    expect(valueOf("CMROUTE", "CM", 1)).toBeNull();
    expect(valueOf("CMTRT", "CM", 2)).toBe("Tocilizumab");
  });
});

describe("FormRenderer: history and verification", () => {
  const initial: ValueEntry[] = [
    { group: "MAIN", repeat: 1, item: "VISDAT", value: "2025-03-01" },
    { group: "CM", repeat: 2, item: "CMTRT", value: "Tocilizumab" },
  ];

  it("Alt+H on a field asks for its history, in a table row too", () => {
    const asked: Slot[] = [];
    m = mount(<Harness initial={initial} onHistory={(s) => asked.push(s)} />);
    const e = press($(m.root, "input[data-item=VISDAT]"), "h", { altKey: true });
    expect(e.defaultPrevented).toBe(true);
    press($(m.root, "input[data-item=CMTRT][data-repeat='2']"), "H", { altKey: true });
    expect(asked).toEqual([
      { group: "MAIN", repeat: 1, item: "VISDAT" },
      { group: "CM", repeat: 2, item: "CMTRT" },
    ]);
  });

  it("a history button beside each item with a saved value, out of the Tab order", () => {
    const asked: Slot[] = [];
    m = mount(<Harness initial={initial} onHistory={(s) => asked.push(s)} />);
    const btn = $<HTMLButtonElement>(m.root, "[data-history-open=VISDAT]");
    expect(btn.tabIndex).toBe(-1);
    expect(m.root.querySelector("[data-history-open=SEX]")).toBeNull(); // nothing saved
    click(btn);
    expect(asked).toEqual([{ group: "MAIN", repeat: 1, item: "VISDAT" }]);
  });

  it("marks items whose source data are verified", () => {
    m = mount(<Harness initial={initial} verified={new Set(["MAIN\u00001\u0000VISDAT"])} />);
    expect($(m.root, "[data-verified-item=VISDAT]").textContent).toContain("verified");
    expect(m.root.querySelector("[data-verified-item=SEX]")).toBeNull();
  });
});

describe("FormRenderer: findings and keyboard", () => {
  it("shows findings next to their item, errors and warnings apart", () => {
    const findings: Finding[] = [
      { item: "WEIGHT", group: "MAIN", repeat: 1, rule: "soft_range", severity: "warning", message: { en: "Weight looks high", zh: "体重偏高" } },
      { item: "CMTRT", group: "CM", repeat: 2, rule: "required", severity: "error", message: { en: "Medication is required", zh: "药物名称为必填项" } },
    ];
    m = mount(<Harness findings={findings} initial={[{ group: "CM", repeat: 2, item: "CMROUTE", value: "IV" }]} />);
    const w = $(m.root, "[data-finding=WEIGHT]");
    expect(w.classList.contains("warning")).toBe(true);
    expect(w.textContent).toContain("Weight looks high");
    expect(w.closest("[data-item-row]")?.getAttribute("data-item-row")).toBe("WEIGHT");
    const e = $(m.root, "[data-finding=CMTRT]");
    expect(e.classList.contains("error")).toBe(true);
    expect(e.closest("tr")?.getAttribute("data-row")).toBe("2");
    expect($(m.root, "input[data-item=CMTRT][data-repeat='2']").getAttribute("aria-invalid")).toBe("true");
  });

  it("beside its field, a message leaves out the item's label it starts with", () => {
    const findings: Finding[] = [
      { item: "HR", group: "VITAL", repeat: 1, rule: "type", severity: "error", message: { en: "Heart rate: expected a whole number", zh: "心率：应为整数" } },
    ];
    m = mount(<Harness findings={findings} />);
    expect($(m.root, "[data-finding=HR]").textContent).toContain("Expected a whole number");
    m.unmount();
    setLang("zh");
    m = mount(<Harness findings={findings} />);
    expect($(m.root, "[data-finding=HR]").textContent).toBe("✖应为整数");
  });

  it("Enter moves to the next field instead of submitting; Shift+Enter goes back", () => {
    m = mount(<Harness />);
    const visdat = $<HTMLInputElement>(m.root, "input[data-item=VISDAT]");
    visdat.focus();
    const e = press(visdat, "Enter");
    expect(e.defaultPrevented).toBe(true);
    // Next is the SEX radio group (one stop for the group), then WEIGHT (skipping PREG? shown here).
    expect((document.activeElement as HTMLInputElement).dataset.item).toBe("SEX");
    press(document.activeElement!, "Enter");
    expect((document.activeElement as HTMLInputElement).dataset.item).toBe("PREG");
    press(document.activeElement!, "Enter");
    const weight = document.activeElement as HTMLInputElement;
    expect(weight.dataset.item).toBe("WEIGHT");
    expect(weight.dataset.part).toBe("value"); // not the special-value control
    press(weight, "Enter", { shiftKey: true });
    expect((document.activeElement as HTMLInputElement).dataset.item).toBe("PREG");
  });

  it("Enter in a note is a new line; Enter after the last field goes to Save", () => {
    m = mount(<Harness />);
    const note = $<HTMLTextAreaElement>(m.root, "[data-item=COMMENT]");
    note.focus();
    expect(press(note, "Enter").defaultPrevented).toBe(false);
    // No rows yet: add one, then Enter from its last field.
    click($(m.root, "button[data-add-row=CM]"));
    const ong = $<HTMLInputElement>(m.root, "input[data-item=CMONG][data-repeat='1']");
    ong.focus();
    press(ong, "Enter");
    expect(document.activeElement?.id).toBe("after");
  });

  it("typing a letter or a number picks a choice", () => {
    m = mount(<Harness />);
    const male = $<HTMLInputElement>(m.root, "input[data-item=SEX][value=M]");
    male.focus();
    press(male, "f");
    expect(valueOf("SEX")).toBe("F");
    press(male, "1");
    expect(valueOf("SEX")).toBe("M");
    press(male, "Delete");
    expect(valueOf("SEX")).toBeUndefined();
    // In a select too: 'i' cycles through Intravenous, Intramuscular, Inhaled.
    click($(m.root, "button[data-add-row=CM]"));
    const route = $<HTMLSelectElement>(m.root, "select[data-item=CMROUTE]");
    press(route, "i");
    expect(valueOf("CMROUTE", "CM", 1)).toBe("IV");
    press(route, "i");
    expect(valueOf("CMROUTE", "CM", 1)).toBe("IM");
    press(route, "i");
    expect(valueOf("CMROUTE", "CM", 1)).toBe("INH");
    press(route, "i");
    expect(valueOf("CMROUTE", "CM", 1)).toBe("IV");
  });

  it("a letter picks a choice by its label in Chinese too (by code)", () => {
    setLang("zh");
    m = mount(<Harness />);
    const smoker = $<HTMLInputElement>(m.root, "input[data-item=SMOKER][value=true]");
    press(smoker, "n");
    expect(valueOf("SMOKER")).toBe(false);
    press(smoker, "y");
    expect(valueOf("SMOKER")).toBe(true);
  });

  it("read-only: nothing can be changed and no row buttons", () => {
    m = mount(<Harness readOnly initial={[{ group: "MAIN", repeat: 1, item: "VISDAT", value: "2024-01-02" }]} />);
    expect($<HTMLInputElement>(m.root, "input[data-item=VISDAT]").readOnly).toBe(true);
    expect($<HTMLInputElement>(m.root, "input[data-item=SEX][value=M]").disabled).toBe(true);
    expect(m.root.querySelector("button[data-add-row]")).toBeNull();
  });
});
