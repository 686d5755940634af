/*
 * rules.c - versions of the pricing rules: save a new active version, read
 * the active one or any by number, list them.
 *
 * Every saved version is kept forever (parts and quotes point at it with ON
 * DELETE RESTRICT), so an old quote can be explained and priced again the
 * same way.  Each row holds the source, its author (NULL for the rules
 * built into the binary), the time, and the SHA-256 of the source in hex.
 *
 * Invariants:
 *  1. At most one version is active (the schema's partial unique index);
 *     a save clears the old flag and inserts the new active row in one
 *     transaction, so readers see either the old or the new active version.
 *  2. Saving the source that is already active changes nothing: the rules
 *     in effect are the same, and the history stays free of repeats.
 * The source is stored as given; price/ has checked it before a save.
 */
#include "store_internal.h"

#include <string.h>

/* A rule file is a page or two of Lua; this only keeps lengths in int. */
#define RULES_MAX_BYTES (16u << 20)

static sqlite3_stmt *prepare(struct store *s, const char *sql, struct err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        store_sql_fail(s, rc, e, "preparing a rules statement");
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

static void hex_sha256(const char *src, size_t len, char out[65])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char d[STORE_SHA256_LEN];
    store_sha256(src, len, d);
    for (int i = 0; i < STORE_SHA256_LEN; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[64] = '\0';
}

#define RULE_COLUMNS "id, source, length(CAST(source AS BLOB)), author, created, sha256, active, note "

/* Fills r from the current row; with_source 0 leaves source NULL. */
static void read_rules(sqlite3_stmt *st, int with_source, struct store_rules *r)
{
    memset(r, 0, sizeof *r);
    r->version = sqlite3_column_int64(st, 0);
    if (with_source)
        r->source = (const char *)sqlite3_column_text(st, 1);
    r->len = (size_t)sqlite3_column_int64(st, 2);
    r->author = (const char *)sqlite3_column_text(st, 3);
    r->created = sqlite3_column_int64(st, 4);
    const char *h = (const char *)sqlite3_column_text(st, 5);
    snprintf(r->sha256, sizeof r->sha256, "%s", h ? h : "");
    r->active = sqlite3_column_int(st, 6) != 0;
    r->note = (const char *)sqlite3_column_text(st, 7);
    if (!r->note)
        r->note = "";
}

/* Runs st (bound) for at most one row into out, strings copied to a. */
static int one_version(struct store *s, sqlite3_stmt *st, struct arena *a,
                       struct store_rules *out, struct err *e)
{
    int rc = sqlite3_step(st), found = 0;
    if (rc == SQLITE_ROW) {
        read_rules(st, 1, out);
        const char *src = out->source ? out->source : "";
        out->source = arena_strndup(a, src, out->len);
        out->note = arena_strdup(a, out->note);
        if (out->author)
            out->author = arena_strdup(a, out->author);
        if (!out->source || !out->note || (sqlite3_column_type(st, 3) != SQLITE_NULL &&
                                           !out->author)) {
            sqlite3_finalize(st);
            return err_set(e, "out of memory reading a rules version");
        }
        found = 1;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_sql_fail(s, rc, e, "reading a rules version");
    return found;
}

int store_rules_active(struct store *s, struct arena *a, struct store_rules *out, struct err *e)
{
    sqlite3_stmt *st = prepare(s, "SELECT " RULE_COLUMNS "FROM rule_versions WHERE active = 1", e);
    return st ? one_version(s, st, a, out, e) : -1;
}

int store_rules_get(struct store *s, struct arena *a, int64_t version, struct store_rules *out,
                    struct err *e)
{
    sqlite3_stmt *st = prepare(s, "SELECT " RULE_COLUMNS "FROM rule_versions WHERE id = ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, version);
    return one_version(s, st, a, out, e);
}

int store_rules_list(struct store *s, int (*fn)(const struct store_rules *r, void *ctx), void *ctx,
                     struct err *e)
{
    sqlite3_stmt *st = prepare(s, "SELECT " RULE_COLUMNS "FROM rule_versions ORDER BY id DESC", e);
    if (!st)
        return -1;
    int rc;
    struct store_rules r;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        read_rules(st, 0, &r);
        if (fn(&r, ctx) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_sql_fail(s, rc, e, "listing the rules versions");
    return 0;
}

int store_rules_save(struct store *s, const char *source, size_t len, const char *author,
                     const char *note, int64_t *version, int *created, struct err *e)
{
    char hex[65];
    sqlite3_stmt *st = NULL;
    int rc;
    *created = 0;
    if (len > RULES_MAX_BYTES)
        return err_set(e, "the rules are %zu bytes; at most %u are stored", len, RULES_MAX_BYTES);
    hex_sha256(source, len, hex);
    if (store_begin(s, e) != 0)
        return -1;
    if (!(st = prepare(s, "SELECT id, sha256 FROM rule_versions WHERE active = 1", e)))
        goto fail;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(st, 1), hex)) {
        *version = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        store_rollback(s);
        return 0;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_sql_fail(s, rc, e, "reading the active rules version");
        goto fail;
    }
    rc = sqlite3_exec(s->db, "UPDATE rule_versions SET active = 0 WHERE active = 1", NULL, NULL,
                      NULL);
    if (rc != SQLITE_OK) {
        store_sql_fail(s, rc, e, "retiring the active rules version");
        goto fail;
    }
    if (!(st = prepare(s,
                       "INSERT INTO rule_versions (source, author, created, sha256, active, note) "
                       "VALUES (?1, ?2, ?3, ?4, 1, ?5)",
                       e)))
        goto fail;
    sqlite3_bind_text(st, 1, source, (int)len, SQLITE_STATIC);
    if (author)
        sqlite3_bind_text(st, 2, author, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, store_time());
    sqlite3_bind_text(st, 4, hex, 64, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, note ? note : "", -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    st = NULL;
    if (rc != SQLITE_DONE) {
        store_sql_fail(s, rc, e, "saving the rules");
        goto fail;
    }
    *version = sqlite3_last_insert_rowid(s->db);
    if (store_commit(s, e) != 0)
        return -1;
    *created = 1;
    return 0;
fail:
    sqlite3_finalize(st);
    store_rollback(s);
    return -1;
}
