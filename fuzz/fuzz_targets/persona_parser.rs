//! Fuzzes the persona parser (SPEC §3) and the active-hours parser (§4):
//! no input may panic, and every persona kept must obey the rules.

#![no_main]

use emailgen_domain::active_hours::{minute_of_day, Window};
use emailgen_domain::persona::{parse_personas, PersonaSummary, PersonaView, Tone};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = parse_personas(&text, "en");
    for p in &parsed.personas {
        let len = |s: &str| s.chars().count();
        assert!((1..=128).contains(&len(&p.name)));
        assert!((1..=128).contains(&len(&p.role)));
        assert!((3..=255).contains(&len(&p.email)));
        let (local, domain) = p.email.rsplit_once('@').expect("kept emails contain @");
        assert!(!local.is_empty() && domain.contains('.'));
        assert!(p.tone != Tone::Custom || p.tone_custom.as_deref().is_some_and(|t| !t.trim().is_empty()));
        assert!(p.mannerisms.len() <= 12);
        assert!(len(&p.active_hours) <= 32);
        assert_eq!(p.window, Window::parse(&p.active_hours));
        // What the host hands a policy decides as the persona would.
        let summary = PersonaSummary::from(p);
        assert_eq!((summary.email(), summary.position()), (p.email.as_str(), p.position));
        let (start, end) = p.window.bounds();
        assert_eq!(Window::from_bounds(start, end), p.window);
    }
    // Positions are the entries' indexes: increasing, and each entry either
    // kept or dropped with one warning.
    assert!(parsed.personas.windows(2).all(|pair| pair[0].position < pair[1].position));
    if let Some(last) = parsed.personas.last() {
        assert!((last.position as usize) < parsed.personas.len() + parsed.warnings.len());
    }
    // Any text is a window (malformed means always active), and its bounds
    // (what crosses the boundary) carry it whole.
    let window = Window::parse(&text);
    for (h, m) in [(0, 0), (9, 30), (23, 59)] {
        let _ = window.contains(minute_of_day(h, m));
    }
    let (start, end) = window.bounds();
    assert_eq!(Window::from_bounds(start, end), window);
});
