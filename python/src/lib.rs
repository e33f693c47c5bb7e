//! `emailgen_picker._native`: the picker host (`emailgen-host`) for Python.
//!
//! A thin binding: limits, loading and checking policies, serving the
//! imports, checking answers, swapping and the compile cache are the
//! library's. This crate adds what Python needs to drive a pick from its
//! own event loop: a [`session::PickSession`] is an awaited pick that
//! Python polls; when the policy asks the store, the session says so,
//! Python awaits the orchestrator's repository and hands the answer back.
//! No thread hop per store call, and the guest gives the loop a turn every
//! 2 ms while it computes. The Python package `emailgen_picker` wraps it.

use pyo3::prelude::*;

mod answers;
mod limits;
mod logs;
mod mailbox;
mod options;
mod outcome;
mod personas;
mod policy;
mod session;
mod slot;

pyo3::create_exception!(_native, LoadError, pyo3::exceptions::PyException, "A policy could not be loaded.");
pyo3::create_exception!(
    _native,
    SwapRefused,
    pyo3::exceptions::PyException,
    "A candidate policy was not promoted; the active one is unchanged."
);

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    logs::install();
    m.add_function(wrap_pyfunction!(logs::take_logs, m)?)?;
    m.add_function(wrap_pyfunction!(personas::parse_personas, m)?)?;
    m.add_class::<limits::Limits>()?;
    m.add_class::<outcome::PolicyInfo>()?;
    m.add_class::<outcome::NativeOutcome>()?;
    m.add_class::<policy::NativePolicy>()?;
    m.add_class::<policy::NativeRecorder>()?;
    m.add_class::<session::PickSession>()?;
    m.add_class::<session::PollStatus>()?;
    m.add_class::<slot::NativeSlot>()?;
    m.add("LoadError", m.py().get_type::<LoadError>())?;
    m.add("SwapRefused", m.py().get_type::<SwapRefused>())?;
    m.add("WIT_VERSION", emailgen_host::bindings::WIT_VERSION)?;
    Ok(())
}
