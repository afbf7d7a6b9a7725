//! Working-day arithmetic for Vietnamese one-stop desks.
//!
//! Nothing about the calendar is a constant in code: the yearly table of days
//! off and make-up working days ([`HolidayTable`]) and the rules that change
//! over time ([`RuleBook`]: procedure deadlines, how far ahead the apology
//! letter is due) are data, shipped in `data/` and editable. A dossier is
//! judged by the rules in force on the day it was received.
//!
//! Counting convention (documented once, used everywhere):
//! - A working day is Monday to Friday that is not a day off, or a listed
//!   make-up day. Saturdays and Sundays are never counted otherwise, even in
//!   an office that receives on Saturday mornings.
//! - The receipt day is not counted. A dossier received on a day the office
//!   does not receive (a holiday, a Sunday, a Saturday unless the office has
//!   Saturday-morning receiving) counts as received on the next working day.
//! - The due date is the n-th working day after the receipt day. A supplement
//!   restarts the clock from the day the supplement arrived. Working days
//!   inside an excluded waiting period do not count.

mod calendar;
mod deadline;
mod rules;
mod table;

pub use calendar::WorkCalendar;
pub use deadline::{apology_from, classify, due_date, standing, DeadlineInput, Outcome, Standing};
pub use rules::{ProcedureDeadline, ProcedureRule, RuleBook, RuleVersion};
pub use table::{DayEntry, HolidayTable, OfficeOptions, YearTable};

pub use time::Date;

#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    #[error("no holiday table for {0}: add the year to the calendar")]
    YearMissing(i32),
    #[error("{date} is outside the calendar ({first} to {last})")]
    OutOfRange { date: Date, first: Date, last: Date },
    #[error("the calendar data is malformed: {0}")]
    Malformed(String),
    #[error("year {year}: {date} is listed both as a day off and as a make-up day")]
    Conflict { year: i32, date: Date },
}

pub type Result<T, E = CalendarError> = std::result::Result<T, E>;

/// `yyyy-mm-dd`.
pub fn parse_iso_date(s: &str) -> Option<Date> {
    Date::parse(
        s.get(..10)?,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

/// `yyyy-mm-dd`.
pub fn iso_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// `dd/mm/yyyy`, as people read dates.
pub fn display_date(d: Date) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), u8::from(d.month()), d.year())
}
