/*
 * price_int.h - what the files of price/ share: the engine struct and the
 * conversions between C and Lua.  Not for use outside appliance/price and
 * its tests.
 */
#ifndef DXFQ_PRICE_INT_H
#define DXFQ_PRICE_INT_H

#include <lua.h>

#include "price.h"

/* Why the running call was stopped from outside the rules. */
enum price_kill { PRICE_KILL_NONE, PRICE_KILL_BUDGET, PRICE_KILL_MEMORY };

struct price_engine {
    lua_State *L;
    size_t used;  /* bytes the state holds now */
    size_t limit; /* the cap: an allocation past it is refused */
    long long max_instructions;
    int chunk_ref; /* registry reference of the compiled rules; LUA_NOREF: none */
    char *name;    /* of the loaded rules, for messages */
    char *chunkname; /* "=" name: what Lua reports as the source */
    int in_call;   /* a call is running: refusals stop it */
    int killed;    /* enum price_kill of the running call */
    int kill_line; /* line in the rules where it was stopped; 0 unknown */
};

/* The engine a state belongs to (kept in the state's extra space). */
struct price_engine *price_engine_of(lua_State *L);

/* Pushes the part table and the ctx table (rules/README.md) onto L.  Must
 * run in protected mode: it allocates. */
void price_push_part(lua_State *L, const struct price_part *p);
void price_push_ctx(lua_State *L, const struct price_ctx *c, int decimals);

/* Checks the table at the top of L (what quote returned) against the
 * contract and fills out, its strings and arrays in arena a.  Uses only raw
 * access (no metamethod runs).  -1 with e naming the field. */
int price_read_result(lua_State *L, int decimals, struct arena *a, struct price_result *out,
                      struct err *e);

#endif
