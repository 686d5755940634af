/*
 * pdf_int.h - private to pdf/: the document being written and what the
 * files of the module share.
 *
 * Nothing outside appliance/pdf (and its unit tests) includes this.  All
 * coordinates are PDF points (1/72 inch), y up, origin at the bottom left
 * of the page.  Strings handed to the drawing helpers are already in
 * Windows-1252 (pdf_text()), so one byte is one glyph.
 */
#ifndef DXFQ_PDF_INT_H
#define DXFQ_PDF_INT_H

#include <hpdf.h>

#include "pdf.h"

#define PDF_MM (72.0 / 25.4) /* points per millimetre */

/* A base-14 font and the advance width of each of its 256 glyphs, in
 * thousandths of the font size, read once from libharu's metrics. */
struct pdf_font {
    HPDF_Font f;
    float w[256];
};

/* An RGB colour, components 0..1. */
struct pdf_rgb {
    float r, g, b;
};

/* Everything one pdf_write() call owns.  No global state: libharu's error
 * handler writes into code/detail through the user-data pointer. */
struct pdf_doc {
    HPDF_Doc pdf;
    HPDF_STATUS code, detail; /* first libharu error, 0 when none */

    struct arena *a;   /* converted strings and scratch; freed at the end */
    uint16_t uni[256]; /* Unicode of each WinAnsi byte, 0 if it has none */
    struct pdf_font reg, bold;

    HPDF_Page *pages; /* every page, in order, for "Page n of m" */
    size_t npages, cap;
    HPDF_Page page; /* the page being written */

    const struct pdf_quote *q;
    double pw, ph;                    /* page size */
    double left, right, top, bottom;  /* the text area inside the margins */
    double y;                         /* where the next block starts (its top) */
    struct pdf_geom_scratch *scratch; /* draw.c's point buffer */
};

/* ------------------------------------------------------------------ text.c */

enum pdf_align { PDF_LEFT, PDF_RIGHT, PDF_CENTER };

/* Reads the WinAnsi table of libharu's encoder into d->uni. */
void pdf_text_init(struct pdf_doc *d, HPDF_Encoder enc);
/* Converts UTF-8 to Windows-1252 with the table uni (see pdf.h: tabs and
 * line ends become spaces, anything else the table lacks becomes
 * PDF_REPLACEMENT).  Writes at most n - 1 bytes and a 0; returns the length
 * the whole conversion needs. */
size_t pdf_conv(const uint16_t uni[256], char *out, size_t n, const char *utf8);
/* The conversion of utf8 (NULL: "") in d's arena; NULL only when the arena
 * is exhausted. */
char *pdf_text(struct pdf_doc *d, const char *utf8);
/* Same, keeping '\n' as a line break (address, customer, terms). */
char *pdf_text_lines(struct pdf_doc *d, const char *utf8);

/* Width in points of n bytes of s at the given size. */
double pdf_width(const struct pdf_font *f, double size, const char *s, size_t n);
/* Draws s (converted) with its baseline at y: left-aligned from x,
 * right-aligned ending at x, or centred on x. */
void pdf_show(struct pdf_doc *d, const struct pdf_font *f, double size, struct pdf_rgb c, double x,
              double y, enum pdf_align al, const char *s);
/* Draws s cut to fit width: the longest prefix that fits, followed by an
 * ellipsis, when the whole does not. */
void pdf_show_fit(struct pdf_doc *d, const struct pdf_font *f, double size, struct pdf_rgb c,
                  double x, double y, double width, enum pdf_align al, const char *s);
/* Draws s at the largest size <= size (and >= size / 2) at which it fits
 * width: numbers are shrunk, never cut. */
void pdf_show_shrink(struct pdf_doc *d, const struct pdf_font *f, double size, struct pdf_rgb c,
                     double x, double y, double width, enum pdf_align al, const char *s);

/* A line of wrapped text: s[off .. off + n). */
struct pdf_span {
    size_t off, n;
};
/* Breaks s into at most max lines of width points (at spaces; a word
 * longer than a line is cut).  '\n' forces a break.  Returns the number of
 * lines; *cut is 1 when text was left over (the caller draws the last line
 * with pdf_show_fit and an ellipsis). */
size_t pdf_wrap(const struct pdf_font *f, double size, const char *s, double width,
                struct pdf_span *out, size_t max, int *cut);

/* "2026-11-28" (UTC) into buf (>= 16 bytes). */
void pdf_date(char *buf, size_t n, int64_t t);

/* ------------------------------------------------------------------ draw.c */

struct pdf_geom_scratch;
/* Draws the part's contours into the box (x, y) - (x + w, y + h), scaled
 * to fit with its aspect kept and centred: closed contours filled in one
 * even-odd path and outlined, open contours stroked in orange.  Arcs and
 * ellipses are cubic Beziers (under 0.03 % of the radius off), splines are
 * flattened to 0.05 pt. */
void pdf_draw_part(struct pdf_doc *d, const struct pdf_part *p, double x, double y, double w,
                   double h);
void pdf_draw_free(struct pdf_doc *d);

#endif
