/*
 * quote_edit.c - a quote's life after it is numbered: made with a
 * customer, notes and validity; changed while it is a draft; sent,
 * accepted or rejected; duplicated; revised; listed and searched.
 *
 * Status moves draft -> sent -> accepted | rejected and nowhere else.
 * "Expired" is never stored: a sent quote whose valid_until has passed
 * shows as expired, so the answer cannot go stale and no sweep is needed.
 * A revision copies a sent (or rejected) quote into a new draft numbered
 * after its original with the next letter: Q-2026-0042 -> Q-2026-0042-B
 * -> Q-2026-0042-C, up to -Z.
 *
 * Invariants:
 *  1. Only a draft changes its customer, notes and validity.  The quote a
 *     customer received stays as it was sent; to change it, revise it.
 *     The check and the change run in one BEGIN IMMEDIATE transaction, so
 *     a quote sent meanwhile is not changed after all.
 *  2. A copy (duplicate or revision) is made in one transaction with all
 *     its parts, or not at all; the copied quote is not touched.  Parts
 *     still being measured or priced are not copied (STORE_QUOTE_BUSY):
 *     their job would finish on the original only and leave the copy
 *     queued for ever.
 *  3. Only the newest revision of a quote is revised, so the letters of
 *     one quote form a line (A, B, C), never a tree.
 *  4. quotes.customer is written with quotes.customer_id (customers.c,
 *     invariant 1).
 */
#include "store_internal.h"

#include <string.h>

/* The columns of a struct store_quote; NOTES is what fills notes (the
 * list leaves them out: a page of long notes is not needed to show it). */
#define QUOTE_COLUMNS(NOTES)                                                                     \
    "q.id, q.number, q.status, q.currency, q.created_by, q.created, q.updated, "                 \
    "q.rules_version, q.customer, " NOTES ", q.customer_id, q.valid_until, q.revision, "          \
    "q.revision_of, q.sent_at, q.decided_at"
#define QUOTE_NCOLS 16

static int64_t col_or(sqlite3_stmt *st, int i, int64_t none)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? none : sqlite3_column_int64(st, i);
}

static void col_buf(sqlite3_stmt *st, int i, char *buf, size_t n)
{
    const char *t = (const char *)sqlite3_column_text(st, i);
    snprintf(buf, n, "%s", t ? t : "");
}

static void read_quote(sqlite3_stmt *st, struct arena *a, struct store_quote *q, int *oom)
{
    memset(q, 0, sizeof *q);
    q->id = sqlite3_column_int64(st, 0);
    col_buf(st, 1, q->number, sizeof q->number);
    col_buf(st, 2, q->status, sizeof q->status);
    col_buf(st, 3, q->currency, sizeof q->currency);
    q->created_by = col_or(st, 4, 0);
    q->created = sqlite3_column_int64(st, 5);
    q->updated = sqlite3_column_int64(st, 6);
    q->rules_version = col_or(st, 7, 0);
    q->customer = store_col_text(a, st, 8, oom);
    q->notes = store_col_text(a, st, 9, oom);
    q->customer_id = col_or(st, 10, 0);
    q->valid_until = col_or(st, 11, 0);
    q->revision = sqlite3_column_int(st, 12);
    q->revision_of = col_or(st, 13, 0);
    q->sent_at = col_or(st, 14, 0);
    q->decided_at = col_or(st, 15, 0);
}

/* Quote id with its notes, strings in a: 1, 0 when there is none, -1. */
static int quote_row(struct store *s, struct arena *a, int64_t id, struct store_quote *q,
                     struct err *e)
{
    int oom = 0;
    sqlite3_stmt *st =
        store_prepare(s, "SELECT " QUOTE_COLUMNS("q.notes") " FROM quotes q WHERE q.id = ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        read_quote(st, a, q, &oom);
    sqlite3_finalize(st);
    if (step == SQLITE_DONE)
        return 0;
    if (step != SQLITE_ROW)
        return store_sql_fail(s, step, e, "reading a quote");
    if (oom)
        return err_set(e, "out of memory reading quote %lld", (long long)id);
    return 1;
}

static int run(struct store *s, sqlite3_stmt *st, const char *what, struct err *e)
{
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_sql_fail(s, rc, e, what);
}

/* Characters, not bytes, of UTF-8 text. */
static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

static int notes_ok(const char *notes, struct err *e)
{
    if (notes && chars(notes) > STORE_CUSTOMER_NOTES_MAX)
        return err_set(e, "a quote's notes must be at most %d characters, not %zu",
                       STORE_CUSTOMER_NOTES_MAX, chars(notes));
    return 0;
}

/* The name of customer id into a (inside the caller's transaction): 1, 0
 * when there is no such customer (e says so), -1. */
static int customer_name(struct store *s, struct arena *a, int64_t id, const char **name,
                         struct err *e)
{
    sqlite3_stmt *st = store_prepare(s, "SELECT name FROM customers WHERE id = ?1", e);
    int oom = 0;
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *name = store_col_text(a, st, 0, &oom);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return err_set(e, "there is no customer %lld; pick one from the list or add it first",
                       (long long)id),
               0;
    if (rc != SQLITE_ROW)
        return store_sql_fail(s, rc, e, "reading a customer");
    return oom ? err_set(e, "out of memory reading a customer") : 1;
}

/* ----------------------------------------------------------------- making */

int store_quote_new(struct store *s, const struct store_quote_init *in, struct store_quote *out,
                    struct err *e)
{
    char number[STORE_QUOTE_NUMBER_MAX];
    const char *name = "";
    int64_t id = 0, when = in->when > 0 ? in->when : store_time();
    struct arena *a = NULL;
    int rc = -1;
    if (store_quote_currency_ok(in->currency, e) != 0 || notes_ok(in->notes, e) != 0)
        return -1;
    a = arena_new(0);
    if (store_begin(s, e) != 0) {
        arena_free(a);
        return err_prefix(e, "making a quote");
    }
    if (in->customer_id > 0) {
        int found = customer_name(s, a, in->customer_id, &name, e);
        if (found <= 0) {
            rc = found == 0 ? STORE_QUOTE_NO_CUSTOMER : -1;
            goto fail;
        }
    }
    if (store_quote_insert_locked(s, in->created_by, in->currency, when, &id, number, e) != 0)
        goto fail;
    sqlite3_stmt *st = store_prepare(s,
                                     "UPDATE quotes SET customer_id = ?2, customer = ?3, "
                                     "notes = ?4, valid_until = ?5 WHERE id = ?1",
                                     e);
    if (!st)
        goto fail;
    sqlite3_bind_int64(st, 1, id);
    if (in->customer_id > 0)
        sqlite3_bind_int64(st, 2, in->customer_id);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, in->notes ? in->notes : "", -1, SQLITE_STATIC);
    if (in->valid_until > 0)
        sqlite3_bind_int64(st, 5, in->valid_until);
    if (run(s, st, "making a quote", e) != 0 || store_commit(s, e) != 0)
        goto fail;
    arena_free(a);
    if (out) {
        memset(out, 0, sizeof *out);
        out->id = id;
        snprintf(out->number, sizeof out->number, "%s", number);
        snprintf(out->status, sizeof out->status, "draft");
        snprintf(out->currency, sizeof out->currency, "%s", in->currency);
        out->created_by = in->created_by > 0 ? in->created_by : 0;
        out->created = out->updated = when;
        out->customer = out->notes = "";
        out->customer_id = in->customer_id > 0 ? in->customer_id : 0;
        out->valid_until = in->valid_until > 0 ? in->valid_until : 0;
    }
    return 0;
fail:
    store_rollback(s);
    arena_free(a);
    return rc;
}

/* --------------------------------------------------------------- changing */

/* 1 when status may move from -> to (different states). */
static int transition_ok(const char *from, const char *to)
{
    return (!strcmp(from, "draft") && !strcmp(to, "sent")) ||
           (!strcmp(from, "sent") && (!strcmp(to, "accepted") || !strcmp(to, "rejected")));
}

int store_quote_update(struct store *s, int64_t id, const struct store_quote_change *ch,
                       int64_t now, char *from, struct err *e)
{
    struct arena *a = arena_new(0);
    struct store_quote q;
    sqlite3_stmt *st = NULL;
    const char *name = NULL;
    int rc = -1;
    if (from)
        from[0] = '\0';
    if (notes_ok(ch->notes, e) != 0) {
        arena_free(a);
        return -1;
    }
    if (store_begin(s, e) != 0) {
        arena_free(a);
        return err_prefix(e, "changing a quote");
    }
    int row = quote_row(s, a, id, &q, e);
    if (row <= 0) {
        rc = row;
        goto fail;
    }
    if (from)
        snprintf(from, 16, "%s", q.status);

    int new_customer = ch->customer_id && *ch->customer_id != q.customer_id;
    int edits = new_customer || (ch->notes && strcmp(ch->notes, q.notes ? q.notes : "")) ||
                (ch->valid_until && *ch->valid_until != q.valid_until);
    if (edits && strcmp(q.status, "draft") != 0) {
        err_set(e, "%s was %s; revise it to change it", q.number, q.status);
        rc = STORE_QUOTE_REVISE;
        goto fail;
    }
    const char *to = ch->status && strcmp(ch->status, q.status) ? ch->status : NULL;
    if (to && !transition_ok(q.status, to)) {
        err_set(e, "%s is %s and cannot become %s: a quote goes from draft to sent, then to "
                   "accepted or rejected",
                q.number, q.status, to);
        rc = STORE_QUOTE_TRANSITION;
        goto fail;
    }
    if (new_customer && *ch->customer_id > 0) {
        int found = customer_name(s, a, *ch->customer_id, &name, e);
        if (found <= 0) {
            rc = found == 0 ? STORE_QUOTE_NO_CUSTOMER : -1;
            goto fail;
        }
    }
    st = store_prepare(s,
                       "UPDATE quotes SET "
                       "customer_id = CASE WHEN ?2 THEN nullif(?3, 0) ELSE customer_id END, "
                       "customer = CASE WHEN ?2 THEN coalesce(?4, '') ELSE customer END, "
                       "notes = coalesce(?5, notes), "
                       "valid_until = CASE WHEN ?6 THEN nullif(?7, 0) ELSE valid_until END, "
                       "status = coalesce(?8, status), "
                       "sent_at = CASE WHEN ?8 = 'sent' THEN ?9 ELSE sent_at END, "
                       "decided_at = CASE WHEN ?8 IN ('accepted', 'rejected') THEN ?9 "
                       "ELSE decided_at END, updated = ?9 WHERE id = ?1",
                       e);
    if (!st)
        goto fail;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, new_customer);
    sqlite3_bind_int64(st, 3, ch->customer_id ? *ch->customer_id : 0);
    if (name)
        sqlite3_bind_text(st, 4, name, -1, SQLITE_STATIC);
    if (ch->notes)
        sqlite3_bind_text(st, 5, ch->notes, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, ch->valid_until != NULL);
    sqlite3_bind_int64(st, 7, ch->valid_until ? *ch->valid_until : 0);
    if (to)
        sqlite3_bind_text(st, 8, to, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, now > 0 ? now : store_time());
    if (run(s, st, "changing a quote", e) != 0 || store_commit(s, e) != 0)
        goto fail;
    arena_free(a);
    return 1;
fail:
    store_rollback(s);
    arena_free(a);
    return rc;
}

/* ---------------------------------------------------------------- copying */

/* Copies the parts of quote from into quote to (invariant 2). */
static int copy_parts(struct store *s, int64_t from, int64_t to, int64_t now, struct err *e)
{
    sqlite3_stmt *st = store_prepare(
        s,
        "INSERT INTO parts (quote_id, position, file_name, stored_path, sha256, size_bytes, "
        "material, thickness_mm, qty, geometry, price, unit_price_minor, total_minor, "
        "rules_version, preview_path, thumb_path, created, updated, options, state, error) "
        "SELECT ?2, position, file_name, stored_path, sha256, size_bytes, material, "
        "thickness_mm, qty, geometry, price, unit_price_minor, total_minor, rules_version, "
        "preview_path, thumb_path, ?3, ?3, options, state, error FROM parts "
        "WHERE quote_id = ?1 ORDER BY position, id",
        e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    sqlite3_bind_int64(st, 3, now);
    return run(s, st, "copying the parts of a quote", e);
}

/* One int64 from a query of one id parameter; *found 0 when no row. */
static int query_id(struct store *s, const char *sql, int64_t id, int64_t *out, int *found,
                    char *text, size_t n, struct err *e)
{
    sqlite3_stmt *st = store_prepare(s, sql, e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        if (text)
            col_buf(st, 1, text, n);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_sql_fail(s, rc, e, "reading quotes");
}

/* The letter's number of the next revision of the quote whose original is
 * numbered base: 1 ("B") when there is none yet. */
static int next_revision(struct store *s, const char *base, int *next, struct err *e)
{
    char pattern[STORE_QUOTE_NUMBER_MAX + 8];
    snprintf(pattern, sizeof pattern, "%s-[B-Z]", base);
    sqlite3_stmt *st = store_prepare(
        s, "SELECT coalesce(max(revision), 0) FROM quotes WHERE number = ?1 OR number GLOB ?2", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, base, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, pattern, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *next = sqlite3_column_int(st, 0) + 1;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : store_sql_fail(s, rc, e, "finding the next revision letter");
}

/* The number of quote q's original: its own, less "-B" for a revision. */
static void base_number(const struct store_quote *q, char *out, size_t n)
{
    size_t len = strlen(q->number);
    if (q->revision > 0 && len > 2 && q->number[len - 2] == '-')
        len -= 2;
    snprintf(out, n, "%.*s", (int)len, q->number);
}

static int copy_quote(struct store *s, int64_t id, int64_t created_by, int64_t valid_until,
                      int revise, int64_t *new_id, struct err *e)
{
    struct arena *a = arena_new(0);
    struct store_quote q;
    sqlite3_stmt *st = NULL;
    char number[STORE_QUOTE_NUMBER_MAX], newer[STORE_QUOTE_NUMBER_MAX];
    int64_t now = store_time(), busy = 0, other = 0, copy = 0;
    int rc = -1, found = 0;
    if (store_begin(s, e) != 0) {
        arena_free(a);
        return err_prefix(e, revise ? "revising a quote" : "duplicating a quote");
    }
    int row = quote_row(s, a, id, &q, e);
    if (row <= 0) {
        rc = row;
        goto fail;
    }
    if (query_id(s,
                 "SELECT count(*) FROM parts WHERE quote_id = ?1 AND state IN ('queued', "
                 "'running')",
                 id, &busy, &found, NULL, 0, e) != 0)
        goto fail;
    if (busy > 0) {
        err_set(e, "%lld part%s of %s %s still being measured or priced; try again when %s done",
                (long long)busy, busy == 1 ? "" : "s", q.number, busy == 1 ? "is" : "are",
                busy == 1 ? "it is" : "they are");
        rc = STORE_QUOTE_BUSY;
        goto fail;
    }
    if (revise) {
        if (strcmp(q.status, "sent") != 0 && strcmp(q.status, "rejected") != 0) {
            err_set(e,
                    "%s is %s: only a sent or rejected quote is revised (%s)", q.number, q.status,
                    !strcmp(q.status, "draft") ? "change the draft itself"
                                               : "duplicate it to quote again");
            rc = STORE_QUOTE_REVISE;
            goto fail;
        }
        if (query_id(s, "SELECT id, number FROM quotes WHERE revision_of = ?1 LIMIT 1", id,
                     &other, &found, newer, sizeof newer, e) != 0)
            goto fail;
        if (found) {
            err_set(e, "%s was revised already as %s; revise that one", q.number, newer);
            rc = STORE_QUOTE_REVISE;
            goto fail;
        }
        char base[STORE_QUOTE_NUMBER_MAX];
        int next = 0;
        base_number(&q, base, sizeof base);
        if (next_revision(s, base, &next, e) != 0)
            goto fail;
        if (next > 25) {
            err_set(e, "%s has revisions up to Z; duplicate it to quote again", base);
            rc = STORE_QUOTE_LETTERS;
            goto fail;
        }
        snprintf(number, sizeof number, "%.*s-%c", STORE_QUOTE_NUMBER_MAX - 3, base, 'A' + next);
        st = store_prepare(s,
                           "INSERT INTO quotes (number, created_by, created, updated, currency, "
                           "revision, revision_of) VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6)",
                           e);
        if (!st)
            goto fail;
        sqlite3_bind_text(st, 1, number, -1, SQLITE_STATIC);
        if (created_by > 0)
            sqlite3_bind_int64(st, 2, created_by);
        sqlite3_bind_int64(st, 3, now);
        sqlite3_bind_text(st, 4, q.currency, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 5, next);
        sqlite3_bind_int64(st, 6, id);
        if (run(s, st, "making a revision", e) != 0)
            goto fail;
        copy = sqlite3_last_insert_rowid(s->db);
    } else if (store_quote_insert_locked(s, created_by, q.currency, now, &copy, number, e) != 0) {
        goto fail;
    }
    /* The customer's present name: the original may show an older one. */
    st = store_prepare(s,
                       "UPDATE quotes SET customer_id = ?2, customer = coalesce((SELECT name "
                       "FROM customers WHERE id = ?2), ?3), notes = ?4, valid_until = ?5, "
                       "rules_version = ?6 WHERE id = ?1",
                       e);
    if (!st)
        goto fail;
    sqlite3_bind_int64(st, 1, copy);
    if (q.customer_id > 0)
        sqlite3_bind_int64(st, 2, q.customer_id);
    sqlite3_bind_text(st, 3, q.customer ? q.customer : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, q.notes ? q.notes : "", -1, SQLITE_STATIC);
    if (valid_until > 0)
        sqlite3_bind_int64(st, 5, valid_until);
    if (q.rules_version > 0)
        sqlite3_bind_int64(st, 6, q.rules_version);
    if (run(s, st, "copying a quote", e) != 0 || copy_parts(s, id, copy, now, e) != 0 ||
        store_commit(s, e) != 0)
        goto fail;
    arena_free(a);
    *new_id = copy;
    return 1;
fail:
    store_rollback(s);
    arena_free(a);
    return rc;
}

int store_quote_duplicate(struct store *s, int64_t id, int64_t created_by, int64_t valid_until,
                          int64_t *new_id, struct err *e)
{
    return copy_quote(s, id, created_by, valid_until, 0, new_id, e);
}

int store_quote_revise(struct store *s, int64_t id, int64_t created_by, int64_t valid_until,
                       int64_t *new_id, struct err *e)
{
    return copy_quote(s, id, created_by, valid_until, 1, new_id, e);
}

int store_part_set_previews(struct store *s, int64_t id, const char *preview_path,
                            const char *thumb_path, struct err *e)
{
    sqlite3_stmt *st = store_prepare(
        s, "UPDATE parts SET preview_path = ?2, thumb_path = ?3 WHERE id = ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    if (preview_path)
        sqlite3_bind_text(st, 2, preview_path, -1, SQLITE_STATIC);
    if (thumb_path)
        sqlite3_bind_text(st, 3, thumb_path, -1, SQLITE_STATIC);
    if (run(s, st, "setting a part's previews", e) != 0)
        return -1;
    return sqlite3_changes(s->db) > 0;
}

/* ---------------------------------------------------------------- listing */

/* The row of the list: the quote, its author's name and its parts'
 * figures, each from the parts_quote index. */
#define ROW_COLUMNS(NOTES)                                                                       \
    QUOTE_COLUMNS(NOTES) ", (SELECT name FROM users u WHERE u.id = q.created_by), "              \
                         "(SELECT count(*) FROM parts p WHERE p.quote_id = q.id), "              \
                         "(SELECT count(total_minor) FROM parts p WHERE p.quote_id = q.id), "    \
                         "(SELECT coalesce(sum(total_minor), 0) FROM parts p "                   \
                         "WHERE p.quote_id = q.id), "                                            \
                         "(SELECT id FROM parts p WHERE p.quote_id = q.id "                      \
                         "AND p.thumb_path IS NOT NULL ORDER BY position, id LIMIT 1)"

static void read_row(sqlite3_stmt *st, struct arena *a, struct store_quote_row *r, int *oom)
{
    memset(r, 0, sizeof *r);
    read_quote(st, a, &r->q, oom);
    r->created_by_name = store_col_text(a, st, QUOTE_NCOLS, oom);
    r->parts = sqlite3_column_int64(st, QUOTE_NCOLS + 1);
    r->priced = sqlite3_column_int64(st, QUOTE_NCOLS + 2);
    r->subtotal_minor = sqlite3_column_int64(st, QUOTE_NCOLS + 3);
    r->first_part = col_or(st, QUOTE_NCOLS + 4, 0);
}

/* ?1 search pattern, ?2 status, ?3 customer, ?4 from, ?5 to, ?6 now; NULL
 * selects all.  Sent and expired split the sent quotes between them. */
#define QUOTE_MATCH                                                                              \
    " FROM quotes q WHERE (?1 IS NULL OR q.number LIKE ?1 ESCAPE '\\' "                          \
    "OR q.customer LIKE ?1 ESCAPE '\\' "                                                         \
    "OR EXISTS (SELECT 1 FROM customers c WHERE c.id = q.customer_id "                           \
    "AND c.name LIKE ?1 ESCAPE '\\') "                                                           \
    "OR EXISTS (SELECT 1 FROM parts p WHERE p.quote_id = q.id "                                  \
    "AND p.file_name LIKE ?1 ESCAPE '\\')) "                                                     \
    "AND (?2 IS NULL "                                                                           \
    "OR (?2 = 'expired' AND q.status = 'sent' AND q.valid_until < ?6) "                          \
    "OR (?2 = 'sent' AND q.status = 'sent' AND (q.valid_until IS NULL OR q.valid_until >= ?6)) " \
    "OR (?2 NOT IN ('sent', 'expired') AND q.status = ?2)) "                                     \
    "AND (?3 IS NULL OR q.customer_id = ?3) AND (?4 IS NULL OR q.created >= ?4) "                \
    "AND (?5 IS NULL OR q.created < ?5)"

static void bind_filter(sqlite3_stmt *st, const struct store_quote_filter *f, const char *like)
{
    if (like)
        sqlite3_bind_text(st, 1, like, -1, SQLITE_STATIC);
    if (f->status && *f->status)
        sqlite3_bind_text(st, 2, f->status, -1, SQLITE_STATIC);
    if (f->customer_id > 0)
        sqlite3_bind_int64(st, 3, f->customer_id);
    if (f->from > 0)
        sqlite3_bind_int64(st, 4, f->from);
    if (f->to > 0)
        sqlite3_bind_int64(st, 5, f->to);
    sqlite3_bind_int64(st, 6, f->now > 0 ? f->now : store_time());
}

int store_quote_list(struct store *s, struct arena *a, const struct store_quote_filter *f,
                     int (*fn)(const struct store_quote_row *r, void *ctx), void *ctx,
                     int64_t *total, struct err *e)
{
    char like[1024];
    const char *pat = NULL;
    int rc, oom = 0;
    if (f->limit < 1 || f->limit > 200 || f->offset < 0)
        return err_set(e, "a page of quotes is 1 to 200 rows from an offset of 0 or more");
    if (f->q && *f->q) {
        store_like_pattern(f->q, like, sizeof like);
        pat = like;
    }
    sqlite3_stmt *st = store_prepare(s, "SELECT count(*)" QUOTE_MATCH, e);
    if (!st)
        return -1;
    bind_filter(st, f, pat);
    rc = sqlite3_step(st);
    if (total && rc == SQLITE_ROW)
        *total = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return store_sql_fail(s, rc, e, "counting quotes");
    st = store_prepare(s,
                       "SELECT " ROW_COLUMNS("''") QUOTE_MATCH
                       " ORDER BY q.created DESC, q.id DESC LIMIT ?7 OFFSET ?8",
                       e);
    if (!st)
        return -1;
    bind_filter(st, f, pat);
    sqlite3_bind_int(st, 7, f->limit);
    sqlite3_bind_int(st, 8, f->offset);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_quote_row r;
        read_row(st, a, &r, &oom);
        if (oom) {
            sqlite3_finalize(st);
            return err_set(e, "out of memory listing quotes");
        }
        if (fn(&r, ctx)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_sql_fail(s, rc, e, "listing quotes");
}

int store_quote_row(struct store *s, struct arena *a, int64_t id, struct store_quote_row *out,
                    struct err *e)
{
    sqlite3_stmt *st =
        store_prepare(s, "SELECT " ROW_COLUMNS("q.notes") " FROM quotes q WHERE q.id = ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st), oom = 0;
    if (rc == SQLITE_ROW)
        read_row(st, a, out, &oom);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW)
        return store_sql_fail(s, rc, e, "reading a quote");
    return oom ? err_set(e, "out of memory reading quote %lld", (long long)id) : 1;
}

int store_quote_revisions(struct store *s, struct arena *a, int64_t id,
                          int (*fn)(const struct store_quote *q, void *ctx), void *ctx,
                          struct err *e)
{
    struct store_quote q;
    char base[STORE_QUOTE_NUMBER_MAX], pattern[STORE_QUOTE_NUMBER_MAX + 8];
    int found = store_quote_get(s, a, id, &q, e), rc, oom = 0;
    if (found <= 0)
        return found;
    base_number(&q, base, sizeof base);
    snprintf(pattern, sizeof pattern, "%s-[B-Z]", base);
    sqlite3_stmt *st = store_prepare(s,
                                     "SELECT " QUOTE_COLUMNS("''") " FROM quotes q "
                                     "WHERE q.number = ?1 OR q.number GLOB ?2 "
                                     "ORDER BY q.revision",
                                     e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, base, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, pattern, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        read_quote(st, a, &q, &oom);
        if (oom) {
            sqlite3_finalize(st);
            return err_set(e, "out of memory listing revisions");
        }
        if (fn(&q, ctx)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_sql_fail(s, rc, e, "listing the revisions of a quote");
}
