/*
 * draw.c - a part as crisp vector outlines in its table cell.
 *
 * Accepts the curves and the report of geom_analyse(): each contour is an
 * ordered list of edges over the curves (an edge may run its curve
 * backwards).  Lines become PDF line segments; circular and elliptic arcs
 * become cubic Beziers of at most a quarter turn of their parameter (the
 * affine image of a circle's Bezier is the ellipse's, so one formula serves
 * both: off by under 0.03 % of the radius); splines are flattened by
 * geom_curve_flatten() to 0.05 pt on the page.  Closed contours go into one
 * path filled even-odd (holes clear, islands filled) and outlined; open
 * contours are stroked alone in orange so a shop sees the drawing problem.
 *
 * Limits: contours smaller than 0.3 pt on the page are left out (they
 * would be a speck of ink; a sheet of thousands of 1 mm holes would
 * otherwise bloat the page).  Non-finite coordinates are skipped.  The
 * spline point buffer is the only allocation; it lives until
 * pdf_draw_free().
 */
#include "pdf_int.h"

#include <math.h>
#include <stdlib.h>

#define HALF_PI 1.57079632679489661923

struct pdf_geom_scratch {
    struct geom_pt *p;
    size_t n, cap;
};

/* Page mapping: X = ox + (x - mx) * s. */
struct map {
    HPDF_Page page;
    double ox, oy, mx, my, s;
};

static double mx_(const struct map *m, double x)
{
    return m->ox + (x - m->mx) * m->s;
}

static double my_(const struct map *m, double y)
{
    return m->oy + (y - m->my) * m->s;
}

static void line_to(const struct map *m, struct geom_pt p)
{
    if (isfinite(p.x) && isfinite(p.y))
        HPDF_Page_LineTo(m->page, (HPDF_REAL)mx_(m, p.x), (HPDF_REAL)my_(m, p.y));
}

/* p(t) = c + u cos t + v sin t from ta to tb (either direction), as cubic
 * Beziers: each piece's inner control points lie along the tangent at
 * distance h = 4/3 tan(dt/4) in parameter units. */
static void ell_to(const struct map *m, struct geom_pt c, struct geom_pt u, struct geom_pt v,
                   double ta, double tb)
{
    double span = tb - ta;
    if (!isfinite(span))
        return;
    int k = (int)ceil(fabs(span) / HALF_PI - 1e-9);
    if (k < 1)
        k = 1;
    if (k > 64)
        k = 64;
    double dt = span / k, h = 4.0 / 3.0 * tan(dt / 4);
    for (int i = 0; i < k; i++) {
        double t0 = ta + dt * i, t1 = i == k - 1 ? tb : ta + dt * (i + 1);
        double c0 = cos(t0), s0 = sin(t0), c1 = cos(t1), s1 = sin(t1);
        struct geom_pt p0 = {c.x + u.x * c0 + v.x * s0, c.y + u.y * c0 + v.y * s0};
        struct geom_pt p1 = {c.x + u.x * c1 + v.x * s1, c.y + u.y * c1 + v.y * s1};
        struct geom_pt d0 = {-u.x * s0 + v.x * c0, -u.y * s0 + v.y * c0};
        struct geom_pt d1 = {-u.x * s1 + v.x * c1, -u.y * s1 + v.y * c1};
        struct geom_pt q0 = {p0.x + h * d0.x, p0.y + h * d0.y};
        struct geom_pt q1 = {p1.x - h * d1.x, p1.y - h * d1.y};
        if (!isfinite(q0.x + q0.y + q1.x + q1.y + p1.x + p1.y))
            continue;
        HPDF_Page_CurveTo(m->page, (HPDF_REAL)mx_(m, q0.x), (HPDF_REAL)my_(m, q0.y),
                          (HPDF_REAL)mx_(m, q1.x), (HPDF_REAL)my_(m, q1.y), (HPDF_REAL)mx_(m, p1.x),
                          (HPDF_REAL)my_(m, p1.y));
    }
}

static int collect(void *ctx, struct geom_pt p)
{
    struct pdf_geom_scratch *g = ctx;
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 256;
        g->p = xrealloc(g->p, g->cap * sizeof *g->p);
    }
    g->p[g->n++] = p;
    return 0;
}

/* Appends one curve to the current path, from its start (or end, when
 * reversed) to the other end; the current point is already there. */
static void curve_to(struct pdf_doc *d, const struct map *m, const struct geom_curve *c, int rev)
{
    switch (c->kind) {
    case GEOM_LINE:
        line_to(m, rev ? c->line.a : c->line.b);
        break;
    case GEOM_ARC: {
        struct geom_pt u = {c->arc.r, 0}, v = {0, c->arc.r};
        double a = c->arc.a0, b = c->arc.a0 + c->arc.sweep;
        ell_to(m, c->arc.c, u, v, rev ? b : a, rev ? a : b);
        break;
    }
    case GEOM_ELLIPSE:
        ell_to(m, c->ell.c, c->ell.u, c->ell.v, rev ? c->ell.t1 : c->ell.t0,
               rev ? c->ell.t0 : c->ell.t1);
        break;
    case GEOM_SPLINE: {
        if (!d->scratch)
            d->scratch = xcalloc(1, sizeof *d->scratch);
        struct pdf_geom_scratch *g = d->scratch;
        g->n = 0;
        geom_curve_flatten(c, 0.05 / m->s, collect, g);
        for (size_t i = 1; i < g->n; i++)
            line_to(m, g->p[rev ? g->n - 1 - i : i]);
        break;
    }
    default:
        break;
    }
}

static int tiny(const struct map *m, const struct geom_bbox *b)
{
    return (b->max_x - b->min_x) * m->s < 0.3 && (b->max_y - b->min_y) * m->s < 0.3;
}

/* Adds the contours that are closed (want_closed 1) or open (0) to the
 * path; returns how many. */
static size_t add_contours(struct pdf_doc *d, const struct map *m, const struct pdf_part *p,
                           int want_closed)
{
    const struct geom_report *r = p->report;
    size_t added = 0;
    for (size_t i = 0; i < r->ncontours; i++) {
        const struct geom_contour *k = &r->contours[i];
        if (!!k->closed != want_closed || k->n == 0 || tiny(m, &k->bbox))
            continue;
        if (k->first + k->n > r->nedges)
            continue;
        const struct geom_edge *e = &r->edges[k->first];
        const struct geom_curve *c0 = &p->curves[e->curve];
        struct geom_pt s = e->reversed ? geom_curve_end(c0) : geom_curve_start(c0);
        if (!isfinite(s.x) || !isfinite(s.y))
            continue;
        HPDF_Page_MoveTo(m->page, (HPDF_REAL)mx_(m, s.x), (HPDF_REAL)my_(m, s.y));
        for (size_t j = 0; j < k->n; j++)
            curve_to(d, m, &p->curves[e[j].curve], e[j].reversed);
        if (k->closed)
            HPDF_Page_ClosePath(m->page);
        added++;
    }
    return added;
}

void pdf_draw_part(struct pdf_doc *d, const struct pdf_part *p, double x, double y, double w,
                   double h)
{
    const struct geom_report *r = p->report;
    if (!r || !p->curves || r->ncontours == 0)
        return;
    const struct geom_bbox *b = &r->bbox;
    double bw = b->max_x - b->min_x, bh = b->max_y - b->min_y;
    if (!(bw >= 0) || !(bh >= 0) || !isfinite(bw) || !isfinite(bh) || bw + bh <= 0)
        return;
    /* a drawing that is a single straight line has no height: fit what it has */
    double s = bw > 0 && bh > 0 ? fmin(w / bw, h / bh) : bw > 0 ? w / bw : h / bh;
    struct map m = {.page = d->page, .s = s, .mx = b->min_x, .my = b->min_y};
    m.ox = x + (w - bw * s) / 2;
    m.oy = y + (h - bh * s) / 2;

    HPDF_Page pg = d->page;
    HPDF_Page_GSave(pg);
    HPDF_Page_SetLineJoin(pg, HPDF_ROUND_JOIN);
    HPDF_Page_SetLineCap(pg, HPDF_ROUND_END);
    HPDF_Page_SetLineWidth(pg, 0.45f);
    HPDF_Page_SetRGBFill(pg, 0.83f, 0.87f, 0.92f);
    HPDF_Page_SetRGBStroke(pg, 0.13f, 0.22f, 0.34f);
    if (add_contours(d, &m, p, 1))
        HPDF_Page_EofillStroke(pg);
    HPDF_Page_SetRGBStroke(pg, 0.87f, 0.45f, 0.08f);
    HPDF_Page_SetLineWidth(pg, 0.7f);
    if (add_contours(d, &m, p, 0))
        HPDF_Page_Stroke(pg);
    HPDF_Page_GRestore(pg);
}

void pdf_draw_free(struct pdf_doc *d)
{
    if (d->scratch) {
        free(d->scratch->p);
        free(d->scratch);
        d->scratch = NULL;
    }
}
