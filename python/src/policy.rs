//! A loaded policy for Python, with its warm instances.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::{NaiveDate, NaiveDateTime};
use emailgen_host::{
    local_clock, AsyncPolicyInstance, CompileCache, FileLimits, FileSink, LoadError, PersonaPoolFile, PickOptions,
    Policy, RecordSink, Recorder,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::engines::engine;
use crate::session::PickSession;
use crate::store::{GlobalPool, SlotStore};

/// Warm instances not picking now. A pick takes one (or makes one) and
/// gives it back when it is over, so picks at once each have their own.
pub struct Idle {
    policy: Policy,
    instances: Mutex<Vec<AsyncPolicyInstance>>,
}

/// How many idle instances a policy keeps (more picks at once make more,
/// which are dropped when they finish).
const MAX_IDLE: usize = 64;

impl Idle {
    fn take(&self) -> AsyncPolicyInstance {
        let kept = self.instances.lock().unwrap_or_else(|p| p.into_inner()).pop();
        kept.unwrap_or_else(|| AsyncPolicyInstance::new(self.policy.clone(), local_clock()))
    }

    pub fn put(&self, instance: AsyncPolicyInstance) {
        let mut instances = self.instances.lock().unwrap_or_else(|p| p.into_inner());
        if instances.len() < MAX_IDLE {
            instances.push(instance);
        }
    }
}

/// A policy loaded on an engine for its limits, checked, ready to pick.
#[pyclass(frozen, module = "emailgen_picker._native")]
pub struct NativePolicy {
    pub policy: Policy,
    idle: Arc<Idle>,
    pool_file: Arc<Mutex<PersonaPoolFile>>,
}

fn load_error(err: LoadError) -> PyErr {
    crate::LoadError::new_err(err.to_string())
}

impl NativePolicy {
    fn new(policy: Policy) -> Self {
        let idle = Arc::new(Idle { policy: policy.clone(), instances: Mutex::default() });
        NativePolicy { policy, idle, pool_file: Arc::new(Mutex::new(PersonaPoolFile::from_environment())) }
    }
}

#[pymethods]
impl NativePolicy {
    /// A built-in policy (`default`, `realistic`).
    #[staticmethod]
    fn builtin(name: &str, deadline_ms: u64, memory_mib: u64) -> PyResult<Self> {
        let engine = engine(deadline_ms, memory_mib)?;
        Ok(NativePolicy::new(Policy::named_builtin(&engine, name).map_err(load_error)?))
    }

    /// A policy from a component file, through the compile cache in
    /// `cache_dir` when one is given.
    #[staticmethod]
    #[pyo3(signature = (path, deadline_ms, memory_mib, cache_dir=None))]
    fn from_file(path: PathBuf, deadline_ms: u64, memory_mib: u64, cache_dir: Option<PathBuf>) -> PyResult<Self> {
        let engine = engine(deadline_ms, memory_mib)?;
        let policy = match cache_dir {
            Some(dir) => CompileCache::new(dir).load_file(&engine, &path).map(|(policy, _)| policy),
            None => Policy::from_file(&engine, &path),
        };
        Ok(NativePolicy::new(policy.map_err(load_error)?))
    }

    /// (name, sha256, wit_version).
    #[getter]
    fn id(&self) -> (String, String, String) {
        let id = self.policy.id();
        (id.name.clone(), id.sha256.clone(), id.wit_version.clone())
    }

    /// Starts a pick: `now` as (year, month, day, hour, minute, second) of
    /// the local wall clock; `global_personas` the pool's JSON text (None:
    /// the pool file); `fresh` on a new instance rather than a warm one;
    /// recorded into `recorder` when given.
    #[pyo3(signature = (seed=None, now=None, reply_probability=None, global_personas=None, fresh=false, recorder=None))]
    fn start(
        &self,
        seed: Option<u64>,
        now: Option<(i32, u32, u32, u32, u32, u32)>,
        reply_probability: Option<f64>,
        global_personas: Option<Bound<'_, PyString>>,
        fresh: bool,
        recorder: Option<PyRef<'_, NativeRecorder>>,
    ) -> PyResult<PickSession> {
        let now = now.map(local_datetime).transpose()?;
        let options = PickOptions { seed, now, reply_probability };
        let global = match global_personas {
            Some(text) => GlobalPool::Given(crate::answers::persona_list_text(&text)?),
            None => GlobalPool::File(self.pool_file.clone()),
        };
        let slot = Arc::default();
        let store = Box::new(SlotStore { slot: Arc::clone(&slot), global });
        let mut instance = match fresh {
            true => AsyncPolicyInstance::new(self.policy.clone(), local_clock()),
            false => self.idle.take(),
        };
        instance.set_recorder(recorder.map(|r| r.sink.clone() as Recorder));
        let future = Box::pin(async move {
            let outcome = instance.pick(store, &options).await;
            (instance, outcome)
        });
        Ok(PickSession::new(future, slot, self.idle.clone(), self.policy.id().clone()))
    }
}

/// A record file (JSON Lines, as `host-harness --record` writes), shared by
/// the pickers and slots that record into it.
#[pyclass(frozen, module = "emailgen_picker._native")]
pub struct NativeRecorder {
    sink: Arc<FileSink>,
}

#[pymethods]
impl NativeRecorder {
    #[new]
    fn new(path: PathBuf, max_bytes: u64, keep: u32) -> PyResult<Self> {
        let sink = FileSink::create(&path, FileLimits { max_bytes, keep })
            .map_err(|e| pyo3::exceptions::PyOSError::new_err(format!("cannot record to {}: {e}", path.display())))?;
        Ok(NativeRecorder { sink: Arc::new(sink) })
    }

    /// Returns once every record taken so far is written.
    fn flush(&self, py: Python<'_>) {
        py.detach(|| self.sink.flush());
    }
}

fn local_datetime((y, mo, d, h, mi, s): (i32, u32, u32, u32, u32, u32)) -> PyResult<NaiveDateTime> {
    NaiveDate::from_ymd_opt(y, mo, d)
        .and_then(|date| date.and_hms_opt(h, mi, s))
        .ok_or_else(|| PyValueError::new_err(format!("now is not a valid date and time: {y}-{mo}-{d} {h}:{mi}:{s}")))
}
