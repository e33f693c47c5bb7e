"""Policies written in Python on the kit (kit/python): built with the kit's
own command (`host-harness build`, a pinned componentize-py), checked,
simulated against the default, and hot-swapped in from this package while
picks go on."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess

import pytest

import emailgen_picker as ep
from conftest import NOW, ROOT, TARGET, LoopWatch, company, people

#: The toolchains `build` installs, kept in the target directory so a CI run
#: installs each once.
TOOLS = TARGET / "tools"


def build(harness, directory) -> str:
    built = subprocess.run([str(harness), "build", str(directory)], capture_output=True, text=True,
                           env={**os.environ, "EMAILGEN_TOOLS_DIR": str(TOOLS)})
    assert built.returncode == 0, built.stderr
    return built.stdout.strip().splitlines()[-1]


def check(harness, component: str) -> tuple[int, dict]:
    checked = subprocess.run([str(harness), "check", component, "--picks", "16", "--json"], capture_output=True,
                             text=True)
    return checked.returncode, json.loads(checked.stdout)


@pytest.fixture(scope="session")
def night_shift(harness) -> str:
    """policies/night-shift, built once per run."""
    return build(harness, ROOT / "policies" / "night-shift")


@pytest.mark.parametrize("example, most_bytes", [("night_shift", 24 << 20), ("pen_pals", 4 << 20)])
def test_each_example_builds_passes_check_and_stays_within_a_tenth_of_the_budget(harness, request, example,
                                                                                 most_bytes):
    status, report = check(harness, request.getfixturevalue(example))
    assert status == 0, report["failures"]
    # The picker world alone: WASI stubbed (Python) or disabled (JavaScript).
    assert report["component"]["imports"] == [f"decnet:emailgen/{i}@0.2.2" for i in ("types", "store", "clock", "log")]
    assert report["component"]["bytes"] < most_bytes
    cost = report["cost"]
    # The budget admits it with at least 10x headroom, bench/large.json included.
    assert cost["max_instructions"] * 10 <= cost["instruction_budget"], cost


def simulate_beside_the_default(harness, policy: str) -> tuple[dict, dict]:
    """A simulated week of the example company under ``policy`` and under the
    default, from the same start and seed."""
    run = subprocess.run([str(harness), "simulate", "--policy", policy, "--compare", "builtin:default",
                          "--seed", "1", "--json"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    week, default_week = json.loads(run.stdout)["compare"]
    return week, default_week


def test_the_night_shift_simulated_beside_the_default_keeps_the_night_quiet(harness, night_shift):
    night_shift_week, default_week = simulate_beside_the_default(harness, night_shift)
    assert night_shift_week["policy"]["name"] == "night_shift" and not night_shift_week["errors"]
    assert not default_week["errors"]
    after_hours = lambda week: sum(week["mail_per_hour"][h] for h in [*range(0, 8), *range(18, 24)])  # noqa: E731
    # The example company has one night-shift persona: no pair at night.
    assert after_hours(night_shift_week) == 0
    assert after_hours(default_week) > 0, "the default lets the late day shift write after 18:00"
    assert night_shift_week["actions"] > 0.8 * default_week["actions"]


def test_the_python_template_builds_and_passes_check(harness, tmp_path):
    directory = tmp_path / "conversational"
    created = subprocess.run([str(harness), "new", str(directory), "--lang", "python"], capture_output=True,
                             text=True)
    assert created.returncode == 0, created.stderr
    tested = subprocess.run([os.sys.executable, "-m", "pytest", "-q", "tests"], cwd=directory,
                            capture_output=True, text=True)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    status, report = check(harness, build(harness, directory))
    assert status == 0, report["failures"]
    assert any(world["replies"] > 0 for world in report["worlds"])


@pytest.mark.asyncio
async def test_hot_swapping_to_the_python_policy_and_back_loses_no_pick_and_never_stalls_the_loop(night_shift):
    repo = company(people(4, active_hours="00:00-00:00"))
    # Start-up code: the built-in policy compiles on the caller's thread.
    default = ep.Picker.builtin()
    slot = ep.PolicySlot(default)
    async with LoopWatch(slot, repo, tick=0.002, pause=0.001) as watch:
        python_policy = await ep.Picker.load(night_shift)
        await slot.swap(python_policy, canary_repo=repo, now=NOW, seed=1)
        await asyncio.sleep(0.1)
        await slot.swap(default, canary_repo=repo, now=NOW, seed=2)
        await asyncio.sleep(0.05)

    picked = watch.picks
    names = [name for i, name in enumerate(picked) if i == 0 or picked[i - 1] != name]
    assert names == ["default", "night_shift", "default"], names
    assert picked.count("night_shift") >= 10
    # A fresh instance of the Python policy starts in a few milliseconds on
    # the loop; nothing else the swap does runs there.
    assert max(watch.gaps) < 0.05, f"the loop stalled {max(watch.gaps) * 1000:.1f} ms"


# JavaScript, on the kit in kit/js (jco, QuickJS by default).

def node_env(harness) -> dict:
    """The kit's local runner parses personas with this host-harness."""
    return {**os.environ, "EMAILGEN_HOST_HARNESS": str(harness)}


@pytest.fixture(scope="session")
def pen_pals(harness) -> str:
    """policies/pen-pals, built once per run."""
    return build(harness, ROOT / "policies" / "pen-pals")


def test_pen_pals_simulated_beside_the_default_settle_into_fewer_longer_threads(harness, pen_pals):
    pals, default = simulate_beside_the_default(harness, pen_pals)
    assert pals["policy"]["name"] == "pen_pals" and not pals["errors"] and not default["errors"]
    assert abs(pals["actions"] - default["actions"]) <= 0.1 * default["actions"], "the same hours, the same volume"
    assert pals["threads"] < 0.75 * default["threads"], (pals["threads"], default["threads"])
    assert pals["reply_ratio"] > default["reply_ratio"]


def test_the_javascript_template_tests_under_node_builds_with_either_engine_and_passes_check(harness, tmp_path):
    directory = tmp_path / "conversational"
    created = subprocess.run([str(harness), "new", str(directory), "--lang", "js"], capture_output=True, text=True)
    assert created.returncode == 0, created.stderr
    for engine, most in (("quickjs", 4 << 20), ("spidermonkey", 16 << 20)):
        built = subprocess.run([str(harness), "build", str(directory), "--js-engine", engine], capture_output=True,
                               text=True, env={**os.environ, "EMAILGEN_TOOLS_DIR": str(TOOLS)})
        assert built.returncode == 0, built.stderr
        component = built.stdout.strip().splitlines()[-1]
        checked = subprocess.run([str(harness), "check", component, "--picks", "4", "--json"], capture_output=True,
                                 text=True)
        report = json.loads(checked.stdout)
        assert checked.returncode == 0, (engine, report["failures"])
        assert report["component"]["bytes"] < most, engine
    tested = subprocess.run(["npm", "test", "--silent"], cwd=directory, capture_output=True, text=True,
                            env=node_env(harness))
    assert tested.returncode == 0, tested.stdout + tested.stderr


@pytest.mark.asyncio
async def test_hot_swapping_to_the_javascript_policy_and_back_loses_no_pick(pen_pals):
    repo = company(people(4, active_hours="00:00-00:00"))
    default = ep.Picker.builtin()
    slot = ep.PolicySlot(default)
    javascript = await ep.Picker.load(pen_pals)
    assert (await slot.pick(repo, now=NOW, seed=1)).policy.name == "default"
    await slot.swap(javascript, canary_repo=repo, now=NOW, seed=1)
    names = [(await slot.pick(repo, now=NOW, seed=seed)).policy.name for seed in range(20)]
    await slot.swap(default, canary_repo=repo, now=NOW, seed=2)
    assert names == ["pen_pals"] * 20
    assert (await slot.pick(repo, now=NOW, seed=3)).policy.name == "default"


@pytest.mark.asyncio
@pytest.mark.parametrize("example", ["night_shift", "pen_pals"])
async def test_a_store_failure_under_a_kit_policy_is_the_picks_store_error(request, example):
    """The kits' adapters turn a failed import into the pick's `store`
    error naming it, which the host accepts as the policy's honest report."""
    policy = await ep.Picker.load(request.getfixturevalue(example))
    repo = company(people(3, active_hours="00:00-00:00"), failing="get_topology")
    with pytest.raises(ep.StoreError, match="topology"):
        await policy.pick(repo, now=NOW, seed=1)
    assert (await policy.pick(company(people(3, active_hours="00:00-00:00")), now=NOW, seed=1)) is not None
