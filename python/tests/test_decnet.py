"""Against the real orchestrator: DECNET 1.0.0's own schema, repository,
types, driver and picker.

The database is made by DECNET's own schema setup and filled through its
repository (a topology with personas, running mail deckies of topology and
fleet source, sent emails). Then (a) our picks on that repository are
actions DECNET's worker and email driver take unchanged, and (b) over 500
seeds our picks and DECNET's ``scheduler.pick`` agree on every skip,
choose from the same mail deckies, senders and recipients, and reply at
the same rate within a binomial tolerance.

Needs ``decnet==1.0.0`` (an environment of its own: it pulls in FastAPI,
SQLModel, docker, …); where it is not installed these tests are skipped
and say so. CI installs it (``tools/test-all.sh``).
"""
from __future__ import annotations

import json
import math
import os
import random
from collections import Counter
from datetime import datetime

import pytest
import pytest_asyncio

# DECNET reads its settings from the environment when imported.
os.environ.setdefault("DECNET_TESTING", "1")
os.environ.setdefault("DECNET_ADMIN_PASSWORD", "test-admin-password-0123")
os.environ.setdefault("DECNET_CONTRACT_PASSWORD", "test-contract-password-0123")
os.environ.setdefault("DECNET_JWT_SECRET", "test-jwt-secret-" + "x" * 32)

decnet = pytest.importorskip("decnet", reason="decnet==1.0.0 is not installed in this environment")

from decnet.orchestrator.drivers import email as email_driver  # noqa: E402
from decnet.orchestrator.drivers import get_driver_for  # noqa: E402
from decnet.orchestrator.drivers.base import ActivityResult  # noqa: E402
from decnet.orchestrator.emailgen import events as email_events  # noqa: E402
from decnet.orchestrator.emailgen import scheduler  # noqa: E402
from decnet.orchestrator.worker import _persist_email  # noqa: E402
from decnet.realism.llm.base import LLMResult  # noqa: E402
from decnet.web.db.sqlite.repository import SQLiteRepository  # noqa: E402

import emailgen_picker as ep  # noqa: E402

pytestmark = pytest.mark.asyncio

NOW = datetime(2026, 4, 27, 10, 30)  # a Monday, 10:30

ACME = [
    {"name": "Ana Ruiz", "email": "ana@acme.example", "role": "CFO", "tone": "formal",
     "mannerisms": ["signs off with 'Thanks, Ana'"], "signature": "Ana Ruiz\nCFO"},
    {"name": "Bo Chen", "email": "bo@acme.example", "role": "IT lead", "tone": "technical", "language": "en"},
    {"name": "Cy Diaz", "email": "cy@acme.example", "role": "Sales", "tone": "casual", "active_hours": "08:00-12:00"},
    {"name": "Di Eng", "email": "di@acme.example", "role": "Ops", "tone": "custom", "tone_custom": "dry"},
    {"name": "Ed Fox", "email": "ed@acme.example", "role": "Night shift", "active_hours": "22:00-06:00"},
    {"name": "not valid", "email": "no-at-sign", "role": "x"},
]
TINY = [{"name": "Solo", "email": "solo@tiny.example", "role": "Everything"}]
POOL = [{"name": f"Pool {i}", "email": f"pool{i}@fleet.example", "role": "Staff", "active_hours": "00:00-00:00"}
        for i in range(3)]


@pytest_asyncio.fixture
async def repo(tmp_path, monkeypatch):
    """DECNET's SQLite repository on a database made by its own schema
    setup, filled through the repository."""
    pool = tmp_path / "email_personas.json"
    pool.write_text(json.dumps(POOL))
    monkeypatch.setenv("DECNET_REALISM_PERSONAS", str(pool))
    repo = SQLiteRepository(str(tmp_path / "decnet.db"))
    await repo.initialize()
    acme = await repo.create_topology({"name": "acme", "config_snapshot": "{}",
                                       "email_personas": json.dumps(ACME), "language_default": "de"})
    tiny = await repo.create_topology({"name": "tiny", "config_snapshot": "{}", "email_personas": json.dumps(TINY)})
    deckies = {}
    for name, topology, services, state in [("mail-1", acme, ["imap", "smtp"], "running"),
                                             ("mail-2", acme, ["pop3"], "running"),
                                             ("mail-tiny", tiny, ["imap"], "running"),
                                             ("web-1", acme, ["http", "ssh"], "running"),
                                             ("mail-down", acme, ["imap"], "pending")]:
        deckies[name] = await repo.add_topology_decky({"topology_id": topology, "name": name, "services": services,
                                                       "state": state, "ip": "10.0.0.9"})
    await repo.upsert_fleet_decky({"name": "fleet-mx", "services": ["imap", "pop3"], "state": "running",
                                   "decky_ip": "10.1.0.5"})
    # Sent mail: a thread of two messages between Ana and Bo on mail-1, and
    # one message between every other pair of day-time personas on mail-1
    # and mail-2, and of the pool on the fleet decky.
    sent = [(deckies["mail-1"], "th-ana-bo", "ana@acme.example", "bo@acme.example", "Q3 budget", None),
            (deckies["mail-1"], "th-ana-bo", "bo@acme.example", "ana@acme.example", "Re: Q3 budget", "<m0@acme.example>")]
    day = [p["email"] for p in ACME[:4]]
    for decky in (deckies["mail-1"], deckies["mail-2"]):
        sent += [(decky, f"th-{decky[:8]}-{a}-{b}", a, b, f"Plans {a[:2]}", None)
                 for i, a in enumerate(day) for b in day[i + 1:] if {a, b} != {"ana@acme.example", "bo@acme.example"}]
    pool = [p["email"] for p in POOL]
    sent += [("local:fleet-mx", f"th-pool-{a}-{b}", a, b, "Rota", None) for i, a in enumerate(pool) for b in pool[i + 1:]]
    for i, (decky, thread, sender, recipient, subject, parent) in enumerate(sent):
        await repo.record_orchestrator_email({
            "mail_decky_uuid": decky, "thread_id": thread, "message_id": f"<m{i}@acme.example>", "in_reply_to": parent,
            "sender_email": sender, "recipient_email": recipient, "subject": subject, "eml_path": "/spool/x.eml",
            "success": True, "payload": {}})
    repo.decky_uuids = deckies
    return repo


class FakeLLM:
    model = "fake"
    timeout = 5.0

    async def generate(self, prompt: str) -> LLMResult:
        return LLMResult(success=True, text="Subject: Budget\n\nHello,\nall good.\n", model=self.model, latency_ms=1)


async def test_our_actions_are_decnets_own_email_actions_and_its_driver_and_worker_take_them(repo, monkeypatch):
    picker = ep.Picker.builtin()
    delivered = []

    async def fake_docker(argv, *, stdin_data=None, timeout=None):
        delivered.append((argv, stdin_data))
        return 0, "", ""

    monkeypatch.setattr(email_driver, "_run_capture", fake_docker)
    rng = random.Random(3)
    replies = 0
    for _ in range(40):
        action = await picker.pick(repo, rand=rng, now=NOW)  # the one-line change in DECNET's worker
        if action is None:
            continue
        assert isinstance(action, scheduler.EmailAction), "DECNET's worker dispatches on its own class"
        assert isinstance(get_driver_for(action), email_driver.EmailDriver)
        result = await email_driver.EmailDriver(llm=FakeLLM()).run(action)
        assert result.success, result.payload
        row = email_events.to_row(action, result)
        assert row["sender_email"] == action.sender.email and row["thread_id"] == action.thread_id
        await _persist_email(repo, action, result, None)  # DECNET's worker writes the sent mail
        replies += action.is_reply
    assert delivered and b"From: " in delivered[0][1]
    assert replies > 0, "later picks reply on the mail the worker recorded"


async def test_a_decnet_repository_failure_is_a_store_error():
    class Broken(SQLiteRepository):
        def __init__(self):
            pass

        async def list_running_deckies(self):
            raise RuntimeError("database is locked")

    with pytest.raises(ep.StoreError, match="list_running_deckies") as caught:
        await ep.Picker.builtin().pick(Broken(), now=NOW)
    assert isinstance(caught.value.__cause__, RuntimeError)


class OnlyDecky:
    """The repository, listing one mail decky (and the others that serve
    no mail): a pick's outcome then no longer depends on which decky the
    random choice takes, so DECNET's and ours can be compared seed by seed."""

    def __init__(self, repo, uuid):
        self.repo, self.uuid = repo, uuid

    async def list_running_deckies(self):
        rows = await self.repo.list_running_deckies()
        return [r for r in rows if r["uuid"] == self.uuid or not {"imap", "pop3"} & set(r["services"])]

    def __getattr__(self, name):
        return getattr(self.repo, name)


async def test_skips_agree_on_every_mail_decky_and_every_hour(repo):
    picker = ep.Picker.builtin()
    listed = [r["uuid"] for r in await repo.list_running_deckies() if {"imap", "pop3"} & set(r["services"])]
    assert len(listed) == 4, "mail-1, mail-2, mail-tiny and fleet-mx; not the pending one or the web decky"
    for uuid in listed:
        view = OnlyDecky(repo, uuid)
        for hour in (3, 7, 10, 23):
            now = NOW.replace(hour=hour)
            for seed in range(5):
                theirs = await scheduler.pick(view, rand=random.Random(seed), now=now)
                ours = await picker.pick_outcome(view, seed=seed, now=now)
                assert (theirs is None) == isinstance(ours, ep.Skip), (uuid, hour, seed, ours)
    assert await scheduler.pick(OnlyDecky(repo, "none"), rand=random.Random(1), now=NOW) is None
    assert (await picker.pick_outcome(OnlyDecky(repo, "none"), now=NOW)).kind == "no_mail_decky"


def within_binomial(a: int, b: int, n: int, sigmas: float = 4.5) -> bool:
    """Whether two counts out of n trials could share one probability."""
    p = (a + b) / (2 * n)
    spread = math.sqrt(2 * n * p * (1 - p)) or 1.0
    return abs(a - b) <= sigmas * spread


async def test_over_500_seeds_our_picks_and_decnets_agree(repo):
    picker = ep.Picker.builtin()
    stats = {"ours": Counter(), "theirs": Counter()}
    chosen = {"ours": {"decky": set(), "sender": set(), "recipient": set()},
              "theirs": {"decky": set(), "sender": set(), "recipient": set()}}

    def count(side: str, action) -> None:
        stats[side]["skip" if action is None else "action"] += 1
        if action is not None:
            stats[side]["reply"] += action.is_reply
            chosen[side]["decky"].add(action.mail_decky_uuid)
            chosen[side]["sender"].add(action.sender.email)
            chosen[side]["recipient"].add(action.recipient.email)

    for seed in range(500):
        count("theirs", await scheduler.pick(repo, rand=random.Random(seed), now=NOW))
        count("ours", await picker.pick(repo, seed=seed, now=NOW))
    ours, theirs = stats["ours"], stats["theirs"]
    assert chosen["ours"] == chosen["theirs"], chosen
    assert theirs["skip"] > 0 and within_binomial(ours["skip"], theirs["skip"], 500), stats
    assert theirs["reply"] > 0 and within_binomial(ours["reply"], theirs["reply"], 500), stats


# ---- data DECNET's own code writes (issue 22) -----------------------------

ALWAYS = {"active_hours": "00:00-00:00"}


class WritesSubject(FakeLLM):
    """DECNET's text generator, writing a subject with a TAB inside, as a
    language model sometimes does; DECNET's driver keeps it."""

    async def generate(self, prompt: str) -> LLMResult:
        return LLMResult(success=True, text="Subject: Quarterly\tforecast – v2\n\nHello,\nnumbers attached.\n",
                         model=self.model, latency_ms=1)


async def two_person_repo(tmp_path, personas_text: str) -> SQLiteRepository:
    repo = SQLiteRepository(str(tmp_path / "decnet.db"))
    await repo.initialize()
    topology = await repo.create_topology({"name": "pair", "config_snapshot": "{}", "email_personas": personas_text})
    await repo.add_topology_decky({"topology_id": topology, "name": "mail-1", "services": ["imap"],
                                   "state": "running", "ip": "10.0.0.9"})
    return repo


def eml_headers(eml: bytes) -> dict:
    import email
    message = email.message_from_bytes(eml)
    return {key: message[key] for key in ("In-Reply-To", "References")}


async def test_a_tab_in_a_subject_decnets_driver_stored_gets_decnets_own_reply(tmp_path, monkeypatch):
    pair = [{"name": "Ana", "email": "ana@acme.example", "role": "CFO", **ALWAYS},
            {"name": "Bo", "email": "bo@acme.example", "role": "IT", **ALWAYS}]
    repo = await two_person_repo(tmp_path, json.dumps(pair))
    delivered = []

    async def fake_docker(argv, *, stdin_data=None, timeout=None):
        delivered.append(stdin_data)
        return 0, "", ""

    monkeypatch.setattr(email_driver, "_run_capture", fake_docker)
    picker = ep.Picker.builtin()
    first = await picker.pick(repo, seed=1, now=NOW, reply_probability=0.0)
    result = await email_driver.EmailDriver(llm=WritesSubject()).run(first)
    await _persist_email(repo, first, result, None)
    stored = await repo.list_orchestrator_email_threads(first.mail_decky_uuid, first.sender.email,
                                                        first.recipient.email, limit=5)
    assert stored[0]["subject"] == "Quarterly\tforecast – v2", "DECNET's own driver stored the TAB"

    for seed in range(100):
        theirs = await scheduler.pick(repo, rand=random.Random(seed), now=NOW)
        if theirs is not None and theirs.is_reply:
            break
    ours = await picker.pick(repo, seed=seed, now=NOW, reply_probability=1.0)
    for field in ("is_reply", "thread_id", "parent_message_id", "references", "subject_hint", "context_hint"):
        assert getattr(ours, field) == getattr(theirs, field), field
    assert ours.subject_hint == "Re: Quarterly\tforecast – v2"
    # The EML DECNET's driver builds from each reply threads the same way.
    emls = []
    for action in (theirs, ours):
        delivered.clear()
        assert (await email_driver.EmailDriver(llm=WritesSubject()).run(action)).success
        emls.append(eml_headers(delivered[0]))
    assert emls[0] == emls[1] and emls[0]["In-Reply-To"] == first_message_id(stored)


def first_message_id(rows) -> str:
    return rows[0]["message_id"]


async def test_personas_decnet_accepts_are_ours_to_the_last_entry(tmp_path):
    """A topology whose personas were written by JavaScript (one name cut
    mid-emoji: a lone surrogate escape) and by hand (windows in fullwidth,
    Arabic-Indic and Devanagari digits, white space around two: one that
    ``int()`` skips, one that only ``str.strip()`` does):
    at every hour, DECNET's picker and ours skip alike and choose from the
    same senders and recipients."""
    entries = [
        '{"name": "Ana", "email": "ana@acme.example", "role": "CFO", "active_hours": "００:００-２３:００"}',
        '{"name": "Cy \\ud83d", "email": "cy@acme.example", "role": "Ops", "active_hours": "00:00-00:00"}',
        '{"name": "Bo", "email": "bo@acme.example", "role": "IT", "active_hours": "٠٨:٠٠-١٧:٠٠"}',
        '{"name": "Di", "email": "di@acme.example", "role": "HR", "active_hours": "०९:३०-१२:००"}',
        '{"name": "Ed", "email": "ed@acme.example", "role": "Night", "active_hours": "\\u001f22:00-06:00\\u001c"}',
        '{"name": "Fi", "email": "fi@acme.example", "role": "Sales", "mannerisms": ["brief \\udc00"]}',
        '{"name": "Gu", "email": "gu@acme.example", "role": "Desk", "active_hours": "\\u300009:00-10:00\\u00a0"}',
    ]
    repo = await two_person_repo(tmp_path, "[" + ", ".join(entries) + "]")
    picker = ep.Picker.builtin()
    for hour, minute in [(3, 0), (8, 59), (9, 29), (9, 30), (9, 59), (10, 0), (11, 59), (12, 0), (16, 59), (17, 0), (22, 0), (23, 0)]:
        now = NOW.replace(hour=hour, minute=minute)
        seen = {"ours": set(), "theirs": set()}
        for seed in range(60):
            theirs = await scheduler.pick(repo, rand=random.Random(seed), now=now)
            ours = await picker.pick(repo, seed=seed, now=now)
            assert (theirs is None) == (ours is None), (now, seed)
            for side, action in (("ours", ours), ("theirs", theirs)):
                if action is not None:
                    seen[side] |= {action.sender.email, action.recipient.email}
        assert seen["ours"] == seen["theirs"], (now, seen)
        assert "cy@acme.example" not in seen["ours"]
