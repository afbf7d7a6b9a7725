//! The audit trail as the fronts see it: every change is recorded as an
//! append-only, hash-chained event (see `doisoat_db::audit`), and
//! [`Office::audit_verify`] names the first event that was edited, deleted
//! or reordered.
//!
//! The chain's head (seq and hash) is also written to `audit.head` beside the
//! database after each event, so deleting the newest events (which leaves a
//! shorter but consistent chain) is caught too.

use serde::Serialize;
use serde_json::Value;

use doisoat_db::audit::{self, Break, NewEvent};

use crate::auth::Action;
use crate::{CoreError, Office, Result};

const HEAD_FILE: &str = "audit.head";

/// One event, for a dossier's history screen and `audit` listings.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditEvent {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub outcome: String,
    /// JSON text, or null.
    pub before: Option<String>,
    pub after: Option<String>,
}

/// What `audit verify` found.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditReport {
    pub events: u64,
    pub ok: bool,
    /// The first event that breaks the chain.
    pub first_bad: Option<i64>,
    /// edited | deleted_or_reordered | out_of_sequence | truncated
    pub problem: Option<String>,
    pub head_hash: Option<String>,
}

impl From<audit::EventRow> for AuditEvent {
    fn from(r: audit::EventRow) -> Self {
        AuditEvent {
            seq: r.seq,
            at: r.event.at,
            actor: r.event.actor,
            action: r.event.action,
            subject: r.event.subject,
            outcome: r.event.outcome,
            before: r.event.before,
            after: r.event.after,
        }
    }
}

impl Office {
    /// Records an event as `actor`.
    pub(crate) fn record(
        &self,
        actor: &str,
        action: &str,
        subject: &str,
        outcome: &str,
        before: Option<Value>,
        after: Option<Value>,
    ) -> Result<()> {
        let e = NewEvent {
            at: self.now(),
            actor: actor.to_string(),
            action: action.to_string(),
            subject: subject.to_string(),
            outcome: outcome.to_string(),
            before: before.map(|v| v.to_string()),
            after: after.map(|v| v.to_string()),
        };
        let row = audit::append(&mut self.conn(), &e)?;
        // Best effort: a missing head file only weakens the tail check.
        let _ = std::fs::write(
            self.dir().join(HEAD_FILE),
            format!("{} {}\n", row.seq, row.hash),
        );
        Ok(())
    }

    /// Records a successful change by the current actor.
    pub(crate) fn audit(
        &self,
        action: &str,
        subject: &str,
        before: Option<Value>,
        after: Option<Value>,
    ) -> Result<()> {
        let actor = self.actor().map(|a| a.name).unwrap_or_else(|_| "?".into());
        self.record(&actor, action, subject, "ok", before, after)
    }

    /// Walks the whole chain and names the first bad event.
    pub fn audit_verify(&self) -> Result<AuditReport> {
        self.require(Action::AuditVerify, "audit")?;
        let check = audit::verify(&self.conn())?;
        let mut report = AuditReport {
            events: check.events,
            ok: check.first_bad.is_none(),
            first_bad: check.first_bad.as_ref().map(|b| b.seq),
            problem: check.first_bad.as_ref().map(|b| {
                match b.why {
                    Break::Edited => "edited",
                    Break::Unlinked => "deleted_or_reordered",
                    Break::OutOfSequence { .. } => "deleted_or_reordered",
                }
                .to_string()
            }),
            head_hash: check.head.as_ref().map(|h| h.1.clone()),
        };
        if report.ok {
            if let Some((seq, hash)) = self.recorded_head() {
                let held = audit::of_seq(&self.conn(), seq)?;
                if held.as_deref() != Some(hash.as_str()) {
                    report.ok = false;
                    report.first_bad = Some(seq);
                    report.problem = Some("truncated".into());
                }
            }
        }
        Ok(report)
    }

    fn recorded_head(&self) -> Option<(i64, String)> {
        let text = std::fs::read_to_string(self.dir().join(HEAD_FILE)).ok()?;
        let (seq, hash) = text.trim().split_once(' ')?;
        Some((seq.parse().ok()?, hash.to_string()))
    }

    /// The history of a dossier (events whose subject is its code), oldest first.
    pub fn history(&self, code: &str) -> Result<Vec<AuditEvent>> {
        let code = code.trim();
        if doisoat_db::dossiers::id_of(&self.conn(), code)?.is_none() {
            return Err(CoreError::DossierNotFound(code.to_string()));
        }
        Ok(audit::of_subject(&self.conn(), code)?
            .into_iter()
            .map(AuditEvent::from)
            .collect())
    }

    /// The newest `limit` events, newest first.
    pub fn audit_events(&self, limit: u32) -> Result<Vec<AuditEvent>> {
        self.require(Action::AuditVerify, "audit")?;
        Ok(audit::latest(&self.conn(), limit)?
            .into_iter()
            .map(AuditEvent::from)
            .collect())
    }
}
