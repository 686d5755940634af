/*
 * test_dxf.c - the DXF reader on small drawings written here, with every
 * expectation worked out by hand (see the comment of each test).
 *
 * Drawings are written as "code|value|code|value..." strings; doc() wraps
 * them in an ENTITIES section (and a HEADER when asked).  Binary DXF is
 * produced by a small generator below.  Hostile inputs are generated in
 * memory or in a temporary folder and each must end quickly with a clear
 * error or a result.
 */
#include "dxf/dxf.h"
#include "dxf/dxf_int.h"
#include "test.h"

#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define PI 3.14159265358979323846

static struct arena *arena;
static struct err e;
static char buf[1 << 16];

/* "a|b|c" -> "a\nb\nc\n" appended to buf at *n */
static void put(char *dst, size_t *n, const char *pairs)
{
    for (const char *p = pairs; *p; p++)
        dst[(*n)++] = *p == '|' ? '\n' : *p;
    dst[(*n)++] = '\n';
    dst[*n] = 0;
}

/* A drawing: optional HEADER pairs, optional TABLES/BLOCKS pairs (whole
 * sections), then the ENTITIES pairs. */
static const char *doc(const char *header, const char *sections, const char *ents)
{
    size_t n = 0;
    buf[0] = 0;
    if (header) {
        put(buf, &n, "0|SECTION|2|HEADER");
        put(buf, &n, header);
        put(buf, &n, "0|ENDSEC");
    }
    if (sections)
        put(buf, &n, sections);
    put(buf, &n, "0|SECTION|2|ENTITIES");
    if (ents && *ents)
        put(buf, &n, ents);
    put(buf, &n, "0|ENDSEC|0|EOF");
    return buf;
}

static int readn(const void *data, size_t n, const struct dxf_opts *o, struct dxf_drawing *d)
{
    if (arena)
        arena_free(arena);
    arena = arena_new((size_t)1 << 30);
    memset(&e, 0, sizeof e);
    return dxf_read_mem(arena, data, n, o, d, &e);
}

static int rd(const char *text, struct dxf_drawing *d)
{
    return readn(text, strlen(text), NULL, d);
}

static double total_len(const struct dxf_drawing *d)
{
    double s = 0;
    for (size_t i = 0; i < d->ncurves; i++)
        s += geom_curve_length(&d->curves[i], 1e-6);
    return s;
}

static struct geom_bbox box(const struct dxf_drawing *d)
{
    struct geom_bbox b = {1e300, 1e300, -1e300, -1e300};
    for (size_t i = 0; i < d->ncurves; i++)
        geom_curve_bbox(&d->curves[i], &b);
    return b;
}

static int has_warning(const struct dxf_drawing *d, const char *code)
{
    for (size_t i = 0; i < d->warnings.n; i++)
        if (!strcmp(d->warnings.v[i].code, code))
            return 1;
    return 0;
}

static size_t count_of(const struct dxf_count *c, size_t n, const char *type)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(c[i].type, type))
            return c[i].n;
    return 0;
}

#define CHECK_PT(p, X, Y)                                                                          \
    do {                                                                                           \
        CHECK_NEAR((p).x, X, 1e-9);                                                                \
        CHECK_NEAR((p).y, Y, 1e-9);                                                                \
    } while (0)

/* ------------------------------------------------------------- entities */

/* LINE (0,0)-(3,4): one line of length 5; no $INSUNITS: mm assumed. */
TEST(line)
{
    struct dxf_drawing d;
    CHECK(rd(doc(NULL, NULL, "0|LINE|8|0|10|0|20|0|30|0|11|3|21|4|31|0"), &d) == 0);
    CHECK(d.ncurves == 1 && d.curves[0].kind == GEOM_LINE);
    CHECK_NEAR(total_len(&d), 5, 1e-12);
    CHECK_STR(d.units, "mm");
    CHECK_STR(d.units_source, "assumed");
    CHECK(has_warning(&d, "units_assumed"));
    CHECK(count_of(d.cut, d.ncut, "LINE") == 1);
}

/* ARC centre (1,2) r 2 from 0 to 90 degrees: quarter, length pi; CIRCLE
 * r 1: length 2 pi; a negative radius counts as its absolute value. */
TEST(arc_circle)
{
    struct dxf_drawing d;
    CHECK(rd(doc(NULL, NULL,
                 "0|ARC|10|1|20|2|40|2|50|0|51|90|0|CIRCLE|10|0|20|0|40|-1"),
             &d) == 0);
    CHECK(d.ncurves == 2);
    CHECK(d.curves[0].kind == GEOM_ARC);
    CHECK_NEAR(d.curves[0].arc.sweep, PI / 2, 1e-12);
    CHECK_PT(geom_curve_start(&d.curves[0]), 3, 2);
    CHECK_PT(geom_curve_end(&d.curves[0]), 1, 4);
    CHECK_NEAR(fabs(d.curves[1].arc.sweep), 2 * PI, 1e-12);
    CHECK_NEAR(total_len(&d), PI + 2 * PI, 1e-9);
    /* an arc from 350 to 10 degrees crosses 0: 20 degrees */
    CHECK(rd(doc(NULL, NULL, "0|ARC|10|0|20|0|40|1|50|350|51|10"), &d) == 0);
    CHECK_NEAR(d.curves[0].arc.sweep, 20 * PI / 180, 1e-12);
}

/* Extrusion (0,0,-1): the OCS x axis is Wy x N = (-1,0,0), y stays (0,1,0).
 * ARC centre (5,0) r 1, 0..90 in OCS: world centre (-5,0), from (-6,0) to
 * (-5,1), clockwise: sweep -pi/2. */
TEST(mirrored_arc)
{
    struct dxf_drawing d;
    CHECK(rd(doc(NULL, NULL, "0|ARC|10|5|20|0|30|0|40|1|50|0|51|90|210|0|220|0|230|-1"), &d) == 0);
    CHECK(d.ncurves == 1 && d.curves[0].kind == GEOM_ARC);
    CHECK_PT(d.curves[0].arc.c, -5, 0);
    CHECK_NEAR(d.curves[0].arc.sweep, -PI / 2, 1e-12);
    CHECK_PT(geom_curve_start(&d.curves[0]), -6, 0);
    CHECK_PT(geom_curve_end(&d.curves[0]), -5, 1);
    CHECK_NEAR(total_len(&d), PI / 2, 1e-12);
}

/* ELLIPSE centre 0, major axis (2,0,0), ratio 0.5: u = (2,0), v = 0.5 N x u
 * = (0,1).  Full: box [-2,-1,2,1]; 0..pi/2 ends at (0,1). */
TEST(ellipse)
{
    struct dxf_drawing d;
    CHECK(rd(doc(NULL, NULL, "0|ELLIPSE|10|0|20|0|11|2|21|0|40|0.5|41|0|42|6.283185307179586"),
             &d) == 0);
    CHECK(d.ncurves == 1 && d.curves[0].kind == GEOM_ELLIPSE);
    struct geom_bbox b = box(&d);
    CHECK_NEAR(b.min_x, -2, 1e-12);
    CHECK_NEAR(b.max_y, 1, 1e-12);
    /* perimeter of the 2 x 1 ellipse: 9.68844822054767619 (Ramanujan's
     * series to convergence) */
    CHECK_NEAR(total_len(&d), 9.688448220547676, 1e-8);
    CHECK(rd(doc(NULL, NULL, "0|ELLIPSE|10|0|20|0|11|2|21|0|40|0.5|41|0|42|1.5707963267948966"),
             &d) == 0);
    CHECK_PT(geom_curve_end(&d.curves[0]), 0, 1);
}

/* A slot as LWPOLYLINE: (0,0) -> (10,0) bulge 1 -> (10,2) -> (0,2) bulge 1,
 * closed: two lines of 10 and two half circles of radius 1: 20 + 2 pi;
 * box [-1,0,11,2]. */
TEST(bulge_slot)
{
    struct dxf_drawing d;
    CHECK(rd(doc(NULL, NULL,
                 "0|LWPOLYLINE|90|4|70|1|10|0|20|0|10|10|20|0|42|1|10|10|20|2|10|0|20|2|42|1"),
             &d) == 0);
    CHECK(d.ncurves == 4);
    CHECK_NEAR(total_len(&d), 20 + 2 * PI, 1e-9);
    struct geom_bbox b = box(&d);
    CHECK_NEAR(b.min_x, -1, 1e-12);
    CHECK_NEAR(b.max_x, 11, 1e-12);
    CHECK_NEAR(b.min_y, 0, 1e-12);
    CHECK_NEAR(b.max_y, 2, 1e-12);
    CHECK(d.curves[1].kind == GEOM_ARC && d.curves[1].arc.sweep > 0);
    CHECK(count_of(d.cut, d.ncut, "LWPOLYLINE") == 1);
    /* negative bulge: clockwise half circle from (0,0) to (2,0), which
     * turns through (1,1) above the chord */
    CHECK(rd(doc(NULL, NULL, "0|LWPOLYLINE|90|2|70|0|10|0|20|0|42|-1|10|2|20|0"), &d) == 0);
    CHECK(d.ncurves == 1 && d.curves[0].arc.sweep < 0);
    CHECK_NEAR(box(&d).max_y, 1, 1e-12);
    CHECK_NEAR(box(&d).min_y, 0, 1e-12);
}

/* POLYLINE with VERTEX/SEQEND: a closed 2x1 rectangle (6); a spline frame
 * vertex (flag 16) is skipped; a 3D polyline (flag 8) from (0,0,0) to
 * (3,4,12) measures 5 in XY; a polyface mesh (flag 64) is not cut. */
TEST(polyline)
{
    struct dxf_drawing d;
    CHECK(rd(doc(NULL, NULL,
                 "0|POLYLINE|66|1|70|1|10|0|20|0|30|0"
                 "|0|VERTEX|10|0|20|0|0|VERTEX|10|2|20|0|0|VERTEX|70|16|10|50|20|50"
                 "|0|VERTEX|10|2|20|1|0|VERTEX|10|0|20|1|0|SEQEND"
                 "|0|POLYLINE|70|8|0|VERTEX|10|0|20|0|30|0|70|32|0|VERTEX|10|3|20|4|30|12|70|32"
                 "|0|SEQEND"
                 "|0|POLYLINE|70|64|0|VERTEX|10|0|20|0|30|0|70|192|0|SEQEND"),
             &d) == 0);
    CHECK_NEAR(total_len(&d), 6 + 5, 1e-12);
    CHECK(count_of(d.cut, d.ncut, "POLYLINE") == 2);
    CHECK(count_of(d.ignored, d.nignored, "POLYLINE") == 1);
    CHECK(has_warning(&d, "unsupported_entity"));
}

/* The unit circle as a rational quadratic NURBS of 9 control points
 * (weights 1, sqrt(2)/2 alternating, knots 0,0,0,1,1,2,2,3,3,4,4,4):
 * length 2 pi, box [-1,-1,1,1]. */
TEST(rational_spline_circle)
{
    struct dxf_drawing d;
    const char *w = "0.7071067811865476";
    char s[2048];
    snprintf(s, sizeof s,
             "0|SPLINE|70|8|71|2|72|12|73|9"
             "|40|0|40|0|40|0|40|1|40|1|40|2|40|2|40|3|40|3|40|4|40|4|40|4"
             "|41|1|41|%s|41|1|41|%s|41|1|41|%s|41|1|41|%s|41|1"
             "|10|1|20|0|30|0|10|1|20|1|30|0|10|0|20|1|30|0|10|-1|20|1|30|0|10|-1|20|0|30|0"
             "|10|-1|20|-1|30|0|10|0|20|-1|30|0|10|1|20|-1|30|0|10|1|20|0|30|0",
             w, w, w, w);
    CHECK(rd(doc(NULL, NULL, s), &d) == 0);
    CHECK(d.ncurves == 1 && d.curves[0].kind == GEOM_SPLINE);
    CHECK(d.curves[0].spl.w != NULL);
    CHECK_NEAR(total_len(&d), 2 * PI, 1e-6);
    struct geom_bbox b = box(&d);
    CHECK_NEAR(b.min_x, -1, 1e-6);
    CHECK_NEAR(b.max_y, 1, 1e-6);
    /* the same with 10 knots instead of 12: left out with bad_entity */
    snprintf(s, sizeof s,
             "0|SPLINE|71|2|40|0|40|0|40|0|40|1|40|1|40|2|40|2|40|3|40|3|40|4"
             "|10|1|20|0|10|1|20|1|10|0|20|1|10|-1|20|1|10|-1|20|0"
             "|10|-1|20|-1|10|0|20|-1|10|1|20|-1|10|1|20|0");
    CHECK(rd(doc(NULL, NULL, s), &d) == 0);
    CHECK(d.ncurves == 0 && has_warning(&d, "bad_entity"));
}

/* Fit points only: collinear points with tangents along x give the
 * straight segment (length 3 exactly, any wiggle would add); (0,0),
 * (1,1), (2,0) passes through its ends and reaches y = 1. */
TEST(fit_spline)
{
    struct dxf_drawing d;
    CHECK(rd(doc(NULL, NULL,
                 "0|SPLINE|71|3|74|4|12|1|22|0|32|0|13|1|23|0|33|0"
                 "|11|0|21|0|31|0|11|1|21|0|31|0|11|2|21|0|31|0|11|3|21|0|31|0"),
             &d) == 0);
    CHECK(d.ncurves == 1 && d.curves[0].kind == GEOM_SPLINE);
    CHECK(d.curves[0].spl.n == 6);
    CHECK_NEAR(total_len(&d), 3, 1e-9);
    CHECK(rd(doc(NULL, NULL, "0|SPLINE|71|3|11|0|21|0|11|1|21|1|11|2|21|0"), &d) == 0);
    CHECK(d.ncurves == 1);
    CHECK_PT(geom_curve_start(&d.curves[0]), 0, 0);
    CHECK_PT(geom_curve_end(&d.curves[0]), 2, 0);
    CHECK(box(&d).max_y >= 1 - 1e-9);
}

/* Block A: LINE (0,0)-(1,0) and ARC r 1 0..90, both on layer 0.  Block B:
 * INSERT A at (10,0) scale 2.  Model: INSERT B on layer PARTS at (100,0),
 * x scale -1, rotation 90.  B maps (x,y) to (100 - y, -x), so the line
 * runs (100,-10)-(100,-12) and the arc (centre (10,0) r 2 in B) has centre
 * (100,-10), starts at (100,-12), ends at (98,-10), clockwise.  Both take
 * layer PARTS through two levels of layer-0 inheritance. */
TEST(nested_insert)
{
    struct dxf_drawing d;
    CHECK(rd(doc(NULL,
                 "0|SECTION|2|BLOCKS"
                 "|0|BLOCK|8|0|2|A|70|0|10|0|20|0|30|0"
                 "|0|LINE|8|0|10|0|20|0|11|1|21|0|0|ARC|8|0|10|0|20|0|40|1|50|0|51|90|0|ENDBLK"
                 "|0|BLOCK|8|0|2|B|70|0|10|0|20|0|30|0"
                 "|0|INSERT|8|0|2|A|10|10|20|0|41|2|42|2|43|2|0|ENDBLK|0|ENDSEC",
                 "0|INSERT|8|PARTS|2|B|10|100|20|0|41|-1|42|1|43|1|50|90"),
             &d) == 0);
    CHECK(d.ncurves == 2);
    CHECK_PT(d.curves[0].line.a, 100, -10);
    CHECK_PT(d.curves[0].line.b, 100, -12);
    CHECK(d.curves[1].kind == GEOM_ARC);
    CHECK_NEAR(d.curves[1].arc.r, 2, 1e-12);
    CHECK_NEAR(d.curves[1].arc.sweep, -PI / 2, 1e-12);
    CHECK_PT(geom_curve_start(&d.curves[1]), 100, -12);
    CHECK_PT(geom_curve_end(&d.curves[1]), 98, -10);
    CHECK_STR(d.layers[d.curves[0].layer].name, "PARTS");
    CHECK_STR(d.layers[d.curves[1].layer].name, "PARTS");
}

/* INSERT of a unit circle with x scale 2, y scale 1 at (5,5): the ellipse
 * u = (2,0), v = (0,1): box [3,4,7,6], perimeter 9.688448220547676. */
TEST(nonuniform_arc_is_ellipse)
{
    struct dxf_drawing d;
    CHECK(rd(doc(NULL,
                 "0|SECTION|2|BLOCKS|0|BLOCK|2|C|10|0|20|0|0|CIRCLE|10|0|20|0|40|1|0|ENDBLK|0|ENDSEC",
                 "0|INSERT|2|C|10|5|20|5|41|2|42|1"),
             &d) == 0);
    CHECK(d.ncurves == 1 && d.curves[0].kind == GEOM_ELLIPSE);
    struct geom_bbox b = box(&d);
    CHECK_NEAR(b.min_x, 3, 1e-12);
    CHECK_NEAR(b.max_x, 7, 1e-12);
    CHECK_NEAR(b.min_y, 4, 1e-12);
    CHECK_NEAR(b.max_y, 6, 1e-12);
    CHECK_NEAR(total_len(&d), 9.688448220547676, 1e-8);
}

/* MINSERT of a unit circle (block base (1,1), circle at (1,1)): 3 columns
 * by 2 rows, spacing 10 and 20, at (0,0): centres (0,0) .. (20,20); box
 * [-1,-1,21,21].  Rotated 90 degrees the grid turns too: box [-21,-1,1,21]. */
TEST(minsert)
{
    struct dxf_drawing d;
    const char *blocks =
        "0|SECTION|2|BLOCKS|0|BLOCK|2|H|10|1|20|1|0|CIRCLE|10|1|20|1|40|1|0|ENDBLK|0|ENDSEC";
    CHECK(rd(doc(NULL, blocks, "0|INSERT|2|H|10|0|20|0|70|3|71|2|44|10|45|20"), &d) == 0);
    CHECK(d.ncurves == 6);
    struct geom_bbox b = box(&d);
    CHECK_NEAR(b.min_x, -1, 1e-12);
    CHECK_NEAR(b.min_y, -1, 1e-12);
    CHECK_NEAR(b.max_x, 21, 1e-12);
    CHECK_NEAR(b.max_y, 21, 1e-12);
    CHECK(rd(doc(NULL, blocks, "0|INSERT|2|H|10|0|20|0|50|90|70|3|71|2|44|10|45|20"), &d) == 0);
    b = box(&d);
    CHECK_NEAR(b.min_x, -21, 1e-9);
    CHECK_NEAR(b.max_x, 1, 1e-9);
    CHECK_NEAR(b.min_y, -1, 1e-9);
    CHECK_NEAR(b.max_y, 21, 1e-9);
}

/* $INSUNITS 1: a line of 1 unit is 25.4 mm; an override wins. */
TEST(inch_file)
{
    struct dxf_drawing d;
    const char *text = doc("9|$ACADVER|1|AC1015|9|$INSUNITS|70|1", NULL,
                           "0|LINE|10|0|20|0|11|1|21|0|0|CIRCLE|10|0|20|0|40|1");
    CHECK(rd(text, &d) == 0);
    CHECK_STR(d.units, "inch");
    CHECK_STR(d.units_source, "header");
    CHECK_STR(d.version, "AC1015");
    CHECK_NEAR(d.mm_per_unit, 25.4, 0);
    CHECK_NEAR(total_len(&d), 25.4 + 2 * PI * 25.4, 1e-9);
    CHECK(!has_warning(&d, "units_assumed"));
    struct dxf_opts o;
    dxf_opts_default(&o);
    o.units = "mm";
    CHECK(readn(text, strlen(text), &o, &d) == 0);
    CHECK_STR(d.units_source, "override");
    CHECK_NEAR(d.curves[0].line.b.x, 1, 0);
    /* $INSUNITS 6 (metres), and the default unit option */
    CHECK(rd(doc("9|$INSUNITS|70|6", NULL, "0|LINE|10|0|20|0|11|1|21|0"), &d) == 0);
    CHECK_NEAR(total_len(&d), 1000, 1e-9);
    dxf_opts_default(&o);
    o.default_units = "cm";
    const char *plain = doc(NULL, NULL, "0|LINE|10|0|20|0|11|1|21|0");
    CHECK(readn(plain, strlen(plain), &o, &d) == 0);
    CHECK_NEAR(total_len(&d), 10, 1e-12);
    CHECK_STR(d.units_source, "assumed");
    CHECK_NEAR(dxf_unit_mm("ft"), 304.8, 0);
}

/* Layer names: ANSI_1252 byte D8 is U+00D8 (C3 98 in UTF-8); ANSI_932
 * 83 8C 83 43 83 84 is katakana RE I YA (U+30EC U+30A4 U+30E4); \U+00D8 is
 * decoded; in an R2007 file an invalid byte becomes U+FFFD. */
TEST(code_pages)
{
    struct dxf_drawing d;
    CHECK(rd(doc("9|$ACADVER|1|AC1015|9|$DWGCODEPAGE|3|ANSI_1252", NULL,
                 "0|LINE|8|Bohrung\xd8|10|0|20|0|11|1|21|0|0|LINE|8|X\\U+00D8|11|1"),
             &d) == 0);
    CHECK_STR(d.layers[d.curves[0].layer].name, "Bohrung\xc3\x98");
    CHECK_STR(d.layers[d.curves[1].layer].name, "X\xc3\x98");
    CHECK(rd(doc("9|$ACADVER|1|AC1015|9|$DWGCODEPAGE|3|ANSI_932", NULL,
                 "0|LINE|8|\x83\x8c\x83\x43\x83\x84|11|1"),
             &d) == 0);
    CHECK_STR(d.layers[d.curves[0].layer].name, "\xe3\x83\xac\xe3\x82\xa4\xe3\x83\xa4");
    CHECK(rd(doc("9|$ACADVER|1|AC1021", NULL, "0|LINE|8|A\xff" "B|11|1"), &d) == 0);
    CHECK_STR(d.layers[d.curves[0].layer].name, "A\xef\xbf\xbd" "B");
}

/* Layers off (negative colour) or frozen (flag 1) hide what is on them. */
TEST(hidden_layers)
{
    struct dxf_drawing d;
    CHECK(rd(doc(NULL,
                 "0|SECTION|2|TABLES|0|TABLE|2|LAYER|70|3"
                 "|0|LAYER|2|OFF|70|0|62|-7|0|LAYER|2|FROZEN|70|1|62|7|0|LAYER|2|ON|70|0|62|1"
                 "|0|ENDTAB|0|ENDSEC",
                 "0|LINE|8|OFF|11|1|0|LINE|8|frozen|11|2|0|LINE|8|ON|11|4"),
             &d) == 0);
    CHECK(d.ncurves == 1);
    CHECK_NEAR(total_len(&d), 4, 0);
    CHECK(d.hidden == 2);
}

/* Paper space: 67=1, or owned by the *Paper_Space block record, is left
 * out; a *Paper_Space block is never expanded. */
TEST(paper_space)
{
    struct dxf_drawing d;
    CHECK(rd(doc("9|$ACADVER|1|AC1032",
                 "0|SECTION|2|TABLES|0|TABLE|2|BLOCK_RECORD|5|1|70|2"
                 "|0|BLOCK_RECORD|5|1F|330|1|100|AcDbSymbolTableRecord|2|*Model_Space"
                 "|0|BLOCK_RECORD|5|1B|330|1|100|AcDbSymbolTableRecord|2|*Paper_Space"
                 "|0|ENDTAB|0|ENDSEC",
                 "0|LINE|5|100|330|1F|100|AcDbEntity|8|0|100|AcDbLine|10|0|20|0|11|1|21|0"
                 "|0|LINE|5|101|102|{ACAD_REACTORS|330|1B|102|}|330|1F|8|0|11|2"
                 "|0|LINE|5|102|330|1B|100|AcDbEntity|67|1|8|0|10|0|20|0|11|7|21|0"
                 "|0|LINE|5|103|330|1B|8|0|11|9"),
             &d) == 0);
    CHECK(d.ncurves == 2);
    CHECK_NEAR(total_len(&d), 3, 0);
}

/* Text and other types are counted, not cut, and warned about. */
TEST(ignored_entities)
{
    struct dxf_drawing d;
    CHECK(rd(doc(NULL, NULL,
                 "0|TEXT|1|hello|10|0|20|0|0|MTEXT|1|x|0|HATCH|2|SOLID|0|POINT|10|1|20|1"
                 "|0|DIMENSION|2|*D1|0|WIDGET|8|0"),
             &d) == 0);
    CHECK(d.ncurves == 0);
    CHECK(count_of(d.ignored, d.nignored, "TEXT") == 1);
    CHECK(count_of(d.ignored, d.nignored, "POINT") == 1);
    CHECK(count_of(d.ignored, d.nignored, "WIDGET") == 1);
    CHECK(has_warning(&d, "text_not_cut"));
    CHECK(has_warning(&d, "unsupported_entity"));
}

/* ------------------------------------------------------------- formats */

/* Binary DXF writer: 2-byte codes from R13 on, 1-byte (255 escape) before. */
struct bw {
    unsigned char b[4096];
    size_t n;
    int code2;
};

static void bw_code(struct bw *w, int c)
{
    if (w->code2 || c >= 255) {
        if (!w->code2)
            w->b[w->n++] = 255;
        w->b[w->n++] = (unsigned char)(c & 0xff);
        w->b[w->n++] = (unsigned char)(c >> 8);
    } else {
        w->b[w->n++] = (unsigned char)c;
    }
}

static void bw_str(struct bw *w, int c, const char *s)
{
    bw_code(w, c);
    size_t l = strlen(s) + 1;
    memcpy(w->b + w->n, s, l);
    w->n += l;
}

static void bw_real(struct bw *w, int c, double v)
{
    bw_code(w, c);
    uint64_t u;
    memcpy(&u, &v, 8);
    for (int i = 0; i < 8; i++)
        w->b[w->n++] = (unsigned char)(u >> (8 * i));
}

static void bw_i16(struct bw *w, int c, int v)
{
    bw_code(w, c);
    w->b[w->n++] = (unsigned char)(v & 0xff);
    w->b[w->n++] = (unsigned char)((v >> 8) & 0xff);
}

static void bw_drawing(struct bw *w, int code2)
{
    memset(w, 0, sizeof *w);
    w->code2 = code2;
    memcpy(w->b, "AutoCAD Binary DXF\r\n\x1a\0", 22);
    w->n = 22;
    bw_str(w, 0, "SECTION");
    bw_str(w, 2, "HEADER");
    bw_str(w, 9, "$ACADVER");
    bw_str(w, 1, code2 ? "AC1015" : "AC1009");
    bw_str(w, 9, "$INSUNITS");
    bw_i16(w, 70, 4);
    bw_str(w, 0, "ENDSEC");
    bw_str(w, 0, "SECTION");
    bw_str(w, 2, "ENTITIES");
    bw_str(w, 0, "LINE");
    bw_str(w, 8, "0");
    bw_real(w, 10, 0);
    bw_real(w, 20, 0);
    bw_real(w, 11, 3);
    bw_real(w, 21, 4);
    bw_str(w, 0, "CIRCLE");
    bw_real(w, 10, 0);
    bw_real(w, 20, 0);
    bw_real(w, 40, 1);
    bw_str(w, 1001, "APP"); /* extended data: a 1-byte file escapes it */
    bw_i16(w, 1070, 7);
    bw_str(w, 0, "ENDSEC");
    bw_str(w, 0, "EOF");
}

/* A LINE of 5 and a unit circle, in both binary flavours; cut short, the
 * error names the byte offset. */
TEST(binary)
{
    struct bw w;
    struct dxf_drawing d;
    for (int code2 = 0; code2 <= 1; code2++) {
        bw_drawing(&w, code2);
        CHECK(readn(w.b, w.n, NULL, &d) == 0);
        CHECK(d.binary == 1);
        CHECK_STR(d.units_source, "header");
        CHECK(d.ncurves == 2);
        CHECK_NEAR(total_len(&d), 5 + 2 * PI, 1e-12);
        CHECK(readn(w.b, w.n - 30, NULL, &d) == -1);
        CHECK(strstr(e.msg, "byte") != NULL);
    }
}

/* Header variables whose value comes with a numeric group code where a
 * text is expected (fuzz finding: in binary DXF such a value has no text
 * at all, and trimming it added 0 to a null pointer).  Read as empty. */
TEST(binary_number_where_text_expected)
{
    struct bw w;
    struct dxf_drawing d;
    memset(&w, 0, sizeof w);
    w.code2 = 1;
    memcpy(w.b, "AutoCAD Binary DXF\r\n\x1a\0", 22);
    w.n = 22;
    bw_str(&w, 0, "SECTION");
    bw_str(&w, 2, "HEADER");
    bw_str(&w, 9, "$ACADVER");
    bw_i16(&w, 70, 15);
    bw_str(&w, 9, "$DWGCODEPAGE");
    bw_real(&w, 40, 1252);
    bw_str(&w, 9, "$INSUNITS");
    bw_i16(&w, 70, 4);
    bw_str(&w, 0, "ENDSEC");
    bw_str(&w, 0, "SECTION");
    bw_str(&w, 2, "ENTITIES");
    bw_str(&w, 0, "LINE");
    bw_str(&w, 8, "0");
    bw_real(&w, 10, 0);
    bw_real(&w, 20, 0);
    bw_real(&w, 11, 3);
    bw_real(&w, 21, 4);
    bw_str(&w, 0, "ENDSEC");
    bw_str(&w, 0, "EOF");
    CHECK(readn(w.b, w.n, NULL, &d) == 0);
    CHECK(d.binary == 1 && d.ncurves == 1);
    CHECK_NEAR(total_len(&d), 5, 1e-12);
    /* The token itself: a binary number has no text. */
    struct dxf_tok num = {70, TOK_INT, NULL, 0, 0, 15, 40};
    const char *txt = NULL;
    size_t n = 99;
    tok_trim(&num, &txt, &n);
    CHECK(txt != NULL && n == 0);
    CHECK(tok_hex(&num) == 0 && !tok_is(&num, "15"));
}

/* R12 (AC1009) with POLYLINE and CRLF, blanks around codes; R2018 style
 * with subclass markers; a file that is only an ENTITIES section without
 * EOF at all but complete. */
TEST(versions)
{
    struct dxf_drawing d;
    const char *r12 = "  0\r\nSECTION\r\n  2\r\nHEADER\r\n  9\r\n$ACADVER\r\n  1\r\nAC1009\r\n"
                      "  0\r\nENDSEC\r\n  0\r\nSECTION\r\n  2\r\nENTITIES\r\n"
                      "  0\r\nPOLYLINE\r\n  8\r\n0\r\n 66\r\n     1\r\n 70\r\n     0\r\n"
                      "  0\r\nVERTEX\r\n  8\r\n0\r\n 10\r\n0.0\r\n 20\r\n0.0\r\n"
                      "  0\r\nVERTEX\r\n  8\r\n0\r\n 10\r\n3.0\r\n 20\r\n4.0 \r\n"
                      "  0\r\nSEQEND\r\n  0\r\nENDSEC\r\n  0\r\nEOF\r\n";
    CHECK(rd(r12, &d) == 0);
    CHECK_STR(d.version, "AC1009");
    CHECK_NEAR(total_len(&d), 5, 1e-12);
    CHECK(rd(doc("9|$ACADVER|1|AC1032|9|$INSUNITS|70|4", NULL,
                 "0|LWPOLYLINE|5|2F|330|1F|100|AcDbEntity|8|0|100|AcDbPolyline|90|2|70|0|43|0"
                 "|10|0|20|0|10|0|20|7"),
             &d) == 0);
    CHECK_STR(d.version, "AC1032");
    CHECK_NEAR(total_len(&d), 7, 1e-12);
    const char *bare = "0\nSECTION\n2\nENTITIES\n0\nLINE\n10\n0\n20\n0\n11\n2\n21\n0\n0\nENDSEC\n";
    CHECK(rd(bare, &d) == 0);
    CHECK_NEAR(total_len(&d), 2, 0);
    /* trash beyond EOF is never read */
    char trash[256];
    snprintf(trash, sizeof trash, "%s%s", doc(NULL, NULL, "0|LINE|11|1"), "garbage\x01\x02");
    CHECK(rd(trash, &d) == 0);
}

/* --------------------------------------------------------------- errors */

TEST(errors)
{
    struct dxf_drawing d;
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0};
    CHECK(readn(png, sizeof png, NULL, &d) == -1);
    CHECK_STR(e.msg, "not a DXF file: starts with PNG signature");
    CHECK(rd("hello world\nmore\n", &d) == -1);
    CHECK(strstr(e.msg, "line 1: expected a group code (an integer), found 'hello world'") != NULL);
    CHECK(readn("", 0, NULL, &d) == -1);
    CHECK(strstr(e.msg, "empty file") != NULL);
    /* truncated inside ENTITIES */
    const char *cut = "0\nSECTION\n2\nENTITIES\n0\nLINE\n10\n1\n";
    CHECK(rd(cut, &d) == -1);
    CHECK(strstr(e.msg, "unexpected end of file at line 9 inside ENTITIES") != NULL);
    /* bad number, on line 7 */
    CHECK(rd("0\nSECTION\n2\nENTITIES\n0\nLINE\n10\nabc\n0\nENDSEC\n0\nEOF\n", &d) == -1);
    CHECK_STR(e.msg, "line 7: group code 10 expects a number, found 'abc'");
    CHECK(rd(doc(NULL, NULL, "0|LINE|10|1,5"), &d) == -1);
    /* block recursion: A inserts B, B inserts A */
    CHECK(rd(doc(NULL,
                 "0|SECTION|2|BLOCKS|0|BLOCK|2|A|0|INSERT|2|B|0|ENDBLK"
                 "|0|BLOCK|2|B|0|INSERT|2|A|0|ENDBLK|0|ENDSEC",
                 "0|INSERT|2|A"),
             &d) == -1);
    CHECK(strstr(e.msg, "block recursion") != NULL);
    /* limits */
    struct dxf_opts o;
    const char *text = doc(NULL, NULL, "0|LINE|11|1");
    dxf_opts_default(&o);
    o.max_bytes = 10;
    CHECK(readn(text, strlen(text), &o, &d) == -1);
    CHECK(strstr(e.msg, "file too large") != NULL);
    dxf_opts_default(&o);
    o.max_entities = 1000;
    text = doc(NULL, "0|SECTION|2|BLOCKS|0|BLOCK|2|P|0|POINT|0|ENDBLK|0|ENDSEC",
               "0|INSERT|2|P|70|100|71|100");
    CHECK(readn(text, strlen(text), &o, &d) == -1);
    CHECK(strstr(e.msg, "limits.max_entities") != NULL);
    dxf_opts_default(&o);
    text = doc(NULL, NULL, "0|SPLINE|71|12|10|0|20|0");
    CHECK(readn(text, strlen(text), &o, &d) == -1);
    CHECK(strstr(e.msg, "limits.max_spline_degree") != NULL);
    /* memory: an arena of 64 KB cannot hold 20 000 vertices */
    static char big[1 << 20];
    size_t n = 0;
    put(big, &n, "0|SECTION|2|ENTITIES|0|LWPOLYLINE");
    for (int i = 0; i < 20000; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, "10\n%d\n20\n0\n", i);
    put(big, &n, "0|ENDSEC|0|EOF");
    arena_free(arena);
    arena = arena_new(64 << 10);
    CHECK(dxf_read_mem(arena, big, n, NULL, &d, &e) == -1);
    CHECK(strstr(e.msg, "memory limit") != NULL);
    /* a file that does not exist names the path */
    CHECK(dxf_read_file(arena, "/nonexistent/x.dxf", NULL, &d, &e) == -1);
    CHECK(strstr(e.msg, "/nonexistent/x.dxf") != NULL);
}

/* -------------------------------------------------------------- hostile */

/* Each ends within a few seconds with an error or a result. */
TEST(hostile)
{
    struct dxf_drawing d;
    double t0 = core_now();
    /* a 100 MB line without a newline: refused by size by default, and a
     * clear error on line 1 without the size limit */
    size_t n = (size_t)100 << 20;
    char *big = malloc(n);
    CHECK(big != NULL);
    if (!big)
        return;
    memset(big, '7', n);
    CHECK(readn(big, n, NULL, &d) == -1);
    CHECK(strstr(e.msg, "file too large") != NULL);
    struct dxf_opts o;
    dxf_opts_default(&o);
    o.max_bytes = 0;
    CHECK(readn(big, n, &o, &d) == -1);
    CHECK(strstr(e.msg, "line 1: expected a group code") != NULL);
    memset(big, 'x', n);
    memcpy(big, "0\n", 2);
    CHECK(readn(big, n, &o, &d) == 0); /* one stray tag, no section: empty */
    CHECK(d.ncurves == 0);

    /* 2 million entities: counted within the default limits */
    size_t k = 0;
    put(big, &k, "0|SECTION|2|ENTITIES");
    for (int i = 0; i < 2000000; i++) {
        memcpy(big + k, "0\nPOINT\n", 8);
        k += 8;
    }
    put(big, &k, "0|ENDSEC|0|EOF");
    CHECK(readn(big, k, NULL, &d) == 0);
    CHECK(count_of(d.ignored, d.nignored, "POINT") == 2000000);
    dxf_opts_default(&o);
    o.max_entities = 1000000;
    CHECK(readn(big, k, &o, &d) == -1);

    /* nesting 100 deep: B0 inserts B1 ... B99 holds a line */
    k = 0;
    put(big, &k, "0|SECTION|2|BLOCKS");
    for (int i = 0; i < 100; i++)
        k += (size_t)snprintf(big + k, 200, "0\nBLOCK\n2\nB%d\n0\nINSERT\n2\nB%d\n0\nENDBLK\n", i,
                              i + 1);
    put(big, &k, "0|BLOCK|2|B100|0|LINE|11|1|0|ENDBLK|0|ENDSEC|0|SECTION|2|ENTITIES|0|INSERT|2|B0");
    put(big, &k, "0|ENDSEC|0|EOF");
    CHECK(readn(big, k, NULL, &d) == -1);
    CHECK(strstr(e.msg, "limits.max_nesting") != NULL);

    /* a spline with 10^6 knots stops at the knot limit */
    k = 0;
    put(big, &k, "0|SECTION|2|ENTITIES|0|SPLINE|71|3");
    for (int i = 0; i < 1000000; i++) {
        memcpy(big + k, "40\n1\n", 5);
        k += 5;
    }
    put(big, &k, "0|ENDSEC|0|EOF");
    CHECK(readn(big, k, NULL, &d) == -1);
    CHECK(strstr(e.msg, "limits.max_spline_knots") != NULL);

    /* an empty file on disk, and a PNG renamed .dxf */
    char dir[] = "/tmp/dxfq_test_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[64];
    snprintf(path, sizeof path, "%s/empty.dxf", dir);
    FILE *f = fopen(path, "w");
    if (f)
        fclose(f);
    CHECK(dxf_read_file(arena, path, NULL, &d, &e) == -1);
    CHECK(strstr(e.msg, "empty file") != NULL);
    unlink(path);
    snprintf(path, sizeof path, "%s/photo.dxf", dir);
    f = fopen(path, "wb");
    if (f) {
        fwrite("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 1, 16, f);
        fclose(f);
    }
    CHECK(dxf_read_file(arena, path, NULL, &d, &e) == -1);
    CHECK(strstr(e.msg, "PNG signature") != NULL);
    unlink(path);
    rmdir(dir);
    free(big);
    printf("hostile inputs in %.2f s\n", core_now() - t0); /* ctest's timeout bounds a hang */
}

/* ------------------------------------------------------------- numbers */

/* The locale-free parser against glibc's correctly rounded strtod (the
 * test runs in the "C" locale): plain and exponent forms, 1..20 digits. */
TEST(numbers)
{
    locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    double v;
    CHECK(dxf_parse_real(" 1.5 ", 5, c, &v) == 0 && v == 1.5);
    CHECK(dxf_parse_real("-.25", 4, c, &v) == 0 && v == -0.25);
    CHECK(dxf_parse_real("1E+03", 5, c, &v) == 0 && v == 1000);
    CHECK(dxf_parse_real("1,5", 3, c, &v) == -1);
    CHECK(dxf_parse_real("nan", 3, c, &v) == -1);
    CHECK(dxf_parse_real("0x10", 4, c, &v) == -1);
    CHECK(dxf_parse_real("1e999", 5, c, &v) == -1);
    CHECK(dxf_parse_real("", 0, c, &v) == -1);
    uint64_t s = 88172645463325252ull;
    int bad = 0;
    for (int i = 0; i < 200000; i++) {
        char t[64];
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        int digits = 1 + (int)(s % 20), dot = (int)((s >> 8) % (uint64_t)(digits + 1));
        size_t n = 0;
        if ((s >> 20) & 1)
            t[n++] = '-';
        for (int j = 0; j < digits; j++) {
            if (j == dot)
                t[n++] = '.';
            t[n++] = (char)('0' + (s >> (24 + j * 2)) % 10);
        }
        if ((s >> 60) & 1)
            n += (size_t)snprintf(t + n, sizeof t - n, "e%d", (int)((s >> 5) % 61) - 30);
        t[n] = 0;
        double want = strtod(t, NULL);
        if (dxf_parse_real(t, n, c, &v) != 0 || v != want)
            bad++;
    }
    CHECK(bad == 0);
    freelocale(c);
}

/* Inputs the fuzzer once crashed on (tests/fuzz/regress) and the
 * fixtures: each must read to a result or a clean error, and whatever
 * comes out must measure. */
TEST(fuzz_regress)
{
    const char *src = getenv("DXFQ_SOURCE");
    static const char *const dirs[] = {"tests/fuzz/regress", "tests/fixtures/dxf"};
    int files = 0;
    for (int k = 0; src && k < 2; k++) {
        char dir[512];
        snprintf(dir, sizeof dir, "%s/%s", src, dirs[k]);
        DIR *dp = opendir(dir);
        for (struct dirent *de; dp && (de = readdir(dp));) {
            if (de->d_name[0] == '.')
                continue;
            char path[800];
            snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
            struct dxf_drawing d;
            arena_free(arena);
            arena = arena_new((size_t)256 << 20);
            if (dxf_read_file(arena, path, NULL, &d, &e) == 0)
                CHECK(isfinite(total_len(&d)));
            else
                CHECK(e.msg[0] != 0);
            files++;
        }
        if (dp)
            closedir(dp);
    }
    CHECK(!src || files > 0);
}

int main(void)
{
    RUN(line);
    RUN(arc_circle);
    RUN(mirrored_arc);
    RUN(ellipse);
    RUN(bulge_slot);
    RUN(polyline);
    RUN(rational_spline_circle);
    RUN(fit_spline);
    RUN(nested_insert);
    RUN(nonuniform_arc_is_ellipse);
    RUN(minsert);
    RUN(inch_file);
    RUN(code_pages);
    RUN(hidden_layers);
    RUN(paper_space);
    RUN(ignored_entities);
    RUN(binary);
    RUN(binary_number_where_text_expected);
    RUN(versions);
    RUN(errors);
    RUN(hostile);
    RUN(numbers);
    RUN(fuzz_regress);
    arena_free(arena);
    return test_report();
}
