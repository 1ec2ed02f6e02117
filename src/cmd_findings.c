/*
 * cmd_findings.c — `mailtls findings [--markdown]`.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "report/report.h"
#include "verdict/finding.h"

int
cmd_findings(int argc, char **argv)
{
	const struct finding_info *fi;
	int i;

	if (argc > 1 && strcmp(argv[1], "--markdown") == 0) {
		report_findings_markdown(stdout);
		return EXIT_OK;
	}
	for (i = 0; i < FINDING_LAST; i++) {
		fi = finding_info((enum finding_id)i);
		printf("%-28s %-8s %s\n", fi->name, severity_name(fi->severity), fi->summary);
	}
	return EXIT_OK;
}
