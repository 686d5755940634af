/*
 * price.h - prices a measured part with the shop's own Lua rules.
 *
 * A rule file defines `quote(part, ctx)` (the contract is rules/README.md):
 * part holds geom/'s measurements in millimetres, ctx the catalog row of the
 * chosen material and thickness, the quantity, the options and the shop
 * settings.  It returns the unit price, the total, the lines of the
 * breakdown, notes, needs_review and the lead time.  Everything arrives
 * here as plain C structs: price/ knows nothing of SQL, HTTP or files.
 *
 * One struct price_engine is one Lua 5.4 state, made once per worker
 * thread and reused for every call; never share one between threads.  The
 * state is sandboxed: base functions (no dofile, loadfile, collectgarbage,
 * print, warn; load takes text only and never reaches a global table),
 * string (no dump), table, math (no random), utf8; no io, os, package,
 * require, debug, coroutine.  Each call runs the rule chunk again in a
 * fresh environment, so nothing one quote sets is seen by the next, under
 * an instruction budget (count hook) and with the whole state under a
 * memory cap (our allocator).
 * A runaway loop, a memory bomb, deep recursion or an error() in the rules
 * fails that call with the rule's own message and line; the engine stays
 * usable.
 *
 * Money: the rules compute in floating point; each amount is rounded to the
 * currency's minor unit once, here, and kept as int64 minor units (cents).
 * The rounded lines must sum exactly to the rounded total.
 */
#ifndef DXFQ_PRICE_H
#define DXFQ_PRICE_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "geom/geom.h"

/* ------------------------------------------------------------------ inputs */

/* What geom/ measured, with the names price/ cannot know by itself. */
struct price_part {
    const struct geom_report *report;
    const struct geom_warnings *warnings; /* dxf/ and geom/ warnings; NULL: none */
    const char *const *layer_names;       /* report->nlayers names; NULL: "0", "1", ... */
    const char *units;                    /* the drawing's units ("mm", "inch"); NULL: "mm" */
};

/* A column the shop added to the catalog: a number or a string. */
struct price_extra {
    const char *key;
    const char *text; /* NULL when the value is the number num */
    double num;
};

/* One row of the catalog: a material at one thickness. */
struct price_material {
    const char *name;
    double thickness_mm;
    double density_kg_m3;
    double price_per_kg; /* in the shop's currency */
    double cutting_speed_mm_min;
    double pierce_time_s;
    double sheet_w_mm, sheet_h_mm;
    const struct price_extra *extra; /* nextra of them; keys never repeat the fields above */
    size_t nextra;
};

/* --option KEY or --option KEY=VALUE: value NULL means the flag is set
 * (true in Lua), else the string. */
struct price_option {
    const char *key;
    const char *value;
};

/* The [company] settings the rules see. */
struct price_shop {
    double machine_rate_per_hour;
    const char *currency; /* ISO 4217 code, e.g. "EUR" */
    double tax_rate;      /* a fraction: 0.20 is 20 % (the rules price before tax) */
};

struct price_ctx {
    const struct price_material *material;
    long long quantity; /* >= 1 */
    const struct price_option *options;
    size_t noptions;
    const struct price_shop *shop;
};

/* ------------------------------------------------------------------ result */

struct price_line {
    const char *label;
    const char *detail; /* "" when the rules gave none */
    int64_t amount;     /* minor units; may be negative (a discount) */
};

/* A priced part.  All strings and arrays live in the arena given to
 * price_quote() and go with it. */
struct price_result {
    char currency[4];
    int decimals;       /* of the currency: 2 for EUR, 0 for JPY */
    int64_t unit_price; /* minor units, >= 0 */
    int64_t total;      /* minor units, >= 0, the sum of the lines */
    struct price_line *lines;
    size_t nlines;
    const char **notes;
    size_t nnotes;
    int needs_review;   /* 0 or 1 */
    int lead_time_days; /* -1 when the rules did not say */
};

/* ------------------------------------------------------------------ engine */

struct price_limits {
    long long max_instructions; /* per call ([pricing] max_instructions) */
    size_t memory_bytes;        /* the whole state ([pricing] memory_mb) */
};

struct price_engine;

/* Makes a sandboxed Lua state under the limits.  Caller frees it with
 * price_engine_free().  -1 with e filled when the limits are unusable or
 * the state cannot be made within them. */
int price_engine_new(struct price_engine **out, const struct price_limits *lim, struct err *e);
void price_engine_free(struct price_engine *pe);

/* Compiles src (len bytes of Lua text; bytecode is refused) as the rules
 * in effect, replacing any loaded before, runs it once and checks that it
 * defines a function quote.  name is how messages name the rules
 * ("pricing.lua", "rules v3"): "name:LINE: ...".  On error the previous
 * rules stay loaded. */
int price_engine_load(struct price_engine *pe, const char *name, const char *src, size_t len,
                      struct err *e);

/* The name of the loaded rules, or NULL when none are loaded. */
const char *price_engine_rules(const struct price_engine *pe);

/* Prices one part: quote(part, ctx) in a fresh environment, then checks
 * and rounds what it returned into *out (strings and arrays in arena a).
 * -1 with e filled when there are no rules, the rules fail ("pricing.lua:12:
 * attempt to index a nil value ..." with the rule frames of the stack), run
 * out of instructions or memory, or return something outside the contract
 * ("rules returned lines[3].amount = nan").  The engine stays usable. */
int price_quote(struct price_engine *pe, const struct price_part *part,
                const struct price_ctx *ctx, struct arena *a, struct price_result *out,
                struct err *e);

/* The trial run of `rules check`: prices each built-in sample part (a
 * plate with holes, a part with an open contour, several parts in one
 * drawing, an empty drawing, a part bigger than the sheet) on built-in
 * sample materials, at quantities 1, 10 and 1000, with no option, each
 * common option and all of them, for the given shop; each twice, and both
 * results must be identical.  -1 with e naming the sample, material,
 * quantity and options of the first failure.  *calls (may be NULL) gets
 * the number of successful quote calls. */
int price_check(struct price_engine *pe, const struct price_shop *shop, int *calls,
                struct err *e);

/* The default rules compiled into the binary (rules/pricing.lua). */
const struct embed_file *price_default_rules(void);

/* ------------------------------------------------------------------- money */

/* Decimals of an ISO 4217 currency code (2 for EUR, 0 for JPY, 3 for KWD),
 * or -1 for a code this build does not know. */
int price_currency_decimals(const char *code);

/* amount in currency units to minor units: half away from zero, where a
 * value within 1e-6 of a minor unit of the half counts as the half (0.285
 * EUR is 29 cents, as on paper, though the double is 0.28499999...).
 * -1 when amount is not finite or its minor units exceed 2^53. */
int price_round(double amount, int decimals, int64_t *minor);

/* minor units as a decimal string with the currency's decimals ("-12.05",
 * "1500" for JPY) into buf; returns buf. */
const char *price_format(int64_t minor, int decimals, char *buf, size_t n);

/* minor units back to currency units as a double (12.05), for JSON. */
double price_units(int64_t minor, int decimals);

#endif
