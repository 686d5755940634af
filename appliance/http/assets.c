/*
 * assets.c - serves the web/ files compiled into the binary (embed_web).
 *
 * "/" and "/setup" (the first-start link) are index.html; "/NAME" is the
 * embedded file NAME, nothing else: the
 * table is the whole namespace, so no request can reach the file system.
 * Each file goes out with its Content-Type (by extension), its build-time
 * ETag and Cache-Control: no-cache (revalidate every time; names carry no
 * content hash, so an upgraded binary must never be hidden behind a
 * cached copy, and a 304 costs one round trip and no body).  When the
 * client accepts gzip and the build made a smaller gzip copy, that copy is
 * sent with Content-Encoding: gzip and its own ETag ("<etag>-gz"), since a
 * different representation needs a different validator.  Files with a gzip
 * copy always say Vary: Accept-Encoding.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/internal.h"

extern const struct embed_file embed_web[];

static const struct {
    const char *ext, *type;
} types[] = {
    {"html", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"json", "application/json"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"ico", "image/x-icon"},
    {"woff2", "font/woff2"},
    {"txt", "text/plain; charset=utf-8"},
};

const char *http_content_type(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (dot && !strchr(dot, '/'))
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (!strcasecmp(dot + 1, types[i].ext))
                return types[i].type;
    return "application/octet-stream";
}

/* Skips spaces and tabs. */
static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

int http_accepts_gzip(const char *accept_encoding)
{
    double gzip_q = -1, star_q = -1;
    const char *p = accept_encoding;
    if (!p)
        return 0;
    while (*p) {
        p = skip_ws(p);
        size_t n = strcspn(p, ",; \t");
        int is_gzip =
            (n == 4 && !strncasecmp(p, "gzip", 4)) || (n == 6 && !strncasecmp(p, "x-gzip", 6));
        int is_star = n == 1 && *p == '*';
        double q = 1;
        p += n;
        /* Parameters up to the next coding; only q matters. */
        while (*p && *p != ',') {
            p = skip_ws(p);
            if (*p == ';') {
                p = skip_ws(p + 1);
                if ((p[0] == 'q' || p[0] == 'Q') && p[1] == '=')
                    q = strtod(p + 2, NULL);
            }
            p += strcspn(p, ";,");
        }
        if (is_gzip)
            gzip_q = q;
        else if (is_star)
            star_q = q;
        if (*p == ',')
            p++;
    }
    /* An explicit gzip entry overrides the wildcard. */
    return (gzip_q >= 0 ? gzip_q : star_q) > 0;
}

int http_etag_matches(const char *if_none_match, const char *etag)
{
    const char *p = if_none_match;
    size_t elen = strlen(etag);
    if (!p)
        return 0;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (!*p)
            return 0;
        if (*p == '*')
            return 1;
        if (p[0] == 'W' && p[1] == '/')
            p += 2;
        if (*p != '"')
            return 0; /* malformed: no match rather than a guess */
        const char *close = strchr(p + 1, '"');
        if (!close)
            return 0;
        size_t n = (size_t)(close - p) + 1;
        if (n == elen && !memcmp(p, etag, n))
            return 1;
        p = close + 1;
    }
}

int http_assets_match(const char *path)
{
    return path[0] == '/' && path[1] && embed_find(embed_web, path + 1) != NULL;
}

int http_assets_get(struct http_req *r)
{
    /* The setup link opens the UI's own page. */
    int shell = !strcmp(r->path, "/") || !strcmp(r->path, "/setup");
    const char *name = shell ? "index.html" : r->path + 1;
    const struct embed_file *f = embed_find(embed_web, name);
    if (!f)
        return http_reply_error(r, 404, NULL, NULL, NULL, "no such file: %s", r->path);

    /* "<etag>-gz" inside the quotes of the build-time tag. */
    char gz_etag[128] = "";
    size_t elen = strlen(f->etag);
    if (f->gz && elen >= 2 && elen + 3 < sizeof gz_etag) {
        memcpy(gz_etag, f->etag, elen - 1);
        memcpy(gz_etag + elen - 1, "-gz\"", 5);
    }
    int gz = gz_etag[0] && http_accepts_gzip(http_header(r, "Accept-Encoding"));
    const char *vary = f->gz ? "Vary: Accept-Encoding\r\n" : "";
    char extra[384];

    const char *inm = http_header(r, "If-None-Match");
    const char *matched = NULL;
    if (inm && http_etag_matches(inm, f->etag))
        matched = f->etag;
    else if (inm && gz_etag[0] && http_etag_matches(inm, gz_etag))
        matched = gz_etag;
    if (matched) {
        snprintf(extra, sizeof extra, "ETag: %s\r\nCache-Control: no-cache\r\n%s", matched, vary);
        return http_reply(r, 304, NULL, extra, NULL, 0);
    }

    snprintf(extra, sizeof extra, "ETag: %s\r\nCache-Control: no-cache\r\n%s%s",
             gz ? gz_etag : f->etag, vary, gz ? "Content-Encoding: gzip\r\n" : "");
    return http_reply(r, 200, http_content_type(name), extra, gz ? f->gz : f->data,
                      gz ? f->gz_len : f->len);
}
