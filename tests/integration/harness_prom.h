/**
 * @file harness_prom.h
 * @brief A strict reader of the Prometheus text exposition format (0.0.4) for tests, and a
 *        wrapper around `promtool check metrics`.
 */
#ifndef HOTLINE_TEST_HARNESS_PROM_H
#define HOTLINE_TEST_HARNESS_PROM_H

#include <stdbool.h>
#include <stddef.h>

/**
 * Check body line by line and fail the test at the first violation: every family has one
 * HELP and one TYPE before its samples, families are contiguous and never repeat, sample
 * names belong to their family (histograms: _bucket/_sum/_count; counters end in _total),
 * label names and escapes are valid, no series appears twice, counters are >= 0, and each
 * histogram has ascending le buckets ending in +Inf whose counts never fall and equal _count.
 * @return the number of samples
 */
int prom_check(const char *body);

/**
 * The value of one series, written as the server writes it: `name` or `name{a="x",b="y"}`
 * (labels in the server's order). @return NAN when the series is absent.
 */
double prom_value(const char *body, const char *series);

/** Sum of every sample of a metric name (any labels); 0 when there is none. */
double prom_sum(const char *body, const char *name);

/**
 * Pipe body through `promtool check metrics` ($HOTLINE_PROMTOOL or promtool in PATH) and
 * fail the test on any complaint, lint warnings included, or when promtool is missing.
 */
void prom_promtool(const char *body);

#endif
