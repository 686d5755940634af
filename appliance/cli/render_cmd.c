/*
 * render_cmd.c - `dxfquote render FILE.dxf OUT.png [--size WxH] [--thumbnail]`.
 *
 * Reads and measures one drawing exactly as inspect and the server do
 * (job_measure_file, jobs/job.h: limits and tolerances from the
 * configuration) and writes its preview as PNG.  The size is the detail
 * view's ([render] detail_width x detail_height), the thumbnail's with
 * --thumbnail, or --size WxH (each side 16 to 8192).  The part's size in
 * mm is written under the drawing when the canvas is at least 320 x 240.
 * One line on stdout says what was written and how long reading,
 * measuring and drawing took.  Exit 0 when the PNG was written, 1 when the
 * drawing cannot be read or measured or the file cannot be written (one
 * line on stderr says why), 2 for bad usage.
 */
#include "args.h"
#include "jobs/job.h"
#include "render/render.h"

#include <stdlib.h>
#include <string.h>

/* "WxH" with both sides in range; 0 or -1. */
static int parse_size(const char *s, int *w, int *h)
{
    char *end;
    long a = strtol(s, &end, 10);
    if (end == s || (*end != 'x' && *end != 'X'))
        return -1;
    const char *p = end + 1;
    long b = strtol(p, &end, 10);
    if (end == p || *end)
        return -1;
    if (a < RENDER_MIN_SIDE || a > RENDER_MAX_SIDE || b < RENDER_MIN_SIDE || b > RENDER_MAX_SIDE)
        return -1;
    *w = (int)a;
    *h = (int)b;
    return 0;
}

int cli_render(int argc, char **argv)
{
    static const struct args_spec opts[] = {
        {"--config", 1}, {"--size", 1}, {"--thumbnail", 0}, {"--units", 1}, {NULL, 0}};
    struct args a;
    struct cfg *c;
    struct err e;
    int rc, w = 0, h = 0;

    if (args_parse(&a, argc, argv, opts, "render") != 0)
        return 2;
    if (a.npos != 2)
        return cli_fail(2, "render: expected FILE.dxf OUT.png");
    const char *size = args_get(&a, "--size");
    if (size && args_get(&a, "--thumbnail"))
        return cli_fail(2, "render: give --size or --thumbnail, not both");
    if (size && parse_size(size, &w, &h) != 0)
        return cli_fail(2, "render: --size must be WIDTHxHEIGHT in pixels, each %d to %d, not '%s'",
                        RENDER_MIN_SIDE, RENDER_MAX_SIDE, size);
    const char *units = args_get(&a, "--units");
    if (units && dxf_unit_mm(units) <= 0)
        return cli_fail(2, "render: --units must be mm, cm, m, inch or ft, not '%s'", units);
    if ((rc = args_config(&a, &c)) != 0)
        return rc;
    if (!size) {
        int thumb = args_get(&a, "--thumbnail") != NULL;
        w = (int)cfg_int(c, thumb ? CFG_RENDER_THUMBNAIL_WIDTH : CFG_RENDER_DETAIL_WIDTH);
        h = (int)cfg_int(c, thumb ? CFG_RENDER_THUMBNAIL_HEIGHT : CFG_RENDER_DETAIL_HEIGHT);
    }

    struct arena *ar = arena_new((size_t)cfg_int(c, CFG_LIMITS_MEMORY_MB) << 20);
    struct job_measured in;
    unsigned char *png = NULL;
    size_t len = 0;
    const char *path = a.pos[0], *out = a.pos[1];

    if (job_measure_file(c, path, units, 0, ar, &in, &e) != 0) {
        rc = cli_fail(1, "%s", e.msg);
        goto done;
    }
    double t1 = core_now();
    struct render_opts ro = render_opts_size(w, h);
    ro.label = w >= 320 && h >= 240;
    struct render_canvas cv;
    if (render_canvas(in.d.curves, &in.r, &in.d.warnings, &ro, &cv, &e) != 0) {
        rc = cli_fail(1, "%s: %s", path, e.msg);
        goto done;
    }
    /* The drawing is no longer needed: let its memory go before the PNG
     * encoder takes its own (and out of the timed preview). */
    double read_ms = in.d.read_ms + in.d.parse_ms, analyse_ms = in.analyse_ms;
    double drawn = core_now();
    arena_free(ar);
    ar = NULL;
    double freed = core_now();
    int enc = render_png_encode(&cv, &png, &len, &e);
    render_canvas_free(&cv);
    if (enc != 0) {
        rc = cli_fail(1, "%s: %s", path, e.msg);
        goto done;
    }
    double t2 = core_now() - (freed - drawn);
    if (render_write_file(out, png, len, &e) != 0) {
        rc = cli_fail(1, "%s", e.msg);
        goto done;
    }
    printf("%s: %dx%d, %zu bytes; read %.1f ms, analyse %.1f ms, render %.1f ms\n", out, w, h, len,
           read_ms, analyse_ms, (t2 - t1) * 1000);
    rc = fflush(stdout) == 0 ? 0 : cli_fail(1, "cannot write to standard output");
done:
    free(png);
    arena_free(ar);
    cfg_free(c);
    return rc;
}
