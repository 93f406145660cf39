#!/usr/bin/env bash
# No code path of anvil invokes a shell. In bench/, common/, kernels/,
# runners/ and reports/ (comments removed) nothing calls system(), popen()
# or wordexp() (a shell for $(...)), no exec*/posix_spawn* starts a shell,
# no argv begins {"sh", "-c"}, and no string holds "sh -c" or "bash -c".
# Child programs run through bench/subproc.c with an argv (fork + execv).
# There is no allow-list: a hit fails. (A shell script that anvil prints,
# such as `anvil slurm`'s "#!/bin/bash", is text, not an invocation.)
. "$(dirname "$0")/../lib.sh"
scan() {
	python3 - "$@" <<'PY'
import os, re, sys
SHELL = r'"(?:/usr)?(?:/bin/)?(?:ba|da|z|k)?sh"'
rules = [
    ('calls', re.compile(r'\b(system|popen|wordexp)\s*\('), 'blank'),
    ('starts a shell', re.compile(r'\b(exec[lv]p?e?|posix_spawnp?)\s*\([^;]*' + SHELL), 'keep'),
    ('an argv of a shell', re.compile(SHELL + r'\s*,\s*"-c"'), 'keep'),
    ('a shell command line', re.compile(r'"[^"\n]*\b(?:ba)?sh -c\b'), 'keep'),
]
tok = re.compile(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)
def strip(text, strings):
    def sub(m):
        s = m.group(0)
        if s.startswith('/'):
            return re.sub(r'[^\n]', ' ', s)            # comments go, lines stay
        return s if strings == 'keep' else '""'       # string literals kept or blanked
    return tok.sub(sub, text)
hits = 0
for top in sys.argv[1:]:
    for dirpath, _, files in os.walk(top):
        for f in sorted(files):
            if not f.endswith(('.c', '.h', '.cu')):
                continue
            path = os.path.join(dirpath, f)
            text = open(path, encoding='utf-8', errors='replace').read()
            for what, rx, strings in rules:
                code = strip(text, strings)
                for m in rx.finditer(code):
                    line = code.count('\n', 0, m.start()) + 1
                    print('%s:%d: %s: %s' % (path, line, what, m.group(0)[:80]))
                    hits += 1
sys.exit(1 if hits else 0)
PY
}

# the scan finds what it looks for, and not what it must not
mkdir -p "$work/planted"
printf 'int f(void) { return system ("ls"); }\n' >"$work/planted/a.c"
printf 'void g(void) { execl("/bin/sh", "sh", "-c", "x", (char *)0); }\n' >"$work/planted/b.c"
printf 'FILE *h(void) { return popen("x", "r"); }\n' >"$work/planted/c.c"
printf 'char *argv[] = { "bash", "-c", "x", 0 };\nconst char *l = "ssh -o x bash -c y";\n' >"$work/planted/d.c"
printf '/* system (of equations) */\nconst char *s = "popen(x)";\nconst char *t = "#!/bin/bash\\n";\n' >"$work/planted/e.c"
found=$(scan "$work/planted" | wc -l)
[ "$found" -eq 6 ] && ok "the scan finds system(), popen(), execl(\"/bin/sh\"), a shell argv and \"bash -c\"; not comments or a script's text" ||
	{ bad "the scan found $found of 6 planted calls:"; scan "$work/planted" | sed 's/^/  | /'; }

if hits=$(cd "$src" && scan bench common kernels runners reports); then
	ok "no shell invoked in bench/ common/ kernels/ runners/ reports/"
else
	bad "a shell is invoked:"; echo "$hits" | sed 's/^/  | /'
fi
finish
