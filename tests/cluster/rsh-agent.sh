#!/bin/bash
# rsh-agent.sh — the "ssh" of the anvil multi-host test bed (see bed.sh).
#
#   rsh-agent.sh [ssh-style options] HOST-ADDRESS COMMAND...
#       What OpenMPI's plm_rsh calls.  Like ssh, the words of COMMAND are
#       joined with spaces and the result is run by `sh -c` on the "remote"
#       side, i.e. inside the host's network namespace.
#   rsh-agent.sh --exec HOST-ADDRESS ARGV...
#       Run ARGV as is (no shell re-parsing) on that host; used by
#       bed_host_exec.
#
# "Inside the host" means: in network namespace anvil-<id>-h<i>, in a new UTS
# namespace whose hostname is node<i>, in the host's CPU cgroup if it was
# marked slow (bed_slow_node), and in a new mount namespace with the host's
# bind mounts if it has any (bed_host_bind).
#
# The bed's state directory comes from $ANVIL_BED_STATE (exported by bed_up,
# inherited by mpirun and so by us); without it, the address is looked up in
# every bed's state directory ($BED_RUNDIR, /run/anvil-bed, $TMPDIR/anvil-bed).
set -u
me=rsh-agent

mode=shell
if [ "${1:-}" = "--exec" ]; then
  mode="exec"
  shift
fi
# Skip ssh-style options (OpenMPI may pass some, e.g. from plm_rsh_args).
while [ $# -gt 0 ]; do
  case "$1" in
    --) shift; break ;;
    -[bcDEeFIiJLlmOoPpQRSWw]) shift 2 ;;
    -*) shift ;;
    *) break ;;
  esac
done
if [ $# -lt 2 ]; then
  echo "$me: usage: rsh-agent.sh [--exec] HOST-ADDRESS COMMAND..." >&2
  exit 255
fi
addr=$1
shift

# Find the host: state file "hosts" has lines "INDEX ADDRESS NAMESPACE HOSTNAME".
find_host() { # $1 = state dir
  local idx a ns hn
  [ -r "$1/hosts" ] || return 1
  while read -r idx a ns hn; do
    if [ "$a" = "$addr" ] || [ "$hn" = "$addr" ] || [ "$ns" = "$addr" ]; then
      echo "$idx $ns $hn"
      return 0
    fi
  done <"$1/hosts"
  return 1
}
state=${ANVIL_BED_STATE:-}
found=
if [ -n "$state" ]; then
  found=$(find_host "$state") || found=
else
  for d in "${BED_RUNDIR:-/run/anvil-bed}"/* "${TMPDIR:-/tmp}"/anvil-bed/*; do
    if found=$(find_host "$d"); then state=$d; break; fi
  done
fi
if [ -z "$found" ]; then
  echo "$me: no test-bed host has address '$addr' (ANVIL_BED_STATE=${ANVIL_BED_STATE:-unset})" >&2
  exit 255
fi
read -r idx ns hn <<<"$found"
if [ "${BED_DEBUG:-0}" = 1 ]; then
  printf '%s pid=%s netns=%s %s -> %s: %s\n' "$(date +%T.%N)" "$$" \
    "$(ip netns identify $$ 2>/dev/null)" "$mode" "$hn" "$*" >>"$state/agent.log"
fi

# Slow node: move ourselves into the host's CPU cgroup before exec; every
# process started from here on (orted, the ranks) inherits it.
if [ -r "$state/slow.$idx" ]; then
  cg=$(cat "$state/slow.$idx")
  if ! echo $$ >"$cg/cgroup.procs"; then
    echo "$me: cannot join cgroup $cg for $hn" >&2
    exit 255
  fi
fi

# Inner script, run by sh inside the namespaces: $1 = hostname, $2 = bind
# file (or empty), then the command.  Binds are lines "SRC<TAB>DST".
inner='hn=$1; binds=$2; shift 2
hostname "$hn" || exit 255
if [ -n "$binds" ]; then
  while IFS="	" read -r src dst; do
    [ -n "$src" ] || continue
    mount --bind "$src" "$dst" || { echo "rsh-agent: bind $src -> $dst failed on $hn" >&2; exit 255; }
  done <"$binds"
fi'
binds=
unshare_opts=(--uts)
if [ -s "$state/bind.$idx" ]; then
  binds=$state/bind.$idx
  unshare_opts+=(--mount --propagation private)
fi

if [ "$mode" = exec ]; then
  exec ip netns exec "$ns" unshare "${unshare_opts[@]}" \
    /bin/sh -c "$inner"'
exec "$@"' sh "$hn" "$binds" "$@"
else
  # As ssh does: the remote side gets one string, interpreted by a shell.
  exec ip netns exec "$ns" unshare "${unshare_opts[@]}" \
    /bin/sh -c "$inner"'
exec /bin/sh -c "$1"' sh "$hn" "$binds" "$*"
fi
