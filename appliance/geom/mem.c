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
 * would clear recycled heap memory first, 4 KiB at a time).
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

void *geom_alloc(size_t n, size_t size, int zero)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    size_t bytes = n * size;
    if (bytes == 0)
        bytes = 1;
    void *p = malloc(bytes);
    if (!p)
        return NULL;
    geom_advise_huge(p, bytes);
    if (zero)
        memset(p, 0, bytes);
    return p;
}
