#!/usr/bin/env bash
# Installs the Debian packages anvil needs that are missing. As root it runs
# apt-get; otherwise it prints the exact apt-get line and stops.
set -euo pipefail

# build and required libraries
pkgs=(build-essential cmake pkg-config libopenmpi-dev openmpi-bin libcjson-dev
      libopenblas-dev liblapacke-dev libhwloc-dev libcmocka-dev)
# optional parts compiled in when present, and the anchors and tools the tests use
pkgs+=(libscalapack-openmpi-dev libibverbs-dev rdma-core fio hpcc perftest
       iproute2 libxml2-utils util-linux jq chromium valgrind)
# `scripts/install-deps.sh fuzz` (make fuzz): clang with libFuzzer and its OpenMP
if [ "${1:-}" = fuzz ]; then
	pkgs+=(clang libclang-rt-dev libomp-dev)
fi

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: every package is installed"
	exit 0
fi

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing Debian packages; as root, run:" >&2
	echo "  apt-get update && $line" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
$line
