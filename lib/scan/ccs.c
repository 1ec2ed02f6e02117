/*
 * ccs.c — see ccs.h.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include "scan/ccs.h"
#include "util/dbuf.h"

#define CCS_ALERT_UNEXPECTED_MESSAGE	10
#define CCS_ALERT_BAD_RECORD_MAC	20
#define CCS_ALERT_DECRYPTION_FAILED	21

static const char *const ccs_result_names[CCS_LAST] = {
	[CCS_NOT_TESTED] = "not_tested",
	[CCS_NOT_APPLICABLE] = "not_applicable",
	[CCS_NOT_VULNERABLE] = "not_vulnerable",
	[CCS_VULNERABLE] = "vulnerable",
	[CCS_INCONCLUSIVE] = "inconclusive",
};

const char *
ccs_result_name(enum ccs_result r)
{
	return (unsigned)r < CCS_LAST ? ccs_result_names[r] : "?";
}

enum ccs_result
ccs_judge(const struct rawhs_reaction *r)
{
	int fatal = rawhs_reaction_fatal(r);

	if (fatal == CCS_ALERT_BAD_RECORD_MAC || fatal == CCS_ALERT_DECRYPTION_FAILED)
		return CCS_VULNERABLE;
	if (fatal >= 0)
		return CCS_NOT_VULNERABLE;	/* unexpected_message, or any other refusal */
	if (r->not_tls)
		return CCS_INCONCLUSIVE;
	if (r->end == CONV_EOF || r->end == CONV_RESET)
		return CCS_NOT_VULNERABLE;	/* closed without a word: refused */
	return CCS_INCONCLUSIVE;		/* silence, or only warnings */
}

int
ccs_records(struct dbuf *out, uint16_t version, const uint8_t junk[48])
{
	const uint8_t ccs = 1;

	if (rawhs_record(out, HELLO_CT_CCS, version, &ccs, 1) < 0 ||
	    rawhs_record(out, HELLO_CT_HANDSHAKE, version, junk, 48) < 0)
		return -1;
	return 0;
}

void
ccs_run(struct event_base *base, const struct probe_params *pp,
    const struct tlsenum_report *r, long wait_ms, struct ccs_report *rep)
{
	struct hello_server hs;
	struct conv c;
	struct dbuf out;
	uint8_t junk[48];
	char what[128];
	int v;

	memset(rep, 0, sizeof(*rep));
	for (v = TLSENUM_TLS12; v >= TLSENUM_TLS10; v--)
		if (r->v[v].supported == TLSENUM_YES && r->v[v].nsuites > 0)
			break;
	if (v < TLSENUM_TLS10) {
		rep->result = CCS_NOT_APPLICABLE;
		snprintf(rep->detail, sizeof(rep->detail), "no TLS version below 1.3 accepted");
		return;
	}
	rep->version = tlsenum_version_wire((enum tlsenum_version)v);
	rep->result = CCS_INCONCLUSIVE;
	rep->connections = 1;
	dbuf_init(&out, 256);
	if (conv_open(&c, base, pp, HELLO_FLIGHT_MAX + 4096) < 0 ||
	    rawhs_hello(&c, pp->refname, rep->version, r->v[v].suites, r->v[v].nsuites,
	    pp->tls_ms, &hs) < 0) {
		snprintf(rep->detail, sizeof(rep->detail), "%s: no complete first flight",
		    hello_version_name(rep->version));
		goto out;
	}
	hello_server_free(&hs);
	if (RAND_bytes(junk, sizeof(junk)) != 1 || ccs_records(&out, rep->version, junk) < 0 ||
	    conv_send(&c, out.data, out.len, pp->tls_ms) < 0) {
		snprintf(rep->detail, sizeof(rep->detail), "could not send the ChangeCipherSpec");
		goto out;
	}
	rawhs_reaction_read(&c, wait_ms, &rep->reaction);
	rep->result = ccs_judge(&rep->reaction);
	rawhs_reaction_format(&rep->reaction, what, sizeof(what));
	snprintf(rep->detail, sizeof(rep->detail), "%s, ChangeCipherSpec before the key exchange: %s",
	    hello_version_name(rep->version), what);
out:
	dbuf_free(&out);
	conv_close(&c);
}
