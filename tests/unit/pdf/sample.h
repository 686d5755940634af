/*
 * sample.h - parts and quotes made in code for the PDF tests, the demo
 * (docs/sample-quote.png) and the benchmark.
 *
 * Each part is drawn with geom curves (rectangles with holes, circles,
 * slots, an elliptic window, a spline edge, an open contour) and measured
 * by geom_analyse(), as the pipeline would after reading a DXF.
 */
#ifndef DXFQ_PDF_SAMPLE_H
#define DXFQ_PDF_SAMPLE_H

#include "pdf/pdf.h"

enum sample_shape {
    SHAPE_PLATE,   /* W x H, rounded corners, a grid of holes */
    SHAPE_BRACKET, /* an L with two holes and a slot */
    SHAPE_FLANGE,  /* a ring with bolt holes */
    SHAPE_GUSSET,  /* a triangle with a hole */
    SHAPE_VENT,    /* a rectangle with rows of slots */
    SHAPE_TAB,     /* a tab whose top edge is a spline */
    SHAPE_DOOR,    /* a rectangle with an elliptic window */
    SHAPE_OPEN,    /* a rectangle with a gap: one open contour */
    SHAPE_COUNT
};

/* A drawing and its measurement; everything lives in the arena. */
struct sample_part {
    struct arena *a;
    struct geom_curve *c;
    size_t n, cap;
    struct geom_report r;
};

/* Draws a shape of roughly w x h mm (holes and slots: n of them where
 * the shape has a count) and measures it.  Returns 0, -1 on failure. */
int sample_part_make(struct sample_part *s, enum sample_shape shape, double w, double h, int n);
void sample_part_free(struct sample_part *s);

/* A quote of nparts parts (cycling through the shapes and the ten line
 * items of ../shared/peers/sample_quote.html), with breakdowns for the
 * first three and totals that add up.  Owns everything; free with
 * sample_quote_free(). */
struct sample_quote {
    struct pdf_quote q;
    struct pdf_part *parts;
    struct sample_part *geo;
    struct pdf_line *lines;
    char (*names)[64];
    size_t n;
};
int sample_quote_make(struct sample_quote *s, size_t nparts);
void sample_quote_free(struct sample_quote *s);

#endif
