/*
 * multipart.h - private to appliance/http: a streaming multipart/form-data
 * parser (RFC 7578 on RFC 2046), pushed any pieces of a body.
 *
 * It depends on libc alone (the fuzz target compiles multipart.c by
 * itself).  One struct http_mp holds all its state in fixed buffers: no
 * allocation, no recursion, each input byte looked at a bounded number of
 * times (linear time).  See multipart.c for the grammar it accepts.
 *
 *     struct http_mp m;
 *     http_mp_init(&m, boundary, &callbacks, ctx);
 *     while (read a piece) if ((rc = http_mp_feed(&m, buf, n)) != 0) fail;
 *     if ((rc = http_mp_finish(&m)) != 0) fail;  -- truncated body
 */
#ifndef DXFQ_HTTP_MULTIPART_H
#define DXFQ_HTTP_MULTIPART_H

#include <stddef.h>

#define HTTP_MP_BOUNDARY_MAX 70   /* RFC 2046 section 5.1.1 */
#define HTTP_MP_LINE_MAX     2048 /* one header line, CRLF excluded */
#define HTTP_MP_HEADERS_MAX  8192 /* all header lines of one part */
#define HTTP_MP_HEADER_COUNT 16   /* header lines of one part */
#define HTTP_MP_NAME_MAX     256  /* field name, NUL included */
#define HTTP_MP_FILENAME_MAX 1024 /* file name as sent, NUL included */
#define HTTP_MP_TYPE_MAX     128  /* Content-Type of a part, NUL included */

/* Error codes: 0 is success; each has a sentence (http_mp_error()). */
enum http_mp_err {
    HTTP_MP_OK = 0,
    HTTP_MP_E_DELIMITER,   /* a boundary line followed by something else */
    HTTP_MP_E_LINE,        /* a header line without ':', or a lone CR or LF */
    HTTP_MP_E_TOO_LARGE,   /* a header line, the headers, or their count past the limits */
    HTTP_MP_E_DISPOSITION, /* no Content-Disposition form-data with a name */
    HTTP_MP_E_TRUNCATED,   /* the body ended before the closing boundary */
    HTTP_MP_E_ABORTED,     /* a callback returned nonzero */
};

/* The headers of one part, as the part_begin callback sees them. */
struct http_mp_part {
    char name[HTTP_MP_NAME_MAX];         /* Content-Disposition name (non-empty) */
    char filename[HTTP_MP_FILENAME_MAX]; /* filename* (UTF-8) or filename, as sent */
    int has_filename;                    /* 1 when either was present (maybe empty) */
    char content_type[HTTP_MP_TYPE_MAX]; /* "" when absent */
};

/* Each returns 0 to go on; nonzero stops the parser (HTTP_MP_E_ABORTED).
 * part_data gets a part's content in pieces of any size (zero-length
 * never); part_end follows the last piece of a part.  part_end is not
 * called for a part cut short by an error. */
struct http_mp_callbacks {
    int (*part_begin)(void *ctx, const struct http_mp_part *part);
    int (*part_data)(void *ctx, const void *data, size_t n);
    int (*part_end)(void *ctx);
};

struct http_mp {
    const struct http_mp_callbacks *cb;
    void *ctx;
    int state;
    int err;           /* sticky: once set, feed and finish return it */
    char delim[4 + HTTP_MP_BOUNDARY_MAX + 1]; /* "\r\n--" boundary */
    size_t dlen;
    size_t match;      /* delim bytes matched and held back */
    unsigned long long offset; /* body bytes consumed, for messages */
    unsigned long long err_at; /* offset where err was found */
    size_t nparts;     /* parts begun */
    size_t nline;      /* bytes in line */
    size_t nheaders, header_bytes;
    int saw_disposition;
    struct http_mp_part part;
    char line[HTTP_MP_LINE_MAX + 1];
};

/* The boundary parameter of a Content-Type value that is
 * multipart/form-data (type and parameter names without regard to case;
 * the value may be quoted), copied into out (HTTP_MP_BOUNDARY_MAX + 1
 * bytes).  0; -1 when the type is not multipart/form-data; -2 when the
 * boundary is missing, empty, longer than 70 or holds a character RFC 2046
 * does not allow (bchars). */
int http_mp_boundary(const char *content_type, char *out);

/* Readies m for a body with boundary (as http_mp_boundary() gave it). */
void http_mp_init(struct http_mp *m, const char *boundary, const struct http_mp_callbacks *cb,
                  void *ctx);

/* Parses the next n bytes of the body.  0, or an http_mp_err (then the
 * parser stays failed).  Bytes after the closing boundary (the epilogue)
 * are ignored. */
int http_mp_feed(struct http_mp *m, const void *data, size_t n);

/* The body has ended: 0 when the closing boundary was seen, else
 * HTTP_MP_E_TRUNCATED (or the error already met). */
int http_mp_finish(struct http_mp *m);

/* 1 once the closing boundary was seen. */
int http_mp_done(const struct http_mp *m);

/* A sentence for an error code. */
const char *http_mp_error(int err);

#endif
