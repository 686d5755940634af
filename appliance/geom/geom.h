/*
 * geom.h - exact 2D geometry of cut parts: curves, contours, parts, figures.
 *
 * geom knows nothing of DXF, files or units: it takes curves in millimetres
 * (dxf/ has already expanded blocks, applied every transform and the unit
 * factor) and measures them.  It does no I/O.
 *
 * Curves are exact: a line, a circular arc, an elliptic arc, a NURBS.  Any
 * affine map of an arc is an elliptic arc in the conjugate-diameter form
 * below, so mirrored and non-uniformly scaled blocks stay exact.  Nothing is
 * flattened to a fixed number of segments.
 */
#ifndef DXFQ_GEOM_H
#define DXFQ_GEOM_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

struct geom_pt {
    double x, y;
};

struct geom_bbox {
    double min_x, min_y, max_x, max_y; /* empty: min > max */
};

enum geom_kind { GEOM_LINE, GEOM_ARC, GEOM_ELLIPSE, GEOM_SPLINE };

/* One cut curve in world coordinates, millimetres, z dropped (top view). */
struct geom_curve {
    uint8_t kind;    /* enum geom_kind */
    uint32_t layer;  /* index into the caller's layer table */
    uint32_t entity; /* ordinal of the source entity after block expansion:
                        the curves of one polyline share it */
    uint32_t src;    /* where the entity is in the file: line number for
                        ASCII, byte offset for binary; for messages */
    union {
        struct {
            struct geom_pt a, b;
        } line;
        /* p(t) = c + r (cos t, sin t), t from a0 to a0 + sweep.  sweep is
         * signed: negative runs clockwise (a mirrored arc).  A full circle
         * has |sweep| = 2 pi. */
        struct {
            struct geom_pt c;
            double r, a0, sweep;
        } arc;
        /* p(t) = c + u cos t + v sin t, t from t0 to t1 (t0 < t1).  u and v
         * are conjugate semi-diameters: any vectors, not necessarily
         * perpendicular; the ellipse is the affine image of the unit
         * circle.  A full ellipse has t1 - t0 = 2 pi. */
        struct {
            struct geom_pt c, u, v;
            double t0, t1;
        } ell;
        /* NURBS of the given degree with n control points p, weights w
         * (NULL: all 1) and n + degree + 1 knots, evaluated over
         * [knots[degree], knots[n]].  The arrays are owned by whoever owns
         * the curve array (an arena). */
        struct {
            int degree;
            int n;
            const struct geom_pt *p;
            const double *w;
            const double *knots;
        } spl;
    };
};

/* A drawing problem a shop must see before quoting. code is one of:
 * open_contour, duplicate_geometry, zero_length, tiny_hole, text_not_cut,
 * unsupported_entity, units_assumed, implausible_size, multiple_parts,
 * circle_as_segments (and later issues may add more). */
struct geom_warning {
    char code[24];
    char msg[232];
    double x, y; /* where, in mm */
};

/* A growable warning list in an arena; dxf/ and geom/ both append to it. */
struct geom_warnings {
    struct geom_warning *v;
    size_t n, cap;
};
/* Appends one warning; returns -1 only when the arena is exhausted. */
int geom_warn(struct arena *a, struct geom_warnings *w, const char *code, double x, double y,
              const char *fmt, ...) CORE_PRINTF(6, 7);

/* Length of one curve in mm: analytic for lines and arcs, Gauss-Kronrod to
 * 1e-9 relative for ellipses, adaptive subdivision to chord_tol for
 * splines. */
double geom_curve_length(const struct geom_curve *c, double chord_tol);
/* Start and end point of a curve. */
struct geom_pt geom_curve_start(const struct geom_curve *c);
struct geom_pt geom_curve_end(const struct geom_curve *c);
/* Exact bounding box of one curve, grown into *b. */
void geom_curve_bbox(const struct geom_curve *c, struct geom_bbox *b);

/* ---------------------------------------------------------------- curves */

/* The highest spline degree geom evaluates (limits.max_spline_degree may not
 * exceed it).  A spline geom cannot evaluate (degree out of range, too few
 * control points or knots, a NaN) measures 0 and its box is its control
 * points; a spline whose weights are not all finite and positive is measured
 * as if every weight were 1.  dxf/ rejects both before they get here. */
#define GEOM_SPLINE_MAX_DEGREE 32

/* A box with nothing in it (min > max), to grow. */
struct geom_bbox geom_bbox_empty(void);

/* Receives the points of a flattened curve in order; nonzero stops. */
typedef int (*geom_emit_fn)(void *ctx, struct geom_pt p);
/* Emits the start point, then every following vertex of a polyline that
 * stays within tol mm of the curve (tol <= 0: 0.001), ending exactly at
 * the end point.  Arcs and ellipses are cut at equal parameter steps from
 * the curvature bound, splines by subdivision until flat.  At most 1<<20
 * points per curve (coarser beyond).  Returns -1 if emit stopped it. */
int geom_curve_flatten(const struct geom_curve *c, double tol, geom_emit_fn emit, void *ctx);

/* Twice the signed area between the curve and the origin: the integral of
 * x dy - y dx along it (Green's theorem), so the area of a closed contour
 * is half the sum over its curves.  Closed form for lines, arcs and
 * ellipses; splines by Gauss-Kronrod over their Bezier pieces. */
double geom_curve_area2(const struct geom_curve *c);

#endif
