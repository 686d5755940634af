/*
 * test_money.c - currency decimals, rounding to minor units, formatting.
 * Expectations are written from ISO 4217 and from rounding by hand.
 */
#include "price_test.h"

TEST(currency_decimals)
{
    static const char *const two[] = {"EUR", "USD", "GBP", "CHF", "SEK", "NOK",
                                      "DKK", "PLN", "CZK", "HUF", "CAD", "AUD"};
    for (size_t i = 0; i < sizeof two / sizeof two[0]; i++)
        CHECK(price_currency_decimals(two[i]) == 2);
    CHECK(price_currency_decimals("JPY") == 0);
    CHECK(price_currency_decimals("KRW") == 0);
    CHECK(price_currency_decimals("ISK") == 0);
    CHECK(price_currency_decimals("KWD") == 3);
    CHECK(price_currency_decimals("BHD") == 3);
    CHECK(price_currency_decimals("eur") == -1);
    CHECK(price_currency_decimals("EU") == -1);
    CHECK(price_currency_decimals("EURO") == -1);
    CHECK(price_currency_decimals("XYZ") == -1);
    CHECK(price_currency_decimals("") == -1);
    CHECK(price_currency_decimals(NULL) == -1);
}

TEST(rounding_half_away_from_zero)
{
    int64_t m;
    CHECK(price_round(12.34, 2, &m) == 0 && m == 1234);
    CHECK(price_round(0.005, 2, &m) == 0 && m == 1);
    CHECK(price_round(-0.005, 2, &m) == 0 && m == -1);
    CHECK(price_round(0.004999, 2, &m) == 0 && m == 0);
    /* 0.285 is 0.28499999999999998 as a double: still 29 cents. */
    CHECK(price_round(0.285, 2, &m) == 0 && m == 29);
    CHECK(price_round(1.005, 2, &m) == 0 && m == 101);
    CHECK(price_round(2.675, 2, &m) == 0 && m == 268);
    CHECK(price_round(-3.735, 2, &m) == 0 && m == -374);
    CHECK(price_round(1234.5, 0, &m) == 0 && m == 1235);
    CHECK(price_round(1.0005, 3, &m) == 0 && m == 1001);
    CHECK(price_round(0.1 + 0.2, 2, &m) == 0 && m == 30);
    CHECK(price_round(0, 2, &m) == 0 && m == 0);
}

TEST(rounding_refuses_what_is_not_money)
{
    int64_t m;
    CHECK(price_round(NAN, 2, &m) == -1);
    CHECK(price_round(INFINITY, 2, &m) == -1);
    CHECK(price_round(-INFINITY, 2, &m) == -1);
    CHECK(price_round(1e14, 2, &m) == -1); /* 1e16 cents > 2^53 */
    CHECK(price_round(9e13, 2, &m) == 0 && m == 9000000000000000LL);
}

TEST(formatting)
{
    char b[32];
    CHECK_STR(price_format(1234, 2, b, sizeof b), "12.34");
    CHECK_STR(price_format(5, 2, b, sizeof b), "0.05");
    CHECK_STR(price_format(-5, 2, b, sizeof b), "-0.05");
    CHECK_STR(price_format(-1205, 2, b, sizeof b), "-12.05");
    CHECK_STR(price_format(1500, 0, b, sizeof b), "1500");
    CHECK_STR(price_format(1001, 3, b, sizeof b), "1.001");
    CHECK_STR(price_format(0, 2, b, sizeof b), "0.00");
    CHECK_STR(price_format(INT64_MIN, 2, b, sizeof b), "-92233720368547758.08");
    CHECK_NEAR(price_units(1234, 2), 12.34, 1e-12);
    CHECK_NEAR(price_units(1500, 0), 1500, 0);
}

int main(void)
{
    RUN(currency_decimals);
    RUN(rounding_half_away_from_zero);
    RUN(rounding_refuses_what_is_not_money);
    RUN(formatting);
    return test_report();
}
