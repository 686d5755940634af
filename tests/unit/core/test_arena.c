/*
 * test_arena.c - alignment, growth in place, the byte limit, overflow.
 */
#include "core/core.h"
#include "test.h"

#include <stdint.h>

TEST(alignment_and_reuse)
{
    struct arena *a = arena_new(0);
    for (size_t n = 1; n < 5000; n += 37) {
        unsigned char *p = arena_alloc(a, n);
        CHECK(p != NULL && ((uintptr_t)p & 15) == 0);
        memset(p, 0xAB, n);
    }
    int *z = arena_calloc(a, 1000, sizeof *z);
    int sum = 0;
    for (int i = 0; i < 1000; i++)
        sum += z[i];
    CHECK(sum == 0);
    CHECK_STR(arena_strdup(a, "layer 0"), "layer 0");
    CHECK_STR(arena_strndup(a, "abcdef", 3), "abc");
    arena_free(a);
}

TEST(grow_in_place_and_by_copy)
{
    struct arena *a = arena_new(0);
    int *v = arena_alloc(a, 4 * sizeof *v);
    for (int i = 0; i < 4; i++)
        v[i] = i;
    int *w = arena_grow(a, v, 4 * sizeof *v, 64 * sizeof *v);
    CHECK(w == v); /* last allocation: extended in place */
    arena_alloc(a, 8);
    int *x = arena_grow(a, w, 64 * sizeof *v, 100000 * sizeof *v);
    CHECK(x != w && x[3] == 3 && x[0] == 0);
    arena_free(a);
}

TEST(limit_and_overflow)
{
    struct arena *a = arena_new(1000);
    CHECK(arena_alloc(a, 900) != NULL);
    CHECK(arena_alloc(a, 200) == NULL);
    CHECK(arena_used(a) == 912); /* 900 rounded up to 16 */
    CHECK(arena_calloc(a, SIZE_MAX / 2, 4) == NULL);
    CHECK(arena_alloc(a, SIZE_MAX) == NULL);
    void *p = arena_alloc(a, 16);
    CHECK(p != NULL);
    CHECK(arena_grow(a, p, 16, 5000) == NULL);
    arena_free(a);
}

int main(void)
{
    RUN(alignment_and_reuse);
    RUN(grow_in_place_and_by_copy);
    RUN(limit_and_overflow);
    return test_report();
}
