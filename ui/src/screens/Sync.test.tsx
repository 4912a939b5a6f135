// The sync screen: the summary card per bundle (imported, nothing new, pending, conflicts,
// refused, unknown node), the progress bar driven by the import's events, accepting a new
// node's key, the export at a site and at the central node (destination), revoking a node and
// resolving a conflict (a reason is required).

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ConflictView } from "../bindings/ConflictView";
import type { ImportProgress } from "../bindings/ImportProgress";
import type { ImportSummary } from "../bindings/ImportSummary";
import type { NodeSummary } from "../bindings/NodeSummary";
import type { NodeView } from "../bindings/NodeView";
import type { SessionInfo } from "../bindings/SessionInfo";
import { AppContext, AppServices } from "../context";
import { setLang } from "../i18n";
import { definition } from "../test/fixtures";
import { $, Mounted, choose, click, flush, mount, type } from "../test/util";

const mockApi = {
  bundleExport: vi.fn(),
  bundleInspect: vi.fn(),
  bundleImport: vi.fn(),
  onImportProgress: vi.fn(),
  importHistory: vi.fn(),
  nodes: vi.fn(),
  revokeNode: vi.fn(),
  conflicts: vi.fn(),
  resolveConflict: vi.fn(),
  openBundlePaths: vi.fn(),
  saveBundlePath: vi.fn(),
};
vi.mock("../api", async (orig) => ({ ...(await orig<typeof import("../api")>()), api: mockApi }));

const { ApiError } = await import("../api");
const { Sync, SummaryCard, ImportPanel, ExportPanel, ResolveDialog, RevokeDialog } = await import("./Sync");

const S01 = "4f04a1b2-6c1d-4e5f-9a7b-0c2d3e4f5a6b";
const S02 = "9b3e7d21-0f8a-4b6c-a1d2-e3f4a5b6c7d8";
const S04 = "2d8e5f10-3a4b-4c5d-8e9f-0a1b2c3d4e5f";
const CENTRAL = "7f3a9c12-5b4e-4d21-8e6f-1a2b3c4d5e6f";
const FP = "2d8e78b113c6482c85d3e6af8a83127b4963d33cdda3cab6481d1676ab741fe2";

const dm: SessionInfo = {
  username: "zhao.min",
  full_name: "Zhao Min",
  role: "data-manager",
  permissions: ["view_data", "resolve_conflict", "export_bundle", "import_bundle", "manage_node_keys"],
  idle_minutes: 15,
};
const siteNurse: SessionInfo = {
  username: "li.na",
  full_name: "Li Na",
  role: "nurse",
  permissions: ["view_data", "enrol", "enter_data", "export_bundle", "import_bundle"],
  idle_minutes: 15,
};

const nodeOf = (role: "site" | "central"): NodeSummary => ({
  node_id: role === "central" ? CENTRAL : S01,
  role,
  site: role === "central" ? null : "S01",
  study: "STUDY-1",
  study_name: { en: "A test study", zh: "测试研究" },
  definition_version: "1.0",
  epoch: 1,
  fingerprint: "ab".repeat(32),
});

function sum(o: Partial<ImportSummary>): ImportSummary {
  return {
    file: "/tmp/S01-2026-11-25T1030.ecrfb",
    status: "imported",
    reason: null,
    origin: S01,
    origin_site: "S01",
    origin_key_fingerprint: "cd".repeat(32),
    accepted_node: false,
    new: 0,
    duplicate: 0,
    pending: 0,
    released: 0,
    conflicts: 0,
    future: 0,
    pdfs: 0,
    gaps: [],
    subjects: [],
    definitions: [],
    ...o,
  };
}

const siteNode = (site: string, node: string, o: Partial<NodeView> = {}): NodeView => ({
  node,
  fingerprint: "ef".repeat(32),
  role: "site",
  site,
  status: "accepted",
  accepted_at: "2026-10-01T09:00:00+08:00",
  accepted_by: "zhao.min",
  revoked_at: null,
  reason: null,
  received: [`1:${site} up to 1234`],
  acknowledged: [`1:ALL up to 10 of 12`],
  ...o,
});

const UNKNOWN = `unknown node ${S04} (site S04): check its key fingerprint ${FP} with the sender and import again with --accept-node ${FP}`;

let m: Mounted;
let statuses: Array<[string, string | undefined]>;

function services(session: SessionInfo, role: "site" | "central"): AppServices {
  return {
    node: nodeOf(role),
    session,
    def: definition,
    definitionFor: async () => definition,
    status: (text, kind) => statuses.push([text, kind]),
    open: vi.fn(),
    back: vi.fn(),
    setLeaveGuard: vi.fn(),
    can: (a) => session.permissions.includes(a),
  };
}

async function render(node: preact.ComponentChild, session: SessionInfo = dm, role: "site" | "central" = "central") {
  m = mount(<AppContext.Provider value={services(session, role)}>{node}</AppContext.Provider>);
  await flush();
  await flush();
}

const text = (css: string) => $(m.root, css).textContent!.replace(/\u202f/g, " ");
const card = (file: string) => $(m.root, `[data-file="${file}"]`);

beforeEach(() => {
  setLang("en");
  statuses = [];
  for (const f of Object.values(mockApi)) f.mockReset();
  mockApi.onImportProgress.mockResolvedValue(() => undefined);
  mockApi.importHistory.mockResolvedValue([]);
  mockApi.conflicts.mockResolvedValue([]);
  mockApi.nodes.mockResolvedValue([]);
});
afterEach(() => {
  m?.unmount();
  setLang("en");
});

describe("the summary card of an imported bundle", () => {
  const card = async (s: ImportSummary, created: string | null = "2026-11-25T10:30:12+08:00") => {
    await render(<SummaryCard summary={s} created={created} canAccept={() => true} onAccept={vi.fn()} />);
    return m.root.querySelector("article")!;
  };
  const lines = (el: Element) => [...el.querySelectorAll("ul.sum-lines li")].map((li) => li.textContent!.replace(/\u202f/g, " "));

  it("says where it came from, when it was made, and every count worth saying", async () => {
    const el = await card(sum({ new: 1234, duplicate: 12, pending: 3, conflicts: 1, pdfs: 2, subjects: ["S01-001", "S01-002"] }));
    expect(el.dataset.status).toBe("imported");
    expect(el.querySelector("h3")!.textContent).toBe("Imported from Site S01 (node 4f04a1b2)");
    expect(el.querySelector(".bundle-file")!.textContent).toBe("S01-2026-11-25T1030.ecrfb · created 2026-11-25 10:30");
    expect(lines(el)).toEqual([
      "1 234 new changes",
      "12 already here",
      "3 waiting for an earlier bundle",
      "1 conflict to resolve",
      "2 signed PDFs",
    ]);
    expect(el.textContent).toContain("Waiting changes join the record by themselves once the earlier bundle is imported.");
    expect(el.textContent).toContain("See Conflicts.");
    expect(el.textContent).toContain("Subjects: S01-001, S01-002");
    // Pending and conflicts stand out.
    expect(el.querySelector('[data-count="pending"]')!.className).toBe("sum-warn");
    expect(el.querySelector('[data-count="conflicts"]')!.className).toBe("sum-warn");
  });

  it("singular and plural", async () => {
    const el = await card(sum({ new: 1, conflicts: 2, pdfs: 1 }));
    expect(lines(el)).toEqual(["1 new change", "2 conflicts to resolve", "1 signed PDF"]);
  });

  it("a bundle imported twice: nothing new", async () => {
    const el = await card(sum({ duplicate: 856 }));
    expect(lines(el)).toEqual(["Nothing new: all 856 changes were already here"]);
  });

  it("from the central node, releasing waiting changes, accepting its key, a new definition, a gap", async () => {
    const el = await card(
      sum({ origin: CENTRAL, origin_site: null, new: 57, released: 3, accepted_node: true, definitions: ["1.1"], gaps: [`${CENTRAL}:1:ALL missing 4..9`] }),
    );
    expect(el.querySelector("h3")!.textContent).toBe("Imported from the central office (node 7f3a9c12)");
    expect(lines(el)).toEqual(["57 new changes", "3 changes that were waiting now applied"]);
    expect(el.textContent).toContain("The sending computer's key was accepted with this import.");
    expect(el.textContent).toContain("Study definition 1.1 now in use.");
    expect(el.textContent).toContain("An earlier bundle from this sender has not been imported yet");
  });

  it("in Chinese", async () => {
    setLang("zh");
    const el = await card(sum({ new: 1234, pending: 3, conflicts: 1, pdfs: 2 }));
    expect(el.querySelector("h3")!.textContent).toBe("已从研究中心 S01（节点 4f04a1b2）导入");
    expect(lines(el)).toEqual(["1,234 条新变更", "3 条等待更早的数据包", "1 处冲突待处理", "2 份已签名 PDF"]);
  });
});

describe("the summary card of a refused bundle", () => {
  it("says why in words and that nothing was changed, keeping the services' message as details", async () => {
    const reason = `the bundle was made for node ${S02}, not for this node (${CENTRAL})`;
    await render(<SummaryCard summary={sum({ status: "refused", reason })} created={null} canAccept={() => true} onAccept={vi.fn()} />);
    const el = m.root.querySelector("article")!;
    expect(el.dataset.status).toBe("refused");
    expect(el.querySelector("h3")!.textContent).toBe("Refused");
    expect(el.querySelector(".refusal")!.textContent).toBe("It was made for another computer. Nothing was changed.");
    expect(el.querySelector(".refusal-details code")!.textContent).toBe(reason);
    expect(el.querySelector(".accept-node")).toBeNull();
  });

  it("an unknown reason is shown as sent", async () => {
    const reason = "fork: event X arrives with hash a but this node holds it with hash b";
    await render(<SummaryCard summary={sum({ status: "refused", reason })} created={null} canAccept={() => true} onAccept={vi.fn()} />);
    expect(text(".refusal")).toBe(`${reason}. Nothing was changed.`);
    expect(m.root.querySelector(".refusal-details")).toBeNull();
  });

  it("an unknown node: who it is, and the way to accept its key, or whom to ask", async () => {
    const onAccept = vi.fn();
    await render(<SummaryCard summary={sum({ status: "refused", reason: UNKNOWN })} created={null} canAccept={() => true} onAccept={onAccept} />);
    expect(text(".refusal")).toBe("It comes from a computer this one does not know yet: Site S04 (node 2d8e5f10). Nothing was changed.");
    click($(m.root, ".accept-node"));
    expect(onAccept).toHaveBeenCalledWith({ node: S04, role: "site", site: "S04", fingerprint: FP });
    m.unmount();
    await render(<SummaryCard summary={sum({ status: "refused", reason: UNKNOWN })} created={null} canAccept={() => false} onAccept={onAccept} />);
    expect(m.root.querySelector(".accept-node")).toBeNull();
    expect(m.root.textContent).toContain("Ask the data manager or the administrator");
  });
});

describe("importing", () => {
  it("shows a progress bar driven by the import's events, then one card per file", async () => {
    let report: ((p: ImportProgress) => void) | null = null;
    mockApi.onImportProgress.mockImplementation(async (f: (p: ImportProgress) => void) => {
      report = f;
      return () => undefined;
    });
    const files = ["/u/S01-a.ecrfb", "/u/S02-b.ecrfb"];
    mockApi.openBundlePaths.mockResolvedValue(files);
    let finish: (v: ImportSummary[]) => void = () => undefined;
    mockApi.bundleImport.mockReturnValue(new Promise((r) => (finish = r)));
    mockApi.importHistory.mockResolvedValue([
      { file: files[0], sha256: "0", origin: S01, origin_site: "S01", created_at: "2026-11-25T10:30:00+08:00", imported_at: "", imported_by: "zhao.min", summary: {} },
    ]);
    await render(<ImportPanel />);
    click($(m.root, "#import-bundles"));
    await flush();
    expect(mockApi.bundleImport).toHaveBeenCalledWith(files, null);
    const bar = () => $(m.root, '#import-progress [role="progressbar"]');
    // Before the first report the first file is being checked.
    expect(bar().getAttribute("aria-valuenow")).toBe("0");
    expect(text(".progress-text")).toBe("File 1 of 2: checking the signature and contents of S01-a.ecrfb…");
    expect($(m.root, "#import-bundles").hasAttribute("disabled")).toBe(true);

    const send = async (p: ImportProgress) => {
      report!(p);
      await flush();
    };
    await send({ file: files[0], done: 600, total: 1200 });
    expect(bar().getAttribute("aria-valuenow")).toBe("25");
    expect(($(m.root, ".progress-fill") as HTMLElement).style.width).toBe("25%");
    expect(text(".progress-text")).toBe("File 1 of 2: S01-a.ecrfb — 600 of 1 200 changes");
    await send({ file: files[1], done: 0, total: 0 });
    expect(bar().getAttribute("aria-valuenow")).toBe("50");
    expect(bar().className).toContain("checking");
    await send({ file: files[1], done: 856, total: 856 });
    expect(bar().getAttribute("aria-valuenow")).toBe("100");

    finish([sum({ file: files[0], new: 1200 }), sum({ file: files[1], status: "refused", reason: UNKNOWN })]);
    await flush();
    await flush();
    expect(m.root.querySelector("#import-progress")).toBeNull();
    expect(m.root.querySelectorAll("article.bundle-card")).toHaveLength(2);
    expect(card(files[0]).querySelector(".bundle-file")!.textContent).toContain("created 2026-11-25 10:30");
    expect(card(files[1]).dataset.status).toBe("refused");
    expect(statuses.at(-1)).toEqual(["1 bundle(s) imported, 1 refused.", "warn"]);
    // Reports after the import are ignored.
    await send({ file: files[0], done: 1, total: 2 });
    expect(m.root.querySelector("#import-progress")).toBeNull();
  });

  it("cancelling the open dialog imports nothing", async () => {
    mockApi.openBundlePaths.mockResolvedValue([]);
    await render(<ImportPanel />);
    click($(m.root, "#import-bundles"));
    await flush();
    expect(mockApi.bundleImport).not.toHaveBeenCalled();
  });

  it("an unknown node: the fingerprint is shown, checking it is required, then the file is imported again with it", async () => {
    const file = "/u/S04-c.ecrfb";
    mockApi.openBundlePaths.mockResolvedValue([file]);
    mockApi.bundleImport.mockResolvedValueOnce([sum({ file, status: "refused", reason: UNKNOWN })]);
    mockApi.bundleInspect.mockResolvedValue({
      origin_key_fingerprint: FP,
      signature: "valid",
      manifest: {
        study: "STUDY-1",
        definition_version: "1.0",
        origin: { node: S04, role: "site", site: "S04", epoch: 1, public_key: "00" },
        destination: null,
        full: false,
        created_at: "2026-11-24T09:05:00+08:00",
        streams: [],
        counts: { events: 212, pdfs: 0 },
      },
    });
    await render(<ImportPanel />);
    click($(m.root, "#import-bundles"));
    await flush();
    await flush();
    click($(card(file), ".accept-node"));
    await flush();
    const dlg = $(m.root, "#accept-dialog");
    expect(mockApi.bundleInspect).toHaveBeenCalledWith(file);
    expect(dlg.textContent).toContain("S04-c.ecrfb was signed by Site S04 (node 2d8e5f10), created 2026-11-24 09:05, with 212 changes.");
    expect($(dlg, "#accept-fingerprint").textContent).toBe(FP);
    expect([...$(dlg, "#accept-fingerprint").children].map((e) => e.textContent)).toHaveLength(16);
    expect(dlg.textContent).toContain("Phone the sender");
    // Not without confirming the check.
    click($(dlg, "#accept-ok"));
    expect(mockApi.bundleImport).toHaveBeenCalledTimes(1);
    expect(dlg.textContent).toContain("Confirm that you checked the fingerprint first.");
    mockApi.bundleImport.mockResolvedValueOnce([sum({ file, origin: S04, origin_site: "S04", new: 212, accepted_node: true })]);
    click($(dlg, "#accept-check"));
    click($(dlg, "#accept-ok"));
    await flush();
    await flush();
    expect(mockApi.bundleImport).toHaveBeenLastCalledWith([file], FP);
    expect(m.root.querySelector("#accept-dialog")).toBeNull();
    expect(card(file).dataset.status).toBe("imported");
    expect(card(file).textContent).toContain("The sending computer's key was accepted with this import.");
  });

  it("an error other than a refusal is shown, nothing else", async () => {
    mockApi.openBundlePaths.mockResolvedValue(["/u/x.ecrfb"]);
    mockApi.bundleImport.mockRejectedValue(new ApiError("forbidden", "monitor may not import bundles"));
    await render(<ImportPanel />);
    click($(m.root, "#import-bundles"));
    await flush();
    expect(text("#import-error")).toBe("Not imported: You are not allowed to do this: monitor may not import bundles");
  });
});

describe("exporting", () => {
  it("at the central node: the destination is one of the accepted sites, by site code and short node id", async () => {
    mockApi.nodes.mockResolvedValue([
      siteNode("S02", S02),
      siteNode("S01", S01),
      siteNode("S03", "c71a0e55-2d9b-47f3-b6e1-8a0c2f4d6e8a", { status: "revoked" }),
      { ...siteNode("", CENTRAL), role: "central", site: null },
    ]);
    mockApi.saveBundlePath.mockImplementation(async (name: string) => `/out/${name}`);
    mockApi.bundleExport.mockResolvedValue({ file: "/out/x.ecrfb", destination: S02, full: false, events: 57, pdfs: 2, streams: [], bytes: 40_000 });
    await render(<ExportPanel />);
    const select = $<HTMLSelectElement>(m.root, "#export-to");
    expect([...select.options].map((o) => o.textContent)).toEqual(["— select —", "S01 · node 4f04a1b2", "S02 · node 9b3e7d21"]);
    // A site must be chosen first.
    click($(m.root, "#export-bundle"));
    await flush();
    expect(text("#bundle-export-error")).toBe("Choose the site to send to.");
    expect(mockApi.saveBundlePath).not.toHaveBeenCalled();
    choose(select, S02);
    click($(m.root, "#export-bundle"));
    await flush();
    expect(mockApi.saveBundlePath.mock.calls[0][0]).toMatch(/^central-to-S02-\d{4}-\d\d-\d\dT\d{4}\.ecrfb$/);
    expect(mockApi.bundleExport).toHaveBeenCalledWith(S02, false, expect.stringMatching(/^\/out\/central-to-S02-/));
    expect(text("#bundle-export-done")).toBe("Saved x.ecrfb: 57 changes and 2 signed PDFs (39 KB).");
  });

  it("at the central node with one site: it is chosen; with none: say why", async () => {
    mockApi.nodes.mockResolvedValue([siteNode("S01", S01)]);
    await render(<ExportPanel />);
    expect($<HTMLSelectElement>(m.root, "#export-to").value).toBe(S01);
    m.unmount();
    mockApi.nodes.mockResolvedValue([]);
    await render(<ExportPanel />);
    expect(m.root.querySelector("#export-to")).toBeNull();
    expect(m.root.textContent).toContain("No site is known yet");
    expect($(m.root, "#export-bundle").hasAttribute("disabled")).toBe(true);
  });

  it("at a site: no destination, incremental unless everything is asked for; the name has the site and the time", async () => {
    mockApi.saveBundlePath.mockImplementation(async (name: string) => `/media/usb/${name}`);
    mockApi.bundleExport.mockResolvedValue({ file: "/media/usb/S01.ecrfb", destination: CENTRAL, full: true, events: 0, pdfs: 0, streams: [], bytes: 900 });
    await render(<ExportPanel />, siteNurse, "site");
    expect(m.root.querySelector("#export-to")).toBeNull();
    expect(m.root.textContent).toContain("Send data to the central office");
    click($(m.root, "#export-full"));
    click($(m.root, "#export-bundle"));
    await flush();
    expect(mockApi.saveBundlePath.mock.calls[0][0]).toMatch(/^S01-\d{4}-\d\d-\d\dT\d{4}\.ecrfb$/);
    expect(mockApi.bundleExport).toHaveBeenCalledWith(null, true, expect.stringMatching(/^\/media\/usb\/S01-/));
    expect(text("#bundle-export-done")).toBe("Saved S01.ecrfb. It holds no changes: everything up to now has been confirmed.");
  });

  it("a cancelled save dialog exports nothing; a name without .ecrfb is refused", async () => {
    mockApi.saveBundlePath.mockResolvedValueOnce(null).mockResolvedValueOnce("/tmp/bundle.zip");
    await render(<ExportPanel />, siteNurse, "site");
    click($(m.root, "#export-bundle"));
    await flush();
    expect(mockApi.bundleExport).not.toHaveBeenCalled();
    click($(m.root, "#export-bundle"));
    await flush();
    expect(mockApi.bundleExport).not.toHaveBeenCalled();
    expect(text("#bundle-export-error")).toBe("The file name must end in .ecrfb.");
  });
});

const conflict: ConflictView = {
  key: "S01-001/SCR.1/TEST.1/VITAL.1/TEMP",
  subject: "S01-001",
  item: { subject: "S01-001", event: "SCR", event_repeat: 1, form: "TEST", form_repeat: 1, group: "VITAL", group_repeat: 1, item: "TEMP" },
  versions: [
    { event_id: "a", value: 38.2, username: "wang.fang", captured_at: "2026-11-21T08:30:00+08:00", imported_at: "2026-11-23T10:05:00+08:00", resolution: false, flagged: false, shown: false },
    { event_id: "b", value: 38.6, username: "zhao.min", captured_at: "2027-03-02T11:15:00+08:00", imported_at: null, resolution: false, flagged: true, shown: true },
  ],
};

describe("conflicts", () => {
  it("lists each item with its competing values, who and when, which is shown and which is flagged", async () => {
    mockApi.conflicts.mockResolvedValue([conflict]);
    await render(<Sync />);
    expect(text("#sync-tab-conflicts")).toBe("Conflicts (1)");
    click($(m.root, "#sync-tab-conflicts"));
    await flush();
    const row = $(m.root, `[data-conflict="${conflict.key}"]`);
    expect(row.querySelector(".item-name")!.textContent).toBe("Temperature");
    expect(row.textContent).toContain("Screening · Test visit · Vital signs");
    const versions = [...row.querySelectorAll("li.version")];
    expect(versions[0].textContent).toContain("38.2 °C");
    expect(versions[0].textContent).toContain("wang.fang, 2026-11-21 08:30 · received 2026-11-23 10:05");
    expect(versions[1].textContent).toContain("Zhao Min, 2027-03-02 11:15");
    expect(versions[1].querySelector(".shown-tag")).not.toBeNull();
    expect(versions[1].querySelector(".flag-tag")!.textContent).toContain("future time");
    expect(versions[0].querySelector(".shown-tag")).toBeNull();
  });

  it("a choice value reads as its label", async () => {
    const sex: ConflictView = {
      ...conflict,
      key: "k",
      item: { ...conflict.item, group: "MAIN", item: "SEX" },
      versions: [{ ...conflict.versions[0], value: "F" }],
    };
    mockApi.conflicts.mockResolvedValue([sex]);
    await render(<Sync />);
    click($(m.root, "#sync-tab-conflicts"));
    await flush();
    expect($(m.root, ".version-value").textContent).toBe("Female");
  });

  it("the resolve dialog needs a value and a reason; then it records the chosen value", async () => {
    mockApi.resolveConflict.mockResolvedValue({ ...conflict, versions: [] });
    const onDone = vi.fn();
    await render(<ResolveDialog conflict={conflict} onCancel={vi.fn()} onDone={onDone} />);
    const dlg = $(m.root, "#resolve-dialog");
    expect($(dlg, "h2").textContent).toBe("Resolve conflict: Temperature");
    click($(dlg, "#resolve-ok"));
    expect(text("#resolve-error")).toBe("Choose one of the values or enter another.");
    click($(dlg, "#resolve-v0"));
    click($(dlg, "#resolve-ok"));
    expect(text("#resolve-error")).toBe("A reason is required.");
    type($(dlg, "#resolve-reason"), "   ");
    click($(dlg, "#resolve-ok"));
    expect(text("#resolve-error")).toBe("A reason is required.");
    expect(mockApi.resolveConflict).not.toHaveBeenCalled();
    type($(dlg, "#resolve-reason"), "source document says 38.2");
    click($(dlg, "#resolve-ok"));
    await flush();
    expect(mockApi.resolveConflict).toHaveBeenCalledWith(conflict.item, 38.2, "source document says 38.2");
    expect(onDone).toHaveBeenCalled();
    expect(statuses.at(-1)).toEqual(["Conflict on S01-001 Temperature resolved.", "ok"]);
  });

  it("another value is typed as the item's type", async () => {
    mockApi.resolveConflict.mockResolvedValue({ ...conflict, versions: [] });
    await render(<ResolveDialog conflict={conflict} onCancel={vi.fn()} onDone={vi.fn()} />);
    click($(m.root, "#resolve-other"));
    type($(m.root, "#resolve-other-value"), " 38.4 ");
    type($(m.root, "#resolve-reason"), "both wrong: re-measured");
    click($(m.root, "#resolve-ok"));
    await flush();
    expect(mockApi.resolveConflict).toHaveBeenCalledWith(conflict.item, 38.4, "both wrong: re-measured");
  });

  it("a refusal from the services keeps the dialog open with the reason", async () => {
    mockApi.resolveConflict.mockRejectedValue(new ApiError("forbidden", "monitor may not resolve conflicts"));
    const onDone = vi.fn();
    await render(<ResolveDialog conflict={conflict} onCancel={vi.fn()} onDone={onDone} />);
    click($(m.root, "#resolve-v1"));
    type($(m.root, "#resolve-reason"), "x");
    click($(m.root, "#resolve-ok"));
    await flush();
    expect(onDone).not.toHaveBeenCalled();
    expect(text("#resolve-error")).toContain("Not resolved: You are not allowed to do this");
  });

  it("without the right to resolve, there is no Resolve button", async () => {
    mockApi.conflicts.mockResolvedValue([conflict]);
    await render(<Sync />, siteNurse, "site");
    click($(m.root, "#sync-tab-conflicts"));
    await flush();
    expect(m.root.querySelector(".resolve-conflict")).toBeNull();
  });
});

describe("computers", () => {
  it("show this computer's fingerprint, and the known ones in words; revoking needs a reason", async () => {
    mockApi.nodes.mockResolvedValue([siteNode("S01", S01)]);
    await render(<Sync />);
    click($(m.root, "#sync-tab-nodes"));
    await flush();
    expect($(m.root, "#my-fingerprint").textContent).toBe("ab".repeat(32));
    const row = $(m.root, `[data-node="${S01}"]`);
    expect(row.textContent).toContain("Site S01");
    expect(row.textContent).toContain("4f04a1b2");
    expect(row.textContent).toContain("efef efef efef efef…");
    expect(row.textContent).toContain("Trusted");
    expect(row.textContent).toContain("2026-10-01 09:00 by Zhao Min");
    expect(row.textContent!.replace(/\u202f/g, " ")).toContain("S01 up to no. 1 234");
    expect(row.textContent).toContain("study-wide: 10 of 12");
    click($(row, ".revoke-node"));
    const dlg = $(m.root, "#revoke-dialog");
    expect($(dlg, "h2").textContent).toBe("Revoke the key of Site S01 (node 4f04a1b2)");
    click($(dlg, "#revoke-ok"));
    expect(text("#revoke-error")).toBe("A reason is required.");
    expect(mockApi.revokeNode).not.toHaveBeenCalled();
    mockApi.revokeNode.mockResolvedValue(siteNode("S01", S01, { status: "revoked" }));
    type($(dlg, "#revoke-reason"), "laptop stolen");
    click($(dlg, "#revoke-ok"));
    await flush();
    expect(mockApi.revokeNode).toHaveBeenCalledWith(S01, "laptop stolen");
    expect(m.root.querySelector("#revoke-dialog")).toBeNull();
  });

  it("without the right to manage keys there is no Revoke button", async () => {
    mockApi.nodes.mockResolvedValue([{ ...siteNode("", CENTRAL), role: "central", site: null }]);
    await render(<Sync />, siteNurse, "site");
    click($(m.root, "#sync-tab-nodes"));
    await flush();
    expect(m.root.querySelector(".revoke-node")).toBeNull();
    expect($(m.root, `[data-node="${CENTRAL}"]`).textContent).toContain("Central office");
  });

  it("RevokeDialog is exported for reuse", () => {
    expect(typeof RevokeDialog).toBe("function");
  });
});

describe("import history", () => {
  it("one row per bundle: file, sender, dates, who, counts", async () => {
    mockApi.importHistory.mockResolvedValue([
      {
        file: "/home/zhao/S01-2026-11-25T1030.ecrfb",
        sha256: "ab",
        origin: S01,
        origin_site: "S01",
        created_at: "2026-11-25T10:30:12+08:00",
        imported_at: "2026-11-26T09:00:00+08:00",
        imported_by: "zhao.min",
        summary: sum({ new: 1234, duplicate: 2, pending: 3, pdfs: 0 }),
      },
    ]);
    await render(<Sync />);
    click($(m.root, "#sync-tab-history"));
    await flush();
    const cells = [...$(m.root, '[data-history="S01-2026-11-25T1030.ecrfb"]').querySelectorAll("td")].map((td) => td.textContent!.replace(/\u202f/g, " "));
    expect(cells).toEqual(["S01-2026-11-25T1030.ecrfb", "Site S01 (node 4f04a1b2)", "2026-11-25 10:30", "2026-11-26 09:00", "Zhao Min", "1 234", "2", "3", "–"]);
  });
});
