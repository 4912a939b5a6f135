//! The endpoint report as a PDF: A4 portrait, a header band on every page (title, study, site
//! and scope, generation time) and a footer (CONFIDENTIAL, page X of Y); headings, notes,
//! tables (column titles repeated on every page a table continues on, wrapped cells) and vector
//! plots ([`crate::plot`]): Kaplan-Meier curves with their numbers at risk, PK curves, the
//! swimmer plot. Texts arrive translated (see [`tr`]); the cells are data, printed as given.

use crate::model::{DocLang, Header};
use crate::plot::{self, Align, Area, KmPlot, Painter, PkPlot, Rgb, SwimmerPlot};
use crate::render::{font, pdf, PRODUCER};
use crate::PdfError;
use ecrf_core::definition::Lang;
use std::fmt::Write as _;

const W: f32 = 595.28;
const H: f32 = 841.89;
const LEFT: f32 = 40.0;
const RIGHT: f32 = W - 40.0;
const TOP: f32 = H - 96.0;
const BOTTOM: f32 = 48.0;
const SIZE: f32 = 7.5;
const LINE: f32 = 9.5;
const PAD: f32 = 2.5;

/// A text in the document's language(s): English, Chinese, or "English / 中文".
pub fn tr(lang: DocLang, en: &str, zh: &str) -> String {
    match lang {
        DocLang::One(Lang::En) => en.to_string(),
        DocLang::One(Lang::Zh) => zh.to_string(),
        DocLang::Both if en == zh => en.to_string(),
        DocLang::Both => format!("{en} / {zh}"),
    }
}

#[derive(Debug, Clone)]
pub struct TableColumn {
    pub title: String,
    pub weight: f32,
    /// Numbers: right-aligned.
    pub right: bool,
}

#[derive(Debug, Clone)]
pub struct Table {
    pub columns: Vec<TableColumn>,
    pub rows: Vec<Vec<String>>,
    /// The first column in bold (row titles).
    pub row_titles: bool,
}

#[derive(Debug, Clone)]
pub enum Block {
    /// A section title (starts on a new page when little room is left).
    Heading(String),
    /// A sub-title.
    Subheading(String),
    /// A note in small grey type.
    Note(String),
    Table(Table),
    Km(KmPlot),
    Pk(PkPlot),
    Swimmer(SwimmerPlot),
    NewPage,
}

#[derive(Debug, Clone)]
pub struct EndpointDocument {
    /// Printed in the header band, already in the document's language(s).
    pub title: String,
    /// What the report covers (e.g. "All sites"), printed as given.
    pub scope: String,
    pub lang: DocLang,
    pub header: Header,
    pub blocks: Vec<Block>,
}

struct Ctx<'a> {
    doc: &'a EndpointDocument,
    font: &'static font::FontInfo,
    fu: font::FontUse,
    pages: Vec<String>,
    y: f32,
}

impl Painter for Ctx<'_> {
    fn op(&mut self, ops: &str) {
        if let Some(p) = self.pages.last_mut() {
            p.push_str(ops);
            p.push('\n');
        }
    }

    fn text(
        &mut self,
        x: f32,
        y: f32,
        size: f32,
        s: &str,
        align: Align,
        color: Rgb,
        vertical: bool,
    ) {
        if s.is_empty() {
            return;
        }
        let w = self.font.width(s, size);
        let dx = match align {
            Align::Left => 0.0,
            Align::Center => -w / 2.0,
            Align::Right => -w,
        };
        let runs = self.fu.runs(self.font, s);
        let mut ops = format!("{:.3} {:.3} {:.3} rg BT ", color.0, color.1, color.2);
        if vertical {
            let _ = write!(ops, "0 1 -1 0 {x:.2} {:.2} Tm", y + dx);
        } else {
            let _ = write!(ops, "1 0 0 1 {:.2} {y:.2} Tm", x + dx);
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
        ops.push_str(" ET 0 g");
        self.op(&ops);
    }

    fn text_width(&self, s: &str, size: f32) -> f32 {
        self.font.width(s, size)
    }
}

impl Ctx<'_> {
    fn bold(&mut self, x: f32, y: f32, size: f32, s: &str, color: Rgb) {
        // Bold by stroking the outline, as the CRFs do.
        self.op(&format!(
            "q {:.3} {:.3} {:.3} RG 2 Tr 0.25 w",
            color.0, color.1, color.2
        ));
        self.text(x, y, size, s, Align::Left, color, false);
        self.op("0 Tr Q");
    }

    /// Lines of `s` no wider than `width` at `size`.
    fn wrap(&self, s: &str, width: f32, size: f32) -> Vec<String> {
        let mut out = Vec::new();
        for para in s.split('\n') {
            let mut line = String::new();
            let mut w = 0.0;
            for c in para.chars() {
                let cw = self.font.char_advance(c) * size / 1000.0;
                if w + cw > width && !line.is_empty() {
                    match line.rfind(' ') {
                        Some(i) if i > 0 => {
                            let rest = line[i + 1..].to_string();
                            line.truncate(i);
                            out.push(std::mem::take(&mut line));
                            line = rest;
                        }
                        _ => out.push(std::mem::take(&mut line)),
                    }
                    w = self.font.width(&line, size);
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
        let top = H - 30.0;
        self.op(&format!(
            "0.93 g {LEFT} {:.2} {:.2} 50 re f 0 g",
            top - 50.0,
            RIGHT - LEFT
        ));
        self.bold(LEFT + 6.0, top - 17.0, 12.0, &d.title, Rgb::BLACK);
        let study = format!("{} — {}", d.header.study, d.header.study_name);
        // Beside the title when there is room, else on the line under it.
        let title_w = self.font.width(&d.title, 12.0);
        let study_y = if LEFT + 6.0 + title_w + 24.0 + self.font.width(&study, SIZE) < RIGHT - 6.0 {
            top - 15.0
        } else {
            top - 31.0
        };
        self.text(
            RIGHT - 6.0,
            study_y,
            SIZE,
            &study,
            Align::Right,
            Rgb::BLACK,
            false,
        );
        let mut line2 = format!("{}: {}", tr(d.lang, "Site", "中心"), d.header.site);
        if !d.scope.is_empty() {
            let _ = write!(line2, "    {}", d.scope);
        }
        self.text(
            LEFT + 6.0,
            top - 31.0,
            8.0,
            &line2,
            Align::Left,
            Rgb::BLACK,
            false,
        );
        let gen = format!(
            "{} {}    {} {}",
            tr(d.lang, "Definition", "定义版本"),
            d.header.definition_version,
            tr(d.lang, "Generated (UTC)", "生成时间（UTC）"),
            d.header.generated_at
        );
        self.text(
            LEFT + 6.0,
            top - 43.0,
            SIZE,
            &gen,
            Align::Left,
            Rgb::GREY,
            false,
        );
        self.y = TOP;
    }

    fn need(&mut self, h: f32) {
        if self.y - h < BOTTOM {
            self.new_page();
        }
    }

    fn heading(&mut self, s: &str, then: f32) {
        // A heading goes to the next page with what follows it when there is no room for both.
        self.need(24.0 + then);
        if self.y < TOP {
            self.y -= 8.0;
        }
        self.bold(LEFT, self.y - 12.0, 11.0, s, Rgb(0.11, 0.21, 0.34));
        self.op(&format!(
            "0.11 0.21 0.34 RG 0.8 w {LEFT} {:.2} m {RIGHT} {:.2} l S 0 G",
            self.y - 16.0,
            self.y - 16.0
        ));
        self.y -= 24.0;
    }

    fn subheading(&mut self, s: &str, then: f32) {
        self.need(16.0 + then);
        self.bold(LEFT, self.y - 10.0, 9.0, s, Rgb::BLACK);
        self.y -= 16.0;
    }

    fn note(&mut self, s: &str) {
        let lines = self.wrap(s, RIGHT - LEFT, 6.8);
        for l in lines {
            self.need(9.0);
            self.text(LEFT, self.y - 7.0, 6.8, &l, Align::Left, Rgb::GREY, false);
            self.y -= 8.5;
        }
        self.y -= 4.0;
    }

    fn widths(t: &Table) -> Vec<f32> {
        let total: f32 = t.columns.iter().map(|c| c.weight.max(0.1)).sum();
        t.columns
            .iter()
            .map(|c| c.weight.max(0.1) / total * (RIGHT - LEFT))
            .collect()
    }

    fn table_head(&mut self, t: &Table, widths: &[f32]) {
        let cells: Vec<Vec<String>> = t
            .columns
            .iter()
            .zip(widths)
            .map(|(c, w)| self.wrap(&c.title, w - 2.0 * PAD, SIZE))
            .collect();
        let h = cells.iter().map(Vec::len).max().unwrap_or(1) as f32 * LINE + 2.0 * PAD;
        self.need(h + LINE + 2.0 * PAD);
        self.op(&format!(
            "0.86 0.89 0.93 rg {LEFT} {:.2} {:.2} {h:.2} re f 0 g",
            self.y - h,
            RIGHT - LEFT
        ));
        self.row(&cells, widths, t, h, true);
    }

    fn row(&mut self, cells: &[Vec<String>], widths: &[f32], t: &Table, h: f32, head: bool) {
        let mut x = LEFT;
        for (i, (lines, w)) in cells.iter().zip(widths).enumerate() {
            let right = t.columns.get(i).is_some_and(|c| c.right);
            for (k, l) in lines.iter().enumerate() {
                let y = self.y - PAD - (k as f32 + 1.0) * LINE + 2.0;
                if head || (i == 0 && t.row_titles) {
                    let lx = if right {
                        x + w - PAD - self.font.width(l, SIZE)
                    } else {
                        x + PAD
                    };
                    self.bold(lx, y, SIZE, l, Rgb::BLACK);
                } else if right {
                    self.text(x + w - PAD, y, SIZE, l, Align::Right, Rgb::BLACK, false);
                } else {
                    self.text(x + PAD, y, SIZE, l, Align::Left, Rgb::BLACK, false);
                }
            }
            x += w;
        }
        self.y -= h;
        self.op(&format!(
            "0.75 G 0.3 w {LEFT} {:.2} m {RIGHT:.2} {:.2} l S 0 G",
            self.y, self.y
        ));
    }

    fn table(&mut self, t: &Table) {
        let widths = Self::widths(t);
        self.table_head(t, &widths);
        for r in &t.rows {
            let cells: Vec<Vec<String>> = r
                .iter()
                .zip(&widths)
                .map(|(s, w)| self.wrap(s, w - 2.0 * PAD, SIZE))
                .collect();
            let h = cells.iter().map(Vec::len).max().unwrap_or(1) as f32 * LINE + 2.0 * PAD;
            if self.y - h < BOTTOM {
                self.new_page();
                self.table_head(t, &widths);
            }
            self.row(&cells, &widths, t, h, false);
        }
        self.y -= 6.0;
    }

    fn plot_area(&mut self, h: f32) -> Area {
        self.need(h);
        let a = Area {
            x: LEFT,
            y: self.y - h,
            w: (RIGHT - LEFT).min(470.0),
            h,
        };
        self.y -= h + 8.0;
        a
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
        let _ = writeln!(ops, "0.4 G 0.5 w {LEFT} 38 m {RIGHT:.2} 38 l S 0 G");
        for (x, s) in [
            (LEFT, conf.clone()),
            (RIGHT - self.font.width(&page, SIZE), page.clone()),
        ] {
            let hex = self.fu.encode(self.font, &s);
            let _ = writeln!(ops, "0 g BT /F1 {SIZE} Tf {x:.2} 28 Td {hex} Tj ET");
        }
        if let Some(p) = self.pages.get_mut(i) {
            p.push_str(&ops);
        }
    }
}

const KM_PLOT_H: f32 = 190.0;
const PK_H: f32 = 250.0;

/// The room a heading needs under it: the next block that is not a heading (a plot whole, a
/// table's head and first rows, a note's first lines), plus the sub-headings before it.
fn room_after(rest: &[Block]) -> f32 {
    let mut h = 0.0;
    for b in rest {
        match b {
            Block::Heading(_) => h += 24.0,
            Block::Subheading(_) => h += 16.0,
            Block::Note(_) => return h + 20.0,
            Block::Table(_) => return h + 60.0,
            Block::Km(p) => return h + plot::km_height(KM_PLOT_H, p.curves.len()) + 8.0,
            Block::Pk(_) => return h + PK_H + 8.0,
            Block::Swimmer(p) => {
                // At worst one legend item a row.
                let items = p.groups.len() + p.marker_labels.len() + 3;
                return h + plot::swimmer_height(p.lanes.len(), items) + 8.0;
            }
            Block::NewPage => return h,
        }
    }
    h
}

/// Renders the endpoint report to PDF bytes.
pub fn render_endpoint_report(doc: &EndpointDocument) -> Result<Vec<u8>, PdfError> {
    let mut cx = Ctx {
        doc,
        font: font::font()?,
        fu: font::FontUse::new(),
        pages: Vec::new(),
        y: TOP,
    };
    cx.new_page();
    for (i, b) in doc.blocks.iter().enumerate() {
        match b {
            Block::Heading(s) => cx.heading(s, room_after(&doc.blocks[i + 1..])),
            Block::Subheading(s) => cx.subheading(s, room_after(&doc.blocks[i + 1..])),
            Block::Note(s) => cx.note(s),
            Block::Table(t) => {
                if t.columns.is_empty() {
                    return Err(PdfError::Layout("a table needs columns".into()));
                }
                cx.table(t)
            }
            Block::Km(p) => {
                let h = plot::km_height(KM_PLOT_H, p.curves.len());
                let a = cx.plot_area(h);
                plot::km(&mut cx, a, p);
            }
            Block::Pk(p) => {
                let a = cx.plot_area(PK_H);
                plot::pk(&mut cx, a, p);
            }
            Block::Swimmer(p) => {
                let items = p.groups.len() + p.marker_labels.len() + 3;
                let cols = plot::swimmer_legend_columns(&cx, p, (RIGHT - LEFT).min(470.0) - 16.0);
                let h = plot::swimmer_height(p.lanes.len(), items.div_ceil(cols));
                let a = cx.plot_area(h);
                plot::swimmer(&mut cx, a, p);
            }
            Block::NewPage => {
                if cx.y < TOP {
                    cx.new_page()
                }
            }
        }
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
            pdf::text_string(&format!("{} — {}", d.title, d.scope)),
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
            &format!("<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {W} {H}] /Resources << /Font << /F1 {font0} 0 R >> /ExtGState << /GSband << /ca 0.2 >> >> >> /Contents {cid_} 0 R >>"),
        );
        w.stream(*cid_, "", ops.as_bytes(), true);
    }
    Ok(w.finish(catalog, info, "0123456789ABCDEF0123456789ABCDEF"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::{KmCurve, KmStep};

    #[test]
    fn renders_tables_and_plots_over_pages() {
        let header = Header {
            study: "CART-1922-01".into(),
            study_name: "A study".into(),
            site: "central".into(),
            definition_version: "1.0".into(),
            generated_at: "2026-03-01T09:00:00Z".into(),
        };
        let steps = vec![KmStep {
            day: 100.0,
            at_risk: 10,
            events: 2,
            censored: 1,
            survival: 0.8,
            lower: 0.4,
            upper: 0.95,
        }];
        let mut blocks = vec![Block::Heading("Response".into())];
        blocks.push(Block::Table(Table {
            columns: vec![
                TableColumn {
                    title: "Population".into(),
                    weight: 1.0,
                    right: false,
                },
                TableColumn {
                    title: "N".into(),
                    weight: 0.3,
                    right: true,
                },
            ],
            rows: (0..120)
                .map(|i| vec![format!("row {i}"), i.to_string()])
                .collect(),
            row_titles: true,
        }));
        blocks.push(Block::Km(KmPlot {
            y_label: "Overall survival".into(),
            x_label: "Months".into(),
            at_risk_label: "At risk".into(),
            note: "Shaded: 95% CI".into(),
            curves: vec![KmCurve {
                label: "Primary".into(),
                steps,
                at_risk: vec![],
                color: Rgb::BLUE,
                dashed: false,
                band: true,
            }],
        }));
        let doc = EndpointDocument {
            title: tr(DocLang::Both, "Endpoint report", "终点报告"),
            scope: "All sites".into(),
            lang: DocLang::Both,
            header,
            blocks,
        };
        let pdf = render_endpoint_report(&doc).unwrap();
        assert!(pdf.starts_with(b"%PDF-1.7"));
        let s = String::from_utf8_lossy(&pdf);
        assert!(
            s.contains("/Count 3"),
            "120 rows and a plot take three pages"
        );
        assert!(s.contains("/GSband"));
    }
}
