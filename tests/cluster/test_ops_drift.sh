#!/usr/bin/env bash
# A drifted node, and only it, is named: 3 hosts of the test bed, host 2
# sees another /etc/os-release (a bind mount in its own mount namespace).
# The drift table must list the OS fields with node2 as the minority and
# node[1,3] as the majority, warn about it, and nothing else may name node1
# or node3. Then the same journal judged with the OS version pinned in the
# cluster config: FAIL on node2, PASS on node[1,3], and a drain line for node2.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/bed.sh"
anvil=$1
why=$(bed_check) || { echo "SKIP: $why"; exit 77; }
real_version=$(. /etc/os-release; echo "${VERSION_ID:-}")
[ -n "$real_version" ] || { echo "SKIP: /etc/os-release has no VERSION_ID"; exit 77; }
sed -e "s/^VERSION_ID=.*/VERSION_ID=\"99\"/" -e "s/^PRETTY_NAME=.*/PRETTY_NAME=\"Drifted Linux 99\"/" \
	/etc/os-release >"$work/os-release"
grep -q '^VERSION_ID="99"' "$work/os-release" || echo 'VERSION_ID="99"' >>"$work/os-release"
printf '{ "schema": "anvil-cluster/1", "name": "bed", "nodes": "node[1-3]", "expect": { "os_version": "%s" } }\n' \
	"$real_version" >"$work/cluster.json"
bed_up 3 || { bad "bed_up"; finish; }
bed_host_bind 2 "$work/os-release" /etc/os-release || { bad "bed_host_bind"; finish; }
bed_mpirun 3 "$anvil" run -p "$src/tests/data/selftest.json" --only null -o "$work/r" >"$work/out" 2>"$work/err"
rc=$?
[ "$rc" = 0 ] && ok "a run with drift but no pin passes (drift warns): exit 0" || { bad "exit $rc"; tail -n 20 "$work/out" "$work/err"; }
json_get "$work/r/report.json" "'\n'.join('%s: majority %s on %s; %s' % (d['field'], d['majority'], d['majority_hosts'], ', '.join('%s on %s' % (m['value'], m['hosts']) for m in d['minority'])) for d in r['drift'])" | sed 's/^/  | /'
v=$(json_get "$work/r/report.json" "[(d['majority_hosts'], [m['hosts'] for m in d['minority']], m0['value']) for d in r['drift'] if d['field']=='os.version_id' for m0 in d['minority'][:1]]")
[ "$v" = "[('node[1,3]', ['node2'], '99')]" ] && ok "os.version_id: node2 alone says 99, node[1,3] the rest" || bad "os.version_id drift: $v"
v=$(json_get "$work/r/report.json" "sorted(set(m['hosts'] for d in r['drift'] for m in d['minority']))")
[ "$v" = "['node2']" ] && ok "every drifted field names node2 and no other node" || bad "minority hosts: $v"
v=$(json_get "$work/r/report.json" "[c['why'] for t in r['tests'] if t['id']=='inventory' for c in t['checks'] if c['name']=='os.version_id']")
[ "$v" = "['node2: OS version 99, 2 others $real_version']" ] && ok "the warning: $v" || bad "warning: $v"
expect_text "$work/out" "inventory            WARN     node2: " "the verdict table shows the drift warning on node2"
grep -q "Inventory drift" "$work/r/report.html" && grep -q "Drifted Linux 99" "$work/r/report.html" &&
	ok "report.html has the drift table" || bad "no drift table in report.html"
# the same journal, the version pinned: a FAIL on node2 alone
python3 - "$work/r/journal.jsonl" "$work/cluster.json" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
rec = json.loads(lines[0]); rec["cluster"] = json.load(open(sys.argv[2]))
lines[0] = json.dumps(rec)
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY
expect_exit 1 "report with the OS version pinned" -- "$anvil" report "$work/r"
v=$(json_get "$work/r/report.json" "[(c['host'], c['verdict']) for t in r['tests'] if t['id']=='inventory' for c in t['checks'] if c['rule']=='pinned']")
[ "$v" = "[('node2', 'FAIL'), ('node[1,3]', 'PASS')]" ] && ok "pinned: $v" || bad "pinned: $v"
expect_exit 1 "drain commands" -- "$anvil" report "$work/r" --drain-commands
[ "$(cat "$work/out")" = 'scontrol update NodeName="node2" State=DRAIN Reason="anvil: inventory os.version_id pinned"' ] &&
	ok "drain: $(cat "$work/out")" || { bad "drain lines:"; cat "$work/out"; }
finish
