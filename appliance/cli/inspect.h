/*
 * inspect.h - private to cli/: measuring a drawing as `inspect` does, for
 * the commands that build on it (quote).  One way to measure, so that a
 * part is priced on exactly the figures inspect shows.
 */
#ifndef DXFQ_CLI_INSPECT_H
#define DXFQ_CLI_INSPECT_H

#include <cJSON.h>

#include "core/core.h"
#include "dxf/dxf.h"
#include "geom/geom.h"

/* Everything one inspection produced; all of it lives in the arena. */
struct inspection {
    const char *path;
    struct dxf_drawing d;
    struct geom_report r;
    double analyse_ms;
};

/* Reads and measures path with the limits and tolerances of c; units
 * overrides the drawing's (NULL: its own), thickness (mm, 0 none) enables
 * tiny_hole.  -1 with e filled ("FILE: line 12: ..."). */
int inspect_measure(const struct cfg *c, const char *path, const char *units, double thickness,
                    struct arena *ar, struct inspection *in, struct err *e);

/* The JSON object `inspect --json` prints (docs/inspect.md).  Caller
 * frees it with cJSON_Delete(). */
cJSON *inspect_json(const struct inspection *in);

#endif
