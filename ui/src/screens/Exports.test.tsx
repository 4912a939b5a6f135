// The exports screen: the native save dialog, then the export; the result in words;
// cancelling does nothing; the PDF endpoint report call.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AppContext } from "../context";
import { setLang } from "../i18n";
import { $, Mounted, choose, click, flush, mount } from "../test/util";
import { services, sessions } from "./dm.testutil";

const mockApi = { exportOdm: vi.fn(), exportCsv: vi.fn() };
vi.mock("../api", async (orig) => ({ ...(await orig<typeof import("../api")>()), api: mockApi }));
const save = vi.fn();
vi.mock("@tauri-apps/plugin-dialog", () => ({ save: (o: unknown) => save(o), open: vi.fn() }));
const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", async (orig) => ({ ...(await orig<typeof import("@tauri-apps/api/core")>()), invoke: (c: string, a: unknown) => invoke(c, a) }));
const { Exports, sizeText } = await import("./Exports");

let m: Mounted;
let statuses: Array<[string, string | undefined]>;
async function render() {
  m = mount(<AppContext.Provider value={services(sessions.dm, statuses)}>{<Exports />}</AppContext.Provider>);
  await flush();
}
const text = (css: string) => $(m.root, css).textContent!.replace(/\u202f/g, " ");

beforeEach(() => {
  setLang("en");
  statuses = [];
  save.mockReset();
  invoke.mockReset();
  mockApi.exportOdm.mockReset();
  mockApi.exportCsv.mockReset();
});
afterEach(() => {
  m?.unmount();
  setLang("en");
});

describe("exports", () => {
  it("sizes in words", () => {
    expect(sizeText(38_512_004)).toBe("36.7 MB");
    expect(sizeText(412_306)).toBe("403 KB");
  });

  it("writes the ODM file where the user chose and says what it holds", async () => {
    save.mockResolvedValue("/home/zhao/CART-ODM.xml");
    mockApi.exportOdm.mockResolvedValue({
      written: "/home/zhao/CART-ODM.xml",
      file_type: "Transactional",
      bytes: 9_804_113,
      subjects: 12,
      forms: 1402,
      item_data: 20115,
      audit_records: 21047,
      signatures: 1,
      metadata_versions: ["0.9", "1.0"],
    });
    await render();
    click($(m.root, "#export-odm"));
    for (let i = 0; i < 3; i++) await flush();
    expect(save.mock.calls[0][0]).toMatchObject({ defaultPath: expect.stringMatching(/^STUDY-1-ODM-\d{4}-\d{2}-\d{2}\.xml$/), filters: [{ extensions: ["xml"] }] });
    expect(mockApi.exportOdm).toHaveBeenCalledWith("/home/zhao/CART-ODM.xml");
    const r = text('[data-export-result="odm"]');
    expect(r).toContain("Saved 9.3 MB to /home/zhao/CART-ODM.xml");
    expect(r).toContain("12 subjects, 1 402 forms, 20 115 values");
    expect(r).toContain("21 047 audit records, 1 signature");
    expect(r).toContain("Definition versions: 0.9, 1.0");
    expect(statuses.at(-1)?.[1]).toBe("ok");
  });

  it("does nothing when the save dialog is cancelled, and says why an export failed", async () => {
    save.mockResolvedValue(null);
    await render();
    click($(m.root, "#export-csv"));
    for (let i = 0; i < 3; i++) await flush();
    expect(mockApi.exportCsv).not.toHaveBeenCalled();
    save.mockResolvedValue("/home/zhao/out");
    mockApi.exportCsv.mockRejectedValue({ code: "exists", message: "/home/zhao/out already exists" });
    click($(m.root, "#export-csv"));
    for (let i = 0; i < 3; i++) await flush();
    expect(text("#export-error-csv")).toBe("Not exported: It already exists: /home/zhao/out already exists");
  });

  it("lists the CSV tables written", async () => {
    save.mockResolvedValue("/home/zhao/csv");
    mockApi.exportCsv.mockResolvedValue({ written: "/home/zhao/csv", subjects: 2, forms: 30, files: [{ file: "DM.csv", rows: 2 }, { file: "data_dictionary.csv", rows: 1 }] });
    await render();
    click($(m.root, "#export-csv"));
    for (let i = 0; i < 3; i++) await flush();
    expect(save.mock.calls[0][0].filters).toBeUndefined();
    const r = text('[data-export-result="csv"]');
    expect(r).toContain("Saved to the folder /home/zhao/csv");
    expect(r).toContain("2 files, 3 data rows");
    expect(r).toContain("data_dictionary.csv1 row");
  });

  it("writes the PDF endpoint report in the chosen language", async () => {
    save.mockResolvedValue("/home/zhao/report.pdf");
    invoke.mockResolvedValue(412_306);
    await render();
    choose($(m.root, "#export-report-lang"), "both");
    click($(m.root, "#export-report-pdf"));
    for (let i = 0; i < 3; i++) await flush();
    expect(invoke).toHaveBeenCalledWith("report_endpoints_pdf", { lang: "both", path: "/home/zhao/report.pdf" });
    expect(text('[data-export-result="pdf"]')).toContain("Saved 403 KB to /home/zhao/report.pdf");
  });
});
