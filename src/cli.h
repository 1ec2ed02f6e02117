/*
 * cli.h — shared pieces of the command-line program.
 */
#ifndef MAILTLS_CLI_H
#define MAILTLS_CLI_H

#include <stdio.h>

#define EXIT_OK		0	/* done, nothing at or above --fail-on */
#define EXIT_FINDINGS	1	/* findings at or above --fail-on */
#define EXIT_USAGE	2
#define EXIT_UNREACHABLE 3	/* no endpoint could be reached */

int	cmd_host(int, char **);
int	cmd_findings(int, char **);
int	cmd_check(int, char **);
const char *cli_fqdn(void);
long	cli_secs(const char *, const char *opt);
int	cli_severity(const char *);
void	usage(FILE *);

#endif
