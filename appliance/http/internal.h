/*
 * internal.h - what the files of the http module share, and nothing else
 * includes: the server state, one request, the route table's shape, the one
 * function every response goes through.
 *
 * Invariants:
 *  1. Every byte sent to a client goes through http_reply() or its
 *     siblings in reply.c, which add the security headers; no handler
 *     calls mg_printf() or mg_write() itself.
 *  2. A handler returns the HTTP status it sent (the one http_reply() got).
 *  3. A request thread owns at most one database connection (its struct
 *     http_thread), opened on first use and closed when CivetWeb ends the
 *     thread; a connection never crosses threads.
 */
#ifndef DXFQ_HTTP_INTERNAL_H
#define DXFQ_HTTP_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include <cJSON.h>
#include <civetweb.h>

#include "core/core.h"
#include "http/http.h"
#include "jobs/job.h"
#include "store/store.h"

/* --------------------------------------------------------------- server */

/* What the request threads read.  It copies what it needs from the
 * configuration, so that it stays valid if it must outlive the call to
 * http_serve() (see server.c, invariant 3). */
struct http_server {
    char *data_dir;         /* [data] dir, owned */
    int busy_timeout_ms;    /* [data] busy_timeout_ms */
    int64_t min_free_bytes; /* [data] min_free_mb in bytes */
    int access_log;         /* [log] access */
    double started;         /* core_now() when serving began */

    /* [security] */
    int64_t session_idle_s; /* session_idle_min in seconds */
    int login_attempts;
    int64_t login_window_s; /* login_window_min in seconds */
    int password_cost;
    int secure_cookies;

    /* First start (auth.c): while no user exists, the SHA-256 of the
     * one-time setup token; setup_open is 0 once it is used or when users
     * existed at start.  Guarded by setup_mu. */
    pthread_mutex_t setup_mu;
    int setup_open;
    unsigned char setup_hash[32];

    /* What the admin API needs from [company] and [pricing]. */
    char currency[8];
    double machine_rate_per_hour, tax_rate;
    long long max_instructions;
    size_t lua_memory_bytes;
    /* One rules check, one backup at a time (api_admin.c). */
    pthread_mutex_t rules_mu, backup_mu;

    /* The job system: measuring, pricing, previews and PDFs run on its
     * workers, never on a request thread.  Started before the server
     * listens and stopped after the request threads end, so a handler may
     * use it (job_wait included) for as long as it runs. */
    struct job_system *js;
    const struct cfg *cfg; /* for the jobs glue; outlives the server */
    /* Server-Sent Event streams open now, and how many may be (each holds
     * a request thread while it lasts; api_jobs.c). */
    _Atomic int sse_open;
    int sse_max;
    /* Set when a stop signal arrived: long replies (event streams) end. */
    _Atomic int stopping;
    int64_t upload_max;    /* [limits] upload_mb in bytes */
    int workers, queue;    /* [jobs] */
    int backup_interval_h, backup_keep; /* [backup] */
    /* [health]: when /health says degraded. */
    double failed_jobs_ratio, errors_ratio;
    long min_events;
};

/* One per CivetWeb worker thread (init_thread/exit_thread). */
struct http_thread {
    struct store *store; /* NULL until a handler needs the database */
};

/* ------------------------------------------------------------- requests */

struct http_route;

struct http_req {
    struct mg_connection *conn;
    const struct mg_request_info *ri;
    struct http_server *srv;
    struct http_thread *th; /* NULL outside worker threads */
    const char *method;     /* as sent: "GET", "HEAD", ... */
    const char *path;       /* decoded, normalised, no query string */
    const char *route;      /* route pattern for metrics, or "unmatched" */
    const struct http_route *rt; /* the route found; NULL when none */
    int head;               /* HEAD: send headers only */
    int tls;                /* the connection is HTTPS */
    const char *remote;     /* the client's address ("" when unknown) */
    /* Set by the dispatcher (auth.c) on routes whose role is not NONE. */
    struct http_auth {
        int signed_in;
        struct store_user user;
        struct store_session session;
    } auth;
    int status;             /* set by http_reply(); 0 until then */
    long long bytes;        /* body bytes sent */
    double t0;              /* core_now() when the request arrived */
    /* Metrics count a request when its reply begins (send_head), so a
     * client that has read its reply finds it counted in /metrics; the
     * latency histogram runs from arrival to the reply's start. */
    int counted;
};

/* The calling thread's database connection, opened on first use.  The
 * connection belongs to the thread; the caller must not close it. */
int http_req_store(struct http_req *r, struct store **out, struct err *e);

/* The server's scheduled backups (backup_timer.c): none when [backup]
 * interval_h is 0 (then *out is NULL).  0, or -1 with e filled. */
struct http_backup_timer;
int http_backup_timer_start(struct http_server *srv, struct http_backup_timer **out, struct err *e);
/* Stops the timer (waiting for a backup in progress) and frees it. */
void http_backup_timer_stop(struct http_backup_timer *t);

/* ---------------------------------------------------------------- routes */

/* Who may call a route: NONE anyone; SALES any signed-in user (sales or
 * admin); ADMIN admins only.  The dispatcher enforces it before the
 * handler runs (auth.c), with the CSRF check on state-changing methods. */
enum http_role { HTTP_ROLE_NONE, HTTP_ROLE_SALES, HTTP_ROLE_ADMIN };

/* A handler answers through http_reply*() and returns that status. */
typedef int (*http_handler)(struct http_req *r);

struct http_route {
    const char *method;  /* "GET" answers HEAD too */
    const char *pattern; /* "/health", "/api/quotes/{id}"; the metrics label */
    enum http_role role;
    http_handler fn;
    /* When set, decides alone whether a path belongs to this route (for a
     * set of paths known only from data, such as the embedded assets). */
    int (*match)(const char *path);
};

/* The route tables, each ended by an entry whose method is NULL, declared
 * beside their handlers; routes.c lists them in search order, so adding a
 * table is one line there. */
extern const struct http_route http_routes_ops[];  /* ops.c: /health, /metrics, assets */
extern const struct http_route http_routes_auth[];  /* auth.c: login, logout, me, setup */
extern const struct http_route http_routes_users[]; /* api_users.c: /api/users */
/* api_admin.c: /api/materials, /api/materials.csv, /api/rules */
extern const struct http_route http_routes_admin[];
extern const struct http_route http_routes_backups[]; /* api_backups.c: /api/backups */
/* api_quotes.c: /api/quotes, /api/quotes/{id}[/duplicate|/revise] */
extern const struct http_route http_routes_quotes[];
extern const struct http_route http_routes_customers[]; /* api_customers.c: /api/customers */
extern const struct http_route http_routes_upload[]; /* api_upload.c: POST /api/quotes/{id}/parts */
extern const struct http_route http_routes_pdf[];    /* api_pdf.c: /api/quotes/{id}/pdf */
/* api_parts.c: /api/parts/{id}[/preview.png|/file] */
extern const struct http_route http_routes_parts[];
extern const struct http_route http_routes_jobs[]; /* api_jobs.c: /api/jobs/{id}[/events] */
extern const struct http_route http_routes_system[]; /* api_system.c: /api/system, /api/audit */

/* 1 when path fits pattern: literal segments compare exactly, a "{name}"
 * segment matches one non-empty segment.  0 otherwise. */
int http_route_match(const char *pattern, const char *path);

enum http_find { HTTP_FOUND, HTTP_NO_PATH, HTTP_NO_METHOD };

/* Looks method and path up in the route table.  HTTP_FOUND sets *route;
 * HTTP_NO_METHOD sets *route to the first route with that path and writes
 * the methods it allows ("GET, HEAD, POST") into allow. */
enum http_find http_route_find(const char *method, const char *path,
                               const struct http_route **route, char *allow, size_t allow_n);

/* The segment of the request path that the route's "{name}" matched, *len
 * bytes long (not terminated), or NULL when the pattern has no such name. */
const char *http_path_param(const struct http_req *r, const char *name, size_t *len);
/* The "{name}" segment as a positive decimal id (no sign, no leading zero,
 * at most 18 digits).  0, or -1 when it is not one: the caller answers 404. */
int http_path_id(const struct http_req *r, const char *name, int64_t *id);

/* ------------------------------------------------------- authentication */

/* Name of the session cookie. */
#define HTTP_SESSION_COOKIE "dxfq_session"
/* A session ends this long after sign-in whatever its activity. */
#define HTTP_SESSION_MAX_S (12 * 3600)
/* last_seen is written at most this often per session. */
#define HTTP_SESSION_TOUCH_S 60

/* The dispatcher's check for a route of role role: loads the session from
 * the cookie (401 when there is none or it has expired), compares roles
 * (403 forbidden), and for POST, PUT, PATCH and DELETE the X-CSRF-Token
 * header with the session's token (403 csrf).  0 when the handler may run,
 * with r->auth filled; else the status it sent. */
int http_auth_require(struct http_req *r, enum http_role role);

/* At start with store s: when no user exists, makes the one-time setup
 * token and prints the link base_url "/setup?token=..." to the log and
 * stderr.  0, or -1 with e filled. */
int http_setup_begin(struct http_server *srv, struct store *s, const char *base_url,
                     struct err *e);

/* ----------------------------------------------------------- request body */

/* Reads the whole body, at most max bytes (413 past it), into *out
 * (NUL-terminated; caller frees) and *len.  0, or the status sent. */
int http_read_body(struct http_req *r, size_t max, char **out, size_t *len);
/* 1 when text (n bytes) is well-formed UTF-8 without NUL (RFC 3629: no
 * overlong forms, no surrogates, nothing past U+10FFFF). */
int http_utf8_valid(const void *text, size_t n);
/* 1 when the request's Content-Type is type, parameters aside. */
int http_content_type_is(const struct http_req *r, const char *type);
/* Reads a JSON object body (415 unless application/json; 400 when not
 * UTF-8, not JSON or not an object).  Caller deletes *out.  0, or the
 * status sent. */
int http_read_json(struct http_req *r, size_t max, cJSON **out);
/* 400 (field named) when obj has a member not in known (NULL-ended) or one
 * twice.  0, or the status sent. */
int http_json_only(struct http_req *r, const cJSON *obj, const char *const *known);
/* Member name of obj as a string of min..max characters (UTF-8 characters,
 * not bytes).  Absent or null: 400 when required, else *out NULL.  0, or
 * the status sent. */
int http_json_string(struct http_req *r, const cJSON *obj, const char *name, int required,
                     size_t min, size_t max, const char **out);
/* Member name as true/false; *present 0 when absent.  0, or the status. */
int http_json_bool(struct http_req *r, const cJSON *obj, const char *name, int *out,
                   int *present);
/* v as a finite number in [min, max] (min excluded when min_open); field
 * names it in the error.  0, or the status sent. */
int http_json_number(struct http_req *r, const cJSON *v, const char *field, double min,
                     double max, int min_open, double *out);

/* Query parameter name of the request ("?size=thumb&q=..."), URL-decoded
 * into buf (n bytes, NUL-terminated): 1 found, 0 absent, -1 when its value
 * does not fit in buf (the caller answers 400 naming the parameter). */
int http_query(const struct http_req *r, const char *name, char *buf, size_t n);
/* 400 (name given) when the query string holds a parameter whose name is
 * not in known (NULL-ended).  0, or the status sent. */
int http_query_only(struct http_req *r, const char *const *known);
/* Query parameter name through http_query(), into buf (n bytes): *present
 * 0 when it is absent.  400 when it is not UTF-8 or longer than max characters.  0,
 * or the status sent. */
int http_query_string(struct http_req *r, const char *name, size_t max, char *buf, size_t n,
                      int *present);
/* Query parameter name as a decimal integer in [min, max]; *out stays as
 * it is when absent (the caller's default).  0, or the status sent. */
int http_query_int(struct http_req *r, const char *name, long long min, long long max,
                   long long *out);

/* A job's status as the API shows it: {"id", "part_id", "state", "stage",
 * "progress", "error"} (api_jobs.c). */
cJSON *http_job_json(const struct job_status *st);

/* Adds name: the text s, or null when s is NULL. */
void http_json_text(cJSON *obj, const char *name, const char *s);
/* Adds name: RFC 3339 UTC time of unix seconds t, or null when t <= 0. */
void http_json_time(cJSON *obj, const char *name, int64_t t);
/* {"id", "name", "company", "contact", "email", "phone", "address",
 * "notes", "quotes", "created", "updated"} (api_customers.c). */
cJSON *http_customer_json(const struct store_customer *c);
/* {"id", "username", "role", "disabled", "created", "last_login"}. */
cJSON *http_user_json(const struct store_user *u);

/* The thread's database connection, or a 503 answer: 0, or the status. */
int http_store_or_fail(struct http_req *r, struct store **s);
/* Logs e and answers 500 "what: message".  Returns 500. */
int http_fail_internal(struct http_req *r, const char *what, const struct err *e);
/* Appends to the audit log as user (NULL: the appliance); a failure is
 * logged, never shown to the client. */
void http_audit(struct http_req *r, const char *user, const char *action, const char *fmt, ...)
    CORE_PRINTF(4, 5);

/* --------------------------------------------------------- catalog as CSV */

/* ---------------------------------------------------------------- replies */

/* Sends one complete response: status line, the security headers, cache
 * and type headers, extra (complete "Name: value\r\n" lines, may be NULL),
 * Content-Length, then body unless the request is HEAD or the status has no
 * body (204, 304).  Records status and bytes in r.  Returns status. */
int http_reply(struct http_req *r, int status, const char *content_type, const char *extra,
               const void *body, size_t len);

/* As http_reply(), with the body read from fd: len bytes, sent in
 * pieces (a backup may be larger than memory should hold).  Returns
 * status; the caller closes fd. */
int http_reply_file(struct http_req *r, int status, const char *content_type,
                    const char *extra, int fd, size_t len);

/* A body sent in pieces whose length is not known in advance: no
 * Content-Length, the body ends when the connection closes. */
#define HTTP_NO_LENGTH ((size_t)-1)

/* Sends the head of a reply whose body follows through http_reply_write():
 * as http_reply(), with Content-Length len, or none with HTTP_NO_LENGTH
 * (Server-Sent Events, a file inflated while it is sent).  Returns
 * status. */
int http_reply_begin(struct http_req *r, int status, const char *content_type, const char *extra,
                     size_t len);
/* Sends n more body bytes of a reply begun with http_reply_begin() (none
 * for HEAD).  0, or -1 when the client has gone: the caller stops. */
int http_reply_write(struct http_req *r, const void *buf, size_t n);

/* Serialises obj as the body (application/json, Cache-Control: no-store)
 * and frees obj.  Returns status. */
int http_reply_json(struct http_req *r, int status, cJSON *obj, const char *extra);

/* Every error has one shape:
 *   {"error": {"code": "<code>", "message": "<message>", "field": "<f>"|null}}
 * code is a stable word a client can branch on ("invalid", "csrf",
 * "not_found" ...); NULL picks the generic one for status
 * (http_error_code()).  field names the input at fault ("username",
 * "materials[2].thicknesses[0].thickness_mm"), or NULL.  message is a
 * sentence for a person.  Returns status. */
int http_reply_error(struct http_req *r, int status, const char *code, const char *field,
                     const char *extra, const char *fmt, ...) CORE_PRINTF(6, 7);

/* The generic code of an error status: 400 "bad_request", 401
 * "unauthenticated", 403 "forbidden", 404 "not_found", 405
 * "method_not_allowed", 409 "conflict", 413 "payload_too_large", 415
 * "unsupported_media_type", 429 "too_many_requests", 503 "unavailable",
 * other 5xx "internal", other 4xx "bad_request". */
const char *http_error_code(int status);

/* The value of request header name, or NULL. */
const char *http_header(const struct http_req *r, const char *name);

/* --------------------------------------------------------------- handlers */

int http_assets_get(struct http_req *r);
int http_assets_match(const char *path);

/* Content-Type for a file name by its extension. */
const char *http_content_type(const char *name);
/* 1 when an Accept-Encoding value accepts gzip (a gzip or * coding whose
 * q is not 0). */
int http_accepts_gzip(const char *accept_encoding);
/* 1 when an If-None-Match value lists etag (weak comparison) or is "*". */
int http_etag_matches(const char *if_none_match, const char *etag);

int http_ops_health(struct http_req *r);
int http_ops_metrics(struct http_req *r);

/* Free bytes for unprivileged users in dir.  -1 with e filled. */
int http_disk_free(const char *dir, int64_t *free_bytes, struct err *e);
/* The process's resident memory in bytes (0 when unknown). */
double http_resident_bytes(void);
/* The jobs running and waiting; none before the job system runs. */
void http_jobs_now(const struct http_server *srv, long *running, long *queued);
/* Answers of the last five minutes, and the 5xx among them. */
void http_answers_recent(long *total, long *errors);

/* Registers the metric families once per process.  Thread-safe. */
void http_ops_init(void);
/* Counts one finished request. */
void http_ops_count(const struct http_req *r, double seconds);

#endif
