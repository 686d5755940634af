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

#include <cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define RULES_MAX_BYTES (1u << 20)
#define CSV_MAX_BYTES   (16u << 20)
#define CSV_MAX_FIELDS  64

/* The catalog's own columns after material and thickness_mm, in export
 * order. */
enum col { C_DENSITY, C_PRICE, C_SPEED, C_PIERCE, C_SHEET_W, C_SHEET_H, C_NOTES, C_NCOLS };
static const char *const col_names[C_NCOLS] = {
    "density_kg_m3", "price_per_kg", "cutting_speed_mm_min", "pierce_time_s",
    "sheet_w_mm",    "sheet_h_mm",   "notes"};

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

/* A number as short as it goes and still reads back the same. */
static const char *fmt_num(double v, char *buf, size_t n)
{
    snprintf(buf, n, "%.15g", v);
    if (strtod(buf, NULL) != v)
        snprintf(buf, n, "%.17g", v);
    return buf;
}

static void csv_field(FILE *f, const char *s, int first)
{
    if (!first)
        fputc(',', f);
    size_t n = strlen(s);
    if (!strpbrk(s, ",\"\r\n") && !(n && (isspace((unsigned char)s[0]) ||
                                          isspace((unsigned char)s[n - 1])))) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* Reads records from text it owns: each field is decoded in place (it is
 * never longer than as written), so nothing is allocated per field. */
struct csv_reader {
    char *p, *end; /* *end is '\0' */
    int line;      /* of p */
};

/* One record: up to CSV_MAX_FIELDS fields into f (pointers into the
 * text), *n of them, *at its first line.  1 record, 0 end of input, -1
 * error. */
static int csv_record(struct csv_reader *r, char **f, size_t *n, int *at, struct err *e)
{
    *n = 0;
    *at = r->line;
    if (r->p >= r->end)
        return 0;
    for (;;) {
        char *buf = r->p;
        size_t k = 0;
        if (*r->p == '"') {
            int open_line = r->line;
            r->p++;
            for (;;) {
                if (r->p >= r->end)
                    return err_set(e, "line %d: a quoted field is never closed", open_line);
                if (*r->p == '"') {
                    if (r->p + 1 < r->end && r->p[1] == '"') {
                        buf[k++] = '"';
                        r->p += 2;
                        continue;
                    }
                    r->p++;
                    break;
                }
                if (*r->p == '\n')
                    r->line++;
                buf[k++] = *r->p++;
            }
            if (r->p < r->end && *r->p != ',' && *r->p != '\r' && *r->p != '\n')
                return err_set(e, "line %d: text after the closing quote of a field; a quote "
                                  "inside a field is written \"\"", r->line);
        } else {
            while (r->p < r->end && *r->p != ',' && *r->p != '\r' && *r->p != '\n') {
                if (*r->p == '"')
                    return err_set(e, "line %d: a quote inside an unquoted field; quote the "
                                      "whole field and double the quote", r->line);
                k++;
                r->p++;
            }
        }
        char delim = r->p < r->end ? *r->p : '\0';
        buf[k] = '\0';
        if (*n == CSV_MAX_FIELDS)
            return err_set(e, "line %d: more than %d columns", *at, CSV_MAX_FIELDS);
        f[(*n)++] = buf;
        if (delim == ',') {
            r->p++;
            continue;
        }
        /* The delimiter itself may now be the field's '\0': go by delim. */
        if (delim == '\r' || delim == '\n')
            r->p++;
        if (delim == '\r' && r->p < r->end && *r->p == '\n')
            r->p++;
        r->line++;
        return 1;
    }
}

/* Trims spaces at both ends, in place. */
static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static int parse_number(const char *s, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return end != s && !*end && errno == 0 && isfinite(*v) ? 0 : -1;
}

static int is_identifier(const char *s)
{
    if (!*s || strlen(s) > 64 || !(isalpha((unsigned char)*s) || *s == '_'))
        return 0;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_'))
            return 0;
    return 1;
}

/* Where each catalog column is in the CSV (-1: absent) and which columns
 * are the shop's own. */
struct csv_layout {
    int col[C_NCOLS];
    char *names[CSV_MAX_FIELDS];
    int extra[CSV_MAX_FIELDS];
    size_t n;
};

static int read_header(char **f, size_t n, int line, struct csv_layout *l, struct err *e)
{
    static const char *const reserved[] = {"name", "material", "thickness_mm"};
    if (n < 2 || strcmp(trim(f[0]), "material") || strcmp(trim(f[1]), "thickness_mm"))
        return err_set(e, "line %d: the header must start with material,thickness_mm", line);
    for (int k = 0; k < C_NCOLS; k++)
        l->col[k] = -1;
    l->n = n;
    for (size_t i = 0; i < n; i++) {
        l->names[i] = trim(f[i]);
        l->extra[i] = 0;
        if (i < 2)
            continue;
        int known = 0;
        for (int k = 0; k < C_NCOLS; k++)
            if (!strcmp(l->names[i], col_names[k])) {
                if (l->col[k] >= 0)
                    return err_set(e, "line %d: column %s appears twice", line, col_names[k]);
                l->col[k] = (int)i;
                known = 1;
            }
        if (known)
            continue;
        if (!is_identifier(l->names[i]))
            return err_set(e, "line %d: column '%s' is not a name the rules can use (letters, "
                              "digits and _, not starting with a digit)", line, l->names[i]);
        for (size_t r = 0; r < sizeof reserved / sizeof reserved[0]; r++)
            if (!strcmp(l->names[i], reserved[r]))
                return err_set(e, "line %d: column '%s' is reserved", line, l->names[i]);
        for (size_t k = 2; k < i; k++)
            if (!strcmp(l->names[k], l->names[i]))
                return err_set(e, "line %d: column %s appears twice", line, l->names[i]);
        l->extra[i] = 1;
    }
    for (int k = 0; k < C_NOTES; k++)
        if (l->col[k] < 0)
            return err_set(e, "line %d: column %s is missing; the catalog needs material, "
                              "thickness_mm, density_kg_m3, price_per_kg, cutting_speed_mm_min, "
                              "pierce_time_s, sheet_w_mm and sheet_h_mm",
                           line, col_names[k]);
    return 0;
}

static int read_row(char **f, size_t n, int line, const struct csv_layout *l, struct arena *a,
                    struct store_material *m, struct err *e)
{
    double *fig[C_NOTES] = {&m->density_kg_m3,        &m->price_per_kg,
                            &m->cutting_speed_mm_min, &m->pierce_time_s,
                            &m->sheet_w_mm,           &m->sheet_h_mm};
    memset(m, 0, sizeof *m);
    m->line = line;
    if (n != l->n)
        return err_set(e, "line %d: %zu fields where the header has %zu", line, n, l->n);
    m->name = trim(f[0]);
    if (!*m->name)
        return err_set(e, "line %d: the material has no name", line);
    if (parse_number(trim(f[1]), &m->thickness_mm) != 0)
        return err_set(e, "line %d: thickness_mm '%s' is not a number", line, f[1]);
    for (int k = 0; k < C_NOTES; k++) {
        char *cell = trim(f[l->col[k]]);
        if (parse_number(cell, fig[k]) != 0)
            return err_set(e, "line %d: %s '%s' is not a number", line, col_names[k], cell);
    }
    m->notes = l->col[C_NOTES] >= 0 ? f[l->col[C_NOTES]] : "";
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 2; i < n; i++) {
        if (!l->extra[i])
            continue;
        char *cell = trim(f[i]);
        double v;
        if (!*cell)
            continue;
        if (parse_number(cell, &v) == 0)
            cJSON_AddNumberToObject(o, l->names[i], v);
        else
            cJSON_AddStringToObject(o, l->names[i], cell);
    }
    char *json = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    m->extra = json ? arena_strdup(a, json) : NULL;
    cJSON_free(json);
    if (!m->extra)
        return err_set(e, "line %d: out of memory", line);
    return 0;
}

static int import_csv(struct store *s, const char *path, struct arena *a, size_t *rows,
                      size_t *materials, struct err *e)
{
    char *text = NULL, *f[CSV_MAX_FIELDS];
    size_t len = 0, n, cap = 64, count = 0;
    int at, rc;
    struct csv_layout layout;
    memset(&layout, 0, sizeof layout);
    if (read_file(path, CSV_MAX_BYTES, a, &text, &len, e) != 0)
        return -1;
    struct csv_reader r = {text, text + len, 1};
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
        r.p += 3;
    if ((rc = csv_record(&r, f, &n, &at, e)) <= 0)
        return rc < 0 ? err_prefix(e, "%s", path) : err_set(e, "%s: the file is empty", path);
    if (read_header(f, n, at, &layout, e) != 0)
        return err_prefix(e, "%s", path);
    struct store_material *m = arena_calloc(a, cap, sizeof *m);
    while (m && (rc = csv_record(&r, f, &n, &at, e)) == 1) {
        if (n == 1 && !*trim(f[0]))
            continue; /* a blank line */
        if (count == cap) {
            m = arena_grow(a, m, cap * sizeof *m, 2 * cap * sizeof *m);
            cap *= 2;
            if (!m)
                break;
        }
        if (read_row(f, n, at, &layout, a, &m[count], e) != 0)
            return err_prefix(e, "%s", path);
        count++;
    }
    if (!m)
        return err_set(e, "%s: out of memory", path);
    if (rc < 0)
        return err_prefix(e, "%s", path);
    if (store_material_import(s, m, count, materials, e) != 0)
        return err_prefix(e, "%s", path);
    *rows = count;
    return 0;
}

/* ------------------------------------------------------------ materials */

struct export_ctx {
    FILE *f;
    char *keys[CSV_MAX_FIELDS]; /* the shop's columns, in order of first appearance */
    size_t nkeys;
    int pass; /* 0: gather the columns, 1: write rows */
};

static int export_row(const struct store_material *m, void *ctx)
{
    struct export_ctx *x = ctx;
    char num[40];
    cJSON *o = cJSON_Parse(m->extra);
    if (x->pass == 0) {
        for (cJSON *it = o ? o->child : NULL; it; it = it->next) {
            size_t k = 0;
            while (k < x->nkeys && strcmp(x->keys[k], it->string))
                k++;
            if (k == x->nkeys && x->nkeys < CSV_MAX_FIELDS - 2 - C_NCOLS)
                x->keys[x->nkeys++] = xstrdup(it->string);
        }
        cJSON_Delete(o);
        return 0;
    }
    const double fig[C_NOTES] = {m->density_kg_m3,        m->price_per_kg,
                                 m->cutting_speed_mm_min, m->pierce_time_s,
                                 m->sheet_w_mm,           m->sheet_h_mm};
    csv_field(x->f, m->name, 1);
    csv_field(x->f, fmt_num(m->thickness_mm, num, sizeof num), 0);
    for (int k = 0; k < C_NOTES; k++)
        csv_field(x->f, fmt_num(fig[k], num, sizeof num), 0);
    csv_field(x->f, m->notes, 0);
    for (size_t k = 0; k < x->nkeys; k++) {
        cJSON *v = cJSON_GetObjectItemCaseSensitive(o, x->keys[k]);
        if (cJSON_IsString(v)) {
            csv_field(x->f, v->valuestring, 0);
        } else if (cJSON_IsNumber(v)) {
            csv_field(x->f, fmt_num(v->valuedouble, num, sizeof num), 0);
        } else if (v) {
            char *t = cJSON_PrintUnformatted(v);
            csv_field(x->f, t ? t : "", 0);
            cJSON_free(t);
        } else {
            csv_field(x->f, "", 0);
        }
    }
    fputs("\r\n", x->f);
    cJSON_Delete(o);
    return 0;
}

static int export_csv(struct store *s, const char *path, struct err *e)
{
    struct export_ctx x = {0};
    int rc = -1;
    if (store_material_list(s, export_row, &x, e) != 0)
        goto done;
    x.f = !strcmp(path, "-") ? stdout : fopen(path, "wb");
    if (!x.f) {
        err_set(e, "cannot write %s: %s", path, strerror(errno));
        goto done;
    }
    csv_field(x.f, "material", 1);
    csv_field(x.f, "thickness_mm", 0);
    for (int k = 0; k < C_NCOLS; k++)
        csv_field(x.f, col_names[k], 0);
    for (size_t k = 0; k < x.nkeys; k++)
        csv_field(x.f, x.keys[k], 0);
    fputs("\r\n", x.f);
    x.pass = 1;
    rc = store_material_list(s, export_row, &x, e);
    int bad = x.f == stdout ? fflush(stdout) != 0 : fclose(x.f) != 0;
    if (rc == 0 && bad)
        rc = err_set(e, "cannot write %s: %s", path, strerror(errno));
done:
    for (size_t k = 0; k < x.nkeys; k++)
        free(x.keys[k]);
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
