//! PDF digital signatures (CMS detached, PAdES baseline B) and their verification.
//!
//! - [`new_identity`]: a P-256 key and a self-signed X.509 certificate for a user who signs.
//! - [`seal_key`] / [`open_key`]: the private key encrypted under the user's password
//!   (Argon2id + XChaCha20-Poly1305), so no one signs without the password.
//! - [`sign_pdf`]: appends the signature as an incremental update (the original bytes stay as
//!   they are): an invisible signature field on page 1 and a `/Sig` dictionary with
//!   `/SubFilter /ETSI.CAdES.detached`, whose `/Contents` is a CMS SignedData (ECDSA P-256 /
//!   SHA-256; signed attributes content-type, message-digest and ESS signing-certificate-v2;
//!   as PAdES baseline requires, no signing-time attribute: the signing time is `/M`, inside
//!   the signed bytes) over the `/ByteRange`, which is the whole file except the
//!   `/Contents` value.
//! - [`verify_pdf`]: checks the last signature of a PDF the same way a third-party tool does.
//!
//! No cryptography is implemented here: RustCrypto crates do all of it.

use chrono::{DateTime, SecondsFormat, Utc};
use cms::builder::{SignedDataBuilder, SignerInfoBuilder};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::ContentInfo;
use cms::signed_data::{EncapsulatedContentInfo, SignedData, SignerIdentifier};
use const_oid::db::rfc5911::{
    ID_CONTENT_TYPE, ID_DATA, ID_MESSAGE_DIGEST, ID_SIGNED_DATA, ID_SIGNING_TIME,
};
use const_oid::ObjectIdentifier;
use der::asn1::{OctetString, SetOfVec, UtcTime};
use der::{Decode, Encode, Sequence};
use p256::ecdsa::{DerSignature, SigningKey, VerifyingKey};
use p256::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey};
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use spki::{AlgorithmIdentifierOwned, EncodePublicKey, SubjectPublicKeyInfoOwned};
use std::time::Duration;
use x509_cert::attr::{Attribute, AttributeTypeAndValue, AttributeValue};
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::Certificate;
use zeroize::Zeroizing;

use crate::PdfError;

mod pdf;

/// A user's signing key (PKCS #8 DER, P-256) and self-signed certificate (DER).
#[derive(Clone)]
pub struct SigningIdentity {
    pub key_pkcs8_der: Vec<u8>,
    pub cert_der: Vec<u8>,
}

impl std::fmt::Debug for SigningIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningIdentity")
            .field("key_pkcs8_der", &"<secret>")
            .field("cert", &cert_fingerprint(&self.cert_der))
            .finish()
    }
}

/// What [`verify_pdf`] found about the last signature of a PDF.
#[derive(Debug, Clone)]
pub struct PdfSignatureCheck {
    /// The CMS signature is valid and the signed byte ranges hash to its message digest.
    pub intact: bool,
    /// The signed byte ranges are the whole file except the signature value.
    pub covers_whole_file: bool,
    pub signer_cert_der: Vec<u8>,
    /// The certificate's common name (else the `/Name` of the signature dictionary).
    pub signer_name: String,
    /// The claimed signing time (`/M` of the signature dictionary, which the signature covers;
    /// else a CMS signing-time attribute), RFC 3339 UTC.
    pub signing_time: Option<String>,
    /// `/ECRFContentHash` of the document information dictionary.
    pub content_hash: Option<String>,
    /// Why the signature is not intact or does not cover the whole file.
    pub problem: Option<String>,
}

const OID_CN: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
const OID_O: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");
const OID_UID: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.9.2342.19200300.100.1.1");
const OID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
/// id-aa-signingCertificateV2 (RFC 5035).
const OID_SIGNING_CERT_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");

fn sign_err(what: &str) -> impl Fn(String) -> PdfError + '_ {
    move |e| PdfError::Sign(format!("{what}: {e}"))
}

fn utf8_rdn(oid: ObjectIdentifier, value: &str) -> Result<RelativeDistinguishedName, PdfError> {
    let s = der::asn1::Utf8StringRef::new(value).map_err(|e| PdfError::Sign(e.to_string()))?;
    let value = AttributeValue::from(s);
    let atv = AttributeTypeAndValue { oid, value };
    RelativeDistinguishedName::try_from(vec![atv]).map_err(|e| PdfError::Sign(e.to_string()))
}

fn der_time(t: DateTime<Utc>) -> Result<Time, PdfError> {
    let secs = u64::try_from(t.timestamp())
        .map_err(|_| PdfError::Sign(format!("time before 1970: {t}")))?;
    let dt = der::DateTime::from_unix_duration(Duration::from_secs(secs))
        .map_err(|e| PdfError::Sign(format!("time {t}: {e}")))?;
    // RFC 5280 / RFC 5652: UTCTime through 2049, GeneralizedTime after.
    if dt.year() < 2050 {
        Ok(Time::UtcTime(
            UtcTime::from_date_time(dt).map_err(|e| PdfError::Sign(e.to_string()))?,
        ))
    } else {
        Ok(Time::GeneralTime(
            der::asn1::GeneralizedTime::from_date_time(dt),
        ))
    }
}

/// A fresh P-256 key and a self-signed certificate: CN = the printed name, UID = the username,
/// O = the organisation; keyUsage digitalSignature + nonRepudiation; valid `years` from
/// `not_before`.
pub fn new_identity(
    common_name: &str,
    username: &str,
    organisation: &str,
    not_before: DateTime<Utc>,
    years: u32,
) -> Result<SigningIdentity, PdfError> {
    if common_name.trim().is_empty() {
        return Err(PdfError::Sign("a certificate needs a name".into()));
    }
    let key = SigningKey::random(&mut OsRng);
    let mut rdns = vec![utf8_rdn(OID_CN, common_name)?];
    if !username.is_empty() {
        rdns.push(utf8_rdn(OID_UID, username)?);
    }
    if !organisation.is_empty() {
        rdns.push(utf8_rdn(OID_O, organisation)?);
    }
    // RDNSequence is written most significant first.
    rdns.reverse();
    let subject: Name = RdnSequence(rdns);

    let mut serial = [0u8; 16];
    OsRng.fill_bytes(&mut serial);
    serial[0] &= 0x7f; // positive
    serial[0] |= 0x40; // no leading zero octet: always 16 bytes
    let serial = SerialNumber::new(&serial).map_err(|e| PdfError::Sign(e.to_string()))?;

    let not_after = not_before
        .checked_add_months(chrono::Months::new(12 * years.max(1)))
        .ok_or_else(|| PdfError::Sign("validity out of range".into()))?;
    let validity = Validity {
        not_before: der_time(not_before)?,
        not_after: der_time(not_after)?,
    };
    let spki = SubjectPublicKeyInfoOwned::from_key(*key.verifying_key())
        .map_err(|e| PdfError::Sign(e.to_string()))?;
    let profile = Profile::Leaf {
        issuer: subject.clone(),
        enable_key_agreement: false,
        enable_key_encipherment: false,
    };
    let builder = CertificateBuilder::new(profile, serial, validity, subject, spki, &key)
        .map_err(|e| PdfError::Sign(format!("certificate: {e}")))?;
    let cert = builder
        .build::<DerSignature>()
        .map_err(|e| PdfError::Sign(format!("certificate: {e}")))?;
    let cert_der = cert.to_der().map_err(|e| PdfError::Sign(e.to_string()))?;
    let key_pkcs8_der = key
        .to_pkcs8_der()
        .map_err(|e| PdfError::Sign(format!("private key: {e}")))?
        .as_bytes()
        .to_vec();
    Ok(SigningIdentity {
        key_pkcs8_der,
        cert_der,
    })
}

/// SHA-256 of the certificate's DER, lowercase hex.
pub fn cert_fingerprint(cert_der: &[u8]) -> String {
    hex::encode(Sha256::digest(cert_der))
}

/// The certificate as PEM (for tools such as pyHanko that take a trust root file).
pub fn cert_pem(cert_der: &[u8]) -> String {
    use std::fmt::Write;
    let b64 = base64_encode(cert_der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        let _ = writeln!(out, "{}", std::str::from_utf8(chunk).unwrap_or_default());
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

fn base64_encode(data: &[u8]) -> String {
    // Encoding only; no secret data passes through here.
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for c in data.chunks(3) {
        let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if c.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if c.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The private key sealed under the user's password.

const SEAL_MAGIC: &[u8; 8] = b"ECRFKEY1";
const SEAL_SALT: usize = 16;
const SEAL_NONCE: usize = 24;
const SEAL_HEADER: usize = 8 + 12 + SEAL_SALT + SEAL_NONCE;
/// Argon2id cost (OWASP's minimum recommendation: 19 MiB, 2 passes, 1 lane).
const SEAL_M_KIB: u32 = 19 * 1024;
const SEAL_T: u32 = 2;
const SEAL_P: u32 = 1;

fn seal_kek(
    password: &str,
    salt: &[u8],
    m: u32,
    t: u32,
    p: u32,
) -> Result<Zeroizing<[u8; 32]>, PdfError> {
    let params = argon2::Params::new(m, t, p, Some(32))
        .map_err(|e| PdfError::Sign(format!("key derivation parameters: {e}")))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut kek = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(password.as_bytes(), salt, kek.as_mut())
        .map_err(|e| PdfError::Sign(format!("key derivation: {e}")))?;
    Ok(kek)
}

/// Encrypts a private key under a password: `ECRFKEY1 | m_kib t p (u32 LE) | salt | nonce |
/// XChaCha20-Poly1305(key)`, the header authenticated as associated data.
pub fn seal_key(key_pkcs8_der: &[u8], password: &str) -> Result<Vec<u8>, PdfError> {
    use chacha20poly1305::aead::{Aead, KeyInit, Payload};
    if password.is_empty() {
        return Err(PdfError::Sign("a signing key needs a password".into()));
    }
    let mut salt = [0u8; SEAL_SALT];
    let mut nonce = [0u8; SEAL_NONCE];
    OsRng.fill_bytes(&mut salt);
    OsRng.fill_bytes(&mut nonce);
    let mut out = Vec::with_capacity(SEAL_HEADER + key_pkcs8_der.len() + 16);
    out.extend_from_slice(SEAL_MAGIC);
    for v in [SEAL_M_KIB, SEAL_T, SEAL_P] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&salt);
    out.extend_from_slice(&nonce);
    let kek = seal_kek(password, &salt, SEAL_M_KIB, SEAL_T, SEAL_P)?;
    let cipher =
        chacha20poly1305::XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(kek.as_ref()));
    let ct = cipher
        .encrypt(
            chacha20poly1305::XNonce::from_slice(&nonce),
            Payload {
                msg: key_pkcs8_der,
                aad: &out,
            },
        )
        .map_err(|_| PdfError::Sign("sealing the signing key failed".into()))?;
    out.extend_from_slice(&ct);
    Ok(out)
}

/// Decrypts a key sealed by [`seal_key`]. A wrong password (or a damaged blob) is an error
/// that says so.
pub fn open_key(sealed: &[u8], password: &str) -> Result<Vec<u8>, PdfError> {
    use chacha20poly1305::aead::{Aead, KeyInit, Payload};
    if sealed.len() < SEAL_HEADER + 16 || &sealed[..8] != SEAL_MAGIC {
        return Err(PdfError::Sign("not a sealed signing key".into()));
    }
    let u = |i: usize| u32::from_le_bytes(sealed[8 + 4 * i..12 + 4 * i].try_into().unwrap());
    let (m, t, p) = (u(0), u(1), u(2));
    // Refuse absurd parameters from a damaged blob rather than allocating gigabytes.
    if !(8..=1024 * 1024).contains(&m) || !(1..=64).contains(&t) || !(1..=16).contains(&p) {
        return Err(PdfError::Sign("the sealed signing key is damaged".into()));
    }
    let salt = &sealed[20..20 + SEAL_SALT];
    let nonce = &sealed[20 + SEAL_SALT..SEAL_HEADER];
    let kek = seal_kek(password, salt, m, t, p)?;
    let cipher =
        chacha20poly1305::XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(kek.as_ref()));
    cipher
        .decrypt(
            chacha20poly1305::XNonce::from_slice(nonce),
            Payload {
                msg: &sealed[SEAL_HEADER..],
                aad: &sealed[..SEAL_HEADER],
            },
        )
        .map_err(|_| {
            PdfError::Sign(
                "wrong password for the signing key (or the sealed key is damaged)".into(),
            )
        })
}

// ---------------------------------------------------------------------------------------------
// CMS

/// ESSCertIDv2 with the default hash algorithm (SHA-256) and no issuerSerial (RFC 5035).
#[derive(Sequence)]
struct EssCertIdV2 {
    cert_hash: OctetString,
}

/// SigningCertificateV2 without policies (RFC 5035).
#[derive(Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
}

fn attribute(oid: ObjectIdentifier, value_der: &[u8]) -> Result<Attribute, PdfError> {
    let value = AttributeValue::from_der(value_der).map_err(|e| PdfError::Sign(e.to_string()))?;
    let mut values = SetOfVec::new();
    values
        .insert(value)
        .map_err(|e| PdfError::Sign(e.to_string()))?;
    Ok(Attribute { oid, values })
}

fn sha256_alg() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: OID_SHA256,
        parameters: None,
    }
}

/// A detached CMS SignedData (DER) over a message digest.
fn cms_sign(
    digest: &[u8],
    key: &SigningKey,
    cert: &Certificate,
    cert_der: &[u8],
) -> Result<Vec<u8>, PdfError> {
    let e = sign_err("CMS");
    let content = EncapsulatedContentInfo {
        econtent_type: ID_DATA,
        econtent: None,
    };
    let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
        issuer: cert.tbs_certificate.issuer.clone(),
        serial_number: cert.tbs_certificate.serial_number.clone(),
    });
    let mut si = SignerInfoBuilder::new(key, sid, sha256_alg(), &content, Some(digest))
        .map_err(|x| e(x.to_string()))?;
    // PAdES baseline (ETSI EN 319 142-1, 5.2): no CMS signing-time attribute; the claimed
    // signing time is the /M of the signature dictionary, which the byte range covers.
    let ess = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            cert_hash: OctetString::new(Sha256::digest(cert_der).to_vec())
                .map_err(|x| e(x.to_string()))?,
        }],
    }
    .to_der()
    .map_err(|x| e(x.to_string()))?;
    si.add_signed_attribute(attribute(OID_SIGNING_CERT_V2, &ess)?)
        .map_err(|x| e(x.to_string()))?;
    let ci = SignedDataBuilder::new(&content)
        .add_digest_algorithm(sha256_alg())
        .map_err(|x| e(x.to_string()))?
        .add_certificate(CertificateChoices::Certificate(cert.clone()))
        .map_err(|x| e(x.to_string()))?
        .add_signer_info::<SigningKey, DerSignature>(si)
        .map_err(|x| e(x.to_string()))?
        .build()
        .map_err(|x| e(x.to_string()))?;
    ci.to_der().map_err(|x| e(x.to_string()))
}

/// What the CMS check found.
struct CmsCheck {
    cert_der: Vec<u8>,
    signer_name: Option<String>,
    signing_time: Option<String>,
    /// None when the signature is good.
    problem: Option<String>,
}

fn common_name(name: &Name) -> Option<String> {
    name.0.iter().flat_map(|rdn| rdn.0.iter()).find_map(|atv| {
        (atv.oid == OID_CN).then(|| {
            der::asn1::Utf8StringRef::try_from(&atv.value)
                .map(|s| s.as_str().to_string())
                .or_else(|_| {
                    der::asn1::PrintableStringRef::try_from(&atv.value)
                        .map(|s| s.as_str().to_string())
                })
                .unwrap_or_else(|_| String::from_utf8_lossy(atv.value.value()).into_owned())
        })
    })
}

/// Verifies a detached CMS SignedData (possibly followed by zero padding) against the digest
/// of the signed bytes.
fn cms_verify(contents: &[u8], digest: &[u8]) -> Result<CmsCheck, String> {
    let mut reader = der::SliceReader::new(contents).map_err(|e| e.to_string())?;
    let ci = <ContentInfo as der::Decode>::decode(&mut reader)
        .map_err(|e| format!("the signature value is not CMS: {e}"))?;
    if ci.content_type != ID_SIGNED_DATA {
        return Err("the signature value is not CMS SignedData".into());
    }
    let sd: SignedData = ci
        .content
        .decode_as()
        .map_err(|e| format!("the CMS SignedData is damaged: {e}"))?;
    let si = sd
        .signer_infos
        .0
        .iter()
        .next()
        .ok_or("the CMS SignedData has no signer")?;
    let certs: Vec<&Certificate> = sd
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|c| match c {
            CertificateChoices::Certificate(c) => Some(c),
            _ => None,
        })
        .collect();
    let cert = match &si.sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => certs.iter().find(|c| {
            c.tbs_certificate.serial_number == ias.serial_number
                && c.tbs_certificate.issuer == ias.issuer
        }),
        SignerIdentifier::SubjectKeyIdentifier(_) => certs.first(),
    }
    .ok_or("the signer's certificate is not in the signature")?;
    let cert_der = cert.to_der().map_err(|e| e.to_string())?;
    let signer_name = common_name(&cert.tbs_certificate.subject);

    let mut check = CmsCheck {
        cert_der,
        signer_name,
        signing_time: None,
        problem: None,
    };
    let Some(attrs) = &si.signed_attrs else {
        check.problem = Some("the signature has no signed attributes".into());
        return Ok(check);
    };
    let attr = |oid: ObjectIdentifier| {
        attrs
            .iter()
            .find(|a| a.oid == oid)
            .and_then(|a| a.values.iter().next())
    };
    if let Some(t) = attr(ID_SIGNING_TIME) {
        if let Ok(t) = t.to_der().and_then(|d| Time::from_der(&d)) {
            let st = t.to_system_time();
            let dt: DateTime<Utc> = st.into();
            check.signing_time = Some(dt.to_rfc3339_opts(SecondsFormat::Secs, true));
        }
    }
    if si.digest_alg.oid != OID_SHA256 {
        check.problem = Some(format!(
            "unsupported digest algorithm {}",
            si.digest_alg.oid
        ));
        return Ok(check);
    }
    match attr(ID_CONTENT_TYPE).map(|v| v.decode_as::<ObjectIdentifier>()) {
        Some(Ok(oid)) if oid == sd.encap_content_info.econtent_type => {}
        _ => {
            check.problem = Some("the content-type attribute is missing or wrong".into());
            return Ok(check);
        }
    }
    let md = attr(ID_MESSAGE_DIGEST).and_then(|v| v.decode_as::<OctetString>().ok());
    let Some(md) = md else {
        check.problem = Some("the message-digest attribute is missing".into());
        return Ok(check);
    };
    let signed = attrs.to_der().map_err(|e| e.to_string())?;
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| e.to_string())?;
    let vk = match VerifyingKey::from_public_key_der(&spki) {
        Ok(vk) => vk,
        Err(e) => {
            check.problem = Some(format!("unsupported signer key (P-256 expected): {e}"));
            return Ok(check);
        }
    };
    let sig = match p256::ecdsa::Signature::from_der(si.signature.as_bytes()) {
        Ok(s) => s,
        Err(_) => {
            check.problem = Some("the signature value is damaged".into());
            return Ok(check);
        }
    };
    use p256::ecdsa::signature::Verifier;
    if vk.verify(&signed, &sig).is_err() {
        check.problem = Some("the signature does not match the signer's key".into());
    } else if md.as_bytes() != digest {
        check.problem = Some("the document was changed after signing (digest mismatch)".into());
    }
    Ok(check)
}

// ---------------------------------------------------------------------------------------------
// PDF

/// Signs a PDF with the signer's key: an incremental update adding an invisible signature
/// field on page 1 and a `/Sig` dictionary (`/Name` the printed name, `/Reason` the meaning,
/// `/M` the signing time) whose CMS signature covers the whole file except its own value.
pub fn sign_pdf(
    pdf: &[u8],
    id: &SigningIdentity,
    signing_time: DateTime<Utc>,
    printed_name: &str,
    meaning: &str,
) -> Result<Vec<u8>, PdfError> {
    let key = SigningKey::from_pkcs8_der(&id.key_pkcs8_der)
        .map_err(|e| PdfError::Sign(format!("the signing key is not a P-256 PKCS #8 key: {e}")))?;
    let cert = Certificate::from_der(&id.cert_der)
        .map_err(|e| PdfError::Sign(format!("the certificate is damaged: {e}")))?;
    let cert_key = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| PdfError::Sign(e.to_string()))?;
    let own_key = key
        .verifying_key()
        .to_public_key_der()
        .map_err(|e| PdfError::Sign(e.to_string()))?;
    if cert_key != own_key.as_bytes() {
        return Err(PdfError::Sign(
            "the certificate is not the signing key's certificate".into(),
        ));
    }
    let prepared = pdf::prepare(pdf, signing_time, printed_name, meaning)?;
    let digest = Sha256::digest(prepared.signed_bytes());
    let cms = cms_sign(&digest, &key, &cert, &id.cert_der)?;
    prepared.finish(&cms)
}

/// Checks the last signature of a PDF: ByteRange coverage, the CMS signature over the byte
/// ranges, the signer's certificate, signing time and the embedded content hash. Trust in the
/// certificate (whose it is) is the caller's business: compare [`cert_fingerprint`] of
/// `signer_cert_der` with the published certificates.
pub fn verify_pdf(pdf: &[u8]) -> Result<PdfSignatureCheck, PdfError> {
    let found = pdf::find_last_signature(pdf)?;
    let mut problems = Vec::new();
    let covers_whole_file = found.covers_whole_file();
    if !covers_whole_file {
        problems.push(
            "the signed byte range does not cover the whole file (content was added after signing)"
                .to_string(),
        );
    }
    let digest = Sha256::digest(found.signed_bytes(pdf));
    let (intact, cert_der, cms_name, cms_time) = match cms_verify(&found.contents, &digest) {
        Ok(c) => {
            if let Some(p) = c.problem {
                problems.insert(0, p);
                (false, c.cert_der, c.signer_name, c.signing_time)
            } else {
                (true, c.cert_der, c.signer_name, c.signing_time)
            }
        }
        Err(p) => {
            problems.insert(0, p);
            (false, Vec::new(), None, None)
        }
    };
    let meta = pdf::read_metadata(pdf, found.dict_offset);
    Ok(PdfSignatureCheck {
        intact,
        covers_whole_file,
        signer_cert_der: cert_der,
        signer_name: cms_name.or(found.name.clone()).unwrap_or_default(),
        signing_time: found
            .m
            .as_deref()
            .and_then(pdf::parse_pdf_date)
            .or(cms_time),
        content_hash: meta.content_hash,
        problem: (!problems.is_empty()).then(|| problems.join("; ")),
    })
}
