/*
 * weak.c — weaknesses read off a tlsenum report.
 *
 * Suite weaknesses list each offending suite once, with the versions that accepted it:
 * "TLS_RSA_WITH_RC4_128_SHA (TLSv1.0 TLSv1.2); ...".  SSLv2 cipher kinds count too (as
 * export / RC4 / 64-bit block ciphers): the protocol is already flagged on its own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "scan/tlsenum.h"
#include "scan/weak.h"
#include "tls/cipher.h"

static const char *const weak_names[WEAK_LAST] = {
	[WEAK_TLS_SSLV2] = "tls.sslv2",
	[WEAK_TLS_SSLV3] = "tls.sslv3",
	[WEAK_TLS_V1_0] = "tls.v1_0",
	[WEAK_TLS_V1_1] = "tls.v1_1",
	[WEAK_TLS_NO_MODERN] = "tls.no_modern",
	[WEAK_CIPHER_NULL] = "cipher.null",
	[WEAK_CIPHER_ANON] = "cipher.anon",
	[WEAK_CIPHER_EXPORT] = "cipher.export",
	[WEAK_CIPHER_RC4] = "cipher.rc4",
	[WEAK_CIPHER_3DES] = "cipher.3des",
	[WEAK_CIPHER_NO_AEAD] = "cipher.no_aead",
	[WEAK_KX_NO_PFS] = "kx.no_pfs",
	[WEAK_KX_DH_WEAK] = "kx.dh_weak",
	[WEAK_TLS_COMPRESSION] = "tls.compression",
	[WEAK_TLS_INSECURE_RENEG] = "tls.insecure_renegotiation",
	[WEAK_TLS_NO_FALLBACK_SCSV] = "tls.no_fallback_scsv",
};

const char *
weak_name(enum weak_id id)
{
	return (unsigned int)id < WEAK_LAST ? weak_names[id] : "?";
}

int
weak_by_name(const char *s)
{
	int i;

	for (i = 0; i < WEAK_LAST; i++)
		if (strcmp(weak_names[i], s) == 0)
			return i;
	return -1;
}

int
weak_has(const struct weak_result *w, enum weak_id id)
{
	return (unsigned int)id < WEAK_LAST && (w->flags & WEAK_BIT(id)) != 0;
}

/* Append to a detail; past the end it stops with "...". */
static void __attribute__((format(printf, 3, 4)))
weak_add(struct weak_result *w, enum weak_id id, const char *fmt, ...)
{
	char *d = w->detail[id];
	size_t len = strlen(d);
	va_list ap;
	int n;

	w->flags |= WEAK_BIT(id);
	if (len >= WEAK_DETAIL_MAX - 4 && strcmp(d + len - 3, "...") == 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(d + len, WEAK_DETAIL_MAX - len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= WEAK_DETAIL_MAX - len)
		memcpy(d + WEAK_DETAIL_MAX - 4, "...", 4);
}

/* Which suite weakness a TLS suite has; one suite may have several. */
static int
weak_suite_is(const struct cipher_suite *cs, enum weak_id id)
{
	switch (id) {
	case WEAK_CIPHER_NULL:
		return (cs->flags & CIPHER_F_NULL) != 0;
	case WEAK_CIPHER_ANON:
		return (cs->flags & CIPHER_F_ANON) || cs->auth == CIPHER_AUTH_ANON;
	case WEAK_CIPHER_EXPORT:
		return (cs->flags & CIPHER_F_EXPORT) != 0;
	case WEAK_CIPHER_RC4:
		return cs->enc == CIPHER_ENC_RC4;
	case WEAK_CIPHER_3DES:
		return (cs->flags & CIPHER_F_BLOCK64) && !(cs->flags & CIPHER_F_EXPORT);
	case WEAK_KX_NO_PFS:
		/* Static key exchange; anonymous DH is ephemeral and flagged as anon instead. */
		return cs->kx == CIPHER_KX_RSA || cs->kx == CIPHER_KX_DH ||
		    cs->kx == CIPHER_KX_ECDH || cs->kx == CIPHER_KX_PSK ||
		    cs->kx == CIPHER_KX_RSA_PSK || cs->kx == CIPHER_KX_KRB5;
	default:
		return 0;
	}
}

static int
weak_sslv2_is(const struct cipher_sslv2 *c2, enum weak_id id)
{
	switch (id) {
	case WEAK_CIPHER_EXPORT:
		return (c2->flags & CIPHER_F_EXPORT) != 0;
	case WEAK_CIPHER_RC4:
		return c2->enc == CIPHER_ENC_RC4;
	case WEAK_CIPHER_3DES:
		return (c2->flags & CIPHER_F_BLOCK64) && !(c2->flags & CIPHER_F_EXPORT);
	default:
		return 0;
	}
}

/* List every accepted suite with weakness id, once, with its versions. */
static void
weak_suites(const struct tlsenum_report *r, struct weak_result *w, enum weak_id id)
{
	const struct tlsenum_version_report *vr, *vo;
	const struct cipher_suite *cs;
	const struct cipher_sslv2 *c2;
	size_t i, j;
	int v, o, seen;

	for (v = TLSENUM_TLS13; v >= TLSENUM_SSL3; v--) {
		vr = &r->v[v];
		for (i = 0; i < vr->nsuites; i++) {
			cs = cipher_by_code(vr->suites[i]);
			if (cs == NULL || !weak_suite_is(cs, id))
				continue;
			/* Listed already from a higher version? */
			for (o = TLSENUM_TLS13, seen = 0; o > v && !seen; o--)
				for (j = 0, vo = &r->v[o]; j < vo->nsuites; j++)
					if (vo->suites[j] == cs->code)
						seen = 1;
			if (seen)
				continue;
			weak_add(w, id, "%s%s (", w->detail[id][0] ? "; " : "", cs->name);
			for (o = TLSENUM_TLS13, seen = 0; o >= TLSENUM_SSL3; o--)
				for (j = 0, vo = &r->v[o]; j < vo->nsuites; j++)
					if (vo->suites[j] == cs->code)
						weak_add(w, id, "%s%s", seen++ ? " " : "",
						    tlsenum_version_name(o));
			weak_add(w, id, ")");
		}
	}
	vr = &r->v[TLSENUM_SSL2];
	if (vr->supported != TLSENUM_YES)
		return;
	for (i = 0; i < vr->nsslv2_specs; i++)
		if ((c2 = cipher_sslv2_by_code(vr->sslv2_specs[i])) != NULL && weak_sslv2_is(c2, id))
			weak_add(w, id, "%s%s (SSLv2)", w->detail[id][0] ? "; " : "", c2->name);
}

static void
weak_version(const struct tlsenum_report *r, struct weak_result *w, enum weak_id id, int v)
{
	const struct tlsenum_version_report *vr = &r->v[v];

	if (vr->supported != TLSENUM_YES)
		return;
	if (v == TLSENUM_SSL2)
		weak_add(w, id, "SSLv2 accepted (%zu cipher kinds)", vr->nsslv2_specs);
	else
		weak_add(w, id, "%s accepted (%zu suites)", tlsenum_version_name(v), vr->nsuites);
}

void
weak_assess(const struct tlsenum_report *r, struct weak_result *w)
{
	const struct tlsenum_version_report *vr;
	const struct cipher_suite *cs;
	size_t i, nsuites = 0, k;
	int v, aead = 0;

	memset(w, 0, sizeof(*w));
	weak_version(r, w, WEAK_TLS_SSLV2, TLSENUM_SSL2);
	weak_version(r, w, WEAK_TLS_SSLV3, TLSENUM_SSL3);
	weak_version(r, w, WEAK_TLS_V1_0, TLSENUM_TLS10);
	weak_version(r, w, WEAK_TLS_V1_1, TLSENUM_TLS11);

	if (r->any_supported && r->v[TLSENUM_TLS12].supported != TLSENUM_YES &&
	    r->v[TLSENUM_TLS13].supported != TLSENUM_YES) {
		weak_add(w, WEAK_TLS_NO_MODERN, "highest version %s",
		    tlsenum_version_name(r->max_version));
	}

	weak_suites(r, w, WEAK_CIPHER_NULL);
	weak_suites(r, w, WEAK_CIPHER_ANON);
	weak_suites(r, w, WEAK_CIPHER_EXPORT);
	weak_suites(r, w, WEAK_CIPHER_RC4);
	weak_suites(r, w, WEAK_CIPHER_3DES);
	weak_suites(r, w, WEAK_KX_NO_PFS);

	for (v = TLSENUM_SSL3; v <= TLSENUM_TLS13; v++) {
		vr = &r->v[v];
		if (vr->supported != TLSENUM_YES)
			continue;
		nsuites += vr->nsuites;
		for (i = 0; i < vr->nsuites; i++)
			if ((cs = cipher_by_code(vr->suites[i])) != NULL &&
			    (cs->flags & CIPHER_F_AEAD))
				aead = 1;
	}
	if (nsuites > 0 && !aead)
		weak_add(w, WEAK_CIPHER_NO_AEAD, "none of %zu accepted suites is AEAD (GCM, "
		    "CCM, ChaCha20-Poly1305)", nsuites);

	for (k = 0; k < r->nkx; k++)
		if (r->kx[k].kx == CIPHER_KX_DHE && r->kx[k].bits > 0 &&
		    r->kx[k].bits < WEAK_DH_MIN_BITS)
			weak_add(w, WEAK_KX_DH_WEAK, "%s%u-bit DH group at %s",
			    w->detail[WEAK_KX_DH_WEAK][0] ? "; " : "", r->kx[k].bits,
			    tlsenum_version_name(r->kx[k].version));

	if (r->compression == TLSENUM_YES) {
		weak_add(w, WEAK_TLS_COMPRESSION, "DEFLATE accepted at");
		for (v = TLSENUM_TLS12; v >= TLSENUM_SSL3; v--)
			if (r->v[v].compression)
				weak_add(w, WEAK_TLS_COMPRESSION, " %s", tlsenum_version_name(v));
	}
	if (r->secure_reneg == TLSENUM_NO) {
		weak_add(w, WEAK_TLS_INSECURE_RENEG, "no renegotiation_info in");
		for (v = TLSENUM_TLS12; v >= TLSENUM_SSL3; v--)
			if (r->v[v].hellos > r->v[v].reneg_hellos)
				weak_add(w, WEAK_TLS_INSECURE_RENEG, " %s", tlsenum_version_name(v));
		weak_add(w, WEAK_TLS_INSECURE_RENEG, " ServerHellos");
	}
	if (r->fallback_scsv == TLSENUM_NO) {
		for (v = TLSENUM_TLS13, k = 0; v >= TLSENUM_SSL3; v--)
			if (r->v[v].supported == TLSENUM_YES && k++ == 1)
				break;
		weak_add(w, WEAK_TLS_NO_FALLBACK_SCSV, "a %s hello with TLS_FALLBACK_SCSV was "
		    "accepted although %s is supported", tlsenum_version_name(v),
		    tlsenum_version_name(r->max_version));
	}
}
