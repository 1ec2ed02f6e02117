/*
 * chain.h — the certificate chain as the server sent it: order, the path from the leaf, extra
 * certificates, and whether the path stops short of a self-signed root (RFC 5246 §7.4.2 and
 * RFC 8446 §4.4.2: the sender's certificate first, each following one certifying the one before;
 * a root may be left out, an intermediate may not).
 *
 * Pure over DER bytes (fuzz/fuzz_chain.c): OpenSSL parses each certificate and checks each
 * signature of the path (X509_check_issued() + X509_verify()); nothing is looked up anywhere.
 * Whether a missing issuer is in the verifier's trust store is the caller's knowledge.
 */
#ifndef MAILTLS_CHAIN_H
#define MAILTLS_CHAIN_H

#include <stddef.h>

#define CHAIN_MAX	16	/* certificates examined; more are counted as extra */

struct chain_report {
	size_t		 ncerts;	/* sent */
	size_t		 unparsed;	/* of those, not DER certificates */
	size_t		 path;		/* the leaf and each issuer found among the sent ones */
	size_t		 extra;		/* sent, but not on the path (unrelated, duplicates) */
	int		 ordered;	/* the path is the first `path` certificates, in order */
	int		 leaf_is_ca;	/* the first certificate is a CA certificate */
	int		 root_sent;	/* the path ends in a self-signed certificate */
	int		 issuer_missing;/* the path ends in a certificate whose issuer was not sent */
	char		 last_issuer[256];	/* that certificate's issuer name (one line) */
};

void	chain_assess(const unsigned char *const *der, const size_t *len, size_t n,
	    struct chain_report *out);

#endif
