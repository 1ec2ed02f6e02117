/*
 * hello.c — ClientHello builders and server-flight parsers; see hello.h and
 * docs/internals/hello-engine.md.
 *
 * Encoding uses a writer with a sticky error and a stack of open length-prefixed blocks whose
 * lengths are back-patched on close (HELLO_BLOCK), so the builder reads like the structures in
 * RFC 8446 §4.1.2.  Decoding uses struct cursor (util/cursor.h), also with a sticky error.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tls/cipher.h"
#include "tls/hello.h"
#include "util/cursor.h"
#include "util/dbuf.h"
#include "util/xalloc.h"

/* SHA-256("HelloRetryRequest"), RFC 8446 §4.1.3: an HRR is a ServerHello with this random. */
static const uint8_t hello_hrr_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* ---- Writer ------------------------------------------------------------------------------- */

#define HELLO_W_DEPTH	8	/* record > handshake > extensions > extension > list > entry */

struct hello_w {
	struct dbuf	*b;
	int		 err;			/* sticky: an enum hello_build_result */
	size_t		 depth;
	size_t		 at[HELLO_W_DEPTH];	/* where each open block's length field starts */
	size_t		 width[HELLO_W_DEPTH];	/* its size in bytes: 1, 2 or 3 */
};

/*
 * HELLO_BLOCK(w, width, { ... }): write a length field of `width` bytes, then the body, then
 * patch the length.  Blocks nest; the stack lives in the writer, so no local names collide.
 */
#define HELLO_BLOCK(w, width, ...) do {					\
	hello_w_open((w), (width));					\
	__VA_ARGS__							\
	hello_w_close(w);						\
} while (0)

static void
hello_w_bytes(struct hello_w *w, const void *p, size_t n)
{
	if (w->err || n == 0)
		return;
	if (dbuf_add(w->b, p, n) != DBUF_OK)
		w->err = HELLO_BUILD_TOO_BIG;
}

static void
hello_w_u8(struct hello_w *w, unsigned int v)
{
	uint8_t b = (uint8_t)v;

	hello_w_bytes(w, &b, 1);
}

static void
hello_w_u16(struct hello_w *w, unsigned int v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	hello_w_bytes(w, b, 2);
}

static void
hello_w_open(struct hello_w *w, size_t width)
{
	static const uint8_t zero[3];

	if (w->depth == HELLO_W_DEPTH)
		BUG("hello writer: blocks nested too deep");
	w->at[w->depth] = w->b->len;
	w->width[w->depth] = width;
	w->depth++;
	hello_w_bytes(w, zero, width);
}

static void
hello_w_close(struct hello_w *w)
{
	size_t at, width, n, i;

	if (w->depth == 0)
		BUG("hello writer: close without open");
	w->depth--;
	if (w->err)
		return;
	at = w->at[w->depth];
	width = w->width[w->depth];
	n = w->b->len - at - width;
	if (n >> (8 * width) != 0) {
		w->err = HELLO_BUILD_TOO_BIG;
		return;
	}
	for (i = 0; i < width; i++)
		w->b->data[at + i] = (uint8_t)(n >> (8 * (width - 1 - i)));
}

/* ---- Key share stand-ins ------------------------------------------------------------------ */

/* Generator points (SEC 2): valid public keys, so servers that check the curve accept them. */
static const uint8_t hello_p256_g[65] = {
	0x04,
	0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40, 0xf2,
	0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96,
	0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16,
	0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5,
};

static const uint8_t hello_p384_g[97] = {
	0x04,
	0xaa, 0x87, 0xca, 0x22, 0xbe, 0x8b, 0x05, 0x37, 0x8e, 0xb1, 0xc7, 0x1e, 0xf3, 0x20, 0xad, 0x74,
	0x6e, 0x1d, 0x3b, 0x62, 0x8b, 0xa7, 0x9b, 0x98, 0x59, 0xf7, 0x41, 0xe0, 0x82, 0x54, 0x2a, 0x38,
	0x55, 0x02, 0xf2, 0x5d, 0xbf, 0x55, 0x29, 0x6c, 0x3a, 0x54, 0x5e, 0x38, 0x72, 0x76, 0x0a, 0xb7,
	0x36, 0x17, 0xde, 0x4a, 0x96, 0x26, 0x2c, 0x6f, 0x5d, 0x9e, 0x98, 0xbf, 0x92, 0x92, 0xdc, 0x29,
	0xf8, 0xf4, 0x1d, 0xbd, 0x28, 0x9a, 0x14, 0x7c, 0xe9, 0xda, 0x31, 0x13, 0xb5, 0xf0, 0xb8, 0xc0,
	0x0a, 0x60, 0xb1, 0xce, 0x1d, 0x7e, 0x81, 0x9d, 0x7a, 0x43, 0x1d, 0x7c, 0x90, 0xea, 0x0e, 0x5f,
};

static const uint8_t hello_p521_g[133] = {
	0x04,
	0x00, 0xc6, 0x85, 0x8e, 0x06, 0xb7, 0x04, 0x04, 0xe9, 0xcd, 0x9e, 0x3e, 0xcb, 0x66, 0x23, 0x95,
	0xb4, 0x42, 0x9c, 0x64, 0x81, 0x39, 0x05, 0x3f, 0xb5, 0x21, 0xf8, 0x28, 0xaf, 0x60, 0x6b, 0x4d,
	0x3d, 0xba, 0xa1, 0x4b, 0x5e, 0x77, 0xef, 0xe7, 0x59, 0x28, 0xfe, 0x1d, 0xc1, 0x27, 0xa2, 0xff,
	0xa8, 0xde, 0x33, 0x48, 0xb3, 0xc1, 0x85, 0x6a, 0x42, 0x9b, 0xf9, 0x7e, 0x7e, 0x31, 0xc2, 0xe5,
	0xbd, 0x66, 0x01, 0x18, 0x39, 0x29, 0x6a, 0x78, 0x9a, 0x3b, 0xc0, 0x04, 0x5c, 0x8a, 0x5f, 0xb4,
	0x2c, 0x7d, 0x1b, 0xd9, 0x98, 0xf5, 0x44, 0x49, 0x57, 0x9b, 0x44, 0x68, 0x17, 0xaf, 0xbd, 0x17,
	0x27, 0x3e, 0x66, 0x2c, 0x97, 0xee, 0x72, 0x99, 0x5e, 0xf4, 0x26, 0x40, 0xc5, 0x50, 0xb9, 0x01,
	0x3f, 0xad, 0x07, 0x61, 0x35, 0x3c, 0x70, 0x86, 0xa2, 0x72, 0xc2, 0x40, 0x88, 0xbe, 0x94, 0x76,
	0x9f, 0xd1, 0x66, 0x50,
};

size_t
hello_key_share_len(uint16_t group)
{
	switch (group) {
	case HELLO_GROUP_X25519:	return 32;
	case HELLO_GROUP_X448:		return 56;
	case HELLO_GROUP_SECP256R1:	return sizeof(hello_p256_g);
	case HELLO_GROUP_SECP384R1:	return sizeof(hello_p384_g);
	case HELLO_GROUP_SECP521R1:	return sizeof(hello_p521_g);
	case HELLO_GROUP_FFDHE2048:	return 256;
	case HELLO_GROUP_FFDHE3072:	return 384;
	case HELLO_GROUP_FFDHE4096:	return 512;
	case HELLO_GROUP_FFDHE6144:	return 768;
	case HELLO_GROUP_FFDHE8192:	return 1024;
	default:			return 0;
	}
}

/* splitmix64: random-looking filler derived from the caller's random, so output repeats. */
static uint64_t
hello_mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
hello_w_key_share(struct hello_w *w, const struct hello_key_share *ks, const uint8_t *random)
{
	uint8_t buf[1024];
	uint64_t s = ks->group, v = 0;
	size_t n, i;

	if (ks->key != NULL) {
		hello_w_bytes(w, ks->key, ks->len);
		return;
	}
	switch (ks->group) {
	case HELLO_GROUP_SECP256R1:
		hello_w_bytes(w, hello_p256_g, sizeof(hello_p256_g));
		return;
	case HELLO_GROUP_SECP384R1:
		hello_w_bytes(w, hello_p384_g, sizeof(hello_p384_g));
		return;
	case HELLO_GROUP_SECP521R1:
		hello_w_bytes(w, hello_p521_g, sizeof(hello_p521_g));
		return;
	}
	n = hello_key_share_len(ks->group);
	if (n == 0 || n > sizeof(buf)) {
		w->err = HELLO_BUILD_EINVAL;
		return;
	}
	if (ks->group >= HELLO_GROUP_FFDHE2048 && ks->group <= HELLO_GROUP_FFDHE8192) {
		/* Y = g = 2, left-padded to the size of p (RFC 8446 §4.2.8.1): in range. */
		memset(buf, 0, n);
		buf[n - 1] = 2;
	} else {
		for (i = 0; i < 32; i++)
			s = s << 8 ^ random[i] ^ s >> 56;
		for (i = 0; i < n; i++) {
			if (i % 8 == 0)
				v = hello_mix(&s);
			buf[i] = (uint8_t)(v >> (8 * (i % 8)));
		}
	}
	hello_w_bytes(w, buf, n);
}

/* ---- ClientHello -------------------------------------------------------------------------- */

static const uint16_t hello_default_groups[] = {
	HELLO_GROUP_X25519, HELLO_GROUP_SECP256R1, HELLO_GROUP_X448, HELLO_GROUP_SECP521R1,
	HELLO_GROUP_SECP384R1, 26, 27, 28,	/* brainpoolP256r1, P384r1, P512r1 */
	22, 21, 19,				/* secp256k1, secp224r1, secp192r1 */
	HELLO_GROUP_FFDHE2048, HELLO_GROUP_FFDHE3072, HELLO_GROUP_FFDHE4096,
	HELLO_GROUP_FFDHE6144, HELLO_GROUP_FFDHE8192,
};

static const uint16_t hello_default_groups13[] = {
	HELLO_GROUP_X25519, HELLO_GROUP_SECP256R1, HELLO_GROUP_X448, HELLO_GROUP_SECP521R1,
	HELLO_GROUP_SECP384R1, HELLO_GROUP_FFDHE2048, HELLO_GROUP_FFDHE3072, HELLO_GROUP_FFDHE4096,
	HELLO_GROUP_FFDHE6144, HELLO_GROUP_FFDHE8192,
};

/* Broad on purpose: a scanner wants the server's choice, not to be refused for ours. */
static const uint16_t hello_default_sigalgs[] = {
	0x0403, 0x0503, 0x0603,		/* ecdsa_secp256r1_sha256, 384, 521 */
	0x0807, 0x0808,			/* ed25519, ed448 */
	0x0804, 0x0805, 0x0806,		/* rsa_pss_rsae_sha256, 384, 512 */
	0x0809, 0x080a, 0x080b,		/* rsa_pss_pss_sha256, 384, 512 */
	0x0401, 0x0501, 0x0601,		/* rsa_pkcs1_sha256, 384, 512 */
	0x0303, 0x0301, 0x0302,		/* sha224 with ecdsa, rsa, dsa */
	0x0402, 0x0502, 0x0602,		/* dsa_sha256, 384, 512 */
	0x0203, 0x0201, 0x0202,		/* ecdsa_sha1, rsa_pkcs1_sha1, dsa_sha1 */
};

static const uint8_t hello_default_point_formats[] = { 0, 1, 2 };

static const uint16_t hello_default_versions13[] = { HELLO_TLS13 };

static const struct hello_key_share hello_default_shares[] = {
	{ HELLO_GROUP_X25519, NULL, 0 },
	{ HELLO_GROUP_SECP256R1, NULL, 0 },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

void
hello_params_default(struct hello_params *hp, uint16_t version, const uint8_t random[32])
{
	memset(hp, 0, sizeof(*hp));
	hp->version = version;
	hp->random = random;
	hp->point_formats = hello_default_point_formats;
	hp->npoint_formats = NELEM(hello_default_point_formats);
	hp->sigalgs = hello_default_sigalgs;
	hp->nsigalgs = NELEM(hello_default_sigalgs);
	hp->opts = HELLO_OPT_RENEG_INFO | HELLO_OPT_EMS | HELLO_OPT_TICKET | HELLO_OPT_STATUS;
	if (version >= HELLO_TLS13) {
		hp->ciphers = cipher_list_tls13(&hp->nciphers);
		hp->groups = hello_default_groups13;
		hp->ngroups = NELEM(hello_default_groups13);
		hp->versions = hello_default_versions13;
		hp->nversions = NELEM(hello_default_versions13);
		hp->key_shares = hello_default_shares;
		hp->nkey_shares = NELEM(hello_default_shares);
		hp->opts |= HELLO_OPT_PSK_MODES;
	} else {
		hp->ciphers = cipher_list_legacy(&hp->nciphers);
		hp->groups = hello_default_groups;
		hp->ngroups = NELEM(hello_default_groups);
	}
}

/* ClientHello.extensions, RFC 8446 §4.2; `start` is where the handshake message began. */
static int
hello_is_ip(const char *s)
{
	unsigned char b[16];

	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

static void
hello_client_exts(struct hello_w *w, const struct hello_params *hp, size_t start)
{
	size_t i, n, hl, used;
	const char *s;

	/* RFC 6066 §3: one host_name, without the trailing dot, and never an address literal */
	if (hp->sni != NULL && !hello_is_ip(hp->sni)) {
		hl = strlen(hp->sni);
		if (hl > 0 && hp->sni[hl - 1] == '.')
			hl--;
		hello_w_u16(w, HELLO_EXT_SERVER_NAME);
		HELLO_BLOCK(w, 2, {
			HELLO_BLOCK(w, 2, {
				hello_w_u8(w, 0);	/* host_name */
				HELLO_BLOCK(w, 2, {
					hello_w_bytes(w, hp->sni, hl);
				});
			});
		});
	}
	if (hp->npoint_formats > 0) {
		hello_w_u16(w, HELLO_EXT_EC_POINT_FORMATS);
		HELLO_BLOCK(w, 2, {
			HELLO_BLOCK(w, 1, {
				hello_w_bytes(w, hp->point_formats, hp->npoint_formats);
			});
		});
	}
	if (hp->ngroups > 0) {
		hello_w_u16(w, HELLO_EXT_SUPPORTED_GROUPS);
		HELLO_BLOCK(w, 2, {
			HELLO_BLOCK(w, 2, {
				for (i = 0; i < hp->ngroups; i++)
					hello_w_u16(w, hp->groups[i]);
			});
		});
	}
	if (hp->opts & HELLO_OPT_TICKET) {
		hello_w_u16(w, HELLO_EXT_SESSION_TICKET);
		hello_w_u16(w, 0);
	}
	if (hp->nalpn > 0) {
		hello_w_u16(w, HELLO_EXT_ALPN);
		HELLO_BLOCK(w, 2, {
			HELLO_BLOCK(w, 2, {
				for (i = 0; i < hp->nalpn; i++) {
					s = hp->alpn[i];
					n = strlen(s);
					if (n == 0)
						w->err = HELLO_BUILD_EINVAL;
					HELLO_BLOCK(w, 1, {
						hello_w_bytes(w, s, n);
					});
				}
			});
		});
	}
	if (hp->opts & HELLO_OPT_ETM) {
		hello_w_u16(w, HELLO_EXT_ENCRYPT_THEN_MAC);
		hello_w_u16(w, 0);
	}
	if (hp->opts & HELLO_OPT_EMS) {
		hello_w_u16(w, HELLO_EXT_EXTENDED_MASTER_SECRET);
		hello_w_u16(w, 0);
	}
	if (hp->opts & HELLO_OPT_STATUS) {
		/* CertificateStatusRequest: ocsp(1), no responder_id_list, no extensions */
		hello_w_u16(w, HELLO_EXT_STATUS_REQUEST);
		HELLO_BLOCK(w, 2, {
			hello_w_u8(w, 1);
			hello_w_u16(w, 0);
			hello_w_u16(w, 0);
		});
	}
	/* RFC 5246 §7.4.1.4.1: meaningless before TLS 1.2, and some old servers choke on it. */
	if (hp->nsigalgs > 0 && hp->version >= HELLO_TLS12) {
		hello_w_u16(w, HELLO_EXT_SIGNATURE_ALGORITHMS);
		HELLO_BLOCK(w, 2, {
			HELLO_BLOCK(w, 2, {
				for (i = 0; i < hp->nsigalgs; i++)
					hello_w_u16(w, hp->sigalgs[i]);
			});
		});
	}
	if (hp->opts & HELLO_OPT_HEARTBEAT) {
		hello_w_u16(w, HELLO_EXT_HEARTBEAT);
		HELLO_BLOCK(w, 2, {
			hello_w_u8(w, 1);	/* peer_allowed_to_send */
		});
	}
	if (hp->version >= HELLO_TLS13 || hp->nversions > 0) {
		hello_w_u16(w, HELLO_EXT_SUPPORTED_VERSIONS);
		HELLO_BLOCK(w, 2, {
			HELLO_BLOCK(w, 1, {
				if (hp->nversions == 0)
					hello_w_u16(w, HELLO_TLS13);
				for (i = 0; i < hp->nversions; i++)
					hello_w_u16(w, hp->versions[i]);
			});
		});
	}
	if (hp->opts & HELLO_OPT_PSK_MODES) {
		hello_w_u16(w, HELLO_EXT_PSK_KEY_EXCHANGE_MODES);
		HELLO_BLOCK(w, 2, {
			HELLO_BLOCK(w, 1, {
				hello_w_u8(w, 1);	/* psk_dhe_ke */
			});
		});
	}
	if (hp->version >= HELLO_TLS13 || hp->nkey_shares > 0) {
		hello_w_u16(w, HELLO_EXT_KEY_SHARE);
		HELLO_BLOCK(w, 2, {
			HELLO_BLOCK(w, 2, {
				for (i = 0; i < hp->nkey_shares; i++) {
					hello_w_u16(w, hp->key_shares[i].group);
					HELLO_BLOCK(w, 2, {
						hello_w_key_share(w, &hp->key_shares[i],
						    hp->random);
					});
				}
			});
		});
	}
	if (hp->opts & HELLO_OPT_RENEG_INFO) {
		hello_w_u16(w, HELLO_EXT_RENEGOTIATION_INFO);
		HELLO_BLOCK(w, 2, {
			hello_w_u8(w, 0);	/* empty renegotiated_connection */
		});
	}
	/*
	 * RFC 7685: some servers hang on a ClientHello of 256..511 bytes; pad it to 512.  Padding
	 * goes last, its own 4-byte header included in the count.
	 */
	if ((hp->opts & HELLO_OPT_PADDING) && !w->err) {
		used = w->b->len - start + 4;
		if (used >= 256 && used < 512) {
			hello_w_u16(w, HELLO_EXT_PADDING);
			HELLO_BLOCK(w, 2, {
				for (i = used; i < 512; i++)
					hello_w_u8(w, 0);
			});
		}
	}
}

/* The Handshake message: RFC 8446 §4.1.2 (and RFC 5246 §7.4.1.2, which it extends). */
static void
hello_client_message(struct hello_w *w, const struct hello_params *hp)
{
	size_t i, start = w->b->len;

	hello_w_u8(w, HELLO_HS_CLIENT_HELLO);
	HELLO_BLOCK(w, 3, {
		/* legacy_version: 1.3 says 1.2 here and the truth in supported_versions. */
		hello_w_u16(w, hp->version > HELLO_TLS12 ? HELLO_TLS12 : hp->version);
		hello_w_bytes(w, hp->random, 32);
		HELLO_BLOCK(w, 1, {
			hello_w_bytes(w, hp->session_id, hp->session_id_len);
		});
		HELLO_BLOCK(w, 2, {
			for (i = 0; i < hp->nciphers; i++)
				hello_w_u16(w, hp->ciphers[i]);
			if (hp->opts & HELLO_OPT_RENEG_SCSV)
				hello_w_u16(w, CIPHER_CODE_EMPTY_RENEGOTIATION_INFO_SCSV);
			if (hp->opts & HELLO_OPT_FALLBACK_SCSV)
				hello_w_u16(w, CIPHER_CODE_FALLBACK_SCSV);
		});
		HELLO_BLOCK(w, 1, {
			if (hp->opts & HELLO_OPT_DEFLATE)
				hello_w_u8(w, 1);
			hello_w_u8(w, 0);	/* null, always */
		});
		/* SSL 3.0 predates extensions; some SSLv3-only servers reject the block. */
		if (hp->version > HELLO_SSL3 && !(hp->opts & HELLO_OPT_NO_EXTENSIONS)) {
			HELLO_BLOCK(w, 2, {
				hello_client_exts(w, hp, start);
			});
		}
	});
}

enum hello_build_result
hello_build_client(struct dbuf *out, const struct hello_params *hp)
{
	struct dbuf hs;
	struct hello_w w;
	size_t recmax, off, n;
	uint16_t rv;

	if (hp->version < HELLO_SSL3 || hp->version > HELLO_TLS13 || hp->random == NULL ||
	    hp->session_id_len > 32 || (hp->session_id_len > 0 && hp->session_id == NULL) ||
	    hp->nciphers + !!(hp->opts & HELLO_OPT_RENEG_SCSV) +
	    !!(hp->opts & HELLO_OPT_FALLBACK_SCSV) == 0 || hp->record_max > HELLO_RECORD_MAX)
		return HELLO_BUILD_EINVAL;
	if (hp->sni != NULL && (hp->sni[0] == '\0' || strcmp(hp->sni, ".") == 0))
		return HELLO_BUILD_EINVAL;

	dbuf_init(&hs, HELLO_FLIGHT_MAX);
	memset(&w, 0, sizeof(w));
	w.b = &hs;
	hello_client_message(&w, hp);
	if (w.err) {
		dbuf_free(&hs);
		return w.err;
	}

	/* TLSPlaintext records; 1.0 on the record is what compatible clients send (RFC 8446 §5.1). */
	rv = hp->record_version ? hp->record_version :
	    hp->version == HELLO_SSL3 ? HELLO_SSL3 : HELLO_TLS10;
	recmax = hp->record_max ? hp->record_max : HELLO_RECORD_MAX;
	w.b = out;
	for (off = 0; off < hs.len && !w.err; off += n) {
		n = hs.len - off < recmax ? hs.len - off : recmax;
		hello_w_u8(&w, HELLO_CT_HANDSHAKE);
		hello_w_u16(&w, rv);
		HELLO_BLOCK(&w, 2, {
			hello_w_bytes(&w, hs.data + off, n);
		});
	}
	dbuf_free(&hs);
	return w.err;
}

/* SSLv2 CLIENT-HELLO: 2-byte header with the high bit, no padding, no session id. */
enum hello_build_result
hello_build_sslv2(struct dbuf *out, const struct hello_sslv2_params *sp)
{
	struct hello_w w;
	size_t i, at;

	if (sp->nspecs == 0 || sp->nspecs > 0x7fff / 3 || sp->challenge == NULL ||
	    sp->challenge_len < 16 || sp->challenge_len > 32)
		return HELLO_BUILD_EINVAL;
	for (i = 0; i < sp->nspecs; i++)
		if (sp->specs[i] > 0xffffff)
			return HELLO_BUILD_EINVAL;

	memset(&w, 0, sizeof(w));
	w.b = out;
	at = out->len;
	HELLO_BLOCK(&w, 2, {
		hello_w_u8(&w, HELLO_HS_CLIENT_HELLO);	/* MSG-CLIENT-HELLO = 1 */
		hello_w_u16(&w, sp->version);
		hello_w_u16(&w, sp->nspecs * 3);
		hello_w_u16(&w, 0);			/* session id length */
		hello_w_u16(&w, sp->challenge_len);
		for (i = 0; i < sp->nspecs; i++) {
			hello_w_u8(&w, sp->specs[i] >> 16);
			hello_w_u16(&w, sp->specs[i] & 0xffff);
		}
		hello_w_bytes(&w, sp->challenge, sp->challenge_len);
	});
	if (w.err)
		return w.err;
	if (out->data[at] & 0x80)	/* over 32767: no room for the header's flag bit */
		return HELLO_BUILD_TOO_BIG;
	out->data[at] |= 0x80;
	return HELLO_BUILD_OK;
}

/* ---- Server flight parser ----------------------------------------------------------------- */

static enum hello_result
hello_fail(struct hello_server *sh, enum hello_result r, const char *why)
{
	sh->reason = why;
	return r;
}

/* Remember where a slice of hs starts; pointers are set once hs stops moving (hello_fixup). */
static void
hello_slice_set(struct hello_server *sh, struct hello_slice *s, const uint8_t *p, size_t len)
{
	s->p = NULL;
	s->off = p != NULL ? (size_t)(p - sh->hs.data) : 0;
	s->len = p != NULL ? len : 0;
}

static void
hello_fix(struct hello_server *sh, struct hello_slice *s)
{
	s->p = sh->hs.data != NULL && s->len > 0 ? sh->hs.data + s->off : NULL;
}

static void
hello_fixup(struct hello_server *sh)
{
	struct hello_ske *k = &sh->ske;
	size_t i;

	hello_fix(sh, &sh->alpn);
	hello_fix(sh, &sh->status);
	for (i = 0; i < HELLO_MAX_CERTS; i++)
		hello_fix(sh, &sh->certs[i]);
	hello_fix(sh, &k->raw);
	hello_fix(sh, &k->psk_hint);
	hello_fix(sh, &k->dh_p);
	hello_fix(sh, &k->dh_g);
	hello_fix(sh, &k->dh_ys);
	hello_fix(sh, &k->ec_point);
	hello_fix(sh, &k->rsa_modulus);
	hello_fix(sh, &k->rsa_exponent);
	hello_fix(sh, &k->srp_n);
	hello_fix(sh, &k->srp_g);
	hello_fix(sh, &k->srp_s);
	hello_fix(sh, &k->srp_b);
	hello_fix(sh, &k->signature);
}

/* Significant bits of a big-endian unsigned integer. */
static unsigned int
hello_bits(const uint8_t *p, size_t n)
{
	unsigned int bits;
	uint8_t top;

	while (n > 0 && *p == 0)
		p++, n--;
	if (n == 0)
		return 0;
	bits = (unsigned int)(n - 1) * 8;
	for (top = *p; top; top >>= 1)
		bits++;
	return bits;
}

/* Take an opaque<..> with a `width`-byte length as a slice of hs. */
static const uint8_t *
hello_vec(struct cursor *c, size_t width, size_t *len)
{
	size_t n;

	n = width == 1 ? cursor_u8(c) : width == 2 ? cursor_u16(c) : cursor_u24(c);
	*len = n;
	return cursor_bytes(c, n);
}

static void
hello_vec_slice(struct hello_server *sh, struct cursor *c, size_t width, struct hello_slice *s)
{
	const uint8_t *p;
	size_t n;

	p = hello_vec(c, width, &n);
	hello_slice_set(sh, s, p, n);
}

static enum hello_result
hello_sh_ext(struct hello_server *sh, uint16_t type, struct cursor *d, int hrr)
{
	const uint8_t *p;
	size_t n, i;
	struct cursor l;

	switch (type) {
	case HELLO_EXT_SUPPORTED_VERSIONS:
		sh->selected_version = cursor_u16(d);
		break;
	case HELLO_EXT_KEY_SHARE:
		sh->key_share_group = cursor_u16(d);
		if (!hrr) {	/* an HRR names only the group it wants */
			p = hello_vec(d, 2, &n);
			sh->key_share_len = n;
			if (p != NULL && n == 0)
				return hello_fail(sh, HELLO_MALFORMED, "empty key_share");
		}
		break;
	case HELLO_EXT_RENEGOTIATION_INFO:
		hello_vec(d, 1, &n);
		sh->reneg_info_len = (int)n;
		break;
	case HELLO_EXT_HEARTBEAT:
		sh->heartbeat_mode = cursor_u8(d);
		break;
	case HELLO_EXT_EC_POINT_FORMATS:
		n = cursor_u8(d);
		if (n == 0 && !d->err)
			return hello_fail(sh, HELLO_MALFORMED, "empty ec_point_formats");
		p = cursor_bytes(d, n);
		for (i = 0; p != NULL && i < n && i < HELLO_MAX_POINT_FORMATS; i++)
			sh->point_formats[i] = p[i];
		sh->npoint_formats = p != NULL ? i : 0;
		break;
	case HELLO_EXT_ALPN:
		/* RFC 7301 §3.1: the server's list has exactly one name. */
		n = cursor_u16(d);
		l = cursor_sub(d, n);
		hello_vec_slice(sh, &l, 1, &sh->alpn);
		if (l.err || l.len != 0 || sh->alpn.len == 0)
			return hello_fail(sh, HELLO_MALFORMED, "bad ALPN in ServerHello");
		break;
	default:
		/* Presence is all we keep (extended_master_secret, encrypt_then_mac, ...). */
		cursor_bytes(d, d->len);
		break;
	}
	if (d->err || d->len != 0)
		return hello_fail(sh, HELLO_MALFORMED, "malformed ServerHello extension");
	return HELLO_NEED_MORE;
}

static enum hello_result
hello_server_hello(struct hello_server *sh, struct cursor *m)
{
	static const uint8_t sentinel[7] = { 'D', 'O', 'W', 'N', 'G', 'R', 'D' };
	struct cursor exts, d;
	const uint8_t *p;
	uint16_t type;
	size_t i, n;
	enum hello_result r;
	int hrr;

	sh->legacy_version = cursor_u16(m);
	p = cursor_bytes(m, 32);
	if (p != NULL)
		memcpy(sh->random, p, 32);
	n = cursor_u8(m);
	if (n > 32)
		return hello_fail(sh, HELLO_MALFORMED, "ServerHello session id longer than 32");
	p = cursor_bytes(m, n);
	if (p != NULL)
		memcpy(sh->session_id, p, n);
	sh->session_id_len = n;
	sh->cipher = cursor_u16(m);
	sh->compression = cursor_u8(m);
	if (m->err)
		return hello_fail(sh, HELLO_MALFORMED, "truncated ServerHello");
	hrr = memcmp(sh->random, hello_hrr_random, 32) == 0;

	/* SSL 3.0 and some TLS servers end the message here: no extensions block. */
	if (m->len > 0) {
		n = cursor_u16(m);
		exts = cursor_sub(m, n);
		if (m->err || m->len != 0)
			return hello_fail(sh, HELLO_MALFORMED, "bad ServerHello extensions length");
		while (exts.len > 0) {
			type = cursor_u16(&exts);
			n = cursor_u16(&exts);
			d = cursor_sub(&exts, n);
			if (exts.err)
				return hello_fail(sh, HELLO_MALFORMED, "truncated ServerHello extension");
			for (i = 0; i < sh->next; i++)
				if (sh->ext_types[i] == type)
					return hello_fail(sh, HELLO_MALFORMED,
					    "duplicate ServerHello extension");
			if (sh->next < HELLO_MAX_EXTS)
				sh->ext_types[sh->next++] = type;
			if ((r = hello_sh_ext(sh, type, &d, hrr)) != HELLO_NEED_MORE)
				return r;
		}
	}

	sh->seen |= HELLO_SEEN_HELLO | (hrr ? HELLO_SEEN_HRR : 0);
	sh->version = sh->selected_version ? sh->selected_version : sh->legacy_version;
	/* RFC 8446 §4.1.3: a 1.3 server answering with less says so in its random. */
	if (sh->version < HELLO_TLS13 && memcmp(sh->random + 24, sentinel, 7) == 0) {
		if (sh->random[31] == 1)
			sh->downgrade = HELLO_TLS12;
		else if (sh->random[31] == 0)
			sh->downgrade = HELLO_TLS11;
	}
	/* After an HRR the server waits for us; after a 1.3 ServerHello all is encrypted. */
	if (hrr || sh->version >= HELLO_TLS13)
		return HELLO_OK;
	return HELLO_NEED_MORE;
}

static enum hello_result
hello_certificate(struct hello_server *sh, struct cursor *m)
{
	struct cursor list;
	const uint8_t *p;
	size_t n;

	if (sh->seen & HELLO_SEEN_CERT)
		return hello_fail(sh, HELLO_MALFORMED, "second Certificate message");
	n = cursor_u24(m);
	list = cursor_sub(m, n);
	if (m->err || m->len != 0)
		return hello_fail(sh, HELLO_MALFORMED, "bad Certificate list length");
	while (list.len > 0) {
		p = hello_vec(&list, 3, &n);
		if (p == NULL)
			return hello_fail(sh, HELLO_MALFORMED, "truncated certificate");
		if (n == 0)
			return hello_fail(sh, HELLO_MALFORMED, "empty certificate");
		if (sh->ncerts < HELLO_MAX_CERTS)
			hello_slice_set(sh, &sh->certs[sh->ncerts], p, n);
		sh->ncerts++;
	}
	sh->seen |= HELLO_SEEN_CERT;
	return HELLO_NEED_MORE;
}

static void
hello_ske_dh(struct hello_server *sh, struct cursor *m)
{
	struct hello_ske *k = &sh->ske;
	size_t i;

	k->kind = HELLO_SKE_DH;
	hello_vec_slice(sh, m, 2, &k->dh_p);
	hello_vec_slice(sh, m, 2, &k->dh_g);
	hello_vec_slice(sh, m, 2, &k->dh_ys);
	if (m->err)
		return;
	k->dh_p_bits = hello_bits(sh->hs.data + k->dh_p.off, k->dh_p.len);
	if (hello_bits(sh->hs.data + k->dh_g.off, k->dh_g.len) <= 32)
		for (i = 0; i < k->dh_g.len; i++)
			k->dh_g_value = k->dh_g_value << 8 | sh->hs.data[k->dh_g.off + i];
}

/* Returns 0 when the parameters cannot be walked past (explicit curves). */
static int
hello_ske_ec(struct hello_server *sh, struct cursor *m)
{
	struct hello_ske *k = &sh->ske;

	k->kind = HELLO_SKE_ECDH;
	k->ec_curve_type = cursor_u8(m);
	if (k->ec_curve_type != 3)	/* explicit_prime/char2: deprecated, RFC 8422 §5.4 */
		return 0;
	k->ec_curve = cursor_u16(m);
	hello_vec_slice(sh, m, 1, &k->ec_point);
	return 1;
}

/*
 * ServerKeyExchange, RFC 5246 §7.4.3, RFC 4279 §2-3, RFC 8422 §5.4, RFC 5054 §2.8.  Its shape
 * depends on the suite the ServerHello picked; the signature is kept, never verified.
 */
static enum hello_result
hello_server_key_exchange(struct hello_server *sh, struct cursor *m, const uint8_t *body,
    size_t len)
{
	const struct cipher_suite *cs;
	struct hello_ske *k = &sh->ske;
	int signed_ = 1, walk = 1;
	size_t n;
	const uint8_t *p;

	if (sh->seen & HELLO_SEEN_SKE)
		return hello_fail(sh, HELLO_MALFORMED, "second ServerKeyExchange");
	sh->seen |= HELLO_SEEN_SKE;
	hello_slice_set(sh, &k->raw, body, len);
	if ((cs = cipher_by_code(sh->cipher)) == NULL) {
		k->kind = HELLO_SKE_UNKNOWN;
		return HELLO_NEED_MORE;
	}
	if (cs->auth == CIPHER_AUTH_ANON || cs->auth == CIPHER_AUTH_PSK)
		signed_ = 0;
	switch (cs->kx) {
	case CIPHER_KX_DHE_PSK:
		hello_vec_slice(sh, m, 2, &k->psk_hint);
		/* FALLTHROUGH */
	case CIPHER_KX_DHE:
		hello_ske_dh(sh, m);
		break;
	case CIPHER_KX_ECDHE_PSK:
		hello_vec_slice(sh, m, 2, &k->psk_hint);
		/* FALLTHROUGH */
	case CIPHER_KX_ECDHE:
		walk = hello_ske_ec(sh, m);
		break;
	case CIPHER_KX_RSA:		/* export: a temporary 512-bit key */
		k->kind = HELLO_SKE_RSA;
		hello_vec_slice(sh, m, 2, &k->rsa_modulus);
		hello_vec_slice(sh, m, 2, &k->rsa_exponent);
		if (!m->err)
			k->rsa_bits = hello_bits(sh->hs.data + k->rsa_modulus.off,
			    k->rsa_modulus.len);
		break;
	case CIPHER_KX_PSK:
	case CIPHER_KX_RSA_PSK:
		k->kind = HELLO_SKE_PSK;
		hello_vec_slice(sh, m, 2, &k->psk_hint);
		signed_ = 0;
		break;
	case CIPHER_KX_SRP:
		k->kind = HELLO_SKE_SRP;
		hello_vec_slice(sh, m, 2, &k->srp_n);
		hello_vec_slice(sh, m, 2, &k->srp_g);
		hello_vec_slice(sh, m, 1, &k->srp_s);
		hello_vec_slice(sh, m, 2, &k->srp_b);
		if (!m->err)
			k->srp_n_bits = hello_bits(sh->hs.data + k->srp_n.off, k->srp_n.len);
		signed_ = cs->auth != CIPHER_AUTH_SRP;
		break;
	default:
		k->kind = HELLO_SKE_UNKNOWN;
		return HELLO_NEED_MORE;
	}
	if (m->err)
		return hello_fail(sh, HELLO_MALFORMED, "truncated ServerKeyExchange");
	if (!walk)
		return HELLO_NEED_MORE;
	if (signed_) {
		if (sh->version >= HELLO_TLS12)
			k->sig_scheme = cursor_u16(m);
		p = hello_vec(m, 2, &n);
		hello_slice_set(sh, &k->signature, p, n);
		if (m->err)
			return hello_fail(sh, HELLO_MALFORMED, "truncated ServerKeyExchange signature");
	}
	if (m->len != 0)
		return hello_fail(sh, HELLO_MALFORMED, "trailing bytes in ServerKeyExchange");
	return HELLO_NEED_MORE;
}

/* One complete handshake message at hs.data[off], len bytes of body. */
static enum hello_result
hello_message(struct hello_server *sh, uint8_t type, size_t off, size_t len)
{
	struct cursor m;
	const uint8_t *body = sh->hs.data + off;
	size_t n;
	const uint8_t *p;

	cursor_init(&m, body, len);
	if (type == HELLO_HS_HELLO_REQUEST)	/* may come at any time; means nothing here */
		return len == 0 ? HELLO_NEED_MORE :
		    hello_fail(sh, HELLO_MALFORMED, "HelloRequest with a body");
	if (!(sh->seen & HELLO_SEEN_HELLO) && type != HELLO_HS_SERVER_HELLO)
		return hello_fail(sh, HELLO_MALFORMED, "first handshake message is not ServerHello");

	switch (type) {
	case HELLO_HS_SERVER_HELLO:
		if (sh->seen & HELLO_SEEN_HELLO)
			return hello_fail(sh, HELLO_MALFORMED, "second ServerHello");
		return hello_server_hello(sh, &m);
	case HELLO_HS_CERTIFICATE:
		return hello_certificate(sh, &m);
	case HELLO_HS_SERVER_KEY_EXCHANGE:
		return hello_server_key_exchange(sh, &m, body, len);
	case HELLO_HS_CERTIFICATE_STATUS:
		/* RFC 6066 §8: status_type, then OCSPResponse<1..2^24-1> */
		sh->status_type = cursor_u8(&m);
		p = hello_vec(&m, 3, &n);
		if (m.err || m.len != 0)
			return hello_fail(sh, HELLO_MALFORMED, "bad CertificateStatus");
		hello_slice_set(sh, &sh->status, p, n);
		sh->seen |= HELLO_SEEN_STATUS;
		return HELLO_NEED_MORE;
	case HELLO_HS_CERTIFICATE_REQUEST:
		sh->seen |= HELLO_SEEN_CERT_REQUEST;
		return HELLO_NEED_MORE;
	case HELLO_HS_NEW_SESSION_TICKET:
		sh->seen |= HELLO_SEEN_TICKET;
		return HELLO_NEED_MORE;
	case HELLO_HS_SERVER_HELLO_DONE:
		if (len != 0)
			return hello_fail(sh, HELLO_MALFORMED, "ServerHelloDone with a body");
		sh->seen |= HELLO_SEEN_DONE;
		return HELLO_OK;
	default:
		return hello_fail(sh, HELLO_MALFORMED, "unexpected handshake message");
	}
}

/* Why the first bytes cannot start a TLS record, or NULL. */
static const char *
hello_not_tls(const uint8_t *buf, size_t len)
{
	if (buf[0] & 0x80)
		return "SSLv2 record framing, not TLS";
	if (buf[0] < HELLO_CT_CCS || buf[0] > HELLO_CT_APPDATA)
		return "not a TLS record (content type)";
	if (len >= 2 && buf[1] != 3)
		return "not a TLS record (version)";
	return NULL;
}

static enum hello_result
hello_records(const uint8_t *buf, size_t len, struct hello_server *sh)
{
	struct cursor in, rec;
	const uint8_t *h, *p;
	const char *why;
	size_t pos = 0, mlen;
	uint16_t rlen;
	enum hello_result r;

	if (len == 0)
		return HELLO_NEED_MORE;
	if ((why = hello_not_tls(buf, len)) != NULL)
		return hello_fail(sh, HELLO_NOT_TLS, why);
	cursor_init(&in, buf, len);
	for (;;) {
		if (in.len < 5)
			return HELLO_NEED_MORE;
		h = in.p;
		rlen = (uint16_t)(h[3] << 8 | h[4]);
		if (sh->consumed == 0)
			sh->record_version = (uint16_t)(h[1] << 8 | h[2]);
		if (h[1] != 3)
			return hello_fail(sh, HELLO_MALFORMED, "record version is not 3.x");
		if (h[0] < HELLO_CT_CCS || h[0] > HELLO_CT_APPDATA)
			return hello_fail(sh, HELLO_MALFORMED, "unknown record content type");
		if (h[0] == HELLO_CT_APPDATA) {
			/* Encrypted from here on; we read no further. */
			if (!(sh->seen & HELLO_SEEN_HELLO))
				return hello_fail(sh, HELLO_MALFORMED,
				    "application data before ServerHello");
			sh->seen |= HELLO_SEEN_ENCRYPTED;
			return HELLO_OK;
		}
		if (rlen > HELLO_RECORD_MAX)
			return hello_fail(sh, HELLO_MALFORMED, "record longer than 2^14 bytes");
		if (in.len < 5 + (size_t)rlen)
			return HELLO_NEED_MORE;
		cursor_bytes(&in, 5);
		rec = cursor_sub(&in, rlen);
		sh->consumed += 5 + (size_t)rlen;

		switch (h[0]) {
		case HELLO_CT_ALERT:
			/* Alerts win even mid-message: they are why the flight stopped. */
			if (rlen < 2)
				return hello_fail(sh, HELLO_MALFORMED, "short alert record");
			sh->alert_level = cursor_u8(&rec);
			sh->alert_desc = cursor_u8(&rec);
			sh->seen |= HELLO_SEEN_ALERT;
			return HELLO_ALERT;
		case HELLO_CT_CCS:
			if (rlen != 1 || rec.p[0] != 1)
				return hello_fail(sh, HELLO_MALFORMED, "bad ChangeCipherSpec");
			if (!(sh->seen & HELLO_SEEN_HELLO))
				return hello_fail(sh, HELLO_MALFORMED,
				    "ChangeCipherSpec before ServerHello");
			if (pos != sh->hs.len)
				return hello_fail(sh, HELLO_MALFORMED,
				    "ChangeCipherSpec inside a handshake message");
			/* TLS <= 1.2 resumption: Finished follows, encrypted. */
			sh->seen |= HELLO_SEEN_CCS;
			return HELLO_OK;
		case HELLO_CT_HANDSHAKE:
			if (rlen == 0)
				return hello_fail(sh, HELLO_MALFORMED, "empty handshake record");
			if (dbuf_add(&sh->hs, rec.p, rlen) != DBUF_OK)
				return hello_fail(sh, HELLO_TOO_BIG, "server flight over 64 KiB");
			/* Several messages may share a record; one may span several. */
			while (sh->hs.len - pos >= 4) {
				p = sh->hs.data + pos;
				mlen = (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
				if (mlen > HELLO_FLIGHT_MAX - 4)
					return hello_fail(sh, HELLO_TOO_BIG,
					    "handshake message over 64 KiB");
				if (sh->hs.len - pos - 4 < mlen)
					break;
				r = hello_message(sh, p[0], pos + 4, mlen);
				pos += 4 + mlen;
				if (r != HELLO_NEED_MORE)
					return r;
			}
			break;
		}
	}
}

enum hello_result
hello_parse_server(const uint8_t *buf, size_t len, struct hello_server *sh)
{
	enum hello_result r;

	memset(sh, 0, sizeof(*sh));
	dbuf_init(&sh->hs, HELLO_FLIGHT_MAX);
	sh->reneg_info_len = -1;
	r = hello_records(buf, len, sh);
	if (r == HELLO_NEED_MORE || r == HELLO_OK || r == HELLO_ALERT)
		sh->reason = NULL;
	hello_fixup(sh);
	sh->result = r;
	return r;
}

void
hello_server_free(struct hello_server *sh)
{
	if (sh == NULL)
		return;
	dbuf_free(&sh->hs);
}

int
hello_server_has_ext(const struct hello_server *sh, uint16_t type)
{
	size_t i;

	for (i = 0; i < sh->next; i++)
		if (sh->ext_types[i] == type)
			return 1;
	return 0;
}

/* ---- SSLv2 SERVER-HELLO ------------------------------------------------------------------- */

static enum hello_result
hello_sslv2_fail(struct hello_sslv2_server *v2, enum hello_result r, const char *why)
{
	v2->result = r;
	v2->reason = why;
	return r;
}

enum hello_result
hello_parse_sslv2(const uint8_t *buf, size_t len, struct hello_sslv2_server *v2)
{
	struct cursor c, specs;
	size_t rlen, certlen, specslen, idlen, i;
	uint32_t spec;
	uint8_t type;

	memset(v2, 0, sizeof(*v2));
	if (len == 0)
		return v2->result = HELLO_NEED_MORE;
	/* Servers send no padding, so always the 2-byte header with the high bit. */
	if (!(buf[0] & 0x80)) {
		if (buf[0] >= HELLO_CT_CCS && buf[0] <= HELLO_CT_APPDATA &&
		    (len < 2 || buf[1] == 3))
			return hello_sslv2_fail(v2, HELLO_NOT_TLS, "a TLS record, not SSLv2");
		return hello_sslv2_fail(v2, HELLO_NOT_TLS, "not an SSLv2 record");
	}
	if (len < 2)
		return v2->result = HELLO_NEED_MORE;
	rlen = (size_t)(buf[0] & 0x7f) << 8 | buf[1];
	if (rlen == 0)
		return hello_sslv2_fail(v2, HELLO_MALFORMED, "empty SSLv2 record");
	if (len < 2 + rlen)
		return v2->result = HELLO_NEED_MORE;
	v2->consumed = 2 + rlen;
	cursor_init(&c, buf + 2, rlen);

	type = cursor_u8(&c);
	if (type == 0) {	/* MSG-ERROR */
		v2->error = cursor_u16(&c);
		if (c.err)
			return hello_sslv2_fail(v2, HELLO_MALFORMED, "truncated SSLv2 ERROR");
		return v2->result = HELLO_ALERT;
	}
	if (type != 4)
		return hello_sslv2_fail(v2, HELLO_MALFORMED, "not an SSLv2 SERVER-HELLO");
	v2->session_id_hit = cursor_u8(&c);
	v2->cert_type = cursor_u8(&c);
	v2->version = cursor_u16(&c);
	certlen = cursor_u16(&c);
	specslen = cursor_u16(&c);
	idlen = cursor_u16(&c);
	if (c.err)
		return hello_sslv2_fail(v2, HELLO_MALFORMED, "truncated SSLv2 SERVER-HELLO");
	if (specslen % 3 != 0)
		return hello_sslv2_fail(v2, HELLO_MALFORMED, "SSLv2 cipher specs not 3-byte");
	v2->cert = cursor_bytes(&c, certlen);
	v2->cert_len = certlen;
	specs = cursor_sub(&c, specslen);
	v2->conn_id = cursor_bytes(&c, idlen);
	v2->conn_id_len = idlen;
	if (c.err)
		return hello_sslv2_fail(v2, HELLO_MALFORMED, "SSLv2 SERVER-HELLO lengths overrun");
	if (c.len != 0)
		return hello_sslv2_fail(v2, HELLO_MALFORMED, "trailing bytes in SSLv2 SERVER-HELLO");
	for (i = 0; specs.len > 0; i++) {
		spec = (uint32_t)cursor_u8(&specs) << 16;
		spec |= cursor_u16(&specs);
		if (i < HELLO_MAX_SSLV2_SPECS)
			v2->specs[i] = spec;
	}
	v2->nspecs = i;
	return v2->result = HELLO_OK;
}

/* ---- Names -------------------------------------------------------------------------------- */

struct hello_code_name {
	uint16_t	 code;
	const char	*name;
};

static const char *
hello_lookup(const struct hello_code_name *t, size_t n, unsigned int code)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].code == code)
			return t[i].name;
	return NULL;
}

const char *
hello_result_name(enum hello_result r)
{
	static const char *const names[HELLO_RESULT_LAST] = {
		[HELLO_NEED_MORE] = "need_more",
		[HELLO_OK] = "ok",
		[HELLO_ALERT] = "alert",
		[HELLO_NOT_TLS] = "not_tls",
		[HELLO_MALFORMED] = "malformed",
		[HELLO_TOO_BIG] = "too_big",
	};

	if ((unsigned int)r >= HELLO_RESULT_LAST)
		return "?";
	return names[r];
}

const char *
hello_ske_kind_name(enum hello_ske_kind k)
{
	static const char *const names[HELLO_SKE_LAST] = {
		[HELLO_SKE_NONE] = "none",
		[HELLO_SKE_DH] = "dh",
		[HELLO_SKE_ECDH] = "ecdh",
		[HELLO_SKE_RSA] = "rsa",
		[HELLO_SKE_PSK] = "psk",
		[HELLO_SKE_SRP] = "srp",
		[HELLO_SKE_UNKNOWN] = "unknown",
	};

	if ((unsigned int)k >= HELLO_SKE_LAST)
		return "?";
	return names[k];
}

static const struct hello_code_name hello_versions[] = {
	{ HELLO_SSL2, "SSLv2" },
	{ HELLO_SSL3, "SSLv3" },
	{ HELLO_TLS10, "TLSv1.0" },
	{ HELLO_TLS11, "TLSv1.1" },
	{ HELLO_TLS12, "TLSv1.2" },
	{ HELLO_TLS13, "TLSv1.3" },
};

const char *
hello_version_name(uint16_t v)
{
	return hello_lookup(hello_versions, NELEM(hello_versions), v);
}

/* IANA "TLS Alerts". */
static const struct hello_code_name hello_alerts[] = {
	{ 0, "close_notify" },
	{ 10, "unexpected_message" },
	{ 20, "bad_record_mac" },
	{ 21, "decryption_failed" },
	{ 22, "record_overflow" },
	{ 30, "decompression_failure" },
	{ 40, "handshake_failure" },
	{ 41, "no_certificate" },
	{ 42, "bad_certificate" },
	{ 43, "unsupported_certificate" },
	{ 44, "certificate_revoked" },
	{ 45, "certificate_expired" },
	{ 46, "certificate_unknown" },
	{ 47, "illegal_parameter" },
	{ 48, "unknown_ca" },
	{ 49, "access_denied" },
	{ 50, "decode_error" },
	{ 51, "decrypt_error" },
	{ 60, "export_restriction" },
	{ 70, "protocol_version" },
	{ 71, "insufficient_security" },
	{ 80, "internal_error" },
	{ 86, "inappropriate_fallback" },
	{ 90, "user_canceled" },
	{ 100, "no_renegotiation" },
	{ 109, "missing_extension" },
	{ 110, "unsupported_extension" },
	{ 111, "certificate_unobtainable" },
	{ 112, "unrecognized_name" },
	{ 113, "bad_certificate_status_response" },
	{ 114, "bad_certificate_hash_value" },
	{ 115, "unknown_psk_identity" },
	{ 116, "certificate_required" },
	{ 120, "no_application_protocol" },
	{ 121, "ech_required" },
};

const char *
hello_alert_name(uint8_t d)
{
	return hello_lookup(hello_alerts, NELEM(hello_alerts), d);
}

/* IANA "TLS Supported Groups" (RFC 8422, RFC 7919, RFC 8446 and successors). */
static const struct hello_code_name hello_groups[] = {
	{ 1, "sect163k1" }, { 2, "sect163r1" }, { 3, "sect163r2" }, { 4, "sect193r1" },
	{ 5, "sect193r2" }, { 6, "sect233k1" }, { 7, "sect233r1" }, { 8, "sect239k1" },
	{ 9, "sect283k1" }, { 10, "sect283r1" }, { 11, "sect409k1" }, { 12, "sect409r1" },
	{ 13, "sect571k1" }, { 14, "sect571r1" }, { 15, "secp160k1" }, { 16, "secp160r1" },
	{ 17, "secp160r2" }, { 18, "secp192k1" }, { 19, "secp192r1" }, { 20, "secp224k1" },
	{ 21, "secp224r1" }, { 22, "secp256k1" },
	{ 23, "secp256r1" },
	{ 24, "secp384r1" },
	{ 25, "secp521r1" },
	{ 26, "brainpoolP256r1" },
	{ 27, "brainpoolP384r1" },
	{ 28, "brainpoolP512r1" },
	{ 29, "x25519" },
	{ 30, "x448" },
	{ 31, "brainpoolP256r1tls13" },
	{ 32, "brainpoolP384r1tls13" },
	{ 33, "brainpoolP512r1tls13" },
	{ 41, "curveSM2" },
	{ 256, "ffdhe2048" },
	{ 257, "ffdhe3072" },
	{ 258, "ffdhe4096" },
	{ 259, "ffdhe6144" },
	{ 260, "ffdhe8192" },
	{ 0x0200, "MLKEM512" },
	{ 0x0201, "MLKEM768" },
	{ 0x0202, "MLKEM1024" },
	{ 0x11eb, "SecP256r1MLKEM768" },
	{ 0x11ec, "X25519MLKEM768" },
	{ 0x11ed, "SecP384r1MLKEM1024" },
	{ 0xff01, "arbitrary_explicit_prime_curves" },
	{ 0xff02, "arbitrary_explicit_char2_curves" },
};

const char *
hello_group_name(uint16_t g)
{
	return hello_lookup(hello_groups, NELEM(hello_groups), g);
}

/* IANA "TLS SignatureScheme", plus the TLS 1.2 hash/signature pairs it reserves. */
static const struct hello_code_name hello_sigalgs[] = {
	{ 0x0101, "rsa_md5" },
	{ 0x0201, "rsa_pkcs1_sha1" },
	{ 0x0202, "dsa_sha1" },
	{ 0x0203, "ecdsa_sha1" },
	{ 0x0301, "rsa_sha224" },
	{ 0x0302, "dsa_sha224" },
	{ 0x0303, "ecdsa_sha224" },
	{ 0x0401, "rsa_pkcs1_sha256" },
	{ 0x0402, "dsa_sha256" },
	{ 0x0403, "ecdsa_secp256r1_sha256" },
	{ 0x0501, "rsa_pkcs1_sha384" },
	{ 0x0502, "dsa_sha384" },
	{ 0x0503, "ecdsa_secp384r1_sha384" },
	{ 0x0601, "rsa_pkcs1_sha512" },
	{ 0x0602, "dsa_sha512" },
	{ 0x0603, "ecdsa_secp521r1_sha512" },
	{ 0x0708, "sm2sig_sm3" },
	{ 0x0804, "rsa_pss_rsae_sha256" },
	{ 0x0805, "rsa_pss_rsae_sha384" },
	{ 0x0806, "rsa_pss_rsae_sha512" },
	{ 0x0807, "ed25519" },
	{ 0x0808, "ed448" },
	{ 0x0809, "rsa_pss_pss_sha256" },
	{ 0x080a, "rsa_pss_pss_sha384" },
	{ 0x080b, "rsa_pss_pss_sha512" },
	{ 0x081a, "ecdsa_brainpoolP256r1tls13_sha256" },
	{ 0x081b, "ecdsa_brainpoolP384r1tls13_sha384" },
	{ 0x081c, "ecdsa_brainpoolP512r1tls13_sha512" },
	{ 0x0904, "mldsa44" },
	{ 0x0905, "mldsa65" },
	{ 0x0906, "mldsa87" },
};

const char *
hello_sigalg_name(uint16_t s)
{
	return hello_lookup(hello_sigalgs, NELEM(hello_sigalgs), s);
}

/* IANA "TLS ExtensionType Values" (the ones a server flight can carry, and ours). */
static const struct hello_code_name hello_exts[] = {
	{ 0, "server_name" },
	{ 1, "max_fragment_length" },
	{ 5, "status_request" },
	{ 10, "supported_groups" },
	{ 11, "ec_point_formats" },
	{ 13, "signature_algorithms" },
	{ 14, "use_srtp" },
	{ 15, "heartbeat" },
	{ 16, "application_layer_protocol_negotiation" },
	{ 17, "status_request_v2" },
	{ 18, "signed_certificate_timestamp" },
	{ 21, "padding" },
	{ 22, "encrypt_then_mac" },
	{ 23, "extended_master_secret" },
	{ 27, "compress_certificate" },
	{ 28, "record_size_limit" },
	{ 35, "session_ticket" },
	{ 41, "pre_shared_key" },
	{ 42, "early_data" },
	{ 43, "supported_versions" },
	{ 44, "cookie" },
	{ 45, "psk_key_exchange_modes" },
	{ 47, "certificate_authorities" },
	{ 48, "oid_filters" },
	{ 49, "post_handshake_auth" },
	{ 50, "signature_algorithms_cert" },
	{ 51, "key_share" },
	{ 0xfe0d, "encrypted_client_hello" },
	{ 0xff01, "renegotiation_info" },
};

const char *
hello_ext_name(uint16_t e)
{
	return hello_lookup(hello_exts, NELEM(hello_exts), e);
}

/* SSLv2 draft, "Error Messages". */
static const struct hello_code_name hello_sslv2_errors[] = {
	{ 0x0001, "NO-CIPHER-ERROR" },
	{ 0x0002, "NO-CERTIFICATE-ERROR" },
	{ 0x0004, "BAD-CERTIFICATE-ERROR" },
	{ 0x0006, "UNSUPPORTED-CERTIFICATE-TYPE-ERROR" },
};

const char *
hello_sslv2_error_name(uint16_t e)
{
	return hello_lookup(hello_sslv2_errors, NELEM(hello_sslv2_errors), e);
}
