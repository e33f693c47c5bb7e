//! Why the host stopped a pick, and how a wasmtime error becomes a message.
//!
//! The host stops a pick by returning one of these errors from a host call:
//! the policy cannot catch it, and the pick's outcome names it.

/// A policy broke one of the host's rules. Raised as a trap from an import
/// (so the policy cannot catch it) or found when checking its answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("policy violation: {0}")]
pub struct PolicyViolation(pub String);

/// Which limit of time stopped a pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeLimit {
    /// The policy's own waits (sleeps, polls) used up its deadline.
    Deadline,
    /// The pick's wall-clock limit came: the machine or the host was too
    /// slow, whatever the policy did.
    WallClock,
}

/// A limit of time came while the host was serving a call of the policy's
/// (a wait, a store call asked after the wall-clock limit).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", match limit {
    TimeLimit::Deadline => format!("it waited past its deadline in {during}"),
    TimeLimit::WallClock => format!("the wall-clock limit came during {during}"),
})]
pub struct DeadlineReached {
    /// The call the policy was in.
    pub during: &'static str,
    /// Which limit came.
    pub limit: TimeLimit,
}

/// The message wasmtime gives when a call hands the host more than its
/// hostcall fuel ([`crate::Limits::max_call_bytes`]); the error type itself
/// is private to wasmtime. A test checks that it still reads so.
const HOSTCALL_FUEL_EXHAUSTED: &str = "fuel allocated for hostcalls has been exhausted";

/// How wasmtime's wasm backtrace context begins (it is not an error type
/// of its own in the chain, only a message).
const WASM_BACKTRACE: &str = "error while executing at wasm backtrace";

/// Whether `err` is wasmtime refusing to copy more than the hostcall fuel.
pub fn is_hostcall_fuel_exhausted(err: &wasmtime::Error) -> bool {
    err.chain().any(|cause| cause.to_string().contains(HOSTCALL_FUEL_EXHAUSTED))
}

/// The whole cause of an error on one line: every message of its chain,
/// outermost first, joined by `": "`, without the wasm backtrace (which
/// says where, not why). Line breaks inside a message become spaces.
pub fn describe(err: &wasmtime::Error) -> String {
    let messages: Vec<String> = err
        .chain()
        .map(|cause| cause.to_string())
        .filter(|message| !message.starts_with(WASM_BACKTRACE))
        .map(|message| message.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|message| !message.is_empty())
        .collect();
    // A context that repeats its cause's text adds nothing.
    let mut unique: Vec<String> = Vec::with_capacity(messages.len());
    for message in messages {
        if unique.last().is_none_or(|last| !last.ends_with(&message)) {
            unique.push(message);
        }
    }
    unique.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cause_is_kept_and_line_breaks_are_folded() {
        let err = wasmtime::Error::msg("root\ncause").context("while listing").context("in the pick");
        assert_eq!(describe(&err), "in the pick: while listing: root cause");
    }

    #[test]
    fn a_policy_violation_reads_whole() {
        let err = wasmtime::Error::new(PolicyViolation("too much".into()));
        assert_eq!(describe(&err), "policy violation: too much");
    }
}
