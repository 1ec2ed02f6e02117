/*
 * endpoint.h — what a probe learns about one (host, address, port, protocol).
 *
 * Memory: an endpoint and everything it points to live in the arena passed to endpoint_new();
 * they are freed with that arena, never on their own.
 */
#ifndef MAILTLS_ENDPOINT_H
#define MAILTLS_ENDPOINT_H

#include <stddef.h>

#include "proto/smtp.h"
#include "verdict/finding.h"

struct arena;
struct grade_result;
struct proto_facts;
struct web_result;
struct scan_result;

enum endpoint_proto {
	ENDPOINT_PROTO_SMTP = 0,	/* STARTTLS on 25/587 (RFC 3207) */
	ENDPOINT_PROTO_SMTPS,		/* implicit TLS on 465 (RFC 8314) */
	/* protocols on the engine (lib/probe/engine.c, lib/proto/proto.h) */
	ENDPOINT_PROTO_SUBMISSION,	/* 587 STARTTLS (RFC 6409, RFC 3207) */
	ENDPOINT_PROTO_SUBMISSIONS,	/* 465 implicit TLS (RFC 8314) */
	ENDPOINT_PROTO_IMAP,		/* 143 STARTTLS (RFC 9051, RFC 3501) */
	ENDPOINT_PROTO_IMAPS,		/* 993 implicit TLS */
	ENDPOINT_PROTO_POP3,		/* 110 STLS (RFC 2595, RFC 2449) */
	ENDPOINT_PROTO_POP3S,		/* 995 implicit TLS */
	ENDPOINT_PROTO_XMPP,		/* 5222 c2s STARTTLS (RFC 6120) */
	ENDPOINT_PROTO_XMPP_SERVER,	/* 5269 s2s STARTTLS */
	ENDPOINT_PROTO_XMPPS,		/* 5223 c2s direct TLS (XEP-0368) */
	ENDPOINT_PROTO_XMPPS_SERVER,	/* 5270 s2s direct TLS (XEP-0368) */
	ENDPOINT_PROTO_HTTPS,		/* 443 (RFC 9110), HSTS (RFC 6797) */
	ENDPOINT_PROTO_LAST
};

#define ENDPOINT_FINDINGS_MAX	64
#define ENDPOINT_TRANSCRIPT_MAX	64
#define ENDPOINT_CHAIN_MAX	10
#define ENDPOINT_SAN_MAX	1000	/* DNS names kept and matched; a bound against hostile certificates */

struct endpoint_finding {
	enum finding_id	 id;
	enum severity	 severity;
	const char	*detail;	/* what exactly was seen; may be NULL */
};

struct endpoint_line {
	char		 dir;		/* '<' from server, '>' to server, '*' a step of ours */
	const char	*text;
};

struct endpoint_chain_cert {
	const char	*subject;
	const char	*issuer;
};

struct endpoint_cert {
	const char	*subject;
	const char	*issuer;
	const char	*not_before;	/* ISO 8601 UTC */
	const char	*not_after;
	long		 days_left;	/* negative once expired */
	int		 chain_valid;
	const char	*chain_error;	/* OpenSSL's verify error text, NULL if valid */
	int		 name_match;
	const char	*name_matched;	/* the DNS-ID or CN that matched */
	int		 expired;
	int		 not_yet_valid;
	int		 self_signed;
	const char	*key_type;	/* "RSA", "EC", "ED25519", ... */
	int		 key_bits;
	const char	*sig_alg;	/* e.g. "sha256WithRSAEncryption" */
	const char	*sha256;	/* hex of the DER certificate (TLSA x 0 1) */
	const char	*spki_sha256;	/* hex of the DER SubjectPublicKeyInfo (TLSA x 1 1) */
	const char	*issuer_spki_sha256;	/* the same of the issuing CA (TLSA 2 1 1), when its
					   certificate is known (sent, or in the trust store) */
	int		 issuer_sent;	/* the server sent that CA certificate (DANE-TA needs it
					   in the chain: RFC 7671 §5.2, RFC 7672 §3.1) */
	size_t		 nsan;
	const char	**san;		/* DNS-IDs, in the arena */
	size_t		 nchain;
	struct endpoint_chain_cert chain[ENDPOINT_CHAIN_MAX];
};

/* DANE as verified in the handshake by OpenSSL's DANE code. */
struct endpoint_dane {
	int		 records;	/* TLSA records given */
	int		 usable;	/* of those, usable (DANE-TA/DANE-EE, well-formed) */
	int		 verified;	/* the chain matched a usable record */
	int		 depth;		/* depth of the matching certificate, -1 if none */
	const char	*matched;	/* "3 1 1 <hex>" of the record that matched */
	const char	*error;		/* why not, from the verifier */
};

struct endpoint_tls {
	const char	*version;	/* "TLSv1.3" */
	const char	*cipher;	/* IANA name */
	const char	*group;		/* key-exchange group, e.g. "x25519", "secp256r1", "ffdhe2048" */
	const char	*sigalg;	/* server signature scheme, e.g. "rsa_pss_rsae_sha256" */
	const char	*sni;
};

struct endpoint {
	const char		*host;		/* as given or the MX name */
	const char		*ip;		/* numeric address probed */
	int			 port;
	enum endpoint_proto	 proto;
	const char		*refname;	/* reference identifier for SNI and name checks */
	const char		*banner;	/* first line of the greeting */
	int			 connected;
	int			 starttls_offered;
	int			 tls_established;
	struct smtp_caps	*caps_plain;	/* EHLO before TLS, NULL if none */
	struct smtp_caps	*caps_tls;	/* EHLO inside TLS, NULL if none */
	struct endpoint_tls	*tls;		/* NULL without a TLS session */
	struct endpoint_cert	*cert;		/* NULL without a peer certificate */
	struct endpoint_dane	*dane;		/* NULL when DANE was not in play */
	struct scan_result	*scan;		/* --full: enumeration; NULL otherwise */
	struct grade_result	*grade;		/* --full: grade; NULL otherwise */
	int			 cmd_injection;	/* --full: enum probe_pipe_result (probe.h) */
	const char		*cmd_injection_reason;	/* --full: what that test saw */
	int			 cmd_injection_connections;	/* --full: 0, 1, or 2 (a retry) */
	struct proto_facts	*facts;		/* engine protocols: what the dialogue showed (proto.h) */
	struct web_result	*web;		/* https: HSTS and the http:// redirect (provider/web.h) */
	long			 elapsed_ms;
	int			 connections;
	size_t			 nfindings;
	struct endpoint_finding	 findings[ENDPOINT_FINDINGS_MAX];
	size_t			 nlines;
	struct endpoint_line	 lines[ENDPOINT_TRANSCRIPT_MAX];
	size_t			 lines_dropped;
};

struct endpoint	*endpoint_new(struct arena *, const char *host, const char *ip, int port,
		    enum endpoint_proto, const char *refname);
void		 endpoint_finding(struct endpoint *, struct arena *, enum finding_id,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int		 endpoint_has(const struct endpoint *, enum finding_id);
enum severity	 endpoint_worst(const struct endpoint *, int *any);
void		 endpoint_log(struct endpoint *, struct arena *, char dir, const char *text, size_t len);
const char	*endpoint_proto_name(enum endpoint_proto);
int		 endpoint_proto_by_name(const char *);
int		 endpoint_proto_port(enum endpoint_proto);

#endif
