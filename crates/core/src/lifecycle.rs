//! The lifecycle of a dossier: recording changes of state (who and when),
//! keeping its due date right under the rules of the day it was received
//! (supplements restart the clock, waiting periods do not count), and the
//! office's calendar and options.
//!
//! The per-dossier row in `lifecycle` is recomputed from the history and the
//! calendar on every change, so the dashboard only aggregates.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use doisoat_calendar::{
    self as cal, parse_iso_date, Date, DeadlineInput, HolidayTable, OfficeOptions, RuleBook,
    Standing, WorkCalendar, YearTable,
};
use doisoat_db::{dossiers, lifecycle as db, Connection};

use crate::auth::Action;
use crate::{dates, CoreError, Office, Result};

/// The states a dossier moves through.
pub const STATES: &[&str] = &[
    "received",
    "supplement_requested",
    "supplement_received",
    "processing",
    "result_ready",
    "returned",
    "withdrawn",
    "refused",
];

/// Which state may follow which. `received` only opens a dossier.
fn allowed(from: &str, to: &str) -> bool {
    matches!(
        (from, to),
        (
            "received" | "supplement_received" | "processing",
            "supplement_requested" | "processing" | "result_ready" | "refused" | "withdrawn"
        ) | (
            "supplement_requested",
            "supplement_received" | "refused" | "withdrawn"
        ) | ("result_ready", "returned")
    )
}

fn unfinished(state: &str) -> bool {
    matches!(
        state,
        "received" | "supplement_requested" | "supplement_received" | "processing"
    )
}

/// Reads the intake channel as exports write it: `desk`, `online_full`
/// (toàn trình; older data: mức độ 4), `online_partial` (một phần; mức độ 3), `post`.
pub fn parse_channel(s: &str) -> Option<&'static str> {
    let f = doisoat_domain::text::fold(s.trim()).replace(['_', '-'], " ");
    let f = f.trim();
    Some(match f {
        "desk" | "truc tiep" | "tai quay" | "tai bo phan mot cua" | "mot cua" => "desk",
        "online full" | "toan trinh" | "truc tuyen toan trinh" | "4" | "muc do 4" | "level 4" => {
            "online_full"
        }
        "online partial" | "mot phan" | "truc tuyen mot phan" | "3" | "muc do 3" | "level 3" => {
            "online_partial"
        }
        "post" | "buu chinh" | "buu chinh cong ich" | "qua buu chinh" => "post",
        _ => return None,
    })
}

/// How the result goes back: `desk` or `post` (bưu chính công ích).
pub fn parse_return_channel(s: &str) -> Option<&'static str> {
    match parse_channel(s)? {
        "desk" => Some("desk"),
        "post" => Some("post"),
        _ => None,
    }
}

/// One change of state as a front reports it.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LifecycleEvent {
    /// One of [`STATES`].
    pub state: String,
    /// When it happened: dd/mm/yyyy [HH:MM], yyyyMMddHHmmss or ISO 8601.
    pub at: String,
    /// Who did it.
    pub actor: String,
    pub note: Option<String>,
    /// On `received`: the intake channel (default desk).
    pub channel: Option<String>,
    /// On `received`: the officer in charge (default the actor).
    pub officer: Option<String>,
    /// On `received`: scanned at the desk.
    pub digitised: Option<bool>,
    /// On `returned`: desk or post.
    pub return_channel: Option<String>,
}

/// One dossier's lifecycle for a screen or `--json`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LifecycleView {
    pub code: String,
    pub state: String,
    pub channel: String,
    pub return_channel: Option<String>,
    pub officer: Option<String>,
    pub procedure_code: Option<String>,
    /// dd/mm/yyyy.
    pub received: String,
    pub deadline_days: Option<u32>,
    pub due: Option<String>,
    pub finished: Option<String>,
    pub outcome: Option<String>,
    /// For unfinished dossiers: working days overdue (> 0) or left (≤ 0 means due in that many).
    pub overdue_days: Option<i64>,
    pub days_left: Option<i64>,
    /// The apology letter (Mẫu 04) should be issued from this day (dd/mm/yyyy).
    pub apology_from: Option<String>,
    pub digitised: bool,
    pub history: Vec<HistoryEntry>,
    pub waiting_periods: Vec<WaitingPeriod>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HistoryEntry {
    pub state: String,
    /// ISO 8601 with offset.
    pub at: String,
    pub actor: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WaitingPeriod {
    pub from: String,
    pub to: String,
    pub reason: String,
}

/// Calendar, rules and options as the office has them (edits over the shipped data).
pub(crate) struct Calendar {
    pub table: HolidayTable,
    pub rules: RuleBook,
    pub work: WorkCalendar,
    pub reminder_days: u32,
}

/// The office's options kept in `settings`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OfficeSettings {
    pub saturday_morning: bool,
    /// Remind the officer this many working days before the apology letter is due.
    pub reminder_days: u32,
}

impl Default for OfficeSettings {
    fn default() -> Self {
        OfficeSettings {
            saturday_morning: false,
            reminder_days: 1,
        }
    }
}

fn cal_err(e: cal::CalendarError) -> CoreError {
    CoreError::InvalidArgument(e.to_string())
}

pub(crate) fn load_calendar(conn: &Connection) -> Result<Calendar> {
    let table = match db::setting(conn, "calendar")? {
        Some(json) => HolidayTable::from_json(&json).map_err(cal_err)?,
        None => HolidayTable::shipped(),
    };
    let rules = match db::setting(conn, "rules")? {
        Some(json) => RuleBook::from_json(&json).map_err(cal_err)?,
        None => RuleBook::shipped(),
    };
    let settings = office_settings(conn)?;
    let work = WorkCalendar::new(
        &table,
        OfficeOptions {
            saturday_morning: settings.saturday_morning,
        },
    )
    .map_err(cal_err)?;
    Ok(Calendar {
        table,
        rules,
        work,
        reminder_days: settings.reminder_days,
    })
}

pub(crate) fn office_settings(conn: &Connection) -> Result<OfficeSettings> {
    json_setting(conn, "office")
}

/// A setting kept as JSON under `key`, or `T`'s default until one is set.
pub(crate) fn json_setting<T: serde::de::DeserializeOwned + Default>(
    conn: &Connection,
    key: &str,
) -> Result<T> {
    Ok(match db::setting(conn, key)? {
        Some(json) => serde_json::from_str(&json).map_err(doisoat_db::DbError::from)?,
        None => T::default(),
    })
}

fn local_date(at: &str) -> Option<Date> {
    dates::parse_received(at).map(|t| {
        t.to_offset(time::UtcOffset::from_hms(7, 0, 0).unwrap_or(time::UtcOffset::UTC))
            .date()
    })
}

fn parse_at(at: &str) -> Result<String> {
    dates::parse_received(at).map(dates::iso).ok_or_else(|| {
        CoreError::InvalidArgument(format!("'{at}' is not a date (dd/mm/yyyy [HH:MM])"))
    })
}

/// Recomputes deadline, due date and outcome from the row's dates and the calendar.
pub(crate) fn recompute(
    c: &Calendar,
    l: &mut db::LifecycleRow,
    excluded: &[(Date, Date)],
) -> Result<()> {
    let Some(received) = parse_iso_date(&l.received_date) else {
        return Ok(());
    };
    l.deadline_days = l
        .procedure_code
        .as_deref()
        .and_then(|p| c.rules.deadline_days(p, received));
    l.due_date = match l.deadline_days {
        Some(n) => {
            let input = DeadlineInput {
                received,
                working_days: n,
                supplement_received: parse_iso_date(&l.clock_start).filter(|d| *d != received),
                excluded: excluded.to_vec(),
            };
            Some(cal::iso_date(
                cal::due_date(&c.work, &c.table, &input).map_err(cal_err)?,
            ))
        }
        None => None,
    };
    l.outcome = match (&l.due_date, &l.finished_date) {
        (Some(due), Some(fin)) => match (parse_iso_date(due), parse_iso_date(fin)) {
            (Some(d), Some(f)) => Some(cal::classify(d, f).as_str().to_string()),
            _ => None,
        },
        _ => None,
    };
    Ok(())
}

fn excluded_dates(conn: &Connection, id: i64) -> Result<Vec<(Date, Date)>> {
    Ok(db::excluded(conn, id)?
        .iter()
        .filter_map(|(a, b, _)| Some((parse_iso_date(a)?, parse_iso_date(b)?)))
        .collect())
}

/// An event checked on its own: its state, when (ISO 8601) and the local day.
fn checked(ev: &LifecycleEvent) -> Result<(&str, String, String)> {
    let state = ev.state.trim();
    if !STATES.contains(&state) {
        return Err(CoreError::InvalidArgument(format!(
            "unknown state '{state}' (one of {})",
            STATES.join(", ")
        )));
    }
    if ev.actor.trim().is_empty() {
        return Err(CoreError::InvalidArgument(
            "who made the change must be recorded".into(),
        ));
    }
    let at = parse_at(&ev.at)?;
    let day = local_date(&at).map(cal::iso_date).unwrap_or_default();
    Ok((state, at, day))
}

/// The dossier's row after one event (dates and outcome not yet recomputed),
/// or why the event cannot follow the current state.
fn advance(
    current: Option<&db::LifecycleRow>,
    dossier_id: i64,
    procedure_code: Option<&str>,
    ev: &LifecycleEvent,
    state: &str,
    day: &str,
) -> Result<db::LifecycleRow> {
    let mut row = match (current, state) {
        (None, "received") => {
            let channel = match ev.channel.as_deref() {
                None => "desk",
                Some(s) => parse_channel(s)
                    .ok_or_else(|| CoreError::InvalidArgument(format!("unknown channel '{s}'")))?,
            };
            db::LifecycleRow {
                dossier_id,
                state: "received".into(),
                channel: channel.into(),
                officer: Some(
                    ev.officer
                        .clone()
                        .unwrap_or_else(|| ev.actor.trim().to_string()),
                ),
                procedure_code: procedure_code.map(str::to_string),
                received_date: day.to_string(),
                clock_start: day.to_string(),
                digitised: ev.digitised.unwrap_or(false),
                ..Default::default()
            }
        }
        (None, _) => {
            return Err(CoreError::InvalidArgument(format!(
                "the dossier has not been received yet; '{state}' cannot come first"
            )))
        }
        (Some(cur), "received") if cur.received_date == day => cur.clone(),
        (Some(cur), _) if cur.state == state => cur.clone(),
        (Some(cur), _) if !allowed(&cur.state, state) => {
            return Err(CoreError::InvalidArgument(format!(
                "a dossier in state '{}' cannot become '{state}'",
                cur.state
            )))
        }
        (Some(cur), _) => {
            let mut r = cur.clone();
            r.state = state.to_string();
            match state {
                "supplement_received" => r.clock_start = day.to_string(),
                "result_ready" | "refused" => r.finished_date = Some(day.to_string()),
                "returned" => {
                    r.return_channel = Some(match ev.return_channel.as_deref() {
                        None => "desk".into(),
                        Some(s) => parse_return_channel(s)
                            .ok_or_else(|| {
                                CoreError::InvalidArgument(format!("unknown return channel '{s}'"))
                            })?
                            .into(),
                    })
                }
                _ => {}
            }
            r
        }
    };
    if row.procedure_code.is_none() {
        row.procedure_code = procedure_code.map(str::to_string);
    }
    Ok(row)
}

fn history_row(ev: &LifecycleEvent, state: &str, at: String, now: &str) -> db::EventRow {
    db::EventRow {
        state: state.to_string(),
        at,
        actor: ev.actor.trim().to_string(),
        note: ev.note.as_deref().map(doisoat_domain::text::nfc),
        recorded_at: now.to_string(),
    }
}

/// Applies one event to the dossier's row (in the caller's transaction).
pub(crate) fn apply_event(
    conn: &Connection,
    c: &Calendar,
    dossier_id: i64,
    procedure_code: Option<&str>,
    ev: &LifecycleEvent,
    now: &str,
) -> Result<bool> {
    let (state, at, day) = checked(ev)?;
    let current = db::get(conn, dossier_id)?;
    let mut row = advance(
        current.as_ref(),
        dossier_id,
        procedure_code,
        ev,
        state,
        &day,
    )?;
    recompute(c, &mut row, &excluded_dates(conn, dossier_id)?)?;
    let added = db::add_event(conn, dossier_id, &history_row(ev, state, at, now))?;
    let changed = current.as_ref() != Some(&row);
    if changed {
        db::write(conn, &row, now)?;
    }
    Ok(added || changed)
}

/// Lifecycle fields an import row may carry (kept in the dossier's `extra`).
const IMPORT_FIELDS: &[(&str, &[&str])] = &[
    ("channel", &["KenhTiepNhan", "HinhThucNop", "MucDo"]),
    ("officer", &["CanBoXuLy", "CanBoTiepNhan"]),
    ("finished", &["NgayCoKetQua", "NgayKetThucXuLy"]),
    ("returned", &["NgayTraKetQua"]),
    ("return_channel", &["HinhThucTraKetQua"]),
    ("digitised", &["SoHoaTaiTiepNhan"]),
    ("supplement", &["NgayBoSung"]),
];

fn import_field(extra: &Map<String, Value>, key: &str) -> Option<String> {
    let names = IMPORT_FIELDS.iter().find(|(k, _)| *k == key)?.1;
    names.iter().find_map(|n| match extra.get(*n) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Bool(b)) => Some(b.to_string()),
        _ => None,
    })
}

/// Builds or refreshes the lifecycle of an imported dossier from its row:
/// received (with channel, officer, digitised), supplement, result, return.
/// Idempotent: the same row twice records nothing new. `added`: the dossier
/// was created by this import, so it has no lifecycle or waiting periods yet.
pub(crate) fn from_import(
    conn: &Connection,
    c: &Calendar,
    dossier_id: i64,
    added: bool,
    rec: &dossiers::DossierRecord,
    now: &str,
) -> Result<()> {
    let Some(received_at) = rec.received_at.as_deref() else {
        return Ok(());
    };
    let actor = "import".to_string();
    let mut events = vec![LifecycleEvent {
        state: "received".into(),
        at: received_at.to_string(),
        actor: actor.clone(),
        channel: import_field(&rec.extra, "channel"),
        officer: import_field(&rec.extra, "officer"),
        digitised: import_field(&rec.extra, "digitised").map(|s| {
            matches!(
                doisoat_domain::text::fold(&s).as_str(),
                "1" | "true" | "x" | "co" | "yes"
            )
        }),
        ..Default::default()
    }];
    if let Some(at) = import_field(&rec.extra, "supplement") {
        events.push(LifecycleEvent {
            state: "supplement_requested".into(),
            at: at.clone(),
            actor: actor.clone(),
            ..Default::default()
        });
        events.push(LifecycleEvent {
            state: "supplement_received".into(),
            at,
            actor: actor.clone(),
            ..Default::default()
        });
    }
    if let Some(at) = import_field(&rec.extra, "finished") {
        events.push(LifecycleEvent {
            state: "result_ready".into(),
            at,
            actor: actor.clone(),
            ..Default::default()
        });
        if let Some(at) = import_field(&rec.extra, "returned") {
            events.push(LifecycleEvent {
                state: "returned".into(),
                at,
                actor: actor.clone(),
                return_channel: import_field(&rec.extra, "return_channel"),
                ..Default::default()
            });
        }
    }
    // The events are folded in memory: one read of the stored row, one
    // write when the result differs, and the history rows (already recorded
    // ones are ignored by their identity).
    let current = if added {
        None
    } else {
        db::get(conn, dossier_id)?
    };
    let mut row = current.clone();
    let mut history = Vec::with_capacity(events.len());
    for ev in &events {
        // A row whose history is already further along keeps it; a lifecycle
        // field that cannot be read leaves the dossier itself imported.
        let step = checked(ev).and_then(|(state, at, day)| {
            let next = advance(
                row.as_ref(),
                dossier_id,
                rec.procedure_code.as_deref(),
                ev,
                state,
                &day,
            )?;
            Ok((next, history_row(ev, state, at, now)))
        });
        match step {
            Ok((next, h)) => {
                row = Some(next);
                history.push(h);
            }
            Err(CoreError::InvalidArgument(m)) => {
                tracing::warn!(dossier = %rec.code, state = %ev.state, reason = %m, "lifecycle not taken from the import row");
            }
            Err(e) => return Err(e),
        }
    }
    let Some(mut row) = row else {
        return Ok(());
    };
    let excluded = if added {
        Vec::new()
    } else {
        excluded_dates(conn, dossier_id)?
    };
    match recompute(c, &mut row, &excluded) {
        Ok(()) => {}
        Err(CoreError::InvalidArgument(m)) => {
            tracing::warn!(dossier = %rec.code, reason = %m, "no due date for the import row");
            return Ok(());
        }
        Err(e) => return Err(e),
    }
    for h in &history {
        db::add_event(conn, dossier_id, h)?;
    }
    if current.as_ref() != Some(&row) {
        db::write(conn, &row, now)?;
    }
    Ok(())
}

impl Office {
    fn dossier_id(&self, conn: &Connection, code: &str) -> Result<(i64, Option<String>)> {
        let row = dossiers::get(conn, code.trim())?
            .ok_or_else(|| CoreError::DossierNotFound(code.trim().to_string()))?;
        Ok((row.id, row.record.procedure_code))
    }

    /// Records one change of state of a dossier, with who and when.
    pub fn record_event(&self, code: &str, ev: &LifecycleEvent) -> Result<LifecycleView> {
        let now = self.now();
        {
            let mut conn = self.conn();
            let c = load_calendar(&conn)?;
            let tx = conn.transaction().map_err(doisoat_db::DbError::from)?;
            let (id, procedure) = self.dossier_id(&tx, code)?;
            apply_event(&tx, &c, id, procedure.as_deref(), ev, &now)?;
            tx.commit().map_err(doisoat_db::DbError::from)?;
        }
        self.lifecycle(code)
    }

    /// Adds a waiting period whose working days do not count (e.g. public posting).
    pub fn add_waiting_period(
        &self,
        code: &str,
        from: &str,
        to: &str,
        reason: &str,
    ) -> Result<LifecycleView> {
        let day = |s: &str| {
            dates::parse_day(s).ok_or_else(|| {
                CoreError::InvalidArgument(format!("'{s}' is not a date (dd/mm/yyyy)"))
            })
        };
        let (from, to) = (day(from)?, day(to)?);
        if to < from {
            return Err(CoreError::InvalidArgument(
                "the waiting period ends before it starts".into(),
            ));
        }
        {
            let mut conn = self.conn();
            let c = load_calendar(&conn)?;
            let tx = conn.transaction().map_err(doisoat_db::DbError::from)?;
            let (id, _) = self.dossier_id(&tx, code)?;
            db::add_excluded(&tx, id, &from, &to, reason.trim())?;
            if let Some(mut row) = db::get(&tx, id)? {
                recompute(&c, &mut row, &excluded_dates(&tx, id)?)?;
                db::put(&tx, &row, &self.now())?;
            }
            tx.commit().map_err(doisoat_db::DbError::from)?;
        }
        self.lifecycle(code)
    }

    /// One dossier's lifecycle: state, due date, standing today, history.
    pub fn lifecycle(&self, code: &str) -> Result<LifecycleView> {
        let conn = self.conn();
        let (id, _) = self.dossier_id(&conn, code)?;
        let row = db::get(&conn, id)?.ok_or_else(|| {
            CoreError::InvalidArgument(format!(
                "dossier {} has no recorded lifecycle yet",
                code.trim()
            ))
        })?;
        let c = load_calendar(&conn)?;
        let today = self.today();
        view(
            &c,
            code.trim(),
            &row,
            today,
            db::events(&conn, id)?,
            db::excluded(&conn, id)?,
        )
    }

    /// Today's date at the desk (UTC+7), from the office's clock.
    pub(crate) fn today(&self) -> Date {
        let now = (self.clock)();
        now.to_offset(time::UtcOffset::from_hms(7, 0, 0).unwrap_or(time::UtcOffset::UTC))
            .date()
    }

    /// The holiday table in use (the shipped one unless edited).
    pub fn holiday_table(&self) -> Result<HolidayTable> {
        Ok(load_calendar(&self.conn())?.table)
    }

    /// Adds or replaces one year of the holiday table and recomputes open
    /// dossiers' due dates.
    /// Administrators only; audited.
    pub fn set_holiday_year(&self, year: YearTable) -> Result<()> {
        let actor = self.require(Action::Settings, "calendar")?;
        let y = year.year;
        let after = Some(json!({ "year": y }));
        self.audited(&actor.name, "settings", "calendar", None, after, |tx| {
            let mut table = load_calendar(tx)?.table;
            table.set_year(year).map_err(cal_err)?;
            db::set_setting(tx, "calendar", &table.to_json(), &self.now())?;
            refresh_open(tx, &self.now())
        })
    }

    pub fn office_settings(&self) -> Result<OfficeSettings> {
        office_settings(&self.conn())
    }

    /// Administrators only; audited with the settings before and after.
    pub fn set_office_settings(&self, s: &OfficeSettings) -> Result<()> {
        let actor = self.require(Action::Settings, "office")?;
        let before = self.office_settings()?;
        let json = serde_json::to_string(s).map_err(doisoat_db::DbError::from)?;
        let (before, after) = (Some(json!(before)), Some(json!(s)));
        self.audited(&actor.name, "settings", "office", before, after, |tx| {
            db::set_setting(tx, "office", &json, &self.now())?;
            refresh_open(tx, &self.now())
        })
    }
}

/// Recomputes the due dates of unfinished dossiers after a calendar edit.
fn refresh_open(conn: &Connection, now: &str) -> Result<()> {
    let c = load_calendar(conn)?;
    let ids: Vec<i64> = {
        let mut stmt = conn
            .prepare("SELECT dossier_id FROM lifecycle WHERE state IN ('received','supplement_requested','supplement_received','processing')")
            .map_err(doisoat_db::DbError::from)?;
        let ids = stmt
            .query_map([], |r| r.get(0))
            .map_err(doisoat_db::DbError::from)?;
        ids.collect::<Result<_, _>>()
            .map_err(doisoat_db::DbError::from)?
    };
    for id in ids {
        if let Some(mut row) = db::get(conn, id)? {
            recompute(&c, &mut row, &excluded_dates(conn, id)?)?;
            db::put(conn, &row, now)?;
        }
    }
    Ok(())
}

fn display(iso: &str) -> String {
    parse_iso_date(iso)
        .map(cal::display_date)
        .unwrap_or_else(|| iso.to_string())
}

pub(crate) fn view(
    c: &Calendar,
    code: &str,
    row: &db::LifecycleRow,
    today: Date,
    history: Vec<db::EventRow>,
    waits: Vec<(String, String, String)>,
) -> Result<LifecycleView> {
    let due = row.due_date.as_deref().and_then(parse_iso_date);
    let (mut overdue_days, mut days_left, mut apology) = (None, None, None);
    if let (Some(due), true) = (due, unfinished(&row.state)) {
        if today >= c.work.first() && today <= c.work.last() {
            match cal::standing(&c.work, due, today).map_err(cal_err)? {
                Standing::Overdue { working_days } => overdue_days = Some(working_days),
                Standing::Due { working_days_left } => days_left = Some(working_days_left),
            }
        }
        let ahead = c
            .rules
            .version_at(parse_iso_date(&row.received_date).unwrap_or(due))
            .map(|v| v.apology_days_ahead)
            .unwrap_or(1);
        apology = cal::apology_from(&c.work, due, ahead)
            .ok()
            .map(cal::display_date);
    }
    Ok(LifecycleView {
        code: code.to_string(),
        state: row.state.clone(),
        channel: row.channel.clone(),
        return_channel: row.return_channel.clone(),
        officer: row.officer.clone(),
        procedure_code: row.procedure_code.clone(),
        received: display(&row.received_date),
        deadline_days: row.deadline_days,
        due: row.due_date.as_deref().map(display),
        finished: row.finished_date.as_deref().map(display),
        outcome: row.outcome.clone(),
        overdue_days,
        days_left,
        apology_from: apology,
        digitised: row.digitised,
        history: history
            .into_iter()
            .map(|e| HistoryEntry {
                state: e.state,
                at: e.at,
                actor: e.actor,
                note: e.note,
            })
            .collect(),
        waiting_periods: waits
            .into_iter()
            .map(|(f, t, r)| WaitingPeriod {
                from: display(&f),
                to: display(&t),
                reason: r,
            })
            .collect(),
    })
}
