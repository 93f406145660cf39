#!/usr/bin/env bash
# hpl and hpl-cluster: a right answer passes; a spoiled element makes the
# residual check FAIL with the residual value; an N that does not fit is
# refused before any allocation, with the sizes.
. "$(dirname "$0")/../lib.sh"
anvil=$1
p=$src/tests/data/selftest.json
checks() { json_get "$1" "[(c['name'], c['verdict']) for t in r['tests'] if t['id']=='$2' for c in t['checks']]"; }

expect_exit 0 "hpl and hpl-cluster, N=1000, 2 ranks" -- mpi -np 2 "$anvil" run -p "$p" --only hpl,hpl-cluster \
	--set hpl.n=1000 --set hpl.nb=64 --set hpl-cluster.n=1000 --set hpl-cluster.nb=64 -o "$work/ok"
[ "$(checks "$work/ok/report.json" hpl)" = "[('residual', 'PASS')]" ] && ok "hpl residual passes" || bad "hpl: $(checks "$work/ok/report.json" hpl)"
[ "$(checks "$work/ok/report.json" hpl-cluster)" = "[('residual', 'PASS')]" ] && ok "hpl-cluster residual passes" || bad "hpl-cluster: $(checks "$work/ok/report.json" hpl-cluster)"
g=$(json_get "$work/ok/report.json" "[m['value'] for t in r['tests'] if t['id']=='hpl' for m in t['metrics'] if m['name']=='gflops'][0] > 0")
[ "$g" = True ] && ok "hpl reports GFLOP/s" || bad "hpl GFLOP/s missing"

expect_exit 1 "a spoiled element mid-factorization" -- "$anvil" run -p "$p" --only hpl \
	--set hpl.n=1000 --set hpl.nb=64 --set hpl.corrupt_at_col=300 -o "$work/bad"
v=$(json_get "$work/bad/report.json" "[(c['verdict'], c['value'] >= 16, 'wrong answer' in c['why']) for t in r['tests'] for c in t['checks']]")
[ "$v" = "[('FAIL', True, True)]" ] && ok "hpl residual FAILs with its value" || bad "spoiled hpl: $v"
expect_text "$work/out" "hpl                  FAIL" "the verdict table says FAIL"

expect_exit 1 "hpl-cluster with a spoiled factor" -- mpi -np 2 "$anvil" run -p "$p" --only hpl-cluster \
	--set hpl-cluster.n=1000 --set hpl-cluster.nb=64 --set hpl-cluster.corrupt=true -o "$work/badc"
v=$(json_get "$work/badc/report.json" "[c['verdict'] for t in r['tests'] for c in t['checks']]")
[ "$v" = "['FAIL']" ] && ok "hpl-cluster residual FAILs" || bad "spoiled hpl-cluster: $v"

expect_exit 3 "an N that does not fit" -- "$anvil" run -p "$p" --only hpl --set hpl.n=3000000 -o "$work/big"
expect_text "$work/big/report.json" "N=3000000 needs" "the refusal gives the sizes"
finish
