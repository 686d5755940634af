/*
 * test_migrate.c - opening the database: a fresh one gets every embedded
 * migration and the default catalog, a second open changes nothing, a
 * newer database is refused, a failing migration rolls back, bad migration
 * tables are refused, a held write lock fails after the busy timeout, and
 * unusable data folders give errors naming the path.
 */
#include "store_internal.h"
#include "test.h"
#include "tmpdir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

static char dir[64];

static struct embed_file mig(const char *path, const char *sql)
{
    struct embed_file f = {path, (const unsigned char *)sql, strlen(sql), NULL, 0, NULL};
    return f;
}

/* The migrations embedded from db/: the newest schema version. */
static size_t nmig_total(void)
{
    size_t n = 0;
    for (const struct embed_file *f = embed_db; f->path; f++)
        n++;
    return n;
}

TEST(fresh_database_gets_schema_and_catalog)
{
    char data[128], buf[256];
    struct err e = {""};
    struct store *s = NULL;
    struct stat st;
    tmpdir_make(dir, sizeof dir);
    snprintf(data, sizeof data, "%s/var/data", dir); /* two levels missing */
    mode_t old = umask(022);
    CHECK(store_open(&s, data, 5000, &e) == 0);
    umask(old);
    if (!s) {
        fprintf(stderr, "%s\n", e.msg);
        return;
    }
    CHECK(stat(data, &st) == 0 && (st.st_mode & 0777) == 0750);
    snprintf(buf, sizeof buf, "%s/dxfquote.db", data);
    CHECK(stat(buf, &st) == 0 && (st.st_mode & 0777) == 0640);
    /* The newest version is the number of embedded migrations. */
    CHECK(store_schema_latest() == (int)nmig_total());
    CHECK(store_schema_version(s) == store_schema_latest());
    CHECK(store_ping(s, &e) == 0);

    sqlite3 *db = raw_open(data);
    CHECK_STR(raw_text(db, "PRAGMA journal_mode", buf, sizeof buf), "wal");
    CHECK(raw_int(db, "PRAGMA user_version") == store_schema_latest());
    const char *tables[] = {"users",         "sessions",  "login_failures",
                            "audit_log",     "materials", "material_thicknesses",
                            "rule_versions", "quotes",    "parts",
                            "jobs"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char sql[160];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '%s'",
                 tables[i]);
        CHECK(raw_int(db, sql) == 1);
    }
    CHECK(raw_int(db, "SELECT count(*) FROM pragma_foreign_key_check") == 0);

    /* The six materials, with densities within the handbook ranges. */
    struct {
        const char *name;
        double lo, hi;
    } mats[] = {{"Mild steel S235", 7800, 7900}, {"Stainless steel 304", 7850, 8000},
                {"Aluminium 5052", 2650, 2700},  {"Brass CuZn37", 8300, 8500},
                {"Acrylic PMMA", 1170, 1200},    {"Plywood birch", 550, 750}};
    CHECK(raw_int(db, "SELECT count(*) FROM materials") == 6);
    for (int i = 0; i < 6; i++) {
        sqlite3_stmt *q;
        sqlite3_prepare_v2(db,
                           "SELECT density_kg_m3, price_per_kg, (SELECT count(*) FROM "
                           "material_thicknesses t WHERE t.material_id = m.id) FROM materials m "
                           "WHERE name = ?1",
                           -1, &q, NULL);
        sqlite3_bind_text(q, 1, mats[i].name, -1, SQLITE_STATIC);
        CHECK(sqlite3_step(q) == SQLITE_ROW);
        double density = sqlite3_column_double(q, 0);
        CHECK(density >= mats[i].lo && density <= mats[i].hi);
        CHECK(sqlite3_column_double(q, 1) > 0);
        CHECK(sqlite3_column_int(q, 2) >= 4);
        sqlite3_finalize(q);
    }
    /* Every figure positive; per material the speed falls and the pierce
     * time does not shrink as the sheet gets thicker. */
    CHECK(raw_int(db, "SELECT count(*) FROM material_thicknesses WHERE cutting_speed_mm_min <= 0 "
                      "OR pierce_time_s <= 0 OR sheet_w_mm <= 0 OR sheet_h_mm <= 0") == 0);
    CHECK(raw_int(db, "SELECT count(*) FROM material_thicknesses a JOIN material_thicknesses b "
                      "ON a.material_id = b.material_id AND a.thickness_mm < b.thickness_mm "
                      "WHERE b.cutting_speed_mm_min >= a.cutting_speed_mm_min "
                      "OR b.pierce_time_s < a.pierce_time_s") == 0);
    /* The thicknesses the issue names. */
    CHECK(raw_int(db, "SELECT count(*) FROM material_thicknesses t JOIN materials m ON m.id = "
                      "t.material_id WHERE m.name = 'Mild steel S235' AND t.thickness_mm IN "
                      "(1,2,3,4,5,6,8,10)") == 8);
    CHECK(raw_int(db, "SELECT count(*) FROM material_thicknesses t JOIN materials m ON m.id = "
                      "t.material_id WHERE m.name = 'Acrylic PMMA' AND t.thickness_mm IN "
                      "(3,5,8,10)") == 4);
    CHECK(raw_int(db, "SELECT count(*) FROM material_thicknesses t JOIN materials m ON m.id = "
                      "t.material_id WHERE m.name = 'Plywood birch' AND t.thickness_mm IN "
                      "(3,4,6,9,12)") == 5);
    sqlite3_close(db);
    store_close(s, 1);
    tmpdir_remove(dir);
}

TEST(second_open_is_a_no_op)
{
    struct err e = {""};
    struct store *s = NULL;
    tmpdir_make(dir, sizeof dir);
    CHECK(store_open(&s, dir, 5000, &e) == 0);
    CHECK(store_audit(s, NULL, "test.mark", "before reopen", &e) == 0);
    store_close(s, 0);
    s = NULL;
    CHECK(store_open(&s, dir, 5000, &e) == 0);
    CHECK(store_schema_version(s) == store_schema_latest());
    store_close(s, 1);
    sqlite3 *db = raw_open(dir);
    CHECK(raw_int(db, "SELECT count(*) FROM materials") == 6);
    CHECK(raw_int(db, "SELECT count(*) FROM audit_log WHERE action = 'test.mark'") == 1);
    sqlite3_close(db);
    tmpdir_remove(dir);
}

/* 1 when another process sees a lock on SQLite's lock bytes of path (the
 * SHARED lock a WAL connection keeps on the database file). */
static int locked_elsewhere(const char *path)
{
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(path, O_RDWR);
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0x40000000,
                           .l_len = 512};
        _exit(fd >= 0 && fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK ? 1 : 0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 1;
}

/* POSIX locks belong to the process: opening another connection must not
 * open and close the database file, or the first connection's locks go and
 * another process may delete the WAL under it. */
TEST(second_connection_keeps_the_first_ones_locks)
{
    struct err e = {""};
    struct store *a = NULL, *b = NULL;
    char path[128];
    tmpdir_make(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/dxfquote.db", dir);
    CHECK(store_open(&a, dir, 5000, &e) == 0);
    CHECK(store_ping(a, &e) == 0);
    CHECK(locked_elsewhere(path));
    CHECK(store_open(&b, dir, 5000, &e) == 0);
    CHECK(locked_elsewhere(path));
    store_close(b, 0);
    store_close(a, 0);
    tmpdir_remove(dir);
}

TEST(newer_database_is_refused)
{
    struct err e = {""};
    struct store *s = NULL;
    char want[128];
    tmpdir_make(dir, sizeof dir);
    CHECK(store_open(&s, dir, 5000, &e) == 0);
    store_close(s, 1);
    s = NULL;
    sqlite3 *db = raw_open(dir);
    sqlite3_exec(db, "PRAGMA user_version = 7", NULL, NULL, NULL);
    sqlite3_close(db);
    CHECK(store_open(&s, dir, 5000, &e) == -1);
    CHECK(s == NULL);
    snprintf(want, sizeof want,
             "database schema version 7 is newer than this dxfquote (knows up to %d): use a "
             "newer dxfquote or restore a backup",
             store_schema_latest());
    CHECK(strstr(e.msg, want) != NULL);
    CHECK(strstr(e.msg, dir) != NULL);
    db = raw_open(dir);
    CHECK(raw_int(db, "PRAGMA user_version") == 7); /* untouched */
    sqlite3_close(db);
    tmpdir_remove(dir);
}

TEST(failing_migration_rolls_back)
{
    struct err e = {""};
    struct store *s = NULL;
    struct embed_file bad[] = {
        mig("001_a.sql", "CREATE TABLE a(x INTEGER);"),
        mig("002_bad.sql", "CREATE TABLE b(y INTEGER);\n"
                           "INSERT INTO a VALUES (1);\n"
                           "INSERT INTO nope VALUES (1);\n"),
        {0},
    };
    tmpdir_make(dir, sizeof dir);
    CHECK(store_open_with(&s, dir, 5000, bad, &e) == -1);
    CHECK(strstr(e.msg, "migration to version 2 failed and was rolled back") != NULL);
    CHECK(strstr(e.msg, "db/002_bad.sql: line 3: no such table: nope") != NULL);
    sqlite3 *db = raw_open(dir);
    CHECK(raw_int(db, "PRAGMA user_version") == 1);
    CHECK(raw_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'b'") == 0);
    CHECK(raw_int(db, "SELECT count(*) FROM a") == 0);
    sqlite3_close(db);

    /* Fixed, the same database moves on to version 2. */
    struct embed_file good[] = {
        mig("001_a.sql", "CREATE TABLE a(x INTEGER);"),
        mig("002_b.sql", "CREATE TABLE b(y INTEGER); INSERT INTO a VALUES (1);"),
        {0},
    };
    CHECK(store_open_with(&s, dir, 5000, good, &e) == 0);
    CHECK(s && store_schema_version(s) == 2);
    store_close(s, 1);
    tmpdir_remove(dir);
}

TEST(syntax_error_names_file_and_line)
{
    struct err e = {""};
    struct store *s = NULL;
    struct embed_file m[] = {
        mig("001_x.sql", "-- comment\n\nCREATE TABL x(y);\n"),
        {0},
    };
    tmpdir_make(dir, sizeof dir);
    CHECK(store_open_with(&s, dir, 5000, m, &e) == -1);
    CHECK(strstr(e.msg, "db/001_x.sql: line 3: ") != NULL);
    CHECK(strstr(e.msg, "syntax error") != NULL);
    tmpdir_remove(dir);
}

TEST(foreign_key_breakage_is_refused)
{
    struct err e = {""};
    struct store *s = NULL;
    struct embed_file m[] = {
        mig("001_x.sql", "CREATE TABLE p(id INTEGER PRIMARY KEY);\n"
                         "CREATE TABLE c(p INTEGER REFERENCES p(id));\n"
                         "INSERT INTO c VALUES (42);\n"),
        {0},
    };
    tmpdir_make(dir, sizeof dir);
    CHECK(store_open_with(&s, dir, 5000, m, &e) == -1);
    CHECK(strstr(e.msg, "db/001_x.sql: leaves rows in table c that break a foreign key to p") !=
          NULL);
    sqlite3 *db = raw_open(dir);
    CHECK(raw_int(db, "PRAGMA user_version") == 0);
    sqlite3_close(db);
    tmpdir_remove(dir);
}

TEST(bad_migration_tables_are_refused)
{
    struct err e = {""};
    struct store *s = NULL;
    char data[128];
    struct stat st;
    struct embed_file gap[] = {mig("001_a.sql", "SELECT 1;"), mig("003_c.sql", "SELECT 1;"), {0}};
    struct embed_file zero[] = {mig("000_a.sql", "SELECT 1;"), {0}};
    struct embed_file dup[] = {mig("001_a.sql", "SELECT 1;"), mig("001_b.sql", "SELECT 1;"), {0}};
    struct embed_file noname[] = {mig("schema.sql", "SELECT 1;"), {0}};
    struct embed_file nosql[] = {mig("001_a.txt", "SELECT 1;"), {0}};
    int n = -1;
    tmpdir_make(dir, sizeof dir);
    snprintf(data, sizeof data, "%s/data", dir);
    CHECK(store_open_with(&s, data, 5000, gap, &e) == -1);
    CHECK(strstr(e.msg, "not numbered 1..N without gaps: expected version 2, found db/003_c.sql"));
    CHECK(stat(data, &st) == -1); /* refused before anything was made */
    CHECK(store_migrations_check(zero, &n, &e) == -1);
    CHECK(strstr(e.msg, "expected version 1, found db/000_a.sql") != NULL);
    CHECK(store_migrations_check(dup, &n, &e) == -1);
    CHECK(strstr(e.msg, "expected version 2, found db/001_b.sql") != NULL);
    CHECK(store_migrations_check(noname, &n, &e) == -1);
    CHECK(strstr(e.msg, "db/schema.sql: expected a name like 001_schema.sql") != NULL);
    CHECK(store_migrations_check(nosql, &n, &e) == -1);
    CHECK(store_migrations_check(embed_db, &n, &e) == 0 && (size_t)n == nmig_total());
    tmpdir_remove(dir);
}

TEST(held_write_lock_fails_after_busy_timeout)
{
    struct err e = {""};
    struct store *s = NULL;
    tmpdir_make(dir, sizeof dir);
    CHECK(store_open(&s, dir, 300, &e) == 0);
    if (!s)
        return;
    sqlite3 *other = raw_open(dir);
    CHECK(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK);
    double t0 = core_now();
    CHECK(store_audit(s, "anna", "test.busy", "", &e) == -1);
    double waited = core_now() - t0;
    CHECK(waited >= 0.25); /* it waited out the busy timeout; ctest bounds a hang */
    CHECK(strstr(e.msg, "locked by another connection") != NULL);
    CHECK(strstr(e.msg, "300 ms (data.busy_timeout_ms)") != NULL);
    CHECK(strstr(e.msg, "writing the audit log") != NULL);
    /* Reads go on under WAL while the other holds the write lock. */
    CHECK(store_ping(s, &e) == 0);
    sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
    CHECK(store_audit(s, "anna", "test.busy", "", &e) == 0);
    sqlite3_close(other);
    store_close(s, 1);

    /* A migration waiting on the lock fails the same way, leaving the
     * database at its old version. */
    struct embed_file one[] = {mig("001_a.sql", "CREATE TABLE a(x);"), {0}};
    struct embed_file two[] = {
        mig("001_a.sql", "CREATE TABLE a(x);"), mig("002_b.sql", "CREATE TABLE b(x);"), {0}};
    tmpdir_remove(dir);
    tmpdir_make(dir, sizeof dir);
    s = NULL;
    CHECK(store_open_with(&s, dir, 300, one, &e) == 0);
    store_close(s, 1);
    other = raw_open(dir);
    CHECK(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK);
    s = NULL;
    t0 = core_now();
    CHECK(store_open_with(&s, dir, 300, two, &e) == -1);
    waited = core_now() - t0;
    CHECK(waited >= 0.25); /* it waited out the busy timeout; ctest bounds a hang */
    CHECK(strstr(e.msg, "locked by another connection") != NULL);
    CHECK(strstr(e.msg, "applying db/002_b.sql") != NULL);
    sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
    CHECK(raw_int(other, "PRAGMA user_version") == 1);
    sqlite3_close(other);
    tmpdir_remove(dir);
}

TEST(unusable_data_folder_names_the_path)
{
    struct err e = {""};
    struct store *s = NULL;
    char path[128];
    tmpdir_make(dir, sizeof dir);

    /* A file where the folder should be. */
    snprintf(path, sizeof path, "%s/file", dir);
    FILE *f = fopen(path, "w");
    fclose(f);
    CHECK(store_open(&s, path, 1000, &e) == -1);
    CHECK(strstr(e.msg, path) && strstr(e.msg, "is not a folder"));

    /* A folder that cannot be made: its parent is a file. */
    snprintf(path, sizeof path, "%s/file/data", dir);
    CHECK(store_open(&s, path, 1000, &e) == -1);
    CHECK(strstr(e.msg, path) && strstr(e.msg, "Not a directory"));

    /* Something that is not a database. */
    snprintf(path, sizeof path, "%s/junk", dir);
    mkdir(path, 0750);
    snprintf(path, sizeof path, "%s/junk/dxfquote.db", dir);
    f = fopen(path, "w");
    for (int i = 0; i < 200; i++)
        fputs("this is not an SQLite database at all. ", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/junk", dir);
    CHECK(store_open(&s, path, 1000, &e) == -1);
    CHECK(strstr(e.msg, "junk/dxfquote.db") && strstr(e.msg, "not a database"));
    CHECK(s == NULL);
    tmpdir_remove(dir);
}

TEST(read_only_data_folder_names_the_path)
{
    char ro[128];
    int fds[2];
    tmpdir_make(dir, sizeof dir);
    chmod(dir, 0755);
    snprintf(ro, sizeof ro, "%s/ro", dir);
    mkdir(ro, 0555);
    chmod(ro, 0555);
    CHECK(pipe(fds) == 0);
    /* Root writes anywhere, so as root the child becomes nobody first. */
    pid_t pid = fork();
    if (pid == 0) {
        struct err e = {""};
        struct store *s = NULL;
        close(fds[0]);
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(3);
        int rc = store_open(&s, ro, 1000, &e);
        if (write(fds[1], e.msg, strlen(e.msg) + 1) < 0)
            _exit(4);
        _exit(rc == -1 ? 0 : 1);
    }
    close(fds[1]);
    char msg[600] = "";
    ssize_t got = read(fds[0], msg, sizeof msg - 1);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(got > 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(strstr(msg, ro) != NULL);
    CHECK(strstr(msg, "is not writable") != NULL);
    tmpdir_remove(dir);
}

TEST(file_sizes_track_db_and_wal)
{
    struct err e = {""};
    struct store *s = NULL;
    int64_t db_bytes = -1, wal_bytes = -1;
    tmpdir_make(dir, sizeof dir);
    CHECK(store_open(&s, dir, 5000, &e) == 0);
    if (!s)
        return;
    store_file_sizes(s, &db_bytes, &wal_bytes);
    CHECK(db_bytes > 0 && db_bytes % 4096 == 0);
    for (int i = 0; i < 200; i++)
        store_audit(s, "anna", "test.size", "a line long enough to take some room in a page", &e);
    int64_t wal_after = -1;
    store_file_sizes(s, &db_bytes, &wal_after);
    CHECK(wal_after > 0); /* commits land in the WAL first */
    char path[128];
    struct stat st;
    snprintf(path, sizeof path, "%s/dxfquote.db-wal", dir);
    CHECK(stat(path, &st) == 0 && st.st_size == wal_after);
    store_close(s, 1);
    CHECK(stat(path, &st) != 0 || st.st_size == 0); /* checkpointed at close */
    tmpdir_remove(dir);
}

/* Runs sql on db and returns its result code. */
static int run(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

TEST(schema_constraints_and_delete_rules)
{
    struct err e = {""};
    struct store *s = NULL;
    tmpdir_make(dir, sizeof dir);
    CHECK(store_open(&s, dir, 5000, &e) == 0);
    if (!s)
        return;
    CHECK(store_user_add(s, "anna", STORE_ROLE_SALES, "0123456789", 1, &e) == 0);
    sqlite3 *db = raw_open(dir);
    run(db, "PRAGMA foreign_keys = ON");
    const char *h64 = "'0000000000000000000000000000000000000000000000000000000000000000'";
    char sql[1024];
    snprintf(sql, sizeof sql,
             "INSERT INTO rule_versions(id, source, created, sha256, active) "
             "VALUES (1, 'return {}', 1, %s, 1);"
             "INSERT INTO quotes(id, number, created_by, created, updated, currency, "
             "rules_version) VALUES (1, 'Q-1', (SELECT id FROM users), 1, 1, 'EUR', 1);"
             "INSERT INTO parts(id, quote_id, file_name, stored_path, sha256, size_bytes, "
             "created, updated, rules_version) VALUES (1, 1, 'a.dxf', 'up/a.dxf', %s, 10, 1, 1, "
             "1);"
             "INSERT INTO jobs(part_id, created) VALUES (1, 1);"
             "INSERT INTO sessions(token_hash, user_id, created, last_seen, csrf_token) "
             "VALUES (%s, (SELECT id FROM users), 1, 1, '0123456789abcdef');",
             h64, h64, h64);
    CHECK(run(db, sql) == SQLITE_OK);
    /* Bad values are refused by the table, not only by the code. */
    CHECK(run(db, "INSERT INTO jobs(part_id, state, created) VALUES (1, 'lost', 1)") ==
          SQLITE_CONSTRAINT);
    CHECK(run(db, "INSERT INTO jobs(part_id, state, created) VALUES (1, 'failed', 1)") ==
          SQLITE_CONSTRAINT); /* failed needs an error */
    CHECK(run(db, "INSERT INTO jobs(part_id, created) VALUES (99, 1)") == SQLITE_CONSTRAINT);
    CHECK(run(db, "UPDATE parts SET qty = 0") == SQLITE_CONSTRAINT);
    CHECK(run(db, "UPDATE parts SET geometry = '{not json'") == SQLITE_CONSTRAINT);
    CHECK(run(db, "UPDATE materials SET extra = '[1]'") == SQLITE_CONSTRAINT);
    CHECK(run(db, "INSERT INTO users(name, role, password_hash, created) VALUES "
                  "('bob', 'root', '$y$j75$a$b', 1)") == SQLITE_CONSTRAINT);
    CHECK(run(db, "INSERT INTO material_thicknesses(material_id, thickness_mm, "
                  "cutting_speed_mm_min, pierce_time_s, sheet_w_mm, sheet_h_mm) SELECT "
                  "material_id, thickness_mm, 1, 1, 1, 1 FROM material_thicknesses LIMIT 1") ==
          SQLITE_CONSTRAINT); /* one row per material and thickness */
    snprintf(sql, sizeof sql,
             "INSERT INTO rule_versions(source, created, sha256, active) VALUES ('x', 1, %s, 1)",
             h64);
    CHECK(run(db, sql) == SQLITE_CONSTRAINT); /* one active version */
    /* A rule version that priced something stays. */
    CHECK(run(db, "DELETE FROM rule_versions WHERE id = 1") == SQLITE_CONSTRAINT);
    /* A user leaves: sessions go, quotes stay without an author. */
    CHECK(run(db, "DELETE FROM users") == SQLITE_OK);
    CHECK(raw_int(db, "SELECT count(*) FROM sessions") == 0);
    CHECK(raw_int(db, "SELECT count(*) FROM quotes WHERE created_by IS NULL") == 1);
    /* A quote goes with its parts and their jobs. */
    CHECK(run(db, "DELETE FROM quotes") == SQLITE_OK);
    CHECK(raw_int(db, "SELECT count(*) FROM parts") == 0);
    CHECK(raw_int(db, "SELECT count(*) FROM jobs") == 0);
    /* A material goes with its thicknesses. */
    CHECK(run(db, "DELETE FROM materials WHERE name = 'Brass CuZn37'") == SQLITE_OK);
    CHECK(raw_int(db, "SELECT count(*) FROM material_thicknesses t LEFT JOIN materials m ON "
                      "m.id = t.material_id WHERE m.id IS NULL") == 0);
    sqlite3_close(db);
    store_close(s, 1);
    tmpdir_remove(dir);
}

int main(void)
{
    RUN(fresh_database_gets_schema_and_catalog);
    RUN(second_open_is_a_no_op);
    RUN(newer_database_is_refused);
    RUN(failing_migration_rolls_back);
    RUN(syntax_error_names_file_and_line);
    RUN(foreign_key_breakage_is_refused);
    RUN(bad_migration_tables_are_refused);
    RUN(held_write_lock_fails_after_busy_timeout);
    RUN(unusable_data_folder_names_the_path);
    RUN(read_only_data_folder_names_the_path);
    RUN(file_sizes_track_db_and_wal);
    RUN(second_connection_keeps_the_first_ones_locks);
    RUN(schema_constraints_and_delete_rules);
    return test_report();
}
