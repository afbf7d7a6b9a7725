//! `doisoat report` (the office's figures as a table or JSON) and the
//! lifecycle commands: `event`, `lifecycle`, `wait`, `preset`. Each parses
//! its arguments, calls one `Office` method and prints.

use std::process::ExitCode;

use clap::Subcommand;

use doisoat_core::lifecycle::{LifecycleEvent, LifecycleView};
use doisoat_core::report::{month_label, percent, Figures, Group, Report, ReportQuery};
use doisoat_core::{CoreError, Lang, Office};

use crate::output::Out;

#[derive(Subcommand)]
pub enum LifecycleCommand {
    /// The office's figures: on-time rate, online and postal shares, digitised, agreeing copies, open findings.
    Report {
        /// Received from (dd/mm/yyyy).
        #[arg(long)]
        from: Option<String>,
        /// Received up to (dd/mm/yyyy).
        #[arg(long)]
        to: Option<String>,
        /// Judge overdue against this day instead of today (dd/mm/yyyy).
        #[arg(long)]
        today: Option<String>,
        /// "Due soon" window in working days.
        #[arg(long, default_value_t = 3)]
        due_within: u32,
        /// Also write the report as an XLSX workbook here.
        #[arg(long)]
        xlsx: Option<std::path::PathBuf>,
        /// Also write the report as a PDF here.
        #[arg(long)]
        pdf: Option<std::path::PathBuf>,
    },
    /// Record a change of a dossier's state (received, supplement_requested, supplement_received,
    /// processing, result_ready, returned, withdrawn, refused).
    Event {
        code: String,
        state: String,
        /// When it happened (dd/mm/yyyy [HH:MM]).
        #[arg(long)]
        at: String,
        /// Who did it; defaults to the login name.
        #[arg(long, env = "DOISOAT_USER")]
        actor: Option<String>,
        #[arg(long)]
        note: Option<String>,
        /// On received: desk, online_full (toàn trình), online_partial (một phần), post.
        #[arg(long)]
        channel: Option<String>,
        /// On received: the officer in charge.
        #[arg(long)]
        officer: Option<String>,
        /// On received: scanned at the desk.
        #[arg(long)]
        digitised: bool,
        /// On returned: desk or post.
        #[arg(long)]
        return_channel: Option<String>,
    },
    /// Show a dossier's state, due date and history.
    Lifecycle { code: String },
    /// Add a waiting period that does not count towards the deadline.
    Wait {
        code: String,
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Save a named XLSX column mapping: FIELD=Header text (repeat; e.g. MaHoSo="Số hồ sơ").
    Preset {
        name: String,
        #[arg(required = true)]
        columns: Vec<String>,
    },
}

pub fn run(cmd: LifecycleCommand, office: &Office, out: &Out) -> Result<ExitCode, CoreError> {
    match cmd {
        LifecycleCommand::Report {
            from,
            to,
            today,
            due_within,
            xlsx,
            pdf,
        } => {
            let r = office.report(&ReportQuery {
                from,
                to,
                today,
                due_within: Some(due_within),
            })?;
            if let Some(path) = &xlsx {
                doisoat_core::report::write_report_xlsx(&r, out.lang, path)?;
            }
            if let Some(path) = &pdf {
                doisoat_core::report::pdf::write_report_pdf(&r, out.lang, path)?;
            }
            if out.json {
                out.print_json(&r);
            } else {
                print_report(&r, out.lang);
            }
        }
        LifecycleCommand::Event {
            code,
            state,
            at,
            actor,
            note,
            channel,
            officer,
            digitised,
            return_channel,
        } => {
            let actor = actor
                .or_else(|| std::env::var("USER").ok())
                .unwrap_or_else(|| "doisoat".into());
            let ev = LifecycleEvent {
                state,
                at,
                actor,
                note,
                channel,
                officer,
                digitised: digitised.then_some(true),
                return_channel,
            };
            print_view(&office.record_event(&code, &ev)?, out);
        }
        LifecycleCommand::Lifecycle { code } => print_view(&office.lifecycle(&code)?, out),
        LifecycleCommand::Wait {
            code,
            from,
            to,
            reason,
        } => print_view(&office.add_waiting_period(&code, &from, &to, &reason)?, out),
        LifecycleCommand::Preset { name, columns } => {
            let mut mapping = doisoat_core::xlsx::ColumnMapping::new();
            for c in &columns {
                let (field, header) = c.split_once('=').ok_or_else(|| {
                    CoreError::InvalidArgument(format!("'{c}' is not FIELD=Header"))
                })?;
                mapping
                    .entry(field.trim().to_string())
                    .or_default()
                    .push(header.trim().to_string());
            }
            office.save_import_preset(&name, &mapping)?;
            if out.json {
                println!(
                    "{}",
                    serde_json::json!({ "preset": name, "mapping": mapping })
                );
            } else {
                println!(
                    "{} '{name}'",
                    if out.lang == Lang::En {
                        "Saved preset"
                    } else {
                        "Đã lưu mẫu cột"
                    }
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_view(v: &LifecycleView, out: &Out) {
    if out.json {
        out.print_json(v);
        return;
    }
    let en = out.lang == Lang::En;
    println!("{}  {}  ({})", v.code, v.state, v.channel);
    println!(
        "{}: {}  {}: {}  {}: {}",
        if en { "received" } else { "tiếp nhận" },
        v.received,
        if en { "due" } else { "hẹn trả" },
        v.due.as_deref().unwrap_or("—"),
        if en { "outcome" } else { "kết quả" },
        v.outcome.as_deref().unwrap_or("—")
    );
    if let Some(d) = v.overdue_days {
        println!(
            "{} {d} {}",
            if en { "OVERDUE by" } else { "QUÁ HẠN" },
            if en {
                "working days"
            } else {
                "ngày làm việc"
            }
        );
    }
    for h in &v.history {
        println!(
            "  {}  {:<22} {}{}",
            h.at,
            h.state,
            h.actor,
            h.note
                .as_deref()
                .map(|n| format!(" — {n}"))
                .unwrap_or_default()
        );
    }
}

fn row(label: &str, f: &Figures, lang: Lang) -> String {
    format!(
        "{:<28} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
        label,
        f.dossiers,
        percent(f.on_time_rate, lang),
        percent(f.online_share, lang),
        percent(f.post_share, lang),
        percent(f.digitised_share, lang),
        percent(f.agreement_share, lang),
        f.open_findings
    )
}

fn print_report(r: &Report, lang: Lang) {
    let en = lang == Lang::En;
    println!(
        "{} {} – {} ({} {})",
        if en {
            "Figures for dossiers received"
        } else {
            "Số liệu hồ sơ tiếp nhận"
        },
        r.from,
        r.to,
        if en { "today" } else { "hôm nay" },
        r.today
    );
    let head = if en {
        [
            "", "dossiers", "on time", "online", "post", "digit.", "agree", "findings",
        ]
    } else {
        [
            "",
            "hồ sơ",
            "đúng hạn",
            "trực tuyến",
            "bưu chính",
            "số hóa",
            "khớp",
            "phát hiện",
        ]
    };
    println!(
        "{:<28} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
        head[0], head[1], head[2], head[3], head[4], head[5], head[6], head[7]
    );
    println!(
        "{}",
        row(if en { "TOTAL" } else { "TỔNG" }, &r.totals, lang)
    );
    let section = |title: &str, groups: &[Group], label: fn(&str) -> String| {
        println!("{title}");
        for g in groups {
            let key = if g.key.is_empty() {
                "—".to_string()
            } else {
                label(&g.key)
            };
            println!("{}", row(&format!("  {key}"), &g.figures, lang));
        }
    };
    section(
        if en { "By month" } else { "Theo tháng" },
        &r.by_month,
        month_label,
    );
    section(
        if en {
            "By procedure"
        } else {
            "Theo thủ tục"
        },
        &r.by_procedure,
        str::to_string,
    );
    section(
        if en { "By officer" } else { "Theo cán bộ" },
        &r.by_officer,
        str::to_string,
    );
    let list = |title: &str, items: &[doisoat_core::report::DueItem]| {
        println!("{title}: {}", items.len());
        for i in items.iter().take(50) {
            println!(
                "  {}  {}  {}  {}",
                i.code,
                i.due,
                i.working_days,
                i.officer.as_deref().unwrap_or("")
            );
        }
    };
    if r.overdue_total > r.overdue.len() as u64 {
        println!(
            "({} {})",
            r.overdue_total,
            if en {
                "overdue in all"
            } else {
                "hồ sơ quá hạn tất cả"
            }
        );
    }
    list(if en { "Overdue" } else { "Quá hạn" }, &r.overdue);
    list(if en { "Due soon" } else { "Sắp đến hạn" }, &r.due_soon);
    list(
        if en {
            "Apology letter (Mẫu 04) due"
        } else {
            "Cần thư xin lỗi (Mẫu 04)"
        },
        &r.apology_due,
    );
}
