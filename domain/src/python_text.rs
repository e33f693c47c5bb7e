//! Python's reading of text, where the original picker's behaviour depends
//! on it: the white space `str.strip()` trims, and the integers `int(str)`
//! reads. (The two disagree on white space: `strip()` trims the information
//! separators U+001C–U+001F, `int()` refuses them.)
//!
//! DECNET parses active-hours windows with `int()` and folds reply subjects
//! with `str.strip()`; both read more of Unicode than Rust's `trim` and
//! `parse`. Agreeing with them on the data DECNET's own orchestrator writes
//! means reading text the way Python 3.11 does (Unicode 14.0): the same
//! code runs natively and in the Wasm guest.

/// Whether Python's `str.isspace()` holds for `c`: Unicode's White_Space
/// characters (what Rust's `char::is_whitespace` tests) and also the four
/// information separators U+001C–U+001F, which Python counts as white
/// space (their bidirectional class is B or S) and Rust does not.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// `text.strip()`: surrounding Python white space removed.
pub fn strip(text: &str) -> &str {
    text.trim_matches(is_space)
}

/// `text.lstrip()`: leading Python white space removed.
pub fn lstrip(text: &str) -> &str {
    text.trim_start_matches(is_space)
}

/// The value of `c` as a decimal digit the way `int()` reads it: any
/// character of Unicode category Nd (`٣`, `３`, `३`, …), not only ASCII.
pub fn decimal_value(c: char) -> Option<u8> {
    if c.is_ascii_digit() {
        return Some(c as u8 - b'0');
    }
    let code = c as u32;
    // The last block whose zero is at or before `c`; `c` is one of its
    // digits when it is at most nine past that zero.
    let after = DECIMAL_ZEROS.partition_point(|&zero| zero <= code);
    let zero = DECIMAL_ZEROS[after.checked_sub(1)?];
    (code - zero <= 9).then(|| (code - zero) as u8)
}

/// `int(text)` for a `str`, as Python 3.11 reads it: surrounding white
/// space, an optional sign, then decimal digits of any script
/// ([`decimal_value`]) with single underscores between them. `None` where
/// Python raises `ValueError`, and where the value does not fit an `i64`
/// (Python would return a big integer, which no caller here can use).
///
/// The white space is not [`is_space`]: CPython turns every non-ASCII
/// white-space character into a space and then skips ASCII white space
/// only (space, `\t`, `\n`, `\v`, `\f`, `\r`), so U+001C–U+001F stay and
/// make the text invalid. What is left is exactly Unicode's White_Space,
/// which Rust's `trim` trims.
pub fn int(text: &str) -> Option<i64> {
    let text = text.trim();
    let (negative, digits) = match text.as_bytes().first()? {
        b'+' => (false, &text[1..]),
        b'-' => (true, &text[1..]),
        _ => (false, text),
    };
    let mut value: i64 = 0;
    // Whether the previous character was a digit: an underscore must sit
    // between two digits.
    let mut after_digit = false;
    let mut any_digit = false;
    for c in digits.chars() {
        if c == '_' {
            if !after_digit {
                return None;
            }
            after_digit = false;
            continue;
        }
        let digit = decimal_value(c)?;
        value = value.checked_mul(10)?.checked_add(i64::from(digit))?;
        after_digit = true;
        any_digit = true;
    }
    if !any_digit || !after_digit {
        return None;
    }
    Some(if negative { -value } else { value })
}

/// The zero of every run of ten decimal digits (category Nd) in Unicode
/// 14.0, the version Python 3.11's `unicodedata` has; each run holds the
/// digits 0–9 in order. ASCII's is handled before the table is searched.
/// Generated with `[c for c in range(0x110000) if
/// unicodedata.decimal(chr(c), None) == 0]`; a Python test of the package
/// checks it against the interpreter.
const DECIMAL_ZEROS: [u32; 66] = [
    0x30, 0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66, 0xde6, 0xe50, 0xed0,
    0xf20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90, 0x1b50, 0x1bb0, 0x1c40, 0x1c50, 0xa620,
    0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0, 0xff10, 0x104a0, 0x10d30, 0x11066, 0x110f0, 0x11136, 0x111d0,
    0x112f0, 0x11450, 0x114d0, 0x11650, 0x116c0, 0x11730, 0x118e0, 0x11950, 0x11c50, 0x11d50, 0x11da0, 0x16a60,
    0x16ac0, 0x16b50, 0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec, 0x1d7f6, 0x1e140, 0x1e2f0, 0x1e950, 0x1fbf0,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn white_space_is_pythons() {
        for c in
            ['\t', '\n', '\u{b}', '\u{c}', '\r', ' ', '\u{1c}', '\u{1f}', '\u{85}', '\u{a0}', '\u{2028}', '\u{3000}']
        {
            assert!(is_space(c), "{c:?}");
        }
        for c in ['\0', '\u{1b}', '\u{7f}', '\u{180e}', '\u{200b}', '\u{feff}', 'a'] {
            assert!(!is_space(c), "{c:?}");
        }
        assert_eq!(strip("\u{1f} Q3 \u{1c}\t"), "Q3");
        assert_eq!(lstrip("\u{1d} re: x "), "re: x ");
    }

    #[test]
    fn digits_of_every_script() {
        assert_eq!(decimal_value('7'), Some(7));
        assert_eq!(decimal_value('٣'), Some(3)); // Arabic-Indic
        assert_eq!(decimal_value('３'), Some(3)); // fullwidth
        assert_eq!(decimal_value('९'), Some(9)); // Devanagari
        assert_eq!(decimal_value('\u{1d7ff}'), Some(9)); // the last mathematical digit
        assert_eq!(decimal_value('\u{1fbf9}'), Some(9)); // segmented digit nine
        for c in ['²', '½', 'Ⅷ', '⑧', 'a', '/', ':', '\u{1fbfa}', '\u{2f}'] {
            assert_eq!(decimal_value(c), None, "{c:?}");
        }
        // Every zero's run has exactly ten digits before the next zero.
        for pair in DECIMAL_ZEROS.windows(2) {
            assert!(pair[1] - pair[0] >= 10, "{pair:x?}");
        }
    }

    #[test]
    fn integers_read_like_int() {
        let cases = [
            ("9", Some(9)),
            (" 09 ", Some(9)),
            ("+9", Some(9)),
            ("-0", Some(0)),
            ("1_7", Some(17)),
            ("０８", Some(8)),
            ("٠٨", Some(8)),
            ("١_٢", Some(12)),
            ("\u{3000}17\u{a0}", Some(17)),
            ("\u{85}\u{b}17\u{2028}", Some(17)),
            // `strip()` would trim these; `int()` refuses them.
            ("\u{1f}8", None),
            ("8\u{1c}", None),
            ("", None),
            ("+", None),
            ("_1", None),
            ("1_", None),
            ("1__2", None),
            ("+_1", None),
            ("- 1", None),
            ("1 2", None),
            ("0x10", None),
            ("²", None),
            ("1.0", None),
            ("99999999999999999999999", None),
        ];
        for (text, value) in cases {
            assert_eq!(int(text), value, "{text:?}");
        }
    }
}
