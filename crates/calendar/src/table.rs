//! The yearly table of days off and make-up working days, kept as data
//! (JSON), plus the per-office options that change what counts as a
//! receiving day.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::{Date, Weekday};

use crate::{parse_iso_date, CalendarError, Result};

const SHIPPED: &str = include_str!("../data/vn-holidays.json");

/// One listed day with what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayEntry {
    /// `yyyy-mm-dd`.
    pub date: String,
    pub name: String,
}

/// One year of the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearTable {
    pub year: i32,
    /// `confirmed` or `projected`.
    pub status: String,
    /// Days the office is closed (weekdays need listing; weekend days may be).
    pub days_off: Vec<DayEntry>,
    /// Saturdays or Sundays worked instead of a weekday off.
    #[serde(default)]
    pub make_up_days: Vec<DayEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct TableFile {
    #[serde(default)]
    about: String,
    years: Vec<YearTable>,
}

/// All years of the table, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayTable {
    about: String,
    years: BTreeMap<i32, YearTable>,
}

impl HolidayTable {
    /// The table shipped with doisoat (2022–2027).
    pub fn shipped() -> HolidayTable {
        // The shipped file is checked by a unit test; failing here is a build defect.
        HolidayTable::from_json(SHIPPED).unwrap_or_else(|e| panic!("shipped holiday table: {e}"))
    }

    pub fn from_json(text: &str) -> Result<HolidayTable> {
        let file: TableFile =
            serde_json::from_str(text).map_err(|e| CalendarError::Malformed(e.to_string()))?;
        let mut table = HolidayTable {
            about: file.about,
            years: BTreeMap::new(),
        };
        for y in file.years {
            table.set_year(y)?;
        }
        Ok(table)
    }

    pub fn to_json(&self) -> String {
        let file = TableFile {
            about: self.about.clone(),
            years: self.years.values().cloned().collect(),
        };
        serde_json::to_string_pretty(&file).unwrap_or_default()
    }

    /// Adds or replaces one year, after checking every date belongs to it.
    pub fn set_year(&mut self, y: YearTable) -> Result<()> {
        let mut off = Vec::new();
        for e in y.days_off.iter().chain(&y.make_up_days) {
            let d = parse_iso_date(&e.date).ok_or_else(|| {
                CalendarError::Malformed(format!(
                    "year {}: '{}' is not a date (yyyy-mm-dd)",
                    y.year, e.date
                ))
            })?;
            if d.year() != y.year {
                return Err(CalendarError::Malformed(format!(
                    "year {}: {} belongs to another year",
                    y.year, e.date
                )));
            }
            off.push(d);
        }
        let (days_off, make_up) = off.split_at(y.days_off.len());
        if let Some(d) = make_up.iter().find(|d| days_off.contains(d)) {
            return Err(CalendarError::Conflict {
                year: y.year,
                date: *d,
            });
        }
        self.years.insert(y.year, y);
        Ok(())
    }

    pub fn years(&self) -> impl Iterator<Item = &YearTable> {
        self.years.values()
    }

    pub fn year(&self, year: i32) -> Option<&YearTable> {
        self.years.get(&year)
    }

    /// First and last years covered, when contiguous from the first.
    pub fn span(&self) -> Option<(i32, i32)> {
        let first = *self.years.keys().next()?;
        let mut last = first;
        while self.years.contains_key(&(last + 1)) {
            last += 1;
        }
        Some((first, last))
    }

    /// Whether `d` is a working day under this table (see the crate doc).
    pub fn is_working_day(&self, d: Date) -> Result<bool> {
        let y = self
            .years
            .get(&d.year())
            .ok_or(CalendarError::YearMissing(d.year()))?;
        let listed = |list: &[DayEntry]| list.iter().any(|e| parse_iso_date(&e.date) == Some(d));
        if listed(&y.make_up_days) {
            return Ok(true);
        }
        if matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) {
            return Ok(false);
        }
        Ok(!listed(&y.days_off))
    }

    /// The name of the day off on `d`, if it is one.
    pub fn day_off_name(&self, d: Date) -> Option<&str> {
        let y = self.years.get(&d.year())?;
        y.days_off
            .iter()
            .find(|e| parse_iso_date(&e.date) == Some(d))
            .map(|e| e.name.as_str())
    }
}

/// Per-office options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeOptions {
    /// The desk receives on Saturday mornings (not a holiday). Such a receipt
    /// is dated that Saturday; counting still starts on the next working day.
    pub saturday_morning: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn shipped_table_covers_2022_to_2027_with_eleven_holidays_a_year() {
        let t = HolidayTable::shipped();
        assert_eq!(t.span(), Some((2022, 2027)));
        for y in t.years() {
            // Labour Code art. 112: 11 days; weekday closures listed can exceed
            // that only through swaps, which come with a make-up day.
            let weekdays = y
                .days_off
                .iter()
                .filter_map(|e| crate::parse_iso_date(&e.date))
                .filter(|d| !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday))
                .count();
            assert!(
                (10..=11 + y.make_up_days.len()).contains(&weekdays),
                "{}: {weekdays} weekdays off",
                y.year
            );
        }
        assert!(
            !t.is_working_day(date!(2024 - 02 - 12)).unwrap(),
            "Tết 2024"
        );
        assert!(
            t.is_working_day(date!(2024 - 05 - 04)).unwrap(),
            "make-up Saturday"
        );
        assert!(!t.is_working_day(date!(2024 - 05 - 05)).unwrap(), "Sunday");
        assert!(t.is_working_day(date!(2024 - 05 - 06)).unwrap());
        assert_eq!(t.day_off_name(date!(2025 - 09 - 02)), Some("Quốc khánh"));
        assert!(matches!(
            t.is_working_day(date!(2030 - 01 - 02)),
            Err(CalendarError::YearMissing(2030))
        ));
    }

    #[test]
    fn edits_are_checked_and_round_trip() {
        let mut t = HolidayTable::shipped();
        let bad = YearTable {
            year: 2028,
            status: "projected".into(),
            days_off: vec![DayEntry {
                date: "2029-01-01".into(),
                name: "x".into(),
            }],
            make_up_days: vec![],
        };
        assert!(
            matches!(t.set_year(bad), Err(CalendarError::Malformed(m)) if m.contains("another year"))
        );
        let clash = YearTable {
            year: 2028,
            status: "projected".into(),
            days_off: vec![DayEntry {
                date: "2028-01-08".into(),
                name: "x".into(),
            }],
            make_up_days: vec![DayEntry {
                date: "2028-01-08".into(),
                name: "y".into(),
            }],
        };
        assert!(matches!(
            t.set_year(clash),
            Err(CalendarError::Conflict { year: 2028, .. })
        ));
        let ok = YearTable {
            year: 2028,
            status: "projected".into(),
            days_off: vec![DayEntry {
                date: "2028-01-03".into(),
                name: "Tết Dương lịch (nghỉ bù)".into(),
            }],
            make_up_days: vec![],
        };
        t.set_year(ok).unwrap();
        assert_eq!(t.span(), Some((2022, 2028)));
        let back = HolidayTable::from_json(&t.to_json()).unwrap();
        assert_eq!(back, t);
        assert!(!back.is_working_day(date!(2028 - 01 - 03)).unwrap());
    }
}
