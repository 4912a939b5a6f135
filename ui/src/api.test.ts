import { beforeEach, describe, expect, it, vi } from "vitest";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...a: unknown[]) => invoke(...a) }));
// The dialog plugin is a dependency (not transformed, so not reached by the mock above): stand in
// for it the way it calls Tauri.
vi.mock("@tauri-apps/plugin-dialog", () => ({ save: (options: unknown) => invoke("plugin:dialog|save", { options }) }));

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
