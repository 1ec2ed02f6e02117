/*
 * report.h — the mitm session rendered: a text table for people, JSON for scripts (schema in
 * docs/mitm.md; bump MITM_REPORT_SCHEMA on any incompatible change).  Renders, decides nothing:
 * outcomes and client verdicts come from verdict.c.
 */
#ifndef MAILTLS_MITM_REPORT_H
#define MAILTLS_MITM_REPORT_H

#include <stdio.h>

#include <jansson.h>

#include "mitm/proxy.h"
#include "mitm/verdict.h"

#define MITM_REPORT_SCHEMA	1

struct mitm_client {
	char				 key[256];	/* client address, or the --run command */
	struct mitm_client_result	 res;
	unsigned			 nconn;
};

struct mitm_run {
	enum mitm_attack	 attack;
	int			 status;	/* exit status of the command; -1 killed at its deadline */
};

struct mitm_session {
	enum mitm_proto			 proto;
	const char			*listen;	/* "ADDR:PORT" */
	const char			*upstream;	/* "HOST:PORT" or NULL (sink) */
	const char			*name;
	const char			*run_cmd;	/* --run or NULL */
	const struct mitm_record	*recs;
	size_t				 nrecs;
	const struct mitm_client	*clients;
	size_t				 nclients;
	const struct mitm_run		*runs;
	size_t				 nruns;
};

/* What the client did, in a few words ("AUTH PLAIN (24 bytes) in clear; MAIL in clear"). */
void	 mitm_report_detail(const struct mitm_obs *, char *buf, size_t len);
void	 mitm_report_text(FILE *, const struct mitm_session *, int color);
json_t	*mitm_report_json(const struct mitm_session *);

#endif
