#!/bin/bash
# test_io_cluster.sh ANVIL — the I/O runners across 3 hosts of the test bed
# sharing one directory: a cluster run without storage.path refused before
# anything is made; fio on every node at once with per-node figures and one
# aggregate = all bytes / (latest end - earliest start); a slowed node
# flagged against its peers; mdtest per node and aggregate; mpiio-shared
# reading every block on another node than the writer; nothing left behind.
# Exit 0 pass, 1 fail, 77 skip.
set -u
anvil=${1:?usage: test_io_cluster.sh ANVIL}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/bed.sh"
if ! why=$(bed_check); then echo "SKIP: $why"; exit 77; fi
command -v fio >/dev/null || { echo "SKIP: fio not installed"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }

fails=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
die() { echo "FAIL: $*"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/anvil-io-cluster.XXXXXX") || exit 1
keep=${keep:-0}
trap '[ "$keep" = 1 ] && echo "keep=1: leaving $tmp" || rm -rf "$tmp"' EXIT
journal() { local run=$1; shift; jq -s "$@" "$run/journal.jsonl"; }
mkdir -p "$tmp/shared"
cat > "$tmp/cluster.json" <<EOF
{ "schema": "anvil-cluster/1", "name": "bed", "storage": { "path": "$tmp/shared" } }
EOF
cat > "$tmp/profile.json" <<EOF
{ "schema": "anvil-profile/1", "name": "io-bed", "defaults": { "timeout_s": 120 },
  "tests": [
    { "runner": "fio-rand-read", "params": { "size": 16777216, "numjobs": 1, "iodepth": 8, "runtime": 3 } },
    { "runner": "fio-seq-write", "params": { "size": 33554432, "numjobs": 1, "runtime": 2 } },
    { "runner": "mdtest", "params": { "files": 200 } },
    { "runner": "mpiio-shared", "params": { "block_bytes": 4194304, "transfer_bytes": 262144 } } ],
  "checks": [
    { "test": "fio-rand-read", "metric": "read_iops", "rule": "peers", "min": 0.6, "labels": { "scope": "node" } } ] }
EOF

bed_up 3 || die "bed_up 3 failed"

echo "== 3 nodes, no storage.path: refused before anything is made"
out=$(bed_mpirun 3 "$anvil" run -p "$tmp/profile.json" --only fio-seq-write -o "$tmp/refused" 2>&1); code=$?
line=$(printf '%s\n' "$out" | grep '^anvil:')
case "$line" in *"test fio-seq-write does I/O on 3 nodes and needs a directory they all share"*"storage"*"path"*)
	pass "refused: $line" ;; *) fail "not refused as expected (exit $code): $out" ;; esac
[ "$code" = 2 ] && pass "exit 2" || fail "exit $code"
[ ! -e "$tmp/refused" ] && pass "no run directory made" || fail "$tmp/refused exists"
[ "$(printf '%s\n' "$out" | grep -c '^anvil:')" = 1 ] && pass "one line (from rank 0 only)" || fail "lines: $out"

echo "== 3 nodes, storage.path shared; node3 at 5% of a CPU"
bed_slow_node 3 5; slow=$?
[ "$slow" = 0 ] || echo "note: no cpu cgroup; the slow-node check is not run"
bed_mpirun 3 "$anvil" run -c "$tmp/cluster.json" -p "$tmp/profile.json" -o "$tmp/run" > "$tmp/run.out" 2>&1
code=$?
[ "$slow" = 0 ] && bed_slow_node 3 off
st=$(journal "$tmp/run" -r '[.[] | select(.kind == "test") | "\(.test)=\(.status)"] | join(" ")')
[ "$st" = "fio-rand-read=ok fio-seq-write=ok mdtest=ok mpiio-shared=ok" ] && pass "tests: $st" || { fail "tests: $st"; cat "$tmp/run.out"; }

hosts=$(journal "$tmp/run" -r '[.[] | select(.kind == "metric" and .test == "fio-seq-write" and .name == "write_bw_gbs" and .labels.scope == "node") | .host] | sort | join(" ")')
[ "$hosts" = "node1 node2 node3" ] && pass "fio: per-node figures from $hosts" || fail "fio per-node hosts: $hosts"
agg=$(journal "$tmp/run" -c '[.[] | select(.test == "fio-seq-write" and .labels.scope == "aggregate")]')
n_agg=$(echo "$agg" | jq '[.[] | select(.kind == "metric")] | length')
[ "$n_agg" = 2 ] && pass "fio: one aggregate bw and iops" || fail "fio aggregate records: $agg"
# the aggregate is bytes / window, and the window covers every node's run
arith=$(echo "$agg" | jq -r --argjson per "$(journal "$tmp/run" '[.[] | select(.kind == "metric" and .test == "fio-seq-write" and .name == "write_bw_gbs" and .labels.scope == "node") | .value]')" '
	(.[] | select(.kind == "info") | .info) as $i | (.[] | select(.name == "write_bw_gbs") | .value) as $bw |
	{ nodes: $i.nodes, window_s: $i.window_s, agg: $bw, sum_of_nodes: ($per | add),
	  ok: ($i.nodes == 3 and (($bw * $i.window_s * 1e9 - $i.write_bytes) | fabs) < 1e-6 * $i.write_bytes
	       and $i.window_s >= 2 and $i.window_s < 15 and $bw <= ($per | add) * 1.001) }')
[ "$(echo "$arith" | jq .ok)" = true ] && pass "fio aggregate = bytes / window: $arith" || fail "fio aggregate: $arith"

if [ "$slow" = 0 ]; then
	verdicts=$(jq -r '[.tests[] | select(.id == "fio-rand-read") | .checks[] | select(.rule == "peers") | "\(.host)=\(.verdict)"] | sort | join(" ")' "$tmp/run/report.json")
	case "$verdicts" in "node1=PASS node2=PASS node3=FAIL") pass "peers: the slowed node stands out: $verdicts" ;;
		*) fail "peers: $verdicts"; jq -c '.tests[] | select(.id == "fio-rand-read") | .checks[]' "$tmp/run/report.json" ;; esac
fi

hosts=$(journal "$tmp/run" -r '[.[] | select(.kind == "metric" and .test == "mdtest" and .name == "create_ops" and .labels.scope == "node" and .labels.variant == "shared") | .host] | sort | join(" ")')
[ "$hosts" = "node1 node2 node3" ] && pass "mdtest: per-node create rates from $hosts" || fail "mdtest hosts: $hosts"
md=$(journal "$tmp/run" -r '[.[] | select(.kind == "check" and .test == "mdtest") | "\(.labels.variant)=\(.ok)"] | join(" ")')
[ "$md" = "unique=true shared=true" ] && pass "mdtest read back: $md" || fail "mdtest read back: $md"
n=$(journal "$tmp/run" '[.[] | select(.kind == "metric" and .test == "mdtest" and .labels.scope == "aggregate")] | length')
[ "$n" = 8 ] && pass "mdtest: 4 phases x 2 layouts aggregate" || fail "mdtest aggregate records: $n"

other=$(journal "$tmp/run" '[.[] | select(.kind == "info" and .test == "mpiio-shared")][0].info.ranks_reading_another_nodes_blocks')
[ "$other" = 3 ] && pass "mpiio-shared: all 3 ranks read blocks another node wrote" || fail "mpiio-shared other-node readers: $other"
mp=$(journal "$tmp/run" -r '[.[] | select(.kind == "check" and .test == "mpiio-shared") | "\(.labels.mode)=\(.ok)"] | join(" ")')
[ "$mp" = "independent=true collective=true" ] && pass "mpiio-shared read back: $mp" || fail "mpiio-shared read back: $mp"
n=$(journal "$tmp/run" '[.[] | select(.kind == "metric" and .test == "mpiio-shared" and .labels.scope == "node")] | length')
[ "$n" = 12 ] && pass "mpiio-shared: per-node figures (3 nodes x 2 modes x write/read)" || fail "mpiio-shared per-node records: $n"

left=$(ls -A "$tmp/shared")
[ -z "$left" ] && pass "nothing left in the shared directory" || fail "left: $left"

echo "== 6 ranks (2 per node): mdtest and mpiio-shared by node"
BED_SLOTS=2 bed_mpirun 6 --map-by ppr:2:node "$anvil" run -c "$tmp/cluster.json" -p "$tmp/profile.json" \
	--only mdtest,mpiio-shared -o "$tmp/run6" > "$tmp/run6.out" 2>&1
st=$(journal "$tmp/run6" -r '[.[] | select(.kind == "test") | "\(.test)=\(.status)"] | join(" ")')
[ "$st" = "mdtest=ok mpiio-shared=ok" ] && pass "tests: $st" || { fail "tests: $st"; cat "$tmp/run6.out"; }
other=$(journal "$tmp/run6" '[.[] | select(.kind == "info" and .test == "mpiio-shared")][0].info.ranks_reading_another_nodes_blocks')
[ "$other" = 6 ] && pass "mpiio-shared: all 6 ranks read another node's blocks" || fail "6 ranks, other-node readers: $other"
n=$(journal "$tmp/run6" '[.[] | select(.kind == "metric" and .test == "mdtest" and .labels.scope == "node")] | length')
[ "$n" = 24 ] && pass "mdtest: 3 nodes x 8 per-node figures" || fail "mdtest per-node records: $n"
[ -z "$(ls -A "$tmp/shared")" ] && pass "nothing left" || fail "left: $(ls -A "$tmp/shared")"

echo "== $fails failure(s)"
[ "$fails" = 0 ]
