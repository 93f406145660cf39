#!/usr/bin/env bash
# device-kit.sh [DIR] — here, on a Debian 12 machine with apt: downloads into
# DIR (default .devkit) the Debian packages anvil needs to build and run on a
# GPU machine that has CUDA, a compiler and CMake but no package registry and
# none of anvil's own libraries (Open MPI, OpenBLAS, LAPACKE, cJSON, hwloc,
# pkg-config). scripts/device-build.sh unpacks them there, without dpkg's
# database, into a prefix of their own. Nothing is installed here.
#
# The list is the runtime closure of those libraries minus what a CUDA image
# already has (libc, libstdc++, libgcc, zlib, libudev, libgomp with gcc); it
# was checked by building and running anvil in a Debian 12 minbase chroot that
# had only gcc, cmake, make and python3.
set -euo pipefail
dir=${1:-.devkit}

pkgs=(
	# Open MPI 4.1 and what libmpi and mpirun load
	libopenmpi3 libopenmpi-dev openmpi-bin openmpi-common libpmix2 libhwloc15
	libevent-core-2.1-7 libevent-pthreads-2.1-7 libfabric1 libucx0 libibverbs1
	librdmacm1 libpsm-infinipath1 libpsm2-2 libnl-3-200 libnl-route-3-200
	libmunge2 libnuma1 libatomic1
	# hwloc's headers and pkg-config file
	libhwloc-dev
	# OpenBLAS (its pthread build also provides libblas.so.3 and liblapack.so.3)
	libopenblas0-pthread libopenblas-pthread-dev libgfortran5 libquadmath0
	# LAPACKE
	liblapacke liblapacke-dev libtmglib3
	# cJSON
	libcjson1 libcjson-dev
	# the unit tests' framework (the GPU tests are CTest tests beside them)
	libcmocka0 libcmocka-dev
	# pkg-config itself
	pkgconf pkgconf-bin libpkgconf3
)

mkdir -p "$dir"
rm -f "$dir"/*.deb
(cd "$dir" && apt-get download -q "${pkgs[@]}" >/dev/null) || {
	echo "device-kit: apt-get download failed (run apt-get update first?)" >&2
	exit 1
}
n=$(ls "$dir"/*.deb | wc -l)
echo "device-kit: $n packages, $(du -sh "$dir" | cut -f1), in $dir"
