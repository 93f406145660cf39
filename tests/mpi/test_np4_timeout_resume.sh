#!/usr/bin/env bash
# 4 ranks (oversubscribed): a test that returns past its timeout is recorded
# as a timeout and the run goes on; a hung test (past its timeout and the
# grace) is recorded as a timeout, the report is written and the job ends;
# the journal stays intact, the report marks what did not run, and --resume
# completes it.
. "$(dirname "$0")/../lib.sh"
anvil=$1
cat >"$work/p.json" <<'JSON'
{ "schema": "anvil-profile/1", "name": "hang", "defaults": { "timeout_s": 30 },
  "tests": [ { "runner": "null" },
             { "id": "late", "runner": "sleep", "params": { "seconds": 3 }, "timeout_s": 1 },
             { "id": "hang", "runner": "sleep", "params": { "seconds": 60 }, "timeout_s": 2 },
             { "id": "after", "runner": "null" } ],
  "checks": [ { "test": "after", "metric": "value", "rule": "absolute", "min": 0.5 } ] }
JSON
start=$(date +%s)
expect_exit 3 "a hung test ends the run" -- mpi -np 4 "$anvil" run -p "$work/p.json" -o "$work/r"
took=$(( $(date +%s) - start ))
[ "$took" -lt 40 ] && ok "ended in ${took}s, not the sleep's 60s" || bad "took ${took}s"
expect_text "$work/err" "test hang exceeded its timeout of 2 s and did not return" "the hard timeout is announced"
expect_text "$work/err" "late: timeout" "the late test is shown as a timeout"
j=$work/r/journal.jsonl
late=$(python3 -c "import json,sys; print([r for r in map(json.loads, open(sys.argv[1])) if r.get('kind')=='test' and r.get('test')=='late'][0]['status'])" "$j")
[ "$late" = timeout ] && ok "a test that returned late is journalled as timeout" || bad "late: $late"
expect_text "$j" "it returned, so the run went on" "and the run went on after it"
grep -q '"kind":"test","test":"hang".*"status":"timeout"' "$j" && ok "the hang is journalled as timeout" || bad "no timeout record for hang"
n=$(grep -c '"kind":"metric","test":"null"' "$j")
[ "$n" -eq 4 ] && ok "the first test's 4 records survived" || bad "null records: $n"
[ -s "$work/r/report.json" ] && ok "the report was written before the job ended" || bad "no report.json after the hard timeout"
v=$(json_get "$work/r/report.json" "{t['id']: t['verdict'] for t in r['tests']}")
[ "$v" = "{'null': 'PASS', 'late': 'FAIL', 'hang': 'FAIL', 'after': 'NOT RUN'}" ] && ok "verdicts as the job ended: $v" || bad "verdicts: $v"
expect_exit 1 "report of the cut-short run" -- "$anvil" report "$work/r"
expect_text "$work/out" "NOT RUN" "the table shows what did not run"
expect_exit 1 "resume runs what is missing" -- mpi -np 4 "$anvil" run --resume "$work/r"
n=$(grep -c '"kind":"test","test":"null"' "$j")
[ "$n" -eq 1 ] && ok "the finished test was not run again" || bad "null test records: $n"
v=$(json_get "$work/r/report.json" "{t['id']: t['verdict'] for t in r['tests']}")
[ "$v" = "{'null': 'PASS', 'late': 'FAIL', 'hang': 'FAIL', 'after': 'PASS'}" ] && ok "after resume: $v" || bad "after resume: $v"
parts=$(json_get "$work/r/report.json" "len(r['run']['parts'])")
[ "$parts" -eq 2 ] && ok "the report covers both parts" || bad "parts: $parts"
finish
