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

/* -------------------------------------------------------------- analysis */

struct geom_opts {
    double join_tol_mm;  /* ends closer than this join (default 0.01) */
    double chord_tol_mm; /* spline and flattening tolerance (default 0.001) */
    double thickness_mm; /* material thickness for tiny_hole; 0 = not given */
    double mm_per_unit;  /* the drawing's unit, only to suggest another one in
                            implausible_size; 0 = mm */
};
/* The defaults above. */
struct geom_opts geom_opts_default(void);

/* One curve of a contour, in the contour's running order: reversed 1 means
 * the curve is run from its end to its start. */
struct geom_edge {
    uint32_t curve;
    uint8_t reversed;
};

struct geom_contour {
    size_t first, n;  /* its edges: report.edges[first .. first + n) */
    int closed;       /* the chain returns to its start (or one closed curve) */
    int depth;        /* closed: 0 outer boundary, 1 hole, 2 island, ...; open: -1 */
    long parent;      /* the closed contour right around it, -1 none */
    long part;        /* index into report.parts, -1 when in no part */
    double length_mm; /* sum of its curves */
    double area_mm2;  /* signed, > 0 counter-clockwise (as run); 0 when open */
    struct geom_bbox bbox;
    double hole_mm; /* holes (odd depth): the diameter for a circle (one full
                       circle, a full circular ellipse, or arcs of one centre
                       and radius); for any other hole the diameter of the
                       largest inscribed circle of its flattening (pole of
                       inaccessibility, polylabel, to 0.01 mm; islands in the
                       hole are ignored), measured only where it decides
                       smallest_hole_mm or tiny_hole, else -1 (not measured:
                       then it is at least the part's smallest hole);
                       0 for contours that are not holes */
};

/* A part: one outer boundary with everything inside it. */
struct geom_part {
    double cut_length_mm; /* its contours plus the duplicates of their curves */
    size_t pierces;       /* its contours, open ones included */
    double area_mm2;      /* outer minus holes plus islands, >= 0 */
    struct geom_bbox bbox;
    size_t holes;
    double smallest_hole_mm; /* 0 when it has no hole */
    size_t outer;            /* its outer contour; (size_t)-1 for the stand-in
                                part of a drawing with no closed contour */
};

struct geom_layer_stat {
    double cut_length_mm;
    size_t entities; /* distinct curve.entity on the layer (entities arrive
                        in ascending order, so a change counts one) */
};

/* Per-curve flags in report.curve_flags. */
enum { GEOM_CURVE_DUPLICATE = 1, GEOM_CURVE_ZERO = 2 };

/* Everything geom_analyse() measures.  All arrays live in the arena passed
 * to it and go when the arena goes. */
struct geom_report {
    double cut_length_mm; /* every curve as drawn, duplicates included */
    size_t pierces;       /* one per contour */
    double area_mm2;      /* sum over the parts */
    struct geom_bbox bbox; /* empty (min > max) when nothing is cut */
    double width_mm, height_mm;
    size_t closed, open; /* contours */
    size_t holes;
    double smallest_hole_mm; /* 0 when there is no hole */
    struct geom_part *parts;
    size_t nparts;
    struct geom_layer_stat *layers; /* nlayers, indexed by curve.layer */
    size_t nlayers;
    struct geom_contour *contours;
    size_t ncontours;
    struct geom_edge *edges;
    size_t nedges;
    uint8_t *curve_flags; /* one per curve */
};

/* Measures a drawing: curves c[0..n) in mm, layers numbered 0..nlayers-1.
 *
 * Curves are chained end to end within o->join_tol_mm into contours
 * (closed or open; duplicates and zero-length curves are left out of the
 * chains but counted in the cut length).  Closed contours are nested by
 * containment into outer boundaries, holes and islands; a part is an outer
 * boundary with everything inside it; an open contour belongs to the part
 * that contains it, or to none (when no part exists at all, one stand-in
 * part holds every open contour).  Drawing problems are appended to w
 * (open_contour, duplicate_geometry, zero_length, tiny_hole,
 * implausible_size, multiple_parts, circle_as_segments), at most 50 per
 * code followed by one line counting the rest.
 *
 * Time is O(n log n) for n curves; scratch memory is released before
 * returning.  Returns 0, or -1 with e filled when the arena limit (or
 * memory) runs out.  o NULL: geom_opts_default(). */
int geom_analyse(struct arena *a, const struct geom_curve *c, size_t n, size_t nlayers,
                 const struct geom_opts *o, struct geom_warnings *w, struct geom_report *r,
                 struct err *e);

#endif
