// Electronic signatures and PDF export: the `sign` call the dialog builds for each scope and
// meaning, the password rules, signed / broken cells on the casebook, the form's signature panel
// and queries, and the export dialog (native save dialog, then `export_pdf`).

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Casebook as CasebookData } from "../bindings/Casebook";
import type { Definition } from "../bindings/Definition";
import type { FormRef } from "../bindings/FormRef";
import type { Scope } from "../bindings/Scope";
import type { SessionInfo } from "../bindings/SessionInfo";
import type { SignatureView } from "../bindings/SignatureView";
import { AppContext, AppServices } from "../context";
import { setLang } from "../i18n";
import { definition, form, nurse } from "../test/fixtures";
import { $, Mounted, choose, click, flush, mount, press, type } from "../test/util";

const mockApi = {
  casebook: vi.fn(),
  subjectSchedule: vi.fn(),
  formShow: vi.fn(),
  formCheck: vi.fn(),
  formSave: vi.fn(),
  formOverride: vi.fn(),
  sign: vi.fn(),
  subjectSignatures: vi.fn(),
  exportPdf: vi.fn(),
  savePdfPath: vi.fn(),
};
vi.mock("../api", async (orig) => ({ ...(await orig<typeof import("../api")>()), api: mockApi }));

const { ApiError } = await import("../api");
const { SignDialog, ExportDialog } = await import("../components/SignDialog");
const { Casebook } = await import("./Casebook");
const { FormScreen } = await import("./FormScreen");

const investigator: SessionInfo = {
  username: "dr.chen",
  full_name: "Chen Jian",
  role: "investigator",
  permissions: ["view_data", "enrol", "enter_data", "sign", "override_derived"],
  idle_minutes: 15,
};

const def: Definition = definition;
const ref: FormRef = { subject: "S01-001", event: "SCR", event_repeat: 1, form: "TEST", form_repeat: 1 };
const formScope: Scope = { level: "form", ...ref };
const eventScope: Scope = { level: "event", subject: "S01-001", event: "SCR", event_repeat: 1 };
const subjectScope: Scope = { level: "subject", subject: "S01-001" };

const sig = (o: Partial<SignatureView> = {}): SignatureView => ({
  signature: "sig-1",
  scope: formScope,
  meaning: "review",
  printed_name: "Chen Jian",
  username: "dr.chen",
  at: "2025-03-21T10:05:33.120+08:00",
  content_hash: "ab".repeat(32),
  forms: ["S01-001/SCR.1/TEST.1"],
  broken: false,
  ...o,
});

let m: Mounted;
let statuses: Array<[string, string | undefined]>;

function services(session: SessionInfo): AppServices {
  return {
    node: null,
    session,
    def,
    definitionFor: async () => def,
    status: (text, kind) => statuses.push([text, kind]),
    open: vi.fn(),
    back: vi.fn(),
    setLeaveGuard: vi.fn(),
    can: (a) => session.permissions.includes(a),
  };
}

async function render(node: preact.ComponentChild, session: SessionInfo = investigator) {
  m = mount(<AppContext.Provider value={services(session)}>{node}</AppContext.Provider>);
  await flush();
  await flush();
}

beforeEach(() => {
  setLang("en");
  statuses = [];
  for (const f of Object.values(mockApi)) f.mockReset();
  mockApi.subjectSchedule.mockResolvedValue([]);
  mockApi.formCheck.mockResolvedValue({ derived: [], findings: [], hidden: [] });
});
afterEach(() => m?.unmount());

describe("sign dialog", () => {
  for (const [scope, words] of [
    [formScope, "the form Test visit, Screening, subject S01-001"],
    [eventScope, "all forms of Screening, subject S01-001"],
    [subjectScope, "the whole casebook of subject S01-001"],
  ] as const) {
    for (const meaning of ["authorship", "review", "approval"] as const) {
      it(`signs ${scope.level} with meaning ${meaning}`, async () => {
        mockApi.sign.mockResolvedValue(sig({ scope, meaning }));
        const onSigned = vi.fn();
        await render(<SignDialog scope={scope} onCancel={vi.fn()} onSigned={onSigned} />);
        const dlg = $(m.root, "#sign-dialog");
        click($(dlg, `#sign-meaning-${meaning}`));
        // The statement names the scope, the printed name and the meaning.
        const statement = $(dlg, ".sign-statement").textContent!;
        expect(statement).toContain(`By entering my password I sign ${words} as Chen Jian`);
        expect(statement).toContain(meaning[0].toUpperCase() + meaning.slice(1));
        type($(dlg, "#sign-password"), "s3cret");
        click($(dlg, "#sign-ok"));
        await flush();
        expect(mockApi.sign).toHaveBeenCalledWith(scope, meaning, "s3cret");
        expect(onSigned).toHaveBeenCalledTimes(1);
      });
    }
  }

  it("explains each meaning in one line, and opens on the chosen one", async () => {
    await render(<SignDialog scope={formScope} onCancel={vi.fn()} onSigned={vi.fn()} />);
    expect($(m.root, "#sign-meaning-review").closest("label")!.textContent).toContain("I have reviewed these data.");
    expect($(m.root, "#sign-meaning-approval").closest("label")!.textContent).toContain("accurate and complete");
    expect(document.activeElement?.id).toBe("sign-meaning-review");
  });

  it("requires a password: no call without one", async () => {
    await render(<SignDialog scope={formScope} onCancel={vi.fn()} onSigned={vi.fn()} />);
    click($(m.root, "#sign-ok"));
    await flush();
    expect(mockApi.sign).not.toHaveBeenCalled();
    expect($(m.root, "#sign-error").textContent).toBe("Enter your password to sign.");
    expect(document.activeElement?.id).toBe("sign-password");
  });

  it("a wrong password: says so, keeps the dialog open, clears the password", async () => {
    mockApi.sign.mockRejectedValue(new ApiError("unauthenticated", "wrong username or password"));
    const onSigned = vi.fn();
    const onCancel = vi.fn();
    await render(<SignDialog scope={formScope} onCancel={onCancel} onSigned={onSigned} />);
    type($(m.root, "#sign-password"), "oops");
    press($(m.root, "#sign-password"), "Enter");
    await flush();
    expect(mockApi.sign).toHaveBeenCalledWith(formScope, "review", "oops");
    expect(onSigned).not.toHaveBeenCalled();
    expect(onCancel).not.toHaveBeenCalled();
    expect($(m.root, "#sign-dialog")).toBeTruthy();
    expect($(m.root, "#sign-error").textContent).toBe("The password is wrong. Nothing was signed; try again.");
    expect($<HTMLInputElement>(m.root, "#sign-password").value).toBe("");
  });

  it("incomplete forms: in plain words", async () => {
    mockApi.sign.mockRejectedValue(new ApiError("validation", "not signed: 2 form(s) not complete: SCR.1/DM.1, SCR.1/LB.1"));
    await render(<SignDialog scope={eventScope} onCancel={vi.fn()} onSigned={vi.fn()} />);
    type($(m.root, "#sign-password"), "pw");
    click($(m.root, "#sign-ok"));
    await flush();
    expect($(m.root, "#sign-error").textContent).toBe("Not signed: 2 form(s) not complete yet (SCR.1/DM.1, SCR.1/LB.1). Complete them first.");
  });

  it("Escape cancels", async () => {
    const onCancel = vi.fn();
    await render(<SignDialog scope={formScope} onCancel={onCancel} onSigned={vi.fn()} />);
    press($(m.root, "#sign-password"), "Escape");
    expect(onCancel).toHaveBeenCalled();
  });
});

describe("casebook signatures", () => {
  const cb: CasebookData = {
    subject: { subject: "S01-001", site: "S01", enrolled_at: "2025-01-01T00:00:00+08:00", definition_version: "1.0", forms_started: 2, forms_complete: 2, eligibility: null },
    forms: [
      { form: ref, status: "complete", signature: "signed", open_queries: 0, locked: false, verified: false },
      { form: { ...ref, event: "FU" }, status: "complete", signature: "signature_broken", open_queries: 0, locked: false, verified: false },
      { form: { ...ref, event: "FU", event_repeat: 2 }, status: "complete", signature: null, open_queries: 0, locked: false, verified: false },
    ],
  };

  it("cells show Signed / Signature broken with data-signature", async () => {
    mockApi.casebook.mockResolvedValue(cb);
    await render(<Casebook subject="S01-001" />);
    const signed = $(m.root, '[data-form-cell="SCR.1/TEST.1"]');
    expect(signed.dataset.signature).toBe("signed");
    expect(signed.textContent).toContain("Signed");
    expect(signed.classList.contains("sig-signed")).toBe(true);
    const broken = $(m.root, '[data-form-cell="FU.1/TEST.1"]');
    expect(broken.dataset.signature).toBe("signature_broken");
    expect(broken.textContent).toContain("Signature broken");
    const none = $(m.root, '[data-form-cell="FU.2/TEST.1"]');
    expect(none.hasAttribute("data-signature")).toBe(false);
    expect(none.textContent).not.toContain("Signed");
  });

  it("investigators sign an event or the casebook; the casebook is read again after", async () => {
    mockApi.casebook.mockResolvedValue(cb);
    mockApi.sign.mockResolvedValue(sig({ scope: eventScope }));
    await render(<Casebook subject="S01-001" />);
    click($(m.root, '[data-sign-event="SCR"]'));
    type($(m.root, "#sign-password"), "pw");
    click($(m.root, "#sign-ok"));
    await flush();
    await flush();
    expect(mockApi.sign).toHaveBeenCalledWith(eventScope, "review", "pw");
    expect(m.root.querySelector("#sign-dialog")).toBeNull();
    expect(mockApi.casebook).toHaveBeenCalledTimes(2);

    click($(m.root, "#sign-subject"));
    type($(m.root, "#sign-password"), "pw");
    click($(m.root, "#sign-meaning-approval"));
    click($(m.root, "#sign-ok"));
    await flush();
    expect(mockApi.sign).toHaveBeenLastCalledWith(subjectScope, "approval", "pw");
  });

  it("no signing controls for a nurse, but export", async () => {
    mockApi.casebook.mockResolvedValue(cb);
    await render(<Casebook subject="S01-001" />, nurse);
    expect(m.root.querySelector("#sign-subject")).toBeNull();
    expect(m.root.querySelector("[data-sign-event]")).toBeNull();
    expect(m.root.querySelector("#export-casebook")).not.toBeNull();
  });
});

describe("form signatures and queries", () => {
  const view = (more: Record<string, unknown>) => ({
    form: ref,
    status: "complete",
    definition_version: "1.0",
    values: [{ group: "MAIN", repeat: 1, item: form.items[0].id, value: 10 }],
    derived: [],
    findings: [],
    hidden: [],
    overrides: [],
    queries: [],
    signatures: [],
    ...more,
  });

  it("a broken signature: red banner; a holding one: ok", async () => {
    mockApi.formShow.mockResolvedValue(
      view({ signatures: [sig({ signature: "old", broken: true }), sig({ signature: "new", meaning: "approval", scope: eventScope, at: "2025-03-22T09:00:00+08:00" })] }),
    );
    await render(<FormScreen form={ref} />);
    const broken = $(m.root, "[data-signature-broken]");
    expect(broken.dataset.signatureBroken).toBe("old");
    expect(broken.textContent).toContain("Signature broken — the data changed after signing; sign again");
    expect($(m.root, "[data-signature-ok]").dataset.signatureOk).toBe("new");
    const panel = $(m.root, ".signatures").textContent!;
    expect(panel).toContain("Chen Jian");
    expect(panel).toContain("Approval");
    expect(panel).toContain("2025-03-22 09:00");
    expect(panel).toContain("event Screening");
  });

  it("Sign… on a complete form for investigators only, and it signs the form", async () => {
    mockApi.formShow.mockResolvedValue(view({}));
    mockApi.sign.mockResolvedValue(sig());
    await render(<FormScreen form={ref} />);
    click($(m.root, "#sign-form"));
    type($(m.root, "#sign-password"), "pw");
    click($(m.root, "#sign-ok"));
    await flush();
    await flush();
    expect(mockApi.sign).toHaveBeenCalledWith(formScope, "review", "pw");
    expect(mockApi.formShow).toHaveBeenCalledTimes(2); // read again

    m.unmount();
    mockApi.formShow.mockResolvedValue(view({ status: "in_progress" }));
    await render(<FormScreen form={ref} />);
    expect(m.root.querySelector("#sign-form")).toBeNull();
    m.unmount();
    mockApi.formShow.mockResolvedValue(view({}));
    await render(<FormScreen form={ref} />, nurse);
    expect(m.root.querySelector("#sign-form")).toBeNull();
  });

  it("open queries beside their item and in the side panel; closed ones folded away", async () => {
    const item = form.items[0].id;
    mockApi.formShow.mockResolvedValue(
      view({
        queries: [
          { query: "q1", item, group: "MAIN", repeat: 1, rule: null, status: "open", text: "Please confirm", opened_by: "monitor", opened_at: "2025-03-21T10:00:00+08:00" },
          { query: "q2", item: null, group: null, repeat: null, rule: "R1", status: "answered", text: "Form-level", opened_by: "system", opened_at: "2025-03-20T08:00:00+08:00" },
          { query: "q3", item, group: "MAIN", repeat: 1, rule: null, status: "closed", text: "Old one", opened_by: "monitor", opened_at: "2025-03-19T08:00:00+08:00" },
        ],
      }),
    );
    await render(<FormScreen form={ref} />);
    const beside = $(m.root, '[data-query="q1"]');
    expect(beside.dataset.queryItem).toBe(item);
    expect(beside.textContent).toContain("Please confirm");
    expect(m.root.querySelector('[data-query="q3"]')).toBeNull();
    const panel = $(m.root, '[data-query-panel="q1"]').textContent!;
    expect(panel).toContain("monitor asked, 2025-03-21 10:00");
    expect(panel).toContain("Please confirm");
    expect($(m.root, '[data-query-panel="q2"]').textContent).toContain("Edit check R1");
    // A closed query is folded away under the count of closed ones.
    expect($(m.root, '[data-query-panel="q3"]').closest("details.q-closed")).not.toBeNull();
    expect($(m.root, "details.q-closed summary").textContent).toBe("1 closed");
  });
});

describe("export dialog", () => {
  it("unsigned: language, native save dialog, export_pdf, status with the size and path", async () => {
    mockApi.savePdfPath.mockResolvedValue("/home/chen/S01-001-casebook.pdf");
    mockApi.exportPdf.mockResolvedValue(204_800);
    const onDone = vi.fn();
    await render(<ExportDialog scope={subjectScope} onCancel={vi.fn()} onDone={onDone} />, nurse);
    expect(m.root.querySelector("#export-sign")).toBeNull(); // nurses export unsigned only
    choose($(m.root, "#export-lang"), "both");
    click($(m.root, "#export-ok"));
    await flush();
    expect(mockApi.savePdfPath).toHaveBeenCalledWith("S01-001-casebook.pdf");
    expect(mockApi.exportPdf).toHaveBeenCalledWith(subjectScope, "both", "/home/chen/S01-001-casebook.pdf", undefined);
    expect(statuses.at(-1)).toEqual(["Saved 200 KB to /home/chen/S01-001-casebook.pdf", "ok"]);
    expect(onDone).toHaveBeenCalled();
  });

  it("signed: meaning and password go with the export", async () => {
    mockApi.savePdfPath.mockResolvedValue("/tmp/f.pdf");
    mockApi.exportPdf.mockResolvedValue(50_000);
    await render(<ExportDialog scope={formScope} onCancel={vi.fn()} onDone={vi.fn()} />);
    click($(m.root, "#export-sign"));
    click($(m.root, "#sign-meaning-authorship"));
    // No password: nothing asked of the save dialog yet.
    click($(m.root, "#export-ok"));
    await flush();
    expect(mockApi.savePdfPath).not.toHaveBeenCalled();
    expect($(m.root, "#export-error").textContent).toBe("Enter your password to sign.");
    type($(m.root, "#sign-password"), "pw");
    click($(m.root, "#export-ok"));
    await flush();
    expect(mockApi.savePdfPath).toHaveBeenCalledWith("S01-001-SCR.1-TEST.1.pdf");
    expect(mockApi.exportPdf).toHaveBeenCalledWith(formScope, "en", "/tmp/f.pdf", { password: "pw", meaning: "authorship" });
  });

  it("a cancelled save does nothing", async () => {
    mockApi.savePdfPath.mockResolvedValue(null);
    const onDone = vi.fn();
    await render(<ExportDialog scope={subjectScope} onCancel={vi.fn()} onDone={onDone} />);
    click($(m.root, "#export-ok"));
    await flush();
    expect(mockApi.savePdfPath).toHaveBeenCalled();
    expect(mockApi.exportPdf).not.toHaveBeenCalled();
    expect(onDone).not.toHaveBeenCalled();
    expect(statuses).toEqual([]);
    expect(m.root.querySelector("#export-dialog")).not.toBeNull();
  });

  it("a wrong password on a signed export: said in the dialog, password cleared", async () => {
    mockApi.savePdfPath.mockResolvedValue("/tmp/f.pdf");
    mockApi.exportPdf.mockRejectedValue(new ApiError("unauthenticated", "wrong username or password"));
    await render(<ExportDialog scope={subjectScope} onCancel={vi.fn()} onDone={vi.fn()} />);
    click($(m.root, "#export-sign"));
    type($(m.root, "#sign-password"), "bad");
    click($(m.root, "#export-ok"));
    await flush();
    expect($(m.root, "#export-error").textContent).toBe("The password is wrong. Nothing was signed; try again.");
    expect($<HTMLInputElement>(m.root, "#sign-password").value).toBe("");
  });

  it("Chinese", async () => {
    setLang("zh");
    await render(<ExportDialog scope={subjectScope} onCancel={vi.fn()} onDone={vi.fn()} />);
    expect($(m.root, "#export-dialog-title").textContent).toBe("导出 PDF");
    expect($(m.root, "label[for=export-sign]").textContent).toContain("以我的身份签名");
  });
});
