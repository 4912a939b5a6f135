//! Vector plots drawn with PDF path operators: Kaplan-Meier curves (step functions, the log-log
//! confidence band, censor marks, numbers at risk under the x ticks), PK curves (log-scale y
//! axis with a labelled tick at every power of ten, a thin line per subject, the median over
//! subjects at each nominal day, BLQ samples at their LLOQ with an open triangle) and swimmer
//! plots (a lane per subject, response markers, death and ongoing marks, new therapy).
//!
//! The plots draw through a [`Painter`] (the document supplies text and the content stream);
//! the geometry (ticks, step paths, medians) is pure and unit-tested.

use std::fmt::Write as _;

/// Days in a month (365.25 / 12), as the services count landmarks and at-risk times.
pub const MONTH: f64 = 365.25 / 12.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgb(pub f32, pub f32, pub f32);

impl Rgb {
    pub const BLACK: Rgb = Rgb(0.0, 0.0, 0.0);
    pub const GREY: Rgb = Rgb(0.35, 0.38, 0.42);
    pub const LIGHT: Rgb = Rgb(0.85, 0.87, 0.9);
    pub const BLUE: Rgb = Rgb(0.12, 0.37, 0.75);
    pub const ORANGE: Rgb = Rgb(0.84, 0.37, 0.0);
    fn fill(self) -> String {
        format!("{:.3} {:.3} {:.3} rg", self.0, self.1, self.2)
    }
    fn stroke(self) -> String {
        format!("{:.3} {:.3} {:.3} RG", self.0, self.1, self.2)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// What a plot draws with: raw operators and text.
pub trait Painter {
    /// Appends content-stream operators (one or more lines).
    fn op(&mut self, ops: &str);
    /// Text with its baseline at `y`; `vertical` turns it 90° counter-clockwise around (x, y).
    #[allow(clippy::too_many_arguments)]
    fn text(
        &mut self,
        x: f32,
        y: f32,
        size: f32,
        s: &str,
        align: Align,
        color: Rgb,
        vertical: bool,
    );
    fn text_width(&self, s: &str, size: f32) -> f32;
}

/// A rectangle in PDF points: left, bottom, width, height.
#[derive(Debug, Clone, Copy)]
pub struct Area {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

/// A linear map.
#[derive(Debug, Clone, Copy)]
struct Lin {
    d0: f64,
    d1: f64,
    r0: f32,
    r1: f32,
}

impl Lin {
    fn at(&self, v: f64) -> f32 {
        if self.d1 == self.d0 {
            return self.r0;
        }
        self.r0 + ((v - self.d0) / (self.d1 - self.d0)) as f32 * (self.r1 - self.r0)
    }
}

/// Month ticks of a time axis: every 3 months (1 under 6 months, 6 past 27), up to the first
/// tick at or past `max_days`.
pub fn month_ticks(max_days: f64) -> Vec<u32> {
    let months = (max_days / MONTH).max(1.0);
    let step = if months <= 6.0 {
        1
    } else if months <= 27.0 {
        3
    } else {
        6
    };
    let end = ((months / step as f64) - 1e-9).ceil() as u32 * step;
    (0..=end).step_by(step as usize).collect()
}

/// Round ticks covering [0, max].
pub fn nice_ticks(max: f64, count: usize) -> Vec<f64> {
    if max.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return vec![0.0];
    }
    let raw = max / count.max(1) as f64;
    let p = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * p);
    let mut out = Vec::new();
    let mut v = 0.0;
    while v <= max + step * 1e-9 {
        out.push(v);
        v += step;
    }
    if out.last().is_some_and(|l| *l < max - step * 1e-9) {
        out.push(out.last().copied().unwrap_or(0.0) + step);
    }
    out
}

/// The decades spanning [min, max]: exponents `lo < hi`.
pub fn decades(min: f64, max: f64) -> (i32, i32) {
    // A minimum exactly on a power of ten (an LLOQ of 0.1) gets the decade below, so that what
    // sits there is not drawn on the axis.
    let lo = (min.max(1e-12).log10() - 1e-9).floor() as i32;
    let mut hi = (max.max(1e-12).log10() - 1e-9).ceil() as i32;
    if hi <= lo {
        hi = lo + 1;
    }
    (lo, hi)
}

/// A power of ten as written on a log axis: 1, 10, 100, then 10^k with the exponent raised.
pub fn power_label(k: i32) -> (String, Option<String>) {
    match k {
        0 => ("1".into(), None),
        1 => ("10".into(), None),
        2 => ("100".into(), None),
        -1 => ("0.1".into(), None),
        _ => ("10".into(), Some(k.to_string())),
    }
}

/// One row of a Kaplan-Meier table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KmStep {
    pub day: f64,
    pub at_risk: u64,
    pub events: u64,
    pub censored: u64,
    pub survival: f64,
    pub lower: f64,
    pub upper: f64,
}

/// The estimate as the corners of a step function from (0, 1) to `end`.
pub fn km_corners(steps: &[KmStep], end: f64, value: impl Fn(&KmStep) -> f64) -> Vec<(f64, f64)> {
    let mut pts = vec![(0.0, 1.0)];
    let mut last = 1.0;
    for s in steps {
        let v = value(s);
        let v = if v.is_finite() { v } else { last };
        if v != last {
            pts.push((s.day, last));
            pts.push((s.day, v));
            last = v;
        }
    }
    if end > 0.0 {
        pts.push((end, last));
    }
    pts
}

/// Subjects at risk at `day`: those whose time is `day` or later.
pub fn at_risk_at(steps: &[KmStep], given: &[(f64, u64)], day: f64) -> u64 {
    if let Some((_, n)) = given.iter().find(|(d, _)| (d - day).abs() < 0.5) {
        return *n;
    }
    steps
        .iter()
        .find(|s| s.day >= day - 1e-9)
        .map_or(0, |s| s.at_risk)
}

#[derive(Debug, Clone)]
pub struct KmCurve {
    pub label: String,
    pub steps: Vec<KmStep>,
    /// Numbers at risk the services computed (day, n).
    pub at_risk: Vec<(f64, u64)>,
    pub color: Rgb,
    pub dashed: bool,
    /// Draw the confidence band.
    pub band: bool,
}

#[derive(Debug, Clone)]
pub struct KmPlot {
    pub y_label: String,
    pub x_label: String,
    pub at_risk_label: String,
    /// e.g. "Shaded: 95% CI (log-log) · | censored".
    pub note: String,
    pub curves: Vec<KmCurve>,
}

const TICK: f32 = 7.0;
const LABEL: f32 = 7.5;

fn fmt(v: f32) -> String {
    format!("{v:.2}")
}

fn polyline(pts: &[(f32, f32)]) -> String {
    let mut s = String::new();
    for (i, (x, y)) in pts.iter().enumerate() {
        let _ = write!(
            s,
            "{} {} {} ",
            fmt(*x),
            fmt(*y),
            if i == 0 { "m" } else { "l" }
        );
    }
    s
}

/// Height a Kaplan-Meier plot of `curves` curves takes for a plot area `plot_h` high.
pub fn km_height(plot_h: f32, curves: usize) -> f32 {
    plot_h + 30.0 + 14.0 + 11.0 * curves as f32 + 4.0
}

/// Draws a Kaplan-Meier plot in `area` (plot, axis, then the numbers at risk at the bottom).
pub fn km(p: &mut impl Painter, area: Area, plot: &KmPlot) {
    // Room on the left for the y labels and the at-risk rows' names.
    let names = plot
        .curves
        .iter()
        .map(|c| p.text_width(&c.label, TICK))
        .fold(0.0f32, f32::max);
    let left = area.x + (names + 14.0).max(62.0);
    let right = area.x + area.w - 10.0;
    let rows = plot.curves.len() as f32;
    let table_h = 14.0 + 11.0 * rows;
    let bottom = area.y + table_h + 30.0;
    let top = area.y + area.h - 4.0;
    let max_day = plot
        .curves
        .iter()
        .filter_map(|c| c.steps.last().map(|s| s.day))
        .fold(1.0f64, f64::max);
    let ticks = month_ticks(max_day);
    let x_max = *ticks.last().unwrap_or(&1) as f64 * MONTH;
    let x = Lin {
        d0: 0.0,
        d1: x_max,
        r0: left,
        r1: right,
    };
    let y = Lin {
        d0: 0.0,
        d1: 1.0,
        r0: bottom,
        r1: top,
    };
    // Grid and y axis.
    for v in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let yy = y.at(v);
        let dash = if v == 0.5 { "[2 2] 0 d" } else { "[] 0 d" };
        p.op(&format!(
            "q {} 0.4 w {dash} {} {} m {} {} l S Q",
            Rgb::LIGHT.stroke(),
            fmt(left),
            fmt(yy),
            fmt(right),
            fmt(yy)
        ));
        p.text(
            left - 4.0,
            yy - 2.5,
            TICK,
            &format!("{}%", (v * 100.0) as u32),
            Align::Right,
            Rgb::GREY,
            false,
        );
    }
    p.text(
        area.x + 12.0,
        (bottom + top) / 2.0,
        LABEL,
        &plot.y_label,
        Align::Center,
        Rgb::BLACK,
        true,
    );
    p.op(&format!(
        "q {} 0.6 w {} {} m {} {} l S Q",
        Rgb::GREY.stroke(),
        fmt(left),
        fmt(bottom),
        fmt(right),
        fmt(bottom)
    ));
    for m in &ticks {
        let xx = x.at(*m as f64 * MONTH);
        p.op(&format!(
            "q {} 0.6 w {} {} m {} {} l S Q",
            Rgb::GREY.stroke(),
            fmt(xx),
            fmt(bottom),
            fmt(xx),
            fmt(bottom - 3.0)
        ));
        p.text(
            xx,
            bottom - 11.0,
            TICK,
            &m.to_string(),
            Align::Center,
            Rgb::GREY,
            false,
        );
    }
    p.text(
        (left + right) / 2.0,
        bottom - 22.0,
        LABEL,
        &plot.x_label,
        Align::Center,
        Rgb::BLACK,
        false,
    );
    // Bands first (semi-transparent), then the curves and their censor marks.
    for c in plot.curves.iter().filter(|c| c.band) {
        let end = c.steps.last().map_or(0.0, |s| s.day);
        let hi = km_corners(&c.steps, end, |s| s.upper);
        let lo = km_corners(&c.steps, end, |s| s.lower);
        let mut pts: Vec<(f32, f32)> = hi.iter().map(|(d, v)| (x.at(*d), y.at(*v))).collect();
        pts.extend(lo.iter().rev().map(|(d, v)| (x.at(*d), y.at(*v))));
        p.op(&format!(
            "q /GSband gs {} {}h f Q",
            c.color.fill(),
            polyline(&pts)
        ));
    }
    for c in &plot.curves {
        let end = c.steps.last().map_or(0.0, |s| s.day);
        let pts: Vec<(f32, f32)> = km_corners(&c.steps, end, |s| s.survival)
            .iter()
            .map(|(d, v)| (x.at(*d), y.at(*v)))
            .collect();
        let dash = if c.dashed { "[4 2.5] 0 d" } else { "[] 0 d" };
        p.op(&format!(
            "q {} 1.3 w {dash} {}S Q",
            c.color.stroke(),
            polyline(&pts)
        ));
        let mut marks = String::new();
        for s in c.steps.iter().filter(|s| s.censored > 0) {
            let (xx, yy) = (x.at(s.day), y.at(s.survival));
            let _ = write!(
                marks,
                "{} {} m {} {} l ",
                fmt(xx),
                fmt(yy - 3.0),
                fmt(xx),
                fmt(yy + 3.0)
            );
        }
        if !marks.is_empty() {
            p.op(&format!("q {} 0.8 w {marks}S Q", c.color.stroke()));
        }
    }
    // Key, bottom left of the plot: where survival curves never are; on white over the bands.
    let key_rows = usize::from(!plot.note.is_empty())
        + if plot.curves.len() > 1 {
            plot.curves.len()
        } else {
            0
        };
    if key_rows > 0 {
        let kw = plot
            .curves
            .iter()
            .map(|c| 28.0 + p.text_width(&c.label, 7.0))
            .chain(std::iter::once(p.text_width(&plot.note, 6.5)))
            .fold(0.0f32, f32::max);
        p.op(&format!(
            "q 1 g {} {} {} {} re f Q",
            fmt(left + 4.0),
            fmt(bottom + 4.0),
            fmt(kw + 8.0),
            fmt(10.0 * key_rows as f32 + 2.0)
        ));
    }
    let mut ky = bottom + 8.0;
    if !plot.note.is_empty() {
        p.text(
            left + 8.0,
            ky,
            6.5,
            &plot.note,
            Align::Left,
            Rgb::GREY,
            false,
        );
        ky += 10.0;
    }
    if plot.curves.len() > 1 {
        for c in plot.curves.iter().rev() {
            let dash = if c.dashed { "[4 2.5] 0 d" } else { "[] 0 d" };
            p.op(&format!(
                "q {} 1.3 w {dash} {} {} m {} {} l S Q",
                c.color.stroke(),
                fmt(left + 8.0),
                fmt(ky + 2.5),
                fmt(left + 24.0),
                fmt(ky + 2.5)
            ));
            p.text(
                left + 28.0,
                ky,
                7.0,
                &c.label,
                Align::Left,
                Rgb::BLACK,
                false,
            );
            ky += 10.0;
        }
    }
    // Numbers at risk, each under its tick.
    let mut ty = area.y + table_h - 8.0;
    p.text(
        area.x,
        ty,
        LABEL,
        &plot.at_risk_label,
        Align::Left,
        Rgb::BLACK,
        false,
    );
    for c in &plot.curves {
        ty -= 11.0;
        p.text(area.x, ty, TICK, &c.label, Align::Left, c.color, false);
        for m in &ticks {
            let d = *m as f64 * MONTH;
            let n = at_risk_at(&c.steps, &c.at_risk, d);
            p.text(
                x.at(d),
                ty,
                TICK,
                &n.to_string(),
                Align::Center,
                Rgb::BLACK,
                false,
            );
        }
    }
}

/// One PK sample: day, value, or BLQ with its LLOQ.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PkPoint {
    pub day: f64,
    pub value: Option<f64>,
    pub blq: Option<f64>,
}

impl PkPoint {
    /// The value it is drawn at: its value, or its LLOQ when below it.
    pub fn plotted(&self) -> Option<f64> {
        match (self.value, self.blq) {
            (Some(v), _) if v > 0.0 => Some(v),
            (_, Some(l)) if l > 0.0 => Some(l),
            _ => None,
        }
    }
}

/// Nominal sampling days (clinical-rules §4).
pub const NOMINAL_DAYS: [f64; 17] = [
    0.0, 1.0, 4.0, 7.0, 11.0, 14.0, 21.0, 28.0, 61.0, 91.0, 183.0, 274.0, 365.0, 548.0, 730.0,
    913.0, 1096.0,
];

/// The nominal day of a sample, or none for an extra sample.
pub fn nominal_of(day: f64) -> Option<f64> {
    if day <= 0.5 {
        return Some(0.0);
    }
    NOMINAL_DAYS
        .iter()
        .copied()
        .filter(|n| (day - n).abs() <= (n * 0.15).max(1.0))
        .min_by(|a, b| (day - a).abs().total_cmp(&(day - b).abs()))
}

fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    })
}

/// The median profile over subjects at each nominal day with at least `min_n` subjects (one
/// sample per subject, the nearest; BLQ at the LLOQ).
pub fn pk_median(series: &[Vec<PkPoint>], min_n: usize) -> Vec<(f64, f64, usize)> {
    let mut by_day: Vec<(f64, Vec<f64>)> = Vec::new();
    for s in series {
        let mut nearest: Vec<(f64, f64, f64)> = Vec::new();
        for p in s {
            let (Some(n), Some(v)) = (nominal_of(p.day), p.plotted()) else {
                continue;
            };
            let dist = (p.day - n).abs();
            match nearest.iter_mut().find(|e| e.0 == n) {
                Some(e) if dist < e.1 => *e = (n, dist, v),
                Some(_) => {}
                None => nearest.push((n, dist, v)),
            }
        }
        for (n, _, v) in nearest {
            match by_day.iter_mut().find(|e| e.0 == n) {
                Some(e) => e.1.push(v),
                None => by_day.push((n, vec![v])),
            }
        }
    }
    by_day.sort_by(|a, b| a.0.total_cmp(&b.0));
    by_day
        .into_iter()
        .filter(|(_, v)| v.len() >= min_n)
        .filter_map(|(d, mut v)| {
            let n = v.len();
            median(&mut v).map(|m| (d, m, n))
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct PkPlot {
    pub series: Vec<Vec<PkPoint>>,
    pub y_label: String,
    pub x_label: String,
    /// Only days up to this (None: all).
    pub max_day: Option<f64>,
    pub each_label: String,
    pub median_label: String,
    pub blq_label: String,
    pub lloq_label: String,
}

const SUBJECT: Rgb = Rgb(0.36, 0.5, 0.7);
const MEDIAN: Rgb = Rgb(0.04, 0.15, 0.27);
const BLQ: Rgb = Rgb(0.7, 0.37, 0.02);

fn triangle(x: f32, y: f32) -> String {
    format!(
        "{} {} m {} {} l {} {} l h",
        fmt(x - 2.5),
        fmt(y + 2.2),
        fmt(x + 2.5),
        fmt(y + 2.2),
        fmt(x),
        fmt(y - 2.2)
    )
}

/// Draws PK curves in `area`: the plot, the x axis, and a legend line at the bottom.
pub fn pk(p: &mut impl Painter, area: Area, plot: &PkPlot) {
    let left = area.x + 58.0;
    let right = area.x + area.w - 10.0;
    let bottom = area.y + 44.0;
    let top = area.y + area.h - 6.0;
    let all: Vec<&PkPoint> = plot.series.iter().flatten().collect();
    let values: Vec<f64> = all.iter().filter_map(|s| s.plotted()).collect();
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(0.0f64, f64::max);
    let (lo, hi) = if values.is_empty() {
        (1.0, 10.0)
    } else {
        (lo, hi)
    };
    let (k0, k1) = decades(lo, hi);
    let data_max = all.iter().map(|s| s.day).fold(1.0f64, f64::max);
    let xt = nice_ticks(plot.max_day.unwrap_or(data_max), 7);
    let x_min = all.iter().map(|s| s.day).fold(0.0f64, f64::min);
    let x = Lin {
        d0: x_min,
        d1: *xt.last().unwrap_or(&1.0),
        r0: left,
        r1: right,
    };
    let y = Lin {
        d0: k0 as f64,
        d1: k1 as f64,
        r0: bottom,
        r1: top,
    };
    let yv = |v: f64| y.at(v.max(1e-12).log10());
    for k in k0..=k1 {
        let base = 10f64.powi(k);
        if k < k1 {
            for m in 2..=9 {
                let yy = yv(base * m as f64);
                p.op(&format!(
                    "q 0.93 G 0.3 w {} {} m {} {} l S Q",
                    fmt(left),
                    fmt(yy),
                    fmt(right),
                    fmt(yy)
                ));
            }
        }
        let yy = yv(base);
        p.op(&format!(
            "q {} 0.5 w {} {} m {} {} l S Q",
            Rgb::LIGHT.stroke(),
            fmt(left),
            fmt(yy),
            fmt(right),
            fmt(yy)
        ));
        let (b, e) = power_label(k);
        match e {
            None => p.text(
                left - 4.0,
                yy - 2.5,
                TICK,
                &b,
                Align::Right,
                Rgb::GREY,
                false,
            ),
            Some(e) => {
                let ew = p.text_width(&e, TICK * 0.7);
                p.text(
                    left - 4.0 - ew,
                    yy - 2.5,
                    TICK,
                    &b,
                    Align::Right,
                    Rgb::GREY,
                    false,
                );
                p.text(
                    left - 4.0,
                    yy + 0.5,
                    TICK * 0.7,
                    &e,
                    Align::Right,
                    Rgb::GREY,
                    false,
                );
            }
        }
    }
    p.text(
        area.x + 12.0,
        (bottom + top) / 2.0,
        LABEL,
        &plot.y_label,
        Align::Center,
        Rgb::BLACK,
        true,
    );
    p.op(&format!(
        "q {} 0.6 w {} {} m {} {} l S Q",
        Rgb::GREY.stroke(),
        fmt(left),
        fmt(bottom),
        fmt(right),
        fmt(bottom)
    ));
    for d in &xt {
        let xx = x.at(*d);
        p.op(&format!(
            "q {} 0.6 w {} {} m {} {} l S Q",
            Rgb::GREY.stroke(),
            fmt(xx),
            fmt(bottom),
            fmt(xx),
            fmt(bottom - 3.0)
        ));
        p.text(
            xx,
            bottom - 11.0,
            TICK,
            &format!("{d}"),
            Align::Center,
            Rgb::GREY,
            false,
        );
    }
    p.text(
        (left + right) / 2.0,
        bottom - 22.0,
        LABEL,
        &plot.x_label,
        Align::Center,
        Rgb::BLACK,
        false,
    );
    // Clip to the plot area.
    p.op(&format!(
        "q {} {} {} {} re W n",
        fmt(left),
        fmt(bottom - 3.0),
        fmt(right - left + 3.0),
        fmt(top - bottom + 6.0)
    ));
    let mut lloqs: Vec<f64> = all.iter().filter_map(|s| s.blq).collect();
    let lloq = median(&mut lloqs);
    if let Some(l) = lloq {
        p.op(&format!(
            "q {} 0.6 w [3 2] 0 d {} {} m {} {} l S Q",
            BLQ.stroke(),
            fmt(left),
            fmt(yv(l)),
            fmt(right),
            fmt(yv(l))
        ));
    }
    for s in &plot.series {
        let pts: Vec<(f32, f32)> = s
            .iter()
            .filter_map(|q| q.plotted().map(|v| (x.at(q.day), yv(v))))
            .collect();
        if pts.len() > 1 {
            p.op(&format!(
                "q {} 0.4 w {}S Q",
                SUBJECT.stroke(),
                polyline(&pts)
            ));
        }
        for q in s {
            if let (None, Some(l)) = (q.value, q.blq) {
                p.op(&format!(
                    "q 1 g {} 0.5 w {} B Q",
                    BLQ.stroke(),
                    triangle(x.at(q.day), yv(l))
                ));
            }
        }
    }
    let med = pk_median(&plot.series, 3);
    if med.len() > 1 {
        let pts: Vec<(f32, f32)> = med.iter().map(|(d, v, _)| (x.at(*d), yv(*v))).collect();
        p.op(&format!(
            "q {} 1.8 w 1 j {}S Q",
            MEDIAN.stroke(),
            polyline(&pts)
        ));
    }
    p.op("Q");
    // Legend.
    let ly = area.y + 6.0;
    let mut lx = left;
    for (kind, label) in [
        (0, &plot.each_label),
        (1, &plot.median_label),
        (2, &plot.blq_label),
        (3, &plot.lloq_label),
    ] {
        match kind {
            0 => p.op(&format!(
                "q {} 0.6 w {} {} m {} {} l S Q",
                SUBJECT.stroke(),
                fmt(lx),
                fmt(ly + 2.5),
                fmt(lx + 16.0),
                fmt(ly + 2.5)
            )),
            1 => p.op(&format!(
                "q {} 1.8 w {} {} m {} {} l S Q",
                MEDIAN.stroke(),
                fmt(lx),
                fmt(ly + 2.5),
                fmt(lx + 16.0),
                fmt(ly + 2.5)
            )),
            2 => p.op(&format!(
                "q 1 g {} 0.5 w {} B Q",
                BLQ.stroke(),
                triangle(lx + 8.0, ly + 2.5)
            )),
            _ => p.op(&format!(
                "q {} 0.6 w [3 2] 0 d {} {} m {} {} l S Q",
                BLQ.stroke(),
                fmt(lx),
                fmt(ly + 2.5),
                fmt(lx + 16.0),
                fmt(ly + 2.5)
            )),
        }
        let label = if kind == 3 {
            match lloq {
                Some(l) => format!("{label} {}", trim_num(l)),
                None => label.clone(),
            }
        } else {
            label.clone()
        };
        p.text(lx + 20.0, ly, 7.0, &label, Align::Left, Rgb::BLACK, false);
        lx += 20.0 + p.text_width(&label, 7.0) + 16.0;
    }
}

fn trim_num(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

/// One swimmer lane.
#[derive(Debug, Clone)]
pub struct SwimLane {
    pub subject: String,
    /// Colour group of the bar (e.g. the disease), an index into the plot's groups.
    pub group: usize,
    pub days: f64,
    pub died: bool,
    /// (day, marker kind).
    pub marks: Vec<(f64, Marker)>,
    pub new_therapy_day: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    Cr,
    Cri,
    Pr,
    Sd,
    Pd,
    Other,
}

/// The marker a response code is drawn with (B-ALL and Lugano codes alike).
pub fn marker_of(code: &str) -> Marker {
    match code.to_ascii_uppercase().as_str() {
        "CR" | "CMR" => Marker::Cr,
        "CRI" | "MLFS" => Marker::Cri,
        "PR" | "PMR" => Marker::Pr,
        "SD" | "NR" | "NMR" => Marker::Sd,
        "PD" | "PMD" | "RELAPSE" => Marker::Pd,
        _ => Marker::Other,
    }
}

fn marker_color(m: Marker) -> Rgb {
    match m {
        Marker::Cr => Rgb(0.0, 0.62, 0.45),
        Marker::Cri => Rgb(0.34, 0.71, 0.91),
        Marker::Pr => Rgb(0.9, 0.62, 0.0),
        Marker::Sd => Rgb(0.54, 0.56, 0.6),
        Marker::Pd => Rgb(0.75, 0.22, 0.17),
        Marker::Other => Rgb::GREY,
    }
}

const NEW_THERAPY: Rgb = Rgb(0.56, 0.27, 0.68);
const GROUPS: [Rgb; 3] = [
    Rgb(0.79, 0.84, 0.93),
    Rgb(0.89, 0.84, 0.92),
    Rgb(0.87, 0.89, 0.92),
];

fn marker_path(m: Marker, x: f32, y: f32) -> String {
    let r = 2.6;
    match m {
        Marker::Cr | Marker::Cri | Marker::Other => {
            // A circle of four Bézier curves.
            let k = r * 0.5523;
            format!(
                "{} {} m {} {} {} {} {} {} c {} {} {} {} {} {} c {} {} {} {} {} {} c {} {} {} {} {} {} c h",
                fmt(x + r), fmt(y),
                fmt(x + r), fmt(y + k), fmt(x + k), fmt(y + r), fmt(x), fmt(y + r),
                fmt(x - k), fmt(y + r), fmt(x - r), fmt(y + k), fmt(x - r), fmt(y),
                fmt(x - r), fmt(y - k), fmt(x - k), fmt(y - r), fmt(x), fmt(y - r),
                fmt(x + k), fmt(y - r), fmt(x + r), fmt(y - k), fmt(x + r), fmt(y)
            )
        }
        Marker::Pr => format!(
            "{} {} m {} {} l {} {} l h",
            fmt(x),
            fmt(y + 3.0),
            fmt(x + 3.0),
            fmt(y - 2.4),
            fmt(x - 3.0),
            fmt(y - 2.4)
        ),
        Marker::Sd => format!("{} {} 4.6 4.6 re", fmt(x - 2.3), fmt(y - 2.3)),
        Marker::Pd => format!(
            "{} {} m {} {} l {} {} l {} {} l h",
            fmt(x),
            fmt(y + 3.2),
            fmt(x + 3.2),
            fmt(y),
            fmt(x),
            fmt(y - 3.2),
            fmt(x - 3.2),
            fmt(y)
        ),
    }
}

#[derive(Debug, Clone)]
pub struct SwimmerPlot {
    pub lanes: Vec<SwimLane>,
    pub x_label: String,
    /// Names of the bar colour groups (e.g. diseases).
    pub groups: Vec<String>,
    /// Legend label of each marker kind present.
    pub marker_labels: Vec<(Marker, String)>,
    pub new_therapy_label: String,
    pub death_label: String,
    pub ongoing_label: String,
}

/// Columns of a swimmer plot's legend in `width` points: three, or fewer for long labels.
pub fn swimmer_legend_columns(p: &impl Painter, plot: &SwimmerPlot, width: f32) -> usize {
    let widest = plot
        .groups
        .iter()
        .chain(plot.marker_labels.iter().map(|(_, l)| l))
        .chain([
            &plot.new_therapy_label,
            &plot.death_label,
            &plot.ongoing_label,
        ])
        .map(|l| p.text_width(l, 7.0) + 22.0)
        .fold(0.0f32, f32::max);
    ((width / widest.max(1.0)).floor() as usize).clamp(1, 3)
}

/// Height a swimmer plot takes for `lanes` lanes and `legend_rows` rows of legend.
pub fn swimmer_height(lanes: usize, legend_rows: usize) -> f32 {
    8.0 + lanes.max(1) as f32 * 10.0 + 30.0 + legend_rows as f32 * 11.0 + 6.0
}

/// Draws a swimmer plot in `area`: lanes longest first, the month axis, a legend in columns.
pub fn swimmer(p: &mut impl Painter, area: Area, plot: &SwimmerPlot) {
    let row = 10.0;
    let mut lanes = plot.lanes.clone();
    lanes.sort_by(|a, b| b.days.total_cmp(&a.days).then(a.subject.cmp(&b.subject)));
    let left = area.x + 48.0;
    let right = area.x + area.w - 16.0;
    let top = area.y + area.h - 6.0;
    let bottom = top - lanes.len().max(1) as f32 * row;
    let max_day = lanes
        .iter()
        .map(|l| l.days.max(l.new_therapy_day.unwrap_or(0.0)))
        .fold(1.0f64, f64::max);
    let ticks = month_ticks(max_day);
    let x = Lin {
        d0: 0.0,
        d1: *ticks.last().unwrap_or(&1) as f64 * MONTH,
        r0: left,
        r1: right,
    };
    for m in &ticks {
        let xx = x.at(*m as f64 * MONTH);
        p.op(&format!(
            "q {} 0.4 w {} {} m {} {} l S Q",
            Rgb::LIGHT.stroke(),
            fmt(xx),
            fmt(bottom),
            fmt(xx),
            fmt(top)
        ));
        p.text(
            xx,
            bottom - 11.0,
            TICK,
            &m.to_string(),
            Align::Center,
            Rgb::GREY,
            false,
        );
    }
    p.op(&format!(
        "q {} 0.6 w {} {} m {} {} l S Q",
        Rgb::GREY.stroke(),
        fmt(left),
        fmt(bottom),
        fmt(right),
        fmt(bottom)
    ));
    p.text(
        (left + right) / 2.0,
        bottom - 22.0,
        LABEL,
        &plot.x_label,
        Align::Center,
        Rgb::BLACK,
        false,
    );
    for (i, l) in lanes.iter().enumerate() {
        let cy = top - row * i as f32 - row / 2.0;
        p.text(
            left - 4.0,
            cy - 2.3,
            6.5,
            &l.subject,
            Align::Right,
            Rgb::BLACK,
            false,
        );
        let end = x.at(l.days);
        let g = GROUPS[l.group % GROUPS.len()];
        p.op(&format!(
            "q {} {} {} {} 6 re f Q",
            g.fill(),
            fmt(left),
            fmt(cy - 3.0),
            fmt((end - left).max(0.5))
        ));
        if let Some(d) = l.new_therapy_day {
            let xx = x.at(d);
            p.op(&format!(
                "q {} {} {} m {} {} l {} {} l h f Q",
                NEW_THERAPY.fill(),
                fmt(xx - 3.0),
                fmt(cy + 5.0),
                fmt(xx + 3.0),
                fmt(cy + 5.0),
                fmt(xx),
                fmt(cy)
            ));
        }
        for (d, m) in &l.marks {
            p.op(&format!(
                "q {} 1 G 0.4 w {} B Q",
                marker_color(*m).fill(),
                marker_path(*m, x.at(*d), cy)
            ));
        }
        if l.died {
            p.op(&format!(
                "q 0 G 1 w {} {} m {} {} l {} {} m {} {} l S Q",
                fmt(end + 2.0),
                fmt(cy - 2.5),
                fmt(end + 7.0),
                fmt(cy + 2.5),
                fmt(end + 2.0),
                fmt(cy + 2.5),
                fmt(end + 7.0),
                fmt(cy - 2.5)
            ));
        } else {
            p.op(&format!(
                "q 0 G 0.8 w {} {} m {} {} l {} {} m {} {} l {} {} l S Q",
                fmt(end + 1.0),
                fmt(cy),
                fmt(end + 8.0),
                fmt(cy),
                fmt(end + 5.5),
                fmt(cy + 2.5),
                fmt(end + 8.0),
                fmt(cy),
                fmt(end + 5.5),
                fmt(cy - 2.5)
            ));
        }
    }
    // Legend in up to three columns.
    let cols = swimmer_legend_columns(p, plot, right - area.x);
    let col_w = (right - area.x) / cols as f32;
    let ly0 = bottom - 36.0;
    let mut i = 0usize;
    let pos = |i: usize| -> (f32, f32) {
        (
            area.x + 8.0 + (i % cols) as f32 * col_w,
            ly0 - (i / cols) as f32 * 11.0,
        )
    };
    for (gi, g) in plot.groups.iter().enumerate() {
        let (lx, ly) = pos(i);
        p.op(&format!(
            "q {} {} {} 12 6 re f Q",
            GROUPS[gi % GROUPS.len()].fill(),
            fmt(lx - 6.0),
            fmt(ly)
        ));
        p.text(lx + 10.0, ly, 7.0, g, Align::Left, Rgb::BLACK, false);
        i += 1;
    }
    for (m, label) in &plot.marker_labels {
        let (lx, ly) = pos(i);
        p.op(&format!(
            "q {} 1 G 0.4 w {} B Q",
            marker_color(*m).fill(),
            marker_path(*m, lx, ly + 2.5)
        ));
        p.text(lx + 10.0, ly, 7.0, label, Align::Left, Rgb::BLACK, false);
        i += 1;
    }
    let (lx, ly) = pos(i);
    p.op(&format!(
        "q {} {} {} m {} {} l {} {} l h f Q",
        NEW_THERAPY.fill(),
        fmt(lx - 3.0),
        fmt(ly + 5.0),
        fmt(lx + 3.0),
        fmt(ly + 5.0),
        fmt(lx),
        fmt(ly)
    ));
    p.text(
        lx + 10.0,
        ly,
        7.0,
        &plot.new_therapy_label,
        Align::Left,
        Rgb::BLACK,
        false,
    );
    i += 1;
    let (lx, ly) = pos(i);
    p.op(&format!(
        "q 0 G 1 w {} {} m {} {} l {} {} m {} {} l S Q",
        fmt(lx - 2.5),
        fmt(ly),
        fmt(lx + 2.5),
        fmt(ly + 5.0),
        fmt(lx - 2.5),
        fmt(ly + 5.0),
        fmt(lx + 2.5),
        fmt(ly)
    ));
    p.text(
        lx + 10.0,
        ly,
        7.0,
        &plot.death_label,
        Align::Left,
        Rgb::BLACK,
        false,
    );
    i += 1;
    let (lx, ly) = pos(i);
    p.op(&format!(
        "q 0 G 0.8 w {} {} m {} {} l {} {} m {} {} l {} {} l S Q",
        fmt(lx - 4.0),
        fmt(ly + 2.5),
        fmt(lx + 3.0),
        fmt(ly + 2.5),
        fmt(lx + 0.5),
        fmt(ly + 5.0),
        fmt(lx + 3.0),
        fmt(ly + 2.5),
        fmt(lx + 0.5),
        fmt(ly)
    ));
    p.text(
        lx + 10.0,
        ly,
        7.0,
        &plot.ongoing_label,
        Align::Left,
        Rgb::BLACK,
        false,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(day: f64, at_risk: u64, events: u64, censored: u64, s: f64) -> KmStep {
        KmStep {
            day,
            at_risk,
            events,
            censored,
            survival: s,
            lower: s - 0.2,
            upper: (s + 0.1).min(1.0),
        }
    }

    #[test]
    fn ticks_months_decades() {
        assert_eq!(month_ticks(553.0), vec![0, 3, 6, 9, 12, 15, 18, 21]);
        assert_eq!(month_ticks(100.0), vec![0, 1, 2, 3, 4]);
        assert_eq!(
            nice_ticks(28.0, 7),
            vec![0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0]
        );
        assert_eq!(decades(37.0, 217_440.0), (1, 6));
        assert_eq!(decades(50.0, 50.0), (1, 2));
        assert_eq!(decades(0.1, 1063.0), (-2, 4));
        assert_eq!(power_label(4), ("10".to_string(), Some("4".to_string())));
        assert_eq!(power_label(2).0, "100");
    }

    #[test]
    fn km_step_corners_and_at_risk() {
        let steps = [
            st(2.0, 5, 1, 0, 0.8),
            st(3.0, 4, 0, 1, 0.8),
            st(5.0, 3, 1, 0, 0.5),
            st(7.0, 2, 0, 2, 0.5),
        ];
        assert_eq!(
            km_corners(&steps, 7.0, |s| s.survival),
            vec![
                (0.0, 1.0),
                (2.0, 1.0),
                (2.0, 0.8),
                (5.0, 0.8),
                (5.0, 0.5),
                (7.0, 0.5)
            ]
        );
        let at: Vec<u64> = [0.0, 2.0, 2.5, 6.0, 7.0, 8.0]
            .iter()
            .map(|d| at_risk_at(&steps, &[], *d))
            .collect();
        assert_eq!(at, vec![5, 5, 4, 2, 2, 0]);
        assert_eq!(at_risk_at(&steps, &[(91.3, 17)], 91.31), 17);
    }

    #[test]
    fn pk_nominal_days_and_median() {
        assert_eq!(nominal_of(-1.0), Some(0.0));
        assert_eq!(nominal_of(6.8), Some(7.0));
        assert_eq!(nominal_of(29.0), Some(28.0));
        assert_eq!(nominal_of(45.0), None);
        let p = |day, v: Option<f64>, blq: Option<f64>| PkPoint { day, value: v, blq };
        let series = vec![
            vec![
                p(0.0, None, Some(50.0)),
                p(7.0, Some(21_606.0), None),
                p(28.0, Some(10_825.0), None),
            ],
            vec![
                p(0.0, None, Some(50.0)),
                p(6.8, Some(9_000.0), None),
                p(27.0, None, Some(50.0)),
            ],
            vec![
                p(-1.0, None, Some(50.0)),
                p(7.0, Some(15_000.0), None),
                p(29.0, Some(2_000.0), None),
            ],
        ];
        let med = pk_median(&series, 3);
        assert_eq!(
            med,
            vec![(0.0, 50.0, 3), (7.0, 15_000.0, 3), (28.0, 2_000.0, 3)]
        );
        assert_eq!(marker_of("RELAPSE"), Marker::Pd);
        assert_eq!(marker_of("cmr"), Marker::Cr);
    }
}
