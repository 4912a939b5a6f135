//! Kaplan-Meier estimate for right-censored time-to-event data (clinical rules §5: OS, PFS,
//! DOR), with Greenwood variance, log-log ("exponential Greenwood") confidence bands, the median
//! and its Brookmeyer-Crowley confidence interval, survival at landmark times and numbers at
//! risk.
//!
//! The conventions are those of Python's lifelines (`KaplanMeierFitter`, version 0.30), which
//! for these quantities equals R's `survfit(..., conf.type = "log-log")`; the tests compare every
//! step with lifelines' output on realistic datasets (`tests/stats_km.rs`, fixtures made by
//! `scripts/reference/km_lifelines.py`).
//!
//! With distinct observed times t₁ < t₂ < …, nᵢ subjects at risk at tᵢ (time ≥ tᵢ), dᵢ events
//! and cᵢ censorings at tᵢ (events are taken to happen before censorings at the same time, so a
//! subject censored at tᵢ is still at risk at tᵢ):
//!
//! * survival S(t) = ∏_{tᵢ ≤ t} (nᵢ − dᵢ)/nᵢ;
//! * Greenwood: Var(ln S(t)) ≈ G(t) = Σ_{tᵢ ≤ t} dᵢ / (nᵢ(nᵢ − dᵢ)), Var(S(t)) = S(t)² G(t); a
//!   term with dᵢ = nᵢ (S falls to 0) counts 0, as in lifelines (R reports no variance there);
//! * log-log bands (Kalbfleisch & Prentice; lifelines' `confidence_interval_`): with
//!   v = ln S(t) and z the standard normal quantile at 1 − α/2,
//!   lower = exp(−exp(ln(−v) − z·√G / v)), upper = exp(−exp(ln(−v) + z·√G / v)); both are 1
//!   while S = 1 and 0 once S = 0;
//! * median = the first time S(t) ≤ 0.5 (lifelines' `median_survival_time_`; R takes the
//!   midpoint of an exact 0.5 plateau instead); `None` when S never falls to 0.5;
//! * median confidence interval (Brookmeyer & Crowley, Biometrics 1982, on the log-log scale;
//!   lifelines' `median_survival_times(kmf.confidence_interval_)`): the lower limit is the first
//!   time the **lower** band is ≤ 0.5, the upper limit the first time the **upper** band is
//!   ≤ 0.5; each is `None` (lifelines: `inf`) when that band never falls to 0.5.
//!
//! "≤ 0.5" allows 1e-12 for rounding, so that an S(t) that is exactly 0.5 in exact arithmetic
//! (e.g. 20 events among the first 40 subjects, no censoring) counts as reaching it.

use super::special::normal_quantile;
use serde::{Deserialize, Serialize};

/// Rounding allowance when comparing a survival probability with 0.5.
const HALF_TOLERANCE: f64 = 1e-12;

fn at_most_half(s: f64) -> bool {
    s <= 0.5 + HALF_TOLERANCE
}

/// The estimate at one distinct observed time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KmStep {
    /// Time (days from the index date).
    pub time: f64,
    /// Subjects at risk at `time`: those whose time is ≥ `time`.
    pub at_risk: u64,
    /// Events at `time`.
    pub events: u64,
    /// Censorings at `time`.
    pub censored: u64,
    /// S(time), the Kaplan-Meier survival probability just after `time`.
    pub survival: f64,
    /// Greenwood's sum Σ d/(n(n−d)) up to and including `time` (the variance of ln S).
    pub greenwood_sum: f64,
    /// Greenwood's variance of S: survival² × greenwood_sum.
    pub variance: f64,
    /// Lower log-log confidence bound of S(time).
    pub lower: f64,
    /// Upper log-log confidence bound of S(time).
    pub upper: f64,
}

/// Survival with its confidence bounds at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SurvivalAt {
    pub time: f64,
    pub survival: f64,
    pub lower: f64,
    pub upper: f64,
}

/// The confidence interval of the median; `None` for a limit that is not reached.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MedianCi {
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

/// A fitted Kaplan-Meier estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KaplanMeier {
    /// Number of subjects.
    pub n: u64,
    /// Number of events.
    pub events: u64,
    /// Confidence level of the bands (0.95 by default).
    pub level: f64,
    /// One step per distinct observed time (event or censoring), in time order.
    pub steps: Vec<KmStep>,
}

impl KaplanMeier {
    /// Fits the estimate with 95% bands to `(time, event)` pairs: `event` true for the event
    /// (death, progression), false for a censoring. `None` when `data` is empty or a time is
    /// negative or not finite.
    pub fn fit(data: &[(f64, bool)]) -> Option<KaplanMeier> {
        KaplanMeier::fit_with_level(data, 0.95)
    }

    /// As [`KaplanMeier::fit`] with bands at confidence `level` (strictly between 0 and 1).
    pub fn fit_with_level(data: &[(f64, bool)], level: f64) -> Option<KaplanMeier> {
        if data.is_empty()
            || level.is_nan()
            || level <= 0.0
            || level >= 1.0
            || data.iter().any(|(t, _)| !t.is_finite() || *t < 0.0)
        {
            return None;
        }
        let z = normal_quantile(1.0 - (1.0 - level) / 2.0);
        let mut sorted = data.to_vec();
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
        let n = sorted.len() as u64;
        let mut steps = Vec::new();
        let (mut survival, mut greenwood) = (1.0_f64, 0.0_f64);
        let mut at_risk = n;
        let mut i = 0;
        while i < sorted.len() {
            let time = sorted[i].0;
            let (mut events, mut censored) = (0u64, 0u64);
            while i < sorted.len() && sorted[i].0 == time {
                if sorted[i].1 {
                    events += 1;
                } else {
                    censored += 1;
                }
                i += 1;
            }
            if events > 0 {
                survival *= (at_risk - events) as f64 / at_risk as f64;
                if events < at_risk {
                    greenwood += events as f64 / (at_risk as f64 * (at_risk - events) as f64);
                }
            }
            let (lower, upper) = log_log_bounds(survival, greenwood, z);
            steps.push(KmStep {
                time,
                at_risk,
                events,
                censored,
                survival,
                greenwood_sum: greenwood,
                variance: survival * survival * greenwood,
                lower,
                upper,
            });
            at_risk -= events + censored;
        }
        Some(KaplanMeier {
            n,
            events: steps.iter().map(|s| s.events).sum(),
            level,
            steps,
        })
    }

    /// The median: the first time S(t) ≤ 0.5; `None` when not reached.
    pub fn median(&self) -> Option<f64> {
        self.first_time(|s| s.survival)
    }

    /// Brookmeyer-Crowley confidence interval of the median from the log-log bands: the first
    /// time the lower band is ≤ 0.5 (lower limit) and the first time the upper band is ≤ 0.5
    /// (upper limit); `None` for a limit not reached.
    pub fn median_ci(&self) -> MedianCi {
        MedianCi {
            lower: self.first_time(|s| s.lower),
            upper: self.first_time(|s| s.upper),
        }
    }

    fn first_time(&self, value: impl Fn(&KmStep) -> f64) -> Option<f64> {
        self.steps
            .iter()
            .find(|s| at_most_half(value(s)))
            .map(|s| s.time)
    }

    /// Survival and its bounds at time `t`: those of the last step at or before `t` (1 before
    /// the first step). `None` when `t` is negative or not a number, or after the largest
    /// observed time while S is still above 0 (the estimate is not defined beyond follow-up;
    /// lifelines would carry the last value forward).
    pub fn survival_at(&self, t: f64) -> Option<SurvivalAt> {
        if t.is_nan() || t < 0.0 {
            return None;
        }
        let last = self.steps.last()?;
        if t > last.time && last.survival > 0.0 {
            return None;
        }
        let at = |survival, lower, upper| SurvivalAt {
            time: t,
            survival,
            lower,
            upper,
        };
        Some(match self.steps.iter().rev().find(|s| s.time <= t) {
            Some(s) => at(s.survival, s.lower, s.upper),
            None => at(1.0, 1.0, 1.0),
        })
    }

    /// [`KaplanMeier::survival_at`] for each time, e.g. 182.625, 365.25 and 730.5 days for 6, 12
    /// and 24 months.
    pub fn survival_at_times(&self, times: &[f64]) -> Vec<Option<SurvivalAt>> {
        times.iter().map(|&t| self.survival_at(t)).collect()
    }

    /// Numbers at risk at the given times, for the table under a Kaplan-Meier plot: the number
    /// of subjects whose time (event or censoring) is ≥ t, as R's `summary(survfit, times)`
    /// reports `n.risk`. (lifelines' plotting helper `add_at_risk_counts` prints the number with
    /// time > t instead.)
    pub fn at_risk(&self, times: &[f64]) -> Vec<u64> {
        times
            .iter()
            .map(|&t| {
                self.steps
                    .iter()
                    .find(|s| s.time >= t)
                    .map_or(0, |s| s.at_risk)
            })
            .collect()
    }
}

/// The log-log ("exponential Greenwood") bounds of S given Greenwood's sum and the normal
/// quantile z.
fn log_log_bounds(survival: f64, greenwood: f64, z: f64) -> (f64, f64) {
    if survival >= 1.0 {
        return (1.0, 1.0);
    }
    if survival <= 0.0 {
        return (0.0, 0.0);
    }
    let v = survival.ln();
    let half_width = z * greenwood.sqrt() / v;
    let ln_minus_v = (-v).ln();
    (
        (-(ln_minus_v - half_width).exp()).exp(),
        (-(ln_minus_v + half_width).exp()).exp(),
    )
}
