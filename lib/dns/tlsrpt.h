/*
 * tlsrpt.h — the SMTP TLS Reporting TXT record at _smtp._tls.<domain> (RFC 8460 §3).
 *
 * Pure functions: no I/O, no globals.  Memory: tlsrpt_record_parse() carves the rua array and
 * every URI string from the caller's arena; nothing it returns is freed on its own.
 */
#ifndef MAILTLS_TLSRPT_H
#define MAILTLS_TLSRPT_H

#include <stddef.h>

struct arena;

#define TLSRPT_RUA_MAX		16	/* URIs we keep; more are checked, then dropped (TLSRPT_F_RUA_TRUNCATED) */
#define TLSRPT_URI_MAX		2048	/* bytes in one URI */

enum tlsrpt_status {
	TLSRPT_OK = 0,
	TLSRPT_ERR_NO_RECORD,		/* no TXT string starts with v=TLSRPTv1 */
	TLSRPT_ERR_MULTIPLE_RECORDS,	/* more than one does */
	TLSRPT_ERR_VERSION,		/* record does not start with v=TLSRPTv1 */
	TLSRPT_ERR_SYNTAX,		/* delimiter, stray whitespace or character */
	TLSRPT_ERR_RUA_MISSING,
	TLSRPT_ERR_URI_EMPTY,		/* "rua=" with nothing, or an empty list item */
	TLSRPT_ERR_URI_BAD,		/* not an RFC 3986 URI, an unencoded "," "!" ";", or (no
					   usable URI) a mailto: without address, https: without host */
	TLSRPT_ERR_URI_SCHEME,		/* no usable URI, the first has a scheme other than mailto: and https: */
	TLSRPT_ERR_URI_TOO_LONG,	/* over TLSRPT_URI_MAX */
	TLSRPT_ERR_EXT_BAD,		/* extension name or value outside the grammar */
	TLSRPT_STATUS_LAST
};

enum tlsrpt_scheme {
	TLSRPT_SCHEME_MAILTO = 0,
	TLSRPT_SCHEME_HTTPS,
	TLSRPT_SCHEME_LAST
};

/* Notes on a valid record. */
#define TLSRPT_F_DUP_FIELD	0x01	/* rua (or v) given twice; first kept */
#define TLSRPT_F_UNKNOWN_KEY	0x02	/* extension field, ignored */
#define TLSRPT_F_URI_SKIPPED	0x04	/* a valid URI we cannot send to (other scheme, no address) */
#define TLSRPT_F_RUA_TRUNCATED	0x08	/* more than TLSRPT_RUA_MAX usable URIs; the rest dropped */
#define TLSRPT_F_LAST		0x10

struct tlsrpt_uri {
	enum tlsrpt_scheme	 scheme;
	const char		*uri;		/* as written, NUL-terminated, arena-owned */
};

struct tlsrpt_record {
	struct tlsrpt_uri	*rua;		/* nrua entries, arena-owned */
	size_t			 nrua;
	size_t			 next;		/* extension fields seen */
	unsigned int		 flags;		/* TLSRPT_F_* */
	enum tlsrpt_status	 status;	/* same as returned */
	size_t			 err_off;	/* byte offset of the error in the input */
};

/* txt is the record's strings already concatenated, len bytes; NUL not needed. */
enum tlsrpt_status	 tlsrpt_record_parse(const char *, size_t, struct arena *,
			    struct tlsrpt_record *);

/*
 * Of n TXT strings (lens[i] bytes each, or strlen when lens is NULL) pick the one starting with
 * "v=TLSRPTv1" (followed by end, WSP or ';').  Exactly one must; on TLSRPT_OK *idx is its index.
 */
enum tlsrpt_status	 tlsrpt_record_select(const char *const *, const size_t *, size_t,
			    size_t *);

const char		*tlsrpt_status_name(enum tlsrpt_status);
const char		*tlsrpt_scheme_name(enum tlsrpt_scheme);
const char		*tlsrpt_flag_name(unsigned int);	/* one TLSRPT_F_* bit */

#endif
