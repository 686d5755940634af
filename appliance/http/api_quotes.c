/*
 * api_quotes.c - quotes: list and search, make, read with their parts and
 * totals, change (customer, notes, validity, status), duplicate, revise.
 *
 * Routes (all HTTP_ROLE_SALES): GET /api/quotes, POST /api/quotes,
 * GET /api/quotes/{id}, PATCH /api/quotes/{id},
 * POST /api/quotes/{id}/duplicate, POST /api/quotes/{id}/revise.
 *
 * Dates in and out are local calendar days "YYYY-MM-DD" (the shop's
 * clock, as the year in a quote number): valid_until is the last day a
 * quote holds, stored as the last second of that day; from and to of the
 * list select quotes made on those days, both included.  A new quote is
 * valid for [pdf] validity_days days.
 *
 * Money appears as in the CLI's price JSON (jobs/pricing.c): a decimal
 * amount in the currency beside the exact integer minor units
 * ("total": 12.5, "total_minor": 1250).  A quote's total is the sum of
 * its parts' totals plus tax at [company] tax_rate; it is null while any
 * part has no price, since a partial sum shown as the total would be
 * quoted by mistake.
 *
 * Invariants:
 *  1. Only a draft changes; a PATCH of customer, notes or validity on any
 *     other quote is 409 "revise" and changes nothing (store/quote_edit.c,
 *     invariant 1).  The revision is made only on request (POST .../revise):
 *     a form that saves as one types must not mint a revision per field.
 *  2. Every status change, creation, change, duplicate and revision is
 *     audited, with the quote's number.
 *  3. A part's previews are files of its own (previews/<part>-thumb.png):
 *     deleting a part removes them, and a job publishes new ones by
 *     renaming over them.  A copied part takes hard links to the
 *     original's files under its own names, so neither touches the other's.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http/internal.h"
#include "price/price.h"

#define QUOTE_BODY_MAX (128 * 1024)

/* --------------------------------------------------------------- dates */

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

/* "YYYY-MM-DD" of the local day of unix time t into buf (11 bytes). */
static void local_day(int64_t t, char buf[11])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm) || strftime(buf, 11, "%Y-%m-%d", &tm) == 0)
        snprintf(buf, 11, "0000-00-00");
}

static void add_day(cJSON *o, const char *name, int64_t t)
{
    char d[11];
    if (t <= 0) {
        cJSON_AddNullToObject(o, name);
        return;
    }
    local_day(t, d);
    cJSON_AddStringToObject(o, name, d);
}

/* Unix seconds of local midnight starting day text "YYYY-MM-DD" plus
 * days_after days: 0, or -1 when text is not a date from 2000 to 9999. */
static int parse_day(const char *text, int days_after, int64_t *out)
{
    int y, m, d, n = 0;
    if (strlen(text) != 10 || sscanf(text, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 ||
        text[4] != '-' || text[7] != '-' || y < 2000 || y > 9999 || m < 1 || m > 12 || d < 1 ||
        d > 31)
        return -1;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    if (t == (time_t)-1 || tm.tm_mday != d || tm.tm_mon != m - 1) /* 2026-02-31 */
        return -1;
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d + days_after;
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    t = mktime(&tm);
    if (t == (time_t)-1)
        return -1;
    *out = (int64_t)t;
    return 0;
}

/* The last second of the local day days after unix time t. */
static int64_t end_of_day_after(int64_t t, long long days)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    tm.tm_mday += (int)days + 1;
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm) - 1;
}

static int64_t default_valid_until(struct http_req *r, int64_t from)
{
    return end_of_day_after(from, cfg_int(r->srv->cfg, CFG_PDF_VALIDITY_DAYS));
}

/* ------------------------------------------------------------- answers */

static int decimals_of(const char *currency)
{
    int d = price_currency_decimals(currency);
    return d < 0 ? 2 : d;
}

static void add_money(cJSON *o, const char *key, int64_t minor, int decimals, int known)
{
    char k[48];
    snprintf(k, sizeof k, "%s_minor", key);
    if (!known) {
        cJSON_AddNullToObject(o, key);
        cJSON_AddNullToObject(o, k);
        return;
    }
    cJSON_AddNumberToObject(o, key, price_units(minor, decimals));
    cJSON_AddNumberToObject(o, k, (double)minor);
}

/* {"parts", "priced", "complete", "currency", "decimals", "subtotal",
 * "tax_rate", "tax", "total" (+ _minor)}: the sums are null until every
 * part is priced. */
static cJSON *totals_json(struct http_req *r, const struct store_quote_row *row)
{
    cJSON *t = cJSON_CreateObject();
    int dec = decimals_of(row->q.currency);
    int complete = row->priced == row->parts;
    int64_t tax = 0;
    if (complete &&
        price_round(price_units(row->subtotal_minor, dec) * r->srv->tax_rate, dec, &tax) != 0)
        complete = 0; /* past 2^53 minor units: no honest figure */
    cJSON_AddNumberToObject(t, "parts", (double)row->parts);
    cJSON_AddNumberToObject(t, "priced", (double)row->priced);
    cJSON_AddBoolToObject(t, "complete", complete);
    cJSON_AddStringToObject(t, "currency", row->q.currency);
    cJSON_AddNumberToObject(t, "decimals", dec);
    add_money(t, "subtotal", row->subtotal_minor, dec, complete);
    cJSON_AddNumberToObject(t, "tax_rate", r->srv->tax_rate);
    add_money(t, "tax", tax, dec, complete);
    add_money(t, "total", row->subtotal_minor + tax, dec, complete);
    return t;
}

static int is_expired(const struct store_quote *q, int64_t now)
{
    return !strcmp(q->status, "sent") && q->valid_until > 0 && now > q->valid_until;
}

static void add_id_or_null(cJSON *o, const char *name, int64_t id)
{
    if (id > 0)
        cJSON_AddNumberToObject(o, name, (double)id);
    else
        cJSON_AddNullToObject(o, name);
}

static void add_part_url(cJSON *o, const char *name, int64_t part, const char *size)
{
    char url[96];
    if (part <= 0) {
        cJSON_AddNullToObject(o, name);
        return;
    }
    snprintf(url, sizeof url, "/api/parts/%lld/preview.png?size=%s", (long long)part, size);
    cJSON_AddStringToObject(o, name, url);
}

/* What a row of the list shows; the detail adds to it. */
static cJSON *row_json(struct http_req *r, const struct store_quote_row *row, int64_t now)
{
    const struct store_quote *q = &row->q;
    cJSON *o = cJSON_CreateObject();
    char letter[2] = {(char)('A' + q->revision), '\0'};
    cJSON_AddNumberToObject(o, "id", (double)q->id);
    cJSON_AddStringToObject(o, "number", q->number);
    if (q->revision > 0)
        cJSON_AddStringToObject(o, "revision", letter);
    else
        cJSON_AddNullToObject(o, "revision");
    cJSON_AddStringToObject(o, "status", q->status);
    cJSON_AddBoolToObject(o, "expired", is_expired(q, now));
    add_id_or_null(o, "customer_id", q->customer_id);
    cJSON_AddStringToObject(o, "customer_name", q->customer ? q->customer : "");
    http_json_time(o, "created", q->created);
    http_json_time(o, "updated", q->updated);
    http_json_text(o, "created_by", row->created_by_name);
    add_day(o, "valid_until", q->valid_until);
    http_json_time(o, "sent_at", q->sent_at);
    http_json_time(o, "decided_at", q->decided_at);
    cJSON_AddNumberToObject(o, "part_count", (double)row->parts);
    add_id_or_null(o, "thumb_part_id", row->first_part);
    add_part_url(o, "thumb", row->first_part, "thumb");
    cJSON_AddItemToObject(o, "totals", totals_json(r, row));
    return o;
}

static void add_number_of(cJSON *o, const cJSON *g, const char *from, const char *to)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(g, from);
    if (cJSON_IsNumber(v))
        cJSON_AddNumberToObject(o, to, v->valuedouble);
    else
        cJSON_AddNullToObject(o, to);
}

/* The key figures of a part's measurement (docs/inspect.md), or null. */
static cJSON *figures_json(const char *geometry)
{
    cJSON *g = geometry ? cJSON_Parse(geometry) : NULL;
    if (!cJSON_IsObject(g)) {
        cJSON_Delete(g);
        return cJSON_CreateNull();
    }
    cJSON *f = cJSON_CreateObject();
    const cJSON *bbox = cJSON_GetObjectItemCaseSensitive(g, "bbox");
    add_number_of(f, bbox, "width", "width_mm");
    add_number_of(f, bbox, "height", "height_mm");
    add_number_of(f, g, "cut_length_mm", "cut_length_mm");
    add_number_of(f, g, "pierces", "pierces");
    add_number_of(f, g, "holes", "holes");
    add_number_of(f, g, "area_mm2", "area_mm2");
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(g, "warnings");
    cJSON_AddNumberToObject(f, "warnings", cJSON_IsArray(w) ? cJSON_GetArraySize(w) : 0);
    cJSON_Delete(g);
    return f;
}

struct parts_ctx {
    cJSON *arr;
    int decimals;
};

static int part_one(const struct store_part *p, void *ctx)
{
    struct parts_ctx *c = ctx;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "part_id", (double)p->id);
    cJSON_AddNumberToObject(o, "position", (double)p->position);
    cJSON_AddStringToObject(o, "file", p->file_name ? p->file_name : "");
    cJSON_AddStringToObject(o, "state", p->state);
    http_json_text(o, "error", p->error);
    http_json_text(o, "material", p->material);
    if (p->thickness_mm > 0)
        cJSON_AddNumberToObject(o, "thickness_mm", p->thickness_mm);
    else
        cJSON_AddNullToObject(o, "thickness_mm");
    cJSON_AddNumberToObject(o, "qty", (double)p->qty);
    cJSON *opts = p->options ? cJSON_Parse(p->options) : NULL;
    cJSON_AddItemToObject(o, "options", cJSON_IsObject(opts) ? opts : cJSON_CreateObject());
    if (opts && !cJSON_IsObject(opts))
        cJSON_Delete(opts);
    add_money(o, "unit_price", p->unit_price_minor, c->decimals, p->unit_price_minor >= 0);
    add_money(o, "total", p->total_minor, c->decimals, p->total_minor >= 0);
    cJSON_AddItemToObject(o, "figures", figures_json(p->geometry));
    add_part_url(o, "preview", p->preview_path ? p->id : 0, "detail");
    add_part_url(o, "thumb", p->thumb_path ? p->id : 0, "thumb");
    cJSON_AddItemToArray(c->arr, o);
    return 0;
}

struct revisions_ctx {
    cJSON *arr;
    int64_t now;
};

static int revision_one(const struct store_quote *q, void *ctx)
{
    struct revisions_ctx *c = ctx;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)q->id);
    cJSON_AddStringToObject(o, "number", q->number);
    cJSON_AddStringToObject(o, "status", q->status);
    cJSON_AddBoolToObject(o, "expired", is_expired(q, c->now));
    cJSON_AddItemToArray(c->arr, o);
    return 0;
}

/* Answers with the whole quote id: the row, notes, customer, revisions
 * and parts. */
static int reply_quote(struct http_req *r, struct store *s, int64_t id, int status)
{
    struct arena *a = arena_new(0);
    struct store_quote_row row;
    struct store_quote from;
    struct store_customer cust;
    struct err e = {""};
    int64_t now = now_s();
    const char *what = "reading a quote";
    int found = store_quote_row(s, a, id, &row, &e);
    if (found == 0) {
        arena_free(a);
        return http_reply_error(r, 404, NULL, NULL, NULL, "no such quote: %lld", (long long)id);
    }
    if (found < 0)
        goto fail;
    cJSON *o = row_json(r, &row, now);
    cJSON_AddStringToObject(o, "notes", row.q.notes ? row.q.notes : "");
    cJSON_AddStringToObject(o, "currency", row.q.currency);
    found = row.q.customer_id > 0 ? store_customer_get(s, a, row.q.customer_id, &cust, &e) : 0;
    if (found < 0)
        goto fail_o;
    cJSON_AddItemToObject(o, "customer",
                          found ? http_customer_json(&cust) : cJSON_CreateNull());
    found = row.q.revision_of > 0 ? store_quote_get(s, a, row.q.revision_of, &from, &e) : 0;
    if (found < 0)
        goto fail_o;
    if (found) {
        cJSON *f = cJSON_AddObjectToObject(o, "revision_of");
        cJSON_AddNumberToObject(f, "id", (double)from.id);
        cJSON_AddStringToObject(f, "number", from.number);
    } else {
        cJSON_AddNullToObject(o, "revision_of");
    }
    struct revisions_ctx rc = {cJSON_AddArrayToObject(o, "revisions"), now};
    what = "listing the revisions of a quote";
    if (store_quote_revisions(s, a, id, revision_one, &rc, &e) < 0)
        goto fail_o;
    struct parts_ctx pc = {cJSON_AddArrayToObject(o, "parts"), decimals_of(row.q.currency)};
    what = "listing the parts of a quote";
    if (store_part_list(s, a, id, part_one, &pc, &e) != 0)
        goto fail_o;
    arena_free(a);
    return http_reply_json(r, status, o, NULL);
fail_o:
    cJSON_Delete(o);
fail:
    arena_free(a);
    return http_fail_internal(r, what, &e);
}

/* ---------------------------------------------------------------- input */

/* Member name as a positive id, or null (*out 0) when allow_null; *present
 * 0 when absent.  0, or the status sent. */
static int json_id(struct http_req *r, const cJSON *body, const char *name, int allow_null,
                   int64_t *out, int *present)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, name);
    *present = v != NULL;
    *out = 0;
    if (!v)
        return 0;
    if (cJSON_IsNull(v) && allow_null)
        return 0;
    if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > 9007199254740991.0 ||
        v->valuedouble != floor(v->valuedouble))
        return http_reply_error(r, 400, "invalid", name, NULL, "%s must be a customer's id%s",
                                name, allow_null ? " or null" : "");
    *out = (int64_t)v->valuedouble;
    return 0;
}

/* Member valid_until as a local day "YYYY-MM-DD" from the day of created
 * to ten years later, stored as the day's last second; *present 0 when
 * absent.  0, or the status sent. */
static int json_valid_until(struct http_req *r, const cJSON *body, int64_t created,
                            int64_t *out, int *present)
{
    const char *v;
    int64_t start, first, last;
    int st;
    *present = 0;
    if ((st = http_json_string(r, body, "valid_until", 0, 10, 10, &v)) != 0)
        return st;
    if (!v)
        return 0;
    if (parse_day(v, 1, &start) != 0)
        return http_reply_error(r, 400, "invalid", "valid_until", NULL,
                                "valid_until must be a date written YYYY-MM-DD, not '%s'", v);
    first = end_of_day_after(created, 0);
    last = end_of_day_after(created, 3653);
    if (start - 1 < first || start - 1 > last)
        return http_reply_error(r, 400, "invalid", "valid_until", NULL,
                                "valid_until must be from the day the quote was made to ten "
                                "years later, not %s",
                                v);
    *out = start - 1;
    *present = 1;
    return 0;
}

static int path_quote(struct http_req *r, int64_t *id)
{
    if (http_path_id(r, "id", id) != 0)
        return http_reply_error(r, 404, NULL, NULL, NULL, "no such quote: %s", r->path);
    return 0;
}

/* --------------------------------------------------------------- routes */

struct list_ctx {
    struct http_req *r;
    cJSON *arr;
    int64_t now;
};

static int list_one(const struct store_quote_row *row, void *ctx)
{
    struct list_ctx *c = ctx;
    cJSON_AddItemToArray(c->arr, row_json(c->r, row, c->now));
    return 0;
}

static int quotes_list(struct http_req *r)
{
    static const char *const known[] = {"q",  "status", "customer_id", "from", "to",
                                        "limit", "offset", NULL};
    static const char *const statuses[] = {"draft", "sent", "expired", "accepted", "rejected",
                                           NULL};
    char q[4 * 200 + 1], status[16], from[16], to[16];
    long long limit = 50, offset = 0, customer = 0;
    struct store_quote_filter f;
    struct store *s;
    struct err e = {""};
    int64_t total = 0;
    int st, has_q, has_status, has_from, has_to, ok = 0;
    memset(&f, 0, sizeof f);
    if ((st = http_query_only(r, known)) != 0 ||
        (st = http_query_string(r, "q", 200, q, sizeof q, &has_q)) != 0 ||
        (st = http_query_string(r, "status", 10, status, sizeof status, &has_status)) != 0 ||
        (st = http_query_int(r, "customer_id", 1, 999999999999999999LL, &customer)) != 0 ||
        (st = http_query_string(r, "from", 10, from, sizeof from, &has_from)) != 0 ||
        (st = http_query_string(r, "to", 10, to, sizeof to, &has_to)) != 0 ||
        (st = http_query_int(r, "limit", 1, 200, &limit)) != 0 ||
        (st = http_query_int(r, "offset", 0, 1000000000, &offset)) != 0)
        return st;
    for (const char *const *k = statuses; has_status && *k && !ok; k++)
        ok = !strcmp(*k, status);
    if (has_status && !ok)
        return http_reply_error(r, 400, "invalid", "status", NULL,
                                "status must be draft, sent, expired, accepted or rejected");
    if (has_from && parse_day(from, 0, &f.from) != 0)
        return http_reply_error(r, 400, "invalid", "from", NULL,
                                "from must be a date written YYYY-MM-DD");
    if (has_to && parse_day(to, 1, &f.to) != 0)
        return http_reply_error(r, 400, "invalid", "to", NULL,
                                "to must be a date written YYYY-MM-DD");
    if (has_from && has_to && f.to <= f.from)
        return http_reply_error(r, 400, "invalid", "to", NULL, "to must not be before from");
    if ((st = http_store_or_fail(r, &s)) != 0)
        return st;
    f.q = has_q ? q : NULL;
    f.status = has_status ? status : NULL;
    f.customer_id = customer;
    f.now = now_s();
    f.limit = (int)limit;
    f.offset = (int)offset;
    struct arena *a = arena_new(0);
    cJSON *o = cJSON_CreateObject();
    struct list_ctx ctx = {r, cJSON_AddArrayToObject(o, "quotes"), f.now};
    if (store_quote_list(s, a, &f, list_one, &ctx, &total, &e) != 0) {
        arena_free(a);
        cJSON_Delete(o);
        return http_fail_internal(r, "listing quotes", &e);
    }
    arena_free(a);
    cJSON_AddNumberToObject(o, "total", (double)total);
    cJSON_AddNumberToObject(o, "limit", (double)limit);
    cJSON_AddNumberToObject(o, "offset", (double)offset);
    return http_reply_json(r, 200, o, NULL);
}

static int quotes_create(struct http_req *r)
{
    static const char *const known[] = {"customer_id", "notes", "valid_until", NULL};
    cJSON *body = NULL;
    struct store_quote_init in;
    struct store_quote q;
    struct store *s;
    struct err e = {""};
    int64_t now = now_s(), until = 0;
    int st, has_customer, has_until;
    memset(&in, 0, sizeof in);
    if ((st = http_read_json(r, QUOTE_BODY_MAX, &body)) != 0)
        return st;
    if ((st = http_json_only(r, body, known)) != 0 ||
        (st = json_id(r, body, "customer_id", 1, &in.customer_id, &has_customer)) != 0 ||
        (st = http_json_string(r, body, "notes", 0, 0, STORE_CUSTOMER_NOTES_MAX, &in.notes)) !=
            0 ||
        (st = json_valid_until(r, body, now, &until, &has_until)) != 0 ||
        (st = http_store_or_fail(r, &s)) != 0)
        goto done;
    in.created_by = r->auth.user.id;
    in.currency = r->srv->currency;
    in.when = now;
    in.valid_until = has_until ? until : default_valid_until(r, now);
    int rc = store_quote_new(s, &in, &q, &e);
    if (rc == STORE_QUOTE_NO_CUSTOMER) {
        st = http_reply_error(r, 400, "invalid", "customer_id", NULL, "%s", e.msg);
        goto done;
    }
    if (rc != 0) {
        st = http_fail_internal(r, "making a quote", &e);
        goto done;
    }
    http_audit(r, r->auth.user.name, "quote.create", "%s", q.number);
    st = reply_quote(r, s, q.id, 201);
done:
    cJSON_Delete(body);
    return st;
}

static int quotes_get(struct http_req *r)
{
    struct store *s;
    int64_t id;
    int st;
    if ((st = path_quote(r, &id)) != 0 || (st = http_store_or_fail(r, &s)) != 0)
        return st;
    return reply_quote(r, s, id, 200);
}

static int quotes_patch(struct http_req *r)
{
    static const char *const known[] = {"customer_id", "notes", "valid_until", "status", NULL};
    cJSON *body = NULL;
    struct store_quote_change ch = {NULL, NULL, NULL, NULL};
    struct store_quote q;
    struct store *s;
    struct err e = {""};
    struct arena *a = arena_new(0);
    char from[16];
    int64_t id, customer = 0, until = 0;
    int st, has_customer, has_until;
    if ((st = path_quote(r, &id)) != 0 || (st = http_store_or_fail(r, &s)) != 0)
        goto done;
    int found = store_quote_get(s, a, id, &q, &e);
    if (found <= 0) {
        st = found == 0 ? http_reply_error(r, 404, NULL, NULL, NULL, "no such quote: %lld",
                                           (long long)id)
                        : http_fail_internal(r, "reading a quote", &e);
        goto done;
    }
    if ((st = http_read_json(r, QUOTE_BODY_MAX, &body)) != 0)
        goto done;
    if ((st = http_json_only(r, body, known)) != 0 ||
        (st = json_id(r, body, "customer_id", 1, &customer, &has_customer)) != 0 ||
        (st = http_json_string(r, body, "notes", 0, 0, STORE_CUSTOMER_NOTES_MAX, &ch.notes)) !=
            0 ||
        (st = json_valid_until(r, body, q.created, &until, &has_until)) != 0 ||
        (st = http_json_string(r, body, "status", 0, 1, 16, &ch.status)) != 0)
        goto done;
    if (ch.status && strcmp(ch.status, "sent") && strcmp(ch.status, "accepted") &&
        strcmp(ch.status, "rejected") && strcmp(ch.status, "draft")) {
        st = http_reply_error(r, 400, "invalid", "status", NULL,
                              "status must be sent, accepted or rejected (a quote shows as "
                              "expired by itself once its validity has passed)");
        goto done;
    }
    if (!has_customer && !ch.notes && !has_until && !ch.status) {
        st = http_reply_error(r, 400, "invalid", NULL, NULL,
                              "nothing to change: send customer_id, notes, valid_until or "
                              "status");
        goto done;
    }
    ch.customer_id = has_customer ? &customer : NULL;
    ch.valid_until = has_until ? &until : NULL;
    int rc = store_quote_update(s, id, &ch, now_s(), from, &e);
    switch (rc) {
    case 1:
        break;
    case 0:
        st = http_reply_error(r, 404, NULL, NULL, NULL, "no such quote: %lld", (long long)id);
        goto done;
    case STORE_QUOTE_NO_CUSTOMER:
        st = http_reply_error(r, 400, "invalid", "customer_id", NULL, "%s", e.msg);
        goto done;
    case STORE_QUOTE_REVISE:
        st = http_reply_error(r, 409, "revise", NULL, NULL,
                              "%s was %s; revise it (POST /api/quotes/%lld/revise) to change it",
                              q.number, from, (long long)id);
        goto done;
    case STORE_QUOTE_TRANSITION:
        st = http_reply_error(r, 409, "status", "status", NULL, "%s", e.msg);
        goto done;
    default:
        st = http_fail_internal(r, "changing a quote", &e);
        goto done;
    }
    /* q is the quote before: only what differs is recorded. */
    int new_customer = has_customer && customer != q.customer_id;
    int new_notes = ch.notes && strcmp(ch.notes, q.notes ? q.notes : "") != 0;
    int new_until = has_until && until != q.valid_until;
    if (new_customer || new_notes || new_until)
        http_audit(r, r->auth.user.name, "quote.update", "%s:%s%s%s", q.number,
                   new_customer ? " customer" : "", new_notes ? " notes" : "",
                   new_until ? " valid_until" : "");
    if (ch.status && strcmp(ch.status, from) != 0)
        http_audit(r, r->auth.user.name, "quote.status", "%s: %s -> %s", q.number, from,
                   ch.status);
    st = reply_quote(r, s, id, 200);
done:
    arena_free(a);
    cJSON_Delete(body);
    return st;
}

/* The previews of the parts of a copy, to be given names of their own. */
struct own_ctx {
    struct arena *a; /* the paths */
    size_t n, cap;
    struct own_part {
        int64_t id;
        const char *preview, *thumb;
    } *p; /* malloc'd */
};

static int own_collect(const struct store_part *p, void *ctx)
{
    struct own_ctx *c = ctx;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->p = xrealloc(c->p, c->cap * sizeof *c->p);
    }
    c->p[c->n++] = (struct own_part){p->id, p->preview_path, p->thumb_path};
    return 0;
}

/* DATA/rel hard-linked as DATA/previews/<id>-<kind>.png, whose relative
 * name goes into out (64 bytes): 1, or 0 when there is nothing to link
 * (the part is shown without that preview until it is drawn again). */
static int own_link(const struct http_server *srv, const char *rel, int64_t id, const char *kind,
                    char out[64])
{
    char from[4096], to[4096];
    snprintf(out, 64, "previews/%lld-%s.png", (long long)id, kind);
    if (!rel)
        return 0;
    snprintf(from, sizeof from, "%s/%s", srv->data_dir, rel);
    snprintf(to, sizeof to, "%s/%s", srv->data_dir, out);
    unlink(to); /* a deleted part's whose id came back */
    if (link(from, to) == 0)
        return 1;
    if (errno != ENOENT)
        log_warn("preview of a copied part not linked", "from=%s to=%s error=\"%s\"", rel, out,
                 strerror(errno));
    return 0;
}

/* Gives every part of quote id previews of its own (invariant 3). */
static void own_previews(struct http_req *r, struct store *s, int64_t id)
{
    struct own_ctx c = {arena_new(0), 0, 0, NULL};
    struct err e = {""};
    if (store_part_list(s, c.a, id, own_collect, &c, &e) != 0)
        log_warn("previews of a copied quote not listed", "quote=%lld error=\"%s\"",
                 (long long)id, e.msg);
    for (size_t i = 0; i < c.n; i++) {
        char detail[64], thumb[64];
        int has_detail = own_link(r->srv, c.p[i].preview, c.p[i].id, "detail", detail);
        int has_thumb = own_link(r->srv, c.p[i].thumb, c.p[i].id, "thumb", thumb);
        if (store_part_set_previews(s, c.p[i].id, has_detail ? detail : NULL,
                                    has_thumb ? thumb : NULL, &e) < 0)
            log_warn("previews of a copied part not set", "part=%lld error=\"%s\"",
                     (long long)c.p[i].id, e.msg);
    }
    free(c.p);
    arena_free(c.a);
}

/* POST .../duplicate and .../revise: the body is empty or {}. */
static int quotes_copy(struct http_req *r, int revise)
{
    static const char *const known[] = {NULL};
    struct store_quote q, made;
    struct store *s;
    struct err e = {""};
    struct arena *a = arena_new(0);
    cJSON *body = NULL;
    int64_t id, copy = 0;
    int st;
    if ((st = path_quote(r, &id)) != 0 || (st = http_store_or_fail(r, &s)) != 0)
        goto done;
    if (r->ri->content_length != 0 &&
        ((st = http_read_json(r, 1024, &body)) != 0 || (st = http_json_only(r, body, known))))
        goto done;
    int found = store_quote_get(s, a, id, &q, &e);
    if (found <= 0) {
        st = found == 0 ? http_reply_error(r, 404, NULL, NULL, NULL, "no such quote: %lld",
                                           (long long)id)
                        : http_fail_internal(r, "reading a quote", &e);
        goto done;
    }
    int64_t until = default_valid_until(r, now_s());
    int rc = revise ? store_quote_revise(s, id, r->auth.user.id, until, &copy, &e)
                    : store_quote_duplicate(s, id, r->auth.user.id, until, &copy, &e);
    switch (rc) {
    case 1:
        break;
    case 0:
        st = http_reply_error(r, 404, NULL, NULL, NULL, "no such quote: %lld", (long long)id);
        goto done;
    case STORE_QUOTE_BUSY:
        st = http_reply_error(r, 409, "busy", NULL, NULL, "%s", e.msg);
        goto done;
    case STORE_QUOTE_REVISE:
    case STORE_QUOTE_LETTERS:
        st = http_reply_error(r, 409, NULL, NULL, NULL, "%s", e.msg);
        goto done;
    default:
        st = http_fail_internal(r, revise ? "revising a quote" : "duplicating a quote", &e);
        goto done;
    }
    own_previews(r, s, copy);
    if (store_quote_get(s, a, copy, &made, &e) == 1)
        http_audit(r, r->auth.user.name, revise ? "quote.revise" : "quote.duplicate",
                   "%s -> %s", q.number, made.number);
    log_info(revise ? "quote revised" : "quote duplicated", "from=%s id=%lld", q.number,
             (long long)copy);
    st = reply_quote(r, s, copy, 201);
done:
    arena_free(a);
    cJSON_Delete(body);
    return st;
}

static int quotes_duplicate(struct http_req *r)
{
    return quotes_copy(r, 0);
}

static int quotes_revise(struct http_req *r)
{
    return quotes_copy(r, 1);
}

const struct http_route http_routes_quotes[] = {
    {"GET", "/api/quotes", HTTP_ROLE_SALES, quotes_list, NULL},
    {"POST", "/api/quotes", HTTP_ROLE_SALES, quotes_create, NULL},
    {"GET", "/api/quotes/{id}", HTTP_ROLE_SALES, quotes_get, NULL},
    {"PATCH", "/api/quotes/{id}", HTTP_ROLE_SALES, quotes_patch, NULL},
    {"POST", "/api/quotes/{id}/duplicate", HTTP_ROLE_SALES, quotes_duplicate, NULL},
    {"POST", "/api/quotes/{id}/revise", HTTP_ROLE_SALES, quotes_revise, NULL},
    {NULL, NULL, HTTP_ROLE_NONE, NULL, NULL},
};
