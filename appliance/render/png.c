/*
 * png.c - a canvas as PNG, in memory or in a file.
 *
 * stb_image_write builds the PNG (rows, chunks, CRCs); its deflate is
 * replaced through its STBIW_ZLIB_COMPRESS hook by ours (deflate.c), made
 * for previews and several times faster than zlib's, and its CRC by
 * zlib's.  The implementation is compiled here, static, without stdio:
 * nothing of it is visible outside this file.  Its filter setting is
 * written once, under pthread_once, before any encode, so encoding is
 * thread-safe.  Memory: stb's filtered copy of the
 * image (one byte per channel plus one per row) and the compressed output,
 * both bounded by the canvas.
 */
#include "render_int.h"

#include <pthread.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* The row length of the image being encoded, for the hook: stb's hook
 * receives only the filtered bytes.  Thread-local, set by
 * render_png_encode() for the duration of one call. */
static _Thread_local int png_row_bytes;

/* stb's hook: data_len bytes in, a malloc'd zlib stream out (NULL on
 * failure, which stb turns into a failed encode). */
static unsigned char *png_deflate(unsigned char *data, int data_len, int *out_len, int quality)
{
    (void)quality;
    return render_deflate(data, data_len, out_len, png_row_bytes);
}

/* zlib's CRC-32 for the chunks: it runs several bytes at a time where
 * stb's own goes one byte per table look-up, which over a preview's
 * megabyte of compressed data cost more than a tenth of encoding. */
static unsigned int png_crc(const unsigned char *buf, int len)
{
    return (unsigned int)crc32(0L, buf, (uInt)len);
}

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#define STBI_WRITE_NO_STDIO
#define STBIW_ZLIB_COMPRESS png_deflate
#define STBIW_CRC32(buf, len) png_crc(buf, len)
#define STBIW_MALLOC(n) render_big_alloc(n)
#define STBIW_REALLOC(p, n) realloc(p, n)
#define STBIW_FREE(p) free(p)
/* The static build declares writers (HDR, BMP ...) this file never calls. */
#pragma GCC diagnostic ignored "-Wunused-function"
#include <stb_image_write.h>

/* Filter "none" on every row: deflate.c's two match distances find the
 * runs themselves, and stb's per-row choice (all five filters tried on
 * every row) would cost more than the compression. */
static pthread_once_t png_once = PTHREAD_ONCE_INIT;
static void png_setup(void)
{
    stbi_write_force_png_filter = 0;
}

int render_png_encode(const struct render_canvas *cv, unsigned char **png, size_t *len,
                      struct err *e)
{
    *png = NULL;
    *len = 0;
    if (!cv->rgba || cv->width < 1 || cv->height < 1)
        return err_set(e, "PNG: the canvas is empty");
    pthread_once(&png_once, png_setup);
    png_row_bytes = cv->width * 4 + 1;
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
