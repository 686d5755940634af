/*
 * read.c - the DXF reader's driver: file, sections, header, tables, blocks.
 *
 * Accepts ASCII or binary DXF in one buffer (one mmap for a file).  Reads
 * the HEADER ($ACADVER, $INSUNITS, $DWGCODEPAGE), the LAYER and
 * BLOCK_RECORD tables, keeps each BLOCK's entities decoded (struct dent),
 * and emits the ENTITIES section entity by entity, expanding INSERTs; no
 * tree of group codes is ever built.  Sections may be missing or in any
 * order: an INSERT met before its block is defined waits until the end.
 * Unknown sections, tables, group codes and stray tags between sections
 * are skipped, because real files are sloppy; what is not DXF at all
 * fails on its first line.  Units are applied once at the end, so a
 * HEADER anywhere in the file counts.
 *
 * Invariants: every array grows through the arena (its limit is the
 * memory cap); every loop consumes at least one token; the block stack
 * of emit.c makes recursion an error, never a hang.
 */
#include "dxf_int.h"

#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* AutoCAD's $INSUNITS codes. */
static const struct {
    const char *name;
    double mm;
} units_tab[] = {
    {"unitless", 1.0},
    {"inch", 25.4},
    {"ft", 304.8},
    {"mile", 1609344.0},
    {"mm", 1.0},
    {"cm", 10.0},
    {"m", 1000.0},
    {"km", 1e6},
    {"microinch", 25.4e-6},
    {"mil", 0.0254},
    {"yard", 914.4},
    {"angstrom", 1e-7},
    {"nm", 1e-6},
    {"micron", 1e-3},
    {"dm", 100.0},
    {"dam", 1e4},
    {"hm", 1e5},
    {"gigametre", 1e12},
    {"au", 1.495978707e14},
    {"light_year", 9.4607304725808e18},
    {"parsec", 3.0856775814913673e19},
    {"us_survey_ft", 1200.0 / 3937.0 * 1000.0},
    {"us_survey_inch", 1200.0 / 3937.0 * 1000.0 / 12.0},
    {"us_survey_yard", 1200.0 / 3937.0 * 1000.0 * 3.0},
    {"us_survey_mile", 1200.0 / 3937.0 * 1000.0 * 5280.0},
};
#define NUNITS ((int)(sizeof units_tab / sizeof units_tab[0]))

/* Index in units_tab of a unit name or alias; 0 when unknown. */
static int unit_code(const char *name)
{
    static const struct {
        const char *alias;
        int code;
    } alias[] = {{"in", 1},  {"inches", 1},     {"foot", 2},       {"feet", 2},
                 {"yd", 10}, {"um", 13},        {"millimetre", 4}, {"millimeter", 4},
                 {"meter", 6}, {"metre", 6}};
    if (!name)
        return 0;
    for (int i = 1; i < NUNITS; i++)
        if (!strcasecmp(name, units_tab[i].name))
            return i;
    for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
        if (!strcasecmp(name, alias[i].alias))
            return alias[i].code;
    return 0;
}

double dxf_unit_mm(const char *name)
{
    int k = unit_code(name);
    return k ? units_tab[k].mm : 0;
}

static const char *unit_name(const char *name)
{
    return units_tab[unit_code(name) ? unit_code(name) : 4].name;
}

void dxf_opts_default(struct dxf_opts *o)
{
    memset(o, 0, sizeof *o);
    o->max_bytes = (size_t)50 << 20;
    o->max_entities = 5000000;
    o->max_nesting = 16;
    o->max_spline_degree = 11;
    o->max_spline_knots = 100000;
}

/* ---------------------------------------------------------------- tables */

void *dxf_grow(struct rd *r, void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    size_t nc = *cap ? *cap : 16;
    while (nc < need) {
        if (nc > SIZE_MAX / 2 / size)
            return NULL;
        nc *= 2;
    }
    void *q = arena_grow(r->a, p, *cap * size, nc * size);
    if (q)
        *cap = nc;
    return q;
}

static uint32_t hash_ci(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'a' && c <= 'z')
            c = (unsigned char)(c - 32);
        h = (h ^ c) * 16777619u;
    }
    return h;
}

static int eq_ci(const char *a, size_t an, const char *b, size_t bn)
{
    return an == bn && strncasecmp(a, b, an) == 0;
}

static int mem_fail(struct rd *r)
{
    char w[32];
    return err_set(r->e, "%s: memory limit exceeded (limits.memory_mb)",
                   lex_where(&r->lx, r->lx.cur.pos, w, sizeof w));
}

/* Rebuilds an open-addressing index of n items (hash given by fn). */
static uint32_t *rehash(struct rd *r, size_t n, size_t *cap, uint32_t (*fn)(struct rd *, size_t))
{
    size_t c = 64;
    while (c < 2 * n + 2)
        c *= 2;
    uint32_t *t = arena_calloc(r->a, c, sizeof *t);
    if (!t)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        size_t k = fn(r, i) & (c - 1);
        while (t[k])
            k = (k + 1) & (c - 1);
        t[k] = (uint32_t)(i + 1);
    }
    *cap = c;
    return t;
}

static uint32_t layer_hash(struct rd *r, size_t i)
{
    return r->layers[i].hash;
}

static uint32_t block_hash(struct rd *r, size_t i)
{
    return r->blocks[i].hash;
}

/* Index of the layer named s, created when new; UINT32_MAX when out of
 * memory. */
uint32_t dxf_layer_ref(struct rd *r, const char *s, size_t n)
{
    if (r->last_layer) { /* the same bytes name the same layer */
        const struct dlayer *l = &r->layers[r->last_layer - 1];
        if (l->rawlen == n && memcmp(l->raw, s, n) == 0)
            return r->last_layer - 1;
    }
    uint32_t h = hash_ci(s, n);
    if (r->lhcap) {
        for (size_t k = h & (r->lhcap - 1); r->lhash[k]; k = (k + 1) & (r->lhcap - 1)) {
            struct dlayer *l = &r->layers[r->lhash[k] - 1];
            if (l->hash == h && eq_ci(l->raw, l->rawlen, s, n)) {
                r->last_layer = r->lhash[k];
                return r->lhash[k] - 1;
            }
        }
    }
    struct dlayer *v = dxf_grow(r, r->layers, &r->caplayers, r->nlayers + 1, sizeof *v);
    char *copy = arena_strndup(r->a, s, n);
    if (!v || !copy)
        return UINT32_MAX;
    r->layers = v;
    v[r->nlayers] = (struct dlayer){copy, n, h, 0, 0};
    r->nlayers++;
    if (2 * r->nlayers + 2 > r->lhcap) {
        uint32_t *t = rehash(r, r->nlayers, &r->lhcap, layer_hash);
        if (!t)
            return UINT32_MAX;
        r->lhash = t;
    } else {
        size_t k = h & (r->lhcap - 1);
        while (r->lhash[k])
            k = (k + 1) & (r->lhcap - 1);
        r->lhash[k] = (uint32_t)r->nlayers;
    }
    return (uint32_t)(r->nlayers - 1);
}

int dxf_block_ref(struct rd *r, const char *s, size_t n, uint32_t *idx)
{
    uint32_t h = hash_ci(s, n);
    if (r->bhcap) {
        for (size_t k = h & (r->bhcap - 1); r->bhash[k]; k = (k + 1) & (r->bhcap - 1)) {
            struct dblock *b = &r->blocks[r->bhash[k] - 1];
            if (b->hash == h && eq_ci(b->name, b->namelen, s, n)) {
                *idx = r->bhash[k] - 1;
                return 0;
            }
        }
    }
    struct dblock *v = dxf_grow(r, r->blocks, &r->capblocks, r->nblocks + 1, sizeof *v);
    char *copy = arena_strndup(r->a, s, n);
    if (!v || !copy)
        return mem_fail(r);
    r->blocks = v;
    memset(&v[r->nblocks], 0, sizeof v[0]);
    v[r->nblocks].name = copy;
    v[r->nblocks].namelen = n;
    v[r->nblocks].hash = h;
    v[r->nblocks].paper = n >= 12 && strncasecmp(s, "*Paper_Space", 12) == 0;
    r->nblocks++;
    if (2 * r->nblocks + 2 > r->bhcap) {
        uint32_t *t = rehash(r, r->nblocks, &r->bhcap, block_hash);
        if (!t)
            return mem_fail(r);
        r->bhash = t;
    } else {
        size_t k = h & (r->bhcap - 1);
        while (r->bhash[k])
            k = (k + 1) & (r->bhcap - 1);
        r->bhash[k] = (uint32_t)r->nblocks;
    }
    *idx = (uint32_t)(r->nblocks - 1);
    return 0;
}

static int type_class(const char *s)
{
    static const char *const text[] = {"TEXT", "MTEXT", "ATTRIB", "ATTDEF", "RTEXT", "ARCALIGNEDTEXT"};
    static const char *const quiet[] = {"POINT",    "DIMENSION", "LEADER",      "MLEADER",
                                        "MULTILEADER", "TOLERANCE", "VIEWPORT", "XLINE",
                                        "RAY",      "ACAD_TABLE", "OLE2FRAME",  "OLEFRAME",
                                        "ACAD_PROXY_ENTITY", "SHAPE", "ARC_DIMENSION",
                                        "LIGHT",    "SUN",       "UNDERLAY",    "PDFUNDERLAY",
                                        "DWFUNDERLAY", "DGNUNDERLAY", "SECTIONOBJECT"};
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
        if (!strcmp(s, text[i]))
            return IGN_TEXT;
    for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++)
        if (!strcmp(s, quiet[i]))
            return IGN_QUIET;
    return IGN_UNSUPPORTED;
}

int dxf_type_ref(struct rd *r, const char *s, size_t n, uint32_t *idx)
{
    char name[40];
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < sizeof name; i++) {
        unsigned char c = (unsigned char)s[i];
        name[k++] = (c > 32 && c < 127) ? (char)c : '?';
    }
    name[k] = 0;
    for (size_t i = 0; i < r->ntypes; i++)
        if (!strcmp(r->types[i].name, name)) {
            *idx = (uint32_t)i;
            return 0;
        }
    if (r->ntypes >= 64) { /* hostile files invent names: lump the rest together */
        for (size_t i = 0; i < r->ntypes; i++)
            if (!strcmp(r->types[i].name, "(other)")) {
                *idx = (uint32_t)i;
                return 0;
            }
        strcpy(name, "(other)");
    }
    struct dtype *v = dxf_grow(r, r->types, &r->captypes, r->ntypes + 1, sizeof *v);
    if (!v)
        return mem_fail(r);
    r->types = v;
    memset(&v[r->ntypes], 0, sizeof v[0]);
    memcpy(v[r->ntypes].name, name, strlen(name) + 1);
    v[r->ntypes].cls = type_class(name);
    *idx = (uint32_t)r->ntypes++;
    return 0;
}

/* -------------------------------------------------------------- sections */

static int next(struct rd *r, struct dxf_tok *t)
{
    int rc = lex_next(&r->lx, t, r->e);
    if (rc == 0) {
        char w[32];
        size_t pos = r->lx.binary ? (size_t)(r->lx.end - r->lx.start) : r->lx.line;
        return err_set(r->e, "unexpected end of file at %s inside %s: missing EOF",
                       lex_where(&r->lx, pos, w, sizeof w), r->lx.section ? r->lx.section : "?");
    }
    return rc < 0 ? -1 : 0;
}

/* True for the tags that end any section early: a sloppy file may forget
 * an ENDSEC. */
static int section_break(const struct dxf_tok *t)
{
    return t->code == 0 && (tok_is(t, "ENDSEC") || tok_is(t, "SECTION") || tok_is(t, "EOF"));
}

static void copy_trim(const struct dxf_tok *t, char *dst, size_t cap)
{
    const char *s;
    size_t n;
    tok_trim(t, &s, &n);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = 0;
}

static int read_header(struct rd *r)
{
    struct dxf_tok t;
    char var[32] = "";
    for (;;) {
        if (next(r, &t))
            return -1;
        if (section_break(&t))
            break;
        if (t.code == 9) {
            copy_trim(&t, var, sizeof var);
        } else if (t.code == 1 && !strcmp(var, "$ACADVER")) {
            copy_trim(&t, r->out->version, sizeof r->out->version);
        } else if (t.code == 3 && !strcmp(var, "$DWGCODEPAGE")) {
            copy_trim(&t, r->codepage, sizeof r->codepage);
        } else if (t.code == 70 && !strcmp(var, "$INSUNITS")) {
            long long v;
            if (tok_int(&r->lx, &t, &v, r->e))
                return -1;
            r->insunits = (int)(v >= 0 && v < NUNITS ? v : -2);
        }
    }
    if (!tok_is(&t, "ENDSEC"))
        lex_unget(&r->lx);
    r->utf8 = strcmp(r->out->version, "AC1021") >= 0;
    return 0;
}

/* One LAYER or BLOCK_RECORD entry, up to the next code 0. */
static int read_entry(struct rd *r, int layer)
{
    struct dxf_tok t;
    const char *name = NULL;
    size_t nlen = 0;
    long long flags = 0, colour = 7;
    uint64_t handle = 0;
    for (;;) {
        if (next(r, &t))
            return -1;
        if (t.code == 0)
            break;
        if (t.code == 2 && t.kind == TOK_STR)
            tok_trim(&t, &name, &nlen);
        else if (t.code == 70 && layer && tok_int(&r->lx, &t, &flags, r->e))
            return -1;
        else if (t.code == 62 && layer && tok_int(&r->lx, &t, &colour, r->e))
            return -1;
        else if (t.code == 5 && !layer)
            handle = tok_hex(&t);
    }
    lex_unget(&r->lx);
    if (!name)
        return 0;
    if (layer) {
        uint32_t k = dxf_layer_ref(r, name, nlen);
        if (k == UINT32_MAX)
            return mem_fail(r);
        r->layers[k].frozen = (flags & 1) != 0;
        r->layers[k].off = colour < 0;
    } else if (nlen >= 12 && strncasecmp(name, "*Paper_Space", 12) == 0 && handle) {
        uint64_t *v = dxf_grow(r, r->paper_handles, &r->cappaper, r->npaper + 1, sizeof *v);
        if (!v)
            return mem_fail(r);
        r->paper_handles = v;
        v[r->npaper++] = handle;
    }
    return 0;
}

static int read_tables(struct rd *r)
{
    struct dxf_tok t;
    int which = 0; /* 1 LAYER, 2 BLOCK_RECORD, 0 other */
    for (;;) {
        if (next(r, &t))
            return -1;
        if (section_break(&t))
            break;
        if (t.code == 0 && tok_is(&t, "TABLE")) {
            which = -1; /* the name follows in group 2 */
        } else if (t.code == 2 && which == -1) {
            which = tok_is(&t, "LAYER") ? 1 : tok_is(&t, "BLOCK_RECORD") ? 2 : 0;
        } else if (t.code == 0 && tok_is(&t, "ENDTAB")) {
            which = 0;
        } else if (t.code == 0 && which > 0 &&
                   (tok_is(&t, "LAYER") || tok_is(&t, "BLOCK_RECORD"))) {
            if (read_entry(r, which == 1))
                return -1;
        } else if (t.code == 0 && which == -1) {
            which = 0;
        }
    }
    if (!tok_is(&t, "ENDSEC"))
        lex_unget(&r->lx);
    return 0;
}

static int add_bent(struct rd *r, const struct dent *d)
{
    struct dent *v = dxf_grow(r, r->bents, &r->capbents, r->nbents + 1, sizeof *v);
    if (!v)
        return mem_fail(r);
    r->bents = v;
    v[r->nbents++] = *d;
    return 0;
}

static int read_blocks(struct rd *r)
{
    struct dxf_tok t;
    long long cur = -1; /* block being defined */
    int skip = 0;       /* paper-space or duplicate block: decode, keep nothing */
    for (;;) {
        if (next(r, &t))
            return -1;
        if (section_break(&t))
            break;
        if (t.code != 0)
            continue;
        if (tok_is(&t, "BLOCK")) {
            const char *name = "";
            size_t nlen = 0;
            double base[3] = {0, 0, 0};
            for (;;) {
                if (next(r, &t))
                    return -1;
                if (t.code == 0)
                    break;
                if (t.code == 2 && t.kind == TOK_STR)
                    tok_trim(&t, &name, &nlen);
                else if (t.code == 3 && t.kind == TOK_STR && !nlen)
                    tok_trim(&t, &name, &nlen);
                else if ((t.code == 10 || t.code == 20 || t.code == 30) &&
                         tok_real(&r->lx, &t, &base[t.code / 10 - 1], r->e))
                    return -1;
            }
            lex_unget(&r->lx);
            uint32_t k;
            if (dxf_block_ref(r, name, nlen, &k))
                return -1;
            struct dblock *b = &r->blocks[k];
            skip = b->defined || b->paper;
            cur = k;
            if (!skip) {
                b->defined = 1;
                memcpy(b->base, base, sizeof base);
                b->first = r->nbents;
                b->n = 0;
            }
        } else if (tok_is(&t, "ENDBLK")) {
            cur = -1;
        } else {
            struct dent d;
            if (dxf_decode(r, &t, &d, cur >= 0 && !skip))
                return -1;
            if (cur >= 0 && !skip && d.kind != D_NONE) {
                if (add_bent(r, &d))
                    return -1;
                r->blocks[cur].n++;
            }
        }
    }
    if (!tok_is(&t, "ENDSEC"))
        lex_unget(&r->lx);
    return 0;
}

static int read_entities(struct rd *r)
{
    struct dxf_tok t;
    struct xf id;
    dxf_xf_identity(&id);
    for (;;) {
        if (next(r, &t))
            return -1;
        if (section_break(&t))
            break;
        if (t.code != 0)
            continue;
        struct dent d;
        if (dxf_decode(r, &t, &d, 0))
            return -1;
        if (d.kind == D_NONE || d.paper)
            continue;
        if (d.kind == D_INSERT && !r->blocks[d.ins.block].defined) {
            struct dent *v =
                dxf_grow(r, r->pending, &r->cappending, r->npending + 1, sizeof *v);
            if (!v)
                return mem_fail(r);
            r->pending = v;
            v[r->npending++] = d;
            continue;
        }
        if (dxf_emit(r, &d, &id, UINT32_MAX, 0))
            return -1;
    }
    if (!tok_is(&t, "ENDSEC"))
        lex_unget(&r->lx);
    return 0;
}

static int skip_section(struct rd *r)
{
    struct dxf_tok t;
    for (;;) {
        if (next(r, &t))
            return -1;
        if (section_break(&t))
            break;
    }
    if (!tok_is(&t, "ENDSEC"))
        lex_unget(&r->lx);
    return 0;
}

static int read_sections(struct rd *r)
{
    struct dxf_tok t;
    for (;;) {
        r->lx.section = NULL;
        int rc = lex_next(&r->lx, &t, r->e);
        if (rc < 0)
            return -1;
        if (rc == 0 || (t.code == 0 && tok_is(&t, "EOF")))
            return 0;
        if (t.code != 0 || !tok_is(&t, "SECTION"))
            continue; /* stray tags between sections */
        if (next(r, &t))
            return -1;
        char sec[24];
        copy_trim(&t, sec, sizeof sec);
        if (t.code != 2) {
            lex_unget(&r->lx);
            continue;
        }
        if (!strcmp(sec, "HEADER")) {
            r->lx.section = "HEADER";
            rc = read_header(r);
        } else if (!strcmp(sec, "TABLES")) {
            r->lx.section = "TABLES";
            rc = read_tables(r);
        } else if (!strcmp(sec, "BLOCKS")) {
            r->lx.section = "BLOCKS";
            rc = read_blocks(r);
        } else if (!strcmp(sec, "ENTITIES")) {
            r->lx.section = "ENTITIES";
            rc = read_entities(r);
        } else {
            r->lx.section = "a section";
            rc = skip_section(r);
        }
        if (rc)
            return -1;
    }
}

/* ---------------------------------------------------------------- output */

static void scale_curves(struct rd *r, double k)
{
    if (k == 1.0)
        return;
    for (size_t i = 0; i < r->ncurves; i++) {
        struct geom_curve *c = &r->curves[i];
        switch (c->kind) {
        case GEOM_LINE:
            c->line.a.x *= k, c->line.a.y *= k, c->line.b.x *= k, c->line.b.y *= k;
            break;
        case GEOM_ARC:
            c->arc.c.x *= k, c->arc.c.y *= k, c->arc.r *= k;
            break;
        case GEOM_ELLIPSE:
            c->ell.c.x *= k, c->ell.c.y *= k, c->ell.u.x *= k, c->ell.u.y *= k;
            c->ell.v.x *= k, c->ell.v.y *= k;
            break;
        default: {
            struct geom_pt *p = (struct geom_pt *)(uintptr_t)c->spl.p;
            /* the curves of one SPLINE own their control points alone */
            for (int j = 0; j < c->spl.n; j++)
                p[j].x *= k, p[j].y *= k;
            break;
        }
        }
    }
}

static int finish(struct rd *r)
{
    struct dxf_drawing *o = r->out;
    struct arena *a = r->a;
    /* units */
    const char *dflt = r->o.default_units ? r->o.default_units : "mm";
    if (r->o.units) {
        o->mm_per_unit = dxf_unit_mm(r->o.units);
        o->units = unit_name(r->o.units);
        o->units_source = "override";
    } else if (r->insunits > 0) {
        o->mm_per_unit = units_tab[r->insunits].mm;
        o->units = units_tab[r->insunits].name;
        o->units_source = "header";
    } else {
        o->mm_per_unit = dxf_unit_mm(dflt);
        o->units = unit_name(dflt);
        o->units_source = "assumed";
        if (geom_warn(a, &o->warnings, "units_assumed", 0, 0,
                      r->insunits == -2 ? "$INSUNITS holds an unknown code: units assumed to be %s"
                      : r->insunits == 0 ? "$INSUNITS is 0 (unitless): units assumed to be %s"
                                         : "the drawing does not say its units ($INSUNITS): "
                                           "assumed to be %s",
                      o->units))
            return mem_fail(r);
    }
    scale_curves(r, o->mm_per_unit);
    o->curves = r->curves;
    o->ncurves = r->ncurves;
    o->nentities = r->ordinal;

    o->layers = arena_calloc(a, r->nlayers ? r->nlayers : 1, sizeof *o->layers);
    if (!o->layers)
        return mem_fail(r);
    for (size_t i = 0; i < r->nlayers; i++) {
        o->layers[i].name =
            dxf_text_utf8(a, r->codepage, r->utf8, r->layers[i].raw, r->layers[i].rawlen);
        if (!o->layers[i].name)
            return mem_fail(r);
        o->layers[i].off = r->layers[i].off;
        o->layers[i].frozen = r->layers[i].frozen;
    }
    o->nlayers = r->nlayers;

    static const char *const cut_names[CUT_NTYPES] = {"LINE",       "ARC",      "CIRCLE", "ELLIPSE",
                                                      "LWPOLYLINE", "POLYLINE", "SPLINE"};
    o->cut = arena_calloc(a, CUT_NTYPES, sizeof *o->cut);
    o->ignored = arena_calloc(a, r->ntypes ? r->ntypes : 1, sizeof *o->ignored);
    if (!o->cut || !o->ignored)
        return mem_fail(r);
    for (int i = 0; i < CUT_NTYPES; i++)
        if (r->cut[i])
            o->cut[o->ncut++] = (struct dxf_count){cut_names[i], r->cut[i]};
    size_t ntext = 0;
    char list[160] = "";
    for (size_t i = 0; i < r->ntypes; i++) {
        struct dtype *ty = &r->types[i];
        if (!ty->n)
            continue;
        o->ignored[o->nignored++] = (struct dxf_count){ty->name, ty->n};
        if (ty->cls == IGN_TEXT) {
            size_t l = strlen(list);
            snprintf(list + l, sizeof list - l, "%s%s %zu", ntext ? ", " : "", ty->name, ty->n);
            ntext += ty->n;
        } else if (ty->cls == IGN_UNSUPPORTED &&
                   geom_warn(a, &o->warnings, "unsupported_entity", 0, 0,
                             "%zu %s entit%s not cut: this reader does not cut that type", ty->n,
                             ty->name, ty->n == 1 ? "y is" : "ies are"))
            return mem_fail(r);
    }
    if (ntext && geom_warn(a, &o->warnings, "text_not_cut", 0, 0,
                           "%zu text entit%s not cut (%s): convert text to outlines if it must "
                           "be engraved or cut",
                           ntext, ntext == 1 ? "y is" : "ies are", list))
        return mem_fail(r);
    return 0;
}

/* A first look at the bytes: other file types fail with their name. */
static int sniff(const unsigned char *p, size_t n, struct err *e)
{
    static const struct {
        const char *magic;
        size_t len;
        const char *what;
    } sig[] = {
        {"\x89PNG", 4, "PNG"},          {"%PDF", 4, "PDF"},       {"PK\x03\x04", 4, "ZIP"},
        {"\xff\xd8\xff", 3, "JPEG"},    {"GIF8", 4, "GIF"},       {"\x1f\x8b", 2, "gzip"},
        {"AC10", 4, "DWG (AutoCAD's binary drawing format; export it as DXF)"},
        {"\xd0\xcf\x11\xe0", 4, "OLE (an Office document)"},
    };
    if (n == 0)
        return err_set(e, "empty file: not a DXF drawing");
    for (size_t i = 0; i < sizeof sig / sizeof sig[0]; i++)
        if (n >= sig[i].len && !memcmp(p, sig[i].magic, sig[i].len))
            return err_set(e, "not a DXF file: starts with %s signature", sig[i].what);
    return 0;
}

/* Asks for transparent huge pages on the whole 2 MiB pages inside a large
 * array: one fault per 2 MiB instead of per 4 KiB as curves arrive. */
static void advise_huge(void *p, size_t n)
{
    const uintptr_t huge = (uintptr_t)2 << 20;
    uintptr_t lo = ((uintptr_t)p + huge - 1) & ~(huge - 1), hi = ((uintptr_t)p + n) & ~(huge - 1);
    if (hi > lo)
        madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
}

int dxf_read_mem(struct arena *a, const void *data, size_t n, const struct dxf_opts *opts,
                 struct dxf_drawing *out, struct err *e)
{
    double t0 = core_now();
    struct rd r;
    memset(&r, 0, sizeof r);
    memset(out, 0, sizeof *out);
    r.a = a;
    r.e = e;
    r.out = out;
    if (opts)
        r.o = *opts;
    else
        dxf_opts_default(&r.o);
    if (r.o.units && dxf_unit_mm(r.o.units) <= 0)
        return err_set(e, "unknown units '%s' (use mm, cm, m, inch or ft)", r.o.units);
    if (r.o.default_units && dxf_unit_mm(r.o.default_units) <= 0)
        return err_set(e, "unknown default units '%s'", r.o.default_units);
    if (r.o.max_bytes && n > r.o.max_bytes)
        return err_set(e, "file too large: %zu bytes, the limit is %zu (limits.upload_mb)", n,
                       r.o.max_bytes);
    const unsigned char *p = data;
    if (sniff(p, n, e))
        return -1;
    r.lx.start = r.lx.p = (const char *)p;
    r.lx.end = (const char *)p + n;
    r.lx.line = 1;
    static const char bin_sentinel[] = "AutoCAD Binary DXF\r\n\x1a";
    if (n >= 22 && !memcmp(p, bin_sentinel, 22)) {
        out->binary = r.lx.binary = 1;
        r.lx.p += 22;
        r.lx.code2 = n >= 24 && p[22] == 0 && p[23] == 0;
    } else if (n >= 3 && !memcmp(p, "\xef\xbb\xbf", 3)) {
        r.lx.p += 3; /* UTF-8 byte order mark */
    }
    r.lx.cloc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (r.lx.cloc == (locale_t)0)
        return err_set(e, "cannot create the C locale");
    int rc = -1;
    r.layer0 = dxf_layer_ref(&r, "0", 1);
    if (r.layer0 == UINT32_MAX) {
        mem_fail(&r);
        goto fail;
    }
    r.insunits = -1;
    /* Reserve the curve array from the file size (a curve takes 24 bytes
     * of DXF at the least in practice): the pages are touched only as
     * curves arrive, and the array never has to be copied while it grows,
     * unless blocks multiply the geometry. */
    for (size_t want = n / 24 + 1024; want >= 1024 && !r.curves; want /= 4) {
        r.curves = arena_alloc(a, want * sizeof *r.curves);
        if (r.curves)
            r.capcurves = want;
    }
    if (r.curves)
        advise_huge(r.curves, r.capcurves * sizeof *r.curves);
    if (read_sections(&r))
        goto fail;
    {
        struct xf id;
        dxf_xf_identity(&id);
        r.lx.section = "ENTITIES";
        for (size_t i = 0; i < r.npending; i++)
            if (dxf_emit(&r, &r.pending[i], &id, UINT32_MAX, 0))
                goto fail;
    }
    if (finish(&r))
        goto fail;
    out->parse_ms = (core_now() - t0) * 1000.0;
    rc = 0;
fail:
    freelocale(r.lx.cloc);
    return rc;
}

int dxf_read_file(struct arena *a, const char *path, const struct dxf_opts *opts,
                  struct dxf_drawing *out, struct err *e)
{
    double t0 = core_now();
    struct dxf_opts dflt;
    if (!opts) {
        dxf_opts_default(&dflt);
        opts = &dflt;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set(e, "%s: cannot open: %m", path);
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return err_set(e, "%s: not a regular file", path);
    }
    size_t n = (size_t)st.st_size;
    if (opts->max_bytes && n > opts->max_bytes) {
        close(fd);
        return err_set(e, "%s: file too large: %zu bytes, the limit is %zu (limits.upload_mb)",
                       path, n, opts->max_bytes);
    }
    void *m = NULL;
    if (n) {
        m = mmap(NULL, n, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
        if (m == MAP_FAILED) {
            close(fd);
            return err_set(e, "%s: cannot map: %m", path);
        }
        madvise(m, n, MADV_SEQUENTIAL);
    }
    close(fd);
    double t1 = core_now();
    int rc = dxf_read_mem(a, m ? m : "", n, opts, out, e);
    if (m)
        munmap(m, n);
    if (rc)
        return err_prefix(e, "%s", path);
    out->read_ms = (t1 - t0) * 1000.0;
    return 0;
}
