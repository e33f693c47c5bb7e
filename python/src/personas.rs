//! A persona list parsed as the host parses it, for the Python policy
//! kit's local runner (`emailgen_policy.testing`): a policy tested in plain
//! Python sees exactly the personas the Wasm host would serve it.

use emailgen_domain::persona::parse_personas as parse;
use emailgen_domain::PersonaSummary;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The valid personas of a JSON persona list, summarised as the WIT's
/// `persona-summary` (position, email, active window in minutes, tone,
/// reply latency, LLM use), and one warning per entry dropped.
#[pyfunction]
#[pyo3(signature = (text, language_default = "en"))]
pub fn parse_personas<'py>(
    py: Python<'py>,
    text: &str,
    language_default: &str,
) -> PyResult<(Vec<Bound<'py, PyDict>>, Vec<String>)> {
    let parsed = parse(text, language_default);
    let summaries =
        parsed.personas.iter().map(|p| summary_dict(py, &PersonaSummary::from(p))).collect::<PyResult<Vec<_>>>()?;
    Ok((summaries, parsed.warnings))
}

fn summary_dict<'py>(py: Python<'py>, p: &PersonaSummary) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    let (start, end) = p.window.bounds();
    dict.set_item("position", p.position)?;
    dict.set_item("email", &p.email)?;
    dict.set_item("start", start)?;
    dict.set_item("end", end)?;
    dict.set_item("tone", p.tone.as_str())?;
    dict.set_item("reply_latency", p.reply_latency.as_str())?;
    dict.set_item("uses_llms_heavily", p.uses_llms_heavily)?;
    Ok(dict)
}
