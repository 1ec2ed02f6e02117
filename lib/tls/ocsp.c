/*
 * ocsp.c — see ocsp.h.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ocsp.h>

#include "tls/ocsp.h"

static const char *const ocsp_staple_names[OCSP_STAPLE_LAST] = {
	[OCSP_STAPLE_NONE] = "none",
	[OCSP_STAPLE_GOOD] = "good",
	[OCSP_STAPLE_REVOKED] = "revoked",
	[OCSP_STAPLE_UNKNOWN] = "unknown",
	[OCSP_STAPLE_STALE] = "stale",
	[OCSP_STAPLE_UNSUCCESSFUL] = "unsuccessful",
	[OCSP_STAPLE_MALFORMED] = "malformed",
};

const char *
ocsp_staple_name(enum ocsp_staple s)
{
	return (unsigned)s < OCSP_STAPLE_LAST ? ocsp_staple_names[s] : "?";
}

static void
ocsp_time(const ASN1_GENERALIZEDTIME *t, char *buf, size_t size)
{
	struct tm tm;

	buf[0] = '\0';
	if (t != NULL && ASN1_TIME_to_tm(t, &tm) == 1)
		strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
ocsp_assess(const uint8_t *der, size_t len, long now, struct ocsp_report *out)
{
	const unsigned char *p = der;
	OCSP_RESPONSE *resp = NULL;
	OCSP_BASICRESP *basic = NULL;
	OCSP_SINGLERESP *single;
	ASN1_GENERALIZEDTIME *thisupd = NULL, *nextupd = NULL, *rev = NULL;
	int st, reason;
	time_t t = (time_t)now;

	memset(out, 0, sizeof(*out));
	out->len = len;
	if (der == NULL || len == 0) {
		out->status = OCSP_STAPLE_NONE;
		return;
	}
	out->status = OCSP_STAPLE_MALFORMED;
	if (len > 0x7fffffff || (resp = d2i_OCSP_RESPONSE(NULL, &p, (long)len)) == NULL ||
	    p != der + len)
		goto out;
	if (OCSP_response_status(resp) != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
		out->status = OCSP_STAPLE_UNSUCCESSFUL;
		goto out;
	}
	if ((basic = OCSP_response_get1_basic(resp)) == NULL || OCSP_resp_count(basic) < 1 ||
	    (single = OCSP_resp_get0(basic, 0)) == NULL)
		goto out;
	st = OCSP_single_get0_status(single, &reason, &rev, &thisupd, &nextupd);
	ocsp_time(thisupd, out->this_update, sizeof(out->this_update));
	ocsp_time(nextupd, out->next_update, sizeof(out->next_update));
	if (st == V_OCSP_CERTSTATUS_REVOKED)
		out->status = OCSP_STAPLE_REVOKED;
	else if (st == V_OCSP_CERTSTATUS_UNKNOWN)
		out->status = OCSP_STAPLE_UNKNOWN;
	else if (st == V_OCSP_CERTSTATUS_GOOD)
		out->status = nextupd != NULL && X509_cmp_time(nextupd, &t) < 0 ?
		    OCSP_STAPLE_STALE : OCSP_STAPLE_GOOD;
out:
	OCSP_BASICRESP_free(basic);
	OCSP_RESPONSE_free(resp);
	ERR_clear_error();
}
