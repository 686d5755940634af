/*
 * fuzz_dxf.c - libFuzzer target on the DXF reader and the curve measures.
 *
 * Each input is read as a DXF drawing with limits small enough to keep one
 * run fast (1 MB, 200 000 entities, nesting 16, 10 000 knots) inside an
 * arena of 256 MB; every curve that comes out is measured (length, ends,
 * bounding box), so what the reader emits is what geom accepts.  An error
 * return is fine; a crash, a sanitizer report, a leak or a hang is not.
 * Seeds: tests/fixtures/dxf and ../shared/corpus (see CMakeLists.txt).
 */
#include "dxf/dxf.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dxf_opts o;
    dxf_opts_default(&o);
    o.max_bytes = (size_t)1 << 20;
    o.max_entities = 200000;
    o.max_spline_knots = 10000;
    struct arena *a = arena_new((size_t)256 << 20);
    struct dxf_drawing d;
    struct err e;
    if (dxf_read_mem(a, data, size, &o, &d, &e) == 0) {
        struct geom_bbox b = {1, 1, 0, 0};
        double len = 0;
        for (size_t i = 0; i < d.ncurves; i++) {
            len += geom_curve_length(&d.curves[i], 1e-3);
            geom_curve_bbox(&d.curves[i], &b);
            struct geom_pt p = geom_curve_start(&d.curves[i]), q = geom_curve_end(&d.curves[i]);
            len += 0 * (p.x + q.y);
        }
        for (size_t i = 0; i < d.nlayers; i++)
            (void)d.layers[i].name[0];
        (void)len;
    }
    arena_free(a);
    return 0;
}
