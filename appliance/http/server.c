/*
 * server.c - starts CivetWeb, sends every request through the route table,
 * and stops on SIGTERM or SIGINT.
 *
 * Accepts [http] listen as "ADDR:PORT" (IPv4 address; a bare "PORT" means
 * 0.0.0.0), with an 's' after the port for HTTPS with [http]
 * tls_certificate.  CivetWeb gets no document_root, so its file server is
 * never reached (CVE-2025-55763); the begin_request callback receives
 * every request (set before CivetWeb listens, unlike a request handler
 * registered after mg_start2(), which left a window in which a fast client
 * got CivetWeb's own 404), and CivetWeb's own error replies (malformed
 * requests) are taken over by on_http_error() so that they carry the
 * security headers too.
 *
 * Invariants:
 *  1. Each worker thread owns one struct http_thread (init_thread) whose
 *     database connection is opened on first use and closed by exit_thread.
 *  2. The signal handler only writes one byte to a pipe; everything else
 *     happens on the thread that called http_serve().
 *  3. Stopping: mg_stop() runs on a helper thread and is given
 *     [http] shutdown_grace_s (plus the 2 s CivetWeb needs to notice) to
 *     finish the running requests.  If it is still waiting after that,
 *     http_serve() logs it, checkpoints what it can and returns 0 anyway,
 *     leaving the server state allocated (those requests still read it;
 *     it holds copies, not pointers into the configuration); the caller
 *     is about to exit the process, which ends them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http/internal.h"
#include "store/store.h"

/* ---------------------------------------------------------------- listen */

struct listen_spec {
    char addr[INET_ADDRSTRLEN];
    int port;
    int tls;
    char option[64]; /* CivetWeb's listening_ports value */
};

static int parse_listen(const struct cfg *c, struct listen_spec *ls, struct err *e)
{
    const char *v = cfg_str(c, CFG_HTTP_LISTEN);
    const char *colon = strrchr(v, ':');
    const char *port_s = colon ? colon + 1 : v;
    size_t alen = colon ? (size_t)(colon - v) : 0;
    struct in_addr ia;
    char *end;
    long port;

    memset(ls, 0, sizeof *ls);
    if (alen >= sizeof ls->addr)
        goto bad;
    memcpy(ls->addr, v, alen);
    ls->addr[alen] = '\0';
    if (alen == 0)
        snprintf(ls->addr, sizeof ls->addr, "0.0.0.0");
    else if (inet_pton(AF_INET, ls->addr, &ia) != 1)
        goto bad;
    if (port_s[0] < '0' || port_s[0] > '9')
        goto bad;
    port = strtol(port_s, &end, 10);
    if (port < 1 || port > 65535)
        goto bad;
    if (end[0] == 's' && end[1] == '\0')
        ls->tls = 1;
    else if (end[0] != '\0')
        goto bad;
    ls->port = (int)port;
    snprintf(ls->option, sizeof ls->option, "%s:%d%s", ls->addr, ls->port, ls->tls ? "s" : "");
    return 0;
bad:
    return err_set(e,
                   "[http] listen = \"%s\" (from %s): expected ADDR:PORT such as 127.0.0.1:8080 "
                   "(an IPv4 address and a port from 1 to 65535), with 's' after the port for "
                   "HTTPS",
                   v, cfg_origin(c, CFG_HTTP_LISTEN));
}

/* Why CivetWeb could not listen: binds the same address once, as CivetWeb
 * does (SO_REUSEADDR), and returns errno, or 0 when that bind works. */
static int bind_errno(const struct listen_spec *ls)
{
    struct sockaddr_in sa;
    int one = 1, rc = 0;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return errno;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)ls->port);
    inet_pton(AF_INET, ls->addr, &sa.sin_addr);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
        rc = errno;
    close(fd);
    return rc;
}

/* ------------------------------------------------------------- requests */

static void req_init(struct http_req *r, struct mg_connection *conn, struct http_server *srv)
{
    memset(r, 0, sizeof *r);
    r->conn = conn;
    r->srv = srv;
    r->ri = mg_get_request_info(conn);
    r->th = mg_get_thread_pointer(conn);
    r->method = r->ri && r->ri->request_method ? r->ri->request_method : "-";
    r->path = r->ri && r->ri->local_uri ? r->ri->local_uri : "";
    r->head = !strcmp(r->method, "HEAD");
    r->route = "unmatched";
    r->tls = r->ri && r->ri->is_ssl;
    r->remote = r->ri ? r->ri->remote_addr : "";
    r->t0 = core_now();
}

/* The access line (and the metrics of a request that sent no reply).
 * Never logs headers: they carry cookies. */
static void req_finish(const struct http_req *r)
{
    double dt = core_now() - r->t0;
    if (!r->counted)
        http_ops_count(r, dt);
    if (r->srv->access_log) {
        char qm[32], qp[512];
        log_info("request", "method=%s path=%s status=%d bytes=%lld ms=%.1f user=%s",
                 log_q(qm, sizeof qm, r->method), log_q(qp, sizeof qp, r->path), r->status,
                 r->bytes, dt * 1000.0, r->auth.signed_in ? r->auth.user.name : "-");
    }
}

/* begin_request: returns the status sent, so CivetWeb does nothing more. */
static int on_request(struct mg_connection *conn)
{
    void *cbdata = mg_get_user_data(mg_get_context(conn));
    struct http_req r;
    const struct http_route *rt;
    char allow[64], extra[96];
    req_init(&r, conn, cbdata);

    switch (http_route_find(r.method, r.path, &rt, allow, sizeof allow)) {
    case HTTP_FOUND: {
        r.route = rt->pattern;
        r.rt = rt;
        if (http_auth_require(&r, rt->role) != 0)
            break;
        int status = rt->fn(&r);
        if (!r.status)
            http_reply_error(&r, status >= 400 ? status : 500, NULL, NULL, NULL,
                             "%s sent no reply", rt->pattern);
        break;
    }
    case HTTP_NO_METHOD:
        r.route = rt->pattern;
        snprintf(extra, sizeof extra, "Allow: %s\r\n", allow);
        http_reply_error(&r, 405, NULL, NULL, extra, "%s is not allowed on %s; allowed: %s",
                         r.method, r.path, allow);
        break;
    case HTTP_NO_PATH:
        http_reply_error(&r, 404, NULL, NULL, NULL, "no such path: %s", r.path);
        break;
    }
    req_finish(&r);
    /* Keep-alive is off, so this changes one thing only: CivetWeb does not
     * drain a body the handler left unread (refused before reading it), and
     * a client announcing a gigabyte holds no worker for it. */
    mg_disable_keep_alive(conn);
    return r.status;
}

/* CivetWeb's own errors (bad request line, headers too large ...). */
static int on_http_error(struct mg_connection *conn, int status, const char *errmsg)
{
    struct http_req r;
    req_init(&r, conn, mg_get_user_data(mg_get_context(conn)));
    http_reply_error(&r, status, NULL, NULL, NULL, "%s",
                     errmsg && *errmsg ? errmsg : mg_get_response_code_text(conn, status));
    req_finish(&r);
    return 0;
}

/* While mg_start2() runs on this thread, its first complaint lands here:
 * CivetWeb's summary ("Error initializing SSL context") hides the cause. */
static _Thread_local char *start_cause;
static _Thread_local size_t start_cause_n;

static int on_log_message(const struct mg_connection *conn, const char *message)
{
    char q[512];
    (void)conn;
    if (start_cause && !start_cause[0])
        snprintf(start_cause, start_cause_n, "%s", message);
    log_warn("civetweb", "detail=%s", log_q(q, sizeof q, message));
    return 1;
}

/* thread_type 1 is a worker; the master and timer threads serve nothing. */
static void *on_init_thread(const struct mg_context *ctx, int thread_type)
{
    (void)ctx;
    return thread_type == 1 ? xcalloc(1, sizeof(struct http_thread)) : NULL;
}

static void on_exit_thread(const struct mg_context *ctx, int thread_type, void *p)
{
    struct http_thread *th = p;
    (void)ctx;
    (void)thread_type;
    if (!th)
        return;
    if (th->store)
        store_close(th->store, 0);
    free(th);
}

int http_req_store(struct http_req *r, struct store **out, struct err *e)
{
    if (!r->th)
        return err_set(e, "no database connection outside a request thread");
    if (!r->th->store &&
        store_open(&r->th->store, r->srv->data_dir, r->srv->busy_timeout_ms, e) != 0) {
        r->th->store = NULL;
        return -1;
    }
    *out = r->th->store;
    return 0;
}

/* -------------------------------------------------------------- signals */

/* Write end of the stop pipe, read by the signal handler. */
static volatile sig_atomic_t stop_fd = -1;

static void on_stop_signal(int sig)
{
    int saved = errno;
    unsigned char c = (unsigned char)sig;
    ssize_t n = write(stop_fd, &c, 1);
    (void)n; /* a full pipe already holds a stop request */
    errno = saved;
}

/* Blocks until a byte arrives on fd; returns the signal number. */
static int wait_stop(int fd)
{
    unsigned char c = 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    for (;;) {
        if (poll(&p, 1, -1) < 0 && errno != EINTR)
            return 0;
        if (read(fd, &c, 1) == 1)
            return c;
    }
}

/* ------------------------------------------------------------- stopping */

struct stopper {
    struct mg_context *ctx;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done;
};

static void *stopper_run(void *arg)
{
    struct stopper *st = arg;
    mg_stop(st->ctx);
    pthread_mutex_lock(&st->mu);
    st->done = 1;
    pthread_cond_signal(&st->cv);
    pthread_mutex_unlock(&st->mu);
    return NULL;
}

/* CivetWeb's accept loop looks at its stop flag every 2 s
 * (SOCKET_TIMEOUT_QUANTUM in civetweb.c): an idle server needs that long. */
#define CIVETWEB_STOP_S 2

/* Stops ctx, giving running requests grace_s, plus the time CivetWeb takes
 * to notice.  1 when CivetWeb has stopped, 0 when it is still waiting (the
 * stopper is then left to finish on its own and must not be freed). */
static int stop_within(struct mg_context *ctx, long long grace_s)
{
    struct stopper *st = xcalloc(1, sizeof *st);
    pthread_condattr_t ca;
    pthread_t t;
    struct timespec deadline;
    int done;

    st->ctx = ctx;
    pthread_mutex_init(&st->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&st->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&t, NULL, stopper_run, st) != 0) {
        mg_stop(ctx); /* no thread to spare: wait without a bound */
        done = 1;
        goto out;
    }
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += (time_t)grace_s + CIVETWEB_STOP_S;
    pthread_mutex_lock(&st->mu);
    while (!st->done && pthread_cond_timedwait(&st->cv, &st->mu, &deadline) != ETIMEDOUT)
        ;
    done = st->done;
    pthread_mutex_unlock(&st->mu);
    if (!done) {
        pthread_detach(t);
        return 0;
    }
    pthread_join(t, NULL);
out:
    pthread_cond_destroy(&st->cv);
    pthread_mutex_destroy(&st->mu);
    free(st);
    return 1;
}

/* ---------------------------------------------------------------- serve */

static int start_civetweb(const struct cfg *c, struct http_server *srv,
                          const struct listen_spec *ls, struct mg_context **out, struct err *e)
{
    char threads[24], timeout[24], text[256] = "", cause[256] = "";
    unsigned code = 0;
    const char *cert = cfg_str(c, CFG_HTTP_TLS_CERTIFICATE);
    const char *opts[16];
    int n = 0;
    struct mg_callbacks cb;

    snprintf(threads, sizeof threads, "%lld", cfg_int(c, CFG_HTTP_THREADS));
    snprintf(timeout, sizeof timeout, "%lld", cfg_int(c, CFG_HTTP_REQUEST_TIMEOUT_S) * 1000);
    opts[n++] = "listening_ports";
    opts[n++] = ls->option;
    opts[n++] = "num_threads";
    opts[n++] = threads;
    opts[n++] = "request_timeout_ms";
    opts[n++] = timeout;
    /* One request per connection: a browser's idle connection would hold a
     * worker thread and delay shutdown. */
    opts[n++] = "enable_keep_alive";
    opts[n++] = "no";
    if (ls->tls) {
        opts[n++] = "ssl_certificate";
        opts[n++] = cert;
        opts[n++] = "ssl_protocol_version"; /* 4: TLS 1.2 and later */
        opts[n++] = "4";
    }
    opts[n] = NULL;

    memset(&cb, 0, sizeof cb);
    cb.begin_request = on_request;
    cb.http_error = on_http_error;
    cb.log_message = on_log_message;
    cb.init_thread = on_init_thread;
    cb.exit_thread = on_exit_thread;
    struct mg_init_data init = {&cb, srv, opts};
    struct mg_error_data ed = {&code, text, sizeof text};
    start_cause = cause;
    start_cause_n = sizeof cause;
    *out = mg_start2(&init, &ed);
    start_cause = NULL;
    if (*out)
        return 0;
    int bind_err = bind_errno(ls);
    if (bind_err) {
        char why[128];
        snprintf(why, sizeof why, "%s", strerror(bind_err));
        if (why[0] >= 'A' && why[0] <= 'Z')
            why[0] = (char)(why[0] - 'A' + 'a');
        return err_set(e, "cannot listen on %s:%d: %s; set [http] listen or --listen", ls->addr,
                       ls->port, why);
    }
    const char *why = cause[0] ? cause : text[0] ? text : "unknown error";
    if (ls->tls)
        return err_set(e,
                       "cannot start HTTPS on %s with [http] tls_certificate = %s: %s; the "
                       "file must hold the PEM certificate and its private key",
                       ls->option, cert, why);
    return err_set(e, "cannot start the web server on %s: %s", ls->option, why);
}

static int check_tls(const struct cfg *c, const struct listen_spec *ls, struct err *e)
{
    const char *cert = cfg_str(c, CFG_HTTP_TLS_CERTIFICATE);
    if (!ls->tls) {
        if (*cert)
            log_warn("tls_certificate is set but listen has no 's' after the port: serving "
                     "plain HTTP",
                     "listen=%s", ls->option);
        return 0;
    }
    if (!*cert)
        return err_set(e,
                       "[http] listen = %s asks for HTTPS but [http] tls_certificate is empty; "
                       "set it to a PEM file with the certificate and its key",
                       ls->option);
    if (!mg_check_feature(MG_FEATURES_TLS))
        return err_set(e, "this build of dxfquote has no HTTPS support; remove the 's' after "
                          "the port and put a TLS proxy in front");
    if (access(cert, R_OK) != 0)
        return err_set(e, "cannot read [http] tls_certificate %s: %s", cert, strerror(errno));
    return 0;
}

/* The stop pipe of a server already running in this process (a test
 * starting a second one), given back by restore_signals(). */
static sig_atomic_t outer_stop_fd = -1;

static int install_signals(int fds[2], struct sigaction old[2], struct err *e)
{
    struct sigaction sa;
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
        return err_set(e, "cannot create the stop pipe: %s", strerror(errno));
    outer_stop_fd = stop_fd;
    stop_fd = fds[1];
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &sa, &old[0]);
    sigaction(SIGINT, &sa, &old[1]);
    /* A client that hangs up mid-reply must not kill the process. */
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

/* The first-start link: this machine's name when listening on every
 * address (the admin opens it from another one), else the address. */
static int setup_link(struct http_server *srv, struct store *s, const struct listen_spec *ls,
                      struct err *e)
{
    char host[256], base[400];
    if (!strcmp(ls->addr, "0.0.0.0")) {
        if (gethostname(host, sizeof host) != 0 || !host[0])
            snprintf(host, sizeof host, "127.0.0.1");
        host[sizeof host - 1] = '\0';
    } else {
        snprintf(host, sizeof host, "%s", ls->addr);
    }
    snprintf(base, sizeof base, "%s://%s:%d", ls->tls ? "https" : "http", host, ls->port);
    return http_setup_begin(srv, s, base, e);
}

static void restore_signals(int fds[2], const struct sigaction old[2])
{
    sigaction(SIGTERM, &old[0], NULL);
    sigaction(SIGINT, &old[1], NULL);
    stop_fd = outer_stop_fd;
    close(fds[0]);
    close(fds[1]);
}

int http_serve(const struct cfg *c, struct err *e)
{
    struct http_server *srv = NULL;
    struct store *main_store = NULL;
    struct mg_context *ctx = NULL;
    struct http_backup_timer *timer = NULL;
    struct listen_spec ls;
    struct sigaction old[2];
    int fds[2] = {-1, -1}, lib = 0, sig;
    long long grace = cfg_int(c, CFG_HTTP_SHUTDOWN_GRACE_S);

    if (parse_listen(c, &ls, e) != 0 || check_tls(c, &ls, e) != 0)
        return -1;
    srv = xcalloc(1, sizeof *srv);
    srv->data_dir = xstrdup(cfg_str(c, CFG_DATA_DIR));
    srv->busy_timeout_ms = (int)cfg_int(c, CFG_DATA_BUSY_TIMEOUT_MS);
    srv->min_free_bytes = (int64_t)cfg_int(c, CFG_DATA_MIN_FREE_MB) * 1024 * 1024;
    srv->access_log = cfg_bool(c, CFG_LOG_ACCESS);
    srv->session_idle_s = cfg_int(c, CFG_SECURITY_SESSION_IDLE_MIN) * 60;
    srv->login_attempts = (int)cfg_int(c, CFG_SECURITY_LOGIN_ATTEMPTS);
    srv->login_window_s = cfg_int(c, CFG_SECURITY_LOGIN_WINDOW_MIN) * 60;
    srv->password_cost = (int)cfg_int(c, CFG_SECURITY_PASSWORD_COST);
    srv->secure_cookies = cfg_bool(c, CFG_SECURITY_SECURE_COOKIES);
    snprintf(srv->currency, sizeof srv->currency, "%s", cfg_str(c, CFG_COMPANY_CURRENCY));
    srv->machine_rate_per_hour = cfg_real(c, CFG_COMPANY_MACHINE_RATE_PER_HOUR);
    srv->tax_rate = cfg_real(c, CFG_COMPANY_TAX_RATE);
    srv->max_instructions = cfg_int(c, CFG_PRICING_MAX_INSTRUCTIONS);
    srv->lua_memory_bytes = (size_t)cfg_int(c, CFG_PRICING_MEMORY_MB) << 20;
    srv->cfg = c;
    srv->upload_max = (int64_t)cfg_int(c, CFG_LIMITS_UPLOAD_MB) << 20;
    srv->workers = (int)cfg_int(c, CFG_JOBS_WORKERS);
    srv->queue = (int)cfg_int(c, CFG_JOBS_QUEUE);
    srv->failed_jobs_ratio = cfg_real(c, CFG_HEALTH_FAILED_JOBS_RATIO);
    srv->errors_ratio = cfg_real(c, CFG_HEALTH_ERRORS_RATIO);
    srv->min_events = (long)cfg_int(c, CFG_HEALTH_MIN_EVENTS);
    srv->backup_interval_h = (int)cfg_int(c, CFG_BACKUP_INTERVAL_H);
    srv->backup_keep = (int)cfg_int(c, CFG_BACKUP_KEEP);
    /* Half the request threads at most follow jobs: the rest answer. */
    srv->sse_max = (int)(cfg_int(c, CFG_HTTP_THREADS) / 2);
    pthread_mutex_init(&srv->setup_mu, NULL);
    pthread_mutex_init(&srv->rules_mu, NULL);
    pthread_mutex_init(&srv->backup_mu, NULL);

    /* Opening here applies the migrations before anyone can connect, and
     * keeps a connection for the checkpoint at the end. */
    if (store_open(&main_store, srv->data_dir, srv->busy_timeout_ms, e) != 0)
        goto fail;
    http_ops_init();
    /* The workers start (and a previous run's unfinished jobs are queued
     * again) before anyone can connect. */
    if (job_system_start(&srv->js, c, e) != 0)
        goto fail;
    /* Returns the features it set up, so 0 is success when none asked. */
    unsigned got = mg_init_library(ls.tls ? MG_FEATURES_TLS : 0);
    lib = 1;
    if (ls.tls && !(got & MG_FEATURES_TLS)) {
        err_set(e, "cannot initialise TLS for %s: OpenSSL did not start", ls.option);
        goto fail;
    }
    srv->started = core_now();
    /* The signals are ours before the port opens: a SIGTERM as soon as
     * the port answers (a supervisor, a test) waits in the stop pipe
     * instead of killing the process.  A failed start gives them back, so
     * it leaves the process as it found it. */
    if (install_signals(fds, old, e) != 0)
        goto fail;
    if (start_civetweb(c, srv, &ls, &ctx, e) != 0) {
        restore_signals(fds, old);
        goto fail;
    }
    if (setup_link(srv, main_store, &ls, e) != 0) {
        restore_signals(fds, old);
        mg_stop(ctx);
        goto fail;
    }
    if (http_backup_timer_start(srv, &timer, e) != 0) {
        restore_signals(fds, old);
        mg_stop(ctx);
        goto fail;
    }
    char qdir[512];
    log_info("listening", "listen=%s threads=%lld data=%s", ls.option, cfg_int(c, CFG_HTTP_THREADS),
             log_q(qdir, sizeof qdir, srv->data_dir));

    sig = wait_stop(fds[0]);
    srv->stopping = 1;
    log_info("stopping", "signal=%s grace_s=%lld", sig == SIGINT ? "INT" : "TERM", grace);
    http_backup_timer_stop(timer);
    if (!stop_within(ctx, grace)) {
        log_warn("requests still running after the grace period; exiting without them",
                 "grace_s=%lld", grace);
        restore_signals(fds, old);
        store_close(main_store, 1);
        log_info("stopped", "listen=%s", ls.option);
        /* srv, the job system and CivetWeb stay allocated: a request
         * thread may still wait on a job (see invariant 3). */
        return 0;
    }
    restore_signals(fds, old);
    mg_exit_library();
    /* No request thread is left to wait on a job: running jobs get the
     * grace period, the rest are queued again for the next start. */
    job_system_stop(srv->js, (double)grace);
    store_close(main_store, 1);
    free(srv->data_dir);
    free(srv);
    log_info("stopped", "listen=%s", ls.option);
    return 0;

fail:
    if (lib)
        mg_exit_library();
    if (srv->js)
        job_system_stop(srv->js, 0);
    if (main_store)
        store_close(main_store, 0);
    free(srv->data_dir);
    free(srv);
    return -1;
}
