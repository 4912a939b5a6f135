import { beforeEach, describe, expect, it, vi } from "vitest";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...a: unknown[]) => invoke(...a) }));
// The dialog plugin is a dependency (not transformed, so not reached by the mock above): stand in
// for it the way it calls Tauri.
vi.mock("@tauri-apps/plugin-dialog", () => ({
  save: (options: unknown) => invoke("plugin:dialog|save", { options }),
  open: (options: unknown) => invoke("plugin:dialog|open", { options }),
}));
const listen = vi.fn();
vi.mock("@tauri-apps/api/event", () => ({ listen: (...a: unknown[]) => listen(...a) }));

const { api, setHooks, toApiError, ApiError } = await import("./api");

beforeEach(() => {
  invoke.mockReset();
  setHooks({});
});

describe("api", () => {
  it("calls each command with the argument names of the contract", async () => {
    invoke.mockResolvedValue(null);
    const form = { subject: "S01-001", event: "SCR", event_repeat: 1, form: "DM", form_repeat: 1 };
    const values = [{ group: "MAIN", repeat: 1, item: "HEIGHT", value: 170 }];
    await api.login("nurse1", "pw");
    await api.enrol("S01-007");
    await api.casebook("S01-001");
    await api.formShow(form);
    await api.formCheck(form, values);
    await api.formSave(form, values, true, "typo");
    await api.unlock("pw");
    expect(invoke.mock.calls).toEqual([
      ["login", { username: "nurse1", password: "pw" }],
      ["enrol", { subject: "S01-007" }],
      ["casebook", { subject: "S01-001" }],
      ["form_show", { form }],
      ["form_check", { form, values }],
      ["form_save", { form, values, complete: true, reason: "typo" }],
      ["unlock", { password: "pw" }],
    ]);
  });

  it("the new commands: override, schedule, worklist, definition by version", async () => {
    invoke.mockResolvedValue(null);
    const form = { subject: "S01-001", event: "D7", event_repeat: 1, form: "CRS", form_repeat: 1 };
    await api.formOverride(form, "CRSGR", 2, "fever was paracetamol-masked");
    await api.formOverride(form, "CRSGR", null, "entered in error");
    await api.subjectSchedule("S01-001");
    await api.worklist();
    await api.worklist(30);
    await api.definition();
    await api.definition("0.9");
    expect(invoke.mock.calls).toEqual([
      ["form_override", { form, derived: "CRSGR", value: 2, reason: "fever was paracetamol-masked" }],
      ["form_override", { form, derived: "CRSGR", value: null, reason: "entered in error" }],
      ["subject_schedule", { subject: "S01-001" }],
      ["worklist", {}],
      ["worklist", { days: 30 }],
      ["definition", {}],
      ["definition", { version: "0.9" }],
    ]);
  });

  it("the sync commands: export, inspect, import, history, nodes, revoke, conflicts, resolve", async () => {
    invoke.mockResolvedValue(null);
    const item = { subject: "S01-001", event: "D7", event_repeat: 1, form: "VS", form_repeat: 1, group: "MAIN", group_repeat: 1, item: "TEMP" };
    await api.bundleExport(null, false, "/u/S01.ecrfb");
    await api.bundleExport("4f04a1b2-6c1d-4e5f-9a7b-0c2d3e4f5a6b", true, "/u/c.ecrfb");
    await api.bundleInspect("/u/a.ecrfb");
    await api.bundleImport(["/u/a.ecrfb", "/u/b.ecrfb"]);
    await api.bundleImport(["/u/a.ecrfb"], "ab12");
    await api.importHistory();
    await api.nodes();
    await api.revokeNode("n1", "laptop stolen");
    await api.conflicts();
    await api.conflicts("S01-001");
    await api.resolveConflict(item, 38.2, "source document");
    expect(invoke.mock.calls).toEqual([
      ["bundle_export", { to: null, full: false, path: "/u/S01.ecrfb" }],
      ["bundle_export", { to: "4f04a1b2-6c1d-4e5f-9a7b-0c2d3e4f5a6b", full: true, path: "/u/c.ecrfb" }],
      ["bundle_inspect", { path: "/u/a.ecrfb" }],
      ["bundle_import", { paths: ["/u/a.ecrfb", "/u/b.ecrfb"], accept: null }],
      ["bundle_import", { paths: ["/u/a.ecrfb"], accept: "ab12" }],
      ["import_history", {}],
      ["nodes", {}],
      ["revoke_node", { node: "n1", reason: "laptop stolen" }],
      ["conflicts", {}],
      ["conflicts", { subject: "S01-001" }],
      ["resolve_conflict", { item, value: 38.2, reason: "source document" }],
    ]);
  });

  it("the open dialog picks several .ecrfb files; cancelling answers none", async () => {
    invoke.mockResolvedValueOnce(["/u/a.ecrfb", "/u/b.ecrfb"]).mockResolvedValueOnce(null).mockResolvedValueOnce("/u/c.ecrfb");
    expect(await api.openBundlePaths()).toEqual(["/u/a.ecrfb", "/u/b.ecrfb"]);
    expect(await api.openBundlePaths()).toEqual([]);
    expect(await api.openBundlePaths()).toEqual(["/u/c.ecrfb"]);
    expect(invoke.mock.calls[0]).toEqual([
      "plugin:dialog|open",
      { options: { multiple: true, directory: false, filters: [{ name: "eCRF bundle", extensions: ["ecrfb"] }] } },
    ]);
    invoke.mockResolvedValueOnce("/u/S01-x.ecrfb");
    expect(await api.saveBundlePath("S01-x.ecrfb")).toBe("/u/S01-x.ecrfb");
    expect(invoke.mock.calls[3]).toEqual(["plugin:dialog|save", { options: { defaultPath: "S01-x.ecrfb", filters: [{ name: "eCRF bundle", extensions: ["ecrfb"] }] } }]);
  });

  it("import progress comes from the bundle-import-progress event", async () => {
    const off = vi.fn();
    listen.mockResolvedValue(off);
    const seen: unknown[] = [];
    const stop = await api.onImportProgress((p) => seen.push(p));
    expect(listen.mock.calls[0][0]).toBe("bundle-import-progress");
    const handler = listen.mock.calls[0][1] as (e: { payload: unknown }) => void;
    handler({ payload: { file: "/u/a.ecrfb", done: 5, total: 10 } });
    expect(seen).toEqual([{ file: "/u/a.ecrfb", done: 5, total: 10 }]);
    stop();
    expect(off).toHaveBeenCalled();
  });

  it("turns rejections into ApiError, keeping code, message and findings", async () => {
    const finding = { item: "X", group: "MAIN", repeat: 1, rule: "type", severity: "error", message: { en: "bad", zh: "错" } };
    invoke.mockRejectedValue({ code: "validation", message: "1 value refused", findings: [finding] });
    const e = await api.formSave({ subject: "S", event: "E", event_repeat: 1, form: "F", form_repeat: 1 }, [], false, null).catch((x) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e.code).toBe("validation");
    expect(e.message).toBe("1 value refused");
    expect(e.findings).toEqual([finding]);
    expect(toApiError("command foo not found")).toMatchObject({ code: "internal", message: "command foo not found" });
    expect(toApiError({ code: "exists", message: "S01-001 already exists" }).code).toBe("exists");
  });

  it("on session_locked waits for the unlock and retries the same call", async () => {
    invoke.mockRejectedValueOnce({ code: "session_locked", message: "locked", findings: [] }).mockResolvedValueOnce([{ subject: "S01-001" }]);
    const onLocked = vi.fn(() => Promise.resolve());
    setHooks({ onLocked });
    const out = await api.subjects();
    expect(onLocked).toHaveBeenCalledTimes(1);
    expect(out).toEqual([{ subject: "S01-001" }]);
    expect(invoke).toHaveBeenCalledTimes(2);
  });

  it("gives up when the user does not unlock", async () => {
    invoke.mockRejectedValue({ code: "session_locked", message: "locked", findings: [] });
    setHooks({ onLocked: () => Promise.reject(new ApiError("unauthenticated", "logged out")) });
    await expect(api.subjects()).rejects.toMatchObject({ code: "unauthenticated" });
    expect(invoke).toHaveBeenCalledTimes(1);
  });

  it("on unauthenticated tells the app (to show the login), except for login itself", async () => {
    const onUnauthenticated = vi.fn();
    setHooks({ onUnauthenticated });
    invoke.mockRejectedValue({ code: "unauthenticated", message: "not logged in", findings: [] });
    await expect(api.subjects()).rejects.toMatchObject({ code: "unauthenticated" });
    expect(onUnauthenticated).toHaveBeenCalledTimes(1);
    await expect(api.login("a", "b")).rejects.toMatchObject({ code: "unauthenticated" });
    await expect(api.unlock("b")).rejects.toMatchObject({ code: "unauthenticated" });
    expect(onUnauthenticated).toHaveBeenCalledTimes(1);
  });

  it("signatures and PDF export: argument names of the contract", async () => {
    invoke.mockResolvedValue(null);
    const scope = { level: "event" as const, subject: "S01-001", event: "D7", event_repeat: 1 };
    await api.sign(scope, "approval", "pw");
    await api.subjectSignatures("S01-001");
    await api.exportPdf({ level: "subject", subject: "S01-001" }, "both", "/tmp/a.pdf");
    await api.exportPdf(scope, "zh", "/tmp/b.pdf", { password: "pw", meaning: "review" });
    expect(invoke.mock.calls).toEqual([
      ["sign", { scope, meaning: "approval", password: "pw" }],
      ["subject_signatures", { subject: "S01-001" }],
      ["export_pdf", { scope: { level: "subject", subject: "S01-001" }, lang: "both", path: "/tmp/a.pdf" }],
      ["export_pdf", { scope, lang: "zh", path: "/tmp/b.pdf", password: "pw", meaning: "review" }],
    ]);
  });

  it("the native save dialog: a PDF filter, the proposed name; null when cancelled", async () => {
    invoke.mockResolvedValueOnce("/home/u/S01-001-casebook.pdf").mockResolvedValueOnce(null);
    expect(await api.savePdfPath("S01-001-casebook.pdf")).toBe("/home/u/S01-001-casebook.pdf");
    expect(await api.savePdfPath("x.pdf")).toBeNull();
    expect(invoke.mock.calls[0]).toEqual([
      "plugin:dialog|save",
      { options: { defaultPath: "S01-001-casebook.pdf", filters: [{ name: "PDF", extensions: ["pdf"] }] } },
    ]);
  });

  it("a wrong password when signing does not end the session", async () => {
    const onUnauthenticated = vi.fn();
    setHooks({ onUnauthenticated });
    invoke.mockRejectedValue({ code: "unauthenticated", message: "wrong username or password", findings: [] });
    await expect(api.sign({ level: "subject", subject: "S01-001" }, "review", "x")).rejects.toMatchObject({ code: "unauthenticated" });
    await expect(api.exportPdf({ level: "subject", subject: "S01-001" }, "en", "/a.pdf", { password: "x", meaning: "review" })).rejects.toMatchObject({
      code: "unauthenticated",
    });
    expect(onUnauthenticated).not.toHaveBeenCalled();
    invoke.mockRejectedValue({ code: "unauthenticated", message: "not logged in", findings: [] });
    await expect(api.sign({ level: "subject", subject: "S01-001" }, "review", "x")).rejects.toMatchObject({ code: "unauthenticated" });
    expect(onUnauthenticated).toHaveBeenCalledTimes(1);
  });
});
