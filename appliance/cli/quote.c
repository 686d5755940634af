/*
 * quote.c - `dxfquote quote FILE.dxf --material NAME --thickness MM --qty N
 *            [--option KEY[=VALUE]]... [--rules FILE] [--units U] [--json]`.
 *
 * Measures the drawing exactly as inspect does (inspect.h), looks up the
 * material and thickness in the catalog, and prices the part with the
 * rules in effect: --rules FILE, else the database's active version, else
 * [pricing] rules_file, else the rules built into the binary.  Prints a
 * breakdown for a person, or with --json one object: the inspect figures
 * under "geometry" and the price under "price" (docs in rules/README.md).
 * Amounts appear twice in JSON: as decimal numbers in the currency
 * (12.34) and as integer minor units (1234), the exact figure.
 *
 * Exit 0 when priced (needs_review is a flag in the output, not a
 * failure); 1 when the drawing cannot be measured, the material or
 * thickness is not in the catalog (the message lists what is), or the
 * rules fail; 2 for bad usage.
 */
#include "args.h"
#include "inspect.h"
#include "price/price.h"
#include "quote_rules.h"
#include "store/store.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_QTY 10000000

/* ---------------------------------------------------------------- catalog */

struct catalog_names {
    const char *want;  /* the material asked for */
    int material_seen; /* want is in the catalog: list only its thicknesses */
    char list[1536];   /* "Name (1, 2 mm); Name (3" while it is built */
    size_t n;
    char last[128]; /* the material of the previous row */
};

static void add_text(struct catalog_names *cn, const char *text)
{
    size_t k = strlen(text);
    if (cn->n + k + 1 < sizeof cn->list) {
        memcpy(cn->list + cn->n, text, k + 1);
        cn->n += k;
    }
}

static int material_seen(const struct store_material *m, void *ctx)
{
    struct catalog_names *cn = ctx;
    cn->material_seen = !strcasecmp(m->name, cn->want);
    return cn->material_seen;
}

static int collect_names(const struct store_material *m, void *ctx)
{
    struct catalog_names *cn = ctx;
    char num[40];
    if (cn->material_seen) {
        if (!strcasecmp(m->name, cn->want)) {
            snprintf(num, sizeof num, "%s%g", cn->n ? ", " : "", m->thickness_mm);
            add_text(cn, num);
        }
        return 0;
    }
    if (strcasecmp(m->name, cn->last) != 0) {
        if (cn->n)
            add_text(cn, " mm); ");
        add_text(cn, m->name);
        add_text(cn, " (");
        snprintf(cn->last, sizeof cn->last, "%s", m->name);
    } else {
        add_text(cn, ", ");
    }
    snprintf(num, sizeof num, "%g", m->thickness_mm);
    add_text(cn, num);
    return 0;
}

/* The error for a material or thickness not in the catalog, listing what
 * the catalog has. */
static int not_in_catalog(struct store *s, const char *name, double thickness)
{
    struct catalog_names cn;
    struct err e;
    memset(&cn, 0, sizeof cn);
    cn.want = name;
    if (store_material_list(s, material_seen, &cn, &e) != 0 ||
        store_material_list(s, collect_names, &cn, &e) != 0)
        return cli_fail(1, "%s", e.msg);
    if (cn.material_seen)
        return cli_fail(1, "quote: %s is not in the catalog at %g mm; it has %s mm "
                           "(see 'dxfquote materials list')", name, thickness, cn.list);
    if (cn.n == 0)
        return cli_fail(1, "quote: the materials catalog is empty; import one with "
                           "'dxfquote materials import FILE.csv'");
    return cli_fail(1, "quote: no material '%s' in the catalog; it has %s mm)", name, cn.list);
}

/* The shop's extra columns (a JSON object) as price_extra; numbers stay
 * numbers, strings strings, anything else its JSON text.  In arena a. */
static int extras_from_json(const char *json, struct arena *a, struct price_extra **out,
                            size_t *n, struct err *e)
{
    cJSON *o = cJSON_Parse(json && *json ? json : "{}");
    *out = NULL;
    *n = 0;
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return err_set(e, "the catalog's extra columns are not a JSON object: %.80s", json);
    }
    size_t count = (size_t)cJSON_GetArraySize(o), k = 0;
    struct price_extra *v = count ? arena_calloc(a, count, sizeof *v) : NULL;
    for (cJSON *it = o->child; it && v; it = it->next, k++) {
        v[k].key = arena_strdup(a, it->string);
        if (cJSON_IsNumber(it)) {
            v[k].num = it->valuedouble;
        } else if (cJSON_IsString(it)) {
            v[k].text = arena_strdup(a, it->valuestring);
        } else {
            char *t = cJSON_PrintUnformatted(it);
            v[k].text = arena_strdup(a, t ? t : "");
            cJSON_free(t);
        }
    }
    cJSON_Delete(o);
    *out = v;
    *n = count;
    return 0;
}

/* ---------------------------------------------------------------- output */

static cJSON *price_json(const struct price_result *r, const struct quote_rules *qr,
                         const struct price_material *m, long long qty,
                         const struct price_option *opts, size_t nopts)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddNumberToObject(p, "unit_price", price_units(r->unit_price, r->decimals));
    cJSON_AddNumberToObject(p, "total", price_units(r->total, r->decimals));
    cJSON_AddStringToObject(p, "currency", r->currency);
    cJSON_AddNumberToObject(p, "unit_price_minor", (double)r->unit_price);
    cJSON_AddNumberToObject(p, "total_minor", (double)r->total);
    cJSON_AddNumberToObject(p, "decimals", r->decimals);
    cJSON *lines = cJSON_AddArrayToObject(p, "lines");
    for (size_t i = 0; i < r->nlines; i++) {
        cJSON *l = cJSON_CreateObject();
        cJSON_AddStringToObject(l, "label", r->lines[i].label);
        cJSON_AddNumberToObject(l, "amount", price_units(r->lines[i].amount, r->decimals));
        cJSON_AddNumberToObject(l, "amount_minor", (double)r->lines[i].amount);
        cJSON_AddStringToObject(l, "detail", r->lines[i].detail);
        cJSON_AddItemToArray(lines, l);
    }
    cJSON *notes = cJSON_AddArrayToObject(p, "notes");
    for (size_t i = 0; i < r->nnotes; i++)
        cJSON_AddItemToArray(notes, cJSON_CreateString(r->notes[i]));
    cJSON_AddBoolToObject(p, "needs_review", r->needs_review);
    if (r->lead_time_days >= 0)
        cJSON_AddNumberToObject(p, "lead_time_days", r->lead_time_days);
    else
        cJSON_AddNullToObject(p, "lead_time_days");
    if (qr->version > 0)
        cJSON_AddNumberToObject(p, "rules_version", (double)qr->version);
    else
        cJSON_AddNullToObject(p, "rules_version");
    cJSON_AddStringToObject(p, "rules_origin", qr->origin);
    cJSON_AddStringToObject(p, "rules_name", qr->name);
    cJSON *mj = cJSON_AddObjectToObject(p, "material");
    cJSON_AddStringToObject(mj, "name", m->name);
    cJSON_AddNumberToObject(mj, "thickness_mm", m->thickness_mm);
    cJSON_AddNumberToObject(p, "quantity", (double)qty);
    cJSON *oj = cJSON_AddObjectToObject(p, "options");
    for (size_t i = 0; i < nopts; i++) {
        cJSON_DeleteItemFromObjectCaseSensitive(oj, opts[i].key);
        if (opts[i].value)
            cJSON_AddStringToObject(oj, opts[i].key, opts[i].value);
        else
            cJSON_AddTrueToObject(oj, opts[i].key);
    }
    return p;
}

static void print_quote(const struct inspection *in, const struct price_result *r,
                        const struct quote_rules *qr, const struct price_material *m,
                        long long qty, const struct price_option *opts, size_t nopts)
{
    char amount[40];
    const struct geom_report *g = &in->r;
    printf("%s\n", in->path);
    printf("%-14s %.3f mm cut, %zu pierces, %.3f x %.3f mm\n", "part", g->cut_length_mm,
           g->pierces, g->width_mm, g->height_mm);
    printf("%-14s %s, %g mm\n", "material", m->name, m->thickness_mm);
    printf("%-14s %lld\n", "quantity", qty);
    printf("%-14s", "options");
    if (!nopts)
        printf(" none");
    for (size_t i = 0; i < nopts; i++)
        printf("%s %s%s%s", i ? "," : "", opts[i].key, opts[i].value ? "=" : "",
               opts[i].value ? opts[i].value : "");
    printf("\n%-14s %s\n\n", "rules", qr->describe);
    for (size_t i = 0; i < r->nlines; i++) {
        printf("  %-34s %14s", r->lines[i].label,
               price_format(r->lines[i].amount, r->decimals, amount, sizeof amount));
        if (r->lines[i].detail[0])
            printf("  %s", r->lines[i].detail);
        printf("\n");
    }
    printf("  %-34s %14s %s\n", "Total",
           price_format(r->total, r->decimals, amount, sizeof amount), r->currency);
    printf("  %-34s %14s %s\n\n", "Unit price",
           price_format(r->unit_price, r->decimals, amount, sizeof amount), r->currency);
    if (r->lead_time_days >= 0)
        printf("%-14s %d day%s\n", "lead time", r->lead_time_days,
               r->lead_time_days == 1 ? "" : "s");
    printf("%-14s %s\n", "needs review", r->needs_review ? "yes" : "no");
    for (size_t i = 0; i < r->nnotes; i++)
        printf("  - %s\n", r->notes[i]);
}

/* ---------------------------------------------------------------- command */

/* KEY or KEY=VALUE with KEY of [a-z0-9_], as the rules see it. */
static int parse_option(struct arena *a, const char *arg, struct price_option *o)
{
    const char *eq = strchr(arg, '=');
    size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
    if (n == 0 || n > 64)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)arg[i]) || isdigit((unsigned char)arg[i]) || arg[i] == '_'))
            return -1;
    o->key = arena_strndup(a, arg, n);
    o->value = eq ? eq + 1 : NULL;
    return o->key ? 0 : -1;
}

int cli_quote(int argc, char **argv)
{
    static const struct args_spec spec[] = {
        {"--config", 1}, {"--data", 1},  {"--material", 1}, {"--thickness", 1}, {"--qty", 1},
        {"--option", 1}, {"--rules", 1}, {"--units", 1},    {"--json", 0},      {NULL, 0}};
    struct args a;
    struct cfg *c = NULL;
    struct store *s = NULL;
    struct price_engine *pe = NULL;
    struct err e;
    struct price_option opts[ARGS_MAX_OPT];
    size_t nopts = 0;
    int rc;

    if (args_parse(&a, argc, argv, spec, "quote") != 0)
        return 2;
    if (a.npos != 1)
        return cli_fail(2, "quote: expected one FILE.dxf");
    const char *name = args_get(&a, "--material"), *th = args_get(&a, "--thickness");
    const char *qs = args_get(&a, "--qty"), *units = args_get(&a, "--units");
    if (!name || !th || !qs)
        return cli_fail(2, "quote: --material NAME, --thickness MM and --qty N are required");
    char *end;
    double thickness = strtod(th, &end);
    if (end == th || *end || !isfinite(thickness) || thickness <= 0 || thickness > 1000)
        return cli_fail(2, "quote: --thickness must be a number of mm above 0 and up to 1000, "
                           "not '%s'", th);
    long long qty = strtoll(qs, &end, 10);
    if (end == qs || *end || qty < 1 || qty > MAX_QTY)
        return cli_fail(2, "quote: --qty must be a whole number from 1 to %d, not '%s'", MAX_QTY,
                        qs);
    if (units && dxf_unit_mm(units) <= 0)
        return cli_fail(2, "quote: --units must be mm, cm, m, inch or ft, not '%s'", units);
    if ((rc = args_config(&a, &c)) != 0)
        return rc;

    struct arena *ar = arena_new((size_t)cfg_int(c, CFG_LIMITS_MEMORY_MB) << 20);
    for (const char *o; (o = args_nth(&a, "--option", (int)nopts)) != NULL; nopts++)
        if (parse_option(ar, o, &opts[nopts]) != 0) {
            rc = cli_fail(2, "quote: --option must be KEY or KEY=VALUE with KEY of a-z, 0-9 and "
                             "_, not '%s'", o);
            goto done;
        }

    log_open(LOG_WARN, NULL, 0, 0, NULL);
    if (store_open(&s, cfg_str(c, CFG_DATA_DIR), (int)cfg_int(c, CFG_DATA_BUSY_TIMEOUT_MS), &e) !=
        0) {
        rc = cli_fail(1, "%s", e.msg);
        goto done;
    }
    struct store_material row;
    int found = store_material_get(s, ar, name, thickness, &row, &e);
    if (found < 0) {
        rc = cli_fail(1, "%s", e.msg);
        goto done;
    }
    if (!found) {
        rc = not_in_catalog(s, name, thickness);
        goto done;
    }
    struct price_material m = {row.name,         row.thickness_mm, row.density_kg_m3,
                               row.price_per_kg, row.cutting_speed_mm_min,
                               row.pierce_time_s, row.sheet_w_mm,  row.sheet_h_mm,
                               NULL,             0};
    struct price_extra *extra;
    if (extras_from_json(row.extra, ar, &extra, &m.nextra, &e) != 0) {
        rc = cli_fail(1, "%s", e.msg);
        goto done;
    }
    m.extra = extra;

    struct quote_rules qr;
    if (quote_rules_load(c, s, args_get(&a, "--rules"), ar, &pe, &qr, &e) != 0) {
        rc = cli_fail(1, "%s", e.msg);
        goto done;
    }

    struct inspection in;
    if (inspect_measure(c, a.pos[0], units, thickness, ar, &in, &e) != 0) {
        rc = cli_fail(1, "%s", e.msg);
        goto done;
    }
    const char **layer_names = arena_calloc(ar, in.d.nlayers + 1, sizeof *layer_names);
    if (!layer_names) {
        rc = cli_fail(1, "%s: out of memory ([limits] memory_mb)", in.path);
        goto done;
    }
    for (size_t i = 0; i < in.d.nlayers; i++)
        layer_names[i] = in.d.layers[i].name;
    /* geom's layer table may count layers dxf's does not name. */
    struct price_part part = {&in.r, &in.d.warnings,
                              in.r.nlayers <= in.d.nlayers ? layer_names : NULL, in.d.units};
    struct price_shop shop = {cfg_real(c, CFG_COMPANY_MACHINE_RATE_PER_HOUR),
                              cfg_str(c, CFG_COMPANY_CURRENCY), cfg_real(c, CFG_COMPANY_TAX_RATE)};
    struct price_ctx ctx = {&m, qty, opts, nopts, &shop};
    struct price_result r;
    if (price_quote(pe, &part, &ctx, ar, &r, &e) != 0) {
        rc = cli_fail(1, "%s: %s", in.path, e.msg);
        goto done;
    }

    if (args_get(&a, "--json")) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToObject(o, "geometry", inspect_json(&in));
        cJSON_AddItemToObject(o, "price", price_json(&r, &qr, &m, qty, opts, nopts));
        char *text = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        if (!text)
            core_die("out of memory printing JSON");
        puts(text);
        cJSON_free(text);
    } else {
        print_quote(&in, &r, &qr, &m, qty, opts, nopts);
    }
    rc = fflush(stdout) == 0 ? 0 : cli_fail(1, "cannot write the quote to standard output");
done:
    price_engine_free(pe);
    store_close(s, 0);
    arena_free(ar);
    cfg_free(c);
    return rc;
}
