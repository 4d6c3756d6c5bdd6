/**
 * @file promtext.h
 * @brief Writing the Prometheus text exposition format (version 0.0.4): family headers,
 *        samples with escaped label values, and histograms as _bucket/_sum/_count series.
 */
#ifndef HOTLINE_UTIL_PROMTEXT_H
#define HOTLINE_UTIL_PROMTEXT_H

#include <stdbool.h>
#include <stdint.h>

#include "util/histo.h"
#include "util/strbuf.h"

#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/** A label set being built; text is `a="x",b="y"` without braces. */
struct prom_labels {
    char text[640];
    bool truncated; /* a label did not fit: the set is unusable */
};

void prom_labels_init(struct prom_labels *l);

/** Add name="value", escaping \, " and newline in value. The name must be a valid label name. */
void prom_labels_add(struct prom_labels *l, const char *name, const char *value);

/** True when name matches [a-zA-Z_][a-zA-Z0-9_]* (label names; metric names also allow ':'). */
bool prom_valid_name(const char *name, bool metric);

/** # HELP and # TYPE lines of a family; type is "counter", "gauge" or "histogram". */
void prom_family(struct strbuf *sb, const char *name, const char *type, const char *help);

/** One sample line; labels may be NULL. NaN and infinities are written as Prometheus spells them.
 */
void prom_sample(struct strbuf *sb, const char *name, const struct prom_labels *labels, double v);

/** One sample line with an exact integer value (counters beyond 2^53 stay exact). */
void prom_sample_u64(struct strbuf *sb, const char *name, const struct prom_labels *labels,
                     uint64_t v);

/** The _bucket (with le), _sum and _count lines of one histogram series. */
void prom_histogram(struct strbuf *sb, const char *name, const struct prom_labels *labels,
                    const struct histo_snapshot *h);

#endif
