/**
 * @file calendar.h
 * @brief The hotline's business calendar: zone, working week, hours, lunch, calling windows,
 *        holidays and make-up working days (调休), and the numbers of the duty rules.
 *
 * Pure: every function takes the calendar and the instant; nothing reads a clock or a file.
 * Days are counted since 1970-01-01 in the calendar's zone; times of day are seconds.
 */
#ifndef HOTLINE_DOMAIN_CALENDAR_H
#define HOTLINE_DOMAIN_CALENDAR_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/timefmt.h"
#include "domain/tz.h"

#define CAL_MAX_DAYS 4096
#define CAL_MAX_WINDOWS 4
#define CAL_ZONE_MAX 64

/** The numbers of the duty rules (DESIGN §1), all configurable. */
struct rules {
    int general_days;                /* general: answered within N business days (1: same day) */
    int hard_days;                   /* hard: finished within N business days */
    int special_callback_days;       /* special: a callback every N days */
    int government_relay_minutes;    /* government: relay within N minutes */
    int government_callback_minutes; /* government: callback within N minutes of the relay */
    int complaint_notice_hours;      /* complaint: progress notice every N hours */
    int escalation_delay_minutes;    /* overdue: the next escalation level after N minutes */
    int followup_retry_minutes;      /* a follow-up call not answered: try again after N minutes */
    int followup_max_attempts;       /* ... at most N attempts, then it has failed */
    int satisfaction_after_business_days; /* satisfaction callback: N business days after */
    int dispatch_accept_business_minutes; /* a dispatch not signed for within N business minutes
                                             is overdue */
    int warning_percent;        /* warn when N% of a deadline's allowed time has passed */
    int satisfaction_min_score; /* a satisfaction score of N (1-5) or more is "satisfied" */
};

struct cal_override {
    int64_t day;  /* days since the epoch */
    bool working; /* true: make-up working day; false: holiday */
};

struct calendar {
    char zone[CAL_ZONE_MAX];
    struct tz tz;
    unsigned working_week; /* bit d set: weekday d (0 = Sunday) is a working day */
    int opens, closes;     /* business hours, seconds of the day */
    int lunch_start, lunch_end; /* equal: no lunch break */
    int nwindows;
    struct {
        int start, end;
    } windows[CAL_MAX_WINDOWS]; /* calling windows for follow-up calls */
    int ndays;
    struct cal_override days[CAL_MAX_DAYS]; /* sorted by day */
    struct rules rules;
};

/** Defaults: Mon–Fri 09:00–18:00, lunch 12:00–14:00, windows 09–12 and 14–17, rules of §1.
 *  The zone is left as UTC; the caller loads the real one. */
void cal_defaults(struct calendar *c);

/** Add or replace an override, keeping the list sorted. @return false when full. */
bool cal_set_day(struct calendar *c, int64_t day, bool working);

/** Is this local day a working day (overrides first, then the working week)? */
bool cal_is_working_day(const struct calendar *c, int64_t day);

/** The local day and second of the day of an instant. */
int64_t cal_local_day(const struct calendar *c, hl_time t, int *sec_of_day);

/** The instant of a local day and time of day (see tz_local_to_utc for gaps and overlaps). */
hl_time cal_at(const struct calendar *c, int64_t day, int sec_of_day);

/** The first working day strictly after day. @return false when none within ten years. */
bool cal_next_working_day(const struct calendar *c, int64_t day, int64_t *out);

/** Is t on a working day between opening and closing? (Lunch counts as open: calls are
 *  taken; only follow-up calling windows avoid it.) */
bool cal_in_business_hours(const struct calendar *c, hl_time t);

/** The closing time of a day. */
hl_time cal_closing(const struct calendar *c, int64_t day);

/**
 * The end of the n-th business day counting from t (n >= 1): day 1 is t's own day when t is on
 * a working day before closing, else the next working day.
 * @return false when the calendar has no working day ahead.
 */
bool cal_end_of_nth_business_day(const struct calendar *c, hl_time t, int n, hl_time *out);

/**
 * The first moment at or after t inside a calling window of a working day.
 * @return false when the calendar has no window ahead.
 */
bool cal_next_calling_moment(const struct calendar *c, hl_time t, hl_time *out);

#endif
