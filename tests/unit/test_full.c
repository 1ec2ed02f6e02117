/*
 * test_full.c — a scan's shared enumeration (lib/scan/full.c): the scratch copy depends on no
 * other memory, detaching keeps only what the enumeration added, and applying it to a domain's
 * endpoint gives what full_enumerate() on that endpoint would (findings once per ID, in order,
 * up to the ceiling; connections added), graded per domain.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "probe/probe.h"
#include "scan/full.h"
#include "util/arena.h"

static struct endpoint *
probed_endpoint(struct arena *a)
{
	struct endpoint *ep = endpoint_new(a, "mx.example", "192.0.2.1", 25, ENDPOINT_PROTO_SMTP,
	    "mx.example");
	struct endpoint_cert *c = arena_alloc(a, sizeof(*c));

	memset(c, 0, sizeof(*c));
	c->subject = "CN=mx.example";
	c->chain_valid = 0;
	c->chain_error = arena_strdup(a, "unable to get local issuer certificate");
	c->name_match = 1;
	ep->cert = c;
	ep->connected = 1;
	ep->starttls_offered = 1;
	ep->tls_established = 1;
	ep->connections = 1;
	ep->banner = "mx.example ESMTP";
	endpoint_finding(ep, a, FINDING_TLS_OK, "TLSv1.3");
	endpoint_finding(ep, a, FINDING_CERT_UNTRUSTED, "no issuer");
	return ep;
}

static void
test_scratch_detach_apply(void **state)
{
	struct arena *pa = arena_new(), *ea = arena_new(), *da = arena_new();
	struct endpoint *probed = probed_endpoint(pa), *scratch, *mine;
	struct scan_result *res;

	(void)state;
	scratch = arena_alloc(ea, sizeof(*scratch));
	full_scratch(scratch, probed, ea);
	/* what the enumeration reads, in its own arena */
	assert_string_equal(scratch->refname, "mx.example");
	assert_ptr_not_equal(scratch->refname, probed->refname);
	assert_int_equal(scratch->starttls_offered, 1);
	assert_non_null(scratch->cert);
	assert_ptr_not_equal(scratch->cert, probed->cert);
	assert_ptr_not_equal(scratch->cert->chain_error, probed->cert->chain_error);
	assert_null(scratch->cert->subject);
	assert_null(scratch->banner);
	assert_int_equal(scratch->nfindings, 0);
	assert_int_equal(scratch->connections, 0);

	/* an enumeration: its result, connections, findings (one the probe had already) */
	res = arena_alloc(ea, sizeof(*res));
	memset(res, 0, sizeof(*res));
	res->connections = 37;
	scratch->scan = res;
	scratch->connections = 37;
	scratch->cmd_injection = PROBE_PIPE_NOT_VULNERABLE;
	scratch->cmd_injection_reason = "nothing after STARTTLS";
	scratch->cmd_injection_connections = 2;	/* refused beside the enumeration, then alone */
	endpoint_finding(scratch, ea, FINDING_TLS_OCSP_NOT_STAPLED, "x");
	endpoint_finding(scratch, ea, FINDING_CERT_UNTRUSTED, "again");
	endpoint_finding(scratch, ea, FINDING_CERT_NO_SCT, "y");
	full_scratch_detach(scratch);
	assert_null(scratch->cert);
	assert_null(scratch->refname);
	assert_int_equal(scratch->nfindings, 3);
	arena_free(pa);	/* the probe's memory may go: nothing points there */

	/* a domain's own copy of another probe of the same endpoint */
	pa = arena_new();
	mine = arena_alloc(da, sizeof(*mine));
	*mine = *probed_endpoint(pa);
	full_apply(mine, scratch);
	assert_ptr_equal(mine->scan, res);
	assert_int_equal(mine->connections, 38);
	assert_int_equal(mine->cmd_injection, PROBE_PIPE_NOT_VULNERABLE);
	assert_int_equal(mine->cmd_injection_connections, 2);
	assert_int_equal(mine->nfindings, 4);
	assert_int_equal(mine->findings[0].id, FINDING_TLS_OK);
	assert_int_equal(mine->findings[1].id, FINDING_CERT_UNTRUSTED);
	assert_string_equal(mine->findings[1].detail, "no issuer");	/* the probe's stays */
	assert_int_equal(mine->findings[2].id, FINDING_TLS_OCSP_NOT_STAPLED);
	assert_int_equal(mine->findings[3].id, FINDING_CERT_NO_SCT);

	/* graded per domain: the grade is the domain's, the enumeration shared */
	{
		struct full_opts fo;

		memset(&fo, 0, sizeof(fo));
		fo.auth = GRADE_AUTH_DANE;
		full_grade(mine, da, &fo);
		assert_non_null(mine->grade);
		assert_null(scratch->grade);
	}
	arena_free(pa);
	arena_free(ea);
	arena_free(da);
}

static void
test_apply_ceiling(void **state)
{
	struct arena *a = arena_new();
	struct endpoint *ep = endpoint_new(a, "mx", "192.0.2.1", 25, ENDPOINT_PROTO_SMTP, "mx");
	struct endpoint from;
	size_t i;

	(void)state;
	memset(&from, 0, sizeof(from));
	for (i = 0; i < ENDPOINT_FINDINGS_MAX - 1; i++) {
		ep->findings[i].id = (enum finding_id)i;
		ep->nfindings++;
	}
	from.findings[0].id = (enum finding_id)(ENDPOINT_FINDINGS_MAX + 1);
	from.findings[1].id = (enum finding_id)(ENDPOINT_FINDINGS_MAX + 2);
	from.nfindings = 2;
	full_apply(ep, &from);
	assert_int_equal(ep->nfindings, ENDPOINT_FINDINGS_MAX);
	assert_int_equal(ep->findings[ENDPOINT_FINDINGS_MAX - 1].id, ENDPOINT_FINDINGS_MAX + 1);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scratch_detach_apply),
		cmocka_unit_test(test_apply_ceiling),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
