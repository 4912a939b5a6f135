// Swimmer plot (pure SVG).
//
//   <SwimmerPlot lanes={SwimmerLane[]} codeLabel={(code) => words} />
//
// One lane per infused subject, longest follow-up on top, its bar from infusion to the end of
// follow-up (months; the bar's colour is the disease). Response assessments are markers by
// code (complete response, CRi, partial, stable/no response, progression or relapse), with a
// legend of the codes present; an arrow at the end of the bar means alive and followed, a cross
// means death; a purple triangle marks the start of new anticancer therapy or HSCT.

import type { SwimmerLane } from "../bindings/SwimmerLane";
import { t } from "../i18n";
import { MONTH, linear, monthTicks, r } from "./scale";

export type MarkerKind = "cr" | "cri" | "pr" | "sd" | "pd" | "other";

/** The marker a response code is drawn with (B-ALL and Lugano codes alike). */
export function markerOf(code: string): MarkerKind {
  switch (code.toUpperCase()) {
    case "CR":
    case "CMR":
      return "cr";
    case "CRI":
    case "MLFS":
      return "cri";
    case "PR":
    case "PMR":
      return "pr";
    case "SD":
    case "NR":
    case "NMR":
      return "sd";
    case "PD":
    case "PMD":
    case "RELAPSE":
      return "pd";
    default:
      return "other";
  }
}

export const MARKER_COLORS: Record<MarkerKind, string> = {
  cr: "#009e73",
  cri: "#56b4e9",
  pr: "#e69f00",
  sd: "#8a8f98",
  pd: "#c0392b",
  other: "#57606a",
};

const DISEASE_COLORS: Record<string, string> = { "B-ALL": "#c9d7ec", lymphoma: "#e3d6ea" };

function Marker(p: { kind: MarkerKind; cx: number; cy: number }) {
  const { cx, cy } = p;
  const fill = MARKER_COLORS[p.kind];
  const common = { class: `sw-mark sw-${p.kind}`, fill, stroke: "#fff", "stroke-width": 0.8 };
  switch (p.kind) {
    case "cr":
    case "cri":
    case "other":
      return <circle {...common} cx={r(cx)} cy={r(cy)} r={p.kind === "other" ? 3 : 4.2} />;
    case "pr":
      return <path {...common} d={`M${r(cx)},${r(cy - 5)}l4.6,8.4h-9.2z`} />;
    case "sd":
      return <rect {...common} x={r(cx - 3.8)} y={r(cy - 3.8)} width="7.6" height="7.6" />;
    case "pd":
      return <path {...common} d={`M${r(cx)},${r(cy - 5.4)}l5.4,5.4l-5.4,5.4l-5.4,-5.4z`} />;
  }
}

export const SW = { width: 680, left: 72, right: 28, top: 10, row: 17, axisH: 40, legendRow: 18 };

export function SwimmerPlot(p: { lanes: SwimmerLane[]; codeLabel: (code: string) => string; diseaseLabel?: (d: string) => string; id?: string }) {
  const lanes = [...p.lanes].sort((a, b) => b.days - a.days || a.subject.localeCompare(b.subject));
  const maxDay = Math.max(1, ...lanes.map((l) => Math.max(l.days, l.new_therapy_day ?? 0)));
  const ticks = monthTicks(maxDay);
  const { width, left, right, top, row, axisH, legendRow } = SW;
  const x = linear([0, ticks[ticks.length - 1] * MONTH], [left, width - right]);
  const plotH = Math.max(1, lanes.length) * row;
  const codes = new Map<MarkerKind, string[]>();
  for (const l of lanes)
    for (const m of l.responses) {
      const k = markerOf(m.code);
      const have = codes.get(k) ?? [];
      if (!have.includes(m.code)) codes.set(k, [...have, m.code]);
    }
  const diseases = [...new Set(lanes.map((l) => l.disease))];
  const order: MarkerKind[] = ["cr", "cri", "pr", "sd", "pd", "other"];
  type Item = { key: string; label: string; draw: (cx: number, cy: number) => preact.JSX.Element };
  const items: Item[] = [
    ...diseases.map((d) => ({
      key: `d-${d}`,
      label: p.diseaseLabel ? p.diseaseLabel(d) : d,
      draw: (cx: number, cy: number) => <rect x={cx - 9} y={cy - 4.5} width="18" height="9" fill={DISEASE_COLORS[d] ?? "#dde3ea"} />,
    })),
    ...order
      .filter((k) => codes.has(k))
      .map((k) => ({
        key: `m-${k}`,
        label: (codes.get(k) ?? []).map(p.codeLabel).join(" / "),
        draw: (cx: number, cy: number) => <Marker kind={k} cx={cx} cy={cy} />,
      })),
    { key: "nt", label: t("dm.plot.newTherapy"), draw: (cx: number, cy: number) => <path class="sw-newtherapy" d={`M${cx - 5},${cy - 5}h10l-5,9z`} /> },
    { key: "death", label: t("dm.plot.death"), draw: (cx: number, cy: number) => <path class="sw-death" d={`M${cx - 4},${cy - 4}l8,8M${cx + 4},${cy - 4}l-8,8`} /> },
    { key: "ongoing", label: t("dm.plot.ongoing"), draw: (cx: number, cy: number) => <path class="sw-ongoing" d={`M${cx - 7},${cy}h10M${cx},${cy - 4}l4,4l-4,4`} /> },
  ];
  // The legend wraps into rows of three.
  const perRow = 3;
  const colW = (width - left - right) / perRow;
  const legendTop = top + plotH + axisH + 8;
  const height = legendTop + Math.ceil(items.length / perRow) * legendRow + 6;
  return (
    <svg class="plot swimmer-plot" id={p.id} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={t("dm.plot.swimmer")} xmlns="http://www.w3.org/2000/svg">
      {ticks.map((m) => (
        <g key={m} class="x-tick">
          <line class="grid" x1={r(x(m * MONTH))} x2={r(x(m * MONTH))} y1={top} y2={top + plotH} />
          <line class="axis" x1={r(x(m * MONTH))} x2={r(x(m * MONTH))} y1={top + plotH} y2={top + plotH + 5} />
          <text x={r(x(m * MONTH))} y={top + plotH + 17} text-anchor="middle" class="tick-label">
            {m}
          </text>
        </g>
      ))}
      <line class="axis" x1={left} x2={width - right} y1={top + plotH} y2={top + plotH} />
      <text x={r((left + width - right) / 2)} y={top + plotH + 34} text-anchor="middle" class="axis-title">
        {t("dm.plot.monthsSinceInfusion")}
      </text>
      {lanes.map((l, i) => {
        const cy = top + row * i + row / 2;
        const end = x(l.days);
        const seen = new Set<string>();
        return (
          <g key={l.subject} class="sw-lane" data-subject={l.subject} data-died={l.died ? "true" : "false"}>
            <text x={left - 8} y={r(cy + 4)} text-anchor="end" class="tick-label sw-subject">
              {l.subject}
            </text>
            <rect x={left} y={r(cy - 5)} width={r(Math.max(end - left, 1))} height="10" fill={DISEASE_COLORS[l.disease] ?? "#dde3ea"} />
            {l.new_therapy_day !== null && (
              <path class="sw-newtherapy" d={`M${r(x(l.new_therapy_day) - 5)},${r(cy - 8)}h10l-5,8z`}>
                <title>{t("dm.plot.newTherapyAt", { day: Math.round(l.new_therapy_day) })}</title>
              </path>
            )}
            {l.responses.map((m) => {
              const k = `${m.code}@${Math.round(m.day)}`;
              if (seen.has(k)) return null;
              seen.add(k);
              return (
                <g key={k} data-code={m.code}>
                  <title>{`${p.codeLabel(m.code)} · ${t("dm.plot.dayN", { day: Math.round(m.day) })}`}</title>
                  <Marker kind={markerOf(m.code)} cx={x(m.day)} cy={cy} />
                </g>
              );
            })}
            {l.died ? (
              <path class="sw-death" d={`M${r(end + 3)},${r(cy - 4)}l8,8M${r(end + 11)},${r(cy - 4)}l-8,8`} />
            ) : (
              <path class="sw-ongoing" d={`M${r(end + 1)},${r(cy)}h10M${r(end + 8)},${r(cy - 4)}l4,4l-4,4`} />
            )}
          </g>
        );
      })}
      {items.map((it, i) => {
        const cx = left + (i % perRow) * colW + 10;
        const cy = legendTop + Math.floor(i / perRow) * legendRow + 6;
        return (
          <g key={it.key} class="legend" data-legend={it.key}>
            {it.draw(cx, cy)}
            <text x={cx + 16} y={cy + 4} class="legend-label">
              {it.label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
