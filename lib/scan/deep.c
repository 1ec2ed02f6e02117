/*
 * deep.c — see deep.h.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "probe/conn.h"
#include "scan/conv.h"
#include "scan/deep.h"
#include "scan/rawhs.h"
#include "tls/cipher.h"
#include "tls/hello.h"
#include "util/arena.h"
#include "util/xalloc.h"

#define DEEP_WAIT_MS		3000	/* for a reaction after our records (ROBOT, CCS) */
#define DEEP_TICKET_LONG_S	86400	/* a ticket valid longer than a day */

static const char *const deep_kxhash_names[DEEP_KXHASH_LAST] = {
	[DEEP_KXHASH_NOT_TESTED] = "not_tested",
	[DEEP_KXHASH_NOT_APPLICABLE] = "not_applicable",
	[DEEP_KXHASH_SHA2] = "sha2",
	[DEEP_KXHASH_SHA1_ONLY] = "sha1_only",
};

static const char *const deep_chain_names[DEEP_CHAIN_LAST] = {
	[DEEP_CHAIN_UNKNOWN] = "unknown",
	[DEEP_CHAIN_COMPLETE] = "complete",
	[DEEP_CHAIN_INCOMPLETE] = "incomplete",
};

const char *
deep_kxhash_name(enum deep_kxhash k)
{
	return (unsigned)k < DEEP_KXHASH_LAST ? deep_kxhash_names[k] : "?";
}

const char *
deep_chain_name(enum deep_chain c)
{
	return (unsigned)c < DEEP_CHAIN_LAST ? deep_chain_names[c] : "?";
}

/* RFC 5246 §7.4.1.4.1 codes: hash(1) md5, (2) sha1; RFC 8446 §4.2.3 0x08xx are all SHA-2/EdDSA. */
int
deep_sigscheme_weak(uint16_t s)
{
	uint8_t hash = (uint8_t)(s >> 8);

	return hash == 1 || hash == 2;
}

enum deep_kxhash
deep_kxhash_from_report(const struct tlsenum_report *r)
{
	size_t i;
	int v, weak = 0;

	if (r->v[TLSENUM_TLS13].supported == TLSENUM_YES)
		return DEEP_KXHASH_SHA2;	/* CertificateVerify never uses SHA-1 (RFC 8446 §4.4.3) */
	for (i = 0; i < r->nske_sigs; i++) {
		if (!deep_sigscheme_weak(r->ske_sigs[i]))
			return DEEP_KXHASH_SHA2;
		weak = 1;
	}
	if (weak)
		return DEEP_KXHASH_SHA1_ONLY;
	/* before TLS 1.2 a signed exchange always uses MD5+SHA-1 (RFC 4346 §7.4.3) */
	if (r->v[TLSENUM_TLS12].supported != TLSENUM_YES)
		for (v = TLSENUM_SSL3; v <= TLSENUM_TLS11; v++)
			for (i = 0; i < r->v[v].nsuites; i++) {
				const struct cipher_suite *cs = cipher_by_code(r->v[v].suites[i]);

				if (cs && (cs->flags & CIPHER_F_PFS))
					return DEEP_KXHASH_SHA1_ONLY;
			}
	return DEEP_KXHASH_NOT_APPLICABLE;
}

/* SHA-1 was all we saw at TLS 1.2: offer only SHA-2 and see whether the server can. */
static void
deep_kxhash_confirm(struct event_base *base, const struct probe_params *pp,
    const struct tlsenum_report *r, struct deep_report *rep)
{
	static const uint16_t sha2[] = {
		0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806,
		0x0809, 0x080a, 0x080b, 0x0401, 0x0501, 0x0601,
	};
	const struct tlsenum_version_report *vr = &r->v[TLSENUM_TLS12];
	uint16_t suites[TLSENUM_MAX_SUITES];
	struct hello_params hp;
	struct hello_server hs;
	struct conv c;
	uint8_t rnd[32];
	size_t i, n = 0;
	const char *sn;

	for (i = 0; i < vr->nsuites; i++) {
		const struct cipher_suite *cs = cipher_by_code(vr->suites[i]);

		if (cs && (cs->flags & CIPHER_F_PFS))
			suites[n++] = vr->suites[i];
	}
	if (n == 0)
		return;
	rawhs_params(&hp, rnd, pp->refname, HELLO_TLS12, suites, n);
	hp.sigalgs = sha2;
	hp.nsigalgs = sizeof(sha2) / sizeof(sha2[0]);
	rep->kxhash_connections = 1;
	if (conv_open(&c, base, pp, HELLO_FLIGHT_MAX + 4096) == 0 &&
	    rawhs_hello_params(&c, &hp, pp->tls_ms, &hs) == 0) {
		if ((hs.seen & HELLO_SEEN_SKE) && hs.ske.sig_scheme != 0 &&
		    !deep_sigscheme_weak(hs.ske.sig_scheme)) {
			rep->kxhash = DEEP_KXHASH_SHA2;
			sn = hello_sigalg_name(hs.ske.sig_scheme);
			snprintf(rep->kxhash_detail, sizeof(rep->kxhash_detail), "SHA-1 by choice, but "
			    "%s when only SHA-2 is offered", sn ? sn : "SHA-2");
		} else {
			sn = hello_sigalg_name(hs.ske.sig_scheme);
			snprintf(rep->kxhash_detail, sizeof(rep->kxhash_detail), "offered only SHA-2 "
			    "signature schemes, the server still signed with %s", sn ? sn : "a weak hash");
		}
		hello_server_free(&hs);
	} else
		snprintf(rep->kxhash_detail, sizeof(rep->kxhash_detail), "offered only SHA-2 signature "
		    "schemes at TLSv1.2, the server did not complete its hello");
	conv_close(&c);
}

static void
deep_kxhash(struct event_base *base, const struct probe_params *pp,
    const struct tlsenum_report *r, struct deep_report *rep)
{
	rep->kxhash = deep_kxhash_from_report(r);
	switch (rep->kxhash) {
	case DEEP_KXHASH_SHA2:
		snprintf(rep->kxhash_detail, sizeof(rep->kxhash_detail), "%s",
		    r->v[TLSENUM_TLS13].supported == TLSENUM_YES ? "TLSv1.3 accepted" :
		    "SHA-2 signatures in the TLSv1.2 key exchange");
		break;
	case DEEP_KXHASH_SHA1_ONLY:
		/* SHA1_ONLY with TLS 1.2 signatures seen means every one was weak */
		if (r->nske_sigs > 0 && r->v[TLSENUM_TLS12].supported == TLSENUM_YES)
			deep_kxhash_confirm(base, pp, r, rep);
		else
			snprintf(rep->kxhash_detail, sizeof(rep->kxhash_detail),
			    "signed key exchange only before TLSv1.2 (MD5+SHA-1)");
		break;
	default:
		snprintf(rep->kxhash_detail, sizeof(rep->kxhash_detail), "no signed key exchange");
		break;
	}
}

static enum tlsenum_answer
deep_ems(const struct tlsenum_report *r, const struct session_report *s)
{
	int v, any = 0;

	for (v = TLSENUM_TLS10; v <= TLSENUM_TLS12; v++) {
		if (r->v[v].supported != TLSENUM_YES)
			continue;
		any = 1;
		if (r->v[v].exts & TLSENUM_EXT_EMS)
			return TLSENUM_YES;
	}
	if (s->handshake && s->ems == 1)
		return TLSENUM_YES;
	return any ? TLSENUM_NO : TLSENUM_NOT_APPLICABLE;
}

static enum deep_chain
deep_chain(const struct endpoint *ep, const struct session_report *s)
{
	const struct endpoint_cert *c = ep->cert;

	if (!s->handshake || s->chain.ncerts == 0)
		return DEEP_CHAIN_UNKNOWN;
	if (!s->chain.issuer_missing)
		return DEEP_CHAIN_COMPLETE;
	if (c == NULL)
		return DEEP_CHAIN_UNKNOWN;
	if (c->chain_valid)
		return DEEP_CHAIN_COMPLETE;	/* the verifier had the issuer */
	if (c->chain_error && strcmp(c->chain_error, X509_verify_cert_error_string(
	    X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY)) == 0)
		return DEEP_CHAIN_INCOMPLETE;
	return DEEP_CHAIN_UNKNOWN;
}

static void
deep_caa_done(void *arg, const struct caa_result *r)
{
	struct deep_report *rep = arg;

	rep->caa = *r;
	rep->caa_checked = 1;
}

static void
deep_caa(struct event_base *base, struct resolver *res, const char *name, struct deep_report *rep)
{
	struct caa_lookup l;

	unsigned char ip[16];

	/* CAA is about names; an address literal has none to look up */
	if (res == NULL || name == NULL || inet_pton(AF_INET, name, ip) == 1 ||
	    inet_pton(AF_INET6, name, ip) == 1)
		return;
	if (caa_lookup_start(&l, res, name, deep_caa_done, rep) < 0)
		return;
	while (!l.done)
		if (event_base_loop(base, EVLOOP_ONCE) < 0)
			BUG("event loop failed");
}

static void
deep_findings(struct endpoint *ep, struct arena *a, const struct deep_report *rep,
    const struct tlsenum_report *r)
{
	const struct session_report *s = &rep->sess;
	char buf[300];
	int id;

	if (rep->robot.result == ROBOT_WEAK_ORACLE || rep->robot.result == ROBOT_STRONG_ORACLE)
		endpoint_finding(ep, a, FINDING_VULN_ROBOT, "%s oracle: %s",
		    rep->robot.result == ROBOT_STRONG_ORACLE ? "strong" : "weak", rep->robot.detail);
	if (rep->ccs.result == CCS_VULNERABLE)
		endpoint_finding(ep, a, FINDING_VULN_CCS_INJECTION, "%s", rep->ccs.detail);
	if (s->reneg == TLSENUM_YES)
		endpoint_finding(ep, a, FINDING_TLS_CLIENT_RENEGOTIATION, "%s%s", s->reneg_detail,
		    r->secure_reneg == TLSENUM_NO ? " (without RFC 5746)" : "");
	if (rep->ems == TLSENUM_NO)
		endpoint_finding(ep, a, FINDING_TLS_NO_EXTENDED_MASTER_SECRET,
		    "no extended_master_secret in any TLS <= 1.2 ServerHello");
	if (s->early_data_accepted == TLSENUM_YES)
		endpoint_finding(ep, a, FINDING_TLS_EARLY_DATA, "TLSv1.3 0-RTT accepted (max_early_data "
		    "%u)", s->max_early_data);
	if (s->resume_id == TLSENUM_NO && s->resume_ticket == TLSENUM_NO)
		endpoint_finding(ep, a, FINDING_TLS_NO_RESUMPTION, "neither a session ID nor a ticket "
		    "resumed");
	if (s->ticket_hint12 > DEEP_TICKET_LONG_S || s->ticket_lifetime13 > DEEP_TICKET_LONG_S)
		endpoint_finding(ep, a, FINDING_TLS_TICKET_LIFETIME_LONG, "ticket lifetime %ld s",
		    s->ticket_hint12 > s->ticket_lifetime13 ? s->ticket_hint12 : s->ticket_lifetime13);
	if (s->handshake) {
		if (s->ocsp.status == OCSP_STAPLE_NONE)
			endpoint_finding(ep, a, FINDING_TLS_OCSP_NOT_STAPLED, "no CertificateStatus "
			    "for status_request");
		else if (s->ocsp.status != OCSP_STAPLE_GOOD)
			endpoint_finding(ep, a, FINDING_TLS_OCSP_STAPLE_BAD, "stapled response: %s%s%s",
			    ocsp_staple_name(s->ocsp.status), s->ocsp.next_update[0] ?
			    ", next update " : "", s->ocsp.next_update);
		if (s->scts_tls + s->scts_ocsp + s->scts_cert == 0)
			endpoint_finding(ep, a, FINDING_CERT_NO_SCT, "no SCT in the certificate, the TLS "
			    "extension or the OCSP response");
		if (!s->chain.ordered)
			endpoint_finding(ep, a, FINDING_CERT_CHAIN_ORDER, "%zu certificates sent; an "
			    "issuer does not follow the certificate it signed", s->chain.ncerts);
		if (s->chain.extra > 0)
			endpoint_finding(ep, a, FINDING_CERT_CHAIN_EXTRA, "%zu of %zu certificates are "
			    "not on the path from the server's certificate", s->chain.extra,
			    s->chain.ncerts);
	}
	if (rep->chain == DEEP_CHAIN_INCOMPLETE)
		endpoint_finding(ep, a, FINDING_CERT_CHAIN_INCOMPLETE, "not sent and not in the trust "
		    "store: the issuer %s", s->chain.last_issuer);
	if (rep->kxhash == DEEP_KXHASH_SHA1_ONLY)
		endpoint_finding(ep, a, FINDING_KX_SHA1_ONLY, "%s", rep->kxhash_detail);
	if (rep->caa_checked &&
	    (id = caa_finding(&rep->caa, ep->refname, buf, sizeof(buf))) >= 0)
		endpoint_finding(ep, a, (enum finding_id)id, "%s", buf);
}

void
deep_run(struct event_base *base, const struct probe_params *pp, struct endpoint *ep,
    struct arena *a, const struct tlsenum_report *r, struct resolver *res,
    struct deep_report *rep)
{
	long wait = pp->tls_ms > 0 && pp->tls_ms < DEEP_WAIT_MS ? pp->tls_ms : DEEP_WAIT_MS;
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(rep, 0, sizeof(*rep));
	robot_run(base, pp, r, wait, &rep->robot);
	ccs_run(base, pp, r, wait, &rep->ccs);
	session_run(base, pp, r, &rep->sess);
	deep_kxhash(base, pp, r, rep);
	rep->ems = deep_ems(r, &rep->sess);
	rep->chain = deep_chain(ep, &rep->sess);
	deep_caa(base, res, ep->refname, rep);
	rep->connections = rep->robot.connections + rep->ccs.connections + rep->sess.connections +
	    rep->kxhash_connections;
	deep_findings(ep, a, rep, r);
	rep->elapsed_ms = conn_elapsed_ms(&t0);
}
