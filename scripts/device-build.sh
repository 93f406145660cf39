#!/usr/bin/env bash
# device-build.sh [BUILD] — on a GPU machine with no package registry: builds
# anvil in BUILD (default build-gpu) against the Debian packages that
# scripts/device-kit.sh put in KIT (default .devkit), unpacked without dpkg's
# database into ANVIL_KIT_PREFIX (default /opt/anvil-kit), and against the
# machine's own CUDA: the toolkit nvcc belongs to, or where it lacks cuBLAS,
# cuSOLVER or NCCL, the nvidia-* Python packages that python3 can import
# (with no nvcc at all: the CPU, MPI and I/O runners only).
# Writes BUILD/env.sh: `. BUILD/env.sh` before running anvil, mpirun or a
# test there. Prints what it found (a CUDA library it cannot find leaves the
# runners that need it "not built", as `anvil list` then says); exits
# non-zero with the reason when the kit is missing or the build fails.
set -euo pipefail
build=${1:-build-gpu}
kit=${KIT:-.devkit}
P=${ANVIL_KIT_PREFIX:-/opt/anvil-kit}
say() { printf 'device-build: %s\n' "$*"; }
die() { say "$*" >&2; exit 1; }

ls "$kit"/*.deb >/dev/null 2>&1 || die "no .deb files in $kit (run scripts/device-kit.sh $kit where apt works, then carry $kit)"
mkdir -p "$P"
for f in "$kit"/*.deb; do
	if command -v dpkg-deb >/dev/null; then
		dpkg-deb -x "$f" "$P"
	else
		# a .deb is an ar archive holding data.tar.*; GNU tar picks the codec
		member=$(ar t "$f" | grep '^data\.tar')
		ar p "$f" "$member" | tar -x -a -f - -C "$P" 2>/dev/null ||
			ar p "$f" "$member" | tar -xJ -C "$P"
	fi
done
L=$P/usr/lib/x86_64-linux-gnu
# what update-alternatives would have made: OpenBLAS as libblas/liblapack
for n in blas lapack; do
	ln -sf "openblas-pthread/lib$n.so.3" "$L/lib$n.so.3"
	ln -sf "openblas-pthread/lib$n.so" "$L/lib$n.so"
	ln -sf "../openblas-pthread/pkgconfig/$n-openblas.pc" "$L/pkgconfig/$n.pc"
done
for n in mpirun mpiexec mpicc; do ln -sf "$n.openmpi" "$P/usr/bin/$n"; done
# The compiler's own runtime libraries: the machine's copies, newer than
# Debian 12's, serve the programs built by its compiler as well as ours.
for lib in libatomic.so.1 libgfortran.so.5 libquadmath.so.0; do
	if ldconfig -p 2>/dev/null | grep -q "^[[:space:]]*$lib "; then
		rm -f "$L/$lib" "$L/$lib".*
	fi
done

# ---- CUDA ------------------------------------------------------------------
cmake_args=(-DCMAKE_BUILD_TYPE=Release)
extra_inc=() extra_lib=()
nvcc=$(command -v nvcc || true)
if [ -z "$nvcc" ] && [ -x /usr/local/cuda/bin/nvcc ]; then nvcc=/usr/local/cuda/bin/nvcc; fi
if [ -z "$nvcc" ]; then
	say "cuda: no nvcc on PATH or in /usr/local/cuda/bin: the CPU, MPI and I/O runners only"
	cuda=""
	cmake_args+=(-DANVIL_WITH_CUDA=OFF)
else
	cuda=$(cd "$(dirname "$nvcc")/.." && pwd)
	cmake_args+=("-DCMAKE_CUDA_COMPILER=$nvcc" "-DCUDAToolkit_ROOT=$cuda")
	extra_lib+=("$cuda/lib64")
	# the nvidia-* wheels' folder (site-packages/nvidia), if python3 has them
	wheels=$(python3 -c 'import importlib.util as u; s = u.find_spec("nvidia"); print(list(s.submodule_search_locations)[0] if s else "")' 2>/dev/null || true)
fi
has_lib() { ls "$cuda"/lib64/"$1"* "$cuda"/targets/x86_64-linux/lib/"$1"* >/dev/null 2>&1; }
# find_wheel_lib GLOB: the first library of the wheels matching it
find_wheel_lib() { [ -n "$wheels" ] && ls -d "$wheels"/*/lib/$1 2>/dev/null | head -1; }
if [ -n "$cuda" ]; then
	for pair in cublas:libcublas.so.* cusolver:libcusolver.so.*; do
		name=${pair%%:*} glob=${pair#*:}
		if has_lib "lib$name.so"; then
			say "$name: $cuda"
		elif so=$(find_wheel_lib "$glob") && [ -n "$so" ]; then
			cmake_args+=("-DCUDA_${name}_LIBRARY=$so")
			extra_inc+=("$(dirname "$(dirname "$so")")/include")
			say "$name: $so (Python wheel)"
		else
			say "$name: not in $cuda nor in a python3 nvidia wheel: the GPU runners will be listed as not built"
		fi
	done
	# NCCL: the toolkit's, else the nvidia-nccl wheel's (it ships libnccl.so.2 only)
	if ls "$cuda"/include/nccl.h >/dev/null 2>&1 && has_lib libnccl.so; then
		say "nccl: $cuda"
	elif so=$(find_wheel_lib libnccl.so.2) && [ -n "$so" ]; then
		cmake_args+=("-DNCCL_LIB=$so" "-DNCCL_INCLUDE=$(dirname "$(dirname "$so")")/include")
		say "nccl: $so (Python wheel)"
	else
		say "nccl: none found: the NCCL runners will be listed as not built"
	fi
	# CMake leaves the toolkit's lib64 out of the run path (an implicit link
	# directory of nvcc's) and the loader may not know it; the wheels'
	# libraries (cuBLAS's cublasLt, cuSOLVER's cusparse and nvJitLink, NCCL)
	# are found the same way, through LD_LIBRARY_PATH, as PyTorch finds them
	if [ -n "$wheels" ]; then
		for d in "$wheels"/*/lib; do extra_lib+=("$d"); done
	fi
fi

# ---- the environment ----------------------------------------------------------
join() { local IFS=:; echo "$*"; }
mkdir -p "$build"
cat >"$build/env.sh" <<ENV
# written by scripts/device-build.sh: the unpacked Debian packages in $P
export OPAL_PREFIX=$P/usr
export PATH=$P/usr/bin${cuda:+:$cuda/bin}:\$PATH
export LD_LIBRARY_PATH=$(join "$L/openblas-pthread" "$L/openmpi/lib" "$L" "$P/lib/x86_64-linux-gnu" "$P/usr/lib/libpsm1" ${extra_lib[@]+"${extra_lib[@]}"})\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}
export PKG_CONFIG_LIBDIR=$L/pkgconfig:$L/openblas-pthread/pkgconfig:$P/usr/share/pkgconfig
export PKG_CONFIG_SYSROOT_DIR=$P
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# one machine, no fabric: shared memory and TCP, and no warnings from UCX or libfabric
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader,tcp OMPI_MCA_mtl=^ofi OMPI_MCA_osc=^ucx
ENV
# mpirun insists on a remote-launch agent even for local ranks
if ! command -v ssh >/dev/null && ! command -v rsh >/dev/null; then
	echo "export OMPI_MCA_plm_rsh_agent=/bin/false" >>"$build/env.sh"
fi
# shellcheck disable=SC1091
. "$build/env.sh"
if [ ${#extra_inc[@]} -gt 0 ]; then
	cflags=""
	for d in "${extra_inc[@]}"; do cflags+=" -I$d"; done
	cmake_args+=("-DCMAKE_C_FLAGS=$cflags" "-DCMAKE_CUDA_FLAGS=$cflags")
fi
cmake_args+=("-DMPI_C_COMPILER=$P/usr/bin/mpicc.openmpi" "-DMPIEXEC_EXECUTABLE=$P/usr/bin/mpirun.openmpi"
	"-DPKG_CONFIG_EXECUTABLE=$P/usr/bin/pkgconf")

say "cmake ${cmake_args[*]}"
cmake -S . -B "$build" "${cmake_args[@]}" >"$build/configure.log" 2>&1 || { tail -30 "$build/configure.log"; die "cmake failed (log: $build/configure.log)"; }
cmake --build "$build" -j "$(nproc)" >"$build/build.log" 2>&1 || { grep -E "error|Error" "$build/build.log" | head -20; die "build failed (log: $build/build.log)"; }
say "built $build/anvil"; "$build/anvil" --version
