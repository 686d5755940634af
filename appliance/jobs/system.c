/*
 * system.c - the job system: admission, the queue, the worker threads,
 * progress, cancellation, the deadline watchdog, recovery at start, and
 * the jobs metrics.
 *
 * One mutex (mu) guards everything in struct job_system but the front
 * connection, which has its own (front_mu) so that no SQL runs under mu.
 * Condition variables: work (a job can be picked, or stop), changed (a
 * status changed; job_wait and job_system_stop wait on it), wd (the
 * watchdog's next deadline moved).  All timed waits use CLOCK_MONOTONIC.
 *
 * Invariants:
 *  1. Admission: running + queued + reserved never exceeds workers + queue
 *     for submissions (reserved counts submissions whose row is being
 *     written).  Jobs recovered at start are admitted whatever their
 *     number; new submissions are refused until the count is back under.
 *  2. At most one job per part runs at a time: a worker picks the oldest
 *     queued job whose part is not being worked on, so a re-price queued
 *     behind a measure job sees its results.
 *  3. A status is published (seq grows, changed is broadcast) at every
 *     stage change and at the end, and in between at most every 200 ms.
 *     The stage is written to the jobs row at every stage change.
 *  4. An ended job stays in memory for RETAIN_S seconds (at most
 *     RETAIN_MAX of them), so a browser following it sees its end; after
 *     that job_status reads the database.
 *  5. A running job past its deadline is published as failed at once by
 *     the watchdog; its worker stops at the next step boundary, removes
 *     what it made and writes the failure.  The worker stays counted as
 *     running until then, so admission never overcommits.
 */
#include "jobs_int.h"

#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PUBLISH_S  0.2
#define RETAIN_S   600.0
#define RETAIN_MAX 256

/* The scheduler's record of one job. */
struct job_entry {
    struct job_entry *next;  /* js->entries */
    struct job_entry *qnext; /* js->queue, oldest first */
    enum job_kind kind;
    struct job_status st;
    int in_queue, running;
    enum job_stop stop; /* asked of the running job */
    double deadline;    /* core_now() by which it must end */
    double last_pub;    /* core_now() of the last publication */
    double ended;       /* core_now() when it ended; 0 while live */
    /* A task (job_task_run): in the queue but never in entries; the
     * caller owns the record and waits on changed for done. */
    job_task_fn task;
    void *task_ctx;
    struct err task_err;
    int task_rc, task_done;
};

struct job_system {
    const struct cfg *c;
    char *data_dir;
    int nworkers;
    long capacity; /* workers + queue */
    double deadline_s;

    pthread_mutex_t mu;
    pthread_cond_t work, changed, wd;
    int stopping, wd_exit;
    long running, queued, reserved, waiters;
    uint64_t seq;
    struct job_entry *entries;
    size_t nended;
    struct job_entry *qhead, **qtail;
    struct job_worker *workers;
    pthread_t watchdog;
    int wd_started;

    struct core_window recent; /* jobs ended, and failed, lately (job_recent) */

    pthread_mutex_t front_mu;
    struct store *front; /* submissions, cancellations and look-ups from other threads */
};

/* ---------------------------------------------------------------- metrics */

static struct metric *m_total, *m_stage, *m_rejected;
static pthread_once_t metrics_once = PTHREAD_ONCE_INIT;

/* The families live until exit; the queue and running gauges are http/'s
 * (dxfquote_jobs_queued, _running), fed from job_counts() at each scrape. */
static void metrics_init(void)
{
    static const double b[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                               0.5,   1,      2.5,   5,    10,    30,   60,  300};
    m_total = metric_counter("dxfquote_jobs_total", "Jobs ended, by outcome.", "outcome");
    m_stage = metric_histogram("dxfquote_job_stage_seconds",
                               "Time jobs spent in each stage of the pipeline.", "stage", b,
                               (int)(sizeof b / sizeof b[0]));
    m_rejected = metric_counter("dxfquote_jobs_rejected_total",
                                "Submissions refused because every worker and queue place was "
                                "taken.",
                                NULL);
}

static void count_outcome(enum job_state s)
{
    const char *v[1] = {job_state_name(s)};
    metric_add(m_total, v, 1);
}

/* ---------------------------------------------------------------- helpers */

const char *job_state_name(enum job_state s)
{
    switch (s) {
    case JOB_QUEUED:
        return "queued";
    case JOB_RUNNING:
        return "running";
    case JOB_DONE:
        return "done";
    case JOB_FAILED:
        return "failed";
    case JOB_CANCELLED:
        return "cancelled";
    }
    return "?";
}

static enum job_state state_parse(const char *s)
{
    static const enum job_state all[] = {JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_FAILED,
                                         JOB_CANCELLED};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!strcmp(s, job_state_name(all[i])))
            return all[i];
    return JOB_FAILED;
}

static int state_final(enum job_state s)
{
    return s == JOB_DONE || s == JOB_FAILED || s == JOB_CANCELLED;
}

/* An absolute CLOCK_MONOTONIC time secs from now, for timed waits. */
static struct timespec after(double secs)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    if (!(secs > 0))
        secs = 0;
    if (secs > 1e6)
        secs = 1e6;
    double whole = floor(secs);
    ts.tv_sec += (time_t)whole;
    ts.tv_nsec += (long)((secs - whole) * 1e9);
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

static struct job_entry *find(struct job_system *js, int64_t id)
{
    for (struct job_entry *en = js->entries; en; en = en->next)
        if (en->st.id == id)
            return en;
    return NULL;
}

/* Makes the new status visible.  Caller holds mu. */
static void publish(struct job_system *js, struct job_entry *en, enum job_state state,
                    const char *stage, int progress, const char *error)
{
    en->st.state = state;
    if (stage)
        snprintf(en->st.stage, sizeof en->st.stage, "%s", stage);
    en->st.progress = progress;
    snprintf(en->st.error, sizeof en->st.error, "%s", error ? error : "");
    en->st.seq = ++js->seq;
    en->last_pub = core_now();
    pthread_cond_broadcast(&js->changed);
}

/* Forgets ended jobs past their retention.  Caller holds mu. */
static void evict(struct job_system *js)
{
    double now = core_now();
    for (;;) {
        struct job_entry **oldest = NULL;
        for (struct job_entry **pp = &js->entries; *pp; pp = &(*pp)->next)
            if ((*pp)->ended > 0 && (!oldest || (*pp)->ended < (*oldest)->ended))
                oldest = pp;
        if (!oldest || (js->nended <= RETAIN_MAX && (*oldest)->ended > now - RETAIN_S))
            return;
        struct job_entry *gone = *oldest;
        *oldest = gone->next;
        free(gone);
        js->nended--;
    }
}

static void unqueue(struct job_system *js, struct job_entry *en)
{
    for (struct job_entry **pp = &js->qhead; *pp; pp = &(*pp)->qnext)
        if (*pp == en) {
            *pp = en->qnext;
            if (js->qtail == &en->qnext)
                js->qtail = pp;
            break;
        }
    en->qnext = NULL;
    en->in_queue = 0;
    js->queued--;
}

static struct job_entry *enqueue(struct job_system *js, int64_t id, int64_t part_id,
                                 enum job_kind kind)
{
    struct job_entry *en = xcalloc(1, sizeof *en);
    en->st.id = id;
    en->st.part_id = part_id;
    en->kind = kind;
    en->in_queue = 1;
    en->next = js->entries;
    js->entries = en;
    *js->qtail = en;
    js->qtail = &en->qnext;
    js->queued++;
    publish(js, en, JOB_QUEUED, "", 0, NULL);
    pthread_cond_signal(&js->work);
    return en;
}

/* The oldest queued job whose part no worker has.  Caller holds mu. */
static struct job_entry *pick(struct job_system *js)
{
    for (struct job_entry *q = js->qhead; q; q = q->qnext) {
        if (q->task)
            return q;
        int busy = 0;
        for (struct job_entry *en = js->entries; en && !busy; en = en->next)
            busy = en->running && en->st.part_id == q->st.part_id;
        if (!busy)
            return q;
    }
    return NULL;
}

/* Marks a running job past its deadline and says so at once.  Caller
 * holds mu. */
static void overdue(struct job_system *js, struct job_entry *en)
{
    char msg[200];
    en->stop = JOB_STOP_DEADLINE;
    snprintf(msg, sizeof msg,
             "took longer than %g s ([jobs] deadline_s) and was stopped in stage %s",
             js->deadline_s, en->st.stage);
    publish(js, en, JOB_FAILED, NULL, en->st.progress, msg);
}

/* ------------------------------------------------- the pipeline's callbacks */

/* Adds the time of the stage just left to r's totals. */
static void close_stage(struct job_run *r, double now)
{
    static const char *const names[] = {"stored", "parse", "analyse", "price", "render"};
    if (!r->stage)
        return;
    for (int i = 0; i < JOB_ST_TOTAL; i++)
        if (!strcmp(r->stage, names[i]))
            r->stage_ms[i] += (now - r->stage_t0) * 1000;
    const char *v[1] = {r->stage};
    metric_observe(m_stage, v, now - r->stage_t0);
}

enum job_stop jobs_stage(struct job_run *r, const char *stage, int progress)
{
    struct job_system *js = r->w->js;
    struct job_entry *en = r->en;
    double now = core_now();
    close_stage(r, now);
    r->stage = stage;
    r->stage_t0 = now;
    r->progress = progress;
    pthread_mutex_lock(&js->mu);
    if (en->stop == JOB_GO_ON && now > en->deadline)
        overdue(js, en);
    enum job_stop stop = en->stop;
    if (stop == JOB_GO_ON)
        publish(js, en, JOB_RUNNING, stage, progress, NULL);
    pthread_mutex_unlock(&js->mu);
    if (stop != JOB_GO_ON)
        return stop;
    struct err e;
    if (store_job_update(r->w->db, r->id, "running", stage, progress, NULL, NULL, &e) < 0)
        log_warn("job stage not saved", "job=%lld stage=%s error=\"%s\"", (long long)r->id, stage,
                 e.msg);
    return JOB_GO_ON;
}

void jobs_progress(struct job_run *r, int progress)
{
    struct job_system *js = r->w->js;
    struct job_entry *en = r->en;
    if (progress > 100)
        progress = 100;
    r->progress = progress;
    pthread_mutex_lock(&js->mu);
    if (en->stop == JOB_GO_ON && progress != en->st.progress &&
        core_now() - en->last_pub >= PUBLISH_S)
        publish(js, en, JOB_RUNNING, NULL, progress, NULL);
    pthread_mutex_unlock(&js->mu);
}

enum job_stop jobs_stopping(struct job_run *r)
{
    struct job_system *js = r->w->js;
    pthread_mutex_lock(&js->mu);
    if (r->en->stop == JOB_GO_ON && core_now() > r->en->deadline)
        overdue(js, r->en);
    enum job_stop stop = r->en->stop;
    pthread_mutex_unlock(&js->mu);
    return stop;
}

/* ----------------------------------------------------------------- workers */

static const char *kind_name(enum job_kind k)
{
    return k == JOB_PRICE ? "price" : "measure";
}

static void log_end(const struct job_run *r, enum job_state state, const char *error, double ms)
{
    char q[300];
    const double *t = r->stage_ms;
    if (state == JOB_DONE)
        log_info("job done",
                 "job=%lld part=%lld kind=%s ms=%.1f stored_ms=%.1f parse_ms=%.1f "
                 "analyse_ms=%.1f price_ms=%.1f render_ms=%.1f",
                 (long long)r->id, (long long)r->part_id, kind_name(r->kind), ms, t[JOB_ST_STORED],
                 t[JOB_ST_PARSE], t[JOB_ST_ANALYSE], t[JOB_ST_PRICE], t[JOB_ST_RENDER]);
    else
        log_warn("job ended", "job=%lld part=%lld kind=%s state=%s ms=%.1f error=%s",
                 (long long)r->id, (long long)r->part_id, kind_name(r->kind), job_state_name(state),
                 ms, log_q(q, sizeof q, error));
}

static void run_one(struct job_worker *w, struct job_entry *en)
{
    struct job_system *js = w->js;
    struct job_run r;
    char error[256];
    memset(&r, 0, sizeof r);
    r.w = w;
    r.c = js->c;
    r.data_dir = js->data_dir;
    r.en = en;
    r.id = en->st.id;
    r.part_id = en->st.part_id;
    r.kind = en->kind;
    r.deadline_s = js->deadline_s;
    double t0 = core_now();
    enum job_state state = jobs_run(&r, error, sizeof error);
    double now = core_now();
    close_stage(&r, now); /* the stage the job ended in */
    r.stage_ms[JOB_ST_TOTAL] = (now - t0) * 1000;
    pthread_mutex_lock(&js->mu);
    en->running = 0;
    js->running--;
    en->ended = now;
    js->nended++;
    if (state == JOB_DONE)
        publish(js, en, state, "done", 100, NULL);
    else if (state != JOB_QUEUED)
        publish(js, en, state, r.stage ? r.stage : "", r.progress, error);
    else
        publish(js, en, state, "", 0, NULL);
    evict(js);
    pthread_cond_broadcast(&js->work); /* a job of the same part may go now */
    pthread_mutex_unlock(&js->mu);
    if (state != JOB_QUEUED) {
        count_outcome(state);
        if (state != JOB_CANCELLED)
            core_window_add(&js->recent, now, state == JOB_FAILED);
        log_end(&r, state, error, r.stage_ms[JOB_ST_TOTAL]);
    }
}

static void run_task(struct job_worker *w, struct job_entry *en)
{
    struct job_system *js = w->js;
    struct job_task_env env = {js->c, js->data_dir, w->db};
    int rc = en->task(en->task_ctx, &env, &en->task_err);
    pthread_mutex_lock(&js->mu);
    en->task_rc = rc;
    en->task_done = 1;
    en->running = 0;
    js->running--;
    pthread_cond_broadcast(&js->changed);
    pthread_cond_broadcast(&js->work);
    pthread_mutex_unlock(&js->mu);
}

/* Called with mu held by a worker whose job or task ended: when it was the
 * last, gives the memory the jobs freed back to the system.  glibc keeps
 * freed blocks in each thread's arena (one per worker and per request
 * thread that allocated), so a busy hour would otherwise leave the idle
 * server at its peak. */
static void trim_when_idle(struct job_system *js)
{
    if (js->running != 0 || js->queued != 0)
        return;
    pthread_mutex_unlock(&js->mu);
    malloc_trim(0);
    pthread_mutex_lock(&js->mu);
}

static void *worker_main(void *arg)
{
    struct job_worker *w = arg;
    struct job_system *js = w->js;
    pthread_mutex_lock(&js->mu);
    for (;;) {
        struct job_entry *en = NULL;
        while (!js->stopping && !(en = pick(js)))
            pthread_cond_wait(&js->work, &js->mu);
        if (js->stopping)
            break;
        unqueue(js, en);
        en->running = 1;
        js->running++;
        if (en->task) {
            pthread_mutex_unlock(&js->mu);
            run_task(w, en);
            pthread_mutex_lock(&js->mu);
            trim_when_idle(js);
            continue;
        }
        en->deadline = core_now() + js->deadline_s;
        publish(js, en, JOB_RUNNING, "", 0, NULL);
        pthread_cond_signal(&js->wd);
        pthread_mutex_unlock(&js->mu);
        run_one(w, en);
        pthread_mutex_lock(&js->mu);
        trim_when_idle(js);
    }
    pthread_mutex_unlock(&js->mu);
    return NULL;
}

/* Publishes deadlines as they pass; sleeps until the nearest one. */
static void *watchdog_main(void *arg)
{
    struct job_system *js = arg;
    pthread_mutex_lock(&js->mu);
    while (!js->wd_exit) {
        double now = core_now(), next = 3600;
        for (struct job_entry *en = js->entries; en; en = en->next) {
            if (!en->running || en->stop != JOB_GO_ON)
                continue;
            if (en->deadline <= now)
                overdue(js, en);
            else if (en->deadline - now < next)
                next = en->deadline - now;
        }
        struct timespec ts = after(next + 0.001);
        pthread_cond_timedwait(&js->wd, &js->mu, &ts);
    }
    pthread_mutex_unlock(&js->mu);
    return NULL;
}

/* ----------------------------------------------------------------- start */

static int make_dir(const char *dir, const char *sub, struct err *e)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    if (mkdir(path, 0750) != 0 && errno != EEXIST)
        return err_set(e, "cannot create %s: %s", path, strerror(errno));
    return 0;
}

struct recovered {
    struct store_job *v;
    size_t n, cap;
};

static int collect(const struct store_job *j, void *ctx)
{
    struct recovered *rc = ctx;
    if (rc->n == rc->cap) {
        rc->cap = rc->cap ? rc->cap * 2 : 32;
        rc->v = xrealloc(rc->v, rc->cap * sizeof *rc->v);
    }
    rc->v[rc->n++] = *j;
    return 0;
}

/* Jobs a previous run left queued or running go back in the queue, or fail
 * when their drawing is gone. */
static int recover(struct job_system *js, struct err *e)
{
    struct recovered rc = {NULL, 0, 0};
    struct arena *a = arena_new(0);
    int again = 0, lost = 0;
    if (store_job_unfinished(js->front, collect, &rc, e) != 0)
        goto fail;
    for (size_t i = 0; i < rc.n; i++) {
        const struct store_job *j = &rc.v[i];
        enum job_kind kind = !strcmp(j->kind, "price") ? JOB_PRICE : JOB_MEASURE;
        struct store_part p;
        char path[4096], why[512];
        struct stat st;
        int found = store_part_get(js->front, a, j->part_id, &p, e);
        if (found < 0)
            goto fail;
        if (found && (kind == JOB_MEASURE || !p.geometry)) {
            snprintf(path, sizeof path, "%s/%s", js->data_dir, p.stored_path);
            if (stat(path, &st) != 0) {
                snprintf(why, sizeof why,
                         "the stored drawing %s is missing after a restart; upload %s again",
                         p.stored_path, p.file_name);
                if (store_job_update(js->front, j->id, "failed", j->stage, j->progress, why, NULL,
                                     e) < 0)
                    goto fail;
                count_outcome(JOB_FAILED);
                lost++;
                continue;
            }
        }
        if (!strcmp(j->state, "running") &&
            store_job_update(js->front, j->id, "queued", "", 0, NULL, NULL, e) < 0)
            goto fail;
        pthread_mutex_lock(&js->mu);
        enqueue(js, j->id, j->part_id, kind);
        pthread_mutex_unlock(&js->mu);
        again++;
    }
    if (rc.n)
        log_info("jobs recovered", "queued_again=%d failed=%d", again, lost);
    free(rc.v);
    arena_free(a);
    return 0;
fail:
    free(rc.v);
    arena_free(a);
    return err_prefix(e, "recovering the jobs of the previous run");
}

/* Joins the threads that run and frees everything. */
static void destroy(struct job_system *js)
{
    pthread_mutex_lock(&js->mu);
    js->stopping = 1;
    pthread_cond_broadcast(&js->work);
    pthread_mutex_unlock(&js->mu);
    for (int i = 0; i < js->nworkers; i++) {
        struct job_worker *w = &js->workers[i];
        if (w->started)
            pthread_join(w->thread, NULL);
    }
    pthread_mutex_lock(&js->mu);
    js->wd_exit = 1;
    pthread_cond_signal(&js->wd);
    /* job_wait callers see stopping and leave; wait until they have. */
    while (js->waiters > 0) {
        pthread_cond_broadcast(&js->changed);
        struct timespec ts = after(0.05);
        pthread_cond_timedwait(&js->changed, &js->mu, &ts);
    }
    pthread_mutex_unlock(&js->mu);
    if (js->wd_started)
        pthread_join(js->watchdog, NULL);
    for (int i = 0; i < js->nworkers; i++) {
        struct job_worker *w = &js->workers[i];
        price_engine_free(w->pe);
        store_close(w->db, 0);
        free(w->rules_name);
        free(w->rules_src);
    }
    store_close(js->front, 1);
    while (js->entries) {
        struct job_entry *en = js->entries;
        js->entries = en->next;
        free(en);
    }
    pthread_mutex_destroy(&js->mu);
    pthread_mutex_destroy(&js->recent.mu);
    pthread_mutex_destroy(&js->front_mu);
    pthread_cond_destroy(&js->work);
    pthread_cond_destroy(&js->changed);
    pthread_cond_destroy(&js->wd);
    free(js->workers);
    free(js->data_dir);
    free(js);
}

int job_system_start_tuned(struct job_system **out, const struct cfg *c, const struct job_tuning *t,
                           struct err *e)
{
    pthread_once(&metrics_once, metrics_init);
    struct job_system *js = xcalloc(1, sizeof *js);
    pthread_condattr_t ca;
    *out = NULL;
    js->c = c;
    js->data_dir = xstrdup(cfg_str(c, CFG_DATA_DIR));
    js->nworkers = (int)cfg_int(c, CFG_JOBS_WORKERS);
    js->capacity = js->nworkers + (long)cfg_int(c, CFG_JOBS_QUEUE);
    js->deadline_s =
        t && t->deadline_s > 0 ? t->deadline_s : (double)cfg_int(c, CFG_JOBS_DEADLINE_S);
    js->qtail = &js->qhead;
    js->workers = xcalloc((size_t)js->nworkers, sizeof *js->workers);
    pthread_mutex_init(&js->mu, NULL);
    pthread_mutex_init(&js->recent.mu, NULL);
    pthread_mutex_init(&js->front_mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&js->work, &ca);
    pthread_cond_init(&js->changed, &ca);
    pthread_cond_init(&js->wd, &ca);
    pthread_condattr_destroy(&ca);

    int busy_ms = (int)cfg_int(c, CFG_DATA_BUSY_TIMEOUT_MS);
    if (store_open(&js->front, js->data_dir, busy_ms, e) != 0 ||
        make_dir(js->data_dir, "tmp", e) != 0 || make_dir(js->data_dir, "previews", e) != 0)
        goto fail;
    jobs_sweep_tmp(js->data_dir);
    jobs_sweep_files(js->front, js->data_dir);
    if (recover(js, e) != 0)
        goto fail;
    struct price_limits lim = {cfg_int(c, CFG_PRICING_MAX_INSTRUCTIONS),
                               (size_t)cfg_int(c, CFG_PRICING_MEMORY_MB) << 20};
    for (int i = 0; i < js->nworkers; i++) {
        struct job_worker *w = &js->workers[i];
        w->js = js;
        w->index = i;
        if (store_open(&w->db, js->data_dir, busy_ms, e) != 0 ||
            price_engine_new(&w->pe, &lim, e) != 0) {
            err_prefix(e, "starting job worker %d", i + 1);
            goto fail;
        }
    }
    for (int i = 0; i < js->nworkers; i++) {
        struct job_worker *w = &js->workers[i];
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
            err_set(e, "cannot start job worker %d: %s", i + 1, strerror(errno));
            goto fail;
        }
        w->started = 1;
    }
    if (pthread_create(&js->watchdog, NULL, watchdog_main, js) != 0) {
        err_set(e, "cannot start the job deadline watchdog: %s", strerror(errno));
        goto fail;
    }
    js->wd_started = 1;
    log_info("job system started", "workers=%d queue=%lld deadline_s=%g", js->nworkers,
             cfg_int(c, CFG_JOBS_QUEUE), js->deadline_s);
    *out = js;
    return 0;
fail:
    destroy(js);
    return -1;
}

int job_system_start(struct job_system **out, const struct cfg *c, struct err *e)
{
    return job_system_start_tuned(out, c, NULL, e);
}

void job_system_stop(struct job_system *js, double grace_s)
{
    if (!js)
        return;
    pthread_mutex_lock(&js->mu);
    js->stopping = 1;
    /* Waiting jobs stay queued in the database: the next start runs them.
     * A waiting task is answered now (its caller is told why). */
    while (js->qhead) {
        struct job_entry *en = js->qhead;
        unqueue(js, en);
        if (en->task) {
            err_set(&en->task_err, "the server is shutting down; try again when it is back");
            en->task_rc = -1;
            en->task_done = 1;
        }
    }
    pthread_cond_broadcast(&js->work);
    pthread_cond_broadcast(&js->changed);
    double until = core_now() + (grace_s > 0 ? grace_s : 0);
    while (js->running > 0 && core_now() < until) {
        struct timespec ts = after(until - core_now());
        pthread_cond_timedwait(&js->changed, &js->mu, &ts);
    }
    for (struct job_entry *en = js->entries; en; en = en->next)
        if (en->running && en->stop == JOB_GO_ON)
            en->stop = JOB_STOP_SHUTDOWN;
    long left = js->running;
    pthread_mutex_unlock(&js->mu);
    if (left)
        log_warn("stopping running jobs", "jobs=%ld grace_s=%g", left, grace_s);
    destroy(js);
}

/* -------------------------------------------------------------- requests */

int job_submit(struct job_system *js, enum job_kind kind, int64_t part_id, int64_t *job_id,
               struct err *e)
{
    return job_submit_many(js, kind, &part_id, 1, job_id, e);
}

/* Whether n more may be admitted now: 0 (room), or JOB_FULL or -1 (the
 * system is stopping) with e saying why, counted as refused.  Caller holds
 * mu. */
static int admit(struct job_system *js, size_t n, struct err *e)
{
    if (js->stopping)
        return err_set(e, "the server is shutting down; try again when it is back");
    if ((size_t)(js->running + js->queued + js->reserved) + n <= (size_t)js->capacity)
        return 0;
    metric_add(m_rejected, NULL, (double)n);
    if (n > 1 && (size_t)js->capacity < n)
        err_set(e, "%zu files at once is more than the %ld jobs the appliance takes at a "
                   "time ([jobs] workers + queue); send them in smaller groups",
                n, js->capacity);
    else
        err_set(e,
                "all %d workers are busy and %ld jobs are waiting (%ld running); try again in "
                "a few seconds",
                js->nworkers, js->queued, js->running);
    return JOB_FULL;
}

int job_task_run(struct job_system *js, job_task_fn fn, void *ctx, struct err *e)
{
    struct job_entry *en = xcalloc(1, sizeof *en);
    en->task = fn;
    en->task_ctx = ctx;
    pthread_mutex_lock(&js->mu);
    int rc = admit(js, 1, e);
    if (rc != 0) {
        pthread_mutex_unlock(&js->mu);
        free(en);
        return rc;
    }
    en->in_queue = 1;
    *js->qtail = en;
    js->qtail = &en->qnext;
    js->queued++;
    js->waiters++; /* destroy() waits for us to leave */
    pthread_cond_signal(&js->work);
    while (!en->task_done)
        pthread_cond_wait(&js->changed, &js->mu);
    js->waiters--;
    pthread_cond_broadcast(&js->changed);
    pthread_mutex_unlock(&js->mu);
    rc = en->task_rc;
    if (rc != 0)
        *e = en->task_err;
    free(en);
    return rc == 0 ? 0 : -1;
}

int job_submit_many(struct job_system *js, enum job_kind kind, const int64_t *part_ids, size_t n,
                    int64_t *job_ids, struct err *e)
{
    pthread_mutex_lock(&js->mu);
    int admitted = admit(js, n, e);
    if (admitted != 0) {
        pthread_mutex_unlock(&js->mu);
        return admitted;
    }
    js->reserved += (long)n;
    pthread_mutex_unlock(&js->mu);

    /* The rows first, all of them, then the queue: a job is never queued
     * without its row, and a failure queues none. */
    size_t made = 0;
    int rc = 0;
    pthread_mutex_lock(&js->front_mu);
    for (; made < n && rc == 0; made++)
        rc = store_job_create(js->front, part_ids[made], kind_name(kind), &job_ids[made], e);
    if (rc != 0) {
        made--; /* the one that failed has no row */
        for (size_t i = 0; i < made; i++) {
            struct err ignore;
            store_job_update(js->front, job_ids[i], "cancelled", "", 0,
                             "not started: another file of the same upload was refused", NULL,
                             &ignore);
        }
    }
    pthread_mutex_unlock(&js->front_mu);

    pthread_mutex_lock(&js->mu);
    js->reserved -= (long)n;
    if (rc == 0)
        for (size_t i = 0; i < n; i++)
            enqueue(js, job_ids[i], part_ids[i], kind);
    pthread_mutex_unlock(&js->mu);
    return rc == 0 ? 0 : -1;
}

/* The job's row as a status; 1 found, 0 not, -1 error. */
static int status_from_db(struct job_system *js, int64_t id, struct job_status *out)
{
    struct store_job j;
    struct err e;
    pthread_mutex_lock(&js->front_mu);
    int found = store_job_get(js->front, id, &j, &e);
    pthread_mutex_unlock(&js->front_mu);
    if (found < 0)
        log_warn("job status not read", "job=%lld error=\"%s\"", (long long)id, e.msg);
    if (found <= 0)
        return found;
    memset(out, 0, sizeof *out);
    out->id = j.id;
    out->part_id = j.part_id;
    out->state = state_parse(j.state);
    snprintf(out->stage, sizeof out->stage, "%s", j.stage);
    out->progress = j.progress;
    snprintf(out->error, sizeof out->error, "%s", j.error);
    out->seq = 1; /* not live: this is all there will be */
    return 1;
}

int job_status(struct job_system *js, int64_t job_id, struct job_status *out)
{
    pthread_mutex_lock(&js->mu);
    struct job_entry *en = find(js, job_id);
    if (en)
        *out = en->st;
    pthread_mutex_unlock(&js->mu);
    if (en)
        return 0;
    return status_from_db(js, job_id, out) == 1 ? 0 : -1;
}

int job_wait(struct job_system *js, int64_t job_id, uint64_t after_seq, double timeout_s,
             struct job_status *out)
{
    struct timespec until = after(timeout_s);
    int rc = 0;
    pthread_mutex_lock(&js->mu);
    js->waiters++;
    for (;;) {
        struct job_entry *en = find(js, job_id);
        if (!en) {
            pthread_mutex_unlock(&js->mu);
            int found = status_from_db(js, job_id, out);
            rc = found == 1 ? out->seq > after_seq : -1;
            pthread_mutex_lock(&js->mu);
            break;
        }
        *out = en->st;
        if (en->st.seq > after_seq) {
            rc = 1;
            break;
        }
        /* Nothing more will come: the system stops, or the job has ended. */
        if (js->stopping || state_final(en->st.state) ||
            pthread_cond_timedwait(&js->changed, &js->mu, &until) == ETIMEDOUT) {
            en = find(js, job_id);
            if (en)
                *out = en->st;
            rc = en && en->st.seq > after_seq;
            break;
        }
    }
    js->waiters--;
    if (js->stopping)
        pthread_cond_broadcast(&js->changed);
    pthread_mutex_unlock(&js->mu);
    return rc;
}

int job_cancel(struct job_system *js, int64_t job_id, struct err *e)
{
    struct job_status st;
    pthread_mutex_lock(&js->mu);
    struct job_entry *en = find(js, job_id);
    if (!en) {
        pthread_mutex_unlock(&js->mu);
        int found = status_from_db(js, job_id, &st);
        if (found != 1)
            return err_set(e, "there is no job %lld", (long long)job_id);
        if (state_final(st.state))
            return err_set(e, "job %lld has already ended (%s)", (long long)job_id,
                           job_state_name(st.state));
        return err_set(e, "job %lld waits for the next start of the server", (long long)job_id);
    }
    if (en->ended > 0 || state_final(en->st.state) || en->stop != JOB_GO_ON) {
        enum job_state s = en->st.state;
        pthread_mutex_unlock(&js->mu);
        return err_set(e, "job %lld has already ended (%s)", (long long)job_id, job_state_name(s));
    }
    if (en->running) {
        en->stop = JOB_STOP_CANCEL;
        pthread_mutex_unlock(&js->mu);
        return 0;
    }
    static const char why[] = "cancelled before it started";
    unqueue(js, en);
    en->ended = core_now();
    js->nended++;
    publish(js, en, JOB_CANCELLED, "", 0, why);
    evict(js);
    pthread_mutex_unlock(&js->mu);
    count_outcome(JOB_CANCELLED);
    pthread_mutex_lock(&js->front_mu);
    int rc = store_job_update(js->front, job_id, "cancelled", "", 0, why, NULL, e);
    pthread_mutex_unlock(&js->front_mu);
    return rc < 0 ? -1 : 0;
}

void job_recent(struct job_system *js, long *ended, long *failed)
{
    core_window_sum(&js->recent, core_now(), ended, failed);
}

void job_counts(struct job_system *js, long *running, long *queued)
{
    pthread_mutex_lock(&js->mu);
    *running = js->running;
    *queued = js->queued;
    pthread_mutex_unlock(&js->mu);
}
