/*
 * pins.c — pins from the scan history (pins.h): the stored reports, newest first, as per-MX
 * fingerprints, and a table policyd looks destinations up in.
 *
 * What makes an MX's pin complete (docs/internals/policy.md, row P8h): in that scan, at least
 * one of its port-25 addresses completed TLS and showed a certificate, and none that answered
 * went without TLS or a certificate (Postfix at the fingerprint level would defer there).
 * Addresses not reached in the scan are left out: mail through them defers, Postfix tries the
 * next one.  The public key digest is pinned when the report has it (a certificate renewed on
 * the same key still matches, as Postfix compares both: postconf(5)); else the certificate's.
 *
 * What makes a domain's pins usable (policy_pins_refusal): at least one MX of the scan complete
 * (an MX without a complete pin keeps none: under the fingerprint answer mail to it defers, like
 * an unpinned live MX, while the others keep theirs; so an attacker active during one scan
 * against one MX cannot erase the domain's pin for a whole scan interval), the scan younger than
 * --pin-max-age and not ahead of the clock by more than POLICY_PINS_CLOCK_SKEW_S, and no pinned
 * certificate expired or expiring within POLICY_PINS_EXPIRY_MARGIN_S (a renewal soon may bring a
 * new key: certbot makes one at every renewal by default).  All of
 * it comes from the stored scan and the clock, nothing from the live lookup, so an attacker who
 * forges the MX RRset cannot make usable pins unusable.
 */
#include <ctype.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "policy/pins.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/xalloc.h"

/* buckets at the start; the table doubles when it holds more domains than buckets */
#define PINS_BUCKETS_MIN	64

struct policy_pins {
	struct policy_pin_domain	**b;
	size_t				 nb;		/* buckets, a power of two */
	size_t				 n;
	long				 max_age_s;	/* --pin-max-age */
	long long			 load_now;	/* policy_pins_load()'s clock: a scan dated
							   beyond it is chosen only when no other is */
};

/* distinct keys a 1 KiB match= holds: "AB:..:EF" (95 characters) and "|" each */
#define PINS_KEYS_MAX	(POLICY_MATCH_MAX / (POLICY_PIN_HEX / 2 * 3))

/* lower case, no trailing dot, into out (size 256); -1 when it does not fit or is empty */
static int
pins_norm(const char *in, char *out, size_t size)
{
	size_t n = in ? strlen(in) : 0, i;

	while (n > 0 && in[n - 1] == '.')
		n--;
	if (n == 0 || n >= size)
		return -1;
	for (i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[n] = '\0';
	return 0;
}

static size_t
pins_hash(const char *s, size_t nb)
{
	size_t h = 1469598103934665603ULL;	/* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h & (nb - 1);
}

/* twice the buckets, every entry relinked: amortised O(1) per add */
static void
pins_grow(struct policy_pins *t)
{
	size_t nb = t->nb * 2, i, h;
	struct policy_pin_domain **b = xcalloc(nb, sizeof(*b)), *d, *next;

	for (i = 0; i < t->nb; i++)
		for (d = t->b[i]; d != NULL; d = next) {
			next = d->next;
			h = pins_hash(d->domain, nb);
			d->next = b[h];
			b[h] = d;
		}
	free(t->b);
	t->b = b;
	t->nb = nb;
}

struct policy_pins *
policy_pins_new(void)
{
	struct policy_pins *t = xcalloc(1, sizeof(*t));

	t->nb = PINS_BUCKETS_MIN;
	t->b = xcalloc(t->nb, sizeof(*t->b));
	t->max_age_s = POLICY_PINS_MAX_AGE_S;
	return t;
}

void
policy_pins_set_max_age(struct policy_pins *t, long seconds)
{
	t->max_age_s = seconds;
}

void
policy_pins_set_clock(struct policy_pins *t, long long now)
{
	t->load_now = now;
}

/* "YYYY-MM-DDTHH:MM:SSZ" (the store's and the report's form) as seconds; 0 when not that */
static long long
pins_time(const char *s)
{
	struct tm tm;
	int y, mo, d, h, mi, se, n = 0;

	if (s == NULL || strlen(s) != 20 ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &se, &n) != 6 || n != 20 ||
	    mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60 || y < 1970)
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	return (long long)timegm(&tm);
}

void
policy_pin_domain_clear(struct policy_pin_domain *d)
{
	size_t i;

	free(d->domain);
	free(d->finished);
	for (i = 0; i < d->nmx; i++)
		free(d->mx[i].host);
	memset(d, 0, sizeof(*d));
}

void
policy_pins_free(struct policy_pins *t)
{
	size_t i;
	struct policy_pin_domain *d, *next;

	if (t == NULL)
		return;
	for (i = 0; i < t->nb; i++)
		for (d = t->b[i]; d != NULL; d = next) {
			next = d->next;
			policy_pin_domain_clear(d);
			free(d);
		}
	free(t->b);
	free(t);
}

static int
pins_hex_ok(const char *s)
{
	return s != NULL && strlen(s) == POLICY_PIN_HEX &&
	    strspn(s, "0123456789abcdefABCDEF") == POLICY_PIN_HEX;
}

/*
 * The digest to pin for an endpoint row: its key's, else its certificate's; NULL if neither.
 * *not_after: the certificate's notAfter, 0 when the report does not give it.
 */
static const char *
pins_ep_digest(const struct store_domain_rec *r, const struct store_ep_rec *e,
    long long *not_after)
{
	size_t j;

	*not_after = 0;
	if (e->cert_sha256 == NULL)
		return NULL;
	for (j = 0; j < r->ncert; j++)
		if (r->cert[j].sha256 && strcmp(r->cert[j].sha256, e->cert_sha256) == 0) {
			*not_after = pins_time(r->cert[j].not_after);
			if (pins_hex_ok(r->cert[j].spki_sha256))
				return r->cert[j].spki_sha256;
			break;
		}
	return pins_hex_ok(e->cert_sha256) ? e->cert_sha256 : NULL;
}

int
policy_pins_parse(const char *json, struct policy_pin_domain *out)
{
	json_t *rep = json ? json_loads(json, 0, NULL) : NULL;
	struct arena *a = NULL;
	struct store_domain_rec r;
	char name[256];
	size_t i, j, k;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (rep == NULL)
		return -1;
	a = arena_new();
	if (store_domain_rec(rep, a, &r) < 0 || pins_norm(r.domain, name, sizeof(name)) < 0)
		goto out;
	out->domain = xstrdup(name);
	for (i = 0; i < r.nmx && out->nmx < POLICY_PINS_MX_MAX; i++) {
		struct policy_pin_mx *m;
		int bad = 0;

		if (r.mx[i].use == NULL || strcmp(r.mx[i].use, "used") != 0 ||
		    pins_norm(r.mx[i].host, name, sizeof(name)) < 0)
			continue;
		m = &out->mx[out->nmx++];
		m->host = xstrdup(name);
		for (j = 0; j < r.nep && !bad; j++) {
			const struct store_ep_rec *e = &r.ep[j];
			char eh[256];
			const char *dg;
			long long na;

			if (e->port != 25 || (e->proto && strcmp(e->proto, "smtp") != 0) ||
			    pins_norm(e->host, eh, sizeof(eh)) < 0 || strcmp(eh, m->host) != 0 ||
			    !e->connected)
				continue;
			if (!e->tls || (dg = pins_ep_digest(&r, e, &na)) == NULL) {
				bad = 1;	/* an address Postfix would defer at: no pin */
				break;
			}
			if (na != 0 && (m->not_after == 0 || na < m->not_after))
				m->not_after = na;
			for (k = 0; k < m->npin; k++)
				if (strcasecmp(m->pin[k], dg) == 0)
					break;
			if (k < m->npin)
				continue;
			if (m->npin == POLICY_PINS_PER_MX) {
				bad = 1;	/* more keys than a pin holds */
				break;
			}
			for (k = 0; k < POLICY_PIN_HEX; k++)
				m->pin[m->npin][k] = (char)tolower((unsigned char)dg[k]);
			m->pin[m->npin][POLICY_PIN_HEX] = '\0';
			m->npin++;
		}
		if (bad)
			m->npin = 0;
	}
	rc = 0;
out:
	if (rc < 0)
		policy_pin_domain_clear(out);
	arena_free(a);
	json_decref(rep);
	return rc;
}

/* an MX's pins count now: it has some and the scan they come from is within --pin-max-age */
static int
pins_mx_ok(const struct policy_pins *t, const struct policy_pin_mx *m, long long now)
{
	return m->npin > 0 && m->from_t != 0 && m->from_t - now <= POLICY_PINS_CLOCK_SKEW_S &&
	    now - m->from_t <= t->max_age_s;
}

/*
 * Each MX of the newer scan that it could not pin takes the older scan's pins for the same host
 * (their own or borrowed in turn): an attacker active during one scan (STARTTLS stripped, no
 * certificate) no longer leaves the MX, or a single-MX domain, without a pin.
 */
static void
pins_borrow(struct policy_pin_domain *newer, const struct policy_pin_domain *older)
{
	size_t i, j;

	for (i = 0; i < newer->nmx; i++) {
		struct policy_pin_mx *m = &newer->mx[i];

		if (m->npin > 0 && !m->borrowed)
			continue;
		for (j = 0; j < older->nmx; j++) {
			const struct policy_pin_mx *o = &older->mx[j];

			/* rows come in run order: a borrowed pin gives way to a newer scan's */
			if (o->npin == 0 || strcmp(o->host, m->host) != 0 ||
			    (m->npin > 0 && o->from_t <= m->from_t))
				continue;
			memcpy(m->pin, o->pin, sizeof(m->pin));
			m->npin = o->npin;
			m->not_after = o->not_after;
			m->from_t = o->from_t;
			memcpy(m->from, o->from, sizeof(m->from));
			m->borrowed = 1;
			break;
		}
	}
}

/* dated beyond the loading clock (a wrong clock or a forged row): it would never age */
static int
pins_future(const struct policy_pins *t, const struct policy_pin_domain *d)
{
	return t->load_now != 0 && d->finished_t - t->load_now > POLICY_PINS_CLOCK_SKEW_S;
}

static int
pins_unfilled(const struct policy_pin_domain *d)
{
	size_t i;

	for (i = 0; i < d->nmx; i++)
		if (d->mx[i].npin == 0 || d->mx[i].borrowed)
			return 1;	/* an older row may fill it, or fill it newer */
	return 0;
}

const char *
policy_pins_refusal(const struct policy_pins *t, const struct policy_pin_domain *d,
    long long now, int *expired, char *buf, size_t size)
{
	size_t i, npinned = 0;
	int dummy;

	if (expired == NULL)
		expired = &dummy;
	*expired = 0;
	if (d->nmx == 0) {
		snprintf(buf, size, "no MX host in the scan of %s", d->finished);
		return buf;
	}
	for (i = 0; i < d->nmx; i++)
		npinned += pins_mx_ok(t, &d->mx[i], now);
	if (npinned == 0 && d->finished_t != 0 && d->finished_t - now <= POLICY_PINS_CLOCK_SKEW_S &&
	    now - d->finished_t <= t->max_age_s) {
		snprintf(buf, size, "no MX host had a complete pin in the scan of %s (an address "
		    "without TLS or a certificate, or more keys than a pin holds), nor in an earlier "
		    "one within --pin-max-age", d->finished);
		return buf;
	}
	*expired = 1;
	/* a time ahead of the clock (beyond POLICY_PINS_CLOCK_SKEW_S) would never age */
	if (d->finished_t == 0 || d->finished_t - now > POLICY_PINS_CLOCK_SKEW_S ||
	    now - d->finished_t > t->max_age_s) {
		snprintf(buf, size, "the scan of %s is %s --pin-max-age (%ld days)",
		    d->finished[0] ? d->finished : "(unknown time)", d->finished_t != 0 &&
		    d->finished_t - now > POLICY_PINS_CLOCK_SKEW_S ? "in the future: no age for" :
		    "older than", t->max_age_s / 86400);
		return buf;
	}
	for (i = 0; i < d->nmx; i++)
		if (pins_mx_ok(t, &d->mx[i], now) && d->mx[i].not_after != 0 &&
		    d->mx[i].not_after - now < POLICY_PINS_EXPIRY_MARGIN_S) {
			char when[32];
			time_t na = (time_t)d->mx[i].not_after;
			struct tm tm;

			gmtime_r(&na, &tm);
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
			snprintf(buf, size, "the certificate %s served in the scan of %s %s %s "
			    "(a pin ends %ld days before: a renewal may bring a new key)",
			    d->mx[i].host, d->finished, d->mx[i].not_after < now ? "expired" :
			    "expires", when, POLICY_PINS_EXPIRY_MARGIN_S / 86400);
			return buf;
		}
	*expired = 0;
	{
		size_t j, k, l, m, ndistinct = 0;

		for (j = 0; j < d->nmx; j++)
			for (k = 0; pins_mx_ok(t, &d->mx[j], now) && k < d->mx[j].npin; k++) {
				int seen = 0;

				for (l = 0; l <= j && !seen; l++)
					for (m = 0; pins_mx_ok(t, &d->mx[l], now) && !seen &&
					    m < (l == j ? k : d->mx[l].npin); m++)
						seen = strcasecmp(d->mx[l].pin[m], d->mx[j].pin[k]) == 0;
				ndistinct += !seen;
			}
		if (ndistinct > PINS_KEYS_MAX) {
			snprintf(buf, size, "the scan of %s pinned %zu distinct keys, more than a 1 KiB "
			    "match= holds (%d)", d->finished, ndistinct, (int)PINS_KEYS_MAX);
			return buf;
		}
	}
	return NULL;
}

const char *
policy_pins_partial(const struct policy_pin_domain *d, char *buf, size_t size)
{
	size_t i, have = 0;
	int k;

	buf[0] = '\0';
	for (i = 0; i < d->nmx; i++) {
		if (d->mx[i].npin > 0 && !d->mx[i].borrowed)
			continue;
		k = snprintf(buf + have, size - have, "%s%s", have ? ", " : "", d->mx[i].host);
		if (k < 0 || (size_t)k >= size - have)
			return buf;
		have += (size_t)k;
		if (d->mx[i].borrowed) {
			k = snprintf(buf + have, size - have, " (pinned from the scan of %s)",
			    d->mx[i].from);
			if (k < 0 || (size_t)k >= size - have)
				return buf;
			have += (size_t)k;
		}
	}
	if (have == 0)
		return NULL;
	k = snprintf(buf + have, size - have, " had no complete pin in the scan of %s (an address "
	    "without TLS or a certificate, or more keys than a pin holds): each takes its pin from "
	    "the newest earlier scan within --pin-max-age that had one, or without one mail to it "
	    "defers; the other MX hosts keep their pins", d->finished);
	(void)k;
	return buf;
}

static struct policy_pin_domain *
pins_lookup(const struct policy_pins *t, const char *name)
{
	struct policy_pin_domain *d;

	for (d = t->b[pins_hash(name, t->nb)]; d != NULL; d = d->next)
		if (strcmp(d->domain, name) == 0)
			return d;
	return NULL;
}

int
policy_pins_add(struct policy_pins *t, const char *json, long long run, const char *finished)
{
	struct policy_pin_domain nd, *d;
	struct policy_pin_domain *next;
	size_t h;

	if (policy_pins_parse(json, &nd) < 0)
		return -1;
	nd.run = run;
	nd.finished = xstrdup(finished ? finished : "");
	nd.finished_t = pins_time(finished);
	for (h = 0; h < nd.nmx; h++) {
		nd.mx[h].from_t = nd.finished_t;
		snprintf(nd.mx[h].from, sizeof(nd.mx[h].from), "%s", nd.finished);
	}
	d = pins_lookup(t, nd.domain);
	if (d != NULL) {
		/*
		 * the newest finished scan wins; runs are read newest first, so ties keep the
		 * first; an MX it could not pin takes the older scan's pin (pins_borrow())
		 */
		if (pins_future(t, &nd) > pins_future(t, d) ||
		    (pins_future(t, &nd) == pins_future(t, d) &&
		    strcmp(nd.finished, d->finished) <= 0)) {
			if (!pins_future(t, &nd))
				pins_borrow(d, &nd);
			policy_pin_domain_clear(&nd);
			return 0;
		}
		if (!pins_future(t, d))
			pins_borrow(&nd, d);
		next = d->next;
		policy_pin_domain_clear(d);
		*d = nd;
		d->next = next;
		return 0;
	}
	if (t->n >= POLICY_PINS_DOMAINS_MAX) {
		policy_pin_domain_clear(&nd);
		return 1;	/* the ceiling: older scans are left out */
	}
	if (t->n >= t->nb)
		pins_grow(t);
	d = xcalloc(1, sizeof(*d));
	*d = nd;
	h = pins_hash(d->domain, t->nb);
	d->next = t->b[h];
	t->b[h] = d;
	t->n++;
	return 0;
}

size_t
policy_pins_count(const struct policy_pins *t)
{
	return t ? t->n : 0;
}

const struct policy_pin_domain *
policy_pins_find(const struct policy_pins *t, const char *domain)
{
	char name[256];

	if (t == NULL || pins_norm(domain, name, sizeof(name)) < 0)
		return NULL;
	return pins_lookup(t, name);
}

struct pins_load {
	struct policy_pins	*t;
	long			 bad;
};

static int
pins_row(void *arg, const struct store_row *row)
{
	struct pins_load *l = arg;
	char name[256];
	const struct policy_pin_domain *d;

	/* parse only what can change the table: a domain not held, or held from an older scan */
	if (pins_norm(row->domain, name, sizeof(name)) == 0 &&
	    (d = pins_lookup(l->t, name)) != NULL && !pins_unfilled(d) && !pins_future(l->t, d) &&
	    strcmp(row->finished ? row->finished : "", d->finished) <= 0)
		return 0;
	if (policy_pins_add(l->t, row->json, row->run, row->finished) < 0)
		l->bad++;
	return 0;
}

long
policy_pins_load(struct policy_pins *t, struct store *st, long long now, policy_pins_log_fn *log,
    void *logarg, char *err, size_t errlen)
{
	struct pins_load l = { t, 0 };
	int64_t run, latest;
	const struct policy_pin_domain *d;
	long usable = 0;
	size_t i;

	t->load_now = now;
	if (store_run_latest(st, &latest) < 0) {
		snprintf(err, errlen, "%s", store_error(st));
		return -1;
	}
	for (run = latest; run >= 1; run--)
		if (store_rows(st, run, pins_row, &l) < 0) {
			snprintf(err, errlen, "%s", store_error(st));
			return -1;
		}
	for (i = 0; i < t->nb; i++)
		for (d = t->b[i]; d != NULL; d = d->next) {
			char why[512];
			int expired;

			if (policy_pins_refusal(t, d, now, &expired, why, sizeof(why)) == NULL) {
				usable++;
				if (log != NULL && policy_pins_partial(d, why, sizeof(why)))
					log(logarg, d->domain, 1, why);
			} else if (log != NULL)
				log(logarg, d->domain, 0, why);
		}
	return usable;
}

int
policy_pins_apply(const struct policy_pins *t, long long now, struct policy_facts *f,
    struct policy_mx_facts *mx, char *buf, size_t size)
{
	const struct policy_pin_domain *d = policy_pins_find(t, f->domain);
	size_t i, j, k;

	if (d == NULL)
		return 0;
	if (policy_pins_refusal(t, d, now, NULL, buf, size) != NULL)
		return -1;
	f->history = 1;
	f->nhist_pin = 0;
	for (j = 0; j < d->nmx; j++)
		for (k = 0; pins_mx_ok(t, &d->mx[j], now) && k < d->mx[j].npin &&
		    f->nhist_pin < POLICY_HIST_PINS_MAX; k++)
			f->hist_pin[f->nhist_pin++] = d->mx[j].pin[k];
	for (i = 0; i < f->nmx; i++) {
		char h[256];

		mx[i].npin = 0;
		if (pins_norm(mx[i].host, h, sizeof(h)) < 0)
			continue;
		for (j = 0; j < d->nmx; j++)
			if (strcmp(d->mx[j].host, h) == 0) {
				if (!pins_mx_ok(t, &d->mx[j], now))
					break;
				for (k = 0; k < d->mx[j].npin; k++)
					mx[i].pin[k] = d->mx[j].pin[k];
				mx[i].npin = d->mx[j].npin;
				break;
			}
	}
	return 1;
}
