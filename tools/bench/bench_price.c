/*
 * bench_price.c - pricing a measured part with a warm state: the default
 * rules (rules/pricing.lua, as embedded) on one engine, the way a worker
 * thread prices part after part.
 *
 *   bench_price [CALLS [RUNS]]     (default 20000 calls, 7 runs)
 *
 * The part is a plate with holes as geom/ reports it (two parts, three
 * layers, an open-contour warning), quantity 25 with rush and deburr, so
 * every line of the default rules is built.  After a warm-up of 1000 calls,
 * each run times CALLS calls of price_quote() (a fresh environment, the
 * rule chunk run again, quote(), the result checked and copied) and the
 * median of the runs' mean microseconds per call is printed, with the
 * fastest and slowest run.  For scale it also times the cold path a
 * worker pays once: a new state, the rules compiled and checked, one call.
 */
#include "price/price.h"

#include <stdio.h>
#include <stdlib.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    long calls = argc > 1 ? atol(argv[1]) : 20000;
    int runs = argc > 2 ? atoi(argv[2]) : 7;
    if (calls < 1 || runs < 1 || runs > 100) {
        fprintf(stderr, "usage: bench_price [CALLS [RUNS<=100]]\n");
        return 2;
    }
    struct geom_part parts[2] = {
        {1380.0, 9, 26000.0, {0, 0, 200, 150}, 8, 6.5, 0},
        {440.0, 2, 7600.0, {220, 0, 320, 80}, 1, 12.0, 1},
    };
    struct geom_layer_stat layers[3] = {{1500.0, 12}, {320.0, 4}, {0, 0}};
    const char *names[3] = {"CUT", "HOLES", "TEXT"};
    struct geom_warning w[1] = {{"open_contour", "contour is open: gap of 0.200 mm", 120, 40}};
    struct geom_warnings ws = {w, 1, 1};
    struct geom_report r = {0};
    r.cut_length_mm = 1820;
    r.pierces = 11;
    r.area_mm2 = 33600;
    r.bbox = (struct geom_bbox){0, 0, 320, 150};
    r.width_mm = 320;
    r.height_mm = 150;
    r.closed = 10;
    r.open = 1;
    r.holes = 9;
    r.smallest_hole_mm = 6.5;
    r.parts = parts;
    r.nparts = 2;
    r.layers = layers;
    r.nlayers = 3;
    struct price_part part = {&r, &ws, names, "mm"};
    struct price_material m = {"Mild steel S235", 3, 7850, 1.10, 8000, 0.3, 3000, 1500, NULL, 0};
    struct price_option opts[2] = {{"rush", NULL}, {"deburr", NULL}};
    struct price_shop shop = {120, "EUR", 0.20};
    struct price_ctx ctx = {&m, 25, opts, 2, &shop};

    struct price_limits lim = {10000000, 64u << 20};
    struct price_engine *pe;
    struct err e;
    const struct embed_file *f = price_default_rules();
    if (price_engine_new(&pe, &lim, &e) != 0 ||
        price_engine_load(pe, "pricing.lua", (const char *)f->data, f->len, &e) != 0) {
        fprintf(stderr, "bench_price: %s\n", e.msg);
        return 1;
    }
    struct price_result res;
    struct arena *a = arena_new(0);
    for (int i = 0; i < 1000; i++)
        if (price_quote(pe, &part, &ctx, a, &res, &e) != 0) {
            fprintf(stderr, "bench_price: %s\n", e.msg);
            return 1;
        }
    int64_t total = res.total;
    double us[100];
    for (int k = 0; k < runs; k++) {
        arena_free(a);
        a = arena_new(0);
        double t0 = core_now();
        for (long i = 0; i < calls; i++)
            if (price_quote(pe, &part, &ctx, a, &res, &e) != 0 || res.total != total) {
                fprintf(stderr, "bench_price: call %ld: %s\n", i, e.msg);
                return 1;
            }
        us[k] = (core_now() - t0) * 1e6 / (double)calls;
    }
    qsort(us, (size_t)runs, sizeof us[0], cmp_double);
    const int cold_calls = 200;
    double t0 = core_now();
    for (int i = 0; i < cold_calls; i++) {
        struct price_engine *cold;
        if (price_engine_new(&cold, &lim, &e) != 0 ||
            price_engine_load(cold, "pricing.lua", (const char *)f->data, f->len, &e) != 0 ||
            price_quote(cold, &part, &ctx, a, &res, &e) != 0) {
            fprintf(stderr, "bench_price: cold: %s\n", e.msg);
            return 1;
        }
        price_engine_free(cold);
    }
    double cold_us = (core_now() - t0) * 1e6 / cold_calls;
    char buf[40];
    printf("pricing a measured part, warm state: median %.1f us per call (runs %d x %ld calls, "
           "fastest %.1f, slowest %.1f); total %s %s\n",
           us[runs / 2], runs, calls, us[0], us[runs - 1],
           price_format(total, res.decimals, buf, sizeof buf), res.currency);
    printf("cold: new state + rules compiled and checked + one call: %.1f us\n", cold_us);
    arena_free(a);
    price_engine_free(pe);
    return 0;
}
