/*
 * users.c - the users table (accounts, roles, password checks) and the
 * audit log.
 *
 * Accepts names of 1-63 characters from [A-Za-z0-9._-], compared without
 * regard to case (the column is COLLATE NOCASE: "Anna" and "anna" are one
 * user), and passwords of at least 10 characters (UTF-8 characters, not
 * bytes).  Passwords are never stored or logged, only their yescrypt hash
 * (password.c).
 *
 * Invariant: store_user_check() costs one yescrypt run whether or not the
 * name exists, and with the cost of a real stored hash, so the time of a
 * failed login does not tell whether a name is taken.
 */
#include "store_internal.h"

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

static int check_name(const char *name, struct err *e)
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

static int check_password(const char *password, struct err *e)
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
    if (check_name(name, e) != 0 || check_password(password, e) != 0 ||
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
    if (check_password(password, e) != 0 || store_password_hash(password, cost, hash, e) != 0)
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
