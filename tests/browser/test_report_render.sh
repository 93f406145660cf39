#!/usr/bin/env bash
# report.html in a real browser. `anvil report` renders the fixture run (every
# chart kind, hostile hostnames, labels, test ids and why strings; compared
# with a baseline run), then headless Chromium:
#   - takes a screenshot that must be a page, not a blank one (many colours);
#   - dumps the DOM: every chart kind is there, the hostile strings are text
#     (escaped), no <img> or <script> element exists, and no script ran (a
#     hostile label that sets document.title would have changed the title);
#   - logs the console: no message at all (a CSP violation, a failed load and
#     a script error all show there).
# The probes are tested first on a poisoned copy of the page, so a probe that
# could not see an injection fails the test instead of passing it.
# Installs nothing; skips (77) without chromium. Set ANVIL_KEEP_SCREENSHOT=FILE
# to keep the screenshot.
. "$(dirname "$0")/../lib.sh"
anvil=$1
fixtures=$src/tests/data/journals

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
	echo "skip: chromium is not installed (Debian package chromium; scripts/install-deps.sh lists it)"
	exit 77
fi
if ! command -v python3 >/dev/null; then
	echo "skip: python3 is not installed (it reads the screenshot)"
	exit 77
fi

# Headless, no network, no first-run work, a fresh profile per call; the
# console goes to stderr. Output: $2.out (stdout) and $2.log (stderr).
chrome() {
	local url=$1 base=$2; shift 2
	local profile
	profile=$(mktemp -d "$work/profile.XXXXXX")
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--disable-default-apps --disable-extensions --user-data-dir="$profile" \
		--enable-logging=stderr --v=0 "$@" "$url" >"$base.out" 2>"$base.log"
}

# Console messages, failed loads and page errors in a Chromium log.
console_of() { grep -E 'CONSOLE|Uncaught|Refused to|net::ERR_|Content Security Policy' "$1"; }
# The document's own <title> (the first one; SVG charts have theirs too).
title_of() { grep -o '<title>[^<]*</title>' "$1" | head -1; }

# ---- the report ----------------------------------------------------------------
mkdir -p "$work/run" "$work/base"
cp "$fixtures/report-all-charts.jsonl" "$work/run/journal.jsonl"
cp "$fixtures/report-all-charts-baseline.jsonl" "$work/base/journal.jsonl"
expect_exit 1 "report of the baseline run (it has failures)" -- "$anvil" report "$work/base"
expect_exit 1 "report of the fixture run against the baseline (FAIL verdict)" -- \
	"$anvil" report "$work/run" --baseline "$work/base"
html=$work/run/report.html
[ -s "$html" ] && ok "report.html written ($(wc -c <"$html") bytes)" || { bad "no report.html"; finish; }

# ---- the probes can see an injection ---------------------------------------------
# Without the CSP, an injected handler runs and sets the title; with it, the
# browser refuses and says so on the console.
inject='<img src=x onerror="document.title='"'"'pwned'"'"'">'
sed 's|<meta http-equiv="Content-Security-Policy"[^>]*>||; s|</main>|'"$inject"'</main>|' "$html" >"$work/poison.html"
sed 's|</main>|'"$inject"'</main>|' "$html" >"$work/poison-csp.html"
chrome "file://$work/poison.html" "$work/poison" --dump-dom --virtual-time-budget=3000
if title_of "$work/poison.out" | grep -q 'pwned'; then ok "probe: an injected handler changes the title"; else
	bad "probe: an injected handler did not change the title; the title check would prove nothing"; fi
chrome "file://$work/poison-csp.html" "$work/poison-csp" --dump-dom --virtual-time-budget=3000
if console_of "$work/poison-csp.log" | grep -q 'Content Security Policy'; then
	ok "probe: the CSP blocks an injected handler and the console says so"
else
	bad "probe: no CSP message for an injected handler"; tail -5 "$work/poison-csp.log" | sed 's/^/  | /'
fi

# ---- the DOM --------------------------------------------------------------------------
chrome "file://$html" "$work/page" --dump-dom --virtual-time-budget=3000
dom=$work/page.out
[ -s "$dom" ] && ok "DOM dumped" || bad "no DOM (chromium exit status or crash: see below)"
title=$(title_of "$dom")
case $title in
"<title>anvil report: FAIL"*) ok "the title is the report's own: $title" ;;
*) bad "the title changed: $title (a script ran)" ;;
esac
if grep -qi '<img' "$dom"; then bad "an <img> element is in the DOM: $(grep -oi '<img[^>]*>' "$dom" | head -1)"; else
	ok "no <img> element in the DOM"; fi
if grep -qi '<script' "$dom"; then bad "a <script> element is in the DOM"; else ok "no <script> element in the DOM"; fi
if grep -qiE '<(iframe|object|embed|link|base)[ >]' "$dom"; then bad "a loading element is in the DOM"; else
	ok "no iframe, object, embed, link or base element"; fi
# the hostile strings are there, as text: hostname, test id, why, GPU label
expect_text "$dom" 'cn04&lt;img src=x onerror="document.title=' "the hostile hostname is text"
expect_text "$dom" 'evil"&gt;&lt;img src=x onerror=' "the hostile test id is text"
expect_text "$dom" ']]&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &lt;/style&gt;&lt;script&gt;' "the hostile why is text"
expect_text "$dom" 'H100 "SXM" &lt;/script&gt;&lt;script&gt;' "the hostile GPU label is text"
for kind in "line-chart" "timeseries" "bar-chart" "heatmap"; do
	n=$(grep -o "class=\"anvil-chart $kind" "$dom" | wc -l)
	[ "$n" -ge 1 ] && ok "$n $kind chart(s) in the DOM" || bad "no $kind chart in the DOM"
done
figs=$(grep -o '<div class="fig">' "$dom" | wc -l)
tables=$(grep -o '<div class="fig"><div class="plot"><svg' "$dom" | wc -l)
[ "$figs" -ge 12 ] && [ "$figs" -eq "$tables" ] && ok "$figs figures, each a chart" || bad "$figs figures, $tables with a chart"
data=$(grep -o '<details class="data"><summary>Data: ' "$dom" | wc -l)
[ "$data" -ge "$figs" ] && ok "$data data tables for $figs charts" || bad "only $data data tables for $figs charts"
for section in "Needs attention" "Against the baseline" "What the matrix points at" "Inventory" "Sign-off"; do
	expect_text "$dom" "$section" "section: $section"
done
if console_of "$work/page.log" >"$work/console"; then
	bad "console messages:"; sed 's/^/  | /' "$work/console" | head -10
else
	ok "no console message, no CSP violation, no failed load"
fi

# ---- the screenshot -----------------------------------------------------------------------
chrome "file://$html" "$work/shot" --screenshot="$work/shot.png" --window-size=1280,4000 --hide-scrollbars
if [ -s "$work/shot.png" ]; then ok "screenshot taken ($(wc -c <"$work/shot.png") bytes)"; else
	bad "no screenshot"; tail -5 "$work/shot.log" | sed 's/^/  | /'; finish; fi
[ -n "${ANVIL_KEEP_SCREENSHOT:-}" ] && cp "$work/shot.png" "$ANVIL_KEEP_SCREENSHOT"
# A PNG decoder in a few lines (no PIL): size, distinct colours in the top
# 1200 rows (the verdict, tables and the first charts) and how much of the
# picture is not background.
python3 - "$work/shot.png" >"$work/png" <<'EOF' || bad "the screenshot is not a PNG this test can read"
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
pos, idat = 8, b''
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    pos += 12 + n
    if kind == b'IHDR':
        w, h, depth, ctype, _, _, interlace = struct.unpack('>IIBBBBB', body)
    elif kind == b'IDAT':
        idat += body
assert depth == 8 and ctype in (2, 6) and interlace == 0, 'unexpected PNG format'
bpp = 3 if ctype == 2 else 4
raw, stride, rows = zlib.decompress(idat), w * bpp, min(h, 1200)
prev, colours, ink, p = bytearray(stride), set(), 0, 0
for y in range(rows):
    f, line = raw[p], bytearray(raw[p + 1:p + 1 + stride])
    p += 1 + stride
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp):
        px = bytes(line[x:x + 3])
        colours.add(px)
        ink += px != b'\xff\xff\xff' and px != b'\xf6\xf8\xfa'
    prev = line
print(w, h, len(colours), round(ink / (rows * w), 3))
EOF
read -r w h colours ink <"$work/png" || true
[ "${w:-0}" -eq 1280 ] && [ "${h:-0}" -eq 4000 ] && ok "screenshot is 1280x4000" || bad "screenshot is ${w:-?}x${h:-?}"
[ "${colours:-0}" -ge 200 ] && ok "$colours distinct colours: a rendered page" || bad "only ${colours:-0} colours: a blank page?"
python3 -c "import sys; sys.exit(not 0.03 < float(sys.argv[1]) < 0.9)" "${ink:-0}" &&
	ok "$ink of the top of the page is not background" || bad "ink fraction ${ink:-?}: blank or unreadable"
if console_of "$work/shot.log" >"$work/console"; then bad "console messages while rendering:"; sed 's/^/  | /' "$work/console" | head -5; fi
finish
