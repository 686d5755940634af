/*
 * cli.h - the command line: `dxfquote <command> [options]`.
 *
 * The shell face of the appliance; http/ is the browser face.  Both call the
 * same modules.  Exit status: 0 done, 1 failed (one line on stderr says what
 * and where), 2 bad usage.
 */
#ifndef DXFQ_CLI_H
#define DXFQ_CLI_H

int cli_main(int argc, char **argv);

#endif
