#!/bin/bash
# domain-lab.sh -- a whole mail-domain lab on loopback for `mailtls check`:
# the lab CA, a few Postfix instances, Knot serving ~20 signed (and some unsigned/bogus) zones
# under example., and nginx serving MTA-STS policies. See docs/internals/domain-lab.md.
#
# usage:
#   domain-lab.sh start [BASEDIR]   (re)build and start everything; writes BASEDIR/env
#   domain-lab.sh stop [BASEDIR]    stop everything it started under BASEDIR
#
#   BASEDIR  default /tmp/mailtls-domlab
#
# environment:
#   DOMLAB_NET=127.0.1        the /24 for Postfix (NET.2 valid, NET.3 notls, NET.4 defaults) and nginx (NET.100)
#   DOMLAB_KNOT_PORT=53541    Knot on 127.0.0.1@PORT
#   DOMLAB_IPV6=1             a notls Postfix on [::1]:25 and AAAA ::1 for dual.dane.lab.example (0: neither)
#   DOMLAB_VERDICT=0          1: also the verdict-review domains (tests/real/verdict-lab.sh), the DNS
#                             proxy on 127.0.0.1@DOMLAB_PROXY_PORT (dnsproxy.py) and the unreachable
#                             IPv6 route for DOMLAB_UNREACH6 (removed by stop)
#   DOMLAB_PROXY_PORT=53542   the proxy's port (it forwards to Knot and drops or SERVFAILs by rule)
#   DOMLAB_UNREACH6=fd6d:6169:6c74:6c73   a /64 (ULA) routed `unreachable`: connect() gets EHOSTUNREACH
#   DOMLAB_POLICY=0           1: also the policy cases (tests/real/policyd.sh, tests/real/advise.sh):
#                             receiving Postfix instances at NET.20 (valid certificate), NET.21
#                             (self-signed) and NET.22 (weak: TLS 1.0, AUTH before TLS), and the
#                             pol-*.example domains that lead to them
#   LAB_VERBOSE=1             chatter on stderr
#
# BASEDIR/env (sh syntax, for tests to source):
#   RESOLVER=127.0.0.1@PORT  ANCHORS=BASEDIR/knot/anchors.txt  CA=BASEDIR/certs/ca.pem
#   NET=...  NGINX_ADDR=...  INSTANCES="name ..."  DOMAINS="domain ..."  BASEDIR=...
#   with DOMLAB_VERDICT=1 also: PROXY=127.0.0.1@PORT  VERDICT_DOMAINS="domain ..."  UNREACH6=ADDR
#
# Success is silent. Failures print the reason on stderr, stop what was started, exit non-zero.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
NET=${DOMLAB_NET:-127.0.1}
KNOT_PORT=${DOMLAB_KNOT_PORT:-53541}
IPV6=${DOMLAB_IPV6:-1}
VERDICT=${DOMLAB_VERDICT:-0}
POLICY=${DOMLAB_POLICY:-0}
PROXY_PORT=${DOMLAB_PROXY_PORT:-53542}
UNREACH6_NET=${DOMLAB_UNREACH6:-fd6d:6169:6c74:6c73}
UNREACH6=$UNREACH6_NET::25
export LAB_VERBOSE

usage() { lab_usage 6 9; }

[[ $NET =~ ^127\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || lab_die "DOMLAB_NET must be a 127.x.y prefix, not '$NET'"
[[ $KNOT_PORT =~ ^[0-9]+$ ]] && [ "$KNOT_PORT" != 53 ] || lab_die "bad DOMLAB_KNOT_PORT '$KNOT_PORT'"
[[ $PROXY_PORT =~ ^[0-9]+$ ]] && [ "$PROXY_PORT" != 53 ] && [ "$PROXY_PORT" != "$KNOT_PORT" ] ||
    lab_die "bad DOMLAB_PROXY_PORT '$PROXY_PORT'"
[[ $UNREACH6_NET =~ ^f[cd][0-9a-f]{2}(:[0-9a-f]{1,4}){3}$ ]] ||
    lab_die "DOMLAB_UNREACH6 must be a ULA /64 prefix like fd6d:6169:6c74:6c73, not '$UNREACH6_NET'"

NGINX_ADDR=$NET.100
A_VALID=$NET.2      # Postfix `valid`: valid-chain.pem (SANs *.dane.lab.example, *.sts.lab.example, ...)
A_NOTLS=$NET.3      # Postfix `notls`
A_DEFAULTS=$NET.4   # Postfix `defaults` (Debian's TLS settings, same certificate)

A_PGOOD=$NET.20     # DOMLAB_POLICY=1: accepts mail for the pol-*.example domains, valid certificate
A_PBAD=$NET.21      # the same with a self-signed certificate
A_PWEAK=$NET.22     # TLS 1.0, medium ciphers with anonymous suites, AUTH before STARTTLS
# DOMLAB_POLICY=1: what the receivers accept (mail is discarded on arrival, after a 250)
POLICY_DOMAINS="pol-sts-good.example pol-sts-bad.example pol-sts-testing.example pol-dane.example
pol-dane-bad.example pol-plain.example pol-weak.example"
policy_accept() {
    echo "mydestination=$(echo $POLICY_DOMAINS | tr ' ' ',') local_recipient_maps= local_transport=discard:"
}

# name address variant [POSTFIX_EXTRA]
instances() {
    echo "valid $A_VALID valid"
    echo "notls $A_NOTLS notls"
    echo "defaults $A_DEFAULTS defaults"
    [ "$IPV6" = 1 ] && echo "notls6 ::1 notls" || :
    if [ "$POLICY" = 1 ]; then
        echo "pgood $A_PGOOD valid $(policy_accept)"
        echo "pbad $A_PBAD selfsigned $(policy_accept)"
        echo "pweak $A_PWEAK authplain $(policy_accept) smtpd_tls_protocols=>=TLSv1" \
            "smtpd_tls_mandatory_protocols=>=TLSv1 smtpd_tls_ciphers=medium smtpd_tls_mandatory_ciphers=medium" \
            "smtpd_tls_exclude_ciphers=eNULL smtpd_tls_mandatory_exclude_ciphers=eNULL"
    fi
}

SIGNED_DOMAINS="dane-ee.example dane-ta.example mismatch.example pkix-only.example notls.example
nullmx.example nomx.example cname.example twomx.example dualstack.example
sts-enforce.example sts-outside.example sts-testing.example sts-malformed.example sts-404.example
sts-redirect.example sts-oversize.example sts-badname.example iplit.example sts-twoaddr.example"
UNSIGNED=unsigned.example
BOGUS=bogus.example
# DOMLAB_VERDICT=1: the cases of tests/real/verdict-lab.sh (docs/internals/domain-lab.md, "Verdict cases")
VERDICT_DOMAINS="provider-drop.example malformed-tlsa.example malformed-spki.example aaaa-timeout.example
unreach6.example nxbackup.example iplit-backup.example manymx.example mxfail.example
cname-tlsa-fail.example allunusable.example bogusbackup.example tlsabogus.example aliasbogus.example"
VERDICT_UNSIGNED=provider.example
if [ "$VERDICT" = 1 ]; then UNSIGNED="$UNSIGNED $VERDICT_UNSIGNED"; fi
# TLSA data that is no certificate and no SubjectPublicKeyInfo: ASCII text in hex
NOT_A_CERT=$(printf 'this is not a certificate' | od -An -tx1 | tr -d ' \n')
NOT_AN_SPKI=$(printf 'not a SubjectPublicKeyInfo' | od -An -tx1 | tr -d ' \n')
STS_ID=20250101T000000

# ---- zones ------------------------------------------------------------------------------------
# head ZONE: SOA, NS and the name server's address
head_rr() {
    cat <<EOF
; generated by tests/lab/domain-lab.sh -- edits are lost on the next start
\$ORIGIN $1.
\$TTL 300
@		SOA	ns.$1. hostmaster.$1. 1 3600 900 604800 300
@		NS	ns.$1.
ns		A	127.0.0.1
EOF
}

sts_rr() { # the _mta-sts record and the policy host's address
    cat <<EOF
_mta-sts	TXT	"v=STSv1; id=$STS_ID;"
mta-sts		A	$NGINX_ADDR
EOF
}

rpt_ok() { echo "_smtp._tls	TXT	\"v=TLSRPTv1; rua=mailto:tlsrpt@$1\""; }

write_zones() { # DIR
    local d=$1 certs=$BASEDIR/certs ee ta wrong
    ee=$(openssl x509 -in "$certs/valid.pem" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)
    wrong=$(openssl x509 -in "$certs/selfsigned.pem" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)
    ta=$(openssl x509 -in "$certs/ca.pem" -outform DER | sha256sum | cut -d' ' -f1)
    [ ${#ee} = 64 ] && [ ${#ta} = 64 ] && [ ${#wrong} = 64 ] || lab_die "cannot compute TLSA digests from $certs"
    rm -rf "$d"
    mkdir -p "$d"

    # Host zone for DANE cases: every name is covered by valid.pem's *.dane.lab.example.
    { head_rr dane.lab.example; cat <<EOF
ee		A	$A_VALID
_25._tcp.ee	TLSA	3 1 1 $ee
ee		CAA	0 issue "ca.lab.example"
ta		A	$A_VALID
_25._tcp.ta	TLSA	2 0 1 $ta
wrong		A	$A_VALID
_25._tcp.wrong	TLSA	3 1 1 $wrong
pkix		A	$A_VALID
_25._tcp.pkix	TLSA	1 1 1 $ee
notls		A	$A_NOTLS
_25._tcp.notls	TLSA	3 1 1 $ee
plain		A	$A_DEFAULTS
dual		A	$A_VALID
EOF
      [ "$IPV6" = 1 ] && echo "dual		AAAA	::1" || :
      [ "$POLICY" = 1 ] && cat <<EOF || :
pgood		A	$A_PGOOD
_25._tcp.pgood	TLSA	3 1 1 $ee
pbad		A	$A_PBAD
_25._tcp.pbad	TLSA	3 1 1 $ee
pweak		A	$A_PWEAK
EOF
      [ "$VERDICT" = 1 ] && cat <<EOF || :
malformed	A	$A_VALID
_25._tcp.malformed	TLSA	3 0 0 $NOT_A_CERT
malspki		A	$A_VALID
_25._tcp.malspki	TLSA	2 1 0 $NOT_AN_SPKI
a6drop		A	$A_VALID
_25._tcp.a6drop	TLSA	3 1 1 $ee
unreach6	A	$A_VALID
unreach6	AAAA	$UNREACH6
_25._tcp.unreach6	TLSA	3 1 1 $ee
tfail		A	$A_VALID
_25._tcp.tfail	TLSA	3 1 1 $ee
pkixnotls	A	$A_NOTLS
_25._tcp.pkixnotls	TLSA	1 1 1 $ee
EOF
    } >"$d/dane.lab.example.zone"

    # Host zone for MTA-STS cases: covered by *.sts.lab.example.
    { head_rr sts.lab.example; echo "mx		A	$A_VALID"
      [ "$POLICY" = 1 ] && printf 'pgood\t\tA\t%s\npbad\t\tA\t%s\n' "$A_PGOOD" "$A_PBAD" || :
    } >"$d/sts.lab.example.zone"

    { head_rr dane-ee.example; echo "@		MX	10 ee.dane.lab.example."; rpt_ok dane-ee.example; } >"$d/dane-ee.example.zone"
    { head_rr dane-ta.example; echo "@		MX	10 ta.dane.lab.example."; rpt_ok dane-ta.example; } >"$d/dane-ta.example.zone"
    { head_rr mismatch.example; echo "@		MX	10 wrong.dane.lab.example."; } >"$d/mismatch.example.zone"
    { head_rr pkix-only.example; echo "@		MX	10 pkix.dane.lab.example."; } >"$d/pkix-only.example.zone"
    { head_rr notls.example; echo "@		MX	10 notls.dane.lab.example."; } >"$d/notls.example.zone"
    { head_rr nullmx.example; echo "@		MX	0 ."; } >"$d/nullmx.example.zone"
    { head_rr nomx.example; echo "@		A	$A_VALID"; } >"$d/nomx.example.zone"
    { head_rr cname.example; cat <<EOF
@		MX	10 alias.cname.example.
alias		CNAME	ee.dane.lab.example.
EOF
    } >"$d/cname.example.zone"
    { head_rr twomx.example; cat <<EOF
@		MX	10 ee.dane.lab.example.
@		MX	20 plain.dane.lab.example.
EOF
    } >"$d/twomx.example.zone"
    { head_rr dualstack.example; echo "@		MX	10 dual.dane.lab.example."; } >"$d/dualstack.example.zone"
    # An MX target that looks like an address (RFC 5321 wants a host name there).
    { head_rr iplit.example; echo "@		MX	10 $A_VALID."; } >"$d/iplit.example.zone"

    if [ "$VERDICT" = 1 ]; then write_verdict_zones "$d" "$ee"; fi
    if [ "$POLICY" = 1 ]; then write_policy_zones "$d"; fi

    # Unsigned and bogus: the MX host and its TLSA live inside the zone, so they share its status.
    local z
    for z in unsigned.example "$BOGUS"; do
        { head_rr "$z"; cat <<EOF
@		MX	10 mx.$z.
mx		A	$A_VALID
_25._tcp.mx	TLSA	3 1 1 $ee
EOF
          [ "$z" = "$BOGUS" ] && echo "alias		CNAME	ee.dane.lab.example."
        } >"$d/$z.zone"
    done

    local s
    for s in enforce outside testing malformed 404 redirect oversize; do
        {
            head_rr "sts-$s.example"
            echo "@		MX	10 mx.sts.lab.example."
            sts_rr
            case $s in
            enforce) rpt_ok "sts-$s.example" ;;
            testing) echo "_smtp._tls	TXT	\"v=TLSRPTv1; rua=tlsrpt-at-sts-testing.example\"" ;;   # no URI scheme: invalid
            esac
        } >"$d/sts-$s.example.zone"
    done
    # Two policy hosts: [::1] (tried first, nothing listens on 443) and nginx: senders try both.
    { head_rr sts-twoaddr.example; echo "@		MX	10 mx.sts.lab.example."
      sts_rr; echo "mta-sts		AAAA	::1"; rpt_ok sts-twoaddr.example; } >"$d/sts-twoaddr.example.zone"
    # Enforced policy covering an MX host whose certificate does not carry its name.
    { head_rr sts-badname.example; echo "@		MX	10 mx.sts-badname.example."
      echo "mx		A	$A_VALID"; sts_rr; } >"$d/sts-badname.example.zone"
}

# The verdict-review cases (issue 7). Their MX hosts are in dane.lab.example above; the proxy's
# rules (write_proxy_rules) make the chosen queries fail.
write_verdict_zones() { # DIR EE-DIGEST
    local d=$1 i
    # a. a signed domain whose MX host is in an unsigned zone (insecure delegation); the proxy drops
    #    every TLSA query under provider.example
    { head_rr provider-drop.example; echo "@		MX	10 mx.provider.example."; } >"$d/provider-drop.example.zone"
    { head_rr provider.example; echo "mx		A	$A_VALID"; echo "_25._tcp.mx	TLSA	3 1 1 $2"; } >"$d/provider.example.zone"
    # b. only a malformed TLSA record (3 0 0 not a certificate; 2 1 0 not an SPKI)
    { head_rr malformed-tlsa.example; echo "@		MX	10 malformed.dane.lab.example."; } >"$d/malformed-tlsa.example.zone"
    { head_rr malformed-spki.example; echo "@		MX	10 malspki.dane.lab.example."; } >"$d/malformed-spki.example.zone"
    # c. DANE-valid MX whose AAAA query the proxy drops (the A answer stays secure)
    { head_rr aaaa-timeout.example; echo "@		MX	10 a6drop.dane.lab.example."; } >"$d/aaaa-timeout.example.zone"
    # d. DANE-valid MX with an AAAA in the unreachable /64
    { head_rr unreach6.example; echo "@		MX	10 unreach6.dane.lab.example."; } >"$d/unreach6.example.zone"
    # e. backup MX that does not exist (secure NXDOMAIN inside this signed zone)
    { head_rr nxbackup.example; echo "@		MX	10 ee.dane.lab.example."
      echo "@		MX	20 gone.nxbackup.example."; } >"$d/nxbackup.example.zone"
    # f. backup MX written as an address
    { head_rr iplit-backup.example; echo "@		MX	10 ee.dane.lab.example."
      echo "@		MX	20 $A_VALID."; } >"$d/iplit-backup.example.zone"
    # g. 60 MX records, one host
    { head_rr manymx.example; for i in $(seq 1 60); do echo "@		MX	$i ee.dane.lab.example."; done
    } >"$d/manymx.example.zone"
    # h. the proxy drops the MX query
    { head_rr mxfail.example; echo "@		MX	10 ee.dane.lab.example."; } >"$d/mxfail.example.zone"
    # i. MX host is a CNAME to a secure host whose TLSA query gets SERVFAIL from the proxy
    { head_rr cname-tlsa-fail.example; echo "@		MX	10 alias.cname-tlsa-fail.example."
      echo "alias		CNAME	tfail.dane.lab.example."; } >"$d/cname-tlsa-fail.example.zone"
    # j. only PKIX usages (1 1 1) on a server without STARTTLS
    { head_rr allunusable.example; echo "@		MX	10 pkixnotls.dane.lab.example."; } >"$d/allunusable.example.zone"
    # k. DANE-valid MX and a backup MX whose address records are bogus (it lives in $BOGUS)
    { head_rr bogusbackup.example; echo "@		MX	10 ee.dane.lab.example."
      echo "@		MX	20 mx.$BOGUS."; } >"$d/bogusbackup.example.zone"
    # l. a secure MX host whose TLSA name is a secure CNAME into $BOGUS: the TLSA lookup is bogus
    { head_rr tlsabogus.example; echo "@		MX	10 tb.tlsabogus.example."
      echo "tb		A	$A_VALID"; echo "_25._tcp.tb	CNAME	_25._tcp.mx.$BOGUS."
    } >"$d/tlsabogus.example.zone"
    # m. the MX host is an alias inside $BOGUS pointing at a DANE-valid host: the alias target of
    #    a bogus answer is not taken (a forger could point it at TLSA records of its choice)
    { head_rr aliasbogus.example; echo "@		MX	10 alias.$BOGUS."; } >"$d/aliasbogus.example.zone"
}

# The policy cases (DOMLAB_POLICY=1): MTA-STS enforce towards a good and a bad certificate, testing,
# DANE towards a matching and a mismatching key, nothing at all, and the weak server for advise.
write_policy_zones() { # DIR
    local d=$1
    { head_rr pol-sts-good.example; echo "@		MX	10 pgood.sts.lab.example."; sts_rr; } >"$d/pol-sts-good.example.zone"
    { head_rr pol-sts-bad.example; echo "@		MX	10 pbad.sts.lab.example."; sts_rr; } >"$d/pol-sts-bad.example.zone"
    { head_rr pol-sts-testing.example; echo "@		MX	10 pbad.sts.lab.example."; sts_rr; } >"$d/pol-sts-testing.example.zone"
    { head_rr pol-dane.example; echo "@		MX	10 pgood.dane.lab.example."; } >"$d/pol-dane.example.zone"
    { head_rr pol-dane-bad.example; echo "@		MX	10 pbad.dane.lab.example."; } >"$d/pol-dane-bad.example.zone"
    { head_rr pol-plain.example; echo "@		MX	10 pbad.sts.lab.example."; } >"$d/pol-plain.example.zone"
    { head_rr pol-weak.example; echo "@		MX	10 pweak.dane.lab.example."; } >"$d/pol-weak.example.zone"
}

write_proxy_rules() { # FILE
    cat >"$1" <<EOF
# written by tests/lab/domain-lab.sh; ACTION NAME QTYPE (tests/lab/dnsproxy.py)
drop		provider.example		TLSA
drop		a6drop.dane.lab.example		AAAA
drop		mxfail.example			MX
servfail	_25._tcp.tfail.dane.lab.example	TLSA
EOF
}

# ---- the DNS proxy and the unreachable IPv6 route (DOMLAB_VERDICT=1) --------------------------
proxy_pid() {
    local p
    p=$(lab_pid_from "$BASEDIR/proxy/proxy.pid" 2>/dev/null) || return 1
    [ -n "$p" ] && kill -0 "$p" 2>/dev/null && grep -qa dnsproxy.py "/proc/$p/cmdline" 2>/dev/null || return 1
    echo "$p"
}

proxy_stop() {
    local p _
    p=$(proxy_pid) || { rm -f "$BASEDIR/proxy/proxy.pid"; return 0; }
    kill "$p" 2>/dev/null || :
    for _ in $(seq 1 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || :
    rm -f "$BASEDIR/proxy/proxy.pid"
}

proxy_start() {
    local _
    mkdir -p "$BASEDIR/proxy"
    write_proxy_rules "$BASEDIR/proxy/rules"
    : >"$BASEDIR/proxy/query.log"
    if lab_is_listening 127.0.0.1 "$PROXY_PORT"; then
        echo "$PROG: 127.0.0.1:$PROXY_PORT is in use (another lab?)" >&2
        return 1
    fi
    setsid /usr/bin/python3 "$HERE/dnsproxy.py" --listen "127.0.0.1@$PROXY_PORT" --upstream "127.0.0.1@$KNOT_PORT" \
        --rules "$BASEDIR/proxy/rules" --log "$BASEDIR/proxy/query.log" --pidfile "$BASEDIR/proxy/proxy.pid" \
        </dev/null >"$BASEDIR/logs/proxy.log" 2>&1 &
    for _ in $(seq 1 50); do
        kdig @127.0.0.1 -p "$PROXY_PORT" +timeout=1 +retry=0 +norecurse dane-ee.example SOA +short 2>/dev/null |
            grep -q hostmaster && return 0
        sleep 0.1
    done
    cat "$BASEDIR/logs/proxy.log" >&2 || :
    return 1
}

# The AAAA of unreach6.dane.lab.example must fail locally with EHOSTUNREACH: a route of type
# unreachable for the /64, more specific than any default route. Nothing is sent anywhere.
route_add() {
    ip -6 route replace unreachable "$UNREACH6_NET::/64" ||
        lab_die "cannot add the unreachable route for $UNREACH6_NET::/64"
    touch "$BASEDIR/route6.added"
    route_check || lab_die "$UNREACH6 is routable despite the unreachable route; not publishing it"
}

route_check() { # exit 0 when the kernel refuses to route UNREACH6
    local out
    out=$(ip -6 route get "$UNREACH6" 2>&1) && return 1
    case $out in *"No route to host"*) return 0 ;; esac
    return 1
}

route_del() {
    [ -e "$BASEDIR/route6.added" ] || return 0
    ip -6 route del unreachable "$UNREACH6_NET::/64" 2>/dev/null || :
    rm -f "$BASEDIR/route6.added"
}

# ---- MTA-STS policies (nginx.sh POLICYDIR) ----------------------------------------------------
policy() { # DOMAIN MODE MX... ; body on stdout
    local dom=$1 mode=$2 m
    shift 2
    mkdir -p "$POLICIES/$dom"
    {
        echo "version: STSv1"
        echo "mode: $mode"
        for m in "$@"; do echo "mx: $m"; done
        echo "max_age: 86400"
    } >"$POLICIES/$dom/mta-sts.txt"
}

write_policies() {
    rm -rf "$POLICIES"
    mkdir -p "$POLICIES"
    policy sts-enforce.example enforce mx.sts.lab.example "*.sts.lab.example"
    policy sts-outside.example enforce other.example.net
    policy sts-testing.example testing mx.sts.lab.example
    mkdir -p "$POLICIES/sts-malformed.example"
    printf 'mode: enforce\nmx: mx.sts.lab.example\nmax_age: 86400\n' >"$POLICIES/sts-malformed.example/mta-sts.txt"
    policy sts-404.example enforce mx.sts.lab.example
    echo 404 >"$POLICIES/sts-404.example/behaviour"
    policy sts-redirect.example enforce mx.sts.lab.example
    echo "redirect https://mta-sts.sts-enforce.example/.well-known/mta-sts.txt" >"$POLICIES/sts-redirect.example/behaviour"
    policy sts-oversize.example enforce mx.sts.lab.example
    echo oversize >"$POLICIES/sts-oversize.example/behaviour"
    policy sts-badname.example enforce mx.sts-badname.example
    policy sts-twoaddr.example enforce mx.sts.lab.example
    if [ "$POLICY" = 1 ]; then
        policy pol-sts-good.example enforce pgood.sts.lab.example
        policy pol-sts-bad.example enforce pbad.sts.lab.example
        policy pol-sts-testing.example testing pbad.sts.lab.example
    fi
}

# ---- start / stop -----------------------------------------------------------------------------
do_stop() {
    local rc=0
    proxy_stop || rc=1
    route_del
    "$HERE/nginx.sh" stop "$BASEDIR" 2>/dev/null || rc=1
    "$HERE/knot.sh" stop "$BASEDIR/knot" || rc=1
    "$HERE/postfix.sh" stopall "$BASEDIR" || rc=1
    rm -f "$BASEDIR/env"
    return $rc
}

do_start() {
    local n a v pids=() failed=0 p
    for p in jq kdig knotd nginx postfix openssl; do
        command -v "$p" >/dev/null || lab_die "$p is not installed (make deps)"
    done
    do_stop || :
    "$HERE/ca.sh" "$BASEDIR/certs" || lab_die "ca.sh $BASEDIR/certs failed"
    if [ "$VERDICT" = 1 ]; then route_add; fi
    write_zones "$BASEDIR/zones"
    write_policies

    # Everything in parallel: Postfix instances (~0.7 s each), Knot (signing), nginx.
    mkdir -p "$BASEDIR/logs"
    while read -r n a v x; do
        lab_say "postfix $n ($v) on $a"
        POSTFIX_EXTRA="$x" "$HERE/postfix.sh" start "$n" "$a" "$v" "$BASEDIR" </dev/null >"$BASEDIR/logs/postfix-$n.log" 2>&1 &
        pids+=($!)
    done < <(instances)
    lab_say "knot on 127.0.0.1@$KNOT_PORT"
    KNOT_PORT=$KNOT_PORT ZONEDIR=$BASEDIR/zones UNSIGNED_ZONES=$UNSIGNED BOGUS_ZONES=$BOGUS \
        "$HERE/knot.sh" start "$BASEDIR/knot" </dev/null >"$BASEDIR/logs/knot.log" 2>&1 &
    pids+=($!)
    lab_say "nginx on $NGINX_ADDR:443"
    NGINX_ADDR=$NGINX_ADDR CADIR=$BASEDIR/certs POLICYDIR=$POLICIES \
        "$HERE/nginx.sh" start "$BASEDIR" </dev/null >"$BASEDIR/logs/nginx.log" 2>&1 &
    pids+=($!)
    for p in "${pids[@]}"; do
        wait "$p" || failed=1
    done
    if [ $failed = 1 ]; then
        for p in "$BASEDIR"/logs/*.log; do
            [ -s "$p" ] && { echo "---- $p" >&2; cat "$p" >&2; }
        done
        do_stop || :
        lab_die "lab did not start (see above)"
    fi
    if [ "$VERDICT" = 1 ] && ! proxy_start; then
        do_stop || :
        lab_die "the DNS proxy on 127.0.0.1@$PROXY_PORT did not answer"
    fi

    {
        echo "# written by tests/lab/domain-lab.sh start; sh syntax"
        echo "BASEDIR='$BASEDIR'"
        echo "RESOLVER='127.0.0.1@$KNOT_PORT'"
        echo "KNOT_PORT='$KNOT_PORT'"
        echo "ANCHORS='$BASEDIR/knot/anchors.txt'"
        echo "CA='$BASEDIR/certs/ca.pem'"
        echo "NET='$NET'"
        echo "NGINX_ADDR='$NGINX_ADDR'"
        echo "IPV6='$IPV6'"
        echo "INSTANCES='$(instances | awk '{print $1}' | tr '\n' ' ' | sed 's/ $//')'"
        echo "DOMAINS='$(echo $SIGNED_DOMAINS unsigned.example $BOGUS)'"
        if [ "$POLICY" = 1 ]; then
            echo "POLICY_DOMAINS='$(echo $POLICY_DOMAINS)'"
        fi
        if [ "$VERDICT" = 1 ]; then
            echo "PROXY='127.0.0.1@$PROXY_PORT'"
            echo "VERDICT_DOMAINS='$(echo $VERDICT_DOMAINS)'"
            echo "UNREACH6='$UNREACH6'"
        fi
    } >"$BASEDIR/env"
    lab_say "ready; see $BASEDIR/env"
}

[ $# -ge 1 ] && [ $# -le 2 ] || usage
CMD=$1
BASEDIR=$(lab_basedir "${2:-/tmp/mailtls-domlab}")
POLICIES=$BASEDIR/policies
[ "$(id -u)" = 0 ] || lab_die "needs root (Postfix instances, port 25 and 443)"

case $CMD in
start) do_start ;;
stop) do_stop ;;
*) usage ;;
esac
