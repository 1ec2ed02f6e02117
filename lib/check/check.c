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
	[CHECK_DANE_IGNORED] = "ignored",
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
	const char			*sts_addr[CHECK_STS_ADDR_MAX];	/* of mta-sts.<domain> */
	size_t				 nsts_addr;
	size_t				 sts_next;	/* the next one to try */
	enum resolver_status		 sts_txt_status;
	enum resolver_status		 rpt_txt_status;
	int				 round1_answers;	/* lookups of round 1 that got an answer */
	/* the stages (check_advance) */
	int				 stage;
	int				 advancing;	/* inside check_advance: no recursion */
	struct timespec			 t0;
	check_done_cb			 done;
	void				*done_arg;
	struct batch			*batch;
	struct check_slot		*slots;
	size_t				 nslots;
	size_t				 probes_left;	/* with a prober */
	int				 sts_addr_failed;	/* an address lookup of mta-sts.<domain> */
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

	if (r->nfindings == CHECK_FINDINGS_MAX || (r->nfindings >= CHECK_FINDINGS_MAX - 2 &&
	    id != FINDING_DOWNGRADE_POSSIBLE && id != FINDING_VERDICT_INDETERMINATE))
		return;	/* the verdict's finding always has its place */
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

static void	check_answer(void *, const struct resolver_answer *);

static void	check_advance(struct check *);

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

/* One MX record while the answer is sorted. */
struct check_mxrec {
	const char	*host;
	int		 pref;
};

static int
check_mxrec_cmp(const void *a, const void *b)
{
	const struct check_mxrec *x = a, *y = b;

	if (x->pref != y->pref)
		return x->pref < y->pref ? -1 : 1;
	return strcmp(x->host, y->host);
}

/*
 * The MX RRset in preference order.  A host listed more than once (at several preferences)
 * is one MX at its lowest preference, as senders treat it (RFC 5321 §5.1: the list is made of
 * hosts); distinct hosts beyond CHECK_MX_MAX are counted, not examined (mx.truncated).
 */
static void
check_answer_mx(struct check *c, const struct resolver_answer *ans)
{
	struct check_result *r = c->r;
	char name[RDATA_NAME_TEXT_MAX];
	struct check_mxrec *recs;
	uint16_t pref;
	size_t i, j, n = 0;

	r->mx_status = ans->status;
	if (ans->why_bogus)
		r->mx_why_bogus = arena_strdup(c->a, ans->why_bogus);
	r->mx_nxdomain = ans->nxdomain;
	recs = arena_alloc(c->a, (ans->n ? ans->n : 1) * sizeof(*recs));
	for (i = 0; i < ans->n; i++) {
		if (rdata_mx(ans->rdata[i], ans->rdlen[i], &pref, name, sizeof(name)) != RDATA_OK)
			continue;
		/* RFC 7505: a single MX of preference 0 with the root as target */
		if (strcmp(name, ".") == 0 || name[0] == '\0') {
			r->null_mx = 1;
			continue;
		}
		recs[n].host = check_name(c->a, name);
		recs[n].pref = pref;
		n++;
	}
	r->mx_records = n;
	qsort(recs, n, sizeof(*recs), check_mxrec_cmp);
	for (i = 0; i < n; i++) {
		for (j = 0; j < r->nmx; j++)
			if (strcmp(r->mx[j].host, recs[i].host) == 0)
				break;
		if (j < r->nmx) {
			r->mx[j].dups++;
			continue;
		}
		for (j = 0; j < i; j++)
			if (strcmp(recs[j].host, recs[i].host) == 0)
				break;
		if (j < i)
			continue;	/* a duplicate of a host dropped for the ceiling */
		if (r->nmx == CHECK_MX_MAX) {
			r->mx_dropped++;
			continue;
		}
		r->mx[r->nmx].host = recs[i].host;
		r->mx[r->nmx].pref = recs[i].pref;
		r->nmx++;
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

/* Why a lookup gave nothing usable, for the findings. */
static const char *
check_why_failed(struct arena *a, const struct resolver_answer *ans)
{
	if (ans->timed_out)
		return "timed out";
	if (ans->error)
		return arena_strdup(a, ans->error);
	return arena_printf(a, "rcode %d", ans->rcode);
}

/*
 * A and AAAA are kept apart (RFC 7672 §2.2 asks about "the address records" a sender uses):
 * a family whose lookup failed contributes no address and does not taint the other.  Only
 * answers that validated (secure) or are provably unsigned (insecure) give addresses: a bogus
 * answer is one no validating sender uses.
 */
static void
check_answer_addr(struct check *c, struct check_mx *mx, const struct resolver_answer *ans, int v6)
{
	char buf[RDATA_ADDR_TEXT_MAX];
	size_t i;
	int n = 0;

	if (v6) {
		mx->aaaa_status = ans->status;
		mx->aaaa_asked = 1;
	} else {
		mx->a_status = ans->status;
		mx->a_asked = 1;
	}
	/* the host does not exist: remember how well that is proven, whichever lookup said it */
	if (ans->nxdomain && (!mx->nxdomain || ans->status == RESOLVER_SECURE)) {
		mx->nxdomain = 1;
		mx->nxdomain_status = ans->status;
	}
	if (ans->status == RESOLVER_INDETERMINATE) {
		if (v6)
			mx->aaaa_error = check_why_failed(c->a, ans);
		else
			mx->a_error = check_why_failed(c->a, ans);
	}
	/*
	 * The alias target only from an answer that validated (or is unsigned, which never makes
	 * DANE: the family is insecure), a secure one preferred.  A bogus answer's canonname is
	 * whatever a forger wrote: pointed into a signed zone of the attacker's with TLSA records
	 * of its choice, it made "protected by DANE" out of a host without DANE (review of
	 * 2026-12-01).
	 */
	if (ans->canonname && (ans->status == RESOLVER_SECURE || ans->status == RESOLVER_INSECURE) &&
	    (mx->canon == NULL || (ans->status == RESOLVER_SECURE && !mx->canon_secure))) {
		mx->canon = check_name(c->a, ans->canonname);
		mx->canon_secure = ans->status == RESOLVER_SECURE;
	}
	if (ans->status != RESOLVER_SECURE && ans->status != RESOLVER_INSECURE)
		return;
	for (i = 0; i < ans->n; i++) {
		if ((v6 ? rdata_aaaa(ans->rdata[i], ans->rdlen[i], buf, sizeof(buf)) :
		    rdata_a(ans->rdata[i], ans->rdlen[i], buf, sizeof(buf))) != RDATA_OK)
			continue;
		n++;
		if (mx->naddr == CHECK_ADDR_MAX) {
			mx->addr_truncated = 1;
			continue;
		}
		mx->addr[mx->naddr++] = arena_strdup(c->a, buf);
	}
	if (v6)
		mx->aaaa_n = n;
	else
		mx->a_n = n;
}

/* One TLSA lookup's answer, kept until both names (CNAME target and original) answered. */
struct check_tlsa_ans {
	int			 done;
	int			 truncated;
	enum resolver_status	 status;
	const char		*why_bogus;
	size_t			 n;
	struct tlsa_rr		 rr[CHECK_TLSA_MAX];
};

static void
check_answer_tlsa(struct check *c, struct check_q *q, const struct resolver_answer *ans)
{
	struct check_tlsa_ans *t = q->canon ? q->mx->tlsa_at_canon : q->mx->tlsa_at_host;
	size_t i;

	t->done = 1;
	t->status = ans->status;
	if (ans->why_bogus)
		t->why_bogus = arena_strdup(c->a, ans->why_bogus);
	t->truncated = ans->n > CHECK_TLSA_MAX;
	for (i = 0; i < ans->n && t->n < CHECK_TLSA_MAX; i++) {
		uint8_t *copy = arena_alloc(c->a, ans->rdlen[i] ? ans->rdlen[i] : 1);

		memcpy(copy, ans->rdata[i], ans->rdlen[i]);
		tlsa_parse(copy, ans->rdlen[i], &t->rr[t->n]);
		t->n++;
	}
}

/*
 * Which TLSA answer decides (RFC 7672 §2.2.2): records at the target of a secure CNAME chain
 * first; when the target securely has none (NODATA, NXDOMAIN) or is not secure, the original
 * name.  A failed or bogus lookup at the target is a failure, not an absence: the sender cannot
 * know that the target has no records.
 */
static void
check_tlsa_decide(struct check *c, struct check_mx *mx)
{
	const struct check_tlsa_ans *h = mx->tlsa_at_host, *t = mx->tlsa_at_canon, *use = h;
	size_t i;

	if (h == NULL || !h->done)
		return;
	if (t != NULL && t->done) {
		if (t->status == RESOLVER_SECURE && t->n > 0)
			use = t;
		else if (t->status == RESOLVER_BOGUS || t->status == RESOLVER_INDETERMINATE) {
			use = t;
			mx->tlsa_canon_failed = 1;
		}
		if (use == t)
			mx->tlsa_name = arena_printf(c->a, "_25._tcp.%s", mx->canon);
	}
	mx->tlsa_status = use->status;
	mx->tlsa_why_bogus = use->why_bogus;
	mx->ntlsa = use->n;
	mx->tlsa_truncated = use->truncated;
	memcpy(mx->tlsa, use->rr, use->n * sizeof(use->rr[0]));
	/*
	 * RFC 7672 §3.1: on SMTP only DANE-TA(2) and DANE-EE(3) count.  OpenSSL would also honour
	 * PKIX-TA/PKIX-EE, so those never reach it: a matching "1 0 1" must not make DANE valid.
	 * tlsa_usable_smtp() decides usability exactly as OpenSSL's SSL_dane_tlsa_add() will.
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

/* mta-sts.<domain>'s A and AAAA, for the policy fetch. */
static void
check_sts_addresses(struct check *c)
{
	char *n = arena_printf(c->a, "mta-sts.%s", c->r->domain);

	check_query(c, n, RESOLVER_T_A, Q_STS_A, NULL, 0);
	check_query(c, n, RESOLVER_T_AAAA, Q_STS_AAAA, NULL, 0);
}

static void
check_answer(void *arg, const struct resolver_answer *ans)
{
	struct check_q *q = arg;
	struct check *c = q->c;
	char buf[RDATA_ADDR_TEXT_MAX];
	size_t i;

	if (q->kind <= Q_STS_AAAA && ans->status != RESOLVER_INDETERMINATE)
		c->round1_answers++;
	switch (q->kind) {
	case Q_MX:
		check_answer_mx(c, ans);
		break;
	case Q_STS_TXT:
		c->sts_txt_status = ans->status;
		check_answer_txt(c, ans, c->sts_txt, &c->nsts_txt);
		/* lazy: the addresses are wanted only for a record's policy (check_policies) */
		if (c->cfg->sts_addr_lazy && c->nsts_txt > 0)
			check_sts_addresses(c);
		break;
	case Q_RPT_TXT:
		c->rpt_txt_status = ans->status;
		check_answer_txt(c, ans, c->rpt_txt, &c->nrpt_txt);
		break;
	case Q_STS_A:
	case Q_STS_AAAA:
		if (ans->status == RESOLVER_INDETERMINATE)
			c->sts_addr_failed = 1;
		/* every address: senders try them all (RFC 8461 §3.3 fetches over plain HTTPS) */
		for (i = 0; i < ans->n && c->nsts_addr < CHECK_STS_ADDR_MAX; i++)
			if ((ans->status == RESOLVER_SECURE || ans->status == RESOLVER_INSECURE) &&
			    (q->kind == Q_STS_A ? rdata_a(ans->rdata[i], ans->rdlen[i], buf, sizeof(buf)) :
			    rdata_aaaa(ans->rdata[i], ans->rdlen[i], buf, sizeof(buf))) == RDATA_OK)
				c->sts_addr[c->nsts_addr++] = arena_strdup(c->a, buf);
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
	check_advance(c);	/* last: the check may be finished and gone after it */
}

static int	check_sts_fetch_next(struct check *);

static void
check_sts_fetched(void *arg, const struct http_result *hr)
{
	struct check *c = arg;
	struct check_sts *s = &c->r->sts;

	/*
	 * A transfer that failed below HTTP (no connection, TLS failure) on one address is not the
	 * policy's failure: senders try the next address, in both families.  An HTTP answer,
	 * whatever its status, is final.
	 */
	if (!hr->ok && hr->status == 0 && !hr->tls_failed && !hr->body_too_big)
		s->addr_unreached++;	/* no answer at all from this address */
	if (!hr->ok && !hr->body_too_big && hr->status == 0 && c->sts_next < c->nsts_addr) {
		check_progress(c, "mta-sts.%s: %s, trying the next address", c->r->domain,
		    hr->error ? hr->error : "transfer failed");
		/*
		 * This fetch's pending count passes to the next one; if that one calls back inside
		 * http_get(), its own callback settles the count and advances: touch nothing after.
		 */
		if (check_sts_fetch_next(c) == 0)
			return;
	}
	if (hr->ok || hr->status != 0)
		s->addr_used = c->sts_addr[c->sts_next - 1];
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
	check_advance(c);	/* last: the check may be finished and gone after it */
}

/*
 * Starts the policy fetch from the next address of mta-sts.<domain>; 0 when started (the
 * caller's pending count then belongs to it), -1 when no fetch could start (fetch_error set).
 */
static int
check_sts_fetch_next(struct check *c)
{
	struct check_sts *s = &c->r->sts;
	struct http_request req;

	while (c->sts_next < c->nsts_addr) {
		memset(&req, 0, sizeof(req));
		req.url = arena_printf(c->a, "https://mta-sts.%s/.well-known/mta-sts.txt", c->r->domain);
		req.connect_ip = c->sts_addr[c->sts_next++];
		req.timeout_ms = c->cfg->http_ms;
		req.max_body = MTASTS_POLICY_MAX;
		s->addr_tried++;
		check_progress(c, "fetching %s from %s", req.url, req.connect_ip);
		if (http_get(c->cfg->http, &req, check_sts_fetched, c) == 0)
			return 0;
		s->fetch_error = http_client_error(c->cfg->http) ?
		    arena_strdup(c->a, http_client_error(c->cfg->http)) : "cannot start the HTTPS fetch";
	}
	return -1;
}

/* Phase 1 results: MTA-STS and TLS-RPT records, and the policy fetch. */
static void
check_policies(struct check *c)
{
	struct check_result *r = c->r;
	struct check_sts *s = &r->sts;
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
		size_t i, j, k = 0;

		/* IPv6 first, as senders with both families prefer (RFC 8305); order kept inside */
		for (i = 0; i < c->nsts_addr; i++)
			if (strchr(c->sts_addr[i], ':') != NULL) {
				const char *t = c->sts_addr[i];

				for (j = i; j > k; j--)
					c->sts_addr[j] = c->sts_addr[j - 1];
				c->sts_addr[k++] = t;
			}
		if (c->nsts_addr == 0)
			s->fetch_error = arena_printf(c->a, "mta-sts.%s has no address", r->domain);
		else if (c->cfg->sts_cached != NULL && c->cfg->sts_cached_id != NULL &&
		    strcmp(c->cfg->sts_cached_id, s->id) == 0)
			s->fetch_skipped = 1;	/* unchanged: the caller holds this policy */
		else if (c->cfg->http == NULL)
			s->fetch_error = "no HTTP client";
		else {
			c->pending++;
			if (check_sts_fetch_next(c) < 0)
				c->pending--;
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

/* One distinct probe of phase 4. */
struct check_slot {
	struct check		*c;	/* with a prober: */
	struct probe_params	 pp;
	struct endpoint		*ep;
};

static void	check_probe_done(void *);

/* A prober's answer: a copy of the (maybe shared) endpoint becomes this check's own. */
static void
check_prober_done(struct endpoint *ep, void *arg)
{
	struct check_slot *sl = arg;
	struct check *c = sl->c;

	sl->ep = arena_alloc(c->a, sizeof(*sl->ep));
	*sl->ep = *ep;
	if (--c->probes_left == 0)
		check_probe_done(c);
}

static void
check_probe_done(void *arg)
{
	struct check *c = arg;
	struct check_result *r = c->r;
	size_t i, j, k;

	/* the slots follow the used MX hosts and their addresses in order (check_probe_start) */
	for (i = 0, k = 0; i < r->nmx; i++) {
		struct check_mx *mx = &r->mx[i];

		if (mx->vm.use != VERDICT_USE_USED)
			continue;
		for (j = 0; j < mx->naddr; j++, k++) {
			struct endpoint *ep = c->batch ? batch_endpoint(c->batch, k) : c->slots[k].ep;

			mx->ep[mx->nep++] = ep;
			r->endpoints[r->nendpoints++] = ep;
			r->connections += ep->connections;
		}
	}
	/* the endpoints live in the check's arena; the batch is done with them */
	batch_free(c->batch);	/* NULL is fine */
	c->batch = NULL;
	c->pending--;
	check_advance(c);
}

/*
 * Phase 4: one probe per address of every MX host senders use, DANE armed where it applies.
 * MX hosts are distinct after check_answer_mx(), so within one check every (address, port,
 * reference name, TLSA set) is probed once; a scan's prober shares them across domains.
 */
static void
check_probe_start(struct check *c)
{
	struct check_result *r = c->r;
	const struct check_config *cfg = c->cfg;
	struct probe_params pp;
	struct check_slot *slots;
	size_t i, j, k, n = 0;

	if (cfg->dns_only)
		return;	/* nothing probed: the verdict rests on DNS and MTA-STS alone */
	/* one slot per address of a used MX, not CHECK_ENDPOINTS_MAX: a scan keeps thousands
	   of checks in flight, and 128 slots would be 23 KiB each */
	for (i = 0; i < r->nmx; i++)
		if (r->mx[i].vm.use == VERDICT_USE_USED)
			n += r->mx[i].naddr;
	slots = c->slots = arena_alloc(c->a, (n ? n : 1) * sizeof(*slots));
	n = 0;
	if (cfg->prober == NULL)
		c->batch = batch_new(cfg->base, c->a, cfg->max_total, cfg->max_per_ip);
	for (i = 0; i < r->nmx; i++) {
		struct check_mx *mx = &r->mx[i];

		if (mx->vm.use != VERDICT_USE_USED)
			continue;
		for (j = 0; j < mx->naddr; j++) {
			check_probe_params(cfg, mx, mx->addr[j], &pp);
			/* armed also below an unsigned MX RRset: Postfix senders use those records */
			if (mx->dane == CHECK_DANE_USABLE || mx->vm.dane_if_mx_secure) {
				pp.tlsa = mx->tls_tlsa;
				pp.ntlsa = mx->ntls_tlsa;
				/* the TLSA base domain: where the records were found */
				pp.dane_base = mx->canon && mx->tlsa_name &&
				    strcmp(mx->tlsa_name + 9, mx->canon) == 0 ? mx->canon : mx->host;
			}
			memset(&slots[n], 0, sizeof(slots[n]));
			slots[n].c = c;
			slots[n].pp = pp;
			if (c->batch)
				batch_add(c->batch, &pp);
			n++;
		}
	}
	c->nslots = n;
	check_progress(c, "probing %zu addresses", n);
	c->pending++;
	if (c->batch) {
		batch_start(c->batch, check_probe_done, c);
		return;
	}
	if (n == 0) {
		check_probe_done(c);
		return;
	}
	c->probes_left = n + 1;	/* + 1 until every probe is asked for */
	for (k = 0; k < n; k++)
		cfg->prober->probe(cfg->prober->ctx, &slots[k].pp, check_prober_done, &slots[k]);
	if (--c->probes_left == 0)
		check_probe_done(c);
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

static const char *
check_family_failed(const struct check_mx *mx, int v6)
{
	const char *e = v6 ? mx->aaaa_error : mx->a_error;

	return e ? e : "failed";
}

/* DNS findings about one MX host: its address lookups, family by family. */
static void
check_findings_mx_dns(struct check *c, struct check_mx *mx)
{
	struct check_result *r = c->r;

	if (mx->ip_literal) {
		check_finding(r, c->a, FINDING_MX_IP_LITERAL, "%s (Exim refuses it; Postfix delivers "
		    "to it without DNSSEC, so without DANE)", mx->host);
		return;
	}
	if (mx->nxdomain) {
		if (mx->vm.use == VERDICT_USE_SKIP_NXDOMAIN)
			check_finding(r, c->a, FINDING_MX_NONEXISTENT, "%s (NXDOMAIN, DNSSEC-secure; "
			    "left out of the verdict)", mx->host);
		else if (mx->nxdomain_status == RESOLVER_BOGUS)
			check_finding(r, c->a, FINDING_DNSSEC_BOGUS, "NXDOMAIN for MX host %s (a "
			    "failed lookup to validating senders)", mx->host);
		else
			check_finding(r, c->a, FINDING_DNS_NXDOMAIN, "MX host %s (not signed: an "
			    "attacker can forge this answer as well as an address)", mx->host);
		return;
	}
	if (mx->a_asked && mx->a_status == RESOLVER_INDETERMINATE)
		check_finding(r, c->a, FINDING_DNS_LOOKUP_FAILED, "A of %s: %s%s", mx->host,
		    check_family_failed(mx, 0), mx->aaaa_n ? " (senders use its IPv6 addresses)" : "");
	if (mx->aaaa_asked && mx->aaaa_status == RESOLVER_INDETERMINATE)
		check_finding(r, c->a, FINDING_DNS_LOOKUP_FAILED, "AAAA of %s: %s%s", mx->host,
		    check_family_failed(mx, 1), mx->a_n ? " (senders use its IPv4 addresses)" : "");
	if (mx->a_asked && mx->a_status == RESOLVER_BOGUS)
		check_finding(r, c->a, FINDING_DNSSEC_BOGUS, "A of %s", mx->host);
	if (mx->aaaa_asked && mx->aaaa_status == RESOLVER_BOGUS)
		check_finding(r, c->a, FINDING_DNSSEC_BOGUS, "AAAA of %s", mx->host);
	if (mx->naddr == 0 && mx->vm.use == VERDICT_USE_SKIP_NO_ADDRESS)
		check_finding(r, c->a, FINDING_DNS_LOOKUP_FAILED, "%s has no usable address (left out "
		    "of the verdict)", mx->host);
	if (mx->addr_truncated)
		check_finding(r, c->a, FINDING_MX_TRUNCATED, "%s: only the first %d addresses were "
		    "probed", mx->host, CHECK_ADDR_MAX);
	if (mx->caa_done) {
		char d[300];
		int id = caa_finding(mx->caa_res, mx->host, d, sizeof(d));

		if (id >= 0)
			check_finding(r, c->a, (enum finding_id)id, "%s", d);
	}
}

/* DANE findings about one MX host. */
static void
check_findings_mx_dane(struct check *c, struct check_mx *mx)
{
	struct check_result *r = c->r;
	char buf[160];
	size_t k, nmal = 0;

	if (mx->dane != CHECK_DANE_INSECURE && mx->dane != CHECK_DANE_IGNORED)
		for (k = 0; k < mx->ntlsa; k++)
			if (tlsa_usable_smtp(&mx->tlsa[k]) == TLSA_SMTP_UNUSABLE_MALFORMED &&
			    nmal++ < 4) {	/* the count is in dane.unusable or the health */
				snprintf(buf, sizeof(buf), "%u %u %u", mx->tlsa[k].usage,
				    mx->tlsa[k].selector, mx->tlsa[k].mtype);
				check_finding(r, c->a, FINDING_DANE_RECORD_MALFORMED, "%s: %s ...: %s",
				    mx->tlsa_name, buf, tlsa_status_name(mx->tlsa[k].status));
			}
	switch (mx->dane) {
	case CHECK_DANE_ABSENT:
		if (mx->vm.use == VERDICT_USE_USED && mx->tlsa_name == NULL)
			check_finding(r, c->a, FINDING_DANE_ABSENT, "%s (its address records are %s, so "
			    "TLSA records would not count: not looked up, RFC 7672 §2.2)", mx->host,
			    resolver_status_name(mx->addr_status));
		else if (mx->vm.use == VERDICT_USE_USED)
			check_finding(r, c->a, FINDING_DANE_ABSENT, "%s", mx->host);
		break;
	case CHECK_DANE_INSECURE:
		check_finding(r, c->a, FINDING_DANE_INSECURE, "%s: %zu TLSA records, %s %s%s",
		    mx->host, mx->ntlsa, r->mx_status != RESOLVER_SECURE ? "MX RRset" :
		    mx->tlsa_status != RESOLVER_SECURE ? "TLSA RRset" : "address records",
		    resolver_status_name(r->mx_status != RESOLVER_SECURE ? r->mx_status :
		    mx->tlsa_status != RESOLVER_SECURE ? mx->tlsa_status : mx->addr_status),
		    mx->vm.dane_if_mx_secure ? " (Postfix senders still use them, RFC 7672 §2.2.1; an "
		    "attacker can forge the MX RRset)" : "");
		break;
	case CHECK_DANE_IGNORED:
		check_finding(r, c->a, FINDING_DANE_TLSA_IGNORED, "%s: %s, but the MX RRset is %s",
		    mx->tlsa_name, mx->tlsa_status == RESOLVER_BOGUS ? (mx->tlsa_why_bogus ?
		    mx->tlsa_why_bogus : "bogus") : "lookup failed", resolver_status_name(r->mx_status));
		break;
	case CHECK_DANE_UNUSABLE:
		check_finding(r, c->a, FINDING_DANE_UNUSABLE, "%s: %zu records, none usable (%zu "
		    "PKIX-TA/EE, %zu malformed): TLS is mandatory but any certificate passes",
		    mx->host, mx->ntlsa, mx->health.pkix, mx->health.malformed);
		break;
	case CHECK_DANE_BOGUS:
		check_finding(r, c->a, FINDING_DNSSEC_BOGUS, "%s: %s (DANE senders defer mail to %s)",
		    mx->tlsa_name, mx->tlsa_why_bogus ? mx->tlsa_why_bogus : "validation failed",
		    mx->host);
		break;
	case CHECK_DANE_ERROR:
		check_finding(r, c->a, FINDING_DNS_LOOKUP_FAILED, "TLSA %s%s", mx->tlsa_name,
		    mx->tlsa_canon_failed ? " (at the CNAME target)" : "");
		break;
	case CHECK_DANE_USABLE:
		if (mx->tlsa_truncated)
			check_finding(r, c->a, FINDING_MX_TRUNCATED, "%s: only the first %d TLSA records "
			    "were examined", mx->tlsa_name, CHECK_TLSA_MAX);
		if (mx->health.usable < 2 && !mx->health.ee_ta_pair)
			check_finding(r, c->a, FINDING_DANE_NO_ROLLOVER, "%s: one usable record",
			    mx->host);
		break;
	default:
		break;
	}
}

/* Probe facts of one MX for the verdict, and the per-endpoint DANE and MTA-STS findings. */
static void
check_findings_mx_probes(struct check *c, struct check_mx *mx, int enforce)
{
	struct verdict_mx *v = &mx->vm;
	size_t j;

	v->host = mx->host;
	/* a held policy whose patterns policyd did not keep: no MX can be said to be outside */
	v->sts_match = mx->sts_pattern != NULL || c->r->sts.mx_unknown;
	v->naddr = (int)mx->nep;
	v->reached = 0;
	v->starttls = v->dane_ok = v->webpki_ok = 1;
	v->starttls_some = 0;
	for (j = 0; j < mx->nep; j++) {
		struct endpoint *ep = mx->ep[j];
		int webpki = ep->cert && ep->cert->chain_valid && ep->cert->name_match &&
		    !ep->cert->expired;

		if (!ep->connected) {
			/* not a certificate failure: nothing is known about this address */
			if (!endpoint_has(ep, FINDING_CONN_UNREACHABLE_HERE))
				endpoint_finding(ep, c->a, FINDING_CONN_UNREACHABLE_HERE, "%s of %s: no "
				    "connection from this machine; its TLS was not checked", ep->ip,
				    mx->host);
			continue;
		}
		v->reached++;
		if (!ep->tls_established)
			v->starttls = 0;
		else
			v->starttls_some = 1;
		if (!webpki || !ep->tls_established)
			v->webpki_ok = 0;
		if (mx->dane == CHECK_DANE_USABLE || mx->vm.dane_if_mx_secure) {
			if (!ep->tls_established) {
				v->dane_ok = 0;
				if (!endpoint_has(ep, FINDING_DANE_STARTTLS_MISSING))
					endpoint_finding(ep, c->a, FINDING_DANE_STARTTLS_MISSING,
					    "%zu TLSA records published for %s", mx->ntlsa, mx->host);
			} else if (ep->dane && ep->dane->verified) {
				if (!endpoint_has(ep, FINDING_DANE_VALID))
					endpoint_finding(ep, c->a, FINDING_DANE_VALID, "matched %s",
					    ep->dane->matched ? ep->dane->matched : "?");
				check_soften_cert(ep);
			} else {
				v->dane_ok = 0;
				if (!endpoint_has(ep, FINDING_DANE_MISMATCH))
					endpoint_finding(ep, c->a, FINDING_DANE_MISMATCH, "%s",
					    ep->dane && ep->dane->error ? ep->dane->error : "no match");
			}
		} else if (mx->dane == CHECK_DANE_UNUSABLE && !ep->tls_established) {
			if (!endpoint_has(ep, FINDING_DANE_STARTTLS_MISSING))
				endpoint_finding(ep, c->a, FINDING_DANE_STARTTLS_MISSING,
				    "%zu unusable TLSA records published for %s: DANE senders defer",
				    mx->ntlsa, mx->host);
		} else if (enforce && v->sts_match && (!ep->tls_established || !webpki)) {
			if (!endpoint_has(ep, FINDING_MTA_STS_CERT_INVALID))
				endpoint_finding(ep, c->a, FINDING_MTA_STS_CERT_INVALID, "%s",
				    !ep->tls_established ? "no TLS session" : !ep->cert ?
				    "no certificate" : !ep->cert->chain_valid ? ep->cert->chain_error :
				    ep->cert->expired ? "certificate expired" : "name mismatch");
		}
	}
	if (v->reached == 0)
		v->starttls = v->dane_ok = v->webpki_ok = 0;
}

static void
check_findings(struct check *c)
{
	struct check_result *r = c->r;
	struct check_sts *s = &r->sts;
	struct verdict_mx vmx[CHECK_MX_MAX + 1];
	struct verdict_input vin;
	size_t i;
	int enforce, live_valid;

	/* DNS */
	if (r->mx_status == RESOLVER_BOGUS)
		check_finding(r, c->a, FINDING_DNSSEC_BOGUS, "MX %s: %s", r->domain,
		    r->mx_why_bogus ? r->mx_why_bogus : "validation failed");
	else if (r->mx_status == RESOLVER_INDETERMINATE)
		check_finding(r, c->a, FINDING_DNS_LOOKUP_FAILED, "MX %s%s", r->domain, r->dns_silent ?
		    ": no DNS lookup got an answer (is a resolver reachable from here? see --resolver)" :
		    "");
	else if (r->mx_status == RESOLVER_INSECURE)
		check_finding(r, c->a, FINDING_DNSSEC_INSECURE, "MX %s is not signed", r->domain);
	if (r->mx_nxdomain)
		check_finding(r, c->a, FINDING_DNS_NXDOMAIN, "%s", r->domain);
	if (r->null_mx && r->nmx == 0)
		check_finding(r, c->a, FINDING_MX_NULL, NULL);
	else if (r->null_mx) {
		/* RFC 7505 §3: a null MX must be the only MX; Postfix then delivers nowhere */
		check_finding(r, c->a, FINDING_MX_NULL, "mixed with %zu other MX hosts (RFC 7505 §3 "
		    "forbids it): Postfix treats the domain as accepting no mail, other senders use "
		    "the other hosts", r->nmx);
		r->findings[r->nfindings - 1].severity = SEVERITY_HIGH;
	}
	if (r->implicit_mx)
		check_finding(r, c->a, FINDING_MX_IMPLICIT, "delivering to %s itself", r->domain);
	if (r->mx_dropped)
		check_finding(r, c->a, FINDING_MX_TRUNCATED, "%zu MX records, %zu distinct hosts beyond "
		    "the first %d were not examined", r->mx_records, r->mx_dropped, CHECK_MX_MAX);

	/* MTA-STS */
	enforce = 0;
	/*
	 * The caller's cached policy is the one in force when none was fetched now: the record's
	 * id is unchanged (RFC 8461 §3.1: the id changes whenever the policy does; §5.1: a sender
	 * uses its cached policy while max_age has not passed since the fetch), or no live policy
	 * could be had (§3.3: "if no 'live' policy can be discovered via DNS or fetched via HTTPS,
	 * but a valid (non-expired) policy exists in the sender's cache, the sender MUST apply that
	 * cached policy").  The findings below stay about the live record and fetch.
	 */
	live_valid = s->policy_valid;
	if (!s->policy_valid && c->cfg->sts_cached != NULL) {
		s->policy = *c->cfg->sts_cached;
		s->policy_valid = 1;
		s->from_cache = 1;
		s->mx_unknown = c->cfg->sts_cached_mx_unknown;
	}
	if (!s->record_present && (c->sts_txt_status == RESOLVER_BOGUS ||
	    c->sts_txt_status == RESOLVER_INDETERMINATE))
		check_finding(r, c->a, c->sts_txt_status == RESOLVER_BOGUS ? FINDING_DNSSEC_BOGUS :
		    FINDING_DNS_LOOKUP_FAILED, "TXT _mta-sts.%s", r->domain);
	else if (!s->record_present)
		check_finding(r, c->a, FINDING_MTA_STS_ABSENT, "no TXT at _mta-sts.%s", r->domain);
	else if (s->record_status != MTASTS_OK)
		check_finding(r, c->a, FINDING_MTA_STS_RECORD_INVALID, "%s",
		    mtasts_status_name(s->record_status));
	else if (!s->fetched && !s->fetch_skipped)
		check_finding(r, c->a, FINDING_MTA_STS_POLICY_FETCH_FAILED, "%s%s",
		    s->fetch_error ? s->fetch_error : "no policy", s->addr_tried > 1 ?
		    arena_printf(c->a, " (every one of %d addresses tried)", s->addr_tried) : "");
	else if (!live_valid && !s->fetch_skipped)
		check_finding(r, c->a, FINDING_MTA_STS_POLICY_INVALID, "%s",
		    mtasts_status_name(s->policy_status));
	else if (s->policy.mode == MTASTS_MODE_TESTING)
		check_finding(r, c->a, FINDING_MTA_STS_TESTING, NULL);
	else if (s->policy.mode == MTASTS_MODE_ENFORCE)
		enforce = 1;
	if (s->from_cache && s->policy.mode == MTASTS_MODE_ENFORCE)
		enforce = 1;	/* held after a failed or absent live policy (§3.3) */
	if (s->policy_valid && s->policy.mode != MTASTS_MODE_NONE && s->policy.max_age < 604800)
		check_finding(r, c->a, FINDING_MTA_STS_MAX_AGE_SHORT, "max_age %llu s",
		    (unsigned long long)s->policy.max_age);
	/*
	 * No policy known, but only because nothing answered from here (not a policy failure): the
	 * _mta-sts lookup failed, or no address of the policy host gave an HTTP answer and one of
	 * them could not be reached at all (a sender reaching it may get the policy).  A policy
	 * held in the caller's cache is known: it is the one in force.
	 */
	s->unknown = !s->from_cache &&
	    ((!s->record_present && c->sts_txt_status == RESOLVER_INDETERMINATE) ||
	    (s->record_status == MTASTS_OK && !s->fetched && s->http_status == 0 &&
	    ((c->nsts_addr == 0 && c->sts_addr_failed) || s->addr_unreached > 0)));

	/* TLS-RPT */
	if (!r->tlsrpt.present && (c->rpt_txt_status == RESOLVER_BOGUS ||
	    c->rpt_txt_status == RESOLVER_INDETERMINATE))
		check_finding(r, c->a, c->rpt_txt_status == RESOLVER_BOGUS ? FINDING_DNSSEC_BOGUS :
		    FINDING_DNS_LOOKUP_FAILED, "TXT _smtp._tls.%s", r->domain);
	else if (!r->tlsrpt.present)
		check_finding(r, c->a, FINDING_TLSRPT_ABSENT, "no TXT at _smtp._tls.%s", r->domain);
	else if (r->tlsrpt.status != TLSRPT_OK)
		check_finding(r, c->a, FINDING_TLSRPT_INVALID, "%s", tlsrpt_status_name(r->tlsrpt.status));
	else if (r->tlsrpt.record.flags) {
		char notes[200] = "";
		unsigned int bit;

		for (bit = 1; bit < TLSRPT_F_LAST; bit <<= 1)
			if (r->tlsrpt.record.flags & bit)
				snprintf(notes + strlen(notes), sizeof(notes) - strlen(notes), "%s%s",
				    notes[0] ? ", " : "", tlsrpt_flag_name(bit));
		check_finding(r, c->a, FINDING_TLSRPT_NOTE, "%s", notes);
	}

	for (i = 0; i < r->nmx; i++) {
		struct check_mx *mx = &r->mx[i];

		if (mx->canon && strcmp(mx->canon, mx->host) != 0 && !mx->implicit)
			check_finding(r, c->a, FINDING_MX_CNAME, "%s is an alias of %s", mx->host, mx->canon);
		check_findings_mx_dns(c, mx);
		check_findings_mx_dane(c, mx);
		if (s->policy_valid && !s->mx_unknown) {
			mx->sts_pattern = mtasts_policy_matches(&s->policy, mx->host);
			if (enforce && mx->sts_pattern == NULL && mx->vm.use == VERDICT_USE_USED)
				check_finding(r, c->a, FINDING_MTA_STS_MX_MISMATCH,
				    "%s matches no mx: pattern", mx->host);
		}
		check_findings_mx_probes(c, mx, enforce);
		vmx[i] = mx->vm;
	}

	memset(&vin, 0, sizeof(vin));
	vin.null_mx = r->null_mx && r->nmx == 0;
	vin.nxdomain = r->mx_nxdomain;
	vin.mx_bogus = r->mx_status == RESOLVER_BOGUS;
	vin.mx_failed = r->mx_status == RESOLVER_INDETERMINATE;
	vin.mx_insecure = r->mx_status == RESOLVER_INSECURE;
	vin.not_probed = c->cfg->dns_only;
	vin.sts_unknown = s->unknown;
	vin.sts = !s->policy_valid ? VERDICT_STS_ABSENT :
	    s->policy.mode == MTASTS_MODE_ENFORCE ? VERDICT_STS_ENFORCE :
	    s->policy.mode == MTASTS_MODE_TESTING ? VERDICT_STS_TESTING : VERDICT_STS_NONE;
	vin.nmx = r->nmx;
	if (r->mx_dropped) {
		/* hosts beyond the ceiling may be the weak ones: never "protected" without them */
		memset(&vmx[r->nmx], 0, sizeof(vmx[0]));
		vmx[r->nmx].host = arena_printf(c->a, "%zu more", r->mx_dropped);
		vmx[r->nmx].use = VERDICT_USE_UNEXAMINED;
		vin.nmx++;
	}
	vin.mx = vmx;
	verdict_decide(&vin, &r->verdict);
	if (r->verdict.can_read > 0)
		check_finding(r, c->a, FINDING_DOWNGRADE_POSSIBLE, "%s", r->verdict.sentence);
	else if (r->verdict.can_read < 0)
		check_finding(r, c->a, FINDING_VERDICT_INDETERMINATE, "%s", r->verdict.sentence);
}

static enum verdict_dns_status
check_vdns(enum resolver_status st, int asked)
{
	if (!asked)
		return VERDICT_DNS_NOT_ASKED;
	switch (st) {
	case RESOLVER_SECURE:
		return VERDICT_DNS_SECURE;
	case RESOLVER_INSECURE:
		return VERDICT_DNS_INSECURE;
	case RESOLVER_BOGUS:
		return VERDICT_DNS_BOGUS;
	default:
		return VERDICT_DNS_FAILED;
	}
}

/*
 * After the address lookups: does a sender use this MX, and is it secure enough that its TLSA
 * records could matter (verdict_mx_dns() with the TLSA lookup still to come)?
 */
static void
check_use_state(struct check *c, struct check_mx *mx)
{
	struct verdict_dns d;

	memset(&d, 0, sizeof(d));
	d.mx = check_vdns(c->r->mx_status, 1);
	d.ip_literal = mx->ip_literal;
	d.nxdomain = mx->nxdomain;
	/* for a host that does not exist, `a` carries the status of the NXDOMAIN (verdict.h) */
	d.a = mx->nxdomain ? check_vdns(mx->nxdomain_status, 1) :
	    check_vdns(mx->a_status, mx->a_asked);
	d.aaaa = check_vdns(mx->aaaa_status, mx->aaaa_asked);
	d.na = mx->a_n;
	d.naaaa = mx->aaaa_n;
	d.tlsa = mx->tlsa_at_host && mx->tlsa_at_host->done ? check_vdns(mx->tlsa_status, 1) :
	    VERDICT_DNS_NOT_ASKED;
	d.ntlsa = (int)mx->ntlsa;
	d.nusable = (int)mx->health.usable;
	d.tlsa_truncated = mx->tlsa_truncated;
	verdict_mx_dns(&d, &mx->vm);
	if (mx->ip_literal) {
		mx->addr_status = RESOLVER_INSECURE;	/* an address nobody signed */
		return;
	}
	/* what decides DANE: secure when every family with addresses is (check.md) */
	if ((d.a == VERDICT_DNS_INSECURE && d.na) || (d.aaaa == VERDICT_DNS_INSECURE && d.naaaa))
		mx->addr_status = RESOLVER_INSECURE;
	else if ((d.a == VERDICT_DNS_SECURE && d.na) || (d.aaaa == VERDICT_DNS_SECURE && d.naaaa))
		mx->addr_status = RESOLVER_SECURE;
	else if (d.a == VERDICT_DNS_BOGUS || d.aaaa == VERDICT_DNS_BOGUS)
		mx->addr_status = RESOLVER_BOGUS;
	else if (d.a == VERDICT_DNS_FAILED || d.aaaa == VERDICT_DNS_FAILED)
		mx->addr_status = RESOLVER_INDETERMINATE;
	else
		mx->addr_status = d.a == VERDICT_DNS_INSECURE || d.aaaa == VERDICT_DNS_INSECURE ?
		    RESOLVER_INSECURE : RESOLVER_SECURE;
}

/* Phase 3 results: decide per MX whether DANE applies (RFC 7672 §2.2). */
static void
check_dane_state(struct check *c)
{
	struct check_result *r = c->r;
	size_t i;

	for (i = 0; i < r->nmx; i++) {
		struct check_mx *mx = &r->mx[i];

		check_tlsa_decide(c, mx);
		tlsa_set_assess(mx->tlsa, mx->ntlsa, &mx->health);
		check_use_state(c, mx);
		if (mx->tlsa_at_host == NULL || !mx->tlsa_at_host->done)
			mx->dane = CHECK_DANE_ABSENT;	/* not looked up: it could not matter */
		else switch (mx->vm.dane) {
		case VERDICT_DANE_AUTH:
			mx->dane = CHECK_DANE_USABLE;
			break;
		case VERDICT_DANE_UNAUTH:
			mx->dane = CHECK_DANE_UNUSABLE;
			break;
		case VERDICT_DANE_BOGUS:
			mx->dane = CHECK_DANE_BOGUS;
			break;
		case VERDICT_DANE_UNKNOWN:
			mx->dane = CHECK_DANE_ERROR;
			break;
		default:
			/* DANE does not apply; say why if records or failures are there */
			if (mx->tlsa_status == RESOLVER_BOGUS ||
			    mx->tlsa_status == RESOLVER_INDETERMINATE)
				mx->dane = CHECK_DANE_IGNORED;
			else if (mx->ntlsa > 0)
				mx->dane = CHECK_DANE_INSECURE;
			else
				mx->dane = CHECK_DANE_ABSENT;
			break;
		}
	}
}

/*
 * --full: enumerate every reachable endpoint; a certificate that DANE or an enforced MTA-STS
 * policy authenticated is graded as such (grade.c does not cap it for name or trust).
 */
static enum grade_auth
check_full_auth(const struct check_result *r, const struct check_mx *mx,
    const struct endpoint *ep)
{
	return ep->dane && ep->dane->verified ? GRADE_AUTH_DANE :
	    mx->sts_pattern && r->sts.policy_valid && r->sts.policy.mode == MTASTS_MODE_ENFORCE &&
	    ep->cert && ep->cert->chain_valid && ep->cert->name_match ? GRADE_AUTH_MTASTS :
	    GRADE_AUTH_NONE;
}

/* An endpoint's enumeration is in: the domain's grade is its weakest endpoint's. */
static void
check_full_graded(struct check_result *r, const struct endpoint *ep)
{
	r->connections += ep->scan ? ep->scan->connections : 0;
	if (ep->grade && (!r->graded || ep->grade->letter > r->grade)) {
		r->graded = 1;
		r->grade = ep->grade->letter;
		r->grade_display = ep->grade->display;
	}
}

/* check_run(): each endpoint in turn, on the loop, outside every callback. */
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
			fo.auth = check_full_auth(r, mx, ep);
			check_probe_params(c->cfg, mx, ep->ip, &pp);
			full_endpoint(c->cfg->base, &pp, ep, c->a, &fo);
			check_full_graded(r, ep);
		}
	}
}

/* One endpoint's enumeration asked of the prober (a scan's, shared). */
struct check_full_ask {
	struct check		*c;
	struct check_mx		*mx;
	struct endpoint		*ep;
	struct probe_params	 pp;
};

static void
check_full_done(const struct endpoint *enumerated, void *arg)
{
	struct check_full_ask *q = arg;
	struct check *c = q->c;
	struct full_opts fo = c->cfg->full_opts;

	full_apply(q->ep, enumerated);
	fo.auth = check_full_auth(c->r, q->mx, q->ep);
	full_grade(q->ep, c->a, &fo);
	check_full_graded(c->r, q->ep);
	c->pending--;
	check_advance(c);	/* last: the check may be finished and gone after it */
}

/* The stage after the verdict, with a prober that enumerates: every reachable endpoint. */
static void
check_stage_full(struct check *c)
{
	struct check_result *r = c->r;
	const struct check_prober *pr = c->cfg->prober;
	size_t i, j;

	if (!c->cfg->full || pr == NULL || pr->full == NULL)
		return;
	for (i = 0; i < r->nmx; i++) {
		struct check_mx *mx = &r->mx[i];

		for (j = 0; j < mx->nep; j++) {
			struct check_full_ask *q;

			if (!mx->ep[j]->connected)
				continue;
			q = arena_alloc(c->a, sizeof(*q));
			q->c = c;
			q->mx = mx;
			q->ep = mx->ep[j];
			check_probe_params(c->cfg, mx, q->ep->ip, &q->pp);
			c->pending++;	/* before the call: done may run inside it */
			pr->full(pr->ctx, &q->pp, q->ep, check_full_done, q);
		}
	}
}

/* Stage 1: MX, MTA-STS and TLS-RPT records, the policy host's addresses. */
static void
check_stage_records(struct check *c)
{
	struct check_result *r = c->r;
	char *n;

	check_progress(c, "looking up MX, MTA-STS and TLS-RPT for %s", r->domain);
	check_query(c, r->domain, RESOLVER_T_MX, Q_MX, NULL, 0);
	n = arena_printf(c->a, "_mta-sts.%s", r->domain);
	check_query(c, n, RESOLVER_T_TXT, Q_STS_TXT, NULL, 0);
	n = arena_printf(c->a, "_smtp._tls.%s", r->domain);
	check_query(c, n, RESOLVER_T_TXT, Q_RPT_TXT, NULL, 0);
	if (!c->cfg->sts_addr_lazy)	/* with the rest: one round trip for a policy's domain */
		check_sts_addresses(c);
	if (c->cfg->while_waiting)
		c->cfg->while_waiting(c->cfg->while_waiting_arg);
}

static void
check_caa_done(void *arg, const struct caa_result *res)
{
	struct check_mx *mx = arg;
	struct check *c = mx->check;

	mx->caa_res = arena_alloc(c->a, sizeof(*mx->caa_res));
	*mx->caa_res = *res;
	mx->caa_done = 1;
	free(mx->caa);	/* caa.h: the lookup may be freed in its callback */
	mx->caa = NULL;
	c->pending--;
	check_advance(c);	/* last: the check may be finished and gone after it */
}

/* Stage 2: every MX host's addresses, A and AAAA apart; the policy fetch starts here. */
static void
check_stage_addresses(struct check *c)
{
	struct check_result *r = c->r;
	size_t i;

	/* no MX records at all (NODATA): the domain itself is the implicit MX */
	if (r->nmx == 0 && !r->null_mx && !r->mx_nxdomain && r->mx_status != RESOLVER_BOGUS &&
	    r->mx_status != RESOLVER_INDETERMINATE) {
		r->implicit_mx = 1;
		r->mx[0].host = r->domain;
		r->mx[0].implicit = 1;
		r->nmx = 1;
	}
	r->dns_silent = c->round1_answers == 0;
	check_policies(c);
	for (i = 0; i < r->nmx; i++) {
		struct check_mx *mx = &r->mx[i];

		if (check_is_ip(mx->host)) {
			size_t hl = strlen(mx->host);

			/* Postfix delivers to it (without DNSSEC, so without DANE): probe it */
			mx->ip_literal = 1;
			mx->addr[0] = hl && mx->host[hl - 1] == '.' ? arena_strndup(c->a, mx->host,
			    hl - 1) : mx->host;
			mx->naddr = 1;
			continue;
		}
		check_query(c, mx->host, RESOLVER_T_A, Q_MX_A, mx, 0);
		check_query(c, mx->host, RESOLVER_T_AAAA, Q_MX_AAAA, mx, 0);
		/* CAA for the MX name (RFC 8659), with the addresses; not for policy lookups */
		if (!c->cfg->dns_only) {
			mx->check = c;
			c->pending++;	/* before the call: the callback may run inside it */
			/* off the arena: 4.7 KiB a host, needed only while it runs */
			mx->caa = xcalloc(1, sizeof(*mx->caa));
			if (caa_lookup_start(mx->caa, c->cfg->resolver, mx->host, check_caa_done,
			    mx) < 0) {
				c->pending--;
				free(mx->caa);
				mx->caa = NULL;
			}
		}
	}
	check_progress(c, "looking up %zu MX hosts", r->nmx);
}

/*
 * Stage 3: TLSA, only where it can matter — the host's addresses are secure (RFC 7672
 * §2.2.2), or its address lookups failed here below a secure MX RRset (verdict.c,
 * verdict_unknown_tlsa()) — and, for a secure CNAME, at the target as well.  Looked up under an
 * insecure MX RRset too (§2.2.1 lets senders use them, and Postfix does).
 */
static void
check_stage_tlsa(struct check *c)
{
	struct check_result *r = c->r;
	size_t i;

	for (i = 0; i < r->nmx; i++) {
		struct check_mx *mx = &r->mx[i];

		check_use_state(c, mx);
		if (!mx->vm.tlsa_relevant)	/* decided with the rest of the table */
			continue;
		mx->tlsa_name = arena_printf(c->a, "_25._tcp.%s", mx->host);
		mx->tlsa_at_host = arena_alloc(c->a, sizeof(*mx->tlsa_at_host));
		memset(mx->tlsa_at_host, 0, sizeof(*mx->tlsa_at_host));
		check_query(c, mx->tlsa_name, RESOLVER_T_TLSA, Q_TLSA, mx, 0);
		/* a secure alias only (RFC 7672 §2.2.2): an insecure answer's target can be forged */
		if (mx->canon != NULL && mx->canon_secure && strcmp(mx->canon, mx->host) != 0) {
			mx->tlsa_at_canon = arena_alloc(c->a, sizeof(*mx->tlsa_at_canon));
			memset(mx->tlsa_at_canon, 0, sizeof(*mx->tlsa_at_canon));
			check_query(c, arena_printf(c->a, "_25._tcp.%s", mx->canon), RESOLVER_T_TLSA,
			    Q_TLSA, mx, 1);
		}
	}
}

enum {
	CHECK_STAGE_RECORDS = 0, CHECK_STAGE_ADDRESSES, CHECK_STAGE_TLSA, CHECK_STAGE_PROBES,
	CHECK_STAGE_VERDICT, CHECK_STAGE_FULL, CHECK_STAGE_DONE
};

/*
 * Runs stages while nothing is pending: each stage starts its lookups, fetches or probes, and
 * the last answer to come back calls here again.  Answers that arrive inside a stage's own
 * calls find `advancing` set and leave the loop to it, so stages never nest.  The done
 * callback runs last: the check may be gone when it returns.
 */
static void
check_elapsed(struct check *c)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	c->r->elapsed_ms = (t1.tv_sec - c->t0.tv_sec) * 1000 + (t1.tv_nsec - c->t0.tv_nsec) / 1000000;
}

static void
check_advance(struct check *c)
{
	/* at CHECK_STAGE_DONE only the done callback is left (the last stage may have waited) */
	if (c->advancing || c->pending > 0)
		return;
	c->advancing = 1;
	while (c->pending == 0 && c->stage != CHECK_STAGE_DONE) {
		switch (c->stage++) {
		case CHECK_STAGE_RECORDS:
			check_stage_records(c);
			break;
		case CHECK_STAGE_ADDRESSES:
			check_stage_addresses(c);
			break;
		case CHECK_STAGE_TLSA:
			check_stage_tlsa(c);
			break;
		case CHECK_STAGE_PROBES:
			check_dane_state(c);
			check_probe_start(c);
			break;
		case CHECK_STAGE_VERDICT:
			check_findings(c);
			break;
		case CHECK_STAGE_FULL:
			check_stage_full(c);
			break;
		}
	}
	c->advancing = 0;
	if (c->stage == CHECK_STAGE_DONE && c->pending == 0 && c->done != NULL) {
		check_done_cb done = c->done;

		check_elapsed(c);
		c->done = NULL;
		done(c->r, c->done_arg);
	}
}

struct check *
check_start(const struct check_config *cfg, struct arena *a, check_done_cb done, void *arg)
{
	struct check *c = arena_alloc(a, sizeof(*c));
	struct check_result *r = arena_alloc(a, sizeof(*r));

	if (done == NULL)
		BUG("check_start without a callback");
	memset(c, 0, sizeof(*c));
	memset(r, 0, sizeof(*r));
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
	c->cfg = cfg;
	c->a = a;
	c->r = r;
	c->done = done;
	c->done_arg = arg;
	c->sts_txt_status = c->rpt_txt_status = RESOLVER_INDETERMINATE;
	r->domain = check_name(a, cfg->domain);
	r->mx_status = RESOLVER_INDETERMINATE;
	check_advance(c);
	return c;
}

struct check_result *
check_result_of(const struct check *c)
{
	return c->r;
}

static void
check_run_done(struct check_result *r, void *arg)
{
	*(struct check_result **)arg = r;
}

struct check_result *
check_run(const struct check_config *cfg, struct arena *a)
{
	struct check_result *r = NULL;
	struct check *c;

	c = check_start(cfg, a, check_run_done, &r);
	while (r == NULL)
		if (event_base_loop(cfg->base, EVLOOP_ONCE) < 0)
			BUG("event loop failed");
	/* --full runs its own loop: only here, outside every callback (unless the prober has it) */
	if (cfg->full && (cfg->prober == NULL || cfg->prober->full == NULL)) {
		check_full(c);
		check_elapsed(c);
	}
	return r;
}

size_t
check_dane_usable(const struct check_result *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->nmx; i++)
		n += r->mx[i].dane == CHECK_DANE_USABLE && r->mx[i].vm.use == VERDICT_USE_USED;
	return n;
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
