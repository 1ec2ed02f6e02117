/*
 * pins.h — pins from the scan history for `mailtls policyd --pin-from-history`: per destination,
 * the public key (or, where the report lacks it, the certificate) each MX host served on port 25
 * in the newest finished scan stored by `mailtls scan` (lib/store), read through store_rows()
 * from the stored per-domain JSON report (docs/report-schema.md).  A domain's pins are *usable*
 * when some MX of that scan has a complete pin (an MX without one defers), the scan is younger than the table's max age and
 * no pinned certificate expires within POLICY_PINS_EXPIRY_MARGIN_S.  policy_decide() turns usable
 * pins into a Postfix `fingerprint` policy wherever nothing published applies, whatever MX set
 * the live lookup shows: an MX host without a pin then defers (row P8h, docs/internals/policy.md).
 *
 * The risk, said wherever the option is: a pin is no commitment by the receiver.  When it rolls
 * its key or certificate, or adds an MX host, mail to it defers until a new scan and a reload.
 *
 * Memory: the table owns its entries (malloc'ed, freed by policy_pins_free()); at most
 * POLICY_PINS_DOMAINS_MAX domains, newest scans first.
 */
#ifndef MAILTLS_PINS_H
#define MAILTLS_PINS_H

#include <stddef.h>

#include "policy/policy.h"

#define POLICY_PINS_DOMAINS_MAX	1000000	/* domains held (with or without a usable pin) */
#define POLICY_PINS_MX_MAX	16	/* MX hosts per domain (CHECK_MX_MAX) */
#define POLICY_PINS_MAX_AGE_S	(30L * 86400)	/* --pin-max-age default: a scan older is no pin */
#define POLICY_PINS_EXPIRY_MARGIN_S (7L * 86400)	/* a pinned certificate expiring sooner: no pin */
#define POLICY_PINS_CLOCK_SKEW_S (86400L)	/* a scan finished later than now + this: no pin */

struct store;
struct policy_pins;

struct policy_pin_mx {
	char		*host;			/* lower case, no trailing dot */
	size_t		 npin;			/* 0: no complete pin (see pins.c) */
	long long	 not_after;		/* earliest notAfter of the pinned certificates
						   (seconds since the epoch); 0: unknown */
	char		 pin[POLICY_PINS_PER_MX][POLICY_PIN_HEX + 1];
	/* where the pins come from: the domain's scan, or, for an MX that scan could not pin, the
	   newest earlier scan that pinned it (its age checked against --pin-max-age on its own) */
	long long	 from_t;		/* that scan's finished time; 0: unreadable */
	int		 borrowed;		/* 1: from an earlier scan */
	char		 from[40];		/* its finished text */
};

struct policy_pin_domain {
	char			*domain;
	char			*finished;	/* when the scan stored it (the store's text) */
	long long		 finished_t;	/* the same in seconds since the epoch; 0: unreadable */
	long long		 run;
	size_t			 nmx;
	struct policy_pin_mx	 mx[POLICY_PINS_MX_MAX];
	struct policy_pin_domain *next;		/* hash chain */
};

struct policy_pins	*policy_pins_new(void);
void			 policy_pins_free(struct policy_pins *);	/* NULL is fine */

/*
 * One stored report (the JSON text of a store row): its MX hosts and the digests their port-25
 * endpoints served.  Pure.  Returns 0 and fills *out (strings malloc'ed; policy_pin_domain_clear
 * frees them) or -1 when the text is not a report.  An MX gets pins only when some address
 * completed TLS with a certificate and no reached address went without (pins.c).
 */
int			 policy_pins_parse(const char *json, struct policy_pin_domain *out);
void			 policy_pin_domain_clear(struct policy_pin_domain *);

/* The oldest scan a pin is taken from, in seconds (default POLICY_PINS_MAX_AGE_S). */
void			 policy_pins_set_max_age(struct policy_pins *, long seconds);
/*
 * The clock a scan's date is judged by while rows are added: one dated more than
 * POLICY_PINS_CLOCK_SKEW_S beyond it is chosen only when the domain has no other (it would be
 * refused; a genuine older scan is not lost to it).  policy_pins_load() sets it; 0: none.
 */
void			 policy_pins_set_clock(struct policy_pins *, long long now);

/*
 * Whether the domain's pins are usable at now: NULL when they are, else why not (written into
 * buf): no MX of the scan with a complete pin, the scan older than the max age or finished more
 * than POLICY_PINS_CLOCK_SKEW_S after now, a pinned certificate expired or expiring within
 * POLICY_PINS_EXPIRY_MARGIN_S.  *expired is set to 1
 * when the reason is age or expiry (the pin source ran out), 0 otherwise; expired may be NULL.
 */
const char		*policy_pins_refusal(const struct policy_pins *,
			    const struct policy_pin_domain *, long long now, int *expired,
			    char *buf, size_t size);

/*
 * The MX hosts of the scan without a complete pin (they keep none; the others keep theirs),
 * written into buf with why, or NULL when every MX has one.
 */
const char		*policy_pins_partial(const struct policy_pin_domain *, char *buf,
			    size_t size);

/*
 * Told at load of each domain whose pins are refused (partial 0), and of each whose pins are
 * usable but leave out an MX the scan could not pin (partial 1): domain, why.
 */
typedef void		 policy_pins_log_fn(void *arg, const char *domain, int partial,
			    const char *why);

/*
 * Reads every run of the store, newest first; a domain's newest finished scan wins.  Returns the
 * number of domains with usable pins at now, or -1 with a message in err.  log (may be NULL)
 * hears every domain refused, and every one with an MX left without a pin.
 */
long			 policy_pins_load(struct policy_pins *, struct store *, long long now,
			    policy_pins_log_fn *log, void *logarg, char *err, size_t errlen);
/* Adds (or, when finished is newer, replaces) one row; for the loader and tests. */
int			 policy_pins_add(struct policy_pins *, const char *json, long long run,
			    const char *finished);
size_t			 policy_pins_count(const struct policy_pins *);	/* domains held */

/* The domain's entry (case-insensitive, trailing dot ignored), or NULL. */
const struct policy_pin_domain *policy_pins_find(const struct policy_pins *, const char *domain);

/*
 * When the domain's pins are usable at now: sets facts->history, the domain's stored pins (every
 * MX of the scan: facts->hist_pin) and the pins of each live MX found in the scan (mx[] is
 * facts->mx, writable; an MX not in it keeps none), and returns 1.  0 when the table or the
 * domain has none; -1 when they are refused, with why in buf (policy_pins_refusal()).
 */
int			 policy_pins_apply(const struct policy_pins *, long long now,
			    struct policy_facts *, struct policy_mx_facts *mx, char *buf,
			    size_t size);

#endif
