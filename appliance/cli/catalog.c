/*
 * catalog.c - the admin's pricing commands:
 *   rules check FILE               syntax, then a trial run on sample parts
 *   rules install FILE [--author NAME] [--note TEXT]
 *                                  check, then store as the active version
 *   rules show [VERSION]           print a version's source (the active one)
 *   rules list                     the versions, newest first
 *   materials list                 the catalog as a table
 *   materials export FILE.csv      the catalog as CSV ("-": standard output)
 *   materials import FILE.csv      replace the catalog from CSV
 *
 * The CSV is RFC 4180 (comma separated, fields quoted with '"' when they
 * hold a comma, a quote or a line break, '""' for a quote inside; CRLF or
 * LF; a UTF-8 byte order mark is skipped).  Its header starts with
 * material,thickness_mm; then density_kg_m3, price_per_kg,
 * cutting_speed_mm_min, pierce_time_s, sheet_w_mm, sheet_h_mm (all
 * required, in any order), notes (optional), and any other column is a
 * figure the shop adds (its name a Lua identifier): the rules read it as
 * ctx.material.NAME, a number when the cell is one, else the text; an
 * empty cell leaves it out.  One row per material and thickness.  Every
 * row is checked before anything changes; the first bad one rejects the
 * import with its line number.
 */
#include "args.h"
#include "jobs/job.h"
#include "quote_rules.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define RULES_MAX_BYTES (1u << 20)
#define CSV_MAX_BYTES   (16u << 20)

/* ------------------------------------------------------------ files */

static int read_file(const char *path, size_t max, struct arena *a, char **out, size_t *len,
                     struct err *e)
{
    FILE *f = !strcmp(path, "-") ? stdin : fopen(path, "rb");
    if (!f)
        return err_set(e, "cannot open %s: %s", path, strerror(errno));
    char *buf = arena_alloc(a, max + 1);
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    int bad = !buf || ferror(f);
    if (f != stdin)
        fclose(f);
    if (bad)
        return err_set(e, "cannot read %s", path);
    if (n > max)
        return err_set(e, "%s is larger than %zu bytes", path, max);
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

int quote_read_rules(const char *path, struct arena *a, char **src, size_t *len, struct err *e)
{
    return read_file(path, RULES_MAX_BYTES, a, src, len, e);
}

int quote_engine_new(const struct cfg *c, struct price_engine **pe, struct err *e)
{
    struct price_limits lim = {cfg_int(c, CFG_PRICING_MAX_INSTRUCTIONS),
                               (size_t)cfg_int(c, CFG_PRICING_MEMORY_MB) << 20};
    return price_engine_new(pe, &lim, e);
}

static void describe_version(const struct store_rules *r, char *buf, size_t n)
{
    char when[32] = "";
    time_t t = (time_t)r->created;
    struct tm tm;
    if (gmtime_r(&t, &tm))
        strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
    snprintf(buf, n, "version %lld by %s, %s, sha256 %.16s", (long long)r->version,
             r->author ? r->author : "(built in)", when, r->sha256);
}

/* --rules FILE, else the rules the server picks (job_rules_pick), so
 * that the shell and the server price with the same rules. */
int quote_rules_load(const struct cfg *c, struct store *s, const char *file, struct arena *a,
                     struct price_engine **pe, struct quote_rules *qr, struct err *e)
{
    const char *src;
    size_t len = 0;
    memset(qr, 0, sizeof *qr);
    if (file) {
        char *text;
        if (quote_read_rules(file, a, &text, &len, e) != 0)
            return -1;
        src = text;
        qr->origin = "file";
        qr->name = file;
        snprintf(qr->describe, sizeof qr->describe, "%s (--rules)", file);
    } else {
        struct job_rules jr;
        struct store_rules sr;
        if (job_rules_pick(c, s, a, &jr, e) != 0)
            return -1;
        src = jr.src;
        len = jr.len;
        qr->version = jr.version;
        qr->origin = jr.origin;
        qr->name = jr.name;
        int found = 0;
        if (jr.version > 0 && (found = store_rules_get(s, a, jr.version, &sr, e)) < 0)
            return -1;
        if (found)
            describe_version(&sr, qr->describe, sizeof qr->describe);
        else if (jr.version > 0)
            snprintf(qr->describe, sizeof qr->describe, "version %lld", (long long)jr.version);
        else if (!strcmp(jr.origin, "config"))
            snprintf(qr->describe, sizeof qr->describe, "%s ([pricing] rules_file)", jr.name);
        else
            snprintf(qr->describe, sizeof qr->describe,
                     "%s built into this binary (no version installed)", jr.name);
    }
    if (quote_engine_new(c, pe, e) != 0)
        return -1;
    if (price_engine_load(*pe, qr->name, src, len, e) != 0) {
        price_engine_free(*pe);
        *pe = NULL;
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ database */

static int open_store(const struct cfg *c, struct store **s)
{
    struct err e;
    log_open(LOG_WARN, NULL, 0, 0, NULL);
    if (store_open(s, cfg_str(c, CFG_DATA_DIR), (int)cfg_int(c, CFG_DATA_BUSY_TIMEOUT_MS), &e) !=
        0)
        return cli_fail(1, "%s", e.msg);
    return 0;
}

/* ------------------------------------------------------------ rules */

/* Loads path and runs the trial; prints what failed.  0 ok, else 1. */
static int check_rules(const struct cfg *c, const char *path, struct arena *a, char **src,
                       size_t *len, int *calls)
{
    struct price_engine *pe;
    struct err e;
    if (quote_read_rules(path, a, src, len, &e) != 0)
        return cli_fail(1, "%s", e.msg);
    if (quote_engine_new(c, &pe, &e) != 0)
        return cli_fail(1, "%s", e.msg);
    struct price_shop shop = {cfg_real(c, CFG_COMPANY_MACHINE_RATE_PER_HOUR),
                              cfg_str(c, CFG_COMPANY_CURRENCY), cfg_real(c, CFG_COMPANY_TAX_RATE)};
    int rc = 0;
    if (price_engine_load(pe, path, *src, *len, &e) != 0 || price_check(pe, &shop, calls, &e) != 0)
        rc = cli_fail(1, "%s", e.msg);
    price_engine_free(pe);
    return rc;
}

static int print_version(const struct store_rules *r, void *ctx)
{
    char d[320];
    (void)ctx;
    describe_version(r, d, sizeof d);
    printf("%6lld  %s%s, %zu bytes%s%s\n", (long long)r->version, d, r->active ? " (active)" : "",
           r->len, r->note[0] ? ": " : "", r->note);
    return 0;
}

static int rules_show(struct store *s, struct arena *a, const char *which)
{
    struct store_rules r;
    struct err e;
    int found;
    char d[320];
    if (which) {
        char *end;
        long long v = strtoll(which, &end, 10);
        if (end == which || *end || v < 1)
            return cli_fail(2, "rules show: VERSION must be a version number, not '%s'", which);
        if ((found = store_rules_get(s, a, v, &r, &e)) < 0)
            return cli_fail(1, "%s", e.msg);
        if (!found)
            return cli_fail(1, "rules show: there is no rules version %lld; see 'dxfquote rules "
                               "list'", v);
    } else {
        if ((found = store_rules_active(s, a, &r, &e)) < 0)
            return cli_fail(1, "%s", e.msg);
        if (!found) {
            const struct embed_file *f = price_default_rules();
            fprintf(stderr, "-- no rules version is installed: the rules built into this binary\n");
            fwrite(f->data, 1, f->len, stdout);
            return fflush(stdout) == 0 ? 0 : 1;
        }
    }
    describe_version(&r, d, sizeof d);
    fprintf(stderr, "-- %s%s\n", d, r.active ? " (active)" : "");
    fwrite(r.source, 1, r.len, stdout);
    return fflush(stdout) == 0 ? 0 : 1;
}

int cli_rules(int argc, char **argv)
{
    static const struct args_spec spec[] = {
        {"--config", 1}, {"--data", 1}, {"--author", 1}, {"--note", 1}, {NULL, 0}};
    struct args a;
    struct cfg *c = NULL;
    struct store *s = NULL;
    struct err e;
    int rc, calls = 0;
    char *src;
    size_t len;

    if (argc < 1)
        return cli_fail(2, "rules: expected check, install, show or list");
    const char *sub = argv[0];
    if (args_parse(&a, argc - 1, argv + 1, spec, "rules") != 0)
        return 2;
    int install = !strcmp(sub, "install");
    if (!strcmp(sub, "check") || install) {
        if (a.npos != 1)
            return cli_fail(2, "rules %s: expected one FILE.lua", sub);
    } else if (!strcmp(sub, "show")) {
        if (a.npos > 1)
            return cli_fail(2, "rules show: expected at most one VERSION");
    } else if (!strcmp(sub, "list")) {
        if (a.npos)
            return cli_fail(2, "rules list: takes no arguments");
    } else {
        return cli_fail(2, "rules: unknown subcommand '%s'; expected check, install, show or list",
                        sub);
    }
    if (!install && (args_get(&a, "--author") || args_get(&a, "--note")))
        return cli_fail(2, "rules %s: --author and --note are for rules install", sub);
    if ((rc = args_config(&a, &c)) != 0)
        return rc;
    struct arena *ar = arena_new(64u << 20);

    if (!strcmp(sub, "check")) {
        if ((rc = check_rules(c, a.pos[0], ar, &src, &len, &calls)) == 0)
            printf("%s: the rules load and priced %d sample quotes within the contract.\n",
                   a.pos[0], calls);
        goto done;
    }
    if (install && (rc = check_rules(c, a.pos[0], ar, &src, &len, &calls)) != 0)
        goto done;
    if ((rc = open_store(c, &s)) != 0)
        goto done;
    if (install) {
        const char *author = args_get(&a, "--author");
        if (!author)
            author = getenv("USER") && *getenv("USER") ? getenv("USER") : "shell";
        int64_t version;
        int created;
        if (store_rules_save(s, src, len, author, args_get(&a, "--note"), &version, &created,
                             &e) != 0) {
            rc = cli_fail(1, "%s", e.msg);
            goto done;
        }
        if (created) {
            char detail[96];
            snprintf(detail, sizeof detail, "version %lld", (long long)version);
            store_audit(s, author, "rules.install", detail, &e);
            printf("Installed %s as rules version %lld, now active (checked on %d sample "
                   "quotes).\n", a.pos[0], (long long)version, calls);
        } else {
            printf("%s is already the active rules version %lld; nothing changed.\n", a.pos[0],
                   (long long)version);
        }
    } else if (!strcmp(sub, "show")) {
        rc = rules_show(s, ar, a.npos ? a.pos[0] : NULL);
    } else if (store_rules_list(s, print_version, NULL, &e) != 0) {
        rc = cli_fail(1, "%s", e.msg);
    }
done:
    store_close(s, 0);
    arena_free(ar);
    cfg_free(c);
    return rc;
}

/* ------------------------------------------------------------ CSV */

/* The CSV reader and writer are the store's (store_catalog_csv*), shared
 * with GET/POST /api/materials.csv. */
static int import_csv(struct store *s, const char *path, struct arena *a, size_t *rows,
                      size_t *materials, struct err *e)
{
    char *text = NULL;
    size_t len = 0, count = 0;
    struct store_material *m;
    if (read_file(path, CSV_MAX_BYTES, a, &text, &len, e) != 0)
        return -1;
    if (store_catalog_csv_parse(text, len, a, &m, &count, e) != 0 ||
        store_material_import(s, m, count, materials, e) != 0)
        return err_prefix(e, "%s", path);
    *rows = count;
    return 0;
}

static int export_csv(struct store *s, const char *path, struct err *e)
{
    char *text = NULL;
    size_t len = 0;
    if (store_catalog_csv(s, &text, &len, e) != 0)
        return -1;
    FILE *f = !strcmp(path, "-") ? stdout : fopen(path, "wb");
    int rc = 0;
    if (!f) {
        rc = err_set(e, "cannot write %s: %s", path, strerror(errno));
    } else {
        int bad = fwrite(text, 1, len, f) != len;
        bad |= (f == stdout ? fflush(f) : fclose(f)) != 0;
        if (bad)
            rc = err_set(e, "cannot write %s: %s", path, strerror(errno));
    }
    free(text);
    return rc;
}

static int print_material(const struct store_material *m, void *ctx)
{
    char price[40];
    (void)ctx;
    snprintf(price, sizeof price, "%.2f", m->price_per_kg);
    printf("%-24s %7g mm %9g %8g s %6g x %-6g %7g %8s%s%s\n", m->name, m->thickness_mm,
           m->cutting_speed_mm_min, m->pierce_time_s, m->sheet_w_mm, m->sheet_h_mm,
           m->density_kg_m3, price, strcmp(m->extra, "{}") ? "  " : "",
           strcmp(m->extra, "{}") ? m->extra : "");
    return 0;
}

int cli_materials(int argc, char **argv)
{
    static const struct args_spec spec[] = {{"--config", 1}, {"--data", 1}, {NULL, 0}};
    struct args a;
    struct cfg *c = NULL;
    struct store *s = NULL;
    struct err e;
    int rc;

    if (argc < 1)
        return cli_fail(2, "materials: expected list, export or import");
    const char *sub = argv[0];
    if (args_parse(&a, argc - 1, argv + 1, spec, "materials") != 0)
        return 2;
    if (!strcmp(sub, "list")) {
        if (a.npos)
            return cli_fail(2, "materials list: takes no arguments");
    } else if (!strcmp(sub, "export") || !strcmp(sub, "import")) {
        if (a.npos != 1)
            return cli_fail(2, "materials %s: expected one FILE.csv", sub);
    } else {
        return cli_fail(2, "materials: unknown subcommand '%s'; expected list, export or import",
                        sub);
    }
    if ((rc = args_config(&a, &c)) != 0)
        return rc;
    if ((rc = open_store(c, &s)) != 0) {
        cfg_free(c);
        return rc;
    }
    if (!strcmp(sub, "list")) {
        printf("%-24s %10s %9s %10s %-15s %7s %8s\n", "material", "thickness", "mm/min",
               "pierce", "sheet mm", "kg/m3", "price/kg");
        if (store_material_list(s, print_material, NULL, &e) != 0)
            rc = cli_fail(1, "%s", e.msg);
    } else if (!strcmp(sub, "export")) {
        if (export_csv(s, a.pos[0], &e) != 0)
            rc = cli_fail(1, "%s", e.msg);
    } else {
        struct arena *ar = arena_new((size_t)CSV_MAX_BYTES * 8);
        size_t rows = 0, materials = 0;
        if (import_csv(s, a.pos[0], ar, &rows, &materials, &e) != 0) {
            rc = cli_fail(1, "%s; the catalog was not changed", e.msg);
        } else {
            char detail[160];
            snprintf(detail, sizeof detail, "%zu rows, %zu materials", rows, materials);
            store_audit(s, NULL, "materials.import", detail, &e);
            printf("Imported %zu rows (%zu materials) from %s; they replace the catalog.\n",
                   rows, materials, a.pos[0]);
        }
        arena_free(ar);
    }
    store_close(s, 0);
    cfg_free(c);
    return rc;
}
