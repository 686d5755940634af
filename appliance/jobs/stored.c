/*
 * stored.c - reads a stored drawing back: DATA/files/<sha256>.dxf.gz (or
 * a plain file) inflated whole into memory, for a measure job and for a
 * quotation's drawings.
 *
 * Invariants: never more than max bytes once inflated, whatever the file
 * claims (a gzip bomb ends at the limit); the caller's tick runs after
 * each megabyte, so a job can report progress and stop between reads.
 */
#include "job.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#define READ_CHUNK (1u << 20)

int job_stored_read(const char *data_dir, const char *stored_path, const char *name,
                    int64_t size_hint, size_t max, int (*tick)(void *ctx, size_t done), void *ctx,
                    unsigned char **out, size_t *out_len, struct err *e)
{
    char path[4096];
    struct stat st;
    size_t cap, len = 0;
    *out = NULL;
    *out_len = 0;
    int k = snprintf(path, sizeof path, "%s/%s", data_dir, stored_path);
    if (k < 0 || (size_t)k >= sizeof path)
        return err_set(e, "the path %s/%s is too long", data_dir, stored_path);
    if (stat(path, &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return err_set(e, "the stored drawing %s is missing; upload %s again", stored_path,
                           name);
        return err_set(e, "cannot read the stored drawing %s: %s", stored_path, strerror(errno));
    }
    if (!S_ISREG(st.st_mode))
        return err_set(e, "the stored drawing %s is not a regular file", stored_path);
    gzFile g = gzopen(path, "rb");
    if (!g)
        return err_set(e, "cannot open the stored drawing %s: %s", stored_path,
                       errno ? strerror(errno) : "out of memory");
    gzbuffer(g, 128u << 10);
    /* The original size is known: one allocation when it is honest. */
    cap = size_hint > 0 && (uint64_t)size_hint <= max ? (size_t)size_hint + 1 : READ_CHUNK;
    unsigned char *buf = malloc(cap);
    if (!buf) {
        gzclose_r(g);
        return err_set(e, "out of memory reading %s", name);
    }
    int rc = 0;
    for (;;) {
        if (len == cap) {
            size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
            unsigned char *nb = ncap > cap ? realloc(buf, ncap) : NULL;
            if (!nb) {
                if (ncap <= cap)
                    rc = err_set(e, "%s is larger than %zu MB once uncompressed ([limits] upload_mb)",
                                 name, max >> 20);
                else
                    rc = err_set(e, "out of memory reading %s", name);
                break;
            }
            buf = nb;
            cap = ncap;
        }
        size_t want = cap - len < READ_CHUNK ? cap - len : READ_CHUNK;
        int got = gzread(g, buf + len, (unsigned)want);
        if (got < 0) {
            int zerr;
            const char *msg = gzerror(g, &zerr);
            rc = err_set(e, "the stored drawing %s is damaged: %s", stored_path,
                         zerr == Z_ERRNO ? strerror(errno) : msg);
            break;
        }
        if (got == 0)
            break;
        len += (size_t)got;
        if (len > max) {
            rc = err_set(e, "%s is larger than %zu MB once uncompressed ([limits] upload_mb)", name,
                         max >> 20);
            break;
        }
        if (tick && (rc = tick(ctx, len)) != 0)
            break;
    }
    gzclose_r(g);
    if (rc != 0) {
        free(buf);
        return rc;
    }
    *out = buf;
    *out_len = len;
    return 0;
}
