/*
 * rawhs.c — see rawhs.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan/rawhs.h"
#include "util/dbuf.h"

#define RAWHS_CLOSE_GRACE_MS	500	/* after a fatal alert: does the server close? */

void
rawhs_reaction_parse(const uint8_t *p, size_t len, struct rawhs_reaction *r)
{
	size_t off = 0, rl;
	enum conv_end end = r->end;

	memset(r, 0, sizeof(*r));
	r->end = end;
	while (off + 5 <= len) {
		if (p[off] < 20 || p[off] > 24 || p[off + 1] != 3) {
			r->not_tls = 1;
			return;
		}
		rl = (size_t)p[off + 3] << 8 | p[off + 4];
		if (off + 5 + rl > len)
			break;
		if (r->nrecords < RAWHS_REACTION_RECORDS) {
			struct rawhs_record *rec = &r->rec[r->nrecords];

			rec->type = p[off];
			if (p[off] == HELLO_CT_ALERT && rl == 2) {
				rec->alert_level = p[off + 5];
				rec->alert_desc = p[off + 6];
			}
		}
		r->nrecords++;
		off += 5 + rl;
	}
	r->partial = off < len;
}

int
rawhs_reaction_fatal(const struct rawhs_reaction *r)
{
	size_t i;

	for (i = 0; i < r->nrecords && i < RAWHS_REACTION_RECORDS; i++)
		if (r->rec[i].type == HELLO_CT_ALERT && r->rec[i].alert_level == 2)
			return r->rec[i].alert_desc;
	return -1;
}

int
rawhs_reaction_equal(const struct rawhs_reaction *a, const struct rawhs_reaction *b)
{
	size_t i, n;

	if (a->nrecords != b->nrecords || a->partial != b->partial || a->not_tls != b->not_tls ||
	    a->end != b->end)
		return 0;
	n = a->nrecords < RAWHS_REACTION_RECORDS ? a->nrecords : RAWHS_REACTION_RECORDS;
	for (i = 0; i < n; i++)
		if (a->rec[i].type != b->rec[i].type ||
		    a->rec[i].alert_level != b->rec[i].alert_level ||
		    a->rec[i].alert_desc != b->rec[i].alert_desc)
			return 0;
	return 1;
}

void
rawhs_reaction_format(const struct rawhs_reaction *r, char *buf, size_t size)
{
	size_t i, n, used = 0;
	int k;

	if (size == 0)
		return;
	buf[0] = '\0';
#define RAWHS_PUT(...) do { \
		k = snprintf(buf + used, size - used, __VA_ARGS__); \
		if (k < 0 || (size_t)k >= size - used) \
			return; \
		used += (size_t)k; \
	} while (0)
	if (r->not_tls)
		RAWHS_PUT("not TLS, ");
	n = r->nrecords < RAWHS_REACTION_RECORDS ? r->nrecords : RAWHS_REACTION_RECORDS;
	for (i = 0; i < n; i++) {
		const struct rawhs_record *rec = &r->rec[i];

		if (rec->type == HELLO_CT_ALERT && rec->alert_level) {
			const char *an = hello_alert_name(rec->alert_desc);

			if (an)
				RAWHS_PUT("alert %s %s, ", rec->alert_level == 2 ? "fatal" : "warning", an);
			else
				RAWHS_PUT("alert %s %u, ", rec->alert_level == 2 ? "fatal" : "warning",
				    rec->alert_desc);
		} else
			RAWHS_PUT("record type %u, ", rec->type);
	}
	if (r->nrecords > n)
		RAWHS_PUT("%zu more records, ", r->nrecords - n);
	if (r->partial)
		RAWHS_PUT("a partial record, ");
	if (r->nrecords == 0 && !r->partial && !r->not_tls)
		RAWHS_PUT("nothing, ");
	RAWHS_PUT("%s", r->end == CONV_EOF ? "then closed" : r->end == CONV_RESET ? "then reset" :
	    r->end == CONV_TIMEOUT ? "then silence" : r->end == CONV_FULL ? "then too much" :
	    "then open");
#undef RAWHS_PUT
}

int
rawhs_record(struct dbuf *out, uint8_t type, uint16_t version, const uint8_t *p, size_t len)
{
	uint8_t h[5] = { type, (uint8_t)(version >> 8), (uint8_t)version, (uint8_t)(len >> 8),
	    (uint8_t)len };

	if (len > HELLO_RECORD_MAX + 2048)
		return -1;
	if (dbuf_add(out, h, sizeof(h)) != DBUF_OK || dbuf_add(out, p, len) != DBUF_OK)
		return -1;
	return 0;
}

static int
rawhs_flight_done(const struct dbuf *in, void *arg)
{
	struct hello_server hs;
	enum hello_result r = hello_parse_server(in->data, in->len, &hs);

	hello_server_free(&hs);
	return r != HELLO_NEED_MORE;
}

int
rawhs_hello_params(struct conv *c, const struct hello_params *hp, long ms,
    struct hello_server *hs)
{
	struct dbuf hello;
	int rc = -1;

	memset(hs, 0, sizeof(*hs));
	dbuf_init(&hello, 16384);
	if (hello_build_client(&hello, hp) != HELLO_BUILD_OK ||
	    conv_send(c, hello.data, hello.len, ms) < 0)
		goto out;
	conv_until(c, rawhs_flight_done, NULL, ms);
	if (hello_parse_server(c->in.data, c->in.len, hs) == HELLO_OK &&
	    (hs->seen & HELLO_SEEN_DONE) && hs->version == hp->version)
		rc = 0;
	else
		hello_server_free(hs);
	dbuf_reset(&c->in);
out:
	dbuf_free(&hello);
	return rc;
}

void
rawhs_params(struct hello_params *hp, uint8_t rnd[32], const char *sni, uint16_t version,
    const uint16_t *suites, size_t nsuites)
{
	size_t i;

	for (i = 0; i < 32; i++)
		rnd[i] = (uint8_t)random();
	hello_params_default(hp, version, rnd);
	hp->sni = sni;
	if (nsuites > 0) {
		hp->ciphers = suites;
		hp->nciphers = nsuites;
	}
}

int
rawhs_hello(struct conv *c, const char *sni, uint16_t version, const uint16_t *suites,
    size_t nsuites, long ms, struct hello_server *hs)
{
	struct hello_params hp;
	uint8_t rnd[32];

	rawhs_params(&hp, rnd, sni, version, suites, nsuites);
	return rawhs_hello_params(c, &hp, ms, hs);
}

static int
rawhs_fatal_seen(const struct dbuf *in, void *arg)
{
	struct rawhs_reaction r;

	r.end = CONV_DATA;
	rawhs_reaction_parse(in->data, in->len, &r);
	return rawhs_reaction_fatal(&r) >= 0 || r.not_tls;
}

void
rawhs_reaction_read(struct conv *c, long ms, struct rawhs_reaction *r)
{
	enum conv_end e;

	e = conv_until(c, rawhs_fatal_seen, NULL, ms);
	if (e == CONV_DATA) {
		/* a fatal alert: the connection is over; see whether the server says so */
		e = conv_until(c, NULL, NULL, RAWHS_CLOSE_GRACE_MS);
		if (e == CONV_TIMEOUT)
			e = CONV_DATA;		/* "then open" */
	}
	r->end = e;
	rawhs_reaction_parse(c->in.data, c->in.len, r);
}
