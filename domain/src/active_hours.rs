//! Active-hours windows: `"HH:MM-HH:MM"` in local wall-clock time, minute
//! precision (SPEC §4).
//!
//! The seed compared whole hours only; the upstream project later moved to
//! minute precision, and so do we. A malformed window means *always active*:
//! a typo in one persona must never silence the fleet.

use crate::python_text;

/// Minutes since local midnight, 0..1440.
pub type MinuteOfDay = u16;

/// A parsed window. `Always` covers both malformed text and equal bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    Always,
    /// `start <= now < end` when `start < end`; spans midnight otherwise.
    Between {
        start: MinuteOfDay,
        end: MinuteOfDay,
    },
}

impl Window {
    /// Parses `"HH:MM-HH:MM"`. Never fails: anything malformed is `Always`.
    pub fn parse(text: &str) -> Window {
        let bounds = canonical(text.as_bytes()).or_else(|| lenient(text));
        bounds.map_or(Window::Always, |(start, end)| Window::from_bounds(start, end))
    }

    /// The window as two minutes of the day; equal when always active (the
    /// WIT `active-window`).
    pub fn bounds(self) -> (MinuteOfDay, MinuteOfDay) {
        match self {
            Window::Always => (0, 0),
            Window::Between { start, end } => (start, end),
        }
    }

    /// The window with these bounds; equal bounds are always active.
    pub fn from_bounds(start: MinuteOfDay, end: MinuteOfDay) -> Window {
        if start == end {
            Window::Always
        } else {
            Window::Between { start, end }
        }
    }

    /// Whether `now` falls inside the window.
    pub fn contains(self, now: MinuteOfDay) -> bool {
        match self {
            Window::Always => true,
            Window::Between { start, end } if start < end => start <= now && now < end,
            // Spans midnight, e.g. 22:30-06:15.
            Window::Between { start, end } => now >= start || now < end,
        }
    }
}

/// The exact form `HH:MM-HH:MM` (two digits each), as nearly every persona
/// writes it: read without splitting or trimming. A fresh policy instance
/// parses every window of a topology on its first pick.
fn canonical(text: &[u8]) -> Option<(MinuteOfDay, MinuteOfDay)> {
    let &[h1, h2, b':', m1, m2, b'-', h3, h4, b':', m3, m4] = text else {
        return None;
    };
    let clock = |h1: u8, h2: u8, m1: u8, m2: u8| {
        let digits = [h1, h2, m1, m2];
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let [h1, h2, m1, m2] = digits.map(|d| u32::from(d - b'0'));
        let (hour, minute) = (h1 * 10 + h2, m1 * 10 + m2);
        (hour <= 23 && minute <= 59).then(|| minute_of_day(hour, minute))
    };
    Some((clock(h1, h2, m1, m2)?, clock(h3, h4, m3, m4)?))
}

/// Every other form Python's `int` accepts between the separators (white
/// space, signs, underscores, one digit, digits of any script: DECNET's
/// parser is `int()`, see [`python_text::int`]).
fn lenient(text: &str) -> Option<(MinuteOfDay, MinuteOfDay)> {
    let (start, end) = split_exactly_two(text, '-')?;
    Some((parse_clock(start)?, parse_clock(end)?))
}

/// Minute of day for an hour and minute (hour 0–23, minute 0–59).
pub fn minute_of_day(hour: u32, minute: u32) -> MinuteOfDay {
    (hour.min(23) * 60 + minute.min(59)) as MinuteOfDay
}

fn split_exactly_two(text: &str, sep: char) -> Option<(&str, &str)> {
    let (a, b) = text.split_once(sep)?;
    if b.contains(sep) {
        return None;
    }
    Some((a, b))
}

fn parse_clock(text: &str) -> Option<MinuteOfDay> {
    let (hour, minute) = split_exactly_two(text, ':')?;
    let (hour, minute) = (python_text::int(hour)?, python_text::int(minute)?);
    if !(0..=23).contains(&hour) || !(0..=59).contains(&minute) {
        return None;
    }
    Some(minute_of_day(hour as u32, minute as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(window: &str, hour: u32, minute: u32) -> bool {
        Window::parse(window).contains(minute_of_day(hour, minute))
    }

    #[test]
    fn bounds_carry_a_window_and_back() {
        for text in ["09:30-17:45", "22:30-06:15", "08:00-08:00", "garbage", "00:00-23:59"] {
            let window = Window::parse(text);
            let (start, end) = window.bounds();
            assert_eq!(Window::from_bounds(start, end), window, "{text}");
        }
        assert_eq!(Window::parse("08:00-08:00").bounds(), (0, 0));
        assert_eq!(Window::parse("22:30-06:15").bounds(), (22 * 60 + 30, 6 * 60 + 15));
    }

    #[test]
    fn day_window_has_minute_precision() {
        assert!(!at("09:30-17:45", 9, 29));
        assert!(at("09:30-17:45", 9, 30));
        assert!(at("09:30-17:45", 17, 44));
        assert!(!at("09:30-17:45", 17, 45));
    }

    #[test]
    fn window_spanning_midnight() {
        assert!(at("22:30-06:15", 22, 30));
        assert!(at("22:30-06:15", 6, 14));
        assert!(at("22:30-06:15", 0, 0));
        assert!(!at("22:30-06:15", 22, 29));
        assert!(!at("22:30-06:15", 6, 15));
        assert!(!at("22:30-06:15", 12, 0));
    }

    #[test]
    fn equal_bounds_are_always_active() {
        assert_eq!(Window::parse("08:00-08:00"), Window::Always);
        assert!(at("08:00-08:00", 3, 0));
    }

    #[test]
    fn default_window() {
        assert!(!at("09:00-18:00", 8, 59));
        assert!(at("09:00-18:00", 9, 0));
        assert!(!at("09:00-18:00", 18, 0));
    }

    #[test]
    fn malformed_windows_are_always_active() {
        for bad in [
            "",
            "9-17",
            "09:00",
            "09:00-18:00-20:00",
            "24:00-18:00",
            "09:60-18:00",
            "aa:bb-cc:dd",
            "09:00:00-18:00",
            "09:00-",
            "-09:00",
            "09:0x-18:00",
            "-1:00-02:00",
            "09:__0-18:00",
        ] {
            assert_eq!(Window::parse(bad), Window::Always, "{bad:?}");
        }
    }

    #[test]
    fn the_fast_path_agrees_with_the_lenient_parse() {
        let clocks = ["00:00", "09:30", "23:59", "24:00", "07:60", "7a:00", " 9:00", "+9:00", "0_9:0"];
        for start in clocks {
            for end in clocks {
                let text = format!("{start}-{end}");
                let fast = canonical(text.as_bytes());
                if fast.is_some() {
                    assert_eq!(fast, lenient(&text), "{text:?}");
                } else if text.len() == 11 && text.bytes().all(|b| b.is_ascii_digit() || b":-".contains(&b)) {
                    assert_eq!(lenient(&text), None, "{text:?} is canonical in form, so only a bad value may fail");
                }
            }
        }
    }

    #[test]
    fn integers_parse_like_python() {
        assert_eq!(Window::parse(" 9:00-17:00 "), Window::Between { start: 540, end: 1020 });
        assert_eq!(Window::parse("+9:00-1_7:00"), Window::Between { start: 540, end: 1020 });
        assert_eq!(Window::parse("9:5-17:0"), Window::Between { start: 545, end: 1020 });
    }

    #[test]
    fn digits_of_any_script_and_pythons_white_space() {
        let office = Window::Between { start: 480, end: 1020 };
        assert_eq!(Window::parse("０８:００-１７:００"), office); // fullwidth
        assert_eq!(Window::parse("٠٨:٠٠-١٧:٠٠"), office); // Arabic-Indic
        assert_eq!(Window::parse("०८:००-१७:००"), office); // Devanagari
        assert_eq!(Window::parse("\u{3000}08:00-17:00\u{a0}"), office); // non-ASCII white space
        assert_eq!(Window::parse("08\u{3000}:00-17:00"), office);
        // Python reads `²` as no digit, and a fullwidth colon or dash as no separator.
        // ...nor U+001C–U+001F as white space (`str.strip()` does, `int()` does not).
        for text in ["0²:00-17:00", "08：00-17:00", "08:00－17:00", "\u{1f}08:00-17:00"] {
            assert_eq!(Window::parse(text), Window::Always, "{text:?}");
        }
    }
}
