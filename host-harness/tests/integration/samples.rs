//! The sample scenarios (`tests/scenarios/samples`, a copy of the shared
//! ones) give the outcome each names under `expect`, through the CLI, for
//! ten picks each.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

const PICKS: usize = 10;

/// Why `got` does not hold every field of `want` with its value, if it
/// does not.
fn not_a_subset(want: &Value, got: &Value, at: &str) -> Option<String> {
    let Value::Object(fields) = want else {
        return (want != got).then(|| format!("{at}: expected {want}, got {got}"));
    };
    fields.iter().find_map(|(key, value)| match got.get(key) {
        None => Some(format!("{at}.{key}: missing")),
        Some(field) => not_a_subset(value, field, &format!("{at}.{key}")),
    })
}

/// Why a printed pick does not meet a sample's `expect`, if it does not.
fn unmet(expect: &Value, line: &Value) -> Option<String> {
    if line["outcome"] != expect["outcome"] {
        return Some(format!("outcome: expected {}, got {line}", expect["outcome"]));
    }
    for key in ["reason", "action"] {
        if let Some(want) = expect.get(key) {
            if let Some(why) = not_a_subset(want, &line[key], key) {
                return Some(why);
            }
        }
    }
    let people = [&line["action"]["sender"], &line["action"]["recipient"]];
    if let Some(Value::Array(want)) = expect.get("persona_emails") {
        let mut want: Vec<&Value> = want.iter().collect();
        let mut got: Vec<&Value> = people.iter().map(|p| &p["email"]).collect();
        want.sort_by_key(|v| v.to_string());
        got.sort_by_key(|v| v.to_string());
        if want != got {
            return Some(format!("sender and recipient: expected {want:?}, got {got:?}"));
        }
    }
    if let Some(language) = expect.get("language") {
        if people.iter().any(|p| &p["language"] != language) {
            return Some(format!("language: expected {language} for both, got {line}"));
        }
    }
    None
}

#[test]
fn every_sample_gives_its_expected_outcome() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/scenarios/samples");
    let mut samples: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    samples.retain(|p| p.extension().is_some_and(|e| e == "json"));
    samples.sort();
    assert!(samples.len() >= 9, "the samples are in {}", dir.display());
    let mut failures = Vec::new();
    for sample in &samples {
        let expect =
            serde_json::from_str::<Value>(&std::fs::read_to_string(sample).unwrap()).unwrap()["expect"].clone();
        let output = Command::new(env!("CARGO_BIN_EXE_host-harness"))
            .args(["pick", "--scenario", sample.to_str().unwrap(), "--repeat", &PICKS.to_string()])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}: {}", sample.display(), String::from_utf8_lossy(&output.stderr));
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert_eq!(stdout.lines().count(), PICKS, "{}", sample.display());
        let name = sample.file_name().unwrap().to_string_lossy();
        let lines = stdout.lines().map(|l| serde_json::from_str::<Value>(l).unwrap());
        failures.extend(lines.filter_map(|line| unmet(&expect, &line)).map(|why| format!("{name}: {why}")));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn an_unmet_expectation_is_seen() {
    let expect =
        serde_json::json!({"outcome": "action", "action": {"is_reply": true}, "persona_emails": ["a@x.y", "b@x.y"]});
    let line = |reply: bool, to: &str| {
        serde_json::json!({"outcome": "action", "action": {"is_reply": reply,
            "sender": {"email": "a@x.y"}, "recipient": {"email": to}}})
    };
    assert_eq!(unmet(&expect, &line(true, "b@x.y")), None);
    assert!(unmet(&expect, &line(false, "b@x.y")).unwrap().contains("is_reply"));
    assert!(unmet(&expect, &line(true, "c@x.y")).unwrap().contains("sender and recipient"));
    assert!(unmet(&expect, &serde_json::json!({"outcome": "skip"})).unwrap().contains("outcome"));
}
