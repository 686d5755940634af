/*
 * catalog.c - the materials catalog: list, look up one material and
 * thickness, and replace the whole catalog from imported rows.
 *
 * The schema splits a row in two: materials (name, density, price, notes,
 * extra) and material_thicknesses (speed, pierce time, sheet).  Here a row
 * is both, as a shop thinks of it and as the CSV carries it.
 *
 * Invariants:
 *  1. An import is all or nothing: every row is checked before the first
 *     write, and the writes run in one BEGIN IMMEDIATE transaction that a
 *     failure rolls back.
 *  2. Rows of one material (names equal without regard to ASCII case, as
 *     the column's COLLATE NOCASE compares them) agree on density, price,
 *     notes and extra; the first row of a material names it.
 *  3. Thicknesses compare within THICKNESS_EPS: 3 and 3.0000001 are one.
 * Statements here are prepared per call: these are admin commands and one
 * look-up per priced part, not hot loops.
 */
#include "store_internal.h"

#include <math.h>
#include <string.h>
#include <strings.h>

#define THICKNESS_EPS 0.001

static sqlite3_stmt *prepare(struct store *s, const char *sql, struct err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        store_sql_fail(s, rc, e, "preparing a catalog statement");
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    const char *t = (const char *)sqlite3_column_text(st, i);
    return t ? t : "";
}

#define ROW_COLUMNS                                                                                \
    "m.name, m.density_kg_m3, m.price_per_kg, m.notes, m.extra, t.thickness_mm, "                \
    "t.cutting_speed_mm_min, t.pierce_time_s, t.sheet_w_mm, t.sheet_h_mm "                       \
    "FROM material_thicknesses t JOIN materials m ON m.id = t.material_id "

static void read_row(sqlite3_stmt *st, struct store_material *m)
{
    memset(m, 0, sizeof *m);
    m->name = col_text(st, 0);
    m->density_kg_m3 = sqlite3_column_double(st, 1);
    m->price_per_kg = sqlite3_column_double(st, 2);
    m->notes = col_text(st, 3);
    m->extra = col_text(st, 4);
    m->thickness_mm = sqlite3_column_double(st, 5);
    m->cutting_speed_mm_min = sqlite3_column_double(st, 6);
    m->pierce_time_s = sqlite3_column_double(st, 7);
    m->sheet_w_mm = sqlite3_column_double(st, 8);
    m->sheet_h_mm = sqlite3_column_double(st, 9);
}

int store_material_list(struct store *s, int (*fn)(const struct store_material *m, void *ctx),
                        void *ctx, struct err *e)
{
    sqlite3_stmt *st =
        prepare(s, "SELECT " ROW_COLUMNS "ORDER BY m.name COLLATE NOCASE, t.thickness_mm", e);
    if (!st)
        return -1;
    int rc;
    struct store_material m;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        read_row(st, &m);
        if (fn(&m, ctx) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_sql_fail(s, rc, e, "listing the materials");
    return 0;
}

int store_material_get(struct store *s, struct arena *a, const char *name, double thickness_mm,
                       struct store_material *out, struct err *e)
{
    sqlite3_stmt *st = prepare(s,
                               "SELECT " ROW_COLUMNS "WHERE m.name = ?1 "
                               "AND abs(t.thickness_mm - ?2) < ?3 "
                               "ORDER BY abs(t.thickness_mm - ?2) LIMIT 1",
                               e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 2, thickness_mm);
    sqlite3_bind_double(st, 3, THICKNESS_EPS);
    int rc = sqlite3_step(st), found = 0;
    if (rc == SQLITE_ROW) {
        read_row(st, out);
        out->name = arena_strdup(a, out->name);
        out->notes = arena_strdup(a, out->notes);
        out->extra = arena_strdup(a, out->extra);
        if (!out->name || !out->notes || !out->extra) {
            sqlite3_finalize(st);
            return err_set(e, "out of memory reading the catalog");
        }
        found = 1;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_sql_fail(s, rc, e, "looking up a material");
    return found;
}

/* ---------------------------------------------------------------- import */

/* "line 12: " or "row 3: " in front of a message about row i. */
static int row_fail(const struct store_material *m, size_t i, struct err *e)
{
    if (m->line > 0)
        return err_prefix(e, "line %d", m->line);
    return err_prefix(e, "row %zu", i + 1);
}

static int check_figure(const char *what, double v, int zero_ok, struct err *e)
{
    if (!isfinite(v) || v < 0 || (!zero_ok && v == 0) || v > 1e9)
        return err_set(e, "%s must be a number %s 0%s, not %g", what, zero_ok ? "from" : "above",
                       " and at most 1e9", v);
    return 0;
}

static int check_row(const struct store_material *m, struct err *e)
{
    if (!m->name || !*m->name)
        return err_set(e, "the material has no name");
    if (check_figure("density_kg_m3", m->density_kg_m3, 0, e) ||
        check_figure("price_per_kg", m->price_per_kg, 1, e) ||
        check_figure("thickness_mm", m->thickness_mm, 0, e) ||
        check_figure("cutting_speed_mm_min", m->cutting_speed_mm_min, 0, e) ||
        check_figure("pierce_time_s", m->pierce_time_s, 1, e) ||
        check_figure("sheet_w_mm", m->sheet_w_mm, 0, e) ||
        check_figure("sheet_h_mm", m->sheet_h_mm, 0, e))
        return -1;
    return 0;
}

static int same_text(const char *a, const char *b)
{
    return !strcmp(a ? a : "", b ? b : "");
}

/* Row i against the earlier rows: a repeat of material and thickness, or a
 * disagreement with the material's first row. */
static int check_against(const struct store_material *rows, size_t i, int *first_of_material,
                         struct err *e)
{
    const struct store_material *m = &rows[i];
    *first_of_material = 1;
    for (size_t k = 0; k < i; k++) {
        const struct store_material *o = &rows[k];
        if (strcasecmp(o->name, m->name) != 0)
            continue;
        char where[32];
        if (o->line > 0)
            snprintf(where, sizeof where, "line %d", o->line);
        else
            snprintf(where, sizeof where, "row %zu", k + 1);
        if (fabs(o->thickness_mm - m->thickness_mm) < THICKNESS_EPS)
            return err_set(e, "%s at %g mm is already on %s", m->name, m->thickness_mm, where);
        if (!*first_of_material)
            continue;
        *first_of_material = 0;
        if (o->density_kg_m3 != m->density_kg_m3)
            return err_set(e, "density_kg_m3 %g differs from %g on %s for %s: a material has one "
                              "density", m->density_kg_m3, o->density_kg_m3, where, o->name);
        if (o->price_per_kg != m->price_per_kg)
            return err_set(e, "price_per_kg %g differs from %g on %s for %s: a material has one "
                              "price", m->price_per_kg, o->price_per_kg, where, o->name);
        if (!same_text(o->notes, m->notes))
            return err_set(e, "notes differ from those on %s for %s", where, o->name);
        if (!same_text(o->extra, m->extra))
            return err_set(e, "the extra columns differ from those on %s for %s: they belong to "
                              "the material, not the thickness", where, o->name);
    }
    return 0;
}

static int insert_row(struct store *s, sqlite3_stmt *ins_m, sqlite3_stmt *ins_t,
                      const struct store_material *m, int first, struct err *e)
{
    int rc;
    if (first) {
        sqlite3_reset(ins_m);
        sqlite3_bind_text(ins_m, 1, m->name, -1, SQLITE_STATIC);
        sqlite3_bind_double(ins_m, 2, m->density_kg_m3);
        sqlite3_bind_double(ins_m, 3, m->price_per_kg);
        sqlite3_bind_text(ins_m, 4, m->notes ? m->notes : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(ins_m, 5, m->extra && *m->extra ? m->extra : "{}", -1, SQLITE_STATIC);
        rc = sqlite3_step(ins_m);
        if ((rc & 0xff) == SQLITE_CONSTRAINT)
            return err_set(e, "the material is refused by the database (%s): extra must be a "
                              "JSON object", sqlite3_errmsg(s->db));
        if (rc != SQLITE_DONE)
            return store_sql_fail(s, rc, e, "adding a material");
    }
    sqlite3_reset(ins_t);
    sqlite3_bind_text(ins_t, 1, m->name, -1, SQLITE_STATIC);
    sqlite3_bind_double(ins_t, 2, m->thickness_mm);
    sqlite3_bind_double(ins_t, 3, m->cutting_speed_mm_min);
    sqlite3_bind_double(ins_t, 4, m->pierce_time_s);
    sqlite3_bind_double(ins_t, 5, m->sheet_w_mm);
    sqlite3_bind_double(ins_t, 6, m->sheet_h_mm);
    rc = sqlite3_step(ins_t);
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return err_set(e, "the row is refused by the database: %s", sqlite3_errmsg(s->db));
    if (rc != SQLITE_DONE)
        return store_sql_fail(s, rc, e, "adding a thickness");
    return 0;
}

int store_material_import(struct store *s, const struct store_material *rows, size_t n,
                          size_t *materials, struct err *e)
{
    sqlite3_stmt *ins_m = NULL, *ins_t = NULL;
    size_t distinct = 0;
    int first;
    if (n == 0)
        return err_set(e, "the import holds no rows; an empty catalog cannot price anything");
    for (size_t i = 0; i < n; i++) {
        if (check_row(&rows[i], e) != 0 || check_against(rows, i, &first, e) != 0)
            return row_fail(&rows[i], i, e);
        distinct += (size_t)first;
    }
    if (store_begin(s, e) != 0)
        return -1;
    ins_m = prepare(s,
                    "INSERT INTO materials (name, density_kg_m3, price_per_kg, notes, extra) "
                    "VALUES (?1, ?2, ?3, ?4, ?5)",
                    e);
    ins_t = prepare(s,
                    "INSERT INTO material_thicknesses (material_id, thickness_mm, "
                    "cutting_speed_mm_min, pierce_time_s, sheet_w_mm, sheet_h_mm) "
                    "SELECT id, ?2, ?3, ?4, ?5, ?6 FROM materials WHERE name = ?1",
                    e);
    if (!ins_m || !ins_t)
        goto fail;
    int rc = sqlite3_exec(s->db, "DELETE FROM materials", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        store_sql_fail(s, rc, e, "clearing the catalog");
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        check_against(rows, i, &first, e);
        if (insert_row(s, ins_m, ins_t, &rows[i], first, e) != 0) {
            row_fail(&rows[i], i, e);
            goto fail;
        }
    }
    sqlite3_finalize(ins_m);
    sqlite3_finalize(ins_t);
    if (store_commit(s, e) != 0)
        return -1;
    if (materials)
        *materials = distinct;
    return 0;
fail:
    sqlite3_finalize(ins_m);
    sqlite3_finalize(ins_t);
    store_rollback(s);
    return -1;
}
