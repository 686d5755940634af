/*
 * backup_timer.c - the server's own backups: one every [backup] interval_h
 * into DATA/backups, then the oldest beyond [backup] keep are deleted.
 *
 * One thread with its own database connection sleeps on a condition
 * variable (CLOCK_MONOTONIC) until the next backup is due or the server
 * stops.  The first one is due interval_h after the newest backup on disk
 * (now if that is longer ago), so restarting the server neither skips nor
 * repeats one; with no backup on disk, interval_h after the start (a new
 * appliance has nothing worth keeping yet).  A backup takes backup_mu, the lock of the admin API's "make
 * a backup now", so the two never run at once.  Failures are logged and
 * audited, and tried again an hour later at most.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/internal.h"

#define RETRY_S 3600.0

struct http_backup_timer {
    struct http_server *srv;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
};

static void backup_once(struct http_backup_timer *t, struct store *s)
{
    struct http_server *srv = t->srv;
    char name[STORE_BACKUP_NAME_LEN + 1];
    struct err e = {""};
    int removed = 0;
    pthread_mutex_lock(&srv->backup_mu);
    double t0 = core_now();
    int rc = store_backup_now(s, srv->data_dir, name, &e);
    if (rc == 0 && store_backup_prune(srv->data_dir, srv->backup_keep, &removed, &e) != 0)
        log_warn("backup retention failed", "error=%s", e.msg);
    pthread_mutex_unlock(&srv->backup_mu);
    if (rc < 0) {
        log_error("scheduled backup failed", "error=%s", e.msg);
        struct err ignore;
        store_audit(s, NULL, "backup.failed", e.msg, &ignore);
        return;
    }
    if (rc == 0) {
        log_info("scheduled backup", "name=%s ms=%.0f removed=%d", name, (core_now() - t0) * 1000,
                 removed);
        char detail[128];
        snprintf(detail, sizeof detail, "%s (every %d h, %d kept)", name, srv->backup_interval_h,
                 srv->backup_keep);
        struct err ignore;
        store_audit(s, NULL, "backup.scheduled", detail, &ignore);
    }
}

static void *timer_main(void *arg)
{
    struct http_backup_timer *t = arg;
    struct http_server *srv = t->srv;
    struct store *s = NULL;
    struct err e = {""};
    double every = srv->backup_interval_h * 3600.0;
    int64_t latest = store_backup_latest(srv->data_dir);
    double since = latest > 0 ? (double)(time(NULL) - latest) : 0;
    double due = core_now() + (since >= every ? 0 : every - since);
    pthread_mutex_lock(&t->mu);
    while (!t->stop) {
        double now = core_now();
        if (now < due) {
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            double wait = due - now;
            ts.tv_sec += (time_t)wait;
            ts.tv_nsec += (long)((wait - (double)(time_t)wait) * 1e9);
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&t->cv, &t->mu, &ts);
            continue;
        }
        pthread_mutex_unlock(&t->mu);
        if (!s && store_open(&s, srv->data_dir, srv->busy_timeout_ms, &e) != 0) {
            log_error("scheduled backup failed", "error=%s", e.msg);
            s = NULL;
            due = core_now() + (every < RETRY_S ? every : RETRY_S);
        } else {
            backup_once(t, s);
            due = core_now() + every;
        }
        pthread_mutex_lock(&t->mu);
    }
    pthread_mutex_unlock(&t->mu);
    if (s)
        store_close(s, 0);
    return NULL;
}

int http_backup_timer_start(struct http_server *srv, struct http_backup_timer **out, struct err *e)
{
    *out = NULL;
    if (srv->backup_interval_h <= 0)
        return 0;
    struct http_backup_timer *t = xcalloc(1, sizeof *t);
    pthread_condattr_t ca;
    t->srv = srv;
    pthread_mutex_init(&t->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&t->cv, &ca);
    pthread_condattr_destroy(&ca);
    int rc = pthread_create(&t->thread, NULL, timer_main, t);
    if (rc != 0) {
        pthread_cond_destroy(&t->cv);
        pthread_mutex_destroy(&t->mu);
        free(t);
        return err_set(e, "cannot start the backup timer: %s", strerror(rc));
    }
    *out = t;
    return 0;
}

void http_backup_timer_stop(struct http_backup_timer *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&t->mu);
    t->stop = 1;
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
    pthread_join(t->thread, NULL);
    pthread_cond_destroy(&t->cv);
    pthread_mutex_destroy(&t->mu);
    free(t);
}
