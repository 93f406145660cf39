#!/usr/bin/env bash
# anvil compare: two and three runs (directories and report.json files) side
# by side; figures per GPU, per node, total and per kW of datasheet power;
# changes against the first; bad input refused with exit 2.
. "$(dirname "$0")/../lib.sh"
anvil=$1
export ANVIL_CONFIG_DIR=$src/configs
g=$src/tests/data/golden
for c in clean-pass peers-fail mad-outlier peak-fail; do
	mkdir -p "$work/$c" && cp "$g/$c/journal.jsonl" "$work/$c/"
done
"$anvil" report "$work/peers-fail" >/dev/null

expect_exit 0 "compare --help" -- "$anvil" compare --help
expect_text "$work/out" "usage: anvil compare A B" "compare --help shows its usage"
expect_exit 2 "compare with one run" -- "$anvil" compare "$work/clean-pass"
expect_exit 2 "compare with a missing run" -- "$anvil" compare "$work/clean-pass" "$work/nosuch"
expect_text "$work/err" "$work/nosuch" "the missing run is named"
printf '{"schema": "other"}\n' >"$work/other.json"
expect_exit 2 "compare with a file that is no report" -- "$anvil" compare "$work/clean-pass" "$work/other.json"
expect_text "$work/err" "not an anvil report" "a foreign file is refused"

# A: a run directory, B: a report.json
expect_exit 0 "compare a run with a report" -- "$anvil" compare "$work/clean-pass" "$work/peers-fail/report.json" -o "$work/cmp"
expect_text "$work/out" "stream triad_gbs [GB/s]" "the table lists figures"
expect_text "$work/out" "compare: $work/cmp/compare.html" "the table names the outputs"
[ -s "$work/cmp/compare.html" ] && ok "compare.html written" || bad "no compare.html"
grep -Eq '<script|(src|href)=["'"'"']?https?:|url\(' "$work/cmp/compare.html" && bad "compare.html is not self-contained" ||
	ok "compare.html has no script and loads no URL"
check=$(python3 - "$work/cmp/compare.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["schema"] == "anvil-compare/1", r["schema"]
a, b = r["runs"]
assert (a["label"], a["nodes"], a["gpus"]) == ("A", 3, 0), a
assert b["nodes"] == 4 and b["verdict"] == "FAIL", b
# 2 x EPYC 9654 (360 W) per node
assert a["power_w"] == 3 * 720 and b["power_w"] == 4 * 720, (a["power_w"], b["power_w"])
f = next(x for x in r["figures"] if x["test"] == "stream" and x["name"] == "triad_gbs")
ra, rb = f["runs"]
assert f["scope"] == "node" and ra["n"] == 3, f
assert abs(ra["per_node"] - (760 + 755 + 762) / 3) < 1e-9 and ra["total"] == 760 + 755 + 762, ra
assert abs(ra["per_kw"] - ra["total"] / 2.16) < 1e-9, ra
assert rb["total"] == 880 + 878 + 760 + 810 and ra["per_gpu"] is None, rb
assert abs(f["change"][1]["total"] - (rb["total"] - ra["total"]) / ra["total"]) < 1e-12, f["change"]
assert f["change"][0] is None
print("ok")
PY
)
[ "$check" = ok ] && ok "compare.json: nodes, power, per node, total, per kW, change" || bad "compare.json: $check"

# three runs; GPUs per GPU and per node; a node whose CPU no datasheet matches: power unknown
expect_exit 0 "compare three runs" -- "$anvil" compare "$work/clean-pass" "$work/mad-outlier" "$work/peak-fail" -o "$work/cmp3" -q
[ ! -s "$work/out" ] && ok "-q prints no table" || bad "-q printed: $(head -3 "$work/out")"
check=$(python3 - "$work/cmp3/compare.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
a, b, c = r["runs"]
assert b["gpus"] == 16 and b["power_w"] == 2 * 720 + 16 * 700, b
assert c["power_w"] is None and "unknown: node node03" in c["power"], c
f = next(x for x in r["figures"] if x["test"] == "gpu-stream" and x["name"] == "triad_gbs")
assert f["scope"] == "gpu" and "labels" not in f and f["runs"][0] is None, f   # gpu, gpu_name: identity
g = f["runs"][1]
assert g["n"] == 16 and abs(g["per_gpu"] * 16 - g["total"]) < 1e-6 and abs(g["per_node"] * 2 - g["total"]) < 1e-6, g
lat = next(x for x in r["figures"] if x["name"] == "launch_us")["runs"][1]
assert lat["total"] is None and lat["per_kw"] is None, lat    # a latency does not add up
d = next(x for x in r["figures"] if x["test"] == "cpu-dgemm" and x["name"] == "gflops")
assert d["runs"][2]["per_kw"] is None and d["change"][2]["per_node"] is not None, d
print("ok")
PY
)
[ "$check" = ok ] && ok "three runs: GPUs, unknown power, latency not summed" || bad "three runs: $check"
finish
