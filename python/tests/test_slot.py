"""Hot swapping from Python: canary, refusal, rollback on demand and after
failures in a row."""
from __future__ import annotations

import pytest

import emailgen_picker as ep
from conftest import NOW, company, people

pytestmark = pytest.mark.asyncio


def office():
    return company(people(4, active_hours="00:00-00:00"))


async def test_a_candidate_that_passes_its_canary_is_promoted_and_picks(hostile_wasm, seeds):
    slot = ep.PolicySlot(ep.Picker.builtin(), rollback_after=3)
    realistic = ep.Picker.builtin("realistic")
    promoted = await slot.swap(realistic, canary_repo=office(), now=NOW, seed=1)
    assert promoted == realistic.policy and slot.active.policy.name == "realistic"
    action = await slot.pick(office(), now=NOW, seed=2)
    assert action.policy.name == "realistic"
    assert slot.rollback().name == "default"
    assert (await slot.pick(office(), now=NOW, seed=2)).policy.name == "default"


async def test_a_candidate_whose_canary_fails_is_refused_and_the_active_policy_stays(hostile_wasm, seeds):
    slot = ep.PolicySlot(ep.Picker.builtin())
    hostile = ep.Picker.from_file(hostile_wasm)
    with pytest.raises(ep.SwapRefused, match="canary pick of hostile_policy failed"):
        await slot.swap(hostile, canary_repo=office(), now=NOW, seed=seeds["PANIC"])
    assert slot.active.policy.name == "default"
    with pytest.raises(ep.SwapRefused, match="no previous policy"):
        slot.rollback()


async def test_failures_in_a_row_roll_back_to_the_policy_before(hostile_wasm, seeds):
    slot = ep.PolicySlot(ep.Picker.builtin(), rollback_after=2)
    await slot.swap(ep.Picker.from_file(hostile_wasm), canary_repo=office(), now=NOW, seed=seeds["NORMAL"])
    assert slot.active.policy.name == "hostile_policy"
    for _ in range(2):
        with pytest.raises(ep.PolicyTrap):
            await slot.pick(office(), now=NOW, seed=seeds["PANIC"])
    assert slot.active.policy.name == "default", "rolled back after two failures in a row"
    assert (await slot.pick(office(), now=NOW, seed=1)).policy.name == "default"


async def test_store_failures_do_not_count_toward_a_rollback(hostile_wasm, seeds):
    slot = ep.PolicySlot(ep.Picker.builtin(), rollback_after=1)
    await slot.swap(ep.Picker.builtin("realistic"), canary_repo=office(), now=NOW, seed=1)
    with pytest.raises(ep.StoreError):
        await slot.pick(company(people(3), failing="get_topology"), now=NOW, seed=1)
    assert slot.active.policy.name == "realistic"


async def test_a_component_that_cannot_load_says_why(tmp_path):
    junk = tmp_path / "junk.wasm"
    junk.write_bytes(b"not wasm at all")
    with pytest.raises(ep.LoadError, match="junk.wasm is not a valid WebAssembly component"):
        ep.Picker.from_file(junk)
    with pytest.raises(ep.LoadError, match="cannot read policy"):
        ep.Picker.from_file(tmp_path / "missing.wasm")


async def test_the_compile_cache_loads_a_known_policy_again(hostile_wasm, tmp_path):
    first = ep.Picker.from_file(hostile_wasm, cache_dir=tmp_path)
    assert list(tmp_path.glob("*.cwasm")), "the compiled component was kept"
    again = ep.Picker.from_file(hostile_wasm, cache_dir=tmp_path)
    assert again.policy == first.policy


async def test_picks_are_recorded_and_replay_identically_with_the_cli(tmp_path, harness):
    import json
    import subprocess
    path = tmp_path / "picks.jsonl"
    recorder = ep.Recorder(path)
    picker = ep.Picker.builtin(record=recorder)
    for seed in range(5):
        await picker.pick(office(), now=NOW, seed=seed)
    await picker.pick(office())  # no seed, no now: the host draws the seed, the clock is recorded
    slot = ep.PolicySlot(ep.Picker.builtin(), record=recorder)
    await slot.pick(office(), now=NOW, seed=9)
    recorder.flush()
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(records) == 7
    assert records[5]["seed_drawn"] and any(c["call"] == "local_now" for c in records[5]["calls"])
    replay = subprocess.run([str(harness), "replay", "--record", str(path)], capture_output=True, text=True)
    assert replay.returncode == 0, replay.stderr
    assert "7 records: 7 replayed with their own policy, 0 with another; 7 agree" in replay.stdout
