/**
 * @file calendar_input.c
 * @brief Calendar settings validation.
 */
#include "domain/calendar_input.h"

#include <stdio.h>
#include <string.h>

const char *const weekday_names[] = {"sunday",   "monday", "tuesday", "wednesday",
                                     "thursday", "friday", "saturday", NULL};
const char *const calendar_day_kind_names[] = {"holiday", "workday", NULL};

bool zone_name_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n >= CAL_ZONE_MAX || s[0] == '/' || s[n - 1] == '/' || strstr(s, "..") ||
        strstr(s, "//"))
        return false;
    return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") == n;
}

bool parse_hhmm(const char *s, int *secs)
{
    if (!s || strlen(s) != 5 || s[2] != ':')
        return false;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (s[i] < '0' || s[i] > '9'))
            return false;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && m != 0))
        return false;
    *secs = h * 3600 + m * 60;
    return true;
}

static bool time_member(const json_t *obj, const char *key, const char *field, int *out,
                        struct verrors *errs)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        verr_add(errs, field, "is required");
        return false;
    }
    if (!json_is_string(v) || !parse_hhmm(json_string_value(v), out)) {
        verr_add(errs, field, "must be a time HH:MM from 00:00 to 24:00");
        return false;
    }
    return true;
}

static void check_zone(const json_t *body, struct calendar_settings *out, struct verrors *errs)
{
    json_t *z = json_object_get(body, "zone");
    if (!json_is_string(z) || !zone_name_ok(json_string_value(z)))
        verr_add(errs, "zone", "must be an IANA time zone name such as Asia/Shanghai");
    else
        snprintf(out->zone, sizeof out->zone, "%s", json_string_value(z));
}

static void check_week(const json_t *body, struct calendar_settings *out, struct verrors *errs)
{
    json_t *w = json_object_get(body, "working_days");
    size_t i;
    json_t *d;
    out->working_week = 0;
    if (!json_is_array(w)) {
        verr_add(errs, "working_days", "must be a list of weekday names such as \"monday\"");
        return;
    }
    json_array_foreach(w, i, d)
    {
        int k = json_is_string(d) ? enum_index(weekday_names, json_string_value(d)) : -1;
        if (k < 0 || (out->working_week & (1u << k))) {
            verr_add(errs, "working_days", "must list distinct weekday names (sunday … saturday)");
            return;
        }
        out->working_week |= 1u << k;
    }
}

static void check_hours(const json_t *body, struct calendar_settings *out, struct verrors *errs)
{
    bool ok = time_member(body, "opens", "opens", &out->opens, errs);
    ok &= time_member(body, "closes", "closes", &out->closes, errs);
    if (ok && out->closes <= out->opens)
        verr_add(errs, "closes", "must be after opens");
    json_t *lunch = json_object_get(body, "lunch");
    if (json_is_null(lunch)) {
        out->lunch_start = out->lunch_end = out->opens;
        return;
    }
    if (!json_is_object(lunch) || json_object_size(lunch) != 2) {
        verr_add(errs, "lunch", "must be {\"start\": \"HH:MM\", \"end\": \"HH:MM\"} or null");
        return;
    }
    bool lok = time_member(lunch, "start", "lunch.start", &out->lunch_start, errs);
    lok &= time_member(lunch, "end", "lunch.end", &out->lunch_end, errs);
    if (ok && lok && (out->lunch_start < out->opens || out->lunch_end > out->closes ||
                      out->lunch_end <= out->lunch_start))
        verr_add(errs, "lunch", "must start before it ends, inside opening hours");
}

static void check_windows(const json_t *body, struct calendar_settings *out,
                          struct verrors *errs)
{
    json_t *w = json_object_get(body, "calling_windows");
    if (!json_is_array(w) || json_array_size(w) < 1 || json_array_size(w) > CAL_MAX_WINDOWS) {
        verr_add(errs, "calling_windows", "must be a list of 1 to %d {start, end} windows",
                 CAL_MAX_WINDOWS);
        return;
    }
    out->nwindows = (int)json_array_size(w);
    for (int i = 0; i < out->nwindows; i++) {
        json_t *win = json_array_get(w, (size_t)i);
        char fs[40], fe[40];
        snprintf(fs, sizeof fs, "calling_windows[%d].start", i);
        snprintf(fe, sizeof fe, "calling_windows[%d].end", i);
        if (!json_is_object(win) || json_object_size(win) != 2) {
            verr_add(errs, fs, "each window is {\"start\": \"HH:MM\", \"end\": \"HH:MM\"}");
            continue;
        }
        bool ok = time_member(win, "start", fs, &out->windows[i].start, errs);
        ok &= time_member(win, "end", fe, &out->windows[i].end, errs);
        if (ok && out->windows[i].end <= out->windows[i].start)
            verr_add(errs, fe, "must be after start");
        else if (ok && i > 0 && out->windows[i].start < out->windows[i - 1].end)
            verr_add(errs, fs, "windows must be in order and must not overlap");
    }
}

static const struct {
    const char *name;
    size_t offset;
    int max;
} rule_fields[] = {
    {"general_days", offsetof(struct rules, general_days), 30},
    {"hard_days", offsetof(struct rules, hard_days), 30},
    {"special_callback_days", offsetof(struct rules, special_callback_days), 60},
    {"government_relay_minutes", offsetof(struct rules, government_relay_minutes), 1440},
    {"government_callback_minutes", offsetof(struct rules, government_callback_minutes), 1440},
    {"complaint_notice_hours", offsetof(struct rules, complaint_notice_hours), 720},
    {"escalation_delay_minutes", offsetof(struct rules, escalation_delay_minutes), 10080},
    {"followup_retry_minutes", offsetof(struct rules, followup_retry_minutes), 10080},
    {"followup_max_attempts", offsetof(struct rules, followup_max_attempts), 20},
    {"satisfaction_after_business_days", offsetof(struct rules, satisfaction_after_business_days),
     30},
    {"dispatch_accept_business_minutes", offsetof(struct rules, dispatch_accept_business_minutes),
     10080},
    {"warning_percent", offsetof(struct rules, warning_percent), 99},
    {"satisfaction_min_score", offsetof(struct rules, satisfaction_min_score), 5},
};

static void check_rules(const json_t *body, struct calendar_settings *out, struct verrors *errs)
{
    json_t *r = json_object_get(body, "rules");
    const size_t n = sizeof rule_fields / sizeof rule_fields[0];
    if (!json_is_object(r)) {
        verr_add(errs, "rules", "must be an object of the rule numbers");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char field[64];
        snprintf(field, sizeof field, "rules.%s", rule_fields[i].name);
        json_t *v = json_object_get(r, rule_fields[i].name);
        if (!json_is_integer(v) || json_integer_value(v) < 1 ||
            json_integer_value(v) > rule_fields[i].max) {
            verr_add(errs, field, "must be an integer from 1 to %d", rule_fields[i].max);
            continue;
        }
        *(int *)((char *)&out->rules + rule_fields[i].offset) = (int)json_integer_value(v);
    }
    if (json_object_size(r) != n)
        verr_add(errs, "rules", "must hold exactly the %zu rule numbers", n);
}

static const char *const settings_members[] = {"zone",  "working_days",    "opens", "closes",
                                               "lunch", "calling_windows", "rules", NULL};

bool calendar_settings_from_json(const json_t *body, struct calendar_settings *out,
                                 struct verrors *errs)
{
    int before = errs->n;
    memset(out, 0, sizeof *out);
    if (!json_is_object(body)) {
        verr_add(errs, "", "the body must be a JSON object");
        return false;
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)body, key, v)
    {
        if (enum_index(settings_members, key) < 0)
            verr_add(errs, text_is_clean(key) ? key : "?", "unknown field");
    }
    for (int i = 0; settings_members[i]; i++)
        if (!json_object_get(body, settings_members[i]))
            verr_add(errs, settings_members[i], "is required");
    if (errs->n != before)
        return false;
    check_zone(body, out, errs);
    check_week(body, out, errs);
    check_hours(body, out, errs);
    check_windows(body, out, errs);
    check_rules(body, out, errs);
    return errs->n == before;
}

void calendar_apply_settings(struct calendar *c, const struct calendar_settings *s)
{
    snprintf(c->zone, sizeof c->zone, "%s", s->zone);
    c->working_week = s->working_week;
    c->opens = s->opens;
    c->closes = s->closes;
    c->lunch_start = s->lunch_start;
    c->lunch_end = s->lunch_end;
    c->nwindows = s->nwindows;
    memcpy(c->windows, s->windows, sizeof c->windows);
    c->rules = s->rules;
}

static const struct vfield day_spec[] = {
    {"kind", VT_ENUM, VF_REQUIRED, 0, 0, calendar_day_kind_names},
    {"name", VT_STRING, VF_REQUIRED, 1, 100, NULL},
};

bool calendar_day_from_json(const json_t *body, struct calendar_day_input *out,
                            struct verrors *errs)
{
    struct vvalue v[2];
    bool ok = validate_object(body, day_spec, 2, v, "86", errs);
    out->kind = (enum calendar_day_kind)v[0].num;
    out->name = v[1].str;
    return ok;
}
