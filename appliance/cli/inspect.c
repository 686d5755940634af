/*
 * inspect.c - `dxfquote inspect FILE [--json] [--units U] [--thickness MM]`.
 *
 * Reads one drawing with dxf/, measures it with geom/ and prints either a
 * report for a person or exactly one JSON object (the shape is documented
 * in docs/inspect.md).  Exit 0 when the file was measured, with or without
 * warnings; 1 when it cannot be measured (one line on stderr with the line
 * or byte offset); 2 for bad usage.  Limits and tolerances come from the
 * configuration ([limits], [geometry]), so the shell measures exactly as
 * the server does.
 */
#include "args.h"
#include "inspect.h"

#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void opts_from_cfg(const struct cfg *c, const char *units, struct dxf_opts *dx,
                          struct geom_opts *go)
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
}

int inspect_measure(const struct cfg *c, const char *path, const char *units, double thickness,
                    struct arena *ar, struct inspection *in, struct err *e)
{
    struct dxf_opts dx;
    struct geom_opts go;
    opts_from_cfg(c, units, &dx, &go);
    go.thickness_mm = thickness;
    memset(in, 0, sizeof *in);
    in->path = path;
    if (dxf_read_file(ar, path, &dx, &in->d, e) != 0)
        return -1;
    go.mm_per_unit = in->d.mm_per_unit;
    double t0 = core_now();
    if (geom_analyse(ar, in->d.curves, in->d.ncurves, in->d.nlayers, &go, &in->d.warnings,
                     &in->r, e) != 0)
        return err_prefix(e, "%s", path);
    in->analyse_ms = (core_now() - t0) * 1000;
    return 0;
}

/* ------------------------------------------------------------------ JSON */

static cJSON *bbox_json(const struct geom_bbox *b)
{
    if (b->min_x > b->max_x)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "min_x", b->min_x);
    cJSON_AddNumberToObject(o, "min_y", b->min_y);
    cJSON_AddNumberToObject(o, "max_x", b->max_x);
    cJSON_AddNumberToObject(o, "max_y", b->max_y);
    cJSON_AddNumberToObject(o, "width", b->max_x - b->min_x);
    cJSON_AddNumberToObject(o, "height", b->max_y - b->min_y);
    return o;
}

/* smallest_hole_mm is null when there is no hole, not a made-up 0. */
static void add_hole(cJSON *o, size_t holes, double smallest)
{
    cJSON_AddNumberToObject(o, "holes", (double)holes);
    if (holes)
        cJSON_AddNumberToObject(o, "smallest_hole_mm", smallest);
    else
        cJSON_AddNullToObject(o, "smallest_hole_mm");
}

static cJSON *counts_json(const struct dxf_count *v, size_t n)
{
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; i < n; i++)
        cJSON_AddNumberToObject(o, v[i].type, (double)v[i].n);
    return o;
}

cJSON *inspect_json(const struct inspection *in)
{
    const struct dxf_drawing *d = &in->d;
    const struct geom_report *r = &in->r;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "file", in->path);
    cJSON_AddStringToObject(o, "dxf_version", d->version);
    cJSON_AddBoolToObject(o, "binary", d->binary);
    cJSON_AddStringToObject(o, "units", d->units);
    cJSON_AddStringToObject(o, "units_source", d->units_source);
    cJSON_AddNumberToObject(o, "mm_per_unit", d->mm_per_unit);
    cJSON_AddItemToObject(o, "entities", counts_json(d->cut, d->ncut));
    cJSON_AddItemToObject(o, "ignored", counts_json(d->ignored, d->nignored));
    cJSON_AddNumberToObject(o, "cut_length_mm", r->cut_length_mm);
    cJSON_AddNumberToObject(o, "pierces", (double)r->pierces);
    cJSON_AddNumberToObject(o, "area_mm2", r->area_mm2);
    cJSON_AddItemToObject(o, "bbox", bbox_json(&r->bbox));
    cJSON *ct = cJSON_AddObjectToObject(o, "contours");
    cJSON_AddNumberToObject(ct, "closed", (double)r->closed);
    cJSON_AddNumberToObject(ct, "open", (double)r->open);
    add_hole(o, r->holes, r->smallest_hole_mm);

    cJSON *parts = cJSON_AddArrayToObject(o, "parts");
    for (size_t i = 0; i < r->nparts; i++) {
        const struct geom_part *p = &r->parts[i];
        cJSON *pj = cJSON_CreateObject();
        cJSON_AddNumberToObject(pj, "cut_length_mm", p->cut_length_mm);
        cJSON_AddNumberToObject(pj, "pierces", (double)p->pierces);
        cJSON_AddNumberToObject(pj, "area_mm2", p->area_mm2);
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
        cJSON_AddNumberToObject(lj, "cut_length_mm", r->layers[i].cut_length_mm);
        cJSON_AddNumberToObject(lj, "entities", (double)r->layers[i].entities);
        cJSON_AddItemToArray(layers, lj);
    }
    cJSON *warnings = cJSON_AddArrayToObject(o, "warnings");
    for (size_t i = 0; i < d->warnings.n; i++) {
        const struct geom_warning *w = &d->warnings.v[i];
        cJSON *wj = cJSON_CreateObject();
        cJSON_AddStringToObject(wj, "code", w->code);
        cJSON_AddStringToObject(wj, "message", w->msg);
        cJSON_AddNumberToObject(wj, "x", w->x);
        cJSON_AddNumberToObject(wj, "y", w->y);
        cJSON_AddItemToArray(warnings, wj);
    }
    cJSON *t = cJSON_AddObjectToObject(o, "timing_ms");
    cJSON_AddNumberToObject(t, "read", d->read_ms);
    cJSON_AddNumberToObject(t, "parse", d->parse_ms);
    cJSON_AddNumberToObject(t, "analyse", in->analyse_ms);
    return o;
}

static char *inspection_json(const struct inspection *in)
{
    cJSON *o = inspect_json(in);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!text)
        core_die("out of memory printing JSON");
    return text;
}

/* ------------------------------------------------------------------ text */

static void print_bbox(const char *label, const struct geom_bbox *b)
{
    if (b->min_x > b->max_x) {
        printf("%-14s none\n", label);
        return;
    }
    printf("%-14s %.3f x %.3f mm  (%.3f, %.3f) to (%.3f, %.3f)\n", label, b->max_x - b->min_x,
           b->max_y - b->min_y, b->min_x, b->min_y, b->max_x, b->max_y);
}

static void print_counts(const char *label, const struct dxf_count *v, size_t n)
{
    printf("%-14s", label);
    if (n == 0)
        printf(" none");
    for (size_t i = 0; i < n; i++)
        printf("%s %s %zu", i ? "," : "", v[i].type, v[i].n);
    printf("\n");
}

static void inspection_print(const struct inspection *in)
{
    const struct dxf_drawing *d = &in->d;
    const struct geom_report *r = &in->r;
    printf("%s\n", in->path);
    printf("%-14s %s%s, units %s (%s)\n", "drawing", d->version[0] ? d->version : "no $ACADVER",
           d->binary ? " binary" : "", d->units, d->units_source);
    printf("%-14s %.3f mm\n", "cut length", r->cut_length_mm);
    printf("%-14s %zu (%zu closed, %zu open contours)\n", "pierces", r->pierces, r->closed,
           r->open);
    printf("%-14s %.3f mm2\n", "area", r->area_mm2);
    print_bbox("size", &r->bbox);
    if (r->holes)
        printf("%-14s %zu, smallest %.3f mm\n", "holes", r->holes, r->smallest_hole_mm);
    else
        printf("%-14s none\n", "holes");
    print_counts("entities", d->cut, d->ncut);
    print_counts("not cut", d->ignored, d->nignored);
    if (r->nparts > 1) {
        printf("\n%zu parts:\n", r->nparts);
        for (size_t i = 0; i < r->nparts; i++) {
            const struct geom_part *p = &r->parts[i];
            printf("  %3zu  %10.3f mm cut, %4zu pierces, %12.3f mm2, %.3f x %.3f mm\n", i + 1,
                   p->cut_length_mm, p->pierces, p->area_mm2, p->bbox.max_x - p->bbox.min_x,
                   p->bbox.max_y - p->bbox.min_y);
        }
    }
    printf("\nlayers:\n");
    for (size_t i = 0; i < r->nlayers && i < d->nlayers; i++)
        if (r->layers[i].entities)
            printf("  %-24s %12.3f mm, %zu entities\n", d->layers[i].name,
                   r->layers[i].cut_length_mm, r->layers[i].entities);
    printf("\n%zu warning%s%s\n", d->warnings.n, d->warnings.n == 1 ? "" : "s",
           d->warnings.n ? ":" : "");
    for (size_t i = 0; i < d->warnings.n; i++) {
        const struct geom_warning *w = &d->warnings.v[i];
        printf("  %-20s %s (at %.3f, %.3f)\n", w->code, w->msg, w->x, w->y);
    }
    printf("\ntime: read %.1f ms, parse %.1f ms, analyse %.1f ms\n", d->read_ms, d->parse_ms,
           in->analyse_ms);
}

/* --------------------------------------------------------------- command */

int cli_inspect(int argc, char **argv)
{
    static const struct args_spec opts[] = {{"--config", 1}, {"--json", 0}, {"--units", 1},
                                            {"--thickness", 1}, {NULL, 0}};
    struct args a;
    struct cfg *c;
    struct err e;
    int rc;

    if (args_parse(&a, argc, argv, opts, "inspect") != 0)
        return 2;
    if (a.npos != 1)
        return cli_fail(2, "inspect: expected one FILE.dxf");
    const char *units = args_get(&a, "--units");
    if (units && dxf_unit_mm(units) <= 0)
        return cli_fail(2, "inspect: --units must be mm, cm, m, inch or ft, not '%s'", units);
    double thickness = 0;
    const char *th = args_get(&a, "--thickness");
    if (th) {
        char *end;
        thickness = strtod(th, &end);
        if (end == th || *end || !isfinite(thickness) || thickness <= 0 || thickness > 1000)
            return cli_fail(2, "inspect: --thickness must be a number of mm above 0 and up "
                               "to 1000, not '%s'", th);
    }
    if ((rc = args_config(&a, &c)) != 0)
        return rc;

    struct arena *ar = arena_new((size_t)cfg_int(c, CFG_LIMITS_MEMORY_MB) << 20);
    struct inspection in;

    if (inspect_measure(c, a.pos[0], units, thickness, ar, &in, &e) != 0) {
        rc = cli_fail(1, "%s", e.msg);
        goto done;
    }
    if (args_get(&a, "--json")) {
        char *text = inspection_json(&in);
        puts(text);
        cJSON_free(text);
    } else {
        inspection_print(&in);
    }
    rc = fflush(stdout) == 0 ? 0 : cli_fail(1, "cannot write the report to standard output");
done:
    arena_free(ar);
    cfg_free(c);
    return rc;
}
