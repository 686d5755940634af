/*
 * png.c - a canvas as PNG, in memory or in a file.
 *
 * stb_image_write builds the PNG (filters per row, chunks, CRCs); its
 * deflate is replaced through its STBIW_ZLIB_COMPRESS hook by zlib's at
 * level 1, several times faster on previews (large flat areas) and smaller.
 * The implementation is compiled here, static, without stdio: nothing of
 * it is visible outside this file, and its two tuning globals are never
 * written, so encoding is thread-safe.  Memory: stb's filtered copy of the
 * image (one byte per channel plus one per row) and the compressed output,
 * both bounded by the canvas.
 */
#include "render.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* stb's hook: data_len bytes in, a malloc'd zlib stream out (NULL on
 * failure, which stb turns into a failed encode). */
static unsigned char *png_deflate(unsigned char *data, int data_len, int *out_len, int quality)
{
    (void)quality;
    uLong cap = compressBound((uLong)data_len);
    unsigned char *out = malloc(cap);
    if (!out)
        return NULL;
    uLongf n = cap;
    if (compress2(out, &n, data, (uLong)data_len, Z_BEST_SPEED) != Z_OK || n > INT_MAX) {
        free(out);
        return NULL;
    }
    *out_len = (int)n;
    return out;
}

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#define STBI_WRITE_NO_STDIO
#define STBIW_ZLIB_COMPRESS png_deflate
/* The static build declares writers (HDR, BMP ...) this file never calls. */
#pragma GCC diagnostic ignored "-Wunused-function"
#include <stb_image_write.h>

int render_png_encode(const struct render_canvas *cv, unsigned char **png, size_t *len,
                      struct err *e)
{
    *png = NULL;
    *len = 0;
    if (!cv->rgba || cv->width < 1 || cv->height < 1)
        return err_set(e, "PNG: the canvas is empty");
    int n = 0;
    unsigned char *out = stbi_write_png_to_mem(cv->rgba, cv->width * 4, cv->width, cv->height,
                                               4, &n);
    if (!out || n <= 0) {
        free(out);
        return err_set(e, "PNG %dx%d: out of memory while encoding", cv->width, cv->height);
    }
    *png = out;
    *len = (size_t)n;
    return 0;
}

int render_png(const struct geom_curve *c, const struct geom_report *r,
               const struct geom_warnings *w, const struct render_opts *o, unsigned char **png,
               size_t *len, struct err *e)
{
    struct render_canvas cv;
    *png = NULL;
    *len = 0;
    if (render_canvas(c, r, w, o, &cv, e) != 0)
        return -1;
    int rc = render_png_encode(&cv, png, len, e);
    render_canvas_free(&cv);
    return rc;
}

int render_write_file(const char *path, const unsigned char *data, size_t len, struct err *e)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return err_set(e, "%s: cannot create: %s", path, strerror(errno));
    size_t done = 0;
    while (done < len) {
        ssize_t k = write(fd, data + done, len - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            int er = k < 0 ? errno : ENOSPC;
            close(fd);
            return err_set(e, "%s: cannot write: %s", path, strerror(er));
        }
        done += (size_t)k;
    }
    if (close(fd) != 0)
        return err_set(e, "%s: cannot write: %s", path, strerror(errno));
    return 0;
}
