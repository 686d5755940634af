/*
 * audit.c - what the admin's system page reads: the audit log (writing it
 * is store_audit(), users.c) and how many jobs ended lately.
 *
 * Newest first.  The search text matches the user, the action or the
 * detail as a substring (LIKE with the user's %, _ and \ escaped, so they
 * match themselves); the log is append-only and indexed by time, so a page
 * costs one scan of at most the entries it skips.
 */
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

/* q as a LIKE pattern "%q%" with \ escaping; malloc'd. */
static char *like_pattern(const char *q)
{
    size_t n = strlen(q);
    char *p = xmalloc(2 * n + 3), *w = p;
    *w++ = '%';
    for (const char *c = q; *c; c++) {
        if (*c == '%' || *c == '_' || *c == '\\')
            *w++ = '\\';
        *w++ = *c;
    }
    *w++ = '%';
    *w = '\0';
    return p;
}

int store_audit_list(struct store *s, const char *q, int64_t limit, int64_t offset,
                     int (*fn)(const struct store_audit_entry *en, void *ctx), void *ctx,
                     int64_t *total, struct err *e)
{
    char *pattern = like_pattern(q ? q : "");
    /* An empty q gives "%%", which every entry matches. */
    const char *where = " WHERE user_name LIKE ?1 ESCAPE '\\' OR action LIKE ?1 ESCAPE '\\' "
                        "OR detail LIKE ?1 ESCAPE '\\'";
    char sql[512];
    int rc;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM audit_log%s", where);
    sqlite3_stmt *st = NULL;
    rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        goto fail;
    sqlite3_bind_text(st, 1, pattern, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW)
        goto fail;
    *total = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    snprintf(sql, sizeof sql,
             "SELECT id, time, user_name, action, detail FROM audit_log%s "
             "ORDER BY id DESC LIMIT ?2 OFFSET ?3",
             where);
    rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        goto fail;
    sqlite3_bind_text(st, 1, pattern, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, limit);
    sqlite3_bind_int64(st, 3, offset);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_audit_entry en;
        en.id = sqlite3_column_int64(st, 0);
        en.time = sqlite3_column_int64(st, 1);
        en.user = (const char *)sqlite3_column_text(st, 2);
        en.action = (const char *)sqlite3_column_text(st, 3);
        en.detail = (const char *)sqlite3_column_text(st, 4);
        if (!en.action)
            en.action = "";
        if (!en.detail)
            en.detail = "";
        if (fn(&en, ctx)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    if (rc != SQLITE_DONE)
        goto fail;
    sqlite3_finalize(st);
    free(pattern);
    return 0;
fail:
    sqlite3_finalize(st);
    free(pattern);
    return store_sql_fail(s, rc, e, "reading the audit log");
}

int store_jobs_ended_since(struct store *s, int64_t since, int64_t *done, int64_t *failed,
                           struct err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT coalesce(sum(state = 'done'), 0), "
                                "coalesce(sum(state = 'failed'), 0) FROM jobs "
                                "WHERE finished >= ?1",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, since);
        rc = sqlite3_step(st);
    }
    if (rc == SQLITE_ROW) {
        *done = sqlite3_column_int64(st, 0);
        *failed = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : store_sql_fail(s, rc, e, "counting recent jobs");
}
