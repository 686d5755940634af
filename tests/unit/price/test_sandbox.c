/*
 * test_sandbox.c - the Lua sandbox: every forbidden function is absent, a
 * runaway loop, a memory bomb, deep recursion and error() each fail that
 * call with the rule's message and line, every wrong return type fails
 * naming the field, and after each failure the same engine prices the next
 * part correctly.  Nothing one call sets is seen by the next.
 *
 * The rules under test pick what to do from ctx.options.case, so one
 * loaded rule file and one state serve a failing call and the good call
 * after it.
 */
#include "price_test.h"

/* A rule file: `case` selects a body; without it quote returns 7.50 in
 * one line.  Line numbers matter: tests check them. */
static const char rules[] =
    "local function helper(n)\n"                                   /* 1 */
    "  error('helper failed with ' .. n)\n"                        /* 2 */
    "end\n"                                                        /* 3 */
    "local function recurse(n) return recurse(n + 1) + 1 end\n"    /* 4 */
    "local bodies = {}\n"                                          /* 5 */
    "bodies.loop = function() while true do end end\n"             /* 6 */
    "bodies.caught_loop = function()\n"                            /* 7 */
    "  while true do pcall(function() while true do end end) end\n" /* 8 */
    "end\n"                                                        /* 9 */
    "bodies.bomb = function() return string.rep('x', (1 << 31) - 1) end\n" /* 10 */
    "bodies.grow = function()\n"                                   /* 11 */
    "  local t = {}\n"                                             /* 12 */
    "  for i = 1, 1e9 do t[i] = ('x'):rep(1000) .. i end\n"        /* 13 */
    "end\n"                                                        /* 14 */
    "bodies.recurse = function() return recurse(1) end\n"          /* 15 */
    "bodies.error = function() error('no price for this part') end\n" /* 16 */
    "bodies.helper = function() helper(42) end\n"                  /* 17 */
    "bodies.error_table = function() error({code = 1}) end\n"      /* 18 */
    "bodies.index_nil = function() local t = nil; return t.x end\n" /* 19 */
    "bodies.gc = function() setmetatable({}, {__gc = function() end}) end\n" /* 20 */
    "function quote(part, ctx)\n"                                  /* 21 */
    "  local c = ctx.options.case\n"                               /* 22 */
    "  if c then\n"                                                /* 23 */
    "    local f = bodies[c] or load(c)\n"                         /* 24 */
    "    local r = f()\n"                                          /* 25 */
    "    if r ~= nil then return r end\n"                          /* 26 */
    "  end\n"                                                      /* 27 */
    "  return {unit_price = 7.5, total = 7.5, lines = {{label = 'All', amount = 7.5}}}\n"
    "end\n";

static struct price_engine *pe;

/* Runs case c (a body name, or Lua text run through load) and returns
 * 0/-1; the message goes to msg. */
static int run_case(const char *c, struct err *e)
{
    struct fixture f;
    fixture_init(&f);
    struct price_option opt = {"case", c};
    f.ctx.options = c ? &opt : NULL;
    f.ctx.noptions = c ? 1 : 0;
    struct arena *a = arena_new(1 << 20);
    struct price_result r;
    int rc = price_quote(pe, &f.pp, &f.ctx, a, &r, e);
    if (rc == 0 && r.total != 750)
        rc = 1;
    arena_free(a);
    return rc;
}

/* The case fails with a message holding want (and want2 when not NULL),
 * then a plain call on the same state prices 7.50. */
static void fails_then_recovers(const char *c, const char *want, const char *want2)
{
    struct err e = {""};
    int rc = run_case(c, &e);
    CHECK(rc == -1);
    if (!strstr(e.msg, want) || (want2 && !strstr(e.msg, want2)))
        fprintf(stderr, "case %.60s: message \"%s\" lacks \"%s\"%s%s\n", c, e.msg, want,
                want2 ? " or " : "", want2 ? want2 : "");
    CHECK(strstr(e.msg, want) != NULL);
    CHECK(!want2 || strstr(e.msg, want2) != NULL);
    struct err e2;
    CHECK(run_case(NULL, &e2) == 0);
}

TEST(plain_call_prices)
{
    struct err e;
    CHECK(run_case(NULL, &e) == 0);
}

TEST(forbidden_globals_are_absent)
{
    static const char *const names[] = {"io",      "os",       "package",        "require",
                                        "debug",   "dofile",   "loadfile",       "collectgarbage",
                                        "print",   "warn",     "coroutine",      "loadstring",
                                        "setfenv", "module"};
    char src[160];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        /* Calling it fails as a nil global, at line 1 of the loaded text. */
        snprintf(src, sizeof src, "return %s()", names[i]);
        char want[64];
        snprintf(want, sizeof want, "global '%s'", names[i]);
        fails_then_recovers(src, want, "attempt to call a nil value");
        /* And it is not reachable through _G or _ENV either. */
        snprintf(src, sizeof src,
                 "if _G.%s ~= nil or _ENV.%s ~= nil or rawget(_G, '%s') ~= nil then "
                 "error('reachable') end error('absent')",
                 names[i], names[i], names[i]);
        fails_then_recovers(src, "absent", NULL);
    }
}

TEST(string_dump_is_absent)
{
    fails_then_recovers("return string.dump(function() end)", "field 'dump'",
                        "attempt to call a nil value");
    fails_then_recovers("return ('x').dump(function() end)", "field 'dump'", NULL);
}

TEST(math_random_is_absent)
{
    /* Prices must repeat to the cent: nothing random. */
    fails_then_recovers("return math.random()", "field 'random'", NULL);
    fails_then_recovers("return math.randomseed(1)", "field 'randomseed'", NULL);
}

TEST(load_refuses_binary_chunks)
{
    /* "\27Lua" is how every precompiled chunk starts. */
    fails_then_recovers("local f, m = load('\\27LuaT\\0'); error(m)", "binary chunk", NULL);
    fails_then_recovers("return load('return 1', 'x', 'b')", "only text chunks", NULL);
    fails_then_recovers("return load('return 1', 'x', 'bt')", "only text chunks", NULL);
    fails_then_recovers("return load(function() return nil end)", "as a string", NULL);
}

TEST(load_does_not_escape_the_environment)
{
    /* A loaded chunk sees the quote's environment: no dofile there, and
     * what it sets is gone by the next call. */
    fails_then_recovers("if load('return dofile')() ~= nil then error('escaped') end "
                        "load('leaked = 1')() if leaked ~= 1 then error('lost') end "
                        "error('contained')",
                        "contained", NULL);
    fails_then_recovers("if leaked ~= nil then error('leaked across calls') end error('clean')",
                        "clean", NULL);
}

TEST(metatables_cannot_reach_shared_tables)
{
    fails_then_recovers("if getmetatable('') ~= false then error('string metatable exposed') "
                        "end error('hidden')",
                        "hidden", NULL);
    fails_then_recovers("if getmetatable(string) ~= false or getmetatable(_G) ~= false then "
                        "error('exposed') end error('hidden')",
                        "hidden", NULL);
    fails_then_recovers("gc", "__gc is not allowed", "rules.lua:20:");
}

TEST(nothing_leaks_between_calls)
{
    /* One call vandalises everything it can reach; the next sees none of
     * it. */
    fails_then_recovers("math.pi = 3; string.upper = nil; table.concat = nil; seen = 1; "
                        "_G.quote = nil; error('vandal')",
                        "vandal", NULL);
    fails_then_recovers("if math.pi ~= 3.141592653589793 or string.upper == nil or "
                        "table.concat == nil or seen ~= nil or ('a'):upper() ~= 'A' then "
                        "error('leak') end error('clean')",
                        "clean", NULL);
}

TEST(runaway_loop_is_stopped)
{
    fails_then_recovers("loop", "rules.lua:6: the rules ran past their budget of 1000000 "
                                "instructions", NULL);
}

TEST(runaway_loop_inside_pcall_is_stopped)
{
    fails_then_recovers("caught_loop", "rules.lua:8: the rules ran past their budget",
                        "in function");
}

TEST(memory_bomb_is_stopped)
{
    fails_then_recovers("bomb", "rules.lua:10: the rules used more than their 16 MB of memory",
                        NULL);
}

TEST(string_past_lua_limit_fails_cleanly)
{
    /* 2^40 bytes is past what string.rep makes at all: Lua says so. */
    fails_then_recovers("return string.rep('x', 1 << 40)", "resulting string too large", NULL);
}

TEST(growing_table_is_stopped)
{
    fails_then_recovers("grow", "rules.lua:13: the rules used more than their 16 MB", NULL);
    /* The engine gave the memory back: the next calls still fit. */
    fails_then_recovers("grow", "rules.lua:13: the rules used more than their 16 MB", NULL);
}

TEST(deep_recursion_fails_cleanly)
{
    /* Lua's own stack limit or the memory cap, whichever comes first;
     * either way at line 4 and the state lives on. */
    struct err e;
    CHECK(run_case("recurse", &e) == -1);
    if (!strstr(e.msg, "rules.lua:4:"))
        fprintf(stderr, "recursion: %s\n", e.msg);
    CHECK(strstr(e.msg, "rules.lua:4:") != NULL);
    CHECK(strstr(e.msg, "stack overflow") || strstr(e.msg, "memory") || strstr(e.msg, "budget"));
    CHECK(run_case(NULL, &e) == 0);
}

TEST(error_carries_the_rules_message_and_line)
{
    fails_then_recovers("error", "rules.lua:16: no price for this part", NULL);
    fails_then_recovers("helper", "rules.lua:2: helper failed with 42",
                        "at rules.lua:2 in function 'helper'");
    fails_then_recovers("error_table", "rules.lua:18: the rules raised an error with a table "
                                       "value",
                        NULL);
    fails_then_recovers("index_nil", "rules.lua:19: attempt to index a nil value", NULL);
}

TEST(trace_lists_only_rule_frames)
{
    struct err e;
    CHECK(run_case("helper", &e) == -1);
    CHECK(strstr(e.msg, "at rules.lua:17 in function") != NULL);
    CHECK(strstr(e.msg, "at rules.lua:25 in function 'quote'") != NULL);
    CHECK(strstr(e.msg, "[C]") == NULL);
}

/* Wrong results: each names its field. */
TEST(wrong_return_types_name_the_field)
{
    static const struct {
        const char *ret, *want;
    } cases[] = {
        {"return 5", "rules returned a number from quote, expected a table"},
        {"return 'x'", "rules returned a string from quote"},
        {"return function() end", "rules returned a function from quote"},
        {"return {total = 1, lines = {{label = 'a', amount = 1}}}", "no unit_price"},
        {"return {unit_price = 1, lines = {{label = 'a', amount = 1}}}", "no total"},
        {"return {unit_price = 1, total = 1}", "no lines"},
        {"return {unit_price = 0/0, total = 1, lines = {{label = 'a', amount = 1}}}",
         "unit_price = nan"},
        {"return {unit_price = 1, total = math.huge, lines = {{label = 'a', amount = 1}}}",
         "total = inf"},
        {"return {unit_price = 1, total = -1, lines = {{label = 'a', amount = -1}}}",
         "total = -1, which must not be negative"},
        {"return {unit_price = 1, total = '1', lines = {{label = 'a', amount = 1}}}",
         "total as a string, expected a number"},
        {"return {unit_price = 1, total = 1e300, lines = {{label = 'a', amount = 1e300}}}",
         "too large"},
        {"return {unit_price = 1, total = 1, lines = 'a'}", "lines as a string"},
        {"return {unit_price = 1, total = 1, lines = {}}", "no lines; the breakdown"},
        {"return {unit_price = 1, total = 1, lines = {5}}", "lines[1] as a number"},
        {"return {unit_price = 1, total = 3, lines = {{label = 'a', amount = 1}, "
         "{label = 'b', amount = 1}, {label = 'c', amount = 0/0}}}",
         "rules returned lines[3].amount = nan"},
        {"return {unit_price = 1, total = 1, lines = {{label = 5, amount = 1}}}",
         "lines[1].label as a number"},
        {"return {unit_price = 1, total = 1, lines = {{label = '', amount = 1}}}",
         "lines[1].label as an empty string"},
        {"return {unit_price = 1, total = 1, lines = {{label = 'a', amount = 1, detail = {}}}}",
         "lines[1].detail as a table"},
        {"return {unit_price = 1, total = 1, lines = {{label = '\\255', amount = 1}}}",
         "lines[1].label, which is not valid UTF-8"},
        {"return {unit_price = 1, total = 1, lines = {{label = 'a', amount = 1}}, notes = 'x'}",
         "notes as a string"},
        {"return {unit_price = 1, total = 1, lines = {{label = 'a', amount = 1}}, notes = {3}}",
         "notes[1] as a number"},
        {"return {unit_price = 1, total = 1, lines = {{label = 'a', amount = 1}}, "
         "needs_review = 'yes'}",
         "needs_review as a string"},
        {"return {unit_price = 1, total = 1, lines = {{label = 'a', amount = 1}}, "
         "lead_time_days = 1.5}",
         "lead_time_days = 1.5"},
        {"return {unit_price = 1, total = 1, lines = {{label = 'a', amount = 1}}, "
         "lead_time = 3}",
         "unknown field 'lead_time'"},
        {"return {unit_price = 1, total = 1.01, lines = {{label = 'a', amount = 0.5}, "
         "{label = 'b', amount = 0.5}}}",
         "total = 1.01 but its lines sum to 1.00 (a difference of 0.01)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        fails_then_recovers(cases[i].ret, cases[i].want, NULL);
}

TEST(metamethods_of_the_result_do_not_run)
{
    /* The result is read raw: an __index that would supply the fields is
     * ignored, so the contract sees a table without them. */
    fails_then_recovers("return setmetatable({}, {__index = function() while true do end end})",
                        "no unit_price", NULL);
}

TEST(load_rejects_rules_without_quote)
{
    struct err e;
    struct price_engine *p = engine_with(NULL, 1000000, 16);
    CHECK(price_engine_load(p, "x.lua", "y = 1", 5, &e) == -1);
    CHECK(strstr(e.msg, "x.lua: the rules do not define a function quote") != NULL);
    CHECK(price_engine_load(p, "x.lua", "function quote(", 15, &e) == -1);
    CHECK(strstr(e.msg, "x.lua:1:") != NULL);
    CHECK(price_engine_load(p, "x.lua", "\33Lua", 4, &e) == -1);
    CHECK(strstr(e.msg, "binary") != NULL);
    CHECK(price_engine_load(p, "x.lua", "while true do end", 17, &e) == -1);
    CHECK(strstr(e.msg, "x.lua:1: the rules ran past their budget") != NULL);
    CHECK(price_engine_rules(p) == NULL);
    price_engine_free(p);
}

TEST(failed_load_keeps_the_previous_rules)
{
    struct err e;
    const char *bad = "function quote( syntax error";
    CHECK(price_engine_load(pe, "bad.lua", bad, strlen(bad), &e) == -1);
    CHECK(strstr(e.msg, "bad.lua:1:") != NULL);
    CHECK_STR(price_engine_rules(pe), "rules.lua");
    CHECK(run_case(NULL, &e) == 0);
}

TEST(limits_are_checked)
{
    struct price_limits lim = {10, 1 << 20};
    struct price_engine *p;
    struct err e;
    CHECK(price_engine_new(&p, &lim, &e) == -1);
    CHECK(strstr(e.msg, "max_instructions") != NULL);
    lim = (struct price_limits){100000, 1000};
    CHECK(price_engine_new(&p, &lim, &e) == -1);
    CHECK(strstr(e.msg, "memory_mb") != NULL);
}

int main(void)
{
    pe = engine_with(rules, 1000000, 16);
    RUN(plain_call_prices);
    RUN(forbidden_globals_are_absent);
    RUN(string_dump_is_absent);
    RUN(math_random_is_absent);
    RUN(load_refuses_binary_chunks);
    RUN(load_does_not_escape_the_environment);
    RUN(metatables_cannot_reach_shared_tables);
    RUN(nothing_leaks_between_calls);
    RUN(runaway_loop_is_stopped);
    RUN(runaway_loop_inside_pcall_is_stopped);
    RUN(memory_bomb_is_stopped);
    RUN(string_past_lua_limit_fails_cleanly);
    RUN(growing_table_is_stopped);
    RUN(deep_recursion_fails_cleanly);
    RUN(error_carries_the_rules_message_and_line);
    RUN(trace_lists_only_rule_frames);
    RUN(wrong_return_types_name_the_field);
    RUN(metamethods_of_the_result_do_not_run);
    RUN(load_rejects_rules_without_quote);
    RUN(failed_load_keeps_the_previous_rules);
    RUN(limits_are_checked);
    price_engine_free(pe);
    return test_report();
}
