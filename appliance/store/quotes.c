/*
 * quotes.c - quotes, their parts, and the jobs that measure and price the
 * parts: the rows the job system (appliance/jobs) and the server share.
 *
 * Quote numbers read "Q-2026-0042": the year of the quote in local time,
 * then a counter that starts again at 0001 each year.  Parts hold the
 * stored drawing (a path relative to the data folder), what they are priced
 * with (material, thickness, quantity, options) and what the last jobs
 * produced (figures, price, previews).  A job row follows one run of the
 * pipeline: queued -> running -> done | failed | cancelled.
 *
 * Invariants:
 *  1. A new quote number is read and inserted in one BEGIN IMMEDIATE
 *     transaction, so two connections never make the same number; the
 *     column's UNIQUE constraint backs it up.  A revision ("Q-2026-0042-B")
 *     counts as its number (42) when the next number is found.
 *  2. A part's state and error are those of its latest job: a job changes
 *     them only while no newer job exists for the part, in the same
 *     transaction as its own row.  Results (figures, price, previews) are
 *     written by whichever job produced them.
 *  3. A job row's error is set exactly when it failed or was cancelled;
 *     finished is set exactly when it ended.
 * Statements are prepared per call, as in catalog.c: a job makes a handful
 * of calls, never a hot loop.
 */
#include "store_internal.h"

#include <ctype.h>
#include <math.h>
#include <string.h>
#include <time.h>

static sqlite3_stmt *prepare(struct store *s, const char *sql, struct err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        store_sql_fail(s, rc, e, "preparing a quote statement");
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

/* Column i copied into a, or NULL when it is NULL; *oom set when a copy
 * fails. */
static const char *col_dup(struct arena *a, sqlite3_stmt *st, int i, int *oom)
{
    const char *t = (const char *)sqlite3_column_text(st, i);
    if (!t)
        return NULL;
    char *c = arena_strndup(a, t, (size_t)sqlite3_column_bytes(st, i));
    if (!c)
        *oom = 1;
    return c;
}

static void col_copy(sqlite3_stmt *st, int i, char *buf, size_t n)
{
    const char *t = (const char *)sqlite3_column_text(st, i);
    snprintf(buf, n, "%s", t ? t : "");
}

static void bind_opt_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static void bind_opt_id(sqlite3_stmt *st, int i, int64_t v)
{
    if (v > 0)
        sqlite3_bind_int64(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

static int64_t col_id(sqlite3_stmt *st, int i, int64_t none)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? none : sqlite3_column_int64(st, i);
}

/* Steps a statement that returns no rows and finalizes it. */
static int run_done(struct store *s, sqlite3_stmt *st, const char *what, struct err *e)
{
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_sql_fail(s, rc, e, what);
}

/* ------------------------------------------------------------------ quotes */

static int quote_year(int64_t when, int *year, struct err *e)
{
    time_t t = (time_t)when;
    struct tm tm;
    if (!localtime_r(&t, &tm))
        return err_set(e, "cannot make a quote dated %lld: not a representable time",
                       (long long)when);
    *year = tm.tm_year + 1900;
    if (*year < 1970 || *year > 9999)
        return err_set(e, "cannot number a quote of the year %d", *year);
    return 0;
}

int store_quote_currency_ok(const char *currency, struct err *e)
{
    if (!currency || strlen(currency) != 3 || !isupper((unsigned char)currency[0]) ||
        !isupper((unsigned char)currency[1]) || !isupper((unsigned char)currency[2]))
        return err_set(e,
                       "a quote's currency must be an ISO 4217 code of 3 capital letters "
                       "(company.currency), not '%s'",
                       currency ? currency : "");
    return 0;
}

int store_quote_insert_locked(struct store *s, int64_t created_by, const char *currency,
                              int64_t when, int64_t *id, char number[STORE_QUOTE_NUMBER_MAX],
                              struct err *e)
{
    char prefix[16], pattern[24];
    sqlite3_stmt *st = NULL;
    int year = 0, rc;
    if (quote_year(when, &year, e) != 0)
        return -1;
    snprintf(prefix, sizeof prefix, "Q-%04d-", year);
    snprintf(pattern, sizeof pattern, "%s[0-9]*", prefix);
    st = prepare(s,
                 "SELECT coalesce(max(CAST(substr(number, ?2) AS INTEGER)), 0) FROM quotes "
                 "WHERE number GLOB ?1",
                 e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, pattern, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, (int)strlen(prefix) + 1);
    if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return store_sql_fail(s, rc, e, "finding the next quote number");
    }
    long long next = sqlite3_column_int64(st, 0) + 1;
    sqlite3_finalize(st);
    char made[64];
    snprintf(made, sizeof made, "%s%04lld", prefix, next);
    if (strlen(made) >= STORE_QUOTE_NUMBER_MAX)
        return err_set(e, "quote numbers of %d have run out at %s", year, made);
    memcpy(number, made, strlen(made) + 1);
    st = prepare(s,
                 "INSERT INTO quotes (number, created_by, created, updated, currency) "
                 "VALUES (?1, ?2, ?3, ?3, ?4)",
                 e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, number, -1, SQLITE_STATIC);
    bind_opt_id(st, 2, created_by);
    sqlite3_bind_int64(st, 3, when);
    sqlite3_bind_text(st, 4, currency, 3, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
            return err_set(e, "cannot make a quote for user %lld: there is no such user",
                           (long long)created_by);
        return store_sql_fail(s, rc, e, "making a quote");
    }
    *id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

int store_quote_create(struct store *s, int64_t created_by, const char *currency, int64_t when,
                       struct store_quote *out, struct err *e)
{
    char number[STORE_QUOTE_NUMBER_MAX];
    int64_t id = 0;
    if (store_quote_currency_ok(currency, e) != 0)
        return -1;
    if (when <= 0)
        when = store_time();
    if (store_begin(s, e) != 0)
        return err_prefix(e, "making a quote");
    if (store_quote_insert_locked(s, created_by, currency, when, &id, number, e) != 0) {
        store_rollback(s);
        return -1;
    }
    if (store_commit(s, e) != 0)
        return -1;
    if (out) {
        memset(out, 0, sizeof *out);
        out->id = id;
        snprintf(out->number, sizeof out->number, "%s", number);
        snprintf(out->status, sizeof out->status, "draft");
        snprintf(out->currency, sizeof out->currency, "%s", currency);
        out->created_by = created_by > 0 ? created_by : 0;
        out->created = out->updated = when;
        out->customer = out->notes = "";
    }
    return 0;
}

int store_quote_get(struct store *s, struct arena *a, int64_t id, struct store_quote *out,
                    struct err *e)
{
    sqlite3_stmt *st = prepare(s,
                               "SELECT number, status, currency, created_by, created, updated, "
                               "rules_version, customer, notes, customer_id, valid_until, "
                               "revision, revision_of, sent_at, decided_at "
                               "FROM quotes WHERE id = ?1",
                               e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st), oom = 0;
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        out->id = id;
        col_copy(st, 0, out->number, sizeof out->number);
        col_copy(st, 1, out->status, sizeof out->status);
        col_copy(st, 2, out->currency, sizeof out->currency);
        out->created_by = col_id(st, 3, 0);
        out->created = sqlite3_column_int64(st, 4);
        out->updated = sqlite3_column_int64(st, 5);
        out->rules_version = col_id(st, 6, 0);
        out->customer = col_dup(a, st, 7, &oom);
        out->notes = col_dup(a, st, 8, &oom);
        out->customer_id = col_id(st, 9, 0);
        out->valid_until = col_id(st, 10, 0);
        out->revision = sqlite3_column_int(st, 11);
        out->revision_of = col_id(st, 12, 0);
        out->sent_at = col_id(st, 13, 0);
        out->decided_at = col_id(st, 14, 0);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW)
        return store_sql_fail(s, rc, e, "reading a quote");
    return oom ? err_set(e, "out of memory reading quote %lld", (long long)id) : 1;
}

/* ------------------------------------------------------------------- parts */

static int is_hex64(const char *h)
{
    if (!h || strlen(h) != 64)
        return 0;
    for (int i = 0; i < 64; i++)
        if (!isxdigit((unsigned char)h[i]))
            return 0;
    return 1;
}

/* What a part is priced with, checked before SQLite sees it, so the
 * message names the field. */
static int check_order(const char *material, double thickness_mm, long long qty, struct err *e)
{
    if (material && (!*material || strlen(material) > 200))
        return err_set(e, "material must be a catalog name of 1 to 200 characters");
    if (!isfinite(thickness_mm) || thickness_mm < 0 || thickness_mm > 1000)
        return err_set(e, "thickness must be a number of mm from 0 (none) to 1000, not %g",
                       thickness_mm);
    if (qty < 1)
        return err_set(e, "quantity must be 1 or more, not %lld", qty);
    return 0;
}

int store_part_add(struct store *s, const struct store_part *p, int64_t *id, struct err *e)
{
    if (!p->file_name || !*p->file_name)
        return err_set(e, "a part needs the name of its file");
    if (!p->stored_path || !*p->stored_path)
        return err_set(e, "a part needs the path of its stored file");
    if (!is_hex64(p->sha256))
        return err_set(e, "a part's sha256 must be 64 hexadecimal digits");
    if (p->size_bytes < 0)
        return err_set(e, "a part's size cannot be negative");
    if (check_order(p->material, p->thickness_mm, p->qty, e) != 0)
        return -1;
    sqlite3_stmt *st = prepare(
        s,
        "INSERT INTO parts (quote_id, position, file_name, stored_path, sha256, size_bytes, "
        "material, thickness_mm, qty, options, state, created, updated) VALUES (?1, "
        "CASE WHEN ?2 > 0 THEN ?2 ELSE (SELECT coalesce(max(position), 0) + 1 FROM parts "
        "WHERE quote_id = ?1) END, ?3, ?4, lower(?5), ?6, ?7, ?8, ?9, ?10, 'queued', ?11, ?11)",
        e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, p->quote_id);
    sqlite3_bind_int64(st, 2, p->position);
    sqlite3_bind_text(st, 3, p->file_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, p->stored_path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, p->sha256, 64, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, p->size_bytes);
    bind_opt_text(st, 7, p->material);
    if (p->thickness_mm > 0)
        sqlite3_bind_double(st, 8, p->thickness_mm);
    sqlite3_bind_int64(st, 9, p->qty);
    sqlite3_bind_text(st, 10, p->options ? p->options : "{}", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 11, store_time());
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        return err_set(e, "cannot add a part to quote %lld: there is no such quote",
                       (long long)p->quote_id);
    if (rc == SQLITE_CONSTRAINT_CHECK)
        return err_set(e, "a part's options must be a JSON object, not %.80s", p->options);
    if (rc != SQLITE_DONE)
        return store_sql_fail(s, rc, e, "adding a part");
    *id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

#define PART_COLUMNS                                                                             \
    "id, quote_id, position, file_name, stored_path, sha256, size_bytes, material, "             \
    "thickness_mm, qty, options, geometry, price, unit_price_minor, total_minor, "               \
    "rules_version, preview_path, thumb_path, state, error, created, updated"

/* One row of PART_COLUMNS into out, strings in a; *oom set when a runs out. */
static void read_part(sqlite3_stmt *st, struct arena *a, struct store_part *out, int *oom)
{
    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(st, 0);
    out->quote_id = sqlite3_column_int64(st, 1);
    out->position = sqlite3_column_int64(st, 2);
    out->file_name = col_dup(a, st, 3, oom);
    out->stored_path = col_dup(a, st, 4, oom);
    out->sha256 = col_dup(a, st, 5, oom);
    out->size_bytes = sqlite3_column_int64(st, 6);
    out->material = col_dup(a, st, 7, oom);
    out->thickness_mm = sqlite3_column_double(st, 8);
    out->qty = sqlite3_column_int64(st, 9);
    out->options = col_dup(a, st, 10, oom);
    out->geometry = col_dup(a, st, 11, oom);
    out->price = col_dup(a, st, 12, oom);
    out->unit_price_minor = col_id(st, 13, -1);
    out->total_minor = col_id(st, 14, -1);
    out->rules_version = col_id(st, 15, 0);
    out->preview_path = col_dup(a, st, 16, oom);
    out->thumb_path = col_dup(a, st, 17, oom);
    col_copy(st, 18, out->state, sizeof out->state);
    out->error = col_dup(a, st, 19, oom);
    out->created = sqlite3_column_int64(st, 20);
    out->updated = sqlite3_column_int64(st, 21);
}

int store_part_get(struct store *s, struct arena *a, int64_t id, struct store_part *out,
                   struct err *e)
{
    sqlite3_stmt *st = prepare(s, "SELECT " PART_COLUMNS " FROM parts WHERE id = ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st), oom = 0;
    if (rc == SQLITE_ROW)
        read_part(st, a, out, &oom);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW)
        return store_sql_fail(s, rc, e, "reading a part");
    return oom ? err_set(e, "out of memory reading part %lld", (long long)id) : 1;
}

int store_part_list(struct store *s, struct arena *a, int64_t quote_id,
                    int (*fn)(const struct store_part *p, void *ctx), void *ctx, struct err *e)
{
    sqlite3_stmt *st = prepare(
        s, "SELECT " PART_COLUMNS " FROM parts WHERE quote_id = ?1 ORDER BY position, id", e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, quote_id);
    int rc, oom = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_part p;
        read_part(st, a, &p, &oom);
        if (oom) {
            sqlite3_finalize(st);
            return err_set(e, "out of memory listing the parts of quote %lld",
                           (long long)quote_id);
        }
        if (fn(&p, ctx)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_sql_fail(s, rc, e, "listing the parts of a quote");
}

int store_file_used(struct store *s, const char *stored_path, struct err *e)
{
    sqlite3_stmt *st = prepare(s, "SELECT 1 FROM parts WHERE stored_path = ?1 LIMIT 1", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, stored_path, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : store_sql_fail(s, rc, e, "looking for a stored drawing");
}

int store_part_delete(struct store *s, int64_t id, char *stored, struct err *e)
{
    char path[STORE_PART_PATH] = "";
    int found = 0, rc;
    if (stored)
        stored[0] = '\0';
    if (store_begin(s, e) != 0)
        return -1;
    sqlite3_stmt *st = prepare(s, "SELECT stored_path FROM parts WHERE id = ?1", e);
    if (!st)
        goto fail;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        found = 1;
        col_copy(st, 0, path, sizeof path);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_sql_fail(s, rc, e, "reading a part");
        goto fail;
    }
    if (!found) {
        store_rollback(s);
        return 0;
    }
    /* The jobs go with the part (ON DELETE CASCADE). */
    st = prepare(s, "DELETE FROM parts WHERE id = ?1", e);
    if (!st)
        goto fail;
    sqlite3_bind_int64(st, 1, id);
    if (run_done(s, st, "deleting a part", e) != 0)
        goto fail;
    st = prepare(s, "SELECT count(*) FROM parts WHERE stored_path = ?1", e);
    if (!st)
        goto fail;
    sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    int64_t others = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW) {
        store_sql_fail(s, rc, e, "counting the parts of a file");
        goto fail;
    }
    if (store_commit(s, e) != 0)
        goto fail;
    if (stored && others == 0)
        snprintf(stored, STORE_PART_PATH, "%s", path);
    return 1;
fail:
    store_rollback(s);
    return -1;
}

int store_part_set_order(struct store *s, int64_t id, const char *material, double thickness_mm,
                         long long qty, const char *options, struct err *e)
{
    if (check_order(material, thickness_mm, qty, e) != 0)
        return -1;
    sqlite3_stmt *st = prepare(s,
                               "UPDATE parts SET material = ?2, thickness_mm = ?3, qty = ?4, "
                               "options = ?5, updated = ?6 WHERE id = ?1",
                               e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    bind_opt_text(st, 2, material);
    if (thickness_mm > 0)
        sqlite3_bind_double(st, 3, thickness_mm);
    sqlite3_bind_int64(st, 4, qty);
    sqlite3_bind_text(st, 5, options ? options : "{}", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, store_time());
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_CONSTRAINT_CHECK)
        return err_set(e, "a part's options must be a JSON object, not %.80s", options);
    if (rc != SQLITE_DONE)
        return store_sql_fail(s, rc, e, "changing a part");
    return sqlite3_changes(s->db) > 0;
}

/* -------------------------------------------------------------------- jobs */

static int state_known(const char *state)
{
    static const char *const known[] = {"queued", "running", "done", "failed", "cancelled"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (state && !strcmp(state, known[i]))
            return 1;
    return 0;
}

int store_job_create(struct store *s, int64_t part_id, const char *kind, int64_t *id, struct err *e)
{
    sqlite3_stmt *st = NULL;
    int64_t now = store_time();
    if (!kind || (strcmp(kind, "measure") != 0 && strcmp(kind, "price") != 0))
        return err_set(e, "a job is a measure or a price job, not '%s'", kind ? kind : "");
    if (store_begin(s, e) != 0)
        return err_prefix(e, "queueing a job");
    st = prepare(s,
                 "INSERT INTO jobs (part_id, kind, state, stage, progress, created) "
                 "VALUES (?1, ?2, 'queued', '', 0, ?3)",
                 e);
    if (!st)
        goto fail;
    sqlite3_bind_int64(st, 1, part_id);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
        err_set(e, "cannot queue a job for part %lld: there is no such part", (long long)part_id);
        goto fail;
    }
    if (rc != SQLITE_DONE) {
        store_sql_fail(s, rc, e, "queueing a job");
        goto fail;
    }
    *id = sqlite3_last_insert_rowid(s->db);
    st = prepare(s, "UPDATE parts SET state = 'queued', error = NULL, updated = ?2 WHERE id = ?1",
                 e);
    if (!st)
        goto fail;
    sqlite3_bind_int64(st, 1, part_id);
    sqlite3_bind_int64(st, 2, now);
    if (run_done(s, st, "marking the part queued", e) != 0 || store_commit(s, e) != 0)
        goto fail;
    return 0;
fail:
    store_rollback(s);
    return -1;
}

#define JOB_COLUMNS "id, part_id, kind, state, stage, progress, error, created, started, finished "

static void read_job(sqlite3_stmt *st, struct store_job *j)
{
    memset(j, 0, sizeof *j);
    j->id = sqlite3_column_int64(st, 0);
    j->part_id = sqlite3_column_int64(st, 1);
    col_copy(st, 2, j->kind, sizeof j->kind);
    col_copy(st, 3, j->state, sizeof j->state);
    col_copy(st, 4, j->stage, sizeof j->stage);
    j->progress = sqlite3_column_int(st, 5);
    col_copy(st, 6, j->error, sizeof j->error);
    j->created = sqlite3_column_int64(st, 7);
    j->started = col_id(st, 8, 0);
    j->finished = col_id(st, 9, 0);
}

int store_job_get(struct store *s, int64_t id, struct store_job *out, struct err *e)
{
    sqlite3_stmt *st = prepare(s, "SELECT " JOB_COLUMNS "FROM jobs WHERE id = ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_job(st, out);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : store_sql_fail(s, rc, e, "reading a job");
}

int store_part_jobs(struct store *s, int64_t part_id, int open_only, struct store_job *out,
                    size_t max, size_t *n, struct err *e)
{
    sqlite3_stmt *st = prepare(s,
                               open_only ? "SELECT " JOB_COLUMNS "FROM jobs WHERE part_id = ?1 "
                                           "AND state IN ('queued', 'running') ORDER BY id DESC"
                                         : "SELECT " JOB_COLUMNS "FROM jobs WHERE part_id = ?1 "
                                           "ORDER BY id DESC",
                               e);
    int rc = SQLITE_DONE;
    *n = 0;
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, part_id);
    while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
        read_job(st, &out[(*n)++]);
    if (*n < max && rc != SQLITE_DONE) {
        sqlite3_finalize(st);
        return store_sql_fail(s, rc, e, "listing a part's jobs");
    }
    sqlite3_finalize(st);
    return 0;
}

static int write_results(struct store *s, int64_t job, const struct store_part_results *r,
                         int64_t now, struct err *e)
{
    sqlite3_stmt *st = prepare(s,
                               "UPDATE parts SET geometry = ?2, price = ?3, unit_price_minor = ?4, "
                               "total_minor = ?5, rules_version = ?6, preview_path = ?7, "
                               "thumb_path = ?8, updated = ?9 "
                               "WHERE id = (SELECT part_id FROM jobs WHERE id = ?1)",
                               e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, job);
    bind_opt_text(st, 2, r->geometry);
    bind_opt_text(st, 3, r->price);
    if (r->unit_price_minor >= 0)
        sqlite3_bind_int64(st, 4, r->unit_price_minor);
    if (r->total_minor >= 0)
        sqlite3_bind_int64(st, 5, r->total_minor);
    bind_opt_id(st, 6, r->rules_version);
    bind_opt_text(st, 7, r->preview_path);
    bind_opt_text(st, 8, r->thumb_path);
    sqlite3_bind_int64(st, 9, now);
    return run_done(s, st, "saving a part's results", e);
}

int store_job_update(struct store *s, int64_t id, const char *state, const char *stage,
                     int progress, const char *error, const struct store_part_results *results,
                     struct err *e)
{
    sqlite3_stmt *st = NULL;
    int64_t now = store_time();
    if (!state_known(state))
        return err_set(e, "a job's state is queued, running, done, failed or cancelled, not '%s'",
                       state ? state : "");
    int ended_badly = !strcmp(state, "failed") || !strcmp(state, "cancelled");
    if (ended_badly && (!error || !*error))
        return err_set(e, "a %s job needs the reason in its error", state);
    if (!ended_badly)
        error = NULL;
    if (progress < 0 || progress > 100)
        return err_set(e, "a job's progress is 0 to 100, not %d", progress);
    if (store_begin(s, e) != 0)
        return err_prefix(e, "updating job %lld", (long long)id);
    st = prepare(s,
                 "UPDATE jobs SET state = ?2, stage = ?3, progress = ?4, error = ?5, "
                 "started = CASE WHEN ?2 = 'running' THEN coalesce(started, ?6) "
                 "WHEN ?2 = 'queued' THEN NULL ELSE started END, "
                 "finished = CASE WHEN ?2 IN ('done', 'failed', 'cancelled') THEN ?6 END "
                 "WHERE id = ?1",
                 e);
    if (!st)
        goto fail;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, stage ? stage : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, progress);
    bind_opt_text(st, 5, error);
    sqlite3_bind_int64(st, 6, now);
    if (run_done(s, st, "updating a job", e) != 0)
        goto fail;
    if (sqlite3_changes(s->db) == 0) {
        store_rollback(s);
        return 0;
    }
    if (results && write_results(s, id, results, now, e) != 0)
        goto fail;
    st = prepare(s,
                 "UPDATE parts SET state = ?2, error = ?3, updated = ?4 "
                 "WHERE id = (SELECT part_id FROM jobs WHERE id = ?1) AND NOT EXISTS "
                 "(SELECT 1 FROM jobs j WHERE j.part_id = parts.id AND j.id > ?1)",
                 e);
    if (!st)
        goto fail;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
    bind_opt_text(st, 3, error);
    sqlite3_bind_int64(st, 4, now);
    if (run_done(s, st, "updating the part of a job", e) != 0 || store_commit(s, e) != 0)
        goto fail;
    return 1;
fail:
    store_rollback(s);
    return -1;
}

int store_job_unfinished(struct store *s, int (*fn)(const struct store_job *j, void *ctx),
                         void *ctx, struct err *e)
{
    sqlite3_stmt *st = prepare(s,
                               "SELECT " JOB_COLUMNS "FROM jobs WHERE state IN ('queued', "
                               "'running') ORDER BY id",
                               e);
    if (!st)
        return -1;
    int rc;
    struct store_job j;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        read_job(st, &j);
        if (fn(&j, ctx) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_sql_fail(s, rc, e, "listing the unfinished jobs");
    return 0;
}
