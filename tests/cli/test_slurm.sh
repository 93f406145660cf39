#!/usr/bin/env bash
# anvil slurm: the sbatch script for the example cluster config (golden
# text), valid bash, and an srun line that reaches anvil with the right
# arguments (run against a stand-in srun); -N, a config without GPUs or
# nodes, unsafe -o refused.
. "$(dirname "$0")/../lib.sh"
anvil=$1
cfg=$src/configs/examples/cluster.json prof=$src/tests/data/slurm.json
version=$("$anvil" --version | sed -n '1s/^anvil \([^ ]*\).*/\1/p')
expect_exit 0 "slurm for the example config" -- "$anvil" slurm -c "$cfg" -p "$prof"
sed -e "s|$(cd "$(dirname "$anvil")" && pwd)/$(basename "$anvil")|@ANVIL@|" -e "s|$(realpath "$cfg")|@CLUSTER@|" \
	-e "s|$(realpath "$prof")|@PROFILE@|" -e "s|^# anvil $version: |# anvil @VERSION@: |" "$work/out" >"$work/script"
if diff -u "$src/tests/data/slurm-example.sbatch" "$work/script" >"$work/diff"; then
	ok "the script is the golden text (tests/data/slurm-example.sbatch)"
else
	bad "the script differs from the golden text:"; cat "$work/diff"
fi
cp "$work/out" "$work/job.sh"
bash -n "$work/job.sh" && ok "the script is valid bash" || bad "bash -n refused the script"
# a stand-in srun: the script's srun line, run as sbatch would run it
mkdir -p "$work/bin" "$work/sub"
printf '#!/bin/sh\nfor a in "$@"; do printf "%%s\\n" "$a"; done >"%s"\n' "$work/srun.args" >"$work/bin/srun"
chmod +x "$work/bin/srun"
(cd "$work/sub" && SLURM_JOB_ID=4242 PATH="$work/bin:$PATH" bash "$work/job.sh") && ok "the script runs (stand-in srun)" || bad "the script failed"
want=$(printf '%s\n' --mpi=pmix "$(cd "$(dirname "$anvil")" && pwd)/$(basename "$anvil")" run -c "$(realpath "$cfg")" -p "$(realpath "$prof")" -o anvil-runs/4242)
[ "$(cat "$work/srun.args")" = "$want" ] && ok "srun gets: --mpi=pmix anvil run -c CFG -p PROFILE -o anvil-runs/<job id>" || { bad "srun arguments:"; cat "$work/srun.args"; }
# -N: N nodes of the partition, no node list; --set passed on, quoted
expect_exit 0 "-N 4 --set with a space" -- "$anvil" slurm -c "$cfg" -p "$prof" -N 4 --set 'null.unit=a b' -o '/shared/r-%j'
expect_text "$work/out" "#SBATCH --nodes=4" "-N sets --nodes"
grep -q -- "--nodelist" "$work/out" && bad "-N still names the node list" || ok "-N drops --nodelist"
expect_text "$work/out" "--set 'null.unit=a b' -o \"/shared/r-\${SLURM_JOB_ID}\"" "--set quoted, %j is the job id"
# no GPUs: one task per node, no gres; no nodes and no -N: refused
printf '{"schema": "anvil-cluster/1", "name": "cpu", "nodes": "cn[001-100]"}\n' >"$work/cpu.json"
expect_exit 0 "a CPU partition" -- "$anvil" slurm -c "$work/cpu.json" -p "$prof"
expect_text "$work/out" "#SBATCH --ntasks-per-node=1" "one task per node without GPUs"
expect_text "$work/out" "#SBATCH --nodes=100" "100 nodes from cn[001-100]"
grep -q -- "--gres" "$work/out" && bad "--gres without GPUs" || ok "no --gres without GPUs"
printf '{"schema": "anvil-cluster/1"}\n' >"$work/none.json"
expect_exit 2 "no nodes, no -N" -- "$anvil" slurm -c "$work/none.json" -p "$prof"
expect_text "$work/err" 'has no "nodes" (a hostlist, e.g. "gpu[01-16]") and no -N was given' "says how to name the nodes"
expect_exit 2 "no -c" -- "$anvil" slurm -p "$prof"
expect_exit 2 "-o with a shell character" -- "$anvil" slurm -c "$cfg" -p "$prof" -o 'runs/$(id)'
expect_exit 0 "slurm --help" -- "$anvil" slurm --help
expect_text "$work/out" "usage: anvil slurm" "slurm --help shows its usage"
finish
