//! Dossier codes (mã hồ sơ), circular 01/2018/TT-VPCP art. 19:
//! `V1V2V3.Z1Z2.Y1Y2.MX1X2-YYMMDD-XXXX`, e.g. `000.00.38.H38-221125-0001`.
//!
//! Real exports carry other agency-code shapes too, so a code that does not
//! fit the pattern is *flagged*, never refused: [`DossierCode::check`] says
//! what is odd about it and the caller decides.

use std::fmt;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

static STRICT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2})-(\d{2})(\d{2})(\d{2})-(\d{4})$").unwrap()
});

/// Anything that looks like a dossier code inside longer text (file names,
/// QR payloads): an agency part, a six-digit date and a four-digit number.
static EMBEDDED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^0-9A-Za-z.])(\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4})(?:$|[^0-9])")
        .unwrap()
});

/// A dossier code as written, trimmed. Kept verbatim even when it is odd.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DossierCode(String);

/// What [`DossierCode::check`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CodeCheck {
    /// Fits the national pattern and its date exists.
    Valid,
    /// Does not fit `NNN.NN.NN.XNN-YYMMDD-NNNN`.
    OddShape,
    /// Fits the pattern, but YYMMDD is not a real date.
    BadDate,
}

impl CodeCheck {
    pub fn as_str(&self) -> &'static str {
        match self {
            CodeCheck::Valid => "valid",
            CodeCheck::OddShape => "odd_shape",
            CodeCheck::BadDate => "bad_date",
        }
    }
}

impl DossierCode {
    /// Trims the input and normalises it to upper case. Returns `None` only
    /// for an empty code: any other shape is accepted and can be checked.
    pub fn new(raw: &str) -> Option<DossierCode> {
        let s = raw.trim();
        if s.is_empty() {
            return None;
        }
        Some(DossierCode(s.to_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn check(&self) -> CodeCheck {
        let Some(c) = STRICT.captures(&self.0) else {
            return CodeCheck::OddShape;
        };
        let num = |i: usize| c[i].parse::<u8>().unwrap_or(0);
        let (yy, mm, dd) = (num(2), num(3), num(4));
        let Ok(month) = time::Month::try_from(mm) else {
            return CodeCheck::BadDate;
        };
        match time::Date::from_calendar_date(2000 + i32::from(yy), month, dd) {
            Ok(_) => CodeCheck::Valid,
            Err(_) => CodeCheck::BadDate,
        }
    }

    /// The date of reception encoded in a well-formed code.
    pub fn received_date(&self) -> Option<time::Date> {
        let c = STRICT.captures(&self.0)?;
        let num = |i: usize| c[i].parse::<u8>().ok();
        let month = time::Month::try_from(num(3)?).ok()?;
        time::Date::from_calendar_date(2000 + i32::from(num(2)?), month, num(4)?).ok()
    }

    /// Finds the first well-formed dossier code inside `text` (a file name,
    /// a QR payload) whose date exists.
    pub fn find_in(text: &str) -> Option<DossierCode> {
        EMBEDDED
            .captures_iter(text)
            .filter_map(|c| DossierCode::new(&c[1]))
            .find(|code| code.check() == CodeCheck::Valid)
    }
}

impl fmt::Display for DossierCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(s: &str) -> CodeCheck {
        DossierCode::new(s).unwrap().check()
    }

    #[test]
    fn national_pattern() {
        assert_eq!(check("000.00.38.H38-221125-0001"), CodeCheck::Valid);
        assert_eq!(check(" 000.00.38.h38-221125-0001 "), CodeCheck::Valid);
        assert_eq!(check("000.00.38.H38-221325-0001"), CodeCheck::BadDate);
        assert_eq!(check("000.00.38.H38-230229-0001"), CodeCheck::BadDate);
        assert_eq!(check("000.00.38.H38-240229-0001"), CodeCheck::Valid);
        assert_eq!(check("H38.22-1125-1"), CodeCheck::OddShape);
        assert!(DossierCode::new("   ").is_none());
    }

    #[test]
    fn received_date_is_decoded() {
        let c = DossierCode::new("000.00.38.H38-221125-0001").unwrap();
        assert_eq!(c.received_date().unwrap().to_string(), "2022-11-25");
    }

    #[test]
    fn found_inside_names_and_payloads() {
        let f = |s: &str| DossierCode::find_in(s).map(|c| c.to_string());
        assert_eq!(
            f("scan_000.00.38.H38-221125-0001_p1.pdf").as_deref(),
            Some("000.00.38.H38-221125-0001")
        );
        assert_eq!(
            f("MaHoSo:000.00.38.H38-221125-0007|MaTTHC:1.004227|CCCD:080123456789").as_deref(),
            Some("000.00.38.H38-221125-0007")
        );
        assert_eq!(f("000.00.38.H38-221199-0001.pdf"), None);
        assert_eq!(f("so 12345 ngay 01-02-2022.pdf"), None);
    }
}
