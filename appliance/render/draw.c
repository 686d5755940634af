/*
 * draw.c - a part preview from geom's analysis.
 *
 * Accepts the curves, the report and the warnings of one geom_analyse()
 * call, and paints them in layers through one coverage buffer: material,
 * outlines, open contours with their loose ends, warning markers, the size
 * label.  Each layer is accumulated, painted and cleared before the next,
 * so memory is the canvas plus one float per pixel, however many curves
 * the drawing has: curves are flattened to 0.2 pixel and every point goes
 * straight into the buffer, nothing is stored.  (Closed contours are
 * flattened twice, for the material and for the outline: a second buffer
 * to do both at once would cost more memory than the flattening, done here
 * for lines and arcs without a sine per point, costs time.)  Two kinds of
 * contour take a short way: one full circle is a disc and a ring, and a
 * contour no larger than the outline is wide is a dot of outline.
 *
 * Fill rule: the report says which closed contours are outer boundaries,
 * holes and islands (depth 0, 1, 2 ...) and which way each runs (the sign
 * of its area).  Each contour's edges go in with the sign that orients it
 * by depth (even depth one way, odd the other), so the winding is -1 inside
 * material and 0 in holes whichever way the file drew them.  A curve run
 * backwards in its contour (edge.reversed) is flattened forwards with its
 * sign flipped: the same contribution, as the accumulator is linear.
 *
 * Strokes are polygons through the same rasteriser: a rectangle per
 * flattened segment and a bevel triangle on the outer side of each vertex.
 * They share their edges exactly, so a 1-pixel line at any angle has no
 * gaps (inside a curve the shared edges are left out altogether: they
 * would cancel); their overlaps on the inner side of a bend are clamped
 * to full coverage.
 */
#include "render_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ----------------------------------------------------------- appearance */

static const uint8_t col_paper[4] = {255, 255, 255, 255};
static const uint8_t col_fill[4] = {176, 192, 209, 255};    /* steel blue-grey */
static const uint8_t col_outline[4] = {46, 62, 84, 255};    /* its dark tone */
static const uint8_t col_open[4] = {230, 110, 20, 255};     /* open contours */
static const uint8_t col_warn[4] = {211, 47, 47, 230};      /* warning markers */
static const uint8_t col_label[4] = {40, 44, 52, 255};

/* Largest distance between a curve and its chords: a fifth of a pixel,
 * below what anti-aliasing shows (a chord's error moves an edge's coverage
 * by at most 0.2 of one pixel, over a run of pixels as long as the chord). */
#define TOL_PX 0.2
#define PI 3.14159265358979323846

/* World mm to canvas pixels: X = ox + x s, Y = oy - y s (y up to y down). */
struct xform {
    double s, ox, oy;
};

static void to_px(const struct xform *t, struct geom_pt p, double *x, double *y)
{
    *x = t->ox + p.x * t->s;
    *y = t->oy - p.y * t->s;
}

/* ------------------------------------------------------------- polygons */

void render_poly(struct render_cov *c, const double *xy, int n)
{
    double a2 = 0;
    for (int i = 0; i < n; i++) {
        int j = (i + 1) % n;
        a2 += xy[2 * i] * xy[2 * j + 1] - xy[2 * j] * xy[2 * i + 1];
    }
    /* Shoelace < 0 in y-down coordinates: counter-clockwise on screen. */
    float sign = a2 < 0 ? 1.0f : -1.0f;
    for (int i = 0; i < n; i++) {
        int j = (i + 1) % n;
        render_cov_line(c, xy[2 * i], xy[2 * i + 1], xy[2 * j], xy[2 * j + 1], sign);
    }
}

/* A disc (r_in 0) or a ring, as a polygon fine enough for its radius. */
static void ring(struct render_cov *c, double cx, double cy, double r_out, double r_in)
{
    int n = (int)ceil(PI / acos(1 - TOL_PX / (r_out > TOL_PX ? r_out : TOL_PX * 2)));
    if (n < 8)
        n = 8;
    if (n > 256)
        n = 256;
    double prev_o[2] = {cx + r_out, cy}, prev_i[2] = {cx + r_in, cy};
    for (int k = 1; k <= n; k++) {
        double a = 2 * PI * k / n;
        double o[2] = {cx + r_out * cos(a), cy + r_out * sin(a)};
        double i[2] = {cx + r_in * cos(a), cy + r_in * sin(a)};
        render_cov_line(c, prev_o[0], prev_o[1], o[0], o[1], 1);
        if (r_in > 0)
            render_cov_line(c, prev_i[0], prev_i[1], i[0], i[1], -1);
        memcpy(prev_o, o, sizeof o);
        memcpy(prev_i, i, sizeof i);
    }
}

/* --------------------------------------------------------------- stroke */

/* What one pass over a curve's flattening feeds: the fill (its edges,
 * with the contour's sign) and the stroke (rectangles and bends).  Either
 * may be NULL; render_canvas() feeds one buffer at a time. */
struct stroke {
    struct render_cov *cov;  /* stroke */
    struct render_cov *fill; /* fill */
    float sign;              /* of the fill edges */
    const struct xform *t;
    double h; /* half width, px */
    int npts;
    double x, y;   /* last point */
    double ux, uy; /* direction of the last segment */
    double len;    /* and its length */
    int have_dir;
    double fx, fy; /* direction of the first segment */
};

/* Bevel on the outer side of the turn from direction u1 to u2 at (x, y);
 * a reversal gets a square cap instead. */
static void join(struct render_cov *c, double h, double x, double y, double u1x, double u1y,
                 double u2x, double u2y)
{
    double cr = u1x * u2y - u1y * u2x, dot = u1x * u2x + u1y * u2y;
    if (fabs(cr) < 1e-9) {
        if (dot > 0)
            return;
        double q[8] = {x - u1y * h,          y + u1x * h,          x + u1y * h,
                       y - u1x * h,          x + u1y * h + u1x * h, y - u1x * h + u1y * h,
                       x - u1y * h + u1x * h, y + u1x * h + u1y * h};
        render_poly(c, q, 4);
        return;
    }
    /* Normal n = (-uy, ux); the turn bends towards +n when cr > 0. */
    double s = cr > 0 ? -h : h;
    double tri[6] = {x, y, x - u1y * s, y + u1x * s, x - u2y * s, y + u2x * s};
    render_poly(c, tri, 3);
}

/* A bend at (x, y) from direction u1 to u2 inside one flattened curve,
 * between segments of lengths l1 and l2.  Added as polygons it would be
 * the end of one rectangle, the start of the next and the bevel triangle
 * filling the gap on the outer side; three pairs of their edges cancel
 * exactly, which leaves the bevel and the two half-ends on the inner side.
 * Those two half-ends, from the inner corner of one rectangle to the bend
 * and on to the inner corner of the other, go in as one straight edge when
 * both rectangles are longer than that corner is deep (h |sin| of the turn):
 * the triangle this cuts off lies inside both rectangles, where the
 * coverage is 2, so it stays covered.  A reversal (a curve doubling back on
 * itself) gets both ends and a square cap. */
static void bend(struct render_cov *c, double h, double x, double y, double u1x, double u1y,
                 double u2x, double u2y, double l1, double l2)
{
    double n1x = -u1y * h, n1y = u1x * h, n2x = -u2y * h, n2y = u2x * h;
    double cr = u1x * u2y - u1y * u2x, dot = u1x * u2x + u1y * u2y;
    if (fabs(cr) < 1e-12) {
        if (dot > 0)
            return; /* straight on: the two ends cancel */
        render_cov_line(c, x + n1x, y + n1y, x - n1x, y - n1y, 1);
        render_cov_line(c, x - n2x, y - n2y, x + n2x, y + n2y, 1);
        join(c, h, x, y, u1x, u1y, u2x, u2y);
        return;
    }
    int direct = dot > 0 && fmin(l1, l2) >= h * fabs(cr);
    if (cr < 0) { /* outer side +n, inner -n */
        render_cov_line(c, x + n1x, y + n1y, x + n2x, y + n2y, 1);
        if (direct) {
            render_cov_line(c, x - n2x, y - n2y, x - n1x, y - n1y, 1);
        } else {
            render_cov_line(c, x, y, x - n1x, y - n1y, 1);
            render_cov_line(c, x - n2x, y - n2y, x, y, 1);
        }
    } else { /* outer side -n, inner +n */
        render_cov_line(c, x - n2x, y - n2y, x - n1x, y - n1y, 1);
        if (direct) {
            render_cov_line(c, x + n1x, y + n1y, x + n2x, y + n2y, 1);
        } else {
            render_cov_line(c, x + n1x, y + n1y, x, y, 1);
            render_cov_line(c, x, y, x + n2x, y + n2y, 1);
        }
    }
}

/* Each segment a -> b is the rectangle a+n, b+n, b-n, a-n (n the left
 * normal times the half width), which covers +1 inside whichever way the
 * segment runs; its long sides go in here, its ends at the bends and the
 * caps. */
static void stroke_px(struct stroke *st, double x, double y)
{
    if (st->npts == 0) {
        st->x = x;
        st->y = y;
        st->npts = 1;
        return;
    }
    double dx = x - st->x, dy = y - st->y, len = sqrt(dx * dx + dy * dy);
    if (len < 1e-6)
        return;
    if (st->fill)
        render_cov_line(st->fill, st->x, st->y, x, y, st->sign);
    if (!st->cov) {
        st->x = x;
        st->y = y;
        return;
    }
    double ux = dx / len, uy = dy / len, nx = -uy * st->h, ny = ux * st->h;
    double ax = st->x, ay = st->y;
    if (st->have_dir) {
        bend(st->cov, st->h, ax, ay, st->ux, st->uy, ux, uy, st->len, len);
    } else {
        render_cov_line(st->cov, ax - nx, ay - ny, ax + nx, ay + ny, 1); /* start cap */
        st->fx = ux;
        st->fy = uy;
        st->have_dir = 1;
    }
    render_cov_line(st->cov, ax + nx, ay + ny, x + nx, y + ny, 1);
    render_cov_line(st->cov, x - nx, y - ny, ax - nx, ay - ny, 1);
    st->ux = ux;
    st->uy = uy;
    st->len = len;
    st->x = x;
    st->y = y;
    st->npts++;
}

/* geom_curve_flatten()'s callback, for the curves flattened there. */
static int stroke_emit(void *ctx, struct geom_pt p)
{
    struct stroke *st = ctx;
    double x, y;
    to_px(st->t, p, &x, &y);
    stroke_px(st, x, y);
    return 0;
}

/* Steps of a circular arc of radius r px over |sweep| radians so that no
 * chord strays more than TOL_PX from it (sagitta r (1 - cos(a / 2)) ~
 * r a^2 / 8); at least 1, at most 1 << 16. */
static long arc_steps(double r, double sweep)
{
    if (!(r > 0) || !(sweep > 0))
        return 1;
    double n = ceil(sweep / sqrt(8 * TOL_PX / r));
    return n >= 1 ? (n <= 65536 ? (long)n : 65536) : 1;
}

/* Feeds the flattening of curve c to st, from its start to its end.
 * Lines and circular arcs (nearly every curve of a cut part) are flattened
 * here, in pixels, stepping the arc's direction by a fixed rotation rather
 * than a sine and cosine per point; ellipses and splines go through
 * geom_curve_flatten() at the same tolerance. */
static void flatten(struct stroke *st, const struct geom_curve *c)
{
    const struct xform *t = st->t;
    double x, y;
    if (c->kind == GEOM_LINE) {
        to_px(t, c->line.a, &x, &y);
        stroke_px(st, x, y);
        to_px(t, c->line.b, &x, &y);
        stroke_px(st, x, y);
        return;
    }
    if (c->kind != GEOM_ARC) {
        geom_curve_flatten(c, TOL_PX / t->s, stroke_emit, st);
        return;
    }
    double sweep = c->arc.sweep, r = c->arc.r * t->s;
    if (fabs(sweep) > 2 * PI)
        sweep = sweep > 0 ? 2 * PI : -2 * PI;
    long n = arc_steps(fabs(r), fabs(sweep));
    double cx, cy, step = sweep / (double)n;
    to_px(t, c->arc.c, &cx, &cy);
    double ux = cos(c->arc.a0), uy = sin(c->arc.a0), cs = cos(step), sn = sin(step);
    /* y is flipped on the canvas: the point at angle a is (cx + r cos a,
     * cy - r sin a). */
    stroke_px(st, cx + r * ux, cy - r * uy);
    for (long i = 1; i < n; i++) {
        double nx = ux * cs - uy * sn;
        uy = ux * sn + uy * cs;
        ux = nx;
        stroke_px(st, cx + r * ux, cy - r * uy);
    }
    double a1 = c->arc.a0 + sweep;
    stroke_px(st, cx + r * cos(a1), cy - r * sin(a1));
}

/* Where a stroked curve starts and ends, and its direction there, in the
 * order the contour runs it. */
struct ends {
    int ok;
    double x0, y0, ix, iy; /* entry point and direction */
    double x1, y1, ox, oy; /* exit point and direction */
};

/* What a contour is drawn into. */
struct pen {
    struct render_cov *stroke, *fill; /* either may be NULL */
    const struct xform *t;
    double h;     /* half the stroke width, px */
    double dot_h; /* > 0: the outlines' half width when closed contours
                     that fit in a square of twice it are drawn as dots */
};

static struct ends stroke_curve(const struct pen *pn, const struct geom_curve *c, int reversed,
                                float sign)
{
    struct render_cov *cov = pn->stroke;
    const struct xform *t = pn->t;
    double h = pn->h;
    struct stroke st = {.cov = cov, .fill = pn->fill, .sign = reversed ? -sign : sign, .t = t,
                        .h = h};
    struct ends e = {0};
    double sx, sy;
    to_px(t, geom_curve_start(c), &sx, &sy);
    flatten(&st, c);
    if (!cov || !st.have_dir)
        return e;
    double nx = -st.uy * h, ny = st.ux * h; /* end cap */
    render_cov_line(cov, st.x + nx, st.y + ny, st.x - nx, st.y - ny, 1);
    e.ok = 1;
    if (!reversed) {
        e.x0 = sx, e.y0 = sy, e.ix = st.fx, e.iy = st.fy;
        e.x1 = st.x, e.y1 = st.y, e.ox = st.ux, e.oy = st.uy;
    } else {
        e.x0 = st.x, e.y0 = st.y, e.ix = -st.ux, e.iy = -st.uy;
        e.x1 = sx, e.y1 = sy, e.ox = -st.fx, e.oy = -st.fy;
    }
    return e;
}

/* A regular polygon around (cx, cy), fine enough for radius r, with the
 * area of the circle (its vertices sit slightly outside the circle, its
 * chords' middles slightly inside), added with weight w inside. */
static void disc(struct render_cov *c, double cx, double cy, double r, float w)
{
    long n = arc_steps(r, 2 * PI);
    if (n < 6)
        n = 6;
    double a = 2 * PI / (double)n, cs = cos(a), sn = sin(a);
    double ux = r * sqrt(a / sn), uy = 0; /* n/2 R^2 sin a = pi r^2 */
    double px = cx + ux, py = cy;
    /* Angle growing with y flipped: counter-clockwise on screen. */
    for (long i = 1; i <= n; i++) {
        double nx = ux * cs - uy * sn;
        uy = ux * sn + uy * cs;
        ux = nx;
        double x = i == n ? cx + r * sqrt(a / sn) : cx + ux, y = i == n ? cy : cy - uy;
        render_cov_line(c, px, py, x, y, w);
        px = x;
        py = y;
    }
}

/* Draws a closed contour the short way when it allows one, and says so.
 *
 * A contour no larger than the outline is wide (its box fits in a square
 * of 2 dot_h) is all outline: no pixel of it is farther than dot_h from
 * its edge.  Its fill is left out, and its outline is a disc with the
 * outline's area by Steiner's formula, area + perimeter h + pi h^2 (exact
 * for a convex contour; a tiny hole is a dot however it is shaped).
 *
 * A contour that is one full circle of radius r is filled as a disc and
 * outlined as the ring between r - h and r + h (a disc of r + h when r <= h),
 * which is exactly the stroke of a circle, in three polygons of edges
 * rather than five edges per chord. */
static int draw_short(const struct pen *pn, const struct geom_curve *c,
                      const struct geom_report *r, const struct geom_contour *k)
{
    const struct xform *t = pn->t;
    const struct geom_bbox *b = &k->bbox;
    double bw = (b->max_x - b->min_x) * t->s, bh = (b->max_y - b->min_y) * t->s;
    if (pn->dot_h > 0 && fmax(bw, bh) <= 2 * pn->dot_h) {
        if (pn->stroke) {
            double h = pn->dot_h, s2 = t->s * t->s;
            double rr = sqrt((fabs(k->area_mm2) * s2 + k->length_mm * t->s * h) / PI + h * h);
            double cx, cy;
            to_px(t, (struct geom_pt){0.5 * (b->min_x + b->max_x), 0.5 * (b->min_y + b->max_y)},
                  &cx, &cy);
            disc(pn->stroke, cx, cy, rr, 1);
        }
        return 1;
    }
    if (k->n != 1)
        return 0;
    const struct geom_curve *cv = &c[r->edges[k->first].curve];
    if (cv->kind != GEOM_ARC || fabs(fabs(cv->arc.sweep) - 2 * PI) > 1e-9)
        return 0;
    double cx, cy, rad = fabs(cv->arc.r) * t->s;
    to_px(t, cv->arc.c, &cx, &cy);
    if (pn->fill)
        disc(pn->fill, cx, cy, rad, k->depth % 2 == 0 ? -1.0f : 1.0f); /* as draw_contour */
    if (pn->stroke && pn->h > 0) {
        disc(pn->stroke, cx, cy, rad + pn->h, 1);
        if (rad > pn->h)
            disc(pn->stroke, cx, cy, rad - pn->h, -1);
    }
    return 1;
}

/* Draws one contour: its fill edges (closed contours with an area, when
 * pn->fill is set), its curves' strokes, the joins between them and, when
 * it is closed, the join where it returns to its start.  Returns the
 * contour's first entry and last exit (for loose ends).
 *
 * The fill sign orients the contour by depth: material (even depth)
 * counter-clockwise in the world, which still looks counter-clockwise on
 * screen (the y flip keeps how a path turns), with sign -1, so -1 inside;
 * holes the other way, +1: the winding is -1 in material and 0 in holes,
 * and its magnitude is what is painted.  A curve run backwards in the
 * contour is flattened forwards with the sign flipped. */
static struct ends draw_contour(const struct pen *pn, const struct geom_curve *c,
                                const struct geom_report *r, const struct geom_contour *k)
{
    struct pen p = *pn;
    if (!k->closed || k->area_mm2 == 0)
        p.fill = NULL;
    if (k->closed && draw_short(&p, c, r, k))
        return (struct ends){0};
    float want = (k->depth % 2 == 0) ? -1.0f : 1.0f;
    float sign = k->area_mm2 > 0 ? want : -want;
    struct ends all = {0}, prev = {0};
    for (size_t i = 0; i < k->n; i++) {
        const struct geom_edge *ed = &r->edges[k->first + i];
        struct ends e = stroke_curve(&p, &c[ed->curve], ed->reversed, sign);
        if (!e.ok)
            continue;
        if (!all.ok) {
            all = e;
        } else {
            join(p.stroke, p.h, prev.x1, prev.y1, prev.ox, prev.oy, e.ix, e.iy);
            all.x1 = e.x1, all.y1 = e.y1, all.ox = e.ox, all.oy = e.oy;
        }
        prev = e;
    }
    if (all.ok && k->closed)
        join(p.stroke, p.h, all.x1, all.y1, all.ox, all.oy, all.ix, all.iy);
    return all;
}

/* ------------------------------------------------------------- warnings */

/* Warnings that point at a place in the drawing.  The others (units,
 * text, unsupported entities, sizes, several parts) describe the whole
 * drawing, and "N more ... not listed" lines carry no place. */
static int located(const struct geom_warning *w)
{
    static const char *const codes[] = {"open_contour", "duplicate_geometry", "zero_length",
                                        "tiny_hole", "circle_as_segments"};
    size_t n = strlen(w->msg), tail = strlen("not listed");
    if (n >= tail && !strcmp(w->msg + n - tail, "not listed"))
        return 0;
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
        if (!strcmp(w->code, codes[i]))
            return 1;
    return 0;
}

/* -------------------------------------------------------------- preview */

struct render_opts render_opts_size(int width, int height)
{
    struct render_opts o = {.width = width, .height = height, .label = 0, .stroke_px = 1.25};
    return o;
}

/* Fits the box into the canvas less a margin and the label's band. */
static struct xform fit(const struct geom_bbox *b, int W, int H, double margin, double band)
{
    double aw = W - 2 * margin, ah = H - 2 * margin - band;
    double bw = b->max_x - b->min_x, bh = b->max_y - b->min_y;
    double s;
    if (bw > 0 && bh > 0)
        s = fmin(aw / bw, ah / bh);
    else if (bw > 0)
        s = aw / bw;
    else if (bh > 0)
        s = ah / bh;
    else
        s = 1;
    struct xform t = {s, 0, 0};
    t.ox = (W - bw * s) / 2 - b->min_x * s;
    t.oy = margin + (ah - bh * s) / 2 + b->max_y * s;
    return t;
}

/* The margin, the label's text scale and band of a W x H canvas. */
static void layout(const struct render_opts *o, double *margin, double *text_scale, double *band)
{
    int W = o->width, H = o->height;
    *margin = fmax(6, floor(0.05 * fmin(W, H)));
    *text_scale = fmax(1, floor(fmin(W, H) / 240)); /* 2 at 480 px, 3 at 900 */
    *band = o->label ? render_text_height(*text_scale) + *margin / 2 : 0;
}

static int box_empty(const struct geom_bbox *b)
{
    return b->min_x > b->max_x || !isfinite(b->min_x) || !isfinite(b->max_x) ||
           !isfinite(b->min_y) || !isfinite(b->max_y);
}

int render_fit(const struct geom_bbox *b, const struct render_opts *o, struct render_fit *out)
{
    double margin, text_scale, band;
    if (box_empty(b))
        return -1;
    layout(o, &margin, &text_scale, &band);
    struct xform t = fit(b, o->width, o->height, margin, band);
    out->scale = t.s;
    out->ox = t.ox;
    out->oy = t.oy;
    return 0;
}

static void draw_label(struct render_cov *cov, struct render_canvas *cv,
                       const struct geom_report *r, double scale, double margin)
{
    char text[64];
    snprintf(text, sizeof text, "%.1f x %.1f mm", r->width_mm, r->height_mm);
    double tw = render_text_width(text, scale), th = render_text_height(scale);
    double x = floor((cv->width - tw) / 2), y = floor(cv->height - margin / 2 - th);
    render_text(cov, x, y, scale, text);
    render_cov_paint(cov, cv, col_label);
}

int render_canvas(const struct geom_curve *c, const struct geom_report *r,
                  const struct geom_warnings *w, const struct render_opts *o,
                  struct render_canvas *out, struct err *e)
{
    struct render_cov line;
    if (!(o->stroke_px >= 0 && o->stroke_px <= 64))
        return err_set(e, "stroke width %g px: expected 0 to 64", o->stroke_px);
    if (render_canvas_init(out, o->width, o->height, col_paper, e) != 0)
        return -1;
    if (render_cov_init(&line, o->width, o->height, e) != 0) {
        render_canvas_free(out);
        return -1;
    }
    int W = o->width, H = o->height;
    double unit = fmax(1.0, fmin(W, H) / 300.0); /* markers and text grow with the canvas */
    double margin, text_scale, band;
    layout(o, &margin, &text_scale, &band);
    const struct geom_bbox *b = &r->bbox;
    if (box_empty(b))
        goto done;

    struct xform t = fit(b, W, H, margin, band);
    struct pen pn = {NULL, &line, &t, o->stroke_px / 2, o->stroke_px / 2};
    for (size_t i = 0; i < r->ncontours; i++)
        if (r->contours[i].closed)
            draw_contour(&pn, c, r, &r->contours[i]);
    render_cov_paint(&line, out, col_fill);
    if (o->stroke_px > 0) {
        pn.stroke = &line;
        pn.fill = NULL;
        for (size_t i = 0; i < r->ncontours; i++)
            if (r->contours[i].closed)
                draw_contour(&pn, c, r, &r->contours[i]);
        render_cov_paint(&line, out, col_outline);
    }

    pn.stroke = &line;
    pn.fill = NULL;
    pn.h = fmax(o->stroke_px, 1.0) * 0.8;
    for (size_t i = 0; i < r->ncontours; i++) {
        if (r->contours[i].closed)
            continue;
        struct ends en = draw_contour(&pn, c, r, &r->contours[i]);
        if (en.ok) {
            ring(&line, en.x0, en.y0, 3.5 * unit, 2.0 * unit);
            ring(&line, en.x1, en.y1, 3.5 * unit, 2.0 * unit);
        }
    }
    render_cov_paint(&line, out, col_open);

    for (size_t i = 0; w && i < w->n; i++) {
        if (!located(&w->v[i]))
            continue;
        double x, y;
        to_px(&t, (struct geom_pt){w->v[i].x, w->v[i].y}, &x, &y);
        ring(&line, x, y, 7 * unit, 5.5 * unit);
        ring(&line, x, y, 1.5 * unit, 0);
    }
    render_cov_paint(&line, out, col_warn);

    if (o->label)
        draw_label(&line, out, r, text_scale, margin);
done:
    render_cov_free(&line);
    return 0;
}
