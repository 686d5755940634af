/*
 * test_analyse.c - whole drawings through geom_analyse(): contours, nesting,
 * parts, holes, per-layer figures and every drawing-problem warning.  The
 * expected figures are worked out by hand beside each drawing.
 */
#include "geom/geom.h"
#include "geom/geom_int.h"
#include "test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const double PI = 3.14159265358979323846;

/* A drawing being built: curves appended in order, one entity each unless
 * a polyline shares one. */
struct dwg {
    struct geom_curve *c;
    size_t n, cap;
    uint32_t layer, entity;
};

static struct geom_curve *add(struct dwg *d, enum geom_kind kind)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 64;
        d->c = realloc(d->c, d->cap * sizeof *d->c);
    }
    struct geom_curve *c = &d->c[d->n++];
    memset(c, 0, sizeof *c);
    c->kind = (uint8_t)kind;
    c->layer = d->layer;
    c->entity = d->entity;
    return c;
}

static void line(struct dwg *d, double ax, double ay, double bx, double by)
{
    struct geom_curve *c = add(d, GEOM_LINE);
    c->line.a.x = ax, c->line.a.y = ay, c->line.b.x = bx, c->line.b.y = by;
}

static void arc(struct dwg *d, double cx, double cy, double r, double a0, double sweep)
{
    struct geom_curve *c = add(d, GEOM_ARC);
    c->arc.c.x = cx, c->arc.c.y = cy, c->arc.r = r, c->arc.a0 = a0, c->arc.sweep = sweep;
}

static void circle(struct dwg *d, double cx, double cy, double r)
{
    arc(d, cx, cy, r, 0, 2 * PI);
}

/* Axis-aligned rectangle as one polyline entity, counter-clockwise. */
static void rect(struct dwg *d, double x0, double y0, double x1, double y1)
{
    line(d, x0, y0, x1, y0);
    line(d, x1, y0, x1, y1);
    line(d, x1, y1, x0, y1);
    line(d, x0, y1, x0, y0);
}

struct run {
    struct arena *a;
    struct geom_warnings w;
    struct geom_report r;
    int rc;
};

static struct run analyse(struct dwg *d, size_t nlayers, const struct geom_opts *o)
{
    struct run R = {.a = arena_new(0)};
    struct err e = {{0}};
    R.rc = geom_analyse(R.a, d->c, d->n, nlayers, o, &R.w, &R.r, &e);
    if (R.rc)
        fprintf(stderr, "geom_analyse: %s\n", e.msg);
    return R;
}

static void done(struct run *R, struct dwg *d)
{
    arena_free(R->a);
    free(d->c);
    memset(d, 0, sizeof *d);
}

static size_t count(const struct run *R, const char *code)
{
    size_t k = 0;
    for (size_t i = 0; i < R->w.n; i++)
        k += strcmp(R->w.v[i].code, code) == 0;
    return k;
}

static const char *msg(const struct run *R, const char *code)
{
    for (size_t i = 0; i < R->w.n; i++)
        if (strcmp(R->w.v[i].code, code) == 0)
            return R->w.v[i].msg;
    return "";
}

TEST(test_plate_with_hole)
{
    /* 100 x 50 plate (layer 0, one polyline) with a 10 mm hole (layer 1):
     * cut 300 + 10 pi, 2 pierces, area 5000 - 25 pi, 1 hole of 10. */
    struct dwg d = {0};
    rect(&d, 0, 0, 100, 50);
    d.layer = 1, d.entity = 1;
    circle(&d, 50, 25, 5);
    struct run R = analyse(&d, 2, NULL);
    CHECK(R.rc == 0);
    CHECK_NEAR(R.r.cut_length_mm, 300 + 10 * PI, 1e-9);
    CHECK(R.r.pierces == 2);
    CHECK_NEAR(R.r.area_mm2, 5000 - 25 * PI, 1e-9);
    CHECK(R.r.holes == 1);
    CHECK_NEAR(R.r.smallest_hole_mm, 10, 1e-12);
    CHECK(R.r.nparts == 1 && R.r.closed == 2 && R.r.open == 0);
    CHECK_NEAR(R.r.width_mm, 100, 0);
    CHECK_NEAR(R.r.height_mm, 50, 0);
    CHECK_NEAR(R.r.parts[0].area_mm2, 5000 - 25 * PI, 1e-9);
    CHECK(R.r.parts[0].pierces == 2 && R.r.parts[0].holes == 1);
    CHECK_NEAR(R.r.layers[0].cut_length_mm, 300, 1e-12);
    CHECK(R.r.layers[0].entities == 1);
    CHECK_NEAR(R.r.layers[1].cut_length_mm, 10 * PI, 1e-12);
    CHECK(R.r.layers[1].entities == 1);
    CHECK(R.w.n == 0);
    /* The contour of the plate keeps its 4 curves in running order. */
    const struct geom_contour *k = &R.r.contours[0];
    CHECK(k->n == 4 && k->closed && k->depth == 0);
    CHECK(R.r.contours[1].depth == 1 && R.r.contours[1].parent == 0);
    done(&R, &d);
}

TEST(test_slot)
{
    /* Slot 20 long, 10 wide: two lines and two semicircles, one line drawn
     * backwards.  Cut 2 * 20 + 2 * 5 pi; area 20 * 10 + 25 pi. */
    struct dwg d = {0};
    line(&d, 0, 0, 20, 0);
    arc(&d, 20, 5, 5, -PI / 2, PI);
    line(&d, 0, 10, 20, 10); /* backwards */
    arc(&d, 0, 5, 5, PI / 2, PI);
    struct run R = analyse(&d, 1, NULL);
    CHECK_NEAR(R.r.cut_length_mm, 40 + 10 * PI, 1e-12);
    CHECK(R.r.pierces == 1 && R.r.closed == 1);
    CHECK_NEAR(R.r.area_mm2, 200 + 25 * PI, 1e-9);
    CHECK(R.r.contours[0].n == 4);
    CHECK(R.w.n == 0);
    done(&R, &d);
    /* The same slot as a hole in a plate: its largest inscribed circle is
     * its width, 10 (to 0.01). */
    rect(&d, -20, -20, 40, 30);
    line(&d, 0, 0, 20, 0);
    arc(&d, 20, 5, 5, -PI / 2, PI);
    line(&d, 0, 10, 20, 10);
    arc(&d, 0, 5, 5, PI / 2, PI);
    R = analyse(&d, 1, NULL);
    CHECK(R.r.holes == 1);
    CHECK_NEAR(R.r.smallest_hole_mm, 10, 0.01);
    CHECK_NEAR(R.r.area_mm2, 60 * 50 - 200 - 25 * PI, 1e-9);
    done(&R, &d);
}

TEST(test_hole_with_island)
{
    /* 100 square, a 60 square hole drawn clockwise, a circle r 10 island:
     * area 10000 - 3600 + 100 pi, 3 pierces, 1 hole whose inscribed circle
     * is 60 across. */
    struct dwg d = {0};
    rect(&d, 0, 0, 100, 100);
    line(&d, 20, 20, 20, 80);
    line(&d, 20, 80, 80, 80);
    line(&d, 80, 80, 80, 20);
    line(&d, 80, 20, 20, 20);
    circle(&d, 50, 50, 10);
    struct run R = analyse(&d, 1, NULL);
    CHECK_NEAR(R.r.area_mm2, 10000 - 3600 + 100 * PI, 1e-9);
    CHECK(R.r.pierces == 3 && R.r.holes == 1 && R.r.nparts == 1);
    CHECK_NEAR(R.r.smallest_hole_mm, 60, 0.01);
    CHECK(R.r.contours[1].depth == 1 && R.r.contours[2].depth == 2);
    CHECK(R.r.contours[2].parent == 1 && R.r.contours[2].part == 0);
    CHECK_NEAR(R.r.contours[1].area_mm2, -3600, 1e-9);
    CHECK(R.w.n == 0);
    done(&R, &d);
}

TEST(test_two_parts)
{
    /* Two 10 x 10 squares apart: 2 parts of 100 each, multiple_parts. */
    struct dwg d = {0};
    rect(&d, 0, 0, 10, 10);
    d.entity = 1;
    rect(&d, 50, 0, 60, 10);
    struct run R = analyse(&d, 1, NULL);
    CHECK(R.r.nparts == 2);
    CHECK_NEAR(R.r.area_mm2, 200, 1e-12);
    CHECK_NEAR(R.r.parts[1].area_mm2, 100, 1e-12);
    CHECK_NEAR(R.r.parts[1].bbox.min_x, 50, 0);
    CHECK_NEAR(R.r.parts[0].cut_length_mm, 40, 1e-12);
    CHECK(count(&R, "multiple_parts") == 1);
    CHECK(R.r.layers[0].entities == 2);
    CHECK_NEAR(R.r.width_mm, 60, 0);
    done(&R, &d);
}

TEST(test_open_contour)
{
    /* A square whose last side stops 0.5 short of the corner: one open
     * contour, gap 0.5 between (0, 0.5) and (0, 0); no closed contour, so
     * one stand-in part holds it. */
    struct dwg d = {0};
    line(&d, 0, 0, 10, 0);
    line(&d, 10, 0, 10, 10);
    line(&d, 10, 10, 0, 10);
    line(&d, 0, 10, 0, 0.5);
    struct run R = analyse(&d, 1, NULL);
    CHECK(R.r.open == 1 && R.r.closed == 0 && R.r.pierces == 1);
    CHECK(count(&R, "open_contour") == 1);
    CHECK_STR(msg(&R, "open_contour"),
              "open contour: gap of 0.500 mm between (0.000, 0.500) and (0.000, 0.000)");
    CHECK(R.r.nparts == 1);
    CHECK_NEAR(R.r.parts[0].cut_length_mm, 39.5, 1e-12);
    CHECK_NEAR(R.r.area_mm2, 0, 0);
    done(&R, &d);
    /* Ends 0.005 apart (under the 0.01 join tolerance) close it. */
    line(&d, 0, 0, 10, 0);
    line(&d, 10, 0.005, 10, 10);
    line(&d, 10, 10, 0, 10);
    line(&d, 0, 10, 0, 0.005);
    R = analyse(&d, 1, NULL);
    CHECK(R.r.closed == 1 && R.r.open == 0 && R.w.n == 0);
    done(&R, &d);
}

TEST(test_duplicates)
{
    /* Square 10 (40) + its bottom drawn again backwards (10, all twice) +
     * a line along the top from x 5 to 25 (20 long, 5 of it twice) + two
     * identical circles r 2 (4 pi twice).  Cut 40 + 10 + 20 + 8 pi.
     * Contours: square, circle, the loose line: 3 pierces. */
    struct dwg d = {0};
    rect(&d, 0, 0, 10, 10);
    line(&d, 10, 0, 0, 0);
    line(&d, 5, 10, 25, 10);
    circle(&d, 5, 5, 2);
    arc(&d, 5, 5, 2, 1, 2 * PI); /* same circle, other start */
    struct run R = analyse(&d, 1, NULL);
    CHECK_NEAR(R.r.cut_length_mm, 70 + 8 * PI, 1e-9);
    CHECK(R.r.pierces == 3 && R.r.closed == 2 && R.r.open == 1);
    CHECK(count(&R, "duplicate_geometry") == 3);
    int saw10 = 0, saw5 = 0, sawc = 0;
    char circ[64];
    snprintf(circ, sizeof circ, "arc repeats another: %.3f mm", 4 * PI);
    for (size_t i = 0; i < R.w.n; i++) {
        saw10 += strstr(R.w.v[i].msg, "line repeats another: 10.000 mm") != NULL;
        saw5 += strstr(R.w.v[i].msg, "line overlaps another: 5.000 mm") != NULL;
        sawc += strstr(R.w.v[i].msg, circ) != NULL;
    }
    CHECK(saw10 == 1 && saw5 == 1 && sawc == 1);
    CHECK(R.r.curve_flags[4] == GEOM_CURVE_DUPLICATE && R.r.curve_flags[5] == 0);
    CHECK(R.r.curve_flags[7] == GEOM_CURVE_DUPLICATE);
    /* The duplicates' lengths still count in the part that holds them;
     * the loose line's middle (15, 10) is outside the square, so it is in
     * no part. */
    CHECK_NEAR(R.r.parts[0].cut_length_mm, 50 + 8 * PI, 1e-9);
    CHECK(!R.r.contours[1].closed && R.r.contours[1].part == -1);
    done(&R, &d);
}

TEST(test_zero_length_and_cap)
{
    /* A square plus 60 zero-length lines: 50 warnings, then one saying 10
     * more; none of them is a contour. */
    struct dwg d = {0};
    rect(&d, 0, 0, 10, 10);
    for (int i = 0; i < 60; i++) {
        d.entity++;
        line(&d, 1 + i * 0.1, 1, 1 + i * 0.1, 1);
    }
    struct run R = analyse(&d, 1, NULL);
    CHECK(count(&R, "zero_length") == 51);
    CHECK_STR(R.w.v[R.w.n - 1].msg, "10 more zero_length warnings not listed");
    CHECK_STR(R.w.v[0].msg, "line of zero length at (1.000, 1.000): remove it");
    CHECK(R.r.pierces == 1 && R.r.open == 0);
    CHECK(R.r.layers[0].entities == 61);
    done(&R, &d);
}

TEST(test_circle_as_segments)
{
    /* A 16-gon on a circle of r 5 at (10, 10) in a 20 square plate. */
    struct dwg d = {0};
    rect(&d, 0, 0, 20, 20);
    for (int i = 0; i < 16; i++) {
        double a = 2 * PI * i / 16, b = 2 * PI * (i + 1) / 16;
        line(&d, 10 + 5 * cos(a), 10 + 5 * sin(a), 10 + 5 * cos(b), 10 + 5 * sin(b));
    }
    struct run R = analyse(&d, 1, NULL);
    CHECK(count(&R, "circle_as_segments") == 1);
    CHECK_STR(msg(&R, "circle_as_segments"),
              "circle of 10.000 mm drawn as 16 line segments; ask for true arcs");
    CHECK_NEAR(R.w.v[0].x, 10, 1e-9);
    /* Its inscribed circle: the apothem 5 cos(pi/16) = 4.9039, x 2. */
    CHECK_NEAR(R.r.smallest_hole_mm, 10 * cos(PI / 16), 0.01);
    done(&R, &d);
}

/* A hole of 60,000 vertices (fuzz finding: one such hole once took 13 s
 * in polylabel): measured within its budget, and about right.  The square
 * of 1000 has its sides cut into 15,000 pieces each (0.067 mm, above the
 * join tolerance), every other point 0.05 mm inwards so that no piece is
 * straight with the next; an even count keeps the corners exact.  Its
 * inscribed circle touches the inward points: 1000 - 2 x 0.05. */
TEST(test_hole_of_many_vertices)
{
    struct dwg d = {0};
    rect(&d, -1000, -1000, 1000, 1000);
    const int per_side = 15000;
    const double h = 500, w = 0.05;
    double px = -h, py = -h;
    for (int side = 0; side < 4; side++) {
        for (int i = 1; i <= per_side; i++) {
            double t = -h + 2 * h * i / per_side, in = (i % 2) ? w : 0;
            double x, y;
            switch (side) {
            case 0: x = t, y = -h + in; break;
            case 1: x = h - in, y = t; break;
            case 2: x = -t, y = h - in; break;
            default: x = -h + in, y = -t; break;
            }
            line(&d, px, py, x, y);
            px = x, py = y;
        }
    }
    struct run R = analyse(&d, 1, NULL);
    CHECK(R.rc == 0);
    CHECK(R.r.nparts == 1 && R.r.holes == 1);
    CHECK_NEAR(R.r.smallest_hole_mm, 2 * (h - w), 0.5);
    done(&R, &d);
}

TEST(test_tiny_hole)
{
    /* Holes of 2 (circle) and 2 x 2 (square, inscribed 2) with 3 mm
     * material: both tiny.  A 4 mm hole is not. */
    struct dwg d = {0};
    rect(&d, 0, 0, 50, 50);
    circle(&d, 10, 10, 1);
    rect(&d, 20, 20, 22, 22);
    circle(&d, 40, 40, 2);
    struct geom_opts o = geom_opts_default();
    o.thickness_mm = 3;
    struct run R = analyse(&d, 1, &o);
    CHECK(count(&R, "tiny_hole") == 2);
    CHECK_STR(msg(&R, "tiny_hole"),
              "hole of 2.000 mm is smaller than the 3.000 mm material thickness");
    CHECK(R.r.holes == 3);
    CHECK_NEAR(R.r.smallest_hole_mm, 2, 0.01);
    arena_free(R.a);
    o.thickness_mm = 1.5;
    R = analyse(&d, 1, &o);
    CHECK(count(&R, "tiny_hole") == 0);
    done(&R, &d);
}

/* A grid of 120 slots 3 mm wide (lines and half circles), measured once
 * as a shape and then known for every copy: at 3 mm material none is
 * called smaller than the thickness (its measure, to 0.01 mm, may fall
 * just under 3), at 4 mm all of them are, each at 3.000 mm. */
static void slot(struct dwg *d, double x, double y, double len, double w)
{
    double r = w / 2;
    line(d, x, y - r, x + len, y - r);
    arc(d, x + len, y, r, -PI / 2, PI);
    line(d, x + len, y + r, x, y + r);
    arc(d, x, y, r, PI / 2, PI);
}

TEST(test_slots_measured_once_each_shape)
{
    struct dwg d = {0};
    rect(&d, 0, 0, 1000, 400);
    for (int i = 0; i < 12; i++)
        for (int j = 0; j < 10; j++)
            slot(&d, 20 + 80 * i + 0.1 * j, 20 + 35 * j, 40, 3);
    struct geom_opts o = geom_opts_default();
    o.thickness_mm = 3;
    struct run R = analyse(&d, 1, &o);
    CHECK(R.r.holes == 120);
    CHECK_NEAR(R.r.smallest_hole_mm, 3, GEOM_HOLE_PREC_MM);
    CHECK(count(&R, "tiny_hole") == 0);
    arena_free(R.a);
    o.thickness_mm = 4;
    R = analyse(&d, 1, &o);
    CHECK(count(&R, "tiny_hole") == GEOM_WARN_CAP + 1); /* the cap, then "70 more" */
    CHECK_STR(msg(&R, "tiny_hole"),
              "hole of 3.000 mm is smaller than the 4.000 mm material thickness");
    done(&R, &d);
}

TEST(test_implausible_size)
{
    /* 0.4 x 0.2 "mm" is 10.16 x 5.08 mm in inches. */
    struct dwg d = {0};
    rect(&d, 0, 0, 0.4, 0.2);
    struct run R = analyse(&d, 1, NULL);
    CHECK(count(&R, "implausible_size") == 1);
    CHECK(strstr(msg(&R, "implausible_size"), "10.2 x 5.1 mm if the units were inch") != NULL);
    done(&R, &d);
    /* 20 m x 100 mm read as inches (25.4 mm each): 787.4 x 3.9 mm if the
     * units were mm. */
    rect(&d, 0, 0, 20000, 100);
    struct geom_opts o = geom_opts_default();
    o.mm_per_unit = 25.4;
    R = analyse(&d, 1, &o);
    CHECK(strstr(msg(&R, "implausible_size"), "787.4 x 3.9 mm if the units were mm") != NULL);
    done(&R, &d);
}

TEST(test_exact_circles_as_holes)
{
    /* A circular ellipse (u = (3,0), v = (0,3)) and two semicircles make
     * exact holes of 6 and 4; the NURBS circle r 5 is measured by its
     * inscribed circle, 10 to 0.01. */
    struct dwg d = {0};
    rect(&d, 0, 0, 100, 30);
    struct geom_curve *e = add(&d, GEOM_ELLIPSE);
    e->ell.c.x = 10, e->ell.c.y = 10, e->ell.u.x = 3, e->ell.v.y = 3, e->ell.t1 = 2 * PI;
    arc(&d, 30, 10, 2, 0, PI);
    arc(&d, 30, 10, 2, PI, PI);
    static const double w = 0.70710678118654752440;
    static struct geom_pt p[9] = {{55, 10}, {55, 15}, {50, 15}, {45, 15}, {45, 10},
                                  {45, 5},  {50, 5},  {55, 5},  {55, 10}};
    static const double wt[9] = {1, w, 1, w, 1, w, 1, w, 1};
    static const double k[12] = {0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
    struct geom_curve *s = add(&d, GEOM_SPLINE);
    s->spl.degree = 2, s->spl.n = 9, s->spl.p = p, s->spl.w = wt, s->spl.knots = k;
    struct run R = analyse(&d, 1, NULL);
    CHECK(R.r.holes == 3 && R.r.closed == 4);
    CHECK_NEAR(R.r.contours[1].hole_mm, 6, 1e-12);
    CHECK_NEAR(R.r.contours[2].hole_mm, 4, 1e-12);
    CHECK_NEAR(R.r.smallest_hole_mm, 4, 1e-12);
    CHECK_NEAR(R.r.area_mm2, 3000 - 9 * PI - 4 * PI - 25 * PI, 1e-6);
    CHECK_NEAR(R.r.cut_length_mm, 260 + 6 * PI + 4 * PI + 10 * PI, 1e-4);
    done(&R, &d);
}

TEST(test_branches)
{
    /* A T of three lines meeting at (5,0) and a star of 1000 lines from
     * the origin: nothing crashes or loops; every curve lands in exactly
     * one contour and the cut length is the sum. */
    struct dwg d = {0};
    line(&d, 0, 0, 5, 0);
    line(&d, 5, 0, 10, 0);
    line(&d, 5, 0, 5, 5);
    for (int i = 0; i < 1000; i++)
        line(&d, 100, 100, 100 + 10 * cos(i * 0.006), 100 + 10 * sin(i * 0.006));
    struct run R = analyse(&d, 1, NULL);
    CHECK_NEAR(R.r.cut_length_mm, 15 + 10000, 1e-6);
    CHECK(R.r.nedges == 1003);
    size_t edges = 0;
    for (size_t i = 0; i < R.r.ncontours; i++)
        edges += R.r.contours[i].n;
    CHECK(edges == 1003);
    CHECK(R.r.closed == 0);
    done(&R, &d);
}

TEST(test_grid_of_holes)
{
    /* A 1010 square plate with 100 x 100 holes: circles r 2 on a 10 mm
     * pitch, every other row drawn as 4 x 4 squares of lines.  Area
     * 1010^2 - 5000 * 4 pi - 5000 * 16; 10001 pierces; smallest hole 4
     * (circle 4, square inscribed 4). */
    struct dwg d = {0};
    rect(&d, 0, 0, 1010, 1010);
    for (int i = 0; i < 100; i++)
        for (int j = 0; j < 100; j++) {
            double x = 10 + 10 * i, y = 10 + 10 * j;
            d.entity++;
            if (j % 2)
                rect(&d, x - 2, y - 2, x + 2, y + 2);
            else
                circle(&d, x, y, 2);
        }
    double t0 = (double)clock() / CLOCKS_PER_SEC;
    struct run R = analyse(&d, 1, NULL);
    double t = (double)clock() / CLOCKS_PER_SEC - t0;
    CHECK(R.rc == 0);
    CHECK(R.r.pierces == 10001 && R.r.holes == 10000 && R.r.nparts == 1);
    CHECK_NEAR(R.r.area_mm2, 1010.0 * 1010 - 5000 * 4 * PI - 5000 * 16, 1e-4);
    CHECK_NEAR(R.r.smallest_hole_mm, 4, 0.01);
    CHECK_NEAR(R.r.cut_length_mm, 4040 + 5000 * 4 * PI + 5000 * 16, 1e-4);
    size_t depth1 = 0;
    for (size_t i = 0; i < R.r.ncontours; i++)
        depth1 += R.r.contours[i].depth == 1 && R.r.contours[i].parent == 0;
    CHECK(depth1 == 10000);
    CHECK(R.w.n == 0);
    fprintf(stderr, "grid of 10000 holes: %.3f s\n", t);
    done(&R, &d);
}

TEST(test_empty)
{
    struct dwg d = {0};
    struct run R = analyse(&d, 0, NULL);
    CHECK(R.rc == 0 && R.r.pierces == 0 && R.r.nparts == 0 && R.w.n == 0);
    CHECK_NEAR(R.r.width_mm, 0, 0);
    CHECK(R.r.bbox.min_x > R.r.bbox.max_x); /* empty, not a box at the origin */
    done(&R, &d);
    /* An arena too small for the report is an error, not a crash. */
    rect(&d, 0, 0, 1, 1);
    struct arena *a = arena_new(32);
    struct geom_warnings w = {0};
    struct geom_report r;
    struct err e = {{0}};
    CHECK(geom_analyse(a, d.c, d.n, 1, NULL, &w, &r, &e) == -1);
    CHECK(strstr(e.msg, "memory") != NULL);
    arena_free(a);
    free(d.c);
}

int main(void)
{
    RUN(test_plate_with_hole);
    RUN(test_slot);
    RUN(test_hole_with_island);
    RUN(test_two_parts);
    RUN(test_open_contour);
    RUN(test_duplicates);
    RUN(test_zero_length_and_cap);
    RUN(test_circle_as_segments);
    RUN(test_hole_of_many_vertices);
    RUN(test_tiny_hole);
    RUN(test_slots_measured_once_each_shape);
    RUN(test_implausible_size);
    RUN(test_exact_circles_as_holes);
    RUN(test_branches);
    RUN(test_grid_of_holes);
    RUN(test_empty);
    return test_report();
}
