#!/usr/bin/env bash
# tests/fake/full.sh PATH/TO/mailtls [PROFILE...] -- `mailtls host --full` against the legacy TLS
# responders of fakesmtp.py (tls:<profile>, tests/fake/tls-profiles.json); see
# docs/internals/full-tests.md.
#
# For each profile: the findings it must produce (and must not), the enumerated versions and
# suite lists against the profile's own lists (server order: same order; client order: same
# set), server_order, the extensions the profile sets, and the connection count against the
# floor. The ordinary OpenSSL handshake of `mailtls host` fails against these servers (they stop
# after ServerHelloDone): tls.handshake_failed is expected and ignored.
#
# Then the STARTTLS command-injection test (CVE-2011-0411, docs/internals/starttls-injection.md)
# against four real-TLS scenarios of fakesmtp.py (Python's ssl, a throw-away key made here):
# pipeline_vulnerable (keeps the NOOP pipelined behind STARTTLS and answers it inside TLS) and
# pipeline_slow (the same, answering only after mailtls stopped listening: caught by the order
# of the replies to QUIT) and pipeline_slow_503 (runs it late inside TLS and answers 503: any
# reply but 421/220 before the 221 answers the NOOP, RFC 2920 §3.2) must give
# starttls.command_injection; pipeline_quit_close (closes on QUIT without a 221) and
# pipeline_quit_5xx (answers QUIT alone with a 550, then closes) must give inconclusive;
# pipeline_safe (discards it) and pipeline_plaintext (answers it before TLS) must not;
# pipeline_busy_once (safe, but the first pipelined STARTTLS gets 421) must give not_vulnerable
# from a second try alone when the test ran beside the enumeration, and inconclusive when it ran
# alone from the start (--max-conn 1); every run must send the server nothing but EHLO,
# STARTTLS, NOOP, QUIT (and HELO), and the server's connection count must equal .connections;
# outside the sanitizer builds (LeakSanitizer cannot run under ptrace) strace counts the
# connections open at once, which must not exceed --max-conn. Pass "pipeline" (or
# pipeline_safe ...) as a PROFILE to run only these; FAKE_FULL_PIPELINE=0 skips them.
#
# Output: "ok PROFILE: check" / "FAIL PROFILE: check: why" lines, then "N passed, M failed".
# Each profile is scanned twice: with the default --max-conn (2: versions split over parallel
# lanes) and with --max-conn 1 (one planner sees every version); FAKE_FULL_MAXCONN="default 1 3"
# changes the set. FAKE_KEEP=1 keeps the work directory. Only 127.0.0.1 is contacted.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
FAKE="$HERE/fakesmtp.py"
PROFILES_JSON="$HERE/tls-profiles.json"
if [ $# -lt 1 ] || [ ! -x "$1" ]; then
	echo "usage: $0 PATH/TO/mailtls [PROFILE...]" >&2
	exit 2
fi
MAILTLS=$1
shift
# strace counts the connections open at once, except in the sanitizer builds (`make sanitize`
# sets ASAN_OPTIONS): LeakSanitizer cannot run under ptrace
TRACE=1
[ -z "${ASAN_OPTIONS:-}" ] || TRACE=0
for tool in python3 jq timeout openssl $([ $TRACE = 1 ] && echo strace); do
	command -v "$tool" >/dev/null || { echo "$0: needs $tool" >&2; exit 2; }
done
ALL=$(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))))' "$PROFILES_JSON")
PROFILES=${*:-$ALL}
PIPELINE="pipeline_vulnerable pipeline_slow pipeline_slow_503 pipeline_quit_close pipeline_quit_5xx pipeline_safe pipeline_plaintext pipeline_busy_once"
SESSIONS="sess_closed sess_open sess_tls13"
if [ $# -gt 0 ]; then
	want=
	wants=
	for a in "$@"; do
		case $a in
		pipeline) want="$PIPELINE" ;;
		pipeline_*) want="$want $a" ;;
		sessions) wants="$SESSIONS" ;;
		sess_*) wants="$wants $a" ;;
		esac
	done
	PIPELINE=$want
	SESSIONS=$wants
	PROFILES=$(for a in "$@"; do case $a in pipeline*|sess*) ;; *) echo "$a" ;; esac; done)
fi
[ "${FAKE_FULL_PIPELINE:-1}" = 0 ] && PIPELINE=
[ "${FAKE_FULL_SESSIONS:-1}" = 0 ] && SESSIONS=

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mailtls-fakefull.XXXXXX")
SERVER_PID=
BACKEND_PID=
cleanup() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	[ -n "$BACKEND_PID" ] && kill "$BACKEND_PID" 2>/dev/null && wait "$BACKEND_PID" 2>/dev/null
	if [ "${FAKE_KEEP:-0}" = 1 ] || grep -q '^FAIL' "$WORK/results" 2>/dev/null; then
		echo "(work directory kept: $WORK)" >&2
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
: >"$WORK/results"

# The checks: python3 check.py PROFILES_JSON PROFILE MAILTLS_JSON -> ok/FAIL lines
cat >"$WORK/check.py" <<'PYEOF'
import json, sys

profiles = json.load(open(sys.argv[1]))
prof = profiles[sys.argv[2]]
name = sys.argv[4] if len(sys.argv) > 4 else sys.argv[2]
try:
    ep = json.load(open(sys.argv[3]))["endpoints"][0]
except Exception as e:  # no report at all
    print("FAIL %s: JSON report: %s" % (name, e))
    sys.exit(0)
tls = ep.get("tls") or {}
ids = {f["id"] for f in ep.get("findings", [])}

# code -> IANA name (TLS) or SSLv2 kind name, for every code the profiles use; 1.2-only suites
NAMES = {
    0x0003: "TLS_RSA_EXPORT_WITH_RC4_40_MD5", 0x0004: "TLS_RSA_WITH_RC4_128_MD5",
    0x0005: "TLS_RSA_WITH_RC4_128_SHA", 0x0006: "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5",
    0x0008: "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA", 0x0009: "TLS_RSA_WITH_DES_CBC_SHA",
    0x000a: "TLS_RSA_WITH_3DES_EDE_CBC_SHA", 0x0014: "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA",
    0x0033: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", 0x009e: "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
    # not in the IANA registry (draft-ietf-tls-56-bit-ciphersuites, OpenSSL 0.9.x EXP1024-*)
    0x0062: "TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA", 0x0064: "TLS_RSA_EXPORT1024_WITH_RC4_56_SHA",
    0xc013: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", 0xc014: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    0xc02f: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0xc030: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    0xcca8: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    0x002f: "TLS_RSA_WITH_AES_128_CBC_SHA", 0x009c: "TLS_RSA_WITH_AES_128_GCM_SHA256",
    0x010080: "SSL_CK_RC4_128_WITH_MD5", 0x020080: "SSL_CK_RC4_128_EXPORT40_WITH_MD5",
    0x030080: "SSL_CK_RC2_128_CBC_WITH_MD5", 0x040080: "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5",
    0x050080: "SSL_CK_IDEA_128_CBC_WITH_MD5", 0x060040: "SSL_CK_DES_64_CBC_WITH_MD5",
    0x0700c0: "SSL_CK_DES_192_EDE3_CBC_WITH_MD5",
}
TLS12_ONLY = {0xc02f, 0xc030, 0xcca8, 0x009e, 0x009c}
ORDER = ["TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1.0", "SSLv3", "SSLv2"]

results = []
def check(what, cond, why=""):
    results.append(("ok  " if cond else "FAIL") + " %s: %s%s" % (name, what, "" if cond else ": " + why))

# findings: each of these IDs is raised exactly when the profile implies it
CLEAR = {"tls.sslv2", "tls.sslv3", "tls.v1_0", "tls.v1_1", "tls.no_modern", "cipher.null",
         "cipher.anon", "cipher.export", "cipher.rc4", "cipher.3des", "tls.compression",
         "tls.insecure_renegotiation", "tls.no_fallback_scsv", "vuln.heartbleed", "kx.dh_weak"}
DHE = {0x0014, 0x0033, 0x009e}
must = set()
vers = prof["versions"]
codes = [int(c, 16) for c in prof["ciphers"]]
if "SSLv2" in vers: must.add("tls.sslv2")
if "SSLv3" in vers: must.add("tls.sslv3")
if "TLSv1.0" in vers: must.add("tls.v1_0")
if "TLSv1.1" in vers: must.add("tls.v1_1")
if "TLSv1.2" not in vers: must.add("tls.no_modern")
names = [NAMES[c] for c in codes] + [NAMES[int(c, 16)] for c in prof.get("sslv2_ciphers", [])]
if any("EXPORT" in n for n in names): must.add("cipher.export")
if any("RC4" in n for n in names): must.add("cipher.rc4")
if any("3DES" in n or "DES_192_EDE3" in n for n in names): must.add("cipher.3des")
if prof["compression"]: must.add("tls.compression")
tlsvers = [v for v in vers if v != "SSLv2"]
if tlsvers and not prof["secure_renegotiation"]: must.add("tls.insecure_renegotiation")
if len(tlsvers) >= 2 and not prof["fallback_scsv"]: must.add("tls.no_fallback_scsv")
if prof.get("heartbleed"): must.add("vuln.heartbleed")
ske = prof.get("server_key_exchange", False)
if ske and prof.get("dh_bits", 2048) < 2048 and DHE & set(codes): must.add("kx.dh_weak")
missing, extra = sorted(must - ids), sorted((ids & CLEAR) - must)
check("findings {%s} and no other of %d weakness IDs" % (" ".join(sorted(must)), len(CLEAR)),
      not missing and not extra, "missing %s, unexpected %s (got %s)" % (missing, extra, sorted(ids)))

# versions
got_v = tls.get("versions") or []
want_v = [v for v in ORDER if v in vers]
check("versions %s" % want_v, got_v == want_v, "got %s" % got_v)

# suites per version
ciphers = tls.get("ciphers") or {}
so = tls.get("server_order") or {}
for v in want_v:
    if v == "SSLv2":
        want = [NAMES[int(c, 16)] for c in prof["sslv2_ciphers"]]
        got = ciphers.get(v) or []
        check("SSLv2 cipher kinds", sorted(got) == sorted(want), "got %s, want %s" % (got, want))
        continue
    want = [NAMES[c] for c in codes if v == "TLSv1.2" or c not in TLS12_ONLY]
    got = ciphers.get(v) or []
    if prof["server_order"] and len(want) >= 2:
        check("%s suites in server order" % v, got == want, "got %s, want %s" % (got, want))
    else:
        check("%s suites" % v, sorted(got) == sorted(want),
              "got %s, want %s (missing %s, extra %s)" % (got, want,
              sorted(set(want) - set(got)), sorted(set(got) - set(want))))
    if len(want) >= 2:
        check("%s server_order %s" % (v, str(prof["server_order"]).lower()),
              so.get(v) is prof["server_order"], "got %s" % so.get(v))

# extensions the profile decides
ext = tls.get("extensions") or {}
if tlsvers:
    check("extensions.secure_renegotiation %s" % str(prof["secure_renegotiation"]).lower(),
          ext.get("secure_renegotiation") is prof["secure_renegotiation"], "got %s" % ext.get("secure_renegotiation"))
    # every <= 1.2 hello offers DEFLATE and heartbeat: the answer is known, true or false
    check("extensions.compression %s" % str(prof["compression"]).lower(),
          ext.get("compression") is prof["compression"], "got %s" % ext.get("compression"))
    check("extensions.heartbeat %s" % str(prof["heartbeat"]).lower(),
          ext.get("heartbeat") is prof["heartbeat"], "got %s" % ext.get("heartbeat"))
    if len(tlsvers) >= 2:
        check("extensions.fallback_scsv %s" % str(prof["fallback_scsv"]).lower(),
              ext.get("fallback_scsv") is prof["fallback_scsv"], "got %s" % ext.get("fallback_scsv"))
    else:
        check("extensions.fallback_scsv null (one version)", ext.get("fallback_scsv") is None,
              "got %s" % ext.get("fallback_scsv"))

# key exchange read from ServerKeyExchange messages
if ske:
    GROUPS = {0x0017: "secp256r1", 0x0018: "secp384r1", 0x0019: "secp521r1", 0x001d: "x25519", 0x001e: "x448"}
    kx = tls.get("key_exchange") or []
    dh = sorted({k.get("bits") for k in kx if k.get("kx") == "DHE"})
    want_dh = [prof.get("dh_bits", 2048)] if DHE & set(codes) else []
    check("key_exchange DHE bits %s" % want_dh, dh == want_dh, "got %s" % dh)
    ec = [k.get("group") for k in kx if k.get("kx") == "ECDHE"]
    want_ec = [GROUPS[int(c, 16)] for c in prof.get("curves", ["0x0017"])]
    check("key_exchange ECDHE groups %s" % want_ec, sorted(ec) == sorted(want_ec), "got %s" % ec)

# the checks beyond enumeration (issue 13, docs/internals/vuln-checks.md), from the profile
chk = tls.get("checks") or {}
RSA_KX = {0x0003, 0x0004, 0x0005, 0x0006, 0x0008, 0x0009, 0x000a, 0x0062, 0x0064, 0x002f, 0x009c}
tls1x = [v for v in vers if v in ("TLSv1.0", "TLSv1.1", "TLSv1.2")]
plain_rsa = [c_ for c_ in codes if c_ in RSA_KX and "EXPORT" not in NAMES[c_]
             and (c_ not in TLS12_ONLY or "TLSv1.2" in tls1x)]
robot = (chk.get("robot") or {})
if prof.get("robot"):
    want_r = "vulnerable_%s_oracle" % prof["robot"]
elif tls1x and plain_rsa:
    want_r = "not_vulnerable"
else:
    want_r = "not_applicable"
check("checks.robot.result %s" % want_r, robot.get("result") == want_r,
      "got %s (%s)" % (robot.get("result"), robot.get("detail")))
want_rc = 0 if want_r == "not_applicable" else 5 if want_r == "not_vulnerable" else 10
check("checks.robot.connections %d" % want_rc, robot.get("connections") == want_rc,
      "got %s" % robot.get("connections"))
check("finding vuln.robot %s" % ("raised" if prof.get("robot") else "absent"),
      ("vuln.robot" in ids) == bool(prof.get("robot")), "got %s" % sorted(ids))
ccs = chk.get("ccs_injection") or {}
want_c = "vulnerable" if prof.get("ccs_injection") else "not_vulnerable" if tls1x else "not_applicable"
check("checks.ccs_injection.result %s, %d connection(s)" % (want_c, 1 if tls1x else 0),
      ccs.get("result") == want_c and ccs.get("connections") == (1 if tls1x else 0),
      "got %s" % ccs)
check("finding vuln.ccs_injection %s" % ("raised" if prof.get("ccs_injection") else "absent"),
      ("vuln.ccs_injection" in ids) == bool(prof.get("ccs_injection")), "got %s" % sorted(ids))
kxh = chk.get("key_exchange_hash") or {}
sigs = [int(x, 16) for x in prof.get("ske_sigalgs", ["0x0401"])]
if ske and "TLSv1.2" in vers and any(c_ in DHE or (c_ >> 8) == 0xc0 for c_ in codes):
    sha2_ok = any((x >> 8) not in (1, 2) for x in sigs)
    want_k = "sha2" if sha2_ok else "sha1_only"
    # a confirming hello only when SHA-1 was all the enumeration saw
    want_kc = 1 if (sigs[0] >> 8) in (1, 2) else 0
    check("checks.key_exchange_hash %s, %d connection(s)" % (want_k, want_kc),
          kxh.get("result") == want_k and kxh.get("connections") == want_kc, "got %s" % kxh)
    check("finding kx.sha1_only %s" % ("raised" if not sha2_ok else "absent"),
          ("kx.sha1_only" in ids) == (not sha2_ok), "got %s" % sorted(ids))
check("no finding of a check that needs a completed handshake",
      not ids & {"tls.client_renegotiation", "tls.early_data", "cert.chain_order",
                 "cert.chain_incomplete", "tls.ocsp_staple_bad"}, "got %s" % sorted(ids))

# connections
en = tls.get("enumeration") or {}
c, fl = en.get("connections"), en.get("floor")
# the STARTTLS command-injection test's connection is counted there, and so are the checks
# beyond enumeration (tls.checks.connections): neither is enumeration
ci = ((ep.get("starttls") or {}).get("command_injection") or {}).get("connections", 0)
ci += chk.get("connections", 0)
check("enumeration complete, connections %s - %s <= 1.1 x floor %s + 3" % (c, ci, fl),
      en.get("complete") is True and c is not None and fl is not None and c - ci <= 1.1 * fl + 3,
      "enumeration %s" % en)
# the legacy responders read "NOOP" where the ClientHello belongs: never a vulnerable verdict
check("starttls.command_injection not vulnerable",
      ((ep.get("starttls") or {}).get("command_injection") or {}).get("result") != "vulnerable"
      and "starttls.command_injection" not in ids, "got %s" % (ep.get("starttls") or {}))
check(".connections >= enumeration.connections",
      isinstance(ep.get("connections"), int) and c is not None and ep["connections"] >= c,
      "connections %s" % ep.get("connections"))

print("\n".join(results))
PYEOF

# one_run PROFILE MAXCONN: a fresh server, one mailtls run, the checks
one_run() {
	local p=$1 m=$2 label tag rc i PORT
	label=$p
	[ "$m" = default ] || label="$p(max-conn $m)"
	tag="$p.$m"
	rm -f "$WORK/$tag.port"
	local keyargs=()
	# a "robot" profile decrypts the ClientKeyExchange: its certificate and key from here
	if jq -e --arg p "$p" '.[$p].robot // empty' "$PROFILES_JSON" >/dev/null; then
		keyargs=(--cert "$WORK/tls-cert.der" --tls-key "$WORK/tls-key.pem")
	fi
	python3 "$FAKE" --addr 127.0.0.1 --port 0 --scenario "tls:$p" --profiles "$PROFILES_JSON" \
		"${keyargs[@]}" --ready-file "$WORK/$tag.port" >/dev/null 2>"$WORK/$tag.server.log" &
	SERVER_PID=$!
	for ((i = 0; i < 200; i++)); do
		[ -s "$WORK/$tag.port" ] && break
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.05
	done
	PORT=$(cat "$WORK/$tag.port" 2>/dev/null)
	if [ -z "$PORT" ]; then
		echo "FAIL $label: fake server did not start ($WORK/$tag.server.log)" | tee -a "$WORK/results"
		kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=
		return
	fi
	local extra=()
	[ "$m" = default ] || extra=(--max-conn "$m")
	timeout -k 5 90 "$MAILTLS" host "127.0.0.1:$PORT" --full --json --timeout 30 "${extra[@]}" \
		</dev/null >"$WORK/$tag.json" 2>"$WORK/$tag.err"
	rc=$?
	kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=
	if [ $rc -gt 1 ]; then
		echo "FAIL $label: mailtls exit $rc: $(head -c 300 "$WORK/$tag.err")" | tee -a "$WORK/results"
		return
	fi
	if ! python3 "$WORK/check.py" "$PROFILES_JSON" "$p" "$WORK/$tag.json" "$label" >"$WORK/$tag.checks" 2>&1; then
		echo "FAIL $label: checker error: $(tail -n 1 "$WORK/$tag.checks")" >>"$WORK/$tag.checks"
	fi
	grep -E '^(ok|FAIL) ' "$WORK/$tag.checks" | tee -a "$WORK/results"
}

# A throw-away RSA key: the real-TLS scenarios (pipeline_*, the s_server backends) and the
# "robot" profiles, whose oracle decrypts with it.
if ! openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/tls-key.pem" -out "$WORK/tls-cert.pem" \
	-days 30 -subj /CN=fake.mailtls.test \
	-addext subjectAltName=DNS:fake.mailtls.test,DNS:localhost >/dev/null 2>&1 ||
	! openssl x509 -in "$WORK/tls-cert.pem" -outform der -out "$WORK/tls-cert.der" 2>/dev/null; then
	echo "FAIL setup: cannot make a throw-away key with openssl" | tee -a "$WORK/results"
	PIPELINE=
fi

# The default (--max-conn 2) splits the versions over parallel lanes; --max-conn 1 is one planner.
for p in $PROFILES; do
	for m in ${FAKE_FULL_MAXCONN:-default 1}; do
		one_run "$p" "$m"
	done
done

# pipeline_run SCENARIO EXPECTED-RESULT [MAXCONN [CONNECTIONS]]: the command-injection test against
# one real-TLS server; with the default --max-conn it runs beside the enumeration, with 1 after it;
# CONNECTIONS (default 1) is what the test itself should have used
pipeline_run() {
	local sc=$1 want=$2 m=${3:-default} wantc=${4:-1} i rc PORT res seen conns tag label peak extra=()
	tag=$sc.$m label=$sc
	[ "$m" = default ] || { label="$sc(max-conn $m)"; extra=(--max-conn "$m"); }
	rm -f "$WORK/$tag.port"
	python3 "$FAKE" --addr 127.0.0.1 --port 0 --scenario "$sc" --tls-cert "$WORK/tls-cert.pem" \
		--tls-key "$WORK/tls-key.pem" --ready-file "$WORK/$tag.port" >/dev/null 2>"$WORK/$tag.server.log" &
	SERVER_PID=$!
	for ((i = 0; i < 200; i++)); do
		[ -s "$WORK/$tag.port" ] && break
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.05
	done
	PORT=$(cat "$WORK/$tag.port" 2>/dev/null)
	if [ -z "$PORT" ]; then
		echo "FAIL $label: fake server did not start ($WORK/$tag.server.log)" | tee -a "$WORK/results"
		kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=
		return
	fi
	# under strace (TRACE=1): the connections open at once, as mailtls opened and closed them
	local tracer=()
	[ $TRACE = 0 ] || tracer=(strace -f -qq -e trace=connect,close -o "$WORK/$tag.strace")
	rm -f "$WORK/$tag.strace"
	timeout -k 5 90 "${tracer[@]}" "$MAILTLS" host "127.0.0.1:$PORT" --full --json --timeout 30 \
		"${extra[@]}" </dev/null >"$WORK/$tag.json" 2>"$WORK/$tag.err"
	rc=$?
	sleep 0.2	# let the server log the last connection's end
	kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=
	if [ $rc -gt 1 ]; then
		echo "FAIL $label: mailtls exit $rc: $(head -c 300 "$WORK/$tag.err")" | tee -a "$WORK/results"
		return
	fi
	# under `make sanitize` an ASan/UBSan report may come with exit status 1 ("findings")
	if grep -Eq 'ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:' "$WORK/$tag.err"; then
		echo "FAIL $label: sanitizer report: $(grep -Em1 'ERROR|runtime error' "$WORK/$tag.err")" | tee -a "$WORK/results"
	else
		echo "ok   $label: no sanitizer report" | tee -a "$WORK/results"
	fi
	res=$(jq -r '.endpoints[0].starttls.command_injection.result // "missing"' "$WORK/$tag.json" 2>/dev/null)
	if [ "$res" = "$want" ]; then
		echo "ok   $label: starttls.command_injection.result $want" | tee -a "$WORK/results"
	else
		echo "FAIL $label: starttls.command_injection.result $res, want $want ($(jq -c \
			'.endpoints[0].starttls.command_injection' "$WORK/$tag.json" 2>/dev/null))" | tee -a "$WORK/results"
	fi
	if [ "$want" = vulnerable ]; then
		jq -e '[.endpoints[0].findings[].id] | index("starttls.command_injection") != null' \
			"$WORK/$tag.json" >/dev/null
	else
		jq -e '[.endpoints[0].findings[].id] | index("starttls.command_injection") == null' \
			"$WORK/$tag.json" >/dev/null
	fi
	if [ $? -eq 0 ]; then
		echo "ok   $label: finding starttls.command_injection $([ "$want" = vulnerable ] || echo "not ")raised" | tee -a "$WORK/results"
	else
		echo "FAIL $label: finding starttls.command_injection wrong (got $(jq -c \
			'[.endpoints[0].findings[].id]' "$WORK/$tag.json" 2>/dev/null))" | tee -a "$WORK/results"
	fi
	# the only commands any connection sent: EHLO, HELO, STARTTLS, NOOP (pipelined), QUIT
	seen=$(sed -n 's/.* command \([A-Za-z]*\).*/\1/p' "$WORK/$tag.server.log" | sort -u | tr '\n' ' ')
	if [ -n "$seen" ] && ! echo "$seen" | grep -Eqw 'MAIL|RCPT|DATA|AUTH|BDAT|VRFY|EXPN|RSET|ETRN' &&
		grep -Eq 'command NOOP|STARTTLS: .*NOOP' "$WORK/$tag.server.log"; then
		echo "ok   $label: commands sent: $seen" | tee -a "$WORK/results"
	else
		echo "FAIL $label: commands sent: ${seen:-none} (want only EHLO STARTTLS NOOP QUIT)" | tee -a "$WORK/results"
	fi
	# --max-conn (default 2) holds with the injection test beside the enumeration (not traced
	# in the sanitizer builds)
	if [ $TRACE = 1 ]; then
		peak=$(python3 -c '
import re, sys
port, live, peak = sys.argv[2], set(), 0
for line in open(sys.argv[1]):
    m = re.search(r"connect\((\d+), .*htons\((\d+)\)", line)
    if m and m.group(2) == port:
        live.add(m.group(1))
        peak = max(peak, len(live))
    m = re.search(r"close\((\d+)\)", line)
    if m:
        live.discard(m.group(1))
print(peak)' "$WORK/$tag.strace" "$PORT" 2>/dev/null)
		if [ -n "$peak" ] && [ "$peak" -ge 1 ] && [ "$peak" -le "${m/default/2}" ]; then
			echo "ok   $label: at most $peak connections at a time (--max-conn ${m/default/2})" | tee -a "$WORK/results"
		else
			echo "FAIL $label: ${peak:-?} connections at a time, --max-conn ${m/default/2}" | tee -a "$WORK/results"
		fi
	fi
	conns=$(grep -c ': connection from ' "$WORK/$tag.server.log")
	if [ "$(jq -r '.endpoints[0].connections' "$WORK/$tag.json")" = "$conns" ] &&
		jq -e --argjson n "$wantc" '.endpoints[0].starttls.command_injection.connections == $n' "$WORK/$tag.json" >/dev/null; then
		echo "ok   $label: .connections = $conns, the server's count (the test's $wantc included)" | tee -a "$WORK/results"
	else
		echo "FAIL $label: .connections $(jq -r '.endpoints[0].connections' "$WORK/$tag.json"), server saw $conns;" \
			"the test's $(jq -r '.endpoints[0].starttls.command_injection.connections' "$WORK/$tag.json"), want $wantc" | tee -a "$WORK/results"
	fi
}

for sc in $PIPELINE; do
	case $sc in
	pipeline_vulnerable | pipeline_slow | pipeline_slow_503) pipeline_run "$sc" vulnerable ;;
	pipeline_quit_close | pipeline_quit_5xx) pipeline_run "$sc" inconclusive ;;
	# 421 beside the enumeration: once more, alone
	pipeline_busy_once) pipeline_run "$sc" not_vulnerable default 2 ;;
	*) pipeline_run "$sc" not_vulnerable ;;
	esac
done
# the test after the enumeration, alone (--max-conn 1), and with a third lane (--max-conn 3)
for sc in $PIPELINE; do
	case $sc in
	pipeline_vulnerable) pipeline_run "$sc" vulnerable 1 ;;
	pipeline_safe) pipeline_run "$sc" not_vulnerable 1; pipeline_run "$sc" not_vulnerable 3 ;;
	# alone from the start: its 421 stands (a server refusing the pipelined STARTTLS)
	pipeline_busy_once) pipeline_run "$sc" inconclusive 1 1 ;;
	esac
done

# ---- The session checks (issue 13) against a real TLS stack: fakesmtp.py's "backend" scenario
# does the SMTP part and relays every byte after the 220 to `openssl s_server`, started here with
# the behaviour each case wants. A small PKI: root CA, intermediate, a leaf for mx.lab.example
# with an embedded SCT list, and an OCSP response ("good") for the leaf.
make_pki() {
	local d=$WORK/pki sct
	mkdir -p "$d" || return 1
	# an RFC 6962 SignedCertificateTimestampList with one v1 SCT (fake log id and signature):
	# OpenSSL parses it, nobody could verify it
	sct=$(python3 -c '
import struct, os
s = bytes([0]) + b"\x11" * 32 + struct.pack("!Q", 1700000000000) + b"\x00\x00" + bytes([4, 3]) + struct.pack("!H", 8) + b"\x22" * 8
lst = struct.pack("!H", len(s)) + s
lst = struct.pack("!H", len(lst)) + lst
print("04%02x" % len(lst) + lst.hex())')
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/root.key" -out "$d/root.pem" -days 30 \
		-subj "/CN=mailtls fake root" >/dev/null 2>&1 &&
	openssl req -newkey rsa:2048 -nodes -keyout "$d/int.key" -out "$d/int.csr" \
		-subj "/CN=mailtls fake intermediate" >/dev/null 2>&1 &&
	printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' >"$d/int.ext" &&
	openssl x509 -req -in "$d/int.csr" -CA "$d/root.pem" -CAkey "$d/root.key" -CAcreateserial \
		-days 30 -extfile "$d/int.ext" -out "$d/int.pem" >/dev/null 2>&1 &&
	openssl req -newkey rsa:2048 -nodes -keyout "$d/leaf.key" -out "$d/leaf.csr" \
		-subj "/CN=mx.lab.example" >/dev/null 2>&1 &&
	printf 'subjectAltName=DNS:mx.lab.example\n1.3.6.1.4.1.11129.2.4.2=DER:%s\n' "$sct" >"$d/leaf.ext" &&
	openssl x509 -req -in "$d/leaf.csr" -CA "$d/int.pem" -CAkey "$d/int.key" -CAcreateserial \
		-days 30 -extfile "$d/leaf.ext" -out "$d/leaf.pem" >/dev/null 2>&1 &&
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/other.key" -out "$d/other.pem" -days 30 \
		-subj "/CN=unrelated" >/dev/null 2>&1 || return 1
	# out of order and with an extra: root, an unrelated certificate, then the intermediate
	cat "$d/root.pem" "$d/other.pem" "$d/int.pem" >"$d/badchain.pem"
	printf 'V\t%s\t\t%s\tunknown\t%s\n' "$(date -u -d '+30 days' +%y%m%d%H%M%SZ)" \
		"$(openssl x509 -in "$d/leaf.pem" -noout -serial | cut -d= -f2)" \
		"$(openssl x509 -in "$d/leaf.pem" -noout -subject -nameopt compat | sed 's/^subject=//')" >"$d/index.txt"
	openssl ocsp -index "$d/index.txt" -rsigner "$d/int.pem" -rkey "$d/int.key" -CA "$d/int.pem" \
		-issuer "$d/int.pem" -cert "$d/leaf.pem" -ndays 1 -respout "$d/ocsp.der" >/dev/null 2>&1
}

# backend_run CASE "S_SERVER OPTIONS" JQ-CHECK...: each check is "description|jq expression on
# the endpoint"; plus: no sanitizer report, and the fake's connection count equals .connections.
backend_run() {
	local sc=$1 sopts=$2 i rc PORT BPORT conns desc expr
	shift 2
	BPORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	rm -f "$WORK/$sc.fifo"; mkfifo "$WORK/$sc.fifo"
	exec 9<>"$WORK/$sc.fifo"	# s_server's stdin never ends (it closes sessions on EOF)
	# shellcheck disable=SC2086
	openssl s_server -accept "127.0.0.1:$BPORT" -quiet $sopts <"$WORK/$sc.fifo" \
		>"$WORK/$sc.s_server.log" 2>&1 &
	BACKEND_PID=$!
	rm -f "$WORK/$sc.port"
	python3 "$FAKE" --addr 127.0.0.1 --port 0 --scenario backend --tls-backend "$BPORT" \
		--ready-file "$WORK/$sc.port" >/dev/null 2>"$WORK/$sc.server.log" &
	SERVER_PID=$!
	for ((i = 0; i < 200; i++)); do
		[ -s "$WORK/$sc.port" ] && break
		sleep 0.05
	done
	PORT=$(cat "$WORK/$sc.port" 2>/dev/null)
	if [ -z "$PORT" ] || ! kill -0 "$BACKEND_PID" 2>/dev/null; then
		echo "FAIL $sc: servers did not start ($WORK/$sc.server.log, $WORK/$sc.s_server.log)" | tee -a "$WORK/results"
	else
		timeout -k 5 180 "$MAILTLS" host "127.0.0.1:$PORT" --full --json --timeout 30 \
			--reply-timeout 2 --name mx.lab.example --ca-file "$WORK/pki/root.pem" \
			</dev/null >"$WORK/$sc.json" 2>"$WORK/$sc.err"
		rc=$?
		sleep 0.2
		if [ $rc -gt 1 ]; then
			echo "FAIL $sc: mailtls exit $rc: $(head -c 300 "$WORK/$sc.err")" | tee -a "$WORK/results"
		else
			if grep -Eq 'ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:' "$WORK/$sc.err"; then
				echo "FAIL $sc: sanitizer report: $(grep -Em1 'ERROR|runtime error' "$WORK/$sc.err")" | tee -a "$WORK/results"
			else
				echo "ok   $sc: no sanitizer report" | tee -a "$WORK/results"
			fi
			for c in "$@"; do
				desc=${c%%|*}
				expr=${c#*|}
				if jq -e ".endpoints[0] | $expr" "$WORK/$sc.json" >/dev/null 2>&1; then
					echo "ok   $sc: $desc" | tee -a "$WORK/results"
				else
					echo "FAIL $sc: $desc (checks: $(jq -c '.endpoints[0].tls.checks | del(.robot.reactions)' \
						"$WORK/$sc.json" 2>/dev/null | head -c 900); findings: $(jq -c \
						'[.endpoints[0].findings[].id]' "$WORK/$sc.json" 2>/dev/null))" | tee -a "$WORK/results"
				fi
			done
			conns=$(grep -c ': connection from ' "$WORK/$sc.server.log")
			if [ "$(jq -r '.endpoints[0].connections' "$WORK/$sc.json")" = "$conns" ]; then
				echo "ok   $sc: .connections = $conns, the server's count" | tee -a "$WORK/results"
			else
				echo "FAIL $sc: .connections $(jq -r '.endpoints[0].connections' "$WORK/$sc.json"), server saw $conns" | tee -a "$WORK/results"
			fi
		fi
	fi
	kill "$SERVER_PID" "$BACKEND_PID" 2>/dev/null
	wait "$SERVER_PID" "$BACKEND_PID" 2>/dev/null
	SERVER_PID= BACKEND_PID=
	exec 9>&-
}

has() { echo "[.findings[].id] | index(\"$1\") != null"; }
hasnt() { echo "[.findings[].id] | index(\"$1\") == null"; }

if [ -n "$SESSIONS" ] && ! make_pki; then
	echo "FAIL sessions: cannot make the test PKI with openssl" | tee -a "$WORK/results"
	SESSIONS=
fi
P=$WORK/pki
for sc in $SESSIONS; do
	case $sc in
	sess_closed)
		# OpenSSL 3 defaults at TLS 1.2 (client renegotiation refused), no tickets, no cache;
		# the self-signed throw-away certificate: no SCT, no staple, a one-certificate chain
		backend_run "$sc" "-cert $WORK/tls-cert.pem -key $WORK/tls-key.pem -tls1_2 -no_ticket -no_cache" \
			"client renegotiation refused|.tls.checks.client_renegotiation.accepted == false" \
			"no finding tls.client_renegotiation|$(hasnt tls.client_renegotiation)" \
			"resumption by ID and ticket: no, and tls.no_resumption|.tls.checks.resumption.session_id == false and .tls.checks.resumption.ticket == false and ($(has tls.no_resumption))" \
			"early data not applicable (no TLS 1.3)|.tls.checks.early_data.accepted == null" \
			"OCSP none, tls.ocsp_not_stapled|.tls.checks.ocsp_stapling.status == \"none\" and ($(has tls.ocsp_not_stapled))" \
			"no SCT, cert.no_sct|.tls.checks.sct.certificate == 0 and ($(has cert.no_sct))" \
			"EMS supported|.tls.checks.extended_master_secret.supported == true and ($(hasnt tls.no_extended_master_secret))" \
			"key-exchange hash sha2|.tls.checks.key_exchange_hash.result == \"sha2\" and ($(hasnt kx.sha1_only))" \
			"ROBOT not vulnerable in 5 connections|.tls.checks.robot.result == \"not_vulnerable\" and .tls.checks.robot.connections == 5" \
			"CCS injection not vulnerable|.tls.checks.ccs_injection.result == \"not_vulnerable\"" \
			"two session connections (S1, S2)|.tls.checks.session_connections == 2" \
			"the checks' wall time, under the deadlines|(.tls.checks.elapsed_ms | type == \"number\") and .tls.checks.elapsed_ms >= 0 and .tls.checks.elapsed_ms < 60000"
		;;
	sess_open)
		# client renegotiation allowed, 0-RTT, an OCSP staple, an SCT in the leaf, the chain out
		# of order with an unrelated certificate; TLS 1.2 and 1.3
		backend_run "$sc" "-cert $P/leaf.pem -key $P/leaf.key -cert_chain $P/badchain.pem -client_renegotiation -early_data -status_file $P/ocsp.der" \
			"client renegotiation accepted, tls.client_renegotiation|.tls.checks.client_renegotiation.accepted == true and ($(has tls.client_renegotiation))" \
			"resumption by ID and by TLS 1.3 ticket|.tls.checks.resumption.session_id == true and .tls.checks.resumption.ticket == true and .tls.checks.resumption.ticket_version == \"TLSv1.3\" and .tls.checks.resumption.ticket_lifetime_tls13 > 0" \
			"0-RTT offered and accepted, tls.early_data|.tls.checks.early_data.offered == true and .tls.checks.early_data.accepted == true and ($(has tls.early_data))" \
			"OCSP staple good|.tls.checks.ocsp_stapling.status == \"good\" and ($(hasnt tls.ocsp_not_stapled)) and ($(hasnt tls.ocsp_staple_bad))" \
			"SCT in the certificate|.tls.checks.sct.certificate >= 1 and ($(hasnt cert.no_sct))" \
			"chain out of order with one extra, root sent|.tls.checks.chain.ordered == false and .tls.checks.chain.extra == 1 and .tls.checks.chain.root_sent == true and .tls.checks.chain.complete == \"complete\"" \
			"cert.chain_order and cert.chain_extra, not cert.chain_incomplete|($(has cert.chain_order)) and ($(has cert.chain_extra)) and ($(hasnt cert.chain_incomplete))" \
			"four session connections|.tls.checks.session_connections == 4" \
			"grade not capped for renegotiation with RFC 5746|(.grade.reasons | map(select(test(\"renegotiation\"))) | length) == 0"
		;;
	sess_tls13)
		# TLS 1.3 only, the leaf without its intermediate (the verifier has only the root)
		backend_run "$sc" "-cert $P/leaf.pem -key $P/leaf.key -tls1_3" \
			"renegotiation and session IDs not applicable|.tls.checks.client_renegotiation.accepted == null and .tls.checks.resumption.session_id == null" \
			"TLS 1.3 ticket resumes, no 0-RTT offered|.tls.checks.resumption.ticket == true and .tls.checks.early_data.offered == false and ($(hasnt tls.early_data))" \
			"chain incomplete, cert.chain_incomplete|.tls.checks.chain.complete == \"incomplete\" and .tls.checks.chain.issuer_missing == true and ($(has cert.chain_incomplete))" \
			"ROBOT and CCS not applicable, no connection|.tls.checks.robot.result == \"not_applicable\" and .tls.checks.ccs_injection.result == \"not_applicable\" and .tls.checks.robot.connections == 0 and .tls.checks.ccs_injection.connections == 0" \
			"EMS not applicable|.tls.checks.extended_master_secret.supported == null" \
			"two session connections (S3, S4)|.tls.checks.session_connections == 2"
		;;
	esac
done

passed=$(grep -c '^ok' "$WORK/results")
failed=$(grep -c '^FAIL' "$WORK/results")
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
