/**
 * @file calendar_input.h
 * @brief Validation of calendar settings (PUT /calendar) and calendar days
 *        (PUT /calendar/days/{date}) into typed values.
 */
#ifndef HOTLINE_DOMAIN_CALENDAR_INPUT_H
#define HOTLINE_DOMAIN_CALENDAR_INPUT_H

#include <jansson.h>
#include <stdbool.h>

#include "domain/calendar.h"
#include "domain/validate.h"

/** Weekday names, 0 = sunday. */
extern const char *const weekday_names[];

/** Settings as given; zone existence is checked by the caller (it needs the zone files). */
struct calendar_settings {
    char zone[CAL_ZONE_MAX];
    unsigned working_week;
    int opens, closes, lunch_start, lunch_end;
    int nwindows;
    struct {
        int start, end;
    } windows[CAL_MAX_WINDOWS];
    struct rules rules;
};

/** True when s looks like an IANA zone name ("Asia/Shanghai"; no "..", no leading "/"). */
bool zone_name_ok(const char *s);

/** Parse "HH:MM" (00:00–24:00) into seconds. */
bool parse_hhmm(const char *s, int *secs);

/**
 * Validate a PUT /calendar body (every member required). Errors name the field, e.g.
 * "closes", "lunch.start", "calling_windows[1].end", "rules.hard_days".
 */
bool calendar_settings_from_json(const json_t *body, struct calendar_settings *out,
                                 struct verrors *errs);

/** Apply validated settings to a calendar (the zone's rules are loaded by the caller). */
void calendar_apply_settings(struct calendar *c, const struct calendar_settings *s);

enum calendar_day_kind { CAL_DAY_HOLIDAY, CAL_DAY_WORKDAY };
extern const char *const calendar_day_kind_names[];

struct calendar_day_input {
    enum calendar_day_kind kind;
    const char *name; /* borrowed */
};

/** Validate a PUT /calendar/days/{date} body: {"kind": "holiday"|"workday", "name": "..."}. */
bool calendar_day_from_json(const json_t *body, struct calendar_day_input *out,
                            struct verrors *errs);

#endif
