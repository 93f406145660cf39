#!/usr/bin/env bash
# junit.xml of every golden case (and of a real selftest run) valid against
# the Ant/Jenkins JUnit schema in tests/data/junit.xsd, by xmllint.
. "$(dirname "$0")/../lib.sh"
anvil=$1
command -v xmllint >/dev/null || { echo "skip: xmllint not installed (Debian libxml2-utils)"; exit 77; }
xsd=$src/tests/data/junit.xsd
# the schema must be able to say no: a testcase holding both a failure and an error
printf '<?xml version="1.0"?>\n<testsuites><testsuite name="t" id="0" package="p" timestamp="2026-01-01T00:00:00" hostname="h" tests="1" failures="1" errors="1" time="0"><properties/><testcase name="c" classname="k" time="0"><failure type="a"/><error type="b"/></testcase><system-out/><system-err/></testsuite></testsuites>\n' >"$work/bad.xml"
if xmllint --noout --schema "$xsd" "$work/bad.xml" 2>/dev/null; then bad "the schema accepts a testcase with two outcomes"; else ok "the schema refuses a bad file"; fi
for case in "$src"/tests/data/golden/*/; do
	name=$(basename "$case")
	mkdir -p "$work/$name"
	cp "$case/journal.jsonl" "$work/$name/"
	base=()
	[ -d "$case/baseline" ] && base=(--baseline "$case/baseline")
	"$anvil" report "$work/$name" "${base[@]}" >/dev/null 2>"$work/err"
	[ -s "$work/$name/junit.xml" ] || { bad "$name: no junit.xml"; continue; }
	if xmllint --noout --schema "$xsd" "$work/$name/junit.xml" 2>"$work/xerr"; then
		ok "$name: junit.xml is valid"
	else
		bad "$name: junit.xml is not valid"; sed 's/^/  | /' "$work/xerr" | head -10
	fi
done
expect_exit 1 "selftest run" -- "$anvil" run -p "$src/tests/data/selftest.json" -o "$work/run"
xmllint --noout --schema "$xsd" "$work/run/junit.xml" 2>"$work/xerr" && ok "a run's junit.xml is valid" || { bad "a run's junit.xml is not valid"; head "$work/xerr"; }
finish
