//! The certificate as a PDF: one A4 landscape page drawn by printpdf with the
//! standard PDF fonts (Times, Helvetica, Courier), so nothing is embedded and
//! a certificate is a few kilobytes. The standard fonts speak WinAnsi (Latin-1
//! and some punctuation); any other character prints as `?`, while the
//! verification page always shows the name and title exactly. Long names and
//! titles get a smaller size and, past that, more lines.

use chrono::{DateTime, Utc};
use printpdf::{
    BuiltinFont, Color, Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt,
    Rect, Rgb, TextItem,
};

/// What a certificate's page says.
#[derive(Debug, Clone)]
pub struct Sheet<'a> {
    pub recipient_name: &'a str,
    pub series_title: &'a str,
    pub issued_at: DateTime<Utc>,
    /// The code as printed (grouped: `ABCD-EFGH-…`).
    pub code: &'a str,
    /// Where anyone can check it (`PUBLIC_URL/certificates/<code>`).
    pub verification_url: &'a str,
    /// Which key signed it.
    pub key_id: &'a str,
}

/// A4 landscape, in points.
const WIDTH: f32 = 841.89;
const HEIGHT: f32 = 595.28;
/// The widest a line of text may be (inside the frame, with a margin).
const TEXT_WIDTH: f32 = WIDTH - 2.0 * 90.0;

const INK: Rgb = Rgb { r: 0.13, g: 0.16, b: 0.24, icc_profile: None };
const ACCENT: Rgb = Rgb { r: 0.55, g: 0.42, b: 0.16, icc_profile: None };
const MUTED: Rgb = Rgb { r: 0.38, g: 0.40, b: 0.45, icc_profile: None };

/// The PDF of `sheet`.
pub fn render(sheet: &Sheet<'_>) -> Vec<u8> {
    let mut page = Page::default();
    page.frame();
    let mut y = HEIGHT - 95.0;
    page.centered(BuiltinFont::HelveticaBold, 11.0, MUTED, "L E C T E R N", y);
    y -= 58.0;
    page.centered(BuiltinFont::TimesBold, 36.0, INK, "Certificate of Completion", y);
    y -= 48.0;
    page.centered(BuiltinFont::Helvetica, 14.0, MUTED, "This certifies that", y);
    y -= 44.0;
    y = page.fitted(BuiltinFont::TimesBoldItalic, (32.0, 14.0), 2, ACCENT, sheet.recipient_name, y);
    y -= 16.0;
    page.centered(BuiltinFont::Helvetica, 14.0, MUTED, "has finished every published post of the series", y);
    y -= 38.0;
    y = page.fitted(BuiltinFont::TimesBold, (24.0, 13.0), 4, INK, sheet.series_title, y);
    y -= 14.0;
    let date = sheet.issued_at.format("%-d %B %Y").to_string();
    page.centered(BuiltinFont::Helvetica, 12.0, MUTED, &format!("Issued on {date}"), y);

    page.centered(BuiltinFont::Courier, 11.0, INK, &format!("Verification code: {}", sheet.code), 96.0);
    page.fitted(BuiltinFont::Helvetica, (9.0, 6.0), 1, MUTED, &format!("Verify at {}", sheet.verification_url), 80.0);
    let signed = format!("Signed by Lectern with Ed25519 key {}", sheet.key_id);
    page.centered(BuiltinFont::Helvetica, 8.0, MUTED, &signed, 66.0);

    let mut document = PdfDocument::new(&format!("Certificate of Completion: {}", printable(sheet.series_title)));
    let info = &mut document.metadata.info;
    info.author = "Lectern".into();
    info.creator = "Lectern".into();
    info.subject = format!("{} finished {}", printable(sheet.recipient_name), printable(sheet.series_title));
    if let Ok(at) = printpdf::DateTime::from_unix_timestamp(sheet.issued_at.timestamp()) {
        info.creation_date = at;
        info.modification_date = at;
    }
    let page = PdfPage::new(printpdf::Mm(297.0), printpdf::Mm(210.0), page.ops);
    document.with_pages(vec![page]).save(&PdfSaveOptions::default(), &mut Vec::new())
}

/// The page's drawing operations and the fonts' metrics to place text with.
#[derive(Default)]
struct Page {
    ops: Vec<Op>,
    metrics: Vec<(BuiltinFont, Option<ParsedFont>)>,
}

impl Page {
    /// A double frame around the page.
    fn frame(&mut self) {
        for (inset, thickness, color) in [(22.0, 2.5, INK), (30.0, 0.8, ACCENT)] {
            self.ops.push(Op::SetOutlineColor { col: Color::Rgb(color) });
            self.ops.push(Op::SetOutlineThickness { pt: Pt(thickness) });
            self.ops.push(Op::DrawRectangle {
                rectangle: Rect {
                    x: Pt(inset),
                    y: Pt(inset),
                    width: Pt(WIDTH - 2.0 * inset),
                    height: Pt(HEIGHT - 2.0 * inset),
                    mode: Some(PaintMode::Stroke),
                    winding_order: None,
                },
            });
        }
    }

    /// One line of text centred on the page with its baseline at `y`.
    fn centered(&mut self, font: BuiltinFont, size: f32, color: Rgb, text: &str, y: f32) {
        let text = printable(text);
        let x = ((WIDTH - self.width(font, size, &text)) / 2.0).max(0.0);
        // A text section of its own: `Td` moves relative to the section's start.
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFillColor { col: Color::Rgb(color) },
            Op::SetFont { font: PdfFontHandle::Builtin(font), size: Pt(size) },
            Op::SetTextCursor { pos: Point { x: Pt(x), y: Pt(y) } },
            Op::ShowText { items: vec![TextItem::Text(text)] },
            Op::EndTextSection,
        ]);
    }

    /// `text` centred in at most `max_lines` lines, at the largest size from
    /// `sizes.0` down to `sizes.1` that needs no more; the first baseline at
    /// `y`. Returns the baseline of the last line.
    fn fitted(
        &mut self,
        font: BuiltinFont,
        sizes: (f32, f32),
        max_lines: usize,
        color: Rgb,
        text: &str,
        y: f32,
    ) -> f32 {
        let (largest, smallest) = sizes;
        let mut size = largest;
        let mut lines = self.wrap(font, size, text);
        while lines.len() > max_lines && size > smallest {
            size = (size - 1.0).max(smallest);
            lines = self.wrap(font, size, text);
        }
        let mut baseline = y;
        for (index, line) in lines.iter().enumerate() {
            if index > 0 {
                baseline -= size * 1.25;
            }
            self.centered(font, size, color.clone(), line, baseline);
        }
        baseline
    }

    /// Words of `text` in lines no wider than the text column (a word wider
    /// than a line is broken between characters).
    fn wrap(&mut self, font: BuiltinFont, size: f32, text: &str) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
            if self.width(font, size, &candidate) <= TEXT_WIDTH {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            for c in word.chars() {
                line.push(c);
                if self.width(font, size, &line) > TEXT_WIDTH && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::take(&mut line));
                    line.push(c);
                }
            }
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// How wide `text` is in `font` at `size`, in points, from the font's own
    /// glyph widths (half an em for a glyph it lacks).
    fn width(&mut self, font: BuiltinFont, size: f32, text: &str) -> f32 {
        let index = match self.metrics.iter().position(|(f, _)| *f == font) {
            Some(index) => index,
            None => {
                self.metrics.push((font, font.get_parsed_font()));
                self.metrics.len() - 1
            }
        };
        let Some(parsed) = &self.metrics[index].1 else { return text.chars().count() as f32 * size * 0.5 };
        let units = f32::from(parsed.units_per_em.max(1));
        printable(text)
            .chars()
            .map(|c| {
                parsed
                    .lookup_glyph_index(c as u32)
                    .and_then(|glyph| parsed.get_glyph_width(glyph))
                    .map_or(units * 0.5, f32::from)
            })
            .sum::<f32>()
            * size
            / units
    }
}

/// `text` with every character the standard fonts cannot show (outside
/// WinAnsi, and control characters) replaced by `?`.
pub fn printable(text: &str) -> String {
    const WIN_ANSI_EXTRA: &str = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ";
    text.chars()
        .map(|c| match c as u32 {
            0x20..=0x7E | 0xA0..=0xFF => c,
            _ if WIN_ANSI_EXTRA.contains(c) => c,
            _ => '?',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet<'a>(name: &'a str, title: &'a str) -> Sheet<'a> {
        Sheet {
            recipient_name: name,
            series_title: title,
            issued_at: DateTime::parse_from_rfc3339("2026-12-07T09:30:00Z").unwrap().with_timezone(&Utc),
            code: "ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567",
            verification_url: "https://lectern.example/certificates/ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
            key_id: "0123456789abcdef",
        }
    }

    #[test]
    fn a_certificate_is_a_small_pdf() {
        let pdf = render(&sheet("Ada Lovelace", "Learn Rust"));
        assert!(pdf.starts_with(b"%PDF-"), "{:?}", &pdf[..8]);
        assert!(pdf.len() < 64 * 1024, "{} bytes", pdf.len());
        let tail = String::from_utf8_lossy(&pdf[pdf.len().saturating_sub(64)..]).into_owned();
        assert!(tail.contains("%%EOF"), "{tail}");
    }

    #[test]
    fn long_text_shrinks_then_wraps_within_the_frame() {
        let mut page = Page::default();
        let title = "A very long series title that keeps going ".repeat(5);
        let lines = page.wrap(BuiltinFont::TimesBold, 24.0, &title);
        assert!(lines.len() > 1);
        for line in &lines {
            assert!(page.width(BuiltinFont::TimesBold, 24.0, line) <= TEXT_WIDTH, "{line}");
        }
        assert_eq!(lines.join(" "), title.trim());
        // One unbroken word wider than a line is split between characters.
        let word = "W".repeat(200);
        let pieces = page.wrap(BuiltinFont::Helvetica, 12.0, &word);
        assert!(pieces.len() > 1 && pieces.concat() == word);
        // The longest names and titles (80 and 200 of the widest letters) fit at their smallest sizes.
        let name = "W".repeat(80);
        assert!(page.wrap(BuiltinFont::TimesBoldItalic, 14.0, &name).len() <= 2);
        for long_title in ["W".repeat(200), "Wm ".repeat(67)] {
            assert!(page.wrap(BuiltinFont::TimesBold, 13.0, &long_title).len() <= 4, "{long_title}");
        }
        let pdf = render(&sheet(&name, &"Wm ".repeat(67)));
        assert!(pdf.starts_with(b"%PDF-"));
    }

    #[test]
    fn characters_the_standard_fonts_lack_print_as_question_marks() {
        assert_eq!(printable("Zoë Ångström – “Rust”"), "Zoë Ångström – “Rust”");
        assert_eq!(printable("李 Ада\u{0}\n"), "? ?????");
    }
}
