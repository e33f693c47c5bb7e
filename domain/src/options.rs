//! What a caller asks of one pick (the WIT `pick-options`), and the local
//! date-time it names.

use chrono::{NaiveDate, NaiveDateTime};

/// Per-pick options (the WIT `pick-options`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PickOptions {
    /// The seed of the pick's randomness; the same seed, data and `now`
    /// give the same outcome. `None`: the host draws one.
    pub seed: Option<u64>,
    /// The tick's local wall clock (active hours are checked against it);
    /// `None`: the host's.
    pub now: Option<NaiveDateTime>,
    /// The chance of replying on an existing thread; `None`: the policy's
    /// own.
    pub reply_probability: Option<f64>,
}

/// A local date and time from its parts (the WIT `local-datetime`), or
/// `None` when they name no such moment (February 30th, hour 24, …).
pub fn local_datetime(year: i32, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> Option<NaiveDateTime> {
    NaiveDate::from_ymd_opt(year, month, day)?.and_hms_opt(hour, minute, second)
}

/// The parts as text, for a message that says they name no moment.
pub fn describe_parts(year: i32, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> String {
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_name_a_moment_or_none() {
        assert_eq!(local_datetime(2026, 4, 27, 10, 30, 0).unwrap().to_string(), "2026-04-27 10:30:00");
        assert_eq!(local_datetime(2026, 2, 30, 10, 0, 0), None);
        assert_eq!(local_datetime(2026, 4, 27, 24, 0, 0), None);
        assert_eq!(describe_parts(2026, 2, 30, 9, 5, 0), "2026-02-30T09:05:00");
    }
}
