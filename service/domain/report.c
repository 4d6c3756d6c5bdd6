/**
 * @file report.c
 * @brief Report periods in local calendar days.
 */
#include "domain/report.h"

#include <stdio.h>

const char *const report_group_names[] = {"day", "agent", "class", NULL};

static bool parse_day(const char *s, const char *name, int64_t *day, struct verrors *errs)
{
    int y, m, d;
    if (!s) {
        verr_add(errs, name, "is required (YYYY-MM-DD)");
        return false;
    }
    if (!tf_parse_date(s, &y, &m, &d)) {
        verr_add(errs, name, "must be a date YYYY-MM-DD, e.g. 2026-11-27");
        return false;
    }
    if (y < 2000 || y > 2199) {
        verr_add(errs, name, "must be a date in the years 2000 to 2199");
        return false;
    }
    *day = tf_days_from_civil(y, (unsigned)m, (unsigned)d);
    return true;
}

bool report_period_parse(const char *from, const char *to, const char *from_name,
                         const char *to_name, struct report_period *out, struct verrors *errs)
{
    int before = errs->n;
    int64_t first = 0, last = 0;
    bool ok_from = parse_day(from, from_name, &first, errs);
    bool ok_to = to_name ? parse_day(to, to_name, &last, errs) : (last = first, ok_from);
    if (ok_from && ok_to) {
        if (last < first)
            verr_add(errs, to_name, "must not be before %s", from_name);
        else if (last - first + 1 > REPORT_MAX_DAYS)
            verr_add(errs, to_name, "the period is longer than %d days", REPORT_MAX_DAYS);
    }
    if (errs->n != before)
        return false;
    out->first_day = first;
    out->last_day = last;
    out->ndays = (int)(last - first + 1);
    return true;
}

void report_day_bounds(const struct calendar *c, const struct report_period *p, hl_time *bounds)
{
    for (int i = 0; i <= p->ndays; i++)
        bounds[i] = cal_at(c, p->first_day + i, 0);
}

void report_day_label(int64_t day, char *out, size_t n)
{
    int y;
    unsigned m, d;
    tf_civil_from_days(day, &y, &m, &d);
    snprintf(out, n, "%04d-%02u-%02u", y, m, d);
}
