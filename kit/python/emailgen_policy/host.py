"""What a policy may ask of its host: the WIT imports (``store``,
``clock``, ``log``) as a Python protocol. In a component the kit's adapter
implements it over the imports; in tests, ``testing.ScenarioHost`` over a
scenario file. A failing store call raises ``PickError`` (kind ``STORE``)
naming the import."""
from __future__ import annotations

from datetime import datetime
from typing import Optional, Protocol

from .types import Decky, Persona, ThreadRow

#: The services a mail decky offers one of.
MAIL_SERVICES = ["imap", "pop3"]


class Host(Protocol):
    def list_running_deckies(self, services: list[str]) -> list[Decky]:
        """Running deckies offering one of ``services``."""
        ...

    def running_deckies_fingerprint(self, services: list[str]) -> Optional[int]:
        """Equal fingerprints promise an equal listing (``None``: not offered)."""
        ...

    def topology_personas(self, topology_id: str) -> Optional[list[Persona]]:
        """The topology's valid personas as the host parsed them (``None``:
        no such topology)."""
        ...

    def topology_fingerprint(self, topology_id: str) -> Optional[int]:
        """Equal fingerprints promise an equal persona list."""
        ...

    def global_pool_personas(self) -> list[Persona]:
        """The global pool's valid personas as the host parsed them."""
        ...

    def global_personas_fingerprint(self) -> Optional[int]:
        """Equal fingerprints promise an equal pool."""
        ...

    def list_email_threads(self, mail_decky_uuid: str, sender_email: str, recipient_email: str,
                           limit: int) -> list[ThreadRow]:
        """Messages between the two on the decky, either direction, newest first."""
        ...

    def local_now(self) -> datetime:
        """The host's local wall-clock time."""
        ...

    def log(self, level: str, message: str) -> None:
        """A log line (``debug``, ``info``, ``warn``, ``error``)."""
        ...
