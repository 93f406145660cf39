#!/usr/bin/env bash
# The NCCL runners on 2 GPUs of this node (mpirun -np 2): every collective
# runs its sweep, every result element is right, busbw is recorded.
. "$(dirname "$0")/lib.sh" "$1"
need_gpu nccl-allreduce
command -v mpirun >/dev/null 2>&1 || { echo "SKIP: mpirun not found"; exit 77; }
ngpu=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU ')
[ "${ngpu:-0}" -ge 2 ] || { echo "SKIP: the NCCL runners need 2 GPUs (one per rank), this node has ${ngpu:-0}"; exit 77; }
colls="nccl-allreduce nccl-allgather nccl-reducescatter nccl-broadcast nccl-reduce nccl-alltoall nccl-sendrecv"
{
	echo '{ "schema": "anvil-profile/1", "name": "nccl-test", "defaults": { "timeout_s": 300 }, "tests": ['
	sep=""
	for c in $colls; do
		printf '%s{ "runner": "%s", "params": { "max_bytes": 67108864, "judge_from_bytes": 16777216, "iters": 10, "warmup": 2 } }' "$sep" "$c"
		sep=", "
	done
	echo '] }'
} >"$work/p.json"
mpirun --oversubscribe --bind-to none -np 2 "$anvil" run -p "$work/p.json" -o "$work/r" >"$work/out" 2>&1
echo "mpirun exit $?"
rep=$work/r/report.json
[ -f "$rep" ] || { bad "no report.json"; tail -20 "$work/out"; finish; }
for c in $colls; do
	st=$(json_get "$rep" "$(T $c)['status']")
	[ "$st" = ok ] && ok "$c ran" || bad "$c status '$st': $(json_get "$rep" "$(T $c).get('why')")"
	check_verdict "$rep" "$c" correct PASS
	metric_positive "$rep" "$c" busbw_gbs
	rows=$(json_get "$rep" "len($(T $c)['series'][0]['rows'])" 2>/dev/null)
	[ "${rows:-0}" -ge 20 ] && ok "$c swept $rows sizes" || bad "$c swept ${rows:-0} sizes"
done
path=$(json_get "$rep" "[m['labels']['path'] for m in $(T nccl-allreduce)['metrics']][0]")
case $path in nvlink|pcie) ok "intra-node path: $path" ;; *) bad "path label '$path' on one node" ;; esac
finish
