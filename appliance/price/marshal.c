/*
 * marshal.c - the rule contract in C: the part and ctx tables handed to
 * quote(part, ctx), and the checks on what it returns.
 *
 * Input tables are built fresh for every call (rules/README.md lists every
 * field).  An empty drawing has a bounding box of zeros, so a rule never
 * meets a nil where a number is expected.  Integers (pierces, counts,
 * quantity) are Lua integers; lengths, areas and money are floats.
 *
 * The result is read with raw access only, so no metamethod of the rules
 * runs after quote returned.  Invariants of an accepted result:
 *  1. unit_price and total are finite numbers >= 0; every line amount is
 *     finite (negative lines are discounts); no amount exceeds 2^53 minor
 *     units.
 *  2. Each amount is rounded once to the currency's minor unit (money.c),
 *     and the rounded lines sum exactly to the rounded total.
 *  3. Labels, details and notes are UTF-8 strings within the sizes below;
 *     no key outside the contract (a typo such as lead_time fails loudly).
 * A failure names the field: "rules returned lines[3].amount = nan".
 */
#include "price_int.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#define MAX_LINES     100
#define MAX_NOTES     100
#define MAX_LABEL     200
#define MAX_TEXT      2000
#define MAX_LEAD_DAYS 3650

/* ---------------------------------------------------------- input */

static void set_num(lua_State *L, const char *k, double v)
{
    lua_pushnumber(L, v);
    lua_setfield(L, -2, k);
}

static void set_int(lua_State *L, const char *k, long long v)
{
    lua_pushinteger(L, (lua_Integer)v);
    lua_setfield(L, -2, k);
}

static void set_str(lua_State *L, const char *k, const char *v)
{
    lua_pushstring(L, v);
    lua_setfield(L, -2, k);
}

static void push_bbox(lua_State *L, const struct geom_bbox *b)
{
    int empty = !(b->min_x <= b->max_x && b->min_y <= b->max_y);
    lua_createtable(L, 0, 6);
    set_num(L, "min_x", empty ? 0 : b->min_x);
    set_num(L, "min_y", empty ? 0 : b->min_y);
    set_num(L, "max_x", empty ? 0 : b->max_x);
    set_num(L, "max_y", empty ? 0 : b->max_y);
    set_num(L, "width", empty ? 0 : b->max_x - b->min_x);
    set_num(L, "height", empty ? 0 : b->max_y - b->min_y);
}

void price_push_part(lua_State *L, const struct price_part *p)
{
    const struct geom_report *r = p->report;
    lua_createtable(L, 0, 14);
    set_num(L, "cut_length_mm", r->cut_length_mm);
    set_int(L, "pierces", (long long)r->pierces);
    set_num(L, "area_mm2", r->area_mm2);
    push_bbox(L, &r->bbox);
    lua_setfield(L, -2, "bbox");
    set_int(L, "holes", (long long)r->holes);
    set_num(L, "smallest_hole_mm", r->smallest_hole_mm);
    set_str(L, "units", p->units ? p->units : "mm");

    lua_createtable(L, 0, 2);
    set_int(L, "closed", (long long)r->closed);
    set_int(L, "open", (long long)r->open);
    lua_setfield(L, -2, "contours");

    lua_createtable(L, (int)r->nparts, 0);
    for (size_t i = 0; i < r->nparts; i++) {
        const struct geom_part *gp = &r->parts[i];
        lua_createtable(L, 0, 6);
        set_num(L, "cut_length_mm", gp->cut_length_mm);
        set_int(L, "pierces", (long long)gp->pierces);
        set_num(L, "area_mm2", gp->area_mm2);
        push_bbox(L, &gp->bbox);
        lua_setfield(L, -2, "bbox");
        set_int(L, "holes", (long long)gp->holes);
        set_num(L, "smallest_hole_mm", gp->smallest_hole_mm);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "parts");

    lua_createtable(L, 0, 0);
    lua_Integer n = 0;
    for (size_t i = 0; i < r->nlayers; i++) {
        if (r->layers[i].entities == 0)
            continue;
        lua_createtable(L, 0, 3);
        if (p->layer_names)
            set_str(L, "name", p->layer_names[i]);
        else {
            lua_pushfstring(L, "%I", (lua_Integer)i);
            lua_setfield(L, -2, "name");
        }
        set_num(L, "cut_length_mm", r->layers[i].cut_length_mm);
        set_int(L, "entities", (long long)r->layers[i].entities);
        lua_rawseti(L, -2, ++n);
    }
    lua_setfield(L, -2, "layers");

    size_t nw = p->warnings ? p->warnings->n : 0;
    lua_createtable(L, (int)nw, 0);
    for (size_t i = 0; i < nw; i++) {
        const struct geom_warning *w = &p->warnings->v[i];
        lua_createtable(L, 0, 4);
        set_str(L, "code", w->code);
        set_str(L, "message", w->msg);
        set_num(L, "x", w->x);
        set_num(L, "y", w->y);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "warnings");
}

void price_push_ctx(lua_State *L, const struct price_ctx *c, int decimals)
{
    const struct price_material *m = c->material;
    lua_createtable(L, 0, 4);

    lua_createtable(L, 0, 8 + (int)m->nextra);
    for (size_t i = 0; i < m->nextra; i++) {
        if (m->extra[i].text)
            set_str(L, m->extra[i].key, m->extra[i].text);
        else
            set_num(L, m->extra[i].key, m->extra[i].num);
    }
    /* After the extras, so a catalog column can never hide a figure. */
    set_str(L, "name", m->name);
    set_num(L, "thickness_mm", m->thickness_mm);
    set_num(L, "density_kg_m3", m->density_kg_m3);
    set_num(L, "price_per_kg", m->price_per_kg);
    set_num(L, "cutting_speed_mm_min", m->cutting_speed_mm_min);
    set_num(L, "pierce_time_s", m->pierce_time_s);
    set_num(L, "sheet_w_mm", m->sheet_w_mm);
    set_num(L, "sheet_h_mm", m->sheet_h_mm);
    lua_setfield(L, -2, "material");

    set_int(L, "quantity", c->quantity);

    lua_createtable(L, 0, (int)c->noptions);
    for (size_t i = 0; i < c->noptions; i++) {
        if (c->options[i].value)
            lua_pushstring(L, c->options[i].value);
        else
            lua_pushboolean(L, 1);
        lua_setfield(L, -2, c->options[i].key);
    }
    lua_setfield(L, -2, "options");

    lua_createtable(L, 0, 4);
    set_num(L, "machine_rate_per_hour", c->shop->machine_rate_per_hour);
    set_str(L, "currency", c->shop->currency);
    set_num(L, "tax_rate", c->shop->tax_rate);
    set_int(L, "decimals", decimals);
    lua_setfield(L, -2, "shop");
}

/* ---------------------------------------------------------- result */

static int valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (!len || i + len > n || (len == 2 && c < 0xc2))
            return 0;
        for (size_t k = 1; k < len; k++)
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
        if (len == 3 && ((c == 0xe0 && s[i + 1] < 0xa0) || (c == 0xed && s[i + 1] > 0x9f)))
            return 0;
        if (len == 4 && ((c == 0xf0 && s[i + 1] < 0x90) || c > 0xf4 || (c == 0xf4 && s[i + 1] > 0x8f)))
            return 0;
        i += len;
    }
    return 1;
}

/* "a number", "a string" ... for messages. */
static const char *a_type(lua_State *L, int idx)
{
    switch (lua_type(L, idx)) {
    case LUA_TNIL: return "nil";
    case LUA_TBOOLEAN: return "a boolean";
    case LUA_TNUMBER: return "a number";
    case LUA_TSTRING: return "a string";
    case LUA_TTABLE: return "a table";
    case LUA_TFUNCTION: return "a function";
    default: return "a value of another type";
    }
}

/* Reads the amount at the top of L (field named what) into minor units. */
static int read_amount(lua_State *L, const char *what, int decimals, int nonneg, int64_t *minor,
                       struct err *e)
{
    if (lua_type(L, -1) != LUA_TNUMBER)
        return err_set(e, "rules returned %s as %s, expected a number", what, a_type(L, -1));
    double v = lua_tonumber(L, -1);
    if (isnan(v))
        return err_set(e, "rules returned %s = nan", what);
    if (isinf(v))
        return err_set(e, "rules returned %s = %sinf", what, v < 0 ? "-" : "");
    if (nonneg && v < 0)
        return err_set(e, "rules returned %s = %.15g, which must not be negative", what, v);
    if (price_round(v, decimals, minor) != 0)
        return err_set(e, "rules returned %s = %.15g, too large to be an amount of money", what,
                       v);
    return 0;
}

/* Copies the string at the top of L into the arena; what names it. */
static int read_text(lua_State *L, const char *what, size_t max, int nonempty, struct arena *a,
                     const char **out, struct err *e)
{
    if (lua_type(L, -1) != LUA_TSTRING)
        return err_set(e, "rules returned %s as %s, expected a string", what, a_type(L, -1));
    size_t n;
    const char *s = lua_tolstring(L, -1, &n);
    if (nonempty && n == 0)
        return err_set(e, "rules returned %s as an empty string", what);
    if (n > max)
        return err_set(e, "rules returned %s of %zu bytes; at most %zu", what, n, max);
    if (memchr(s, '\0', n) || !valid_utf8((const unsigned char *)s, n))
        return err_set(e, "rules returned %s, which is not valid UTF-8 text", what);
    if (!(*out = arena_strndup(a, s, n)))
        return err_set(e, "out of memory for the rules' result");
    return 0;
}

static int read_lines(lua_State *L, int decimals, struct arena *a, struct price_result *r,
                      struct err *e)
{
    char what[64];
    if (lua_type(L, -1) != LUA_TTABLE)
        return err_set(e, "rules returned lines as %s, expected a list of {label, amount, "
                          "detail}", a_type(L, -1));
    size_t n = (size_t)lua_rawlen(L, -1);
    if (n == 0)
        return err_set(e, "rules returned no lines; the breakdown needs at least one");
    if (n > MAX_LINES)
        return err_set(e, "rules returned %zu lines; at most %d", n, MAX_LINES);
    if (!(r->lines = arena_calloc(a, n, sizeof *r->lines)))
        return err_set(e, "out of memory for the rules' result");
    for (size_t i = 0; i < n; i++) {
        struct price_line *ln = &r->lines[i];
        lua_rawgeti(L, -1, (lua_Integer)i + 1);
        if (lua_type(L, -1) != LUA_TTABLE)
            return err_set(e, "rules returned lines[%zu] as %s, expected a table {label, amount, "
                              "detail}", i + 1, a_type(L, -1));
        lua_pushliteral(L, "label");
        lua_rawget(L, -2);
        snprintf(what, sizeof what, "lines[%zu].label", i + 1);
        if (read_text(L, what, MAX_LABEL, 1, a, &ln->label, e) != 0)
            return -1;
        lua_pop(L, 1);
        lua_pushliteral(L, "amount");
        lua_rawget(L, -2);
        snprintf(what, sizeof what, "lines[%zu].amount", i + 1);
        if (read_amount(L, what, decimals, 0, &ln->amount, e) != 0)
            return -1;
        lua_pop(L, 1);
        lua_pushliteral(L, "detail");
        if (lua_rawget(L, -2) == LUA_TNIL) {
            ln->detail = "";
        } else {
            snprintf(what, sizeof what, "lines[%zu].detail", i + 1);
            if (read_text(L, what, MAX_TEXT, 0, a, &ln->detail, e) != 0)
                return -1;
        }
        lua_pop(L, 2);
    }
    r->nlines = n;
    return 0;
}

static int read_notes(lua_State *L, struct arena *a, struct price_result *r, struct err *e)
{
    char what[32];
    if (lua_type(L, -1) != LUA_TTABLE)
        return err_set(e, "rules returned notes as %s, expected a list of strings",
                       a_type(L, -1));
    size_t n = (size_t)lua_rawlen(L, -1);
    if (n > MAX_NOTES)
        return err_set(e, "rules returned %zu notes; at most %d", n, MAX_NOTES);
    if (n && !(r->notes = arena_calloc(a, n, sizeof *r->notes)))
        return err_set(e, "out of memory for the rules' result");
    for (size_t i = 0; i < n; i++) {
        lua_rawgeti(L, -1, (lua_Integer)i + 1);
        snprintf(what, sizeof what, "notes[%zu]", i + 1);
        if (read_text(L, what, MAX_TEXT, 1, a, &r->notes[i], e) != 0)
            return -1;
        lua_pop(L, 1);
    }
    r->nnotes = n;
    return 0;
}

/* Fails on a key the contract does not have. */
static int check_keys(lua_State *L, struct err *e)
{
    static const char *const known[] = {"unit_price", "total",        "lines",         "notes",
                                        "needs_review", "lead_time_days"};
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        int ok = 0;
        if (lua_type(L, -1) == LUA_TSTRING) {
            const char *k = lua_tostring(L, -1);
            for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
                ok |= !strcmp(k, known[i]);
            if (!ok)
                return err_set(e, "rules returned an unknown field '%.60s'; the result has "
                                  "unit_price, total, lines, notes, needs_review and "
                                  "lead_time_days", k);
        } else {
            return err_set(e, "rules returned a field whose key is %s, not a name",
                           a_type(L, -1));
        }
    }
    return 0;
}

int price_read_result(lua_State *L, int decimals, struct arena *a, struct price_result *out,
                      struct err *e)
{
    if (lua_type(L, -1) != LUA_TTABLE)
        return err_set(e, "rules returned %s from quote, expected a table {unit_price, total, "
                          "lines, notes, needs_review, lead_time_days}", a_type(L, -1));
    if (check_keys(L, e) != 0)
        return -1;

    lua_pushliteral(L, "unit_price");
    if (lua_rawget(L, -2) == LUA_TNIL)
        return err_set(e, "rules returned no unit_price (a number)");
    if (read_amount(L, "unit_price", decimals, 1, &out->unit_price, e) != 0)
        return -1;
    lua_pop(L, 1);

    lua_pushliteral(L, "total");
    if (lua_rawget(L, -2) == LUA_TNIL)
        return err_set(e, "rules returned no total (a number)");
    if (read_amount(L, "total", decimals, 1, &out->total, e) != 0)
        return -1;
    lua_pop(L, 1);

    lua_pushliteral(L, "lines");
    if (lua_rawget(L, -2) == LUA_TNIL)
        return err_set(e, "rules returned no lines (a list of {label, amount, detail})");
    if (read_lines(L, decimals, a, out, e) != 0)
        return -1;
    lua_pop(L, 1);

    int64_t sum = 0;
    for (size_t i = 0; i < out->nlines; i++)
        sum += out->lines[i].amount;
    if (sum != out->total) {
        char t[40], s[40], d[40];
        return err_set(e, "rules returned total = %s but its lines sum to %s (a difference of "
                          "%s): round each line to %d decimals and make the total their sum",
                       price_format(out->total, decimals, t, sizeof t),
                       price_format(sum, decimals, s, sizeof s),
                       price_format(out->total - sum, decimals, d, sizeof d), decimals);
    }

    lua_pushliteral(L, "notes");
    if (lua_rawget(L, -2) != LUA_TNIL && read_notes(L, a, out, e) != 0)
        return -1;
    lua_pop(L, 1);

    lua_pushliteral(L, "needs_review");
    int t = lua_rawget(L, -2);
    if (t != LUA_TNIL && t != LUA_TBOOLEAN)
        return err_set(e, "rules returned needs_review as %s, expected true or false",
                       a_type(L, -1));
    out->needs_review = lua_toboolean(L, -1);
    lua_pop(L, 1);

    out->lead_time_days = -1;
    lua_pushliteral(L, "lead_time_days");
    if (lua_rawget(L, -2) != LUA_TNIL) {
        int isint = 0;
        if (lua_type(L, -1) != LUA_TNUMBER)
            return err_set(e, "rules returned lead_time_days as %s, expected a whole number",
                           a_type(L, -1));
        lua_Integer d = lua_tointegerx(L, -1, &isint);
        if (!isint || d < 0 || d > MAX_LEAD_DAYS)
            return err_set(e, "rules returned lead_time_days = %s; expected a whole number of "
                              "days from 0 to %d", lua_tostring(L, -1), MAX_LEAD_DAYS);
        out->lead_time_days = (int)d;
    }
    lua_pop(L, 1);
    return 0;
}
