//! The office's figures for a period: on-time rate (QĐ 766: early and on
//! time together), share received online, share received or returned by
//! post, share digitised at reception, share of reconciled dossiers whose
//! paper and electronic copies agree, open findings; by month, procedure and
//! officer. Plus the lists a supervisor acts on: overdue dossiers, dossiers
//! due within N working days, and apology letters (Mẫu 04) to issue.
//!
//! The counts are kept per received day, procedure and officer on write
//! (`doisoat_db::lifecycle::figures`), so every grouping here sums a few
//! thousand rows, however many dossiers the office has.
//!
//! [`write_report_xlsx`] exports a report as a workbook (figures; deadlines),
//! [`pdf::write_report_pdf`] as a PDF with the same figures and a chart.

pub mod pdf;

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use doisoat_calendar::{self as cal, parse_iso_date, Date};
use doisoat_db::lifecycle as db;

use crate::lifecycle::load_calendar;
use crate::{dates, CoreError, Office, Result};

/// A share as a percentage with one decimal, the way each language writes
/// it: `60,0%` in Vietnamese (decimal comma), `60.0%` in English; `—` when
/// there is nothing to divide by.
pub fn percent(x: Option<f64>, lang: crate::Lang) -> String {
    match x {
        None => "—".into(),
        Some(v) => {
            let s = format!("{:.1}%", v * 100.0);
            if lang == crate::Lang::Vi {
                s.replace('.', ",")
            } else {
                s
            }
        }
    }
}

/// A month key `yyyy-mm` as people read it: `mm/yyyy`.
pub fn month_label(key: &str) -> String {
    match key.split_once('-') {
        Some((y, m)) if y.len() == 4 && m.len() == 2 => format!("{m}/{y}"),
        _ => key.to_string(),
    }
}

/// A month key `yyyy-mm` where there is little room (a chart's axis): `mm/yy`.
pub fn short_month_label(key: &str) -> String {
    match key.split_once('-') {
        Some((y, m)) if y.len() == 4 && m.len() == 2 => format!("{m}/{}", &y[2..]),
        _ => key.to_string(),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReportQuery {
    /// Received from (dd/mm/yyyy or yyyy-mm-dd, inclusive); default: the calendar's first day.
    pub from: Option<String>,
    /// Received up to (inclusive); default: today.
    pub to: Option<String>,
    /// "Due soon" means within this many working days (default 3).
    pub due_within: Option<u32>,
    /// The day to judge overdue against; default: the office clock's today.
    pub today: Option<String>,
}

/// Counts and shares for one group of dossiers. Shares are 0..=1, `None` when nothing to divide.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Figures {
    pub dossiers: u64,
    pub finished: u64,
    pub early: u64,
    pub on_time: u64,
    pub late: u64,
    pub withdrawn: u64,
    /// (early + on time) / finished.
    pub on_time_rate: Option<f64>,
    pub online: u64,
    pub online_share: Option<f64>,
    /// Received by post or returned by post.
    pub post: u64,
    pub post_share: Option<f64>,
    pub digitised: u64,
    pub digitised_share: Option<f64>,
    /// Dossiers with at least one reconciled component.
    pub reconciled: u64,
    /// Of those, every component's latest verdict is a match.
    pub agreeing: u64,
    pub agreement_share: Option<f64>,
    pub open_findings: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Group {
    pub key: String,
    pub figures: Figures,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DueItem {
    pub code: String,
    pub state: String,
    pub procedure_code: Option<String>,
    pub officer: Option<String>,
    /// dd/mm/yyyy.
    pub due: String,
    /// Working days past due (overdue list) or left (due-soon list).
    pub working_days: i64,
    /// dd/mm/yyyy: the apology letter should be issued from this day.
    pub apology_from: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Report {
    /// dd/mm/yyyy.
    pub from: String,
    pub to: String,
    pub today: String,
    pub totals: Figures,
    pub by_month: Vec<Group>,
    pub by_procedure: Vec<Group>,
    pub by_officer: Vec<Group>,
    /// All unfinished dossiers past their due date (the list holds the first 1000, most overdue first).
    pub overdue_total: u64,
    pub overdue: Vec<DueItem>,
    pub due_soon: Vec<DueItem>,
    pub apology_due: Vec<DueItem>,
}

/// The longest list the dashboard shows.
const LIST_LIMIT: u32 = 1000;

#[derive(Default, Clone)]
struct Tally {
    f: Figures,
}

impl Tally {
    fn add(&mut self, c: &db::FigureCounts) {
        let f = &mut self.f;
        f.dossiers += c.dossiers;
        f.finished += c.finished;
        f.early += c.early;
        f.on_time += c.on_time;
        f.late += c.late;
        f.withdrawn += c.withdrawn;
        f.online += c.online;
        f.post += c.post;
        f.digitised += c.digitised;
        f.reconciled += c.reconciled;
        f.agreeing += c.agreeing;
        f.open_findings += c.open_findings;
    }

    fn done(mut self) -> Figures {
        let share = |n: u64, d: u64| {
            if d == 0 {
                None
            } else {
                Some(n as f64 / d as f64)
            }
        };
        let f = &mut self.f;
        f.on_time_rate = share(f.early + f.on_time, f.finished);
        f.online_share = share(f.online, f.dossiers);
        f.post_share = share(f.post, f.dossiers);
        f.digitised_share = share(f.digitised, f.dossiers);
        f.agreement_share = share(f.agreeing, f.reconciled);
        self.f
    }
}

fn tally_into(map: &mut HashMap<String, Tally>, key: &str, c: &db::FigureCounts) {
    match map.get_mut(key) {
        Some(t) => t.add(c),
        None => {
            let mut t = Tally::default();
            t.add(c);
            map.insert(key.to_string(), t);
        }
    }
}

fn groups(map: HashMap<String, Tally>) -> Vec<Group> {
    let mut v: Vec<Group> = map
        .into_iter()
        .map(|(key, t)| Group {
            key,
            figures: t.done(),
        })
        .collect();
    v.sort_by(|a, b| a.key.cmp(&b.key));
    v
}

fn day_arg(s: Option<&str>, what: &str) -> Result<Option<Date>> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => dates::parse_day(s)
            .and_then(|d| parse_iso_date(&d))
            .map(Some)
            .ok_or_else(|| {
                CoreError::InvalidArgument(format!("{what}: '{s}' is not a date (dd/mm/yyyy)"))
            }),
    }
}

impl Office {
    /// The figures and lists for the dashboard and `doisoat report`.
    pub fn report(&self, q: &ReportQuery) -> Result<Report> {
        let conn = self.conn();
        let c = load_calendar(&conn)?;
        let today = day_arg(q.today.as_deref(), "today")?.unwrap_or_else(|| self.today());
        let from = day_arg(q.from.as_deref(), "from")?.unwrap_or(c.work.first());
        let to = day_arg(q.to.as_deref(), "to")?.unwrap_or(today);
        let mut total = Tally::default();
        let (mut by_month, mut by_proc, mut by_officer) =
            (HashMap::new(), HashMap::new(), HashMap::new());
        db::figures(&conn, &cal::iso_date(from), &cal::iso_date(to), |c| {
            total.add(c);
            tally_into(&mut by_month, c.received_date.get(..7).unwrap_or(""), c);
            tally_into(&mut by_proc, &c.procedure_code, c);
            tally_into(&mut by_officer, &c.officer, c);
        })?;

        // Lists: unfinished dossiers due by the end of the "due soon" window.
        let within = q.due_within.unwrap_or(3);
        let horizon = if today >= c.work.first() && today <= c.work.last() {
            c.work
                .add_working_days(today, within + c.reminder_days + 1)
                .unwrap_or(c.work.last())
        } else {
            today
        };
        let soon_end = c.work.add_working_days(today, within).unwrap_or(horizon);
        let remind_until = c
            .work
            .add_working_days(today, c.reminder_days)
            .unwrap_or(horizon);
        let (mut overdue, mut due_soon, mut apology_due) = (Vec::new(), Vec::new(), Vec::new());
        let today_iso = cal::iso_date(today);
        let overdue_total = db::count_overdue(&conn, &today_iso)?;
        let mut rows = db::open_due(
            &conn,
            "0000-00-00",
            &cal::iso_date(today.previous_day().unwrap_or(today)),
            LIST_LIMIT,
        )?;
        rows.extend(db::open_due(
            &conn,
            &today_iso,
            &cal::iso_date(horizon),
            LIST_LIMIT,
        )?);
        for (code, row) in rows {
            let Some(due) = row.due_date.as_deref().and_then(parse_iso_date) else {
                continue;
            };
            let received = parse_iso_date(&row.received_date).unwrap_or(due);
            let ahead = c
                .rules
                .version_at(received)
                .map(|v| v.apology_days_ahead)
                .unwrap_or(1);
            let apology = cal::apology_from(&c.work, due, ahead).ok();
            let mut item = DueItem {
                code,
                state: row.state.clone(),
                procedure_code: row.procedure_code.clone(),
                officer: row.officer.clone(),
                due: cal::display_date(due),
                working_days: 0,
                apology_from: apology.map(cal::display_date),
            };
            if due < today {
                item.working_days = c.work.working_days_between(due, today).unwrap_or(0).max(1);
                overdue.push(item);
                continue;
            }
            item.working_days = c.work.working_days_between(today, due).unwrap_or(0);
            if row.apology_at.is_none() && apology.is_some_and(|a| a <= remind_until) {
                apology_due.push(item.clone());
            }
            if due <= soon_end {
                due_soon.push(item);
            }
        }
        overdue.sort_by(|a, b| {
            b.working_days
                .cmp(&a.working_days)
                .then(a.code.cmp(&b.code))
        });
        Ok(Report {
            from: cal::display_date(from),
            to: cal::display_date(to),
            today: cal::display_date(today),
            totals: total.done(),
            by_month: groups(by_month),
            by_procedure: groups(by_proc),
            by_officer: groups(by_officer),
            overdue_total,
            overdue,
            due_soon,
            apology_due,
        })
    }
}

/// Labels of the figure columns, Vietnamese first.
const COLUMNS_VI: &[&str] = &[
    "Nhóm",
    "Hồ sơ",
    "Đã giải quyết",
    "Sớm hạn",
    "Đúng hạn",
    "Trễ hạn",
    "Tỷ lệ đúng hạn",
    "Trực tuyến",
    "Bưu chính",
    "Số hóa tại tiếp nhận",
    "Bản giấy và điện tử khớp",
    "Phát hiện chưa xử lý",
];
const COLUMNS_EN: &[&str] = &[
    "Group",
    "Dossiers",
    "Finished",
    "Early",
    "On time",
    "Late",
    "On-time rate",
    "Online",
    "Post",
    "Digitised at reception",
    "Paper and electronic agree",
    "Open findings",
];

fn xlsx_err(path: &Path, e: rust_xlsxwriter::XlsxError) -> CoreError {
    CoreError::BadImport {
        path: path.to_path_buf(),
        reason: format!("cannot write the workbook ({e})"),
    }
}

/// Writes the report as an XLSX workbook: a sheet of figures (totals, by
/// month, procedure and officer) and a sheet of overdue and due-soon dossiers.
pub fn write_report_xlsx(r: &Report, lang: crate::Lang, path: &Path) -> Result<()> {
    use rust_xlsxwriter::{Format, Workbook};
    let en = lang == crate::Lang::En;
    let heads = if en { COLUMNS_EN } else { COLUMNS_VI };
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format("0.0%");
    let sheet = book
        .add_worksheet()
        .set_name(if en { "Figures" } else { "Số liệu" })
        .map_err(|e| xlsx_err(path, e))?;
    let title = format!(
        "{} {} – {}",
        if en {
            "Dossiers received"
        } else {
            "Hồ sơ tiếp nhận"
        },
        r.from,
        r.to
    );
    sheet
        .write_with_format(0, 0, title.as_str(), &bold)
        .map_err(|e| xlsx_err(path, e))?;
    for (c, h) in heads.iter().enumerate() {
        sheet
            .write_with_format(2, c as u16, *h, &bold)
            .map_err(|e| xlsx_err(path, e))?;
    }
    let mut row = 3u32;
    let mut put = |label: &str, f: &Figures| -> Result<()> {
        let w = |e| xlsx_err(path, e);
        sheet.write(row, 0, label).map_err(w)?;
        for (c, n) in [f.dossiers, f.finished, f.early, f.on_time, f.late]
            .iter()
            .enumerate()
        {
            sheet
                .write(row, 1 + c as u16, *n as f64)
                .map_err(|e| xlsx_err(path, e))?;
        }
        for (c, s) in [
            f.on_time_rate,
            f.online_share,
            f.post_share,
            f.digitised_share,
            f.agreement_share,
        ]
        .iter()
        .enumerate()
        {
            if let Some(v) = s {
                sheet
                    .write_with_format(row, 6 + c as u16, *v, &percent)
                    .map_err(|e| xlsx_err(path, e))?;
            }
        }
        sheet
            .write(row, 11, f.open_findings as f64)
            .map_err(|e| xlsx_err(path, e))?;
        row += 1;
        Ok(())
    };
    put(if en { "Total" } else { "Tổng" }, &r.totals)?;
    let as_is: fn(&str) -> String = str::to_string;
    for (prefix, groups, label) in [
        (
            if en { "Month" } else { "Tháng" },
            &r.by_month,
            month_label as fn(&str) -> String,
        ),
        (
            if en { "Procedure" } else { "Thủ tục" },
            &r.by_procedure,
            as_is,
        ),
        (if en { "Officer" } else { "Cán bộ" }, &r.by_officer, as_is),
    ] {
        for g in groups {
            put(&format!("{prefix} {}", label(&g.key)), &g.figures)?;
        }
    }
    let list = book
        .add_worksheet()
        .set_name(if en { "Deadlines" } else { "Hạn xử lý" })
        .map_err(|e| xlsx_err(path, e))?;
    let lh: [&str; 6] = if en {
        [
            "List",
            "Dossier code",
            "Procedure",
            "Officer",
            "Due",
            "Working days",
        ]
    } else {
        [
            "Danh sách",
            "Mã hồ sơ",
            "Thủ tục",
            "Cán bộ",
            "Hẹn trả",
            "Số ngày làm việc",
        ]
    };
    for (c, h) in lh.iter().enumerate() {
        list.write_with_format(0, c as u16, *h, &bold)
            .map_err(|e| xlsx_err(path, e))?;
    }
    let mut row = 1u32;
    for (name, items) in [
        (if en { "Overdue" } else { "Quá hạn" }, &r.overdue),
        (if en { "Due soon" } else { "Sắp đến hạn" }, &r.due_soon),
    ] {
        for i in items {
            let w = |e| xlsx_err(path, e);
            list.write(row, 0, name).map_err(w)?;
            list.write(row, 1, i.code.as_str())
                .map_err(|e| xlsx_err(path, e))?;
            list.write(row, 2, i.procedure_code.as_deref().unwrap_or(""))
                .map_err(|e| xlsx_err(path, e))?;
            list.write(row, 3, i.officer.as_deref().unwrap_or(""))
                .map_err(|e| xlsx_err(path, e))?;
            list.write(row, 4, i.due.as_str())
                .map_err(|e| xlsx_err(path, e))?;
            list.write(row, 5, i.working_days as f64)
                .map_err(|e| xlsx_err(path, e))?;
            row += 1;
        }
    }
    book.save(path).map_err(|e| xlsx_err(path, e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lang;

    #[test]
    fn shares_and_months_read_the_vietnamese_way() {
        assert_eq!(percent(Some(0.6), Lang::Vi), "60,0%");
        assert_eq!(percent(Some(0.6), Lang::En), "60.0%");
        assert_eq!(percent(Some(1.0 / 3.0), Lang::Vi), "33,3%");
        assert_eq!(percent(None, Lang::Vi), "—");
        assert_eq!(month_label("2022-11"), "11/2022");
        assert_eq!(month_label(""), "");
        assert_eq!(short_month_label("2022-11"), "11/22");
        assert_eq!(short_month_label("?"), "?");
    }
}
