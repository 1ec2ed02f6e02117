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
	int i, markdown = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--markdown") == 0)
			markdown = 1;
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return EXIT_OK;
		} else if (argv[i][0] == '-')
			return cli_usage_error("unknown option '%s'", argv[i]);
		else
			return cli_usage_error("findings takes no arguments; '%s' is one too many",
			    argv[i]);
	}
	if (markdown) {
		report_findings_markdown(stdout);
		return EXIT_OK;
	}
	for (i = 0; i < FINDING_LAST; i++) {
		fi = finding_info((enum finding_id)i);
		printf("%-28s %-8s %s\n", fi->name, severity_name(fi->severity), fi->summary);
	}
	return EXIT_OK;
}
