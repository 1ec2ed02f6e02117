/*
 * ccs.h — the early ChangeCipherSpec test (CVE-2014-0224, "CCS injection"): does the server
 * accept a ChangeCipherSpec before any key exchange, when no key has been agreed yet?  A
 * vulnerable OpenSSL (before 0.9.8za, 1.0.0m, 1.0.1h) switches to keys derived from an empty
 * master secret, which a man-in-the-middle can compute.
 *
 * One connection at the highest version <= TLS 1.2: ClientHello, the server's first flight,
 * then ChangeCipherSpec followed at once by one handshake record of random bytes (a stand-in
 * for an encrypted Finished).  A patched server refuses the CCS itself (unexpected_message); a
 * vulnerable one takes it and then fails to decrypt the next record (bad_record_mac or
 * decryption_failed).  Decision table: docs/internals/vuln-checks.md.
 */
#ifndef MAILTLS_CCS_H
#define MAILTLS_CCS_H

#include "probe/probe.h"
#include "scan/rawhs.h"
#include "scan/tlsenum.h"

enum ccs_result {
	CCS_NOT_TESTED = 0,
	CCS_NOT_APPLICABLE,	/* nothing below TLS 1.3 accepted */
	CCS_NOT_VULNERABLE,	/* the early CCS was refused (an alert other than a MAC failure, or a close) */
	CCS_VULNERABLE,		/* accepted: the record after it failed to decrypt */
	CCS_INCONCLUSIVE,	/* no flight, or silence */
	CCS_LAST
};

struct ccs_report {
	enum ccs_result		 result;
	uint16_t		 version;
	struct rawhs_reaction	 reaction;
	int			 connections;
	char			 detail[256];
};

/* The verdict from the reaction (pure). */
enum ccs_result	 ccs_judge(const struct rawhs_reaction *);
/* ChangeCipherSpec + a 48-byte handshake record of `junk` at version, appended (pure). */
int		 ccs_records(struct dbuf *out, uint16_t version, const uint8_t junk[48]);
const char	*ccs_result_name(enum ccs_result);
void		 ccs_run(struct event_base *, const struct probe_params *,
		    const struct tlsenum_report *, long wait_ms, struct ccs_report *rep);

#endif
