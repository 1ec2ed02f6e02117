/*
 * test_store.c — the SQLite store: schema creation and the version check, runs (new, resumed,
 * abandoned), the work queue (duplicates dropped on disk, input position committed with each
 * batch), a domain's rows from its JSON report in one transaction, idempotent re-stores,
 * certificates stored once, and reading back for export.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "store/store.h"
#include "util/arena.h"

static char dbpath[64];

static int
setup(void **state)
{
	int fd;

	(void)state;
	snprintf(dbpath, sizeof(dbpath), "/tmp/mailtls-test-store-XXXXXX");
	if ((fd = mkstemp(dbpath)) < 0)
		return -1;
	close(fd);
	unlink(dbpath);
	return 0;
}

static int
teardown(void **state)
{
	char p[96];

	(void)state;
	unlink(dbpath);
	snprintf(p, sizeof(p), "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", dbpath);
	unlink(p);
	return 0;
}

static long long
count(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long n = -1;

	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/* A report as report_check_json() writes it (the members the store reads). */
static json_t *
report(const char *domain, const char *cert)
{
	json_error_t e;
	char buf[4096];
	json_t *j;

	snprintf(buf, sizeof(buf),
	    "{\"schema\":2,\"command\":\"check\",\"domain\":\"%s\","
	    "\"verdict\":{\"downgrade_protection\":\"dane\",\"active_attacker_can_read\":false,"
	    "\"accepts_mail\":true,\"delivery_at_risk\":false,\"weakest_mx\":null,"
	    "\"sentence\":\"Protected by DANE.\"},"
	    "\"dnssec\":{\"status\":\"secure\",\"why_bogus\":null},"
	    "\"mx\":[{\"host\":\"mx1.hoster.example\",\"preference\":10,\"use\":\"used\","
	    "\"addresses_dnssec\":\"secure\",\"dane_for_senders\":\"authenticated\","
	    "\"dane\":{\"status\":\"usable\",\"tlsa_name\":\"_25._tcp.mx1.hoster.example\","
	    "\"records\":[\"3 1 1 abcd\",{\"malformed\":\"too-short\"}]},\"mta_sts_pattern\":null}],"
	    "\"dane\":{\"status\":\"all\"},"
	    "\"mta_sts\":{\"record\":{\"present\":false,\"valid\":false,\"id\":null,\"error\":null},"
	    "\"policy\":null},"
	    "\"tls_rpt\":{\"present\":true,\"valid\":true},"
	    "\"findings\":[{\"id\":\"tlsrpt.absent\",\"severity\":\"low\",\"detail\":null}],"
	    "\"endpoints\":[{\"host\":\"mx1.hoster.example\",\"ip\":\"192.0.2.1\",\"port\":25,"
	    "\"proto\":\"smtp\",\"reference_name\":\"mx1.hoster.example\",\"connected\":true,"
	    "\"banner\":\"mx ESMTP\",\"starttls\":{\"offered\":true},"
	    "\"tls\":{\"version\":\"TLSv1.3\",\"cipher\":\"TLS_AES_256_GCM_SHA384\",\"group\":\"x25519\"},"
	    "\"certificate\":{\"sha256\":\"%s\",\"spki_sha256\":\"ff\",\"subject\":\"CN=mx\","
	    "\"issuer\":\"CN=ca\",\"chain_valid\":true,\"name_match\":true,\"san\":[\"mx\"]},"
	    "\"dane\":{\"verified\":true},"
	    "\"findings\":[{\"id\":\"dane.valid\",\"severity\":\"info\",\"detail\":\"matched\"},"
	    "{\"id\":\"cert.expiring\",\"severity\":\"medium\",\"detail\":\"20 days\"}],"
	    "\"connections\":1,\"elapsed_ms\":12}],"
	    "\"grade\":null,\"connections\":1,\"elapsed_ms\":30}", domain, cert);
	j = json_loads(buf, 0, &e);
	if (j == NULL)
		fail_msg("bad test JSON: %s", e.text);
	return j;
}

static void
test_rec(void **state)
{
	struct arena *a = arena_new();
	struct store_domain_rec r;
	json_t *j = report("a.example", "c1");

	(void)state;
	assert_int_equal(store_domain_rec(j, a, &r), 0);
	assert_string_equal(r.domain, "a.example");
	assert_string_equal(r.protection, "dane");
	assert_int_equal(r.can_read, 0);
	assert_string_equal(r.mta_sts_mode, "none");
	assert_string_equal(r.tlsrpt, "valid");
	assert_int_equal(r.nmx, 1);
	assert_int_equal(r.ntlsa, 2);
	assert_string_equal(r.tlsa[1].record, "malformed:too-short");
	assert_int_equal(r.nep, 1);
	assert_int_equal(r.ncert, 1);
	assert_int_equal(r.nfind, 3);
	assert_string_equal(r.worst, "medium");
	assert_int_equal(r.ep[0].dane_verified, 1);
	/* not a report */
	json_decref(j);
	j = json_pack("[]");
	assert_int_equal(store_domain_rec(j, a, &r), -1);
	json_decref(j);
	arena_free(a);
}

static int
collect(void *arg, const struct store_row *r)
{
	char *out = arg;

	strcat(out, r->domain);
	strcat(out, r->can_read == 0 ? ":0;" : ":?;");
	return 0;
}

static void
test_queue_and_domains(void **state)
{
	char err[256], got[256] = "";
	struct store *st;
	struct store_run run, run2;
	struct store_run_counts c;
	struct store_pending p[10];
	struct store_target t[4] = {
		{ "a.example", 1, 2, 0, 0 }, { "b.example", 2, 3, 0, 0 }, { "a.example", -1, 5, 0, 0 },
		{ "c.example", -1, 6, 0, 0 },
	};
	struct store_input_error e[1] = { { 4, "not a domain", "'not a domain' contains a space" } };
	struct store_probe pr = { "192.0.2.1|25|smtp|mx1.hoster.example||0:-", "192.0.2.1", 25,
	    "mx1.hoster.example", 2, 2, 40, 1 };
	size_t n;
	json_t *j;

	(void)state;
	assert_non_null(st = store_open(dbpath, 0, err, sizeof(err)));
	assert_int_equal(store_run_open(st, STORE_RUN_AUTO, "/lists/top.txt", "{}", &run), 0);
	assert_int_equal(run.id, 1);
	assert_int_equal(run.resumed, 0);
	assert_int_equal(store_queue_add(st, run.id, t, 4, e, 1, 123, 6, 0), 0);
	assert_int_equal(t[0].duplicate_of, 0);
	assert_int_equal(t[2].duplicate_of, 2);	/* a.example came first on line 2 */
	assert_int_equal(t[3].seq, 3);
	assert_int_equal(store_run_counts(st, run.id, &c), 0);
	assert_int_equal(c.targets, 3);
	assert_int_equal(c.errors, 1);
	assert_int_equal(c.duplicates, 1);
	assert_int_equal(store_queue_next(st, run.id, 0, 10, p, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(p[1].domain, "b.example");
	assert_int_equal(p[1].rank, 2);
	assert_int_equal(p[2].rank, -1);

	/* two domains stored; the certificate they share once; the probe counted once */
	j = report("a.example", "c1");
	assert_int_equal(store_domain_put(st, run.id, 1, 1, j, &pr, 1), 0);
	json_decref(j);
	pr.first_use = 0;
	j = report("b.example", "c1");
	assert_int_equal(store_domain_put(st, run.id, 2, 2, j, &pr, 1), 0);
	/* stored again (a second writer): nothing duplicated */
	assert_int_equal(store_domain_put(st, run.id, 2, 2, j, &pr, 1), 0);
	json_decref(j);
	assert_int_equal(count("SELECT count(*) FROM domains"), 2);
	assert_int_equal(count("SELECT count(*) FROM certificates"), 1);
	assert_int_equal(count("SELECT count(*) FROM findings"), 6);
	assert_int_equal(count("SELECT count(*) FROM endpoints WHERE probe_key IS NOT NULL"), 2);
	assert_int_equal(count("SELECT probes FROM probes"), 1);
	assert_int_equal(count("SELECT connections FROM probes"), 2);
	assert_int_equal(count("SELECT count(*) FROM targets WHERE done = 1"), 2);
	assert_int_equal(count("PRAGMA user_version"), STORE_SCHEMA);
	assert_int_equal(store_queue_next(st, run.id, 0, 10, p, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(p[0].domain, "c.example");
	assert_int_equal(store_rows(st, run.id, collect, got), 0);
	assert_string_equal(got, "a.example:0;b.example:0;");
	store_close(st);

	/* reopened: the same input resumes the run, its position kept */
	assert_non_null(st = store_open(dbpath, 0, err, sizeof(err)));
	assert_int_equal(store_run_open(st, STORE_RUN_AUTO, "/lists/top.txt", "{}", &run2), 0);
	assert_int_equal(run2.id, run.id);
	assert_int_equal(run2.resumed, 1);
	assert_int_equal(run2.input_offset, 123);
	assert_int_equal(run2.input_line, 6);
	assert_int_equal(run2.next_seq, 4);
	/* another input: a run of its own; --new: the old one abandoned */
	assert_int_equal(store_run_open(st, STORE_RUN_AUTO, "/lists/other.txt", "{}", &run2), 0);
	assert_int_equal(run2.id, 2);
	assert_int_equal(store_run_open(st, STORE_RUN_NEW, "/lists/top.txt", "{}", &run2), 0);
	assert_int_equal(run2.id, 3);
	assert_int_equal(count("SELECT count(*) FROM runs WHERE status = 'abandoned'"), 1);
	assert_int_equal(store_run_finish(st, 3, STORE_RUN_DONE), 0);
	assert_int_equal(store_run_open(st, STORE_RUN_RESUME, "/lists/top.txt", "{}", &run2), -1);
	assert_non_null(strstr(store_error(st), "no unfinished run"));
	store_close(st);
}

static void
test_versions(void **state)
{
	char err[256];
	struct store *st;
	sqlite3 *db;

	(void)state;
	/* read-only on a file that does not exist */
	assert_null(store_open(dbpath, 1, err, sizeof(err)));
	/* a newer schema is refused, not altered */
	assert_non_null(st = store_open(dbpath, 0, err, sizeof(err)));
	store_close(st);
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_null(store_open(dbpath, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "newer"));
	assert_int_equal(count("PRAGMA user_version"), 99);
	/* PostgreSQL goes to libpq: nothing listens on loopback port 1, the error says so */
	assert_null(store_open("postgresql://127.0.0.1:1/x?connect_timeout=2", 0, err, sizeof(err)));
	assert_non_null(strstr(err, "127.0.0.1"));
	/* not a database at all */
	{
		FILE *f = fopen(dbpath, "w");

		fputs("this is not a database, just some text long enough to be a header....", f);
		fclose(f);
	}
	assert_null(store_open(dbpath, 0, err, sizeof(err)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rec),
		cmocka_unit_test_setup_teardown(test_queue_and_domains, setup, teardown),
		cmocka_unit_test_setup_teardown(test_versions, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
