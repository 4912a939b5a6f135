//! Writing a bundle: events and PDFs are streamed into a `<out>.partial` file, which is signed,
//! flushed and renamed to `<out>` by [`BundleWriter::finish`].

use crate::error::{io_err, BundleError, Result};
use crate::names::{events_name, pdf_name};
use crate::sign::{placeholder_comment, sign_file};
use crate::{
    decode_public_key, verifying_key, Counts, Manifest, Member, Origin, StreamRange, CHUNK_EVENTS,
    FORMAT, FORMAT_VERSION, MANIFEST_NAME, MAX_COMPRESSION_RATIO, MAX_EVENTS_MEMBER_SIZE,
    MAX_FILE_SIZE, MAX_MANIFEST_SIZE, MAX_MEMBERS, MAX_PDF_SIZE,
};
use ecrf_core::event::ChangeEvent;
use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use uuid::Uuid;
use zip::result::ZipError;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

/// Who makes the bundle, for whom, and what it is: everything in the manifest but the content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleHeader {
    pub study: String,
    pub definition_version: String,
    pub origin: Origin,
    /// The node the bundle is made for; `None`: any node of the study.
    pub destination: Option<Uuid>,
    /// A full export (`true`) or an incremental one.
    pub full: bool,
    /// RFC 3339, written as given.
    pub created_at: String,
}

type Zip = ZipWriter<BufWriter<File>>;

/// The events member being written.
struct Chunk {
    name: String,
    hasher: Sha256,
    size: u64,
    events: u64,
}

/// Writes one bundle. Nothing appears under the final name until [`finish`](Self::finish)
/// succeeds; a writer dropped before (or a failed `finish`) removes its partial files.
///
/// After an error other than a refused event or PDF ([`BundleError::EventRejected`],
/// [`BundleError::PdfRejected`]), the writer refuses everything: drop it.
pub struct BundleWriter {
    out: PathBuf,
    partial: PathBuf,
    spool_path: PathBuf,
    zip: Option<Zip>,
    /// PDFs go to a side archive while events stream into the main one, and are copied
    /// (still compressed) after the last events member.
    spool: Option<Zip>,
    header: BundleHeader,
    streams: Vec<StreamRange>,
    stream_index: HashMap<(Uuid, u32, String), usize>,
    last_stream: Option<usize>,
    members: Vec<Member>,
    pdfs: Vec<Member>,
    pdf_shas: HashSet<String>,
    chunk: Option<Chunk>,
    chunks: u32,
    events: u64,
    line: Vec<u8>,
    failed: bool,
    done: bool,
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = OsString::from(path.as_os_str());
    s.push(suffix);
    PathBuf::from(s)
}

fn file_options() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644)
}

/// A zip crate error while writing `path`.
fn zip_err(action: &'static str, path: &Path) -> impl FnOnce(ZipError) -> BundleError {
    let path = path.to_path_buf();
    move |e| BundleError::Io {
        action,
        source: match e {
            ZipError::Io(e) => e,
            other => io::Error::other(other.to_string()),
        },
        path,
    }
}

fn check_header(out: &Path, h: &BundleHeader) -> Result<()> {
    let bad = |detail: String| BundleError::BadHeader {
        path: out.to_path_buf(),
        detail,
    };
    if h.study.trim().is_empty() {
        return Err(bad("the study is empty".into()));
    }
    if h.definition_version.trim().is_empty() {
        return Err(bad("the definition version is empty".into()));
    }
    if h.created_at.trim().is_empty() {
        return Err(bad("the creation time is empty".into()));
    }
    if !matches!(h.origin.role.as_str(), "site" | "central") {
        return Err(bad(format!(
            "origin role {:?} is neither \"site\" nor \"central\"",
            h.origin.role
        )));
    }
    if !h
        .origin
        .public_key
        .bytes()
        .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err(bad("the origin public key is not lower-case hex".into()));
    }
    verifying_key(&h.origin.public_key).map_err(|e| bad(format!("origin public key: {e}")))?;
    Ok(())
}

impl BundleWriter {
    /// Starts a bundle to be written at `out`, which must not exist yet. The data goes to
    /// `<out>.partial` (and PDFs to `<out>.pdfs.partial`) until [`finish`](Self::finish).
    pub fn create(out: &Path, header: BundleHeader) -> Result<Self> {
        check_header(out, &header)?;
        if out.symlink_metadata().is_ok() {
            return Err(BundleError::AlreadyExists {
                path: out.to_path_buf(),
            });
        }
        let partial = with_suffix(out, ".partial");
        let spool_path = with_suffix(out, ".pdfs.partial");
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&partial)
            .map_err(io_err("create", &partial))?;
        Ok(BundleWriter {
            out: out.to_path_buf(),
            partial,
            spool_path,
            zip: Some(ZipWriter::new(BufWriter::with_capacity(1 << 20, file))),
            spool: None,
            header,
            streams: Vec::new(),
            stream_index: HashMap::new(),
            last_stream: None,
            members: Vec::new(),
            pdfs: Vec::new(),
            pdf_shas: HashSet::new(),
            chunk: None,
            chunks: 0,
            events: 0,
            line: Vec::with_capacity(4096),
            failed: false,
            done: false,
        })
    }

    fn check_usable(&self) -> Result<()> {
        if self.failed {
            return Err(BundleError::BadHeader {
                path: self.out.clone(),
                detail: "an earlier error stopped writing it".into(),
            });
        }
        Ok(())
    }

    /// Members so far, counting the open events member and the manifest to come.
    fn member_count(&self) -> usize {
        self.members.len() + self.pdfs.len() + usize::from(self.chunk.is_some()) + 1
    }

    fn too_many_members(&self) -> BundleError {
        BundleError::TooManyMembers {
            path: self.out.clone(),
            count: self.member_count() as u64 + 1,
            limit: MAX_MEMBERS as u64,
        }
    }

    fn stream_of(&mut self, ev: &ChangeEvent) -> Option<usize> {
        let id = &ev.id;
        if let Some(i) = self.last_stream {
            let s = &self.streams[i];
            if s.node == id.node && s.epoch == id.epoch && s.stream == id.stream {
                return Some(i);
            }
        }
        let i = *self
            .stream_index
            .get(&(id.node, id.epoch, id.stream.clone()))?;
        self.last_stream = Some(i);
        Some(i)
    }

    /// Appends one event. Within a stream (node, epoch, stream) sequences must strictly
    /// increase; the event's content hash must be valid.
    pub fn push_event(&mut self, ev: &ChangeEvent) -> Result<()> {
        self.check_usable()?;
        let out = self.out.clone();
        let reject = |reason: String| BundleError::EventRejected {
            path: out.clone(),
            event: ev.id.to_string(),
            reason,
        };
        if ev.id.seq == 0 {
            return Err(reject("sequence numbers start at 1".into()));
        }
        let stream = self.stream_of(ev);
        if let Some(i) = stream {
            let last = self.streams[i].last;
            if ev.id.seq <= last {
                return Err(reject(format!(
                    "its sequence number does not follow {last}, the last one of its stream in this bundle"
                )));
            }
        }
        if !ev.hash_is_valid() {
            return Err(reject("it does not match its content hash".into()));
        }
        self.line.clear();
        serde_json::to_writer(&mut self.line, ev)
            .map_err(|e| reject(format!("it cannot be written as JSON: {e}")))?;
        self.line.push(b'\n');
        let len = self.line.len() as u64;
        if len > MAX_EVENTS_MEMBER_SIZE {
            return Err(reject(format!(
                "it is {len} bytes as JSON, more than an events member may hold"
            )));
        }
        let full = self.chunk.as_ref().is_some_and(|c| {
            c.events >= CHUNK_EVENTS as u64 || c.size + len > MAX_EVENTS_MEMBER_SIZE
        });
        let needs_new = self.chunk.is_none() || full;
        if needs_new && self.member_count() + usize::from(!full) > MAX_MEMBERS {
            return Err(self.too_many_members());
        }
        let r = self.write_line(full);
        if r.is_err() {
            self.failed = true;
        }
        r?;
        match stream {
            Some(i) => {
                let s = &mut self.streams[i];
                s.last = ev.id.seq;
                s.count += 1;
            }
            None => {
                let i = self.streams.len();
                self.streams.push(StreamRange {
                    node: ev.id.node,
                    epoch: ev.id.epoch,
                    stream: ev.id.stream.clone(),
                    first: ev.id.seq,
                    last: ev.id.seq,
                    count: 1,
                });
                self.stream_index
                    .insert((ev.id.node, ev.id.epoch, ev.id.stream.clone()), i);
                self.last_stream = Some(i);
            }
        }
        self.events += 1;
        Ok(())
    }

    /// Writes `self.line` to the open events member, first closing it when `full` and opening
    /// a new one when none is open.
    fn write_line(&mut self, full: bool) -> Result<()> {
        if full {
            self.close_chunk();
        }
        let path = self.partial.clone();
        let zip = self.zip.as_mut().ok_or_else(|| BundleError::BadHeader {
            path: self.out.clone(),
            detail: "it is already finished".into(),
        })?;
        if self.chunk.is_none() {
            self.chunks += 1;
            let name = events_name(self.chunks);
            zip.start_file(name.as_str(), file_options())
                .map_err(zip_err("write", &path))?;
            self.chunk = Some(Chunk {
                name,
                hasher: Sha256::new(),
                size: 0,
                events: 0,
            });
        }
        zip.write_all(&self.line).map_err(io_err("write", &path))?;
        if let Some(c) = self.chunk.as_mut() {
            c.hasher.update(&self.line);
            c.size += self.line.len() as u64;
            c.events += 1;
        }
        Ok(())
    }

    fn close_chunk(&mut self) {
        if let Some(c) = self.chunk.take() {
            self.members.push(Member {
                name: c.name,
                sha256: hex::encode(c.hasher.finalize()),
                size: c.size,
                events: Some(c.events),
                signature: None,
            });
        }
    }

    /// Adds the signed PDF of signature `signature` (the uuid in its `signed` event).
    pub fn add_pdf(&mut self, signature: Uuid, bytes: &[u8]) -> Result<()> {
        self.check_usable()?;
        let reject = |reason: String| BundleError::PdfRejected {
            path: self.out.clone(),
            signature,
            reason,
        };
        if bytes.len() as u64 > MAX_PDF_SIZE {
            return Err(reject(format!(
                "it is {} bytes, more than the {MAX_PDF_SIZE} a PDF in a bundle may have",
                bytes.len()
            )));
        }
        let sha = hex::encode(Sha256::digest(bytes));
        if self.pdf_shas.contains(&sha) {
            return Err(reject("the same PDF is already in the bundle".into()));
        }
        if self.member_count() + 1 > MAX_MEMBERS {
            return Err(self.too_many_members());
        }
        let name = pdf_name(&sha);
        let r = self.write_pdf(&name, bytes);
        if r.is_err() {
            self.failed = true;
        }
        r?;
        self.pdfs.push(Member {
            name,
            sha256: sha.clone(),
            size: bytes.len() as u64,
            events: None,
            signature: Some(signature),
        });
        self.pdf_shas.insert(sha);
        Ok(())
    }

    fn write_pdf(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let path = self.spool_path.clone();
        if self.spool.is_none() {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(true)
                .open(&path)
                .map_err(io_err("create", &path))?;
            self.spool = Some(ZipWriter::new(BufWriter::with_capacity(1 << 20, file)));
        }
        if let Some(spool) = self.spool.as_mut() {
            spool
                .start_file(name, file_options())
                .map_err(zip_err("write", &path))?;
            spool.write_all(bytes).map_err(io_err("write", &path))?;
        }
        Ok(())
    }

    /// Writes the manifest, signs the file with `key` (which must be the origin's key),
    /// flushes it to disk and gives it its final name. Returns the manifest written.
    pub fn finish(mut self, key: &SigningKey) -> Result<Manifest> {
        self.check_usable()?;
        let expected = decode_public_key(&self.header.origin.public_key)?;
        if key.verifying_key().to_bytes() != expected {
            return Err(BundleError::KeyMismatch {
                path: self.out.clone(),
            });
        }
        let r = self.finish_inner(key);
        if r.is_err() {
            self.failed = true;
        }
        r
    }

    fn finish_inner(&mut self, key: &SigningKey) -> Result<Manifest> {
        self.close_chunk();
        let partial = self.partial.clone();
        let mut zip = self.zip.take().ok_or_else(|| BundleError::BadHeader {
            path: self.out.clone(),
            detail: "it is already finished".into(),
        })?;

        if let Some(spool) = self.spool.take() {
            let sp = self.spool_path.clone();
            let file = spool
                .finish()
                .map_err(zip_err("write", &sp))?
                .into_inner()
                .map_err(|e| io_err("write", &sp)(e.into_error()))?;
            let mut archive = ZipArchive::new(file).map_err(zip_err("read", &sp))?;
            for i in 0..archive.len() {
                let f = archive.by_index_raw(i).map_err(zip_err("read", &sp))?;
                zip.raw_copy_file(f).map_err(zip_err("write", &partial))?;
            }
            drop(archive);
            std::fs::remove_file(&sp).map_err(io_err("remove", &sp))?;
        }

        let mut members = std::mem::take(&mut self.members);
        members.extend(std::mem::take(&mut self.pdfs));
        let h = &self.header;
        let manifest = Manifest {
            format: FORMAT.to_string(),
            format_version: FORMAT_VERSION,
            study: h.study.clone(),
            definition_version: h.definition_version.clone(),
            origin: h.origin.clone(),
            destination: h.destination,
            full: h.full,
            created_at: h.created_at.clone(),
            streams: std::mem::take(&mut self.streams),
            counts: Counts {
                events: self.events,
                pdfs: members.iter().filter(|m| m.signature.is_some()).count() as u64,
            },
            members,
        };
        let json = serde_json::to_vec(&manifest).map_err(|e| BundleError::BadHeader {
            path: self.out.clone(),
            detail: format!("the manifest cannot be written: {e}"),
        })?;
        if json.len() as u64 > MAX_MANIFEST_SIZE {
            return Err(BundleError::BadHeader {
                path: self.out.clone(),
                detail: format!(
                    "its manifest would be {} bytes, more than the {MAX_MANIFEST_SIZE} allowed; export less at a time",
                    json.len()
                ),
            });
        }
        zip.start_file(MANIFEST_NAME, file_options())
            .map_err(zip_err("write", &partial))?;
        zip.write_all(&json).map_err(io_err("write", &partial))?;
        zip.set_comment(placeholder_comment());
        let mut file = zip
            .finish()
            .map_err(zip_err("write", &partial))?
            .into_inner()
            .map_err(|e| io_err("write", &partial)(e.into_error()))?;

        let len = file.metadata().map_err(io_err("read", &partial))?.len();
        if len > MAX_FILE_SIZE {
            return Err(BundleError::FileTooLarge {
                path: self.out.clone(),
                size: len,
                limit: MAX_FILE_SIZE,
            });
        }
        self.check_ratios(&mut file)?;
        sign_file(&mut file, &partial, key)?;
        drop(file);

        // No overwrite: the final name was free at `create`, and must still be.
        if self.out.symlink_metadata().is_ok() {
            return Err(BundleError::AlreadyExists {
                path: self.out.clone(),
            });
        }
        std::fs::rename(&partial, &self.out).map_err(io_err("rename", &partial))?;
        self.done = true;
        sync_parent(&self.out);
        Ok(manifest)
    }

    /// Refuses to produce a bundle that readers would refuse as a compression bomb.
    fn check_ratios(&self, file: &mut File) -> Result<()> {
        let partial = self.partial.clone();
        let mut archive = ZipArchive::new(file).map_err(zip_err("read", &partial))?;
        for i in 0..archive.len() {
            let f = archive.by_index_raw(i).map_err(zip_err("read", &partial))?;
            let (size, compressed) = (f.size(), f.compressed_size());
            if size > compressed.saturating_mul(MAX_COMPRESSION_RATIO) {
                return Err(BundleError::CompressionBomb {
                    path: self.out.clone(),
                    member: f.name().to_string(),
                    ratio: size / compressed.max(1),
                    at_least: false,
                });
            }
        }
        Ok(())
    }
}

/// Makes the rename durable where the platform allows it (best effort).
fn sync_parent(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

impl Drop for BundleWriter {
    fn drop(&mut self) {
        if !self.done {
            // The zip writers finish their archives when dropped: close them before removing.
            self.zip.take();
            self.spool.take();
            let _ = std::fs::remove_file(&self.partial);
            let _ = std::fs::remove_file(&self.spool_path);
        }
    }
}
