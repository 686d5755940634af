/*
 * backup_dir.c - the folder of backups, DATA/backups: one file per backup,
 * named dxfquote-YYYYmmdd-HHMMSS.db (UTC), so names sort by time and no
 * other file there is ever taken for a backup (or deleted as one).
 *
 * Used by the admin API (make, list, download), the server's backup timer
 * and its retention ([backup] keep).
 */
#include "store_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int store_backup_name_ok(const char *name, size_t n)
{
    static const char shape[] = "dxfquote-########-######.db";
    if (n != STORE_BACKUP_NAME_LEN)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (shape[i] == '#' ? !(name[i] >= '0' && name[i] <= '9') : name[i] != shape[i])
            return 0;
    }
    return 1;
}

static int backups_dir(const char *data_dir, char *buf, size_t n, struct err *e)
{
    int k = snprintf(buf, n, "%s/backups", data_dir);
    if (k < 0 || (size_t)k >= n)
        return err_set(e, "the path %s/backups is too long", data_dir);
    return 0;
}

int store_backup_now(struct store *s, const char *data_dir, char name[STORE_BACKUP_NAME_LEN + 1],
                     struct err *e)
{
    char dir[4096], path[4200];
    struct stat st;
    if (backups_dir(data_dir, dir, sizeof dir, e) != 0)
        return -1;
    if (mkdir(dir, 0750) != 0 && errno != EEXIST)
        return err_set(e, "cannot create %s: %s", dir, strerror(errno));
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(name, STORE_BACKUP_NAME_LEN + 1, "dxfquote-%Y%m%d-%H%M%S.db", &tm);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (lstat(path, &st) == 0) {
        err_set(e, "a backup named %s exists already; make the next one in a second", name);
        return 1;
    }
    return store_backup(s, path, e);
}

/* Newest first: the names sort by time. */
static int by_name_desc(const void *a, const void *b)
{
    return -strcmp(*(char *const *)a, *(char *const *)b);
}

int store_backup_names(const char *data_dir, char ***names, size_t *n, struct err *e)
{
    char dir[4096];
    size_t cap = 0;
    *names = NULL;
    *n = 0;
    if (backups_dir(data_dir, dir, sizeof dir, e) != 0)
        return -1;
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 0 : err_set(e, "cannot read %s: %s", dir, strerror(errno));
    for (struct dirent *de; (de = readdir(d)) != NULL;) {
        if (!store_backup_name_ok(de->d_name, strlen(de->d_name)))
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *names = xrealloc(*names, cap * sizeof **names);
        }
        (*names)[(*n)++] = xstrdup(de->d_name);
    }
    closedir(d);
    if (*n > 1) /* qsort must not see the NULL of an empty list */
        qsort(*names, *n, sizeof **names, by_name_desc);
    return 0;
}

void store_backup_names_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int store_backup_prune(const char *data_dir, int keep, int *removed, struct err *e)
{
    char **names;
    size_t n;
    int gone = 0, rc = 0;
    *removed = 0;
    if (keep < 1)
        return err_set(e, "[backup] keep must be at least 1");
    if (store_backup_names(data_dir, &names, &n, e) != 0)
        return -1;
    for (size_t i = (size_t)keep; i < n; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/backups/%s", data_dir, names[i]);
        if (unlink(path) == 0)
            gone++;
        else if (errno != ENOENT && rc == 0)
            rc = err_set(e, "cannot delete the old backup %s: %s", path, strerror(errno));
    }
    store_backup_names_free(names, n);
    *removed = gone;
    return rc;
}

int64_t store_backup_latest(const char *data_dir)
{
    char **names;
    size_t n;
    struct err e;
    int64_t t = 0;
    if (store_backup_names(data_dir, &names, &n, &e) != 0 || n == 0)
        return 0;
    char path[4200];
    struct stat st;
    snprintf(path, sizeof path, "%s/backups/%s", data_dir, names[0]);
    if (stat(path, &st) == 0)
        t = (int64_t)st.st_mtime;
    store_backup_names_free(names, n);
    return t;
}
