/*
 * advice.c — advice_build() (advice.h): records and settings that remove a check's findings.
 * The rules and the setting table, with their references, are docs/internals/advice.md; each
 * row here is tested in tests/unit/test_advice.c.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "advice/advice.h"
#include "check/check.h"
#include "util/arena.h"

static const char *const advice_sw_names[ADVICE_SW_LAST] = {
	[ADVICE_SW_UNKNOWN] = "unknown",
	[ADVICE_SW_POSTFIX] = "postfix",
	[ADVICE_SW_EXIM] = "exim",
	[ADVICE_SW_OPENSMTPD] = "opensmtpd",
	[ADVICE_SW_DOVECOT] = "dovecot",
	[ADVICE_SW_PROSODY] = "prosody",
	[ADVICE_SW_NGINX] = "nginx",
};

const char *
advice_software_name(enum advice_software s)
{
	return (unsigned)s < ADVICE_SW_LAST ? advice_sw_names[s] : "?";
}

int
advice_software_by_name(const char *n)
{
	int i;

	for (i = 0; i < ADVICE_SW_LAST; i++)
		if (strcasecmp(n, advice_sw_names[i]) == 0)
			return i;
	return -1;
}

/*
 * The setting table: for a finding and a server software, the line that removes it, and the file
 * it goes in.  Several findings may share a line (it is printed once, naming them all).  Postfix:
 * postconf(5), TLS_README; Exim: spec chapters "Encrypted SMTP connections" and "SMTP
 * authentication" (Debian builds Exim with GnuTLS, so cipher and protocol strings are GnuTLS
 * priority strings); OpenSMTPD: smtpd.conf(5) 6.8 and 7.4 (`protocols` is 7.x's); Dovecot: doc/wiki ssl settings (2.3);
 * Prosody: "Advanced SSL/TLS configuration" (0.12); nginx: ngx_http_ssl_module.
 */
struct advice_row {
	enum finding_id		 f;
	enum advice_software	 sw;
	const char		*file;
	const char		*line;
};

#define PF	ADVICE_SW_POSTFIX
#define EX	ADVICE_SW_EXIM
#define OS	ADVICE_SW_OPENSMTPD
#define DV	ADVICE_SW_DOVECOT
#define PR	ADVICE_SW_PROSODY
#define NG	ADVICE_SW_NGINX

#define PF_PROTO	"smtpd_tls_protocols = >=TLSv1.2"
#define PF_MPROTO	"smtpd_tls_mandatory_protocols = >=TLSv1.2"
#define OS_PROTO	"(OpenSMTPD 6.x has no protocol option in smtpd.conf: set MinProtocol = " \
			"TLSv1.2 in the [system_default_sect] of /etc/ssl/openssl.cnf; 7.x: " \
			"protocols \"tlsv1.2,tlsv1.3\" on the listen on line)"
#define DV_PROTO	"ssl_min_protocol = TLSv1.2"
#define PR_PROTO	"ssl = { protocol = \"tlsv1_2+\" }"
#define NG_PROTO	"ssl_protocols TLSv1.2 TLSv1.3;"
#define VERSION_ROWS(F) \
	{ F, PF, "main.cf", PF_PROTO }, { F, PF, "main.cf", PF_MPROTO }, \
	{ F, OS, "smtpd.conf", OS_PROTO }, \
	{ F, DV, "dovecot.conf", DV_PROTO }, { F, PR, "prosody.cfg.lua", PR_PROTO }, \
	{ F, NG, "nginx.conf", NG_PROTO }
/* one cipher string per software, so that the lines for several findings are one line */
#define OS_CIPHERS	"smtp ciphers \"HIGH:!aNULL:!MD5:!RC4:!3DES:!kRSA\""
#define DV_CIPHERS	"ssl_cipher_list = HIGH:!aNULL:!MD5:!RC4:!3DES:!kRSA"
#define PR_CIPHERS	"ssl = { ciphers = \"HIGH:!aNULL:!MD5:!RC4:!3DES:!kRSA\" }"
#define CIPHER_ROWS(F) \
	{ F, OS, "smtpd.conf", OS_CIPHERS }, \
	{ F, DV, "dovecot.conf", DV_CIPHERS }, \
	{ F, PR, "prosody.cfg.lua", PR_CIPHERS }, \
	{ F, NG, "nginx.conf", "ssl_ciphers HIGH:!aNULL:!MD5:!RC4:!3DES:!kRSA;" }
#define CERT_ROWS(F) \
	{ F, PF, "main.cf", "smtpd_tls_chain_files = /etc/ssl/private/HOST.key, /etc/ssl/HOST.fullchain.pem" }, \
	{ F, EX, "exim4.conf", "tls_certificate = /etc/ssl/HOST.fullchain.pem" }, \
	{ F, EX, "exim4.conf", "tls_privatekey = /etc/ssl/private/HOST.key" }, \
	{ F, OS, "smtpd.conf", "pki HOST cert \"/etc/ssl/HOST.fullchain.pem\"" }, \
	{ F, OS, "smtpd.conf", "pki HOST key \"/etc/ssl/private/HOST.key\"" }, \
	{ F, DV, "dovecot.conf", "ssl_cert = </etc/ssl/HOST.fullchain.pem" }, \
	{ F, PR, "prosody.cfg.lua", "certificates = \"/etc/prosody/certs\" -- HOST.crt with the full chain" }, \
	{ F, NG, "nginx.conf", "ssl_certificate /etc/ssl/HOST.fullchain.pem;" }

static const struct advice_row advice_rows[] = {
	VERSION_ROWS(FINDING_TLS_SSLV2),
	VERSION_ROWS(FINDING_TLS_SSLV3),
	VERSION_ROWS(FINDING_TLS_V1_0),
	VERSION_ROWS(FINDING_TLS_V1_1),
	/* Postfix cipher exclusions are merged into one line (advice_postfix_exclude) */
	CIPHER_ROWS(FINDING_CIPHER_NULL),
	CIPHER_ROWS(FINDING_CIPHER_EXPORT),
	CIPHER_ROWS(FINDING_CIPHER_RC4),
	CIPHER_ROWS(FINDING_CIPHER_3DES),
	CIPHER_ROWS(FINDING_KX_NO_PFS),
	/* anonymous suites: harmless on port 25, not where clients check certificates (RFC 7672
	   §8.2 vs submission, RFC 8314): Postfix's submission runs at a mandatory level */
	{ FINDING_CIPHER_ANON, PF, "main.cf", "smtpd_tls_mandatory_exclude_ciphers = aNULL" },
	{ FINDING_CIPHER_ANON, OS, "smtpd.conf", OS_CIPHERS },
	{ FINDING_CIPHER_ANON, DV, "dovecot.conf", DV_CIPHERS },
	{ FINDING_CIPHER_ANON, PR, "prosody.cfg.lua", PR_CIPHERS },
	{ FINDING_CIPHER_NO_AEAD, PF, "main.cf", "smtpd_tls_ciphers = high" },
	CIPHER_ROWS(FINDING_CIPHER_NO_AEAD),
	{ FINDING_KX_DH_WEAK, PF, "main.cf", "smtpd_tls_dh1024_param_file = /etc/postfix/dh2048.pem" },
	{ FINDING_KX_DH_WEAK, EX, "exim4.conf", "tls_dhparam = ffdhe3072" },
	{ FINDING_KX_DH_WEAK, DV, "dovecot.conf", "ssl_dh = </etc/dovecot/dh.pem" },
	{ FINDING_KX_DH_WEAK, NG, "nginx.conf", "ssl_dhparam /etc/nginx/dh3072.pem;" },
	{ FINDING_TLS_COMPRESSION, PF, "main.cf", "tls_ssl_options = NO_COMPRESSION" },
	{ FINDING_AUTH_BEFORE_TLS, PF, "main.cf", "smtpd_tls_auth_only = yes" },
	{ FINDING_AUTH_BEFORE_TLS, EX, "exim4.conf", "auth_advertise_hosts = ${if eq{$tls_in_cipher}{}{}{*}}" },
	{ FINDING_AUTH_BEFORE_TLS, OS, "smtpd.conf", "listen on IFACE port submission tls-require pki HOST auth" },
	{ FINDING_AUTH_BEFORE_TLS, DV, "dovecot.conf", "disable_plaintext_auth = yes" },
	{ FINDING_AUTH_BEFORE_TLS, PR, "prosody.cfg.lua", "c2s_require_encryption = true" },
	{ FINDING_STARTTLS_NOT_OFFERED, PF, "main.cf", "smtpd_tls_security_level = may" },
	{ FINDING_STARTTLS_NOT_OFFERED, PF, "main.cf", "smtpd_tls_chain_files = /etc/ssl/private/HOST.key, /etc/ssl/HOST.fullchain.pem" },
	{ FINDING_STARTTLS_NOT_OFFERED, EX, "exim4.conf", "tls_advertise_hosts = *" },
	{ FINDING_STARTTLS_NOT_OFFERED, EX, "exim4.conf", "tls_certificate = /etc/ssl/HOST.fullchain.pem" },
	{ FINDING_STARTTLS_NOT_OFFERED, OS, "smtpd.conf", "listen on IFACE tls pki HOST" },
	{ FINDING_STARTTLS_NOT_OFFERED, DV, "dovecot.conf", "ssl = required" },
	{ FINDING_STARTTLS_NOT_OFFERED, PR, "prosody.cfg.lua", "s2s_require_encryption = true" },
	CERT_ROWS(FINDING_CERT_UNTRUSTED),
	CERT_ROWS(FINDING_CERT_SELF_SIGNED),
	CERT_ROWS(FINDING_CERT_EXPIRED),
	CERT_ROWS(FINDING_CERT_NAME_MISMATCH),
	CERT_ROWS(FINDING_MTA_STS_CERT_INVALID),
};

/* Commands to run before a setting: the files it names (the RFC 7919 groups: nothing to wait for). */
static const struct {
	const char	*line;
	const char	*prepare;
} advice_prepares[] = {
	{ "smtpd_tls_dh1024_param_file = /etc/postfix/dh2048.pem",
	    "openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out /etc/postfix/dh2048.pem" },
	{ "ssl_dh = </etc/dovecot/dh.pem",
	    "openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe3072 -out /etc/dovecot/dh.pem" },
	{ "ssl_dhparam /etc/nginx/dh3072.pem;",
	    "openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe3072 -out /etc/nginx/dh3072.pem" },
};

/* Postfix: one smtpd_tls_exclude_ciphers line for every excluded class (postconf(5)). */
static const struct {
	enum finding_id	 f;
	const char	*token;
} advice_pf_exclude[] = {
	{ FINDING_CIPHER_NULL, "eNULL" },
	{ FINDING_CIPHER_EXPORT, "EXPORT" },
	{ FINDING_CIPHER_RC4, "RC4" },
	{ FINDING_CIPHER_3DES, "3DES" },
	{ FINDING_KX_NO_PFS, "kRSA" },
};

/*
 * Exim: one tls_require_ciphers line, a GnuTLS priority string (Debian builds Exim with GnuTLS)
 * with a removal for every class found, as for Postfix; several lines for one option would leave
 * only the last in force (found applying the advice to the lab's Exim).
 */
static const struct {
	enum finding_id	 f;
	const char	*token;
} advice_ex_priority[] = {
	{ FINDING_TLS_SSLV2, "-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2" },
	{ FINDING_TLS_SSLV3, "-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2" },
	{ FINDING_TLS_V1_0, "-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2" },
	{ FINDING_TLS_V1_1, "-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2" },
	{ FINDING_CIPHER_NULL, "-NULL" },
	{ FINDING_CIPHER_RC4, "-ARCFOUR-128" },
	{ FINDING_CIPHER_3DES, "-3DES-CBC" },
	{ FINDING_KX_NO_PFS, "-RSA" },
	{ FINDING_CIPHER_ANON, "-ANON-DH:-ANON-ECDH" },
	{ FINDING_CIPHER_NO_AEAD, "-CIPHER-ALL:+CHACHA20-POLY1305:+AES-256-GCM:+AES-128-GCM" },
};

/* Findings that no setting removes, with what to do instead. */
static const struct {
	enum finding_id	 f;
	const char	*note;
} advice_upgrades[] = {
	{ FINDING_TLS_INSECURE_RENEGOTIATION, "upgrade the TLS library (RFC 5746 secure renegotiation)" },
	{ FINDING_TLS_NO_FALLBACK_SCSV, "upgrade the TLS library, or accept only TLS 1.2 and 1.3" },
	{ FINDING_VULN_HEARTBLEED, "upgrade OpenSSL now, then replace the key and certificate and "
	    "publish TLSA for the new key" },
	{ FINDING_STARTTLS_INJECTION, "upgrade the server (or the proxy in front of it): it keeps "
	    "plaintext buffered across STARTTLS" },
	{ FINDING_STARTTLS_COMMAND_INJECTION, "upgrade the server (or the proxy in front of it): it "
	    "runs commands pipelined with STARTTLS inside TLS (CVE-2011-0411)" },
	{ FINDING_CERT_WEAK_KEY, "make a new key (openssl genpkey -algorithm EC -pkeyopt "
	    "ec_paramgen_curve:P-256), publish its TLSA record first (--next-key), then switch" },
	{ FINDING_CERT_WEAK_SIGNATURE, "have the certificate reissued with a SHA-256 signature" },
	{ FINDING_TLS_NO_MODERN, "upgrade the server's TLS library: TLS 1.2 and 1.3 are missing" },
};

/* strcasestr() is a GNU extension */
static int
advice_has_word(const char *hay, const char *word)
{
	size_t n = strlen(word);

	for (; *hay; hay++)
		if (strncasecmp(hay, word, n) == 0)
			return 1;
	return 0;
}

enum advice_software
advice_recognise(const struct endpoint *ep, const char **why)
{
	static const struct {
		const char		*word;
		enum advice_software	 sw;
	} banner[] = {
		{ "postfix", PF }, { "exim", EX }, { "opensmtpd", OS }, { "dovecot", DV },
		{ "prosody", PR },
	};
	const struct smtp_caps *c = ep ? ep->caps_plain : NULL;
	size_t i;
	int etrn = 0, help = 0;

	*why = NULL;
	if (ep == NULL)
		return ADVICE_SW_UNKNOWN;
	for (i = 0; ep->banner && i < sizeof(banner) / sizeof(banner[0]); i++)
		if (advice_has_word(ep->banner, banner[i].word)) {
			*why = "greeting";
			return banner[i].sw;
		}
	if (c == NULL)
		return ADVICE_SW_UNKNOWN;
	for (i = 0; i < c->nkeywords; i++) {
		etrn |= strncasecmp(c->keywords[i], "ETRN", 4) == 0;
		help |= strcasecmp(c->keywords[i], "HELP") == 0;
	}
	/* default EHLO replies: Postfix offers ETRN and no HELP; Exim and OpenSMTPD end with HELP,
	   and OpenSMTPD offers no PIPELINING */
	*why = "EHLO reply";
	if (etrn && !help)
		return PF;
	if (help && !c->pipelining)
		return OS;
	if (help)
		return EX;
	*why = NULL;
	return ADVICE_SW_UNKNOWN;
}

/* ---- building --------------------------------------------------------------------------------- */

static const char *
advice_subst_host(struct arena *a, const char *line, const char *host)
{
	const char *p = strstr(line, "HOST");
	char *out;

	if (p == NULL)
		return line;
	out = arena_printf(a, "%.*s%s%s", (int)(p - line), line, host, p + 4);
	return advice_subst_host(a, out, host);
}

static void
advice_setting(struct advice *ad, struct arena *a, enum advice_software sw, const char *host,
    const char *file, const char *line, const char *prepare, enum finding_id f)
{
	size_t i;

	for (i = 0; i < ad->nsettings; i++) {
		struct advice_setting *s = &ad->settings[i];

		if (s->sw == sw && strcmp(s->host, host) == 0 && strcmp(s->line, line) == 0) {
			char word[80];

			snprintf(word, sizeof(word), " %s ", finding_name(f));
			if (strstr(arena_printf(a, " %s ", s->findings), word) == NULL)
				s->findings = arena_printf(a, "%s %s", s->findings, finding_name(f));
			return;
		}
	}
	if (ad->nsettings == ADVICE_SETTINGS_MAX)
		return;
	ad->settings[ad->nsettings].sw = sw;
	ad->settings[ad->nsettings].host = host;
	ad->settings[ad->nsettings].file = file;
	ad->settings[ad->nsettings].line = line;
	ad->settings[ad->nsettings].findings = finding_name(f);
	ad->settings[ad->nsettings].prepare = prepare;
	ad->nsettings++;
}

static void
advice_note(struct advice *ad, struct arena *a, const char *fmt, const char *x)
{
	size_t i;
	const char *n = arena_printf(a, fmt, x);

	for (i = 0; i < ad->nnotes; i++)
		if (strcmp(ad->notes[i], n) == 0)
			return;
	if (ad->nnotes < ADVICE_NOTES_MAX)
		ad->notes[ad->nnotes++] = n;
}

static void
advice_tlsa(struct advice *ad, struct arena *a, long ttl, const char *host, const char *digest,
    const char *usage_sel_mt, const char *why)
{
	size_t i;
	const char *rdata = arena_printf(a, "%s %s", usage_sel_mt, digest);

	for (i = 0; i < ad->ntlsa; i++)
		if (strcmp(ad->tlsa[i].host, host) == 0 && strcmp(ad->tlsa[i].rdata, rdata) == 0)
			return;
	if (ad->ntlsa == ADVICE_TLSA_MAX)
		return;
	ad->tlsa[ad->ntlsa].host = host;
	ad->tlsa[ad->ntlsa].owner = arena_printf(a, "_25._tcp.%s.", host);
	ad->tlsa[ad->ntlsa].rdata = rdata;
	ad->tlsa[ad->ntlsa].zone_line = arena_printf(a, "%s %ld IN TLSA %s", ad->tlsa[ad->ntlsa].owner,
	    ttl, rdata);
	ad->tlsa[ad->ntlsa].why = why;
	ad->ntlsa++;
}

static const char *
advice_prepare(const char *line)
{
	size_t i;

	for (i = 0; i < sizeof(advice_prepares) / sizeof(advice_prepares[0]); i++)
		if (strcmp(advice_prepares[i].line, line) == 0)
			return advice_prepares[i].prepare;
	return NULL;
}

/* Every endpoint finding of one host with the software recognised there. */
static void
advice_host_settings(struct advice *ad, struct arena *a, const char *host, enum advice_software sw,
    const struct endpoint *ep)
{
	char excl[200] = "", fnames[200] = "", prio[400] = "NORMAL", pnames[300] = "";
	size_t i, j, k;

	for (i = 0; i < ep->nfindings; i++) {
		enum finding_id f = ep->findings[i].id;

		if (ep->findings[i].severity == SEVERITY_INFO)
			continue;	/* notes (e.g. PKIX complaints under DANE) need no fix */
		for (j = 0; j < sizeof(advice_rows) / sizeof(advice_rows[0]); j++) {
			const struct advice_row *r = &advice_rows[j];

			if (r->f != f || (sw != ADVICE_SW_UNKNOWN && r->sw != sw) ||
			    (sw == ADVICE_SW_UNKNOWN && r->sw > ADVICE_SW_OPENSMTPD))
				continue;	/* unknown software: the three MTAs */
			advice_setting(ad, a, r->sw, host, r->file, advice_subst_host(a, r->line, host),
			    advice_prepare(r->line), f);
		}
		for (k = 0; k < sizeof(advice_pf_exclude) / sizeof(advice_pf_exclude[0]); k++)
			if (advice_pf_exclude[k].f == f && !strstr(excl, advice_pf_exclude[k].token)) {
				snprintf(excl + strlen(excl), sizeof(excl) - strlen(excl), "%s%s",
				    excl[0] ? ", " : "", advice_pf_exclude[k].token);
				snprintf(fnames + strlen(fnames), sizeof(fnames) - strlen(fnames), "%s%s",
				    fnames[0] ? " " : "", finding_name(f));
			}
		for (k = 0; k < sizeof(advice_ex_priority) / sizeof(advice_ex_priority[0]); k++)
			if (advice_ex_priority[k].f == f) {
				if (!strstr(prio, advice_ex_priority[k].token))
					snprintf(prio + strlen(prio), sizeof(prio) - strlen(prio), ":%s",
					    advice_ex_priority[k].token);
				if (!strstr(pnames, finding_name(f)))
					snprintf(pnames + strlen(pnames), sizeof(pnames) - strlen(pnames),
					    "%s%s", pnames[0] ? " " : "", finding_name(f));
			}
		for (k = 0; k < sizeof(advice_upgrades) / sizeof(advice_upgrades[0]); k++)
			if (advice_upgrades[k].f == f)
				advice_note(ad, a, "%s", arena_printf(a, "%s (%s): %s", host,
				    finding_name(f), advice_upgrades[k].note));
	}
	if (pnames[0] && (sw == ADVICE_SW_EXIM || sw == ADVICE_SW_UNKNOWN)) {
		const char *line = arena_printf(a, "tls_require_ciphers = %s", prio);
		char *fl = arena_strdup(a, pnames), *save = NULL, *t;

		for (t = strtok_r(fl, " ", &save); t; t = strtok_r(NULL, " ", &save))
			advice_setting(ad, a, ADVICE_SW_EXIM, host, "exim4.conf", line, NULL,
			    (enum finding_id)finding_by_name(t));
	}
	if (excl[0] && (sw == ADVICE_SW_POSTFIX || sw == ADVICE_SW_UNKNOWN)) {
		const char *line = arena_printf(a, "smtpd_tls_exclude_ciphers = %s", excl);
		char *fl = arena_strdup(a, fnames), *save = NULL, *t;

		for (t = strtok_r(fl, " ", &save); t; t = strtok_r(NULL, " ", &save))
			advice_setting(ad, a, ADVICE_SW_POSTFIX, host, "main.cf", line, NULL,
			    (enum finding_id)finding_by_name(t));
	}
}

static int
advice_host_pkix_ok(const struct check_mx *mx)
{
	size_t i;

	for (i = 0; i < mx->nep; i++) {
		const struct endpoint *ep = mx->ep[i];

		if (ep == NULL || !ep->connected)
			continue;
		if (!ep->tls_established || ep->cert == NULL || !ep->cert->chain_valid ||
		    !ep->cert->name_match || ep->cert->expired)
			return 0;
	}
	return 1;
}

void
advice_build(const struct check_result *r, const struct advice_opts *o, struct arena *a,
    struct advice *ad)
{
	const struct check_sts *s = &r->sts;
	long ttl = o->ttl > 0 ? o->ttl : 3600;
	size_t i, j, nused = 0, covered = 0;
	int pkix_all = 1;
	char pat[2048] = "";

	memset(ad, 0, sizeof(*ad));
	ad->domain = r->domain;
	if ((r->null_mx && r->nmx == 0) || r->mx_nxdomain)
		return;		/* no mail: nothing to protect */

	for (i = 0; i < r->nmx; i++) {
		const struct check_mx *mx = &r->mx[i];
		const char *base = mx->canon && strcmp(mx->canon, mx->host) ? mx->canon : mx->host;
		int mismatch = 0, need;
		enum advice_software sw = o->force_sw;
		const char *why = o->force_sw ? "--software" : NULL;

		if (mx->vm.use != VERDICT_USE_USED || mx->ip_literal)
			continue;
		nused++;
		/* ---- DANE: RFC 7672 §3.1 (3 1 1, 2 1 1), RFC 7671 §8 (rollover) */
		for (j = 0; j < mx->nep; j++)
			if (mx->ep[j] && endpoint_has(mx->ep[j], FINDING_DANE_MISMATCH))
				mismatch = 1;
		need = mx->vm.dane != VERDICT_DANE_AUTH || mismatch || mx->health.usable < 2;
		if (need) {
			int ta = 0;	/* a 2 1 1 record was advised */

			if (mx->vm.dane != VERDICT_DANE_AUTH)
				ad->dane_needed = 1;
			if (r->mx_status != RESOLVER_SECURE || mx->addr_status != RESOLVER_SECURE) {
				ad->dane_blocked = 1;
				advice_note(ad, a, "%s", arena_printf(a, "sign the zone of %s with DNSSEC "
				    "(and of %s) and publish its DS at the parent: TLSA records count only "
				    "when the MX and address records are signed (RFC 7672 §2.2)",
				    r->mx_status != RESOLVER_SECURE ? r->domain : base, base));
			}
			for (j = 0; j < mx->nep; j++) {
				const struct endpoint *ep = mx->ep[j];

				if (ep && ep->cert && ep->cert->spki_sha256)
					advice_tlsa(ad, a, ttl, base, ep->cert->spki_sha256, "3 1 1",
					    "the key in use");
			}
			if (o->next_spki)
				advice_tlsa(ad, a, ttl, base, o->next_spki, "3 1 1",
				    "the next key (--next-key)");
			/*
			 * 2 1 1 of the issuing CA's key, when its certificate is known: DANE-TA
			 * matches only a certificate in the chain the server sends (RFC 7671 §5.2,
			 * RFC 7672 §3.1), so say so when it was not sent.
			 */
			for (j = 0; j < mx->nep; j++) {
				const struct endpoint *ep = mx->ep[j];

				if (ep == NULL || ep->cert == NULL || ep->cert->issuer_spki_sha256 == NULL)
					continue;
				advice_tlsa(ad, a, ttl, base, ep->cert->issuer_spki_sha256, "2 1 1",
				    ep->cert->issuer_sent ? "the issuing CA's key (the server sends "
				    "its certificate; a backup only while renewals come from this "
				    "intermediate)" : "the issuing CA's key: the server does not send "
				    "its certificate, add it to the chain first");
				ta = 1;
				if (!ep->cert->issuer_sent)
					advice_note(ad, a, "%s", arena_printf(a, "%s: the 2 1 1 record "
					    "matches only when the server sends the CA certificate after its "
					    "own (DANE-TA, RFC 7671 §5.2, RFC 7672 §3.1): put it in the "
					    "chain file", base));
			}
			if (!o->next_spki && !ta)
				advice_note(ad, a, "%s", arena_printf(a, "%s: a second TLSA record lets "
				    "you roll keys: 3 1 1 of the next key (mailtls advise --next-key "
				    "FILE), or 2 1 1 of the issuing CA's key (openssl x509 -in ca.pem "
				    "-noout -pubkey | openssl pkey -pubin -outform DER | sha256sum)", base));
		}
		/* ---- MTA-STS patterns: the MX set as observed (RFC 8461 §3.2, §4.1) */
		if (s->policy_valid && mtasts_policy_matches(&s->policy, mx->host))
			covered++;
		snprintf(pat + strlen(pat), sizeof(pat) - strlen(pat), "mx: %s\n", mx->host);
		pkix_all &= advice_host_pkix_ok(mx);
		/* ---- servers */
		for (j = 0; j < mx->nep; j++) {
			const struct endpoint *ep = mx->ep[j];

			if (ep == NULL || !ep->connected)
				continue;
			if (!o->force_sw)
				sw = advice_recognise(ep, &why);
			break;
		}
		if (ad->nhosts < ADVICE_HOSTS_MAX) {
			ad->hosts[ad->nhosts].host = mx->host;
			ad->hosts[ad->nhosts].sw = sw;
			ad->hosts[ad->nhosts].recognised_by = why;
			ad->nhosts++;
		}
		for (j = 0; j < mx->nep; j++)
			if (mx->ep[j] && mx->ep[j]->connected)
				advice_host_settings(ad, a, mx->host, sw, mx->ep[j]);
	}
	if (ad->ntlsa)
		ad->rollover = "To change keys, publish the new key's 3 1 1 record beside the old one "
		    "and wait at least two TTLs (plus the time your signer takes to publish) before the "
		    "server uses the new key; remove the old record only after the switch. "
		    "A 2 1 1 record for your CA's key survives renewals under the same CA, not a change "
		    "of CA, and needs the CA certificate in the chain the server sends. "
		    "A CA that issues from several intermediates (Let's Encrypt picks among several) "
		    "makes a single 2 1 1 record a rollover backup only while new certificates come "
		    "from the same intermediate: keep a 3 1 1 of the next key too, or publish 2 1 1 for "
		    "each intermediate the CA may use.";

	/* ---- MTA-STS: start in testing (RFC 8461 §5: report, do not enforce) */
	if (nused > 0 && (!s->policy_valid || covered < nused || s->policy.mode != MTASTS_MODE_ENFORCE)) {
		int enforce = s->policy_valid && s->policy.mode == MTASTS_MODE_ENFORCE;
		time_t t = (time_t)o->now;
		struct tm tm;
		char id[32];

		gmtime_r(&t, &tm);
		strftime(id, sizeof(id), "%Y%m%d%H%M%S", &tm);
		ad->sts_needed = 1;
		ad->sts_host = arena_printf(a, "mta-sts.%s", r->domain);
		ad->sts_txt = arena_printf(a, "_mta-sts.%s. %ld IN TXT \"v=STSv1; id=%s\"", r->domain, ttl, id);
		ad->sts_policy = arena_printf(a, "version: STSv1\nmode: %s\n%smax_age: %s\n",
		    enforce ? "enforce" : "testing", pat, enforce ? "31557600" : "604800");
		ad->sts_nginx = arena_printf(a,
		    "server {\n"
		    "    listen 443 ssl;\n"
		    "    server_name %s;\n"
		    "    ssl_certificate /etc/ssl/%s.fullchain.pem;\n"
		    "    ssl_certificate_key /etc/ssl/private/%s.key;\n"
		    "    location = /.well-known/mta-sts.txt {\n"
		    "        default_type text/plain;\n"
		    "        alias /var/www/mta-sts/%s.txt;\n"
		    "    }\n"
		    "}\n", ad->sts_host, ad->sts_host, ad->sts_host, r->domain);
		ad->sts_enforce_when = enforce ? "The policy is in enforce mode: publish the new MX list "
		    "with the new id before the new MX host takes mail." : pkix_all ?
		    "Switch to mode: enforce (max_age: 31557600, a new id in the TXT record) once the "
		    "TLS-RPT reports show no failures for two weeks: until then senders only report." :
		    "Do not switch to enforce yet: an MX lacks a certificate from a public CA for its "
		    "name (see the settings below), and enforcing senders would not deliver to it. "
		    "Fix that, watch the TLS-RPT reports for two weeks, then switch to enforce.";
	}
	if (!r->tlsrpt.present || r->tlsrpt.status != TLSRPT_OK) {
		ad->rpt_needed = 1;
		ad->rpt_txt = arena_printf(a, "_smtp._tls.%s. %ld IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@%s\"",
		    r->domain, ttl, r->domain);
	}
}
