/*
 * render_int.h - private to render/: helpers shared by its files.
 */
#ifndef DXFQ_RENDER_INT_H
#define DXFQ_RENDER_INT_H

#include "render.h"

/* Adds the closed polygon xy[0..2n) (x, y pairs, pixels) so that it covers
 * +1 inside whichever way it runs: pieces added this way only ever add up,
 * and render_cov's clamp turns their overlaps into full coverage. */
void render_poly(struct render_cov *c, const double *xy, int n);

/* The size in pixels of text drawn by render_text() at this scale. */
double render_text_width(const char *text, double scale);
double render_text_height(double scale);
/* Adds text (ASCII; anything else becomes '?') with its top-left corner at
 * (x, y), each font unit scale pixels, as rectangles of coverage.  At most
 * 63 characters are drawn. */
void render_text(struct render_cov *c, double x, double y, double scale, const char *text);

#endif
