/**
 * @file histo.h
 * @brief Lock-free latency histograms for /metrics: one atomic add per bucket and per sum, so
 *        any thread may observe while another reads. Every histogram has the same buckets.
 */
#ifndef HOTLINE_UTIL_HISTO_H
#define HOTLINE_UTIL_HISTO_H

#include <stdatomic.h>
#include <stdint.h>

/** Bucket upper bounds in microseconds (0.5 ms … 10 s); a last bucket holds what is above. */
#define HISTO_BOUNDS 14
extern const int64_t histo_bounds_us[HISTO_BOUNDS];

/** Zero-initialised storage is an empty histogram (static, or calloc). */
struct histo {
    atomic_uint_fast64_t buckets[HISTO_BOUNDS + 1]; /* not cumulative; [HISTO_BOUNDS]: +Inf */
    atomic_uint_fast64_t sum_us;
};

/** A consistent-enough copy: cumulative counts, so cumulative[HISTO_BOUNDS] is the count. */
struct histo_snapshot {
    uint64_t cumulative[HISTO_BOUNDS + 1];
    uint64_t count;
    double sum_seconds;
};

/** Record one duration (negative counts as 0). Relaxed atomics; no locks. */
void histo_observe(struct histo *h, int64_t us);

/** Read h. The count is derived from the buckets, so +Inf always equals the count. */
void histo_snapshot(const struct histo *h, struct histo_snapshot *out);

#endif
