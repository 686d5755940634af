/*
 * test_metrics.c - the Prometheus registry renders the text format exactly.
 */
#include "core/core.h"
#include "test.h"

#include <stdlib.h>

static double seven(void *ctx)
{
    (void)ctx;
    return 7;
}

TEST(render_all_kinds)
{
    struct metric *req = metric_counter("t_requests_total", "Requests.", "route,status");
    const double b[] = {0.1, 0.5};
    struct metric *lat = metric_histogram("t_seconds", "Latency.", "route", b, 2);
    struct metric *g = metric_gauge("t_queue", "Queue.", NULL);
    metric_gauge_fn("t_seven", "Seven.", seven, NULL);

    const char *ok[] = {"/health", "200"}, *bad[] = {"/x\"y", "404"};
    metric_add(req, ok, 1);
    metric_add(req, ok, 2);
    metric_add(req, bad, 1);
    const char *r[] = {"/health"};
    metric_observe(lat, r, 0.05);
    metric_observe(lat, r, 0.3);
    metric_observe(lat, r, 2);
    metric_set(g, NULL, 4);
    metric_set(g, NULL, 3);

    size_t len;
    char *text = metric_render(&len);
    CHECK(len == strlen(text));
    CHECK(strstr(text, "# HELP t_requests_total Requests.\n# TYPE t_requests_total counter\n"));
    CHECK(strstr(text, "t_requests_total{route=\"/health\",status=\"200\"} 3\n"));
    CHECK(strstr(text, "t_requests_total{route=\"/x\\\"y\",status=\"404\"} 1\n"));
    CHECK(strstr(text, "# TYPE t_seconds histogram\n"));
    CHECK(strstr(text, "t_seconds_bucket{route=\"/health\",le=\"0.1\"} 1\n"));
    CHECK(strstr(text, "t_seconds_bucket{route=\"/health\",le=\"0.5\"} 2\n"));
    CHECK(strstr(text, "t_seconds_bucket{route=\"/health\",le=\"+Inf\"} 3\n"));
    CHECK(strstr(text, "t_seconds_sum{route=\"/health\"} 2.35\n"));
    CHECK(strstr(text, "t_seconds_count{route=\"/health\"} 3\n"));
    CHECK(strstr(text, "# TYPE t_queue gauge\nt_queue 3\n"));
    CHECK(strstr(text, "# TYPE t_seven gauge\nt_seven 7\n"));
    CHECK(strstr(text, "dxfquote_metrics_dropped_total 0\n"));
    free(text);
}

TEST(cardinality_is_bounded)
{
    struct metric *m = metric_counter("t_many_total", "Many.", "k");
    char v[32];
    for (int i = 0; i < 1500; i++) {
        snprintf(v, sizeof v, "%d", i);
        const char *vals[] = {v};
        metric_add(m, vals, 1);
    }
    size_t len;
    char *text = metric_render(&len);
    CHECK(strstr(text, "t_many_total{k=\"999\"} 1\n") != NULL);
    CHECK(strstr(text, "t_many_total{k=\"1000\"}") == NULL);
    CHECK(strstr(text, "dxfquote_metrics_dropped_total 500\n") != NULL);
    free(text);
}

int main(void)
{
    RUN(render_all_kinds);
    RUN(cardinality_is_bounded);
    return test_report();
}
