/*
 * job.h - the job system: a bounded queue in front of a fixed pool of
 * worker threads that run the quote pipeline (dxf -> geom -> price ->
 * render) on stored drawings, with progress, cancellation, deadlines and
 * recovery after a crash.
 *
 * CPU work never runs on a request thread: http/ submits a job and answers
 * 202, or (for short work such as re-pricing) submits and waits.  At most
 * [jobs] workers run at once and [jobs] queue wait; past that a submission
 * is refused with JOB_FULL and the caller answers 503 with Retry-After.
 *
 * Every job is a row in the jobs table (store/), so a job accepted before a
 * crash is found again at the next start: it runs again from its stored
 * file, or is marked failed with the reason.  The in-memory table holds the
 * live progress, published at most every 200 ms per job.
 *
 * Each worker owns one database connection and one Lua pricing engine.
 */
#ifndef DXFQ_JOB_H
#define DXFQ_JOB_H

#include <cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "dxf/dxf.h"
#include "geom/geom.h"
#include "pdf/pdf.h"
#include "price/price.h"
#include "store/store.h"

struct job_system;

enum job_kind {
    JOB_MEASURE, /* the part's stored file: parse, analyse, price, render */
    JOB_PRICE,   /* re-price a measured part from its stored geometry */
};

enum job_state { JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_FAILED, JOB_CANCELLED };

/* "queued", "running", "done", "failed", "cancelled". */
const char *job_state_name(enum job_state s);

struct job_status {
    int64_t id;
    int64_t part_id;
    enum job_state state;
    char stage[16];  /* stored, parse, analyse, price, render, done */
    int progress;    /* 0..100 */
    char error[256]; /* failed or cancelled: why, in words a person understands */
    uint64_t seq;    /* grows with every published change (for SSE) */
};

/* Starts the workers with the settings of c ([jobs], [limits], [geometry],
 * [pricing], [render], [data]) and recovers the jobs that a previous run
 * left queued or running.  Caller stops it with job_system_stop(). */
int job_system_start(struct job_system **out, const struct cfg *c, struct err *e);

/* What a test or a benchmark may set beyond the configuration; zero fields
 * keep the configured value. */
struct job_tuning {
    double deadline_s; /* > 0: instead of [jobs] deadline_s (whose floor is 5 s) */
};
/* job_system_start() with t (NULL: none). */
int job_system_start_tuned(struct job_system **out, const struct cfg *c, const struct job_tuning *t,
                           struct err *e);
/* Stops taking jobs, lets running ones finish for up to grace_s seconds,
 * cancels the rest (they run again at the next start), joins the workers
 * and frees js. */
void job_system_stop(struct job_system *js, double grace_s);

/* Submission refused because workers and queue are all taken. */
#define JOB_FULL (-2)

/* Queues a job of kind for a part that is already stored in the database.
 * Returns 0 with *job_id set, JOB_FULL when the queue is full (e says so),
 * or -1 with e filled. */
int job_submit(struct job_system *js, enum job_kind kind, int64_t part_id, int64_t *job_id,
               struct err *e);

/* Queues one job of kind for each of n parts, all or none: 0 with
 * job_ids[0..n) set, JOB_FULL when the n do not all fit (e says why; none
 * is queued), or -1 with e filled (none is queued). */
int job_submit_many(struct job_system *js, enum job_kind kind, const int64_t *part_ids, size_t n,
                    int64_t *job_ids, struct err *e);

/* The job's current status: from memory while it is live, else from the
 * database.  0, or -1 when there is no such job. */
int job_status(struct job_system *js, int64_t job_id, struct job_status *out);

/* Waits until the job's status changes past seq after_seq, or until
 * timeout_s passes, or the job system stops; fills out either way.
 * Returns 1 when it changed, 0 on timeout, -1 when there is no such job. */
int job_wait(struct job_system *js, int64_t job_id, uint64_t after_seq, double timeout_s,
             struct job_status *out);

/* Cancels a queued or running job (a running one stops at its next stage
 * boundary).  0, or -1 with e filled (no such job, already finished). */
int job_cancel(struct job_system *js, int64_t job_id, struct err *e);

/* Jobs running and waiting right now. */
void job_counts(struct job_system *js, long *running, long *queued);
/* Jobs that ended done or failed in about the last 5 minutes, and how many
 * of them failed (cancelled ones are neither). */
void job_recent(struct job_system *js, long *ended, long *failed);

/* Reads the stored drawing DATA/stored_path (gzip or plain) whole into
 * *out (malloc'd; the caller frees it), *len bytes, never more than max
 * once inflated.  name is how messages call the file; size_hint its
 * original size when known (0: not).  tick (may be NULL) runs after each
 * megabyte with the bytes read so far; a nonzero answer stops the reading
 * and is returned.  0, tick's answer, or -1 with e filled (missing,
 * damaged, too large). */
int job_stored_read(const char *data_dir, const char *stored_path, const char *name,
                    int64_t size_hint, size_t max, int (*tick)(void *ctx, size_t done), void *ctx,
                    unsigned char **out, size_t *len, struct err *e);

/* Short work that is not a part's job (a quote's PDF): it runs on a
 * worker, counted against the same workers and queue, with no row and no
 * progress, while the caller waits.  env gives the worker's database
 * connection; fn must not keep it. */
struct job_task_env {
    const struct cfg *c;
    const char *data_dir;
    struct store *db;
};
typedef int (*job_task_fn)(void *ctx, const struct job_task_env *env, struct err *e);

/* Runs fn(ctx, env, e) on a worker and waits until it returns: 0, JOB_FULL
 * when workers and queue are all taken (not run), or -1 with e filled
 * (fn failed, or the system is stopping). */
int job_task_run(struct job_system *js, job_task_fn fn, void *ctx, struct err *e);

/* ------------------------------------------------------------------------
 * Measuring and pricing exactly as the command line does (measure.c,
 * pricing.c).  The job pipeline is built on these, and `dxfquote inspect`
 * and `quote` can be: one way to measure and price, whatever the caller.
 * None of them keeps state; all are thread-safe.
 * --------------------------------------------------------------------- */

/* The reader's and the analyser's options from c ([limits], [geometry]):
 * units overrides the drawing's (NULL: its own), thickness_mm (0: none)
 * enables the tiny_hole check. */
void job_measure_opts(const struct cfg *c, const char *units, double thickness_mm,
                      struct dxf_opts *dx, struct geom_opts *go);

/* One measured drawing; everything lives in the arena it was measured in. */
struct job_measured {
    const char *file; /* what messages and the JSON call it */
    struct dxf_drawing d;
    struct geom_report r;
    double analyse_ms;
};

/* Measures m->d (read by the caller, m->file set) with the options of c at
 * thickness_mm: geom's warnings join dxf's in m->d.warnings.  -1 with e
 * filled ("FILE: ...") when the arena's limit runs out. */
int job_measure_analyse(const struct cfg *c, double thickness_mm, struct arena *a,
                        struct job_measured *m, struct err *e);

/* Reads path and measures it, as `dxfquote inspect` does.  -1 with e
 * filled ("FILE: line 12: ..."). */
int job_measure_file(const struct cfg *c, const char *path, const char *units, double thickness_mm,
                     struct arena *a, struct job_measured *m, struct err *e);

/* The figures as `inspect --json` prints them (docs/inspect.md); the
 * stored geometry of a part is this object.  Its numbers are raw items
 * holding the shortest text that reads back as the same double (cJSON's
 * own printing may stop at 15 digits that are only close), so print it
 * before reading values from it.  Caller frees with cJSON_Delete(). */
cJSON *job_geometry_json(const struct job_measured *m);

/* What the rules get of a measured drawing; arrays in arena a.  -1 only
 * when a runs out. */
int job_price_part(const struct job_measured *m, struct arena *a, struct price_part *out);

/* The same from a stored geometry object (job_geometry_json's shape):
 * every figure the rules read comes back bit for bit (cJSON prints doubles
 * so that they read back exactly), so a part priced from its stored
 * geometry gets the price it got when it was measured.  Arrays in arena a.
 * -1 with e naming the missing or malformed field. */
int job_price_part_from_json(const cJSON *geometry, struct arena *a, struct price_part *out,
                             struct err *e);

/* The rules in effect, chosen as `dxfquote quote` chooses without --rules:
 * the database's active version, else [pricing] rules_file, else the rules
 * built into the binary. */
struct job_rules {
    int64_t version;    /* rule_versions.id; 0 when not from the database */
    const char *origin; /* "database", "config" or "built-in" */
    const char *name;   /* how messages name them: "rules v3", the file, "pricing.lua" */
    const char *src;    /* the Lua text, len bytes */
    size_t len;
};
/* s may be NULL (no database).  Strings in arena a (or static). */
int job_rules_pick(const struct cfg *c, struct store *s, struct arena *a, struct job_rules *out,
                   struct err *e);

/* The catalog row of material name at thickness_mm as the rules see it,
 * the shop's extra columns included; strings in arena a.  1 found; 0 when
 * the catalog has no such material or thickness (e says so and lists what
 * it has); -1 on error. */
int job_material(struct store *s, struct arena *a, const char *name, double thickness_mm,
                 struct price_material *out, struct err *e);

/* What the catalog has, for a message about material name that it lacks
 * at some thickness or at all, in buf (n bytes, cut short if need be):
 * 1 when it has name, buf its thicknesses ("1, 2.5"); 0 when not, buf
 * every material with its thicknesses ("Steel (1, 2 mm); Alu (3 mm)"),
 * "" when the catalog is empty; -1 with e filled on error. */
int job_catalog_has(struct store *s, const char *name, char *buf, size_t n, struct err *e);

/* A part's options (a JSON object, NULL or "" for none) as the rules see
 * them: "key": "value" gives the string, true a flag, a number its text;
 * false and null leave the option out.  Keys are 1 to 64 of a-z, 0-9, _.
 * Arrays in arena a.  -1 with e naming the bad key or value. */
int job_options_parse(const char *json, struct arena *a, struct price_option **out, size_t *n,
                      struct err *e);

/* [company] as the rules see it; valid as long as c is. */
struct price_shop job_shop(const struct cfg *c);

/* The "price" object of `quote --json`: amounts in currency units and in
 * minor units, lines, notes, needs_review, lead time, the rules (version,
 * origin, name), material, quantity and options.  Caller frees with
 * cJSON_Delete(). */
cJSON *job_price_json(const struct price_result *r, const struct job_rules *rules,
                      const struct price_material *m, long long qty,
                      const struct price_option *opts, size_t nopts);

/* ------------------------------------------------------------------------
 * The PDF quotation (quote_pdf.c): the server's and the command line's.
 * --------------------------------------------------------------------- */

/* [company] and [pdf] into q: the shop, validity, terms, paper and margin
 * ("\n" in appliance.ini's one-line values is a line break).  Strings in
 * arena a or c's.  -1 when a runs out. */
int job_pdf_shop(const struct cfg *c, struct arena *a, struct pdf_quote *q);
/* A customer block as typed ("\n" a line break), in a; NULL when a runs
 * out. */
const char *job_pdf_customer(struct arena *a, const char *text);
/* The short line under a part's name: "Needs review: n1; n2" or the notes
 * alone, cut to one line; NULL when there is nothing to say. */
const char *job_pdf_note(struct arena *a, int needs_review, const char *const *notes, size_t n);

/* A task found nothing to do: no such quote or part, or nothing measured
 * or priced to work on (its e says which, in words for the user). */
#define JOB_NOTHING 1

/* The quotation of quote quote_id, read through env->db, as a PDF in
 * memory (*buf malloc'd, *len bytes; the caller frees it): its priced
 * parts, each drawn from its stored drawing measured again, with the
 * price lines, unit price and total stored when it was priced; subtotal,
 * tax at [company] tax_rate, total.  deterministic: see pdf.h.  0,
 * JOB_NOTHING with e saying why, or -1 with e filled. */
int job_quote_pdf(const struct job_task_env *env, int64_t quote_id, int deterministic,
                  unsigned char **buf, size_t *len, struct err *e);

/* Where a part's preview of width x height pixels shows its drawing, so
 * that a warning's x, y (mm) can be marked on the image: pixel x = ox +
 * x * scale, pixel y = oy - y * scale.  From the stored geometry's bbox
 * and the layout the pipeline draws with (render_fit).  0, or -1 when the
 * geometry has no bbox (nothing drawn) or the size is out of range. */
struct job_preview_map {
    int width, height;
    double scale, ox, oy;
};
int job_preview_map(const cJSON *geometry, int width, int height, struct job_preview_map *out);

/* The rules editor's trial (trial.c): part part_id, as it is stored
 * (figures, material, thickness, quantity, options), priced with the
 * draft rules src (len bytes) and with the rules in effect, each in a
 * fresh engine with [pricing]'s limits.  *out gets {"part_id", "file",
 * "draft": price | null, "draft_error": text | null, "active": price |
 * null, "active_error": text | null, "active_rules": name} with prices
 * as job_price_json() writes them; a rule's failure is that side's error,
 * not this call's.  0; JOB_NOTHING when there is no such part or it is
 * not measured or has no material (e says which); -1 with e filled. */
int job_price_trial(const struct job_task_env *env, int64_t part_id, const char *src, size_t len,
                    cJSON **out, struct err *e);

#endif
