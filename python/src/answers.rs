//! The repository's answers, from Python to the host's types. Rows may be
//! dicts (as DECNET's repository returns for deckies and threads), mappings,
//! or objects with attributes (its `get_topology` returns a pydantic
//! model). Data that does not fit is the store's fault: a store error that
//! says which row and field, never a crash.

use emailgen_host::{Decky, StoreError, ThreadRow, Topology};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

use crate::mailbox::{Answer, Question};

type Converted<T> = Result<T, StoreError>;

/// The answer to `request`, converted.
pub fn convert(question: &Question, value: &Bound<'_, PyAny>) -> Converted<Answer> {
    match question {
        Question::Deckies { services } => deckies(value, services).map(Answer::Deckies),
        Question::Topology { .. } => topology(value).map(Answer::Topology),
        Question::Threads { .. } => threads(value).map(Answer::Threads),
    }
}

/// A row's field: `row[key]` of a dict, `row.get(key)` of a mapping,
/// `row.key` of an object; `None` when absent or None.
fn field<'py>(row: &Bound<'py, PyAny>, key: &str) -> Option<Bound<'py, PyAny>> {
    let value = if let Ok(dict) = row.cast::<PyDict>() {
        dict.get_item(key).ok().flatten()
    } else if let Ok(get) = row.getattr("get") {
        get.call1((key,)).ok()
    } else {
        row.getattr(key).ok()
    };
    value.filter(|v| !v.is_none())
}

/// A string field, if present and a string.
fn text(row: &Bound<'_, PyAny>, key: &str, what: &str) -> Converted<Option<String>> {
    match field(row, key) {
        None => Ok(None),
        Some(value) => match value.cast::<PyString>() {
            Ok(s) => Ok(Some(s.to_cow().map_err(|e| StoreError(format!("{what} {key}: {e}")))?.into_owned())),
            Err(_) => Err(StoreError(format!("{what} has a {key} that is not a string"))),
        },
    }
}

fn required(row: &Bound<'_, PyAny>, key: &str, what: &str) -> Converted<String> {
    text(row, key, what)?.ok_or_else(|| StoreError(format!("{what} has no {key}")))
}

fn rows<'py>(value: &Bound<'py, PyAny>, what: &str) -> Converted<Vec<Bound<'py, PyAny>>> {
    if let Ok(list) = value.cast::<PyList>() {
        return Ok(list.iter().collect());
    }
    if let Ok(tuple) = value.cast::<PyTuple>() {
        return Ok(tuple.iter().collect());
    }
    let items =
        value.try_iter().map_err(|_| StoreError(format!("{what} returned a {}, not a list", type_name(value))))?;
    items.collect::<PyResult<Vec<_>>>().map_err(|e| StoreError(format!("{what}: {e}")))
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "value".into())
}

/// The string items of a `services` list (SPEC §2: absent, null or not a
/// list offers nothing).
fn services(row: &Bound<'_, PyAny>) -> Vec<String> {
    let Some(value) = field(row, "services") else { return Vec::new() };
    let Ok(list) = value.cast::<PyList>() else { return Vec::new() };
    list.iter().filter_map(|item| item.extract::<String>().ok()).collect()
}

/// The running deckies offering one of `filter` (all for an empty one):
/// the others are not converted at all.
fn deckies(value: &Bound<'_, PyAny>, filter: &[String]) -> Converted<Vec<Decky>> {
    let mut out = Vec::new();
    for (i, row) in rows(value, "list_running_deckies")?.iter().enumerate() {
        let services = services(row);
        if !filter.is_empty() && !services.iter().any(|s| filter.contains(s)) {
            continue;
        }
        let what = format!("list_running_deckies row {i}");
        out.push(Decky {
            uuid: required(row, "uuid", &what)?,
            name: text(row, "name", &what)?.unwrap_or_default(),
            services,
            topology_id: text(row, "topology_id", &what)?,
            source: text(row, "source", &what)?,
        });
    }
    Ok(out)
}

fn topology(value: &Bound<'_, PyAny>) -> Converted<Option<Topology>> {
    if value.is_none() {
        return Ok(None);
    }
    let what = "get_topology's row";
    // The persona list as JSON text; a list itself is written as JSON.
    let email_personas = match field(value, "email_personas") {
        None => String::new(),
        Some(v) => match v.cast::<PyString>() {
            Ok(s) => persona_list_text(s).map_err(|e| StoreError(format!("{what} email_personas: {e}")))?,
            Err(_) => json_dumps(&v).map_err(|e| StoreError(format!("{what} email_personas: {e}")))?,
        },
    };
    Ok(Some(Topology {
        id: required(value, "id", what)?,
        email_personas,
        language_default: text(value, "language_default", what)?,
    }))
}

/// A persona list's JSON text from a Python string. A Python string may
/// hold a lone surrogate, which Rust text cannot: it is written as its JSON
/// escape, which is what it means inside a JSON string, so the one entry
/// holding it is dropped, as DECNET drops it, and the others stay.
pub fn persona_list_text(text: &Bound<'_, PyString>) -> PyResult<String> {
    match text.to_cow() {
        Ok(text) => Ok(text.into_owned()),
        Err(_) => {
            let wtf8 = text.call_method1("encode", ("utf-8", "surrogatepass"))?;
            Ok(emailgen_domain::persona::text_from_wtf8(wtf8.cast::<PyBytes>()?.as_bytes()))
        }
    }
}

/// A Python value as JSON text (`json.dumps`).
pub fn json_dumps(value: &Bound<'_, PyAny>) -> PyResult<String> {
    let json = value.py().import("json")?;
    json.call_method1("dumps", (value,))?.extract()
}

fn threads(value: &Bound<'_, PyAny>) -> Converted<Vec<ThreadRow>> {
    let mut out = Vec::new();
    for (i, row) in rows(value, "list_orchestrator_email_threads")?.iter().enumerate() {
        let what = format!("list_orchestrator_email_threads row {i}");
        let references = match field(row, "references") {
            None => Vec::new(),
            Some(v) => v
                .extract::<Vec<String>>()
                .map_err(|_| StoreError(format!("{what} has references that are not a list of strings")))?,
        };
        out.push(ThreadRow {
            thread_id: required(row, "thread_id", &what)?,
            message_id: required(row, "message_id", &what)?,
            subject: text(row, "subject", &what)?.unwrap_or_default(),
            references,
        });
    }
    Ok(out)
}
