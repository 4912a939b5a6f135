//! Bad bundles as data: each case makes a file from a good bundle and names the error variant
//! and a fragment of the message it must be refused with.

mod common;

use common::*;
use ecrf_bundle::{sign_in_place, BundleError, BundleReader, CHUNK_EVENTS};
use ecrf_core::event::{ChangeEvent, Payload};
use proptest::prelude::*;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use uuid::Uuid;
use zip::CompressionMethod;

/// One good bundle with three events members and two PDFs, written once per test binary.
struct Good {
    _dir: tempfile::TempDir,
    path: PathBuf,
    bytes: Vec<u8>,
    members: Vec<Raw>,
}

fn good() -> &'static Good {
    static GOOD: OnceLock<Good> = OnceLock::new();
    GOOD.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let w = write_good(
            dir.path(),
            "good.ecrfb",
            &events(2 * CHUNK_EVENTS + 300, 11),
        );
        let bytes = std::fs::read(&w.path).unwrap();
        let members = unpack(&w.path);
        Good {
            path: w.path,
            _dir: dir,
            bytes,
            members,
        }
    })
}

/// Opens the bundle and reads all its events and PDFs: the first error, if any. With
/// `on_read`, opened as the import opens it (each member's content checked when read).
fn verify(path: &Path, on_read: bool) -> Result<(), BundleError> {
    let r = if on_read {
        BundleReader::open_checking_members_on_read(path)?
    } else {
        BundleReader::open(path)?
    };
    for c in r.event_chunks() {
        c?;
    }
    for p in r.pdfs() {
        p?;
    }
    Ok(())
}

fn with_bytes(f: impl Fn(&mut Vec<u8>)) -> impl Fn(&Path) {
    move |p: &Path| {
        let mut b = good().bytes.clone();
        f(&mut b);
        std::fs::write(p, b).unwrap();
    }
}

fn flip(at: fn(&Layout) -> u64) -> impl Fn(&Path) {
    move |p: &Path| {
        let l = layout(&good().path);
        let mut b = good().bytes.clone();
        b[at(&l) as usize] ^= 0x01;
        std::fs::write(p, b).unwrap();
    }
}

/// Rebuilds the good bundle after `f` changed its members (and, if it wants, its manifest),
/// then signs it with `key` (`None`: left unsigned, with the placeholder signature).
fn members_then(
    key: Option<ed25519_dalek::SigningKey>,
    f: impl Fn(&mut Vec<Raw>),
) -> impl Fn(&Path) {
    move |p: &Path| {
        let mut m = good().members.clone();
        f(&mut m);
        repack(p, &m, key.as_ref());
    }
}

/// Edits the manifest of the good bundle, re-signed by the origin key.
fn manifest_then(f: impl Fn(&mut ecrf_bundle::Manifest, &mut Vec<Raw>)) -> impl Fn(&Path) {
    members_then(Some(origin_key()), move |members| {
        let mut m = manifest_of(members);
        f(&mut m, members);
        set_manifest(members, &m);
    })
}

/// Replaces the events of `events/000001.jsonl` with `f(events)`, manifest entry refreshed,
/// re-signed by the origin key.
fn events_then(f: impl Fn(&mut Vec<ChangeEvent>)) -> impl Fn(&Path) {
    manifest_then(move |m, members| {
        let raw = get(members, "events/000001.jsonl");
        let mut evs = lines(raw);
        f(&mut evs);
        raw.bytes = jsonl(&evs);
        let raw = raw.clone();
        refresh(m, &raw);
    })
}

fn swap_events_members(members: &mut [Raw]) {
    let a = get(members, "events/000001.jsonl").bytes.clone();
    let b = get(members, "events/000002.jsonl").bytes.clone();
    get(members, "events/000001.jsonl").bytes = b;
    get(members, "events/000002.jsonl").bytes = a;
}

fn extra(name: &'static str) -> impl Fn(&Path) {
    members_then(Some(origin_key()), move |m| {
        m.insert(1, Raw::new(name, b"hello".to_vec()))
    })
}

struct Case {
    name: &'static str,
    make: Box<dyn Fn(&Path)>,
    variant: &'static str,
    fragment: &'static str,
}

fn case(
    name: &'static str,
    make: impl Fn(&Path) + 'static,
    variant: &'static str,
    fragment: &'static str,
) -> Case {
    Case {
        name,
        make: Box::new(make),
        variant,
        fragment,
    }
}

fn cases() -> Vec<Case> {
    let mut v = vec![
        // Not bundles at all.
        case(
            "empty file",
            |p: &Path| std::fs::write(p, b"").unwrap(),
            "NotABundle",
            "not an eCRF bundle",
        ),
        case(
            "text file",
            |p: &Path| std::fs::write(p, "subject,visit\nS01-001,SCR\n".repeat(20)).unwrap(),
            "NotABundle",
            "not a ZIP file",
        ),
        case(
            "plain zip without signature",
            |p: &Path| {
                let mut z = zip::ZipWriter::new(std::fs::File::create(p).unwrap());
                z.start_file("manifest.json", zip::write::SimpleFileOptions::default())
                    .unwrap();
                std::io::Write::write_all(&mut z, b"{}").unwrap();
                z.finish().unwrap();
            },
            "NotABundle",
            "ZIP file without a bundle signature",
        ),
    ];

    // Truncated at several cut points.
    for (name, cut) in [
        ("truncated by 1 byte", 1usize),
        ("truncated by the signature", 128),
        ("truncated by the comment", 138),
        ("truncated by the end record", 160),
        ("truncated inside the central directory", 400),
    ] {
        v.push(case(
            name,
            with_bytes(move |b| b.truncate(b.len() - cut)),
            "Truncated",
            "is incomplete",
        ));
    }
    v.push(case(
        "truncated to half",
        with_bytes(|b| b.truncate(b.len() / 2)),
        "Truncated",
        "copy was probably interrupted",
    ));
    v.push(case(
        "truncated to 100 bytes",
        with_bytes(|b| b.truncate(100)),
        "Truncated",
        "is incomplete",
    ));
    v.push(case(
        "truncated to 10 bytes",
        with_bytes(|b| b.truncate(10)),
        "Truncated",
        "is incomplete",
    ));
    v.push(case(
        "bytes appended",
        with_bytes(|b| b.extend_from_slice(b"\0\0\0\0")),
        "Truncated",
        "is incomplete",
    ));

    // One flipped byte.
    v.extend([
        case(
            "flip in events data",
            flip(|l| l.members[0].2 + 1000),
            "BadSignature",
            "does not verify",
        ),
        case(
            "flip in PDF data",
            flip(|l| l.members[4].2 + 10),
            "BadSignature",
            "does not verify",
        ),
        case(
            "flip in manifest data",
            flip(|l| l.members[5].2 + 3),
            "Damaged",
            "member manifest.json cannot be read",
        ),
        case(
            "flip in local header CRC",
            flip(|l| l.members[1].1 + 14),
            "BadSignature",
            "does not verify",
        ),
        case(
            "flip in local header name",
            flip(|l| l.members[0].1 + 30),
            "BadSignature",
            "does not verify",
        ),
        case(
            "flip in local header signature",
            flip(|l| l.members[0].1),
            "BadSignature",
            "does not verify",
        ),
        case(
            "flip in central directory name",
            flip(|l| l.members[2].3 + 46 + 8),
            "BadSignature",
            "does not verify",
        ),
        case(
            "flip in central directory size field",
            flip(|l| l.members[2].3 + 24),
            "BadSignature",
            "does not verify",
        ),
        case(
            "flip in central directory signature",
            flip(|l| l.central_start),
            "Damaged",
            "bad central directory entry",
        ),
        case(
            "flip in end record directory offset",
            flip(|l| l.eocd + 16),
            "Damaged",
            "is damaged",
        ),
        case(
            "flip in end record entry count",
            flip(|l| l.eocd + 10),
            "Damaged",
            "is damaged",
        ),
        case(
            "flip in end record comment length",
            flip(|l| l.eocd + 20),
            "Truncated",
            "is incomplete",
        ),
        case(
            "flip in signature prefix",
            flip(|l| l.eocd + 22),
            "BadSignature",
            "does not verify",
        ),
        case(
            "flip in signature hex (first)",
            flip(|l| l.len - 128),
            "BadSignature",
            "does not verify",
        ),
        case(
            "flip in signature hex (last)",
            flip(|l| l.len - 1),
            "BadSignature",
            "does not verify",
        ),
        case(
            "signature hex upper-cased",
            with_bytes(|b| {
                let n = b.len();
                b[n - 128..].make_ascii_uppercase();
            }),
            "BadSignature",
            "does not verify",
        ),
    ]);

    v.extend([
        // Members exchanged: whoever signs, the origin's key in the manifest refuses it...
        case(
            "swapped events members, re-signed with another key",
            members_then(Some(key(66)), |m| swap_events_members(m)),
            "BadSignature",
            "not signed by the key named in its manifest",
        ),
        case(
            "swapped events members, not re-signed",
            members_then(None, |m| swap_events_members(m)),
            "BadSignature",
            "changed after it was signed",
        ),
        case(
            "swapped events members, original signature kept",
            |p: &Path| {
                let mut m = good().members.clone();
                swap_events_members(&mut m);
                repack(p, &m, None);
                let sig = &good().bytes[good().bytes.len() - 128..];
                let mut b = std::fs::read(p).unwrap();
                let n = b.len();
                b[n - 128..].copy_from_slice(sig);
                std::fs::write(p, b).unwrap();
            },
            "BadSignature",
            "does not verify",
        ),
        // ...and signed by the origin's own key, the hashes in the manifest do.
        case(
            "swapped events members, signed by the origin key",
            members_then(Some(origin_key()), |m| swap_events_members(m)),
            "HashMismatch",
            "member events/000001.jsonl of",
        ),
        case(
            "forged signature (valid, by another key)",
            |p: &Path| {
                std::fs::write(p, &good().bytes).unwrap();
                sign_in_place(p, &key(66)).unwrap();
            },
            "BadSignature",
            "does not verify",
        ),
    ]);
    v.push(case(
        "manifest changed, not re-signed",
        members_then(None, |members| {
            let mut m = manifest_of(members);
            m.full = true;
            set_manifest(members, &m);
        }),
        "BadSignature",
        "does not verify",
    ));

    // Members and the manifest disagree (all properly signed by the origin key).
    v.extend([
        case(
            "manifest lists a missing member",
            manifest_then(|m, _| {
                let sha = hex::encode(Sha256::digest(b"gone"));
                m.members.push(ecrf_bundle::Member {
                    name: format!("pdfs/{sha}.pdf"),
                    sha256: sha,
                    size: 4,
                    events: None,
                    signature: Some(Uuid::from_u128(0xdead)),
                });
                m.counts.pdfs += 1;
            }),
            "MissingMember",
            "listed in the manifest of",
        ),
        case(
            "events member missing",
            members_then(Some(origin_key()), |m| {
                m.retain(|r| r.name != "events/000002.jsonl")
            }),
            "MissingMember",
            "member events/000002.jsonl listed in the manifest",
        ),
        case(
            "extra member not in manifest (valid name)",
            extra("pdfs/0000000000000000000000000000000000000000000000000000000000000000.pdf"),
            "NotInManifest",
            "is not in the manifest",
        ),
        case(
            "extra member not in manifest (other name)",
            extra("notes.txt"),
            "NotInManifest",
            "member notes.txt of",
        ),
        case(
            "duplicate member name",
            members_then(Some(origin_key()), |m| {
                let dup = get(m, "events/000001.jsonl").clone();
                m.insert(3, dup);
            }),
            "DuplicateMember",
            "contains member events/000001.jsonl more than once",
        ),
        case(
            "duplicate manifest",
            members_then(Some(origin_key()), |m| {
                let dup = get(m, "manifest.json").clone();
                m.insert(0, dup);
            }),
            "DuplicateMember",
            "manifest.json more than once",
        ),
        case(
            "traversal name ../x",
            extra("../x"),
            "UnsafeName",
            "unsafe name \"../x\" (path traversal",
        ),
        case(
            "absolute name /etc/x",
            extra("/etc/x"),
            "UnsafeName",
            "unsafe name \"/etc/x\" (absolute",
        ),
        case(
            "traversal name events/../../x",
            extra("events/../../x"),
            "UnsafeName",
            "(path traversal",
        ),
        case(
            "backslash name a\\b",
            extra("a\\b"),
            "UnsafeName",
            "(backslash)",
        ),
        case(
            "drive letter name C:x",
            extra("C:/x"),
            "UnsafeName",
            "drive letter",
        ),
        case("NUL in name", extra("pdf\0.pdf"), "UnsafeName", "NUL"),
        case(
            "manifest lists an unsafe name",
            manifest_then(|m, _| m.members[0].name = "../events/000001.jsonl".into()),
            "UnsafeName",
            "unsafe name",
        ),
        case(
            "members out of the manifest's order",
            members_then(Some(origin_key()), |m| m.swap(0, 1)),
            "BadManifest",
            "not where the manifest lists it",
        ),
        case(
            "stored instead of deflated",
            members_then(Some(origin_key()), |m| {
                get(m, "events/000002.jsonl").method = CompressionMethod::Stored
            }),
            "UnsupportedCompression",
            "member events/000002.jsonl of",
        ),
    ]);

    // The manifest itself (properly signed).
    v.extend([
        case(
            "unknown format version",
            manifest_then(|m, _| m.format_version = 2),
            "UnknownFormatVersion",
            "unknown bundle format version 2 (this program reads version 1)",
        ),
        case(
            "unknown format",
            manifest_then(|m, _| m.format = "zip-of-things".into()),
            "UnknownFormat",
            "\"zip-of-things\"",
        ),
        case(
            "unknown manifest field",
            members_then(Some(origin_key()), |members| {
                let raw = get(members, "manifest.json");
                let mut v: serde_json::Value = serde_json::from_slice(&raw.bytes).unwrap();
                v["extra"] = serde_json::json!(1);
                raw.bytes = serde_json::to_vec(&v).unwrap();
            }),
            "BadManifest",
            "unknown field `extra`",
        ),
        case(
            "manifest is not JSON",
            members_then(Some(origin_key()), |m| {
                get(m, "manifest.json").bytes = b"{not json".to_vec()
            }),
            "Damaged",
            "manifest is not JSON",
        ),
        case(
            "manifest without public key",
            members_then(Some(origin_key()), |m| {
                get(m, "manifest.json").bytes = b"{}".to_vec()
            }),
            "BadPublicKey",
            "origin.public_key is missing",
        ),
        case(
            "manifest key not a key",
            manifest_then(|m, _| m.origin.public_key = "ab".into()),
            "BadPublicKey",
            "no valid origin public key",
        ),
        case(
            "oversized manifest",
            manifest_then(|m, _| m.created_at = "x".repeat(17 << 20)),
            "MemberTooLarge",
            "member manifest.json of",
        ),
        case(
            "manifest counts disagree",
            manifest_then(|m, _| m.counts.events += 1),
            "BadManifest",
            "events",
        ),
        case(
            "manifest member size wrong",
            manifest_then(|m, _| m.members[1].size += 1),
            "SizeMismatch",
            "the manifest says",
        ),
        case(
            "manifest member hash wrong",
            manifest_then(|m, _| m.members[3].sha256 = "0".repeat(64)),
            "BadManifest",
            "must be named by its SHA-256",
        ),
        case(
            "events member numbering gap",
            members_then(Some(origin_key()), |members| {
                let mut m = manifest_of(members);
                m.members[2].name = "events/000004.jsonl".into();
                get(members, "events/000003.jsonl").name = "events/000004.jsonl".into();
                set_manifest(members, &m);
            }),
            "BadManifest",
            "out of sequence",
        ),
    ]);

    // The events (properly signed, member hashes right): refused by `event_chunks`.
    v.extend([
        case(
            "event with a bad content hash",
            events_then(|evs| {
                if let Payload::ValueSet { new, .. } = &mut evs[7].payload {
                    *new = serde_json::json!("tampered");
                } else {
                    evs[7].captured_at = "2000-01-01T00:00:00.000Z".into();
                }
            }),
            "EventHash",
            "(line 8 of member events/000001.jsonl of",
        ),
        case(
            "event of an undeclared stream",
            events_then(|evs| evs[10] = event_at(ORIGIN_NODE, "S99", 1)),
            "EventOutOfRange",
            "is outside the stream ranges declared in the manifest",
        ),
        case(
            "event beyond its stream's declared last",
            events_then(|evs| {
                let i = evs.iter().rposition(|e| e.id.stream == "ALL").unwrap();
                evs[i] = event_at(ORIGIN_NODE, "ALL", 100_000);
            }),
            "EventOutOfRange",
            ":1:ALL:100000",
        ),
        case(
            "event of another node",
            events_then(|evs| evs[0] = event_at(CENTRAL_NODE, "S01", 1)),
            "EventOutOfRange",
            "line 1 of member events/000001.jsonl",
        ),
        case(
            "events out of order",
            events_then(|evs| {
                let i = evs
                    .iter()
                    .position(|e| e.id.stream == "S01" && e.id.seq == 5)
                    .unwrap();
                let j = evs
                    .iter()
                    .position(|e| e.id.stream == "S01" && e.id.seq == 6)
                    .unwrap();
                evs.swap(i, j);
            }),
            "EventOrder",
            ":1:S01:5",
        ),
        case(
            "event line not JSON",
            members_then(Some(origin_key()), |members| {
                let mut m = manifest_of(members);
                let raw = get(members, "events/000001.jsonl");
                raw.bytes
                    .splice(0..0, b"{\"not\": \"an event\"}\n".iter().copied());
                let raw = raw.clone();
                refresh(&mut m, &raw);
                set_manifest(members, &m);
            }),
            "BadEventLine",
            "event line 1 of member events/000001.jsonl",
        ),
        case(
            "event line not terminated",
            members_then(Some(origin_key()), |members| {
                let mut m = manifest_of(members);
                let raw = get(members, "events/000001.jsonl");
                raw.bytes.pop();
                let raw = raw.clone();
                refresh(&mut m, &raw);
                set_manifest(members, &m);
            }),
            "BadEventLine",
            "has no end",
        ),
        case(
            "member holds fewer events than the manifest says",
            manifest_then(|m, members| {
                let raw = get(members, "events/000003.jsonl");
                let mut evs = lines(raw);
                evs.remove(0);
                raw.bytes = jsonl(&evs);
                let raw = raw.clone();
                refresh(m, &raw);
            }),
            "CountMismatch",
            "member events/000003.jsonl holds 299 events, the manifest says 300",
        ),
        case(
            "last event of a stream lost (counts adjusted, range not)",
            manifest_then(|m, members| {
                let raw = get(members, "events/000003.jsonl");
                let mut evs = lines(raw);
                let i = evs.iter().rposition(|e| e.id.stream == "S01").unwrap();
                evs.remove(i);
                raw.bytes = jsonl(&evs);
                let raw = raw.clone();
                refresh(m, &raw);
                let mb = m.members.iter_mut().find(|x| x.name == raw.name).unwrap();
                mb.events = Some(299);
                m.counts.events -= 1;
                m.streams
                    .iter_mut()
                    .find(|s| s.stream == "S01")
                    .unwrap()
                    .count -= 1;
            }),
            "CountMismatch",
            "the manifest says",
        ),
    ]);
    v
}

#[test]
fn bad_bundles_are_refused_with_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (i, c) in cases().iter().enumerate() {
        let p = dir.path().join(format!("case{i}.ecrfb"));
        (c.make)(&p);
        // Refused the same way whether the members are checked at open or when read.
        for on_read in [false, true] {
            let mode = if on_read { " (checked on read)" } else { "" };
            match verify(&p, on_read) {
                Ok(()) => failures.push(format!("{}{mode}: accepted", c.name)),
                Err(e) => {
                    let debug = format!("{e:?}");
                    let msg = e.to_string();
                    let path = p.display().to_string();
                    if !debug.starts_with(c.variant)
                        || !msg.contains(c.fragment)
                        || !msg.contains(&path)
                    {
                        failures.push(format!(
                            "{}{mode}: expected {} with {:?}, got {debug}\n    {msg}",
                            c.name, c.variant, c.fragment
                        ));
                    } else if !on_read {
                        println!("{:<58} {msg}", c.name);
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// 200 MB of zeros, deflated (about 1000:1), listed correctly in the manifest and signed by
/// the origin key: only the ratio check refuses it. Twice: with its true size declared, and
/// with the ZIP directory lying about it (the actual stream is what counts).
#[test]
fn compression_bomb_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let zeros = vec![0u8; 200_000_000];
    // One events member of 200 MB and the manifest, consistent in every other way.
    let mut members = vec![
        Raw::new("events/000001.jsonl", zeros),
        get(&mut good().members.clone(), "manifest.json").clone(),
    ];
    let mut m = manifest_of(&members);
    m.streams.truncate(1);
    m.streams[0].first = 1;
    m.streams[0].last = 1;
    m.streams[0].count = 1;
    m.counts.events = 1;
    m.counts.pdfs = 0;
    m.members.truncate(1);
    m.members[0].events = Some(1);
    refresh(&mut m, &members[0]);
    set_manifest(&mut members, &m);
    let p = dir.path().join("bomb.ecrfb");
    repack(&p, &members, Some(&origin_key()));
    let e = BundleReader::open(&p).err().unwrap();
    assert!(matches!(e, BundleError::CompressionBomb { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(msg.contains("member events/000001.jsonl of"), "{msg}");
    assert!(msg.contains("compressed suspiciously well"), "{msg}");
    assert!(msg.contains("possible compression bomb"), "{msg}");
    println!("{msg}");

    // The directory (and local header) claim 1000 bytes: the declared ratio looks fine, the
    // actual stream is cut off at 200 × the compressed size.
    let l = layout(&p);
    let (_, local, _, central) = l
        .members
        .iter()
        .find(|x| x.0 == "events/000001.jsonl")
        .unwrap()
        .clone();
    let mut b = std::fs::read(&p).unwrap();
    b[local as usize + 22..local as usize + 26].copy_from_slice(&1000u32.to_le_bytes());
    b[central as usize + 24..central as usize + 28].copy_from_slice(&1000u32.to_le_bytes());
    std::fs::write(&p, b).unwrap();
    sign_in_place(&p, &origin_key()).unwrap();
    let e = BundleReader::open(&p).err().unwrap();
    assert!(matches!(e, BundleError::CompressionBomb { .. }), "{e:?}");
    println!("{e}");
}

/// A member bigger than its limit, declared honestly or not.
#[test]
fn oversized_pdf_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut members = good().members.clone();
    let name = manifest_of(&members).members[3].name.clone();
    get(&mut members, &name).bytes = fake_pdf(9, 65 << 20);
    let p = dir.path().join("big.ecrfb");
    repack(&p, &members, Some(&origin_key()));
    let e = BundleReader::open(&p).err().unwrap();
    // The manifest still lists the right size for the original: the directory is checked first.
    assert!(matches!(e, BundleError::MemberTooLarge { .. }), "{e:?}");
    assert!(e.to_string().contains(&format!("member {name} of")), "{e}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Any one byte changed anywhere is refused by `open`: the signature covers the whole file.
    #[test]
    fn any_flipped_byte_is_refused_by_open(at in any::<prop::sample::Index>(), mask in 1u8..=255) {
        let small = small();
        let mut b = std::fs::read(&small.0).unwrap();
        let i = at.index(b.len());
        b[i] ^= mask;
        let p = small.1.path().join(format!("flip-{i}-{mask}.ecrfb"));
        std::fs::write(&p, &b).unwrap();
        let r = BundleReader::open(&p);
        std::fs::remove_file(&p).unwrap();
        prop_assert!(r.is_err(), "flip of byte {} (mask {:#04x}) accepted", i, mask);
    }
}

fn small() -> &'static (PathBuf, tempfile::TempDir) {
    static SMALL: OnceLock<(PathBuf, tempfile::TempDir)> = OnceLock::new();
    SMALL.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let w = write_good(dir.path(), "small.ecrfb", &events(300, 12));
        (w.path, dir)
    })
}
