/*
 * nest.c - which contour is inside which: areas, depths, parts, hole sizes.
 *
 * Accepts the contours of chain.c.  Areas are exact (Green's theorem on
 * each curve, curve.c).  The parent of a contour is the smallest larger
 * closed contour whose box holds its box (to the join tolerance) and whose
 * flattening (to the chord tolerance) holds a point of it; among equal
 * areas the lower index.  Contours do not cross in a drawing that can be
 * cut, so one point decides, and each contour's parent is found on its
 * own; depths and parts follow from the parents.
 *
 * Candidates: first, a uniform grid of box centres tells which closed
 * contours may hold another at all (most holes of a plate cannot); only
 * those go into a hierarchical grid where a box of size s sits in the
 * level whose cells are at least s wide (at most 2 x 2 cells), so a point
 * query reads one cell of each level that is used.  That grid is small, so
 * the search for 200,000 parents stays in cache.  A container's flattening
 * is made once, when first asked for, and cut into horizontal bands so a
 * point test reads only the edges at its height.  The whole is O(n log n)
 * for n contours that are not nested deeply (a plate with 132,000 holes
 * asks the plate 132,000 times, one band each).
 *
 * Hole sizes: circles exactly; any other hole the largest inscribed circle
 * of its flattening, by the pole of inaccessibility (polylabel: a best-first
 * search over square cells, each bounded by its centre's distance plus its
 * half-diagonal) to 0.01 mm in diameter, at most 20,000 cells and about
 * 2e7 vertex distances per hole (a hole of many vertices gets fewer cells;
 * a flattening of more than 20,000 vertices is redone coarser first).
 */
#include "geom_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ flattening */

struct pbuf {
    struct geom_pt *v;
    size_t n, cap;
    int oom;
};

static int pbuf_emit(void *ctx, struct geom_pt p)
{
    struct pbuf *b = ctx;
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        void *v = realloc(b->v, cap * sizeof *b->v);
        if (!v) {
            b->oom = 1;
            return 1;
        }
        b->v = v;
        b->cap = cap;
    }
    b->v[b->n++] = p;
    return 0;
}

/* Appends the closed polygon of contour k (last vertex not repeated). */
static int flatten_contour(const struct geom_ctx *x, size_t k, struct pbuf *out)
{
    const struct geom_contour *ct = &x->r->contours[k];
    struct pbuf one = {0};
    size_t start = out->n;
    for (size_t j = ct->first; j < ct->first + ct->n; j++) {
        const struct geom_edge *ed = &x->r->edges[j];
        one.n = 0;
        geom_curve_flatten(&x->c[ed->curve], x->o.chord_tol_mm, pbuf_emit, &one);
        if (one.oom)
            break;
        for (size_t i = 1; i < one.n; i++) {
            struct geom_pt p = one.v[ed->reversed ? one.n - 1 - i : i];
            if (pbuf_emit(out, p))
                break;
        }
        if (out->n == start && one.n)
            pbuf_emit(out, one.v[ed->reversed ? one.n - 1 : 0]);
    }
    free(one.v);
    return one.oom || out->oom ? -1 : 0;
}

/* A container's polygon with its edges sorted into horizontal bands. */
struct poly {
    size_t off, n;      /* vertices in nest.pts */
    size_t boff, nband; /* band b: edge ids band_item[band_first[boff+b] ..
                           band_first[boff+b+1]) */
    double y0, bh;
};

/* Polygons exist only for the contours asked about: poly_of[k] is 1 + the
 * index of contour k's in poly[], 0 while it has none. */
struct nest {
    struct geom_ctx *x;
    struct pbuf pts;
    uint32_t *band_first, *band_item;
    size_t nbf, cbf, nbi, cbi;
    uint32_t *poly_of;
    struct poly *poly;
    size_t npoly, cpoly;
};

static int grow_u32(uint32_t **v, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 1024;
    while (c < need)
        c *= 2;
    void *p = realloc(*v, c * sizeof **v);
    if (!p)
        return -1;
    *v = p;
    *cap = c;
    return 0;
}

static int poly_build(struct nest *N, size_t k)
{
    if (N->npoly == N->cpoly) {
        size_t c = N->cpoly ? 2 * N->cpoly : 64;
        void *v = realloc(N->poly, c * sizeof *N->poly);
        if (!v)
            return -1;
        N->poly = v;
        N->cpoly = c;
    }
    struct poly *P = &N->poly[N->npoly++];
    N->poly_of[k] = (uint32_t)N->npoly;
    P->off = N->pts.n;
    if (flatten_contour(N->x, k, &N->pts))
        return -1;
    P->n = N->pts.n - P->off;
    const struct geom_pt *v = N->pts.v + P->off;
    double y0 = INFINITY, y1 = -INFINITY;
    for (size_t i = 0; i < P->n; i++) {
        y0 = fmin(y0, v[i].y);
        y1 = fmax(y1, v[i].y);
    }
    size_t nb = P->n / 4 + 1;
    P->y0 = y0;
    P->bh = (y1 - y0) / (double)nb;
    if (!(P->bh > 0))
        nb = 1, P->bh = 1;
    P->nband = nb;
    P->boff = N->nbf;
    if (grow_u32(&N->band_first, &N->cbf, N->nbf + nb + 1))
        return -1;
    uint32_t *bf = N->band_first + P->boff;
    memset(bf, 0, (nb + 1) * sizeof *bf);
    /* Counting sort: count per band, running sums give each band's end,
     * placing counts down to its start. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < P->n; i++) {
            const struct geom_pt *a = &v[i], *b = &v[(i + 1) % P->n];
            double lo = (fmin(a->y, b->y) - y0) / P->bh, hi = (fmax(a->y, b->y) - y0) / P->bh;
            size_t b0 = (size_t)fmin((double)(nb - 1), fmax(0, floor(lo)));
            size_t b1 = (size_t)fmin((double)(nb - 1), fmax(0, floor(hi)));
            for (size_t t = b0; t <= b1; t++) {
                if (pass == 0)
                    bf[t]++;
                else
                    N->band_item[N->nbi + --bf[t]] = (uint32_t)i;
            }
        }
        if (pass == 0) {
            for (size_t t = 1; t < nb; t++)
                bf[t] += bf[t - 1];
            bf[nb] = bf[nb - 1];
            if (grow_u32(&N->band_item, &N->cbi, N->nbi + bf[nb]))
                return -1;
        }
    }
    size_t total = bf[nb];
    for (size_t t = 0; t <= nb; t++)
        bf[t] += (uint32_t)N->nbi;
    N->nbi += total;
    N->nbf += nb + 1;
    return 0;
}

/* Crossing-number test of q against container k (built on first use). */
static int poly_inside(struct nest *N, size_t k, struct geom_pt q, int *in)
{
    if (!N->poly_of[k] && poly_build(N, k))
        return -1;
    const struct poly *P = &N->poly[N->poly_of[k] - 1];
    *in = 0;
    double fb = floor((q.y - P->y0) / P->bh);
    if (!(fb >= 0) || fb >= (double)P->nband)
        return 0;
    size_t b = (size_t)fb;
    const struct geom_pt *v = N->pts.v + P->off;
    const uint32_t *bf = N->band_first + P->boff;
    for (uint32_t t = bf[b]; t < bf[b + 1]; t++) {
        uint32_t i = N->band_item[t];
        const struct geom_pt *a = &v[i], *c = &v[(i + 1) % P->n];
        if ((a->y > q.y) != (c->y > q.y)) {
            double xi = a->x + (q.y - a->y) * (c->x - a->x) / (c->y - a->y);
            if (q.x < xi)
                *in = !*in;
        }
    }
    return 0;
}

/* ------------------------------------------------------ hierarchical grid */

struct hgrid {
    int levels;
    uint32_t used; /* bit l: level l holds a box */
    double x0, y0, size;
    size_t mask;
    uint32_t *first, *item;
};

static size_t hg_bucket(const struct hgrid *G, int level, int64_t ix, int64_t iy)
{
    uint64_t h = (uint64_t)ix * 0x9E3779B97F4A7C15ULL ^ (uint64_t)iy * 0xC2B2AE3D27D4EB4FULL ^
                 (uint64_t)level * 0x165667B19E3779F9ULL;
    h ^= h >> 31;
    return (size_t)(h & G->mask);
}

static int64_t hg_cell(double v, double v0, double cell)
{
    double q = floor((v - v0) / cell);
    if (!(q <= 1e15)) /* NaN too */
        q = 1e15;
    if (q < -1e15)
        q = -1e15;
    return (int64_t)q;
}

static int hg_level(const struct hgrid *G, const struct geom_bbox *b)
{
    double s = fmax(b->max_x - b->min_x, b->max_y - b->min_y);
    int l = 0;
    while (l < G->levels - 1 && G->size / (double)(2LL << l) >= s)
        l++;
    return l;
}

/* Visits the buckets of the cells of box b at its level: 2 x 2 cells at
 * most, 3 x 3 if rounding puts an edge on a cell line; a bucket that two
 * of its cells share is counted (fill 0) or filled (fill 1) once, so a
 * query finds a box at most once per bucket. */
static int hg_cells(struct hgrid *G, const struct geom_bbox *b, uint32_t id, int fill)
{
    int l = hg_level(G, b);
    double cell = G->size / (double)(1LL << l);
    int64_t x0 = hg_cell(b->min_x, G->x0, cell), x1 = hg_cell(b->max_x, G->x0, cell);
    int64_t y0 = hg_cell(b->min_y, G->y0, cell), y1 = hg_cell(b->max_y, G->y0, cell);
    size_t seen[9];
    int ns = 0;
    for (int64_t ix = x0; ix <= x1 && ix <= x0 + 2; ix++)
        for (int64_t iy = y0; iy <= y1 && iy <= y0 + 2; iy++) {
            size_t k = hg_bucket(G, l, ix, iy);
            int dup = 0;
            for (int i = 0; i < ns; i++)
                dup |= seen[i] == k;
            if (dup)
                continue;
            seen[ns++] = k;
            if (fill)
                G->item[--G->first[k]] = id;
            else
                G->first[k]++;
        }
    return l;
}

/* The grid of the boxes of the closed contours that may hold others
 * (cont[i]): levels enough that the finest cells are about as many as the
 * boxes, about two buckets per box. */
static int hg_build(struct hgrid *G, const struct geom_contour *ct, size_t n, const uint8_t *cont)
{
    struct geom_bbox all = geom_bbox_empty();
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (cont[i]) {
            geom_bbox_add(&all, ct[i].bbox.min_x, ct[i].bbox.min_y);
            geom_bbox_add(&all, ct[i].bbox.max_x, ct[i].bbox.max_y);
            m++;
        }
    G->x0 = all.min_x;
    G->y0 = all.min_y;
    G->size = fmax(all.max_x - all.min_x, all.max_y - all.min_y);
    if (!(G->size > 0) || !isfinite(G->size))
        G->size = 1;
    G->levels = 1;
    while (G->levels < 24 && ((size_t)1 << (2 * (G->levels - 1))) < 4 * m)
        G->levels++;
    size_t nb = 16;
    while (nb < 2 * m)
        nb <<= 1;
    G->mask = nb - 1;
    G->first = geom_alloc(nb + 1, sizeof *G->first, 1);
    if (!G->first)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (cont[i])
            G->used |= 1u << hg_cells(G, &ct[i].bbox, (uint32_t)i, 0);
    /* Counting sort as in poly_build: after it bucket k is
     * item[first[k] .. first[k + 1]). */
    for (size_t k = 1; k < nb; k++)
        G->first[k] += G->first[k - 1];
    G->first[nb] = G->first[nb - 1];
    G->item = malloc((G->first[nb] + 1) * sizeof *G->item);
    if (!G->item)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (cont[i])
            hg_cells(G, &ct[i].bbox, (uint32_t)i, 1);
    return 0;
}

/* ------------------------------------------------------------ containers */

/* A box centre in the grid of find_containers(). */
struct centre {
    double x, y;
    uint32_t k;
};

#define SCAN_MAX 64 /* cells one box may scan before it is simply kept */

/* Marks in cont[] the closed contours that may hold another contour: those
 * whose box, widened by eps, holds the box centre of some other contour
 * (a contour's box lies in its parent's box to eps, so its centre does).
 * The others, most holes of a plate, can be nobody's parent and stay out
 * of the grid that the parent search reads, which then fits in cache.
 * Centres go into a uniform grid of about one cell per contour; a box
 * scans the cells it covers until it finds a centre, and a box that would
 * scan more than SCAN_MAX cells is kept without looking (keeping too many
 * costs time, never a wrong parent). */
static int find_containers(const struct geom_contour *ct, size_t n, double eps, uint8_t *cont)
{
    struct geom_bbox all = geom_bbox_empty();
    for (size_t k = 0; k < n; k++)
        if (ct[k].bbox.min_x <= ct[k].bbox.max_x) {
            geom_bbox_add(&all, ct[k].bbox.min_x, ct[k].bbox.min_y);
            geom_bbox_add(&all, ct[k].bbox.max_x, ct[k].bbox.max_y);
        }
    /* No box, or boxes out at infinity: a grid of one cell. */
    if (!isfinite(all.min_x) || !isfinite(all.min_y))
        all.min_x = all.min_y = 0;
    double w = all.max_x - all.min_x, h = all.max_y - all.min_y;
    if (!(w >= 0 && w < INFINITY))
        w = 0;
    if (!(h >= 0 && h < INFINITY))
        h = 0;
    double cs = sqrt(w * h / (double)(n + 1));
    if (!(cs > 0) || !isfinite(cs))
        cs = fmax(w, h) / (double)(n + 1);
    if (!(cs > 0) || !isfinite(cs))
        cs = 1;
    size_t nx = (size_t)fmin(4.0 * (double)n + 1, floor(w / cs) + 1);
    size_t ny = (size_t)fmin(4.0 * (double)n + 1, floor(h / cs) + 1);
    while (nx * ny > 4 * n + 16) { /* rounding or a NaN extent: coarser */
        cs *= 2;
        nx = nx / 2 + 1;
        ny = ny / 2 + 1;
    }
    uint32_t *first = geom_alloc(nx * ny + 1, sizeof *first, 1);
    struct centre *pt = geom_alloc(n + 1, sizeof *pt, 0);
    uint32_t *cell = geom_alloc(n + 1, sizeof *cell, 0);
    int rc = -1;
    if (!first || !pt || !cell)
        goto done;
#define CELL_X(v) ((size_t)fmin((double)(nx - 1), fmax(0, floor(((v)-all.min_x) / cs))))
#define CELL_Y(v) ((size_t)fmin((double)(ny - 1), fmax(0, floor(((v)-all.min_y) / cs))))
    for (size_t k = 0; k < n; k++) {
        const struct geom_bbox *b = &ct[k].bbox;
        double cx = 0.5 * (b->min_x + b->max_x), cy = 0.5 * (b->min_y + b->max_y);
        cell[k] = (uint32_t)(CELL_Y(cy) * nx + CELL_X(cx));
        first[cell[k]]++;
    }
    uint32_t acc = 0;
    for (size_t c = 0; c < nx * ny; c++) {
        uint32_t t = first[c];
        first[c] = acc;
        acc += t;
    }
    first[nx * ny] = acc;
    for (size_t k = 0; k < n; k++) {
        const struct geom_bbox *b = &ct[k].bbox;
        struct centre c = {0.5 * (b->min_x + b->max_x), 0.5 * (b->min_y + b->max_y), (uint32_t)k};
        pt[first[cell[k]]++] = c;
    }
    for (size_t c = nx * ny; c > 0; c--) /* back to the starts */
        first[c] = first[c - 1];
    first[0] = 0;
    for (size_t j = 0; j < n; j++) {
        cont[j] = 0;
        if (!ct[j].closed)
            continue;
        const struct geom_bbox *b = &ct[j].bbox;
        double x0 = b->min_x - eps, y0 = b->min_y - eps, x1 = b->max_x + eps, y1 = b->max_y + eps;
        size_t cx0 = CELL_X(x0), cx1 = CELL_X(x1), cy0 = CELL_Y(y0), cy1 = CELL_Y(y1);
        if ((cx1 - cx0 + 1) * (cy1 - cy0 + 1) > SCAN_MAX || !(x0 <= x1 && y0 <= y1)) {
            cont[j] = 1;
            continue;
        }
        for (size_t cy = cy0; cy <= cy1 && !cont[j]; cy++)
            for (size_t t = first[cy * nx + cx0]; t < first[cy * nx + cx1 + 1]; t++) {
                const struct centre *c = &pt[t];
                if (c->k != j && c->x >= x0 && c->x <= x1 && c->y >= y0 && c->y <= y1) {
                    cont[j] = 1;
                    break;
                }
            }
    }
#undef CELL_X
#undef CELL_Y
    rc = 0;
done:
    free(first);
    free(pt);
    free(cell);
    return rc;
}

struct cand {
    uint32_t *v;
    size_t n, cap;
};

static int bbox_has(const struct geom_bbox *b, struct geom_pt p)
{
    return p.x >= b->min_x && p.x <= b->max_x && p.y >= b->min_y && p.y <= b->max_y;
}

/* The closed contours that could hold contour self: larger than `area`,
 * a box that holds `inner` (to eps) and holds p.  Only the levels that
 * hold boxes are read, one bucket each.  A box may come twice (buckets of
 * two levels can coincide); smallest_container skips the repeat. */
static int hg_query(const struct hgrid *G, const struct geom_contour *ct, long self, double area,
                    const struct geom_bbox *inner, double eps, struct geom_pt p, struct cand *out)
{
    out->n = 0;
    for (uint32_t used = G->used; used;) {
        int l = __builtin_ctz(used);
        used &= used - 1;
        double cell = G->size / (double)(1LL << l);
        size_t b = hg_bucket(G, l, hg_cell(p.x, G->x0, cell), hg_cell(p.y, G->y0, cell));
        for (uint32_t t = G->first[b]; t < G->first[b + 1]; t++) {
            uint32_t id = G->item[t];
            const struct geom_bbox *bb = &ct[id].bbox;
            if ((long)id == self || !(fabs(ct[id].area_mm2) > area) || !bbox_has(bb, p) ||
                bb->min_x > inner->min_x + eps || bb->min_y > inner->min_y + eps ||
                bb->max_x < inner->max_x - eps || bb->max_y < inner->max_y - eps)
                continue;
            if (grow_u32(&out->v, &out->cap, out->n + 1))
                return -1;
            out->v[out->n++] = id;
        }
    }
    return 0;
}

/* ----------------------------------------------------------- hole sizes */

/* Distance from (x, y) to the polygon, > 0 inside. */
static double poly_dist(const struct geom_pt *v, size_t n, double x, double y)
{
    int in = 0;
    double md = INFINITY;
    for (size_t i = 0, j = n - 1; i < n; j = i++) {
        const struct geom_pt *a = &v[i], *b = &v[j];
        if ((a->y > y) != (b->y > y) && x < (b->x - a->x) * (y - a->y) / (b->y - a->y) + a->x)
            in = !in;
        double dx = b->x - a->x, dy = b->y - a->y, t = 0, l2 = dx * dx + dy * dy;
        if (l2 > 0) { /* clamped to [0, 1] inline: the hot loop of polylabel */
            t = ((x - a->x) * dx + (y - a->y) * dy) / l2;
            t = t > 0 ? (t < 1 ? t : 1) : 0;
        }
        double ex = a->x + t * dx - x, ey = a->y + t * dy - y, e2 = ex * ex + ey * ey;
        if (e2 < md)
            md = e2;
    }
    return (in ? 1 : -1) * sqrt(md);
}

struct cell {
    double x, y, h, d, max;
};

static void heap_push(struct cell *hp, size_t *n, struct cell c)
{
    size_t i = (*n)++;
    while (i > 0 && hp[(i - 1) / 2].max < c.max) {
        hp[i] = hp[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    hp[i] = c;
}

static struct cell heap_pop(struct cell *hp, size_t *n)
{
    struct cell top = hp[0], last = hp[--*n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n)
            break;
        if (c + 1 < *n && hp[c + 1].max > hp[c].max)
            c++;
        if (hp[c].max <= last.max)
            break;
        hp[i] = hp[c];
        i = c;
    }
    if (*n)
        hp[i] = last;
    return top;
}

#define PL_POPS      20000
#define PL_SEED      256
#define PL_WORK      2e7   /* vertex distances one hole may cost */
#define PL_MAX_VERTS 20000 /* a longer flattening is made coarser */

/* Radius of the largest circle inside the polygon, to `prec`, by polylabel.
 * Stops early once the answer is known to be at least `enough` (a
 * decision, e.g. "not smaller than the thickness"). */
static double polylabel(const struct geom_pt *v, size_t n, double prec, double enough)
{
    if (n < 3)
        return 0;
    struct geom_bbox b = geom_bbox_empty();
    for (size_t i = 0; i < n; i++)
        geom_bbox_add(&b, v[i].x, v[i].y);
    double w = b.max_x - b.min_x, h = b.max_y - b.min_y;
    double cs = fmax(fmin(w, h), fmax(w, h) / PL_SEED);
    if (!(cs > 0))
        return 0;
    size_t cap = 4 * PL_POPS + (size_t)(PL_SEED + 1) * 2, nh = 0;
    struct cell *hp = malloc(cap * sizeof *hp);
    if (!hp)
        return 0;
    const double r2 = sqrt(2);
    for (double x = b.min_x; x < b.max_x; x += cs)
        for (double y = b.min_y; y < b.max_y; y += cs) {
            struct cell c = {x + cs / 2, y + cs / 2, cs / 2, 0, 0};
            c.d = poly_dist(v, n, c.x, c.y);
            c.max = c.d + c.h * r2;
            if (nh < cap)
                heap_push(hp, &nh, c);
        }
    struct cell best = {b.min_x + w / 2, b.min_y + h / 2, 0, 0, 0};
    best.d = poly_dist(v, n, best.x, best.y);
    /* What is left of PL_WORK after the seeds, 4 distances a pop. */
    double left = PL_WORK - (double)(nh + 1) * (double)n;
    long max_pops = (long)fmin(PL_POPS, fmax(16, left / (4.0 * (double)n)));
    for (long pops = 0; nh && pops < max_pops && best.d < enough; pops++) {
        struct cell c = heap_pop(hp, &nh);
        if (c.d > best.d)
            best = c;
        if (c.max - best.d <= prec)
            continue;
        double q = c.h / 2;
        for (int k = 0; k < 4 && nh < cap; k++) {
            struct cell s = {c.x + (k & 1 ? q : -q), c.y + (k & 2 ? q : -q), q, 0, 0};
            s.d = poly_dist(v, n, s.x, s.y);
            s.max = s.d + q * r2;
            heap_push(hp, &nh, s);
        }
    }
    free(hp);
    return fmax(best.d, 0);
}

/* The diameter of a hole that is a circle, or -1. */
static double circle_diameter(const struct geom_ctx *x, const struct geom_contour *ct)
{
    const struct geom_edge *ed = &x->r->edges[ct->first];
    const struct geom_curve *c0 = &x->c[ed->curve];
    double tol = x->o.join_tol_mm;
    if (ct->n == 1 && c0->kind == GEOM_ELLIPSE) {
        double lu = hypot(c0->ell.u.x, c0->ell.u.y), lv = hypot(c0->ell.v.x, c0->ell.v.y);
        double dot = c0->ell.u.x * c0->ell.v.x + c0->ell.u.y * c0->ell.v.y;
        if (fabs(lu - lv) <= 1e-9 * lu && fabs(dot) <= 1e-9 * lu * lv)
            return 2 * lu;
        return -1;
    }
    for (size_t j = 0; j < ct->n; j++) {
        const struct geom_curve *c = &x->c[ed[j].curve];
        if (c->kind != GEOM_ARC ||
            hypot(c->arc.c.x - c0->arc.c.x, c->arc.c.y - c0->arc.c.y) > tol ||
            fabs(c->arc.r - c0->arc.r) > tol)
            return -1;
    }
    return 2 * fabs(c0->arc.r);
}

/* ------------------------------------------------------ shapes measured */

/* A drawing repeats its holes: a grid of one slot, a row of one keyhole.
 * Congruent copies by translation have the same edge count, width,
 * height, area and length, and the same inscribed circle; the first copy
 * measured answers for the others.  The figures are compared rounded to
 * a nanometre: a copy whose rounding falls the other way is measured
 * again (a miss costs time, never a wrong answer), and two different
 * holes alike in all five figures to a nanometre do not occur in a
 * drawing.  A lower bound kept ("at least d", from a decision) answers
 * only decisions it settles. */
struct shape {
    int64_t key[5];
    double d;
    int exact;
};

struct geom_shapes {
    struct shape *v;
    size_t cap, n; /* open addressing, cap a power of two, n <= cap / 2 */
};

static void shape_key(const struct geom_contour *ct, int64_t key[5])
{
    double f[5] = {(double)ct->n, ct->bbox.max_x - ct->bbox.min_x,
                   ct->bbox.max_y - ct->bbox.min_y, fabs(ct->area_mm2), ct->length_mm};
    for (int i = 0; i < 5; i++)
        key[i] = fabs(f[i]) < 1e12 ? llround(f[i] * 1e6) : INT64_MAX;
}

static size_t shape_slot(const struct geom_shapes *sh, const int64_t key[5])
{
    uint64_t h = 1469598103934665603ull;
    for (int i = 0; i < 5; i++)
        h = (h ^ (uint64_t)key[i]) * 1099511628211ull;
    size_t i = (size_t)(h ^ (h >> 29)) & (sh->cap - 1);
    while (sh->v[i].key[0] && memcmp(sh->v[i].key, key, sizeof sh->v[i].key) != 0)
        i = (i + 1) & (sh->cap - 1);
    return i;
}

/* Keeps d for key; a failed allocation only forgets. */
static void shape_keep(struct geom_ctx *x, const int64_t key[5], double d, int exact)
{
    struct geom_shapes *sh = x->shapes;
    if (!sh && !(sh = x->shapes = calloc(1, sizeof *sh)))
        return;
    if (2 * (sh->n + 1) > sh->cap) {
        size_t ncap = sh->cap ? 2 * sh->cap : 64;
        struct geom_shapes grown = {calloc(ncap, sizeof *grown.v), ncap, sh->n};
        if (!grown.v)
            return;
        for (size_t i = 0; i < sh->cap; i++)
            if (sh->v[i].key[0])
                grown.v[shape_slot(&grown, sh->v[i].key)] = sh->v[i];
        free(sh->v);
        *sh = grown;
    }
    size_t i = shape_slot(sh, key);
    if (!sh->v[i].key[0])
        sh->n++;
    else if (sh->v[i].exact)
        return;
    memcpy(sh->v[i].key, key, sizeof sh->v[i].key);
    sh->v[i].d = d;
    sh->v[i].exact = exact;
}

void geom_shapes_free(struct geom_shapes *sh)
{
    if (sh)
        free(sh->v);
    free(sh);
}

/* Inscribed diameter of hole k, or a lower bound of it once that reaches
 * `enough`.  -1 when memory ran out. */
static double inscribed(const struct geom_ctx *x, size_t k, double enough);

double geom_inscribed(struct geom_ctx *x, size_t k, double enough)
{
    int64_t key[5];
    const struct geom_contour *ct = &x->r->contours[k];
    shape_key(ct, key);
    /* key[0] is the edge count times 1e6: never 0, which marks a free slot. */
    if (x->shapes && key[0]) {
        const struct shape *s = &x->shapes->v[shape_slot(x->shapes, key)];
        if (s->key[0] && (s->exact || s->d >= enough))
            return s->d;
    }
    double d = inscribed(x, k, enough);
    if (d >= 0 && key[0])
        shape_keep(x, key, d, d < enough);
    return d;
}

static double inscribed(const struct geom_ctx *x, size_t k, double enough)
{
    struct pbuf b = {0};
    struct geom_ctx flat = *x;
    flat.o.chord_tol_mm = fmax(flat.o.chord_tol_mm, 0.0025);
    /* Vertices grow as 1 / sqrt(tolerance): a flattening too long for
     * the work budget is redone coarser (a big hole, whose inscribed
     * circle then has an error of the coarser tolerance). */
    for (int round = 0; round < 8; round++) {
        b.n = 0;
        if (flatten_contour(&flat, k, &b)) {
            free(b.v);
            return -1;
        }
        if (b.n <= PL_MAX_VERTS)
            break;
        double f = (double)b.n / PL_MAX_VERTS;
        flat.o.chord_tol_mm *= 1.5 * f * f;
    }
    double d = 2 * polylabel(b.v, b.n, GEOM_HOLE_PREC_MM / 2, enough / 2);
    free(b.v);
    return d;
}

double geom_hole_bound(const struct geom_contour *ct)
{
    double w = ct->bbox.max_x - ct->bbox.min_x, h = ct->bbox.max_y - ct->bbox.min_y;
    return fmin(fmin(w, h), 2 * sqrt(fabs(ct->area_mm2) / GEOM_PI));
}

/* ----------------------------------------------------------------- nesting */

/* The smallest candidate that holds point p, -1 when none.  Candidates
 * are few as a rule: insertion sort by area, then by index so that equal
 * areas (copies of one contour) resolve the same way on every run; the
 * polygon tests go smallest first and stop at the first that holds p. */
static int smallest_container(struct nest *N, struct cand *cd, struct geom_pt p, long *out)
{
    const struct geom_contour *ct = N->x->r->contours;
    *out = -1;
    for (size_t i = 1; i < cd->n; i++) {
        uint32_t j = cd->v[i];
        double aj = fabs(ct[j].area_mm2);
        size_t t = i;
        while (t > 0 && (fabs(ct[cd->v[t - 1]].area_mm2) > aj ||
                         (fabs(ct[cd->v[t - 1]].area_mm2) == aj && cd->v[t - 1] > j))) {
            cd->v[t] = cd->v[t - 1];
            t--;
        }
        cd->v[t] = j;
    }
    for (size_t i = 0; i < cd->n; i++) {
        if (i > 0 && cd->v[i] == cd->v[i - 1])
            continue; /* found through two levels */
        int in;
        if (poly_inside(N, cd->v[i], p, &in))
            return -1;
        if (in) {
            *out = cd->v[i];
            return 0;
        }
    }
    return 0;
}

/* Depth of closed contour k from its parents: parents are strictly larger,
 * so the chain ends; each contour's depth is found once (stack: scratch
 * for the chain, as long as the deepest nesting). */
static void set_depth(struct geom_contour *ct, size_t k, uint32_t *stack)
{
    size_t n = 0;
    long j = (long)k;
    while (ct[j].depth < 0 && ct[j].parent >= 0) {
        stack[n++] = (uint32_t)j;
        j = ct[j].parent;
    }
    if (ct[j].depth < 0)
        ct[j].depth = 0; /* an outer boundary */
    while (n > 0) {
        uint32_t i = stack[--n];
        ct[i].depth = ct[ct[i].parent].depth + 1;
    }
}

/* Part of closed contour k: that of its outer boundary, found as above. */
static void set_part(struct geom_contour *ct, size_t k, uint32_t *stack)
{
    size_t n = 0;
    long j = (long)k;
    while (ct[j].part < 0 && ct[j].parent >= 0) {
        stack[n++] = (uint32_t)j;
        j = ct[j].parent;
    }
    while (n > 0) {
        uint32_t i = stack[--n];
        ct[i].part = ct[ct[i].parent].part;
    }
}

static int make_parts(struct geom_ctx *x, uint32_t *stack)
{
    struct geom_report *r = x->r;
    struct geom_contour *ct = r->contours;
    size_t np = 0;
    for (size_t k = 0; k < r->ncontours; k++)
        np += ct[k].closed && ct[k].depth == 0;
    int standin = np == 0 && r->ncontours > 0;
    r->nparts = standin ? 1 : np;
    r->parts = arena_calloc(x->a, r->nparts ? r->nparts : 1, sizeof *r->parts);
    if (!r->parts)
        return -1;
    np = 0;
    for (size_t k = 0; k < r->ncontours; k++)
        if (ct[k].closed && ct[k].depth == 0) {
            r->parts[np].outer = k;
            ct[k].part = (long)np++;
        }
    for (size_t k = 0; k < r->ncontours; k++)
        if (ct[k].closed && ct[k].depth > 0)
            set_part(ct, k, stack);
    for (size_t k = 0; k < r->ncontours; k++) {
        if (standin) {
            r->parts[0].outer = (size_t)-1;
            ct[k].part = 0;
        } else if (!ct[k].closed && ct[k].parent >= 0) {
            ct[k].part = ct[ct[k].parent].part;
        }
    }
    return 0;
}

/* Smallest hole of each part: circles are exact; other holes are taken
 * in order of their upper bound and measured only while that bound can
 * still beat the part's smallest so far. */
static int hole_sizes(struct geom_ctx *x)
{
    struct geom_report *r = x->r;
    struct geom_contour *ct = r->contours;
    struct geom_kv *h = geom_alloc(r->ncontours + 1, sizeof *h, 0);
    struct geom_kv *tmp = geom_alloc(r->ncontours + 1, sizeof *tmp, 0);
    int rc = -1;
    if (!h || !tmp)
        goto done;
    size_t nh = 0;
    for (size_t p = 0; p < r->nparts; p++)
        r->parts[p].smallest_hole_mm = INFINITY;
    for (size_t k = 0; k < r->ncontours; k++) {
        struct geom_contour *c = &ct[k];
        if (!c->closed || c->depth % 2 == 0 || c->part < 0)
            continue;
        c->hole_mm = circle_diameter(x, c);
        struct geom_part *p = &r->parts[c->part];
        if (c->hole_mm >= 0)
            p->smallest_hole_mm = fmin(p->smallest_hole_mm, c->hole_mm);
        else
            h[nh++] = (struct geom_kv){geom_sort_key(geom_hole_bound(c)), (uint32_t)k};
    }
    /* By upper bound, ascending (stable, in O(n)). */
    const struct geom_kv *by_bound = geom_radix_sort_kv(h, tmp, nh);
    for (size_t i = 0; i < nh; i++) {
        struct geom_contour *c = &ct[by_bound[i].val];
        struct geom_part *p = &r->parts[c->part];
        if (geom_hole_bound(c) >= p->smallest_hole_mm)
            continue;
        double d = geom_inscribed(x, by_bound[i].val, p->smallest_hole_mm);
        if (d < 0)
            goto done;
        if (d < p->smallest_hole_mm) {
            c->hole_mm = d;
            p->smallest_hole_mm = d;
        }
    }
    for (size_t p = 0; p < r->nparts; p++)
        if (isinf(r->parts[p].smallest_hole_mm))
            r->parts[p].smallest_hole_mm = 0;
    rc = 0;
done:
    free(h);
    free(tmp);
    return rc;
}

int geom_nest(struct geom_ctx *x)
{
    struct geom_report *r = x->r;
    struct geom_contour *ct = r->contours;
    size_t nc = r->ncontours;
    struct nest N = {.x = x};
    struct hgrid G = {0};
    struct cand cd = {0};
    uint32_t *stack = geom_alloc(nc + 1, sizeof *stack, 0);
    uint8_t *cont = geom_alloc(nc + 1, 1, 0);
    N.poly_of = geom_alloc(nc + 1, sizeof *N.poly_of, 1);
    int rc = -1;
    if (!stack || !cont || !N.poly_of)
        goto done;
    for (size_t k = 0; k < nc; k++) {
        const struct geom_edge *ed = &r->edges[ct[k].first];
        ct[k].hole_mm = 0;
        if (!ct[k].closed)
            continue;
        double a2 = 0;
        for (size_t j = 0; j < ct[k].n; j++)
            a2 += (ed[j].reversed ? -1 : 1) * geom_curve_area2(&x->c[ed[j].curve]);
        ct[k].area_mm2 = a2 / 2;
    }
    if (find_containers(ct, nc, x->o.join_tol_mm, cont) || hg_build(&G, ct, nc, cont))
        goto done;
    /* Each contour's parent on its own (it depends on areas, boxes and
     * polygons only), in contour order: neighbours in the file are
     * neighbours on the sheet as a rule, so the grid stays in cache. */
    for (size_t k = 0; k < nc; k++) {
        struct geom_pt tp = geom_curve_mid(&x->c[r->edges[ct[k].first].curve]);
        double area = ct[k].closed ? fabs(ct[k].area_mm2) : 0;
        long parent;
        if (hg_query(&G, ct, (long)k, area, &ct[k].bbox, x->o.join_tol_mm, tp, &cd) ||
            smallest_container(&N, &cd, tp, &parent))
            goto done;
        ct[k].parent = parent;
    }
    for (size_t k = 0; k < nc; k++)
        if (ct[k].closed)
            set_depth(ct, k, stack);
    if (make_parts(x, stack) || hole_sizes(x))
        goto done;
    rc = 0;
done:
    free(stack);
    free(cont);
    free(N.poly_of);
    free(N.poly);
    free(N.pts.v);
    free(N.band_first);
    free(N.band_item);
    free(G.first);
    free(G.item);
    free(cd.v);
    return rc;
}
