//! `Limits`: what one pick may use, as an operator sets it, and the engine
//! for each set of limits. Ranges and defaults are the library's
//! (`emailgen_host::sandbox`), as the CLI's flags are.

use std::sync::Mutex;

use emailgen_host::sandbox::{DEFAULT_DEADLINE_MS, DEFAULT_MEMORY_MIB};
use emailgen_host::PickerEngine;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

/// What one pick may use: wall-clock time of the policy's own
/// (`deadline_ms`; time waiting for the repository does not count) and
/// linear memory (`memory_mib`). Checked when made.
#[pyclass(frozen, eq, hash, module = "emailgen_picker._native")]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limits {
    #[pyo3(get)]
    pub deadline_ms: u64,
    #[pyo3(get)]
    pub memory_mib: u64,
}

#[pymethods]
impl Limits {
    #[new]
    #[pyo3(signature = (*, deadline_ms = DEFAULT_DEADLINE_MS, memory_mib = DEFAULT_MEMORY_MIB))]
    fn new(deadline_ms: u64, memory_mib: u64) -> PyResult<Self> {
        emailgen_host::Limits::with_operator(deadline_ms, memory_mib)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(Limits { deadline_ms, memory_mib })
    }

    fn __repr__(&self) -> String {
        format!("Limits(deadline_ms={}, memory_mib={})", self.deadline_ms, self.memory_mib)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits { deadline_ms: DEFAULT_DEADLINE_MS, memory_mib: DEFAULT_MEMORY_MIB }
    }
}

/// The engines made so far, one per set of limits: pickers with the same
/// limits share one wasmtime engine (and its epoch thread, its caches).
static ENGINES: Mutex<Vec<(Limits, PickerEngine)>> = Mutex::new(Vec::new());

impl Limits {
    /// The engine for these limits.
    pub fn engine(&self) -> PyResult<PickerEngine> {
        let mut engines = ENGINES.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, engine)) = engines.iter().find(|(limits, _)| limits == self) {
            return Ok(engine.clone());
        }
        let limits = emailgen_host::Limits::with_operator(self.deadline_ms, self.memory_mib)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let engine =
            PickerEngine::new(limits).map_err(|e| PyRuntimeError::new_err(format!("cannot make an engine: {e}")))?;
        engines.push((*self, engine.clone()));
        Ok(engine)
    }
}
