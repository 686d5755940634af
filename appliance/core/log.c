/*
 * log.c - structured logging: one logfmt line per event.
 *
 *   time=2026-11-28T23:59:01.123Z level=info msg="server started" listen=0.0.0.0:8080
 *
 * Lines go to stderr and, once log_open() names a file, to that file too.
 * The file rotates by size: when a line would take it past max_bytes it is
 * renamed to FILE.1 (FILE.1 to FILE.2 ..., the oldest beyond `keep` is
 * removed) and a fresh FILE is started.  A line is at most LOG_LINE_MAX bytes
 * (longer ones are cut and end in "...").  One mutex serialises writers, so
 * lines never interleave.  If the file cannot be written (disk full) the
 * line still reaches stderr and the failure is reported there once.
 */
#include "core.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define LOG_LINE_MAX 4096

static struct {
    pthread_mutex_t mu;
    enum log_level level;
    FILE *file;
    char *path;
    size_t size, max_bytes;
    int keep;
    int file_failed;
} L = {PTHREAD_MUTEX_INITIALIZER, LOG_INFO, NULL, NULL, 0, 0, 0, 0};

static const char *const level_names[] = {"debug", "info", "warn", "error"};

int log_level_parse(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, level_names[i]))
            return i;
    return -1;
}

static FILE *open_append(const char *path, size_t *size)
{
    FILE *f = fopen(path, "a");
    if (f) {
        struct stat st;
        *size = fstat(fileno(f), &st) == 0 ? (size_t)st.st_size : 0;
    }
    return f;
}

int log_open(enum log_level level, const char *path, size_t max_bytes, int keep, struct err *e)
{
    pthread_mutex_lock(&L.mu);
    L.level = level;
    if (L.file)
        fclose(L.file);
    free(L.path);
    L.file = NULL;
    L.path = NULL;
    L.file_failed = 0;
    int rc = 0;
    if (path && *path) {
        L.file = open_append(path, &L.size);
        if (!L.file)
            rc = err_set(e, "cannot open log file %s: %s", path, strerror(errno));
        else {
            L.path = xstrdup(path);
            L.max_bytes = max_bytes;
            L.keep = keep < 1 ? 1 : keep;
        }
    }
    pthread_mutex_unlock(&L.mu);
    return rc;
}

void log_close(void)
{
    log_open(LOG_INFO, NULL, 0, 0, NULL);
}

/* Called with the mutex held. */
static void rotate(void)
{
    char from[4096], to[4096];
    fclose(L.file);
    L.file = NULL;
    snprintf(to, sizeof to, "%s.%d", L.path, L.keep);
    remove(to);
    for (int i = L.keep - 1; i >= 1; i--) {
        snprintf(from, sizeof from, "%s.%d", L.path, i);
        snprintf(to, sizeof to, "%s.%d", L.path, i + 1);
        rename(from, to);
    }
    snprintf(to, sizeof to, "%s.1", L.path);
    rename(L.path, to);
    L.file = open_append(L.path, &L.size);
}

const char *log_q(char *buf, size_t n, const char *s)
{
    int plain = *s != '\0';
    for (const char *p = s; *p && plain; p++)
        if (*p == ' ' || *p == '"' || *p == '=' || *p == '\\' || (unsigned char)*p < 0x20)
            plain = 0;
    if (plain) {
        snprintf(buf, n, "%s", s);
        return buf;
    }
    size_t o = 0;
    if (n < 6) {
        buf[0] = '\0';
        return buf;
    }
    buf[o++] = '"';
    for (const char *p = s; *p; p++) {
        if (o + 6 >= n) {
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        unsigned char ch = (unsigned char)*p;
        if (ch == '"' || ch == '\\') {
            buf[o++] = '\\';
            buf[o++] = (char)ch;
        } else if (ch == '\n') {
            buf[o++] = '\\';
            buf[o++] = 'n';
        } else if (ch < 0x20) {
            buf[o++] = '?';
        } else {
            buf[o++] = (char)ch;
        }
    }
    buf[o++] = '"';
    buf[o] = '\0';
    return buf;
}

void log_write(enum log_level level, const char *msg, const char *kvfmt, ...)
{
    if (level < L.level)
        return;
    char line[LOG_LINE_MAX], ts[40], qmsg[512];
    int n = snprintf(line, sizeof line, "time=%s level=%s msg=%s", core_timestamp(ts, sizeof ts),
                     level_names[level], log_q(qmsg, sizeof qmsg, msg));
    if (kvfmt && *kvfmt && n > 0 && (size_t)n < sizeof line - 1) {
        line[n++] = ' ';
        va_list ap;
        va_start(ap, kvfmt);
        int m = vsnprintf(line + n, sizeof line - (size_t)n, kvfmt, ap);
        va_end(ap);
        n = m < 0 ? n - 1 : n + m;
    }
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line - 1) {
        n = (int)sizeof line - 2;
        memcpy(line + n - 3, "...", 3);
    }
    line[n++] = '\n';
    line[n] = '\0';

    pthread_mutex_lock(&L.mu);
    fwrite(line, 1, (size_t)n, stderr);
    if (L.file) {
        if (L.max_bytes && L.size > 0 && L.size + (size_t)n > L.max_bytes)
            rotate();
        if (L.file && fwrite(line, 1, (size_t)n, L.file) == (size_t)n && fflush(L.file) == 0) {
            L.size += (size_t)n;
            L.file_failed = 0;
        } else if (!L.file_failed) {
            L.file_failed = 1;
            fprintf(stderr, "time=%s level=error msg=\"cannot write log file\" file=%s\n", ts,
                    L.path);
        }
    }
    pthread_mutex_unlock(&L.mu);
}
