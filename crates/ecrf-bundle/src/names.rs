//! Member names: which are safe, which the format allows.

use crate::{is_sha256_hex, MANIFEST_NAME};

/// Longer raw names are refused outright (the longest valid name has 73 bytes).
pub(crate) const MAX_NAME_BYTES: usize = 255;

/// What a valid member name names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    Manifest,
    /// `events/NNNNNN.jsonl`, numbered from 1.
    Events(u32),
    /// `pdfs/<sha256>.pdf`, with the SHA-256 in the name.
    Pdf(String),
}

/// The name as text, or why it is unsafe: a name that could escape a directory or mean
/// different things on different systems if it were ever used as a path.
pub(crate) fn check_safe(raw: &[u8]) -> Result<&str, &'static str> {
    if raw.len() > MAX_NAME_BYTES {
        return Err("name too long");
    }
    let name = std::str::from_utf8(raw).map_err(|_| "not UTF-8")?;
    if name.is_empty() {
        return Err("empty name");
    }
    if name.contains('\0') {
        return Err("NUL character");
    }
    if name.chars().any(char::is_control) {
        return Err("control character");
    }
    if name.contains('\\') {
        return Err("backslash");
    }
    if name.starts_with('/') {
        return Err("absolute path");
    }
    if name.contains(':') {
        return Err("colon or drive letter");
    }
    for part in name.split('/') {
        match part {
            ".." => return Err("path traversal (..)"),
            "." => return Err("dot path component"),
            _ => {}
        }
    }
    if name.contains("//") {
        return Err("empty path component");
    }
    Ok(name)
}

/// What a (safe) name names, if the format allows it.
pub(crate) fn classify(name: &str) -> Option<Kind> {
    if name == MANIFEST_NAME {
        return Some(Kind::Manifest);
    }
    if let Some(n) = name
        .strip_prefix("events/")
        .and_then(|r| r.strip_suffix(".jsonl"))
    {
        if n.len() == 6 && n.bytes().all(|b| b.is_ascii_digit()) {
            let n: u32 = n.parse().ok()?;
            return (n >= 1).then_some(Kind::Events(n));
        }
        return None;
    }
    if let Some(h) = name
        .strip_prefix("pdfs/")
        .and_then(|r| r.strip_suffix(".pdf"))
    {
        return is_sha256_hex(h).then(|| Kind::Pdf(h.to_string()));
    }
    None
}

pub(crate) fn events_name(n: u32) -> String {
    format!("events/{n:06}.jsonl")
}

pub(crate) fn pdf_name(sha256_hex: &str) -> String {
    format!("pdfs/{sha256_hex}.pdf")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_names_are_refused() {
        for bad in [
            &b"../x"[..],
            b"/etc/x",
            b"events/../../x",
            b"a\\b",
            b"C:x",
            b"c:/x",
            b"a\0b",
            b"",
            b"./manifest.json",
            b"events//000001.jsonl",
            b"\xff\xfe",
            b"a\nb",
        ] {
            assert!(check_safe(bad).is_err(), "{bad:?}");
        }
        assert!(check_safe(&[b'a'; 256]).is_err());
        for good in ["manifest.json", "events/000001.jsonl", "x.txt", "events/"] {
            assert_eq!(check_safe(good.as_bytes()), Ok(good));
        }
    }

    #[test]
    fn names_are_classified() {
        let sha = "ab".repeat(32);
        assert_eq!(classify("manifest.json"), Some(Kind::Manifest));
        assert_eq!(classify("events/000001.jsonl"), Some(Kind::Events(1)));
        assert_eq!(classify(&events_name(42)), Some(Kind::Events(42)));
        assert_eq!(classify(&pdf_name(&sha)), Some(Kind::Pdf(sha.clone())));
        for bad in [
            "events/000000.jsonl",
            "events/1.jsonl",
            "events/0000001.jsonl",
            "events/00000a.jsonl",
            "events/000001.json",
            "pdfs/abc.pdf",
            &format!("pdfs/{}.pdf", sha.to_uppercase()),
            "Manifest.json",
            "events/",
            "x.txt",
        ] {
            assert_eq!(classify(bad), None, "{bad}");
        }
    }
}
