#!/bin/bash
# test_bed_smoke.sh [ANVIL] — the multi-host test bed works: 3 hosts with
# their own hostnames, MPI over TCP across them, a slow link, a slow node, a
# per-host file view, and a clean teardown.  ANVIL (the anvil binary) is not
# used.  Exit 0 pass, 1 fail, 77 skip.  keep=1 leaves the bed up.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/bed.sh"

if ! why=$(bed_check); then echo "SKIP: $why"; exit 77; fi
command -v mpicc >/dev/null 2>&1 || { echo "SKIP: mpicc not found"; exit 77; }

fails=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
die()  { echo "FAIL: $*"; exit 1; }
# field NAME LINE: the value of NAME=... in a bed_probe output line
field() { local w; for w in $2; do case "$w" in "$1="*) echo "${w#*=}"; return ;; esac; done; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/anvil-bed-smoke.XXXXXX") || die "mktemp"
# bed_up adds bed_down in front of this; with keep=1 the bed still needs $tmp
trap '[ "${keep:-0}" = 1 ] && echo "keep=1: leaving $tmp" || rm -rf "$tmp"' EXIT
t_start=$SECONDS

echo "== build the probe program"
mpicc -O2 -o "$tmp/bed_probe" "$here/bed_probe.c" || die "mpicc bed_probe.c failed"
probe=$tmp/bed_probe

echo "== bring up 3 hosts"
bed_up 3 || die "bed_up 3 failed"
id=$BED_ID bridge=$BED_BRIDGE state=$BED_STATE
netns_inodes=$(for i in 1 2 3; do stat -L -c %i "/run/netns/anvil-$id-h$i" 2>/dev/null; done)

echo "== hostname on every host (bed_mpirun 3 hostname)"
out=$(bed_mpirun 3 hostname) || die "bed_mpirun 3 hostname failed: $out"
got=$(echo "$out" | sort | tr '\n' ' ')
if [ "$got" = "node1 node2 node3 " ]; then pass "hostnames: $got"; else fail "hostnames: expected 'node1 node2 node3', got '$got'"; fi

echo "== MPI_Allreduce across the hosts over TCP"
out=$(bed_mpirun 3 "$probe" hello) || fail "bed_probe hello failed"
echo "$out" | sed 's/^/   /'
hosts=$(echo "$out" | awk '/^hello/ {for (i = 1; i <= NF; i++) if ($i ~ /^host=/) print substr($i, 6)}' | sort | tr '\n' ' ')
if [ "$hosts" = "node1 node2 node3 " ] && echo "$out" | grep -q '^allreduce count=3 sum=3 ok'; then
  pass "allreduce across node1 node2 node3"
else
  fail "allreduce: hosts '$hosts'"
fi

echo "== slow link: node2 at 50mbit, 8 MiB from/to rank 0 on node1"
bed_degrade_link 2 50mbit || die "bed_degrade_link failed"
out=$(bed_mpirun 3 "$probe" bw $((8 << 20))) || fail "bed_probe bw failed"
echo "$out" | sed 's/^/   /'
t2=0 t3=0
while read -r line; do
  h=$(field host "$line") s=$(field seconds "$line")
  case "$h" in
    node2) t2=$(awk -v a="$t2" -v b="$s" 'BEGIN {print (b > a) ? b : a}') ;;
    node3) t3=$(awk -v a="$t3" -v b="$s" 'BEGIN {print (b > a) ? b : a}') ;;
  esac
done < <(echo "$out" | grep '^bw ')
# 8 MiB at 50 Mbit/s takes 1.34 s; unshaped, a veth does it in well under 0.3 s.
if awk -v a="$t2" -v b="$t3" 'BEGIN {exit !(a >= 1.0 && a >= 4 * b && b > 0)}'; then
  pass "slow link: node2 ${t2}s (slowest direction) vs node3 ${t3}s"
else
  fail "slow link: node2 ${t2}s vs node3 ${t3}s (want node2 >= 1 s and >= 4x node3)"
fi
bed_restore_link 2

echo "== slow node: node3 at 10% of a CPU, CPU loop on each host in turn"
bed_slow_node 3 10; rc=$?
if [ "$rc" = 77 ]; then
  echo "SKIP (part): no usable cpu cgroup controller here; slow-node check not run"
elif [ "$rc" != 0 ]; then
  fail "bed_slow_node failed"
else
  out=$(bed_mpirun 3 "$probe" spin 100000000) || fail "bed_probe spin failed"
  echo "$out" | sed 's/^/   /'
  s1=$(field seconds "$(echo "$out" | grep 'host=node1 ')")
  s3=$(field seconds "$(echo "$out" | grep 'host=node3 ')")
  if awk -v a="${s1:-0}" -v b="${s3:-0}" 'BEGIN {exit !(a > 0 && b >= 2 * a)}'; then
    pass "slow node: node3 ${s3}s vs node1 ${s1}s ($(awk -v a="$s1" -v b="$s3" 'BEGIN {printf "%.1f", b / a}')x)"
  else
    fail "slow node: node3 ${s3:-?}s vs node1 ${s1:-?}s (want >= 2x)"
  fi
  bed_slow_node 3 off
fi

echo "== file view: node2 sees a different /etc/os-release"
printf 'ID=anvil-fake\nVERSION_ID="0"\n' >"$tmp/os-release"
bed_host_bind 2 "$tmp/os-release" /etc/os-release || fail "bed_host_bind failed"
out=$(bed_mpirun 3 sh -c '. /etc/os-release; echo "$(hostname) $ID"' | sort | tr '\n' ' ')
real_id=$(. /etc/os-release; echo "$ID")
if [ "$out" = "node1 $real_id node2 anvil-fake node3 $real_id " ]; then
  pass "bind mount: $out"
else
  fail "bind mount: got '$out'"
fi
if [ "$(bed_host_exec 2 sh -c '. /etc/os-release; echo "$(hostname) $ID"')" = "node2 anvil-fake" ] &&
   [ "$(. /etc/os-release; echo "$ID")" = "$real_id" ]; then
  pass "bed_host_exec sees the bind; the root namespace does not"
else
  fail "bed_host_exec / bind mount leak"
fi

if [ "${keep:-0}" = 1 ]; then
  echo "keep=1: not checking the teardown"
else
  echo "== tear down"
  bed_down
  left=
  ip netns list | grep -q "^anvil-$id-h" && left="$left namespaces"
  ip link show "$bridge" >/dev/null 2>&1 && left="$left bridge"
  ip -o link show | grep -q ": anv$id-" && left="$left veths"
  [ -e "$state" ] && left="$left state-dir"
  ls -d /sys/fs/cgroup/*/"anvil-$id-"* /sys/fs/cgroup/"anvil-$id-"* >/dev/null 2>&1 && left="$left cgroups"
  # any process still in one of our network namespaces?
  for ino in $netns_inodes; do
    for p in /proc/[0-9]*; do
      [ "$(stat -L -c %i "$p/ns/net" 2>/dev/null)" = "$ino" ] && left="$left process:${p#/proc/}"
    done
  done
  if [ -z "$left" ]; then pass "teardown: nothing left"; else fail "teardown left:$left"; fi
fi

echo "== $((SECONDS - t_start)) s, $fails failure(s)"
[ "$fails" = 0 ]
