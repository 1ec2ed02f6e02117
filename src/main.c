/*
 * main.c — mailtls: can an active attacker read or alter mail in transit to this server or domain?
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#ifndef MAILTLS_VERSION
#define MAILTLS_VERSION "0.1.0"
#endif

void
usage(FILE *f)
{
	fprintf(f,
"usage: mailtls check DOMAIN... [options]   can an active attacker read mail to DOMAIN? (MX, DNSSEC,\n"
"                                           DANE, MTA-STS, TLS-RPT, every MX address probed)\n"
"       mailtls host TARGET [options]        audit one server: SMTP, submission(s), IMAP(S), POP3(S),\n"
"                                           XMPP (c2s, s2s, XEP-0368) or HTTPS (--proto)\n"
"       mailtls provider DOMAIN... [options] every mail and chat service of a provider (MX, SRV,\n"
"                                           autoconfig, web), each audited; tables as text,\n"
"                                           --json, --markdown or --html\n"
"       mailtls scan [FILE|-] [options]      check a list of domains (one per line, or a CSV top\n"
"                                           list), thousands at once, into a database; resumable\n"
"       mailtls export [--db F] [--run N] --format jsonl|csv   a scan's results\n"
"       mailtls changes [--db F] [--since RUN|DATE] [DOMAIN...]   what changed between\n"
"                                           consecutive scans (docs/changes.md)\n"
"       mailtls watch LIST [--every DURATION | --once] [options]   scan LIST again and print\n"
"                                           only the changes\n"
"       mailtls report [--db F] [--run N] --format html|md|csv   tables and charts of a scan\n"
"       mailtls mitm --listen ADDR:PORT (--sink | --upstream HOST:PORT) [options]\n"
"                                           does a mail client fall back to plaintext when\n"
"                                           STARTTLS is stripped or its certificate is bad?\n"
"       mailtls advise DOMAIN [options]      what to publish and configure against DOMAIN's findings\n"
"                                           (TLSA, MTA-STS, TLS-RPT, server settings)\n"
"       mailtls policy DOMAIN... [options]   the strongest TLS policy a sender can enforce today\n"
"                                           (Postfix smtp_tls_policy_maps, OpenSMTPD, Exim)\n"
"       mailtls policyd [options]            Postfix socketmap policy service (DANE, MTA-STS)\n"
"       mailtls findings [--markdown]        list every finding ID with severity and remedy\n"
"       mailtls --help | --version\n"
"\n"
"TARGET: host, host:port, IPv4 literal, [IPv6]:port (default port: the protocol's, 25 for smtp)\n"
"\n"
"options for provider:\n"
"  --resolver, --trust-anchor, --dns-timeout, --http-timeout, --ca-file, --full as for check\n"
"  --markdown | --html     the tables as Markdown, or as one self-contained HTML page\n"
"  --no-guess              do not try imap., smtp., pop., mail. when nothing is published\n"
"\n"
"options for check:\n"
"  --resolver ADDR[@PORT]  forward DNS queries there (validation stays local); default: full\n"
"                          recursion from the root\n"
"  --trust-anchor FILE     DS/DNSKEY lines replacing the root trust anchor\n"
"  --dns-timeout SECS      deadline for each DNS lookup (default 10)\n"
"  --http-timeout SECS     deadline for the MTA-STS policy fetch (default 20)\n"
"  --progress|--no-progress  progress on stderr (default: when stderr is a terminal)\n"
"  --full, --max-conn N, --spacing SECS, --max-attempts N\n"
"                          enumerate TLS on every MX address and grade it (as host --full)\n"
"  --ca-file, --ehlo, the timeouts, --json, --fail-on, --color as for host; several\n"
"  domains give one table of verdicts\n"
"\n"
"options for scan (docs/internals/scan.md; the store: docs/store-schema.md):\n"
"  --db FILE|URI           the SQLite database (default mailtls.db), or a PostgreSQL\n"
"                          database postgresql://USER@HOST[:PORT]/DB (docs/internals/scale-out.md):\n"
"                          FILE is queued there, then scanned by this process and any number of\n"
"                          --worker processes on other machines\n"
"  --worker                (PostgreSQL) no FILE: work on the newest unfinished run, claiming\n"
"                          batches of domains under a lease, until none is left; give the\n"
"                          options of the scan that queued it\n"
"  --enqueue-only          (PostgreSQL) queue FILE and exit, leaving the work to --worker\n"
"  --lease SECS            (PostgreSQL) a claimed batch is another worker's after SECS without\n"
"                          renewal (the worker died); renewed every SECS/3 (default 60)\n"
"  --batch N               (PostgreSQL) domains claimed at once (1-512, default 50)\n"
"  --resume                go on with the newest unfinished run (FILE may be left out);\n"
"                          running the same command again resumes as well\n"
"  --new                   start a new run even when one of FILE is unfinished\n"
"  --jsonl                 one JSON report per line on stdout as each domain finishes\n"
"  --quick                 DNS, DANE and MTA-STS only: no connection to any MX\n"
"  --full                  also enumerate TLS (versions, suites, groups, weaknesses, grade)\n"
"                          of each unique endpoint once, as check --full does per domain\n"
"  --full-threads N        enumerations at once, each on a thread (1-256, default 8)\n"
"  --max-domains N         domains in flight (default 1000)\n"
"  --max-probes N          SMTP probes in flight (default 256)\n"
"  --per-ip N              connections at once to one address (1-4, default 1; on\n"
"                          PostgreSQL across every worker of the database)\n"
"  --ip-spacing SECS       between connections to one address (default 0.05)\n"
"  --retries N             after 421, a refusal or a timeout (default 2)\n"
"  --retry-delay SECS      first back-off of that address (default 15, then doubled)\n"
"  --dns-rate QPS          DNS lookups per second at most (default 5000; 0: no limit)\n"
"  --cache N               probe results kept for later domains (default 10000)\n"
"  --csv | --plain, --domain-column N, --rank-column N (0: none)   the list's format\n"
"                          (default: detected from its first line)\n"
"  -q, --quiet             no per-line input errors and no summary on stderr\n"
"  --resolver, --trust-anchor, --dns-timeout, --http-timeout, --progress as for check;\n"
"  --ca-file, --ca-path, --ehlo and the timeouts as for host\n"
"  exit status: 0 every domain stored, 2 usage error, 3 stopped before the end (resume)\n"
"options for changes (IDs and severities: docs/changes.md):\n"
"  --db FILE               the database (default mailtls.db)\n"
"  --since RUN|DATE        only changes found by runs after RUN, or in reports written at or\n"
"                          after DATE (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)\n"
"  --expiry-days N         cert.expiring window (default 21)\n"
"  --fail-on SEV           exit 1 when a change is at least SEV (default high)\n"
"  --json                  JSON Lines; --list [--markdown] the change IDs\n"
"  exit status: 0 nothing at or above --fail-on, 1 something, 2 usage or database error\n"
"options for watch (the options of scan apply too):\n"
"  --every DURATION        scan again every DURATION (30s, 15m, 6h, 1d); default: --once\n"
"  --once                  scan once, print what changed since the run before, exit\n"
"  --expiry-days N, --fail-on SEV, --json as for changes\n"
"options for report:\n"
"  --db FILE, --run N (default: the newest), --format html|md|csv, -o FILE (default stdout)\n"
"options for export:\n"
"  --db FILE, --run N (default: the newest), --format jsonl|csv, --errors (the input\n"
"  lines that were not domains, as CSV)\n"
"\n"
"options for advise (docs/internals/advice.md; the options of check apply too):\n"
"  --next-key FILE         PEM certificate or key of the next key: its 3 1 1 record too\n"
"  --software NAME         settings for postfix|exim|opensmtpd|dovecot|prosody|nginx\n"
"  --ttl SECS              TTL of the printed records (default 3600)\n"
"  --no-full               no TLS enumeration (no protocol or cipher advice)\n"
"\n"
"options for policy (docs/internals/policy.md; the DNS options of check apply too):\n"
"  --dns-only              do not probe the MX hosts\n"
"  --pin                   where nothing is published, pin what the probes saw (risky)\n"
"  --format postfix|opensmtpd|exim|all   (default all); --json\n"
"  exit status 1: enforcing some line would defer mail today\n"
"\n"
"options for policyd (smtp_tls_policy_maps = socketmap:inet:127.0.0.1:8462:mailtls):\n"
"  --listen inet:ADDR:PORT|unix:PATH   (up to 8; default inet:127.0.0.1:8462)\n"
"  --map NAME              socketmap name (default mailtls)\n"
"  --cache FILE | --no-cache-file      SQLite cache (default /var/lib/mailtls/policyd.sqlite)\n"
"  --cache-size N          domains kept (default 20000)\n"
"  --refresh SECS          look answers up again after this (default 600)\n"
"  --answer-timeout SECS   a lookup not done by then gets TEMP (default 5)\n"
"  --max-clients N, --max-lookups N, --idle-timeout SECS   (512, 128, 300)\n"
"  --socket-mode MODE, --syslog, --verbose, --stats-interval SECS\n"
"  --pin-from-history --db FILE   where nothing stronger applies, pin (Postfix fingerprint\n"
"                          level) the keys the MX hosts served in the newest scan stored in\n"
"                          FILE (mailtls scan); set smtp_tls_fingerprint_digest = sha256.  An\n"
"                          MX a lookup shows that the scan did not pin gets no mail (defers).\n"
"                          No pin from a scan older than --pin-max-age or when a pinned\n"
"                          certificate expires within 7 days.  RISK: mail defers when a\n"
"                          destination rolls its key or certificate or adds an MX, until it is\n"
"                          scanned again and policyd reloaded (SIGHUP)\n"
"  --pin-max-age DAYS      the oldest scan a pin is taken from (default 30)\n"
"  --resolver, --trust-anchor, --dns-timeout, --http-timeout, --ca-file as for check\n"
"\n"
"options for host:\n"
"  --proto NAME            smtp (default, 25), smtps (465), submission (587), submissions (465),\n"
"                          imap (143), imaps (993), pop3 (110), pop3s (995), xmpp (5222),\n"
"                          xmpp-server (5269), xmpps (5223), xmpps-server (5270), https (443)\n"
"  --name NAME             reference name for SNI and certificate checks (default: the host;\n"
"                          for XMPP the service domain, sent as to= in the stream header)\n"
"  --ehlo NAME             name sent in EHLO/HELO (default: this machine's FQDN)\n"
"  --ca-file FILE          trust anchors (PEM) instead of the system store\n"
"  --ca-path DIR           hashed directory of trust anchors\n"
"  --timeout SECS          deadline for the whole probe (default 60)\n"
"  --connect-timeout SECS  deadline for the TCP connect (default 10)\n"
"  --reply-timeout SECS    deadline for each SMTP reply (default 30)\n"
"  --tls-timeout SECS      deadline for the TLS handshake (default 30)\n"
"  --json                  JSON report on stdout (schema: docs/report-schema.md)\n"
"  --fail-on SEVERITY      exit 1 when a finding is at least this severe (default high)\n"
"  --color | --no-color    force colours on or off (default: on when stdout is a terminal)\n"
"  -q, --quiet             no dialogue transcript in the text report\n"
"  --full                  also enumerate every TLS version, cipher suite and group with the\n"
"                          fewest connections, list weaknesses and grade the endpoint\n"
"  --max-conn N            --full: at most N connections to the server at once (1-3, default 2)\n"
"  --spacing SECS          --full: minimum gap between connections (default 0)\n"
"  --max-attempts N        --full: at most N enumeration connections per address\n"
"\n"
"options for mitm (docs/mitm.md; binds loopback only unless --allow-remote):\n"
"  --proto smtp|submission|imap|pop3|xmpp   the protocol the client speaks (default smtp)\n"
"  --sink                  answer as a server would, accept nothing (DATA gets 554)\n"
"  --upstream HOST:PORT    relay to the real server (credentials and DATA never relayed)\n"
"  --attack ID[,ID...]     attacks, one per connection in turn (default strip; 'all')\n"
"  --audit                 every attack that applies to --proto (--attack all)\n"
"  --connections N         stop after N connections (default: one per attack; 0: no limit)\n"
"  --run CMD               run the client command CMD (sh -c) once per attack\n"
"  --run-timeout SECS      deadline for each --run (default 60)\n"
"  --timeout SECS          deadline for the whole session (default 600)\n"
"  --client-timeout SECS   deadline for each client command and handshake (default 30)\n"
"  --name NAME             the server name announced and put in certificates\n"
"  --cert FILE --key FILE  a certificate the client trusts (control run, starttls.inject)\n"
"  --ca-cert FILE --ca-key FILE  a CA the client trusts, to issue the wrong-name and\n"
"                          expired certificates\n"
"  --list [--markdown]     list the attacks (and outcomes)\n"
"  --json, --fail-on, --color as for host\n"
"\n"
"exit status: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage error,\n"
"             3 target unreachable (mitm: no client connected)\n"
"mailtls's probes never send MAIL, RCPT, DATA, AUTH or any credential (mitm in proxy mode\n"
"relays what the client under test sends, never a message body, to --upstream).\n");
}

int
main(int argc, char **argv)
{
	/* a peer that resets mid-write is a finding, not a reason to die */
	signal(SIGPIPE, SIG_IGN);
	opterr = 0;	/* the commands report bad options themselves, in one line (cli_opt_error) */
	if (argc < 2)
		return cli_usage_error("no command given (check, host, mitm or findings)");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("mailtls %s\n", MAILTLS_VERSION);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "host") == 0)
		return cmd_host(argc - 1, argv + 1);
	if (strcmp(argv[1], "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	if (strcmp(argv[1], "scan") == 0)
		return cmd_scan(argc - 1, argv + 1);
	if (strcmp(argv[1], "export") == 0)
		return cmd_export(argc - 1, argv + 1);
	if (strcmp(argv[1], "changes") == 0)
		return cmd_changes(argc - 1, argv + 1);
	if (strcmp(argv[1], "watch") == 0)
		return cmd_watch(argc - 1, argv + 1);
	if (strcmp(argv[1], "report") == 0)
		return cmd_report(argc - 1, argv + 1);
	if (strcmp(argv[1], "mitm") == 0)
		return cmd_mitm(argc - 1, argv + 1);
	if (strcmp(argv[1], "policy") == 0)
		return cmd_policy(argc - 1, argv + 1);
	if (strcmp(argv[1], "policyd") == 0)
		return cmd_policyd(argc - 1, argv + 1);
	if (strcmp(argv[1], "advise") == 0)
		return cmd_advise(argc - 1, argv + 1);
	if (strcmp(argv[1], "findings") == 0)
		return cmd_findings(argc - 1, argv + 1);
	if (strcmp(argv[1], "provider") == 0)
		return cmd_provider(argc - 1, argv + 1);
	if (argv[1][0] == '-')
		return cli_usage_error("unknown option '%s'", argv[1]);
	return cli_usage_error("unknown command '%s'", argv[1]);
}
