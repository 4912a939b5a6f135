//! A strict reading of the ZIP end records and central directory, independent of the zip crate:
//! it bounds the number of members before anything large is allocated, and it sees every name
//! as written (the zip crate keeps only the last of two members with the same name).

use crate::names::MAX_NAME_BYTES;
use crate::sign::{COMMENT_LEN, EOCD_LEN};
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};

pub(crate) const EOCD_LEN_USIZE: usize = EOCD_LEN as usize;
const EOCD_SIG: u32 = 0x0605_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
const ZIP64_EOCD_SIG: u32 = 0x0606_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const ZIP64_LOCATOR_LEN: u64 = 20;
const ZIP64_EOCD_LEN: u64 = 56;
const CENTRAL_LEN: usize = 46;

/// Where the central directory is and how many entries it has.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Directory {
    pub offset: u64,
    pub size: u64,
    pub entries: u64,
}

/// One central directory entry: its raw name (at most `MAX_NAME_BYTES + 1` bytes kept).
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub name: Vec<u8>,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}
fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}
fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}

/// Whether `eocd` (the 22 bytes before the comment) is an end record with a bundle-sized comment.
pub(crate) fn is_bundle_eocd(eocd: &[u8]) -> bool {
    eocd.len() == EOCD_LEN as usize
        && u32_at(eocd, 0) == EOCD_SIG
        && u64::from(u16_at(eocd, 20)) == COMMENT_LEN
}

fn read_at(file: &mut File, at: u64, buf: &mut [u8]) -> io::Result<()> {
    file.seek(SeekFrom::Start(at))?;
    file.read_exact(buf)
}

/// Finds the central directory from the end record at `eocd_pos` (ZIP64 when present).
/// `Err` is a description of the damage; IO errors are descriptions too.
pub(crate) fn locate(file: &mut File, eocd_pos: u64, eocd: &[u8]) -> Result<Directory, String> {
    let disk = u16_at(eocd, 4);
    let cd_disk = u16_at(eocd, 6);
    let n_disk = u16_at(eocd, 8);
    let n_total = u16_at(eocd, 10);
    let size32 = u32_at(eocd, 12);
    let offset32 = u32_at(eocd, 16);
    if disk != 0 || cd_disk != 0 {
        return Err("multi-disk archive".into());
    }
    if n_disk != n_total {
        return Err("the end record's entry counts disagree".into());
    }
    let mut locator = [0u8; ZIP64_LOCATOR_LEN as usize];
    let has_zip64 = eocd_pos >= ZIP64_LOCATOR_LEN
        && read_at(file, eocd_pos - ZIP64_LOCATOR_LEN, &mut locator).is_ok()
        && u32_at(&locator, 0) == ZIP64_LOCATOR_SIG;
    let (dir, end) = if has_zip64 {
        if u32_at(&locator, 4) != 0 || u32_at(&locator, 16) != 1 {
            return Err("multi-disk ZIP64 archive".into());
        }
        let rec_pos = u64_at(&locator, 8);
        let locator_pos = eocd_pos - ZIP64_LOCATOR_LEN;
        if rec_pos
            .checked_add(ZIP64_EOCD_LEN)
            .is_none_or(|end| end > locator_pos)
        {
            return Err("ZIP64 end record out of place".into());
        }
        let mut rec = [0u8; ZIP64_EOCD_LEN as usize];
        read_at(file, rec_pos, &mut rec).map_err(|e| format!("ZIP64 end record: {e}"))?;
        if u32_at(&rec, 0) != ZIP64_EOCD_SIG
            || u64_at(&rec, 4).checked_add(12 + rec_pos) != Some(locator_pos)
        {
            return Err("bad ZIP64 end record".into());
        }
        if u32_at(&rec, 16) != 0 || u32_at(&rec, 20) != 0 || u64_at(&rec, 24) != u64_at(&rec, 32) {
            return Err("multi-disk ZIP64 archive".into());
        }
        let dir = Directory {
            entries: u64_at(&rec, 32),
            size: u64_at(&rec, 40),
            offset: u64_at(&rec, 48),
        };
        let agrees = |short: u64, long: u64, max: u64| short == max || short == long;
        if !agrees(n_total.into(), dir.entries, 0xFFFF)
            || !agrees(size32.into(), dir.size, 0xFFFF_FFFF)
            || !agrees(offset32.into(), dir.offset, 0xFFFF_FFFF)
        {
            return Err("end records disagree".into());
        }
        (dir, rec_pos)
    } else {
        // Without a ZIP64 record the fields are taken literally (the zip crate writes 65535
        // entries without one).
        let dir = Directory {
            entries: n_total.into(),
            size: size32.into(),
            offset: offset32.into(),
        };
        (dir, eocd_pos)
    };
    if dir.offset.checked_add(dir.size) != Some(end) {
        return Err("the central directory is not where the end record says".into());
    }
    Ok(dir)
}

/// Reads the names of the `dir.entries` central directory entries; the directory must hold
/// exactly these entries.
pub(crate) fn entries(file: &mut File, dir: Directory) -> Result<Vec<Entry>, String> {
    file.seek(SeekFrom::Start(dir.offset))
        .map_err(|e| format!("central directory: {e}"))?;
    let mut r = BufReader::with_capacity(1 << 16, file).take(dir.size);
    let ends_early = |e: io::Error| format!("central directory ends early ({e})");
    let capacity = usize::try_from(dir.entries)
        .unwrap_or(0)
        .min(crate::MAX_MEMBERS);
    let mut out = Vec::with_capacity(capacity);
    let mut fixed = [0u8; CENTRAL_LEN];
    for _ in 0..dir.entries {
        r.read_exact(&mut fixed).map_err(ends_early)?;
        if u32_at(&fixed, 0) != CENTRAL_SIG {
            return Err("bad central directory entry".into());
        }
        let name_len = u64::from(u16_at(&fixed, 28));
        let extra_len = u64::from(u16_at(&fixed, 30));
        let comment_len = u64::from(u16_at(&fixed, 32));
        let keep = name_len.min(MAX_NAME_BYTES as u64 + 1);
        let mut name = Vec::new();
        (&mut r)
            .take(keep)
            .read_to_end(&mut name)
            .map_err(ends_early)?;
        let skip = name_len - keep + extra_len + comment_len;
        let skipped = io::copy(&mut (&mut r).take(skip), &mut io::sink()).map_err(ends_early)?;
        if name.len() as u64 != keep || skipped != skip {
            return Err("central directory ends early".into());
        }
        out.push(Entry { name });
    }
    let rest = io::copy(&mut r, &mut io::sink()).map_err(ends_early)?;
    if rest != 0 {
        return Err("unexpected bytes in the central directory".into());
    }
    Ok(out)
}
