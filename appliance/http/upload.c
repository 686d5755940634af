/*
 * upload.c - a multipart/form-data body read as a stream and its files
 * stored as drawings (see upload.h for the answers it sends).
 *
 * The body is read in 64 KB pieces and fed to multipart.c.  Each file
 * part goes, as it arrives, through SHA-256 and gzip into a temporary file
 * DATA/tmp/upload-XXXXXX (mkstemp: O_EXCL, 0600); its first 512 bytes
 * decide whether it looks like a DXF, so a PNG is refused before it is
 * all read.  Only when the whole body has been read and checked (the
 * caller's check of the fields included: http_upload_read_checked) are the
 * files put in place: each temporary file is hard-linked as
 * DATA/files/<sha256>.dxf.gz (link() never replaces: a file stored before
 * with the same content is kept, which is the deduplication; renamed where
 * the file system has no hard links), unlinked,
 * and the folder is synced.  jobs/pipeline.c reads them back with gzopen.
 *
 * Invariants:
 *  1. Nothing half-written is ever under DATA/files: a stored file appears
 *     whole (written, fsync'd, then linked) or not at all.
 *  2. Every temporary file is removed before http_upload_read() returns,
 *     whatever happened; a crash leaves them in DATA/tmp, swept at start.
 *  3. The body is never buffered whole: memory is one 64 KB read buffer,
 *     one 64 KB compression buffer, zlib's state and the text fields
 *     (64 KB each at most).
 *  4. A body past the cap is refused without reading it (by its
 *     Content-Length) or as soon as the cap is passed (chunked or lying);
 *     whenever the body is left unread the connection is closed rather
 *     than drained, so no worker waits for bytes that may never come.
 *
 * A file stored whole for an upload that fails later (a second file on a
 * full disk) stays under DATA/files: it is complete, and another part may
 * already use it (deduplication), so it is not removed here.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <zlib.h>

#include "http/multipart.h"
#include "http/upload.h"

#define FIELD_MAX   (64u << 10) /* a text field's value */
#define MAX_FILES   100
#define MAX_FIELDS  100
#define READ_CHUNK  (64u << 10)
#define ZBUF        (64u << 10)
#define SNIFF_LEN   512
#define GZIP_LEVEL  3 /* DXF text shrinks ~5x already; higher levels cost CPU for little */
#define PATH_LEN    4096
#define STORED_FMT  "files/%s.dxf.gz"
#define NAME_MAX_B  255

static const char binary_sentinel[] = "AutoCAD Binary DXF\r\n\x1a"; /* then a NUL */
#define BINARY_SENTINEL_LEN 22

/* ------------------------------------------------------------- metrics */

static struct {
    struct metric *files, *bytes;
} M;

static void init_metrics(void)
{
    M.files = metric_counter("dxfquote_upload_files_total", "Drawings uploaded and stored.", NULL);
    M.bytes = metric_counter("dxfquote_upload_bytes_total",
                             "Bytes of drawings uploaded and stored (before compression).", NULL);
}

/* ------------------------------------------------------------ sniffing */

static int starts(const unsigned char *p, size_t n, const char *sig, size_t len)
{
    return n >= len && !memcmp(p, sig, len);
}

int http_upload_sniff(const void *head, size_t n, int complete, const char **what)
{
    const unsigned char *p = head, *e = p + n;
    *what = NULL;
    if (complete && n == 0) {
        *what = "the file is empty";
        return 0;
    }
    if (starts(p, n, binary_sentinel, BINARY_SENTINEL_LEN))
        return 2;
    static const struct {
        const char *sig;
        size_t len;
        const char *what;
    } known[] = {
        {"\x89PNG", 4, "it looks like a PNG image"},
        {"%PDF", 4, "it looks like a PDF document"},
        {"PK\x03\x04", 4, "it looks like a ZIP archive (or an Office document)"},
        {"GIF8", 4, "it looks like a GIF image"},
        {"\xff\xd8\xff", 3, "it looks like a JPEG image"},
        {"\x1f\x8b", 2, "it looks like a gzip-compressed file; upload it uncompressed"},
        {"AC10", 4, "it looks like a DWG drawing; export it as DXF first"},
        {"AC1.", 3, "it looks like a DWG drawing; export it as DXF first"},
        {"AutoCAD Binary DXF", 18, "it is a damaged binary DXF (its first line is cut)"},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (starts(p, n, known[i].sig, known[i].len)) {
            *what = known[i].what;
            return 0;
        }
    if (memchr(p, '\0', n)) {
        *what = "it holds binary data and is not a binary DXF";
        return 0;
    }
    /* ASCII: a group code line, then a value line, after a BOM and blank
     * space ("  0\r\nSECTION", "999\ncomment"). */
    if (starts(p, n, "\xef\xbb\xbf", 3))
        p += 3;
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    const char *notdxf = "it is text that does not start like a DXF (a group code line such as "
                         "\"0\", then a value line such as \"SECTION\")";
    if (p == e) {
        *what = complete ? "it holds only blank space" : notdxf;
        return 0;
    }
    long code = 0;
    int digits = 0;
    while (p < e && *p >= '0' && *p <= '9' && digits < 5) {
        code = code * 10 + (*p++ - '0');
        digits++;
    }
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    if (p < e && *p == '\r')
        p++;
    if (!digits || code > 1071 || p == e || *p != '\n') {
        *what = notdxf;
        return 0;
    }
    p++;
    if (p == e && complete) {
        *what = "it ends after its first line";
        return 0;
    }
    return 1;
}

/* ------------------------------------------------------------ file names */

/* The name a file is shown by: its last path segment (either slash),
 * valid UTF-8 (other bytes become '_'), without control, bidi-override or
 * BOM characters, at most 255 bytes, never empty, "." or "..".  Caller
 * frees. */
static char *display_name(const char *raw)
{
    const char *base = raw;
    for (const char *s = raw; *s; s++)
        if (*s == '/' || *s == '\\')
            base = s + 1;
    size_t n = strlen(base), k = 0;
    int valid = http_utf8_valid(base, n);
    char out[NAME_MAX_B + 4];
    for (size_t i = 0; i < n && k < NAME_MAX_B;) {
        const unsigned char *c = (const unsigned char *)base + i;
        size_t len = 1;
        if (!valid || c[0] < 0x80) {
            char ch = c[0] < 0x20 || c[0] == 0x7f ? 0 : c[0] >= 0x80 ? '_' : (char)c[0];
            if (ch)
                out[k++] = ch;
            i++;
            continue;
        }
        len = c[0] >= 0xf0 ? 4 : c[0] >= 0xe0 ? 3 : 2;
        int drop = (c[0] == 0xc2 && c[1] < 0xa0) ||                               /* C1 */
                   (c[0] == 0xe2 && c[1] == 0x80 && c[2] >= 0xaa && c[2] <= 0xae) || /* bidi */
                   (c[0] == 0xe2 && c[1] == 0x81 && c[2] >= 0xa6 && c[2] <= 0xa9) ||
                   (c[0] == 0xe2 && c[1] == 0x80 && (c[2] == 0x8e || c[2] == 0x8f)) ||
                   (c[0] == 0xef && c[1] == 0xbb && c[2] == 0xbf); /* BOM */
        if (!drop) {
            if (k + len > NAME_MAX_B)
                break;
            memcpy(out + k, c, len);
            k += len;
        }
        i += len;
    }
    out[k] = '\0';
    size_t a = 0;
    while (out[a] == ' ')
        a++;
    while (k > a && out[k - 1] == ' ')
        out[--k] = '\0';
    if (k == a || !strcmp(out + a, ".") || !strcmp(out + a, ".."))
        return xstrdup("drawing.dxf");
    return xstrdup(out + a);
}

/* --------------------------------------------------------------- state */

enum part_kind { PART_NONE, PART_FILE, PART_FIELD };

struct up {
    struct http_req *r;
    struct http_upload *out;
    const char *file_field;
    /* The answer to send once every temporary file is gone (a client told
     * of a failure must find nothing left): status 0 none. */
    int status;
    const char *code, *extra;
    char field[HTTP_MP_NAME_MAX];
    char msg[1024];
    char tmpdir[PATH_LEN - 128], filesdir[PATH_LEN - 128];
    char *tmps[MAX_FILES]; /* temporary file of out->files[i] */

    /* The part being read. */
    enum part_kind kind;
    int fd;
    char path[PATH_LEN]; /* its temporary file; "" none */
    z_stream z;
    int z_live;
    struct store_sha256 sha;
    int64_t size;
    unsigned char head[SNIFF_LEN];
    size_t nhead;
    int sniffed, binary;
    char *name;           /* file: display name; field: field name */
    char *val;            /* field value */
    size_t nval, capval;
    unsigned char zout[ZBUF];
};

/* Records the error answer (see struct up); returns status. */
static int up_fail(struct up *u, int status, const char *code, const char *field,
                   const char *extra, const char *fmt, ...) CORE_PRINTF(6, 7);
static int up_fail(struct up *u, int status, const char *code, const char *field,
                   const char *extra, const char *fmt, ...)
{
    va_list ap;
    if (u->status)
        return u->status; /* the first failure is the one to tell */
    va_start(ap, fmt);
    vsnprintf(u->msg, sizeof u->msg, fmt, ap);
    va_end(ap);
    u->status = status;
    u->code = code;
    u->extra = extra;
    snprintf(u->field, sizeof u->field, "%s", field ? field : "");
    return status;
}

/* The answer to a failed write of what, with errno err: 507 when the disk
 * is full, else 503. */
static int io_fail(struct up *u, const char *what, int err)
{
    char q[300];
    log_error("upload not stored", "what=%s errno=%d error=\"%s\"", log_q(q, sizeof q, what), err,
              strerror(err));
    if (err == ENOSPC || err == EDQUOT)
        return up_fail(u, 507, "insufficient_storage", NULL, NULL,
                                            "the disk of the data folder is full (%s): nothing "
                                            "was stored; free disk space, then upload again",
                                            what);
    return up_fail(u, 503, NULL, NULL, "Retry-After: 5\r\n",
                                        "the upload could not be stored (%s: %s); nothing was "
                                        "stored; try again shortly",
                                        what, strerror(err));
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? errno : EIO;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Runs deflate on what z holds with flush (Z_NO_FLUSH: until the input
 * is taken; Z_FINISH: until the stream ends), writing full buffers out. */
static int deflate_out(struct up *u, int flush)
{
    for (;;) {
        int rc = deflate(&u->z, flush);
        if (rc == Z_STREAM_ERROR)
            return io_fail(u, "compressing the drawing", EIO);
        size_t have = ZBUF - u->z.avail_out;
        if (have == ZBUF || (flush == Z_FINISH && have)) {
            int err = write_all(u->fd, u->zout, have);
            if (err)
                return io_fail(u, "writing a temporary file", err);
            u->z.next_out = u->zout;
            u->z.avail_out = ZBUF;
        }
        if (flush == Z_FINISH ? rc == Z_STREAM_END : u->z.avail_in == 0)
            return 0;
    }
}

/* Ends the current part's resources; removes its temporary file unless
 * keep. */
static void part_close(struct up *u, int keep)
{
    if (u->fd >= 0)
        close(u->fd);
    u->fd = -1;
    if (u->z_live)
        deflateEnd(&u->z);
    u->z_live = 0;
    if (u->path[0] && !keep)
        unlink(u->path);
    u->path[0] = '\0';
    free(u->name);
    free(u->val);
    u->name = u->val = NULL;
    u->nval = u->capval = 0;
    u->kind = PART_NONE;
}

static int sniff(struct up *u, int complete)
{
    const char *what;
    int kind = http_upload_sniff(u->head, u->nhead, complete, &what);
    u->sniffed = 1;
    if (kind == 0) {
        up_fail(u, 415, NULL, "file", NULL,
                                     "%s is not a DXF drawing: %s. Upload drawings as DXF files "
                                     "(ASCII or binary)",
                                     u->name, what);
        return -1;
    }
    u->binary = kind == 2;
    return 0;
}

/* ------------------------------------------------------------ callbacks */

static int on_begin(void *ctx, const struct http_mp_part *p)
{
    struct up *u = ctx;
    struct http_upload *o = u->out;
    if (strcmp(p->name, u->file_field) != 0) {
        if (o->nfields == MAX_FIELDS) {
            up_fail(u, 400, NULL, p->name, NULL,
                                         "the upload has more than %d text fields", MAX_FIELDS);
            return -1;
        }
        u->kind = PART_FIELD;
        u->name = xstrdup(p->name);
        return 0;
    }
    u->name = display_name(p->has_filename ? p->filename : "");
    u->kind = PART_FILE;
    if (o->nfiles == MAX_FILES) {
        up_fail(u, 400, NULL, u->file_field, NULL,
                                     "an upload holds at most %d files; send the rest in "
                                     "another upload",
                                     MAX_FILES);
        return -1;
    }
    snprintf(u->path, sizeof u->path, "%s/upload-XXXXXX", u->tmpdir);
    u->fd = mkstemp(u->path);
    if (u->fd < 0) {
        int err = errno;
        u->path[0] = '\0';
        io_fail(u, "creating a temporary file in the data folder's tmp", err);
        return -1;
    }
    memset(&u->z, 0, sizeof u->z);
    if (deflateInit2(&u->z, GZIP_LEVEL, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        io_fail(u, "starting compression", ENOMEM);
        return -1;
    }
    u->z_live = 1;
    u->z.next_out = u->zout;
    u->z.avail_out = ZBUF;
    store_sha256_init(&u->sha);
    u->size = 0;
    u->nhead = 0;
    u->sniffed = u->binary = 0;
    return 0;
}

static int on_data(void *ctx, const void *data, size_t n)
{
    struct up *u = ctx;
    if (u->kind == PART_FIELD) {
        if (n > FIELD_MAX - u->nval) {
            up_fail(u, 400, "invalid", u->name, NULL,
                                         "the field %s is longer than %u KB", u->name,
                                         FIELD_MAX >> 10);
            return -1;
        }
        if (u->nval + n + 1 > u->capval) {
            u->capval = u->nval + n + 1 > 256 ? (u->nval + n + 1) * 2 : 256;
            if (u->capval > FIELD_MAX + 1)
                u->capval = FIELD_MAX + 1;
            u->val = xrealloc(u->val, u->capval);
        }
        memcpy(u->val + u->nval, data, n);
        u->nval += n;
        return 0;
    }
    if (!u->sniffed) {
        size_t k = n < SNIFF_LEN - u->nhead ? n : SNIFF_LEN - u->nhead;
        memcpy(u->head + u->nhead, data, k);
        u->nhead += k;
        if (u->nhead == SNIFF_LEN && sniff(u, 0) != 0)
            return -1;
    }
    u->size += (int64_t)n;
    store_sha256_update(&u->sha, data, n);
    u->z.next_in = (Bytef *)(uintptr_t)data;
    u->z.avail_in = (uInt)n;
    return deflate_out(u, Z_NO_FLUSH) ? -1 : 0;
}

static int on_end(void *ctx)
{
    struct up *u = ctx;
    struct http_upload *o = u->out;
    if (u->kind == PART_FIELD) {
        if (!http_utf8_valid(u->val ? u->val : "", u->nval)) {
            up_fail(u, 400, "invalid", u->name, NULL,
                                         "the field %s is not valid UTF-8 text (or holds a NUL "
                                         "byte)",
                                         u->name);
            return -1;
        }
        o->fields = xrealloc(o->fields, (o->nfields + 1) * sizeof *o->fields);
        o->fields[o->nfields].name = u->name;
        o->fields[o->nfields].value = u->val ? u->val : xstrdup("");
        if (u->val)
            u->val[u->nval] = '\0';
        o->nfields++;
        u->name = u->val = NULL;
        part_close(u, 0);
        return 0;
    }
    if (!u->sniffed && sniff(u, 1) != 0)
        return -1;
    u->z.next_in = NULL;
    u->z.avail_in = 0;
    if (deflate_out(u, Z_FINISH) != 0)
        return -1;
    /* Synced now so that the link made later names whole data. */
    if (fsync(u->fd) != 0) {
        io_fail(u, "syncing a temporary file", errno);
        return -1;
    }
    int fd = u->fd;
    u->fd = -1;
    if (close(fd) != 0) {
        io_fail(u, "closing a temporary file", errno);
        return -1;
    }
    unsigned char digest[STORE_SHA256_LEN];
    store_sha256_final(&u->sha, digest);
    o->files = xrealloc(o->files, (o->nfiles + 1) * sizeof *o->files);
    struct http_upload_file *f = &o->files[o->nfiles];
    memset(f, 0, sizeof *f);
    for (int i = 0; i < STORE_SHA256_LEN; i++)
        snprintf(f->sha256 + 2 * i, 3, "%02x", digest[i]);
    snprintf(f->stored, sizeof f->stored, STORED_FMT, f->sha256);
    f->size = u->size;
    f->binary = u->binary;
    f->name = u->name;
    u->name = NULL;
    u->tmps[o->nfiles] = xstrdup(u->path);
    o->nfiles++;
    part_close(u, 1);
    return 0;
}

/* -------------------------------------------------------------- reading */

static int mkdir_in(struct up *u, const char *dir)
{
    if (mkdir(dir, 0700) == 0 || errno == EEXIST)
        return 0;
    io_fail(u, "creating a folder in the data folder", errno);
    return -1;
}

/* Puts each temporary file in place as DATA/files/<sha>.dxf.gz. */
static int commit(struct up *u)
{
    char target[PATH_LEN + 100];
    for (size_t i = 0; i < u->out->nfiles; i++) {
        snprintf(target, sizeof target, "%s/%s.dxf.gz", u->filesdir, u->out->files[i].sha256);
        /* A file system without hard links: rename, which may replace a
         * file of the same name, hence of the same content. */
        if (link(u->tmps[i], target) != 0 && errno != EEXIST &&
            ((errno != EPERM && errno != ENOTSUP && errno != EOPNOTSUPP) ||
             rename(u->tmps[i], target) != 0))
            return io_fail(u, "storing a drawing", errno);
    }
    int dfd = open(u->filesdir, O_RDONLY | O_DIRECTORY);
    if (dfd < 0 || fsync(dfd) != 0) {
        int err = errno;
        if (dfd >= 0)
            close(dfd);
        return io_fail(u, "syncing the files folder", err);
    }
    close(dfd);
    return 0;
}

/* 507 when free space is below [data] min_free_mb plus what is declared. */
static int check_space(struct up *u, long long declared)
{
    struct statvfs sv;
    struct http_server *srv = u->r->srv;
    if (statvfs(srv->data_dir, &sv) != 0)
        return io_fail(u, "checking free disk space", errno);
    long long avail = (long long)sv.f_bavail * (long long)sv.f_frsize;
    long long need = (long long)srv->min_free_bytes + (declared > 0 ? declared : 0);
    if (avail < need)
        return up_fail(
                   u, 507, "insufficient_storage", NULL, NULL,
                   "the data folder has %lld MB free and keeps %lld MB free ([data] "
                   "min_free_mb), so this upload cannot be stored; free disk space, then "
                   "upload again",
                   avail >> 20, (long long)(srv->min_free_bytes >> 20));
    return 0;
}

static int too_large(struct up *u, long long declared)
{
    long long mb = (long long)(u->r->srv->upload_max >> 20);
    if (declared >= 0)
        return up_fail(u, 413, NULL, NULL, NULL,
                                "the upload is %lld bytes; at most %lld MB ([limits] upload_mb) "
                                "are accepted: send fewer or smaller files",
                                declared, mb);
    return up_fail(u, 413, NULL, NULL, NULL,
                            "the upload is larger than %lld MB ([limits] upload_mb): send fewer "
                            "or smaller files",
                            mb);
}

static int read_body(struct up *u, struct http_mp *mp)
{
    struct http_req *r = u->r;
    long long declared = r->ri ? r->ri->content_length : -1;
    long long total = 0;
    int rc;
    char *buf = xmalloc(READ_CHUNK);
    for (;;) {
        int got = mg_read(r->conn, buf, READ_CHUNK);
        if (got < 0) {
            free(buf);
            if (declared >= 0)
                return up_fail(u, 400, NULL, NULL, NULL,
                                        "the upload ended after %lld of its %lld bytes (truncated: "
                                        "the connection closed or was too slow)",
                                        total, declared);
            return up_fail(u, 400, NULL, NULL, NULL,
                                    "the upload ended after %lld bytes (truncated: the connection "
                                    "closed or was too slow)",
                                    total);
        }
        if (got == 0)
            break;
        total += got;
        if (total > r->srv->upload_max) {
            free(buf);
            return too_large(u, -1);
        }
        if ((rc = http_mp_feed(mp, buf, (size_t)got)) != 0) {
            free(buf);
            return up_fail(u, 400, NULL, NULL, NULL,
                                    "the upload is not a well-formed multipart/form-data body: "
                                    "%s (near byte %llu)",
                                    http_mp_error(rc), mp->err_at);
        }
        if (declared >= 0 && total >= declared)
            break;
    }
    free(buf);
    if (declared >= 0 && total < declared)
        return up_fail(u, 400, NULL, NULL, NULL,
                                "the upload ended after %lld of its %lld bytes (truncated)",
                                total, declared);
    if ((rc = http_mp_finish(mp)) != 0)
        return up_fail(u, 400, NULL, NULL, NULL,
                                "the upload is not a well-formed multipart/form-data body: %s",
                                http_mp_error(rc));
    return 0;
}

int http_upload_read_checked(struct http_req *r, const char *file_field, http_upload_check check,
                             void *ctx, struct http_upload *out)
{
    static const struct http_mp_callbacks cb = {on_begin, on_data, on_end};
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    char boundary[HTTP_MP_BOUNDARY_MAX + 1];
    long long declared = r->ri ? r->ri->content_length : -1;
    struct http_upload_refusal no;
    memset(&no, 0, sizeof no);
    memset(out, 0, sizeof *out);
    pthread_once(&once, init_metrics);

    struct up *u = xcalloc(1, sizeof *u);
    struct http_mp *mp = xmalloc(sizeof *mp);
    u->r = r;
    u->out = out;
    u->file_field = file_field;
    u->fd = -1;
    snprintf(u->tmpdir, sizeof u->tmpdir, "%s/tmp", r->srv->data_dir);
    snprintf(u->filesdir, sizeof u->filesdir, "%s/files", r->srv->data_dir);

    int b = http_mp_boundary(http_header(r, "Content-Type"), boundary);
    if (b == -1)
        up_fail(u, 415, NULL, NULL, NULL,
                "send the drawings as multipart/form-data (a form with file fields named %s)",
                file_field);
    else if (b != 0)
        up_fail(u, 400, NULL, NULL, NULL,
                "the multipart/form-data Content-Type needs a boundary parameter of 1 to 70 "
                "characters");
    else if (declared > r->srv->upload_max)
        too_large(u, declared);
    else if (check_space(u, declared) == 0 && mkdir_in(u, u->tmpdir) == 0 &&
             mkdir_in(u, u->filesdir) == 0) {
        http_mp_init(mp, boundary, &cb, u);
        if (read_body(u, mp) == 0) {
            if (out->nfiles == 0)
                up_fail(u, 400, NULL, file_field, NULL,
                        "the upload holds no file: send each drawing in a field named %s",
                        file_field);
            else if (check && check(ctx, out, &no) != 0)
                up_fail(u, no.status ? no.status : 400, no.code, no.field[0] ? no.field : NULL,
                        NULL, "%s", no.msg);
            else
                commit(u);
        }
    }

    /* Every temporary file goes before the client hears anything. */
    part_close(u, 0);
    for (size_t i = 0; i < MAX_FILES; i++) {
        if (u->tmps[i])
            unlink(u->tmps[i]);
        free(u->tmps[i]);
    }
    int st = u->status;
    if (st != 0) {
        /* The body may be left unread: close rather than drain it. */
        mg_disable_keep_alive(r->conn);
        http_upload_free(out);
        http_reply_error(r, st, u->code, u->field[0] ? u->field : NULL, u->extra, "%s", u->msg);
    } else {
        int64_t bytes = 0;
        for (size_t i = 0; i < out->nfiles; i++)
            bytes += out->files[i].size;
        metric_add(M.files, NULL, (double)out->nfiles);
        metric_add(M.bytes, NULL, (double)bytes);
    }
    free(mp);
    free(u);
    return st;
}

int http_upload_read(struct http_req *r, const char *file_field, struct http_upload *out)
{
    return http_upload_read_checked(r, file_field, NULL, NULL, out);
}

const char *http_upload_field_get(const struct http_upload *u, const char *name)
{
    for (size_t i = 0; i < u->nfields; i++)
        if (!strcmp(u->fields[i].name, name))
            return u->fields[i].value;
    return NULL;
}

void http_upload_free(struct http_upload *u)
{
    for (size_t i = 0; i < u->nfiles; i++)
        free(u->files[i].name);
    for (size_t i = 0; i < u->nfields; i++) {
        free(u->fields[i].name);
        free(u->fields[i].value);
    }
    free(u->files);
    free(u->fields);
    memset(u, 0, sizeof *u);
}
