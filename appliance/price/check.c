/*
 * check.c - the trial run of `dxfquote rules check`, and the default rules.
 *
 * The sample parts are measurements as geom/ reports them, written out by
 * hand: the shapes a shop meets every day and the awkward ones (an open
 * contour, several parts in one file, nothing to cut, a part bigger than
 * any sheet, a hole smaller than the material is thick).  Each is priced on
 * three sample catalog rows (one with an extra column), at quantities 1, 10
 * and 1000, with no option, each common option and all of them.  Every call
 * runs twice and must give the same result: a rule that keeps state between
 * calls, or reads the clock, fails here.  Unknown options are not tried:
 * rules may rightly refuse them.
 */
#include "price.h"

#include <stdio.h>
#include <string.h>

extern const struct embed_file embed_rules[];

const struct embed_file *price_default_rules(void)
{
    return embed_find(embed_rules, "pricing.lua");
}

/* ---------------------------------------------------------- samples */

#define PI 3.14159265358979323846

struct sample {
    const char *name;
    struct geom_report r;
    struct geom_warning w;
    size_t nw;
};

#define NSAMPLES 6

/* Everything the samples point to, on the caller's stack: price_check()
 * may run in several threads at once. */
struct sample_set {
    struct sample s[NSAMPLES];
    struct geom_part parts[8];
    struct geom_layer_stat layer;
};

static const char *const layer_names[1] = {"CUT"};

static struct geom_bbox box(double x0, double y0, double x1, double y1)
{
    struct geom_bbox b = {x0, y0, x1, y1};
    return b;
}

static struct geom_part part_of(double cut, size_t pierces, double area, struct geom_bbox bb,
                                size_t holes, double smallest)
{
    struct geom_part p = {cut, pierces, area, bb, holes, smallest, 0};
    return p;
}

/* Sample i: its name, one warning (code NULL: none), and its one part or
 * parts[0..nparts), whose sums make the drawing's figures. */
static void fill(struct sample_set *set, int i, const char *name, const char *code,
                 const char *msg, struct geom_part *parts, size_t nparts, size_t open)
{
    struct sample *s = &set->s[i];
    struct geom_report *r = &s->r;
    memset(s, 0, sizeof *s);
    s->name = name;
    if (code) {
        snprintf(s->w.code, sizeof s->w.code, "%s", code);
        snprintf(s->w.msg, sizeof s->w.msg, "%s", msg);
        s->nw = 1;
    }
    r->bbox = geom_bbox_empty();
    for (size_t k = 0; k < nparts; k++) {
        const struct geom_part *p = &parts[k];
        r->cut_length_mm += p->cut_length_mm;
        r->pierces += p->pierces;
        r->area_mm2 += p->area_mm2;
        r->holes += p->holes;
        if (p->holes && (r->smallest_hole_mm == 0 || p->smallest_hole_mm < r->smallest_hole_mm))
            r->smallest_hole_mm = p->smallest_hole_mm;
        if (p->bbox.min_x < r->bbox.min_x) r->bbox.min_x = p->bbox.min_x;
        if (p->bbox.min_y < r->bbox.min_y) r->bbox.min_y = p->bbox.min_y;
        if (p->bbox.max_x > r->bbox.max_x) r->bbox.max_x = p->bbox.max_x;
        if (p->bbox.max_y > r->bbox.max_y) r->bbox.max_y = p->bbox.max_y;
    }
    if (nparts) {
        r->width_mm = r->bbox.max_x - r->bbox.min_x;
        r->height_mm = r->bbox.max_y - r->bbox.min_y;
    }
    r->closed = r->pierces - open;
    r->open = open;
    r->parts = parts;
    r->nparts = nparts;
    r->layers = &set->layer;
    r->nlayers = 1;
    set->layer.cut_length_mm += r->cut_length_mm;
}

static void make_samples(struct sample_set *set)
{
    const double hole = PI * 10, hole_area = PI * 25;
    struct geom_part *p = set->parts;
    memset(set, 0, sizeof *set);
    set->layer.entities = 1;
    p[0] = part_of(600 + 4 * hole, 5, 20000 - 4 * hole_area, box(0, 0, 200, 100), 4, 10);
    fill(set, 0, "plate 200 x 100 mm with 4 holes of 10 mm", NULL, NULL, &p[0], 1, 0);
    p[1] = part_of(350, 2, 6000, box(0, 0, 120, 80), 0, 0);
    fill(set, 1, "bracket with an open contour", "open_contour",
         "contour is open: gap of 0.500 mm", &p[1], 1, 1);
    for (int i = 0; i < 3; i++)
        p[2 + i] = part_of(200, 1, 2500, box(60.0 * i, 0, 60.0 * i + 50, 50), 0, 0);
    fill(set, 2, "three parts in one drawing", "multiple_parts",
         "3 separate parts in one drawing", &p[2], 3, 0);
    fill(set, 3, "empty drawing", "unsupported_entity", "HATCH: 1 entity not cut", NULL, 0, 0);
    p[5] = part_of(12000, 1, 8e6, box(0, 0, 4000, 2000), 0, 0);
    fill(set, 4, "plate 4000 x 2000 mm, bigger than the sheets", NULL, NULL, &p[5], 1, 0);
    p[6] = part_of(PI * 30 + PI * 2, 2, PI * 225 - PI, box(0, 0, 30, 30), 1, 2);
    fill(set, 5, "washer with a 2 mm hole", "tiny_hole",
         "hole of 2.000 mm is smaller than the material thickness", &p[6], 1, 0);
}

static const struct price_extra gas_o2[1] = {{"assist_gas", "O2", 0}};

static const struct price_material materials[] = {
    {"Mild steel S235", 3, 7850, 1.10, 8000, 0.3, 3000, 1500, gas_o2, 1},
    {"Stainless steel 304", 1, 7900, 4.20, 34000, 0.1, 2500, 1250, NULL, 0},
    {"Acrylic PMMA", 10, 1190, 7.50, 260, 1.8, 3050, 2050, NULL, 0},
};

static const struct price_option opt_rush[] = {{"rush", NULL}};
static const struct price_option opt_deburr[] = {{"deburr", NULL}};
static const struct price_option opt_csm[] = {{"customer_supplies_material", NULL}};
static const struct price_option opt_all[] = {
    {"rush", NULL}, {"deburr", NULL}, {"customer_supplies_material", NULL}};

static const struct {
    const struct price_option *v;
    size_t n;
    const char *name;
} option_sets[] = {
    {NULL, 0, "no option"},
    {opt_rush, 1, "rush"},
    {opt_deburr, 1, "deburr"},
    {opt_csm, 1, "customer_supplies_material"},
    {opt_all, 3, "rush, deburr, customer_supplies_material"},
};

static const long long quantities[] = {1, 10, 1000};

static int same_result(const struct price_result *a, const struct price_result *b)
{
    if (a->total != b->total || a->unit_price != b->unit_price || a->nlines != b->nlines ||
        a->nnotes != b->nnotes || a->needs_review != b->needs_review ||
        a->lead_time_days != b->lead_time_days)
        return 0;
    for (size_t i = 0; i < a->nlines; i++)
        if (a->lines[i].amount != b->lines[i].amount ||
            strcmp(a->lines[i].label, b->lines[i].label) ||
            strcmp(a->lines[i].detail, b->lines[i].detail))
            return 0;
    for (size_t i = 0; i < a->nnotes; i++)
        if (strcmp(a->notes[i], b->notes[i]))
            return 0;
    return 1;
}

int price_check(struct price_engine *pe, const struct price_shop *shop, int *calls,
                struct err *e)
{
    int ok_calls = 0;
    struct sample_set set;
    make_samples(&set);
    struct arena *a = arena_new(16u << 20);
    int rc = 0;
    for (size_t s = 0; s < NSAMPLES && rc == 0; s++) {
        struct sample *sp = &set.s[s];
        struct geom_warnings w = {&sp->w, sp->nw, sp->nw};
        struct price_part part = {&sp->r, &w, layer_names, "mm"};
        for (size_t m = 0; m < sizeof materials / sizeof materials[0] && rc == 0; m++)
            for (size_t q = 0; q < sizeof quantities / sizeof quantities[0] && rc == 0; q++)
                for (size_t o = 0; o < sizeof option_sets / sizeof option_sets[0]; o++) {
                    struct price_ctx ctx = {&materials[m], quantities[q], option_sets[o].v,
                                            option_sets[o].n, shop};
                    struct price_result r1, r2;
                    if (price_quote(pe, &part, &ctx, a, &r1, e) != 0 ||
                        price_quote(pe, &part, &ctx, a, &r2, e) != 0) {
                        rc = -1;
                    } else if (!same_result(&r1, &r2)) {
                        err_set(e, "%s: the same part priced twice gave two different results "
                                   "(%lld and %lld minor units): the rules must not keep "
                                   "state between calls",
                                price_engine_rules(pe), (long long)r1.total,
                                (long long)r2.total);
                        rc = -1;
                    }
                    if (rc != 0) {
                        err_prefix(e, "sample '%s', %s %g mm, quantity %lld, %s",
                                   sp->name, materials[m].name,
                                   materials[m].thickness_mm, quantities[q],
                                   option_sets[o].name);
                        break;
                    }
                    ok_calls += 2;
                }
        arena_free(a);
        a = arena_new(16u << 20);
    }
    arena_free(a);
    if (calls)
        *calls = ok_calls;
    return rc;
}
