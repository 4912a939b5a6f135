//! RFC 8785 (JCS) canonical JSON and SHA-256, the basis of event hashes and signature scopes.

use crate::CoreError;
use serde::Serialize;
use sha2::{Digest, Sha256};

mod ser;

/// The RFC 8785 canonical serialisation of `value`.
///
/// Written straight from `value`'s `Serialize` (see the `ser` module): the bytes
/// `serde_json_canonicalizer` (the reference, checked by a property test below) gives for
/// `serde_json::to_value(value)`, several times faster than building that value first. This is
/// the hottest step of an import, which checks the hash of every event it reads.
pub fn to_canonical<T: Serialize>(value: &T) -> Result<Vec<u8>, CoreError> {
    let mut out = Vec::with_capacity(256);
    value
        .serialize(ser::Canon { out: &mut out })
        .map_err(|e| CoreError::Canonical(e.0))?;
    Ok(out)
}

/// A string as RFC 8785 writes it: `"` and `\` escaped, control characters as their short
/// escape or `\u00xx`, everything else as it is.
fn write_string(s: &str, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let bytes = s.as_bytes();
    // Nearly every string needs no escape: found without a branch per byte, copied whole.
    if !bytes.iter().fold(false, |any, &b| {
        any | (b < 0x20) | (b == b'"') | (b == b'\\')
    }) {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x09 => b"\\t",
            0x0a => b"\\n",
            0x0c => b"\\f",
            0x0d => b"\\r",
            0x00..=0x1f => {
                out.extend_from_slice(&bytes[start..i]);
                out.extend_from_slice(b"\\u00");
                out.push(HEX[(b >> 4) as usize]);
                out.push(HEX[(b & 0xf) as usize]);
                start = i + 1;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(escape);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Lower-case hex SHA-256 of the canonical JSON of `value`.
pub fn hash_canonical<T: Serialize>(value: &T) -> Result<String, CoreError> {
    Ok(sha256_hex(&to_canonical(value)?))
}

/// Whether `hash` (lower-case hex, as events carry it) is the SHA-256 of the canonical JSON of
/// `value`: compared as bytes, without formatting the computed hash.
pub fn has_canonical_hash<T: Serialize>(value: &T, hash: &str) -> Result<bool, CoreError> {
    let mut expected = [0u8; 32];
    if hash.len() != 64
        || !hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        || hex::decode_to_slice(hash, &mut expected).is_err()
    {
        return Ok(false);
    }
    Ok(Sha256::digest(to_canonical(value)?).as_slice() == expected)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    digest_hex(Sha256::digest(bytes).into())
}

/// A SHA-256 digest in lower-case hex, written through a fixed buffer (`hex::encode` builds the
/// string a character at a time: a chain link is made for every event received).
fn digest_hex(digest: [u8; 32]) -> String {
    let mut buf = [0u8; 64];
    // 64 bytes are exactly twice 32, and hex digits are ASCII: neither can fail.
    match hex::encode_to_slice(digest, &mut buf).map(|()| std::str::from_utf8(&buf)) {
        Ok(Ok(s)) => s.to_string(),
        _ => hex::encode(digest),
    }
}

/// The next link of a hash chain: SHA-256 over the previous link and the event's content hash.
pub fn chain_link(prev: &str, content_hash: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(content_hash.as_bytes());
    digest_hex(h.finalize().into())
}

/// The first link of every chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use serde_json::Value as Json;

    #[test]
    fn rfc8785_examples() {
        // Key order by UTF-16 code units, numbers in ECMAScript form, no white space.
        let v =
            json!({"b": 1, "a": [1.0, 2.5e-7, 1e21, "x\u{0007}"], "\u{20ac}": true, "\r": null});
        let s = String::from_utf8(to_canonical(&v).unwrap()).unwrap();
        assert_eq!(
            s,
            "{\"\\r\":null,\"a\":[1,2.5e-7,1e+21,\"x\\u0007\"],\"b\":1,\"\u{20ac}\":true}"
        );
    }

    /// Any JSON value, with names and strings drawn from ASCII, controls, characters that need
    /// escaping, and characters on both sides of U+FFFF (where UTF-8 and UTF-16 orders differ).
    fn any_json() -> impl proptest::strategy::Strategy<Value = Json> {
        use proptest::prelude::*;
        let text = proptest::collection::vec(
            prop_oneof![
                proptest::char::range('a', 'e'),
                proptest::char::range('\u{0}', '\u{20}'),
                Just('"'),
                Just('\\'),
                Just('/'),
                Just('\u{7f}'),
                Just('\u{e9}'),
                Just('\u{20ac}'),
                Just('\u{fb01}'),
                Just('\u{1f600}'),
                Just('\u{10437}'),
            ],
            0..6,
        )
        .prop_map(|cs| cs.into_iter().collect::<String>());
        let leaf = prop_oneof![
            Just(Json::Null),
            any::<bool>().prop_map(Json::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<u64>().prop_map(|n| json!(n)),
            // Integers on both sides of 2^53, where writing them without a double stops.
            (-(1i64 << 54)..(1i64 << 54)).prop_map(|n| json!(n)),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(|f| json!(f)),
            (-1000i32..1000, -30i32..30).prop_map(|(m, e)| json!(f64::from(m) * 10f64.powi(e))),
            text.clone().prop_map(Json::String),
        ];
        leaf.prop_recursive(4, 64, 6, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Json::Array),
                proptest::collection::btree_map(text.clone(), inner, 0..6)
                    .prop_map(|m| Json::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// The same bytes as serde_json_canonicalizer, the reference, for any JSON value.
        #[test]
        fn same_bytes_as_the_reference(v in any_json()) {
            let reference = serde_json_canonicalizer::to_vec(&v).unwrap();
            proptest::prop_assert_eq!(
                String::from_utf8(to_canonical(&v).unwrap()).unwrap(),
                String::from_utf8(reference).unwrap()
            );
        }
    }

    /// Integers are written as ECMAScript writes the double they are: exactly up to 2^53,
    /// rounded beyond (the reference crate's bytes, each case by hand too).
    #[test]
    fn integers_around_two_to_the_53() {
        let cases: [(Json, &str); 10] = [
            (json!(0), "0"),
            (json!(-1), "-1"),
            (json!(9_007_199_254_740_991i64), "9007199254740991"),
            (json!(9_007_199_254_740_992u64), "9007199254740992"),
            (json!(-9_007_199_254_740_992i64), "-9007199254740992"),
            // 2^53 + 1 is no double: it rounds to 2^53.
            (json!(9_007_199_254_740_993u64), "9007199254740992"),
            (json!(-9_007_199_254_740_993i64), "-9007199254740992"),
            (json!(123_456_789_012_345_678u64), "123456789012345680"),
            (json!(u64::MAX), "18446744073709552000"),
            (json!(i64::MIN), "-9223372036854776000"),
        ];
        for (v, want) in cases {
            let got = String::from_utf8(to_canonical(&v).unwrap()).unwrap();
            assert_eq!(got, want, "{v}");
            let reference = serde_json_canonicalizer::to_vec(&v).unwrap();
            assert_eq!(got.as_bytes(), reference.as_slice(), "{v}");
        }
    }

    /// A chain link as Python's hashlib makes it: SHA-256 over the previous link, a newline and
    /// the content hash.
    #[test]
    fn chain_link_known_answer() {
        assert_eq!(
            chain_link(
                GENESIS,
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
            ),
            "3ab63be596ac32c6663a36c472320a7bf4ad22c3dd502b9cd9cc8fe8d0e9b389"
        );
    }

    #[test]
    fn sha256_known_answer() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
