/**
 * @file report.h
 * @brief Report periods: the query parameters of GET /reports/daily and /reports/summary as
 *        local calendar days of the business calendar's zone, and the instants where those
 *        days begin.
 *
 * Pure: the calendar is an argument. A day is [local midnight, next local midnight), which is
 * 23 or 25 hours long across a daylight-saving change.
 */
#ifndef HOTLINE_DOMAIN_REPORT_H
#define HOTLINE_DOMAIN_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/calendar.h"
#include "domain/validate.h"

/** Longest summary: 31 days, any calendar month. A month of a hotline of 10,000 tickets a day
 * answers in about 3.5 s, inside the default HOTLINE_DB_TIMEOUT_MS; a quarter took 12 s (README
 * "Reports", Cost). */
#define REPORT_MAX_DAYS 31

enum report_group {
    REPORT_GROUP_DAY,
    REPORT_GROUP_AGENT,
    REPORT_GROUP_CLASS,
    REPORT_GROUP_NONE /* the daily report: one row */
};

/** "day", "agent", "class" (NULL-terminated; REPORT_GROUP_NONE has no name). */
extern const char *const report_group_names[];

/** Whole local days first_day..last_day (days since 1970-01-01). */
struct report_period {
    int64_t first_day, last_day;
    int ndays;
};

/**
 * The period of ?from=&to= (YYYY-MM-DD, both included): from not after to, at most
 * REPORT_MAX_DAYS days, years 2000-2199. Each parameter is checked on its own, so every
 * missing or malformed one is named in errs.
 * @param to_name NULL for a one-day period (the daily report's ?date=, named from_name); to is
 *        then ignored
 * @return true when errs gained nothing
 */
bool report_period_parse(const char *from, const char *to, const char *from_name,
                         const char *to_name, struct report_period *out, struct verrors *errs);

/**
 * The instant each day begins, and the end of the last one: bounds[0..ndays], ascending.
 * @param bounds room for p->ndays + 1 instants
 */
void report_day_bounds(const struct calendar *c, const struct report_period *p, hl_time *bounds);

/** "YYYY-MM-DD" of a day count (out: at least 11 bytes). */
void report_day_label(int64_t day, char *out, size_t n);

#endif
