// The reports screen: rates with their CIs in words, Kaplan-Meier plot with the analysis
// toggle, medians and landmarks, grade tables, SAE words, PK plot and tables, Chinese.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AppContext } from "../context";
import { setLang } from "../i18n";
import { $, Mounted, click, flush, mount } from "../test/util";
import { endpointReport, pkReport, services, sessions } from "./dm.testutil";

const mockApi = { reportEndpoints: vi.fn(), reportPk: vi.fn() };
vi.mock("../api", async (orig) => ({ ...(await orig<typeof import("../api")>()), api: mockApi }));
const { Reports, medianText, conc } = await import("./Reports");
const { rateText } = await import("./dmShared");

let m: Mounted;
async function render() {
  m = mount(<AppContext.Provider value={services(sessions.dm)}>{<Reports />}</AppContext.Provider>);
  for (let i = 0; i < 3; i++) await flush();
}
const text = (css: string) => $(m.root, css).textContent!.replace(/\u202f/g, " ");

beforeEach(() => {
  setLang("en");
  mockApi.reportEndpoints.mockReset().mockResolvedValue(endpointReport());
  mockApi.reportPk.mockReset().mockResolvedValue(pkReport());
});
afterEach(() => {
  m?.unmount();
  setLang("en");
});

describe("formats", () => {
  it("writes a rate with its exact CI", () => {
    expect(rateText({ x: 12, n: 20, rate: 0.6, lower: 0.36054, upper: 0.8088 })).toBe("12/20 (60.0%; 95% CI 36.1–80.9)");
    expect(rateText({ x: 0, n: 0, rate: null, lower: null, upper: null })).toBe("0/0");
    setLang("zh");
    expect(rateText({ x: 12, n: 20, rate: 0.6, lower: 0.36054, upper: 0.8088 })).toBe("12/20（60.0%；95% CI 36.1–80.9）");
  });

  it("writes medians in months, NR when not reached", () => {
    const r = endpointReport();
    expect(medianText(r.survival[0])).toBe("NR");
    expect(medianText(r.survival[1])).toBe("12.3 (8.1–NR)");
    expect([0.00123, 5, 359, 77253.2].map(conc)).toEqual(["0.00123", "5", "359", "77\u202f253"]);
  });
});

describe("the endpoint report", () => {
  it("shows response rates by population and disease", async () => {
    await render();
    expect(text("[data-populations]")).toContain("Enrolled 24");
    expect(text("[data-populations]")).toContain("Infused 20");
    const all = text('[data-response="infused/all"]');
    expect(all).toContain("Infused");
    expect(all).toContain("12/20 (60.0%; 95% CI 36.1–80.9)");
    expect(text('[data-response="infused/lymphoma"]')).toContain("not applicable");
    expect(m.root.textContent).toContain("Clopper-Pearson");
  });

  it("draws the Kaplan-Meier plot with the primary, sensitivity or both analyses", async () => {
    await render();
    click($(m.root, "#report-tab-survival"));
    expect(m.root.querySelectorAll("#km-plot .km-curve").length).toBe(1);
    expect(m.root.querySelector("#km-analysis-sensitivity")).toBeNull(); // OS has one analysis
    click($(m.root, "#km-endpoint-PFS"));
    click($(m.root, "#km-analysis-both"));
    const curves = [...m.root.querySelectorAll("#km-plot .km-curve")].map((c) => c.getAttribute("data-curve"));
    expect(curves).toEqual(["Primary", "Sensitivity"]);
    expect(m.root.querySelectorAll("#km-plot .at-risk-row").length).toBe(2);
    click($(m.root, "#km-ci-lines"));
    expect(m.root.querySelectorAll("#km-plot .km-band").length).toBe(0);
    expect(text('[data-survival="PFS/primary"]')).toContain("12.3 (8.1–NR)");
    expect(text('[data-survival="OS/primary"]')).toContain("69.0% (50.0–89.0)");
    expect(m.root.textContent).toContain("Progression-free survival");
  });

  it("shows worst grades and the SAE listing in words", async () => {
    await render();
    click($(m.root, "#report-tab-safety"));
    const crs = text('[data-grade-table="CRS"]');
    expect(crs).toContain("Grade 3 or worse");
    expect(crs).toContain("4/20 (20.0%; 95% CI 5.7–43.7)");
    expect(crs).toContain("7 (35.0%)");
    const sae = text('[data-sae="0"]');
    expect(sae).toContain("Sepsis");
    expect(sae).toContain("2026-08-06 · day 90");
    expect(sae).toContain("Results in death");
    expect(sae).toContain("Possibly related");
    expect(sae).toContain("Fatal");
  });

  it("draws the swimmer plot and the PK curves with their tables", async () => {
    await render();
    click($(m.root, "#report-tab-swimmer"));
    expect(m.root.querySelectorAll("#swimmer-plot .sw-lane").length).toBe(1);
    click($(m.root, "#report-tab-pk"));
    expect(m.root.querySelectorAll("#pk-plot .pk-subject").length).toBe(3);
    expect(text('[data-pk-summary="Cmax"]')).toContain("Cmax (copies/µg gDNA)");
    expect(text('[data-pk-summary="Cmax"]')).toContain("60 000");
    expect(text('[data-pk-subject="S01-002"]')).toContain("120 000");
    click($(m.root, "#pk-assay-flow"));
    expect(m.root.querySelectorAll("#pk-plot .pk-subject").length).toBe(1);
    expect(m.root.textContent).toContain("CAR+ cells/µL");
  });

  it("says when a report cannot be computed", async () => {
    mockApi.reportEndpoints.mockRejectedValue({ code: "forbidden", message: "reports need the reports permission" });
    await render();
    expect(m.root.textContent).toContain("Could not compute the report: You are not allowed to do this");
  });

  it("reads in Chinese", async () => {
    setLang("zh");
    await render();
    expect(m.root.textContent).toContain("终点报告");
    expect(text('[data-response="infused/all"]')).toContain("12/20（60.0%；95% CI 36.1–80.9）");
    click($(m.root, "#report-tab-survival"));
    expect(m.root.textContent).toContain("风险人数");
    expect(m.root.textContent).toContain("回输后月数");
  });
});
