#!/usr/bin/env python3
"""Splits a warm or fresh pick's time by what it was spent on.

Reads `perf script -F ip,sym` output of a `profile_picks` run (see
BENCHMARKS.md, Profiling) and attributes every sample taken inside a
warm or fresh pick to one part of the pick: the guest's own logic, each
host import it made, wasmtime's call and lifting, creating and dropping a
fresh instance, the host's checks.

    perf script -i perf.data -F ip,sym > stacks.txt
    tools/perf_breakdown.py stacks.txt 2.03     # the µs per pick it printed

The innermost frame that names a part wins, so an import's time is its own
and not its caller's. Imports are named by the host function their
trampoline reaches (a trampoline's samples that never reach it, e.g. in
wasmtime's lowering, still count for that import).
"""

import collections
import re
import sys

# (pattern in a frame's symbol, part of the pick), outermost first.
PARTS = [
    ("policy::Policy::pick_fresh", "host: around the call"),
    ("policy::PolicyInstance::pick", "host: around the call"),
    # A fresh pick: the instance is created on its first pick, dropped after.
    ("assert_ready", "wasmtime: creating the instance"),
    ("Store<T>::try_new", "wasmtime: creating the instance"),
    ("HostState::new", "wasmtime: creating the instance"),
    ("Instantiator", "wasmtime: creating the instance"),
    ("drop_in_place<host_harness::policy::PolicyInstance>", "wasmtime: dropping the instance"),
    ("TypedFunc<Params,Return>::call", "wasmtime: the pick call, in and out"),
    ("Guest$GT$4pick", "guest: lowering options and outcome"),
    ("PolicyLogic$GT$4pick", "guest: picking logic and its allocations"),
    ("lift_heap_result", "wasmtime: lifting the outcome"),
    ("post_return", "guest: freeing the outcome (post-return)"),
    ("validate::accept", "host: checking the answer"),
    ("HostState::begin_pick", "host: per-pick setup"),
]
TRAMPOLINE = re.compile(r"lower-import\[(\d+)\]")
HOST_IMPORT = re.compile(r"HostState as [\w:]+::Host>::(\w+)")


def samples(path):
    """Yields each sample's frames, outermost first."""
    stack = []
    with open(path, encoding="utf-8", errors="replace") as lines:
        for line in lines:
            line = line.strip()
            if not line:
                if stack:
                    yield list(reversed(stack))
                stack = []
                continue
            parts = line.split(None, 1)
            stack.append(parts[1] if len(parts) > 1 else "")
    if stack:
        yield list(reversed(stack))


def part_of(frames, import_names):
    """The innermost part a sample's frames name, or None outside a pick."""
    if not any("PolicyInstance::pick" in f or "Policy::pick_fresh" in f for f in frames):
        return None
    part = "other"
    for frame in frames:
        for pattern, name in PARTS:
            if pattern in frame:
                part = name
        found = TRAMPOLINE.search(frame)
        if found:
            part = ("import", found.group(1))
    if isinstance(part, tuple):
        name = import_names.get(part[1], "import #" + part[1])
        return "import: " + name
    return part


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: perf_breakdown.py STACKS.txt MICROSECONDS_PER_PICK")
    path, per_pick = sys.argv[1], float(sys.argv[2])
    # First pass: which host function each import trampoline reaches.
    reaches = collections.defaultdict(collections.Counter)
    for frames in samples(path):
        trampolines = [t.group(1) for t in map(TRAMPOLINE.search, frames) if t]
        for frame in frames:
            host = HOST_IMPORT.search(frame)
            if host and trampolines:
                reaches[trampolines[-1]][host.group(1)] += 1
    import_names = {t: c.most_common(1)[0][0].replace("_", "-") for t, c in reaches.items()}
    counts = collections.Counter(
        part for part in (part_of(f, import_names) for f in samples(path)) if part
    )
    total = sum(counts.values())
    if not total:
        sys.exit("no samples inside a pick (was the host built with frame pointers?)")
    for part, n in counts.most_common():
        print(f"{100 * n / total:5.1f}%  {per_pick * n / total:5.2f} µs  {part}")
    print(f"{total} samples")


if __name__ == "__main__":
    main()
