#!/usr/bin/env bash
# Regenerates the golden reports (tests/data/golden/<case>/report.json and
# exit_code) from their fixed journals, with the anvil of this source tree.
# Run it after a change to the report that is meant; then read the diff
# (git diff tests/data/golden) before committing it: every changed line is a
# change users will see. To change or add a case's journal, edit
# tests/data/golden/make_journals.py and run it first.
# usage: scripts/update-goldens.sh [build-dir]    (default: build)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
cmake --build "$build" --target test_golden >/dev/null
ANVIL_GOLDEN_UPDATE=1 "$build/test_golden"
git -C "$here" status --short tests/data/golden
