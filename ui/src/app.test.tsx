// The app as a whole, with the Tauri side replaced by a fake `invoke`.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { SubjectSummary } from "./bindings/SubjectSummary";
import { setLang } from "./i18n";
import { definition, nurse } from "./test/fixtures";
import { $, Mounted, click, flush, mount, press, type } from "./test/util";

type Handler = (args: Record<string, unknown>) => unknown;
let handlers: Record<string, Handler>;
const calls: Array<[string, Record<string, unknown>]> = [];
vi.mock("@tauri-apps/api/core", () => ({
  invoke: async (cmd: string, args: Record<string, unknown> = {}) => {
    calls.push([cmd, args]);
    const h = handlers[cmd];
    if (!h) throw { code: "internal", message: `no ${cmd}`, findings: [] };
    return h(args);
  },
}));

const { App } = await import("./app");

const node = {
  node_id: "n1",
  role: "site",
  site: "S01",
  study: "STUDY-1",
  study_name: { en: "A test study", zh: "测试研究" },
  definition_version: "1.0",
  epoch: 1,
  fingerprint: "f",
};
const subject = (id: string): SubjectSummary => ({
  subject: id,
  site: "S01",
  enrolled_at: "2025-03-04T09:00:00+08:00",
  definition_version: "1.0",
  forms_started: 1,
  forms_complete: 0,
  eligibility: { en: "Eligible", zh: "符合入组条件" },
});
const ref = { subject: "S01-001", event: "SCR", event_repeat: 1, form: "TEST", form_repeat: 1 };

let m: Mounted;
let subjects: SubjectSummary[];
let loggedIn: boolean;

beforeEach(() => {
  setLang("en");
  calls.length = 0;
  subjects = [subject("S01-001"), subject("S01-002")];
  loggedIn = false;
  handlers = {
    node_info: () => node,
    session: () => (loggedIn ? nurse : null),
    login: (a) => {
      if (a.password !== "pw") throw { code: "unauthenticated", message: "wrong username or password", findings: [] };
      loggedIn = true;
      return nurse;
    },
    logout: () => {
      loggedIn = false;
      return null;
    },
    definition: () => definition,
    subjects: () => subjects,
    enrol: (a) => {
      const s = subject(String(a.subject));
      subjects = [...subjects, s];
      return s;
    },
    casebook: () => ({ subject: subjects[0], forms: [{ form: ref, status: "in_progress" }] }),
    form_show: () => ({ form: ref, status: "in_progress", definition_version: "1.0", values: [], derived: [], findings: [] }),
    form_check: () => ({ derived: [], findings: [] }),
    subject_schedule: () => [],
    worklist: () => [
      { subject: "S01-002", event: "SCR", name: { en: "Screening", zh: "筛选期" }, due: "2025-03-04", earliest: "2025-03-04", latest: "2025-04-01", state: "due", planned: false },
      { subject: "S01-001", event: "FU", name: { en: "Follow-up", zh: "随访" }, due: "2025-03-01", earliest: "2025-02-28", latest: "2025-03-02", state: "overdue", planned: true },
    ],
  };
});
afterEach(() => m?.unmount());

async function start() {
  m = mount(<App />);
  await flush();
}

async function login() {
  await start();
  type($(m.root, "#username"), "nurse1");
  type($(m.root, "#password"), "pw");
  click($(m.root, "#login"));
  await flush();
  await flush();
}

describe("App", () => {
  it("login shows the study and node; a wrong password is reported; then the subject list", async () => {
    await start();
    expect(m.root.querySelector(".login-study")?.textContent).toContain("A test study");
    expect(m.root.querySelector(".login-study")?.textContent).toContain("Site database S01");
    type($(m.root, "#username"), "nurse1");
    type($(m.root, "#password"), "nope");
    click($(m.root, "#login"));
    await flush();
    expect($(m.root, "#status").textContent).toBe("Not signed in: wrong username or password");
    type($(m.root, "#password"), "pw");
    click($(m.root, "#login"));
    await flush();
    await flush();
    expect(calls.filter((c) => c[0] === "login").at(-1)).toEqual(["login", { username: "nurse1", password: "pw" }]);
    expect(m.root.querySelectorAll("[data-subject]").length).toBe(2);
    expect(m.root.querySelector(".user-name")?.textContent).toBe("Li Na");
    expect(m.root.querySelector(".user-role")?.textContent).toBe("Research nurse");
    expect(m.root.querySelector(".node-tag")?.textContent).toBe("Site S01");
  });

  it("switches language at any time, keeping the screen", async () => {
    await login();
    expect($(m.root, "h1").textContent).toBe("Subjects");
    click($(m.root, "#lang"));
    expect($(m.root, "h1").textContent).toBe("受试者");
    expect($(m.root, "[data-subject='S01-001']").textContent).toContain("符合入组条件");
    expect($(m.root, "#lang").textContent).toBe("English");
    click($(m.root, "#lang"));
    expect($(m.root, "h1").textContent).toBe("Subjects");
  });

  it("enrols: a malformed number is refused inline, a good one is enrolled and listed", async () => {
    await login();
    type($(m.root, "#new-subject"), "7");
    click($(m.root, "#enrol"));
    expect(m.root.querySelector("#enrol-error")?.textContent).toContain("is not a subject number");
    expect(calls.some((c) => c[0] === "enrol")).toBe(false);
    type($(m.root, "#new-subject"), "s01-007");
    click($(m.root, "#enrol"));
    await flush();
    await flush();
    expect(calls.find((c) => c[0] === "enrol")).toEqual(["enrol", { subject: "S01-007" }]);
    expect(m.root.querySelector("[data-subject='S01-007']")).not.toBeNull();
    expect($(m.root, "#status").textContent).toBe("Subject S01-007 enrolled.");
    expect(m.root.querySelector("#enrol-error")).toBeNull();
  });

  it("the search box filters the subject list", async () => {
    await login();
    type($(m.root, "#subject-search"), "002");
    expect([...m.root.querySelectorAll("[data-subject]")].map((r) => r.getAttribute("data-subject"))).toEqual(["S01-002"]);
  });

  it("Enter on a subject opens the casebook; Enter on a cell opens the form; Back returns", async () => {
    await login();
    press($(m.root, "[data-subject='S01-001']"), "Enter");
    await flush();
    const cell = $(m.root, "[data-form-cell='SCR.1/TEST.1']");
    expect(cell.textContent).toContain("In progress");
    expect(cell.classList.contains("status-in_progress")).toBe(true);
    // The follow-up event repeats but has not started: one column, not started.
    expect($(m.root, "[data-form-cell='FU.1/TEST.1']").textContent).toContain("Not started");
    expect(m.root.querySelector("[data-form-cell='FU.2/TEST.1']")).toBeNull();
    click(cell);
    await flush();
    expect(calls.find((c) => c[0] === "form_show")).toEqual(["form_show", { form: ref }]);
    expect(m.root.querySelector("[data-item=VISDAT]")).not.toBeNull();
    click($(m.root, "#back"));
    await flush();
    expect(m.root.querySelector("[data-form-cell]")).not.toBeNull();
  });

  it("leaving a form with unsaved input asks first", async () => {
    await login();
    press($(m.root, "[data-subject='S01-001']"), "Enter");
    await flush();
    click($(m.root, "[data-form-cell='SCR.1/TEST.1']"));
    await flush();
    type($(m.root, "input[data-item=VISDAT]"), "2024-01-01");
    click($(m.root, "#back"));
    expect(m.root.querySelector("#leave-dialog")).not.toBeNull();
    click($(m.root, "#leave-stay"));
    expect(m.root.querySelector("#leave-dialog")).toBeNull();
    expect($<HTMLInputElement>(m.root, "input[data-item=VISDAT]").value).toBe("2024-01-01");
    click($(m.root, "#back"));
    click($(m.root, "#leave-go"));
    await flush();
    expect(m.root.querySelector("[data-form-cell]")).not.toBeNull();
  });

  it("a locked session asks for the password, keeps the unsaved input and retries the save", async () => {
    await login();
    press($(m.root, "[data-subject='S01-001']"), "Enter");
    await flush();
    click($(m.root, "[data-form-cell='SCR.1/TEST.1']"));
    await flush();
    let locked = true;
    handlers.form_save = (a) => {
      if (locked) throw { code: "session_locked", message: "the session locked itself after inactivity", findings: [] };
      return { form: a.form, status: "in_progress", events: 1, derived: [], findings: [] };
    };
    handlers.unlock = (a) => {
      if (a.password !== "pw") throw { code: "unauthenticated", message: "wrong username or password", findings: [] };
      locked = false;
      return nurse;
    };
    type($(m.root, "input[data-item=VISDAT]"), "2024-01-01");
    click($(m.root, "#save"));
    await flush();
    expect(m.root.querySelector("#unlock-dialog")).not.toBeNull();
    // A wrong password keeps the dialog (and the input behind it).
    type($(m.root, "#unlock-password"), "oops");
    click($(m.root, "#unlock"));
    await flush();
    expect(m.root.querySelector("#unlock-dialog")?.textContent).toContain("wrong username or password");
    type($(m.root, "#unlock-password"), "pw");
    click($(m.root, "#unlock"));
    await flush();
    await flush();
    expect(m.root.querySelector("#unlock-dialog")).toBeNull();
    const saves = calls.filter((c) => c[0] === "form_save");
    expect(saves.length).toBe(2);
    expect(saves[1][1].values).toEqual([{ group: "MAIN", repeat: 1, item: "VISDAT", value: "2024-01-01" }]);
    expect($(m.root, "#status").textContent).toBe("Saved. Form status: In progress.");
    expect($<HTMLInputElement>(m.root, "input[data-item=VISDAT]").value).toBe("2024-01-01");
  });

  it("after the idle minutes without a key or click, the screen locks; the password unlocks it", async () => {
    vi.useFakeTimers();
    try {
      handlers.login = () => {
        loggedIn = true;
        return { ...nurse, idle_minutes: 1 };
      };
      handlers.unlock = () => ({ ...nurse, idle_minutes: 1 });
      await login();
      press($(m.root, "[data-subject='S01-001']"), "ArrowDown"); // activity
      await vi.advanceTimersByTimeAsync(50_000);
      await flush();
      expect(m.root.querySelector("#unlock-dialog")).toBeNull();
      await vi.advanceTimersByTimeAsync(20_000);
      await flush();
      expect(m.root.querySelector("#unlock-dialog")).not.toBeNull();
      expect(document.activeElement?.id).toBe("unlock-password");
      type($(m.root, "#unlock-password"), "pw");
      click($(m.root, "#unlock"));
      await flush();
      expect(calls.at(-1)).toEqual(["unlock", { password: "pw" }]);
      expect(m.root.querySelector("#unlock-dialog")).toBeNull();
      expect(m.root.querySelectorAll("[data-subject]").length).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it("an ended session goes back to the login", async () => {
    await login();
    handlers.casebook = () => {
      throw { code: "unauthenticated", message: "not logged in", findings: [] };
    };
    press($(m.root, "[data-subject='S01-001']"), "Enter");
    await flush();
    await flush();
    expect(m.root.querySelector("#username")).not.toBeNull();
    expect($(m.root, "#status").textContent).toBe("Please sign in again");
  });

  it("the Worklist tab lists visits to do, overdue first; a row opens the casebook; Subjects returns", async () => {
    await login();
    expect($(m.root, "#nav-subjects").getAttribute("aria-current")).toBe("page");
    click($(m.root, "#nav-worklist"));
    await flush();
    expect(calls.at(-1)).toEqual(["worklist", {}]);
    expect($(m.root, "#nav-worklist").getAttribute("aria-current")).toBe("page");
    const rows = [...m.root.querySelectorAll<HTMLElement>("[data-worklist]")];
    expect(rows.map((r) => r.dataset.worklist)).toEqual(["S01-001/FU", "S01-002/SCR"]);
    press(rows[0], "Enter");
    await flush();
    expect(calls.some((c) => c[0] === "casebook" && c[1].subject === "S01-001")).toBe(true);
    expect(calls.some((c) => c[0] === "subject_schedule" && c[1].subject === "S01-001")).toBe(true);
    expect(m.root.querySelector("[data-form-cell]")).not.toBeNull();
    // Back returns to the worklist; the Subjects tab to the subject list.
    click($(m.root, "#back"));
    await flush();
    expect(m.root.querySelector("[data-worklist]")).not.toBeNull();
    click($(m.root, "#nav-subjects"));
    await flush();
    expect(m.root.querySelectorAll("[data-subject]").length).toBe(2);
    expect(m.root.querySelector("#back")).toBeNull();
  });

  it("the navigation asks before dropping unsaved input", async () => {
    await login();
    press($(m.root, "[data-subject='S01-001']"), "Enter");
    await flush();
    click($(m.root, "[data-form-cell='SCR.1/TEST.1']"));
    await flush();
    type($(m.root, "input[data-item=VISDAT]"), "2024-01-01");
    click($(m.root, "#nav-worklist"));
    expect(m.root.querySelector("#leave-dialog")).not.toBeNull();
    click($(m.root, "#leave-stay"));
    expect($<HTMLInputElement>(m.root, "input[data-item=VISDAT]").value).toBe("2024-01-01");
  });

  it("log out", async () => {
    await login();
    click($(m.root, "#logout"));
    await flush();
    expect(calls.at(-1)?.[0]).toBe("logout");
    expect(m.root.querySelector("#username")).not.toBeNull();
    expect(m.root.querySelector("#logout")).toBeNull();
  });

  it("F1 (or ? outside a text field) shows every key; Escape closes it", async () => {
    await login();
    press(document.body, "F1");
    expect($(m.root, "#help-dialog").textContent).toContain("Ctrl+Delete");
    expect(document.activeElement?.id).toBe("help-close");
    press($(m.root, "#help-close"), "Escape");
    expect(m.root.querySelector("#help-dialog")).toBeNull();
    // "?" typed into the search box is text, not a request for help.
    const search = $(m.root, "#subject-search");
    expect(press(search, "?").defaultPrevented).toBe(false);
    expect(m.root.querySelector("#help-dialog")).toBeNull();
    press(document.body, "?");
    expect(m.root.querySelector("#help-dialog")).not.toBeNull();
    click($(m.root, "#help-close"));
    click($(m.root, "#help"));
    expect(m.root.querySelector("#help-dialog")).not.toBeNull();
  });

  it("the search box has the focus on the subject list; an enrolled subject's row after enrolment", async () => {
    await login();
    expect(document.activeElement?.id).toBe("subject-search");
    type($(m.root, "#new-subject"), "S01-009");
    press($(m.root, "#new-subject"), "Enter");
    await flush();
    await flush();
    await new Promise((r) => setTimeout(r, 10));
    expect((document.activeElement as HTMLElement).dataset.subject).toBe("S01-009");
  });

  it("leaving a form: keep the input as a draft, or discard it", async () => {
    const drafts: Array<[string, unknown]> = [];
    handlers.draft = () => null;
    handlers.draft_save = (a) => {
      drafts.push(["save", a.values]);
      return null;
    };
    handlers.draft_discard = (a) => {
      drafts.push(["discard", a.form]);
      return null;
    };
    await login();
    press($(m.root, "[data-subject='S01-001']"), "Enter");
    await flush();
    click($(m.root, "[data-form-cell='SCR.1/TEST.1']"));
    await flush();
    type($(m.root, "input[data-item=VISDAT]"), "2024-01-01");
    click($(m.root, "#back"));
    const dialog = $(m.root, "#leave-dialog");
    expect(dialog.textContent).toContain("kept as a draft on this computer");
    expect($(m.root, "#leave-go").textContent).toBe("Leave (keep the draft)");
    click($(m.root, "#leave-discard"));
    await flush();
    expect(drafts.at(-1)).toEqual(["discard", ref]);
    expect(m.root.querySelector("[data-form-cell]")).not.toBeNull();
  });

  it("the idle lock covers a form without unmounting it: the typed input is there after unlocking", async () => {
    vi.useFakeTimers();
    try {
      handlers.login = () => {
        loggedIn = true;
        return { ...nurse, idle_minutes: 1 };
      };
      handlers.unlock = () => ({ ...nurse, idle_minutes: 1 });
      await login();
      press($(m.root, "[data-subject='S01-001']"), "Enter");
      await flush();
      click($(m.root, "[data-form-cell='SCR.1/TEST.1']"));
      await flush();
      const input = $<HTMLInputElement>(m.root, "input[data-item=VISDAT]");
      type(input, "2024-01-0");
      await vi.advanceTimersByTimeAsync(70_000);
      await flush();
      expect(m.root.querySelector("#unlock-dialog")).not.toBeNull();
      // The form is still there, under the lock, the very same field with its input.
      expect(input.isConnected).toBe(true);
      expect(input.value).toBe("2024-01-0");
      type($(m.root, "#unlock-password"), "pw");
      click($(m.root, "#unlock"));
      await flush();
      expect(m.root.querySelector("#unlock-dialog")).toBeNull();
      expect($(m.root, "input[data-item=VISDAT]")).toBe(input);
      expect(input.value).toBe("2024-01-0");
    } finally {
      vi.useRealTimers();
    }
  });

  it("the navigation follows the role: investigators get the queue of forms to sign", async () => {
    const inv = { ...nurse, username: "dr.chen", full_name: "Chen Jian", role: "investigator" as const, permissions: [...nurse.permissions, "sign" as const] };
    handlers.login = () => {
      loggedIn = true;
      return inv;
    };
    handlers.signature_queue = () => [{ form: ref, state: "unsigned" }];
    await login();
    const tabs = [...m.root.querySelectorAll<HTMLElement>(".main-nav button")].map((b) => b.id);
    expect(tabs).toEqual(["nav-subjects", "nav-worklist", "nav-queue", "nav-queries"]);
    click($(m.root, "#nav-queue"));
    await flush();
    expect($(m.root, "[data-queue-item]").dataset.queueItem).toBe("S01-001/SCR.1/TEST.1");
    expect(m.root.querySelector(".user-role")?.textContent).toBe("Investigator");
    expect(m.root.querySelector(".node-tag")?.textContent).toBe("Site S01");
  });
});
