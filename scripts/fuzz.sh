#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer targets of tests/fuzz with clang in their
# own build directory and runs each for FUZZ_SECONDS (default 60), printing
# executions, execs/s and coverage per target. A crash, leak, undefined
# behaviour or hang (one input over FUZZ_TIMEOUT s, default 30) fails the run; the input
# that did it is kept under BUILD/artifacts/TARGET/.
#   FUZZ_SECONDS=300 make fuzz          five minutes a target
#   FUZZ_TARGETS="json journal" ...     some targets only
#   FUZZ_PARALLEL=2 ...                 two targets at a time
# The committed seeds (tests/fuzz/corpus/TARGET) are copied into
# BUILD/corpus/TARGET, which grows across runs; the seeds are not touched.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${FUZZ_BUILD:-build-fuzz}
secs=${FUZZ_SECONDS:-60}
timeout=${FUZZ_TIMEOUT:-30}
parallel=${FUZZ_PARALLEL:-1}
cc=${FUZZ_CC:-$(command -v clang || true)}

if [ -z "$cc" ]; then
	echo "fuzz: no clang found; as root: apt-get install -y clang libclang-rt-dev libomp-dev" >&2
	exit 2
fi
if [ ! -f "$build/CMakeCache.txt" ]; then
	CC=$cc cmake -S . -B "$build" -DANVIL_FUZZ=ON -DANVIL_WITH_CUDA=OFF >"$build.configure.log" 2>&1 ||
		{ cat "$build.configure.log" >&2; exit 2; }
fi
cmake --build "$build" -j "$(nproc)" --target fuzz_targets >/dev/null || {
	echo "fuzz: the build failed (cmake --build $build --target fuzz_targets)" >&2; exit 2; }

targets=${FUZZ_TARGETS:-}
if [ -z "$targets" ]; then
	for f in "$build"/fuzz_*; do
		[ -x "$f" ] && targets+="${f##*/fuzz_} "
	done
fi
[ -n "$targets" ] || { echo "fuzz: no targets in $build (is clang's libFuzzer installed?)" >&2; exit 2; }

# UBSan aborts (no recovery, see tests/fuzz/fuzz.cmake); leaks are findings
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

run_one() {
	local t=$1 log="$build/fuzz-$1.log"
	mkdir -p "$build/corpus/$t" "$build/artifacts/$t"
	[ -d "tests/fuzz/corpus/$t" ] && cp -n tests/fuzz/corpus/"$t"/* "$build/corpus/$t/" 2>/dev/null
	"$build/fuzz_$t" -max_total_time="$secs" -timeout="$timeout" -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$build/artifacts/$t/" \
		"$build/corpus/$t" >"$log" 2>&1
	echo $? >"$build/fuzz-$t.rc"
}

running=0
for t in $targets; do
	[ -x "$build/fuzz_$t" ] || { echo "fuzz: no target fuzz_$t in $build" >&2; exit 2; }
	echo "fuzz: $t for ${secs}s"
	run_one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$parallel" ]; then wait -n; running=$((running - 1)); fi
done
wait

failed=0
printf '\n%-10s %12s %9s %8s %8s %7s  %s\n' target execs "execs/s" cov ft corpus result
for t in $targets; do
	log="$build/fuzz-$t.log"
	rc=$(cat "$build/fuzz-$t.rc" 2>/dev/null || echo 99)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	last=$(grep -E '^#[0-9]+' "$log" | tail -1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
	corp=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$last")
	result=ok
	if [ "$rc" -ne 0 ]; then
		result="FAILED (exit $rc): $(grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error' "$log" | cut -c1-120)"
		failed=$((failed + 1))
	fi
	printf '%-10s %12s %9s %8s %8s %7s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result"
done
echo "(logs: $build/fuzz-TARGET.log; inputs that failed: $build/artifacts/TARGET/)"
[ "$failed" -eq 0 ] || { echo "fuzz: $failed target(s) failed"; exit 1; }
echo "fuzz: no crash, leak, undefined behaviour or hang in ${secs}s per target"
