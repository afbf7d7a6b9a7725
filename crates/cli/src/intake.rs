//! Intake commands: `sheet` (separator sheets), `ingest --split` (cut a
//! batch on its separator sheets and receipt codes), `scan` (a batch from a
//! SANE scanner), `watch` (the hot folder without the window) and `intake`
//! (flags a person must decide, derived versions). Each parses its
//! arguments, calls `Office` and prints text (Vietnamese unless `--lang en`)
//! or JSON.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use doisoat_core::intake::{PageEdit, SplitReport, WatchOptions};
use doisoat_core::{CancelToken, CoreError, Job, Lang, LinkTarget, Office};
use doisoat_intake::scan::{self, Batch, ColourMode, Flow, ScanSettings, Source, Stopped};

use crate::output::Out;

/// `doisoat sheet CODE… -o FILE.pdf`
pub fn sheet(
    office: &Office,
    codes: &[String],
    output: &Path,
    out: &Out,
) -> Result<ExitCode, CoreError> {
    let pdf = office.separator_sheets(codes)?;
    std::fs::write(output, &pdf).map_err(|source| CoreError::DataDir {
        path: output.to_path_buf(),
        source,
    })?;
    if out.json {
        out.print_json(
            &serde_json::json!({"file": output.display().to_string(), "sheets": codes.len(), "bytes": pdf.len()}),
        );
    } else {
        println!(
            "{} {} {} → {}",
            out.t("Đã tạo", "Wrote"),
            codes.len(),
            out.t("tờ phân cách", "separator sheet(s)"),
            output.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `doisoat ingest --split BATCH…`
pub fn ingest_split(office: &Office, files: &[PathBuf], out: &Out) -> Result<ExitCode, CoreError> {
    let job = Job::quiet();
    let mut reports = Vec::new();
    for f in files {
        reports.push(office.ingest_split(f, &job)?);
    }
    if out.json {
        if reports.len() == 1 {
            out.print_json(&reports[0]);
        } else {
            out.print_json(&reports);
        }
    } else {
        for r in &reports {
            print_split(r, out);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_split(r: &SplitReport, out: &Out) {
    if r.duplicate {
        println!(
            "{}: {}",
            r.file,
            out.t(
                "lô này đã được tách trước đây",
                "this batch was split before"
            )
        );
        return;
    }
    println!(
        "{}: {} {}, {} {}, {} {}",
        r.file,
        r.pages,
        out.t("trang", "pages"),
        r.linked,
        out.t("phần đã gắn hồ sơ", "parts linked"),
        r.flagged,
        out.t("phần cần xem lại", "parts flagged")
    );
    for p in &r.parts {
        let pages: Vec<String> = p.pages.iter().map(u32::to_string).collect();
        let status = match (p.status.as_str(), out.lang) {
            ("linked", Lang::Vi) => "đã gắn",
            ("unknown_dossier", Lang::Vi) => "mã hồ sơ chưa có: chờ cán bộ xác nhận",
            ("unreadable_separator", Lang::Vi) => "tờ phân cách không đọc được mã: cần xem lại",
            ("no_code", Lang::Vi) => "không có mã: cần xem lại",
            ("empty", Lang::Vi) => "không có trang",
            ("unknown_dossier", Lang::En) => "unknown dossier: offered to the clerk",
            ("unreadable_separator", Lang::En) => "separator code unreadable: flagged",
            ("no_code", Lang::En) => "no code: flagged",
            (s, _) => s,
        };
        println!(
            "  {} [{}] {}{}",
            p.code.as_deref().unwrap_or("-"),
            pages.join(","),
            status,
            p.flag.map(|f| format!(" (#{f})")).unwrap_or_default()
        );
    }
    for w in &r.warnings {
        println!(
            "  {} {}: {}",
            out.t("trang", "page"),
            w.page,
            w.warnings.join(", ")
        );
    }
}

#[derive(Args)]
pub struct ScanArgs {
    /// List the scanners SANE can see, and stop.
    #[arg(long)]
    list: bool,
    /// The SANE device name (see `scan --list`), e.g. `airscan:e0:Canon` or `test:0`.
    #[arg(long)]
    device: Option<String>,
    /// flatbed (glass), adf (feeder) or duplex.
    #[arg(long, default_value = "flatbed")]
    source: String,
    /// 200 or 300.
    #[arg(long, default_value_t = 200)]
    dpi: u32,
    /// color or gray.
    #[arg(long, default_value = "color")]
    mode: String,
    /// Stop after this many pages.
    #[arg(long)]
    max_pages: Option<u32>,
    /// Split the batch on its separator sheets and receipts (else link to --dossier).
    #[arg(long)]
    split: bool,
    /// Link the whole batch to this dossier.
    #[arg(long)]
    dossier: Option<String>,
    /// Also keep the scanned batch as this PDF.
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
}

/// `doisoat scan …`
pub fn scan(
    office: impl Fn() -> Result<Office, CoreError>,
    a: ScanArgs,
    out: &Out,
) -> Result<ExitCode, CoreError> {
    if a.list {
        let devices = scan::list_devices().map_err(CoreError::Intake)?;
        if out.json {
            out.print_json(&devices);
        } else if devices.is_empty() {
            println!("{}", out.t("Không thấy máy quét nào", "No scanner found"));
        } else {
            for d in &devices {
                println!("{}\t{} {} ({})", d.name, d.vendor, d.model, d.kind);
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let device = a.device.ok_or_else(|| {
        CoreError::InvalidArgument("name the scanner with --device (see `scan --list`)".into())
    })?;
    let settings = ScanSettings {
        source: Source::parse(&a.source).ok_or_else(|| {
            CoreError::InvalidArgument(format!(
                "unknown source '{}' (flatbed, adf, duplex)",
                a.source
            ))
        })?,
        dpi: a.dpi,
        mode: ColourMode::parse(&a.mode).ok_or_else(|| {
            CoreError::InvalidArgument(format!("unknown mode '{}' (color, gray)", a.mode))
        })?,
        max_pages: a.max_pages,
    };
    let office = office()?;
    let mut scanner = scan::Scanner::open(&device, &settings).map_err(CoreError::Intake)?;
    let mut batch = Batch::default();
    let stopped = scanner.scan_batch(&mut batch, &mut |_, n, _| {
        // The live counter, on stderr so --json stays clean.
        eprint!("\r{} {n}", out.t("Đã quét trang", "Scanned page"));
        Flow::Continue
    });
    eprintln!();
    drop(scanner);
    let kept = batch.pages.len();
    if let Stopped::DeviceLost { reason } = &stopped {
        eprintln!(
            "doisoat: {}: {reason}; {} {kept} {}",
            out.t("máy quét dừng giữa chừng", "the scanner stopped mid-batch"),
            out.t("giữ lại", "keeping"),
            out.t("trang đã quét", "pages already scanned")
        );
    }
    if kept == 0 {
        return Err(CoreError::Intake(doisoat_intake::IntakeError::Scanner(
            match &stopped {
                Stopped::DeviceLost { reason } => reason.clone(),
                _ => "no page was scanned".into(),
            },
        )));
    }
    let pdf = batch.to_pdf();
    if let Some(o) = &a.output {
        std::fs::write(o, &pdf).map_err(|source| CoreError::DataDir {
            path: o.clone(),
            source,
        })?;
    }
    let target = LinkTarget {
        dossier: a.dossier,
        component: None,
        side: None,
    };
    let (split, ingest) = office.ingest_scanned(&pdf, a.split, &target, &Job::quiet())?;
    if out.json {
        out.print_json(
            &serde_json::json!({"pages": kept, "stopped": stopped, "split": split, "ingest": ingest}),
        );
    } else {
        println!(
            "{} {kept} {}",
            out.t("Đã quét", "Scanned"),
            out.t("trang", "pages")
        );
        if let Some(s) = &split {
            print_split(s, out);
        }
        if let Some(i) = &ingest {
            out.ingest(i);
        }
    }
    Ok(ExitCode::from(
        if matches!(stopped, Stopped::DeviceLost { .. }) {
            2
        } else {
            0
        },
    ))
}

#[derive(Args)]
pub struct WatchArgs {
    dir: PathBuf,
    /// Take what is there and complete, then stop (else run until a signal).
    #[arg(long)]
    once: bool,
    /// Split each file on separator sheets and receipts.
    #[arg(long)]
    split: bool,
    /// Delete each original once it is safely stored.
    #[arg(long)]
    delete_originals: bool,
    /// Quiet time before a file counts as complete, in milliseconds.
    #[arg(long, default_value_t = 1000)]
    debounce_ms: u64,
}

/// `doisoat watch DIR`
pub fn watch(office: &Office, a: WatchArgs, out: &Out) -> Result<ExitCode, CoreError> {
    let opts = WatchOptions {
        split: a.split,
        delete_originals: a.delete_originals,
        debounce_ms: a.debounce_ms,
        once: a.once,
    };
    if !out.json {
        eprintln!("{} {}", out.t("Đang theo dõi", "Watching"), a.dir.display());
    }
    let json_mode = out.json;
    let job = Job::quiet();
    stop_on_signal(job.cancel_token())?;
    let report = office.watch_folder(&a.dir, &opts, &job, &|w| {
        if json_mode {
            // One JSON object per line as files are taken.
            println!(
                "{}",
                serde_json::to_string(w).expect("view types always serialise")
            );
        } else {
            println!(
                "{}\t{}\t{}",
                w.status,
                w.dossier.as_deref().unwrap_or("-"),
                w.path
            );
        }
    })?;
    if !json_mode {
        eprintln!(
            "{}: {} {}, {} {}, {} {}",
            out.t("Xong", "Done"),
            report.stored,
            out.t("lưu mới", "stored"),
            report.duplicates,
            out.t("trùng", "duplicates"),
            report.failed,
            out.t("lỗi", "failed")
        );
    }
    Ok(ExitCode::from(if report.failed > 0 { 2 } else { 0 }))
}

/// SIGTERM (a service being stopped) or Ctrl-C ends a watch after the file
/// in hand, so it prints its summary and exits 0. A second signal exits at
/// once (130), which the hot folder's ledger also makes safe: a file stored
/// but not yet in the ledger comes back as a duplicate of the same bytes.
#[cfg(unix)]
fn stop_on_signal(token: CancelToken) -> Result<(), CoreError> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])
        .map_err(|e| CoreError::InvalidArgument(format!("cannot listen for signals: {e}")))?;
    std::thread::spawn(move || {
        for (n, signal) in signals.forever().enumerate() {
            tracing::info!(signal, "stopping the watch");
            if n == 0 {
                token.cancel();
            } else {
                std::process::exit(130);
            }
        }
    });
    Ok(())
}

#[cfg(not(unix))]
fn stop_on_signal(_token: CancelToken) -> Result<(), CoreError> {
    Ok(())
}

#[derive(Subcommand)]
pub enum IntakeCommand {
    /// List intake flags (open ones unless --all).
    Flags {
        #[arg(long)]
        all: bool,
    },
    /// Link a flagged part to a dossier (the code offered, or --code).
    Accept {
        id: i64,
        #[arg(long)]
        code: Option<String>,
    },
    /// Make a derived version of a stored file; the original never changes.
    Edit {
        sha256: String,
        /// Deskew every page and turn over upside-down ones.
        #[arg(long)]
        straighten: bool,
        /// PAGE:QUARTER_TURNS, e.g. 2:1 turns page 2 a quarter clockwise.
        #[arg(long)]
        rotate: Option<String>,
        #[arg(long)]
        delete: Option<u32>,
        /// The new page order, e.g. 3,1,2.
        #[arg(long)]
        reorder: Option<String>,
        /// Replace this page with --with FILE[:PAGE].
        #[arg(long)]
        replace: Option<u32>,
        #[arg(long)]
        with: Option<String>,
    },
}

fn num(s: &str, what: &str) -> Result<u32, CoreError> {
    s.trim()
        .parse()
        .map_err(|_| CoreError::InvalidArgument(format!("{what}: '{s}' is not a number")))
}

/// `doisoat intake …`
pub fn intake(office: &Office, cmd: IntakeCommand, out: &Out) -> Result<ExitCode, CoreError> {
    match cmd {
        IntakeCommand::Flags { all } => {
            let flags = office.intake_flags(all)?;
            if out.json {
                out.print_json(&flags);
            } else {
                for f in &flags {
                    let pages: Vec<String> = f.pages.iter().map(u32::to_string).collect();
                    println!(
                        "#{}\t{}\t{}\t[{}]\t{}",
                        f.id,
                        f.kind,
                        f.code.as_deref().unwrap_or("-"),
                        pages.join(","),
                        f.status
                    );
                }
            }
        }
        IntakeCommand::Accept { id, code } => {
            let f = office.accept_intake_flag(id, code.as_deref())?;
            if out.json {
                out.print_json(&f);
            } else {
                println!("#{} {}", f.id, out.t("đã gắn hồ sơ", "linked"));
            }
        }
        IntakeCommand::Edit {
            sha256,
            straighten,
            rotate,
            delete,
            reorder,
            replace,
            with,
        } => {
            let edit = if straighten {
                PageEdit::Straighten
            } else if let Some(r) = rotate {
                let (p, q) = r.split_once(':').ok_or_else(|| {
                    CoreError::InvalidArgument("--rotate takes PAGE:QUARTER_TURNS".into())
                })?;
                PageEdit::Rotate {
                    page: num(p, "page")?,
                    quarter_turns: q.trim().parse().map_err(|_| {
                        CoreError::InvalidArgument(format!(
                            "'{q}' is not a number of quarter turns"
                        ))
                    })?,
                }
            } else if let Some(p) = delete {
                PageEdit::Delete { page: p }
            } else if let Some(o) = reorder {
                PageEdit::Reorder {
                    order: o
                        .split(',')
                        .map(|s| num(s, "page"))
                        .collect::<Result<_, _>>()?,
                }
            } else if let Some(p) = replace {
                let w = with.ok_or_else(|| {
                    CoreError::InvalidArgument("--replace needs --with FILE[:PAGE]".into())
                })?;
                let (file, page) = match w.rsplit_once(':') {
                    Some((f, p)) if p.chars().all(|c| c.is_ascii_digit()) && !p.is_empty() => {
                        (f.to_string(), num(p, "page")?)
                    }
                    _ => (w.clone(), 1),
                };
                PageEdit::Replace {
                    page: p,
                    with: file,
                    with_page: page,
                }
            } else {
                return Err(CoreError::InvalidArgument(
                    "say what to do: --straighten, --rotate, --delete, --reorder or --replace"
                        .into(),
                ));
            };
            let d = office.edit_file(&sha256, &edit)?;
            if out.json {
                out.print_json(&d);
            } else {
                println!(
                    "{} {} → {} ({})",
                    out.t("Bản dẫn xuất", "Derived version"),
                    d.source_sha256,
                    d.sha256,
                    d.operation
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
