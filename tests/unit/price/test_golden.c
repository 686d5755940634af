/*
 * test_golden.c - the default rules (rules/pricing.lua, as embedded) on a
 * fixture part, with every price worked out by hand below.
 *
 * The part (price_test.h): a 200 x 100 mm plate with a 100 x 50 mm cut-out,
 * cut length 900 mm, 2 pierces, bbox 200 x 100, net area 15000 mm2.
 * Material: mild steel S235, 3 mm: 8000 mm/min, pierce 0.3 s, 7850 kg/m3,
 * 1.10 EUR/kg, sheet 3000 x 1500.  Machine rate 120 EUR/h.
 *
 * Per part, by hand:
 *   cutting time  900 / 8000           = 0.1125   min
 *   pierce time   2 x 0.3 s / 60       = 0.0100   min
 *   travel        2 x 30 mm / 30000    = 0.0020   min
 *   machine time                         0.1245   min
 *   cutting cost  0.1245 / 60 x 120    = 0.249    EUR
 *   material (bbox + 10 mm spacing): 210 x 110 = 23100 mm2
 *     = 0.0231 m2 x 0.003 m x 7850 kg/m3 = 0.544005 kg
 *     x 1.10 EUR/kg x 1.15 markup = 0.68816633 EUR
 */
#include "price_test.h"

static struct price_engine *pe;
static struct arena *arena;

static int price(struct fixture *f, struct price_result *r)
{
    struct err e;
    if (price_quote(pe, &f->pp, &f->ctx, arena, r, &e) != 0) {
        fprintf(stderr, "price: %s\n", e.msg);
        return -1;
    }
    return 0;
}

static int64_t amount_of(const struct price_result *r, const char *label)
{
    const struct price_line *l = line_of(r, label);
    return l ? l->amount : INT64_MIN;
}

/* Quantity 1, no option.  Material 0.688 -> 0.69; cutting 0.249 -> 0.25;
 * setup 25.00; sum 25.94 is under the 40.00 minimum, so a minimum-charge
 * line of 40.00 - 25.94 = 14.06 makes the total 40.00. */
TEST(one_part_pays_the_minimum_charge)
{
    struct fixture f;
    fixture_init(&f);
    struct price_result r;
    CHECK(price(&f, &r) == 0);
    CHECK_STR(r.currency, "EUR");
    CHECK(r.decimals == 2);
    CHECK(r.nlines == 4);
    CHECK_STR(r.lines[0].label, "Material");
    CHECK(r.lines[0].amount == 69);
    CHECK_STR(r.lines[1].label, "Cutting");
    CHECK(r.lines[1].amount == 25);
    CHECK_STR(r.lines[2].label, "Setup");
    CHECK(r.lines[2].amount == 2500);
    CHECK_STR(r.lines[3].label, "Minimum charge");
    CHECK(r.lines[3].amount == 1406);
    CHECK(r.total == 4000);
    CHECK(r.unit_price == 4000);
    CHECK(r.nnotes == 0);
    CHECK(r.needs_review == 0);
    CHECK(r.lead_time_days == 5);
    CHECK(strstr(r.lines[0].detail, "0.544 kg") != NULL);
    CHECK(strstr(r.lines[1].detail, "900 mm at 8000 mm/min, 2 pierces x 0.3 s") != NULL);
}

/* Quantity 100: the 15 % break.  Material 100 x 0.68816633 = 68.82;
 * cutting 100 x 0.249 = 24.90; discount 15 % of 24.90 = 3.735 -> -3.74
 * (half away from zero); setup 25.00.  Total 68.82 + 24.90 - 3.74 + 25.00
 * = 114.98; unit price 114.98 / 100 = 1.1498 -> 1.15.  Machine time
 * 12.45 min, well under a day: lead time 5 days. */
TEST(quantity_break_of_fifteen_percent)
{
    struct fixture f;
    fixture_init(&f);
    f.ctx.quantity = 100;
    struct price_result r;
    CHECK(price(&f, &r) == 0);
    CHECK(amount_of(&r, "Material") == 6882);
    CHECK(amount_of(&r, "Cutting") == 2490);
    CHECK(amount_of(&r, "Quantity discount 15 %") == -374);
    CHECK(amount_of(&r, "Setup") == 2500);
    CHECK(line_of(&r, "Minimum charge") == NULL);
    CHECK(r.nlines == 4);
    CHECK(r.total == 11498);
    CHECK(r.unit_price == 115);
    CHECK(r.lead_time_days == 5);
}

/* Quantity 10 with rush and deburr.  Material 6.88; cutting 2.49;
 * discount 5 % of 2.49 = 0.1245 -> -0.12; deburring 10 x 1.50 = 15.00;
 * setup 25.00; sum 49.25 (over the minimum); rush 50 % of 49.25 = 24.625
 * -> 24.63.  Total 73.88, unit 7.388 -> 7.39, lead time 2 days. */
TEST(rush_and_deburr)
{
    struct fixture f;
    fixture_init(&f);
    struct price_option opts[] = {{"rush", NULL}, {"deburr", "yes"}};
    f.ctx.quantity = 10;
    f.ctx.options = opts;
    f.ctx.noptions = 2;
    struct price_result r;
    CHECK(price(&f, &r) == 0);
    CHECK(amount_of(&r, "Material") == 688);
    CHECK(amount_of(&r, "Cutting") == 249);
    CHECK(amount_of(&r, "Quantity discount 5 %") == -12);
    CHECK(amount_of(&r, "Deburring") == 1500);
    CHECK(amount_of(&r, "Setup") == 2500);
    CHECK(amount_of(&r, "Rush surcharge 50 %") == 2463);
    CHECK(r.nlines == 6);
    CHECK(r.total == 7388);
    CHECK(r.unit_price == 739);
    CHECK(r.lead_time_days == 2);
}

/* Quantity 1 with rush: the minimum comes first (40.00), then the rush
 * surcharge of 50 % on it (20.00): 60.00. */
TEST(rush_on_the_minimum_charge)
{
    struct fixture f;
    fixture_init(&f);
    struct price_option opt = {"rush", NULL};
    f.ctx.options = &opt;
    f.ctx.noptions = 1;
    struct price_result r;
    CHECK(price(&f, &r) == 0);
    CHECK(amount_of(&r, "Minimum charge") == 1406);
    CHECK(amount_of(&r, "Rush surcharge 50 %") == 2000);
    CHECK(r.total == 6000);
}

/* Customer-supplied material, quantity 1: handling 15.00 instead of the
 * material, cutting 0.25, setup 25.00: 40.25, just over the minimum, so no
 * minimum-charge line. */
TEST(customer_supplies_material)
{
    struct fixture f;
    fixture_init(&f);
    struct price_option opt = {"customer_supplies_material", NULL};
    f.ctx.options = &opt;
    f.ctx.noptions = 1;
    struct price_result r;
    CHECK(price(&f, &r) == 0);
    CHECK(line_of(&r, "Material") == NULL);
    CHECK(amount_of(&r, "Material supplied by customer") == 1500);
    CHECK(line_of(&r, "Minimum charge") == NULL);
    CHECK(r.total == 4025);
}

/* The "net" policy (the constant changed in the source): 15000 mm2 x 1.30
 * scrap = 19500 mm2 = 0.0195 m2 x 0.003 x 7850 = 0.459225 kg x 1.10 x 1.15
 * = 0.58091963 EUR per part; quantity 100: 58.09.  Cutting 24.90, discount
 * -3.74, setup 25.00: total 104.25.
 * The "sheet" policy: 210 x 110 boxes fit 14 x 13 = 182 or, turned,
 * 27 x 7 = 189 per 3000 x 1500 sheet, so 100 parts take 1 sheet:
 * 4.5 m2 x 0.003 x 7850 = 105.975 kg x 1.10 x 1.15 = 134.058375 -> 134.06;
 * total 134.06 + 24.90 - 3.74 + 25.00 = 180.22. */
TEST(material_policies)
{
    const struct embed_file *f0 = price_default_rules();
    static const char *const from = "MATERIAL_POLICY        = \"bbox\"";
    const char *at = strstr((const char *)f0->data, from);
    CHECK(at != NULL);
    if (!at)
        return;
    static const char *const policy[] = {"\"net\"", "\"sheet\""};
    static const int64_t material[] = {5809, 13406}, total[] = {10425, 18022};
    const char *text = (const char *)f0->data;
    size_t head = (size_t)(at - text) + strlen(from) - strlen("\"bbox\"");
    const char *tail = at + strlen(from);
    for (int i = 0; i < 2; i++) {
        char *src = xmalloc(f0->len + 16);
        snprintf(src, f0->len + 16, "%.*s%s%s", (int)head, text, policy[i], tail);
        struct price_engine *p = engine_with(src, 10000000, 64);
        struct fixture f;
        fixture_init(&f);
        f.ctx.quantity = 100;
        struct price_result r;
        struct err e;
        int rc = price_quote(p, &f.pp, &f.ctx, arena, &r, &e);
        if (rc != 0)
            fprintf(stderr, "policy %s: %s\n", policy[i], e.msg);
        CHECK(rc == 0);
        CHECK(amount_of(&r, "Material") == material[i]);
        CHECK(r.total == total[i]);
        price_engine_free(p);
        free(src);
    }
}

/* An open contour: still priced (the same 40.00), with a note and
 * needs_review. */
TEST(open_contour_needs_review)
{
    struct fixture f;
    fixture_init(&f);
    f.w[0] = (struct geom_warning){"open_contour", "contour is open: gap of 0.500 mm", 10, 20};
    f.ws.n = 1;
    f.r.open = 1;
    struct price_result r;
    CHECK(price(&f, &r) == 0);
    CHECK(r.total == 4000);
    CHECK(r.needs_review == 1);
    CHECK(r.nnotes == 1);
    CHECK(r.nnotes == 1 && strstr(r.notes[0], "open contour") != NULL);
    CHECK(r.nnotes == 1 && strstr(r.notes[0], "gap of 0.500 mm") != NULL);
}

/* A hole of 2 mm in 3 mm steel, with no tiny_hole warning from geom (it
 * was measured without a thickness): the rules see it themselves. */
TEST(hole_smaller_than_thickness_needs_review)
{
    struct fixture f;
    fixture_init(&f);
    f.r.smallest_hole_mm = 2;
    struct price_result r;
    CHECK(price(&f, &r) == 0);
    CHECK(r.needs_review == 1);
    CHECK(r.nnotes == 1 && strstr(r.notes[0], "smaller than the thickness") != NULL);
}

/* A part of 3200 x 100 mm does not fit a 3000 x 1500 sheet either way. */
TEST(part_bigger_than_the_sheet_needs_review)
{
    struct fixture f;
    fixture_init(&f);
    f.r.bbox.max_x = 3200;
    f.r.width_mm = 3200;
    struct price_result r;
    CHECK(price(&f, &r) == 0);
    CHECK(r.needs_review == 1);
    CHECK(r.nnotes == 1 && strstr(r.notes[0], "bigger than the 3000 x 1500 mm sheet") != NULL);
}

TEST(unknown_option_is_refused)
{
    struct fixture f;
    fixture_init(&f);
    struct price_option opt = {"rsh", NULL};
    f.ctx.options = &opt;
    f.ctx.noptions = 1;
    struct price_result r;
    struct err e;
    CHECK(price_quote(pe, &f.pp, &f.ctx, arena, &r, &e) == -1);
    CHECK(strstr(e.msg, "unknown option 'rsh'; these rules know: customer_supplies_material, "
                        "deburr, rush") != NULL);
    struct price_option bad = {"rush", "maybe"};
    f.ctx.options = &bad;
    CHECK(price_quote(pe, &f.pp, &f.ctx, arena, &r, &e) == -1);
    CHECK(strstr(e.msg, "option rush=maybe: expected yes or no") != NULL);
}

/* Yen have no minor unit: the minimum of 40 is 40 yen, in whole units. */
TEST(currency_without_decimals)
{
    struct fixture f;
    fixture_init(&f);
    f.shop.currency = "JPY";
    struct price_result r;
    CHECK(price(&f, &r) == 0);
    CHECK(r.decimals == 0);
    CHECK(r.total == 40);
    f.shop.currency = "EURO";
    struct err e;
    CHECK(price_quote(pe, &f.pp, &f.ctx, arena, &r, &e) == -1);
    CHECK(strstr(e.msg, "currency 'EURO'") != NULL);
}

TEST(same_inputs_same_price)
{
    struct fixture f;
    fixture_init(&f);
    f.ctx.quantity = 37;
    struct price_result a, b;
    CHECK(price(&f, &a) == 0);
    for (int i = 0; i < 50; i++) {
        CHECK(price(&f, &b) == 0);
        CHECK(a.total == b.total);
    }
}

TEST(trial_run_passes)
{
    struct price_shop shop = {120, "EUR", 0.2};
    int calls = 0;
    struct err e;
    int rc = price_check(pe, &shop, &calls, &e);
    if (rc != 0)
        fprintf(stderr, "check: %s\n", e.msg);
    CHECK(rc == 0);
    /* 6 samples x 3 materials x 3 quantities x 5 option sets, twice. */
    CHECK(calls == 540);
}

TEST(trial_run_catches_results_that_change)
{
    /* A result that depends on something outside its inputs (here the
     * address of a new table) differs between two calls on one part. */
    const char *src = "function quote(p, c) "
                      "local x = tonumber(tostring({}):match('0x(%x+)'), 16) % 1000 / 100 "
                      "return {unit_price = x, total = x, lines = {{label = 'x', amount = x}}} "
                      "end";
    struct price_engine *p = engine_with(src, 1000000, 16);
    struct price_shop shop = {120, "EUR", 0.2};
    struct err e;
    CHECK(price_check(p, &shop, NULL, &e) == -1);
    CHECK(strstr(e.msg, "two different results") != NULL);
    CHECK(strstr(e.msg, "sample '") != NULL);
    price_engine_free(p);
}

TEST(trial_run_names_the_failing_sample)
{
    const char *src = "function quote(p, c)\n"
                      "  if #p.parts == 0 then error('no parts to price') end\n"
                      "  return {unit_price = 1, total = 1, lines = {{label = 'x', amount = 1}}}\n"
                      "end\n";
    struct price_engine *p = engine_with(src, 1000000, 16);
    struct price_shop shop = {120, "EUR", 0.2};
    struct err e;
    CHECK(price_check(p, &shop, NULL, &e) == -1);
    CHECK(strstr(e.msg, "sample 'empty drawing'") != NULL);
    CHECK(strstr(e.msg, "rules.lua:2: no parts to price") != NULL);
    price_engine_free(p);
}

int main(void)
{
    const struct embed_file *f = price_default_rules();
    if (!f) {
        fprintf(stderr, "no embedded pricing.lua\n");
        return 2;
    }
    pe = engine_with((const char *)f->data, 10000000, 64);
    arena = arena_new(64u << 20);
    RUN(one_part_pays_the_minimum_charge);
    RUN(quantity_break_of_fifteen_percent);
    RUN(rush_and_deburr);
    RUN(rush_on_the_minimum_charge);
    RUN(customer_supplies_material);
    RUN(material_policies);
    RUN(open_contour_needs_review);
    RUN(hole_smaller_than_thickness_needs_review);
    RUN(part_bigger_than_the_sheet_needs_review);
    RUN(unknown_option_is_refused);
    RUN(currency_without_decimals);
    RUN(same_inputs_same_price);
    RUN(trial_run_passes);
    RUN(trial_run_catches_results_that_change);
    RUN(trial_run_names_the_failing_sample);
    arena_free(arena);
    price_engine_free(pe);
    return test_report();
}
