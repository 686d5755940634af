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
/* PRAGMA integrity_check on the database file at path, opened read-only:
 * 1 it passes, 0 it fails (problem gets the first complaint), -1 it cannot
 * be opened (e filled). */
int store_backup_verify(const char *path, char *problem, size_t n, struct err *e);

/* The folder of backups, DATA/backups (backup_dir.c): files named
 * dxfquote-YYYYmmdd-HHMMSS.db (UTC), so that names sort by time and no
 * other file is taken for a backup. */
#define STORE_BACKUP_NAME_LEN 27
/* 1 when name (n bytes) has exactly that shape. */
int store_backup_name_ok(const char *name, size_t n);
/* A backup of s now into DATA/backups (made if need be); name gets its
 * file name.  0; 1 when a backup of that second exists already (e says
 * so); -1 with e filled. */
int store_backup_now(struct store *s, const char *data_dir, char name[STORE_BACKUP_NAME_LEN + 1],
                     struct err *e);
/* The backups' names, newest first (*names malloc'd; free with
 * store_backup_names_free()).  No folder: none.  0, or -1 with e filled. */
int store_backup_names(const char *data_dir, char ***names, size_t *n, struct err *e);
void store_backup_names_free(char **names, size_t n);
/* Deletes the backups beyond the newest keep (>= 1); *removed gets how
 * many went.  0, or -1 with e naming the first that could not go. */
int store_backup_prune(const char *data_dir, int keep, int *removed, struct err *e);
/* Unix time of the newest backup, 0 when there is none. */
int64_t store_backup_latest(const char *data_dir);

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

/* One entry of the audit log; strings valid during the callback only. */
struct store_audit_entry {
    int64_t id, time;
    const char *user; /* NULL: the appliance itself */
    const char *action, *detail;
};
/* Calls fn for entries newest first, limit of them after skipping offset,
 * that have q (may be NULL or "") in their user, action or detail; *total
 * gets how many match in all.  fn returns nonzero to stop. */
int store_audit_list(struct store *s, const char *q, int64_t limit, int64_t offset,
                     int (*fn)(const struct store_audit_entry *en, void *ctx), void *ctx,
                     int64_t *total, struct err *e);
/* Jobs that ended done, and failed, at or after unix time since. */
int store_jobs_ended_since(struct store *s, int64_t since, int64_t *done, int64_t *failed,
                           struct err *e);

/* Fills buf with n cryptographically random bytes (getrandom).  0 or -1. */
int store_random(void *buf, size_t n, struct err *e);

#define STORE_SHA256_LEN 32
/* The SHA-256 of n bytes at data (FIPS 180-4). */
void store_sha256(const void *data, size_t n, unsigned char out[STORE_SHA256_LEN]);
/* The same in pieces, for data that arrives as a stream (an upload). */
struct store_sha256 {
    uint32_t h[8];
    uint64_t len; /* bytes absorbed */
    unsigned char buf[64];
    size_t n; /* bytes in buf */
};
void store_sha256_init(struct store_sha256 *c);
void store_sha256_update(struct store_sha256 *c, const void *data, size_t n);
/* Writes the digest and wipes c. */
void store_sha256_final(struct store_sha256 *c, unsigned char out[STORE_SHA256_LEN]);

/* The rules store_user_add() applies, for callers that check input first:
 * 0, or -1 with e saying what is allowed. */
int store_user_name_ok(const char *name, struct err *e);
int store_user_password_ok(const char *password, struct err *e);

/* User id, or the user named name (any case): 1 found (out filled), 0 no
 * such user, -1 on error. */
int store_user_get(struct store *s, int64_t id, struct store_user *out, struct err *e);
int store_user_find(struct store *s, const char *name, struct store_user *out, struct err *e);
/* The number of users, disabled ones included. */
int store_user_count(struct store *s, int64_t *n, struct err *e);
/* Adds an admin only while the table is empty, in one transaction (two
 * first starts cannot both make one): 1 added (out, if not NULL, filled),
 * 0 a user exists already and nothing changed, -1 on error. */
int store_user_add_first(struct store *s, const char *name, const char *password, int cost,
                         struct store_user *out, struct err *e);

/* What store_user_update() changes; a NULL member stays as it is. */
struct store_user_change {
    const enum store_role *role;
    const int *disabled;
    const char *password;
};

/* Results of store_user_update() and store_user_delete() besides 0 and -1. */
#define STORE_USER_NOT_FOUND  1
#define STORE_USER_LAST_ADMIN 2 /* e says why; nothing changed */

/* Applies ch to user id in one transaction.  A new password, or disabling,
 * ends the user's sessions except session keep_session (0: all of them).
 * Refused with STORE_USER_LAST_ADMIN when no enabled admin would remain.
 * 0 done, STORE_USER_NOT_FOUND, STORE_USER_LAST_ADMIN, or -1 with e. */
int store_user_update(struct store *s, int64_t id, const struct store_user_change *ch, int cost,
                      int64_t keep_session, struct err *e);
/* Deletes user id and, by cascade, its sessions; its quotes stay, with no
 * author.  Same results as store_user_update(). */
int store_user_delete(struct store *s, int64_t id, struct err *e);

/* --------------------------------------------------------------- sessions */

/* Session tokens and CSRF tokens are 32 random bytes (getrandom) written as
 * 64 lower-case hex digits.  The sessions table keeps only the SHA-256 of a
 * session token, so a copy of the database lets no one in. */
#define STORE_TOKEN_HEX 64

struct store_session {
    int64_t id;
    int64_t user_id;
    int64_t created, last_seen; /* unix seconds */
    char csrf[STORE_TOKEN_HEX + 1];
};

/* Starts a session for user_id, seen from address ip: token gets the
 * cookie value (never stored), *out the row with its new CSRF token. */
int store_session_start(struct store *s, int64_t user_id, const char *ip,
                        char token[STORE_TOKEN_HEX + 1], struct store_session *out, struct err *e);
/* The session of token and its user: 1 found, 0 when token is not 64 hex
 * digits, names no session, or belongs to a disabled user; -1 on error.
 * Whether it has expired is the caller's rule (the times are in out). */
int store_session_find(struct store *s, const char *token, struct store_session *out,
                       struct store_user *user, struct err *e);
/* Sets last_seen of session id to now. */
int store_session_touch(struct store *s, int64_t id, int64_t now, struct err *e);
/* Ends session id (nothing when there is none). */
int store_session_end(struct store *s, int64_t id, struct err *e);
/* Ends every session last seen before idle_before or started before
 * created_before; *ended (may be NULL) gets how many. */
int store_session_sweep(struct store *s, int64_t idle_before, int64_t created_before,
                        int64_t *ended, struct err *e);

/* ------------------------------------------------------- login throttling */

/* Records a failed login for name (as typed) from address ip at now, and
 * forgets failures older than forget_before. */
int store_login_failed(struct store *s, const char *name, const char *ip, int64_t now,
                       int64_t forget_before, struct err *e);
/* How long until name, and ip, each have fewer than attempts failures in
 * the window_s seconds before the moment of asking: *wait_s gets 0 when
 * both have fewer now, else the seconds until the later of the two does. */
int store_login_wait(struct store *s, const char *name, const char *ip, int attempts,
                     int64_t window_s, int64_t now, int64_t *wait_s, struct err *e);

/* -------------------------------------------------------------- materials */

/* One row of the catalog: a material at one thickness.  density, price,
 * notes and extra belong to the material and are the same on all its
 * thicknesses.  Who owns the strings is said by each call. */
struct store_material {
    const char *name; /* unique without regard to case */
    double density_kg_m3;
    double price_per_kg; /* in company.currency */
    const char *notes;
    const char *extra; /* a JSON object: the columns the shop added ("{}": none) */
    double thickness_mm;
    double cutting_speed_mm_min;
    double pierce_time_s;
    double sheet_w_mm, sheet_h_mm;
    int line; /* import: where the row came from (a CSV line), for messages; 0 none */
};

/* Calls fn for each row, by material name (without regard to case) then
 * thickness; the strings are valid during the call only.  fn returns
 * nonzero to stop. */
int store_material_list(struct store *s, int (*fn)(const struct store_material *m, void *ctx),
                        void *ctx, struct err *e);

/* The row of material name (any case) at thickness_mm (within 0.001 mm),
 * its strings copied into arena a.  1 found, 0 not in the catalog, -1 on
 * error. */
int store_material_get(struct store *s, struct arena *a, const char *name, double thickness_mm,
                       struct store_material *out, struct err *e);

/* Replaces the whole catalog with rows[0..n) in one transaction: every row
 * is checked first (figures finite and in range, no material and thickness
 * twice, one material's rows agreeing on density, price, notes and extra,
 * extra a JSON object), and one bad row changes nothing; the message starts
 * with "line N" when the row has a line.  *materials (may be NULL) gets the
 * number of distinct materials. */
int store_material_import(struct store *s, const struct store_material *rows, size_t n,
                          size_t *materials, struct err *e);

/* The catalog as CSV (catalog_csv.c: RFC 4180, header material,
 * thickness_mm, the figures, notes, then the shop's own columns) into *out
 * (malloc'd; the caller frees it) and *len.  The format of
 * `dxfquote materials export` and GET /api/materials.csv. */
int store_catalog_csv(struct store *s, char **out, size_t *len, struct err *e);
/* Parses CSV text (len bytes, NUL after them; decoded in place, so rows
 * point into it and into arena a) into *rows, *count of them, every row
 * checked.  -1 with e naming the line. */
int store_catalog_csv_parse(char *text, size_t len, struct arena *a, struct store_material **rows,
                            size_t *count, struct err *e);
/* 1 when s is a name the rules can use: [A-Za-z_][A-Za-z0-9_]*, 64 at most. */
int store_is_identifier(const char *s);

/* ---------------------------------------------------------- rule versions */

/* One saved version of the pricing rules. */
struct store_rules {
    int64_t version; /* rule_versions.id: what parts and quotes record */
    const char *source;
    size_t len;
    const char *author; /* NULL: the rules built into the binary */
    int64_t created;    /* unix seconds */
    char sha256[65];    /* hex of the source */
    int active;
    const char *note;
};

/* Saves source as the new active version (the previous one stays, inactive)
 * in one transaction.  When source is byte for byte the active version
 * already, nothing changes and *created is 0; else *created is 1.
 * *version gets the active version either way.  author NULL: built in. */
int store_rules_save(struct store *s, const char *source, size_t len, const char *author,
                     const char *note, int64_t *version, int *created, struct err *e);

/* The active version, its strings in arena a: 1, 0 when none is active, -1
 * on error. */
int store_rules_active(struct store *s, struct arena *a, struct store_rules *out, struct err *e);

/* Version number version, its strings in arena a: 1, 0 when there is no
 * such version, -1 on error. */
int store_rules_get(struct store *s, struct arena *a, int64_t version, struct store_rules *out,
                    struct err *e);

/* Calls fn for each version, newest first, without the source (NULL, len
 * the source's size); the strings are valid during the call only. */
int store_rules_list(struct store *s, int (*fn)(const struct store_rules *r, void *ctx), void *ctx,
                     struct err *e);

/* ------------------------------------------------------------------ quotes */

/* "Q-2026-0042": the year the quote was made (local time), then its number
 * within that year from 0001 (five digits past 9999). */
#define STORE_QUOTE_NUMBER_MAX 32

struct store_quote {
    int64_t id;
    char number[STORE_QUOTE_NUMBER_MAX];
    char status[16]; /* draft, sent, accepted, rejected, expired, cancelled */
    char currency[4];
    int64_t created_by; /* users.id; 0 when none */
    int64_t created, updated;
    int64_t rules_version; /* 0 when none */
    const char *customer, *notes; /* store_quote_get: in its arena; else "" */
    /* Added by db/004 (quote_edit.c says how they are kept). */
    int64_t customer_id;   /* 0: none chosen */
    int64_t valid_until;   /* unix seconds, last valid moment; 0: no limit */
    int revision;          /* 0 original, 1 "-B", 2 "-C", ... */
    int64_t revision_of;   /* quotes.id it was made from; 0 none */
    int64_t sent_at, decided_at; /* 0: not yet */
};

/* Makes a draft quote at unix time when (0: now) with the next number of
 * that year, in one transaction (two makers never get the same number).
 * created_by 0: none; currency: 3 letters (company.currency).  *out (may be
 * NULL) gets the new row. */
int store_quote_create(struct store *s, int64_t created_by, const char *currency, int64_t when,
                       struct store_quote *out, struct err *e);

/* Quote id, its strings in arena a: 1, 0 when there is no such quote, -1 on
 * error. */
int store_quote_get(struct store *s, struct arena *a, int64_t id, struct store_quote *out,
                    struct err *e);

/* ------------------------------------------------- customers and quote edits */

/* A customer (customers.c).  Optional fields are "" when empty; strings
 * of store_customer_get/list live in the arena given. */
struct store_customer {
    int64_t id;
    const char *name;    /* 1..200 characters, unique without regard to case */
    const char *company; /* ..200 */
    const char *contact; /* ..200 */
    const char *email;   /* ..254, "" or one '@' with text on both sides */
    const char *phone;   /* ..50 */
    const char *address; /* ..1000 */
    const char *notes;   /* ..10000 */
    int64_t created, updated;
    int64_t quotes; /* list and get: how many quotes name this customer */
};

#define STORE_CUSTOMER_NAME_MAX  200
#define STORE_CUSTOMER_NOTES_MAX 10000
/* Results besides 0, 1 and -1. */
#define STORE_TAKEN 2 /* the name belongs to another customer */

/* Checks the fields of c that are not NULL (name required when
 * need_name): 0, or -1 with e saying what is allowed and *field (may be
 * NULL) naming the member ("email"). */
int store_customer_check(const struct store_customer *c, int need_name, const char **field,
                         struct err *e);
/* Adds c (NULL optional fields are ""): 0 with *id, STORE_TAKEN, or -1. */
int store_customer_add(struct store *s, const struct store_customer *c, int64_t *id,
                       struct err *e);
/* Customer id, strings in a: 1, 0 when there is none, -1. */
int store_customer_get(struct store *s, struct arena *a, int64_t id, struct store_customer *out,
                       struct err *e);
/* Calls fn for each customer whose name, company, contact or email holds
 * q (any case; NULL or "": all), in name order, limit rows from offset;
 * strings in a.  *total (may be NULL) gets the count of all that match. */
int store_customer_list(struct store *s, struct arena *a, const char *q, int limit, int offset,
                        int (*fn)(const struct store_customer *c, void *ctx), void *ctx,
                        int64_t *total, struct err *e);
/* Changes the fields of ch that are not NULL, in one transaction; a new
 * name is copied to the customer's draft quotes (sent ones keep theirs).
 * 1 changed, 0 no such customer, STORE_TAKEN, or -1. */
int store_customer_update(struct store *s, int64_t id, const struct store_customer *ch,
                          struct err *e);

/* How a quote is created (quote_edit.c). */
struct store_quote_init {
    int64_t created_by;   /* users.id; 0 none */
    const char *currency; /* 3 capital letters */
    int64_t when;         /* 0: now */
    int64_t customer_id;  /* 0: none */
    const char *notes;    /* NULL: "" */
    int64_t valid_until;  /* 0: no limit */
};
/* Results of the quote edits besides 0, 1 and -1; e says why. */
#define STORE_QUOTE_NO_CUSTOMER 2 /* customer_id names no customer */
#define STORE_QUOTE_REVISE      3 /* not a draft: revise it to change it */
#define STORE_QUOTE_TRANSITION  4 /* a status change that is not allowed */
#define STORE_QUOTE_BUSY        5 /* a part is still queued or running */
#define STORE_QUOTE_LETTERS     6 /* revision Z exists; no letter is left */

/* A draft with the next number and the fields of in, in one transaction.
 * 0 with *out (may be NULL; strings "" or static) filled,
 * STORE_QUOTE_NO_CUSTOMER, or -1. */
int store_quote_new(struct store *s, const struct store_quote_init *in, struct store_quote *out,
                    struct err *e);

/* What store_quote_update() changes; NULL members stay. */
struct store_quote_change {
    const int64_t *customer_id; /* 0: no customer */
    const char *notes;          /* at most STORE_CUSTOMER_NOTES_MAX characters */
    const int64_t *valid_until; /* 0: no limit */
    const char *status;         /* sent, accepted, rejected */
};
/* Applies ch to quote id at unix time now in one transaction.  Customer,
 * notes and validity change only on a draft: on another quote a change of
 * one of them (a value equal to the stored one is no change) is
 * STORE_QUOTE_REVISE.  Status moves draft -> sent -> accepted | rejected
 * only (STORE_QUOTE_TRANSITION otherwise, both states in e); sent_at and
 * decided_at are stamped.  from (16 bytes, may be NULL) gets the status
 * before.  1 done, 0 no such quote, STORE_QUOTE_NO_CUSTOMER, REVISE,
 * TRANSITION, or -1. */
int store_quote_update(struct store *s, int64_t id, const struct store_quote_change *ch,
                       int64_t now, char *from, struct err *e);

/* A new draft copying quote id: customer, notes, currency and every part
 * (its stored file, figures, price, previews and state; jobs are not
 * copied), in one transaction; the quote copied is not changed.
 * Duplicate: the next number of now's year.  Revise: the number of id's
 * original with the next letter ("-B", "-C"), revision_of id; allowed
 * from sent and rejected quotes that have no newer revision.  The copy is
 * valid until valid_until (0: no limit).  1 made (*new_id), 0 no such
 * quote, STORE_QUOTE_BUSY, STORE_QUOTE_REVISE (revise: the status does
 * not allow it or a newer revision exists; e says which),
 * STORE_QUOTE_LETTERS, or -1. */
int store_quote_duplicate(struct store *s, int64_t id, int64_t created_by, int64_t valid_until,
                          int64_t *new_id, struct err *e);
int store_quote_revise(struct store *s, int64_t id, int64_t created_by, int64_t valid_until,
                       int64_t *new_id, struct err *e);

/* Sets the preview and thumbnail paths of part id (NULL: none), for a
 * copy that takes files of its own.  1 set, 0 no such part, -1. */
int store_part_set_previews(struct store *s, int64_t id, const char *preview_path,
                            const char *thumb_path, struct err *e);

/* What store_quote_list() selects; zero members select all. */
struct store_quote_filter {
    const char *q;      /* held by the number, the customer's name (as on the
                         * quote or as now) or a part's file name, any case */
    const char *status; /* draft, sent (not expired), expired (sent and past
                         * valid_until), accepted, rejected */
    int64_t customer_id;
    int64_t from, to; /* created in [from, to); 0: open */
    int64_t now;      /* for expired; 0: store_time() */
    int limit;        /* 1..200 */
    int offset;
};
/* One row of the list: the quote and figures of its parts. */
struct store_quote_row {
    struct store_quote q; /* strings in the list's arena */
    int64_t parts, priced; /* parts, and those with a total */
    int64_t subtotal_minor; /* sum of the priced parts' totals */
    int64_t first_part;    /* the first part (by position) with a thumbnail; 0 none */
    const char *created_by_name; /* NULL when none */
};
/* Calls fn for each quote that f selects, newest first (created, then
 * id), strings in a; *total (may be NULL) gets the count of all that
 * match.  0, or -1. */
int store_quote_list(struct store *s, struct arena *a, const struct store_quote_filter *f,
                     int (*fn)(const struct store_quote_row *r, void *ctx), void *ctx,
                     int64_t *total, struct err *e);
/* Quote id as a row of the list (parts figures included): 1, 0, -1. */
int store_quote_row(struct store *s, struct arena *a, int64_t id, struct store_quote_row *out,
                    struct err *e);
/* Calls fn for quote id's original and all its revisions (itself
 * included), by revision; strings in a. */
int store_quote_revisions(struct store *s, struct arena *a, int64_t id,
                          int (*fn)(const struct store_quote *q, void *ctx), void *ctx,
                          struct err *e);

/* ------------------------------------------------------------------- parts */

/* One drawing in a quote.  Strings of store_part_get() live in its arena;
 * NULL where the column is NULL. */
struct store_part {
    int64_t id, quote_id;
    int64_t position;        /* order in the quote, from 1 */
    const char *file_name;   /* as uploaded, for display only */
    const char *stored_path; /* relative to the data folder: files/<sha256>.dxf.gz */
    const char *sha256;      /* 64 hex digits of the original file */
    int64_t size_bytes;      /* of the original file */
    const char *material;    /* NULL: none chosen yet (measured, not priced) */
    double thickness_mm;     /* 0: none chosen */
    long long qty;           /* >= 1 */
    const char *options;     /* JSON object, "{}" when none */
    /* What the latest jobs produced. */
    const char *geometry;    /* JSON (the inspect figures); NULL until measured */
    const char *price;       /* JSON (the rules' breakdown); NULL until priced */
    int64_t unit_price_minor, total_minor; /* -1 until priced */
    int64_t rules_version;   /* rule_versions.id that priced it; 0 none */
    const char *preview_path, *thumb_path; /* relative to the data folder */
    char state[12];          /* queued, running, done, failed, cancelled */
    const char *error;       /* failed or cancelled: why */
    int64_t created, updated;
};

/* Adds a part to quote p->quote_id from p's file_name, stored_path, sha256,
 * size_bytes, material (NULL none), thickness_mm (0 none), qty, options
 * (NULL: "{}"), position (0: after the last), in state queued.  -1 with e
 * filled for a missing quote or a bad field (named). */
int store_part_add(struct store *s, const struct store_part *p, int64_t *id, struct err *e);

/* Part id, its strings in arena a: 1, 0 when there is no such part, -1 on
 * error. */
int store_part_get(struct store *s, struct arena *a, int64_t id, struct store_part *out,
                   struct err *e);

/* What a part is priced with (PATCH parts/{id}): material (NULL none),
 * thickness_mm (0 none), qty >= 1, options (a JSON object; NULL "{}").  1
 * changed, 0 no such part, -1 on error. */
int store_part_set_order(struct store *s, int64_t id, const char *material, double thickness_mm,
                         long long qty, const char *options, struct err *e);

/* Calls fn for each part of quote quote_id in position order, with its
 * strings in arena a (reset by the caller between quotes if it likes); fn
 * returns nonzero to stop.  0, or -1 on error. */
int store_part_list(struct store *s, struct arena *a, int64_t quote_id,
                    int (*fn)(const struct store_part *p, void *ctx), void *ctx, struct err *e);

/* Deletes part id with its jobs.  *stored (may be NULL; STORE_PART_PATH
 * bytes) gets its stored_path when no other part uses that file any more,
 * else "", so the caller may remove the file.  1 deleted, 0 no such part,
 * -1 on error. */
/* 1 when some part keeps its drawing at stored_path (relative to the
 * data folder), 0 when none does, -1 on error. */
int store_file_used(struct store *s, const char *stored_path, struct err *e);

#define STORE_PART_PATH 128
int store_part_delete(struct store *s, int64_t id, char *stored, struct err *e);

/* The results a job writes on its part: every column as given (NULL and -1
 * store NULL), so a re-price passes the geometry and previews it keeps. */
struct store_part_results {
    const char *geometry, *price;
    int64_t unit_price_minor, total_minor; /* -1: NULL */
    int64_t rules_version;                 /* 0: NULL */
    const char *preview_path, *thumb_path;
};

/* -------------------------------------------------------------------- jobs */

/* A row of the jobs table. */
struct store_job {
    int64_t id, part_id;
    char kind[8];   /* measure, price */
    char state[12]; /* queued, running, done, failed, cancelled */
    char stage[16];
    int progress; /* 0..100 */
    char error[256];
    int64_t created, started, finished; /* 0: not yet */
};

/* A queued job of kind ("measure" or "price") for part_id; the part's
 * state becomes queued, in the same transaction.  -1 with e filled when the
 * part does not exist. */
int store_job_create(struct store *s, int64_t part_id, const char *kind, int64_t *id,
                     struct err *e);

/* Job id: 1, 0 when there is no such job (or its part was deleted), -1. */
int store_job_get(struct store *s, int64_t id, struct store_job *out, struct err *e);

/* The jobs of part part_id, newest first, at most max of them into
 * out[0..*n): all of them, or with open_only only those still queued or
 * running.  out[0] with max 1 is the part's latest job.  0, or -1. */
int store_part_jobs(struct store *s, int64_t part_id, int open_only, struct store_job *out,
                    size_t max, size_t *n, struct err *e);

/* Moves job id to state (queued, running, done, failed, cancelled) at
 * stage and progress; error is required for failed and cancelled and
 * cleared otherwise.  started is set when it first runs, finished when it
 * ends (and cleared when it is queued again).  In the same transaction the
 * part takes the job's state and error when this is its latest job, and,
 * when results is not NULL, the results.  1 updated, 0 no such job (its part
 * was deleted), -1 on error. */
int store_job_update(struct store *s, int64_t id, const char *state, const char *stage,
                     int progress, const char *error, const struct store_part_results *results,
                     struct err *e);

/* Calls fn for each job still queued or running, oldest first (what a crash
 * left behind); fn returns nonzero to stop. */
int store_job_unfinished(struct store *s, int (*fn)(const struct store_job *j, void *ctx),
                         void *ctx, struct err *e);

#endif
