#!/usr/bin/env bash
# gpu-dgemm on this machine's first GPU at a small size: a figure for every
# format the GPU has, the sampled check passes, bad input is refused.
. "$(dirname "$0")/lib.sh" "$1"
need_gpu gpu-dgemm
cat >"$work/p.json" <<'JSON'
{ "schema": "anvil-profile/1", "name": "gpu-dgemm-test", "defaults": { "timeout_s": 600 },
  "tests": [
    { "runner": "gpu-dgemm", "params": { "max_n": 4096, "min_time_s": 0.3 } },
    { "id": "fp8", "runner": "gpu-dgemm", "params": { "precisions": "fp64,fp8" } },
    { "id": "huge", "runner": "gpu-dgemm", "params": { "n": 1000000, "precisions": "fp64" } } ],
  "checks": [
    { "test": "gpu-dgemm", "metric": "fp64_tflops", "rule": "peak", "peak": "gpu.fp64_tensor_tflops", "min": 0.01 },
    { "test": "gpu-dgemm", "metric": "bf16_tflops", "rule": "peak", "peak": "gpu.bf16_tflops", "min": 0.01 } ] }
JSON
run_anvil "gpu-dgemm run" "$anvil" run -p "$work/p.json" -o "$work/r"
rep=$work/r/report.json
[ -f "$rep" ] || { bad "no report.json"; finish; }
st=$(json_get "$rep" "$(T gpu-dgemm)['status']")
[ "$st" = ok ] && ok "gpu-dgemm ran" || bad "gpu-dgemm status '$st': $(json_get "$rep" "$(T gpu-dgemm).get('why')")"
for p in fp64 fp32 fp16; do metric_positive "$rep" gpu-dgemm "${p}_tflops"; done
cc=$(json_get "$rep" "[i['info']['compute_capability'] for i in $(T gpu-dgemm)['info']][0]")
if [ "${cc%%.*}" -ge 8 ]; then
	for p in tf32 bf16; do metric_positive "$rep" gpu-dgemm "${p}_tflops"; done
	# the tensor formats beat FP64 on every GPU that has them
	faster=$(json_get "$rep" "(lambda m: m['bf16_tflops'] > m['fp64_tflops'])({x['name']: x['value'] for x in $(T gpu-dgemm)['metrics']})")
	[ "$faster" = True ] && ok "bf16 is faster than fp64" || bad "bf16 not faster than fp64"
else
	echo "note: compute capability $cc: no TF32/BF16"
fi
check_verdict "$rep" gpu-dgemm correct PASS
lbl=$(json_get "$rep" "[m['labels']['gpu_name'] for m in $(T gpu-dgemm)['metrics']][0]")
[ -n "$lbl" ] && ok "metrics carry gpu_name=$lbl" || bad "no gpu_name label"
pv=$(json_get "$rep" "[c['verdict'] for c in $(T gpu-dgemm)['checks'] if c['name']=='fp64_tflops'][0]")
case $pv in PASS|SKIP) ok "fp64 judged against the datasheet: $pv" ;; *) bad "fp64 peak check $pv" ;; esac
why=$(json_get "$rep" "$(T fp8).get('why','')")
case $why in *'unknown precision "fp8"'*) ok "fp8 refused: $why" ;; *) bad "fp8: '$why'" ;; esac
why=$(json_get "$rep" "$(T huge).get('why','')")
case $why in *"n = 1000000 needs"*free*) ok "n too large refused: $why" ;; *) bad "huge n: '$why'" ;; esac
finish
