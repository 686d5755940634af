/*
 * test_catalog_csv.c - the catalog's CSV reader (store_catalog_csv_parse),
 * shared by `dxfquote materials import` and POST /api/materials.csv: RFC
 * 4180 details, the header, and every error with its line.
 */
#include "store/store.h"
#include "test.h"

/* Parses csv (a literal copied, since parsing decodes in place). */
static int parse_csv(const char *csv, struct arena *a, struct store_material **rows, size_t *n,
                     struct err *e)
{
    char *text = arena_strdup(a, csv);
    return store_catalog_csv_parse(text, strlen(text), a, rows, n, e);
}

TEST(catalog_csv_reading)
{
    struct arena *a = arena_new(0);
    struct store_material *m = NULL;
    size_t n = 0;
    struct err e = {""};
    /* BOM, CRLF and LF mixed, quoted comma, doubled quote, line break in
     * a field, columns in another order, a shop column, a blank line. */
    const char *good = "\xEF\xBB\xBFmaterial,thickness_mm,price_per_kg,density_kg_m3,"
                       "cutting_speed_mm_min,pierce_time_s,sheet_w_mm,sheet_h_mm,notes,grade\r\n"
                       "\"Steel, mild\",3,1.1,7850,8000,0.3,3000,1500,\"say \"\"hi\"\"\",S235\n"
                       "\n"
                       "Acrylic,5,7.5,1190,800,0.6,3050,2050,\"two\nlines\",\r\n";
    CHECK(parse_csv(good, a, &m, &n, &e) == 0);
    CHECK(n == 2);
    if (n == 2) {
        CHECK_STR(m[0].name, "Steel, mild");
        CHECK(m[0].thickness_mm == 3 && m[0].price_per_kg == 1.1 && m[0].density_kg_m3 == 7850);
        CHECK(m[0].cutting_speed_mm_min == 8000 && m[0].pierce_time_s == 0.3);
        CHECK(m[0].sheet_w_mm == 3000 && m[0].sheet_h_mm == 1500);
        CHECK_STR(m[0].notes, "say \"hi\"");
        CHECK_STR(m[0].extra, "{\"grade\":\"S235\"}");
        CHECK(m[0].line == 2);
        CHECK_STR(m[1].notes, "two\nlines");
        CHECK_STR(m[1].extra, "{}"); /* an empty cell leaves the figure out */
        CHECK(m[1].line == 4);
    }
    static const struct {
        const char *csv, *msg;
    } bad[] = {
        {"", "the file is empty"},
        {"name,thickness_mm\n", "line 1: the header must start with material,thickness_mm"},
        {"material,thickness_mm,density_kg_m3\n", "line 1: column price_per_kg is missing"},
        {"material,thickness_mm,density_kg_m3,price_per_kg,cutting_speed_mm_min,pierce_time_s,"
         "sheet_w_mm,sheet_h_mm,2x\n",
         "line 1: column '2x' is not a name the rules can use"},
        {"material,thickness_mm,density_kg_m3,price_per_kg,cutting_speed_mm_min,pierce_time_s,"
         "sheet_w_mm,sheet_h_mm\nA,3,1,1,1,1,1\n",
         "line 2: 7 fields where the header has 8"},
        {"material,thickness_mm,density_kg_m3,price_per_kg,cutting_speed_mm_min,pierce_time_s,"
         "sheet_w_mm,sheet_h_mm\nA,3,1,1,1,1,1,1\nB,x,1,1,1,1,1,1\n",
         "line 3: thickness_mm 'x' is not a number"},
        {"material,thickness_mm,density_kg_m3,price_per_kg,cutting_speed_mm_min,pierce_time_s,"
         "sheet_w_mm,sheet_h_mm\n\"A,3,1,1,1,1,1,1\n",
         "line 2: a quoted field is never closed"},
        {"material,thickness_mm,density_kg_m3,price_per_kg,cutting_speed_mm_min,pierce_time_s,"
         "sheet_w_mm,sheet_h_mm\nA\"b,3,1,1,1,1,1,1\n",
         "line 2: a quote inside an unquoted field"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        e.msg[0] = '\0';
        CHECK(parse_csv(bad[i].csv, a, &m, &n, &e) == -1);
        CHECK(!strncmp(e.msg, bad[i].msg, strlen(bad[i].msg)));
        if (strncmp(e.msg, bad[i].msg, strlen(bad[i].msg)))
            fprintf(stderr, "  case %zu: %s\n", i, e.msg);
    }
    CHECK(store_is_identifier("co2_kg") && store_is_identifier("_x"));
    CHECK(!store_is_identifier("") && !store_is_identifier("9a") && !store_is_identifier("a-b"));
    arena_free(a);
}

int main(void)
{
    RUN(catalog_csv_reading);
    return test_report();
}
