/*
 * cli.c — pieces every command shares: option values and this machine's name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "probe/probe.h"
#include "verdict/finding.h"

/* "--timeout 2.5" -> 2500 ms; a bad value is a usage error (exit 2). */
long
cli_secs(const char *s, const char *opt)
{
	char *end;
	double v = strtod(s, &end);

	/* at least 1 ms: a deadline that rounds to 0 would mean none at all */
	if (*end != '\0' || !(v >= 0.001) || v > 86400) {
		fprintf(stderr, "mailtls: %s wants seconds (0.001 to 86400), not '%s'\n", opt, s);
		exit(EXIT_USAGE);
	}
	return (long)(v * 1000);
}

void
cli_common_init(struct cli_common *co)
{
	memset(co, 0, sizeof(*co));
	co->connect_ms = PROBE_CONNECT_MS;
	co->reply_ms = PROBE_REPLY_MS;
	co->tls_ms = PROBE_TLS_MS;
	co->total_ms = PROBE_TOTAL_MS;
	co->color = -1;
	co->fail_on = SEVERITY_HIGH;
	co->fo.lanes = 2;
}

int
cli_common_opt(struct cli_common *co, int ch, const char *arg)
{
	switch (ch) {
	case 'C': co->tc.ca_file = arg; break;
	case 'D': co->tc.ca_path = arg; break;
	case 'e': co->ehlo = arg; break;
	case 't': co->total_ms = cli_secs(arg, "--timeout"); break;
	case 'c': co->connect_ms = cli_secs(arg, "--connect-timeout"); break;
	case 'r': co->reply_ms = cli_secs(arg, "--reply-timeout"); break;
	case 'T': co->tls_ms = cli_secs(arg, "--tls-timeout"); break;
	case 'j': co->json = 1; break;
	case 'f': co->fail_on = cli_severity(arg); break;
	case 'K': co->color = 1; break;
	case 'N': co->color = 0; break;
	case 'F': co->full = 1; break;
	case 'M':
		co->fo.lanes = atoi(arg);
		if (co->fo.lanes < 1 || co->fo.lanes > SCAN_LANES_MAX) {
			fprintf(stderr, "mailtls: --max-conn is 1 to %d\n", SCAN_LANES_MAX);
			exit(EXIT_USAGE);
		}
		break;
	case 'G': co->fo.spacing_ms = cli_secs(arg, "--spacing"); break;
	case 'X': co->fo.max_attempts = (unsigned)strtoul(arg, NULL, 10); break;
	default:
		return 0;
	}
	return 1;
}

int
cli_severity(const char *s)
{
	int sev = severity_by_name(s);

	if (sev < 0) {
		fprintf(stderr, "mailtls: --fail-on wants info, low, medium, high or critical\n");
		exit(EXIT_USAGE);
	}
	return sev;
}

/*
 * This machine's FQDN for EHLO, as posttls-finger defaults to $myhostname.  No DNS lookup: the
 * name must not cost a query (tests run with no resolver but loopback).  /etc/mailname (Debian's
 * mail name), else the host name, else "localhost.localdomain".
 */
static const char *
cli_fqdn_into(char *buf, size_t len)
{
	FILE *f;
	size_t n;

	if ((f = fopen("/etc/mailname", "r")) != NULL) {
		if (fgets(buf, (int)len, f) != NULL) {
			n = strcspn(buf, " \t\r\n");
			buf[n] = '\0';
			if (n > 0 && strchr(buf, '.') != NULL) {
				fclose(f);
				return buf;
			}
		}
		fclose(f);
	}
	if (gethostname(buf, len) != 0 || buf[0] == '\0')
		return "localhost.localdomain";
	buf[len - 1] = '\0';
	if (strchr(buf, '.') == NULL && strlen(buf) + sizeof(".localdomain") <= len)
		strcat(buf, ".localdomain");
	return buf;
}

const char *
cli_fqdn(void)
{
	static char buf[256];

	return cli_fqdn_into(buf, sizeof(buf));
}
