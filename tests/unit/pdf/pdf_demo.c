/*
 * pdf_demo.c - writes the sample quotation (sample.c) to a file: the
 * picture in docs/sample-quote.png and the benchmark's "our PDF".
 *
 *   pdf_demo [--parts N] [--letter] [--logo FILE.png] [--now] OUT.pdf
 *
 * Prints one JSON line: parts, bytes written, the milliseconds spent
 * building and measuring the sample parts and in pdf_write(), and the
 * process's peak resident set (the wall time of the whole process is
 * measured by the caller).  Exit 0 when the PDF was written, 1 otherwise.
 */
#include "sample.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The peak resident set of this process since exec (VmHWM): unlike
 * ru_maxrss it does not count the memory of whoever spawned us. */
static long vm_hwm_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb;
}

int main(int argc, char **argv)
{
    size_t nparts = 10;
    const char *out = NULL, *logo = NULL;
    int letter = 0, now = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--parts") && i + 1 < argc)
            nparts = (size_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--logo") && i + 1 < argc)
            logo = argv[++i];
        else if (!strcmp(argv[i], "--letter"))
            letter = 1;
        else if (!strcmp(argv[i], "--now"))
            now = 1;
        else if (argv[i][0] != '-' && !out)
            out = argv[i];
        else {
            fprintf(stderr, "usage: pdf_demo [--parts N] [--letter] [--logo FILE.png] [--now] "
                            "OUT.pdf\n");
            return 2;
        }
    }
    if (!out) {
        fprintf(stderr, "pdf_demo: no output file\n");
        return 2;
    }
    struct sample_quote s;
    double tb = core_now();
    if (sample_quote_make(&s, nparts)) {
        fprintf(stderr, "pdf_demo: could not build the sample parts\n");
        return 1;
    }
    double build_ms = (core_now() - tb) * 1000;
    s.q.company.logo_png = logo;
    s.q.paper = letter ? PDF_LETTER : PDF_A4;
    s.q.deterministic = !now;
    struct err e = {{0}};
    double t0 = core_now();
    int rc = pdf_write(&s.q, out, NULL, NULL, &e);
    double ms = (core_now() - t0) * 1000;
    sample_quote_free(&s);
    if (rc) {
        fprintf(stderr, "pdf_demo: %s\n", e.msg);
        return 1;
    }
    struct stat st;
    printf("{\"parts\": %zu, \"bytes\": %lld, \"build_ms\": %.3f, \"pdf_write_ms\": %.3f, "
           "\"vm_hwm_kb\": %ld}\n",
           nparts, stat(out, &st) ? -1LL : (long long)st.st_size, build_ms, ms, vm_hwm_kb());
    return 0;
}
