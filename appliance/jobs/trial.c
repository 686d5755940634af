/*
 * trial.c - the rules editor's "Try": a stored part priced with draft
 * rules beside the rules in effect, so an admin sees what a change does to
 * a real part before saving it.
 *
 * Runs as a task on a job worker (pricing is CPU work, and a draft may
 * loop until [pricing] max_instructions); each side gets a fresh engine,
 * so the worker's own engine and its loaded rules are never touched.
 */
#include "job.h"

#include <string.h>

/* Prices pp with the rules src under name; the result's JSON, or NULL
 * with why in err. */
static cJSON *price_with(const struct job_task_env *env, struct arena *a, const struct job_rules *rules,
                         const struct price_part *pp, const struct price_ctx *ctx, char *err,
                         size_t n)
{
    struct price_limits lim = {cfg_int(env->c, CFG_PRICING_MAX_INSTRUCTIONS),
                               (size_t)cfg_int(env->c, CFG_PRICING_MEMORY_MB) << 20};
    struct price_engine *pe = NULL;
    struct price_result res;
    struct err e = {""};
    cJSON *out = NULL;
    if (price_engine_new(&pe, &lim, &e) == 0 &&
        price_engine_load(pe, rules->name, rules->src, rules->len, &e) == 0 &&
        price_quote(pe, pp, ctx, a, &res, &e) == 0)
        out = job_price_json(&res, rules, ctx->material, ctx->quantity, ctx->options,
                              ctx->noptions);
    price_engine_free(pe);
    if (!out)
        snprintf(err, n, "%s", e.msg[0] ? e.msg : "out of memory");
    return out;
}

static void add_side(cJSON *o, const char *name, cJSON *price, const char *err)
{
    char key[32];
    if (price)
        cJSON_AddItemToObject(o, name, price);
    else
        cJSON_AddNullToObject(o, name);
    snprintf(key, sizeof key, "%s_error", name);
    if (price)
        cJSON_AddNullToObject(o, key);
    else
        cJSON_AddStringToObject(o, key, err);
}

int job_price_trial(const struct job_task_env *env, int64_t part_id, const char *src, size_t len,
                    cJSON **out, struct err *e)
{
    struct arena *a = arena_new((size_t)cfg_int(env->c, CFG_LIMITS_MEMORY_MB) << 20);
    struct store_part part;
    struct price_part pp;
    struct price_material m;
    struct price_option *opts;
    size_t nopts;
    struct job_rules active;
    cJSON *geometry = NULL;
    int rc = -1;
    *out = NULL;
    if (!a)
        return err_set(e, "out of memory");
    int found = store_part_get(env->db, a, part_id, &part, e);
    if (found <= 0) {
        if (found == 0)
            err_set(e, "there is no part %lld", (long long)part_id);
        rc = found == 0 ? JOB_NOTHING : -1;
        goto done;
    }
    if (!part.geometry) {
        err_set(e, "%s is not measured yet; try it when its figures are shown", part.file_name);
        rc = JOB_NOTHING;
        goto done;
    }
    if (!part.material || !(part.thickness_mm > 0)) {
        err_set(e, "%s has no material and thickness; choose them in its quote first",
                part.file_name);
        rc = JOB_NOTHING;
        goto done;
    }
    geometry = cJSON_Parse(part.geometry);
    if (!geometry) {
        err_set(e, "the stored figures of %s are not JSON", part.file_name);
        goto done;
    }
    if (job_price_part_from_json(geometry, a, &pp, e) != 0 ||
        job_options_parse(part.options, a, &opts, &nopts, e) != 0)
        goto done;
    found = job_material(env->db, a, part.material, part.thickness_mm, &m, e);
    if (found <= 0) {
        rc = found == 0 ? JOB_NOTHING : -1;
        goto done;
    }
    if (job_rules_pick(env->c, env->db, a, &active, e) != 0)
        goto done;
    struct price_shop shop = job_shop(env->c);
    struct price_ctx ctx = {&m, part.qty, opts, nopts, &shop};
    struct job_rules draft = {0, "draft", "draft", src, len};
    char derr[512], aerr[512];
    cJSON *dp = price_with(env, a, &draft, &pp, &ctx, derr, sizeof derr);
    cJSON *ap = price_with(env, a, &active, &pp, &ctx, aerr, sizeof aerr);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "part_id", (double)part_id);
    cJSON_AddStringToObject(o, "file", part.file_name);
    add_side(o, "draft", dp, derr);
    add_side(o, "active", ap, aerr);
    cJSON_AddStringToObject(o, "active_rules", active.name);
    *out = o;
    rc = 0;
done:
    cJSON_Delete(geometry);
    arena_free(a);
    return rc;
}
