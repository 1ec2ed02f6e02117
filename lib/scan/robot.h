/*
 * robot.h — the ROBOT test (Return Of Bleichenbacher's Oracle Threat; CVE-2017-13099 and its
 * siblings; Böck, Somorovsky, Young, USENIX Security 2018): does the server's reaction to an
 * RSA ClientKeyExchange depend on whether the decrypted block is PKCS#1 v1.5-conformant?
 *
 * Five ClientKeyExchange messages per round, one connection each, all followed by
 * ChangeCipherSpec and a Finished the server cannot verify (so a conformant block fails later,
 * at the Finished, and a careful server fails every variant at that same point):
 *
 *   ROBOT_V_GOOD          00 02 <nonzero padding> 00 <version> <46 bytes>: conformant
 *   ROBOT_V_BAD_PREFIX    41 17 ... instead of 00 02
 *   ROBOT_V_ZERO_LATE     00 02, the 00 separator two bytes before the end (2-byte secret)
 *   ROBOT_V_NO_ZERO       00 02 and no separator at all
 *   ROBOT_V_BAD_VERSION   conformant, but the secret names version 02 02
 *
 * The RSA encryption itself is OpenSSL's (EVP_PKEY_encrypt without padding); only the block is
 * ours.  Design, decision and connection count: docs/internals/vuln-checks.md.
 */
#ifndef MAILTLS_ROBOT_H
#define MAILTLS_ROBOT_H

#include <stddef.h>
#include <stdint.h>

#include "probe/probe.h"
#include "scan/rawhs.h"
#include "scan/tlsenum.h"

enum robot_variant {
	ROBOT_V_GOOD,
	ROBOT_V_BAD_PREFIX,
	ROBOT_V_ZERO_LATE,
	ROBOT_V_NO_ZERO,
	ROBOT_V_BAD_VERSION,
	ROBOT_V_LAST
};

enum robot_result {
	ROBOT_NOT_TESTED = 0,
	ROBOT_NOT_APPLICABLE,	/* no RSA key exchange accepted (or no RSA certificate) */
	ROBOT_NOT_VULNERABLE,	/* every variant got the same reaction */
	ROBOT_WEAK_ORACLE,	/* only conformant blocks are told apart, in both rounds */
	ROBOT_STRONG_ORACLE,	/* a block starting 00 02 is told apart from one that does not */
	ROBOT_INCONCLUSIVE,	/* reactions changed between rounds, or a handshake failed */
	ROBOT_LAST
};

#define ROBOT_ROUNDS	2
#define ROBOT_RSA_MAX	1024	/* bytes of modulus we handle (8192-bit keys) */

struct robot_report {
	enum robot_result	 result;
	uint16_t		 version;	/* wire version tested */
	uint16_t		 suite;		/* the RSA suite the server chose */
	unsigned int		 rounds;	/* rounds run: 1 when round 1 was uniform */
	struct rawhs_reaction	 reaction[ROBOT_ROUNDS][ROBOT_V_LAST];
	int			 connections;
	char			 detail[256];
};

/*
 * The padded block for a variant, k bytes (the modulus length, 64..ROBOT_RSA_MAX), from k bytes
 * of the caller's randomness.  Pure.  -1 when k is out of range.
 */
int			 robot_block(enum robot_variant, uint16_t version, const uint8_t *rnd,
			    size_t k, uint8_t *out);
/*
 * ClientKeyExchange(enc) + ChangeCipherSpec + Finished(40 bytes of fin) as records at
 * `version`, appended to out.  Pure.
 */
int			 robot_flight(struct dbuf *out, uint16_t version, const uint8_t *enc, size_t k,
			    const uint8_t fin[40]);
/* The verdict from the reactions of `rounds` rounds (1 or 2).  Pure. */
enum robot_result	 robot_decide(const struct rawhs_reaction r[ROBOT_ROUNDS][ROBOT_V_LAST],
			    unsigned int rounds);
const char		*robot_result_name(enum robot_result);
const char		*robot_variant_name(enum robot_variant);

/* The test on the wire; rep->result is NOT_APPLICABLE without an accepted RSA suite. */
void			 robot_run(struct event_base *, const struct probe_params *,
			    const struct tlsenum_report *, long wait_ms, struct robot_report *rep);

#endif
