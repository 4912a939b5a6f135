//! The on-disk container of sync bundles: the files carried by USB between nodes.
//!
//! A bundle is one ZIP file (`.ecrfb`) holding a manifest, the change events in JSON Lines
//! members and the signed PDF CRFs, signed as a whole by the origin node's Ed25519 key in the
//! ZIP archive comment. The format is specified in `docs/bundle-format.md`.
//!
//! This crate knows files, ZIP, hashes and Ed25519, nothing of the database: [`BundleWriter`]
//! streams events and PDFs into a new bundle, [`BundleReader::open`] verifies a whole bundle
//! before anything in it is trusted, then hands out the events and PDFs.

mod cd;
mod error;
mod names;
mod read;
mod sign;
mod write;

pub use error::{BundleError, Result};
pub use read::BundleReader;
pub use write::{BundleHeader, BundleWriter};

#[doc(hidden)]
pub use sign::{placeholder_comment, sign_in_place};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The `format` field of every manifest.
pub const FORMAT: &str = "ecrf-bundle";
/// The version of the format this crate writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// The file name extension of bundles.
pub const EXTENSION: &str = "ecrfb";
/// The name of the manifest member.
pub const MANIFEST_NAME: &str = "manifest.json";
/// At most this many events per events member.
pub const CHUNK_EVENTS: usize = 5000;

/// A bundle file is at most 8 GiB.
pub const MAX_FILE_SIZE: u64 = 8 << 30;
/// The manifest is at most 16 MiB (uncompressed).
pub const MAX_MANIFEST_SIZE: u64 = 16 << 20;
/// An events member is at most 256 MiB uncompressed.
pub const MAX_EVENTS_MEMBER_SIZE: u64 = 256 << 20;
/// A PDF member is at most 64 MiB.
pub const MAX_PDF_SIZE: u64 = 64 << 20;
/// No member may be compressed better than 200:1 (uncompressed / compressed bytes).
pub const MAX_COMPRESSION_RATIO: u64 = 200;
/// At most this many members, the manifest included.
pub const MAX_MEMBERS: usize = 100_000;

/// The archive comment starts with this, followed by the signature in hex.
pub const SIGNATURE_PREFIX: &[u8] = b"ECRF-SIG1:";
/// The signature is 64 bytes, written as 128 lower-case hex characters.
pub const SIGNATURE_HEX_LEN: usize = 128;
/// What is signed is this context string followed by the SHA-256 of the signed region.
pub const SIGNING_CONTEXT: &[u8] = b"ecrf-bundle-v1\0";

/// The manifest: what the bundle holds, who made it, for whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    pub study: String,
    pub definition_version: String,
    pub origin: Origin,
    /// The node the bundle was made for; `None`: any node of the study.
    pub destination: Option<Uuid>,
    /// A full export (`true`) or an incremental one.
    pub full: bool,
    /// RFC 3339, as given by the writer.
    pub created_at: String,
    /// One range per (node, epoch, stream) present, in the order first pushed.
    pub streams: Vec<StreamRange>,
    pub counts: Counts,
    /// Every member but `manifest.json`, in archive order.
    pub members: Vec<Member>,
}

/// The node that made and signed the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Origin {
    pub node: Uuid,
    /// `"site"` or `"central"`.
    pub role: String,
    pub site: Option<String>,
    pub epoch: u32,
    /// Hex of the node's 32-byte Ed25519 verifying key.
    pub public_key: String,
}

/// The events of one stream in the bundle: `count` events with sequences in `first..=last`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamRange {
    pub node: Uuid,
    pub epoch: u32,
    pub stream: String,
    pub first: u64,
    pub last: u64,
    pub count: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    pub events: u64,
    pub pdfs: u64,
}

/// One member of the archive (other than the manifest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    pub name: String,
    /// SHA-256 (hex) of the uncompressed bytes.
    pub sha256: String,
    /// Uncompressed bytes.
    pub size: u64,
    /// For events members: how many events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<u64>,
    /// For PDF members: the signature (the uuid of the `signed` event's signature) the PDF
    /// belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<Uuid>,
}

/// Fingerprint of a node key: hex SHA-256 of the raw 32 key bytes.
pub fn fingerprint(public_key_hex: &str) -> Result<String> {
    let raw = decode_public_key(public_key_hex)?;
    Ok(hex::encode(Sha256::digest(raw)))
}

/// The 32 key bytes of a hex public key (lower- or upper-case hex).
pub(crate) fn decode_public_key(public_key_hex: &str) -> Result<[u8; 32]> {
    let raw = hex::decode(public_key_hex).map_err(|e| BundleError::PublicKey {
        detail: format!("not hex: {e}"),
    })?;
    <[u8; 32]>::try_from(raw.as_slice()).map_err(|_| BundleError::PublicKey {
        detail: format!("{} bytes, an Ed25519 key has 32", raw.len()),
    })
}

/// The verifying key of a hex public key, checked to be a valid Ed25519 point.
pub(crate) fn verifying_key(public_key_hex: &str) -> Result<ed25519_dalek::VerifyingKey> {
    let raw = decode_public_key(public_key_hex)?;
    ed25519_dalek::VerifyingKey::from_bytes(&raw).map_err(|e| BundleError::PublicKey {
        detail: format!("not an Ed25519 key: {e}"),
    })
}

/// Whether `s` is 64 lower-case hex characters (a SHA-256 as written in the manifest).
pub(crate) fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}
