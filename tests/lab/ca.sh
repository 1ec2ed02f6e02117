#!/bin/sh
# ca.sh [-v] OUTDIR -- a throw-away lab CA and leaf certificates (see docs/internals/test-lab.md)
#
# Creates in OUTDIR (idempotent; a file is only remade when missing, unreadable,
# expiring within two days, or not issued by the current ca.pem):
#   ca.pem ca.key                    ECDSA P-256 CA "mailtls lab CA" (back-dated 500 days, valid ~10 years)
#   valid.pem valid.key              ECDSA P-256, CN mx.lab.example, SAN mx/mx1/mx2/mx3/mail.lab.example,
#                                    *.dane.lab.example, *.sts.lab.example
#   valid-chain.pem                  valid.pem + ca.pem
#   selfsigned.pem selfsigned.key    ECDSA P-256 self-signed, CN/SAN mx.lab.example
#   expired.pem expired.key          CA-signed for mx.lab.example, issued 400 days ago for 30 days
#   wrongname.pem wrongname.key      CA-signed for other.example.net only
#   rsa1024.pem rsa1024.key          CA-signed, RSA 1024 bits, SAN mx.lab.example (a weak key)
#   expired-chain.pem wrongname-chain.pem rsa1024-chain.pem   leaf + CA, for servers
# Prints nothing on success unless -v. Exit status non-zero on failure.
set -eu

VERBOSE=0
if [ "${1:-}" = "-v" ]; then VERBOSE=1; shift; fi
if [ $# -ne 1 ]; then
    echo "usage: $0 [-v] OUTDIR" >&2
    exit 2
fi
OUT=$1
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

say() { [ "$VERBOSE" -eq 1 ] && echo "ca.sh: $*" >&2 || :; }

FILES="ca.pem ca.key valid.pem valid.key valid-chain.pem selfsigned.pem selfsigned.key expired.pem expired.key
expired-chain.pem wrongname.pem wrongname.key wrongname-chain.pem rsa1024.pem rsa1024.key rsa1024-chain.pem"

# Fast path: a full check succeeded less than a day ago and nothing changed since.
fast_ok() {
    [ -f "$OUT/.checked" ] || return 1
    [ "$(cat "$OUT/.checked" 2>/dev/null || echo 0)" -gt "$(date +%s)" ] 2>/dev/null || return 1
    for f in $FILES; do
        [ -s "$OUT/$f" ] || return 1
        [ -z "$(find "$OUT/$f" -newer "$OUT/.checked")" ] || return 1
    done
    return 0
}
if fast_ok; then say "certificates in $OUT are up to date"; exit 0; fi

# Serialise concurrent callers on the same OUTDIR.
if [ -z "${MAILTLS_CA_LOCKED:-}" ] && command -v flock >/dev/null 2>&1; then
    if [ "$VERBOSE" -eq 1 ]; then set -- -v "$OUT"; else set -- "$OUT"; fi
    MAILTLS_CA_LOCKED=1 exec flock "$OUT/.lock" "$0" "$@"
fi

if [ -n "${MAILTLS_CA_LOCKED:-}" ] && fast_ok; then exit 0; fi

TMP=$(mktemp -d "$OUT/.tmp.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM

log="$TMP/openssl.log"
run() {
    # run a command quietly; on failure show its output
    if ! "$@" >>"$log" 2>&1; then
        echo "ca.sh: failed: $*" >&2
        cat "$log" >&2
        exit 1
    fi
}

serial() { echo "0x$(openssl rand -hex 12)"; }

# usable CERT: present, parses, not expiring within two days
fresh() { [ -s "$1" ] && openssl x509 -in "$1" -noout -checkend 172800 >/dev/null 2>&1; }

# issued_by_ca CERT: signature verifies with the current CA key (ignoring validity dates)
issued_by_ca() {
    [ -s "$1" ] && openssl verify -no_check_time -CAfile "$OUT/ca.pem" "$1" >/dev/null 2>&1
}

keys_match() { # CERT KEY
    [ -s "$1" ] && [ -s "$2" ] || return 1
    a=$(openssl x509 -in "$1" -noout -pubkey 2>/dev/null | openssl pkey -pubin -outform DER 2>/dev/null | openssl dgst -sha256) || return 1
    b=$(openssl pkey -in "$2" -pubout -outform DER 2>/dev/null | openssl dgst -sha256) || return 1
    [ -n "$a" ] && [ "$a" = "$b" ]
}

genkey() { # KIND FILE
    case $1 in
    ec) run openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$2" ;;
    rsa1024) run openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$2" ;;
    esac
    chmod 600 "$2"
}

# install NAME: move TMP/NAME.{pem,key} into OUT atomically
install_pair() {
    chmod 644 "$TMP/$1.pem"
    mv -f "$TMP/$1.key" "$OUT/$1.key"
    mv -f "$TMP/$1.pem" "$OUT/$1.pem"
}

# ---- CA -------------------------------------------------------------------
ca_new=0
if ! fresh "$OUT/ca.pem" || ! keys_match "$OUT/ca.pem" "$OUT/ca.key"; then
    say "making CA"
    genkey ec "$TMP/ca.key"
    # Back-dated so that the expired leaf lies inside the CA's validity period.
    run faketime -f -500d openssl req -x509 -new -key "$TMP/ca.key" -sha256 -days 4150 \
        -subj "/O=mailtls lab/CN=mailtls lab CA" -set_serial "$(serial)" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -addext "subjectKeyIdentifier=hash" \
        -out "$TMP/ca.pem"
    install_pair ca
    ca_new=1
fi

# ---- leaves ---------------------------------------------------------------
# leaf NAME KEYKIND CN SANLIST [FAKETIME DAYS]
leaf() {
    name=$1 kind=$2 cn=$3 san=$4 ft=${5:-} days=${6:-825}
    if [ "$ca_new" -eq 0 ] && keys_match "$OUT/$name.pem" "$OUT/$name.key" && issued_by_ca "$OUT/$name.pem" &&
        { [ -n "$ft" ] || fresh "$OUT/$name.pem"; }; then
        :
    else
        say "making $name"
        genkey "$kind" "$TMP/$name.key"
        run openssl req -new -key "$TMP/$name.key" -subj "/O=mailtls lab/CN=$cn" -out "$TMP/$name.csr"
        cat >"$TMP/$name.ext" <<EOF
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
subjectAltName=$san
EOF
        if [ -n "$ft" ]; then set -- faketime -f "$ft"; else set --; fi
        run "$@" openssl x509 -req -in "$TMP/$name.csr" -CA "$OUT/ca.pem" -CAkey "$OUT/ca.key" \
            -set_serial "$(serial)" -sha256 -days "$days" -extfile "$TMP/$name.ext" -out "$TMP/$name.pem"
        install_pair "$name"
    fi
    cat "$OUT/$name.pem" "$OUT/ca.pem" >"$TMP/$name-chain.pem"
    if ! cmp -s "$TMP/$name-chain.pem" "$OUT/$name-chain.pem"; then
        chmod 644 "$TMP/$name-chain.pem"
        mv -f "$TMP/$name-chain.pem" "$OUT/$name-chain.pem"
    fi
}

leaf valid ec mx.lab.example \
    "DNS:mx.lab.example,DNS:mx1.lab.example,DNS:mx2.lab.example,DNS:mx3.lab.example,DNS:mail.lab.example,DNS:*.dane.lab.example,DNS:*.sts.lab.example"
leaf expired ec mx.lab.example "DNS:mx.lab.example" -400d 30
leaf wrongname ec other.example.net "DNS:other.example.net"
leaf rsa1024 rsa1024 mx.lab.example "DNS:mx.lab.example"

# ---- self-signed ------------------------------------------------------------
if ! fresh "$OUT/selfsigned.pem" || ! keys_match "$OUT/selfsigned.pem" "$OUT/selfsigned.key"; then
    say "making selfsigned"
    genkey ec "$TMP/selfsigned.key"
    run openssl req -x509 -new -key "$TMP/selfsigned.key" -sha256 -days 825 \
        -subj "/O=mailtls lab/CN=mx.lab.example" -set_serial "$(serial)" \
        -addext "basicConstraints=critical,CA:FALSE" \
        -addext "keyUsage=critical,digitalSignature,keyEncipherment" \
        -addext "extendedKeyUsage=serverAuth" \
        -addext "subjectAltName=DNS:mx.lab.example" \
        -out "$TMP/selfsigned.pem"
    install_pair selfsigned
fi

echo $(( $(date +%s) + 86400 )) >"$TMP/checked"
mv -f "$TMP/checked" "$OUT/.checked"
say "certificates ready in $OUT"
