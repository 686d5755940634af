/*
 * test_quote_edit.c - customers and a quote's life: customers are added
 * with their limits checked (the field named), unique without regard to
 * case, searched and paged, renamed on their drafts only; quotes are made
 * with a customer, change only while drafts, move draft -> sent ->
 * accepted | rejected and nowhere else, are duplicated and revised (B, C,
 * ... Z) with their parts and the original untouched, are not copied while
 * a part is busy, and are listed with every filter, expired computed.
 */
#include "store_internal.h"
#include "test.h"
#include "tmpdir.h"

static char dir[64];

#define SHA_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static struct store *open_fresh(void)
{
    struct store *s = NULL;
    struct err e = {""};
    tmpdir_make(dir, sizeof dir);
    if (store_open(&s, dir, 5000, &e) != 0) {
        fprintf(stderr, "store_open: %s\n", e.msg);
        exit(2);
    }
    return s;
}

static void close_fresh(struct store *s)
{
    store_close(s, 0);
    tmpdir_remove(dir);
}

static int64_t customer(struct store *s, const char *name)
{
    struct store_customer c;
    struct err e = {""};
    int64_t id = -1;
    memset(&c, 0, sizeof c);
    c.name = name;
    if (store_customer_add(s, &c, &id, &e) != 0)
        fprintf(stderr, "store_customer_add: %s\n", e.msg);
    return id;
}

static int64_t quote(struct store *s, int64_t cust, const char *notes)
{
    struct store_quote_init in;
    struct store_quote q;
    struct err e = {""};
    memset(&in, 0, sizeof in);
    in.currency = "EUR";
    in.customer_id = cust;
    in.notes = notes;
    if (store_quote_new(s, &in, &q, &e) != 0) {
        fprintf(stderr, "store_quote_new: %s\n", e.msg);
        return -1;
    }
    return q.id;
}

/* A part as the jobs leave it: total -1 unpriced. */
static int64_t part(struct store *s, int64_t q, const char *name, int64_t total, const char *state)
{
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(s->db,
                       "INSERT INTO parts (quote_id, position, file_name, stored_path, sha256, "
                       "size_bytes, qty, total_minor, thumb_path, state, created, updated) "
                       "VALUES (?1, (SELECT coalesce(max(position), 0) + 1 FROM parts WHERE "
                       "quote_id = ?1), ?2, 'files/x.dxf.gz', ?3, 1, 1, ?4, 'previews/t.png', "
                       "?5, 1, 1)",
                       -1, &st, NULL);
    sqlite3_bind_int64(st, 1, q);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, SHA_A, -1, SQLITE_STATIC);
    if (total >= 0)
        sqlite3_bind_int64(st, 4, total);
    sqlite3_bind_text(st, 5, state, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? sqlite3_last_insert_rowid(s->db) : -1;
}

static int set_status(struct store *s, int64_t id, const char *status)
{
    struct store_quote_change ch = {NULL, NULL, NULL, status};
    struct err e = {""};
    return store_quote_update(s, id, &ch, 0, NULL, &e);
}

static void get(struct store *s, struct arena *a, int64_t id, struct store_quote *q)
{
    struct err e = {""};
    if (store_quote_get(s, a, id, q, &e) != 1)
        memset(q, 0, sizeof *q);
}

/* --------------------------------------------------------------- customers */

static int count_one(const struct store_customer *c, void *ctx)
{
    (void)c;
    ++*(int *)ctx;
    return 0;
}

TEST(customers_checked_unique_and_searched)
{
    struct store *s = open_fresh();
    struct arena *a = arena_new(0);
    struct store_customer c, got;
    struct err e = {""};
    const char *field = NULL;
    int64_t id = 0, total = 0;
    char long_name[300];

    memset(&c, 0, sizeof c);
    CHECK(store_customer_check(&c, 1, &field, &e) == -1 && !strcmp(field, "name"));
    c.name = "  ";
    CHECK(store_customer_check(&c, 1, &field, &e) == -1 && !strcmp(field, "name"));
    memset(long_name, 'x', 201);
    long_name[201] = '\0';
    c.name = long_name;
    CHECK(store_customer_check(&c, 1, &field, &e) == -1 && !strcmp(field, "name"));
    c.name = "Acme";
    c.email = "a@";
    CHECK(store_customer_check(&c, 1, &field, &e) == -1 && !strcmp(field, "email"));
    c.email = "a b@c";
    CHECK(store_customer_check(&c, 1, &field, &e) == -1);
    c.email = "buy@acme.test";
    c.phone = "012345678901234567890123456789012345678901234567890"; /* 51 */
    CHECK(store_customer_check(&c, 1, &field, &e) == -1 && !strcmp(field, "phone"));
    c.phone = "+44 1";
    CHECK(store_customer_check(&c, 1, &field, &e) == 0 && field == NULL);

    CHECK(store_customer_add(s, &c, &id, &e) == 0 && id > 0);
    c.name = "ACME";
    CHECK(store_customer_add(s, &c, &id, &e) == STORE_TAKEN);
    CHECK(strstr(e.msg, "exists already") != NULL);
    CHECK(customer(s, "Beta") > 0 && customer(s, "Gamma 100%") > 0);

    CHECK(store_customer_get(s, a, 1, &got, &e) == 1);
    CHECK_STR(got.name, "Acme");
    CHECK_STR(got.email, "buy@acme.test");
    CHECK_STR(got.company, "");
    CHECK(got.quotes == 0);
    CHECK(store_customer_get(s, a, 99, &got, &e) == 0);

    int n = 0;
    CHECK(store_customer_list(s, a, NULL, 2, 0, count_one, &n, &total, &e) == 0);
    CHECK(n == 2 && total == 3);
    n = 0;
    CHECK(store_customer_list(s, a, "ACME.TEST", 50, 0, count_one, &n, &total, &e) == 0);
    CHECK(n == 1 && total == 1);
    n = 0; /* % is a character, not a wildcard */
    CHECK(store_customer_list(s, a, "%", 50, 0, count_one, &n, &total, &e) == 0);
    CHECK(n == 1 && total == 1);
    n = 0;
    CHECK(store_customer_list(s, a, "x' OR '1'='1", 50, 0, count_one, &n, &total, &e) == 0);
    CHECK(n == 0 && total == 0);
    arena_free(a);
    close_fresh(s);
}

TEST(customer_rename_reaches_drafts_only)
{
    struct store *s = open_fresh();
    struct arena *a = arena_new(0);
    struct store_customer ch;
    struct store_quote q;
    struct err e = {""};
    int64_t acme = customer(s, "Acme"), beta = customer(s, "Beta");
    int64_t draft = quote(s, acme, NULL), sent = quote(s, acme, NULL);
    CHECK(set_status(s, sent, "sent") == 1);

    memset(&ch, 0, sizeof ch);
    ch.name = "beta";
    CHECK(store_customer_update(s, acme, &ch, &e) == STORE_TAKEN);
    ch.name = "Acme Group";
    ch.notes = "key account";
    CHECK(store_customer_update(s, acme, &ch, &e) == 1);
    CHECK(store_customer_update(s, 99, &ch, &e) == 0);
    get(s, a, draft, &q);
    CHECK_STR(q.customer, "Acme Group");
    get(s, a, sent, &q);
    CHECK_STR(q.customer, "Acme");
    CHECK(q.customer_id == acme);
    (void)beta;
    arena_free(a);
    close_fresh(s);
}

/* ----------------------------------------------------------------- quotes */

TEST(quote_made_with_customer_and_notes)
{
    struct store *s = open_fresh();
    struct arena *a = arena_new(0);
    struct store_quote_init in;
    struct store_quote q;
    struct err e = {""};
    char notes[10002];
    int64_t acme = customer(s, "Acme");

    memset(&in, 0, sizeof in);
    in.currency = "EUR";
    in.customer_id = 77;
    CHECK(store_quote_new(s, &in, &q, &e) == STORE_QUOTE_NO_CUSTOMER);
    CHECK(strstr(e.msg, "no customer 77") != NULL);
    memset(notes, 'n', 10001);
    notes[10001] = '\0';
    in.customer_id = acme;
    in.notes = notes;
    CHECK(store_quote_new(s, &in, &q, &e) == -1);
    in.notes = "rush";
    in.valid_until = 2000000000;
    CHECK(store_quote_new(s, &in, &q, &e) == 0);
    get(s, a, q.id, &q);
    CHECK_STR(q.customer, "Acme");
    CHECK_STR(q.notes, "rush");
    CHECK(q.customer_id == acme && q.valid_until == 2000000000 && q.revision == 0);
    /* Nothing was numbered by the refusals. */
    CHECK(strlen(q.number) == 11 && !strcmp(q.number + 7, "0001"));
    arena_free(a);
    close_fresh(s);
}

TEST(only_drafts_change_and_status_moves_one_way)
{
    struct store *s = open_fresh();
    struct arena *a = arena_new(0);
    struct store_quote q;
    struct err e = {""};
    char from[16];
    int64_t acme = customer(s, "Acme"), id = quote(s, 0, "a");
    int64_t none = 0, until = 1900000000, bad = 55;

    struct store_quote_change ch = {&acme, "b", &until, NULL};
    CHECK(store_quote_update(s, id, &ch, 1000, from, &e) == 1);
    CHECK_STR(from, "draft");
    get(s, a, id, &q);
    CHECK(q.customer_id == acme && q.valid_until == until && q.updated == 1000);
    CHECK_STR(q.notes, "b");
    CHECK_STR(q.customer, "Acme");
    ch = (struct store_quote_change){&bad, NULL, NULL, NULL};
    CHECK(store_quote_update(s, id, &ch, 0, NULL, &e) == STORE_QUOTE_NO_CUSTOMER);
    ch = (struct store_quote_change){&none, NULL, NULL, NULL};
    CHECK(store_quote_update(s, id, &ch, 0, NULL, &e) == 1);
    get(s, a, id, &q);
    CHECK(q.customer_id == 0);
    CHECK_STR(q.customer, "");

    CHECK(set_status(s, id, "accepted") == STORE_QUOTE_TRANSITION);
    ch = (struct store_quote_change){NULL, NULL, NULL, "accepted"};
    CHECK(store_quote_update(s, id, &ch, 0, NULL, &e) == STORE_QUOTE_TRANSITION);
    CHECK(strstr(e.msg, "draft") && strstr(e.msg, "accepted"));
    ch = (struct store_quote_change){NULL, NULL, NULL, "sent"};
    CHECK(store_quote_update(s, id, &ch, 2000, NULL, &e) == 1);
    get(s, a, id, &q);
    CHECK_STR(q.status, "sent");
    CHECK(q.sent_at == 2000 && q.decided_at == 0);

    /* A sent quote keeps what it was sent with; the same value is no change. */
    ch = (struct store_quote_change){NULL, "c", NULL, NULL};
    CHECK(store_quote_update(s, id, &ch, 0, from, &e) == STORE_QUOTE_REVISE);
    CHECK(strstr(e.msg, q.number) && strstr(e.msg, "revise"));
    ch = (struct store_quote_change){&acme, NULL, NULL, NULL};
    CHECK(store_quote_update(s, id, &ch, 0, NULL, &e) == STORE_QUOTE_REVISE);
    ch = (struct store_quote_change){&none, "b", &until, "sent"};
    CHECK(store_quote_update(s, id, &ch, 0, NULL, &e) == 1);
    ch = (struct store_quote_change){NULL, "changed", NULL, "accepted"};
    CHECK(store_quote_update(s, id, &ch, 0, NULL, &e) == STORE_QUOTE_REVISE);
    get(s, a, id, &q);
    CHECK_STR(q.status, "sent");
    CHECK_STR(q.notes, "b");

    CHECK(set_status(s, id, "draft") == STORE_QUOTE_TRANSITION);
    ch = (struct store_quote_change){NULL, NULL, NULL, "rejected"};
    CHECK(store_quote_update(s, id, &ch, 3000, from, &e) == 1);
    CHECK_STR(from, "sent");
    get(s, a, id, &q);
    CHECK(q.decided_at == 3000 && q.sent_at == 2000);
    CHECK(set_status(s, id, "accepted") == STORE_QUOTE_TRANSITION);
    CHECK(set_status(s, id, "sent") == STORE_QUOTE_TRANSITION);
    CHECK(set_status(s, id, "expired") == STORE_QUOTE_TRANSITION);
    CHECK(set_status(s, 999, "sent") == 0);
    arena_free(a);
    close_fresh(s);
}

static int count_parts(const struct store_part *p, void *ctx)
{
    (void)p;
    ++*(int *)ctx;
    return 0;
}

TEST(duplicate_and_revise_copy_everything_and_leave_the_original)
{
    struct store *s = open_fresh();
    struct arena *a = arena_new(0);
    struct store_quote q, b, c, orig;
    struct err e = {""};
    int64_t acme = customer(s, "Acme"), id = quote(s, acme, "orig"), bid = 0, cid = 0, did = 0;
    CHECK(part(s, id, "one.dxf", 100, "done") > 0);
    CHECK(part(s, id, "two.dxf", -1, "failed") > 0);
    get(s, a, id, &orig);

    CHECK(store_quote_revise(s, id, 0, 0, &bid, &e) == STORE_QUOTE_REVISE);
    CHECK(strstr(e.msg, "draft") != NULL);
    CHECK(set_status(s, id, "sent") == 1);
    get(s, a, id, &orig);
    CHECK(store_quote_revise(s, id, 0, 1900000000, &bid, &e) == 1);
    get(s, a, bid, &b);
    char want[40];
    snprintf(want, sizeof want, "%s-B", orig.number);
    CHECK_STR(b.number, want);
    CHECK_STR(b.status, "draft");
    CHECK_STR(b.notes, "orig");
    CHECK(b.revision == 1 && b.revision_of == id && b.customer_id == acme);
    CHECK(b.valid_until == 1900000000);
    int n = 0;
    CHECK(store_part_list(s, a, bid, count_parts, &n, &e) == 0 && n == 2);
    n = 0;
    CHECK(store_part_list(s, a, id, count_parts, &n, &e) == 0 && n == 2);
    get(s, a, id, &q);
    CHECK_STR(q.status, "sent");
    CHECK(q.updated == orig.updated);

    /* Only the newest revision is revised, and only when sent or rejected. */
    CHECK(store_quote_revise(s, id, 0, 0, &cid, &e) == STORE_QUOTE_REVISE);
    CHECK(strstr(e.msg, want) != NULL);
    CHECK(store_quote_revise(s, bid, 0, 0, &cid, &e) == STORE_QUOTE_REVISE);
    CHECK(set_status(s, bid, "sent") == 1 && set_status(s, bid, "rejected") == 1);
    CHECK(store_quote_revise(s, bid, 0, 0, &cid, &e) == 1);
    get(s, a, cid, &c);
    snprintf(want, sizeof want, "%s-C", orig.number);
    CHECK_STR(c.number, want);
    CHECK(c.revision == 2 && c.revision_of == bid && c.valid_until == 0);

    /* Duplicates take the next plain number; a busy part stops a copy. */
    CHECK(store_quote_duplicate(s, cid, 0, 0, &did, &e) == 1);
    get(s, a, did, &q);
    CHECK(q.revision == 0 && q.revision_of == 0 && q.customer_id == acme);
    CHECK(!strcmp(q.number + 7, "0002"));
    CHECK(part(s, did, "three.dxf", -1, "running") > 0);
    int64_t x = 0;
    CHECK(store_quote_duplicate(s, did, 0, 0, &x, &e) == STORE_QUOTE_BUSY);
    CHECK(strstr(e.msg, "being measured") != NULL);
    CHECK(store_quote_duplicate(s, 999, 0, 0, &x, &e) == 0);

    /* A copy takes previews of its own names. */
    struct store_part sp;
    int64_t pid = part(s, did, "four.dxf", 1, "done");
    CHECK(store_part_set_previews(s, pid, "previews/9-detail.png", NULL, &e) == 1);
    CHECK(store_part_get(s, a, pid, &sp, &e) == 1);
    CHECK_STR(sp.preview_path, "previews/9-detail.png");
    CHECK(sp.thumb_path == NULL);
    CHECK(store_part_set_previews(s, 9999, NULL, NULL, &e) == 0);

    /* After -Z there is no letter left. */
    CHECK(set_status(s, cid, "sent") == 1);
    sqlite3_exec(s->db, "UPDATE quotes SET revision = 25 WHERE revision = 2", NULL, NULL, NULL);
    CHECK(store_quote_revise(s, cid, 0, 0, &x, &e) == STORE_QUOTE_LETTERS);
    arena_free(a);
    close_fresh(s);
}

/* ----------------------------------------------------------------- listing */

struct seen {
    int n;
    int64_t id[16];
    struct store_quote_row last;
};

static int see(const struct store_quote_row *r, void *ctx)
{
    struct seen *v = ctx;
    if (v->n < 16)
        v->id[v->n] = r->q.id;
    v->n++;
    v->last = *r;
    return 0;
}

static int list(struct store *s, struct arena *a, struct store_quote_filter f, struct seen *v,
                int64_t *total)
{
    struct err e = {""};
    memset(v, 0, sizeof *v);
    if (!f.limit)
        f.limit = 50;
    return store_quote_list(s, a, &f, see, v, total, &e);
}

TEST(list_filters_and_figures)
{
    struct store *s = open_fresh();
    struct arena *a = arena_new(0);
    struct store_quote_filter f;
    struct store_quote_row row;
    struct seen v;
    struct err e = {""};
    int64_t total = 0, acme = customer(s, "Acme");
    int64_t q1 = quote(s, acme, NULL), q2 = quote(s, 0, NULL), q3 = quote(s, 0, NULL);
    int64_t p1 = part(s, q2, "flange_10%.dxf", 250, "done");
    part(s, q2, "plate.dxf", 50, "done");
    part(s, q3, "plate.dxf", -1, "failed");
    CHECK(set_status(s, q1, "sent") == 1 && set_status(s, q2, "sent") == 1);
    sqlite3_exec(s->db, "UPDATE quotes SET valid_until = 1000, created = created - 10 WHERE id = 1",
                 NULL, NULL, NULL);

    memset(&f, 0, sizeof f);
    CHECK(list(s, a, f, &v, &total) == 0 && v.n == 3 && total == 3);
    CHECK(v.id[0] == q3 && v.id[2] == q1); /* newest first */
    f.status = "expired";
    CHECK(list(s, a, f, &v, &total) == 0 && v.n == 1 && v.id[0] == q1);
    f.status = "sent";
    CHECK(list(s, a, f, &v, &total) == 0 && v.n == 1 && v.id[0] == q2);
    f.status = "draft";
    CHECK(list(s, a, f, &v, &total) == 0 && v.n == 1 && v.id[0] == q3);
    f.status = NULL;
    f.q = "FLANGE";
    CHECK(list(s, a, f, &v, &total) == 0 && v.n == 1 && v.id[0] == q2);
    CHECK(v.last.parts == 2 && v.last.priced == 2 && v.last.subtotal_minor == 300);
    CHECK(v.last.first_part == p1);
    f.q = "_10%";
    CHECK(list(s, a, f, &v, &total) == 0 && v.n == 1);
    f.q = "0%";
    CHECK(list(s, a, f, &v, &total) == 0 && v.n == 1);
    f.q = "plate";
    CHECK(list(s, a, f, &v, &total) == 0 && v.n == 2 && total == 2);
    f.q = "acme";
    CHECK(list(s, a, f, &v, &total) == 0 && v.n == 1 && v.id[0] == q1);
    f.q = NULL;
    f.customer_id = acme;
    CHECK(list(s, a, f, &v, &total) == 0 && v.n == 1 && v.id[0] == q1);
    f.customer_id = 0;
    f.limit = 1;
    f.offset = 2;
    CHECK(list(s, a, f, &v, &total) == 0 && v.n == 1 && total == 3 && v.id[0] == q1);
    f.limit = 201;
    CHECK(store_quote_list(s, a, &f, see, &v, &total, &e) == -1);
    f.limit = 50;
    f.offset = 0;
    f.from = store_time() + 3600;
    CHECK(list(s, a, f, &v, &total) == 0 && v.n == 0 && total == 0);
    f.from = 0;
    f.to = store_time() - 5;
    CHECK(list(s, a, f, &v, &total) == 0 && v.n == 1 && v.id[0] == q1);

    CHECK(store_quote_row(s, a, q3, &row, &e) == 1);
    CHECK(row.parts == 1 && row.priced == 0 && row.subtotal_minor == 0);
    CHECK(store_quote_row(s, a, 99, &row, &e) == 0);
    arena_free(a);
    close_fresh(s);
}

static int count_rev(const struct store_quote *q, void *ctx)
{
    struct seen *v = ctx;
    if (v->n < 16)
        v->id[v->n] = q->id;
    v->n++;
    return 0;
}

TEST(revisions_listed_in_letter_order)
{
    struct store *s = open_fresh();
    struct arena *a = arena_new(0);
    struct seen v;
    struct err e = {""};
    int64_t id = quote(s, 0, NULL), other = quote(s, 0, NULL), b = 0, c = 0;
    CHECK(set_status(s, id, "sent") == 1 && store_quote_revise(s, id, 0, 0, &b, &e) == 1);
    CHECK(set_status(s, b, "sent") == 1 && store_quote_revise(s, b, 0, 0, &c, &e) == 1);
    memset(&v, 0, sizeof v);
    CHECK(store_quote_revisions(s, a, b, count_rev, &v, &e) == 0);
    CHECK(v.n == 3 && v.id[0] == id && v.id[1] == b && v.id[2] == c);
    memset(&v, 0, sizeof v);
    CHECK(store_quote_revisions(s, a, other, count_rev, &v, &e) == 0);
    CHECK(v.n == 1 && v.id[0] == other);
    arena_free(a);
    close_fresh(s);
}

int main(void)
{
    RUN(customers_checked_unique_and_searched);
    RUN(customer_rename_reaches_drafts_only);
    RUN(quote_made_with_customer_and_notes);
    RUN(only_drafts_change_and_status_moves_one_way);
    RUN(duplicate_and_revise_copy_everything_and_leave_the_original);
    RUN(list_filters_and_figures);
    RUN(revisions_listed_in_letter_order);
    return test_report();
}
