/*
 * verdict.c — per-connection outcome and per-client verdict: pure functions of the facts.
 *
 * The order of the tests in mitm_verdict_conn() is the decision table of docs/internals/mitm.md:
 * a credential in clear outranks mail in clear, which outranks anything that happened inside the
 * attacker's TLS session; "refused" needs the attack point to have been reached.
 */
#include <stdio.h>
#include <string.h>

#include "mitm/verdict.h"
#include "util/xalloc.h"

static const char *const client_names[MITM_CLIENT_LAST] = {
	[MITM_CLIENT_SAFE] = "safe",
	[MITM_CLIENT_FALLS_BACK] = "falls_back",
	[MITM_CLIENT_BAD_CERT] = "accepts_bad_cert",
	[MITM_CLIENT_INJECTION] = "accepts_injection",
	[MITM_CLIENT_NO_TLS] = "no_tls",
	[MITM_CLIENT_UNKNOWN] = "unknown",
};

static const char *const client_meanings[MITM_CLIENT_LAST] = {
	[MITM_CLIENT_SAFE] = "Refused every attack that reached its trigger point.",
	[MITM_CLIENT_FALLS_BACK] = "Went on in clear text after STARTTLS was stripped or refused.",
	[MITM_CLIENT_BAD_CERT] = "Went on inside a TLS session with an untrusted certificate.",
	[MITM_CLIENT_INJECTION] = "Took a reply injected before the handshake as an answer inside TLS.",
	[MITM_CLIENT_NO_TLS] = "Did not ask for STARTTLS in the control run although it was offered.",
	[MITM_CLIENT_UNKNOWN] = "No attack reached its trigger point (or only the control ran).",
};

static const char *const end_names[MITM_END_LAST] = {
	[MITM_END_CLIENT_CLOSED] = "client_closed",
	[MITM_END_MITM_CLOSED] = "mitm_closed",
	[MITM_END_TIMEOUT] = "timeout",
	[MITM_END_BAD_INPUT] = "bad_input",
	[MITM_END_UPSTREAM] = "upstream_failed",
};

static const char *const tls_names[] = {
	[MITM_TLS_NONE] = "none",
	[MITM_TLS_FAILED] = "failed",
	[MITM_TLS_DONE] = "done",
};

const char *
mitm_client_verdict_name(enum mitm_client_verdict v)
{
	if ((unsigned)v >= MITM_CLIENT_LAST)
		BUG("mitm_client_verdict_name: out of range");
	return client_names[v];
}

const char *
mitm_client_verdict_meaning(enum mitm_client_verdict v)
{
	if ((unsigned)v >= MITM_CLIENT_LAST)
		BUG("mitm_client_verdict_meaning: out of range");
	return client_meanings[v];
}

const char *
mitm_end_name(enum mitm_end e)
{
	if ((unsigned)e >= MITM_END_LAST)
		BUG("mitm_end_name: out of range");
	return end_names[e];
}

const char *
mitm_tls_name(enum mitm_tls t)
{
	if ((unsigned)t > MITM_TLS_DONE)
		BUG("mitm_tls_name: out of range");
	return tls_names[t];
}

enum mitm_outcome
mitm_verdict_conn(const struct mitm_obs *o)
{
	const struct mitm_attack_info *ai = mitm_attack_info(o->attack);

	if (o->attack == MITM_ATTACK_NONE) {
		if (o->starttls_sent)
			return MITM_OUTCOME_TLS_USED;
		if (o->auth_clear)
			return MITM_OUTCOME_PLAIN_CREDENTIALS;
		if (o->mail_clear)
			return MITM_OUTCOME_PLAIN_MAIL;
		if (!o->offered || o->after_attack == 0)
			return MITM_OUTCOME_INCONCLUSIVE;	/* left before doing anything */
		return MITM_OUTCOME_TLS_UNUSED;
	}
	/* in clear text, whether or not the attack point came: exposed is exposed */
	if (o->auth_clear)
		return MITM_OUTCOME_PLAIN_CREDENTIALS;
	if (o->mail_clear)
		return MITM_OUTCOME_PLAIN_MAIL;
	if (!o->attack_reached)
		return MITM_OUTCOME_INCONCLUSIVE;
	if (ai->needs_tls) {
		/*
		 * A completed handshake alone is not acceptance: Postfix, for one, verifies the
		 * certificate after the handshake and then only says QUIT.  Accepting means going
		 * on with the dialogue inside the session.
		 */
		if (o->tls == MITM_TLS_DONE && o->tls_commands > 0) {
			if (o->attack == MITM_ATTACK_INJECT) {
				if (o->inject_taken)
					return MITM_OUTCOME_INJECT_ACCEPTED;
				return MITM_OUTCOME_INJECT_IGNORED;
			}
			if (o->auth_tls)
				return MITM_OUTCOME_CERT_CREDENTIALS;
			if (o->mail_tls)
				return MITM_OUTCOME_CERT_MAIL;
			return MITM_OUTCOME_CERT_ACCEPTED;
		}
		if (o->attack == MITM_ATTACK_INJECT)
			return MITM_OUTCOME_INCONCLUSIVE;	/* no handshake, no test */
		return o->after_attack ? MITM_OUTCOME_PLAIN_CONTINUED : MITM_OUTCOME_REFUSED;
	}
	/* HELO after a refused EHLO, then QUIT, is a refusal: only what follows HELO counts */
	if (o->after_attack)
		return MITM_OUTCOME_PLAIN_CONTINUED;
	return MITM_OUTCOME_REFUSED;
}

/* One category of bad behaviour, as the client verdict sentence names it. */
struct cat {
	int		 seen;
	int		 exposed;
	char		 ids[160];
};

static void
cat_add(struct cat *c, enum mitm_attack a, int exposed)
{
	const char *id = mitm_attack_name(a);
	size_t n = strlen(c->ids);

	if (exposed > c->exposed)
		c->exposed = exposed;
	c->seen++;
	if (strstr(c->ids, id) != NULL)
		return;
	if (n + strlen(id) + 3 < sizeof(c->ids))
		snprintf(c->ids + n, sizeof(c->ids) - n, "%s%s", n ? ", " : "", id);
}

static void
say(struct mitm_client_result *r, const char *what, const struct cat *c, const char *exp0)
{
	size_t n = strlen(r->sentence);
	static const char *const exp[] = { NULL, "mail exposed", "passwords exposed" };

	snprintf(r->sentence + n, sizeof(r->sentence) - n, "%s%s (%s): %s", n ? "; " : "", what,
	    c->ids, c->exposed ? exp[c->exposed] : exp0);
}

void
mitm_verdict_client(const enum mitm_outcome *out, const enum mitm_attack *att, size_t n,
    struct mitm_client_result *r)
{
	struct cat fall, cert, inj, notls;
	size_t i, refused = 0, tls_used = 0;

	memset(r, 0, sizeof(*r));
	memset(&fall, 0, sizeof(fall));
	memset(&cert, 0, sizeof(cert));
	memset(&inj, 0, sizeof(inj));
	memset(&notls, 0, sizeof(notls));
	r->severity = SEVERITY_INFO;
	for (i = 0; i < n; i++) {
		const struct mitm_outcome_info *oi = mitm_outcome_info(out[i]);

		if (oi->severity > r->severity)
			r->severity = oi->severity;
		if (oi->exposed > r->exposed)
			r->exposed = oi->exposed;
		switch (out[i]) {
		case MITM_OUTCOME_TLS_USED:
			tls_used++;
			break;
		case MITM_OUTCOME_TLS_UNUSED:
			cat_add(&notls, att[i], oi->exposed);
			break;
		case MITM_OUTCOME_PLAIN_CONTINUED:
		case MITM_OUTCOME_PLAIN_MAIL:
		case MITM_OUTCOME_PLAIN_CREDENTIALS:
			if (att[i] == MITM_ATTACK_NONE)
				cat_add(&notls, att[i], oi->exposed);
			else
				cat_add(&fall, att[i], oi->exposed);
			break;
		case MITM_OUTCOME_CERT_ACCEPTED:
		case MITM_OUTCOME_CERT_MAIL:
		case MITM_OUTCOME_CERT_CREDENTIALS:
			cat_add(&cert, att[i], oi->exposed);
			break;
		case MITM_OUTCOME_INJECT_ACCEPTED:
			cat_add(&inj, att[i], oi->exposed);
			break;
		case MITM_OUTCOME_REFUSED:
		case MITM_OUTCOME_INJECT_IGNORED:
			refused++;
			break;
		case MITM_OUTCOME_INCONCLUSIVE:
		case MITM_OUTCOME_LAST:
			break;
		}
	}
	if (notls.seen)
		say(r, "does not use STARTTLS even when it is offered", &notls,
		    "talks in clear text");
	if (fall.seen)
		say(r, "falls back to plaintext when STARTTLS is stripped or refused", &fall,
		    "continues in clear text");
	if (cert.seen)
		say(r, "accepts an untrusted certificate", &cert, "the session can be read");
	if (inj.seen)
		say(r, "acts on a reply injected before TLS", &inj, "replies can be forged");
	if (notls.seen)
		r->verdict = MITM_CLIENT_NO_TLS;
	else if (fall.seen)
		r->verdict = MITM_CLIENT_FALLS_BACK;
	else if (cert.seen)
		r->verdict = MITM_CLIENT_BAD_CERT;
	else if (inj.seen)
		r->verdict = MITM_CLIENT_INJECTION;
	else if (refused) {
		r->verdict = MITM_CLIENT_SAFE;
		snprintf(r->sentence, sizeof(r->sentence), "refuses: safe (%zu attack%s refused%s)",
		    refused, refused == 1 ? "" : "s",
		    tls_used ? ", STARTTLS used when offered" : "");
	} else {
		r->verdict = MITM_CLIENT_UNKNOWN;
		snprintf(r->sentence, sizeof(r->sentence), "%s",
		    tls_used ? "uses STARTTLS when offered; no attack reached a verdict" :
		    "no verdict: no attack reached its trigger point");
	}
}
