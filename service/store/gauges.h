/**
 * @file gauges.h
 * @brief The hotline's own gauges for /metrics, read with one SQL statement over indexed
 *        columns: open and overdue tickets, pending and overdue follow-ups, the outbox backlog
 *        and failures, calls today. New gauges are new branches of that statement plus a row
 *        in its help table; nothing else changes.
 */
#ifndef HOTLINE_STORE_GAUGES_H
#define HOTLINE_STORE_GAUGES_H

#include "domain/timefmt.h"
#include "store/db.h"

#define STORE_GAUGE_MAX_LABELS 4

/** One sample. Strings are borrowed for the duration of the callback. */
struct store_gauge {
    const char *name; /* the metric family, e.g. "hotline_tickets_open" */
    const char *help; /* its HELP text */
    int nlabels;
    const char *label_names[STORE_GAUGE_MAX_LABELS];
    const char *label_values[STORE_GAUGE_MAX_LABELS];
    double value;
};

typedef void (*store_gauge_fn)(void *ctx, const struct store_gauge *g);

/**
 * Read every gauge as of now and hand each sample to fn (day_start: the local midnight that
 * begins "today" for hotline_calls_today), grouped by family (all samples of
 * one name in a row), every label combination present (zero included).
 * @return DB_OK after the last sample; another outcome when nothing could be read (fn was
 *         not called).
 */
enum db_status store_hotline_gauges(struct db *db, hl_time now, hl_time day_start,
                                    store_gauge_fn fn, void *ctx);

#endif
