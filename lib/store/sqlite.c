/*
 * sqlite.c — the SQLite backend of the store (store.h; schema and migrations in
 * docs/store-schema.md).  Debian's libsqlite3, plain SQL, prepared statements.
 *
 * - WAL journal, synchronous=NORMAL: a committed transaction survives a crash or kill -9 of the
 *   process (it is in the WAL, which the OS holds); after a power loss the last transactions may
 *   be missing, and those domains are simply still pending: redone, never half-stored.
 * - One transaction per finished domain (BEGIN IMMEDIATE ... COMMIT): its rows and its queue
 *   entry's done mark together.
 * - The schema version is PRAGMA user_version; migrations[] brings an older file up to
 *   STORE_SCHEMA in one transaction each, and a newer file is refused, never altered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/store.h"
#include "report/report.h"
#include "util/xalloc.h"

/* migrations[i] takes a database from user_version i to i + 1 */
static const char *const sqlite_migrations[STORE_SCHEMA] = {
	/* 0 -> 1: the first schema */
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE runs ("
	"  id INTEGER PRIMARY KEY,"
	"  started TEXT NOT NULL,"
	"  finished TEXT,"
	"  status TEXT NOT NULL CHECK (status IN ('running','done','abandoned')),"
	"  input TEXT NOT NULL,"
	"  options TEXT NOT NULL,"
	"  tool TEXT NOT NULL,"
	"  report_schema INTEGER NOT NULL,"
	"  input_offset INTEGER NOT NULL DEFAULT 0,"
	"  input_line INTEGER NOT NULL DEFAULT 0,"
	"  input_eof INTEGER NOT NULL DEFAULT 0,"
	"  next_seq INTEGER NOT NULL DEFAULT 1,"
	"  sessions INTEGER NOT NULL DEFAULT 1);"
	"CREATE TABLE targets ("
	"  run_id INTEGER NOT NULL REFERENCES runs(id),"
	"  seq INTEGER NOT NULL,"
	"  domain TEXT NOT NULL,"
	"  rank INTEGER,"
	"  line INTEGER NOT NULL,"
	"  done INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (run_id, seq),"
	"  UNIQUE (run_id, domain)) WITHOUT ROWID;"
	"CREATE INDEX targets_todo ON targets(run_id, done, seq);"
	"CREATE TABLE input_notes ("
	"  run_id INTEGER NOT NULL REFERENCES runs(id),"
	"  line INTEGER NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('error','duplicate')),"
	"  text TEXT NOT NULL,"
	"  detail TEXT NOT NULL,"
	"  PRIMARY KEY (run_id, line)) WITHOUT ROWID;"
	"CREATE TABLE domains ("
	"  id INTEGER PRIMARY KEY,"
	"  run_id INTEGER NOT NULL REFERENCES runs(id),"
	"  seq INTEGER NOT NULL,"
	"  domain TEXT NOT NULL,"
	"  rank INTEGER,"
	"  finished TEXT NOT NULL,"
	"  protection TEXT NOT NULL,"
	"  can_read INTEGER,"
	"  accepts_mail INTEGER NOT NULL,"
	"  delivery_at_risk INTEGER NOT NULL,"
	"  weakest_mx TEXT,"
	"  sentence TEXT,"
	"  dnssec TEXT,"
	"  dane TEXT,"
	"  mta_sts_mode TEXT,"
	"  mta_sts_id TEXT,"
	"  tlsrpt TEXT,"
	"  grade TEXT,"
	"  worst_severity TEXT,"
	"  findings INTEGER NOT NULL,"
	"  connections INTEGER NOT NULL,"
	"  elapsed_ms INTEGER NOT NULL,"
	"  UNIQUE (run_id, domain));"
	"CREATE INDEX domains_history ON domains(domain, run_id);"
	"CREATE TABLE reports ("
	"  domain_id INTEGER PRIMARY KEY REFERENCES domains(id),"
	"  json TEXT NOT NULL);"
	"CREATE TABLE mx ("
	"  domain_id INTEGER NOT NULL REFERENCES domains(id),"
	"  pos INTEGER NOT NULL,"
	"  host TEXT NOT NULL,"
	"  preference INTEGER,"
	"  use TEXT,"
	"  addresses_dnssec TEXT,"
	"  dane_for_senders TEXT,"
	"  dane_status TEXT,"
	"  tlsa_name TEXT,"
	"  mta_sts_pattern TEXT,"
	"  PRIMARY KEY (domain_id, pos)) WITHOUT ROWID;"
	"CREATE TABLE tlsa ("
	"  domain_id INTEGER NOT NULL REFERENCES domains(id),"
	"  host TEXT NOT NULL,"
	"  record TEXT NOT NULL);"
	"CREATE INDEX tlsa_domain ON tlsa(domain_id);"
	"CREATE TABLE mta_sts ("
	"  domain_id INTEGER PRIMARY KEY REFERENCES domains(id),"
	"  record_present INTEGER NOT NULL,"
	"  record_valid INTEGER NOT NULL,"
	"  id TEXT,"
	"  fetched INTEGER NOT NULL,"
	"  http_status INTEGER,"
	"  policy_valid INTEGER NOT NULL,"
	"  mode TEXT,"
	"  max_age INTEGER,"
	"  mx TEXT,"
	"  error TEXT);"
	"CREATE TABLE certificates ("
	"  sha256 TEXT PRIMARY KEY,"
	"  spki_sha256 TEXT,"
	"  subject TEXT,"
	"  issuer TEXT,"
	"  not_before TEXT,"
	"  not_after TEXT,"
	"  key_type TEXT,"
	"  key_bits INTEGER,"
	"  signature_algorithm TEXT,"
	"  self_signed INTEGER,"
	"  san TEXT,"
	"  first_run INTEGER) WITHOUT ROWID;"
	"CREATE TABLE probes ("
	"  run_id INTEGER NOT NULL REFERENCES runs(id),"
	"  key TEXT NOT NULL,"
	"  ip TEXT NOT NULL,"
	"  port INTEGER NOT NULL,"
	"  reference_name TEXT,"
	"  probes INTEGER NOT NULL,"
	"  attempts INTEGER NOT NULL,"
	"  connections INTEGER NOT NULL,"
	"  elapsed_ms INTEGER,"
	"  PRIMARY KEY (run_id, key)) WITHOUT ROWID;"
	"CREATE TABLE endpoints ("
	"  domain_id INTEGER NOT NULL REFERENCES domains(id),"
	"  pos INTEGER NOT NULL,"
	"  host TEXT,"
	"  ip TEXT NOT NULL,"
	"  port INTEGER NOT NULL,"
	"  proto TEXT,"
	"  reference_name TEXT,"
	"  connected INTEGER NOT NULL,"
	"  starttls_offered INTEGER NOT NULL,"
	"  tls_version TEXT,"
	"  cipher TEXT,"
	"  tls_group TEXT,"
	"  cert_sha256 TEXT REFERENCES certificates(sha256),"
	"  chain_valid INTEGER,"
	"  name_match INTEGER,"
	"  dane_verified INTEGER,"
	"  grade TEXT,"
	"  banner TEXT,"
	"  probe_key TEXT,"
	"  PRIMARY KEY (domain_id, pos)) WITHOUT ROWID;"
	"CREATE INDEX endpoints_ip ON endpoints(ip);"
	"CREATE INDEX endpoints_cert ON endpoints(cert_sha256);"
	"CREATE TABLE findings ("
	"  domain_id INTEGER NOT NULL REFERENCES domains(id),"
	"  scope TEXT,"
	"  finding TEXT NOT NULL,"
	"  severity TEXT NOT NULL,"
	"  detail TEXT);"
	"CREATE INDEX findings_domain ON findings(domain_id);"
	"CREATE INDEX findings_id ON findings(finding);"
	"INSERT INTO meta VALUES ('created', strftime('%Y-%m-%dT%H:%M:%SZ','now'));",
};

enum {
	Q_BEGIN, Q_COMMIT, Q_ROLLBACK,
	Q_RUN_FIND, Q_RUN_FIND_ANY, Q_RUN_INSERT, Q_RUN_RESUME, Q_RUN_ABANDON, Q_RUN_GET,
	Q_RUN_FINISH, Q_RUN_LATEST, Q_RUN_POS,
	Q_COUNT_TARGETS, Q_COUNT_NOTES,
	Q_TARGET_ADD, Q_TARGET_LINE, Q_NOTE_ADD, Q_QUEUE_NEXT, Q_TARGET_DONE,
	Q_DOMAIN_ADD, Q_REPORT_ADD, Q_MX_ADD, Q_TLSA_ADD, Q_STS_ADD, Q_CERT_ADD, Q_EP_ADD,
	Q_FINDING_ADD, Q_PROBE_ADD,
	Q_ROWS, Q_NOTES,
	Q_LAST
};

static const char *const sqlite_sql[Q_LAST] = {
	[Q_BEGIN] = "BEGIN IMMEDIATE",
	[Q_COMMIT] = "COMMIT",
	[Q_ROLLBACK] = "ROLLBACK",
	[Q_RUN_FIND] = "SELECT id FROM runs WHERE status = 'running' AND input = ?1 ORDER BY id DESC LIMIT 1",
	[Q_RUN_FIND_ANY] = "SELECT id FROM runs WHERE status = 'running' ORDER BY id DESC LIMIT 1",
	[Q_RUN_INSERT] = "INSERT INTO runs (started, status, input, options, tool, report_schema) "
	    "VALUES (strftime('%Y-%m-%dT%H:%M:%SZ','now'), 'running', ?1, ?2, ?3, ?4)",
	[Q_RUN_RESUME] = "UPDATE runs SET sessions = sessions + 1 WHERE id = ?1",
	[Q_RUN_ABANDON] = "UPDATE runs SET status = 'abandoned', finished = "
	    "strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE status = 'running' AND input = ?1",
	[Q_RUN_GET] = "SELECT input, options, input_offset, input_line, input_eof, next_seq, status "
	    "FROM runs WHERE id = ?1",
	[Q_RUN_FINISH] = "UPDATE runs SET status = ?2, finished = "
	    "strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?1",
	[Q_RUN_LATEST] = "SELECT max(id) FROM runs",
	[Q_RUN_POS] = "UPDATE runs SET input_offset = ?2, input_line = ?3, input_eof = ?4, "
	    "next_seq = ?5 WHERE id = ?1",
	[Q_COUNT_TARGETS] = "SELECT count(*), total(done) FROM targets WHERE run_id = ?1",
	[Q_COUNT_NOTES] = "SELECT total(kind = 'error'), total(kind = 'duplicate') FROM input_notes "
	    "WHERE run_id = ?1",
	[Q_TARGET_ADD] = "INSERT OR IGNORE INTO targets (run_id, seq, domain, rank, line) "
	    "VALUES (?1, ?2, ?3, ?4, ?5)",
	[Q_TARGET_LINE] = "SELECT line FROM targets WHERE run_id = ?1 AND domain = ?2",
	[Q_NOTE_ADD] = "INSERT OR IGNORE INTO input_notes (run_id, line, kind, text, detail) "
	    "VALUES (?1, ?2, ?3, ?4, ?5)",
	[Q_QUEUE_NEXT] = "SELECT seq, domain, rank, line FROM targets WHERE run_id = ?1 AND done = 0 "
	    "AND seq > ?2 ORDER BY seq LIMIT ?3",
	[Q_TARGET_DONE] = "UPDATE targets SET done = 1 WHERE run_id = ?1 AND seq = ?2",
	[Q_DOMAIN_ADD] = "INSERT OR IGNORE INTO domains (run_id, seq, domain, rank, finished, "
	    "protection, can_read, accepts_mail, delivery_at_risk, weakest_mx, sentence, dnssec, "
	    "dane, mta_sts_mode, mta_sts_id, tlsrpt, grade, worst_severity, findings, connections, "
	    "elapsed_ms) VALUES (?1, ?2, ?3, ?4, strftime('%Y-%m-%dT%H:%M:%SZ','now'), ?5, ?6, ?7, "
	    "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
	[Q_REPORT_ADD] = "INSERT INTO reports (domain_id, json) VALUES (?1, ?2)",
	[Q_MX_ADD] = "INSERT INTO mx (domain_id, pos, host, preference, use, addresses_dnssec, "
	    "dane_for_senders, dane_status, tlsa_name, mta_sts_pattern) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[Q_TLSA_ADD] = "INSERT INTO tlsa (domain_id, host, record) VALUES (?1, ?2, ?3)",
	[Q_STS_ADD] = "INSERT INTO mta_sts (domain_id, record_present, record_valid, id, fetched, "
	    "http_status, policy_valid, mode, max_age, mx, error) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[Q_CERT_ADD] = "INSERT OR IGNORE INTO certificates (sha256, spki_sha256, subject, issuer, "
	    "not_before, not_after, key_type, key_bits, signature_algorithm, self_signed, san, "
	    "first_run) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	[Q_EP_ADD] = "INSERT INTO endpoints (domain_id, pos, host, ip, port, proto, reference_name, "
	    "connected, starttls_offered, tls_version, cipher, tls_group, cert_sha256, chain_valid, "
	    "name_match, dane_verified, grade, banner, probe_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
	    "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
	[Q_FINDING_ADD] = "INSERT INTO findings (domain_id, scope, finding, severity, detail) "
	    "VALUES (?1, ?2, ?3, ?4, ?5)",
	[Q_PROBE_ADD] = "INSERT INTO probes (run_id, key, ip, port, reference_name, probes, attempts, "
	    "connections, elapsed_ms) VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?8) "
	    "ON CONFLICT (run_id, key) DO UPDATE SET probes = probes + 1, "
	    "attempts = attempts + excluded.attempts, connections = connections + excluded.connections",
	[Q_ROWS] = "SELECT d.seq, d.domain, d.rank, d.protection, d.dnssec, d.dane, d.mta_sts_mode, "
	    "d.tlsrpt, d.grade, d.worst_severity, d.weakest_mx, d.finished, d.can_read, "
	    "d.accepts_mail, d.delivery_at_risk, d.findings, d.connections, d.elapsed_ms, r.json "
	    "FROM domains d JOIN reports r ON r.domain_id = d.id WHERE d.run_id = ?1 ORDER BY d.seq",
	[Q_NOTES] = "SELECT line, text, detail FROM input_notes WHERE run_id = ?1 AND kind = 'error' "
	    "ORDER BY line",
};

struct sqlite_store {
	sqlite3		*db;
	sqlite3_stmt	*q[Q_LAST];
	char		 err[512];
	int		 readonly;
};

static const char *
sqlite_error(void *h)
{
	return ((struct sqlite_store *)h)->err;
}

static int
sqlite_fail(struct sqlite_store *s, const char *what)
{
	snprintf(s->err, sizeof(s->err), "%s: %s", what, sqlite3_errmsg(s->db));
	return -1;
}

/* The prepared statement, reset and cleared for new bindings. */
static sqlite3_stmt *
sqlite_q(struct sqlite_store *s, int which)
{
	sqlite3_stmt *st = s->q[which];

	if (st == NULL) {
		if (sqlite3_prepare_v3(s->db, sqlite_sql[which], -1, SQLITE_PREPARE_PERSISTENT, &st,
		    NULL) != SQLITE_OK) {
			sqlite_fail(s, sqlite_sql[which]);
			return NULL;
		}
		s->q[which] = st;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

static void
bt(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

static void
bi(sqlite3_stmt *st, int i, long long v)
{
	sqlite3_bind_int64(st, i, v);
}

/* -1 binds null */
static void
bn(sqlite3_stmt *st, int i, long long v)
{
	if (v < 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

/* Runs a statement that returns no rows. */
static int
sqlite_done(struct sqlite_store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sqlite_fail(s, what);
	return 0;
}

static int
sqlite_exec(struct sqlite_store *s, int which)
{
	sqlite3_stmt *st = sqlite_q(s, which);

	return st ? sqlite_done(s, st, sqlite_sql[which]) : -1;
}

static void
sqlite_rollback(struct sqlite_store *s)
{
	char keep[sizeof(s->err)];

	memcpy(keep, s->err, sizeof(keep));
	if (!sqlite3_get_autocommit(s->db))
		(void)sqlite_exec(s, Q_ROLLBACK);
	memcpy(s->err, keep, sizeof(keep));
}

static int
sqlite_pragma_int(struct sqlite_store *s, const char *sql, int *out)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return sqlite_fail(s, sql);
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sqlite_fail(s, sql);
}

static int
sqlite_migrate(struct sqlite_store *s)
{
	char sql[64];
	int v, i;

	if (sqlite_pragma_int(s, "PRAGMA user_version", &v) < 0)
		return -1;
	if (v > STORE_SCHEMA) {
		snprintf(s->err, sizeof(s->err), "the database has store schema %d, newer than this "
		    "mailtls knows (%d); use a newer mailtls", v, STORE_SCHEMA);
		return -1;
	}
	if (v < STORE_SCHEMA && s->readonly) {
		snprintf(s->err, sizeof(s->err), "the database has store schema %d; open it for "
		    "writing once (mailtls scan) to migrate it to %d", v, STORE_SCHEMA);
		return -1;
	}
	for (i = v; i < STORE_SCHEMA; i++) {
		if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
			return sqlite_fail(s, "migration");
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", i + 1);
		if (sqlite3_exec(s->db, sqlite_migrations[i], NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
			sqlite_fail(s, "migration");
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			return sqlite_fail(s, "migration");
	}
	return 0;
}

static void	sqlite_close(void *);

static void *
sqlite_open(const char *path, int readonly, char *err, size_t errlen)
{
	struct sqlite_store *s = xcalloc(1, sizeof(*s));
	int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;

	s->readonly = readonly;
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, s->db ? sqlite3_errmsg(s->db) :
		    "cannot open");
		sqlite_close(s);
		return NULL;
	}
	sqlite3_extended_result_codes(s->db, 1);
	/* another process (a second scan, an export) may hold the write lock for a moment */
	sqlite3_busy_timeout(s->db, 10000);
	if ((!readonly && (sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) !=
	    SQLITE_OK || sqlite3_exec(s->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL) !=
	    SQLITE_OK)) || sqlite3_exec(s->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
		sqlite_close(s);
		return NULL;
	}
	if (sqlite_migrate(s) < 0) {
		snprintf(err, errlen, "%s: %s", path, s->err);
		sqlite_close(s);
		return NULL;
	}
	return s;
}

static void
sqlite_close(void *h)
{
	struct sqlite_store *s = h;
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < Q_LAST; i++)
		sqlite3_finalize(s->q[i]);
	sqlite3_close(s->db);
	free(s);
}

static void
sqlite_cpy(char *dst, size_t len, const unsigned char *src)
{
	snprintf(dst, len, "%s", src ? (const char *)src : "");
}

static int
sqlite_run_get(struct sqlite_store *s, int64_t id, struct store_run *run)
{
	sqlite3_stmt *st = sqlite_q(s, Q_RUN_GET);
	const char *status;
	int rc;

	if (st == NULL)
		return -1;
	bi(st, 1, id);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		if (rc == SQLITE_DONE) {
			snprintf(s->err, sizeof(s->err), "no run %lld", (long long)id);
			return -1;
		}
		return sqlite_fail(s, "reading the run");
	}
	run->id = id;
	sqlite_cpy(run->input, sizeof(run->input), sqlite3_column_text(st, 0));
	sqlite_cpy(run->options, sizeof(run->options), sqlite3_column_text(st, 1));
	run->input_offset = sqlite3_column_int64(st, 2);
	run->input_line = sqlite3_column_int64(st, 3);
	run->input_eof = sqlite3_column_int(st, 4);
	run->next_seq = sqlite3_column_int64(st, 5);
	status = (const char *)sqlite3_column_text(st, 6);
	run->status = status && strcmp(status, "done") == 0 ? STORE_RUN_DONE :
	    status && strcmp(status, "abandoned") == 0 ? STORE_RUN_ABANDONED : STORE_RUN_RUNNING;
	sqlite3_reset(st);
	return 0;
}

static int
sqlite_run_open(void *h, enum store_open_mode mode, const char *input, const char *options,
    const char *tool, struct store_run *run)
{
	struct sqlite_store *s = h;
	sqlite3_stmt *st;
	int64_t id = 0;

	memset(run, 0, sizeof(*run));
	if (sqlite_exec(s, Q_BEGIN) < 0)
		return -1;
	if (mode != STORE_RUN_NEW) {
		if ((st = sqlite_q(s, input ? Q_RUN_FIND : Q_RUN_FIND_ANY)) == NULL)
			goto fail;
		if (input)
			bt(st, 1, input);
		if (sqlite3_step(st) == SQLITE_ROW)
			id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		if (id == 0 && mode == STORE_RUN_RESUME) {
			snprintf(s->err, sizeof(s->err), "no unfinished run%s%s to resume",
			    input ? " of " : "", input ? input : "");
			goto fail;
		}
	} else {
		if ((st = sqlite_q(s, Q_RUN_ABANDON)) == NULL)
			goto fail;
		bt(st, 1, input);
		if (sqlite_done(s, st, "abandoning the old run") < 0)
			goto fail;
	}
	if (id != 0) {
		if ((st = sqlite_q(s, Q_RUN_RESUME)) == NULL)
			goto fail;
		bi(st, 1, id);
		if (sqlite_done(s, st, "resuming the run") < 0)
			goto fail;
		run->resumed = 1;
	} else {
		if ((st = sqlite_q(s, Q_RUN_INSERT)) == NULL)
			goto fail;
		bt(st, 1, input ? input : "-");
		bt(st, 2, options ? options : "{}");
		bt(st, 3, tool);
		bi(st, 4, REPORT_SCHEMA);
		if (sqlite_done(s, st, "creating the run") < 0)
			goto fail;
		id = sqlite3_last_insert_rowid(s->db);
	}
	if (sqlite_run_get(s, id, run) < 0 || sqlite_exec(s, Q_COMMIT) < 0)
		goto fail;
	run->resumed = id != 0 && run->resumed;
	return 0;
fail:
	sqlite_rollback(s);
	return -1;
}

static int
sqlite_run_counts(void *h, int64_t run, struct store_run_counts *c)
{
	struct sqlite_store *s = h;
	sqlite3_stmt *st;

	memset(c, 0, sizeof(*c));
	if ((st = sqlite_q(s, Q_COUNT_TARGETS)) == NULL)
		return -1;
	bi(st, 1, run);
	if (sqlite3_step(st) == SQLITE_ROW) {
		c->targets = sqlite3_column_int64(st, 0);
		c->done = (long long)sqlite3_column_double(st, 1);
	}
	sqlite3_reset(st);
	if ((st = sqlite_q(s, Q_COUNT_NOTES)) == NULL)
		return -1;
	bi(st, 1, run);
	if (sqlite3_step(st) == SQLITE_ROW) {
		c->errors = (long long)sqlite3_column_double(st, 0);
		c->duplicates = (long long)sqlite3_column_double(st, 1);
	}
	sqlite3_reset(st);
	return 0;
}

static int
sqlite_run_finish(void *h, int64_t run, enum store_run_status status)
{
	struct sqlite_store *s = h;
	sqlite3_stmt *st = sqlite_q(s, Q_RUN_FINISH);

	if (st == NULL)
		return -1;
	bi(st, 1, run);
	bt(st, 2, store_run_status_name(status));
	return sqlite_done(s, st, "finishing the run");
}

static int
sqlite_run_latest(void *h, int64_t *run)
{
	struct sqlite_store *s = h;
	sqlite3_stmt *st = sqlite_q(s, Q_RUN_LATEST);

	*run = 0;
	if (st == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		*run = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

static int
sqlite_note(struct sqlite_store *s, int64_t run, long long line, const char *kind,
    const char *text, const char *detail)
{
	sqlite3_stmt *st = sqlite_q(s, Q_NOTE_ADD);

	if (st == NULL)
		return -1;
	bi(st, 1, run);
	bi(st, 2, line);
	bt(st, 3, kind);
	bt(st, 4, text ? text : "");
	bt(st, 5, detail ? detail : "");
	return sqlite_done(s, st, "storing an input note");
}

static int
sqlite_queue_add(void *h, int64_t run, struct store_target *t, size_t n,
    const struct store_input_error *e, size_t ne, long long offset, long long line, int eof)
{
	struct sqlite_store *s = h;
	struct store_run r;
	sqlite3_stmt *st;
	long long seq;
	size_t i;
	char first[32];

	if (sqlite_exec(s, Q_BEGIN) < 0)
		return -1;
	/* next_seq from the database, inside the transaction: never two writers on one number */
	if (sqlite_run_get(s, run, &r) < 0)
		goto fail;
	seq = r.next_seq;
	for (i = 0; i < n; i++) {
		if ((st = sqlite_q(s, Q_TARGET_ADD)) == NULL)
			goto fail;
		bi(st, 1, run);
		bi(st, 2, seq);
		bt(st, 3, t[i].domain);
		bn(st, 4, t[i].rank);
		bi(st, 5, t[i].line);
		if (sqlite_done(s, st, "queueing a domain") < 0)
			goto fail;
		t[i].duplicate_of = 0;
		if (sqlite3_changes(s->db) == 1) {
			t[i].seq = seq++;
			continue;
		}
		if ((st = sqlite_q(s, Q_TARGET_LINE)) == NULL)
			goto fail;
		bi(st, 1, run);
		bt(st, 2, t[i].domain);
		t[i].duplicate_of = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
		sqlite3_reset(st);
		snprintf(first, sizeof(first), "first on line %d", t[i].duplicate_of);
		if (sqlite_note(s, run, t[i].line, "duplicate", t[i].domain, first) < 0)
			goto fail;
	}
	for (i = 0; i < ne; i++)
		if (sqlite_note(s, run, e[i].line, "error", e[i].text, e[i].error) < 0)
			goto fail;
	if ((st = sqlite_q(s, Q_RUN_POS)) == NULL)
		goto fail;
	bi(st, 1, run);
	bi(st, 2, offset);
	bi(st, 3, line);
	bi(st, 4, eof);
	bi(st, 5, seq);
	if (sqlite_done(s, st, "recording the input position") < 0 || sqlite_exec(s, Q_COMMIT) < 0)
		goto fail;
	return 0;
fail:
	sqlite_rollback(s);
	return -1;
}

static int
sqlite_queue_next(void *h, int64_t run, long long after, size_t limit, struct store_pending *p,
    size_t *n)
{
	struct sqlite_store *s = h;
	sqlite3_stmt *st = sqlite_q(s, Q_QUEUE_NEXT);
	int rc;

	*n = 0;
	if (st == NULL)
		return -1;
	bi(st, 1, run);
	bi(st, 2, after);
	bi(st, 3, (long long)limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < limit) {
		struct store_pending *x = &p[(*n)++];

		x->seq = sqlite3_column_int64(st, 0);
		sqlite_cpy(x->domain, sizeof(x->domain), sqlite3_column_text(st, 1));
		x->rank = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 :
		    (long)sqlite3_column_int64(st, 2);
		x->line = sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sqlite_fail(s, "reading the queue");
	return 0;
}

static int
sqlite_domain_put(void *h, int64_t run, const struct store_domain_rec *r)
{
	struct sqlite_store *s = h;
	sqlite3_stmt *st;
	int64_t id;
	size_t i;

	if (sqlite_exec(s, Q_BEGIN) < 0)
		return -1;
	if ((st = sqlite_q(s, Q_DOMAIN_ADD)) == NULL)
		goto fail;
	bi(st, 1, run);
	bi(st, 2, r->seq);
	bt(st, 3, r->domain);
	bn(st, 4, r->rank);
	bt(st, 5, r->protection ? r->protection : "?");
	bn(st, 6, r->can_read);
	bi(st, 7, r->accepts_mail);
	bi(st, 8, r->delivery_at_risk);
	bt(st, 9, r->weakest_mx);
	bt(st, 10, r->sentence);
	bt(st, 11, r->dnssec);
	bt(st, 12, r->dane);
	bt(st, 13, r->mta_sts_mode);
	bt(st, 14, r->mta_sts_id);
	bt(st, 15, r->tlsrpt);
	bt(st, 16, r->grade);
	bt(st, 17, r->worst);
	bi(st, 18, r->nfindings);
	bi(st, 19, r->connections);
	bi(st, 20, r->elapsed_ms);
	if (sqlite_done(s, st, "storing the domain") < 0)
		goto fail;
	if (sqlite3_changes(s->db) == 0)
		goto done;	/* stored before (a second writer): idempotent, only mark it done */
	id = sqlite3_last_insert_rowid(s->db);

	if ((st = sqlite_q(s, Q_REPORT_ADD)) == NULL)
		goto fail;
	bi(st, 1, id);
	bt(st, 2, r->json);
	if (sqlite_done(s, st, "storing the report") < 0)
		goto fail;
	for (i = 0; i < r->nmx; i++) {
		const struct store_mx_rec *m = &r->mx[i];

		if ((st = sqlite_q(s, Q_MX_ADD)) == NULL)
			goto fail;
		bi(st, 1, id);
		bi(st, 2, (long long)i);
		bt(st, 3, m->host ? m->host : "?");
		bn(st, 4, m->pref);
		bt(st, 5, m->use);
		bt(st, 6, m->addresses_dnssec);
		bt(st, 7, m->dane_for_senders);
		bt(st, 8, m->dane_status);
		bt(st, 9, m->tlsa_name);
		bt(st, 10, m->sts_pattern);
		if (sqlite_done(s, st, "storing an MX") < 0)
			goto fail;
	}
	for (i = 0; i < r->ntlsa; i++) {
		if ((st = sqlite_q(s, Q_TLSA_ADD)) == NULL)
			goto fail;
		bi(st, 1, id);
		bt(st, 2, r->tlsa[i].host ? r->tlsa[i].host : "?");
		bt(st, 3, r->tlsa[i].record ? r->tlsa[i].record : "?");
		if (sqlite_done(s, st, "storing a TLSA record") < 0)
			goto fail;
	}
	if ((st = sqlite_q(s, Q_STS_ADD)) == NULL)
		goto fail;
	bi(st, 1, id);
	bi(st, 2, r->sts_record_present);
	bi(st, 3, r->sts_record_valid);
	bt(st, 4, r->mta_sts_id);
	bi(st, 5, r->sts_fetched);
	bn(st, 6, r->sts_http_status > 0 ? r->sts_http_status : -1);
	bi(st, 7, r->sts_policy_valid);
	bt(st, 8, r->mta_sts_mode);
	bn(st, 9, r->sts_max_age);
	bt(st, 10, r->sts_mx_json);
	bt(st, 11, r->sts_error);
	if (sqlite_done(s, st, "storing MTA-STS") < 0)
		goto fail;
	for (i = 0; i < r->ncert; i++) {
		const struct store_cert_rec *c = &r->cert[i];

		if ((st = sqlite_q(s, Q_CERT_ADD)) == NULL)
			goto fail;
		bt(st, 1, c->sha256);
		bt(st, 2, c->spki_sha256);
		bt(st, 3, c->subject);
		bt(st, 4, c->issuer);
		bt(st, 5, c->not_before);
		bt(st, 6, c->not_after);
		bt(st, 7, c->key_type);
		bn(st, 8, c->key_bits);
		bt(st, 9, c->sig_alg);
		bi(st, 10, c->self_signed);
		bt(st, 11, c->san_json);
		bi(st, 12, run);
		if (sqlite_done(s, st, "storing a certificate") < 0)
			goto fail;
	}
	for (i = 0; i < r->nep; i++) {
		const struct store_ep_rec *e = &r->ep[i];

		if ((st = sqlite_q(s, Q_EP_ADD)) == NULL)
			goto fail;
		bi(st, 1, id);
		bi(st, 2, (long long)i);
		bt(st, 3, e->host);
		bt(st, 4, e->ip ? e->ip : "?");
		bi(st, 5, e->port);
		bt(st, 6, e->proto);
		bt(st, 7, e->refname);
		bi(st, 8, e->connected);
		bi(st, 9, e->starttls_offered);
		bt(st, 10, e->tls_version);
		bt(st, 11, e->cipher);
		bt(st, 12, e->group);
		bt(st, 13, e->cert_sha256);
		bn(st, 14, e->chain_valid);
		bn(st, 15, e->name_match);
		bn(st, 16, e->dane_verified);
		bt(st, 17, e->grade);
		bt(st, 18, e->banner);
		bt(st, 19, e->probe_key);
		if (sqlite_done(s, st, "storing an endpoint") < 0)
			goto fail;
	}
	for (i = 0; i < r->nfind; i++) {
		const struct store_finding_rec *f = &r->find[i];

		if ((st = sqlite_q(s, Q_FINDING_ADD)) == NULL)
			goto fail;
		bi(st, 1, id);
		bt(st, 2, f->scope);
		bt(st, 3, f->id ? f->id : "?");
		bt(st, 4, f->severity ? f->severity : "?");
		bt(st, 5, f->detail);
		if (sqlite_done(s, st, "storing a finding") < 0)
			goto fail;
	}
	for (i = 0; i < r->nprobe; i++) {
		const struct store_probe *p = &r->probe[i];

		if (!p->first_use)
			continue;	/* counted by the first domain that used it */
		if ((st = sqlite_q(s, Q_PROBE_ADD)) == NULL)
			goto fail;
		bi(st, 1, run);
		bt(st, 2, p->key);
		bt(st, 3, p->ip ? p->ip : "?");
		bi(st, 4, p->port);
		bt(st, 5, p->refname);
		bi(st, 6, p->attempts);
		bi(st, 7, p->connections);
		bi(st, 8, p->elapsed_ms);
		if (sqlite_done(s, st, "storing a probe") < 0)
			goto fail;
	}
done:
	if ((st = sqlite_q(s, Q_TARGET_DONE)) == NULL)
		goto fail;
	bi(st, 1, run);
	bi(st, 2, r->seq);
	if (sqlite_done(s, st, "marking the domain done") < 0 || sqlite_exec(s, Q_COMMIT) < 0)
		goto fail;
	return 0;
fail:
	sqlite_rollback(s);
	return -1;
}

static const char *
ct(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static int
sqlite_rows(void *h, int64_t run, int (*cb)(void *, const struct store_row *), void *arg)
{
	struct sqlite_store *s = h;
	sqlite3_stmt *st;
	struct store_row r;
	int rc;

	/* its own statement: the callback may use the store */
	if (sqlite3_prepare_v2(s->db, sqlite_sql[Q_ROWS], -1, &st, NULL) != SQLITE_OK)
		return sqlite_fail(s, "reading results");
	sqlite3_bind_int64(st, 1, run);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
		r.run = run;
		r.seq = sqlite3_column_int64(st, 0);
		r.domain = ct(st, 1);
		r.rank = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 :
		    (long)sqlite3_column_int64(st, 2);
		r.protection = ct(st, 3);
		r.dnssec = ct(st, 4);
		r.dane = ct(st, 5);
		r.mta_sts_mode = ct(st, 6);
		r.tlsrpt = ct(st, 7);
		r.grade = ct(st, 8);
		r.worst = ct(st, 9);
		r.weakest_mx = ct(st, 10);
		r.finished = ct(st, 11);
		r.can_read = sqlite3_column_type(st, 12) == SQLITE_NULL ? -1 :
		    sqlite3_column_int(st, 12);
		r.accepts_mail = sqlite3_column_int(st, 13);
		r.delivery_at_risk = sqlite3_column_int(st, 14);
		r.nfindings = (long)sqlite3_column_int64(st, 15);
		r.connections = (long)sqlite3_column_int64(st, 16);
		r.elapsed_ms = (long)sqlite3_column_int64(st, 17);
		r.json = ct(st, 18);
		if (cb(arg, &r) != 0)
			break;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sqlite_fail(s, "reading results");
	return 0;
}

static int
sqlite_input_errors(void *h, int64_t run, int (*cb)(void *, long long, const char *,
    const char *), void *arg)
{
	struct sqlite_store *s = h;
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, sqlite_sql[Q_NOTES], -1, &st, NULL) != SQLITE_OK)
		return sqlite_fail(s, "reading input errors");
	sqlite3_bind_int64(st, 1, run);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (cb(arg, sqlite3_column_int64(st, 0), ct(st, 1), ct(st, 2)) != 0)
			break;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sqlite_fail(s, "reading input errors");
}

const struct store_backend store_sqlite = {
	.name = "sqlite",
	.open = sqlite_open,
	.close = sqlite_close,
	.error = sqlite_error,
	.run_open = sqlite_run_open,
	.run_counts = sqlite_run_counts,
	.run_finish = sqlite_run_finish,
	.run_latest = sqlite_run_latest,
	.queue_add = sqlite_queue_add,
	.queue_next = sqlite_queue_next,
	.domain_put = sqlite_domain_put,
	.rows = sqlite_rows,
	.input_errors = sqlite_input_errors,
};
