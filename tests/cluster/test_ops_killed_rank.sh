#!/usr/bin/env bash
# kill -9 of a rank mid-run, across 3 hosts of the test bed: first the rank
# on node2, then (in the resumed run) rank 0 itself on node1, with a line
# torn as by a crash mid-write added after it. Each time the journal keeps
# every record completed before, `anvil report` works and marks what did not
# run as NOT RUN; a torn last line is tolerated and reported; the last
# --resume completes the run and the report covers all three parts.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/bed.sh"
anvil=$1
why=$(bed_check) || { echo "SKIP: $why"; exit 77; }
cat >"$work/p.json" <<'JSON'
{ "schema": "anvil-profile/1", "name": "killed", "defaults": { "timeout_s": 60 },
  "tests": [ { "id": "first", "runner": "null" },
             { "id": "nap", "runner": "sleep", "params": { "seconds": 6 } },
             { "id": "last", "runner": "null" } ],
  "checks": [ { "test": "last", "metric": "value", "rule": "absolute", "min": 0.5 } ] }
JSON
bed_up 3 || { bad "bed_up"; finish; }

# The anvil process in host I's namespace (the rank there).
rank_pid() {
	local p
	for p in $(ip netns pids "anvil-$BED_ID-h$1" 2>/dev/null); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = anvil ] && { echo "$p"; return 0; }
	done
	return 1
}
# Starts bed_mpirun with args in the background, waits for test "nap" to
# start, kill -9s the rank on host $1, waits for mpirun to end.
run_and_kill() {
	local host=$1 log=$2 i pid
	shift 2
	bed_mpirun 3 "$anvil" run "$@" >"$log.out" 2>"$log.err" &
	local job=$!
	for i in $(seq 1 300); do
		grep -q "nap: started" "$log.err" 2>/dev/null && break
		sleep 0.1
	done
	sleep 1
	if pid=$(rank_pid "$host"); then
		kill -9 "$pid" && ok "kill -9 of the rank on node$host (pid $pid) during nap"
	else
		bad "no anvil process in node$host's namespace"
	fi
	wait "$job"
	echo "mpirun exit $?" >>"$log.err"
}
records() { python3 -c "import json,sys; print(sum(1 for l in open(sys.argv[1]) if l.endswith('\n') and json.loads(l)))" "$1"; }
verdicts() { json_get "$work/r/report.json" "{t['id']: t['verdict'] for t in r['tests']}"; }

run_and_kill 2 "$work/a" -p "$work/p.json" -o "$work/r"
j=$work/r/journal.jsonl
grep -q '"kind":"test","test":"first"' "$j" && ok "the test completed before the kill is in the journal" || bad "first test lost"
grep -q '"kind":"test","test":"nap"' "$j" && bad "nap has a result though its rank was killed" || ok "no result for the test in flight"
expect_exit 3 "anvil report after the kill (NOT RUN: exit 3)" -- "$anvil" report "$work/r"
[ "$(verdicts)" = "{'first': 'PASS', 'nap': 'NOT RUN', 'last': 'NOT RUN'}" ] && ok "verdicts: $(verdicts)" || bad "verdicts: $(verdicts)"
expect_text "$work/out" "NOT RUN" "the table shows NOT RUN"
n1=$(records "$j")

# the resumed run: now rank 0 on node1 is killed, and a torn line follows
run_and_kill 1 "$work/b" --resume "$work/r"
n2=$(records "$j")
[ "$n2" -gt "$n1" ] && ok "the resumed part appended to the same journal ($n1 -> $n2 records)" || bad "records $n1 -> $n2"
printf '{"v":1,"seq":%d,"kind":"metric","test":"nap","na' "$n2" >>"$j"
expect_exit 3 "anvil report with a torn last line" -- "$anvil" report "$work/r"
torn=$(json_get "$work/r/report.json" "r['run']['journal']['torn_tail']")
[ "$torn" = True ] && ok "the torn line is tolerated and reported" || bad "torn_tail: $torn"
expect_text "$work/r/report.json" "was cut short, as by a crash mid-write" "a note says so"
[ "$(verdicts)" = "{'first': 'PASS', 'nap': 'NOT RUN', 'last': 'NOT RUN'}" ] && ok "still: $(verdicts)" || bad "verdicts: $(verdicts)"

# the last resume completes it
bed_mpirun 3 "$anvil" run --resume "$work/r" >"$work/c.out" 2>"$work/c.err"
rc=$?
[ "$rc" = 0 ] && ok "the last --resume completes the run (exit 0)" || { bad "resume exit $rc"; tail "$work/c.out" "$work/c.err"; }
[ "$(verdicts)" = "{'first': 'PASS', 'nap': 'PASS', 'last': 'PASS'}" ] && ok "final verdicts: $(verdicts)" || bad "final: $(verdicts)"
parts=$(json_get "$work/r/report.json" "[p['event'] + ' ' + p['hostlist'] for p in r['run']['parts']]")
[ "$parts" = "['start node[1-3]', 'resume node[1-3]', 'resume node[1-3]']" ] && ok "the report covers all three parts: $parts" || bad "parts: $parts"
n=$(grep -c '"kind":"test","test":"first"' "$j")
[ "$n" = 1 ] && ok "the completed test never ran twice" || bad "first ran $n times"
grep -q '"kind":"repair"' "$j" && ok "the torn line was closed with a repair record" || bad "no repair record"
finish
