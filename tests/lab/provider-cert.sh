#!/bin/sh
# provider-cert.sh OUTDIR -- the lab CA (ca.sh) and leaves for the provider lab (issue 8):
#   provider.pem provider.key provider-chain.pem   ECDSA P-256, SAN lab-provider.example,
#       *.lab-provider.example, lab-lax.example, *.lab-lax.example (one certificate for every
#       service, as many providers have)
#   provider-rsa.pem provider-rsa.key provider-rsa-chain.pem   the same names, RSA 2048
#   provider-combined.pem   chain + key in one file (ejabberd)
# Idempotent: existing files are kept while they are issued by the current ca.pem.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
OUT=$1
HERE=$(cd "$(dirname "$0")" && pwd)
"$HERE/ca.sh" "$OUT"
cd "$OUT"
SAN="DNS:lab-provider.example,DNS:*.lab-provider.example,DNS:lab-lax.example,DNS:*.lab-lax.example"
leaf() { # NAME KEYALG
	if [ -s "$1.pem" ] && openssl verify -CAfile ca.pem "$1.pem" >/dev/null 2>&1; then
		return 0
	fi
	case $2 in
	ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null ;;
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key" 2>/dev/null ;;
	esac
	printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$SAN" >"$1.ext"
	openssl req -new -key "$1.key" -subj "/CN=lab-provider.example/O=mailtls lab" -out "$1.csr" 2>/dev/null
	openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 800 \
		-extfile "$1.ext" -out "$1.pem" 2>/dev/null
	rm -f "$1.csr" "$1.ext"
}
leaf provider ec
leaf provider-rsa rsa
cat provider.pem ca.pem >provider-chain.pem
cat provider-rsa.pem ca.pem >provider-rsa-chain.pem
cat provider-chain.pem provider.key >provider-combined.pem
chmod 644 ./*.pem ./*.key
