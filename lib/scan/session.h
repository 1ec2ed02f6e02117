/*
 * session.h — the --full checks that need a real TLS session (OpenSSL through lib/tls/sess.c):
 * client-initiated renegotiation, resumption by session ID and by ticket with the ticket's
 * lifetime, TLS 1.3 early data, and, from the first full handshake, the certificate chain, the
 * stapled OCSP response, SCTs, extended master secret and the key-exchange signature hash.
 *
 * Connections (docs/internals/vuln-checks.md), with v12 the highest of TLS 1.0-1.2 accepted:
 *   S1  v12, full handshake without tickets: the facts above; then a renegotiation request
 *   S2  v12, S1's session offered by ID, tickets offered: resumed?  a TLS 1.2 ticket + hint
 *   S3  TLS 1.3 full handshake: tickets (lifetime, max_early_data)   (when 1.3 is accepted)
 *   S4  TLS 1.3 resumption with the ticket, with early data when the ticket allows it;
 *       without TLS 1.3: v12 resumption with S2's ticket
 * At most four; each step runs only when the one before gave it something to work with.
 */
#ifndef MAILTLS_SESSION_H
#define MAILTLS_SESSION_H

#include <stdint.h>

#include "probe/probe.h"
#include "scan/tlsenum.h"
#include "tls/chain.h"
#include "tls/ocsp.h"

#define SESSION_CHAIN_MAX	CHAIN_MAX

struct session_report {
	/* client-initiated renegotiation (TLS <= 1.2) */
	enum tlsenum_answer	 reneg;		/* YES accepted, NO refused, NOT_APPLICABLE 1.3 only */
	char			 reneg_detail[160];
	/* resumption */
	enum tlsenum_answer	 resume_id;
	enum tlsenum_answer	 resume_ticket;
	uint16_t		 ticket_version;	/* version the ticket resumption was tried at */
	long			 ticket_hint12;		/* TLS <= 1.2 lifetime hint, s; -1: no ticket */
	long			 ticket_lifetime13;	/* TLS 1.3 ticket_lifetime, s; -1: no ticket */
	enum tlsenum_answer	 early_data_offered;	/* a TLS 1.3 ticket allows early data */
	uint32_t		 max_early_data;
	enum tlsenum_answer	 early_data_accepted;
	/* facts of the first full handshake */
	int			 handshake;	/* a full handshake completed (facts below valid) */
	uint16_t		 version;	/* of that handshake */
	char			 error[160];	/* why not */
	int			 ems;		/* 1 yes, 0 no, -1 not applicable (TLS 1.3) */
	int			 peer_sig_nid;	/* hash of the server's key-exchange signature */
	struct ocsp_report	 ocsp;
	int			 scts_tls, scts_ocsp, scts_cert;	/* SCTs by where they came */
	struct chain_report	 chain;
	int			 connections;
	int			 connections13;	/* of those, TLS 1.3 ones (S3, S4) */
};

void	session_run(struct event_base *, const struct probe_params *, const struct tlsenum_report *,
	    struct session_report *);

#endif
