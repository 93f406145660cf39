#!/usr/bin/env bash
# anvil report --drain-commands: one scontrol line per failed check, nodes in
# hostlist form; nothing from a hostile journal (quotes, $( ), ;, newlines in
# test ids and host names) can make the printed lines run a second command.
. "$(dirname "$0")/../lib.sh"
anvil=$1
mkdir -p "$work/r"
python3 - "$work/r/journal.jsonl" <<'PY'
import json, sys
evil_id = 'a";touch pwned1;echo "'
evil_host = "n9';touch pwned2;'"
recs = [
  {"kind": "run", "event": "start", "t": 1, "hosts": ["node03", "node07", "node04"], "ranks": 3, "nodes": 3,
   "plan": {"profile": "p", "tests": [{"id": "dgemm", "runner": "cpu-dgemm"}, {"id": evil_id, "runner": "null"}]},
   "profile_doc": {"schema": "anvil-profile/1", "name": "p", "tests": [{"runner": "null"}], "checks": [
       {"test": "dgemm", "metric": "gflops", "rule": "absolute", "min": 100},
       {"test": evil_id, "metric": "value$(touch pwned3)", "rule": "absolute", "min": 100}]},
   "cluster": None},
]
for h, v in (("node03", 50), ("node07", 60), ("node04", 500), (evil_host, 1), ("node$(touch pwned4)", 1), ("-rf", 1)):
    recs.append({"kind": "metric", "test": "dgemm", "runner": "cpu-dgemm", "host": h, "name": "gflops", "value": v,
                 "unit": "GFLOP/s", "better": "higher"})
recs.append({"kind": "metric", "test": evil_id, "runner": "null", "host": "node04", "name": "value$(touch pwned3)",
             "value": 1, "unit": "x", "better": "higher"})
recs.append({"kind": "test", "test": "dgemm", "runner": "cpu-dgemm", "status": "ok", "duration_s": 1})
recs.append({"kind": "test", "test": evil_id, "runner": "null", "status": "ok", "duration_s": 1})
with open(sys.argv[1], "w") as f:
    for i, r in enumerate(recs):
        r["v"] = 1; r["seq"] = i
        f.write(json.dumps(r) + "\n")
PY
expect_exit 1 "report --drain-commands (failures: exit 1)" -- "$anvil" report "$work/r" --drain-commands
cp "$work/out" "$work/drain.sh"; cp "$work/err" "$work/drain.err"
sed 's/^/  | /' "$work/drain.sh"
n=$(wc -l <"$work/drain.sh")
[ "$n" -eq 2 ] && ok "two lines: one per failed check" || bad "$n lines"
expect_text "$work/drain.sh" 'scontrol update NodeName="node[03,07]" State=DRAIN Reason="anvil: dgemm gflops absolute"' "the dgemm failures, nodes in hostlist form"
expect_text "$work/drain.err" "left out a node that is not a plain host name: \"n9';touch pwned2;'\"" "hostile host names are left out, with a note"
grep "dgemm" "$work/drain.sh" | grep -q "node04" && bad "node04 passed dgemm and is drained for it" || ok "a node that passed a check is not drained for it"
# run the lines with a stand-in scontrol: exactly two calls, no file made
(
	cd "$work" || exit 1
	scontrol() { printf '%s\n' "CALL $#" "$@" >>"$work/calls"; }
	# shellcheck disable=SC1091
	. "$work/drain.sh"
)
calls=$(grep -c '^CALL' "$work/calls")
[ "$calls" -eq 2 ] && ok "the printed lines make exactly 2 scontrol calls" || bad "$calls scontrol calls"
[ "$(grep -c '^CALL 4$' "$work/calls")" -eq 2 ] && ok "each call has 4 arguments (update, NodeName, State, Reason)" || { bad "argument counts:"; cat "$work/calls"; }
if ls "$work"/pwned* >/dev/null 2>&1; then bad "a command from the journal ran: $(ls "$work"/pwned*)"; else ok "nothing from the journal ran"; fi
grep -q '^Reason=anvil: a__touch pwned1_echo _ value__touch pwned3_ absolute$' "$work/calls" &&
	ok "a hostile test id reaches scontrol as inert text" || { bad "hostile reason:"; cat "$work/calls"; }
# nothing failed on a node: no lines
printf '%s\n' "$(head -1 "$work/r/journal.jsonl")" >"$work/ok.jsonl"
mkdir -p "$work/r2" && mv "$work/ok.jsonl" "$work/r2/journal.jsonl"
"$anvil" report "$work/r2" --drain-commands >"$work/out2" 2>"$work/err2"
[ ! -s "$work/out2" ] && ok "no failed node, no line" || bad "lines for a run without failures: $(cat "$work/out2")"
expect_text "$work/err2" "nothing to drain" "says there is nothing to drain"
expect_exit 0 "report --help mentions --drain-commands" -- "$anvil" report --help
expect_text "$work/out" "--drain-commands" "documented in --help"
[ -n "${show:-}" ] && cat "$work/drain.err"
finish
