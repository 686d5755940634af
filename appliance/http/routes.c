/*
 * routes.c - the one table of routes: method, path pattern, required role,
 * handler.  Every request CivetWeb receives is looked up here.
 *
 * Patterns are absolute paths whose segments are literal or "{name}" (one
 * non-empty segment).  A route may instead carry a match function, for a
 * set of paths that comes from data (the embedded assets).  The first route
 * that fits both method and path wins; GET routes answer HEAD as well.  The
 * pattern, never the raw path, names the route in metrics, so the number of
 * label values stays bounded by the size of this table.
 */
#include <string.h>

#include "http/internal.h"

static const struct http_route routes[] = {
    {"GET", "/", HTTP_ROLE_NONE, http_assets_get, NULL},
    {"GET", "/health", HTTP_ROLE_NONE, http_ops_health, NULL},
    {"GET", "/metrics", HTTP_ROLE_NONE, http_ops_metrics, NULL},
    {"GET", "/{asset}", HTTP_ROLE_NONE, http_assets_get, http_assets_match},
    {NULL, NULL, HTTP_ROLE_NONE, NULL, NULL},
};

int http_route_match(const char *pattern, const char *path)
{
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            if (!close || *s == '/')
                return 0;
            p = close + 1;
            while (*s && *s != '/')
                s++;
            continue;
        }
        if (*p != *s)
            return 0;
        p++;
        s++;
    }
    return *p == '\0' && *s == '\0';
}

static int path_fits(const struct http_route *rt, const char *path)
{
    return rt->match ? rt->match(path) : http_route_match(rt->pattern, path);
}

static int method_fits(const struct http_route *rt, const char *method)
{
    return !strcmp(rt->method, method) || (!strcmp(rt->method, "GET") && !strcmp(method, "HEAD"));
}

/* Appends name to the comma-separated list in buf unless it is there. */
static void allow_add(char *buf, size_t n, const char *name)
{
    size_t len = strlen(buf), nl = strlen(name);
    for (const char *p = buf; (p = strstr(p, name)) != NULL; p += nl)
        if ((p == buf || p[-1] == ' ') && (p[nl] == ',' || p[nl] == '\0'))
            return;
    if (len + nl + 3 > n)
        return;
    if (len) {
        memcpy(buf + len, ", ", 2);
        len += 2;
    }
    memcpy(buf + len, name, nl + 1);
}

enum http_find http_route_find(const char *method, const char *path,
                               const struct http_route **route, char *allow, size_t allow_n)
{
    const struct http_route *first = NULL;
    if (allow_n)
        allow[0] = '\0';
    for (const struct http_route *rt = routes; rt->method; rt++) {
        if (!path_fits(rt, path))
            continue;
        if (method_fits(rt, method)) {
            *route = rt;
            return HTTP_FOUND;
        }
        if (!first)
            first = rt;
        allow_add(allow, allow_n, rt->method);
        if (!strcmp(rt->method, "GET"))
            allow_add(allow, allow_n, "HEAD");
    }
    *route = first;
    return first ? HTTP_NO_METHOD : HTTP_NO_PATH;
}
