#!/usr/bin/env bash
# gpu-burn for a few seconds: every result matches the reference, the series
# and the figures are there; with inject_errors (a flaky GPU) it must FAIL.
. "$(dirname "$0")/lib.sh" "$1"
need_gpu gpu-burn
cat >"$work/p.json" <<'JSON'
{ "schema": "anvil-profile/1", "name": "gpu-burn-test", "defaults": { "timeout_s": 300 },
  "tests": [
    { "runner": "gpu-burn", "params": { "duration_s": 8, "n": 2048, "mem_fraction": 0.2 } },
    { "id": "bf16", "runner": "gpu-burn", "params": { "duration_s": 4, "n": 4096, "mem_fraction": 0.2, "precision": "bf16" } } ] }
JSON
run_anvil "gpu-burn run" "$anvil" run -p "$work/p.json" -o "$work/r"
rep=$work/r/report.json
[ -f "$rep" ] || { bad "no report.json"; finish; }
for t in gpu-burn bf16; do
	st=$(json_get "$rep" "$(T $t)['status']")
	[ "$st" = ok ] && ok "$t ran" || bad "$t status '$st': $(json_get "$rep" "$(T $t).get('why')")"
	check_verdict "$rep" "$t" mismatches PASS
	check_verdict "$rep" "$t" reference PASS
	metric_positive "$rep" "$t" tflops
done
rows=$(json_get "$rep" "len([s for s in $(T gpu-burn)['series'] if s['name']=='burn'][0]['rows'])")
[ "$rows" -ge 6 ] && ok "the burn series has $rows one-second rows" || bad "burn series rows: $rows"
json_get "$rep" "[m['value'] for m in $(T gpu-burn)['metrics'] if m['name']=='cv'][0]" >/dev/null 2>&1 \
	&& ok "cv recorded" || bad "no cv metric"
nvml=$(json_get "$rep" "'nvml' in [i['info'] for i in $(T gpu-burn)['info']][0]")
if [ "$nvml" = True ]; then
	metric_positive "$rep" gpu-burn temp_max_c
	metric_positive "$rep" gpu-burn power_mean_w
	v=$(json_get "$rep" "len([c for c in $(T gpu-burn)['checks'] if c['name'] in ('throttle','pcie_link_gen','pcie_link_width')])")
	[ "$v" -eq 3 ] && ok "throttle and PCIe checks recorded" || bad "$v of the throttle/PCIe checks recorded"
	uuid=$(json_get "$rep" "[i['info']['nvml'].get('uuid','') for i in $(T gpu-burn)['info']][0]")
	case $uuid in GPU-*) ok "GPU uuid $uuid" ;; *) bad "no GPU uuid in the info record" ;; esac
else
	echo "note: NVML unavailable here: telemetry checks not expected"
fi

# a flaky GPU (the test hook) must turn the verdict to FAIL; with
# compare_batch 7 batches also end early where the slots wrap round (unless
# their count is a multiple of 7), and the count below shows every result
# compared exactly once
cat >"$work/inject.json" <<'JSON'
{ "schema": "anvil-profile/1", "name": "gpu-burn-inject", "defaults": { "timeout_s": 300 },
  "tests": [ { "runner": "gpu-burn", "params": { "duration_s": 3, "n": 2048, "mem_fraction": 0.2, "inject_errors": 3,
                                                 "compare_batch": 7 } } ] }
JSON
"$anvil" run -p "$work/inject.json" -o "$work/inj" >"$work/out" 2>&1
rc=$?
[ "$rc" -eq 1 ] && ok "inject_errors: anvil exits 1 (FAIL)" || bad "inject_errors: exit $rc, expected 1"
rep=$work/inj/report.json
check_verdict "$rep" gpu-burn mismatches FAIL
v=$(json_get "$rep" "r['verdict']")
[ "$v" = FAIL ] && ok "report verdict FAIL" || bad "report verdict $v with injected errors"
n=$(json_get "$rep" "[c['value'] for c in $(T gpu-burn)['checks'] if c['name']=='mismatches'][0]")
g=$(json_get "$rep" "[i['info']['burn']['gemms'] for i in $(T gpu-burn)['info']][0]")
[ "${n%.*}" -eq $(( 3 * ${g%.*} )) ] && ok "every injected error counted ($n = 3 x $g results)" \
	|| bad "$n mismatches for 3 x $g injected"
slots=$(json_get "$rep" "[i['info']['burn']['result_slots'] for i in $(T gpu-burn)['info']][0]")
[ "${g%.*}" -gt "${slots%.*}" ] && ok "$g results in $slots slots: the slots wrapped round" \
	|| bad "$g results in $slots slots: no wrap, so the batches at the wrap went untested"
finish
