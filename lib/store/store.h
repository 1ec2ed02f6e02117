/*
 * store.h — where scans keep their results: runs, the work queue of a run, and per domain the
 * verdict, MX hosts, TLSA and MTA-STS facts, endpoints, certificates (once per SHA-256), findings
 * and the full JSON report.  Schema and migrations: docs/store-schema.md.
 *
 * One interface, several backends (after curl's lib/vtls/): store.c opens the backend a location
 * names and turns a domain's JSON report into rows (struct store_domain_rec); a backend only
 * writes and reads rows.  sqlite.c is the first backend (a file; WAL; one transaction per
 * finished domain); pgsql.c keeps the same tables in PostgreSQL, where the queue is also shared
 * by workers on many machines: batches claimed under a lease (queue_claim, queue_renew), and a
 * per-address connection budget across them (slot_acquire; docs/internals/scale-out.md).
 *
 * Nothing here decides anything: the rows are the report's facts, copied.
 *
 * Durability: a domain's rows and its queue entry's "done" mark are one transaction, so after a
 * crash or kill -9 a domain is either stored completely and marked done, or not at all and still
 * pending.  Errors are returned (-1 with a message in store_error()); the library never exits.
 */
#ifndef MAILTLS_STORE_H
#define MAILTLS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct store;
struct arena;

#define STORE_SCHEMA		1	/* docs/store-schema.md; PRAGMA user_version in SQLite */
#define STORE_DEFAULT_DB	"mailtls.db"

enum store_run_status {
	STORE_RUN_RUNNING = 0,	/* started, not finished (or killed: resumable) */
	STORE_RUN_DONE,		/* every target stored */
	STORE_RUN_ABANDONED,	/* a new run was asked for instead of resuming it */
	STORE_RUN_LAST
};

enum store_open_mode {
	STORE_RUN_AUTO = 0,	/* resume the newest unfinished run with the same input, else new */
	STORE_RUN_RESUME,	/* resume the newest unfinished run (with this input when given); none: error */
	STORE_RUN_NEW,		/* a new run; an unfinished one with the same input is abandoned */
};

struct store_run {
	int64_t		 id;
	int		 resumed;
	char		 input[1024];	/* the path, or "-" */
	char		 options[2048];	/* JSON: the options that shape results */
	long long	 input_offset;	/* bytes of the input consumed and committed */
	long long	 input_line;	/* lines consumed and committed */
	int		 input_eof;	/* the whole input has been read */
	long long	 next_seq;	/* seq of the next target */
	enum store_run_status status;
};

struct store_run_counts {
	long long	 targets;	/* distinct domains queued */
	long long	 done;		/* of those, stored */
	long long	 errors;	/* input lines that were not domains */
	long long	 duplicates;	/* input lines naming a domain queued before */
};

/* One line of the input: a domain to queue, or a note (error, duplicate). */
struct store_target {
	const char	*domain;
	long		 rank;		/* -1: none */
	long long	 line;
	int		 duplicate_of;	/* out: 0 queued; else the line number it repeats (as int) */
	long long	 seq;		/* out: when queued */
};

struct store_input_error {
	long long	 line;
	const char	*text;		/* the line, already cleaned for display */
	const char	*error;
};

/* A queued domain handed out for scanning. */
struct store_pending {
	long long	 seq;
	long		 rank;
	long long	 line;
	char		 domain[256];
};

/* The probe behind an endpoint (the scheduler's; shared by every domain that leads to it). */
struct store_probe {
	const char	*key;		/* sched_key(): address, port, reference name, TLSA set */
	const char	*ip;
	long		 port;
	const char	*refname;
	int		 attempts;	/* connections tried, retries included */
	int		 connections;
	long		 elapsed_ms;
	int		 first_use;	/* this domain is the first stored that uses this probe */
};

/* ---- a domain as rows (store.c builds it from the JSON report) ---------------------------- */
struct store_mx_rec {
	const char	*host, *use, *addresses_dnssec, *dane_for_senders, *dane_status, *tlsa_name;
	const char	*sts_pattern;
	long		 pref;
};

struct store_tlsa_rec {
	const char	*host;
	const char	*record;	/* "3 1 1 <hex>" or "malformed:TOKEN" */
};

struct store_cert_rec {
	const char	*sha256, *spki_sha256, *subject, *issuer, *not_before, *not_after;
	const char	*key_type, *sig_alg, *san_json;
	long		 key_bits;
	int		 self_signed;
};

struct store_ep_rec {
	const char	*host, *ip, *refname, *proto, *banner;
	long		 port;
	int		 connected, starttls_offered, tls;
	const char	*tls_version, *cipher, *group, *cert_sha256, *grade;
	int		 chain_valid, name_match, dane_verified;	/* -1: null */
	long		 connections, elapsed_ms;
	const char	*probe_key;	/* NULL when unknown */
};

struct store_finding_rec {
	const char	*scope;		/* NULL: the domain; else the endpoint's address */
	const char	*id, *severity, *detail;
};

struct store_domain_rec {
	const char	*domain;
	long		 rank;
	long long	 seq;
	const char	*protection, *weakest_mx, *sentence, *dnssec, *dane, *mta_sts_mode;
	const char	*mta_sts_id, *tlsrpt, *grade, *worst;
	int		 can_read;		/* -1: null (indeterminate) */
	int		 accepts_mail, delivery_at_risk;
	long		 nfindings, connections, elapsed_ms;
	/* MTA-STS */
	int		 sts_record_present, sts_record_valid, sts_fetched, sts_policy_valid;
	long		 sts_http_status, sts_max_age;
	const char	*sts_mx_json, *sts_error;
	size_t		 nmx, ntlsa, ncert, nep, nfind, nprobe;
	struct store_mx_rec	*mx;
	struct store_tlsa_rec	*tlsa;
	struct store_cert_rec	*cert;
	struct store_ep_rec	*ep;
	struct store_finding_rec *find;
	const struct store_probe *probe;
	const char	*json;		/* the whole report, compact */
};

/* What export and later readers get back per domain. */
struct store_row {
	long long	 run;
	long long	 seq;
	const char	*domain;
	long		 rank;		/* -1: none */
	const char	*protection, *dnssec, *dane, *mta_sts_mode, *tlsrpt, *grade, *worst;
	const char	*weakest_mx, *finished;
	int		 can_read;	/* -1: null */
	int		 accepts_mail, delivery_at_risk;
	long		 nfindings, connections, elapsed_ms;
	const char	*json;
};

/* What a worker needs to decide whether to wait, claim or stop (scanrun_queue_decide()). */
struct store_queue_state {
	long long	 pending;	/* targets not stored yet */
	long long	 leased;	/* of those, under a lease that has not expired */
	long long	 next_expiry_ms;	/* until the first of those leases expires; -1: none */
	int		 input_eof;	/* the whole input is queued */
	enum store_run_status status;
};

/* ---- the backend interface --------------------------------------------------------------- */
struct store_backend {
	const char	*name;
	void		*(*open)(const char *where, int readonly, char *err, size_t errlen);
	void		 (*close)(void *);
	const char	*(*error)(void *);
	int		 (*run_open)(void *, enum store_open_mode, const char *input, const char *options,
			    const char *tool, struct store_run *);
	int		 (*run_counts)(void *, int64_t run, struct store_run_counts *);
	int		 (*run_finish)(void *, int64_t run, enum store_run_status);
	int		 (*run_latest)(void *, int64_t *run);
	int		 (*queue_add)(void *, int64_t run, struct store_target *, size_t,
			    const struct store_input_error *, size_t, long long offset, long long line,
			    int eof);
	int		 (*queue_next)(void *, int64_t run, long long after_seq, size_t limit,
			    struct store_pending *, size_t *n);
	int		 (*domain_put)(void *, int64_t run, const struct store_domain_rec *);
	int		 (*rows)(void *, int64_t run, int (*cb)(void *, const struct store_row *),
			    void *);
	int		 (*input_errors)(void *, int64_t run, int (*cb)(void *, long long line,
			    const char *text, const char *error), void *);
	/* the shared queue (NULL in a backend without one: SQLite) */
	int		 (*queue_claim)(void *, int64_t run, const char *worker, long lease_ms,
			    size_t limit, struct store_pending *, size_t *n);
	int		 (*queue_renew)(void *, int64_t run, const char *worker, long lease_ms);
	int		 (*queue_state)(void *, int64_t run, struct store_queue_state *);
	int		 (*slot_acquire)(void *, const char *ip, int slots, int *slot);
	void		 (*slot_release)(void *, const char *ip, int slot);
};

extern const struct store_backend store_sqlite;
extern const struct store_backend store_pgsql;

/* Which backend a location names (pure; for store_open and tests). */
enum store_kind {
	STORE_KIND_SQLITE = 0,	/* a path, or "sqlite:PATH" */
	STORE_KIND_PGSQL,	/* "postgresql://..." or "postgres://..." (a libpq URI) */
};
enum store_kind	 store_kind(const char *where, const char **rest);
/* where, for messages: a password in a URI ("postgresql://user:secret@...") as "***". */
void		 store_display(const char *where, char *buf, size_t len);
/* The advisory-lock key of an address (FNV-1a of its text, as a signed 32-bit int). */
int32_t		 store_slot_key(const char *ip);

/* ---- the front end ----------------------------------------------------------------------- */
/*
 * where: a file path (SQLite), or "sqlite:PATH", or a libpq URI "postgresql://..." (PostgreSQL).
 * readonly: for export (no schema change, an existing database only).
 */
struct store	*store_open(const char *where, int readonly, char *err, size_t errlen);
void		 store_close(struct store *);	/* NULL is fine */
const char	*store_error(struct store *);
const char	*store_backend_name(const struct store *);

int	store_run_open(struct store *, enum store_open_mode, const char *input, const char *options,
	    struct store_run *);
int	store_run_counts(struct store *, int64_t run, struct store_run_counts *);
int	store_run_finish(struct store *, int64_t run, enum store_run_status);
int	store_run_latest(struct store *, int64_t *run);	/* 0 and *run = 0 when there is none */
const char *store_run_status_name(enum store_run_status);

int	store_queue_add(struct store *, int64_t run, struct store_target *, size_t,
	    const struct store_input_error *, size_t, long long offset, long long line, int eof);
int	store_queue_next(struct store *, int64_t run, long long after_seq, size_t limit,
	    struct store_pending *, size_t *n);

/*
 * Stores one finished domain from its report (report_check_json's object) in one transaction
 * and marks its queue entry done.  probes: the scheduler's probes behind its endpoints.
 */
int	store_domain_put(struct store *, int64_t run, long long seq, long rank, json_t *report,
	    const struct store_probe *probes, size_t nprobes);
/* The same with the report already serialised (compact, in order) as text: a caller that
   prints it too (scan --jsonl) serialises it once. */
int	store_domain_put_text(struct store *, int64_t run, long long seq, long rank,
	    json_t *report, const char *text, const struct store_probe *probes, size_t nprobes);
/* The rows store_domain_put() would write (for tests and other backends). */
int	store_domain_rec(json_t *report, struct arena *, struct store_domain_rec *);

/*
 * The shared queue (PostgreSQL; -1 with "not supported" in SQLite).  claim: up to limit pending
 * targets of the run whose lease is free or expired, in seq order, leased to worker for
 * lease_ms (FOR UPDATE SKIP LOCKED: two workers never get the same one while a lease holds).
 * renew: every target the worker holds and has not stored gets lease_ms again.
 */
int	store_has_queue(const struct store *);
int	store_queue_claim(struct store *, int64_t run, const char *worker, long lease_ms,
	    size_t limit, struct store_pending *, size_t *n);
int	store_queue_renew(struct store *, int64_t run, const char *worker, long lease_ms);
int	store_queue_state(struct store *, int64_t run, struct store_queue_state *);
/*
 * One of `slots` connection slots for an address, shared by every worker of the database:
 * 1 and *slot when one was free (hold it until slot_release), 0 when all are taken, -1 on error.
 */
int	store_slot_acquire(struct store *, const char *ip, int slots, int *slot);
void	store_slot_release(struct store *, const char *ip, int slot);

/*
 * A run's rows in seq order, one at a time (a reader holds one row, never the whole run: on
 * PostgreSQL libpq's single-row mode); cb returns non-zero to stop.  The row's strings live
 * until cb returns.  cb must not use the store: on PostgreSQL the connection is busy.
 */
int	store_rows(struct store *, int64_t run, int (*cb)(void *, const struct store_row *), void *);
int	store_input_errors(struct store *, int64_t run, int (*cb)(void *, long long line,
	    const char *text, const char *error), void *);

#endif
