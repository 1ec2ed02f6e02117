/*
 * test_scanin.c — the scan input's lines: plain lists, CSV top lists (with and without a header),
 * IDN U-labels to A-labels, and every kind of garbage as a per-line error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sched/scanin.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct line_case {
	const char		*line;
	enum scanin_kind	 kind;
	const char		*domain;	/* on DOMAIN */
	const char		*error_has;	/* on ERROR: a part of the reason */
};

static const struct line_case plain_cases[] = {
	{ "example.org", SCANIN_DOMAIN, "example.org", NULL },
	{ "Example.ORG.\r\n", SCANIN_DOMAIN, "example.org", NULL },
	{ "  mail.example.co.uk\t", SCANIN_DOMAIN, "mail.example.co.uk", NULL },
	{ "example.org   # our partner", SCANIN_DOMAIN, "example.org", NULL },
	{ "\xef\xbb\xbf" "bom.example", SCANIN_DOMAIN, "bom.example", NULL },
	{ "", SCANIN_SKIP, NULL, NULL },
	{ "   \t ", SCANIN_SKIP, NULL, NULL },
	{ "# a comment", SCANIN_SKIP, NULL, NULL },
	/* IDN: U-labels become A-labels (RFC 5891), with UTS #46 case mapping */
	{ "bücher.example", SCANIN_DOMAIN, "xn--bcher-kva.example", NULL },
	{ "BÜCHER.example", SCANIN_DOMAIN, "xn--bcher-kva.example", NULL },
	{ "münchen.de", SCANIN_DOMAIN, "xn--mnchen-3ya.de", NULL },
	{ "例え.テスト", SCANIN_DOMAIN, "xn--r8jz45g.xn--zckzah", NULL },
	{ "xn--bcher-kva.example", SCANIN_DOMAIN, "xn--bcher-kva.example", NULL },
	/* garbage, each with its reason */
	{ "https://example.org/", SCANIN_ERROR, NULL, "URL" },
	{ "example.org/path", SCANIN_ERROR, NULL, "'/'" },
	{ "postmaster@example.org", SCANIN_ERROR, NULL, "e-mail address" },
	{ "example .org", SCANIN_ERROR, NULL, "space" },
	{ "192.0.2.1", SCANIN_ERROR, NULL, "address" },
	{ "[2001:db8::1]", SCANIN_ERROR, NULL, "address" },
	{ "2001:db8::1", SCANIN_ERROR, NULL, "address" },
	{ "localhost", SCANIN_ERROR, NULL, "one label" },
	{ "_dmarc.example.org", SCANIN_ERROR, NULL, "'_'" },
	{ "*.example.org", SCANIN_ERROR, NULL, "wildcard" },
	{ "-bad.example", SCANIN_ERROR, NULL, "'-'" },
	{ "bad-.example", SCANIN_ERROR, NULL, "'-'" },
	{ "a..example", SCANIN_ERROR, NULL, "empty label" },
	{ ".example", SCANIN_ERROR, NULL, "empty label" },
	{ "exa!mple.org", SCANIN_ERROR, NULL, "not allowed" },
	{ "exam\x01ple.org", SCANIN_ERROR, NULL, "control" },
	{ "\xff\xfe.example", SCANIN_ERROR, NULL, "internationalized" },
	{ "xn--a.example", SCANIN_DOMAIN, "xn--a.example", NULL },	/* LDH: DNS decides */
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example", SCANIN_ERROR,
	    NULL, "63" },
};

static void
test_plain(void **state)
{
	struct scanin st;
	struct scanin_line out;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(plain_cases); i++) {
		const struct line_case *c = &plain_cases[i];

		scanin_init(&st, SCANIN_PLAIN, -1, -1);
		if (scanin_parse(&st, c->line, strlen(c->line), &out) != c->kind)
			fail_msg("'%s': kind %s, want %s (%s)", c->line, scanin_kind_name(out.kind),
			    scanin_kind_name(c->kind), out.error);
		if (c->domain)
			assert_string_equal(out.domain, c->domain);
		if (c->error_has && strstr(out.error, c->error_has) == NULL)
			fail_msg("'%s': error '%s' lacks '%s'", c->line, out.error, c->error_has);
		if (c->kind == SCANIN_DOMAIN)
			assert_int_equal(out.rank, -1);
	}
}

static void
test_long_names(void **state)
{
	char name[400], line[SCANIN_LINE_MAX + 10];
	struct scanin st;
	struct scanin_line out;
	size_t i;

	(void)state;
	/* 4 labels of 63 = 255 with dots: over 253 */
	snprintf(name, sizeof(name), "%.63s.%.63s.%.63s.%.63s",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
	    "ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
	    "ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd");
	scanin_init(&st, SCANIN_AUTO, -1, -1);
	assert_int_equal(scanin_parse(&st, name, strlen(name), &out), SCANIN_ERROR);
	assert_non_null(strstr(out.error, "253"));
	/* exactly 253 is fine */
	name[253] = '\0';
	if (name[252] == '.')
		name[252] = 'x';
	assert_int_equal(scanin_parse(&st, name, strlen(name), &out), SCANIN_DOMAIN);
	/* a line over the ceiling */
	for (i = 0; i < sizeof(line); i++)
		line[i] = 'a';
	assert_int_equal(scanin_parse(&st, line, sizeof(line), &out), SCANIN_ERROR);
	assert_non_null(strstr(out.error, "longer"));
}

struct csv_case {
	const char	*lines[6];
	const char	*want[6];	/* "domain rank", "skip", "error:<part>" */
};

static const struct csv_case csv_cases[] = {
	/* Tranco / Umbrella: rank,domain, no header */
	{ { "1,google.com", "2,Bücher.example", "3,not a domain", "x,example.net", "4,ok.example" },
	  { "google.com 1", "xn--bcher-kva.example 2", "error:space", "error:rank", "ok.example 4" } },
	/* Majestic: a header names the columns */
	{ { "GlobalRank,TldRank,Domain,TLD", "1,1,google.com,com", "2,2,\"facebook.com\",com" },
	  { "skip", "google.com 1", "facebook.com 2" } },
	/* domain first, rank second, tab separated */
	{ { "example.org\t7", "example.net\t8" }, { "example.org 7", "example.net 8" } },
	/* a header without a domain column */
	{ { "rank,site_url", "1,example.org" }, { "error:domain column", "error:domain" } },
	/* comments and blanks between */
	{ { "# Tranco list", "", "1,a.example", "  ", "2,b.example" },
	  { "skip", "skip", "a.example 1", "skip", "b.example 2" } },
	/* too few fields */
	{ { "1,a.example", "2" }, { "a.example 1", "error:fields" } },
};

static void
test_csv(void **state)
{
	struct scanin st;
	struct scanin_line out;
	char got[400];
	size_t i, j;

	(void)state;
	for (i = 0; i < NELEM(csv_cases); i++) {
		scanin_init(&st, SCANIN_AUTO, -1, -1);
		for (j = 0; j < 6 && csv_cases[i].lines[j]; j++) {
			const char *l = csv_cases[i].lines[j], *w = csv_cases[i].want[j];

			scanin_parse(&st, l, strlen(l), &out);
			if (out.kind == SCANIN_DOMAIN)
				snprintf(got, sizeof(got), "%s %ld", out.domain, out.rank);
			else if (out.kind == SCANIN_SKIP)
				snprintf(got, sizeof(got), "skip");
			else
				snprintf(got, sizeof(got), "error:%s", out.error);
			if (strncmp(w, "error:", 6) == 0) {
				if (out.kind != SCANIN_ERROR || strstr(out.error, w + 6) == NULL)
					fail_msg("case %zu line %zu '%s': got '%s', want '%s'", i, j, l,
					    got, w);
			} else if (strcmp(got, w) != 0)
				fail_msg("case %zu line %zu '%s': got '%s', want '%s'", i, j, l, got, w);
		}
	}
}

static void
test_columns_given(void **state)
{
	struct scanin st;
	struct scanin_line out;

	(void)state;
	/* --domain-column 3 --no-rank on a header line: the header is skipped */
	scanin_init(&st, SCANIN_CSV, 2, -2);
	assert_int_equal(scanin_parse(&st, "a,b,host", 8, &out), SCANIN_SKIP);
	assert_int_equal(scanin_parse(&st, "9,x,example.org", 15, &out), SCANIN_DOMAIN);
	assert_string_equal(out.domain, "example.org");
	assert_int_equal(out.rank, -1);
}

/* A plain list decided by its first line stays plain: a later comma is an error, not CSV. */
static void
test_format_sticks(void **state)
{
	struct scanin st;
	struct scanin_line out;

	(void)state;
	scanin_init(&st, SCANIN_AUTO, -1, -1);
	assert_int_equal(scanin_parse(&st, "a.example", 9, &out), SCANIN_DOMAIN);
	assert_int_equal(scanin_parse(&st, "1,b.example", 11, &out), SCANIN_ERROR);
}

/* The quote of an input line in messages and in the store: printable ASCII, cut with "...". */
static void
test_quote(void **state)
{
	char q[8], big[96], line[200];

	(void)state;
	scanin_quote("a\tb\xc3\xa9", 5, big, sizeof(big));
	assert_string_equal(big, "a?b??");
	scanin_quote("abcdefghij", 10, q, sizeof(q));
	assert_string_equal(q, "abcd...");
	memset(line, 'x', sizeof(line));
	scanin_quote(line, sizeof(line), big, sizeof(big));
	assert_int_equal(strlen(big), 95);
	assert_string_equal(big + 92, "...");
	scanin_quote(line, 92, big, sizeof(big));
	assert_int_equal(strlen(big), 92);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_long_names),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_columns_given),
		cmocka_unit_test(test_format_sticks),
		cmocka_unit_test(test_quote),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
