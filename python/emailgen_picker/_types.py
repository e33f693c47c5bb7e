"""What a pick returns: DECNET's ``EmailAction`` and ``EmailPersona``
shapes, and the typed outcomes of :meth:`Picker.pick_outcome`."""
from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

from ._native import NativeOutcome, PolicyInfo

if TYPE_CHECKING:
    from ._native import ActionFields


@dataclass(frozen=True)
class Persona:
    """A persona with every field of DECNET's ``EmailPersona``, resolved
    (defaults filled in, language from the topology's default)."""

    name: str
    email: str
    role: str
    tone: str = "formal"
    tone_custom: Optional[str] = None
    mannerisms: list[str] = field(default_factory=list)
    language: Optional[str] = None
    signature: Optional[str] = None
    active_hours: str = "09:00-18:00"
    reply_latency: str = "normal"
    uses_llms_heavily: bool = False


def _decnet_email_action() -> Optional[type]:
    """DECNET's own ``EmailAction`` when DECNET is installed: ours is a
    subclass of it, so the orchestrator's ``isinstance`` dispatch
    (``get_driver_for``) takes ours unchanged."""
    if importlib.util.find_spec("decnet") is None:
        return None
    try:
        from decnet.orchestrator.emailgen.scheduler import EmailAction as decnet_action
    except Exception:  # noqa: BLE001 - an unusable DECNET is no DECNET
        return None
    return decnet_action


_DECNET_ACTION = _decnet_email_action()

if _DECNET_ACTION is not None:

    @dataclass(frozen=True)
    class EmailAction(_DECNET_ACTION):  # type: ignore[misc, valid-type]
        """One tick's decision: DECNET's ``EmailAction``, plus the policy
        that made it."""

        policy: Optional[PolicyInfo] = None

else:

    @dataclass(frozen=True)
    class EmailAction:  # type: ignore[no-redef]
        """One tick's decision, with exactly the fields and types of
        DECNET's ``EmailAction`` (``decnet.orchestrator.emailgen.scheduler``),
        plus the policy that made it."""

        mail_decky_uuid: str
        mail_decky_name: str
        mail_decky_services: tuple[str, ...]
        sender: Persona
        recipient: Persona
        thread_id: str
        parent_message_id: Optional[str]
        references: str
        subject_hint: Optional[str]
        parent_excerpt: Optional[str]
        context_hint: str
        is_reply: bool
        description: str = "email:send"
        policy: Optional[PolicyInfo] = None


class _Outcome:
    """An outcome that prints as the CLI does."""

    _native: NativeOutcome

    def to_json(self) -> dict:
        """The SPEC §7 JSON line ``host-harness pick`` prints for this pick."""
        return json.loads(self._native.to_json())


@dataclass(frozen=True)
class Action(_Outcome):
    """A pick that sends an email."""

    action: EmailAction
    policy: PolicyInfo
    instructions: int
    """Wasm instructions the policy executed for this pick."""
    _native: NativeOutcome = field(repr=False, compare=False)


@dataclass(frozen=True)
class Skip(_Outcome):
    """A pick that sends nothing this tick. ``kind`` is ``no_mail_decky``,
    ``too_few_personas`` or ``too_few_active``; the others are set for the
    two shortages (the mail decky's source, its uuid, how many personas)."""

    kind: str
    source: Optional[str]
    mail_decky_uuid: Optional[str]
    count: Optional[int]
    policy: PolicyInfo
    instructions: int
    """Wasm instructions the policy executed for this pick."""
    _native: NativeOutcome = field(repr=False, compare=False)


def email_action(fields: ActionFields, policy: PolicyInfo) -> EmailAction:
    """The action of a native outcome's fields."""
    sender, recipient = Persona(**fields.pop("sender")), Persona(**fields.pop("recipient"))
    return EmailAction(sender=sender, recipient=recipient, policy=policy, **fields)
