/*
 * raster.c - the canvas and the exact-area coverage rasteriser.
 *
 * An edge crossing a row of pixels is a straight piece from xa to xb
 * (sorted) over a height dy of that row, with direction d = +-dy.  The
 * fraction of pixel i that lies right of the piece, averaged over its
 * height, is
 *
 *     F(i) = (Phi(i + 1 - xa) - Phi(i + 1 - xb)) / (xb - xa),
 *     Phi(u) = 0 (u < 0), u^2 / 2 (u < 1), u - 1/2 (otherwise),
 *
 * the integral of clamp(i + 1 - t, 0, 1) for t from xa to xb.  The edge adds
 * d * (F(i) - F(i - 1)) to cell i, so the running sum of a row gives
 * d * F(i) at every pixel: its exact signed coverage.  The cells an edge
 * touches in a row are floor(xa) .. floor(xb) + 1, hence the two spill
 * cells per row (x = w lands in cell w, its neighbour in w + 1).  Because
 * the sum is linear in the edges, polygons that share an edge (strokes and
 * their joins) leave no seam, and an edge run backwards cancels itself.
 *
 * Invariants: only rows in [y_lo, y_hi) hold non-zero cells; each row is
 * summed on its own, and its cells sum to zero once all edges of closed
 * polygons are in (each edge adds d in total, and a closed polygon's d
 * cancel), so nothing spills past the right edge.  Coordinates are clipped to the canvas (x to [0, w], y to
 * [0, h]) before any cell is touched, so no input reaches outside acc.
 */
#include "render_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* ---------------------------------------------------------------- memory */

void *render_big_alloc(size_t n)
{
    const size_t huge = (size_t)2 << 20;
    if (n < huge)
        return malloc(n ? n : 1);
    if (n > SIZE_MAX - huge)
        return NULL;
    size_t round = (n + huge - 1) & ~(huge - 1);
    void *p = aligned_alloc(huge, round);
    if (p)
        madvise(p, round, MADV_HUGEPAGE);
    return p;
}

/* ---------------------------------------------------------------- canvas */

static int side_ok(int w, int h)
{
    return w >= RENDER_MIN_SIDE && w <= RENDER_MAX_SIDE && h >= RENDER_MIN_SIDE &&
           h <= RENDER_MAX_SIDE;
}

int render_canvas_init(struct render_canvas *c, int width, int height, const uint8_t rgba[4],
                       struct err *e)
{
    memset(c, 0, sizeof *c);
    if (!side_ok(width, height))
        return err_set(e, "canvas %dx%d: each side must be %d to %d pixels", width, height,
                       RENDER_MIN_SIDE, RENDER_MAX_SIDE);
    size_t n = (size_t)width * (size_t)height;
    /* Plain malloc, not render_big_alloc(): the canvas is alive while the
     * drawing's arena is, at the peak, where rounding up to huge pages
     * would cost 2 MiB. */
    c->rgba = malloc(n * 4);
    if (!c->rgba)
        return err_set(e, "canvas %dx%d: out of memory", width, height);
    c->width = width;
    c->height = height;
    uint32_t px;
    memcpy(&px, rgba, 4);
    uint32_t *p = (uint32_t *)(void *)c->rgba;
    for (size_t i = 0; i < n; i++)
        p[i] = px;
    return 0;
}

void render_canvas_free(struct render_canvas *c)
{
    free(c->rgba);
    memset(c, 0, sizeof *c);
}

/* ------------------------------------------------------------ accumulate */

int render_cov_init(struct render_cov *c, int w, int h, struct err *e)
{
    memset(c, 0, sizeof *c);
    if (!side_ok(w, h))
        return err_set(e, "coverage buffer %dx%d: each side must be %d to %d pixels", w, h,
                       RENDER_MIN_SIDE, RENDER_MAX_SIDE);
    /* calloc: fresh pages arrive zeroed, without a pass over them. */
    c->acc = calloc((size_t)h * (size_t)(w + 2), sizeof *c->acc);
    if (!c->acc)
        return err_set(e, "coverage buffer %dx%d: out of memory", w, h);
    c->w = w;
    c->h = h;
    c->stride = w + 2;
    c->y_lo = h;
    c->y_hi = 0;
    return 0;
}

void render_cov_free(struct render_cov *c)
{
    free(c->acc);
    memset(c, 0, sizeof *c);
}

/* One row's piece of an edge: x from xa to xb (either order, already in
 * [0, w]) with signed height d. */
static void cov_row(float *row, double xa, double xb, double d)
{
    if (xa > xb) {
        double t = xa;
        xa = xb;
        xb = t;
    }
    int i0 = (int)xa, i1 = (int)xb;
    if (i0 == i1) {
        /* Within one column (the common case: steep edges, short ones):
         * the covered fraction is linear in x, so its mean is its value at
         * the middle. */
        double f = (double)i0 + 1 - 0.5 * (xa + xb);
        row[i0] += (float)(d * f);
        row[i0 + 1] += (float)(d * (1 - f));
        return;
    }
    /* F in closed form: Phi is quadratic only in the first cell (from xa)
     * and the last (to xb); between them F grows by 1 / (xb - xa). */
    double inv = 1 / (xb - xa);
    double a0 = (double)i0 + 1 - xa;
    double prev = 0.5 * a0 * a0 * inv;
    row[i0] += (float)(d * prev);
    for (int i = i0 + 1; i < i1; i++) {
        double f = ((double)i + 0.5 - xa) * inv;
        row[i] += (float)(d * (f - prev));
        prev = f;
    }
    double b1 = (double)i1 + 1 - xb;
    double f1 = ((double)i1 + 0.5 - xa - 0.5 * b1 * b1) * inv;
    row[i1] += (float)(d * (f1 - prev));
    row[i1 + 1] += (float)(d * (1 - f1));
}

static double clampd(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

void render_cov_line(struct render_cov *c, double x0, double y0, double x1, double y1,
                     float sign)
{
    if (!isfinite(x0) || !isfinite(y0) || !isfinite(x1) || !isfinite(y1) || y0 == y1)
        return;
    double dir = sign;
    if (y0 > y1) {
        double t = x0;
        x0 = x1;
        x1 = t;
        t = y0;
        y0 = y1;
        y1 = t;
        dir = -dir;
    }
    double h = c->h, w = c->w;
    if (y1 <= 0 || y0 >= h)
        return;
    double dxdy = (x1 - x0) / (y1 - y0);
    double ys = y0 < 0 ? 0 : y0, ye = y1 > h ? h : y1;
    int ya = (int)ys, yb = (int)ceil(ye);
    if (yb > c->h)
        yb = c->h;
    double x = x0 + (ys - y0) * dxdy;
    int clip = x0 < 0 || x1 < 0 || x0 > w || x1 > w;
    float *row = c->acc + (size_t)ya * (size_t)c->stride;
    for (int y = ya; y < yb; y++, row += c->stride) {
        double top = (double)y > ys ? (double)y : ys;
        double bot = (double)(y + 1) < ye ? (double)(y + 1) : ye;
        double dy = bot - top;
        if (dy <= 0)
            continue;
        double xn = x + dxdy * dy;
        if (clip)
            cov_row(row, clampd(x, 0, w), clampd(xn, 0, w), dir * dy);
        else
            cov_row(row, x, xn, dir * dy);
        x = xn;
    }
    if (ya < c->y_lo)
        c->y_lo = ya;
    if (yb > c->y_hi)
        c->y_hi = yb;
}

/* ---------------------------------------------------------------- resolve */

void render_cov_resolve(struct render_cov *c)
{
    for (int y = c->y_lo; y < c->y_hi; y++) {
        float *row = c->acc + (size_t)y * (size_t)c->stride;
        float s = 0;
        for (int x = 0; x < c->stride; x++) {
            s += row[x];
            float a = fabsf(s);
            row[x] = a > 1 ? 1 : a;
        }
    }
}

void render_cov_clear(struct render_cov *c)
{
    if (c->y_hi > c->y_lo)
        memset(c->acc + (size_t)c->y_lo * (size_t)c->stride, 0,
               (size_t)(c->y_hi - c->y_lo) * (size_t)c->stride * sizeof *c->acc);
    c->y_lo = c->h;
    c->y_hi = 0;
}

/* Straight-alpha "over" of colour col with opacity a onto pixel p. */
static void blend(uint8_t *p, const uint8_t col[4], float a)
{
    if (p[3] == 255) {
        for (int k = 0; k < 3; k++)
            p[k] = (uint8_t)((float)p[k] + ((float)col[k] - (float)p[k]) * a + 0.5f);
        return;
    }
    float da = (float)p[3] / 255.0f * (1 - a);
    float oa = a + da;
    if (oa <= 0)
        return;
    for (int k = 0; k < 3; k++)
        p[k] = (uint8_t)(((float)col[k] * a + (float)p[k] * da) / oa + 0.5f);
    p[3] = (uint8_t)(oa * 255.0f + 0.5f);
}

/* The first cell at or after x (below end) that is not +0.0, or end.
 * Cells an edge never touched hold +0.0 (all bits clear): they are skipped
 * eight bytes at a time. */
static int next_cell(const float *row, int x, int end)
{
    while (x < end && ((uintptr_t)(row + x) & 7u)) {
        uint32_t b;
        memcpy(&b, row + x, 4);
        if (b)
            return x;
        x++;
    }
    while (x + 2 <= end) {
        uint64_t b;
        memcpy(&b, row + x, 8);
        if (b)
            break;
        x += 2;
    }
    for (; x < end; x++) {
        uint32_t b;
        memcpy(&b, row + x, 4);
        if (b)
            return x;
    }
    return end;
}

/* The pixel c over opaque pixel d with weight k in 0..256, two channels
 * at a time in 16-bit lanes (255 * 256 fits): what blend() gives, to
 * within one level, without floating point. */
static inline uint32_t lerp_px(uint32_t d, uint32_t c, uint32_t k)
{
    uint32_t rb = (((c & 0xFF00FFu) * k + (d & 0xFF00FFu) * (256 - k)) >> 8) & 0xFF00FFu;
    uint32_t ag = (((c >> 8) & 0xFF00FFu) * k + ((d >> 8) & 0xFF00FFu) * (256 - k)) & 0xFF00FF00u;
    return rb | ag;
}

/* One layer's colour as it is painted. */
struct ink {
    const uint8_t *rgba;
    float alpha;   /* rgba[3] / 255 */
    uint32_t px;   /* the colour as a pixel */
    uint32_t over; /* the same, opaque: what lerp_px() mixes into an opaque pixel */
};

/* Pixels [x0, x1) of a row all covered by a (0..1, or above: clamped).
 * Over an opaque pixel the colour is mixed in by integers, and a full
 * opaque colour is simply stored (blend would round to it); a pixel with
 * some transparency left takes blend()'s straight-alpha "over". */
static void span(uint8_t *out, int x0, int x1, const struct ink *k, float a)
{
    if (a < 1.0f / 512)
        return;
    if (a > 1 - 1.0f / 1024 && k->rgba[3] == 255) {
        for (int x = x0; x < x1; x++)
            memcpy(out + (size_t)x * 4, &k->px, 4);
        return;
    }
    float f = (a > 1 ? 1 : a) * k->alpha;
    uint32_t w = (uint32_t)(f * 256 + 0.5f);
    for (int x = x0; x < x1; x++) {
        uint8_t *q = out + (size_t)x * 4;
        uint32_t d;
        if (q[3] != 255) {
            blend(q, k->rgba, f);
            continue;
        }
        memcpy(&d, q, 4);
        d = lerp_px(d, k->over, w);
        memcpy(q, &d, 4);
    }
}

void render_cov_paint(struct render_cov *c, struct render_canvas *cv, const uint8_t rgba[4])
{
    struct ink k = {rgba, (float)rgba[3] / 255.0f, 0, 0};
    const uint8_t opaque[4] = {rgba[0], rgba[1], rgba[2], 255};
    memcpy(&k.px, rgba, 4);
    memcpy(&k.over, opaque, 4);
    int w = c->w < cv->width ? c->w : cv->width;
    int yh = c->y_hi < cv->height ? c->y_hi : cv->height;
    for (int y = c->y_lo; y < yh; y++) {
        float *row = c->acc + (size_t)y * (size_t)c->stride;
        uint8_t *out = cv->rgba + (size_t)y * (size_t)cv->width * 4;
        /* Between the cells edges touched the running sum is constant:
         * paint those spans whole, and only the touched cells one by one
         * (clearing them on the way, which clears the row). */
        float s = 0;
        int x = 0;
        while (x < w) {
            int nx = next_cell(row, x, w);
            if (nx > x)
                span(out, x, nx, &k, fabsf(s));
            if (nx == w)
                break;
            s += row[nx];
            row[nx] = 0;
            span(out, nx, nx + 1, &k, fabsf(s));
            x = nx + 1;
        }
        row[w] = row[w + 1] = 0;
    }
    if (w < c->w || yh < c->y_hi) {
        render_cov_clear(c); /* a canvas smaller than the buffer left cells */
        return;
    }
    c->y_lo = c->h;
    c->y_hi = 0;
}
