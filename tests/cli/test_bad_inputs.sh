#!/usr/bin/env bash
# The catalogue of bad inputs (tests/bad-inputs/README.md): every case is
# refused with exit 2 and exactly its one expected line on stderr
# (FILE:LINE:COL and what was expected), and leaves its directory as it was:
# no run directory made, no file written, changed or left half-written.
. "$(dirname "$0")/../lib.sh"
anvil=$(realpath "$1")  # the cases run in their own directories
cases=$src/tests/bad-inputs
# messages that list every runner say @RUNNERS@ in expect, so a new runner changes no case
runners=$("$anvil" list | awk '/^RUNNERS/ { f = 1; getline; next } /^$/ { f = 0 } f && /^  [a-z0-9]/ { print $1 }' |
	paste -sd, | sed 's/,/, /g')
[ -n "$runners" ] || bad "anvil list shows no runners"
n=0
for dir in "$cases"/*/; do
	name=$(basename "$dir")
	[ -f "$dir/cmd" ] || continue
	n=$((n + 1))
	case_dir=$work/$name
	cp -a "$dir" "$case_dir"
	rm -f "$case_dir/cmd" "$case_dir/expect" "$case_dir/exit" "$case_dir/setup"
	# a setup script makes what git cannot hold (symlinks, FIFOs, modes)
	if [ -f "$dir/setup" ]; then (cd "$case_dir" && bash "$dir/setup"); fi
	want_rc=2
	[ -f "$dir/exit" ] && want_rc=$(cat "$dir/exit")
	before=$(cd "$case_dir" && find . -printf '%p %y %m\n' | sort; find . -type f -exec sha256sum {} + | sort)
	read -r -a args <"$dir/cmd"
	args=("${args[@]//@SRC@/$src}")
	(cd "$case_dir" && "$anvil" "${args[@]}") >"$work/out" 2>"$work/err" </dev/null
	rc=$?
	sed -i -e "s|$src|@SRC@|g" -e "s|$runners|@RUNNERS@|g" "$work/err"
	after=$(cd "$case_dir" && find . -printf '%p %y %m\n' | sort; find . -type f -exec sha256sum {} + | sort)
	if [ "$rc" -ne "$want_rc" ]; then
		bad "$name: exit $rc, expected $want_rc"; sed 's/^/  | /' "$work/err" | head -5
	elif [ "$want_rc" -eq 2 ] && ! diff -q "$dir/expect" "$work/err" >/dev/null; then
		bad "$name: stderr is not the expected line"
		echo "  expected: $(cat "$dir/expect")"; sed 's/^/  got:      /' "$work/err" | head -5
	elif [ "$want_rc" -eq 2 ] && [ "$before" != "$after" ]; then
		bad "$name: the refused input changed its directory:"; diff <(echo "$before") <(echo "$after") | head -10
	elif [ "$want_rc" -ne 2 ]; then
		# a good case (a torn last line): the report is made, the journal untouched, no temporary left
		journal_before=$(grep 'journal.jsonl$' <<<"$before" | grep -v ' [dlf] ')
		journal_after=$(grep 'journal.jsonl$' <<<"$after" | grep -v ' [dlf] ')
		tmp=$(cd "$case_dir" && find . -name '.*.tmp.*')
		made=$(cd "$case_dir" && find . -name report.json -size +0)
		if [ "$journal_before" != "$journal_after" ]; then bad "$name: the journal changed"
		elif [ -z "$made" ]; then bad "$name: no report.json was made"
		elif [ -n "$tmp" ]; then bad "$name: temporary files left: $tmp"
		elif [ -n "$(cat "$dir/expect")" ] && ! grep -qxF -- "$(cat "$dir/expect")" "$work/out" "$work/err"; then
			bad "$name: \"$(cat "$dir/expect")\" not printed"; sed 's/^/  | /' "$work/out" "$work/err" | tail -5
		else ok "$name (exit $rc, journal untouched, report made)"; fi
	else
		ok "$name: $(cat "$work/err")"
	fi
done
[ "$n" -ge 40 ] && ok "$n cases" || bad "only $n cases in $cases (at least 40)"
finish
