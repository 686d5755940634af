/*
 * test_preview.c - previews from geom's analysis, checked against geometry
 * worked out by hand: covered areas, the fill rule, a hairline, markers,
 * the fit; the PNG round trip through stb_image; golden images of our own
 * fixtures.
 *
 * Coverage is read back from the colours: with outlines off, a pixel is
 * paper + coverage * (fill - paper), so coverage = (255 - R) / (255 - R of
 * a pixel known to be full).  The scale is the documented fit: the box
 * into the canvas less a margin of max(6, floor(5% of the smaller side)).
 *
 * DXFQ_UPDATE_GOLDEN=1 rewrites the golden PNGs (look at them first).
 */
#include "dxf/dxf.h"
#include "geom/geom.h"
#include "render/render.h"
#include "test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#define STBI_ONLY_PNG
#define STBI_NO_STDIO
#pragma GCC diagnostic ignored "-Wunused-function"
#include <stb_image.h>

#define PI 3.14159265358979323846

/* ------------------------------------------------------------- drawings */

struct drawing {
    struct arena *a;
    struct geom_curve c[64];
    size_t n;
    struct geom_warnings w;
    struct geom_report r;
};

static void line(struct drawing *d, double x0, double y0, double x1, double y1)
{
    struct geom_curve *c = &d->c[d->n++];
    memset(c, 0, sizeof *c);
    c->kind = GEOM_LINE;
    c->entity = (uint32_t)d->n;
    c->line.a = (struct geom_pt){x0, y0};
    c->line.b = (struct geom_pt){x1, y1};
}

/* A full circle; dir +1 counter-clockwise, -1 clockwise. */
static void circle(struct drawing *d, double cx, double cy, double r, int dir)
{
    struct geom_curve *c = &d->c[d->n++];
    memset(c, 0, sizeof *c);
    c->kind = GEOM_ARC;
    c->entity = (uint32_t)d->n;
    c->arc.c = (struct geom_pt){cx, cy};
    c->arc.r = r;
    c->arc.a0 = 0.3;
    c->arc.sweep = dir * 2 * PI;
}

/* A closed polygon of four lines; dir +1 counter-clockwise. */
static void rect(struct drawing *d, double x0, double y0, double x1, double y1, int dir)
{
    double p[4][2] = {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}};
    for (int i = 0; i < 4; i++) {
        int a = dir > 0 ? i : 3 - i, b = dir > 0 ? (i + 1) % 4 : (6 - i) % 4;
        line(d, p[a][0], p[a][1], p[b][0], p[b][1]);
    }
}

static void analyse(struct drawing *d)
{
    struct err e;
    if (!d->a)
        d->a = arena_new(0);
    CHECK(geom_analyse(d->a, d->c, d->n, 1, NULL, &d->w, &d->r, &e) == 0);
}

static void done(struct drawing *d)
{
    arena_free(d->a);
    memset(d, 0, sizeof *d);
}

static int draw(const struct drawing *d, int w, int h, double stroke, int label,
                struct render_canvas *cv)
{
    struct render_opts o = render_opts_size(w, h);
    o.stroke_px = stroke;
    o.label = label;
    struct err e;
    int rc = render_canvas(d->c, &d->r, &d->w, &o, cv, &e);
    if (rc)
        fprintf(stderr, "render_canvas: %s\n", e.msg);
    return rc;
}

/* The documented fit's scale, pixels per mm. */
static double fit_scale(int w, int h, double bw, double bh)
{
    double m = fmax(6, floor(0.05 * fmin(w, h)));
    return fmin((w - 2 * m) / bw, (h - 2 * m) / bh);
}

static const uint8_t *px(const struct render_canvas *cv, int x, int y)
{
    return cv->rgba + ((size_t)y * (size_t)cv->width + (size_t)x) * 4;
}

/* Coverage of material summed over the canvas, calibrated on a pixel that
 * is full material. */
static double covered(const struct render_canvas *cv, int full_x, int full_y)
{
    double full = 255 - px(cv, full_x, full_y)[0];
    double s = 0;
    for (int y = 0; y < cv->height; y++)
        for (int x = 0; x < cv->width; x++)
            s += (255 - px(cv, x, y)[0]) / full;
    return s;
}

/* ---------------------------------------------------------------- areas */

TEST(square_area)
{
    struct drawing d = {0};
    rect(&d, 0, 0, 100, 100, 1);
    analyse(&d);
    struct render_canvas cv;
    CHECK(draw(&d, 400, 300, 0, 0, &cv) == 0);
    double s = fit_scale(400, 300, 100, 100), want = (100 * s) * (100 * s);
    CHECK_NEAR(covered(&cv, 200, 150), want, want * 0.005);
    render_canvas_free(&cv);
    done(&d);
}

TEST(circle_area)
{
    struct drawing d = {0};
    circle(&d, 10, -20, 50, 1);
    analyse(&d);
    struct render_canvas cv;
    CHECK(draw(&d, 400, 300, 0, 0, &cv) == 0);
    double s = fit_scale(400, 300, 100, 100), want = PI * (50 * s) * (50 * s);
    CHECK_NEAR(covered(&cv, 200, 150), want, want * 0.005);
    render_canvas_free(&cv);
    done(&d);
}

/* A ring: outer r 50, hole r 25, drawn every way round.  The covered area
 * is the same, and the hole's centre is paper. */
TEST(ring_area_any_orientation)
{
    int dirs[4][2] = {{1, -1}, {1, 1}, {-1, -1}, {-1, 1}};
    for (int k = 0; k < 4; k++) {
        struct drawing d = {0};
        circle(&d, 0, 0, 50, dirs[k][0]);
        circle(&d, 0, 0, 25, dirs[k][1]);
        analyse(&d);
        struct render_canvas cv;
        CHECK(draw(&d, 400, 300, 0, 0, &cv) == 0);
        double s = fit_scale(400, 300, 100, 100);
        double want = PI * (50 * 50 - 25 * 25) * s * s;
        /* (200, 150) is the centre; 37.5 mm out is the middle of the band. */
        int fx = 200 + (int)(37.5 * s);
        CHECK_NEAR(covered(&cv, fx, 150), want, want * 0.005);
        const uint8_t *centre = px(&cv, 200, 150);
        CHECK(centre[0] == 255 && centre[1] == 255 && centre[2] == 255);
        render_canvas_free(&cv);
        done(&d);
    }
}

/* Square plate, square hole drawn the same way round as the plate, a round
 * island in the hole: 100^2 - 60^2 + pi 15^2. */
TEST(island_in_hole)
{
    struct drawing d = {0};
    rect(&d, 0, 0, 100, 100, 1);
    rect(&d, 20, 20, 80, 80, 1);
    circle(&d, 50, 50, 15, -1);
    analyse(&d);
    struct render_canvas cv;
    CHECK(draw(&d, 400, 300, 0, 0, &cv) == 0);
    double s = fit_scale(400, 300, 100, 100);
    double want = (100.0 * 100 - 60 * 60 + PI * 15 * 15) * s * s;
    CHECK_NEAR(covered(&cv, 200, 150), want, want * 0.005);
    /* Between the island and the hole's edge: paper. */
    const uint8_t *hole = px(&cv, 200 + (int)(22 * s), 150);
    CHECK(hole[0] == 255);
    render_canvas_free(&cv);
    done(&d);
}

/* A round hole in a plate of lines (the plate and the hole take different
 * paths through the renderer): 100^2 - pi 20^2, and the hole's centre is
 * paper. */
TEST(circle_hole_in_plate)
{
    int dirs[2] = {1, -1};
    for (int k = 0; k < 2; k++) {
        struct drawing d = {0};
        rect(&d, 0, 0, 100, 100, dirs[k]);
        circle(&d, 50, 50, 20, dirs[1 - k]);
        analyse(&d);
        struct render_canvas cv;
        CHECK(draw(&d, 400, 300, 0, 0, &cv) == 0);
        double s = fit_scale(400, 300, 100, 100);
        double want = (100.0 * 100 - PI * 20 * 20) * s * s;
        CHECK_NEAR(covered(&cv, 200 + (int)(35 * s), 150), want, want * 0.005);
        const uint8_t *centre = px(&cv, 200, 150);
        CHECK(centre[0] == 255 && centre[1] == 255 && centre[2] == 255);
        render_canvas_free(&cv);
        done(&d);
    }
}

/* A hole narrower than the outline is all outline: the pixel on it is the
 * outline's tone, and the ink laid around it is the stroke's area by
 * Steiner's formula, pi (r + h)^2 for a circle of radius r <= h. */
TEST(tiny_hole_is_an_outline_dot)
{
    struct drawing d = {0};
    rect(&d, 0, 0, 100, 100, 1);
    double s = fit_scale(400, 300, 100, 100), r_px = 0.4, h = 1.25 / 2;
    circle(&d, 50.0 + 0.5 / s, 50.0 - 0.5 / s, r_px / s, 1); /* centred on pixel (200, 150) */
    analyse(&d);
    struct render_canvas cv;
    CHECK(draw(&d, 400, 300, 1.25, 0, &cv) == 0);
    const uint8_t *p = px(&cv, 200, 150);
    CHECK(p[0] == 46 && p[1] == 62 && p[2] == 84);
    /* Outline coverage around the dot, from the red channel between the
     * fill (176) and the outline (46). */
    double ink = 0;
    for (int y = 140; y <= 160; y++)
        for (int x = 190; x <= 210; x++)
            ink += (176.0 - px(&cv, x, y)[0]) / (176.0 - 46.0);
    double want = PI * (r_px + h) * (r_px + h);
    CHECK_NEAR(ink, want, want * 0.02);
    render_canvas_free(&cv);
    done(&d);
}

/* ---------------------------------------------------------------- strokes */

/* A plate whose top edge falls at 1 degree: its outline must darken every
 * column it crosses.  A gap would leave the fill colour (R 176) or paper
 * (255) in the column; the outline tone has R 46. */
TEST(outline_hairline_one_degree)
{
    struct drawing d = {0};
    double t = tan(PI / 180);
    line(&d, 0, 0, 300, 0);
    line(&d, 300, 0, 300, 40);
    line(&d, 300, 40, 0, 40 - 300 * t);
    line(&d, 0, 40 - 300 * t, 0, 0);
    analyse(&d);
    struct render_canvas cv;
    CHECK(draw(&d, 1200, 400, 1.25, 0, &cv) == 0);
    double s = fit_scale(1200, 400, 300, 40), m = 20;
    double x0 = (1200 - 300 * s) / 2;
    /* y of the top edge in pixels: the box's top (y 40) is at the margin
     * plus the centring offset. */
    double top = m + ((400 - 2 * m) - 40 * s) / 2;
    int gaps = 0;
    for (int x = (int)(x0 + 5 * s); x < (int)(x0 + 295 * s); x++) {
        double mm = (x + 0.5 - x0) / s;
        double ye = top + (40 - (40 - 300 * t + mm * t)) * s;
        int darkest = 255;
        for (int y = (int)ye - 3; y <= (int)ye + 3; y++)
            darkest = px(&cv, x, y)[0] < darkest ? px(&cv, x, y)[0] : darkest;
        if (darkest > 130)
            gaps++;
    }
    CHECK(gaps == 0);
    render_canvas_free(&cv);
    done(&d);
}

/* ------------------------------------------------------------- markers */

static int near_colour(const struct render_canvas *cv, double cx, double cy, int r,
                       int (*is)(const uint8_t *))
{
    for (int y = (int)cy - r; y <= (int)cy + r; y++)
        for (int x = (int)cx - r; x <= (int)cx + r; x++)
            if (x >= 0 && y >= 0 && x < cv->width && y < cv->height && is(px(cv, x, y)))
                return 1;
    return 0;
}

static int is_red(const uint8_t *p)
{
    return p[0] > 180 && p[1] < 90 && p[2] < 90;
}

static int is_orange(const uint8_t *p)
{
    return p[0] > 200 && p[1] > 80 && p[1] < 150 && p[2] < 70;
}

TEST(open_contour_ends_and_warning_markers)
{
    struct drawing d = {0};
    d.a = arena_new(0);
    rect(&d, 0, 0, 100, 100, 1);
    line(&d, 20, 50, 80, 50);
    /* Not places: these must get no marker. */
    CHECK(geom_warn(d.a, &d.w, "units_assumed", 50, 20, "no $INSUNITS") == 0);
    CHECK(geom_warn(d.a, &d.w, "open_contour", 50, 80, "3 more open_contour warnings not "
                                                       "listed") == 0);
    analyse(&d);
    CHECK(d.r.open == 1);
    struct render_canvas cv;
    CHECK(draw(&d, 400, 300, 1.25, 0, &cv) == 0);
    double s = fit_scale(400, 300, 100, 100), x0 = 200 - 50 * s, y0 = 150 + 50 * s;
    /* geom warns about the open line at one of its ends. */
    int warned = 0;
    for (size_t i = 0; i < d.w.n; i++)
        if (!strcmp(d.w.v[i].code, "open_contour") && !strstr(d.w.v[i].msg, "not listed")) {
            CHECK(near_colour(&cv, x0 + d.w.v[i].x * s, y0 - d.w.v[i].y * s, 8, is_red));
            warned++;
        }
    CHECK(warned == 1);
    CHECK(near_colour(&cv, x0 + 20 * s, y0 - 50 * s, 6, is_orange));
    CHECK(near_colour(&cv, x0 + 80 * s, y0 - 50 * s, 6, is_orange));
    CHECK(near_colour(&cv, x0 + 50 * s, y0 - 50 * s, 2, is_orange));
    CHECK(!near_colour(&cv, x0 + 50 * s, y0 - 20 * s, 12, is_red));
    CHECK(!near_colour(&cv, x0 + 50 * s, y0 - 80 * s, 12, is_red));
    render_canvas_free(&cv);
    done(&d);
}

/* -------------------------------------------------------- fit and label */

TEST(fit_keeps_aspect_and_y_up)
{
    struct drawing d = {0};
    /* A 200 x 50 plate with a 10 mm square hole near its top left. */
    rect(&d, 0, 0, 200, 50, 1);
    rect(&d, 10, 35, 20, 45, 1);
    analyse(&d);
    struct render_canvas cv;
    CHECK(draw(&d, 400, 300, 0, 0, &cv) == 0);
    double s = fit_scale(400, 300, 200, 50);
    /* Width along the middle row, height along a column clear of the hole:
     * 200 s and 50 s pixels of coverage. */
    double full = 255 - px(&cv, 200, 150)[0], row = 0, col = 0;
    for (int x = 0; x < 400; x++)
        row += (255 - px(&cv, x, 150)[0]) / full;
    for (int y = 0; y < 300; y++)
        col += (255 - px(&cv, 300, y)[0]) / full;
    CHECK_NEAR(row, 200 * s, 0.5);
    CHECK_NEAR(col, 50 * s, 0.5);
    /* y up: the hole (y 35..45 in mm) is in the upper half of the plate. */
    double hx = 200 - 100 * s + 15 * s, hy_up = 150 - 15 * s, hy_down = 150 + 15 * s;
    CHECK(px(&cv, (int)hx, (int)hy_up)[0] == 255);
    CHECK(px(&cv, (int)hx, (int)hy_down)[0] < 255);
    render_canvas_free(&cv);
    done(&d);
}

static int is_text(const uint8_t *p)
{
    return p[0] < 100 && p[1] < 100 && p[2] < 100;
}

TEST(label_only_when_asked)
{
    struct drawing d = {0};
    rect(&d, 0, 0, 120, 80, 1);
    analyse(&d);
    struct render_canvas with, without;
    CHECK(draw(&d, 640, 480, 1.25, 1, &with) == 0);
    CHECK(draw(&d, 640, 480, 1.25, 0, &without) == 0);
    /* The label sits in the band under the plate: the bottom 40 rows. */
    int text_with = 0, text_without = 0;
    for (int y = 440; y < 480; y++)
        for (int x = 0; x < 640; x++) {
            text_with += is_text(px(&with, x, y));
            text_without += is_text(px(&without, x, y));
        }
    CHECK(text_with > 50);
    CHECK(text_without == 0);
    render_canvas_free(&with);
    render_canvas_free(&without);
    done(&d);
}

TEST(nothing_to_draw_is_blank)
{
    struct drawing d = {0};
    analyse(&d);
    struct render_canvas cv;
    CHECK(draw(&d, 64, 48, 1.25, 1, &cv) == 0);
    int blank = 1;
    for (size_t i = 0; i < (size_t)64 * 48 * 4; i++)
        blank &= cv.rgba[i] == 255;
    CHECK(blank);
    render_canvas_free(&cv);
    done(&d);
}

TEST(bad_options_fail)
{
    struct drawing d = {0};
    rect(&d, 0, 0, 10, 10, 1);
    analyse(&d);
    struct render_canvas cv;
    struct err e;
    struct render_opts o = render_opts_size(10, 100);
    CHECK(render_canvas(d.c, &d.r, NULL, &o, &cv, &e) == -1);
    CHECK(strstr(e.msg, "10x100") != NULL);
    o = render_opts_size(100, 100);
    o.stroke_px = NAN;
    CHECK(render_canvas(d.c, &d.r, NULL, &o, &cv, &e) == -1);
    done(&d);
}

/* ------------------------------------------------------------------ PNG */

static int same_as_png(const struct render_canvas *cv, const unsigned char *png, size_t len)
{
    int w, h, n;
    unsigned char *pix = stbi_load_from_memory(png, (int)len, &w, &h, &n, 4);
    if (!pix)
        return 0;
    int same = w == cv->width && h == cv->height && n == 4 &&
               !memcmp(pix, cv->rgba, (size_t)w * (size_t)h * 4);
    stbi_image_free(pix);
    return same;
}

/* Noise defeats both match distances; flat bands exercise long runs. */
static void noise(struct render_canvas *cv, uint32_t seed)
{
    for (size_t i = 0; i < (size_t)cv->width * (size_t)cv->height * 4; i++) {
        seed = seed * 1664525u + 1013904223u;
        size_t row = i / ((size_t)cv->width * 4);
        cv->rgba[i] = row % 3 == 0 ? (uint8_t)(seed >> 24) : (uint8_t)(row * 7);
    }
}

TEST(png_round_trip)
{
    struct render_canvas cv;
    struct err e;
    unsigned char *png;
    size_t len;
    const uint8_t white[4] = {255, 255, 255, 255};
    int sizes[3][2] = {{301, 77}, {16, 16}, {8192, 16}};
    for (int k = 0; k < 3; k++) {
        CHECK(render_canvas_init(&cv, sizes[k][0], sizes[k][1], white, &e) == 0);
        noise(&cv, (uint32_t)k + 7);
        CHECK(render_png_encode(&cv, &png, &len, &e) == 0);
        CHECK(len > 8 && !memcmp(png, "\x89PNG\r\n\x1a\n", 8));
        CHECK(same_as_png(&cv, png, len));
        free(png);
        render_canvas_free(&cv);
    }
    /* A preview: mostly flat, compresses well. */
    struct drawing d = {0};
    rect(&d, 0, 0, 100, 60, 1);
    circle(&d, 30, 30, 10, 1);
    analyse(&d);
    CHECK(draw(&d, 1200, 900, 1.25, 1, &cv) == 0);
    CHECK(render_png_encode(&cv, &png, &len, &e) == 0);
    CHECK(same_as_png(&cv, png, len));
    CHECK(len < (size_t)1200 * 900 * 4 / 50);
    free(png);
    render_canvas_free(&cv);
    done(&d);
}

TEST(write_file_names_the_failure)
{
    struct err e;
    const unsigned char data[3] = {1, 2, 3};
    CHECK(render_write_file("/nonexistent-dir/x.png", data, 3, &e) == -1);
    CHECK(strstr(e.msg, "/nonexistent-dir/x.png") != NULL);
}

/* -------------------------------------------------------------- goldens */

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *p = malloc(len > 0 ? (size_t)len : 1);
    *n = fread(p, 1, (size_t)(len > 0 ? len : 0), f);
    fclose(f);
    return p;
}

/* Renders a DXF of ours and compares it with its golden PNG, allowing 3
 * levels per channel (floating point may round differently across
 * compilers and flags). */
static void golden(const char *dxf_rel, const char *name, int w, int h, int label)
{
    const char *src = getenv("DXFQ_SOURCE");
    if (!src) {
        fprintf(stderr, "DXFQ_SOURCE not set: golden %s skipped\n", name);
        return;
    }
    char path[1024], gold[1024];
    snprintf(path, sizeof path, "%s/%s", src, dxf_rel);
    snprintf(gold, sizeof gold, "%s/tests/unit/render/golden/%s.png", src, name);
    struct arena *a = arena_new(0);
    struct dxf_drawing d;
    struct geom_report r;
    struct err e;
    CHECK(dxf_read_file(a, path, NULL, &d, &e) == 0);
    CHECK(geom_analyse(a, d.curves, d.ncurves, d.nlayers, NULL, &d.warnings, &r, &e) == 0);
    struct render_opts o = render_opts_size(w, h);
    o.label = label;
    struct render_canvas cv;
    CHECK(render_canvas(d.curves, &r, &d.warnings, &o, &cv, &e) == 0);
    if (getenv("DXFQ_UPDATE_GOLDEN")) {
        unsigned char *png;
        size_t len;
        CHECK(render_png_encode(&cv, &png, &len, &e) == 0);
        CHECK(render_write_file(gold, png, len, &e) == 0);
        free(png);
    }
    size_t n = 0;
    unsigned char *g = slurp(gold, &n);
    CHECK(g != NULL);
    int gw = 0, gh = 0, gn = 0;
    unsigned char *pix = g ? stbi_load_from_memory(g, (int)n, &gw, &gh, &gn, 4) : NULL;
    CHECK(pix && gw == w && gh == h);
    if (pix && gw == w && gh == h) {
        size_t off = 0, worst = 0;
        for (size_t i = 0; i < (size_t)w * (size_t)h * 4; i++) {
            size_t dlt = (size_t)abs((int)pix[i] - (int)cv.rgba[i]);
            worst = dlt > worst ? dlt : worst;
            off += dlt > 3;
        }
        if (off)
            fprintf(stderr, "golden %s: %zu channels off by more than 3 (worst %zu)\n", name,
                    off, worst);
        CHECK(off == 0);
    }
    stbi_image_free(pix);
    free(g);
    render_canvas_free(&cv);
    arena_free(a);
}

TEST(goldens)
{
    golden("tests/unit/render/fixtures/plate.dxf", "plate_640x480", 640, 480, 1);
    golden("tests/unit/render/fixtures/plate.dxf", "plate_240x180", 240, 180, 0);
    golden("tests/fixtures/dxf/features_r2000.dxf", "features_320x240", 320, 240, 1);
}

int main(void)
{
    RUN(square_area);
    RUN(circle_area);
    RUN(ring_area_any_orientation);
    RUN(island_in_hole);
    RUN(circle_hole_in_plate);
    RUN(tiny_hole_is_an_outline_dot);
    RUN(outline_hairline_one_degree);
    RUN(open_contour_ends_and_warning_markers);
    RUN(fit_keeps_aspect_and_y_up);
    RUN(label_only_when_asked);
    RUN(nothing_to_draw_is_blank);
    RUN(bad_options_fail);
    RUN(png_round_trip);
    RUN(write_file_names_the_failure);
    RUN(goldens);
    return test_report();
}
