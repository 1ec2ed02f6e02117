/*
 * grade.h — a letter grade per endpoint, plus NCSC-NL and Mozilla compliance verdicts.
 *
 * The rubric (scores, caps, the T and M markers, the mail-specific trust rules) is in
 * docs/grading.md; every cap that applied is one reason string, "capped at B: TLS 1.0
 * accepted", so a report can say why.  Pure: a function of its input.
 */
#ifndef MAILTLS_GRADE_H
#define MAILTLS_GRADE_H

#include <stddef.h>

#include "scan/tlsenum.h"
#include "scan/weak.h"

enum grade_letter {
	GRADE_A_PLUS,
	GRADE_A,
	GRADE_A_MINUS,
	GRADE_B,
	GRADE_C,
	GRADE_D,
	GRADE_E,
	GRADE_F,
	GRADE_LETTER_LAST
};

/* What authenticated the certificate for the sender that matters at this endpoint. */
enum grade_auth {
	GRADE_AUTH_NONE,	/* nothing: opportunistic at best */
	GRADE_AUTH_PKIX,	/* a trusted chain and a matching name */
	GRADE_AUTH_DANE,	/* a TLSA record matched (RFC 7672) */
	GRADE_AUTH_MTASTS,	/* an MTA-STS policy in enforce mode matched (RFC 8461) */
	GRADE_AUTH_LAST
};

/* Who connects, and whether they check certificates. */
enum grade_context {
	GRADE_CTX_MX,		/* port 25 relay: senders are opportunistic unless DANE/MTA-STS */
	GRADE_CTX_CLIENT,	/* submission, IMAP, POP3: the client checks the certificate */
	GRADE_CTX_LAST
};

struct grade_input {
	const struct tlsenum_report	*tls;
	enum grade_context		 context;
	int				 cert_trusted;	/* chains to a trusted root, in date */
	int				 cert_name_ok;	/* RFC 6125 match for the name asked for */
	enum grade_auth			 cert_authenticated_by;
	/* The leaf certificate the server presents, as lib/tls/cert.c describes it.  Key size and
	 * signature are graded whatever authenticates the certificate (docs/grading.md). */
	const char			*cert_key_type;	/* "RSA", "EC", "ED25519", ...; NULL: none */
	unsigned int			 cert_key_bits;	/* OpenSSL's count: modulus, curve order, 253 */
	const char			*cert_sig_alg;	/* "sha256WithRSAEncryption"; NULL: unknown */
	unsigned int			 vulns;		/* GRADE_VULN_*: the --full checks (deep.h) */
};

/* grade_input.vulns */
#define GRADE_VULN_ROBOT		0x1	/* RSA decryption oracle: F */
#define GRADE_VULN_CCS			0x2	/* CVE-2014-0224: F */
#define GRADE_VULN_CLIENT_RENEG		0x4	/* client-initiated renegotiation accepted:
						   F without RFC 5746, no cap with it */
#define GRADE_VULN_KX_SHA1		0x8	/* key exchange signed with SHA-1 only: B */

/* How the leaf's signature hash is graded. */
enum grade_sig {
	GRADE_SIG_OK,		/* SHA-2, SHA-3, EdDSA, or not recognised as weak */
	GRADE_SIG_SHA1,		/* SHA-1: capped at B */
	GRADE_SIG_BROKEN,	/* MD2, MD4, MD5, SHA-0: F */
	GRADE_SIG_LAST
};

/* NCSC-NL "IT Security Guidelines for TLS" v2.1 (2021) levels, as internet.nl reports them. */
enum grade_ncsc {
	GRADE_NCSC_GOOD,
	GRADE_NCSC_SUFFICIENT,
	GRADE_NCSC_PHASE_OUT,
	GRADE_NCSC_INSUFFICIENT,
	GRADE_NCSC_LAST
};

#define GRADE_MARK_T		0x1	/* untrusted certificate */
#define GRADE_MARK_M		0x2	/* certificate name mismatch */

#define GRADE_MAX_REASONS	24
#define GRADE_REASON_MAX	160

struct grade_reasons {
	size_t		 n;
	char		 s[GRADE_MAX_REASONS][GRADE_REASON_MAX];
};

struct grade_result {
	enum grade_letter	 letter;	/* final: TLS caps and, where they apply, trust */
	enum grade_letter	 tls_letter;	/* on TLS alone ("if trust issues are ignored") */
	unsigned int		 marks;		/* GRADE_MARK_* shown with the grade */
	int			 trust_capped;	/* the marks forced letter to F */
	char			 display[12];	/* "A+", "B [T]" (marked, not capped), "T" (capped) */
	int			 score;		/* 0..100: 0.3 protocol + 0.3 kx + 0.4 cipher */
	int			 protocol_score, kx_score, cipher_score;
	unsigned int		 cert_key_strength;	/* RSA-equivalent bits scored; 0: unknown */
	struct grade_reasons	 reasons;	/* "capped at B: TLS 1.0 accepted", ... */
	struct weak_result	 weak;		/* what the caps were read from */

	enum grade_ncsc		 ncsc;		/* worst of the three below */
	enum grade_ncsc		 ncsc_versions, ncsc_suites, ncsc_groups;
	struct grade_reasons	 ncsc_reasons;	/* one line per item below "good" */

	int			 mozilla_modern;	/* the configuration fits the profile */
	int			 mozilla_intermediate;
	struct grade_reasons	 mozilla_reasons;	/* "intermediate: TLSv1.0 accepted" */
};

void		 grade_compute(const struct grade_input *, struct grade_result *out);

/* Per-item NCSC-NL classification (tables in grade.c). */
enum grade_ncsc	 grade_ncsc_version(enum tlsenum_version);
enum grade_ncsc	 grade_ncsc_suite(uint16_t code);
enum grade_ncsc	 grade_ncsc_group(uint16_t group);
enum grade_ncsc	 grade_ncsc_dh_bits(unsigned int bits);

/* Certificate key strength in RSA-equivalent bits (NIST SP 800-57 Part 1 Rev. 5, Table 2):
 * RSA/DSA as they are, EC by curve order (256 -> 3072), Ed25519 3072, Ed448 7680; 0 unknown. */
unsigned int	 grade_key_strength(const char *key_type, unsigned int bits);
/* Class of a certificate signature algorithm given by OpenSSL's long or short name. */
enum grade_sig	 grade_sig_class(const char *sig_alg);

/* Name tables: never NULL ("?" out of range). */
const char	*grade_letter_name(enum grade_letter);		/* "A+" */
const char	*grade_auth_name(enum grade_auth);		/* "mta-sts" */
const char	*grade_context_name(enum grade_context);	/* "mx" */
const char	*grade_ncsc_name(enum grade_ncsc);		/* "phase_out" */

#endif
