"""DECNET's email-action picker as a sandboxed, hot-swappable WebAssembly
policy, for its asyncio orchestrator.

    import emailgen_picker as ep
    picker = ep.Picker.builtin()
    action = await picker.pick(repo)          # EmailAction, or None on a skip

The policy runs in a wasmtime sandbox (deadline, memory, import budgets,
answers checked against what the host served); the host is the Rust
library ``emailgen-host``, of which this package is a thin binding.
"""
from ._errors import (DeadlineExceeded, InstructionBudgetExceeded, InternalError, InvalidInput, MemoryExceeded,
                      PickError, PolicyTrap, PolicyViolation, StoreError, WallClockExceeded)
from ._native import WIT_VERSION, Limits, LoadError, PolicyInfo, SwapRefused
from ._picker import Picker, Recorder
from ._slot import PolicySlot
from ._types import Action, EmailAction, Persona, Skip

__all__ = [
    "Action", "DeadlineExceeded", "EmailAction", "InstructionBudgetExceeded", "InternalError", "InvalidInput",
    "Limits", "LoadError", "MemoryExceeded", "Persona", "PickError", "Picker", "PolicyInfo", "PolicySlot",
    "PolicyTrap", "PolicyViolation", "Recorder", "Skip", "StoreError", "SwapRefused", "WIT_VERSION",
    "WallClockExceeded",
]
