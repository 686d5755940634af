/*
 * curve.c - measuring one curve: length, ends, exact bounding box, signed
 * area (Green), flattening; and the warning list every module appends to.
 *
 * Accepts the four kinds of geom.h in millimetres.  Lines and circular arcs
 * are measured in closed form.  Elliptic arcs (any conjugate semi-diameters
 * u, v, so the affine image of a circle stays exact) are integrated by
 * adaptive Gauss-Kronrod 7-15 to 1e-9 relative; their boxes and areas are
 * closed form.  Splines are delegated to nurbs.c.
 *
 * Invariants: nothing returns NaN for finite input; every loop and every
 * recursion is bounded (integration depth 40, at most 1<<20 flattening
 * points per curve).
 */
#include "geom_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* --------------------------------------------------------------- warnings */

int geom_warn(struct arena *a, struct geom_warnings *w, const char *code, double x, double y,
              const char *fmt, ...)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 16;
        void *v = arena_grow(a, w->v, w->cap * sizeof *w->v, cap * sizeof *w->v);
        if (!v)
            return -1;
        w->v = v;
        w->cap = cap;
    }
    struct geom_warning *g = &w->v[w->n++];
    memset(g, 0, sizeof *g);
    snprintf(g->code, sizeof g->code, "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g->msg, sizeof g->msg, fmt, ap);
    va_end(ap);
    g->x = isfinite(x) ? x : 0;
    g->y = isfinite(y) ? y : 0;
    return 0;
}

/* ------------------------------------------------------------ integration */

/* Gauss-Kronrod 7-15 nodes on [-1, 1] (the positive half, centre last). */
static const double gk_x[8] = {
    0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
    0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
    0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
    0.207784955007898467600689403773245, 0.000000000000000000000000000000000};
static const double gk_wk[8] = {
    0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
    0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
    0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
    0.204432940075298892414161999234649, 0.209482141084727828012999174891714};
static const double gk_wg[4] = {
    0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
    0.381830050505118944950369775488975, 0.417959183673469387755102040816327};

/* One K15 panel: its value, |K15 - G7| and the K15 integral of |f|. */
static double gk15(double (*f)(double, void *), void *ctx, double a, double b, double *err,
                   double *absval)
{
    double h = 0.5 * (b - a), m = 0.5 * (a + b);
    double fc = f(m, ctx);
    double k = fc * gk_wk[7], g = fc * gk_wg[3], ka = fabs(fc) * gk_wk[7];
    for (int i = 0; i < 7; i++) {
        double f1 = f(m - h * gk_x[i], ctx), f2 = f(m + h * gk_x[i], ctx);
        k += gk_wk[i] * (f1 + f2);
        ka += gk_wk[i] * (fabs(f1) + fabs(f2));
        if (i % 2 == 1)
            g += gk_wg[i / 2] * (f1 + f2);
    }
    *err = fabs((k - g) * h);
    *absval = fabs(ka * h);
    return k * h;
}

struct gk_run {
    double (*f)(double, void *);
    void *ctx;
    double whole, tol;
    long panels; /* budget: at most 1 << 16 panels per integral */
};

static double gk_adapt(struct gk_run *g, double a, double b, int depth)
{
    double err, absval, v = gk15(g->f, g->ctx, a, b, &err, &absval);
    g->panels++;
    if (!isfinite(v))
        return 0;
    if (err <= g->tol * (b - a) / g->whole || depth >= 40 || g->panels >= (1L << 16))
        return v;
    double m = 0.5 * (a + b);
    return gk_adapt(g, a, m, depth + 1) + gk_adapt(g, m, b, depth + 1);
}

/* The tolerance is rel times the integral, but never below abs nor below
 * 1e-14 of the integral of |f|: an integral that cancels to zero must not
 * ask for more digits than doubles hold.  abs is the caller's floor for
 * an integrand whose terms cancel (their size times the rounding). */
double geom_integrate(double (*f)(double t, void *ctx), void *ctx, double a, double b, double rel,
                      double abs)
{
    if (!(b > a))
        return 0;
    double err, absval, rough = gk15(f, ctx, a, b, &err, &absval);
    struct gk_run g = {f, ctx, b - a, fmax(fmax(rel * fabs(rough), 1e-14 * absval), abs), 0};
    if (!(g.tol > 0))
        return isfinite(rough) ? rough : 0;
    return gk_adapt(&g, a, b, 0);
}

/* ------------------------------------------------------------- primitives */

struct geom_bbox geom_bbox_empty(void)
{
    struct geom_bbox b = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    return b;
}

static struct geom_pt ell_at(const struct geom_curve *c, double t)
{
    double ct = cos(t), st = sin(t);
    struct geom_pt p = {c->ell.c.x + c->ell.u.x * ct + c->ell.v.x * st,
                        c->ell.c.y + c->ell.u.y * ct + c->ell.v.y * st};
    return p;
}

static struct geom_pt arc_at(const struct geom_curve *c, double t)
{
    struct geom_pt p = {c->arc.c.x + c->arc.r * cos(t), c->arc.c.y + c->arc.r * sin(t)};
    return p;
}

static double ell_speed(double t, void *ctx)
{
    const struct geom_curve *c = ctx;
    double ct = cos(t), st = sin(t);
    return hypot(c->ell.v.x * ct - c->ell.u.x * st, c->ell.v.y * ct - c->ell.u.y * st);
}

/* Ellipse arcs are integrated a quarter turn at a time so that each piece
 * is smooth and the adaptive rule sees the flat parts of an eccentric
 * ellipse separately. */
static double ell_length(const struct geom_curve *c)
{
    double t0 = c->ell.t0, t1 = c->ell.t1;
    if (!(t1 > t0) || !isfinite(t0) || !isfinite(t1))
        return 0;
    if (t1 - t0 > GEOM_TAU)
        t1 = t0 + GEOM_TAU;
    double sum = 0;
    for (double a = t0; a < t1;) {
        double b = a + GEOM_PI / 2 < t1 ? a + GEOM_PI / 2 : t1;
        sum += geom_integrate(ell_speed, (void *)c, a, b, 1e-11, 0);
        a = b;
    }
    return sum;
}

double geom_curve_length(const struct geom_curve *c, double chord_tol)
{
    double v = 0;
    switch (c->kind) {
    case GEOM_LINE:
        v = hypot(c->line.b.x - c->line.a.x, c->line.b.y - c->line.a.y);
        break;
    case GEOM_ARC:
        v = fabs(c->arc.r * c->arc.sweep);
        break;
    case GEOM_ELLIPSE:
        v = ell_length(c);
        break;
    case GEOM_SPLINE:
        v = geom_spl_length(c, chord_tol > 0 ? chord_tol : 0.001);
        break;
    }
    return isfinite(v) ? v : 0;
}

struct geom_pt geom_curve_start(const struct geom_curve *c)
{
    switch (c->kind) {
    case GEOM_LINE:
        return c->line.a;
    case GEOM_ARC:
        return arc_at(c, c->arc.a0);
    case GEOM_ELLIPSE:
        return ell_at(c, c->ell.t0);
    default:
        return geom_spl_end(c, 0);
    }
}

struct geom_pt geom_curve_end(const struct geom_curve *c)
{
    switch (c->kind) {
    case GEOM_LINE:
        return c->line.b;
    case GEOM_ARC:
        return arc_at(c, c->arc.a0 + c->arc.sweep);
    case GEOM_ELLIPSE:
        return ell_at(c, c->ell.t1);
    default:
        return geom_spl_end(c, 1);
    }
}

/* 1 when angle t (any turn) falls in [lo, lo + span]. */
static int angle_in(double t, double lo, double span)
{
    if (span >= GEOM_TAU)
        return 1;
    double d = fmod(t - lo, GEOM_TAU);
    if (d < 0)
        d += GEOM_TAU;
    return d <= span;
}

/* x(t) = cx + ux cos t + vx sin t is extreme where tan t = vx / ux, i.e. at
 * t = atan2(vx, ux) (maximum, cx + |(ux, vx)|) and that plus pi (minimum);
 * likewise y.  Those inside the range and the two ends make the box. */
static void ell_bbox(const struct geom_curve *c, struct geom_bbox *b)
{
    double t0 = c->ell.t0, span = c->ell.t1 - c->ell.t0;
    struct geom_pt s = ell_at(c, t0), e = ell_at(c, c->ell.t1);
    geom_bbox_add(b, s.x, s.y);
    geom_bbox_add(b, e.x, e.y);
    double tx = atan2(c->ell.v.x, c->ell.u.x), ty = atan2(c->ell.v.y, c->ell.u.y);
    double rx = hypot(c->ell.u.x, c->ell.v.x), ry = hypot(c->ell.u.y, c->ell.v.y);
    if (angle_in(tx, t0, span))
        geom_bbox_add(b, c->ell.c.x + rx, s.y);
    if (angle_in(tx + GEOM_PI, t0, span))
        geom_bbox_add(b, c->ell.c.x - rx, s.y);
    if (angle_in(ty, t0, span))
        geom_bbox_add(b, s.x, c->ell.c.y + ry);
    if (angle_in(ty + GEOM_PI, t0, span))
        geom_bbox_add(b, s.x, c->ell.c.y - ry);
}

static void arc_bbox(const struct geom_curve *c, struct geom_bbox *b)
{
    double lo = c->arc.sweep >= 0 ? c->arc.a0 : c->arc.a0 + c->arc.sweep;
    double span = fabs(c->arc.sweep);
    double cx = c->arc.c.x, cy = c->arc.c.y, r = c->arc.r;
    if (span >= GEOM_TAU) {
        /* A full turn: the four extremes.  Its ends lie between them even
         * when rounded (|r cos t| <= |r|, and rounding keeps order), so
         * the box is the same as below, without two sin/cos. */
        geom_bbox_add(b, cx + r, cy + r);
        geom_bbox_add(b, cx - r, cy - r);
        return;
    }
    struct geom_pt s = geom_curve_start(c), e = geom_curve_end(c);
    geom_bbox_add(b, s.x, s.y);
    geom_bbox_add(b, e.x, e.y);
    if (angle_in(0, lo, span))
        geom_bbox_add(b, cx + r, cy);
    if (angle_in(GEOM_PI / 2, lo, span))
        geom_bbox_add(b, cx, cy + r);
    if (angle_in(GEOM_PI, lo, span))
        geom_bbox_add(b, cx - r, cy);
    if (angle_in(1.5 * GEOM_PI, lo, span))
        geom_bbox_add(b, cx, cy - r);
}

void geom_curve_bbox(const struct geom_curve *c, struct geom_bbox *b)
{
    switch (c->kind) {
    case GEOM_LINE:
        geom_bbox_add(b, c->line.a.x, c->line.a.y);
        geom_bbox_add(b, c->line.b.x, c->line.b.y);
        break;
    case GEOM_ARC:
        arc_bbox(c, b);
        break;
    case GEOM_ELLIPSE:
        ell_bbox(c, b);
        break;
    case GEOM_SPLINE:
        geom_spl_bbox(c, b);
        break;
    }
}

/* ------------------------------------------------------------------ area */

double geom_curve_area2(const struct geom_curve *c)
{
    double v = 0;
    switch (c->kind) {
    case GEOM_LINE:
        v = c->line.a.x * c->line.b.y - c->line.b.x * c->line.a.y;
        break;
    case GEOM_ARC: {
        /* x dy - y dx = (r cx cos t + r cy sin t + r^2) dt */
        double r = c->arc.r, t0 = c->arc.a0, t1 = c->arc.a0 + c->arc.sweep;
        v = r * c->arc.c.x * (sin(t1) - sin(t0)) - r * c->arc.c.y * (cos(t1) - cos(t0)) +
            r * r * c->arc.sweep;
        break;
    }
    case GEOM_ELLIPSE: {
        /* p x p' = c x p' + u x v, so the integral is c x (p1 - p0) + (u x v)(t1 - t0) */
        struct geom_pt p0 = ell_at(c, c->ell.t0), p1 = ell_at(c, c->ell.t1);
        double dx = p1.x - p0.x, dy = p1.y - p0.y;
        double uv = c->ell.u.x * c->ell.v.y - c->ell.u.y * c->ell.v.x;
        v = c->ell.c.x * dy - c->ell.c.y * dx + uv * (c->ell.t1 - c->ell.t0);
        break;
    }
    case GEOM_SPLINE:
        v = geom_spl_area2(c);
        break;
    }
    return isfinite(v) ? v : 0;
}

/* ------------------------------------------------------------- flattening */

#define FLAT_MAX_POINTS (1 << 20)

/* Equal parameter steps h with chord error <= |p''| h^2 / 8 <= tol, where
 * |p''| <= rmax (the largest radius); tol is at least 1e-9 rmax, which
 * bounds a full turn to 70,000 points. */
static long flat_steps(double span, double rmax, double tol)
{
    if (!(span > 0) || !(rmax > 0))
        return 1;
    double h = sqrt(8 * fmax(tol, 1e-9 * rmax) / rmax);
    double n = ceil(span / h);
    if (!(n >= 1))
        n = 1;
    if (n > FLAT_MAX_POINTS)
        n = FLAT_MAX_POINTS;
    return (long)n;
}

int geom_curve_flatten(const struct geom_curve *c, double tol, geom_emit_fn emit, void *ctx)
{
    if (!(tol > 0))
        tol = 0.001;
    switch (c->kind) {
    case GEOM_LINE:
        if (emit(ctx, c->line.a) || emit(ctx, c->line.b))
            return -1;
        return 0;
    case GEOM_ARC: {
        double sweep = c->arc.sweep;
        if (fabs(sweep) > GEOM_TAU)
            sweep = sweep > 0 ? GEOM_TAU : -GEOM_TAU;
        long n = flat_steps(fabs(sweep), fabs(c->arc.r), tol);
        for (long i = 0; i <= n; i++)
            if (emit(ctx, arc_at(c, c->arc.a0 + sweep * (double)i / (double)n)))
                return -1;
        return 0;
    }
    case GEOM_ELLIPSE: {
        double t0 = c->ell.t0, span = c->ell.t1 - c->ell.t0;
        if (span > GEOM_TAU)
            span = GEOM_TAU;
        double rmax = hypot(c->ell.u.x, c->ell.u.y) + hypot(c->ell.v.x, c->ell.v.y);
        long n = flat_steps(span, rmax, tol);
        for (long i = 0; i <= n; i++)
            if (emit(ctx, ell_at(c, t0 + span * (double)i / (double)n)))
                return -1;
        return 0;
    }
    default:
        return geom_spl_flatten(c, tol, emit, ctx);
    }
}

/* -------------------------------------------------------------- midpoint */

static int mid_piece(void *ctx, const struct geom_hpt *q, int deg)
{
    /* de Casteljau at 1/2 of the first piece, then stop the walk. */
    struct geom_hpt t[GEOM_SPLINE_MAX_DEGREE + 1];
    memcpy(t, q, (size_t)(deg + 1) * sizeof *t);
    for (int k = 1; k <= deg; k++)
        for (int j = 0; j <= deg - k; j++) {
            t[j].x = 0.5 * (t[j].x + t[j + 1].x);
            t[j].y = 0.5 * (t[j].y + t[j + 1].y);
            t[j].w = 0.5 * (t[j].w + t[j + 1].w);
        }
    struct geom_pt *m = ctx;
    m->x = t[0].x / t[0].w;
    m->y = t[0].y / t[0].w;
    if (!isfinite(m->x) || !isfinite(m->y))
        m->x = m->y = 0;
    return 1;
}

struct geom_pt geom_curve_mid(const struct geom_curve *c)
{
    struct geom_pt m = {0, 0};
    switch (c->kind) {
    case GEOM_LINE:
        m.x = 0.5 * (c->line.a.x + c->line.b.x);
        m.y = 0.5 * (c->line.a.y + c->line.b.y);
        return m;
    case GEOM_ARC:
        return arc_at(c, c->arc.a0 + 0.5 * c->arc.sweep);
    case GEOM_ELLIPSE:
        return ell_at(c, 0.5 * (c->ell.t0 + c->ell.t1));
    default:
        if (!geom_spl_valid(c))
            return geom_spl_end(c, 0);
        geom_spl_pieces(c, mid_piece, &m);
        return m;
    }
}
