/*
 * geom_int.h - private to geom/: what the files of the module share.
 *
 * Nothing outside appliance/geom includes this.  Splines are handled as
 * rational Bezier pieces in homogeneous coordinates (x w, y w, w) with w > 0;
 * a spline whose weights are not all finite and positive is measured as if
 * every weight were 1, so no division by zero can reach the results.
 */
#ifndef DXFQ_GEOM_INT_H
#define DXFQ_GEOM_INT_H

#include "geom.h"

#define GEOM_PI  3.14159265358979323846
#define GEOM_TAU (2.0 * GEOM_PI)

/* A point in homogeneous coordinates: the Cartesian point is (x/w, y/w). */
struct geom_hpt {
    double x, y, w;
};

/* Called once per rational Bezier piece of a spline, in order, with the
 * degree + 1 control points q.  A nonzero return stops the walk. */
typedef int (*geom_bez_fn)(void *ctx, const struct geom_hpt *q, int degree);

/* 1 when the spline can be evaluated: degree in 1..GEOM_SPLINE_MAX_DEGREE,
 * n > degree, arrays present, finite coordinates and knots. */
int geom_spl_valid(const struct geom_curve *c);
/* Walks the Bezier pieces of a valid spline; returns what fn returned last
 * (0 when every piece was visited). */
int geom_spl_pieces(const struct geom_curve *c, geom_bez_fn fn, void *ctx);
/* The point at the start (at_end 0) or end (1) of the spline. */
struct geom_pt geom_spl_end(const struct geom_curve *c, int at_end);
double geom_spl_length(const struct geom_curve *c, double chord_tol);
void geom_spl_bbox(const struct geom_curve *c, struct geom_bbox *b);
int geom_spl_flatten(const struct geom_curve *c, double tol, geom_emit_fn emit, void *ctx);
/* Twice the signed area swept from the origin: integral of x dy - y dx. */
double geom_spl_area2(const struct geom_curve *c);

/* Adaptive Gauss-Kronrod 7-15 of f over [a, b] to rel relative error, or
 * to the absolute error abs when that is larger. */
double geom_integrate(double (*f)(double t, void *ctx), void *ctx, double a, double b, double rel,
                      double abs);

static inline void geom_bbox_add(struct geom_bbox *b, double x, double y)
{
    if (x < b->min_x)
        b->min_x = x;
    if (x > b->max_x)
        b->max_x = x;
    if (y < b->min_y)
        b->min_y = y;
    if (y > b->max_y)
        b->max_y = y;
}

/* A point on the curve away from its ends: half way along the parameter
 * of a line, arc or ellipse, the middle of a spline's first piece. */
struct geom_pt geom_curve_mid(const struct geom_curve *c);

/* ------------------------------------------------------------ analysis */

/* mem.c: asks for huge pages over a large array not yet touched (advice
 * only, see mem.c). */
void geom_advise_huge(void *p, size_t n);
/* malloc of n * size bytes (overflow-checked, at least 1) with that advice,
 * zeroed when zero is set; free() releases it.  NULL when out of memory. */
void *geom_alloc(size_t n, size_t size, int zero);
/* bytes from arena a, advised the same way from 4 MiB on.  NULL on limit. */
void *geom_arena_big(struct arena *a, size_t bytes);

/* sort.c: sorts v[0..n) stably by the bits from lo up (tmp: room for n).
 * Returns v or tmp, whichever holds the result. */
uint64_t *geom_radix_sort(uint64_t *v, uint64_t *tmp, size_t n, int lo);
/* The same for keys with a payload, by the whole key. */
struct geom_kv {
    uint64_t key;
    uint32_t val;
};
struct geom_kv *geom_radix_sort_kv(struct geom_kv *v, struct geom_kv *tmp, size_t n);
/* A key that sorts as the double d does (finite values, -0 before +0). */
uint64_t geom_sort_key(double d);

#define GEOM_NONE     UINT32_MAX
#define GEOM_WARN_CAP 50

/* The state of one geom_analyse() run, shared by chain.c, nest.c, check.c.
 * Arrays marked scratch are malloc'd by analyse.c and freed there. */
struct geom_ctx {
    struct arena *a;
    const struct geom_curve *c;
    size_t n;
    struct geom_opts o;
    struct geom_warnings *w;
    struct geom_report *r;
    double *len;          /* scratch: length of each curve */
    uint32_t *dup_of;     /* scratch: the curve a duplicate repeats, or GEOM_NONE */
    uint32_t *contour_of; /* scratch: the contour of each chained curve, or GEOM_NONE */
    size_t warned[16];    /* warnings per code, for the cap */
    /* nest.c: inscribed diameters by shape, so congruent copies of a hole
     * (a grid of one slot) are measured once.  malloc'd; freed by
     * geom_analyse(). */
    struct geom_shapes *shapes;
};
/* Frees what geom_inscribed() kept. */
void geom_shapes_free(struct geom_shapes *sh);

/* check.c: flags zero-length curves and duplicates (r->curve_flags,
 * dup_of) and warns about them. */
int geom_find_duplicates(struct geom_ctx *x);
/* chain.c: fills r->contours (length, bbox, closed) and r->edges. */
int geom_chain(struct geom_ctx *x);
/* nest.c: areas, depths, parents, parts, hole sizes. */
int geom_nest(struct geom_ctx *x);
/* How closely geom_inscribed() measures a diameter. */
#define GEOM_HOLE_PREC_MM 0.01
/* nest.c: the inscribed diameter of closed contour k (its flattening, to
 * 0.01 mm), or a lower bound of it once that reaches `enough` (INFINITY:
 * always exact).  -1 when memory ran out. */
double geom_inscribed(struct geom_ctx *x, size_t k, double enough);
/* An upper bound of any hole's inscribed diameter: min(width, height,
 * 2 sqrt(area / pi)). */
double geom_hole_bound(const struct geom_contour *ct);
/* check.c: open_contour, circle_as_segments, tiny_hole, implausible_size,
 * multiple_parts. */
int geom_check_contours(struct geom_ctx *x);
/* check.c: a warning under the per-code cap; geom_warn_flush() adds the
 * "and N more" lines.  -1 when the arena is exhausted. */
int geom_warn_capped(struct geom_ctx *x, const char *code, double px, double py, const char *fmt,
                     ...) CORE_PRINTF(5, 6);
int geom_warn_flush(struct geom_ctx *x);

/* Start and end of edge k as run. */
static inline struct geom_pt geom_edge_start(const struct geom_ctx *x, const struct geom_edge *ed)
{
    const struct geom_curve *c = &x->c[ed->curve];
    return ed->reversed ? geom_curve_end(c) : geom_curve_start(c);
}
static inline struct geom_pt geom_edge_end(const struct geom_ctx *x, const struct geom_edge *ed)
{
    const struct geom_curve *c = &x->c[ed->curve];
    return ed->reversed ? geom_curve_start(c) : geom_curve_end(c);
}

#endif
