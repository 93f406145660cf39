#!/usr/bin/env bash
# valgrind memcheck over the quick local run as a singleton (`anvil run`,
# the quick profile at small sizes), then `anvil report` of it: no invalid
# access, no use of uninitialised memory in anvil, no definite leak. Leaks
# the libraries keep until exit are suppressed (libs.supp, library frames
# only). A CTest test (label valgrind, about a minute); by hand:
#   bash tests/valgrind/run-quick.sh build/anvil
# Exit 0 pass, 1 fail, 77 skip (no valgrind).
. "$(dirname "$0")/../lib.sh"
anvil=$1
command -v valgrind >/dev/null || { echo "SKIP: valgrind not installed (apt-get install valgrind)"; exit 77; }
export OMP_NUM_THREADS=2
vg=(valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=9 --num-callers=50
    --suppressions="$src/tests/valgrind/libs.supp")
small=(--set hpl.n=256 --set hpl.nb=64 --set cpu-dgemm.n=256 --set cpu-dgemm.reps=1
       --set stream.n=200000 --set stream.min_elems=100000 --set stream.ntimes=2
       --set mdtest.files=50 --set mpiio-shared.block_bytes=1048576)
for f in fio-seq-read fio-seq-write fio-rand-read fio-rand-write fio-mixed; do
	small+=(--set "$f.size=16777216" --set "$f.runtime=1" --set "$f.numjobs=1")
done

# check WHAT LOG RC: valgrind's verdict over every process in the log (forked
# helpers are checked too), and anvil's exit code a verdict (0 or 1)
check() {
	local errs
	errs=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$2" | awk '{ s += $1 } END { print s + 0 }')
	if [ "$3" -eq 9 ] || [ "${errs:-0}" -ne 0 ]; then
		bad "$1: valgrind found errors:"; grep -E "^==[0-9]+== +(Invalid|Conditional|Use of|Syscall|[0-9,]+ .*definitely)" "$2" | head -20
	elif [ "$3" -gt 1 ]; then
		bad "$1: exit $3"; tail -20 "$work/out"
	else
		ok "$1: $(grep -c 'ERROR SUMMARY' "$2") process(es), 0 errors, $(grep -E 'definitely lost' "$2" | tail -1 | sed 's/^==[0-9]*== *//')"
	fi
}

"${vg[@]}" --log-file="$work/run.vg" "$anvil" run -o "$work/r" "${small[@]}" >"$work/out" 2>&1
check "anvil run (quick, small sizes)" "$work/run.vg" $?
"${vg[@]}" --log-file="$work/report.vg" "$anvil" report "$work/r" >"$work/out" 2>&1
check "anvil report" "$work/report.vg" $?
"${vg[@]}" --log-file="$work/bad.vg" "$anvil" run -p "$src/tests/bad-inputs/json-truncated-object/profile.json" -o "$work/r2" >"$work/out" 2>&1
rc=$?
[ "$rc" -eq 2 ] && ok "a refused profile: exit 2 under valgrind" || bad "a refused profile: exit $rc (9: valgrind errors)"
finish
