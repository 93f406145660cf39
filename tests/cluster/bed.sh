# bed.sh — the anvil multi-host test bed: K "hosts" on one machine, each a
# network namespace with its own hostname, joined by a Linux bridge, and an
# rsh agent (rsh-agent.sh) so that mpirun launches across them as over ssh.
# See README.md.  Needs root, ip (iproute2), unshare, mpirun.
#
# Source it from a test script (bash):
#
#   . "$(dirname "$0")/bed.sh"
#   why=$(bed_check) || { echo "SKIP: $why"; exit 77; }
#   bed_up 3                   # node1..node3; adds bed_down to the EXIT trap
#   bed_mpirun 3 hostname      # one rank per host
#   bed_host_exec 2 ip addr    # a command on host 2
#   bed_degrade_link 2 50mbit  # host 2's link at 50 Mbit/s, both directions
#   bed_restore_link 2
#   bed_slow_node 3 25         # launches on host 3 get 25% of one CPU ("off" to undo)
#   bed_host_bind 2 /tmp/os-release /etc/os-release   # host 2 sees another file
#   bed_down                   # also done by the trap; idempotent
#
# Functions return 0 on success, 2 on bad usage, 1 on failure; bed_check and
# bed_slow_node return 77 when the machine cannot do it (skip).
#
# As a command: `bash bed.sh up K` (leaves a bed up, prints its id),
# `bash bed.sh exec ID I CMD...`, `bash bed.sh mpirun ID NP ARGS...`,
# `bash bed.sh down ID`, `bash bed.sh gc` (removes beds whose shell is gone).
#
# Variables read:  BED_SLOTS (slots per host in the hostfile, default 1),
# BED_ID (id; default the shell's PID), BED_NO_TRAP=1 (do not touch traps:
# the caller calls bed_down), keep=1 (bed_down leaves the bed up, for
# debugging), BED_VERBOSE=1 (print the mpirun command), BED_DEBUG=1 (the rsh
# agent logs every launch to $BED_STATE/agent.log), BED_MPIRUN (mpirun
# binary), BED_BTL (default tcp,self), BED_TBF_BURST, BED_TBF_LATENCY,
# BED_RUNDIR (where beds keep state; default /run/anvil-bed).
# Variables set:   BED_ID, BED_K, BED_STATE (also exported as
# ANVIL_BED_STATE, which the rsh agent reads), BED_NET (e.g. 10.213.7),
# BED_SUBNET (10.213.7.0/24), BED_BRIDGE, BED_ADDRS (array, index 1..K),
# BED_HOSTFILE, BED_AGENT.

BED_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BED_AGENT=$BED_DIR/rsh-agent.sh
# Where beds keep their state (one directory per bed, named by its id); the
# rsh agent looks here too.
if [ -z "${BED_RUNDIR:-}" ]; then
  if [ -d /run ] && [ -w /run ]; then BED_RUNDIR=/run/anvil-bed; else BED_RUNDIR=${TMPDIR:-/tmp}/anvil-bed; fi
fi
export BED_RUNDIR
BED_PREFIX=10.213
BED_MPIRUN_PIDS=()

bed_log() { echo "bed: $*" >&2; }
bed_err() { echo "bed: error: $*" >&2; }

# ---------------------------------------------------------------- checks
# bed_check: 0 if the bed can run here; otherwise prints why and returns 77.
bed_check() {
  local t
  if [ "$(id -u)" != 0 ]; then echo "bed: needs root (network namespaces, bridges, cgroups)"; return 77; fi
  for t in ip unshare mpirun hostname mount flock timeout; do
    command -v "$t" >/dev/null 2>&1 || { echo "bed: '$t' not found"; return 77; }
  done
  t=anvil-probe-$$
  if ! ip netns add "$t" 2>/dev/null; then echo "bed: 'ip netns add' does not work here"; return 77; fi
  ip netns del "$t" 2>/dev/null
  if ! unshare --uts true 2>/dev/null; then echo "bed: 'unshare --uts' does not work here"; return 77; fi
  return 0
}

# ---------------------------------------------------------------- state
bed__load() { # $1 = state dir
  local k v
  BED_STATE=$1
  [ -r "$BED_STATE/env" ] || { bed_err "no bed state in $BED_STATE"; return 1; }
  while IFS='=' read -r k v; do
    case "$k" in BED_ID|BED_K|BED_NET|BED_SUBNET|BED_BRIDGE|BED_HOSTFILE) printf -v "$k" '%s' "$v" ;; esac
  done <"$BED_STATE/env"
  BED_ADDRS=()
  local i a
  while read -r i a _; do BED_ADDRS[i]=$a; done <"$BED_STATE/hosts"
  export ANVIL_BED_STATE=$BED_STATE
}

# bed_attach ID: use a bed that is already up (made by `bed.sh up`).
bed_attach() {
  [ -n "${1:-}" ] || { bed_err "usage: bed_attach ID"; return 2; }
  bed__load "$BED_RUNDIR/$1"
}

bed__ns()   { echo "anvil-$BED_ID-h$1"; }
bed__veth() { echo "anv$BED_ID-$1"; }  # root-side end; <= 15 chars for ids of up to 9 chars and K < 100

bed__host_ok() {
  if [ -z "${BED_STATE:-}" ] || [ ! -d "$BED_STATE" ]; then bed_err "no bed is up (call bed_up first)"; return 1; fi
  case "$1" in ''|*[!0-9]*) bed_err "host index '$1' is not a number"; return 1 ;; esac
  if [ "$1" -lt 1 ] || [ "$1" -gt "$BED_K" ]; then bed_err "host index $1 out of range 1..$BED_K"; return 1; fi
}

# ---------------------------------------------------------------- up
# bed_up K: make K hosts.  Returns non-zero (and tears down) on failure.
bed_up() {
  local k=${1:-}
  case "$k" in ''|*[!0-9]*) bed_err "usage: bed_up K"; return 2 ;; esac
  if [ "$k" -lt 1 ] || [ "$k" -gt 99 ]; then bed_err "bed_up: K must be 1..99"; return 2; fi
  if [ -n "${BED_STATE:-}" ] && [ -d "$BED_STATE" ]; then bed_err "a bed is already up ($BED_STATE); bed_down first"; return 1; fi
  bed_check >&2 || return 1
  local tmp=$BED_RUNDIR
  case "${BED_SLOTS:-1}" in ''|0|*[!0-9]*) bed_err "BED_SLOTS must be a positive number"; return 2 ;; esac
  mkdir -p "$tmp" || { bed_err "cannot create $tmp"; return 1; }
  bed_gc

  # A unique id (the PID of this shell, with a suffix if taken) and a free /24.
  local base=${BED_ID:-${BASHPID:-$$}} id sfx n="" used
  exec {BED_LOCKFD}>"$tmp/.lock"
  flock "$BED_LOCKFD"
  for sfx in '' a b c d e f g h i j; do
    id=$base$sfx
    [ -e "$tmp/$id" ] || ip link show "anvb$id" >/dev/null 2>&1 || break
    id=
  done
  if [ -z "$id" ]; then flock -u "$BED_LOCKFD"; exec {BED_LOCKFD}>&-; bed_err "no free bed id from $base"; return 1; fi
  used=$(ip -o -4 addr show 2>/dev/null; cat "$tmp"/*/env 2>/dev/null) || true
  local try start=$(( (base % 250) + 1 ))
  for try in $(seq 0 249); do
    n=$(( (start + try - 1) % 250 + 1 ))
    case "$used" in *"$BED_PREFIX.$n."*) n= ;; *) break ;; esac
  done
  if [ -z "$n" ]; then flock -u "$BED_LOCKFD"; exec {BED_LOCKFD}>&-; bed_err "no free $BED_PREFIX.N.0/24 subnet"; return 1; fi
  BED_ID=$id BED_K=$k BED_NET=$BED_PREFIX.$n BED_SUBNET=$BED_PREFIX.$n.0/24 BED_BRIDGE=anvb$id
  BED_STATE=$tmp/$id
  BED_HOSTFILE=$BED_STATE/hostfile
  mkdir -p "$BED_STATE"
  {
    echo "BED_ID=$BED_ID"; echo "BED_K=$BED_K"; echo "BED_NET=$BED_NET"; echo "BED_SUBNET=$BED_SUBNET"
    echo "BED_BRIDGE=$BED_BRIDGE"; echo "BED_HOSTFILE=$BED_HOSTFILE"; echo "BED_OWNER=${BASHPID:-$$}"
  } >"$BED_STATE/env"
  export ANVIL_BED_STATE=$BED_STATE
  if [ "${BED_NO_TRAP:-0}" != 1 ]; then
    # Keep whatever EXIT trap the caller had, after ours; INT and TERM exit,
    # which runs the EXIT trap.
    local old
    eval "set -- $(trap -p EXIT)"
    old=${3:-}
    case "$old" in *bed_down*) old= ;; esac
    # shellcheck disable=SC2064  # the old trap is meant to be expanded now
    trap "bed_down${old:+; $old}" EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
  fi

  bed_log "up: $k hosts, id $BED_ID, subnet $BED_SUBNET, bridge $BED_BRIDGE, state $BED_STATE"
  if ! bed__make; then
    flock -u "$BED_LOCKFD"; exec {BED_LOCKFD}>&-
    bed_err "bed_up failed; tearing down"
    bed__teardown
    return 1
  fi
  flock -u "$BED_LOCKFD"; exec {BED_LOCKFD}>&-
  if ! bed__probe; then
    bed__teardown
    return 1
  fi
  return 0
}

bed__make() {
  local i ns veth a
  ip link add "$BED_BRIDGE" type bridge || return 1
  ip addr add "$BED_NET.1/24" dev "$BED_BRIDGE" || return 1
  ip link set "$BED_BRIDGE" up || return 1
  : >"$BED_STATE/hosts"; : >"$BED_HOSTFILE"
  BED_ADDRS=()
  for i in $(seq 1 "$BED_K"); do
    ns=$(bed__ns "$i") veth=$(bed__veth "$i") a=$BED_NET.$((10 + i))
    ip netns add "$ns" || return 1
    echo "$i $a $ns node$i" >>"$BED_STATE/hosts"
    ip link add "$veth" type veth peer name eth0 netns "$ns" || return 1
    ip link set "$veth" master "$BED_BRIDGE" up || return 1
    ip -n "$ns" link set lo up || return 1
    ip -n "$ns" addr add "$a/24" dev eth0 || return 1
    ip -n "$ns" link set eth0 up || return 1
    echo "$a slots=${BED_SLOTS:-1}" >>"$BED_HOSTFILE"
    BED_ADDRS[i]=$a
  done
}

# Check reachability the cheap way: a TCP connect to a closed port is
# refused at once when the path works and times out when something drops it.
bed__probe() {
  local i out
  for i in $(seq 1 "$BED_K"); do
    out=$(timeout 3 bash -c "exec 3<>/dev/tcp/${BED_ADDRS[i]}/9" 2>&1)
    case "$out" in *refused*) ;; *)
      bed_err "host $i (${BED_ADDRS[i]}) not reachable from the root namespace: ${out:-timeout}"
      return 1 ;;
    esac
  done
  if [ "$BED_K" -ge 2 ]; then
    out=$(ip netns exec "$(bed__ns 1)" timeout 3 bash -c "exec 3<>/dev/tcp/${BED_ADDRS[2]}/9" 2>&1)
    case "$out" in *refused*) ;; *)
      bed_err "host 1 cannot reach host 2 across bridge $BED_BRIDGE: ${out:-timeout}"
      bed_err "(bridged traffic filtered? see net.bridge.bridge-nf-call-iptables and the FORWARD chain)"
      return 1 ;;
    esac
  fi
}

# ---------------------------------------------------------------- down
# bed_down: remove everything bed_up made; idempotent; honours keep=1.
bed_down() {
  [ -n "${BED_STATE:-}" ] || return 0
  if [ "${keep:-0}" = 1 ]; then
    if [ -d "$BED_STATE" ] && [ ! -e "$BED_STATE/kept" ]; then
      touch "$BED_STATE/kept"
      bed_log "keep=1: leaving bed $BED_ID up. Use it with:"
      bed_log "  bash $BED_DIR/bed.sh exec $BED_ID 1 hostname"
      bed_log "  bash $BED_DIR/bed.sh mpirun $BED_ID $BED_K hostname"
      bed_log "  bash $BED_DIR/bed.sh down $BED_ID"
    fi
    return 0
  fi
  bed__teardown
}

bed__teardown() {
  local st=${BED_STATE:-} i ns pids p cg try
  [ -n "$st" ] || return 0
  # mpiruns we started and are still running (those of a killed shell too:
  # recorded in the state dir, and checked to be ours by their hostfile)
  for p in "$st"/mpirun.*; do
    p=${p##*/mpirun.}
    case "$p" in ''|*[!0-9]*) continue ;; esac
    if tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF -- "--hostfile $st/hostfile"; then
      BED_MPIRUN_PIDS+=("$p")
    fi
  done
  for p in "${BED_MPIRUN_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  # Every process inside our namespaces was started by us (agent, orted, ranks).
  for ns in $(ip netns list 2>/dev/null | awk -v p="anvil-$BED_ID-h" 'index($1, p) == 1 {print $1}'); do
    pids=$(ip netns pids "$ns" 2>/dev/null)
    [ -n "$pids" ] && kill -KILL $pids 2>/dev/null
  done
  for p in "${BED_MPIRUN_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  BED_MPIRUN_PIDS=()
  for ns in $(ip netns list 2>/dev/null | awk -v p="anvil-$BED_ID-h" 'index($1, p) == 1 {print $1}'); do
    for try in 1 2 3 4 5 6 7 8 9 10; do
      [ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break
      sleep 0.1
    done
    ip netns del "$ns" 2>/dev/null || bed_err "could not delete namespace $ns"
  done
  # veths die with their namespace; remove any root-side end left, and the bridge
  for p in $(ip -o link show 2>/dev/null | awk -F': ' -v p="anv$BED_ID-" '{sub(/@.*/, "", $2)} index($2, p) == 1 {print $2}'); do
    ip link del "$p" 2>/dev/null
  done
  if ip link show "anvb$BED_ID" >/dev/null 2>&1; then
    ip link del "anvb$BED_ID" || bed_err "could not delete bridge anvb$BED_ID"
  fi
  # cgroups
  [ -r "$st/cgroups" ] && for cg in $(cat "$st/cgroups"); do
    for try in 1 2 3 4 5 6 7 8 9 10; do
      [ -d "$cg" ] || break
      rmdir "$cg" 2>/dev/null && break
      for p in $(cat "$cg/cgroup.procs" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
      sleep 0.1
    done
    [ -d "$cg" ] && bed_err "could not remove cgroup $cg"
  done
  rm -rf "$st"
  [ -n "${BED_STATE:-}" ] && [ "$st" = "$BED_STATE" ] && bed_log "down: bed $BED_ID removed"
  BED_STATE=
  unset ANVIL_BED_STATE
}

# bed_gc: remove beds whose owning shell is gone (left by a killed run),
# except those kept with keep=1.
bed_gc() {
  local d owner id
  for d in "$BED_RUNDIR"/*; do
    [ -r "$d/env" ] || continue
    [ -e "$d/kept" ] && continue
    owner=$(sed -n 's/^BED_OWNER=//p' "$d/env")
    if [ -n "$owner" ] && [ -d "/proc/$owner" ]; then continue; fi
    id=$(sed -n 's/^BED_ID=//p' "$d/env")
    [ -n "$id" ] || continue
    bed_log "gc: removing stale bed $id (owner $owner gone)"
    ( BED_MPIRUN_PIDS=(); BED_ID=$id; BED_STATE=$d; bed__teardown )
  done
}

# ---------------------------------------------------------------- run
# bed_mpirun NP [mpirun args...] PROGRAM [program args...]
# Runs mpirun from the root namespace across the bed; returns mpirun's status.
# One rank per host round-robin (--map-by node) unless the args choose a
# mapping themselves.
bed_mpirun() {
  local np=${1:-}
  case "$np" in ''|*[!0-9]*) bed_err "usage: bed_mpirun NP [args...]"; return 2 ;; esac
  shift
  [ -n "${BED_STATE:-}" ] && [ -d "$BED_STATE" ] || { bed_err "no bed is up"; return 1; }
  local a map=(--map-by node)
  for a in "$@"; do
    case "$a" in --map-by|-map-by|--npernode|-npernode|--ppr|-ppr|--host|-host|-H) map=() ;; esac
  done
  local cmd=("${BED_MPIRUN:-mpirun}" -np "$np"
    --hostfile "$BED_HOSTFILE"
    "${map[@]}" --bind-to none --oversubscribe
    --mca plm rsh
    --mca plm_rsh_agent "$BED_AGENT"
    --mca plm_rsh_no_tree_spawn 1
    --mca routed direct
    --mca oob tcp
    --mca oob_tcp_if_include "$BED_SUBNET"
    --mca pml ob1
    --mca btl "${BED_BTL:-tcp,self}"
    --mca btl_tcp_if_include "$BED_SUBNET"
    -x PATH ${LD_LIBRARY_PATH:+-x LD_LIBRARY_PATH}
    "$@")
  [ "${BED_VERBOSE:-0}" = 1 ] && bed_log "run: ${cmd[*]}"
  # Without the resource manager's variables: inside a Slurm (or SGE, PBS,
  # LSF) job, mpirun would take its allocation and refuse the bed's hosts.
  local unset_rm=() v
  for v in $(compgen -e); do
    case "$v" in SLURM_*|PBS_*|LSB_*|LSF_*|PE_HOSTFILE|SGE_*|JOB_ID) unset_rm+=(-u "$v") ;; esac
  done
  # In the background + wait, so that an INT/TERM trap runs at once and
  # bed_down can stop it.
  env "${unset_rm[@]}" OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "${cmd[@]}" </dev/null &
  local pid=$! rc=0
  BED_MPIRUN_PIDS+=("$pid")
  echo "$pid" >"$BED_STATE/mpirun.$pid"   # for bed_gc, should this shell be killed
  wait "$pid" || rc=$?
  local keep_pids=() p
  for p in "${BED_MPIRUN_PIDS[@]}"; do [ "$p" = "$pid" ] || keep_pids+=("$p"); done
  BED_MPIRUN_PIDS=("${keep_pids[@]}")
  rm -f "$BED_STATE/mpirun.$pid"
  return "$rc"
}

# bed_host_exec I CMD [ARGS...]: run CMD on host I (its namespace, hostname,
# cgroup and bind mounts), from the root namespace; returns CMD's status.
bed_host_exec() {
  bed__host_ok "${1:-}" || return 2
  local i=$1; shift
  [ $# -gt 0 ] || { bed_err "usage: bed_host_exec I CMD [ARGS...]"; return 2; }
  "$BED_AGENT" --exec "${BED_ADDRS[i]}" "$@"
}

# ---------------------------------------------------------------- faults
# bed_degrade_link I RATE: limit host I's link to RATE (tc units: 50mbit,
# 1gbit, 500kbit) in both directions: egress of eth0 inside the namespace
# (host -> bridge) and egress of the bridge-side veth (bridge -> host).
# BED_TBF_BURST (default 64kb) and BED_TBF_LATENCY (default 100ms) tune tbf.
bed_degrade_link() {
  bed__host_ok "${1:-}" || return 2
  local i=$1 rate=${2:-}
  [ -n "$rate" ] || { bed_err "usage: bed_degrade_link I RATE"; return 2; }
  local tbf=(tbf rate "$rate" burst "${BED_TBF_BURST:-64kb}" latency "${BED_TBF_LATENCY:-100ms}")
  tc qdisc replace dev "$(bed__veth "$i")" root "${tbf[@]}" || { bed_err "tc tbf failed on $(bed__veth "$i")"; return 1; }
  ip netns exec "$(bed__ns "$i")" tc qdisc replace dev eth0 root "${tbf[@]}" || { bed_err "tc tbf failed on eth0 of node$i"; return 1; }
  bed_log "link of node$i limited to $rate both ways (tbf)"
}

# bed_restore_link I: remove the limit.
bed_restore_link() {
  bed__host_ok "${1:-}" || return 2
  tc qdisc del dev "$(bed__veth "$1")" root 2>/dev/null
  ip netns exec "$(bed__ns "$1")" tc qdisc del dev eth0 root 2>/dev/null
  bed_log "link of node$1 restored"
  return 0
}

# Where cpu cgroups can be made: prints "v1 DIR" or "v2 DIR", or fails.
bed__cg_root() {
  local d
  for d in /sys/fs/cgroup/cpu /sys/fs/cgroup/cpu,cpuacct /sys/fs/cgroup/cpuacct,cpu; do
    if [ -e "$d/cpu.cfs_quota_us" ]; then echo "v1 $d"; return 0; fi
  done
  # cgroup v2: the unified mount (pure v2 at /sys/fs/cgroup, or hybrid)
  d=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
  if [ -n "$d" ] && [ -r "$d/cgroup.controllers" ]; then
    case " $(cat "$d/cgroup.controllers") " in *" cpu "*) echo "v2 $d"; return 0 ;; esac
  fi
  return 1
}

# bed_slow_node I PERCENT: processes launched on host I from now on (by
# bed_mpirun or bed_host_exec) run with a CPU quota of PERCENT% of one CPU
# (cgroup v1 cfs quota, or cgroup v2 cpu.max).  PERCENT "off" undoes it.
# Returns 77 if no cpu cgroup controller can be used here.
bed_slow_node() {
  bed__host_ok "${1:-}" || return 2
  local i=$1 pct=${2:-} root kind dir cg period=100000
  case "$pct" in
    off) rm -f "$BED_STATE/slow.$i"; bed_log "node$i: CPU quota off"; return 0 ;;
    ''|*[!0-9]*|0) bed_err "usage: bed_slow_node I PERCENT (1..)"; return 2 ;;
  esac
  if ! root=$(bed__cg_root); then
    bed_err "no cpu cgroup controller (v1 cpu or v2 cpu) available"
    return 77
  fi
  read -r kind dir <<<"$root"
  cg=$dir/anvil-$BED_ID-h$i
  if [ "$kind" = v2 ]; then
    case " $(cat "$dir/cgroup.subtree_control") " in *" cpu "*) ;; *)
      if ! echo +cpu >"$dir/cgroup.subtree_control" 2>/dev/null; then
        bed_err "cgroup v2: cannot enable the cpu controller in $dir/cgroup.subtree_control"
        return 77
      fi ;;
    esac
  fi
  # record it first so that bed_down removes it whatever happens next
  echo "$cg" >>"$BED_STATE/cgroups"
  mkdir -p "$cg" || { bed_err "cannot create cgroup $cg"; return 77; }
  if [ "$kind" = v1 ]; then
    echo "$period" >"$cg/cpu.cfs_period_us" && echo $((period * pct / 100)) >"$cg/cpu.cfs_quota_us"
  else
    echo "$((period * pct / 100)) $period" >"$cg/cpu.max"
  fi || { bed_err "cannot set the CPU quota in $cg"; return 1; }
  echo "$cg" >"$BED_STATE/slow.$i"   # the rsh agent puts launches on host I in it
  bed_log "node$i: CPU quota $pct% of one CPU (cgroup $kind, $cg)"
}

# bed_host_bind I SRC DST: processes launched on host I from now on see SRC
# bind-mounted over DST (in their own mount namespace; DST must exist).
bed_host_bind() {
  bed__host_ok "${1:-}" || return 2
  local i=$1 src=${2:-} dst=${3:-}
  [ -n "$src" ] && [ -n "$dst" ] || { bed_err "usage: bed_host_bind I SRC DST"; return 2; }
  [ -e "$src" ] || { bed_err "bed_host_bind: $src does not exist"; return 2; }
  [ -e "$dst" ] || { bed_err "bed_host_bind: $dst does not exist (bind mounts need a target)"; return 2; }
  src=$(readlink -f "$src")
  printf '%s\t%s\n' "$src" "$dst" >>"$BED_STATE/bind.$i"
  bed_log "node$i: $src bound over $dst"
}

# ---------------------------------------------------------------- as a script
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -u
  case "${1:-}" in
    up)     keep=1; bed_up "${2:-}" || exit 1; BED_NO_TRAP=1; trap - EXIT INT TERM
            touch "$BED_STATE/kept"; echo "$BED_ID"
            bed_log "bed $BED_ID is up (hosts: ${BED_ADDRS[*]}); remove with: bash $0 down $BED_ID" ;;
    down)   [ -n "${2:-}" ] || { bed_err "usage: bed.sh down ID"; exit 2; }
            # by name, so that it also works when the state dir is gone
            BED_ID=$2 BED_STATE=$BED_RUNDIR/$2; bed__teardown ;;
    gc)     bed_gc ;;
    exec)   bed_attach "${2:-}" || exit 1; shift 2; bed_host_exec "$@" ;;
    mpirun) bed_attach "${2:-}" || exit 1; shift 2; bed_mpirun "$@" ;;
    *)      echo "usage: bash bed.sh up K | down ID | gc | exec ID I CMD... | mpirun ID NP ARGS..." >&2; exit 2 ;;
  esac
fi
