/*
 * api_users.c - user accounts for admins: list, add, change (role,
 * disabled, password), delete.
 *
 * Routes (all HTTP_ROLE_ADMIN): GET /api/users, POST /api/users,
 * PATCH /api/users/{id}, DELETE /api/users/{id}.
 *
 * Input: username 1-63 characters of A-Z a-z 0-9 . _ - (unique without
 * regard to case), role "admin" or "sales", password at least 10
 * characters and at most 1024, disabled true or false.  The store applies
 * the same rules; they are checked here first so that the answer names the
 * field.
 *
 * Invariants:
 *  1. At least one enabled admin always remains: the store refuses, inside
 *     the change's transaction, any change or deletion that would leave
 *     none (409).
 *  2. An admin cannot disable or delete their own account (409): the
 *     appliance would lose the one person at the keyboard.
 *  3. A new password or disabling ends the user's sessions; an admin who
 *     changes their own password keeps the session doing it.
 *  4. Passwords never reach the audit log or the log: only which fields
 *     changed.
 */
#include <stdlib.h>
#include <string.h>

#include "http/internal.h"

#define USER_BODY_MAX    8192
#define PASSWORD_MAX_LEN 1024

static int list_one(const struct store_user *u, void *ctx)
{
    cJSON_AddItemToArray(ctx, http_user_json(u));
    return 0;
}

static int users_list(struct http_req *r)
{
    struct store *s;
    struct err e = {""};
    int st;
    if ((st = http_store_or_fail(r, &s)) != 0)
        return st;
    cJSON *o = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(o, "users");
    if (store_user_list(s, list_one, arr, &e) != 0) {
        cJSON_Delete(o);
        return http_fail_internal(r, "listing users", &e);
    }
    return http_reply_json(r, 200, o, NULL);
}

/* The optional role member: *has 0 when absent. */
static int read_role(struct http_req *r, const cJSON *body, int required, enum store_role *role,
                     int *has)
{
    const char *v;
    int st;
    *has = 0;
    if ((st = http_json_string(r, body, "role", required, 1, 16, &v)) != 0)
        return st;
    if (!v)
        return 0;
    if (store_role_parse(v, role) != 0)
        return http_reply_error(r, 400, "invalid", "role", NULL,
                                "role must be \"admin\" or \"sales\"");
    *has = 1;
    return 0;
}

static int read_password(struct http_req *r, const cJSON *body, int required, const char **pw)
{
    struct err e = {""};
    int st;
    if ((st = http_json_string(r, body, "password", required, 1, PASSWORD_MAX_LEN, pw)) != 0)
        return st;
    if (*pw && store_user_password_ok(*pw, &e) != 0)
        return http_reply_error(r, 400, "invalid", "password", NULL, "%s", e.msg);
    return 0;
}

static int users_add(struct http_req *r)
{
    static const char *const known[] = {"username", "role", "password", NULL};
    cJSON *body = NULL;
    const char *name, *pw;
    enum store_role role = STORE_ROLE_SALES;
    struct store *s;
    struct store_user u;
    struct err e = {""};
    int st, has;
    if ((st = http_read_json(r, USER_BODY_MAX, &body)) != 0)
        return st;
    if ((st = http_json_only(r, body, known)) != 0 ||
        (st = http_json_string(r, body, "username", 1, 1, 63, &name)) != 0)
        goto done;
    if (store_user_name_ok(name, &e) != 0) {
        st = http_reply_error(r, 400, "invalid", "username", NULL, "%s", e.msg);
        goto done;
    }
    if ((st = read_role(r, body, 1, &role, &has)) != 0 ||
        (st = read_password(r, body, 1, &pw)) != 0 || (st = http_store_or_fail(r, &s)) != 0)
        goto done;
    int found = store_user_find(s, name, NULL, &e);
    if (found == 0 && store_user_add(s, name, role, pw, r->srv->password_cost, &e) != 0)
        found = store_user_find(s, name, NULL, NULL) == 1 ? 1 : -1; /* added meanwhile? */
    else if (found == 0 && store_user_find(s, name, &u, &e) != 1)
        found = -1;
    if (found == 1) {
        st = http_reply_error(r, 409, NULL, "username", NULL,
                              "a user named %s exists already (names ignore case)", name);
        goto done;
    }
    if (found < 0) {
        st = http_fail_internal(r, "adding a user", &e);
        goto done;
    }
    http_audit(r, r->auth.user.name, "user.add", "%s (%s)", u.name, store_role_name(u.role));
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "user", http_user_json(&u));
    st = http_reply_json(r, 201, o, NULL);
done:
    cJSON_Delete(body);
    return st;
}

/* The user of the path's {id}, or a 404 answer: 0, or the status. */
static int path_user(struct http_req *r, struct store *s, int64_t *id, struct store_user *u)
{
    struct err e = {""};
    int found;
    if (http_path_id(r, "id", id) != 0 || (found = store_user_get(s, *id, u, &e)) == 0)
        return http_reply_error(r, 404, NULL, NULL, NULL, "no such user: %s", r->path);
    if (found < 0)
        return http_fail_internal(r, "reading a user", &e);
    return 0;
}

/* Maps a store_user_update/delete result to an answer; 0 when done. */
static int change_result(struct http_req *r, int rc, const char *field, const struct err *e)
{
    if (rc == STORE_USER_NOT_FOUND)
        return http_reply_error(r, 404, NULL, NULL, NULL, "the user no longer exists");
    if (rc == STORE_USER_LAST_ADMIN)
        return http_reply_error(r, 409, NULL, field, NULL, "%s", e->msg);
    if (rc != 0)
        return http_fail_internal(r, "changing a user", e);
    return 0;
}

static int users_patch(struct http_req *r)
{
    static const char *const known[] = {"role", "disabled", "password", NULL};
    cJSON *body = NULL;
    const char *pw = NULL;
    enum store_role role;
    struct store *s;
    struct store_user u;
    struct store_user_change ch = {NULL, NULL, NULL};
    struct err e = {""};
    int64_t id;
    int st, has_role, disabled, has_disabled;
    if ((st = http_store_or_fail(r, &s)) != 0 || (st = path_user(r, s, &id, &u)) != 0)
        return st;
    if ((st = http_read_json(r, USER_BODY_MAX, &body)) != 0)
        return st;
    if ((st = http_json_only(r, body, known)) != 0 ||
        (st = read_role(r, body, 0, &role, &has_role)) != 0 ||
        (st = http_json_bool(r, body, "disabled", &disabled, &has_disabled)) != 0 ||
        (st = read_password(r, body, 0, &pw)) != 0)
        goto done;
    if (!has_role && !has_disabled && !pw) {
        st = http_reply_error(r, 400, "invalid", NULL, NULL,
                              "nothing to change: send role, disabled or password");
        goto done;
    }
    if (has_disabled && disabled && id == r->auth.user.id) {
        st = http_reply_error(r, 409, NULL, "disabled", NULL,
                              "you cannot disable your own account; ask another admin");
        goto done;
    }
    ch.role = has_role ? &role : NULL;
    ch.disabled = has_disabled ? &disabled : NULL;
    ch.password = pw;
    int rc = store_user_update(s, id, &ch, r->srv->password_cost,
                               id == r->auth.user.id ? r->auth.session.id : 0, &e);
    if ((st = change_result(r, rc, has_role ? "role" : "disabled", &e)) != 0)
        goto done;
    if (store_user_get(s, id, &u, &e) != 1) {
        st = http_fail_internal(r, "reading the changed user", &e);
        goto done;
    }
    http_audit(r, r->auth.user.name, "user.change", "%s:%s%s%s%s", u.name,
               has_role ? " role=" : "", has_role ? store_role_name(role) : "",
               has_disabled ? (disabled ? " disabled" : " enabled") : "",
               pw ? " password" : "");
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "user", http_user_json(&u));
    st = http_reply_json(r, 200, o, NULL);
done:
    cJSON_Delete(body);
    return st;
}

static int users_delete(struct http_req *r)
{
    struct store *s;
    struct store_user u;
    struct err e = {""};
    int64_t id;
    int st;
    if ((st = http_store_or_fail(r, &s)) != 0 || (st = path_user(r, s, &id, &u)) != 0)
        return st;
    if (id == r->auth.user.id)
        return http_reply_error(r, 409, NULL, NULL, NULL,
                                "you cannot delete your own account; ask another admin");
    if ((st = change_result(r, store_user_delete(s, id, &e), NULL, &e)) != 0)
        return st;
    http_audit(r, r->auth.user.name, "user.delete", "%s (%s)", u.name, store_role_name(u.role));
    return http_reply(r, 204, NULL, NULL, NULL, 0);
}

const struct http_route http_routes_users[] = {
    {"GET", "/api/users", HTTP_ROLE_ADMIN, users_list, NULL},
    {"POST", "/api/users", HTTP_ROLE_ADMIN, users_add, NULL},
    {"PATCH", "/api/users/{id}", HTTP_ROLE_ADMIN, users_patch, NULL},
    {"DELETE", "/api/users/{id}", HTTP_ROLE_ADMIN, users_delete, NULL},
    {NULL, NULL, HTTP_ROLE_NONE, NULL, NULL},
};
