//! Harnesses of the bundle reader: `BundleReader::open` on a file, then every event chunk and
//! every PDF; the same with `open_checking_members_on_read` (the import's), which must accept
//! exactly the same files.
//!
//! A bundle is signed as a whole, so a mutated file almost always stops at the signature. To
//! reach what comes after it, both harnesses sign what they open with a fixed fuzzing key
//! ([`fuzz_key`]); the seeds name that key in their manifests.
//!
//! - [`open_raw`]: the input is the file. When it ends like a bundle (`ECRF-SIG1:` and 128
//!   characters) the last 128 bytes are replaced by a valid signature of the rest.
//! - [`open_members`]: the input describes the members ([`parse_members`]); the harness writes
//!   the ZIP, can fix the manifest's hashes, sizes and key, and signs it. This reaches the
//!   manifest checks, the JSON Lines parser, the stream and count checks and the PDFs.

use ecrf_bundle::{placeholder_comment, sign_in_place, BundleReader};
use ed25519_dalek::SigningKey;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The key every fuzzed bundle is signed with (its manifest must name it to pass).
pub fn fuzz_key() -> SigningKey {
    SigningKey::from_bytes(&[0x5e; 32])
}

/// Hex of the fuzzing key's public half, as a manifest's `origin.public_key`.
pub fn fuzz_public_hex() -> String {
    hex::encode(fuzz_key().verifying_key().to_bytes())
}

const SIG_PREFIX: &[u8] = b"ECRF-SIG1:";
const SIG_HEX: usize = 128;

/// A file in the temporary folder, removed when dropped. Unique per process and call, so
/// tests running in parallel threads do not share one.
struct TempFile(PathBuf);

impl TempFile {
    fn new(bytes: &[u8]) -> Option<TempFile> {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "ecrf-fuzz-{}-{}.ecrfb",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&p, bytes).ok()?;
        Some(TempFile(p))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn ends_like_a_bundle(data: &[u8]) -> bool {
    let n = SIG_PREFIX.len() + SIG_HEX;
    data.len() >= n && &data[data.len() - n..data.len() - SIG_HEX] == SIG_PREFIX
}

/// Opens and reads everything of the bundle at `path`, both as `BundleReader::open` does
/// (every member checked first) and as the import does (each member checked when read). Never
/// panics on a bad file: a panic is a bug of the reader. What the reader hands out must hold
/// what it promises, and both ways must accept the same files, with as many events and PDFs
/// (they may name different first problems of a bad one).
pub fn read_all(path: &Path) -> Result<(usize, usize), String> {
    let now = read_all_with(path, BundleReader::open);
    let on_read = read_all_with(path, BundleReader::open_checking_members_on_read);
    match (&now, &on_read) {
        (Ok(a), Ok(b)) => assert_eq!(
            a, b,
            "the two ways of opening read different numbers of events or PDFs"
        ),
        (Err(_), Err(_)) => {}
        _ => panic!("one way of opening accepts what the other refuses: {now:?} / {on_read:?}"),
    }
    now
}

fn read_all_with(
    path: &Path,
    open: fn(&Path) -> ecrf_bundle::Result<BundleReader>,
) -> Result<(usize, usize), String> {
    let r = open(path).map_err(|e| e.to_string())?;
    let _ = (r.manifest(), r.fingerprint(), r.path());
    let mut events = 0;
    for chunk in r.event_chunks() {
        let chunk = chunk.map_err(|e| e.to_string())?;
        for e in &chunk {
            assert!(
                e.hash_is_valid(),
                "the reader handed out an event with a bad hash"
            );
        }
        events += chunk.len();
    }
    let mut pdfs = 0;
    for p in r.pdfs() {
        let (_, sha, bytes) = p.map_err(|e| e.to_string())?;
        assert_eq!(
            hex::encode(Sha256::digest(&bytes)),
            sha,
            "the reader handed out a PDF that is not its hash"
        );
        pdfs += 1;
    }
    Ok((events, pdfs))
}

/// Target `bundle_open`: the input is the bundle file (re-signed with [`fuzz_key`] when it ends
/// like a bundle).
pub fn open_raw(data: &[u8]) -> Result<(usize, usize), String> {
    let Some(f) = TempFile::new(data) else {
        return Err("cannot write a temporary file".into());
    };
    if ends_like_a_bundle(data) {
        let _ = sign_in_place(&f.0, &fuzz_key());
    }
    read_all(&f.0)
}

/// What [`parse_members`] reads from a `bundle_members` input.
#[derive(Debug, Clone, PartialEq)]
pub struct Members {
    /// Set `sha256` and `size` of each manifest member that names a member present.
    pub fix_hashes: bool,
    /// Set `origin.public_key` to the fuzzing key.
    pub fix_key: bool,
    /// Write the members Stored instead of Deflated (readers must refuse it).
    pub stored: bool,
    /// Set `counts` and each events member's `events` from the members present.
    pub fix_counts: bool,
    pub manifest: Vec<u8>,
    /// (name, content), in archive order; `manifest.json` is written last.
    pub members: Vec<(Vec<u8>, Vec<u8>)>,
}

/// Record separator of the `bundle_members` input format (three 0x1E bytes: PDFs hold
/// single ones).
pub const RS: &[u8] = b"\x1e\x1e\x1e";

fn split_records(mut data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while let Some(i) = data.windows(RS.len()).position(|w| w == RS) {
        out.push(&data[..i]);
        data = &data[i + RS.len()..];
    }
    out.push(data);
    out
}

/// The `bundle_members` input format: one flags byte (bit 0 fix hashes, bit 1 fix the key,
/// bit 2 stored, bit 3 fix counts), then records separated by [`RS`]: the first is the
/// manifest JSON, each other is a member's name, `\n`, and its content.
pub fn parse_members(data: &[u8]) -> Option<Members> {
    let (&flags, rest) = data.split_first()?;
    let mut records = split_records(rest).into_iter();
    let manifest = records.next()?.to_vec();
    let members = records
        .map(|r| match r.iter().position(|b| *b == b'\n') {
            Some(i) => (r[..i].to_vec(), r[i + 1..].to_vec()),
            None => (r.to_vec(), Vec::new()),
        })
        .collect();
    Some(Members {
        fix_hashes: flags & 1 != 0,
        fix_key: flags & 2 != 0,
        stored: flags & 4 != 0,
        fix_counts: flags & 8 != 0,
        manifest,
        members,
    })
}

/// The inverse of [`parse_members`] (for making seeds); `None` when a content holds [`RS`].
pub fn encode_members(m: &Members) -> Option<Vec<u8>> {
    let flags = u8::from(m.fix_hashes)
        | u8::from(m.fix_key) << 1
        | u8::from(m.stored) << 2
        | u8::from(m.fix_counts) << 3;
    let mut out = vec![flags];
    out.extend_from_slice(&m.manifest);
    for (name, content) in &m.members {
        if content.windows(RS.len()).any(|w| w == RS) || name.contains(&b'\n') {
            return None;
        }
        out.extend_from_slice(RS);
        out.extend_from_slice(name);
        out.push(b'\n');
        out.extend_from_slice(content);
    }
    Some(out)
}

/// The manifest after the fixes `m` asks for (unchanged when it is not a JSON object).
fn fixed_manifest(m: &Members) -> Vec<u8> {
    let Ok(Value::Object(mut man)) = serde_json::from_slice::<Value>(&m.manifest) else {
        return m.manifest.clone();
    };
    if m.fix_key {
        if let Some(Value::Object(o)) = man.get_mut("origin") {
            o.insert("public_key".into(), Value::String(fuzz_public_hex()));
        }
    }
    let lines = |c: &[u8]| c.iter().filter(|b| **b == b'\n').count() as u64;
    if let Some(Value::Array(list)) = man.get_mut("members") {
        for entry in list.iter_mut() {
            let Value::Object(e) = entry else { continue };
            let Some(name) = e.get("name").and_then(Value::as_str).map(str::to_owned) else {
                continue;
            };
            let Some((_, content)) = m.members.iter().find(|(n, _)| n == name.as_bytes()) else {
                continue;
            };
            if m.fix_hashes {
                e.insert(
                    "sha256".into(),
                    Value::String(hex::encode(Sha256::digest(content))),
                );
                e.insert("size".into(), Value::from(content.len() as u64));
            }
            if m.fix_counts && name.starts_with("events/") {
                e.insert("events".into(), Value::from(lines(content)));
            }
        }
    }
    if m.fix_counts {
        let events: u64 = m
            .members
            .iter()
            .filter(|(n, _)| n.starts_with(b"events/"))
            .map(|(_, c)| lines(c))
            .sum();
        let pdfs = m
            .members
            .iter()
            .filter(|(n, _)| n.starts_with(b"pdfs/"))
            .count();
        man.insert(
            "counts".into(),
            serde_json::json!({"events": events, "pdfs": pdfs}),
        );
    }
    serde_json::to_vec(&Value::Object(man)).unwrap_or_else(|_| m.manifest.clone())
}

/// Writes the members as a bundle-shaped ZIP (placeholder signature comment), unsigned.
/// `None` when the zip crate refuses (a name it will not write, a duplicate).
pub fn zip_members(m: &Members) -> Option<Vec<u8>> {
    use zip::write::SimpleFileOptions;
    use zip::{CompressionMethod, ZipWriter};
    let method = if m.stored {
        CompressionMethod::Stored
    } else {
        CompressionMethod::Deflated
    };
    let opts = SimpleFileOptions::default()
        .compression_method(method)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    let mut z = ZipWriter::new(Cursor::new(Vec::new()));
    let manifest = fixed_manifest(m);
    let all = m
        .members
        .iter()
        .map(|(n, c)| (n.as_slice(), c.as_slice()))
        .chain(std::iter::once((
            &b"manifest.json"[..],
            manifest.as_slice(),
        )));
    for (name, content) in all {
        let name = std::str::from_utf8(name).ok()?;
        z.start_file(name, opts).ok()?;
        z.write_all(content).ok()?;
    }
    z.set_comment(placeholder_comment());
    Some(z.finish().ok()?.into_inner())
}

/// Target `bundle_members`: the input describes the members ([`parse_members`]); the harness
/// writes, signs with [`fuzz_key`], opens and reads.
pub fn open_members(data: &[u8]) -> Result<(usize, usize), String> {
    let m = parse_members(data).ok_or("empty input")?;
    let bytes = zip_members(&m).ok_or("the zip crate refused the members")?;
    let f = TempFile::new(&bytes).ok_or("cannot write a temporary file")?;
    sign_in_place(&f.0, &fuzz_key()).map_err(|e| e.to_string())?;
    read_all(&f.0)
}
