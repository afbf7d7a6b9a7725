//! The office's report as a PDF: A4 pages with the totals, a bar chart of the
//! on-time rate by month, the figures by procedure, officer and month, and
//! the overdue and due-soon lists. Text is set in Noto Sans (the UI's bundled
//! font, which carries every Vietnamese glyph), embedded as a Type0 font
//! subset to the glyphs used, with a ToUnicode map, so the text layer reads
//! back exactly (NFC).
//!
//! Written with `lopdf` and `ttf-parser`, the crates the separator sheets of
//! `doisoat-intake` use.

use std::path::Path;

use lopdf::{dictionary, Document, Object, ObjectId, Stream};

use doisoat_intake::pdfout::PdfFont;

use crate::report::{month_label, percent, short_month_label, DueItem, Figures, Group, Report};
use crate::{CoreError, Lang, Result};

const REGULAR: &[u8] = include_bytes!("../../../../ui/src/assets/fonts/NotoSans-Regular.ttf");
const BOLD: &[u8] = include_bytes!("../../../../ui/src/assets/fonts/NotoSans-Bold.ttf");

/// A4 in points, 18 mm margins.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 51.0;
/// Rows of the lists printed in the PDF (the dashboard's cap is higher).
const LIST_ROWS: usize = 200;

/// One of the report's two fonts and its name in the pages' resources.
struct Font {
    resource: &'static str,
    pdf: PdfFont,
}

impl Font {
    fn load(name: &'static str, resource: &'static str, bytes: &'static [u8]) -> Result<Font> {
        Ok(Font {
            resource,
            pdf: PdfFont::load(name, bytes).map_err(CoreError::Intake)?,
        })
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        self.pdf.width(text, size)
    }

    fn encode(&mut self, text: &str) -> String {
        self.pdf.encode(text)
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Weight {
    Regular,
    Bold,
}

#[derive(Clone, Copy)]
enum Align {
    Left,
    Center,
    Right,
}

/// Lays text and shapes out top to bottom, starting a new page when full.
struct Layout {
    regular: Font,
    bold: Font,
    pages: Vec<String>,
    y: f32,
}

impl Layout {
    fn new() -> Result<Layout> {
        Ok(Layout {
            regular: Font::load("NotoSans-Regular", "F1", REGULAR)?,
            bold: Font::load("NotoSans-Bold", "F2", BOLD)?,
            pages: vec![String::new()],
            y: PAGE_H - MARGIN,
        })
    }

    fn font(&mut self, w: Weight) -> &mut Font {
        match w {
            Weight::Regular => &mut self.regular,
            Weight::Bold => &mut self.bold,
        }
    }

    fn page(&mut self) -> &mut String {
        if self.pages.is_empty() {
            self.pages.push(String::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Makes room for `height` points, starting a new page if needed.
    fn need(&mut self, height: f32) {
        if self.y - height < MARGIN {
            self.pages.push(String::new());
            self.y = PAGE_H - MARGIN;
        }
    }

    /// Text with its baseline at `y`, shortened with "…" to fit `max_w`.
    /// `at`: x, baseline y and the width available; `style`: size, weight, alignment.
    fn text_at(&mut self, at: (f32, f32, f32), s: &str, style: (f32, Weight, Align)) {
        let ((x, y, max_w), (size, w, align)) = (at, style);
        let font = self.font(w);
        let mut s = s.to_string();
        if font.width(&s, size) > max_w {
            while !s.is_empty() && font.width(&s, size) + font.width("…", size) > max_w {
                s.pop();
            }
            s.push('…');
        }
        let width = font.width(&s, size);
        let x = match align {
            Align::Left => x,
            Align::Center => x + (max_w - width) / 2.0,
            Align::Right => x + max_w - width,
        };
        let hex = font.encode(&s);
        let res = font.resource;
        self.page().push_str(&format!(
            "BT /{res} {size:.1} Tf {x:.2} {y:.2} Td <{hex}> Tj ET\n"
        ));
    }

    /// One line of text across the page.
    fn line(&mut self, s: &str, size: f32, w: Weight) {
        self.need(size * 1.5);
        self.y -= size * 1.3;
        let y = self.y;
        self.text_at(
            (MARGIN, y, PAGE_W - 2.0 * MARGIN),
            s,
            (size, w, Align::Left),
        );
        self.y -= size * 0.3;
    }

    fn gap(&mut self, h: f32) {
        self.y -= h;
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, rgb: (f32, f32, f32)) {
        let (r, g, b) = rgb;
        self.page().push_str(&format!(
            "q {r:.3} {g:.3} {b:.3} rg {x:.2} {y:.2} {w:.2} {h:.2} re f Q\n"
        ));
    }

    fn rule(&mut self, y: f32) {
        self.page().push_str(&format!(
            "q 0.75 G 0.5 w {:.2} {y:.2} m {:.2} {y:.2} l S Q\n",
            MARGIN,
            PAGE_W - MARGIN
        ));
    }

    /// A table: the first column left-aligned, the others right-aligned.
    fn table(&mut self, widths: &[f32], head: &[&str], rows: &[Vec<String>]) {
        let size = 8.5;
        let row_h = 13.0;
        let print_head = |l: &mut Layout| {
            l.need(row_h * 2.0);
            l.y -= row_h;
            let mut x = MARGIN;
            for (i, (h, w)) in head.iter().zip(widths).enumerate() {
                let align = if i == 0 { Align::Left } else { Align::Right };
                let y = l.y + 3.0;
                l.text_at((x, y, w - 4.0), h, (size, Weight::Bold, align));
                x += w;
            }
            let y = l.y;
            l.rule(y);
        };
        print_head(self);
        for row in rows {
            if self.y - row_h < MARGIN {
                self.need(row_h * 2.0);
                print_head(self);
            }
            self.y -= row_h;
            let mut x = MARGIN;
            for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
                let align = if i == 0 { Align::Left } else { Align::Right };
                let y = self.y + 3.0;
                self.text_at((x, y, w - 4.0), cell, (size, Weight::Regular, align));
                x += w;
            }
        }
        self.gap(6.0);
    }
}

struct Words {
    lang: Lang,
    title: &'static str,
    period: &'static str,
    today: &'static str,
    totals: &'static str,
    chart: &'static str,
    by_procedure: &'static str,
    by_officer: &'static str,
    by_month: &'static str,
    overdue: &'static str,
    due_soon: &'static str,
    shown: &'static str,
    none: &'static str,
    figure_head: [&'static str; 8],
    list_head: [&'static str; 5],
    total_labels: [&'static str; 7],
}

const VI: Words = Words {
    lang: Lang::Vi,
    title: "Báo cáo tình hình giải quyết hồ sơ",
    period: "Hồ sơ tiếp nhận từ",
    today: "Ngày lập báo cáo",
    totals: "Tổng hợp",
    chart: "Tỷ lệ đúng hạn theo tháng (gồm sớm hạn)",
    by_procedure: "Theo thủ tục",
    by_officer: "Theo cán bộ",
    by_month: "Theo tháng",
    overdue: "Hồ sơ quá hạn",
    due_soon: "Hồ sơ sắp đến hạn",
    shown: "hiển thị",
    none: "Không có.",
    figure_head: [
        "Nhóm",
        "Hồ sơ",
        "Đã giải quyết",
        "Đúng hạn",
        "Trực tuyến",
        "Bưu chính",
        "Số hóa",
        "Khớp",
    ],
    list_head: ["Mã hồ sơ", "Thủ tục", "Cán bộ", "Hẹn trả", "Ngày làm việc"],
    total_labels: [
        "Số hồ sơ",
        "Tỷ lệ giải quyết đúng hạn (gồm sớm hạn)",
        "Tỷ lệ nộp trực tuyến",
        "Tỷ lệ tiếp nhận hoặc trả kết quả qua bưu chính công ích",
        "Tỷ lệ số hóa khi tiếp nhận",
        "Tỷ lệ hồ sơ có bản giấy khớp bản điện tử",
        "Sai lệch chưa xử lý",
    ],
};

const EN: Words = Words {
    lang: Lang::En,
    title: "Dossier resolution report",
    period: "Dossiers received from",
    today: "Report date",
    totals: "Totals",
    chart: "On-time rate by month (early included)",
    by_procedure: "By procedure",
    by_officer: "By officer",
    by_month: "By month",
    overdue: "Overdue dossiers",
    due_soon: "Due soon",
    shown: "shown",
    none: "None.",
    figure_head: [
        "Group",
        "Dossiers",
        "Finished",
        "On time",
        "Online",
        "Post",
        "Digitised",
        "Agree",
    ],
    list_head: [
        "Dossier code",
        "Procedure",
        "Officer",
        "Due",
        "Working days",
    ],
    total_labels: [
        "Dossiers",
        "Resolved on time (early included)",
        "Received online",
        "Received or returned by public post",
        "Digitised at reception",
        "Paper and electronic copies agree",
        "Open findings",
    ],
};

/// One row per group, its key shown by `label`.
fn figure_rows(groups: &[Group], label: fn(&str) -> String, lang: Lang) -> Vec<Vec<String>> {
    groups
        .iter()
        .map(|g| {
            let key = if g.key.is_empty() {
                "—".to_string()
            } else {
                label(&g.key)
            };
            figure_row(&key, &g.figures, lang)
        })
        .collect()
}

fn figure_row(label: &str, f: &Figures, lang: Lang) -> Vec<String> {
    vec![
        label.to_string(),
        f.dossiers.to_string(),
        f.finished.to_string(),
        percent(f.on_time_rate, lang),
        percent(f.online_share, lang),
        percent(f.post_share, lang),
        percent(f.digitised_share, lang),
        percent(f.agreement_share, lang),
    ]
}

fn list_rows(items: &[DueItem]) -> Vec<Vec<String>> {
    items
        .iter()
        .take(LIST_ROWS)
        .map(|d| {
            vec![
                d.code.clone(),
                d.procedure_code.clone().unwrap_or_default(),
                d.officer.clone().unwrap_or_default(),
                d.due.clone(),
                d.working_days.to_string(),
            ]
        })
        .collect()
}

/// The report's pages as content streams, and the fonts they use.
fn lay_out(r: &Report, w: &Words) -> Result<Layout> {
    let mut l = Layout::new()?;
    l.line(w.title, 16.0, Weight::Bold);
    l.line(
        &format!("{} {} – {}", w.period, r.from, r.to),
        10.0,
        Weight::Regular,
    );
    l.line(&format!("{}: {}", w.today, r.today), 10.0, Weight::Regular);
    l.gap(8.0);

    l.line(w.totals, 12.0, Weight::Bold);
    let t = &r.totals;
    let values = [
        t.dossiers.to_string(),
        percent(t.on_time_rate, w.lang),
        percent(t.online_share, w.lang),
        percent(t.post_share, w.lang),
        percent(t.digitised_share, w.lang),
        percent(t.agreement_share, w.lang),
        t.open_findings.to_string(),
    ];
    for (label, value) in w.total_labels.iter().zip(values.iter()) {
        l.need(14.0);
        l.y -= 13.0;
        let y = l.y;
        l.text_at(
            (MARGIN, y, 360.0),
            label,
            (9.5, Weight::Regular, Align::Left),
        );
        l.text_at(
            (MARGIN + 360.0, y, 90.0),
            value,
            (9.5, Weight::Bold, Align::Right),
        );
    }
    l.gap(10.0);

    if !r.by_month.is_empty() {
        // One bar per month: the on-time rate, red under 90 %.
        let chart_h = 110.0;
        l.line(w.chart, 12.0, Weight::Bold);
        l.need(chart_h + 24.0);
        let base = l.y - chart_h - 4.0;
        let span = PAGE_W - 2.0 * MARGIN - 24.0;
        let slot = span / r.by_month.len() as f32;
        let bar = (slot * 0.7).min(28.0);
        for frac in [0.0f32, 0.5, 1.0] {
            let y = base + chart_h * frac;
            l.page().push_str(&format!(
                "q 0.85 G 0.4 w {:.2} {y:.2} m {:.2} {y:.2} l S Q\n",
                MARGIN + 24.0,
                PAGE_W - MARGIN
            ));
            let label = format!("{}%", (frac * 100.0) as u32);
            l.text_at(
                (MARGIN, y - 3.0, 20.0),
                &label,
                (7.0, Weight::Regular, Align::Right),
            );
        }
        let label_every = (r.by_month.len() / 24).max(1);
        for (i, g) in r.by_month.iter().enumerate() {
            let x = MARGIN + 24.0 + i as f32 * slot + (slot - bar) / 2.0;
            match g.figures.on_time_rate {
                Some(rate) => {
                    let rate = rate as f32;
                    let colour = if rate < 0.9 {
                        (0.75, 0.22, 0.17)
                    } else {
                        (0.16, 0.42, 0.71)
                    };
                    l.rect(x, base, bar, (chart_h * rate).max(0.5), colour);
                }
                // No dossier finished that month: no rate, which is not a
                // 0 % rate (a red stub would say it was).
                None => l.text_at(
                    (x, base + 2.0, bar),
                    "—",
                    (7.0, Weight::Regular, Align::Center),
                ),
            }
            if i % label_every == 0 {
                // mm/yy: a bar's slot is too narrow for the year in full.
                let key = short_month_label(&g.key);
                l.text_at(
                    (x - 6.0, base - 10.0, slot * label_every as f32 + 12.0),
                    &key,
                    (6.5, Weight::Regular, Align::Left),
                );
            }
        }
        l.y = base - 18.0;
    }

    let widths = [113.0, 48.0, 66.0, 52.0, 60.0, 52.0, 50.0, 52.0];
    let as_is: fn(&str) -> String = str::to_string;
    for (title, groups, label) in [
        (w.by_procedure, &r.by_procedure, as_is),
        (w.by_officer, &r.by_officer, as_is),
        (w.by_month, &r.by_month, month_label as fn(&str) -> String),
    ] {
        l.need(40.0);
        l.line(title, 12.0, Weight::Bold);
        let mut rows = figure_rows(groups, label, w.lang);
        rows.insert(0, figure_row(w.totals, &r.totals, w.lang));
        l.table(&widths, &w.figure_head, &rows);
    }

    let list_widths = [170.0, 95.0, 85.0, 70.0, 73.0];
    for (title, items, total) in [
        (w.overdue, &r.overdue, r.overdue_total),
        (w.due_soon, &r.due_soon, r.due_soon.len() as u64),
    ] {
        l.need(40.0);
        let shown = items.len().min(LIST_ROWS);
        let heading = if (shown as u64) < total {
            format!("{title} ({total}; {} {shown})", w.shown)
        } else {
            format!("{title} ({total})")
        };
        l.line(&heading, 12.0, Weight::Bold);
        if items.is_empty() {
            l.line(w.none, 9.5, Weight::Regular);
            continue;
        }
        l.table(&list_widths, &w.list_head, &list_rows(items));
    }
    Ok(l)
}

fn embed(doc: &mut Document, font: &Font) -> ObjectId {
    font.pdf.embed(doc)
}

/// The report as PDF bytes, labels in `lang`.
pub fn report_pdf(r: &Report, lang: Lang) -> Result<Vec<u8>> {
    let words = if lang == Lang::En { &EN } else { &VI };
    let layout = lay_out(r, words)?;
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let f1 = embed(&mut doc, &layout.regular);
    let f2 = embed(&mut doc, &layout.bold);
    let mut kids = Vec::with_capacity(layout.pages.len());
    for content in &layout.pages {
        let mut stream = Stream::new(dictionary! {}, content.as_bytes().to_vec());
        // Compression only fails on an I/O error writing into memory.
        let _ = stream.compress();
        let content_id = doc.add_object(stream);
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), Object::Real(PAGE_W), Object::Real(PAGE_H)],
            "Contents" => content_id,
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => f1, "F2" => f2 } },
        });
        kids.push(Object::Reference(page));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out)
        .map_err(|e| CoreError::InvalidArgument(format!("the PDF could not be assembled ({e})")))?;
    Ok(out)
}

/// Writes the report as a PDF file.
pub fn write_report_pdf(r: &Report, lang: Lang, path: &Path) -> Result<()> {
    let bytes = report_pdf(r, lang)?;
    std::fs::write(path, bytes).map_err(|source| {
        CoreError::Store(doisoat_store::StoreError::Write {
            path: path.to_path_buf(),
            source,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Group;

    fn sample() -> Report {
        let f = Figures {
            dossiers: 8,
            finished: 5,
            early: 1,
            on_time: 2,
            late: 2,
            on_time_rate: Some(0.6),
            online: 3,
            online_share: Some(0.375),
            ..Default::default()
        };
        let item = DueItem {
            code: "000.00.38.H38-221128-0002".into(),
            state: "processing".into(),
            procedure_code: Some("1.013831.H38".into()),
            officer: Some("Hùng".into()),
            due: "01/12/2022".into(),
            working_days: 2,
            apology_from: None,
        };
        Report {
            from: "01/11/2022".into(),
            to: "31/12/2022".into(),
            today: "05/12/2022".into(),
            totals: f.clone(),
            by_month: vec![
                Group {
                    key: "2022-11".into(),
                    figures: f.clone(),
                },
                Group {
                    key: "2022-12".into(),
                    figures: f.clone(),
                },
            ],
            by_procedure: vec![Group {
                key: "1.004227.H38".into(),
                figures: f.clone(),
            }],
            by_officer: vec![Group {
                key: "Thảo".into(),
                figures: f,
            }],
            overdue_total: 1,
            overdue: vec![item],
            due_soon: Vec::new(),
            apology_due: Vec::new(),
        }
    }

    #[test]
    fn vietnamese_text_layer_reads_back_exactly() {
        let bytes = report_pdf(&sample(), Lang::Vi).unwrap();
        let doc = Document::load_mem(&bytes).unwrap();
        assert_eq!(doc.get_pages().len(), 1);
        let text = doc.extract_text(&[1]).unwrap();
        for want in [
            "Báo cáo tình hình giải quyết hồ sơ",
            "Hồ sơ tiếp nhận từ 01/11/2022 – 31/12/2022",
            "Tỷ lệ tiếp nhận hoặc trả kết quả qua bưu chính công ích",
            "Thảo",
            "Hùng",
            "60,0%",
            "000.00.38.H38-221128-0002",
        ] {
            assert!(
                text.contains(want),
                "'{want}' not in the text layer:\n{text}"
            );
            assert_eq!(want, doisoat_domain::text::nfc(want));
        }
    }

    /// A month with no dossier finished has no on-time rate: the chart shows
    /// a dash there, not a red 0 % stub.
    #[test]
    fn a_month_without_a_rate_gets_no_bar() {
        let red_bars = |r: &Report| {
            let doc = Document::load_mem(&report_pdf(r, Lang::Vi).unwrap()).unwrap();
            let page = *doc.get_pages().get(&1).unwrap();
            let content = String::from_utf8_lossy(&doc.get_page_content(page)).into_owned();
            (
                content.matches("0.750 0.220 0.170 rg").count(),
                doc.extract_text(&[1]).unwrap(),
            )
        };
        let mut r = sample();
        let (both, _) = red_bars(&r);
        assert_eq!(both, 2, "both months at 60 % are red bars");
        r.by_month[1].figures.on_time_rate = None;
        let (one, text) = red_bars(&r);
        assert_eq!(one, 1);
        assert!(text.contains('—'), "{text}");
        assert!(text.contains("11/22") && text.contains("12/22"), "{text}");
    }

    #[test]
    fn long_lists_flow_onto_more_pages() {
        let mut r = sample();
        let item = r.overdue[0].clone();
        r.overdue = (0..150)
            .map(|i| DueItem {
                code: format!("000.00.38.H38-221128-{i:04}"),
                ..item.clone()
            })
            .collect();
        let doc = Document::load_mem(&report_pdf(&r, Lang::En).unwrap()).unwrap();
        assert!(
            doc.get_pages().len() >= 3,
            "{} pages",
            doc.get_pages().len()
        );
        let last = doc.get_pages().len() as u32;
        let text = doc.extract_text(&[last]).unwrap();
        assert!(text.contains("000.00.38.H38-221128-0149"), "{text}");
    }
}
