/*
 * engine.c - the sandboxed Lua 5.4 state that runs the pricing rules.
 *
 * One engine is one lua_State made with our allocator, owned by one worker
 * thread and reused for every call.  Invariants:
 *  1. The rules see only an allow-list: the base functions below, and
 *     string (without dump), table, math (without random and randomseed:
 *     the same inputs give the same price) and utf8.  No io, os, package,
 *     require, debug, coroutine, dofile, loadfile, collectgarbage, print or
 *     warn.  load takes text only and, without an explicit env, runs in the
 *     calling quote's environment, never the state's global table.
 *  2. Each call builds a fresh environment table (its metatable, hidden by
 *     __metatable, reads the shared base functions) with fresh proxy tables
 *     for string, table, math and utf8 (reading the real libraries), and
 *     runs the compiled rule chunk again in it.  Whatever a call assigns,
 *     even math.pi = 3, lives in that call's tables and is garbage after it.
 *     The string metatable answers getmetatable("") with false, so the real
 *     string table cannot be reached to be changed.  setmetatable refuses
 *     __gc: a finalizer would run later, outside any call and its budget.
 *  3. Every call runs under a count hook set to [pricing] max_instructions,
 *     and the whole state under [pricing] memory_mb (the allocator refuses
 *     past it).  Either stops the call for good: the hook then fires on the
 *     next instruction, and pcall/xpcall (wrapped) re-raise instead of
 *     catching, so a rule cannot swallow its own stop.  A small reserve above
 *     the cap lets the error message be built.
 *  4. All our own work on the state (building part and ctx, reading the
 *     result) runs inside lua_pcall, so an out-of-memory there is an error
 *     value, never a panic.
 *  5. Error messages name the rules and line ("pricing.lua:12: ...") and
 *     list only the stack frames that are in the rule file.
 */
#include "price_int.h"

#include <lauxlib.h>
#include <lualib.h>
#include <stdlib.h>
#include <string.h>

/* Bytes allowed above the cap once a call is stopped, for its message. */
#define KILL_RESERVE (256u * 1024u)
/* Rule frames listed in an error message. */
#define MAX_FRAMES 6

/* Registry keys (addresses of these are unique). */
static const char key_env_meta = 0, key_lib_meta = 0, key_cur_env = 0, key_trial = 0;

static const char *const lib_names[] = {"string", "table", "math", "utf8"};
static const lua_CFunction lib_open[] = {luaopen_string, luaopen_table, luaopen_math, luaopen_utf8};
#define NLIBS (sizeof lib_names / sizeof lib_names[0])

static const char *const base_allowed[] = {
    "assert", "error",  "getmetatable", "ipairs", "next",     "pairs",   "rawequal",
    "rawget", "rawlen", "rawset",       "select", "tonumber", "tostring", "type"};

struct price_engine *price_engine_of(lua_State *L)
{
    return *(struct price_engine **)lua_getextraspace(L);
}

/* ---------------------------------------------------------- limits */

/* Records where the rules were when the state was stopped: the innermost
 * frame whose source is the rule file.  Reads the stack only; allocates
 * nothing, so it is safe inside the allocator. */
static void note_kill_line(struct price_engine *pe)
{
    lua_Debug ar;
    for (int level = 0; pe->chunkname && lua_getstack(pe->L, level, &ar); level++) {
        if (!lua_getinfo(pe->L, "Sl", &ar))
            continue;
        if (!strcmp(ar.source, pe->chunkname) && ar.currentline > 0) {
            pe->kill_line = ar.currentline;
            return;
        }
    }
}

static void *engine_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    struct price_engine *pe = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        pe->used -= old;
        return NULL;
    }
    if (nsize > old) {
        size_t cap = pe->limit + (pe->killed ? KILL_RESERVE : 0);
        size_t grow = nsize - old;
        if (grow > cap || pe->used > cap - grow) {
            if (pe->in_call && !pe->killed) {
                pe->killed = PRICE_KILL_MEMORY;
                if (pe->L)
                    note_kill_line(pe);
            }
            return NULL;
        }
    }
    void *p = realloc(ptr, nsize);
    if (!p)
        return NULL;
    pe->used = pe->used - old + nsize;
    return p;
}

/* The count hook: the budget is spent.  From now on it fires on every
 * instruction, so nothing of the rules runs any more. */
static void budget_hook(lua_State *L, lua_Debug *ar)
{
    struct price_engine *pe = price_engine_of(L);
    if (!pe->killed) {
        pe->killed = PRICE_KILL_BUDGET;
        if (lua_getinfo(L, "Sl", ar) && pe->chunkname && !strcmp(ar->source, pe->chunkname))
            pe->kill_line = ar->currentline;
        else
            note_kill_line(pe);
    }
    lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);
    lua_pushliteral(L, "stopped");
    lua_error(L);
}

/* ---------------------------------------------------------- sandbox functions */

/* pcall(f, ...): Lua's, except that a stopped call is re-raised. */
static int sb_pcall(lua_State *L)
{
    luaL_checkany(L, 1);
    int n = lua_gettop(L);
    lua_pushboolean(L, 1);
    lua_insert(L, 1);
    int status = lua_pcall(L, n - 1, LUA_MULTRET, 0);
    if (status != LUA_OK) {
        if (price_engine_of(L)->killed)
            return lua_error(L);
        lua_pushboolean(L, 0);
        lua_insert(L, -2);
        return 2;
    }
    return lua_gettop(L);
}

/* xpcall(f, msgh, ...): the same for xpcall. */
static int sb_xpcall(lua_State *L)
{
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushboolean(L, 1);
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 2); /* true, f after msgh: msgh true f args... */
    int status = lua_pcall(L, n - 2, LUA_MULTRET, 2);
    if (status != LUA_OK) {
        if (price_engine_of(L)->killed)
            return lua_error(L);
        lua_pushboolean(L, 0);
        lua_insert(L, -2);
        return 2;
    }
    return lua_gettop(L) - 2;
}

/* load(text [, name [, mode [, env]]]): text only; without env, the chunk
 * runs in the environment of the quote being priced. */
static int sb_load(lua_State *L)
{
    size_t len;
    const char *s = lua_tolstring(L, 1, &len);
    if (!s || lua_type(L, 1) != LUA_TSTRING)
        return luaL_error(L, "load takes the chunk as a string in pricing rules");
    const char *name = luaL_optstring(L, 2, s);
    const char *mode = luaL_optstring(L, 3, "t");
    if (strcmp(mode, "t") != 0)
        return luaL_error(L, "load: only text chunks (mode \"t\") are allowed in pricing rules");
    int has_env = !lua_isnone(L, 4);
    if (luaL_loadbufferx(L, s, len, name, "t") != LUA_OK) {
        lua_pushnil(L);
        lua_insert(L, -2);
        return 2;
    }
    if (has_env)
        lua_pushvalue(L, 4);
    else
        lua_rawgetp(L, LUA_REGISTRYINDEX, &key_cur_env);
    if (!lua_setupvalue(L, -2, 1))
        lua_pop(L, 1);
    return 1;
}

static int sb_setmetatable(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "setmetatable: __gc is not allowed in pricing rules");
        lua_pop(L, 1);
    }
    int n = lua_gettop(L);
    lua_getglobal(L, "setmetatable"); /* the real one, in the hidden global table */
    lua_insert(L, 1);
    lua_call(L, n, 1);
    return 1;
}

/* Builds, once per state: the shared base table (allowed functions and the
 * wrapped ones), the environment metatable reading it, and one metatable
 * per library reading the real library.  Runs in protected mode. */
static int sandbox_setup(lua_State *L)
{
    luaL_requiref(L, "_G", luaopen_base, 1);
    lua_pop(L, 1);
    lua_createtable(L, 0, 24); /* base */
    for (size_t i = 0; i < sizeof base_allowed / sizeof base_allowed[0]; i++) {
        lua_getglobal(L, base_allowed[i]);
        lua_setfield(L, -2, base_allowed[i]);
    }
    lua_getglobal(L, "_VERSION");
    lua_setfield(L, -2, "_VERSION");
    lua_pushcfunction(L, sb_pcall);
    lua_setfield(L, -2, "pcall");
    lua_pushcfunction(L, sb_xpcall);
    lua_setfield(L, -2, "xpcall");
    lua_pushcfunction(L, sb_load);
    lua_setfield(L, -2, "load");
    lua_pushcfunction(L, sb_setmetatable);
    lua_setfield(L, -2, "setmetatable");

    lua_createtable(L, 0, 2); /* env metatable */
    lua_insert(L, -2);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_env_meta);

    lua_createtable(L, (int)NLIBS, 0); /* library metatables, by index */
    for (size_t i = 0; i < NLIBS; i++) {
        luaL_requiref(L, lib_names[i], lib_open[i], 0);
        if (!strcmp(lib_names[i], "string")) {
            lua_pushnil(L);
            lua_setfield(L, -2, "dump");
        }
        /* A price must not change between two runs of the same inputs. */
        if (!strcmp(lib_names[i], "math")) {
            lua_pushnil(L);
            lua_setfield(L, -2, "random");
            lua_pushnil(L);
            lua_setfield(L, -2, "randomseed");
        }
        lua_createtable(L, 0, 2);
        lua_insert(L, -2);
        lua_setfield(L, -2, "__index");
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "__metatable");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_lib_meta);

    /* Every call leaves its environment, part, ctx and result behind as
     * young garbage, which the generational collector takes cheapest (8 %
     * less time per call than the incremental one in bench_price). */
    lua_gc(L, LUA_GCGEN, 0, 0);

    lua_pushliteral(L, "");
    lua_getmetatable(L, -1); /* the string metatable luaopen_string made */
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);
    return 0;
}

/* Pushes a fresh environment for one call and records it as the current
 * one (for load). */
static void push_env(lua_State *L)
{
    lua_createtable(L, 0, 48);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_env_meta);
    lua_setmetatable(L, -2);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_lib_meta);
    for (size_t i = 0; i < NLIBS; i++) {
        lua_createtable(L, 0, 0);
        lua_rawgeti(L, -2, (lua_Integer)i + 1);
        lua_setmetatable(L, -2);
        lua_setfield(L, -3, lib_names[i]);
    }
    lua_pop(L, 1);
    lua_pushvalue(L, -1);
    lua_setfield(L, -2, "_G");
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_cur_env);
}

/* Runs the function at the top of L (the rule chunk) in a fresh
 * environment and leaves the environment on the stack. */
static void run_chunk(lua_State *L)
{
    push_env(L);
    lua_pushvalue(L, -2);
    lua_pushvalue(L, -2);
    lua_setupvalue(L, -2, 1); /* the chunk's first upvalue is _ENV */
    lua_call(L, 0, 0);
    lua_remove(L, -2);
}

/* ---------------------------------------------------------- errors */

/* Does msg start with "name:DIGIT"?  Then it already says where. */
static int has_position(const struct price_engine *pe, const char *msg)
{
    size_t n = strlen(pe->name);
    return !strncmp(msg, pe->name, n) && msg[n] == ':' && msg[n + 1] >= '0' && msg[n + 1] <= '9';
}

/* The message handler: the rule's message (or why the call was stopped),
 * with the rule's position in front when it has none, then the frames of
 * the stack that are in the rule file. */
static int msg_handler(lua_State *L)
{
    struct price_engine *pe = price_engine_of(L);
    luaL_Buffer b;
    lua_Debug ar;
    const char *msg;
    int first_line = 0;
    int t = lua_type(L, 1);

    for (int level = 1; lua_getstack(L, level, &ar); level++)
        if (lua_getinfo(L, "Sl", &ar) && !strcmp(ar.source, pe->chunkname) &&
            ar.currentline > 0) {
            first_line = ar.currentline;
            break;
        }
    /* The message string sits below the buffer, which needs the top. */
    if (t == LUA_TSTRING || t == LUA_TNUMBER)
        msg = lua_tostring(L, 1);
    else
        msg = lua_pushfstring(L, "the rules raised an error with a %s value, not a message",
                              luaL_typename(L, 1));
    luaL_buffinit(L, &b);
    if (pe->killed == PRICE_KILL_BUDGET || pe->killed == PRICE_KILL_MEMORY) {
        int line = pe->kill_line ? pe->kill_line : first_line;
        if (line)
            lua_pushfstring(L, "%s:%d: ", pe->name, line);
        else
            lua_pushfstring(L, "%s: ", pe->name);
        luaL_addvalue(&b);
        if (pe->killed == PRICE_KILL_BUDGET)
            lua_pushfstring(L,
                            "the rules ran past their budget of %I instructions "
                            "([pricing] max_instructions): a loop that never ends?",
                            (lua_Integer)pe->max_instructions);
        else
            lua_pushfstring(L, "the rules used more than their %I MB of memory "
                               "([pricing] memory_mb)",
                            (lua_Integer)(pe->limit >> 20));
        luaL_addvalue(&b);
    } else {
        if (!has_position(pe, msg)) {
            if (first_line)
                lua_pushfstring(L, "%s:%d: ", pe->name, first_line);
            else
                lua_pushfstring(L, "%s: ", pe->name);
            luaL_addvalue(&b);
        }
        luaL_addstring(&b, msg);
    }
    int frames = 0;
    for (int level = 1; lua_getstack(L, level, &ar); level++) {
        if (!lua_getinfo(L, "Sln", &ar) || strcmp(ar.source, pe->chunkname) != 0 ||
            ar.currentline <= 0)
            continue;
        if (frames == MAX_FRAMES) {
            luaL_addstring(&b, "\n  ...");
            break;
        }
        const char *fname = ar.name;
        if (!fname && lua_getinfo(L, "f", &ar)) {
            /* quote is called from C, so Lua cannot name it: compare. */
            lua_rawgetp(L, LUA_REGISTRYINDEX, &key_cur_env);
            if (lua_type(L, -1) == LUA_TTABLE) {
                lua_pushliteral(L, "quote");
                lua_rawget(L, -2);
                if (lua_rawequal(L, -1, -3))
                    fname = "quote";
                lua_pop(L, 1);
            }
            lua_pop(L, 2);
        }
        if (fname)
            lua_pushfstring(L, "\n  at %s:%d in function '%s'", pe->name, ar.currentline,
                            fname);
        else if (!strcmp(ar.what, "main"))
            lua_pushfstring(L, "\n  at %s:%d in the main chunk", pe->name, ar.currentline);
        else
            lua_pushfstring(L, "\n  at %s:%d in function <%s:%d>", pe->name, ar.currentline,
                            pe->name, ar.linedefined);
        luaL_addvalue(&b);
        frames++;
    }
    luaL_pushresult(&b);
    return 1;
}

/* Runs fn(ud) protected, with the budget hook and the handler; on failure
 * fills e with the message.  The state is left as it was found. */
static int engine_run(struct price_engine *pe, lua_CFunction fn, void *ud, struct err *e)
{
    lua_State *L = pe->L;
    int top = lua_gettop(L);
    /* A call is stopped at the cap, garbage included: start each one with
     * at least half of it free when collecting can make it so. */
    if (pe->used > pe->limit / 2)
        lua_gc(L, LUA_GCCOLLECT);
    pe->killed = PRICE_KILL_NONE;
    pe->kill_line = 0;
    pe->in_call = 1;
    lua_sethook(L, budget_hook, LUA_MASKCOUNT, (int)pe->max_instructions);
    lua_pushcfunction(L, msg_handler);
    lua_pushcfunction(L, fn);
    lua_pushlightuserdata(L, ud);
    int status = lua_pcall(L, 1, 0, top + 1);
    lua_sethook(L, NULL, 0, 0);
    int rc = 0;
    if (status != LUA_OK) {
        /* A memory error is thrown past the message handler: say it here. */
        if (status == LUA_ERRMEM && pe->kill_line)
            err_set(e, "%s:%d: the rules used more than their %zu MB of memory "
                       "([pricing] memory_mb)",
                    pe->name, pe->kill_line, pe->limit >> 20);
        else if (status == LUA_ERRMEM)
            err_set(e, "%s: the rules used more than their %zu MB of memory "
                       "([pricing] memory_mb)",
                    pe->name, pe->limit >> 20);
        else if (lua_type(L, -1) == LUA_TSTRING)
            err_set(e, "%s", lua_tostring(L, -1));
        else
            err_set(e, "%s: the rules failed (Lua status %d)", pe->name, status);
        rc = -1;
    }
    pe->in_call = 0;
    lua_settop(L, top);
    if (rc != 0 && pe->killed) {
        /* What the stopped call built is garbage now; collect it while the
         * reserve still applies, so the next call starts well under the cap. */
        lua_gc(L, LUA_GCCOLLECT);
    }
    pe->killed = PRICE_KILL_NONE;
    return rc;
}

/* ---------------------------------------------------------- life cycle */

static int setup_protected(lua_State *L)
{
    return sandbox_setup(L);
}

int price_engine_new(struct price_engine **out, const struct price_limits *lim, struct err *e)
{
    *out = NULL;
    if (lim->max_instructions < 1000 || lim->max_instructions > 2000000000LL)
        return err_set(e, "[pricing] max_instructions must be from 1000 to 2000000000, not %lld",
                       lim->max_instructions);
    if (lim->memory_bytes < (1u << 20))
        return err_set(e, "[pricing] memory_mb must be at least 1");
    struct price_engine *pe = xcalloc(1, sizeof *pe);
    pe->limit = lim->memory_bytes;
    pe->max_instructions = lim->max_instructions;
    pe->chunk_ref = LUA_NOREF;
    pe->L = lua_newstate(engine_alloc, pe);
    if (!pe->L) {
        free(pe);
        return err_set(e, "cannot make a Lua state within [pricing] memory_mb");
    }
    *(struct price_engine **)lua_getextraspace(pe->L) = pe;
    lua_pushcfunction(pe->L, setup_protected);
    if (lua_pcall(pe->L, 0, 0, 0) != LUA_OK) {
        err_set(e, "cannot set up the pricing sandbox: %s",
                lua_type(pe->L, -1) == LUA_TSTRING ? lua_tostring(pe->L, -1) : "out of memory");
        price_engine_free(pe);
        return -1;
    }
    *out = pe;
    return 0;
}

void price_engine_free(struct price_engine *pe)
{
    if (!pe)
        return;
    if (pe->L)
        lua_close(pe->L);
    free(pe->name);
    free(pe->chunkname);
    free(pe);
}

const char *price_engine_rules(const struct price_engine *pe)
{
    return pe->chunk_ref == LUA_NOREF ? NULL : pe->name;
}

/* The trial run at load: the new chunk (in the registry under key_trial)
 * must run and define quote as a function; *ok (ud) says whether it did. */
static int load_protected(lua_State *L)
{
    int *ok = lua_touserdata(L, 1);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_trial);
    run_chunk(L);
    *ok = lua_getfield(L, -1, "quote") == LUA_TFUNCTION;
    return 0;
}

int price_engine_load(struct price_engine *pe, const char *name, const char *src, size_t len,
                      struct err *e)
{
    lua_State *L = pe->L;
    int top = lua_gettop(L);
    char *old_name = pe->name, *old_chunk = pe->chunkname;
    size_t n = strlen(name);
    pe->name = xstrdup(name);
    pe->chunkname = xmalloc(n + 2);
    pe->chunkname[0] = '=';
    memcpy(pe->chunkname + 1, name, n + 1);

    pe->in_call = 1;
    pe->killed = PRICE_KILL_NONE;
    int status = luaL_loadbufferx(L, src, len, pe->chunkname, "t");
    pe->in_call = 0;
    if (status != LUA_OK) {
        if (status == LUA_ERRMEM || lua_type(L, -1) != LUA_TSTRING)
            err_set(e, "%s: the rules are too big for [pricing] memory_mb", name);
        else
            err_set(e, "%s", lua_tostring(L, -1));
        goto fail;
    }
    int ok = 0;
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_trial);
    status = engine_run(pe, load_protected, &ok, e);
    lua_pushnil(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_trial);
    if (status != 0)
        goto fail;
    if (!ok) {
        err_set(e, "%s: the rules do not define a function quote(part, ctx)", name);
        goto fail;
    }
    if (pe->chunk_ref != LUA_NOREF)
        luaL_unref(L, LUA_REGISTRYINDEX, pe->chunk_ref);
    pe->chunk_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_settop(L, top);
    free(old_name);
    free(old_chunk);
    return 0;
fail:
    lua_settop(L, top);
    free(pe->name);
    free(pe->chunkname);
    pe->name = old_name;
    pe->chunkname = old_chunk;
    pe->killed = PRICE_KILL_NONE;
    return -1;
}

/* ---------------------------------------------------------- quote */

struct quote_call {
    struct price_engine *pe;
    const struct price_part *part;
    const struct price_ctx *ctx;
    int decimals;
    struct arena *a;
    struct price_result *out;
    struct err *e;
    int contract_rc; /* of price_read_result */
};

static int quote_protected(lua_State *L)
{
    struct quote_call *qc = lua_touserdata(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, qc->pe->chunk_ref);
    run_chunk(L);
    if (lua_getfield(L, -1, "quote") != LUA_TFUNCTION)
        return luaL_error(L, "the rules no longer define a function quote(part, ctx)");
    price_push_part(L, qc->part);
    price_push_ctx(L, qc->ctx, qc->decimals);
    lua_call(L, 2, 1);
    /* The rules are done: no more budget for anything they left behind
     * (a metamethod cannot run: the result is read with raw access). */
    qc->contract_rc = price_read_result(L, qc->decimals, qc->a, qc->out, qc->e);
    return 0;
}

int price_quote(struct price_engine *pe, const struct price_part *part,
                const struct price_ctx *ctx, struct arena *a, struct price_result *out,
                struct err *e)
{
    memset(out, 0, sizeof *out);
    if (pe->chunk_ref == LUA_NOREF)
        return err_set(e, "no pricing rules are loaded");
    const char *cur = ctx->shop && ctx->shop->currency ? ctx->shop->currency : "";
    int decimals = price_currency_decimals(cur);
    if (decimals < 0)
        return err_set(e, "[company] currency '%s' is not an ISO 4217 code this build knows "
                          "(e.g. EUR, USD, GBP, CHF, SEK, JPY)", cur);
    if (!ctx->material)
        return err_set(e, "no material was given to price with");
    if (ctx->quantity < 1)
        return err_set(e, "the quantity must be at least 1, not %lld", ctx->quantity);
    struct quote_call qc = {pe, part, ctx, decimals, a, out, e, 0};
    if (engine_run(pe, quote_protected, &qc, e) != 0)
        return -1;
    if (qc.contract_rc != 0)
        return err_prefix(e, "%s", pe->name);
    memcpy(out->currency, cur, 3);
    out->currency[3] = '\0';
    out->decimals = decimals;
    return 0;
}
