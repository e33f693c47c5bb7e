"""Types of ``emailgen_picker._native``, the Rust half of the package (a
PyO3 binding of the ``emailgen-host`` library). The package's public API
(``emailgen_picker``) is built on these; most callers never touch them."""

from datetime import datetime
from os import PathLike
from typing import Any, Callable, Final, Literal, Optional, TypedDict, Union, final

WIT_VERSION: Final[str]
"""The version of the WIT package ``decnet:emailgen`` this host implements."""

def parse_personas(text: str, language_default: str = "en") -> tuple[list[dict[str, Any]], list[str]]:
    """The valid personas of a JSON persona list as the host parses them,
    summarised (``position``, ``email``, ``start``/``end`` minutes of the
    active window, ``tone``, ``reply_latency``, ``uses_llms_heavily``), and
    a warning per entry dropped. For the policy kit's local runner."""

class LoadError(Exception):
    """A policy could not be loaded (unreadable, not a component, a
    forbidden import, an incompatible WIT version, the wrong world)."""

class SwapRefused(Exception):
    """A candidate policy was not promoted, or there is no policy to roll
    back to; the active one is unchanged."""

@final
class Limits:
    """What one pick may use: ``instructions``, the Wasm instructions it may
    execute (1000-100000000000, default 100000000; the same on every
    machine); ``deadline_ms``, time it may spend waiting in its sleeps and
    polls (1-60000, default 50); ``wall_clock_ms``, its wall-clock time in all,
    a safety net against a stuck or overloaded host (1-600000, default 2000;
    time waiting for the repository counts in neither); ``memory_mib`` of
    linear memory (1-4096, default 32). Raises ``ValueError`` outside those
    ranges."""

    def __init__(
        self, *, instructions: int = 100000000, deadline_ms: int = 50, wall_clock_ms: int = 2000, memory_mib: int = 32
    ) -> None: ...
    @property
    def instructions(self) -> int: ...
    @property
    def deadline_ms(self) -> int: ...
    @property
    def wall_clock_ms(self) -> int: ...
    @property
    def memory_mib(self) -> int: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@final
class PolicyInfo:
    """Which policy made a pick: its name (the built-in name or the file's
    stem), the sha256 of its component, the WIT version it was built
    against."""

    def __init__(self, name: str, sha256: str, wit_version: str) -> None: ...
    @property
    def name(self) -> str: ...
    @property
    def sha256(self) -> str: ...
    @property
    def wit_version(self) -> str: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class PersonaFields(TypedDict):
    """A persona with every field of SPEC §3, resolved."""

    name: str
    email: str
    role: str
    tone: Literal["formal", "direct", "casual", "technical", "custom"]
    tone_custom: Optional[str]
    mannerisms: list[str]
    language: str
    signature: Optional[str]
    active_hours: str
    reply_latency: Literal["fast", "normal", "slow"]
    uses_llms_heavily: bool

class ActionFields(TypedDict):
    """An action's fields, as DECNET's ``EmailAction`` has them."""

    mail_decky_uuid: str
    mail_decky_name: str
    mail_decky_services: tuple[str, ...]
    sender: PersonaFields
    recipient: PersonaFields
    thread_id: str
    parent_message_id: Optional[str]
    references: str
    subject_hint: Optional[str]
    parent_excerpt: Optional[str]
    context_hint: str
    is_reply: bool
    description: str

SkipKind = Literal["no_mail_decky", "too_few_personas", "too_few_active"]
ErrorKind = Literal[
    "store", "invalid-input", "internal", "instructions", "deadline", "wall-clock", "memory", "policy-violation", "trap"
]

@final
class NativeOutcome:
    """One pick's outcome and the policy that made it."""

    @property
    def kind(self) -> Literal["action", "skip", "error"]: ...
    @property
    def policy(self) -> PolicyInfo: ...
    @property
    def instructions(self) -> int:
        """Wasm instructions the policy executed (its instance's start
        included when the pick ran on a fresh one)."""
    @property
    def fresh(self) -> bool:
        """Whether the pick ran on a fresh instance."""
    def to_json(self) -> str:
        """The SPEC §7 JSON line, as ``host-harness pick`` prints it."""
    def action(self) -> Optional[ActionFields]: ...
    def skip(self) -> Optional[tuple[SkipKind, Optional[str], Optional[str], Optional[int]]]:
        """(kind, source, mail decky uuid, count); the last three for the
        two shortages only."""
    def error(self) -> Optional[tuple[ErrorKind, str]]: ...

@final
class PollStatus:
    """What a pick needs next."""

    DONE: Final[PollStatus]
    """The pick is over: ``PickSession.outcome()`` has it."""
    STORE: Final[PollStatus]
    """The pick asks the repository: ``PickSession.request()`` says what."""
    YIELD: Final[PollStatus]
    """The pick gave the loop a turn: poll again after one."""
    WAIT: Final[PollStatus]
    """The pick waits for a timer: poll again once ``wake_on``'s callback ran."""
    def __eq__(self, other: object) -> bool: ...
    def __int__(self) -> int: ...

Question = Union[
    tuple[Literal["list_running_deckies"]],
    tuple[Literal["get_topology"], str],
    tuple[Literal["list_orchestrator_email_threads"], str, str, str, int],
]

@final
class PickSession:
    """One awaited pick, polled from the caller's event loop
    (``emailgen_picker._driver.drive``)."""

    def poll(self) -> PollStatus:
        """Runs the pick (GIL released) until it needs something."""
    def request(self) -> Question:
        """The repository call the pick waits on: its method and arguments."""
    def answer(self, value: Any) -> None:
        """Hands over the repository's answer; one that does not fit becomes
        a store error the pick reports."""
    def fail(self, message: str) -> None:
        """The repository call failed with ``message``."""
    def wake_on(self, event_loop: Any, callback: Callable[[], None]) -> None:
        """After WAIT: calls ``callback`` on ``event_loop`` (thread-safely)
        once the pick can go on."""
    def outcome(self) -> NativeOutcome:
        """The outcome, once DONE."""

Personas = Union[str, list[Any], None]

@final
class NativeRecorder:
    """A record file (JSON Lines, as ``host-harness --record`` writes it),
    rotated past ``max_bytes`` with ``keep`` rotated files."""

    def __init__(self, path: Union[str, PathLike[str]], *, max_bytes: int, keep: int) -> None: ...
    def flush(self) -> None:
        """Returns once every record taken so far is written."""

@final
class NativePolicy:
    """A policy loaded and checked on the engine for its limits; its warm
    instances are the library's pool."""

    @staticmethod
    def builtin(name: str, *, limits: Optional[Limits] = None) -> NativePolicy: ...
    @staticmethod
    def from_file(
        path: Union[str, PathLike[str]], *, limits: Optional[Limits] = None, cache_dir: Optional[str] = None
    ) -> NativePolicy:
        """Compiles (GIL released) and checks a component file, through the
        compile cache in ``cache_dir`` when given."""
    @property
    def id(self) -> PolicyInfo: ...
    def start(
        self,
        *,
        seed: Optional[int] = None,
        now: Optional[datetime] = None,
        reply_probability: Optional[float] = None,
        global_personas: Personas = None,
        fresh: bool = False,
        recorder: Optional[NativeRecorder] = None,
    ) -> PickSession:
        """Starts a pick. ``seed`` 0 to 2**64 - 1 (``ValueError`` otherwise;
        None: drawn by the host); ``now`` a datetime whose wall clock is the
        tick's (an offset is dropped; None: the host's clock);
        ``global_personas`` JSON text or a list (None: the pool file);
        ``fresh`` on a new instance rather than a warm one."""

@final
class NativeSlot:
    """The library's ``PolicySlot``: the active policy, swapped atomically,
    rolled back after ``rollback_after`` policy failures in a row."""

    def __init__(
        self, initial: NativePolicy, *, rollback_after: int, recorder: Optional[NativeRecorder] = None
    ) -> None: ...
    def active(self) -> NativePolicy: ...
    def start(
        self,
        *,
        seed: Optional[int] = None,
        now: Optional[datetime] = None,
        reply_probability: Optional[float] = None,
        global_personas: Personas = None,
    ) -> PickSession:
        """A pick on the policy active when it starts, counted toward the
        automatic rollback and recorded into the slot's recorder."""
    def promote(self, candidate: NativePolicy, canary: NativeOutcome) -> PolicyInfo:
        """Promotes ``candidate`` if ``canary`` (its pick on a fresh instance)
        is an action or a skip; raises ``SwapRefused`` otherwise."""
    def rollback(self) -> PolicyInfo:
        """Reinstates the previous policy; raises ``SwapRefused`` if none."""

def take_logs(threshold: int) -> tuple[list[tuple[int, str, str]], int]:
    """The host's queued log lines at or above ``threshold`` (Python's level
    numbers) as (level, logger, message), and how many were dropped."""
