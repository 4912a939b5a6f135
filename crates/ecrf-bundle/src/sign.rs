//! The signature over the whole file, kept in the ZIP archive comment.
//!
//! The comment is `ECRF-SIG1:` and 128 lower-case hex characters, the last bytes of the file.
//! The signed message is `SIGNING_CONTEXT ++ SHA-256(every byte before the 128 hex characters)`.

use crate::error::{io_err, BundleError, Result};
use crate::{SIGNATURE_HEX_LEN, SIGNATURE_PREFIX, SIGNING_CONTEXT};
use ed25519_dalek::{Signer, SigningKey};
use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// Length of the end-of-central-directory record without its comment.
pub(crate) const EOCD_LEN: u64 = 22;
/// Length of the archive comment: prefix and signature hex.
pub(crate) const COMMENT_LEN: u64 = SIGNATURE_PREFIX.len() as u64 + SIGNATURE_HEX_LEN as u64;
/// The EOCD and the comment: the fixed tail of every bundle.
pub(crate) const TAIL_LEN: u64 = EOCD_LEN + COMMENT_LEN;

/// The archive comment a bundle is written with before it is signed: the prefix and 128 `'0'`.
pub fn placeholder_comment() -> String {
    let mut s = String::from_utf8_lossy(SIGNATURE_PREFIX).into_owned();
    s.push_str(&"0".repeat(SIGNATURE_HEX_LEN));
    s
}

/// The message that is signed, for the SHA-256 of the signed region.
pub(crate) fn message(digest: &[u8; 32]) -> Vec<u8> {
    let mut m = Vec::with_capacity(SIGNING_CONTEXT.len() + 32);
    m.extend_from_slice(SIGNING_CONTEXT);
    m.extend_from_slice(digest);
    m
}

/// SHA-256 of the first `len` bytes of `file`, read in large blocks.
pub(crate) fn digest_prefix(file: &mut File, len: u64, path: &Path) -> Result<[u8; 32]> {
    Ok(hash_prefix(file, len, path)?.finalize().into())
}

/// The SHA-256 state after the first `len` bytes of `file` (to finalise, or to go on with).
pub(crate) fn hash_prefix(file: &mut File, len: u64, path: &Path) -> Result<Sha256> {
    file.seek(SeekFrom::Start(0))
        .map_err(io_err("read", path))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        let want = usize::try_from(left.min(buf.len() as u64)).unwrap_or(buf.len());
        let got = file.read(&mut buf[..want]).map_err(io_err("read", path))?;
        if got == 0 {
            return Err(BundleError::Truncated {
                path: path.to_path_buf(),
            });
        }
        hasher.update(&buf[..got]);
        left -= got as u64;
    }
    Ok(hasher)
}

/// Signs the finished archive in `file` (length `len`, ending with the signature comment)
/// by overwriting its last 128 bytes, then flushes it to disk.
pub(crate) fn sign_file(file: &mut File, path: &Path, key: &SigningKey) -> Result<()> {
    let len = file.metadata().map_err(io_err("read", path))?.len();
    if len < TAIL_LEN {
        return Err(BundleError::Truncated {
            path: path.to_path_buf(),
        });
    }
    let mut prefix = [0u8; SIGNATURE_PREFIX.len()];
    file.seek(SeekFrom::Start(len - COMMENT_LEN))
        .map_err(io_err("read", path))?;
    file.read_exact(&mut prefix).map_err(io_err("read", path))?;
    if prefix != SIGNATURE_PREFIX {
        return Err(BundleError::NotABundle {
            path: path.to_path_buf(),
            reason: "the archive does not end with a signature comment".into(),
        });
    }
    let signed_len = len - SIGNATURE_HEX_LEN as u64;
    let digest = digest_prefix(file, signed_len, path)?;
    let signature = key.sign(&message(&digest));
    let hex = hex::encode(signature.to_bytes());
    file.seek(SeekFrom::Start(signed_len))
        .map_err(io_err("write", path))?;
    file.write_all(hex.as_bytes())
        .map_err(io_err("write", path))?;
    file.sync_all().map_err(io_err("flush to disk", path))?;
    Ok(())
}

/// Signs (or re-signs) the bundle-shaped ZIP file at `path` in place with `key`: the file must
/// end with an archive comment of `ECRF-SIG1:` and 128 characters. The writer calls the same
/// step; tests use it to make properly signed malformed bundles.
pub fn sign_in_place(path: &Path, key: &SigningKey) -> Result<()> {
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(io_err("open", path))?;
    sign_file(&mut file, path, key)
}
