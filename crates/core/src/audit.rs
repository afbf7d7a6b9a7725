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
use time::format_description::well_known::Rfc3339;
use time::{macros::format_description, OffsetDateTime, UtcOffset};

use std::sync::Mutex;

use doisoat_db::audit::{self, Break, NewEvent};
use doisoat_db::Connection;
use doisoat_domain::Side;
use doisoat_ingest::Outcome;

use crate::auth::Action;
use crate::{CoreError, Office, Result};

const HEAD_FILE: &str = "audit.head";

/// An ingest's audit event: `ingest` for new bytes, `link` for bytes the
/// store already held; the subject is the dossier, or the hash when the file
/// is linked to none. See [`Office::ingest_event`].
pub(crate) struct IngestEvent {
    actor: String,
    at: String,
    name: String,
    side: Side,
    appended: Mutex<Option<audit::EventRow>>,
}

impl IngestEvent {
    /// The `on_record` hook: appends the event on the ingest's transaction.
    pub(crate) fn append(
        &self,
        conn: &Connection,
        o: &Outcome,
    ) -> std::result::Result<(), doisoat_db::DbError> {
        let after = serde_json::json!({"sha256": o.sha256, "name": self.name, "dossier": o.dossier,
            "component": o.component, "side": self.side.as_str()});
        let e = NewEvent {
            at: self.at.clone(),
            actor: self.actor.clone(),
            action: if o.duplicate { "link" } else { "ingest" }.to_string(),
            subject: o.dossier.clone().unwrap_or_else(|| o.sha256.clone()),
            outcome: "ok".to_string(),
            before: None,
            after: Some(after.to_string()),
        };
        let row = audit::append_in(conn, &e)?;
        *self.appended.lock().unwrap_or_else(|e| e.into_inner()) = Some(row);
        Ok(())
    }
}

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

/// One event of a dossier's history, ready for the screen: the local time
/// of the desk, and before/after split into the fields that changed.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HistoryEntry {
    pub seq: i64,
    /// As recorded, UTC (`…Z`).
    pub at: String,
    /// Vietnam time (UTC+7, no daylight saving), `dd/mm/yyyy HH:mm`.
    pub at_local: String,
    pub actor: String,
    /// ingest, link, resolve, export, bag_import, … (the screen names it).
    pub action: String,
    /// `ok`, or `refused` for an attempt the account's role does not allow.
    pub outcome: String,
    pub changes: Vec<HistoryChange>,
}

/// One field of an event's before/after, as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HistoryChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

const VN: UtcOffset = match UtcOffset::from_hms(7, 0, 0) {
    Ok(o) => o,
    Err(_) => panic!("UTC+7 is a valid offset"),
};

/// `2026-11-27T17:05:09Z` → `28/11/2026 00:05` (Vietnam time). Text that is
/// not an RFC 3339 instant is shown as it is.
fn local_minute(at: &str) -> String {
    OffsetDateTime::parse(at, &Rfc3339)
        .ok()
        .and_then(|t| {
            t.to_offset(VN)
                .format(format_description!("[day]/[month]/[year] [hour]:[minute]"))
                .ok()
        })
        .unwrap_or_else(|| at.to_string())
}

/// A JSON value as a person reads it: strings bare, null as nothing.
fn shown(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// The fields of `before`/`after` (JSON objects; anything else is one field
/// named `value`), in the order they first appear, with what each held.
fn changes(before: Option<&str>, after: Option<&str>) -> Vec<HistoryChange> {
    let parse = |s: Option<&str>| -> Vec<(String, Value)> {
        match s.map(serde_json::from_str::<Value>) {
            None => Vec::new(),
            Some(Ok(Value::Object(m))) => m.into_iter().collect(),
            Some(Ok(v)) => vec![("value".to_string(), v)],
            Some(Err(_)) => vec![(
                "value".to_string(),
                Value::String(s.unwrap_or_default().into()),
            )],
        }
    };
    let (b, a) = (parse(before), parse(after));
    let mut out: Vec<HistoryChange> = Vec::new();
    for (k, _) in b.iter().chain(a.iter()) {
        if out.iter().any(|c| &c.field == k) {
            continue;
        }
        let find = |side: &[(String, Value)]| {
            side.iter()
                .find(|(f, _)| f == k)
                .and_then(|(_, v)| shown(v))
        };
        out.push(HistoryChange {
            field: k.clone(),
            before: find(&b),
            after: find(&a),
        });
    }
    out
}

impl From<AuditEvent> for HistoryEntry {
    fn from(e: AuditEvent) -> Self {
        HistoryEntry {
            seq: e.seq,
            at_local: local_minute(&e.at),
            changes: changes(e.before.as_deref(), e.after.as_deref()),
            at: e.at,
            actor: e.actor,
            action: e.action,
            outcome: e.outcome,
        }
    }
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
        let e = self.new_event(actor, action, subject, outcome, before, after);
        let row = audit::append(&mut self.conn(), &e)?;
        self.keep_head(&row);
        Ok(())
    }

    /// An event by `actor` at the office's clock, to append on its own
    /// ([`Office::record`]) or inside the transaction of the change it
    /// records.
    pub(crate) fn new_event(
        &self,
        actor: &str,
        action: &str,
        subject: &str,
        outcome: &str,
        before: Option<Value>,
        after: Option<Value>,
    ) -> NewEvent {
        NewEvent {
            at: self.now(),
            actor: actor.to_string(),
            action: action.to_string(),
            subject: subject.to_string(),
            outcome: outcome.to_string(),
            before: before.map(|v| v.to_string()),
            after: after.map(|v| v.to_string()),
        }
    }

    /// Writes the chain's head beside the database. Best effort: a missing
    /// head file only weakens the tail check.
    pub(crate) fn keep_head(&self, row: &audit::EventRow) {
        let _ = std::fs::write(
            self.dir().join(HEAD_FILE),
            format!("{} {}\n", row.seq, row.hash),
        );
    }

    /// The audit event of one ingest of the file `name`, to append inside
    /// the ingest's own transaction (`doisoat_ingest::Context::on_record`).
    /// The actor and time are taken now: the hook runs while the ingest
    /// holds the database.
    pub(crate) fn ingest_event(&self, name: &str, side: Side) -> IngestEvent {
        IngestEvent {
            actor: self.actor().map(|a| a.name).unwrap_or_else(|_| "?".into()),
            at: self.now(),
            name: name.to_string(),
            side,
            appended: Mutex::new(None),
        }
    }

    /// After the ingest: if it committed, the head file follows the chain
    /// (an ingest that failed rolled its event back with it).
    pub(crate) fn ingest_event_done(&self, event: IngestEvent, committed: bool) {
        let row = event
            .appended
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        if let (Some(row), true) = (row, committed) {
            self.keep_head(&row);
        }
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

    /// Makes a change and records it as `actor`'s (the name `require`
    /// returned) in one transaction: the change and its audit event land
    /// together or not at all (a settings row or a removed link without its
    /// event would leave the chain silent about who changed it).
    pub(crate) fn audited(
        &self,
        actor: &str,
        action: &str,
        subject: &str,
        before: Option<Value>,
        after: Option<Value>,
        change: impl FnOnce(&Connection) -> Result<()>,
    ) -> Result<()> {
        let row = {
            let mut conn = self.conn();
            let tx = conn
                .transaction_with_behavior(doisoat_db::TransactionBehavior::Immediate)
                .map_err(doisoat_db::DbError::from)?;
            change(&tx)?;
            let event = self.new_event(actor, action, subject, "ok", before, after);
            let row = audit::append_in(&tx, &event)?;
            tx.commit().map_err(doisoat_db::DbError::from)?;
            row
        };
        self.keep_head(&row);
        Ok(())
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

    /// A dossier's history for the screen, newest first.
    pub fn dossier_history(&self, code: &str) -> Result<Vec<HistoryEntry>> {
        let mut events: Vec<HistoryEntry> = self
            .history(code)?
            .into_iter()
            .map(HistoryEntry::from)
            .collect();
        events.reverse();
        Ok(events)
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_change_and_its_audit_event_land_together_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let office = Office::open(&dir.path().join("data")).unwrap();
        let events = || office.audit_events(1000).unwrap().len();
        let value = || doisoat_db::lifecycle::setting(&office.conn(), "probe").unwrap();
        let before = events();
        let failed = office.audited("admin", "settings", "probe", None, None, |tx| {
            doisoat_db::lifecycle::set_setting(tx, "probe", "1", &office.now())?;
            Err(CoreError::InvalidArgument("refused halfway".into()))
        });
        assert!(matches!(failed, Err(CoreError::InvalidArgument(_))));
        assert_eq!(
            (value(), events()),
            (None, before),
            "nothing is left behind"
        );
        office
            .audited("admin", "settings", "probe", None, Some(json!(2)), |tx| {
                doisoat_db::lifecycle::set_setting(tx, "probe", "2", &office.now())?;
                Ok(())
            })
            .unwrap();
        assert_eq!((value().as_deref(), events()), (Some("2"), before + 1));
        let last = office.audit_events(1).unwrap().remove(0);
        assert_eq!(
            (last.action.as_str(), last.subject.as_str()),
            ("settings", "probe")
        );
        assert!(office.audit_verify().unwrap().ok);
    }

    #[test]
    fn local_time_is_vietnam_time_to_the_minute() {
        assert_eq!(local_minute("2026-11-27T17:05:09Z"), "28/11/2026 00:05");
        assert_eq!(local_minute("2026-01-02T03:04:59Z"), "02/01/2026 10:04");
        assert_eq!(local_minute("yesterday"), "yesterday");
    }

    #[test]
    fn changes_pair_fields_of_before_and_after() {
        let c = changes(
            Some(r#"{"finding": 3, "status": "open", "note": null}"#),
            Some(
                r#"{"finding": 3, "status": "resolved", "note": "Đã đối chiếu", "decided_by": "Đào"}"#,
            ),
        );
        let row = |f: &str, b: Option<&str>, a: Option<&str>| HistoryChange {
            field: f.into(),
            before: b.map(Into::into),
            after: a.map(Into::into),
        };
        assert_eq!(
            c,
            vec![
                row("finding", Some("3"), Some("3")),
                row("status", Some("open"), Some("resolved")),
                row("note", None, Some("Đã đối chiếu")),
                row("decided_by", None, Some("Đào")),
            ]
        );
        assert_eq!(changes(None, None), vec![]);
        assert_eq!(
            changes(None, Some("[1,2]")),
            vec![row("value", None, Some("[1,2]"))]
        );
    }
}
