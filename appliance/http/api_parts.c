/*
 * api_parts.c - one part of a quote: what it is (its figures, price,
 * previews and latest job), what it is priced with, its previews and its
 * original drawing.
 *
 * Routes (HTTP_ROLE_SALES): GET, PATCH, DELETE /api/parts/{id};
 * GET /api/parts/{id}/preview.png?size=thumb|detail;
 * GET /api/parts/{id}/file; POST /api/parts/{id}/measure.
 *
 * PATCH takes any of material, thickness_mm, qty, options, checks them
 * against the catalog (the message lists what it has), stores them and
 * submits a price job, which prices again from the stored figures without
 * reading the drawing; the request waits for it up to PATCH_WAIT_S and
 * answers 200 with the part priced, or 202 while the job still runs (the
 * part was being measured, or the workers are busy: follow the job).  A
 * PATCH while the part is being measured is never lost: the price job
 * queues behind the measure job (job system invariant 2) and prices with
 * the new order.
 *
 * Invariants:
 *  1. A part changes (PATCH, DELETE, measure) only while its quote is a
 *     draft: else 409, and the message says to revise the quote.
 *  2. Files are opened only from paths the database holds, relative to
 *     the data folder, and only when they look like what the pipeline and
 *     the upload write (rel_ok: no "..", no absolute path, a short set of
 *     characters), with O_NOFOLLOW; no part of the request names a file.
 *  3. A deleted part leaves no file behind: its jobs are cancelled and
 *     waited for (so no preview is published after), then its previews go,
 *     and its stored drawing when no other part uses it (store_part_delete
 *     says so).
 *  4. The original drawing is inflated while it is sent, 64 KiB at a time:
 *     a 50 MB drawing never sits in memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "http/internal.h"

#define PART_BODY_MAX   16384
#define PATCH_WAIT_S    5.0
#define DELETE_WAIT_S   5.0
#define MATERIAL_MAX    100
#define THICKNESS_MAX   1000.0
#define QTY_MAX         1000000
#define OPEN_JOBS_MAX   16
#define PART_ARENA      (4u << 20)
#define SEND_CHUNK      (64u << 10)

/* ------------------------------------------------------------ helpers */

/* Invariant 2: a relative path as the pipeline and the upload write them. */
static int rel_ok(const char *rel)
{
    size_t n = rel ? strlen(rel) : 0;
    if (n == 0 || n >= STORE_PART_PATH || rel[0] == '/')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = rel[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == '-' || c == '/';
        if (!ok)
            return 0;
        if (c == '.' && rel[i + 1] == '.')
            return 0;
    }
    return 1;
}

/* Opens DATA/rel for reading: an fd of a regular file with *st filled,
 * or -1. */
static int open_data(const struct http_server *srv, const char *rel, struct stat *st)
{
    char path[4352];
    if (!rel_ok(rel))
        return -1;
    snprintf(path, sizeof path, "%s/%s", srv->data_dir, rel);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -1;
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        close(fd);
        return -1;
    }
    return fd;
}

static void unlink_data(const struct http_server *srv, const char *rel)
{
    char path[4352];
    if (!rel_ok(rel))
        return;
    snprintf(path, sizeof path, "%s/%s", srv->data_dir, rel);
    if (unlink(path) != 0 && errno != ENOENT)
        log_warn("file of a deleted part not removed", "file=%s error=\"%s\"", path,
                 strerror(errno));
}

/* Width and height of the PNG at DATA/rel from its IHDR chunk: 0, or -1. */
static int png_size(const struct http_server *srv, const char *rel, int *w, int *h)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    unsigned char b[24];
    struct stat st;
    int fd = open_data(srv, rel, &st);
    if (fd < 0)
        return -1;
    ssize_t got = read(fd, b, sizeof b);
    close(fd);
    if (got != (ssize_t)sizeof b || memcmp(b, sig, 8) != 0 || memcmp(b + 12, "IHDR", 4) != 0)
        return -1;
    *w = (int)((uint32_t)b[16] << 24 | (uint32_t)b[17] << 16 | (uint32_t)b[18] << 8 | b[19]);
    *h = (int)((uint32_t)b[20] << 24 | (uint32_t)b[21] << 16 | (uint32_t)b[22] << 8 | b[23]);
    return *w > 0 && *h > 0 ? 0 : -1;
}

static int ended(enum job_state s)
{
    return s == JOB_DONE || s == JOB_FAILED || s == JOB_CANCELLED;
}

/* Waits up to timeout_s for job id to end; st gets its last status. */
static void wait_end(struct job_system *js, int64_t id, double timeout_s, struct job_status *st)
{
    double until = core_now() + timeout_s;
    if (job_status(js, id, st) != 0)
        return;
    while (!ended(st->state)) {
        double left = until - core_now();
        if (left <= 0 || job_wait(js, id, st->seq, left, st) < 0)
            return;
    }
}

/* ---------------------------------------------------------- part JSON */

/* Stored JSON text as a member (raw: it was checked when stored), or null. */
static void add_stored_json(cJSON *o, const char *name, const char *text)
{
    if (text && *text)
        cJSON_AddRawToObject(o, name, text);
    else
        cJSON_AddNullToObject(o, name);
}

/* {"url", "width", "height", "scale", "offset_x", "offset_y"} of one
 * preview; the mapping members are null when the drawing has no box. */
static cJSON *preview_json(const struct http_server *srv, const struct store_part *p,
                           const cJSON *geometry, const char *kind, const char *rel)
{
    char url[128];
    int w, h;
    struct job_preview_map m;
    if (!rel || png_size(srv, rel, &w, &h) != 0)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    /* The version in the URL changes whenever the part does, so a cached
     * image is never shown for a newer drawing. */
    snprintf(url, sizeof url, "/api/parts/%lld/preview.png?size=%s&v=%lld", (long long)p->id,
             kind, (long long)p->updated);
    cJSON_AddStringToObject(o, "url", url);
    cJSON_AddNumberToObject(o, "width", w);
    cJSON_AddNumberToObject(o, "height", h);
    if (geometry && job_preview_map(geometry, w, h, &m) == 0) {
        cJSON_AddNumberToObject(o, "scale", m.scale);
        cJSON_AddNumberToObject(o, "offset_x", m.ox);
        cJSON_AddNumberToObject(o, "offset_y", m.oy);
    } else {
        cJSON_AddNullToObject(o, "scale");
        cJSON_AddNullToObject(o, "offset_x");
        cJSON_AddNullToObject(o, "offset_y");
    }
    return o;
}

/* The part as GET /api/parts/{id} shows it (docs/api.md).  NULL with e
 * filled when the database cannot be read. */
static cJSON *part_json(struct http_req *r, struct store *s, const struct store_part *p,
                        struct err *e)
{
    struct store_job j;
    size_t nj;
    struct job_status st;
    if (store_part_jobs(s, p->id, 0, &j, 1, &nj, e) != 0)
        return NULL;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)p->id);
    cJSON_AddNumberToObject(o, "quote_id", (double)p->quote_id);
    cJSON_AddNumberToObject(o, "position", (double)p->position);
    cJSON_AddStringToObject(o, "file", p->file_name ? p->file_name : "");
    cJSON_AddNumberToObject(o, "size_bytes", (double)p->size_bytes);
    cJSON_AddStringToObject(o, "sha256", p->sha256 ? p->sha256 : "");
    cJSON_AddStringToObject(o, "state", p->state);
    http_json_text(o, "error", p->error);
    if (nj == 1 && job_status(r->srv->js, j.id, &st) == 0)
        cJSON_AddItemToObject(o, "job", http_job_json(&st));
    else
        cJSON_AddNullToObject(o, "job");
    http_json_text(o, "material", p->material);
    if (p->thickness_mm > 0)
        cJSON_AddNumberToObject(o, "thickness_mm", p->thickness_mm);
    else
        cJSON_AddNullToObject(o, "thickness_mm");
    cJSON_AddNumberToObject(o, "qty", (double)p->qty);
    add_stored_json(o, "options", p->options ? p->options : "{}");
    add_stored_json(o, "geometry", p->geometry);
    add_stored_json(o, "price", p->price);
    if (p->total_minor >= 0) {
        cJSON_AddNumberToObject(o, "unit_price_minor", (double)p->unit_price_minor);
        cJSON_AddNumberToObject(o, "total_minor", (double)p->total_minor);
    } else {
        cJSON_AddNullToObject(o, "unit_price_minor");
        cJSON_AddNullToObject(o, "total_minor");
    }
    if (p->rules_version > 0)
        cJSON_AddNumberToObject(o, "rules_version", (double)p->rules_version);
    else
        cJSON_AddNullToObject(o, "rules_version");
    if (p->preview_path || p->thumb_path) {
        cJSON *g = p->geometry ? cJSON_Parse(p->geometry) : NULL;
        cJSON *pv = cJSON_AddObjectToObject(o, "preview");
        cJSON_AddItemToObject(pv, "thumb", preview_json(r->srv, p, g, "thumb", p->thumb_path));
        cJSON_AddItemToObject(pv, "detail",
                              preview_json(r->srv, p, g, "detail", p->preview_path));
        cJSON_Delete(g);
    } else {
        cJSON_AddNullToObject(o, "preview");
    }
    http_json_time(o, "created", p->created);
    http_json_time(o, "updated", p->updated);
    return o;
}

/* Answers status with part id read again. */
static int reply_part(struct http_req *r, struct store *s, int64_t id, int status)
{
    struct arena *a = arena_new(PART_ARENA);
    struct store_part p;
    struct err e = {""};
    int found = store_part_get(s, a, id, &p, &e);
    cJSON *o = found == 1 ? part_json(r, s, &p, &e) : NULL;
    arena_free(a);
    if (found == 0)
        return http_reply_error(r, 404, NULL, NULL, NULL, "part %lld was deleted meanwhile",
                                (long long)id);
    if (!o)
        return http_fail_internal(r, "reading a part", &e);
    return http_reply_json(r, status, o, NULL);
}

/* The part of the path into *p (strings in a), or the answer: 0, or the
 * status sent.  With draft set, also 409 unless its quote is a draft. */
static int load_part(struct http_req *r, struct store *s, struct arena *a, int draft,
                     struct store_part *p)
{
    int64_t id;
    struct err e = {""};
    if (http_path_id(r, "id", &id) != 0)
        return http_reply_error(r, 404, NULL, NULL, NULL, "no such part");
    int found = store_part_get(s, a, id, p, &e);
    if (found < 0)
        return http_fail_internal(r, "reading a part", &e);
    if (found == 0)
        return http_reply_error(r, 404, NULL, NULL, NULL, "no such part: %lld", (long long)id);
    if (!draft)
        return 0;
    struct store_quote q;
    found = store_quote_get(s, a, p->quote_id, &q, &e);
    if (found < 0)
        return http_fail_internal(r, "reading a quote", &e);
    if (found == 1 && strcmp(q.status, "draft") != 0)
        return http_reply_error(r, 409, NULL, NULL, NULL,
                                "quote %s was %s; revise it to change its parts", q.number,
                                q.status);
    return 0;
}

/* ---------------------------------------------------------------- GET */

static int parts_get(struct http_req *r)
{
    struct store *s;
    struct store_part p;
    struct err e = {""};
    int status;
    if ((status = http_store_or_fail(r, &s)) != 0)
        return status;
    struct arena *a = arena_new(PART_ARENA);
    if ((status = load_part(r, s, a, 0, &p)) == 0) {
        cJSON *o = part_json(r, s, &p, &e);
        status = o ? http_reply_json(r, 200, o, NULL) : http_fail_internal(r, "reading a part", &e);
    }
    arena_free(a);
    return status;
}

/* -------------------------------------------------------------- PATCH */

/* What a part is priced with. */
struct order {
    const char *material; /* NULL: none */
    double thickness_mm;  /* 0: none */
    long long qty;
    const char *options; /* JSON text */
};

/* material and thickness_mm of o checked against the catalog; the
 * catalog's spelling of the name is kept (in a).  0, or the status sent. */
static int check_material(struct http_req *r, struct store *s, struct arena *a, struct order *o)
{
    struct price_material m;
    struct err e = {""};
    char has[1024];
    if (!o->material)
        return 0;
    int known = job_catalog_has(s, o->material, has, sizeof has, &e);
    if (known < 0)
        return http_fail_internal(r, "reading the catalog", &e);
    if (known == 0)
        return http_reply_error(r, 400, "invalid", "material", NULL,
                                "the catalog has no material \"%s\"; it has: %s", o->material,
                                has[0] ? has : "nothing yet (an admin adds materials)");
    if (!(o->thickness_mm > 0))
        return http_reply_error(r, 400, "invalid", "thickness_mm", NULL,
                                "choose a thickness for %s: the catalog has %s mm", o->material,
                                has);
    int found = job_material(s, a, o->material, o->thickness_mm, &m, &e);
    if (found < 0)
        return http_fail_internal(r, "reading the catalog", &e);
    if (found == 0)
        return http_reply_error(r, 400, "invalid", "thickness_mm", NULL,
                                "the catalog has %s at %s mm, not at %g mm", o->material, has,
                                o->thickness_mm);
    o->material = m.name;
    o->thickness_mm = m.thickness_mm;
    return 0;
}

/* The body's members over the part's order.  0, or the status sent. */
static int read_order(struct http_req *r, const cJSON *body, struct arena *a,
                      const struct store_part *p, struct order *o)
{
    struct err e = {""};
    const cJSON *v;
    const char *str;
    int status;
    o->material = p->material;
    o->thickness_mm = p->thickness_mm;
    o->qty = p->qty;
    o->options = p->options ? p->options : "{}";

    if (cJSON_HasObjectItem(body, "material")) {
        if ((status = http_json_string(r, body, "material", 0, 1, MATERIAL_MAX, &str)) != 0)
            return status;
        o->material = str;
        if (!str) /* null: not priced until one is chosen again */
            o->thickness_mm = 0;
    }
    if ((v = cJSON_GetObjectItemCaseSensitive(body, "thickness_mm")) != NULL) {
        if (cJSON_IsNull(v))
            o->thickness_mm = 0;
        else if ((status = http_json_number(r, v, "thickness_mm", 0, THICKNESS_MAX, 1,
                                            &o->thickness_mm)) != 0)
            return status;
    }
    if ((v = cJSON_GetObjectItemCaseSensitive(body, "qty")) != NULL) {
        double q;
        if ((status = http_json_number(r, v, "qty", 1, QTY_MAX, 0, &q)) != 0)
            return status;
        if (q != floor(q))
            return http_reply_error(r, 400, "invalid", "qty", NULL,
                                    "qty must be a whole number of parts, not %g", q);
        o->qty = (long long)q;
    }
    if ((v = cJSON_GetObjectItemCaseSensitive(body, "options")) != NULL) {
        struct price_option *opts;
        size_t n;
        if (!cJSON_IsObject(v))
            return http_reply_error(r, 400, "invalid", "options", NULL,
                                    "options must be an object such as {\"rush\": true, "
                                    "\"finish\": \"brushed\"}");
        char *text = cJSON_PrintUnformatted(v);
        if (!text)
            core_die("out of memory reading options");
        char *copy = arena_strndup(a, text, strlen(text));
        cJSON_free(text);
        if (!copy)
            core_die("out of memory reading options");
        if (job_options_parse(copy, a, &opts, &n, &e) != 0)
            return http_reply_error(r, 400, "invalid", "options", NULL, "%s", e.msg);
        o->options = copy;
    }
    return 0;
}

static int parts_patch(struct http_req *r)
{
    static const char *const known[] = {"material", "thickness_mm", "qty", "options", NULL};
    cJSON *body = NULL;
    struct store *s;
    struct store_part p;
    struct order o;
    struct err e = {""};
    struct job_status st;
    int64_t job;
    int status;
    if ((status = http_read_json(r, PART_BODY_MAX, &body)) != 0)
        return status;
    struct arena *a = arena_new(PART_ARENA);
    if ((status = http_json_only(r, body, known)) != 0 ||
        (status = http_store_or_fail(r, &s)) != 0 || (status = load_part(r, s, a, 1, &p)) != 0 ||
        (status = read_order(r, body, a, &p, &o)) != 0 ||
        (status = check_material(r, s, a, &o)) != 0)
        goto done;
    if (store_part_set_order(s, p.id, o.material, o.thickness_mm, o.qty, o.options, &e) < 0) {
        status = http_fail_internal(r, "saving a part", &e);
        goto done;
    }
    int rc = job_submit(r->srv->js, JOB_PRICE, p.id, &job, &e);
    if (rc != 0) {
        /* Nothing changes unless it is priced: the previous order goes
         * back, so the part never shows a price for another order. */
        struct err e2 = {""};
        if (store_part_set_order(s, p.id, p.material, p.thickness_mm, p.qty, p.options, &e2) < 0)
            log_error("part order not restored", "part=%lld error=\"%s\"", (long long)p.id,
                      e2.msg);
        status = rc == JOB_FULL
                     ? http_reply_error(r, 503, "busy", NULL, "Retry-After: 2\r\n",
                                        "every worker is busy and the queue is full, so nothing "
                                        "changed; try again in a moment")
                     : http_fail_internal(r, "pricing a part", &e);
        goto done;
    }
    wait_end(r->srv->js, job, PATCH_WAIT_S, &st);
    status = reply_part(r, s, p.id, ended(st.state) ? 200 : 202);
done:
    arena_free(a);
    cJSON_Delete(body);
    return status;
}

/* ------------------------------------------------------------- DELETE */

static int parts_delete(struct http_req *r)
{
    struct store *s;
    struct store_part p;
    struct store_job open_jobs[OPEN_JOBS_MAX];
    struct job_status st;
    struct err e = {""};
    char stored[STORE_PART_PATH], rel[64];
    size_t n = 0;
    int status;
    if ((status = http_store_or_fail(r, &s)) != 0)
        return status;
    struct arena *a = arena_new(PART_ARENA);
    if ((status = load_part(r, s, a, 1, &p)) != 0)
        goto done;
    if (store_part_jobs(s, p.id, 1, open_jobs, OPEN_JOBS_MAX, &n, &e) != 0) {
        status = http_fail_internal(r, "deleting a part", &e);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        job_cancel(r->srv->js, open_jobs[i].id, &e); /* one that ended meanwhile is fine */
    for (size_t i = 0; i < n; i++)
        wait_end(r->srv->js, open_jobs[i].id, DELETE_WAIT_S, &st);
    /* Read again: a job that ended meanwhile may have published previews. */
    arena_free(a);
    a = arena_new(PART_ARENA);
    int found = store_part_get(s, a, p.id, &p, &e);
    if (found > 0)
        found = store_part_delete(s, p.id, stored, &e);
    if (found < 0) {
        status = http_fail_internal(r, "deleting a part", &e);
        goto done;
    }
    if (found == 0) {
        status = http_reply_error(r, 404, NULL, NULL, NULL, "part %lld was deleted meanwhile",
                                  (long long)p.id);
        goto done;
    }
    if (stored[0])
        unlink_data(r->srv, stored);
    unlink_data(r->srv, p.preview_path);
    unlink_data(r->srv, p.thumb_path);
    /* The names the pipeline gives, whatever the row said. */
    snprintf(rel, sizeof rel, "previews/%lld-thumb.png", (long long)p.id);
    unlink_data(r->srv, rel);
    snprintf(rel, sizeof rel, "previews/%lld-detail.png", (long long)p.id);
    unlink_data(r->srv, rel);
    http_audit(r, r->auth.user.name, "part.delete", "part %lld (%s) of quote %lld",
               (long long)p.id, p.file_name, (long long)p.quote_id);
    status = http_reply(r, 204, NULL, NULL, NULL, 0);
done:
    arena_free(a);
    return status;
}

/* ------------------------------------------------------------ measure */

static int parts_measure(struct http_req *r)
{
    struct store *s;
    struct store_part p;
    struct err e = {""};
    int64_t job, id = 0;
    int status;
    if ((status = http_store_or_fail(r, &s)) != 0)
        return status;
    struct arena *a = arena_new(PART_ARENA);
    if ((status = load_part(r, s, a, 1, &p)) == 0)
        id = p.id;
    arena_free(a);
    if (status != 0)
        return status;
    int rc = job_submit(r->srv->js, JOB_MEASURE, id, &job, &e);
    if (rc == JOB_FULL)
        return http_reply_error(r, 503, "busy", NULL, "Retry-After: 2\r\n",
                                "every worker is busy and the queue is full; try again in a "
                                "moment");
    if (rc != 0)
        return http_fail_internal(r, "measuring a part", &e);
    return reply_part(r, s, id, 202);
}

/* ------------------------------------------------------------ preview */

static int parts_preview(struct http_req *r)
{
    struct store *s;
    struct store_part p;
    struct stat st;
    char size[16] = "detail", etag[96], extra[256];
    int status;
    int q = http_query(r, "size", size, sizeof size);
    if (q == 0)
        snprintf(size, sizeof size, "detail");
    if (q < 0 || (strcmp(size, "thumb") != 0 && strcmp(size, "detail") != 0))
        return http_reply_error(r, 400, "invalid", "size", NULL,
                                "size must be thumb or detail");
    if ((status = http_store_or_fail(r, &s)) != 0)
        return status;
    struct arena *a = arena_new(PART_ARENA);
    if ((status = load_part(r, s, a, 0, &p)) != 0)
        goto done;
    const char *rel = !strcmp(size, "thumb") ? p.thumb_path : p.preview_path;
    int fd = rel ? open_data(r->srv, rel, &st) : -1;
    if (fd < 0) {
        status = http_reply_error(r, 404, NULL, NULL, NULL,
                                  "part %lld has no %s preview yet (it is %s); it is drawn when "
                                  "the part is measured",
                                  (long long)p.id, size, p.state);
        goto done;
    }
    snprintf(etag, sizeof etag, "\"%llx-%llx-%llx.%09ld\"", (unsigned long long)st.st_ino,
             (unsigned long long)st.st_size, (unsigned long long)st.st_mtim.tv_sec,
             (long)st.st_mtim.tv_nsec);
    /* private: a preview is the shop's customer's drawing; no-cache: the
     * same URL shows a new drawing after re-measuring, so ask each time
     * (a 304 costs nothing). */
    snprintf(extra, sizeof extra, "ETag: %s\r\nCache-Control: private, no-cache\r\n", etag);
    const char *inm = http_header(r, "If-None-Match");
    if (inm && http_etag_matches(inm, etag))
        status = http_reply(r, 304, NULL, extra, NULL, 0);
    else
        status = http_reply_file(r, 200, "image/png", extra, fd, (size_t)st.st_size);
    close(fd);
done:
    arena_free(a);
    return status;
}

/* --------------------------------------------------------------- file */

/* Content-Disposition for file name name: a plain ASCII fallback and the
 * exact name in RFC 5987 encoding (RFC 6266). */
static void disposition(const char *name, char *out, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    char ascii[256], enc[1024];
    size_t ai = 0, ei = 0;
    for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
        int plain = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                    (*c >= '0' && *c <= '9') || *c == '.' || *c == '-' || *c == '_';
        if (ai + 1 < sizeof ascii)
            ascii[ai++] = plain || *c == ' ' ? (char)*c : '_';
        if (plain && ei + 1 < sizeof enc)
            enc[ei++] = (char)*c;
        else if (!plain && ei + 3 < sizeof enc) {
            enc[ei++] = '%';
            enc[ei++] = hex[*c >> 4];
            enc[ei++] = hex[*c & 15];
        }
    }
    ascii[ai] = enc[ei] = '\0';
    if (!ai)
        snprintf(ascii, sizeof ascii, "drawing.dxf");
    snprintf(out, n, "Content-Disposition: attachment; filename=\"%s\"; filename*=UTF-8''%s\r\n",
             ascii, ei ? enc : "drawing.dxf");
}

static int parts_file(struct http_req *r)
{
    struct store *s;
    struct store_part p;
    struct stat st;
    char extra[1400];
    int status;
    if ((status = http_store_or_fail(r, &s)) != 0)
        return status;
    struct arena *a = arena_new(PART_ARENA);
    if ((status = load_part(r, s, a, 0, &p)) != 0)
        goto done;
    int fd = open_data(r->srv, p.stored_path, &st);
    gzFile g = fd >= 0 ? gzdopen(fd, "rb") : NULL;
    if (!g) {
        if (fd >= 0)
            close(fd);
        log_error("stored drawing missing", "part=%lld file=%s", (long long)p.id,
                  p.stored_path ? p.stored_path : "");
        status = http_reply_error(r, 404, NULL, NULL, NULL,
                                  "the stored drawing of part %lld is missing; upload %s again",
                                  (long long)p.id, p.file_name);
        goto done;
    }
    gzbuffer(g, 128u << 10);
    disposition(p.file_name ? p.file_name : "", extra, sizeof extra);
    status = http_reply_begin(r, 200, "image/vnd.dxf", extra, (size_t)p.size_bytes);
    if (!r->head) {
        char *buf = xmalloc(SEND_CHUNK);
        int k;
        /* The length is promised: a damaged file ends the body short,
         * which the client sees as a failed download. */
        while ((k = gzread(g, buf, SEND_CHUNK)) > 0)
            if (http_reply_write(r, buf, (size_t)k) != 0)
                break;
        free(buf);
    }
    gzclose_r(g);
done:
    arena_free(a);
    return status;
}

const struct http_route http_routes_parts[] = {
    {"GET", "/api/parts/{id}", HTTP_ROLE_SALES, parts_get, NULL},
    {"PATCH", "/api/parts/{id}", HTTP_ROLE_SALES, parts_patch, NULL},
    {"DELETE", "/api/parts/{id}", HTTP_ROLE_SALES, parts_delete, NULL},
    {"GET", "/api/parts/{id}/preview.png", HTTP_ROLE_SALES, parts_preview, NULL},
    {"GET", "/api/parts/{id}/file", HTTP_ROLE_SALES, parts_file, NULL},
    {"POST", "/api/parts/{id}/measure", HTTP_ROLE_SALES, parts_measure, NULL},
    {NULL, NULL, HTTP_ROLE_NONE, NULL, NULL},
};
