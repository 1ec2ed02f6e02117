/*
 * check.h — `mailtls check DOMAIN`: DNSSEC-validated MX, DANE, MTA-STS, TLS-RPT, a probe of every
 * MX address, and one downgrade verdict.
 *
 * Phases, each parallel inside (all on one event loop):
 *   1. MX, _mta-sts TXT, _smtp._tls TXT, mta-sts.<domain> A/AAAA
 *   2. every MX host's A and AAAA; the MTA-STS policy fetch (libcurl on the same loop)
 *   3. every MX host's TLSA (at the canonical name first when the host is a secure CNAME)
 *   4. a probe of every address, with OpenSSL's DANE verifier armed where DANE applies
 *   5. findings and the verdict
 *
 * Memory: the result and everything in it live in the arena given to check_run().
 */
#ifndef MAILTLS_CHECK_H
#define MAILTLS_CHECK_H

#include <stddef.h>

#include "dns/caa.h"
#include "dns/mtasts.h"
#include "dns/resolver.h"
#include "dns/tlsa.h"
#include "dns/tlsrpt.h"
#include "probe/endpoint.h"
#include "probe/probe.h"
#include "tls/tls.h"
#include "verdict/verdict.h"
#include "scan/full.h"

struct arena;
struct event_base;
struct http_client;
struct resolver;
struct tls_client;
struct check_tlsa_ans;
struct check;
struct check_result;
typedef void	(*check_done_cb)(struct check_result *, void *);

#define CHECK_MX_MAX		16
#define CHECK_ADDR_MAX		8	/* per MX host */
#define CHECK_TLSA_MAX		32
#define CHECK_TXT_MAX		8
#define CHECK_STS_ADDR_MAX	8	/* addresses of mta-sts.<domain> tried in turn */
#define CHECK_FINDINGS_MAX	128	/* the last two are kept for the verdict's */
#define CHECK_ENDPOINTS_MAX	(CHECK_MX_MAX * CHECK_ADDR_MAX)

enum check_dane {
	CHECK_DANE_ABSENT = 0,	/* no TLSA records (or the MX is not secure, so none were looked for) */
	CHECK_DANE_USABLE,	/* secure, >= 1 usable record: DANE applies */
	CHECK_DANE_INSECURE,	/* records exist but the MX or TLSA RRset is not secure */
	CHECK_DANE_UNUSABLE,	/* secure, but no usable record */
	CHECK_DANE_BOGUS,	/* the TLSA lookup failed validation */
	CHECK_DANE_ERROR,	/* the TLSA lookup failed */
	CHECK_DANE_IGNORED,	/* the TLSA lookup failed or was bogus where no sender uses it */
	CHECK_DANE_LAST
};

/*
 * Who makes the probes of phase 4.  NULL: the check's own batch (per-address limits inside one
 * check).  A scan passes its scheduler, which can share one probe of an (address, port,
 * reference name, TLSA set) among every domain that leads to it and enforce limits across
 * domains.  probe() must call done exactly once, from the loop or inside the call; the endpoint
 * may be shared: the check copies it before adding its own findings.  The probe_params and what
 * they point to live until done has run.
 */
struct check_prober {
	void	(*probe)(void *ctx, const struct probe_params *,
		    void (*done)(struct endpoint *, void *), void *arg);
	/*
	 * --full through the prober (a scan: one enumeration per endpoint, shared; NULL: --full
	 * only in check_run()).  pp is the endpoint's (without TLSA: the enumeration does not
	 * depend on it), ep this check's copy of the probe's result.  done gets an endpoint that
	 * holds only what full_enumerate() added (full_scratch_detach()), which the check adds to
	 * its own (full_apply()) and grades itself: how senders authenticate the certificate is the
	 * domain's own.  Same rules as probe().
	 */
	void	(*full)(void *ctx, const struct probe_params *, const struct endpoint *,
		    void (*done)(const struct endpoint *, void *), void *arg);
	void	*ctx;
};

struct check_config {
	const char		*domain;
	struct event_base	*base;
	struct resolver		*resolver;
	struct http_client	*http;
	struct tls_client	*tls;
	const char		*ehlo;
	long			 connect_ms, reply_ms, tls_ms, total_ms;	/* per probe */
	long			 http_ms;		/* MTA-STS policy fetch */
	int			 max_total;		/* concurrent probes */
	int			 max_per_ip;
	long			 now;			/* 0: time(NULL) */
	int			 full;			/* --full on every reachable endpoint */
	const struct check_prober *prober;		/* NULL: a batch of the check's own */
	int			 dns_only;		/* no probes: DNS, DANE state, MTA-STS and
							   the verdict from them (policyd, quick scans) */
	const char		*sts_cached_id;		/* policyd: the id of sts_cached; when the
							   _mta-sts record still carries it the policy
							   is not fetched again (RFC 8461 §3.1: the id
							   changes with the policy); sts.fetch_skipped
							   says so.  NULL: fetch whatever the id */
	const struct mtasts_policy *sts_cached;		/* policyd: the unexpired policy it holds;
							   the policy in force when the fetch is
							   skipped or no live policy can be had
							   (RFC 8461 §3.3, §5.1); sts.from_cache */
	int			 sts_cached_mx_unknown;	/* policyd did not keep sts_cached's mx:
							   patterns (too many): applied, it matches
							   no MX and raises no mx_mismatch;
							   sts.mx_unknown */
	int			 sts_addr_lazy;		/* ask mta-sts.<domain>'s addresses only once
							   _mta-sts.<domain> has a TXT record (they
							   serve nothing else): two lookups fewer
							   for most domains, one round trip more
							   for those with a record (scans) */
	struct full_opts	 full_opts;
	void			(*progress)(const char *, void *);
	void			*progress_arg;
	/*
	 * Called once while the first DNS answers are awaited (libunbound validates them on its
	 * own thread), e.g. to build the TLS client then instead of before: `tls` is read only
	 * after it returned.
	 */
	void			(*while_waiting)(void *);
	void			*while_waiting_arg;
};

struct check_finding {
	enum finding_id	 id;
	enum severity	 severity;
	const char	*detail;
};

struct check_mx {
	const char		*host;
	int			 pref;
	int			 implicit;	/* the domain itself (no MX records) */
	int			 ip_literal;
	const char		*canon;		/* CNAME target when the host is an alias (from a
						   secure or insecure answer, never a bogus one) */
	int			 canon_secure;	/* canon came from a DNSSEC-secure answer */
	enum resolver_status	 addr_status;	/* what decides DANE: secure when every family
						   with addresses is secure (check.md) */
	enum resolver_status	 a_status, aaaa_status;	/* each family on its own */
	int			 a_asked, aaaa_asked;
	int			 a_n, aaaa_n;	/* addresses each lookup returned */
	int			 nxdomain;	/* the host does not exist */
	enum resolver_status	 nxdomain_status;	/* how well that is proven */
	const char		*a_error, *aaaa_error;	/* why a lookup failed */
	size_t			 naddr;
	const char		*addr[CHECK_ADDR_MAX];
	int			 addr_truncated;	/* more addresses than CHECK_ADDR_MAX */
	int			 dups;		/* further MX records with this host (other preferences) */
	const char		*tlsa_name;	/* where the TLSA records were found (or looked for) */
	enum resolver_status	 tlsa_status;
	const char		*tlsa_why_bogus;
	size_t			 ntlsa;
	int			 tlsa_truncated;	/* more than CHECK_TLSA_MAX records */
	struct tlsa_rr		 tlsa[CHECK_TLSA_MAX];
	struct tls_tlsa		 tls_tlsa[CHECK_TLSA_MAX];	/* the usable ones, for OpenSSL */
	size_t			 ntls_tlsa;
	struct tlsa_set_health	 health;
	enum check_dane		 dane;
	int			 tlsa_canon_failed;	/* the lookup at the CNAME target failed */
	struct check_tlsa_ans	*tlsa_at_host, *tlsa_at_canon;	/* the raw answers */
	struct verdict_mx	 vm;		/* what the verdict sees of this MX */
	const char		*sts_pattern;	/* the mx: pattern it matched, or NULL */
	/*
	 * CAA for the MX name (RFC 8659): which CAs may issue its certificate.  The lookup is
	 * allocated while it runs, the result in the arena when it came (9 KiB a host: inline they
	 * made every check 180 KiB, --quick included).
	 */
	struct caa_lookup	*caa;		/* while the lookup runs */
	struct caa_result	*caa_res;	/* set when caa_done */
	int			 caa_done;
	struct check		*check;		/* for the CAA callback */
	size_t			 nep;
	struct endpoint		*ep[CHECK_ADDR_MAX];
};

struct check_sts {
	int			 record_present;
	enum mtasts_status	 record_status;
	const char		*id;
	int			 fetched;	/* a 200 text/plain body within the ceiling came back */
	long			 http_status;
	const char		*content_type;
	const char		*fetch_error;
	enum mtasts_status	 policy_status;
	struct mtasts_policy	 policy;
	int			 policy_valid;
	int			 addr_tried;	/* addresses of mta-sts.<domain> tried */
	int			 addr_unreached;	/* of those, no TCP/TLS/HTTP answer at all */
	int			 unknown;	/* no policy known only because lookups or
						   connections from here failed */
	const char		*addr_used;	/* the one that answered, or NULL */
	int			 fetch_skipped;	/* the id matched check_config.sts_cached_id */
	int			 from_cache;	/* policy is check_config.sts_cached (RFC 8461
						   §3.3), not one fetched now */
	int			 mx_unknown;	/* from_cache, and its mx: patterns were not
						   kept: which MX matches is unknown */
};

struct check_tlsrpt {
	int			 present;
	enum tlsrpt_status	 status;
	struct tlsrpt_record	 record;
};

struct check_result {
	const char		*domain;
	enum resolver_status	 mx_status;
	const char		*mx_why_bogus;
	int			 mx_nxdomain;
	int			 null_mx;
	int			 implicit_mx;
	int			 dns_silent;	/* no lookup of the first round got any answer */
	size_t			 mx_records;	/* MX records in the answer */
	size_t			 mx_dropped;	/* distinct hosts beyond CHECK_MX_MAX */
	size_t			 nmx;
	struct check_mx		 mx[CHECK_MX_MAX];
	struct check_sts	 sts;
	struct check_tlsrpt	 tlsrpt;
	size_t			 nfindings;
	struct check_finding	 findings[CHECK_FINDINGS_MAX];
	struct verdict		 verdict;
	size_t			 nendpoints;
	struct endpoint		*endpoints[CHECK_ENDPOINTS_MAX];
	int			 connections;
	long			 elapsed_ms;
	int			 graded;		/* --full ran: grade is set */
	enum grade_letter	 grade;			/* the weakest endpoint's letter */
	const char		*grade_display;		/* that endpoint's display ("B [T]") */
};

/* Synchronous: runs the event loop until the check (and --full, when asked) is done. */
struct check_result	*check_run(const struct check_config *, struct arena *);

/*
 * Asynchronous, for many checks on one loop: starts the check and returns; done runs once,
 * from the loop (or inside this call when nothing had to wait), with the result.  The check
 * lives in the arena.  `full` is ignored here unless the prober has full(): --full enumeration
 * otherwise runs its own loop and is only available through check_run().
 */
struct check_result	*check_result_of(const struct check *);
struct check		*check_start(const struct check_config *, struct arena *, check_done_cb,
			    void *);
const char		*check_dane_name(enum check_dane);
enum severity		 check_worst(const struct check_result *, int *any);
/* MX hosts senders use that have usable DANE (the reports' "all" / "partial" / "none") */
size_t			 check_dane_usable(const struct check_result *);

#endif
