/*
 * chain.c - contours: curves joined end to end within the join tolerance.
 *
 * Accepts the curves of a geom_ctx with duplicates and zero-length curves
 * already flagged (they are left out).  A curve that closes on itself (a
 * full circle or ellipse, a spline whose ends meet) is a contour alone.
 * The others are chained: the curve ends go into a spatial hash with cells
 * of four join tolerances, so the ends within tolerance of a point are in
 * its cell or the (at most 3) neighbours it is within tolerance of; a chain grows from its tail, then from its head,
 * taking the nearest free end each time, and is closed when its tail comes
 * back to its head.  At a branch (three ends at one point) the nearest free
 * end wins and the rest start chains of their own.
 *
 * Invariants: every end is removed from the hash (swap with the last live
 * one of its bucket) when its curve joins a chain, so each curve is used
 * once and every walk ends; time is O(n) expected.  Contours are numbered
 * by their first curve's index.
 */
#include "geom_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* An end in its bucket, with its coordinates, so that a lookup reads one
 * run of memory per bucket. */
struct slot {
    double x, y;
    uint32_t id;
};

struct bk {
    uint32_t first, live; /* slots first .. first + live of the bucket */
};

struct ends {
    struct geom_pt *pt; /* 2 per curve: start, end */
    struct slot *item;
    struct bk *bk;
    uint32_t *pos; /* where each end is in item[]; GEOM_NONE when absent */
    size_t mask;
    double cell, tol;
};

static int64_t cell_of(double v, double cell)
{
    double q = floor(v / cell);
    if (!(q > -1e15))
        q = -1e15;
    if (q > 1e15)
        q = 1e15;
    return (int64_t)q;
}

static size_t bucket(const struct ends *E, int64_t ix, int64_t iy)
{
    uint64_t h = (uint64_t)ix * 0x9E3779B97F4A7C15ULL ^ (uint64_t)iy * 0xC2B2AE3D27D4EB4FULL;
    h ^= h >> 29;
    return (size_t)(h & E->mask);
}

static size_t bucket_of(const struct ends *E, struct geom_pt q)
{
    return bucket(E, cell_of(q.x, E->cell), cell_of(q.y, E->cell));
}

static void ends_remove(struct ends *E, uint32_t id)
{
    uint32_t p = E->pos[id];
    if (p == GEOM_NONE)
        return;
    struct bk *b = &E->bk[bucket_of(E, E->pt[id])];
    uint32_t last = b->first + --b->live;
    struct slot t = E->item[p];
    E->item[p] = E->item[last];
    E->pos[E->item[p].id] = p;
    E->item[last] = t;
    E->pos[id] = GEOM_NONE;
}

/* The nearest live end within tolerance of q, or GEOM_NONE.  Cells are
 * four tolerances wide, so the disc around q reaches a neighbour cell only
 * when q is within a tolerance of that side: 1 to 4 cells are read. */
static uint32_t ends_nearest(const struct ends *E, struct geom_pt q)
{
    int64_t cx = cell_of(q.x, E->cell), cy = cell_of(q.y, E->cell);
    double fx = q.x - (double)cx * E->cell, fy = q.y - (double)cy * E->cell;
    int64_t xs[2] = {cx, fx < E->tol ? cx - 1 : fx > E->cell - E->tol ? cx + 1 : cx};
    int64_t ys[2] = {cy, fy < E->tol ? cy - 1 : fy > E->cell - E->tol ? cy + 1 : cy};
    size_t seen[4];
    int ns = 0;
    uint32_t best = GEOM_NONE;
    double bd = E->tol;
    for (int i = 0; i < 4; i++) {
        if ((i & 1 && xs[1] == cx) || (i & 2 && ys[1] == cy))
            continue;
        size_t b = bucket(E, xs[i & 1], ys[i >> 1]);
        int dup = 0;
        for (int k = 0; k < ns; k++)
            dup |= seen[k] == b;
        if (dup)
            continue;
        seen[ns++] = b;
        const struct slot *it = E->item + E->bk[b].first;
        for (uint32_t k = 0, m = E->bk[b].live; k < m; k++) {
            double d = hypot(it[k].x - q.x, it[k].y - q.y);
            if (d <= bd) {
                bd = d;
                best = it[k].id;
                /* Coincident: no nearer end exists; a star of many curves
                 * at one point stays linear. */
                if (d <= E->tol * 1e-9)
                    return best;
            }
        }
    }
    return best;
}

static int closes_alone(const struct geom_ctx *x, uint32_t i)
{
    const struct geom_curve *c = &x->c[i];
    const double full = GEOM_TAU * (1 - 1e-12);
    switch (c->kind) {
    case GEOM_ARC:
        return fabs(c->arc.sweep) >= full;
    case GEOM_ELLIPSE:
        return c->ell.t1 - c->ell.t0 >= full;
    case GEOM_SPLINE: {
        struct geom_pt s = geom_curve_start(c), e = geom_curve_end(c);
        return hypot(e.x - s.x, e.y - s.y) <= x->o.join_tol_mm &&
               x->len[i] > 4 * x->o.join_tol_mm;
    }
    default:
        return 0;
    }
}

/* Contours grow in malloc'd memory (an arena cannot give back the old
 * copies) and move to the arena once, at their final size. */
static int push_contour(struct geom_ctx *x, size_t first, size_t n, int closed, size_t *cap)
{
    struct geom_report *r = x->r;
    if (r->ncontours == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        void *v = realloc(r->contours, nc * sizeof *r->contours);
        if (!v)
            return -1;
        r->contours = v;
        *cap = nc;
    }
    struct geom_contour *k = &r->contours[r->ncontours];
    memset(k, 0, sizeof *k);
    k->first = first;
    k->n = n;
    k->closed = closed;
    k->depth = -1;
    k->parent = -1;
    k->part = -1;
    k->bbox = geom_bbox_empty();
    for (size_t j = first; j < first + n; j++) {
        uint32_t ci = r->edges[j].curve;
        k->length_mm += x->len[ci];
        geom_curve_bbox(&x->c[ci], &k->bbox);
        x->contour_of[ci] = (uint32_t)r->ncontours;
    }
    r->ncontours++;
    return 0;
}

/* Builds the end hash over the chainable curves (mark[i] = 1; 2 marks a
 * curve closed alone). */
static int ends_build(struct ends *E, const struct geom_ctx *x, const uint8_t *mark)
{
    size_t n = x->n, nb = 16;
    while (nb < n)
        nb <<= 1;
    E->mask = nb - 1;
    E->tol = x->o.join_tol_mm;
    E->cell = 4 * x->o.join_tol_mm;
    E->pt = malloc(2 * n * sizeof *E->pt);
    E->item = malloc(2 * n * sizeof *E->item);
    E->pos = malloc(2 * n * sizeof *E->pos);
    E->bk = calloc(nb, sizeof *E->bk);
    if (!E->pt || !E->item || !E->pos || !E->bk)
        return -1;
    for (size_t i = 0; i < n; i++) {
        E->pt[2 * i] = geom_curve_start(&x->c[i]);
        E->pt[2 * i + 1] = geom_curve_end(&x->c[i]);
        E->pos[2 * i] = E->pos[2 * i + 1] = GEOM_NONE;
        if (mark[i] == 1) {
            E->bk[bucket_of(E, E->pt[2 * i])].live++;
            E->bk[bucket_of(E, E->pt[2 * i + 1])].live++;
        }
    }
    uint32_t acc = 0;
    for (size_t b = 0; b < nb; b++) {
        E->bk[b].first = acc;
        acc += E->bk[b].live;
        E->bk[b].live = 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (mark[i] != 1)
            continue;
        for (uint32_t s = 0; s < 2; s++) {
            uint32_t id = (uint32_t)(2 * i) + s;
            struct bk *b = &E->bk[bucket_of(E, E->pt[id])];
            uint32_t p = b->first + b->live++;
            E->item[p] = (struct slot){E->pt[id].x, E->pt[id].y, id};
            E->pos[id] = p;
        }
    }
    return 0;
}

static void ends_free(struct ends *E)
{
    free(E->pt);
    free(E->item);
    free(E->pos);
    free(E->bk);
}

int geom_chain(struct geom_ctx *x)
{
    struct geom_report *r = x->r;
    size_t n = x->n, cap = 0;
    struct ends E = {0};
    uint8_t *mark = calloc(n ? n : 1, 1);
    struct geom_edge *back = malloc((n ? n : 1) * sizeof *back);
    int rc = -1;
    r->edges = arena_alloc(x->a, (n ? n : 1) * sizeof *r->edges);
    r->nedges = 0;
    if (!mark || !back || !r->edges)
        goto done;
    for (size_t i = 0; i < n; i++) {
        x->contour_of[i] = GEOM_NONE;
        if (!(r->curve_flags[i] & (GEOM_CURVE_DUPLICATE | GEOM_CURVE_ZERO)))
            mark[i] = closes_alone(x, (uint32_t)i) ? 2 : 1;
    }
    if (ends_build(&E, x, mark))
        goto done;
    for (size_t i = 0; i < n; i++) {
        if (mark[i] == 2) {
            r->edges[r->nedges].curve = (uint32_t)i;
            r->edges[r->nedges].reversed = 0;
            if (push_contour(x, r->nedges++, 1, 1, &cap))
                goto done;
            continue;
        }
        if (mark[i] != 1 || E.pos[2 * i] == GEOM_NONE)
            continue;
        ends_remove(&E, (uint32_t)(2 * i));
        ends_remove(&E, (uint32_t)(2 * i + 1));
        size_t first = r->nedges, nback = 0;
        r->edges[r->nedges].curve = (uint32_t)i;
        r->edges[r->nedges++].reversed = 0;
        struct geom_pt head = E.pt[2 * i], tail = E.pt[2 * i + 1];
        int closed = 0;
        for (;;) { /* forward from the tail */
            if (r->nedges - first >= 2 && hypot(tail.x - head.x, tail.y - head.y) <= E.tol) {
                closed = 1;
                break;
            }
            uint32_t id = ends_nearest(&E, tail);
            if (id == GEOM_NONE)
                break;
            uint32_t j = id / 2;
            ends_remove(&E, 2 * j);
            ends_remove(&E, 2 * j + 1);
            r->edges[r->nedges].curve = j;
            r->edges[r->nedges++].reversed = (uint8_t)(id & 1);
            tail = E.pt[id ^ 1];
        }
        while (!closed) { /* backward from the head */
            uint32_t id = ends_nearest(&E, head);
            if (id == GEOM_NONE)
                break;
            uint32_t j = id / 2;
            ends_remove(&E, 2 * j);
            ends_remove(&E, 2 * j + 1);
            /* The end that meets the head is where the edge stops. */
            back[nback].curve = j;
            back[nback++].reversed = (uint8_t)!(id & 1);
            head = E.pt[id ^ 1];
            if (hypot(tail.x - head.x, tail.y - head.y) <= E.tol)
                closed = 1;
        }
        if (nback) {
            size_t nf = r->nedges - first;
            memmove(&r->edges[first + nback], &r->edges[first], nf * sizeof *r->edges);
            for (size_t k = 0; k < nback; k++)
                r->edges[first + k] = back[nback - 1 - k];
            r->nedges += nback;
        }
        if (push_contour(x, first, r->nedges - first, closed, &cap))
            goto done;
    }
    rc = 0;
done:
    ends_free(&E);
    if (r->contours) {
        struct geom_contour *v = arena_alloc(x->a, r->ncontours * sizeof *v + 1);
        if (v)
            memcpy(v, r->contours, r->ncontours * sizeof *v);
        else
            rc = -1;
        free(r->contours);
        r->contours = v;
    }
    free(mark);
    free(back);
    return rc;
}
