/*
 * test_jobs.c - the job system end to end on a real database in a fresh
 * data folder: a part measured, priced and rendered (figures worked out by
 * hand from the drawing the test writes); the admission bound; a broken
 * drawing and a looping rule failing only their own job; cancelling queued
 * and running jobs; the deadline; recovery of jobs a previous run left
 * behind; re-pricing from the stored figures; progress seen through
 * job_wait; the metrics.
 *
 * The test rules (rules.lua, [pricing] rules_file) price in cents:
 *   cutting  round(cut_length_mm x 10) + 100 per pierce, per part
 *   material round(thickness_mm x 100), per part
 * and, for the slow and broken cases, spin a loop when the part's options
 * say spin=N, or loop for ever with loop=true.
 */
#include "jobs/job.h"
#include "store/store.h"
#include "test.h"

#include <dirent.h>
#include <ftw.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define SHA "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

/* A 100 x 80 mm plate with one hole of 10 mm at (50, 40), in mm.
 * Cut length 2 (100 + 80) + 10 pi = 391.41592653589793 mm; 2 pierces; area
 * 8000 - 25 pi = 7921.460183660255 mm2; cutting 3914 + 200 = 4114 cents. */
static const char PLATE[] = "0\nSECTION\n2\nHEADER\n9\n$INSUNITS\n70\n4\n0\nENDSEC\n"
                            "0\nSECTION\n2\nENTITIES\n"
                            "0\nLINE\n8\n0\n10\n0\n20\n0\n11\n100\n21\n0\n"
                            "0\nLINE\n8\n0\n10\n100\n20\n0\n11\n100\n21\n80\n"
                            "0\nLINE\n8\n0\n10\n100\n20\n80\n11\n0\n21\n80\n"
                            "0\nLINE\n8\n0\n10\n0\n20\n80\n11\n0\n21\n0\n"
                            "0\nCIRCLE\n8\n0\n10\n50\n20\n40\n40\n5\n"
                            "0\nENDSEC\n0\nEOF\n";
#define PLATE_CUT   391.41592653589793
#define PLATE_AREA  7921.460183660255
#define PLATE_CENTS 4114

/* Group code 10 on line 9 is followed by "abc" where it wants a number. */
static const char BROKEN[] = "0\nSECTION\n2\nENTITIES\n0\nLINE\n8\n0\n10\nabc\n20\n0\n"
                             "11\n1\n21\n1\n0\nENDSEC\n0\nEOF\n";

static const char RULES[] =
    "function quote(part, ctx)\n"
    "  if ctx.options.loop then while true do end end\n"
    "  if ctx.options.spin then local x = 0 for i = 1, tonumber(ctx.options.spin) do x = x + i "
    "end end\n"
    "  local cut = math.floor(part.cut_length_mm * 10 + 0.5) + part.pierces * 100\n"
    "  local mat = math.floor(ctx.material.thickness_mm * 100 + 0.5)\n"
    "  local q = ctx.quantity\n"
    "  return { unit_price = (cut + mat) / 100, total = (cut + mat) * q / 100,\n"
    "           lines = { { label = \"Cutting\", amount = cut * q / 100 },\n"
    "                     { label = \"Material\", amount = mat * q / 100 } } }\n"
    "end\n";

/* Iterations of the spin loop that take the price stage about SLOW_S. */
static long spin_slow;
#define SLOW_S 0.4

struct env {
    char dir[64];
    struct cfg *c;
    struct store *s;
    struct job_system *js;
    int64_t quote;
};

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void set(struct env *v, enum cfg_id id, const char *value)
{
    struct err e = {""};
    if (cfg_set(v->c, id, value, "test", &e) != 0) {
        fprintf(stderr, "cfg_set: %s\n", e.msg);
        exit(2);
    }
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        perror(path);
        exit(2);
    }
}

static void env_open(struct env *v, int workers, int queue)
{
    struct err e = {""};
    char path[128], num[16];
    memset(v, 0, sizeof *v);
    snprintf(v->dir, sizeof v->dir, "/tmp/dxfq-jobs-XXXXXX");
    if (!mkdtemp(v->dir) || cfg_load(&v->c, NULL, &e) != 0) {
        fprintf(stderr, "env: %s\n", e.msg);
        exit(2);
    }
    set(v, CFG_DATA_DIR, v->dir);
    snprintf(num, sizeof num, "%d", workers);
    set(v, CFG_JOBS_WORKERS, num);
    snprintf(num, sizeof num, "%d", queue);
    set(v, CFG_JOBS_QUEUE, num);
    set(v, CFG_PRICING_MAX_INSTRUCTIONS, "1000000000");
    set(v, CFG_RENDER_THUMBNAIL_WIDTH, "64");
    set(v, CFG_RENDER_THUMBNAIL_HEIGHT, "48");
    set(v, CFG_RENDER_DETAIL_WIDTH, "320");
    set(v, CFG_RENDER_DETAIL_HEIGHT, "240");
    snprintf(path, sizeof path, "%s/rules.lua", v->dir);
    write_text(path, RULES);
    set(v, CFG_PRICING_RULES_FILE, path);
    snprintf(path, sizeof path, "%s/files", v->dir);
    struct store_quote q;
    if (store_open(&v->s, v->dir, 5000, &e) != 0 || mkdir(path, 0750) != 0 ||
        store_quote_create(v->s, 0, "EUR", 0, &q, &e) != 0) {
        fprintf(stderr, "env: %s\n", e.msg);
        exit(2);
    }
    v->quote = q.id;
}

static void env_start(struct env *v, double deadline_s)
{
    struct err e = {""};
    struct job_tuning t = {deadline_s};
    if (job_system_start_tuned(&v->js, v->c, &t, &e) != 0) {
        fprintf(stderr, "job_system_start: %s\n", e.msg);
        exit(2);
    }
}

static void env_close(struct env *v)
{
    job_system_stop(v->js, 10);
    store_close(v->s, 0);
    cfg_free(v->c);
    nftw(v->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Stores text gzip-compressed as DATA/files/<name>.gz and adds a part. */
static int64_t add_part(struct env *v, const char *name, const char *text, const char *material,
                        double thickness, long long qty, const char *options)
{
    char rel[128], path[256];
    struct err e = {""};
    snprintf(rel, sizeof rel, "files/%s.gz", name);
    snprintf(path, sizeof path, "%s/%s", v->dir, rel);
    gzFile g = gzopen(path, "wb");
    if (!g || gzputs(g, text) < 0 || gzclose(g) != Z_OK) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
    struct store_part p;
    int64_t id = 0;
    memset(&p, 0, sizeof p);
    p.quote_id = v->quote;
    p.file_name = name;
    p.stored_path = rel;
    p.sha256 = SHA;
    p.size_bytes = (int64_t)strlen(text);
    p.material = material;
    p.thickness_mm = thickness;
    p.qty = qty;
    p.options = options;
    if (store_part_add(v->s, &p, &id, &e) != 0) {
        fprintf(stderr, "store_part_add: %s\n", e.msg);
        exit(2);
    }
    return id;
}

static int64_t submit(struct env *v, enum job_kind kind, int64_t part)
{
    struct err e = {""};
    int64_t id = 0;
    int rc = job_submit(v->js, kind, part, &id, &e);
    if (rc != 0)
        fprintf(stderr, "job_submit: %d %s\n", rc, e.msg);
    return rc == 0 ? id : -1;
}

/* Follows a job with job_wait until it ends (at most 30 s). */
static struct job_status wait_end(struct env *v, int64_t id)
{
    struct job_status st;
    uint64_t seq = 0;
    memset(&st, 0, sizeof st);
    double until = core_now() + 30;
    while (core_now() < until) {
        if (job_wait(v->js, id, seq, 1.0, &st) < 0)
            break;
        seq = st.seq;
        if (st.state == JOB_DONE || st.state == JOB_FAILED || st.state == JOB_CANCELLED)
            break;
    }
    return st;
}

/* Waits until the job is running in the given stage. */
static int wait_stage(struct env *v, int64_t id, const char *stage)
{
    struct job_status st;
    uint64_t seq = 0;
    double until = core_now() + 30;
    while (core_now() < until) {
        if (job_wait(v->js, id, seq, 1.0, &st) < 0)
            return 0;
        seq = st.seq;
        if (st.state == JOB_RUNNING && !strcmp(st.stage, stage))
            return 1;
        if (st.state != JOB_QUEUED && st.state != JOB_RUNNING)
            return 0;
    }
    return 0;
}

/* Width and height from a PNG's IHDR; 0 when the file is not a PNG. */
static int png_size(const char *path, int *w, int *h)
{
    unsigned char b[24];
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(b, 1, sizeof b, f) : 0;
    if (f)
        fclose(f);
    if (n != sizeof b || memcmp(b, "\x89PNG\r\n\x1a\n", 8) != 0 || memcmp(b + 12, "IHDR", 4))
        return 0;
    *w = b[16] << 24 | b[17] << 16 | b[18] << 8 | b[19];
    *h = b[20] << 24 | b[21] << 16 | b[22] << 8 | b[23];
    return 1;
}

static int exists(struct env *v, const char *rel)
{
    char path[256];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", v->dir, rel);
    return stat(path, &st) == 0;
}

/* Files in DATA/tmp. */
static int tmp_files(struct env *v)
{
    char path[256];
    snprintf(path, sizeof path, "%s/tmp", v->dir);
    int n = 0;
    DIR *d = opendir(path);
    for (struct dirent *de; d && (de = readdir(d));)
        n += de->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

static cJSON *part_json(struct env *v, int64_t part, const char *which, struct store_part *out,
                        struct arena *a)
{
    struct err e = {""};
    if (store_part_get(v->s, a, part, out, &e) != 1)
        return NULL;
    const char *t = !strcmp(which, "geometry") ? out->geometry : out->price;
    return t ? cJSON_Parse(t) : NULL;
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(it) ? it->valuedouble : NAN;
}

/* ------------------------------------------------------------------ tests */

/* ------------------------------------------------------------------ tasks */

struct task_seen {
    int ran, other_thread, had_db;
    pthread_t caller;
};

static int note_task(void *ctx, const struct job_task_env *env, struct err *e)
{
    (void)e;
    struct task_seen *t = ctx;
    t->ran++;
    t->other_thread = !pthread_equal(pthread_self(), t->caller);
    t->had_db = env->db != NULL && env->c != NULL && env->data_dir != NULL;
    return 0;
}

static int failing_task(void *ctx, const struct job_task_env *env, struct err *e)
{
    (void)ctx;
    (void)env;
    return err_set(e, "the printer has no paper");
}

TEST(plate_is_measured_priced_and_rendered)
{
    struct env v;
    struct arena *a = arena_new(0);
    struct store_part p;
    char rel[64];
    int w = 0, h = 0;
    env_open(&v, 2, 4);
    env_start(&v, 0);
    int64_t part = add_part(&v, "plate.dxf", PLATE, "Mild steel S235", 3, 10, "{}");
    int64_t job = submit(&v, JOB_MEASURE, part);
    CHECK(job > 0);
    struct job_status st = wait_end(&v, job);
    CHECK(st.state == JOB_DONE);
    CHECK_STR(st.stage, "done");
    CHECK(st.progress == 100);
    CHECK(st.part_id == part);

    cJSON *g = part_json(&v, part, "geometry", &p, a);
    CHECK(g != NULL);
    CHECK_STR(p.state, "done");
    CHECK_NEAR(num(g, "cut_length_mm"), PLATE_CUT, 1e-9);
    CHECK(num(g, "pierces") == 2);
    CHECK_NEAR(num(g, "area_mm2"), PLATE_AREA, 1e-6);
    CHECK(num(g, "holes") == 1);
    CHECK_NEAR(num(g, "smallest_hole_mm"), 10, 1e-9);
    CHECK(num(g, "measured_thickness_mm") == 3);
    const cJSON *bb = cJSON_GetObjectItemCaseSensitive(g, "bbox");
    CHECK_NEAR(num(bb, "width"), 100, 1e-12);
    CHECK_NEAR(num(bb, "height"), 80, 1e-12);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(g, "file")), "plate.dxf");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(g, "units")), "mm");
    cJSON_Delete(g);

    /* 4114 cents cutting + 300 material per part, times 10. */
    cJSON *pr = part_json(&v, part, "price", &p, a);
    CHECK(pr != NULL);
    CHECK(p.unit_price_minor == PLATE_CENTS + 300);
    CHECK(p.total_minor == (PLATE_CENTS + 300) * 10);
    CHECK(p.rules_version == 0);
    CHECK(num(pr, "total_minor") == (PLATE_CENTS + 300) * 10);
    CHECK_NEAR(num(pr, "unit_price"), 44.14, 1e-9);
    CHECK(num(pr, "quantity") == 10);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pr, "rules_origin")), "config");
    const cJSON *lines = cJSON_GetObjectItemCaseSensitive(pr, "lines");
    CHECK(cJSON_GetArraySize(lines) == 2);
    CHECK(num(cJSON_GetArrayItem(lines, 0), "amount_minor") == PLATE_CENTS * 10);
    CHECK(num(cJSON_GetArrayItem(lines, 1), "amount_minor") == 3000);
    const cJSON *mat = cJSON_GetObjectItemCaseSensitive(pr, "material");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(mat, "name")),
              "Mild steel S235");
    cJSON_Delete(pr);

    /* The previews, at the configured sizes, and nothing left in tmp. */
    snprintf(rel, sizeof rel, "previews/%lld-thumb.png", (long long)part);
    CHECK_STR(p.thumb_path, rel);
    char path[256];
    snprintf(path, sizeof path, "%s/%s", v.dir, rel);
    CHECK(png_size(path, &w, &h) && w == 64 && h == 48);
    snprintf(rel, sizeof rel, "previews/%lld-detail.png", (long long)part);
    CHECK_STR(p.preview_path, rel);
    snprintf(path, sizeof path, "%s/%s", v.dir, rel);
    CHECK(png_size(path, &w, &h) && w == 320 && h == 240);
    CHECK(tmp_files(&v) == 0);

    /* The jobs row. */
    struct store_job j;
    struct err e = {""};
    CHECK(store_job_get(v.s, job, &j, &e) == 1);
    CHECK_STR(j.state, "done");
    CHECK_STR(j.kind, "measure");
    CHECK(j.progress == 100 && j.finished >= j.started && j.started > 0);
    /* Ended jobs still answer from memory, and a made-up one does not. */
    CHECK(job_status(v.js, job, &st) == 0 && st.state == JOB_DONE);
    CHECK(job_status(v.js, job + 100, &st) == -1);
    arena_free(a);
    env_close(&v);
}

TEST(measured_as_the_command_line_measures)
{
    /* The job's figures are job_measure_file's, number for number. */
    struct env v;
    struct arena *a = arena_new(0);
    struct store_part p;
    struct job_measured m;
    struct err e = {""};
    char path[256];
    env_open(&v, 1, 1);
    env_start(&v, 0);
    int64_t part = add_part(&v, "plate.dxf", PLATE, NULL, 0, 1, NULL);
    struct job_status st = wait_end(&v, submit(&v, JOB_MEASURE, part));
    CHECK(st.state == JOB_DONE);
    snprintf(path, sizeof path, "%s/plate.dxf", v.dir);
    write_text(path, PLATE);
    CHECK(job_measure_file(v.c, path, NULL, 0, a, &m, &e) == 0);
    cJSON *g = part_json(&v, part, "geometry", &p, a);
    CHECK(g != NULL);
    CHECK(num(g, "cut_length_mm") == m.r.cut_length_mm);
    CHECK(num(g, "area_mm2") == m.r.area_mm2);
    CHECK(num(g, "pierces") == (double)m.r.pierces);
    /* No material chosen: measured and rendered, not priced. */
    CHECK(p.price == NULL && p.total_minor == -1);
    CHECK(p.thumb_path != NULL);
    CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(g, "measured_thickness_mm")));
    cJSON_Delete(g);
    arena_free(a);
    env_close(&v);
}

TEST(queue_admits_workers_plus_queue)
{
    struct env v;
    struct err e = {""};
    char opts[64];
    env_open(&v, 1, 2);
    env_start(&v, 0);
    snprintf(opts, sizeof opts, "{\"spin\":\"%ld\"}", spin_slow);
    int64_t ids[4], parts[4];
    for (int i = 0; i < 4; i++) {
        char name[16];
        snprintf(name, sizeof name, "p%d.dxf", i);
        parts[i] = add_part(&v, name, PLATE, "Mild steel S235", 3, 1, opts);
    }
    int full = 0;
    for (int i = 0; i < 4; i++) {
        int rc = job_submit(v.js, JOB_MEASURE, parts[i], &ids[i], &e);
        if (i < 3)
            CHECK(rc == 0);
        else
            full = rc == JOB_FULL;
    }
    CHECK(full);
    CHECK(strstr(e.msg, "busy") != NULL);
    long running = -1, queued = -1;
    job_counts(v.js, &running, &queued);
    CHECK(running + queued == 3);
    /* The admitted ones all finish, unslowed by the refusal. */
    for (int i = 0; i < 3; i++)
        CHECK(wait_end(&v, ids[i]).state == JOB_DONE);
    job_counts(v.js, &running, &queued);
    CHECK(running == 0 && queued == 0);
    /* And there is room again. */
    CHECK(submit(&v, JOB_PRICE, parts[3]) > 0);
    env_close(&v);
}

TEST(tasks_run_on_a_worker_within_the_same_limits)
{
    struct env v;
    struct err e = {""};
    char opts[64];
    env_open(&v, 1, 1);
    env_start(&v, 0);
    struct task_seen seen;
    memset(&seen, 0, sizeof seen);
    seen.caller = pthread_self();
    CHECK(job_task_run(v.js, note_task, &seen, &e) == 0);
    CHECK(seen.ran == 1 && seen.other_thread && seen.had_db);
    /* A failing task's error comes back. */
    CHECK(job_task_run(v.js, failing_task, NULL, &e) == -1);
    CHECK(strstr(e.msg, "no paper") != NULL);
    /* One worker busy, one job waiting: no room for a task. */
    snprintf(opts, sizeof opts, "{\"spin\":\"%ld\"}", spin_slow);
    int64_t a = add_part(&v, "a.dxf", PLATE, "Mild steel S235", 3, 1, opts);
    int64_t b = add_part(&v, "b.dxf", PLATE, "Mild steel S235", 3, 1, opts);
    int64_t ja = submit(&v, JOB_MEASURE, a), jb = submit(&v, JOB_MEASURE, b);
    CHECK(job_task_run(v.js, note_task, &seen, &e) == JOB_FULL);
    CHECK(seen.ran == 1);
    CHECK(wait_end(&v, ja).state == JOB_DONE && wait_end(&v, jb).state == JOB_DONE);
    CHECK(job_task_run(v.js, note_task, &seen, &e) == 0 && seen.ran == 2);
    env_close(&v);
}

/* At start, stored drawings that no part uses go (an upload cut short by a
 * crash); those in use, and files of other names, stay. */
TEST(start_removes_unused_stored_drawings)
{
    struct env v;
    env_open(&v, 1, 1);
    const char *used = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.dxf";
    const char *left = "files/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.dxf.gz";
    add_part(&v, used, PLATE, NULL, 0, 1, NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/%s", v.dir, left);
    write_text(path, "left behind");
    snprintf(path, sizeof path, "%s/files/notes.txt", v.dir);
    write_text(path, "the shop's own file");
    env_start(&v, 0);
    char rel[128];
    snprintf(rel, sizeof rel, "files/%s.gz", used);
    CHECK(exists(&v, rel));
    CHECK(!exists(&v, left));
    CHECK(exists(&v, "files/notes.txt"));
    env_close(&v);
}

TEST(broken_drawing_fails_with_its_line)
{
    struct env v;
    struct arena *a = arena_new(0);
    struct store_part p;
    struct err e = {""};
    env_open(&v, 1, 2);
    env_start(&v, 0);
    int64_t part = add_part(&v, "broken.dxf", BROKEN, "Mild steel S235", 3, 1, NULL);
    struct job_status st = wait_end(&v, submit(&v, JOB_MEASURE, part));
    CHECK(st.state == JOB_FAILED);
    CHECK_STR(st.stage, "parse");
    CHECK(strstr(st.error, "broken.dxf: line 9: group code 10 expects a number") != NULL);
    CHECK(store_part_get(v.s, a, part, &p, &e) == 1);
    CHECK_STR(p.state, "failed");
    CHECK(p.error && strstr(p.error, "line 9") != NULL);
    CHECK(p.geometry == NULL && p.thumb_path == NULL);
    CHECK(tmp_files(&v) == 0);

    /* An unknown material fails at the price stage, saying what exists. */
    int64_t part2 = add_part(&v, "plate.dxf", PLATE, "xyz", 3, 1, NULL);
    st = wait_end(&v, submit(&v, JOB_MEASURE, part2));
    CHECK(st.state == JOB_FAILED);
    CHECK_STR(st.stage, "price");
    CHECK(strstr(st.error, "unknown material 'xyz'") != NULL);
    CHECK(strstr(st.error, "Mild steel S235 (") != NULL);
    /* A thickness the catalog lacks lists the ones it has. */
    int64_t part3 = add_part(&v, "plate.dxf", PLATE, "Mild steel S235", 7, 1, NULL);
    st = wait_end(&v, submit(&v, JOB_MEASURE, part3));
    CHECK(st.state == JOB_FAILED);
    CHECK(strstr(st.error, "not in the catalog at 7 mm") != NULL);
    CHECK(strstr(st.error, "1, 2, 3, 4, 5, 6, 8, 10 mm") != NULL);
    arena_free(a);
    env_close(&v);
}

TEST(looping_rule_fails_only_its_job)
{
    struct env v;
    env_open(&v, 1, 2);
    set(&v, CFG_PRICING_MAX_INSTRUCTIONS, "20000000");
    env_start(&v, 0);
    int64_t bad = add_part(&v, "loop.dxf", PLATE, "Mild steel S235", 3, 1, "{\"loop\":true}");
    int64_t good = add_part(&v, "good.dxf", PLATE, "Mild steel S235", 3, 2, NULL);
    int64_t j1 = submit(&v, JOB_MEASURE, bad), j2 = submit(&v, JOB_MEASURE, good);
    struct job_status st = wait_end(&v, j1);
    CHECK(st.state == JOB_FAILED);
    CHECK_STR(st.stage, "price");
    /* The rule's own file and line, and what stopped it. */
    CHECK(strstr(st.error, "rules.lua:2:") != NULL);
    CHECK(strstr(st.error, "max_instructions") != NULL);
    st = wait_end(&v, j2);
    CHECK(st.state == JOB_DONE);
    struct arena *a = arena_new(0);
    struct store_part p;
    struct err e = {""};
    CHECK(store_part_get(v.s, a, good, &p, &e) == 1);
    CHECK(p.total_minor == (PLATE_CENTS + 300) * 2);
    arena_free(a);
    env_close(&v);
}

TEST(cancel_queued_and_running)
{
    struct env v;
    struct err e = {""};
    char opts[64];
    env_open(&v, 1, 4);
    env_start(&v, 0);
    snprintf(opts, sizeof opts, "{\"spin\":\"%ld\"}", spin_slow);
    int64_t p1 = add_part(&v, "slow.dxf", PLATE, "Mild steel S235", 3, 1, opts);
    int64_t p2 = add_part(&v, "next.dxf", PLATE, "Mild steel S235", 3, 1, NULL);
    int64_t j1 = submit(&v, JOB_MEASURE, p1), j2 = submit(&v, JOB_MEASURE, p2);
    CHECK(wait_stage(&v, j1, "price"));

    /* Queued: dropped at once. */
    CHECK(job_cancel(v.js, j2, &e) == 0);
    struct job_status st;
    CHECK(job_status(v.js, j2, &st) == 0);
    CHECK(st.state == JOB_CANCELLED);
    CHECK(job_cancel(v.js, j2, &e) == -1);
    CHECK(strstr(e.msg, "already ended") != NULL);

    /* Running: stops at the end of the price stage, before any preview. */
    CHECK(job_cancel(v.js, j1, &e) == 0);
    st = wait_end(&v, j1);
    CHECK(st.state == JOB_CANCELLED);
    CHECK(strstr(st.error, "cancelled") != NULL);
    char rel[64];
    snprintf(rel, sizeof rel, "previews/%lld-thumb.png", (long long)p1);
    CHECK(!exists(&v, rel));
    CHECK(tmp_files(&v) == 0);
    struct store_job j;
    CHECK(store_job_get(v.s, j1, &j, &e) == 1);
    CHECK_STR(j.state, "cancelled");
    CHECK(store_job_get(v.s, j2, &j, &e) == 1);
    CHECK_STR(j.state, "cancelled");
    CHECK(job_cancel(v.js, j1 + 100, &e) == -1);
    CHECK(strstr(e.msg, "no job") != NULL);
    env_close(&v);
}

TEST(deadline_stops_a_job)
{
    struct env v;
    char opts[64];
    env_open(&v, 1, 2);
    env_start(&v, SLOW_S / 4);
    snprintf(opts, sizeof opts, "{\"spin\":\"%ld\"}", spin_slow * 5);
    int64_t part = add_part(&v, "slow.dxf", PLATE, "Mild steel S235", 3, 1, opts);
    int64_t job = submit(&v, JOB_MEASURE, part);
    struct job_status st = wait_end(&v, job);
    CHECK(st.state == JOB_FAILED);
    CHECK(strncmp(st.error, "took longer than 0.1 s", 22) == 0);
    /* The watchdog says so at the deadline, while the worker is still in
     * the price stage (a spin of about 5 x SLOW_S), not when it ends. */
    long running = 0, queued = 0;
    job_counts(v.js, &running, &queued);
    CHECK(running == 1);
    CHECK(strstr(st.error, "in stage price") != NULL);
    /* The worker ends it cleanly: the row says failed, no file is left. */
    struct err e = {""};
    struct store_job j;
    double until = core_now() + 10;
    do {
        CHECK(store_job_get(v.s, job, &j, &e) == 1);
    } while (strcmp(j.state, "failed") != 0 && core_now() < until && usleep(20000) == 0);
    CHECK_STR(j.state, "failed");
    CHECK(strstr(j.error, "took longer than") != NULL);
    char rel[64];
    snprintf(rel, sizeof rel, "previews/%lld-detail.png", (long long)part);
    CHECK(!exists(&v, rel));
    /* The worker is free again. */
    until = core_now() + 10;
    do
        job_counts(v.js, &running, &queued);
    while (running > 0 && core_now() < until && usleep(10000) == 0);
    CHECK(running == 0 && queued == 0);
    CHECK(tmp_files(&v) == 0);
    env_close(&v);
}

TEST(recovery_runs_left_jobs_again)
{
    struct env v;
    struct err e = {""};
    struct arena *a = arena_new(0);
    struct store_part p;
    char path[256];
    env_open(&v, 2, 2);
    /* A previous run accepted three jobs and died: one queued, one running,
     * one whose stored drawing has since gone. */
    int64_t p1 = add_part(&v, "a.dxf", PLATE, "Mild steel S235", 3, 1, NULL);
    int64_t p2 = add_part(&v, "b.dxf", PLATE, "Mild steel S235", 2, 4, NULL);
    int64_t p3 = add_part(&v, "gone.dxf", PLATE, "Mild steel S235", 3, 1, NULL);
    int64_t j1 = 0, j2 = 0, j3 = 0;
    CHECK(store_job_create(v.s, p1, "measure", &j1, &e) == 0);
    CHECK(store_job_create(v.s, p2, "measure", &j2, &e) == 0);
    CHECK(store_job_update(v.s, j2, "running", "analyse", 40, NULL, NULL, &e) == 1);
    CHECK(store_job_create(v.s, p3, "measure", &j3, &e) == 0);
    snprintf(path, sizeof path, "%s/files/gone.dxf.gz", v.dir);
    CHECK(unlink(path) == 0);
    /* And left a half-written temporary file. */
    snprintf(path, sizeof path, "%s/tmp", v.dir);
    mkdir(path, 0750);
    snprintf(path, sizeof path, "%s/tmp/upload-123.part", v.dir);
    write_text(path, "half");

    env_start(&v, 0);
    CHECK(!exists(&v, "tmp/upload-123.part"));
    CHECK(wait_end(&v, j1).state == JOB_DONE);
    CHECK(wait_end(&v, j2).state == JOB_DONE);
    struct job_status st = wait_end(&v, j3);
    CHECK(st.state == JOB_FAILED);
    CHECK(strstr(st.error, "missing") != NULL && strstr(st.error, "gone.dxf") != NULL);
    CHECK(store_part_get(v.s, a, p2, &p, &e) == 1);
    CHECK_STR(p.state, "done");
    CHECK(p.total_minor == (PLATE_CENTS + 200) * 4);
    CHECK(store_part_get(v.s, a, p3, &p, &e) == 1);
    CHECK_STR(p.state, "failed");
    CHECK(p.error && strstr(p.error, "upload gone.dxf again") != NULL);
    arena_free(a);
    env_close(&v);
}

TEST(stop_leaves_queued_jobs_for_the_next_start)
{
    struct env v;
    char opts[64];
    env_open(&v, 1, 3);
    env_start(&v, 0);
    snprintf(opts, sizeof opts, "{\"spin\":\"%ld\"}", spin_slow);
    int64_t p1 = add_part(&v, "slow.dxf", PLATE, "Mild steel S235", 3, 1, opts);
    int64_t p2 = add_part(&v, "later.dxf", PLATE, "Mild steel S235", 3, 1, NULL);
    int64_t j1 = submit(&v, JOB_MEASURE, p1), j2 = submit(&v, JOB_MEASURE, p2);
    CHECK(wait_stage(&v, j1, "price"));
    /* No grace: the running job stops at its next step and is queued again. */
    job_system_stop(v.js, 0);
    struct store_job j;
    struct err e = {""};
    CHECK(store_job_get(v.s, j1, &j, &e) == 1);
    CHECK_STR(j.state, "queued");
    CHECK(store_job_get(v.s, j2, &j, &e) == 1);
    CHECK_STR(j.state, "queued");
    CHECK(tmp_files(&v) == 0);
    env_start(&v, 0);
    CHECK(wait_end(&v, j1).state == JOB_DONE);
    CHECK(wait_end(&v, j2).state == JOB_DONE);
    env_close(&v);
}

TEST(reprice_from_stored_figures)
{
    struct env v;
    struct err e = {""};
    struct arena *a = arena_new(0);
    struct store_part p;
    char path[256];
    env_open(&v, 1, 2);
    env_start(&v, 0);
    int64_t part = add_part(&v, "plate.dxf", PLATE, "Mild steel S235", 3, 10, NULL);
    CHECK(wait_end(&v, submit(&v, JOB_MEASURE, part)).state == JOB_DONE);
    CHECK(store_part_get(v.s, a, part, &p, &e) == 1);
    char *geometry = xstrdup(p.geometry);

    /* Another material, thickness and quantity: priced from the stored
     * figures (the stored file is not even needed: hide it). */
    snprintf(path, sizeof path, "%s/%s", v.dir, p.stored_path);
    char hidden[300];
    snprintf(hidden, sizeof hidden, "%s.hidden", path);
    CHECK(rename(path, hidden) == 0);
    CHECK(store_part_set_order(v.s, part, "Aluminium 5052", 2, 5, "{}", &e) == 1);
    double t0 = core_now();
    int64_t job = submit(&v, JOB_PRICE, part);
    struct job_status st = wait_end(&v, job);
    double ms = (core_now() - t0) * 1000;
    CHECK(st.state == JOB_DONE);
    printf("re-price, submit to done: %.1f ms (target 50)\n", ms); /* reported, not asserted */
    CHECK(store_part_get(v.s, a, part, &p, &e) == 1);
    CHECK(p.unit_price_minor == PLATE_CENTS + 200);
    CHECK(p.total_minor == (PLATE_CENTS + 200) * 5);
    CHECK_STR(p.geometry, geometry);
    CHECK(p.thumb_path != NULL && p.preview_path != NULL);
    cJSON *pr = cJSON_Parse(p.price);
    const cJSON *mat = cJSON_GetObjectItemCaseSensitive(pr, "material");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(mat, "name")),
              "Aluminium 5052");
    CHECK(num(pr, "quantity") == 5);
    cJSON_Delete(pr);
    struct store_job j;
    CHECK(store_job_get(v.s, job, &j, &e) == 1);
    CHECK_STR(j.kind, "price");

    /* Thicker than the hole (12 mm plywood over a 10 mm hole): the
     * tiny_hole warning may change, so the part is measured again, and
     * that needs the stored file, still hidden. */
    CHECK(store_part_set_order(v.s, part, "Plywood birch", 12, 1, NULL, &e) == 1);
    st = wait_end(&v, submit(&v, JOB_PRICE, part));
    CHECK(st.state == JOB_FAILED);
    CHECK(strstr(st.error, "missing") != NULL);
    CHECK(rename(hidden, path) == 0);
    st = wait_end(&v, submit(&v, JOB_PRICE, part));
    CHECK(st.state == JOB_DONE);
    CHECK(store_part_get(v.s, a, part, &p, &e) == 1);
    cJSON *g = cJSON_Parse(p.geometry);
    CHECK(num(g, "measured_thickness_mm") == 12);
    const cJSON *warn = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(g, "warnings"), 0);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(warn, "code")), "tiny_hole");
    cJSON_Delete(g);
    CHECK(p.total_minor == PLATE_CENTS + 1200);
    free(geometry);
    arena_free(a);
    env_close(&v);
}

TEST(rules_version_change_is_picked_up)
{
    struct env v;
    struct err e = {""};
    struct arena *a = arena_new(0);
    struct store_part p;
    env_open(&v, 1, 2);
    env_start(&v, 0);
    int64_t part = add_part(&v, "plate.dxf", PLATE, "Mild steel S235", 3, 1, NULL);
    CHECK(wait_end(&v, submit(&v, JOB_MEASURE, part)).state == JOB_DONE);
    /* An installed version wins over rules_file: a flat 7.00 per part. */
    static const char flat[] = "function quote(part, ctx)\n  local t = 7 * ctx.quantity\n"
                               "  return { unit_price = 7, total = t, lines = { { label = "
                               "\"Flat\", amount = t } } }\nend\n";
    int64_t version = 0;
    int created = 0;
    CHECK(store_rules_save(v.s, flat, strlen(flat), "test", "flat", &version, &created, &e) == 0);
    CHECK(wait_end(&v, submit(&v, JOB_PRICE, part)).state == JOB_DONE);
    CHECK(store_part_get(v.s, a, part, &p, &e) == 1);
    CHECK(p.total_minor == 700);
    CHECK(p.rules_version == version);
    cJSON *pr = cJSON_Parse(p.price);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pr, "rules_name")), "rules v1");
    cJSON_Delete(pr);
    arena_free(a);
    env_close(&v);
}

TEST(job_wait_follows_the_stages)
{
    struct env v;
    char opts[64];
    env_open(&v, 1, 2);
    env_start(&v, 0);
    snprintf(opts, sizeof opts, "{\"spin\":\"%ld\"}", spin_slow / 2);
    int64_t part = add_part(&v, "plate.dxf", PLATE, "Mild steel S235", 3, 1, opts);
    int64_t job = submit(&v, JOB_MEASURE, part);
    static const char *const order[] = {"",      "stored", "parse", "analyse",
                                        "price", "render", "done"};
    struct job_status st;
    uint64_t seq = 0;
    int last = 0, seen_price = 0, rc, changes = 0, in_order = 1;
    double until = core_now() + 30;
    while (core_now() < until && (rc = job_wait(v.js, job, seq, 2.0, &st)) >= 0) {
        if (rc == 1) {
            CHECK(st.seq > seq);
            changes++;
        }
        seq = st.seq;
        int k = 0;
        while (k < 7 && strcmp(order[k], st.stage) != 0)
            k++;
        if (k < last || k == 7)
            in_order = 0;
        last = k;
        seen_price |= !strcmp(st.stage, "price");
        if (st.state == JOB_DONE || st.state == JOB_FAILED)
            break;
    }
    CHECK(in_order);
    CHECK(seen_price);
    CHECK(st.state == JOB_DONE && last == 6);
    CHECK(changes >= 3);
    /* An ended job does not make a waiter wait (ctest's timeout would
     * catch a hang): nothing more will come. */
    double t0 = core_now();
    CHECK(job_wait(v.js, job, st.seq, 600.0, &st) == 0);
    printf("job_wait on an ended job returned in %.3f ms\n", (core_now() - t0) * 1000);
    env_close(&v);
}

TEST(metrics_count_jobs)
{
    size_t len = 0;
    char *text = metric_render(&len);
    CHECK(strstr(text, "dxfquote_jobs_total{outcome=\"done\"}") != NULL);
    CHECK(strstr(text, "dxfquote_jobs_total{outcome=\"failed\"}") != NULL);
    CHECK(strstr(text, "dxfquote_jobs_total{outcome=\"cancelled\"}") != NULL);
    CHECK(strstr(text, "dxfquote_job_stage_seconds_bucket{stage=\"parse\"") != NULL);
    CHECK(strstr(text, "dxfquote_job_stage_seconds_count{stage=\"render\"}") != NULL);
    /* One refused job (queue_admits_workers_plus_queue), one refused task. */
    CHECK(strstr(text, "dxfquote_jobs_rejected_total 2") != NULL);
    free(text);
}

/* Iterations of the spin loop that take about SLOW_S on this machine. */
static void calibrate(void)
{
    struct price_engine *pe;
    struct price_limits lim = {1000000000, 64u << 20};
    struct err e = {""};
    static const char spin[] =
        "function quote(part, ctx) local x = 0 for i = 1, 2000000 do x = x + i end\n"
        "return { unit_price = 1, total = 1, lines = { { label = \"x\", amount = 1 } } } end\n";
    if (price_engine_new(&pe, &lim, &e) != 0 ||
        price_engine_load(pe, "spin", spin, strlen(spin), &e) != 0) {
        fprintf(stderr, "calibrate: %s\n", e.msg);
        exit(2);
    }
    struct geom_report r;
    memset(&r, 0, sizeof r);
    r.bbox = geom_bbox_empty();
    struct price_part part = {&r, NULL, NULL, "mm"};
    struct price_material m = {"m", 1, 1, 1, 1, 1, 1000, 1000, NULL, 0};
    struct price_shop shop = {60, "EUR", 0.2};
    struct price_ctx ctx = {&m, 1, NULL, 0, &shop};
    struct price_result res;
    struct arena *a = arena_new(0);
    double t0 = core_now();
    if (price_quote(pe, &part, &ctx, a, &res, &e) != 0)
        fprintf(stderr, "calibrate: %s\n", e.msg);
    double per = (core_now() - t0) / 2000000;
    spin_slow = (long)(SLOW_S / (per > 0 ? per : 1e-8));
    arena_free(a);
    price_engine_free(pe);
}

int main(void)
{
    log_open(LOG_ERROR, NULL, 0, 0, NULL);
    calibrate();
    RUN(plate_is_measured_priced_and_rendered);
    RUN(measured_as_the_command_line_measures);
    RUN(queue_admits_workers_plus_queue);
    RUN(tasks_run_on_a_worker_within_the_same_limits);
    RUN(start_removes_unused_stored_drawings);
    RUN(broken_drawing_fails_with_its_line);
    RUN(looping_rule_fails_only_its_job);
    RUN(cancel_queued_and_running);
    RUN(deadline_stops_a_job);
    RUN(recovery_runs_left_jobs_again);
    RUN(stop_leaves_queued_jobs_for_the_next_start);
    RUN(reprice_from_stored_figures);
    RUN(rules_version_change_is_picked_up);
    RUN(job_wait_follows_the_stages);
    RUN(metrics_count_jobs);
    return test_report();
}
