/*
 * api_backups.c - database backups for admins: list, make one now,
 * download one.
 *
 * Routes (HTTP_ROLE_ADMIN): GET /api/backups, POST /api/backups,
 * GET /api/backups/{name}.
 *
 * Backups live in DATA/backups as dxfquote-YYYYmmdd-HHMMSS.db (UTC), one
 * self-contained SQLite file each (store_backup: online copy, integrity
 * check, rename into place).  Only names of exactly that form are listed
 * or served, so no request names any other file (path traversal, hidden
 * files, the live database): the name is checked character by character
 * before it meets the file system.
 *
 * After each new backup the oldest beyond [backup] keep are deleted (the
 * server's timer, backup_timer.c, makes one every [backup] interval_h).
 *
 * Every listed backup carries its PRAGMA integrity_check result
 * ("status": "ok" or "failed" with the problem).  A file is checked once
 * per size and modification time and the answer kept in memory, so a
 * listing re-reads only new or changed files.  Checks and backups run on
 * the request thread, one backup at a time (backup_mu); a copy of a
 * database of tens of megabytes takes well under a second.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/internal.h"

#define NAME_LEN    STORE_BACKUP_NAME_LEN
#define CACHE_SLOTS 256

/* The integrity answers already known, by name, size and time. */
static struct checked {
    char name[NAME_LEN + 1];
    int64_t size, mtime;
    int ok;
    char problem[512];
} cache[CACHE_SLOTS];
static unsigned cache_next;

/* Under backup_mu: the slot of this file, checked now if new or changed. */
static const struct checked *check_file(const char *dir, const char *name, const struct stat *st)
{
    for (unsigned i = 0; i < CACHE_SLOTS; i++)
        if (!strcmp(cache[i].name, name) && cache[i].size == (int64_t)st->st_size &&
            cache[i].mtime == (int64_t)st->st_mtime)
            return &cache[i];
    struct checked *c = &cache[cache_next++ % CACHE_SLOTS];
    char path[4096];
    struct err e = {""};
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(c->name, sizeof c->name, "%s", name);
    c->size = (int64_t)st->st_size;
    c->mtime = (int64_t)st->st_mtime;
    int rc = store_backup_verify(path, c->problem, sizeof c->problem, &e);
    c->ok = rc == 1;
    if (rc < 0)
        snprintf(c->problem, sizeof c->problem, "%s", e.msg);
    return c;
}

static void backups_dir(const struct http_server *srv, char *buf, size_t n)
{
    snprintf(buf, n, "%s/backups", srv->data_dir);
}

static cJSON *backup_json(const char *dir, const char *name, const struct stat *st)
{
    const struct checked *c = check_file(dir, name, st);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", name);
    cJSON_AddNumberToObject(o, "size_bytes", (double)st->st_size);
    http_json_time(o, "created", (int64_t)st->st_mtime);
    cJSON_AddStringToObject(o, "status", c->ok ? "ok" : "failed");
    if (c->ok)
        cJSON_AddNullToObject(o, "problem");
    else
        cJSON_AddStringToObject(o, "problem", c->problem);
    return o;
}

static int backups_list(struct http_req *r)
{
    char dir[4096];
    char **names;
    size_t n;
    struct err e = {""};
    if (store_backup_names(r->srv->data_dir, &names, &n, &e) != 0)
        return http_fail_internal(r, "listing backups", &e);
    backups_dir(r->srv, dir, sizeof dir);
    cJSON *o = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(o, "backups");
    pthread_mutex_lock(&r->srv->backup_mu);
    for (size_t i = 0; i < n; i++) {
        char path[4200];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
            cJSON_AddItemToArray(arr, backup_json(dir, names[i], &st));
    }
    pthread_mutex_unlock(&r->srv->backup_mu);
    store_backup_names_free(names, n);
    cJSON_AddNumberToObject(o, "keep", r->srv->backup_keep);
    cJSON_AddNumberToObject(o, "interval_h", r->srv->backup_interval_h);
    return http_reply_json(r, 200, o, NULL);
}

static int backups_make(struct http_req *r)
{
    char dir[4096], name[NAME_LEN + 1], path[4200];
    struct store *s;
    struct stat st;
    struct err e = {""};
    int status, removed = 0;
    if ((status = http_store_or_fail(r, &s)) != 0)
        return status;
    if (pthread_mutex_trylock(&r->srv->backup_mu) != 0)
        return http_reply_error(r, 409, NULL, NULL, NULL,
                                "a backup is being made right now; list the backups in a moment");
    double t0 = core_now();
    int rc = store_backup_now(s, r->srv->data_dir, name, &e);
    if (rc == 1) {
        pthread_mutex_unlock(&r->srv->backup_mu);
        return http_reply_error(r, 409, NULL, NULL, "Retry-After: 1\r\n", "%s", e.msg);
    }
    if (rc != 0) {
        pthread_mutex_unlock(&r->srv->backup_mu);
        http_audit(r, r->auth.user.name, "backup.failed", "%s", e.msg);
        return http_fail_internal(r, "making a backup", &e);
    }
    double ms = (core_now() - t0) * 1000;
    backups_dir(r->srv, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (lstat(path, &st) != 0) {
        pthread_mutex_unlock(&r->srv->backup_mu);
        err_set(&e, "%s vanished after it was written: %s", path, strerror(errno));
        return http_fail_internal(r, "making a backup", &e);
    }
    cJSON *o = cJSON_CreateObject();
    cJSON *b = backup_json(dir, name, &st);
    /* Retention counts the backups made by hand too. */
    if (store_backup_prune(r->srv->data_dir, r->srv->backup_keep, &removed, &e) != 0)
        log_warn("backup retention failed", "error=%s", e.msg);
    pthread_mutex_unlock(&r->srv->backup_mu);
    cJSON_AddNumberToObject(b, "ms", (double)(int64_t)(ms + 0.5));
    cJSON_AddItemToObject(o, "backup", b);
    cJSON_AddNumberToObject(o, "removed", removed);
    http_audit(r, r->auth.user.name, "backup.create", "%s, %lld bytes%s", name,
               (long long)st.st_size, removed ? ", older ones removed by [backup] keep" : "");
    return http_reply_json(r, 201, o, NULL);
}

static int backups_get(struct http_req *r)
{
    char dir[4096], path[4200], name[NAME_LEN + 1], extra[160];
    size_t n;
    const char *seg = http_path_param(r, "name", &n);
    struct stat st;
    if (!seg || !store_backup_name_ok(seg, n))
        return http_reply_error(r, 404, NULL, NULL, NULL,
                                "no such backup; names look like dxfquote-20261129-081500.db");
    memcpy(name, seg, n);
    name[n] = '\0';
    backups_dir(r->srv, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return http_reply_error(r, 404, NULL, NULL, NULL, "no such backup: %s", name);
    }
    http_audit(r, r->auth.user.name, "backup.download", "%s", name);
    snprintf(extra, sizeof extra, "Content-Disposition: attachment; filename=\"%s\"\r\n", name);
    int status = http_reply_file(r, 200, "application/vnd.sqlite3", extra, fd,
                                 (size_t)st.st_size);
    close(fd);
    return status;
}

const struct http_route http_routes_backups[] = {
    {"GET", "/api/backups", HTTP_ROLE_ADMIN, backups_list, NULL},
    {"POST", "/api/backups", HTTP_ROLE_ADMIN, backups_make, NULL},
    {"GET", "/api/backups/{name}", HTTP_ROLE_ADMIN, backups_get, NULL},
    {NULL, NULL, HTTP_ROLE_NONE, NULL, NULL},
};
