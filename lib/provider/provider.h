/*
 * provider.h — `mailtls provider DOMAIN`: every mail and chat service a provider publishes (or
 * that can only be guessed), each audited with the probe engine, with DNSSEC and DANE per
 * service.  Gathers facts and hands them to lib/verdict (mandatory.c); lib/report renders them.
 * Design: docs/internals/provider.md.
 *
 * Discovery, in this order, each service marked with where it came from:
 *   MX (RFC 5321 §5.1), RFC 6186 SRV (_submission(s)/_imap(s)/_pop3(s)._tcp), RFC 6120 §3.2 SRV
 *   (_xmpp-client/_xmpp-server._tcp) and XEP-0368 (_xmpps-client/_xmpps-server._tcp), Thunderbird
 *   autoconfig (https://autoconfig.DOMAIN/mail/config-v1.1.xml), the domain's web host (HTTPS),
 *   and only for a mail family with nothing published: guessed names (imap., smtp., mail., pop.),
 *   marked as guessed.
 * DANE: TLSA at _PORT._tcp.TARGET when the MX/SRV RRset and the TLSA RRset are secure (RFC 7672,
 * RFC 7673); OpenSSL verifies the chain against usable records inside the handshake.
 */
#ifndef MAILTLS_PROVIDER_H
#define MAILTLS_PROVIDER_H

#include <stddef.h>

#include "dns/resolver.h"
#include "probe/probe.h"
#include "provider/web.h"
#include "scan/full.h"
#include "tls/tls.h"
#include "verdict/mandatory.h"

#define PROVIDER_SVC_MAX	48
#define PROVIDER_ADDRS_MAX	2	/* addresses probed per service host */
#define PROVIDER_TLSA_MAX	8
#define PROVIDER_FINDINGS_MAX	32
#define PROVIDER_MX_MAX		5

enum provider_dane {
	PROVIDER_DANE_NA = 0,		/* no TLSA looked up: the name's RRset is not secure, or web */
	PROVIDER_DANE_NONE,		/* secure, and no TLSA records */
	PROVIDER_DANE_OK,		/* usable records, and the chain matched in the handshake */
	PROVIDER_DANE_BROKEN,		/* usable records the chain does not match (or none usable) */
	PROVIDER_DANE_INSECURE,		/* TLSA records, but not DNSSEC-secure: ignored */
	PROVIDER_DANE_UNKNOWN,		/* the lookup failed, or no handshake */
	PROVIDER_DANE_LAST
};

struct provider_service {
	int			 proto;		/* enum endpoint_proto */
	const char		*host;		/* the target name, without the trailing dot */
	int			 port;
	const char		*source;	/* "MX 10", "SRV _imaps._tcp", "autoconfig", "guessed", "web" */
	int			 guessed;
	const char		*advised;	/* autoconfig's socketType for this service, or NULL */
	enum resolver_status	 name_status;	/* DNSSEC of the MX/SRV RRset (web, guessed: the A RRset) */
	enum resolver_status	 addr_status;
	size_t			 naddr;
	char			 addr[PROVIDER_ADDRS_MAX][46];
	const char		*tlsa_name;
	enum resolver_status	 tlsa_status;
	size_t			 ntlsa;		/* usable records handed to OpenSSL */
	size_t			 ntlsa_all;
	struct tls_tlsa		 tlsa[PROVIDER_TLSA_MAX];
	enum provider_dane	 dane;
	size_t			 nep;
	struct endpoint		*ep[PROVIDER_ADDRS_MAX];
	struct mandatory_result	 mandatory;
};

struct provider_finding {
	int			 id;		/* enum finding_id */
	const char		*service;	/* "imap mail.example:143" or NULL */
	const char		*detail;
};

struct provider_result {
	const char		*domain;
	enum resolver_status	 mx_status;
	int			 autoconfig_tried;	/* autoconfig.DOMAIN has an address */
	int			 autoconfig_ok;
	long			 autoconfig_status;
	const char		*autoconfig_error;
	struct autoconfig	 autoconfig;
	size_t			 nsvc;
	struct provider_service	 svc[PROVIDER_SVC_MAX];
	size_t			 nfind;
	struct provider_finding	 find[PROVIDER_FINDINGS_MAX];
	int			 connections;
	long			 elapsed_ms;
};

struct provider_config {
	/*
	 * The loop, validating resolver and HTTPS client to use; NULL: provider_run() makes its
	 * own from rc and ca_file (and frees them).  Shared across domains they are made once and
	 * the resolver's cache serves every domain.
	 */
	struct event_base	*base;
	struct resolver		*resolver;
	struct http_client	*http;
	struct resolver_config	 rc;
	struct tls_client	*tls;
	const char		*ca_file;	/* trust anchors for the HTTPS fetches (NULL: system) */
	struct probe_params	 tmpl;		/* deadlines, EHLO name */
	int			 full;
	struct full_opts	 fo;
	int			 no_guess;
	long			 http_timeout_ms;
	int			 progress;	/* lines on stderr */
};

/* Audit one domain; the result lives in the arena.  -1 with err when the resolver cannot start. */
int		 provider_run(const struct provider_config *, const char *domain, struct arena *,
		    struct provider_result *, char *err, size_t errlen);
const char	*provider_dane_name(enum provider_dane);

struct event_base;
struct http_client;
struct endpoint;
/* `host`: "TLS mandatory?" for one endpoint, without DANE or MTA-STS facts. */
void		 provider_endpoint_decide(struct endpoint *);
/* HSTS on https://HOST/ and the redirect of http://HOST/, both to ip; waits on base. */
int		 provider_web_fetch(struct event_base *, struct http_client *, const char *host,
		    const char *ip, long timeout_ms, struct arena *, struct web_result *);
/* https.no_hsts, https.hsts_short, https.no_redirect, https.fetch_failed from a web_result. */
void		 provider_web_findings(struct endpoint *, struct arena *, const struct web_result *);
/* The service's label in tables: "MX", "submission", "IMAP", "XMPP c2s", ... */
const char	*provider_service_label(int proto);

#endif
