#!/usr/bin/env bash
# The NCCL runners on 2 GPUs of this node (mpirun -np 2), or on its one GPU
# (one rank, as nccl-tests runs there: copies within the GPU, no link): every
# collective runs its sweep, every result element is right, busbw is
# recorded (on 2 ranks; on one there is no bus and no busbw).
. "$(dirname "$0")/lib.sh" "$1"
need_gpu nccl-allreduce
command -v mpirun >/dev/null 2>&1 || { echo "SKIP: mpirun not found"; exit 77; }
ngpu=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU ')
[ "${ngpu:-0}" -ge 1 ] || { echo "SKIP: nvidia-smi lists no GPU"; exit 77; }
np=2
[ "$ngpu" -ge 2 ] || np=1
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
mpirun --oversubscribe --bind-to none -np $np "$anvil" run -p "$work/p.json" -o "$work/r" >"$work/out" 2>&1
echo "mpirun -np $np exit $?"
rep=$work/r/report.json
[ -f "$rep" ] || { bad "no report.json"; tail -20 "$work/out"; finish; }
for c in $colls; do
	st=$(json_get "$rep" "$(T $c)['status']")
	[ "$st" = ok ] && ok "$c ran" || bad "$c status '$st': $(json_get "$rep" "$(T $c).get('why')")"
	check_verdict "$rep" "$c" correct PASS
	metric_positive "$rep" "$c" algbw_gbs
	if [ "$np" -ge 2 ]; then
		metric_positive "$rep" "$c" busbw_gbs
	else
		n=$(json_get "$rep" "len([m for m in $(T $c)['metrics'] if m['name'].startswith('busbw')])")
		[ "$n" = 0 ] && ok "$c: no busbw on one rank" || bad "$c: $n busbw figure(s) on one rank"
	fi
	rows=$(json_get "$rep" "len($(T $c)['series'][0]['rows'])" 2>/dev/null)
	[ "${rows:-0}" -ge 20 ] && ok "$c swept $rows sizes" || bad "$c swept ${rows:-0} sizes"
done
path=$(json_get "$rep" "[m['labels']['path'] for m in $(T nccl-allreduce)['metrics']][0]")
if [ "$np" -ge 2 ]; then
	case $path in nvlink|pcie) ok "intra-node path: $path" ;; *) bad "path label '$path' on one node" ;; esac
else
	[ "$path" = local ] && ok "one rank: path local" || bad "path label '$path' on one rank"
fi
finish
