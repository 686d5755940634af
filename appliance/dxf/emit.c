/*
 * emit.c - turns decoded entities into exact curves: OCS, block expansion,
 * projection to the XY plane.
 *
 * Each entity goes from its own frame (the OCS of its extrusion, by the
 * arbitrary axis algorithm, for ARC, CIRCLE, LWPOLYLINE, 2D POLYLINE and
 * INSERT; world coordinates for LINE, ELLIPSE, SPLINE and 3D POLYLINE)
 * through the 3x4 affine maps of the INSERTs above it, then z is dropped.
 * Lines stay lines.  A circular arc stays an arc when its projected frame
 * is a similarity (a mirror flips the sign of the sweep: an ARC with
 * extrusion 0,0,-1 runs clockwise); otherwise it becomes the ellipse
 * c + u cos t + v sin t with u, v the images of its radii, which is exact
 * for any affine map.  Ellipses map their centre and axes, splines their
 * control points (weights and knots unchanged).
 *
 * Limits: every entity and every INSERT cell counts against max_entities;
 * nesting deeper than max_nesting and a block that inserts itself (the
 * busy flag of the blocks on the current path) are errors.  Curves are in
 * drawing units here; read.c scales them to mm at the end.
 */
#include "dxf_int.h"

#include <math.h>
#include <string.h>

void dxf_xf_identity(struct xf *x)
{
    memset(x, 0, sizeof *x);
    x->m[0] = x->m[5] = x->m[10] = 1.0;
}

void dxf_ocs(const double n[3], double ax[3], double ay[3], double az[3])
{
    double len = sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
    if (!(len > 1e-300) || !isfinite(len)) {
        ax[0] = 1, ax[1] = 0, ax[2] = 0;
        ay[0] = 0, ay[1] = 1, ay[2] = 0;
        az[0] = 0, az[1] = 0, az[2] = 1;
        return;
    }
    az[0] = n[0] / len, az[1] = n[1] / len, az[2] = n[2] / len;
    if (fabs(az[0]) < 1.0 / 64 && fabs(az[1]) < 1.0 / 64) { /* Wy x N */
        ax[0] = az[2], ax[1] = 0, ax[2] = -az[0];
    } else { /* Wz x N */
        ax[0] = -az[1], ax[1] = az[0], ax[2] = 0;
    }
    double l = sqrt(ax[0] * ax[0] + ax[1] * ax[1] + ax[2] * ax[2]);
    ax[0] /= l, ax[1] /= l, ax[2] /= l;
    ay[0] = az[1] * ax[2] - az[2] * ax[1];
    ay[1] = az[2] * ax[0] - az[0] * ax[2];
    ay[2] = az[0] * ax[1] - az[1] * ax[0];
}

static int is_identity_n(const double n[3])
{
    return n[0] == 0 && n[1] == 0 && n[2] > 0;
}

/* x * (frame with columns ax, ay, az and origin 0) */
static void xf_frame(const struct xf *x, const double n[3], struct xf *out)
{
    if (is_identity_n(n)) {
        *out = *x;
        return;
    }
    double ax[3], ay[3], az[3];
    dxf_ocs(n, ax, ay, az);
    for (int i = 0; i < 3; i++) {
        const double *row = x->m + 4 * i;
        for (int j = 0; j < 3; j++) {
            const double *col = j == 0 ? ax : j == 1 ? ay : az;
            out->m[4 * i + j] = row[0] * col[0] + row[1] * col[1] + row[2] * col[2];
        }
        out->m[4 * i + 3] = row[3];
    }
}

static void xf_mul(const struct xf *a, const struct xf *b, struct xf *out)
{
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 4; j++) {
            double s = a->m[4 * i] * b->m[j] + a->m[4 * i + 1] * b->m[4 + j] +
                       a->m[4 * i + 2] * b->m[8 + j];
            if (j == 3)
                s += a->m[4 * i + 3];
            out->m[4 * i + j] = s;
        }
    }
}

static struct geom_pt xf_pt(const struct xf *x, double px, double py, double pz)
{
    return (struct geom_pt){x->m[0] * px + x->m[1] * py + x->m[2] * pz + x->m[3],
                            x->m[4] * px + x->m[5] * py + x->m[6] * pz + x->m[7]};
}

static struct geom_pt xf_vec(const struct xf *x, double px, double py, double pz)
{
    return (struct geom_pt){x->m[0] * px + x->m[1] * py + x->m[2] * pz,
                            x->m[4] * px + x->m[5] * py + x->m[6] * pz};
}

static int mem_fail(struct rd *r, uint32_t src)
{
    char w[32];
    return err_set(r->e, "%s: memory limit exceeded (limits.memory_mb)",
                   lex_where(&r->lx, src, w, sizeof w));
}

static struct geom_curve *new_curve(struct rd *r, const struct dent *d, uint32_t layer, int kind)
{
    struct geom_curve *v = dxf_grow(r, r->curves, &r->capcurves, r->ncurves + 1, sizeof *v);
    if (!v)
        return NULL;
    r->curves = v;
    struct geom_curve *c = &v[r->ncurves++];
    memset(c, 0, sizeof *c);
    c->kind = (uint8_t)kind;
    c->layer = layer;
    c->entity = r->ordinal;
    c->src = d->src;
    return c;
}

static int emit_line(struct rd *r, const struct dent *d, uint32_t layer, struct geom_pt a,
                     struct geom_pt b)
{
    struct geom_curve *c = new_curve(r, d, layer, GEOM_LINE);
    if (!c)
        return mem_fail(r, d->src);
    c->line.a = a;
    c->line.b = b;
    return 0;
}

static double norm_angle(double a)
{
    a = fmod(a, 2 * M_PI);
    return a < 0 ? a + 2 * M_PI : a;
}

/* The projected conic c + u cos t + v sin t, t from t0 by sweep (signed). */
static int emit_conic(struct rd *r, const struct dent *d, uint32_t layer, struct geom_pt c,
                      struct geom_pt u, struct geom_pt v, double t0, double sweep)
{
    double lu = sqrt(u.x * u.x + u.y * u.y), lv = sqrt(v.x * v.x + v.y * v.y);
    double dot = u.x * v.x + u.y * v.y, cross = u.x * v.y - u.y * v.x;
    double big = lu > lv ? lu : lv;
    struct geom_curve *g;
    if (big == 0 || (fabs(dot) <= 1e-9 * lu * lv && fabs(lu - lv) <= 1e-9 * big && cross != 0)) {
        if (!(g = new_curve(r, d, layer, GEOM_ARC)))
            return mem_fail(r, d->src);
        double phi = atan2(u.y, u.x);
        g->arc.c = c;
        g->arc.r = big == 0 ? 0 : 0.5 * (lu + lv);
        if (cross >= 0) {
            g->arc.a0 = norm_angle(phi + t0);
            g->arc.sweep = sweep;
        } else {
            g->arc.a0 = norm_angle(phi - t0);
            g->arc.sweep = -sweep;
        }
        return 0;
    }
    if (!(g = new_curve(r, d, layer, GEOM_ELLIPSE)))
        return mem_fail(r, d->src);
    g->ell.c = c;
    g->ell.u = u;
    if (sweep >= 0) {
        g->ell.v = v;
        g->ell.t0 = t0;
        g->ell.t1 = t0 + sweep;
    } else {
        g->ell.v = (struct geom_pt){-v.x, -v.y};
        g->ell.t0 = -t0;
        g->ell.t1 = -t0 - sweep;
    }
    return 0;
}

/* A polyline in frame f (OCS with elevation, or world for 3D). */
static int emit_poly(struct rd *r, const struct dent *d, uint32_t layer, const struct xf *f)
{
    size_t n = d->poly.n;
    const struct dvert *v = d->poly.v;
    int three = d->kind == D_POLY3D;
    size_t segs = d->poly.closed && n > 1 ? n : (n ? n - 1 : 0);
    for (size_t i = 0; i < segs; i++) {
        const struct dvert *p = &v[i], *q = &v[(i + 1) % n];
        double pz = three ? p->z : d->poly.elev, qz = three ? q->z : d->poly.elev;
        if (p->x == q->x && p->y == q->y && pz == qz)
            continue; /* a repeated vertex is no segment */
        double b = three ? 0 : p->bulge;
        if (b == 0 || !isfinite(b)) {
            if (emit_line(r, d, layer, xf_pt(f, p->x, p->y, pz), xf_pt(f, q->x, q->y, qz)))
                return -1;
            continue;
        }
        /* bulge = tan(sweep / 4); the centre lies left of the chord for b > 0 */
        double dx = q->x - p->x, dy = q->y - p->y;
        double s = (1 - b * b) / (4 * b); /* offset along the left normal, in chords */
        double cx = 0.5 * (p->x + q->x) - s * dy, cy = 0.5 * (p->y + q->y) + s * dx;
        double rad = hypot(p->x - cx, p->y - cy);
        double a0 = atan2(p->y - cy, p->x - cx), sweep = 4 * atan(b);
        if (emit_conic(r, d, layer, xf_pt(f, cx, cy, pz), xf_vec(f, rad, 0, 0),
                       xf_vec(f, 0, rad, 0), a0, sweep))
            return -1;
    }
    return 0;
}

static int emit_spline(struct rd *r, const struct dent *d, uint32_t layer, const struct xf *x)
{
    struct geom_pt *p = arena_alloc(r->a, d->spl.n * sizeof *p);
    struct geom_curve *g = p ? new_curve(r, d, layer, GEOM_SPLINE) : NULL;
    if (!g)
        return mem_fail(r, d->src);
    for (size_t i = 0; i < d->spl.n; i++)
        p[i] = xf_pt(x, d->spl.p[3 * i], d->spl.p[3 * i + 1], d->spl.p[3 * i + 2]);
    g->spl.degree = d->spl.degree;
    g->spl.n = (int)d->spl.n;
    g->spl.p = p;
    g->spl.w = d->spl.w;
    g->spl.knots = d->spl.knots;
    return 0;
}

static int expand(struct rd *r, const struct dent *d, const struct xf *x, uint32_t layer, int depth)
{
    struct dblock *b = &r->blocks[d->ins.block];
    char w[32];
    if (!b->defined) {
        if (!b->warned) {
            b->warned = 1;
            if (geom_warn(r->a, &r->out->warnings, "bad_entity", 0, 0,
                          "%s: INSERT of block '%.60s', which the file does not define; left out",
                          lex_where(&r->lx, d->src, w, sizeof w), b->name))
                return mem_fail(r, d->src);
        }
        return 0;
    }
    if (b->paper)
        return 0;
    if (b->busy)
        return err_set(r->e, "%s: block recursion: block '%.60s' inserts itself", lex_where(&r->lx, d->src, w, sizeof w), b->name);
    if (depth >= r->o.max_nesting)
        return err_set(r->e, "%s: blocks nested deeper than %d levels (limits.max_nesting)",
                       lex_where(&r->lx, d->src, w, sizeof w), r->o.max_nesting);
    /* block point q -> OCS: ins + R(rot) (S (q - base) + cell offset) */
    double c = cos(d->ins.rot), s = sin(d->ins.rot);
    const double *sc = d->ins.sc, *bp = b->base;
    struct xf local, frame, total;
    b->busy = 1;
    for (int row = 0; row < d->ins.rows; row++) {
        for (int col = 0; col < d->ins.cols; col++) {
            if (row || col) {
                if (++r->nexpanded > r->o.max_entities)
                    goto limit;
            }
            double ox = col * d->ins.dx, oy = row * d->ins.dy;
            memset(&local, 0, sizeof local);
            local.m[0] = c * sc[0], local.m[1] = -s * sc[1];
            local.m[4] = s * sc[0], local.m[5] = c * sc[1];
            local.m[10] = sc[2];
            local.m[3] = d->ins.p[0] + c * ox - s * oy - (local.m[0] * bp[0] + local.m[1] * bp[1]);
            local.m[7] = d->ins.p[1] + s * ox + c * oy - (local.m[4] * bp[0] + local.m[5] * bp[1]);
            local.m[11] = d->ins.p[2] - sc[2] * bp[2];
            xf_frame(x, d->n, &frame);
            xf_mul(&frame, &local, &total);
            for (size_t i = 0; i < b->n; i++)
                if (dxf_emit(r, &r->bents[b->first + i], &total, layer, depth + 1)) {
                    b->busy = 0;
                    return -1;
                }
        }
    }
    b->busy = 0;
    return 0;
limit:
    b->busy = 0;
    return err_set(r->e, "%s: more than %zu entities after blocks are expanded "
                   "(limits.max_entities)",
                   lex_where(&r->lx, d->src, w, sizeof w), r->o.max_entities);
}

int dxf_emit(struct rd *r, const struct dent *d, const struct xf *x, uint32_t parent, int depth)
{
    if (++r->nexpanded > r->o.max_entities) {
        char w[32];
        return err_set(r->e, "%s: more than %zu entities after blocks are expanded "
                       "(limits.max_entities)",
                       lex_where(&r->lx, d->src, w, sizeof w), r->o.max_entities);
    }
    uint32_t layer = parent != UINT32_MAX && d->layer == r->layer0 ? parent : d->layer;
    if (d->kind == D_IGNORED) {
        r->types[d->ign.type].n++;
        return 0;
    }
    if (d->kind == D_INSERT)
        return expand(r, d, x, layer, depth);
    if (d->kind == D_NONE)
        return 0;
    if (r->layers[layer].off || r->layers[layer].frozen) {
        r->out->hidden++;
        return 0;
    }
    struct xf f;
    int rc = 0;
    switch (d->kind) {
    case D_LINE:
        r->cut[CUT_LINE]++;
        rc = emit_line(r, d, layer, xf_pt(x, d->line.a[0], d->line.a[1], d->line.a[2]),
                       xf_pt(x, d->line.b[0], d->line.b[1], d->line.b[2]));
        break;
    case D_ARC:
    case D_CIRCLE:
        r->cut[d->kind == D_ARC ? CUT_ARC : CUT_CIRCLE]++;
        xf_frame(x, d->n, &f);
        rc = emit_conic(r, d, layer, xf_pt(&f, d->arc.c[0], d->arc.c[1], d->arc.c[2]),
                        xf_vec(&f, d->arc.r, 0, 0), xf_vec(&f, 0, d->arc.r, 0), d->arc.a0,
                        d->arc.sweep);
        break;
    case D_ELLIPSE: {
        r->cut[CUT_ELLIPSE]++;
        const double *m = d->ell.m, *n = d->n;
        double nl = sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
        double k = nl > 0 ? d->ell.ratio / nl : 0;
        double v[3] = {k * (n[1] * m[2] - n[2] * m[1]), k * (n[2] * m[0] - n[0] * m[2]),
                       k * (n[0] * m[1] - n[1] * m[0])};
        rc = emit_conic(r, d, layer, xf_pt(x, d->ell.c[0], d->ell.c[1], d->ell.c[2]),
                        xf_vec(x, m[0], m[1], m[2]), xf_vec(x, v[0], v[1], v[2]), d->ell.t0,
                        d->ell.t1 - d->ell.t0);
        break;
    }
    case D_LWPOLY:
    case D_POLY2D:
        r->cut[d->kind == D_LWPOLY ? CUT_LWPOLYLINE : CUT_POLYLINE]++;
        xf_frame(x, d->n, &f);
        rc = emit_poly(r, d, layer, &f);
        break;
    case D_POLY3D:
        r->cut[CUT_POLYLINE]++;
        rc = emit_poly(r, d, layer, x);
        break;
    case D_SPLINE:
        r->cut[CUT_SPLINE]++;
        rc = emit_spline(r, d, layer, x);
        break;
    default:
        break;
    }
    r->ordinal++;
    return rc;
}
