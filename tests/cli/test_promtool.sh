#!/usr/bin/env bash
# metrics.prom of every golden case and of a real selftest run, checked by
# Prometheus's own promtool (Debian package "prometheus"): skipped where it is
# not installed. tests/unit/test_prom.c checks the same with anvil's strict parser.
. "$(dirname "$0")/../lib.sh"
anvil=$1
command -v promtool >/dev/null || { echo "skip: promtool not installed (Debian package prometheus)"; exit 77; }
printf '# TYPE x gauge\nx{a="1"} 1\nx{a="1"} 2\n' | promtool check metrics >/dev/null 2>&1 &&
	bad "promtool accepts a series twice" || ok "promtool can say no"
for case in "$src"/tests/data/golden/*/; do
	name=$(basename "$case")
	mkdir -p "$work/$name"
	cp "$case/journal.jsonl" "$work/$name/"
	base=()
	[ -d "$case/baseline" ] && base=(--baseline "$case/baseline")
	"$anvil" report "$work/$name" "${base[@]}" >/dev/null 2>"$work/err"
	if promtool check metrics <"$work/$name/metrics.prom" >"$work/pout" 2>&1; then
		ok "$name: promtool accepts metrics.prom"
	else
		bad "$name: promtool refuses metrics.prom"; sed 's/^/  | /' "$work/pout" | head -10
	fi
done
expect_exit 1 "selftest run" -- "$anvil" run -p "$src/tests/data/selftest.json" -o "$work/run"
promtool check metrics <"$work/run/metrics.prom" >"$work/pout" 2>&1 && ok "a run's metrics.prom passes promtool" ||
	{ bad "a run's metrics.prom fails promtool"; head "$work/pout"; }
finish
