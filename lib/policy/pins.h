/*
 * pins.h — pins from the scan history for `mailtls policyd --pin-from-history`: per destination,
 * the public key (or, where the report lacks it, the certificate) each MX host served on port 25
 * in the newest finished scan stored by `mailtls scan` (lib/store), read through store_rows()
 * from the stored per-domain JSON report (docs/report-schema.md).  policy_decide() turns them
 * into a Postfix `fingerprint` policy only where nothing published applies and every used MX has
 * one (row P8h, docs/internals/policy.md).
 *
 * The risk, said wherever the option is: a pin is no commitment by the receiver.  When it rolls
 * its key or certificate, or adds an MX host, mail to it defers until a new scan and a restart.
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

struct store;
struct policy_pins;

struct policy_pin_mx {
	char		*host;			/* lower case, no trailing dot */
	size_t		 npin;			/* 0: no complete pin (see pins.c) */
	char		 pin[POLICY_PINS_PER_MX][POLICY_PIN_HEX + 1];
};

struct policy_pin_domain {
	char			*domain;
	char			*finished;	/* when the scan stored it (the store's text) */
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

/*
 * Reads every run of the store, newest first; a domain's newest finished scan wins.  Returns the
 * number of domains with a pin for every stored used MX, or -1 with a message in err.
 */
long			 policy_pins_load(struct policy_pins *, struct store *, char *err,
			    size_t errlen);
/* Adds (or, when finished is newer, replaces) one row; for the loader and tests. */
int			 policy_pins_add(struct policy_pins *, const char *json, long long run,
			    const char *finished);
size_t			 policy_pins_count(const struct policy_pins *);	/* domains held */

/* The domain's entry (case-insensitive, trailing dot ignored), or NULL. */
const struct policy_pin_domain *policy_pins_find(const struct policy_pins *, const char *domain);

/*
 * Fills the pins of each MX in facts from the domain's entry and sets facts->history; nothing
 * when the table or the domain has none.  mx[] is facts->mx, writable.
 */
void			 policy_pins_apply(const struct policy_pins *, struct policy_facts *,
			    struct policy_mx_facts *mx);

#endif
