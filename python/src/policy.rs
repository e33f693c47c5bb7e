//! A loaded policy for Python. Its warm instances are the library's (the
//! policy's pool); a pick takes one for as long as it runs.

use std::path::PathBuf;
use std::sync::Arc;

use emailgen_host::{
    local_clock, AsyncPolicyInstance, CompileCache, FileLimits, FileSink, LoadError, Policy, RecordSink, Recorder,
};
use pyo3::prelude::*;

use crate::limits::Limits;
use crate::mailbox::{MailboxStore, SharedMailbox};
use crate::options::{global_pool, pick_options};
use crate::outcome::PolicyInfo;
use crate::session::PickSession;

/// A policy loaded on the engine for its limits, checked, ready to pick.
#[pyclass(frozen, module = "emailgen_picker._native")]
pub struct NativePolicy {
    pub policy: Policy,
}

fn load_error(err: LoadError) -> PyErr {
    crate::LoadError::new_err(err.to_string())
}

#[pymethods]
impl NativePolicy {
    /// A built-in policy (`default`, `realistic`).
    #[staticmethod]
    #[pyo3(signature = (name, *, limits = None))]
    fn builtin(name: &str, limits: Option<PyRef<'_, Limits>>) -> PyResult<Self> {
        let engine = limits.map_or_else(Limits::default, |l| *l).engine()?;
        Ok(NativePolicy { policy: Policy::named_builtin(&engine, name).map_err(load_error)? })
    }

    /// A policy from a component file, read and checked before it is
    /// compiled, with the GIL released; through the compile cache (in
    /// `cache_dir`, or the per-user default) unless `cache` is false.
    #[staticmethod]
    #[pyo3(signature = (path, *, limits = None, cache_dir = None, cache = true))]
    fn from_file(
        py: Python<'_>,
        path: PathBuf,
        limits: Option<PyRef<'_, Limits>>,
        cache_dir: Option<PathBuf>,
        cache: bool,
    ) -> PyResult<Self> {
        let engine = limits.map_or_else(Limits::default, |l| *l).engine()?;
        let policy = py.detach(|| match cache {
            true => CompileCache::new(cache_dir.unwrap_or_else(CompileCache::default_dir))
                .load_file(&engine, &path)
                .map(|(policy, _)| policy),
            false => Policy::from_file(&engine, &path),
        });
        Ok(NativePolicy { policy: policy.map_err(load_error)? })
    }

    /// Which policy this is.
    #[getter]
    fn id(&self) -> PolicyInfo {
        PolicyInfo::from(self.policy.id())
    }

    /// Starts a pick: on a warm instance from the policy's pool, or with
    /// `fresh` on a new one; `now` a `datetime` (its wall clock), None for
    /// the host's; `global_personas` JSON text or a list (None: the pool
    /// file); recorded into `recorder` when given.
    #[pyo3(signature = (*, seed = None, now = None, reply_probability = None, global_personas = None, fresh = false, recorder = None))]
    fn start(
        &self,
        seed: Option<&Bound<'_, PyAny>>,
        now: Option<&Bound<'_, PyAny>>,
        reply_probability: Option<f64>,
        global_personas: Option<&Bound<'_, PyAny>>,
        fresh: bool,
        recorder: Option<PyRef<'_, NativeRecorder>>,
    ) -> PyResult<PickSession> {
        let options = pick_options(seed, now, reply_probability)?;
        let mailbox = SharedMailbox::default();
        let store = Box::new(MailboxStore { mailbox: Arc::clone(&mailbox), global: global_pool(global_personas)? });
        let mut instance = match fresh {
            true => AsyncPolicyInstance::fresh(self.policy.clone(), local_clock()),
            false => AsyncPolicyInstance::new(self.policy.clone(), local_clock()),
        };
        instance.set_recorder(recorder.map(|r| r.sink.clone() as Recorder));
        let policy = PolicyInfo::from(self.policy.id());
        let future = Box::pin(async move { (instance.pick(store, &options).await, policy) });
        Ok(PickSession::new(future, mailbox))
    }
}

/// A record file (JSON Lines, as `host-harness --record` writes), shared by
/// the pickers and slots that record into it.
#[pyclass(frozen, module = "emailgen_picker._native")]
pub struct NativeRecorder {
    pub sink: Arc<FileSink>,
}

#[pymethods]
impl NativeRecorder {
    #[new]
    #[pyo3(signature = (path, *, max_bytes, keep))]
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
