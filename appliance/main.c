/*
 * main.c - dxfquote: the DXF Quote Appliance in one executable.
 * It only hands over to the command line; see cli/cli.h.
 */
#include "cli/cli.h"

int main(int argc, char **argv)
{
    return cli_main(argc, argv);
}
