// The visit schedule in the casebook, and the worklist: states in colour and words, windows,
// the planned mark, ordering, and opening a subject's casebook from a row.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Definition } from "../bindings/Definition";
import type { Visit } from "../bindings/Visit";
import type { WorklistEntry } from "../bindings/WorklistEntry";
import { AppContext, AppServices } from "../context";
import { setLang } from "../i18n";
import { T, definition, nurse } from "../test/fixtures";
import { $, Mounted, choose, click, flush, mount, press } from "../test/util";

const mockApi = {
  casebook: vi.fn(),
  subjectSchedule: vi.fn(),
  worklist: vi.fn(),
};
vi.mock("../api", async (orig) => ({ ...(await orig<typeof import("../api")>()), api: mockApi }));

const { ApiError } = await import("../api");
const { Casebook } = await import("./Casebook");
const { Worklist, sortWorklist } = await import("./Worklist");

const ev = (id: string, anchor: "enrolment" | "infusion", day: number, window: [number, number]) => ({
  id,
  name: T(id === "SCR" ? "Screening" : `Day ${day}`, id === "SCR" ? "筛选期" : `第 ${day} 天`),
  anchor,
  day,
  window,
  repeating: false,
  forms: ["TEST"],
});
const def: Definition = {
  ...definition,
  events: [ev("SCR", "enrolment", 0, [0, 28]), ev("D0", "infusion", 0, [0, 0]), ev("D7", "infusion", 7, [6, 8]), ev("D14", "infusion", 14, [12, 16]), ev("D28", "infusion", 28, [25, 31]), ev("M3", "infusion", 90, [80, 100])],
};
const visit = (event: string, state: Visit["state"], due: string, earliest: string, latest: string, planned = false): Visit => ({
  event,
  name: def.events.find((e) => e.id === event)!.name,
  due,
  earliest,
  latest,
  state,
  planned,
});
const schedule: Visit[] = [
  visit("SCR", "complete", "2025-03-04", "2025-03-04", "2025-04-01"),
  visit("D0", "overdue", "2025-04-01", "2025-04-01", "2025-04-01", true),
  visit("D7", "due", "2025-04-08", "2025-04-07", "2025-04-09", true),
  visit("D14", "in_progress", "2025-04-15", "2025-04-13", "2025-04-17", true),
  visit("D28", "upcoming", "2025-04-29", "2025-04-26", "2025-05-02", true),
  visit("M3", "not_expected", "2025-06-30", "2025-06-20", "2025-07-10", true),
];
const subject = { subject: "S01-001", site: "S01", enrolled_at: "2025-03-04T09:00:00+08:00", definition_version: "1.0", forms_started: 1, forms_complete: 1, eligibility: null };

let m: Mounted;
let opened: unknown[];
let statuses: Array<[string, string | undefined]>;

function services(): AppServices {
  return {
    node: null,
    session: nurse,
    def,
    definitionFor: async () => def,
    status: (text, kind) => statuses.push([text, kind]),
    open: (s) => opened.push(s),
    back: vi.fn(),
    setLeaveGuard: vi.fn(),
    can: (a) => nurse.permissions.includes(a),
  };
}

async function show(node: preact.ComponentChild) {
  m = mount(<AppContext.Provider value={services()}>{node}</AppContext.Provider>);
  await flush();
}

beforeEach(() => {
  setLang("en");
  opened = [];
  statuses = [];
  mockApi.casebook.mockReset().mockResolvedValue({ subject, forms: [] });
  mockApi.subjectSchedule.mockReset().mockResolvedValue(schedule);
  mockApi.worklist.mockReset();
});
afterEach(() => m?.unmount());

describe("the casebook's schedule", () => {
  it("shows each scheduled event's state in colour and words, its due date and window", async () => {
    await show(<Casebook subject="S01-001" />);
    expect(mockApi.subjectSchedule).toHaveBeenCalledWith("S01-001");
    const states = Object.fromEntries(
      [...m.root.querySelectorAll<HTMLElement>("[data-visit]")].map((el) => [el.dataset.visit, el.querySelector(".visit-state")!.textContent]),
    );
    expect(states).toEqual({ SCR: "Complete", D0: "Overdue", D7: "Due", D14: "In progress", D28: "Upcoming", M3: "Not expected" });
    // Colour by class, one per state.
    expect($(m.root, "[data-visit=D0] .visit-state").className).toContain("vs-overdue");
    expect($(m.root, "[data-visit=D7] .visit-state").className).toContain("vs-due");
    expect($(m.root, "[data-visit=D14] .visit-state").className).toContain("vs-in_progress");
    expect($(m.root, "[data-visit=SCR] .visit-state").className).toContain("vs-complete");
    expect($(m.root, "[data-visit=D28] .visit-state").className).toContain("vs-upcoming");
    expect($(m.root, "[data-visit=M3] .visit-state").className).toContain("vs-not_expected");
    const d7 = $(m.root, "[data-visit=D7]");
    expect(d7.querySelector(".visit-due")?.textContent).toBe("due 2025-04-08");
    expect(d7.querySelector(".visit-window")?.textContent).toBe("window 2025-04-07 – 2025-04-09");
    // A one-day window is the due date alone.
    expect($(m.root, "[data-visit=D0]").querySelector(".visit-window")).toBeNull();
  });

  it("marks dates that hang on a planned infusion", async () => {
    await show(<Casebook subject="S01-001" />);
    expect($(m.root, "[data-visit=SCR]").querySelector("[data-planned]")).toBeNull();
    const mark = $(m.root, "[data-visit=D7] [data-planned]");
    expect(mark.textContent).toContain("planned");
    expect(mark.getAttribute("title")).toContain("infusion date is only planned");
  });

  it("speaks Chinese as a clinician expects", async () => {
    setLang("zh");
    await show(<Casebook subject="S01-001" />);
    const words = [...m.root.querySelectorAll(".visit-state")].map((e) => e.textContent);
    expect(words).toEqual(["已完成", "已逾期", "待完成", "进行中", "即将到期", "不适用"]);
    expect($(m.root, "[data-visit=D7] .visit-due").textContent).toBe("应访日期 2025-04-08");
    expect($(m.root, "[data-visit=D7] .visit-window").textContent).toBe("窗口期 2025-04-07 至 2025-04-09");
    expect($(m.root, "[data-visit=D7] [data-planned]").textContent).toContain("预计");
  });

  it("without the schedule the grid still opens the forms, and says why the dates are missing", async () => {
    mockApi.subjectSchedule.mockRejectedValue(new ApiError("forbidden", "no"));
    await show(<Casebook subject="S01-001" />);
    expect(m.root.querySelector("[data-form-cell='SCR.1/TEST.1']")).not.toBeNull();
    expect(m.root.querySelector("[data-visit]")).toBeNull();
    expect($(m.root, ".alert.warn").textContent).toContain("The visit schedule could not be loaded");
  });
});

const entry = (subject: string, event: string, state: Visit["state"], latest: string, planned = false): WorklistEntry => ({
  subject,
  event,
  name: T(event, event),
  due: latest,
  earliest: latest,
  latest,
  state,
  planned,
});

describe("the worklist", () => {
  const unordered = [
    entry("S01-003", "D28", "upcoming", "2025-04-20", true),
    entry("S01-002", "D7", "in_progress", "2025-04-10"),
    entry("S01-001", "D14", "overdue", "2025-04-05"),
    entry("S01-004", "SCR", "due", "2025-04-12"),
    entry("S01-001", "D7", "overdue", "2025-03-30"),
    entry("S01-005", "SCR", "due", "2025-04-09"),
  ];

  it("orders overdue first, then due, in progress, upcoming; the window closing first", () => {
    expect(sortWorklist(unordered).map((e) => `${e.subject}/${e.event}`)).toEqual([
      "S01-001/D7",
      "S01-001/D14",
      "S01-005/SCR",
      "S01-004/SCR",
      "S01-002/D7",
      "S01-003/D28",
    ]);
  });

  it("draws the rows in that order, with state, window and planned mark; counts them", async () => {
    mockApi.worklist.mockResolvedValue(unordered);
    await show(<Worklist />);
    expect(mockApi.worklist).toHaveBeenCalledWith(undefined); // the services' default: 7 days
    const rows = [...m.root.querySelectorAll<HTMLElement>("[data-worklist]")];
    expect(rows.map((r) => r.dataset.worklist)).toEqual(["S01-001/D7", "S01-001/D14", "S01-005/SCR", "S01-004/SCR", "S01-002/D7", "S01-003/D28"]);
    expect(rows[0].textContent).toContain("Overdue");
    expect(rows[0].querySelector(".visit-state")?.className).toContain("vs-overdue");
    expect(rows[5].querySelector("[data-planned]")).not.toBeNull();
    expect(m.root.querySelector(".worklist-count")?.textContent).toBe("2 overdue · 2 due · 1 in progress · 1 upcoming");
    // The most pressing visit has the focus.
    expect(document.activeElement).toBe(rows[0]);
  });

  it("Enter or a click on a row opens that subject's casebook; arrows move between rows", async () => {
    mockApi.worklist.mockResolvedValue(unordered);
    await show(<Worklist />);
    press($(m.root, '[data-worklist="S01-001/D7"]'), "Enter");
    expect(opened).toEqual([{ kind: "casebook", subject: "S01-001" }]);
    click($(m.root, '[data-worklist="S01-002/D7"]'));
    expect(opened.at(-1)).toEqual({ kind: "casebook", subject: "S01-002" });
    press($(m.root, '[data-worklist="S01-001/D7"]'), "ArrowDown");
    expect((document.activeElement as HTMLElement).dataset.worklist).toBe("S01-001/D14");
  });

  it("looks further ahead on request; an empty list says so", async () => {
    mockApi.worklist.mockResolvedValue([]);
    await show(<Worklist />);
    expect(m.root.querySelector("td.empty")?.textContent).toBe("Nothing to do: no visit is overdue, due, in progress or opening within 7 days.");
    choose($(m.root, "#worklist-days"), "30");
    await flush();
    expect(mockApi.worklist).toHaveBeenLastCalledWith(30);
    expect(m.root.querySelector("td.empty")?.textContent).toContain("within 30 days");
  });

  it("a failure is reported", async () => {
    mockApi.worklist.mockRejectedValue(new ApiError("io", "disk"));
    await show(<Worklist />);
    expect($(m.root, ".alert.error").textContent).toBe("Could not load the worklist: The database could not be read or written: disk");
  });
});
