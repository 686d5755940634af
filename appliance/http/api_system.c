/*
 * api_system.c - the admin's system page: how the appliance is doing, and
 * who did what.
 *
 * Routes (HTTP_ROLE_ADMIN): GET /api/system, GET /api/audit.
 *
 * /api/system gathers in one answer what /health and /metrics show to
 * machines, in the words the page uses: version, uptime, database and
 * disk, memory, the job queue now, jobs done and failed in the last hour
 * (from the jobs table, so they survive a restart), and the answers and
 * 5xx of the last five minutes.  /api/audit pages through the audit log,
 * newest first, with an optional search text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/internal.h"

#define AUDIT_PAGE_MAX 500

static int system_get(struct http_req *r)
{
    const struct http_server *srv = r->srv;
    struct store *s;
    struct err e = {""};
    int64_t db = 0, wal = 0, free_bytes = -1, done = 0, failed = 0;
    long running, queued, answers, errors;
    int st;
    if ((st = http_store_or_fail(r, &s)) != 0)
        return st;
    if (store_jobs_ended_since(s, (int64_t)time(NULL) - 3600, &done, &failed, &e) != 0)
        return http_fail_internal(r, "counting jobs", &e);
    store_file_sizes(s, &db, &wal);
    if (http_disk_free(srv->data_dir, &free_bytes, &e) != 0)
        free_bytes = -1;
    http_jobs_now(srv, &running, &queued);
    http_answers_recent(&answers, &errors);

    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "version", DXFQ_VERSION);
    cJSON_AddNumberToObject(o, "uptime_s", (double)(int64_t)(core_now() - srv->started));
    cJSON_AddNumberToObject(o, "database_bytes", (double)(db + wal));
    if (free_bytes >= 0)
        cJSON_AddNumberToObject(o, "disk_free_bytes", (double)free_bytes);
    else
        cJSON_AddNullToObject(o, "disk_free_bytes");
    cJSON_AddNumberToObject(o, "disk_min_free_bytes", (double)srv->min_free_bytes);
    cJSON_AddNumberToObject(o, "rss_bytes", http_resident_bytes());
    cJSON *j = cJSON_AddObjectToObject(o, "jobs");
    cJSON_AddNumberToObject(j, "workers", srv->workers);
    cJSON_AddNumberToObject(j, "queue", srv->queue);
    cJSON_AddNumberToObject(j, "running", (double)running);
    cJSON_AddNumberToObject(j, "queued", (double)queued);
    cJSON_AddNumberToObject(j, "done_last_hour", (double)done);
    cJSON_AddNumberToObject(j, "failed_last_hour", (double)failed);
    cJSON_AddNumberToObject(o, "requests_last_5min", (double)answers);
    cJSON_AddNumberToObject(o, "requests_5xx_last_5min", (double)errors);
    cJSON *b = cJSON_AddObjectToObject(o, "backup");
    cJSON_AddNumberToObject(b, "interval_h", srv->backup_interval_h);
    cJSON_AddNumberToObject(b, "keep", srv->backup_keep);
    http_json_time(b, "latest", store_backup_latest(srv->data_dir));
    return http_reply_json(r, 200, o, NULL);
}

static int add_entry(const struct store_audit_entry *en, void *ctx)
{
    cJSON *arr = ctx, *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)en->id);
    http_json_time(o, "time", en->time);
    http_json_text(o, "user", en->user);
    cJSON_AddStringToObject(o, "action", en->action);
    cJSON_AddStringToObject(o, "detail", en->detail);
    cJSON_AddItemToArray(arr, o);
    return 0;
}

/* Query parameter name as an integer in [min, max], default def when
 * absent.  0, or the status sent (400 naming it). */
static int query_int(struct http_req *r, const char *name, int64_t min, int64_t max, int64_t def,
                     int64_t *out)
{
    char buf[24], *end;
    int k = http_query(r, name, buf, sizeof buf);
    *out = def;
    if (k == 0 || (k == 1 && !buf[0]))
        return 0;
    long long v = k == 1 ? strtoll(buf, &end, 10) : 0;
    if (k < 0 || *end || v < min || v > max)
        return http_reply_error(r, 400, "invalid", name, NULL,
                                "%s must be a whole number from %lld to %lld", name,
                                (long long)min, (long long)max);
    *out = v;
    return 0;
}

static int audit_get(struct http_req *r)
{
    struct store *s;
    struct err e = {""};
    char q[201];
    int64_t limit, offset, total = 0;
    int st;
    if (http_query(r, "q", q, sizeof q) < 0)
        return http_reply_error(r, 400, "invalid", "q", NULL,
                                "the search text is longer than 200 characters");
    if ((st = query_int(r, "limit", 1, AUDIT_PAGE_MAX, 100, &limit)) != 0 ||
        (st = query_int(r, "offset", 0, INT64_C(1) << 40, 0, &offset)) != 0)
        return st;
    if ((st = http_store_or_fail(r, &s)) != 0)
        return st;
    cJSON *o = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(o, "entries");
    if (store_audit_list(s, q, limit, offset, add_entry, arr, &total, &e) != 0) {
        cJSON_Delete(o);
        return http_fail_internal(r, "reading the audit log", &e);
    }
    cJSON_AddNumberToObject(o, "total", (double)total);
    cJSON_AddNumberToObject(o, "limit", (double)limit);
    cJSON_AddNumberToObject(o, "offset", (double)offset);
    return http_reply_json(r, 200, o, NULL);
}

const struct http_route http_routes_system[] = {
    {"GET", "/api/system", HTTP_ROLE_ADMIN, system_get, NULL},
    {"GET", "/api/audit", HTTP_ROLE_ADMIN, audit_get, NULL},
    {NULL, NULL, HTTP_ROLE_NONE, NULL, NULL},
};
