//! Dates as the portal writes them and as people read them.
//!
//! Portal times (`NgayTiepNhan`, `yyyyMMddHHmmss`) are local time in
//! Asia/Ho_Chi_Minh, which has been UTC+7 without daylight saving since 1975.
//! doisoat stores them as ISO 8601 with the offset and shows dd/mm/yyyy.

use time::{macros::format_description, Date, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

const VN: UtcOffset = match UtcOffset::from_hms(7, 0, 0) {
    Ok(o) => o,
    Err(_) => panic!("UTC+7 is a valid offset"),
};

/// Parses the reception time formats seen in exports: `yyyyMMddHHmmss`,
/// `yyyyMMdd`, `dd/MM/yyyy[ HH:mm[:ss]]`, `yyyy-MM-dd[THH:mm:ss]`.
pub fn parse_received(s: &str) -> Option<OffsetDateTime> {
    let s = s.trim();
    let digits = s.chars().all(|c| c.is_ascii_digit());
    let dt = if digits && s.len() == 14 {
        PrimitiveDateTime::parse(
            s,
            format_description!("[year][month][day][hour][minute][second]"),
        )
        .ok()?
    } else if digits && s.len() == 8 {
        Date::parse(s, format_description!("[year][month][day]"))
            .ok()?
            .midnight()
    } else if s.contains('/') {
        let (date, time) = s.split_once(' ').unwrap_or((s, ""));
        let d = Date::parse(
            date,
            format_description!("[day padding:none]/[month padding:none]/[year]"),
        )
        .ok()?;
        let t = match time.trim() {
            "" => Time::MIDNIGHT,
            t if t.len() <= 5 => {
                Time::parse(t, format_description!("[hour padding:none]:[minute]")).ok()?
            }
            t => Time::parse(
                t,
                format_description!("[hour padding:none]:[minute]:[second]"),
            )
            .ok()?,
        };
        PrimitiveDateTime::new(d, t)
    } else if s.len() == 10 {
        Date::parse(s, format_description!("[year]-[month]-[day]"))
            .ok()?
            .midnight()
    } else {
        let head = s.get(..19)?;
        PrimitiveDateTime::parse(
            head,
            format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
        )
        .ok()?
    };
    Some(dt.assume_offset(VN))
}

/// ISO 8601 with offset, second precision.
pub fn iso(t: OffsetDateTime) -> String {
    t.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory]:[offset_minute]"
    ))
    .unwrap_or_default()
}

/// A UTC instant for event records, e.g. `2026-11-27T09:12:35Z`.
pub fn iso_utc(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC)
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
        ))
        .unwrap_or_default()
}

/// dd/mm/yyyy of the date part of an ISO 8601 string.
pub fn display_date(iso: &str) -> Option<String> {
    let d = Date::parse(iso.get(..10)?, format_description!("[year]-[month]-[day]")).ok()?;
    Some(format!(
        "{:02}/{:02}/{}",
        d.day(),
        u8::from(d.month()),
        d.year()
    ))
}

/// `dd/mm/yyyy` or `yyyy-mm-dd` to `yyyy-mm-dd`, for query filters.
pub fn parse_day(s: &str) -> Option<String> {
    let t = parse_received(s)?;
    Some(format!(
        "{:04}-{:02}-{:02}",
        t.year(),
        u8::from(t.month()),
        t.day()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portal_and_desk_formats() {
        let t = parse_received("20221125083000").unwrap();
        assert_eq!(iso(t), "2022-11-25T08:30:00+07:00");
        assert_eq!(iso_utc(t), "2022-11-25T01:30:00Z");
        assert_eq!(
            iso(parse_received("25/11/2022").unwrap()),
            "2022-11-25T00:00:00+07:00"
        );
        assert_eq!(
            iso(parse_received("5/1/2023 14:05").unwrap()),
            "2023-01-05T14:05:00+07:00"
        );
        assert_eq!(
            iso(parse_received("2023-01-05").unwrap()),
            "2023-01-05T00:00:00+07:00"
        );
        assert!(parse_received("20221325083000").is_none());
        assert!(parse_received("hôm qua").is_none());
        assert_eq!(
            display_date("2022-11-25T08:30:00+07:00").as_deref(),
            Some("25/11/2022")
        );
        assert_eq!(parse_day("05/01/2023").as_deref(), Some("2023-01-05"));
    }
}
