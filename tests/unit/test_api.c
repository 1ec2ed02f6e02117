/*
 * test_api.c — the public API: argument checks and an unreachable target (a port nobody
 * listens on, on loopback), without any server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "mailtls.h"

static void
test_usage(void **state)
{
	struct mailtls_host_opts o;
	char *json;

	memset(&o, 0, sizeof(o));
	assert_int_equal(mailtls_host_json(&o, &json), MAILTLS_EUSAGE);
	o.target = "not a target:x";
	assert_int_equal(mailtls_host_json(&o, &json), MAILTLS_EUSAGE);
	o.target = "127.0.0.1";
	o.proto = "gopher";
	assert_int_equal(mailtls_host_json(&o, &json), MAILTLS_EUSAGE);
	assert_string_equal(mailtls_version(), MAILTLS_VERSION_STRING);
}

static void
test_unreachable(void **state)
{
	struct mailtls_host_opts o;
	json_t *root;
	char *json;

	memset(&o, 0, sizeof(o));
	o.target = "127.0.0.1:1";	/* tcpmux: nothing listens there in the test environment */
	o.timeout_ms = 5000;
	assert_int_equal(mailtls_host_json(&o, &json), MAILTLS_EUNREACHABLE);
	root = json_loads(json, 0, NULL);
	assert_non_null(root);
	assert_int_equal(json_integer_value(json_object_get(root, "schema")), MAILTLS_SCHEMA);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(
	    json_array_get(json_object_get(root, "endpoints"), 0), "findings"), 0), "id")),
	    "conn.failed");
	json_decref(root);
	mailtls_free(json);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_unreachable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
