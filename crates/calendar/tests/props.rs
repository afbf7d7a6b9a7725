//! Property tests of the working-day arithmetic against a slow reference
//! that walks the calendar one day at a time and asks the holiday table
//! directly.

use doisoat_calendar::{due_date, DeadlineInput, HolidayTable, OfficeOptions, WorkCalendar};
use proptest::prelude::*;
use time::{Date, Duration, Weekday};

fn table() -> &'static HolidayTable {
    static T: std::sync::OnceLock<HolidayTable> = std::sync::OnceLock::new();
    T.get_or_init(HolidayTable::shipped)
}

fn calendar(sat: bool) -> &'static WorkCalendar {
    static PLAIN: std::sync::OnceLock<WorkCalendar> = std::sync::OnceLock::new();
    static SAT: std::sync::OnceLock<WorkCalendar> = std::sync::OnceLock::new();
    let cell = if sat { &SAT } else { &PLAIN };
    cell.get_or_init(|| {
        WorkCalendar::new(
            table(),
            OfficeOptions {
                saturday_morning: sat,
            },
        )
        .unwrap()
    })
}

fn day(offset: i64) -> Date {
    time::macros::date!(2022 - 01 - 01) + Duration::days(offset)
}

/// Reference: the n-th working day after `d`, one day at a time.
fn slow_add(d: Date, n: u32) -> Date {
    let mut d = d;
    let mut left = n;
    while left > 0 {
        d = d.next_day().unwrap();
        if table().is_working_day(d).unwrap() {
            left -= 1;
        }
    }
    d
}

/// Reference due date: deemed receipt, then count days outside the waiting periods.
fn slow_due(received: Date, n: u32, sat: bool, excluded: &[(Date, Date)]) -> Date {
    let is_off = |d: Date| table().day_off_name(d).is_some();
    let receiving = table().is_working_day(received).unwrap()
        || (sat && received.weekday() == Weekday::Saturday && !is_off(received));
    let start = if receiving {
        received
    } else {
        slow_add(received, 1)
    };
    let mut d = start;
    let mut left = n;
    while left > 0 {
        d = d.next_day().unwrap();
        let waiting = excluded.iter().any(|(a, b)| *a <= d && d <= *b);
        if table().is_working_day(d).unwrap() && !waiting {
            left -= 1;
        }
    }
    d
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn due_date_is_never_a_holiday_or_a_plain_weekend(off in 0i64..(5 * 365), n in 1u32..60, sat in any::<bool>()) {
        let cal = calendar(sat);
        let input = DeadlineInput { received: day(off), working_days: n, supplement_received: None, excluded: vec![] };
        let due = due_date(cal, table(), &input).unwrap();
        prop_assert!(table().day_off_name(due).is_none(), "{due} is a day off");
        let weekend = matches!(due.weekday(), Weekday::Saturday | Weekday::Sunday);
        let make_up = table().year(due.year()).unwrap().make_up_days.iter().any(|e| doisoat_calendar::parse_iso_date(&e.date) == Some(due));
        prop_assert!(!weekend || make_up, "{due} is a weekend and not a make-up day");
    }

    #[test]
    fn adding_n_then_counting_back_gives_n(off in 30i64..(5 * 365), n in 0u32..200) {
        let cal = calendar(false);
        let a = day(off);
        let b = cal.add_working_days(a, n).unwrap();
        prop_assert_eq!(cal.working_days_between(a, b).unwrap(), i64::from(n));
        prop_assert_eq!(cal.working_days_between(b, a).unwrap(), -i64::from(n));
        if cal.is_working_day(b).unwrap() && n > 0 {
            // Counting back from a working day lands on the last working day on or before a.
            let back = cal.sub_working_days(b, n).unwrap();
            prop_assert!(back <= a);
            prop_assert_eq!(cal.working_days_between(back, a).unwrap(), 0);
        }
    }

    #[test]
    fn agrees_with_the_slow_reference(
        off in 0i64..(5 * 365),
        n in 1u32..40,
        sat in any::<bool>(),
        supplement in proptest::option::of(0i64..30),
        waits in proptest::collection::vec((0i64..60, 0i64..12), 0..3),
    ) {
        let received = day(off);
        let supplement = supplement.map(|s| received + Duration::days(s));
        let excluded: Vec<(Date, Date)> = waits.iter().map(|(s, len)| (received + Duration::days(*s), received + Duration::days(s + len))).collect();
        let input = DeadlineInput { received, working_days: n, supplement_received: supplement, excluded: excluded.clone() };
        let fast = due_date(calendar(sat), table(), &input).unwrap();
        let slow = slow_due(supplement.unwrap_or(received), n, sat, &excluded);
        prop_assert_eq!(fast, slow);
        prop_assert_eq!(calendar(false).add_working_days(received, n).unwrap(), slow_add(received, n));
    }
}
