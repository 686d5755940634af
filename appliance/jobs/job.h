/*
 * job.h - the job system: a bounded queue in front of a fixed pool of
 * worker threads that run the quote pipeline (dxf -> geom -> price ->
 * render) on stored drawings, with progress, cancellation, deadlines and
 * recovery after a crash.
 *
 * CPU work never runs on a request thread: http/ submits a job and answers
 * 202, or (for short work such as re-pricing) submits and waits.  At most
 * [jobs] workers run at once and [jobs] queue wait; past that a submission
 * is refused with JOB_FULL and the caller answers 503 with Retry-After.
 *
 * Every job is a row in the jobs table (store/), so a job accepted before a
 * crash is found again at the next start: it runs again from its stored
 * file, or is marked failed with the reason.  The in-memory table holds the
 * live progress, published at most every 200 ms per job.
 *
 * Each worker owns one database connection and one Lua pricing engine.
 */
#ifndef DXFQ_JOB_H
#define DXFQ_JOB_H

#include <stdint.h>

#include "core/core.h"

struct job_system;

enum job_kind {
    JOB_MEASURE, /* the part's stored file: parse, analyse, price, render */
    JOB_PRICE,   /* re-price a measured part from its stored geometry */
};

enum job_state { JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_FAILED, JOB_CANCELLED };

/* "queued", "running", "done", "failed", "cancelled". */
const char *job_state_name(enum job_state s);

struct job_status {
    int64_t id;
    int64_t part_id;
    enum job_state state;
    char stage[16];  /* stored, parse, analyse, price, render, done */
    int progress;    /* 0..100 */
    char error[256]; /* failed or cancelled: why, in words a person understands */
    uint64_t seq;    /* grows with every published change (for SSE) */
};

/* Starts the workers with the settings of c ([jobs], [limits], [geometry],
 * [pricing], [render], [data]) and recovers the jobs that a previous run
 * left queued or running.  Caller stops it with job_system_stop(). */
int job_system_start(struct job_system **out, const struct cfg *c, struct err *e);
/* Stops taking jobs, lets running ones finish for up to grace_s seconds,
 * cancels the rest (they run again at the next start), joins the workers
 * and frees js. */
void job_system_stop(struct job_system *js, double grace_s);

/* Submission refused because workers and queue are all taken. */
#define JOB_FULL (-2)

/* Queues a job of kind for a part that is already stored in the database.
 * Returns 0 with *job_id set, JOB_FULL when the queue is full (e says so),
 * or -1 with e filled. */
int job_submit(struct job_system *js, enum job_kind kind, int64_t part_id, int64_t *job_id,
               struct err *e);

/* The job's current status: from memory while it is live, else from the
 * database.  0, or -1 when there is no such job. */
int job_status(struct job_system *js, int64_t job_id, struct job_status *out);

/* Waits until the job's status changes past seq after_seq, or until
 * timeout_s passes, or the job system stops; fills out either way.
 * Returns 1 when it changed, 0 on timeout, -1 when there is no such job. */
int job_wait(struct job_system *js, int64_t job_id, uint64_t after_seq, double timeout_s,
             struct job_status *out);

/* Cancels a queued or running job (a running one stops at its next stage
 * boundary).  0, or -1 with e filled (no such job, already finished). */
int job_cancel(struct job_system *js, int64_t job_id, struct err *e);

/* Jobs running and waiting right now. */
void job_counts(struct job_system *js, long *running, long *queued);

#endif
