/*
 * inspect.c - `dxfquote inspect FILE [--json] [--units U] [--thickness MM]`.
 *
 * Reads one drawing with dxf/, measures it with geom/ and prints either a
 * report for a person or exactly one JSON object (the shape is documented
 * in docs/inspect.md).  Exit 0 when the file was measured, with or without
 * warnings; 1 when it cannot be measured (one line on stderr with the line
 * or byte offset); 2 for bad usage.  Measuring and the JSON are the job
 * system's (jobs/job.h: job_measure_file, job_geometry_json), so the shell
 * measures exactly as the server does, with limits and tolerances from the
 * configuration ([limits], [geometry]); JSON numbers are the shortest text
 * that reads back as the same double.
 */
#include "args.h"
#include "jobs/job.h"

#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static char *inspection_json(const struct job_measured *in)
{
    cJSON *o = job_geometry_json(in);
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

static void inspection_print(const struct job_measured *in)
{
    const struct dxf_drawing *d = &in->d;
    const struct geom_report *r = &in->r;
    printf("%s\n", in->file);
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
    struct job_measured in;

    if (job_measure_file(c, a.pos[0], units, thickness, ar, &in, &e) != 0) {
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
