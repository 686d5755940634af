/*
 * check.c - drawing problems a shop must see before quoting.
 *
 * Duplicates are found by sorting, never by comparing every pair: lines by
 * their supporting line (direction quantised to 1e-6 rad, offset to the
 * join tolerance), arcs by circle (centre and radius to the join
 * tolerance).  A radix sort on a 32-bit hash of the group brings each
 * group together in O(n); only the runs of more than one span are sorted
 * by interval and swept in order, so the length covered twice is the
 * total minus the union, exactly.  A curve wholly covered by earlier ones
 * is a duplicate and stays out of the contours.  Two copies that straddle
 * a quantisation step are missed; copies drawn from the same coordinates
 * never are.  Ellipses and splines are not compared.
 *
 * Each code warns at most GEOM_WARN_CAP times, then one line says how many
 * more there were, so a broken drawing of 2 million entities gives a
 * readable list.
 */
#include "geom_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- the cap */

static const char *const codes[] = {"open_contour",      "duplicate_geometry", "zero_length",
                                    "tiny_hole",         "implausible_size",   "multiple_parts",
                                    "circle_as_segments"};
#define NCODES (sizeof codes / sizeof *codes)

int geom_warn_capped(struct geom_ctx *x, const char *code, double px, double py, const char *fmt,
                     ...)
{
    size_t c = 0;
    while (c < NCODES && strcmp(codes[c], code) != 0)
        c++;
    if (c < NCODES && x->warned[c]++ >= GEOM_WARN_CAP)
        return 0;
    char msg[sizeof x->w->v->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return geom_warn(x->a, x->w, code, px, py, "%s", msg);
}

int geom_warn_flush(struct geom_ctx *x)
{
    for (size_t c = 0; c < NCODES; c++)
        if (x->warned[c] > GEOM_WARN_CAP &&
            geom_warn(x->a, x->w, codes[c], 0, 0, "%zu more %s warnings not listed",
                      x->warned[c] - GEOM_WARN_CAP, codes[c]))
            return -1;
    return 0;
}

/* ----------------------------------------------------------- duplicates */

struct span {
    int64_t k1, k2, k3; /* the group */
    double lo, hi;      /* interval inside the group */
    double scale;       /* mm per unit of the interval */
    uint32_t curve;
};

static int by_span(const void *pa, const void *pb)
{
    const struct span *a = pa, *b = pb;
    if (a->k1 != b->k1)
        return a->k1 < b->k1 ? -1 : 1;
    if (a->k2 != b->k2)
        return a->k2 < b->k2 ? -1 : 1;
    if (a->k3 != b->k3)
        return a->k3 < b->k3 ? -1 : 1;
    if (a->lo != b->lo)
        return a->lo < b->lo ? -1 : 1;
    if (a->hi != b->hi)
        return a->hi > b->hi ? -1 : 1; /* longest first: it covers the rest */
    return a->curve < b->curve ? -1 : a->curve > b->curve;
}

static int64_t quant(double v, double q)
{
    double r = floor(v / q + 0.5);
    return (int64_t)fmax(-1e15, fmin(1e15, r));
}

/* Lines: endpoints ordered so that a line and its reverse give the same
 * numbers; direction angle in (-pi/2, pi/2]. */
static void line_span(const struct geom_curve *c, double tol, struct span *s)
{
    struct geom_pt a = c->line.a, b = c->line.b;
    if (b.x < a.x || (b.x == a.x && b.y < a.y)) {
        struct geom_pt t = a;
        a = b;
        b = t;
    }
    double th = atan2(b.y - a.y, b.x - a.x), dx = cos(th), dy = sin(th);
    s->k1 = 0;
    s->k2 = quant(th, 1e-6);
    s->k3 = quant(a.y * dx - a.x * dy, tol);
    s->lo = a.x * dx + a.y * dy;
    s->hi = b.x * dx + b.y * dy;
    s->scale = 1;
}

static double wrap(double t)
{
    t = fmod(t, GEOM_TAU);
    return t < 0 ? t + GEOM_TAU : t;
}

/* The spans of curve c (a line or an arc): one, or two for an arc that
 * passes angle 0, the part after it first.  Returns how many. */
static int curve_spans(const struct geom_curve *c, double tol, uint32_t i, struct span *s)
{
    if (c->kind == GEOM_LINE) {
        line_span(c, tol, &s[0]);
        s[0].curve = i;
        return 1;
    }
    double span = fmin(fabs(c->arc.sweep), GEOM_TAU);
    double lo = wrap(c->arc.sweep >= 0 ? c->arc.a0 : c->arc.a0 + c->arc.sweep);
    uint64_t cy = (uint64_t)quant(c->arc.c.y, tol), r = (uint64_t)quant(fabs(c->arc.r), tol);
    struct span a = {
        1, quant(c->arc.c.x, tol), (int64_t)(cy * 1000003u + r), lo, lo + span, fabs(c->arc.r), i};
    if (a.hi <= GEOM_TAU) {
        s[0] = a;
        return 1;
    }
    s[0] = a; /* past 0: split in two */
    s[0].lo = 0;
    s[0].hi = a.hi - GEOM_TAU;
    s[1] = a;
    s[1].hi = GEOM_TAU;
    return 2;
}

/* The group of a span in 32 bits: equal groups hash equal; the few
 * different groups that collide are told apart by by_span. */
static uint32_t group_hash(const struct span *s)
{
    uint64_t h = (uint64_t)s->k1 * 0x9E3779B97F4A7C15ULL;
    h = (h ^ (uint64_t)s->k2) * 0xC2B2AE3D27D4EB4FULL;
    h = (h ^ (uint64_t)s->k3) * 0x165667B19E3779F9ULL;
    return (uint32_t)(h >> 32);
}

/* What the sweep found: overlap[] (mm covered before) and dup_of[] of the
 * curves in hits[0..nhits), each listed once (dup_of GEOM_NONE: not yet). */
struct dups {
    double *overlap;
    uint32_t *dup_of, *hits;
    size_t nhits;
};

/* Sweeps each group of s[0..m) (sorted by by_span). */
static void sweep(const struct span *s, size_t m, struct dups *D)
{
    for (size_t i = 0; i < m;) {
        size_t j = i;
        double reach = s[i].hi;
        uint32_t cover = s[i].curve;
        for (j = i + 1; j < m && s[j].k1 == s[i].k1 && s[j].k2 == s[i].k2 && s[j].k3 == s[i].k3;
             j++) {
            double o = fmin(s[j].hi, reach) - s[j].lo;
            uint32_t c = s[j].curve;
            if (o > 0 && cover != c) {
                if (D->dup_of[c] == GEOM_NONE) {
                    D->overlap[c] = 0;
                    D->hits[D->nhits++] = c;
                }
                D->overlap[c] += o * s[j].scale;
                D->dup_of[c] = cover;
            }
            if (s[j].hi > reach) {
                reach = s[j].hi;
                cover = c;
            }
        }
        i = j;
    }
}

static const char *kind_name(const struct geom_curve *c)
{
    static const char *const names[] = {"line", "arc", "ellipse", "spline"};
    return c->kind < 4 ? names[c->kind] : "curve";
}

static int by_u32(const void *a, const void *b)
{
    uint32_t u = *(const uint32_t *)a, v = *(const uint32_t *)b;
    return u < v ? -1 : u > v;
}

/* Spans are grouped by a radix sort of (group hash, curve, which span):
 * only the runs of equal hash, few and short in a clean drawing, are
 * sorted by by_span and swept. */
int geom_find_duplicates(struct geom_ctx *x)
{
    size_t n = x->n, m = 0;
    double tol = x->o.join_tol_mm;
    uint64_t *key = geom_alloc(2 * n + 1, sizeof *key, 0),
             *tmp = geom_alloc(2 * n + 1, sizeof *tmp, 0);
    struct dups D = {malloc((n + 1) * sizeof *D.overlap), x->dup_of,
                     malloc((n + 1) * sizeof *D.hits), 0};
    struct span *g = NULL;
    size_t gcap = 0;
    int rc = -1;
    if (!key || !tmp || !D.overlap || !D.hits)
        goto done;
    for (size_t i = 0; i < n; i++) {
        const struct geom_curve *c = &x->c[i];
        x->dup_of[i] = GEOM_NONE;
        if (x->len[i] <= 1e-6) {
            x->r->curve_flags[i] |= GEOM_CURVE_ZERO;
            struct geom_pt p = geom_curve_start(c);
            if (geom_warn_capped(x, "zero_length", p.x, p.y,
                                 "%s of zero length at (%.3f, %.3f): remove it", kind_name(c), p.x,
                                 p.y))
                goto done;
            continue;
        }
        if (c->kind != GEOM_LINE && c->kind != GEOM_ARC)
            continue;
        struct span sp[2];
        int k = curve_spans(c, tol, (uint32_t)i, sp);
        for (int h = 0; h < k; h++)
            key[m++] = (uint64_t)group_hash(&sp[h]) << 32 | (uint64_t)i << 1 | (uint64_t)h;
    }
    uint64_t *v = geom_radix_sort(key, tmp, m, 32);
    for (size_t i = 0, j; i < m; i = j) {
        for (j = i + 1; j < m && v[j] >> 32 == v[i] >> 32; j++)
            ;
        if (j - i < 2)
            continue;
        if (j - i > gcap) {
            free(g);
            gcap = 2 * (j - i);
            if (!(g = malloc(gcap * sizeof *g)))
                goto done;
        }
        for (size_t t = i; t < j; t++) {
            uint32_t ci = (uint32_t)(v[t] & 0xffffffffu) >> 1, h = (uint32_t)(v[t] & 1);
            struct span sp[2];
            curve_spans(&x->c[ci], tol, ci, sp);
            g[t - i] = sp[h];
        }
        qsort(g, j - i, sizeof *g, by_span);
        sweep(g, j - i, &D);
    }
    if (D.nhits > 1) /* D.hits may be NULL when empty */
        qsort(D.hits, D.nhits, sizeof *D.hits, by_u32);
    for (size_t t = 0; t < D.nhits; t++) {
        uint32_t i = D.hits[t];
        double over = D.overlap[i];
        if (!(over > tol)) {
            x->dup_of[i] = GEOM_NONE;
            continue;
        }
        const struct geom_curve *c = &x->c[i];
        int whole = over >= x->len[i] - tol;
        if (whole)
            x->r->curve_flags[i] |= GEOM_CURVE_DUPLICATE;
        struct geom_pt p = geom_curve_mid(c);
        if (geom_warn_capped(x, "duplicate_geometry", p.x, p.y,
                             "%s %s another: %.3f mm would be cut twice; delete the copy",
                             kind_name(c), whole ? "repeats" : "overlaps", over))
            goto done;
    }
    rc = 0;
done:
    free(key);
    free(tmp);
    free(D.overlap);
    free(D.hits);
    free(g);
    return rc;
}

/* -------------------------------------------------------- contour checks */

struct loose {
    struct geom_pt p;
    size_t contour;
};

/* The loose end nearest to q other than q itself (contour k's tail),
 * searching outwards in x from q's place in the sorted ends until the x
 * distance alone exceeds the best so far. */
static struct geom_pt nearest_loose(const struct loose *e, size_t m, struct geom_pt q, size_t k,
                                    double *bd)
{
    size_t lo = 0, hi = m;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (e[mid].p.x < q.x)
            lo = mid + 1;
        else
            hi = mid;
    }
    struct geom_pt best = q;
    *bd = INFINITY;
    int skipped = 0;
    for (size_t up = lo, dn = lo; up < m || dn > 0;) {
        int go_up = up < m && (dn == 0 || e[up].p.x - q.x <= q.x - e[dn - 1].p.x);
        const struct loose *c = go_up ? &e[up++] : &e[--dn];
        if (fabs(c->p.x - q.x) > *bd)
            break;
        if (!skipped && c->contour == k && c->p.x == q.x && c->p.y == q.y) {
            skipped = 1; /* the tail itself */
            continue;
        }
        double d = hypot(c->p.x - q.x, c->p.y - q.y);
        if (d < *bd) {
            *bd = d;
            best = c->p;
        }
    }
    return best;
}

/* open_contour: for each open contour, the gap from its tail to the nearest
 * other loose end (its own head included).  Only the listed ones are
 * searched; the rest are counted. */
static int check_open(struct geom_ctx *x)
{
    const struct geom_report *r = x->r;
    if (r->open == 0)
        return 0;
    /* The ends sorted by x (stable: equal x keep their order) in O(m): keys
     * first, the ends themselves once the scratch of the sort is gone. */
    struct geom_kv *kv = geom_alloc(2 * r->open, sizeof *kv, 0);
    struct geom_kv *tmp = geom_alloc(2 * r->open, sizeof *tmp, 0);
    struct loose *e = NULL;
    size_t m = 0;
    int rc = -1;
    if (!kv || !tmp)
        goto done;
    for (size_t k = 0; k < r->ncontours; k++) {
        const struct geom_contour *ct = &r->contours[k];
        if (ct->closed)
            continue;
        struct geom_pt s = geom_edge_start(x, &r->edges[ct->first]);
        struct geom_pt t = geom_edge_end(x, &r->edges[ct->first + ct->n - 1]);
        kv[m++] = (struct geom_kv){geom_sort_key(s.x), (uint32_t)(2 * k)};
        kv[m++] = (struct geom_kv){geom_sort_key(t.x), (uint32_t)(2 * k + 1)};
    }
    struct geom_kv *sorted = geom_radix_sort_kv(kv, tmp, m);
    free(sorted == kv ? tmp : kv);
    kv = sorted;
    tmp = NULL;
    if (!(e = geom_alloc(m, sizeof *e, 0)))
        goto done;
    for (size_t i = 0; i < m; i++) {
        size_t k = sorted[i].val / 2;
        const struct geom_contour *ct = &r->contours[k];
        e[i].contour = k;
        e[i].p = sorted[i].val & 1 ? geom_edge_end(x, &r->edges[ct->first + ct->n - 1])
                                   : geom_edge_start(x, &r->edges[ct->first]);
    }
    free(kv);
    kv = NULL;
    rc = 0;
    for (size_t k = 0; k < r->ncontours && !rc; k++) {
        const struct geom_contour *ct = &r->contours[k];
        if (ct->closed)
            continue;
        struct geom_pt tail = geom_edge_end(x, &r->edges[ct->first + ct->n - 1]);
        if (x->warned[0] >= GEOM_WARN_CAP) {
            rc = geom_warn_capped(x, "open_contour", tail.x, tail.y, "open");
            continue;
        }
        double bd;
        struct geom_pt best = nearest_loose(e, m, tail, k, &bd);
        rc = geom_warn_capped(x, "open_contour", tail.x, tail.y,
                              "open contour: gap of %.3f mm between (%.3f, %.3f) and (%.3f, %.3f)",
                              bd, tail.x, tail.y, best.x, best.y);
    }
done:
    free(e);
    free(kv);
    free(tmp);
    return rc;
}

/* circle_as_segments: >= 8 lines, each at most a sixth of the turn, whose
 * vertices lie on the circle through three of them within
 * max(join tolerance, r / 1000). */
static int check_segments(struct geom_ctx *x, const struct geom_contour *ct)
{
    const struct geom_edge *ed = &x->r->edges[ct->first];
    size_t n = ct->n;
    if (!ct->closed || n < 8)
        return 0;
    for (size_t j = 0; j < n; j++)
        if (x->c[ed[j].curve].kind != GEOM_LINE)
            return 0;
    struct geom_pt a = geom_edge_start(x, &ed[0]), b = geom_edge_start(x, &ed[n / 3]),
                   c = geom_edge_start(x, &ed[2 * n / 3]);
    double d = 2 * (a.x * (b.y - c.y) + b.x * (c.y - a.y) + c.x * (a.y - b.y));
    if (!(fabs(d) > 0))
        return 0;
    double a2 = a.x * a.x + a.y * a.y, b2 = b.x * b.x + b.y * b.y, c2 = c.x * c.x + c.y * c.y;
    double ux = (a2 * (b.y - c.y) + b2 * (c.y - a.y) + c2 * (a.y - b.y)) / d;
    double uy = (a2 * (c.x - b.x) + b2 * (a.x - c.x) + c2 * (b.x - a.x)) / d;
    double rad = hypot(a.x - ux, a.y - uy), tol = fmax(x->o.join_tol_mm, rad * 1e-3);
    for (size_t j = 0; j < n; j++) {
        struct geom_pt p = geom_edge_start(x, &ed[j]);
        if (fabs(hypot(p.x - ux, p.y - uy) - rad) > tol || x->len[ed[j].curve] > rad)
            return 0;
    }
    return geom_warn_capped(x, "circle_as_segments", ux, uy,
                            "circle of %.3f mm drawn as %zu line segments; ask for true arcs",
                            2 * rad, n);
}

static int check_tiny(struct geom_ctx *x, size_t k)
{
    struct geom_contour *ct = &x->r->contours[k];
    double t = x->o.thickness_mm;
    if (!(t > 0) || !ct->closed || ct->depth % 2 == 0)
        return 0;
    /* A hole is measured to 0.01 mm (geom_inscribed): one within that of
     * the thickness is not called smaller than it ("3.000 mm is smaller
     * than 3.000 mm"), whichever side of it its measure fell. */
    double enough = t - GEOM_HOLE_PREC_MM;
    double d = ct->hole_mm;
    if (d < 0) {
        if (geom_hole_bound(ct) >= enough) {
            d = geom_inscribed(x, k, enough);
            if (d < 0)
                return -1;
            if (d >= enough)
                return 0;
        } else {
            d = geom_inscribed(x, k, INFINITY);
        }
        ct->hole_mm = d;
    }
    if (d >= enough)
        return 0;
    struct geom_pt p = {(ct->bbox.min_x + ct->bbox.max_x) / 2,
                        (ct->bbox.min_y + ct->bbox.max_y) / 2};
    return geom_warn_capped(x, "tiny_hole", p.x, p.y,
                            "hole of %.3f mm is smaller than the %.3f mm material thickness", d, t);
}

/* implausible_size: a part under 1 mm or over 10 m; the first unit that
 * would make it plausible is suggested. */
static int check_size(struct geom_ctx *x, const struct geom_part *p)
{
    double w = p->bbox.max_x - p->bbox.min_x, h = p->bbox.max_y - p->bbox.min_y;
    double s = fmax(w, h), unit = x->o.mm_per_unit > 0 ? x->o.mm_per_unit : 1;
    if (!(s < 1 || s > 10000))
        return 0;
    static const struct {
        const char *name;
        double mm;
    } up[] = {{"inch", 25.4}, {"cm", 10}, {"ft", 304.8}, {"m", 1000}},
      down[] = {{"mm", 1}, {"cm", 10}, {"inch", 25.4}};
    const char *name = NULL;
    double f = 1;
    for (size_t i = 0; !name && i < (s < 1 ? 4u : 3u); i++) {
        double mm = s < 1 ? up[i].mm : down[i].mm;
        double g = mm / unit, z = s * g;
        if (fabs(g - 1) > 1e-9 && z >= 1 && z <= 10000) {
            name = s < 1 ? up[i].name : down[i].name;
            f = g;
        }
    }
    if (name)
        return geom_warn_capped(x, "implausible_size", p->bbox.min_x, p->bbox.min_y,
                                "part is %.3f x %.3f mm: %.1f x %.1f mm if the units were %s", w, h,
                                w * f, h * f, name);
    return geom_warn_capped(x, "implausible_size", p->bbox.min_x, p->bbox.min_y,
                            "part is %.3f x %.3f mm: check the drawing units", w, h);
}

int geom_check_contours(struct geom_ctx *x)
{
    struct geom_report *r = x->r;
    if (check_open(x))
        return -1;
    for (size_t k = 0; k < r->ncontours; k++)
        if (check_segments(x, &r->contours[k]) || check_tiny(x, k))
            return -1;
    for (size_t p = 0; p < r->nparts; p++)
        if (r->parts[p].outer != (size_t)-1 && check_size(x, &r->parts[p]))
            return -1;
    if (r->nparts > 1) {
        const struct geom_part *p = &r->parts[1];
        if (geom_warn_capped(x, "multiple_parts", p->bbox.min_x, p->bbox.min_y,
                             "%zu separate outer boundaries: the drawing holds %zu parts",
                             r->nparts, r->nparts))
            return -1;
    }
    return 0;
}
