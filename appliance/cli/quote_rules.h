/*
 * quote_rules.h - private to cli/: which pricing rules a command uses, and
 * a price engine made with the configured limits.  Shared by quote and
 * rules; defined in catalog.c.
 */
#ifndef DXFQ_CLI_QUOTE_RULES_H
#define DXFQ_CLI_QUOTE_RULES_H

#include <stdint.h>

#include "core/core.h"
#include "price/price.h"
#include "store/store.h"

/* The rules a price was made with, as the output records them. */
struct quote_rules {
    int64_t version;    /* rule_versions.id; 0 when not from the database */
    const char *origin; /* "file", "database", "config" or "built-in" */
    const char *name;   /* how messages name them: "rules.lua", "rules v3" */
    char describe[320]; /* for people: "version 3 by anna, sha256 1a2b..." */
};

/* A price engine under [pricing] max_instructions and memory_mb.  Caller
 * frees it with price_engine_free(). */
int quote_engine_new(const struct cfg *c, struct price_engine **pe, struct err *e);

/* Reads a rules file (at most 1 MB) into arena a, '\0'-terminated. */
int quote_read_rules(const char *path, struct arena *a, char **src, size_t *len, struct err *e);

/* Picks the rules: file when not NULL, else the active version in s (s may
 * be NULL), else [pricing] rules_file, else the built-in rules; makes an
 * engine and loads them.  Caller frees *pe. */
int quote_rules_load(const struct cfg *c, struct store *s, const char *file, struct arena *a,
                     struct price_engine **pe, struct quote_rules *qr, struct err *e);

#endif
