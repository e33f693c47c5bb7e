//! A pick's options as Python gives them, checked and converted once for
//! every way of picking (a picker, a slot, a canary).

use chrono::NaiveDateTime;
use emailgen_domain::options::{describe_parts, local_datetime};
use emailgen_host::PickOptions;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::answers::{json_dumps, persona_list_text};
use crate::mailbox::GlobalPool;

/// The options of one pick, from its keyword arguments.
pub fn pick_options(
    seed: Option<&Bound<'_, PyAny>>,
    now: Option<&Bound<'_, PyAny>>,
    reply_probability: Option<f64>,
) -> PyResult<PickOptions> {
    let seed = seed.map(seed_of).transpose()?;
    let now = now.map(wall_clock).transpose()?;
    Ok(PickOptions { seed, now, reply_probability })
}

/// A seed: an integer from 0 to 2**64 - 1.
fn seed_of(seed: &Bound<'_, PyAny>) -> PyResult<u64> {
    seed.extract::<u64>().map_err(|_| PyValueError::new_err(format!("seed must be 0 to 2**64 - 1, not {seed}")))
}

/// The wall clock a `datetime` names (an offset is dropped, as the CLI
/// drops it from a scenario's `now`).
fn wall_clock(now: &Bound<'_, PyAny>) -> PyResult<NaiveDateTime> {
    let datetime = now.py().import("datetime")?.getattr("datetime")?;
    if !now.is_instance(&datetime)? {
        let kind = now.get_type().name()?;
        return Err(PyTypeError::new_err(format!("now must be a datetime, not {kind}")));
    }
    let part = |name: &str| now.getattr(name)?.extract::<u32>();
    let (year, month, day) = (now.getattr("year")?.extract::<i32>()?, part("month")?, part("day")?);
    let (hour, minute, second) = (part("hour")?, part("minute")?, part("second")?);
    local_datetime(year, month, day, hour, minute, second).ok_or_else(|| {
        let text = describe_parts(year, month, day, hour, minute, second);
        PyValueError::new_err(format!("now is not a valid date and time: {text}"))
    })
}

/// The global pool of a pick: the text or list given (a list is written
/// as JSON), or the pool file when none is.
pub fn global_pool(given: Option<&Bound<'_, PyAny>>) -> PyResult<GlobalPool> {
    let Some(given) = given.filter(|g| !g.is_none()) else { return Ok(GlobalPool::File) };
    let text = match given.cast::<PyString>() {
        Ok(text) => persona_list_text(text)?,
        Err(_) => json_dumps(given)?,
    };
    Ok(GlobalPool::Given(text))
}
