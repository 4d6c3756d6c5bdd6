/**
 * @file histo.c
 * @brief Fixed-bucket histograms with relaxed atomic counters.
 */
#include "util/histo.h"

const int64_t histo_bounds_us[HISTO_BOUNDS] = {
    500,    1000,   2500,   5000,    10000,   25000,   50000,
    100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000,
};

void histo_observe(struct histo *h, int64_t us)
{
    if (us < 0)
        us = 0;
    int b = 0;
    while (b < HISTO_BOUNDS && us > histo_bounds_us[b])
        b++;
    atomic_fetch_add_explicit(&h->buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->sum_us, (uint_fast64_t)us, memory_order_relaxed);
}

void histo_snapshot(const struct histo *h, struct histo_snapshot *out)
{
    uint64_t total = 0;
    for (int b = 0; b <= HISTO_BOUNDS; b++) {
        total += atomic_load_explicit(&h->buckets[b], memory_order_relaxed);
        out->cumulative[b] = total;
    }
    out->count = total;
    out->sum_seconds = (double)atomic_load_explicit(&h->sum_us, memory_order_relaxed) / 1e6;
}
