//! `doisoat`: the command line. A thin front over `doisoat-core`: each
//! subcommand parses its arguments, calls one `Office` method and prints the
//! result as text (Vietnamese by default, `--lang en`) or as JSON.
//!
//! Exit codes: 0 success; 1 a negative answer (`compare`: the copies differ,
//! `verify`: damage found); 2 trouble (bad input, bad rows, unreadable files).

mod intake;
mod integrity;
mod output;
mod report;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use doisoat_core::{
    data_dir, CoreError, DossierQuery, FindingFilter, FindingKind, FindingUpdate, ImportOptions,
    Job, Lang, LinkTarget, Office,
};
use doisoat_domain::{FindingStatus, Side};

use output::Out;

#[derive(Parser)]
#[command(
    name = "doisoat",
    version,
    about = "Đối soát hồ sơ: reconcile paper and electronic dossier copies"
)]
struct Cli {
    /// Folder holding the database and the file store.
    #[arg(long, global = true, env = "DOISOAT_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Language of messages: vi or en.
    #[arg(long, global = true, env = "DOISOAT_LANG", default_value = "vi")]
    lang: String,
    /// Print machine-readable JSON on stdout.
    #[arg(long, global = true)]
    json: bool,
    /// Act as this account (password from DOISOAT_PASSWORD, a token from
    /// DOISOAT_TOKEN, or a prompt). Not needed while the folder has no accounts.
    #[arg(long, global = true, env = "DOISOAT_USER")]
    user: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Import dossier records: portal JSON (with its files), a CSV list or an XLSX export.
    Import {
        file: PathBuf,
        /// Import the good rows even when some rows are bad.
        #[arg(long)]
        skip_invalid: bool,
        /// XLSX: read the columns with this saved preset (see `preset`) only.
        #[arg(long)]
        preset: Option<String>,
    },
    /// Store scans (paper copies by default) and link them to their dossier.
    Ingest {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Dossier code to link to (else found in each file name).
        #[arg(long)]
        dossier: Option<String>,
        /// Component code (thành phần hồ sơ) to link to.
        #[arg(long)]
        component: Option<String>,
        /// The files are electronic copies, not paper scans.
        #[arg(long)]
        electronic: bool,
        /// Each file is a scanned batch: split it on separator sheets and receipt codes.
        #[arg(long, conflicts_with_all = ["dossier", "component", "electronic"])]
        split: bool,
    },
    /// Print separator sheets (A4 PDF, one per dossier code).
    Sheet {
        #[arg(required = true)]
        codes: Vec<String>,
        #[arg(long, short = 'o')]
        output: PathBuf,
    },
    /// Scan a batch from a scanner (SANE) and ingest it.
    Scan(intake::ScanArgs),
    /// Watch a folder (a copier's "scan to folder") and ingest each file once.
    Watch(intake::WatchArgs),
    /// Intake flags and derived versions.
    #[command(subcommand)]
    Intake(intake::IntakeCommand),
    /// Compare paper and electronic copies and store findings.
    Reconcile { dossier: Option<String> },
    /// List findings.
    Findings {
        #[arg(long)]
        dossier: Option<String>,
        /// open, acknowledged or resolved.
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        kind: Option<String>,
    },
    /// Acknowledge or resolve a finding, with a note.
    Decide {
        id: i64,
        /// acknowledged or resolved.
        #[arg(long, default_value = "resolved")]
        status: String,
        #[arg(long)]
        note: Option<String>,
        /// Who decides; defaults to the login name.
        #[arg(long, env = "DOISOAT_USER")]
        actor: Option<String>,
    },
    /// Compare two files directly (see contracts/compare.md).
    Compare { paper: PathBuf, electronic: PathBuf },
    /// Re-hash the store; list missing, changed and untracked files.
    Verify {
        /// Verify at most N files, those verified longest ago first.
        #[arg(long)]
        max_files: Option<u64>,
        /// Read at most this many MB per second.
        #[arg(long)]
        pace_mb: Option<f64>,
        /// Show the verification history of one stored file instead.
        #[arg(long)]
        history: Option<String>,
    },
    /// BagIt exchange packages.
    #[command(subcommand)]
    Bag(integrity::BagCommand),
    /// The audit trail.
    #[command(subcommand)]
    Audit(integrity::AuditCommand),
    /// Back up the data folder (while in use) into an empty folder.
    Backup { path: PathBuf },
    /// Restore a backup into the (empty) data folder, and prove it identical.
    Restore { path: PathBuf },
    /// Local accounts.
    #[command(subcommand)]
    User(integrity::UserCommand),
    /// List or search dossiers (code, applicant name, CCCD; accents optional).
    Dossiers {
        query: Option<String>,
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        open_findings: bool,
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Show one dossier: components, copies (with their link ids), findings.
    Show { code: String },
    /// Take back a file's link to its dossier (the id `show` prints, as
    /// #N): for a file linked to the wrong dossier or component. The file
    /// stays stored; the unlinking is audited.
    Unlink { copy: i64 },
    /// Lifecycle, deadlines and the office's figures.
    #[command(flatten)]
    Lifecycle(report::LifecycleCommand),
    /// Load the demo set from the fixtures folder and reconcile it.
    Demo {
        #[arg(default_value = "fixtures")]
        fixtures: PathBuf,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "error".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let out = Out {
        lang: Lang::parse(&cli.lang),
        json: cli.json,
    };
    match run(cli, &out) {
        Ok(code) => code,
        Err(e) => {
            out.error(&e);
            ExitCode::from(2)
        }
    }
}

fn parse_status(s: &str) -> Result<FindingStatus, CoreError> {
    FindingStatus::parse(s)
        .ok_or_else(|| CoreError::InvalidArgument(format!("unknown status '{s}'")))
}

fn run(cli: Cli, out: &Out) -> Result<ExitCode, CoreError> {
    // Opened per command: `compare` needs no data folder.
    let data = cli.data_dir.clone();
    let user = cli.user.clone();
    let open = || -> Result<Office, CoreError> {
        let office = Office::open(&data_dir(data.clone())?)?;
        office.set_lang(out.lang);
        integrity::sign_in(&office, user.as_deref())?;
        Ok(office)
    };
    let job = Job::quiet();
    match cli.command {
        Command::Compare { paper, electronic } => {
            let report = doisoat_core::compare_files(&paper, &electronic, &job)?;
            out.compare(&report);
            Ok(ExitCode::from(
                if report.verdict == doisoat_compare::Verdict::Match {
                    0
                } else {
                    1
                },
            ))
        }
        Command::Import {
            file,
            skip_invalid,
            preset,
        } => {
            let r = open()?.import_with_preset(
                &file,
                &ImportOptions { skip_invalid },
                preset.as_deref(),
                &job,
            )?;
            out.import(&r);
            Ok(ExitCode::from(if r.imported || r.already_imported {
                0
            } else {
                2
            }))
        }
        Command::Ingest {
            files,
            dossier,
            component,
            electronic,
            split,
        } => {
            if split {
                return intake::ingest_split(&open()?, &files, out);
            }
            let target = LinkTarget {
                dossier,
                component,
                side: Some(if electronic {
                    Side::Electronic
                } else {
                    Side::Paper
                }),
            };
            let r = open()?.ingest(&files, &target, &job)?;
            out.ingest(&r);
            Ok(ExitCode::from(if r.failed > 0 { 2 } else { 0 }))
        }
        Command::Reconcile { dossier } => {
            let r = open()?.reconcile(dossier.as_deref(), &job)?;
            out.reconcile(&r);
            Ok(ExitCode::SUCCESS)
        }
        Command::Findings {
            dossier,
            status,
            kind,
        } => {
            let status = status.as_deref().map(parse_status).transpose()?;
            let kind = match kind.as_deref() {
                None => None,
                Some(k) => Some(
                    FindingKind::parse(k)
                        .ok_or_else(|| CoreError::InvalidArgument(format!("unknown kind '{k}'")))?,
                ),
            };
            let f = open()?.findings(&FindingFilter {
                dossier,
                status,
                kind,
            })?;
            out.findings(&f);
            Ok(ExitCode::SUCCESS)
        }
        Command::Decide {
            id,
            status,
            note,
            actor,
        } => {
            let actor = actor
                .or_else(|| std::env::var("USER").ok())
                .unwrap_or_else(|| "doisoat".into());
            let f = open()?.update_finding(
                id,
                &FindingUpdate {
                    status: parse_status(&status)?,
                    note,
                    actor,
                },
            )?;
            out.findings(std::slice::from_ref(&f));
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify {
            max_files,
            pace_mb,
            history,
        } => {
            let office = open()?;
            if let Some(sha) = history {
                let h = office.fixity_history(&sha)?;
                out.print_json(&h);
                return Ok(ExitCode::SUCCESS);
            }
            let opts = doisoat_core::FixityOptions {
                max_files,
                bytes_per_sec: pace_mb.map(|m| (m * 1_000_000.0) as u64),
            };
            let r = office.fixity_pass(&opts, &job)?;
            out.verify(&r);
            Ok(ExitCode::from(if r.ok() { 0 } else { 1 }))
        }
        Command::Dossiers {
            query,
            status,
            open_findings,
            from,
            to,
            limit,
        } => {
            let q = DossierQuery {
                text: query,
                status,
                has_open_findings: open_findings.then_some(true),
                received_from: from,
                received_to: to,
                offset: 0,
                limit,
            };
            let page = open()?.list_dossiers(&q)?;
            out.dossiers(&page);
            Ok(ExitCode::SUCCESS)
        }
        Command::Show { code } => {
            let v = open()?.dossier(&code)?;
            out.dossier(&v);
            Ok(ExitCode::SUCCESS)
        }
        Command::Unlink { copy } => {
            let c = open()?.unlink_copy(copy)?;
            out.unlinked(&c);
            Ok(ExitCode::SUCCESS)
        }
        Command::Bag(integrity::BagCommand::Validate { path }) => integrity::validate(&path, out),
        Command::Bag(cmd) => integrity::bag(&open()?, cmd, out),
        Command::Audit(cmd) => integrity::audit(&open()?, cmd, out),
        Command::Backup { path } => integrity::backup(&open()?, &path, out),
        Command::Restore { path } => integrity::restore(&path, &data_dir(data.clone())?, out),
        Command::User(cmd) => integrity::user(&open()?, cmd, out),
        Command::Lifecycle(cmd) => report::run(cmd, &open()?, out),
        Command::Sheet { codes, output } => intake::sheet(&open()?, &codes, &output, out),
        Command::Scan(a) => intake::scan(open, a, out),
        Command::Watch(a) => intake::watch(&open()?, a, out),
        Command::Intake(cmd) => intake::intake(&open()?, cmd, out),
        Command::Demo { fixtures } => {
            let r = open()?.load_demo(&fixtures, &job)?;
            out.import(&r.import);
            out.ingest(&r.ingest);
            out.reconcile(&r.reconcile);
            Ok(ExitCode::SUCCESS)
        }
    }
}
