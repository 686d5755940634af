/* test_window.c - the five-minute window of events and failures. */
#include "test.h"

#include "core/core.h"

TEST(counts_within_the_window)
{
    struct core_window w = CORE_WINDOW_INIT;
    long t, b;
    core_window_sum(&w, 1000, &t, &b);
    CHECK(t == 0 && b == 0);
    core_window_add(&w, 1000, 0);
    core_window_add(&w, 1000.5, 1);
    core_window_add(&w, 1100, 1);
    core_window_sum(&w, 1100, &t, &b);
    CHECK(t == 3 && b == 2);
    /* Five minutes on, the first two have left; the third is still in. */
    core_window_sum(&w, 1000 + CORE_WINDOW_S + CORE_WINDOW_STEP_S, &t, &b);
    CHECK(t == 1 && b == 1);
    /* Long after, nothing, although no event came to clear the slots. */
    core_window_sum(&w, 5000, &t, &b);
    CHECK(t == 0 && b == 0);
}

TEST(a_slot_reused_forgets_its_old_step)
{
    struct core_window w = CORE_WINDOW_INIT;
    long t, b;
    for (int i = 0; i < 5; i++)
        core_window_add(&w, 10, 1);
    /* Same slot of the ring one whole window later. */
    core_window_add(&w, 10 + CORE_WINDOW_S, 0);
    core_window_sum(&w, 10 + CORE_WINDOW_S, &t, &b);
    CHECK(t == 1 && b == 0);
}

int main(void)
{
    RUN(counts_within_the_window);
    RUN(a_slot_reused_forgets_its_old_step);
    return test_report();
}
