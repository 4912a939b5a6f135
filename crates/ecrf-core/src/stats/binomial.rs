//! Response rates with exact (Clopper-Pearson) confidence intervals (clinical rules §5).

use super::special::inv_reg_inc_beta;
use serde::{Deserialize, Serialize};

/// The exact Clopper-Pearson confidence interval of a binomial proportion: `x` responders out
/// of `n`, two-sided, at confidence `level` (0.95 for a 95% interval).
///
/// With α = 1 − level and B⁻¹(p; a, b) the p-quantile of the Beta(a, b) distribution
/// (Clopper & Pearson, Biometrika 1934; the beta form e.g. in Brown, Cai & DasGupta, Statistical
/// Science 2001, §2.1):
///
/// * lower = B⁻¹(α/2; x, n − x + 1), and 0 when x = 0;
/// * upper = B⁻¹(1 − α/2; x + 1, n − x), and 1 when x = n.
///
/// This is SciPy's `binomtest(x, n).proportion_ci(method="exact")` and R's `binom.test`.
/// `None` when n = 0, x > n, or the level is not strictly between 0 and 1.
pub fn clopper_pearson(x: u64, n: u64, level: f64) -> Option<(f64, f64)> {
    if n == 0 || x > n || level.is_nan() || level <= 0.0 || level >= 1.0 {
        return None;
    }
    let alpha = 1.0 - level;
    let (xf, nf) = (x as f64, n as f64);
    let lower = if x == 0 {
        0.0
    } else {
        inv_reg_inc_beta(xf, nf - xf + 1.0, alpha / 2.0)
    };
    let upper = if x == n {
        1.0
    } else {
        inv_reg_inc_beta(xf + 1.0, nf - xf, 1.0 - alpha / 2.0)
    };
    Some((lower, upper))
}

/// A rate with its exact confidence interval: `x` of `n`, `rate` = x / n, and the
/// Clopper-Pearson bounds `lower`, `upper` (proportions, 0..=1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    pub x: u64,
    pub n: u64,
    pub rate: f64,
    pub lower: f64,
    pub upper: f64,
}

impl Rate {
    /// `x` of `n` with the 95% Clopper-Pearson interval; `None` when n = 0 or x > n.
    pub fn new(x: u64, n: u64) -> Option<Rate> {
        Rate::with_level(x, n, 0.95)
    }

    /// `x` of `n` with the Clopper-Pearson interval at `level`; `None` as for
    /// [`clopper_pearson`].
    pub fn with_level(x: u64, n: u64, level: f64) -> Option<Rate> {
        let (lower, upper) = clopper_pearson(x, n, level)?;
        Some(Rate {
            x,
            n,
            rate: x as f64 / n as f64,
            lower,
            upper,
        })
    }
}
