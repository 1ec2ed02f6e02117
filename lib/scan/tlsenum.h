/*
 * tlsenum.h — the planner that enumerates every TLS version, cipher suite and key-exchange group
 * a server accepts, with as few connections as the protocol allows.
 *
 * A pure state machine: no I/O, no sockets, no clock, no globals; randomness comes from the
 * caller.  The caller (the probe) runs each attempt as one TCP connection: banner, EHLO,
 * STARTTLS as the protocol wants, then the hello bytes of the attempt, then it collects the
 * server's first flight, parses it (hello_parse_server() or hello_parse_sslv2() by the
 * attempt's kind), hands the outcome back with tlsenum_result() and closes.
 *
 *	struct tlsenum *te = tlsenum_new(&opts);
 *	struct tlsenum_attempt at;
 *	while (tlsenum_next(te, &at)) {
 *		... connect, STARTTLS, send at.hello[0..at.hello_len), read, parse ...
 *		tlsenum_result(te, &at, &outcome);
 *	}
 *	rep = tlsenum_report(te);
 *
 * One attempt is outstanding at a time: tlsenum_next() after tlsenum_next() without a result is
 * a programmer error.  The algorithm, its floor (the fewest connections any sequential
 * one-hello-per-connection scanner needs) and why each skip is safe are in
 * docs/internals/tlsenum.md.
 *
 *   RFC 8446 §4.1.1/§4.1.4/§4.2.1/§4.2.7/§4.2.8 (version and group negotiation, HRR),
 *   RFC 5246 §7.4.1 and Appendix E (version negotiation), RFC 7507 (TLS_FALLBACK_SCSV),
 *   RFC 8422 (EC groups at TLS <= 1.2), RFC 7919 (FFDHE groups), RFC 5746, RFC 7627,
 *   RFC 7366, RFC 5077, RFC 6066, RFC 6520 (the extensions recorded).
 */
#ifndef MAILTLS_TLSENUM_H
#define MAILTLS_TLSENUM_H

#include <stddef.h>
#include <stdint.h>

#include "tls/cipher.h"
#include "tls/hello.h"

/* Protocol versions by index (the report's v[] array); TLSENUM_VBIT(v) for opts.versions. */
enum tlsenum_version {
	TLSENUM_SSL2,
	TLSENUM_SSL3,
	TLSENUM_TLS10,
	TLSENUM_TLS11,
	TLSENUM_TLS12,
	TLSENUM_TLS13,
	TLSENUM_VERSION_LAST
};

#define TLSENUM_VBIT(v)		(1u << (v))
#define TLSENUM_VALL		((1u << TLSENUM_VERSION_LAST) - 1)

/* An answer that can be yes, no, or not known; one name table for text and JSON. */
enum tlsenum_answer {
	TLSENUM_UNTESTED,	/* not asked (disabled, ceiling reached, or nothing to ask) */
	TLSENUM_YES,
	TLSENUM_NO,
	TLSENUM_INDETERMINATE,	/* asked, but the answer did not decide it */
	TLSENUM_NOT_APPLICABLE,	/* e.g. fallback SCSV with one version, renegotiation at 1.3 only */
	TLSENUM_ANSWER_LAST
};

/* Random bytes for client randoms, session ids and SSLv2 challenges. */
typedef void	tlsenum_random_fn(void *arg, uint8_t *buf, size_t len);

struct tlsenum_opts {
	unsigned int		 versions;	/* TLSENUM_VBIT()s to test; 0: all, SSLv2..TLS 1.3 */
	const char		*sni;		/* server_name; NULL: none (copied) */
	int			 test_groups;	/* enumerate TLS 1.3 groups and TLS <= 1.2 curves */
	unsigned int		 max_attempts;	/* ceiling on connections; 0: TLSENUM_DEFAULT_MAX */
	unsigned int		 max_group_attempts;	/* per group phase; 0: TLSENUM_DEFAULT_GROUPS */
	size_t			 chunk;		/* at most this many suites per hello; 0: all at once */
	int			 full_legacy;	/* TLS 1.1/1.0/SSLv3: offer every pre-1.2 suite, not
						   the narrowed list (see tlsenum.md) */
	unsigned int		 max_retries;	/* consecutive TLSENUM_OUT_NO_CONNECTION re-tries of
						   one attempt before giving up; 0: 2 */
	tlsenum_random_fn	*random;	/* NULL: a fixed counter pattern (tests only) */
	void			*random_arg;
};

#define TLSENUM_DEFAULT_MAX	400
#define TLSENUM_DEFAULT_GROUPS	24

/* What an attempt is for (logs, the report's attempt trace). */
enum tlsenum_purpose {
	TLSENUM_P_DISCOVER,	/* every version at once: the server's highest, and a first suite */
	TLSENUM_P_SUITES,	/* one more suite at `version` */
	TLSENUM_P_ORDER,	/* the accepted suites reversed: server or client order? */
	TLSENUM_P_RANK,		/* chunked lists only: the server's preference across chunks */
	TLSENUM_P_SSLV2,	/* one SSLv2 CLIENT-HELLO: the answer lists every spec */
	TLSENUM_P_GROUPS13,	/* one more TLS 1.3 group (key_share or HRR) */
	TLSENUM_P_GROUPS12,	/* one more ECDHE curve at TLS <= 1.2 */
	TLSENUM_P_FALLBACK,	/* TLS_FALLBACK_SCSV at the second-highest version */
	TLSENUM_P_LAST
};

enum tlsenum_kind {
	TLSENUM_KIND_TLS,	/* parse the answer with hello_parse_server() */
	TLSENUM_KIND_SSLV2,	/* parse the answer with hello_parse_sslv2() */
	TLSENUM_KIND_LAST
};

/*
 * One connection's worth of work.  Everything it points to belongs to the planner and stays
 * valid until the next tlsenum_next() or tlsenum_free().
 */
struct tlsenum_attempt {
	unsigned int		 seq;		/* 1, 2, ...: the attempt's number (= connections) */
	enum tlsenum_kind	 kind;
	enum tlsenum_purpose	 purpose;
	enum tlsenum_version	 version;	/* the highest version the hello offers */
	const uint8_t		*hello;		/* the bytes to send after STARTTLS */
	size_t			 hello_len;
	const struct hello_params *params;	/* TLS: how hello was built; NULL for SSLv2 */
	const struct hello_sslv2_params *sslv2;	/* SSLv2: how hello was built; else NULL */
};

/* How the attempt ended, as the caller saw it. */
enum tlsenum_status {
	TLSENUM_OUT_HELLO,	/* a ServerHello/HRR (TLS) or SERVER-HELLO (SSLv2) was parsed */
	TLSENUM_OUT_ALERT,	/* a TLS alert, or an SSLv2 ERROR: alert holds the code */
	TLSENUM_OUT_CLOSED,	/* closed or reset after our hello, no answer */
	TLSENUM_OUT_TIMEOUT,	/* no answer in time */
	TLSENUM_OUT_GARBAGE,	/* HELLO_NOT_TLS, HELLO_MALFORMED, HELLO_TOO_BIG */
	TLSENUM_OUT_NO_CONNECTION, /* the hello was never sent (TCP, banner, STARTTLS failed):
				      the planner re-tries the same attempt */
	TLSENUM_OUT_LAST
};

struct tlsenum_outcome {
	enum tlsenum_status		 status;
	const struct hello_server	*server;	/* TLS: the parse, whatever its result; or NULL */
	const struct hello_sslv2_server	*sslv2;		/* SSLv2: the parse; or NULL */
	uint16_t			 alert;		/* TLSENUM_OUT_ALERT: description / SSLv2 error */
};

/*
 * Convenience: fill an outcome from a parse made after the connection ended or timed out.  A
 * parse that got as far as a ServerHello counts as TLSENUM_OUT_HELLO even if it then ran out
 * or ended in an alert: the server has chosen.  HELLO_NEED_MORE without a ServerHello becomes
 * `ended` (TLSENUM_OUT_CLOSED or TLSENUM_OUT_TIMEOUT).
 */
void	tlsenum_outcome_tls(struct tlsenum_outcome *, const struct hello_server *,
	    enum tlsenum_status ended);
void	tlsenum_outcome_sslv2(struct tlsenum_outcome *, const struct hello_sslv2_server *,
	    enum tlsenum_status ended);

/* ---- The report ---------------------------------------------------------------------------- */

#define TLSENUM_MAX_SUITES	400	/* > every suite of the table (334 legacy + 15 TLS 1.3) */
#define TLSENUM_MAX_GROUPS	32
#define TLSENUM_MAX_KX		16
#define TLSENUM_MAX_SKE_SIGS	16

/* tlsenum_version_report.exts, tlsenum_report.exts: echoed in a ServerHello (TLS <= 1.2). */
#define TLSENUM_EXT_RENEG	0x01	/* renegotiation_info (RFC 5746) */
#define TLSENUM_EXT_EMS		0x02	/* extended_master_secret */
#define TLSENUM_EXT_ETM		0x04	/* encrypt_then_mac (echoed only with a CBC suite) */
#define TLSENUM_EXT_TICKET	0x08	/* session_ticket */
#define TLSENUM_EXT_STATUS	0x10	/* status_request echoed or CertificateStatus sent */
#define TLSENUM_EXT_HEARTBEAT	0x20	/* heartbeat (RFC 6520) */

/* tlsenum_report.quirks: the server broke a rule; the lists may be incomplete. */
#define TLSENUM_QUIRK_UNOFFERED_SUITE	0x01	/* chose a suite we did not offer */
#define TLSENUM_QUIRK_HIGHER_VERSION	0x02	/* answered a version above the one offered */
#define TLSENUM_QUIRK_BAD_VERSION	0x04	/* answered a version outside the offered set */
#define TLSENUM_QUIRK_DISCOVER_REFUSED	0x08	/* the all-versions hello failed but single-
						   version ones worked (version intolerance) */
#define TLSENUM_QUIRK_UNOFFERED_GROUP	0x10	/* chose a group we did not offer */
#define TLSENUM_QUIRK_VERSION_FLIP	0x20	/* a version both accepted and refused */

struct tlsenum_version_report {
	enum tlsenum_answer	 supported;
	/*
	 * Accepted suites.  When server_order is YES, in the server's preference order; otherwise
	 * in the order we offered them (ascending code), which is also the server's order of
	 * picking.
	 */
	uint16_t		 suites[TLSENUM_MAX_SUITES];
	size_t			 nsuites;
	uint32_t		 sslv2_specs[HELLO_MAX_SSLV2_SPECS];	/* TLSENUM_SSL2 only */
	size_t			 nsslv2_specs;
	enum tlsenum_answer	 server_order;	/* NOT_APPLICABLE with fewer than two suites */
	int			 complete;	/* the list ended with a refusal or ran out of
						   candidates (else: ceiling, quirk) */
	unsigned int		 exts;		/* TLSENUM_EXT_* seen at this version */
	int			 compression;	/* a ServerHello chose DEFLATE at this version */
	unsigned int		 hellos;	/* ServerHellos seen at this version */
	unsigned int		 reneg_hellos;	/* ... of which echoed renegotiation_info */
};

/* A key exchange parameter seen in a ServerKeyExchange (TLS <= 1.2) or key_share (1.3). */
struct tlsenum_kx {
	enum cipher_kx		 kx;		/* CIPHER_KX_DHE, _ECDHE, _RSA (export), _TLS13 */
	enum tlsenum_version	 version;
	uint16_t		 group;		/* named curve / group, 0 for custom DH */
	unsigned int		 bits;		/* DH p bits, export RSA modulus bits; 0 for EC */
};

struct tlsenum_report {
	struct tlsenum_version_report	 v[TLSENUM_VERSION_LAST];
	enum tlsenum_version		 max_version;	/* highest supported (valid if any is) */
	int				 any_supported;

	/* Groups, in the order the server chose them (its preference, x25519 aside: see doc). */
	enum tlsenum_answer	 groups_tested;	/* YES when the group phases ran to a refusal */
	uint16_t		 groups13[TLSENUM_MAX_GROUPS];	/* TLS 1.3 key_share / HRR groups */
	size_t			 ngroups13;
	unsigned int		 groups13_hrr;	/* bit i: groups13[i] was asked for with an HRR */
	uint16_t		 groups12[TLSENUM_MAX_GROUPS];	/* ECDHE named curves, TLS <= 1.2 */
	size_t			 ngroups12;
	int			 ec_explicit;	/* an ECDHE answer used explicit curve parameters */

	/* Distinct key-exchange parameters seen (DH sizes, curves). */
	struct tlsenum_kx	 kx[TLSENUM_MAX_KX];
	size_t			 nkx;
	unsigned int		 dh_min_bits;	/* smallest DHE p seen; 0: no DHE answer */
	/* TLS 1.2 ServerKeyExchange signature schemes seen, distinct, in order of first sight */
	uint16_t		 ske_sigs[TLSENUM_MAX_SKE_SIGS];
	size_t			 nske_sigs;

	/* Summaries over every TLS <= 1.2 ServerHello. */
	unsigned int		 exts;		/* union of TLSENUM_EXT_* */
	enum tlsenum_answer	 secure_reneg;	/* YES: every <= 1.2 hello echoed it; NO: one did
						   not; NOT_APPLICABLE: none at <= 1.2 */
	enum tlsenum_answer	 compression;	/* YES: DEFLATE chosen somewhere */
	enum tlsenum_answer	 heartbeat;	/* the heartbeat extension was echoed */
	enum tlsenum_answer	 fallback_scsv;	/* YES: inappropriate_fallback at the 2nd version */

	/* Bookkeeping. */
	unsigned int		 attempts;	/* connections used (failed ones included) */
	unsigned int		 attempts_failed;	/* TLSENUM_OUT_NO_CONNECTION */
	unsigned int		 timeouts;	/* TLSENUM_OUT_TIMEOUT (counted as refusals) */
	unsigned int		 floor;		/* the reference count: see tlsenum.md */
	unsigned int		 quirks;	/* TLSENUM_QUIRK_* */
	int			 incomplete;	/* stopped early; reason says why */
	const char		*incomplete_reason;	/* static text, or NULL */
};

struct tlsenum;

/* NULL opts: every default.  Never returns NULL (allocation failure aborts). */
struct tlsenum		*tlsenum_new(const struct tlsenum_opts *);

/* 1: *out is the next attempt; 0: finished (the report is final). */
int			 tlsenum_next(struct tlsenum *, struct tlsenum_attempt *out);

/* The outcome of the attempt tlsenum_next() returned last (matched by seq). */
void			 tlsenum_result(struct tlsenum *, const struct tlsenum_attempt *,
			    const struct tlsenum_outcome *);

/* Valid at any time (partial while running); lives as long as the planner. */
const struct tlsenum_report *tlsenum_report(const struct tlsenum *);

void			 tlsenum_free(struct tlsenum *);	/* NULL is fine */

/* Name tables (never NULL; "?" out of range). */
const char	*tlsenum_version_name(enum tlsenum_version);	/* "TLSv1.2" */
const char	*tlsenum_answer_name(enum tlsenum_answer);	/* "yes", "indeterminate" */
const char	*tlsenum_purpose_name(enum tlsenum_purpose);	/* "suites" */
const char	*tlsenum_status_name(enum tlsenum_status);	/* "alert" */
uint16_t	 tlsenum_version_wire(enum tlsenum_version);	/* HELLO_TLS12 */
int		 tlsenum_version_from_wire(uint16_t);		/* -1 if not one of ours */

#endif
