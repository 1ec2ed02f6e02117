/*
 * rawhs.h — raw handshake steps for the --full checks that go past the server's first flight
 * with the hello engine (ROBOT, CCS injection): send a ClientHello on a conv, read the first
 * flight, and after our next records read the server's *reaction* and boil it down to
 * something two reactions can be compared by.
 *
 * rawhs_reaction_parse() is a pure function over the server's bytes (fuzz/fuzz_reaction.c).
 */
#ifndef MAILTLS_RAWHS_H
#define MAILTLS_RAWHS_H

#include <stddef.h>
#include <stdint.h>

#include "scan/conv.h"
#include "tls/hello.h"

#define RAWHS_REACTION_RECORDS	4	/* records remembered; the rest are only counted */
#define RAWHS_REACTION_MAX	8192	/* bytes of a reaction we read */

/* One record of a reaction: its content type, and for an alert its level and description. */
struct rawhs_record {
	uint8_t		 type;
	uint8_t		 alert_level;	/* 0 unless an alert with a 2-byte body */
	uint8_t		 alert_desc;
};

struct rawhs_reaction {
	size_t			 nrecords;	/* complete records, all counted */
	struct rawhs_record	 rec[RAWHS_REACTION_RECORDS];
	int			 partial;	/* bytes after the last complete record */
	int			 not_tls;	/* the bytes are not TLS records */
	enum conv_end		 end;		/* how the wait ended (set by the caller) */
};

/* Parse the reaction bytes (pure); `end` is left for the caller. */
void	rawhs_reaction_parse(const uint8_t *, size_t, struct rawhs_reaction *);
/* The first fatal alert's description, or -1. */
int	rawhs_reaction_fatal(const struct rawhs_reaction *);
/* Same records and the same ending: the server reacted the same way. */
int	rawhs_reaction_equal(const struct rawhs_reaction *, const struct rawhs_reaction *);
/* "alert fatal bad_record_mac, closed" into buf (always terminated). */
void	rawhs_reaction_format(const struct rawhs_reaction *, char *, size_t);

/*
 * Send a ClientHello at `version` (hello_params_default() with `suites`, the reference name as
 * SNI) and read until the first flight parses.  0: *hs holds a complete HELLO_OK flight (free
 * it with hello_server_free()); -1: anything else (*hs freed already).  `in` is emptied.
 */
int	rawhs_hello(struct conv *, const char *sni, uint16_t version, const uint16_t *suites,
	    size_t nsuites, long ms, struct hello_server *hs);

/* The same with the caller's hello (rawhs_params() gives the default one to adjust). */
int	rawhs_hello_params(struct conv *, const struct hello_params *, long ms,
	    struct hello_server *hs);
/* hello_params_default() at version with suites (all when 0), SNI, a fresh random in rnd. */
void	rawhs_params(struct hello_params *, uint8_t rnd[32], const char *sni, uint16_t version,
	    const uint16_t *suites, size_t nsuites);

/*
 * After our records: read the reaction (until the server closes, resets, fills the ceiling, or
 * ms pass; after a fatal alert only a short grace for the close) and parse it.
 */
void	rawhs_reaction_read(struct conv *, long ms, struct rawhs_reaction *);

/* A TLS record of `type` around body, appended to out. */
int	rawhs_record(struct dbuf *out, uint8_t type, uint16_t version, const uint8_t *, size_t);

#endif
