//! Writes the seed corpora of the fuzz targets into `seeds/<target>/`:
//!
//! ```text
//! cd fuzz && cargo run --example make_seeds -- seeds BUNDLE.ecrfb...
//! ```
//!
//! BUNDLE files are real bundles made with the CLI (`ecrf init`, `ecrf demo`, `ecrf bundle
//! export`, see RELIABILITY.md). From them: small bundles re-made with the fuzzing key (events
//! up to 4 KB each, with and without a PDF) for `bundle_open`, their members for
//! `bundle_members`, one event per payload type for `change_event`. The definition seeds are
//! the built-in definition's files; the form-data seeds are the CLI's example forms
//! (`crates/ecrf-cli/tests/forms/*.json`) and a few hostile ones.

use ecrf_bundle::{BundleHeader, BundleReader, BundleWriter, Origin};
use ecrf_core::event::ChangeEvent;
use ecrf_fuzz::bundle::{self, encode_members, fuzz_key, fuzz_public_hex, Members};
use ecrf_fuzz::{definition, event, form_data};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

fn main() {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().expect("usage: make_seeds OUT_DIR BUNDLE..."));
    let bundles: Vec<PathBuf> = args.map(PathBuf::from).collect();
    for t in [
        "bundle_open",
        "bundle_members",
        "change_event",
        "definition",
        "form_data",
    ] {
        std::fs::create_dir_all(out.join(t)).unwrap();
    }
    let mut by_type: BTreeMap<String, ChangeEvent> = BTreeMap::new();
    for b in &bundles {
        let stem = b.file_stem().unwrap().to_string_lossy().into_owned();
        let r = BundleReader::open(b).unwrap_or_else(|e| panic!("{}: {e}", b.display()));
        let events: Vec<ChangeEvent> = r.event_chunks().flat_map(|c| c.unwrap()).collect();
        for e in &events {
            let t = serde_json::to_value(&e.payload).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_string();
            let small = serde_json::to_string(e).unwrap().len() <= 4096;
            if small || !by_type.contains_key(&t) {
                by_type.entry(t).or_insert_with(|| e.clone());
            }
        }
        // The raw file as the CLI wrote it (signed by its own node key: the harness re-signs it
        // with the fuzzing key, so it stops at the signature: that path is covered too).
        // Up to 64 KB: a larger seed would raise libFuzzer's input size limit for all.
        if std::fs::metadata(b).unwrap().len() <= 64 << 10 {
            std::fs::copy(b, out.join("bundle_open").join(format!("{stem}-cli.ecrfb"))).unwrap();
        }
        // Re-made with the fuzzing key: only events up to 4 KB (the definition events are
        // ~40 KB), at most 40 of them; without PDFs, and with its PDFs (or a tiny fake one).
        let small: Vec<&ChangeEvent> = events
            .iter()
            .filter(|e| serde_json::to_string(e).unwrap().len() <= 4096)
            .take(40)
            .collect();
        let pdfs: Vec<(uuid::Uuid, Vec<u8>)> = r
            .pdfs()
            .map(|p| p.unwrap())
            .map(|(u, _, b)| (u, b))
            .collect();
        for with_pdf in [false, true] {
            let name = format!("{stem}-small{}", if with_pdf { "-pdf" } else { "" });
            let file = remake(&out, &name, r.manifest(), &small, with_pdf, &pdfs);
            let bytes = std::fs::read(&file).unwrap();
            let got = bundle::open_raw(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(got.0, small.len());
            std::fs::rename(&file, out.join("bundle_open").join(format!("{name}.ecrfb"))).unwrap();
            let m = members_of(&bytes);
            let seed = encode_members(&m).expect("no separator in the members");
            assert_eq!(bundle::open_members(&seed), Ok(got), "{name} as members");
            std::fs::write(out.join("bundle_members").join(format!("{name}.bin")), seed).unwrap();
        }
    }
    for (t, e) in &by_type {
        let text = serde_json::to_vec(e).unwrap();
        assert_eq!(event::run(&text), Some(true), "{t}");
        std::fs::write(out.join("change_event").join(format!("{t}.json")), text).unwrap();
    }
    for (i, name) in definition::file_names().iter().enumerate() {
        let text = ecrf_core::definition::builtin_files()[name].clone();
        let mut seed = vec![i as u8];
        seed.extend_from_slice(text.as_bytes());
        assert!(definition::run(&seed), "{name}");
        let base = name.replace('/', "_");
        std::fs::write(out.join("definition").join(format!("{i:02}-{base}")), seed).unwrap();
    }
    let forms = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/ecrf-cli/tests/forms");
    let mut n = 0;
    for entry in std::fs::read_dir(&forms).unwrap() {
        let p = entry.unwrap().path();
        let id = p.file_stem().unwrap().to_string_lossy().into_owned();
        let Some(sel) = form_data::selector(&id) else {
            continue;
        };
        let mut seed = vec![sel];
        seed.extend(std::fs::read(&p).unwrap());
        assert!(form_data::run(&seed).is_some(), "{id}");
        std::fs::write(out.join("form_data").join(format!("{id}.json")), seed).unwrap();
        n += 1;
    }
    let dm = form_data::selector("DM").unwrap();
    let lab = form_data::selector("LAB").unwrap();
    let hostile: &[(&str, u8, &str)] = &[
        (
            "dm-types",
            dm,
            r#"{"SEX": 1, "HEIGHT": "NaN", "WEIGHT": [58], "ICDAT": "0000-01-01", "BRTHDAT": "9999"}"#,
        ),
        (
            "dm-numbers",
            dm,
            r#"{"HEIGHT": -0.0, "WEIGHT": 1e308, "ICDAT": "2024-02-30", "BRTHDAT": "2024-13"}"#,
        ),
        (
            "lab-special",
            lab,
            r#"{"LBDAT": "2026-01-01", "ANC": {"blq": 0.5}, "WBC": {"not_done": "haemolysed"}, "PLT": {"code": "UNK"}, "LBTIM": "24:00"}"#,
        ),
        (
            "lab-nested",
            lab,
            r#"{"ANC": {"blq": {"blq": {"blq": 1}}}, "CRP": "1.2.3", "IL6": "+-1"}"#,
        ),
    ];
    for (name, sel, text) in hostile {
        let mut seed = vec![*sel];
        seed.extend_from_slice(text.as_bytes());
        std::fs::write(
            out.join("form_data").join(format!("hostile-{name}.json")),
            seed,
        )
        .unwrap();
    }
    println!(
        "{} bundles, {} event types, {} definition files, {n} forms",
        bundles.len(),
        by_type.len(),
        definition::file_names().len()
    );
}

/// A bundle of `events` with `manifest`'s header, signed with the fuzzing key.
fn remake(
    out: &Path,
    name: &str,
    manifest: &ecrf_bundle::Manifest,
    events: &[&ChangeEvent],
    with_pdf: bool,
    real_pdfs: &[(uuid::Uuid, Vec<u8>)],
) -> PathBuf {
    let file = out.join(format!("{name}.tmp.ecrfb"));
    let _ = std::fs::remove_file(&file);
    let header = BundleHeader {
        study: manifest.study.clone(),
        definition_version: manifest.definition_version.clone(),
        origin: Origin {
            public_key: fuzz_public_hex(),
            ..manifest.origin.clone()
        },
        destination: manifest.destination,
        full: manifest.full,
        created_at: manifest.created_at.clone(),
    };
    let mut w = BundleWriter::create(&file, header).unwrap();
    for e in events {
        w.push_event(e).unwrap();
    }
    if with_pdf && !real_pdfs.is_empty() {
        for (u, b) in real_pdfs {
            w.add_pdf(*u, b).unwrap();
        }
    } else if with_pdf {
        let pdf =
            b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
        w.add_pdf(uuid_of(name), pdf).unwrap();
    }
    w.finish(&fuzz_key()).unwrap();
    file
}

/// A uuid derived from the seed's name (seeds are reproducible).
fn uuid_of(name: &str) -> uuid::Uuid {
    use sha2::Digest;
    let h = sha2::Sha256::digest(name.as_bytes());
    uuid::Uuid::from_bytes(h[..16].try_into().unwrap())
}

/// The members of a bundle file, as the `bundle_members` input describes them.
fn members_of(bytes: &[u8]) -> Members {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut manifest = Vec::new();
    let mut members = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut content = Vec::new();
        f.read_to_end(&mut content).unwrap();
        if f.name() == "manifest.json" {
            manifest = content;
        } else {
            members.push((f.name().as_bytes().to_vec(), content));
        }
    }
    Members {
        fix_hashes: true,
        fix_key: true,
        stored: false,
        fix_counts: true,
        manifest,
        members,
    }
}
