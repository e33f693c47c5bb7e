//! A pick's outcome as Python reads it, and the policy that made it: its
//! kind, its parts as plain Python values (the package builds its
//! dataclasses from them), and the SPEC §7 JSON line the CLI prints for it.

use emailgen_domain::Persona;
use emailgen_host::{PickOutcome, PolicyId, SkipReason};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

/// A skip as Python reads it: (kind, source, mail decky uuid, count).
type SkipParts = (&'static str, Option<String>, Option<String>, Option<u32>);

/// Which policy made a pick: its name, the sha256 of its component, and
/// the WIT version it was built against.
#[pyclass(frozen, eq, hash, module = "emailgen_picker._native")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PolicyInfo {
    #[pyo3(get)]
    pub name: String,
    #[pyo3(get)]
    pub sha256: String,
    #[pyo3(get)]
    pub wit_version: String,
}

#[pymethods]
impl PolicyInfo {
    #[new]
    fn new(name: String, sha256: String, wit_version: String) -> Self {
        PolicyInfo { name, sha256, wit_version }
    }

    fn __repr__(&self) -> String {
        format!("PolicyInfo(name={:?}, sha256={:?}, wit_version={:?})", self.name, self.sha256, self.wit_version)
    }
}

impl From<&PolicyId> for PolicyInfo {
    fn from(id: &PolicyId) -> Self {
        PolicyInfo { name: id.name.clone(), sha256: id.sha256.clone(), wit_version: id.wit_version.clone() }
    }
}

/// One pick's outcome, what it cost, and the policy that made it.
#[pyclass(frozen, module = "emailgen_picker._native")]
pub struct NativeOutcome {
    pub outcome: PickOutcome,
    pub policy: PolicyInfo,
    /// Wasm instructions the policy executed.
    #[pyo3(get)]
    pub instructions: u64,
    /// Whether it ran on a fresh instance.
    #[pyo3(get)]
    pub fresh: bool,
}

#[pymethods]
impl NativeOutcome {
    /// `"action"`, `"skip"` or `"error"`.
    #[getter]
    fn kind(&self) -> &'static str {
        match self.outcome {
            PickOutcome::Action { .. } => "action",
            PickOutcome::Skip { .. } => "skip",
            PickOutcome::Error { .. } => "error",
        }
    }

    /// The policy that made the pick.
    #[getter]
    fn policy(&self) -> PolicyInfo {
        self.policy.clone()
    }

    /// The SPEC §7 JSON line, exactly as `host-harness pick` prints it.
    fn to_json(&self) -> String {
        self.outcome.to_json()
    }

    /// An action's fields (personas as dicts), or None.
    fn action<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let PickOutcome::Action { action } = &self.outcome else { return Ok(None) };
        let fields = PyDict::new(py);
        fields.set_item("mail_decky_uuid", &action.mail_decky_uuid)?;
        fields.set_item("mail_decky_name", &action.mail_decky_name)?;
        fields.set_item("mail_decky_services", PyTuple::new(py, &action.mail_decky_services)?)?;
        fields.set_item("sender", persona(py, &action.sender)?)?;
        fields.set_item("recipient", persona(py, &action.recipient)?)?;
        fields.set_item("thread_id", &action.thread_id)?;
        fields.set_item("parent_message_id", &action.parent_message_id)?;
        fields.set_item("references", &action.references)?;
        fields.set_item("subject_hint", &action.subject_hint)?;
        fields.set_item("parent_excerpt", &action.parent_excerpt)?;
        fields.set_item("context_hint", &action.context_hint)?;
        fields.set_item("is_reply", action.is_reply)?;
        fields.set_item("description", &action.description)?;
        Ok(Some(fields))
    }

    /// A skip's (kind, source, mail decky uuid, count), or None.
    fn skip(&self) -> Option<SkipParts> {
        let PickOutcome::Skip { reason } = &self.outcome else { return None };
        Some(match reason {
            SkipReason::NoMailDecky => (reason.kind(), None, None, None),
            SkipReason::TooFewPersonas(s) | SkipReason::TooFewActive(s) => {
                (reason.kind(), Some(s.source.clone()), Some(s.mail_decky_uuid.clone()), Some(s.count))
            }
        })
    }

    /// An error's (kind, message), kind as in the JSON line, or None.
    fn error(&self) -> Option<(String, String)> {
        let PickOutcome::Error { error } = &self.outcome else { return None };
        Some((error.kind.as_str().to_owned(), error.message.clone()))
    }
}

/// A persona with every field of SPEC §3, resolved.
fn persona<'py>(py: Python<'py>, p: &Persona) -> PyResult<Bound<'py, PyDict>> {
    let fields = PyDict::new(py);
    fields.set_item("name", &p.name)?;
    fields.set_item("email", &p.email)?;
    fields.set_item("role", &p.role)?;
    fields.set_item("tone", p.tone.as_str())?;
    fields.set_item("tone_custom", &p.tone_custom)?;
    fields.set_item("mannerisms", p.mannerisms.iter().collect::<Vec<_>>())?;
    fields.set_item("language", &p.language)?;
    fields.set_item("signature", &p.signature)?;
    fields.set_item("active_hours", &p.active_hours)?;
    fields.set_item("reply_latency", p.reply_latency.as_str())?;
    fields.set_item("uses_llms_heavily", p.uses_llms_heavily)?;
    Ok(fields)
}
