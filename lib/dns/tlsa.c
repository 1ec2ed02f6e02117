/*
 * tlsa.c — TLSA RDATA (RFC 6698 §2.1), usability for SMTP (RFC 7672 §3.1) and rollover health.
 *
 * RDATA: usage(1) selector(1) matching-type(1) certificate-association-data(rest).
 *
 * A record is well formed exactly when OpenSSL's SSL_dane_tlsa_add() (ssl/ssl_lib.c) would accept
 * it, because that is the verifier DANE senders and this tool use: a record OpenSSL refuses is
 * unusable, and with no usable record an RFC 7672 §2.2 sender encrypts but does not authenticate.
 * See docs/internals/tlsa-usability.md.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "dns/tlsa.h"
#include "util/cursor.h"

static const char *const tlsa_usage_names[TLSA_USAGE_LAST] = {
	[TLSA_USAGE_PKIX_TA] = "PKIX-TA",
	[TLSA_USAGE_PKIX_EE] = "PKIX-EE",
	[TLSA_USAGE_DANE_TA] = "DANE-TA",
	[TLSA_USAGE_DANE_EE] = "DANE-EE",
};

static const char *const tlsa_selector_names[TLSA_SELECTOR_LAST] = {
	[TLSA_SELECTOR_CERT] = "Cert",
	[TLSA_SELECTOR_SPKI] = "SPKI",
};

static const char *const tlsa_mtype_names[TLSA_MTYPE_LAST] = {
	[TLSA_MTYPE_FULL] = "Full",
	[TLSA_MTYPE_SHA256] = "SHA2-256",
	[TLSA_MTYPE_SHA512] = "SHA2-512",
};

static const char *const tlsa_status_names[TLSA_STATUS_LAST] = {
	[TLSA_OK] = "ok",
	[TLSA_TOO_SHORT] = "too-short",
	[TLSA_BAD_USAGE] = "unknown-usage",
	[TLSA_BAD_SELECTOR] = "unknown-selector",
	[TLSA_BAD_MTYPE] = "unknown-matching-type",
	[TLSA_BAD_DIGEST_LEN] = "wrong-digest-length",
	[TLSA_EMPTY_DATA] = "empty-data",
	[TLSA_BAD_CERT] = "bad-certificate",
	[TLSA_BAD_CERT_KEY] = "bad-certificate-key",
	[TLSA_BAD_SPKI] = "bad-spki",
	[TLSA_DATA_TOO_LONG] = "data-too-long",
};

static const char *const tlsa_smtp_names[TLSA_SMTP_LAST] = {
	[TLSA_SMTP_USABLE] = "usable",
	[TLSA_SMTP_UNUSABLE_PKIX] = "unusable-pkix",
	[TLSA_SMTP_UNUSABLE_MALFORMED] = "unusable-malformed",
};

static const char *const tlsa_rollover_names[TLSA_ROLLOVER_LAST] = {
	[TLSA_ROLLOVER_NONE_USABLE] = "none-usable",
	[TLSA_ROLLOVER_SINGLE] = "single",
	[TLSA_ROLLOVER_MULTIPLE] = "multiple",
	[TLSA_ROLLOVER_EE_TA_PAIR] = "ee-ta-pair",
};

#define TLSA_NAME(tab, v) \
	((size_t)(v) < sizeof(tab) / sizeof((tab)[0]) ? (tab)[(v)] : "unknown")

const char *
tlsa_usage_name(unsigned int v)
{
	return TLSA_NAME(tlsa_usage_names, v);
}

const char *
tlsa_selector_name(unsigned int v)
{
	return TLSA_NAME(tlsa_selector_names, v);
}

const char *
tlsa_mtype_name(unsigned int v)
{
	return TLSA_NAME(tlsa_mtype_names, v);
}

const char *
tlsa_status_name(enum tlsa_status v)
{
	return TLSA_NAME(tlsa_status_names, v);
}

const char *
tlsa_smtp_name(enum tlsa_smtp v)
{
	return TLSA_NAME(tlsa_smtp_names, v);
}

const char *
tlsa_rollover_name(enum tlsa_rollover v)
{
	return TLSA_NAME(tlsa_rollover_names, v);
}

/*
 * Full(0) data decoded as SSL_dane_tlsa_add() decodes it: one DER object that ends exactly at
 * datalen, and for a certificate a public key that decodes too.  d2i_*() is given datalen, so it
 * never reads past it.  What OpenSSL pushes on its error queue here is ours to drop; the mark
 * keeps whatever the caller had queued.
 */
static enum tlsa_status
tlsa_full_check(const struct tlsa_rr *rr)
{
	const unsigned char *p = rr->data;
	enum tlsa_status st = TLSA_OK;
	X509 *cert = NULL;
	EVP_PKEY *pkey = NULL;

	ERR_set_mark();
	if (rr->selector == TLSA_SELECTOR_CERT) {
		if (d2i_X509(&cert, &p, (long)rr->datalen) == NULL ||
		    (size_t)(p - rr->data) != rr->datalen)
			st = TLSA_BAD_CERT;
		else if (X509_get0_pubkey(cert) == NULL)
			st = TLSA_BAD_CERT_KEY;
	} else {
		if (d2i_PUBKEY(&pkey, &p, (long)rr->datalen) == NULL ||
		    (size_t)(p - rr->data) != rr->datalen)
			st = TLSA_BAD_SPKI;
	}
	X509_free(cert);
	EVP_PKEY_free(pkey);
	ERR_pop_to_mark();
	return st;
}

/*
 * The fields are filled in as far as the RDATA goes, even for a malformed record, so a report
 * can still show "255 1 1 …" next to the reason.  The checks run in SSL_dane_tlsa_add()'s order.
 */
enum tlsa_status
tlsa_parse(const uint8_t *rdata, size_t len, struct tlsa_rr *out)
{
	struct cursor c;
	enum tlsa_status st;

	memset(out, 0, sizeof(*out));
	cursor_init(&c, rdata, rdata == NULL ? 0 : len);
	out->usage = cursor_u8(&c);
	out->selector = cursor_u8(&c);
	out->mtype = cursor_u8(&c);
	if (c.err) {
		st = TLSA_TOO_SHORT;
		goto out;
	}
	out->datalen = c.len;
	out->data = c.len > 0 ? cursor_bytes(&c, c.len) : NULL;

	if (out->datalen > INT_MAX)
		st = TLSA_DATA_TOO_LONG;
	else if (out->usage >= TLSA_USAGE_LAST)
		st = TLSA_BAD_USAGE;
	else if (out->selector >= TLSA_SELECTOR_LAST)
		st = TLSA_BAD_SELECTOR;
	else if (out->mtype >= TLSA_MTYPE_LAST)
		st = TLSA_BAD_MTYPE;
	else if (out->mtype == TLSA_MTYPE_SHA256 && out->datalen != TLSA_SHA256_LEN)
		st = TLSA_BAD_DIGEST_LEN;
	else if (out->mtype == TLSA_MTYPE_SHA512 && out->datalen != TLSA_SHA512_LEN)
		st = TLSA_BAD_DIGEST_LEN;
	else if (out->datalen == 0)
		st = TLSA_EMPTY_DATA;
	else if (out->mtype == TLSA_MTYPE_FULL)
		st = tlsa_full_check(out);
	else
		st = TLSA_OK;
 out:
	out->status = st;
	return st;
}

enum tlsa_smtp
tlsa_usable_smtp(const struct tlsa_rr *rr)
{
	if (rr->status != TLSA_OK)
		return TLSA_SMTP_UNUSABLE_MALFORMED;
	if (rr->usage == TLSA_USAGE_DANE_TA || rr->usage == TLSA_USAGE_DANE_EE)
		return TLSA_SMTP_USABLE;
	return TLSA_SMTP_UNUSABLE_PKIX;
}

static int
tlsa_same(const struct tlsa_rr *a, const struct tlsa_rr *b)
{
	if (a->usage != b->usage || a->selector != b->selector ||
	    a->mtype != b->mtype || a->datalen != b->datalen)
		return 0;
	return a->datalen == 0 || memcmp(a->data, b->data, a->datalen) == 0;
}

/* Quadratic in n; an RRset of TLSA records is a handful, never thousands. */
void
tlsa_set_assess(const struct tlsa_rr *rrs, size_t n, struct tlsa_set_health *h)
{
	size_t i, j;
	int dup;

	memset(h, 0, sizeof(*h));
	h->total = n;
	for (i = 0; i < n; i++) {
		dup = 0;
		for (j = 0; j < i && !dup; j++)
			dup = tlsa_same(&rrs[i], &rrs[j]);
		if (dup)
			h->duplicates++;
		switch (tlsa_usable_smtp(&rrs[i])) {
		case TLSA_SMTP_USABLE:
			h->usable++;
			if (dup)
				break;
			h->distinct_usable++;
			if (rrs[i].usage == TLSA_USAGE_DANE_EE)
				h->dane_ee++;
			else
				h->dane_ta++;
			break;
		case TLSA_SMTP_UNUSABLE_PKIX:
			h->pkix++;
			break;
		default:
			h->malformed++;
			break;
		}
	}
	h->multiple_usable = h->distinct_usable > 1;
	h->ee_ta_pair = h->dane_ee > 0 && h->dane_ta > 0;
	if (h->ee_ta_pair)
		h->rollover = TLSA_ROLLOVER_EE_TA_PAIR;
	else if (h->multiple_usable)
		h->rollover = TLSA_ROLLOVER_MULTIPLE;
	else if (h->distinct_usable == 1)
		h->rollover = TLSA_ROLLOVER_SINGLE;
	else
		h->rollover = TLSA_ROLLOVER_NONE_USABLE;
}

size_t
tlsa_format(const struct tlsa_rr *rr, char *buf, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	char head[16];
	size_t need, i, pos;
	int n;

	n = snprintf(head, sizeof(head), "%u %u %u ", (unsigned int)rr->usage,
	    (unsigned int)rr->selector, (unsigned int)rr->mtype);
	if (n < 0)
		n = 0;
	need = (size_t)n + 2 * rr->datalen;
	if (rr->datalen == 0)
		need--;		/* no trailing space: "3 1 1" */
	if (size == 0)
		return need;
	pos = 0;
	for (i = 0; i < (size_t)n && i < need && pos + 1 < size; i++)
		buf[pos++] = head[i];
	for (i = 0; i < rr->datalen && pos + 1 < size; i++) {
		buf[pos++] = hex[rr->data[i] >> 4];
		if (pos + 1 < size)
			buf[pos++] = hex[rr->data[i] & 0x0f];
	}
	buf[pos] = '\0';
	return need;
}
