/*
 * window.c - counts of events and failures over the last five minutes
 * (core.h, "recent failures").
 *
 * A ring of CORE_WINDOW_SLOTS buckets, one per CORE_WINDOW_STEP_S seconds
 * of monotonic time.  A slot remembers which step it counts; a slot whose
 * step is older than the window is stale and counts as empty, so nothing
 * needs to run when no events come.
 */
#include "core/core.h"

static int64_t step_of(double now)
{
    return (int64_t)(now / CORE_WINDOW_STEP_S) + 1; /* 0 marks a slot never used */
}

void core_window_add(struct core_window *w, double now, int bad)
{
    int64_t step = step_of(now);
    size_t i = (size_t)(step % CORE_WINDOW_SLOTS);
    pthread_mutex_lock(&w->mu);
    if (w->step[i] != step) {
        w->step[i] = step;
        w->total[i] = 0;
        w->bad[i] = 0;
    }
    w->total[i]++;
    if (bad)
        w->bad[i]++;
    pthread_mutex_unlock(&w->mu);
}

void core_window_sum(struct core_window *w, double now, long *total, long *bad)
{
    int64_t step = step_of(now);
    long t = 0, b = 0;
    pthread_mutex_lock(&w->mu);
    for (size_t i = 0; i < CORE_WINDOW_SLOTS; i++)
        if (w->step[i] > step - CORE_WINDOW_SLOTS && w->step[i] <= step) {
            t += w->total[i];
            b += w->bad[i];
        }
    pthread_mutex_unlock(&w->mu);
    *total = t;
    *bad = b;
}
