/*
 * api_jobs.c - jobs as the browser follows them: the status, a stream of
 * Server-Sent Events while the job runs, and cancelling.
 *
 * Routes (HTTP_ROLE_SALES): GET /api/jobs/{id}, GET /api/jobs/{id}/events,
 * DELETE /api/jobs/{id}.
 *
 * A job's status is {"id", "part_id", "state", "stage", "progress",
 * "error"}: from the job system's memory while the job is live or ended
 * recently, else from its row (job_status).  GET is the polling fallback
 * of the event stream and answers the same object.
 *
 * The event stream sends the current status at once ("event: progress"),
 * then every published change (the job system publishes at most every
 * 200 ms per job, and at each stage change), and ends after the final
 * state with an event named after it ("done", "failed", "cancelled").
 * Each event's id is the status's seq; a Last-Event-ID the client sends
 * back is not needed: the stream always starts from the current status,
 * which holds everything an earlier event said.
 *
 * Invariants:
 *  1. A stream holds its request thread (it blocks in job_wait), so at most
 *     srv->sse_max streams are open at once ([http] threads / 2); past that
 *     the answer is 503 with Retry-After and the client polls.  Streams
 *     can never take every request thread.
 *  2. A stream ends when the job ends, when the client goes away (a write
 *     fails: a keepalive comment is written at least every KEEPALIVE_S, so
 *     a silent client is noticed), or when the server is stopping (looked
 *     at every WAIT_S).
 */
#include <stdio.h>
#include <string.h>

#include "http/internal.h"

#define KEEPALIVE_S 15.0
#define WAIT_S      1.0
/* How long DELETE waits for the cancelled job to end before it answers 202. */
#define CANCEL_WAIT_S 2.0

static int job_ended(enum job_state s)
{
    return s == JOB_DONE || s == JOB_FAILED || s == JOB_CANCELLED;
}

cJSON *http_job_json(const struct job_status *st)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)st->id);
    cJSON_AddNumberToObject(o, "part_id", (double)st->part_id);
    cJSON_AddStringToObject(o, "state", job_state_name(st->state));
    cJSON_AddStringToObject(o, "stage", st->stage);
    cJSON_AddNumberToObject(o, "progress", st->progress);
    if (st->error[0] && (st->state == JOB_FAILED || st->state == JOB_CANCELLED))
        cJSON_AddStringToObject(o, "error", st->error);
    else
        cJSON_AddNullToObject(o, "error");
    return o;
}

/* The job named by the path, or the 404 answer: 0, or the status sent.
 * The job system remembers an ended job for a while even when its part
 * has been deleted since; the row says whether it still exists. */
static int job_from_path(struct http_req *r, struct job_status *st)
{
    int64_t id;
    struct store *s;
    struct store_job row;
    struct err e = {""};
    int status;
    if (http_path_id(r, "id", &id) != 0 || job_status(r->srv->js, id, st) != 0)
        goto none;
    if (!job_ended(st->state))
        return 0;
    if ((status = http_store_or_fail(r, &s)) != 0)
        return status;
    int found = store_job_get(s, id, &row, &e);
    if (found < 0)
        return http_fail_internal(r, "reading a job", &e);
    if (found == 1)
        return 0;
none:
    return http_reply_error(r, 404, NULL, NULL, NULL,
                            "no such job; it may belong to a part that was deleted");
}

static int jobs_get(struct http_req *r)
{
    struct job_status st;
    int status;
    if ((status = job_from_path(r, &st)) != 0)
        return status;
    return http_reply_json(r, 200, http_job_json(&st), NULL);
}

/* One event: "event: NAME", "id: SEQ", "data: JSON".  -1 when the client
 * has gone. */
static int send_event(struct http_req *r, const char *name, const struct job_status *st)
{
    cJSON *o = http_job_json(st);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!text)
        core_die("out of memory writing a job event");
    char head[96];
    int k = snprintf(head, sizeof head, "event: %s\nid: %llu\ndata: ", name,
                     (unsigned long long)st->seq);
    int rc = http_reply_write(r, head, (size_t)k) == 0 &&
                     http_reply_write(r, text, strlen(text)) == 0 &&
                     http_reply_write(r, "\n\n", 2) == 0
                 ? 0
                 : -1;
    cJSON_free(text);
    return rc;
}

static int jobs_events(struct http_req *r)
{
    struct http_server *srv = r->srv;
    struct job_status st;
    int status;
    if ((status = job_from_path(r, &st)) != 0)
        return status;
    if (atomic_fetch_add(&srv->sse_open, 1) >= srv->sse_max) {
        atomic_fetch_sub(&srv->sse_open, 1);
        return http_reply_error(r, 503, "busy", NULL, "Retry-After: 2\r\n",
                                "too many progress streams are open (%d); poll GET /api/jobs/%lld "
                                "instead",
                                srv->sse_max, (long long)st.id);
    }
    http_reply_begin(r, 200, "text/event-stream; charset=utf-8",
                     "Cache-Control: no-store\r\nX-Accel-Buffering: no\r\n", HTTP_NO_LENGTH);
    /* A browser that loses the stream reconnects after retry ms and is
     * sent the current status again. */
    int alive = !r->head && http_reply_write(r, "retry: 2000\n\n", 13) == 0 &&
                send_event(r, job_ended(st.state) ? job_state_name(st.state) : "progress", &st) == 0;
    double quiet = 0;
    while (alive && !job_ended(st.state) && !srv->stopping) {
        int rc = job_wait(srv->js, st.id, st.seq, WAIT_S, &st);
        if (rc < 0)
            break;
        if (rc == 0) {
            quiet += WAIT_S;
            if (quiet >= KEEPALIVE_S) {
                quiet = 0;
                alive = http_reply_write(r, ": keepalive\n\n", 13) == 0;
            }
            continue;
        }
        quiet = 0;
        alive = send_event(r, job_ended(st.state) ? job_state_name(st.state) : "progress", &st) == 0;
    }
    atomic_fetch_sub(&srv->sse_open, 1);
    return 200;
}

static int jobs_cancel(struct http_req *r)
{
    struct job_status st;
    struct err e = {""};
    int status;
    if ((status = job_from_path(r, &st)) != 0)
        return status;
    if (job_ended(st.state))
        return http_reply_error(r, 409, NULL, NULL, NULL, "job %lld has ended already (%s)",
                                (long long)st.id, job_state_name(st.state));
    if (job_cancel(r->srv->js, st.id, &e) != 0) {
        /* It ended between the look and the cancel. */
        if (job_status(r->srv->js, st.id, &st) == 0 && job_ended(st.state))
            return http_reply_error(r, 409, NULL, NULL, NULL, "job %lld has ended already (%s)",
                                    (long long)st.id, job_state_name(st.state));
        return http_fail_internal(r, "cancelling a job", &e);
    }
    http_audit(r, r->auth.user.name, "job.cancel", "job %lld of part %lld", (long long)st.id,
               (long long)st.part_id);
    /* A queued job ends at once, a running one at its next step: wait a
     * little so the answer usually shows the end. */
    double until = core_now() + CANCEL_WAIT_S;
    while (!job_ended(st.state)) {
        double left = until - core_now();
        if (left <= 0 || job_wait(r->srv->js, st.id, st.seq, left, &st) < 0)
            break;
    }
    return http_reply_json(r, job_ended(st.state) ? 200 : 202, http_job_json(&st), NULL);
}

const struct http_route http_routes_jobs[] = {
    {"GET", "/api/jobs/{id}", HTTP_ROLE_SALES, jobs_get, NULL},
    {"GET", "/api/jobs/{id}/events", HTTP_ROLE_SALES, jobs_events, NULL},
    {"DELETE", "/api/jobs/{id}", HTTP_ROLE_SALES, jobs_cancel, NULL},
    {NULL, NULL, HTTP_ROLE_NONE, NULL, NULL},
};
