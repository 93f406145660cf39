#!/usr/bin/env bash
# gpu-stream with 2^24 elements in FP64 and FP32: four bandwidths, validated.
. "$(dirname "$0")/lib.sh" "$1"
need_gpu gpu-stream
cat >"$work/p.json" <<'JSON'
{ "schema": "anvil-profile/1", "name": "gpu-stream-test", "defaults": { "timeout_s": 300 },
  "tests": [
    { "runner": "gpu-stream", "params": { "elements": 16777216, "ntimes": 20 } },
    { "id": "fp32", "runner": "gpu-stream", "params": { "elements": 16777216, "ntimes": 20, "precision": "fp32" } } ],
  "checks": [ { "test": "gpu-stream", "metric": "triad_gbs", "rule": "peak", "peak": "gpu.mem_bw_gbs", "min": 0.2 } ] }
JSON
run_anvil "gpu-stream run" "$anvil" run -p "$work/p.json" -o "$work/r"
rep=$work/r/report.json
[ -f "$rep" ] || { bad "no report.json"; finish; }
for t in gpu-stream fp32; do
	for k in copy scale add triad; do metric_positive "$rep" "$t" "${k}_gbs"; done
	check_verdict "$rep" "$t" validated PASS
done
pv=$(json_get "$rep" "[c['verdict'] for c in $(T gpu-stream)['checks'] if c['name']=='triad_gbs'][0]")
case $pv in PASS|SKIP) ok "triad judged against the datasheet: $pv" ;; *) bad "triad peak check $pv" ;; esac
finish
