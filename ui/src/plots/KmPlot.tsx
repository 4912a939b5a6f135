// Kaplan-Meier plot (pure SVG).
//
//   <KmPlot curves={KmCurve[]} yLabel="Overall survival" ci="band" | "lines" | "none" />
//
// Each curve: the estimate as a step function from (0, 100%), its log-log confidence band
// (shaded, or dashed bounds with ci="lines"), censor marks (short vertical ticks), and a row
// of numbers at risk under the plot, each number under its x tick (months). Several curves
// overlay (e.g. the primary and the sensitivity analysis) with a legend.

import type { AtRisk } from "../bindings/AtRisk";
import type { KmStepView } from "../bindings/KmStepView";
import { t } from "../i18n";
import { MONTH, censorMarks, kmBand, kmPath, linear, monthTicks, r } from "./scale";

export type KmCurve = {
  label: string;
  steps: KmStepView[];
  /** Numbers at risk the services computed (every 3 months); other ticks are counted from
   * the steps. */
  atRisk?: AtRisk[];
  color?: string;
  dashed?: boolean;
};

export const KM_COLORS = ["#1f5fbf", "#d55e00", "#009e73", "#7a4d9c"];

/** Geometry, exported for tests. */
export const KM = { width: 680, left: 96, right: 20, top: 14, plotH: 250, axisH: 40, rowH: 17 };

/** Subjects at risk at `day`: those whose time is `day` or later. */
export function atRiskAt(c: KmCurve, day: number): number {
  const given = c.atRisk?.find((a) => Math.abs(a.day - day) < 0.5);
  if (given) return given.n;
  const s = c.steps.find((x) => x.day >= day - 1e-9);
  return s ? s.at_risk : 0;
}

/** The last time of a curve (its last event or censoring). */
export function curveEnd(c: KmCurve): number {
  return c.steps.length ? c.steps[c.steps.length - 1].day : 0;
}

export function KmPlot(p: { curves: KmCurve[]; yLabel: string; ci?: "band" | "lines" | "none"; id?: string }) {
  const ci = p.ci ?? "band";
  const maxDay = Math.max(1, ...p.curves.map(curveEnd));
  const ticks = monthTicks(maxDay);
  const xMax = ticks[ticks.length - 1] * MONTH;
  const { width, left, right, top, plotH, axisH, rowH } = KM;
  const x = linear([0, xMax], [left, width - right]);
  const y = linear([0, 1], [top + plotH, top]);
  const tableTop = top + plotH + axisH;
  const height = tableTop + 18 + rowH * p.curves.length + 4;
  const legendRows = p.curves.length > 1 ? p.curves.length : 0;
  const keyRows = legendRows + (ci !== "none" ? 1 : 0);
  const color = (c: KmCurve, i: number) => c.color ?? KM_COLORS[i % KM_COLORS.length];
  return (
    <svg
      class="plot km-plot"
      id={p.id}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`${p.yLabel}: ${t("dm.plot.km")}`}
      xmlns="http://www.w3.org/2000/svg"
    >
      {/* grid and y axis */}
      {[0, 0.25, 0.5, 0.75, 1].map((v) => (
        <g key={v} class="y-tick">
          <line x1={left} x2={width - right} y1={r(y(v))} y2={r(y(v))} class={v === 0.5 ? "grid grid-half" : "grid"} />
          <text x={left - 6} y={r(y(v) + 4)} text-anchor="end" class="tick-label">
            {`${v * 100}%`}
          </text>
        </g>
      ))}
      <text class="axis-title" transform={`translate(${left - 44},${r(top + plotH / 2)}) rotate(-90)`} text-anchor="middle">
        {p.yLabel}
      </text>
      {/* x axis */}
      <line x1={left} x2={width - right} y1={top + plotH} y2={top + plotH} class="axis" />
      {ticks.map((m) => (
        <g key={m} class="x-tick" data-month={m}>
          <line x1={r(x(m * MONTH))} x2={r(x(m * MONTH))} y1={top + plotH} y2={top + plotH + 5} class="axis" />
          <text x={r(x(m * MONTH))} y={top + plotH + 17} text-anchor="middle" class="tick-label">
            {m}
          </text>
        </g>
      ))}
      <text x={r((left + width - right) / 2)} y={top + plotH + 34} text-anchor="middle" class="axis-title">
        {t("dm.plot.monthsSinceInfusion")}
      </text>
      {/* curves */}
      {p.curves.map((c, i) => {
        const end = curveEnd(c);
        return (
          <g key={c.label} class="km-curve" data-curve={c.label} style={{ color: color(c, i) }}>
            {ci === "band" && <path class="km-band" d={kmBand(c.steps, x, y, end)} fill="currentColor" fill-opacity="0.13" stroke="none" />}
            {ci === "lines" && (
              <>
                <path class="km-ci" d={kmPath(c.steps.map((s) => ({ ...s, survival: s.upper })), x, y, end)} fill="none" stroke="currentColor" stroke-width="1" stroke-dasharray="3 3" />
                <path class="km-ci" d={kmPath(c.steps.map((s) => ({ ...s, survival: s.lower })), x, y, end)} fill="none" stroke="currentColor" stroke-width="1" stroke-dasharray="3 3" />
              </>
            )}
            <path class="km-line" d={kmPath(c.steps, x, y, end)} fill="none" stroke="currentColor" stroke-width="2" stroke-dasharray={c.dashed ? "7 4" : undefined} />
            {censorMarks(c.steps).map((m) => (
              <line
                key={m.day}
                class="km-censor"
                x1={r(x(m.day))}
                x2={r(x(m.day))}
                y1={r(y(m.survival) - 5)}
                y2={r(y(m.survival) + 5)}
                stroke="currentColor"
                stroke-width="1.5"
              >
                <title>{t("dm.plot.censored", { n: m.n, day: Math.round(m.day) })}</title>
              </line>
            ))}
          </g>
        );
      })}
      {/* legend and note, bottom left: where survival curves never are */}
      <g class="km-key" transform={`translate(${left + 12},${top + plotH - 14 - 16 * (keyRows - 1)})`}>
        {p.curves.length > 1 &&
          p.curves.map((c, i) => (
            <g key={c.label} class="legend" transform={`translate(0,${i * 16})`}>
              <line x1={0} x2={22} y1={0} y2={0} stroke={color(c, i)} stroke-width="2" stroke-dasharray={c.dashed ? "7 4" : undefined} />
              <text x={28} y={4} class="legend-label">
                {c.label}
              </text>
            </g>
          ))}
        {ci !== "none" && (
          <text x={0} y={16 * legendRows + 4} class="note">
            {t("dm.plot.kmNote")}
          </text>
        )}
      </g>
      {/* numbers at risk */}
      <text x={8} y={tableTop + 10} class="table-title">
        {t("dm.plot.atRisk")}
      </text>
      {p.curves.map((c, i) => (
        <g key={c.label} class="at-risk-row" data-curve={c.label}>
          <text x={8} y={tableTop + 10 + rowH * (i + 1)} class="at-risk-label" fill={color(c, i)}>
            {c.label}
          </text>
          {ticks.map((m) => (
            <text key={m} x={r(x(m * MONTH))} y={tableTop + 10 + rowH * (i + 1)} text-anchor="middle" class="at-risk-n" data-month={m}>
              {atRiskAt(c, m * MONTH)}
            </text>
          ))}
        </g>
      ))}
    </svg>
  );
}
