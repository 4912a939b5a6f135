import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { FormRef } from "../bindings/FormRef";
import { AppContext, AppServices } from "../context";
import { setLang } from "../i18n";
import { definition, nurse } from "../test/fixtures";
import { $, Mounted, click, flush, mount, press, type } from "../test/util";

const mockApi = {
  formShow: vi.fn(),
  formCheck: vi.fn(),
  formSave: vi.fn(),
  draft: vi.fn(),
  draftSave: vi.fn(),
  draftDiscard: vi.fn(),
  queries: vi.fn(),
  queryAct: vi.fn(),
  auditTrail: vi.fn(),
  auditLog: vi.fn(),
};
vi.mock("../api", async (orig) => ({ ...(await orig<typeof import("../api")>()), api: mockApi }));

const { ApiError } = await import("../api");
const { FormScreen, CHECK_DELAY_MS } = await import("./FormScreen");
const { DRAFT_DELAY_MS } = await import("../drafts");

const ref: FormRef = { subject: "S01-001", event: "SCR", event_repeat: 1, form: "TEST", form_repeat: 1 };
const bmi = (en: string) => [{ id: "BMI", value: en === "—" ? null : 1, display: { en, zh: en }, missing: [] }];

let m: Mounted;
let statuses: Array<[string, string | undefined]>;

function services(over: Partial<AppServices> = {}): AppServices {
  return {
    node: null,
    session: nurse,
    def: definition,
    definitionFor: vi.fn(async () => definition),
    status: (text, kind) => statuses.push([text, kind]),
    open: vi.fn(),
    back: vi.fn(),
    setLeaveGuard: vi.fn(),
    can: (a) => nurse.permissions.includes(a),
    ...over,
  };
}

async function open(over: Partial<AppServices> = {}) {
  m = mount(
    <AppContext.Provider value={services(over)}>
      <FormScreen form={ref} />
    </AppContext.Provider>,
  );
  await flush();
}

async function wait(ms: number) {
  await vi.advanceTimersByTimeAsync(ms);
  await flush();
}

beforeEach(() => {
  setLang("en");
  vi.useFakeTimers();
  statuses = [];
  mockApi.formShow.mockReset().mockResolvedValue({
    form: ref,
    status: "in_progress",
    definition_version: "1.0",
    values: [{ group: "MAIN", repeat: 1, item: "WEIGHT", value: 70 }],
    derived: bmi("not derivable: missing Height"),
    findings: [],
    hidden: [{ group: "MAIN", repeat: 1, item: "PREG" }],
  });
  mockApi.formCheck.mockReset();
  mockApi.formSave.mockReset();
  mockApi.draft.mockReset().mockResolvedValue(null);
  mockApi.draftSave.mockReset().mockResolvedValue(null);
  mockApi.draftDiscard.mockReset().mockResolvedValue(null);
  mockApi.queries.mockReset().mockResolvedValue([]);
  mockApi.queryAct.mockReset();
  mockApi.auditTrail.mockReset();
  mockApi.auditLog.mockReset();
});
afterEach(() => {
  m?.unmount();
  vi.useRealTimers();
});

describe("FormScreen", () => {
  it("shows the stored values, status, derived values, and focuses the first field", async () => {
    await open();
    expect(mockApi.formShow).toHaveBeenCalledWith(ref);
    expect($<HTMLInputElement>(m.root, "input[data-item=WEIGHT][data-part=value]").value).toBe("70.0"); // digits = 1
    expect($(m.root, "[data-form-status]").textContent).toBe("In progress");
    expect($(m.root, "[data-derived=BMI]").textContent).toBe("not derivable: missing Height");
    expect(m.root.querySelector("[data-item=PREG]")).toBeNull();
    expect((document.activeElement as HTMLElement).dataset.item).toBe("VISDAT");
  });

  it("checks the input once typing pauses, and shows derived values, findings and hidden items", async () => {
    mockApi.formCheck.mockResolvedValue({
      derived: bmi("24.2 kg/m²"),
      findings: [{ item: "WEIGHT", group: "MAIN", repeat: 1, rule: "soft_range", severity: "warning", message: { en: "Weight 170 kg is high", zh: "体重偏高" } }],
      hidden: [],
    });
    await open();
    const w = $(m.root, "input[data-item=WEIGHT][data-part=value]");
    type(w, "1");
    type(w, "17");
    type(w, "170");
    await wait(CHECK_DELAY_MS - 50);
    expect(mockApi.formCheck).not.toHaveBeenCalled();
    await wait(100);
    expect(mockApi.formCheck).toHaveBeenCalledTimes(1);
    expect(mockApi.formCheck).toHaveBeenCalledWith(ref, [{ group: "MAIN", repeat: 1, item: "WEIGHT", value: 170 }]);
    expect($(m.root, "[data-derived=BMI]").textContent).toBe("24.2 kg/m²");
    expect($(m.root, "[data-finding=WEIGHT]").textContent).toContain("Weight 170 kg is high");
    // PREG is no longer hidden.
    expect(m.root.querySelectorAll("input[data-item=PREG]").length).toBe(2);
  });

  it("Enter right after an answer moves on at once, then to the item that answer reveals", async () => {
    mockApi.formCheck.mockResolvedValue({ derived: [], findings: [], hidden: [] });
    await open();
    const female = $<HTMLInputElement>(m.root, "input[data-item=SEX][value=F]");
    female.focus();
    click(female);
    press(female, "Enter"); // before the check delay has passed
    // Focus moves at once (what is typed next must not change the answer just given)...
    expect((document.activeElement as HTMLElement).dataset.item).toBe("WEIGHT");
    expect(mockApi.formCheck).toHaveBeenCalledTimes(1); // ...and the check runs now, not after the delay
    await wait(1);
    // ...then goes to the item the answer revealed.
    expect((document.activeElement as HTMLElement).dataset.item).toBe("PREG");
  });

  it("does not take focus away from a field the user has started typing in", async () => {
    let resolve: (v: unknown) => void = () => {};
    mockApi.formCheck.mockReturnValue(new Promise((r) => (resolve = r)));
    await open();
    const female = $<HTMLInputElement>(m.root, "input[data-item=SEX][value=F]");
    female.focus();
    click(female);
    press(female, "Enter");
    const weight = document.activeElement as HTMLInputElement;
    expect(weight.dataset.item).toBe("WEIGHT");
    type(weight, "7");
    resolve({ derived: [], findings: [], hidden: [] });
    await wait(1);
    expect(m.root.querySelectorAll("input[data-item=PREG]").length).toBe(2);
    expect(document.activeElement).toBe(weight);
  });

  it("shows a short text for a derivation missing many inputs, the full one as its title", async () => {
    const missing = ["A", "B", "C", "D", "E"];
    mockApi.formShow.mockResolvedValue({
      form: ref,
      status: "not_started",
      definition_version: "1.0",
      values: [],
      derived: [{ id: "BMI", value: null, display: { en: "not derivable: missing A, B, C, D, E", zh: "无法推导" }, missing }],
      findings: [],
    });
    await open();
    const out = $(m.root, "[data-derived=BMI]");
    expect(out.textContent).toBe("Not derivable yet: 5 answers missing");
    expect(out.getAttribute("title")).toBe("not derivable: missing A, B, C, D, E");
  });

  it("tolerates services that do not send `hidden`: every item shows", async () => {
    mockApi.formShow.mockResolvedValue({ form: ref, status: "not_started", definition_version: "1.0", values: [], derived: [], findings: [] });
    await open();
    expect(m.root.querySelectorAll("input[data-item=PREG]").length).toBe(2);
    expect($(m.root, "[data-derived=BMI]").textContent).toBe("—");
  });

  it("Save sends the values as a draft and reports the new status", async () => {
    mockApi.formSave.mockResolvedValue({ form: ref, status: "in_progress", events: 1, derived: bmi("22.9 kg/m²"), findings: [] });
    await open();
    type($(m.root, "input[data-item=VISDAT]"), "2024-03-05");
    click($(m.root, "#save"));
    await flush();
    expect(mockApi.formSave).toHaveBeenCalledWith(
      ref,
      [
        { group: "MAIN", repeat: 1, item: "VISDAT", value: "2024-03-05" },
        { group: "MAIN", repeat: 1, item: "WEIGHT", value: 70 },
      ],
      false,
      null,
    );
    expect(statuses.at(-1)).toEqual(["Saved. Form status: In progress.", "ok"]);
    expect($(m.root, "[data-derived=BMI]").textContent).toBe("22.9 kg/m²");
    expect(m.root.querySelector(".badge.unsaved")).toBeNull();
    // The check scheduled by typing does not run after the save.
    await wait(500);
    expect(mockApi.formCheck).not.toHaveBeenCalled();
  });

  it("Ctrl+S saves, Ctrl+Shift+S saves and marks complete", async () => {
    mockApi.formSave.mockResolvedValue({ form: ref, status: "complete", events: 2, derived: [], findings: [] });
    await open();
    press(document.activeElement!, "s", { ctrlKey: true });
    await flush();
    expect(mockApi.formSave.mock.calls[0][2]).toBe(false);
    press(document.activeElement!, "S", { ctrlKey: true, shiftKey: true });
    await flush();
    expect(mockApi.formSave.mock.calls[1][2]).toBe(true);
    expect($(m.root, "[data-form-status]").textContent).toBe("Complete");
  });

  it("asks for a reason when a complete form changes, and resends with it", async () => {
    mockApi.formSave
      .mockRejectedValueOnce({ code: "reason_required", message: "a reason for change is required", findings: [] })
      .mockResolvedValueOnce({ form: ref, status: "complete", events: 1, derived: [], findings: [] });
    await open();
    type($(m.root, "input[data-item=WEIGHT][data-part=value]"), "71");
    click($(m.root, "#save-complete"));
    await flush();
    const reason = $<HTMLTextAreaElement>(m.root, "#reason");
    expect(document.activeElement).toBe(reason);
    // An empty reason is not sent.
    click($(m.root, "#reason-ok"));
    expect(mockApi.formSave).toHaveBeenCalledTimes(1);
    expect(m.root.textContent).toContain("Please enter a reason.");
    type(reason, "Transcription error");
    click($(m.root, "#reason-ok"));
    await flush();
    expect(mockApi.formSave).toHaveBeenCalledTimes(2);
    expect(mockApi.formSave.mock.calls[1]).toEqual([ref, [{ group: "MAIN", repeat: 1, item: "WEIGHT", value: 71 }], true, "Transcription error"]);
    expect(m.root.querySelector("#reason")).toBeNull();
    expect(statuses.at(-1)?.[0]).toBe("Saved. Form status: Complete.");
  });

  it("a refused save lists its findings at their items and says so", async () => {
    mockApi.formSave.mockRejectedValue(
      new ApiError("validation", "2 values need correcting", [
        { item: "VISDAT", group: "MAIN", repeat: 1, rule: "required", severity: "error", message: { en: "Visit date is required", zh: "访视日期为必填项" } },
        { item: "SEX", group: "MAIN", repeat: 1, rule: "required", severity: "error", message: { en: "Sex is required", zh: "性别为必填项" } },
      ]),
    );
    await open();
    click($(m.root, "#save-complete"));
    await flush();
    await wait(1);
    expect(statuses.at(-1)).toEqual(["Not saved: 2 error(s) to correct, marked in red.", "error"]);
    expect($(m.root, "[data-finding=VISDAT]").classList.contains("error")).toBe(true);
    expect($(m.root, "[data-finding=SEX]").textContent).toContain("Sex is required");
    expect((document.activeElement as HTMLElement).dataset.item).toBe("VISDAT");
    // Required marks stay while the item is empty, and go once it is filled, though the live
    // check (which does not report required items) says nothing of them.
    mockApi.formCheck.mockResolvedValue({ derived: [], findings: [], hidden: [] });
    click($(m.root, "input[data-item=SEX][value=F]"));
    await wait(CHECK_DELAY_MS + 10);
    expect(m.root.querySelector("[data-finding=SEX]")).toBeNull();
    expect(m.root.querySelector("[data-finding=VISDAT]")).not.toBeNull();
  });

  it("other refusals are shown in plain words", async () => {
    mockApi.formSave.mockRejectedValue({ code: "forbidden", message: "monitor may not enter_data", findings: [] });
    await open();
    click($(m.root, "#save"));
    await flush();
    expect(statuses.at(-1)).toEqual(["Not saved: You are not allowed to do this: monitor may not enter_data", "error"]);
  });

  it("is read-only for a user who may not enter data", async () => {
    await open({ can: (a) => a === "view_data" });
    expect(m.root.querySelector("#save")).toBeNull();
    expect($<HTMLInputElement>(m.root, "input[data-item=WEIGHT][data-part=value]").readOnly).toBe(true);
    expect(m.root.textContent).toContain("You may view this form but not change it.");
  });

  it("registers a leave guard that knows about unsaved input", async () => {
    const setLeaveGuard = vi.fn();
    await open({ setLeaveGuard });
    const guard = setLeaveGuard.mock.calls[0][0] as () => boolean;
    expect(guard()).toBe(false);
    type($(m.root, "input[data-item=WEIGHT][data-part=value]"), "75");
    expect(guard()).toBe(true);
  });

  it("changes are kept as a draft within DRAFT_DELAY_MS, only what differs from the saved values", async () => {
    mockApi.formCheck.mockResolvedValue({ derived: [], findings: [], hidden: [] });
    await open();
    type($(m.root, "input[data-item=VISDAT]"), "2024-03-0");
    await wait(DRAFT_DELAY_MS / 2);
    type($(m.root, "input[data-item=VISDAT]"), "2024-03-05");
    expect(mockApi.draftSave).not.toHaveBeenCalled();
    await wait(DRAFT_DELAY_MS / 2 + 1);
    expect(mockApi.draftSave).toHaveBeenCalledTimes(1);
    expect(mockApi.draftSave).toHaveBeenCalledWith(ref, [{ group: "MAIN", repeat: 1, item: "VISDAT", value: "2024-03-05" }]);
    expect($(m.root, ".badge.unsaved").dataset.draft).toBe("kept");
    expect($(m.root, ".badge.unsaved").textContent).toContain("kept as a draft");
  });

  it("a save stops the draft under way and the badge goes", async () => {
    mockApi.formSave.mockResolvedValue({ form: ref, status: "in_progress", events: 1, derived: [], findings: [] });
    await open();
    type($(m.root, "input[data-item=VISDAT]"), "2024-03-05");
    press(document.activeElement!, "s", { ctrlKey: true });
    await flush();
    await wait(DRAFT_DELAY_MS * 2);
    expect(mockApi.draftSave).not.toHaveBeenCalled();
    expect(m.root.querySelector(".badge.unsaved")).toBeNull();
  });

  it("restores a kept draft into the fields, with a banner; Discard goes back to the saved values", async () => {
    mockApi.draft.mockResolvedValue({
      form: ref,
      entries: [
        { group: "MAIN", repeat: 1, item: "WEIGHT", value: 72.5 },
        { group: "MAIN", repeat: 1, item: "VISDAT", value: "2024-03-05" },
      ],
      saved_at: new Date(Date.now() - 60_000).toISOString(),
    });
    mockApi.formCheck.mockResolvedValue({ derived: bmi("23.4 kg/m²"), findings: [], hidden: [] });
    await open();
    expect(mockApi.draft).toHaveBeenCalledWith(ref);
    expect($<HTMLInputElement>(m.root, "input[data-item=WEIGHT][data-part=value]").value).toBe("72.5");
    expect($<HTMLInputElement>(m.root, "input[data-item=VISDAT]").value).toBe("2024-03-05");
    const banner = $(m.root, "#draft-banner");
    expect(banner.textContent?.trim()).toMatch(/^Restored input you had not saved \(\d\d:\d\d\)\./);
    expect(m.root.querySelector(".badge.unsaved")).not.toBeNull();
    // The restored input is checked: its derived values show.
    await wait(CHECK_DELAY_MS + 10);
    expect(mockApi.formCheck.mock.calls[0][1]).toContainEqual({ group: "MAIN", repeat: 1, item: "WEIGHT", value: 72.5 });
    expect($(m.root, "[data-derived=BMI]").textContent).toBe("23.4 kg/m²");

    click($(m.root, "#draft-discard"));
    await flush();
    expect(mockApi.draftDiscard).toHaveBeenCalledWith(ref);
    expect($<HTMLInputElement>(m.root, "input[data-item=WEIGHT][data-part=value]").value).toBe("70.0");
    expect($<HTMLInputElement>(m.root, "input[data-item=VISDAT]").value).toBe("");
    expect(m.root.querySelector("#draft-banner")).toBeNull();
    expect(m.root.querySelector(".badge.unsaved")).toBeNull();
    expect(statuses.at(-1)).toEqual(["The unsaved input was discarded.", "info"]);
  });

  it("a draft equal to the saved values is thrown away, not restored", async () => {
    mockApi.draft.mockResolvedValue({ form: ref, entries: [{ group: "MAIN", repeat: 1, item: "WEIGHT", value: 70 }], saved_at: new Date().toISOString() });
    await open();
    expect(m.root.querySelector("#draft-banner")).toBeNull();
    expect(mockApi.draftDiscard).toHaveBeenCalledWith(ref);
  });

  it("the leave guard's discard forgets the draft", async () => {
    const setLeaveGuard = vi.fn();
    await open({ setLeaveGuard });
    const discard = setLeaveGuard.mock.calls[0][1] as () => void;
    type($(m.root, "input[data-item=WEIGHT][data-part=value]"), "75");
    discard();
    await wait(DRAFT_DELAY_MS * 2);
    expect(mockApi.draftSave).not.toHaveBeenCalled();
    expect(mockApi.draftDiscard).toHaveBeenCalledWith(ref);
  });

  it("a locked form is read-only, with a banner naming who locked it; no draft is restored", async () => {
    mockApi.formShow.mockResolvedValue({
      form: ref,
      status: "complete",
      definition_version: "1.0",
      values: [{ group: "MAIN", repeat: 1, item: "WEIGHT", value: 70 }],
      derived: [],
      findings: [],
      hidden: [],
      locked: { scope: { level: "subject", subject: "S01-001" }, username: "dm.zhao", at: "2025-04-01T16:00:00+08:00", reason: "Database lock" },
      verified: { form: ref, form_verified: true, items: ["S01-001/SCR.1/TEST.1/MAIN.1/WEIGHT"], by: "monitor", at: "2025-03-30T10:00:00+08:00" },
    });
    mockApi.draft.mockResolvedValue({ form: ref, entries: [{ group: "MAIN", repeat: 1, item: "WEIGHT", value: 71 }], saved_at: new Date().toISOString() });
    await open();
    expect($(m.root, "#lock-banner").textContent).toContain("This subject's casebook is locked by dm.zhao since 2025-04-01 16:00.");
    expect($(m.root, "#lock-banner").textContent).toContain("Reason: Database lock");
    expect(m.root.querySelector("#save")).toBeNull();
    expect($<HTMLInputElement>(m.root, "input[data-item=WEIGHT][data-part=value]").readOnly).toBe(true);
    expect($<HTMLInputElement>(m.root, "input[data-item=WEIGHT][data-part=value]").value).toBe("70.0");
    expect(m.root.querySelector("#draft-banner")).toBeNull();
    expect($(m.root, "[data-form-verified]").textContent).toContain("Source data verified");
    expect($(m.root, "[data-verified-item=WEIGHT]")).not.toBeNull();
  });

  it("a save refused because the form was locked meanwhile says so and shows the lock", async () => {
    mockApi.formSave.mockRejectedValue({ code: "locked", message: "S01-001 is locked", findings: [] });
    await open();
    mockApi.formShow.mockResolvedValue({
      ...(await mockApi.formShow.mock.results[0].value),
      locked: { scope: { level: "form", ...ref }, username: "dm.zhao", at: "2025-04-01T16:00:00+08:00", reason: null },
    });
    type($(m.root, "input[data-item=WEIGHT][data-part=value]"), "75");
    click($(m.root, "#save"));
    await flush();
    await flush();
    expect(statuses.at(-1)).toEqual(["Not saved: The data are locked by the data manager; nothing was changed: S01-001 is locked", "error"]);
    expect($(m.root, "#lock-banner").textContent).toContain("This form is locked by dm.zhao");
    // What was typed is still there.
    expect($<HTMLInputElement>(m.root, "input[data-item=WEIGHT][data-part=value]").value).toBe("75");
  });

  it("shows the queries' threads and sends an answer", async () => {
    const q = {
      query: "q1",
      subject: "S01-001",
      form: ref,
      item: "WEIGHT",
      group: "MAIN",
      repeat: 1,
      rule: null,
      status: "open",
      text: "Weight 70 kg: please check the source",
      opened_by: "monitor",
      opened_at: "2025-03-21T10:00:00+08:00",
      thread: [{ kind: "query_opened", text: "Weight 70 kg: please check the source", username: "monitor", at: "2025-03-21T10:00:00+08:00" }],
    };
    mockApi.queries.mockResolvedValue([q, { ...q, query: "q9", form: { ...ref, event: "FU" } }]);
    mockApi.queryAct.mockResolvedValue({
      ...q,
      status: "answered",
      thread: [...q.thread, { kind: "query_answered", text: "Checked: 70 kg in the chart", username: "nurse1", at: "2025-03-22T09:00:00+08:00" }],
    });
    await open();
    await flush();
    expect(mockApi.queries).toHaveBeenCalledWith("S01-001");
    expect(m.root.querySelector('[data-query-panel="q9"]')).toBeNull(); // another form's
    const panel = $(m.root, '[data-query-panel="q1"]');
    expect(panel.textContent).toContain("Weight");
    expect(panel.textContent).toContain("monitor asked, 2025-03-21 10:00");
    const box = $<HTMLTextAreaElement>(m.root, '[data-query-answer="q1"]');
    press(box, "Enter");
    expect(m.root.textContent).toContain("Write an answer first.");
    type(box, "Checked: 70 kg in the chart");
    press(box, "Enter");
    await flush();
    expect(mockApi.queryAct).toHaveBeenCalledWith("q1", "answer", "Checked: 70 kg in the chart");
    expect($(m.root, '[data-query-panel="q1"]').dataset.queryStatus).toBe("answered");
    expect($(m.root, '[data-query-panel="q1"]').textContent).toContain("nurse1 answered, 2025-03-22 09:00");
    expect(statuses.at(-1)).toEqual(["Answer sent.", "ok"]);
    // Answered: the box folds away until more is to be said.
    expect(m.root.querySelector('[data-query-answer="q1"]')).toBeNull();
    click($(m.root, '[data-query-more="q1"]'));
    expect(m.root.querySelector('[data-query-answer="q1"]')).not.toBeNull();
  });

  it("Alt+H shows the field's history: who, when, old → new, why", async () => {
    mockApi.auditTrail.mockRejectedValue({ code: "forbidden", message: "nurse may not reports", findings: [] });
    const item = { subject: "S01-001", event: "SCR", event_repeat: 1, form: "TEST", form_repeat: 1, group: "MAIN", group_repeat: 1, item: "WEIGHT" };
    mockApi.auditLog.mockResolvedValue([
      { id: "n:1:S01:1", seq: 1, kind: "subject_enrolled", subject: "S01-001", username: "nurse1", captured_at: "2025-03-01T09:00:00Z", imported_at: null, payload: {}, hash: "" },
      { id: "n:1:S01:2", seq: 2, kind: "value_set", subject: "S01-001", username: "nurse1", captured_at: "2025-03-01T09:10:00+08:00", imported_at: null, payload: { type: "value_set", item, old: null, new: 68, reason: null }, hash: "" },
      { id: "n:1:S01:3", seq: 3, kind: "value_set", subject: "S01-001", username: "nurse2", captured_at: "2025-03-02T11:00:00+08:00", imported_at: null, payload: { type: "value_set", item, old: 68, new: 70, reason: "Re-weighed" }, hash: "" },
      { id: "n:1:S01:4", seq: 4, kind: "value_set", subject: "S01-001", username: "nurse2", captured_at: "2025-03-02T11:00:00+08:00", imported_at: null, payload: { type: "value_set", item: { ...item, item: "VISDAT" }, old: null, new: "2025-03-01", reason: null }, hash: "" },
    ]);
    await open();
    press($(m.root, "input[data-item=WEIGHT][data-part=value]"), "h", { altKey: true });
    await flush();
    await flush();
    expect(mockApi.auditTrail).toHaveBeenCalledWith(null, item);
    expect(mockApi.auditLog).toHaveBeenCalledWith("S01-001");
    const dialog = $(m.root, "#history-dialog");
    expect(dialog.querySelector("h2")?.textContent).toBe("History: Weight");
    const rows = [...dialog.querySelectorAll("tbody tr")].map((r) => [...r.querySelectorAll("td")].map((c) => c.textContent));
    // Newest first; values in words with their unit.
    expect(rows).toEqual([
      ["2025-03-02 11:00", "nurse2", "68 kg → 70 kg", "Re-weighed"],
      ["2025-03-01 09:10", "nurse1", "(empty) → 68 kg", "—"],
    ]);
    press(dialog, "Escape");
    expect(m.root.querySelector("#history-dialog")).toBeNull();
  });
});
