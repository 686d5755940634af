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

/* malloc for the PNG encoder's buffers the size of a canvas: 2 MiB
 * aligned and backed by transparent huge pages where the kernel allows
 * them, because touching fresh memory 4 KiB at a time costs more than
 * encoding a preview.  Freed with free().  NULL when memory runs out. */
void *render_big_alloc(size_t n);

/* A zlib stream of data[0..data_len) for a PNG whose rows (filter byte
 * included) are row bytes long (0: unknown); malloc'd, *out_len its
 * length; NULL when memory runs out.  Signature of stb_image_write's
 * STBIW_ZLIB_COMPRESS hook, with the row length for its quality. */
unsigned char *render_deflate(unsigned char *data, int data_len, int *out_len, int row);

#endif
