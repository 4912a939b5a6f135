// CAR-T cellular kinetics plot (pure SVG).
//
//   <PkPlot series={PkSeries[]} unit="copies/µg gDNA" maxDay={28 | undefined} />
//
// Log-scale y axis with a labelled tick at every power of ten (minor ticks at 2…9), days since
// infusion on x. One thin line per subject, the median over subjects at each nominal sampling
// time as a bold line, samples below the limit of quantification drawn at their LLOQ with an
// open triangle, and the LLOQ as a dashed reference line.

import { useId } from "preact/hooks";
import type { PkSample } from "../bindings/PkSample";
import { t } from "../i18n";
import { linear, log10Scale, logTicks, median, niceTicks, powerLabel, r } from "./scale";

export type PkSeries = { subject: string; samples: PkSample[] };

/** Nominal sampling days (clinical-rules §4): pre-infusion, days 1-28, months 2, 3, 6, 12,
 * then every 6 months to 3 years. */
export const NOMINAL_DAYS = [0, 1, 4, 7, 11, 14, 21, 28, 61, 91, 183, 274, 365, 548, 730, 913, 1096];

/** The nominal day a sample belongs to, or null when it is an extra sample (e.g. during CRS). */
export function nominalOf(day: number): number | null {
  if (day <= 0.5) return 0;
  let best: number | null = null;
  for (const n of NOMINAL_DAYS) {
    const tol = Math.max(1, n * 0.15);
    if (Math.abs(day - n) <= tol && (best === null || Math.abs(day - n) < Math.abs(day - best))) best = n;
  }
  return best;
}

/** The value a sample is plotted at: its value, or its LLOQ when below it. */
export function plotted(s: PkSample): number | null {
  if (s.value !== null && s.value > 0) return s.value;
  if (s.blq !== null && s.blq > 0) return s.blq;
  return null;
}

/** The median profile: at each nominal day with samples of at least `minN` subjects, the median
 * of their plotted values (BLQ at the LLOQ), one sample per subject (the nearest). */
export function pkMedian(series: PkSeries[], minN = 3): Array<{ day: number; value: number; n: number }> {
  const byDay = new Map<number, number[]>();
  for (const s of series) {
    const nearest = new Map<number, { dist: number; v: number }>();
    for (const x of s.samples) {
      const n = nominalOf(x.day);
      const v = plotted(x);
      if (n === null || v === null) continue;
      const dist = Math.abs(x.day - n);
      const had = nearest.get(n);
      if (!had || dist < had.dist) nearest.set(n, { dist, v });
    }
    for (const [n, { v }] of nearest) byDay.set(n, [...(byDay.get(n) ?? []), v]);
  }
  return [...byDay.entries()]
    .filter(([, vs]) => vs.length >= minN)
    .sort(([a], [b]) => a - b)
    .map(([day, vs]) => ({ day, value: median(vs) as number, n: vs.length }));
}

export const PK = { width: 680, left: 76, right: 20, top: 14, plotH: 290, axisH: 42, legendH: 26 };

export function PkPlot(p: { series: PkSeries[]; unit: string; maxDay?: number; id?: string }) {
  const clip = `pk-clip-${useId().replace(/[^a-zA-Z0-9_-]/g, "")}`;
  const all = p.series.flatMap((s) => s.samples);
  const values = all.map(plotted).filter((v): v is number => v !== null);
  const maxData = Math.max(1, ...all.map((s) => s.day));
  const xTicks = niceTicks(p.maxDay ?? maxData, p.maxDay && p.maxDay <= 28 ? 7 : 8);
  const xMax = xTicks[xTicks.length - 1];
  const lo = values.length ? Math.min(...values) : 1;
  const hi = values.length ? Math.max(...values) : 10;
  const { major, minor } = logTicks(lo, hi);
  const { width, left, right, top, plotH, axisH, legendH } = PK;
  const x = linear([Math.min(0, ...all.map((s) => s.day)), xMax], [left, width - right]);
  const y = log10Scale([major[0], major[major.length - 1]], [top + plotH, top]);
  const lloqs = all.map((s) => s.blq).filter((v): v is number => v !== null);
  const lloq = lloqs.length ? median(lloqs) : null;
  const med = pkMedian(p.series);
  const line = (pts: Array<{ day: number; v: number }>) =>
    pts.map((q, i) => `${i ? "L" : "M"}${r(x(q.day))},${r(y(q.v))}`).join("");
  const height = top + plotH + axisH + legendH;
  const legendY = top + plotH + axisH + 12;
  return (
    <svg class="plot pk-plot" id={p.id} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={t("dm.plot.pk", { unit: p.unit })} xmlns="http://www.w3.org/2000/svg">
      <defs>
        <clipPath id={clip}>
          <rect x={left} y={top - 4} width={width - right - left + 4} height={plotH + 8} />
        </clipPath>
      </defs>
      {minor.map((v) => (
        <line key={`m${v}`} class="grid grid-minor" x1={left} x2={width - right} y1={r(y(v))} y2={r(y(v))} />
      ))}
      {major.map((v) => (
        <g key={`M${v}`} class="y-tick" data-value={v}>
          <line class="grid" x1={left} x2={width - right} y1={r(y(v))} y2={r(y(v))} />
          <text x={left - 6} y={r(y(v) + 4)} text-anchor="end" class="tick-label">
            {powerLabel(v)}
          </text>
        </g>
      ))}
      <text class="axis-title" transform={`translate(${left - 50},${r(top + plotH / 2)}) rotate(-90)`} text-anchor="middle">
        {p.unit}
      </text>
      <line x1={left} x2={width - right} y1={top + plotH} y2={top + plotH} class="axis" />
      {xTicks.map((d) => (
        <g key={d} class="x-tick">
          <line x1={r(x(d))} x2={r(x(d))} y1={top + plotH} y2={top + plotH + 5} class="axis" />
          <text x={r(x(d))} y={top + plotH + 17} text-anchor="middle" class="tick-label">
            {d}
          </text>
        </g>
      ))}
      <text x={r((left + width - right) / 2)} y={top + plotH + 34} text-anchor="middle" class="axis-title">
        {t("dm.plot.daysSinceInfusion")}
      </text>
      <g clip-path={`url(#${clip})`}>
        {lloq !== null && <line class="pk-lloq" x1={left} x2={width - right} y1={r(y(lloq))} y2={r(y(lloq))} />}
        {p.series.map((s) => {
          const pts = s.samples.map((q) => ({ day: q.day, v: plotted(q) })).filter((q): q is { day: number; v: number } => q.v !== null);
          return (
            <g key={s.subject} class="pk-subject" data-subject={s.subject}>
              <title>{s.subject}</title>
              <path d={line(pts)} class="pk-line" />
              {s.samples.map((q, i) =>
                q.value === null && q.blq !== null ? (
                  <path key={i} class="pk-blq" data-day={q.day} d={`M${r(x(q.day) - 3.5)},${r(y(q.blq) - 3)}h7l-3.5,6z`} />
                ) : q.value !== null && q.value > 0 ? (
                  <circle key={i} class="pk-point" cx={r(x(q.day))} cy={r(y(q.value))} r="1.8" />
                ) : null,
              )}
            </g>
          );
        })}
        {med.length > 1 && <path class="pk-median" d={line(med.map((m) => ({ day: m.day, v: m.value })))} />}
        {med.map((m) => (
          <circle key={m.day} class="pk-median-point" cx={r(x(m.day))} cy={r(y(m.value))} r="3">
            <title>{t("dm.plot.medianAt", { day: m.day, n: m.n })}</title>
          </circle>
        ))}
      </g>
      <g class="legend" transform={`translate(${left},${legendY})`}>
        <line x1={0} x2={22} y1={0} y2={0} class="pk-line" />
        <text x={28} y={4} class="legend-label">
          {t("dm.plot.eachSubject")}
        </text>
        <line x1={140} x2={162} y1={0} y2={0} class="pk-median" />
        <text x={168} y={4} class="legend-label">
          {t("dm.plot.median")}
        </text>
        <path class="pk-blq" d="M276.5,-3h7l-3.5,6z" />
        <text x={290} y={4} class="legend-label">
          {t("dm.plot.blqAtLloq")}
        </text>
        <line x1={470} x2={492} y1={0} y2={0} class="pk-lloq" />
        <text x={498} y={4} class="legend-label">
          {lloq !== null ? t("dm.plot.lloqValue", { v: lloq }) : t("dm.plot.lloq")}
        </text>
      </g>
    </svg>
  );
}
