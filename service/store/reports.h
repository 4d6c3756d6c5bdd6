/**
 * @file reports.h
 * @brief The SQL of GET /reports/daily and GET /reports/summary: every figure of a period,
 *        per group and in total, in one statement over indexed columns (the figures are
 *        defined in README "Reports"; the indexes are in migrations/0012_reports.sql).
 */
#ifndef HOTLINE_STORE_REPORTS_H
#define HOTLINE_STORE_REPORTS_H

#include <jansson.h>

#include "domain/report.h"
#include "domain/timefmt.h"
#include "store/db.h"

struct report_query {
    enum report_group group;
    const hl_time *bounds; /* the start of each day and the end of the last: ndays + 1 */
    int ndays;
    hl_time now;          /* deadlines not yet due and not yet met are left out */
    int ring_threshold_s; /* HOTLINE_RING_THRESHOLD_S, for the service level */
};

/**
 * Compute a report.
 * @param[out] rows on DB_OK a new array (caller decrefs) of {"key", "figures"}: one object per
 *        group in order, then the total last with "total": true. key is the day's index
 *        (1 = the first day) for REPORT_GROUP_DAY, the agent's name or the class otherwise, and
 *        null for the total and for figures recorded without an agent. figures is an object
 *        with every figure in the documented order (null: not defined for this group, or an
 *        empty denominator).
 */
enum db_status store_report(struct db *db, const struct report_query *q, json_t **rows);

#endif
