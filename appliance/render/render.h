/*
 * render.h - part previews: measured contours drawn onto an RGBA canvas and
 * written as PNG.
 *
 * Two layers, the lower built only on its own public calls:
 *
 *   render_cov_*   an exact-area coverage rasteriser.  Polygons go in as
 *                  directed edges in pixel coordinates (y down); each edge
 *                  adds its signed area to the cells it crosses, and a
 *                  prefix sum along each row turns the cells into the
 *                  winding-weighted coverage of every pixel (the method of
 *                  font-rs and stb_truetype v2).  Coverage is exact for
 *                  polygons: no jaggies, and edges shared by two polygons
 *                  cancel exactly, so there are no gaps at joins.
 *
 *   render_canvas  a whole preview from geom's analysis: the drawing's box
 *   render_png     fitted with a margin (aspect ratio kept, y up), material
 *                  filled, holes clear, outlines stroked, open contours in a
 *                  warning colour with their loose ends ringed, a marker at
 *                  each located warning, and on request the part's size in
 *                  mm written under it.  Curves are flattened to 0.2 pixel
 *                  and streamed into the accumulator: memory is the canvas
 *                  and one float per pixel, whatever the drawing's size.
 *
 * Thread-safe: no global state; every call works on the caller's objects.
 */
#ifndef DXFQ_RENDER_H
#define DXFQ_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "geom/geom.h"

/* Canvas limits: 16 px to 8192 px a side (the [render] keys' range). */
#define RENDER_MIN_SIDE 16
#define RENDER_MAX_SIDE 8192

/* ---------------------------------------------------------------- canvas */

/* 8-bit RGBA, straight (not premultiplied) alpha, rows top to bottom,
 * stride width * 4. */
struct render_canvas {
    int width, height;
    uint8_t *rgba; /* malloc'd; render_canvas_free() */
};

/* Allocates a canvas filled with one colour.  Fails (e filled) for a side
 * outside RENDER_MIN_SIDE..RENDER_MAX_SIDE or when memory runs out. */
int render_canvas_init(struct render_canvas *c, int width, int height, const uint8_t rgba[4],
                       struct err *e);
void render_canvas_free(struct render_canvas *c);

/* ------------------------------------------------------------- coverage */

/* The accumulation buffer: one float per pixel plus two spill cells per
 * row.  Fields are read-only to callers (tests read acc after
 * render_cov_resolve). */
struct render_cov {
    int w, h, stride; /* stride = w + 2 */
    float *acc;       /* h * stride cells; malloc'd */
    int y_lo, y_hi;   /* rows touched since the last clear: [y_lo, y_hi) */
};

/* A buffer for a w x h canvas, all zero.  Fails for bad sizes or memory. */
int render_cov_init(struct render_cov *c, int w, int h, struct err *e);
void render_cov_free(struct render_cov *c);

/* Adds the directed edge (x0,y0) -> (x1,y1), in pixels, y down, to the
 * accumulator, with weight sign (+1 or -1; -1 is the same as the edge run
 * backwards).  A closed polygon adds +sign inside itself when it runs
 * counter-clockwise as seen on the screen (y down), -sign when clockwise.  Parts of
 * the edge outside the canvas are clipped: left of it they still count for
 * the pixels to their right; above, below and right of it they do not
 * count.  Non-finite coordinates are ignored. */
void render_cov_line(struct render_cov *c, double x0, double y0, double x1, double y1,
                     float sign);

/* Turns the touched rows of acc in place into coverage: the running sum of
 * each row, its magnitude clamped to 1 (so winding +1 and -1 both cover,
 * and overlaps do not exceed full coverage).  Afterwards acc[y * stride +
 * x] is the covered fraction of pixel (x, y) in [0, 1]. */
void render_cov_resolve(struct render_cov *c);

/* Resolves, blends colour over the canvas by coverage times the colour's
 * alpha, and clears the buffer for the next layer. */
void render_cov_paint(struct render_cov *c, struct render_canvas *cv, const uint8_t rgba[4]);

/* Zeroes the touched rows. */
void render_cov_clear(struct render_cov *c);

/* ------------------------------------------------------------- previews */

struct render_opts {
    int width, height; /* canvas in pixels */
    int label;         /* 1: write "W x H mm" under the drawing */
    double stroke_px;  /* outline width; 0: no outlines (fill only) */
};

/* width x height with the default stroke (1.25 px) and no label. */
struct render_opts render_opts_size(int width, int height);

/* Draws the analysed drawing: curves c (the array geom_analyse() got), its
 * report r, and the warnings w (may be NULL).
 *
 * Fit: the report's box is scaled uniformly (aspect ratio kept, y up) and
 * centred into the canvas less a margin of 5% of the canvas's smaller side
 * (at least 6 px) on every side and, with a label, less a band at the
 * bottom for the text.
 * Layers: closed contours filled by depth (outer boundaries and islands
 * material, holes clear) whatever way they run, their outlines stroked
 * stroke_px wide in a darker tone; open contours as lines in a warning
 * colour with a ring at each loose end; a marker at each warning that
 * names a place (open_contour, duplicate_geometry, zero_length, tiny_hole,
 * circle_as_segments); the label "W x H mm" from the report.  Curves that
 * are in no contour (duplicates, zero-length) are not drawn.  A drawing with
 * nothing to draw gives a blank canvas.
 *
 * out is initialised here; the caller frees it with render_canvas_free().
 * Fails only for bad options or when memory runs out. */
int render_canvas(const struct geom_curve *c, const struct geom_report *r,
                  const struct geom_warnings *w, const struct render_opts *o,
                  struct render_canvas *out, struct err *e);

/* Where render_canvas() puts the drawing on a canvas of options o, for a
 * report whose box is b: pixel x = ox + x_mm * scale, pixel y = oy - y_mm *
 * scale (the drawing's y runs up, the image's down; pixel (0, 0) is the
 * top-left corner of the top-left pixel).  The browser uses it to mark
 * warnings on a stored preview.  0, or -1 when b is empty (nothing is
 * drawn). */
struct render_fit {
    double scale, ox, oy;
};
int render_fit(const struct geom_bbox *b, const struct render_opts *o, struct render_fit *out);

/* Encodes a canvas as an RGBA PNG (stb_image_write, zlib deflate).  *png
 * is malloc'd; the caller frees it with free(). */
int render_png_encode(const struct render_canvas *cv, unsigned char **png, size_t *len,
                      struct err *e);

/* render_canvas() then render_png_encode(): *png is malloc'd, the caller
 * frees it with free(); the canvas is released before returning. */
int render_png(const struct geom_curve *c, const struct geom_report *r,
               const struct geom_warnings *w, const struct render_opts *o, unsigned char **png,
               size_t *len, struct err *e);

/* Writes len bytes to path (created or truncated); e names the file and
 * the system's reason on failure. */
int render_write_file(const char *path, const unsigned char *data, size_t len, struct err *e);

#endif
