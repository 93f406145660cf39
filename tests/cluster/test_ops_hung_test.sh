#!/usr/bin/env bash
# Timeouts across 3 hosts of the test bed: a test that returns past its
# timeout is recorded as timeout and the run goes on; a hung test (the
# test-only sleep runner, far past its timeout and the grace) is recorded as
# timeout before anything else, the report is still produced, and the job
# ends (exit 3) well before the sleep would have.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/bed.sh"
anvil=$1
why=$(bed_check) || { echo "SKIP: $why"; exit 77; }
cat >"$work/p.json" <<'JSON'
{ "schema": "anvil-profile/1", "name": "hung", "defaults": { "timeout_s": 60 },
  "tests": [ { "id": "first", "runner": "null" },
             { "id": "late", "runner": "sleep", "params": { "seconds": 4 }, "timeout_s": 2 },
             { "id": "hang", "runner": "sleep", "params": { "seconds": 300 }, "timeout_s": 3 },
             { "id": "never", "runner": "null" } ] }
JSON
bed_up 3 || { bad "bed_up"; finish; }
start=$SECONDS
bed_mpirun 3 "$anvil" run -p "$work/p.json" -o "$work/r" >"$work/out" 2>"$work/err"
rc=$? took=$((SECONDS - start))
[ "$rc" = 3 ] && ok "the hung test ends the job with exit 3" || { bad "exit $rc"; tail -n 20 "$work/out" "$work/err"; }
[ "$took" -lt 60 ] && ok "after ${took}s (timeout 3 s + grace 10.3 s), not the sleep's 300 s" || bad "took ${took}s"
j=$work/r/journal.jsonl
st=$(python3 -c "import json,sys; print(','.join('%s=%s' % (r['test'], r['status']) for r in map(json.loads, open(sys.argv[1])) if r.get('kind')=='test'))" "$j")
[ "$st" = "first=ok,late=timeout,hang=timeout" ] && ok "journal: $st" || bad "journal test records: $st"
expect_text "$j" "it returned, so the run went on" "the late test did not stop the run"
expect_text "$work/err" "test hang exceeded its timeout of 3 s and did not return within" "the hard timeout is announced"
[ -s "$work/r/report.json" ] && ok "report.json was written before the job ended" || bad "no report.json"
[ -s "$work/r/report.html" ] && ok "report.html too" || bad "no report.html"
v=$(json_get "$work/r/report.json" "{t['id']: t['verdict'] for t in r['tests']}")
[ "$v" = "{'first': 'PASS', 'late': 'FAIL', 'hang': 'FAIL', 'never': 'NOT RUN'}" ] && ok "verdicts: $v" || bad "verdicts: $v"
expect_text "$work/out" "hang                 FAIL     timeout: " "the verdict table shows the timeout"
e=$(json_get "$work/r/report.json" "r['run']['end']")
[ "$e" = aborted ] && ok "the run is marked aborted" || bad "end: $e"
finish
