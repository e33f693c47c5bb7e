//! The WIT `clock` interface: the embedder's local wall clock.

use wasmtime::component::HasData;

use super::convert;
use super::mail::Clock;
use super::this_pick::ThisPick;
use super::transcript::StoreCall;
use crate::bindings::{clock, types};

/// The `clock` interface's view of an instance: the embedder's clock, and
/// the pick whose transcript notes what it said.
pub struct ClockView<'a> {
    pub(super) clock: &'a Clock,
    pub(super) pick: &'a mut ThisPick,
}

/// The `clock` interface, linked on its own.
pub struct ClockImports;

impl HasData for ClockImports {
    type Data<'a> = ClockView<'a>;
}

impl clock::Host for ClockView<'_> {
    fn local_now(&mut self) -> wasmtime::Result<types::LocalDatetime> {
        let now = (self.clock)();
        self.pick.transcript.note(|| StoreCall::LocalNow { now: now.format("%Y-%m-%dT%H:%M:%S").to_string() });
        Ok(convert::local_datetime(now))
    }
}
