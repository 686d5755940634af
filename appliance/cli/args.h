/*
 * args.h - private to cli/: option parsing shared by the subcommands.
 */
#ifndef DXFQ_CLI_ARGS_H
#define DXFQ_CLI_ARGS_H

#include "core/core.h"

#define ARGS_MAX_POS 8
#define ARGS_MAX_OPT 64

/* One option a subcommand accepts: "--listen" taking a value, or a switch. */
struct args_spec {
    const char *name;
    int takes_value;
};

struct args {
    const char *pos[ARGS_MAX_POS];
    int npos;
    const char *opt_name[ARGS_MAX_OPT];
    const char *opt_value[ARGS_MAX_OPT]; /* "" for a switch */
    int nopt;
};

/* Parses argv[0..argc) ("--name VALUE", "--name=VALUE", switches and
 * positionals) against spec (ended by a NULL name).  Prints one line and
 * returns 2 on a usage error, else 0. */
int args_parse(struct args *a, int argc, char **argv, const struct args_spec *spec,
               const char *command);
/* The value of option name, or NULL when absent.  Repeatable options: the
 * i-th occurrence via args_nth(). */
const char *args_get(const struct args *a, const char *name);
const char *args_nth(const struct args *a, const char *name, int i);

/* Loads the configuration for a command: --config, then --data and any of
 * the given flag->key mappings.  Prints the error and returns 2 for a bad
 * flag value, 1 for a bad file; 0 ok.  Caller frees *out with cfg_free(). */
int args_config(const struct args *a, struct cfg **out);

/* Prints "dxfquote: <msg>" on stderr and returns code. */
int cli_fail(int code, const char *fmt, ...) CORE_PRINTF(2, 3);

int cli_serve(int argc, char **argv);
int cli_user(int argc, char **argv);
int cli_backup(int argc, char **argv);
int cli_inspect(int argc, char **argv);
int cli_render(int argc, char **argv);
int cli_quote(int argc, char **argv);
int cli_rules(int argc, char **argv);
int cli_materials(int argc, char **argv);

#endif
