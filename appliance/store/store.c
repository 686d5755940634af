/*
 * store.c - opening the database, schema migrations, the statement cache
 * and SQL error wording.
 *
 * store_open() makes DIR (mode 0750) when missing, creates DIR/dxfquote.db
 * (mode 0640: it holds password hashes) and sets WAL mode, foreign keys,
 * synchronous=NORMAL and the busy timeout.  It then brings the schema up to
 * the newest embedded migration.
 *
 * Invariants:
 *  1. Migrations are the files db/NNN_name.sql, numbered 1..N without gap;
 *     PRAGMA user_version is the number of the last one applied.  A table
 *     that breaks this is refused before the database is touched.
 *  2. Each migration runs in its own BEGIN IMMEDIATE transaction together
 *     with the user_version update: it applies entirely or not at all.  The
 *     version is read again inside the transaction, so two processes
 *     starting at once never apply the same migration twice.
 *  3. Foreign keys are off while migrations run (SQLite's procedure for
 *     rebuilding a table: with them on, DROP TABLE would cascade) and
 *     PRAGMA foreign_key_check must come back empty before each commit.
 *     Migration files must not hold BEGIN/COMMIT themselves.
 *  4. A database whose user_version is above N is refused untouched.
 *  5. One struct store is one connection, never shared between threads.
 *  6. Nothing here opens and closes the database file while it exists:
 *     POSIX locks belong to the process, and a close() would drop those of
 *     every SQLite connection in it.
 */
#include "store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STORE_DB_NAME "dxfquote.db"

int64_t store_time(void)
{
    return (int64_t)time(NULL);
}

/* ------------------------------------------------------------------ errors */

int store_sql_fail(struct store *s, int rc, struct err *e, const char *what)
{
    int prim = rc & 0xff;
    if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
        return err_set(e,
                       "%s: %s: the database is locked by another connection and stayed "
                       "locked for the whole busy timeout of %d ms (data.busy_timeout_ms); try "
                       "again, and if it persists look for a stuck dxfquote process",
                       s->path, what, s->busy_ms);
    const char *msg = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
    /* sqlite3_errmsg() describes the last call on this connection; when that
     * was not the failing one, the result code's own text is the truth. */
    if (s->db && sqlite3_extended_errcode(s->db) != rc)
        msg = sqlite3_errstr(rc);
    return err_set(e, "%s: %s: %s", s->path, what, msg);
}

/* --------------------------------------------------------- statement cache */

sqlite3_stmt *store_stmt(struct store *s, enum store_stmt_slot slot, const char *sql, struct err *e)
{
    if (!s->stmt[slot]) {
        int rc =
            sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[slot], NULL);
        if (rc != SQLITE_OK) {
            store_sql_fail(s, rc, e, "preparing a statement");
            sqlite3_finalize(s->stmt[slot]);
            s->stmt[slot] = NULL;
            return NULL;
        }
    }
    return s->stmt[slot];
}

void store_stmt_done(sqlite3_stmt *st)
{
    if (st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
}

/* Runs a cached statement that returns no rows. */
static int run_simple(struct store *s, enum store_stmt_slot slot, const char *sql, const char *what,
                      struct err *e)
{
    sqlite3_stmt *st = store_stmt(s, slot, sql, e);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    store_stmt_done(st);
    if (rc != SQLITE_DONE)
        return store_sql_fail(s, rc, e, what);
    return 0;
}

int store_begin(struct store *s, struct err *e)
{
    return run_simple(s, STMT_BEGIN, "BEGIN IMMEDIATE", "starting a write transaction", e);
}

int store_commit(struct store *s, struct err *e)
{
    if (run_simple(s, STMT_COMMIT, "COMMIT", "committing", e) != 0) {
        store_rollback(s);
        return -1;
    }
    return 0;
}

void store_rollback(struct store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        run_simple(s, STMT_ROLLBACK, "ROLLBACK", "rolling back", NULL);
}

/* ------------------------------------------------------------- migrations */

int store_migrations_check(const struct embed_file *m, int *count, struct err *e)
{
    int n = 0;
    for (; m[n].path; n++) {
        const char *p = m[n].path;
        int v = 0, digits = 0;
        for (; *p >= '0' && *p <= '9'; p++, digits++) {
            if (v > 99999)
                return err_set(e, "embedded migration db/%s: version number too large", m[n].path);
            v = v * 10 + (*p - '0');
        }
        size_t len = strlen(m[n].path);
        if (digits == 0 || *p != '_' || len < 5 || strcmp(m[n].path + len - 4, ".sql") != 0)
            return err_set(e,
                           "embedded migration db/%s: expected a name like 001_schema.sql "
                           "(a number, '_', a name, '.sql')",
                           m[n].path);
        if (v != n + 1)
            return err_set(e,
                           "embedded migrations are not numbered 1..N without gaps: "
                           "expected version %d, found db/%s",
                           n + 1, m[n].path);
        if (!m[n].data)
            return err_set(e, "embedded migration db/%s has no contents", m[n].path);
    }
    *count = n;
    return 0;
}

/* Line (1-based) of byte offset off in text. */
static int line_of(const char *text, size_t off)
{
    int line = 1;
    for (size_t i = 0; i < off && text[i]; i++)
        line += text[i] == '\n';
    return line;
}

/* Skips blanks and "--" comments, so that a statement's line is the line
 * of its first word. */
static const char *skip_blank(const char *p)
{
    for (;;) {
        p += strspn(p, " \t\r\n");
        if (p[0] != '-' || p[1] != '-')
            return p;
        p += strcspn(p, "\n");
    }
}

/* Runs every statement of one migration file, naming the file and the line
 * of the statement that fails. */
static int run_script(struct store *s, const struct embed_file *f, struct err *e)
{
    const char *sql = (const char *)f->data, *p = sql;
    while (*(p = skip_blank(p))) {
        sqlite3_stmt *st = NULL;
        const char *tail = NULL;
        int rc = sqlite3_prepare_v2(s->db, p, -1, &st, &tail);
        if (rc != SQLITE_OK) {
            int at = sqlite3_error_offset(s->db);
            size_t off = (size_t)(p - sql) + (at >= 0 ? (size_t)at : 0);
            return err_set(e, "db/%s: line %d: %s", f->path, line_of(sql, off),
                           sqlite3_errmsg(s->db));
        }
        if (!st)
            break; /* only comments or blanks were left */
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            ;
        if (rc != SQLITE_DONE) {
            err_set(e, "db/%s: line %d: %s", f->path, line_of(sql, (size_t)(p - sql)),
                    sqlite3_errmsg(s->db));
            sqlite3_finalize(st);
            return -1;
        }
        sqlite3_finalize(st);
        p = tail;
    }
    return 0;
}

/* Reads an integer PRAGMA (user_version, foreign_keys). */
static int pragma_int(struct store *s, const char *sql, int *out, struct err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int(st, 0);
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : store_sql_fail(s, rc, e, sql);
}

static int exec(struct store *s, const char *sql, struct err *e)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : store_sql_fail(s, rc, e, sql);
}

/* Fails when any row breaks a foreign key (the check reports the table). */
static int fk_check(struct store *s, const struct embed_file *f, struct err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "PRAGMA foreign_key_check", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_sql_fail(s, rc, e, "PRAGMA foreign_key_check");
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        err_set(e, "db/%s: leaves rows in table %s that break a foreign key to %s", f->path,
                (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 2));
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_sql_fail(s, rc, e, "PRAGMA foreign_key_check");
}

/* Applies migration number v (m[v-1]) unless another process got there
 * first; the whole step is one transaction. */
static int apply_one(struct store *s, const struct embed_file *m, int v, struct err *e)
{
    char sql[64];
    int cur = 0;
    if (store_begin(s, e) != 0)
        return err_prefix(e, "applying db/%s", m[v - 1].path);
    if (pragma_int(s, "PRAGMA user_version", &cur, e) != 0)
        goto fail;
    if (cur >= v) {
        store_rollback(s);
        return 0;
    }
    if (run_script(s, &m[v - 1], e) != 0 || fk_check(s, &m[v - 1], e) != 0)
        goto fail;
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v);
    if (exec(s, sql, e) != 0 || store_commit(s, e) != 0)
        goto fail;
    log_info("database migrated", "file=%s version=%d", m[v - 1].path, v);
    return 0;
fail:
    store_rollback(s);
    return err_prefix(e, "%s: migration to version %d failed and was rolled back", s->path, v);
}

static int migrate(struct store *s, const struct embed_file *m, struct err *e)
{
    int cur = 0;
    if (pragma_int(s, "PRAGMA user_version", &cur, e) != 0)
        return -1;
    if (cur > s->latest)
        return err_set(e,
                       "%s: database schema version %d is newer than this dxfquote (knows up "
                       "to %d): use a newer dxfquote or restore a backup",
                       s->path, cur, s->latest);
    if (cur == s->latest)
        return 0;
    if (exec(s, "PRAGMA foreign_keys = OFF", e) != 0)
        return -1;
    for (int v = cur + 1; v <= s->latest; v++)
        if (apply_one(s, m, v, e) != 0)
            return -1;
    return 0;
}

/* ----------------------------------------------------------- open, close */

/* mkdir -p with mode 0750 for the folders it makes. */
static int make_dir(const char *dir, struct err *e)
{
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return err_set(e, "data folder %s exists but is not a folder", dir);
        return 0;
    }
    if (errno != ENOENT)
        return err_set(e, "data folder %s: %s", dir, strerror(errno));
    char *copy = xstrdup(dir);
    for (char *p = copy + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(copy, 0750) != 0 && errno != EEXIST) {
            err_set(e, "cannot create data folder %s: %s: %s", dir, copy, strerror(errno));
            free(copy);
            return -1;
        }
        *p = '/';
    }
    free(copy);
    if (mkdir(dir, 0750) != 0 && errno != EEXIST)
        return err_set(e, "cannot create data folder %s: %s", dir, strerror(errno));
    return 0;
}

int store_open_with(struct store **out, const char *dir, int busy_timeout_ms,
                    const struct embed_file *migrations, struct err *e)
{
    struct store *s = xcalloc(1, sizeof *s);
    sqlite3_stmt *st = NULL;
    int fd, rc, fk = 0;
    *out = NULL;
    s->busy_ms = busy_timeout_ms;
    s->path = xmalloc(strlen(dir) + sizeof STORE_DB_NAME + 1);
    sprintf(s->path, "%s/%s", dir, STORE_DB_NAME);
    if (store_migrations_check(migrations, &s->latest, e) != 0)
        goto fail;
    if (make_dir(dir, e) != 0)
        goto fail;
    /* SQLite makes the -wal and -shm files beside the database, so the
     * folder itself must be writable, not only the file. */
    if (access(dir, W_OK | X_OK) != 0) {
        err_set(e, "data folder %s is not writable by this user (uid %d): %s", dir, (int)geteuid(),
                strerror(errno));
        goto fail;
    }
    /* Create the file ourselves so that it is not world-readable, and only
     * when it does not exist: close() drops every POSIX lock this process
     * holds on the file, the SQLite locks of the other connections in it
     * included.  Without them a second process (the CLI, a test) closing
     * its last connection takes the file for itself and deletes the WAL
     * under the server's feet, and the two then write apart (invariant
     * 6).  While the file does not exist, no connection can hold a lock on
     * it. */
    fd = open(s->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd >= 0)
        close(fd);
    else if (errno != EEXIST) {
        err_set(e, "%s: cannot open or create the database file: %s", s->path, strerror(errno));
        goto fail;
    }
    rc = sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        store_sql_fail(s, rc, e, "opening the database");
        goto fail;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, busy_timeout_ms);
    /* journal_mode answers with the mode in effect: a file that cannot do
     * WAL (e.g. on a network file system) says so here. */
    rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *mode = (const char *)sqlite3_column_text(st, 0);
        if (!mode || strcmp(mode, "wal") != 0) {
            err_set(e,
                    "%s: the database cannot use WAL mode (journal mode stays '%s'); keep "
                    "the data folder on a local file system",
                    s->path, mode ? mode : "?");
            sqlite3_finalize(st);
            goto fail;
        }
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK) {
        store_sql_fail(s, rc, e, "setting WAL mode");
        goto fail;
    }
    if (exec(s, "PRAGMA synchronous = NORMAL", e) != 0 || migrate(s, migrations, e) != 0 ||
        exec(s, "PRAGMA foreign_keys = ON", e) != 0 ||
        pragma_int(s, "PRAGMA foreign_keys", &fk, e) != 0 ||
        pragma_int(s, "PRAGMA user_version", &s->version, e) != 0)
        goto fail;
    if (!fk) {
        err_set(e, "%s: this SQLite cannot enforce foreign keys", s->path);
        goto fail;
    }
    *out = s;
    return 0;
fail:
    store_close(s, 0);
    return -1;
}

int store_open(struct store **out, const char *dir, int busy_timeout_ms, struct err *e)
{
    return store_open_with(out, dir, busy_timeout_ms, embed_db, e);
}

void store_close(struct store *s, int checkpoint)
{
    if (!s)
        return;
    for (int i = 0; i < STMT_COUNT; i++)
        sqlite3_finalize(s->stmt[i]);
    if (s->db) {
        if (checkpoint) {
            int rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
            if (rc != SQLITE_OK)
                log_warn("WAL checkpoint at close failed", "db=%s error=\"%s\"", s->path,
                         sqlite3_errstr(rc));
        }
        sqlite3_close(s->db);
    }
    free(s->path);
    free(s);
}

/* ----------------------------------------------------------------- health */

int store_schema_version(struct store *s)
{
    int v = -1;
    if (pragma_int(s, "PRAGMA user_version", &v, NULL) != 0)
        return -1;
    return v;
}

int store_schema_latest(void)
{
    int n = 0;
    if (store_migrations_check(embed_db, &n, NULL) != 0)
        return -1;
    return n;
}

int store_ping(struct store *s, struct err *e)
{
    sqlite3_stmt *st = store_stmt(s, STMT_PING, "SELECT 1", e);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    int ok = rc == SQLITE_ROW && sqlite3_column_int(st, 0) == 1;
    store_stmt_done(st);
    if (!ok)
        return store_sql_fail(s, rc == SQLITE_ROW ? SQLITE_ERROR : rc, e, "health check");
    return 0;
}

void store_file_sizes(struct store *s, int64_t *db_bytes, int64_t *wal_bytes)
{
    struct stat st;
    size_t n = strlen(s->path);
    char *wal = xmalloc(n + 5);
    memcpy(wal, s->path, n);
    memcpy(wal + n, "-wal", 5);
    *db_bytes = stat(s->path, &st) == 0 ? (int64_t)st.st_size : 0;
    *wal_bytes = stat(wal, &st) == 0 ? (int64_t)st.st_size : 0;
    free(wal);
}
