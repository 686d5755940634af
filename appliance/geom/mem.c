/*
 * mem.c - how the analysis asks for its large arrays.
 *
 * A drawing of 200,000 holes needs tens of MB of contours, edges and
 * scratch; touched 4 KiB at a time that is thousands of page faults, which
 * on a virtual machine cost more than the geometry.  geom_advise_huge()
 * asks the kernel for transparent huge pages over the 2 MiB pages that lie
 * wholly inside an array, before it is first touched: one fault per 2 MiB.
 * It is advice only: where huge pages are off or refused, nothing changes
 * but the speed.  Arrays under 2 MiB are left alone.  geom_alloc() is
 * malloc with that advice, zeroed on request after the advice (calloc
 * would clear recycled heap memory first, 4 KiB at a time); from 4 MiB on
 * it starts an array on a 2 MiB line and rounds it to whole huge pages,
 * so no part of it faults 4 KiB at a time (at most 2 MiB more resident).
 * geom_arena_big() does the same inside the caller's arena, which counts
 * the 2 MiB of slack against its limit but never touches it.
 */
#include "geom_int.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

void geom_advise_huge(void *p, size_t n)
{
    const uintptr_t huge = (uintptr_t)2 << 20;
    uintptr_t lo = ((uintptr_t)p + huge - 1) & ~(huge - 1), hi = ((uintptr_t)p + n) & ~(huge - 1);
    if (p && hi > lo)
        madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
}

#define HUGE ((size_t)2 << 20)
#define BIG  ((size_t)4 << 20) /* from here, arrays start on a 2 MiB line */

void *geom_alloc(size_t n, size_t size, int zero)
{
    if (size && n > SIZE_MAX / 2 / size)
        return NULL;
    size_t bytes = n * size;
    if (bytes == 0)
        bytes = 1;
    void *p;
    if (bytes >= BIG) {
        /* Aligned and rounded up to whole huge pages, or the partial 2 MiB
         * at each end would still fault 4 KiB at a time. */
        bytes = (bytes + HUGE - 1) & ~(HUGE - 1);
        if (posix_memalign(&p, HUGE, bytes) != 0)
            return NULL;
    } else if (!(p = malloc(bytes))) {
        return NULL;
    }
    geom_advise_huge(p, bytes);
    if (zero)
        memset(p, 0, bytes);
    return p;
}

void *geom_arena_big(struct arena *a, size_t bytes)
{
    if (bytes < BIG)
        return arena_alloc(a, bytes);
    if (bytes > SIZE_MAX / 2)
        return NULL;
    unsigned char *p = arena_alloc(a, bytes + HUGE);
    if (!p)
        return NULL;
    unsigned char *q = (unsigned char *)(((uintptr_t)p + HUGE - 1) & ~(uintptr_t)(HUGE - 1));
    geom_advise_huge(q, bytes);
    return q;
}
