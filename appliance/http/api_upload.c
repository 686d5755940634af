/*
 * api_upload.c - POST /api/quotes/{id}/parts: drawings uploaded into a
 * draft quote, one part and one measuring job per file.
 *
 * Route (HTTP_ROLE_SALES; the dispatcher checks the session and CSRF):
 *   POST /api/quotes/{id}/parts   multipart/form-data
 *     file       one or more drawings (ASCII or binary DXF)
 *     material   catalog name, 1..100 characters (optional)
 *     thickness  mm, a positive number the catalog has for material
 *     quantity   integer 1..1,000,000 (default 1)
 *     options    a JSON object text, as the rules read it (default {})
 *   202 {"parts": [{"part_id", "job_id", "file"}]}
 * Without material and thickness a part is measured but not priced; the
 * order is set later (PATCH /api/parts/{id}).  Every file of one upload
 * gets the same material, thickness, quantity and options.
 *
 * Order of checks: the quote (404, 409 unless draft) before the body is
 * read, so a large upload to a wrong quote is refused at once; the body
 * (upload.c: 400, 413, 415, 507, 503); then, before any file is stored,
 * the fields (400, naming the field) and the quote again (it may have been
 * sent meanwhile); then parts and jobs.  A request refused for its fields
 * stores nothing.
 *
 * Invariants:
 *  1. All or none: the parts of one upload are admitted together; when the
 *     job queue cannot take all of their jobs (503 busy, Retry-After) the
 *     parts just added are deleted again.  Their stored files stay: they
 *     are whole, and a retry finds them (deduplication).
 *  2. File names are data: the displayed name never carries a folder, and
 *     the stored file is named by content hash alone.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/upload.h"

#define MATERIAL_MAX  100
#define THICKNESS_MAX 1000.0
#define QTY_MAX       1000000LL
#define OPTIONS_MAX   4096
#define FILE_FIELD    "file"

/* Characters, not bytes, of UTF-8 text. */
static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

/* What the fields ask for each part. */
struct order {
    const char *material; /* NULL: none */
    double thickness;     /* 0: none */
    long long qty;
    const char *options; /* NULL: none */
};

/* Fills no (see upload.h) and returns status. */
static int refuse(struct http_upload_refusal *no, int status, const char *field, const char *fmt,
                  ...) CORE_PRINTF(4, 5);
static int refuse(struct http_upload_refusal *no, int status, const char *field, const char *fmt,
                  ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(no->msg, sizeof no->msg, fmt, ap);
    va_end(ap);
    no->status = status;
    no->code = status == 400 ? "invalid" : NULL;
    snprintf(no->field, sizeof no->field, "%s", field ? field : "");
    return status;
}

/* What the check of the body needs and gives. */
struct check {
    struct store *s;
    struct arena *a;
    int64_t qid;
    struct store_quote q;
    struct order o;
};

/* Quote c->qid, which must be a draft: 0, or the refusal's status. */
static int draft_quote(struct check *c, struct http_upload_refusal *no)
{
    struct err e = {""};
    int found = store_quote_get(c->s, c->a, c->qid, &c->q, &e);
    if (found == 0)
        return refuse(no, 404, NULL, "no such quote: %lld", (long long)c->qid);
    if (found < 0) {
        log_error("quote not read", "quote=%lld error=\"%s\"", (long long)c->qid, e.msg);
        return refuse(no, 503, NULL, "the quote could not be read (%s); try again shortly",
                      e.msg);
    }
    if (!strcmp(c->q.status, "sent"))
        return refuse(no, 409, NULL, "quote %s was sent; revise it to change its parts",
                      c->q.number);
    if (strcmp(c->q.status, "draft") != 0)
        return refuse(no, 409, NULL, "quote %s is %s; revise it to change its parts",
                      c->q.number, c->q.status);
    return 0;
}

/* The fields of u as c->o: 0, or the refusal's status. */
static int read_order(struct check *c, const struct http_upload *u, struct http_upload_refusal *no)
{
    static const char *const known[] = {"material", "thickness", "quantity", "options", NULL};
    struct order *o = &c->o;
    struct err e = {""};
    memset(o, 0, sizeof *o);
    o->qty = 1;
    for (size_t i = 0; i < u->nfields; i++) {
        const char *name = u->fields[i].name;
        int ok = 0;
        for (const char *const *k = known; *k && !ok; k++)
            ok = !strcmp(*k, name);
        if (!ok)
            return refuse(no, 400, name,
                          "unknown field '%.100s'; an upload has file, material, thickness, "
                          "quantity and options",
                          name);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(u->fields[j].name, name))
                return refuse(no, 400, name, "field '%s' appears twice", name);
    }

    const char *v = http_upload_field_get(u, "quantity");
    if (v) {
        char *end = NULL;
        long long q = 0;
        if (*v >= '0' && *v <= '9' && strlen(v) <= 7)
            q = strtoll(v, &end, 10);
        if (!end || *end || q < 1 || q > QTY_MAX)
            return refuse(no, 400, "quantity", "quantity must be a whole number from 1 to %lld",
                          QTY_MAX);
        o->qty = q;
    }

    v = http_upload_field_get(u, "thickness");
    if (v && *v) {
        char *end;
        double t = strtod(v, &end);
        if (end == v || *end || !isfinite(t) || !(t > 0) || t > THICKNESS_MAX)
            return refuse(no, 400, "thickness",
                          "thickness must be a number of mm above 0 and at most %g, such as 2.5",
                          THICKNESS_MAX);
        o->thickness = t;
    }

    v = http_upload_field_get(u, "material");
    if (v && *v) {
        size_t n = chars(v);
        if (n > MATERIAL_MAX)
            return refuse(no, 400, "material", "material must be 1 to %d characters long, not %zu",
                          MATERIAL_MAX, n);
        o->material = v;
    }
    if (o->material && o->thickness <= 0)
        return refuse(no, 400, "thickness", "give the thickness in mm for %s", o->material);
    if (!o->material && o->thickness > 0)
        return refuse(no, 400, "material", "give the material for the thickness of %g mm",
                      o->thickness);
    if (o->material) {
        struct price_material m;
        int found = job_material(c->s, c->a, o->material, o->thickness, &m, &e);
        if (found < 0)
            return refuse(no, 503, NULL,
                          "the materials catalog could not be read (%s); try again shortly",
                          e.msg);
        if (found == 0) {
            char list[8];
            struct err e2 = {""};
            int has = job_catalog_has(c->s, o->material, list, sizeof list, &e2);
            return refuse(no, 400, has == 1 ? "thickness" : "material", "%s", e.msg);
        }
    }

    v = http_upload_field_get(u, "options");
    if (v && *v) {
        struct price_option *opts;
        size_t nopts;
        if (strlen(v) > OPTIONS_MAX)
            return refuse(no, 400, "options", "options must be at most %d bytes of JSON",
                          OPTIONS_MAX);
        if (job_options_parse(v, c->a, &opts, &nopts, &e) != 0)
            return refuse(no, 400, "options", "%s", e.msg);
        o->options = v;
    }
    return 0;
}

/* The check before the files are stored: the fields, and the quote again
 * (it may have been sent while the body arrived). */
static int check_upload(void *ctx, const struct http_upload *u, struct http_upload_refusal *no)
{
    int st = read_order(ctx, u, no);
    return st ? st : draft_quote(ctx, no);
}

/* Deletes parts ids[0..n) again (an upload not admitted). */
static void undo_parts(struct store *s, const int64_t *ids, size_t n)
{
    struct err e = {""};
    for (size_t i = 0; i < n; i++)
        if (store_part_delete(s, ids[i], NULL, &e) < 0)
            log_error("part not deleted", "part=%lld error=\"%s\"", (long long)ids[i], e.msg);
}

static int parts_upload(struct http_req *r)
{
    struct http_upload u = {0};
    struct http_upload_refusal no;
    struct check c;
    struct err e = {""};
    int64_t *parts = NULL, *jobs = NULL;
    size_t added = 0;
    int st;
    memset(&c, 0, sizeof c);
    if ((st = http_store_or_fail(r, &c.s)) != 0)
        return st;
    c.a = arena_new((size_t)16 << 20);
    /* The quote first: a large upload to a wrong quote is refused before
     * its body is read (and the connection closed, not drained). */
    if (http_path_id(r, "id", &c.qid) != 0) {
        mg_disable_keep_alive(r->conn);
        st = http_reply_error(r, 404, NULL, NULL, NULL, "no such quote: %s", r->path);
        goto done;
    }
    if ((st = draft_quote(&c, &no)) != 0) {
        mg_disable_keep_alive(r->conn);
        st = http_reply_error(r, st, no.code, NULL, NULL, "%s", no.msg);
        goto done;
    }
    if ((st = http_upload_read_checked(r, FILE_FIELD, check_upload, &c, &u)) != 0)
        goto done;

    parts = xcalloc(u.nfiles, sizeof *parts);
    jobs = xcalloc(u.nfiles, sizeof *jobs);
    for (; added < u.nfiles; added++) {
        const struct http_upload_file *f = &u.files[added];
        struct store_part p = {0};
        p.quote_id = c.qid;
        p.file_name = f->name;
        p.stored_path = f->stored;
        p.sha256 = f->sha256;
        p.size_bytes = f->size;
        p.material = c.o.material;
        p.thickness_mm = c.o.thickness;
        p.qty = c.o.qty;
        p.options = c.o.options;
        if (store_part_add(c.s, &p, &parts[added], &e) != 0) {
            undo_parts(c.s, parts, added);
            st = http_fail_internal(r, "adding a part", &e);
            goto done;
        }
    }
    int rc = job_submit_many(r->srv->js, JOB_MEASURE, parts, u.nfiles, jobs, &e);
    if (rc != 0) {
        undo_parts(c.s, parts, u.nfiles);
        if (rc == JOB_FULL)
            st = http_reply_error(r, 503, "busy", NULL, "Retry-After: 5\r\n",
                                  "the appliance is busy measuring other drawings (%s); upload "
                                  "again in a few seconds",
                                  e.msg);
        else
            st = http_reply_error(r, 503, NULL, NULL, "Retry-After: 5\r\n",
                                  "the drawings could not be queued for measuring (%s); try "
                                  "again shortly",
                                  e.msg);
        goto done;
    }

    char names[900];
    size_t k = 0;
    names[0] = '\0';
    for (size_t i = 0; i < u.nfiles && k < sizeof names; i++)
        k += (size_t)snprintf(names + k, sizeof names - k, "%s%s", i ? ", " : "", u.files[i].name);
    http_audit(r, r->auth.user.name, "part.upload", "%s: %zu file%s: %s", c.q.number, u.nfiles,
               u.nfiles == 1 ? "" : "s", names);

    cJSON *out = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(out, "parts");
    for (size_t i = 0; i < u.nfiles; i++) {
        cJSON *it = cJSON_CreateObject();
        cJSON_AddNumberToObject(it, "part_id", (double)parts[i]);
        cJSON_AddNumberToObject(it, "job_id", (double)jobs[i]);
        cJSON_AddStringToObject(it, "file", u.files[i].name);
        cJSON_AddItemToArray(arr, it);
    }
    st = http_reply_json(r, 202, out, NULL);
done:
    free(parts);
    free(jobs);
    http_upload_free(&u);
    arena_free(c.a);
    return st;
}

const struct http_route http_routes_upload[] = {
    {"POST", "/api/quotes/{id}/parts", HTTP_ROLE_SALES, parts_upload, NULL},
    {NULL, NULL, HTTP_ROLE_NONE, NULL, NULL},
};
