//! The one font of every PDF: Noto Sans CJK SC (Latin, Greek, symbols and all GBK Chinese),
//! shipped in the crate, parsed once per process and embedded as a subset once per document.

use crate::PdfError;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Noto Sans CJK SC Regular, CFF outlines, reduced to GBK's repertoire plus everything below
/// U+2E80 (see `fonts/README.md`). SIL Open Font License 1.1 (`fonts/OFL.txt`).
static FONT_DATA: &[u8] = include_bytes!("../../fonts/NotoSansCJKsc-Regular-GBK.otf");

/// Parsed once: the metrics needed for layout.
pub struct FontInfo {
    face: ttf_parser::Face<'static>,
    units_per_em: f32,
    pub ascender: f32,
    pub descender: f32,
    pub cap_height: f32,
    pub bbox: [i16; 4],
}

static FONT: OnceLock<Result<FontInfo, String>> = OnceLock::new();

pub fn font() -> Result<&'static FontInfo, PdfError> {
    FONT.get_or_init(|| {
        let face = ttf_parser::Face::parse(FONT_DATA, 0).map_err(|e| e.to_string())?;
        let upem = f32::from(face.units_per_em());
        let b = face.global_bounding_box();
        Ok(FontInfo {
            units_per_em: upem,
            ascender: f32::from(face.ascender()) * 1000.0 / upem,
            descender: f32::from(face.descender()) * 1000.0 / upem,
            cap_height: f32::from(face.capital_height().unwrap_or(733)) * 1000.0 / upem,
            bbox: [b.x_min, b.y_min, b.x_max, b.y_max],
            face,
        })
    })
    .as_ref()
    .map_err(|e| PdfError::Font(e.clone()))
}

impl FontInfo {
    /// The glyph of a character; characters the font lacks show as a replacement character.
    pub fn glyph(&self, c: char) -> u16 {
        let c = match c {
            '\t' | '\n' | '\r' => ' ',
            c => c,
        };
        if let Some(g) = self.face.glyph_index(c) {
            return g.0;
        }
        self.face
            .glyph_index('\u{FFFD}')
            .or_else(|| self.face.glyph_index('?'))
            .map_or(0, |g| g.0)
    }

    /// Advance width in thousandths of the font size.
    pub fn advance(&self, gid: u16) -> f32 {
        self.face
            .glyph_hor_advance(ttf_parser::GlyphId(gid))
            .map_or(1000.0, |a| f32::from(a) * 1000.0 / self.units_per_em)
    }

    /// A superscript or subscript digit (or sign) the font lacks (Noto Sans CJK has only
    /// ¹ ² ³ ⁴): the plain character to draw smaller, and its rise as a fraction of the size.
    pub fn script(&self, c: char) -> Option<(char, f32)> {
        let (base, rise) = match c {
            '⁰' => ('0', SUPER),
            '¹' => ('1', SUPER),
            '²' => ('2', SUPER),
            '³' => ('3', SUPER),
            '⁴'..='⁹' => (char::from_digit(c as u32 - 0x2070, 10)?, SUPER),
            '⁺' => ('+', SUPER),
            '⁻' => ('-', SUPER),
            '₀'..='₉' => (char::from_digit(c as u32 - 0x2080, 10)?, SUB),
            _ => return None,
        };
        if self.face.glyph_index(c).is_some() {
            return None;
        }
        Some((base, rise))
    }

    /// Advance of a character in thousandths of the font size.
    pub fn char_advance(&self, c: char) -> f32 {
        match self.script(c) {
            Some((base, _)) => self.advance(self.glyph(base)) * SCRIPT_SCALE,
            None => self.advance(self.glyph(c)),
        }
    }

    /// Width of `text` at `size` points.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.char_advance(c)).sum::<f32>() * size / 1000.0
    }
}

/// Size of superscripts and subscripts drawn from plain characters.
pub const SCRIPT_SCALE: f32 = 0.65;
const SUPER: f32 = 0.36;
const SUB: f32 = -0.12;

/// A piece of a text line for one `Tj`.
pub enum Run {
    Plain(String),
    /// A superscript/subscript drawn from a plain character: its hex string, its rise as a
    /// fraction of the size, and the character it stands for (`/ActualText`).
    Script(String, f32, char),
}

/// The glyphs one document uses, numbered in the order first used (the subset's glyph ids,
/// which are also the CIDs written in content streams).
pub struct FontUse {
    remapper: subsetter::GlyphRemapper,
    /// New glyph id → (old glyph id, the text it stands for).
    used: BTreeMap<u16, (u16, char)>,
}

impl FontUse {
    pub fn new() -> FontUse {
        FontUse {
            remapper: subsetter::GlyphRemapper::new(),
            used: BTreeMap::new(),
        }
    }

    /// The hex string (for a `Tj`) of `text`.
    pub fn encode(&mut self, font: &FontInfo, text: &str) -> String {
        let mut out = String::with_capacity(text.len() * 4 + 2);
        out.push('<');
        for c in text.chars() {
            let old = font.glyph(c);
            let new = self.remapper.remap(old);
            self.used.entry(new).or_insert((old, c));
            out.push_str(&format!("{new:04X}"));
        }
        out.push('>');
        out
    }

    /// `text` as plain runs and drawn superscripts/subscripts.
    pub fn runs(&mut self, font: &FontInfo, text: &str) -> Vec<Run> {
        let mut runs = Vec::new();
        let mut plain = String::new();
        for c in text.chars() {
            match font.script(c) {
                Some((base, rise)) => {
                    if !plain.is_empty() {
                        runs.push(Run::Plain(self.encode(font, &std::mem::take(&mut plain))));
                    }
                    runs.push(Run::Script(self.encode(font, &base.to_string()), rise, c));
                }
                None => plain.push(c),
            }
        }
        if !plain.is_empty() {
            runs.push(Run::Plain(self.encode(font, &plain)));
        }
        runs
    }

    /// The subset font program (a CFF table, for a `/FontFile3 /CIDFontType0C` stream),
    /// its widths (`/W`) and its `/ToUnicode` CMap.
    pub fn finish(&self, font: &FontInfo) -> Result<EmbeddedFont, PdfError> {
        let otf = subsetter::subset(FONT_DATA, 0, &self.remapper)
            .map_err(|e| PdfError::Font(format!("subsetting: {e:?}")))?;
        let cff = table(&otf, b"CFF ")
            .ok_or_else(|| PdfError::Font("the subset has no CFF table".into()))?
            .to_vec();
        let mut widths = String::from("[");
        for (new, (old, _)) in &self.used {
            widths.push_str(&format!("{new} [{}] ", font.advance(*old).round()));
        }
        widths.push(']');
        Ok(EmbeddedFont {
            cff,
            widths,
            to_unicode: to_unicode(&self.used),
        })
    }
}

pub struct EmbeddedFont {
    pub cff: Vec<u8>,
    pub widths: String,
    pub to_unicode: String,
}

/// One table of an OpenType font.
fn table<'a>(otf: &'a [u8], tag: &[u8; 4]) -> Option<&'a [u8]> {
    let be16 = |at: usize| -> Option<usize> {
        Some(usize::from(u16::from_be_bytes(
            otf.get(at..at + 2)?.try_into().ok()?,
        )))
    };
    let be32 = |at: usize| -> Option<usize> {
        usize::try_from(u32::from_be_bytes(otf.get(at..at + 4)?.try_into().ok()?)).ok()
    };
    let n = be16(4)?;
    for i in 0..n {
        let rec = 12 + 16 * i;
        if otf.get(rec..rec + 4)? == tag {
            let off = be32(rec + 8)?;
            let len = be32(rec + 12)?;
            return otf.get(off..off.checked_add(len)?);
        }
    }
    None
}

fn to_unicode(used: &BTreeMap<u16, (u16, char)>) -> String {
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<_> = used.iter().collect();
    for chunk in entries.chunks(100) {
        s.push_str(&format!("{} beginbfchar\n", chunk.len()));
        for (new, (_, c)) in chunk {
            let mut buf = [0u16; 2];
            let hex: String = c
                .encode_utf16(&mut buf)
                .iter()
                .map(|u| format!("{u:04X}"))
                .collect();
            s.push_str(&format!("<{new:04X}> <{hex}>\n"));
        }
        s.push_str("endbfchar\n");
    }
    s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s
}
