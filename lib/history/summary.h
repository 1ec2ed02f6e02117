/*
 * summary.h — one stored check report as a row of the scan report's table, and the counts of a
 * run (the overview's charts) and of every run (adoption and failures over time).  PURE: JSON in,
 * strings and counts out; lib/report/report_scan.c only renders what this decides.
 */
#ifndef MAILTLS_HISTORY_SUMMARY_H
#define MAILTLS_HISTORY_SUMMARY_H

#include <jansson.h>

struct summary_row {
	char	 domain[256];
	char	 verdict[32];		/* protected, NOT protected, at risk, no mail, indeterminate */
	char	 protection[24];	/* dane, mta-sts, mta-sts-testing, none, indeterminate */
	char	 dnssec[16];
	char	 dane[16];		/* all, partial, none */
	char	 mta_sts[16];		/* enforce, testing, none (mode), invalid, absent */
	char	 tlsrpt[16];		/* valid, invalid, absent */
	char	 best_tls[16], worst_tls[16];	/* "-" when no TLS */
	char	 pfs[8];		/* yes, no, - */
	char	 cert_valid[8];		/* yes, no, - */
	char	 starttls_mandatory[24];	/* yes (DANE), yes (MTA-STS), no */
	char	 grade[8];		/* "-" without --full */
	char	 worst_finding[96];	/* "high dane.absent" */
	int	 readable;		/* an attacker can read: 1, 0, -1 unknown */
};

enum summary_count {
	SUM_DOMAINS = 0, SUM_READABLE,
	SUM_DANE_ALL, SUM_DANE_PARTIAL, SUM_DANE_NONE,
	SUM_STS_ENFORCE, SUM_STS_TESTING, SUM_STS_NONE_MODE, SUM_STS_INVALID, SUM_STS_ABSENT,
	SUM_RPT_VALID, SUM_RPT_INVALID, SUM_RPT_ABSENT,
	SUM_V_DANE, SUM_V_STS, SUM_V_STS_TESTING, SUM_V_NONE, SUM_V_NOMAIL, SUM_V_INDET,
	SUM_TLS13, SUM_TLS12, SUM_TLS11, SUM_TLS10, SUM_TLS_NONE,
	SUM_G_APLUS, SUM_G_A, SUM_G_AMINUS, SUM_G_B, SUM_G_C, SUM_G_D, SUM_G_E, SUM_G_F, SUM_G_T,
	SUM_G_NONE,
	SUM_LAST
};

struct summary_counts {
	long long	 run;
	char		 when[32];	/* the newest report's `generated` */
	long		 n[SUM_LAST];
};

extern const char *const summary_count_labels[SUM_LAST];

/* -1 when the report is not a check report */
int	summary_row(json_t *report, struct summary_row *);
void	summary_add(struct summary_counts *, const struct summary_row *, json_t *report);

#endif
