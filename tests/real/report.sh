#!/bin/bash
# report.sh MAILTLS [DB] -- `mailtls report` on a two-run store (by default the one
# tests/real/changes.sh leaves in /tmp/mailtls-changelab/out/c.db; made first when missing):
# CSV and Markdown agree with the store's own columns, and the HTML page rendered in Debian's
# headless Chromium -- inside `unshare --net`, so it cannot reach anything off (or on) loopback --
# runs its script without console errors, shows the charts with the store's numbers in their
# labels, sorts from a #sort= link, and gives a screenshot that is not blank.
#   flock -o /tmp/mailtls-lab.lock tests/real/report.sh build/mailtls
set -uo pipefail

BIN=$(realpath "${1:?usage: report.sh MAILTLS [DB]}")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DB=${2:-/tmp/mailtls-changelab/out/c.db}
OUT=$(mktemp -d /tmp/mailtls-report.XXXXXX)
pass=0 fail=0
trap 'rm -rf "$OUT"' EXIT

check() { # NAME OK(0/1) [detail]
    if [ "$2" = 0 ]; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; [ -n "${3:-}" ] && echo "$3" | sed 's/^/    /'; fi
}
t0=$(date +%s)
if [ ! -s "$DB" ]; then
    "$ROOT/tests/real/changes.sh" "$BIN" >"$OUT/changes.log" 2>&1 || { tail "$OUT/changes.log"; echo "report: 0 passed, 1 failed (no store)"; exit 1; }
fi
RUN=$(sqlite3 "$DB" 'SELECT max(run_id) FROM domains')
q() { sqlite3 "$DB" "SELECT count(*) FROM domains WHERE run_id = $RUN AND $1"; }

# ---- CSV and Markdown ------------------------------------------------------------------------
"$BIN" report --db "$DB" --format csv >"$OUT/r.csv"; rc=$?
n=$(($(wc -l <"$OUT/r.csv") - 1))
check "csv: one row per stored domain, exit 0" "$([ $rc = 0 ] && [ "$n" = "$(q 1)" ] && echo 0 || echo 1)" "rc $rc, $n rows"
got=$(awk -F, 'NR > 1 && $6 == "all"' "$OUT/r.csv" | wc -l)
check "csv: DANE all = the store's dane column" "$([ "$got" = "$(q "dane = 'all'")" ] && echo 0 || echo 1)" "$got"
"$BIN" report --db "$DB" --format md -o "$OUT/r.md"; rc=$?
check "md: a table row per domain" "$([ $rc = 0 ] && [ "$(grep -c '^| d-' "$OUT/r.md")" = "$(q 1)" ] && echo 0 || echo 1)"
"$BIN" report --db "$DB" --format pdf >/dev/null 2>"$OUT/e"; rc=$?
check "--format pdf: usage error, exit 2, one line" "$([ $rc = 2 ] && grep -q "html, md or csv" "$OUT/e" && echo 0 || echo 1)"

# ---- HTML in Chromium ------------------------------------------------------------------------
"$BIN" report --db "$DB" --format html -o "$OUT/r.html"; rc=$?
check "html written" "$rc"
ext=$(grep -Eo '(src|href)="[a-z]+:[^"]*"' "$OUT/r.html" | grep -v '^href="#' | head -3)
check "html: self-contained (no src= or href= to anywhere)" "$([ -z "$ext" ] && echo 0 || echo 1)" "$ext"

CHROME=$(command -v chromium || true)
if [ -z "$CHROME" ]; then
    check "chromium installed (make deps)" 1
    echo "report: $pass passed, $fail failed"; exit 1
fi
chrome() { # ARGS... (one headless run in a new network namespace: no traffic leaves)
    mkdir -p "$OUT/prof"
    HOME=/nonexistent unshare --net "$CHROME" --headless --no-sandbox --disable-gpu \
        --user-data-dir="$OUT/prof" --disable-sync --disable-features=NetworkTimeServiceQuerying \
        --component-updater=url-source=http://127.0.15.50:9/ --host-resolver-rules="MAP * ~NOTFOUND" \
        --enable-logging=stderr --v=0 --window-size=1280,1600 "$@"
}
chrome --dump-dom "file://$OUT/r.html" >"$OUT/dom.html" 2>"$OUT/dom.err"
grep -q 'data-sortable="yes"' "$OUT/dom.html"
check "the page's script ran to its end (data-sortable=yes)" $?
cons=$(grep -E 'CONSOLE|Uncaught|Refused to' "$OUT/dom.err" | head -5)
check "no console messages or errors" "$([ -z "$cons" ] && echo 0 || echo 1)" "$cons"

label() { # LABEL: the value the DOM shows for it in the first chart that has it
    grep -o "data-label=\"$1\" data-value=\"[0-9]*\"" "$OUT/dom.html" | head -1 | sed 's/.*data-value="//; s/"//'
}
bad=""
for pair in "dane|protection = 'dane'" "none|protection = 'none'" "mta-sts-testing|protection = 'mta-sts-testing'" \
    "DANE all MX|dane = 'all'" "MTA-STS enforce|mta_sts_mode = 'enforce'" "MTA-STS testing|mta_sts_mode = 'testing'" \
    "TLS-RPT|tlsrpt = 'valid'"; do
    l=${pair%%|*} w=${pair#*|}
    [ "$(label "$l")" = "$(q "$w")" ] || bad="$bad $l: page '$(label "$l")', store '$(q "$w")';"
done
check "chart labels carry the store's numbers (verdicts, DANE, MTA-STS, TLS-RPT)" "$([ -z "$bad" ] && echo 0 || echo 1)" "$bad"
nruns=$(sqlite3 "$DB" 'SELECT count(DISTINCT run_id) FROM domains')
pts=$(grep -o '<g class="series" data-series="readable">.*' "$OUT/dom.html" | grep -o '<circle' | head -50 | wc -l)
rd=$(sqlite3 "$DB" "SELECT count(*) FROM domains WHERE run_id = $RUN AND can_read = 1")
check "over time: one point per run, the newest 'readable' label = the store's" \
    "$([ "$pts" -ge "$nruns" ] && [ "$(label readable)" = "$rd" ] && echo 0 || echo 1)" "$pts points, readable '$(label readable)' vs $rd"
grep -q '<svg' "$OUT/r.html" && ! grep -q '<script src' "$OUT/r.html"
check "charts are inline SVG; the script is inline" $?

# sorted by a link: #sort=-0 is the domain column, descending
chrome --dump-dom "file://$OUT/r.html#sort=-0" >"$OUT/sorted.html" 2>/dev/null
first=$(tr -d '\n' <"$OUT/sorted.html" | grep -o '<table id="domains">.*' | grep -o '<tbody> *<tr><td>[^<]*' | head -1 | sed 's/.*<td>//')
want=$(sqlite3 "$DB" "SELECT domain FROM domains WHERE run_id = $RUN ORDER BY domain DESC LIMIT 1")
check "sortable: #sort=-0 puts $want first" "$([ "$first" = "$want" ] && echo 0 || echo 1)" "first: '$first'"

chrome --screenshot="$OUT/shot.png" "file://$OUT/r.html" >/dev/null 2>&1
stats=$(/usr/bin/python3 - "$OUT/shot.png" <<'EOF'
import struct, sys, zlib
d = open(sys.argv[1], 'rb').read()
assert d[:8] == b'\x89PNG\r\n\x1a\n'
pos, idat, w = 8, b'', 0
while pos < len(d):
    n, t = struct.unpack('>I4s', d[pos:pos + 8]); body = d[pos + 8:pos + 8 + n]; pos += 12 + n
    if t == b'IHDR': w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
    elif t == b'IDAT': idat += body
bpp = {2: 3, 6: 4}[ctype]
raw, stride, prev, out = zlib.decompress(idat), w * bpp, bytearray(w * bpp), 0
colors, nonwhite, i = set(), 0, 0
for y in range(h):
    f = raw[i]; line = bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0; b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp * 4):
        px = bytes(line[x:x + 3]); colors.add(px)
        if px != b'\xff\xff\xff': nonwhite += 1
    prev = line
print(w, h, nonwhite * 400 // (w * h), len(colors))
EOF
)
read -r sw sh pct ncol <<<"$stats"
check "screenshot ${sw}x${sh}: not blank (${pct}% of pixels not white, $ncol colours)" \
    "$([ "${pct:-0}" -ge 3 ] && [ "${ncol:-0}" -ge 8 ] && echo 0 || echo 1)" "$stats"
[ -n "${REPORT_KEEP:-}" ] && cp "$OUT/shot.png" "$OUT/r.html" "$REPORT_KEEP/"

echo "report: $pass passed, $fail failed ($(($(date +%s) - t0)) s)"
[ $fail = 0 ]
