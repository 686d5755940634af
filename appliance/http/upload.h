/*
 * upload.h - private to appliance/http: a multipart/form-data request body
 * read as a stream, its files kept as the appliance keeps drawings.
 *
 * The body is never held in memory whole: it is read from the connection
 * in pieces, fed to our own streaming multipart parser (multipart.c; not
 * CivetWeb's mg_handle_form_request, which has open reports of an endless
 * loop, a stack overflow and an integer underflow), and each file part is
 * compressed into DATA/tmp/ while its SHA-256 is computed.  A file is
 * checked to look like a DXF (ASCII or binary) from its first bytes, and
 * once the whole body is read and accepted it is put in place as
 * DATA/files/<sha256>.dxf.gz (linked from its temporary file: a file of
 * that name kept as it is, which deduplicates by content).  Temporary
 * files are removed on every path; what a crash leaves in DATA/tmp is
 * swept at start (jobs/).
 *
 * Answers it sends itself (and returns), always after every temporary
 * file is gone, closing the connection rather than draining a body left
 * unread: 400 (not multipart, malformed or truncated body, a text field
 * too long, no file), 413 (the body is larger than [limits] upload_mb; the
 * message gives the limit), 415 (not multipart/form-data, or a file that
 * is not a DXF; the message names the file), 507 (the disk is full or
 * below [data] min_free_mb; nothing half-written stays), 503 (another
 * write failure, with what failed); and the refusal of the caller's check
 * (http_upload_read_checked).
 */
#ifndef DXFQ_HTTP_UPLOAD_H
#define DXFQ_HTTP_UPLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "http/internal.h"

/* One stored file of the body. */
struct http_upload_file {
    char *name;       /* the file name as sent, without any folder part, made
                       * safe for display (UTF-8, no control characters,
                       * 1..255 bytes; "drawing.dxf" when it had none) */
    char stored[96];  /* "files/<sha256>.dxf.gz", relative to the data dir */
    char sha256[65];  /* hex of the original bytes */
    int64_t size;     /* of the original file */
    int binary;       /* 1: binary DXF, 0: ASCII */
};

/* One text field of the body. */
struct http_upload_field {
    char *name, *value; /* value is NUL-terminated UTF-8 */
};

struct http_upload {
    struct http_upload_file *files;
    size_t nfiles;
    struct http_upload_field *fields;
    size_t nfields;
};

/* Reads r's multipart/form-data body: each part whose field name is
 * file_field ("file") is a file, stored as above; every other part is a
 * text field of at most 64 KB.  At most 100 files and 100 fields.  0 with
 * *out filled (the caller frees it with http_upload_free()), or the status
 * it sent. */
int http_upload_read(struct http_req *r, const char *file_field, struct http_upload *out);

/* A refusal by the caller's check (http_upload_read_checked): the answer
 * sent once the temporary files are gone. */
struct http_upload_refusal {
    int status;       /* 4xx or 5xx */
    const char *code; /* NULL: the generic one of status */
    char field[64];   /* "" when none */
    char msg[1024];
};

/* Looks at the fields (and files) of a body read whole, before any file
 * is put in place: 0 to store them; else fills *no and returns its
 * status.  Must not answer the request itself. */
typedef int (*http_upload_check)(void *ctx, const struct http_upload *u,
                                 struct http_upload_refusal *no);

/* As http_upload_read(), with check (NULL: none) run before the files are
 * stored, so that a request refused for its fields stores nothing. */
int http_upload_read_checked(struct http_req *r, const char *file_field, http_upload_check check,
                             void *ctx, struct http_upload *out);

/* Whether the first n bytes of a file (the whole file when complete)
 * look like a DXF: 2 binary (its sentinel), 1 ASCII (a group code line,
 * then a value line, after an optional BOM and blank space), 0 not; then
 * *what says what it looks like ("it looks like a PNG image"). */
int http_upload_sniff(const void *head, size_t n, int complete, const char **what);

/* The value of text field name (the first one when sent twice), or NULL. */
const char *http_upload_field_get(const struct http_upload *u, const char *name);

/* Frees what u holds (not the stored files) and zeroes it. */
void http_upload_free(struct http_upload *u);

#endif
