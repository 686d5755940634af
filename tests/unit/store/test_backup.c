/*
 * test_backup.c - online backup: a copy taken while another thread inserts
 * rows without pause is complete and consistent (integrity_check ok, row
 * count between what existed at the start and at the end), is one file in
 * rollback-journal mode, replaces an old file at the path, works while
 * another connection holds the write lock, and a bad path fails cleanly.
 */
#include "store_internal.h"
#include "test.h"
#include "tmpdir.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>

#define ROWS 30000 /* about 10 MB: many batches of 256 pages */

static char dir[64];

struct writer {
    atomic_int stop;
    atomic_int inserted;
    int failed;
    char msg[512];
};

static void *writer_main(void *arg)
{
    struct writer *w = arg;
    struct store *s = NULL;
    struct err e = {""};
    if (store_open(&s, dir, 5000, &e) != 0) {
        w->failed = 1;
        snprintf(w->msg, sizeof w->msg, "%s", e.msg);
        return NULL;
    }
    while (!atomic_load(&w->stop)) {
        if (store_audit(s, "writer", "test.write", "inserted while the backup runs", &e) != 0) {
            w->failed = 1;
            snprintf(w->msg, sizeof w->msg, "%s", e.msg);
            break;
        }
        atomic_fetch_add(&w->inserted, 1);
    }
    store_close(s, 0);
    return NULL;
}

/* ROWS audit rows of ~300 bytes each, in one transaction. */
static void fill(void)
{
    sqlite3 *db = raw_open(dir);
    int rc = sqlite3_exec(db,
                          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                          "WHERE i < 30000) INSERT INTO audit_log(time, user_name, action, "
                          "detail) SELECT 1, 'fill', 'test.fill', printf('%0300d', i) FROM n",
                          NULL, NULL, NULL);
    CHECK(rc == SQLITE_OK);
    sqlite3_close(db);
}

static sqlite3 *open_file(const char *path)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "open %s: %s\n", path, db ? sqlite3_errmsg(db) : "?");
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

TEST(backup_while_another_thread_writes)
{
    struct err e = {""};
    struct store *s = NULL;
    struct writer w = {0};
    char path[128], buf[64];
    struct stat st;
    tmpdir_make(dir, sizeof dir);
    CHECK(store_open(&s, dir, 5000, &e) == 0);
    if (!s)
        return;
    fill();
    pthread_t th;
    pthread_create(&th, NULL, writer_main, &w);
    while (atomic_load(&w.inserted) < 50 && !w.failed)
        sqlite3_sleep(1);
    snprintf(path, sizeof path, "%s/backup.db", dir);
    int before = atomic_load(&w.inserted);
    int rc = store_backup(s, path, &e);
    int after = atomic_load(&w.inserted);
    /* Let the writer go on a little so the source moves past the copy. */
    while (atomic_load(&w.inserted) < after + 50 && !w.failed)
        sqlite3_sleep(1);
    atomic_store(&w.stop, 1);
    pthread_join(th, NULL);
    CHECK(rc == 0);
    if (rc)
        fprintf(stderr, "store_backup: %s\n", e.msg);
    CHECK(!w.failed);
    if (w.failed)
        fprintf(stderr, "writer: %s\n", w.msg);
    CHECK(after > before); /* the writer was not held up by the backup */

    sqlite3 *db = open_file(path);
    CHECK(db != NULL);
    if (db) {
        CHECK_STR(raw_text(db, "PRAGMA integrity_check", buf, sizeof buf), "ok");
        CHECK_STR(raw_text(db, "PRAGMA journal_mode", buf, sizeof buf), "delete");
        long long fills = raw_int(db, "SELECT count(*) FROM audit_log WHERE action = 'test.fill'");
        long long writes =
            raw_int(db, "SELECT count(*) FROM audit_log WHERE action = 'test.write'");
        CHECK(fills == ROWS);
        CHECK(writes >= before && writes <= after);
        CHECK(raw_int(db, "PRAGMA user_version") == store_schema_latest());
        CHECK(raw_int(db, "SELECT count(*) FROM materials") == 6);
        sqlite3_close(db);
    }
    sqlite3 *live = raw_open(dir);
    CHECK(raw_int(live, "SELECT count(*) FROM audit_log WHERE action = 'test.write'") ==
          atomic_load(&w.inserted));
    sqlite3_close(live);
    char tmp[160], wal[160];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    CHECK(stat(tmp, &st) != 0);
    snprintf(wal, sizeof wal, "%s-wal", path);
    CHECK(stat(wal, &st) != 0);
    store_close(s, 1);
    tmpdir_remove(dir);
}

TEST(backup_replaces_old_file_and_ignores_held_write_lock)
{
    struct err e = {""};
    struct store *s = NULL;
    char path[128], buf[64];
    tmpdir_make(dir, sizeof dir);
    CHECK(store_open(&s, dir, 300, &e) == 0);
    if (!s)
        return;
    CHECK(store_audit(s, "anna", "test.one", "", &e) == 0);
    snprintf(path, sizeof path, "%s/old.db", dir);
    FILE *f = fopen(path, "w");
    fputs("an older backup that is about to be replaced", f);
    fclose(f);
    /* Another connection mid-write: its uncommitted row must not appear. */
    sqlite3 *other = raw_open(dir);
    CHECK(sqlite3_exec(other,
                       "BEGIN IMMEDIATE; INSERT INTO audit_log(time, action) VALUES (1, "
                       "'test.uncommitted')",
                       NULL, NULL, NULL) == SQLITE_OK);
    CHECK(store_backup(s, path, &e) == 0);
    sqlite3_exec(other, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(other);
    sqlite3 *db = open_file(path);
    CHECK(db != NULL);
    if (db) {
        CHECK_STR(raw_text(db, "PRAGMA integrity_check", buf, sizeof buf), "ok");
        CHECK(raw_int(db, "SELECT count(*) FROM audit_log WHERE action = 'test.one'") == 1);
        CHECK(raw_int(db, "SELECT count(*) FROM audit_log WHERE action = 'test.uncommitted'") == 0);
        sqlite3_close(db);
    }
    store_close(s, 1);
    tmpdir_remove(dir);
}

TEST(backup_to_missing_folder_fails_cleanly)
{
    struct err e = {""};
    struct store *s = NULL;
    char path[128];
    tmpdir_make(dir, sizeof dir);
    CHECK(store_open(&s, dir, 1000, &e) == 0);
    if (!s)
        return;
    snprintf(path, sizeof path, "%s/no/such/folder/b.db", dir);
    CHECK(store_backup(s, path, &e) == -1);
    CHECK(strstr(e.msg, path) != NULL);
    CHECK(strstr(e.msg, "cannot create the backup file") != NULL);
    /* Never onto the live database, even by another name. */
    snprintf(path, sizeof path, "%s/../%s/dxfquote.db", dir, strrchr(dir, '/') + 1);
    CHECK(store_backup(s, path, &e) == -1);
    CHECK(strstr(e.msg, "is the live database itself") != NULL);
    /* The source is left usable, with no transaction open. */
    CHECK(store_audit(s, NULL, "test.after", "", &e) == 0);
    store_close(s, 1);
    tmpdir_remove(dir);
}

int main(void)
{
    RUN(backup_while_another_thread_writes);
    RUN(backup_replaces_old_file_and_ignores_held_write_lock);
    RUN(backup_to_missing_folder_fails_cleanly);
    return test_report();
}
