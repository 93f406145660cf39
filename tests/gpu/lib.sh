# Shared by tests/gpu/test_*.sh (sourced, never run). Usage:
#   . "$(dirname "$0")/lib.sh" "$1"; need_gpu gpu-dgemm
# A test that needs a GPU exits 77 printing "no CUDA device: <reason>" where
# there is none (the reason is the one `anvil list` gives for the runner).
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"  # set -u, OMPI settings, $src, $work, ok, bad, finish, json_get
anvil=${1:?usage: $0 /path/to/anvil}

# runner_state NAME: prints "STATE<TAB>WHY" from `anvil list` (STATE is
# available, unavailable or not built).
runner_state() {
	"$anvil" list | awk -v r="$1" '
		found && /why:/ { sub(/.*why: /, ""); why = $0; exit }
		found { exit }
		$1 == r { found = 1; state = ($3 == "not") ? "not built" : $3 }
		END { printf "%s\t%s\n", state, why }'
}

# need_gpu RUNNER: returns when RUNNER can run here, else exits 77 saying why.
need_gpu() {
	local st state why
	st=$(runner_state "$1")
	state=${st%%$'\t'*}
	why=${st#*$'\t'}
	case $state in
	available) return 0 ;;
	"not built") echo "SKIP: $1 not built: $why"; exit 77 ;;
	unavailable)
		why=${why#no CUDA device (}
		why=${why%)}
		echo "no CUDA device: $why"; exit 77 ;;
	*) echo "FAIL: $1 is not in anvil list"; exit 1 ;;
	esac
}

# T ID: Python source for the report's test ID, for json_get expressions.
T() { echo "[t for t in r['tests'] if t['id']=='$1'][0]"; }

# check_verdict REPORT TEST CHECK WANT: the verdict of a named check of a test.
check_verdict() {
	local v
	v=$(json_get "$1" "[c['verdict'] for c in $(T "$2")['checks'] if c['name']=='$3'][0]" 2>/dev/null)
	if [ "$v" = "$4" ]; then ok "$2: check $3 is $4"; else bad "$2: check $3 is '${v:-absent}', expected $4"; fi
}

# metric_positive REPORT TEST METRIC: the metric exists and is > 0.
metric_positive() {
	local v
	v=$(json_get "$1" "[m['value'] for m in $(T "$2")['metrics'] if m['name']=='$3'][0]" 2>/dev/null)
	if python3 -c "import sys; sys.exit(0 if float('$v') > 0 else 1)" 2>/dev/null; then
		ok "$2: $3 = $v"
	else
		bad "$2: metric $3 is '${v:-absent}', expected a positive figure"
	fi
}

# run_anvil DESCRIPTION ARGS...: runs anvil, shows its output on failure to start.
run_anvil() {
	local what=$1; shift
	"$@" >"$work/out" 2>"$work/err"
	local rc=$?
	echo "$what: exit $rc"
	[ "$rc" -le 3 ] || { sed 's/^/  | /' "$work/out" "$work/err" | tail -20; }
	return 0
}
