/*
 * test_users.c - accounts: add, duplicate names, bad names and short
 * passwords with their exact messages, right and wrong passwords, disabled
 * accounts, password change (which ends sessions), listing in name order,
 * the timing of unknown names, and the audit log.
 */
#include "store_internal.h"
#include "test.h"
#include "tmpdir.h"

#include <time.h>

#define COST 1 /* the lowest yescrypt cost: keeps the tests fast */

static char dir[64];
static struct store *s;

static void setup(void)
{
    struct err e = {""};
    tmpdir_make(dir, sizeof dir);
    s = NULL;
    if (store_open(&s, dir, 5000, &e) != 0) {
        fprintf(stderr, "store_open: %s\n", e.msg);
        exit(2);
    }
}

static void teardown(void)
{
    store_close(s, 1);
    tmpdir_remove(dir);
}

TEST(add_and_check)
{
    struct err e = {""};
    struct store_user u;
    setup();
    int64_t before = (int64_t)time(NULL);
    CHECK(store_user_add(s, "anna", STORE_ROLE_ADMIN, "correct horse battery", COST, &e) == 0);
    CHECK(store_user_check(s, "anna", "correct horse battery", &u, &e) == 1);
    CHECK_STR(u.name, "anna");
    CHECK(u.role == STORE_ROLE_ADMIN);
    CHECK(u.id > 0 && !u.disabled);
    CHECK(u.created >= before && u.created <= (int64_t)time(NULL));
    CHECK(u.last_login >= u.created);
    CHECK(store_user_check(s, "anna", "correct horse batterY", &u, &e) == 0);
    CHECK(store_user_check(s, "anna", "", &u, &e) == 0);
    CHECK(store_user_check(s, "bob", "correct horse battery", &u, &e) == 0);
    /* Names are one account whatever their case. */
    CHECK(store_user_check(s, "ANNA", "correct horse battery", &u, &e) == 1);
    CHECK_STR(u.name, "anna");

    /* The stored form, never the password itself. */
    sqlite3 *db = raw_open(dir);
    char buf[256];
    raw_text(db, "SELECT password_hash FROM users WHERE name = 'anna'", buf, sizeof buf);
    CHECK(strncmp(buf, "$y$j75$", 7) == 0);
    CHECK(strstr(buf, "correct") == NULL);
    CHECK(raw_int(db, "SELECT last_login IS NOT NULL FROM users WHERE name = 'anna'") == 1);
    sqlite3_close(db);
    teardown();
}

TEST(duplicate_bad_name_short_password)
{
    struct err e = {""};
    setup();
    CHECK(store_user_add(s, "anna", STORE_ROLE_SALES, "0123456789", COST, &e) == 0);
    CHECK(store_user_add(s, "anna", STORE_ROLE_ADMIN, "0123456789", COST, &e) == -1);
    CHECK_STR(e.msg, "a user named anna already exists");
    CHECK(store_user_add(s, "Anna", STORE_ROLE_ADMIN, "0123456789", COST, &e) == -1);
    CHECK_STR(e.msg, "a user named Anna already exists");

    const char *name_msg = "user name must be 1-63 characters of letters A-Z a-z, digits 0-9, "
                           "'.', '_' or '-'";
    char long_name[65];
    memset(long_name, 'a', 64);
    long_name[64] = '\0';
    const char *bad[] = {"", "an na", "anna!", "ann/a", "änna", long_name};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(store_user_add(s, bad[i], STORE_ROLE_SALES, "0123456789", COST, &e) == -1);
        CHECK_STR(e.msg, name_msg);
    }
    long_name[63] = '\0'; /* 63 is allowed */
    CHECK(store_user_add(s, long_name, STORE_ROLE_SALES, "0123456789", COST, &e) == 0);
    CHECK(store_user_add(s, "a.b_c-D9", STORE_ROLE_SALES, "0123456789", COST, &e) == 0);

    CHECK(store_user_add(s, "bob", STORE_ROLE_SALES, "012345678", COST, &e) == -1);
    CHECK_STR(e.msg, "password must be at least 10 characters");
    /* Nine characters in eighteen bytes is still nine characters. */
    CHECK(store_user_add(s, "bob", STORE_ROLE_SALES, "ééééééééé", COST, &e) == -1);
    CHECK_STR(e.msg, "password must be at least 10 characters");
    CHECK(store_user_add(s, "bob", STORE_ROLE_SALES, "éééééééééé", COST, &e) == 0);
    CHECK(store_user_add(s, "carl", STORE_ROLE_SALES, "0123456789", 12, &e) == -1);
    CHECK_STR(e.msg, "password hash cost must be from 1 to 11, not 12");
    teardown();
}

TEST(passwd_changes_hash_and_ends_sessions)
{
    struct err e = {""};
    struct store_user u;
    setup();
    CHECK(store_user_add(s, "anna", STORE_ROLE_SALES, "first password", COST, &e) == 0);
    CHECK(store_user_add(s, "bob", STORE_ROLE_SALES, "bobs password", COST, &e) == 0);
    sqlite3 *db = raw_open(dir);
    CHECK(sqlite3_exec(db,
                       "INSERT INTO sessions(token_hash, user_id, created, last_seen, csrf_token) "
                       "SELECT printf('%064d', id), id, 1, 1, 'csrf-token-0123456789' FROM users",
                       NULL, NULL, NULL) == SQLITE_OK);
    CHECK(raw_int(db, "SELECT count(*) FROM sessions") == 2);

    CHECK(store_user_passwd(s, "anna", "second password", COST, &e) == 0);
    CHECK(store_user_check(s, "anna", "first password", &u, &e) == 0);
    CHECK(store_user_check(s, "anna", "second password", &u, &e) == 1);
    CHECK(raw_int(db, "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id "
                      "WHERE u.name = 'anna'") == 0);
    CHECK(raw_int(db, "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id "
                      "WHERE u.name = 'bob'") == 1);

    CHECK(store_user_passwd(s, "nobody", "second password", COST, &e) == -1);
    CHECK_STR(e.msg, "no user named nobody");
    CHECK(store_user_passwd(s, "anna", "short", COST, &e) == -1);
    CHECK_STR(e.msg, "password must be at least 10 characters");
    CHECK(store_user_check(s, "anna", "second password", &u, &e) == 1);
    sqlite3_close(db);
    teardown();
}

TEST(disabled_account_cannot_log_in)
{
    struct err e = {""};
    struct store_user u;
    setup();
    CHECK(store_user_add(s, "anna", STORE_ROLE_SALES, "first password", COST, &e) == 0);
    sqlite3 *db = raw_open(dir);
    sqlite3_exec(db, "UPDATE users SET disabled = 1", NULL, NULL, NULL);
    sqlite3_close(db);
    CHECK(store_user_check(s, "anna", "first password", &u, &e) == 0);
    teardown();
}

struct names {
    char all[256];
    int n, stop_after;
};

static int collect(const struct store_user *u, void *ctx)
{
    struct names *c = ctx;
    size_t len = strlen(c->all);
    snprintf(c->all + len, sizeof c->all - len, "%s%s:%s", len ? "," : "", u->name,
             store_role_name(u->role));
    return ++c->n == c->stop_after;
}

TEST(list_in_name_order)
{
    struct err e = {""};
    struct names c = {"", 0, 0};
    setup();
    CHECK(store_user_list(s, collect, &c, &e) == 0);
    CHECK_STR(c.all, "");
    CHECK(store_user_add(s, "carl", STORE_ROLE_SALES, "0123456789", COST, &e) == 0);
    CHECK(store_user_add(s, "Anna", STORE_ROLE_ADMIN, "0123456789", COST, &e) == 0);
    CHECK(store_user_add(s, "bob", STORE_ROLE_SALES, "0123456789", COST, &e) == 0);
    CHECK(store_user_list(s, collect, &c, &e) == 0);
    CHECK_STR(c.all, "Anna:admin,bob:sales,carl:sales");
    struct names first = {"", 0, 1};
    CHECK(store_user_list(s, collect, &first, &e) == 0);
    CHECK_STR(first.all, "Anna:admin");
    teardown();
}

TEST(roles)
{
    enum store_role r;
    CHECK_STR(store_role_name(STORE_ROLE_ADMIN), "admin");
    CHECK_STR(store_role_name(STORE_ROLE_SALES), "sales");
    CHECK(store_role_parse("admin", &r) == 0 && r == STORE_ROLE_ADMIN);
    CHECK(store_role_parse("sales", &r) == 0 && r == STORE_ROLE_SALES);
    CHECK(store_role_parse("Admin", &r) == -1);
    CHECK(store_role_parse("", &r) == -1);
}

/* Hash runs and the cost field of the last run, around one check. */
static unsigned long runs_of_check(const char *name, const char *password, char params[16])
{
    char before[16];
    struct store_user u;
    unsigned long n = store_password_runs(before);
    store_user_check(s, name, password, &u, NULL);
    return store_password_runs(params) - n;
}

/* An unknown or invalid name costs exactly what a wrong password does: one
 * yescrypt run at a real user's cost.  Counted, not timed: timings on a
 * shared machine prove nothing. */
TEST(unknown_name_takes_as_long_as_wrong_password)
{
    struct err e = {""};
    char wrong[16], unknown[16], invalid[16], none[16];
    setup();
    /* No user yet: the dummy hash runs at the default cost (5 is "j9T"). */
    CHECK(runs_of_check("nobody", "wrong password", none) == 1);
    CHECK_STR(none, "j9T");
    CHECK(store_user_add(s, "anna", STORE_ROLE_SALES, "0123456789", 3, &e) == 0);
    CHECK(runs_of_check("anna", "wrong password", wrong) == 1);
    CHECK(runs_of_check("nobody", "wrong password", unknown) == 1);
    CHECK(runs_of_check("not a valid name!", "wrong password", invalid) == 1);
    CHECK_STR(unknown, wrong);
    CHECK_STR(invalid, wrong);
    CHECK(strcmp(wrong, "j9T") != 0); /* anna's cost, not the default */
    teardown();
}

TEST(audit_log)
{
    struct err e = {""};
    setup();
    int64_t before = (int64_t)time(NULL);
    CHECK(store_audit(s, "anna", "user.add", "added bob (sales)", &e) == 0);
    CHECK(store_audit(s, NULL, "server.start", NULL, &e) == 0);
    CHECK(store_audit(s, "anna", "", "x", &e) == -1);
    CHECK_STR(e.msg, "audit entry needs an action");
    sqlite3 *db = raw_open(dir);
    char buf[128];
    CHECK(raw_int(db, "SELECT count(*) FROM audit_log") == 2);
    CHECK_STR(raw_text(db,
                       "SELECT user_name || '|' || action || '|' || detail FROM audit_log "
                       "ORDER BY id LIMIT 1",
                       buf, sizeof buf),
              "anna|user.add|added bob (sales)");
    CHECK(raw_int(db, "SELECT count(*) FROM audit_log WHERE user_name IS NULL AND action = "
                      "'server.start' AND detail = ''") == 1);
    CHECK(raw_int(db, "SELECT min(time) FROM audit_log") >= before);
    sqlite3_close(db);
    teardown();
}

int main(void)
{
    RUN(add_and_check);
    RUN(duplicate_bad_name_short_password);
    RUN(passwd_changes_hash_and_ends_sessions);
    RUN(disabled_account_cannot_log_in);
    RUN(list_in_name_order);
    RUN(roles);
    RUN(unknown_name_takes_as_long_as_wrong_password);
    RUN(audit_log);
    return test_report();
}
