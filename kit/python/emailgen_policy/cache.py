"""What an instance keeps of the host's data between picks, under the
host's fingerprints: a warm instance asks "has this changed?" instead of
copying the deckies and personas across the sandbox boundary again."""
from __future__ import annotations

from typing import Optional

from .host import MAIL_SERVICES, Host
from .types import Decky, Persona


class HostCache:
    """Deckies and persona lists by fingerprint."""

    def __init__(self) -> None:
        self._deckies: Optional[tuple[int, list[Decky]]] = None
        self._topologies: dict[str, tuple[int, list[Persona]]] = {}
        self._global: Optional[tuple[int, list[Persona]]] = None

    def mail_deckies(self, host: Host) -> list[Decky]:
        fingerprint = host.running_deckies_fingerprint(MAIL_SERVICES)
        if fingerprint is not None and self._deckies and self._deckies[0] == fingerprint:
            return self._deckies[1]
        # The host filters already; filtered again so a host that does not
        # changes nothing.
        deckies = [d for d in host.list_running_deckies(MAIL_SERVICES) if d.is_mail_decky()]
        self._deckies = None if fingerprint is None else (fingerprint, deckies)
        return deckies

    def topology_personas(self, host: Host, topology_id: str) -> list[Persona]:
        fingerprint = host.topology_fingerprint(topology_id)
        kept = self._topologies.get(topology_id)
        if fingerprint is not None and kept and kept[0] == fingerprint:
            return kept[1]
        personas = host.topology_personas(topology_id) or []
        if fingerprint is not None:
            if len(self._topologies) >= 64:
                self._topologies.clear()
            self._topologies[topology_id] = (fingerprint, personas)
        return personas

    def global_personas(self, host: Host) -> list[Persona]:
        fingerprint = host.global_personas_fingerprint()
        if fingerprint is not None and self._global and self._global[0] == fingerprint:
            return self._global[1]
        personas = host.global_pool_personas()
        self._global = None if fingerprint is None else (fingerprint, personas)
        return personas
