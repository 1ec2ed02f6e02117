/*
 * rdata.h — decoding the RDATA of the record types mailtls looks up: A, AAAA (RFC 1035 §3.4.1,
 * RFC 3596 §2.2), MX, CNAME, TXT (RFC 1035 §3.3).
 *
 * Pure functions over (buf, len): no I/O, no allocation, no globals.  Input is one record's RDATA
 * as libunbound hands it out (struct resolver_answer.rdata): domain names inside it are
 * uncompressed, so a compression pointer is malformed here.  Output goes to a caller's buffer,
 * always NUL-terminated when the buffer has room for at least one byte, also on error.
 */
#ifndef MAILTLS_RDATA_H
#define MAILTLS_RDATA_H

#include <stddef.h>
#include <stdint.h>

#define RDATA_NAME_WIRE_MAX	255	/* RFC 1035 §2.3.4: a name, length octets included */
#define RDATA_LABEL_MAX		63
/*
 * Presentation form of the longest name: every octet may need "\DDD", plus the dots.  Buffers of
 * this size never give RDATA_NO_SPACE for a name.
 */
#define RDATA_NAME_TEXT_MAX	(RDATA_NAME_WIRE_MAX * 4 + 1)
#define RDATA_ADDR_TEXT_MAX	46	/* INET6_ADDRSTRLEN */

enum rdata_status {
	RDATA_OK = 0,
	RDATA_SHORT,		/* RDATA ends inside a field */
	RDATA_TRAILING,		/* octets left over after the last field */
	RDATA_BAD_LENGTH,	/* A not 4 octets, AAAA not 16 */
	RDATA_BAD_LABEL,	/* label type 01/10/11 (compression pointer, extended label) */
	RDATA_NAME_TOO_LONG,	/* more than 255 octets on the wire */
	RDATA_NO_SPACE,		/* output buffer too small */
	RDATA_STATUS_LAST
};

const char		*rdata_status_name(enum rdata_status);

/*
 * One uncompressed wire name at the start of (buf, len) to presentation form with a trailing dot
 * ("mx.example.", the root as "."), letter case kept as sent.  Inside a label, [0-9A-Za-z*_-] stay
 * as they are, other printable ASCII gets a backslash ("\.", "\\", "\;"), everything else becomes
 * "\DDD".  *used (may be NULL) gets the wire length consumed, so more fields can follow the name.
 */
enum rdata_status	 rdata_name(const uint8_t *, size_t, size_t *used, char *, size_t);

/* A and AAAA: exactly 4 / 16 octets, to dotted-quad / RFC 5952 text. */
enum rdata_status	 rdata_a(const uint8_t *, size_t, char *, size_t);
enum rdata_status	 rdata_aaaa(const uint8_t *, size_t, char *, size_t);

/* MX: preference and exchange name (the name exactly fills the RDATA). */
enum rdata_status	 rdata_mx(const uint8_t *, size_t, uint16_t *pref, char *, size_t);

/* CNAME: the target name (exactly fills the RDATA). */
enum rdata_status	 rdata_cname(const uint8_t *, size_t, char *, size_t);

/*
 * TXT: the character-strings concatenated, unchanged (RFC 7208 §3.3, RFC 8461 §3.1: a record split
 * into strings means the same as one string).  The content may hold any octet including NUL, so
 * its length comes back in *outlen; out is NUL-terminated after it, which needs outlen + 1 octets
 * (RDATA_NO_SPACE otherwise).  An empty RDATA is RDATA_SHORT: a TXT record has at least one
 * string, which may be empty.
 */
enum rdata_status	 rdata_txt(const uint8_t *, size_t, char *out, size_t size, size_t *outlen);

#endif
