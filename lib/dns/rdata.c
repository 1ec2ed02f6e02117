/*
 * rdata.c — RDATA of A, AAAA, MX, CNAME and TXT records; see rdata.h.
 *
 * RFC 1035 §3.1 (names: length-prefixed labels ending in the zero-length root label, at most 255
 * octets), §3.3.9 (MX: PREFERENCE(16) EXCHANGE), §3.3.1 (CNAME), §3.3.14 (TXT: one or more
 * <character-string>s), §3.4.1 (A); RFC 3596 §2.2 (AAAA); RFC 5952 (IPv6 text).
 */
#include <arpa/inet.h>
#include <string.h>

#include "dns/rdata.h"
#include "util/cursor.h"

static const char *const rdata_status_names[RDATA_STATUS_LAST] = {
	[RDATA_OK] = "ok",
	[RDATA_SHORT] = "short",
	[RDATA_TRAILING] = "trailing-data",
	[RDATA_BAD_LENGTH] = "bad-length",
	[RDATA_BAD_LABEL] = "bad-label",
	[RDATA_NAME_TOO_LONG] = "name-too-long",
	[RDATA_NO_SPACE] = "no-space",
};

const char *
rdata_status_name(enum rdata_status s)
{
	if ((size_t)s >= RDATA_STATUS_LAST)
		return "unknown";
	return rdata_status_names[s];
}

/* Output with a ceiling: appends while there is room, remembers that it ran out. */
struct rdata_out {
	char	*buf;
	size_t	 size;
	size_t	 len;
	int	 full;
};

static void
rdata_out_init(struct rdata_out *o, char *buf, size_t size)
{
	o->buf = buf;
	o->size = size;
	o->len = 0;
	o->full = 0;
	if (buf != NULL && size > 0)
		buf[0] = '\0';
}

static void
rdata_out_byte(struct rdata_out *o, char c)
{
	if (o->full || o->buf == NULL || o->len + 1 >= o->size) {
		o->full = 1;
		return;
	}
	o->buf[o->len++] = c;
	o->buf[o->len] = '\0';
}

static int
rdata_plain(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    c == '-' || c == '_' || c == '*';
}

static void
rdata_out_label_octet(struct rdata_out *o, uint8_t c)
{
	if (rdata_plain(c)) {
		rdata_out_byte(o, (char)c);
	} else if (c > 0x20 && c < 0x7f) {
		rdata_out_byte(o, '\\');
		rdata_out_byte(o, (char)c);
	} else {
		rdata_out_byte(o, '\\');
		rdata_out_byte(o, (char)('0' + c / 100));
		rdata_out_byte(o, (char)('0' + c / 10 % 10));
		rdata_out_byte(o, (char)('0' + c % 10));
	}
}

/* Reads one name from c into o; c->err is left set on a short read. */
static enum rdata_status
rdata_name_cursor(struct cursor *c, struct rdata_out *o)
{
	const uint8_t *label;
	size_t wire = 0, i;
	uint8_t n;

	for (;;) {
		n = cursor_u8(c);
		if (c->err)
			return RDATA_SHORT;
		if ((n & 0xc0) != 0)
			return RDATA_BAD_LABEL;
		wire += 1 + (size_t)n;
		if (wire > RDATA_NAME_WIRE_MAX)
			return RDATA_NAME_TOO_LONG;
		if (n == 0)
			break;
		label = cursor_bytes(c, n);
		if (label == NULL)
			return RDATA_SHORT;
		for (i = 0; i < n; i++)
			rdata_out_label_octet(o, label[i]);
		rdata_out_byte(o, '.');
	}
	if (wire == 1)
		rdata_out_byte(o, '.');
	return o->full ? RDATA_NO_SPACE : RDATA_OK;
}

enum rdata_status
rdata_name(const uint8_t *buf, size_t len, size_t *used, char *out, size_t size)
{
	struct cursor c;
	struct rdata_out o;
	enum rdata_status s;

	rdata_out_init(&o, out, size);
	cursor_init(&c, buf, buf == NULL ? 0 : len);
	s = rdata_name_cursor(&c, &o);
	if (used != NULL)
		*used = s == RDATA_OK ? len - c.len : 0;
	return s;
}

/* A name that must fill the rest of the cursor exactly. */
static enum rdata_status
rdata_name_rest(struct cursor *c, char *out, size_t size)
{
	struct rdata_out o;
	enum rdata_status s;

	rdata_out_init(&o, out, size);
	s = rdata_name_cursor(c, &o);
	if (s == RDATA_OK && c->len != 0)
		s = RDATA_TRAILING;
	return s;
}

static enum rdata_status
rdata_addr(int af, size_t want, const uint8_t *buf, size_t len, char *out, size_t size)
{
	char tmp[RDATA_ADDR_TEXT_MAX];

	if (out != NULL && size > 0)
		out[0] = '\0';
	if (buf == NULL || len != want)
		return len < want ? RDATA_SHORT : RDATA_BAD_LENGTH;
	if (inet_ntop(af, buf, tmp, sizeof(tmp)) == NULL)
		return RDATA_BAD_LENGTH;
	if (out == NULL || strlen(tmp) >= size)
		return RDATA_NO_SPACE;
	memcpy(out, tmp, strlen(tmp) + 1);
	return RDATA_OK;
}

enum rdata_status
rdata_a(const uint8_t *buf, size_t len, char *out, size_t size)
{
	return rdata_addr(AF_INET, 4, buf, len, out, size);
}

enum rdata_status
rdata_aaaa(const uint8_t *buf, size_t len, char *out, size_t size)
{
	return rdata_addr(AF_INET6, 16, buf, len, out, size);
}

enum rdata_status
rdata_mx(const uint8_t *buf, size_t len, uint16_t *pref, char *out, size_t size)
{
	struct cursor c;
	uint16_t p;

	if (out != NULL && size > 0)
		out[0] = '\0';
	cursor_init(&c, buf, buf == NULL ? 0 : len);
	p = cursor_u16(&c);
	if (pref != NULL)
		*pref = p;
	if (c.err)
		return RDATA_SHORT;
	return rdata_name_rest(&c, out, size);
}

enum rdata_status
rdata_cname(const uint8_t *buf, size_t len, char *out, size_t size)
{
	struct cursor c;

	cursor_init(&c, buf, buf == NULL ? 0 : len);
	return rdata_name_rest(&c, out, size);
}

enum rdata_status
rdata_txt(const uint8_t *buf, size_t len, char *out, size_t size, size_t *outlen)
{
	struct cursor c;
	const uint8_t *s;
	size_t total = 0;
	uint8_t n;
	int full = 0;

	if (outlen != NULL)
		*outlen = 0;
	if (out != NULL && size > 0)
		out[0] = '\0';
	cursor_init(&c, buf, buf == NULL ? 0 : len);
	if (c.len == 0)
		return RDATA_SHORT;
	while (c.len > 0) {
		n = cursor_u8(&c);
		s = cursor_bytes(&c, n);
		if (s == NULL)
			return RDATA_SHORT;
		if (!full && out != NULL && total + n < size) {
			memcpy(out + total, s, n);
			out[total + n] = '\0';
		} else {
			full = 1;
		}
		total += n;
	}
	if (full)
		return RDATA_NO_SPACE;
	if (outlen != NULL)
		*outlen = total;
	return RDATA_OK;
}
