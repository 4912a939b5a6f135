//! RFC 8785 (JCS) canonical JSON and SHA-256, the basis of event hashes and signature scopes.

use crate::CoreError;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The RFC 8785 canonical serialisation of `value`.
pub fn to_canonical<T: Serialize>(value: &T) -> Result<Vec<u8>, CoreError> {
    serde_json_canonicalizer::to_vec(value).map_err(|e| CoreError::Canonical(e.to_string()))
}

/// Lower-case hex SHA-256 of the canonical JSON of `value`.
pub fn hash_canonical<T: Serialize>(value: &T) -> Result<String, CoreError> {
    Ok(sha256_hex(&to_canonical(value)?))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The next link of a hash chain: SHA-256 over the previous link and the event's content hash.
pub fn chain_link(prev: &str, content_hash: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(content_hash.as_bytes());
    hex::encode(h.finalize())
}

/// The first link of every chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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

    #[test]
    fn sha256_known_answer() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
