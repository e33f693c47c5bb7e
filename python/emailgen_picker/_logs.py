"""What the host logs, handed to Python's ``logging``.

The host (Rust) queues its log lines wherever it runs; :func:`emit` logs
them on the caller's thread, and is called when a pick, a swap, a rollback,
a load or a flush ends. Loggers: ``emailgen_picker.policy`` (what a policy
logs or prints, escaped and bounded per pick) and ``emailgen_picker.host``
and its children (promotions, rollbacks, the compile cache, the persona
pool file, record files, persona entries dropped). Only lines at or above
these loggers' effective level when a pick starts are queued.
"""
from __future__ import annotations

import logging

from . import _native

_POLICY = logging.getLogger("emailgen_picker.policy")
_HOST = logging.getLogger("emailgen_picker.host")


def emit() -> None:
    """Logs the lines the host queued since the last call."""
    threshold = min(_POLICY.getEffectiveLevel(), _HOST.getEffectiveLevel())
    lines, dropped = _native.take_logs(max(1, min(threshold, 255)))
    for level, name, message in lines:
        logging.getLogger(name).log(level, message)
    if dropped:
        _HOST.warning("%d host log lines were dropped: more than 10000 waited to be logged", dropped)
