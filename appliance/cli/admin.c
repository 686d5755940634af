/*
 * admin.c - the admin's commands: user add|passwd|list, backup, serve.
 *
 * Passwords come from stdin: on a terminal they are asked for twice with
 * echo off; from a pipe the first line is taken.  An empty answer, or
 * --generate, makes a random 16-character password that is printed once.
 * Passwords never appear in argv (where `ps` would show them) or in logs.
 */
#include "args.h"
#include "http/http.h"
#include "store/store.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define PASSWORD_MAX 256

static const struct args_spec db_opts[] = {
    {"--config", 1}, {"--data", 1}, {"--role", 1}, {"--generate", 0}, {NULL, 0}};

/* Opens the database named by the configuration. 0, or an exit code. */
static int open_db(const struct args *a, struct cfg **c, struct store **s)
{
    struct err e;
    int rc = args_config(a, c);
    if (rc != 0)
        return rc;
    /* A command's own output is what matters; routine log lines (such as
     * "migration applied") would only clutter it. */
    log_open(LOG_WARN, NULL, 0, 0, NULL);
    if (store_open(s, cfg_str(*c, CFG_DATA_DIR), (int)cfg_int(*c, CFG_DATA_BUSY_TIMEOUT_MS),
                   &e) != 0) {
        cfg_free(*c);
        return cli_fail(1, "%s", e.msg);
    }
    return 0;
}

/* Reads one line without its newline; echo off on a terminal. -1 on EOF. */
static int read_line(const char *prompt, char *buf, size_t n)
{
    struct termios old, quiet;
    int tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        fprintf(stderr, "%s", prompt);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    char *got = fgets(buf, (int)n, stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (!got)
        return -1;
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

/* A password of 16 characters from an alphabet without look-alikes. */
static int generate_password(char *buf, size_t n)
{
    static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    unsigned char raw[16];
    struct err e;
    if (n < sizeof raw + 1 || store_random(raw, sizeof raw, &e) != 0)
        return -1;
    for (size_t i = 0; i < sizeof raw; i++)
        buf[i] = alphabet[raw[i] % (sizeof alphabet - 1)];
    buf[sizeof raw] = '\0';
    return 0;
}

/* Fills pw from stdin or by generation; *generated tells which. */
static int get_password(const struct args *a, char *pw, size_t n, int *generated)
{
    char again[PASSWORD_MAX];
    *generated = 0;
    if (!args_get(a, "--generate")) {
        if (read_line("New password (empty: generate one): ", pw, n) != 0)
            pw[0] = '\0';
        if (pw[0] && isatty(STDIN_FILENO)) {
            if (read_line("Repeat it: ", again, sizeof again) != 0 || strcmp(pw, again) != 0)
                return cli_fail(1, "the two passwords differ; nothing was changed");
        }
        if (pw[0])
            return 0;
    }
    if (generate_password(pw, n) != 0)
        return cli_fail(1, "cannot read random bytes to generate a password");
    *generated = 1;
    return 0;
}

static int print_user(const struct store_user *u, void *ctx)
{
    (void)ctx;
    printf("%-24s %s%s\n", u->name, store_role_name(u->role), u->disabled ? " (disabled)" : "");
    return 0;
}

int cli_user(int argc, char **argv)
{
    struct args a;
    struct cfg *c;
    struct store *s;
    struct err e;
    char pw[PASSWORD_MAX];
    int generated, rc;

    if (argc < 1)
        return cli_fail(2, "user: expected add, passwd or list");
    const char *sub = argv[0];
    if (args_parse(&a, argc - 1, argv + 1, db_opts, "user") != 0)
        return 2;
    if (!strcmp(sub, "list")) {
        if (a.npos != 0 || args_get(&a, "--role") || args_get(&a, "--generate"))
            return cli_fail(2, "user list: takes only --config and --data");
    } else if (!strcmp(sub, "add") || !strcmp(sub, "passwd")) {
        if (a.npos != 1)
            return cli_fail(2, "user %s: expected one user NAME", sub);
    } else {
        return cli_fail(2, "user: unknown subcommand '%s'; expected add, passwd or list", sub);
    }
    enum store_role role = STORE_ROLE_SALES;
    if (!strcmp(sub, "add")) {
        const char *r = args_get(&a, "--role");
        if (!r)
            return cli_fail(2, "user add: --role admin|sales is required");
        if (store_role_parse(r, &role) != 0)
            return cli_fail(2, "user add: --role must be admin or sales, not '%s'", r);
    } else if (args_get(&a, "--role")) {
        return cli_fail(2, "user %s: --role is only for user add", sub);
    }
    if ((rc = open_db(&a, &c, &s)) != 0)
        return rc;
    int cost = (int)cfg_int(c, CFG_SECURITY_PASSWORD_COST);

    if (!strcmp(sub, "list")) {
        rc = store_user_list(s, print_user, NULL, &e) == 0 ? 0 : cli_fail(1, "%s", e.msg);
    } else if ((rc = get_password(&a, pw, sizeof pw, &generated)) == 0) {
        int ok = !strcmp(sub, "add")
                     ? store_user_add(s, a.pos[0], role, pw, cost, &e)
                     : store_user_passwd(s, a.pos[0], pw, cost, &e);
        if (ok != 0) {
            rc = cli_fail(1, "%s", e.msg);
        } else {
            store_audit(s, NULL, !strcmp(sub, "add") ? "user.add" : "user.passwd", a.pos[0],
                        &e);
            if (generated)
                printf("Password for %s (shown once): %s\n", a.pos[0], pw);
            else
                printf("%s %s.\n", !strcmp(sub, "add") ? "Added" : "Changed the password of",
                       a.pos[0]);
        }
        memset(pw, 0, sizeof pw);
    }
    store_close(s, 0);
    cfg_free(c);
    return rc;
}

int cli_backup(int argc, char **argv)
{
    static const struct args_spec opts[] = {{"--config", 1}, {"--data", 1}, {NULL, 0}};
    struct args a;
    struct cfg *c;
    struct store *s;
    struct err e;
    int rc;

    if (args_parse(&a, argc, argv, opts, "backup") != 0)
        return 2;
    if (a.npos != 1)
        return cli_fail(2, "backup: expected one FILE to write");
    if ((rc = open_db(&a, &c, &s)) != 0)
        return rc;
    double t0 = core_now();
    if (store_backup(s, a.pos[0], &e) != 0) {
        rc = cli_fail(1, "%s", e.msg);
    } else {
        struct stat st;
        long long bytes = stat(a.pos[0], &st) == 0 ? (long long)st.st_size : -1;
        printf("Backed up %s to %s (%lld bytes, %.0f ms).\n", cfg_str(c, CFG_DATA_DIR), a.pos[0],
               bytes, (core_now() - t0) * 1000);
    }
    store_close(s, 0);
    cfg_free(c);
    return rc;
}

int cli_serve(int argc, char **argv)
{
    static const struct args_spec opts[] = {
        {"--config", 1}, {"--data", 1}, {"--listen", 1}, {NULL, 0}};
    struct args a;
    struct cfg *c;
    struct err e;
    int rc;

    if (args_parse(&a, argc, argv, opts, "serve") != 0)
        return 2;
    if (a.npos != 0)
        return cli_fail(2, "serve: unexpected argument '%s'", a.pos[0]);
    if ((rc = args_config(&a, &c)) != 0)
        return rc;

    const char *dir = cfg_str(c, CFG_DATA_DIR);
    if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
        cfg_free(c);
        return cli_fail(1, "cannot create the data folder %s: %s", dir, strerror(errno));
    }
    const char *file = cfg_str(c, CFG_LOG_FILE);
    char path[4096];
    if (*file)
        snprintf(path, sizeof path, "%s%s%s", file[0] == '/' ? "" : dir,
                 file[0] == '/' ? "" : "/", file);
    if (log_open((enum log_level)log_level_parse(cfg_str(c, CFG_LOG_LEVEL)), *file ? path : NULL,
                 (size_t)cfg_int(c, CFG_LOG_MAX_MB) << 20, (int)cfg_int(c, CFG_LOG_KEEP),
                 &e) != 0) {
        cfg_free(c);
        return cli_fail(1, "%s", e.msg);
    }
    rc = http_serve(c, &e);
    if (rc != 0) {
        log_error("cannot start", "error=%s", log_q(path, sizeof path, e.msg));
        rc = 1;
    }
    log_close();
    cfg_free(c);
    return rc;
}
