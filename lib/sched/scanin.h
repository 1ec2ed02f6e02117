/*
 * scanin.h — the lines of a scan's input list: one domain per line, or CSV as the public top
 * lists ship it (Tranco, Umbrella: "rank,domain"; Majestic: a header naming the columns).
 *
 * A pure parser over (line, len): no I/O, no globals; the only state is what the first lines
 * taught it (the format, the columns), kept in struct scanin.  Every byte is untrusted: a line
 * that is not a domain is an error with a reason, never a crash, and never ends the run.
 * Duplicates are not detected here (that needs the whole list; the store does it on disk).
 */
#ifndef MAILTLS_SCANIN_H
#define MAILTLS_SCANIN_H

#include <stddef.h>

#define SCANIN_LINE_MAX		4096	/* longer lines are errors (the reader skips the rest) */
#define SCANIN_NAME_MAX		253	/* RFC 1035 §2.3.4, text form without the trailing dot */
#define SCANIN_COLS_MAX		64
#define SCANIN_ERR_MAX		160

enum scanin_kind {
	SCANIN_DOMAIN = 0,	/* out.domain (and out.rank) are set */
	SCANIN_SKIP,		/* blank, comment, CSV header */
	SCANIN_ERROR,		/* out.error says why */
	SCANIN_LAST
};

enum scanin_format {
	SCANIN_AUTO = 0,	/* decided by the first line that is not blank or a comment */
	SCANIN_PLAIN,		/* one domain per line */
	SCANIN_CSV,		/* comma-separated (or ';' / tab, as the first line shows) */
};

struct scanin {
	enum scanin_format	 format;
	char			 sep;		/* CSV separator */
	int			 domain_col;	/* 0-based; -1: not decided yet */
	int			 rank_col;	/* -1: detect, -2: none */
	int			 decided;	/* the first data line has been seen */
};

struct scanin_line {
	enum scanin_kind	 kind;
	char			 domain[SCANIN_NAME_MAX + 1];	/* A-labels, lower case, no trailing dot */
	long			 rank;		/* -1 when the list has none */
	int			 idn;		/* the line had U-labels (converted) */
	char			 error[SCANIN_ERR_MAX];
};

/* format SCANIN_AUTO to detect; domain_col -1 / rank_col -1 to detect, rank_col -2: no rank. */
void		 scanin_init(struct scanin *, enum scanin_format, int domain_col, int rank_col);
enum scanin_kind scanin_parse(struct scanin *, const char *line, size_t len, struct scanin_line *);
/*
 * One name: IDN U-labels to A-labels (IDNA2008 with UTS #46 mapping, libidn2), lower case, the
 * trailing dot dropped, every label checked (letters, digits, hyphens; 1-63 octets), at least two
 * labels.  0, or -1 with the reason in err.
 */
int		 scanin_domain(const char *s, size_t len, char *out, size_t outlen, int *idn,
		    char *err, size_t errlen);
const char	*scanin_kind_name(enum scanin_kind);
/* A short, printable quote of untrusted bytes for a message: ASCII kept, every other byte '?',
   cut with "..." to fit outlen (NUL included). */
void		 scanin_quote(const char *s, size_t len, char *out, size_t outlen);

#endif
