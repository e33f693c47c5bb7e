//! `Limits`: what one pick may use, as an operator sets it, and the engine
//! for each set of limits. Ranges and defaults are the library's
//! (`emailgen_host::sandbox`), as the CLI's flags are.

use std::sync::Mutex;

use emailgen_host::sandbox::{
    OperatorLimits, DEFAULT_DEADLINE_MS, DEFAULT_INSTRUCTIONS, DEFAULT_MEMORY_MIB, DEFAULT_WALL_CLOCK_MS,
};
use emailgen_host::PickerEngine;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

/// What one pick may use: Wasm `instructions` (its compute budget, the
/// same on every machine), time spent waiting in its sleeps and polls
/// (`deadline_ms`), wall-clock time in all (`wall_clock_ms`, the safety net;
/// time waiting for the repository counts in neither) and linear memory
/// (`memory_mib`). Checked when made.
#[pyclass(frozen, eq, hash, module = "emailgen_picker._native")]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limits {
    #[pyo3(get)]
    pub instructions: u64,
    #[pyo3(get)]
    pub deadline_ms: u64,
    #[pyo3(get)]
    pub wall_clock_ms: u64,
    #[pyo3(get)]
    pub memory_mib: u64,
}

#[pymethods]
impl Limits {
    #[new]
    #[pyo3(signature = (*, instructions = DEFAULT_INSTRUCTIONS, deadline_ms = DEFAULT_DEADLINE_MS,
                        wall_clock_ms = DEFAULT_WALL_CLOCK_MS, memory_mib = DEFAULT_MEMORY_MIB))]
    fn new(instructions: u64, deadline_ms: u64, wall_clock_ms: u64, memory_mib: u64) -> PyResult<Self> {
        let limits = Limits { instructions, deadline_ms, wall_clock_ms, memory_mib };
        emailgen_host::Limits::from_operator(&limits.operator()).map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(limits)
    }

    fn __repr__(&self) -> String {
        format!(
            "Limits(instructions={}, deadline_ms={}, wall_clock_ms={}, memory_mib={})",
            self.instructions, self.deadline_ms, self.wall_clock_ms, self.memory_mib
        )
    }
}

impl Default for Limits {
    fn default() -> Self {
        let OperatorLimits { instructions, deadline_ms, wall_clock_ms, memory_mib } = OperatorLimits::default();
        Limits { instructions, deadline_ms, wall_clock_ms, memory_mib }
    }
}

/// The engines made so far, one per set of limits: pickers with the same
/// limits share one wasmtime engine (and its epoch thread, its caches).
static ENGINES: Mutex<Vec<(Limits, PickerEngine)>> = Mutex::new(Vec::new());

impl Limits {
    fn operator(&self) -> OperatorLimits {
        let Limits { instructions, deadline_ms, wall_clock_ms, memory_mib } = *self;
        OperatorLimits { instructions, deadline_ms, wall_clock_ms, memory_mib }
    }

    /// The engine for these limits.
    pub fn engine(&self) -> PyResult<PickerEngine> {
        let mut engines = ENGINES.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, engine)) = engines.iter().find(|(limits, _)| limits == self) {
            return Ok(engine.clone());
        }
        let limits =
            emailgen_host::Limits::from_operator(&self.operator()).map_err(|e| PyValueError::new_err(e.to_string()))?;
        let engine =
            PickerEngine::new(limits).map_err(|e| PyRuntimeError::new_err(format!("cannot make an engine: {e}")))?;
        engines.push((*self, engine.clone()));
        Ok(engine)
    }
}
