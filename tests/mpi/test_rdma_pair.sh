#!/bin/bash
# test_rdma_pair.sh ANVIL — the RDMA runners' pair protocol (agree, swap,
# end-of-run messages) between two MPI ranks: runs the test_rdma_pair cmocka
# program, built beside anvil, under mpirun -np 2. Exit 0 pass, 1 fail, 77 skip.
set -u
anvil=${1:?usage: test_rdma_pair.sh ANVIL}
prog=${ANVIL_BUILD_DIR:-$(dirname "$anvil")}/test_rdma_pair
[ -x "$prog" ] || { echo "SKIP: $prog not built"; exit 77; }
command -v mpirun >/dev/null 2>&1 || { echo "SKIP: mpirun not found"; exit 77; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
timeout 120 mpirun --oversubscribe ${ASAN_OPTIONS:+-x ASAN_OPTIONS -x LSAN_OPTIONS -x UBSAN_OPTIONS} -np 2 "$prog"
rc=$?
if [ "$rc" = 0 ]; then echo "PASS: pair protocol on 2 ranks"; else echo "FAIL: mpirun exited $rc"; fi
exit $((rc != 0))
