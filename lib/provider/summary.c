/*
 * summary.c — see summary.h.
 */
#include <stdio.h>
#include <string.h>

#include "probe/endpoint.h"
#include "provider/summary.h"
#include "scan/grade.h"
#include "scan/scan.h"
#include "scan/tlsenum.h"

const char *
summary_cert(const struct endpoint *ep)
{
	const struct endpoint_cert *c = ep->cert;

	if (!ep->tls_established || c == NULL)
		return "-";
	if (c->expired)
		return "invalid: expired";
	if (c->not_yet_valid)
		return "invalid: not yet valid";
	if (c->self_signed)
		return "invalid: self-signed";
	if (!c->chain_valid)
		return "invalid: untrusted";
	if (!c->name_match)
		return "invalid: name";
	return "valid";
}

void
summary_versions(const struct endpoint *ep, char *out, size_t outsz)
{
	size_t o = 0;
	int v;

	out[0] = '\0';
	if (ep->scan != NULL) {
		for (v = TLSENUM_VERSION_LAST - 1; v >= 0; v--)
			if (ep->scan->report.v[v].supported == TLSENUM_YES && o + 10 < outsz)
				o += (size_t)snprintf(out + o, outsz - o, "%s%s", o ? " " : "",
				    tlsenum_version_name((enum tlsenum_version)v));
	} else if (ep->tls && ep->tls->version)
		snprintf(out, outsz, "%s", ep->tls->version);
	if (out[0] == '\0')
		snprintf(out, outsz, "-");
}

const char *
summary_ciphers(const struct endpoint *ep)
{
	static const enum finding_id weak[] = { FINDING_CIPHER_NULL, FINDING_CIPHER_ANON,
	    FINDING_CIPHER_EXPORT, FINDING_CIPHER_RC4, FINDING_CIPHER_3DES, FINDING_TLS_SSLV2,
	    FINDING_TLS_SSLV3 };
	size_t i;

	if (!ep->tls_established && ep->scan == NULL)
		return "-";
	if (ep->scan == NULL) {
		const char *c = ep->tls && ep->tls->cipher ? ep->tls->cipher : "";

		return strncmp(c, "TLS_AES", 7) == 0 || strncmp(c, "TLS_CHACHA20", 12) == 0 ||
		    strstr(c, "DHE_") != NULL ? "PFS (negotiated)" : "no PFS (negotiated)";
	}
	for (i = 0; i < sizeof(weak) / sizeof(weak[0]); i++)
		if (endpoint_has(ep, weak[i]))
			return "weak";
	if (endpoint_has(ep, FINDING_KX_NO_PFS))
		return "no PFS";
	return "modern, PFS";
}

const char *
summary_grade(const struct endpoint *ep)
{
	return ep->grade ? ep->grade->display : "-";
}
