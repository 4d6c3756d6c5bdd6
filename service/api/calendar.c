/**
 * @file calendar.c
 * @brief /calendar. Changes apply to new deadlines at once on this instance and within
 *        HOTLINE_CALENDAR_TTL_MS on the others; deadlines already set are not moved.
 */
#include "api/calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "calendar_cache.h"
#include "domain/calendar_input.h"
#include "store/calendar.h"

static void reply_json_or_db(struct http_request *req, enum db_status s, char *json,
                             const char *what)
{
    if (s == DB_OK)
        http_reply_json_text(req, 200, json);
    else
        api_reply_db(req, s, what);
}

void api_calendar_get(struct http_request *req)
{
    char *json = NULL;
    enum db_status s = store_calendar_settings_json(http_db(req), &json);
    reply_json_or_db(req, s, json, "calendar");
}

void api_calendar_put(struct http_request *req)
{
    struct calendar_settings cs;
    struct verrors errs = {0};
    if (!calendar_settings_from_json(req->json, &cs, &errs)) {
        http_reply_invalid(req, &errs);
        return;
    }
    struct tz *tz = malloc(sizeof *tz);
    bool zone_ok = tz && tzfile_load(cs.zone, tz);
    free(tz);
    if (!zone_ok) {
        http_reply_invalid_field(req, "zone", "is not a time zone this machine knows (IANA name "
                                              "such as Asia/Shanghai or America/New_York)");
        return;
    }
    char *json = NULL;
    enum db_status s = store_calendar_put(http_db(req), &cs, req->auth.name, req->now, &json);
    calendar_invalidate();
    reply_json_or_db(req, s, json, "calendar");
}

/* The {date} path parameter, or a 400 naming it. */
static bool date_or_reply(struct http_request *req, const char *s, const char *field)
{
    int y, m, d;
    if (s && tf_parse_date(s, &y, &m, &d))
        return true;
    http_reply_invalid_field(req, field, "must be a real date YYYY-MM-DD");
    return false;
}

static int64_t days_of(const char *date)
{
    int y, m, d;
    tf_parse_date(date, &y, &m, &d);
    return tf_days_from_civil(y, (unsigned)m, (unsigned)d);
}

void api_calendar_days_list(struct http_request *req)
{
    const char *from = http_query(req, "from"), *to = http_query(req, "to");
    char from_buf[16], to_buf[16];
    if (!from) {
        char now[48];
        tf_format_rfc3339(req->now, 0, now, sizeof now);
        snprintf(from_buf, sizeof from_buf, "%.10s", now);
        from = from_buf;
    }
    if (!date_or_reply(req, from, "from"))
        return;
    if (!to) {
        int y;
        unsigned m, d;
        tf_civil_from_days(days_of(from) + 366, &y, &m, &d);
        snprintf(to_buf, sizeof to_buf, "%04d-%02u-%02u", y, m, d);
        to = to_buf;
    }
    if (!date_or_reply(req, to, "to"))
        return;
    if (days_of(to) < days_of(from) || days_of(to) - days_of(from) > 3660) {
        http_reply_invalid_field(req, "to", "must be on or after from, at most ten years on");
        return;
    }
    char *json = NULL;
    enum db_status s = store_calendar_days_list(http_db(req), from, to, &json);
    if (s != DB_OK) {
        api_reply_db(req, s, "calendar");
        return;
    }
    size_t len = strlen(json) + 16;
    char *body = malloc(len);
    if (body)
        snprintf(body, len, "{\"items\":%s}", json);
    free(json);
    http_reply_json_text(req, 200, body);
}

void api_calendar_day_get(struct http_request *req)
{
    const char *date = http_param(req, "date");
    if (!date_or_reply(req, date, "date"))
        return;
    char *json = NULL;
    enum db_status s = store_calendar_day_get(http_db(req), date, &json);
    reply_json_or_db(req, s, json, "calendar day (no holiday or make-up day on that date)");
}

void api_calendar_day_put(struct http_request *req)
{
    const char *date = http_param(req, "date");
    struct calendar_day_input in;
    struct verrors errs = {0};
    if (!date_or_reply(req, date, "date"))
        return;
    if (!calendar_day_from_json(req->json, &in, &errs)) {
        http_reply_invalid(req, &errs);
        return;
    }
    char *json = NULL;
    bool created = false;
    enum db_status s = store_calendar_day_put(http_db(req), date, &in, req->auth.name, req->now,
                                              &created, &json);
    calendar_invalidate();
    if (s != DB_OK) {
        api_reply_db(req, s, "calendar day");
        return;
    }
    http_reply_json_text(req, created ? 201 : 200, json);
}

void api_calendar_day_delete(struct http_request *req)
{
    const char *date = http_param(req, "date");
    if (!date_or_reply(req, date, "date"))
        return;
    enum db_status s = store_calendar_day_delete(http_db(req), date);
    calendar_invalidate();
    if (s != DB_OK) {
        api_reply_db(req, s, "calendar day");
        return;
    }
    req->reply.status = 204;
    req->replied = true;
}
