//! Engines by limits: one wasmtime engine (and epoch thread) for every
//! picker that runs under the same limits.

use std::sync::Mutex;
use std::time::Duration;

use emailgen_host::{Limits, PickerEngine};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::PyResult;

/// The engines made so far, by (deadline ms, memory MiB).
static ENGINES: Mutex<Vec<((u64, u64), PickerEngine)>> = Mutex::new(Vec::new());

/// The engine for these limits (the CLI's ranges: 1–60000 ms, 1–4096 MiB).
pub fn engine(deadline_ms: u64, memory_mib: u64) -> PyResult<PickerEngine> {
    if !(1..=60_000).contains(&deadline_ms) {
        return Err(PyValueError::new_err(format!("deadline_ms must be 1-60000, not {deadline_ms}")));
    }
    if !(1..=4096).contains(&memory_mib) {
        return Err(PyValueError::new_err(format!("memory_mib must be 1-4096, not {memory_mib}")));
    }
    let mut engines = ENGINES.lock().unwrap_or_else(|p| p.into_inner());
    let key = (deadline_ms, memory_mib);
    if let Some((_, engine)) = engines.iter().find(|(k, _)| *k == key) {
        return Ok(engine.clone());
    }
    let limits = Limits {
        deadline: Duration::from_millis(deadline_ms),
        memory_bytes: (memory_mib as usize) << 20,
        ..Limits::default()
    };
    let engine =
        PickerEngine::new(limits).map_err(|e| PyRuntimeError::new_err(format!("cannot make an engine: {e}")))?;
    engines.push((key, engine.clone()));
    Ok(engine)
}
