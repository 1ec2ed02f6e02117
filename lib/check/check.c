/*
 * check.c — see check.h.  RFC 7672 (SMTP DANE), RFC 8461 (MTA-STS), RFC 8460 (TLS-RPT),
 * RFC 7505 (null MX), RFC 5321 §5.1 (implicit MX).
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/event.h>

#include "check/check.h"
#include "dns/rdata.h"
#include "net/http.h"
#include "probe/batch.h"
#include "util/arena.h"
#include "util/text.h"
#include "util/xalloc.h"

static const char *const check_dane_names[CHECK_DANE_LAST] = {
	[CHECK_DANE_ABSENT] = "absent",
	[CHECK_DANE_USABLE] = "usable",
	[CHECK_DANE_INSECURE] = "insecure",
	[CHECK_DANE_UNUSABLE] = "unusable",
	[CHECK_DANE_BOGUS] = "bogus",
	[CHECK_DANE_ERROR] = "error",
};

const char *
check_dane_name(enum check_dane d)
{
	return (unsigned)d < CHECK_DANE_LAST ? check_dane_names[d] : "?";
}

struct check {
	const struct check_config	*cfg;
	struct arena			*a;
	struct check_result		*r;
	int				 pending;	/* lookups and fetches in flight */
	/* phase 1 leftovers */
	const char			*sts_txt[CHECK_TXT_MAX];
	size_t				 nsts_txt;
	const char			*rpt_txt[CHECK_TXT_MAX];
	size_t				 nrpt_txt;
	const char			*sts_addr;	/* an address of mta-sts.<domain> */
	enum resolver_status		 sts_txt_status;
	enum resolver_status		 rpt_txt_status;
	int				 sts_addr_secure_seen;
};

/* One lookup's context: what to do with the answer. */
struct check_q {
	struct check	*c;
	int		 kind;
	struct check_mx	*mx;
	int		 canon;		/* TLSA at the CNAME target */
};

enum {
	Q_MX, Q_STS_TXT, Q_RPT_TXT, Q_STS_A, Q_STS_AAAA, Q_MX_A, Q_MX_AAAA, Q_TLSA
};

static void
check_progress(struct check *c, const char *fmt, ...)
{
	char buf[300];
	va_list ap;

	if (c->cfg->progress == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	c->cfg->progress(buf, c->cfg->progress_arg);
}

static void
check_finding(struct check_result *r, struct arena *a, enum finding_id id, const char *fmt, ...)
{
	struct check_finding *f;
	char buf[600];
	va_list ap;

	if (r->nfindings == CHECK_FINDINGS_MAX)
		return;
	f = &r->findings[r->nfindings++];
	f->id = id;
	f->severity = finding_info(id)->severity;
	f->detail = NULL;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(buf, sizeof(buf), fmt, ap);
		va_end(ap);
		f->detail = text_clean_dup(a, buf);
	}
}

static int
check_is_ip(const char *s)
{
	unsigned char b[16];
	char tmp[RDATA_NAME_TEXT_MAX];
	size_t n = strlen(s);

	if (n >= sizeof(tmp))
		return 0;
	memcpy(tmp, s, n + 1);
	if (n && tmp[n - 1] == '.')
		tmp[n - 1] = '\0';
	return inet_pton(AF_INET, tmp, b) == 1 || inet_pton(AF_INET6, tmp, b) == 1;
}

/* Lower-case, no trailing dot: how names are compared and shown. */
static char *
check_name(struct arena *a, const char *s)
{
	char *p = arena_strdup(a, s), *q;
	size_t n = strlen(p);

	if (n > 1 && p[n - 1] == '.')
		p[n - 1] = '\0';
	for (q = p; *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q + 32);
	return p;
}

static enum resolver_status
check_worse(enum resolver_status a, enum resolver_status b)
{
	/* bogus > indeterminate > insecure > secure */
	static const int rank[RESOLVER_STATUS_LAST] = {
		[RESOLVER_SECURE] = 0, [RESOLVER_INSECURE] = 1,
		[RESOLVER_INDETERMINATE] = 2, [RESOLVER_BOGUS] = 3,
	};

	return rank[a] >= rank[b] ? a : b;
}

static void	check_answer(void *, const struct resolver_answer *);

static void
check_query(struct check *c, const char *name, int type, int kind, struct check_mx *mx, int canon)
{
	struct check_q *q = arena_alloc(c->a, sizeof(*q));

	q->c = c;
	q->kind = kind;
	q->mx = mx;
	q->canon = canon;
	c->pending++;	/* before the call: the callback may run inside it */
	if (resolver_query(c->cfg->resolver, name, type, check_answer, q) < 0)
		c->pending--;
}

static void
check_wait(struct check *c)
{
	while (c->pending > 0)
		if (event_base_loop(c->cfg->base, EVLOOP_ONCE) < 0)
			BUG("event loop failed");
}

static void
check_answer_mx(struct check *c, const struct resolver_answer *ans)
{
	struct check_result *r = c->r;
	char name[RDATA_NAME_TEXT_MAX];
	uint16_t pref;
	size_t i, j;

	r->mx_status = ans->status;
	if (ans->why_bogus)
		r->mx_why_bogus = arena_strdup(c->a, ans->why_bogus);
	r->mx_nxdomain = ans->nxdomain;
	for (i = 0; i < ans->n && r->nmx < CHECK_MX_MAX; i++) {
		if (rdata_mx(ans->rdata[i], ans->rdlen[i], &pref, name, sizeof(name)) != RDATA_OK)
			continue;
		/* RFC 7505: a single MX of preference 0 with the root as target */
		if (strcmp(name, ".") == 0 || name[0] == '\0') {
			r->null_mx = 1;
			continue;
		}
		r->mx[r->nmx].host = check_name(c->a, name);
		r->mx[r->nmx].pref = pref;
		r->nmx++;
	}
	/* preference order, stable for equal preferences (insertion sort: n <= 16) */
	for (i = 1; i < r->nmx; i++) {
		struct check_mx t = r->mx[i];

		for (j = i; j > 0 && r->mx[j - 1].pref > t.pref; j--)
			r->mx[j] = r->mx[j - 1];
		r->mx[j] = t;
	}
}

static void
check_answer_txt(struct check *c, const struct resolver_answer *ans, const char **out, size_t *n)
{
	char buf[4096];
	size_t i, len;

	for (i = 0; i < ans->n && *n < CHECK_TXT_MAX; i++)
		if (rdata_txt(ans->rdata[i], ans->rdlen[i], buf, sizeof(buf), &len) == RDATA_OK)
			out[(*n)++] = arena_strndup(c->a, buf, len);
}

static void
check_answer_addr(struct check *c, struct check_mx *mx, const struct resolver_answer *ans, int v6)
{
	char buf[RDATA_ADDR_TEXT_MAX];
	size_t i;

	mx->addr_status = check_worse(mx->addr_status, ans->status);
	if (ans->canonname && mx->canon == NULL)
		mx->canon = check_name(c->a, ans->canonname);
	for (i = 0; i < ans->n && mx->naddr < CHECK_ADDR_MAX; i++) {
		if ((v6 ? rdata_aaaa(ans->rdata[i], ans->rdlen[i], buf, sizeof(buf)) :
		    rdata_a(ans->rdata[i], ans->rdlen[i], buf, sizeof(buf))) == RDATA_OK)
			mx->addr[mx->naddr++] = arena_strdup(c->a, buf);
	}
}

static void
check_answer_tlsa(struct check *c, struct check_q *q, const struct resolver_answer *ans)
{
	struct check_mx *mx = q->mx;
	size_t i;

	/*
	 * RFC 7672 §2.2.2: TLSA records at a secure CNAME target take precedence; without them
	 * (or when the target is not secure) those at the original name apply, which phase 2
	 * already fetched.
	 */
	if (q->canon) {
		if (!(ans->status == RESOLVER_SECURE && ans->n > 0) && ans->status != RESOLVER_BOGUS)
			return;
		mx->ntlsa = 0;
		mx->tlsa_name = arena_printf(c->a, "_25._tcp.%s", mx->canon);
	}
	mx->tlsa_status = ans->status;
	if (ans->why_bogus)
		mx->tlsa_why_bogus = arena_strdup(c->a, ans->why_bogus);
	for (i = 0; i < ans->n && mx->ntlsa < CHECK_TLSA_MAX; i++) {
		uint8_t *copy = arena_alloc(c->a, ans->rdlen[i] ? ans->rdlen[i] : 1);
		struct tlsa_rr *rr = &mx->tlsa[mx->ntlsa];

		memcpy(copy, ans->rdata[i], ans->rdlen[i]);
		tlsa_parse(copy, ans->rdlen[i], rr);
		mx->ntlsa++;
	}
	/*
	 * RFC 7672 §3.1: on SMTP only DANE-TA(2) and DANE-EE(3) count.  OpenSSL would also honour
	 * PKIX-TA/PKIX-EE, so those never reach it: a matching "1 0 1" must not make DANE valid.
	 */
	mx->ntls_tlsa = 0;
	for (i = 0; i < mx->ntlsa; i++) {
		const struct tlsa_rr *rr = &mx->tlsa[i];

		if (tlsa_usable_smtp(rr) != TLSA_SMTP_USABLE)
			continue;
		mx->tls_tlsa[mx->ntls_tlsa].usage = rr->usage;
		mx->tls_tlsa[mx->ntls_tlsa].selector = rr->selector;
		mx->tls_tlsa[mx->ntls_tlsa].mtype = rr->mtype;
		mx->tls_tlsa[mx->ntls_tlsa].data = rr->data;
		mx->tls_tlsa[mx->ntls_tlsa].len = rr->datalen;
		mx->ntls_tlsa++;
	}
}

static void
check_answer(void *arg, const struct resolver_answer *ans)
{
	struct check_q *q = arg;
	struct check *c = q->c;
	char buf[RDATA_ADDR_TEXT_MAX];

	switch (q->kind) {
	case Q_MX:
		check_answer_mx(c, ans);
		break;
	case Q_STS_TXT:
		c->sts_txt_status = ans->status;
		check_answer_txt(c, ans, c->sts_txt, &c->nsts_txt);
		break;
	case Q_RPT_TXT:
		c->rpt_txt_status = ans->status;
		check_answer_txt(c, ans, c->rpt_txt, &c->nrpt_txt);
		break;
	case Q_STS_A:
	case Q_STS_AAAA:
		if (c->sts_addr == NULL && ans->n > 0 &&
		    (q->kind == Q_STS_A ? rdata_a(ans->rdata[0], ans->rdlen[0], buf, sizeof(buf)) :
		    rdata_aaaa(ans->rdata[0], ans->rdlen[0], buf, sizeof(buf))) == RDATA_OK)
			c->sts_addr = arena_strdup(c->a, buf);
		break;
	case Q_MX_A:
	case Q_MX_AAAA:
		check_answer_addr(c, q->mx, ans, q->kind == Q_MX_AAAA);
		break;
	case Q_TLSA:
		check_answer_tlsa(c, q, ans);
		break;
	}
	c->pending--;
}

static void
check_sts_fetched(void *arg, const struct http_result *hr)
{
	struct check *c = arg;
	struct check_sts *s = &c->r->sts;

	s->http_status = hr->status;
	s->content_type = text_clean_dup(c->a, hr->content_type);
	if (!hr->ok)
		s->fetch_error = arena_strdup(c->a, hr->body_too_big ? "policy larger than 64 KiB" :
		    hr->error ? hr->error : "transfer failed");
	else if (hr->redirected)
		s->fetch_error = arena_printf(c->a, "redirect (%ld) to %s, not followed (RFC 8461 §3.3)",
		    hr->status, hr->location ? hr->location : "?");
	else if (hr->status != 200)
		s->fetch_error = arena_printf(c->a, "HTTP status %ld", hr->status);
	else if (!mtasts_content_type_ok(hr->content_type))
		s->fetch_error = arena_printf(c->a, "content type %s, not text/plain",
		    hr->content_type ? hr->content_type : "missing");
	else {
		s->fetched = 1;
		s->policy_status = mtasts_policy_parse((const char *)hr->body, hr->body_len, c->a,
		    &s->policy);
		s->policy_valid = s->policy_status == MTASTS_OK;
	}
	/* curl's texts and the Location header carry the server's bytes */
	s->fetch_error = text_clean_dup(c->a, s->fetch_error);
	c->pending--;
}

/* Phase 1 results: MTA-STS and TLS-RPT records, and the policy fetch. */
static void
check_policies(struct check *c)
{
	struct check_result *r = c->r;
	struct check_sts *s = &r->sts;
	struct http_request req;
	size_t idx;

	s->record_present = c->nsts_txt > 0;
	s->record_status = mtasts_record_select(c->sts_txt, NULL, c->nsts_txt, &idx);
	if (s->record_status == MTASTS_OK) {
		struct mtasts_record rec;

		s->record_status = mtasts_record_parse(c->sts_txt[idx], strlen(c->sts_txt[idx]), &rec);
		if (s->record_status == MTASTS_OK)
			s->id = arena_strdup(c->a, rec.id);
	}
	if (s->record_status == MTASTS_OK) {
		if (c->sts_addr == NULL)
			s->fetch_error = arena_printf(c->a, "mta-sts.%s has no address", r->domain);
		else if (c->cfg->http == NULL)
			s->fetch_error = "no HTTP client";
		else {
			memset(&req, 0, sizeof(req));
			req.url = arena_printf(c->a, "https://mta-sts.%s/.well-known/mta-sts.txt", r->domain);
			req.connect_ip = c->sts_addr;
			req.timeout_ms = c->cfg->http_ms;
			req.max_body = MTASTS_POLICY_MAX;
			c->pending++;
			check_progress(c, "fetching %s", req.url);
			if (http_get(c->cfg->http, &req, check_sts_fetched, c) < 0) {
				c->pending--;
				s->fetch_error = http_client_error(c->cfg->http) ?
				    arena_strdup(c->a, http_client_error(c->cfg->http)) :
				    "cannot start the HTTPS fetch";
			}
		}
	}
	r->tlsrpt.present = c->nrpt_txt > 0;
	r->tlsrpt.status = tlsrpt_record_select(c->rpt_txt, NULL, c->nrpt_txt, &idx);
	if (r->tlsrpt.status == TLSRPT_OK)
		r->tlsrpt.status = tlsrpt_record_parse(c->rpt_txt[idx], strlen(c->rpt_txt[idx]), c->a,
		    &r->tlsrpt.record);
}

/* A probe of one MX address on port 25, as a sending MTA makes it. */
static void
check_probe_params(const struct check_config *cfg, const struct check_mx *mx, const char *ip,
    struct probe_params *pp)
{
	memset(pp, 0, sizeof(*pp));
	pp->host = mx->host;
	pp->ip = ip;
	pp->port = 25;
	pp->proto = ENDPOINT_PROTO_SMTP;
	pp->refname = mx->host;
	pp->ehlo = cfg->ehlo;
	pp->connect_ms = cfg->connect_ms;
	pp->reply_ms = cfg->reply_ms;
	pp->tls_ms = cfg->tls_ms;
	pp->total_ms = cfg->total_ms;
	pp->tls = cfg->tls;
	pp->now = cfg->now;
}

/* Phase 4: one probe per address; DANE armed where it applies. */
static void
check_probe(struct check *c)
{
	struct check_result *r = c->r;
	const struct check_config *cfg = c->cfg;
	struct probe_params pp;
	struct batch *b;
	size_t i, j, k = 0;

	b = batch_new(cfg->base, c->a, cfg->max_total, cfg->max_per_ip);
	for (i = 0; i < r->nmx; i++) {
		struct check_mx *mx = &r->mx[i];

		if (mx->ip_literal)
			continue;
		for (j = 0; j < mx->naddr; j++) {
			check_probe_params(cfg, mx, mx->addr[j], &pp);
			if (mx->dane == CHECK_DANE_USABLE) {
				pp.tlsa = mx->tls_tlsa;
				pp.ntlsa = mx->ntls_tlsa;
				/* the TLSA base domain: where the records were found */
				pp.dane_base = mx->canon && mx->tlsa_name &&
				    strcmp(mx->tlsa_name + 9, mx->canon) == 0 ? mx->canon : mx->host;
			}
			batch_add(b, &pp);
		}
	}
	check_progress(c, "probing %zu addresses", batch_count(b));
	batch_run(b);
	for (i = 0; i < r->nmx; i++) {
		struct check_mx *mx = &r->mx[i];

		if (mx->ip_literal)
			continue;
		for (j = 0; j < mx->naddr; j++) {
			struct endpoint *ep = batch_endpoint(b, k++);

			mx->ep[mx->nep++] = ep;
			r->endpoints[r->nendpoints++] = ep;
			r->connections += ep->connections;
		}
	}
	batch_free(b);
}

/* The certificate was authenticated another way: PKIX complaints become notes. */
static void
check_soften_cert(struct endpoint *ep)
{
	size_t i;

	for (i = 0; i < ep->nfindings; i++)
		switch (ep->findings[i].id) {
		case FINDING_CERT_UNTRUSTED:
		case FINDING_CERT_SELF_SIGNED:
		case FINDING_CERT_NAME_MISMATCH:
		case FINDING_CERT_EXPIRED:
		case FINDING_CERT_EXPIRES_SOON:
		case FINDING_CERT_NOT_YET_VALID:
			ep->findings[i].severity = SEVERITY_INFO;
			break;
		default:
			break;
		}
}

static void
check_findings(struct check *c)
{
	struct check_result *r = c->r;
	struct check_sts *s = &r->sts;
	struct verdict_mx vmx[CHECK_MX_MAX];
	struct verdict_input vin;
	size_t i, j;
	int enforce;

	/* DNS */
	if (r->mx_status == RESOLVER_BOGUS)
		check_finding(r, c->a, FINDING_DNSSEC_BOGUS, "MX %s: %s", r->domain,
		    r->mx_why_bogus ? r->mx_why_bogus : "validation failed");
	else if (r->mx_status == RESOLVER_INDETERMINATE)
		check_finding(r, c->a, FINDING_DNS_LOOKUP_FAILED, "MX %s", r->domain);
	else if (r->mx_status == RESOLVER_INSECURE)
		check_finding(r, c->a, FINDING_DNSSEC_INSECURE, "MX %s is not signed", r->domain);
	if (r->mx_nxdomain)
		check_finding(r, c->a, FINDING_DNS_NXDOMAIN, "%s", r->domain);
	if (r->null_mx)
		check_finding(r, c->a, FINDING_MX_NULL, NULL);
	if (r->implicit_mx)
		check_finding(r, c->a, FINDING_MX_IMPLICIT, "delivering to %s itself", r->domain);

	/* MTA-STS */
	enforce = 0;
	if (!s->record_present && (c->sts_txt_status == RESOLVER_BOGUS ||
	    c->sts_txt_status == RESOLVER_INDETERMINATE))
		check_finding(r, c->a, c->sts_txt_status == RESOLVER_BOGUS ? FINDING_DNSSEC_BOGUS :
		    FINDING_DNS_LOOKUP_FAILED, "TXT _mta-sts.%s", r->domain);
	else if (!s->record_present)
		check_finding(r, c->a, FINDING_MTA_STS_ABSENT, "no TXT at _mta-sts.%s", r->domain);
	else if (s->record_status != MTASTS_OK)
		check_finding(r, c->a, FINDING_MTA_STS_RECORD_INVALID, "%s",
		    mtasts_status_name(s->record_status));
	else if (!s->fetched)
		check_finding(r, c->a, FINDING_MTA_STS_POLICY_FETCH_FAILED, "%s",
		    s->fetch_error ? s->fetch_error : "no policy");
	else if (!s->policy_valid)
		check_finding(r, c->a, FINDING_MTA_STS_POLICY_INVALID, "%s",
		    mtasts_status_name(s->policy_status));
	else if (s->policy.mode == MTASTS_MODE_TESTING)
		check_finding(r, c->a, FINDING_MTA_STS_TESTING, NULL);
	else if (s->policy.mode == MTASTS_MODE_ENFORCE)
		enforce = 1;

	/* TLS-RPT */
	if (!r->tlsrpt.present && (c->rpt_txt_status == RESOLVER_BOGUS ||
	    c->rpt_txt_status == RESOLVER_INDETERMINATE))
		check_finding(r, c->a, c->rpt_txt_status == RESOLVER_BOGUS ? FINDING_DNSSEC_BOGUS :
		    FINDING_DNS_LOOKUP_FAILED, "TXT _smtp._tls.%s", r->domain);
	else if (!r->tlsrpt.present)
		check_finding(r, c->a, FINDING_TLSRPT_ABSENT, "no TXT at _smtp._tls.%s", r->domain);
	else if (r->tlsrpt.status != TLSRPT_OK)
		check_finding(r, c->a, FINDING_TLSRPT_INVALID, "%s", tlsrpt_status_name(r->tlsrpt.status));

	memset(vmx, 0, sizeof(vmx));
	for (i = 0; i < r->nmx; i++) {
		struct check_mx *mx = &r->mx[i];
		struct verdict_mx *v = &vmx[i];

		v->host = mx->host;
		if (mx->ip_literal)
			check_finding(r, c->a, FINDING_MX_IP_LITERAL, "%s", mx->host);
		if (mx->canon && strcmp(mx->canon, mx->host) != 0 && !mx->implicit)
			check_finding(r, c->a, FINDING_MX_CNAME, "%s is an alias of %s", mx->host, mx->canon);
		if (mx->naddr == 0 && !mx->ip_literal)
			check_finding(r, c->a, mx->addr_status == RESOLVER_BOGUS ? FINDING_DNSSEC_BOGUS :
			    FINDING_DNS_LOOKUP_FAILED, "%s has no usable address", mx->host);
		switch (mx->dane) {
		case CHECK_DANE_ABSENT:
			check_finding(r, c->a, FINDING_DANE_ABSENT, "%s", mx->host);
			break;
		case CHECK_DANE_INSECURE:
			check_finding(r, c->a, FINDING_DANE_INSECURE, "%s: %zu TLSA records, %s %s",
			    mx->host, mx->ntlsa, r->mx_status != RESOLVER_SECURE ? "MX RRset" :
			    mx->tlsa_status != RESOLVER_SECURE ? "TLSA RRset" : "address records",
			    resolver_status_name(r->mx_status != RESOLVER_SECURE ? r->mx_status :
			    mx->tlsa_status != RESOLVER_SECURE ? mx->tlsa_status : mx->addr_status));
			break;
		case CHECK_DANE_UNUSABLE:
			check_finding(r, c->a, FINDING_DANE_UNUSABLE, "%s: %zu records, none usable",
			    mx->host, mx->ntlsa);
			break;
		case CHECK_DANE_BOGUS:
			check_finding(r, c->a, FINDING_DNSSEC_BOGUS, "%s: %s", mx->tlsa_name,
			    mx->tlsa_why_bogus ? mx->tlsa_why_bogus : "validation failed");
			break;
		case CHECK_DANE_ERROR:
			check_finding(r, c->a, FINDING_DNS_LOOKUP_FAILED, "%s", mx->tlsa_name);
			break;
		case CHECK_DANE_USABLE:
			if (mx->health.usable < 2 && !mx->health.ee_ta_pair)
				check_finding(r, c->a, FINDING_DANE_NO_ROLLOVER, "%s: one usable record",
				    mx->host);
			break;
		default:
			break;
		}
		if (s->policy_valid) {
			mx->sts_pattern = mtasts_policy_matches(&s->policy, mx->host);
			if (enforce && mx->sts_pattern == NULL)
				check_finding(r, c->a, FINDING_MTA_STS_MX_MISMATCH,
				    "%s matches no mx: pattern", mx->host);
		}

		v->dane = mx->dane == CHECK_DANE_USABLE;
		v->dane_failed = r->mx_status == RESOLVER_SECURE &&
		    (mx->dane == CHECK_DANE_BOGUS || mx->dane == CHECK_DANE_ERROR);
		v->sts_match = mx->sts_pattern != NULL;
		v->starttls = v->dane_ok = v->webpki_ok = mx->nep > 0;
		for (j = 0; j < mx->nep; j++) {
			struct endpoint *ep = mx->ep[j];
			int webpki = ep->cert && ep->cert->chain_valid && ep->cert->name_match &&
			    !ep->cert->expired;

			v->reachable |= ep->connected;
			if (!ep->tls_established)
				v->starttls = 0;
			else
				v->starttls_some = 1;
			if (!webpki || !ep->tls_established)
				v->webpki_ok = 0;
			if (v->dane) {
				if (!ep->connected)
					v->dane_ok = 0;	/* conn.failed says it */
				else if (!ep->tls_established) {
					v->dane_ok = 0;
					endpoint_finding(ep, c->a, FINDING_DANE_STARTTLS_MISSING,
					    "%zu TLSA records published for %s", mx->ntlsa, mx->host);
				} else if (ep->dane && ep->dane->verified) {
					endpoint_finding(ep, c->a, FINDING_DANE_VALID, "matched %s",
					    ep->dane->matched ? ep->dane->matched : "?");
					check_soften_cert(ep);
				} else {
					v->dane_ok = 0;
					endpoint_finding(ep, c->a, FINDING_DANE_MISMATCH, "%s",
					    ep->dane && ep->dane->error ? ep->dane->error : "no match");
				}
			} else if (enforce && v->sts_match && (!ep->tls_established || !webpki))
				endpoint_finding(ep, c->a, FINDING_MTA_STS_CERT_INVALID, "%s",
				    !ep->tls_established ? "no TLS session" : !ep->cert ? "no certificate" :
				    !ep->cert->chain_valid ? ep->cert->chain_error :
				    ep->cert->expired ? "certificate expired" : "name mismatch");
		}
	}

	memset(&vin, 0, sizeof(vin));
	vin.null_mx = r->null_mx && r->nmx == 0;
	vin.nxdomain = r->mx_nxdomain;
	vin.mx_bogus = r->mx_status == RESOLVER_BOGUS;
	vin.sts = !s->policy_valid ? VERDICT_STS_ABSENT :
	    s->policy.mode == MTASTS_MODE_ENFORCE ? VERDICT_STS_ENFORCE :
	    s->policy.mode == MTASTS_MODE_TESTING ? VERDICT_STS_TESTING : VERDICT_STS_NONE;
	vin.nmx = r->nmx;
	vin.mx = vmx;
	verdict_decide(&vin, &r->verdict);
	if (r->verdict.can_read)
		check_finding(r, c->a, FINDING_DOWNGRADE_POSSIBLE, "%s", r->verdict.sentence);
}

/* Phase 3 results: decide per MX whether DANE applies (RFC 7672 §2.2). */
static void
check_dane_state(struct check *c)
{
	struct check_result *r = c->r;
	size_t i;

	for (i = 0; i < r->nmx; i++) {
		struct check_mx *mx = &r->mx[i];

		tlsa_set_assess(mx->tlsa, mx->ntlsa, &mx->health);
		if (mx->tlsa_name == NULL)
			mx->dane = CHECK_DANE_ABSENT;
		else if (mx->tlsa_status == RESOLVER_BOGUS)
			mx->dane = CHECK_DANE_BOGUS;
		else if (mx->tlsa_status == RESOLVER_INDETERMINATE)
			mx->dane = CHECK_DANE_ERROR;
		else if (mx->ntlsa == 0)
			mx->dane = CHECK_DANE_ABSENT;
		else if (mx->tlsa_status != RESOLVER_SECURE || r->mx_status != RESOLVER_SECURE ||
		    mx->addr_status != RESOLVER_SECURE)
			mx->dane = CHECK_DANE_INSECURE;
		else if (mx->health.usable == 0)
			mx->dane = CHECK_DANE_UNUSABLE;
		else
			mx->dane = CHECK_DANE_USABLE;
	}
}

/*
 * --full: enumerate every reachable endpoint; a certificate that DANE or an enforced MTA-STS
 * policy authenticated is graded as such (grade.c does not cap it for name or trust).
 */
static void
check_full(struct check *c)
{
	struct check_result *r = c->r;
	struct full_opts fo = c->cfg->full_opts;
	struct probe_params pp;
	size_t i, j;

	for (i = 0; i < r->nmx; i++) {
		struct check_mx *mx = &r->mx[i];

		for (j = 0; j < mx->nep; j++) {
			struct endpoint *ep = mx->ep[j];

			if (!ep->connected)
				continue;
			check_progress(c, "enumerating TLS of %s [%s]", mx->host, ep->ip);
			fo.auth = ep->dane && ep->dane->verified ? GRADE_AUTH_DANE :
			    mx->sts_pattern && r->sts.policy_valid &&
			    r->sts.policy.mode == MTASTS_MODE_ENFORCE && ep->cert &&
			    ep->cert->chain_valid && ep->cert->name_match ? GRADE_AUTH_MTASTS :
			    GRADE_AUTH_NONE;
			check_probe_params(c->cfg, mx, ep->ip, &pp);
			full_endpoint(c->cfg->base, &pp, ep, c->a, &fo);
			r->connections += ep->scan ? ep->scan->connections : 0;
			if (ep->grade && (!r->graded || ep->grade->letter > r->grade)) {
				r->graded = 1;
				r->grade = ep->grade->letter;
				r->grade_display = ep->grade->display;
			}
		}
	}
}

struct check_result *
check_run(const struct check_config *cfg, struct arena *a)
{
	struct check c;
	struct check_result *r = arena_alloc(a, sizeof(*r));
	struct timespec t0, t1;
	size_t i;
	char *n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&c, 0, sizeof(c));
	c.cfg = cfg;
	c.a = a;
	c.r = r;
	r->domain = check_name(a, cfg->domain);
	r->mx_status = RESOLVER_INDETERMINATE;

	/* phase 1 */
	check_progress(&c, "looking up MX, MTA-STS and TLS-RPT for %s", r->domain);
	check_query(&c, r->domain, RESOLVER_T_MX, Q_MX, NULL, 0);
	n = arena_printf(a, "_mta-sts.%s", r->domain);
	check_query(&c, n, RESOLVER_T_TXT, Q_STS_TXT, NULL, 0);
	n = arena_printf(a, "_smtp._tls.%s", r->domain);
	check_query(&c, n, RESOLVER_T_TXT, Q_RPT_TXT, NULL, 0);
	n = arena_printf(a, "mta-sts.%s", r->domain);
	check_query(&c, n, RESOLVER_T_A, Q_STS_A, NULL, 0);
	check_query(&c, n, RESOLVER_T_AAAA, Q_STS_AAAA, NULL, 0);
	if (cfg->while_waiting)
		cfg->while_waiting(cfg->while_waiting_arg);
	check_wait(&c);

	/* no MX records at all (NODATA): the domain itself is the implicit MX */
	if (r->nmx == 0 && !r->null_mx && !r->mx_nxdomain && r->mx_status != RESOLVER_BOGUS &&
	    r->mx_status != RESOLVER_INDETERMINATE) {
		r->implicit_mx = 1;
		r->mx[0].host = r->domain;
		r->mx[0].implicit = 1;
		r->nmx = 1;
	}

	/* phase 2 */
	check_policies(&c);
	for (i = 0; i < r->nmx; i++) {
		struct check_mx *mx = &r->mx[i];

		mx->addr_status = RESOLVER_SECURE;
		if (check_is_ip(mx->host)) {
			mx->ip_literal = 1;
			continue;
		}
		check_query(&c, mx->host, RESOLVER_T_A, Q_MX_A, mx, 0);
		check_query(&c, mx->host, RESOLVER_T_AAAA, Q_MX_AAAA, mx, 0);
		/*
		 * TLSA in the same round trip: only where DANE could apply (a secure MX RRset), or
		 * for an insecure MX to report records that senders will ignore.
		 */
		if (r->mx_status == RESOLVER_SECURE || r->mx_status == RESOLVER_INSECURE) {
			mx->tlsa_name = arena_printf(a, "_25._tcp.%s", mx->host);
			check_query(&c, mx->tlsa_name, RESOLVER_T_TLSA, Q_TLSA, mx, 0);
		}
	}
	check_progress(&c, "looking up %zu MX hosts", r->nmx);
	check_wait(&c);

	/* phase 3: TLSA at the target of a secure CNAME (rare; RFC 7672 §2.2.2) */
	for (i = 0; i < r->nmx && r->mx_status == RESOLVER_SECURE; i++) {
		struct check_mx *mx = &r->mx[i];

		if (mx->ip_literal || mx->canon == NULL || mx->addr_status != RESOLVER_SECURE ||
		    strcmp(mx->canon, mx->host) == 0)
			continue;
		check_query(&c, arena_printf(a, "_25._tcp.%s", mx->canon), RESOLVER_T_TLSA, Q_TLSA,
		    mx, 1);
	}
	check_wait(&c);
	check_dane_state(&c);

	/* phase 4 */
	check_probe(&c);

	/* phase 5 */
	check_findings(&c);
	if (cfg->full)
		check_full(&c);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->elapsed_ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	return r;
}

enum severity
check_worst(const struct check_result *r, int *any)
{
	enum severity w = SEVERITY_INFO, e;
	size_t i;
	int a;

	*any = 0;
	for (i = 0; i < r->nfindings; i++) {
		*any = 1;
		if (r->findings[i].severity > w)
			w = r->findings[i].severity;
	}
	for (i = 0; i < r->nendpoints; i++) {
		e = endpoint_worst(r->endpoints[i], &a);
		if (a) {
			*any = 1;
			if (e > w)
				w = e;
		}
	}
	return w;
}
