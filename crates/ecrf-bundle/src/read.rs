//! Reading a bundle: [`BundleReader::open`] verifies the whole file before anything in it is
//! trusted; the iterators then read one member at a time, checking it again as they go.

use crate::cd;
use crate::error::{io_err, BundleError, Result};
use crate::names::{self, Kind};
use crate::sign::{hash_prefix, message, TAIL_LEN};
use crate::{
    fingerprint, is_sha256_hex, verifying_key, Manifest, Member, StreamRange, CHUNK_EVENTS, FORMAT,
    FORMAT_VERSION, MANIFEST_NAME, MAX_COMPRESSION_RATIO, MAX_EVENTS_MEMBER_SIZE, MAX_FILE_SIZE,
    MAX_MANIFEST_SIZE, MAX_MEMBERS, MAX_PDF_SIZE, SIGNATURE_HEX_LEN, SIGNATURE_PREFIX,
};
use ecrf_core::event::ChangeEvent;
use ed25519_dalek::Signature;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use uuid::Uuid;
use zip::result::ZipError;
use zip::{CompressionMethod, ZipArchive};

type Archive = ZipArchive<BufReader<File>>;

/// A bundle that has been verified as a whole: signature, structure, every member's hash.
pub struct BundleReader {
    path: PathBuf,
    manifest: Manifest,
    fingerprint: String,
    /// One handle on the file for the reader's life: what was verified is what is read.
    archive: Mutex<Archive>,
    /// The archive index of each member of `manifest.members`.
    index: Vec<usize>,
    /// SHA-256 of the whole file, hex.
    file_sha256: String,
}

fn damaged(path: &Path, detail: impl Into<String>) -> BundleError {
    BundleError::Damaged {
        path: path.to_path_buf(),
        detail: detail.into(),
    }
}

/// A zip crate error about member `member`.
fn member_err(path: &Path, member: &str, e: ZipError) -> BundleError {
    match e {
        ZipError::Io(e) => member_io_err(path, member, e),
        other => damaged(path, format!("member {member} cannot be read: {other}")),
    }
}

/// An error while decompressing member `member`: a damaged stream, a wrong checksum, or IO.
fn member_io_err(path: &Path, member: &str, e: io::Error) -> BundleError {
    match e.kind() {
        io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput | io::ErrorKind::UnexpectedEof => {
            damaged(path, format!("member {member} cannot be read: {e}"))
        }
        _ => BundleError::Io {
            action: "read",
            path: path.to_path_buf(),
            source: e,
        },
    }
}

/// The size limit of a member by its kind.
fn limit_of(kind: &Kind) -> u64 {
    match kind {
        Kind::Manifest => MAX_MANIFEST_SIZE,
        Kind::Events(_) => MAX_EVENTS_MEMBER_SIZE,
        Kind::Pdf(_) => MAX_PDF_SIZE,
    }
}

/// What the central directory says of a member, checked against the limits before any byte
/// of it is decompressed. Returns (declared size, how many bytes to allow).
fn precheck(
    archive: &mut Archive,
    i: usize,
    name: &str,
    limit: u64,
    path: &Path,
) -> Result<(u64, u64)> {
    let f = archive
        .by_index_raw(i)
        .map_err(|e| member_err(path, name, e))?;
    if f.encrypted() {
        return Err(damaged(path, format!("member {name} is encrypted")));
    }
    if f.compression() != CompressionMethod::Deflated {
        return Err(BundleError::UnsupportedCompression {
            path: path.to_path_buf(),
            member: name.to_string(),
            method: f.compression().to_string(),
        });
    }
    let (size, compressed) = (f.size(), f.compressed_size());
    if size > limit {
        return Err(BundleError::MemberTooLarge {
            path: path.to_path_buf(),
            member: name.to_string(),
            limit,
        });
    }
    let ratio_cap = compressed.saturating_mul(MAX_COMPRESSION_RATIO);
    if size > ratio_cap {
        return Err(BundleError::CompressionBomb {
            path: path.to_path_buf(),
            member: name.to_string(),
            ratio: size / compressed.max(1),
            at_least: false,
        });
    }
    Ok((size, limit.min(ratio_cap)))
}

/// The error for a member that decompressed to more than `cap` bytes.
fn over_cap(path: &Path, name: &str, total: u64, limit: u64) -> BundleError {
    if total > limit {
        BundleError::MemberTooLarge {
            path: path.to_path_buf(),
            member: name.to_string(),
            limit,
        }
    } else {
        BundleError::CompressionBomb {
            path: path.to_path_buf(),
            member: name.to_string(),
            ratio: MAX_COMPRESSION_RATIO,
            at_least: true,
        }
    }
}

/// A reader that hashes and counts what passes through it.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
    count: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
}

/// When [`BundleReader`] checks the content of the members.
#[derive(Clone, Copy)]
enum Members {
    /// All of them while opening.
    CheckNow,
    /// Each when it is read.
    CheckOnRead,
}

/// One member, decompressed: its bytes when kept, its SHA-256 (hex) and actual size.
/// Memory stays bounded when they are not kept, whatever the member's size.
struct Read1 {
    bytes: Vec<u8>,
    sha256: String,
    size: u64,
}

/// Whether [`read_member`] keeps the bytes it reads, and in what (a buffer used before keeps its
/// capacity: a bundle's members of events are read one after another into one buffer).
enum Keep {
    Into(Vec<u8>),
    No,
}

fn read_member(
    archive: &mut Archive,
    i: usize,
    name: &str,
    limit: u64,
    keep: Keep,
    path: &Path,
) -> Result<Read1> {
    let (declared, cap) = precheck(archive, i, name, limit, path)?;
    let f = archive.by_index(i).map_err(|e| member_err(path, name, e))?;
    let mut r = Hashing {
        inner: f.take(cap + 1),
        hasher: Sha256::new(),
        count: 0,
    };
    let mut bytes = Vec::new();
    if let Keep::Into(buf) = keep {
        bytes = buf;
        bytes.clear();
        bytes.reserve(usize::try_from(declared.min(cap)).unwrap_or(0));
        r.read_to_end(&mut bytes)
            .map_err(|e| member_io_err(path, name, e))?;
    } else {
        io::copy(&mut r, &mut io::sink()).map_err(|e| member_io_err(path, name, e))?;
    }
    if r.count > cap {
        return Err(over_cap(path, name, r.count, limit));
    }
    if r.count != declared {
        return Err(BundleError::SizeMismatch {
            path: path.to_path_buf(),
            member: name.to_string(),
            what: "the ZIP directory",
            declared,
            actual: r.count,
        });
    }
    Ok(Read1 {
        bytes,
        sha256: hex::encode(r.hasher.finalize()),
        size: r.count,
    })
}

/// Checks the manifest against itself and the format; `Ok` means its members, streams and
/// counts are coherent (whether the archive matches is checked after).
fn check_manifest(m: &Manifest, path: &Path) -> Result<()> {
    let bad = |detail: String| BundleError::BadManifest {
        path: path.to_path_buf(),
        detail,
    };
    if !matches!(m.origin.role.as_str(), "site" | "central") {
        return Err(bad(format!(
            "origin role {:?} is neither \"site\" nor \"central\"",
            m.origin.role
        )));
    }
    let mut keys = HashSet::new();
    let mut stream_total = 0u64;
    for s in &m.streams {
        let id = format!("{}:{}:{}", s.node, s.epoch, s.stream);
        if !keys.insert((s.node, s.epoch, s.stream.as_str())) {
            return Err(bad(format!("stream {id} is listed twice")));
        }
        if s.stream.is_empty() || s.first == 0 || s.first > s.last {
            return Err(bad(format!(
                "stream {id} has an invalid range {}..{}",
                s.first, s.last
            )));
        }
        if s.count == 0 || s.count > s.last - s.first + 1 {
            return Err(bad(format!(
                "stream {id} cannot hold {} events in {}..{}",
                s.count, s.first, s.last
            )));
        }
        stream_total = stream_total.saturating_add(s.count);
    }
    if m.members.len() >= MAX_MEMBERS {
        return Err(BundleError::TooManyMembers {
            path: path.to_path_buf(),
            count: m.members.len() as u64 + 1,
            limit: MAX_MEMBERS as u64,
        });
    }
    let mut names = HashSet::new();
    let (mut chunks, mut events, mut pdfs) = (0u32, 0u64, 0u64);
    for mb in &m.members {
        let name =
            names::check_safe(mb.name.as_bytes()).map_err(|reason| BundleError::UnsafeName {
                path: path.to_path_buf(),
                member: mb.name.clone(),
                reason,
            })?;
        if !names.insert(name) {
            return Err(BundleError::DuplicateMember {
                path: path.to_path_buf(),
                member: mb.name.clone(),
            });
        }
        if !is_sha256_hex(&mb.sha256) {
            return Err(bad(format!(
                "member {name} has an invalid SHA-256 {:?}",
                mb.sha256
            )));
        }
        match names::classify(name) {
            None => {
                return Err(BundleError::InvalidMemberName {
                    path: path.to_path_buf(),
                    member: mb.name.clone(),
                })
            }
            Some(Kind::Manifest) => return Err(bad("it lists itself as a member".into())),
            Some(Kind::Events(n)) => {
                chunks += 1;
                if n != chunks {
                    return Err(bad(format!(
                        "events member {name} is out of sequence (expected {})",
                        names::events_name(chunks)
                    )));
                }
                let e = mb.events.unwrap_or(0);
                if e == 0 || e > CHUNK_EVENTS as u64 || mb.signature.is_some() {
                    return Err(bad(format!(
                        "events member {name} must hold 1 to {CHUNK_EVENTS} events and no signature"
                    )));
                }
                if mb.size > MAX_EVENTS_MEMBER_SIZE {
                    return Err(BundleError::MemberTooLarge {
                        path: path.to_path_buf(),
                        member: mb.name.clone(),
                        limit: MAX_EVENTS_MEMBER_SIZE,
                    });
                }
                events += e;
            }
            Some(Kind::Pdf(h)) => {
                if h != mb.sha256 || mb.signature.is_none() || mb.events.is_some() {
                    return Err(bad(format!(
                        "PDF member {name} must be named by its SHA-256 and belong to a signature"
                    )));
                }
                if mb.size > MAX_PDF_SIZE {
                    return Err(BundleError::MemberTooLarge {
                        path: path.to_path_buf(),
                        member: mb.name.clone(),
                        limit: MAX_PDF_SIZE,
                    });
                }
                pdfs += 1;
            }
        }
    }
    if events != m.counts.events || stream_total != m.counts.events {
        return Err(bad(format!(
            "it counts {} events, its events members {events}, its streams {stream_total}",
            m.counts.events
        )));
    }
    if pdfs != m.counts.pdfs {
        return Err(bad(format!(
            "it counts {} PDFs but lists {pdfs}",
            m.counts.pdfs
        )));
    }
    Ok(())
}

impl BundleReader {
    /// Opens and verifies the whole file before anything is trusted: size limits, ZIP
    /// structure, the signature over the file (public key from the manifest), manifest format
    /// and version, every member listed exactly once and present exactly once, names allowed,
    /// per-member size and compression-ratio limits, SHA-256 and size of every member (streamed:
    /// memory stays bounded for a multi-GB bundle).
    pub fn open(path: &Path) -> Result<BundleReader> {
        Self::open_with(path, Members::CheckNow)
    }

    /// [`BundleReader::open`] without reading every member up front: the signature over
    /// every byte of the file, the manifest, the names, the order and each member's declared
    /// size and compression ratio are checked now, and each member's content (size and SHA-256
    /// against the manifest) when it is read, before any of it is yielded. For a caller that
    /// reads every member it uses inside a transaction it rolls back on the first error (the
    /// import), which then inflates and hashes each member once instead of twice.
    pub fn open_checking_members_on_read(path: &Path) -> Result<BundleReader> {
        Self::open_with(path, Members::CheckOnRead)
    }

    fn open_with(path: &Path, members: Members) -> Result<BundleReader> {
        let mut file = File::open(path).map_err(io_err("open", path))?;
        let len = file.metadata().map_err(io_err("read", path))?.len();
        if len > MAX_FILE_SIZE {
            return Err(BundleError::FileTooLarge {
                path: path.to_path_buf(),
                size: len,
                limit: MAX_FILE_SIZE,
            });
        }
        let mut head = [0u8; 4];
        let zip_like = len >= 4 && file.read_exact(&mut head).is_ok() && head == *b"PK\x03\x04";
        let not_bundle = |reason: &str| BundleError::NotABundle {
            path: path.to_path_buf(),
            reason: reason.to_string(),
        };
        let truncated = || BundleError::Truncated {
            path: path.to_path_buf(),
        };
        if len == 0 {
            return Err(not_bundle("the file is empty"));
        }
        let mut tail = [0u8; TAIL_LEN as usize];
        let tail_len = len.min(TAIL_LEN);
        let tail = &mut tail[..tail_len as usize];
        file.seek(SeekFrom::Start(len - tail_len))
            .and_then(|_| file.read_exact(tail))
            .map_err(io_err("read", path))?;
        if len < TAIL_LEN || !cd::is_bundle_eocd(&tail[..cd::EOCD_LEN_USIZE]) {
            // A ZIP file's end record without a comment ends it.
            let plain_zip = tail.len() >= cd::EOCD_LEN_USIZE && {
                let last = &tail[tail.len() - cd::EOCD_LEN_USIZE..];
                last.starts_with(b"PK\x05\x06") && last[20..] == [0, 0]
            };
            return Err(if plain_zip {
                not_bundle("it is a ZIP file without a bundle signature")
            } else if zip_like {
                truncated()
            } else {
                not_bundle("it is not a ZIP file")
            });
        }
        let (eocd, comment) = tail.split_at(cd::EOCD_LEN_USIZE);
        let bad_signature = || BundleError::BadSignature {
            path: path.to_path_buf(),
        };
        let (prefix, sig_hex) = comment.split_at(SIGNATURE_PREFIX.len());
        if prefix != SIGNATURE_PREFIX
            || sig_hex.len() != SIGNATURE_HEX_LEN
            || !sig_hex
                .iter()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(bad_signature());
        }
        let mut sig = [0u8; 64];
        hex::decode_to_slice(sig_hex, &mut sig).map_err(|_| bad_signature())?;
        let signature = Signature::from_bytes(&sig);

        // The signed region: everything but the signature's hex.
        let signed = hash_prefix(&mut file, len - SIGNATURE_HEX_LEN as u64, path)?;
        // The whole file's SHA-256 too (the signed region, then the signature), for the record
        // of an import, without reading the file again.
        let mut whole = signed.clone();
        whole.update(sig_hex);
        let file_sha256 = hex::encode(whole.finalize());
        let digest: [u8; 32] = signed.finalize().into();

        let dir = cd::locate(&mut file, len - TAIL_LEN, eocd).map_err(|d| damaged(path, d))?;
        if dir.entries > MAX_MEMBERS as u64 {
            return Err(BundleError::TooManyMembers {
                path: path.to_path_buf(),
                count: dir.entries,
                limit: MAX_MEMBERS as u64,
            });
        }
        let entries = cd::entries(&mut file, dir).map_err(|d| damaged(path, d))?;
        let mut archive = ZipArchive::new(BufReader::with_capacity(1 << 16, file))
            .map_err(|e| damaged(path, format!("not a valid ZIP archive: {e}")))?;
        if archive.offset() != 0 {
            return Err(damaged(path, "unexpected data before the first member"));
        }

        // The manifest, read (bounded) only to learn the public key that must have signed.
        let manifest_index =
            archive
                .index_for_name(MANIFEST_NAME)
                .ok_or_else(|| BundleError::MissingMember {
                    path: path.to_path_buf(),
                    member: MANIFEST_NAME.into(),
                })?;
        let raw = read_member(
            &mut archive,
            manifest_index,
            MANIFEST_NAME,
            MAX_MANIFEST_SIZE,
            Keep::Into(Vec::new()),
            path,
        )?;
        let value: Value = serde_json::from_slice(&raw.bytes)
            .map_err(|e| damaged(path, format!("its manifest is not JSON: {e}")))?;
        drop(raw);
        let public_key = value
            .pointer("/origin/public_key")
            .and_then(Value::as_str)
            .ok_or_else(|| BundleError::BadPublicKey {
                path: path.to_path_buf(),
                detail: "origin.public_key is missing".into(),
            })?;
        let key = verifying_key(public_key).map_err(|e| BundleError::BadPublicKey {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        key.verify_strict(&message(&digest), &signature)
            .map_err(|_| bad_signature())?;
        let fingerprint = fingerprint(public_key)?;

        // Signed by the key it names: from here on the content is the origin's own.
        match value.get("format") {
            Some(Value::String(f)) if f == FORMAT => {}
            other => {
                return Err(BundleError::UnknownFormat {
                    path: path.to_path_buf(),
                    format: other.map_or_else(|| "(none)".into(), Value::to_string),
                })
            }
        }
        match value.get("format_version") {
            Some(v) if v.as_u64() == Some(u64::from(FORMAT_VERSION)) => {}
            other => {
                return Err(BundleError::UnknownFormatVersion {
                    path: path.to_path_buf(),
                    version: other.map_or_else(|| "(none)".into(), Value::to_string),
                })
            }
        }
        let manifest: Manifest =
            serde_json::from_value(value).map_err(|e| BundleError::BadManifest {
                path: path.to_path_buf(),
                detail: e.to_string(),
            })?;
        check_manifest(&manifest, path)?;

        // Every name as written in the central directory: safe, and once.
        let mut seen = HashSet::with_capacity(entries.len());
        let mut names_in_order = Vec::with_capacity(entries.len());
        for e in &entries {
            let name = names::check_safe(&e.name).map_err(|reason| BundleError::UnsafeName {
                path: path.to_path_buf(),
                member: String::from_utf8_lossy(&e.name).into_owned(),
                reason,
            })?;
            if !seen.insert(name) {
                return Err(BundleError::DuplicateMember {
                    path: path.to_path_buf(),
                    member: name.to_string(),
                });
            }
            names_in_order.push(name);
        }
        if archive.len() != names_in_order.len()
            || names_in_order
                .iter()
                .enumerate()
                .any(|(i, n)| archive.name_for_index(i) != Some(*n))
        {
            return Err(damaged(path, "the ZIP directory is inconsistent"));
        }

        // Members of the archive and of the manifest: the same, in the same order.
        let listed: HashMap<&str, usize> = manifest
            .members
            .iter()
            .enumerate()
            .map(|(k, m)| (m.name.as_str(), k))
            .collect();
        let mut index = vec![usize::MAX; manifest.members.len()];
        let mut next = 0usize;
        for (i, name) in names_in_order.iter().enumerate() {
            if i == manifest_index {
                continue;
            }
            let Some(&k) = listed.get(name) else {
                return Err(BundleError::NotInManifest {
                    path: path.to_path_buf(),
                    member: name.to_string(),
                });
            };
            if k != next {
                // Either a member listed before is missing, or the order differs.
                if let Some(m) = manifest
                    .members
                    .get(next..k)
                    .unwrap_or_default()
                    .iter()
                    .find(|m| !seen.contains(m.name.as_str()))
                {
                    return Err(BundleError::MissingMember {
                        path: path.to_path_buf(),
                        member: m.name.clone(),
                    });
                }
                return Err(BundleError::BadManifest {
                    path: path.to_path_buf(),
                    detail: format!("member {name} is not where the manifest lists it"),
                });
            }
            index[k] = i;
            next += 1;
        }
        if let Some(m) = manifest.members.get(next) {
            return Err(BundleError::MissingMember {
                path: path.to_path_buf(),
                member: m.name.clone(),
            });
        }
        let mut member_of = vec![None; names_in_order.len()];
        for (k, &i) in index.iter().enumerate() {
            member_of[i] = Some(k);
        }

        // Every member, streamed: limits, ratio, size and SHA-256; no two members overlap.
        let mut end_of_previous = 0u64;
        for (i, name) in names_in_order.iter().enumerate() {
            let member: Option<&Member> = member_of[i].map(|k| &manifest.members[k]);
            let limit = names::classify(name).as_ref().map_or(0, limit_of);
            let got = match members {
                Members::CheckNow => {
                    Some(read_member(&mut archive, i, name, limit, Keep::No, path)?)
                }
                Members::CheckOnRead => {
                    precheck(&mut archive, i, name, limit, path)?;
                    None
                }
            };
            let f = archive
                .by_index_raw(i)
                .map_err(|e| member_err(path, name, e))?;
            if f.header_start() < end_of_previous {
                return Err(damaged(
                    path,
                    format!("member {name} overlaps the one before"),
                ));
            }
            end_of_previous = f.data_start().saturating_add(f.compressed_size());
            drop(f);
            if let (Some(m), Some(got)) = (member, got) {
                if got.sha256 != m.sha256 {
                    return Err(BundleError::HashMismatch {
                        path: path.to_path_buf(),
                        member: name.to_string(),
                    });
                }
                if got.size != m.size {
                    return Err(BundleError::SizeMismatch {
                        path: path.to_path_buf(),
                        member: name.to_string(),
                        what: "the manifest",
                        declared: m.size,
                        actual: got.size,
                    });
                }
            }
        }
        if end_of_previous > dir.offset {
            return Err(damaged(path, "the last member overlaps the ZIP directory"));
        }

        Ok(BundleReader {
            path: path.to_path_buf(),
            manifest,
            fingerprint,
            archive: Mutex::new(archive),
            index,
            file_sha256,
        })
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The fingerprint of the origin's public key (hex SHA-256 of the raw key).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// SHA-256 of the whole file as it was verified (hex).
    pub fn file_sha256(&self) -> &str {
        &self.file_sha256
    }

    fn archive(&self) -> MutexGuard<'_, Archive> {
        // A panic elsewhere while the lock was held leaves nothing half-done that matters:
        // every read seeks to its member first.
        self.archive.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The events, one `Vec` per events member, in archive order, read lazily (one member in
    /// memory at a time). Each event is checked: it parses, its content hash is valid, its
    /// (node, epoch, stream) is declared in `streams` with its sequence in `first..=last`, and
    /// sequences strictly increase per stream. When the members are exhausted the totals per
    /// stream and overall are compared with the manifest: a difference is yielded as a last
    /// `Err`. The iterator ends after the first `Err`.
    pub fn event_chunks(&self) -> impl Iterator<Item = Result<Vec<ChangeEvent>>> + '_ {
        EventChunks {
            reader: self,
            pos: 0,
            check: StreamCheck::new(&self.manifest.streams),
            finished: false,
            buf: Vec::new(),
        }
    }

    /// The PDFs: (signature uuid, SHA-256 hex, bytes), one in memory at a time, in archive
    /// order, each checked again against its SHA-256.
    pub fn pdfs(&self) -> impl Iterator<Item = Result<(Uuid, String, Vec<u8>)>> + '_ {
        let mut failed = false;
        self.manifest
            .members
            .iter()
            .enumerate()
            .filter_map(|(k, m)| m.signature.map(|s| (k, m, s)))
            .map_while(move |(k, m, signature)| {
                if failed {
                    return None;
                }
                let r = self.read_pdf(k, m, signature);
                failed = r.is_err();
                Some(r)
            })
    }

    fn read_pdf(&self, k: usize, m: &Member, signature: Uuid) -> Result<(Uuid, String, Vec<u8>)> {
        let mut archive = self.archive();
        let got = read_member(
            &mut archive,
            self.index[k],
            &m.name,
            MAX_PDF_SIZE,
            Keep::Into(Vec::new()),
            &self.path,
        )?;
        self.check_again(m, got.size, &got.sha256)?;
        Ok((signature, got.sha256, got.bytes))
    }

    /// The member read now is the one the manifest lists (and, after [`BundleReader::open`],
    /// still the one verified then).
    fn check_again(&self, m: &Member, size: u64, sha256: &str) -> Result<()> {
        if sha256 != m.sha256 {
            return Err(BundleError::HashMismatch {
                path: self.path.clone(),
                member: m.name.clone(),
            });
        }
        if size != m.size {
            return Err(BundleError::SizeMismatch {
                path: self.path.clone(),
                member: m.name.clone(),
                what: "the manifest",
                declared: m.size,
                actual: size,
            });
        }
        Ok(())
    }

    /// The events of member `k`, read through `buf` (which is given back emptied, with its
    /// capacity, for the next member).
    fn read_events(
        &self,
        k: usize,
        check: &mut StreamCheck,
        buf: &mut Vec<u8>,
    ) -> Result<Vec<ChangeEvent>> {
        let m = &self.manifest.members[k];
        let path = &self.path;
        // The whole member first (bounded by its limits, whatever the ZIP directory or the
        // manifest say), checked against the manifest before any line of it is parsed.
        let limit = names::classify(&m.name).as_ref().map_or(0, limit_of);
        let got = {
            let mut archive = self.archive();
            read_member(
                &mut archive,
                self.index[k],
                &m.name,
                limit,
                Keep::Into(std::mem::take(buf)),
                path,
            )?
        };
        self.check_again(m, got.size, &got.sha256)?;
        let expected = m.events.unwrap_or(0);
        let mut events =
            Vec::with_capacity(usize::try_from(expected).unwrap_or(0).min(CHUNK_EVENTS));
        let mut n = 0u64;
        for line in got.bytes.split_inclusive(|b| *b == b'\n') {
            n += 1;
            let bad_line = |detail: String| BundleError::BadEventLine {
                path: path.clone(),
                member: m.name.clone(),
                line: n,
                detail,
            };
            let Some(json) = line.strip_suffix(b"\n") else {
                return Err(bad_line(
                    "the line has no end (the member ends in the middle of it)".into(),
                ));
            };
            let ev: ChangeEvent =
                serde_json::from_slice(json).map_err(|e| bad_line(e.to_string()))?;
            let at = |ev: &ChangeEvent| (path.clone(), m.name.clone(), n, ev.id.to_string());
            if !ev.hash_is_valid() {
                let (path, member, line, event) = at(&ev);
                return Err(BundleError::EventHash {
                    path,
                    member,
                    line,
                    event,
                });
            }
            match check.event(&ev, &self.manifest.streams) {
                Ok(()) => {}
                Err(Problem::OutOfRange) => {
                    let (path, member, line, event) = at(&ev);
                    return Err(BundleError::EventOutOfRange {
                        path,
                        member,
                        line,
                        event,
                    });
                }
                Err(Problem::Order) => {
                    let (path, member, line, event) = at(&ev);
                    return Err(BundleError::EventOrder {
                        path,
                        member,
                        line,
                        event,
                    });
                }
            }
            events.push(ev);
        }
        *buf = got.bytes;
        buf.clear();
        if n != expected {
            return Err(BundleError::CountMismatch {
                path: path.clone(),
                detail: format!(
                    "member {} holds {n} events, the manifest says {expected}",
                    m.name
                ),
            });
        }
        Ok(events)
    }
}

enum Problem {
    OutOfRange,
    Order,
}

/// What has been seen of each declared stream.
struct StreamCheck {
    index: HashMap<(Uuid, u32, String), usize>,
    /// (first, last, count) seen per declared stream.
    seen: Vec<Option<(u64, u64, u64)>>,
    last_hit: Option<usize>,
    total: u64,
}

impl StreamCheck {
    fn new(streams: &[StreamRange]) -> Self {
        StreamCheck {
            index: streams
                .iter()
                .enumerate()
                .map(|(i, s)| ((s.node, s.epoch, s.stream.clone()), i))
                .collect(),
            seen: vec![None; streams.len()],
            last_hit: None,
            total: 0,
        }
    }

    fn event(&mut self, ev: &ChangeEvent, streams: &[StreamRange]) -> Result<(), Problem> {
        let id = &ev.id;
        let i = match self.last_hit {
            Some(i)
                if streams[i].node == id.node
                    && streams[i].epoch == id.epoch
                    && streams[i].stream == id.stream =>
            {
                i
            }
            _ => *self
                .index
                .get(&(id.node, id.epoch, id.stream.clone()))
                .ok_or(Problem::OutOfRange)?,
        };
        self.last_hit = Some(i);
        let s = &streams[i];
        if id.seq < s.first || id.seq > s.last {
            return Err(Problem::OutOfRange);
        }
        self.seen[i] = match self.seen[i] {
            None => Some((id.seq, id.seq, 1)),
            Some((first, last, count)) => {
                if id.seq <= last {
                    return Err(Problem::Order);
                }
                Some((first, id.seq, count + 1))
            }
        };
        self.total += 1;
        Ok(())
    }

    /// After the last event: what differs from the manifest, if anything.
    fn finish(&self, m: &Manifest) -> Option<String> {
        for (s, seen) in m.streams.iter().zip(&self.seen) {
            let (first, last, count) = seen.unwrap_or((0, 0, 0));
            if (first, last, count) != (s.first, s.last, s.count) {
                return Some(format!(
                    "stream {}:{}:{} holds {count} events in {first}..{last}, the manifest says {} in {}..{}",
                    s.node, s.epoch, s.stream, s.count, s.first, s.last
                ));
            }
        }
        if self.total != m.counts.events {
            return Some(format!(
                "{} events in all, the manifest says {}",
                self.total, m.counts.events
            ));
        }
        None
    }
}

struct EventChunks<'a> {
    reader: &'a BundleReader,
    pos: usize,
    check: StreamCheck,
    finished: bool,
    /// The buffer each member is read into, kept from one member to the next.
    buf: Vec<u8>,
}

impl Iterator for EventChunks<'_> {
    type Item = Result<Vec<ChangeEvent>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let members = &self.reader.manifest.members;
        while self.pos < members.len() {
            let k = self.pos;
            self.pos += 1;
            if members[k].events.is_none() {
                continue;
            }
            let r = self.reader.read_events(k, &mut self.check, &mut self.buf);
            self.finished = r.is_err();
            return Some(r);
        }
        self.finished = true;
        self.check.finish(&self.reader.manifest).map(|detail| {
            Err(BundleError::CountMismatch {
                path: self.reader.path.clone(),
                detail,
            })
        })
    }
}
