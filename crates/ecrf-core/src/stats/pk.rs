//! Non-compartmental analysis of CAR-T cellular kinetics (clinical rules §4): Cmax, Tmax,
//! Clast, Tlast and the AUC over the first 28 days, with PKNCA's conventions (R package PKNCA
//! 0.12, default options).
//!
//! Time is the actual sample time minus the infusion start, in days (pre-infusion samples have
//! negative times); a concentration is a value, BLQ with its LLOQ, or missing ([`Conc`]).
//!
//! **Cleaning** (PKNCA `clean.conc.blq` with its defaults `conc.na = "drop"`,
//! `conc.blq = list(first = "keep", middle = "drop", last = "keep")`): missing samples are
//! dropped; BLQ counts as 0; a BLQ before the first or after the last quantifiable value is kept
//! as 0; a BLQ between quantifiable values is dropped. A measured value of 0 is treated as BLQ
//! (PKNCA's BLQ *is* 0). When every sample is BLQ, all are kept as 0.
//!
//! **Cmax, Tmax, Clast, Tlast** over all the cleaned samples given (pass a window's samples to
//! restrict them): Cmax the highest value, Tmax the time of its first occurrence, Tlast the time
//! of the last quantifiable (> 0) value and Clast that value. When every sample is BLQ, Cmax and
//! Clast are 0 and Tmax and Tlast are `None` (as PKNCA: `cmax` 0, `clast.obs` 0, `tmax` and
//! `tlast` NA).
//!
//! **AUC over an interval** [start, end], e.g. [0, 28] days: PKNCA's `aucint.all`
//! (`pk.calc.aucint(..., auc.type = "AUCall")`, reading `R/aucint.R`, `R/interpolate.conc.R` and
//! `R/auc_integrate.R` of PKNCA 0.12):
//!
//! 1. If every cleaned concentration is 0, the AUC is 0.
//! 2. For each interval end (start, end) with no sample at exactly that time, a concentration
//!    is made up:
//!    * at or before Tlast (`interpolate.conc`): 0 before the first sample (`conc.origin`);
//!      otherwise from the samples on either side: log interpolation
//!      exp(ln c₁ + (t−t₁)/(t₂−t₁)·(ln c₂ − ln c₁)) when the method is linear-up/log-down and
//!      the segment decreases to a value > 0; 0 between two zeros; linear interpolation
//!      otherwise (always linear under the linear method);
//!    * after Tlast (`extrapolate.conc` with AUCall): 0 when the last sample is quantifiable
//!      (no trailing BLQ) or when the sample just before is a BLQ; otherwise (the time lies
//!      between Tlast and the first trailing BLQ) on the straight line from Clast at Tlast to 0
//!      at that BLQ's time (the "AUCall triangle").
//! 3. The samples inside [start, end] and the made-up points are integrated segment by
//!    segment: a segment between two zeros counts 0; under linear-up/log-down a segment that
//!    decreases to a value > 0 uses the log trapezoid (t₂−t₁)(c₁−c₂)/ln(c₁/c₂), any other
//!    (rising, flat, or falling to 0) the linear trapezoid (t₂−t₁)(c₁+c₂)/2; under the linear
//!    method every segment is a linear trapezoid.
//! 4. A segment that ends at a point extrapolated after Tlast is integrated with the log
//!    trapezoid whatever the method (PKNCA ≥ 0.11, issue #203: "AUCint will extrapolate the AUC
//!    beyond Tlast using logarithmic extrapolation, regardless of the method"). Consequences:
//!    when the last sample is quantifiable and the interval ends after it, the part after
//!    Tlast adds 0 (the log trapezoid to a 0 is 0 in PKNCA's arithmetic), so the AUC equals the
//!    AUC up to Tlast (AUCall = AUClast without trailing BLQ; no lambda-z extrapolation); in the
//!    triangle case the area from Tlast to the interval end is the log trapezoid between Clast
//!    and the linearly interpolated concentration, also under the linear method.
//!
//! Where PKNCA's arithmetic gives NaN this gives the evident limit: a log trapezoid between two
//! zeros (an end point extrapolated to 0 right after a trailing BLQ; PKNCA computes
//! 0/log(0/0)) counts 0, and a log trapezoid between equal values c counts c·(t₂−t₁). Not
//! followed: PKNCA's development version (after 0.12.1) refuses to interpolate an interval end
//! that falls where concentrations rise again after a decline (it suspects a new dose); with a
//! single infusion this interpolates as above, like PKNCA 0.12.1.

use serde::{Deserialize, Serialize};

/// The end of the AUC interval of the protocol: day 28 after the infusion.
pub const AUC_END_DAY: f64 = 28.0;

/// One measured concentration.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Conc {
    /// A quantified value (≥ 0; 0 counts as BLQ).
    Value(f64),
    /// Below the lower limit of quantification `lloq` (kept for the record; counts as 0).
    Blq { lloq: f64 },
    /// Not measured, not evaluable, sample lost: dropped.
    Missing,
}

/// How trapezoids are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AucMethod {
    /// Linear when rising, logarithmic when falling (both ends > 0): PKNCA's default and the
    /// protocol's primary method.
    LinUpLogDown,
    /// Linear trapezoids throughout.
    Linear,
}

/// The NCA parameters of one subject's profile.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Nca {
    /// Highest concentration (0 when every sample is BLQ).
    pub cmax: f64,
    /// Time of the first occurrence of Cmax (days); `None` when every sample is BLQ.
    pub tmax: Option<f64>,
    /// Last quantifiable concentration (0 when every sample is BLQ).
    pub clast: f64,
    /// Time of the last quantifiable concentration (days); `None` when every sample is BLQ.
    pub tlast: Option<f64>,
    /// AUC from day 0 to day 28, linear-up/log-down (primary).
    pub auc_0_28_lin_up_log_down: f64,
    /// AUC from day 0 to day 28, linear trapezoids.
    pub auc_0_28_linear: f64,
}

/// The samples after the BLQ and missing-value rules, as (time, concentration) in time order,
/// BLQ as 0. `None` when the input is unusable: a time that is not finite, a value that is
/// negative or not finite, or two non-missing samples at the same time. Missing samples are
/// dropped before these checks, whatever their time.
pub fn clean(samples: &[(f64, Conc)]) -> Option<Vec<(f64, f64)>> {
    let mut points = Vec::with_capacity(samples.len());
    for &(time, conc) in samples {
        let value = match conc {
            Conc::Missing => continue,
            Conc::Blq { .. } => 0.0,
            Conc::Value(v) if v.is_finite() && v >= 0.0 => v,
            Conc::Value(_) => return None,
        };
        if !time.is_finite() {
            return None;
        }
        points.push((time, value));
    }
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    if points.windows(2).any(|w| w[0].0 == w[1].0) {
        return None;
    }
    let first = points.iter().position(|p| p.1 > 0.0);
    let last = points.iter().rposition(|p| p.1 > 0.0);
    if let (Some(first), Some(last)) = (first, last) {
        let mut i = 0;
        points.retain(|p| {
            let keep = !(i > first && i < last && p.1 == 0.0);
            i += 1;
            keep
        });
    }
    Some(points)
}

/// Cmax, Tmax, Clast, Tlast and AUC(0–28 days) by both methods. `None` when no sample is
/// usable (all missing, or the input is unusable as for [`clean`]).
pub fn nca(samples: &[(f64, Conc)]) -> Option<Nca> {
    let points = clean(samples)?;
    if points.is_empty() {
        return None;
    }
    let cmax = points.iter().map(|p| p.1).fold(0.0, f64::max);
    let tmax = if cmax > 0.0 {
        points.iter().find(|p| p.1 == cmax).map(|p| p.0)
    } else {
        None
    };
    let last = points.iter().rev().find(|p| p.1 > 0.0);
    Some(Nca {
        cmax,
        tmax,
        clast: last.map_or(0.0, |p| p.1),
        tlast: last.map(|p| p.0),
        auc_0_28_lin_up_log_down: aucint_all(&points, 0.0, AUC_END_DAY, AucMethod::LinUpLogDown),
        auc_0_28_linear: aucint_all(&points, 0.0, AUC_END_DAY, AucMethod::Linear),
    })
}

/// AUC over [start, end] by PKNCA's `aucint.all` convention (see the module documentation).
/// `None` when no sample is usable, the input is unusable as for [`clean`], or the interval is
/// not finite with start < end.
pub fn auc_interval(
    samples: &[(f64, Conc)],
    start: f64,
    end: f64,
    method: AucMethod,
) -> Option<f64> {
    if !(start.is_finite() && end.is_finite() && start < end) {
        return None;
    }
    let points = clean(samples)?;
    if points.is_empty() {
        return None;
    }
    Some(aucint_all(&points, start, end, method))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Segment {
    Zero,
    Linear,
    Log,
}

/// How PKNCA's `choose_interval_method` integrates (or interpolates along) a segment.
fn segment(c1: f64, c2: f64, method: AucMethod) -> Segment {
    if c1 == 0.0 && c2 == 0.0 {
        Segment::Zero
    } else if method == AucMethod::LinUpLogDown && c2 < c1 && c2 != 0.0 {
        Segment::Log
    } else {
        Segment::Linear
    }
}

fn integrate(seg: Segment, (t1, c1): (f64, f64), (t2, c2): (f64, f64)) -> f64 {
    match seg {
        Segment::Zero => 0.0,
        Segment::Linear => (t2 - t1) * (c1 + c2) / 2.0,
        Segment::Log if c1 > 0.0 && c2 > 0.0 => {
            if c1 == c2 {
                (t2 - t1) * c1
            } else {
                (t2 - t1) * (c2 - c1) / (c2 / c1).ln()
            }
        }
        // PKNCA: (c2 - c1) / log(c2 / c1) is 0 when one end is 0 (a division by ±Inf); between
        // two zeros it is NaN there, 0 here.
        Segment::Log => 0.0,
    }
}

/// PKNCA `aucint.all` on cleaned, sorted, non-empty points.
fn aucint_all(points: &[(f64, f64)], start: f64, end: f64, method: AucMethod) -> f64 {
    let Some(&(tlast, _)) = points.iter().rev().find(|p| p.1 > 0.0) else {
        return 0.0; // every concentration is 0
    };
    // (time, conc, extrapolated after tlast)
    let mut curve: Vec<(f64, f64, bool)> = points
        .iter()
        .filter(|p| p.0 >= start && p.0 <= end)
        .map(|&(t, c)| (t, c, false))
        .collect();
    for t in [start, end] {
        if points.iter().any(|p| p.0 == t) {
            continue;
        }
        if t <= tlast {
            curve.push((t, interpolate(points, t, method), false));
        } else {
            curve.push((t, extrapolate_all(points, tlast, t), true));
        }
    }
    curve.sort_by(|a, b| a.0.total_cmp(&b.0));
    if curve.iter().all(|p| p.1 == 0.0) {
        return 0.0;
    }
    curve
        .windows(2)
        .map(|w| {
            let (a, b) = ((w[0].0, w[0].1), (w[1].0, w[1].1));
            let seg = if w[1].2 {
                Segment::Log
            } else {
                segment(a.1, b.1, method)
            };
            integrate(seg, a, b)
        })
        .sum()
}

/// PKNCA `interpolate.conc` at a time t ≤ tlast that is not a sample time.
fn interpolate(points: &[(f64, f64)], t: f64, method: AucMethod) -> f64 {
    if t < points[0].0 {
        return 0.0; // conc.origin
    }
    let after = points.iter().position(|p| p.0 >= t).expect("t <= tlast");
    let (t1, c1) = points[after - 1];
    let (t2, c2) = points[after];
    let f = (t - t1) / (t2 - t1);
    match segment(c1, c2, method) {
        Segment::Zero => 0.0,
        Segment::Linear => c1 + f * (c2 - c1),
        Segment::Log => (c1.ln() + f * (c2.ln() - c1.ln())).exp(),
    }
}

/// PKNCA `extrapolate.conc` with `auc.type = "AUCall"` at a time t > tlast that is not a
/// sample time.
fn extrapolate_all(points: &[(f64, f64)], tlast: f64, t: f64) -> f64 {
    let last_time = points[points.len() - 1].0;
    if tlast == last_time {
        return 0.0; // no trailing BLQ: AUCall is AUClast
    }
    let (t1, c1) = *points.iter().rev().find(|p| p.0 <= t).expect("t > tlast");
    if c1 == 0.0 {
        return 0.0; // already past the first trailing BLQ
    }
    match points.iter().find(|p| p.0 >= t) {
        // the triangle from Clast at Tlast down to 0 at the next (BLQ) sample
        Some(&(t2, _)) => c1 + (t - t1) / (t2 - t1) * (0.0 - c1),
        None => 0.0,
    }
}
