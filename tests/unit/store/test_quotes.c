/*
 * test_quotes.c - quotes, parts and jobs rows: quote numbers count per year
 * from 0001, skip past revisions, and stay unique when two connections make
 * quotes at once; parts are added in order, read back whole, re-ordered and
 * refused with a named field; jobs move through their states with started
 * and finished stamped, carry the part's state and results with them (only
 * the latest job speaks for the part), and the unfinished ones are listed
 * for recovery.
 */
#include "store_internal.h"
#include "test.h"
#include "tmpdir.h"

#include <pthread.h>
#include <time.h>

static char dir[64];

#define SHA_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* Noon local time on a day of a year: the year a quote number shows. */
static int64_t noon(int year, int month, int day)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = 12;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm);
}

static struct store *open_fresh(void)
{
    struct store *s = NULL;
    struct err e = {""};
    tmpdir_make(dir, sizeof dir);
    if (store_open(&s, dir, 5000, &e) != 0) {
        fprintf(stderr, "store_open: %s\n", e.msg);
        exit(2);
    }
    return s;
}

static void close_fresh(struct store *s)
{
    store_close(s, 0);
    tmpdir_remove(dir);
}

static int64_t new_quote(struct store *s)
{
    struct store_quote q;
    struct err e = {""};
    if (store_quote_create(s, 0, "EUR", 0, &q, &e) != 0) {
        fprintf(stderr, "store_quote_create: %s\n", e.msg);
        return -1;
    }
    return q.id;
}

static int64_t new_part(struct store *s, int64_t quote, const char *name)
{
    struct store_part p;
    struct err e = {""};
    int64_t id = -1;
    memset(&p, 0, sizeof p);
    p.quote_id = quote;
    p.file_name = name;
    p.stored_path = "files/" SHA_A ".dxf.gz";
    p.sha256 = SHA_A;
    p.size_bytes = 1234;
    p.material = "Mild steel S235";
    p.thickness_mm = 3;
    p.qty = 10;
    p.options = "{\"rush\":true}";
    if (store_part_add(s, &p, &id, &e) != 0)
        fprintf(stderr, "store_part_add: %s\n", e.msg);
    return id;
}

/* ------------------------------------------------------------------ quotes */

TEST(quote_numbers_count_per_year)
{
    struct store *s = open_fresh();
    struct store_quote q;
    struct err e = {""};
    int64_t y26 = noon(2026, 3, 14), y25 = noon(2025, 12, 30);

    CHECK(store_quote_create(s, 0, "EUR", y26, &q, &e) == 0);
    CHECK_STR(q.number, "Q-2026-0001");
    CHECK_STR(q.status, "draft");
    CHECK(q.created == y26);
    CHECK(store_quote_create(s, 0, "EUR", y26 + 60, &q, &e) == 0);
    CHECK_STR(q.number, "Q-2026-0002");
    /* Another year starts again at 1 and does not move 2026's counter. */
    CHECK(store_quote_create(s, 0, "EUR", y25, &q, &e) == 0);
    CHECK_STR(q.number, "Q-2025-0001");
    CHECK(store_quote_create(s, 0, "EUR", y26 + 120, &q, &e) == 0);
    CHECK_STR(q.number, "Q-2026-0003");

    /* A revision of number 41 counts as 41: the next one is 42. */
    sqlite3 *db = raw_open(dir);
    CHECK(sqlite3_exec(db,
                       "INSERT INTO quotes (number, created, updated, currency) VALUES "
                       "('Q-2026-0041-B', 1, 1, 'EUR')",
                       NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    CHECK(store_quote_create(s, 0, "EUR", y26, &q, &e) == 0);
    CHECK_STR(q.number, "Q-2026-0042");

    /* Past 9999 the number grows a digit instead of wrapping. */
    db = raw_open(dir);
    CHECK(sqlite3_exec(db,
                       "INSERT INTO quotes (number, created, updated, currency) VALUES "
                       "('Q-2027-9999', 1, 1, 'EUR')",
                       NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    CHECK(store_quote_create(s, 0, "EUR", noon(2027, 1, 2), &q, &e) == 0);
    CHECK_STR(q.number, "Q-2027-10000");
    close_fresh(s);
}

TEST(quote_fields_and_refusals)
{
    struct store *s = open_fresh();
    struct store_quote q, got;
    struct err e = {""};
    struct arena *a = arena_new(0);

    CHECK(store_quote_create(s, 0, "eur", 0, &q, &e) == -1);
    CHECK(strstr(e.msg, "ISO 4217") != NULL);
    CHECK(store_quote_create(s, 0, "EURO", 0, &q, &e) == -1);
    CHECK(store_quote_create(s, 77, "EUR", 0, &q, &e) == -1);
    CHECK(strstr(e.msg, "no such user") != NULL);

    int64_t before = store_time();
    CHECK(store_quote_create(s, 0, "CHF", 0, &q, &e) == 0);
    CHECK(q.created >= before && q.created <= store_time());
    CHECK(store_quote_get(s, a, q.id, &got, &e) == 1);
    CHECK_STR(got.number, q.number);
    CHECK_STR(got.currency, "CHF");
    CHECK_STR(got.status, "draft");
    CHECK_STR(got.customer, "");
    CHECK(got.created_by == 0 && got.rules_version == 0);
    CHECK(store_quote_get(s, a, q.id + 100, &got, &e) == 0);
    arena_free(a);
    close_fresh(s);
}

struct maker {
    int made, failed;
    char number[50][STORE_QUOTE_NUMBER_MAX];
};

static void *make_quotes(void *arg)
{
    struct maker *m = arg;
    struct store *s = NULL;
    struct err e = {""};
    struct store_quote q;
    if (store_open(&s, dir, 10000, &e) != 0) {
        m->failed++;
        return NULL;
    }
    for (int i = 0; i < 50; i++) {
        if (store_quote_create(s, 0, "EUR", noon(2026, 6, 1), &q, &e) != 0) {
            fprintf(stderr, "maker: %s\n", e.msg);
            m->failed++;
            continue;
        }
        snprintf(m->number[m->made++], STORE_QUOTE_NUMBER_MAX, "%s", q.number);
    }
    store_close(s, 0);
    return NULL;
}

TEST(quote_numbers_unique_across_connections)
{
    struct store *s = open_fresh();
    static struct maker m[2];
    pthread_t t[2];
    memset(m, 0, sizeof m);
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, make_quotes, &m[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    CHECK(m[0].failed == 0 && m[1].failed == 0);
    CHECK(m[0].made == 50 && m[1].made == 50);
    /* 100 quotes of one year: exactly the numbers 0001 to 0100. */
    int seen[101] = {0};
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < m[i].made; k++) {
            int n = 0;
            CHECK(sscanf(m[i].number[k], "Q-2026-%4d", &n) == 1);
            if (n >= 1 && n <= 100)
                seen[n]++;
        }
    int once = 0;
    for (int n = 1; n <= 100; n++)
        once += seen[n] == 1;
    CHECK(once == 100);
    close_fresh(s);
}

/* ------------------------------------------------------------------- parts */

TEST(parts_add_get_and_order)
{
    struct store *s = open_fresh();
    struct store_part p, got;
    struct err e = {""};
    struct arena *a = arena_new(0);
    int64_t q = new_quote(s), id1 = new_part(s, q, "bracket.dxf"), id2 = new_part(s, q, "b.dxf");
    CHECK(id1 > 0 && id2 > 0);

    CHECK(store_part_get(s, a, id1, &got, &e) == 1);
    CHECK(got.quote_id == q && got.position == 1);
    CHECK_STR(got.file_name, "bracket.dxf");
    CHECK_STR(got.stored_path, "files/" SHA_A ".dxf.gz");
    CHECK_STR(got.sha256, SHA_A);
    CHECK(got.size_bytes == 1234);
    CHECK_STR(got.material, "Mild steel S235");
    CHECK(got.thickness_mm == 3 && got.qty == 10);
    CHECK_STR(got.options, "{\"rush\":true}");
    CHECK(got.geometry == NULL && got.price == NULL);
    CHECK(got.unit_price_minor == -1 && got.total_minor == -1 && got.rules_version == 0);
    CHECK(got.preview_path == NULL && got.thumb_path == NULL && got.error == NULL);
    CHECK_STR(got.state, "queued");
    CHECK(store_part_get(s, a, id2, &got, &e) == 1 && got.position == 2);
    CHECK(store_part_get(s, a, id2 + 10, &got, &e) == 0);

    /* A part with nothing chosen yet: material and thickness stay NULL. */
    memset(&p, 0, sizeof p);
    p.quote_id = q;
    p.file_name = "plain.dxf";
    p.stored_path = "files/x.dxf.gz";
    p.sha256 = SHA_A;
    p.qty = 1;
    int64_t id3 = 0;
    CHECK(store_part_add(s, &p, &id3, &e) == 0);
    CHECK(store_part_get(s, a, id3, &got, &e) == 1);
    CHECK(got.material == NULL && got.thickness_mm == 0);
    CHECK_STR(got.options, "{}");
    CHECK(got.position == 3);

    /* Changing what it is priced with. */
    CHECK(store_part_set_order(s, id3, "Aluminium 5052", 2, 5, "{\"deburr\":\"yes\"}", &e) == 1);
    CHECK(store_part_get(s, a, id3, &got, &e) == 1);
    CHECK_STR(got.material, "Aluminium 5052");
    CHECK(got.thickness_mm == 2 && got.qty == 5);
    CHECK_STR(got.options, "{\"deburr\":\"yes\"}");
    CHECK(store_part_set_order(s, id3 + 99, NULL, 0, 1, NULL, &e) == 0);
    CHECK(store_part_set_order(s, id3, NULL, 0, 0, NULL, &e) == -1);
    CHECK(strstr(e.msg, "quantity") != NULL);
    CHECK(store_part_set_order(s, id3, NULL, 0, 1, "[1,2]", &e) == -1);
    CHECK(strstr(e.msg, "options") != NULL);

    /* Refusals name what is wrong. */
    p.quote_id = q + 50;
    CHECK(store_part_add(s, &p, &id3, &e) == -1);
    CHECK(strstr(e.msg, "no such quote") != NULL);
    p.quote_id = q;
    p.sha256 = "abc";
    CHECK(store_part_add(s, &p, &id3, &e) == -1);
    CHECK(strstr(e.msg, "sha256") != NULL);
    p.sha256 = SHA_A;
    p.options = "not json";
    CHECK(store_part_add(s, &p, &id3, &e) == -1);
    CHECK(strstr(e.msg, "options") != NULL);
    p.options = NULL;
    p.thickness_mm = -1;
    CHECK(store_part_add(s, &p, &id3, &e) == -1);
    CHECK(strstr(e.msg, "thickness") != NULL);
    arena_free(a);
    close_fresh(s);
}

/* -------------------------------------------------------------------- jobs */

static int collect(const struct store_job *j, void *ctx)
{
    int64_t *ids = ctx;
    for (int i = 0; i < 8; i++)
        if (!ids[i]) {
            ids[i] = j->id;
            break;
        }
    return 0;
}

TEST(jobs_move_through_states)
{
    struct store *s = open_fresh();
    struct store_job j;
    struct store_part got;
    struct err e = {""};
    struct arena *a = arena_new(0);
    int64_t q = new_quote(s), part = new_part(s, q, "a.dxf"), job = 0;

    CHECK(store_job_create(s, part + 9, "measure", &job, &e) == -1);
    CHECK(strstr(e.msg, "no such part") != NULL);
    CHECK(store_job_create(s, part, "paint", &job, &e) == -1);
    CHECK(store_job_create(s, part, "measure", &job, &e) == 0);
    CHECK(store_job_get(s, job, &j, &e) == 1);
    CHECK(j.part_id == part);
    CHECK_STR(j.kind, "measure");
    CHECK_STR(j.state, "queued");
    CHECK(j.progress == 0 && j.started == 0 && j.finished == 0 && j.created > 0);
    CHECK(store_job_get(s, job + 5, &j, &e) == 0);

    CHECK(store_job_update(s, job, "running", "parse", 10, NULL, NULL, &e) == 1);
    CHECK(store_job_get(s, job, &j, &e) == 1);
    CHECK_STR(j.state, "running");
    CHECK_STR(j.stage, "parse");
    CHECK(j.progress == 10 && j.started > 0 && j.finished == 0);
    CHECK(store_part_get(s, a, part, &got, &e) == 1);
    CHECK_STR(got.state, "running");

    /* Refusals. */
    CHECK(store_job_update(s, job, "failed", "parse", 10, NULL, NULL, &e) == -1);
    CHECK(strstr(e.msg, "reason") != NULL);
    CHECK(store_job_update(s, job, "sleeping", "", 0, NULL, NULL, &e) == -1);
    CHECK(store_job_update(s, job, "running", "parse", 101, NULL, NULL, &e) == -1);
    CHECK(store_job_update(s, job + 5, "running", "parse", 1, NULL, NULL, &e) == 0);

    /* Done, with the results on the part. */
    struct store_part_results r = {"{\"cut_length_mm\":400}", "{\"total\":12.5}",    125, 1250, 0,
                                   "previews/1-detail.png",   "previews/1-thumb.png"};
    CHECK(store_job_update(s, job, "done", "done", 100, "ignored when done", &r, &e) == 1);
    CHECK(store_job_get(s, job, &j, &e) == 1);
    CHECK_STR(j.state, "done");
    CHECK_STR(j.error, "");
    CHECK(j.finished >= j.started && j.progress == 100);
    CHECK(store_part_get(s, a, part, &got, &e) == 1);
    CHECK_STR(got.state, "done");
    CHECK_STR(got.geometry, "{\"cut_length_mm\":400}");
    CHECK_STR(got.price, "{\"total\":12.5}");
    CHECK(got.unit_price_minor == 125 && got.total_minor == 1250 && got.rules_version == 0);
    CHECK_STR(got.preview_path, "previews/1-detail.png");
    CHECK_STR(got.thumb_path, "previews/1-thumb.png");
    CHECK(got.error == NULL);

    /* A failed re-price: the part says why and keeps its figures. */
    int64_t job2 = 0;
    CHECK(store_job_create(s, part, "price", &job2, &e) == 0 && job2 > job);
    CHECK(store_part_get(s, a, part, &got, &e) == 1);
    CHECK_STR(got.state, "queued");
    CHECK(store_job_update(s, job2, "failed", "price", 70, "unknown material 'xyz'", NULL, &e) ==
          1);
    CHECK(store_job_get(s, job2, &j, &e) == 1);
    CHECK_STR(j.kind, "price");
    CHECK_STR(j.error, "unknown material 'xyz'");
    CHECK(j.finished > 0);
    CHECK(store_part_get(s, a, part, &got, &e) == 1);
    CHECK_STR(got.state, "failed");
    CHECK_STR(got.error, "unknown material 'xyz'");
    CHECK_STR(got.geometry, "{\"cut_length_mm\":400}");

    /* An older job no longer speaks for the part once a newer one exists. */
    CHECK(store_job_update(s, job, "cancelled", "done", 100, "late", NULL, &e) == 1);
    CHECK(store_part_get(s, a, part, &got, &e) == 1);
    CHECK_STR(got.state, "failed");
    CHECK_STR(got.error, "unknown material 'xyz'");

    /* Queued again (recovery): started and finished are cleared. */
    CHECK(store_job_update(s, job2, "queued", "", 0, NULL, NULL, &e) == 1);
    CHECK(store_job_get(s, job2, &j, &e) == 1);
    CHECK(j.started == 0 && j.finished == 0);
    CHECK_STR(j.error, "");
    arena_free(a);
    close_fresh(s);
}

TEST(unfinished_jobs_listed_oldest_first)
{
    struct store *s = open_fresh();
    struct err e = {""};
    int64_t q = new_quote(s), p1 = new_part(s, q, "1.dxf"), p2 = new_part(s, q, "2.dxf");
    int64_t j[4] = {0};
    CHECK(store_job_create(s, p1, "measure", &j[0], &e) == 0);
    CHECK(store_job_create(s, p2, "measure", &j[1], &e) == 0);
    CHECK(store_job_create(s, p1, "price", &j[2], &e) == 0);
    CHECK(store_job_create(s, p2, "price", &j[3], &e) == 0);
    CHECK(store_job_update(s, j[0], "done", "done", 100, NULL, NULL, &e) == 1);
    CHECK(store_job_update(s, j[1], "running", "render", 80, NULL, NULL, &e) == 1);
    CHECK(store_job_update(s, j[3], "failed", "price", 65, "bad", NULL, &e) == 1);
    int64_t ids[8] = {0};
    CHECK(store_job_unfinished(s, collect, ids, &e) == 0);
    CHECK(ids[0] == j[1] && ids[1] == j[2] && ids[2] == 0);

    /* Deleting a part takes its jobs with it. */
    sqlite3 *db = raw_open(dir);
    char sql[96];
    snprintf(sql, sizeof sql, "DELETE FROM parts WHERE id = %lld", (long long)p2);
    CHECK(sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) == SQLITE_OK);
    CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    struct store_job jj;
    CHECK(store_job_get(s, j[1], &jj, &e) == 0);
    CHECK(store_job_update(s, j[1], "done", "done", 100, NULL, NULL, &e) == 0);
    close_fresh(s);
}

/* ---------------------------------------------------- part list and delete */

struct names {
    char got[4][32];
    int n;
};

static int note_name(const struct store_part *p, void *ctx)
{
    struct names *nm = ctx;
    if (nm->n < 4)
        snprintf(nm->got[nm->n], sizeof nm->got[0], "%s", p->file_name);
    nm->n++;
    return 0;
}

TEST(parts_listed_in_order_and_deleted_with_their_file)
{
    struct store *s = open_fresh();
    struct err e = {""};
    struct arena *a = arena_new(1 << 16);
    int64_t q = new_quote(s), other = new_quote(s);
    int64_t p1 = new_part(s, q, "a.dxf"), p2 = new_part(s, q, "b.dxf");
    int64_t p3 = new_part(s, other, "c.dxf"), job = 0;
    CHECK(p1 > 0 && p2 > 0 && p3 > 0);
    struct names nm = {{""}, 0};
    CHECK(store_part_list(s, a, q, note_name, &nm, &e) == 0);
    CHECK(nm.n == 2);
    CHECK(!strcmp(nm.got[0], "a.dxf") && !strcmp(nm.got[1], "b.dxf"));

    /* All three share one stored file: it stays until the last one goes. */
    char stored[STORE_PART_PATH];
    CHECK(store_job_create(s, p1, "measure", &job, &e) == 0);
    CHECK(store_part_delete(s, p1, stored, &e) == 1);
    CHECK(stored[0] == '\0');
    struct store_job j;
    CHECK(store_job_get(s, job, &j, &e) == 0); /* its jobs went with it */
    CHECK(store_part_delete(s, p1, stored, &e) == 0);
    CHECK(store_part_delete(s, p2, stored, &e) == 1);
    CHECK(stored[0] == '\0');
    CHECK(store_part_delete(s, p3, stored, &e) == 1);
    CHECK(!strcmp(stored, "files/" SHA_A ".dxf.gz"));
    nm.n = 0;
    CHECK(store_part_list(s, a, q, note_name, &nm, &e) == 0 && nm.n == 0);
    arena_free(a);
    close_fresh(s);
}

int main(void)
{
    RUN(quote_numbers_count_per_year);
    RUN(quote_fields_and_refusals);
    RUN(quote_numbers_unique_across_connections);
    RUN(parts_add_get_and_order);
    RUN(jobs_move_through_states);
    RUN(unfinished_jobs_listed_oldest_first);
    RUN(parts_listed_in_order_and_deleted_with_their_file);
    return test_report();
}
