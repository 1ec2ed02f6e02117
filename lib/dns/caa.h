/*
 * caa.h — Certification Authority Authorization records (RFC 8659) for a mail server's name:
 * which CAs may issue certificates for it.  For mail this guards the MTA-STS (PKIX) path:
 * without CAA any public CA may be talked into issuing a certificate for the MX host.
 *
 * caa_parse() and caa_assess() are pure functions over RDATA (fuzz/fuzz_caa.c).  caa_lookup_*
 * finds the relevant RRset with the embedded resolver, climbing from the name towards the TLD
 * as RFC 8659 §3 prescribes (CNAMEs are followed by the resolver).
 */
#ifndef MAILTLS_CAA_H
#define MAILTLS_CAA_H

#include <stddef.h>
#include <stdint.h>

#include "dns/resolver.h"

#define CAA_RRTYPE		257
#define CAA_TAG_MAX		15	/* RFC 8659 §4.1 */
#define CAA_ISSUER_MAX		253	/* a domain name in text form */
#define CAA_ISSUERS_MAX		16	/* issuers kept per set; more are counted */
#define CAA_CLIMB_MAX		8	/* lookups from the name up; deeper names are cut off */
#define CAA_FLAG_CRITICAL	0x80	/* Issuer Critical (RFC 8659 §4.1) */

enum caa_tag {
	CAA_TAG_ISSUE = 0,
	CAA_TAG_ISSUEWILD,
	CAA_TAG_IODEF,
	CAA_TAG_OTHER,		/* a tag we do not know (issuemail, contactemail, ...) */
	CAA_TAG_LAST
};

enum caa_status {
	CAA_OK = 0,
	CAA_SHORT,		/* RDATA ends before the tag */
	CAA_BAD_TAG,		/* tag length 0 or > 15, or not letters and digits */
	CAA_BAD_VALUE,		/* an issue/issuewild value outside the RFC 8659 §4.2 grammar */
	CAA_STATUS_LAST
};

struct caa_rr {
	enum caa_status	 status;
	uint8_t		 flags;
	enum caa_tag	 tag;
	char		 tagtext[CAA_TAG_MAX + 1];
	size_t		 value_len;
	/* issue / issuewild: the issuer domain, lower case; "" when the value names none (";") */
	char		 issuer[CAA_ISSUER_MAX + 1];
	size_t		 nparams;
};

enum caa_status	 caa_parse(const uint8_t *, size_t, struct caa_rr *out);

/* What a set of records (one RRset) allows. */
struct caa_set {
	size_t		 nrecords;
	size_t		 malformed;
	size_t		 nissue;		/* issue records (well formed) */
	size_t		 nissuers;		/* distinct issuers named by issue records */
	char		 issuers[CAA_ISSUERS_MAX][CAA_ISSUER_MAX + 1];
	int		 issue_none;		/* issue records exist and none names an issuer */
	int		 critical_unknown;	/* an unknown tag marked critical: no CA may issue */
	int		 iodef;
};

void		 caa_assess(const struct caa_rr *, size_t n, struct caa_set *out);
const char	*caa_status_name(enum caa_status);
const char	*caa_tag_name(enum caa_tag);

/* ---- Lookup ---------------------------------------------------------------------------- */

enum caa_outcome {
	CAA_FOUND = 0,		/* a relevant RRset was found at `owner` */
	CAA_NONE,		/* no CAA record at the name or any parent up to the TLD */
	CAA_FAILED,		/* a lookup failed or was bogus: nothing is known */
	CAA_OUTCOME_LAST
};

struct caa_result {
	enum caa_outcome	 outcome;
	enum resolver_status	 status;	/* DNSSEC status of the deciding answer */
	char			 owner[CAA_ISSUER_MAX + 2];	/* where the RRset was found */
	struct caa_set		 set;
	int			 lookups;
	const char		*error;		/* CAA_FAILED: static text */
};

typedef void	(*caa_done_cb)(void *arg, const struct caa_result *);

/* One climb.  The caller owns the memory; the fields are the lookup's own. */
struct caa_lookup {
	struct resolver		*res;
	char			 name[CAA_ISSUER_MAX + 2];	/* the owner being asked */
	caa_done_cb		 cb;
	void			*arg;
	int			 id;		/* the pending query, 0 when none */
	int			*answered;	/* caa_lookup_next()'s flag while its query is sent:
						   the answer may come (and end the lookup, and free
						   *l with its owner) before resolver_query returns */
	int			 done;		/* the callback has run */
	struct caa_result	 r;
};

/*
 * Start the climb for name.  The callback runs exactly once (the result is valid only during
 * it), unless caa_lookup_cancel() comes first; it may run before this returns.  *l must stay
 * in place until then.  -1 (and no callback) for a programmer error: no name or callback.
 */
int			 caa_lookup_start(struct caa_lookup *l, struct resolver *, const char *name,
			    caa_done_cb, void *arg);
void			 caa_lookup_cancel(struct caa_lookup *);	/* no-op once done */
const char		*caa_outcome_name(enum caa_outcome);

/*
 * The finding a result calls for (lib/verdict/finding.h: FINDING_CAA_ABSENT, _INVALID,
 * _LOOKUP_FAILED) with its detail, or -1 for none.
 */
int			 caa_finding(const struct caa_result *, const char *name, char *detail,
			    size_t size);

#endif
