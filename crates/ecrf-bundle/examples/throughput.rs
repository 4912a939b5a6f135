//! Write and read a bundle of many realistic events and print the rates.
//!
//! `cargo run --release -p ecrf-bundle --example throughput [-- EVENTS]` (default 200000).

#[path = "../tests/common/mod.rs"]
mod common;

use common::*;
use ecrf_bundle::{BundleReader, BundleWriter};
use std::time::Instant;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000);
    let t = Instant::now();
    let evs = events(n, 42);
    println!("generated {n} events in {:.2?} (not counted)", t.elapsed());

    let t = Instant::now();
    assert!(evs.iter().all(|e| e.hash_is_valid()));
    println!(
        "content-hash check alone (ecrf-core, done by both writer and reader): {:.2?}",
        t.elapsed()
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("throughput.ecrfb");
    let k = origin_key();

    let t = Instant::now();
    let mut w = BundleWriter::create(&path, header(&k)).unwrap();
    for e in &evs {
        w.push_event(e).unwrap();
    }
    let m = w.finish(&k).unwrap();
    let write = t.elapsed();
    let size = std::fs::metadata(&path).unwrap().len();
    let raw: u64 = m.members.iter().map(|m| m.size).sum();
    println!(
        "write: {:.2?}, {:.0} events/s; {} members, {:.1} MB of JSONL in a {:.1} MB file (ratio {:.1}:1)",
        write,
        n as f64 / write.as_secs_f64(),
        m.members.len(),
        raw as f64 / 1e6,
        size as f64 / 1e6,
        raw as f64 / size as f64
    );

    let t = Instant::now();
    let r = BundleReader::open(&path).unwrap();
    let open = t.elapsed();
    let t = Instant::now();
    let mut count = 0usize;
    for c in r.event_chunks() {
        count += c.unwrap().len();
    }
    let read = t.elapsed();
    assert_eq!(count, n);
    let both = open + read;
    println!(
        "open (verify): {:.2?}; read (parse + check): {:.2?}; open+read: {:.0} events/s",
        open,
        read,
        n as f64 / both.as_secs_f64()
    );
}
