/*
 * label.c - text on the preview (the part's size under the drawing).
 *
 * The glyphs are stb_easy_font's: each character is a handful of
 * axis-aligned rectangles on a unit grid, which we scale and feed to the
 * coverage rasteriser as polygons, so text is anti-aliased exactly like the
 * drawing and needs no texture.  ASCII only: other bytes print as '?'.
 * stb_easy_font keeps its letter spacing in a static variable; we never
 * change it, so reading it from several threads is safe.
 */
#include "render_int.h"

#include <stb_easy_font.h>
#include <string.h>

#define LABEL_MAX 63

/* Copies text into buf as printable ASCII. */
static void ascii(char buf[LABEL_MAX + 1], const char *text)
{
    size_t n = 0;
    for (; text[n] && n < LABEL_MAX; n++) {
        unsigned char ch = (unsigned char)text[n];
        buf[n] = ch >= 32 && ch < 127 ? (char)ch : '?';
    }
    buf[n] = '\0';
}

double render_text_width(const char *text, double scale)
{
    char buf[LABEL_MAX + 1];
    ascii(buf, text);
    return stb_easy_font_width(buf) * scale;
}

double render_text_height(double scale)
{
    /* Capitals and digits span 7 units from the top of the line. */
    return 7 * scale;
}

void render_text(struct render_cov *c, double x, double y, double scale, const char *text)
{
    char buf[LABEL_MAX + 1];
    ascii(buf, text);
    /* stb_easy_font averages 17 vertices (270 bytes) a character; 48 is
     * more than its busiest glyph needs. */
    struct vertex {
        float x, y, z;
        unsigned char rgba[4];
    } v[LABEL_MAX * 48];
    int nq = stb_easy_font_print(0, 0, buf, NULL, v, (int)sizeof v);
    for (int q = 0; q < nq; q++) {
        double xy[8];
        for (int k = 0; k < 4; k++) {
            xy[2 * k] = x + v[4 * q + k].x * scale;
            xy[2 * k + 1] = y + v[4 * q + k].y * scale;
        }
        render_poly(c, xy, 4);
    }
}
