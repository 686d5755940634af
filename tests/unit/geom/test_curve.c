/*
 * test_curve.c - one curve at a time: length, ends, bounding box, area and
 * flattening for lines, arcs, ellipses and splines, and the warning list.
 * Every expectation is worked out by hand in the comment beside it.
 */
#include "geom/geom.h"
#include "test.h"

#include <math.h>

static const double PI = 3.14159265358979323846;

static struct geom_curve line(double ax, double ay, double bx, double by)
{
    struct geom_curve c = {.kind = GEOM_LINE};
    c.line.a.x = ax, c.line.a.y = ay, c.line.b.x = bx, c.line.b.y = by;
    return c;
}

static struct geom_curve arc(double cx, double cy, double r, double a0, double sweep)
{
    struct geom_curve c = {.kind = GEOM_ARC};
    c.arc.c.x = cx, c.arc.c.y = cy, c.arc.r = r, c.arc.a0 = a0, c.arc.sweep = sweep;
    return c;
}

static struct geom_curve ell(double ux, double uy, double vx, double vy, double t0, double t1)
{
    struct geom_curve c = {.kind = GEOM_ELLIPSE};
    c.ell.u.x = ux, c.ell.u.y = uy, c.ell.v.x = vx, c.ell.v.y = vy, c.ell.t0 = t0, c.ell.t1 = t1;
    return c;
}

static struct geom_curve spline(int degree, int n, const struct geom_pt *p, const double *w,
                                const double *knots)
{
    struct geom_curve c = {.kind = GEOM_SPLINE};
    c.spl.degree = degree, c.spl.n = n, c.spl.p = p, c.spl.w = w, c.spl.knots = knots;
    return c;
}

static struct geom_bbox box(const struct geom_curve *c)
{
    struct geom_bbox b = geom_bbox_empty();
    geom_curve_bbox(c, &b);
    return b;
}

#define CHECK_BOX(b, x0, y0, x1, y1, tol)                                                          \
    do {                                                                                           \
        CHECK_NEAR((b).min_x, x0, tol);                                                            \
        CHECK_NEAR((b).min_y, y0, tol);                                                            \
        CHECK_NEAR((b).max_x, x1, tol);                                                            \
        CHECK_NEAR((b).max_y, y1, tol);                                                            \
    } while (0)

/* Perimeter of the ellipse with semi-axes a, b by the Gauss-Kummer series
 * pi (a + b) sum_n binom(1/2, n)^2 h^n, h = ((a - b)/(a + b))^2: an
 * independent route to the same number. */
static double kummer(double a, double b)
{
    double h = (a - b) * (a - b) / ((a + b) * (a + b)), sum = 0, coef = 1, hn = 1;
    for (int n = 0; n < 60; n++) {
        sum += coef * coef * hn;
        coef *= (0.5 - n) / (n + 1); /* binom(1/2, n+1) from binom(1/2, n) */
        hn *= h;
    }
    return PI * (a + b) * sum;
}

TEST(test_line)
{
    struct geom_curve c = line(1, 2, 4, 6); /* 3-4-5 triangle */
    CHECK_NEAR(geom_curve_length(&c, 0.001), 5, 1e-15);
    struct geom_bbox b = box(&c);
    CHECK_BOX(b, 1, 2, 4, 6, 0);
    CHECK_NEAR(geom_curve_end(&c).y, 6, 0);
    /* x dy - y dx along the line = ax by - bx ay = 6 - 8 */
    CHECK_NEAR(geom_curve_area2(&c), -2, 1e-15);
}

TEST(test_quarter_arc)
{
    /* centre (1,2), r 2, from 0 to 90 degrees: length pi r / 2 = pi, from
     * (3,2) to (1,4), box [1,3] x [2,4]. */
    struct geom_curve c = arc(1, 2, 2, 0, PI / 2);
    CHECK_NEAR(geom_curve_length(&c, 0.001), PI, 1e-14);
    CHECK_NEAR(geom_curve_start(&c).x, 3, 1e-15);
    CHECK_NEAR(geom_curve_end(&c).y, 4, 1e-15);
    struct geom_bbox b = box(&c);
    CHECK_BOX(b, 1, 2, 3, 4, 1e-15);
    /* The sector centre -> arc -> centre encloses pi r^2 / 4 = pi. */
    struct geom_curve in = line(1, 2, 3, 2), out = line(1, 4, 1, 2);
    double a2 = geom_curve_area2(&in) + geom_curve_area2(&c) + geom_curve_area2(&out);
    CHECK_NEAR(a2 / 2, PI, 1e-13);
}

TEST(test_clockwise_arc)
{
    /* A mirrored arc: unit circle from 45 degrees clockwise half a turn to
     * -135 degrees.  It passes 0 (x = 1) and -90 (y = -1) but not 90 or
     * 180.  Start (s, s), end (-s, -s) with s = sqrt(2)/2; box [-s, 1] x
     * [-1, s]; length pi. */
    double s = sqrt(2) / 2;
    struct geom_curve c = arc(0, 0, 1, PI / 4, -PI);
    CHECK_NEAR(geom_curve_length(&c, 0.001), PI, 1e-15);
    CHECK_NEAR(geom_curve_end(&c).x, -s, 1e-15);
    CHECK_NEAR(geom_curve_end(&c).y, -s, 1e-15);
    struct geom_bbox b = box(&c);
    CHECK_BOX(b, -s, -1, 1, s, 1e-15);
    /* Clockwise full circle: area2 = -2 pi r^2 around the origin. */
    struct geom_curve f = arc(0, 0, 3, 0, -2 * PI);
    CHECK_NEAR(geom_curve_area2(&f) / 2, -9 * PI, 1e-12);
    /* Full circle centred away from the origin: still pi r^2. */
    struct geom_curve g = arc(100, -50, 3, 1, 2 * PI);
    CHECK_NEAR(geom_curve_area2(&g) / 2, 9 * PI, 1e-10);
    b = box(&g);
    CHECK_BOX(b, 97, -53, 103, -47, 1e-12);
}

TEST(test_full_ellipse)
{
    /* a = 2, b = 1: perimeter 9.688448220547675 (known value, and the
     * Gauss-Kummer series); box [-2,2] x [-1,1]; area pi a b = 2 pi. */
    struct geom_curve c = ell(2, 0, 0, 1, 0, 2 * PI);
    double len = geom_curve_length(&c, 0.001);
    CHECK_NEAR(len, 9.688448220547675, 9.7e-9);
    CHECK_NEAR(kummer(2, 1), 9.688448220547675, 1e-12);
    struct geom_bbox b = box(&c);
    CHECK_BOX(b, -2, -1, 2, 1, 1e-15);
    CHECK_NEAR(geom_curve_area2(&c) / 2, 2 * PI, 1e-14);
    /* The first quadrant: a quarter of it by symmetry, box [0,2] x [0,1]. */
    struct geom_curve q = ell(2, 0, 0, 1, 0, PI / 2);
    CHECK_NEAR(geom_curve_length(&q, 0.001), 9.688448220547675 / 4, 3e-9);
    b = box(&q);
    CHECK_BOX(b, 0, 0, 2, 1, 1e-15);
    /* Very eccentric, a = 100, b = 0.001 (the series converges too slowly
     * there): with beta = b/a the perimeter is 4a (1 + beta^2/2 (ln(4/beta)
     * - 1/2)) up to O(beta^4 ln beta) = 400.000000248... */
    struct geom_curve e = ell(100, 0, 0, 0.001, 0, 2 * PI);
    double beta = 1e-5, ecc = 400 * (1 + beta * beta / 2 * (log(4 / beta) - 0.5));
    CHECK_NEAR(geom_curve_length(&e, 0.001), ecc, 400e-9);
}

TEST(test_sheared_ellipse)
{
    /* The unit circle through M = [[2, 1], [0, 1]]: u = M(1,0) = (2,0),
     * v = M(0,1) = (1,1), not perpendicular.  M M^T = [[5,1],[1,1]] has
     * eigenvalues 3 +- sqrt 5, so the semi-axes are sqrt(3 +- sqrt 5).
     * x(t) = 2 cos t + sin t peaks at sqrt 5, y = sin t at 1.  Area
     * |det M| pi = 2 pi.  Centred at (10, 20). */
    struct geom_curve c = ell(2, 0, 1, 1, 0, 2 * PI);
    c.ell.c.x = 10, c.ell.c.y = 20;
    double a = sqrt(3 + sqrt(5)), b = sqrt(3 - sqrt(5));
    CHECK_NEAR(geom_curve_length(&c, 0.001), kummer(a, b), 1e-8);
    struct geom_bbox bb = box(&c);
    CHECK_BOX(bb, 10 - sqrt(5), 19, 10 + sqrt(5), 21, 1e-14);
    CHECK_NEAR(geom_curve_area2(&c) / 2, 2 * PI, 1e-12);
    /* Mirrored: v -> -v runs clockwise, area -2 pi, same length. */
    struct geom_curve m = ell(2, 0, -1, -1, 0, 2 * PI);
    CHECK_NEAR(geom_curve_area2(&m) / 2, -2 * PI, 1e-12);
    CHECK_NEAR(geom_curve_length(&m, 0.001), kummer(a, b), 1e-8);
}

/* Quadratic rational arcs with weights 1, sqrt(2)/2, 1 are exact circles. */
TEST(test_nurbs_circle)
{
    double w = sqrt(2) / 2;
    /* Quarter circle r = 10 about the origin from (10,0) to (0,10). */
    struct geom_pt qp[3] = {{10, 0}, {10, 10}, {0, 10}};
    double qw[3] = {1, w, 1}, qk[6] = {0, 0, 0, 1, 1, 1};
    struct geom_curve q = spline(2, 3, qp, qw, qk);
    CHECK_NEAR(geom_curve_length(&q, 0.001), 5 * PI, 5 * PI * 1e-6);
    CHECK_NEAR(geom_curve_end(&q).y, 10, 1e-14);
    struct geom_bbox b = box(&q);
    CHECK_BOX(b, 0, 0, 10, 10, 1e-8);

    /* Full circle r = 10 about (5,5): nine points around the square
     * [-5,15]^2, double knots at the quarters.  Length 20 pi, box the
     * square, area 100 pi, closed at (15, 5). */
    struct geom_pt fp[9] = {{15, 5}, {15, 15}, {5, 15}, {-5, 15}, {-5, 5},
                            {-5, -5}, {5, -5},  {15, -5}, {15, 5}};
    double fw[9] = {1, w, 1, w, 1, w, 1, w, 1};
    double fk[12] = {0, 0, 0, .25, .25, .5, .5, .75, .75, 1, 1, 1};
    struct geom_curve f = spline(2, 9, fp, fw, fk);
    CHECK_NEAR(geom_curve_length(&f, 0.001), 20 * PI, 20 * PI * 1e-6);
    b = box(&f);
    CHECK_BOX(b, -5, -5, 15, 15, 20e-9);
    CHECK_NEAR(geom_curve_area2(&f) / 2, 100 * PI, 1e-9);
    struct geom_pt s = geom_curve_start(&f), e = geom_curve_end(&f);
    CHECK_NEAR(s.x, 15, 1e-14);
    CHECK_NEAR(e.x, 15, 1e-14);
    CHECK_NEAR(e.y, 5, 1e-14);
    /* A finer tolerance gets closer: 1e-9 relative at 1e-7 mm. */
    CHECK_NEAR(geom_curve_length(&f, 1e-7), 20 * PI, 20 * PI * 1e-9);
}

TEST(test_cubic_bezier)
{
    /* (0,0) (1,2) (3,2) (4,0): x = 3t + 3t^2 - 2t^3 (increasing), y = 6t(1-t)
     * peaking at t = 1/2 with 1.5.  Box [0,4] x [0,1.5].  Area under it:
     * int y x' dt = int (6t - 6t^2)(3 + 6t - 6t^2) dt
     *             = int 18t + 18t^2 - 72t^3 + 36t^4 = 9 + 6 - 18 + 7.2 = 4.2,
     * run left to right above the axis: x dy - y dx integrates to -8.4 plus
     * the closing chord on the axis (0). */
    struct geom_pt p[4] = {{0, 0}, {1, 2}, {3, 2}, {4, 0}};
    double k[8] = {0, 0, 0, 0, 1, 1, 1, 1};
    struct geom_curve c = spline(3, 4, p, NULL, k);
    struct geom_bbox b = box(&c);
    CHECK_BOX(b, 0, 0, 4, 1.5, 4e-9);
    CHECK_NEAR(geom_curve_area2(&c), -8.4, 1e-12);
    /* Length by Simpson's rule on |(x', y')| with 20000 panels. */
    double ref = 0, h = 1.0 / 20000;
    for (int i = 0; i <= 20000; i++) {
        double t = i * h, dx = 3 + 6 * t - 6 * t * t, dy = 6 - 12 * t;
        double f = hypot(dx, dy), wgt = (i == 0 || i == 20000) ? 1 : (i % 2 ? 4 : 2);
        ref += wgt * f * h / 3;
    }
    CHECK_NEAR(geom_curve_length(&c, 0.001), ref, ref * 1e-6);
    CHECK_NEAR(geom_curve_length(&c, 1e-8), ref, ref * 1e-10);
}

TEST(test_periodic_spline)
{
    /* Uniform cubic B-spline, unclamped knots 0..10, control points the
     * diamond (1,0) (0,1) (-1,0) (0,-1) wrapped with the first three again:
     * a closed curve over [3, 7].  At a knot it is (P[i-1] + 4 P[i] +
     * P[i+1]) / 6, e.g. (0, 2/3) at the start; the tangent there is
     * parallel to P[i+1] - P[i-1], so the knots are the extremes and the
     * box is [-2/3, 2/3]^2.  Area: it is symmetric, so check only sign. */
    struct geom_pt p[7] = {{1, 0}, {0, 1}, {-1, 0}, {0, -1}, {1, 0}, {0, 1}, {-1, 0}};
    double k[11] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    struct geom_curve c = spline(3, 7, p, NULL, k);
    struct geom_pt s = geom_curve_start(&c), e = geom_curve_end(&c);
    CHECK_NEAR(s.x, 0, 1e-15);
    CHECK_NEAR(s.y, 2.0 / 3, 1e-15);
    CHECK_NEAR(e.x, s.x, 1e-15);
    CHECK_NEAR(e.y, s.y, 1e-15);
    struct geom_bbox b = box(&c);
    CHECK_BOX(b, -2.0 / 3, -2.0 / 3, 2.0 / 3, 2.0 / 3, 2e-9);
    CHECK(geom_curve_area2(&c) > 0);
    /* Between the inscribed diamond through the knot points (perimeter
     * 4 * sqrt(2) * 2/3) and the box perimeter 16/3. */
    double len = geom_curve_length(&c, 0.001);
    CHECK(len > 4 * sqrt(2) * 2 / 3 && len < 16.0 / 3);
}

TEST(test_degenerate_splines)
{
    struct geom_pt p[4] = {{0, 0}, {1, 2}, {3, 2}, {4, 0}};
    /* Zero and negative weights: measured as if all were 1, never NaN. */
    double w0[4] = {1, 0, -1, 1};
    double k[8] = {0, 0, 0, 0, 1, 1, 1, 1};
    struct geom_curve c = spline(3, 4, p, w0, k);
    double len = geom_curve_length(&c, 0.001);
    CHECK(isfinite(len) && len > 4);
    /* All knots equal: no span, length 0, ends at the control points. */
    double flat[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    c = spline(3, 4, p, NULL, flat);
    CHECK_NEAR(geom_curve_length(&c, 0.001), 0, 0);
    CHECK_NEAR(geom_curve_end(&c).x, 4, 0);
    /* A degree too high to evaluate; a NaN knot; inner double knots. */
    c = spline(GEOM_SPLINE_MAX_DEGREE + 1, 4, p, NULL, k);
    CHECK_NEAR(geom_curve_length(&c, 0.001), 0, 0);
    double nan_k[8] = {0, 0, 0, 0, NAN, 1, 1, 1};
    c = spline(3, 4, p, NULL, nan_k);
    CHECK_NEAR(geom_curve_length(&c, 0.001), 0, 0);
    /* Degree 1 is the control polyline 2 + 2 + 2 ... */
    struct geom_pt q[4] = {{0, 0}, {2, 0}, {2, 2}, {0, 2}};
    double k1[6] = {0, 0, 1, 2, 3, 3};
    c = spline(1, 4, q, NULL, k1);
    CHECK_NEAR(geom_curve_length(&c, 0.001), 6, 1e-15);
    /* ... but a knot of multiplicity degree + 1 breaks it: spans [0,1] and
     * [1,2] are P0-P1 and P2-P3, the jump is not drawn, 2 + 2. */
    double k2[6] = {0, 0, 1, 1, 2, 2};
    c = spline(1, 4, q, NULL, k2);
    CHECK_NEAR(geom_curve_length(&c, 0.001), 4, 1e-15);
    /* A weight of 1e-300 next to 1: hostile but finite. */
    double tiny[4] = {1, 1e-300, 1e300, 1};
    c = spline(3, 4, p, tiny, k);
    CHECK(isfinite(geom_curve_length(&c, 0.001)));
    struct geom_bbox b = box(&c);
    CHECK(isfinite(b.min_x) && isfinite(b.max_y));
}

struct pts {
    struct geom_pt v[4096];
    int n;
};

static int collect(void *ctx, struct geom_pt p)
{
    struct pts *s = ctx;
    if (s->n >= 4096)
        return 1;
    s->v[s->n++] = p;
    return 0;
}

TEST(test_flatten)
{
    /* r = 10, tol 0.01: every chord's midpoint is at least r - tol from the
     * centre, the chords are at most sqrt(8 r tol) long plus rounding. */
    static struct pts s;
    struct geom_curve c = arc(0, 0, 10, 0, 2 * PI);
    s.n = 0;
    CHECK(geom_curve_flatten(&c, 0.01, collect, &s) == 0);
    CHECK(s.n > 8);
    CHECK_NEAR(s.v[0].x, 10, 1e-12);
    CHECK_NEAR(s.v[s.n - 1].x, 10, 1e-12);
    int bad = 0;
    for (int i = 1; i < s.n; i++) {
        double mx = (s.v[i].x + s.v[i - 1].x) / 2, my = (s.v[i].y + s.v[i - 1].y) / 2;
        bad += hypot(mx, my) < 10 - 0.01 - 1e-12;
    }
    CHECK(bad == 0);
    /* The NURBS circle: every vertex on the circle, within tolerance. */
    double w = sqrt(2) / 2;
    struct geom_pt fp[9] = {{10, 0}, {10, 10}, {0, 10}, {-10, 10}, {-10, 0},
                            {-10, -10}, {0, -10}, {10, -10}, {10, 0}};
    double fw[9] = {1, w, 1, w, 1, w, 1, w, 1};
    double fk[12] = {0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
    struct geom_curve f = spline(2, 9, fp, fw, fk);
    s.n = 0;
    CHECK(geom_curve_flatten(&f, 0.01, collect, &s) == 0);
    bad = 0;
    for (int i = 0; i < s.n; i++)
        bad += fabs(hypot(s.v[i].x, s.v[i].y) - 10) > 1e-9;
    for (int i = 1; i < s.n; i++) {
        double mx = (s.v[i].x + s.v[i - 1].x) / 2, my = (s.v[i].y + s.v[i - 1].y) / 2;
        bad += hypot(mx, my) < 10 - 0.01;
    }
    CHECK(bad == 0);
    CHECK(s.n > 8 && s.n < 200);
    /* A stop from the callback is reported. */
    s.n = 4096;
    CHECK(geom_curve_flatten(&c, 0.01, collect, &s) == -1);
}

TEST(test_warn)
{
    struct arena *a = arena_new(0);
    struct geom_warnings w = {0};
    for (int i = 0; i < 100; i++)
        CHECK(geom_warn(a, &w, "zero_length", i, -i, "entity %d has no length", i) == 0);
    CHECK(w.n == 100);
    CHECK_STR(w.v[42].code, "zero_length");
    CHECK_STR(w.v[42].msg, "entity 42 has no length");
    CHECK_NEAR(w.v[99].y, -99, 0);
    CHECK(geom_warn(a, &w, "open_contour", NAN, 1, "x") == 0);
    CHECK_NEAR(w.v[100].x, 0, 0);
    arena_free(a);
    /* An exhausted arena is reported, not crashed on. */
    struct arena *small = arena_new(64);
    struct geom_warnings v = {0};
    CHECK(geom_warn(small, &v, "zero_length", 0, 0, "x") == -1);
    arena_free(small);
}

int main(void)
{
    RUN(test_line);
    RUN(test_quarter_arc);
    RUN(test_clockwise_arc);
    RUN(test_full_ellipse);
    RUN(test_sheared_ellipse);
    RUN(test_nurbs_circle);
    RUN(test_cubic_bezier);
    RUN(test_periodic_spline);
    RUN(test_degenerate_splines);
    RUN(test_flatten);
    RUN(test_warn);
    return test_report();
}
