#!/bin/bash
# test_io_signals.sh ANVIL — Ctrl-C on mpirun in the middle of an I/O test:
# mpirun sends the ranks SIGTERM; each removes its test files (fio killed
# first) before it ends. fio-seq-write under 2 ranks, then mdtest in the
# middle of creating its files. Exit 0 pass, 1 fail, 77 skip.
set -u
anvil=${1:?usage: test_io_signals.sh ANVIL}
src=${ANVIL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v mpirun >/dev/null || { echo "SKIP: mpirun not found"; exit 77; }
command -v fio >/dev/null || { echo "SKIP: fio not installed"; exit 77; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

fails=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/anvil-io-signals.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fio_in() { local p; for p in /proc/[0-9]*; do tr '\0' ' ' 2>/dev/null < "$p/cmdline" | grep -q "^fio .*--directory=$1" && echo "${p#/proc/}"; done; }

# interrupt NAME WAIT-FOR-GLOB ARGS...: starts mpirun -np 2 anvil run ARGS in
# the background, waits until WAIT-FOR-GLOB matches, sends SIGINT to mpirun.
interrupt() {
	local name=$1 glob=$2; shift 2
	mkdir -p "$tmp/$name.fs"
	env --default-signal=INT,TERM mpirun -np 2 --oversubscribe "$anvil" run -p "$src/tests/data/io-quick.json" \
		-o "$tmp/$name" "$@" > "$tmp/$name.out" 2>&1 &
	local pid=$!
	for _ in $(seq 1 300); do
		compgen -G "$tmp/$name.fs/$glob" > /dev/null && break
		sleep 0.05
	done
	compgen -G "$tmp/$name.fs/$glob" > /dev/null || fail "$name: never saw $glob"
	sleep 0.5
	kill -INT "$pid"
	wait "$pid"
	code=$?
	# the removal runs detached from the rank (mpirun SIGKILLs it ms after SIGTERM)
	for _ in $(seq 1 200); do [ -z "$(ls -A "$tmp/$name.fs")" ] && break; sleep 0.05; done
}

echo "== fio-seq-write, 60 s, interrupted"
interrupt fio 'anvil-fio.*/anvil.0.0' --only fio-seq-write --set fio-seq-write.runtime=60 \
	--set fio-seq-write.dir="$tmp/fio.fs"
still=""
for _ in $(seq 1 50); do still=$(fio_in "$tmp/fio.fs"); [ -z "$still" ] && break; sleep 0.1; done
left=$(ls -A "$tmp/fio.fs")
[ "$code" != 0 ] && pass "mpirun ended ($code)" || fail "mpirun exit 0"
[ -z "$left" ] && pass "fio files removed" || fail "left: $left"
[ -z "$still" ] && pass "no fio left running" || { fail "fio still running: $still"; kill -9 $still; }

echo "== mdtest creating 200000 files per rank, interrupted"
interrupt mdtest 'anvil-mdtest.*/rank.1/file.100' --only mdtest --set mdtest.files=200000 --set mdtest.bytes=0 \
	--set mdtest.variant=unique --set mdtest.max_fill_fraction=0 --set mdtest.dir="$tmp/mdtest.fs"
left=$(find "$tmp/mdtest.fs" -mindepth 1 | head -5)
[ "$code" != 0 ] && pass "mpirun ended ($code)" || fail "mpirun exit 0"
[ -z "$left" ] && pass "mdtest's files and folders removed" || fail "left: $left ..."

echo "== $fails failure(s)"
[ "$fails" = 0 ]
