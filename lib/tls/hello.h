/*
 * hello.h — the project's own TLS hello engine: ClientHello builders and server-flight parsers.
 *
 *   RFC 8446 §4.1 (TLS 1.3 hellos, HelloRetryRequest, downgrade sentinels), RFC 5246 §7.4
 *   (TLS 1.2 handshake), RFC 6101 (SSL 3.0), the SSLv2 draft (Hickman, 1995), RFC 6066
 *   (server_name, status_request), RFC 5746 (renegotiation_info), RFC 7627 (extended master
 *   secret), RFC 7366 (encrypt-then-MAC), RFC 5077 (session tickets), RFC 6520 (heartbeat),
 *   RFC 8422 (EC point formats, groups), RFC 7685 (padding), RFC 7507 (fallback SCSV).
 *
 * Why our own: a scan must offer what the linked OpenSSL refuses to send (SSLv2, SSLv3, export
 * and anonymous suites, any single cipher) and read the answer without a library in the way.
 * The scan only needs the server's first flight, so nothing here does cryptography: the
 * engine never completes a handshake, never verifies a signature, never derives a key.
 *
 * Everything is a pure function over bytes: no I/O, no globals, no clock; the caller passes the
 * random bytes and session id, so a fuzz run or a test repeats exactly.
 */
#ifndef MAILTLS_HELLO_H
#define MAILTLS_HELLO_H

#include <stddef.h>
#include <stdint.h>

#include "util/dbuf.h"

/* Protocol versions as they appear on the wire. */
#define HELLO_SSL2		0x0002
#define HELLO_SSL3		0x0300
#define HELLO_TLS10		0x0301
#define HELLO_TLS11		0x0302
#define HELLO_TLS12		0x0303
#define HELLO_TLS13		0x0304

/* Record content types. */
#define HELLO_CT_CCS		20
#define HELLO_CT_ALERT		21
#define HELLO_CT_HANDSHAKE	22
#define HELLO_CT_APPDATA	23

/* Handshake message types the parser knows. */
#define HELLO_HS_HELLO_REQUEST		0
#define HELLO_HS_CLIENT_HELLO		1
#define HELLO_HS_SERVER_HELLO		2
#define HELLO_HS_NEW_SESSION_TICKET	4
#define HELLO_HS_CERTIFICATE		11
#define HELLO_HS_SERVER_KEY_EXCHANGE	12
#define HELLO_HS_CERTIFICATE_REQUEST	13
#define HELLO_HS_SERVER_HELLO_DONE	14
#define HELLO_HS_CERTIFICATE_STATUS	22

/* Extension types (IANA "TLS ExtensionType Values"). */
#define HELLO_EXT_SERVER_NAME		0
#define HELLO_EXT_MAX_FRAGMENT_LENGTH	1
#define HELLO_EXT_STATUS_REQUEST	5
#define HELLO_EXT_SUPPORTED_GROUPS	10
#define HELLO_EXT_EC_POINT_FORMATS	11
#define HELLO_EXT_SIGNATURE_ALGORITHMS	13
#define HELLO_EXT_HEARTBEAT		15
#define HELLO_EXT_ALPN			16
#define HELLO_EXT_SCT			18
#define HELLO_EXT_PADDING		21
#define HELLO_EXT_ENCRYPT_THEN_MAC	22
#define HELLO_EXT_EXTENDED_MASTER_SECRET 23
#define HELLO_EXT_SESSION_TICKET	35
#define HELLO_EXT_PRE_SHARED_KEY	41
#define HELLO_EXT_SUPPORTED_VERSIONS	43
#define HELLO_EXT_COOKIE		44
#define HELLO_EXT_PSK_KEY_EXCHANGE_MODES 45
#define HELLO_EXT_KEY_SHARE		51
#define HELLO_EXT_RENEGOTIATION_INFO	0xff01

/* A few named groups (the full name table is hello_group_name()). */
#define HELLO_GROUP_SECP256R1	23
#define HELLO_GROUP_SECP384R1	24
#define HELLO_GROUP_SECP521R1	25
#define HELLO_GROUP_X25519	29
#define HELLO_GROUP_X448	30
#define HELLO_GROUP_FFDHE2048	256
#define HELLO_GROUP_FFDHE3072	257
#define HELLO_GROUP_FFDHE4096	258
#define HELLO_GROUP_FFDHE6144	259
#define HELLO_GROUP_FFDHE8192	260

/* Alert descriptions the engine itself refers to. */
#define HELLO_ALERT_HANDSHAKE_FAILURE		40
#define HELLO_ALERT_PROTOCOL_VERSION		70
#define HELLO_ALERT_INAPPROPRIATE_FALLBACK	86

/* ---- Builder ------------------------------------------------------------------------------ */

/*
 * A key_share entry.  key == NULL asks the builder for a stand-in of the right length
 * (hello_key_share_len()): X25519/X448 bytes derived from the client random, the curve's
 * generator point for secp256r1/384r1/521r1 (servers check that a point is on the curve), and
 * Y = 2 for ffdhe groups.  Nobody holds a useful private key for these: the scan stops at
 * ServerHello and never completes a TLS 1.3 key exchange.
 */
struct hello_key_share {
	uint16_t	 group;
	const uint8_t	*key;		/* NULL: synthesise (see above) */
	size_t		 len;		/* bytes at key; ignored when key is NULL */
};

/* hello_params.opts */
#define HELLO_OPT_FALLBACK_SCSV	0x0001	/* append TLS_FALLBACK_SCSV to the suites */
#define HELLO_OPT_RENEG_SCSV	0x0002	/* append TLS_EMPTY_RENEGOTIATION_INFO_SCSV */
#define HELLO_OPT_RENEG_INFO	0x0004	/* empty renegotiation_info extension */
#define HELLO_OPT_EMS		0x0008	/* extended_master_secret */
#define HELLO_OPT_ETM		0x0010	/* encrypt_then_mac */
#define HELLO_OPT_TICKET	0x0020	/* empty session_ticket */
#define HELLO_OPT_STATUS	0x0040	/* status_request (OCSP, no responder ids or extensions) */
#define HELLO_OPT_HEARTBEAT	0x0080	/* heartbeat, mode peer_allowed_to_send */
#define HELLO_OPT_DEFLATE	0x0100	/* offer DEFLATE compression before null (CRIME check) */
#define HELLO_OPT_PSK_MODES	0x0200	/* psk_key_exchange_modes = { psk_dhe_ke } */
#define HELLO_OPT_PADDING	0x0400	/* RFC 7685 padding past 512 bytes when 256..511 */
#define HELLO_OPT_NO_EXTENSIONS	0x0800	/* no extensions block at all (SSLv3 always) */

struct hello_params {
	uint16_t		 version;	/* HELLO_SSL3 .. HELLO_TLS13: the highest offered */
	uint16_t		 record_version;/* 0: TLS 1.0 on the record (SSL 3.0 for SSLv3) */
	size_t			 record_max;	/* split the hello into records of this size; 0: 2^14 */
	const uint8_t		*random;	/* 32 bytes; required */
	const uint8_t		*session_id;	/* may be NULL when session_id_len is 0 */
	size_t			 session_id_len;/* 0..32 */
	const uint16_t		*ciphers;	/* cipher suite codes, in preference order */
	size_t			 nciphers;
	const char		*sni;		/* host name for server_name; NULL: none */
	const uint16_t		*groups;	/* supported_groups; none when ngroups is 0 */
	size_t			 ngroups;
	const uint8_t		*point_formats;	/* ec_point_formats; none when 0 */
	size_t			 npoint_formats;
	const uint16_t		*sigalgs;	/* signature_algorithms; none when 0 */
	size_t			 nsigalgs;
	const uint16_t		*versions;	/* supported_versions; for TLS 1.3 none means { 1.3 } */
	size_t			 nversions;
	const struct hello_key_share *key_shares;	/* TLS 1.3 key_share entries */
	size_t			 nkey_shares;
	const char *const	*alpn;		/* ALPN protocol names; none when 0 */
	size_t			 nalpn;
	unsigned int		 opts;		/* HELLO_OPT_* */
};

enum hello_build_result {
	HELLO_BUILD_OK = 0,
	HELLO_BUILD_EINVAL = -1,	/* bad parameters (version, random, lengths, unknown share) */
	HELLO_BUILD_TOO_BIG = -2,	/* over a length field's range or the dbuf's ceiling */
};

/*
 * A sensible default for scanning at `version`: every suite of the cipher table that version can
 * use, the common groups, signature algorithms, point formats, renegotiation_info, EMS, ticket,
 * status_request, and for TLS 1.3 supported_versions { 1.3 }, psk modes and X25519 + P-256
 * shares.  Everything points at static read-only data; set sni and adjust the rest after.
 */
void	hello_params_default(struct hello_params *, uint16_t version, const uint8_t random[32]);

/* Append a complete ClientHello (record header(s) + handshake) to out. */
enum hello_build_result	hello_build_client(struct dbuf *out, const struct hello_params *);

/*
 * SSLv2 CLIENT-HELLO (2-byte record header): version is HELLO_SSL2 for a pure SSLv2 probe or a
 * TLS version for an SSLv2-compatible hello (RFC 5246 Appendix E.2), where a TLS suite is the
 * spec 0x00XXYY.  challenge: 16..32 bytes, caller's randomness.
 */
struct hello_sslv2_params {
	uint16_t	 version;
	const uint32_t	*specs;		/* 3-byte cipher specs */
	size_t		 nspecs;
	const uint8_t	*challenge;
	size_t		 challenge_len;
};

enum hello_build_result	hello_build_sslv2(struct dbuf *out, const struct hello_sslv2_params *);

/* Length of a key_share entry for a group; 0 for groups the builder cannot synthesise. */
size_t	hello_key_share_len(uint16_t group);

/* ---- Parsers ------------------------------------------------------------------------------ */

enum hello_result {
	HELLO_NEED_MORE,	/* the flight is not complete yet: call again with more bytes */
	HELLO_OK,		/* reached ServerHelloDone, a TLS 1.3 ServerHello, an HRR, or resumption */
	HELLO_ALERT,		/* the server sent an alert (SSLv2: an ERROR message) */
	HELLO_NOT_TLS,		/* the bytes are not the protocol asked for (plain text, SSLv2, ...) */
	HELLO_MALFORMED,	/* a protocol violation; reason says which */
	HELLO_TOO_BIG,		/* the flight went over HELLO_FLIGHT_MAX */
	HELLO_RESULT_LAST
};

/* Ceilings: every byte a peer controls lands in something with a size. */
#define HELLO_FLIGHT_MAX	65536	/* reassembled handshake bytes of one server flight */
#define HELLO_RECORD_MAX	16384	/* plaintext record payload, RFC 5246 §6.2.1 */
#define HELLO_MAX_EXTS		32	/* extensions remembered from a ServerHello */
#define HELLO_MAX_CERTS		16	/* certificate slices kept (all are counted) */
#define HELLO_MAX_POINT_FORMATS	8
#define HELLO_MAX_SSLV2_SPECS	64

/*
 * A slice of the reassembled handshake bytes (hello_server.hs): p is valid until the
 * hello_server is freed; off is the same place as an offset into hs.data.
 */
struct hello_slice {
	const uint8_t	*p;
	size_t		 off;
	size_t		 len;
};

/* What ServerKeyExchange carried; its shape depends on the negotiated suite's key exchange. */
enum hello_ske_kind {
	HELLO_SKE_NONE,		/* no ServerKeyExchange */
	HELLO_SKE_DH,		/* DHE, DH_anon, DHE_PSK: p, g, Ys */
	HELLO_SKE_ECDH,		/* ECDHE, ECDH_anon, ECDHE_PSK: curve */
	HELLO_SKE_RSA,		/* RSA export: a temporary RSA key */
	HELLO_SKE_PSK,		/* PSK, RSA_PSK: identity hint only */
	HELLO_SKE_SRP,		/* SRP: N, g, s, B */
	HELLO_SKE_UNKNOWN,	/* the suite is unknown or its exchange is not decoded: raw only */
	HELLO_SKE_LAST
};

struct hello_ske {
	enum hello_ske_kind	 kind;
	struct hello_slice	 raw;		/* the whole message body */
	struct hello_slice	 psk_hint;	/* *_PSK exchanges */
	struct hello_slice	 dh_p, dh_g, dh_ys;
	unsigned int		 dh_p_bits;	/* significant bits of p */
	uint32_t		 dh_g_value;	/* g when it fits 32 bits, else 0 */
	uint8_t			 ec_curve_type;	/* 3 named_curve; 1/2 explicit (not decoded further) */
	uint16_t		 ec_curve;	/* named curve id (hello_group_name()) */
	struct hello_slice	 ec_point;
	struct hello_slice	 rsa_modulus, rsa_exponent;
	unsigned int		 rsa_bits;
	struct hello_slice	 srp_n, srp_g, srp_s, srp_b;
	unsigned int		 srp_n_bits;
	uint16_t		 sig_scheme;	/* TLS 1.2 signature algorithm, 0 before 1.2 or anon */
	struct hello_slice	 signature;	/* unparsed, unverified */
};

/* hello_server.seen */
#define HELLO_SEEN_HELLO	0x0001	/* a ServerHello (or HRR) was parsed */
#define HELLO_SEEN_HRR		0x0002	/* ... and it was a HelloRetryRequest */
#define HELLO_SEEN_CERT		0x0004
#define HELLO_SEEN_SKE		0x0008
#define HELLO_SEEN_STATUS	0x0010	/* CertificateStatus */
#define HELLO_SEEN_CERT_REQUEST	0x0020
#define HELLO_SEEN_DONE		0x0040	/* ServerHelloDone */
#define HELLO_SEEN_TICKET	0x0080	/* NewSessionTicket (resumption) */
#define HELLO_SEEN_CCS		0x0100	/* ChangeCipherSpec */
#define HELLO_SEEN_ENCRYPTED	0x0200	/* an application_data record followed */
#define HELLO_SEEN_ALERT	0x0400

struct hello_server {
	enum hello_result	 result;
	const char		*reason;	/* static text for NOT_TLS/MALFORMED/TOO_BIG, else NULL */
	size_t			 consumed;	/* input bytes of the records parsed */
	uint16_t		 record_version;/* of the first record */
	unsigned int		 seen;		/* HELLO_SEEN_* */

	/* ServerHello / HelloRetryRequest */
	uint16_t		 legacy_version;
	uint16_t		 version;	/* negotiated: supported_versions, else legacy_version */
	uint8_t			 random[32];
	uint8_t			 session_id[32];
	size_t			 session_id_len;
	uint16_t		 cipher;
	uint8_t			 compression;
	uint16_t		 downgrade;	/* RFC 8446 §4.1.3 sentinel: HELLO_TLS12/HELLO_TLS11, or 0 */
	uint16_t		 ext_types[HELLO_MAX_EXTS];	/* in the order sent */
	size_t			 next;
	uint16_t		 selected_version;	/* supported_versions, 0 if absent */
	uint16_t		 key_share_group;	/* key_share, or HRR selected_group; 0 if absent */
	size_t			 key_share_len;
	int			 reneg_info_len;	/* -1: no renegotiation_info */
	uint8_t			 heartbeat_mode;	/* 0: absent; 1 peer_allowed, 2 not_allowed */
	uint8_t			 point_formats[HELLO_MAX_POINT_FORMATS];
	size_t			 npoint_formats;
	struct hello_slice	 alpn;			/* selected protocol; len 0 if absent */

	/* Certificate (TLS <= 1.2: in the clear) */
	size_t			 ncerts;	/* all certificates in the message */
	struct hello_slice	 certs[HELLO_MAX_CERTS];	/* DER, leaf first; the first ncerts */

	struct hello_ske	 ske;

	/* CertificateStatus */
	uint8_t			 status_type;	/* 1: ocsp */
	struct hello_slice	 status;	/* the OCSPResponse, unparsed */

	/* Alert */
	uint8_t			 alert_level;
	uint8_t			 alert_desc;

	struct dbuf		 hs;		/* reassembled handshake bytes; owned */
};

/*
 * Parse the server's bytes from the start of its first record up to the end of its first flight.
 * Stateless: call again with the whole longer buffer after HELLO_NEED_MORE.  *out is overwritten
 * (never read); after every call, whatever the result, release it with hello_server_free().
 */
enum hello_result	hello_parse_server(const uint8_t *, size_t, struct hello_server *out);
void			hello_server_free(struct hello_server *);	/* NULL is fine */
int			hello_server_has_ext(const struct hello_server *, uint16_t type);

/* SSLv2 SERVER-HELLO (or ERROR).  Pointers are into the caller's buffer; nothing to free. */
struct hello_sslv2_server {
	enum hello_result	 result;
	const char		*reason;
	size_t			 consumed;
	uint16_t		 error;		/* HELLO_ALERT: the SSLv2 ERROR code */
	int			 session_id_hit;
	uint8_t			 cert_type;	/* 1: X.509 */
	uint16_t		 version;	/* 0x0002 */
	const uint8_t		*cert;
	size_t			 cert_len;
	uint32_t		 specs[HELLO_MAX_SSLV2_SPECS];
	size_t			 nspecs;	/* all specs in the message */
	const uint8_t		*conn_id;
	size_t			 conn_id_len;
};

enum hello_result	hello_parse_sslv2(const uint8_t *, size_t, struct hello_sslv2_server *out);

/* ---- Names -------------------------------------------------------------------------------- */

/* Never NULL for enum values ("?" out of range). */
const char	*hello_result_name(enum hello_result);
const char	*hello_ske_kind_name(enum hello_ske_kind);

/* Wire code points: NULL when unknown, so the caller can print the number. */
const char	*hello_version_name(uint16_t);		/* "TLSv1.2" */
const char	*hello_alert_name(uint8_t);		/* "handshake_failure" */
const char	*hello_group_name(uint16_t);		/* "x25519" */
const char	*hello_sigalg_name(uint16_t);		/* "rsa_pss_rsae_sha256" */
const char	*hello_ext_name(uint16_t);		/* "key_share" */
const char	*hello_sslv2_error_name(uint16_t);	/* "NO-CIPHER-ERROR" */

#endif
