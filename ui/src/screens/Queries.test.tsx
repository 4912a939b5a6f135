// The queries screen: threads in words, actions by permission, a text required for every
// action, filters, and raising a query on an item (a row of a repeating group) or a form.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Casebook } from "../bindings/Casebook";
import type { QueryThread } from "../bindings/QueryThread";
import type { SessionInfo } from "../bindings/SessionInfo";
import { AppContext } from "../context";
import { setLang } from "../i18n";
import { $, Mounted, choose, click, flush, mount, type } from "../test/util";
import { services, sessions } from "./dm.testutil";

const mockApi = {
  queries: vi.fn(),
  queryOpen: vi.fn(),
  queryAct: vi.fn(),
  subjects: vi.fn(),
  casebook: vi.fn(),
};
vi.mock("../api", async (orig) => ({ ...(await orig<typeof import("../api")>()), api: mockApi }));
const { Queries, RaiseQueryDialog, actionsFor } = await import("./Queries");

const F = { subject: "S01-001", event: "SCR", event_repeat: 1, form: "TEST", form_repeat: 1 };
function thread(query: string, status: string, o: Partial<QueryThread> = {}): QueryThread {
  const opened = { kind: "query_opened", text: "Temperature 39.2 °C: please confirm.", username: "liu.yang", at: "2026-11-20T14:12:00+08:00" };
  const more =
    status === "answered"
      ? [{ kind: "query_answered", text: "Confirmed against the chart.", username: "wang.fang", at: "2026-11-21T09:31:00+08:00" }]
      : status === "closed"
        ? [
            { kind: "query_answered", text: "Confirmed.", username: "wang.fang", at: "2026-11-21T09:31:00+08:00" },
            { kind: "query_closed", text: "Confirmed by the source.", username: "zhao.min", at: "2026-11-22T10:00:00+08:00" },
          ]
        : [];
  return {
    query: query,
    subject: "S01-001",
    form: F,
    item: "TEMP",
    group: "VITAL",
    repeat: 1,
    rule: null,
    status,
    text: opened.text,
    opened_by: "liu.yang",
    opened_at: opened.at,
    thread: [opened, ...more],
    ...o,
  };
}

let m: Mounted;
let statuses: Array<[string, string | undefined]>;
async function render(node: preact.ComponentChild, session: SessionInfo = sessions.dm) {
  m = mount(<AppContext.Provider value={services(session, statuses)}>{node}</AppContext.Provider>);
  await flush();
  await flush();
}

beforeEach(() => {
  setLang("en");
  statuses = [];
  for (const f of Object.values(mockApi)) f.mockReset();
  mockApi.subjects.mockResolvedValue([{ subject: "S01-001" }, { subject: "S01-002" }]);
  mockApi.queries.mockResolvedValue([thread("q-1", "open"), thread("q-2", "answered", { item: null, group: null, repeat: null, rule: "CRS_TOCI", opened_by: "system" }), thread("q-3", "closed")]);
});
afterEach(() => {
  m?.unmount();
  setLang("en");
});

describe("the list of queries", () => {
  it("shows each query with its place, item and thread in words", async () => {
    await render(<Queries />);
    const q1 = $(m.root, '[data-query="q-1"]');
    expect(q1.getAttribute("data-status")).toBe("open");
    expect(q1.textContent).toContain("S01-001 · Screening · Test visit");
    expect(q1.textContent).toContain("On the item Temperature");
    expect(q1.textContent).toContain("Raised by liu.yang, 2026-11-20 14:12");
    const q2 = $(m.root, '[data-query="q-2"]');
    expect(q2.textContent).toContain("On the whole form");
    expect(q2.textContent).toContain("Raised by an edit check");
    expect(q2.querySelector(".query-meta")!.getAttribute("title")).toBe("Edit check CRS_TOCI");
    expect([...$(m.root, '[data-query="q-3"]').querySelectorAll(".msg-kind")].map((e) => e.textContent)).toEqual(["Raised", "Answered", "Closed"]);
    expect(m.root.textContent).toContain("3 queries · 1 open, 1 answered");
  });

  it("offers each role only its actions", () => {
    const can = (s: SessionInfo) => (a: string) => s.permissions.includes(a as never);
    expect(actionsFor(thread("a", "open"), can(sessions.nurse))).toEqual(["answer"]);
    expect(actionsFor(thread("a", "answered"), can(sessions.nurse))).toEqual([]);
    expect(actionsFor(thread("a", "open"), can(sessions.dm))).toEqual(["close"]);
    expect(actionsFor(thread("a", "answered"), can(sessions.dm))).toEqual(["close"]);
    expect(actionsFor(thread("a", "closed"), can(sessions.dm))).toEqual(["reopen"]);
    expect(actionsFor(thread("a", "open"), can(sessions.monitor))).toEqual([]);
  });

  it("lets the site answer, with a text, and shows the new thread", async () => {
    await render(<Queries />, sessions.nurse);
    expect(m.root.querySelector("#query-new")).toBeNull();
    click($(m.root, '[data-query="q-1"] [data-query-action="answer"]'));
    click($(m.root, "#query-reply-ok"));
    expect(m.root.textContent).toContain("Write the answer first.");
    expect(mockApi.queryAct).not.toHaveBeenCalled();
    mockApi.queryAct.mockResolvedValue(thread("q-1", "answered"));
    type($(m.root, "#query-reply-text"), "  Confirmed against the chart.  ");
    click($(m.root, "#query-reply-ok"));
    await flush();
    expect(mockApi.queryAct).toHaveBeenCalledWith("q-1", "answer", "Confirmed against the chart.");
    expect($(m.root, '[data-query="q-1"]').getAttribute("data-status")).toBe("answered");
    expect(statuses.at(-1)).toEqual(["Answer sent for S01-001 · Screening · Test visit.", "ok"]);
  });

  it("lets the data manager close and re-open", async () => {
    await render(<Queries />);
    expect(m.root.querySelector('[data-query="q-3"] [data-query-action="reopen"]')).not.toBeNull();
    click($(m.root, '[data-query="q-2"] [data-query-action="close"]'));
    mockApi.queryAct.mockResolvedValue(thread("q-2", "closed"));
    type($(m.root, "#query-reply-text"), "Doses checked.");
    click($(m.root, "#query-reply-ok"));
    await flush();
    expect(mockApi.queryAct).toHaveBeenCalledWith("q-2", "close", "Doses checked.");
  });

  it("filters by subject and status", async () => {
    await render(<Queries />);
    expect(mockApi.queries).toHaveBeenLastCalledWith(null, null);
    choose($(m.root, "#query-status"), "open");
    await flush();
    expect(mockApi.queries).toHaveBeenLastCalledWith(null, "open");
    choose($(m.root, "#query-subject"), "S01-002");
    await flush();
    expect(mockApi.queries).toHaveBeenLastCalledWith("S01-002", "open");
  });

  it("says when nothing matches", async () => {
    mockApi.queries.mockResolvedValue([]);
    await render(<Queries subject="S01-002" />);
    expect(m.root.textContent).toContain("No query matches these filters.");
  });
});

describe("raising a query", () => {
  const book: Casebook = {
    subject: { subject: "S01-001" } as Casebook["subject"],
    forms: [
      { form: { ...F, event: "FU", event_repeat: 2 }, status: "not_started", signature: null, open_queries: 0, locked: false, verified: false },
      { form: F, status: "complete", signature: null, open_queries: 0, locked: false, verified: false },
    ],
  };

  it("on an item of a repeating group, with its row", async () => {
    mockApi.casebook.mockResolvedValue(book);
    const done = vi.fn();
    await render(<RaiseQueryDialog onDone={done} onCancel={vi.fn()} />);
    expect([...$(m.root, "#qd-form").querySelectorAll("option")].map((o) => o.textContent)).toEqual(["Screening · Test visit"]);
    choose($(m.root, "#qd-item"), "CMTRT");
    type($(m.root, "#qd-row"), "2");
    click($(m.root, "#qd-ok"));
    expect($(m.root, "#qd-error").textContent).toBe("Write the question first.");
    mockApi.queryOpen.mockResolvedValue(thread("q-9", "open"));
    type($(m.root, "#qd-text"), "Which dose?");
    click($(m.root, "#qd-ok"));
    await flush();
    expect(mockApi.queryOpen).toHaveBeenCalledWith({ level: "item", ...F, group: "CM", group_repeat: 2, item: "CMTRT" }, "Which dose?");
    expect(done).toHaveBeenCalled();
  });

  it("on a whole form, or on a target given by the form screen", async () => {
    mockApi.casebook.mockResolvedValue(book);
    mockApi.queryOpen.mockResolvedValue(thread("q-9", "open"));
    await render(<RaiseQueryDialog onDone={vi.fn()} onCancel={vi.fn()} />);
    type($(m.root, "#qd-text"), "Please complete.");
    click($(m.root, "#qd-ok"));
    await flush();
    expect(mockApi.queryOpen).toHaveBeenLastCalledWith({ level: "form", ...F }, "Please complete.");
    m.unmount();
    await render(<RaiseQueryDialog target={{ level: "item", ...F, group: "VITAL", group_repeat: 1, item: "HR" }} onDone={vi.fn()} onCancel={vi.fn()} />);
    expect(m.root.textContent).toContain("On S01-001 · Screening · Test visit · Heart rate");
    expect(m.root.querySelector("#qd-subject")).toBeNull();
  });

  it("reads in Chinese", async () => {
    setLang("zh");
    await render(<Queries />);
    expect(m.root.textContent).toContain("数据质疑");
    expect($(m.root, '[data-query="q-1"] .qbadge').textContent).toBe("未回复");
  });
});
