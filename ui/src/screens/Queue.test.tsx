// The investigator's queue of forms awaiting signature.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Definition } from "../bindings/Definition";
import type { QueueItem } from "../bindings/QueueItem";
import type { SessionInfo } from "../bindings/SessionInfo";
import { AppContext, AppServices } from "../context";
import { setLang } from "../i18n";
import { T, definition, form } from "../test/fixtures";
import { $, Mounted, click, flush, mount, press, type } from "../test/util";

const mockApi = { signatureQueue: vi.fn(), sign: vi.fn() };
vi.mock("../api", async (orig) => ({ ...(await orig<typeof import("../api")>()), api: mockApi }));
const { Queue, groupQueue } = await import("./Queue");

const investigator: SessionInfo = {
  username: "dr.chen",
  full_name: "Chen Jian",
  role: "investigator",
  permissions: ["view_data", "enter_data", "sign", "answer_query"],
  idle_minutes: 15,
};
const def: Definition = {
  ...definition,
  events: [
    { id: "SCR", name: T("Screening", "筛选期"), anchor: "enrolment", day: 0, window: [0, 28], repeating: false, forms: ["DM", "ELIG"] },
    { id: "AEL", name: T("Adverse events", "不良事件"), anchor: "none", day: null, window: null, repeating: false, forms: ["AE"] },
  ],
  forms: [
    { ...form, id: "DM", name: T("Demographics", "人口学资料") },
    { ...form, id: "ELIG", name: T("Eligibility", "入选/排除标准") },
    { ...form, id: "AE", name: T("Adverse event", "不良事件"), repeating: true },
  ],
};
const q = (subject: string, event: string, f: string, state = "unsigned", n = 1): QueueItem => ({
  form: { subject, event, event_repeat: 1, form: f, form_repeat: n },
  state,
});
const items = [q("S01-002", "SCR", "DM"), q("S01-001", "AEL", "AE", "unsigned", 2), q("S01-001", "SCR", "ELIG", "signature_broken"), q("S01-001", "SCR", "DM")];

let m: Mounted;
let opened: unknown[];
let statuses: string[];
async function render() {
  const app: AppServices = {
    node: null,
    session: investigator,
    def,
    definitionFor: async () => def,
    status: (text) => statuses.push(text),
    open: (s) => opened.push(s),
    back: () => undefined,
    setLeaveGuard: () => undefined,
    can: (a) => investigator.permissions.includes(a),
  };
  m = mount(
    <AppContext.Provider value={app}>
      <Queue />
    </AppContext.Provider>,
  );
  await flush();
}

beforeEach(() => {
  setLang("en");
  opened = [];
  statuses = [];
  mockApi.signatureQueue.mockReset().mockResolvedValue(items);
  mockApi.sign.mockReset();
});
afterEach(() => m?.unmount());

describe("signature queue", () => {
  it("groups by subject, forms in protocol order, names in words", () => {
    const g = groupQueue(items, def);
    expect(g.map((x) => x.subject)).toEqual(["S01-001", "S01-002"]);
    expect(g[0].items.map((x) => x.form.form)).toEqual(["DM", "ELIG", "AE"]);
  });

  it("lists each subject's forms with visit, form and signature state; broken ones stand out", async () => {
    await render();
    const rows = [...m.root.querySelectorAll<HTMLElement>("[data-queue-item]")];
    expect(rows.map((r) => r.dataset.queueItem)).toEqual(["S01-001/SCR.1/DM.1", "S01-001/SCR.1/ELIG.1", "S01-001/AEL.1/AE.2", "S01-002/SCR.1/DM.1"]);
    const text = (r: HTMLElement) => [...r.querySelectorAll("td")].slice(0, 3).map((c) => c.textContent?.trim());
    expect(text(rows[1])).toEqual(["Screening", "Eligibility", "Signature broken — data changed after signing"]);
    expect(text(rows[2])).toEqual(["Adverse events", "Adverse event #2", "Not signed"]);
    expect(m.root.textContent).toContain("4 forms of 2 subjects · 1 with a broken signature");
    expect(document.activeElement).toBe(rows[0]);
  });

  it("Enter opens the form; arrows move; S signs, and the queue is read again", async () => {
    await render();
    press(document.activeElement!, "ArrowDown");
    const row = $(m.root, '[data-queue-item="S01-001/SCR.1/ELIG.1"]');
    expect(document.activeElement).toBe(row);
    press(row, "Enter");
    expect(opened).toEqual([{ kind: "form", form: items[2].form }]);
    press(row, "s");
    expect($(m.root, "#sign-dialog").textContent).toContain("the form Eligibility, Screening, subject S01-001");
    mockApi.sign.mockResolvedValue({ signature: "s1", scope: { level: "form", ...items[2].form }, meaning: "review", printed_name: "Chen Jian", username: "dr.chen", at: "2025-03-01T10:00:00Z", content_hash: "", forms: [], broken: false });
    mockApi.signatureQueue.mockResolvedValue(items.filter((x) => x !== items[2]));
    type($(m.root, "#sign-password"), "pw");
    click($(m.root, "#sign-ok"));
    await flush();
    await flush();
    expect(mockApi.sign).toHaveBeenCalledWith({ level: "form", ...items[2].form }, "review", "pw");
    expect(mockApi.signatureQueue).toHaveBeenCalledTimes(2);
    expect(m.root.querySelector('[data-queue-item="S01-001/SCR.1/ELIG.1"]')).toBeNull();
    // Effects of a render after the last act() run on the next frame.
    await new Promise((r) => setTimeout(r, 40));
    await flush();
    // The focus goes on to the next form.
    expect((document.activeElement as HTMLElement).dataset.queueItem).toBe("S01-001/AEL.1/AE.2");
  });

  it("says when there is nothing to sign, and a failure in plain words", async () => {
    mockApi.signatureQueue.mockResolvedValue([]);
    await render();
    expect(m.root.textContent).toContain("Nothing to sign");
    m.unmount();
    mockApi.signatureQueue.mockRejectedValue({ code: "forbidden", message: "nurse may not sign", findings: [] });
    await render();
    expect(statuses.at(-1)).toBe("Could not load the forms awaiting signature: You are not allowed to do this: nurse may not sign");
  });
});
