#!/usr/bin/env bash
# `make run`: the default local acceptance suite (profile quick) on this
# machine, with one MPI rank per core (at most 2 here), so the MPI tests run too.
set -uo pipefail
anvil=${1:?usage: run-local.sh path/to/anvil}
ranks=${ANVIL_RANKS:-2}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
exec mpirun --oversubscribe --bind-to none -np "$ranks" "$anvil" run ${ANVIL_ARGS:-}
