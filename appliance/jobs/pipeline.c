/*
 * pipeline.c - one job from its part's row to its results: the stages a
 * worker runs and the files and rows they leave.
 *
 * A measure job:  stored   read DATA/<stored_path> (gzip or plain:
 *                          job_stored_read) into memory, at most
 *                          [limits] upload_mb once inflated      0 -> 10 %
 *                 parse    dxf_read_mem with the CLI's options       10 %
 *                 analyse  geom_analyse at the part's thickness      40 %
 *                 price    the rules in effect, the catalog row, the
 *                          part's quantity and options (skipped when no
 *                          material is chosen)                       60 %
 *                 render   the thumbnail and the detail preview      70 -> 100 %
 * then one transaction stores the figures (inspect's JSON plus
 * measured_thickness_mm), the price JSON and amounts, the rules version,
 * the preview paths and state done.
 * A price job prices again from the stored figures (stage price only); it
 * falls back to a whole measure job when there are none, or when the
 * thickness changed in a way that could change the tiny_hole warnings
 * (a hole between the old and the new thickness).
 *
 * Invariants:
 *  1. Previews are written to DATA/tmp/job-<id>-*.png then renamed to
 *     DATA/previews/<part>-thumb.png and -detail.png only once both are
 *     whole and the job is still wanted: a stopped or failed job leaves no
 *     file behind, and a reader never sees half a PNG.
 *  2. Between steps the pipeline asks whether it must stop (cancel,
 *     deadline, shutdown).  The steps of dxf/, geom/, price/ and render/
 *     are not interrupted: each is bounded by its own limits (bytes,
 *     entities, memory, Lua instructions), so a stop waits at most for the
 *     step in progress.  Reading the file is polled every megabyte.
 *  3. A failure leaves the part's previous results as they were and names
 *     the cause: the file and line for a drawing error, the material and
 *     what the catalog has, the rule's own message and line.
 */
#include "jobs_int.h"

#include "render/render.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PATH_LEN   4096

/* Everything one run holds; released by pipe_free(). */
struct pipe {
    struct job_run *r;
    struct arena *a;
    struct store_part part;
    struct err e;
    unsigned char *file;
    size_t file_len;
    char *geometry;            /* JSON text */
    const char *geometry_keep; /* a price job's stored geometry (in the arena) */
    char *price;               /* JSON text; NULL when not priced */
    int64_t unit_minor, total_minor, rules_version;
    unsigned char *png[2]; /* thumb, detail */
    size_t png_len[2];
    char tmp[2][PATH_LEN];
    int tmp_made[2];
    char rel[2][64]; /* previews/<part>-thumb.png, -detail.png */
};

static const char *const preview_kind[2] = {"thumb", "detail"};

static void pipe_free(struct pipe *p)
{
    for (int i = 0; i < 2; i++) {
        if (p->tmp_made[i])
            unlink(p->tmp[i]);
        free(p->png[i]);
    }
    free(p->file);
    cJSON_free(p->geometry);
    cJSON_free(p->price);
    arena_free(p->a);
}

/* DATA/rel into buf; -1 when it does not fit. */
static int data_path(const struct job_run *r, const char *rel, char *buf, size_t n, struct err *e)
{
    int k = snprintf(buf, n, "%s/%s", r->data_dir, rel);
    if (k < 0 || (size_t)k >= n)
        return err_set(e, "the path %s/%s is too long", r->data_dir, rel);
    return 0;
}

/* ------------------------------------------------------------ stored file */

/* Progress through the file, and whether the job must stop. */
static int read_tick(void *ctx, size_t done)
{
    struct pipe *p = ctx;
    if (p->part.size_bytes > 0)
        jobs_progress(p->r, (int)(10.0 * (double)done / (double)p->part.size_bytes));
    return (int)jobs_stopping(p->r);
}

/* Reads DATA/<stored_path> whole, inflating gzip, into p->file. */
static enum job_stop read_stored(struct pipe *p)
{
    size_t max = (size_t)cfg_int(p->r->c, CFG_LIMITS_UPLOAD_MB) << 20;
    int rc = job_stored_read(p->r->data_dir, p->part.stored_path, p->part.file_name,
                             p->part.size_bytes, max, read_tick, p, &p->file, &p->file_len, &p->e);
    if (rc == 0)
        return JOB_GO_ON;
    return rc > 0 ? (enum job_stop)rc : JOB_STOP_FAILED;
}

/* ------------------------------------------------------------------ price */

/* Prices pp with what the part is priced with; no material: not priced. */
static int price_part(struct pipe *p, const struct price_part *pp)
{
    struct job_run *r = p->r;
    struct store_part *part = &p->part;
    struct job_rules rules;
    struct price_material m;
    struct price_option *opts;
    size_t nopts;
    struct price_result res;
    p->unit_minor = p->total_minor = -1;
    p->rules_version = 0;
    if (!part->material)
        return 0;
    if (!(part->thickness_mm > 0))
        return err_set(&p->e, "choose a thickness for %s", part->material);
    if (job_options_parse(part->options, p->a, &opts, &nopts, &p->e) != 0)
        return -1;
    int found = job_material(r->w->db, p->a, part->material, part->thickness_mm, &m, &p->e);
    if (found <= 0)
        return -1;
    if (jobs_rules_fresh(r->w, r->c, p->a, &rules, &p->e) != 0)
        return -1;
    struct price_shop shop = job_shop(r->c);
    struct price_ctx ctx = {&m, part->qty, opts, nopts, &shop};
    if (price_quote(r->w->pe, pp, &ctx, p->a, &res, &p->e) != 0)
        return -1;
    cJSON *j = job_price_json(&res, &rules, &m, part->qty, opts, nopts);
    p->price = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (!p->price)
        return err_set(&p->e, "out of memory writing the price");
    p->unit_minor = res.unit_price;
    p->total_minor = res.total;
    p->rules_version = rules.version;
    return 0;
}

/* ----------------------------------------------------------------- render */

/* The options of a w x h preview. */
static struct render_opts preview_opts(int w, int h)
{
    struct render_opts o = render_opts_size(w, h);
    o.label = w >= 320 && h >= 240; /* as `dxfquote render` */
    return o;
}

int job_preview_map(const cJSON *geometry, int width, int height, struct job_preview_map *out)
{
    static const char *const keys[4] = {"min_x", "min_y", "max_x", "max_y"};
    const cJSON *bbox = cJSON_GetObjectItemCaseSensitive(geometry, "bbox");
    double v[4];
    struct render_fit f;
    if (!cJSON_IsObject(bbox) || width < RENDER_MIN_SIDE || height < RENDER_MIN_SIDE ||
        width > RENDER_MAX_SIDE || height > RENDER_MAX_SIDE)
        return -1;
    for (int i = 0; i < 4; i++) {
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(bbox, keys[i]);
        if (!cJSON_IsNumber(x))
            return -1;
        v[i] = x->valuedouble;
    }
    struct geom_bbox b = {v[0], v[1], v[2], v[3]};
    struct render_opts o = preview_opts(width, height);
    if (render_fit(&b, &o, &f) != 0)
        return -1;
    out->width = width;
    out->height = height;
    out->scale = f.scale;
    out->ox = f.ox;
    out->oy = f.oy;
    return 0;
}

/* Draws both previews, lets the drawing go, encodes them and writes them
 * to their temporary files. */
static enum job_stop render_previews(struct pipe *p, struct job_measured *m)
{
    struct job_run *r = p->r;
    static const enum cfg_id size_key[2][2] = {
        {CFG_RENDER_THUMBNAIL_WIDTH, CFG_RENDER_THUMBNAIL_HEIGHT},
        {CFG_RENDER_DETAIL_WIDTH, CFG_RENDER_DETAIL_HEIGHT}};
    struct render_canvas cv[2];
    memset(cv, 0, sizeof cv);
    enum job_stop stop = JOB_GO_ON;
    for (int i = 0; i < 2; i++) {
        int w = (int)cfg_int(r->c, size_key[i][0]), h = (int)cfg_int(r->c, size_key[i][1]);
        struct render_opts o = preview_opts(w, h);
        if (render_canvas(m->d.curves, &m->r, &m->d.warnings, &o, &cv[i], &p->e) != 0) {
            err_prefix(&p->e, "%s: %s preview", p->part.file_name, preview_kind[i]);
            stop = JOB_STOP_FAILED;
            goto done;
        }
        jobs_progress(r, 75 + 5 * i);
        if ((stop = jobs_stopping(r)) != JOB_GO_ON)
            goto done;
    }
    /* The drawing is no longer needed: its memory goes before the PNG
     * encoder takes its own.  The part's strings go with it. */
    int64_t part_id = p->part.id;
    arena_free(p->a);
    p->a = NULL;
    memset(&p->part, 0, sizeof p->part);
    p->part.id = part_id;
    for (int i = 0; i < 2; i++) {
        if (render_png_encode(&cv[i], &p->png[i], &p->png_len[i], &p->e) != 0) {
            stop = JOB_STOP_FAILED;
            goto done;
        }
        render_canvas_free(&cv[i]);
        jobs_progress(r, 85 + 5 * i);
        char name[64];
        snprintf(name, sizeof name, "tmp/job-%lld-%s.png", (long long)r->id, preview_kind[i]);
        if (data_path(r, name, p->tmp[i], sizeof p->tmp[i], &p->e) != 0) {
            stop = JOB_STOP_FAILED;
            goto done;
        }
        p->tmp_made[i] = 1;
        if (render_write_file(p->tmp[i], p->png[i], p->png_len[i], &p->e) != 0) {
            stop = JOB_STOP_FAILED;
            goto done;
        }
        snprintf(p->rel[i], sizeof p->rel[i], "previews/%lld-%s.png", (long long)part_id,
                 preview_kind[i]);
    }
done:
    render_canvas_free(&cv[0]);
    render_canvas_free(&cv[1]);
    return stop;
}

/* Moves both previews into place: the job's point of no return. */
static int publish_previews(struct pipe *p)
{
    char dst[PATH_LEN];
    for (int i = 0; i < 2; i++) {
        if (data_path(p->r, p->rel[i], dst, sizeof dst, &p->e) != 0)
            return -1;
        if (rename(p->tmp[i], dst) != 0)
            return err_set(&p->e, "cannot move the %s preview to %s: %s", preview_kind[i], dst,
                           strerror(errno));
        p->tmp_made[i] = 0;
    }
    return 0;
}

/* ---------------------------------------------------------------- measure */

/* Adds what price jobs need to decide whether the figures still hold. */
static int geometry_text(struct pipe *p, const struct job_measured *m)
{
    cJSON *g = job_geometry_json(m);
    if (p->part.thickness_mm > 0)
        cJSON_AddNumberToObject(g, "measured_thickness_mm", p->part.thickness_mm);
    else
        cJSON_AddNullToObject(g, "measured_thickness_mm");
    p->geometry = cJSON_PrintUnformatted(g);
    cJSON_Delete(g);
    return p->geometry ? 0 : err_set(&p->e, "out of memory writing the figures");
}

#define STAGE(p, name, pct)                                                                        \
    do {                                                                                           \
        enum job_stop s_ = jobs_stage((p)->r, name, pct);                                          \
        if (s_ != JOB_GO_ON)                                                                       \
            return s_;                                                                             \
    } while (0)

static enum job_stop run_measure(struct pipe *p)
{
    struct job_run *r = p->r;
    struct job_measured *m = arena_calloc(p->a, 1, sizeof *m);
    struct dxf_opts dx;
    struct geom_opts go;
    struct price_part pp;
    if (!m) {
        err_set(&p->e, "out of memory ([limits] memory_mb)");
        return JOB_STOP_FAILED;
    }
    m->file = p->part.file_name;
    STAGE(p, "stored", 0);
    enum job_stop stop = read_stored(p);
    if (stop != JOB_GO_ON)
        return stop;

    STAGE(p, "parse", 10);
    job_measure_opts(r->c, NULL, p->part.thickness_mm, &dx, &go);
    int rc = dxf_read_mem(p->a, p->file, p->file_len, &dx, &m->d, &p->e);
    free(p->file);
    p->file = NULL;
    if (rc != 0) {
        err_prefix(&p->e, "%s", p->part.file_name);
        return JOB_STOP_FAILED;
    }

    STAGE(p, "analyse", 40);
    if (job_measure_analyse(r->c, p->part.thickness_mm, p->a, m, &p->e) != 0 ||
        geometry_text(p, m) != 0)
        return JOB_STOP_FAILED;

    STAGE(p, "price", 60);
    if (job_price_part(m, p->a, &pp) != 0) {
        err_set(&p->e, "out of memory ([limits] memory_mb)");
        return JOB_STOP_FAILED;
    }
    if (price_part(p, &pp) != 0)
        return JOB_STOP_FAILED;

    STAGE(p, "render", 70);
    if ((stop = render_previews(p, m)) != JOB_GO_ON)
        return stop;
    if ((stop = jobs_stopping(r)) != JOB_GO_ON)
        return stop;
    return publish_previews(p) == 0 ? JOB_GO_ON : JOB_STOP_FAILED;
}

/* Whether the stored figures hold at the part's thickness now: tiny_hole
 * warnings depend on it, and only a hole between the old and the new
 * thickness can change them. */
static int figures_hold(const cJSON *g, double thickness)
{
    const cJSON *mt = cJSON_GetObjectItemCaseSensitive(g, "measured_thickness_mm");
    const cJSON *holes = cJSON_GetObjectItemCaseSensitive(g, "holes");
    const cJSON *smallest = cJSON_GetObjectItemCaseSensitive(g, "smallest_hole_mm");
    double was = cJSON_IsNumber(mt) ? mt->valuedouble : 0;
    if (!cJSON_IsNull(mt) && !cJSON_IsNumber(mt))
        return 0;
    if (was == thickness)
        return 1;
    if (cJSON_IsNumber(holes) && holes->valuedouble == 0)
        return 1;
    return cJSON_IsNumber(smallest) && smallest->valuedouble >= fmax(was, thickness);
}

/* A price job: 1 when it priced from the stored figures, 0 when they do not
 * hold (measure again), or a stop reason through *stop. */
static int run_price(struct pipe *p, enum job_stop *stop)
{
    struct price_part pp;
    *stop = JOB_GO_ON;
    if (!p->part.geometry)
        return 0;
    cJSON *g = cJSON_Parse(p->part.geometry);
    if (!g || !figures_hold(g, p->part.thickness_mm)) {
        cJSON_Delete(g);
        return 0;
    }
    if ((*stop = jobs_stage(p->r, "price", 0)) != JOB_GO_ON) {
        cJSON_Delete(g);
        return 1;
    }
    int rc = job_price_part_from_json(g, p->a, &pp, &p->e);
    cJSON_Delete(g);
    if (rc != 0 || price_part(p, &pp) != 0) {
        *stop = JOB_STOP_FAILED;
        return 1;
    }
    p->geometry_keep = p->part.geometry;
    snprintf(p->rel[0], sizeof p->rel[0], "%s", p->part.thumb_path ? p->part.thumb_path : "");
    snprintf(p->rel[1], sizeof p->rel[1], "%s", p->part.preview_path ? p->part.preview_path : "");
    return 1;
}

/* ------------------------------------------------------------------- run */

enum job_state jobs_run(struct job_run *r, char *error, size_t n)
{
    struct pipe p;
    enum job_stop stop = JOB_GO_ON;
    enum job_state state;
    memset(&p, 0, sizeof p);
    p.r = r;
    p.a = arena_new((size_t)cfg_int(r->c, CFG_LIMITS_MEMORY_MB) << 20);
    error[0] = '\0';

    int found = store_part_get(r->w->db, p.a, r->part_id, &p.part, &p.e);
    if (found <= 0) {
        if (found == 0)
            err_set(&p.e, "part %lld no longer exists", (long long)r->part_id);
        stop = JOB_STOP_FAILED;
    } else if (r->kind != JOB_PRICE || !run_price(&p, &stop)) {
        stop = run_measure(&p);
    }

    struct err e;
    int saved = 0;
    switch (stop) {
    case JOB_GO_ON: {
        struct store_part_results res = {p.geometry ? p.geometry : p.geometry_keep,
                                         p.price,
                                         p.unit_minor,
                                         p.total_minor,
                                         p.rules_version,
                                         p.rel[1][0] ? p.rel[1] : NULL,
                                         p.rel[0][0] ? p.rel[0] : NULL};
        saved = store_job_update(r->w->db, r->id, "done", "done", 100, NULL, &res, &e);
        state = JOB_DONE;
        if (saved < 0) {
            snprintf(error, n, "the results could not be saved: %s", e.msg);
            store_job_update(r->w->db, r->id, "failed", r->stage, 99, error, NULL, &e);
            state = JOB_FAILED;
        }
        break;
    }
    case JOB_STOP_CANCEL:
        snprintf(error, n, "cancelled while in stage %s", r->stage);
        state = JOB_CANCELLED;
        break;
    case JOB_STOP_DEADLINE:
        snprintf(error, n, "took longer than %g s ([jobs] deadline_s) and was stopped in stage %s",
                 r->deadline_s, r->stage);
        state = JOB_FAILED;
        break;
    case JOB_STOP_SHUTDOWN:
        state = JOB_QUEUED;
        break;
    default:
        snprintf(error, n, "%s", p.e.msg);
        state = JOB_FAILED;
        break;
    }
    pipe_free(&p);
    if (state == JOB_CANCELLED || (state == JOB_FAILED && saved >= 0)) {
        if (store_job_update(r->w->db, r->id, job_state_name(state), r->stage, r->progress, error,
                             NULL, &e) < 0)
            log_error("job end not saved", "job=%lld error=\"%s\"", (long long)r->id, e.msg);
    } else if (state == JOB_QUEUED &&
               store_job_update(r->w->db, r->id, "queued", "", 0, NULL, NULL, &e) < 0) {
        log_error("stopped job not queued again", "job=%lld error=\"%s\"", (long long)r->id, e.msg);
    }
    return state;
}

/* ------------------------------------------------------------------ rules */

int jobs_rules_fresh(struct job_worker *w, const struct cfg *c, struct arena *a,
                     struct job_rules *rules, struct err *e)
{
    if (job_rules_pick(c, w->db, a, rules, e) != 0)
        return -1;
    int same = rules->version > 0
                   ? w->rules_version == rules->version
                   : w->rules_version == 0 && w->rules_name &&
                         !strcmp(w->rules_name, rules->name) && w->rules_len == rules->len &&
                         !memcmp(w->rules_src, rules->src, rules->len);
    if (same)
        return 0;
    if (price_engine_load(w->pe, rules->name, rules->src, rules->len, e) != 0)
        return -1;
    free(w->rules_name);
    free(w->rules_src);
    w->rules_version = rules->version;
    w->rules_name = xstrdup(rules->name);
    w->rules_src = NULL;
    w->rules_len = rules->len;
    if (rules->version == 0) {
        w->rules_src = xmalloc(rules->len + 1);
        memcpy(w->rules_src, rules->src, rules->len);
    }
    log_info("rules loaded", "worker=%d rules=\"%s\"", w->index, rules->name);
    return 0;
}
