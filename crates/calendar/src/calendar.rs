//! [`WorkCalendar`]: the holiday table turned into an index for fast
//! arithmetic. For each day of the covered years it keeps how many working
//! days have passed since the first day, so adding and counting working days
//! is a lookup, not a walk (the dashboard does this for a million dossiers).

use time::{Date, Duration, Weekday};

use crate::{CalendarError, HolidayTable, OfficeOptions, Result};

#[derive(Debug, Clone)]
pub struct WorkCalendar {
    first: Date,
    last: Date,
    /// `cum[i]`: working days in `[first, first + i]`.
    cum: Vec<u32>,
    /// Day offsets (from `first`) of the working days, in order.
    working: Vec<u32>,
    options: OfficeOptions,
}

impl WorkCalendar {
    /// Builds the index over every contiguous year of `table`.
    pub fn new(table: &HolidayTable, options: OfficeOptions) -> Result<WorkCalendar> {
        let (y0, y1) = table.span().ok_or(CalendarError::YearMissing(0))?;
        let first = Date::from_calendar_date(y0, time::Month::January, 1)
            .map_err(|e| CalendarError::Malformed(e.to_string()))?;
        let last = Date::from_calendar_date(y1, time::Month::December, 31)
            .map_err(|e| CalendarError::Malformed(e.to_string()))?;
        let days = (last - first).whole_days() as usize + 1;
        let mut cum = Vec::with_capacity(days);
        let mut working = Vec::new();
        let mut n = 0u32;
        let mut d = first;
        for i in 0..days {
            if table.is_working_day(d)? {
                n += 1;
                working.push(i as u32);
            }
            cum.push(n);
            d = d.next_day().unwrap_or(d);
        }
        Ok(WorkCalendar {
            first,
            last,
            cum,
            working,
            options,
        })
    }

    pub fn first(&self) -> Date {
        self.first
    }

    pub fn last(&self) -> Date {
        self.last
    }

    pub fn options(&self) -> OfficeOptions {
        self.options
    }

    fn index(&self, d: Date) -> Result<usize> {
        if d < self.first || d > self.last {
            return Err(CalendarError::OutOfRange {
                date: d,
                first: self.first,
                last: self.last,
            });
        }
        Ok((d - self.first).whole_days() as usize)
    }

    fn day(&self, offset: u32) -> Date {
        self.first + Duration::days(i64::from(offset))
    }

    pub fn is_working_day(&self, d: Date) -> Result<bool> {
        let i = self.index(d)?;
        let before = if i == 0 { 0 } else { self.cum[i - 1] };
        Ok(self.cum[i] > before)
    }

    /// Whether the desk receives on `d`: a working day, or a Saturday that
    /// is not a day off when the office has Saturday-morning receiving.
    pub fn is_receiving_day(&self, d: Date, table: &HolidayTable) -> Result<bool> {
        if self.is_working_day(d)? {
            return Ok(true);
        }
        Ok(self.options.saturday_morning
            && d.weekday() == Weekday::Saturday
            && table.day_off_name(d).is_none())
    }

    /// The `n`-th working day after `d` (`d` itself not counted); `d` when `n` is 0.
    pub fn add_working_days(&self, d: Date, n: u32) -> Result<Date> {
        let i = self.index(d)?;
        if n == 0 {
            return Ok(d);
        }
        // Working days up to and including d, then the (that + n)-th overall.
        let k = self.cum[i] as usize + n as usize;
        match self.working.get(k - 1) {
            Some(off) => Ok(self.day(*off)),
            None => Err(CalendarError::OutOfRange {
                date: self.last + Duration::days(1),
                first: self.first,
                last: self.last,
            }),
        }
    }

    /// The `n`-th working day before `d` (`d` itself not counted).
    pub fn sub_working_days(&self, d: Date, n: u32) -> Result<Date> {
        let i = self.index(d)?;
        if n == 0 {
            return Ok(d);
        }
        let before = if i == 0 { 0 } else { self.cum[i - 1] } as usize;
        if before < n as usize {
            return Err(CalendarError::OutOfRange {
                date: self.first - Duration::days(1),
                first: self.first,
                last: self.last,
            });
        }
        Ok(self.day(self.working[before - n as usize]))
    }

    /// Working days in `(a, b]`; negative when `b` is before `a`.
    pub fn working_days_between(&self, a: Date, b: Date) -> Result<i64> {
        let (ia, ib) = (self.index(a)?, self.index(b)?);
        Ok(i64::from(self.cum[ib]) - i64::from(self.cum[ia]))
    }

    /// The day counting starts after: the receipt day when the desk receives
    /// on it, else the last non-working day before the next working day (so
    /// the next working day is the first one counted... and is also the day
    /// the receipt is deemed made).
    pub fn receipt_day(&self, received: Date, table: &HolidayTable) -> Result<Date> {
        if self.is_receiving_day(received, table)? {
            return Ok(received);
        }
        // Deemed received on the next working day, which is then not counted.
        self.add_working_days(received, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn cal(sat: bool) -> (WorkCalendar, HolidayTable) {
        let t = HolidayTable::shipped();
        (
            WorkCalendar::new(
                &t,
                OfficeOptions {
                    saturday_morning: sat,
                },
            )
            .unwrap(),
            t,
        )
    }

    #[test]
    fn tet_2024_and_the_make_up_saturday() {
        let (c, _) = cal(false);
        // Wed 07/02/2024 + 1 working day: Tết runs Thu 08 to Wed 14, so Thu 15.
        assert_eq!(
            c.add_working_days(date!(2024 - 02 - 07), 1).unwrap(),
            date!(2024 - 02 - 15)
        );
        // Fri 26/04/2024 + 1: Mon 29 swapped off, 30/4 and 1/5 holidays: Thu 02/05.
        assert_eq!(
            c.add_working_days(date!(2024 - 04 - 26), 1).unwrap(),
            date!(2024 - 05 - 02)
        );
        // Fri 03/05 + 1 is the make-up Saturday 04/05.
        assert_eq!(
            c.add_working_days(date!(2024 - 05 - 03), 1).unwrap(),
            date!(2024 - 05 - 04)
        );
        assert_eq!(
            c.working_days_between(date!(2024 - 02 - 07), date!(2024 - 02 - 15))
                .unwrap(),
            1
        );
        assert_eq!(
            c.sub_working_days(date!(2024 - 02 - 15), 1).unwrap(),
            date!(2024 - 02 - 07)
        );
        assert!(matches!(
            c.add_working_days(date!(2027 - 12 - 30), 5),
            Err(CalendarError::OutOfRange { .. })
        ));
    }

    #[test]
    fn saturday_receipt_depends_on_the_office_option() {
        let (plain, t) = cal(false);
        let (sat, _) = cal(true);
        // Sat 19/11/2022: without the option deemed received Mon 21/11.
        assert_eq!(
            plain.receipt_day(date!(2022 - 11 - 19), &t).unwrap(),
            date!(2022 - 11 - 21)
        );
        assert_eq!(
            sat.receipt_day(date!(2022 - 11 - 19), &t).unwrap(),
            date!(2022 - 11 - 19)
        );
        // Sundays and holidays move forward either way: Sun 20/11 → Mon 21/11.
        assert_eq!(
            sat.receipt_day(date!(2022 - 11 - 20), &t).unwrap(),
            date!(2022 - 11 - 21)
        );
        // Saturday 30/04/2022 is a holiday even for Saturday desks: Wed 04/05.
        assert_eq!(
            sat.receipt_day(date!(2022 - 04 - 30), &t).unwrap(),
            date!(2022 - 05 - 04)
        );
    }
}
