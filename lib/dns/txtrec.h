/*
 * txtrec.h — what the MTA-STS (RFC 8461 §3.1) and TLS-RPT (RFC 8460 §3) TXT records share: the
 * character classes of their tag=value grammar, the version prefix, and "exactly one record that
 * starts with the version" among a name's TXT strings.
 */
#ifndef MAILTLS_TXTREC_H
#define MAILTLS_TXTREC_H

#include <stddef.h>

static inline int
txtrec_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline int
txtrec_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static inline int
txtrec_alnum(unsigned char c)
{
	return txtrec_alpha(c) || txtrec_digit(c);
}

static inline int
txtrec_wsp(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* sts-ext-name, tlsrpt-ext-name: alphanumerics, "_", "-", "." */
static inline int
txtrec_name_char(unsigned char c)
{
	return txtrec_alnum(c) || c == '_' || c == '-' || c == '.';
}

/* ext-value = 1*(%x21-3A / %x3C / %x3E-7E): VCHAR without ";" and "=" */
static inline int
txtrec_ext_value_char(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e && c != ';' && c != '=';
}

/* s starts with version ("v=STSv1") followed by its end, WSP or ";" (erratum 6285). */
int	txtrec_has_version(const char *s, size_t n, const char *version);
/* How many of the n strings start with version; *idx is the first one's index. */
size_t	txtrec_select(const char *const *txt, const size_t *lens, size_t n, const char *version,
	    size_t *idx);

#endif
