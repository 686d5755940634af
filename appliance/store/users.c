/*
 * users.c - the users table (accounts, roles, password checks, changes
 * that keep an admin), login sessions, failed-login counts and the audit
 * log.
 *
 * Accepts names of 1-63 characters from [A-Za-z0-9._-], compared without
 * regard to case (the column is COLLATE NOCASE: "Anna" and "anna" are one
 * user), and passwords of at least 10 characters (UTF-8 characters, not
 * bytes).  Passwords are never stored or logged, only their yescrypt hash
 * (password.c).
 *
 * Invariants:
 *  1. store_user_check() costs one yescrypt run whether or not the name
 *     exists, and with the cost of a real stored hash, so the time of a
 *     failed login does not tell whether a name is taken.
 *  2. Every change to a user (update, delete) runs in one transaction that
 *     ends with at least one enabled admin, or is rolled back: the check
 *     runs after the change, inside the transaction, so two admins
 *     demoting each other at once cannot both succeed.
 *  3. Session tokens leave this file only towards the caller that started
 *     the session; the table holds their SHA-256 (hex).
 */
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

#define NAME_MAX_LEN       63
#define PASSWORD_MIN_CHARS 10

const char *store_role_name(enum store_role r)
{
    return r == STORE_ROLE_ADMIN ? "admin" : "sales";
}

int store_role_parse(const char *s, enum store_role *out)
{
    if (strcmp(s, "admin") == 0)
        *out = STORE_ROLE_ADMIN;
    else if (strcmp(s, "sales") == 0)
        *out = STORE_ROLE_SALES;
    else
        return -1;
    return 0;
}

int store_user_name_ok(const char *name, struct err *e)
{
    size_t n = strlen(name);
    if (n < 1 || n > NAME_MAX_LEN)
        goto bad;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            goto bad;
    }
    return 0;
bad:
    return err_set(e, "user name must be 1-63 characters of letters A-Z a-z, digits 0-9, '.', "
                      "'_' or '-'");
}

int store_user_password_ok(const char *password, struct err *e)
{
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)password; *p; p++)
        chars += (*p & 0xc0) != 0x80; /* continuation bytes are not characters */
    if (chars < PASSWORD_MIN_CHARS)
        return err_set(e, "password must be at least %d characters", PASSWORD_MIN_CHARS);
    return 0;
}

int store_user_add(struct store *s, const char *name, enum store_role role, const char *password,
                   int cost, struct err *e)
{
    char hash[STORE_HASH_MAX];
    if (store_user_name_ok(name, e) != 0 || store_user_password_ok(password, e) != 0 ||
        store_password_hash(password, cost, hash, e) != 0)
        return -1;
    sqlite3_stmt *st = store_stmt(s, STMT_USER_INSERT,
                                  "INSERT INTO users(name, role, password_hash, created) "
                                  "VALUES (?1, ?2, ?3, ?4)",
                                  e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, store_role_name(role), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, store_time());
    int rc = sqlite3_step(st);
    store_stmt_done(st);
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        return err_set(e, "a user named %s already exists", name);
    if (rc != SQLITE_DONE)
        return store_sql_fail(s, rc, e, "adding a user");
    return 0;
}

int store_user_passwd(struct store *s, const char *name, const char *password, int cost,
                      struct err *e)
{
    char hash[STORE_HASH_MAX];
    sqlite3_stmt *st;
    int rc;
    if (store_user_password_ok(password, e) != 0 ||
        store_password_hash(password, cost, hash, e) != 0)
        return -1;
    /* The new hash and the end of the user's sessions go together: whoever
     * knew the old password must not stay logged in. */
    if (store_begin(s, e) != 0)
        return -1;
    st =
        store_stmt(s, STMT_USER_SET_HASH, "UPDATE users SET password_hash = ?1 WHERE name = ?2", e);
    if (!st)
        goto fail;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    store_stmt_done(st);
    if (rc != SQLITE_DONE) {
        store_sql_fail(s, rc, e, "changing a password");
        goto fail;
    }
    if (sqlite3_changes(s->db) == 0) {
        err_set(e, "no user named %s", name);
        goto fail;
    }
    st = store_stmt(s, STMT_USER_DROP_SESSIONS,
                    "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = ?1)",
                    e);
    if (!st)
        goto fail;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    store_stmt_done(st);
    if (rc != SQLITE_DONE) {
        store_sql_fail(s, rc, e, "ending the user's sessions");
        goto fail;
    }
    return store_commit(s, e);
fail:
    store_rollback(s);
    return -1;
}

static void read_user(sqlite3_stmt *st, struct store_user *u)
{
    memset(u, 0, sizeof *u);
    u->id = sqlite3_column_int64(st, 0);
    const char *name = (const char *)sqlite3_column_text(st, 1);
    snprintf(u->name, sizeof u->name, "%s", name ? name : "");
    const char *role = (const char *)sqlite3_column_text(st, 2);
    if (!role || store_role_parse(role, &u->role) != 0)
        u->role = STORE_ROLE_SALES; /* the CHECK constraint makes this unreachable */
    u->created = sqlite3_column_int64(st, 3);
    u->last_login = sqlite3_column_int64(st, 4);
    u->disabled = sqlite3_column_int(st, 5) != 0;
}

/* Spends the same work as checking a real password, for a name that does
 * not exist: against some user's stored hash when there is one (same
 * iteration count as real users), else a dummy hash. */
static void burn_like_check(struct store *s, const char *password)
{
    char hash[STORE_HASH_MAX] = "";
    sqlite3_stmt *st = store_stmt(s, STMT_USER_ANY_HASH,
                                  "SELECT password_hash FROM users ORDER BY id LIMIT 1", NULL);
    if (st && sqlite3_step(st) == SQLITE_ROW) {
        const char *h = (const char *)sqlite3_column_text(st, 0);
        snprintf(hash, sizeof hash, "%s", h ? h : "");
    }
    store_stmt_done(st);
    if (!hash[0] || store_password_verify(password, hash, NULL) < 0) {
        static const unsigned char salt[16] = {0};
        char setting[STORE_HASH_MAX];
        if (store_password_setting(STORE_DUMMY_COST, salt, setting, NULL) == 0)
            store_password_verify(password, setting, NULL);
    }
}

int store_user_check(struct store *s, const char *name, const char *password,
                     struct store_user *out, struct err *e)
{
    char hash[STORE_HASH_MAX];
    struct store_user u;
    sqlite3_stmt *st = store_stmt(s, STMT_USER_BY_NAME,
                                  "SELECT id, name, role, created, last_login, disabled, "
                                  "password_hash FROM users WHERE name = ?1",
                                  e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        read_user(st, &u);
        const char *h = (const char *)sqlite3_column_text(st, 6);
        snprintf(hash, sizeof hash, "%s", h ? h : "");
    }
    store_stmt_done(st);
    if (rc == SQLITE_DONE) {
        burn_like_check(s, password);
        return 0;
    }
    if (rc != SQLITE_ROW)
        return store_sql_fail(s, rc, e, "looking up a user");
    int ok = store_password_verify(password, hash, e);
    if (ok < 0)
        return err_prefix(e, "user %s", u.name);
    if (!ok || u.disabled)
        return 0;
    st = store_stmt(s, STMT_USER_LOGIN, "UPDATE users SET last_login = ?1 WHERE id = ?2", e);
    if (!st)
        return -1;
    u.last_login = store_time();
    sqlite3_bind_int64(st, 1, u.last_login);
    sqlite3_bind_int64(st, 2, u.id);
    rc = sqlite3_step(st);
    store_stmt_done(st);
    if (rc != SQLITE_DONE)
        return store_sql_fail(s, rc, e, "recording the login time");
    if (out)
        *out = u;
    return 1;
}

int store_user_list(struct store *s, int (*fn)(const struct store_user *u, void *ctx), void *ctx,
                    struct err *e)
{
    struct store_user u;
    sqlite3_stmt *st = store_stmt(s, STMT_USER_LIST,
                                  "SELECT id, name, role, created, last_login, disabled "
                                  "FROM users ORDER BY name",
                                  e);
    if (!st)
        return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        read_user(st, &u);
        if (fn(&u, ctx) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    store_stmt_done(st);
    if (rc != SQLITE_DONE)
        return store_sql_fail(s, rc, e, "listing users");
    return 0;
}

int store_audit(struct store *s, const char *user, const char *action, const char *detail,
                struct err *e)
{
    if (!action || !action[0])
        return err_set(e, "audit entry needs an action");
    sqlite3_stmt *st = store_stmt(s, STMT_AUDIT_INSERT,
                                  "INSERT INTO audit_log(time, user_name, action, detail) "
                                  "VALUES (?1, ?2, ?3, ?4)",
                                  e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, store_time());
    if (user)
        sqlite3_bind_text(st, 2, user, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, detail ? detail : "", -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    store_stmt_done(st);
    if (rc != SQLITE_DONE)
        return store_sql_fail(s, rc, e, "writing the audit log");
    return 0;
}

/* ---------------------------------------------------------- user records */

#define USER_COLUMNS "id, name, role, created, last_login, disabled "

/* Runs st (bound) for at most one user: 1 found, 0 none, -1 error. */
static int one_user(struct store *s, sqlite3_stmt *st, struct store_user *out, struct err *e)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && out)
        read_user(st, out);
    store_stmt_done(st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return store_sql_fail(s, rc, e, "reading a user");
}

int store_user_get(struct store *s, int64_t id, struct store_user *out, struct err *e)
{
    sqlite3_stmt *st =
        store_stmt(s, STMT_USER_BY_ID, "SELECT " USER_COLUMNS "FROM users WHERE id = ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    return one_user(s, st, out, e);
}

int store_user_find(struct store *s, const char *name, struct store_user *out, struct err *e)
{
    /* The same statement as store_user_check(): its first columns match. */
    sqlite3_stmt *st = store_stmt(s, STMT_USER_BY_NAME,
                                  "SELECT id, name, role, created, last_login, disabled, "
                                  "password_hash FROM users WHERE name = ?1",
                                  e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    return one_user(s, st, out, e);
}

/* Runs a one-shot statement with up to two integer parameters (0: unbound
 * when n says so) and returns the first column of its first row in *v. */
static int exec_int(struct store *s, const char *sql, int n, int64_t a, int64_t b, int64_t *v,
                    const char *what, struct err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        if (n > 0)
            sqlite3_bind_int64(st, 1, a);
        if (n > 1)
            sqlite3_bind_int64(st, 2, b);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW && v)
            *v = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_sql_fail(s, rc, e, what);
    return 0;
}

int store_user_count(struct store *s, int64_t *n, struct err *e)
{
    *n = 0;
    return exec_int(s, "SELECT count(*) FROM users", 0, 0, 0, n, "counting users", e);
}

int store_user_add_first(struct store *s, const char *name, const char *password, int cost,
                         struct store_user *out, struct err *e)
{
    int64_t n = 0;
    char hash[STORE_HASH_MAX];
    /* Hash before the transaction: the write lock is not held for 50 ms. */
    if (store_user_name_ok(name, e) != 0 || store_user_password_ok(password, e) != 0 ||
        store_password_hash(password, cost, hash, e) != 0)
        return -1;
    if (store_begin(s, e) != 0)
        return -1;
    if (exec_int(s, "SELECT count(*) FROM users", 0, 0, 0, &n, "counting users", e) != 0)
        goto fail;
    if (n > 0) {
        store_rollback(s);
        return 0;
    }
    sqlite3_stmt *st = store_stmt(s, STMT_USER_INSERT,
                                  "INSERT INTO users(name, role, password_hash, created) "
                                  "VALUES (?1, ?2, ?3, ?4)",
                                  e);
    if (!st)
        goto fail;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, "admin", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, store_time());
    int rc = sqlite3_step(st);
    store_stmt_done(st);
    if (rc != SQLITE_DONE) {
        store_sql_fail(s, rc, e, "adding the first user");
        goto fail;
    }
    int64_t id = sqlite3_last_insert_rowid(s->db);
    if (store_commit(s, e) != 0)
        return -1;
    return out ? (store_user_get(s, id, out, e) < 0 ? -1 : 1) : 1;
fail:
    store_rollback(s);
    return -1;
}

/* Inside a transaction: refuses (rolling back) when no enabled admin is
 * left.  0 when one is, else STORE_USER_LAST_ADMIN or -1. */
static int keeps_an_admin(struct store *s, const char *what, struct err *e)
{
    int64_t admins = 0;
    if (exec_int(s, "SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0", 0, 0, 0,
                 &admins, "counting admins", e) != 0)
        return -1;
    if (admins > 0)
        return 0;
    err_set(e, "%s would leave no enabled admin; make another user admin first", what);
    return STORE_USER_LAST_ADMIN;
}

/* One UPDATE of user id with a text or integer value. */
static int set_column(struct store *s, const char *sql, int64_t id, const char *text, int64_t num,
                      struct err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        if (text)
            sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
        else
            sqlite3_bind_int64(st, 1, num);
        sqlite3_bind_int64(st, 2, id);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_sql_fail(s, rc, e, "changing a user");
    return 0;
}

int store_user_update(struct store *s, int64_t id, const struct store_user_change *ch, int cost,
                      int64_t keep_session, struct err *e)
{
    char hash[STORE_HASH_MAX];
    int rc;
    if (ch->password && (store_user_password_ok(ch->password, e) != 0 ||
                         store_password_hash(ch->password, cost, hash, e) != 0))
        return -1;
    if (store_begin(s, e) != 0)
        return -1;
    if ((rc = store_user_get(s, id, NULL, e)) <= 0) {
        store_rollback(s);
        return rc < 0 ? -1 : STORE_USER_NOT_FOUND;
    }
    if (ch->role && set_column(s, "UPDATE users SET role = ?1 WHERE id = ?2", id,
                               store_role_name(*ch->role), 0, e) != 0)
        goto fail;
    if (ch->disabled && set_column(s, "UPDATE users SET disabled = ?1 WHERE id = ?2", id, NULL,
                                   *ch->disabled ? 1 : 0, e) != 0)
        goto fail;
    if (ch->password &&
        set_column(s, "UPDATE users SET password_hash = ?1 WHERE id = ?2", id, hash, 0, e) != 0)
        goto fail;
    if ((ch->password || (ch->disabled && *ch->disabled)) &&
        exec_int(s, "DELETE FROM sessions WHERE user_id = ?1 AND id <> ?2", 2, id, keep_session,
                 NULL, "ending the user's sessions", e) != 0)
        goto fail;
    if ((rc = keeps_an_admin(s, "this change", e)) != 0) {
        store_rollback(s);
        return rc;
    }
    return store_commit(s, e);
fail:
    store_rollback(s);
    return -1;
}

int store_user_delete(struct store *s, int64_t id, struct err *e)
{
    int rc;
    if (store_begin(s, e) != 0)
        return -1;
    if ((rc = store_user_get(s, id, NULL, e)) <= 0) {
        store_rollback(s);
        return rc < 0 ? -1 : STORE_USER_NOT_FOUND;
    }
    if (exec_int(s, "DELETE FROM users WHERE id = ?1", 1, id, 0, NULL, "deleting a user", e) !=
        0) {
        store_rollback(s);
        return -1;
    }
    if ((rc = keeps_an_admin(s, "deleting this user", e)) != 0) {
        store_rollback(s);
        return rc;
    }
    return store_commit(s, e);
}

/* -------------------------------------------------------------- sessions */

static void hex_encode(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

/* 32 random bytes as 64 hex digits. */
static int new_token(char out[STORE_TOKEN_HEX + 1], struct err *e)
{
    unsigned char raw[STORE_TOKEN_HEX / 2];
    if (store_random(raw, sizeof raw, e) != 0)
        return -1;
    hex_encode(raw, sizeof raw, out);
    explicit_bzero(raw, sizeof raw);
    return 0;
}

/* The stored form of a token: the hex of its SHA-256.  -1 when token is
 * not 64 lower-case hex digits (no cookie we made). */
static int token_hash(const char *token, char out[STORE_TOKEN_HEX + 1])
{
    unsigned char d[STORE_SHA256_LEN];
    size_t n = 0;
    for (; token[n]; n++)
        if (n == STORE_TOKEN_HEX ||
            !((token[n] >= '0' && token[n] <= '9') || (token[n] >= 'a' && token[n] <= 'f')))
            return -1;
    if (n != STORE_TOKEN_HEX)
        return -1;
    store_sha256(token, n, d);
    hex_encode(d, sizeof d, out);
    return 0;
}

int store_session_start(struct store *s, int64_t user_id, const char *ip,
                        char token[STORE_TOKEN_HEX + 1], struct store_session *out, struct err *e)
{
    char hash[STORE_TOKEN_HEX + 1];
    sqlite3_stmt *st = NULL;
    memset(out, 0, sizeof *out);
    if (new_token(token, e) != 0 || new_token(out->csrf, e) != 0)
        return -1;
    token_hash(token, hash);
    out->user_id = user_id;
    out->created = out->last_seen = store_time();
    int rc = sqlite3_prepare_v2(s->db,
                                "INSERT INTO sessions(token_hash, user_id, created, last_seen, "
                                "csrf_token, ip) VALUES (?1, ?2, ?3, ?3, ?4, ?5)",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, hash, STORE_TOKEN_HEX, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, user_id);
        sqlite3_bind_int64(st, 3, out->created);
        sqlite3_bind_text(st, 4, out->csrf, STORE_TOKEN_HEX, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, ip ? ip : "", -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        explicit_bzero(token, STORE_TOKEN_HEX + 1);
        return store_sql_fail(s, rc, e, "starting a session");
    }
    out->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

int store_session_find(struct store *s, const char *token, struct store_session *out,
                       struct store_user *user, struct err *e)
{
    char hash[STORE_TOKEN_HEX + 1];
    if (token_hash(token, hash) != 0)
        return 0;
    sqlite3_stmt *st = store_stmt(s, STMT_SESSION_FIND,
                                  "SELECT u.id, u.name, u.role, u.created, u.last_login, "
                                  "u.disabled, s.id, s.created, s.last_seen, s.csrf_token "
                                  "FROM sessions s JOIN users u ON u.id = s.user_id "
                                  "WHERE s.token_hash = ?1 AND u.disabled = 0",
                                  e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, hash, STORE_TOKEN_HEX, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        read_user(st, user);
        memset(out, 0, sizeof *out);
        out->user_id = user->id;
        out->id = sqlite3_column_int64(st, 6);
        out->created = sqlite3_column_int64(st, 7);
        out->last_seen = sqlite3_column_int64(st, 8);
        const char *csrf = (const char *)sqlite3_column_text(st, 9);
        snprintf(out->csrf, sizeof out->csrf, "%s", csrf ? csrf : "");
    }
    store_stmt_done(st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return store_sql_fail(s, rc, e, "looking up a session");
}

int store_session_touch(struct store *s, int64_t id, int64_t now, struct err *e)
{
    sqlite3_stmt *st = store_stmt(s, STMT_SESSION_TOUCH,
                                  "UPDATE sessions SET last_seen = ?1 WHERE id = ?2", e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, id);
    int rc = sqlite3_step(st);
    store_stmt_done(st);
    if (rc != SQLITE_DONE)
        return store_sql_fail(s, rc, e, "recording session activity");
    return 0;
}

int store_session_end(struct store *s, int64_t id, struct err *e)
{
    return exec_int(s, "DELETE FROM sessions WHERE id = ?1", 1, id, 0, NULL, "ending a session",
                    e);
}

int store_session_sweep(struct store *s, int64_t idle_before, int64_t created_before,
                        int64_t *ended, struct err *e)
{
    if (exec_int(s, "DELETE FROM sessions WHERE last_seen < ?1 OR created < ?2", 2, idle_before,
                 created_before, NULL, "ending expired sessions", e) != 0)
        return -1;
    if (ended)
        *ended = sqlite3_changes(s->db);
    return 0;
}

/* ------------------------------------------------------- login throttling */

int store_login_failed(struct store *s, const char *name, const char *ip, int64_t now,
                       int64_t forget_before, struct err *e)
{
    sqlite3_stmt *st = NULL;
    if (exec_int(s, "DELETE FROM login_failures WHERE time < ?1", 1, forget_before, 0, NULL,
                 "forgetting old failed logins", e) != 0)
        return -1;
    int rc = sqlite3_prepare_v2(s->db, "INSERT INTO login_failures(time, name, ip) "
                                "VALUES (?1, ?2, ?3)", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, now);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, ip ? ip : "", -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_sql_fail(s, rc, e, "recording a failed login");
    return 0;
}

/* The time of the attempts-th most recent failure of key in column col
 * after since, or 0 when there are fewer. */
static int nth_failure(struct store *s, const char *sql, const char *key, int64_t since,
                       int attempts, int64_t *when, struct err *e)
{
    sqlite3_stmt *st = NULL;
    *when = 0;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, since);
        sqlite3_bind_int(st, 3, attempts - 1);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            *when = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_sql_fail(s, rc, e, "counting failed logins");
    return 0;
}

int store_login_wait(struct store *s, const char *name, const char *ip, int attempts,
                     int64_t window_s, int64_t now, int64_t *wait_s, struct err *e)
{
    int64_t by_name, by_ip, since = now - window_s;
    *wait_s = 0;
    if (attempts < 1)
        return err_set(e, "login attempts must be at least 1, not %d", attempts);
    /* A failure at time t counts while now - t < window_s; the block lifts
     * when the attempts-th most recent one leaves the window. */
    if (nth_failure(s,
                    "SELECT time FROM login_failures WHERE name = ?1 AND time > ?2 "
                    "ORDER BY time DESC LIMIT 1 OFFSET ?3",
                    name, since, attempts, &by_name, e) != 0 ||
        nth_failure(s,
                    "SELECT time FROM login_failures WHERE ip = ?1 AND time > ?2 "
                    "ORDER BY time DESC LIMIT 1 OFFSET ?3",
                    ip ? ip : "", since, attempts, &by_ip, e) != 0)
        return -1;
    int64_t last = by_name > by_ip ? by_name : by_ip;
    if (last > 0)
        *wait_s = last + window_s - now;
    if (*wait_s < 0)
        *wait_s = 0;
    return 0;
}
