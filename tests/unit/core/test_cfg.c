/*
 * test_cfg.c - appliance.ini: every key's default and limits, bad values,
 * bad lines, precedence, and the documented file in the repository.
 */
#include "core/core.h"
#include "test.h"

#include <stdlib.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/dxfq-cfg-XXXXXX";

/* Writes text to a fresh file and returns its path (static buffer). */
static const char *write_ini(const char *text)
{
    static char path[256];
    static int n;
    snprintf(path, sizeof path, "%s/t%d.ini", tmpdir, n++);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

/* Loads text as a config file; returns 0 or -1 with e filled. */
static int load_text(const char *text, struct cfg **c, struct err *e)
{
    return cfg_load(c, write_ini(text), e);
}

TEST(defaults_are_valid_and_in_range)
{
    struct cfg *c;
    struct err e;
    CHECK(cfg_load(&c, write_ini(""), &e) == 0);
    const struct cfg_key *t = cfg_table();
    for (int id = 0; id < CFG_COUNT; id++) {
        CHECK_STR(cfg_origin(c, (enum cfg_id)id), "default");
        if (t[id].type == CFG_INT) {
            CHECK(cfg_int(c, (enum cfg_id)id) >= (long long)t[id].min);
            CHECK(cfg_int(c, (enum cfg_id)id) <= (long long)t[id].max);
            CHECK(t[id].min <= t[id].max);
        }
        if (t[id].type == CFG_REAL)
            CHECK(cfg_real(c, (enum cfg_id)id) >= t[id].min &&
                  cfg_real(c, (enum cfg_id)id) <= t[id].max);
        CHECK(t[id].help && t[id].help[0]);
    }
    /* The defaults the issue asks for. */
    CHECK_STR(cfg_str(c, CFG_HTTP_LISTEN), "0.0.0.0:8080");
    CHECK_STR(cfg_str(c, CFG_DATA_DIR), "data");
    CHECK(cfg_int(c, CFG_LIMITS_UPLOAD_MB) == 50);
    CHECK(cfg_int(c, CFG_JOBS_WORKERS) == 6);
    CHECK(cfg_int(c, CFG_JOBS_QUEUE) == 15);
    CHECK(cfg_int(c, CFG_JOBS_DEADLINE_S) == 300);
    CHECK(cfg_int(c, CFG_SECURITY_SESSION_IDLE_MIN) == 30);
    CHECK(cfg_int(c, CFG_LIMITS_MAX_NESTING) == 16);
    CHECK_NEAR(cfg_real(c, CFG_GEOMETRY_JOIN_TOLERANCE_MM), 0.01, 0);
    cfg_free(c);
}

TEST(every_key_limits)
{
    struct cfg *c;
    struct err e;
    char v[64];
    CHECK(cfg_load(&c, write_ini(""), &e) == 0);
    const struct cfg_key *t = cfg_table();
    for (int id = 0; id < CFG_COUNT; id++) {
        enum cfg_id k = (enum cfg_id)id;
        switch (t[id].type) {
        case CFG_INT:
            snprintf(v, sizeof v, "%.0f", t[id].min);
            CHECK(cfg_set(c, k, v, "--t", &e) == 0 && cfg_int(c, k) == (long long)t[id].min);
            snprintf(v, sizeof v, "%.0f", t[id].max);
            CHECK(cfg_set(c, k, v, "--t", &e) == 0 && cfg_int(c, k) == (long long)t[id].max);
            snprintf(v, sizeof v, "%.0f", t[id].min - 1);
            CHECK(cfg_set(c, k, v, "--t", &e) == -1);
            CHECK(strstr(e.msg, t[id].name) != NULL);
            snprintf(v, sizeof v, "%.0f", t[id].max + 1);
            CHECK(cfg_set(c, k, v, "--t", &e) == -1);
            CHECK(cfg_set(c, k, "12abc", "--t", &e) == -1);
            CHECK(cfg_set(c, k, "", "--t", &e) == -1);
            CHECK(cfg_set(c, k, "1.5", "--t", &e) == -1);
            break;
        case CFG_REAL:
            snprintf(v, sizeof v, "%.17g", t[id].min);
            CHECK(cfg_set(c, k, v, "--t", &e) == 0 && cfg_real(c, k) == t[id].min);
            snprintf(v, sizeof v, "%.17g", t[id].max);
            CHECK(cfg_set(c, k, v, "--t", &e) == 0 && cfg_real(c, k) == t[id].max);
            snprintf(v, sizeof v, "%.17g", t[id].max * 2 + 1);
            CHECK(cfg_set(c, k, v, "--t", &e) == -1);
            snprintf(v, sizeof v, "%.17g", t[id].min - 1);
            CHECK(cfg_set(c, k, v, "--t", &e) == -1);
            CHECK(cfg_set(c, k, "nan", "--t", &e) == -1);
            CHECK(cfg_set(c, k, "inf", "--t", &e) == -1);
            CHECK(cfg_set(c, k, "0,5", "--t", &e) == -1);
            break;
        case CFG_BOOL:
            CHECK(cfg_set(c, k, "yes", "--t", &e) == 0 && cfg_bool(c, k) == 1);
            CHECK(cfg_set(c, k, "OFF", "--t", &e) == 0 && cfg_bool(c, k) == 0);
            CHECK(cfg_set(c, k, "maybe", "--t", &e) == -1);
            break;
        case CFG_ENUM:
            CHECK(cfg_set(c, k, "no-such-choice", "--t", &e) == -1);
            CHECK(strstr(e.msg, t[id].choices) != NULL);
            break;
        case CFG_STR:
            CHECK(cfg_set(c, k, "a\001b", "--t", &e) == -1);
            break;
        }
        CHECK(cfg_set(c, k, t[id].def, "--t", &e) == 0);
    }
    /* Enum choices match case-insensitively and keep their spelling. */
    CHECK(cfg_set(c, CFG_PDF_PAPER, "letter", "--t", &e) == 0);
    CHECK_STR(cfg_str(c, CFG_PDF_PAPER), "Letter");
    cfg_free(c);
}

TEST(bad_lines_name_file_line_and_key)
{
    struct cfg *c;
    struct err e;
    CHECK(load_text("[http]\nlisten = 127.0.0.1:9000\nthreads = abc\n", &c, &e) == -1);
    CHECK(strstr(e.msg, ".ini:3:") && strstr(e.msg, "threads") && strstr(e.msg, "2 to 256"));
    CHECK(c == NULL);

    CHECK(load_text("# comment\n[nonsense]\n", &c, &e) == -1);
    CHECK(strstr(e.msg, ":2:") && strstr(e.msg, "unknown section [nonsense]"));
    CHECK(load_text("[http]\nlisten_on = x\n", &c, &e) == -1);
    CHECK(strstr(e.msg, ":2:") && strstr(e.msg, "unknown key 'listen_on'") &&
          strstr(e.msg, "listen, threads"));
    CHECK(load_text("threads = 4\n", &c, &e) == -1);
    CHECK(strstr(e.msg, ":1:") && strstr(e.msg, "before any [section]"));
    CHECK(load_text("[http]\nthreads 4\n", &c, &e) == -1);
    CHECK(strstr(e.msg, ":2:") && strstr(e.msg, "key = value"));
    CHECK(load_text("[http\n", &c, &e) == -1);
    CHECK(strstr(e.msg, ":1:") && strstr(e.msg, "section line"));
    CHECK(load_text("[jobs]\nworkers = 2\nworkers = 3\n", &c, &e) == -1);
    CHECK(strstr(e.msg, ":3:") && strstr(e.msg, "second time"));
    CHECK(load_text("[jobs]\nworkers = 0\n", &c, &e) == -1);
    CHECK(strstr(e.msg, "[jobs] workers") && strstr(e.msg, "1 to 64"));
    CHECK(cfg_load(&c, "/nonexistent/appliance.ini", &e) == -1);
    CHECK(strstr(e.msg, "/nonexistent/appliance.ini"));
}

TEST(good_file_with_comments_quotes_and_crlf)
{
    struct cfg *c;
    struct err e;
    CHECK(load_text("; shop settings\r\n[company]\r\n  name =  \"  Acme #1  \"  \r\n"
                    "address = 1 Road # 2\r\n[jobs]\r\nworkers=3\r\n",
                    &c, &e) == 0);
    if (!c)
        return;
    CHECK_STR(cfg_str(c, CFG_COMPANY_NAME), "  Acme #1  ");
    CHECK_STR(cfg_str(c, CFG_COMPANY_ADDRESS), "1 Road # 2");
    CHECK(cfg_int(c, CFG_JOBS_WORKERS) == 3);
    CHECK(strstr(cfg_origin(c, CFG_JOBS_WORKERS), ".ini:6") != NULL);
    cfg_free(c);
}

TEST(environment_overrides_file_and_flag_overrides_both)
{
    struct cfg *c;
    struct err e;
    setenv("DXFQUOTE_JOBS_WORKERS", "5", 1);
    CHECK(load_text("[jobs]\nworkers = 3\n", &c, &e) == 0);
    CHECK(cfg_int(c, CFG_JOBS_WORKERS) == 5);
    CHECK_STR(cfg_origin(c, CFG_JOBS_WORKERS), "DXFQUOTE_JOBS_WORKERS");
    CHECK(cfg_set(c, CFG_JOBS_WORKERS, "7", "--workers", &e) == 0);
    CHECK(cfg_int(c, CFG_JOBS_WORKERS) == 7);
    cfg_free(c);
    setenv("DXFQUOTE_JOBS_WORKERS", "many", 1);
    CHECK(load_text("", &c, &e) == -1);
    CHECK(strstr(e.msg, "DXFQUOTE_JOBS_WORKERS") != NULL);
    unsetenv("DXFQUOTE_JOBS_WORKERS");
}

TEST(help_config_parses_back_to_the_defaults)
{
    char path[256];
    snprintf(path, sizeof path, "%s/help.ini", tmpdir);
    FILE *f = fopen(path, "w");
    cfg_write_help(f);
    fclose(f);
    struct cfg *c;
    struct err e;
    CHECK(cfg_load(&c, path, &e) == 0);
    if (!c)
        return;
    const struct cfg_key *t = cfg_table();
    for (int id = 0; id < CFG_COUNT; id++) {
        CHECK(strstr(cfg_origin(c, (enum cfg_id)id), "help.ini:") != NULL);
        CHECK_STR(cfg_str(c, (enum cfg_id)id), t[id].def);
    }
    cfg_free(c);
}

/* The appliance.ini in the repository is exactly what help-config prints. */
TEST(repository_appliance_ini_is_current)
{
    const char *src = getenv("DXFQ_SOURCE");
    if (!src) {
        printf("skip: DXFQ_SOURCE not set\n");
        return;
    }
    char path[512];
    snprintf(path, sizeof path, "%s/appliance.ini", src);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f)
        return;
    static char repo[1 << 16], printed[1 << 16];
    size_t n = fread(repo, 1, sizeof repo - 1, f);
    fclose(f);
    FILE *m = fmemopen(printed, sizeof printed - 1, "w");
    cfg_write_help(m);
    long len = ftell(m);
    fclose(m);
    CHECK((size_t)len == n && memcmp(repo, printed, n) == 0);
    if ((size_t)len != n || memcmp(repo, printed, n) != 0)
        fprintf(stderr, "appliance.ini is stale: run 'build/dxfquote help-config > appliance.ini'\n");
}

int main(void)
{
    if (!mkdtemp(tmpdir))
        return 1;
    RUN(defaults_are_valid_and_in_range);
    RUN(every_key_limits);
    RUN(bad_lines_name_file_line_and_key);
    RUN(good_file_with_comments_quotes_and_crlf);
    RUN(environment_overrides_file_and_flag_overrides_both);
    RUN(help_config_parses_back_to_the_defaults);
    RUN(repository_appliance_ini_is_current);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return test_report();
}
