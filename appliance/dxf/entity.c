/*
 * entity.c - decodes one DXF entity from its group codes into a struct dent.
 *
 * Reads LINE, ARC, CIRCLE, ELLIPSE, LWPOLYLINE, POLYLINE with its VERTEX
 * and SEQEND, SPLINE, INSERT (and MINSERT); every other type becomes
 * D_IGNORED with its name counted.  Common codes: 8 layer, 67 paper space,
 * 330 owner (a paper-space block record makes the entity paper space),
 * 210/220/230 extrusion.  Codes inside 102 {...} application groups are
 * skipped, so a reactor's 330 is never taken for the owner.
 *
 * Limits are checked while reading, before anything grows: SPLINE degree,
 * knots, control and fit points (max_spline_knots each).  A SPLINE whose
 * data cannot describe a curve is left out with the warning bad_entity,
 * never guessed.  Arrays go to scratch space reused by the next entity,
 * or, with keep (block definitions), to the arena for good; spline arrays
 * always go to the arena because the curves point at them.
 */
#include "dxf_int.h"

#include <math.h>
#include <string.h>

#define DEG (M_PI / 180.0)

enum { S_KNOT, S_WEIGHT, S_CTRL, S_FIT };

static int mem_fail(struct rd *r, size_t pos)
{
    char w[32];
    return err_set(r->e, "%s: memory limit exceeded (limits.memory_mb)",
                   lex_where(&r->lx, pos, w, sizeof w));
}

static int get(struct rd *r, struct dxf_tok *t)
{
    int rc = lex_next(&r->lx, t, r->e);
    if (rc == 0) {
        char w[32];
        size_t pos = r->lx.binary ? (size_t)(r->lx.end - r->lx.start) : r->lx.line;
        return err_set(r->e, "unexpected end of file at %s inside %s: missing EOF",
                       lex_where(&r->lx, pos, w, sizeof w),
                       r->lx.section ? r->lx.section : "an entity");
    }
    return rc;
}

/* Paper-space handles are stored only when not 0, so an unreadable handle
 * (tok_hex gives 0) never matches. */
static int is_paper_owner(const struct rd *r, const struct dxf_tok *t)
{
    uint64_t v = tok_hex(t);
    for (size_t i = 0; i < r->npaper; i++)
        if (r->paper_handles[i] == v)
            return 1;
    return 0;
}

/* Codes every entity shares.  Returns 1 when consumed, 0 when not, -1. */
static int common(struct rd *r, const struct dxf_tok *t, struct dent *d, int *app)
{
    if (t->code == 102) {
        const char *s;
        size_t n;
        tok_trim(t, &s, &n);
        *app = n > 0 && s[0] == '{';
        return 1;
    }
    if (*app)
        return 1;
    switch (t->code) {
    case 8: {
        const char *s;
        size_t n;
        tok_trim(t, &s, &n);
        uint32_t k = dxf_layer_ref(r, s, n);
        if (k == UINT32_MAX)
            return mem_fail(r, t->pos);
        d->layer = k;
        return 1;
    }
    case 67: {
        long long v;
        if (tok_int(&r->lx, t, &v, r->e))
            return -1;
        if (v == 1)
            d->paper = 1;
        return 1;
    }
    case 330:
        if (r->npaper && is_paper_owner(r, t))
            d->paper = 1;
        return 1;
    case 210:
    case 220:
    case 230:
        return tok_real(&r->lx, t, &d->n[t->code / 10 - 21], r->e) ? -1 : 1;
    default:
        return 0;
    }
}

/* Leaves the entity out (D_NONE) with the warning bad_entity. */
static int warn_bad(struct rd *r, struct dent *d, const char *why)
{
    char w[32];
    d->kind = D_NONE;
    if (geom_warn(r->a, &r->out->warnings, "bad_entity", 0, 0, "%s: %s; left out",
                  lex_where(&r->lx, d->src, w, sizeof w), why))
        return mem_fail(r, d->src);
    return 0;
}

static void *keep_copy(struct rd *r, const void *p, size_t bytes)
{
    void *q = arena_alloc(r->a, bytes ? bytes : 1);
    if (q && bytes)
        memcpy(q, p, bytes);
    return q;
}

/* Appends one vertex to the scratch list; NULL on memory. */
static struct dvert *add_vert(struct rd *r, size_t *n)
{
    struct dvert *v = dxf_grow(r, r->sv, &r->capsv, *n + 1, sizeof *v);
    if (!v)
        return NULL;
    r->sv = v;
    memset(&v[*n], 0, sizeof v[0]);
    return &v[(*n)++];
}

static int finish_poly(struct rd *r, struct dent *d, size_t n, int keep)
{
    d->poly.n = n;
    d->poly.v = r->sv;
    if (keep) {
        d->poly.v = keep_copy(r, r->sv, n * sizeof *r->sv);
        if (!d->poly.v)
            return mem_fail(r, d->src);
    }
    return 0;
}

static int decode_lwpoly(struct rd *r, struct dent *d, int keep)
{
    struct dxf_tok t;
    int app = 0, rc;
    size_t n = 0;
    long long flags = 0;
    struct dvert *cur = NULL;
    while ((rc = get(r, &t)) == 1 && t.code != 0) {
        if ((rc = common(r, &t, d, &app)) != 0) {
            if (rc < 0)
                return -1;
            continue;
        }
        double v;
        switch (t.code) {
        case 10:
            if (tok_real(&r->lx, &t, &v, r->e))
                return -1;
            if (!(cur = add_vert(r, &n)))
                return mem_fail(r, t.pos);
            cur->x = v;
            break;
        case 20:
        case 42:
            if (tok_real(&r->lx, &t, &v, r->e))
                return -1;
            if (cur && t.code == 20)
                cur->y = v;
            else if (cur)
                cur->bulge = v;
            break;
        case 38:
            if (tok_real(&r->lx, &t, &d->poly.elev, r->e))
                return -1;
            break;
        case 70:
            if (tok_int(&r->lx, &t, &flags, r->e))
                return -1;
            break;
        default:
            break;
        }
    }
    if (rc < 0)
        return -1;
    lex_unget(&r->lx);
    d->poly.closed = (flags & 1) != 0;
    return finish_poly(r, d, n, keep);
}

static int decode_polyline(struct rd *r, struct dent *d, int keep)
{
    struct dxf_tok t;
    int app = 0, rc;
    long long flags = 0;
    while ((rc = get(r, &t)) == 1 && t.code != 0) {
        if ((rc = common(r, &t, d, &app)) != 0) {
            if (rc < 0)
                return -1;
            continue;
        }
        if (t.code == 70 && tok_int(&r->lx, &t, &flags, r->e))
            return -1;
        if (t.code == 30 && tok_real(&r->lx, &t, &d->poly.elev, r->e))
            return -1;
    }
    if (rc < 0)
        return -1;
    /* the vertices, up to SEQEND (or, sloppily, any other entity) */
    size_t n = 0;
    while (t.code == 0 && tok_is(&t, "VERTEX")) {
        struct dvert v = {0, 0, 0, 0};
        long long vf = 0;
        int vapp = 0;
        while ((rc = get(r, &t)) == 1 && t.code != 0) {
            if (t.code == 102) {
                const char *s;
                size_t sn;
                tok_trim(&t, &s, &sn);
                vapp = sn > 0 && s[0] == '{';
                continue;
            }
            if (vapp)
                continue;
            int bad = 0;
            switch (t.code) {
            case 10:
                bad = tok_real(&r->lx, &t, &v.x, r->e);
                break;
            case 20:
                bad = tok_real(&r->lx, &t, &v.y, r->e);
                break;
            case 30:
                bad = tok_real(&r->lx, &t, &v.z, r->e);
                break;
            case 42:
                bad = tok_real(&r->lx, &t, &v.bulge, r->e);
                break;
            case 70:
                bad = tok_int(&r->lx, &t, &vf, r->e);
                break;
            default:
                break;
            }
            if (bad)
                return -1;
        }
        if (rc < 0)
            return -1;
        if (vf & 16)
            continue; /* spline frame control point: not on the curve */
        struct dvert *p = add_vert(r, &n);
        if (!p)
            return mem_fail(r, t.pos);
        *p = v;
    }
    if (t.code == 0 && tok_is(&t, "SEQEND")) {
        while ((rc = get(r, &t)) == 1 && t.code != 0)
            ;
        if (rc < 0)
            return -1;
    }
    lex_unget(&r->lx);
    if (flags & (16 | 64)) {
        d->kind = D_IGNORED;
        uint32_t k;
        if (dxf_type_ref(r, "POLYLINE", 8, &k))
            return -1;
        d->ign.type = k;
        return 0;
    }
    d->kind = (flags & 8) ? D_POLY3D : D_POLY2D;
    d->poly.closed = (flags & 1) != 0;
    return finish_poly(r, d, n, keep);
}

/* Appends k doubles to scratch array i, checking the spline limit. */
static int spl_add(struct rd *r, int i, size_t *n, const double *v, int k, size_t limit,
                   const struct dxf_tok *t)
{
    if (*n / (size_t)k >= limit) {
        char w[32];
        static const char *const what[] = {"knots", "weights", "control points", "fit points"};
        return err_set(r->e, "%s: SPLINE has more than %zu %s (limits.max_spline_knots)",
                       lex_where(&r->lx, t->pos, w, sizeof w), limit, what[i]);
    }
    double *a = dxf_grow(r, r->sd[i], &r->capsd[i], *n + (size_t)k, sizeof *a);
    if (!a)
        return mem_fail(r, t->pos);
    r->sd[i] = a;
    memcpy(a + *n, v, (size_t)k * sizeof *a);
    *n += (size_t)k;
    return 0;
}

static int decode_spline(struct rd *r, struct dent *d)
{
    struct dxf_tok t;
    int app = 0, rc;
    long long degree = 3, flags = 0;
    size_t nk = 0, nw = 0, nc = 0, nf = 0, lim = r->o.max_spline_knots;
    double tan0[3] = {0, 0, 0}, tan1[3] = {0, 0, 0};
    int has0 = 0, has1 = 0;
    double *cp = NULL, *fp = NULL; /* the point being filled */
    while ((rc = get(r, &t)) == 1 && t.code != 0) {
        if ((rc = common(r, &t, d, &app)) != 0) {
            if (rc < 0)
                return -1;
            continue;
        }
        double v;
        if ((t.code >= 10 && t.code <= 13) || (t.code >= 20 && t.code <= 23) ||
            (t.code >= 30 && t.code <= 33) || t.code == 40 || t.code == 41) {
            if (tok_real(&r->lx, &t, &v, r->e))
                return -1;
        }
        switch (t.code) {
        case 70:
            if (tok_int(&r->lx, &t, &flags, r->e))
                return -1;
            break;
        case 71:
            if (tok_int(&r->lx, &t, &degree, r->e))
                return -1;
            if (degree > r->o.max_spline_degree) {
                char w[32];
                return err_set(r->e, "%s: SPLINE of degree %lld; the limit is %d "
                               "(limits.max_spline_degree)",
                               lex_where(&r->lx, t.pos, w, sizeof w), degree,
                               r->o.max_spline_degree);
            }
            break;
        case 40:
            if (spl_add(r, S_KNOT, &nk, &v, 1, lim, &t))
                return -1;
            break;
        case 41:
            if (spl_add(r, S_WEIGHT, &nw, &v, 1, lim, &t))
                return -1;
            break;
        case 10:
        case 11: {
            double p3[3] = {v, 0, 0};
            int i = t.code == 10 ? S_CTRL : S_FIT;
            size_t *n = t.code == 10 ? &nc : &nf;
            if (spl_add(r, i, n, p3, 3, lim, &t))
                return -1;
            *(t.code == 10 ? &cp : &fp) = r->sd[i] + *n - 3;
            break;
        }
        case 20:
        case 30:
            if (cp)
                cp[t.code / 10 - 1] = v;
            break;
        case 21:
        case 31:
            if (fp)
                fp[t.code / 10 - 1] = v;
            break;
        case 12:
        case 22:
        case 32:
            tan0[t.code / 10 - 1] = v;
            has0 = 1;
            break;
        case 13:
        case 23:
        case 33:
            tan1[t.code / 10 - 1] = v;
            has1 = 1;
            break;
        default:
            break;
        }
    }
    if (rc < 0)
        return -1;
    lex_unget(&r->lx);
    (void)flags;
    size_t ncp = nc / 3;
    if (ncp == 0) {
        size_t nfit = nf / 3;
        double *p, *k;
        size_t n;
        if (nfit < 2)
            return warn_bad(r, d, "SPLINE without control points and with fewer than two fit "
                                  "points");
        if (dxf_fit_spline(r->a, r->sd[S_FIT], nfit, has0 && has1 ? tan0 : NULL,
                           has0 && has1 ? tan1 : NULL, &p, &n, &k) < 0)
            return warn_bad(r, d, "SPLINE fit points do not define a curve");
        d->kind = D_SPLINE;
        d->spl.degree = 3;
        d->spl.n = n;
        d->spl.p = p;
        d->spl.w = NULL;
        d->spl.knots = k;
        return 0;
    }
    if (degree < 1 || ncp < (size_t)degree + 1)
        return warn_bad(r, d, "SPLINE with fewer control points than its degree needs");
    size_t want = ncp + (size_t)degree + 1;
    double *knots;
    if (nk == 0) {
        /* ezdxf's default for a missing knot vector: clamped, uniform */
        knots = arena_alloc(r->a, want * sizeof *knots);
        if (!knots)
            return mem_fail(r, d->src);
        size_t inner = ncp - (size_t)degree;
        for (size_t i = 0; i < want; i++)
            knots[i] = i <= (size_t)degree ? 0.0
                       : i >= ncp         ? (double)inner
                                          : (double)(i - (size_t)degree);
    } else {
        if (nk != want) {
            char why[192];
            snprintf(why, sizeof why,
                     "SPLINE with %zu knots where %zu control points of degree %lld need %zu",
                     nk, ncp, degree, want);
            return warn_bad(r, d, why);
        }
        for (size_t i = 1; i < nk; i++)
            if (!(r->sd[S_KNOT][i] >= r->sd[S_KNOT][i - 1]))
                return warn_bad(r, d, "SPLINE knots that decrease");
        if (!(r->sd[S_KNOT][ncp] > r->sd[S_KNOT][degree]))
            return warn_bad(r, d, "SPLINE whose knot vector spans nothing");
        knots = keep_copy(r, r->sd[S_KNOT], nk * sizeof *knots);
        if (!knots)
            return mem_fail(r, d->src);
    }
    double *w = NULL;
    if (nw == ncp) {
        int all1 = 1;
        for (size_t i = 0; i < nw; i++) {
            if (!(r->sd[S_WEIGHT][i] > 0))
                return warn_bad(r, d, "SPLINE with a weight that is not positive");
            if (r->sd[S_WEIGHT][i] != 1.0)
                all1 = 0;
        }
        if (!all1 && !(w = keep_copy(r, r->sd[S_WEIGHT], nw * sizeof *w)))
            return mem_fail(r, d->src);
    }
    double *p = keep_copy(r, r->sd[S_CTRL], nc * sizeof *p);
    if (!p)
        return mem_fail(r, d->src);
    d->kind = D_SPLINE;
    d->spl.degree = (int)degree;
    d->spl.n = ncp;
    d->spl.p = p;
    d->spl.w = w;
    d->spl.knots = knots;
    return 0;
}

/* The simple entities: every code is a number at a fixed place. */
static int decode_simple(struct rd *r, struct dent *d)
{
    struct dxf_tok t;
    int app = 0, rc;
    double s0 = 0, s1 = 360, *slot;
    long long iv;
    const char *name = NULL;
    size_t nlen = 0;
    while ((rc = get(r, &t)) == 1 && t.code != 0) {
        if ((rc = common(r, &t, d, &app)) != 0) {
            if (rc < 0)
                return -1;
            continue;
        }
        int c = t.code;
        slot = NULL;
        switch (d->kind) {
        case D_LINE:
            if (c == 10 || c == 20 || c == 30)
                slot = &d->line.a[c / 10 - 1];
            else if (c == 11 || c == 21 || c == 31)
                slot = &d->line.b[c / 10 - 1];
            break;
        case D_ARC:
        case D_CIRCLE:
            if (c == 10 || c == 20 || c == 30)
                slot = &d->arc.c[c / 10 - 1];
            else if (c == 40)
                slot = &d->arc.r;
            else if (c == 50)
                slot = &s0;
            else if (c == 51)
                slot = &s1;
            break;
        case D_ELLIPSE:
            if (c == 10 || c == 20 || c == 30)
                slot = &d->ell.c[c / 10 - 1];
            else if (c == 11 || c == 21 || c == 31)
                slot = &d->ell.m[c / 10 - 1];
            else if (c == 40)
                slot = &d->ell.ratio;
            else if (c == 41)
                slot = &d->ell.t0;
            else if (c == 42)
                slot = &d->ell.t1;
            break;
        case D_INSERT:
            if (c == 10 || c == 20 || c == 30)
                slot = &d->ins.p[c / 10 - 1];
            else if (c >= 41 && c <= 43)
                slot = &d->ins.sc[c - 41];
            else if (c == 50)
                slot = &d->ins.rot;
            else if (c == 44)
                slot = &d->ins.dx;
            else if (c == 45)
                slot = &d->ins.dy;
            else if (c == 70 || c == 71) {
                if (tok_int(&r->lx, &t, &iv, r->e))
                    return -1;
                int v = iv < 1 ? 1 : iv > 1000000000 ? 1000000000 : (int)iv;
                *(c == 70 ? &d->ins.cols : &d->ins.rows) = v;
            } else if (c == 2 && t.kind == TOK_STR)
                tok_trim(&t, &name, &nlen);
            break;
        default:
            break;
        }
        if (slot && tok_real(&r->lx, &t, slot, r->e))
            return -1;
    }
    if (rc < 0)
        return -1;
    lex_unget(&r->lx);
    if (d->kind == D_ARC || d->kind == D_CIRCLE) {
        d->arc.r = fabs(d->arc.r);
        if (d->kind == D_CIRCLE) {
            d->arc.a0 = 0;
            d->arc.sweep = 2 * M_PI;
        } else {
            /* ezdxf's and AutoCAD's reading: counterclockwise from start to end */
            double span = fmod(s1 - s0, 360.0);
            if (span < 0)
                span += 360.0;
            if (span < 1e-12 && fabs(s1 - s0) > 1e-12)
                span = 360.0;
            d->arc.a0 = s0 * DEG;
            d->arc.sweep = span * DEG;
        }
    } else if (d->kind == D_ELLIPSE) {
        double span = fmod(d->ell.t1 - d->ell.t0, 2 * M_PI);
        if (span < 0)
            span += 2 * M_PI;
        if (span < 1e-12)
            span = 2 * M_PI;
        d->ell.t1 = d->ell.t0 + span;
    } else if (d->kind == D_INSERT) {
        d->ins.rot *= DEG;
        if (dxf_block_ref(r, name ? name : "", nlen, &d->ins.block))
            return -1;
    }
    return 0;
}

int dxf_decode(struct rd *r, const struct dxf_tok *t, struct dent *d, int keep)
{
    memset(d, 0, sizeof *d);
    d->layer = r->layer0;
    d->src = (uint32_t)(t->pos > UINT32_MAX ? UINT32_MAX : t->pos);
    d->n[2] = 1.0;
    const char *s;
    size_t n;
    tok_trim(t, &s, &n);
#define IS(w) (n == sizeof(w) - 1 && memcmp(s, w, n) == 0)
    if (IS("LINE")) {
        d->kind = D_LINE;
        return decode_simple(r, d);
    }
    if (IS("ARC") || IS("CIRCLE")) {
        d->kind = IS("ARC") ? D_ARC : D_CIRCLE;
        return decode_simple(r, d);
    }
    if (IS("ELLIPSE")) {
        d->kind = D_ELLIPSE;
        d->ell.ratio = 1;
        d->ell.t1 = 2 * M_PI;
        return decode_simple(r, d);
    }
    if (IS("INSERT") || IS("MINSERT")) {
        d->kind = D_INSERT;
        d->ins.sc[0] = d->ins.sc[1] = d->ins.sc[2] = 1;
        d->ins.cols = d->ins.rows = 1;
        return decode_simple(r, d);
    }
    if (IS("LWPOLYLINE")) {
        d->kind = D_LWPOLY;
        return decode_lwpoly(r, d, keep);
    }
    if (IS("POLYLINE"))
        return decode_polyline(r, d, keep);
    if (IS("SPLINE"))
        return decode_spline(r, d);
    /* every other type: skip its codes, but still learn whether it is in
     * paper space (67, owner) and which layer it is on */
    struct dxf_tok u;
    int app = 0, rc;
    int none = IS("SEQEND") || IS("VERTEX") || IS("ENDBLK");
#undef IS
    if (!none) {
        d->kind = D_IGNORED;
        if (dxf_type_ref(r, s, n, &d->ign.type))
            return -1;
    } else {
        d->kind = D_NONE;
    }
    while ((rc = get(r, &u)) == 1 && u.code != 0)
        if (common(r, &u, d, &app) < 0)
            return -1;
    if (rc < 0)
        return -1;
    lex_unget(&r->lx);
    return 0;
}
