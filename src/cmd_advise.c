#include "cli.h"
int
cmd_advise(int argc, char **argv)
{
	(void)argc; (void)argv;
	return cli_usage_error("advise: not yet");
}
