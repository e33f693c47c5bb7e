"""Data DECNET's own orchestrator writes or accepts, through the package:
a TAB in a stored subject, a lone surrogate in one persona entry (escaped
in the JSON text, or a raw one in a Python string), active hours in
non-ASCII digits. ``test_decnet.py`` compares the same with DECNET itself.
"""
from __future__ import annotations

import json
import unicodedata
from datetime import datetime

import pytest

import emailgen_picker as ep
from conftest import FakeRepo, company, decky, persona

pytestmark = pytest.mark.asyncio

ALWAYS = {"active_hours": "00:00-00:00"}
PAIR = [persona("Ana", "ana@acme.example", **ALWAYS), persona("Bo", "bo@acme.example", **ALWAYS)]


def thread(subject: str, message_id: str = "<m1@acme.example>") -> dict:
    return {"thread_id": "thr-7", "message_id": message_id, "subject": subject, "mail_decky_uuid": "mx1",
            "sender_email": "ana@acme.example", "recipient_email": "bo@acme.example"}


async def test_a_tab_in_a_stored_subject_is_replied_to():
    picker = ep.Picker.builtin()
    repo = company(PAIR, threads=[thread("Quarterly\tforecast – v2")])
    for seed in range(10):
        action = await picker.pick(repo, seed=seed, reply_probability=1.0)
        assert action.is_reply and action.thread_id == "thr-7"
        assert action.subject_hint == "Re: Quarterly\tforecast – v2"
        assert action.context_hint == "Re: Quarterly\tforecast – v2"


@pytest.mark.parametrize("subject, message_id, field", [
    ("Plans\r\nBcc: everyone@acme.example", "<m1@acme.example>", "subject"),
    ("Plans\x00", "<m1@acme.example>", "subject"),
    ("Plans", "<m1@acme.example>\t", "Message-ID"),
    ("Plans", "<m1@acme.example>\nBcc: x", "Message-ID"),
])
async def test_header_injection_in_a_stored_row_stays_refused(subject, message_id, field):
    repo = company(PAIR, threads=[thread(subject, message_id)])
    with pytest.raises(ep.StoreError, match=f"whose {field}"):
        await ep.Picker.builtin().pick(repo, seed=1, reply_probability=1.0)


async def names_over_seeds(repo, **options) -> set[str]:
    picker = ep.Picker.builtin()
    names = set()
    for seed in range(120):
        action = await picker.pick(repo, seed=seed, **options)
        if action is not None:
            names |= {action.sender.name, action.recipient.name}
    return names


CY = '{"name": "Cy \\ud83d", "email": "cy@acme.example", "role": "Ops", "active_hours": "00:00-00:00"}'


async def test_an_escaped_lone_surrogate_costs_its_own_entry_only():
    text = "[" + ", ".join([json.dumps(PAIR[0]), CY, json.dumps(PAIR[1])]) + "]"
    assert await names_over_seeds(company(text)) == {"Ana", "Bo"}
    fleet = FakeRepo(deckies=[decky("fleet-mx", ["imap"], "fleet")])
    assert await names_over_seeds(fleet, global_personas=text) == {"Ana", "Bo"}


async def test_a_raw_lone_surrogate_in_a_python_string_costs_its_own_entry_only():
    # What json.loads gives for the escaped text: a str holding U+D83D.
    cut = [PAIR[0], persona("Cy \ud83d", "cy@acme.example", **ALWAYS), PAIR[1]]
    raw_text = json.dumps(cut, ensure_ascii=False)
    assert "\ud83d" in raw_text
    # As the topology's text, as the list itself, and as the pool.
    assert await names_over_seeds(company(raw_text)) == {"Ana", "Bo"}
    listed = company([])
    listed.topologies["t1"]["email_personas"] = cut
    assert await names_over_seeds(listed) == {"Ana", "Bo"}
    fleet = FakeRepo(deckies=[decky("fleet-mx", ["imap"], "fleet")])
    assert await names_over_seeds(fleet, global_personas=raw_text) == {"Ana", "Bo"}
    assert await names_over_seeds(fleet, global_personas=cut) == {"Ana", "Bo"}


@pytest.mark.parametrize("window", ["０８:００-０９:００", "٠٨:٠٠-٠٩:٠٠", "०८:००-०९:००", "\u300008:00-09:00\xa0"])
async def test_windows_in_any_scripts_digits_are_windows(window):
    repo = company(PAIR + [persona("Early", "early@acme.example", active_hours=window)])
    at = datetime(2026, 4, 27, 10, 30)
    assert "Early" not in await names_over_seeds(repo, now=at)
    assert "Early" in await names_over_seeds(repo, now=at.replace(hour=8))


async def test_every_decimal_digit_python_reads_is_read():
    """The host's table of digits against this interpreter's (Unicode 14.0
    in Python 3.11): for every digit 0-9 of every script, a window whose
    hour is written in it is that window."""
    zeros = [c for c in range(0x110000) if unicodedata.decimal(chr(c), None) == 0]
    picker = ep.Picker.builtin()
    for zero in zeros:
        digit = lambda d: chr(zero + d)  # noqa: E731
        # Early is active from 0X:00 to 0X:59, where X runs over 1..9 in
        # this script; asked at X:30 it takes part, at X+1:30 it does not.
        hour = 1 + zero % 9
        window = f"{digit(0)}{digit(hour)}:{digit(0)}{digit(0)}-{digit(0)}{digit(hour)}:{digit(5)}{digit(9)}"
        early = persona("Early", "early@acme.example", active_hours=window)
        repo = company([persona("Ana", "ana@acme.example", **ALWAYS), early])
        inside = await picker.pick_outcome(repo, seed=1, now=datetime(2026, 4, 27, hour, 30))
        outside = await picker.pick_outcome(repo, seed=1, now=datetime(2026, 4, 27, hour + 1, 30))
        assert isinstance(inside, ep.Action), (hex(zero), window)
        assert isinstance(outside, ep.Skip) and outside.kind == "too_few_active", (hex(zero), window)
