/*
 * auth.c - who is calling: sessions in a cookie, the dispatcher's role and
 * CSRF check, sign-in with throttling, sign-out, and the first start.
 *
 * Routes: POST /api/login, POST /api/logout, GET /api/me, POST /api/setup,
 * and GET /setup (the UI page the setup link opens).
 *
 * Sessions: the cookie dxfq_session holds 32 random bytes (getrandom) as
 * hex; the database keeps only their SHA-256 (store/users.c).  A session
 * ends after [security] session_idle_min without a request, after
 * HTTP_SESSION_MAX_S (12 h) whatever the activity, at sign-out, and when
 * its user is disabled, deleted or gets a new password.  The cookie is
 * HttpOnly, SameSite=Strict and Path=/, plus Secure on HTTPS or with
 * [security] secure_cookies.
 *
 * Invariants:
 *  1. A successful sign-in always makes a new session: a token the client
 *     brought (planted by someone else, say) is ended, never adopted.
 *  2. Every state-changing method on a signed-in route carries the
 *     session's CSRF token in X-CSRF-Token, compared in constant time.
 *  3. Failed sign-ins are counted per name and per address; from the
 *     [security] login_attempts-th failure within login_window_min the
 *     answer is 429 with Retry-After, before any password is hashed.
 *  4. The setup token exists only in memory, as a hash, while no user
 *     exists; it is printed once and dies with the first admin or the
 *     process.
 *  5. Tokens and passwords are never logged; the setup link is, on
 *     purpose: it is how the first admin finds it, and it expires.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/internal.h"

#define LOGIN_BODY_MAX   4096
#define PASSWORD_MAX_LEN 1024

/* ------------------------------------------------------------- cookies */

/* "Set-Cookie: ..." for token, or one that removes the cookie (token
 * NULL), into buf. */
static void cookie_line(const struct http_req *r, const char *token, char *buf, size_t n)
{
    int secure = r->tls || r->srv->secure_cookies;
    snprintf(buf, n,
             "Set-Cookie: " HTTP_SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict%s%s\r\n",
             token ? token : "", token ? "" : "; Max-Age=0", secure ? "; Secure" : "");
}

/* The session token the client sent, into buf; 0 when it sent none. */
static int cookie_token(const struct http_req *r, char *buf, size_t n)
{
    const char *h = http_header(r, "Cookie");
    return h && mg_get_cookie(h, HTTP_SESSION_COOKIE, buf, n) > 0;
}

/* 1 when a and b are equal, looking at every byte of both whatever the
 * first difference (lengths are not secret: both are 64 hex digits). */
static int same_token(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    volatile unsigned char diff = (unsigned char)(na != nb);
    for (size_t i = 0; i < na && i < nb; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

static int state_changing(const char *method)
{
    return !strcmp(method, "POST") || !strcmp(method, "PUT") || !strcmp(method, "PATCH") ||
           !strcmp(method, "DELETE");
}

/* ----------------------------------------------------------- dispatcher */

int http_auth_require(struct http_req *r, enum http_role role)
{
    char token[128], clear[160];
    struct store *s;
    struct err e = {""};
    int st;
    if (role == HTTP_ROLE_NONE)
        return 0;
    cookie_line(r, NULL, clear, sizeof clear);
    if (!cookie_token(r, token, sizeof token))
        return http_reply_error(r, 401, NULL, NULL, NULL, "sign in first");
    if ((st = http_store_or_fail(r, &s)) != 0)
        return st;
    int found = store_session_find(s, token, &r->auth.session, &r->auth.user, &e);
    if (found < 0)
        return http_fail_internal(r, "reading the session", &e);
    if (!found)
        return http_reply_error(r, 401, "session_expired", NULL, clear,
                                "your session has ended; sign in again");
    int64_t now = (int64_t)time(NULL);
    if (now - r->auth.session.last_seen >= r->srv->session_idle_s ||
        now - r->auth.session.created >= HTTP_SESSION_MAX_S) {
        store_session_end(s, r->auth.session.id, NULL);
        memset(&r->auth, 0, sizeof r->auth);
        return http_reply_error(r, 401, "session_expired", NULL, clear,
                                "your session has expired; sign in again");
    }
    r->auth.signed_in = 1;
    if (role == HTTP_ROLE_ADMIN && r->auth.user.role != STORE_ROLE_ADMIN)
        return http_reply_error(r, 403, NULL, NULL, NULL, "only an admin may do this");
    if (state_changing(r->method)) {
        const char *sent = http_header(r, "X-CSRF-Token");
        if (!sent || !same_token(sent, r->auth.session.csrf))
            return http_reply_error(r, 403, "csrf", NULL, NULL,
                                    "the X-CSRF-Token header is missing or wrong; use the "
                                    "token from sign-in or GET /api/me");
    }
    if (now - r->auth.session.last_seen >= HTTP_SESSION_TOUCH_S &&
        store_session_touch(s, r->auth.session.id, now, &e) != 0)
        return http_fail_internal(r, "recording session activity", &e);
    return 0;
}

/* -------------------------------------------------------------- sign-in */

/* Ends the session the client brought, if any (invariant 1). */
static void end_brought_session(struct http_req *r, struct store *s)
{
    char token[128];
    struct store_session old;
    struct store_user who;
    if (cookie_token(r, token, sizeof token) &&
        store_session_find(s, token, &old, &who, NULL) == 1)
        store_session_end(s, old.id, NULL);
}

/* Starts a session for u and answers status with {"user", "csrf"} and the
 * cookie. */
static int answer_signed_in(struct http_req *r, struct store *s, const struct store_user *u,
                            int status)
{
    char token[STORE_TOKEN_HEX + 1], cookie[256];
    struct store_session ses;
    struct err e = {""};
    end_brought_session(r, s);
    if (store_session_start(s, u->id, r->remote, token, &ses, &e) != 0)
        return http_fail_internal(r, "starting a session", &e);
    /* A sign-in is a good moment to drop what has expired meanwhile. */
    int64_t now = (int64_t)time(NULL);
    store_session_sweep(s, now - r->srv->session_idle_s, now - HTTP_SESSION_MAX_S, NULL, NULL);
    cookie_line(r, token, cookie, sizeof cookie);
    explicit_bzero(token, sizeof token);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "user", http_user_json(u));
    cJSON_AddStringToObject(o, "csrf", ses.csrf);
    return http_reply_json(r, status, o, cookie);
}

static int login(struct http_req *r)
{
    static const char *const known[] = {"username", "password", NULL};
    cJSON *body = NULL;
    const char *name, *password;
    struct store *s;
    struct store_user u;
    struct err e = {""};
    int st;
    if ((st = http_read_json(r, LOGIN_BODY_MAX, &body)) != 0)
        return st;
    if ((st = http_json_only(r, body, known)) != 0 ||
        (st = http_json_string(r, body, "username", 1, 1, 63, &name)) != 0 ||
        (st = http_json_string(r, body, "password", 1, 1, PASSWORD_MAX_LEN, &password)) != 0 ||
        (st = http_store_or_fail(r, &s)) != 0)
        goto done;

    int64_t now = (int64_t)time(NULL), wait = 0;
    if (store_login_wait(s, name, r->remote, r->srv->login_attempts, r->srv->login_window_s, now,
                         &wait, &e) != 0) {
        st = http_fail_internal(r, "counting failed sign-ins", &e);
        goto done;
    }
    if (wait > 0) {
        char extra[48];
        snprintf(extra, sizeof extra, "Retry-After: %lld\r\n", (long long)wait);
        http_audit(r, name, "login.throttled", "address=%s", r->remote);
        st = http_reply_error(r, 429, NULL, NULL, extra,
                              "too many failed sign-ins for this name or address; try again in "
                              "%lld s",
                              (long long)wait);
        goto done;
    }
    int ok = store_user_check(s, name, password, &u, &e);
    if (ok < 0) {
        st = http_fail_internal(r, "checking the password", &e);
        goto done;
    }
    if (!ok) {
        if (store_login_failed(s, name, r->remote, now, now - r->srv->login_window_s, &e) != 0)
            log_error("failed sign-in not counted", "error=\"%s\"", e.msg);
        http_audit(r, name, "login.failed", "address=%s", r->remote);
        st = http_reply_error(r, 401, "login_failed", NULL, NULL,
                              "wrong user name or password, or the account is disabled");
        goto done;
    }
    http_audit(r, u.name, "login", "address=%s", r->remote);
    st = answer_signed_in(r, s, &u, 200);
done:
    cJSON_Delete(body);
    return st;
}

static int logout(struct http_req *r)
{
    struct store *s;
    struct err e = {""};
    char clear[160];
    int st;
    if ((st = http_store_or_fail(r, &s)) != 0)
        return st;
    if (store_session_end(s, r->auth.session.id, &e) != 0)
        return http_fail_internal(r, "ending the session", &e);
    http_audit(r, r->auth.user.name, "logout", "address=%s", r->remote);
    cookie_line(r, NULL, clear, sizeof clear);
    return http_reply(r, 204, NULL, clear, NULL, 0);
}

static int me(struct http_req *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "user", http_user_json(&r->auth.user));
    cJSON_AddStringToObject(o, "csrf", r->auth.session.csrf);
    return http_reply_json(r, 200, o, NULL);
}

/* ---------------------------------------------------------- first start */

int http_setup_begin(struct http_server *srv, struct store *s, const char *base_url,
                     struct err *e)
{
    int64_t users = 0;
    unsigned char raw[32];
    char token[65];
    static const char digits[] = "0123456789abcdef";
    if (store_user_count(s, &users, e) != 0)
        return -1;
    if (users > 0)
        return 0;
    if (store_random(raw, sizeof raw, e) != 0)
        return -1;
    for (size_t i = 0; i < sizeof raw; i++) {
        token[2 * i] = digits[raw[i] >> 4];
        token[2 * i + 1] = digits[raw[i] & 15];
    }
    token[64] = '\0';
    pthread_mutex_lock(&srv->setup_mu);
    store_sha256(token, 64, srv->setup_hash);
    srv->setup_open = 1;
    pthread_mutex_unlock(&srv->setup_mu);
    char link[512];
    snprintf(link, sizeof link, "%s/setup?token=%s", base_url, token);
    log_warn("no user exists yet: open the setup link to create the first admin", "link=%s",
             link);
    fprintf(stderr, "\nNo user exists yet. Create the first admin at:\n  %s\n"
                    "(or run: dxfquote user add NAME --role admin)\n\n",
            link);
    explicit_bzero(token, sizeof token);
    explicit_bzero(raw, sizeof raw);
    return 0;
}

/* 1 when token is the open setup token. */
static int setup_token_ok(struct http_server *srv, const char *token)
{
    unsigned char h[32];
    volatile unsigned char diff = 0;
    store_sha256(token, strlen(token), h);
    pthread_mutex_lock(&srv->setup_mu);
    int open = srv->setup_open;
    for (size_t i = 0; i < sizeof h; i++)
        diff |= (unsigned char)(h[i] ^ srv->setup_hash[i]);
    pthread_mutex_unlock(&srv->setup_mu);
    return open && diff == 0;
}

static int setup(struct http_req *r)
{
    static const char *const known[] = {"token", "username", "password", NULL};
    cJSON *body = NULL;
    const char *token, *name, *password;
    struct store *s;
    struct store_user u;
    struct err e = {""};
    int64_t users = 0;
    int st;
    if ((st = http_read_json(r, LOGIN_BODY_MAX, &body)) != 0)
        return st;
    if ((st = http_json_only(r, body, known)) != 0 ||
        (st = http_json_string(r, body, "token", 1, 1, 128, &token)) != 0 ||
        (st = http_json_string(r, body, "username", 1, 1, 63, &name)) != 0 ||
        (st = http_json_string(r, body, "password", 1, 1, PASSWORD_MAX_LEN, &password)) != 0 ||
        (st = http_store_or_fail(r, &s)) != 0)
        goto done;
    if (store_user_count(s, &users, &e) != 0) {
        st = http_fail_internal(r, "counting users", &e);
        goto done;
    }
    if (users > 0) {
        st = http_reply_error(r, 409, NULL, NULL, NULL,
                              "the appliance is set up already; sign in, or ask an admin");
        goto done;
    }
    if (!setup_token_ok(r->srv, token)) {
        http_audit(r, NULL, "setup.refused", "address=%s", r->remote);
        st = http_reply_error(r, 403, "setup_token", "token", NULL,
                              "the setup token is wrong or used; use the link the server "
                              "printed at start");
        goto done;
    }
    if (store_user_name_ok(name, &e) != 0) {
        st = http_reply_error(r, 400, "invalid", "username", NULL, "%s", e.msg);
        goto done;
    }
    if (store_user_password_ok(password, &e) != 0) {
        st = http_reply_error(r, 400, "invalid", "password", NULL, "%s", e.msg);
        goto done;
    }
    int made = store_user_add_first(s, name, password, r->srv->password_cost, &u, &e);
    if (made < 0) {
        st = http_fail_internal(r, "creating the first admin", &e);
        goto done;
    }
    if (made == 0) {
        st = http_reply_error(r, 409, NULL, NULL, NULL,
                              "the appliance is set up already; sign in, or ask an admin");
        goto done;
    }
    pthread_mutex_lock(&r->srv->setup_mu);
    r->srv->setup_open = 0;
    memset(r->srv->setup_hash, 0, sizeof r->srv->setup_hash);
    pthread_mutex_unlock(&r->srv->setup_mu);
    http_audit(r, u.name, "setup", "first admin %s created from address %s", u.name, r->remote);
    http_audit(r, u.name, "login", "address=%s", r->remote);
    st = answer_signed_in(r, s, &u, 201);
done:
    cJSON_Delete(body);
    return st;
}

const struct http_route http_routes_auth[] = {
    {"POST", "/api/login", HTTP_ROLE_NONE, login, NULL},
    {"POST", "/api/logout", HTTP_ROLE_SALES, logout, NULL},
    {"GET", "/api/me", HTTP_ROLE_SALES, me, NULL},
    {"POST", "/api/setup", HTTP_ROLE_NONE, setup, NULL},
    {"GET", "/setup", HTTP_ROLE_NONE, http_assets_get, NULL},
    {NULL, NULL, HTTP_ROLE_NONE, NULL, NULL},
};
