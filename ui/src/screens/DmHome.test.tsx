// The data manager's home (counts, forms awaiting verification, locks with unlock, last
// imports; what shows follows the role), the verification panel and the lock panel.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Casebook } from "../bindings/Casebook";
import type { LockView } from "../bindings/LockView";
import type { SessionInfo } from "../bindings/SessionInfo";
import { AppContext } from "../context";
import { setLang } from "../i18n";
import { $, Mounted, click, flush, mount, type } from "../test/util";
import { services, sessions } from "./dm.testutil";

const mockApi = {
  queries: vi.fn(),
  conflicts: vi.fn(),
  locks: vi.fn(),
  lockData: vi.fn(),
  unlockData: vi.fn(),
  importHistory: vi.fn(),
  subjects: vi.fn(),
  casebook: vi.fn(),
  sdvMark: vi.fn(),
};
vi.mock("../api", async (orig) => ({ ...(await orig<typeof import("../api")>()), api: mockApi }));
const { DmHome, VerifyPanel, LockPanel } = await import("./DmHome");

const F = { subject: "S01-001", event: "SCR", event_repeat: 1, form: "TEST", form_repeat: 1 };
const FU = { ...F, event: "FU", event_repeat: 2 };
const book = (subject: string, forms: Array<[typeof F, string, boolean]>): Casebook => ({
  subject: { subject } as Casebook["subject"],
  forms: forms.map(([form, status, verified]) => ({ form: { ...form, subject }, status, signature: null, open_queries: 0, locked: false, verified })),
});
const subjectLock: LockView = { scope: { level: "subject", subject: "S01-004" }, username: "zhao.min", at: "2026-11-19T17:05:00+08:00", reason: "Withdrawn; casebook complete." };

let m: Mounted;
let statuses: Array<[string, string | undefined]>;
async function render(node: preact.ComponentChild, session: SessionInfo = sessions.dm) {
  m = mount(<AppContext.Provider value={services(session, statuses)}>{node}</AppContext.Provider>);
  for (let i = 0; i < 4; i++) await flush();
}

beforeEach(() => {
  setLang("en");
  statuses = [];
  for (const f of Object.values(mockApi)) f.mockReset();
  mockApi.queries.mockResolvedValue([{ status: "open" }, { status: "open" }, { status: "answered" }, { status: "closed" }]);
  mockApi.conflicts.mockResolvedValue([{ key: "k" }]);
  mockApi.locks.mockResolvedValue([subjectLock]);
  mockApi.importHistory.mockResolvedValue([
    { file: "/home/zhao/Downloads/S01-2026-11-24T1030.ecrfb", sha256: "aa", origin: "n1", origin_site: "S01", created_at: "2026-11-24T10:30:00+08:00", imported_at: "2026-11-24T15:40:00+08:00", imported_by: "zhao.min", summary: { new: 1234, conflicts: 1 } },
  ]);
  mockApi.subjects.mockResolvedValue([{ subject: "S01-001" }, { subject: "S01-002" }]);
  mockApi.casebook.mockImplementation(async (s: string) =>
    s === "S01-001" ? book(s, [[F, "complete", false], [FU, "complete", true]]) : book(s, [[F, "in_progress", false], [FU, "complete", false]]),
  );
});
afterEach(() => {
  m?.unmount();
  setLang("en");
});

const card = (id: string) => $(m.root, `[data-home-card="${id}"]`).textContent!.replace(/\u202f/g, " ");

describe("the home of the data manager", () => {
  it("counts queries, conflicts, forms to verify, locks and shows the last import", async () => {
    const nav = vi.fn();
    const openForm = vi.fn();
    await render(<DmHome onOpenForm={openForm} onOpenSubject={vi.fn()} onNavigate={nav} />);
    expect(card("queries")).toContain("2Open queries");
    expect(card("answered")).toContain("1Answered queries");
    expect(card("conflicts")).toContain("1Conflicts to resolve");
    expect(card("verify")).toContain("2Forms awaiting verification");
    expect(card("locks")).toContain("1Locks in force");
    expect(card("imports")).toContain("2026-11-24");
    expect(card("imports")).toContain("From Site S01");
    click($(m.root, '[data-home-card="conflicts"]'));
    expect(nav).toHaveBeenLastCalledWith("sync");
    click($(m.root, '[data-home-card="reports"]'));
    expect(nav).toHaveBeenLastCalledWith("reports");
    // The forms awaiting verification open on a click.
    click($(m.root, '[data-verify-form="S01-002/FU.2/TEST.1"]'));
    expect(openForm).toHaveBeenCalledWith({ ...FU, subject: "S01-002" });
    expect($(m.root, '[data-verify-form="S01-001/SCR.1/TEST.1"]').textContent).toBe("S01-001 · Screening · Test visit");
    expect($(m.root, '[data-lock="S01-004"]').textContent).toContain("Subject S01-004");
    expect($(m.root, "#home-imports").textContent!.replace(/\u202f/g, " ")).toContain("1 234 new changes · 1 conflict");
  });

  it("unlocks with a reason only", async () => {
    await render(<DmHome onOpenForm={vi.fn()} onOpenSubject={vi.fn()} onNavigate={vi.fn()} />);
    click($(m.root, '[data-lock="S01-004"] .unlock-data'));
    click($(m.root, "#unlock-data-ok"));
    expect($(m.root, "#unlock-data-error").textContent).toBe("Say why the data are unlocked.");
    mockApi.unlockData.mockResolvedValue([]);
    type($(m.root, "#unlock-data-reason"), "Late correction of the death date.");
    click($(m.root, "#unlock-data-ok"));
    await flush();
    expect(mockApi.unlockData).toHaveBeenCalledWith({ level: "subject", subject: "S01-004" }, "Late correction of the death date.");
    expect(m.root.querySelector('[data-lock="S01-004"]')).toBeNull();
    expect(m.root.textContent).toContain("Nothing is locked.");
  });

  it("locks the study from the home, the reason optional", async () => {
    mockApi.lockData.mockResolvedValue([subjectLock, { scope: { level: "study" }, username: "zhao.min", at: "2026-11-25T10:00:00+08:00", reason: null }]);
    await render(<DmHome onOpenForm={vi.fn()} onOpenSubject={vi.fn()} onNavigate={vi.fn()} />);
    click($(m.root, "#lock-new"));
    await flush();
    const level = $<HTMLSelectElement>(m.root, "#lock-level");
    level.value = "study";
    level.dispatchEvent(new Event("change", { bubbles: true }));
    await flush();
    expect(m.root.textContent).toContain("Nobody can change any data of the study until it is unlocked.");
    click($(m.root, "#lock-ok"));
    await flush();
    expect(mockApi.lockData).toHaveBeenCalledWith({ level: "study" }, null);
    expect($(m.root, '[data-lock="study"]').textContent).toContain("The whole study");
  });

  it("shows a monitor no conflicts, no lock buttons and no imports", async () => {
    await render(<DmHome onOpenForm={vi.fn()} onOpenSubject={vi.fn()} onNavigate={vi.fn()} />, sessions.monitor);
    expect(m.root.querySelector('[data-home-card="conflicts"]')).toBeNull();
    expect(m.root.querySelector('[data-home-card="verify"]')).not.toBeNull();
    expect(m.root.querySelector("#lock-new")).toBeNull();
    expect(m.root.querySelector(".unlock-data")).toBeNull();
    expect(m.root.querySelector("#home-imports")).toBeNull();
    expect(mockApi.conflicts).not.toHaveBeenCalled();
  });
});

describe("the verification panel", () => {
  const values = [
    { group: "MAIN", repeat: 1, item: "VISDAT", value: "2026-11-01" },
    { group: "VITAL", repeat: 1, item: "TEMP", value: 37.2 },
    { group: "MAIN", repeat: 1, item: "WEIGHT", value: null },
  ];
  const none = { form: F, form_verified: false, items: [], by: null, at: null };

  it("marks the form or one item verified, and withdraws", async () => {
    const changed = vi.fn();
    await render(<VerifyPanel form={F} verified={none} values={values} onChanged={changed} />, sessions.monitor);
    expect(m.root.textContent).toContain("The form is not verified");
    expect(m.root.textContent).toContain("Items verified one by one: 0 of 2");
    mockApi.sdvMark.mockResolvedValue({ ...none, form_verified: true, by: "liu.yang", at: "2026-11-25T10:00:00+08:00" });
    click($(m.root, "#sdv-form"));
    await flush();
    expect(mockApi.sdvMark).toHaveBeenLastCalledWith({ level: "form", ...F }, true);
    expect(m.root.textContent).toContain("✓ Form verified by liu.yang, 2026-11-25 10:00");
    expect(changed).toHaveBeenCalled();
    mockApi.sdvMark.mockResolvedValue({ ...none, form_verified: true, items: ["S01-001/SCR.1/TEST.1/VITAL.1/TEMP"] });
    click($(m.root, '[data-sdv-item="S01-001/SCR.1/TEST.1/VITAL.1/TEMP"]'));
    await flush();
    expect(mockApi.sdvMark).toHaveBeenLastCalledWith({ level: "item", ...F, group: "VITAL", group_repeat: 1, item: "TEMP" }, true);
    expect($<HTMLInputElement>(m.root, '[data-sdv-item="S01-001/SCR.1/TEST.1/VITAL.1/TEMP"]').checked).toBe(true);
    click($(m.root, "#sdv-form-withdraw"));
    await flush();
    expect(mockApi.sdvMark).toHaveBeenLastCalledWith({ level: "form", ...F }, false);
  });

  it("is read-only for the site", async () => {
    await render(<VerifyPanel form={F} verified={none} values={values} />, sessions.nurse);
    expect(m.root.querySelector("#sdv-form")).toBeNull();
    expect($<HTMLInputElement>(m.root, "[data-sdv-item]").disabled).toBe(true);
  });
});

describe("the lock panel", () => {
  it("locks a form and unlocks it with a reason", async () => {
    const formScope = { level: "form" as const, ...F };
    const lock = { scope: formScope, username: "zhao.min", at: "2026-11-25T10:00:00+08:00", reason: "SDV done" };
    mockApi.lockData.mockResolvedValue([lock]);
    await render(<LockPanel scope={formScope} lock={null} />);
    expect(m.root.textContent).toContain("Not locked");
    click($(m.root, "#lock-data"));
    expect(m.root.textContent).toContain("Lock S01-001 · Screening · Test visit");
    type($(m.root, "#lock-reason"), "SDV done");
    click($(m.root, "#lock-ok"));
    await flush();
    expect(mockApi.lockData).toHaveBeenCalledWith(formScope, "SDV done");
    expect($(m.root, "[data-locked]").getAttribute("data-locked")).toBe("true");
    mockApi.unlockData.mockResolvedValue([]);
    click($(m.root, "#unlock-data-open"));
    type($(m.root, "#unlock-data-reason"), "Correction after query q-3");
    click($(m.root, "#unlock-data-ok"));
    await flush();
    expect(mockApi.unlockData).toHaveBeenCalledWith(formScope, "Correction after query q-3");
    expect($(m.root, "[data-locked]").getAttribute("data-locked")).toBe("false");
  });

  it("has no buttons for those who may not lock", async () => {
    await render(<LockPanel scope={{ level: "subject", subject: "S01-004" }} lock={subjectLock} />, sessions.monitor);
    expect(m.root.textContent).toContain("Locked by zhao.min, 2026-11-19 17:05");
    expect(m.root.querySelector("#unlock-data-open")).toBeNull();
  });
});
