/*
 * nurbs.c - splines: Bezier extraction, then adaptive de Casteljau.
 *
 * Accepts a NURBS of degree 1..GEOM_SPLINE_MAX_DEGREE with n control points
 * and n + degree + 1 knots, clamped or not (periodic splines arrive
 * unclamped): the curve is the part over [knots[degree], knots[n]].  Each
 * non-empty knot span is turned into a rational Bezier piece by inserting
 * its two end knots to full multiplicity (Boehm insertion, written as the
 * blossom f(a..a, b..b) of the span), in homogeneous coordinates.
 *
 * Length: a piece is halved until its control polygon is longer than its
 * chord by less than the chord tolerance; since chord <= arc <= polygon,
 * each leaf is then estimated by Gravesen's (2 chord + (k-1) polygon)/(k+1).
 * Bounding box: piece ends, then pieces whose control box pokes out of the
 * box so far are halved until that control box is within 1e-9 of the size
 * of the spline (a rational Bezier lies in the hull of its control points
 * when the weights are positive).
 *
 * Invariants: weights used are finite and > 0 (otherwise all are taken as
 * 1), so no projection divides by zero; recursion is at most 48 deep and a
 * spline visits at most 1 << 20 leaves, so a hostile spline costs bounded
 * time even when it cannot meet the tolerance; tolerances never go below
 * what doubles can resolve (1e-12 of the length, 1e-9 of the coordinates
 * when flattening).
 */
#include "geom_int.h"

#include <math.h>
#include <string.h>

#define MAXP       (GEOM_SPLINE_MAX_DEGREE + 1)
#define MAX_DEPTH  48
#define MAX_LEAVES (1L << 20)

/* ------------------------------------------------------------ extraction */

static int spl_rational(const struct geom_curve *c)
{
    if (!c->spl.w)
        return 0;
    for (int i = 0; i < c->spl.n; i++)
        if (!(c->spl.w[i] > 0) || !isfinite(c->spl.w[i]))
            return 0;
    return 1;
}

int geom_spl_valid(const struct geom_curve *c)
{
    int p = c->spl.degree, n = c->spl.n;
    if (c->kind != GEOM_SPLINE || p < 1 || p > GEOM_SPLINE_MAX_DEGREE || n <= p || !c->spl.p ||
        !c->spl.knots)
        return 0;
    for (int i = 0; i < n; i++)
        if (!isfinite(c->spl.p[i].x) || !isfinite(c->spl.p[i].y))
            return 0;
    int spans = 0;
    for (int i = 0; i < n + p + 1; i++)
        if (!isfinite(c->spl.knots[i]))
            return 0;
    for (int i = p; i < n; i++)
        spans += c->spl.knots[i] < c->spl.knots[i + 1];
    return spans > 0;
}

/* The blossom f(t[0], ..., t[p-1]) of the span [knots[i], knots[i+1]):
 * de Boor's triangle with a different argument at each level.  For a
 * non-empty span with sorted knots every denominator is positive; a
 * non-positive one (unsorted knots) takes alpha = 0. */
static struct geom_hpt blossom(const struct geom_curve *c, int rat, int i, const double *t)
{
    int p = c->spl.degree;
    const double *u = c->spl.knots;
    struct geom_hpt d[MAXP];
    for (int j = 0; j <= p; j++) {
        int k = i - p + j;
        double w = rat ? c->spl.w[k] : 1.0;
        d[j].x = c->spl.p[k].x * w;
        d[j].y = c->spl.p[k].y * w;
        d[j].w = w;
    }
    for (int r = 1; r <= p; r++) {
        for (int j = p; j >= r; j--) {
            int k = i - p + j;
            double den = u[k + p + 1 - r] - u[k];
            double a = den > 0 ? (t[r - 1] - u[k]) / den : 0;
            d[j].x = (1 - a) * d[j - 1].x + a * d[j].x;
            d[j].y = (1 - a) * d[j - 1].y + a * d[j].y;
            d[j].w = (1 - a) * d[j - 1].w + a * d[j].w;
        }
    }
    return d[p];
}

static struct geom_pt proj(struct geom_hpt h)
{
    struct geom_pt p = {h.x / h.w, h.y / h.w};
    if (!isfinite(p.x) || !isfinite(p.y))
        p.x = p.y = 0;
    return p;
}

int geom_spl_pieces(const struct geom_curve *c, geom_bez_fn fn, void *ctx)
{
    int p = c->spl.degree, rat = spl_rational(c);
    const double *u = c->spl.knots;
    struct geom_hpt q[MAXP];
    double t[MAXP];
    for (int i = p; i < c->spl.n; i++) {
        if (!(u[i] < u[i + 1]))
            continue;
        for (int j = 0; j <= p; j++) {
            for (int k = 0; k < p; k++)
                t[k] = k < p - j ? u[i] : u[i + 1];
            q[j] = blossom(c, rat, i, t);
        }
        int rc = fn(ctx, q, p);
        if (rc)
            return rc;
    }
    return 0;
}

struct geom_pt geom_spl_end(const struct geom_curve *c, int at_end)
{
    struct geom_pt z = {0, 0};
    if (!geom_spl_valid(c)) {
        if (c->spl.p && c->spl.n > 0)
            return c->spl.p[at_end ? c->spl.n - 1 : 0];
        return z;
    }
    int p = c->spl.degree, n = c->spl.n, i;
    const double *u = c->spl.knots;
    double t[MAXP];
    if (at_end)
        for (i = n - 1; i > p && !(u[i] < u[i + 1]); i--)
            ;
    else
        for (i = p; i < n - 1 && !(u[i] < u[i + 1]); i++)
            ;
    for (int k = 0; k < p; k++)
        t[k] = at_end ? u[i + 1] : u[i];
    return proj(blossom(c, spl_rational(c), i, t));
}

/* ------------------------------------------------------------ subdivision */

static void bez_split(const struct geom_hpt *q, int deg, struct geom_hpt *l, struct geom_hpt *r)
{
    struct geom_hpt t[MAXP];
    memcpy(t, q, (size_t)(deg + 1) * sizeof *t);
    l[0] = t[0];
    r[deg] = t[deg];
    for (int k = 1; k <= deg; k++) {
        for (int j = 0; j <= deg - k; j++) {
            t[j].x = 0.5 * (t[j].x + t[j + 1].x);
            t[j].y = 0.5 * (t[j].y + t[j + 1].y);
            t[j].w = 0.5 * (t[j].w + t[j + 1].w);
        }
        l[k] = t[0];
        r[deg - k] = t[deg - k];
    }
}

struct len_run {
    double tol, sum;
    long leaves;
};

static void len_rec(struct len_run *L, const struct geom_hpt *q, int deg, int depth)
{
    struct geom_pt pt[MAXP];
    for (int j = 0; j <= deg; j++)
        pt[j] = proj(q[j]);
    double poly = 0;
    for (int j = 0; j < deg; j++)
        poly += hypot(pt[j + 1].x - pt[j].x, pt[j + 1].y - pt[j].y);
    double chord = hypot(pt[deg].x - pt[0].x, pt[deg].y - pt[0].y);
    if (!(poly - chord >= fmax(L->tol, 1e-12 * poly)) || depth >= MAX_DEPTH ||
        L->leaves >= MAX_LEAVES) {
        L->leaves++;
        L->sum += (2 * chord + (deg - 1) * poly) / (deg + 1);
        return;
    }
    struct geom_hpt l[MAXP], r[MAXP];
    bez_split(q, deg, l, r);
    len_rec(L, l, deg, depth + 1);
    len_rec(L, r, deg, depth + 1);
}

static int len_piece(void *ctx, const struct geom_hpt *q, int deg)
{
    len_rec(ctx, q, deg, 0);
    return 0;
}

double geom_spl_length(const struct geom_curve *c, double chord_tol)
{
    if (!geom_spl_valid(c))
        return 0;
    struct len_run L = {chord_tol, 0, 0};
    geom_spl_pieces(c, len_piece, &L);
    return L.sum;
}

/* -------------------------------------------------------------- bounding */

struct box_run {
    struct geom_bbox *b;
    double eps;
    long leaves;
};

static int box_ends(void *ctx, const struct geom_hpt *q, int deg)
{
    struct box_run *B = ctx;
    struct geom_pt s = proj(q[0]), e = proj(q[deg]);
    geom_bbox_add(B->b, s.x, s.y);
    geom_bbox_add(B->b, e.x, e.y);
    return 0;
}

static void box_rec(struct box_run *B, const struct geom_hpt *q, int deg, int depth)
{
    struct geom_bbox cb = geom_bbox_empty();
    for (int j = 0; j <= deg; j++) {
        struct geom_pt p = proj(q[j]);
        geom_bbox_add(&cb, p.x, p.y);
    }
    struct geom_bbox *b = B->b;
    if (cb.min_x >= b->min_x && cb.max_x <= b->max_x && cb.min_y >= b->min_y &&
        cb.max_y <= b->max_y)
        return;
    if ((cb.max_x - cb.min_x <= B->eps && cb.max_y - cb.min_y <= B->eps) || depth >= MAX_DEPTH ||
        B->leaves >= MAX_LEAVES) {
        B->leaves++;
        geom_bbox_add(b, cb.min_x, cb.min_y);
        geom_bbox_add(b, cb.max_x, cb.max_y);
        return;
    }
    struct geom_hpt l[MAXP], r[MAXP];
    bez_split(q, deg, l, r);
    struct geom_pt m = proj(r[0]);
    geom_bbox_add(b, m.x, m.y);
    box_rec(B, l, deg, depth + 1);
    box_rec(B, r, deg, depth + 1);
}

static int box_piece(void *ctx, const struct geom_hpt *q, int deg)
{
    box_rec(ctx, q, deg, 0);
    return 0;
}

void geom_spl_bbox(const struct geom_curve *c, struct geom_bbox *b)
{
    struct geom_bbox cp = geom_bbox_empty();
    for (int i = 0; c->spl.p && i < c->spl.n; i++)
        if (isfinite(c->spl.p[i].x) && isfinite(c->spl.p[i].y))
            geom_bbox_add(&cp, c->spl.p[i].x, c->spl.p[i].y);
    if (!geom_spl_valid(c)) {
        if (cp.min_x <= cp.max_x) {
            geom_bbox_add(b, cp.min_x, cp.min_y);
            geom_bbox_add(b, cp.max_x, cp.max_y);
        }
        return;
    }
    /* The spline's own box first, so that the subdivision only refines
     * what pokes out of it, then merged into the caller's box. */
    struct geom_bbox own = geom_bbox_empty();
    struct box_run B = {&own, 1e-9 * fmax(cp.max_x - cp.min_x, cp.max_y - cp.min_y), 0};
    geom_spl_pieces(c, box_ends, &B);
    geom_spl_pieces(c, box_piece, &B);
    geom_bbox_add(b, own.min_x, own.min_y);
    geom_bbox_add(b, own.max_x, own.max_y);
}

/* ------------------------------------------------------------ flattening */

struct flat_run {
    double tol;
    geom_emit_fn emit;
    void *ctx;
    long points;
    int stopped;
};

/* Flat when every inner control point is within tol of the chord: the
 * piece lies in their hull, so the chord is then within tol of it. */
static int flat_enough(const struct geom_pt *pt, int deg, double tol)
{
    double dx = pt[deg].x - pt[0].x, dy = pt[deg].y - pt[0].y, len = hypot(dx, dy);
    for (int j = 1; j < deg; j++) {
        double ex = pt[j].x - pt[0].x, ey = pt[j].y - pt[0].y;
        double d = len > 0 ? fabs(ex * dy - ey * dx) / len : hypot(ex, ey);
        if (!(d <= tol))
            return 0;
    }
    return 1;
}

static void flat_rec(struct flat_run *F, const struct geom_hpt *q, int deg, int depth)
{
    if (F->stopped)
        return;
    struct geom_pt pt[MAXP];
    double scale = 0;
    for (int j = 0; j <= deg; j++) {
        pt[j] = proj(q[j]);
        scale = fmax(scale, fmax(fabs(pt[j].x), fabs(pt[j].y)));
    }
    if (!isfinite(scale) || flat_enough(pt, deg, fmax(F->tol, 1e-9 * scale)) ||
        depth >= MAX_DEPTH || F->points >= MAX_LEAVES) {
        F->points++;
        if (F->emit(F->ctx, pt[deg]))
            F->stopped = 1;
        return;
    }
    struct geom_hpt l[MAXP], r[MAXP];
    bez_split(q, deg, l, r);
    flat_rec(F, l, deg, depth + 1);
    flat_rec(F, r, deg, depth + 1);
}

static int flat_piece(void *ctx, const struct geom_hpt *q, int deg)
{
    struct flat_run *F = ctx;
    flat_rec(F, q, deg, 0);
    return F->stopped;
}

int geom_spl_flatten(const struct geom_curve *c, double tol, geom_emit_fn emit, void *ctx)
{
    if (!geom_spl_valid(c)) {
        for (int i = 0; c->spl.p && i < c->spl.n; i++)
            if (emit(ctx, c->spl.p[i]))
                return -1;
        return 0;
    }
    struct flat_run F = {tol, emit, ctx, 0, 0};
    if (emit(ctx, geom_spl_end(c, 0)))
        return -1;
    geom_spl_pieces(c, flat_piece, &F);
    return F.stopped ? -1 : 0;
}

/* ------------------------------------------------------------------ area */

struct area_piece {
    const struct geom_hpt *q;
    int deg;
    double ox, oy; /* the local origin: the piece's start point */
};

/* For P = (X, Y, W) and p = P / W - o, with Q = (X - oW, Y - oW):
 * p x p' = (Qx Qy' - Qy Qx') / W^2 (the W' terms cancel).  P and P' come from the last two points
 * of de Casteljau.  Measured from o, the terms are of the size of the piece, not of its distance
 * from the origin, so they do not cancel: far from the origin the integral would otherwise drown in
 * rounding and the adaptive rule would subdivide for nothing. */
static double area_integrand(double t, void *ctx)
{
    const struct area_piece *A = ctx;
    struct geom_hpt d[MAXP];
    int deg = A->deg;
    memcpy(d, A->q, (size_t)(deg + 1) * sizeof *d);
    for (int k = 1; k < deg; k++)
        for (int j = 0; j <= deg - k; j++) {
            d[j].x = (1 - t) * d[j].x + t * d[j + 1].x;
            d[j].y = (1 - t) * d[j].y + t * d[j + 1].y;
            d[j].w = (1 - t) * d[j].w + t * d[j + 1].w;
        }
    double W = (1 - t) * d[0].w + t * d[1].w;
    double X = (1 - t) * d[0].x + t * d[1].x - A->ox * W;
    double Y = (1 - t) * d[0].y + t * d[1].y - A->oy * W;
    double dW = d[1].w - d[0].w;
    double dX = deg * (d[1].x - d[0].x - A->ox * dW), dY = deg * (d[1].y - d[0].y - A->oy * dW);
    double v = (X * dY - Y * dX) / (W * W);
    return isfinite(v) ? v : 0;
}

/* The integral of p x dp over the piece is that of (p - o) x dp plus
 * o x (p1 - p0), o its start point.  A polynomial piece (equal weights)
 * of degree up to 7 has a polynomial integrand that one Gauss-Kronrod
 * panel integrates exactly; rational pieces adapt.  Rounding bounds what
 * can be asked: the derivative is a difference of control points as large
 * as `far` (their largest coordinate), so it carries an error of about
 * 1e-16 far, and the integrand about that times `reach` (how far the
 * control points, which hold the piece, go from o).  A tiny piece far
 * from the origin must not be subdivided to chase digits that are not
 * there, so the absolute floor is 1e-13 reach far. */
static int area_piece_fn(void *ctx, const struct geom_hpt *q, int deg)
{
    struct geom_pt p0 = proj(q[0]), p1 = proj(q[deg]);
    double reach = 0, far = fmax(fabs(p0.x), fabs(p0.y));
    for (int j = 1; j <= deg; j++) {
        struct geom_pt p = proj(q[j]);
        reach = fmax(reach, fmax(fabs(p.x - p0.x), fabs(p.y - p0.y)));
        far = fmax(far, fmax(fabs(p.x), fabs(p.y)));
    }
    struct area_piece A = {q, deg, p0.x, p0.y};
    double v = geom_integrate(area_integrand, &A, 0, 1, 1e-12, 1e-13 * reach * far);
    *(double *)ctx += v + (p0.x * (p1.y - p0.y) - p0.y * (p1.x - p0.x));
    return 0;
}

double geom_spl_area2(const struct geom_curve *c)
{
    if (!geom_spl_valid(c))
        return 0;
    double sum = 0;
    geom_spl_pieces(c, area_piece_fn, &sum);
    return sum;
}
