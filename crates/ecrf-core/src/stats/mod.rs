//! Statistics for the trial's reports (clinical rules §4 and §5), pure functions of their
//! inputs.
//!
//! * [`binomial`] — response rates with exact Clopper-Pearson confidence intervals.
//! * [`km`] — Kaplan-Meier estimates (OS, PFS, DOR): Greenwood variance, log-log bands, the
//!   median and its confidence interval, landmark survival, numbers at risk.
//! * [`pk`] — non-compartmental analysis of CAR-T kinetics: BLQ rules, Cmax, Tmax, Clast,
//!   Tlast, AUC(0–28 days) with PKNCA's conventions.
//! * [`summary`] — geometric mean and CV%, median and range.
//! * [`special`] — the numerical building blocks (incomplete beta function and its inverse,
//!   normal quantile).
//!
//! Each is tested against a reference implementation that is not this code: SciPy, lifelines
//! and pynca, through fixtures their scripts in `scripts/reference/` produce, and by hand.

pub mod binomial;
pub mod km;
pub mod pk;
pub mod special;
pub mod summary;
