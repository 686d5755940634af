/*
 * store.h - the appliance's SQLite database: schema migrations, users,
 * sessions, audit log, materials, quotes, and online backup.
 *
 * One struct store is one connection; use one per thread and never share
 * one between threads (its cached statements carry per-call state).  All
 * SQL lives in db/ (migrations) and in this module, always with bound
 * parameters and statements prepared once per connection.  Multi-step changes run in one
 * transaction.  Errors fill a struct err with a sentence an admin can act on.
 */
#ifndef DXFQ_STORE_H
#define DXFQ_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

struct store;

/* Opens (creating if needed) DIR/dxfquote.db in WAL mode with foreign keys
 * on, the given busy timeout and synchronous=NORMAL, then applies the
 * embedded migrations from db/ that are newer than PRAGMA user_version, each
 * in its own transaction.  A database newer than this binary is refused with
 * both version numbers in the message.  Caller closes with store_close(). */
int store_open(struct store **out, const char *dir, int busy_timeout_ms, struct err *e);
/* Checkpoints the WAL (TRUNCATE) when checkpoint is set, then closes. */
void store_close(struct store *s, int checkpoint);

/* Schema version of the open database, and the newest this binary knows
 * (-1 when it cannot be read). */
int store_schema_version(struct store *s);
int store_schema_latest(void);

/* Health: runs a trivial query.  0 ok, -1 with e filled. */
int store_ping(struct store *s, struct err *e);
/* Bytes of the main database file and of its WAL (0 when absent). */
void store_file_sizes(struct store *s, int64_t *db_bytes, int64_t *wal_bytes);

/* Online backup of the live database to path through SQLite's backup API,
 * safe while the server runs.  Writes to path.tmp then renames. */
int store_backup(struct store *s, const char *path, struct err *e);

/* ------------------------------------------------------------------ users */

enum store_role { STORE_ROLE_ADMIN, STORE_ROLE_SALES };
const char *store_role_name(enum store_role r);
int store_role_parse(const char *s, enum store_role *out);

struct store_user {
    int64_t id;
    char name[64];
    enum store_role role;
    int64_t created; /* unix seconds */
    int64_t last_login;
    int disabled;
};

/* Names: 1-63 characters of letters, digits, '.', '_', '-', unique without
 * regard to case.  Passwords: at least 10 characters.  The password is
 * hashed with yescrypt (libxcrypt) at the given cost (1..11; libxcrypt's
 * default is 5) and a random 16-byte salt. */
int store_user_add(struct store *s, const char *name, enum store_role role, const char *password,
                   int cost, struct err *e);
int store_user_passwd(struct store *s, const char *name, const char *password, int cost,
                      struct err *e);
/* 1 when name exists, is not disabled and password matches (then out, if
 * not NULL, is filled and last_login is set to now), 0 when not, -1 on
 * error.  Takes as long for an unknown name as for a wrong password.
 * store_user_passwd() also ends the user's sessions. */
int store_user_check(struct store *s, const char *name, const char *password,
                     struct store_user *out, struct err *e);
/* Calls fn for each user in name order; fn returns nonzero to stop. */
int store_user_list(struct store *s, int (*fn)(const struct store_user *u, void *ctx), void *ctx,
                    struct err *e);

/* Appends to the audit log: who (may be NULL for the system) did what. */
int store_audit(struct store *s, const char *user, const char *action, const char *detail,
                struct err *e);

/* Fills buf with n cryptographically random bytes (getrandom).  0 or -1. */
int store_random(void *buf, size_t n, struct err *e);

#endif
