#!/usr/bin/env bash
# mpi-pingpong's bad input under mpirun -np 2: one line saying what is wrong,
# never a crash (a failed allocation used to read the released sweep) and
# never a silent default (measurements 0 was taken as 1).
. "$(dirname "$0")/../lib.sh"
anvil=$1
expect_exit 3 "measurements=0" -- \
	mpi -np 2 "$anvil" run --only mpi-pingpong --set mpi-pingpong.measurements=0 -o "$work/m0"
expect_text "$work/m0/report.json" "measurements 0: need at least 1 timed loop per size" "measurements 0 is refused with the reason"
# 1 TiB (the sweep's upper limit) cannot be allocated where the kernel
# refuses allocations beyond RAM + swap (overcommit 0 or 2); under ASan,
# malloc must return NULL as libc's does rather than stop the program
if [ "$(cat /proc/sys/vm/overcommit_memory 2>/dev/null)" != 1 ]; then
	[ -n "${ASAN_OPTIONS:-}" ] && export ASAN_OPTIONS=$ASAN_OPTIONS:allocator_may_return_null=1
	expect_exit 3 "max_bytes=1 TiB" -- \
		mpi -np 2 "$anvil" run --only mpi-pingpong --set mpi-pingpong.min_bytes=1099511627776 \
		--set mpi-pingpong.max_bytes=1099511627776 -o "$work/big"
	expect_text "$work/big/report.json" "cannot allocate 1099511627776 bytes (max_bytes)" "an impossible buffer is a harness error with the size"
else
	ok "vm.overcommit_memory=1: a 1 TiB malloc would succeed; the allocation case is not tried"
fi
finish
