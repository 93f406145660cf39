#!/bin/bash
# test_fio_diskfull.sh ANVIL — a write that fills the file system: a 16 MiB
# tmpfs as storage.path, the size cap off, 64 MiB to write. Expected: a
# clear error naming the cause in the journal, the test files removed, the
# journal intact, anvil exiting non-zero with the error on one line; then the
# same with mpiio-shared and mdtest. Needs root (mount). Exit 0 pass, 1 fail,
# 77 skip.
set -u
anvil=${1:?usage: test_fio_diskfull.sh ANVIL}
src=${ANVIL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root to mount a small tmpfs"; exit 77; }
command -v fio >/dev/null || { echo "SKIP: fio not installed"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }

fails=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/anvil-diskfull.XXXXXX") || exit 1
mkdir "$tmp/fs"
mount -t tmpfs -o size=16m anvil-diskfull "$tmp/fs" || { echo "SKIP: cannot mount a tmpfs here"; rm -rf "$tmp"; exit 77; }
trap 'umount "$tmp/fs"; rm -rf "$tmp"' EXIT
cat > "$tmp/cluster.json" <<EOF
{ "schema": "anvil-cluster/1", "storage": { "path": "$tmp/fs", "max_fill_fraction": 0 } }
EOF

# run NAME ARGS...: anvil run into $tmp/NAME; sets code, out (stderr+stdout), why (the test record)
run() {
	local name=$1; shift
	out=$("$anvil" run -c "$tmp/cluster.json" -p "$src/tests/data/io-quick.json" -o "$tmp/$name" "$@" 2>&1)
	code=$?
	why=$(jq -rs '[.[] | select(.kind == "test")][0] | "\(.status): \(.why)"' "$tmp/$name/journal.jsonl" 2>&1)
}
# check RUN NAME CAUSE: the checks every disk-full run must pass
check() {
	local dir=$1 name=$2 cause=$3
	case "$why" in "error: "*"$cause"*) pass "$name: journal says $why" ;; *) fail "$name: journal says $why" ;; esac
	[ "$code" != 0 ] && pass "$name: anvil exit $code" || fail "$name: anvil exit 0"
	n=$(printf '%s\n' "$out" | grep -c "$cause")
	line=$(printf '%s\n' "$out" | grep -m1 "$name: error in")
	# the progress line carries the error whole, on one line
	case "$line" in *"$name: error in"*"$cause"*) pass "$name: one line: $line" ;; *) fail "$name: no one-line error (saw $n mention(s)): $out" ;; esac
	left=$(ls -A "$tmp/fs")
	[ -z "$left" ] && pass "$name: nothing left on the file system" || fail "$name: left: $left"
	used=$(df -B1 --output=used "$tmp/fs" | tail -1)
	[ "$used" -lt 1048576 ] && pass "$name: space given back ($used bytes used)" || fail "$name: $used bytes still used"
	if jq -s -e 'length > 3 and (map(.kind) | index("test")) != null and .[-1].kind == "run" and .[-1].event == "end"' \
		"$tmp/$dir/journal.jsonl" > /dev/null; then
		pass "$name: journal intact (every line JSON, the run's end recorded)"
	else
		fail "$name: journal damaged or unfinished"
	fi
}

echo "== fio-seq-write: 2 x 64 MiB into 16 MiB"
run seqwrite --only fio-seq-write --set fio-seq-write.size=67108864 --set fio-seq-write.runtime=5
check seqwrite fio-seq-write "No space left on device"
case "$why" in *"fio (timed run) failed"*"io_u error"*) pass "fio's own words kept: ${why#*: }" ;; *) fail "fio's message missing: $why" ;; esac

echo "== fio-seq-read: laying out 2 x 64 MiB fails in the set-up"
run seqread --only fio-seq-read --set fio-seq-read.size=67108864
check seqread fio-seq-read "No space left on device"

echo "== mpiio-shared: a 64 MiB shared file"
run mpiio --only mpiio-shared --set mpiio-shared.block_bytes=67108864 --set mpiio-shared.mode=independent
check mpiio mpiio-shared "(0 bytes free there)"

echo "== mdtest: 4000 files of 8 KiB"
run mdtest --only mdtest --set mdtest.files=4000 --set mdtest.bytes=8192 --set mdtest.variant=shared
check mdtest mdtest "No space left on device"

echo "== $fails failure(s)"
[ "$fails" = 0 ]
