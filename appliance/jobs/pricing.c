/*
 * pricing.c - what a price is made with, chosen as `dxfquote quote` chooses
 * it: the rules in effect, the catalog row of the material, the options,
 * the shop settings; and the price as JSON (the "price" object of
 * `quote --json`, docs in rules/README.md).
 *
 * Rules: the database's active version, else [pricing] rules_file (read
 * whole, at most 1 MB), else the rules built into the binary.  Names are
 * the ones messages use: "rules v3", the file's path, "pricing.lua".
 * Options: a JSON object whose keys are what the command line accepts
 * after --option (a-z, 0-9, _; 1 to 64 of them).  Nothing here keeps state.
 */
#include "job.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define RULES_MAX_BYTES (1u << 20)
#define OPTIONS_MAX     64
#define CATALOG_LIST    1536 /* bytes of the list of what the catalog has */

/* ------------------------------------------------------------------ rules */

static int read_rules_file(const char *path, struct arena *a, char **out, size_t *len,
                           struct err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(e, "cannot open %s: %s", path, strerror(errno));
    char *buf = arena_alloc(a, RULES_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, RULES_MAX_BYTES + 1, f) : 0;
    int bad = !buf || ferror(f);
    fclose(f);
    if (bad)
        return err_set(e, "cannot read %s", path);
    if (n > RULES_MAX_BYTES)
        return err_set(e, "%s is larger than %u bytes", path, RULES_MAX_BYTES);
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

int job_rules_pick(const struct cfg *c, struct store *s, struct arena *a, struct job_rules *out,
                   struct err *e)
{
    struct store_rules sr;
    int active = 0;
    const char *file = cfg_str(c, CFG_PRICING_RULES_FILE);
    memset(out, 0, sizeof *out);
    if (s && (active = store_rules_active(s, a, &sr, e)) < 0)
        return -1;
    if (active) {
        char name[32];
        snprintf(name, sizeof name, "rules v%lld", (long long)sr.version);
        out->version = sr.version;
        out->origin = "database";
        out->name = arena_strdup(a, name);
        out->src = sr.source;
        out->len = sr.len;
        if (!out->name)
            return err_set(e, "out of memory ([limits] memory_mb)");
    } else if (*file) {
        char *text = NULL;
        if (read_rules_file(file, a, &text, &out->len, e) != 0)
            return err_prefix(e, "[pricing] rules_file");
        out->origin = "config";
        out->name = file;
        out->src = text;
    } else {
        const struct embed_file *f = price_default_rules();
        out->origin = "built-in";
        out->name = "pricing.lua";
        out->src = (const char *)f->data;
        out->len = f->len;
    }
    return 0;
}

/* ---------------------------------------------------------------- catalog */

struct catalog_names {
    const char *want;        /* the material asked for */
    int material_seen;       /* want is in the catalog: list only its thicknesses */
    char list[CATALOG_LIST]; /* "Name (1, 2 mm); Name (3" while it is built */
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

int job_catalog_has(struct store *s, const char *name, char *buf, size_t n, struct err *e)
{
    struct catalog_names cn;
    memset(&cn, 0, sizeof cn);
    cn.want = name;
    if (store_material_list(s, material_seen, &cn, e) != 0 ||
        store_material_list(s, collect_names, &cn, e) != 0)
        return -1;
    snprintf(buf, n, "%s%s", cn.list, !cn.material_seen && cn.n ? " mm)" : "");
    return cn.material_seen;
}

/* The message for a material or thickness the catalog does not have,
 * listing what it has. */
static int not_in_catalog(struct store *s, const char *name, double thickness, struct err *e)
{
    char list[CATALOG_LIST + 8];
    int seen = job_catalog_has(s, name, list, sizeof list, e);
    if (seen < 0)
        return -1;
    if (seen)
        err_set(e, "%s is not in the catalog at %g mm; it has %s mm", name, thickness, list);
    else if (!list[0])
        err_set(e, "unknown material '%s': the materials catalog is empty; an admin imports one",
                name);
    else
        err_set(e, "unknown material '%s'; the catalog has %s", name, list);
    return 0;
}

/* The shop's extra columns (a JSON object) as price_extra; numbers stay
 * numbers, strings strings, anything else its JSON text.  In arena a. */
static int extras_from_json(const char *json, struct arena *a, struct price_extra **out, size_t *n,
                            struct err *e)
{
    cJSON *o = cJSON_Parse(json && *json ? json : "{}");
    *out = NULL;
    *n = 0;
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return err_set(e, "the catalog's extra columns are not a JSON object: %.80s", json);
    }
    size_t total = (size_t)cJSON_GetArraySize(o), k = 0;
    struct price_extra *v = total ? arena_calloc(a, total, sizeof *v) : NULL;
    int oom = total && !v;
    for (cJSON *it = o->child; it && v; it = it->next, k++) {
        v[k].key = arena_strdup(a, it->string);
        if (cJSON_IsNumber(it)) {
            v[k].num = it->valuedouble;
        } else if (cJSON_IsString(it)) {
            v[k].text = arena_strdup(a, it->valuestring);
            oom |= !v[k].text;
        } else {
            char *t = cJSON_PrintUnformatted(it);
            v[k].text = arena_strdup(a, t ? t : "");
            oom |= !v[k].text;
            cJSON_free(t);
        }
        oom |= !v[k].key;
    }
    cJSON_Delete(o);
    if (oom)
        return err_set(e, "out of memory ([limits] memory_mb)");
    *out = v;
    *n = total;
    return 0;
}

int job_material(struct store *s, struct arena *a, const char *name, double thickness_mm,
                 struct price_material *out, struct err *e)
{
    struct store_material row;
    int found = store_material_get(s, a, name, thickness_mm, &row, e);
    if (found < 0)
        return -1;
    if (!found)
        return not_in_catalog(s, name, thickness_mm, e);
    struct price_extra *extra;
    memset(out, 0, sizeof *out);
    out->name = row.name;
    out->thickness_mm = row.thickness_mm;
    out->density_kg_m3 = row.density_kg_m3;
    out->price_per_kg = row.price_per_kg;
    out->cutting_speed_mm_min = row.cutting_speed_mm_min;
    out->pierce_time_s = row.pierce_time_s;
    out->sheet_w_mm = row.sheet_w_mm;
    out->sheet_h_mm = row.sheet_h_mm;
    if (extras_from_json(row.extra, a, &extra, &out->nextra, e) != 0)
        return -1;
    out->extra = extra;
    return 1;
}

/* ---------------------------------------------------------------- options */

static int good_key(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)k[i]) || isdigit((unsigned char)k[i]) || k[i] == '_'))
            return 0;
    return 1;
}

int job_options_parse(const char *json, struct arena *a, struct price_option **out, size_t *n,
                      struct err *e)
{
    *out = NULL;
    *n = 0;
    if (!json || !*json)
        return 0;
    cJSON *o = cJSON_Parse(json);
    int rc = -1;
    if (!cJSON_IsObject(o)) {
        err_set(e, "options must be a JSON object such as {\"rush\": true}, not %.80s", json);
        goto done;
    }
    size_t total = (size_t)cJSON_GetArraySize(o), k = 0;
    if (total > OPTIONS_MAX) {
        err_set(e, "%zu options; at most %d are accepted", total, OPTIONS_MAX);
        goto done;
    }
    struct price_option *v = arena_calloc(a, total + 1, sizeof *v);
    if (!v) {
        err_set(e, "out of memory ([limits] memory_mb)");
        goto done;
    }
    for (cJSON *it = o->child; it; it = it->next) {
        if (!good_key(it->string)) {
            err_set(e, "option '%.80s': a name is 1 to 64 of a-z, 0-9 and _", it->string);
            goto done;
        }
        if (cJSON_IsFalse(it) || cJSON_IsNull(it))
            continue;
        const char *value = NULL;
        char *printed = NULL;
        if (cJSON_IsString(it)) {
            value = it->valuestring;
        } else if (cJSON_IsNumber(it)) {
            value = printed = cJSON_PrintUnformatted(it);
        } else if (!cJSON_IsTrue(it)) {
            err_set(e, "option %s must be a string, a number, true or false", it->string);
            goto done;
        }
        v[k].key = arena_strdup(a, it->string);
        v[k].value = value ? arena_strdup(a, value) : NULL;
        cJSON_free(printed);
        if (!v[k].key || (value && !v[k].value)) {
            err_set(e, "out of memory ([limits] memory_mb)");
            goto done;
        }
        k++;
    }
    *out = v;
    *n = k;
    rc = 0;
done:
    cJSON_Delete(o);
    return rc;
}

struct price_shop job_shop(const struct cfg *c)
{
    struct price_shop shop = {cfg_real(c, CFG_COMPANY_MACHINE_RATE_PER_HOUR),
                              cfg_str(c, CFG_COMPANY_CURRENCY), cfg_real(c, CFG_COMPANY_TAX_RATE)};
    return shop;
}

/* ------------------------------------------------------------------- JSON */

cJSON *job_price_json(const struct price_result *r, const struct job_rules *rules,
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
    if (rules->version > 0)
        cJSON_AddNumberToObject(p, "rules_version", (double)rules->version);
    else
        cJSON_AddNullToObject(p, "rules_version");
    cJSON_AddStringToObject(p, "rules_origin", rules->origin);
    cJSON_AddStringToObject(p, "rules_name", rules->name);
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
