//! A small PDF 1.7 writer: numbered objects, one classic cross-reference table, one trailer
//! (so that a signature can be appended as an incremental update).

pub struct PdfWriter {
    buf: Vec<u8>,
    offsets: Vec<Option<usize>>,
}

impl PdfWriter {
    pub fn new() -> PdfWriter {
        let mut buf = Vec::with_capacity(64 * 1024);
        buf.extend_from_slice(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n");
        PdfWriter {
            buf,
            offsets: Vec::new(),
        }
    }

    /// Reserves an object number.
    pub fn alloc(&mut self) -> usize {
        self.offsets.push(None);
        self.offsets.len()
    }

    pub fn object(&mut self, id: usize, body: &str) {
        self.start(id);
        self.buf.extend_from_slice(body.as_bytes());
        self.buf.extend_from_slice(b"\nendobj\n");
    }

    /// A stream object; `dict` holds the entries other than `/Length` and `/Filter`.
    pub fn stream(&mut self, id: usize, dict: &str, data: &[u8], compress: bool) {
        let packed;
        let (data, filter) = if compress {
            packed = miniz_oxide::deflate::compress_to_vec_zlib(data, 6);
            (&packed[..], " /Filter /FlateDecode")
        } else {
            (data, "")
        };
        self.start(id);
        self.buf.extend_from_slice(
            format!("<< {dict} /Length {}{filter} >>\nstream\n", data.len()).as_bytes(),
        );
        self.buf.extend_from_slice(data);
        self.buf.extend_from_slice(b"\nendstream\nendobj\n");
    }

    fn start(&mut self, id: usize) {
        if let Some(slot) = self.offsets.get_mut(id - 1) {
            *slot = Some(self.buf.len());
        }
        self.buf
            .extend_from_slice(format!("{id} 0 obj\n").as_bytes());
    }

    /// The cross-reference table and trailer. `file_id` is the document's `/ID` (hex).
    pub fn finish(mut self, root: usize, info: usize, file_id: &str) -> Vec<u8> {
        let xref = self.buf.len();
        let mut t = format!("xref\n0 {}\n0000000000 65535 f \n", self.offsets.len() + 1);
        for off in &self.offsets {
            match off {
                Some(o) => t.push_str(&format!("{o:010} 00000 n \n")),
                None => t.push_str("0000000000 65535 f \n"),
            }
        }
        t.push_str(&format!(
            "trailer\n<< /Size {} /Root {root} 0 R /Info {info} 0 R /ID [<{file_id}> <{file_id}>] >>\nstartxref\n{xref}\n%%EOF\n",
            self.offsets.len() + 1
        ));
        self.buf.extend_from_slice(t.as_bytes());
        self.buf
    }
}

/// A PDF text string: a literal for printable ASCII, UTF-16BE with a byte order mark otherwise.
pub fn text_string(s: &str) -> String {
    if s.chars().all(|c| (' '..='~').contains(&c)) {
        let mut out = String::with_capacity(s.len() + 2);
        out.push('(');
        for c in s.chars() {
            if matches!(c, '(' | ')' | '\\') {
                out.push('\\');
            }
            out.push(c);
        }
        out.push(')');
        out
    } else {
        let mut out = String::from("<FEFF");
        for u in s.encode_utf16() {
            out.push_str(&format!("{u:04X}"));
        }
        out.push('>');
        out
    }
}
