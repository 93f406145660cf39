#!/usr/bin/env bash
# common/hostlist.c against Slurm's own library, where libslurm-dev is
# installed: 6000 random well-formed expressions (padding, several ranges,
# two bracket groups, duplicates, names without numbers, all-digit names)
# must expand to the same names in the same order and compress to the same
# text. Not compared: a suffix after the last group ("n[1-2]-ib", refused by
# Slurm 22.05, accepted by later Slurm and by anvil) and malformed input
# (anvil refuses what Slurm passes through as odd names).
. "$(dirname "$0")/../lib.sh"
[ -r /usr/include/slurm/slurm.h ] || { echo "SKIP: libslurm-dev is not installed (no slurm/slurm.h)"; exit 77; }
command -v cc >/dev/null || { echo "SKIP: no C compiler"; exit 77; }
cc -O1 -DWITH_SLURM "$src/tests/cli/hostlist_oracle.c" -o "$work/slurm" -lslurm 2>"$work/cc1" ||
	{ echo "SKIP: cannot link against libslurm:"; cat "$work/cc1"; exit 77; }
cc -O1 -D_GNU_SOURCE -I"$src" "$src/tests/cli/hostlist_oracle.c" "$src/common/hostlist.c" "$src/common/strbuf.c" "$src/common/fmt.c" \
	-o "$work/anvil" -lm 2>"$work/cc2" || { bad "build of the anvil side failed"; cat "$work/cc2"; finish; }
python3 - "$work/in" <<'PY'
import random, sys
random.seed(20261121)
pre = ["n", "gpu", "rack1-n", "x-", "", "login", "node", "a", "c1n", "r10n", "r2n"]
def num():
    w = random.choice([1, 1, 2, 3, 4]); v = random.randint(0, 130)
    return "%0*d" % (w, v), v
def rng():
    s, v = num()
    if random.random() < 0.4:
        s2, v2 = num()
        if v2 < v: v, v2, s, s2 = v2, v, s2, s
        return "%s-%d" % (s, v2) if random.random() < 0.5 else "%s-%s" % (s, s2)
    return s
def name():
    r = random.random(); p = random.choice(pre)
    if r < 0.3: return p + num()[0]
    if r < 0.4: return random.choice(["login", "mgmt", "ab", "x"])
    out = p + "[" + ",".join(rng() for _ in range(random.randint(1, 4))) + "]"
    if random.random() < 0.15:
        out = random.choice(["r", "rack"]) + "[" + ",".join(rng() for _ in range(random.randint(1, 2))) + "]-" + out
    return out
with open(sys.argv[1], "w") as f:
    for _ in range(6000):
        f.write(",".join(name() for _ in range(random.randint(1, 6))) + "\n")
PY
"$work/slurm" <"$work/in" >"$work/slurm.out"
"$work/anvil" <"$work/in" >"$work/anvil.out"
n=$(wc -l <"$work/in")
if cmp -s "$work/slurm.out" "$work/anvil.out"; then
	ok "$n expressions: the same expansion and compressed form as libslurm"
else
	bad "anvil and libslurm differ:"
	diff "$work/slurm.out" "$work/anvil.out" | head -10 | cut -c1-300
fi
# the examples of Slurm's documentation, through both
printf '%s\n' 'tux[0-5,12,20-25]' 'linux[0000-1023]' 'node0,node3,node4,node8,linux,linux2,linux5,node4' \
	'gpu[01-04,07],cpu-a1' 'rack[1-2]-n[01-04]' 'n9,n10' 'n1,n01' 'n007,n8,n9' >"$work/doc"
"$work/slurm" <"$work/doc" >"$work/slurm.doc"; "$work/anvil" <"$work/doc" >"$work/anvil.doc"
cmp -s "$work/slurm.doc" "$work/anvil.doc" && ok "documentation examples agree" || { bad "documentation examples differ"; diff "$work/slurm.doc" "$work/anvil.doc" | cut -c1-200 | head; }
finish
