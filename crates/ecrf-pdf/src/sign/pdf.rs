//! The PDF side of signing: the incremental update with the signature dictionary and field,
//! and finding a signature's byte ranges and value again.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use lopdf::xref::XrefType;
use lopdf::{Dictionary, Document, Object, ObjectId};
use std::io::Write;

use crate::PdfError;

/// Bytes reserved for the DER CMS (written as twice as many hex digits). A P-256 signature with
/// one certificate and the signed attributes is about 1 KiB; the rest is room for more.
const CONTENTS_BYTES: usize = 8192;
/// Width of each number in the `/ByteRange` placeholder.
const BR_WIDTH: usize = 10;

fn damaged(e: impl std::fmt::Display) -> PdfError {
    PdfError::Damaged(e.to_string())
}

/// The PDF with the signature dictionary written and its `/Contents` still zeros.
pub(super) struct Prepared {
    bytes: Vec<u8>,
    /// Offset of `<` of `/Contents`.
    a: usize,
    /// Offset just after `>` of `/Contents`.
    b: usize,
}

impl Prepared {
    /// Exactly the bytes the `/ByteRange` covers.
    pub(super) fn signed_bytes(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.bytes.len() - (self.b - self.a));
        v.extend_from_slice(&self.bytes[..self.a]);
        v.extend_from_slice(&self.bytes[self.b..]);
        v
    }

    /// Writes the signature value into the placeholder.
    pub(super) fn finish(mut self, cms: &[u8]) -> Result<Vec<u8>, PdfError> {
        let hex = hex::encode_upper(cms);
        if hex.len() > self.b - self.a - 2 {
            return Err(PdfError::Sign(format!(
                "the signature ({} bytes) does not fit the space reserved ({CONTENTS_BYTES})",
                cms.len()
            )));
        }
        self.bytes[self.a + 1..self.a + 1 + hex.len()].copy_from_slice(hex.as_bytes());
        Ok(self.bytes)
    }
}

fn last_startxref(pdf: &[u8]) -> Option<usize> {
    let pos = rfind(pdf, b"startxref")?;
    let rest = &pdf[pos + 9..];
    let digits: String = rest
        .iter()
        .skip_while(|c| c.is_ascii_whitespace())
        .take_while(|c| c.is_ascii_digit())
        .map(|&c| c as char)
        .collect();
    digits.parse().ok()
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if hay.len() < needle.len() {
        return None;
    }
    (0..=hay.len() - needle.len())
        .rev()
        .find(|&i| &hay[i..i + needle.len()] == needle)
}

fn find_all(hay: &[u8], needle: &[u8]) -> Vec<usize> {
    if hay.len() < needle.len() {
        return Vec::new();
    }
    (0..=hay.len() - needle.len())
        .filter(|&i| &hay[i..i + needle.len()] == needle)
        .collect()
}

/// A PDF text string: PDFDocEncoding-compatible ASCII as a literal, anything else UTF-16BE.
fn text_string(s: &str) -> Vec<u8> {
    if s.bytes().all(|c| (0x20..0x7f).contains(&c)) {
        let mut out = vec![b'('];
        for c in s.bytes() {
            if matches!(c, b'(' | b')' | b'\\') {
                out.push(b'\\');
            }
            out.push(c);
        }
        out.push(b')');
        out
    } else {
        let mut out = b"<FEFF".to_vec();
        for u in s.encode_utf16() {
            out.extend_from_slice(format!("{u:04X}").as_bytes());
        }
        out.push(b'>');
        out
    }
}

fn pdf_date(t: DateTime<Utc>) -> String {
    t.format("D:%Y%m%d%H%M%S+00'00'").to_string()
}

/// `D:YYYYMMDDHHmmSS` with an optional `Z` / `+HH'mm'` / `-HH'mm'` → RFC 3339 UTC.
pub(super) fn parse_pdf_date(s: &str) -> Option<String> {
    let s = s.strip_prefix("D:").unwrap_or(s);
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    let n = |from: usize, len: usize, default: u32| -> Option<u32> {
        if digits.len() >= from + len {
            digits[from..from + len].parse().ok()
        } else if digits.len() <= from {
            Some(default)
        } else {
            None
        }
    };
    let date = NaiveDate::from_ymd_opt(n(0, 4, 0)? as i32, n(4, 2, 1)?, n(6, 2, 1)?)?;
    let dt = date.and_hms_opt(n(8, 2, 0)?, n(10, 2, 0)?, n(12, 2, 0)?)?;
    let rest = &s[digits.len()..];
    let offset_min: i64 = match rest.chars().next() {
        Some(sign @ ('+' | '-')) => {
            let d: String = rest[1..].chars().filter(|c| c.is_ascii_digit()).collect();
            let h: i64 = d.get(0..2).and_then(|x| x.parse().ok()).unwrap_or(0);
            let m: i64 = d.get(2..4).and_then(|x| x.parse().ok()).unwrap_or(0);
            let v = h * 60 + m;
            if sign == '+' {
                v
            } else {
                -v
            }
        }
        _ => 0,
    };
    let utc = dt.and_utc() - chrono::Duration::minutes(offset_min);
    Some(utc.to_rfc3339_opts(SecondsFormat::Secs, true))
}

fn write_name(out: &mut Vec<u8>, name: &[u8]) {
    out.push(b'/');
    for &c in name {
        if (0x21..0x7f).contains(&c) && !b"()<>[]{}/%#".contains(&c) {
            out.push(c);
        } else {
            out.extend_from_slice(format!("#{c:02X}").as_bytes());
        }
    }
}

/// Serialises a direct object (no streams: only dictionaries of pages, the catalog and the
/// form are rewritten).
fn write_object(out: &mut Vec<u8>, o: &Object) -> Result<(), PdfError> {
    match o {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Object::Real(r) => {
            if !r.is_finite() {
                return Err(PdfError::Damaged(format!("number {r}")));
            }
            out.extend_from_slice(format!("{r}").as_bytes())
        }
        Object::Name(n) => write_name(out, n),
        Object::String(s, _) => {
            out.push(b'<');
            out.extend_from_slice(hex::encode_upper(s).as_bytes());
            out.push(b'>');
        }
        Object::Array(a) => {
            out.push(b'[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write_object(out, x)?;
            }
            out.push(b']');
        }
        Object::Dictionary(d) => write_dict(out, d)?,
        Object::Reference((id, gen)) => out.extend_from_slice(format!("{id} {gen} R").as_bytes()),
        Object::Stream(_) => {
            return Err(PdfError::Sign(
                "unexpected stream where a dictionary was expected".into(),
            ))
        }
    }
    Ok(())
}

fn write_dict(out: &mut Vec<u8>, d: &Dictionary) -> Result<(), PdfError> {
    out.extend_from_slice(b"<<");
    for (k, v) in d.iter() {
        write_name(out, k);
        out.push(b' ');
        write_object(out, v)?;
        out.push(b'\n');
    }
    out.extend_from_slice(b">>");
    Ok(())
}

/// Resolves a possibly indirect object to an array (cloned), or empty.
fn array_of(doc: &Document, o: Option<&Object>) -> Vec<Object> {
    o.and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_array().ok().cloned())
        .unwrap_or_default()
}

/// Builds the incremental update: signature dictionary (with placeholders), widget, page 1
/// with the widget among its annotations, the form with the new field, and a cross-reference
/// section of the same kind as the file's last one.
pub(super) fn prepare(
    pdf: &[u8],
    signing_time: DateTime<Utc>,
    printed_name: &str,
    meaning: &str,
) -> Result<Prepared, PdfError> {
    let doc = Document::load_mem(pdf).map_err(|e| damaged(format!("cannot read the PDF: {e}")))?;
    if doc.trailer.get(b"Encrypt").is_ok() || doc.encryption_state.is_some() {
        return Err(PdfError::Sign("encrypted PDFs are not signed".into()));
    }
    let prev = last_startxref(pdf).unwrap_or(doc.xref_start);
    let root_id = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| damaged("the PDF has no catalog"))?;
    let mut catalog = doc
        .get_dictionary(root_id)
        .map_err(|_| damaged("the PDF has no catalog"))?
        .clone();
    let page_id = *doc
        .get_pages()
        .get(&1)
        .ok_or_else(|| damaged("the PDF has no pages"))?;
    let mut page = doc
        .get_dictionary(page_id)
        .map_err(|_| damaged("page 1 is not a dictionary"))?
        .clone();

    let size = doc
        .trailer
        .get(b"Size")
        .and_then(Object::as_i64)
        .unwrap_or(0)
        .max(i64::from(doc.max_id) + 1) as u32;
    let sig_id: ObjectId = (size, 0);
    let widget_id: ObjectId = (size + 1, 0);
    let mut next_id = size + 2;

    // The form: existing fields plus ours, SigFlags 3 (signatures exist; append only).
    let (acro_id, mut acro) = match catalog.get(b"AcroForm") {
        Ok(Object::Reference(id)) => (
            Some(*id),
            doc.get_dictionary(*id).cloned().unwrap_or_default(),
        ),
        Ok(Object::Dictionary(d)) => (None, d.clone()),
        _ => (None, Dictionary::new()),
    };
    let mut fields = array_of(&doc, acro.get(b"Fields").ok());
    let names: Vec<Vec<u8>> = fields
        .iter()
        .filter_map(|f| f.as_reference().ok())
        .filter_map(|id| doc.get_dictionary(id).ok())
        .filter_map(|d| {
            d.get(b"T")
                .ok()
                .and_then(|t| t.as_str().ok())
                .map(<[u8]>::to_vec)
        })
        .collect();
    let mut k = 1;
    let field_name = loop {
        let n = format!("Signature{k}");
        if !names.iter().any(|x| x == n.as_bytes()) {
            break n;
        }
        k += 1;
    };
    fields.push(Object::Reference(widget_id));
    acro.set("Fields", Object::Array(fields));
    acro.set("SigFlags", Object::Integer(3));

    let mut annots = array_of(&doc, page.get(b"Annots").ok());
    annots.push(Object::Reference(widget_id));
    page.set("Annots", Object::Array(annots));

    let mut widget = Dictionary::new();
    widget.set("Type", Object::Name(b"Annot".to_vec()));
    widget.set("Subtype", Object::Name(b"Widget".to_vec()));
    widget.set("FT", Object::Name(b"Sig".to_vec()));
    widget.set(
        "T",
        Object::String(field_name.into_bytes(), lopdf::StringFormat::Literal),
    );
    widget.set("V", Object::Reference(sig_id));
    widget.set("F", Object::Integer(132)); // print + locked
    widget.set(
        "Rect",
        Object::Array(vec![0.into(), 0.into(), 0.into(), 0.into()]),
    );
    widget.set("P", Object::Reference(page_id));

    let mut out = pdf.to_vec();
    if !matches!(out.last(), Some(b'\n' | b'\r')) {
        out.push(b'\n');
    }
    let mut offsets: Vec<(ObjectId, usize)> = Vec::new();

    // The signature dictionary.
    offsets.push((sig_id, out.len()));
    out.extend_from_slice(format!("{} {} obj\n", sig_id.0, sig_id.1).as_bytes());
    out.extend_from_slice(
        b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached\n/Name ",
    );
    out.extend_from_slice(&text_string(printed_name));
    out.extend_from_slice(b"\n/Reason ");
    out.extend_from_slice(&text_string(meaning));
    out.extend_from_slice(b"\n/M ");
    out.extend_from_slice(&text_string(&pdf_date(signing_time)));
    out.extend_from_slice(b"\n/ByteRange ");
    let br_at = out.len();
    let br_len = 2 + 1 + 3 * (BR_WIDTH + 1);
    out.extend_from_slice(format!("[0{}]", " ".repeat(br_len - 3)).as_bytes());
    out.extend_from_slice(b"\n/Contents ");
    let a = out.len();
    out.push(b'<');
    out.extend(std::iter::repeat_n(b'0', 2 * CONTENTS_BYTES));
    out.push(b'>');
    let b = out.len();
    out.extend_from_slice(b"\n>>\nendobj\n");

    let mut put = |out: &mut Vec<u8>, id: ObjectId, d: &Dictionary| -> Result<(), PdfError> {
        offsets.push((id, out.len()));
        out.extend_from_slice(format!("{} {} obj\n", id.0, id.1).as_bytes());
        write_dict(out, d)?;
        out.extend_from_slice(b"\nendobj\n");
        Ok(())
    };
    put(&mut out, widget_id, &widget)?;
    put(&mut out, page_id, &page)?;
    match acro_id {
        Some(id) => put(&mut out, id, &acro)?,
        None => {
            catalog.set("AcroForm", Object::Dictionary(acro));
            put(&mut out, root_id, &catalog)?;
        }
    }

    // Cross-reference section and trailer.
    let mut trailer = Dictionary::new();
    for key in [&b"Root"[..], b"Info", b"ID"] {
        if let Ok(v) = doc.trailer.get(key) {
            trailer.set(key.to_vec(), v.clone());
        }
    }
    trailer.set("Prev", Object::Integer(prev as i64));
    let xref_at;
    if matches!(
        doc.reference_table.cross_reference_type,
        XrefType::CrossReferenceStream
    ) {
        let xref_id: ObjectId = (next_id, 0);
        next_id += 1;
        xref_at = out.len();
        offsets.push((xref_id, xref_at));
        offsets.sort();
        let mut data = Vec::new();
        let mut index = Vec::new();
        for run in runs(&offsets) {
            index.push(Object::Integer(i64::from(run[0].0 .0)));
            index.push(Object::Integer(run.len() as i64));
            for ((_, gen), off) in run {
                data.push(1u8);
                data.extend_from_slice(&(*off as u32).to_be_bytes());
                data.extend_from_slice(&(*gen).to_be_bytes());
            }
        }
        if offsets.iter().any(|(_, off)| *off > u32::MAX as usize) {
            return Err(PdfError::Sign("PDF too large".into()));
        }
        trailer.set("Type", Object::Name(b"XRef".to_vec()));
        trailer.set("Size", Object::Integer(i64::from(next_id)));
        trailer.set("W", Object::Array(vec![1.into(), 4.into(), 2.into()]));
        trailer.set("Index", Object::Array(index));
        trailer.set("Length", Object::Integer(data.len() as i64));
        out.extend_from_slice(format!("{} 0 obj\n", xref_id.0).as_bytes());
        write_dict(&mut out, &trailer)?;
        out.extend_from_slice(b"\nstream\n");
        out.extend_from_slice(&data);
        out.extend_from_slice(b"\nendstream\nendobj\n");
    } else {
        offsets.sort();
        xref_at = out.len();
        out.extend_from_slice(b"xref\n");
        for run in runs(&offsets) {
            writeln!(out, "{} {}", run[0].0 .0, run.len()).map_err(damaged)?;
            for ((_, gen), off) in run {
                write!(out, "{off:010} {gen:05} n\r\n").map_err(damaged)?;
            }
        }
        trailer.set("Size", Object::Integer(i64::from(next_id)));
        out.extend_from_slice(b"trailer\n");
        write_dict(&mut out, &trailer)?;
        out.push(b'\n');
    }
    write!(out, "startxref\n{xref_at}\n%%EOF\n").map_err(damaged)?;

    // The byte range: everything but the /Contents value.
    let br = format!("[0 {} {} {}]", a, b, out.len() - b);
    if br.len() > br_len {
        return Err(PdfError::Sign("PDF too large for the byte range".into()));
    }
    let br = format!("{br:<br_len$}");
    out[br_at..br_at + br_len].copy_from_slice(br.as_bytes());
    Ok(Prepared { bytes: out, a, b })
}

/// Consecutive object numbers, for cross-reference subsections.
fn runs(sorted: &[(ObjectId, usize)]) -> Vec<&[(ObjectId, usize)]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=sorted.len() {
        if i == sorted.len() || sorted[i].0 .0 != sorted[i - 1].0 .0 + 1 {
            out.push(&sorted[start..i]);
            start = i;
        }
    }
    out
}

/// The last signature found in a PDF.
pub(super) struct FoundSignature {
    pub byte_range: [usize; 4],
    /// The decoded `/Contents` (DER CMS followed by zero padding).
    pub contents: Vec<u8>,
    pub name: Option<String>,
    pub m: Option<String>,
    pub dict_offset: usize,
    file_len: usize,
    gap_is_contents: bool,
}

impl FoundSignature {
    pub(super) fn covers_whole_file(&self) -> bool {
        let [s, a, b, c] = self.byte_range;
        s == 0 && a < b && b.checked_add(c) == Some(self.file_len) && self.gap_is_contents
    }

    pub(super) fn signed_bytes(&self, pdf: &[u8]) -> Vec<u8> {
        let [s, a, b, c] = self.byte_range;
        let mut v = Vec::new();
        for (from, len) in [(s, a), (b, c)] {
            let to = from.saturating_add(len).min(pdf.len());
            if from < to {
                v.extend_from_slice(&pdf[from..to]);
            }
        }
        v
    }
}

fn parse_ints(s: &[u8], n: usize) -> Option<Vec<usize>> {
    let mut i = 0;
    while i < s.len() && s[i].is_ascii_whitespace() {
        i += 1;
    }
    if s.get(i) != Some(&b'[') {
        return None;
    }
    i += 1;
    let mut v = Vec::new();
    while v.len() < n {
        while i < s.len() && s[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while i < s.len() && s[i].is_ascii_digit() {
            i += 1;
        }
        if start == i {
            return None;
        }
        v.push(std::str::from_utf8(&s[start..i]).ok()?.parse().ok()?);
    }
    while i < s.len() && s[i].is_ascii_whitespace() {
        i += 1;
    }
    (s.get(i) == Some(&b']')).then_some(v)
}

/// A literal or hex string at the start of `s` (after whitespace), decoded as a text string.
fn parse_string(s: &[u8]) -> Option<String> {
    let s = &s[s.iter().position(|c| !c.is_ascii_whitespace())?..];
    let raw: Vec<u8> = match s.first()? {
        b'(' => {
            let mut out = Vec::new();
            let mut depth = 0;
            let mut i = 1;
            while i < s.len() {
                match s[i] {
                    b'\\' => {
                        i += 1;
                        match s.get(i)? {
                            b'n' => out.push(b'\n'),
                            b'r' => out.push(b'\r'),
                            b't' => out.push(b'\t'),
                            b'b' => out.push(8),
                            b'f' => out.push(12),
                            c @ b'0'..=b'7' => {
                                let mut v = u32::from(c - b'0');
                                for _ in 0..2 {
                                    match s.get(i + 1) {
                                        Some(d @ b'0'..=b'7') => {
                                            v = v * 8 + u32::from(d - b'0');
                                            i += 1;
                                        }
                                        _ => break,
                                    }
                                }
                                out.push(v as u8);
                            }
                            b'\n' | b'\r' => {}
                            c => out.push(*c),
                        }
                    }
                    b'(' => {
                        depth += 1;
                        out.push(b'(');
                    }
                    b')' if depth == 0 => break,
                    b')' => {
                        depth -= 1;
                        out.push(b')');
                    }
                    c => out.push(c),
                }
                i += 1;
            }
            out
        }
        b'<' => {
            let end = s.iter().position(|&c| c == b'>')?;
            let mut h: Vec<u8> = s[1..end]
                .iter()
                .copied()
                .filter(|c| !c.is_ascii_whitespace())
                .collect();
            if h.len() % 2 == 1 {
                h.push(b'0');
            }
            hex::decode(h).ok()?
        }
        _ => return None,
    };
    Some(decode_text(&raw))
}

fn decode_text(raw: &[u8]) -> String {
    if raw.starts_with(&[0xFE, 0xFF]) {
        let units: Vec<u16> = raw[2..]
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
            .collect();
        String::from_utf16_lossy(&units)
    } else if raw.starts_with(&[0xEF, 0xBB, 0xBF]) {
        String::from_utf8_lossy(&raw[3..]).into_owned()
    } else {
        // PDFDocEncoding agrees with Latin-1 for the printable range that matters here.
        raw.iter().map(|&c| c as char).collect()
    }
}

/// Finds the last signature dictionary (`/ByteRange` whose excluded gap is a hex string) by
/// scanning the bytes, so a damaged file still shows what it claims.
pub(super) fn find_last_signature(pdf: &[u8]) -> Result<FoundSignature, PdfError> {
    for pos in find_all(pdf, b"/ByteRange").into_iter().rev() {
        let Some(v) = parse_ints(&pdf[pos + 10..pdf.len().min(pos + 200)], 4) else {
            continue;
        };
        let br = [v[0], v[1], v[2], v[3]];
        let (a, b) = (br[1], br[2]);
        if !(a < b && b <= pdf.len() && pdf[a] == b'<' && pdf[b - 1] == b'>') {
            continue;
        }
        let gap = &pdf[a + 1..b - 1];
        let gap_is_contents = gap
            .iter()
            .all(|c| c.is_ascii_hexdigit() || c.is_ascii_whitespace());
        let mut hexdigits: Vec<u8> = gap
            .iter()
            .copied()
            .filter(|c| c.is_ascii_hexdigit())
            .collect();
        if hexdigits.len() % 2 == 1 {
            hexdigits.push(b'0');
        }
        let contents = hex::decode(&hexdigits).unwrap_or_default();
        // The dictionary around it: from its "obj" to its "endobj", the value left out.
        let start = rfind(&pdf[..pos], b" obj").unwrap_or(0);
        let end = find_all(&pdf[b..pdf.len().min(b + 4096)], b"endobj")
            .first()
            .map(|e| b + e)
            .unwrap_or(pdf.len());
        let lookup = |key: &[u8]| -> Option<String> {
            for (from, to) in [(start, a.min(pos)), (pos, a), (b, end)] {
                if from >= to {
                    continue;
                }
                let window = &pdf[from..to];
                for at in find_all(window, key) {
                    let after = &window[at + key.len()..];
                    // A whole key: not /Names or /Mx.
                    if after
                        .first()
                        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
                    {
                        continue;
                    }
                    if let Some(s) = parse_string(after) {
                        return Some(s);
                    }
                }
            }
            None
        };
        return Ok(FoundSignature {
            byte_range: br,
            contents,
            name: lookup(b"/Name"),
            m: lookup(b"/M"),
            dict_offset: start,
            file_len: pdf.len(),
            gap_is_contents,
        });
    }
    Err(PdfError::Unsigned(
        "the PDF has no digital signature".into(),
    ))
}

pub(super) struct Metadata {
    pub content_hash: Option<String>,
}

/// The document information the renderer wrote (`/ECRFContentHash`), if the file parses.
pub(super) fn read_metadata(pdf: &[u8], _sig_offset: usize) -> Metadata {
    let content_hash = Document::load_mem(pdf).ok().and_then(|doc| {
        let info = doc.trailer.get(b"Info").ok()?;
        let (_, info) = doc.dereference(info).ok()?;
        let v = info.as_dict().ok()?.get(b"ECRFContentHash").ok()?;
        let (_, v) = doc.dereference(v).ok()?;
        match v {
            Object::String(s, _) => Some(decode_text(s)),
            Object::Name(n) => Some(String::from_utf8_lossy(n).into_owned()),
            _ => None,
        }
    });
    Metadata { content_hash }
}
