/*
 * fuzz_cert.c — what cert_describe() (lib/tls/cert.c) takes from a server's certificate: names
 * printed from a DN, the CN and SANs handed to certname, the validity dates, the key and
 * signature classification, the issuer looked up in the chain sent.  The input is cut as
 * fuzz_chain's (2-byte lengths, so the two share seeds): the first piece is the leaf, and all
 * of them are the chain sent, leaf first, as a client's SSL_get_peer_cert_chain() gives it.
 * Pieces OpenSSL cannot decode are dropped, as the handshake would refuse them.  The clock is
 * fixed so runs repeat; the trust store is empty (chain validation fails early, the issuer
 * search over the chain sent still runs).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "probe/endpoint.h"
#include "tls/cert.h"
#include "util/arena.h"

#define PIECES	8

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_str(const char *s)
{
	if (s != NULL && strlen(s) > 65536)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static X509_STORE *store;
	STACK_OF(X509) *sent;
	X509 *leaf = NULL, *x;
	struct arena *a;
	struct endpoint_cert *c;
	size_t off = 0, l, i;
	int n = 0;

	if (store == NULL && (store = X509_STORE_new()) == NULL)
		return 0;
	if ((sent = sk_X509_new_null()) == NULL)
		return 0;
	while (off + 2 <= size && n < PIECES) {
		const unsigned char *p;

		l = (size_t)data[off] << 8 | data[off + 1];
		off += 2;
		if (l > size - off)
			l = size - off;
		p = data + off;
		off += l;
		n++;
		if ((x = d2i_X509(NULL, &p, (long)l)) == NULL)
			continue;
		/* as SSL_get_peer_cert_chain() on the client side: the leaf first (lib/tls/tls.c) */
		if (leaf == NULL) {
			leaf = x;
			X509_up_ref(x);
		}
		if (!sk_X509_push(sent, x))
			X509_free(x);
	}
	ERR_clear_error();
	if (leaf != NULL) {
		a = arena_new();
		c = cert_describe(leaf, sent, store, n % 2 ? "mx.example.net" : "192.0.2.25", a,
		    1700000000L);
		fuzz_str(c->subject);
		fuzz_str(c->issuer);
		fuzz_str(c->not_before);
		fuzz_str(c->not_after);
		fuzz_str(c->chain_error);
		fuzz_str(c->name_matched);
		fuzz_str(c->key_type);
		fuzz_str(c->sig_alg);
		if ((c->sha256 != NULL && strlen(c->sha256) != 64) || c->key_bits < 0 ||
		    c->nsan > ENDPOINT_SAN_MAX || c->nchain > ENDPOINT_CHAIN_MAX ||
		    (c->name_match && c->name_matched == NULL) || (c->chain_valid && c->chain_error))
			__builtin_trap();
		for (i = 0; i < c->nsan; i++)
			if (c->san[i] == NULL || strlen(c->san[i]) > 65536)
				__builtin_trap();
		(void)cert_weak_key_detail(a, c->key_type, c->key_bits);
		(void)cert_weak_sigalg(c->sig_alg);
		arena_free(a);
		X509_free(leaf);
	}
	sk_X509_pop_free(sent, X509_free);
	if (ERR_peek_error() != 0)
		__builtin_trap();
	return 0;
}
