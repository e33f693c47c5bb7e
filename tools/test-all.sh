#!/usr/bin/env bash
# Every test, Rust and Python: the workspace's tests, then the Python
# package's and the Python policy kit's (in a virtualenv of its own, .venv;
# `host-harness build` installs a pinned componentize-py from PyPI under the
# target directory the first time), the JavaScript kit's under Node (jco
# from npm, likewise), then the tests against
# DECNET 1.0.0 itself (in another, .venv-decnet: DECNET brings FastAPI,
# SQLModel, docker, ... which the package does not need). Needs Rust with
# the wasm32-wasip2 target, Python 3.11 or newer with venv and pip, and
# Node 20 or newer with npm.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

echo "== Rust: cargo test --workspace"
cargo test --workspace

# A virtualenv with the package built into it (debug build, the
# workspace's target directory) and the given requirements.
venv_with_package() {
    local venv=$1; shift
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check maturin pytest pytest-asyncio jsonschema "$@"
    (cd python && VIRTUAL_ENV="$root/$venv" PATH="$root/$venv/bin:$PATH" "$root/$venv/bin/maturin" develop -q)
}

echo "== Python: the emailgen_picker package, and policies built on the Python kit"
venv_with_package .venv
.venv/bin/pip install -q --disable-pip-version-check -e kit/python
# `host-harness build` installs its pinned toolchains (componentize-py from
# PyPI) here, once per target directory.
.venv/bin/python -m pytest -q python/tests

echo "== Python: the policy kit, its template and the night-shift policy, in plain Python"
# One run each: the template and the example both name their module `policy`.
.venv/bin/python -m pytest -q kit/python/tests
.venv/bin/python -m pytest -q policies/night-shift/tests
.venv/bin/python -m pytest -q host-harness/templates/python/tests

echo "== JavaScript: the policy kit and the pen-pals policy, under Node"
# The kit's local runner parses personas with the host's own parser.
target_dir=${CARGO_TARGET_DIR:-target}
case $target_dir in /*) ;; *) target_dir=$root/$target_dir ;; esac
export EMAILGEN_HOST_HARNESS="$target_dir/debug/host-harness"
(cd kit/js && node --test test/)
(cd policies/pen-pals && npm install --no-audit --no-fund --silent --install-links && npm test --silent)

echo "== Python: against DECNET 1.0.0"
if venv_with_package .venv-decnet "decnet==1.0.0" greenlet; then
    .venv-decnet/bin/python -m pytest -q python/tests/test_decnet.py
else
    echo "decnet==1.0.0 could not be installed here: the tests against DECNET are skipped" >&2
fi
