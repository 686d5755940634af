/*
 * test_http.c - the http module's pure parts: route patterns and lookup,
 * path parameters, Content-Type by extension, Accept-Encoding and
 * If-None-Match parsing, reading the catalog's CSV.
 * Every expectation follows from the rules in RFC 9110 (sections 8.4,
 * 12.5.3, 13.1.2) or from the route table as written in routes.c.
 */
#include <string.h>

#include "test.h"

#include "http/internal.h"

TEST(pattern_literal)
{
    CHECK(http_route_match("/health", "/health"));
    CHECK(!http_route_match("/health", "/health/"));
    CHECK(!http_route_match("/health", "/healthz"));
    CHECK(!http_route_match("/health", "/"));
    CHECK(http_route_match("/", "/"));
    CHECK(!http_route_match("/", ""));
}

TEST(pattern_placeholder)
{
    CHECK(http_route_match("/api/quotes/{id}", "/api/quotes/42"));
    CHECK(http_route_match("/api/quotes/{id}/pdf", "/api/quotes/42/pdf"));
    CHECK(!http_route_match("/api/quotes/{id}", "/api/quotes/"));    /* empty segment */
    CHECK(!http_route_match("/api/quotes/{id}", "/api/quotes/4/2")); /* two segments */
    CHECK(!http_route_match("/api/quotes/{id}/pdf", "/api/quotes/42"));
    CHECK(http_route_match("/{a}/{b}", "/x/y"));
    CHECK(!http_route_match("/{a}/{b}", "/x"));
}

TEST(find_routes)
{
    const struct http_route *rt = NULL;
    char allow[64];
    CHECK(http_route_find("GET", "/health", &rt, allow, sizeof allow) == HTTP_FOUND);
    CHECK(rt && !strcmp(rt->pattern, "/health") && rt->role == HTTP_ROLE_NONE);
    /* HEAD is answered by the GET route. */
    CHECK(http_route_find("HEAD", "/metrics", &rt, allow, sizeof allow) == HTTP_FOUND);
    CHECK(rt && !strcmp(rt->pattern, "/metrics"));
    CHECK(http_route_find("GET", "/", &rt, allow, sizeof allow) == HTTP_FOUND);
    CHECK(rt && !strcmp(rt->pattern, "/"));
    /* Embedded files share one label, whatever their name. */
    CHECK(http_route_find("GET", "/app.js", &rt, allow, sizeof allow) == HTTP_FOUND);
    CHECK(rt && !strcmp(rt->pattern, "/{asset}"));
    CHECK(http_route_find("GET", "/index.html", &rt, allow, sizeof allow) == HTTP_FOUND);
    CHECK(rt && !strcmp(rt->pattern, "/{asset}"));
}

TEST(find_misses)
{
    const struct http_route *rt = NULL;
    char allow[64];
    CHECK(http_route_find("GET", "/nope", &rt, allow, sizeof allow) == HTTP_NO_PATH);
    CHECK(rt == NULL);
    CHECK(http_route_find("GET", "/app.js/x", &rt, allow, sizeof allow) == HTTP_NO_PATH);
    CHECK(http_route_find("GET", "", &rt, allow, sizeof allow) == HTTP_NO_PATH);
    /* A file that is not embedded is not on the server, even if it exists in web/. */
    CHECK(http_route_find("GET", "/../CMakeLists.txt", &rt, allow, sizeof allow) == HTTP_NO_PATH);
    CHECK(http_route_find("POST", "/health", &rt, allow, sizeof allow) == HTTP_NO_METHOD);
    CHECK(rt && !strcmp(rt->pattern, "/health"));
    CHECK_STR(allow, "GET, HEAD");
    CHECK(http_route_find("DELETE", "/app.css", &rt, allow, sizeof allow) == HTTP_NO_METHOD);
    CHECK_STR(allow, "GET, HEAD");
}

TEST(content_types)
{
    CHECK_STR(http_content_type("index.html"), "text/html; charset=utf-8");
    CHECK_STR(http_content_type("app.css"), "text/css; charset=utf-8");
    CHECK_STR(http_content_type("app.js"), "text/javascript; charset=utf-8");
    CHECK_STR(http_content_type("img/logo.SVG"), "image/svg+xml");
    CHECK_STR(http_content_type("a.png"), "image/png");
    CHECK_STR(http_content_type("favicon.ico"), "image/x-icon");
    CHECK_STR(http_content_type("data.json"), "application/json");
    CHECK_STR(http_content_type("f.woff2"), "font/woff2");
    CHECK_STR(http_content_type("README"), "application/octet-stream");
    CHECK_STR(http_content_type("dir.d/file"), "application/octet-stream");
    CHECK_STR(http_content_type("x.exe"), "application/octet-stream");
}

TEST(accept_encoding)
{
    CHECK(http_accepts_gzip("gzip"));
    CHECK(http_accepts_gzip("gzip, deflate, br"));
    CHECK(http_accepts_gzip("br;q=1.0, gzip;q=0.8, *;q=0.1"));
    CHECK(http_accepts_gzip("deflate, GZIP"));
    CHECK(http_accepts_gzip("x-gzip"));
    CHECK(http_accepts_gzip("*"));
    CHECK(http_accepts_gzip("identity, * ; q=0.5"));
    CHECK(!http_accepts_gzip(NULL));
    CHECK(!http_accepts_gzip(""));
    CHECK(!http_accepts_gzip("identity"));
    CHECK(!http_accepts_gzip("deflate, br"));
    CHECK(!http_accepts_gzip("gzip;q=0"));
    CHECK(!http_accepts_gzip("gzip; q=0.000"));
    CHECK(!http_accepts_gzip("gzip;q=0, *")); /* the explicit refusal wins */
    CHECK(!http_accepts_gzip("*;q=0"));
    CHECK(!http_accepts_gzip("gzipper"));
    CHECK(!http_accepts_gzip("notgzip"));
}

TEST(if_none_match)
{
    const char *tag = "\"abc123\"";
    CHECK(http_etag_matches("\"abc123\"", tag));
    CHECK(http_etag_matches("W/\"abc123\"", tag)); /* weak comparison */
    CHECK(http_etag_matches("\"x\", \"abc123\"", tag));
    CHECK(http_etag_matches("\"x\",W/\"abc123\"", tag));
    CHECK(http_etag_matches("*", tag));
    CHECK(!http_etag_matches(NULL, tag));
    CHECK(!http_etag_matches("", tag));
    CHECK(!http_etag_matches("\"abc1234\"", tag));
    CHECK(!http_etag_matches("\"abc12\"", tag));
    CHECK(!http_etag_matches("abc123", tag)); /* unquoted: malformed */
    CHECK(!http_etag_matches("\"abc123", tag));
    CHECK(!http_etag_matches("\"x\", \"y\"", tag));
}

/* A request as the dispatcher leaves it: the route found and the path. */
static struct http_req req_on(const struct http_route *rt, const char *path)
{
    struct http_req r;
    memset(&r, 0, sizeof r);
    r.rt = rt;
    r.path = path;
    return r;
}

TEST(path_params)
{
    static const struct http_route rt = {"GET", "/api/q/{qid}/parts/{id}", HTTP_ROLE_NONE, NULL,
                                         NULL};
    static const struct http_route assets = {"GET", "/{asset}", HTTP_ROLE_NONE, NULL,
                                             http_assets_match};
    struct http_req r = req_on(&rt, "/api/q/17/parts/0042");
    size_t n = 0;
    const char *v = http_path_param(&r, "qid", &n);
    CHECK(v && n == 2 && !memcmp(v, "17", 2));
    v = http_path_param(&r, "id", &n);
    CHECK(v && n == 4 && !memcmp(v, "0042", 4));
    CHECK(http_path_param(&r, "i", &n) == NULL); /* names compare whole */
    CHECK(http_path_param(&r, "nope", &n) == NULL);
    int64_t id = -1;
    CHECK(http_path_id(&r, "qid", &id) == 0 && id == 17);
    CHECK(http_path_id(&r, "id", &id) == -1); /* a leading zero is not an id */
    const char *bad[] = {"/api/q/-1/parts/1", "/api/q/1e3/parts/1", "/api/q/0/parts/1",
                         "/api/q/1234567890123456789/parts/1", "/api/q/%31/parts/1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = req_on(&rt, bad[i]);
        CHECK(http_path_id(&r, "qid", &id) == -1);
    }
    r = req_on(&rt, "/api/q/999999999999999999/parts/1");
    CHECK(http_path_id(&r, "qid", &id) == 0 && id == 999999999999999999LL);
    /* A route that matches by function has no named segments. */
    r = req_on(&assets, "/app.js");
    CHECK(http_path_param(&r, "asset", &n) == NULL);
}

TEST(query_parameters)
{
    struct mg_request_info ri;
    struct http_req r;
    char buf[16];
    memset(&ri, 0, sizeof ri);
    memset(&r, 0, sizeof r);
    r.ri = &ri;
    CHECK(http_query(&r, "size", buf, sizeof buf) == 0 && buf[0] == '\0');
    ri.query_string = "size=thumb&q=a%20b+c&empty=&long=0123456789abcdefXYZ";
    CHECK(http_query(&r, "size", buf, sizeof buf) == 1 && !strcmp(buf, "thumb"));
    CHECK(http_query(&r, "q", buf, sizeof buf) == 1 && !strcmp(buf, "a b c"));
    CHECK(http_query(&r, "empty", buf, sizeof buf) == 1 && buf[0] == '\0');
    CHECK(http_query(&r, "missing", buf, sizeof buf) == 0);
    CHECK(http_query(&r, "long", buf, sizeof buf) == -1 && buf[0] == '\0');
    CHECK(http_query(&r, "siz", buf, sizeof buf) == 0); /* whole names only */
}

int main(void)
{
    RUN(pattern_literal);
    RUN(pattern_placeholder);
    RUN(find_routes);
    RUN(find_misses);
    RUN(path_params);
    RUN(content_types);
    RUN(accept_encoding);
    RUN(if_none_match);
    RUN(query_parameters);
    return test_report();
}
