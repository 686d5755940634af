/*
 * ops.c - the operations endpoints: GET /health and GET /metrics, and the
 * request metrics every route feeds.
 *
 * Its route table, http_routes_ops, also holds the embedded assets (assets.c)
 * and comes last in the search.
 *
 * /health answers 200 when every part is fine and 503 otherwise, with
 * "status": "fail" and the failing parts listed under "failing".  Parts:
 * the database (the thread's connection answers a trivial query), the disk
 * (free bytes in the data folder, by statvfs, at or above [data]
 * min_free_mb), and the jobs (workers, queue, running, queued).  A server
 * that works but fails too often says "status": "degraded" (still 200: it
 * should stay in service) with the reasons under "degraded": "jobs" when
 * more than [health] failed_jobs_ratio of the jobs that ended in the last
 * five minutes failed, "errors" when more than [health] errors_ratio of the
 * answers were 5xx; either needs [health] min_events events in the window.
 *
 * /metrics is the Prometheus text format (version 0.0.4) rendered by core's
 * registry.  Gauges that describe the moment (memory, database size,
 * uptime, jobs) are set just before rendering, from the scraping thread.
 * Request series are labelled by route pattern, method and status; methods
 * outside a fixed list are counted as "other" so that a client cannot grow
 * the registry.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "http/internal.h"
#include "store/store.h"

const struct http_route http_routes_ops[] = {
    {"GET", "/", HTTP_ROLE_NONE, http_assets_get, NULL},
    {"GET", "/health", HTTP_ROLE_NONE, http_ops_health, NULL},
    {"GET", "/metrics", HTTP_ROLE_NONE, http_ops_metrics, NULL},
    {"GET", "/{asset}", HTTP_ROLE_NONE, http_assets_get, http_assets_match},
    {NULL, NULL, HTTP_ROLE_NONE, NULL, NULL},
};

static struct {
    struct metric *requests, *duration, *rss, *db_bytes, *uptime, *jobs_queued, *jobs_running;
} M;

static void init_families(void)
{
    static const double buckets[] = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                     0.25,  0.5,   1,    2.5,   5,    10};
    M.requests =
        metric_counter("http_requests_total", "HTTP requests answered.", "route,method,status");
    M.duration = metric_histogram("http_request_duration_seconds",
                                  "Time from reading a request to the end of its reply.", "route",
                                  buckets, (int)(sizeof buckets / sizeof buckets[0]));
    M.rss = metric_gauge("process_resident_memory_bytes", "Resident memory size in bytes.", NULL);
    M.db_bytes = metric_gauge("dxfquote_database_bytes",
                              "Size of the database file plus its write-ahead log.", NULL);
    M.uptime = metric_gauge("dxfquote_uptime_seconds", "Seconds since the server started.", NULL);
    M.jobs_queued = metric_gauge("dxfquote_jobs_queued", "Jobs waiting for a worker.", NULL);
    M.jobs_running = metric_gauge("dxfquote_jobs_running", "Jobs being worked on.", NULL);
}

void http_ops_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, init_families);
}

/* Every answer of the last five minutes, and the 5xx among them. */
static struct core_window answers = CORE_WINDOW_INIT;

void http_answers_recent(long *total, long *errors)
{
    core_window_sum(&answers, core_now(), total, errors);
}

void http_jobs_now(const struct http_server *srv, long *running, long *queued)
{
    *running = *queued = 0;
    if (srv->js)
        job_counts(srv->js, running, queued);
}

static const char *method_label(const char *m)
{
    static const char *const known[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (m && !strcmp(m, known[i]))
            return known[i];
    return "other";
}

void http_ops_count(const struct http_req *r, double seconds)
{
    char status[16];
    snprintf(status, sizeof status, "%d", r->status);
    const char *labels[] = {r->route, method_label(r->method), status};
    metric_add(M.requests, labels, 1);
    metric_observe(M.duration, labels, seconds);
    core_window_add(&answers, core_now(), r->status >= 500);
}

/* ------------------------------------------------------------------ health */

/* Free bytes for unprivileged users in dir.  -1 with e filled. */
int http_disk_free(const char *dir, int64_t *free_bytes, struct err *e)
{
    struct statvfs st;
    if (statvfs(dir, &st) != 0)
        return err_set(e, "cannot read free space of %s: %s", dir, strerror(errno));
    *free_bytes = (int64_t)st.f_bavail * (int64_t)st.f_frsize;
    return 0;
}

static cJSON *database_part(struct http_req *r, int *ok)
{
    cJSON *o = cJSON_CreateObject();
    struct store *s;
    struct err e = {""};
    int64_t db = 0, wal = 0;
    if (http_req_store(r, &s, &e) == 0 && store_ping(s, &e) == 0) {
        store_file_sizes(s, &db, &wal);
        cJSON_AddStringToObject(o, "status", "ok");
        cJSON_AddNumberToObject(o, "size_bytes", (double)db);
        cJSON_AddNumberToObject(o, "wal_bytes", (double)wal);
        *ok = 1;
    } else {
        cJSON_AddStringToObject(o, "status", "fail");
        cJSON_AddStringToObject(o, "error", e.msg);
        *ok = 0;
    }
    return o;
}

static cJSON *disk_part(const struct http_server *srv, int *ok)
{
    cJSON *o = cJSON_CreateObject();
    struct err e = {""};
    int64_t free_bytes = 0;
    if (http_disk_free(srv->data_dir, &free_bytes, &e) != 0) {
        cJSON_AddStringToObject(o, "status", "fail");
        cJSON_AddStringToObject(o, "error", e.msg);
        *ok = 0;
        return o;
    }
    *ok = free_bytes >= srv->min_free_bytes;
    cJSON_AddStringToObject(o, "status", *ok ? "ok" : "fail");
    cJSON_AddNumberToObject(o, "free_bytes", (double)free_bytes);
    cJSON_AddNumberToObject(o, "min_free_bytes", (double)srv->min_free_bytes);
    if (!*ok)
        cJSON_AddStringToObject(o, "error",
                                "free disk space is below [data] min_free_mb; free space or "
                                "lower the setting");
    return o;
}

/* The share of bad events past ratio, with enough events to tell. */
static int too_many(long total, long bad, double ratio, long min_events)
{
    return total >= min_events && (double)bad > ratio * (double)total;
}

int http_ops_health(struct http_req *r)
{
    const struct http_server *srv = r->srv;
    int db_ok, disk_ok;
    long running, queued, ended = 0, failed = 0, total, errors;
    cJSON *database = database_part(r, &db_ok);
    cJSON *disk = disk_part(srv, &disk_ok);
    http_jobs_now(srv, &running, &queued);
    if (srv->js)
        job_recent(srv->js, &ended, &failed);
    core_window_sum(&answers, core_now(), &total, &errors);
    int jobs_bad = too_many(ended, failed, srv->failed_jobs_ratio, srv->min_events);
    int errors_bad = too_many(total, errors, srv->errors_ratio, srv->min_events);

    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "status", !db_ok || !disk_ok         ? "fail"
                                            : jobs_bad || errors_bad ? "degraded"
                                                                     : "ok");
    if (!db_ok || !disk_ok) {
        cJSON *failing = cJSON_AddArrayToObject(root, "failing");
        if (!db_ok)
            cJSON_AddItemToArray(failing, cJSON_CreateString("database"));
        if (!disk_ok)
            cJSON_AddItemToArray(failing, cJSON_CreateString("disk"));
    }
    if (jobs_bad || errors_bad) {
        cJSON *why = cJSON_AddArrayToObject(root, "degraded");
        if (jobs_bad)
            cJSON_AddItemToArray(why, cJSON_CreateString("jobs"));
        if (errors_bad)
            cJSON_AddItemToArray(why, cJSON_CreateString("errors"));
    }
    cJSON_AddStringToObject(root, "version", DXFQ_VERSION);
    cJSON_AddNumberToObject(root, "uptime_s", (double)(int64_t)(core_now() - srv->started));
    cJSON_AddItemToObject(root, "database", database);
    cJSON_AddItemToObject(root, "disk", disk);
    cJSON *j = cJSON_AddObjectToObject(root, "jobs");
    cJSON_AddNumberToObject(j, "workers", srv->workers);
    cJSON_AddNumberToObject(j, "queue", srv->queue);
    cJSON_AddNumberToObject(j, "running", (double)running);
    cJSON_AddNumberToObject(j, "queued", (double)queued);
    cJSON *rec = cJSON_AddObjectToObject(root, "recent");
    cJSON_AddNumberToObject(rec, "window_s", CORE_WINDOW_S);
    cJSON_AddNumberToObject(rec, "jobs_ended", (double)ended);
    cJSON_AddNumberToObject(rec, "jobs_failed", (double)failed);
    cJSON_AddNumberToObject(rec, "answers", (double)total);
    cJSON_AddNumberToObject(rec, "errors_5xx", (double)errors);
    return http_reply_json(r, db_ok && disk_ok ? 200 : 503, root, NULL);
}

/* ----------------------------------------------------------------- metrics */

/* Resident set size from /proc/self/statm (second field, in pages). */
double http_resident_bytes(void)
{
    unsigned long size = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    int n = fscanf(f, "%lu %lu", &size, &resident);
    fclose(f);
    return n == 2 ? (double)resident * (double)sysconf(_SC_PAGESIZE) : 0;
}

int http_ops_metrics(struct http_req *r)
{
    long running, queued;
    struct store *s;
    struct err e;
    http_jobs_now(r->srv, &running, &queued);
    metric_set(M.rss, NULL, http_resident_bytes());
    metric_set(M.uptime, NULL, core_now() - r->srv->started);
    metric_set(M.jobs_queued, NULL, (double)queued);
    metric_set(M.jobs_running, NULL, (double)running);
    /* An unreachable database keeps its last size; /health reports why. */
    if (http_req_store(r, &s, &e) == 0) {
        int64_t db = 0, wal = 0;
        store_file_sizes(s, &db, &wal);
        metric_set(M.db_bytes, NULL, (double)(db + wal));
    }
    size_t len;
    char *text = metric_render(&len);
    int status = http_reply(r, 200, "text/plain; version=0.0.4; charset=utf-8", NULL, text, len);
    free(text);
    return status;
}
