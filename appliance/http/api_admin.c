/*
 * api_admin.c - the materials catalog and the pricing rules over HTTP.
 *
 * Routes: GET /api/materials (any signed-in user); PUT /api/materials,
 * GET and POST /api/materials.csv, GET /api/rules, GET /api/rules/{version},
 * POST /api/rules/check, POST /api/rules (admin).
 *
 * Materials travel as the catalog a shop thinks of: a list of materials,
 * each with its density, price, notes and extra figures, and its list of
 * thicknesses with their cutting figures.  PUT replaces the whole catalog
 * in one transaction (store_material_import: all or nothing), after every
 * figure was checked here with its place named:
 * "materials[2].thicknesses[0].thickness_mm".
 *
 * Rules are checked by compiling them in a fresh sandboxed Lua state and
 * pricing price/'s built-in sample parts (price_check), on the request
 * thread: an admin action, bounded by [pricing] max_instructions per call
 * and [pricing] memory_mb, measured at a few milliseconds for the default
 * rules; one check runs at a time (a second gets 503 with Retry-After), so
 * at most one core is ever spent on it.  Saving checks again first.  A
 * check may name a stored part ("part_id"): a draft that passes is then
 * priced on that part beside the active rules, as a task on a job worker
 * (job_price_trial), like any other pricing of a real part.
 *
 * Limits: bodies of 4 MB (PUT materials, CSV) and 1 MB (rules); 1000
 * materials of 200 thicknesses each; names of 100 characters, notes of
 * 2000; extra keys are Lua identifiers with number or text values.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/internal.h"
#include "price/price.h"

#define CATALOG_BODY_MAX (4u << 20)
#define RULES_BODY_MAX   (1u << 20)
#define MAX_MATERIALS    1000
#define MAX_THICKNESSES  200
#define FIGURE_MAX       1e9
#define RULES_NAME       "rules"

/* ------------------------------------------------------------ materials */

/* Groups the catalog's rows (sorted by name, then thickness) into
 * materials. */
struct group_ctx {
    cJSON *list, *cur_thick;
    char cur_name[256];
};

static int group_row(const struct store_material *m, void *ctx)
{
    struct group_ctx *g = ctx;
    if (!g->cur_thick || strcasecmp(g->cur_name, m->name) != 0) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", m->name);
        cJSON_AddNumberToObject(o, "density_kg_m3", m->density_kg_m3);
        cJSON_AddNumberToObject(o, "price_per_kg", m->price_per_kg);
        cJSON_AddStringToObject(o, "notes", m->notes);
        cJSON *extra = cJSON_Parse(m->extra);
        cJSON_AddItemToObject(o, "extra", cJSON_IsObject(extra) ? extra : cJSON_CreateObject());
        if (!cJSON_IsObject(extra))
            cJSON_Delete(extra);
        g->cur_thick = cJSON_AddArrayToObject(o, "thicknesses");
        cJSON_AddItemToArray(g->list, o);
        snprintf(g->cur_name, sizeof g->cur_name, "%s", m->name);
    }
    cJSON *t = cJSON_CreateObject();
    cJSON_AddNumberToObject(t, "thickness_mm", m->thickness_mm);
    cJSON_AddNumberToObject(t, "cutting_speed_mm_min", m->cutting_speed_mm_min);
    cJSON_AddNumberToObject(t, "pierce_time_s", m->pierce_time_s);
    cJSON_AddNumberToObject(t, "sheet_w_mm", m->sheet_w_mm);
    cJSON_AddNumberToObject(t, "sheet_h_mm", m->sheet_h_mm);
    cJSON_AddItemToArray(g->cur_thick, t);
    return 0;
}

static int answer_catalog(struct http_req *r, struct store *s, int status)
{
    struct err e = {""};
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "currency", r->srv->currency);
    struct group_ctx g = {cJSON_AddArrayToObject(o, "materials"), NULL, ""};
    if (store_material_list(s, group_row, &g, &e) != 0) {
        cJSON_Delete(o);
        return http_fail_internal(r, "listing the materials", &e);
    }
    return http_reply_json(r, status, o, NULL);
}

static int materials_get(struct http_req *r)
{
    struct store *s;
    int st = http_store_or_fail(r, &s);
    return st ? st : answer_catalog(r, s, 200);
}

/* A figure member of obj at path "<at>.<name>" into *out. */
static int figure(struct http_req *r, const cJSON *obj, const char *at, const char *name,
                  int zero_ok, double *out)
{
    char field[160];
    snprintf(field, sizeof field, "%s.%s", at, name);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!v)
        return http_reply_error(r, 400, "invalid", field, NULL, "%s is required", field);
    return http_json_number(r, v, field, 0, FIGURE_MAX, !zero_ok, out);
}

/* 400 naming at.member when obj has a member outside known. */
static int only_members(struct http_req *r, const cJSON *obj, const char *at,
                        const char *const *known)
{
    for (const cJSON *it = obj->child; it; it = it->next) {
        int ok = 0;
        for (const char *const *k = known; *k && !ok; k++)
            ok = !strcmp(*k, it->string);
        if (!ok) {
            char field[200];
            snprintf(field, sizeof field, "%s.%s", at, it->string);
            return http_reply_error(r, 400, "invalid", field, NULL, "unknown field %s", field);
        }
    }
    return 0;
}

/* Member name of obj as text of at most max characters ("" when absent
 * and optional). */
static int text_member(struct http_req *r, const cJSON *obj, const char *at, const char *name,
                       int required, size_t max, const char **out)
{
    char field[160];
    snprintf(field, sizeof field, "%s.%s", at, name);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    *out = "";
    if (!v && !required)
        return 0;
    if (!cJSON_IsString(v))
        return http_reply_error(r, 400, "invalid", field, NULL, "%s must be text", field);
    size_t n = 0;
    for (const char *p = v->valuestring; *p; p++)
        n += ((unsigned char)*p & 0xc0) != 0x80;
    if (n > max || (required && n == 0))
        return http_reply_error(r, 400, "invalid", field, NULL,
                                "%s must be %s%zu characters at most", field,
                                required ? "1 to " : "", max);
    *out = v->valuestring;
    return 0;
}

/* The extra member: an object of identifier keys with number or text
 * values, serialised into the arena. */
static int extra_member(struct http_req *r, const cJSON *obj, const char *at, struct arena *a,
                        const char **out)
{
    static const char *const own[] = {"name",          "material",      "thickness_mm",
                                      "density_kg_m3", "price_per_kg",  "cutting_speed_mm_min",
                                      "pierce_time_s", "sheet_w_mm",    "sheet_h_mm",
                                      "notes",         NULL};
    char field[200];
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "extra");
    *out = "{}";
    if (!v)
        return 0;
    snprintf(field, sizeof field, "%s.extra", at);
    if (!cJSON_IsObject(v))
        return http_reply_error(r, 400, "invalid", field, NULL,
                                "%s must be an object of figures", field);
    for (const cJSON *it = v->child; it; it = it->next) {
        snprintf(field, sizeof field, "%s.extra.%s", at, it->string);
        int reserved = 0;
        for (const char *const *k = own; *k; k++)
            reserved |= !strcmp(*k, it->string);
        if (!store_is_identifier(it->string) || reserved)
            return http_reply_error(r, 400, "invalid", field, NULL,
                                    "extra keys are names the rules can use (letters, digits "
                                    "and _, not a column of the catalog)");
        if (!(cJSON_IsNumber(it) && isfinite(it->valuedouble)) &&
            !(cJSON_IsString(it) && strlen(it->valuestring) <= 2000))
            return http_reply_error(r, 400, "invalid", field, NULL,
                                    "%s must be a number or a text of 2000 characters at most",
                                    field);
    }
    char *json = cJSON_PrintUnformatted(v);
    *out = json ? arena_strdup(a, json) : NULL;
    cJSON_free(json);
    if (!*out)
        core_die("out of memory copying a material's extra figures");
    return 0;
}

/* Checks the body's materials and flattens them into rows (strings point
 * into body or a).  0, or the status sent. */
static int catalog_rows(struct http_req *r, const cJSON *body, struct arena *a,
                        struct store_material **rows, size_t *n)
{
    static const char *const mkeys[] = {"name",  "density_kg_m3", "price_per_kg", "notes",
                                        "extra", "thicknesses",   NULL};
    static const char *const tkeys[] = {"thickness_mm", "cutting_speed_mm_min", "pierce_time_s",
                                        "sheet_w_mm",   "sheet_h_mm",           NULL};
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(body, "materials");
    int st, nm = cJSON_GetArraySize(list), total = 0, i = 0;
    if (!cJSON_IsArray(list) || nm < 1 || nm > MAX_MATERIALS)
        return http_reply_error(r, 400, "invalid", "materials", NULL,
                                "materials must be a list of 1 to %d materials",
                                MAX_MATERIALS);
    for (const cJSON *m = list->child; m; m = m->next)
        total += cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(m, "thicknesses"));
    struct store_material *out = arena_calloc(a, (size_t)total + 1, sizeof *out);
    if (!out)
        core_die("out of memory for the catalog rows");
    *n = 0;
    for (const cJSON *m = list->child; m; m = m->next, i++) {
        char at[64], tat[128];
        struct store_material base;
        memset(&base, 0, sizeof base);
        snprintf(at, sizeof at, "materials[%d]", i);
        if (!cJSON_IsObject(m))
            return http_reply_error(r, 400, "invalid", at, NULL, "%s must be an object", at);
        if ((st = only_members(r, m, at, mkeys)) != 0 ||
            (st = text_member(r, m, at, "name", 1, 100, &base.name)) != 0 ||
            (st = figure(r, m, at, "density_kg_m3", 0, &base.density_kg_m3)) != 0 ||
            (st = figure(r, m, at, "price_per_kg", 1, &base.price_per_kg)) != 0 ||
            (st = text_member(r, m, at, "notes", 0, 2000, &base.notes)) != 0 ||
            (st = extra_member(r, m, at, a, &base.extra)) != 0)
            return st;
        int j = 0;
        const cJSON *ts = cJSON_GetObjectItemCaseSensitive(m, "thicknesses");
        snprintf(tat, sizeof tat, "%s.thicknesses", at);
        if (!cJSON_IsArray(ts) || cJSON_GetArraySize(ts) < 1 ||
            cJSON_GetArraySize(ts) > MAX_THICKNESSES)
            return http_reply_error(r, 400, "invalid", tat, NULL,
                                    "%s must be a list of 1 to %d thicknesses", tat,
                                    MAX_THICKNESSES);
        for (size_t k = 0; k < *n; k++)
            if (!strcasecmp(out[k].name, base.name)) {
                snprintf(tat, sizeof tat, "%s.name", at);
                return http_reply_error(r, 400, "invalid", tat, NULL,
                                        "material %s is listed twice (names ignore case)",
                                        base.name);
            }
        size_t first = *n;
        for (const cJSON *t = ts->child; t; t = t->next, j++) {
            struct store_material *row = &out[*n];
            *row = base;
            snprintf(tat, sizeof tat, "%s.thicknesses[%d]", at, j);
            if (!cJSON_IsObject(t))
                return http_reply_error(r, 400, "invalid", tat, NULL, "%s must be an object",
                                        tat);
            if ((st = only_members(r, t, tat, tkeys)) != 0 ||
                (st = figure(r, t, tat, "thickness_mm", 0, &row->thickness_mm)) != 0 ||
                (st = figure(r, t, tat, "cutting_speed_mm_min", 0,
                             &row->cutting_speed_mm_min)) != 0 ||
                (st = figure(r, t, tat, "pierce_time_s", 1, &row->pierce_time_s)) != 0 ||
                (st = figure(r, t, tat, "sheet_w_mm", 0, &row->sheet_w_mm)) != 0 ||
                (st = figure(r, t, tat, "sheet_h_mm", 0, &row->sheet_h_mm)) != 0)
                return st;
            for (size_t k = first; k < *n; k++)
                if (fabs(out[k].thickness_mm - row->thickness_mm) < 0.001) {
                    char f[160];
                    snprintf(f, sizeof f, "%s.thickness_mm", tat);
                    return http_reply_error(r, 400, "invalid", f, NULL,
                                            "%s has %g mm twice", base.name, row->thickness_mm);
                }
            (*n)++;
        }
    }
    *rows = out;
    return 0;
}

static int materials_put(struct http_req *r)
{
    static const char *const known[] = {"materials", NULL};
    cJSON *body = NULL;
    struct store *s;
    struct store_material *rows = NULL;
    size_t n = 0, materials = 0;
    struct err e = {""};
    int st;
    struct arena *a = arena_new(0);
    if ((st = http_read_json(r, CATALOG_BODY_MAX, &body)) != 0)
        goto done;
    if ((st = http_json_only(r, body, known)) != 0 ||
        (st = catalog_rows(r, body, a, &rows, &n)) != 0 || (st = http_store_or_fail(r, &s)) != 0)
        goto done;
    if (store_material_import(s, rows, n, &materials, &e) != 0) {
        st = http_reply_error(r, 400, "invalid", "materials", NULL, "%s; nothing was changed",
                              e.msg);
        goto done;
    }
    http_audit(r, r->auth.user.name, "materials.replace", "%zu materials, %zu thicknesses",
               materials, n);
    st = answer_catalog(r, s, 200);
done:
    cJSON_Delete(body);
    arena_free(a);
    return st;
}

static int materials_csv_get(struct http_req *r)
{
    struct store *s;
    struct err e = {""};
    char *text;
    size_t len;
    int st;
    if ((st = http_store_or_fail(r, &s)) != 0)
        return st;
    if (store_catalog_csv(s, &text, &len, &e) != 0)
        return http_fail_internal(r, "writing the catalog as CSV", &e);
    st = http_reply(r, 200, "text/csv; charset=utf-8",
                    "Content-Disposition: attachment; filename=\"materials.csv\"\r\n", text,
                    len);
    free(text);
    return st;
}

static int materials_csv_post(struct http_req *r)
{
    struct store *s;
    struct store_material *rows = NULL;
    struct err e = {""};
    char *text = NULL;
    size_t len, n = 0, materials = 0;
    int st;
    struct arena *a = arena_new(0);
    if (!http_content_type_is(r, "text/csv")) {
        st = http_reply_error(r, 415, NULL, NULL, NULL,
                              "send the catalog with Content-Type: text/csv");
        goto done;
    }
    if ((st = http_read_body(r, CATALOG_BODY_MAX, &text, &len)) != 0 ||
        (st = http_store_or_fail(r, &s)) != 0)
        goto done;
    if (store_catalog_csv_parse(text, len, a, &rows, &n, &e) != 0 ||
        store_material_import(s, rows, n, &materials, &e) != 0) {
        st = http_reply_error(r, 400, "invalid", NULL, NULL, "%s; nothing was changed", e.msg);
        goto done;
    }
    http_audit(r, r->auth.user.name, "materials.import", "%zu rows, %zu materials (CSV)", n,
               materials);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "rows", (double)n);
    cJSON_AddNumberToObject(o, "materials", (double)materials);
    st = http_reply_json(r, 200, o, NULL);
done:
    free(text);
    arena_free(a);
    return st;
}

/* ---------------------------------------------------------------- rules */

static cJSON *version_json(const struct store_rules *v)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "version", (double)v->version);
    http_json_text(o, "author", v->author);
    http_json_time(o, "created", v->created);
    cJSON_AddStringToObject(o, "sha256", v->sha256);
    cJSON_AddBoolToObject(o, "active", v->active);
    cJSON_AddStringToObject(o, "note", v->note ? v->note : "");
    cJSON_AddNumberToObject(o, "bytes", (double)v->len);
    return o;
}

static int list_version(const struct store_rules *v, void *ctx)
{
    cJSON_AddItemToArray(ctx, version_json(v));
    return 0;
}

/* The rules in effect, as the job workers pick them: {"version" (null when
 * not from the database), "origin", "name"} and, with source, "source". */
static cJSON *current_json(struct http_req *r, struct store *s, int source, struct err *e)
{
    struct arena *a = arena_new(0);
    struct job_rules cur;
    cJSON *o = NULL;
    if (a && job_rules_pick(r->srv->cfg, s, a, &cur, e) == 0) {
        o = cJSON_CreateObject();
        if (cur.version > 0)
            cJSON_AddNumberToObject(o, "version", (double)cur.version);
        else
            cJSON_AddNullToObject(o, "version");
        cJSON_AddStringToObject(o, "origin", cur.origin);
        cJSON_AddStringToObject(o, "name", cur.name);
        if (source) {
            char *text = xmalloc(cur.len + 1);
            memcpy(text, cur.src, cur.len);
            text[cur.len] = '\0';
            cJSON_AddStringToObject(o, "source", text);
            free(text);
        }
    }
    arena_free(a);
    return o;
}

static int rules_list(struct http_req *r)
{
    struct store *s;
    struct err e = {""};
    int st;
    if ((st = http_store_or_fail(r, &s)) != 0)
        return st;
    cJSON *o = cJSON_CreateObject();
    if (store_rules_list(s, list_version, cJSON_AddArrayToObject(o, "versions"), &e) != 0) {
        cJSON_Delete(o);
        return http_fail_internal(r, "listing the rules versions", &e);
    }
    cJSON *cur = current_json(r, s, 0, &e);
    if (!cur) {
        cJSON_Delete(o);
        return http_fail_internal(r, "finding the rules in effect", &e);
    }
    cJSON_AddItemToObject(o, "current", cur);
    return http_reply_json(r, 200, o, NULL);
}

static int rules_current(struct http_req *r)
{
    struct store *s;
    struct err e = {""};
    int st;
    if ((st = http_store_or_fail(r, &s)) != 0)
        return st;
    cJSON *cur = current_json(r, s, 1, &e);
    if (!cur)
        return http_fail_internal(r, "reading the rules in effect", &e);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "current", cur);
    return http_reply_json(r, 200, o, NULL);
}

static int rules_get(struct http_req *r)
{
    struct store *s;
    struct store_rules v;
    struct err e = {""};
    int64_t id;
    int st;
    if ((st = http_store_or_fail(r, &s)) != 0)
        return st;
    struct arena *a = arena_new(0);
    int found = http_path_id(r, "version", &id) == 0 ? store_rules_get(s, a, id, &v, &e) : 0;
    if (found < 0) {
        st = http_fail_internal(r, "reading a rules version", &e);
    } else if (!found) {
        st = http_reply_error(r, 404, NULL, NULL, NULL, "no such rules version: %s", r->path);
    } else {
        cJSON *o = cJSON_CreateObject();
        cJSON *ver = version_json(&v);
        cJSON_AddStringToObject(ver, "source", v.source);
        cJSON_AddItemToObject(o, "version", ver);
        st = http_reply_json(r, 200, o, NULL);
    }
    arena_free(a);
    return st;
}

/* The line of the first "rules:N:" in msg, or 0. */
static long message_line(const char *msg)
{
    static const char tag[] = RULES_NAME ":";
    for (const char *p = strstr(msg, tag); p; p = strstr(p + 1, tag)) {
        char *end;
        long line = strtol(p + sizeof tag - 1, &end, 10);
        if (end != p + sizeof tag - 1 && *end == ':' && line > 0)
            return line;
    }
    return 0;
}

/* Compiles src and prices the sample parts.  0 and *calls when the rules
 * pass; 1 with e holding the first problem; -1 with e when the check could
 * not run. */
static int check_source(struct http_server *srv, const char *src, size_t len, int *calls,
                        struct err *e)
{
    struct price_limits lim = {srv->max_instructions, srv->lua_memory_bytes};
    struct price_shop shop = {srv->machine_rate_per_hour, srv->currency, srv->tax_rate};
    struct price_engine *pe = NULL;
    if (price_engine_new(&pe, &lim, e) != 0)
        return -1;
    int bad = price_engine_load(pe, RULES_NAME, src, len, e) != 0 ||
              price_check(pe, &shop, calls, e) != 0;
    price_engine_free(pe);
    return bad;
}

/* Reads {"source", "note"?}; with_note allows the note.  0, or the status. */
static int read_source(struct http_req *r, int with_note, cJSON **body, const char **src,
                       const char **note)
{
    static const char *const check_keys[] = {"source", "part_id", NULL};
    static const char *const save_keys[] = {"source", "note", NULL};
    int st;
    *note = NULL;
    if ((st = http_read_json(r, RULES_BODY_MAX, body)) != 0)
        return st;
    if ((st = http_json_only(r, *body, with_note ? save_keys : check_keys)) != 0 ||
        (st = http_json_string(r, *body, "source", 1, 1, RULES_BODY_MAX, src)) != 0 ||
        (with_note && (st = http_json_string(r, *body, "note", 0, 0, 500, note)) != 0))
        return st;
    return 0;
}

/* Runs the check under rules_mu: 0 ran (*result as check_source), or the
 * status sent (busy). */
static int run_check(struct http_req *r, const char *src, int *result, int *calls,
                     double *ms, struct err *e)
{
    if (pthread_mutex_trylock(&r->srv->rules_mu) != 0)
        return http_reply_error(r, 503, NULL, NULL, "Retry-After: 1\r\n",
                                "another rules check is running; try again in a second");
    double t0 = core_now();
    *calls = 0;
    *result = check_source(r->srv, src, strlen(src), calls, e);
    *ms = (core_now() - t0) * 1000;
    pthread_mutex_unlock(&r->srv->rules_mu);
    return 0;
}

struct trial_task {
    int64_t part_id;
    const char *src;
    cJSON *out;
    int nothing;
};

static int run_trial(void *ctx, const struct job_task_env *env, struct err *e)
{
    struct trial_task *t = ctx;
    int rc = job_price_trial(env, t->part_id, t->src, strlen(t->src), &t->out, e);
    t->nothing = rc == JOB_NOTHING;
    return rc == 0 ? 0 : -1;
}

/* The optional "part_id": 0 when absent, else a positive id; 0 or the
 * status sent. */
static int read_part_id(struct http_req *r, const cJSON *body, int64_t *id)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, "part_id");
    double d;
    int st;
    *id = 0;
    if (!v || cJSON_IsNull(v))
        return 0;
    if ((st = http_json_number(r, v, "part_id", 1, 9e15, 0, &d)) != 0)
        return st;
    if (d != floor(d))
        return http_reply_error(r, 400, "invalid", "part_id", NULL,
                                "part_id must be a whole number: a part's id");
    *id = (int64_t)d;
    return 0;
}

static int rules_check(struct http_req *r)
{
    cJSON *body = NULL;
    const char *src, *note;
    struct err e = {""};
    struct trial_task t = {0, NULL, NULL, 0};
    int st, result, calls;
    double ms;
    if ((st = read_source(r, 0, &body, &src, &note)) != 0 ||
        (st = read_part_id(r, body, &t.part_id)) != 0 ||
        (st = run_check(r, src, &result, &calls, &ms, &e)) != 0)
        goto done;
    if (result < 0) {
        st = http_fail_internal(r, "starting the rules engine", &e);
        goto done;
    }
    /* A draft that passes is tried on the chosen part, on a job worker. */
    if (result == 0 && t.part_id > 0) {
        t.src = src;
        int rc = job_task_run(r->srv->js, run_trial, &t, &e);
        if (rc == JOB_FULL) {
            st = http_reply_error(r, 503, "busy", NULL, "Retry-After: 5\r\n", "%s", e.msg);
            goto done;
        }
        if (rc != 0) {
            st = t.nothing ? http_reply_error(r, 400, "invalid", "part_id", NULL, "%s", e.msg)
                           : http_fail_internal(r, "trying the rules on a part", &e);
            goto done;
        }
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "ok", result == 0);
    cJSON *errs = cJSON_AddArrayToObject(o, "errors");
    if (result) {
        cJSON *x = cJSON_CreateObject();
        long line = message_line(e.msg);
        if (line)
            cJSON_AddNumberToObject(x, "line", (double)line);
        else
            cJSON_AddNullToObject(x, "line");
        cJSON_AddStringToObject(x, "message", e.msg);
        cJSON_AddItemToArray(errs, x);
    }
    cJSON *trial = cJSON_AddObjectToObject(o, "trial");
    cJSON_AddStringToObject(trial, "parts", "built-in samples");
    cJSON_AddNumberToObject(trial, "calls", calls);
    cJSON_AddNumberToObject(trial, "ms", floor(ms * 10 + 0.5) / 10);
    if (t.out) {
        /* The part's prices beside the samples' figures. */
        cJSON *it = t.out->child;
        while (it) {
            cJSON *next = it->next;
            cJSON_AddItemToObject(trial, it->string, cJSON_DetachItemViaPointer(t.out, it));
            it = next;
        }
    }
    st = http_reply_json(r, 200, o, NULL);
done:
    cJSON_Delete(t.out);
    cJSON_Delete(body);
    return st;
}

static int rules_save(struct http_req *r)
{
    cJSON *body = NULL;
    const char *src, *note;
    struct store *s;
    struct store_rules v;
    struct err e = {""};
    int st, result, calls, created = 0;
    int64_t version = 0;
    double ms;
    struct arena *a = arena_new(0);
    if ((st = read_source(r, 1, &body, &src, &note)) != 0 ||
        (st = run_check(r, src, &result, &calls, &ms, &e)) != 0)
        goto done;
    if (result < 0) {
        st = http_fail_internal(r, "starting the rules engine", &e);
        goto done;
    }
    if (result > 0) {
        st = http_reply_error(r, 400, "invalid", "source", NULL,
                              "the rules fail their check, so they were not saved: %s", e.msg);
        goto done;
    }
    if ((st = http_store_or_fail(r, &s)) != 0)
        goto done;
    if (store_rules_save(s, src, strlen(src), r->auth.user.name, note, &version, &created, &e) !=
            0 ||
        store_rules_get(s, a, version, &v, &e) != 1) {
        st = http_fail_internal(r, "saving the rules", &e);
        goto done;
    }
    if (created)
        http_audit(r, r->auth.user.name, "rules.save", "version %lld, sha256 %.16s",
                   (long long)version, v.sha256);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "version", version_json(&v));
    cJSON_AddBoolToObject(o, "created", created);
    st = http_reply_json(r, created ? 201 : 200, o, NULL);
done:
    cJSON_Delete(body);
    arena_free(a);
    return st;
}

const struct http_route http_routes_admin[] = {
    {"GET", "/api/materials", HTTP_ROLE_SALES, materials_get, NULL},
    {"PUT", "/api/materials", HTTP_ROLE_ADMIN, materials_put, NULL},
    {"GET", "/api/materials.csv", HTTP_ROLE_ADMIN, materials_csv_get, NULL},
    {"POST", "/api/materials.csv", HTTP_ROLE_ADMIN, materials_csv_post, NULL},
    {"GET", "/api/rules", HTTP_ROLE_ADMIN, rules_list, NULL},
    {"POST", "/api/rules", HTTP_ROLE_ADMIN, rules_save, NULL},
    {"POST", "/api/rules/check", HTTP_ROLE_ADMIN, rules_check, NULL},
    /* Before {version}: the first route that fits wins. */
    {"GET", "/api/rules/current", HTTP_ROLE_ADMIN, rules_current, NULL},
    {"GET", "/api/rules/{version}", HTTP_ROLE_ADMIN, rules_get, NULL},
    {NULL, NULL, HTTP_ROLE_NONE, NULL, NULL},
};
