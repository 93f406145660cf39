#!/usr/bin/env bash
# Where there is no CUDA device (or no GPU code in this build), every GPU and
# NCCL runner is listed with the reason, and a run records each as skipped
# with it; the run still passes. Where a device is present this path cannot
# be exercised: skipped (77).
. "$(dirname "$0")/lib.sh" "$1"
runners="gpu-dgemm gpu-hpl gpu-stream gpu-burn nccl-allreduce nccl-allgather nccl-reducescatter nccl-broadcast nccl-reduce nccl-alltoall nccl-sendrecv"
st=$(runner_state gpu-dgemm)
if [ "${st%%$'\t'*}" = available ]; then
	echo "SKIP: a CUDA device is present, so the no-device path cannot be tested here"
	exit 77
fi
for r in $runners; do
	st=$(runner_state "$r")
	state=${st%%$'\t'*} why=${st#*$'\t'}
	case $state in
	unavailable) case $why in "no CUDA device ("*")") ok "$r unavailable: $why" ;;
		*) bad "$r unavailable without the CUDA reason: '$why'" ;; esac ;;
	"not built") [ -n "$why" ] && ok "$r not built: $why" || bad "$r not built with no reason" ;;
	*) bad "$r is '$state' on a machine with no usable CUDA device" ;;
	esac
done
{
	echo '{ "schema": "anvil-profile/1", "name": "gpu-absent", "tests": ['
	sep=""
	for r in $runners; do printf '%s{ "runner": "%s" }' "$sep" "$r"; sep=", "; done
	echo '] }'
} >"$work/p.json"
"$anvil" run -p "$work/p.json" -o "$work/r" >"$work/out" 2>&1
rc=$?
[ "$rc" -eq 0 ] && ok "the run passes with every GPU test skipped (exit 0)" || { bad "run exit $rc"; tail -20 "$work/out"; }
for r in $runners; do
	why=$(json_get "$work/r/report.json" "[c['why'] for c in $(T "$r")['checks'] if c['name']=='status'][0]" 2>/dev/null)
	v=$(json_get "$work/r/report.json" "$(T "$r")['verdict']" 2>/dev/null)
	case "$v|$why" in
	"SKIP|skipped: no CUDA device ("*|"SKIP|skipped: not built: "*|"SKIP|skipped: needs at least 2 ranks"*) ok "$r: $v, $why" ;;
	*) bad "$r: verdict '$v', why '$why'" ;;
	esac
done
n=$(grep -c '"kind":"test".*"status":"skipped"' "$work/r/journal.jsonl")
[ "$n" -eq 11 ] && ok "the journal records 11 skipped tests" || bad "the journal records $n skipped tests, expected 11"
# under mpirun with 2 ranks the NCCL runners get past the rank count and are
# skipped for the device
if command -v mpirun >/dev/null 2>&1; then
	mpirun --oversubscribe --bind-to none -np 2 "$anvil" run -p "$work/p.json" --only nccl-allreduce,nccl-sendrecv \
		-o "$work/r2" >"$work/out2" 2>&1
	for r in nccl-allreduce nccl-sendrecv; do
		why=$(json_get "$work/r2/report.json" "[c['why'] for c in $(T "$r")['checks'] if c['name']=='status'][0]" 2>/dev/null)
		case $why in
		"skipped: no CUDA device ("*|"skipped: not built: "*) ok "2 ranks, $r: $why" ;;
		*) bad "2 ranks, $r: why '$why'"; tail -5 "$work/out2" ;;
		esac
	done
else
	echo "note: mpirun not found, the 2-rank case is not tried"
fi
finish
