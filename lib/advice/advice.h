/*
 * advice.h — `mailtls advise`: what to publish and configure so that the findings of a check go
 * away — TLSA records, MTA-STS and TLS-RPT records and policy, server settings for the software
 * recognised on each MX — derived from the check result alone (a pure function: no DNS, no
 * sockets, the time given).  lib/report/advice_render.c prints it; docs/internals/advice.md has
 * the rules and the setting table with its references.
 *
 * Memory: every string lives in the arena given to advice_build().
 */
#ifndef MAILTLS_ADVICE_H
#define MAILTLS_ADVICE_H

#include <stddef.h>

#include "verdict/finding.h"

struct arena;
struct check_result;
struct endpoint;

#define ADVICE_TLSA_MAX		48
#define ADVICE_SETTINGS_MAX	64
#define ADVICE_HOSTS_MAX	16
#define ADVICE_NOTES_MAX	16

enum advice_software {
	ADVICE_SW_UNKNOWN = 0,
	ADVICE_SW_POSTFIX,
	ADVICE_SW_EXIM,
	ADVICE_SW_OPENSMTPD,
	ADVICE_SW_DOVECOT,
	ADVICE_SW_PROSODY,
	ADVICE_SW_NGINX,
	ADVICE_SW_LAST
};

struct advice_tlsa {
	const char	*host;		/* the MX host */
	const char	*owner;		/* "_25._tcp.HOST." */
	const char	*rdata;		/* "3 1 1 <hex>" */
	const char	*zone_line;	/* owner, TTL, IN TLSA, rdata: one zone-file line */
	const char	*why;		/* "key in use", "next key (--next-key)", ... */
};

struct advice_setting {
	enum advice_software	 sw;
	const char		*host;		/* the MX host it is for */
	const char		*file;		/* "main.cf", "exim4.conf", "smtpd.conf", ... */
	const char		*line;		/* the setting as written in that file */
	const char		*findings;	/* the finding IDs it removes, space-separated */
	const char		*prepare;	/* a command to run before, or NULL */
};

struct advice_host {
	const char		*host;
	enum advice_software	 sw;
	const char		*recognised_by;	/* "banner", "EHLO reply", "--software", NULL */
};

struct advice {
	const char		*domain;
	/* DANE */
	int			 dane_needed;	/* some used MX without usable TLSA */
	int			 dane_blocked;	/* the MX RRset or a host's addresses are not signed */
	size_t			 ntlsa;
	struct advice_tlsa	 tlsa[ADVICE_TLSA_MAX];
	const char		*rollover;	/* two sentences */
	/* MTA-STS and TLS-RPT */
	int			 sts_needed;	/* no valid policy, or the MX set is not covered */
	const char		*sts_txt;	/* zone line for _mta-sts */
	const char		*sts_policy;	/* the policy file */
	const char		*sts_host;	/* "mta-sts.DOMAIN" */
	const char		*sts_nginx;	/* an nginx server block serving it */
	const char		*sts_enforce_when;	/* when to switch to enforce */
	int			 rpt_needed;
	const char		*rpt_txt;	/* zone line for _smtp._tls */
	/* servers */
	size_t			 nhosts;
	struct advice_host	 hosts[ADVICE_HOSTS_MAX];
	size_t			 nsettings;
	struct advice_setting	 settings[ADVICE_SETTINGS_MAX];
	size_t			 nnotes;
	const char		*notes[ADVICE_NOTES_MAX];	/* things without a setting */
};

struct advice_opts {
	long		 now;		/* for the MTA-STS id */
	const char	*next_spki;	/* SHA-256 hex of the next key's SubjectPublicKeyInfo, or NULL */
	enum advice_software force_sw;	/* ADVICE_SW_UNKNOWN: recognise */
	long		 ttl;		/* for zone lines; 0: 3600 */
};

void			 advice_build(const struct check_result *, const struct advice_opts *,
			    struct arena *, struct advice *);
/* From the greeting and EHLO reply (pure); *why says how. */
enum advice_software	 advice_recognise(const struct endpoint *, const char **why);
const char		*advice_software_name(enum advice_software);
int			 advice_software_by_name(const char *);	/* -1 if unknown */

#endif
