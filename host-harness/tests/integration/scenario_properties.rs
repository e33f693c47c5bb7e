//! Property tests of scenario loading: arbitrary input never panics; it
//! loads or gives an error message.

use host_harness::Scenario;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_load_or_fail_cleanly(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let text = String::from_utf8_lossy(&bytes);
        if let Err(message) = Scenario::parse(&text) {
            prop_assert!(!message.is_empty());
        }
    }

    #[test]
    fn scenario_shaped_json_loads_or_fails_cleanly(
        key in prop_oneof![Just("now"), Just("seed"), Just("reply_probability"), Just("deckies"),
                           Just("topologies"), Just("threads"), Just("global_personas"), Just("x")],
        value in prop_oneof![
            Just("null".to_owned()), Just("1".to_owned()), Just("-3".to_owned()), Just("0.5".to_owned()),
            Just("\"2026-04-26T12:00:00\"".to_owned()), Just("[]".to_owned()), Just("{}".to_owned()),
            Just("[{\"uuid\": \"d\"}]".to_owned()), Just("[{\"thread_id\": 1}]".to_owned()),
            Just("{\"t\": {\"email_personas\": 5}}".to_owned()), ".{0,12}".prop_map(|s| format!("{s:?}")),
        ],
    ) {
        let text = format!("{{\"{key}\": {value}}}");
        if let Err(message) = Scenario::parse(&text) {
            prop_assert!(!message.is_empty());
        }
    }
}
