/*
 * chain.c — see chain.h.
 */
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tls/chain.h"

/* issuer certified subject: names and key identifiers match and the signature verifies */
static int
chain_issued(X509 *issuer, X509 *subject)
{
	EVP_PKEY *k;

	if (X509_check_issued(issuer, subject) != X509_V_OK)
		return 0;
	k = X509_get0_pubkey(issuer);
	return k != NULL && X509_verify(subject, k) == 1;
}

void
chain_assess(const unsigned char *const *der, const size_t *len, size_t n,
    struct chain_report *out)
{
	X509 *x[CHAIN_MAX];
	int used[CHAIN_MAX];
	size_t i, m, cur, next;
	const unsigned char *p;

	memset(out, 0, sizeof(*out));
	memset(used, 0, sizeof(used));
	out->ncerts = n;
	m = n < CHAIN_MAX ? n : CHAIN_MAX;
	for (i = 0; i < m; i++) {
		p = der[i];
		x[i] = len[i] > 0 && len[i] <= 0x7fffffff ? d2i_X509(NULL, &p, (long)len[i]) : NULL;
		if (x[i] == NULL || p != der[i] + len[i])
			out->unparsed++;
	}
	if (m == 0 || x[0] == NULL) {
		out->extra = n;
		goto done;
	}
	out->leaf_is_ca = X509_check_ca(x[0]) > 0 && m > 1;
	used[0] = 1;
	out->path = 1;
	out->ordered = 1;
	cur = 0;
	for (;;) {
		if (chain_issued(x[cur], x[cur])) {
			out->root_sent = out->path > 1 || m == 1;
			break;
		}
		for (next = 0; next < m; next++)
			if (!used[next] && x[next] != NULL && chain_issued(x[next], x[cur]))
				break;
		if (next == m) {
			out->issuer_missing = 1;
			X509_NAME_oneline(X509_get_issuer_name(x[cur]), out->last_issuer,
			    sizeof(out->last_issuer));
			break;
		}
		if (next != out->path)
			out->ordered = 0;
		used[next] = 1;
		out->path++;
		cur = next;
	}
	/* a lone self-signed certificate: no issuer is missing, and no root "sent" besides it */
	if (m == 1 && out->root_sent)
		out->root_sent = 0;
	out->extra = n - out->path;
done:
	for (i = 0; i < m; i++)
		X509_free(x[i]);
	ERR_clear_error();
}
