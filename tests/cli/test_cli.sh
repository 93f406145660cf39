#!/usr/bin/env bash
# The command line: --help everywhere, exit codes, bad input refused before any test runs.
. "$(dirname "$0")/../lib.sh"
anvil=$1
self=$src/tests/data/selftest.json

expect_exit 0 "--version" -- "$anvil" --version
expect_text "$work/out" "built in: mpi, cjson, openblas, lapacke, hwloc" "--version lists what is built in"
for sub in run report list; do
	expect_exit 0 "$sub --help" -- "$anvil" $sub --help
	expect_text "$work/out" "usage: anvil $sub" "$sub --help shows its usage"
done
expect_exit 0 "--help" -- "$anvil" --help
expect_exit 2 "no command" -- "$anvil"
expect_exit 2 "unknown command" -- "$anvil" frobnicate
expect_text "$work/err" 'unknown command "frobnicate"' "unknown command named"
expect_exit 2 "unknown option" -- "$anvil" run --frob
expect_exit 2 "missing option value" -- "$anvil" run -p

expect_exit 0 "list" -- "$anvil" list
expect_text "$work/out" "mpi-pingpong" "list shows the MPI runners"
expect_text "$work/out" "DATASHEETS" "list shows datasheets"
expect_text "$work/out" "PROFILES" "list shows profiles"

# a malformed profile: FILE:LINE:COL and exit 2, before any test runs
printf '{"schema": "anvil-profile/1", "name": "x",\n "tests": [{"runner": "null",}]}\n' >"$work/bad.json"
expect_exit 2 "malformed profile" -- "$anvil" run -p "$work/bad.json" -o "$work/r-bad"
expect_text "$work/err" "$work/bad.json:2:30: expected a member name in double quotes" "malformed profile error is positioned"
[ ! -e "$work/r-bad" ] && ok "no run dir for a malformed profile" || bad "a run dir was made for a malformed profile"

printf '{"schema": "anvil-cluster/1", "peaks": {"cpu.fp64_gflops": "fast"}}\n' >"$work/badc.json"
expect_exit 2 "cluster config with a wrong type" -- "$anvil" run -c "$work/badc.json" -p "$self" -o "$work/r-badc"
expect_text "$work/err" "$work/badc.json:1:" "cluster config error is positioned"

expect_exit 2 "unknown runner in --only" -- "$anvil" run -p "$self" --only nosuch -o "$work/r-only"
expect_text "$work/err" 'unknown test or runner "nosuch" (known runners: ' "--only lists the known runners"
expect_exit 2 "unknown profile" -- "$anvil" run -p nosuchprofile -o "$work/r-np"
expect_text "$work/err" 'unknown profile "nosuchprofile" (known: ' "unknown profile lists the known ones"
expect_exit 2 "bad --set" -- "$anvil" run -p "$self" --set null.bogus=1 -o "$work/r-set"
expect_text "$work/err" 'unknown parameter "bogus" of runner null' "bad --set named"

# an output dir that cannot be written is refused before any test runs
mkdir -p "$work/ro" && touch "$work/ro/file"
expect_exit 2 "output path under a file" -- "$anvil" run -p "$self" -o "$work/ro/file/run"
expect_text "$work/err" "cannot create directory" "unwritable output dir refused"

# dry run: the plan, nothing written
expect_exit 0 "dry run" -- "$anvil" run -p "$self" --dry-run -o "$work/r-dry"
expect_text "$work/out" "plan: profile selftest" "dry run prints the plan"
[ ! -e "$work/r-dry" ] && ok "dry run writes nothing" || bad "dry run made $work/r-dry"

# a run, then its report rebuilt from the journal alone
expect_exit 1 "selftest run (the planted failure)" -- "$anvil" run -p "$self" -o "$work/r1"
for f in journal.jsonl plan.json inventory.json report.json report.html junit.xml metrics.prom; do
	[ -s "$work/r1/$f" ] && ok "run wrote $f" || bad "run did not write $f"
done
expect_text "$work/out" "verdict: FAIL" "run prints the verdict"
expect_text "$work/out" "report: $work/r1/report.html" "run prints the report's path"
rm "$work/r1/report.json" "$work/r1/report.html"
expect_exit 1 "report DIR" -- "$anvil" report "$work/r1"
[ -s "$work/r1/report.html" ] && ok "report rebuilt report.html" || bad "report.html not rebuilt"
expect_exit 2 "report of a missing dir" -- "$anvil" report "$work/nosuch"
expect_exit 2 "report with two dirs" -- "$anvil" report "$work/r1" "$work/r1"
expect_exit 2 "a second run into the same dir" -- "$anvil" run -p "$self" -o "$work/r1"
expect_text "$work/err" "already holds a run" "existing run dir refused"
xmllint --noout "$work/r1/junit.xml" && ok "junit.xml is well-formed" || bad "junit.xml is not well-formed"
finish
