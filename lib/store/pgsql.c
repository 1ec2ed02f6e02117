/*
 * pgsql.c — the PostgreSQL backend of the store (store.h; schema, types and migrations in
 * docs/store-schema.md; the shared queue in docs/internals/scale-out.md).  Debian's libpq,
 * plain SQL, statements prepared once per connection, the synchronous API (the readers' one
 * query in single-row mode: pg_stream).
 *
 * - The same tables and columns as sqlite.c, in PostgreSQL types (bigserial for the row ids,
 *   text for the timestamps and the JSON, integer 0/1 for flags), so a query written for one
 *   reads the other; `targets` has two more columns, the lease (leased_by, leased_until).
 * - The schema version is meta('store_schema'); migrations[] run under a transaction-level
 *   advisory lock, so workers starting at once migrate once.
 * - One transaction per finished domain: its rows and its target's done mark together.  A
 *   domain a second worker stored already (its lease had expired) is stored once: the domains
 *   row is INSERT ... ON CONFLICT (run_id, domain) DO NOTHING, and only the done mark follows.
 * - A deadlock (two workers inserting the same new certificates) or a serialization failure is
 *   retried: rows are inserted in a fixed order (certificates by SHA-256, probes by key), so it
 *   should not happen, but a retry is cheap and makes it harmless.
 * - Per-address connection slots are session-level advisory locks: a worker that dies loses its
 *   session and with it its locks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store/store.h"
#include "report/report.h"
#include "util/xalloc.h"

#define PG_NOW	"to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
/* pg_advisory_xact_lock(bigint) keys; the slots use the (int, int) form, a separate key space */
#define PG_LOCK_MIGRATE	0x6d61696c746c7331LL
#define PG_LOCK_RUNS	0x6d61696c746c7332LL
#define PG_RETRIES	5
#define PG_PARAMS	24

/* migrations[i] takes a database from store_schema i to i + 1 */
static const char *const pg_migrations[STORE_SCHEMA] = {
	/* 0 -> 1: the first schema (sqlite.c's, in PostgreSQL types, plus the lease) */
	"CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);"
	"CREATE TABLE runs ("
	"  id bigserial PRIMARY KEY,"
	"  started text NOT NULL,"
	"  finished text,"
	"  status text NOT NULL CHECK (status IN ('running','done','abandoned')),"
	"  input text NOT NULL,"
	"  options text NOT NULL,"
	"  tool text NOT NULL,"
	"  report_schema integer NOT NULL,"
	"  input_offset bigint NOT NULL DEFAULT 0,"
	"  input_line bigint NOT NULL DEFAULT 0,"
	"  input_eof integer NOT NULL DEFAULT 0,"
	"  next_seq bigint NOT NULL DEFAULT 1,"
	"  sessions integer NOT NULL DEFAULT 1);"
	"CREATE TABLE targets ("
	"  run_id bigint NOT NULL REFERENCES runs(id),"
	"  seq bigint NOT NULL,"
	"  domain text NOT NULL,"
	"  rank bigint,"
	"  line bigint NOT NULL,"
	"  done integer NOT NULL DEFAULT 0,"
	"  leased_by text,"
	"  leased_until timestamptz,"
	"  PRIMARY KEY (run_id, seq),"
	"  UNIQUE (run_id, domain));"
	"CREATE INDEX targets_todo ON targets(run_id, done, seq);"
	"CREATE TABLE input_notes ("
	"  run_id bigint NOT NULL REFERENCES runs(id),"
	"  line bigint NOT NULL,"
	"  kind text NOT NULL CHECK (kind IN ('error','duplicate')),"
	"  text text NOT NULL,"
	"  detail text NOT NULL,"
	"  PRIMARY KEY (run_id, line));"
	"CREATE TABLE domains ("
	"  id bigserial PRIMARY KEY,"
	"  run_id bigint NOT NULL REFERENCES runs(id),"
	"  seq bigint NOT NULL,"
	"  domain text NOT NULL,"
	"  rank bigint,"
	"  finished text NOT NULL,"
	"  protection text NOT NULL,"
	"  can_read integer,"
	"  accepts_mail integer NOT NULL,"
	"  delivery_at_risk integer NOT NULL,"
	"  weakest_mx text,"
	"  sentence text,"
	"  dnssec text,"
	"  dane text,"
	"  mta_sts_mode text,"
	"  mta_sts_id text,"
	"  tlsrpt text,"
	"  grade text,"
	"  worst_severity text,"
	"  findings integer NOT NULL,"
	"  connections integer NOT NULL,"
	"  elapsed_ms bigint NOT NULL,"
	"  UNIQUE (run_id, domain));"
	"CREATE INDEX domains_history ON domains(domain, run_id);"
	"CREATE TABLE reports ("
	"  domain_id bigint PRIMARY KEY REFERENCES domains(id),"
	"  json text NOT NULL);"
	"CREATE TABLE mx ("
	"  domain_id bigint NOT NULL REFERENCES domains(id),"
	"  pos integer NOT NULL,"
	"  host text NOT NULL,"
	"  preference integer,"
	"  use text,"
	"  addresses_dnssec text,"
	"  dane_for_senders text,"
	"  dane_status text,"
	"  tlsa_name text,"
	"  mta_sts_pattern text,"
	"  PRIMARY KEY (domain_id, pos));"
	"CREATE TABLE tlsa ("
	"  domain_id bigint NOT NULL REFERENCES domains(id),"
	"  host text NOT NULL,"
	"  record text NOT NULL);"
	"CREATE INDEX tlsa_domain ON tlsa(domain_id);"
	"CREATE TABLE mta_sts ("
	"  domain_id bigint PRIMARY KEY REFERENCES domains(id),"
	"  record_present integer NOT NULL,"
	"  record_valid integer NOT NULL,"
	"  id text,"
	"  fetched integer NOT NULL,"
	"  http_status integer,"
	"  policy_valid integer NOT NULL,"
	"  mode text,"
	"  max_age bigint,"
	"  mx text,"
	"  error text);"
	"CREATE TABLE certificates ("
	"  sha256 text PRIMARY KEY,"
	"  spki_sha256 text,"
	"  subject text,"
	"  issuer text,"
	"  not_before text,"
	"  not_after text,"
	"  key_type text,"
	"  key_bits integer,"
	"  signature_algorithm text,"
	"  self_signed integer,"
	"  san text,"
	"  first_run bigint);"
	"CREATE TABLE probes ("
	"  run_id bigint NOT NULL REFERENCES runs(id),"
	"  key text NOT NULL,"
	"  ip text NOT NULL,"
	"  port integer NOT NULL,"
	"  reference_name text,"
	"  probes integer NOT NULL,"
	"  attempts integer NOT NULL,"
	"  connections integer NOT NULL,"
	"  elapsed_ms bigint,"
	"  PRIMARY KEY (run_id, key));"
	"CREATE TABLE endpoints ("
	"  domain_id bigint NOT NULL REFERENCES domains(id),"
	"  pos integer NOT NULL,"
	"  host text,"
	"  ip text NOT NULL,"
	"  port integer NOT NULL,"
	"  proto text,"
	"  reference_name text,"
	"  connected integer NOT NULL,"
	"  starttls_offered integer NOT NULL,"
	"  tls_version text,"
	"  cipher text,"
	"  tls_group text,"
	"  cert_sha256 text REFERENCES certificates(sha256),"
	"  chain_valid integer,"
	"  name_match integer,"
	"  dane_verified integer,"
	"  grade text,"
	"  banner text,"
	"  probe_key text,"
	"  PRIMARY KEY (domain_id, pos));"
	"CREATE INDEX endpoints_ip ON endpoints(ip);"
	"CREATE INDEX endpoints_cert ON endpoints(cert_sha256);"
	"CREATE TABLE findings ("
	"  domain_id bigint NOT NULL REFERENCES domains(id),"
	"  scope text,"
	"  finding text NOT NULL,"
	"  severity text NOT NULL,"
	"  detail text);"
	"CREATE INDEX findings_domain ON findings(domain_id);"
	"CREATE INDEX findings_id ON findings(finding);"
	"INSERT INTO meta VALUES ('created', " PG_NOW ");",
};

enum {
	Q_RUN_FIND, Q_RUN_FIND_ANY, Q_RUN_INSERT, Q_RUN_RESUME, Q_RUN_ABANDON, Q_RUN_GET,
	Q_RUN_FINISH, Q_RUN_LATEST, Q_RUN_POS,
	Q_COUNT_TARGETS, Q_COUNT_NOTES,
	Q_TARGET_ADD, Q_TARGET_LINE, Q_NOTE_ADD, Q_QUEUE_NEXT, Q_TARGET_DONE,
	Q_DOMAIN_ADD, Q_REPORT_ADD, Q_MX_ADD, Q_TLSA_ADD, Q_STS_ADD, Q_CERT_ADD, Q_EP_ADD,
	Q_FINDING_ADD, Q_PROBE_ADD,
	Q_ROWS, Q_NOTES,
	Q_CLAIM, Q_RENEW, Q_STATE, Q_SLOT_TRY, Q_SLOT_FREE,
	Q_LAST
};

static const char *const pg_sql[Q_LAST] = {
	[Q_RUN_FIND] = "SELECT id FROM runs WHERE status = 'running' AND input = $1 ORDER BY id DESC LIMIT 1",
	[Q_RUN_FIND_ANY] = "SELECT id FROM runs WHERE status = 'running' ORDER BY id DESC LIMIT 1",
	[Q_RUN_INSERT] = "INSERT INTO runs (started, status, input, options, tool, report_schema) "
	    "VALUES (" PG_NOW ", 'running', $1, $2, $3, $4) RETURNING id",
	[Q_RUN_RESUME] = "UPDATE runs SET sessions = sessions + 1 WHERE id = $1",
	[Q_RUN_ABANDON] = "UPDATE runs SET status = 'abandoned', finished = " PG_NOW
	    " WHERE status = 'running' AND input = $1",
	[Q_RUN_GET] = "SELECT input, options, input_offset, input_line, input_eof, next_seq, status "
	    "FROM runs WHERE id = $1",
	[Q_RUN_FINISH] = "UPDATE runs SET status = $2, finished = coalesce(finished, " PG_NOW ") "
	    "WHERE id = $1",
	[Q_RUN_LATEST] = "SELECT coalesce(max(id), 0) FROM runs",
	[Q_RUN_POS] = "UPDATE runs SET input_offset = $2, input_line = $3, input_eof = $4, "
	    "next_seq = $5 WHERE id = $1",
	[Q_COUNT_TARGETS] = "SELECT count(*), coalesce(sum(done), 0) FROM targets WHERE run_id = $1",
	[Q_COUNT_NOTES] = "SELECT count(*) FILTER (WHERE kind = 'error'), "
	    "count(*) FILTER (WHERE kind = 'duplicate') FROM input_notes WHERE run_id = $1",
	[Q_TARGET_ADD] = "INSERT INTO targets (run_id, seq, domain, rank, line) "
	    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
	[Q_TARGET_LINE] = "SELECT line FROM targets WHERE run_id = $1 AND domain = $2",
	[Q_NOTE_ADD] = "INSERT INTO input_notes (run_id, line, kind, text, detail) "
	    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
	[Q_QUEUE_NEXT] = "SELECT seq, domain, rank, line FROM targets WHERE run_id = $1 AND done = 0 "
	    "AND seq > $2 ORDER BY seq LIMIT $3",
	[Q_TARGET_DONE] = "UPDATE targets SET done = 1 WHERE run_id = $1 AND seq = $2",
	[Q_DOMAIN_ADD] = "INSERT INTO domains (run_id, seq, domain, rank, finished, "
	    "protection, can_read, accepts_mail, delivery_at_risk, weakest_mx, sentence, dnssec, "
	    "dane, mta_sts_mode, mta_sts_id, tlsrpt, grade, worst_severity, findings, connections, "
	    "elapsed_ms) VALUES ($1, $2, $3, $4, " PG_NOW ", $5, $6, $7, "
	    "$8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) "
	    "ON CONFLICT (run_id, domain) DO NOTHING RETURNING id",
	[Q_REPORT_ADD] = "INSERT INTO reports (domain_id, json) VALUES ($1, $2)",
	[Q_MX_ADD] = "INSERT INTO mx (domain_id, pos, host, preference, use, addresses_dnssec, "
	    "dane_for_senders, dane_status, tlsa_name, mta_sts_pattern) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
	[Q_TLSA_ADD] = "INSERT INTO tlsa (domain_id, host, record) VALUES ($1, $2, $3)",
	[Q_STS_ADD] = "INSERT INTO mta_sts (domain_id, record_present, record_valid, id, fetched, "
	    "http_status, policy_valid, mode, max_age, mx, error) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
	[Q_CERT_ADD] = "INSERT INTO certificates (sha256, spki_sha256, subject, issuer, "
	    "not_before, not_after, key_type, key_bits, signature_algorithm, self_signed, san, "
	    "first_run) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
	    "ON CONFLICT DO NOTHING",
	[Q_EP_ADD] = "INSERT INTO endpoints (domain_id, pos, host, ip, port, proto, reference_name, "
	    "connected, starttls_offered, tls_version, cipher, tls_group, cert_sha256, chain_valid, "
	    "name_match, dane_verified, grade, banner, probe_key) VALUES ($1, $2, $3, $4, $5, $6, "
	    "$7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
	[Q_FINDING_ADD] = "INSERT INTO findings (domain_id, scope, finding, severity, detail) "
	    "VALUES ($1, $2, $3, $4, $5)",
	[Q_PROBE_ADD] = "INSERT INTO probes AS p (run_id, key, ip, port, reference_name, probes, "
	    "attempts, connections, elapsed_ms) VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8) "
	    "ON CONFLICT (run_id, key) DO UPDATE SET probes = p.probes + 1, "
	    "attempts = p.attempts + excluded.attempts, "
	    "connections = p.connections + excluded.connections",
	[Q_ROWS] = "SELECT d.seq, d.domain, d.rank, d.protection, d.dnssec, d.dane, d.mta_sts_mode, "
	    "d.tlsrpt, d.grade, d.worst_severity, d.weakest_mx, d.finished, d.can_read, "
	    "d.accepts_mail, d.delivery_at_risk, d.findings, d.connections, d.elapsed_ms, r.json "
	    "FROM domains d JOIN reports r ON r.domain_id = d.id WHERE d.run_id = $1 ORDER BY d.seq",
	[Q_NOTES] = "SELECT line, text, detail FROM input_notes WHERE run_id = $1 AND kind = 'error' "
	    "ORDER BY line",
	/* the shared queue: docs/internals/scale-out.md */
	[Q_CLAIM] = "WITH c AS (SELECT seq FROM targets WHERE run_id = $1 AND done = 0 "
	    "AND (leased_until IS NULL OR leased_until < now()) ORDER BY seq LIMIT $4 "
	    "FOR UPDATE SKIP LOCKED) "
	    "UPDATE targets t SET leased_by = $2, leased_until = now() + $3 * interval '1 millisecond' "
	    "FROM c WHERE t.run_id = $1 AND t.seq = c.seq RETURNING t.seq, t.domain, t.rank, t.line",
	[Q_RENEW] = "UPDATE targets SET leased_until = now() + $3 * interval '1 millisecond' "
	    "WHERE run_id = $1 AND leased_by = $2 AND done = 0",
	[Q_STATE] = "SELECT count(*) FILTER (WHERE done = 0), "
	    "count(*) FILTER (WHERE done = 0 AND leased_until >= now()), "
	    "coalesce(ceil(extract(epoch FROM min(leased_until) FILTER (WHERE done = 0 AND "
	    "leased_until >= now()) - now()) * 1000)::bigint, -1), "
	    "(SELECT input_eof FROM runs WHERE id = $1), (SELECT status FROM runs WHERE id = $1) "
	    "FROM targets WHERE run_id = $1",
	[Q_SLOT_TRY] = "SELECT pg_try_advisory_lock($1::integer, $2::integer)",
	[Q_SLOT_FREE] = "SELECT pg_advisory_unlock($1::integer, $2::integer)",
};

/* a slot this session holds: (key, slot); a session's advisory locks are re-entrant, so the
 * worker itself must never take one it holds a second time */
struct pg_slot {
	int32_t		 key;
	int		 slot;
};

struct pg_store {
	PGconn		*c;
	unsigned char	 prepared[Q_LAST];
	char		 err[512];
	int		 readonly;
	struct pg_slot	*slots;
	size_t		 nslots, capslots;
};

/* The values of one statement's parameters, as text (NULL: SQL null). */
struct pg_args {
	const char	*v[PG_PARAMS];
	char		 num[PG_PARAMS][24];
	int		 n;
};

static void
at(struct pg_args *a, const char *s)
{
	a->v[a->n++] = s;
}

static void
ai(struct pg_args *a, long long x)
{
	snprintf(a->num[a->n], sizeof(a->num[a->n]), "%lld", x);
	a->v[a->n] = a->num[a->n];
	a->n++;
}

/* -1 is null */
static void
an(struct pg_args *a, long long x)
{
	if (x < 0)
		a->v[a->n++] = NULL;
	else
		ai(a, x);
}

static const char *
pg_error(void *h)
{
	return ((struct pg_store *)h)->err;
}

static int
pg_fail(struct pg_store *s, const char *what, PGresult *r)
{
	const char *m = r ? PQresultErrorMessage(r) : "";

	if (m == NULL || *m == '\0')
		m = PQerrorMessage(s->c);
	snprintf(s->err, sizeof(s->err), "%s: %s", what, m);
	/* libpq's messages end with a newline */
	s->err[strcspn(s->err, "\n")] = '\0';
	if (r)
		PQclear(r);
	return -1;
}

/* Is this failure worth running the transaction again (deadlock, serialization)? */
static int
pg_retryable(PGresult *r)
{
	const char *st = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

	return st != NULL && (strcmp(st, "40P01") == 0 || strcmp(st, "40001") == 0);
}

/* Prepares statement `which` on first use; its name in name[16]. */
static int
pg_prepare(struct pg_store *s, int which, char name[16])
{
	PGresult *r;

	snprintf(name, 16, "q%d", which);
	if (!s->prepared[which]) {
		r = PQprepare(s->c, name, pg_sql[which], 0, NULL);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			return pg_fail(s, pg_sql[which], r);
		PQclear(r);
		s->prepared[which] = 1;
	}
	return 0;
}

/*
 * Runs statement `which` (prepared on first use); the result when it succeeded (the caller
 * clears it), else NULL with s->err set; *retry says whether a retry may help.
 */
static PGresult *
pg_run(struct pg_store *s, int which, const struct pg_args *a, int *retry)
{
	char name[16];
	PGresult *r;

	if (retry)
		*retry = 0;
	if (pg_prepare(s, which, name) < 0)
		return NULL;
	r = PQexecPrepared(s->c, name, a ? a->n : 0, a ? a->v : NULL, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
		if (retry)
			*retry = pg_retryable(r);
		pg_fail(s, pg_sql[which], r);
		return NULL;
	}
	return r;
}

/*
 * Runs query `which` in libpq's single-row mode: cb sees each row as it arrives, so a reader
 * holds one row in memory, not the whole run (a run of millions of domains).  When cb returns
 * non-zero the remaining rows are read and dropped: the connection must be idle again before
 * the next query.  The connection is busy meanwhile, so cb must not use the store.
 */
static int
pg_stream(struct pg_store *s, int which, const struct pg_args *a,
    int (*cb)(void *, PGresult *, int), void *arg)
{
	char name[16];
	PGresult *r;
	int rc = 0, stop = 0;

	if (pg_prepare(s, which, name) < 0)
		return -1;
	if (!PQsendQueryPrepared(s->c, name, a ? a->n : 0, a ? a->v : NULL, NULL, NULL, 0))
		return pg_fail(s, pg_sql[which], NULL);
	/* if libpq refuses single-row mode, the rows come as one result: read the same way */
	(void)PQsetSingleRowMode(s->c);
	while ((r = PQgetResult(s->c)) != NULL) {
		ExecStatusType st = PQresultStatus(r);
		int i;

		if (st == PGRES_SINGLE_TUPLE || st == PGRES_TUPLES_OK) {
			for (i = 0; i < PQntuples(r) && !stop; i++)
				if (cb(arg, r, i) != 0)
					stop = 1;
			PQclear(r);
		} else if (rc == 0) {
			rc = pg_fail(s, pg_sql[which], r);	/* clears r; later results drained */
		} else
			PQclear(r);
	}
	return rc;
}

/* A statement whose rows do not matter. */
static int
pg_do(struct pg_store *s, int which, const struct pg_args *a, int *retry)
{
	PGresult *r = pg_run(s, which, a, retry);

	if (r == NULL)
		return -1;
	PQclear(r);
	return 0;
}

static int
pg_exec(struct pg_store *s, const char *sql)
{
	PGresult *r = PQexec(s->c, sql);

	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		return pg_fail(s, sql, r);
	PQclear(r);
	return 0;
}

static void
pg_rollback(struct pg_store *s)
{
	char keep[sizeof(s->err)];

	memcpy(keep, s->err, sizeof(keep));
	if (PQtransactionStatus(s->c) != PQTRANS_IDLE)
		(void)pg_exec(s, "ROLLBACK");
	memcpy(s->err, keep, sizeof(keep));
}

static long long
pg_ll(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? -1 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static const char *
pg_txt(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static void
pg_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;	/* "relation already exists, skipping" and the like: not for the user */
}

static int
pg_migrate(struct pg_store *s)
{
	char sql[160];
	PGresult *r;
	int v = 0, i;

	if (pg_exec(s, "BEGIN") < 0)
		return -1;
	snprintf(sql, sizeof(sql), "SELECT pg_advisory_xact_lock(%lld)", PG_LOCK_MIGRATE);
	if (pg_exec(s, sql) < 0)
		goto fail;
	r = PQexec(s->c, "SELECT to_regclass('meta') IS NOT NULL");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		pg_fail(s, "reading the schema version", r);
		goto fail;
	}
	i = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	if (i) {
		r = PQexec(s->c, "SELECT value FROM meta WHERE key = 'store_schema'");
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			pg_fail(s, "reading the schema version", r);
			goto fail;
		}
		v = PQntuples(r) > 0 ? atoi(PQgetvalue(r, 0, 0)) : 0;
		PQclear(r);
	}
	if (v > STORE_SCHEMA) {
		snprintf(s->err, sizeof(s->err), "the database has store schema %d, newer than this "
		    "mailtls knows (%d); use a newer mailtls", v, STORE_SCHEMA);
		goto fail;
	}
	if (v < STORE_SCHEMA && s->readonly) {
		snprintf(s->err, sizeof(s->err), v == 0 ? "the database has no mailtls store yet "
		    "(mailtls scan creates it)" : "the database has store schema %d; open it for "
		    "writing once (mailtls scan) to migrate it to %d", v, STORE_SCHEMA);
		goto fail;
	}
	/* each version in its own transaction: a failure leaves the last whole version */
	for (i = v; i < STORE_SCHEMA; i++) {
		if (i > v && (pg_exec(s, "BEGIN") < 0 || pg_exec(s, sql) < 0))
			goto fail;
		if (pg_exec(s, pg_migrations[i]) < 0)
			goto fail;
		snprintf(sql, sizeof(sql), "INSERT INTO meta VALUES ('store_schema', '%d') ON "
		    "CONFLICT (key) DO UPDATE SET value = excluded.value", i + 1);
		if (pg_exec(s, sql) < 0 || pg_exec(s, "COMMIT") < 0)
			goto fail;
		snprintf(sql, sizeof(sql), "SELECT pg_advisory_xact_lock(%lld)", PG_LOCK_MIGRATE);
	}
	if (PQtransactionStatus(s->c) != PQTRANS_IDLE && pg_exec(s, "COMMIT") < 0)
		goto fail;
	return 0;
fail:
	pg_rollback(s);
	return -1;
}

static void	pg_close(void *);

static void *
pg_open(const char *uri, int readonly, char *err, size_t errlen)
{
	struct pg_store *s = xcalloc(1, sizeof(*s));

	s->readonly = readonly;
	s->c = PQconnectdb(uri);
	if (PQstatus(s->c) != CONNECTION_OK) {
		snprintf(err, errlen, "%s", PQerrorMessage(s->c));
		err[strcspn(err, "\n")] = '\0';
		pg_close(s);
		return NULL;
	}
	PQsetNoticeProcessor(s->c, pg_notice, NULL);
	if (pg_exec(s, "SET client_min_messages = warning") < 0 || (readonly &&
	    pg_exec(s, "SET default_transaction_read_only = on") < 0) || pg_migrate(s) < 0) {
		snprintf(err, errlen, "%s", s->err);
		pg_close(s);
		return NULL;
	}
	return s;
}

static void
pg_close(void *h)
{
	struct pg_store *s = h;

	if (s == NULL)
		return;
	PQfinish(s->c);	/* ends the session: its advisory locks go with it */
	free(s->slots);
	free(s);
}

static int
pg_run_get(struct pg_store *s, int64_t id, struct store_run *run)
{
	struct pg_args a = { .n = 0 };
	const char *status;
	PGresult *r;

	ai(&a, id);
	if ((r = pg_run(s, Q_RUN_GET, &a, NULL)) == NULL)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		snprintf(s->err, sizeof(s->err), "no run %lld", (long long)id);
		return -1;
	}
	run->id = id;
	snprintf(run->input, sizeof(run->input), "%s", PQgetvalue(r, 0, 0));
	snprintf(run->options, sizeof(run->options), "%s", PQgetvalue(r, 0, 1));
	run->input_offset = pg_ll(r, 0, 2);
	run->input_line = pg_ll(r, 0, 3);
	run->input_eof = (int)pg_ll(r, 0, 4);
	run->next_seq = pg_ll(r, 0, 5);
	status = PQgetvalue(r, 0, 6);
	run->status = strcmp(status, "done") == 0 ? STORE_RUN_DONE :
	    strcmp(status, "abandoned") == 0 ? STORE_RUN_ABANDONED : STORE_RUN_RUNNING;
	PQclear(r);
	return 0;
}

static int
pg_run_open(void *h, enum store_open_mode mode, const char *input, const char *options,
    const char *tool, struct store_run *run)
{
	struct pg_store *s = h;
	struct pg_args a = { .n = 0 };
	char sql[80];
	PGresult *r;
	int64_t id = 0;

	memset(run, 0, sizeof(*run));
	snprintf(sql, sizeof(sql), "SELECT pg_advisory_xact_lock(%lld)", PG_LOCK_RUNS);
	if (pg_exec(s, "BEGIN") < 0 || pg_exec(s, sql) < 0)
		goto fail;
	if (mode != STORE_RUN_NEW) {
		if (input)
			at(&a, input);
		if ((r = pg_run(s, input ? Q_RUN_FIND : Q_RUN_FIND_ANY, &a, NULL)) == NULL)
			goto fail;
		if (PQntuples(r) > 0)
			id = pg_ll(r, 0, 0);
		PQclear(r);
		if (id == 0 && mode == STORE_RUN_RESUME) {
			snprintf(s->err, sizeof(s->err), "no unfinished run%s%s to resume",
			    input ? " of " : "", input ? input : "");
			goto fail;
		}
	} else {
		at(&a, input ? input : "-");
		if (pg_do(s, Q_RUN_ABANDON, &a, NULL) < 0)
			goto fail;
	}
	a.n = 0;
	if (id != 0) {
		ai(&a, id);
		if (pg_do(s, Q_RUN_RESUME, &a, NULL) < 0)
			goto fail;
		run->resumed = 1;
	} else {
		at(&a, input ? input : "-");
		at(&a, options ? options : "{}");
		at(&a, tool);
		ai(&a, REPORT_SCHEMA);
		if ((r = pg_run(s, Q_RUN_INSERT, &a, NULL)) == NULL)
			goto fail;
		id = pg_ll(r, 0, 0);
		PQclear(r);
	}
	if (pg_run_get(s, id, run) < 0 || pg_exec(s, "COMMIT") < 0)
		goto fail;
	return 0;
fail:
	pg_rollback(s);
	return -1;
}

static int
pg_run_counts(void *h, int64_t run, struct store_run_counts *c)
{
	struct pg_store *s = h;
	struct pg_args a = { .n = 0 };
	PGresult *r;

	memset(c, 0, sizeof(*c));
	ai(&a, run);
	if ((r = pg_run(s, Q_COUNT_TARGETS, &a, NULL)) == NULL)
		return -1;
	c->targets = pg_ll(r, 0, 0);
	c->done = pg_ll(r, 0, 1);
	PQclear(r);
	if ((r = pg_run(s, Q_COUNT_NOTES, &a, NULL)) == NULL)
		return -1;
	c->errors = pg_ll(r, 0, 0);
	c->duplicates = pg_ll(r, 0, 1);
	PQclear(r);
	return 0;
}

static int
pg_run_finish(void *h, int64_t run, enum store_run_status status)
{
	struct pg_args a = { .n = 0 };

	ai(&a, run);
	at(&a, store_run_status_name(status));
	return pg_do(h, Q_RUN_FINISH, &a, NULL);
}

static int
pg_run_latest(void *h, int64_t *run)
{
	PGresult *r = pg_run(h, Q_RUN_LATEST, NULL, NULL);

	*run = 0;
	if (r == NULL)
		return -1;
	*run = pg_ll(r, 0, 0);
	PQclear(r);
	return 0;
}

static int
pg_note(struct pg_store *s, int64_t run, long long line, const char *kind, const char *text,
    const char *detail)
{
	struct pg_args a = { .n = 0 };

	ai(&a, run);
	ai(&a, line);
	at(&a, kind);
	at(&a, text ? text : "");
	at(&a, detail ? detail : "");
	return pg_do(s, Q_NOTE_ADD, &a, NULL);
}

static int
pg_queue_add(void *h, int64_t run, struct store_target *t, size_t n,
    const struct store_input_error *e, size_t ne, long long offset, long long line, int eof)
{
	struct pg_store *s = h;
	struct store_run rr;
	struct pg_args a;
	PGresult *r;
	long long seq;
	size_t i;
	char first[32], sql[96];

	if (pg_exec(s, "BEGIN") < 0)
		return -1;
	/* next_seq under the run's row lock: never two writers on one number */
	snprintf(sql, sizeof(sql), "SELECT 1 FROM runs WHERE id = %lld FOR UPDATE", (long long)run);
	if (pg_exec(s, sql) < 0 || pg_run_get(s, run, &rr) < 0)
		goto fail;
	seq = rr.next_seq;
	for (i = 0; i < n; i++) {
		a.n = 0;
		ai(&a, run);
		ai(&a, seq);
		at(&a, t[i].domain);
		an(&a, t[i].rank);
		ai(&a, t[i].line);
		if ((r = pg_run(s, Q_TARGET_ADD, &a, NULL)) == NULL)
			goto fail;
		t[i].duplicate_of = 0;
		if (strcmp(PQcmdTuples(r), "1") == 0) {
			PQclear(r);
			t[i].seq = seq++;
			continue;
		}
		PQclear(r);
		a.n = 0;
		ai(&a, run);
		at(&a, t[i].domain);
		if ((r = pg_run(s, Q_TARGET_LINE, &a, NULL)) == NULL)
			goto fail;
		t[i].duplicate_of = PQntuples(r) > 0 ? (int)pg_ll(r, 0, 0) : -1;
		PQclear(r);
		snprintf(first, sizeof(first), "first on line %d", t[i].duplicate_of);
		if (pg_note(s, run, t[i].line, "duplicate", t[i].domain, first) < 0)
			goto fail;
	}
	for (i = 0; i < ne; i++)
		if (pg_note(s, run, e[i].line, "error", e[i].text, e[i].error) < 0)
			goto fail;
	a.n = 0;
	ai(&a, run);
	ai(&a, offset);
	ai(&a, line);
	ai(&a, eof);
	ai(&a, seq);
	if (pg_do(s, Q_RUN_POS, &a, NULL) < 0 || pg_exec(s, "COMMIT") < 0)
		goto fail;
	return 0;
fail:
	pg_rollback(s);
	return -1;
}

static void
pg_pending(PGresult *r, int row, struct store_pending *x)
{
	x->seq = pg_ll(r, row, 0);
	snprintf(x->domain, sizeof(x->domain), "%s", PQgetvalue(r, row, 1));
	x->rank = (long)pg_ll(r, row, 2);
	x->line = pg_ll(r, row, 3);
}

static int
pg_queue_next(void *h, int64_t run, long long after, size_t limit, struct store_pending *p,
    size_t *n)
{
	struct pg_args a = { .n = 0 };
	PGresult *r;
	int i;

	*n = 0;
	ai(&a, run);
	ai(&a, after);
	ai(&a, (long long)limit);
	if ((r = pg_run(h, Q_QUEUE_NEXT, &a, NULL)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(r) && *n < limit; i++)
		pg_pending(r, i, &p[(*n)++]);
	PQclear(r);
	return 0;
}

static int
pg_pending_cmp(const void *x, const void *y)
{
	const struct store_pending *a = x, *b = y;

	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int
pg_queue_claim(void *h, int64_t run, const char *worker, long lease_ms, size_t limit,
    struct store_pending *p, size_t *n)
{
	struct pg_args a = { .n = 0 };
	PGresult *r;
	int i;

	*n = 0;
	ai(&a, run);
	at(&a, worker);
	ai(&a, lease_ms);
	ai(&a, (long long)limit);
	if ((r = pg_run(h, Q_CLAIM, &a, NULL)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(r) && *n < limit; i++)
		pg_pending(r, i, &p[(*n)++]);
	PQclear(r);
	/* RETURNING follows no order: the batch is started in input order */
	qsort(p, *n, sizeof(*p), pg_pending_cmp);
	return 0;
}

static int
pg_queue_renew(void *h, int64_t run, const char *worker, long lease_ms)
{
	struct pg_args a = { .n = 0 };

	ai(&a, run);
	at(&a, worker);
	ai(&a, lease_ms);
	return pg_do(h, Q_RENEW, &a, NULL);
}

static int
pg_queue_state(void *h, int64_t run, struct store_queue_state *q)
{
	struct pg_args a = { .n = 0 };
	const char *status;
	PGresult *r;

	memset(q, 0, sizeof(*q));
	ai(&a, run);
	if ((r = pg_run(h, Q_STATE, &a, NULL)) == NULL)
		return -1;
	q->pending = pg_ll(r, 0, 0);
	q->leased = pg_ll(r, 0, 1);
	q->next_expiry_ms = pg_ll(r, 0, 2);
	q->input_eof = pg_ll(r, 0, 3) == 1;
	status = PQgetisnull(r, 0, 4) ? "" : PQgetvalue(r, 0, 4);
	q->status = strcmp(status, "done") == 0 ? STORE_RUN_DONE :
	    strcmp(status, "abandoned") == 0 ? STORE_RUN_ABANDONED : STORE_RUN_RUNNING;
	PQclear(r);
	return 0;
}

static int
pg_slot_held(const struct pg_store *s, int32_t key, int slot)
{
	size_t i;

	for (i = 0; i < s->nslots; i++)
		if (s->slots[i].key == key && s->slots[i].slot == slot)
			return 1;
	return 0;
}

static int
pg_slot_acquire(void *h, const char *ip, int slots, int *slot)
{
	struct pg_store *s = h;
	int32_t key = store_slot_key(ip);
	struct pg_args a;
	PGresult *r;
	int i, got;

	*slot = -1;
	for (i = 0; i < slots; i++) {
		if (pg_slot_held(s, key, i))
			continue;
		a.n = 0;
		ai(&a, key);
		ai(&a, i);
		if ((r = pg_run(s, Q_SLOT_TRY, &a, NULL)) == NULL)
			return -1;
		got = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
		PQclear(r);
		if (!got)
			continue;
		if (s->nslots == s->capslots) {
			s->capslots = s->capslots ? s->capslots * 2 : 64;
			s->slots = xrealloc(s->slots, s->capslots * sizeof(*s->slots));
		}
		s->slots[s->nslots].key = key;
		s->slots[s->nslots++].slot = i;
		*slot = i;
		return 1;
	}
	return 0;
}

static void
pg_slot_release(void *h, const char *ip, int slot)
{
	struct pg_store *s = h;
	int32_t key = store_slot_key(ip);
	struct pg_args a = { .n = 0 };
	size_t i;

	for (i = 0; i < s->nslots; i++)
		if (s->slots[i].key == key && s->slots[i].slot == slot)
			break;
	if (i == s->nslots)
		return;
	s->slots[i] = s->slots[--s->nslots];
	ai(&a, key);
	ai(&a, slot);
	/* a failure here means the session is gone, and its locks with it */
	(void)pg_do(s, Q_SLOT_FREE, &a, NULL);
}

/* ---- one finished domain ----------------------------------------------------------------- */

static const struct store_cert_rec *pg_sort_certs;
static const struct store_probe *pg_sort_probes;

static int
pg_cert_cmp(const void *x, const void *y)
{
	return strcmp(pg_sort_certs[*(const size_t *)x].sha256,
	    pg_sort_certs[*(const size_t *)y].sha256);
}

static int
pg_probe_cmp(const void *x, const void *y)
{
	const char *a = pg_sort_probes[*(const size_t *)x].key;
	const char *b = pg_sort_probes[*(const size_t *)y].key;

	return strcmp(a ? a : "", b ? b : "");
}

/* One attempt at the transaction; *retry when it failed in a way a second attempt may not. */
static int
pg_domain_put_once(struct pg_store *s, int64_t run, const struct store_domain_rec *r,
    const size_t *corder, const size_t *porder, int *retry)
{
	struct pg_args a;
	PGresult *res;
	long long id;
	size_t i;

	*retry = 0;
	if (pg_exec(s, "BEGIN") < 0)
		return -1;
	a.n = 0;
	ai(&a, run);
	ai(&a, r->seq);
	at(&a, r->domain);
	an(&a, r->rank);
	at(&a, r->protection ? r->protection : "?");
	an(&a, r->can_read);
	ai(&a, r->accepts_mail);
	ai(&a, r->delivery_at_risk);
	at(&a, r->weakest_mx);
	at(&a, r->sentence);
	at(&a, r->dnssec);
	at(&a, r->dane);
	at(&a, r->mta_sts_mode);
	at(&a, r->mta_sts_id);
	at(&a, r->tlsrpt);
	at(&a, r->grade);
	at(&a, r->worst);
	ai(&a, r->nfindings);
	ai(&a, r->connections);
	ai(&a, r->elapsed_ms);
	if ((res = pg_run(s, Q_DOMAIN_ADD, &a, retry)) == NULL)
		goto fail;
	if (PQntuples(res) == 0) {
		PQclear(res);
		goto done;	/* stored by another worker: idempotent, only mark it done */
	}
	id = pg_ll(res, 0, 0);
	PQclear(res);

	a.n = 0;
	ai(&a, id);
	at(&a, r->json);
	if (pg_do(s, Q_REPORT_ADD, &a, retry) < 0)
		goto fail;
	for (i = 0; i < r->nmx; i++) {
		const struct store_mx_rec *m = &r->mx[i];

		a.n = 0;
		ai(&a, id);
		ai(&a, (long long)i);
		at(&a, m->host ? m->host : "?");
		an(&a, m->pref);
		at(&a, m->use);
		at(&a, m->addresses_dnssec);
		at(&a, m->dane_for_senders);
		at(&a, m->dane_status);
		at(&a, m->tlsa_name);
		at(&a, m->sts_pattern);
		if (pg_do(s, Q_MX_ADD, &a, retry) < 0)
			goto fail;
	}
	for (i = 0; i < r->ntlsa; i++) {
		a.n = 0;
		ai(&a, id);
		at(&a, r->tlsa[i].host ? r->tlsa[i].host : "?");
		at(&a, r->tlsa[i].record ? r->tlsa[i].record : "?");
		if (pg_do(s, Q_TLSA_ADD, &a, retry) < 0)
			goto fail;
	}
	a.n = 0;
	ai(&a, id);
	ai(&a, r->sts_record_present);
	ai(&a, r->sts_record_valid);
	at(&a, r->mta_sts_id);
	ai(&a, r->sts_fetched);
	an(&a, r->sts_http_status > 0 ? r->sts_http_status : -1);
	ai(&a, r->sts_policy_valid);
	at(&a, r->mta_sts_mode);
	an(&a, r->sts_max_age);
	at(&a, r->sts_mx_json);
	at(&a, r->sts_error);
	if (pg_do(s, Q_STS_ADD, &a, retry) < 0)
		goto fail;
	for (i = 0; i < r->ncert; i++) {
		const struct store_cert_rec *c = &r->cert[corder[i]];

		a.n = 0;
		at(&a, c->sha256);
		at(&a, c->spki_sha256);
		at(&a, c->subject);
		at(&a, c->issuer);
		at(&a, c->not_before);
		at(&a, c->not_after);
		at(&a, c->key_type);
		an(&a, c->key_bits);
		at(&a, c->sig_alg);
		ai(&a, c->self_signed);
		at(&a, c->san_json);
		ai(&a, run);
		if (pg_do(s, Q_CERT_ADD, &a, retry) < 0)
			goto fail;
	}
	for (i = 0; i < r->nep; i++) {
		const struct store_ep_rec *e = &r->ep[i];

		a.n = 0;
		ai(&a, id);
		ai(&a, (long long)i);
		at(&a, e->host);
		at(&a, e->ip ? e->ip : "?");
		ai(&a, e->port);
		at(&a, e->proto);
		at(&a, e->refname);
		ai(&a, e->connected);
		ai(&a, e->starttls_offered);
		at(&a, e->tls_version);
		at(&a, e->cipher);
		at(&a, e->group);
		at(&a, e->cert_sha256);
		an(&a, e->chain_valid);
		an(&a, e->name_match);
		an(&a, e->dane_verified);
		at(&a, e->grade);
		at(&a, e->banner);
		at(&a, e->probe_key);
		if (pg_do(s, Q_EP_ADD, &a, retry) < 0)
			goto fail;
	}
	for (i = 0; i < r->nfind; i++) {
		const struct store_finding_rec *f = &r->find[i];

		a.n = 0;
		ai(&a, id);
		at(&a, f->scope);
		at(&a, f->id ? f->id : "?");
		at(&a, f->severity ? f->severity : "?");
		at(&a, f->detail);
		if (pg_do(s, Q_FINDING_ADD, &a, retry) < 0)
			goto fail;
	}
	for (i = 0; i < r->nprobe; i++) {
		const struct store_probe *p = &r->probe[porder[i]];

		if (!p->first_use)
			continue;	/* counted by the first domain of this worker that used it */
		a.n = 0;
		ai(&a, run);
		at(&a, p->key);
		at(&a, p->ip ? p->ip : "?");
		ai(&a, p->port);
		at(&a, p->refname);
		ai(&a, p->attempts);
		ai(&a, p->connections);
		ai(&a, p->elapsed_ms);
		if (pg_do(s, Q_PROBE_ADD, &a, retry) < 0)
			goto fail;
	}
done:
	a.n = 0;
	ai(&a, run);
	ai(&a, r->seq);
	if (pg_do(s, Q_TARGET_DONE, &a, retry) < 0)
		goto fail;
	if (pg_exec(s, "COMMIT") < 0)
		goto fail;
	return 0;
fail:
	pg_rollback(s);
	return -1;
}

static int
pg_domain_put(void *h, int64_t run, const struct store_domain_rec *r)
{
	struct pg_store *s = h;
	size_t *corder = xcalloc(r->ncert + 1, sizeof(*corder));
	size_t *porder = xcalloc(r->nprobe + 1, sizeof(*porder));
	size_t i;
	int rc, retry, tries = 0;

	/* one order for every worker: two transactions never wait for each other in a circle */
	for (i = 0; i < r->ncert; i++)
		corder[i] = i;
	for (i = 0; i < r->nprobe; i++)
		porder[i] = i;
	pg_sort_certs = r->cert;
	qsort(corder, r->ncert, sizeof(*corder), pg_cert_cmp);
	pg_sort_probes = r->probe;
	qsort(porder, r->nprobe, sizeof(*porder), pg_probe_cmp);
	do
		rc = pg_domain_put_once(s, run, r, corder, porder, &retry);
	while (rc < 0 && retry && ++tries < PG_RETRIES);
	free(corder);
	free(porder);
	return rc;
}

struct pg_rows_arg {
	int64_t		  run;
	int		(*cb)(void *, const struct store_row *);
	void		 *arg;
};

static int
pg_row(void *arg, PGresult *r, int i)
{
	struct pg_rows_arg *ra = arg;
	struct store_row row;

	memset(&row, 0, sizeof(row));
	row.run = ra->run;
	row.seq = pg_ll(r, i, 0);
	row.domain = pg_txt(r, i, 1);
	row.rank = (long)pg_ll(r, i, 2);
	row.protection = pg_txt(r, i, 3);
	row.dnssec = pg_txt(r, i, 4);
	row.dane = pg_txt(r, i, 5);
	row.mta_sts_mode = pg_txt(r, i, 6);
	row.tlsrpt = pg_txt(r, i, 7);
	row.grade = pg_txt(r, i, 8);
	row.worst = pg_txt(r, i, 9);
	row.weakest_mx = pg_txt(r, i, 10);
	row.finished = pg_txt(r, i, 11);
	row.can_read = (int)pg_ll(r, i, 12);
	row.accepts_mail = (int)pg_ll(r, i, 13);
	row.delivery_at_risk = (int)pg_ll(r, i, 14);
	row.nfindings = (long)pg_ll(r, i, 15);
	row.connections = (long)pg_ll(r, i, 16);
	row.elapsed_ms = (long)pg_ll(r, i, 17);
	row.json = pg_txt(r, i, 18);
	return ra->cb(ra->arg, &row);
}

/* One row in memory at a time (pg_stream): export, report, changes and policyd's pins. */
static int
pg_rows(void *h, int64_t run, int (*cb)(void *, const struct store_row *), void *arg)
{
	struct pg_args a = { .n = 0 };
	struct pg_rows_arg ra = { run, cb, arg };

	ai(&a, run);
	return pg_stream(h, Q_ROWS, &a, pg_row, &ra);
}

struct pg_notes_arg {
	int		(*cb)(void *, long long, const char *, const char *);
	void		 *arg;
};

static int
pg_note_row(void *arg, PGresult *r, int i)
{
	struct pg_notes_arg *na = arg;

	return na->cb(na->arg, pg_ll(r, i, 0), pg_txt(r, i, 1), pg_txt(r, i, 2));
}

static int
pg_input_errors(void *h, int64_t run, int (*cb)(void *, long long, const char *, const char *),
    void *arg)
{
	struct pg_args a = { .n = 0 };
	struct pg_notes_arg na = { cb, arg };

	ai(&a, run);
	return pg_stream(h, Q_NOTES, &a, pg_note_row, &na);
}

const struct store_backend store_pgsql = {
	.name = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.error = pg_error,
	.run_open = pg_run_open,
	.run_counts = pg_run_counts,
	.run_finish = pg_run_finish,
	.run_latest = pg_run_latest,
	.queue_add = pg_queue_add,
	.queue_next = pg_queue_next,
	.domain_put = pg_domain_put,
	.rows = pg_rows,
	.input_errors = pg_input_errors,
	.queue_claim = pg_queue_claim,
	.queue_renew = pg_queue_renew,
	.queue_state = pg_queue_state,
	.slot_acquire = pg_slot_acquire,
	.slot_release = pg_slot_release,
};
