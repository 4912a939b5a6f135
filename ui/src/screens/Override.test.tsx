// Overrides of derived values on the form screen: both values shown, the changed-since note, the
// dialog and the `form_override` call it makes; and drawing a form with its own definition version.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Definition } from "../bindings/Definition";
import type { FormDef } from "../bindings/FormDef";
import type { FormRef } from "../bindings/FormRef";
import type { OverrideView } from "../bindings/OverrideView";
import type { SessionInfo } from "../bindings/SessionInfo";
import { AppContext, AppServices } from "../context";
import { setLang } from "../i18n";
import { T, definition, item, nurse } from "../test/fixtures";
import { $, Mounted, choose, click, flush, mount, press, type } from "../test/util";

const mockApi = {
  formShow: vi.fn(),
  formCheck: vi.fn(),
  formSave: vi.fn(),
  formOverride: vi.fn(),
};
vi.mock("../api", async (orig) => ({ ...(await orig<typeof import("../api")>()), api: mockApi }));

const { ApiError } = await import("../api");
const { FormScreen } = await import("./FormScreen");

const investigator: SessionInfo = {
  username: "dr.chen",
  full_name: "Chen Jian",
  role: "investigator",
  permissions: ["view_data", "enrol", "enter_data", "sign", "override_derived"],
  idle_minutes: 15,
};

const crsForm: FormDef = {
  id: "CRS",
  name: T("Cytokine release syndrome", "细胞因子释放综合征"),
  repeating: false,
  groups: [],
  items: [item("TEMP", T("Maximum temperature", "最高体温"), "decimal", { unit: "°C", digits: 1 })],
  checks: [],
  derived: [
    { id: "CRSGR", label: T("CRS grade", "CRS 分级"), function: "crs_grade", inputs: {}, unit: null, overridable: true },
    { id: "RESP", label: T("Response", "疗效"), function: "all_response", inputs: {}, unit: null, overridable: true },
    { id: "BSA", label: T("Body surface area", "体表面积"), function: "bsa_mosteller", inputs: {}, unit: "m²", overridable: true },
    { id: "AGE", label: T("Age", "年龄"), function: "age_years", inputs: {}, unit: "years", overridable: false },
  ],
};
const def: Definition = {
  ...definition,
  events: [{ ...definition.events[0], forms: ["CRS"] }],
  forms: [crsForm],
};
const ref: FormRef = { subject: "S01-001", event: "SCR", event_repeat: 1, form: "CRS", form_repeat: 1 };

const derived = [
  { id: "CRSGR", value: 2, display: T("Grade 2 (ASTCT)", "2 级（ASTCT）"), missing: [] },
  { id: "RESP", value: "CRI", display: T("CRi", "CRi"), missing: [] },
  { id: "BSA", value: 1.71, display: T("1.71 m²", "1.71 m²"), missing: [] },
  { id: "AGE", value: 47, display: T("47 years", "47 岁"), missing: [] },
];
const override = (o: Partial<OverrideView>): OverrideView => ({
  id: "CRSGR",
  value: 3,
  derived_then: 2,
  reason: "noradrenaline per ICU chart",
  username: "dr.chen",
  at: "2025-03-21T10:05:33.120+08:00",
  ...o,
});
const view = (overrides: OverrideView[], more: Record<string, unknown> = {}) => ({
  form: ref,
  status: "complete",
  definition_version: "1.0",
  values: [{ group: "MAIN", repeat: 1, item: "TEMP", value: 39.2 }],
  derived,
  findings: [],
  hidden: [],
  overrides,
  ...more,
});

let m: Mounted;
let statuses: Array<[string, string | undefined]>;
let definitionFor: ReturnType<typeof vi.fn>;

async function open(session: SessionInfo = investigator) {
  const services: AppServices = {
    node: null,
    session,
    def,
    definitionFor: definitionFor as unknown as AppServices["definitionFor"],
    status: (text, kind) => statuses.push([text, kind]),
    open: vi.fn(),
    back: vi.fn(),
    setLeaveGuard: vi.fn(),
    can: (a) => session.permissions.includes(a),
  };
  m = mount(
    <AppContext.Provider value={services}>
      <FormScreen form={ref} />
    </AppContext.Provider>,
  );
  await flush();
  await flush();
}

beforeEach(() => {
  setLang("en");
  statuses = [];
  definitionFor = vi.fn(async () => def);
  mockApi.formShow.mockReset().mockResolvedValue(view([]));
  mockApi.formCheck.mockReset().mockResolvedValue({ derived, findings: [], hidden: [] });
  mockApi.formSave.mockReset();
  mockApi.formOverride.mockReset();
});
afterEach(() => m?.unmount());

describe("derived values with overrides", () => {
  it("shows the override, emphasised, with who, when and why, and the derived value beside it", async () => {
    mockApi.formShow.mockResolvedValue(view([override({})]));
    await open();
    const box = $(m.root, "[data-overridden=CRSGR]");
    expect(box.querySelector(".override-value")?.textContent).toBe("Grade 3 (ASTCT)");
    expect(box.textContent).toContain("Overridden by dr.chen, 2025-03-21 10:05: noradrenaline per ICU chart");
    // The derived value is still there, labelled as such.
    const derivedOut = $(m.root, "[data-derived=CRSGR]");
    expect(derivedOut.textContent).toBe("Grade 2 (ASTCT)");
    expect(derivedOut.closest(".derived-under")?.textContent).toContain("Derived");
    // Unchanged since: no note.
    expect(m.root.querySelector("[data-override-changed]")).toBeNull();
    // A derived value without override reads as before.
    expect(m.root.querySelector("[data-overridden=BSA]")).toBeNull();
    expect($(m.root, "[data-derived=BSA]").textContent).toBe("1.71 m²");
  });

  it("says so when the derived value has changed since the override", async () => {
    mockApi.formShow.mockResolvedValue(
      view([override({ id: "RESP", value: "CR", derived_then: "NR" }), override({ id: "CRSGR", value: 3, derived_then: 1 })]),
    );
    await open();
    expect($(m.root, "[data-overridden=RESP] .override-value").textContent).toBe("CR — complete remission");
    expect($(m.root, "[data-override-changed=RESP]").textContent).toContain("The derived value has changed since the override (it was NR — no response).");
    expect($(m.root, "[data-override-changed=CRSGR]").textContent).toContain("(it was Grade 1 (ASTCT))");
    setLang("zh");
    await flush();
    // Re-rendered on the next state change; the words are the i18n ones.
    m.unmount();
    await open();
    expect($(m.root, "[data-overridden=RESP]").textContent).toContain("研究者修改");
    expect($(m.root, "[data-overridden=RESP]").textContent).toContain("由 dr.chen 于 2025-03-21 10:05 修改，原因：noradrenaline per ICU chart");
    expect($(m.root, "[data-override-changed=RESP]").textContent).toContain("修改后派生值已发生变化（修改时为 NR — 未缓解）");
  });

  it("a derived value equal to the one then, key order aside, is not reported as changed", async () => {
    const lug = { ...crsForm, derived: [{ id: "CT", label: T("CT response", "CT 疗效"), function: "lugano_ct", inputs: {}, unit: null, overridable: true }] };
    definitionFor.mockResolvedValue({ ...def, study: { ...def.study, version: "2.0" }, forms: [lug] });
    mockApi.formShow.mockResolvedValue(
      view([override({ id: "CT", value: "PR", derived_then: { spd: 12.5, response: "SD" } })], {
        definition_version: "2.0",
        derived: [{ id: "CT", value: { response: "SD", spd: 12.5 }, display: T("SD (SPD 12.5 cm²)", "SD"), missing: [] }],
      }),
    );
    await open();
    expect($(m.root, "[data-overridden=CT] .override-value").textContent).toBe("PR — partial response");
    expect(m.root.querySelector("[data-override-changed=CT]")).toBeNull();
  });

  it("offers Override… to investigators only, for overridable values only", async () => {
    await open();
    expect(m.root.querySelector("[data-override-open=CRSGR]")).not.toBeNull();
    expect(m.root.querySelector("[data-override-open=BSA]")).not.toBeNull();
    expect(m.root.querySelector("[data-override-open=AGE]")).toBeNull();
    expect(m.root.querySelector("[data-override-withdraw]")).toBeNull();
    m.unmount();
    mockApi.formShow.mockResolvedValue(view([override({})]));
    await open(nurse);
    expect($(m.root, "[data-overridden=CRSGR]").textContent).toContain("Grade 3");
    expect(m.root.querySelector("[data-override-open]")).toBeNull();
    expect(m.root.querySelector("[data-override-withdraw]")).toBeNull();
  });
});

describe("the override dialog", () => {
  it("a grade: a choice of 0-5, sent as a whole number, with the reason; the answer is shown", async () => {
    mockApi.formOverride.mockResolvedValue(view([override({ value: 4, reason: "intubated" })]));
    await open();
    click($(m.root, "[data-override-open=CRSGR]"));
    const dialog = $(m.root, "#override-dialog");
    expect(dialog.textContent).toContain("Override: CRS grade");
    expect(dialog.textContent).toContain("Derived value now: Grade 2 (ASTCT)");
    const sel = $<HTMLSelectElement>(dialog, "select#override-value");
    expect(document.activeElement).toBe(sel);
    expect([...sel.options].map((o) => o.value)).toEqual(["", "0", "1", "2", "3", "4", "5"]);
    expect(sel.options[1].textContent).toBe("No CRS (grade 0)");
    expect(sel.options[5].textContent).toBe("Grade 4 (ASTCT)");
    choose(sel, "4");
    // Enter moves on to the reason; Enter in the reason records.
    press(sel, "Enter");
    expect(document.activeElement?.id).toBe("override-reason");
    type($(dialog, "#override-reason"), "  intubated  ");
    press($(dialog, "#override-reason"), "Enter");
    await flush();
    expect(mockApi.formOverride).toHaveBeenCalledWith(ref, "CRSGR", 4, "intubated");
    expect(m.root.querySelector("#override-dialog")).toBeNull();
    expect($(m.root, "[data-overridden=CRSGR] .override-value").textContent).toBe("Grade 4 (ASTCT)");
    expect(statuses.at(-1)).toEqual(["Override of CRS grade recorded.", "ok"]);
  });

  it("a response: its codes, sent as text", async () => {
    mockApi.formOverride.mockResolvedValue(view([override({ id: "RESP", value: "CR", derived_then: "CRI" })]));
    await open();
    click($(m.root, "[data-override-open=RESP]"));
    const sel = $<HTMLSelectElement>(m.root, "#override-value");
    expect([...sel.options].map((o) => o.value)).toEqual(["", "CR", "CRI", "MLFS", "PR", "NR", "PD", "RELAPSE"]);
    choose(sel, "CR");
    type($(m.root, "#override-reason"), "counts recovered on repeat CBC");
    click($(m.root, "#override-ok"));
    await flush();
    expect(mockApi.formOverride).toHaveBeenCalledWith(ref, "RESP", "CR", "counts recovered on repeat CBC");
  });

  it("any other derivation: a number input, sent as a number; text is refused before sending", async () => {
    mockApi.formOverride.mockResolvedValue(view([override({ id: "BSA", value: 1.8, derived_then: 1.71 })]));
    await open();
    click($(m.root, "[data-override-open=BSA]"));
    const input = $<HTMLInputElement>(m.root, "input#override-value");
    expect(input.getAttribute("inputmode")).toBe("decimal");
    type($(m.root, "#override-reason"), "height re-measured");
    type(input, "about 1.8");
    click($(m.root, "#override-ok"));
    expect(mockApi.formOverride).not.toHaveBeenCalled();
    expect($(m.root, "#override-error").textContent).toBe("Enter a number, e.g. 1.75.");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    type(input, "1.80");
    click($(m.root, "#override-ok"));
    await flush();
    expect(mockApi.formOverride).toHaveBeenCalledWith(ref, "BSA", 1.8, "height re-measured");
  });

  it("requires a value and a reason", async () => {
    await open();
    click($(m.root, "[data-override-open=CRSGR]"));
    click($(m.root, "#override-ok"));
    expect($(m.root, "#override-error").textContent).toBe("Choose a value.");
    choose($(m.root, "#override-value"), "0");
    type($(m.root, "#override-reason"), "   ");
    click($(m.root, "#override-ok"));
    expect($(m.root, "#override-error").textContent).toBe("A reason is required.");
    expect(document.activeElement?.id).toBe("override-reason");
    expect(mockApi.formOverride).not.toHaveBeenCalled();
    // Escape cancels.
    press($(m.root, "#override-reason"), "Escape");
    expect(m.root.querySelector("#override-dialog")).toBeNull();
  });

  it("shows the services' refusal in plain words and keeps the dialog", async () => {
    mockApi.formOverride.mockRejectedValue(new ApiError("invalid_input", "override of CRSGR: expected a whole number from 0 to 5"));
    await open();
    click($(m.root, "[data-override-open=CRSGR]"));
    choose($(m.root, "#override-value"), "5");
    type($(m.root, "#override-reason"), "fatal");
    click($(m.root, "#override-ok"));
    await flush();
    expect($(m.root, "#override-error").textContent).toBe("Not recorded: The input is not valid: expected a whole number from 0 to 5");
    expect(m.root.querySelector("#override-dialog")).not.toBeNull();
  });

  it("withdraws an override: value null, with a reason", async () => {
    mockApi.formShow.mockResolvedValue(view([override({})]));
    mockApi.formOverride.mockResolvedValue(view([]));
    await open();
    click($(m.root, "[data-override-withdraw=CRSGR]"));
    const dialog = $(m.root, "#override-dialog");
    expect(dialog.textContent).toContain("Withdraw the override of CRS grade");
    expect(dialog.querySelector("#override-value")).toBeNull();
    expect(document.activeElement?.id).toBe("override-reason");
    click($(dialog, "#override-ok"));
    expect($(m.root, "#override-error").textContent).toBe("A reason is required.");
    type($(dialog, "#override-reason"), "entered in error");
    click($(dialog, "#override-ok"));
    await flush();
    expect(mockApi.formOverride).toHaveBeenCalledWith(ref, "CRSGR", null, "entered in error");
    expect(m.root.querySelector("[data-overridden=CRSGR]")).toBeNull();
    expect(statuses.at(-1)).toEqual(["Override of CRS grade withdrawn.", "ok"]);
  });

  it("an existing override is the dialog's starting value", async () => {
    mockApi.formShow.mockResolvedValue(view([override({ value: 3 })]));
    await open();
    click($(m.root, "[data-override-open=CRSGR]"));
    expect($<HTMLSelectElement>(m.root, "#override-value").value).toBe("3");
    expect($(m.root, "#override-dialog").textContent).toContain("Current override: Grade 3 (ASTCT)");
  });

  it("is not opened with unsaved input or before the form has data: the reason is given", async () => {
    mockApi.formShow.mockResolvedValue(view([], { status: "not_started", values: [] }));
    await open();
    const b = $(m.root, "[data-override-open=CRSGR]");
    expect(b.getAttribute("aria-disabled")).toBe("true");
    click(b);
    expect(m.root.querySelector("#override-dialog")).toBeNull();
    expect(statuses.at(-1)).toEqual(["Nothing to override until the form has saved data.", "warn"]);
    m.unmount();
    mockApi.formShow.mockResolvedValue(view([]));
    await open();
    type($(m.root, "input[data-item=TEMP][data-part=value]"), "40.1");
    click($(m.root, "[data-override-open=CRSGR]"));
    expect(m.root.querySelector("#override-dialog")).toBeNull();
    expect(statuses.at(-1)).toEqual(["Save the form before overriding a derived value.", "warn"]);
  });
});

describe("definition versions", () => {
  it("draws a form with the definition version it was captured under", async () => {
    const old: Definition = {
      ...def,
      study: { ...def.study, version: "0.9" },
      forms: [{ ...crsForm, items: [item("TEMPOLD", T("Temperature (old)", "体温（旧）"), "decimal")] }],
    };
    definitionFor.mockImplementation(async (v: string) => (v === "0.9" ? old : def));
    mockApi.formShow.mockResolvedValue(view([], { definition_version: "0.9", values: [] }));
    await open();
    expect(definitionFor).toHaveBeenCalledWith("0.9");
    expect(m.root.querySelector("[data-item=TEMPOLD]")).not.toBeNull();
    expect(m.root.querySelector("[data-item=TEMP]")).toBeNull();
    expect(m.root.textContent).toContain("Definition version 0.9");
  });

  it("a version that cannot be loaded is reported", async () => {
    definitionFor.mockRejectedValue(new ApiError("not_found", "definition version 0.8"));
    mockApi.formShow.mockResolvedValue(view([], { definition_version: "0.8" }));
    await open();
    expect(m.root.querySelector(".alert.error")?.textContent).toBe("Could not open the form: Not found: definition version 0.8");
  });
});
