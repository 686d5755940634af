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
 * Every listed backup carries its PRAGMA integrity_check result
 * ("status": "ok" or "failed" with the problem).  A file is checked once
 * per size and modification time and the answer kept in memory, so a
 * listing re-reads only new or changed files.  Checks and backups run on
 * the request thread, one backup at a time (backup_mu); a copy of a
 * database of tens of megabytes takes well under a second.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http/internal.h"

#define NAME_LEN    (sizeof "dxfquote-20261129-081500.db" - 1)
#define CACHE_SLOTS 256

/* 1 when name is dxfquote-YYYYmmdd-HHMMSS.db. */
static int backup_name_ok(const char *name, size_t n)
{
    static const char shape[] = "dxfquote-########-######.db";
    if (n != NAME_LEN)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (shape[i] == '#' ? !(name[i] >= '0' && name[i] <= '9') : name[i] != shape[i])
            return 0;
    }
    return 1;
}

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

/* Newest first: the names sort by time. */
static int by_name_desc(const void *a, const void *b)
{
    return -strcmp(*(char *const *)a, *(char *const *)b);
}

static int backups_list(struct http_req *r)
{
    char dir[4096];
    char **names = NULL;
    size_t n = 0, cap = 0;
    backups_dir(r->srv, dir, sizeof dir);
    cJSON *o = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(o, "backups");
    DIR *d = opendir(dir);
    if (!d && errno != ENOENT) {
        cJSON_Delete(o);
        struct err e;
        err_set(&e, "cannot read %s: %s", dir, strerror(errno));
        return http_fail_internal(r, "listing backups", &e);
    }
    for (struct dirent *de; d && (de = readdir(d)) != NULL;) {
        if (!backup_name_ok(de->d_name, strlen(de->d_name)))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            names = xrealloc(names, cap * sizeof *names);
        }
        names[n++] = xstrdup(de->d_name);
    }
    if (d)
        closedir(d);
    if (n > 1) /* qsort must not see the NULL of an empty list */
        qsort(names, n, sizeof *names, by_name_desc);
    pthread_mutex_lock(&r->srv->backup_mu);
    for (size_t i = 0; i < n; i++) {
        char path[4200];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
            cJSON_AddItemToArray(arr, backup_json(dir, names[i], &st));
        free(names[i]);
    }
    pthread_mutex_unlock(&r->srv->backup_mu);
    free(names);
    return http_reply_json(r, 200, o, NULL);
}

static int backups_make(struct http_req *r)
{
    char dir[4096], name[NAME_LEN + 1], path[4200];
    struct store *s;
    struct stat st;
    struct err e = {""};
    int status;
    if ((status = http_store_or_fail(r, &s)) != 0)
        return status;
    backups_dir(r->srv, dir, sizeof dir);
    if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
        err_set(&e, "cannot create %s: %s", dir, strerror(errno));
        return http_fail_internal(r, "making a backup", &e);
    }
    if (pthread_mutex_trylock(&r->srv->backup_mu) != 0)
        return http_reply_error(r, 409, NULL, NULL, NULL,
                                "a backup is being made right now; list the backups in a moment");
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(name, sizeof name, "dxfquote-%Y%m%d-%H%M%S.db", &tm);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (lstat(path, &st) == 0) {
        pthread_mutex_unlock(&r->srv->backup_mu);
        return http_reply_error(r, 409, NULL, NULL, "Retry-After: 1\r\n",
                                "a backup named %s exists already; make the next one in a "
                                "second",
                                name);
    }
    double t0 = core_now();
    if (store_backup(s, path, &e) != 0) {
        pthread_mutex_unlock(&r->srv->backup_mu);
        http_audit(r, r->auth.user.name, "backup.failed", "%s", e.msg);
        return http_fail_internal(r, "making a backup", &e);
    }
    double ms = (core_now() - t0) * 1000;
    cJSON *o = cJSON_CreateObject();
    if (lstat(path, &st) != 0) {
        pthread_mutex_unlock(&r->srv->backup_mu);
        cJSON_Delete(o);
        err_set(&e, "%s vanished after it was written: %s", path, strerror(errno));
        return http_fail_internal(r, "making a backup", &e);
    }
    cJSON *b = backup_json(dir, name, &st);
    pthread_mutex_unlock(&r->srv->backup_mu);
    cJSON_AddNumberToObject(b, "ms", (double)(int64_t)(ms + 0.5));
    cJSON_AddItemToObject(o, "backup", b);
    http_audit(r, r->auth.user.name, "backup.create", "%s, %lld bytes", name,
               (long long)st.st_size);
    return http_reply_json(r, 201, o, NULL);
}

static int backups_get(struct http_req *r)
{
    char dir[4096], path[4200], name[NAME_LEN + 1], extra[160];
    size_t n;
    const char *seg = http_path_param(r, "name", &n);
    struct stat st;
    if (!seg || !backup_name_ok(seg, n))
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
