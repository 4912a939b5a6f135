//! Layout of CRFs (filled and blank) from the study definition: one layout for every form.
//!
//! A4 portrait. Every page has a header band (study, site, subject, event, form, definition
//! version, generation time) and a footer (CONFIDENTIAL, content hash, page X of Y). A form
//! is its groups in definition order: items as label / value / unit rows, repeating groups as
//! tables (a row per repeat), then derived values with their overrides, queries and the
//! signature manifestation. Blank CRFs draw boxes and lines for handwriting instead of values.
//!
//! The output is a PDF 1.7 file with one classic cross-reference table and one trailer, the
//! content streams and the font compressed; the font is Noto Sans CJK SC embedded as a subset
//! (CIDFontType0C, Identity-H, with a ToUnicode CMap so text can be extracted).

pub(crate) mod font;
pub(crate) mod pdf;

use crate::model::{CrfDocument, DocLang, FormSection};
use crate::PdfError;
use ecrf_core::definition::{Codelist, DerivedDef, ItemDef, ItemType, Lang, Text, MAIN_GROUP};
use font::{FontInfo, FontUse};
use serde_json::Value as Json;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// The producer written in the document information dictionary.
pub const PRODUCER: &str = "eCRF CAR-T";
/// The key of the content hash (hex) in the document information dictionary.
pub const CONTENT_HASH_KEY: &str = "ECRFContentHash";

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const LEFT: f32 = 36.0;
const RIGHT: f32 = PAGE_W - 36.0;
const BODY_TOP: f32 = PAGE_H - 96.0;
const BODY_BOTTOM: f32 = 52.0;
const PAD: f32 = 3.0;
const SIZE: f32 = 8.5;
const SMALL: f32 = 7.5;
const LINE: f32 = 11.0;
const BOX_LINE: f32 = 14.0;
/// Label, value and unit columns of item rows.
const COL_LABEL: f32 = 200.0;
const COL_UNIT: f32 = 62.0;

#[derive(Clone, Copy, PartialEq)]
enum Color {
    Black,
    Grey,
    Red,
}

impl Color {
    fn op(self) -> &'static str {
        match self {
            Color::Black => "0 g",
            Color::Grey => "0.38 g",
            Color::Red => "0.78 0 0 rg",
        }
    }

    /// The same colour for strokes (the outline that makes text bold).
    fn stroke_op(self) -> &'static str {
        match self {
            Color::Black => "0 G",
            Color::Grey => "0.38 G",
            Color::Red => "0.78 0 0 RG",
        }
    }
}

/// What a line of a cell draws, at offsets from the cell's left edge.
enum Mark {
    Text {
        dx: f32,
        s: String,
        size: f32,
        color: Color,
        bold: bool,
    },
    /// A box for a handwritten character or a tick, with an optional faint placeholder.
    Box { dx: f32, w: f32, hint: Option<char> },
    /// A line to write on.
    Rule { dx: f32, w: f32 },
}

struct CLine {
    h: f32,
    marks: Vec<Mark>,
}

type Cell = Vec<CLine>;

fn cell_height(c: &Cell) -> f32 {
    c.iter().map(|l| l.h).sum()
}

/// An element of a flowed (wrapping) line of a blank field.
enum Flow {
    Tick(String),
    Text(String),
    Boxes(usize, char),
    Rule(f32),
}

struct Page {
    ops: String,
}

struct Ctx<'a> {
    doc: &'a CrfDocument,
    font: &'static FontInfo,
    fu: FontUse,
    pages: Vec<Page>,
    /// The section whose header the current page carries (None: contents).
    section: Option<usize>,
    y: f32,
}

/// Renders a CRF document to PDF bytes.
pub fn render(doc: &CrfDocument) -> Result<Vec<u8>, PdfError> {
    let font = font::font()?;
    let mut cx = Ctx {
        doc,
        font,
        fu: FontUse::new(),
        pages: Vec::new(),
        section: None,
        y: BODY_TOP,
    };
    // Contents first: its length is known before the sections are laid out.
    let contents_rows = contents_rows_per_page();
    let contents_pages = if doc.contents && !doc.sections.is_empty() {
        doc.sections.len().div_ceil(contents_rows)
    } else {
        0
    };
    let mut starts = Vec::with_capacity(doc.sections.len());
    for i in 0..doc.sections.len() {
        starts.push(cx.pages.len() + contents_pages + 1);
        cx.section(i)?;
    }
    let body = std::mem::take(&mut cx.pages);
    if contents_pages > 0 {
        cx.contents(&starts, contents_rows);
    }
    cx.pages.extend(body);
    if cx.pages.is_empty() {
        cx.section = None;
        cx.new_page();
        let msg = cx.tr("No forms.", "无表单。");
        cx.text(LEFT, BODY_TOP - 14.0, SIZE, &msg, Color::Black, false);
    }
    let total = cx.pages.len();
    for i in 0..total {
        cx.footer(i, total);
    }
    cx.write()
}

fn contents_rows_per_page() -> usize {
    // Title (30) and table header (LINE + 2 PAD) above rows of LINE + 2 PAD.
    (((BODY_TOP - 30.0 - (LINE + 2.0 * PAD) - BODY_BOTTOM) / (LINE + 2.0 * PAD)) as usize).max(1)
}

impl<'a> Ctx<'a> {
    // ---- language ----

    fn lang(&self) -> DocLang {
        self.doc.lang
    }

    /// A fixed phrase in the document language(s), on one line.
    fn tr(&self, en: &str, zh: &str) -> String {
        match self.lang() {
            DocLang::One(Lang::En) => en.to_string(),
            DocLang::One(Lang::Zh) => zh.to_string(),
            DocLang::Both => format!("{en} / {zh}"),
        }
    }

    /// A definition text on one line.
    fn inline(&self, t: &Text) -> String {
        self.tr(&t.en, &t.zh)
    }

    /// A definition text as lines: English, Chinese beneath (grey) when both.
    fn text_lines(&self, t: &Text, size: f32, width: f32) -> Cell {
        let mut out = Vec::new();
        match self.lang() {
            DocLang::One(l) => self.push_wrapped(&mut out, t.get(l), size, width, Color::Black),
            DocLang::Both => {
                self.push_wrapped(&mut out, &t.en, size, width, Color::Black);
                if !t.zh.is_empty() && t.zh != t.en {
                    self.push_wrapped(&mut out, &t.zh, size, width, Color::Grey);
                }
            }
        }
        out
    }

    // ---- text measurement ----

    fn width(&self, s: &str, size: f32) -> f32 {
        self.font.width(s, size)
    }

    /// Greedy line breaking: at spaces, and between any two CJK characters.
    fn wrap(&self, s: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for para in s.split('\n') {
            let mut line = String::new();
            let mut w = 0.0;
            for tok in tokens(para) {
                let tw = self.width(&tok, size);
                if w + tw <= width || line.is_empty() && tw <= width {
                    line.push_str(&tok);
                    w += tw;
                    continue;
                }
                if tok.trim().is_empty() {
                    lines.push(std::mem::take(&mut line));
                    w = 0.0;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line).trim_end().to_string());
                    w = 0.0;
                }
                // A token wider than the column: break it anywhere.
                for c in tok.chars() {
                    let cw = self.font.char_advance(c) * size / 1000.0;
                    if w + cw > width && !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                        w = 0.0;
                    }
                    line.push(c);
                    w += cw;
                }
            }
            lines.push(line.trim_end().to_string());
        }
        lines
    }

    /// `s` cut with an ellipsis to fit `width`.
    fn fit(&self, s: &str, size: f32, width: f32) -> String {
        if self.width(s, size) <= width {
            return s.to_string();
        }
        let mut out = String::new();
        let mut w = self.width("…", size);
        for c in s.chars() {
            let cw = self.font.char_advance(c) * size / 1000.0;
            if w + cw > width {
                break;
            }
            out.push(c);
            w += cw;
        }
        out.push('…');
        out
    }

    fn push_wrapped(&self, out: &mut Cell, s: &str, size: f32, width: f32, color: Color) {
        for l in self.wrap(s, size, width) {
            out.push(CLine {
                h: line_h(size),
                marks: vec![Mark::Text {
                    dx: 0.0,
                    s: l,
                    size,
                    color,
                    bold: false,
                }],
            });
        }
    }

    fn plain(&self, s: &str, size: f32, width: f32, color: Color) -> Cell {
        let mut c = Vec::new();
        self.push_wrapped(&mut c, s, size, width, color);
        c
    }

    /// Ticks, texts, boxes and rules placed left to right, wrapping to `width`. A tick whose
    /// label is wider than the column gets lines of its own, its label wrapped beside the box.
    fn flow(&self, items: Vec<Flow>, width: f32) -> Cell {
        let mut out: Cell = Vec::new();
        let mut marks = Vec::new();
        let mut x = 0.0;
        // Smaller boxes in narrow table columns, so that a whole date fits on one line.
        let bw = if width < 110.0 { 7.0 } else { 9.0 };
        let date_w = 8.0 * (bw + 1.0) + 2.0 * (self.width("-", SMALL) + 3.0) + 6.0;
        for it in items {
            let w = match &it {
                Flow::Tick(l) => bw + 3.0 + self.width(l, SMALL) + 8.0,
                Flow::Text(s) => self.width(s, SMALL) + 3.0,
                Flow::Boxes(n, _) => *n as f32 * (bw + 1.0) + 2.0,
                Flow::Rule(w) => w.min(width) + 4.0,
            };
            // A date's first boxes move to a new line when the whole date does not fit.
            let keep = matches!(it, Flow::Boxes(4, 'Y')) && x + date_w > width && date_w <= width;
            if x > 0.0 && (x + w > width || keep) {
                out.push(CLine {
                    h: BOX_LINE,
                    marks: std::mem::take(&mut marks),
                });
                x = 0.0;
            }
            match it {
                Flow::Tick(l) if w > width => {
                    let lines = self.wrap(&l, SMALL, (width - bw - 3.0).max(10.0));
                    for (k, line) in lines.into_iter().enumerate() {
                        let mut m = Vec::new();
                        if k == 0 {
                            m.push(Mark::Box {
                                dx: 0.0,
                                w: bw,
                                hint: None,
                            });
                        }
                        m.push(Mark::Text {
                            dx: bw + 3.0,
                            s: line,
                            size: SMALL,
                            color: Color::Black,
                            bold: false,
                        });
                        out.push(CLine {
                            h: if k == 0 { BOX_LINE } else { line_h(SMALL) },
                            marks: m,
                        });
                    }
                    continue;
                }
                Flow::Tick(l) => {
                    marks.push(Mark::Box {
                        dx: x,
                        w: bw,
                        hint: None,
                    });
                    marks.push(Mark::Text {
                        dx: x + bw + 3.0,
                        s: l,
                        size: SMALL,
                        color: Color::Black,
                        bold: false,
                    });
                }
                Flow::Text(s) => marks.push(Mark::Text {
                    dx: x,
                    s: self.fit(&s, SMALL, width),
                    size: SMALL,
                    color: Color::Black,
                    bold: false,
                }),
                Flow::Boxes(n, hint) => {
                    for i in 0..n {
                        marks.push(Mark::Box {
                            dx: x + i as f32 * (bw + 1.0),
                            w: bw,
                            hint: Some(hint),
                        });
                    }
                }
                Flow::Rule(w) => marks.push(Mark::Rule {
                    dx: x,
                    w: w.min(width),
                }),
            }
            x += w;
        }
        if !marks.is_empty() {
            out.push(CLine { h: BOX_LINE, marks });
        }
        out
    }

    // ---- drawing ----

    fn text(&mut self, x: f32, y: f32, size: f32, s: &str, color: Color, bold: bool) {
        if s.is_empty() {
            return;
        }
        let runs = self.fu.runs(self.font, s);
        let mut ops = String::with_capacity(s.len() * 5 + 64);
        let _ = write!(ops, "{} ", color.op());
        if bold {
            let _ = write!(ops, "{} BT 2 Tr 0.3 w ", color.stroke_op());
        } else {
            ops.push_str("BT ");
        }
        let _ = write!(ops, "{x:.2} {y:.2} Td");
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
        ops.push_str(if bold { " 0 Tr ET" } else { " ET" });
        self.op(&ops);
    }

    fn page(&mut self) -> &mut Page {
        if self.pages.is_empty() {
            self.pages.push(Page { ops: String::new() });
        }
        let n = self.pages.len();
        &mut self.pages[n - 1]
    }

    fn op(&mut self, s: &str) {
        let p = self.page();
        p.ops.push_str(s);
        p.ops.push('\n');
    }

    fn hline(&mut self, x1: f32, x2: f32, y: f32, width: f32, grey: f32) {
        self.op(&format!(
            "{grey} G {width} w {x1:.2} {y:.2} m {x2:.2} {y:.2} l S"
        ));
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, fill: Option<f32>, stroke: bool) {
        let r = format!("{x:.2} {y:.2} {w:.2} {h:.2} re");
        match (fill, stroke) {
            (Some(g), true) => self.op(&format!("{g} g 0.2 G 0.6 w {r} B 0 g")),
            (Some(g), false) => self.op(&format!("{g} g {r} f 0 g")),
            (None, _) => self.op(&format!("0.2 G 0.6 w {r} S")),
        }
    }

    fn draw_cell(&mut self, x: f32, top: f32, cell: &[CLine]) {
        let mut y = top;
        for line in cell {
            for m in &line.marks {
                match m {
                    Mark::Text {
                        dx,
                        s,
                        size,
                        color,
                        bold,
                    } => {
                        let base = y - line.h + (line.h - size) / 2.0 + size * 0.2;
                        self.text(x + dx, base, *size, s, *color, *bold);
                    }
                    Mark::Box { dx, w, hint } => {
                        let b = y - line.h + (line.h - w) / 2.0;
                        self.op(&format!(
                            "0.25 G 0.5 w {:.2} {b:.2} {w:.2} {w:.2} re S",
                            x + dx
                        ));
                        if let Some(h) = hint {
                            let s = h.to_string();
                            let cw = self.width(&s, 5.0);
                            self.op("0.72 g");
                            let hex = self.fu.encode(self.font, &s);
                            let _ = writeln!(
                                self.page().ops,
                                "BT /F1 5 Tf {:.2} {:.2} Td {hex} Tj ET 0 g",
                                x + dx + (w - cw) / 2.0,
                                b + 1.0
                            );
                        }
                    }
                    Mark::Rule { dx, w } => {
                        let ry = y - line.h + 2.5;
                        self.hline(x + dx, x + dx + w, ry, 0.4, 0.35);
                    }
                }
            }
            y -= line.h;
        }
    }

    // ---- pages ----

    fn new_page(&mut self) {
        self.pages.push(Page { ops: String::new() });
        self.header();
        self.y = BODY_TOP;
    }

    fn continue_page(&mut self) {
        self.new_page();
        if let Some(i) = self.section {
            let s = &self.doc.sections[i];
            let t = format!(
                "{} {}",
                self.inline(&s.form.name),
                self.tr("(continued)", "（续）")
            );
            let t = self.fit(&t, SIZE, RIGHT - LEFT);
            self.text(LEFT, self.y - 10.0, SIZE, &t, Color::Grey, false);
            self.y -= 16.0;
        }
    }

    /// Space for `h` points, on a new page when needed.
    fn ensure(&mut self, h: f32) {
        if self.y - h < BODY_BOTTOM && self.y < BODY_TOP - 20.0 {
            self.continue_page();
        }
    }

    fn header(&mut self) {
        let d = self.doc;
        let h = &d.header;
        let top = PAGE_H - 24.0;
        self.rect(LEFT, top - 54.0, RIGHT - LEFT, 54.0, Some(0.93), false);
        self.hline(LEFT, RIGHT, top - 54.0, 0.8, 0.2);
        let version = format!(
            "{} {}",
            self.tr("Definition", "定义版本"),
            h.definition_version
        );
        let vw = self.width(&version, SMALL);
        let study = self.fit(
            &format!("{} — {}", h.study, h.study_name),
            10.0,
            RIGHT - LEFT - vw - 16.0,
        );
        self.text(LEFT + 6.0, top - 14.0, 10.0, &study, Color::Black, true);
        self.text(
            RIGHT - 6.0 - vw,
            top - 13.0,
            SMALL,
            &version,
            Color::Black,
            false,
        );

        let (subject, event, form) = match self.section.map(|i| &d.sections[i]) {
            Some(s) => (
                s.subject.clone(),
                if s.event.is_empty() && s.event_name.is_empty() {
                    String::new()
                } else if s.event_name.is_empty() {
                    s.event.clone()
                } else {
                    format!("{} ({})", s.event_name, s.event)
                },
                format!("{} ({})", self.inline(&s.form.name), s.form.id),
            ),
            None => (
                d.sections.iter().find_map(|s| s.subject.clone()),
                "—".to_string(),
                self.tr("Contents", "目录"),
            ),
        };
        let blank_line = "________________";
        let line2 = format!(
            "{}: {}    {}: {}    {}: {}",
            self.tr("Site", "中心"),
            h.site,
            self.tr("Subject", "受试者"),
            subject.as_deref().unwrap_or(blank_line),
            self.tr("Event", "访视"),
            if event.is_empty() { blank_line } else { &event },
        );
        let line2 = self.fit(&line2, SIZE, RIGHT - LEFT - 12.0);
        self.text(LEFT + 6.0, top - 29.0, SIZE, &line2, Color::Black, false);
        let gen = format!(
            "{} {}",
            self.tr("Generated (UTC)", "生成时间（UTC）"),
            h.generated_at
        );
        let gw = self.width(&gen, SMALL);
        let line3 = format!("{}: {}", self.tr("Form", "表单"), form);
        let line3 = self.fit(&line3, SIZE, RIGHT - LEFT - gw - 20.0);
        self.text(LEFT + 6.0, top - 44.0, SIZE, &line3, Color::Black, false);
        self.text(
            RIGHT - 6.0 - gw,
            top - 44.0,
            SMALL,
            &gen,
            Color::Black,
            false,
        );
    }

    fn footer(&mut self, index: usize, total: usize) {
        let conf = self.tr("CONFIDENTIAL", "机密");
        let page = match self.lang() {
            DocLang::One(Lang::Zh) => format!("第 {} 页，共 {total} 页", index + 1),
            DocLang::Both => format!(
                "Page {} of {total} / 第 {} 页，共 {total} 页",
                index + 1,
                index + 1
            ),
            DocLang::One(Lang::En) => format!("Page {} of {total}", index + 1),
        };
        let hash = match &self.doc.content_hash {
            Some(h) => format!(
                "{} {}…",
                self.tr("Content hash", "内容哈希"),
                h.get(..16).unwrap_or(h)
            ),
            None => self.tr("Blank CRF", "空白 CRF"),
        };
        let font = self.font;
        let fu = &mut self.fu;
        let Some(p) = self.pages.get_mut(index) else {
            return;
        };
        let y = 30.0;
        let _ = writeln!(
            p.ops,
            "0.4 G 0.5 w {LEFT} {:.2} m {RIGHT:.2} {:.2} l S",
            y + 10.0,
            y + 10.0
        );
        let mut put = |ops: &mut String, x: f32, s: &str| {
            let hex = fu.encode(font, s);
            let _ = writeln!(ops, "0 g BT /F1 {SMALL} Tf {x:.2} {y:.2} Td {hex} Tj ET");
        };
        put(&mut p.ops, LEFT, &conf);
        let hw = font.width(&hash, SMALL);
        put(&mut p.ops, (PAGE_W - hw) / 2.0, &hash);
        let pw = font.width(&page, SMALL);
        put(&mut p.ops, RIGHT - pw, &page);
    }

    // ---- contents ----

    fn contents(&mut self, starts: &[usize], per_page: usize) {
        self.section = None;
        let d = self.doc;
        let row_h = LINE + 2.0 * PAD;
        let cols = [LEFT, LEFT + 150.0, LEFT + 390.0, RIGHT - 52.0];
        for (chunk_no, chunk) in d.sections.chunks(per_page).enumerate() {
            self.new_page();
            let title = self.tr("Contents", "目录");
            self.text(LEFT, self.y - 16.0, 12.0, &title, Color::Black, true);
            self.y -= 30.0;
            self.rect(LEFT, self.y - row_h, RIGHT - LEFT, row_h, Some(0.85), false);
            let heads = [
                self.tr("Event", "访视"),
                self.tr("Form", "表单"),
                self.tr("Status", "状态"),
                self.tr("Page", "页码"),
            ];
            for (i, h) in heads.iter().enumerate() {
                self.text(
                    cols[i] + PAD,
                    self.y - row_h + 4.5,
                    SIZE,
                    h,
                    Color::Black,
                    true,
                );
            }
            self.y -= row_h;
            for (k, s) in chunk.iter().enumerate() {
                let idx = chunk_no * per_page + k;
                let ev = if s.event_name.is_empty() {
                    s.event.clone()
                } else {
                    format!("{} ({})", s.event_name, s.event)
                };
                let cells = [
                    self.fit(&ev, SIZE, cols[1] - cols[0] - 2.0 * PAD),
                    self.fit(
                        &format!("{} ({})", self.inline(&s.form.name), s.form.id),
                        SIZE,
                        cols[2] - cols[1] - 2.0 * PAD,
                    ),
                    self.fit(&self.status(s), SIZE, cols[3] - cols[2] - 2.0 * PAD),
                    starts.get(idx).map(|p| p.to_string()).unwrap_or_default(),
                ];
                for (i, c) in cells.iter().enumerate() {
                    self.text(
                        cols[i] + PAD,
                        self.y - row_h + 4.5,
                        SIZE,
                        c,
                        Color::Black,
                        false,
                    );
                }
                self.y -= row_h;
                self.hline(LEFT, RIGHT, self.y, 0.3, 0.7);
            }
        }
    }

    fn status(&self, s: &FormSection) -> String {
        if s.blank {
            return self.tr("blank", "空白");
        }
        match s.status.as_str() {
            "complete" => self.tr("complete", "已完成"),
            "in_progress" => self.tr("in progress", "填写中"),
            "not_started" => self.tr("not started", "未开始"),
            other => other.to_string(),
        }
    }

    // ---- a form ----

    fn section(&mut self, i: usize) -> Result<(), PdfError> {
        let s = &self.doc.sections[i];
        self.section = Some(i);
        self.new_page();
        // Title.
        let title = self.text_lines(&s.form.name, 12.0, RIGHT - LEFT);
        for (k, l) in title.iter().enumerate() {
            if let Some(Mark::Text { s: t, color, .. }) = l.marks.first() {
                let (t, color) = (t.clone(), *color);
                self.text(LEFT, self.y - 13.0, 12.0, &t, color, k == 0);
            }
            self.y -= 16.0;
        }
        let meta = if s.blank {
            format!(
                "{} {}    {}",
                self.tr("Form", "表单"),
                s.form.id,
                self.tr("Blank CRF — write clearly in black ink; strike through errors, initial and date them", "空白 CRF — 请用黑色墨水清晰填写；如有错误请划线更正并签名、注明日期")
            )
        } else {
            format!(
                "{} {}    {}: {}",
                self.tr("Form", "表单"),
                s.form.id,
                self.tr("Status", "状态"),
                self.status(s)
            )
        };
        let meta_lines = self.plain(&meta, SMALL, RIGHT - LEFT, Color::Grey);
        let top = self.y;
        self.draw_cell(LEFT, top, &meta_lines);
        self.y -= cell_height(&meta_lines) + 6.0;
        if s.blank {
            let label = self.tr("Subject ID", "受试者编号");
            let c = self.flow(vec![Flow::Text(label), Flow::Boxes(8, ' ')], RIGHT - LEFT);
            let top = self.y;
            self.draw_cell(LEFT, top, &c);
            self.y -= cell_height(&c) + 6.0;
        }

        // Groups in the order their items appear.
        let mut order: Vec<&str> = Vec::new();
        for it in &s.form.items {
            if !order.contains(&it.group.as_str()) {
                order.push(&it.group);
            }
        }
        for g in order {
            let items: Vec<&ItemDef> = s.form.items.iter().filter(|it| it.group == g).collect();
            let def = s.form.group(g);
            let repeating = def.as_ref().is_some_and(|d| d.repeating);
            if g != MAIN_GROUP {
                let name = def
                    .as_ref()
                    .map(|d| d.name.clone())
                    .filter(|n| !n.en.is_empty() || !n.zh.is_empty())
                    .unwrap_or(Text {
                        en: g.to_string(),
                        zh: g.to_string(),
                    });
                self.heading(&name);
            }
            if repeating {
                let max = def.and_then(|d| d.max).unwrap_or(3).clamp(1, 20);
                self.table(s, g, &items, max as usize);
            } else {
                for it in items {
                    self.item_row(s, it);
                }
            }
        }
        self.derived(s);
        self.queries(s);
        self.signatures(s);
        Ok(())
    }

    fn heading(&mut self, name: &Text) {
        let lines = self.text_lines(name, 9.5, RIGHT - LEFT - 2.0 * PAD);
        let h = cell_height(&lines) + 2.0 * PAD;
        self.ensure(h + 90.0);
        self.y -= 4.0;
        self.rect(LEFT, self.y - h, RIGHT - LEFT, h, Some(0.85), false);
        let mut y = self.y - PAD;
        for l in &lines {
            if let Some(Mark::Text { s, color, .. }) = l.marks.first() {
                let (s, color) = (s.clone(), *color);
                self.text(LEFT + PAD, y - l.h + 2.6, 9.5, &s, color, true);
            }
            y -= l.h;
        }
        self.y -= h;
    }

    fn heading_str(&mut self, en: &str, zh: &str) {
        self.heading(&Text {
            en: en.into(),
            zh: zh.into(),
        });
    }

    /// One row of cells at the given column edges; splits across pages when taller than
    /// the space left. `repeat_header` is drawn at the top of every continued page.
    fn row(
        &mut self,
        xs: &[f32],
        mut cells: Vec<Cell>,
        rule: bool,
        repeat_header: Option<&dyn Fn(&mut Self)>,
    ) {
        let total = cells.iter().map(cell_height).fold(0.0, f32::max) + 2.0 * PAD;
        let full = BODY_TOP - 16.0 - BODY_BOTTOM;
        if self.y - total < BODY_BOTTOM && total <= full {
            self.continue_page();
            if let Some(hd) = repeat_header {
                hd(self);
            }
        }
        loop {
            let avail = self.y - BODY_BOTTOM - 2.0 * PAD;
            let mut took_any = false;
            let mut rest_any = false;
            let mut h_max: f32 = 0.0;
            let mut parts = Vec::with_capacity(cells.len());
            for c in cells.iter_mut() {
                let mut h = 0.0;
                let mut n = 0;
                while n < c.len() && h + c[n].h <= avail {
                    h += c[n].h;
                    n += 1;
                }
                let rest = c.split_off(n);
                took_any |= n > 0;
                rest_any |= !rest.is_empty();
                h_max = h_max.max(h);
                parts.push(std::mem::replace(c, rest));
            }
            if !took_any && rest_any {
                // Nothing fits here: put the parts back and go on a new page.
                for (c, mut p) in cells.iter_mut().zip(parts) {
                    p.append(c);
                    *c = p;
                }
                if self.y >= BODY_TOP - 20.0 {
                    return; // a single line taller than a page: give up quietly
                }
                self.continue_page();
                if let Some(hd) = repeat_header {
                    hd(self);
                }
                continue;
            }
            let top = self.y - PAD;
            for (k, p) in parts.iter().enumerate() {
                if let Some(x) = xs.get(k) {
                    self.draw_cell(x + PAD, top, p);
                }
            }
            self.y -= h_max + 2.0 * PAD;
            if rule {
                self.hline(LEFT, RIGHT, self.y, 0.3, 0.75);
            }
            if !rest_any {
                return;
            }
            self.continue_page();
            if let Some(hd) = repeat_header {
                hd(self);
            }
        }
    }

    fn item_label(&self, it: &ItemDef, width: f32) -> Cell {
        let mut c = self.text_lines(&it.label, SIZE, width);
        if let Some(h) = &it.help {
            if self
                .doc
                .sections
                .get(self.section.unwrap_or(0))
                .is_some_and(|s| s.blank)
            {
                let t = match self.lang() {
                    DocLang::One(l) => h.get(l).to_string(),
                    DocLang::Both => h.en.clone(),
                };
                self.push_wrapped(&mut c, &t, 6.5, width, Color::Grey);
            }
        }
        c
    }

    fn item_row(&mut self, s: &FormSection, it: &ItemDef) {
        let xl = LEFT;
        let xv = LEFT + COL_LABEL;
        let xu = RIGHT - COL_UNIT;
        let label = self.item_label(it, COL_LABEL - 2.0 * PAD);
        let vw = xu - xv - 2.0 * PAD;
        let value = if s.blank {
            self.blank_field(s, it, vw)
        } else {
            let v = s
                .values
                .iter()
                .find(|(k, _)| k.group == it.group && k.item == it.id)
                .map(|(_, v)| v);
            match v {
                Some(v) => {
                    let t = self.value_text(s, it, v);
                    let mut c = self.plain(&t, SIZE, vw, Color::Black);
                    if let Some(first) = c.first_mut() {
                        if let Some(Mark::Text { bold, .. }) = first.marks.first_mut() {
                            *bold = false;
                        }
                    }
                    c
                }
                None => self.plain("—", SIZE, vw, Color::Grey),
            }
        };
        let unit = self.plain(
            it.unit.as_deref().unwrap_or(""),
            SIZE,
            COL_UNIT - 2.0 * PAD,
            Color::Black,
        );
        self.row(&[xl, xv, xu], vec![label, value, unit], true, None);
    }

    fn codelist<'s>(&self, s: &'s FormSection, it: &ItemDef) -> Option<&'s Codelist> {
        let id = it.codelist.as_deref()?;
        s.codelists.iter().find(|c| c.id == id)
    }

    /// How a stored value reads: choices as their labels, special values spelled out.
    fn value_text(&self, s: &FormSection, it: &ItemDef, v: &Json) -> String {
        match v {
            Json::Null => "—".into(),
            Json::Bool(b) => {
                if *b {
                    self.tr("Yes", "是")
                } else {
                    self.tr("No", "否")
                }
            }
            Json::Number(n) => match (it.digits, n.as_f64()) {
                (Some(d), Some(f)) if it.kind == ItemType::Decimal => {
                    format!("{f:.prec$}", prec = d as usize)
                }
                _ => n.to_string(),
            },
            Json::String(code) if it.kind == ItemType::Choice => {
                match self
                    .codelist(s, it)
                    .and_then(|cl| cl.choices.iter().find(|c| &c.code == code))
                {
                    Some(c) => self.tr(&c.en, &c.zh),
                    None => code.clone(),
                }
            }
            Json::String(t) => t.clone(),
            Json::Object(o) => {
                if let Some(r) = o.get("not_done") {
                    let r = r.as_str().map_or_else(|| r.to_string(), str::to_string);
                    format!("{}: {r}", self.tr("Not done", "未做"))
                } else if let Some(c) = o.get("code") {
                    let c = c.as_str().map_or_else(|| c.to_string(), str::to_string);
                    let meaning = match c.as_str() {
                        "UNK" => Some(("unknown", "未知")),
                        "ND" => Some(("not done", "未做")),
                        "NA" => Some(("not applicable", "不适用")),
                        "NASK" => Some(("not asked", "未询问")),
                        _ => None,
                    };
                    match meaning {
                        Some((en, zh)) => format!("{c} ({})", self.tr(en, zh)),
                        None => c,
                    }
                } else if let Some(l) = o.get("blq") {
                    let unit = it
                        .unit
                        .as_deref()
                        .map(|u| format!(" {u}"))
                        .unwrap_or_default();
                    format!("< LLOQ {l}{unit} (BLQ)")
                } else {
                    Json::Object(o.clone()).to_string()
                }
            }
            Json::Array(a) => a
                .iter()
                .map(|x| self.value_text(s, it, x))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// Boxes and lines for handwriting one item.
    fn blank_field(&self, s: &FormSection, it: &ItemDef, width: f32) -> Cell {
        let mut flow = Vec::new();
        match it.kind {
            ItemType::Choice => {
                if let Some(cl) = self.codelist(s, it) {
                    for c in &cl.choices {
                        flow.push(Flow::Tick(self.tr(&c.en, &c.zh)));
                    }
                } else {
                    flow.push(Flow::Rule(width.min(160.0)));
                }
            }
            ItemType::Boolean => {
                flow.push(Flow::Tick(self.tr("Yes", "是")));
                flow.push(Flow::Tick(self.tr("No", "否")));
            }
            ItemType::Date => date_boxes(&mut flow),
            ItemType::Datetime => {
                date_boxes(&mut flow);
                time_boxes(&mut flow);
            }
            ItemType::Time => time_boxes(&mut flow),
            ItemType::Integer | ItemType::Decimal => {
                let n = number_boxes(it);
                flow.push(Flow::Boxes(n.0, ' '));
                if n.1 > 0 {
                    flow.push(Flow::Text(".".into()));
                    flow.push(Flow::Boxes(n.1, ' '));
                }
            }
            ItemType::Text => flow.push(Flow::Rule(width)),
            ItemType::Note => {
                flow.push(Flow::Rule(width));
                flow.push(Flow::Rule(width));
                flow.push(Flow::Rule(width));
            }
        }
        let mut cell = self.flow(flow, width);
        let mut extra = Vec::new();
        if it.not_done {
            extra.push(Flow::Tick(self.tr("Not done, reason:", "未做，原因：")));
            extra.push(Flow::Rule(90.0));
        }
        for c in &it.codes {
            extra.push(Flow::Tick(c.clone()));
        }
        if it.blq {
            extra.push(Flow::Tick("< LLOQ (BLQ)".into()));
            extra.push(Flow::Rule(40.0));
        }
        if !extra.is_empty() {
            cell.extend(self.flow(extra, width));
        }
        cell
    }

    /// A repeating group: a table with a row per repeat (or `blank_rows` empty rows).
    fn table(&mut self, s: &FormSection, group: &str, items: &[&ItemDef], blank_rows: usize) {
        let num_w = 18.0;
        let weights: Vec<f32> = items
            .iter()
            .map(|it| match it.kind {
                ItemType::Text | ItemType::Note => 2.0,
                ItemType::Choice => 1.6,
                ItemType::Date | ItemType::Datetime => 1.5,
                _ => 1.0,
            })
            .collect();
        let sum: f32 = weights.iter().sum::<f32>().max(1.0);
        let avail = RIGHT - LEFT - num_w;
        let mut xs = vec![LEFT];
        let mut x = LEFT + num_w;
        let mut widths = Vec::new();
        for w in &weights {
            xs.push(x);
            let cw = avail * w / sum;
            widths.push(cw - 2.0 * PAD);
            x += cw;
        }
        let header = |cx: &mut Self| {
            let mut cells = vec![cx.plain("#", SMALL, num_w, Color::Black)];
            for (it, w) in items.iter().zip(&widths) {
                let mut c = cx.text_lines(&it.label, SMALL, *w);
                for l in c.iter_mut() {
                    for m in l.marks.iter_mut() {
                        if let Mark::Text { size, .. } = m {
                            *size = SMALL;
                        }
                    }
                    l.h = line_h(SMALL);
                }
                if let Some(u) = &it.unit {
                    cx.push_wrapped(&mut c, &format!("({u})"), SMALL, *w, Color::Grey);
                }
                cells.push(c);
            }
            let h = cells.iter().map(cell_height).fold(0.0, f32::max) + 2.0 * PAD;
            if cx.y - h - 90.0 < BODY_BOTTOM {
                cx.continue_page();
            }
            cx.rect(LEFT, cx.y - h, RIGHT - LEFT, h, Some(0.9), false);
            let top = cx.y - PAD;
            for (k, c) in cells.iter().enumerate() {
                cx.draw_cell(xs[k] + PAD, top, c);
            }
            cx.y -= h;
            cx.hline(LEFT, RIGHT, cx.y, 0.5, 0.3);
        };
        if s.blank {
            self.code_legend(s, items);
        }
        header(self);
        let repeats: BTreeSet<u32> = if s.blank {
            (1..=blank_rows as u32).collect()
        } else {
            s.values
                .keys()
                .filter(|k| k.group == group)
                .map(|k| k.repeat)
                .collect()
        };
        if repeats.is_empty() {
            let none = self.plain(
                &self.tr("(none)", "（无）"),
                SIZE,
                RIGHT - LEFT,
                Color::Grey,
            );
            self.row(&[LEFT], vec![none], true, Some(&header));
            return;
        }
        for r in repeats {
            let mut cells = vec![self.plain(&r.to_string(), SIZE, num_w, Color::Black)];
            for (it, w) in items.iter().zip(&widths) {
                let c = if s.blank && self.coded(s, it) {
                    self.flow(vec![Flow::Rule(w.min(60.0))], *w)
                } else if s.blank {
                    self.blank_field(s, it, *w)
                } else {
                    let v = s
                        .values
                        .iter()
                        .find(|(k, _)| k.group == group && k.repeat == r && k.item == it.id)
                        .map(|(_, v)| v);
                    match v {
                        Some(v) => {
                            let t = self.value_text(s, it, v);
                            self.plain(&t, SIZE, *w, Color::Black)
                        }
                        None => self.plain("—", SIZE, *w, Color::Grey),
                    }
                };
                cells.push(c);
            }
            self.row(&xs, cells, true, Some(&header));
        }
    }

    /// In blank tables, a choice with more than three choices is written as its code, which
    /// a legend above the table explains (a tick box per choice would make every row tall).
    fn coded(&self, s: &FormSection, it: &ItemDef) -> bool {
        it.kind == ItemType::Choice && self.codelist(s, it).is_some_and(|c| c.choices.len() > 3)
    }

    fn code_legend(&mut self, s: &FormSection, items: &[&ItemDef]) {
        let w = RIGHT - LEFT - 2.0 * PAD;
        let coded: Vec<&ItemDef> = items
            .iter()
            .copied()
            .filter(|it| self.coded(s, it))
            .collect();
        for it in coded {
            let Some(cl) = self.codelist(s, it) else {
                continue;
            };
            let codes: Vec<String> = cl
                .choices
                .iter()
                .map(|c| format!("{} = {}", c.code, self.tr(&c.en, &c.zh)))
                .collect();
            let t = format!(
                "{} — {}: {}",
                self.inline(&it.label),
                self.tr("write the code", "请填写代码"),
                codes.join("; ")
            );
            let c = self.plain(&t, SMALL, w, Color::Grey);
            self.row(&[LEFT], vec![c], false, None);
        }
    }

    fn derived(&mut self, s: &FormSection) {
        if s.form.derived.is_empty() && s.derived.is_empty() && s.overrides.is_empty() {
            return;
        }
        self.heading_str("Derived values", "衍生值");
        let xv = LEFT + COL_LABEL;
        let xu = RIGHT - COL_UNIT;
        let vw = xu - xv - 2.0 * PAD;
        let mut ids: Vec<&str> = s.form.derived.iter().map(|d| d.id.as_str()).collect();
        for d in &s.derived {
            if !ids.contains(&d.id.as_str()) {
                ids.push(&d.id);
            }
        }
        for id in ids {
            let def: Option<&DerivedDef> = s.form.derived.iter().find(|d| d.id == id);
            let label = match def {
                Some(d) => self.text_lines(&d.label, SIZE, COL_LABEL - 2.0 * PAD),
                None => self.plain(id, SIZE, COL_LABEL - 2.0 * PAD, Color::Black),
            };
            let mut value = if s.blank {
                self.plain(
                    &self.tr("(calculated by the eCRF)", "（由系统计算）"),
                    SIZE,
                    vw,
                    Color::Grey,
                )
            } else {
                match s.derived.iter().find(|d| d.id == id) {
                    Some(d) => {
                        let mut c = self.text_lines(&d.display, SIZE, vw);
                        if d.value.is_null() && !d.missing.is_empty() {
                            let m =
                                format!("{}: {}", self.tr("Missing", "缺少"), d.missing.join(", "));
                            self.push_wrapped(&mut c, &m, SMALL, vw, Color::Grey);
                        }
                        c
                    }
                    None => self.plain("—", SIZE, vw, Color::Grey),
                }
            };
            for o in s.overrides.iter().filter(|o| o.derived_id == id) {
                let t = format!(
                    "{} {} — {}: {} — {} {} {} {}",
                    self.tr("Overridden to", "已覆盖为"),
                    o.value,
                    self.tr("reason", "原因"),
                    o.reason,
                    self.tr("by", "操作人"),
                    o.by,
                    self.tr("at", "时间"),
                    o.at
                );
                self.push_wrapped(&mut value, &t, SMALL, vw, Color::Red);
            }
            let unit = self.plain(
                def.and_then(|d| d.unit.as_deref()).unwrap_or(""),
                SIZE,
                COL_UNIT - 2.0 * PAD,
                Color::Black,
            );
            self.row(&[LEFT, xv, xu], vec![label, value, unit], true, None);
        }
    }

    fn queries(&mut self, s: &FormSection) {
        if s.blank {
            return;
        }
        self.heading_str("Queries", "质疑");
        if s.queries.is_empty() {
            let c = self.plain(
                &self.tr("No open queries.", "无未关闭的质疑。"),
                SIZE,
                RIGHT - LEFT,
                Color::Grey,
            );
            self.row(&[LEFT], vec![c], false, None);
            return;
        }
        let xv = LEFT + COL_LABEL;
        for q in &s.queries {
            let label = match q.item.as_deref() {
                Some(id) => match s.form.item(id) {
                    Some(it) => self.text_lines(&it.label, SIZE, COL_LABEL - 2.0 * PAD),
                    None => self.plain(id, SIZE, COL_LABEL - 2.0 * PAD, Color::Black),
                },
                None => self.plain(
                    &self.tr("Form", "表单"),
                    SIZE,
                    COL_LABEL - 2.0 * PAD,
                    Color::Black,
                ),
            };
            let w = RIGHT - xv - 2.0 * PAD;
            let mut value = self.plain(&q.text, SIZE, w, Color::Black);
            let status = match q.status.as_str() {
                "open" => self.tr("open", "未关闭"),
                "answered" => self.tr("answered", "已答复"),
                "closed" => self.tr("closed", "已关闭"),
                other => other.to_string(),
            };
            let meta = format!(
                "{} — {} {} {} {}",
                status,
                self.tr("opened by", "发起人"),
                q.opened_by,
                self.tr("at", "时间"),
                q.opened_at
            );
            self.push_wrapped(&mut value, &meta, SMALL, w, Color::Grey);
            self.row(&[LEFT, xv], vec![label, value], true, None);
        }
    }

    fn signatures(&mut self, s: &FormSection) {
        self.heading_str("Signatures", "签名");
        let w = RIGHT - LEFT - 4.0 * PAD;
        if s.blank {
            let mut cell: Cell = Vec::new();
            for (en, zh) in [
                ("Completed by", "填写人"),
                ("Investigator signature", "研究者签名"),
            ] {
                let mut fl = vec![
                    Flow::Text(format!("{}:", self.tr(en, zh))),
                    Flow::Rule(150.0),
                ];
                fl.push(Flow::Text(self.tr("Date", "日期")));
                date_boxes(&mut fl);
                cell.extend(self.flow(fl, w));
                cell.push(CLine {
                    h: 6.0,
                    marks: vec![],
                });
            }
            self.row(&[LEFT], vec![cell], false, None);
            return;
        }
        if s.signatures.is_empty() {
            let c = self.plain(&self.tr("Not signed.", "未签名。"), SIZE, w, Color::Grey);
            self.row(&[LEFT], vec![c], false, None);
            return;
        }
        for sig in &s.signatures {
            let mut c: Cell = Vec::new();
            if sig.broken {
                let t = self.tr(
                    "SIGNATURE BROKEN — data changed after signing",
                    "签名已失效 — 签名后数据已更改",
                );
                for l in self.wrap(&t, 10.0, w) {
                    c.push(CLine {
                        h: 14.0,
                        marks: vec![Mark::Text {
                            dx: 0.0,
                            s: l,
                            size: 10.0,
                            color: Color::Red,
                            bold: true,
                        }],
                    });
                }
            }
            let lines = [
                format!(
                    "{}: {} ({})",
                    self.tr("Signed electronically by", "电子签名人"),
                    sig.printed_name,
                    sig.username
                ),
                format!(
                    "{}: {}",
                    self.tr("Date-time (UTC)", "签名时间（UTC）"),
                    sig.at
                ),
                format!("{}: {}", self.tr("Meaning", "签名含义"), sig.meaning),
                format!("{}: {}", self.tr("Scope", "范围"), sig.scope),
                format!(
                    "{}: {}",
                    self.tr("Signed content hash", "签名内容哈希"),
                    sig.content_hash
                ),
            ];
            for (k, l) in lines.iter().enumerate() {
                let size = if k == 4 { SMALL } else { SIZE };
                self.push_wrapped(&mut c, l, size, w, Color::Black);
            }
            let h = cell_height(&c) + 2.0 * PAD;
            self.ensure(h + 8.0);
            self.y -= 4.0;
            let color = if sig.broken {
                "0.78 0 0 RG 1.2 w"
            } else {
                "0.3 G 0.6 w"
            };
            self.op(&format!(
                "{color} {LEFT:.2} {:.2} {:.2} {h:.2} re S",
                self.y - h,
                RIGHT - LEFT
            ));
            let top = self.y - PAD;
            self.draw_cell(LEFT + 2.0 * PAD, top, &c);
            self.y -= h + 2.0;
        }
    }

    // ---- output ----

    fn write(self) -> Result<Vec<u8>, PdfError> {
        let embedded = self.fu.finish(self.font)?;
        let mut w = pdf::PdfWriter::new();
        let catalog = w.alloc();
        let pages_id = w.alloc();
        let info = w.alloc();
        let font0 = w.alloc();
        let cid = w.alloc();
        let desc = w.alloc();
        let file = w.alloc();
        let tounicode = w.alloc();
        let page_ids: Vec<(usize, usize)> =
            self.pages.iter().map(|_| (w.alloc(), w.alloc())).collect();

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
        let d = self.doc;
        let mut info_dict = format!(
            "<< /Title {} /Producer {} /Creator {} /Subject {}",
            pdf::text_string(&d.title),
            pdf::text_string(PRODUCER),
            pdf::text_string(PRODUCER),
            pdf::text_string(&format!(
                "{} {} — definition {}",
                d.header.study, d.header.site, d.header.definition_version
            )),
        );
        if let Some(date) = pdf_date(&d.header.generated_at) {
            let _ = write!(info_dict, " /CreationDate ({date}) /ModDate ({date})");
        }
        if let Some(h) = &d.content_hash {
            let _ = write!(info_dict, " /{CONTENT_HASH_KEY} {}", pdf::text_string(h));
        }
        info_dict.push_str(" >>");
        w.object(info, &info_dict);

        // The subset tag: six letters from the subset's own bytes, as PDF readers expect.
        let digest = Sha256::digest(&embedded.cff);
        let tag: String = digest[..6]
            .iter()
            .map(|b| char::from(b'A' + b % 26))
            .collect();
        let base = format!("{tag}+NotoSansCJKsc-Regular");
        w.object(
            font0,
            &format!(
                "<< /Type /Font /Subtype /Type0 /BaseFont /{base} /Encoding /Identity-H /DescendantFonts [{cid} 0 R] /ToUnicode {tounicode} 0 R >>"
            ),
        );
        w.object(
            cid,
            &format!(
                "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /{base} /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor {desc} 0 R /DW 1000 /W {} >>",
                embedded.widths
            ),
        );
        let f = self.font;
        w.object(
            desc,
            &format!(
                "<< /Type /FontDescriptor /FontName /{base} /Flags 4 /FontBBox [{} {} {} {}] /ItalicAngle 0 /Ascent {:.0} /Descent {:.0} /CapHeight {:.0} /StemV 80 /FontFile3 {file} 0 R >>",
                f.bbox[0], f.bbox[1], f.bbox[2], f.bbox[3], f.ascender, f.descender, f.cap_height
            ),
        );
        w.stream(file, "/Subtype /CIDFontType0C", &embedded.cff, true);
        w.stream(tounicode, "", embedded.to_unicode.as_bytes(), true);
        for (page, (pid, cid_)) in self.pages.iter().zip(&page_ids) {
            w.object(
                *pid,
                &format!(
                    "<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] /Resources << /Font << /F1 {font0} 0 R >> >> /Contents {cid_} 0 R >>"
                ),
            );
            w.stream(*cid_, "", page.ops.as_bytes(), true);
        }
        let id = Sha256::digest(
            format!(
                "{}|{}|{}|{}",
                d.title,
                d.header.generated_at,
                d.content_hash.as_deref().unwrap_or(""),
                page_ids.len()
            )
            .as_bytes(),
        );
        let file_id = hex::encode_upper(&id[..16]);
        Ok(w.finish(catalog, info, &file_id))
    }
}

fn line_h(size: f32) -> f32 {
    (size * 1.3).max(LINE * size / SIZE)
}

fn date_boxes(flow: &mut Vec<Flow>) {
    flow.push(Flow::Boxes(4, 'Y'));
    flow.push(Flow::Text("-".into()));
    flow.push(Flow::Boxes(2, 'M'));
    flow.push(Flow::Text("-".into()));
    flow.push(Flow::Boxes(2, 'D'));
}

fn time_boxes(flow: &mut Vec<Flow>) {
    flow.push(Flow::Boxes(2, 'h'));
    flow.push(Flow::Text(":".into()));
    flow.push(Flow::Boxes(2, 'm'));
}

/// Boxes before and after the decimal point, from the item's range and digits.
fn number_boxes(it: &ItemDef) -> (usize, usize) {
    let int = it
        .range
        .map(|[lo, hi]| {
            let m = lo.abs().max(hi.abs()).max(1.0);
            (m.log10().floor() as usize + 1 + usize::from(lo < 0.0)).clamp(1, 8)
        })
        .unwrap_or(5);
    let dec = if it.kind == ItemType::Decimal {
        it.digits.unwrap_or(2).min(4) as usize
    } else {
        0
    };
    (int, dec)
}

/// Words (with their trailing space) and single CJK characters: the places a line may break.
/// Closing punctuation stays with what precedes it and opening punctuation with what follows
/// (no line starts with "）" or "，", none ends with "（").
fn tokens(s: &str) -> Vec<String> {
    const OPENING: &str = "（《「『【“‘〈([";
    const CLOSING: &str = "，。、；：！？）》」』】”’〉),.;:!?]%";
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    for c in s.chars() {
        if CLOSING.contains(c) {
            if !cur.is_empty() {
                cur.push(c);
                continue;
            }
            if let Some(last) = out.last_mut() {
                if !last.ends_with(' ') {
                    last.push(c);
                    continue;
                }
            }
            cur.push(c);
        } else if OPENING.contains(c) {
            if !cur.is_empty() && !cur.chars().last().is_some_and(|l| OPENING.contains(l)) {
                out.push(std::mem::take(&mut cur));
            }
            cur.push(c);
        } else if is_cjk(c) {
            if cur.chars().last().is_some_and(|l| OPENING.contains(l)) {
                cur.push(c);
                out.push(std::mem::take(&mut cur));
                continue;
            }
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            out.push(c.to_string());
        } else if c == ' ' {
            cur.push(c);
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x2FFFF)
}

/// `D:YYYYMMDDHHmmSSZ` from RFC 3339.
fn pdf_date(rfc3339: &str) -> Option<String> {
    let t = chrono::DateTime::parse_from_rfc3339(rfc3339).ok()?;
    Some(
        t.with_timezone(&chrono::Utc)
            .format("D:%Y%m%d%H%M%SZ")
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::tokens;

    #[test]
    fn punctuation_stays_with_its_text() {
        assert_eq!(
            tokens("低血压（含或不含血管加压素），需"),
            [
                "低",
                "血",
                "压",
                "（含",
                "或",
                "不",
                "含",
                "血",
                "管",
                "加",
                "压",
                "素），",
                "需"
            ]
        );
        assert_eq!(tokens("Yes (no), maybe"), ["Yes ", "(no), ", "maybe"]);
    }
}
