/*
 * price_test.h - what the price tests share: a measured part written out by
 * hand, a catalog row, a shop, and a call that keeps its result in an
 * arena.  The figures are those of db/002_materials.sql for mild steel
 * S235 at 3 mm, so the hand computations in the tests can be checked
 * against the catalog a shop starts with.
 */
#ifndef DXFQ_TEST_PRICE_H
#define DXFQ_TEST_PRICE_H

#include "price/price.h"
#include "test.h"

#include <stdlib.h>

/* A 200 x 100 mm plate with one rectangular cut-out of 100 x 50 mm:
 * cut length 600 + 300 = 900 mm, 2 pierces, 1 hole (its largest inscribed
 * circle is 50 mm), net area 20000 - 5000 = 15000 mm2. */
struct fixture {
    struct geom_part part;
    struct geom_layer_stat layer;
    struct geom_report r;
    struct geom_warning w[2];
    struct geom_warnings ws;
    const char *layer_name;
    struct price_part pp;
    struct price_material m;
    struct price_shop shop;
    struct price_ctx ctx;
};

static inline void fixture_init(struct fixture *f)
{
    memset(f, 0, sizeof *f);
    struct geom_bbox bb = {0, 0, 200, 100};
    f->part = (struct geom_part){900, 2, 15000, bb, 1, 50, 0};
    f->layer = (struct geom_layer_stat){900, 2};
    f->r.cut_length_mm = 900;
    f->r.pierces = 2;
    f->r.area_mm2 = 15000;
    f->r.bbox = bb;
    f->r.width_mm = 200;
    f->r.height_mm = 100;
    f->r.closed = 2;
    f->r.holes = 1;
    f->r.smallest_hole_mm = 50;
    f->r.parts = &f->part;
    f->r.nparts = 1;
    f->r.layers = &f->layer;
    f->r.nlayers = 1;
    f->ws = (struct geom_warnings){f->w, 0, 2};
    f->layer_name = "CUT";
    f->pp = (struct price_part){&f->r, &f->ws, &f->layer_name, "mm"};
    f->m = (struct price_material){"Mild steel S235", 3, 7850, 1.10, 8000, 0.3, 3000, 1500,
                                   NULL, 0};
    f->shop = (struct price_shop){120, "EUR", 0.20};
    f->ctx = (struct price_ctx){&f->m, 1, NULL, 0, &f->shop};
}

static inline struct price_engine *engine_with(const char *src, long long instructions,
                                               size_t mb)
{
    struct price_limits lim = {instructions, mb << 20};
    struct price_engine *pe;
    struct err e;
    if (price_engine_new(&pe, &lim, &e) != 0) {
        fprintf(stderr, "engine: %s\n", e.msg);
        exit(2);
    }
    if (src && price_engine_load(pe, "rules.lua", src, strlen(src), &e) != 0) {
        fprintf(stderr, "load: %s\n", e.msg);
        exit(2);
    }
    return pe;
}

/* The line labelled label, or NULL. */
static inline const struct price_line *line_of(const struct price_result *r, const char *label)
{
    for (size_t i = 0; i < r->nlines; i++)
        if (!strcmp(r->lines[i].label, label))
            return &r->lines[i];
    return NULL;
}

#endif
