/*
 * analyse.c - geom_analyse(): the figures of a drawing and of each part.
 *
 * Order: measure every curve; flag zero-length curves and duplicates
 * (check.c); chain the rest into contours (chain.c); nest them into parts
 * and size the holes (nest.c); sum the figures; warn about the contours
 * (check.c).  Results go into the caller's arena; scratch arrays are
 * malloc'd here and freed before returning, so a job keeps only what it
 * reports.
 *
 * Invariants: cut_length_mm counts every curve once as drawn (duplicates
 * too); pierces is the number of contours; the area of the drawing is the
 * sum of the parts' areas.
 */
#include "geom_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct geom_opts geom_opts_default(void)
{
    struct geom_opts o = {0.01, 0.001, 0, 1};
    return o;
}

static void box_merge(struct geom_bbox *into, const struct geom_bbox *b)
{
    if (b->min_x > b->max_x)
        return;
    geom_bbox_add(into, b->min_x, b->min_y);
    geom_bbox_add(into, b->max_x, b->max_y);
}

/* The contour a duplicate belongs to: that of the curve it repeats (which
 * may itself repeat another; the chain is short and bounded here). */
static uint32_t dup_contour(const struct geom_ctx *x, uint32_t i)
{
    for (int hop = 0; hop < 64 && i != GEOM_NONE; hop++) {
        if (x->contour_of[i] != GEOM_NONE)
            return x->contour_of[i];
        i = x->dup_of[i];
    }
    return GEOM_NONE;
}

static void sum_parts(struct geom_ctx *x)
{
    struct geom_report *r = x->r;
    for (size_t p = 0; p < r->nparts; p++) {
        double small = r->parts[p].smallest_hole_mm;
        size_t outer = r->parts[p].outer;
        memset(&r->parts[p], 0, sizeof r->parts[p]);
        r->parts[p].smallest_hole_mm = small;
        r->parts[p].outer = outer;
        r->parts[p].bbox = geom_bbox_empty();
    }
    for (size_t k = 0; k < r->ncontours; k++) {
        const struct geom_contour *c = &r->contours[k];
        r->pierces++;
        if (c->closed)
            r->closed++;
        else
            r->open++;
        if (c->closed && c->depth % 2 == 1)
            r->holes++;
        if (c->part < 0)
            continue;
        struct geom_part *p = &r->parts[c->part];
        p->cut_length_mm += c->length_mm;
        p->pierces++;
        box_merge(&p->bbox, &c->bbox);
        if (c->closed) {
            p->area_mm2 += (c->depth % 2 ? -1 : 1) * fabs(c->area_mm2);
            p->holes += c->depth % 2 == 1;
        }
    }
    for (size_t i = 0; i < x->n; i++) {
        if (!(r->curve_flags[i] & GEOM_CURVE_DUPLICATE))
            continue;
        uint32_t k = dup_contour(x, (uint32_t)i);
        if (k != GEOM_NONE && r->contours[k].part >= 0)
            r->parts[r->contours[k].part].cut_length_mm += x->len[i];
    }
    r->smallest_hole_mm = 0;
    for (size_t p = 0; p < r->nparts; p++) {
        struct geom_part *q = &r->parts[p];
        q->area_mm2 = fmax(0, q->area_mm2);
        r->area_mm2 += q->area_mm2;
        if (q->holes && (r->smallest_hole_mm == 0 || q->smallest_hole_mm < r->smallest_hole_mm))
            r->smallest_hole_mm = q->smallest_hole_mm;
    }
}

/* Totals that need every curve: cut length, per layer, the drawing's box
 * (contour boxes plus the curves left out of the contours). */
static void sum_curves(struct geom_ctx *x, size_t nlayers)
{
    struct geom_report *r = x->r;
    r->bbox = geom_bbox_empty();
    for (size_t k = 0; k < r->ncontours; k++)
        box_merge(&r->bbox, &r->contours[k].bbox);
    for (size_t i = 0; i < x->n; i++) {
        const struct geom_curve *c = &x->c[i];
        r->cut_length_mm += x->len[i];
        if (x->contour_of[i] == GEOM_NONE)
            geom_curve_bbox(c, &r->bbox);
        if (c->layer < nlayers)
            r->layers[c->layer].cut_length_mm += x->len[i];
    }
    /* No cut geometry: the box stays empty (min > max), the size is 0. */
    if (r->bbox.min_x <= r->bbox.max_x) {
        r->width_mm = r->bbox.max_x - r->bbox.min_x;
        r->height_mm = r->bbox.max_y - r->bbox.min_y;
    }
}

/* Entities per layer: curves of one entity are consecutive and entity
 * ordinals ascend, so a change of ordinal on a layer is a new entity. */
static int count_entities(struct geom_ctx *x, size_t nlayers)
{
    uint32_t *last = malloc((nlayers + 1) * sizeof *last);
    uint8_t *seen = calloc(nlayers + 1, 1);
    if (!last || !seen) {
        free(last);
        free(seen);
        return -1;
    }
    for (size_t i = 0; i < x->n; i++) {
        const struct geom_curve *c = &x->c[i];
        if (c->layer >= nlayers)
            continue;
        if (!seen[c->layer] || last[c->layer] != c->entity)
            x->r->layers[c->layer].entities++;
        seen[c->layer] = 1;
        last[c->layer] = c->entity;
    }
    free(last);
    free(seen);
    return 0;
}

int geom_analyse(struct arena *a, const struct geom_curve *c, size_t n, size_t nlayers,
                 const struct geom_opts *o, struct geom_warnings *w, struct geom_report *r,
                 struct err *e)
{
    struct geom_ctx x = {.a = a, .c = c, .n = n, .w = w, .r = r};
    x.o = o ? *o : geom_opts_default();
    if (!(x.o.join_tol_mm > 0))
        x.o.join_tol_mm = 0.01;
    if (!(x.o.chord_tol_mm > 0))
        x.o.chord_tol_mm = 0.001;
    memset(r, 0, sizeof *r);
    if (n >= GEOM_NONE / 2)
        return err_set(e, "too many curves to measure: %zu (at most %u)", n, GEOM_NONE / 2 - 1);
    r->nlayers = nlayers;
    r->layers = arena_calloc(a, nlayers ? nlayers : 1, sizeof *r->layers);
    r->curve_flags = arena_calloc(a, n ? n : 1, 1);
    x.len = geom_alloc(n, sizeof *x.len, 0);
    x.dup_of = geom_alloc(n, sizeof *x.dup_of, 0);
    x.contour_of = geom_alloc(n, sizeof *x.contour_of, 0);
    if (!r->layers || !r->curve_flags || !x.len || !x.dup_of || !x.contour_of)
        goto fail;
    for (size_t i = 0; i < n; i++)
        x.len[i] = geom_curve_length(&c[i], x.o.chord_tol_mm);
    if (geom_find_duplicates(&x) || geom_chain(&x) || geom_nest(&x))
        goto fail;
    sum_curves(&x, nlayers);
    sum_parts(&x);
    if (count_entities(&x, nlayers) || geom_check_contours(&x) || geom_warn_flush(&x))
        goto fail;
    free(x.len);
    free(x.dup_of);
    free(x.contour_of);
    geom_shapes_free(x.shapes);
    return 0;
fail:
    free(x.len);
    free(x.dup_of);
    free(x.contour_of);
    geom_shapes_free(x.shapes);
    return err_set(e, "measuring %zu curves needs more memory than limits.memory_mb allows", n);
}
