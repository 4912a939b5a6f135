//! Signed PDFs that third-party tools verify: poppler's `pdfsig` and pyHanko are run on what
//! `sign_pdf` writes. The tests never skip: a missing tool fails with the install step.

use chrono::{DateTime, TimeZone, Utc};
use ecrf_pdf::sign::{
    cert_fingerprint, cert_pem, new_identity, open_key, seal_key, sign_pdf, verify_pdf,
    SigningIdentity,
};
use ecrf_pdf::PdfError;
use lopdf::{dictionary, Document, Object, Stream};
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

const HASH: &str = "5f2b0c3e9a8d7f6e5d4c3b2a190817263544536271809a8b7c6d5e4f3a2b1c0d";

fn identity() -> &'static SigningIdentity {
    static ID: OnceLock<SigningIdentity> = OnceLock::new();
    ID.get_or_init(|| {
        new_identity(
            "Dr. Wang Li",
            "wangli",
            "Site 01 Haematology",
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            5,
        )
        .unwrap()
    })
}

fn signing_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 9, 41, 27).unwrap()
}

/// A one-page PDF made with lopdf; `modern` writes object streams and a cross-reference stream.
fn lopdf_pdf(modern: bool) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let content = b"BT /F1 18 Tf 72 720 Td (Casebook S01-007: CAR-T infusion) Tj ET".to_vec();
    let content_id = doc.add_object(Stream::new(dictionary! {}, content));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "Contents" => content_id,
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1,
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    let info_id = doc.add_object(dictionary! {
        "Title" => Object::string_literal("Casebook S01-007"),
        "ECRFContentHash" => Object::string_literal(HASH),
    });
    doc.trailer.set("Root", catalog_id);
    doc.trailer.set("Info", info_id);
    let mut out = Vec::new();
    if modern {
        doc.save_modern(&mut out).unwrap();
    } else {
        doc.save_to(&mut out).unwrap();
    }
    out
}

/// A minimal PDF written by hand, as `printf` would: no trailing newline after %%EOF.
fn printf_pdf() -> Vec<u8> {
    let objs = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>".to_string(),
        {
            let s = "0 0 1 rg 20 20 160 160 re f";
            format!("<< /Length {} >>\nstream\n{s}\nendstream", s.len())
        },
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offs = Vec::new();
    for (i, o) in objs.iter().enumerate() {
        offs.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).as_bytes());
    for o in offs {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF",
            objs.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn rfind(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .rposition(|w| w == needle)
        .unwrap_or_else(|| panic!("{} not found", String::from_utf8_lossy(needle)))
}

fn run(tool: &str, args: &[&str], install: &str) -> (bool, String) {
    let out = Command::new(tool)
        .args(args)
        .env("TZ", "UTC")
        .env("LC_ALL", "C")
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{tool}` ({e}): install it with {install}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn pdfsig(file: &Path) -> (bool, String) {
    run(
        "pdfsig",
        &[file.to_str().unwrap()],
        "`apt-get install poppler-utils` (scripts/install-deps.sh)",
    )
}

fn pyhanko(file: &Path, cert: &Path, mode: &str) -> (bool, String) {
    run(
        "pyhanko",
        &[
            "sign",
            "validate",
            mode,
            "--no-revocation-check",
            "--trust-replace",
            "--trust",
            cert.to_str().unwrap(),
            file.to_str().unwrap(),
        ],
        "`pip install pyhanko pyhanko-cli` (scripts/install-deps.sh)",
    )
}

struct Files {
    _dir: tempfile::TempDir,
    pdf: std::path::PathBuf,
    cert: std::path::PathBuf,
}

fn write(pdf: &[u8]) -> Files {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("signed.pdf");
    let c = dir.path().join("signer.pem");
    std::fs::write(&p, pdf).unwrap();
    std::fs::write(&c, cert_pem(&identity().cert_der)).unwrap();
    Files {
        _dir: dir,
        pdf: p,
        cert: c,
    }
}

fn signed(pdf: &[u8]) -> Vec<u8> {
    sign_pdf(
        pdf,
        identity(),
        signing_time(),
        "Dr. Wang Li",
        "Approval: I approve the CRF data of subject S01-007",
    )
    .unwrap()
}

fn assert_valid_by_tools(pdf: &[u8]) {
    let f = write(pdf);
    let (_, out) = pdfsig(&f.pdf);
    assert!(
        out.contains("Signature Validation: Signature is Valid."),
        "pdfsig:\n{out}"
    );
    assert!(
        out.contains("Signer Certificate Common Name: Dr. Wang Li"),
        "pdfsig:\n{out}"
    );
    assert!(
        out.contains("Signing Time: Nov 24 2026 09:41:27"),
        "pdfsig:\n{out}"
    );
    assert!(out.contains("Total document signed"), "pdfsig:\n{out}");
    let (ok, out) = pyhanko(&f.pdf, &f.cert, "--pretty-print");
    assert!(ok, "pyHanko failed:\n{out}");
    assert!(
        out.contains("The signer's certificate is trusted."),
        "pyHanko:\n{out}"
    );
    assert!(
        out.contains("The signature is cryptographically sound."),
        "pyHanko:\n{out}"
    );
    assert!(
        out.contains("The signature covers the entire file."),
        "pyHanko:\n{out}"
    );
    assert!(
        out.contains("Signing time as reported by signer: 2026-11-24T09:41:27+00:00"),
        "pyHanko:\n{out}"
    );
    assert!(
        out.contains("The signature is judged VALID."),
        "pyHanko:\n{out}"
    );
    // Intact, trusted (the signer's certificate as the trust root) and untouched: VALID.
    let (ok, out) = pyhanko(&f.pdf, &f.cert, "--executive-summary");
    assert!(ok && out.trim_end().ends_with(":VALID"), "pyHanko:\n{out}");
}

fn assert_invalid_by_tools(pdf: &[u8]) {
    let f = write(pdf);
    let (_, out) = pdfsig(&f.pdf);
    assert!(
        !out.contains("Signature is Valid."),
        "pdfsig should not report it valid:\n{out}"
    );
    let (ok, out) = pyhanko(&f.pdf, &f.cert, "--pretty-print");
    assert!(!ok, "pyHanko should fail:\n{out}");
    assert!(out.contains("judged INVALID"), "pyHanko:\n{out}");
    let (ok, out) = pyhanko(&f.pdf, &f.cert, "--executive-summary");
    assert!(!ok && out.contains(":INVALID"), "pyHanko:\n{out}");
}

#[test]
fn pdfsig_and_pyhanko_validate_a_signed_lopdf_pdf() {
    let pdf = signed(&lopdf_pdf(false));
    if let Ok(dir) = std::env::var("ECRF_KEEP_SIGNED_PDF") {
        let f = write(&pdf);
        std::fs::copy(&f.pdf, Path::new(&dir).join("signed.pdf")).unwrap();
        std::fs::copy(&f.cert, Path::new(&dir).join("signer.pem")).unwrap();
    }
    assert_valid_by_tools(&pdf);
    let f = write(&pdf);
    let (_, out) = pdfsig(&f.pdf);
    let (_, py) = pyhanko(&f.pdf, &f.cert, "--pretty-print");
    println!("--- pdfsig ---\n{out}\n--- pyHanko ---\n{py}");
}

#[test]
fn pdfsig_and_pyhanko_validate_xref_stream_and_hand_written_pdfs() {
    let modern = lopdf_pdf(true);
    assert!(
        modern.windows(5).any(|w| w == b"/XRef"),
        "a cross-reference stream"
    );
    let pdf = signed(&modern);
    assert!(
        pdf[modern.len()..].windows(5).any(|w| w == b"/XRef"),
        "the update continues with a cross-reference stream"
    );
    assert!(verify_pdf(&pdf).unwrap().intact);
    assert_valid_by_tools(&pdf);
    assert_valid_by_tools(&signed(&printf_pdf()));
}

#[test]
fn byte_range_covers_the_whole_file_but_the_signature_value() {
    let pdf = signed(&lopdf_pdf(false));
    let at = rfind(&pdf, b"/ByteRange [") + "/ByteRange [".len();
    let end = at + pdf[at..].iter().position(|&c| c == b']').unwrap();
    let br: Vec<usize> = std::str::from_utf8(&pdf[at..end])
        .unwrap()
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    let [s, a, b, c] = [br[0], br[1], br[2], br[3]];
    assert_eq!(s, 0);
    assert_eq!(b + c, pdf.len(), "the second range ends at the end of file");
    assert_eq!(pdf[a], b'<', "the gap starts at the /Contents value");
    assert_eq!(pdf[b - 1], b'>', "the gap ends with the /Contents value");
    assert!(pdf[..a].ends_with(b"/Contents "));
    assert_eq!(
        b - a,
        2 * 8192 + 2,
        "the whole hex placeholder, angle brackets included"
    );
    assert!(pdf[a + 1..b - 1].iter().all(u8::is_ascii_hexdigit));
    // Exactly the signature value is left out: the file is a + gap + c bytes.
    assert_eq!(a + (b - a) + c, pdf.len());
    let check = verify_pdf(&pdf).unwrap();
    assert!(check.covers_whole_file && check.intact, "{check:?}");
}

#[test]
fn verify_pdf_reports_signer_time_and_content_hash() {
    let original = lopdf_pdf(false);
    let pdf = signed(&original);
    assert!(
        pdf.starts_with(&original),
        "an incremental update keeps the original bytes"
    );
    let check = verify_pdf(&pdf).unwrap();
    assert!(check.intact, "{check:?}");
    assert!(check.covers_whole_file);
    assert_eq!(check.problem, None);
    assert_eq!(check.signer_name, "Dr. Wang Li");
    assert_eq!(check.signing_time.as_deref(), Some("2026-11-24T09:41:27Z"));
    assert_eq!(check.content_hash.as_deref(), Some(HASH));
    assert_eq!(check.signer_cert_der, identity().cert_der);
    assert_eq!(
        cert_fingerprint(&check.signer_cert_der),
        cert_fingerprint(&identity().cert_der)
    );
    // /M is the time passed, too.
    assert!(String::from_utf8_lossy(&pdf).contains("/M (D:20261124094127+00'00')"));
}

#[test]
fn an_unsigned_pdf_is_unsigned() {
    assert!(matches!(
        verify_pdf(&lopdf_pdf(false)),
        Err(PdfError::Unsigned(_))
    ));
    assert!(matches!(
        verify_pdf(&printf_pdf()),
        Err(PdfError::Unsigned(_))
    ));
}

#[test]
fn one_changed_byte_in_the_content_breaks_the_signature() {
    let original = lopdf_pdf(false);
    let pdf = signed(&original);
    // In the page content stream, before the update.
    let at = rfind(&pdf[..original.len()], b"CAR-T infu");
    let mut bad = pdf.clone();
    bad[at] ^= 0x01; // 'C' -> 'B'
    let check = verify_pdf(&bad).unwrap();
    assert!(!check.intact, "{check:?}");
    assert!(check.problem.unwrap().contains("changed"));
    assert_invalid_by_tools(&bad);
}

#[test]
fn one_changed_byte_in_the_signature_value_breaks_it() {
    let pdf = signed(&lopdf_pdf(false));
    let a = rfind(&pdf, b"/Contents <") + "/Contents <".len();
    // Inside the ECDSA signature near the end of the DER: find the last non-zero hex digit.
    let last = a + pdf[a..].iter().position(|&c| c == b'>').unwrap();
    let nz = (a..last).rev().find(|&i| pdf[i] != b'0').unwrap();
    let mut bad = pdf.clone();
    bad[nz - 4] = if bad[nz - 4] == b'A' { b'B' } else { b'A' };
    let check = verify_pdf(&bad).unwrap();
    assert!(!check.intact, "{check:?}");
    assert!(check.problem.is_some());
    assert_invalid_by_tools(&bad);
}

#[test]
fn appended_bytes_are_not_covered() {
    let mut pdf = signed(&lopdf_pdf(false));
    pdf.extend_from_slice(b"\n% appended after signing\n");
    let check = verify_pdf(&pdf).unwrap();
    assert!(!check.covers_whole_file);
    assert!(check.problem.is_some());
}

#[test]
fn a_second_signature_is_checked_and_both_stay_valid() {
    let once = signed(&lopdf_pdf(false));
    let other = new_identity(
        "王丽 Wang Li",
        "wangli2",
        "中心 01",
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        2,
    )
    .unwrap();
    let twice = sign_pdf(&once, &other, signing_time(), "王丽 Wang Li", "审核 Review").unwrap();
    let check = verify_pdf(&twice).unwrap();
    assert!(check.intact && check.covers_whole_file, "{check:?}");
    assert_eq!(check.signer_name, "王丽 Wang Li");
    assert_eq!(check.signer_cert_der, other.cert_der);
    let f = write(&twice);
    let (_, out) = pdfsig(&f.pdf);
    assert_eq!(
        out.matches("Signature Validation: Signature is Valid.")
            .count(),
        2,
        "pdfsig:\n{out}"
    );
    // pyHanko: with both certificates trusted, both signatures are valid and the second
    // update (a new signature field) is an allowed modification for the first.
    let other_pem = f.pdf.with_file_name("other.pem");
    std::fs::write(&other_pem, cert_pem(&other.cert_der)).unwrap();
    let (ok, out) = run(
        "pyhanko",
        &[
            "sign",
            "validate",
            "--executive-summary",
            "--no-revocation-check",
            "--trust-replace",
            "--trust",
            f.cert.to_str().unwrap(),
            "--trust",
            other_pem.to_str().unwrap(),
            f.pdf.to_str().unwrap(),
        ],
        "`pip install pyhanko pyhanko-cli` (scripts/install-deps.sh)",
    );
    println!("{out}");
    assert!(ok, "pyHanko:\n{out}");
    assert_eq!(out.matches(":VALID").count(), 2, "pyHanko:\n{out}");
}

#[test]
fn sign_refuses_a_key_that_is_not_the_certificates() {
    let other = new_identity("X", "x", "", Utc::now(), 1).unwrap();
    let mixed = SigningIdentity {
        key_pkcs8_der: other.key_pkcs8_der.clone(),
        cert_der: identity().cert_der.clone(),
    };
    assert!(matches!(
        sign_pdf(&printf_pdf(), &mixed, signing_time(), "X", "Authorship"),
        Err(PdfError::Sign(_))
    ));
}

#[test]
fn sealed_key_round_trip_wrong_password_and_tampering() {
    let key = &identity().key_pkcs8_der;
    let sealed = seal_key(key, "correct horse battery staple").unwrap();
    assert!(!sealed.windows(key.len()).any(|w| w == key.as_slice()));
    assert_eq!(
        &open_key(&sealed, "correct horse battery staple").unwrap(),
        key
    );
    let err = open_key(&sealed, "Correct horse battery staple").unwrap_err();
    assert!(err.to_string().contains("wrong password"), "{err}");
    for i in [10, 30, sealed.len() - 1] {
        let mut bad = sealed.clone();
        bad[i] ^= 0x01;
        assert!(
            open_key(&bad, "correct horse battery staple").is_err(),
            "byte {i}"
        );
    }
    assert!(open_key(&sealed[..20], "correct horse battery staple").is_err());
    // A new password re-seals the same key.
    let resealed = seal_key(
        &open_key(&sealed, "correct horse battery staple").unwrap(),
        "new pw",
    )
    .unwrap();
    assert_eq!(&open_key(&resealed, "new pw").unwrap(), key);
    assert!(open_key(&resealed, "correct horse battery staple").is_err());
}

#[test]
fn identities_are_fresh() {
    let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let a = new_identity("Dr. A", "a", "Org", t, 3).unwrap();
    let b = new_identity("Dr. A", "a", "Org", t, 3).unwrap();
    assert_ne!(a.key_pkcs8_der, b.key_pkcs8_der);
    assert_ne!(cert_fingerprint(&a.cert_der), cert_fingerprint(&b.cert_der));
    assert_eq!(cert_fingerprint(&a.cert_der).len(), 64);
}

/// The other direction: a PDF signed by pyHanko (with our identity's key), plain CMS and
/// PAdES, is verified by `verify_pdf`; a changed byte is caught.
#[test]
fn verify_pdf_accepts_signatures_made_by_pyhanko() {
    use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
    let dir = tempfile::tempdir().unwrap();
    let key = p256::SecretKey::from_pkcs8_der(&identity().key_pkcs8_der).unwrap();
    let key_pem = dir.path().join("key.pem");
    std::fs::write(
        &key_pem,
        key.to_pkcs8_pem(LineEnding::LF).unwrap().as_bytes(),
    )
    .unwrap();
    let cert = dir.path().join("cert.pem");
    std::fs::write(&cert, cert_pem(&identity().cert_der)).unwrap();
    let input = dir.path().join("in.pdf");
    std::fs::write(&input, lopdf_pdf(false)).unwrap();
    for pades in [false, true] {
        let output = dir.path().join(format!("out-{pades}.pdf"));
        let mut args = vec!["sign", "addsig", "--field", "Sig1"];
        if pades {
            args.push("--use-pades");
        }
        args.extend([
            "pemder",
            "--no-pass",
            "--key",
            key_pem.to_str().unwrap(),
            "--cert",
            cert.to_str().unwrap(),
            input.to_str().unwrap(),
            output.to_str().unwrap(),
        ]);
        let (ok, out) = run(
            "pyhanko",
            &args,
            "`pip install pyhanko pyhanko-cli` (scripts/install-deps.sh)",
        );
        assert!(ok, "pyHanko addsig:\n{out}");
        let pdf = std::fs::read(&output).unwrap();
        if let Ok(keep) = std::env::var("ECRF_KEEP_SIGNED_PDF") {
            std::fs::write(Path::new(&keep).join(format!("pyhanko-{pades}.pdf")), &pdf).unwrap();
        }
        let check = verify_pdf(&pdf).unwrap();
        assert!(
            check.intact && check.covers_whole_file,
            "pades {pades}: {check:?}"
        );
        assert_eq!(check.signer_cert_der, identity().cert_der);
        assert_eq!(check.signer_name, "Dr. Wang Li");
        assert!(check.signing_time.is_some(), "pades {pades}: {check:?}");
        assert_eq!(check.content_hash.as_deref(), Some(HASH));
        let mut bad = pdf.clone();
        let at = rfind(&bad, b"CAR-T infu");
        bad[at] ^= 0x01;
        assert!(!verify_pdf(&bad).unwrap().intact, "pades {pades}");
    }
}
