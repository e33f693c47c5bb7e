"""Loading never stalls the orchestrator: a large policy compiles on a
thread of its own (``await Picker.load``) while the event loop keeps
ticking and the active policy keeps picking, and then swaps in."""
from __future__ import annotations

import asyncio
import time

import pytest

import emailgen_picker as ep
from conftest import NOW, LoopWatch, company, guest, people

pytestmark = pytest.mark.asyncio

#: The longest the loop may go between two 5 ms ticks while a policy loads
#: and swaps in. Loading the fixture on the loop itself stalls it for the
#: whole load (a few hundred ms here; measured below, not asserted).
MAX_GAP_S = 0.1


@pytest.fixture(scope="session")
def big_wasm(tmp_path_factory):
    """The default policy carrying a 12 MiB data section (tests/fixtures/big-policy)."""
    return guest("big-policy", tmp_path_factory)


async def test_the_loop_keeps_ticking_and_picking_while_a_large_policy_loads_and_swaps_in(big_wasm):
    assert big_wasm.stat().st_size > 12 << 20, "large enough that loading takes a while"
    slot = ep.PolicySlot(ep.Picker.builtin())
    repo = company(people(4, active_hours="00:00-00:00"))
    async with LoopWatch(slot, repo) as watch:
        await asyncio.sleep(0.02)
        started = time.perf_counter()
        candidate = await ep.Picker.load(big_wasm, cache=False)
        loading = time.perf_counter() - started
        picks_while_loading = len(watch.picks)
        promoted = await slot.swap(candidate, canary_repo=repo, now=NOW, seed=1)
        await asyncio.sleep(0.02)

    gaps, picks = watch.gaps, watch.picks
    assert promoted.name == "big_policy" and slot.active.policy.name == "big_policy"
    assert max(gaps) < MAX_GAP_S, f"the loop stalled {max(gaps) * 1000:.0f} ms (load took {loading * 1000:.0f} ms)"
    assert picks_while_loading > 0 and picks[0] == "default" and picks[-1] == "big_policy"
    # Ticks went on through the load, not only before and after it.
    assert len(gaps) >= loading / 0.005 / 4


async def test_loading_on_the_loop_is_what_blocks_it(big_wasm):
    """The control: ``from_file`` is the blocking start-up call it is
    documented to be; the loop does not tick until it returns."""
    loop = asyncio.get_running_loop()
    ticks = []

    async def ticker():
        for _ in range(1000):
            await asyncio.sleep(0.001)
            ticks.append(loop.time())

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    before = len(ticks)
    ep.Picker.from_file(big_wasm, cache=False)
    assert len(ticks) == before, "nothing ran on the loop while from_file loaded"
    task.cancel()
