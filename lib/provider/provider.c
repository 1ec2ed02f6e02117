/*
 * provider.c — see provider.h.  Phases, each waited for on the one event loop:
 *   1 DNS: MX, the ten SRV names, the domain's and autoconfig's addresses, guess candidates
 *   2 autoconfig fetch (libcurl), services from SRV, autoconfig, MX, web, guesses
 *   3 DNS: every service host's addresses; TLSA where the name's RRset is secure
 *   4 probes (the engine; DANE inside the handshake), then --full per endpoint
 *   5 HSTS and the http:// redirect for the web host
 *   6 decisions (lib/verdict/mandatory.c) and provider-level findings
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/event.h>

#include "dns/rdata.h"
#include "dns/tlsa.h"
#include "net/http.h"
#include "probe/batch.h"
#include "probe/endpoint.h"
#include "proto/proto.h"
#include "provider/provider.h"
#include "util/arena.h"
#include "util/text.h"
#include "util/xalloc.h"
#include "verdict/finding.h"

static const char *const provider_dane_names[PROVIDER_DANE_LAST] = {
	[PROVIDER_DANE_NA] = "n/a", [PROVIDER_DANE_NONE] = "no", [PROVIDER_DANE_OK] = "yes",
	[PROVIDER_DANE_BROKEN] = "broken", [PROVIDER_DANE_INSECURE] = "insecure",
	[PROVIDER_DANE_UNKNOWN] = "unknown",
};

const char *
provider_dane_name(enum provider_dane d)
{
	return (unsigned)d < PROVIDER_DANE_LAST ? provider_dane_names[d] : "?";
}

const char *
provider_service_label(int p)
{
	switch (p) {
	case ENDPOINT_PROTO_SMTP: return "MX";
	case ENDPOINT_PROTO_SMTPS: return "SMTPS";
	case ENDPOINT_PROTO_SUBMISSION: return "submission";
	case ENDPOINT_PROTO_SUBMISSIONS: return "submissions";
	case ENDPOINT_PROTO_IMAP: return "IMAP";
	case ENDPOINT_PROTO_IMAPS: return "IMAPS";
	case ENDPOINT_PROTO_POP3: return "POP3";
	case ENDPOINT_PROTO_POP3S: return "POP3S";
	case ENDPOINT_PROTO_XMPP: return "XMPP c2s";
	case ENDPOINT_PROTO_XMPPS: return "XMPP c2s TLS";
	case ENDPOINT_PROTO_XMPP_SERVER: return "XMPP s2s";
	case ENDPOINT_PROTO_XMPPS_SERVER: return "XMPP s2s TLS";
	case ENDPOINT_PROTO_HTTPS: return "HTTPS";
	default: return "?";
	}
}

/* The SRV names of RFC 6186 §3, RFC 6120 §3.2.1 and XEP-0368 §3. */
static const struct {
	const char	*label;
	int		 proto;
} provider_srvs[] = {
	{ "_submissions._tcp", ENDPOINT_PROTO_SUBMISSIONS },
	{ "_submission._tcp", ENDPOINT_PROTO_SUBMISSION },
	{ "_imaps._tcp", ENDPOINT_PROTO_IMAPS },
	{ "_imap._tcp", ENDPOINT_PROTO_IMAP },
	{ "_pop3s._tcp", ENDPOINT_PROTO_POP3S },
	{ "_pop3._tcp", ENDPOINT_PROTO_POP3 },
	{ "_xmpp-client._tcp", ENDPOINT_PROTO_XMPP },
	{ "_xmpps-client._tcp", ENDPOINT_PROTO_XMPPS },
	{ "_xmpp-server._tcp", ENDPOINT_PROTO_XMPP_SERVER },
	{ "_xmpps-server._tcp", ENDPOINT_PROTO_XMPPS_SERVER },
};
#define PROVIDER_NSRV	(sizeof(provider_srvs) / sizeof(provider_srvs[0]))

/* Guessed names per mail family, tried only when nothing is published for it. */
static const struct {
	const char	*prefix;
	int		 proto;
	int		 proto_tls;
} provider_guesses[] = {
	{ "imap", ENDPOINT_PROTO_IMAP, ENDPOINT_PROTO_IMAPS },
	{ "mail", ENDPOINT_PROTO_IMAP, ENDPOINT_PROTO_IMAPS },
	{ "pop", ENDPOINT_PROTO_POP3, ENDPOINT_PROTO_POP3S },
	{ "mail", ENDPOINT_PROTO_POP3, ENDPOINT_PROTO_POP3S },
	{ "smtp", ENDPOINT_PROTO_SUBMISSION, ENDPOINT_PROTO_SUBMISSIONS },
	{ "mail", ENDPOINT_PROTO_SUBMISSION, ENDPOINT_PROTO_SUBMISSIONS },
};
#define PROVIDER_NGUESS	(sizeof(provider_guesses) / sizeof(provider_guesses[0]))

struct prun;

struct pq {
	struct prun	*run;
	int		 kind;		/* PQ_* */
	int		 idx;		/* srv index, guess index, service index */
	int		 v6;
};

enum { PQ_MX, PQ_SRV, PQ_WEB, PQ_AUTOCONF, PQ_GUESS, PQ_ADDR, PQ_TLSA };

struct prun {
	const struct provider_config	*cfg;
	struct provider_result		*res;
	struct arena			*a;
	struct event_base		*base;
	struct resolver			*rv;
	struct http_client		*http;
	int				 pending;
	/* phase 1 answers */
	char				 web_addr[46];
	enum resolver_status		 web_status;
	char				 autoconf_addr[46];
	char				 guess_addr[PROVIDER_NGUESS][46];
	enum resolver_status		 guess_status[PROVIDER_NGUESS];
	struct web_result		*web;
	int				 web_pending;
};

static void
provider_wait(struct prun *r)
{
	while (r->pending > 0)
		if (event_base_loop(r->base, EVLOOP_ONCE) < 0)
			BUG("event loop failed");
}

static void
provider_find(struct provider_result *res, struct arena *a, int id, const char *service,
    const char *detail)
{
	struct provider_finding *f;
	size_t i;

	for (i = 0; i < res->nfind; i++)
		if (res->find[i].id == id && ((service == NULL && res->find[i].service == NULL) ||
		    (service && res->find[i].service && strcmp(service, res->find[i].service) == 0)))
			return;
	if (res->nfind == PROVIDER_FINDINGS_MAX)
		return;
	f = &res->find[res->nfind++];
	f->id = id;
	f->service = service ? arena_strdup(a, service) : NULL;
	f->detail = detail ? text_clean_dup(a, detail) : NULL;
}

/* "mail.example." -> "mail.example" in the arena */
static const char *
provider_undot(struct arena *a, const char *n)
{
	size_t l = strlen(n);

	return arena_strndup(a, n, l > 1 && n[l - 1] == '.' ? l - 1 : l);
}

static struct provider_service *
provider_add(struct prun *r, int proto, const char *host, int port, const char *source,
    int guessed, enum resolver_status st)
{
	struct provider_result *res = r->res;
	struct provider_service *s;
	size_t i;

	for (i = 0; i < res->nsvc; i++) {
		s = &res->svc[i];
		if (s->proto == proto && s->port == port && strcasecmp(s->host, host) == 0) {
			if (!guessed && s->guessed) {
				s->guessed = 0;
				s->source = arena_strdup(r->a, source);
			} else if (strstr(s->source, source) == NULL)
				s->source = arena_printf(r->a, "%s, %s", s->source, source);
			return s;
		}
	}
	if (res->nsvc == PROVIDER_SVC_MAX)
		return NULL;
	s = &res->svc[res->nsvc++];
	memset(s, 0, sizeof(*s));
	s->proto = proto;
	s->host = arena_strdup(r->a, host);
	s->port = port;
	s->source = arena_strdup(r->a, source);
	s->guessed = guessed;
	s->name_status = st;
	s->addr_status = RESOLVER_INDETERMINATE;
	s->tlsa_status = RESOLVER_INDETERMINATE;
	return s;
}

static void
provider_first_addr(const struct resolver_answer *ans, char *out, size_t outsz)
{
	size_t i;

	for (i = 0; i < ans->n && out[0] == '\0'; i++) {
		if (ans->qtype == RESOLVER_T_A)
			rdata_a(ans->rdata[i], ans->rdlen[i], out, outsz);
		else
			rdata_aaaa(ans->rdata[i], ans->rdlen[i], out, outsz);
	}
}

static void
provider_dns_cb(void *arg, const struct resolver_answer *ans)
{
	struct pq *q = arg;
	struct prun *r = q->run;
	struct provider_result *res = r->res;
	struct provider_service *s;
	char name[RDATA_NAME_TEXT_MAX], label[64];
	uint16_t prio, weight, port, pref;
	size_t i, k;

	r->pending--;
	switch (q->kind) {
	case PQ_MX:
		res->mx_status = ans->status;
		for (i = 0, k = 0; i < ans->n && k < PROVIDER_MX_MAX; i++) {
			if (rdata_mx(ans->rdata[i], ans->rdlen[i], &pref, name, sizeof(name)) != RDATA_OK ||
			    strcmp(name, ".") == 0)
				continue;
			snprintf(label, sizeof(label), "MX %u", pref);
			if (provider_add(r, ENDPOINT_PROTO_SMTP, provider_undot(r->a, name), 25, label, 0,
			    ans->status) != NULL)
				k++;
		}
		break;
	case PQ_SRV:
		for (i = 0; i < ans->n; i++) {
			if (web_srv_decode(ans->rdata[i], ans->rdlen[i], &prio, &weight, &port, name,
			    sizeof(name)) < 0 || strcmp(name, ".") == 0 || port == 0)
				continue;	/* "." : the service is decidedly not offered (RFC 2782) */
			snprintf(label, sizeof(label), "SRV %s", provider_srvs[q->idx].label);
			provider_add(r, provider_srvs[q->idx].proto, provider_undot(r->a, name), port,
			    label, 0, ans->status);
		}
		break;
	case PQ_WEB:
		if (r->web_addr[0] == '\0' && ans->n > 0) {
			provider_first_addr(ans, r->web_addr, sizeof(r->web_addr));
			r->web_status = ans->status;
		}
		break;
	case PQ_AUTOCONF:
		if (r->autoconf_addr[0] == '\0')
			provider_first_addr(ans, r->autoconf_addr, sizeof(r->autoconf_addr));
		break;
	case PQ_GUESS:
		if (r->guess_addr[q->idx][0] == '\0') {
			provider_first_addr(ans, r->guess_addr[q->idx], sizeof(r->guess_addr[q->idx]));
			r->guess_status[q->idx] = ans->status;
		}
		break;
	case PQ_ADDR:
		s = &res->svc[q->idx];
		if (ans->n > 0 && (s->addr_status == RESOLVER_INDETERMINATE || ans->status != RESOLVER_SECURE))
			s->addr_status = ans->status;
		for (i = 0; i < ans->n && s->naddr < PROVIDER_ADDRS_MAX; i++) {
			char a[46] = "";

			provider_first_addr(&(struct resolver_answer){ .qtype = ans->qtype, .n = 1,
			    .rdata = &ans->rdata[i], .rdlen = &ans->rdlen[i] }, a, sizeof(a));
			if (a[0])
				snprintf(s->addr[s->naddr++], sizeof(s->addr[0]), "%s", a);
		}
		break;
	case PQ_TLSA:
		s = &res->svc[q->idx];
		s->tlsa_status = ans->status;
		for (i = 0; i < ans->n; i++) {
			struct tlsa_rr rr;
			uint8_t *copy = arena_alloc(r->a, ans->rdlen[i] + 1);

			memcpy(copy, ans->rdata[i], ans->rdlen[i]);
			s->ntlsa_all++;
			if (tlsa_parse(copy, ans->rdlen[i], &rr) != TLSA_OK ||
			    tlsa_usable_smtp(&rr) != TLSA_SMTP_USABLE || s->ntlsa == PROVIDER_TLSA_MAX)
				continue;
			s->tlsa[s->ntlsa].usage = rr.usage;
			s->tlsa[s->ntlsa].selector = rr.selector;
			s->tlsa[s->ntlsa].mtype = rr.mtype;
			s->tlsa[s->ntlsa].data = rr.data;
			s->tlsa[s->ntlsa].len = rr.datalen;
			s->ntlsa++;
		}
		break;
	}
}

static void
provider_query(struct prun *r, const char *name, int type, int kind, int idx)
{
	struct pq *q = arena_alloc(r->a, sizeof(*q));

	q->run = r;
	q->kind = kind;
	q->idx = idx;
	r->pending++;
	if (resolver_query(r->rv, name, type, provider_dns_cb, q) < 0)
		r->pending--;
}

/* ---- autoconfig and HSTS over HTTP(S) ------------------------------------------------------ */

static void
provider_autoconfig_cb(void *arg, const struct http_result *h)
{
	struct prun *r = arg;
	struct provider_result *res = r->res;

	r->pending--;
	res->autoconfig_status = h->status;
	if (!h->ok || h->status != 200 || h->body == NULL) {
		res->autoconfig_error = arena_strdup(r->a, h->error ? h->error :
		    arena_printf(r->a, "HTTP status %ld", h->status));
		return;
	}
	res->autoconfig_ok = 1;
	if (autoconfig_parse((const char *)h->body, h->body_len, &res->autoconfig) < 0)
		provider_find(res, r->a, FINDING_AUTOCONFIG_INVALID, NULL,
		    "config-v1.1.xml without a usable incomingServer or outgoingServer");
}

static void
provider_https_cb(void *arg, const struct http_result *h)
{
	struct prun *r = arg;
	struct web_result *w = r->web;

	r->pending--;
	w->https_ok = h->ok;
	w->https_status = h->status;
	if (h->error)
		w->https_error = arena_strdup(r->a, h->error);
	if (h->hsts) {
		w->hsts = text_clean_dup(r->a, h->hsts);
		web_hsts_parse(h->hsts, strlen(h->hsts), &w->hsts_parsed);
	}
}

static void
provider_http_cb(void *arg, const struct http_result *h)
{
	struct prun *r = arg;
	struct web_result *w = r->web;

	r->pending--;
	w->http_ok = h->ok;
	w->http_status = h->status;
	if (h->error)
		w->http_error = arena_strdup(r->a, h->error);
	if (h->location) {
		w->http_location = text_clean_dup(r->a, h->location);
		w->http_redirects_https = h->redirected && strncasecmp(h->location, "https://", 8) == 0;
	}
}

/* HSTS on https://HOST/ and the redirect of http://HOST/ (both through libcurl). */
int
provider_web_fetch(struct event_base *base, struct http_client *http, const char *host,
    const char *ip, long timeout_ms, struct arena *a, struct web_result *w)
{
	struct prun r;
	struct http_request req;
	char url[300];

	memset(&r, 0, sizeof(r));
	r.base = base;
	r.a = a;
	r.web = w;
	memset(&req, 0, sizeof(req));
	req.connect_ip = ip;
	req.timeout_ms = timeout_ms;
	req.max_body = 256 * 1024;
	snprintf(url, sizeof(url), "https://%s/", host);
	req.url = url;
	r.pending++;
	if (http_get(http, &req, provider_https_cb, &r) < 0) {
		r.pending--;
		w->https_error = "the request could not start";
	}
	snprintf(url, sizeof(url), "http://%s/", host);
	req.plain_http = 1;
	r.pending++;
	if (http_get(http, &req, provider_http_cb, &r) < 0) {
		r.pending--;
		w->http_error = "the request could not start";
	}
	provider_wait(&r);
	return 0;
}

/* Findings on an https endpoint from what the fetches saw. */
void
provider_web_findings(struct endpoint *ep, struct arena *a, const struct web_result *w)
{
	if (!w->https_ok) {
		endpoint_finding(ep, a, FINDING_HTTPS_FETCH_FAILED, "%s", w->https_error ?
		    w->https_error : "no answer");
	} else if (w->hsts == NULL || !w->hsts_parsed.valid || w->hsts_parsed.max_age == 0)
		endpoint_finding(ep, a, FINDING_HTTPS_NO_HSTS, "%s", w->hsts ?
		    "Strict-Transport-Security malformed or max-age=0" : "no Strict-Transport-Security header");
	else if (w->hsts_parsed.max_age < WEB_HSTS_GOOD_AGE || !w->hsts_parsed.subdomains)
		endpoint_finding(ep, a, FINDING_HTTPS_HSTS_SHORT, "%s", w->hsts);
	if (w->http_ok && !w->http_redirects_https)
		endpoint_finding(ep, a, FINDING_HTTPS_NO_REDIRECT, "http:// answered %ld%s%s",
		    w->http_status, w->http_location ? " to " : " without a redirect",
		    w->http_location ? w->http_location : "");
}

/* ---- decisions ------------------------------------------------------------------------------- */

static void	provider_mandatory_facts(const struct endpoint *, const struct proto_info *, int,
		    struct mandatory_facts *);
static void	provider_service_findings(struct prun *, struct provider_service *,
		    const struct endpoint *);

static void
provider_decide(struct prun *r, struct provider_service *s)
{
	const struct proto_info *pi = proto_info(s->proto);
	struct mandatory_facts mf;
	struct endpoint *ep = NULL;
	size_t i;
	int verified = 0, handshakes = 0;

	for (i = 0; i < s->nep; i++)
		if (s->ep[i]->connected && (ep == NULL || !ep->facts))
			ep = s->ep[i];
	if (ep == NULL && s->nep > 0)
		ep = s->ep[0];
	/* DANE per service */
	for (i = 0; i < s->nep; i++) {
		if (s->ep[i]->tls_established)
			handshakes++;
		if (s->ep[i]->dane && s->ep[i]->dane->verified)
			verified++;
	}
	if (s->tlsa_name == NULL)
		s->dane = PROVIDER_DANE_NA;
	else if (s->tlsa_status == RESOLVER_INDETERMINATE || s->tlsa_status == RESOLVER_BOGUS)
		s->dane = PROVIDER_DANE_UNKNOWN;
	else if (s->ntlsa_all == 0)
		s->dane = PROVIDER_DANE_NONE;
	else if (s->tlsa_status != RESOLVER_SECURE)
		s->dane = PROVIDER_DANE_INSECURE;
	else if (s->ntlsa == 0 || (handshakes > 0 && verified < handshakes))
		s->dane = PROVIDER_DANE_BROKEN;
	else if (handshakes == 0)
		s->dane = PROVIDER_DANE_UNKNOWN;
	else
		s->dane = PROVIDER_DANE_OK;
	provider_mandatory_facts(ep, pi, s->port, &mf);
	mf.dane_usable = s->dane == PROVIDER_DANE_OK;
	mandatory_decide(&mf, &s->mandatory);
	for (i = 0; i < s->nep; i++)
		if (s->ep[i]->facts) {
			s->ep[i]->facts->mandatory = mandatory_name(s->mandatory.value);
			s->ep[i]->facts->mandatory_rule = s->mandatory.rule;
		}
	provider_service_findings(r, s, ep);
}

static void
provider_mandatory_facts(const struct endpoint *ep, const struct proto_info *pi, int port,
    struct mandatory_facts *out)
{
	struct mandatory_facts mf;

	memset(&mf, 0, sizeof(mf));
	mf.service = (enum mandatory_service)mandatory_service_of(pi->family, port);
	if (ep != NULL && ep->facts != NULL) {
		const struct proto_facts *f = ep->facts;

		mf.reached = ep->tls_established || f->caps_plain != NULL || (pi->implicit && ep->connected);
		mf.implicit_tls = pi->implicit;
		mf.tls_established = ep->tls_established;
		mf.upgrade_offered = f->upgrade_offered;
		mf.cred_before_tls = f->cred_before_tls;
		mf.xmpp_required = f->tls_required;
		mf.xmpp_required_broken = f->required_probe == 2;
	} else if (ep != NULL) {
		/* SMTP on port 25 (no facts object: proto_module_smtp.hide_facts): the EHLO
		 * capabilities */
		mf.reached = ep->caps_plain != NULL || ep->tls_established;
		mf.upgrade_offered = ep->starttls_offered;
		mf.tls_established = ep->tls_established;
		mf.cred_before_tls = ep->caps_plain && ep->caps_plain->auth;
	}
	*out = mf;
}

/* `host`: one endpoint decided alone (no DANE or MTA-STS known). */
void
provider_endpoint_decide(struct endpoint *ep)
{
	struct mandatory_facts mf;
	struct mandatory_result mr;
	const struct proto_info *pi = proto_info(ep->proto);

	if (ep->facts == NULL || pi == NULL)
		return;
	provider_mandatory_facts(ep, pi, ep->port, &mf);
	mandatory_decide(&mf, &mr);
	ep->facts->mandatory = mandatory_name(mr.value);
	ep->facts->mandatory_rule = mr.rule;
}

static void
provider_service_findings(struct prun *r, struct provider_service *s, const struct endpoint *ep)
{
	size_t i;

	if (s->dane == PROVIDER_DANE_BROKEN && ep)
		for (i = 0; i < s->nep; i++)
			endpoint_finding(s->ep[i], r->a, FINDING_SERVICE_DANE_MISMATCH, "%s: %zu usable "
			    "TLSA records, the chain matched none", s->tlsa_name, s->ntlsa);
	if (strncmp(s->source, "SRV", 3) == 0 && s->name_status == RESOLVER_INSECURE)
		for (i = 0; i < s->nep; i++)
			endpoint_finding(s->ep[i], r->a, FINDING_SERVICE_SRV_INSECURE, "%s", s->source);
	if (s->guessed)
		for (i = 0; i < s->nep; i++)
			endpoint_finding(s->ep[i], r->a, FINDING_SERVICE_GUESSED, "%s", s->host);
}

/* Mail families offered only with STARTTLS (RFC 8314 prefers implicit TLS). */
static void
provider_family_findings(struct prun *r)
{
	static const int pairs[][2] = {
		{ ENDPOINT_PROTO_IMAP, ENDPOINT_PROTO_IMAPS },
		{ ENDPOINT_PROTO_POP3, ENDPOINT_PROTO_POP3S },
		{ ENDPOINT_PROTO_SUBMISSION, ENDPOINT_PROTO_SUBMISSIONS },
	};
	struct provider_result *res = r->res;
	size_t i, k;

	for (k = 0; k < 3; k++) {
		int plain = 0, tls = 0;

		for (i = 0; i < res->nsvc; i++) {
			const struct provider_service *s = &res->svc[i];
			int up = s->nep > 0 && s->ep[0]->connected;

			if (s->proto == pairs[k][0] && up)
				plain = 1;
			if (s->proto == pairs[k][1] && up && s->ep[0]->tls_established)
				tls = 1;
		}
		if (plain && !tls)
			provider_find(res, r->a, FINDING_SERVICE_NO_IMPLICIT_TLS,
			    provider_service_label(pairs[k][0]), "only the STARTTLS port answered");
	}
	for (i = 0; res->autoconfig.valid && i < res->autoconfig.nservers; i++) {
		const struct autoconfig_server *a = &res->autoconfig.servers[i];
		char what[320];

		snprintf(what, sizeof(what), "%s %s:%d socketType %s", a->type, a->hostname, a->port,
		    autoconfig_socket_name(a->socket));
		if (a->socket == AUTOCONFIG_SOCKET_PLAIN)
			provider_find(res, r->a, FINDING_AUTOCONFIG_PLAINTEXT_ADVISED, NULL, what);
		else if (a->socket == AUTOCONFIG_SOCKET_STARTTLS)
			provider_find(res, r->a, FINDING_AUTOCONFIG_STARTTLS_ADVISED, NULL, what);
	}
}

/* ---- the run ---------------------------------------------------------------------------------- */

static int
provider_proto_of_autoconfig(const struct autoconfig_server *a)
{
	int ssl = a->socket == AUTOCONFIG_SOCKET_SSL;

	if (strcasecmp(a->type, "imap") == 0)
		return ssl ? ENDPOINT_PROTO_IMAPS : ENDPOINT_PROTO_IMAP;
	if (strcasecmp(a->type, "pop3") == 0)
		return ssl ? ENDPOINT_PROTO_POP3S : ENDPOINT_PROTO_POP3;
	if (strcasecmp(a->type, "smtp") == 0)
		return ssl ? ENDPOINT_PROTO_SUBMISSIONS : ENDPOINT_PROTO_SUBMISSION;
	return -1;
}

static int
provider_has_family(const struct provider_result *res, int p1, int p2)
{
	size_t i;

	for (i = 0; i < res->nsvc; i++)
		if (!res->svc[i].guessed && (res->svc[i].proto == p1 || res->svc[i].proto == p2))
			return 1;
	return 0;
}

/* One probe's parameters for a service at one address (DANE is the caller's). */
static void
provider_params(const struct provider_config *cfg, const struct provider_service *s,
    const char *ip, const char *refname, struct probe_params *pp)
{
	*pp = cfg->tmpl;
	pp->host = s->host;
	pp->ip = ip;
	pp->port = s->port;
	pp->proto = (enum endpoint_proto)s->proto;
	pp->refname = refname;
	pp->tls = cfg->tls;
}

int
provider_run(const struct provider_config *cfg, const char *domain, struct arena *a,
    struct provider_result *res, char *err, size_t errlen)
{
	struct prun r;
	struct batch *b;
	struct probe_params pp;
	struct timespec t0, t1;
	char name[300];
	size_t i, k, n;
	struct {
		size_t svc;
		size_t addr;
	} map[PROVIDER_SVC_MAX * PROVIDER_ADDRS_MAX];

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(res, 0, sizeof(*res));
	memset(&r, 0, sizeof(r));
	res->domain = arena_strdup(a, domain);
	res->mx_status = RESOLVER_INDETERMINATE;
	r.cfg = cfg;
	r.res = res;
	r.a = a;
	if (cfg->base != NULL) {
		r.base = cfg->base;
		r.rv = cfg->resolver;
		r.http = cfg->http;
	} else {
		if ((r.base = event_base_new()) == NULL)
			BUG("event_base_new failed");
		if ((r.rv = resolver_new(r.base, &cfg->rc, err, errlen)) == NULL) {
			event_base_free(r.base);
			return -1;
		}
	}
	r.web_status = RESOLVER_INDETERMINATE;

	/* 1: DNS */
	if (cfg->progress)
		fprintf(stderr, "%s: looking up MX, SRV, autoconfig ...\n", domain);
	provider_query(&r, domain, RESOLVER_T_MX, PQ_MX, 0);
	for (i = 0; i < PROVIDER_NSRV; i++) {
		snprintf(name, sizeof(name), "%s.%s", provider_srvs[i].label, domain);
		provider_query(&r, name, 33 /* SRV */, PQ_SRV, (int)i);
	}
	provider_query(&r, domain, RESOLVER_T_A, PQ_WEB, 0);
	provider_query(&r, domain, RESOLVER_T_AAAA, PQ_WEB, 0);
	snprintf(name, sizeof(name), "autoconfig.%s", domain);
	provider_query(&r, name, RESOLVER_T_A, PQ_AUTOCONF, 0);
	for (i = 0; !cfg->no_guess && i < PROVIDER_NGUESS; i++) {
		r.guess_status[i] = RESOLVER_INDETERMINATE;
		snprintf(name, sizeof(name), "%s.%s", provider_guesses[i].prefix, domain);
		provider_query(&r, name, RESOLVER_T_A, PQ_GUESS, (int)i);
	}
	provider_wait(&r);

	/* 2: autoconfig (it tells clients what to use), the web host, guesses */
	if (r.autoconf_addr[0]) {
		struct http_request req;

		res->autoconfig_tried = 1;
		if (r.http != NULL ||
		    (r.http = http_client_new(r.base, cfg->ca_file, err, errlen)) != NULL) {
			memset(&req, 0, sizeof(req));
			snprintf(name, sizeof(name), "https://autoconfig.%s/mail/config-v1.1.xml", domain);
			req.url = name;
			req.connect_ip = r.autoconf_addr;
			req.timeout_ms = cfg->http_timeout_ms;
			req.max_body = AUTOCONFIG_MAX_BYTES;
			r.pending++;
			if (http_get(r.http, &req, provider_autoconfig_cb, &r) < 0) {
				r.pending--;
				res->autoconfig_error = "the request could not start";
			}
			provider_wait(&r);
		} else
			res->autoconfig_error = arena_strdup(a, err);
	}
	for (i = 0; res->autoconfig.valid && i < res->autoconfig.nservers; i++) {
		struct autoconfig_server *as = &res->autoconfig.servers[i];
		struct provider_service *s;
		char host[300];
		const char *pct = strstr(as->hostname, "%EMAILDOMAIN%");
		int p = provider_proto_of_autoconfig(as);

		if (p < 0)
			continue;
		if (pct)
			snprintf(host, sizeof(host), "%.*s%s%s", (int)(pct - as->hostname), as->hostname,
			    domain, pct + 13);
		else
			snprintf(host, sizeof(host), "%s", as->hostname);
		if ((s = provider_add(&r, p, host, as->port, "autoconfig", 0, RESOLVER_INDETERMINATE)))
			s->advised = autoconfig_socket_name(as->socket);
	}
	if (r.web_addr[0])
		provider_add(&r, ENDPOINT_PROTO_HTTPS, domain, 443, "web", 0, r.web_status);
	for (i = 0; !cfg->no_guess && i < PROVIDER_NGUESS; i++) {
		const int p = provider_guesses[i].proto, pt = provider_guesses[i].proto_tls;

		if (r.guess_addr[i][0] == '\0' || provider_has_family(res, p, pt))
			continue;
		snprintf(name, sizeof(name), "%s.%s", provider_guesses[i].prefix, domain);
		provider_add(&r, pt, name, proto_info(pt)->port, "guessed", 1, r.guess_status[i]);
		provider_add(&r, p, name, proto_info(p)->port, "guessed", 1, r.guess_status[i]);
	}

	/* 3: addresses; TLSA where the naming RRset is secure (RFC 7672 §2.2.1, RFC 7673 §3) */
	for (i = 0; i < res->nsvc; i++) {
		struct provider_service *s = &res->svc[i];

		provider_query(&r, s->host, RESOLVER_T_A, PQ_ADDR, (int)i);
		provider_query(&r, s->host, RESOLVER_T_AAAA, PQ_ADDR, (int)i);
		if (s->proto != ENDPOINT_PROTO_HTTPS && !s->guessed && s->name_status == RESOLVER_SECURE &&
		    (s->proto == ENDPOINT_PROTO_SMTP || strncmp(s->source, "SRV", 3) == 0)) {
			s->tlsa_name = arena_printf(a, "_%d._tcp.%s", s->port, s->host);
			provider_query(&r, s->tlsa_name, RESOLVER_T_TLSA, PQ_TLSA, (int)i);
		}
	}
	provider_wait(&r);
	/* a name autoconfig gave: its DNSSEC is its address RRset's, as for web and guessed names */
	for (i = 0; i < res->nsvc; i++)
		if (res->svc[i].name_status == RESOLVER_INDETERMINATE && res->svc[i].naddr > 0)
			res->svc[i].name_status = res->svc[i].addr_status;

	/* 4: probes, then --full */
	if (cfg->progress)
		fprintf(stderr, "%s: probing %zu services ...\n", domain, res->nsvc);
	b = batch_new(r.base, a, 8, 2);
	for (i = 0, n = 0; i < res->nsvc; i++) {
		struct provider_service *s = &res->svc[i];
		const struct proto_info *pi = proto_info(s->proto);

		for (k = 0; k < s->naddr; k++) {
			/* XMPP: the service domain is the reference identifier (RFC 6120 §13.7.2.1) */
			provider_params(cfg, s, s->addr[k], strncmp(pi->family, "xmpp", 4) == 0 ? domain :
			    s->host, &pp);
			if (s->tlsa_status == RESOLVER_SECURE && s->ntlsa > 0) {
				pp.tlsa = s->tlsa;
				pp.ntlsa = s->ntlsa;
				pp.dane_base = s->host;
			}
			batch_add(b, &pp);
			map[n].svc = i;
			map[n].addr = k;
			n++;
		}
	}
	batch_run(b);
	for (i = 0; i < n; i++) {
		struct provider_service *s = &res->svc[map[i].svc];

		s->ep[s->nep++] = batch_endpoint(b, i);
	}
	for (i = 0; cfg->full && i < n; i++) {
		struct endpoint *ep = batch_endpoint(b, i);
		struct provider_service *s = &res->svc[map[i].svc];

		if (!ep->connected)
			continue;
		if (cfg->progress)
			fprintf(stderr, "%s: enumerating %s %s[%s]:%d ...\n", domain,
			    provider_service_label(s->proto), s->host, ep->ip, s->port);
		provider_params(cfg, s, ep->ip, ep->refname, &pp);
		full_endpoint(r.base, &pp, ep, a, &cfg->fo);
	}

	/* 5: HSTS and the redirect for the web host */
	for (i = 0; i < res->nsvc; i++) {
		struct provider_service *s = &res->svc[i];

		if (s->proto != ENDPOINT_PROTO_HTTPS || s->nep == 0 || !s->ep[0]->connected)
			continue;
		if (r.http == NULL && (r.http = http_client_new(r.base, cfg->ca_file, err, errlen)) == NULL)
			break;
		s->ep[0]->web = arena_alloc(a, sizeof(struct web_result));
		provider_web_fetch(r.base, r.http, s->host, s->ep[0]->ip, cfg->http_timeout_ms, a,
		    s->ep[0]->web);
		provider_web_findings(s->ep[0], a, s->ep[0]->web);
		res->connections += 2;
	}

	/* 6: decisions */
	for (i = 0; i < res->nsvc; i++) {
		provider_decide(&r, &res->svc[i]);
		for (k = 0; k < res->svc[i].nep; k++)
			res->connections += res->svc[i].ep[k]->connections;
	}
	provider_family_findings(&r);
	if (res->autoconfig_tried)
		res->connections++;

	batch_free(b);
	if (cfg->base == NULL) {	/* made here */
		http_client_free(r.http);
		resolver_free(r.rv);
		event_base_free(r.base);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	res->elapsed_ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	return 0;
}
