#!/bin/bash
# test_fio_runners.sh ANVIL — the fio runners, mdtest and mpiio-shared on one
# node: every figure recorded, judged against storage.rated, test files gone
# afterwards and after SIGTERM/SIGINT (fio killed too), fio missing, and bad
# storage sections refused with one line.  Exit 0 pass, 1 fail, 77 skip.
set -u
anvil=${1:?usage: test_fio_runners.sh ANVIL}
src=${ANVIL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v fio >/dev/null || { echo "SKIP: fio not installed"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }

fails=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/anvil-fio-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
profile=$src/tests/data/io-quick.json

# journal RUN FILTER: jq over the journal's records as one array
journal() { local run=$1; shift; jq -s "$@" "$run/journal.jsonl"; }
# the fio processes working in DIR (by their argv, read from /proc)
fio_in() { local p; for p in /proc/[0-9]*; do tr '\0' ' ' 2>/dev/null < "$p/cmdline" | grep -q "^fio .*--directory=$1" && echo "${p#/proc/}"; done; }

echo "== all I/O runners, storage.path from a cluster config, checks against storage.rated"
mkdir -p "$tmp/shared"
cat > "$tmp/cluster.json" <<EOF
{ "schema": "anvil-cluster/1", "name": "test",
  "storage": { "path": "$tmp/shared", "max_fill_fraction": 0.5,
               "rated": { "read_gbs": 0.001, "write_gbs": 1000, "read_iops": 1000, "write_iops": 1000 } } }
EOF
"$anvil" run -c "$tmp/cluster.json" -p "$profile" -o "$tmp/run1" > "$tmp/run1.out" 2>&1
rc=$?
statuses=$(journal "$tmp/run1" '[.[] | select(.kind == "test") | "\(.test)=\(.status)"] | join(" ")')
want='"fio-seq-read=ok fio-seq-write=ok fio-rand-read=ok fio-rand-write=ok fio-mixed=ok mdtest=ok mpiio-shared=ok"'
[ "$statuses" = "$want" ] && pass "every test ran: $statuses" || { fail "statuses: $statuses"; cat "$tmp/run1.out"; }
for t_m in fio-seq-read:read_bw_gbs fio-seq-write:write_bw_gbs fio-rand-read:read_iops \
	   fio-rand-write:write_iops fio-mixed:read_iops fio-mixed:write_iops fio-mixed:write_clat_p999_us \
	   fio-rand-read:read_clat_p50_us mdtest:create_ops mdtest:remove_ops mpiio-shared:read_bw_gbs; do
	t=${t_m%%:*} m=${t_m#*:}
	n=$(journal "$tmp/run1" "[.[] | select(.kind == \"metric\" and .test == \"$t\" and .name == \"$m\" and (.value | type) == \"number\" and .value > 0)] | length")
	[ "$n" -ge 1 ] && pass "$t recorded $m ($n record(s))" || fail "$t: no positive $m"
done
agg=$(journal "$tmp/run1" '[.[] | select(.kind == "metric" and .test == "fio-seq-read" and .labels.scope == "aggregate")] | length')
node=$(journal "$tmp/run1" '[.[] | select(.kind == "metric" and .test == "fio-seq-read" and .labels.scope == "node" and .host != null)] | length')
[ "$agg" = 2 ] && [ "$node" = 5 ] && pass "fio-seq-read: 2 aggregate figures, 5 per node (bw, iops, 3 percentiles)" || fail "fio-seq-read: $agg aggregate, $node per node"
dir=$(journal "$tmp/run1" -r '[.[] | select(.kind == "info" and .test == "fio-seq-read" and .info.dir != null)][0].info.dir')
case "$dir" in "$tmp/shared/anvil-fio."*) pass "fio worked in storage.path: $dir" ;; *) fail "fio dir: $dir" ;; esac
# read_gbs rated 0.001: passes; write_gbs rated 1000: fails, and says where the peak came from
v_read=$(jq -r '.tests[] | select(.id == "fio-seq-read") | .checks[] | select(.rule == "peak") | .verdict' "$tmp/run1/report.json")
why_write=$(jq -r '.tests[] | select(.id == "fio-seq-write") | .checks[] | select(.rule == "peak") | "\(.verdict): \(.why)"' "$tmp/run1/report.json")
[ "$v_read" = PASS ] && pass "seq read against storage.rated.read_gbs: pass" || fail "seq read verdict: $v_read"
case "$why_write" in "FAIL: "*"storage.rated.write_gbs"*) pass "seq write against 1000 GB/s rated: $why_write" ;; *) fail "seq write: $why_write" ;; esac
[ "$rc" = 1 ] && pass "anvil exit 1 (a check failed)" || fail "anvil exit $rc, expected 1"
left=$(ls -A "$tmp/shared")
[ -z "$left" ] && pass "no test files left in storage.path" || fail "left in storage.path: $left"

echo "== no cluster config: the run directory's scratch/"
"$anvil" run -p "$profile" --only fio-rand-write -o "$tmp/run2" > "$tmp/run2.out" 2>&1
dir=$(journal "$tmp/run2" -r '[.[] | select(.kind == "info" and .info.dir != null)][0].info.dir')
case "$dir" in "$tmp/run2/scratch/anvil-fio."*) pass "scratch used: $dir" ;; *) fail "scratch: $dir"; cat "$tmp/run2.out" ;; esac
[ -z "$(ls -A "$tmp/run2/scratch")" ] && pass "scratch/ empty afterwards" || fail "scratch/ holds $(ls -A "$tmp/run2/scratch")"

echo "== the size cap: files shrink to max_fill_fraction of the free space"
mkdir -p "$tmp/capdir"
avail=$(df -B1 --output=avail "$tmp/capdir" | tail -1)
frac=$(awk -v a="$avail" 'BEGIN { printf "%.12f", 2 * 32 * 1048576 / a }')  # about 32 MiB per file
"$anvil" run -p "$profile" --only fio-seq-read --set fio-seq-read.dir="$tmp/capdir" --set fio-seq-read.size=1099511627776000 \
	--set fio-seq-read.max_fill_fraction="$frac" -o "$tmp/run3" > "$tmp/run3.out" 2>&1
info=$(journal "$tmp/run3" -c '[.[] | select(.kind == "info" and .info.file_bytes_asked != null)][0].info | {file_bytes, file_bytes_asked, free_bytes, max_fill_fraction, files}')
ok=$(echo "$info" | jq '.file_bytes > 16 * 1048576 and .file_bytes <= .max_fill_fraction * .free_bytes / .files and .file_bytes % 1048576 == 0 and .file_bytes_asked == 1099511627776000')
[ "$ok" = true ] && pass "size capped: $info" || { fail "cap: $info"; cat "$tmp/run3.out"; }
"$anvil" run -p "$profile" --only fio-seq-read --set fio-seq-read.max_fill_fraction=0.000000001 -o "$tmp/run3b" > "$tmp/run3b.out" 2>&1
why=$(journal "$tmp/run3b" -r '[.[] | select(.kind == "test")][0] | "\(.status): \(.why)"')
case "$why" in "error: "*"max_fill_fraction 1e-09 leaves less than one 1048576-byte block"*) pass "no room: $why" ;; *) fail "no room: $why" ;; esac

echo "== fio missing"
# the same PATH without fio (MPI's singleton start needs the rest)
mkdir -p "$tmp/bin"
IFS=: read -ra dirs <<< "$PATH"
for d in "${dirs[@]}"; do
	for f in "$d"/*; do
		b=${f##*/}
		[ "$b" = fio ] || [ -e "$tmp/bin/$b" ] || ln -s "$f" "$tmp/bin/$b" 2>/dev/null
	done
done
PATH=$tmp/bin "$anvil" run -p "$profile" --only fio-seq-read -o "$tmp/run4" > "$tmp/run4.out" 2>&1
why=$(journal "$tmp/run4" -r '[.[] | select(.kind == "test")][0] | "\(.status): \(.why)"')
[ "$why" = "skipped: fio not found in PATH" ] && pass "$why" || { fail "fio missing: $why"; cat "$tmp/run4.out"; }
out=$(PATH=$tmp/bin "$anvil" list 2>&1 | grep -A1 '^  fio-seq-read ' | tr -s ' ')
case "$out" in *unavailable*"why: fio not found in PATH"*) pass "anvil list: $out" ;; *) fail "anvil list: $out" ;; esac

echo "== bad storage sections: one line each"
bad() {  # NAME JSON EXPECTED-TEXT
	printf '{ "schema": "anvil-cluster/1",\n  "storage": %s }\n' "$2" > "$tmp/bad-$1.json"
	out=$("$anvil" run -c "$tmp/bad-$1.json" -p "$profile" --dry-run 2>&1); code=$?
	lines=$(printf '%s\n' "$out" | wc -l)
	if [ "$code" = 2 ] && [ "$lines" = 1 ] && printf '%s' "$out" | grep -q "bad-$1.json:2:.*$3"; then
		pass "$1: $out"
	else
		fail "$1 (exit $code, $lines line(s)): $out"
	fi
}
bad typo '{ "paht": "/x" }' '"paht"'
bad rated '{ "rated": { "read_gbs": -1 } }' 'read_gbs'
bad ratedkey '{ "rated": { "read_GBs": 10 } }' 'read_GBs'
bad fill '{ "max_fill_fraction": 1.5 }' 'max_fill_fraction'
bad empty '{ "path": "" }' 'path'
bad type '{ "path": 7 }' 'path'

echo "== interrupted: SIGTERM, SIGINT (and SIGKILL: no handler) remove the files and stop fio"
for sig in TERM INT KILL; do
	# a background job of a script ignores SIGINT; anvil leaves an ignored signal alone
	env --default-signal=INT,TERM "$anvil" run -p "$profile" --only fio-seq-write --set fio-seq-write.runtime=60 -o "$tmp/run-$sig" > "$tmp/run-$sig.out" 2>&1 &
	pid=$!
	fios=""
	for _ in $(seq 1 200); do
		fios=$(fio_in "$tmp/run-$sig/scratch/anvil-fio")
		[ -n "$fios" ] && ls "$tmp/run-$sig/scratch/"anvil-fio.*/anvil.* >/dev/null 2>&1 && break
		sleep 0.05
	done
	[ -n "$fios" ] || fail "SIG$sig: fio never started"
	sleep 0.5
	kill -"$sig" "$pid"
	{ wait "$pid"; } 2>/dev/null; code=$?
	# the removal runs detached: it may end just after anvil
	for _ in $(seq 1 100); do [ -z "$(ls -A "$tmp/run-$sig/scratch" 2>/dev/null)" ] && break; sleep 0.05; done
	left=$(ls -A "$tmp/run-$sig/scratch" 2>/dev/null)
	still=""
	for _ in $(seq 1 50); do still=$(fio_in "$tmp/run-$sig/scratch/anvil-fio"); [ -z "$still" ] && break; sleep 0.1; done
	want=$(( 128 + $(kill -l "$sig") ))
	if [ "$code" = "$want" ] && [ -z "$left" ] && [ -z "$still" ]; then
		pass "SIG$sig: anvil ended by the signal ($code), files removed, fio ($fios) gone"
	else
		fail "SIG$sig: exit $code (want $want), left '$left', fio still running '$still'"
		kill -9 $still 2>/dev/null
	fi
	if jq -s . "$tmp/run-$sig/journal.jsonl" > /dev/null; then pass "SIG$sig: journal intact"; else fail "SIG$sig: journal unreadable"; fi
done

echo "== $fails failure(s)"
[ "$fails" = 0 ]
