//! How results look on a terminal (in Vietnamese or English) and as JSON.

use serde::Serialize;

use doisoat_core::{
    CompareReport, CopyView, CoreError, DossierPage, DossierView, Finding, FindingKind,
    ImportReport, IngestReport, Lang, ReconcileReport, VerifyReport,
};
use doisoat_domain::Side;

pub struct Out {
    pub lang: Lang,
    pub json: bool,
}

impl Out {
    /// `vi` or `en`, in the language of the output.
    pub(crate) fn t<'a>(&self, vi: &'a str, en: &'a str) -> &'a str {
        if self.lang == Lang::En {
            en
        } else {
            vi
        }
    }

    pub(crate) fn print_json<T: Serialize>(&self, value: &T) {
        println!(
            "{}",
            serde_json::to_string_pretty(value).expect("view types always serialise")
        );
    }

    pub fn error(&self, e: &CoreError) {
        let info = e.info(self.lang);
        if self.json {
            self.print_json(&serde_json::json!({ "error": info }));
        }
        eprintln!("doisoat: {}", info.message);
    }

    pub fn import(&self, r: &ImportReport) {
        for b in &r.bad_rows {
            eprintln!(
                "{} {}: {}{}",
                self.t("dòng", "line"),
                b.line,
                b.code
                    .as_deref()
                    .map(|c| format!("{c}: "))
                    .unwrap_or_default(),
                b.reason.message
            );
        }
        if self.json {
            return self.print_json(r);
        }
        for f in &r.flagged {
            println!(
                "{} {}: {} {} ({})",
                self.t("dòng", "line"),
                f.line,
                self.t("mã hồ sơ lạ", "odd dossier code"),
                f.code,
                f.check
            );
        }
        if r.already_imported {
            println!(
                "{}",
                self.t(
                    "Tệp này đã được nhập trước đây; không có gì thay đổi.",
                    "This file was imported before; nothing changed."
                )
            );
        } else if !r.imported {
            println!(
                "{} {}",
                r.bad_rows.len(),
                self.t(
                    "dòng không hợp lệ; chưa nhập gì. Dùng --skip-invalid để nhập các dòng hợp lệ.",
                    "invalid rows; nothing imported. Use --skip-invalid to import the valid rows."
                )
            );
        } else {
            println!(
                "{}: {} {}, {} {}, {} {}, {} {}",
                self.t("Đã nhập", "Imported"),
                r.added,
                self.t("mới", "new"),
                r.updated,
                self.t("cập nhật", "updated"),
                r.unchanged,
                self.t("không đổi", "unchanged"),
                r.files_linked,
                self.t("tệp điện tử", "electronic files")
            );
        }
    }

    pub fn ingest(&self, r: &IngestReport) {
        for f in r.files.iter().filter(|f| f.error.is_some()) {
            if let Some(e) = &f.error {
                eprintln!("doisoat: {}", e.message);
            }
        }
        if self.json {
            return self.print_json(r);
        }
        for f in &r.files {
            let status = match f.status.as_str() {
                "stored" => self.t("đã lưu", "stored"),
                "duplicate" => self.t("trùng lặp", "duplicate"),
                _ => self.t("lỗi", "failed"),
            };
            let link = match (&f.dossier, &f.component) {
                (Some(d), Some(c)) => format!(" → {d} / {c}"),
                (Some(d), None) => format!(" → {d}"),
                _ => String::new(),
            };
            match (&f.sha256, f.pages) {
                (Some(sha), Some(pages)) => {
                    println!(
                        "{status:<10} {}  {pages} {}  {}{link}",
                        f.name,
                        self.t("trang", "pages"),
                        &sha[..12]
                    )
                }
                _ => println!("{status:<10} {}", f.name),
            }
        }
        println!(
            "{} {}, {} {}, {} {}, {} {}{}",
            r.stored,
            self.t("đã lưu", "stored"),
            r.duplicates,
            self.t("trùng lặp", "duplicates"),
            r.failed,
            self.t("lỗi", "failed"),
            r.pages,
            self.t("trang", "pages"),
            if r.cancelled {
                self.t(" (đã hủy)", " (cancelled)")
            } else {
                ""
            }
        );
    }

    pub fn reconcile(&self, r: &ReconcileReport) {
        if self.json {
            return self.print_json(r);
        }
        let problems: Vec<&Finding> = r.findings.iter().filter(|f| f.kind.is_problem()).collect();
        println!(
            "{} {} {}, {} {}: {} {}",
            self.t("Đã đối soát", "Reconciled"),
            r.dossiers,
            self.t("hồ sơ", "dossiers"),
            r.components,
            self.t("thành phần", "components"),
            problems.len(),
            self.t("phát hiện", "findings")
        );
        self.finding_lines(&r.findings);
    }

    pub fn findings(&self, f: &[Finding]) {
        if self.json {
            return self.print_json(&f);
        }
        self.finding_lines(f);
    }

    fn kind_name(&self, k: FindingKind) -> &'static str {
        match k {
            FindingKind::PaperMissing => self.t("thiếu bản giấy", "paper copy missing"),
            FindingKind::ElectronicMissing => {
                self.t("thiếu bản điện tử", "electronic copy missing")
            }
            FindingKind::PageCountDiffers => self.t("số trang khác nhau", "page counts differ"),
            FindingKind::PageUnpaired => {
                self.t("trang không có trang tương ứng", "page without a partner")
            }
            FindingKind::PageDiffers => self.t("trang khác nội dung", "page differs"),
            FindingKind::ByteIdentical => self.t("giống hệt từng byte", "byte-identical"),
        }
    }

    fn finding_lines(&self, f: &[Finding]) {
        for x in f {
            let pages = match (x.paper_page, x.electronic_page) {
                (None, None) => String::new(),
                (p, e) => format!(
                    " ({} {}, {} {})",
                    self.t("giấy", "paper"),
                    p.map(|n| n.to_string()).unwrap_or_else(|| "—".into()),
                    self.t("điện tử", "electronic"),
                    e.map(|n| n.to_string()).unwrap_or_else(|| "—".into())
                ),
            };
            let regions: Vec<String> = x
                .regions
                .iter()
                .map(|r| format!("[x={:.3} y={:.3} w={:.3} h={:.3}]", r.x, r.y, r.w, r.h))
                .collect();
            let text: Vec<String> = x
                .text
                .iter()
                .map(|t| format!("\"{}\" → \"{}\"", t.electronic, t.paper))
                .collect();
            println!(
                "#{} {} {} {}{}{}{}{} [{}]",
                x.id,
                x.dossier,
                x.component,
                self.kind_name(x.kind),
                pages,
                if regions.is_empty() {
                    String::new()
                } else {
                    format!(" {}", regions.join(" "))
                },
                if text.is_empty() {
                    String::new()
                } else {
                    format!(" {}", text.join(", "))
                },
                x.note
                    .as_deref()
                    .map(|n| format!(" — {n}"))
                    .unwrap_or_default(),
                match x.status {
                    doisoat_domain::FindingStatus::Open => self.t("mở", "open"),
                    doisoat_domain::FindingStatus::Acknowledged =>
                        self.t("đã ghi nhận", "acknowledged"),
                    doisoat_domain::FindingStatus::Resolved => self.t("đã xử lý", "resolved"),
                }
            );
        }
    }

    pub fn compare(&self, r: &CompareReport) {
        if self.json {
            return self.print_json(r);
        }
        let verdict = if r.verdict == doisoat_compare::Verdict::Match {
            self.t("KHỚP", "MATCH")
        } else {
            self.t("KHÔNG KHỚP", "MISMATCH")
        };
        println!(
            "{verdict}: {} ({} tr.) ↔ {} ({} tr.)",
            r.paper.file, r.paper.pages, r.electronic.file, r.electronic.pages
        );
        for p in &r.pages {
            let s = serde_json::to_value(p.status)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            println!(
                "  {} {:>3} ↔ {} {:>3}  {s}{}",
                self.t("giấy", "paper"),
                p.paper_page
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "—".into()),
                self.t("điện tử", "electronic"),
                p.electronic_page
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "—".into()),
                p.similarity
                    .map(|s| format!(" ({s:.2})"))
                    .unwrap_or_default()
            );
            for t in &p.text {
                println!("      \"{}\" → \"{}\"", t.electronic, t.paper);
            }
        }
        // One line per kind and side, naming its pages in order: a coarse
        // scan's note would otherwise repeat on every page.
        let mut grouped: Vec<(doisoat_compare::NoteKind, doisoat_compare::Side, Vec<u32>)> =
            Vec::new();
        for n in &r.notes {
            match grouped
                .iter_mut()
                .find(|(kind, side, _)| *kind == n.kind && *side == n.side)
            {
                Some((_, _, pages)) => pages.push(n.page),
                None => grouped.push((n.kind, n.side, vec![n.page])),
            }
        }
        for (kind, side, mut pages) in grouped {
            pages.sort_unstable();
            pages.dedup();
            let pages: Vec<String> = pages.iter().map(u32::to_string).collect();
            println!(
                "  {} {} {}: {}",
                self.t("ghi chú:", "note:"),
                match side {
                    doisoat_compare::Side::Paper => self.t("giấy", "paper"),
                    doisoat_compare::Side::Electronic => self.t("điện tử", "electronic"),
                },
                pages.join(", "),
                self.note(kind)
            );
        }
    }

    /// What a comparison note says, in the reader's language.
    fn note(&self, kind: doisoat_compare::NoteKind) -> &'static str {
        use doisoat_compare::NoteKind::*;
        match kind {
            RedInkIgnored => self.t(
                "đã bỏ mực đỏ (con dấu) trước khi so",
                "red ink (a stamp) set aside before comparing",
            ),
            BlueInkIgnored => self.t(
                "đã bỏ mực xanh (chữ ký, bút) trước khi so",
                "blue ink (a signature, pen) set aside before comparing",
            ),
            Rotated => self.t(
                "trang đã được xoay cho cùng chiều",
                "page turned to face the same way",
            ),
            BlankPage => self.t("trang trắng", "blank page"),
            WeakRegistration => self.t(
                "khó căn chỉnh hai trang, kết quả cặp này kém chắc chắn",
                "the pages registered poorly; this pair is less certain",
            ),
            QrCodeNotCompared => self.t(
                "mã QR mịn hơn độ phân giải bản quét, không so được",
                "QR code finer than the scan resolves; not compared",
            ),
            CoarsePaper => self.t(
                "bản giấy dưới 200 dpi: dấu thanh hay chữ số bị sửa có thể không thấy được; nên quét lại ở 200 dpi trở lên",
                "paper copy under 200 dpi: a changed tone mark or digit may go unseen; rescan at 200 dpi or more",
            ),
        }
    }

    pub fn verify(&self, r: &VerifyReport) {
        if self.json {
            return self.print_json(r);
        }
        println!(
            "{} {} {}: {} {}, {} {}, {} {}, {} {}",
            self.t("Đã kiểm tra", "Checked"),
            r.checked,
            self.t("tệp", "files"),
            r.intact,
            self.t("nguyên vẹn", "intact"),
            r.missing.len(),
            self.t("bị mất", "missing"),
            r.changed.len(),
            self.t("bị thay đổi", "changed"),
            r.untracked.len(),
            self.t("không có trong sổ", "untracked")
        );
        for s in &r.missing {
            println!("{} {s}", self.t("mất", "missing"));
        }
        for s in &r.changed {
            println!("{} {s}", self.t("thay đổi", "changed"));
        }
        for s in &r.untracked {
            println!("{} {s}", self.t("không có trong sổ", "untracked"));
        }
    }

    pub fn dossiers(&self, p: &DossierPage) {
        if self.json {
            return self.print_json(p);
        }
        for d in &p.rows {
            println!(
                "{}  {}  {}  {}  {}",
                d.code,
                d.received_date.as_deref().unwrap_or("—"),
                d.applicant_name.as_deref().unwrap_or("—"),
                d.status.as_deref().unwrap_or("—"),
                if d.open_findings > 0 {
                    format!("{} {}", d.open_findings, self.t("phát hiện", "findings"))
                } else {
                    String::new()
                }
            );
        }
        println!("{} {}", p.total, self.t("hồ sơ", "dossiers"));
    }

    pub fn dossier(&self, v: &DossierView) {
        if self.json {
            return self.print_json(v);
        }
        let d = &v.dossier;
        println!(
            "{}  {}  {}",
            d.code,
            d.applicant_name.as_deref().unwrap_or("—"),
            d.received_date.as_deref().unwrap_or("—")
        );
        for c in &v.components {
            let s = serde_json::to_value(c.status)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            println!(
                "  {} [{s}] {} {}, {} {}",
                c.code,
                c.paper.len(),
                self.t("bản giấy", "paper"),
                c.electronic.len(),
                self.t("bản điện tử", "electronic")
            );
            for copy in c.paper.iter().chain(&c.electronic) {
                self.copy_line(copy);
            }
            // What the last comparison set aside, also when the copies match.
            for kind in &c.notes {
                let said = serde_json::from_value(serde_json::Value::from(kind.as_str()))
                    .map(|k| self.note(k))
                    .unwrap_or(kind);
                println!("    {} {said}", self.t("ghi chú:", "note:"));
            }
        }
        if !v.unassigned.is_empty() {
            println!("  {}", self.t("Chưa gắn thành phần", "No component"));
            for copy in &v.unassigned {
                self.copy_line(copy);
            }
        }
        self.finding_lines(&v.findings);
    }

    /// One linked copy: its link id (what `unlink` takes), side, name, pages.
    fn copy_line(&self, c: &CopyView) {
        let side = match c.side {
            Side::Paper => self.t("giấy", "paper"),
            Side::Electronic => self.t("điện tử", "electronic"),
        };
        println!(
            "    #{} {side}  {}  ({} {})",
            c.id,
            c.name,
            c.page_count,
            self.t("trang", "pages")
        );
    }

    pub fn unlinked(&self, c: &CopyView) {
        if self.json {
            return self.print_json(c);
        }
        println!(
            "{} #{} {} ({})",
            self.t("Đã gỡ liên kết", "Unlinked"),
            c.id,
            c.name,
            self.t("tệp vẫn được lưu trong kho", "the file stays in the store")
        );
    }
}
