/*
 * fuzz_inspect.c - libFuzzer target on what `dxfquote inspect` runs: the
 * DXF reader, then geom_analyse() on every curve it produced.
 *
 * Limits are small so that one run stays fast and a slow input is a real
 * finding, not a big drawing: 1 MB of file, 20 000 entities after block
 * expansion, nesting 8, degree 11, 2 000 knots, in an arena of 64 MB (an
 * input that needs more must fail cleanly with the memory limit).  The
 * material thickness is set so that tiny_hole, and with it the inscribed
 * circle of every non-circular hole, is exercised.  After a successful
 * analysis the report's invariants are checked: pierces = closed + open
 * contours, every edge names a real curve, parents and parts are in range,
 * figures are finite.  An error return is fine; a crash, a sanitizer
 * report, a leak, a broken invariant (abort) or a hang is not.
 * Seeds: tests/fixtures/dxf, tests/fuzz/regress and ../shared/corpus (see
 * CMakeLists.txt).
 */
#include "dxf/dxf.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok)
        abort();
}

static void check_box(const struct geom_bbox *b)
{
    if (b->min_x > b->max_x)
        return; /* empty */
    check(isfinite(b->min_x) && isfinite(b->min_y) && isfinite(b->max_x) && isfinite(b->max_y));
    check(b->min_y <= b->max_y);
}

static void check_report(const struct dxf_drawing *d, const struct geom_report *r)
{
    check(r->pierces == r->ncontours && r->closed + r->open == r->ncontours);
    check(isfinite(r->cut_length_mm) && r->cut_length_mm >= 0);
    check(isfinite(r->area_mm2) && r->area_mm2 >= 0);
    check_box(&r->bbox);
    size_t edges = 0;
    for (size_t k = 0; k < r->ncontours; k++) {
        const struct geom_contour *c = &r->contours[k];
        check(c->first + c->n <= r->nedges && c->n > 0);
        check(c->parent >= -1 && c->parent < (long)r->ncontours && c->parent != (long)k);
        check(c->part >= -1 && c->part < (long)r->nparts);
        check(isfinite(c->length_mm) && isfinite(c->area_mm2));
        check(c->closed ? c->depth >= 0 : c->depth == -1);
        check_box(&c->bbox);
        edges += c->n;
    }
    check(edges == r->nedges);
    for (size_t i = 0; i < r->nedges; i++)
        check(r->edges[i].curve < d->ncurves);
    for (size_t p = 0; p < r->nparts; p++) {
        check(isfinite(r->parts[p].cut_length_mm) && r->parts[p].area_mm2 >= 0);
        check(r->parts[p].outer == (size_t)-1 || r->parts[p].outer < r->ncontours);
        check(r->parts[p].smallest_hole_mm >= 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dxf_opts o;
    dxf_opts_default(&o);
    o.max_bytes = (size_t)1 << 20;
    o.max_entities = 20000;
    o.max_nesting = 8;
    o.max_spline_knots = 2000;
    struct arena *a = arena_new((size_t)64 << 20);
    struct dxf_drawing d;
    struct err e;
    if (dxf_read_mem(a, data, size, &o, &d, &e) == 0) {
        struct geom_opts go = geom_opts_default();
        go.thickness_mm = 2;
        go.mm_per_unit = d.mm_per_unit;
        struct geom_report r;
        if (geom_analyse(a, d.curves, d.ncurves, d.nlayers, &go, &d.warnings, &r, &e) == 0)
            check_report(&d, &r);
    }
    arena_free(a);
    return 0;
}
