/*
 * quote.c - `dxfquote quote FILE.dxf [FILE.dxf ...] --material NAME
 *            --thickness MM --qty N [--option KEY[=VALUE]]... [--rules FILE]
 *            [--units U] [--json] [--pdf OUT.pdf] [--png OUT.png]
 *            [--customer TEXT] [--number TEXT] [--date YYYY-MM-DD]`.
 *
 * Measures each drawing, looks up its material and thickness in the
 * catalog and gets what the rules read exactly as inspect and the server
 * do (jobs/job.h: job_measure_file, job_material, job_price_part), and
 * prices it with the rules in effect: --rules FILE, else the database's
 * active version, else [pricing] rules_file, else the rules built into the
 * binary.  Material, thickness, quantity, units and options apply to
 * every file; one file may override them as FILE@key=value,...
 * (docs/quote.md): the argument is split at its last '@' only when it is
 * not itself an existing file.
 *
 * Output: for one file, a breakdown for a person, or with --json one
 * object, the inspect figures under "geometry" and the price under
 * "price".  For several files, one such block per part and the totals
 * (subtotal, tax at [company] tax_rate, total), or with --json
 * {"parts": [...], "subtotal", "tax", "total", ...}.  Amounts appear twice
 * in JSON: as decimal numbers in the currency (12.34) and as integer minor
 * units (1234), the exact figure.  --png writes the one part's detail
 * preview, --pdf one quotation of every part that was priced
 * (quote_pdf.c).
 *
 * A part that cannot be measured or priced is one line on stderr and the
 * others are still quoted.  Exit 0 when every part was priced (needs_review
 * is a flag in the output, not a failure); 1 when any part failed (with
 * none priced no PDF is written), the rules cannot be loaded, or an output
 * cannot be written; 2 for bad usage, found before any work is done.
 */
#include "args.h"
#include "jobs/job.h"
#include "price/price.h"
#include "quote_int.h"
#include "quote_rules.h"
#include "render/render.h"
#include "store/store.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#ifndef DXFQ_VERSION
#define DXFQ_VERSION "0.0.0-dev"
#endif

#define MAX_QTY      10000000
#define MAX_NUMBER   64   /* bytes of a quote number */
#define MAX_CUSTOMER 2000 /* bytes of the customer block */

static const char WANT_THICKNESS[] = "a number of mm above 0 and up to 1000";
static const char WANT_QTY[] = "a whole number from 1 to 10000000";
static const char WANT_UNITS[] = "mm, cm, m, inch or ft";
static const char WANT_OPTION[] = "KEY or KEY=VALUE with KEY of a-z, 0-9 and _";

/* ---------------------------------------------------------------- catalog */

/* The message for a material or thickness not in the catalog, listing
 * what it has (longer than a struct err holds, and with the command that
 * shows the catalog), in arena a; who starts it. */
static const char *not_in_catalog(struct store *s, struct arena *a, const char *who,
                                  const char *name, double thickness)
{
    struct err e;
    char list[1600], msg[2048];
    int seen = job_catalog_has(s, name, list, sizeof list, &e);
    if (seen < 0)
        snprintf(msg, sizeof msg, "%s: %s", who, e.msg);
    else if (seen)
        snprintf(msg, sizeof msg,
                 "%s: %s is not in the catalog at %g mm; it has %s mm "
                 "(see 'dxfquote materials list')",
                 who, name, thickness, list);
    else if (!list[0])
        snprintf(msg, sizeof msg,
                 "%s: the materials catalog is empty; import one with "
                 "'dxfquote materials import FILE.csv'",
                 who);
    else
        snprintf(msg, sizeof msg, "%s: no material '%s' in the catalog; it has %s", who, name,
                 list);
    return arena_strdup(a, msg);
}

/* -------------------------------------------------------------- arguments */

/* args.h keeps a few positional arguments, and a quote takes any number of
 * files: the files are taken out of argv here (an option's value stays
 * with it, as args_parse() reads it) and the options go to args_parse(). */
static void split_files(int argc, char **argv, const struct args_spec *spec, char **opts,
                        int *nopts, const char **files, size_t *nfiles)
{
    *nopts = 0;
    *nfiles = 0;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            files[(*nfiles)++] = arg;
            continue;
        }
        opts[(*nopts)++] = argv[i];
        size_t len = strcspn(arg, "=");
        for (const struct args_spec *s = spec; s->name; s++)
            if (s->takes_value && !arg[len] && strlen(s->name) == len &&
                !strncmp(s->name, arg, len) && i + 1 < argc) {
                opts[(*nopts)++] = argv[++i];
                break;
            }
    }
}

/* One value of --thickness, --qty, --units or --option, or of the same key
 * after FILE@; 0, or prints what is wrong and returns 2.  arg is the
 * FILE@... argument, NULL for the option. */
static int bad(const char *arg, const char *key, const char *want, const char *text)
{
    if (arg)
        return cli_fail(2, "quote: %s: %s must be %s, not '%s'", arg, key, want, text);
    return cli_fail(2, "quote: --%s must be %s, not '%s'", key, want, text);
}

static int parse_thickness(const char *arg, const char *text, double *out)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text || *end || !isfinite(v) || v <= 0 || v > 1000)
        return bad(arg, "thickness", WANT_THICKNESS, text);
    *out = v;
    return 0;
}

static int parse_qty(const char *arg, const char *text, long long *out)
{
    char *end;
    long long v = strtoll(text, &end, 10);
    if (end == text || *end || v < 1 || v > MAX_QTY)
        return bad(arg, "qty", WANT_QTY, text);
    *out = v;
    return 0;
}

static int parse_units(const char *arg, const char *text)
{
    return dxf_unit_mm(text) > 0 ? 0 : bad(arg, "units", WANT_UNITS, text);
}

/* KEY or KEY=VALUE with KEY of [a-z0-9_], as the rules see it, added to
 * the part's options or replacing the one with the same key. */
static int add_option(struct arena *a, const char *arg, const char *text, struct quote_part *p)
{
    const char *eq = strchr(text, '=');
    size_t n = eq ? (size_t)(eq - text) : strlen(text);
    if (n == 0 || n > 64)
        return bad(arg, "option", WANT_OPTION, text);
    for (size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)text[i]) || isdigit((unsigned char)text[i]) || text[i] == '_'))
            return bad(arg, "option", WANT_OPTION, text);
    char *key = arena_strndup(a, text, n);
    if (!key)
        core_die("out of memory parsing options");
    struct price_option o = {key, eq ? eq + 1 : NULL};
    for (size_t i = 0; i < p->nopts; i++)
        if (!strcmp(p->opts[i].key, key)) {
            p->opts[i] = o;
            return 0;
        }
    p->opts[p->nopts++] = o; /* room for every option was made by the caller */
    return 0;
}

/* Applies FILE@key=value,... to p: material, thickness, qty, units and
 * option (repeatable) are the keys; a value holds neither ',' nor '@'. */
static int apply_spec(struct arena *a, struct quote_part *p, const char *spec)
{
    if (!*spec)
        return cli_fail(2,
                        "quote: %s: nothing after '@'; expected FILE@key=value,... with "
                        "keys material, thickness, qty, units and option",
                        p->arg);
    char *copy = arena_strdup(a, spec), *save = NULL;
    if (!copy)
        core_die("out of memory parsing arguments");
    size_t len = strlen(spec);
    if (spec[len - 1] == ',' || spec[0] == ',' || strstr(spec, ",,"))
        return cli_fail(2, "quote: %s: an empty item between commas", p->arg);
    for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        if (!eq || eq == item || !eq[1])
            return cli_fail(2,
                            "quote: %s: '%s' is not key=value (keys material, thickness, "
                            "qty, units and option)",
                            p->arg, item);
        *eq = '\0';
        const char *key = item, *val = eq + 1;
        int rc = 0;
        if (!strcmp(key, "material")) {
            p->material = val;
        } else if (!strcmp(key, "thickness")) {
            rc = parse_thickness(p->arg, val, &p->thickness_mm);
        } else if (!strcmp(key, "qty")) {
            rc = parse_qty(p->arg, val, &p->qty);
        } else if (!strcmp(key, "units")) {
            rc = parse_units(p->arg, val);
            p->units = val;
        } else if (!strcmp(key, "option")) {
            rc = add_option(a, p->arg, val, p);
        } else {
            rc = cli_fail(2,
                          "quote: %s: unknown key '%s'; the keys are material, thickness, "
                          "qty, units and option",
                          p->arg, key);
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* "2026-11-29" as midnight UTC of that day; -1 unless a real date. */
static int parse_date(const char *s, int64_t *out)
{
    int y, m, d, n = 0;
    if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 || y < 1970 ||
        y > 9999)
        return -1;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
    time_t t = timegm(&tm);
    struct tm back;
    if (t == (time_t)-1 || !gmtime_r(&t, &back) || back.tm_year != y - 1900 ||
        back.tm_mon != m - 1 || back.tm_mday != d)
        return -1;
    *out = (int64_t)t;
    return 0;
}

/* The quotation's date, number and customer from --date, --number and
 * --customer; 0 or 2 (printed). */
static int doc_args(const struct args *a, struct quote_doc *doc, char *number, size_t n)
{
    const char *date = args_get(a, "--date"), *num = args_get(a, "--number");
    const char *cust = args_get(a, "--customer");
    if (!args_get(a, "--pdf") && (date || num || cust))
        return cli_fail(2, "quote: --date, --number and --customer belong to a quotation: "
                           "give --pdf OUT.pdf too");
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    if (date) {
        if (parse_date(date, &doc->date) != 0)
            return cli_fail(2, "quote: --date must be a date as YYYY-MM-DD, not '%s'", date);
        doc->deterministic = 1;
        time_t t = (time_t)doc->date;
        gmtime_r(&t, &tm);
        snprintf(number, n, "Q-%04d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    } else {
        struct tm day = {.tm_year = tm.tm_year, .tm_mon = tm.tm_mon, .tm_mday = tm.tm_mday};
        doc->date = (int64_t)timegm(&day);
        snprintf(number, n, "Q-%04d%02d%02d-%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                 tm.tm_hour, tm.tm_min);
    }
    if (num) {
        size_t len = strlen(num);
        int ctl = 0;
        for (size_t i = 0; i < len; i++)
            ctl |= (unsigned char)num[i] < 0x20 || num[i] == 0x7f;
        if (len > MAX_NUMBER || ctl)
            return cli_fail(2, "quote: --number must be at most %d bytes of printable text",
                            MAX_NUMBER);
        snprintf(number, n, "%s", num);
    }
    if (cust && strlen(cust) > MAX_CUSTOMER)
        return cli_fail(2, "quote: --customer must be at most %d bytes", MAX_CUSTOMER);
    doc->number = number;
    doc->customer = cust;
    return 0;
}

/* ------------------------------------------------------------------ a part */

/* What every part is priced with. */
struct run {
    const struct cfg *c;
    struct store *s;
    struct price_engine *pe;
    struct price_shop shop;
    int single; /* one file: messages as they always were */
};

/* Fills p->error from e (or a message) and returns -1. */
static int part_fail(struct quote_part *p, const char *msg)
{
    p->error = arena_strdup(p->ar, msg);
    if (!p->error)
        p->error = "out of memory ([limits] memory_mb)";
    return -1;
}

/* Looks up, measures and prices one part in its own arena: 0 priced, -1
 * with p->error. */
static int quote_one(const struct run *R, struct quote_part *p)
{
    struct err e;
    char msg[sizeof e.msg + 200];
    p->ar = arena_new((size_t)cfg_int(R->c, CFG_LIMITS_MEMORY_MB) << 20);
    int found = job_material(R->s, p->ar, p->material, p->thickness_mm, &p->m, &e);
    if (found < 0)
        return part_fail(p, e.msg);
    if (!found) {
        p->error =
            not_in_catalog(R->s, p->ar, R->single ? "quote" : p->arg, p->material, p->thickness_mm);
        return p->error ? -1 : part_fail(p, "out of memory");
    }
    if (job_measure_file(R->c, p->path, p->units, p->thickness_mm, p->ar, &p->in, &e) != 0)
        return part_fail(p, e.msg);
    struct price_part part;
    memset(&part, 0, sizeof part);
    if (job_price_part(&p->in, p->ar, &part) != 0) {
        snprintf(msg, sizeof msg, "%s: out of memory ([limits] memory_mb)", p->path);
        return part_fail(p, msg);
    }
    struct price_ctx ctx = {&p->m, p->qty, p->opts, p->nopts, &R->shop};
    if (price_quote(R->pe, &part, &ctx, p->ar, &p->r, &e) != 0) {
        snprintf(msg, sizeof msg, "%s: %s", p->path, e.msg);
        return part_fail(p, msg);
    }
    p->priced = 1;
    return 0;
}

/* The preview of --png: the detail view, with its size written on it. */
static int write_png(const struct cfg *c, const struct quote_part *p, const char *path,
                     struct err *e)
{
    struct render_opts ro = render_opts_size((int)cfg_int(c, CFG_RENDER_DETAIL_WIDTH),
                                             (int)cfg_int(c, CFG_RENDER_DETAIL_HEIGHT));
    ro.label = 1;
    unsigned char *png = NULL;
    size_t len = 0;
    if (render_png(p->in.d.curves, &p->in.r, &p->in.d.warnings, &ro, &png, &len, e) != 0)
        return err_prefix(e, "%s", p->path);
    int rc = quote_write_file(path, png, len, e);
    free(png);
    return rc;
}

/* The rules for the small print: "Priced with rules version <this>." */
static const char *rules_print(const struct quote_rules *qr, char *buf, size_t n)
{
    const char *slash = strrchr(qr->name, '/');
    const char *base = slash ? slash + 1 : qr->name;
    if (qr->version > 0 && !strncmp(qr->describe, "version ", 8))
        snprintf(buf, n, "%s", qr->describe + 8);
    else if (!strcmp(qr->origin, "built-in"))
        snprintf(buf, n, "%s built into dxfquote %s", qr->name, DXFQ_VERSION);
    else
        snprintf(buf, n, "%s (%s)", base,
                 !strcmp(qr->origin, "config") ? "[pricing] rules_file" : "a file");
    return buf;
}

/* ---------------------------------------------------------------- command */

/* The parts from the FILE arguments: the options' values, then each
 * file's own; 0 or 2 (printed). */
static int make_parts(struct arena *ar, const struct args *a, const char **files, size_t n,
                      struct quote_part *parts)
{
    struct quote_part g;
    struct price_option gopts[ARGS_MAX_OPT];
    memset(&g, 0, sizeof g);
    g.opts = gopts;
    const char *th = args_get(a, "--thickness"), *qs = args_get(a, "--qty");
    g.material = args_get(a, "--material");
    g.units = args_get(a, "--units");
    if ((th && parse_thickness(NULL, th, &g.thickness_mm)) || (qs && parse_qty(NULL, qs, &g.qty)) ||
        (g.units && parse_units(NULL, g.units)))
        return 2;
    const char *o;
    for (int k = 0; (o = args_nth(a, "--option", k)) != NULL; k++)
        if (add_option(ar, NULL, o, &g) != 0)
            return 2;

    for (size_t i = 0; i < n; i++) {
        struct quote_part *p = &parts[i];
        *p = g;
        p->arg = p->path = files[i];
        const char *at = strrchr(files[i], '@'), *spec = NULL;
        if (at && access(files[i], F_OK) != 0) {
            p->path = arena_strndup(ar, files[i], (size_t)(at - files[i]));
            spec = at + 1;
        }
        size_t room = g.nopts + 1;
        for (const char *s = spec; s && (s = strstr(s, "option=")) != NULL; s++)
            room++;
        p->opts = arena_calloc(ar, room, sizeof *p->opts);
        if (!p->path || !p->opts)
            core_die("out of memory parsing arguments");
        memcpy(p->opts, g.opts, g.nopts * sizeof *p->opts);
        int rc = spec ? apply_spec(ar, p, spec) : 0;
        if (rc)
            return rc;
        if (!p->material || p->thickness_mm <= 0 || !p->qty) {
            if (n == 1 && !spec)
                return cli_fail(2, "quote: --material NAME, --thickness MM and --qty N are "
                                   "required");
            return cli_fail(2,
                            "quote: %s: no %s; --material NAME, --thickness MM and --qty N "
                            "are required, for all files or per file as "
                            "FILE.dxf@material=NAME,thickness=MM,qty=N",
                            p->arg,
                            !p->material       ? "material"
                            : p->thickness_mm <= 0 ? "thickness"
                                               : "quantity");
        }
    }
    return 0;
}

/* Sums the parts priced into t->doc and adds the tax; -1 past 2^53 minor
 * units, where JSON numbers stop being exact. */
static int sum_up(const struct quote_part *parts, size_t n, struct quote_totals *t)
{
    const int64_t cap = (int64_t)1 << 53;
    struct quote_doc *d = &t->doc;
    for (size_t i = 0; i < n; i++) {
        if (!parts[i].priced)
            continue;
        if (parts[i].r.total > cap - d->subtotal)
            return -1;
        d->subtotal += parts[i].r.total;
    }
    if (price_round(price_units(d->subtotal, d->decimals) * d->tax_rate, d->decimals, &d->tax) !=
            0 ||
        d->tax > cap - d->subtotal)
        return -1;
    d->total = d->subtotal + d->tax;
    return 0;
}

/* One file's output as it always was: the breakdown, or {"geometry",
 * "price"}; with a quotation or a preview, the totals after it. */
static void output_single(const struct quote_part *p, const struct quote_rules *qr,
                          const struct quote_totals *t, int json, const char *pdf, const char *png)
{
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToObject(o, "geometry", job_geometry_json(&p->in));
        cJSON_AddItemToObject(o, "price", quote_price_json(p, qr));
        if (pdf || png)
            quote_totals_json(o, t, pdf, png);
        char *text = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        if (!text)
            core_die("out of memory printing JSON");
        puts(text);
        cJSON_free(text);
        return;
    }
    quote_print_part(p, qr);
    if (pdf || png) {
        printf("\n");
        quote_print_totals(t, pdf, png);
    }
}

int cli_quote(int argc, char **argv)
{
    static const struct args_spec spec[] = {
        {"--config", 1}, {"--data", 1},     {"--material", 1}, {"--thickness", 1}, {"--qty", 1},
        {"--option", 1}, {"--rules", 1},    {"--units", 1},    {"--json", 0},      {"--pdf", 1},
        {"--png", 1},    {"--customer", 1}, {"--number", 1},   {"--date", 1},      {NULL, 0}};
    struct args a;
    struct cfg *c = NULL;
    struct run R;
    struct err e;
    struct quote_totals t;
    struct quote_rules qr;
    char number[MAX_NUMBER + 1], rules[400];
    char **opts = xcalloc((size_t)argc + 1, sizeof *opts);
    const char **files = xcalloc((size_t)argc + 1, sizeof *files);
    struct quote_part *parts = NULL;
    struct arena *ar = arena_new(0);
    cJSON *json = NULL;
    size_t n = 0;
    int nopts, rc;

    memset(&R, 0, sizeof R);
    memset(&t, 0, sizeof t);
    split_files(argc, argv, spec, opts, &nopts, files, &n);
    if (args_parse(&a, nopts, opts, spec, "quote") != 0) {
        rc = 2;
        goto done;
    }
    const char *pdf = args_get(&a, "--pdf"), *png = args_get(&a, "--png");
    if (n == 0) {
        rc = cli_fail(2, "quote: expected FILE.dxf [FILE.dxf ...]");
        goto done;
    }
    if (png && n > 1) {
        rc = cli_fail(2, "quote: --png writes the preview of one part; give one FILE.dxf, or "
                         "leave --png out");
        goto done;
    }
    parts = xcalloc(n, sizeof *parts);
    if ((rc = make_parts(ar, &a, files, n, parts)) != 0 ||
        (rc = doc_args(&a, &t.doc, number, sizeof number)) != 0 || (rc = args_config(&a, &c)) != 0)
        goto done;

    log_open(LOG_WARN, NULL, 0, 0, NULL);
    R.c = c;
    R.single = n == 1;
    R.shop = job_shop(c);
    if (store_open(&R.s, cfg_str(c, CFG_DATA_DIR), (int)cfg_int(c, CFG_DATA_BUSY_TIMEOUT_MS), &e) !=
            0 ||
        quote_rules_load(c, R.s, args_get(&a, "--rules"), ar, &R.pe, &qr, &e) != 0) {
        rc = cli_fail(1, "%s", e.msg);
        goto done;
    }
    t.doc.currency = R.shop.currency;
    t.doc.decimals = price_currency_decimals(R.shop.currency);
    if (t.doc.decimals < 0)
        t.doc.decimals = 0; /* then nothing is priced: the rules refuse the currency */
    t.doc.tax_rate = R.shop.tax_rate;
    t.doc.rules = rules_print(&qr, rules, sizeof rules);

    /* Several files: each part is printed (or put in the JSON) as it is
     * done, and its drawing let go unless it goes on the PDF. */
    int as_json = args_get(&a, "--json") != NULL;
    cJSON *list = NULL;
    if (n > 1 && as_json) {
        json = cJSON_CreateObject();
        list = cJSON_AddArrayToObject(json, "parts");
    }
    for (size_t i = 0; i < n; i++) {
        struct quote_part *p = &parts[i];
        if (quote_one(&R, p) != 0) {
            cli_fail(1, "%s", p->error);
            t.failed++;
        } else {
            t.priced++;
        }
        if (list) {
            cJSON *pj = cJSON_CreateObject();
            cJSON_AddStringToObject(pj, "file", p->path);
            if (p->priced) {
                cJSON_AddItemToObject(pj, "geometry", job_geometry_json(&p->in));
                cJSON_AddItemToObject(pj, "price", quote_price_json(p, &qr));
            } else {
                cJSON_AddStringToObject(pj, "error", p->error);
            }
            cJSON_AddItemToArray(list, pj);
        } else if (n > 1 && p->priced) {
            quote_print_part(p, &qr);
            printf("\n");
        }
        if (n > 1 && (!pdf || !p->priced)) {
            /* reported: the total is all that is left to use */
            struct price_result keep = {.total = p->priced ? p->r.total : 0};
            arena_free(p->ar);
            p->ar = NULL;
            p->error = NULL;
            p->r = keep;
        }
    }
    if (sum_up(parts, n, &t) != 0) {
        rc = cli_fail(1, "quote: the total is too large to be exact");
        goto done;
    }

    const char *png_done = NULL, *pdf_done = NULL;
    int out_failed = 0;
    if (png && parts[0].priced) {
        if (write_png(c, &parts[0], png, &e) == 0)
            png_done = png;
        else
            out_failed = cli_fail(1, "%s", e.msg);
    }
    if (pdf && !t.priced)
        out_failed = cli_fail(1, "quote: no part could be priced; %s was not written", pdf);
    else if (pdf && quote_pdf_write(c, &t.doc, parts, n, pdf, &e) == 0)
        pdf_done = pdf;
    else if (pdf)
        out_failed = cli_fail(1, "%s", e.msg);

    if (n == 1 && parts[0].priced) {
        output_single(&parts[0], &qr, &t, as_json, pdf_done, png_done);
    } else if (json) {
        quote_totals_json(json, &t, pdf_done, NULL);
        char *text = cJSON_PrintUnformatted(json);
        if (!text)
            core_die("out of memory printing JSON");
        puts(text);
        cJSON_free(text);
    } else if (n > 1) {
        quote_print_totals(&t, pdf_done, NULL);
    }
    rc = t.failed || out_failed ? 1 : 0;
    if (fflush(stdout) != 0)
        rc = cli_fail(1, "cannot write the quote to standard output");
done:
    for (size_t i = 0; parts && i < n; i++)
        arena_free(parts[i].ar);
    cJSON_Delete(json);
    price_engine_free(R.pe);
    store_close(R.s, 0);
    free(parts);
    free(files);
    free(opts);
    arena_free(ar);
    cfg_free(c);
    return rc;
}
