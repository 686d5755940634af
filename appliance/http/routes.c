/*
 * routes.c - finds the route of a request in the route tables: method,
 * path pattern, required role, handler.  Every request CivetWeb receives is
 * looked up here.
 *
 * Each file that serves a set of paths declares its own table next to its
 * handlers (ops.c, auth.c, ...), so engineers adding routes never edit one
 * shared list; the tables are named in tables[] below, and a new one is one
 * line there.  Patterns are absolute paths whose segments are literal or
 * "{name}" (one non-empty segment).  A route may instead carry a match
 * function, for a set of paths that comes from data (the embedded assets).
 * Tables are searched in order and the first route that fits both method
 * and path wins; GET routes answer HEAD as well.  The pattern, never the
 * raw path, names the route in metrics, so the number of label values
 * stays bounded by the size of the tables.
 */
#include <string.h>

#include "http/internal.h"

/* The route tables, searched in this order.  The ops table comes last: its
 * "/{asset}" route answers for every embedded file name. */
static const struct http_route *const tables[] = {
    http_routes_auth,
    http_routes_users,
    http_routes_admin,
    http_routes_backups,
    http_routes_quotes,
    http_routes_customers,
    http_routes_upload,
    http_routes_pdf,
    http_routes_parts,
    http_routes_jobs,
    http_routes_system,
    http_routes_ops,
    NULL,
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
    for (const struct http_route *const *t = tables; *t; t++)
        for (const struct http_route *rt = *t; rt->method; rt++) {
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

const char *http_path_param(const struct http_req *r, const char *name, size_t *len)
{
    const char *p = r->rt ? r->rt->pattern : NULL, *s = r->path;
    size_t nl = strlen(name);
    if (!p || r->rt->match)
        return NULL;
    while (*p && *s) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            const char *start = s;
            while (*s && *s != '/')
                s++;
            if (!close)
                return NULL;
            if ((size_t)(close - p - 1) == nl && !memcmp(p + 1, name, nl)) {
                *len = (size_t)(s - start);
                return start;
            }
            p = close + 1;
            continue;
        }
        if (*p != *s)
            return NULL;
        p++;
        s++;
    }
    return NULL;
}

int http_path_id(const struct http_req *r, const char *name, int64_t *id)
{
    size_t n;
    const char *v = http_path_param(r, name, &n);
    int64_t x = 0;
    if (!v || n == 0 || n > 18 || v[0] == '0')
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        x = x * 10 + (v[i] - '0');
    }
    *id = x;
    return 0;
}

int http_routes_print(FILE *out)
{
    static const char *const roles[] = {"none", "sales", "admin"};
    for (const struct http_route *const *t = tables; *t; t++)
        for (const struct http_route *rt = *t; rt->method; rt++)
            fprintf(out, "%s\t%s\t%s\n", rt->method, rt->pattern, roles[rt->role]);
    return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
