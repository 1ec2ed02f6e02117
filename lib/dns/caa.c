/*
 * caa.c — see caa.h.  RFC 8659 §3 (finding the relevant RRset), §4.1 (record format), §4.2
 * (issue and issuewild value grammar), §4.4 (iodef).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns/caa.h"
#include "util/xalloc.h"
#include "verdict/finding.h"

static const char *const caa_status_names[CAA_STATUS_LAST] = {
	[CAA_OK] = "ok",
	[CAA_SHORT] = "short",
	[CAA_BAD_TAG] = "bad_tag",
	[CAA_BAD_VALUE] = "bad_value",
};

static const char *const caa_tag_names[CAA_TAG_LAST] = {
	[CAA_TAG_ISSUE] = "issue",
	[CAA_TAG_ISSUEWILD] = "issuewild",
	[CAA_TAG_IODEF] = "iodef",
	[CAA_TAG_OTHER] = "other",
};

static const char *const caa_outcome_names[CAA_OUTCOME_LAST] = {
	[CAA_FOUND] = "found",
	[CAA_NONE] = "none",
	[CAA_FAILED] = "failed",
};

const char *
caa_status_name(enum caa_status s)
{
	return (unsigned)s < CAA_STATUS_LAST ? caa_status_names[s] : "?";
}

const char *
caa_tag_name(enum caa_tag t)
{
	return (unsigned)t < CAA_TAG_LAST ? caa_tag_names[t] : "?";
}

const char *
caa_outcome_name(enum caa_outcome o)
{
	return (unsigned)o < CAA_OUTCOME_LAST ? caa_outcome_names[o] : "?";
}

static int
caa_alnum(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int
caa_wsp(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* label = (ALPHA / DIGIT) *( *("-") (ALPHA / DIGIT) ); returns its length, 0 if none. */
static size_t
caa_label(const uint8_t *p, size_t len)
{
	size_t i = 0, last = 0;

	if (len == 0 || !caa_alnum(p[0]))
		return 0;
	while (i < len && (caa_alnum(p[i]) || p[i] == '-')) {
		if (caa_alnum(p[i]))
			last = i;
		i++;
	}
	return last + 1;	/* a trailing run of '-' belongs to what follows (and fails there) */
}

/* issue-value (RFC 8659 §4.2).  0 ok, -1 outside the grammar. */
static int
caa_issue_value(const uint8_t *p, size_t len, struct caa_rr *rr)
{
	size_t i = 0, n, start;

	while (i < len && caa_wsp(p[i]))
		i++;
	start = i;
	if (i < len && p[i] != ';') {
		for (;;) {
			if ((n = caa_label(p + i, len - i)) == 0)
				return -1;
			i += n;
			if (i < len && p[i] == '.') {
				i++;
				continue;
			}
			break;
		}
		if (i - start > CAA_ISSUER_MAX)
			return -1;
		for (n = 0; n < i - start; n++)
			rr->issuer[n] = (char)tolower(p[start + n]);
		rr->issuer[n] = '\0';
		while (i < len && caa_wsp(p[i]))
			i++;
	}
	if (i == len)
		return 0;
	if (p[i] != ';')
		return -1;
	i++;
	for (;;) {
		while (i < len && caa_wsp(p[i]))
			i++;
		if (i == len)
			return 0;	/* ";" with no parameters, or after the last one */
		if ((n = caa_label(p + i, len - i)) == 0)
			return -1;
		i += n;
		while (i < len && caa_wsp(p[i]))
			i++;
		if (i == len || p[i] != '=')
			return -1;
		i++;
		while (i < len && caa_wsp(p[i]))
			i++;
		while (i < len && p[i] >= 0x21 && p[i] <= 0x7e && p[i] != ';')
			i++;
		rr->nparams++;
		while (i < len && caa_wsp(p[i]))
			i++;
		if (i == len)
			return 0;
		if (p[i] != ';')
			return -1;
		i++;
	}
}

enum caa_status
caa_parse(const uint8_t *p, size_t len, struct caa_rr *rr)
{
	size_t tl, i;

	memset(rr, 0, sizeof(*rr));
	rr->tag = CAA_TAG_OTHER;
	if (len < 2)
		return rr->status = CAA_SHORT;
	rr->flags = p[0];
	tl = p[1];
	if (len < 2 + tl)
		return rr->status = CAA_SHORT;
	if (tl == 0 || tl > CAA_TAG_MAX)
		return rr->status = CAA_BAD_TAG;
	for (i = 0; i < tl; i++) {
		if (!caa_alnum(p[2 + i]))
			return rr->status = CAA_BAD_TAG;
		rr->tagtext[i] = (char)tolower(p[2 + i]);
	}
	rr->tagtext[tl] = '\0';
	rr->value_len = len - 2 - tl;
	if (strcmp(rr->tagtext, "issue") == 0)
		rr->tag = CAA_TAG_ISSUE;
	else if (strcmp(rr->tagtext, "issuewild") == 0)
		rr->tag = CAA_TAG_ISSUEWILD;
	else if (strcmp(rr->tagtext, "iodef") == 0)
		rr->tag = CAA_TAG_IODEF;
	if ((rr->tag == CAA_TAG_ISSUE || rr->tag == CAA_TAG_ISSUEWILD) &&
	    caa_issue_value(p + 2 + tl, rr->value_len, rr) < 0) {
		rr->issuer[0] = '\0';
		return rr->status = CAA_BAD_VALUE;
	}
	return rr->status = CAA_OK;
}

void
caa_assess(const struct caa_rr *rr, size_t n, struct caa_set *s)
{
	size_t i, j;
	int named = 0;

	memset(s, 0, sizeof(*s));
	s->nrecords = n;
	for (i = 0; i < n; i++) {
		/* RFC 8659 §4.1: an unknown tag with Issuer Critical set forbids issuance; a
		 * malformed record tells a CA nothing it can obey either */
		if (rr[i].status != CAA_OK) {
			s->malformed++;
			if (rr[i].status != CAA_SHORT && (rr[i].flags & CAA_FLAG_CRITICAL))
				s->critical_unknown = 1;
			continue;
		}
		if (rr[i].tag == CAA_TAG_OTHER && (rr[i].flags & CAA_FLAG_CRITICAL))
			s->critical_unknown = 1;
		if (rr[i].tag == CAA_TAG_IODEF)
			s->iodef = 1;
		if (rr[i].tag != CAA_TAG_ISSUE)
			continue;
		s->nissue++;
		if (rr[i].issuer[0] == '\0')
			continue;
		named = 1;
		for (j = 0; j < s->nissuers && j < CAA_ISSUERS_MAX; j++)
			if (strcmp(s->issuers[j], rr[i].issuer) == 0)
				break;
		if (j < s->nissuers)
			continue;
		if (s->nissuers < CAA_ISSUERS_MAX)
			memcpy(s->issuers[s->nissuers], rr[i].issuer, sizeof(rr[i].issuer));
		s->nissuers++;
	}
	s->issue_none = s->nissue > 0 && !named;
}

int
caa_finding(const struct caa_result *r, const char *name, char *detail, size_t size)
{
	const struct caa_set *s = &r->set;

	switch (r->outcome) {
	case CAA_NONE:
		snprintf(detail, size, "no CAA record at %s or above it", name);
		return FINDING_CAA_ABSENT;
	case CAA_FAILED:
		snprintf(detail, size, "CAA lookup for %s failed: %s", name,
		    r->error ? r->error : resolver_status_name(r->status));
		return FINDING_CAA_LOOKUP_FAILED;
	case CAA_FOUND:
		if (s->malformed > 0 || s->critical_unknown) {
			snprintf(detail, size, "%s: %zu of %zu records malformed%s", r->owner,
			    s->malformed, s->nrecords, s->critical_unknown ?
			    ", a critical tag no CA knows: no CA may issue" : "");
			return FINDING_CAA_INVALID;
		}
		if (s->nissue == 0) {
			snprintf(detail, size, "%s: CAA records but no issue tag, so any CA may issue",
			    r->owner);
			return FINDING_CAA_ABSENT;
		}
		return -1;
	default:
		return -1;
	}
}

/* ---- Lookup: climb from the name towards the TLD (RFC 8659 §3) ------------------------- */

static void	caa_lookup_next(struct caa_lookup *);

static void
caa_lookup_finish(struct caa_lookup *l)
{
	l->done = 1;
	l->id = 0;
	l->cb(l->arg, &l->r);
}

/* The parent of l->name, or 0 when the name is already a TLD (one label). */
static int
caa_lookup_up(struct caa_lookup *l)
{
	char *dot = strchr(l->name, '.');

	if (dot == NULL || dot[1] == '\0' || strchr(dot + 1, '.') == NULL ||
	    strchr(dot + 1, '.')[1] == '\0')
		return 0;	/* "tld" or "tld." */
	memmove(l->name, dot + 1, strlen(dot + 1) + 1);
	return 1;
}

static void
caa_lookup_answer(void *arg, const struct resolver_answer *a)
{
	struct caa_lookup *l = arg;
	struct caa_rr rr[64];
	size_t i, n;

	l->id = 0;		/* this query's id is spent */
	if (l->answered != NULL) {
		*l->answered = 1;	/* called back inside resolver_query() */
		l->answered = NULL;
	}
	l->r.lookups++;
	l->r.status = a->status;
	if (a->status == RESOLVER_BOGUS || a->status == RESOLVER_INDETERMINATE) {
		l->r.outcome = CAA_FAILED;
		l->r.error = a->status == RESOLVER_BOGUS ? "DNSSEC validation failed" :
		    a->timed_out ? "timeout" : "no usable answer";
		snprintf(l->r.owner, sizeof(l->r.owner), "%s", l->name);
		caa_lookup_finish(l);
		return;
	}
	if (a->n > 0) {
		n = a->n < sizeof(rr) / sizeof(rr[0]) ? a->n : sizeof(rr) / sizeof(rr[0]);
		for (i = 0; i < n; i++)
			caa_parse(a->rdata[i], a->rdlen[i], &rr[i]);
		caa_assess(rr, n, &l->r.set);
		l->r.set.nrecords = a->n;
		l->r.outcome = CAA_FOUND;
		snprintf(l->r.owner, sizeof(l->r.owner), "%s", l->name);
		caa_lookup_finish(l);
		return;
	}
	/* empty (NODATA or NXDOMAIN): the parent's RRset is the relevant one */
	if (l->r.lookups >= CAA_CLIMB_MAX || !caa_lookup_up(l)) {
		l->r.outcome = CAA_NONE;
		caa_lookup_finish(l);
		return;
	}
	caa_lookup_next(l);
}

static void
caa_lookup_next(struct caa_lookup *l)
{
	int answered = 0, id;

	l->answered = &answered;
	id = resolver_query(l->res, l->name, CAA_RRTYPE, caa_lookup_answer, l);
	if (answered)
		return;	/* the callback ran inside: *l may be gone, touch nothing */
	l->answered = NULL;
	if (id < 0) {
		l->r.outcome = CAA_FAILED;
		l->r.error = "the name cannot be looked up";
		caa_lookup_finish(l);
		return;
	}
	l->id = id;
}

int
caa_lookup_start(struct caa_lookup *l, struct resolver *res, const char *name, caa_done_cb cb,
    void *arg)
{
	if (res == NULL || name == NULL || cb == NULL || *name == '\0')
		return -1;
	memset(l, 0, sizeof(*l));
	l->res = res;
	l->cb = cb;
	l->arg = arg;
	snprintf(l->name, sizeof(l->name), "%s", name);
	caa_lookup_next(l);
	return 0;
}

void
caa_lookup_cancel(struct caa_lookup *l)
{
	if (l->done)
		return;
	if (l->id > 0)
		resolver_cancel(l->res, l->id);
	l->id = 0;
	l->done = 1;
}
