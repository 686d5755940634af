/*
 * cli.c - picks the subcommand, parses options, prints help and version.
 *
 * Options are GNU style: "--name VALUE" or "--name=VALUE", anywhere after
 * the command.  An unknown option or a missing or bad value prints one line
 * saying what is wrong and exits 2.  Every command that opens the database
 * takes --config FILE and --data DIR.
 */
#include "cli.h"
#include "args.h"
#include "http/http.h"

#include <cJSON.h>
#include <civetweb.h>
#include <hpdf_version.h>
#include <lua.h>
#include <sqlite3.h>
#include <zlib.h>
#include <stdlib.h>
#include <string.h>

#ifndef DXFQ_VERSION
#define DXFQ_VERSION "0.0.0-dev"
#endif

int cli_fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("dxfquote: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return code;
}

static const struct args_spec *find_spec(const struct args_spec *spec, const char *name,
                                         size_t len)
{
    for (; spec->name; spec++)
        if (strlen(spec->name) == len && !strncmp(spec->name, name, len))
            return spec;
    return NULL;
}

int args_parse(struct args *a, int argc, char **argv, const struct args_spec *spec,
               const char *command)
{
    memset(a, 0, sizeof *a);
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            if (a->npos == ARGS_MAX_POS)
                return cli_fail(2, "%s: too many arguments at '%s'", command, arg);
            a->pos[a->npos++] = arg;
            continue;
        }
        const char *eq = strchr(arg, '=');
        size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
        const struct args_spec *s = find_spec(spec, arg, len);
        if (!s)
            return cli_fail(2, "%s: unknown option '%.*s'; see 'dxfquote --help'", command,
                            (int)len, arg);
        const char *value = "";
        if (s->takes_value) {
            if (eq)
                value = eq + 1;
            else if (i + 1 < argc)
                value = argv[++i];
            else
                return cli_fail(2, "%s: option %s needs a value", command, s->name);
            if (!*value)
                return cli_fail(2, "%s: option %s needs a value", command, s->name);
        } else if (eq) {
            return cli_fail(2, "%s: option %s takes no value", command, s->name);
        }
        if (a->nopt == ARGS_MAX_OPT)
            return cli_fail(2, "%s: too many options", command);
        a->opt_name[a->nopt] = s->name;
        a->opt_value[a->nopt++] = value;
    }
    return 0;
}

const char *args_nth(const struct args *a, const char *name, int i)
{
    for (int k = 0; k < a->nopt; k++)
        if (!strcmp(a->opt_name[k], name) && i-- == 0)
            return a->opt_value[k];
    return NULL;
}

const char *args_get(const struct args *a, const char *name)
{
    const char *last = NULL;
    for (int k = 0; k < a->nopt; k++)
        if (!strcmp(a->opt_name[k], name))
            last = a->opt_value[k];
    return last;
}

int args_config(const struct args *a, struct cfg **out)
{
    static const struct {
        const char *flag;
        enum cfg_id id;
    } flags[] = {
        {"--data", CFG_DATA_DIR},
        {"--listen", CFG_HTTP_LISTEN},
    };
    struct err e;
    if (cfg_load(out, args_get(a, "--config"), &e) != 0)
        return cli_fail(1, "%s", e.msg);
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        const char *v = args_get(a, flags[i].flag);
        if (v && cfg_set(*out, flags[i].id, v, flags[i].flag, &e) != 0) {
            cfg_free(*out);
            *out = NULL;
            return cli_fail(2, "%s", e.msg);
        }
    }
    return 0;
}

static const char usage[] =
    "usage: dxfquote <command> [options]\n"
    "\n"
    "Commands:\n"
    "  inspect FILE.dxf [--json] [--units mm|cm|m|inch|ft] [--thickness MM]\n"
    "                                    measure a drawing: cut length, pierces, area,\n"
    "                                    holes, parts, problems; --json prints one object\n"
    "  render FILE.dxf OUT.png [--size WxH | --thumbnail] [--units U]\n"
    "                                    write the part's preview as PNG ([render] sizes;\n"
    "                                    the size in mm is written from 320x240 up)\n"
    "  quote FILE.dxf[@key=value,...]... --material NAME --thickness MM --qty N\n"
    "        [--option KEY[=VALUE]]... [--rules FILE] [--units U] [--json] [--png OUT.png]\n"
    "        [--pdf OUT.pdf [--customer TEXT] [--number TEXT] [--date YYYY-MM-DD]]\n"
    "                                    measure and price parts with the rules in effect;\n"
    "                                    one file may override material, thickness, qty,\n"
    "                                    units and option after '@' (docs/quote.md);\n"
    "                                    --pdf writes one quotation of the parts priced,\n"
    "                                    --png one part's preview; exit 1 if any part failed\n"
    "  rules check FILE.lua              check pricing rules: syntax, then sample quotes\n"
    "  rules install FILE.lua [--author NAME] [--note TEXT]\n"
    "                                    check, then make them the active rules version\n"
    "  rules show [VERSION] | rules list print a rules version (the active one) | list them\n"
    "  materials list                    the materials catalog\n"
    "  materials export|import FILE.csv  the catalog as CSV; an import replaces it\n"
    "  serve [--listen ADDR:PORT]        run the web appliance (Ctrl-C or SIGTERM stops it)\n"
    "  user add NAME --role admin|sales  add a user; the password is read from stdin\n"
    "                                    (without echo on a terminal), or generated and\n"
    "                                    printed once with --generate or on empty input\n"
    "  user passwd NAME                  set a new password the same way\n"
    "  user list                         list users and roles\n"
    "  backup FILE                       online backup of the live database to FILE\n"
    "  help-config                       print a fully commented appliance.ini\n"
    "  routes                            print the web API's routes: method, path, role\n"
    "  version                           print the version and the libraries inside\n"
    "\n"
    "Options of every command that opens the database:\n"
    "  --config FILE   configuration file (default: ./appliance.ini when it exists)\n"
    "  --data DIR      data folder (default: [data] dir, ./data)\n"
    "\n"
    "Exit status: 0 done, 1 failed, 2 bad usage.\n";

static int cmd_version(void)
{
    printf("dxfquote %s\n", DXFQ_VERSION);
    printf("  sqlite %s, civetweb %s, cjson %s, %s, libharu %s, zlib %s\n", sqlite3_libversion(),
           mg_version(), cJSON_Version(), LUA_RELEASE, HPDF_VERSION_TEXT, zlibVersion());
    return 0;
}

int cli_main(int argc, char **argv)
{
    if (argc < 2)
        return fputs(usage, stderr), 2;
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help"))
        return fputs(usage, stdout), 0;
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version"))
        return argc == 2 ? cmd_version() : cli_fail(2, "version takes no arguments");
    if (!strcmp(cmd, "help-config")) {
        if (argc != 2)
            return cli_fail(2, "help-config takes no arguments");
        cfg_write_help(stdout);
        return fflush(stdout) == 0 ? 0 : 1;
    }
    if (!strcmp(cmd, "routes")) {
        if (argc != 2)
            return cli_fail(2, "routes takes no arguments");
        return http_routes_print(stdout) == 0 ? 0 : cli_fail(1, "routes: cannot write the "
                                                                "route table to stdout");
    }
    if (!strcmp(cmd, "serve"))
        return cli_serve(argc - 2, argv + 2);
    if (!strcmp(cmd, "user"))
        return cli_user(argc - 2, argv + 2);
    if (!strcmp(cmd, "inspect"))
        return cli_inspect(argc - 2, argv + 2);
    if (!strcmp(cmd, "render"))
        return cli_render(argc - 2, argv + 2);
    if (!strcmp(cmd, "quote"))
        return cli_quote(argc - 2, argv + 2);
    if (!strcmp(cmd, "rules"))
        return cli_rules(argc - 2, argv + 2);
    if (!strcmp(cmd, "materials"))
        return cli_materials(argc - 2, argv + 2);
    if (!strcmp(cmd, "backup"))
        return cli_backup(argc - 2, argv + 2);
    return cli_fail(2, "unknown command '%s'; see 'dxfquote --help'", cmd);
}
