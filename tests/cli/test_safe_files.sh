#!/usr/bin/env bash
# Safe files in the run directory, which anyone may have written to before
# anvil (often root) writes there: a symbolic link planted under the name of
# an output is replaced, never followed; the journal is never opened through
# a link or a second hard link; the run directory takes the user's umask; a
# write that fails (a full file system) leaves no temporary file behind.
. "$(dirname "$0")/../lib.sh"
anvil=$1
self=$src/tests/data/selftest.json
outputs=(report.json report.html junit.xml metrics.prom plan.json inventory.json)
victims=$work/victims
mkdir -p "$victims"

plant() {  # plant DIR NAME...: NAME -> a victim file outside DIR
	local dir=$1; shift
	for n in "$@"; do
		echo "victim $n" >"$victims/$n"
		rm -f "$dir/$n"
		ln -s "$victims/$n" "$dir/$n"
	done
}
check_victims() {  # check_victims WHAT DIR NAME...
	local what=$1 dir=$2; shift 2
	for n in "$@"; do
		if [ "$(cat "$victims/$n")" != "victim $n" ]; then bad "$what: the link $n was followed: the victim was overwritten"
		elif [ -L "$dir/$n" ] || [ ! -s "$dir/$n" ]; then bad "$what: $n is not a fresh regular file"
		else ok "$what: planted $n replaced, victim untouched"; fi
	done
}

# a run into a directory holding links under every output's name
mkdir -p "$work/r"
plant "$work/r" "${outputs[@]}"
expect_exit 1 "run into a directory with planted links (the selftest's planted failure)" -- "$anvil" run -p "$self" -o "$work/r"
check_victims "anvil run" "$work/r" "${outputs[@]}"

# anvil report and anvil run --resume rewrite the report files
plant "$work/r" report.json report.html junit.xml metrics.prom
expect_exit 1 "report DIR with planted links" -- "$anvil" report "$work/r"
check_victims "anvil report" "$work/r" report.json report.html junit.xml metrics.prom
plant "$work/r" report.json report.html junit.xml metrics.prom .anvil-probe
expect_exit 1 "run --resume with planted links" -- "$anvil" run --resume "$work/r"
check_victims "anvil run --resume" "$work/r" report.json report.html junit.xml metrics.prom
[ "$(cat "$victims/.anvil-probe")" = "victim .anvil-probe" ] && ok "the writability probe did not follow its link" ||
	bad "the writability probe followed a planted link"
[ -z "$(find "$work/r" -name '.*.tmp.*')" ] && ok "no temporary files left in the run directory" ||
	bad "temporary files left: $(find "$work/r" -name '.*.tmp.*')"

# the journal: never through a link, never a file with another name
sum=$(sha256sum "$work/r/journal.jsonl")
mkdir -p "$work/j1"
ln -s "$victims/new-journal" "$work/j1/journal.jsonl"
expect_exit 2 "run into a directory whose journal.jsonl is a dangling link" -- "$anvil" run -p "$self" -o "$work/j1"
expect_text "$work/err" "journal.jsonl: cannot open the journal: it is a symbolic link (refused)" "the journal link is refused"
[ ! -e "$victims/new-journal" ] && ok "the link's target was not created" || bad "anvil created the journal link's target"
mv "$work/r/journal.jsonl" "$victims/journal.jsonl"
ln -s "$victims/journal.jsonl" "$work/r/journal.jsonl"
expect_exit 2 "resume through a journal link" -- "$anvil" run --resume "$work/r"
expect_text "$work/err" "it is a symbolic link (refused)" "resume names the link"
expect_exit 2 "report through a journal link" -- "$anvil" report "$work/r"
rm "$work/r/journal.jsonl"
ln "$victims/journal.jsonl" "$work/r/journal.jsonl"
expect_exit 2 "resume of a journal with a second hard link" -- "$anvil" run --resume "$work/r"
expect_text "$work/err" "the journal has 2 hard links (refused" "the hard link is refused"
[ "$(cd "$work/r" && sha256sum journal.jsonl | cut -d' ' -f1)" = "${sum%% *}" ] && ok "the journal is unchanged" ||
	bad "the journal was changed through its links"

# the user's umask: umask 027 gives a 750 directory (and its parents) and 640 files
(umask 027; "$anvil" run -p "$self" -o "$work/u/a/b" >"$work/out" 2>"$work/err")
modes=$(stat -c '%a' "$work/u" "$work/u/a" "$work/u/a/b" | tr '\n' ' ')
[ "$modes" = "750 750 750 " ] && ok "umask 027: directories 750" || bad "umask 027: directory modes $modes"
fmodes=$(cd "$work/u/a/b" && stat -c '%a' journal.jsonl report.json plan.json | sort -u | tr '\n' ' ')
[ "$fmodes" = "640 " ] && ok "umask 027: files 640" || bad "umask 027: file modes $fmodes"

# a full file system: the write fails, nothing half-written is left
mkdir -p "$work/full"
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=64k,mode=755 anvil-full "$work/full" 2>/dev/null; then
	trap 'umount "$work/full" 2>/dev/null; rm -rf "$work"' EXIT
	mkdir "$work/full/r"
	cp "$work/u/a/b/journal.jsonl" "$work/full/r/"
	dd if=/dev/zero of="$work/full/fill" bs=4k 2>/dev/null
	sum=$(sha256sum <"$work/full/r/journal.jsonl")
	"$anvil" report "$work/full/r" >"$work/out" 2>"$work/err"
	rc=$?
	[ "$rc" -ne 0 ] && [ "$rc" -ne 1 ] && ok "report on a full file system fails (exit $rc)" || bad "report on a full file system: exit $rc"
	expect_text "$work/err" "no space left on the device" "the full file system is named"
	left=$(find "$work/full/r" -name '.*.tmp.*')
	[ -z "$left" ] && ok "no temporary file left on the full file system" || bad "temporary files left: $left"
	[ "$(sha256sum <"$work/full/r/journal.jsonl")" = "$sum" ] && ok "the journal is unchanged" || bad "the journal changed"
	[ ! -e "$work/full/r/report.json" ] && ok "no report.json half-written" || bad "report.json exists after a failed write"
	umount "$work/full"
else
	echo "skip: the full file system part needs root and a tmpfs mount"
fi
finish
