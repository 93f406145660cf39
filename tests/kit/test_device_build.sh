#!/usr/bin/env bash
# scripts/device-kit.sh and scripts/device-build.sh (README: "On a GPU node
# with no package registry"): the kit is downloaded, unpacked into a prefix
# of this test's own, and anvil built against it. pkg-config sees only the
# kit's .pc files and CMake only the kit's mpicc, so a library the build
# needs and the kit lacks fails here. Then the built anvil must resolve
# Open MPI, OpenBLAS, LAPACKE, cJSON and hwloc from the prefix, and run two
# ranks through the kit's mpirun. Skipped (77) where apt cannot download.
. "$(dirname "$0")/../lib.sh"  # set -u, OMPI settings, $src, $work, ok, bad, finish

if ! "$src/scripts/device-kit.sh" "$work/kit" >"$work/kit.log" 2>&1; then
	cat "$work/kit.log"
	echo "SKIP: the kit's packages could not be downloaded (no Debian mirror reachable?)"
	exit 77
fi
ok "$(tail -1 "$work/kit.log")"

prefix=$work/prefix build=$work/build
if (cd "$src" && KIT="$work/kit" ANVIL_KIT_PREFIX="$prefix" scripts/device-build.sh "$build") >"$work/build.log" 2>&1; then
	ok "device-build.sh built $build/anvil"
else
	cat "$work/build.log"
	bad "device-build.sh failed"
	exit 1
fi
grep '^device-build: ' "$work/build.log"

# shellcheck disable=SC1091
. "$build/env.sh"
[ "$(command -v mpirun)" = "$prefix/usr/bin/mpirun" ] && ok "mpirun is the kit's" ||
	bad "mpirun is $(command -v mpirun), not the kit's"
for lib in libmpi.so.40 libopenblas.so.0 liblapacke.so.3 libcjson.so.1 libhwloc.so.15; do
	path=$(ldd "$build/anvil" | awk -v l="$lib" '$1 == l { print $3 }')
	case $path in
	"$prefix"/*) ok "$lib from the kit" ;;
	*) bad "$lib resolves to '${path:-nothing}', not to the kit's prefix" ;;
	esac
done
ver=$("$build/anvil" --version 2>&1)
case $ver in *"mpi, cjson, openblas, lapacke, hwloc"*) ok "anvil --version: $(echo "$ver" | sed -n 2p)" ;;
	*) bad "anvil --version: $ver" ;; esac

cat >"$work/p.json" <<'JSON'
{ "schema": "anvil-profile/1", "name": "kit",
  "tests": [ { "runner": "mpi-allreduce", "params": { "max_bytes": 65536 } },
             { "runner": "cpu-dgemm", "params": { "n": 256 } } ] }
JSON
if mpirun --oversubscribe --bind-to none -np 2 "$build/anvil" run -p "$work/p.json" -o "$work/r" >"$work/run.log" 2>&1; then
	ok "2 ranks through the kit's mpirun: $(grep '^verdict' "$work/run.log")"
else
	tail -20 "$work/run.log"
	bad "anvil run under the kit's mpirun failed"
fi
grep -q '"mpi-allreduce"' "$work/r/report.json" 2>/dev/null && grep -q '"cpu-dgemm"' "$work/r/report.json" &&
	ok "report.json has both tests" || bad "no report.json with both tests"

finish
