#!/usr/bin/env bash
# The unit, MPI and CLI tests again under AddressSanitizer + UBSan (part of
# `make test`): a second build in build-asan (-DANVIL_SANITIZE=ON, no CUDA:
# the host code is what is checked), then ctest -L 'unit|mpi|cli'. Any
# overflow, use-after-free, leak of anvil's or undefined behaviour fails
# the test that met it. Leaks the libraries keep until exit (OpenMPI, hwloc,
# OpenBLAS) are suppressed by tests/lsan.supp; mpirun passes the settings on
# to every rank (tests/lib.sh).
#   scripts/test-sanitize.sh [build dir]    (default build-asan; JOBS, CTEST_ARGS as make test)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
build=${1:-build-asan}
jobs=${JOBS:-$(nproc)}
if [ ! -f "$build/CMakeCache.txt" ]; then
	cmake -S . -B "$build" -DANVIL_SANITIZE=ON -DANVIL_WITH_CUDA=OFF >"$build.configure.log" 2>&1 ||
		{ cat "$build.configure.log" >&2; exit 2; }
fi
cmake --build "$build" -j "$jobs" >/dev/null
# full unwinding: OpenMPI's components are unloaded by MPI_Finalize, and
# only a whole stack shows that a leak was the library's
export ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:malloc_context_size=40:detect_stack_use_after_return=0
export LSAN_OPTIONS=suppressions=$src/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd "$build"
# shellcheck disable=SC2086
ctest --output-on-failure -j "$jobs" -L 'unit|mpi|cli' ${CTEST_ARGS:-}
