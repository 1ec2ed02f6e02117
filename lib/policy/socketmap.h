/*
 * socketmap.h — the Sendmail socketmap protocol as Postfix speaks it (socketmap_table(5),
 * Postfix dict_sockmap.c): every message is a netstring "LEN:DATA," (D. J. Bernstein's netstring
 * format); a request's DATA is "NAME KEY", a reply's is "OK DATA", "NOTFOUND ", "TEMP REASON",
 * "TIMEOUT REASON" or "PERM REASON".
 *
 * Pure functions over (buf, len): no I/O, no globals, no allocation.  Every byte comes from a
 * client and is untrusted: the length is bounded before its digits end, so a peer cannot make
 * us wait for (or buffer) more than the ceiling the caller gives.
 */
#ifndef MAILTLS_SOCKETMAP_H
#define MAILTLS_SOCKETMAP_H

#include <stddef.h>

/*
 * A request: the map name, a space and a key.  Postfix's keys for smtp_tls_policy_maps are
 * next-hop domains (at most 253 octets) or [host]:port; 1000 bytes leave room for any of them.
 */
#define SOCKETMAP_REQUEST_MAX	1000
#define SOCKETMAP_NAME_MAX	64	/* a map name (the last field of socketmap:...:NAME) */
#define SOCKETMAP_REPLY_MAX	2048	/* what we ever send, framing included */

enum socketmap_status {
	SOCKETMAP_OK = 0,
	SOCKETMAP_NEED_MORE,		/* a valid prefix: read more bytes */
	SOCKETMAP_ERR_LENGTH,		/* no digit, a leading zero, or a non-digit before ':' */
	SOCKETMAP_ERR_TOO_LONG,		/* the announced length is over the ceiling */
	SOCKETMAP_ERR_TERMINATOR,	/* the byte after DATA is not ',' */
	SOCKETMAP_ERR_NO_SPACE,		/* request without "NAME KEY" */
	SOCKETMAP_ERR_NAME,		/* empty, too long, or not printable */
	SOCKETMAP_ERR_KEY,		/* empty or holding a control character or space */
	SOCKETMAP_STATUS_LAST
};

enum socketmap_reply {
	SOCKETMAP_REPLY_OK = 0,
	SOCKETMAP_REPLY_NOTFOUND,
	SOCKETMAP_REPLY_TEMP,
	SOCKETMAP_REPLY_TIMEOUT,
	SOCKETMAP_REPLY_PERM,
	SOCKETMAP_REPLY_LAST
};

struct socketmap_request {
	const char	*name;		/* points into the caller's buffer; not NUL-terminated */
	size_t		 name_len;
	const char	*key;
	size_t		 key_len;
};

/*
 * The netstring at the start of buf[0..len).  On SOCKETMAP_OK, data and data_len give its payload
 * (inside buf) and consumed the bytes of the whole netstring; a payload longer than max is
 * SOCKETMAP_ERR_TOO_LONG as soon as the digits say so.  Errors are final: the stream cannot be
 * resynchronised, so the caller closes the connection.
 */
enum socketmap_status	socketmap_netstring_parse(const char *buf, size_t len, size_t max,
			    const char **data, size_t *data_len, size_t *consumed);

/* "NAME KEY": split at the first space; the name printable ASCII, the key free of controls. */
enum socketmap_status	socketmap_request_parse(const char *data, size_t len,
			    struct socketmap_request *);

/*
 * The netstring of a reply into out[0..size): "OK text", "NOTFOUND ", "TEMP text", ...  Bytes
 * of text outside printable ASCII become '?'.  Returns the length, or -1 when it does not fit.
 */
int			socketmap_reply_format(char *out, size_t size, enum socketmap_reply,
			    const char *text);

/*
 * A smtp_tls_policy_maps key as a domain name: lower case, without a final dot, into out.
 * Returns 0, or -1 for anything else — "[host]:port", an address, a ".parent" pattern, a name
 * that breaks RFC 1035 lengths or holds characters outside letters, digits, '-', '_' and '.'.
 */
int			socketmap_key_domain(const char *key, size_t len, char *out, size_t size);

const char		*socketmap_status_name(enum socketmap_status);
const char		*socketmap_reply_name(enum socketmap_reply);

#endif
