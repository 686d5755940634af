/*
 * core.h - the foundation every other module stands on: errors as values,
 * the arena, configuration, structured logging and the metrics registry.
 *
 * Prefixes: err_, arena_, cfg_, log_, metric_.  Nothing here knows about
 * DXF, HTTP or SQL.  Everything is thread-safe unless a comment says not.
 */
#ifndef DXFQ_CORE_H
#define DXFQ_CORE_H

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#if defined(__GNUC__)
#define CORE_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CORE_PRINTF(f, a)
#endif

/* ------------------------------------------------------------------ errors */

/* An error a person can act on: what failed, where, and what was expected.
 * Functions that can fail return an int (0 ok, -1 failed) and fill one. */
struct err {
    char msg[512];
};

/* Formats into e->msg (truncating safely) and returns -1, so a caller can
 * write `return err_set(e, "...")`.  e may be NULL. */
int err_set(struct err *e, const char *fmt, ...) CORE_PRINTF(2, 3);

/* Prefixes the existing message: "<prefix>: <old msg>".  Returns -1. */
int err_prefix(struct err *e, const char *fmt, ...) CORE_PRINTF(2, 3);

/* Aborts with a message on stderr.  Only for out-of-memory where the caller
 * cannot recover (never for input errors). */
_Noreturn void core_die(const char *fmt, ...) CORE_PRINTF(1, 2);

/* malloc/calloc/realloc/strdup that abort on failure. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* ------------------------------------------------------------------- arena */

/* A bump allocator: one per job (or per command).  Nothing is freed
 * piecemeal; arena_free() releases everything at once.  An arena has a byte
 * limit so that hostile input cannot exhaust memory: past it, allocations
 * return NULL and the caller reports "limit exceeded". Not thread-safe. */
struct arena;

/* limit: the most bytes the arena may hand out (0 = no limit).  Caller owns
 * the result and releases it with arena_free(). */
struct arena *arena_new(size_t limit);
void arena_free(struct arena *a);

/* 16-byte aligned.  NULL when the limit is reached or n overflows. */
void *arena_alloc(struct arena *a, size_t n);
/* Zeroed; n*size overflow-checked. */
void *arena_calloc(struct arena *a, size_t n, size_t size);
/* Grows p (from this arena, old_n bytes) to new_n bytes; in place when p is
 * the arena's last allocation, else by copying.  NULL on limit. */
void *arena_grow(struct arena *a, void *p, size_t old_n, size_t new_n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* Bytes handed out so far. */
size_t arena_used(const struct arena *a);

/* ----------------------------------------------------------- configuration */

/* Every key of appliance.ini lives in one table (cfg_keys.h) with its type,
 * default, range and help text.  That table drives the parser, the
 * environment overrides (DXFQUOTE_<SECTION>_<KEY>), help-config and the
 * documented appliance.ini in the repository. */
enum cfg_type { CFG_INT, CFG_REAL, CFG_BOOL, CFG_STR, CFG_ENUM };

struct cfg_key {
    const char *section;
    const char *name;
    enum cfg_type type;
    const char *def;     /* default, as it is written in the file */
    double min, max;     /* CFG_INT, CFG_REAL: inclusive range */
    const char *choices; /* CFG_ENUM: "a|b|c" */
    const char *help;    /* one or more sentences */
};

enum cfg_id {
#define CFG_KEY(id, sec, name, type, def, min, max, choices, help) id,
#include "cfg_keys.h"
#undef CFG_KEY
    CFG_COUNT
};

struct cfg; /* the values in effect */

/* The table, CFG_COUNT entries, in file order. */
const struct cfg_key *cfg_table(void);

/* Builds the configuration: defaults, then the file (path NULL: read
 * "appliance.ini" if it exists, otherwise none; a named file must exist),
 * then DXFQUOTE_* environment variables.  On error fills e with the file,
 * line, key and what is allowed.  Caller frees with cfg_free(). */
int cfg_load(struct cfg **out, const char *path, struct err *e);
void cfg_free(struct cfg *c);

/* Sets one key from a command-line flag ("--listen"): validated like the
 * file.  origin names the source in errors, e.g. "--listen". */
int cfg_set(struct cfg *c, enum cfg_id id, const char *value, const char *origin, struct err *e);

long long cfg_int(const struct cfg *c, enum cfg_id id);
double cfg_real(const struct cfg *c, enum cfg_id id);
int cfg_bool(const struct cfg *c, enum cfg_id id);
/* CFG_STR and CFG_ENUM; valid as long as c is. */
const char *cfg_str(const struct cfg *c, enum cfg_id id);
/* Where the value came from: "default", "FILE:LINE", "DXFQUOTE_X", "--flag". */
const char *cfg_origin(const struct cfg *c, enum cfg_id id);

/* Writes the fully commented appliance.ini (what `help-config` prints). */
void cfg_write_help(FILE *f);

/* ----------------------------------------------------------------- logging */

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Opens the log: lines go to stderr and, when path is not NULL, to that
 * file, which rotates when it passes max_bytes (path.1 ... path.keep).
 * Before log_open() lines go to stderr only, at level info. */
int log_open(enum log_level level, const char *path, size_t max_bytes, int keep, struct err *e);
void log_close(void);
/* "debug|info|warn|error" -> level; -1 if unknown. */
int log_level_parse(const char *s);

/* One logfmt line: time=... level=... msg="..." then kv, which the caller
 * formats as key=value pairs separated by spaces (may be NULL).  Values that
 * may hold spaces or quotes go through log_q().  Never pass a password,
 * token or cookie. */
void log_write(enum log_level level, const char *msg, const char *kvfmt, ...) CORE_PRINTF(3, 4);
#define log_debug(msg, ...) log_write(LOG_DEBUG, msg, __VA_ARGS__)
#define log_info(msg, ...) log_write(LOG_INFO, msg, __VA_ARGS__)
#define log_warn(msg, ...) log_write(LOG_WARN, msg, __VA_ARGS__)
#define log_error(msg, ...) log_write(LOG_ERROR, msg, __VA_ARGS__)

/* Quotes s for logfmt into buf (always terminated; truncated with "...").
 * Returns buf. */
const char *log_q(char *buf, size_t n, const char *s);

/* ----------------------------------------------------------------- metrics */

/* A tiny Prometheus registry.  Families are created once at start-up and
 * live until exit; updates are cheap and thread-safe. */
struct metric;

/* labels: comma-separated label names ("route,method,status"), or NULL. */
struct metric *metric_counter(const char *name, const char *help, const char *labels);
struct metric *metric_gauge(const char *name, const char *help, const char *labels);
/* buckets: upper bounds, ascending, nb of them (+Inf is implied). */
struct metric *metric_histogram(const char *name, const char *help, const char *labels,
                                const double *buckets, int nb);
/* A gauge whose value is read by fn when /metrics is scraped; fn runs with
 * the registry locked, so it must not call metric_* itself. */
struct metric *metric_gauge_fn(const char *name, const char *help, double (*fn)(void *),
                               void *ctx);

/* values: one label value per label name, in order (NULL when no labels). */
void metric_add(struct metric *m, const char *const *values, double v);  /* counter, gauge */
void metric_set(struct metric *m, const char *const *values, double v);  /* gauge */
void metric_observe(struct metric *m, const char *const *values, double v); /* histogram */

/* The whole registry in the text exposition format.  Caller frees. */
char *metric_render(size_t *len);

/* ------------------------------------------------------- recent failures */

/* How many events, and how many of them bad, happened in about the last
 * CORE_WINDOW_S seconds: the "rate of failed jobs or 5xx answers over the
 * last 5 minutes" that /health compares with its thresholds.  Counts are
 * kept in CORE_WINDOW_STEP_S buckets, so the window is exact to a step.
 * Thread-safe; initialise with CORE_WINDOW_INIT. */
#define CORE_WINDOW_S      300
#define CORE_WINDOW_STEP_S 10
#define CORE_WINDOW_SLOTS  (CORE_WINDOW_S / CORE_WINDOW_STEP_S)
struct core_window {
    pthread_mutex_t mu;
    int64_t step[CORE_WINDOW_SLOTS]; /* which step of time a slot counts */
    long total[CORE_WINDOW_SLOTS], bad[CORE_WINDOW_SLOTS];
};
#define CORE_WINDOW_INIT {PTHREAD_MUTEX_INITIALIZER, {0}, {0}, {0}}

/* Counts one event at now (core_now() seconds); bad: it failed. */
void core_window_add(struct core_window *w, double now, int bad);
/* The events and bad ones in the window that ends at now. */
void core_window_sum(struct core_window *w, double now, long *total, long *bad);

/* ---------------------------------------------------------- embedded files */

/* Files compiled into the binary at build time by tools/embed.c through the
 * CMake function dxfq_embed() (cmake/embed.cmake): the web/ assets, the db/
 * migrations, the default rules/.  Each embedding defines one array of these,
 * sorted by path and ended by an entry whose path is NULL, e.g.
 *   extern const struct embed_file embed_web[];                          */
struct embed_file {
    const char *path;          /* relative to the embedded folder: "index.html" */
    const unsigned char *data; /* the bytes, followed by a '\0' not counted in len */
    size_t len;
    const unsigned char *gz; /* gzip of data (NULL when not smaller) */
    size_t gz_len;
    const char *etag; /* quoted strong ETag of data: "\"1a2b...\"" */
};

/* The entry with this path, or NULL. */
const struct embed_file *embed_find(const struct embed_file *table, const char *path);

/* -------------------------------------------------------------------- time */

/* Monotonic seconds, for durations. */
double core_now(void);
/* Wall clock as RFC 3339 UTC with milliseconds into buf (>= 32 bytes). */
const char *core_timestamp(char *buf, size_t n);

#endif
