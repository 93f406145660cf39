#!/bin/bash
# fio-overhead.sh ANVIL — anvil's fio-seq-read and fio-rand-read against fio
# run directly with the identical job on the same file, in one run.
#
# For each runner: anvil runs it (set-up pass, barrier, timed run) and
# journals the fio argv it used; then fio is run by hand with exactly that
# argv on the same path (the folder anvil used, made again: anvil removes its
# files), set-up pass first as anvil does. Each round is one anvil run and
# one direct run, the order swapped every round, so drift of the disk and
# load on the machine hit both alike:
#   ratio = anvil's figure (scope=aggregate: bytes / window) / fio's own
#           (bw_bytes, iops); the median of the rounds' ratios must reach
#           0.97 (ANVIL_PERF_TARGET)
# Knobs: ANVIL_PERF_DIR (where the files go; default a folder under
# $TMPDIR; a tmpfs such as /dev/shm takes the disk's noise out and leaves
# fio CPU-bound, where a harness's overhead would show most),
# ANVIL_PERF_ROUNDS (5), ANVIL_PERF_RUNTIME (5 s per run), ANVIL_PERF_NICE
# (e.g. -10: both sides run at that niceness, less disturbed by the rest of
# a busy machine; needs root for a negative value).
# Exit 0 when both ratios reach the target, 1 when not, 77 when it cannot run.
set -u
anvil=${1:?usage: fio-overhead.sh ANVIL}
command -v fio >/dev/null || { echo "SKIP: fio not installed"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
rounds=${ANVIL_PERF_ROUNDS:-5}
runtime=${ANVIL_PERF_RUNTIME:-5}
target=${ANVIL_PERF_TARGET:-0.97}
base=${ANVIL_PERF_DIR:-${TMPDIR:-/tmp}}
nice=()
[ -n "${ANVIL_PERF_NICE:-}" ] && nice=(nice -n "$ANVIL_PERF_NICE")
work=$(mktemp -d "$base/anvil-fio-overhead.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/files"
cat > "$work/profile.json" <<EOF
{ "schema": "anvil-profile/1", "name": "fio-overhead", "defaults": { "timeout_s": 900 },
  "tests": [ { "runner": "fio-seq-read" }, { "runner": "fio-rand-read" } ] }
EOF

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# anvil_once RUNNER METRIC ROUND SETS...: anvil's figure into $a, its fio argv into $work/RUNNER.argv
anvil_once() {
	local runner=$1 metric=$2 r=$3; shift 3
	"${nice[@]}" "$anvil" run -p "$work/profile.json" --only "$runner" --set "$runner.dir=$work/files" \
		--set "$runner.runtime=$runtime" "$@" -o "$work/$runner.$r" > "$work/$runner.$r.log" 2>&1
	a=$(jq -rs --arg m "$metric" '[.[] | select(.kind == "metric" and .name == $m and .labels.scope == "aggregate")][0].value // empty' \
		"$work/$runner.$r/journal.jsonl")
	jq -rs '[.[] | select(.kind == "info" and .info.fio_argv != null)][0].info.fio_argv[]' \
		"$work/$runner.$r/journal.jsonl" > "$work/$runner.argv"
	[ -n "$a" ] || { echo "FAIL: $runner round $r: anvil gave no figure"; cat "$work/$runner.$r.log"; return 1; }
}

# direct_once RUNNER FIELD SCALE ROUND: fio by hand with anvil's argv, same folder, set-up pass first; into $d
direct_once() {
	local runner=$1 field=$2 scale=$3 r=$4 dir
	mapfile -t argv < "$work/$runner.argv"
	[ "${#argv[@]}" -ge 10 ] || { echo "FAIL: no fio argv from anvil"; return 1; }
	dir=$(printf '%s\n' "${argv[@]}" | sed -n 's/^--directory=//p')
	mkdir -p "$dir"
	"${nice[@]}" "${argv[@]}" --create_only=1 > /dev/null 2>&1 || { echo "FAIL: fio set-up by hand failed"; return 1; }
	"${nice[@]}" "${argv[@]}" > "$work/$runner.direct.$r.json" 2> "$work/$runner.direct.$r.err" || {
		echo "FAIL: fio by hand failed: $(head -3 "$work/$runner.direct.$r.err")"; return 1; }
	d=$(jq -r "[.jobs[].read.$field] | add * $scale" "$work/$runner.direct.$r.json")
	rm -rf "$dir"
}

# compare RUNNER METRIC FIO_FIELD SCALE PARAMS...: rounds of one anvil and one
# direct run, the order swapped every round; the median of the rounds' ratios
compare() {
	local runner=$1 metric=$2 field=$3 scale=$4; shift 4
	local sets=() p r a d
	for p in "$@"; do sets+=(--set "$runner.$p"); done
	: > "$work/$runner.ratios"; : > "$work/$runner.anvil"; : > "$work/$runner.direct"
	anvil_once "$runner" "$metric" 0 "${sets[@]}" || return 1  # the argv, and a warm-up
	for r in $(seq 1 "$rounds"); do
		if [ $((r % 2)) = 1 ]; then
			anvil_once "$runner" "$metric" "$r" "${sets[@]}" && direct_once "$runner" "$field" "$scale" "$r" || return 1
		else
			direct_once "$runner" "$field" "$scale" "$r" && anvil_once "$runner" "$metric" "$r" "${sets[@]}" || return 1
		fi
		echo "$a" >> "$work/$runner.anvil"
		echo "$d" >> "$work/$runner.direct"
		awk -v a="$a" -v d="$d" 'BEGIN { printf "%.6f\n", a / d }' >> "$work/$runner.ratios"
		printf '  round %d (%s first): anvil %-12.6g fio %-12.6g ratio %.4f\n' "$r" \
			"$([ $((r % 2)) = 1 ] && echo anvil || echo fio)" "$a" "$d" "$(tail -1 "$work/$runner.ratios")"
	done
	local ratio ma md
	ratio=$(median < "$work/$runner.ratios")
	ma=$(median < "$work/$runner.anvil")
	md=$(median < "$work/$runner.direct")
	printf '%-14s %-12s median anvil %-12.6g fio %-12.6g  median ratio %.4f (target >= %s)\n' \
		"$runner" "$metric" "$ma" "$md" "$ratio" "$target"
	awk -v r="$ratio" -v t="$target" 'BEGIN { exit !(r >= t) }'
}

echo "== fio-overhead: $rounds round(s) of $runtime s each, files in $work/files ($(df --output=fstype "$work" | tail -1)), fio $(fio --version)${nice:+, ${nice[*]}}, load $(cut -d' ' -f1-3 /proc/loadavg)"
fails=0
echo "-- fio-seq-read (1 MiB, 4 jobs x 256 MiB, iodepth 16, direct)"
compare fio-seq-read read_bw_gbs bw_bytes 1e-9 size=268435456 || fails=$((fails + 1))
echo "-- fio-rand-read (4 KiB, 4 jobs x 128 MiB, iodepth 32, direct)"
compare fio-rand-read read_iops iops 1 size=134217728 || fails=$((fails + 1))
[ "$fails" = 0 ] && echo "PASS: anvil's fio runners within the target of fio run by hand" || echo "FAIL: $fails runner(s) under the target"
[ "$fails" = 0 ]
