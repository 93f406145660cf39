#!/usr/bin/env bash
# The driver under mpirun -np 2: records from every rank reach rank 0's journal,
# a harness error on one rank is named, the MPI runners measure and check.
. "$(dirname "$0")/../lib.sh"
anvil=$1
expect_exit 3 "mpitest on 2 ranks (a planted harness error on rank 1)" -- \
	mpi -np 2 "$anvil" run -p "$src/tests/data/mpitest.json" -o "$work/r"
j=$work/r/journal.jsonl
n=$(grep -c '"kind":"metric","test":"null"' "$j")
[ "$n" -eq 2 ] && ok "both ranks' null records are in the journal" || bad "expected 2 null metric records, found $n"
expect_text "$work/r/report.json" 'rank 1 (' "the error names rank 1"
expect_text "$work/r/report.json" 'planted harness error' "the error says why"
v=$(json_get "$work/r/report.json" "[t['verdict'] for t in r['tests'] if t['id']=='mpi-allreduce'][0]")
[ "$v" = PASS ] && ok "mpi-allreduce passes its checks" || bad "mpi-allreduce verdict $v"
w=$(json_get "$work/r/report.json" "[c['verdict'] for t in r['tests'] if t['id']=='mpi-allreduce' for c in t['checks'] if c['name']=='correct'][0]")
[ "$w" = PASS ] && ok "mpi-allreduce results are correct" || bad "mpi-allreduce correctness $w"
rows=$(json_get "$work/r/report.json" "len([t for t in r['tests'] if t['id']=='mpi-pingpong'][0]['series'][0]['rows'])")
[ "$rows" -eq 17 ] && ok "pingpong swept 1 B .. 64 KiB (17 sizes)" || bad "pingpong rows $rows"
# the report can be regenerated from the journal with another profile
expect_exit 3 "report with the run's profile again" -- "$anvil" report "$work/r"
# alone, the MPI runners are skipped with the reason
expect_exit 0 "mpitest alone" -- "$anvil" run -p "$src/tests/data/mpitest.json" --skip fail-one -o "$work/alone"
expect_text "$work/alone/report.json" "needs at least 2 ranks; this job has 1" "a singleton run says why MPI runners skipped"
finish
