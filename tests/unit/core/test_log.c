/*
 * test_log.c - logfmt lines, quoting, levels and size-based rotation.
 */
#include "core/core.h"
#include "test.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/dxfq-log-XXXXXX";

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static int count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    int n = 0, ch;
    if (!f)
        return -1;
    while ((ch = fgetc(f)) != EOF)
        n += ch == '\n';
    fclose(f);
    return n;
}

TEST(quoting)
{
    char b[64];
    CHECK_STR(log_q(b, sizeof b, "plain"), "plain");
    CHECK_STR(log_q(b, sizeof b, "two words"), "\"two words\"");
    CHECK_STR(log_q(b, sizeof b, "say \"hi\"\n"), "\"say \\\"hi\\\"\\n\"");
    CHECK_STR(log_q(b, sizeof b, ""), "\"\"");
    CHECK_STR(log_q(b, sizeof b, "a=b"), "\"a=b\"");
    char small[12];
    log_q(small, sizeof small, "a long value with spaces");
    CHECK(strlen(small) < sizeof small && strstr(small, "...") != NULL);
}

TEST(lines_levels_and_format)
{
    char path[256], line[512];
    struct err e;
    snprintf(path, sizeof path, "%s/fmt.log", dir);
    CHECK(log_open(LOG_INFO, path, 1 << 20, 3, &e) == 0);
    log_debug("hidden", "k=%d", 1);
    log_info("server started", "listen=%s threads=%d", "127.0.0.1:8080", 4);
    log_warn("no kv", NULL);
    log_close();
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK(fgets(line, sizeof line, f) != NULL);
    CHECK(strncmp(line, "time=", 5) == 0);
    CHECK(strstr(line, " level=info msg=\"server started\" listen=127.0.0.1:8080 threads=4\n"));
    CHECK(fgets(line, sizeof line, f) != NULL);
    CHECK(strstr(line, "level=warn msg=\"no kv\"\n") != NULL);
    CHECK(fgets(line, sizeof line, f) == NULL);
    fclose(f);
    CHECK(log_level_parse("warn") == LOG_WARN);
    CHECK(log_level_parse("loud") == -1);
}

TEST(rotation_keeps_n_files)
{
    char path[256], p1[300], p2[300], p3[300];
    struct err e;
    snprintf(path, sizeof path, "%s/rot.log", dir);
    snprintf(p1, sizeof p1, "%s.1", path);
    snprintf(p2, sizeof p2, "%s.2", path);
    snprintf(p3, sizeof p3, "%s.3", path);
    /* Each line is about 100 bytes; 1000-byte files hold about 9 lines. */
    CHECK(log_open(LOG_INFO, path, 1000, 2, &e) == 0);
    for (int i = 0; i < 100; i++)
        log_info("event", "i=%03d pad=%s", i, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    log_close();
    CHECK(file_size(path) > 0 && file_size(path) <= 1000);
    CHECK(file_size(p1) > 0 && file_size(p1) <= 1000);
    CHECK(file_size(p2) > 0 && file_size(p2) <= 1000);
    CHECK(file_size(p3) == -1); /* keep = 2 */
    /* No line is lost or split inside the files kept: the newest holds i=099. */
    FILE *f = fopen(path, "r");
    char line[512], last[512] = "";
    while (f && fgets(line, sizeof line, f))
        memcpy(last, line, sizeof line);
    if (f)
        fclose(f);
    CHECK(strstr(last, "i=099") != NULL);
    CHECK(count_lines(path) + count_lines(p1) + count_lines(p2) <= 30);
    CHECK(count_lines(p1) >= 8);
}

TEST(unwritable_file_is_an_error)
{
    struct err e;
    CHECK(log_open(LOG_INFO, "/nonexistent-dir/x.log", 1000, 2, &e) == -1);
    CHECK(strstr(e.msg, "/nonexistent-dir/x.log") != NULL);
    log_close();
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    RUN(quoting);
    RUN(lines_levels_and_format);
    RUN(rotation_keeps_n_files);
    RUN(unwritable_file_is_an_error);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return test_report();
}
