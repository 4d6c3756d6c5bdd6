/**
 * @file reports.c
 * @brief GET /reports/daily and GET /reports/summary.
 *
 * The period is made of local days of the business calendar's zone; the calendar gives the
 * instants where they begin (daylight saving included) and whether each is a working day.
 * The figures come from one SQL statement (store/reports.c). The CSV is written from the same
 * JSON values (util/csv.h): one line per row of the JSON, the total last.
 */
#include "api/reports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "calendar_cache.h"
#include "config.h"
#include "domain/report.h"
#include "store/reports.h"
#include "util/csv.h"
#include "util/strbuf.h"

enum { AS_JSON, AS_CSV };
static const char *const representations[] = {"application/json", "text/csv", NULL};
#define CSV_TYPE "text/csv; charset=utf-8; header=present"
#define JSON_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(CSV_REAL_PRECISION))

struct report_run {
    struct report_period period;
    enum report_group group;
    int as;
    char zone[CAL_ZONE_MAX];
    int offset_sec; /* the zone's offset at the start, for the instants shown */
    hl_time bounds[REPORT_MAX_DAYS + 1];
    bool working[REPORT_MAX_DAYS];
};

static void set_time(json_t *obj, const char *key, hl_time t, const struct calendar *cal)
{
    char buf[48];
    tf_format_rfc3339(t, tz_offset_at(&cal->tz, t / HL_USEC_PER_SEC), buf, sizeof buf);
    json_object_set_new(obj, key, json_string(buf));
}

/* The metadata every report starts with. */
static json_t *meta(const struct report_run *run, const struct calendar *cal, hl_time now)
{
    json_t *m = json_object();
    char day[16];
    if (run->group == REPORT_GROUP_NONE) {
        report_day_label(run->period.first_day, day, sizeof day);
        json_object_set_new(m, "date", json_string(day));
        json_object_set_new(m, "business_day", json_boolean(run->working[0]));
    } else {
        report_day_label(run->period.first_day, day, sizeof day);
        json_object_set_new(m, "from", json_string(day));
        report_day_label(run->period.last_day, day, sizeof day);
        json_object_set_new(m, "to", json_string(day));
        json_object_set_new(m, "group_by", json_string(report_group_names[run->group]));
    }
    json_object_set_new(m, "zone", json_string(run->zone));
    set_time(m, "start", run->bounds[0], cal);
    set_time(m, "end", run->bounds[run->period.ndays], cal);
    set_time(m, "generated_at", now, cal);
    json_object_set_new(m, "ring_threshold_seconds", json_integer(cfg.ring_threshold_s));
    return m;
}

/* A group row as shown: its key member(s), then the figures. */
static json_t *group_row(const struct report_run *run, json_t *row)
{
    json_t *out = json_object();
    json_t *key = json_object_get(row, "key");
    const char *name = report_group_names[run->group];
    if (json_is_true(json_object_get(row, "total"))) {
        json_object_set_new(out, name, json_string("total"));
        if (run->group == REPORT_GROUP_DAY)
            json_object_set_new(out, "business_day", json_null());
    } else if (run->group == REPORT_GROUP_DAY) {
        json_int_t i = json_integer_value(key);
        char day[16];
        report_day_label(run->period.first_day + i - 1, day, sizeof day);
        json_object_set_new(out, name, json_string(day));
        json_object_set_new(out, "business_day",
                            json_boolean(i >= 1 && i <= run->period.ndays && run->working[i - 1]));
    } else {
        json_object_set(out, name, key);
    }
    json_object_update(out, json_object_get(row, "figures"));
    return out;
}

static void reply_csv(struct http_request *req, const struct report_run *run, json_t *lines)
{
    struct strbuf sb;
    strbuf_init(&sb);
    size_t i;
    json_t *line;
    json_array_foreach(lines, i, line)
    {
        if (i == 0)
            csv_header(&sb, line);
        csv_row(&sb, line);
    }
    char from[16], to[16], disposition[128];
    report_day_label(run->period.first_day, from, sizeof from);
    report_day_label(run->period.last_day, to, sizeof to);
    if (run->group == REPORT_GROUP_NONE)
        snprintf(disposition, sizeof disposition, "attachment; filename=\"hotline-daily-%s.csv\"",
                 from);
    else
        snprintf(disposition, sizeof disposition,
                 "attachment; filename=\"hotline-summary-%s-%s-%s.csv\"", from, to,
                 report_group_names[run->group]);
    http_add_header(req, "Content-Disposition", disposition);
    size_t len = 0;
    char *body = strbuf_steal(&sb, &len);
    http_reply_text(req, 200, body, len, CSV_TYPE);
}

/* The daily report: metadata and the figures of the one (total) row. */
static void reply_daily(struct http_request *req, const struct report_run *run, json_t *m,
                        json_t *rows)
{
    json_t *figures = json_object_get(json_array_get(rows, json_array_size(rows) - 1), "figures");
    if (run->as == AS_CSV) {
        json_t *line = json_pack("{s:O, s:O}", "date", json_object_get(m, "date"), "business_day",
                                 json_object_get(m, "business_day"));
        json_object_update(line, figures);
        json_t *lines = json_pack("[o]", line);
        reply_csv(req, run, lines);
        json_decref(lines);
        return;
    }
    json_object_set(m, "figures", figures);
    http_reply_json_text(req, 200, json_dumps(m, JSON_FLAGS));
}

static void reply_summary(struct http_request *req, const struct report_run *run, json_t *m,
                          json_t *rows)
{
    json_t *lines = json_array(), *groups = json_array(), *total = NULL;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        json_t *line = group_row(run, row);
        json_array_append(lines, line);
        if (json_is_true(json_object_get(row, "total")))
            total = json_object_get(row, "figures");
        else
            json_array_append(groups, line);
        json_decref(line);
    }
    if (run->as == AS_CSV) {
        reply_csv(req, run, lines);
    } else {
        json_object_set(m, "rows", groups);
        json_object_set(m, "total", total ? total : json_null());
        http_reply_json_text(req, 200, json_dumps(m, JSON_FLAGS));
    }
    json_decref(lines);
    json_decref(groups);
}

static void run_report(struct http_request *req, struct report_run *run)
{
    run->as = api_accept_or_reply(req, representations);
    if (run->as < 0)
        return;
    struct db *db = http_db(req);
    const struct calendar *cal;
    enum db_status s = calendar_acquire(db, &cal);
    if (s != DB_OK) {
        api_reply_db(req, s, "calendar");
        return;
    }
    snprintf(run->zone, sizeof run->zone, "%s", cal->zone);
    report_day_bounds(cal, &run->period, run->bounds);
    for (int i = 0; i < run->period.ndays; i++)
        run->working[i] = cal_is_working_day(cal, run->period.first_day + i);
    json_t *m = meta(run, cal, req->now);
    calendar_release(cal);

    struct report_query q = {.group = run->group,
                             .bounds = run->bounds,
                             .ndays = run->period.ndays,
                             .now = req->now,
                             .ring_threshold_s = cfg.ring_threshold_s};
    json_t *rows = NULL;
    s = store_report(db, &q, &rows);
    if (s != DB_OK)
        api_reply_db(req, s, "report");
    else if (run->group == REPORT_GROUP_NONE)
        reply_daily(req, run, m, rows);
    else
        reply_summary(req, run, m, rows);
    json_decref(rows);
    json_decref(m);
}

void api_reports_daily(struct http_request *req)
{
    struct report_run run = {.group = REPORT_GROUP_NONE};
    struct verrors errs = {0};
    if (!report_period_parse(http_query(req, "date"), NULL, "date", NULL, &run.period, &errs)) {
        http_reply_invalid(req, &errs);
        return;
    }
    run_report(req, &run);
}

void api_reports_summary(struct http_request *req)
{
    struct report_run run = {.group = REPORT_GROUP_DAY};
    struct verrors errs = {0};
    const char *group = api_query_enum(req, "group_by", report_group_names, &errs);
    if (group)
        run.group = (enum report_group)enum_index(report_group_names, group);
    report_period_parse(http_query(req, "from"), http_query(req, "to"), "from", "to", &run.period,
                        &errs);
    if (errs.n) {
        http_reply_invalid(req, &errs);
        return;
    }
    run_report(req, &run);
}
