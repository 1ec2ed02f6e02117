/*
 * fuzz_tlsa.c — TLSA RDATA: parse, judge, print; then treat the input as a set of records
 * (one length octet before each RDATA) for tlsa_set_assess().
 *
 * The parser's verdict is checked against OpenSSL's own: a record is TLSA_OK exactly when
 * SSL_dane_tlsa_add() accepts it, Full(0) certificates and keys included, and the parser leaves
 * nothing on OpenSSL's error queue.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "dns/tlsa.h"

#define FUZZ_TLSA_SET_MAX	16

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* SSL_dane_tlsa_add() > 0, on a fresh SSL each time (records cannot be removed). */
static int
fuzz_tlsa_openssl_accepts(const struct tlsa_rr *rr)
{
	static SSL_CTX *ctx;
	SSL *ssl;
	int r;

	if (ctx == NULL) {
		ctx = SSL_CTX_new(TLS_client_method());
		if (ctx == NULL || SSL_CTX_dane_enable(ctx) <= 0)
			__builtin_trap();
	}
	ssl = SSL_new(ctx);
	if (ssl == NULL || SSL_dane_enable(ssl, "mx.example.org") <= 0)
		__builtin_trap();
	r = SSL_dane_tlsa_add(ssl, rr->usage, rr->selector, rr->mtype, rr->data, rr->datalen);
	SSL_free(ssl);
	ERR_clear_error();
	if (r < 0)
		__builtin_trap();
	return r > 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsa_rr rr, set[FUZZ_TLSA_SET_MAX];
	struct tlsa_set_health h;
	char buf[256];
	size_t n = 0, off = 0, l, need;

	ERR_clear_error();
	tlsa_parse(data, size, &rr);
	if (ERR_peek_error() != 0)
		__builtin_trap();
	if (size >= 3 && fuzz_tlsa_openssl_accepts(&rr) != (rr.status == TLSA_OK))
		__builtin_trap();
	(void)tlsa_usable_smtp(&rr);
	need = tlsa_format(&rr, buf, sizeof(buf));
	if (need < sizeof(buf) && strlen(buf) != need)
		__builtin_trap();
	(void)tlsa_status_name(rr.status);
	(void)tlsa_usage_name(rr.usage);

	while (off < size && n < FUZZ_TLSA_SET_MAX) {
		l = data[off++];
		if (l > size - off)
			l = size - off;
		tlsa_parse(data + off, l, &set[n++]);
		off += l;
	}
	tlsa_set_assess(set, n, &h);
	if (h.distinct_usable > h.usable || h.dane_ee + h.dane_ta != h.distinct_usable ||
	    h.usable + h.pkix + h.malformed != h.total)
		__builtin_trap();
	(void)tlsa_rollover_name(h.rollover);
	return 0;
}
