/*
 * test_raster.c - the coverage rasteriser against areas computed by hand.
 *
 * Polygons are exact for this method, so their coverage must add up to
 * their area to float precision, wherever they sit on the pixel grid.
 */
#include "render/render.h"
#include "test.h"

#include <math.h>
#include <stdlib.h>

#define PI 3.14159265358979323846

static void poly(struct render_cov *c, const double *xy, int n, float sign)
{
    for (int i = 0; i < n; i++) {
        int j = (i + 1) % n;
        render_cov_line(c, xy[2 * i], xy[2 * i + 1], xy[2 * j], xy[2 * j + 1], sign);
    }
}

/* Resolves and returns the total coverage (pixels^2). */
static double total(struct render_cov *c)
{
    render_cov_resolve(c);
    double s = 0;
    for (int y = 0; y < c->h; y++)
        for (int x = 0; x < c->w; x++)
            s += c->acc[(size_t)y * (size_t)c->stride + (size_t)x];
    return s;
}

static double at(const struct render_cov *c, int x, int y)
{
    return c->acc[(size_t)y * (size_t)c->stride + (size_t)x];
}

static void rect(struct render_cov *c, double x0, double y0, double x1, double y1, float sign)
{
    double xy[8] = {x0, y0, x1, y0, x1, y1, x0, y1};
    poly(c, xy, 4, sign);
}

TEST(square_off_grid)
{
    struct render_cov c;
    struct err e;
    CHECK(render_cov_init(&c, 200, 200, &e) == 0);
    /* 100.45 px square whose corners fall inside pixels. */
    rect(&c, 10.3, 20.7, 110.75, 121.15, 1);
    CHECK_NEAR(total(&c), 100.45 * 100.45, 1e-2);
    /* A pixel fully inside, one outside, and the partial corner pixel
     * (10, 20): covered over x 10.3..11 and y 20.7..21. */
    CHECK_NEAR(at(&c, 50, 50), 1.0, 1e-6);
    CHECK_NEAR(at(&c, 5, 5), 0.0, 1e-6);
    CHECK_NEAR(at(&c, 10, 20), 0.7 * 0.3, 1e-5);
    CHECK_NEAR(at(&c, 10, 50), 0.7, 1e-5);
    render_cov_free(&c);
}

TEST(rotated_square)
{
    struct render_cov c;
    struct err e;
    CHECK(render_cov_init(&c, 240, 240, &e) == 0);
    double xy[8];
    for (int k = 0; k < 4; k++) {
        double a = PI / 6 + k * PI / 2;
        xy[2 * k] = 120.4 + 80 / sqrt(2.0) * cos(a);
        xy[2 * k + 1] = 110.2 + 80 / sqrt(2.0) * sin(a);
    }
    poly(&c, xy, 4, 1);
    CHECK_NEAR(total(&c), 80.0 * 80.0, 0.05);
    render_cov_free(&c);
}

TEST(either_orientation_covers)
{
    struct render_cov c;
    struct err e;
    CHECK(render_cov_init(&c, 64, 64, &e) == 0);
    double cw[8] = {5.5, 5.5, 40.5, 5.5, 40.5, 30.5, 5.5, 30.5};
    double ccw[8] = {5.5, 5.5, 5.5, 30.5, 40.5, 30.5, 40.5, 5.5};
    poly(&c, cw, 4, 1);
    CHECK_NEAR(total(&c), 35.0 * 25.0, 1e-3);
    render_cov_clear(&c);
    poly(&c, ccw, 4, 1);
    CHECK_NEAR(total(&c), 35.0 * 25.0, 1e-3);
    render_cov_clear(&c);
    /* sign -1 is the same edge run backwards: still covers. */
    poly(&c, cw, 4, -1);
    CHECK_NEAR(total(&c), 35.0 * 25.0, 1e-3);
    render_cov_free(&c);
}

TEST(overlap_clamps_and_opposites_cancel)
{
    struct render_cov c;
    struct err e;
    CHECK(render_cov_init(&c, 64, 64, &e) == 0);
    /* Two 20x20 squares overlapping on 10x20: the union is 600. */
    rect(&c, 10, 10, 30, 30, 1);
    rect(&c, 20, 10, 40, 30, 1);
    CHECK_NEAR(total(&c), 600.0, 1e-3);
    render_cov_clear(&c);
    /* Opposite signs: the overlap has winding 0, the rest |1|. */
    rect(&c, 10, 10, 30, 30, 1);
    rect(&c, 20, 10, 40, 30, -1);
    CHECK_NEAR(total(&c), 400.0, 1e-3);
    CHECK_NEAR(at(&c, 25, 20), 0.0, 1e-6);
    render_cov_free(&c);
}

TEST(clipped_at_every_side)
{
    struct render_cov c;
    struct err e;
    CHECK(render_cov_init(&c, 100, 80, &e) == 0);
    /* Half outside on the left: the inside half counts, 50 x 20. */
    rect(&c, -50, 10, 50, 30, 1);
    CHECK_NEAR(total(&c), 1000.0, 1e-3);
    render_cov_clear(&c);
    /* Outside on the right: 100 - 70 = 30 wide. */
    rect(&c, 70, 10, 170, 30, 1);
    CHECK_NEAR(total(&c), 600.0, 1e-3);
    render_cov_clear(&c);
    /* Above and below: rows 0..80 of x 10..20. */
    rect(&c, 10, -40, 20, 200, 1);
    CHECK_NEAR(total(&c), 800.0, 1e-3);
    render_cov_clear(&c);
    /* All outside, and non-finite input: nothing. */
    rect(&c, 200, 10, 300, 30, 1);
    render_cov_line(&c, NAN, 1, 5, 9, 1);
    render_cov_line(&c, 1, INFINITY, 5, 9, 1);
    CHECK_NEAR(total(&c), 0.0, 1e-9);
    render_cov_free(&c);
}

/* A 0.25 px thick sliver at 1 degree, 380 px long: every column it spans
 * must hold its thickness divided by cos(1 deg). */
TEST(hairline_one_degree_no_gaps)
{
    struct render_cov c;
    struct err e;
    CHECK(render_cov_init(&c, 400, 40, &e) == 0);
    double a = PI / 180, t = 0.25;
    double ux = cos(a), uy = sin(a), nx = -uy * t, ny = ux * t;
    double x0 = 10, y0 = 12.3, len = 380 / ux;
    double x1 = x0 + ux * len, y1 = y0 + uy * len;
    double xy[8] = {x0, y0, x1, y1, x1 + nx, y1 + ny, x0 + nx, y0 + ny};
    poly(&c, xy, 4, 1);
    render_cov_resolve(&c);
    int gaps = 0;
    double worst = 0;
    for (int x = 11; x < 389; x++) {
        double col = 0;
        for (int y = 0; y < c.h; y++)
            col += at(&c, x, y);
        if (col < 0.5 * t)
            gaps++;
        worst = fmax(worst, fabs(col - t / ux));
    }
    CHECK(gaps == 0);
    CHECK(worst < 1e-3);
    render_cov_free(&c);
}

/* A 256-gon of radius 90.3 centred off the grid: the polygon's area. */
TEST(polygon_circle_area)
{
    struct render_cov c;
    struct err e;
    CHECK(render_cov_init(&c, 200, 200, &e) == 0);
    int n = 256;
    double r = 90.3, *xy = malloc(sizeof(double) * 2 * (size_t)n);
    for (int k = 0; k < n; k++) {
        xy[2 * k] = 100.37 + r * cos(2 * PI * k / n);
        xy[2 * k + 1] = 99.81 + r * sin(2 * PI * k / n);
    }
    poly(&c, xy, n, 1);
    double want = 0.5 * n * r * r * sin(2 * PI / n);
    CHECK_NEAR(total(&c), want, want * 1e-5);
    free(xy);
    render_cov_free(&c);
}

TEST(paint_blends_by_coverage)
{
    struct render_cov c;
    struct render_canvas cv;
    struct err e;
    const uint8_t white[4] = {255, 255, 255, 255}, ink[4] = {55, 155, 255, 255};
    CHECK(render_canvas_init(&cv, 16, 16, white, &e) == 0);
    CHECK(render_cov_init(&c, 16, 16, &e) == 0);
    /* Pixel (2, 3) covered by half (x 2.5..3), pixel (4, 3) fully. */
    rect(&c, 2.5, 3, 5, 4, 1);
    render_cov_paint(&c, &cv, ink);
    const uint8_t *half = cv.rgba + (3 * 16 + 2) * 4, *full = cv.rgba + (3 * 16 + 4) * 4;
    CHECK(half[0] == 155 && half[1] == 205 && half[2] == 255 && half[3] == 255);
    CHECK(full[0] == 55 && full[1] == 155 && full[2] == 255);
    CHECK(cv.rgba[0] == 255 && cv.rgba[1] == 255);
    /* Painting cleared the buffer. */
    CHECK_NEAR(total(&c), 0.0, 1e-9);
    render_cov_free(&c);
    render_canvas_free(&cv);
}

TEST(transparent_canvas_gets_alpha)
{
    struct render_cov c;
    struct render_canvas cv;
    struct err e;
    const uint8_t clear[4] = {0, 0, 0, 0}, ink[4] = {200, 100, 50, 255};
    CHECK(render_canvas_init(&cv, 16, 16, clear, &e) == 0);
    CHECK(render_cov_init(&c, 16, 16, &e) == 0);
    rect(&c, 2.5, 3, 5, 4, 1);
    render_cov_paint(&c, &cv, ink);
    const uint8_t *half = cv.rgba + (3 * 16 + 2) * 4;
    /* Over nothing, colour stays, alpha is the coverage. */
    CHECK(half[0] == 200 && half[1] == 100 && half[2] == 50);
    CHECK(half[3] == 128);
    render_cov_free(&c);
    render_canvas_free(&cv);
}

TEST(bad_sizes_fail_with_a_message)
{
    struct render_cov c;
    struct render_canvas cv;
    struct err e;
    const uint8_t white[4] = {255, 255, 255, 255};
    CHECK(render_cov_init(&c, 0, 10, &e) == -1);
    CHECK(strstr(e.msg, "16 to 8192") != NULL);
    CHECK(render_canvas_init(&cv, 100, 9000, white, &e) == -1);
    CHECK(strstr(e.msg, "100x9000") != NULL);
    CHECK(cv.rgba == NULL);
}

int main(void)
{
    RUN(square_off_grid);
    RUN(rotated_square);
    RUN(either_orientation_covers);
    RUN(overlap_clamps_and_opposites_cancel);
    RUN(clipped_at_every_side);
    RUN(hairline_one_degree_no_gaps);
    RUN(polygon_circle_area);
    RUN(paint_blends_by_coverage);
    RUN(transparent_canvas_gets_alpha);
    RUN(bad_sizes_fail_with_a_message);
    return test_report();
}
