// The casebook grid's cells (every state in icon and words, with a legend), keyboard moves
// (type-ahead to a form's row, arrows), and the focus coming back to the cell opened last.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Casebook as CasebookData } from "../bindings/Casebook";
import type { Definition } from "../bindings/Definition";
import type { FormStatus } from "../bindings/FormStatus";
import { AppContext, AppServices } from "../context";
import { setLang } from "../i18n";
import { T, definition, form, nurse } from "../test/fixtures";
import { $, Mounted, click, flush, mount, press } from "../test/util";

const mockApi = { casebook: vi.fn(), subjectSchedule: vi.fn() };
vi.mock("../api", async (orig) => ({ ...(await orig<typeof import("../api")>()), api: mockApi }));
const { Casebook, findRow } = await import("./Casebook");

const def: Definition = {
  ...definition,
  events: [
    { id: "SCR", name: T("Screening", "筛选期"), anchor: "enrolment", day: 0, window: [0, 28], repeating: false, forms: ["DM", "ELIG"] },
    { id: "D1", name: T("Day 1", "第 1 天"), anchor: "infusion", day: 1, window: [1, 1], repeating: false, forms: ["CRS", "VS"] },
    { id: "D2", name: T("Day 2", "第 2 天"), anchor: "infusion", day: 2, window: [2, 2], repeating: false, forms: ["CRS", "VS"] },
  ],
  forms: [
    { ...form, id: "DM", name: T("Demographics", "人口学资料") },
    { ...form, id: "ELIG", name: T("Eligibility", "入选/排除标准") },
    { ...form, id: "CRS", name: T("Cytokine release syndrome", "细胞因子释放综合征") },
    { ...form, id: "VS", name: T("Vital signs", "生命体征") },
  ],
};
const fs = (event: string, f: string, more: Partial<FormStatus> = {}): FormStatus => ({
  form: { subject: "S01-001", event, event_repeat: 1, form: f, form_repeat: 1 },
  status: "not_started",
  signature: null,
  open_queries: 0,
  locked: false,
  verified: false,
  ...more,
});
const cb: CasebookData = {
  subject: { subject: "S01-001", site: "S01", enrolled_at: "2025-01-01T00:00:00+08:00", definition_version: "1.0", forms_started: 5, forms_complete: 4, eligibility: null },
  forms: [
    fs("SCR", "DM", { status: "complete", signature: "signed", verified: true, locked: true }),
    fs("SCR", "ELIG", { status: "in_progress", open_queries: 2 }),
    fs("D1", "CRS", { status: "complete", signature: "signature_broken", open_queries: 1 }),
    fs("D1", "VS", { status: "complete" }),
  ],
};

let m: Mounted;
let opened: unknown[];
function services(): AppServices {
  return {
    node: null,
    session: nurse,
    def,
    definitionFor: async () => def,
    status: () => undefined,
    open: (s) => opened.push(s),
    back: () => undefined,
    setLeaveGuard: () => undefined,
    can: (a) => nurse.permissions.includes(a),
  };
}
async function render() {
  m = mount(
    <AppContext.Provider value={services()}>
      <Casebook subject="S01-001" />
    </AppContext.Provider>,
  );
  await flush();
}
const cell = (k: string) => $<HTMLButtonElement>(m.root, `[data-form-cell="${k}"]`);

beforeEach(() => {
  setLang("en");
  opened = [];
  mockApi.casebook.mockReset().mockResolvedValue(cb);
  mockApi.subjectSchedule.mockReset().mockResolvedValue([]);
});
afterEach(() => {
  m?.unmount();
  vi.restoreAllMocks();
});

describe("casebook cells", () => {
  it("say each state in words beside an icon: status, queries, signature, lock, verification", async () => {
    await render();
    const dm = cell("SCR.1/DM.1");
    expect(dm.querySelector(".cell-main")?.textContent).toBe("Complete");
    expect(dm.querySelector("svg.icon")).not.toBeNull();
    expect(dm.querySelector(".cell-flags")?.textContent).toBe(" Signed Locked Verified");
    expect(dm.dataset.locked).toBe("true");
    expect(dm.dataset.verified).toBe("true");
    const elig = cell("SCR.1/ELIG.1");
    expect(elig.textContent).toContain("In progress");
    expect(elig.textContent).toContain("2 queries");
    expect(elig.dataset.queries).toBe("2");
    const crs = cell("D1.1/CRS.1");
    expect(crs.textContent).toContain("1 query");
    expect(crs.textContent).toContain("Signature broken");
    const d2 = cell("D2.1/CRS.1");
    expect(d2.textContent).toBe("Not started");
    expect(d2.hasAttribute("data-queries")).toBe(false);
    expect(d2.hasAttribute("data-locked")).toBe(false);
    // The title says it all for a mouse user.
    expect(crs.title).toBe("Cytokine release syndrome at Day 1: Complete. Press Enter to open. · 1 query · Signature broken");
  });

  it("a legend names every state, in Chinese too", async () => {
    await render();
    const legend = $(m.root, ".legend").textContent!;
    for (const w of ["Not started", "In progress", "Complete", "Open queries", "Signed", "Signature broken", "Locked", "Source data verified"]) {
      expect(legend).toContain(w);
    }
    setLang("zh");
    m.unmount();
    await render();
    expect($(m.root, ".legend").textContent).toContain("签名已失效");
    expect(cell("SCR.1/ELIG.1").textContent).toContain("2 条质疑");
  });

  it("opens on the first cell not complete; typing a form's name jumps to its row", async () => {
    await render();
    expect(document.activeElement).toBe(cell("SCR.1/ELIG.1"));
    // "c" → the CRS row: its first cell not complete (Day 2).
    press(document.activeElement!, "c");
    expect(document.activeElement).toBe(cell("D2.1/CRS.1"));
    // A pause, then "v" and "i" → Vital signs: Day 2's cell is not started.
    const later = Date.now() + 2000;
    vi.spyOn(Date, "now").mockImplementation(() => later);
    press(document.activeElement!, "v");
    press(document.activeElement!, "i");
    expect(document.activeElement).toBe(cell("D2.1/VS.1"));
    // Arrows move along the row.
    press(document.activeElement!, "ArrowLeft");
    expect(document.activeElement).toBe(cell("D1.1/VS.1"));
    // Enter (a click) opens; coming back, the focus is on that cell again.
    click(document.activeElement!);
    expect(opened).toEqual([{ kind: "form", form: cb.forms[3].form }]);
    m.unmount();
    await render();
    expect(document.activeElement).toBe(cell("D1.1/VS.1"));
  });

  it("↑/↓ go first through the instances stacked in one cell; ? is not typed ahead", async () => {
    const withAe: Definition = {
      ...def,
      events: [...def.events, { id: "AELOG", name: T("Adverse events", "不良事件"), anchor: "none", day: null, window: null, repeating: false, forms: ["AE"] }],
      forms: [...def.forms, { ...form, id: "AE", name: T("Adverse event", "不良事件"), repeating: true }],
    };
    mockApi.casebook.mockResolvedValue({ ...cb, forms: [...cb.forms, fs("AELOG", "AE", { status: "complete" })] });
    m = mount(
      <AppContext.Provider value={{ ...services(), def: withAe }}>
        <Casebook subject="S01-009" />
      </AppContext.Provider>,
    );
    await flush();
    // A log is not a visit: the focus starts at the first visit's form not complete.
    expect(document.activeElement).toBe(cell("SCR.1/ELIG.1"));
    press(document.activeElement!, "a");
    expect(document.activeElement).toBe(cell("AELOG.1/AE.2")); // "+ new", the first not complete
    expect(cell("AELOG.1/AE.2").textContent).toBe("+ new");
    press(document.activeElement!, "ArrowUp");
    expect(document.activeElement).toBe(cell("AELOG.1/AE.1"));
    press(document.activeElement!, "ArrowDown");
    expect(document.activeElement).toBe(cell("AELOG.1/AE.2"));
    expect(press(document.activeElement!, "?").defaultPrevented).toBe(false);
  });

  it("type-ahead finds by name or code; one letter again goes on to the next row", () => {
    const names = [
      { name: "Demographics", code: "DM" },
      { name: "CAR-T manufacturing", code: "MFG" },
      { name: "CAR-T cell infusion", code: "INF" },
      { name: "Cytokine release syndrome", code: "CRS" },
    ];
    expect(findRow(names, "c", 0)).toBe(1);
    expect(findRow(names, "car-t c", 1)).toBe(2);
    expect(findRow(names, "cy", 1)).toBe(3);
    expect(findRow(names, "cc", 1)).toBe(2);
    expect(findRow(names, "inf", 0)).toBe(2);
    expect(findRow(names, "x", 0)).toBeNull();
  });
});
