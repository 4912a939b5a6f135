// The plots: scales and ticks, the Kaplan-Meier step path and band for a small table, numbers
// at risk under the x ticks, log decades of the PK plot, BLQ markers and the median profile,
// swimmer lanes.

import { afterEach, describe, expect, it } from "vitest";
import type { KmStepView } from "../bindings/KmStepView";
import type { SwimmerLane } from "../bindings/SwimmerLane";
import { setLang } from "../i18n";
import { Mounted, mount } from "../test/util";
import { KmPlot, atRiskAt } from "./KmPlot";
import { PkPlot, nominalOf, pkMedian } from "./PkPlot";
import { SwimmerPlot, markerOf } from "./SwimmerPlot";
import { MONTH, censorMarks, decades, kmBand, kmPath, linear, logTicks, monthTicks, niceTicks, powerLabel } from "./scale";

const step = (day: number, at_risk: number, events: number, censored: number, survival: number, lower = survival, upper = survival): KmStepView => ({
  day,
  at_risk,
  events,
  censored,
  survival,
  lower,
  upper,
});

// Five subjects: events at 2 and 5, censored at 3 and 7 (and one still at risk at 7).
const small: KmStepView[] = [step(2, 5, 1, 0, 0.8, 0.2, 0.97), step(3, 4, 0, 1, 0.8, 0.2, 0.97), step(5, 3, 1, 0, 0.5333, 0.1, 0.85), step(7, 2, 0, 2, 0.5333, 0.1, 0.85)];
const id = (v: number) => v;

let m: Mounted | null = null;
afterEach(() => {
  m?.unmount();
  m = null;
  setLang("en");
});

describe("scales", () => {
  it("maps linearly and picks round ticks", () => {
    const s = linear([0, 10], [100, 200]);
    expect(s(5)).toBe(150);
    expect(niceTicks(28, 7)).toEqual([0, 5, 10, 15, 20, 25, 30]);
    expect(niceTicks(371, 8)).toEqual([0, 50, 100, 150, 200, 250, 300, 350, 400]);
  });

  it("puts month ticks every 3 months up to the follow-up", () => {
    expect(monthTicks(553)).toEqual([0, 3, 6, 9, 12, 15, 18, 21]);
    expect(monthTicks(100)).toEqual([0, 1, 2, 3, 4]);
    expect(monthTicks(1000)[1]).toBe(6);
  });

  it("spans whole decades on a log axis, with minor ticks 2-9", () => {
    expect(decades(37, 217440)).toEqual([1, 6]);
    expect(decades(50, 50)).toEqual([1, 2]);
    expect(decades(0.1, 1063)).toEqual([-2, 4]);
    const { major, minor } = logTicks(37, 217440);
    expect(major).toEqual([10, 100, 1000, 10000, 100000, 1000000]);
    expect(minor.length).toBe(5 * 8);
    expect(minor.slice(0, 3)).toEqual([20, 30, 40]);
    expect([1, 10, 100, 1000, 1e5, 0.1, 0.01].map(powerLabel)).toEqual(["1", "10", "100", "10³", "10⁵", "0.1", "10⁻²"]);
  });
});

describe("Kaplan-Meier geometry", () => {
  it("draws the estimate as a step function from (0, 1)", () => {
    expect(kmPath(small, id, id)).toBe("M0,1H2V0.8H5V0.53H7");
    expect(kmPath(small, id, id, 9)).toBe("M0,1H2V0.8H5V0.53H9");
  });

  it("closes the confidence band from the upper steps forwards and the lower backwards", () => {
    expect(kmBand(small, id, id)).toBe("M0,1L2,1L2,0.97L5,0.97L5,0.85L7,0.85L7,0.1L5,0.1L5,0.2L2,0.2L2,1L0,1Z");
  });

  it("marks censorings at the survival of their time", () => {
    expect(censorMarks(small)).toEqual([
      { day: 3, survival: 0.8, n: 1 },
      { day: 7, survival: 0.5333, n: 2 },
    ]);
  });

  it("counts subjects at risk from the steps, or takes the services' numbers", () => {
    const c = { label: "x", steps: small };
    expect([0, 2, 2.5, 6, 7, 8].map((d) => atRiskAt(c, d))).toEqual([5, 5, 4, 2, 2, 0]);
    expect(atRiskAt({ ...c, atRisk: [{ day: 3 * MONTH, n: 17 }] }, 3 * MONTH)).toBe(17);
  });

  it("puts each number at risk under its x tick", () => {
    const steps = [step(10, 20, 1, 0, 0.95), step(100, 15, 2, 3, 0.82), step(300, 6, 0, 6, 0.82)];
    m = mount(
      <KmPlot
        yLabel="Overall survival"
        curves={[
          { label: "Primary", steps, atRisk: [{ day: 0, n: 20 }, { day: 3 * MONTH, n: 19 }] },
          { label: "Sensitivity", steps, dashed: true },
        ]}
      />,
    );
    const ticks = [...m.root.querySelectorAll(".x-tick")];
    expect(ticks.map((g) => g.getAttribute("data-month"))).toEqual(["0", "3", "6", "9", "12"]);
    const rows = [...m.root.querySelectorAll(".at-risk-row")];
    expect(rows.length).toBe(2);
    for (const row of rows) {
      const ns = [...row.querySelectorAll(".at-risk-n")];
      expect(ns.length).toBe(ticks.length);
      ns.forEach((n, i) => expect(n.getAttribute("x")).toBe(ticks[i].querySelector("text")!.getAttribute("x")));
    }
    expect([...rows[0].querySelectorAll(".at-risk-n")].map((n) => n.textContent)).toEqual(["20", "19", "6", "6", "0"]);
    expect(m.root.querySelectorAll(".km-censor").length).toBe(4);
    expect(m.root.querySelectorAll(".km-band").length).toBe(2);
    expect(m.root.querySelectorAll(".legend").length).toBe(2);
    expect(m.root.textContent).toContain("Number at risk");
  });

  it("draws dashed bounds instead of a band when asked", () => {
    m = mount(<KmPlot yLabel="PFS" ci="lines" curves={[{ label: "Primary", steps: small }]} />);
    expect(m.root.querySelectorAll(".km-band").length).toBe(0);
    expect(m.root.querySelectorAll(".km-ci").length).toBe(2);
    expect(m.root.querySelectorAll(".legend").length).toBe(0);
  });
});

describe("PK plot", () => {
  const series = [
    { subject: "S01-001", samples: [{ day: 0, value: null, blq: 50 }, { day: 1, value: 359, blq: null }, { day: 7, value: 21606, blq: null }, { day: 14, value: 77253, blq: null }, { day: 28, value: 10825, blq: null }] },
    { subject: "S01-002", samples: [{ day: 0, value: null, blq: 50 }, { day: 1.2, value: 120, blq: null }, { day: 6.8, value: 9000, blq: null }, { day: 14, value: 30000, blq: null }, { day: 27, value: null, blq: 50 }] },
    { subject: "S02-001", samples: [{ day: -1, value: null, blq: 50 }, { day: 1, value: 80, blq: null }, { day: 7, value: 15000, blq: null }, { day: 15, value: 50000, blq: null }, { day: 29, value: 2000, blq: null }] },
  ];

  it("assigns samples to nominal days", () => {
    expect([0, -1, 1.2, 6.8, 15, 27, 29, 61, 200].map(nominalOf)).toEqual([0, 0, 1, 7, 14, 28, 28, 61, 183]);
    expect(nominalOf(45)).toBe(null);
  });

  it("takes the median over subjects at each nominal day, BLQ at the LLOQ", () => {
    const med = pkMedian(series);
    expect(med.map((x) => x.day)).toEqual([0, 1, 7, 14, 28]);
    expect(med.find((x) => x.day === 7)!.value).toBe(15000);
    expect(med.find((x) => x.day === 28)!.value).toBe(2000);
  });

  it("labels every decade and marks BLQ samples", () => {
    m = mount(<PkPlot series={series} unit="copies/µg gDNA" maxDay={28} />);
    const majors = [...m.root.querySelectorAll(".y-tick")].map((g) => g.querySelector("text")!.textContent);
    expect(majors).toEqual(["10", "100", "10³", "10⁴", "10⁵"]);
    expect(m.root.querySelectorAll(".pk-blq").length).toBe(4 + 1); // + the legend's
    expect(m.root.querySelectorAll(".pk-subject").length).toBe(3);
    expect(m.root.querySelectorAll(".pk-median").length).toBe(2); // the line + the legend's
    expect(m.root.textContent).toContain("LLOQ 50");
    // The y positions decrease as the decades grow.
    const ys = [...m.root.querySelectorAll(".y-tick line")].map((l) => Number(l.getAttribute("y1")));
    expect([...ys].sort((a, b) => b - a)).toEqual(ys);
  });
});

describe("swimmer plot", () => {
  const lanes: SwimmerLane[] = [
    { subject: "S01-002", disease: "B-ALL", days: 176, died: false, responses: [{ day: 29, code: "NR" }], new_therapy_day: 42 },
    { subject: "S01-001", disease: "lymphoma", days: 371, died: false, responses: [{ day: 26, code: "CR" }, { day: 26, code: "CR" }, { day: 89, code: "CR" }], new_therapy_day: null },
    { subject: "S02-003", disease: "B-ALL", days: 68, died: true, responses: [{ day: 28, code: "CRI" }, { day: 60, code: "RELAPSE" }], new_therapy_day: null },
  ];

  it("maps response codes of both diseases to markers", () => {
    expect(["CR", "CMR", "CRI", "PR", "PMR", "NR", "SD", "PD", "RELAPSE", "NE"].map(markerOf)).toEqual(["cr", "cr", "cri", "pr", "pr", "sd", "sd", "pd", "pd", "other"]);
  });

  it("draws one lane per subject, longest first, with death, ongoing and new therapy marks", () => {
    m = mount(<SwimmerPlot lanes={lanes} codeLabel={(c) => `code ${c}`} />);
    const rows = [...m.root.querySelectorAll(".sw-lane")];
    expect(rows.map((r) => r.getAttribute("data-subject"))).toEqual(["S01-001", "S01-002", "S02-003"]);
    expect(rows[2].querySelector(".sw-death")).not.toBeNull();
    expect(rows[0].querySelector(".sw-ongoing")).not.toBeNull();
    expect(rows[1].querySelector(".sw-newtherapy")).not.toBeNull();
    // The same code on the same day is drawn once.
    expect(rows[0].querySelectorAll("[data-code]").length).toBe(2);
    const legend = [...m.root.querySelectorAll("[data-legend]")].map((g) => g.textContent);
    expect(legend).toContain("code CR");
    expect(legend).toContain("code CRI");
    expect(legend).toContain("code RELAPSE");
    expect(legend).toContain("Death");
  });
});
