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

#define GEOM_PI 3.14159265358979323846
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

/* Adaptive Gauss-Kronrod 7-15 of f over [a, b] to rel relative error. */
double geom_integrate(double (*f)(double t, void *ctx), void *ctx, double a, double b, double rel);

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

#endif
