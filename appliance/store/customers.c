/*
 * customers.c - the shop's customers: add, read, list with a search, and
 * change; plus the statement helpers the quote edits (quote_edit.c) share.
 *
 * A customer has a name (1..200 characters, unique without regard to
 * case) and optional company, contact, e-mail, phone, address and notes,
 * stored as '' when empty.  The limits are checked here before SQLite sees
 * the row, so the message names the field; db/004 checks them again.
 *
 * Invariants:
 *  1. A quote shows the name in quotes.customer, written together with
 *     quotes.customer_id.  A rename reaches the customer's drafts in the
 *     same transaction; quotes that were sent keep the name they were sent
 *     with (the list's search also matches the customer's present name).
 *  2. A name taken is found by the UNIQUE constraint, not by a look-up
 *     before the insert, so two clerks adding one name at once get one
 *     customer and one STORE_TAKEN.
 * Statements are prepared per call: a clerk makes a few calls a minute.
 */
#include "store_internal.h"

#include <stddef.h>
#include <string.h>

sqlite3_stmt *store_prepare(struct store *s, const char *sql, struct err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        store_sql_fail(s, rc, e, "preparing a statement");
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

const char *store_col_text(struct arena *a, sqlite3_stmt *st, int i, int *oom)
{
    const char *t = (const char *)sqlite3_column_text(st, i);
    if (!t)
        return NULL;
    char *c = arena_strndup(a, t, (size_t)sqlite3_column_bytes(st, i));
    if (!c)
        *oom = 1;
    return c;
}

size_t store_like_pattern(const char *q, char *out, size_t n)
{
    size_t k = 0;
    if (n < 3)
        return 0;
    out[k++] = '%';
    for (; *q && k + 3 < n; q++) {
        if (*q == '%' || *q == '_' || *q == '\\')
            out[k++] = '\\';
        out[k++] = *q;
    }
    out[k++] = '%';
    out[k] = '\0';
    return k;
}

/* Characters, not bytes, of UTF-8 text. */
static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

static int email_ok(const char *m)
{
    const char *at = strchr(m, '@');
    if (!*m)
        return 1;
    if (!at || at == m || !at[1] || strchr(at + 1, '@'))
        return 0;
    for (; *m; m++)
        if ((unsigned char)*m <= ' ')
            return 0;
    return 1;
}

int store_customer_check(const struct store_customer *c, int need_name, const char **field,
                         struct err *e)
{
    static const struct {
        const char *name;
        size_t off, max;
    } lim[] = {
        {"company", offsetof(struct store_customer, company), 200},
        {"contact", offsetof(struct store_customer, contact), 200},
        {"email", offsetof(struct store_customer, email), 254},
        {"phone", offsetof(struct store_customer, phone), 50},
        {"address", offsetof(struct store_customer, address), 1000},
        {"notes", offsetof(struct store_customer, notes), STORE_CUSTOMER_NOTES_MAX},
    };
    const char *dummy;
    if (!field)
        field = &dummy;
    *field = "name";
    if (!c->name && need_name)
        return err_set(e, "a customer needs a name");
    if (c->name) {
        size_t n = chars(c->name), blank = strspn(c->name, " \t\r\n");
        if (n < 1 || n > STORE_CUSTOMER_NAME_MAX || c->name[blank] == '\0')
            return err_set(e, "a customer's name must be 1 to %d characters, not all blank",
                           STORE_CUSTOMER_NAME_MAX);
    }
    for (size_t i = 0; i < sizeof lim / sizeof lim[0]; i++) {
        const char *v = *(const char *const *)((const char *)c + lim[i].off);
        *field = lim[i].name;
        if (v && chars(v) > lim[i].max)
            return err_set(e, "a customer's %s must be at most %zu characters, not %zu",
                           lim[i].name, lim[i].max, chars(v));
    }
    *field = "email";
    if (c->email && !email_ok(c->email))
        return err_set(e, "'%.80s' is not an e-mail address: it needs one @ with text on both "
                          "sides and no spaces",
                       c->email);
    *field = NULL;
    return 0;
}

static void bind_text_or_empty(sqlite3_stmt *st, int i, const char *v)
{
    sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_STATIC);
}

int store_customer_add(struct store *s, const struct store_customer *c, int64_t *id,
                       struct err *e)
{
    if (store_customer_check(c, 1, NULL, e) != 0)
        return -1;
    sqlite3_stmt *st = store_prepare(s,
                                     "INSERT INTO customers (name, company, contact, email, "
                                     "phone, address, notes, created, updated) "
                                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
                                     e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, c->name, -1, SQLITE_STATIC);
    bind_text_or_empty(st, 2, c->company);
    bind_text_or_empty(st, 3, c->contact);
    bind_text_or_empty(st, 4, c->email);
    bind_text_or_empty(st, 5, c->phone);
    bind_text_or_empty(st, 6, c->address);
    bind_text_or_empty(st, 7, c->notes);
    sqlite3_bind_int64(st, 8, store_time());
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_CONSTRAINT_UNIQUE) {
        err_set(e, "a customer named %.200s exists already (names ignore case)", c->name);
        return STORE_TAKEN;
    }
    if (rc != SQLITE_DONE)
        return store_sql_fail(s, rc, e, "adding a customer");
    *id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

#define CUSTOMER_COLUMNS                                                                         \
    "c.id, c.name, c.company, c.contact, c.email, c.phone, c.address, c.notes, c.created, "      \
    "c.updated, (SELECT count(*) FROM quotes q WHERE q.customer_id = c.id)"

static void read_customer(sqlite3_stmt *st, struct arena *a, struct store_customer *c, int *oom)
{
    memset(c, 0, sizeof *c);
    c->id = sqlite3_column_int64(st, 0);
    c->name = store_col_text(a, st, 1, oom);
    c->company = store_col_text(a, st, 2, oom);
    c->contact = store_col_text(a, st, 3, oom);
    c->email = store_col_text(a, st, 4, oom);
    c->phone = store_col_text(a, st, 5, oom);
    c->address = store_col_text(a, st, 6, oom);
    c->notes = store_col_text(a, st, 7, oom);
    c->created = sqlite3_column_int64(st, 8);
    c->updated = sqlite3_column_int64(st, 9);
    c->quotes = sqlite3_column_int64(st, 10);
}

int store_customer_get(struct store *s, struct arena *a, int64_t id, struct store_customer *out,
                       struct err *e)
{
    sqlite3_stmt *st =
        store_prepare(s, "SELECT " CUSTOMER_COLUMNS " FROM customers c WHERE c.id = ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st), oom = 0;
    if (rc == SQLITE_ROW)
        read_customer(st, a, out, &oom);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW)
        return store_sql_fail(s, rc, e, "reading a customer");
    return oom ? err_set(e, "out of memory reading customer %lld", (long long)id) : 1;
}

#define CUSTOMER_MATCH                                                                           \
    " FROM customers c WHERE ?1 IS NULL OR c.name LIKE ?1 ESCAPE '\\' OR c.company LIKE ?1 "     \
    "ESCAPE '\\' OR c.contact LIKE ?1 ESCAPE '\\' OR c.email LIKE ?1 ESCAPE '\\'"

int store_customer_list(struct store *s, struct arena *a, const char *q, int limit, int offset,
                        int (*fn)(const struct store_customer *c, void *ctx), void *ctx,
                        int64_t *total, struct err *e)
{
    char like[1024];
    int rc, oom = 0;
    if (q && *q)
        store_like_pattern(q, like, sizeof like);
    sqlite3_stmt *st = store_prepare(s, "SELECT count(*)" CUSTOMER_MATCH, e);
    if (!st)
        return -1;
    if (q && *q)
        sqlite3_bind_text(st, 1, like, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (total && rc == SQLITE_ROW)
        *total = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return store_sql_fail(s, rc, e, "counting customers");
    st = store_prepare(s,
                       "SELECT " CUSTOMER_COLUMNS CUSTOMER_MATCH
                       " ORDER BY c.name COLLATE NOCASE, c.id LIMIT ?2 OFFSET ?3",
                       e);
    if (!st)
        return -1;
    if (q && *q)
        sqlite3_bind_text(st, 1, like, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, limit);
    sqlite3_bind_int(st, 3, offset);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_customer c;
        read_customer(st, a, &c, &oom);
        if (oom) {
            sqlite3_finalize(st);
            return err_set(e, "out of memory listing customers");
        }
        if (fn(&c, ctx)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_sql_fail(s, rc, e, "listing customers");
}

int store_customer_update(struct store *s, int64_t id, const struct store_customer *ch,
                          struct err *e)
{
    int64_t now = store_time();
    sqlite3_stmt *st = NULL;
    if (store_customer_check(ch, 0, NULL, e) != 0)
        return -1;
    if (store_begin(s, e) != 0)
        return err_prefix(e, "changing a customer");
    st = store_prepare(s,
                       "UPDATE customers SET name = coalesce(?2, name), "
                       "company = coalesce(?3, company), contact = coalesce(?4, contact), "
                       "email = coalesce(?5, email), phone = coalesce(?6, phone), "
                       "address = coalesce(?7, address), notes = coalesce(?8, notes), "
                       "updated = ?9 WHERE id = ?1",
                       e);
    if (!st)
        goto fail;
    const char *v[] = {ch->name, ch->company, ch->contact, ch->email,
                       ch->phone, ch->address, ch->notes};
    sqlite3_bind_int64(st, 1, id);
    for (int i = 0; i < 7; i++)
        if (v[i])
            sqlite3_bind_text(st, i + 2, v[i], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, now);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_CONSTRAINT_UNIQUE) {
        store_rollback(s);
        err_set(e, "a customer named %.200s exists already (names ignore case)", ch->name);
        return STORE_TAKEN;
    }
    if (rc != SQLITE_DONE) {
        store_sql_fail(s, rc, e, "changing a customer");
        goto fail;
    }
    if (sqlite3_changes(s->db) == 0) {
        store_rollback(s);
        return 0;
    }
    if (ch->name) {
        st = store_prepare(s,
                           "UPDATE quotes SET customer = ?2, updated = ?3 "
                           "WHERE customer_id = ?1 AND status = 'draft' AND customer <> ?2",
                           e);
        if (!st)
            goto fail;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, ch->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, now);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE) {
            store_sql_fail(s, rc, e, "renaming the customer on its draft quotes");
            goto fail;
        }
    }
    if (store_commit(s, e) != 0)
        return -1;
    return 1;
fail:
    store_rollback(s);
    return -1;
}
