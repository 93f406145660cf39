#!/usr/bin/env bash
# 4 ranks (oversubscribed): a hung test is recorded as a timeout, the journal
# stays intact, the report marks what did not run, and --resume completes it.
. "$(dirname "$0")/../lib.sh"
anvil=$1
cat >"$work/p.json" <<'JSON'
{ "schema": "anvil-profile/1", "name": "hang", "defaults": { "timeout_s": 30 },
  "tests": [ { "runner": "null" },
             { "id": "hang", "runner": "sleep", "params": { "seconds": 60 }, "timeout_s": 2 },
             { "id": "after", "runner": "null" } ],
  "checks": [ { "test": "after", "metric": "value", "rule": "absolute", "min": 0.5 } ] }
JSON
start=$(date +%s)
expect_exit 3 "a hung test ends the run" -- mpi -np 4 "$anvil" run -p "$work/p.json" -o "$work/r"
took=$(( $(date +%s) - start ))
[ "$took" -lt 30 ] && ok "ended in ${took}s, not the sleep's 60s" || bad "took ${took}s"
expect_text "$work/err" "test hang exceeded its timeout of 2 s" "the timeout is announced"
expect_text "$work/r/journal.jsonl" '"status":"timeout"' "the timeout is in the journal"
n=$(grep -c '"kind":"metric","test":"null"' "$work/r/journal.jsonl")
[ "$n" -eq 4 ] && ok "the first test's 4 records survived" || bad "null records: $n"
expect_exit 1 "report of the cut-short run" -- "$anvil" report "$work/r"
v=$(json_get "$work/r/report.json" "{t['id']: t['verdict'] for t in r['tests']}")
[ "$v" = "{'null': 'PASS', 'hang': 'FAIL', 'after': 'NOT RUN'}" ] && ok "verdicts: $v" || bad "verdicts: $v"
expect_exit 1 "resume runs what is missing" -- mpi -np 4 "$anvil" run --resume "$work/r"
n=$(grep -c '"kind":"test","test":"null"' "$work/r/journal.jsonl")
[ "$n" -eq 1 ] && ok "the finished test was not run again" || bad "null test records: $n"
v=$(json_get "$work/r/report.json" "{t['id']: t['verdict'] for t in r['tests']}")
[ "$v" = "{'null': 'PASS', 'hang': 'FAIL', 'after': 'PASS'}" ] && ok "after resume: $v" || bad "after resume: $v"
parts=$(json_get "$work/r/report.json" "len(r['run']['parts'])")
[ "$parts" -eq 2 ] && ok "the report covers both parts" || bad "parts: $parts"
finish
