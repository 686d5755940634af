/*
 * api_pdf.c - the PDF quotation of a quote.
 *
 * Route (HTTP_ROLE_SALES): GET /api/quotes/{id}/pdf, ?download=1 for an
 * attachment instead of a document the browser shows.
 *
 * The PDF is made on a job worker (job_task_run): measuring the drawings
 * again for their outlines is CPU work, which never runs on a request
 * thread, and it counts against the same workers and queue as the jobs,
 * so a burst of PDFs gets 503 with Retry-After like a burst of uploads.
 * Nothing is cached: a quote's parts change until it is sent, and a PDF of
 * ten parts takes tens of milliseconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/internal.h"

struct pdf_task {
    int64_t quote_id;
    unsigned char *buf;
    size_t len;
    int nothing; /* job_quote_pdf() found nothing to print */
};

static int make_pdf(void *ctx, const struct job_task_env *env, struct err *e)
{
    struct pdf_task *t = ctx;
    int rc = job_quote_pdf(env, t->quote_id, 0, &t->buf, &t->len, e);
    t->nothing = rc == JOB_NOTHING;
    return rc == 0 ? 0 : -1;
}

static int quote_pdf(struct http_req *r)
{
    struct store *s;
    struct store_quote q;
    struct err e = {""};
    struct pdf_task t = {0, NULL, 0, 0};
    char download[8];
    int st;
    if (http_path_id(r, "id", &t.quote_id) != 0)
        return http_reply_error(r, 404, NULL, NULL, NULL, "there is no such quote");
    if (http_query(r, "download", download, sizeof download) < 0 ||
        (download[0] && strcmp(download, "0") != 0 && strcmp(download, "1") != 0))
        return http_reply_error(r, 400, "invalid", "download", NULL,
                                "download must be 1 (an attachment) or 0 (shown in the browser)");
    if ((st = http_store_or_fail(r, &s)) != 0)
        return st;
    struct arena *a = arena_new(1 << 20);
    int found = a ? store_quote_get(s, a, t.quote_id, &q, &e) : -1;
    char number[STORE_QUOTE_NUMBER_MAX] = "";
    if (found > 0)
        snprintf(number, sizeof number, "%s", q.number);
    arena_free(a);
    if (found < 0)
        return http_fail_internal(r, "reading the quote", &e);
    if (found == 0)
        return http_reply_error(r, 404, NULL, NULL, NULL, "there is no quote %lld",
                                (long long)t.quote_id);

    int rc = job_task_run(r->srv->js, make_pdf, &t, &e);
    if (rc == JOB_FULL)
        return http_reply_error(r, 503, "busy", NULL, "Retry-After: 5\r\n", "%s", e.msg);
    if (rc != 0) {
        if (t.nothing)
            return http_reply_error(r, 409, "not_priced", NULL, NULL, "%s", e.msg);
        return http_fail_internal(r, "making the quotation", &e);
    }
    /* The number is letters, digits and '-' (store_quote_create), so it
     * needs no quoting beyond the quotes. */
    char extra[200];
    snprintf(extra, sizeof extra, "Content-Disposition: %s; filename=\"%s.pdf\"\r\n",
             !strcmp(download, "1") ? "attachment" : "inline", number);
    st = http_reply(r, 200, "application/pdf", extra, t.buf, t.len);
    free(t.buf);
    return st;
}

const struct http_route http_routes_pdf[] = {
    {"GET", "/api/quotes/{id}/pdf", HTTP_ROLE_SALES, quote_pdf, NULL},
    {NULL, NULL, HTTP_ROLE_NONE, NULL, NULL},
};
