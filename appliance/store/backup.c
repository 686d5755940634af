/*
 * backup.c - online backup of the live database to one self-contained file.
 *
 * Copies through SQLite's backup API in batches of BACKUP_PAGES pages into
 * PATH.tmp, checks the copy with PRAGMA integrity_check, switches it to a
 * rollback journal (so the result is one file with no -wal beside it),
 * fsyncs it and renames it over PATH, then fsyncs the folder.  PATH is
 * either the old file or the complete new one, never a partial copy; a
 * failed backup removes PATH.tmp.
 *
 * Consistency while others write: the source connection holds one read
 * transaction for the whole copy, so every batch reads the same snapshot.
 * In WAL mode writers on other connections go on meanwhile; without the
 * snapshot a write between two batches would restart the copy, and steady
 * writes could starve it.  BUSY or LOCKED from a batch is retried after a
 * short sleep until the busy timeout has passed.
 *
 * store_backup_verify() runs the same integrity check on a finished backup
 * file, read-only, for listings that must say which backups are good.
 */
#include "store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BACKUP_PAGES    256
#define BACKUP_SLEEP_MS 20

static int fsync_path(const char *path, int flags, struct err *e)
{
    int fd = open(path, flags | O_CLOEXEC);
    if (fd < 0)
        return err_set(e, "%s: cannot open to sync: %s", path, strerror(errno));
    if (fsync(fd) != 0) {
        err_set(e, "%s: fsync failed: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

/* PRAGMA integrity_check on the copy: its first row is "ok" or a problem. */
static int check_copy(sqlite3 *db, const char *tmp, struct err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        err_set(e, "%s: checking the copy: %s", tmp, sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return -1;
    }
    const char *res = (const char *)sqlite3_column_text(st, 0);
    if (!res || strcmp(res, "ok") != 0) {
        err_set(e, "%s: the copy failed its integrity check: %s", tmp, res ? res : "?");
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_finalize(st);
    return 0;
}

/* Copies every page of s into dst, retrying busy batches until the busy
 * timeout.  The caller holds a read transaction on s. */
static int copy_pages(struct store *s, sqlite3 *dst, const char *tmp, struct err *e)
{
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", s->db, "main");
    if (!b)
        return err_set(e, "%s: cannot start the backup: %s", tmp, sqlite3_errmsg(dst));
    int waited = 0, rc;
    for (;;) {
        rc = sqlite3_backup_step(b, BACKUP_PAGES);
        if (rc == SQLITE_DONE)
            break;
        if (rc == SQLITE_OK)
            continue;
        int prim = rc & 0xff;
        if ((prim == SQLITE_BUSY || prim == SQLITE_LOCKED) && waited < s->busy_ms) {
            sqlite3_sleep(BACKUP_SLEEP_MS);
            waited += BACKUP_SLEEP_MS;
            continue;
        }
        break;
    }
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
        store_sql_fail(s, rc, e, "copying pages for the backup");
        return err_prefix(e, "backup to %s", tmp);
    }
    return 0;
}

int store_backup(struct store *s, const char *path, struct err *e)
{
    size_t n = strlen(path);
    char *tmp = xmalloc(n + 5), *dir = NULL;
    sqlite3 *dst = NULL;
    sqlite3_stmt *snap = NULL;
    int rc;
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".tmp", 5);
    /* A copy renamed over the live file would pull it from under every open
     * connection and lose what only its WAL holds. */
    struct stat live, target;
    if (stat(s->path, &live) == 0 && stat(path, &target) == 0 && live.st_dev == target.st_dev &&
        live.st_ino == target.st_ino) {
        err_set(e, "%s is the live database itself; back up to another file", path);
        free(tmp);
        return -1;
    }
    /* A stale PATH.tmp (and its journal) from a crash is ours to replace. */
    unlink(tmp);

    rc = sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        err_set(e, "%s: cannot create the backup file: %s", tmp,
                dst ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
        goto fail;
    }
    /* The snapshot: BEGIN is deferred, the SELECT takes the read lock. */
    if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        store_sql_fail(s, sqlite3_extended_errcode(s->db), e, "starting the backup snapshot");
        goto fail;
    }
    rc = sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_schema", -1, &snap, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(snap);
    sqlite3_finalize(snap);
    if (rc != SQLITE_ROW) {
        store_sql_fail(s, rc, e, "starting the backup snapshot");
        goto fail;
    }
    rc = copy_pages(s, dst, tmp, e);
    sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    if (rc != 0 || check_copy(dst, tmp, e) != 0)
        goto fail;
    if (sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK) {
        err_set(e, "%s: cannot finish the backup file: %s", tmp, sqlite3_errmsg(dst));
        goto fail;
    }
    rc = sqlite3_close(dst);
    dst = NULL;
    if (rc != SQLITE_OK) {
        err_set(e, "%s: closing the backup file: %s", tmp, sqlite3_errstr(rc));
        goto fail;
    }
    if (fsync_path(tmp, O_RDONLY, e) != 0)
        goto fail;
    if (rename(tmp, path) != 0) {
        err_set(e, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
        goto fail;
    }
    /* The rename is durable once the folder's entry is on disk. */
    dir = xstrdup(path);
    if (fsync_path(dirname(dir), O_RDONLY | O_DIRECTORY, e) != 0) {
        free(dir);
        free(tmp);
        return -1;
    }
    free(dir);
    free(tmp);
    return 0;
fail:
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(dst);
    unlink(tmp);
    n = strlen(tmp);
    tmp = xrealloc(tmp, n + 9);
    memcpy(tmp + n, "-journal", 9);
    unlink(tmp);
    free(tmp);
    return -1;
}

int store_backup_verify(const char *path, char *problem, size_t n, struct err *e)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
    if (rc != SQLITE_OK) {
        err_set(e, "%s: cannot open: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return -1;
    }
    rc = sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    int ok = 0;
    if (rc == SQLITE_ROW) {
        const char *res = (const char *)sqlite3_column_text(st, 0);
        ok = res && !strcmp(res, "ok");
        snprintf(problem, n, "%s", ok ? "" : res ? res : "no answer");
    } else {
        /* Not a database at all, or damaged past reading: that is the
         * answer of the check, not an error of ours. */
        snprintf(problem, n, "%s", sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return ok;
}
