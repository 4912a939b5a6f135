// Pure helpers of the SVG plots: linear and log scales, "nice" ticks, log decades, the
// Kaplan-Meier step path and its confidence band, medians. No DOM here, so all of it is
// unit-tested.

import type { KmStepView } from "../bindings/KmStepView";

/** Days in a month, as the services count landmarks and at-risk times (365.25 / 12). */
export const MONTH = 365.25 / 12;

export type Scale = ((v: number) => number) & { domain: [number, number]; range: [number, number] };

/** A linear map from [d0, d1] to [r0, r1]. */
export function linear(domain: [number, number], range: [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  const f = ((v: number) => r0 + (v - d0) * k) as Scale;
  f.domain = domain;
  f.range = range;
  return f;
}

/** A base-10 logarithmic map from [d0, d1] (both > 0) to [r0, r1]. */
export function log10Scale(domain: [number, number], range: [number, number]): Scale {
  const l = linear([Math.log10(domain[0]), Math.log10(domain[1])], range);
  const f = ((v: number) => l(Math.log10(Math.max(v, domain[0] / 1e6)))) as Scale;
  f.domain = domain;
  f.range = range;
  return f;
}

/** Round ticks (1, 2, 2.5 or 5 × 10^k apart) covering [0, max], about `count` of them. */
export function niceTicks(max: number, count = 6): number[] {
  if (!(max > 0)) return [0];
  const raw = max / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const out: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  if (out[out.length - 1] < max - step * 1e-9) out.push(Number((out[out.length - 1] + step).toPrecision(12)));
  return out;
}

/** Month ticks of a time axis: every 3 months (every 6 beyond two years, 1 under 6 months),
 * up to the first tick at or past `maxDays`. */
export function monthTicks(maxDays: number): number[] {
  const months = Math.max(maxDays / MONTH, 1);
  const step = months <= 6 ? 1 : months <= 27 ? 3 : 6;
  const end = Math.ceil(months / step - 1e-9) * step;
  const out: number[] = [];
  for (let m = 0; m <= end; m += step) out.push(m);
  return out;
}

/** The decades spanning [min, max] on a log axis: `[lo, hi]` exponents, with lo < hi. */
export function decades(min: number, max: number): [number, number] {
  // A minimum exactly on a power of ten (an LLOQ of 0.1) gets the decade below, so that what
  // sits there is not drawn on the axis.
  const lo = Math.floor(Math.log10(Math.max(min, 1e-12)) - 1e-9);
  let hi = Math.ceil(Math.log10(Math.max(max, 1e-12)) - 1e-9);
  if (hi <= lo) hi = lo + 1;
  return [lo, hi];
}

/** Ticks of a log axis: majors at each power of ten, minors at 2…9 × each power. */
export function logTicks(min: number, max: number): { major: number[]; minor: number[] } {
  const [lo, hi] = decades(min, max);
  const major: number[] = [];
  const minor: number[] = [];
  for (let k = lo; k <= hi; k++) {
    major.push(10 ** k);
    if (k < hi) for (let m = 2; m <= 9; m++) minor.push(m * 10 ** k);
  }
  return { major, minor };
}

const SUP: Record<string, string> = { "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹", "-": "⁻" };

/** A power of ten as people write it on a log axis: 1, 10, 100, then 10³, 10⁴…, 0.1, 10⁻². */
export function powerLabel(v: number): string {
  const k = Math.round(Math.log10(v));
  if (k >= 0 && k <= 2) return String(10 ** k);
  if (k === -1) return "0.1";
  return `10${String(k).replace(/./g, (c) => SUP[c] ?? c)}`;
}

/** A finite number or null (JSON may carry NaN as null). */
function fin(v: number | null | undefined): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** The Kaplan-Meier estimate as a step path: from (0, 1), flat until each time, then down to
 * the new survival; flat to `end` (the last time when not given). */
export function kmPath(steps: KmStepView[], x: (d: number) => number, y: (s: number) => number, end?: number): string {
  let d = `M${r(x(0))},${r(y(1))}`;
  let last = 1;
  let lastDay = 0;
  for (const s of steps) {
    if (s.survival !== last) {
      d += `H${r(x(s.day))}V${r(y(s.survival))}`;
      last = s.survival;
    }
    lastDay = s.day;
  }
  const stop = end ?? lastDay;
  if (stop > 0) d += `H${r(x(Math.max(stop, 0)))}`;
  return d;
}

/** The confidence band as a closed polygon: the upper bound's steps forwards, the lower
 * bound's backwards. Times where a bound is not defined keep the previous bound. */
export function kmBand(steps: KmStepView[], x: (d: number) => number, y: (s: number) => number, end?: number): string {
  const pts: Array<{ day: number; lo: number; hi: number }> = [{ day: 0, lo: 1, hi: 1 }];
  for (const s of steps) {
    const prev = pts[pts.length - 1];
    const lo = fin(s.lower) ?? prev.lo;
    const hi = fin(s.upper) ?? prev.hi;
    if (lo !== prev.lo || hi !== prev.hi) pts.push({ day: s.day, lo, hi });
  }
  const stop = Math.max(end ?? (steps.length ? steps[steps.length - 1].day : 0), pts[pts.length - 1].day);
  let top = "";
  for (let i = 0; i < pts.length; i++) {
    const next = i + 1 < pts.length ? pts[i + 1].day : stop;
    top += `${i === 0 ? "M" : "L"}${r(x(pts[i].day))},${r(y(pts[i].hi))}L${r(x(next))},${r(y(pts[i].hi))}`;
  }
  let bottom = "";
  for (let i = pts.length - 1; i >= 0; i--) {
    const next = i + 1 < pts.length ? pts[i + 1].day : stop;
    bottom += `L${r(x(next))},${r(y(pts[i].lo))}L${r(x(pts[i].day))},${r(y(pts[i].lo))}`;
  }
  return `${top}${bottom}Z`;
}

/** Where the censor marks go: each time with a censoring, at the survival then. */
export function censorMarks(steps: KmStepView[]): Array<{ day: number; survival: number; n: number }> {
  return steps.filter((s) => s.censored > 0).map((s) => ({ day: s.day, survival: s.survival, n: s.censored }));
}

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Two decimals are plenty for SVG coordinates. */
export function r(v: number): string {
  return String(Math.round(v * 100) / 100);
}
