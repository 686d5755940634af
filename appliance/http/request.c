/*
 * request.c - reading what a client sent: the body (capped), a JSON object
 * body, and its members checked for type, length and range.
 *
 * Every helper that can refuse input answers the request itself with the
 * one error shape (reply.c), naming the field at fault, and returns that
 * status; 0 means the value is good and the handler goes on.  A handler
 * therefore reads
 *     if ((st = http_json_string(r, body, "username", 1, 1, 63, &name)))
 *         return st;
 *
 * Limits: a body is read only up to the cap the route gives (past it: 413
 * with the limit in the message); JSON bodies must say Content-Type
 * application/json (a form posted from another site cannot), be an
 * object, and hold no member the route does not know (a typo is an error,
 * not a silent no-op).  Strings must be valid UTF-8 without NUL (cJSON
 * stops at a NUL, which would hide the rest).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http/internal.h"

int http_read_body(struct http_req *r, size_t max, char **out, size_t *len)
{
    long long declared = r->ri ? r->ri->content_length : -1;
    *out = NULL;
    *len = 0;
    if (declared > (long long)max)
        return http_reply_error(r, 413, NULL, NULL, NULL,
                                "the request body is %lld bytes; at most %zu are accepted here",
                                declared, max);
    size_t cap = declared >= 0 ? (size_t)declared : 4096, n = 0;
    char *buf = xmalloc(cap + 1);
    while (declared != 0) {
        if (n == cap) {
            if (cap > max) {
                free(buf);
                return http_reply_error(r, 413, NULL, NULL, NULL,
                                        "the request body is larger than the %zu bytes accepted "
                                        "here",
                                        max);
            }
            cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
            buf = xrealloc(buf, cap + 1);
        }
        int got = mg_read(r->conn, buf + n, cap - n);
        if (got < 0) {
            free(buf);
            return http_reply_error(r, 400, NULL, NULL, NULL,
                                    "the request body could not be read to its end");
        }
        if (got == 0)
            break;
        n += (size_t)got;
        if (declared >= 0 && n >= (size_t)declared)
            break;
    }
    if (n > max) {
        free(buf);
        return http_reply_error(r, 413, NULL, NULL, NULL,
                                "the request body is larger than the %zu bytes accepted here",
                                max);
    }
    if (declared >= 0 && n < (size_t)declared) {
        free(buf);
        return http_reply_error(r, 400, NULL, NULL, NULL,
                                "the request body ended after %zu of %lld bytes", n, declared);
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

/* 1 when the Content-Type header is media type (parameters allowed). */
int http_content_type_is(const struct http_req *r, const char *type)
{
    const char *ct = http_header(r, "Content-Type");
    size_t n = strlen(type);
    if (!ct)
        return 0;
    while (*ct == ' ')
        ct++;
    return !strncasecmp(ct, type, n) && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

int http_utf8_valid(const void *text, size_t n)
{
    const unsigned char *s = text;
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t k;
        unsigned min, cp;
        if (c == 0)
            return 0;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            k = 1, min = 0x80, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
            k = 2, min = 0x800, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
            k = 3, min = 0x10000, cp = c & 0x07;
        else
            return 0;
        if (n - i <= k)
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + j] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += k + 1;
    }
    return 1;
}

int http_read_json(struct http_req *r, size_t max, cJSON **out)
{
    char *text;
    size_t len;
    int st;
    *out = NULL;
    if (!http_content_type_is(r, "application/json"))
        return http_reply_error(r, 415, NULL, NULL, NULL,
                                "send the body as JSON with Content-Type: application/json");
    if ((st = http_read_body(r, max, &text, &len)) != 0)
        return st;
    if (!http_utf8_valid(text, len)) {
        free(text);
        return http_reply_error(r, 400, NULL, NULL, NULL,
                                "the body is not valid UTF-8 text (or holds a NUL byte)");
    }
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!j) {
        size_t at = end && end >= text ? (size_t)(end - text) : 0;
        free(text);
        return http_reply_error(r, 400, NULL, NULL, NULL,
                                "the body is not valid JSON (near byte %zu)", at);
    }
    free(text);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return http_reply_error(r, 400, NULL, NULL, NULL, "the body must be a JSON object");
    }
    *out = j;
    return 0;
}

int http_json_only(struct http_req *r, const cJSON *obj, const char *const *known)
{
    for (const cJSON *it = obj->child; it; it = it->next) {
        int ok = 0;
        for (const char *const *k = known; *k && !ok; k++)
            ok = !strcmp(*k, it->string);
        if (!ok)
            return http_reply_error(r, 400, "invalid", it->string, NULL,
                                    "unknown field '%s'", it->string);
    }
    for (const cJSON *it = obj->child; it; it = it->next)
        for (const cJSON *o = it->next; o; o = o->next)
            if (!strcmp(it->string, o->string))
                return http_reply_error(r, 400, "invalid", it->string, NULL,
                                        "field '%s' appears twice", it->string);
    return 0;
}

/* Characters, not bytes, of UTF-8 text. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

int http_json_string(struct http_req *r, const cJSON *obj, const char *name, int required,
                     size_t min, size_t max, const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    *out = NULL;
    if (!v || cJSON_IsNull(v)) {
        if (required)
            return http_reply_error(r, 400, "invalid", name, NULL, "%s is required", name);
        return 0;
    }
    if (!cJSON_IsString(v) || !v->valuestring)
        return http_reply_error(r, 400, "invalid", name, NULL, "%s must be a string", name);
    size_t n = utf8_chars(v->valuestring);
    if (n < min || n > max) {
        if (min == max)
            return http_reply_error(r, 400, "invalid", name, NULL,
                                    "%s must be %zu characters long", name, min);
        return http_reply_error(r, 400, "invalid", name, NULL,
                                "%s must be %zu to %zu characters long, not %zu", name, min, max,
                                n);
    }
    *out = v->valuestring;
    return 0;
}

int http_json_bool(struct http_req *r, const cJSON *obj, const char *name, int *out, int *present)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    *present = 0;
    if (!v)
        return 0;
    if (!cJSON_IsBool(v))
        return http_reply_error(r, 400, "invalid", name, NULL, "%s must be true or false", name);
    *out = cJSON_IsTrue(v);
    *present = 1;
    return 0;
}

int http_json_number(struct http_req *r, const cJSON *v, const char *field, double min,
                     double max, int min_open, double *out)
{
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return http_reply_error(r, 400, "invalid", field, NULL, "%s must be a number", field);
    double x = v->valuedouble;
    if (x < min || x > max || (min_open && x == min))
        return http_reply_error(r, 400, "invalid", field, NULL,
                                "%s must be %s %g and at most %g, not %g", field,
                                min_open ? "above" : "from", min, max, x);
    *out = x;
    return 0;
}

/* ------------------------------------------------------------- answers */

void http_json_time(cJSON *obj, const char *name, int64_t t)
{
    char buf[32];
    time_t tt = (time_t)t;
    struct tm tm;
    if (t <= 0 || !gmtime_r(&tt, &tm)) {
        cJSON_AddNullToObject(obj, name);
        return;
    }
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    cJSON_AddStringToObject(obj, name, buf);
}

cJSON *http_user_json(const struct store_user *u)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)u->id);
    cJSON_AddStringToObject(o, "username", u->name);
    cJSON_AddStringToObject(o, "role", store_role_name(u->role));
    cJSON_AddBoolToObject(o, "disabled", u->disabled);
    http_json_time(o, "created", u->created);
    http_json_time(o, "last_login", u->last_login);
    return o;
}

int http_store_or_fail(struct http_req *r, struct store **s)
{
    struct err e = {""};
    if (http_req_store(r, s, &e) == 0)
        return 0;
    log_error("database unavailable", "error=\"%s\"", e.msg);
    return http_reply_error(r, 503, NULL, NULL, "Retry-After: 5\r\n",
                            "the database cannot be opened right now; try again shortly");
}

int http_fail_internal(struct http_req *r, const char *what, const struct err *e)
{
    char q[600];
    log_error(what, "path=%s error=%s", r->path, log_q(q, sizeof q, e->msg));
    return http_reply_error(r, 500, NULL, NULL, NULL, "%s: %s", what, e->msg);
}

void http_audit(struct http_req *r, const char *user, const char *action, const char *fmt, ...)
{
    char detail[1024];
    struct store *s;
    struct err e = {""};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    if (http_req_store(r, &s, &e) != 0 || store_audit(s, user, action, detail, &e) != 0) {
        char q[600];
        log_error("audit log not written", "action=%s error=%s", action,
                  log_q(q, sizeof q, e.msg));
    }
}

int http_query(const struct http_req *r, const char *name, char *buf, size_t n)
{
    const char *qs = r->ri ? r->ri->query_string : NULL;
    if (n)
        buf[0] = '\0';
    if (!qs || !n)
        return 0;
    /* -1 absent, -2 too long (or n 0), else the decoded length. */
    int k = mg_get_var(qs, strlen(qs), name, buf, n);
    if (k == -1)
        return 0;
    if (k < 0) {
        buf[0] = '\0';
        return -1;
    }
    return 1;
}

/* ------------------------------------------------------ query parameters */

int http_query_only(struct http_req *r, const char *const *known)
{
    const char *q = r->ri ? r->ri->query_string : NULL;
    while (q && *q) {
        size_t n = strcspn(q, "=&");
        int ok = n == 0;
        for (const char *const *k = known; *k && !ok; k++)
            ok = strlen(*k) == n && !strncmp(*k, q, n);
        if (!ok)
            return http_reply_error(r, 400, "invalid", NULL, NULL,
                                    "unknown query parameter '%.*s'", (int)(n > 64 ? 64 : n), q);
        /* A NUL would cut the decoded value short without a trace.  The
         * name is a known one here, so it fits. */
        size_t end = strcspn(q, "&");
        for (size_t i = n; i + 3 <= end; i++)
            if (q[i] == '%' && q[i + 1] == '0' && q[i + 2] == '0') {
                char field[64];
                snprintf(field, sizeof field, "%.*s", (int)n, q);
                return http_reply_error(r, 400, "invalid", field, NULL,
                                        "%s holds a NUL byte (%%00)", field);
            }
        q += end;
        if (*q == '&')
            q++;
    }
    return 0;
}

int http_query_string(struct http_req *r, const char *name, size_t max, char *buf, size_t n,
                      int *present)
{
    int got = http_query(r, name, buf, n);
    *present = 0;
    if (got == 0)
        return 0;
    /* A %00 in the value is refused by http_query_only(). */
    if (got < 0 || !http_utf8_valid(buf, strlen(buf)) || utf8_chars(buf) > max)
        return http_reply_error(r, 400, "invalid", name, NULL,
                                "%s must be text of at most %zu characters (UTF-8)", name, max);
    *present = 1;
    return 0;
}

int http_query_int(struct http_req *r, const char *name, long long min, long long max,
                   long long *out)
{
    char buf[32], *end;
    int present, st;
    if ((st = http_query_string(r, name, 20, buf, sizeof buf, &present)) != 0 || !present)
        return st;
    errno = 0;
    long long v = strtoll(buf, &end, 10);
    if (!buf[0] || *end || errno || v < min || v > max || buf[0] == '+' || buf[0] == ' ')
        return http_reply_error(r, 400, "invalid", name, NULL,
                                "%s must be a whole number from %lld to %lld", name, min, max);
    *out = v;
    return 0;
}

void http_json_text(cJSON *obj, const char *name, const char *s)
{
    if (s)
        cJSON_AddStringToObject(obj, name, s);
    else
        cJSON_AddNullToObject(obj, name);
}
