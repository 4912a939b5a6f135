//! Descriptive summaries for kinetic parameters (clinical rules §4): geometric mean and
//! geometric CV% for Cmax and AUC; median, minimum and maximum for Tmax and Tlast.

use serde::{Deserialize, Serialize};

/// Geometric mean exp(mean(ln xᵢ)). `None` when `values` is empty or a value is not finite or
/// ≤ 0 (its logarithm is needed; a Cmax or AUC of 0 from an all-BLQ profile must be reported
/// apart, not averaged).
pub fn geometric_mean(values: &[f64]) -> Option<f64> {
    let logs = logs(values)?;
    Some((logs.iter().sum::<f64>() / logs.len() as f64).exp())
}

/// Geometric coefficient of variation in percent: 100·√(exp(s²) − 1), s the standard deviation
/// of the natural logarithms with the n − 1 divisor. `None` when fewer than 2 values, or a value
/// is not finite or ≤ 0.
pub fn geometric_cv_percent(values: &[f64]) -> Option<f64> {
    let logs = logs(values)?;
    if logs.len() < 2 {
        return None;
    }
    let n = logs.len() as f64;
    let mean = logs.iter().sum::<f64>() / n;
    let s2 = logs.iter().map(|l| (l - mean) * (l - mean)).sum::<f64>() / (n - 1.0);
    Some(100.0 * s2.exp_m1().sqrt())
}

fn logs(values: &[f64]) -> Option<Vec<f64>> {
    if values.is_empty() || values.iter().any(|v| !v.is_finite() || *v <= 0.0) {
        return None;
    }
    Some(values.iter().map(|v| v.ln()).collect())
}

/// The median: the middle value, or the mean of the two middle values when n is even. `None`
/// when `values` is empty or holds a NaN.
pub fn median(values: &[f64]) -> Option<f64> {
    let sorted = sorted(values)?;
    let n = sorted.len();
    Some(if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    })
}

/// The smallest value; `None` when `values` is empty or holds a NaN.
pub fn min(values: &[f64]) -> Option<f64> {
    sorted(values).map(|s| s[0])
}

/// The largest value; `None` when `values` is empty or holds a NaN.
pub fn max(values: &[f64]) -> Option<f64> {
    sorted(values).map(|s| s[s.len() - 1])
}

fn sorted(values: &[f64]) -> Option<Vec<f64>> {
    if values.is_empty() || values.iter().any(|v| v.is_nan()) {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    Some(v)
}

/// Geometric summary of positive values (Cmax, AUC).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeometricSummary {
    pub n: usize,
    pub geometric_mean: f64,
    /// `None` for a single value.
    pub geometric_cv_percent: Option<f64>,
}

impl GeometricSummary {
    /// `None` when `values` is empty or a value is not finite or ≤ 0.
    pub fn of(values: &[f64]) -> Option<GeometricSummary> {
        Some(GeometricSummary {
            n: values.len(),
            geometric_mean: geometric_mean(values)?,
            geometric_cv_percent: geometric_cv_percent(values),
        })
    }
}

/// Median and range (Tmax, Tlast).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MedianRange {
    pub n: usize,
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl MedianRange {
    /// `None` when `values` is empty or holds a NaN.
    pub fn of(values: &[f64]) -> Option<MedianRange> {
        Some(MedianRange {
            n: values.len(),
            median: median(values)?,
            min: min(values)?,
            max: max(values)?,
        })
    }
}
