/*
 * tmpdir.h - a fresh folder under /tmp for each store test, removed after
 * (with everything in it), and small helpers to look into a database file
 * through a second, raw SQLite connection.
 */
#ifndef DXFQ_TEST_STORE_TMPDIR_H
#define DXFQ_TEST_STORE_TMPDIR_H

#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Makes /tmp/dxfq-store-XXXXXX into buf (>= 64 bytes); aborts on failure,
 * since no test can run without it. */
static inline const char *tmpdir_make(char *buf, size_t n)
{
    snprintf(buf, n, "/tmp/dxfq-store-XXXXXX");
    if (!mkdtemp(buf)) {
        perror("mkdtemp");
        exit(2);
    }
    return buf;
}

static inline int tmpdir_rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static inline void tmpdir_remove(const char *dir)
{
    nftw(dir, tmpdir_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* DIR/dxfquote.db opened raw (no store code), busy timeout 5 s. */
static inline sqlite3 *raw_open(const char *dir)
{
    char path[512];
    sqlite3 *db = NULL;
    snprintf(path, sizeof path, "%s/dxfquote.db", dir);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        fprintf(stderr, "raw_open %s: %s\n", path, db ? sqlite3_errmsg(db) : "?");
        exit(2);
    }
    sqlite3_busy_timeout(db, 5000);
    return db;
}

/* The first column of the first row of sql as an integer; -1 on error. */
static inline long long raw_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    else
        fprintf(stderr, "raw_int(%s): %s\n", sql, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return v;
}

/* The first column of the first row of sql as text into buf ("" on error). */
static inline const char *raw_text(sqlite3 *db, const char *sql, char *buf, size_t n)
{
    sqlite3_stmt *st = NULL;
    buf[0] = '\0';
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_text(st, 0))
        snprintf(buf, n, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return buf;
}

#endif
