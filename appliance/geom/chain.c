/*
 * chain.c - contours: curves joined end to end within the join tolerance.
 *
 * Accepts the curves of a geom_ctx with duplicates and zero-length curves
 * already flagged (they are left out).  A curve that closes on itself (a
 * full circle or ellipse, a spline whose ends meet) is a contour alone.
 * The others are chained: their ends go into a spatial hash with cells of
 * four join tolerances, so the ends within tolerance of a point are in its
 * cell or the (at most 3) neighbours it is within tolerance of; a chain
 * grows from its tail, then from its head, taking the nearest free end
 * each time, and is closed when its tail comes back to its head.  At a
 * branch (three ends at one point) the nearest free end wins and the rest
 * start chains of their own.
 *
 * Invariants: every end is removed from the hash (swap with the last live
 * one of its bucket) when its curve joins a chain, so each curve is used
 * once and every walk ends; time is O(n) expected.  Contours are numbered
 * by their first curve's index.  While chaining a contour is only its
 * edge count (edges are consecutive); the report's contours are made once,
 * at their final number, in the arena.
 */
#include "geom_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* An end in its bucket, with its coordinates, so that a lookup reads one
 * run of memory per bucket; the end's own point lives only here. */
struct slot {
    double x, y;
    uint32_t id;
};

struct bk {
    uint32_t first, live; /* slots first .. first + live of the bucket */
};

struct ends {
    struct slot *item;
    struct bk *bk;
    uint32_t *pos; /* where each end is in item[]; GEOM_NONE when absent */
    size_t mask;
    double cell, tol, tol2;
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

static size_t bucket_of(const struct ends *E, double x, double y)
{
    return bucket(E, cell_of(x, E->cell), cell_of(y, E->cell));
}

/* The point of a live end. */
static struct geom_pt end_pt(const struct ends *E, uint32_t id)
{
    const struct slot *s = &E->item[E->pos[id]];
    struct geom_pt p = {s->x, s->y};
    return p;
}

static void ends_remove(struct ends *E, uint32_t id)
{
    uint32_t p = E->pos[id];
    if (p == GEOM_NONE)
        return;
    struct bk *b = &E->bk[bucket_of(E, E->item[p].x, E->item[p].y)];
    uint32_t last = b->first + --b->live;
    struct slot t = E->item[p];
    E->item[p] = E->item[last];
    E->pos[E->item[p].id] = p;
    E->item[last] = t;
    E->pos[id] = GEOM_NONE;
}

/* Takes curve j (ends 2j, 2j + 1) out of the hash; returns the point of
 * end `other` (one of the two), read before it goes. */
static struct geom_pt take_curve(struct ends *E, uint32_t j, uint32_t other)
{
    struct geom_pt p = end_pt(E, other);
    ends_remove(E, 2 * j);
    ends_remove(E, 2 * j + 1);
    return p;
}

/* The nearest live end within tolerance of q, or GEOM_NONE.  Cells are
 * four tolerances wide, so the disc around q reaches a neighbour cell only
 * when q is within a tolerance of that side: 1 to 4 cells are read.
 * Distances are compared squared. */
static uint32_t ends_nearest(const struct ends *E, struct geom_pt q)
{
    int64_t cx = cell_of(q.x, E->cell), cy = cell_of(q.y, E->cell);
    double fx = q.x - (double)cx * E->cell, fy = q.y - (double)cy * E->cell;
    int64_t xs[2] = {cx, fx < E->tol ? cx - 1 : fx > E->cell - E->tol ? cx + 1 : cx};
    int64_t ys[2] = {cy, fy < E->tol ? cy - 1 : fy > E->cell - E->tol ? cy + 1 : cy};
    size_t seen[4];
    int ns = 0;
    uint32_t best = GEOM_NONE;
    double bd = E->tol2, coincident = E->tol2 * 1e-18;
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
            double dx = it[k].x - q.x, dy = it[k].y - q.y, d = dx * dx + dy * dy;
            if (d <= bd) {
                bd = d;
                best = it[k].id;
                /* Coincident: no nearer end exists; a star of many curves
                 * at one point stays linear. */
                if (d <= coincident)
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
        return hypot(e.x - s.x, e.y - s.y) <= x->o.join_tol_mm && x->len[i] > 4 * x->o.join_tol_mm;
    }
    default:
        return 0;
    }
}

/* A contour while chaining: its edges are the n after the previous one's. */
struct run {
    uint32_t n;
    uint8_t closed;
};

struct runs {
    struct run *v;
    size_t n, cap;
};

static int push_run(struct runs *R, size_t n, int closed)
{
    if (R->n == R->cap) {
        size_t cap = R->cap ? R->cap * 2 : 1024;
        void *v = realloc(R->v, cap * sizeof *R->v);
        if (!v)
            return -1;
        R->v = v;
        R->cap = cap;
    }
    R->v[R->n].n = (uint32_t)n;
    R->v[R->n++].closed = (uint8_t)closed;
    return 0;
}

/* The contours, at their final number, in the arena: length, box, and
 * the contour of each of their curves. */
static int make_contours(struct geom_ctx *x, const struct runs *R)
{
    struct geom_report *r = x->r;
    r->contours = geom_arena_big(x->a, R->n * sizeof *r->contours + 1);
    if (!r->contours)
        return -1;
    r->ncontours = R->n;
    size_t first = 0;
    for (size_t k = 0; k < R->n; k++) {
        struct geom_contour *ct = &r->contours[k];
        memset(ct, 0, sizeof *ct);
        ct->first = first;
        ct->n = R->v[k].n;
        ct->closed = R->v[k].closed;
        ct->depth = -1;
        ct->parent = -1;
        ct->part = -1;
        ct->bbox = geom_bbox_empty();
        for (size_t j = first; j < first + ct->n; j++) {
            uint32_t ci = r->edges[j].curve;
            ct->length_mm += x->len[ci];
            geom_curve_bbox(&x->c[ci], &ct->bbox);
            x->contour_of[ci] = (uint32_t)k;
        }
        first += ct->n;
    }
    return 0;
}

/* Builds the end hash over the chainable curves (mark[i] = 1; 2 marks a
 * curve closed alone), with about one bucket per end. */
static int ends_build(struct ends *E, const struct geom_ctx *x, const uint8_t *mark)
{
    size_t n = x->n, nb = 16, nends = 0;
    for (size_t i = 0; i < n; i++)
        nends += mark[i] == 1 ? 2 : 0;
    while (nb < n)
        nb <<= 1;
    E->mask = nb - 1;
    E->tol = x->o.join_tol_mm;
    E->tol2 = E->tol * E->tol;
    E->cell = 4 * x->o.join_tol_mm;
    E->item = geom_alloc(nends + 1, sizeof *E->item, 0);
    E->pos = geom_alloc(2 * n + 1, sizeof *E->pos, 0);
    E->bk = geom_alloc(nb, sizeof *E->bk, 1);
    if (!E->item || !E->pos || !E->bk)
        return -1;
    /* Count per bucket, then place: item[] is filled in bucket order. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < n; i++) {
            if (mark[i] != 1) {
                E->pos[2 * i] = E->pos[2 * i + 1] = GEOM_NONE;
                continue;
            }
            struct geom_pt p[2] = {geom_curve_start(&x->c[i]), geom_curve_end(&x->c[i])};
            for (uint32_t s = 0; s < 2; s++) {
                struct bk *b = &E->bk[bucket_of(E, p[s].x, p[s].y)];
                if (pass == 0) {
                    b->live++;
                    continue;
                }
                uint32_t id = (uint32_t)(2 * i) + s, at = b->first + b->live++;
                E->item[at] = (struct slot){p[s].x, p[s].y, id};
                E->pos[id] = at;
            }
        }
        if (pass == 0) {
            uint32_t acc = 0;
            for (size_t b = 0; b < nb; b++) {
                E->bk[b].first = acc;
                acc += E->bk[b].live;
                E->bk[b].live = 0;
            }
        }
    }
    return 0;
}

static void ends_free(struct ends *E)
{
    free(E->item);
    free(E->pos);
    free(E->bk);
}

int geom_chain(struct geom_ctx *x)
{
    struct geom_report *r = x->r;
    size_t n = x->n, nback = 0, capback = 0;
    struct ends E = {0};
    struct runs R = {0};
    uint8_t *mark = geom_alloc(n, 1, 1);
    struct geom_edge *back = NULL;
    int rc = -1;
    r->edges = geom_arena_big(x->a, (n ? n : 1) * sizeof *r->edges);
    r->nedges = 0;
    if (!mark || !r->edges)
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
            r->edges[r->nedges++].reversed = 0;
            if (push_run(&R, 1, 1))
                goto done;
            continue;
        }
        if (mark[i] != 1 || E.pos[2 * i] == GEOM_NONE)
            continue;
        struct geom_pt head = end_pt(&E, (uint32_t)(2 * i));
        struct geom_pt tail = take_curve(&E, (uint32_t)i, (uint32_t)(2 * i + 1));
        size_t first = r->nedges;
        nback = 0;
        r->edges[r->nedges].curve = (uint32_t)i;
        r->edges[r->nedges++].reversed = 0;
        int closed = 0;
        for (;;) { /* forward from the tail */
            double dx = tail.x - head.x, dy = tail.y - head.y;
            if (r->nedges - first >= 2 && dx * dx + dy * dy <= E.tol2) {
                closed = 1;
                break;
            }
            uint32_t id = ends_nearest(&E, tail);
            if (id == GEOM_NONE)
                break;
            uint32_t j = id / 2;
            tail = take_curve(&E, j, id ^ 1);
            r->edges[r->nedges].curve = j;
            r->edges[r->nedges++].reversed = (uint8_t)(id & 1);
        }
        while (!closed) { /* backward from the head */
            uint32_t id = ends_nearest(&E, head);
            if (id == GEOM_NONE)
                break;
            uint32_t j = id / 2;
            head = take_curve(&E, j, id ^ 1);
            if (nback == capback) {
                capback = capback ? 2 * capback : 256;
                void *v = realloc(back, capback * sizeof *back);
                if (!v)
                    goto done;
                back = v;
            }
            /* The end that meets the head is where the edge stops. */
            back[nback].curve = j;
            back[nback++].reversed = (uint8_t) !(id & 1);
            double dx = tail.x - head.x, dy = tail.y - head.y;
            if (dx * dx + dy * dy <= E.tol2)
                closed = 1;
        }
        if (nback) {
            size_t nf = r->nedges - first;
            memmove(&r->edges[first + nback], &r->edges[first], nf * sizeof *r->edges);
            for (size_t k = 0; k < nback; k++)
                r->edges[first + k] = back[nback - 1 - k];
            r->nedges += nback;
        }
        if (push_run(&R, r->nedges - first, closed))
            goto done;
    }
    /* The hash goes before the contours come, so they never coexist. */
    ends_free(&E);
    memset(&E, 0, sizeof E);
    rc = make_contours(x, &R);
done:
    ends_free(&E);
    free(R.v);
    free(mark);
    free(back);
    return rc;
}
