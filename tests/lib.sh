# Shared helpers for the shell tests: sourced, never run.
# Usage in a test: . "$(dirname "$0")/../lib.sh"; anvil=$1
set -u
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 ANVIL_NO_PROGRESS=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
src=${ANVIL_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
work=$(mktemp -d /tmp/anvil-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
failures=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; failures=$((failures + 1)); }
# expect_exit CODE DESCRIPTION -- command...
expect_exit() {
	local want=$1 what=$2; shift 3
	"$@" >"$work/out" 2>"$work/err"
	local got=$?
	if [ "$got" -eq "$want" ]; then ok "$what (exit $got)"; else
		bad "$what: exit $got, expected $want"; sed 's/^/  | /' "$work/out" "$work/err" | tail -20; fi
}
# expect_text FILE TEXT DESCRIPTION
expect_text() {
	if grep -qF -- "$2" "$1"; then ok "$3"; else bad "$3: \"$2\" not in $1:"; sed 's/^/  | /' "$1" | tail -10; fi
}
# jq-free JSON query with python3: json_get FILE EXPR (EXPR sees r = the JSON)
json_get() { python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1"; }
# The sanitizer build's settings (scripts/test-sanitize.sh) reach every rank, on any host.
mpi_env=()
for v in ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS; do [ -n "${!v:-}" ] && mpi_env+=(-x "$v"); done
mpi() { mpirun --oversubscribe --bind-to none "${mpi_env[@]}" "$@"; }
finish() { if [ "$failures" -eq 0 ]; then echo "all passed"; exit 0; fi; echo "$failures failure(s)"; exit 1; }
