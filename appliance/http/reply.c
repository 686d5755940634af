/*
 * reply.c - the one way a response leaves the server.
 *
 * http_reply() writes the status line, the security headers, Date,
 * Content-Type, Content-Length, Cache-Control and Connection, then the body.
 * Because nothing else writes to a connection (CivetWeb's own error pages
 * are routed here too, see server.c), no response can miss the security
 * headers.  The policy allows scripts, styles, fonts and connections only
 * from the appliance itself, images also from data: and blob: URLs (the
 * previews), and no framing, plugins, <base> or foreign form targets.
 *
 * Responses are complete and closed: keep-alive is off (server.c), so every
 * reply says Connection: close.  Cache-Control is no-store unless the
 * caller's extra headers set it.
 *
 * A body that is made while it is sent (a drawing inflated on the fly, a
 * stream of Server-Sent Events) goes out through http_reply_begin() and
 * http_reply_write(): the same head, once, then the pieces.  Without a
 * Content-Length the body ends when the connection closes, which is
 * always the case here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http/internal.h"

#define SECURITY_HEADERS                                                                           \
    "Content-Security-Policy: default-src 'self'; img-src 'self' data: blob:; "                    \
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'\r\n"           \
    "X-Content-Type-Options: nosniff\r\n"                                                          \
    "Referrer-Policy: no-referrer\r\n"                                                             \
    "X-Frame-Options: DENY\r\n"

/* The status line and headers of a reply of len body bytes. */
static void send_head(struct http_req *r, int status, const char *content_type,
                      const char *extra, size_t len)
{
    int not_modified = status == 304;
    char date[64], type[160] = "", length[48] = "";
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (!extra)
        extra = "";
    /* A 304 describes the cached representation: no type, no length. */
    if (!not_modified) {
        if (content_type)
            snprintf(type, sizeof type, "Content-Type: %s\r\n", content_type);
        if (len != HTTP_NO_LENGTH)
            snprintf(length, sizeof length, "Content-Length: %zu\r\n", len);
    }

    r->status = status;
    if (!r->counted) {
        r->counted = 1;
        http_ops_count(r, core_now() - r->t0);
    }
    mg_printf(r->conn,
              "HTTP/1.1 %d %s\r\n" SECURITY_HEADERS "Date: %s\r\n%s%s%s"
              "Connection: close\r\n%s\r\n",
              status, mg_get_response_code_text(r->conn, status), date, type, length,
              strstr(extra, "Cache-Control:") ? "" : "Cache-Control: no-store\r\n", extra);
    r->status = status;
    r->bytes = 0;
}

int http_reply(struct http_req *r, int status, const char *content_type, const char *extra,
               const void *body, size_t len)
{
    int no_body = r->head || status == 204 || status == 304;
    send_head(r, status, content_type, extra, len);
    if (!no_body && len) {
        int w = mg_write(r->conn, body, len);
        if (w > 0)
            r->bytes = w;
    }
    return status;
}

int http_reply_file(struct http_req *r, int status, const char *content_type,
                    const char *extra, int fd, size_t len)
{
    char buf[64 * 1024];
    send_head(r, status, content_type, extra, len);
    if (r->head)
        return status;
    /* The length is promised: a file that shrinks meanwhile ends the
     * connection short, which the client sees as a failed download. */
    size_t left = len;
    while (left > 0) {
        ssize_t got = read(fd, buf, left < sizeof buf ? left : sizeof buf);
        if (got <= 0)
            break;
        int w = mg_write(r->conn, buf, (size_t)got);
        if (w <= 0)
            break;
        r->bytes += w;
        left -= (size_t)got;
    }
    return status;
}

int http_reply_begin(struct http_req *r, int status, const char *content_type, const char *extra,
                     size_t len)
{
    send_head(r, status, content_type, extra, len);
    return status;
}

int http_reply_write(struct http_req *r, const void *buf, size_t n)
{
    if (r->head || n == 0)
        return 0;
    int w = mg_write(r->conn, buf, n);
    if (w <= 0 || (size_t)w != n)
        return -1;
    r->bytes += w;
    return 0;
}

int http_reply_json(struct http_req *r, int status, cJSON *obj, const char *extra)
{
    char *text = cJSON_PrintUnformatted(obj);
    cJSON_Delete(obj);
    if (!text)
        core_die("out of memory rendering a JSON reply");
    char lines[1024];
    snprintf(lines, sizeof lines, "Cache-Control: no-store\r\n%s", extra ? extra : "");
    http_reply(r, status, "application/json", lines, text, strlen(text));
    cJSON_free(text);
    return status;
}

const char *http_error_code(int status)
{
    switch (status) {
    case 401: return "unauthenticated";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 409: return "conflict";
    case 413: return "payload_too_large";
    case 415: return "unsupported_media_type";
    case 429: return "too_many_requests";
    case 503: return "unavailable";
    default: return status >= 500 ? "internal" : "bad_request";
    }
}

int http_reply_error(struct http_req *r, int status, const char *code, const char *field,
                     const char *extra, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON *obj = cJSON_CreateObject();
    cJSON *err = cJSON_AddObjectToObject(obj, "error");
    if (!err || !cJSON_AddStringToObject(err, "code", code ? code : http_error_code(status)) ||
        !cJSON_AddStringToObject(err, "message", msg) ||
        !(field ? cJSON_AddStringToObject(err, "field", field)
                : cJSON_AddNullToObject(err, "field")))
        core_die("out of memory building an error reply");
    return http_reply_json(r, status, obj, extra);
}

const char *http_header(const struct http_req *r, const char *name)
{
    return mg_get_header(r->conn, name);
}
