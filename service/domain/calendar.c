/**
 * @file calendar.c
 * @brief Business-calendar arithmetic.
 */
#include "domain/calendar.h"

#include <string.h>

#define SEARCH_DAYS 3660 /* ten years: a calendar with no working day in that span is broken */

void cal_defaults(struct calendar *c)
{
    memset(c, 0, sizeof *c);
    strcpy(c->zone, "UTC");
    tz_fixed(&c->tz, 0);
    c->working_week = 0x3e; /* Monday to Friday */
    c->opens = 9 * 3600;
    c->closes = 18 * 3600;
    c->lunch_start = 12 * 3600;
    c->lunch_end = 14 * 3600;
    c->nwindows = 2;
    c->windows[0].start = 9 * 3600;
    c->windows[0].end = 12 * 3600;
    c->windows[1].start = 14 * 3600;
    c->windows[1].end = 17 * 3600;
    c->rules = (struct rules){
        .general_days = 1,
        .hard_days = 2,
        .special_callback_days = 7,
        .government_relay_minutes = 15,
        .government_callback_minutes = 60,
        .complaint_notice_hours = 24,
        .escalation_delay_minutes = 240,
        .followup_retry_minutes = 60,
        .followup_max_attempts = 3,
        .satisfaction_after_business_days = 1,
        .dispatch_accept_business_minutes = 120,
        .warning_percent = 80,
        .satisfaction_min_score = 4,
    };
}

static int find_day(const struct calendar *c, int64_t day)
{
    int lo = 0, hi = c->ndays - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (c->days[mid].day == day)
            return mid;
        if (c->days[mid].day < day)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -(lo + 1);
}

bool cal_set_day(struct calendar *c, int64_t day, bool working)
{
    int i = find_day(c, day);
    if (i >= 0) {
        c->days[i].working = working;
        return true;
    }
    if (c->ndays >= CAL_MAX_DAYS)
        return false;
    int at = -(i + 1);
    memmove(&c->days[at + 1], &c->days[at], (size_t)(c->ndays - at) * sizeof c->days[0]);
    c->days[at] = (struct cal_override){day, working};
    c->ndays++;
    return true;
}

bool cal_is_working_day(const struct calendar *c, int64_t day)
{
    int i = find_day(c, day);
    if (i >= 0)
        return c->days[i].working;
    return (c->working_week >> tf_weekday(day)) & 1u;
}

int64_t cal_local_day(const struct calendar *c, hl_time t, int *sec_of_day)
{
    int64_t secs = t / HL_USEC_PER_SEC - (t % HL_USEC_PER_SEC < 0);
    int64_t local = secs + tz_offset_at(&c->tz, secs);
    int64_t day = local / 86400 - (local % 86400 < 0);
    if (sec_of_day)
        *sec_of_day = (int)(local - day * 86400);
    return day;
}

hl_time cal_at(const struct calendar *c, int64_t day, int sec_of_day)
{
    return HL_SEC(tz_local_to_utc(&c->tz, day * 86400 + sec_of_day));
}

bool cal_next_working_day(const struct calendar *c, int64_t day, int64_t *out)
{
    for (int i = 1; i <= SEARCH_DAYS; i++)
        if (cal_is_working_day(c, day + i)) {
            *out = day + i;
            return true;
        }
    return false;
}

bool cal_in_business_hours(const struct calendar *c, hl_time t)
{
    int sod;
    int64_t day = cal_local_day(c, t, &sod);
    return cal_is_working_day(c, day) && sod >= c->opens && sod < c->closes;
}

hl_time cal_closing(const struct calendar *c, int64_t day)
{
    return cal_at(c, day, c->closes);
}

bool cal_end_of_nth_business_day(const struct calendar *c, hl_time t, int n, hl_time *out)
{
    int sod;
    int64_t day = cal_local_day(c, t, &sod);
    if (!(cal_is_working_day(c, day) && sod < c->closes) && !cal_next_working_day(c, day, &day))
        return false;
    for (int i = 1; i < n; i++)
        if (!cal_next_working_day(c, day, &day))
            return false;
    *out = cal_closing(c, day);
    return true;
}

bool cal_next_calling_moment(const struct calendar *c, hl_time t, hl_time *out)
{
    int sod;
    int64_t day = cal_local_day(c, t, &sod);
    for (int i = 0; i <= SEARCH_DAYS; i++, day++, sod = 0) {
        if (!cal_is_working_day(c, day))
            continue;
        for (int w = 0; w < c->nwindows; w++) {
            if (sod < c->windows[w].start) {
                *out = cal_at(c, day, c->windows[w].start);
                return true;
            }
            if (sod < c->windows[w].end) {
                *out = i == 0 ? t : cal_at(c, day, sod);
                return true;
            }
        }
    }
    return false;
}
