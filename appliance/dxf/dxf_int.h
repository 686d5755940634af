/*
 * dxf_int.h - private to dxf/: the tokenizer, the reader state and the
 * decoded entity shared by lex.c, text.c, read.c, entity.c, emit.c and
 * spline.c.  Nothing here is part of the module's interface (dxf.h is).
 */
#ifndef DXFQ_DXF_INT_H
#define DXFQ_DXF_INT_H

#include <locale.h>
#include <stdint.h>

#include "dxf.h"

/* ---------------------------------------------------------------- tokens */

enum { TOK_STR, TOK_REAL, TOK_INT };

/* One group code and its value.  ASCII values point into the file (not
 * terminated, trailing CR removed); binary numbers are already decoded. */
struct dxf_tok {
    int code;
    int kind; /* TOK_STR, TOK_REAL, TOK_INT */
    const char *s;
    size_t len;
    double num;
    long long ival;
    size_t pos; /* line of the group code (ASCII) or byte offset (binary) */
};

struct dxf_lex {
    const char *start, *p, *end;
    int binary, code2; /* binary DXF; 2-byte group codes (R13 on) */
    size_t line;       /* ASCII: line number of the next group code */
    struct dxf_tok cur;
    int pushed; /* cur is to be returned again */
    locale_t cloc;
    const char *section; /* for "inside ENTITIES" in truncation messages */
};

/* 1 and a token in *t, 0 at the clean end of the data, -1 on error. */
int lex_next(struct dxf_lex *lx, struct dxf_tok *t, struct err *e);
void lex_unget(struct dxf_lex *lx);
/* "line 12" or "byte 4711" for messages. */
const char *lex_where(const struct dxf_lex *lx, size_t pos, char *buf, size_t n);
/* Value as a number / integer; -1 with "line N: group code C expects a
 * number, found '...'" otherwise. */
int tok_real(const struct dxf_lex *lx, const struct dxf_tok *t, double *out, struct err *e);
int tok_int(const struct dxf_lex *lx, const struct dxf_tok *t, long long *out, struct err *e);
/* String value without surrounding blanks. */
void tok_trim(const struct dxf_tok *t, const char **s, size_t *n);
int tok_is(const struct dxf_tok *t, const char *word);
/* A hexadecimal handle (group code 5, 330): its value, 0 when it is not
 * hexadecimal.  At most 16 digits are read. */
uint64_t tok_hex(const struct dxf_tok *t);
/* Locale-free decimal to double, correctly rounded; 0 ok, -1 not a number. */
int dxf_parse_real(const char *s, size_t n, locale_t cloc, double *out);

/* ------------------------------------------------------------------ text */

/* Converts a name from the drawing's encoding to valid UTF-8 in arena a:
 * code page before R2007, UTF-8 after, \U+XXXX and \M+nXXXX decoded,
 * invalid bytes become U+FFFD.  NULL only when the arena is exhausted. */
char *dxf_text_utf8(struct arena *a, const char *codepage, int utf8, const char *s, size_t n);

/* --------------------------------------------------------------- reading */

enum dkind {
    D_LINE,
    D_ARC,
    D_CIRCLE,
    D_ELLIPSE,
    D_LWPOLY,
    D_POLY2D,
    D_POLY3D,
    D_SPLINE,
    D_INSERT,
    D_IGNORED,
    D_NONE /* consumed, nothing to do (SEQEND, stray VERTEX, bad data) */
};

/* The cut types, in the order of dxf_drawing.cut. */
enum { CUT_LINE, CUT_ARC, CUT_CIRCLE, CUT_ELLIPSE, CUT_LWPOLYLINE, CUT_POLYLINE, CUT_SPLINE,
       CUT_NTYPES };

struct dvert {
    double x, y, z, bulge;
};

/* One decoded entity: in a block definition it is kept, in ENTITIES it is
 * emitted at once. */
struct dent {
    uint8_t kind;
    uint8_t paper; /* 67=1 or owned by a paper-space block record */
    uint32_t layer;
    uint32_t src;
    double n[3]; /* extrusion */
    union {
        struct {
            double a[3], b[3];
        } line;
        struct {
            double c[3], r, a0, sweep; /* radians, sweep > 0 */
        } arc;
        struct {
            double c[3], m[3], ratio, t0, t1;
        } ell;
        struct {
            const struct dvert *v;
            size_t n;
            int closed;
            double elev;
        } poly;
        struct {
            int degree;
            size_t n;
            const double *p; /* 3 n */
            const double *w; /* NULL: all 1 */
            const double *knots;
        } spl;
        struct {
            uint32_t block;
            double p[3], sc[3], rot; /* rot in radians */
            int cols, rows;
            double dx, dy;
        } ins;
        struct {
            uint32_t type; /* index into the ignored-type table */
        } ign;
    };
};

struct dlayer {
    const char *raw;
    size_t rawlen;
    uint32_t hash;
    unsigned char off, frozen;
};

struct dblock {
    const char *name;
    size_t namelen;
    uint32_t hash;
    double base[3];
    size_t first, n; /* range in rd.bents */
    unsigned char defined, paper, busy, warned;
};

struct dtype {
    char name[40];
    size_t n;
    int cls; /* IGN_TEXT, IGN_UNSUPPORTED, IGN_QUIET */
};
enum { IGN_TEXT, IGN_UNSUPPORTED, IGN_QUIET };

struct xf {
    double m[12]; /* 3x4 row-major affine map */
};

struct rd {
    struct arena *a;
    struct dxf_opts o;
    struct dxf_lex lx;
    struct dxf_drawing *out;
    struct err *e;

    char codepage[24];
    int utf8; /* R2007 on */
    int insunits;

    struct dlayer *layers;
    size_t nlayers, caplayers;
    uint32_t *lhash; /* open addressing, index+1; 0 empty */
    size_t lhcap;
    uint32_t last_layer; /* 1 + the layer looked up last (0: none): entities
                            in a row mostly name the same one */
    uint32_t layer0;

    struct dblock *blocks;
    size_t nblocks, capblocks;
    uint32_t *bhash;
    size_t bhcap;
    struct dent *bents; /* entities of all block definitions */
    size_t nbents, capbents;
    struct dent *pending; /* top-level INSERTs of blocks not yet defined */
    size_t npending, cappending;

    uint64_t *paper_handles;
    size_t npaper, cappaper;

    struct dtype *types;
    size_t ntypes, captypes;
    size_t cut[CUT_NTYPES];

    size_t nexpanded; /* entities after expansion, against max_entities */
    uint32_t ordinal; /* cut entities emitted */

    struct geom_curve *curves;
    size_t ncurves, capcurves;

    /* scratch reused by each top-level entity */
    struct dvert *sv;
    size_t capsv;
    double *sd[5]; /* knots, weights, control points, fit points, spare */
    size_t capsd[5];
};

/* entity.c: decodes the entity whose (0, TYPE) token is t; reads up to the
 * next entity.  keep: arrays go to the arena for good (block definitions).
 * 0 ok, -1 error. */
int dxf_decode(struct rd *r, const struct dxf_tok *t, struct dent *d, int keep);
/* read.c: layer and block tables. */
uint32_t dxf_layer_ref(struct rd *r, const char *s, size_t n);
int dxf_block_ref(struct rd *r, const char *s, size_t n, uint32_t *idx);
int dxf_type_ref(struct rd *r, const char *s, size_t n, uint32_t *idx);
void *dxf_grow(struct rd *r, void *p, size_t *cap, size_t need, size_t size);

/* emit.c: emits one entity under transform x; parent is the effective
 * layer of the enclosing INSERT, or UINT32_MAX at top level. */
int dxf_emit(struct rd *r, const struct dent *d, const struct xf *x, uint32_t parent, int depth);
void dxf_xf_identity(struct xf *x);
/* The arbitrary axis algorithm: OCS axes for extrusion n (normalised). */
void dxf_ocs(const double n[3], double ax[3], double ay[3], double az[3]);

/* spline.c: control points and knots of the cubic that interpolates nfit
 * fit points (3 nfit doubles) with chord-length parametrisation, through
 * the end tangents when given (NULL: estimated as ezdxf and BricsCAD do).
 * Results in the arena: ncp = nfit + 2 control points, ncp + 4 knots.
 * -1 when the points do not define a curve. */
int dxf_fit_spline(struct arena *a, const double *fit, size_t nfit, const double *t0,
                   const double *t1, double **cp, size_t *ncp, double **knots);

#endif
