//! Table reports (the audit trail for inspectors): A4 landscape, a header band on every page
//! (title, study, site, scope, generation time), the column titles repeated on every page, rows
//! with wrapped cells, and a footer (CONFIDENTIAL, page X of Y). Labels in English, Chinese or
//! both, like the CRFs; the cells are data and printed as given.

use crate::model::{DocLang, Header};
use crate::render::{font, pdf, PRODUCER};
use crate::PdfError;
use ecrf_core::definition::{Lang, Text};
use std::fmt::Write as _;

const W: f32 = 841.89;
const H: f32 = 595.28;
const LEFT: f32 = 30.0;
const RIGHT: f32 = W - 30.0;
const TOP: f32 = H - 86.0;
const BOTTOM: f32 = 44.0;
const SIZE: f32 = 7.0;
const LINE: f32 = 9.0;
const PAD: f32 = 2.5;

/// One column: its title and its share of the width.
#[derive(Debug, Clone)]
pub struct Column {
    pub title: Text,
    pub weight: f32,
}

/// A table report.
#[derive(Debug, Clone)]
pub struct ReportDocument {
    pub title: Text,
    /// What the report covers, e.g. "Subject S01-001" (printed as given).
    pub scope: String,
    pub lang: DocLang,
    pub header: Header,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
}

struct Ctx<'a> {
    doc: &'a ReportDocument,
    font: &'static font::FontInfo,
    fu: font::FontUse,
    pages: Vec<String>,
    y: f32,
    widths: Vec<f32>,
}

fn tr(lang: DocLang, en: &str, zh: &str) -> String {
    match lang {
        DocLang::One(Lang::En) => en.to_string(),
        DocLang::One(Lang::Zh) => zh.to_string(),
        DocLang::Both => format!("{en} / {zh}"),
    }
}

impl Ctx<'_> {
    fn text(&mut self, x: f32, y: f32, size: f32, s: &str, bold: bool) {
        if s.is_empty() {
            return;
        }
        let runs = self.fu.runs(self.font, s);
        let mut ops = String::new();
        if bold {
            let _ = write!(ops, "0 g 0 G BT 2 Tr 0.25 w {x:.2} {y:.2} Td");
        } else {
            let _ = write!(ops, "0 g BT {x:.2} {y:.2} Td");
        }
        for run in runs {
            match run {
                font::Run::Plain(hex) => {
                    let _ = write!(ops, " /F1 {size} Tf {hex} Tj");
                }
                font::Run::Script(hex, rise, c) => {
                    let _ = write!(
                        ops,
                        " /Span << /ActualText {} >> BDC /F1 {:.2} Tf {:.2} Ts {hex} Tj 0 Ts EMC",
                        pdf::text_string(&c.to_string()),
                        size * font::SCRIPT_SCALE,
                        size * rise
                    );
                }
            }
        }
        ops.push_str(if bold { " 0 Tr ET\n" } else { " ET\n" });
        if let Some(p) = self.pages.last_mut() {
            p.push_str(&ops);
        }
    }

    fn op(&mut self, s: &str) {
        if let Some(p) = self.pages.last_mut() {
            p.push_str(s);
            p.push('\n');
        }
    }

    /// Lines of `s` no wider than `width`: broken at spaces, or anywhere in a long word.
    fn wrap(&self, s: &str, width: f32) -> Vec<String> {
        let mut out = Vec::new();
        for para in s.split('\n') {
            let mut line = String::new();
            let mut w = 0.0;
            for c in para.chars() {
                let cw = self.font.char_advance(c) * SIZE / 1000.0;
                if w + cw > width && !line.is_empty() {
                    // Back to the last space, when there is one.
                    match line.rfind(' ') {
                        Some(i) if i > 0 => {
                            let rest = line[i + 1..].to_string();
                            line.truncate(i);
                            out.push(std::mem::take(&mut line));
                            line = rest;
                        }
                        _ => out.push(std::mem::take(&mut line)),
                    }
                    w = self.font.width(&line, SIZE);
                }
                line.push(c);
                w += cw;
            }
            out.push(line);
        }
        out
    }

    fn new_page(&mut self) {
        self.pages.push(String::new());
        let d = self.doc;
        let top = H - 22.0;
        self.op(&format!(
            "0.93 g {LEFT} {:.2} {:.2} 52 re f 0 g",
            top - 52.0,
            RIGHT - LEFT
        ));
        let title = tr(d.lang, &d.title.en, &d.title.zh);
        self.text(LEFT + 6.0, top - 15.0, 11.0, &title, true);
        let study = format!("{} — {}", d.header.study, d.header.study_name);
        let sw = self.font.width(&study, SIZE);
        self.text(RIGHT - 6.0 - sw, top - 14.0, SIZE, &study, false);
        let line2 = format!(
            "{}: {}    {}",
            tr(d.lang, "Site", "中心"),
            d.header.site,
            d.scope
        );
        self.text(LEFT + 6.0, top - 30.0, 8.0, &line2, false);
        let gen = format!(
            "{} {}    {} {}",
            tr(d.lang, "Definition", "定义版本"),
            d.header.definition_version,
            tr(d.lang, "Generated (UTC)", "生成时间（UTC）"),
            d.header.generated_at
        );
        self.text(LEFT + 6.0, top - 44.0, SIZE, &gen, false);
        self.y = TOP;
        // Column titles.
        let cells: Vec<Vec<String>> = d
            .columns
            .iter()
            .zip(self.widths.clone())
            .map(|(c, w)| self.wrap(&tr(d.lang, &c.title.en, &c.title.zh), w - 2.0 * PAD))
            .collect();
        let h = cells.iter().map(Vec::len).max().unwrap_or(1) as f32 * LINE + 2.0 * PAD;
        self.op(&format!(
            "0.82 g {LEFT} {:.2} {:.2} {h:.2} re f 0 g",
            self.y - h,
            RIGHT - LEFT
        ));
        self.cells(&cells, h, true);
    }

    fn cells(&mut self, cells: &[Vec<String>], h: f32, bold: bool) {
        let mut x = LEFT;
        for (lines, w) in cells.iter().zip(self.widths.clone()) {
            for (k, l) in lines.iter().enumerate() {
                let y = self.y - PAD - (k as f32 + 1.0) * LINE + 2.0;
                self.text(x + PAD, y, SIZE, l, bold);
            }
            x += w;
        }
        self.y -= h;
        self.op(&format!(
            "0.6 G 0.3 w {LEFT} {:.2} m {RIGHT:.2} {:.2} l S",
            self.y, self.y
        ));
    }

    fn footer(&mut self, i: usize, total: usize) {
        let lang = self.doc.lang;
        let conf = tr(lang, "CONFIDENTIAL", "机密");
        let page = match lang {
            DocLang::One(Lang::Zh) => format!("第 {} 页，共 {total} 页", i + 1),
            DocLang::Both => format!("Page {} of {total} / 第 {} 页，共 {total} 页", i + 1, i + 1),
            DocLang::One(Lang::En) => format!("Page {} of {total}", i + 1),
        };
        let mut ops = String::new();
        let _ = writeln!(ops, "0.4 G 0.5 w {LEFT} 36 m {RIGHT:.2} 36 l S");
        for (x, s) in [
            (LEFT, conf.clone()),
            (RIGHT - self.font.width(&page, SIZE), page.clone()),
        ] {
            let hex = self.fu.encode(self.font, &s);
            let _ = writeln!(ops, "0 g BT /F1 {SIZE} Tf {x:.2} 26 Td {hex} Tj ET");
        }
        if let Some(p) = self.pages.get_mut(i) {
            p.push_str(&ops);
        }
    }
}

/// Renders a table report to PDF bytes.
pub fn render_report(doc: &ReportDocument) -> Result<Vec<u8>, PdfError> {
    if doc.columns.is_empty() {
        return Err(PdfError::Layout("a report needs columns".into()));
    }
    let total: f32 = doc.columns.iter().map(|c| c.weight.max(0.1)).sum();
    let widths = doc
        .columns
        .iter()
        .map(|c| c.weight.max(0.1) / total * (RIGHT - LEFT))
        .collect();
    let mut cx = Ctx {
        doc,
        font: font::font()?,
        fu: font::FontUse::new(),
        pages: Vec::new(),
        y: TOP,
        widths,
    };
    cx.new_page();
    if doc.rows.is_empty() {
        let s = tr(doc.lang, "No entries.", "无记录。");
        let y = cx.y - 14.0;
        cx.text(LEFT + PAD, y, SIZE, &s, false);
    }
    for row in &doc.rows {
        let cells: Vec<Vec<String>> = row
            .iter()
            .zip(cx.widths.clone())
            .map(|(s, w)| cx.wrap(s, w - 2.0 * PAD))
            .collect();
        let h = cells.iter().map(Vec::len).max().unwrap_or(1) as f32 * LINE + 2.0 * PAD;
        if cx.y - h < BOTTOM {
            cx.new_page();
        }
        cx.cells(&cells, h, false);
    }
    let n = cx.pages.len();
    for i in 0..n {
        cx.footer(i, n);
    }
    write(cx)
}

fn write(cx: Ctx) -> Result<Vec<u8>, PdfError> {
    let embedded = cx.fu.finish(cx.font)?;
    let mut w = pdf::PdfWriter::new();
    let catalog = w.alloc();
    let pages_id = w.alloc();
    let info = w.alloc();
    let font0 = w.alloc();
    let cid = w.alloc();
    let desc = w.alloc();
    let file = w.alloc();
    let tounicode = w.alloc();
    let page_ids: Vec<(usize, usize)> = cx.pages.iter().map(|_| (w.alloc(), w.alloc())).collect();
    w.object(
        catalog,
        &format!("<< /Type /Catalog /Pages {pages_id} 0 R >>"),
    );
    let kids: String = page_ids.iter().map(|(p, _)| format!("{p} 0 R ")).collect();
    w.object(
        pages_id,
        &format!(
            "<< /Type /Pages /Kids [{kids}] /Count {} >>",
            page_ids.len()
        ),
    );
    let d = cx.doc;
    w.object(
        info,
        &format!(
            "<< /Title {} /Producer {} /Creator {} /Subject {} >>",
            pdf::text_string(&format!("{} — {}", d.title.en, d.scope)),
            pdf::text_string(PRODUCER),
            pdf::text_string(PRODUCER),
            pdf::text_string(&format!("{} {}", d.header.study, d.header.site)),
        ),
    );
    let base = "AAAAAA+NotoSansCJKsc-Regular";
    w.object(
        font0,
        &format!("<< /Type /Font /Subtype /Type0 /BaseFont /{base} /Encoding /Identity-H /DescendantFonts [{cid} 0 R] /ToUnicode {tounicode} 0 R >>"),
    );
    w.object(
        cid,
        &format!(
            "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /{base} /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor {desc} 0 R /DW 1000 /W {} >>",
            embedded.widths
        ),
    );
    let f = cx.font;
    w.object(
        desc,
        &format!(
            "<< /Type /FontDescriptor /FontName /{base} /Flags 4 /FontBBox [{} {} {} {}] /ItalicAngle 0 /Ascent {:.0} /Descent {:.0} /CapHeight {:.0} /StemV 80 /FontFile3 {file} 0 R >>",
            f.bbox[0], f.bbox[1], f.bbox[2], f.bbox[3], f.ascender, f.descender, f.cap_height
        ),
    );
    w.stream(file, "/Subtype /CIDFontType0C", &embedded.cff, true);
    w.stream(tounicode, "", embedded.to_unicode.as_bytes(), true);
    for (ops, (pid, cid_)) in cx.pages.iter().zip(&page_ids) {
        w.object(
            *pid,
            &format!("<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {W} {H}] /Resources << /Font << /F1 {font0} 0 R >> >> /Contents {cid_} 0 R >>"),
        );
        w.stream(*cid_, "", ops.as_bytes(), true);
    }
    Ok(w.finish(catalog, info, "0123456789ABCDEF0123456789ABCDEF"))
}
