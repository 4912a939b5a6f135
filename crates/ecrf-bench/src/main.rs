//! `ecrf-bench`: each figure beside a limit measured in the same run on the same machine.
//!
//! ```text
//! ecrf-bench [--events N] [--out DIR] [--repeat K]
//!                                          # N: events in the big database (default 1 000 000);
//!                                          # K: limits and import run in turn K times (medians)
//! ecrf-bench import-only DB BUNDLE FP      # (internal) one import in its own process, for its memory
//! ecrf-bench save-only DB                  # form saves alone on an existing site database
//! ```
//! Figures go to standard output as a table and as JSON (`bench.json` in the output folder).

use anyhow::{bail, Context, Result};
use ecrf_core::address::FormRef;
use ecrf_core::event::{Scope, SignatureMeaning};
use ecrf_core::ids::SubjectId;
use ecrf_core::roles::{NodeRole, Role};
use ecrf_services::clock::SystemClock;
use ecrf_services::dto::ValueEntry;
use ecrf_services::node::InitRequest;
use ecrf_services::{Config, Ecrf, Kdf, Session};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The CLI's allocator (crates/ecrf-cli); the app keeps the system one, for its idle memory.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const PW: &str = "bench-pass-1";

fn config(backup: bool) -> Config {
    Config {
        kdf: Kdf::Fast,
        backup_before_import: backup,
        ..Config::default()
    }
}

fn init(path: &Path, role: NodeRole, site: Option<&str>) -> Result<(Ecrf, Session)> {
    let mut e = Ecrf::init(
        path,
        None,
        InitRequest {
            role,
            site,
            admin: "admin",
            admin_name: "Admin",
            password: PW,
            central_key: None,
        },
        Arc::new(SystemClock),
        config(false),
    )?;
    let s = e.login("admin", PW)?;
    Ok((e, s))
}

fn user(e: &mut Ecrf, admin: &mut Session, name: &str, role: Role) -> Result<Session> {
    e.add_user(admin, name, role, name, PW)?;
    Ok(e.login(name, PW)?)
}

/// Peak resident memory of this process, from /proc (kB).
fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn pct(mut v: Vec<Duration>, p: f64) -> Duration {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i.min(v.len() - 1)]
}

/// The median of some figures (the mean of the middle two for an even count).
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A site database with about `events` change events of realistic demo casebooks, and its
/// full bundle.
fn site_with(dir: &Path, name: &str, events: u64) -> Result<(PathBuf, PathBuf, String, f64)> {
    let db = dir.join(format!("{name}.db"));
    let (mut e, mut admin) = init(&db, NodeRole::Site, Some("S01"))?;
    let t = Instant::now();
    let mut seed = 1;
    while (e.store().event_count()? as u64) < events {
        let left = events - e.store().event_count()? as u64;
        let n = (left / 1_300).clamp(1, 50) as u32;
        e.demo(&mut admin, n, seed)?;
        seed += 1;
    }
    let gen = t.elapsed().as_secs_f64();
    let mut nurse = user(&mut e, &mut admin, "nurse", Role::Nurse)?;
    let bundle = dir.join(format!("{name}.ecrfb"));
    e.export_bundle(&mut nurse, None, true, None, &bundle)?;
    let fp = e.node_summary()?.fingerprint;
    Ok((db, bundle, fp, gen))
}

/// The raw limit: the bundle's events inserted into an empty database with the same log
/// schema and indexes, one transaction, one prepared statement (rows/s). Run with SQLite's
/// default page cache and with the import's, the faster of the two is the limit.
/// Returns (rows, the limit, rows/s with the default cache, rows/s with the import's).
fn raw_insert(dir: &Path, bundle: &Path) -> Result<(u64, f64, f64, f64)> {
    let (rows, default_cache) = raw_insert_with_cache(dir, bundle, None)?;
    let (_, import_cache) = raw_insert_with_cache(
        dir,
        bundle,
        Some(ecrf_services::sync::IMPORT_PAGE_CACHE_KIB),
    )?;
    Ok((
        rows,
        default_cache.max(import_cache),
        default_cache,
        import_cache,
    ))
}

/// Writes every dirty page of the machine to disk (`sync`) before a timed step, so that no step
/// pays for the writeback of the gigabytes the steps before it wrote (the kernel throttles a
/// writer while much is dirty: the raw insert at a million events swung from 136k to 244k rows/s
/// between runs without this).
fn settle() -> Result<()> {
    let status = std::process::Command::new("sync").status()?;
    if !status.success() {
        bail!("sync failed: {status}");
    }
    Ok(())
}

fn raw_insert_with_cache(dir: &Path, bundle: &Path, cache_kib: Option<u32>) -> Result<(u64, f64)> {
    let db = dir.join("raw.db");
    for p in [
        db.clone(),
        db.with_extension("db-wal"),
        db.with_extension("db-shm"),
    ] {
        let _ = std::fs::remove_file(p);
    }
    let mut conn = rusqlite::Connection::open(&db)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    if let Some(kib) = cache_kib {
        conn.pragma_update(None, "cache_size", -i64::from(kib))?;
    }
    conn.execute_batch(ecrf_store::MIGRATIONS[0].1)?;
    let reader = ecrf_bundle::BundleReader::open(bundle)?;
    // Read first (the raw limit measures the database, not the file).
    let mut rows = Vec::new();
    for chunk in reader.event_chunks() {
        for ev in chunk? {
            rows.push((
                ev.id.node.to_string(),
                ev.id.epoch,
                ev.id.stream.clone(),
                ev.id.seq as i64,
                ev.hlc.0 as i64,
                ev.payload.kind(),
                ev.payload.subject().map(|s| s.to_string()),
                ev.actor.user_id.to_string(),
                ev.actor.username.clone(),
                ev.captured_at.clone(),
                serde_json::to_string(&ev.payload)?,
                ev.hash.clone(),
            ));
        }
    }
    settle()?;
    let t = Instant::now();
    let tx = conn.transaction()?;
    {
        let mut stmt = tx.prepare(
            "INSERT INTO events (node, epoch, stream, seq, hlc, kind, subject, user_id, username, captured_at, imported_at, payload, hash, chain) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )?;
        for r in &rows {
            stmt.execute(rusqlite::params![
                r.0,
                r.1,
                r.2,
                r.3,
                r.4,
                r.5,
                r.6,
                r.7,
                r.8,
                r.9,
                "2026-01-01T00:00:00.000Z",
                r.10,
                r.11,
                r.11
            ])?;
        }
    }
    tx.commit()?;
    let secs = t.elapsed().as_secs_f64();
    Ok((rows.len() as u64, rows.len() as f64 / secs))
}

/// A second limit, for where the time goes: the same events inserted as raw rows into the whole
/// schema together with the rows any import must write for them (the current value of each
/// value set and the form it belongs to), one transaction, prepared statements, no checks
/// (events/s).
fn raw_insert_with_projections(dir: &Path, bundle: &Path) -> Result<f64> {
    use ecrf_core::event::Payload;
    let db = dir.join("raw-projections.db");
    let _ = std::fs::remove_file(&db);
    let mut conn = rusqlite::Connection::open(&db)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(
        None,
        "cache_size",
        -i64::from(ecrf_services::sync::IMPORT_PAGE_CACHE_KIB),
    )?;
    for (_, sql) in ecrf_store::MIGRATIONS {
        conn.execute_batch(sql)?;
    }
    let reader = ecrf_bundle::BundleReader::open(bundle)?;
    struct Row {
        ev: ecrf_core::event::ChangeEvent,
        payload: String,
        node: String,
        user: String,
        value: Option<String>,
    }
    let mut rows = Vec::new();
    for chunk in reader.event_chunks() {
        for ev in chunk? {
            let value = match &ev.payload {
                Payload::ValueSet { new, .. } => Some(serde_json::to_string(new)?),
                _ => None,
            };
            rows.push(Row {
                payload: serde_json::to_string(&ev.payload)?,
                node: ev.id.node.to_string(),
                user: ev.actor.user_id.to_string(),
                value,
                ev,
            });
        }
    }
    settle()?;
    let t = Instant::now();
    let tx = conn.transaction()?;
    {
        let mut event = tx.prepare(
            "INSERT INTO events (node, epoch, stream, seq, hlc, kind, subject, user_id, username, captured_at, imported_at, payload, hash, chain) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )?;
        let mut form = tx.prepare(
            "INSERT INTO forms (form_key, subject, event, event_repeat, form, form_repeat, status, definition, updated_rowid) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'in_progress', '1.0', ?7) ON CONFLICT (form_key) DO NOTHING",
        )?;
        let mut current = tx.prepare(
            "INSERT INTO item_values (key, form_key, subject, event, form, grp, grp_repeat, item, value, event_rowid) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
             ON CONFLICT (subject, form, key) DO UPDATE SET value = excluded.value, event_rowid = excluded.event_rowid",
        )?;
        for r in &rows {
            let ev = &r.ev;
            event.execute(rusqlite::params![
                r.node,
                ev.id.epoch,
                ev.id.stream,
                ev.id.seq as i64,
                ev.hlc.0 as i64,
                ev.payload.kind(),
                ev.payload.subject().map(|s| s.as_str()),
                r.user,
                ev.actor.username,
                ev.captured_at,
                "2026-01-01T00:00:00.000Z",
                r.payload,
                ev.hash,
                ev.hash
            ])?;
            let rowid = tx.last_insert_rowid();
            if let (Payload::ValueSet { item, .. }, Some(value)) = (&ev.payload, &r.value) {
                let f = &item.form;
                let key = item.key();
                let form_key = f.key();
                form.execute(rusqlite::params![
                    form_key,
                    f.subject.as_str(),
                    f.event,
                    f.event_repeat,
                    f.form,
                    f.form_repeat,
                    rowid
                ])?;
                current.execute(rusqlite::params![
                    key,
                    form_key,
                    f.subject.as_str(),
                    f.event,
                    f.form,
                    item.group,
                    item.group_repeat,
                    item.item,
                    value,
                    rowid
                ])?;
            }
        }
    }
    tx.commit()?;
    Ok(rows.len() as f64 / t.elapsed().as_secs_f64())
}

/// One import in a child process: (events/s, seconds, peak RSS kB, CPU seconds of the thread
/// that writes, CPU seconds of the bundle reader).
fn import_child(dir: &Path, bundle: &Path, fp: &str) -> Result<(f64, f64, u64, f64, f64)> {
    let db = dir.join("central-import.db");
    for p in [
        db.clone(),
        db.with_extension("db-wal"),
        db.with_extension("db-shm"),
    ] {
        let _ = std::fs::remove_file(p);
    }
    drop(init(&db, NodeRole::Central, None)?);
    settle()?;
    let out = std::process::Command::new(std::env::current_exe()?)
        .arg("import-only")
        .arg(&db)
        .arg(bundle)
        .arg(fp)
        .output()?;
    if !out.status.success() {
        bail!("import failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    Ok((
        v["events_per_s"].as_f64().unwrap_or(0.0),
        v["seconds"].as_f64().unwrap_or(0.0),
        v["peak_rss_kb"].as_u64().unwrap_or(0),
        v["writer_cpu_s"].as_f64().unwrap_or(0.0),
        v["reader_cpu_s"].as_f64().unwrap_or(0.0),
    ))
}

fn import_only(db: &Path, bundle: &Path, fp: &str) -> Result<()> {
    let mut e = Ecrf::open(db, None, Arc::new(SystemClock), config(false))?;
    let mut s = e.login("admin", PW)?;
    let (all0, main0) = (cpu_seconds("self")?, cpu_seconds("thread-self")?);
    let t = Instant::now();
    let sum = e.import_bundle(&mut s, bundle, Some(fp), &mut |_| {})?;
    let secs = t.elapsed().as_secs_f64();
    let (all, main) = (
        cpu_seconds("self")? - all0,
        cpu_seconds("thread-self")? - main0,
    );
    println!(
        "{}",
        json!({"events": sum.new, "seconds": secs, "events_per_s": sum.new as f64 / secs, "peak_rss_kb": peak_rss_kb(),
               "writer_cpu_s": main, "reader_cpu_s": all - main})
    );
    Ok(())
}

/// CPU time (user + system) of this process (`self`, its ended threads included) or of the
/// calling thread (`thread-self`), from /proc, in seconds.
fn cpu_seconds(which: &str) -> Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{which}/stat"))?;
    // The fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .context("/proc stat without a command name")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    let ticks = |i: usize| -> Result<f64> {
        Ok(fields
            .get(i)
            .context("/proc stat too short")?
            .parse::<f64>()?)
    };
    // Clock ticks are 1/100 s on Linux (USER_HZ).
    Ok((ticks(11)? + ticks(12)?) / 100.0)
}

/// Form save p50/p99 on a big database (validate + derive + append + commit), and a raw
/// one-row commit in the same run.
fn saves(db: &Path, dir: &Path) -> Result<(Duration, Duration, Duration, Duration)> {
    let mut e = Ecrf::open(db, None, Arc::new(SystemClock), config(false))?;
    let mut nurse = e.login("nurse", PW)?;
    let f = FormRef::new(SubjectId::parse("S01-001")?, "SCR", 1, "DM", 1)?;
    let mut times = Vec::new();
    for i in 0..400 {
        let v = ValueEntry {
            group: "MAIN".into(),
            repeat: 1,
            item: "WEIGHT".into(),
            value: json!(50.0 + (i % 40) as f64 + 0.5),
        };
        let t = Instant::now();
        e.form_save(&mut nurse, &f, &[v], false, Some("benchmark"))?;
        times.push(t.elapsed());
    }
    let raw = dir.join("raw-commit.db");
    let _ = std::fs::remove_file(&raw);
    let conn = rusqlite::Connection::open(&raw)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)",
        [],
    )?;
    let mut raw_t = Vec::new();
    for i in 0..400 {
        let t = Instant::now();
        conn.execute("INSERT INTO t (v) VALUES (?1)", [format!("row {i}")])?;
        raw_t.push(t.elapsed());
    }
    Ok((
        pct(times.clone(), 0.5),
        pct(times, 0.99),
        pct(raw_t.clone(), 0.5),
        pct(raw_t, 0.99),
    ))
}

/// Incremental export of the last `k` events of a database (seconds).
fn incremental(db: &Path, dir: &Path, k: u64) -> Result<f64> {
    let mut e = Ecrf::open(db, None, Arc::new(SystemClock), config(false))?;
    let mut nurse = e.login("nurse", PW)?;
    let last = e
        .store()
        .streams()?
        .into_iter()
        .map(|s| s.last)
        .max()
        .unwrap_or(0);
    let out = dir.join(format!("inc-{}.ecrfb", uuid::Uuid::new_v4()));
    let t = Instant::now();
    e.export_bundle(
        &mut nurse,
        None,
        false,
        Some(last.saturating_sub(k) + 1),
        &out,
    )?;
    Ok(t.elapsed().as_secs_f64())
}

fn main() -> Result<()> {
    env_logger::init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("import-only") {
        let [_, db, bundle, fp] = &args[..] else {
            bail!("usage: ecrf-bench import-only DB BUNDLE FINGERPRINT");
        };
        return import_only(Path::new(db), Path::new(bundle), fp);
    }
    if args.first().map(String::as_str) == Some("save-only") {
        // Form saves on an existing site database (admin password as the bench's), for
        // looking at the save path alone.
        let [_, db] = &args[..] else {
            bail!("usage: ecrf-bench save-only DB");
        };
        let db = Path::new(db);
        {
            let mut e = Ecrf::open(db, None, Arc::new(SystemClock), config(false))?;
            if e.login("nurse", PW).is_err() {
                let mut admin = e.login("admin", PW)?;
                user(&mut e, &mut admin, "nurse", Role::Nurse)?;
            }
        }
        let dir = db.parent().context("the database's folder")?;
        let (p50, p99, r50, r99) = saves(db, dir)?;
        println!(
            "form save: p50 {:.2} ms, p99 {:.2} ms | raw one-row commit p50 {:.2} ms, p99 {:.2} ms",
            ms(p50),
            ms(p99),
            ms(r50),
            ms(r99)
        );
        return Ok(());
    }
    let mut events: u64 = 1_000_000;
    let mut out: Option<PathBuf> = None;
    let mut repeat: usize = 1;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--events" => events = it.next().context("--events N")?.parse()?,
            "--out" => out = Some(PathBuf::from(it.next().context("--out DIR")?)),
            "--repeat" => {
                repeat = it.next().context("--repeat K")?.parse()?;
                if repeat == 0 {
                    bail!("--repeat K: K is at least 1");
                }
            }
            other => bail!("unknown argument {other}"),
        }
    }
    let tmp = tempfile::tempdir()?;
    let dir = out.unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&dir)?;
    let mut report = serde_json::Map::new();
    println!("ecrf-bench: {events} events; folder {}", dir.display());

    // Growth with size: import vs raw at 10k, 100k and the full size.
    let mut sizes: Vec<u64> = [10_000u64, 100_000]
        .into_iter()
        .filter(|s| *s < events)
        .collect();
    sizes.push(events);
    let mut big = None;
    for n in sizes {
        let (db, bundle, fp, gen) = site_with(&dir, &format!("site-{n}"), n)?;
        // The limits and the import in turn, `repeat` times: the ratio is of the medians, so
        // that a drift of the machine's speed during the run weighs on both.
        let mut runs = Vec::new();
        for _ in 0..repeat {
            let (rows, raw, raw_default_cache, raw_import_cache) = raw_insert(&dir, &bundle)?;
            let raw_all = raw_insert_with_projections(&dir, &bundle)?;
            let (rate, secs, rss, writer_cpu, reader_cpu) = import_child(&dir, &bundle, &fp)?;
            println!(
                "import {rows:>8} events: {rate:>9.0} ev/s ({secs:.2} s, peak RSS {} MB, CPU {writer_cpu:.2} s writing + {reader_cpu:.2} s reading) | raw insert {raw:>9.0} rows/s (page cache: SQLite's {raw_default_cache:.0}, the import's {raw_import_cache:.0}) | ratio {:.0}% (goal ≥ 50%) | raw rows with projections {raw_all:>9.0} ev/s ({:.0}%) | demo generated in {gen:.1} s",
                rss / 1024,
                100.0 * rate / raw,
                100.0 * rate / raw_all
            );
            runs.push(json!({"events": rows, "import_events_per_s": rate, "seconds": secs, "peak_rss_kb": rss, "writer_cpu_s": writer_cpu, "reader_cpu_s": reader_cpu, "raw_rows_per_s": raw, "raw_default_cache_rows_per_s": raw_default_cache, "raw_import_cache_rows_per_s": raw_import_cache, "ratio": rate / raw, "raw_with_projections_events_per_s": raw_all, "ratio_to_raw_with_projections": rate / raw_all, "generated_s": gen}));
        }
        let median = |k: &str| median(runs.iter().filter_map(|r| r[k].as_f64()).collect());
        let rows = runs.first().and_then(|r| r["events"].as_u64()).unwrap_or(0);
        let (rate, raw, raw_all) = (
            median("import_events_per_s"),
            median("raw_rows_per_s"),
            median("raw_with_projections_events_per_s"),
        );
        if repeat > 1 {
            println!(
                "import {rows:>8} events, median of {repeat}: {rate:>9.0} ev/s | raw insert {raw:>9.0} rows/s | ratio {:.0}% (goal ≥ 50%) | raw rows with projections {raw_all:>9.0} ev/s ({:.0}%)",
                100.0 * rate / raw,
                100.0 * rate / raw_all
            );
        }
        report.insert(
            format!("import_{rows}"),
            json!({"events": rows, "import_events_per_s": rate, "raw_rows_per_s": raw, "ratio": rate / raw, "raw_with_projections_events_per_s": raw_all, "ratio_to_raw_with_projections": rate / raw_all, "runs": runs}),
        );
        let inc = incremental(&db, &dir, 1_000)?;
        println!(
            "incremental export of 1000 new events on {rows} events: {:.1} ms",
            inc * 1e3
        );
        report.insert(format!("incremental_1k_on_{rows}"), json!(inc));
        big = Some(db);
    }
    let big = big.context("no database")?;

    let (p50, p99, r50, r99) = saves(&big, &dir)?;
    println!(
        "form save on {events} events: p50 {:.2} ms, p99 {:.2} ms | raw one-row commit p50 {:.2} ms, p99 {:.2} ms | p99 ratio {:.1}× (goal ≤ 5× and < 2 ms)",
        ms(p50), ms(p99), ms(r50), ms(r99), ms(p99) / ms(r99)
    );
    report.insert(
        "form_save".into(),
        json!({"p50_ms": ms(p50), "p99_ms": ms(p99), "raw_p50_ms": ms(r50), "raw_p99_ms": ms(r99)}),
    );

    // A signed casebook PDF of the subject with the most forms (≥ 100 in the demo data).
    let mut e = Ecrf::open(&big, None, Arc::new(SystemClock), config(false))?;
    let mut admin = e.login("admin", PW)?;
    let mut inv = user(&mut e, &mut admin, "inv", Role::Investigator)?;
    let subject = SubjectId::parse("S01-001")?;
    let forms = e.store().subject_forms(&subject)?.len();
    let t = Instant::now();
    let pdf = e.export_pdf(
        &mut inv,
        Scope::Subject { subject },
        ecrf_services::pdf_model::DocLang::One(ecrf_core::definition::Lang::En),
        Some((PW, SignatureMeaning::Approval)),
    )?;
    let pdf_s = t.elapsed().as_secs_f64();
    println!(
        "signed casebook PDF of {forms} forms: {:.0} ms, {} KB (goal < 1 s)",
        pdf_s * 1e3,
        pdf.len() / 1024
    );
    report.insert(
        "signed_casebook_pdf".into(),
        json!({"forms": forms, "seconds": pdf_s, "bytes": pdf.len()}),
    );

    // The endpoint report over every subject of the big database, then over a study of
    // exactly 500 subjects (the goal's size): the first run, then the median of five more.
    let endpoint = |e: &mut Ecrf, inv: &mut Session| -> Result<(usize, u64, f64, f64)> {
        let subjects = e.store().subjects()?.len();
        let t = Instant::now();
        let rep = e.report_endpoints(inv)?;
        let first = t.elapsed().as_secs_f64();
        let mut again = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            e.report_endpoints(inv)?;
            again.push(t.elapsed());
        }
        let infused = rep.populations.get(2).map_or(0, |p| p.n);
        Ok((subjects, infused, first, pct(again, 0.5).as_secs_f64()))
    };
    let (subjects, infused, first, median) = endpoint(&mut e, &mut inv)?;
    println!(
        "endpoint report over {subjects} subjects ({infused} infused): first {:.0} ms, median of 5 more {:.0} ms",
        first * 1e3,
        median * 1e3
    );
    report.insert(
        "endpoint_report_big".into(),
        json!({"subjects": subjects, "infused": infused, "first_s": first, "median_s": median}),
    );
    drop(e);
    let db500 = dir.join("study-500.db");
    let (mut e, mut admin) = init(&db500, NodeRole::Site, Some("S01"))?;
    for seed in 1..=10 {
        e.demo(&mut admin, 50, seed)?;
    }
    let mut inv = user(&mut e, &mut admin, "inv", Role::Investigator)?;
    let events500 = e.store().event_count()?;
    let (subjects, infused, first, median) = endpoint(&mut e, &mut inv)?;
    println!(
        "endpoint report over {subjects} subjects ({infused} infused, {events500} events): first {:.0} ms, median of 5 more {:.0} ms (goal < 200 ms for 500)",
        first * 1e3,
        median * 1e3
    );
    report.insert("endpoint_report_500".into(), json!({"subjects": subjects, "infused": infused, "events": events500, "first_s": first, "median_s": median}));

    let path = dir.join("bench.json");
    std::fs::write(&path, serde_json::to_string_pretty(&report)?)?;
    println!("figures written to {}", path.display());
    if dir == tmp.path() {
        println!("(temporary folder removed; keep it with --out DIR)");
    }
    Ok(())
}
