//! Rules that change over time, each version in force from its date: the
//! apology-letter lead time, and each procedure's deadline in working days.
//! A dossier is judged by the version in force on the day it was received.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::{parse_iso_date, CalendarError, Result};

const SHIPPED: &str = include_str!("../data/rules.json");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleVersion {
    /// `yyyy-mm-dd`, in force from this day.
    pub from: String,
    /// The legal basis, for people.
    pub basis: String,
    /// The apology letter (Mẫu 04) is due this many working days before the due date.
    pub apology_days_ahead: u32,
    /// QĐ 766: early and on time count together as on time.
    pub early_counts_as_on_time: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureDeadline {
    pub from: String,
    pub working_days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureRule {
    /// National procedure code, `d.dddddd`.
    pub code: String,
    pub name: String,
    pub deadlines: Vec<ProcedureDeadline>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleBook {
    #[serde(default)]
    pub about: String,
    pub versions: Vec<RuleVersion>,
    pub procedures: Vec<ProcedureRule>,
}

/// The national part of a procedure code: `1.013831.H38` → `1.013831`.
pub fn national_code(code: &str) -> &str {
    let code = code.trim();
    match code.match_indices('.').nth(1) {
        Some((i, _)) => &code[..i],
        None => code,
    }
}

/// The last entry whose `from` is on or before `day`.
fn in_force<T>(items: &[T], from: impl Fn(&T) -> &str, day: Date) -> Option<&T> {
    items
        .iter()
        .filter(|v| parse_iso_date(from(v)).is_some_and(|f| f <= day))
        .max_by_key(|v| parse_iso_date(from(v)))
}

impl RuleBook {
    pub fn shipped() -> RuleBook {
        RuleBook::from_json(SHIPPED).unwrap_or_else(|e| panic!("shipped rules: {e}"))
    }

    pub fn from_json(text: &str) -> Result<RuleBook> {
        let book: RuleBook =
            serde_json::from_str(text).map_err(|e| CalendarError::Malformed(e.to_string()))?;
        let dates = book.versions.iter().map(|v| v.from.as_str()).chain(
            book.procedures
                .iter()
                .flat_map(|p| p.deadlines.iter().map(|d| d.from.as_str())),
        );
        for d in dates {
            if parse_iso_date(d).is_none() {
                return Err(CalendarError::Malformed(format!(
                    "'{d}' is not a date (yyyy-mm-dd)"
                )));
            }
        }
        Ok(book)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The rule version in force on `day`.
    pub fn version_at(&self, day: Date) -> Option<&RuleVersion> {
        in_force(&self.versions, |v| &v.from, day)
    }

    /// The deadline in working days of `procedure` (any province suffix) for a
    /// dossier received on `day`.
    pub fn deadline_days(&self, procedure: &str, day: Date) -> Option<u32> {
        let code = national_code(procedure);
        let p = self.procedures.iter().find(|p| p.code == code)?;
        in_force(&p.deadlines, |d| &d.from, day).map(|d| d.working_days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_2022_dossier_is_judged_by_2022_rules() {
        let book = RuleBook::shipped();
        assert_eq!(
            book.deadline_days("1.004227.H38", date!(2022 - 11 - 25)),
            Some(10)
        );
        assert_eq!(
            book.deadline_days("1.004227", date!(2025 - 06 - 30)),
            Some(10)
        );
        assert_eq!(
            book.deadline_days("1.004227", date!(2025 - 07 - 01)),
            Some(8)
        );
        assert_eq!(book.deadline_days("9.999999", date!(2025 - 07 - 01)), None);
        assert_eq!(book.deadline_days("1.004227", date!(2017 - 01 - 01)), None);
        assert!(book
            .version_at(date!(2022 - 01 - 01))
            .unwrap()
            .basis
            .contains("61/2018"));
        assert!(book
            .version_at(date!(2025 - 07 - 01))
            .unwrap()
            .basis
            .contains("118/2025"));
        assert_eq!(national_code(" 1.013831.H38 "), "1.013831");
        assert_eq!(RuleBook::from_json(&book.to_json()).unwrap(), book);
        assert!(RuleBook::from_json(r#"{"versions":[{"from":"01/07/2025","basis":"x","apology_days_ahead":1,"early_counts_as_on_time":true}],"procedures":[]}"#).is_err());
    }
}
