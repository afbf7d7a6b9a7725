//! The integrity subcommands: `bag export|import`, `audit verify|log`,
//! `backup`, `restore`, `user add|list|token`, and signing in for every
//! command (`--user`/`DOISOAT_USER` with `DOISOAT_PASSWORD`,
//! `DOISOAT_TOKEN`, or a prompt on the terminal).
//!
//! Randomness (password salts, tokens) is drawn here, at the edge, and
//! passed into the core.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use serde::Serialize;

use doisoat_core::{BagExportOptions, CoreError, Credential, Job, Office, Role};

use crate::output::Out;

#[derive(Subcommand)]
pub enum BagCommand {
    /// Export dossiers as one BagIt bag: a folder, or PATH.tar / PATH.zip.
    Export {
        #[arg(required = true)]
        codes: Vec<String>,
        #[arg(short, long)]
        output: PathBuf,
        /// The sending office (bag-info Source-Organization).
        #[arg(long, env = "DOISOAT_OFFICE")]
        office: Option<String>,
    },
    /// Validate a bag completely, then import what is new.
    Import { path: PathBuf },
    /// Only validate a bag (folder, tar or zip); import nothing.
    Validate { path: PathBuf },
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain; name the first edited, deleted or reordered event.
    Verify,
    /// Show events: a dossier's history, or the newest ones.
    Log {
        #[arg(long)]
        dossier: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add an account (password from DOISOAT_NEW_PASSWORD or a prompt).
    Add {
        name: String,
        /// clerk, archivist, supervisor or administrator.
        #[arg(long)]
        role: String,
    },
    List,
    /// Issue a local token for scripts (printed once; only its hash is kept).
    Token {
        name: String,
    },
}

fn print<T: Serialize>(out: &Out, value: &T, text: impl FnOnce() -> String) {
    if out.json {
        out.print_json(value);
    } else {
        println!("{}", text());
    }
}

fn random_bytes<const N: usize>() -> Result<[u8; N], CoreError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b)
        .map_err(|e| CoreError::InvalidArgument(format!("no randomness available: {e}")))?;
    Ok(b)
}

/// Reads a secret from `env`, else asks on the terminal.
fn secret(env: &str, prompt: &str) -> Result<Option<String>, CoreError> {
    if let Ok(v) = std::env::var(env) {
        return Ok(Some(v));
    }
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    eprint!("{prompt}: ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CoreError::InvalidArgument(e.to_string()))?;
    Ok(Some(line.trim_end_matches(['\r', '\n']).to_string()))
}

/// Signs in as `user` when one is named. A folder with no accounts needs no
/// sign-in: its local administrator acts.
pub fn sign_in(office: &Office, user: Option<&str>) -> Result<(), CoreError> {
    let Some(user) = user.map(str::trim).filter(|u| !u.is_empty()) else {
        return Ok(());
    };
    if let Ok(token) = std::env::var("DOISOAT_TOKEN") {
        office.sign_in(user, Credential::Token(&token))?;
        return Ok(());
    }
    match secret("DOISOAT_PASSWORD", &format!("Mật khẩu / password ({user})"))? {
        Some(p) => office.sign_in(user, Credential::Password(&p)).map(|_| ()),
        None => {
            // No account yet means nothing to sign in to.
            match office.actor() {
                Ok(a) if a.role.is_none() => Ok(()),
                _ => Err(CoreError::SignInRequired),
            }
        }
    }
}

pub fn bag(office: &Office, cmd: BagCommand, out: &Out) -> Result<ExitCode, CoreError> {
    match cmd {
        BagCommand::Validate { path } => validate(&path, out),
        BagCommand::Export {
            codes,
            output,
            office: org,
        } => {
            let r = office.export_bag(
                &codes,
                &output,
                &BagExportOptions {
                    source_organization: org,
                },
            )?;
            print(out, &r, || {
                format!(
                    "{} {} → {} ({} {}, {} byte, Payload-Oxum {})",
                    out.t("Đã xuất", "Exported"),
                    r.dossiers.join(", "),
                    r.path,
                    r.files,
                    out.t("tệp", "files"),
                    r.bytes,
                    r.payload_oxum
                )
            });
            Ok(ExitCode::SUCCESS)
        }
        BagCommand::Import { path } => {
            let r = office.import_bag(&path, &Job::quiet())?;
            print(out, &r, || {
                let mut s = if r.unchanged {
                    out.t(
                        "Gói đã được nhập trước đó; không có gì thay đổi",
                        "Bag already imported; nothing changed",
                    )
                    .to_string()
                } else {
                    format!(
                        "{}: {} {}, {} {}, {} {}",
                        out.t("Đã nhập gói", "Imported bag"),
                        r.dossiers_added,
                        out.t("hồ sơ mới", "new dossiers"),
                        r.files_stored,
                        out.t("tệp mới", "new files"),
                        r.links_added,
                        out.t("liên kết mới", "new links")
                    )
                };
                for c in &r.conflicts {
                    s.push_str(&format!(
                        "\n{} {} ({}): {}",
                        out.t(
                            "Xung đột, giữ cả hai bản, cần người quyết định:",
                            "Conflict, both kept, a person decides:"
                        ),
                        c.dossier,
                        c.what,
                        c.incoming
                    ));
                }
                for f in &r.failed {
                    s.push_str(&format!("\n{f}"));
                }
                s
            });
            Ok(ExitCode::from(if r.failed.is_empty() { 0 } else { 2 }))
        }
    }
}

/// `bag validate` needs no data folder.
pub fn validate(path: &Path, out: &Out) -> Result<ExitCode, CoreError> {
    let v = doisoat_core::archive::validate_bag(path)?;
    print(out, &v, || {
        format!(
            "{} {}: {} {}, {} byte",
            out.t("Gói hợp lệ", "Valid bag"),
            v.bag,
            v.files,
            out.t("tệp", "files"),
            v.bytes
        )
    });
    Ok(ExitCode::SUCCESS)
}

pub fn audit(office: &Office, cmd: AuditCommand, out: &Out) -> Result<ExitCode, CoreError> {
    match cmd {
        AuditCommand::Verify => {
            let r = office.audit_verify()?;
            print(out, &r, || match r.first_bad {
                None => format!(
                    "{}: {} {}",
                    out.t("Nhật ký nguyên vẹn", "Audit trail intact"),
                    r.events,
                    out.t("sự kiện", "events")
                ),
                Some(seq) => format!(
                    "{} #{seq} ({})",
                    out.t(
                        "Nhật ký bị can thiệp; sự kiện hỏng đầu tiên:",
                        "Audit trail tampered with; first bad event:"
                    ),
                    r.problem.as_deref().unwrap_or("?")
                ),
            });
            Ok(ExitCode::from(if r.ok { 0 } else { 1 }))
        }
        AuditCommand::Log { dossier, limit } => {
            let events = match dossier {
                Some(code) => office.history(&code)?,
                None => office.audit_events(limit)?,
            };
            print(out, &events, || {
                events
                    .iter()
                    .map(|e| {
                        format!(
                            "#{} {} {} {} {} {} {}",
                            e.seq,
                            e.at,
                            e.actor,
                            e.action,
                            e.subject,
                            e.outcome,
                            e.after.as_deref().unwrap_or("")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub fn backup(office: &Office, dest: &Path, out: &Out) -> Result<ExitCode, CoreError> {
    let s = office.backup(dest)?;
    print(out, &s, || {
        format!(
            "{} {} ({} {}, {} byte; CSDL {})",
            out.t("Đã sao lưu vào", "Backed up to"),
            dest.display(),
            s.objects,
            out.t("tệp", "files"),
            s.object_bytes,
            s.db_content_sha256
        )
    });
    Ok(ExitCode::SUCCESS)
}

pub fn restore(backup: &Path, data: &Path, out: &Out) -> Result<ExitCode, CoreError> {
    let r = doisoat_core::archive::restore(backup, data)?;
    print(out, &r, || {
        format!(
            "{} {} ({} {}, {} byte): {}",
            out.t("Đã phục hồi vào", "Restored into"),
            data.display(),
            r.objects,
            out.t("tệp", "files"),
            r.object_bytes,
            if r.identical {
                out.t("giống hệt bản sao lưu", "identical to the backup")
            } else {
                out.t("KHÁC bản sao lưu", "DIFFERENT from the backup")
            }
        )
    });
    Ok(ExitCode::from(if r.identical { 0 } else { 1 }))
}

pub fn user(office: &Office, cmd: UserCommand, out: &Out) -> Result<ExitCode, CoreError> {
    match cmd {
        UserCommand::Add { name, role } => {
            let role = Role::parse(&role)
                .ok_or_else(|| CoreError::InvalidArgument(format!("unknown role '{role}'")))?;
            let password = secret(
                "DOISOAT_NEW_PASSWORD",
                &format!("Mật khẩu mới / new password ({name})"),
            )?
            .ok_or_else(|| {
                CoreError::InvalidArgument("set DOISOAT_NEW_PASSWORD or run in a terminal".into())
            })?;
            let u = office.add_user(&name, role, &password, &random_bytes::<16>()?)?;
            print(out, &u, || {
                format!(
                    "{} {} ({})",
                    out.t("Đã thêm tài khoản", "Added account"),
                    u.name,
                    u.role
                )
            });
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::List => {
            let users = office.users()?;
            print(out, &users, || {
                users
                    .iter()
                    .map(|u| format!("{}\t{}", u.name, u.role))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::Token { name } => {
            let token = hex::encode(random_bytes::<32>()?);
            office.set_token(&name, &token)?;
            print(
                out,
                &serde_json::json!({ "user": name, "token": token }),
                || token.clone(),
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
