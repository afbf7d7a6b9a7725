//! Due dates, outcome classes and reminders for one dossier.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::{HolidayTable, Result, WorkCalendar};

/// What the due date of one dossier depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineInput {
    /// The day the desk received the dossier.
    pub received: Date,
    /// The procedure's deadline in working days, under the rules of `received`.
    pub working_days: u32,
    /// The day the latest requested supplement arrived: the clock restarts.
    pub supplement_received: Option<Date>,
    /// Waiting periods (inclusive) whose working days do not count.
    pub excluded: Vec<(Date, Date)>,
}

/// The outcome class of a finished dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Early,
    OnTime,
    Late,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Early => "early",
            Outcome::OnTime => "on_time",
            Outcome::Late => "late",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        match s {
            "early" => Some(Outcome::Early),
            "on_time" => Some(Outcome::OnTime),
            "late" => Some(Outcome::Late),
            _ => None,
        }
    }

    /// QĐ 766 counts early and on time together as on time.
    pub fn counts_as_on_time(self) -> bool {
        self != Outcome::Late
    }
}

/// Where an unfinished dossier stands on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Standing {
    /// Past its due date by this many working days.
    Overdue { working_days: i64 },
    /// Due today (0) or within this many working days.
    Due { working_days_left: i64 },
}

/// The due date: the `working_days`-th counted working day after the receipt
/// (or the latest supplement), skipping working days in excluded periods.
pub fn due_date(cal: &WorkCalendar, table: &HolidayTable, input: &DeadlineInput) -> Result<Date> {
    let start = cal.receipt_day(input.supplement_received.unwrap_or(input.received), table)?;
    let mut due = cal.add_working_days(start, input.working_days)?;
    if input.excluded.is_empty() {
        return Ok(due);
    }
    // Overlapping periods count their days once.
    let mut periods: Vec<(Date, Date)> = input
        .excluded
        .iter()
        .copied()
        .filter(|(a, b)| a <= b)
        .collect();
    periods.sort();
    let mut merged: Vec<(Date, Date)> = Vec::with_capacity(periods.len());
    for (a, b) in periods {
        match merged.last_mut() {
            Some(last) if a <= last.1.next_day().unwrap_or(last.1) => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    // Extend by the excluded working days that fall inside (start, due]; the
    // extension may reach more excluded days, so repeat until it settles.
    loop {
        let mut skipped = 0i64;
        for (from, to) in &merged {
            let lo = (*from).max(start.next_day().unwrap_or(start));
            let hi = (*to).min(due);
            if lo <= hi {
                skipped += cal.working_days_between(lo.previous_day().unwrap_or(lo), hi)?;
            }
        }
        let next = cal.add_working_days(start, input.working_days + skipped as u32)?;
        if next == due {
            return Ok(due);
        }
        due = next;
    }
}

/// Early when finished before the due date, on time on it, late after it.
pub fn classify(due: Date, finished: Date) -> Outcome {
    match finished.cmp(&due) {
        std::cmp::Ordering::Less => Outcome::Early,
        std::cmp::Ordering::Equal => Outcome::OnTime,
        std::cmp::Ordering::Greater => Outcome::Late,
    }
}

/// Where an unfinished dossier due on `due` stands on `today`.
pub fn standing(cal: &WorkCalendar, due: Date, today: Date) -> Result<Standing> {
    if today > due {
        Ok(Standing::Overdue {
            working_days: cal.working_days_between(due, today)?.max(1),
        })
    } else {
        Ok(Standing::Due {
            working_days_left: cal.working_days_between(today, due)?,
        })
    }
}

/// The first day the officer is reminded to issue the apology letter
/// (Mẫu 04): `days_ahead` working days before the due date.
pub fn apology_from(cal: &WorkCalendar, due: Date, days_ahead: u32) -> Result<Date> {
    cal.sub_working_days(due, days_ahead)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OfficeOptions;
    use time::macros::date;

    fn setup() -> (WorkCalendar, HolidayTable) {
        let t = HolidayTable::shipped();
        (WorkCalendar::new(&t, OfficeOptions::default()).unwrap(), t)
    }

    #[test]
    fn supplement_restarts_and_waiting_periods_do_not_count() {
        let (c, t) = setup();
        // Fri 25/11/2022, 10 working days: Mon 28/11 .. Fri 09/12.
        let mut input = DeadlineInput {
            received: date!(2022 - 11 - 25),
            working_days: 10,
            supplement_received: None,
            excluded: vec![],
        };
        assert_eq!(due_date(&c, &t, &input).unwrap(), date!(2022 - 12 - 09));
        // Supplement arrives Wed 30/11: 10 working days from Thu 01/12 → Wed 14/12.
        input.supplement_received = Some(date!(2022 - 11 - 30));
        assert_eq!(due_date(&c, &t, &input).unwrap(), date!(2022 - 12 - 14));
        // Public posting Mon 05/12..Fri 09/12 (5 working days) is excluded → Wed 21/12.
        input.excluded = vec![(date!(2022 - 12 - 05), date!(2022 - 12 - 09))];
        assert_eq!(due_date(&c, &t, &input).unwrap(), date!(2022 - 12 - 21));
        // A waiting period reached only through the extension also counts.
        input
            .excluded
            .push((date!(2022 - 12 - 19), date!(2022 - 12 - 19)));
        assert_eq!(due_date(&c, &t, &input).unwrap(), date!(2022 - 12 - 22));
    }

    #[test]
    fn outcome_standing_and_apology() {
        let (c, _) = setup();
        let due = date!(2022 - 12 - 09);
        assert_eq!(classify(due, date!(2022 - 12 - 08)), Outcome::Early);
        assert_eq!(classify(due, due), Outcome::OnTime);
        assert_eq!(classify(due, date!(2022 - 12 - 12)), Outcome::Late);
        assert!(Outcome::Early.counts_as_on_time() && !Outcome::Late.counts_as_on_time());
        assert_eq!(
            standing(&c, due, date!(2022 - 12 - 12)).unwrap(),
            Standing::Overdue { working_days: 1 }
        );
        assert_eq!(
            standing(&c, due, date!(2022 - 12 - 10)).unwrap(),
            Standing::Overdue { working_days: 1 }
        );
        assert_eq!(
            standing(&c, due, date!(2022 - 12 - 07)).unwrap(),
            Standing::Due {
                working_days_left: 2
            }
        );
        assert_eq!(apology_from(&c, due, 1).unwrap(), date!(2022 - 12 - 08));
        // Over Tết 2023 (20..26/01 off): 1 working day before Fri 27/01 is Thu 19/01.
        assert_eq!(
            apology_from(&c, date!(2023 - 01 - 27), 1).unwrap(),
            date!(2023 - 01 - 19)
        );
    }
}
