//! Fixtures shared by the tests and the throughput example: realistic synthetic events, good
//! bundles, and the tools to take a bundle apart and put it back together (signed or not).
#![allow(dead_code)]

use ecrf_bundle::{
    placeholder_comment, sign_in_place, BundleHeader, BundleWriter, Manifest, Member, Origin,
};
use ecrf_core::address::FormRef;
use ecrf_core::event::{
    Actor, ChangeEvent, EventContent, EventId, Payload, Scope, SignatureMeaning, Target,
};
use ecrf_core::hlc::Hlc;
use ecrf_core::ids::SubjectId;
use ecrf_core::roles::Role;
use ed25519_dalek::SigningKey;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use uuid::Uuid;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

pub const ORIGIN_NODE: Uuid = Uuid::from_u128(0x5a1e_0001_0000_4000_8000_0000_0000_0001);
pub const CENTRAL_NODE: Uuid = Uuid::from_u128(0xce47_0001_0000_4000_8000_0000_0000_0001);

pub fn key(n: u8) -> SigningKey {
    SigningKey::from_bytes(&[n; 32])
}

pub fn origin_key() -> SigningKey {
    key(7)
}

pub fn public_hex(k: &SigningKey) -> String {
    hex::encode(k.verifying_key().to_bytes())
}

pub fn header(k: &SigningKey) -> BundleHeader {
    BundleHeader {
        study: "CART-19-LBCL".into(),
        definition_version: "1.0".into(),
        origin: Origin {
            node: ORIGIN_NODE,
            role: "site".into(),
            site: Some("S01".into()),
            epoch: 1,
            public_key: public_hex(k),
        },
        destination: Some(CENTRAL_NODE),
        full: false,
        created_at: "2026-11-24T10:00:00.000Z".into(),
    }
}

/// Items as a site enters them: (form, group, item, value generator).
fn value_for(
    rng: &mut StdRng,
    i: usize,
) -> (&'static str, &'static str, &'static str, serde_json::Value) {
    match i % 12 {
        0 => (
            "DM",
            "MAIN",
            "HEIGHT",
            json!(format!("{:.1}", rng.gen_range(150.0..195.0))),
        ),
        1 => (
            "DM",
            "MAIN",
            "WEIGHT",
            json!(format!("{:.1}", rng.gen_range(45.0..110.0))),
        ),
        2 => (
            "DM",
            "MAIN",
            "SEX",
            json!(if rng.gen_bool(0.5) { "M" } else { "F" }),
        ),
        3 => (
            "DM",
            "MAIN",
            "ICDAT",
            json!(format!(
                "2026-{:02}-{:02}",
                rng.gen_range(1..=12),
                rng.gen_range(1..=28)
            )),
        ),
        4 => (
            "DM",
            "MAIN",
            "BRTHDAT",
            json!(format!(
                "19{:02}-{:02}",
                rng.gen_range(40..=99),
                rng.gen_range(1..=12)
            )),
        ),
        5 => ("VS", "MAIN", "SYSBP", json!(rng.gen_range(95..=170))),
        6 => ("VS", "MAIN", "DIABP", json!(rng.gen_range(55..=100))),
        7 => (
            "VS",
            "MAIN",
            "TEMP",
            json!(format!("{:.1}", rng.gen_range(36.0..39.5))),
        ),
        8 => (
            "LB",
            "HEM",
            "WBC",
            json!(format!("{:.2}", rng.gen_range(0.5..12.0))),
        ),
        9 => (
            "LB",
            "HEM",
            "ANC",
            json!(format!("{:.2}", rng.gen_range(0.1..8.0))),
        ),
        10 => ("LB", "CHEM", "CRP", json!({"special": "blq", "limit": "5"})),
        _ => ("ELIG", "MAIN", "CD19POS", json!("Y")),
    }
}

/// One realistic event of `stream` with sequence `seq`.
fn event(rng: &mut StdRng, node: Uuid, stream: &str, seq: u64, subjects: usize) -> ChangeEvent {
    let n = rng.gen_range(1..=subjects);
    let subject = SubjectId::parse(&format!("S01-{n:03}")).unwrap();
    let visit = ["SCR", "D0", "D7", "D14", "D28", "M3"][rng.gen_range(0..6)];
    let wall = 1_790_000_000_000 + seq * 37_000 + rng.gen_range(0..1000);
    let (user, username) = if rng.gen_bool(0.7) {
        (Uuid::from_u128(0x11), "nurse.wang")
    } else {
        (Uuid::from_u128(0x12), "dr.li")
    };
    let kind = rng.gen_range(0..100);
    let payload = if stream == "ALL" {
        match kind % 3 {
            0 => Payload::UserPublished {
                user_id: Uuid::from_u128(rng.gen()),
                username: format!("user{seq}"),
                full_name: "Zhang Wei 张伟".into(),
                role: Role::Nurse,
                active: true,
                site: Some("S01".into()),
            },
            1 => Payload::Acknowledged {
                node: CENTRAL_NODE,
                epoch: 1,
                stream: "S01".into(),
                up_to: seq * 3,
            },
            _ => Payload::QueryClosed {
                query: Uuid::from_u128(rng.gen()),
                subject: subject.clone(),
                text: "Resolved after source document review.".into(),
            },
        }
    } else if kind < 70 {
        let which = rng.gen_range(0..1000);
        let (form, group, item, new) = value_for(rng, which);
        let fr = FormRef::new(subject.clone(), visit, 1, form, 1).unwrap();
        Payload::ValueSet {
            item: fr.item(group, 1, item),
            old: if rng.gen_bool(0.2) {
                json!("0")
            } else {
                json!(null)
            },
            new,
            base: rng.gen_bool(0.2).then(|| EventId {
                node,
                epoch: 1,
                stream: stream.into(),
                seq: seq.saturating_sub(rng.gen_range(1..50)).max(1),
            }),
            reason: rng
                .gen_bool(0.15)
                .then(|| "Transcription error corrected from source 转录错误".into()),
            definition_version: "1.0".into(),
        }
    } else if kind < 80 {
        Payload::FormCompleted {
            form: FormRef::new(subject.clone(), visit, 1, "VS", 1).unwrap(),
            definition_version: "1.0".into(),
        }
    } else if kind < 90 {
        let fr = FormRef::new(subject.clone(), visit, 1, "LB", 1).unwrap();
        Payload::QueryOpened {
            query: Uuid::from_u128(rng.gen()),
            target: Target::Item(fr.item("HEM", 1, "ANC")),
            text: "ANC below 0.5 ×10⁹/L: please confirm against the lab report.".into(),
            rule: Some("LB-04".into()),
        }
    } else if kind < 95 {
        Payload::Signed {
            signature: Uuid::from_u128(rng.gen()),
            scope: Scope::Form(FormRef::new(subject.clone(), visit, 1, "DM", 1).unwrap()),
            meaning: SignatureMeaning::Approval,
            printed_name: "Li Ming 李明".into(),
            content_hash: hex::encode(Sha256::digest(seq.to_le_bytes())),
            certificate: Some(hex::encode(Sha256::digest(b"cert"))),
            forms: vec![format!("{}/{visit}#1/DM#1", subject.as_str())],
        }
    } else {
        Payload::SubjectEnrolled {
            subject: subject.clone(),
            site: "S01".into(),
            definition_version: "1.0".into(),
        }
    };
    EventContent {
        id: EventId {
            node,
            epoch: 1,
            stream: stream.into(),
            seq,
        },
        hlc: Hlc::new(wall, 0),
        actor: Actor {
            user_id: user,
            username: username.into(),
        },
        captured_at: format!(
            "2026-09-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            1 + seq % 28,
            seq % 24,
            seq % 60,
            (seq * 7) % 60,
            seq % 1000
        ),
        payload,
    }
    .seal()
    .unwrap()
}

/// `n` realistic events in two streams of the origin node (`S01`, most of them, and `ALL`),
/// interleaved, sequences contiguous from 1 per stream.
pub fn events(n: usize, seed: u64) -> Vec<ChangeEvent> {
    let mut rng = StdRng::seed_from_u64(seed);
    let (mut s01, mut all) = (0u64, 0u64);
    let subjects = (n / 40).clamp(5, 999);
    (0..n)
        .map(|_| {
            if rng.gen_ratio(1, 10) {
                all += 1;
                event(&mut rng, ORIGIN_NODE, "ALL", all, subjects)
            } else {
                s01 += 1;
                event(&mut rng, ORIGIN_NODE, "S01", s01, subjects)
            }
        })
        .collect()
}

/// One event of an arbitrary stream and sequence, properly sealed.
pub fn event_at(node: Uuid, stream: &str, seq: u64) -> ChangeEvent {
    let mut rng = StdRng::seed_from_u64(seq);
    event(&mut rng, node, stream, seq, 10)
}

/// A small fake PDF: a header, a "compressed" (random) content stream, a trailer.
pub fn fake_pdf(seed: u64, len: usize) -> Vec<u8> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut v = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n4 0 obj\n<< /Length 0 /Filter /FlateDecode >>\nstream\n".to_vec();
    v.extend((0..len).map(|_| rng.gen::<u8>()));
    v.extend_from_slice(b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");
    v
}

pub struct Written {
    pub path: PathBuf,
    pub manifest: Manifest,
    pub events: Vec<ChangeEvent>,
    pub pdfs: Vec<(Uuid, Vec<u8>)>,
}

/// Writes a good bundle at `dir/name` with `n` events and two PDFs.
pub fn write_good(dir: &Path, name: &str, evs: &[ChangeEvent]) -> Written {
    let k = origin_key();
    let path = dir.join(name);
    let mut w = BundleWriter::create(&path, header(&k)).unwrap();
    let pdfs = vec![
        (Uuid::from_u128(0xa1), fake_pdf(1, 3000)),
        (Uuid::from_u128(0xa2), fake_pdf(2, 5000)),
    ];
    let half = evs.len() / 2;
    for e in &evs[..half] {
        w.push_event(e).unwrap();
    }
    // A PDF in the middle of the events: the archive still has the events first.
    w.add_pdf(pdfs[0].0, &pdfs[0].1).unwrap();
    for e in &evs[half..] {
        w.push_event(e).unwrap();
    }
    w.add_pdf(pdfs[1].0, &pdfs[1].1).unwrap();
    let manifest = w.finish(&k).unwrap();
    Written {
        path,
        manifest,
        events: evs.to_vec(),
        pdfs,
    }
}

/// A member as crafted: name, bytes, compression.
#[derive(Clone)]
pub struct Raw {
    pub name: String,
    pub bytes: Vec<u8>,
    pub method: CompressionMethod,
}

impl Raw {
    pub fn new(name: &str, bytes: Vec<u8>) -> Self {
        Raw {
            name: name.into(),
            bytes,
            method: CompressionMethod::Deflated,
        }
    }
}

/// The members of a bundle, in archive order, uncompressed.
pub fn unpack(path: &Path) -> Vec<Raw> {
    let mut a = ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..a.len())
        .map(|i| {
            let mut f = a.by_index(i).unwrap();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            Raw::new(f.name(), bytes)
        })
        .collect()
}

pub fn get<'a>(members: &'a mut [Raw], name: &str) -> &'a mut Raw {
    members.iter_mut().find(|m| m.name == name).unwrap()
}

pub fn manifest_of(members: &[Raw]) -> Manifest {
    let m = members.iter().find(|m| m.name == "manifest.json").unwrap();
    serde_json::from_slice(&m.bytes).unwrap()
}

pub fn set_manifest(members: &mut [Raw], manifest: &Manifest) {
    get(members, "manifest.json").bytes = serde_json::to_vec_pretty(manifest).unwrap();
}

/// The manifest entry describing `raw` (sha256 and size recomputed).
pub fn refresh(manifest: &mut Manifest, raw: &Raw) {
    let m: &mut Member = manifest
        .members
        .iter_mut()
        .find(|m| m.name == raw.name)
        .unwrap();
    m.sha256 = hex::encode(Sha256::digest(&raw.bytes));
    m.size = raw.bytes.len() as u64;
}

/// JSONL lines of an events member, and back.
pub fn lines(raw: &Raw) -> Vec<ChangeEvent> {
    raw.bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect()
}

pub fn jsonl(evs: &[ChangeEvent]) -> Vec<u8> {
    let mut v = Vec::new();
    for e in evs {
        serde_json::to_writer(&mut v, e).unwrap();
        v.push(b'\n');
    }
    v
}

/// Writes `members` as a ZIP archive with the placeholder signature comment, then signs it with
/// `key` (or leaves the placeholder when `None`). Names are written as given, byte for byte,
/// even names the zip crate would refuse or two equal names.
pub fn repack(path: &Path, members: &[Raw], key: Option<&SigningKey>) {
    let _ = std::fs::remove_file(path);
    let file = std::fs::File::create(path).unwrap();
    let mut z = ZipWriter::new(file);
    // Placeholder names of the same length, patched to the real ones afterwards.
    let placeholders: Vec<String> = members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let p = format!("{i}~");
            assert!(
                m.name.len() >= p.len(),
                "name too short to patch: {:?}",
                m.name
            );
            format!("{p}{}", "~".repeat(m.name.len() - p.len()))
        })
        .collect();
    for (m, p) in members.iter().zip(&placeholders) {
        let opts = SimpleFileOptions::default()
            .compression_method(m.method)
            .last_modified_time(zip::DateTime::default());
        z.start_file(p.as_str(), opts).unwrap();
        z.write_all(&m.bytes).unwrap();
    }
    z.set_comment(placeholder_comment());
    z.finish().unwrap();
    let mut bytes = std::fs::read(path).unwrap();
    let offsets: Vec<(u64, u64)> = {
        let mut a = ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
        (0..a.len())
            .map(|i| {
                let f = a.by_index_raw(i).unwrap();
                (f.header_start(), f.central_header_start())
            })
            .collect()
    };
    for (m, (local, central)) in members.iter().zip(offsets) {
        let n = m.name.len();
        bytes[local as usize + 30..local as usize + 30 + n].copy_from_slice(m.name.as_bytes());
        bytes[central as usize + 46..central as usize + 46 + n].copy_from_slice(m.name.as_bytes());
    }
    std::fs::write(path, &bytes).unwrap();
    if let Some(k) = key {
        sign_in_place(path, k).unwrap();
    }
}

/// Byte offsets of interest in a bundle: per member (name, local header, data, central header).
pub struct Layout {
    pub members: Vec<(String, u64, u64, u64)>,
    pub central_start: u64,
    pub eocd: u64,
    pub len: u64,
}

pub fn layout(path: &Path) -> Layout {
    let bytes = std::fs::read(path).unwrap();
    let mut a = ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    let members: Vec<_> = (0..a.len())
        .map(|i| {
            let f = a.by_index(i).unwrap();
            (
                f.name().to_string(),
                f.header_start(),
                f.data_start(),
                f.central_header_start(),
            )
        })
        .collect();
    let central_start = members.iter().map(|m| m.3).min().unwrap();
    let len = bytes.len() as u64;
    Layout {
        members,
        central_start,
        eocd: len - 160,
        len,
    }
}
