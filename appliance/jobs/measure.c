/*
 * measure.c - measuring a drawing as `dxfquote inspect` does, its figures
 * as JSON, and the figures the pricing rules read, either straight from
 * the measurement or back from the stored JSON.
 *
 * The options come from the configuration only ([limits], [geometry]), so
 * the shell, the server and the tests measure a file the same way.  The
 * JSON is the shape of `inspect --json` (docs/inspect.md); a part's stored
 * geometry is that object, and job_price_part_from_json() rebuilds from it
 * every figure price/marshal.c hands to the rules:
 *   cut_length_mm, pierces, area_mm2, bbox, holes, smallest_hole_mm,
 *   contours.closed/open, parts[] (the same per part), layers[] (name,
 *   cut_length_mm, entities: the layers with cut entities, which are the
 *   only ones the rules see), warnings[] (code, message, x, y), units.
 * Numbers are written with the fewest digits (15 to 17) that read back as
 * the same double (cJSON's own printing stops at 15 digits when they are
 * merely close), so the rebuilt figures are the measured ones bit for bit
 * and a re-price equals the price made right after measuring.
 * An empty box is null in JSON and min > max here; a missing smallest hole
 * is null in JSON and 0 here, as geom/ reports it.
 */
#include "job.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void job_measure_opts(const struct cfg *c, const char *units, double thickness_mm,
                      struct dxf_opts *dx, struct geom_opts *go)
{
    dxf_opts_default(dx);
    dx->max_bytes = (size_t)cfg_int(c, CFG_LIMITS_UPLOAD_MB) << 20;
    dx->max_entities = (size_t)cfg_int(c, CFG_LIMITS_MAX_ENTITIES);
    dx->max_nesting = (int)cfg_int(c, CFG_LIMITS_MAX_NESTING);
    dx->max_spline_degree = (int)cfg_int(c, CFG_LIMITS_MAX_SPLINE_DEGREE);
    dx->max_spline_knots = (size_t)cfg_int(c, CFG_LIMITS_MAX_SPLINE_KNOTS);
    dx->units = units;
    dx->default_units = cfg_str(c, CFG_GEOMETRY_DEFAULT_UNITS);
    *go = geom_opts_default();
    go->join_tol_mm = cfg_real(c, CFG_GEOMETRY_JOIN_TOLERANCE_MM);
    go->chord_tol_mm = cfg_real(c, CFG_GEOMETRY_CHORD_TOLERANCE_MM);
    go->thickness_mm = thickness_mm > 0 ? thickness_mm : 0;
}

int job_measure_analyse(const struct cfg *c, double thickness_mm, struct arena *a,
                        struct job_measured *m, struct err *e)
{
    struct dxf_opts dx;
    struct geom_opts go;
    job_measure_opts(c, NULL, thickness_mm, &dx, &go);
    go.mm_per_unit = m->d.mm_per_unit;
    double t0 = core_now();
    if (geom_analyse(a, m->d.curves, m->d.ncurves, m->d.nlayers, &go, &m->d.warnings, &m->r, e) !=
        0)
        return err_prefix(e, "%s", m->file);
    m->analyse_ms = (core_now() - t0) * 1000;
    return 0;
}

int job_measure_file(const struct cfg *c, const char *path, const char *units, double thickness_mm,
                     struct arena *a, struct job_measured *m, struct err *e)
{
    struct dxf_opts dx;
    struct geom_opts go;
    job_measure_opts(c, units, thickness_mm, &dx, &go);
    memset(m, 0, sizeof *m);
    m->file = path;
    if (dxf_read_file(a, path, &dx, &m->d, e) != 0)
        return -1;
    return job_measure_analyse(c, thickness_mm, a, m, e);
}

/* ------------------------------------------------------------------ JSON */

/* v as the shortest text that reads back as v exactly; null when it is not
 * finite (JSON has no NaN). */
static cJSON *exact(double v)
{
    char buf[40];
    if (!isfinite(v))
        return cJSON_CreateNull();
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, sizeof buf, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return cJSON_CreateRaw(buf);
}

static void add_num(cJSON *o, const char *key, double v)
{
    cJSON_AddItemToObject(o, key, exact(v));
}

static cJSON *bbox_json(const struct geom_bbox *b)
{
    if (b->min_x > b->max_x)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    add_num(o, "min_x", b->min_x);
    add_num(o, "min_y", b->min_y);
    add_num(o, "max_x", b->max_x);
    add_num(o, "max_y", b->max_y);
    add_num(o, "width", b->max_x - b->min_x);
    add_num(o, "height", b->max_y - b->min_y);
    return o;
}

/* smallest_hole_mm is null when there is no hole, not a made-up 0. */
static void add_hole(cJSON *o, size_t holes, double smallest)
{
    add_num(o, "holes", (double)holes);
    if (holes)
        add_num(o, "smallest_hole_mm", smallest);
    else
        cJSON_AddNullToObject(o, "smallest_hole_mm");
}

static cJSON *counts_json(const struct dxf_count *v, size_t n)
{
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; i < n; i++)
        add_num(o, v[i].type, (double)v[i].n);
    return o;
}

cJSON *job_geometry_json(const struct job_measured *m)
{
    const struct dxf_drawing *d = &m->d;
    const struct geom_report *r = &m->r;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "file", m->file ? m->file : "");
    cJSON_AddStringToObject(o, "dxf_version", d->version);
    cJSON_AddBoolToObject(o, "binary", d->binary);
    cJSON_AddStringToObject(o, "units", d->units);
    cJSON_AddStringToObject(o, "units_source", d->units_source);
    add_num(o, "mm_per_unit", d->mm_per_unit);
    cJSON_AddItemToObject(o, "entities", counts_json(d->cut, d->ncut));
    cJSON_AddItemToObject(o, "ignored", counts_json(d->ignored, d->nignored));
    add_num(o, "cut_length_mm", r->cut_length_mm);
    add_num(o, "pierces", (double)r->pierces);
    add_num(o, "area_mm2", r->area_mm2);
    cJSON_AddItemToObject(o, "bbox", bbox_json(&r->bbox));
    cJSON *ct = cJSON_AddObjectToObject(o, "contours");
    add_num(ct, "closed", (double)r->closed);
    add_num(ct, "open", (double)r->open);
    add_hole(o, r->holes, r->smallest_hole_mm);

    cJSON *parts = cJSON_AddArrayToObject(o, "parts");
    for (size_t i = 0; i < r->nparts; i++) {
        const struct geom_part *p = &r->parts[i];
        cJSON *pj = cJSON_CreateObject();
        add_num(pj, "cut_length_mm", p->cut_length_mm);
        add_num(pj, "pierces", (double)p->pierces);
        add_num(pj, "area_mm2", p->area_mm2);
        cJSON_AddItemToObject(pj, "bbox", bbox_json(&p->bbox));
        add_hole(pj, p->holes, p->smallest_hole_mm);
        cJSON_AddItemToArray(parts, pj);
    }
    cJSON *layers = cJSON_AddArrayToObject(o, "layers");
    for (size_t i = 0; i < r->nlayers && i < d->nlayers; i++) {
        if (r->layers[i].entities == 0)
            continue;
        cJSON *lj = cJSON_CreateObject();
        cJSON_AddStringToObject(lj, "name", d->layers[i].name);
        add_num(lj, "cut_length_mm", r->layers[i].cut_length_mm);
        add_num(lj, "entities", (double)r->layers[i].entities);
        cJSON_AddItemToArray(layers, lj);
    }
    cJSON *warnings = cJSON_AddArrayToObject(o, "warnings");
    for (size_t i = 0; i < d->warnings.n; i++) {
        const struct geom_warning *w = &d->warnings.v[i];
        cJSON *wj = cJSON_CreateObject();
        cJSON_AddStringToObject(wj, "code", w->code);
        cJSON_AddStringToObject(wj, "message", w->msg);
        add_num(wj, "x", w->x);
        add_num(wj, "y", w->y);
        cJSON_AddItemToArray(warnings, wj);
    }
    cJSON *t = cJSON_AddObjectToObject(o, "timing_ms");
    add_num(t, "read", d->read_ms);
    add_num(t, "parse", d->parse_ms);
    add_num(t, "analyse", m->analyse_ms);
    return o;
}

/* ------------------------------------------------------- price_part */

int job_price_part(const struct job_measured *m, struct arena *a, struct price_part *out)
{
    const char **names = arena_calloc(a, m->d.nlayers + 1, sizeof *names);
    if (!names)
        return -1;
    for (size_t i = 0; i < m->d.nlayers; i++)
        names[i] = m->d.layers[i].name;
    out->report = &m->r;
    out->warnings = &m->d.warnings;
    /* geom's layer table may count layers dxf's does not name. */
    out->layer_names = m->r.nlayers <= m->d.nlayers ? names : NULL;
    out->units = m->d.units;
    return 0;
}

/* A number field of o; -1 with e naming where when it is missing. */
static int num(const cJSON *o, const char *key, const char *where, double *v, struct err *e)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(it))
        return err_set(e, "stored geometry: %s%s is missing or not a number", where, key);
    *v = it->valuedouble;
    return 0;
}

/* A count: a whole number from 0 to 2^53. */
static int count(const cJSON *o, const char *key, const char *where, size_t *v, struct err *e)
{
    double d = 0;
    if (num(o, key, where, &d, e) != 0)
        return -1;
    if (!(d >= 0 && d <= 9007199254740992.0) || d != floor(d))
        return err_set(e, "stored geometry: %s%s is not a count", where, key);
    *v = (size_t)d;
    return 0;
}

/* null: no hole (0), else the number. */
static int hole(const cJSON *o, const char *where, double *v, struct err *e)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, "smallest_hole_mm");
    if (cJSON_IsNull(it)) {
        *v = 0;
        return 0;
    }
    return num(o, "smallest_hole_mm", where, v, e);
}

/* null: an empty box. */
static int bbox(const cJSON *o, const char *where, struct geom_bbox *b, struct err *e)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, "bbox");
    if (cJSON_IsNull(it)) {
        *b = geom_bbox_empty();
        return 0;
    }
    if (!cJSON_IsObject(it))
        return err_set(e, "stored geometry: %sbbox is neither null nor an object", where);
    if (num(it, "min_x", where, &b->min_x, e) || num(it, "min_y", where, &b->min_y, e) ||
        num(it, "max_x", where, &b->max_x, e) || num(it, "max_y", where, &b->max_y, e))
        return -1;
    return 0;
}

static const cJSON *array(const cJSON *o, const char *key, size_t *n, struct err *e)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsArray(it)) {
        err_set(e, "stored geometry: %s is not a list", key);
        return NULL;
    }
    *n = (size_t)cJSON_GetArraySize(it);
    return it;
}

static int parts_from_json(const cJSON *g, struct arena *a, struct geom_report *r, struct err *e)
{
    const cJSON *arr = array(g, "parts", &r->nparts, e);
    if (!arr)
        return -1;
    r->parts = arena_calloc(a, r->nparts + 1, sizeof *r->parts);
    if (!r->parts)
        return err_set(e, "out of memory ([limits] memory_mb)");
    size_t i = 0;
    for (const cJSON *p = arr->child; p; p = p->next, i++) {
        struct geom_part *gp = &r->parts[i];
        char where[40];
        snprintf(where, sizeof where, "parts[%zu].", i + 1);
        if (!cJSON_IsObject(p))
            return err_set(e, "stored geometry: %s is not an object", where);
        if (num(p, "cut_length_mm", where, &gp->cut_length_mm, e) ||
            count(p, "pierces", where, &gp->pierces, e) ||
            num(p, "area_mm2", where, &gp->area_mm2, e) || bbox(p, where, &gp->bbox, e) ||
            count(p, "holes", where, &gp->holes, e) || hole(p, where, &gp->smallest_hole_mm, e))
            return -1;
        gp->outer = (size_t)-1;
    }
    return 0;
}

static int layers_from_json(const cJSON *g, struct arena *a, struct geom_report *r,
                            const char ***names, struct err *e)
{
    const cJSON *arr = array(g, "layers", &r->nlayers, e);
    if (!arr)
        return -1;
    r->layers = arena_calloc(a, r->nlayers + 1, sizeof *r->layers);
    *names = arena_calloc(a, r->nlayers + 1, sizeof **names);
    if (!r->layers || !*names)
        return err_set(e, "out of memory ([limits] memory_mb)");
    size_t i = 0;
    for (const cJSON *l = arr->child; l; l = l->next, i++) {
        char where[40];
        snprintf(where, sizeof where, "layers[%zu].", i + 1);
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(l, "name");
        if (!cJSON_IsString(name))
            return err_set(e, "stored geometry: %sname is not a string", where);
        if (!((*names)[i] = arena_strdup(a, name->valuestring)))
            return err_set(e, "out of memory ([limits] memory_mb)");
        if (num(l, "cut_length_mm", where, &r->layers[i].cut_length_mm, e) ||
            count(l, "entities", where, &r->layers[i].entities, e))
            return -1;
    }
    return 0;
}

static int warnings_from_json(const cJSON *g, struct arena *a, struct geom_warnings *w,
                              struct err *e)
{
    size_t n;
    const cJSON *arr = array(g, "warnings", &n, e);
    if (!arr)
        return -1;
    w->v = arena_calloc(a, n + 1, sizeof *w->v);
    if (!w->v)
        return err_set(e, "out of memory ([limits] memory_mb)");
    w->n = w->cap = n;
    size_t i = 0;
    for (const cJSON *it = arr->child; it; it = it->next, i++) {
        char where[40];
        snprintf(where, sizeof where, "warnings[%zu].", i + 1);
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(it, "code");
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(it, "message");
        if (!cJSON_IsString(code) || !cJSON_IsString(msg))
            return err_set(e, "stored geometry: %s has no code or message", where);
        snprintf(w->v[i].code, sizeof w->v[i].code, "%s", code->valuestring);
        snprintf(w->v[i].msg, sizeof w->v[i].msg, "%s", msg->valuestring);
        if (num(it, "x", where, &w->v[i].x, e) || num(it, "y", where, &w->v[i].y, e))
            return -1;
    }
    return 0;
}

int job_price_part_from_json(const cJSON *g, struct arena *a, struct price_part *out, struct err *e)
{
    struct geom_report *r = arena_calloc(a, 1, sizeof *r);
    struct geom_warnings *w = arena_calloc(a, 1, sizeof *w);
    const char **names = NULL;
    if (!r || !w)
        return err_set(e, "out of memory ([limits] memory_mb)");
    if (!cJSON_IsObject(g))
        return err_set(e, "stored geometry is not a JSON object");
    const cJSON *ct = cJSON_GetObjectItemCaseSensitive(g, "contours");
    const cJSON *units = cJSON_GetObjectItemCaseSensitive(g, "units");
    if (!cJSON_IsObject(ct))
        return err_set(e, "stored geometry: contours is not an object");
    if (!cJSON_IsString(units))
        return err_set(e, "stored geometry: units is not a string");
    if (num(g, "cut_length_mm", "", &r->cut_length_mm, e) ||
        count(g, "pierces", "", &r->pierces, e) || num(g, "area_mm2", "", &r->area_mm2, e) ||
        bbox(g, "", &r->bbox, e) || count(g, "holes", "", &r->holes, e) ||
        hole(g, "", &r->smallest_hole_mm, e) || count(ct, "closed", "contours.", &r->closed, e) ||
        count(ct, "open", "contours.", &r->open, e))
        return -1;
    if (r->bbox.min_x <= r->bbox.max_x) {
        r->width_mm = r->bbox.max_x - r->bbox.min_x;
        r->height_mm = r->bbox.max_y - r->bbox.min_y;
    }
    if (parts_from_json(g, a, r, e) != 0 || layers_from_json(g, a, r, &names, e) != 0 ||
        warnings_from_json(g, a, w, e) != 0)
        return -1;
    out->report = r;
    out->warnings = w;
    out->layer_names = names;
    out->units = arena_strdup(a, units->valuestring);
    if (!out->units)
        return err_set(e, "out of memory ([limits] memory_mb)");
    return 0;
}
