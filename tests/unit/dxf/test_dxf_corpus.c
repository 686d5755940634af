/*
 * test_dxf_corpus.c - the reader against the shared corpus and its
 * expected.tsv (figures from ezdxf and dxflib, see its README).
 *
 * For every row with status agree, ezdxf-only or dxflib: the cut length
 * (sum of geom_curve_length over the curves) within 0.1 % and each bbox
 * edge within 0.01 % of the diagonal; no cut geometry where the reference
 * has none.  Rows with status none must fail with an error or carry a
 * warning.  Skips (exit 0, says so) when DXFQ_SHARED is unset or has no
 * corpus: the corpus is not ours to ship.  DXFQ_CORPUS_VERBOSE=1 prints
 * every row.
 */
#include "dxf/dxf.h"
#include "test.h"

#include <stdlib.h>

struct row {
    char file[160], status[16];
    double len, bb[4];
    int has_bb;
};

static int parse_row(char *line, struct row *r)
{
    char *f[16];
    int n = 0;
    for (char *p = line; n < 16;) {
        f[n++] = p;
        char *tab = strchr(p, '\t');
        if (!tab)
            break;
        *tab = 0;
        p = tab + 1;
    }
    if (n < 8)
        return -1;
    if (snprintf(r->file, sizeof r->file, "%s", f[0]) >= (int)sizeof r->file ||
        snprintf(r->status, sizeof r->status, "%s", f[1]) >= (int)sizeof r->status)
        return -1;
    r->len = *f[2] ? atof(f[2]) : 0;
    r->has_bb = *f[3] != 0;
    for (int i = 0; i < 4; i++)
        r->bb[i] = r->has_bb ? atof(f[3 + i]) : 0;
    return 0;
}

static int verbose;
static int rows_ok, rows_bad, rows_none_ok;

static void check_row(const char *dir, const struct row *w)
{
    char path[4096 + 200];
    if (snprintf(path, sizeof path, "%s/%s", dir, w->file) >= (int)sizeof path) {
        rows_bad++;
        return;
    }
    struct arena *a = arena_new((size_t)2 << 30);
    struct dxf_drawing d;
    struct err e = {""};
    int rc = dxf_read_file(a, path, NULL, &d, &e);
    if (!strcmp(w->status, "none")) {
        int ok = rc < 0 || d.warnings.n > 0;
        if (verbose || !ok)
            printf("%-50s none: %s\n", w->file, rc < 0 ? e.msg : ok ? "warned" : "NO WARNING");
        if (ok)
            rows_none_ok++;
        else
            rows_bad++;
        CHECK(ok);
        arena_free(a);
        return;
    }
    if (rc < 0) {
        printf("%-50s ERROR %s\n", w->file, e.msg);
        rows_bad++;
        CHECK(rc == 0);
        arena_free(a);
        return;
    }
    double len = 0;
    struct geom_bbox bb = {1, 1, 0, 0};
    bb.min_x = bb.min_y = 1e308;
    bb.max_x = bb.max_y = -1e308;
    for (size_t i = 0; i < d.ncurves; i++) {
        len += geom_curve_length(&d.curves[i], 1e-4);
        geom_curve_bbox(&d.curves[i], &bb);
    }
    int ok = fabs(len - w->len) <= 1e-3 * w->len + 1e-9;
    int has = bb.min_x <= bb.max_x;
    if (w->has_bb && has) {
        double diag = hypot(w->bb[2] - w->bb[0], w->bb[3] - w->bb[1]);
        double got[4] = {bb.min_x, bb.min_y, bb.max_x, bb.max_y};
        for (int i = 0; i < 4; i++)
            if (fabs(got[i] - w->bb[i]) > 1e-4 * diag + 1e-9)
                ok = 0;
    } else if (w->has_bb != has && len > 0) {
        ok = 0;
    }
    if (verbose || !ok)
        printf("%-50s %-10s %s len %.6f want %.6f bbox %.4f %.4f %.4f %.4f want %.4f %.4f %.4f "
               "%.4f (%zu curves)\n",
               w->file, w->status, ok ? "ok" : "MISMATCH", len, w->len, bb.min_x, bb.min_y,
               bb.max_x, bb.max_y, w->bb[0], w->bb[1], w->bb[2], w->bb[3], d.ncurves);
    if (ok)
        rows_ok++;
    else
        rows_bad++;
    CHECK(ok);
    arena_free(a);
}

TEST(corpus)
{
    const char *shared = getenv("DXFQ_SHARED");
    char dir[400], tsv[480];
    snprintf(dir, sizeof dir, "%s/corpus", shared ? shared : "");
    snprintf(tsv, sizeof tsv, "%s/expected.tsv", dir);
    FILE *f = shared ? fopen(tsv, "r") : NULL;
    if (!f) {
        printf("SKIP: no corpus at %s (DXFQ_SHARED)\n", dir);
        return;
    }
    verbose = getenv("DXFQ_CORPUS_VERBOSE") != NULL;
    const char *only = getenv("DXFQ_CORPUS_ONLY");
    char line[4096];
    int first = 1;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (first) {
            first = 0;
            continue;
        }
        struct row w;
        if (parse_row(line, &w) < 0)
            continue;
        if (only && !strstr(w.file, only))
            continue;
        check_row(dir, &w);
    }
    fclose(f);
    printf("corpus: %d rows match, %d none rows rejected or warned, %d fail\n", rows_ok,
           rows_none_ok, rows_bad);
}

int main(void)
{
    RUN(corpus);
    return test_report();
}
