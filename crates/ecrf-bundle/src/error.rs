//! The one error type of the crate. Every message names the bundle file and, where it applies,
//! the member or the event, in words a data manager can act on.

use crate::{FORMAT_VERSION, MAX_COMPRESSION_RATIO};
use std::io;
use std::path::{Path, PathBuf};

pub type Result<T, E = BundleError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    #[error("could not {action} {}: {source}", .path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error("{} already exists: a bundle is never overwritten; choose another file name or move the existing file away", .path.display())]
    AlreadyExists { path: PathBuf },

    #[error("{} is not an eCRF bundle: {reason}", .path.display())]
    NotABundle { path: PathBuf, reason: String },

    #[error("{} is incomplete: it ends early or its last bytes are damaged (there is no bundle signature where the file ends); the copy was probably interrupted: copy the bundle again from its origin", .path.display())]
    Truncated { path: PathBuf },

    #[error("{} is damaged ({detail}); copy the bundle again from its origin", .path.display())]
    Damaged { path: PathBuf, detail: String },

    #[error("{} is {size} bytes, more than the {limit} bytes a bundle may have", .path.display())]
    FileTooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
    },

    #[error("{} has {count} members, more than the {limit} a bundle may have", .path.display())]
    TooManyMembers {
        path: PathBuf,
        count: u64,
        limit: u64,
    },

    #[error("the signature of {} does not verify: the file was changed after it was signed, or it was not signed by the key named in its manifest", .path.display())]
    BadSignature { path: PathBuf },

    #[error("the manifest of {} has no valid origin public key ({detail}), so the bundle's signature cannot be checked", .path.display())]
    BadPublicKey { path: PathBuf, detail: String },

    #[error("{} is not an eCRF bundle: its manifest says format {format}", .path.display())]
    UnknownFormat { path: PathBuf, format: String },

    #[error("{} has unknown bundle format version {version} (this program reads version {FORMAT_VERSION}); it was probably made by a newer version of the program", .path.display())]
    UnknownFormatVersion { path: PathBuf, version: String },

    #[error("the manifest of {} is invalid: {detail}", .path.display())]
    BadManifest { path: PathBuf, detail: String },

    #[error("member {member} of {} is not in the manifest", .path.display())]
    NotInManifest { path: PathBuf, member: String },

    #[error("member {member} listed in the manifest of {} is missing from the file", .path.display())]
    MissingMember { path: PathBuf, member: String },

    #[error("{} contains member {member} more than once (duplicate member)", .path.display())]
    DuplicateMember { path: PathBuf, member: String },

    #[error("{} contains a member with an unsafe name {member:?} ({reason})", .path.display())]
    UnsafeName {
        path: PathBuf,
        member: String,
        reason: &'static str,
    },

    #[error("member {member} of {} is not a valid bundle member name (expected manifest.json, events/NNNNNN.jsonl or pdfs/<sha256>.pdf)", .path.display())]
    InvalidMemberName { path: PathBuf, member: String },

    #[error("member {member} of {} is larger than the limit of {limit} bytes", .path.display())]
    MemberTooLarge {
        path: PathBuf,
        member: String,
        limit: u64,
    },

    #[error("member {member} of {} is compressed suspiciously well (ratio {}{ratio}:1, the limit is {MAX_COMPRESSION_RATIO}:1; possible compression bomb): refused", .path.display(), if *.at_least { "over " } else { "" })]
    CompressionBomb {
        path: PathBuf,
        member: String,
        ratio: u64,
        /// The member was cut off at the limit: its real ratio is higher.
        at_least: bool,
    },

    #[error("member {member} of {} uses compression method {method}; bundle members are Deflate-compressed", .path.display())]
    UnsupportedCompression {
        path: PathBuf,
        member: String,
        method: String,
    },

    #[error("member {member} of {} does not match its SHA-256 in the manifest", .path.display())]
    HashMismatch { path: PathBuf, member: String },

    #[error("member {member} of {} holds {actual} bytes but {what} says {declared}", .path.display())]
    SizeMismatch {
        path: PathBuf,
        member: String,
        what: &'static str,
        declared: u64,
        actual: u64,
    },

    #[error("event line {line} of member {member} of {} is not a change event: {detail}", .path.display())]
    BadEventLine {
        path: PathBuf,
        member: String,
        line: u64,
        detail: String,
    },

    #[error("event {event} (line {line} of member {member} of {}) does not match its content hash", .path.display())]
    EventHash {
        path: PathBuf,
        member: String,
        line: u64,
        event: String,
    },

    #[error("event {event} (line {line} of member {member} of {}) is outside the stream ranges declared in the manifest", .path.display())]
    EventOutOfRange {
        path: PathBuf,
        member: String,
        line: u64,
        event: String,
    },

    #[error("event {event} (line {line} of member {member} of {}) is out of order: sequence numbers must increase within a stream", .path.display())]
    EventOrder {
        path: PathBuf,
        member: String,
        line: u64,
        event: String,
    },

    #[error("the events of {} differ from the counts in its manifest: {detail}", .path.display())]
    CountMismatch { path: PathBuf, detail: String },

    #[error("event {event} cannot be added to bundle {}: {reason}", .path.display())]
    EventRejected {
        path: PathBuf,
        event: String,
        reason: String,
    },

    #[error("the PDF of signature {signature} cannot be added to bundle {}: {reason}", .path.display())]
    PdfRejected {
        path: PathBuf,
        signature: uuid::Uuid,
        reason: String,
    },

    #[error("bundle {} cannot be written: {detail}", .path.display())]
    BadHeader { path: PathBuf, detail: String },

    #[error("bundle {} cannot be signed: the signing key does not match the origin public key in its header", .path.display())]
    KeyMismatch { path: PathBuf },

    #[error("invalid public key: {detail}")]
    PublicKey { detail: String },
}

/// `map_err` helper: an IO error while doing `action` on `path`.
pub(crate) fn io_err(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> BundleError {
    let path = path.to_path_buf();
    move |source| BundleError::Io {
        action,
        path,
        source,
    }
}
