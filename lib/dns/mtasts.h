/*
 * mtasts.h — MTA-STS (RFC 8461): the _mta-sts TXT record (§3.1), the policy file (§3.2), MX
 * pattern matching (§4.1) and the policy's Content-Type (§3.3).
 *
 * Pure functions: no I/O, no globals.  The caller fetches; these only judge bytes.
 * Memory: mtasts_policy_parse() carves every string from the caller's arena; nothing it returns
 * is freed on its own.  struct mtasts_record holds its id inline.
 */
#ifndef MAILTLS_MTASTS_H
#define MAILTLS_MTASTS_H

#include <stddef.h>
#include <stdint.h>

struct arena;

/* Ceilings on peer input; going over is a status, never a crash or unbounded memory. */
#define MTASTS_ID_MAX		32		/* §3.1: 1*32(ALPHA / DIGIT) */
#define MTASTS_POLICY_MAX	65536		/* body bytes (64 KiB) */
/*
 * RFC 8461 sets no limit on mx lines, so neither do we beyond the body's: the shortest is "mx:a"
 * and a terminator, so a body within MTASTS_POLICY_MAX cannot hold more than this.
 */
#define MTASTS_MX_MAX		(MTASTS_POLICY_MAX / 5 + 1)
#define MTASTS_MAX_AGE_MAX	31557600	/* §3.2: one year */

/* Outcome of any parse here: OK, or why the input is invalid.  One name table. */
enum mtasts_status {
	MTASTS_OK = 0,
	/* TXT record, §3.1 */
	MTASTS_ERR_NO_RECORD,		/* no TXT string starts with v=STSv1 */
	MTASTS_ERR_MULTIPLE_RECORDS,	/* more than one does */
	MTASTS_ERR_VERSION,		/* record does not start with v=STSv1 */
	MTASTS_ERR_SYNTAX,		/* delimiter, stray whitespace or character */
	MTASTS_ERR_ID_MISSING,
	MTASTS_ERR_ID_BAD,		/* empty, longer than 32, not alphanumeric */
	MTASTS_ERR_EXT_BAD,		/* extension name or value outside the grammar */
	/* policy file, §3.2 */
	MTASTS_ERR_TOO_BIG,		/* body over MTASTS_POLICY_MAX */
	MTASTS_ERR_LINE_SYNTAX,		/* no "key:", bad key or a control character */
	MTASTS_ERR_VERSION_MISSING,
	MTASTS_ERR_VERSION_BAD,		/* version other than STSv1 */
	MTASTS_ERR_MODE_MISSING,
	MTASTS_ERR_MODE_BAD,		/* not enforce / testing / none */
	MTASTS_ERR_MAX_AGE_MISSING,
	MTASTS_ERR_MAX_AGE_BAD,		/* not 1*10DIGIT */
	MTASTS_ERR_MAX_AGE_RANGE,	/* digits, but over 31557600 */
	MTASTS_ERR_MX_MISSING,		/* no mx while mode is enforce or testing */
	MTASTS_ERR_MX_BAD,		/* mx not ["*."] Domain */
	MTASTS_STATUS_LAST
};

enum mtasts_mode {
	MTASTS_MODE_UNSET = 0,
	MTASTS_MODE_ENFORCE,
	MTASTS_MODE_TESTING,
	MTASTS_MODE_NONE,
	MTASTS_MODE_LAST
};

/* Things a valid record or policy may still carry; a report may show them as notes. */
#define MTASTS_F_DUP_FIELD	0x01	/* a field other than mx given twice; first kept */
#define MTASTS_F_UNKNOWN_KEY	0x02	/* extension / unknown key, ignored */
#define MTASTS_F_LF_ONLY	0x04	/* some line ended in bare LF (allowed by the ABNF) */
#define MTASTS_F_BLANK_LINE	0x08	/* an empty line between fields (tolerated) */
#define MTASTS_F_NO_FINAL_EOL	0x10	/* last line has no terminator (allowed) */
#define MTASTS_F_LAST		0x20

struct mtasts_record {
	char			 id[MTASTS_ID_MAX + 1];	/* NUL-terminated */
	size_t			 next;		/* extension fields seen */
	unsigned int		 flags;		/* MTASTS_F_* */
	enum mtasts_status	 status;	/* same as returned */
	size_t			 err_off;	/* byte offset of the error in the input */
};

struct mtasts_policy {
	enum mtasts_mode	 mode;
	uint64_t		 max_age;	/* valid when max_age_set; may exceed the cap on error */
	int			 max_age_set;
	const char		**mx;		/* nmx patterns as written, arena-owned */
	size_t			 nmx;
	unsigned int		 flags;		/* MTASTS_F_* */
	enum mtasts_status	 status;	/* same as returned */
	size_t			 err_line;	/* 1-based line of the error; 0 if not one line's */
};

/* The TXT record: txt is the record's strings already concatenated; len bytes, NUL not needed. */
enum mtasts_status	 mtasts_record_parse(const char *, size_t, struct mtasts_record *);

/*
 * Of the n TXT strings found at _mta-sts.<domain> (lens[i] bytes each, or strlen when lens is
 * NULL), pick the one starting with "v=STSv1" (followed by end, WSP or ';').  Exactly one must;
 * on MTASTS_OK *idx is its index.  Does not parse it: call mtasts_record_parse() next.
 */
enum mtasts_status	 mtasts_record_select(const char *const *, const size_t *, size_t,
			    size_t *);

/* The policy body, len bytes (need not be NUL-terminated). */
enum mtasts_status	 mtasts_policy_parse(const char *, size_t, struct arena *,
			    struct mtasts_policy *);

/* §4.1: 1 when mxhost matches pattern ("mx.example.com" or "*.example.com"), else 0. */
int			 mtasts_mx_match(const char *, const char *);

/* The first of policy's patterns that mxhost matches, or NULL. */
const char		*mtasts_policy_matches(const struct mtasts_policy *, const char *);

/* 1 when an HTTP Content-Type value is text/plain, with or without parameters. */
int			 mtasts_content_type_ok(const char *);

const char		*mtasts_status_name(enum mtasts_status);
const char		*mtasts_mode_name(enum mtasts_mode);
const char		*mtasts_flag_name(unsigned int);	/* one MTASTS_F_* bit */

#endif
