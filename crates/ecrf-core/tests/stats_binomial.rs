//! Clopper-Pearson intervals and the special functions under them, against SciPy
//! (fixtures made by `scripts/reference/scipy_reference.py`), plus the fixture's proof: when
//! Python and SciPy are installed the script is re-run and its output compared with the
//! committed files.

#[path = "stats_reference.rs"]
mod reference;
use reference::*;

use ecrf_core::stats::binomial::{clopper_pearson, Rate};
use ecrf_core::stats::special::{inv_reg_inc_beta, normal_quantile, reg_inc_beta};

#[test]
fn clopper_pearson_equals_scipy() {
    let doc = read_json(&fixtures().join("clopper_pearson.json"));
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() > 300);
    let mut worst = 0.0_f64;
    for c in cases {
        let (x, n, level) = (u(c, "x"), u(c, "n"), f(c, "level"));
        let (lower, upper) = clopper_pearson(x, n, level).unwrap();
        let (el, eu) = (f(c, "lower"), f(c, "upper"));
        worst = worst.max((lower - el).abs()).max((upper - eu).abs());
        // The brief asks for 1e-6; the implementation is much closer than that.
        assert!(
            (lower - el).abs() < 1e-12 && (upper - eu).abs() < 1e-12,
            "x={x} n={n} level={level}: ({lower}, {upper}), SciPy ({el}, {eu})"
        );
        if x == 0 {
            assert_eq!(lower, 0.0);
        }
        if x == n {
            assert_eq!(upper, 1.0);
        }
    }
    eprintln!("Clopper-Pearson: largest difference from SciPy {worst:e}");
}

#[test]
fn clopper_pearson_known_closed_forms() {
    // n = 1: x = 0 → (0, 1 − α/2); x = 1 → (α/2, 1)
    assert_eq!(clopper_pearson(0, 1, 0.95), Some((0.0, 0.975)));
    let (l, h) = clopper_pearson(1, 1, 0.95).unwrap();
    assert!((l - 0.025).abs() < 1e-15 && h == 1.0);
    // x = 0: upper = 1 − (α/2)^{1/n}; x = n: lower = (α/2)^{1/n}
    let (_, h) = clopper_pearson(0, 60, 0.95).unwrap();
    assert!((h - (1.0 - 0.025f64.powf(1.0 / 60.0))).abs() < 1e-15);
    let (l, _) = clopper_pearson(60, 60, 0.95).unwrap();
    assert!((l - 0.025f64.powf(1.0 / 60.0)).abs() < 1e-15);
}

#[test]
fn clopper_pearson_rejects_what_has_no_interval() {
    assert_eq!(clopper_pearson(0, 0, 0.95), None);
    assert_eq!(clopper_pearson(3, 2, 0.95), None);
    for level in [0.0, 1.0, -0.5, 1.5, f64::NAN] {
        assert_eq!(clopper_pearson(1, 2, level), None, "level {level}");
    }
}

#[test]
fn clopper_pearson_contains_the_rate_and_grows_with_x() {
    for n in 1..=80u64 {
        let mut prev = (-1.0, -1.0);
        for x in 0..=n {
            let (l, h) = clopper_pearson(x, n, 0.95).unwrap();
            let p = x as f64 / n as f64;
            assert!(l <= p && p <= h, "x={x} n={n}: ({l}, {h})");
            assert!(l > prev.0 || x == 0, "lower not increasing at x={x} n={n}");
            assert!(h > prev.1, "upper not increasing at x={x} n={n}");
            prev = (l, h);
        }
    }
}

#[test]
fn rate_carries_the_interval() {
    // ORR 42 of 60
    let r = Rate::new(42, 60).unwrap();
    assert_eq!((r.x, r.n), (42, 60));
    assert_eq!(r.rate, 0.7);
    assert_eq!((r.lower, r.upper), clopper_pearson(42, 60, 0.95).unwrap());
    let r90 = Rate::with_level(42, 60, 0.90).unwrap();
    assert!(r90.lower > r.lower && r90.upper < r.upper);
    assert_eq!(Rate::new(0, 0), None);
    assert_eq!(Rate::new(61, 60), None);
    assert_eq!(Rate::with_level(1, 2, 1.0), None);
}

#[test]
fn special_functions_equal_scipy() {
    let doc = read_json(&fixtures().join("special_functions.json"));
    for c in doc["betainc"].as_array().unwrap() {
        let (a, b, x, want) = (f(c, "a"), f(c, "b"), f(c, "x"), f(c, "value"));
        let got = reg_inc_beta(a, b, x);
        assert!(
            (got - want).abs() <= 1e-13 + 1e-11 * want.abs(),
            "betainc({a}, {b}, {x}) = {got}, SciPy {want}"
        );
    }
    for c in doc["beta_ppf"].as_array().unwrap() {
        let (a, b, p, want) = (f(c, "a"), f(c, "b"), f(c, "p"), f(c, "value"));
        let got = inv_reg_inc_beta(a, b, p);
        assert!(
            close(got, want, 1e-11),
            "beta.ppf({p}, {a}, {b}) = {got}, SciPy {want}"
        );
    }
    for c in doc["norm_ppf"].as_array().unwrap() {
        let (p, want) = (f(c, "p"), f(c, "value"));
        let got = normal_quantile(p);
        assert!(
            close(got, want, 1e-14),
            "norm.ppf({p}) = {got}, SciPy {want}"
        );
    }
}

#[test]
fn special_functions_outside_their_domain() {
    assert!(reg_inc_beta(0.0, 1.0, 0.5).is_nan());
    assert!(reg_inc_beta(1.0, 1.0, 1.5).is_nan());
    assert!(inv_reg_inc_beta(2.0, 3.0, -0.1).is_nan());
    assert!(normal_quantile(f64::NAN).is_nan());
    assert_eq!(normal_quantile(0.0), f64::NEG_INFINITY);
    assert_eq!(normal_quantile(1.0), f64::INFINITY);
}

/// The committed SciPy fixtures are SciPy's output: re-run the script and compare.
#[test]
fn scipy_fixtures_are_scipys_output() {
    if !python_reference_available("scipy_fixtures_are_scipys_output", &["scipy"]) {
        return;
    }
    let dir = temp_dir("stats-scipy");
    run_script("scipy_reference.py", &[&dir]);
    for name in ["clopper_pearson.json", "special_functions.json"] {
        assert_same_json(
            &read_json(&fixtures().join(name)),
            &read_json(&dir.join(name)),
            1e-12,
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
