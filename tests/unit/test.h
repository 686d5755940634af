/*
 * test.h - the two-macro unit test harness.
 *
 *   TEST(name) { CHECK(x == 1); CHECK_NEAR(a, b, 1e-9); }
 *   int main(void) { RUN(name); return test_report(); }
 *
 * A failed CHECK prints file:line and the expression and the test goes on;
 * test_report() prints "N passed, N failed" and returns the exit code.
 */
#ifndef DXFQ_TEST_H
#define DXFQ_TEST_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int test_checks_failed __attribute__((unused)), test_failed __attribute__((unused)),
    test_passed __attribute__((unused));

#define TEST(name) static void name(void)

#define CHECK(expr)                                                                                \
    do {                                                                                           \
        if (!(expr)) {                                                                             \
            fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #expr);               \
            test_checks_failed++;                                                                  \
        }                                                                                          \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                                      \
    do {                                                                                           \
        double test_a_ = (double)(a), test_b_ = (double)(b);                                       \
        if (!(fabs(test_a_ - test_b_) <= (tol))) {                                                 \
            fprintf(stderr, "%s:%d: CHECK_NEAR(%s, %s) failed: %.12g vs %.12g (tol %g)\n",         \
                    __FILE__, __LINE__, #a, #b, test_a_, test_b_, (double)(tol));                  \
            test_checks_failed++;                                                                  \
        }                                                                                          \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *test_sa_ = (a), *test_sb_ = (b);                                               \
        if (!test_sa_ || !test_sb_ || strcmp(test_sa_, test_sb_) != 0) {                           \
            fprintf(stderr, "%s:%d: CHECK_STR(%s, %s) failed: \"%s\" vs \"%s\"\n", __FILE__,       \
                    __LINE__, #a, #b, test_sa_ ? test_sa_ : "(null)",                              \
                    test_sb_ ? test_sb_ : "(null)");                                               \
            test_checks_failed++;                                                                  \
        }                                                                                          \
    } while (0)

#define RUN(name)                                                                                  \
    do {                                                                                           \
        int test_before_ = test_checks_failed;                                                     \
        name();                                                                                    \
        if (test_checks_failed == test_before_) {                                                  \
            test_passed++;                                                                         \
        } else {                                                                                   \
            test_failed++;                                                                         \
            fprintf(stderr, "FAIL %s\n", #name);                                                   \
        }                                                                                          \
    } while (0)

static inline int test_report(void)
{
    printf("%d passed, %d failed\n", test_passed, test_failed);
    return test_failed ? 1 : 0;
}

#endif
