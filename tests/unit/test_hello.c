/*
 * test_hello.c — the hello engine: ClientHello builders (known bytes, read back) and the
 * server-flight parsers over hand-built byte vectors (TLS 1.2 with extensions, TLS 1.3,
 * HelloRetryRequest, alerts, SSLv2, truncated and malformed input, records split anywhere).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tls/cipher.h"
#include "tls/hello.h"
#include "util/cursor.h"
#include "util/dbuf.h"

/* ---- Server vectors ----------------------------------------------------------------------- */

/*
 * A TLS 1.2 ECDHE flight in three records:
 *   [ServerHello 0303, random 10..2f, session id aa*8, c02f, null compression; extensions
 *    renegotiation_info(empty), extended_master_secret, ec_point_formats{0,1}, ALPN "smtp",
 *    heartbeat(1), encrypt_then_mac, session_ticket, status_request]
 *   [Certificate { 30 03 02 01 01, 30 01 00 }, ServerKeyExchange named_curve x25519, point 55*32,
 *    rsa_pss_rsae_sha256, signature 99*4]
 *   [CertificateStatus ocsp 30 02 0a 00, ServerHelloDone]
 */
static const uint8_t flight12[] = {
	0x16, 0x03, 0x03, 0x00, 0x60, 0x02, 0x00, 0x00, 0x5c, 0x03, 0x03, 0x10, 0x11, 0x12, 0x13, 0x14,
	0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24,
	0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x08, 0xaa, 0xaa, 0xaa, 0xaa,
	0xaa, 0xaa, 0xaa, 0xaa, 0xc0, 0x2f, 0x00, 0x00, 0x2c, 0xff, 0x01, 0x00, 0x01, 0x00, 0x00, 0x17,
	0x00, 0x00, 0x00, 0x0b, 0x00, 0x03, 0x02, 0x00, 0x01, 0x00, 0x10, 0x00, 0x07, 0x00, 0x05, 0x04,
	0x73, 0x6d, 0x74, 0x70, 0x00, 0x0f, 0x00, 0x01, 0x01, 0x00, 0x16, 0x00, 0x00, 0x00, 0x23, 0x00,
	0x00, 0x00, 0x05, 0x00, 0x00, 0x16, 0x03, 0x03, 0x00, 0x45, 0x0b, 0x00, 0x00, 0x11, 0x00, 0x00,
	0x0e, 0x00, 0x00, 0x05, 0x30, 0x03, 0x02, 0x01, 0x01, 0x00, 0x00, 0x03, 0x30, 0x01, 0x00, 0x0c,
	0x00, 0x00, 0x2c, 0x03, 0x00, 0x1d, 0x20, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
	0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
	0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x08, 0x04, 0x00, 0x04, 0x99, 0x99, 0x99, 0x99, 0x16,
	0x03, 0x03, 0x00, 0x10, 0x16, 0x00, 0x00, 0x08, 0x01, 0x00, 0x00, 0x04, 0x30, 0x02, 0x0a, 0x00,
	0x0e, 0x00, 0x00, 0x00,
};

/*
 * TLS 1.3: ServerHello (legacy 0303, random 10..2f, session id 01*32, TLS_AES_256_GCM_SHA384,
 * supported_versions 0304, key_share x25519 77*32), then a middlebox-compatibility
 * ChangeCipherSpec and an encrypted record.
 */
static const uint8_t flight13[] = {
	0x16, 0x03, 0x03, 0x00, 0x7a,			/* handshake record, 122 bytes */
	0x02, 0x00, 0x00, 0x76,				/* ServerHello, 118 bytes */
	0x03, 0x03,					/* legacy_version */
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
	0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f,
	0x20,						/* legacy_session_id_echo */
	0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
	0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
	0x13, 0x02,					/* TLS_AES_256_GCM_SHA384 */
	0x00,						/* compression */
	0x00, 0x2e,					/* extensions, 46 bytes */
	0x00, 0x2b, 0x00, 0x02, 0x03, 0x04,		/* supported_versions: 1.3 */
	0x00, 0x33, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20,	/* key_share: x25519, 32 bytes */
	0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77,
	0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77,
	0x14, 0x03, 0x03, 0x00, 0x01, 0x01,		/* ChangeCipherSpec */
	0x17, 0x03, 0x03, 0x00, 0x05, 0xde, 0xad, 0xbe, 0xef, 0x00,	/* application_data */
};

/* HelloRetryRequest: the special random, asking for secp256r1, with a cookie. */
static const uint8_t hrr[] = {
	0x16, 0x03, 0x03, 0x00, 0x42,
	0x02, 0x00, 0x00, 0x3e,
	0x03, 0x03,
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
	0x00,						/* empty session id */
	0x13, 0x01, 0x00,
	0x00, 0x16,
	0x00, 0x2b, 0x00, 0x02, 0x03, 0x04,		/* supported_versions: 1.3 */
	0x00, 0x33, 0x00, 0x02, 0x00, 0x17,		/* key_share: selected_group secp256r1 */
	0x00, 0x2c, 0x00, 0x06, 0x00, 0x04, 0xaa, 0xbb, 0xcc, 0xdd,	/* cookie */
};

/* A fatal handshake_failure alert, as servers send when no suite is shared. */
static const uint8_t alert40[] = { 0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28 };

/*
 * TLS 1.0 DHE in one record: ServerHello (TLS_DHE_RSA_WITH_AES_128_CBC_SHA, no extensions,
 * random ending in the "DOWNGRD\0" sentinel), the Certificate of flight12, ServerKeyExchange
 * with a 512-bit p (00 c3 11..), g = 2, Ys 44*64, a 6-byte signature without scheme,
 * ServerHelloDone.
 */
static const uint8_t flight_dhe[] = {
	0x16, 0x03, 0x01, 0x00, 0xd7, 0x02, 0x00, 0x00, 0x26, 0x03, 0x01, 0x10, 0x11, 0x12, 0x13, 0x14,
	0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24,
	0x25, 0x26, 0x27, 0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00, 0x00, 0x00, 0x33, 0x00, 0x0b,
	0x00, 0x00, 0x11, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x05, 0x30, 0x03, 0x02, 0x01, 0x01, 0x00, 0x00,
	0x03, 0x30, 0x01, 0x00, 0x0c, 0x00, 0x00, 0x90, 0x00, 0x41, 0x00, 0xc3, 0x11, 0x11, 0x11, 0x11,
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x00, 0x01, 0x02, 0x00, 0x40,
	0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44,
	0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44,
	0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44,
	0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44,
	0x00, 0x06, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x0e, 0x00, 0x00, 0x00,
};

/*
 * SSLv2 SERVER-HELLO: no session-id hit, X.509, version 2, a 5-byte certificate, specs
 * RC4_128_WITH_MD5 and DES_192_EDE3_CBC_WITH_MD5, connection id 00..0f.
 */
static const uint8_t sslv2[] = {
	0x80, 0x26,					/* 2-byte header, 38 bytes */
	0x04, 0x00, 0x01, 0x00, 0x02,			/* SERVER-HELLO, hit 0, X.509, version 2 */
	0x00, 0x05, 0x00, 0x06, 0x00, 0x10,		/* certificate, specs, connection id lengths */
	0x30, 0x03, 0x02, 0x01, 0x05,
	0x01, 0x00, 0x80, 0x07, 0x00, 0xc0,
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
};

/* ---- Helpers ------------------------------------------------------------------------------ */

/* Re-frame the handshake bytes of a TLS flight into records of at most `chunk` bytes. */
static void
rechunk(const uint8_t *in, size_t len, size_t chunk, struct dbuf *out)
{
	struct dbuf hs;
	struct cursor c, r;
	uint8_t type, hdr[5];
	size_t off, n;

	dbuf_init(&hs, 1 << 20);
	dbuf_init(out, 1 << 20);
	cursor_init(&c, in, len);
	while (c.len >= 5) {
		type = cursor_u8(&c);
		cursor_u16(&c);
		n = cursor_u16(&c);
		r = cursor_sub(&c, n);
		assert_false(r.err);
		assert_int_equal(type, HELLO_CT_HANDSHAKE);
		dbuf_add(&hs, r.p, r.len);
	}
	for (off = 0; off < hs.len; off += n) {
		n = hs.len - off < chunk ? hs.len - off : chunk;
		hdr[0] = HELLO_CT_HANDSHAKE;
		hdr[1] = 3;
		hdr[2] = 3;
		hdr[3] = (uint8_t)(n >> 8);
		hdr[4] = (uint8_t)n;
		dbuf_add(out, hdr, 5);
		dbuf_add(out, hs.data + off, n);
	}
	dbuf_free(&hs);
}

/*
 * Walk a single-record ClientHello (as a server would) and return one extension's body, or
 * NULL.  Also hands back the cipher suite list.
 */
static const uint8_t *
ch_ext(const struct dbuf *b, uint16_t want, size_t *len, struct cursor *suites)
{
	struct cursor c, hs, exts;
	uint16_t type;
	size_t n;

	cursor_init(&c, b->data, b->len);
	assert_int_equal(cursor_u8(&c), HELLO_CT_HANDSHAKE);
	cursor_u16(&c);
	n = cursor_u16(&c);
	assert_int_equal(n, c.len);
	assert_int_equal(cursor_u8(&c), HELLO_HS_CLIENT_HELLO);
	n = cursor_u24(&c);
	hs = cursor_sub(&c, n);
	assert_int_equal(c.len, 0);
	cursor_u16(&hs);			/* legacy_version */
	cursor_bytes(&hs, 32);			/* random */
	cursor_bytes(&hs, cursor_u8(&hs));	/* session id */
	n = cursor_u16(&hs);
	if (suites != NULL)
		*suites = cursor_sub(&hs, n);
	else
		cursor_bytes(&hs, n);
	cursor_bytes(&hs, cursor_u8(&hs));	/* compression methods */
	assert_false(hs.err);
	if (hs.len == 0)
		return NULL;
	exts = cursor_sub(&hs, cursor_u16(&hs));
	assert_false(hs.err);
	assert_int_equal(hs.len, 0);
	while (exts.len > 0) {
		type = cursor_u16(&exts);
		n = cursor_u16(&exts);
		assert_false(exts.err);
		if (type == want) {
			*len = n;
			return cursor_bytes(&exts, n);
		}
		cursor_bytes(&exts, n);
		assert_false(exts.err);
	}
	return NULL;
}

static uint8_t test_random[32] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};

/* ---- Builder tests ------------------------------------------------------------------------ */

static void
test_build_known_bytes(void **state)
{
	static const uint16_t one[] = { 0xc02f };
	static const uint8_t want_bare[] = {
		0x16, 0x03, 0x01, 0x00, 0x2d,		/* record: handshake, TLS 1.0, 45 */
		0x01, 0x00, 0x00, 0x29,			/* ClientHello, 41 */
		0x03, 0x03,
		0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
		0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19,
		0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
		0x00,					/* session id */
		0x00, 0x02, 0xc0, 0x2f,			/* one suite */
		0x01, 0x00,				/* null compression */
	};
	static const uint8_t want_sni_tail[] = {
		0x00, 0x13,				/* extensions, 19 */
		0x00, 0x00, 0x00, 0x0f,			/* server_name, 15 */
		0x00, 0x0d, 0x00, 0x00, 0x0a,		/* list 13, host_name, 10 */
		'm', 'x', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e',
	};
	struct hello_params hp;
	struct dbuf b;

	memset(&hp, 0, sizeof(hp));
	hp.version = HELLO_TLS12;
	hp.random = test_random;
	hp.ciphers = one;
	hp.nciphers = 1;
	hp.opts = HELLO_OPT_NO_EXTENSIONS;
	dbuf_init(&b, 4096);
	assert_int_equal(hello_build_client(&b, &hp), HELLO_BUILD_OK);
	assert_int_equal(b.len, sizeof(want_bare));
	assert_memory_equal(b.data, want_bare, sizeof(want_bare));

	/* The same with only SNI (trailing dot dropped): block lengths nest and back-patch. */
	dbuf_reset(&b);
	hp.opts = 0;
	hp.sni = "mx.example.";
	assert_int_equal(hello_build_client(&b, &hp), HELLO_BUILD_OK);
	assert_int_equal(b.len, sizeof(want_bare) + sizeof(want_sni_tail));
	assert_int_equal(b.data[4], 0x2d + sizeof(want_sni_tail));
	assert_int_equal(b.data[8], 0x29 + sizeof(want_sni_tail));
	assert_memory_equal(b.data + sizeof(want_bare), want_sni_tail, sizeof(want_sni_tail));
	dbuf_free(&b);
}

static void
test_build_tls13(void **state)
{
	struct hello_params hp;
	struct dbuf b;
	struct cursor c, e;
	const uint8_t *p;
	size_t n;
	uint16_t g;
	int saw25519 = 0, saw256 = 0;

	hello_params_default(&hp, HELLO_TLS13, test_random);
	hp.sni = "mail.example.org";
	dbuf_init(&b, 65536);
	assert_int_equal(hello_build_client(&b, &hp), HELLO_BUILD_OK);
	assert_int_equal(b.data[9], 0x03);	/* legacy_version 1.2 */
	assert_int_equal(b.data[10], 0x03);

	p = ch_ext(&b, HELLO_EXT_SUPPORTED_VERSIONS, &n, &c);
	assert_non_null(p);
	assert_int_equal(n, 3);
	assert_memory_equal(p, "\x02\x03\x04", 3);
	n = cipher_list_tls13(&n) != NULL ? n : 0;
	assert_int_equal(c.len, 2 * n);
	assert_int_equal(cursor_u16(&c), 0x00c6);	/* code order */

	p = ch_ext(&b, HELLO_EXT_KEY_SHARE, &n, NULL);
	assert_non_null(p);
	cursor_init(&c, p, n);
	e = cursor_sub(&c, cursor_u16(&c));
	assert_int_equal(c.len, 0);
	while (e.len > 0) {
		g = cursor_u16(&e);
		n = cursor_u16(&e);
		p = cursor_bytes(&e, n);
		assert_false(e.err);
		if (g == HELLO_GROUP_X25519) {
			assert_int_equal(n, 32);
			saw25519 = 1;
		}
		if (g == HELLO_GROUP_SECP256R1) {
			assert_int_equal(n, 65);
			assert_int_equal(p[0], 0x04);	/* uncompressed point */
			saw256 = 1;
		}
	}
	assert_true(saw25519 && saw256);

	p = ch_ext(&b, HELLO_EXT_SERVER_NAME, &n, NULL);
	assert_non_null(p);
	assert_int_equal(n, 5 + strlen("mail.example.org"));
	assert_memory_equal(p + 5, "mail.example.org", n - 5);
	assert_non_null(ch_ext(&b, HELLO_EXT_PSK_KEY_EXCHANGE_MODES, &n, NULL));
	assert_non_null(ch_ext(&b, HELLO_EXT_SIGNATURE_ALGORITHMS, &n, NULL));
	assert_non_null(ch_ext(&b, HELLO_EXT_SUPPORTED_GROUPS, &n, NULL));
	dbuf_free(&b);
}

static void
test_build_options(void **state)
{
	struct hello_params hp;
	struct dbuf b;
	struct cursor c;
	const uint8_t *p;
	size_t n;
	uint16_t last = 0, code;

	hello_params_default(&hp, HELLO_TLS10, test_random);
	hp.opts |= HELLO_OPT_FALLBACK_SCSV | HELLO_OPT_RENEG_SCSV | HELLO_OPT_ETM |
	    HELLO_OPT_HEARTBEAT | HELLO_OPT_DEFLATE;
	dbuf_init(&b, 65536);
	assert_int_equal(hello_build_client(&b, &hp), HELLO_BUILD_OK);
	assert_null(ch_ext(&b, HELLO_EXT_SIGNATURE_ALGORITHMS, &n, NULL));	/* < 1.2 */
	assert_null(ch_ext(&b, HELLO_EXT_SUPPORTED_VERSIONS, &n, NULL));
	assert_null(ch_ext(&b, HELLO_EXT_KEY_SHARE, &n, NULL));
	p = ch_ext(&b, HELLO_EXT_HEARTBEAT, &n, &c);
	assert_non_null(p);
	assert_int_equal(n, 1);
	assert_int_equal(p[0], 1);
	assert_non_null(ch_ext(&b, HELLO_EXT_ENCRYPT_THEN_MAC, &n, NULL));
	assert_non_null(ch_ext(&b, HELLO_EXT_EXTENDED_MASTER_SECRET, &n, NULL));
	p = ch_ext(&b, HELLO_EXT_RENEGOTIATION_INFO, &n, NULL);
	assert_non_null(p);
	assert_int_equal(n, 1);
	while (c.len > 0) {
		code = cursor_u16(&c);
		if (c.len == 2)
			assert_int_equal(code, CIPHER_CODE_EMPTY_RENEGOTIATION_INFO_SCSV);
		last = code;
	}
	assert_int_equal(last, CIPHER_CODE_FALLBACK_SCSV);
	dbuf_free(&b);

	/* SSL 3.0: no extensions block, SSL 3.0 on the record. */
	hello_params_default(&hp, HELLO_SSL3, test_random);
	dbuf_init(&b, 65536);
	assert_int_equal(hello_build_client(&b, &hp), HELLO_BUILD_OK);
	assert_int_equal(b.data[1], 3);
	assert_int_equal(b.data[2], 0);
	assert_null(ch_ext(&b, HELLO_EXT_RENEGOTIATION_INFO, &n, NULL));
	dbuf_free(&b);
}

static void
test_build_padding(void **state)
{
	struct hello_params hp;
	struct dbuf b;
	size_t n, hslen;

	hello_params_default(&hp, HELLO_TLS12, test_random);
	hp.nciphers = 80;	/* lands the hello in 256..511 bytes */
	hp.opts |= HELLO_OPT_PADDING;
	dbuf_init(&b, 65536);
	assert_int_equal(hello_build_client(&b, &hp), HELLO_BUILD_OK);
	hslen = b.len - 5;
	assert_int_equal(hslen, 512);
	assert_non_null(ch_ext(&b, HELLO_EXT_PADDING, &n, NULL));
	dbuf_free(&b);
}

static void
test_build_split_records(void **state)
{
	struct hello_params hp;
	struct dbuf whole, split, a, c;

	hello_params_default(&hp, HELLO_TLS13, test_random);
	dbuf_init(&whole, 65536);
	dbuf_init(&split, 65536);
	assert_int_equal(hello_build_client(&whole, &hp), HELLO_BUILD_OK);
	hp.record_max = 37;
	assert_int_equal(hello_build_client(&split, &hp), HELLO_BUILD_OK);
	assert_true(split.len > whole.len);
	rechunk(whole.data, whole.len, 100000, &a);
	rechunk(split.data, split.len, 100000, &c);
	assert_int_equal(a.len, c.len);
	assert_memory_equal(a.data, c.data, a.len);
	assert_int_equal(split.data[3], 0);
	assert_int_equal(split.data[4], 37);
	dbuf_free(&whole);
	dbuf_free(&split);
	dbuf_free(&a);
	dbuf_free(&c);
}

static void
test_build_deterministic(void **state)
{
	struct hello_params hp;
	struct dbuf a, b;
	uint8_t other[32];

	hello_params_default(&hp, HELLO_TLS13, test_random);
	dbuf_init(&a, 65536);
	dbuf_init(&b, 65536);
	assert_int_equal(hello_build_client(&a, &hp), HELLO_BUILD_OK);
	assert_int_equal(hello_build_client(&b, &hp), HELLO_BUILD_OK);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	memset(other, 0x5a, sizeof(other));
	hp.random = other;
	dbuf_reset(&b);
	assert_int_equal(hello_build_client(&b, &hp), HELLO_BUILD_OK);
	assert_int_equal(a.len, b.len);
	assert_memory_not_equal(a.data, b.data, a.len);
	dbuf_free(&a);
	dbuf_free(&b);
}

static void
test_build_errors(void **state)
{
	static const uint16_t one[] = { 0x002f };
	static const struct hello_key_share unknown[] = { { 0x11ec, NULL, 0 } };
	struct hello_params hp;
	struct dbuf b;

	dbuf_init(&b, 65536);
	hello_params_default(&hp, HELLO_TLS12, test_random);
	hp.version = 0x0305;
	assert_int_equal(hello_build_client(&b, &hp), HELLO_BUILD_EINVAL);
	hp.version = HELLO_SSL2;
	assert_int_equal(hello_build_client(&b, &hp), HELLO_BUILD_EINVAL);
	hello_params_default(&hp, HELLO_TLS12, NULL);
	assert_int_equal(hello_build_client(&b, &hp), HELLO_BUILD_EINVAL);
	hello_params_default(&hp, HELLO_TLS12, test_random);
	hp.nciphers = 0;
	assert_int_equal(hello_build_client(&b, &hp), HELLO_BUILD_EINVAL);
	hp.ciphers = one;
	hp.nciphers = 1;
	hp.session_id = test_random;
	hp.session_id_len = 33;
	assert_int_equal(hello_build_client(&b, &hp), HELLO_BUILD_EINVAL);
	hp.session_id_len = 32;
	hp.sni = "";
	assert_int_equal(hello_build_client(&b, &hp), HELLO_BUILD_EINVAL);
	hp.sni = NULL;
	hp.record_max = 20000;
	assert_int_equal(hello_build_client(&b, &hp), HELLO_BUILD_EINVAL);
	hp.record_max = 0;
	assert_int_equal(b.len, 0);

	/* A group we cannot fake needs caller-provided bytes. */
	hello_params_default(&hp, HELLO_TLS13, test_random);
	hp.key_shares = unknown;
	hp.nkey_shares = 1;
	assert_int_equal(hello_build_client(&b, &hp), HELLO_BUILD_EINVAL);
	assert_int_equal(b.len, 0);
	dbuf_free(&b);

	/* The caller's ceiling holds. */
	dbuf_init(&b, 64);
	hello_params_default(&hp, HELLO_TLS12, test_random);
	assert_int_equal(hello_build_client(&b, &hp), HELLO_BUILD_TOO_BIG);
	dbuf_free(&b);
}

static void
test_build_sslv2(void **state)
{
	static const uint32_t specs[] = { 0x010080, 0x0700c0 };
	static const uint8_t want[] = {
		0x80, 0x1f,				/* 2-byte header, 31 */
		0x01, 0x00, 0x02,			/* CLIENT-HELLO, version 2 */
		0x00, 0x06, 0x00, 0x00, 0x00, 0x10,	/* specs 6, session id 0, challenge 16 */
		0x01, 0x00, 0x80, 0x07, 0x00, 0xc0,
		0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
		0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
	};
	uint8_t challenge[16];
	struct hello_sslv2_params sp;
	struct dbuf b;

	memset(challenge, 0xab, sizeof(challenge));
	memset(&sp, 0, sizeof(sp));
	sp.version = HELLO_SSL2;
	sp.specs = specs;
	sp.nspecs = 2;
	sp.challenge = challenge;
	sp.challenge_len = sizeof(challenge);
	dbuf_init(&b, 4096);
	assert_int_equal(hello_build_sslv2(&b, &sp), HELLO_BUILD_OK);
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(b.data, want, sizeof(want));
	sp.challenge_len = 8;
	assert_int_equal(hello_build_sslv2(&b, &sp), HELLO_BUILD_EINVAL);
	dbuf_free(&b);
}

/* ---- Parser tests ------------------------------------------------------------------------- */

static void
check_flight12(const struct hello_server *sh)
{
	assert_int_equal(sh->result, HELLO_OK);
	assert_null(sh->reason);
	assert_int_equal(sh->version, HELLO_TLS12);
	assert_int_equal(sh->cipher, 0xc02f);
	assert_int_equal(sh->random[0], 0x10);
	assert_int_equal(sh->session_id_len, 8);
	assert_int_equal(sh->next, 8);
	assert_int_equal(sh->ext_types[0], HELLO_EXT_RENEGOTIATION_INFO);
	assert_true(hello_server_has_ext(sh, HELLO_EXT_EXTENDED_MASTER_SECRET));
	assert_true(hello_server_has_ext(sh, HELLO_EXT_ENCRYPT_THEN_MAC));
	assert_true(hello_server_has_ext(sh, HELLO_EXT_SESSION_TICKET));
	assert_true(hello_server_has_ext(sh, HELLO_EXT_STATUS_REQUEST));
	assert_false(hello_server_has_ext(sh, HELLO_EXT_KEY_SHARE));
	assert_int_equal(sh->reneg_info_len, 0);
	assert_int_equal(sh->heartbeat_mode, 1);
	assert_int_equal(sh->npoint_formats, 2);
	assert_int_equal(sh->point_formats[1], 1);
	assert_int_equal(sh->alpn.len, 4);
	assert_memory_equal(sh->alpn.p, "smtp", 4);
	assert_int_equal(sh->ncerts, 2);
	assert_int_equal(sh->certs[0].len, 5);
	assert_memory_equal(sh->certs[0].p, "\x30\x03\x02\x01\x01", 5);
	assert_int_equal(sh->certs[1].len, 3);
	assert_int_equal(sh->ske.kind, HELLO_SKE_ECDH);
	assert_int_equal(sh->ske.ec_curve_type, 3);
	assert_int_equal(sh->ske.ec_curve, HELLO_GROUP_X25519);
	assert_int_equal(sh->ske.ec_point.len, 32);
	assert_int_equal(sh->ske.sig_scheme, 0x0804);
	assert_int_equal(sh->ske.signature.len, 4);
	assert_int_equal(sh->ske.signature.p[0], 0x99);
	assert_int_equal(sh->status_type, 1);
	assert_int_equal(sh->status.len, 4);
	assert_true(sh->seen & HELLO_SEEN_DONE);
	assert_true(sh->seen & HELLO_SEEN_STATUS);
	assert_false(sh->seen & HELLO_SEEN_HRR);
	assert_int_equal(sh->downgrade, 0);
}

static void
test_parse_tls12(void **state)
{
	struct hello_server sh;

	assert_int_equal(hello_parse_server(flight12, sizeof(flight12), &sh), HELLO_OK);
	check_flight12(&sh);
	assert_int_equal(sh.consumed, sizeof(flight12));
	assert_int_equal(sh.record_version, HELLO_TLS12);
	hello_server_free(&sh);
}

/* Every proper prefix is "need more", never an error or a crash. */
static void
test_parse_prefixes(void **state)
{
	const struct { const uint8_t *p; size_t len; } v[] = {
		{ flight12, sizeof(flight12) },
		{ flight13, 5 + 0x7a },
		{ hrr, sizeof(hrr) },
		{ flight_dhe, sizeof(flight_dhe) },
		{ alert40, sizeof(alert40) },
	};
	struct hello_server sh;
	size_t i, n;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		for (n = 0; n < v[i].len; n++) {
			assert_int_equal(hello_parse_server(v[i].p, n, &sh), HELLO_NEED_MORE);
			hello_server_free(&sh);
		}
		assert_int_not_equal(hello_parse_server(v[i].p, n, &sh), HELLO_NEED_MORE);
		hello_server_free(&sh);
	}
}

/* Messages split across records, and records of one byte, read the same. */
static void
test_parse_split(void **state)
{
	struct hello_server sh;
	struct dbuf b;
	size_t chunk;

	for (chunk = 1; chunk < 200; chunk += (chunk < 10 ? 1 : 37)) {
		rechunk(flight12, sizeof(flight12), chunk, &b);
		assert_int_equal(hello_parse_server(b.data, b.len, &sh), HELLO_OK);
		check_flight12(&sh);
		assert_int_equal(sh.consumed, b.len);
		hello_server_free(&sh);
		dbuf_free(&b);
	}
	/* All in one record. */
	rechunk(flight12, sizeof(flight12), 16384, &b);
	assert_int_equal(hello_parse_server(b.data, b.len, &sh), HELLO_OK);
	check_flight12(&sh);
	hello_server_free(&sh);
	dbuf_free(&b);
}

static void
test_parse_tls13(void **state)
{
	struct hello_server sh;

	assert_int_equal(hello_parse_server(flight13, sizeof(flight13), &sh), HELLO_OK);
	assert_int_equal(sh.legacy_version, HELLO_TLS12);
	assert_int_equal(sh.selected_version, HELLO_TLS13);
	assert_int_equal(sh.version, HELLO_TLS13);
	assert_int_equal(sh.cipher, 0x1302);
	assert_int_equal(sh.session_id_len, 32);
	assert_int_equal(sh.key_share_group, HELLO_GROUP_X25519);
	assert_int_equal(sh.key_share_len, 32);
	assert_false(sh.seen & HELLO_SEEN_HRR);
	assert_int_equal(sh.ncerts, 0);		/* encrypted in 1.3 */
	assert_int_equal(sh.consumed, 5 + 0x7a);
	assert_int_equal(sh.reneg_info_len, -1);
	hello_server_free(&sh);
}

static void
test_parse_hrr(void **state)
{
	struct hello_server sh;

	assert_int_equal(hello_parse_server(hrr, sizeof(hrr), &sh), HELLO_OK);
	assert_true(sh.seen & HELLO_SEEN_HRR);
	assert_int_equal(sh.version, HELLO_TLS13);
	assert_int_equal(sh.key_share_group, HELLO_GROUP_SECP256R1);
	assert_int_equal(sh.key_share_len, 0);
	assert_true(hello_server_has_ext(&sh, HELLO_EXT_COOKIE));
	hello_server_free(&sh);
}

static void
test_parse_alert(void **state)
{
	struct hello_server sh;
	struct dbuf b;

	assert_int_equal(hello_parse_server(alert40, sizeof(alert40), &sh), HELLO_ALERT);
	assert_int_equal(sh.alert_level, 2);
	assert_int_equal(sh.alert_desc, HELLO_ALERT_HANDSHAKE_FAILURE);
	assert_string_equal(hello_alert_name(sh.alert_desc), "handshake_failure");
	assert_false(sh.seen & HELLO_SEEN_HELLO);
	hello_server_free(&sh);

	/* An alert after the ServerHello keeps what was parsed. */
	dbuf_init(&b, 4096);
	dbuf_add(&b, flight12, 5 + 0x60);
	dbuf_add(&b, alert40, sizeof(alert40));
	assert_int_equal(hello_parse_server(b.data, b.len, &sh), HELLO_ALERT);
	assert_true(sh.seen & HELLO_SEEN_HELLO);
	assert_int_equal(sh.cipher, 0xc02f);
	assert_int_equal(sh.consumed, b.len);
	hello_server_free(&sh);
	dbuf_free(&b);
}

static void
test_parse_dhe(void **state)
{
	struct hello_server sh;

	assert_int_equal(hello_parse_server(flight_dhe, sizeof(flight_dhe), &sh), HELLO_OK);
	assert_int_equal(sh.version, HELLO_TLS10);
	assert_int_equal(sh.record_version, HELLO_TLS10);
	assert_int_equal(sh.next, 0);
	assert_int_equal(sh.downgrade, HELLO_TLS11);
	assert_int_equal(sh.ske.kind, HELLO_SKE_DH);
	assert_int_equal(sh.ske.dh_p_bits, 512);
	assert_int_equal(sh.ske.dh_p.len, 65);
	assert_int_equal(sh.ske.dh_g_value, 2);
	assert_int_equal(sh.ske.dh_ys.len, 64);
	assert_int_equal(sh.ske.sig_scheme, 0);	/* before 1.2: no scheme */
	assert_int_equal(sh.ske.signature.len, 6);
	assert_int_equal(sh.ncerts, 2);
	hello_server_free(&sh);
}

/* The server resumes a session: ServerHello, then ChangeCipherSpec. */
static void
test_parse_resumption(void **state)
{
	static const uint8_t ccs[] = { 0x14, 0x03, 0x03, 0x00, 0x01, 0x01 };
	struct hello_server sh;
	struct dbuf b;

	dbuf_init(&b, 4096);
	dbuf_add(&b, flight12, 5 + 0x60);
	dbuf_add(&b, ccs, sizeof(ccs));
	assert_int_equal(hello_parse_server(b.data, b.len, &sh), HELLO_OK);
	assert_true(sh.seen & HELLO_SEEN_CCS);
	assert_false(sh.seen & HELLO_SEEN_DONE);
	hello_server_free(&sh);
	dbuf_free(&b);
}

struct bad {
	const char		*what;
	const uint8_t		*p;
	size_t			 len;
	enum hello_result	 want;
};

#define BAD(what, want, ...)	{ what, (const uint8_t[]){ __VA_ARGS__ },		\
	sizeof((const uint8_t[]){ __VA_ARGS__ }), want }

/* A ServerHello record prefix for TLS 1.2 with an empty session id; body follows. */
#define SH12(reclen, hslen)	0x16, 0x03, 0x03, 0x00, (reclen), 0x02, 0x00, 0x00, (hslen), \
	0x03, 0x03, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,	\
	17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32

static void
test_parse_malformed(void **state)
{
	const struct bad bad[] = {
		BAD("smtp reply", HELLO_NOT_TLS, '4', '5', '4', ' ', 'T', 'L', 'S', '\r', '\n'),
		BAD("sslv2 framing", HELLO_NOT_TLS, 0x80, 0x26, 0x04, 0x00),
		BAD("record version 2.x", HELLO_NOT_TLS, 0x16, 0x02, 0x00, 0x00, 0x01, 0x00),
		BAD("oversized record", HELLO_MALFORMED, 0x16, 0x03, 0x03, 0x40, 0x01),
		BAD("empty handshake", HELLO_MALFORMED, 0x16, 0x03, 0x03, 0x00, 0x00),
		BAD("appdata first", HELLO_MALFORMED, 0x17, 0x03, 0x03, 0x00, 0x01, 0x00),
		BAD("short alert", HELLO_MALFORMED, 0x15, 0x03, 0x03, 0x00, 0x01, 0x02),
		BAD("ccs first", HELLO_MALFORMED, 0x14, 0x03, 0x03, 0x00, 0x01, 0x01),
		BAD("certificate first", HELLO_MALFORMED,
		    0x16, 0x03, 0x03, 0x00, 0x07, 0x0b, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00),
		BAD("a ClientHello", HELLO_MALFORMED,
		    0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00),
		BAD("message over 64 KiB", HELLO_TOO_BIG,
		    0x16, 0x03, 0x03, 0x00, 0x04, 0x0b, 0x01, 0x00, 0x00),
		BAD("session id 33", HELLO_MALFORMED, SH12(0x27, 0x23), 33),
		BAD("truncated ServerHello", HELLO_MALFORMED, SH12(0x28, 0x24), 0, 0xc0),
		BAD("extensions overrun", HELLO_MALFORMED,
		    SH12(0x2c, 0x28), 0, 0xc0, 0x2f, 0, 0x00, 0x05),
		BAD("extension overruns block", HELLO_MALFORMED,
		    SH12(0x30, 0x2c), 0, 0xc0, 0x2f, 0, 0x00, 0x04, 0x00, 0x17, 0x00, 0x01),
		BAD("duplicate extension", HELLO_MALFORMED,
		    SH12(0x34, 0x30), 0, 0xc0, 0x2f, 0, 0x00, 0x08,
		    0x00, 0x17, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00),
		BAD("bad supported_versions", HELLO_MALFORMED,
		    SH12(0x31, 0x2d), 0, 0xc0, 0x2f, 0, 0x00, 0x05, 0x00, 0x2b, 0x00, 0x01, 0x03),
		BAD("empty ec_point_formats", HELLO_MALFORMED,
		    SH12(0x31, 0x2d), 0, 0xc0, 0x2f, 0, 0x00, 0x05, 0x00, 0x0b, 0x00, 0x01, 0x00),
		BAD("ServerHelloDone with body", HELLO_MALFORMED,
		    SH12(0x31, 0x28), 0, 0xc0, 0x2f, 0, 0x00, 0x00,
		    0x0e, 0x00, 0x00, 0x01, 0x00),
		BAD("second ServerHello", HELLO_MALFORMED,
		    SH12(0x58, 0x28), 0, 0xc0, 0x2f, 0, 0x00, 0x00,
		    0x02, 0x00, 0x00, 0x28, 0x03, 0x03, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
		    13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
		    32, 0, 0xc0, 0x2f, 0, 0x00, 0x00),
		BAD("unknown handshake type", HELLO_MALFORMED,
		    SH12(0x30, 0x28), 0, 0xc0, 0x2f, 0, 0x00, 0x00,
		    0x63, 0x00, 0x00, 0x00),
		BAD("bad record type later", HELLO_MALFORMED,
		    SH12(0x2c, 0x28), 0, 0xc0, 0x2f, 0, 0x00, 0x00,
		    0x18, 0x03, 0x03, 0x00, 0x01, 0x00),
	};
	struct hello_server sh;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum hello_result r = hello_parse_server(bad[i].p, bad[i].len, &sh);

		if (r != bad[i].want)
			fail_msg("%s: got %s (%s), want %s", bad[i].what, hello_result_name(r),
			    sh.reason ? sh.reason : "-", hello_result_name(bad[i].want));
		if (r == HELLO_MALFORMED || r == HELLO_NOT_TLS || r == HELLO_TOO_BIG)
			assert_non_null(sh.reason);
		if (getenv("HELLO_TEST_VERBOSE") != NULL)
			print_message("%-28s %s\n", bad[i].what, sh.reason);
		hello_server_free(&sh);
	}
}

/* A flight that grows past the ceiling is TOO_BIG, not unbounded memory. */
static void
test_parse_ceiling(void **state)
{
	static const uint8_t cert_hdr[] = { 0x0b, 0x00, 0xff, 0xdc };	/* 65500 bytes */
	uint8_t rec[5 + HELLO_RECORD_MAX];
	struct hello_server sh;
	struct dbuf b;
	size_t i;

	dbuf_init(&b, 1 << 20);
	dbuf_add(&b, flight12, 5 + 0x60);
	memset(rec, 0, sizeof(rec));
	rec[0] = HELLO_CT_HANDSHAKE;
	rec[1] = 3;
	rec[2] = 3;
	rec[3] = HELLO_RECORD_MAX >> 8;
	memcpy(rec + 5, cert_hdr, sizeof(cert_hdr));
	for (i = 0; i < 5; i++) {
		dbuf_add(&b, rec, sizeof(rec));
		memset(rec + 5, 0, sizeof(cert_hdr));
	}
	assert_int_equal(hello_parse_server(b.data, b.len, &sh), HELLO_TOO_BIG);
	assert_non_null(sh.reason);
	hello_server_free(&sh);
	dbuf_free(&b);
}

static void
test_parse_sslv2(void **state)
{
	static const uint8_t err[] = { 0x80, 0x03, 0x00, 0x00, 0x01 };
	static const uint8_t trailing[] = {
		0x80, 0x0d, 0x04, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xaa,
		0xbb,
	};
	static const uint8_t badspecs[] = {
		0x80, 0x0d, 0x04, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x01,
		0x00,
	};
	struct hello_sslv2_server v2;
	size_t n;

	assert_int_equal(hello_parse_sslv2(sslv2, sizeof(sslv2), &v2), HELLO_OK);
	assert_int_equal(v2.session_id_hit, 0);
	assert_int_equal(v2.cert_type, 1);
	assert_int_equal(v2.version, HELLO_SSL2);
	assert_int_equal(v2.cert_len, 5);
	assert_ptr_equal(v2.cert, sslv2 + 13);
	assert_int_equal(v2.nspecs, 2);
	assert_int_equal(v2.specs[0], 0x010080);
	assert_int_equal(v2.specs[1], 0x0700c0);
	assert_int_equal(v2.conn_id_len, 16);
	assert_int_equal(v2.consumed, sizeof(sslv2));
	for (n = 0; n < sizeof(sslv2); n++)
		assert_int_equal(hello_parse_sslv2(sslv2, n, &v2), HELLO_NEED_MORE);

	assert_int_equal(hello_parse_sslv2(err, sizeof(err), &v2), HELLO_ALERT);
	assert_int_equal(v2.error, 1);
	assert_string_equal(hello_sslv2_error_name(v2.error), "NO-CIPHER-ERROR");
	assert_int_equal(hello_parse_sslv2(alert40, sizeof(alert40), &v2), HELLO_NOT_TLS);
	assert_int_equal(hello_parse_sslv2((const uint8_t *)"220 ", 4, &v2), HELLO_NOT_TLS);
	assert_int_equal(hello_parse_sslv2(trailing, sizeof(trailing), &v2), HELLO_MALFORMED);
	assert_int_equal(hello_parse_sslv2(badspecs, sizeof(badspecs), &v2), HELLO_MALFORMED);
	/* And the TLS parser says SSLv2 is not TLS. */
	{
		struct hello_server sh;

		assert_int_equal(hello_parse_server(sslv2, sizeof(sslv2), &sh), HELLO_NOT_TLS);
		hello_server_free(&sh);
	}
}

/* Name tables for wire code points: known names, NULL for unknown. */
static void
test_names(void **state)
{
	assert_string_equal(hello_group_name(29), "x25519");
	assert_string_equal(hello_group_name(23), "secp256r1");
	assert_string_equal(hello_group_name(256), "ffdhe2048");
	assert_string_equal(hello_group_name(260), "ffdhe8192");
	assert_null(hello_group_name(0x0a0a));
	assert_string_equal(hello_sigalg_name(0x0804), "rsa_pss_rsae_sha256");
	assert_string_equal(hello_sigalg_name(0x0807), "ed25519");
	assert_string_equal(hello_alert_name(86), "inappropriate_fallback");
	assert_string_equal(hello_alert_name(70), "protocol_version");
	assert_null(hello_alert_name(255));
	assert_string_equal(hello_ext_name(0xff01), "renegotiation_info");
	assert_string_equal(hello_version_name(HELLO_TLS13), "TLSv1.3");
	assert_null(hello_version_name(0x7f1c));
	assert_string_equal(hello_result_name(HELLO_NEED_MORE), "need_more");
	assert_string_equal(hello_result_name(HELLO_RESULT_LAST), "?");
	assert_string_equal(hello_ske_kind_name(HELLO_SKE_ECDH), "ecdh");
	assert_int_equal(hello_key_share_len(HELLO_GROUP_SECP384R1), 97);
	assert_int_equal(hello_key_share_len(HELLO_GROUP_SECP521R1), 133);
	assert_int_equal(hello_key_share_len(HELLO_GROUP_FFDHE3072), 384);
	assert_int_equal(hello_key_share_len(0x11ec), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_known_bytes),
		cmocka_unit_test(test_build_tls13),
		cmocka_unit_test(test_build_options),
		cmocka_unit_test(test_build_padding),
		cmocka_unit_test(test_build_split_records),
		cmocka_unit_test(test_build_deterministic),
		cmocka_unit_test(test_build_errors),
		cmocka_unit_test(test_build_sslv2),
		cmocka_unit_test(test_parse_tls12),
		cmocka_unit_test(test_parse_prefixes),
		cmocka_unit_test(test_parse_split),
		cmocka_unit_test(test_parse_tls13),
		cmocka_unit_test(test_parse_hrr),
		cmocka_unit_test(test_parse_alert),
		cmocka_unit_test(test_parse_dhe),
		cmocka_unit_test(test_parse_resumption),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_parse_ceiling),
		cmocka_unit_test(test_parse_sslv2),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
