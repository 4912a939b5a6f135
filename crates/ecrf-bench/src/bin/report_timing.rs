//! `report_timing DB [--subjects N] [--dump FILE] [--runs K]`: times the endpoint report, the
//! PK report and the outcomes over a site database of demo subjects (made on first use, on a
//! fixed clock so that the reports are reproducible), and optionally writes the three results
//! (without their generation time) as JSON, to compare the output of two builds.

use anyhow::{Context, Result};
use chrono::TimeZone;
use ecrf_core::roles::{NodeRole, Role};
use ecrf_services::clock::FixedClock;
use ecrf_services::node::InitRequest;
use ecrf_services::{Config, Ecrf, Kdf};
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

const PW: &str = "bench-pass-1";

fn config() -> Config {
    Config {
        kdf: Kdf::Fast,
        backup_before_import: false,
        ..Config::default()
    }
}

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::at(
        chrono::Utc
            .with_ymd_and_hms(2026, 3, 1, 9, 0, 0)
            .single()
            .unwrap_or_default(),
    ))
}

/// CPU time of this thread so far (Linux: /proc/thread-self/schedstat), zero elsewhere: on a
/// shared machine the wall time also counts waiting for a core.
fn cpu() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .map_or(Duration::ZERO, Duration::from_nanos)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let db = PathBuf::from(
        args.next()
            .context("usage: report_timing DB [--subjects N] [--dump FILE] [--runs K]")?,
    );
    let mut subjects: u32 = 500;
    let mut dump: Option<PathBuf> = None;
    let mut runs = 3;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--subjects" => subjects = args.next().context("--subjects N")?.parse()?,
            "--dump" => dump = Some(PathBuf::from(args.next().context("--dump FILE")?)),
            "--runs" => runs = args.next().context("--runs K")?.parse()?,
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    if !db.exists() {
        let t = Instant::now();
        let mut e = Ecrf::init(
            &db,
            None,
            InitRequest {
                role: NodeRole::Site,
                site: Some("S01"),
                admin: "admin",
                admin_name: "Admin",
                password: PW,
                central_key: None,
            },
            clock(),
            config(),
        )?;
        let mut admin = e.login("admin", PW)?;
        let mut left = subjects;
        let mut seed = 1;
        while left > 0 {
            let n = left.min(50);
            e.demo(&mut admin, n, seed)?;
            left -= n;
            seed += 1;
        }
        e.add_user(&mut admin, "inv", Role::Investigator, "Inv", PW)?;
        println!(
            "made {} subjects, {} events in {:.1} s",
            subjects,
            e.store().event_count()?,
            t.elapsed().as_secs_f64()
        );
    }
    let mut e = Ecrf::open(&db, None, clock(), config())?;
    let mut inv = e.login("inv", PW)?;
    let n = e.store().subjects()?.len();
    let mut times = [Vec::new(), Vec::new(), Vec::new()];
    let mut cpus = [Vec::new(), Vec::new(), Vec::new()];
    let mut last = None;
    for _ in 0..runs {
        let (t, c) = (Instant::now(), cpu());
        let rep = e.report_endpoints(&mut inv)?;
        times[0].push(t.elapsed());
        cpus[0].push(cpu() - c);
        let (t, c) = (Instant::now(), cpu());
        let pk = e.report_pk(&mut inv)?;
        times[1].push(t.elapsed());
        cpus[1].push(cpu() - c);
        let (t, c) = (Instant::now(), cpu());
        let out = e.outcomes(&mut inv)?;
        times[2].push(t.elapsed());
        cpus[2].push(cpu() - c);
        last = Some((rep, pk, out));
    }
    for ((name, t), c) in ["report_endpoints", "report_pk", "outcomes"]
        .iter()
        .zip(&times)
        .zip(&cpus)
    {
        let (mut t, mut c) = (t.clone(), c.clone());
        t.sort();
        c.sort();
        println!(
            "{name} over {n} subjects: wall min {:.1} ms, median {:.1} ms | CPU min {:.1} ms, median {:.1} ms ({} runs)",
            ms(t[0]),
            ms(t[t.len() / 2]),
            ms(c[0]),
            ms(c[c.len() / 2]),
            t.len()
        );
    }
    if let (Some(path), Some((mut rep, mut pk, out))) = (dump, last) {
        rep.generated_at = String::new();
        pk.generated_at = String::new();
        std::fs::write(
            &path,
            serde_json::to_string_pretty(&json!({"endpoints": rep, "pk": pk, "outcomes": out}))?,
        )?;
        println!("reports written to {}", path.display());
    }
    Ok(())
}
