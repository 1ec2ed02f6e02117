/*
 * socketmap.c — netstring framing, "NAME KEY" requests and replies (socketmap.h).
 */
#include <stdio.h>
#include <string.h>

#include "policy/socketmap.h"

static const char *const socketmap_status_names[SOCKETMAP_STATUS_LAST] = {
	[SOCKETMAP_OK] = "ok",
	[SOCKETMAP_NEED_MORE] = "need_more",
	[SOCKETMAP_ERR_LENGTH] = "length_syntax",
	[SOCKETMAP_ERR_TOO_LONG] = "too_long",
	[SOCKETMAP_ERR_TERMINATOR] = "no_comma",
	[SOCKETMAP_ERR_NO_SPACE] = "no_space",
	[SOCKETMAP_ERR_NAME] = "bad_name",
	[SOCKETMAP_ERR_KEY] = "bad_key",
};

static const char *const socketmap_reply_names[SOCKETMAP_REPLY_LAST] = {
	[SOCKETMAP_REPLY_OK] = "OK",
	[SOCKETMAP_REPLY_NOTFOUND] = "NOTFOUND",
	[SOCKETMAP_REPLY_TEMP] = "TEMP",
	[SOCKETMAP_REPLY_TIMEOUT] = "TIMEOUT",
	[SOCKETMAP_REPLY_PERM] = "PERM",
};

const char *
socketmap_status_name(enum socketmap_status s)
{
	return (unsigned)s < SOCKETMAP_STATUS_LAST ? socketmap_status_names[s] : "?";
}

const char *
socketmap_reply_name(enum socketmap_reply r)
{
	return (unsigned)r < SOCKETMAP_REPLY_LAST ? socketmap_reply_names[r] : "?";
}

enum socketmap_status
socketmap_netstring_parse(const char *buf, size_t len, size_t max, const char **data,
    size_t *data_len, size_t *consumed)
{
	size_t i = 0, n = 0;

	*data = NULL;
	*data_len = *consumed = 0;
	/* LEN: 1*DIGIT without leading zeros ("0" itself is fine) */
	while (i < len && buf[i] >= '0' && buf[i] <= '9') {
		if (i == 1 && buf[0] == '0')
			return SOCKETMAP_ERR_LENGTH;
		n = n * 10 + (size_t)(buf[i] - '0');
		if (n > max)
			return SOCKETMAP_ERR_TOO_LONG;	/* before the rest of the digits arrive */
		i++;
	}
	if (i == len)
		return SOCKETMAP_NEED_MORE;
	if (i == 0 || buf[i] != ':')
		return SOCKETMAP_ERR_LENGTH;
	i++;
	if (len - i < n + 1)
		return SOCKETMAP_NEED_MORE;
	if (buf[i + n] != ',')
		return SOCKETMAP_ERR_TERMINATOR;
	*data = buf + i;
	*data_len = n;
	*consumed = i + n + 1;
	return SOCKETMAP_OK;
}

enum socketmap_status
socketmap_request_parse(const char *data, size_t len, struct socketmap_request *req)
{
	const char *sp = memchr(data, ' ', len);
	size_t i;

	memset(req, 0, sizeof(*req));
	if (sp == NULL)
		return SOCKETMAP_ERR_NO_SPACE;
	req->name = data;
	req->name_len = (size_t)(sp - data);
	req->key = sp + 1;
	req->key_len = len - req->name_len - 1;
	if (req->name_len == 0 || req->name_len > SOCKETMAP_NAME_MAX)
		return SOCKETMAP_ERR_NAME;
	for (i = 0; i < req->name_len; i++)
		if (data[i] <= ' ' || data[i] > '~')
			return SOCKETMAP_ERR_NAME;
	if (req->key_len == 0)
		return SOCKETMAP_ERR_KEY;
	for (i = 0; i < req->key_len; i++)
		if ((unsigned char)req->key[i] <= ' ' || req->key[i] == 0x7f)
			return SOCKETMAP_ERR_KEY;
	return SOCKETMAP_OK;
}

int
socketmap_reply_format(char *out, size_t size, enum socketmap_reply r, const char *text)
{
	char body[SOCKETMAP_REPLY_MAX];
	size_t n, i;
	int k;

	if ((unsigned)r >= SOCKETMAP_REPLY_LAST)
		return -1;
	/* NOTFOUND carries nothing; Postfix splits at the first space and compares the word */
	k = snprintf(body, sizeof(body), "%s %s", socketmap_reply_names[r],
	    r == SOCKETMAP_REPLY_NOTFOUND || text == NULL ? "" : text);
	if (k < 0 || (size_t)k >= sizeof(body))
		return -1;
	n = (size_t)k;
	for (i = 0; i < n; i++)
		if ((unsigned char)body[i] < ' ' || (unsigned char)body[i] > '~')
			body[i] = '?';
	k = snprintf(out, size, "%zu:%s,", n, body);
	if (k < 0 || (size_t)k >= size)
		return -1;
	return k;
}

int
socketmap_key_domain(const char *key, size_t len, char *out, size_t size)
{
	size_t i, label = 0, digits_only = 1;

	if (len > 0 && key[len - 1] == '.')
		len--;		/* the root's dot */
	if (len == 0 || len > 253 || len + 1 > size)
		return -1;
	for (i = 0; i < len; i++) {
		char c = key[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c == '.') {
			if (label == 0)
				return -1;	/* empty label: ".parent" or "a..b" */
			label = 0;
			out[i] = c;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return -1;	/* '[', ':', '@', anything else */
		if (!(c >= '0' && c <= '9'))
			digits_only = 0;
		if (++label > 63)
			return -1;
		out[i] = c;
	}
	if (digits_only)
		return -1;	/* an IPv4 address written bare, not a domain */
	out[len] = '\0';
	return 0;
}
