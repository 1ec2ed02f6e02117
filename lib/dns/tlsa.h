/*
 * tlsa.h — TLSA resource records (RFC 6698 §2.1) as DANE for SMTP sees them (RFC 7672).
 *
 * tlsa_parse() is a pure function over one record's RDATA: no I/O, no state kept.  The parsed
 * record points into the caller's RDATA, so the RDATA must outlive it.  Full(0) data is decoded
 * with OpenSSL exactly as SSL_dane_tlsa_add() will decode it, and freed before returning, so a
 * record is TLSA_OK exactly when OpenSSL's DANE verifier would accept it
 * (docs/internals/tlsa-usability.md).
 */
#ifndef MAILTLS_TLSA_H
#define MAILTLS_TLSA_H

#include <stddef.h>
#include <stdint.h>

/* Wire values; each enum ends at the first value we do not know. */
enum tlsa_usage {
	TLSA_USAGE_PKIX_TA = 0,
	TLSA_USAGE_PKIX_EE = 1,
	TLSA_USAGE_DANE_TA = 2,
	TLSA_USAGE_DANE_EE = 3,
	TLSA_USAGE_LAST
};

enum tlsa_selector {
	TLSA_SELECTOR_CERT = 0,
	TLSA_SELECTOR_SPKI = 1,
	TLSA_SELECTOR_LAST
};

enum tlsa_mtype {
	TLSA_MTYPE_FULL = 0,
	TLSA_MTYPE_SHA256 = 1,
	TLSA_MTYPE_SHA512 = 2,
	TLSA_MTYPE_LAST
};

#define TLSA_SHA256_LEN	32
#define TLSA_SHA512_LEN	64

/*
 * Outcome of parsing one record: OK, or why it is malformed.  Every value but TLSA_OK is a reason
 * for which SSL_dane_tlsa_add() refuses the record (returns 0), checked in the same order.
 */
enum tlsa_status {
	TLSA_OK = 0,
	TLSA_TOO_SHORT,		/* fewer than the 3 fixed octets */
	TLSA_BAD_USAGE,		/* usage not 0..3 (255 PrivCert counts as unknown) */
	TLSA_BAD_SELECTOR,	/* selector not 0..1 */
	TLSA_BAD_MTYPE,		/* matching type not 0..2 */
	TLSA_BAD_DIGEST_LEN,	/* SHA2-256 data not 32 octets, SHA2-512 not 64 */
	TLSA_EMPTY_DATA,	/* Full(0) with no data */
	TLSA_BAD_CERT,		/* Cert(0) Full(0): not one DER certificate, or bytes after it */
	TLSA_BAD_CERT_KEY,	/* Cert(0) Full(0): a certificate whose public key does not decode */
	TLSA_BAD_SPKI,		/* SPKI(1) Full(0): not one DER SubjectPublicKeyInfo OpenSSL can
				   decode (unknown algorithm, bad key, bytes after it) */
	TLSA_DATA_TOO_LONG,	/* more than INT_MAX octets: OpenSSL takes an int length (never from
				   DNS, whose RDATA stops at 65535) */
	TLSA_STATUS_LAST
};

struct tlsa_rr {
	uint8_t			 usage;		/* raw wire value; compare with enum tlsa_usage */
	uint8_t			 selector;	/* raw; enum tlsa_selector */
	uint8_t			 mtype;		/* raw; enum tlsa_mtype */
	const uint8_t		*data;		/* certificate association data, in the RDATA */
	size_t			 datalen;
	enum tlsa_status	 status;	/* same as tlsa_parse() returned */
};

/* Why a record is or is not usable for SMTP (RFC 7672 §3.1). */
enum tlsa_smtp {
	TLSA_SMTP_USABLE = 0,		/* DANE-TA(2) or DANE-EE(3), well formed */
	TLSA_SMTP_UNUSABLE_PKIX,	/* PKIX-TA(0) / PKIX-EE(1): unusable on SMTP */
	TLSA_SMTP_UNUSABLE_MALFORMED,	/* status != TLSA_OK: OpenSSL would refuse it too */
	TLSA_SMTP_LAST
};

/*
 * Rollover readiness of an RRset, after internet.nl: one usable record works today but leaves no
 * room to roll the key; two or more allow a rollover; "3 x x" next to "2 x x" survives both a
 * key and a CA change.
 */
enum tlsa_rollover {
	TLSA_ROLLOVER_NONE_USABLE = 0,
	TLSA_ROLLOVER_SINGLE,		/* exactly one distinct usable record */
	TLSA_ROLLOVER_MULTIPLE,		/* more than one, all of the same usage */
	TLSA_ROLLOVER_EE_TA_PAIR,	/* usable DANE-EE and usable DANE-TA together */
	TLSA_ROLLOVER_LAST
};

struct tlsa_set_health {
	size_t			 total;		/* records examined */
	size_t			 malformed;	/* status != TLSA_OK */
	size_t			 pkix;		/* well formed but usage 0/1 */
	size_t			 usable;	/* usable records, duplicates included */
	size_t			 distinct_usable; /* usable records, each distinct RDATA once */
	size_t			 dane_ee;	/* distinct usable 3 x x */
	size_t			 dane_ta;	/* distinct usable 2 x x */
	size_t			 duplicates;	/* records identical to an earlier one */
	int			 multiple_usable; /* distinct_usable > 1 */
	int			 ee_ta_pair;	/* dane_ee > 0 && dane_ta > 0 */
	enum tlsa_rollover	 rollover;
};

enum tlsa_status	 tlsa_parse(const uint8_t *, size_t, struct tlsa_rr *);
enum tlsa_smtp		 tlsa_usable_smtp(const struct tlsa_rr *);
void			 tlsa_set_assess(const struct tlsa_rr *, size_t,
			    struct tlsa_set_health *);

/*
 * Presentation format "3 1 1 abcd…" (lower-case hex) into buf, always NUL-terminated when
 * size > 0.  Returns the length the full text needs, like snprintf: >= size means truncated.
 */
size_t			 tlsa_format(const struct tlsa_rr *, char *, size_t);

/* Name tables (stable tokens for text and JSON); out-of-range values give "unknown". */
const char		*tlsa_usage_name(unsigned int);
const char		*tlsa_selector_name(unsigned int);
const char		*tlsa_mtype_name(unsigned int);
const char		*tlsa_status_name(enum tlsa_status);
const char		*tlsa_smtp_name(enum tlsa_smtp);
const char		*tlsa_rollover_name(enum tlsa_rollover);

#endif
