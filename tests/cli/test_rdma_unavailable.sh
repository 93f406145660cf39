#!/bin/bash
# test_rdma_unavailable.sh ANVIL — on a machine with no RDMA device, `anvil
# list` shows the six RDMA runners as built and unavailable with the reason,
# and `anvil run --only rdma-write-bw` records a skip with that reason in the
# journal. Exit 0 pass, 1 fail, 77 skip (a build without libibverbs, or a
# machine that has an RDMA device).
set -u
anvil=${1:?usage: test_rdma_unavailable.sh ANVIL}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
reason="no RDMA device: ibv_get_device_list returned 0 devices"
runners="rdma-write-bw rdma-read-bw rdma-send-bw rdma-write-lat rdma-read-lat rdma-send-lat"

fails=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/anvil-rdma-unavail.XXXXXX") || { echo "FAIL: mktemp"; exit 1; }
trap 'rm -rf "$tmp"' EXIT

list=$("$anvil" list 2>&1) || { echo "FAIL: anvil list exited $?: $list"; exit 1; }
if echo "$list" | grep -Eq '^  rdma-write-bw +pairs +not built'; then
  echo "SKIP: this anvil was built without libibverbs"; exit 77
fi
if echo "$list" | grep -Eq '^  rdma-write-bw +pairs +available'; then
  echo "SKIP: this machine has an RDMA device with an ACTIVE port"; exit 77
fi

echo "== anvil list: each RDMA runner unavailable, with the reason on the next line"
for r in $runners; do
  line=$(echo "$list" | grep -E "^  $r +pairs +unavailable ")
  why=$(echo "$list" | grep -A1 -E "^  $r +pairs " | sed -n 2p)
  if [ -n "$line" ] && echo "$why" | grep -q "why: $reason"; then
    pass "$r: unavailable, $reason"
  else
    fail "$r: expected 'pairs unavailable' and 'why: $reason'; got: '$line' / '$why'"
  fi
done

echo "== anvil run --only rdma-write-bw: a skip in the journal"
# The default profile (quick) when the configs have it, else anvil's own.
profile=()
if ! "$anvil" list | grep -Eq '^  quick '; then
  profile=(-p "${ANVIL_SOURCE_DIR:-$(dirname "$0")/../..}/tests/data/selftest.json")
fi
out=$("$anvil" run "${profile[@]}" --only rdma-write-bw -o "$tmp/run" 2>&1)
rc=$?
echo "$out" | sed 's/^/   /'
if [ "$rc" = 0 ]; then pass "anvil run exited 0 (a skip is not a failure)"; else fail "anvil run exited $rc"; fi
journal=$tmp/run/journal.jsonl
if [ ! -s "$journal" ]; then
  fail "no journal at $journal"
else
  rec=$(grep '"kind":"test"' "$journal" | grep '"test":"rdma-write-bw"')
  if command -v jq >/dev/null 2>&1; then
    status=$(echo "$rec" | jq -r .status) why=$(echo "$rec" | jq -r .why)
  else
    status=$(echo "$rec" | sed -n 's/.*"status":"\([^"]*\)".*/\1/p') why=$(echo "$rec" | sed -n 's/.*"why":"\([^"]*\)".*/\1/p')
  fi
  if [ "$status" = skipped ]; then pass "journal: rdma-write-bw skipped"; else fail "journal: status '$status', expected skipped ($rec)"; fi
  case "$why" in
    "$reason"*) pass "journal: why '$why'" ;;
    *) fail "journal: why '$why', expected it to start with '$reason'" ;;
  esac
  n=$(grep -c '"kind":"metric"' "$journal")
  if [ "$n" = 0 ]; then pass "journal: no figures from a skipped test"; else fail "journal: $n metric record(s) from a skipped test"; fi
fi
if [ -f "$tmp/run/report.json" ] && command -v jq >/dev/null 2>&1; then
  v=$(jq -r '.tests[] | select(.id == "rdma-write-bw") | .verdict' "$tmp/run/report.json")
  if [ "$v" = SKIP ]; then pass "report: rdma-write-bw SKIP"; else fail "report: verdict '$v', expected SKIP"; fi
fi

[ "$fails" = 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all checks passed"
