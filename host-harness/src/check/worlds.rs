//! The worlds `check` runs a policy in: the sample scenarios, the benchmark
//! workloads, and generated worlds that between them reach every skip
//! condition, both persona sources, replies, bad persona entries and
//! shared addresses.

use serde_json::{json, Value};

use emailgen_domain::PickOptions;

use crate::scenario::{Scenario, ScenarioStore};

/// A world: a name, a scenario, and whether `now` should sweep the day
/// (pick `i` at hour `i % 24`) instead of the scenario's own time.
pub struct World {
    pub name: String,
    pub store: ScenarioStore,
    pub options: PickOptions,
    pub sweep_day: bool,
}

/// The sample scenarios (`tests/scenarios/samples`), built into the binary.
macro_rules! samples {
    ($($name:literal),* $(,)?) => {
        [$(($name, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/scenarios/samples/", $name, ".json")))),*]
    };
}

const SAMPLES: [(&str, &str); 9] = samples!(
    "duplicate_emails",
    "everyone_off_hours",
    "fleet_uses_global_pool",
    "minute_precision_window",
    "minute_precision_window_closed",
    "new_thread",
    "no_mail_decky",
    "one_persona",
    "reply_folds_subject",
);

/// The benchmark workloads (`bench/`): medium also measures a pick's cost,
/// large is what the default instruction budget is sized on.
pub const MEDIUM: &str = include_str!("../../../bench/medium.json");
pub const LARGE: &str = include_str!("../../../bench/large.json");

/// Every world, in a fixed order.
pub fn all() -> Vec<World> {
    let mut worlds = Vec::new();
    for (name, text) in SAMPLES {
        worlds.push(world(&format!("sample {name}"), text, false));
    }
    for (name, scenario) in generated() {
        worlds.push(world(&format!("generated {name}"), &scenario.to_string(), true));
    }
    worlds.push(world("bench medium", MEDIUM, true));
    worlds.push(world("bench large", LARGE, true));
    worlds
}

/// The medium workload alone (what `check` times picks on).
pub fn medium() -> World {
    world("bench medium", MEDIUM, true)
}

fn world(name: &str, text: &str, sweep_day: bool) -> World {
    // Built into the binary and tested: a world that does not parse is a bug.
    let scenario = Scenario::parse(text).unwrap_or_else(|e| panic!("world {name}: {e}"));
    World { name: name.to_owned(), store: scenario.store, options: scenario.options, sweep_day }
}

fn person(name: &str, email: &str, hours: Option<&str>) -> Value {
    let mut p = json!({"name": name, "email": email, "role": "Staff", "tone": "direct"});
    if let Some(hours) = hours {
        p["active_hours"] = json!(hours);
    }
    p
}

fn decky(uuid: &str, services: &[&str], source: &str, topology: Option<&str>) -> Value {
    json!({"uuid": uuid, "name": uuid, "services": services, "source": source, "topology_id": topology})
}

fn topology(personas: &Value) -> Value {
    json!({"email_personas": personas.to_string(), "language_default": "en"})
}

/// The office every generated world starts from: eight people with
/// different hours on one topology decky.
fn office() -> Value {
    let hours = [None, Some("08:00-17:00"), Some("09:00-18:00"), Some("22:00-06:00"), Some("07:30-16:30")];
    let people: Vec<Value> =
        (0..8).map(|i| person(&format!("Person {i}"), &format!("p{i}@corp.example"), hours[i % hours.len()])).collect();
    Value::Array(people)
}

fn generated() -> Vec<(&'static str, Value)> {
    let office = office();
    let threads: Vec<Value> = (0..8)
        .flat_map(|s| (0..8).filter(move |&r| r != s).map(move |r| (s, r)))
        .map(|(s, r)| {
            json!({"thread_id": format!("t-{s}-{r}"), "message_id": format!("<m{s}{r}@corp.example>"),
                   "subject": if s % 2 == 0 { "Quarterly\tforecast – v2" } else { "Re: Budget" },
                   "references": [format!("<root{s}{r}@corp.example>")], "mail_decky_uuid": "mx-office",
                   "sender_email": format!("p{s}@corp.example"), "recipient_email": format!("p{r}@corp.example")})
        })
        .collect();
    let mut bad_entries = office.as_array().cloned().unwrap_or_default();
    bad_entries.extend([json!({"name": "No Mail"}), json!("not an object"), json!({"email": 7, "name": "Typed"})]);
    let shared = json!([
        person("Ana", "shared@corp.example", None),
        person("Ana Two", "shared@corp.example", None),
        person("Bo", "bo@corp.example", None)
    ]);
    let only_shared =
        json!([person("Ana", "shared@corp.example", None), person("Ana Two", "shared@corp.example", None)]);
    vec![
        (
            "no mail decky",
            json!({"deckies": [decky("web", &["http", "ssh"], "topology", Some("t"))],
                                 "topologies": {"t": topology(&office)}}),
        ),
        (
            "one persona",
            json!({"deckies": [decky("mx", &["imap"], "topology", Some("t"))],
                               "topologies": {"t": topology(&json!([person("Solo", "solo@corp.example", None)]))}}),
        ),
        (
            "nobody in hours",
            json!({"deckies": [decky("mx", &["pop3"], "topology", Some("t"))],
                                   "topologies": {"t": topology(&json!([person("A", "a@corp.example", Some("09:00-09:01")),
                                                                        person("B", "b@corp.example", Some("09:00-09:01"))]))}}),
        ),
        (
            "office with threads",
            json!({"deckies": [decky("mx-office", &["imap", "smtp"], "topology", Some("t"))],
                                       "topologies": {"t": topology(&office)}, "threads": threads}),
        ),
        (
            "global pool",
            json!({"deckies": [decky("fleet-1", &["imap"], "fleet", None), decky("fleet-2", &["pop3"], "swarm", None)],
                               "global_personas": office}),
        ),
        (
            "empty global pool",
            json!({"deckies": [decky("fleet-1", &["imap"], "fleet", None)], "global_personas": null}),
        ),
        (
            "bad persona entries",
            json!({"deckies": [decky("mx", &["imap"], "topology", Some("t"))],
                                       "topologies": {"t": topology(&Value::Array(bad_entries))}}),
        ),
        (
            "shared addresses",
            json!({"deckies": [decky("mx", &["imap"], "topology", Some("t"))],
                                    "topologies": {"t": topology(&shared)}}),
        ),
        (
            "one mailbox, two names",
            json!({"deckies": [decky("mx", &["imap"], "topology", Some("t"))],
                                          "topologies": {"t": topology(&only_shared)}}),
        ),
        (
            "missing topology",
            json!({"deckies": [decky("mx", &["imap"], "topology", Some("gone")),
                                                decky("mx2", &["imap"], "topology", None)]}),
        ),
        (
            "mixed sources",
            json!({"deckies": [decky("mx-office", &["imap"], "topology", Some("t")),
                                             decky("fleet-1", &["pop3"], "fleet", None), decky("web", &["http"], "fleet", None)],
                                 "topologies": {"t": topology(&office)}, "global_personas": office, "threads": threads}),
        ),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_world_parses() {
        let worlds = super::all();
        assert_eq!(worlds.len(), 9 + 11 + 2);
    }
}
