/*
 * sample.c - parts drawn in code and a quote around them (see sample.h).
 *
 * The ten line items, quantities and prices are those of
 * ../shared/peers/sample_quote.html, so the benchmark compares the same
 * document; the shapes stand in for the drawings.  Outer boundaries run
 * counter-clockwise; holes run either way (geom nests by containment).
 */
#include "sample.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double PI = 3.14159265358979323846;

static struct geom_curve *add(struct sample_part *s, enum geom_kind kind)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        void *v = arena_grow(s->a, s->c, s->cap * sizeof *s->c, cap * sizeof *s->c);
        if (!v)
            return NULL;
        s->c = v;
        s->cap = cap;
    }
    struct geom_curve *c = &s->c[s->n];
    memset(c, 0, sizeof *c);
    c->kind = (uint8_t)kind;
    c->entity = (uint32_t)s->n;
    s->n++;
    return c;
}

static int line(struct sample_part *s, double ax, double ay, double bx, double by)
{
    struct geom_curve *c = add(s, GEOM_LINE);
    if (!c)
        return -1;
    c->line.a.x = ax, c->line.a.y = ay, c->line.b.x = bx, c->line.b.y = by;
    return 0;
}

static int arc(struct sample_part *s, double cx, double cy, double r, double a0, double sweep)
{
    struct geom_curve *c = add(s, GEOM_ARC);
    if (!c)
        return -1;
    c->arc.c.x = cx, c->arc.c.y = cy, c->arc.r = r, c->arc.a0 = a0, c->arc.sweep = sweep;
    return 0;
}

static int circle(struct sample_part *s, double cx, double cy, double r)
{
    return arc(s, cx, cy, r, 0, 2 * PI);
}

static int rect(struct sample_part *s, double x0, double y0, double x1, double y1)
{
    return line(s, x0, y0, x1, y0) | line(s, x1, y0, x1, y1) | line(s, x1, y1, x0, y1) |
           line(s, x0, y1, x0, y0);
}

/* Rectangle with corner radius r, counter-clockwise. */
static int rounded(struct sample_part *s, double x0, double y0, double x1, double y1, double r)
{
    return line(s, x0 + r, y0, x1 - r, y0) | arc(s, x1 - r, y0 + r, r, -PI / 2, PI / 2) |
           line(s, x1, y0 + r, x1, y1 - r) | arc(s, x1 - r, y1 - r, r, 0, PI / 2) |
           line(s, x1 - r, y1, x0 + r, y1) | arc(s, x0 + r, y1 - r, r, PI / 2, PI / 2) |
           line(s, x0, y1 - r, x0, y0 + r) | arc(s, x0 + r, y0 + r, r, PI, PI / 2);
}

/* Horizontal slot from (x0, y) to (x1, y), width 2r. */
static int slot(struct sample_part *s, double x0, double x1, double y, double r)
{
    return line(s, x0, y - r, x1, y - r) | arc(s, x1, y, r, -PI / 2, PI) |
           line(s, x1, y + r, x0, y + r) | arc(s, x0, y, r, PI / 2, PI);
}

static int shape(struct sample_part *s, enum sample_shape k, double w, double h, int n)
{
    int rc = 0;
    switch (k) {
    case SHAPE_PLATE: {
        rc |= rounded(s, 0, 0, w, h, fmin(w, h) * 0.04);
        int cols = (int)ceil(sqrt(n * w / h)), rows = cols ? (n + cols - 1) / cols : 0;
        double d = fmin(w / (cols + 1), h / (rows + 1)) * 0.25;
        for (int i = 0; i < n; i++)
            rc |= circle(s, w * (i % cols + 1) / (cols + 1), h * (i / cols + 1) / (rows + 1), d);
        break;
    }
    case SHAPE_BRACKET: {
        double t = h * 0.35;
        rc |= line(s, 0, 0, w, 0) | line(s, w, 0, w, t) | line(s, w, t, t, t) |
              line(s, t, t, t, h) | line(s, t, h, 0, h) | line(s, 0, h, 0, 0);
        rc |= circle(s, w * 0.85, t / 2, t * 0.12) | circle(s, t / 2, h * 0.85, t * 0.12);
        rc |= slot(s, w * 0.35, w * 0.6, t / 2, t * 0.15);
        break;
    }
    case SHAPE_FLANGE: {
        double R = w / 2;
        rc |= circle(s, R, R, R) | circle(s, R, R, R * 0.42);
        for (int i = 0; i < n; i++)
            rc |= circle(s, R + R * 0.72 * cos(2 * PI * i / n), R + R * 0.72 * sin(2 * PI * i / n),
                         R * 0.08);
        break;
    }
    case SHAPE_GUSSET:
        rc |= line(s, 0, 0, w, 0) | line(s, w, 0, w, h * 0.15) | line(s, w, h * 0.15, w * 0.15, h) |
              line(s, w * 0.15, h, 0, h) | line(s, 0, h, 0, 0);
        rc |= circle(s, w * 0.28, h * 0.28, fmin(w, h) * 0.1);
        break;
    case SHAPE_VENT: {
        rc |= rounded(s, 0, 0, w, h, fmin(w, h) * 0.05);
        int rows = n > 0 ? (int)ceil(sqrt(n / 3.0)) : 0, per = rows ? (n + rows - 1) / rows : 0;
        double cw = w * 0.8 / (per ? per : 1), r = fmin(h / (rows + 1) * 0.18, cw * 0.15);
        for (int i = 0; i < n; i++) {
            double x0 = w * 0.1 + cw * (i % per) + cw * 0.15 + r;
            double y = h * (i / per + 1) / (rows + 1);
            rc |= slot(s, x0, x0 + cw * 0.7 - 2 * r, y, r);
        }
        break;
    }
    case SHAPE_TAB: {
        struct geom_pt *p = arena_alloc(s->a, 4 * sizeof *p);
        double *kn = arena_alloc(s->a, 8 * sizeof *kn);
        if (!p || !kn)
            return -1;
        double y = h * 0.55;
        p[0] = (struct geom_pt){w, y}, p[1] = (struct geom_pt){w * 0.8, h * 1.3};
        p[2] = (struct geom_pt){w * 0.2, h * 1.3}, p[3] = (struct geom_pt){0, y};
        for (int i = 0; i < 8; i++)
            kn[i] = i < 4 ? 0 : 1;
        rc |= line(s, 0, 0, w, 0) | line(s, w, 0, w, y);
        struct geom_curve *c = add(s, GEOM_SPLINE);
        if (!c)
            return -1;
        c->spl.degree = 3, c->spl.n = 4, c->spl.p = p, c->spl.knots = kn;
        rc |= line(s, 0, y, 0, 0);
        rc |= circle(s, w / 2, h * 0.5, h * 0.16);
        break;
    }
    case SHAPE_DOOR: {
        rc |= rect(s, 0, 0, w, h);
        struct geom_curve *c = add(s, GEOM_ELLIPSE);
        if (!c)
            return -1;
        c->ell.c = (struct geom_pt){w * 0.5, h * 0.62};
        c->ell.u = (struct geom_pt){w * 0.3, 0}, c->ell.v = (struct geom_pt){0, h * 0.22};
        c->ell.t0 = 0, c->ell.t1 = 2 * PI;
        rc |= slot(s, w * 0.8, w * 0.9, h * 0.25, h * 0.02);
        rc |= circle(s, w * 0.04, h * 0.2, 3) | circle(s, w * 0.04, h * 0.8, 3); /* hinges */
        break;
    }
    case SHAPE_OPEN:
        rc |= line(s, 0, 0, w, 0) | line(s, w, 0, w, h) | line(s, w, h, 0, h) |
              line(s, 0, h, 0, h * 0.3);
        break;
    default:
        return -1;
    }
    return rc ? -1 : 0;
}

int sample_part_make(struct sample_part *s, enum sample_shape k, double w, double h, int n)
{
    memset(s, 0, sizeof *s);
    s->a = arena_new(0);
    if (shape(s, k, w, h, n))
        return -1;
    struct geom_warnings warn = {0};
    struct err e;
    if (geom_analyse(s->a, s->c, s->n, 1, NULL, &warn, &s->r, &e)) {
        fprintf(stderr, "sample: %s\n", e.msg);
        return -1;
    }
    return 0;
}

void sample_part_free(struct sample_part *s)
{
    arena_free(s->a);
    memset(s, 0, sizeof *s);
}

/* ------------------------------------------------------------- the quote */

static const struct item {
    const char *name, *material;
    double thick;
    int64_t qty, unit;
    enum sample_shape shape;
    double w, h;
    int n;
} ITEMS[10] = {
    {"PLATE-001", "S235", 3, 2, 4820, SHAPE_PLATE, 339, 269, 120},
    {"BRKT-014", "DC01", 2, 10, 385, SHAPE_BRACKET, 120, 80, 0},
    {"COVER-220", "AISI 304", 1.5, 4, 2160, SHAPE_VENT, 220, 220, 48},
    {"GUSSET-03", "S355", 5, 20, 240, SHAPE_GUSSET, 90, 90, 0},
    {"PANEL-A7", "Al 5754", 2, 2, 3975, SHAPE_PLATE, 600, 400, 24},
    {"FLANGE-50", "S235", 8, 6, 910, SHAPE_FLANGE, 165, 165, 4},
    {"SHIM-010", "DC01", 1, 50, 65, SHAPE_PLATE, 40, 40, 1},
    {"VENT-12", "AISI 304", 1, 8, 2730, SHAPE_VENT, 250, 150, 120},
    {"TAB-6", "S235", 1.5, 100, 38, SHAPE_TAB, 30, 18, 0},
    {"DOOR-B2", "DC01", 2, 1, 3190, SHAPE_DOOR, 800, 500, 0},
};

/* Per-unit breakdowns of the first three items; each adds up to its unit
 * price. */
static const struct pdf_line LINES[3][4] = {
    {{"Material", 2140, "339 \xC3\x97 269 mm, 3 mm S235, 2.15 kg at 1.00 EUR/kg"},
     {"Cutting", 1860, "7.41 m at 2.51 EUR/m"},
     {"Pierces", 520, "121 at 0.043 EUR"},
     {"Setup", 300, "6.00 EUR per order over 2 pieces"}},
    {{"Material", 110, "0.15 kg DC01"},
     {"Cutting", 195, "0.61 m at 3.20 EUR/m"},
     {"Pierces", 20, "4 at 0.05 EUR"},
     {"Setup", 60, "6.00 EUR per order over 10 pieces"}},
    {{"Material", 980, "0.57 kg AISI 304"},
     {"Cutting", 930, "2.95 m at 3.15 EUR/m"},
     {"Pierces", 100, "49 at 0.02 EUR"},
     {"Setup", 150, "6.00 EUR per order over 4 pieces"}},
};

int sample_quote_make(struct sample_quote *s, size_t nparts)
{
    memset(s, 0, sizeof *s);
    s->n = nparts;
    s->parts = calloc(nparts ? nparts : 1, sizeof *s->parts);
    s->geo = calloc(nparts ? nparts : 1, sizeof *s->geo);
    s->names = calloc(nparts ? nparts : 1, sizeof *s->names);
    if (!s->parts || !s->geo || !s->names)
        return -1;
    int64_t sub = 0;
    for (size_t i = 0; i < nparts; i++) {
        const struct item *it = &ITEMS[i % 10];
        enum sample_shape sh = i < 10 ? it->shape : (enum sample_shape)(i % SHAPE_COUNT);
        if (sample_part_make(&s->geo[i], sh, it->w, it->h, it->n))
            return -1;
        if (i < 10)
            snprintf(s->names[i], sizeof s->names[i], "%s", it->name);
        else
            snprintf(s->names[i], sizeof s->names[i], "%s-%03zu", it->name, i);
        struct pdf_part *p = &s->parts[i];
        p->name = s->names[i];
        p->curves = s->geo[i].c;
        p->report = &s->geo[i].r;
        p->material = it->material;
        p->thickness_mm = it->thick;
        p->quantity = it->qty;
        p->unit_price = it->unit;
        p->line_total = it->qty * it->unit;
        if (i < 3) {
            p->lines = LINES[i];
            p->nlines = 4;
        }
        sub += p->line_total;
    }
    struct pdf_quote *q = &s->q;
    q->company.name = "Laserwerk Nord GmbH";
    q->company.address = "Hafenstra\xC3\x9F"
                         "e 7\n20457 Hamburg, Germany";
    q->company.phone = "+49 40 123 456 0";
    q->company.email = "quotes@laserwerk-nord.example";
    q->company.tax_id = "DE 123 456 789";
    q->number = "Q-2026-0142";
    q->date = 1795858200; /* 2026-11-28 09:30 UTC */
    q->validity_days = 30;
    q->customer = "M\xC3\xBCller Maschinenbau GmbH\nAttn. Jana Nov\xC3\xA1kov\xC3\xA1\n"
                  "Industriestra\xC3\x9F"
                  "e 12\n80331 M\xC3\xBCnchen, Germany";
    q->currency = "EUR";
    q->currency_exp = 2;
    q->parts = s->parts;
    q->nparts = nparts;
    q->subtotal = sub;
    q->tax_rate = 0.19;
    q->tax = (sub * 19 + 50) / 100;
    q->total = q->subtotal + q->tax;
    q->terms = "Prices exclude delivery. Payment 30 days net.\n"
               "Cut length and pierce count measured from the submitted DXF files. Tolerances "
               "to ISO 9013 range 2 unless agreed otherwise.";
    q->rules_version = "7 (2026-11-02, admin)";
    q->paper = PDF_A4;
    q->margin_mm = 15;
    q->deterministic = 1;
    return 0;
}

void sample_quote_free(struct sample_quote *s)
{
    for (size_t i = 0; s->geo && i < s->n; i++)
        sample_part_free(&s->geo[i]);
    free(s->geo);
    free(s->parts);
    free(s->names);
    free(s->lines);
    memset(s, 0, sizeof *s);
}
