/*
 * jobs_int.h - private to appliance/jobs: what the scheduler (system.c)
 * and the pipeline (pipeline.c) share.  A worker thread runs one job at a
 * time through jobs_run(); the pipeline reports each stage through
 * jobs_stage() and progress inside a stage through jobs_progress(), and
 * asks jobs_stopping() between steps whether it must stop.
 */
#ifndef DXFQ_JOBS_INT_H
#define DXFQ_JOBS_INT_H

#include <pthread.h>

#include "job.h"

/* Why a running job must stop before its end. */
enum job_stop {
    JOB_GO_ON,
    JOB_STOP_CANCEL,   /* job_cancel(): ends cancelled */
    JOB_STOP_DEADLINE, /* past the deadline: ends failed */
    JOB_STOP_SHUTDOWN, /* job_system_stop(): queued again for the next start */
    JOB_STOP_FAILED,   /* a step failed (pipeline.c: its error says why) */
};

/* One worker thread and what it owns: a database connection and a Lua
 * state with the rules it last loaded. */
struct job_worker {
    struct job_system *js;
    int index;
    pthread_t thread;
    int started; /* the thread runs (join it) */
    struct store *db;
    struct price_engine *pe;
    /* The rules loaded into pe: a database version by its number, other
     * rules by their name and text (a rules_file may be edited). */
    int64_t rules_version;
    char *rules_name, *rules_src;
    size_t rules_len;
};

/* One run of one job, as the pipeline sees it. */
struct job_run {
    struct job_worker *w;
    const struct cfg *c;
    const char *data_dir;
    struct job_entry *en; /* the scheduler's record: opaque here */
    int64_t id, part_id;
    enum job_kind kind;
    double deadline_s;  /* for the message */
    const char *stage;  /* the current stage */
    int progress;       /* the last progress reported */
    double stage_t0;    /* when it began (core_now) */
    double stage_ms[6]; /* stored, parse, analyse, price, render, total */
};

/* Stage names in order, and their index in stage_ms. */
enum { JOB_ST_STORED, JOB_ST_PARSE, JOB_ST_ANALYSE, JOB_ST_PRICE, JOB_ST_RENDER, JOB_ST_TOTAL };

/* ----------------------------------------------------- system.c for pipeline.c */

/* Enters stage at progress (published at once, persisted to the jobs row),
 * closing the previous stage's timer.  Returns the stop reason: JOB_GO_ON
 * to continue. */
enum job_stop jobs_stage(struct job_run *r, const char *stage, int progress);
/* Progress inside the current stage; published at most every 200 ms. */
void jobs_progress(struct job_run *r, int progress);
/* Whether the job must stop now, and why. */
enum job_stop jobs_stopping(struct job_run *r);

/* ----------------------------------------------------- pipeline.c for system.c */

/* Runs the job to its end and writes its final row (with the part's
 * results when it succeeds).  Returns JOB_DONE, JOB_FAILED or
 * JOB_CANCELLED with error filled for the last two, or JOB_QUEUED when a
 * shutdown stopped it (its row is queued again). */
enum job_state jobs_run(struct job_run *r, char *error, size_t n);

/* Loads the rules in effect into the worker's engine when they differ from
 * those it has.  -1 with e filled. */
int jobs_rules_fresh(struct job_worker *w, const struct cfg *c, struct arena *a,
                     struct job_rules *rules, struct err *e);

/* ----------------------------------------------------- sweep.c for system.c */

/* Empties DATA/tmp (dir is the data folder). */
void jobs_sweep_tmp(const char *dir);
/* Removes the stored drawings DATA/files/<sha256>.dxf.gz that no part of
 * s uses; other files are left alone.  Only at start. */
void jobs_sweep_files(struct store *s, const char *data_dir);

#endif
