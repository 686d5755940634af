/*
 * dxf.h - read a DXF drawing into exact curves in millimetres.
 *
 * Reads ASCII DXF (R12/AC1009 to 2018/AC1032 and the older AC10xx files)
 * and binary DXF, LF or CRLF, with or without HEADER and TABLES.  Model
 * space only; blocks are expanded (nested, scaled, mirrored, MINSERT
 * arrays) and every OCS is applied, so the curves come out in world
 * coordinates, top view (z dropped), millimetres.  Entities on layers that
 * are off or frozen are left out; an entity on layer "0" inside a block
 * takes the layer of the INSERT that placed it, at every level.
 *
 * What is cut: LINE, ARC, CIRCLE, ELLIPSE, LWPOLYLINE, 2D and 3D POLYLINE
 * (bulges exact), SPLINE (NURBS, or fit points interpolated as AutoCAD
 * does).  Everything else is only counted in `ignored`:
 *   - TEXT, MTEXT, ATTRIB, ATTDEF: warning text_not_cut with the count,
 *     because a shop may have to engrave or convert it;
 *   - HATCH, SOLID, TRACE, 3DFACE, 3DSOLID, REGION, BODY, SURFACE, MESH,
 *     polyface and polygon-mesh POLYLINEs, IMAGE, WIPEOUT and entity types
 *     this reader does not know: warning unsupported_entity with the type
 *     and count, because they may stand for geometry the customer expects
 *     to be cut;
 *   - POINT, DIMENSION, LEADER, MLEADER, TOLERANCE, VIEWPORT, XLINE, RAY,
 *     ACAD_TABLE, OLE2FRAME: counted, no warning (annotation and
 *     construction aids, never cut).
 * Other warnings: units_assumed (no $INSUNITS, or 0), bad_entity (an
 * entity whose data cannot describe a curve, e.g. a SPLINE whose knot
 * vector does not fit its control points: left out, never guessed).
 *
 * Errors (return -1, message in struct err, always with the line number
 * for ASCII or the byte offset for binary): not a DXF file, truncated
 * file, a bad number, block recursion, and every limit in struct dxf_opts
 * (file size, entities after expansion, nesting depth, spline degree and
 * knots, memory: the arena's limit).
 *
 * Memory: everything the result points to lives in the caller's arena;
 * nothing else is kept.  Thread-safe: no global state.
 */
#ifndef DXFQ_DXF_H
#define DXFQ_DXF_H

#include <stddef.h>

#include "core/core.h"
#include "geom/geom.h"

struct dxf_opts {
    size_t max_bytes;         /* largest file accepted */
    size_t max_entities;      /* entities after block expansion */
    int max_nesting;          /* INSERT inside INSERT depth */
    int max_spline_degree;    /* highest SPLINE degree */
    size_t max_spline_knots;  /* most knots (or control/fit points) of one SPLINE */
    const char *units;        /* override ("mm", "inch", ...): NULL to follow $INSUNITS */
    const char *default_units; /* when $INSUNITS is 0 or absent: NULL means "mm" */
};

/* The defaults of appliance.ini: 50 MB, 5 000 000 entities, nesting 16,
 * degree 11, 100 000 knots, units from the file, default mm. */
void dxf_opts_default(struct dxf_opts *o);

struct dxf_layer {
    const char *name; /* valid UTF-8 */
    unsigned char off, frozen;
};

/* Entities of one type ("LINE", "TEXT", ...) and how many. */
struct dxf_count {
    const char *type;
    size_t n;
};

struct dxf_drawing {
    char version[16];         /* $ACADVER, e.g. "AC1015"; "" when absent */
    int binary;               /* 1 for binary DXF */
    const char *units;        /* "mm", "cm", "m", "inch", "ft", "mile", "micron", ... */
    const char *units_source; /* "header", "assumed" or "override" */
    double mm_per_unit;

    struct geom_curve *curves; /* in mm, world XY; curves[i].layer indexes layers */
    size_t ncurves;
    size_t nentities; /* cut entities (the `entity` ordinals run 0..nentities-1) */

    struct dxf_layer *layers; /* the LAYER table, then layers only entities name */
    size_t nlayers;

    struct dxf_count *cut; /* cut entities by type, after expansion */
    size_t ncut;
    struct dxf_count *ignored; /* recognised or unknown, not cut */
    size_t nignored;
    size_t hidden; /* cut entities left out: on an off or frozen layer */

    struct geom_warnings warnings;
    double read_ms, parse_ms;
};

/* Reads the file at path (one mmap) into *out.  opts NULL: defaults.
 * Returns 0, or -1 with e filled ("FILE: line 12: ...").  Everything in
 * *out lives in arena a. */
int dxf_read_file(struct arena *a, const char *path, const struct dxf_opts *opts,
                  struct dxf_drawing *out, struct err *e);

/* Same, from n bytes in memory (not copied; must outlive the call only). */
int dxf_read_mem(struct arena *a, const void *data, size_t n, const struct dxf_opts *opts,
                 struct dxf_drawing *out, struct err *e);

/* Millimetres per unit for a unit name ("mm", "inch", "in", "ft", ...), or
 * 0 when the name is unknown. */
double dxf_unit_mm(const char *name);

#endif
