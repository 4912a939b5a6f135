//! Good bundles round-trip; the writer keeps its promises.

mod common;

use common::*;
use ecrf_bundle::{
    fingerprint, BundleError, BundleReader, BundleWriter, CHUNK_EVENTS, FORMAT, FORMAT_VERSION,
    MAX_COMPRESSION_RATIO,
};
use ecrf_core::event::ChangeEvent;
use sha2::{Digest, Sha256};
use uuid::Uuid;

fn read_all(r: &BundleReader) -> Vec<ChangeEvent> {
    r.event_chunks()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
        .into_iter()
        .flatten()
        .collect()
}

#[test]
fn round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let evs = events(400, 1);
    let w = write_good(dir.path(), "out.ecrfb", &evs);
    let k = origin_key();

    let r = BundleReader::open(&w.path).unwrap();
    let m = r.manifest();
    assert_eq!(m, &w.manifest);
    assert_eq!(m.format, FORMAT);
    assert_eq!(m.format_version, FORMAT_VERSION);
    assert_eq!(m.study, "CART-19-LBCL");
    assert_eq!(m.definition_version, "1.0");
    assert_eq!(m.origin, header(&k).origin);
    assert_eq!(m.destination, Some(CENTRAL_NODE));
    assert!(!m.full);
    assert_eq!(m.created_at, "2026-11-24T10:00:00.000Z");
    assert_eq!(m.counts.events, 400);
    assert_eq!(m.counts.pdfs, 2);

    // Streams in first-push order, contiguous ranges.
    let first_stream = &evs[0].id.stream;
    assert_eq!(m.streams.len(), 2);
    assert_eq!(&m.streams[0].stream, first_stream);
    for s in &m.streams {
        let n = evs.iter().filter(|e| e.id.stream == s.stream).count() as u64;
        assert_eq!(
            (s.node, s.epoch, s.first, s.last, s.count),
            (ORIGIN_NODE, 1, 1, n, n)
        );
    }

    // Members: the events first, then the PDFs in the order added; the manifest lists them all.
    let names: Vec<_> = m.members.iter().map(|m| m.name.as_str()).collect();
    let sha1 = hex::encode(Sha256::digest(&w.pdfs[0].1));
    let sha2 = hex::encode(Sha256::digest(&w.pdfs[1].1));
    assert_eq!(
        names,
        [
            "events/000001.jsonl".to_string(),
            format!("pdfs/{sha1}.pdf"),
            format!("pdfs/{sha2}.pdf")
        ]
    );
    assert_eq!(m.members[0].events, Some(400));
    assert_eq!(m.members[1].signature, Some(Uuid::from_u128(0xa1)));
    let archive_names: Vec<_> = layout(&w.path).members.into_iter().map(|m| m.0).collect();
    assert_eq!(&archive_names[..3], &names[..]);
    assert_eq!(archive_names[3], "manifest.json");

    assert_eq!(read_all(&r), evs);
    let pdfs: Vec<_> = r.pdfs().collect::<Result<_, _>>().unwrap();
    assert_eq!(
        pdfs,
        vec![
            (w.pdfs[0].0, sha1, w.pdfs[0].1.clone()),
            (w.pdfs[1].0, sha2, w.pdfs[1].1.clone())
        ]
    );

    // The fingerprint is that of ecrf_services::node::fingerprint: hex(sha256(raw key)).
    let raw = k.verifying_key().to_bytes();
    assert_eq!(r.fingerprint(), hex::encode(Sha256::digest(raw)));
    assert_eq!(r.fingerprint(), fingerprint(&public_hex(&k)).unwrap());
    assert!(fingerprint("zz").is_err());
    assert!(fingerprint("abcd").is_err());

    // Nothing else is left beside the bundle.
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(files, ["out.ecrfb"]);
}

#[test]
fn large_bundles_are_chunked() {
    let dir = tempfile::tempdir().unwrap();
    let evs = events(2 * CHUNK_EVENTS + 123, 2);
    let w = write_good(dir.path(), "big.ecrfb", &evs);
    let events_members: Vec<_> = w
        .manifest
        .members
        .iter()
        .filter_map(|m| m.events.map(|n| (m.name.clone(), n)))
        .collect();
    assert_eq!(
        events_members,
        [
            ("events/000001.jsonl".into(), CHUNK_EVENTS as u64),
            ("events/000002.jsonl".into(), CHUNK_EVENTS as u64),
            ("events/000003.jsonl".into(), 123)
        ]
    );
    let r = BundleReader::open(&w.path).unwrap();
    let chunks: Vec<_> = r.event_chunks().collect::<Result<_, _>>().unwrap();
    assert_eq!(
        chunks.iter().map(Vec::len).collect::<Vec<_>>(),
        [CHUNK_EVENTS, CHUNK_EVENTS, 123]
    );
    assert_eq!(chunks.concat(), evs);
}

#[test]
fn empty_bundle_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let k = origin_key();
    let path = dir.path().join("empty.ecrfb");
    let m = BundleWriter::create(&path, header(&k))
        .unwrap()
        .finish(&k)
        .unwrap();
    assert!(m.members.is_empty() && m.streams.is_empty());
    let r = BundleReader::open(&path).unwrap();
    assert_eq!(r.event_chunks().count(), 0);
    assert_eq!(r.pdfs().count(), 0);
}

/// Realistic event JSONL compresses far less than the 200:1 limit.
#[test]
fn realistic_compression_ratio_is_well_below_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let evs = events(2 * CHUNK_EVENTS, 3);
    let w = write_good(dir.path(), "ratio.ecrfb", &evs);
    let mut a = zip::ZipArchive::new(std::fs::File::open(&w.path).unwrap()).unwrap();
    for i in 0..a.len() {
        let f = a.by_index_raw(i).unwrap();
        let ratio = f.size() as f64 / f.compressed_size() as f64;
        println!(
            "{}: {} bytes, {} compressed, ratio {ratio:.1}:1",
            f.name(),
            f.size(),
            f.compressed_size()
        );
        if f.name().starts_with("events/") {
            assert!(ratio < (MAX_COMPRESSION_RATIO / 4) as f64, "ratio {ratio}");
        }
    }

    // The most repetitive valid content: one stream, the same small payload every time; only
    // the sequence, clock and content hash change from line to line.
    let path = dir.path().join("repetitive.ecrfb");
    let k = origin_key();
    let mut w = BundleWriter::create(&path, header(&k)).unwrap();
    let template = event_at(ORIGIN_NODE, "S01", 1);
    for seq in 1..=CHUNK_EVENTS as u64 {
        let mut c = template.content();
        c.id.seq = seq;
        c.hlc = ecrf_core::hlc::Hlc::new(1_790_000_000_000 + seq, 0);
        c.payload = ecrf_core::event::Payload::Acknowledged {
            node: CENTRAL_NODE,
            epoch: 1,
            stream: "S01".into(),
            up_to: 7,
        };
        w.push_event(&c.seal().unwrap()).unwrap();
    }
    w.finish(&k).unwrap();
    let mut a = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let f = a.by_name("events/000001.jsonl").unwrap();
    let ratio = f.size() as f64 / f.compressed_size() as f64;
    println!(
        "repetitive events: {} bytes, {} compressed, ratio {ratio:.1}:1",
        f.size(),
        f.compressed_size()
    );
    assert!(ratio < (MAX_COMPRESSION_RATIO / 4) as f64, "ratio {ratio}");
}

#[test]
fn writer_refuses_an_existing_file_and_leaves_nothing_on_failure() {
    let dir = tempfile::tempdir().unwrap();
    let k = origin_key();
    let path = dir.path().join("x.ecrfb");
    std::fs::write(&path, b"already here").unwrap();
    let e = BundleWriter::create(&path, header(&k)).err().unwrap();
    assert!(matches!(e, BundleError::AlreadyExists { .. }), "{e}");
    assert!(e.to_string().contains("already exists"));
    std::fs::remove_file(&path).unwrap();

    // Dropped before finish: no partial files, no bundle.
    let evs = events(50, 4);
    let mut w = BundleWriter::create(&path, header(&k)).unwrap();
    for e in &evs {
        w.push_event(e).unwrap();
    }
    w.add_pdf(Uuid::from_u128(1), &fake_pdf(1, 100)).unwrap();
    assert!(dir.path().join("x.ecrfb.partial").exists());
    assert!(dir.path().join("x.ecrfb.pdfs.partial").exists());
    drop(w);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

    // Finished with another key than the origin's: refused, nothing left.
    let mut w = BundleWriter::create(&path, header(&k)).unwrap();
    w.push_event(&evs[0]).unwrap();
    let e = w.finish(&key(99)).unwrap_err();
    assert!(matches!(e, BundleError::KeyMismatch { .. }), "{e}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

    // The final name taken while writing: refused, never overwritten.
    let w = BundleWriter::create(&path, header(&k)).unwrap();
    std::fs::write(&path, b"someone else's").unwrap();
    let e = w.finish(&k).unwrap_err();
    assert!(matches!(e, BundleError::AlreadyExists { .. }), "{e}");
    assert_eq!(std::fs::read(&path).unwrap(), b"someone else's");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn writer_refuses_bad_events_and_pdfs() {
    let dir = tempfile::tempdir().unwrap();
    let k = origin_key();
    let path = dir.path().join("x.ecrfb");
    let evs = events(30, 5);
    let mut w = BundleWriter::create(&path, header(&k)).unwrap();
    let s01: Vec<_> = evs.iter().filter(|e| e.id.stream == "S01").collect();
    w.push_event(s01[1]).unwrap();
    // Not after the last of its stream: refused (same or lower sequence).
    for e in [s01[0], s01[1]] {
        let err = w.push_event(e).unwrap_err();
        assert!(matches!(err, BundleError::EventRejected { .. }), "{err}");
        assert!(err.to_string().contains("does not follow 2"), "{err}");
    }
    // A gap is allowed.
    w.push_event(s01[5]).unwrap();
    // A bad content hash is refused.
    let mut bad = s01[6].clone();
    bad.captured_at = "2000-01-01T00:00:00.000Z".into();
    let err = w.push_event(&bad).unwrap_err();
    assert!(err.to_string().contains("content hash"), "{err}");
    // The same PDF twice is refused.
    let pdf = fake_pdf(1, 100);
    w.add_pdf(Uuid::from_u128(1), &pdf).unwrap();
    let err = w.add_pdf(Uuid::from_u128(2), &pdf).unwrap_err();
    assert!(matches!(err, BundleError::PdfRejected { .. }), "{err}");
    // Refusals leave the writer usable.
    let m = w.finish(&k).unwrap();
    assert_eq!(m.counts.events, 2);
    assert_eq!(
        (m.streams[0].first, m.streams[0].last, m.streams[0].count),
        (2, 6, 2)
    );
    let r = BundleReader::open(&path).unwrap();
    assert_eq!(read_all(&r).len(), 2);

    // Bad headers.
    let mut h = header(&k);
    h.origin.role = "monitor".into();
    let err = BundleWriter::create(&dir.path().join("y.ecrfb"), h)
        .err()
        .unwrap();
    assert!(matches!(err, BundleError::BadHeader { .. }), "{err}");
    let mut h = header(&k);
    h.origin.public_key = "00".repeat(31);
    assert!(BundleWriter::create(&dir.path().join("y.ecrfb"), h).is_err());
}

/// A bundle whose manifest names another key, signed by that key, opens: authenticity of the
/// origin is for the caller to decide from `fingerprint()` (is this an accepted node?).
#[test]
fn the_caller_judges_the_key_by_its_fingerprint() {
    let dir = tempfile::tempdir().unwrap();
    let w = write_good(dir.path(), "a.ecrfb", &events(100, 6));
    let mut members = unpack(&w.path);
    let mut m = manifest_of(&members);
    let intruder = key(66);
    m.origin.public_key = public_hex(&intruder);
    set_manifest(&mut members, &m);
    let p = dir.path().join("b.ecrfb");
    repack(&p, &members, Some(&intruder));
    let r = BundleReader::open(&p).unwrap();
    assert_ne!(
        r.fingerprint(),
        fingerprint(&public_hex(&origin_key())).unwrap()
    );
    assert_eq!(
        r.fingerprint(),
        fingerprint(&public_hex(&intruder)).unwrap()
    );
}

/// More than 65535 members: the archive needs ZIP64 end records, which the reader parses.
#[test]
fn zip64_member_counts_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let k = origin_key();
    let path = dir.path().join("many.ecrfb");
    let mut w = BundleWriter::create(&path, header(&k)).unwrap();
    let evs = events(10, 7);
    for e in &evs {
        w.push_event(e).unwrap();
    }
    let n = 65_600u32;
    for i in 0..n {
        w.add_pdf(Uuid::from_u128(i.into()), &i.to_le_bytes())
            .unwrap();
    }
    let m = w.finish(&k).unwrap();
    assert_eq!(m.members.len(), n as usize + 1);
    let bytes = std::fs::read(&path).unwrap();
    // The ZIP64 end-of-central-directory locator sits just before the end record.
    let eocd = bytes.len() - 160;
    assert_eq!(&bytes[eocd - 20..eocd - 16], b"PK\x06\x07");
    let r = BundleReader::open(&path).unwrap();
    assert_eq!(read_all(&r), evs);
    let pdfs: Vec<_> = r.pdfs().collect::<Result<_, _>>().unwrap();
    assert_eq!(pdfs.len(), n as usize);
    assert_eq!(pdfs[12345].2, 12345u32.to_le_bytes());
}
