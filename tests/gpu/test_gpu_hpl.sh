#!/usr/bin/env bash
# gpu-hpl at N = 4096 and at an order sized from 5% of free memory: HPL's
# residual check passes; an N that cannot fit is refused with its sizes.
. "$(dirname "$0")/lib.sh" "$1"
need_gpu gpu-hpl
cat >"$work/p.json" <<'JSON'
{ "schema": "anvil-profile/1", "name": "gpu-hpl-test", "defaults": { "timeout_s": 600 },
  "tests": [
    { "runner": "gpu-hpl", "params": { "n": 4096 } },
    { "id": "auto", "runner": "gpu-hpl", "params": { "mem_fraction": 0.05 } },
    { "id": "huge", "runner": "gpu-hpl", "params": { "n": 600000 } } ] }
JSON
run_anvil "gpu-hpl run" "$anvil" run -p "$work/p.json" -o "$work/r"
rep=$work/r/report.json
[ -f "$rep" ] || { bad "no report.json"; finish; }
for t in gpu-hpl auto; do
	st=$(json_get "$rep" "$(T $t)['status']")
	[ "$st" = ok ] && ok "$t ran" || bad "$t status '$st': $(json_get "$rep" "$(T $t).get('why')")"
	metric_positive "$rep" "$t" tflops
	check_verdict "$rep" "$t" residual PASS
done
n=$(json_get "$rep" "[i['info']['n'] for i in $(T auto)['info']][0]")
[ "${n%.*}" -gt 4096 ] && ok "N from memory: $n" || bad "N from 5% of memory is only $n"
why=$(json_get "$rep" "$(T huge).get('why','')")
case $why in *"N = 600000 does not fit"*GiB*free*) ok "refused: $why" ;; *) bad "huge N: '$why'" ;; esac
finish
