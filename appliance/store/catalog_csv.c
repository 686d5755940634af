/*
 * catalog_csv.c - the materials catalog as CSV: one reader and one writer
 * for `dxfquote materials export|import` and GET/POST /api/materials.csv,
 * so a file moves freely between the shell and the browser.
 *
 * RFC 4180: comma separated, a field quoted with '"' when it holds a comma,
 * a quote, a line break or edge spaces, '""' for a quote inside; CRLF or
 * LF; a UTF-8 byte order mark is skipped.  The header starts with
 * material,thickness_mm; then density_kg_m3, price_per_kg,
 * cutting_speed_mm_min, pierce_time_s, sheet_w_mm, sheet_h_mm (required, in
 * any order), notes (optional), and any other column is a figure the shop
 * adds (a Lua identifier), kept in the material's extra JSON object (a
 * number when the cell reads as one, else the text; empty cells left out).
 *
 * Limits: CSV_MAX_FIELDS columns; the text is decoded in place, so the
 * caller's buffer must stay alive as long as the rows.  Every error names
 * the line.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

#include <cJSON.h>

#define CSV_MAX_FIELDS 64

enum col { C_DENSITY, C_PRICE, C_SPEED, C_PIERCE, C_SHEET_W, C_SHEET_H, C_NOTES, C_NCOLS };
static const char *const col_names[C_NCOLS] = {
    "density_kg_m3", "price_per_kg", "cutting_speed_mm_min", "pierce_time_s",
    "sheet_w_mm",    "sheet_h_mm",   "notes"};

/* ------------------------------------------------------------- writing */

/* A growing text buffer; xrealloc aborts on exhaustion. */
struct text {
    char *p;
    size_t n, cap;
};

static void put(struct text *t, const char *s, size_t n)
{
    if (t->n + n + 1 > t->cap) {
        t->cap = (t->n + n + 1) * 2;
        t->p = xrealloc(t->p, t->cap);
    }
    memcpy(t->p + t->n, s, n);
    t->n += n;
    t->p[t->n] = '\0';
}

static void put_field(struct text *t, const char *s, int first)
{
    size_t n = strlen(s);
    if (!first)
        put(t, ",", 1);
    if (!strpbrk(s, ",\"\r\n") &&
        !(n && (isspace((unsigned char)s[0]) || isspace((unsigned char)s[n - 1])))) {
        put(t, s, n);
        return;
    }
    put(t, "\"", 1);
    for (; *s; s++) {
        if (*s == '"')
            put(t, "\"", 1);
        put(t, s, 1);
    }
    put(t, "\"", 1);
}

/* A number as short as it goes and still reads back the same. */
static const char *fmt_num(double v, char *buf, size_t n)
{
    snprintf(buf, n, "%.15g", v);
    if (strtod(buf, NULL) != v)
        snprintf(buf, n, "%.17g", v);
    return buf;
}

struct export_ctx {
    struct text *t;
    char *keys[CSV_MAX_FIELDS]; /* the shop's columns, in order of first appearance */
    size_t nkeys;
    int pass; /* 0: gather the columns, 1: write rows */
};

static int export_row(const struct store_material *m, void *ctx)
{
    struct export_ctx *x = ctx;
    char num[40];
    cJSON *o = cJSON_Parse(m->extra);
    if (x->pass == 0) {
        for (cJSON *it = o ? o->child : NULL; it; it = it->next) {
            size_t k = 0;
            while (k < x->nkeys && strcmp(x->keys[k], it->string))
                k++;
            if (k == x->nkeys && x->nkeys < CSV_MAX_FIELDS - 2 - C_NCOLS)
                x->keys[x->nkeys++] = xstrdup(it->string);
        }
        cJSON_Delete(o);
        return 0;
    }
    const double fig[C_NOTES] = {m->density_kg_m3,        m->price_per_kg,
                                 m->cutting_speed_mm_min, m->pierce_time_s,
                                 m->sheet_w_mm,           m->sheet_h_mm};
    put_field(x->t, m->name, 1);
    put_field(x->t, fmt_num(m->thickness_mm, num, sizeof num), 0);
    for (int k = 0; k < C_NOTES; k++)
        put_field(x->t, fmt_num(fig[k], num, sizeof num), 0);
    put_field(x->t, m->notes, 0);
    for (size_t k = 0; k < x->nkeys; k++) {
        cJSON *v = cJSON_GetObjectItemCaseSensitive(o, x->keys[k]);
        if (cJSON_IsString(v)) {
            put_field(x->t, v->valuestring, 0);
        } else if (cJSON_IsNumber(v)) {
            put_field(x->t, fmt_num(v->valuedouble, num, sizeof num), 0);
        } else if (v) {
            char *j = cJSON_PrintUnformatted(v);
            put_field(x->t, j ? j : "", 0);
            cJSON_free(j);
        } else {
            put_field(x->t, "", 0);
        }
    }
    put(x->t, "\r\n", 2);
    cJSON_Delete(o);
    return 0;
}

int store_catalog_csv(struct store *s, char **out, size_t *len, struct err *e)
{
    struct text t = {NULL, 0, 0};
    struct export_ctx x = {.t = &t};
    int rc = -1;
    if (store_material_list(s, export_row, &x, e) != 0)
        goto done;
    put_field(&t, "material", 1);
    put_field(&t, "thickness_mm", 0);
    for (int k = 0; k < C_NCOLS; k++)
        put_field(&t, col_names[k], 0);
    for (size_t k = 0; k < x.nkeys; k++)
        put_field(&t, x.keys[k], 0);
    put(&t, "\r\n", 2);
    x.pass = 1;
    rc = store_material_list(s, export_row, &x, e);
done:
    for (size_t k = 0; k < x.nkeys; k++)
        free(x.keys[k]);
    if (rc != 0) {
        free(t.p);
        return -1;
    }
    *out = t.p;
    *len = t.n;
    return 0;
}

/* ------------------------------------------------------------- reading */

struct csv_reader {
    char *p, *end; /* *end is '\0' */
    int line;      /* of p */
};

/* One record: up to CSV_MAX_FIELDS fields into f (decoded in place), *n of
 * them, *at its first line.  1 record, 0 end of input, -1 error. */
static int csv_record(struct csv_reader *r, char **f, size_t *n, int *at, struct err *e)
{
    *n = 0;
    *at = r->line;
    if (r->p >= r->end)
        return 0;
    for (;;) {
        char *buf = r->p;
        size_t k = 0;
        if (*r->p == '"') {
            int open_line = r->line;
            r->p++;
            for (;;) {
                if (r->p >= r->end)
                    return err_set(e, "line %d: a quoted field is never closed", open_line);
                if (*r->p == '"') {
                    if (r->p + 1 < r->end && r->p[1] == '"') {
                        buf[k++] = '"';
                        r->p += 2;
                        continue;
                    }
                    r->p++;
                    break;
                }
                if (*r->p == '\n')
                    r->line++;
                buf[k++] = *r->p++;
            }
            if (r->p < r->end && *r->p != ',' && *r->p != '\r' && *r->p != '\n')
                return err_set(e,
                               "line %d: text after the closing quote of a field; a quote "
                               "inside a field is written \"\"",
                               r->line);
        } else {
            while (r->p < r->end && *r->p != ',' && *r->p != '\r' && *r->p != '\n') {
                if (*r->p == '"')
                    return err_set(e,
                                   "line %d: a quote inside an unquoted field; quote the whole "
                                   "field and double the quote",
                                   r->line);
                k++;
                r->p++;
            }
        }
        char delim = r->p < r->end ? *r->p : '\0';
        buf[k] = '\0';
        if (*n == CSV_MAX_FIELDS)
            return err_set(e, "line %d: more than %d columns", *at, CSV_MAX_FIELDS);
        f[(*n)++] = buf;
        if (delim == ',') {
            r->p++;
            continue;
        }
        if (delim == '\r' || delim == '\n')
            r->p++;
        if (delim == '\r' && r->p < r->end && *r->p == '\n')
            r->p++;
        r->line++;
        return 1;
    }
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static int parse_number(const char *s, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return end != s && !*end && errno == 0 && isfinite(*v) ? 0 : -1;
}

int store_is_identifier(const char *s)
{
    if (!*s || strlen(s) > 64 || !(isalpha((unsigned char)*s) || *s == '_'))
        return 0;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_'))
            return 0;
    return 1;
}

struct csv_layout {
    int col[C_NCOLS];
    char *names[CSV_MAX_FIELDS];
    int extra[CSV_MAX_FIELDS];
    size_t n;
};

static int read_header(char **f, size_t n, int line, struct csv_layout *l, struct err *e)
{
    static const char *const reserved[] = {"name", "material", "thickness_mm"};
    if (n < 2 || strcmp(trim(f[0]), "material") || strcmp(trim(f[1]), "thickness_mm"))
        return err_set(e, "line %d: the header must start with material,thickness_mm", line);
    for (int k = 0; k < C_NCOLS; k++)
        l->col[k] = -1;
    l->n = n;
    for (size_t i = 0; i < n; i++) {
        l->names[i] = trim(f[i]);
        l->extra[i] = 0;
        if (i < 2)
            continue;
        int known = 0;
        for (int k = 0; k < C_NCOLS; k++)
            if (!strcmp(l->names[i], col_names[k])) {
                if (l->col[k] >= 0)
                    return err_set(e, "line %d: column %s appears twice", line, col_names[k]);
                l->col[k] = (int)i;
                known = 1;
            }
        if (known)
            continue;
        if (!store_is_identifier(l->names[i]))
            return err_set(e,
                           "line %d: column '%s' is not a name the rules can use (letters, "
                           "digits and _, not starting with a digit)",
                           line, l->names[i]);
        for (size_t r = 0; r < sizeof reserved / sizeof reserved[0]; r++)
            if (!strcmp(l->names[i], reserved[r]))
                return err_set(e, "line %d: column '%s' is reserved", line, l->names[i]);
        for (size_t k = 2; k < i; k++)
            if (!strcmp(l->names[k], l->names[i]))
                return err_set(e, "line %d: column %s appears twice", line, l->names[i]);
        l->extra[i] = 1;
    }
    for (int k = 0; k < C_NOTES; k++)
        if (l->col[k] < 0)
            return err_set(e,
                           "line %d: column %s is missing; the catalog needs material, "
                           "thickness_mm, density_kg_m3, price_per_kg, cutting_speed_mm_min, "
                           "pierce_time_s, sheet_w_mm and sheet_h_mm",
                           line, col_names[k]);
    return 0;
}

static int read_row(char **f, size_t n, int line, const struct csv_layout *l, struct arena *a,
                    struct store_material *m, struct err *e)
{
    double *fig[C_NOTES] = {&m->density_kg_m3,        &m->price_per_kg,
                            &m->cutting_speed_mm_min, &m->pierce_time_s,
                            &m->sheet_w_mm,           &m->sheet_h_mm};
    memset(m, 0, sizeof *m);
    m->line = line;
    if (n != l->n)
        return err_set(e, "line %d: %zu fields where the header has %zu", line, n, l->n);
    m->name = trim(f[0]);
    if (!*m->name)
        return err_set(e, "line %d: the material has no name", line);
    if (parse_number(trim(f[1]), &m->thickness_mm) != 0)
        return err_set(e, "line %d: thickness_mm '%s' is not a number", line, f[1]);
    for (int k = 0; k < C_NOTES; k++) {
        char *cell = trim(f[l->col[k]]);
        if (parse_number(cell, fig[k]) != 0)
            return err_set(e, "line %d: %s '%s' is not a number", line, col_names[k], cell);
    }
    m->notes = l->col[C_NOTES] >= 0 ? f[l->col[C_NOTES]] : "";
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 2; i < n; i++) {
        if (!l->extra[i])
            continue;
        char *cell = trim(f[i]);
        double v;
        if (!*cell)
            continue;
        if (parse_number(cell, &v) == 0)
            cJSON_AddNumberToObject(o, l->names[i], v);
        else
            cJSON_AddStringToObject(o, l->names[i], cell);
    }
    char *json = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    m->extra = json ? arena_strdup(a, json) : NULL;
    cJSON_free(json);
    if (!m->extra)
        return err_set(e, "line %d: out of memory", line);
    return 0;
}

int store_catalog_csv_parse(char *text, size_t len, struct arena *a, struct store_material **rows,
                           size_t *count, struct err *e)
{
    char *f[CSV_MAX_FIELDS];
    size_t n, cap = 64;
    int at, rc;
    struct csv_layout layout;
    memset(&layout, 0, sizeof layout);
    *count = 0;
    struct csv_reader r = {text, text + len, 1};
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
        r.p += 3;
    if ((rc = csv_record(&r, f, &n, &at, e)) <= 0)
        return rc < 0 ? -1 : err_set(e, "the file is empty");
    if (read_header(f, n, at, &layout, e) != 0)
        return -1;
    struct store_material *m = arena_calloc(a, cap, sizeof *m);
    while (m && (rc = csv_record(&r, f, &n, &at, e)) == 1) {
        if (n == 1 && !*trim(f[0]))
            continue; /* a blank line */
        if (*count == cap) {
            m = arena_grow(a, m, cap * sizeof *m, 2 * cap * sizeof *m);
            cap *= 2;
            if (!m)
                break;
        }
        if (read_row(f, n, at, &layout, a, &m[*count], e) != 0)
            return -1;
        (*count)++;
    }
    if (!m)
        return err_set(e, "out of memory");
    if (rc < 0)
        return -1;
    *rows = m;
    return 0;
}
