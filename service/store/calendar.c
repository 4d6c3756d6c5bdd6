/**
 * @file calendar.c
 * @brief SQL for calendar_settings and calendar_days. Every change bumps the settings version,
 *        which is what process caches compare.
 */
#include "store/calendar.h"
#include "store/sqlbits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

#define SETTINGS_JSON                                                                              \
    "json_build_object('zone', s.zone, "                                                           \
    "'working_days', (SELECT json_agg((ARRAY['sunday','monday','tuesday','wednesday','thursday'," \
    "'friday','saturday'])[d + 1] ORDER BY d) FROM unnest(s.working_days) d), "                    \
    "'opens', to_char(s.opens, 'HH24:MI'), 'closes', to_char(s.closes, 'HH24:MI'), "              \
    "'lunch', CASE WHEN s.lunch_start = s.lunch_end THEN NULL ELSE json_build_object('start', "    \
    "to_char(s.lunch_start, 'HH24:MI'), 'end', to_char(s.lunch_end, 'HH24:MI')) END, "            \
    "'calling_windows', s.calling_windows, 'rules', s.rules || s.more_rules)"

#define SETTINGS_WITH_META                                                                         \
    "(" SETTINGS_JSON "::jsonb || jsonb_build_object('version', s.version, 'updated_at', "        \
    "s.updated_at, 'updated_by', s.updated_by))::text"

DB_STMT(q_settings_json, 0,
        "SELECT " SETTINGS_WITH_META " AS json FROM calendar_settings s WHERE s.id = 1");
DB_STMT(q_settings_load, 0,
        "SELECT " SETTINGS_JSON "::text AS json, s.version FROM calendar_settings s WHERE s.id = 1");
DB_STMT(q_days_load, 0,
        "SELECT (day - DATE '1970-01-01') AS day, kind FROM calendar_days ORDER BY day");
/* $12: the rule numbers kept in more_rules (see migrations/0009_complaints.sql). */
DB_STMT(q_put, 12,
        "UPDATE calendar_settings s SET zone = $1, working_days = $2::int[], opens = $3::time, "
        "closes = $4::time, lunch_start = $5::time, lunch_end = $6::time, "
        "calling_windows = $7::jsonb, rules = $8::jsonb, version = s.version + 1, "
        "updated_at = $9::timestamptz, updated_by = $10, more_rules = $12::jsonb "
        "WHERE s.id = $11::int RETURNING " SETTINGS_WITH_META " AS json");
#define DAY_JSON                                                                                   \
    "json_build_object('date', to_char(d.day, 'YYYY-MM-DD'), 'kind', d.kind, 'name', d.name, "    \
    "'updated_at', d.updated_at, 'updated_by', d.updated_by)::text"
DB_STMT(q_day_get, 1, "SELECT " DAY_JSON " AS json FROM calendar_days d WHERE d.day = $1::date");
DB_STMT(q_day_put, 5,
        "WITH d AS (INSERT INTO calendar_days AS c (day, kind, name, updated_at, updated_by) "
        "VALUES ($1::date, $2, $3, $4::timestamptz, $5) ON CONFLICT (day) DO UPDATE SET "
        "kind = EXCLUDED.kind, name = EXCLUDED.name, updated_at = EXCLUDED.updated_at, "
        "updated_by = EXCLUDED.updated_by RETURNING c.*, (xmax = 0) AS created), "
        "v AS (UPDATE calendar_settings SET version = version + 1 WHERE id = 1) "
        "SELECT " DAY_JSON " AS json, d.created FROM d");
DB_STMT(q_day_delete, 1,
        "WITH d AS (DELETE FROM calendar_days WHERE day = $1::date RETURNING day), "
        "v AS (UPDATE calendar_settings SET version = version + 1 WHERE id = 1 "
        "AND EXISTS (SELECT 1 FROM d)) SELECT count(*) AS n FROM d");
DB_STMT(q_days_list, 2,
        "SELECT coalesce(json_agg(" DAY_JSON "::json ORDER BY d.day), '[]')::text AS json "
        "FROM calendar_days d WHERE d.day BETWEEN $1::date AND $2::date");


enum db_status store_calendar_settings_json(struct db *db, char **json)
{
    return sql_exec_json(db, &q_settings_json, NULL, json);
}

enum db_status store_calendar_load(struct db *db, char **settings, struct calendar *days_into,
                                   int *version)
{
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_settings_load, NULL, &res);
    if (s != DB_OK)
        return s;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return DB_NOT_FOUND;
    }
    *settings = strdup(db_get(res, 0, "json"));
    *version = (int)db_get_i64(res, 0, "version");
    PQclear(res);
    if (!*settings)
        return DB_ERROR;
    s = db_exec(db, &q_days_load, NULL, &res);
    if (s != DB_OK) {
        free(*settings);
        *settings = NULL;
        return s;
    }
    days_into->ndays = 0;
    for (int i = 0; i < PQntuples(res); i++)
        if (!cal_set_day(days_into, db_get_i64(res, i, "day"),
                         strcmp(db_get(res, i, "kind"), "workday") == 0))
            break; /* more than CAL_MAX_DAYS overrides: the oldest are kept */
    PQclear(res);
    return DB_OK;
}

static void hhmm(int secs, char *out, size_t n)
{
    snprintf(out, n, "%02d:%02d", secs / 3600 % 100, secs % 3600 / 60);
}

enum db_status store_calendar_put(struct db *db, const struct calendar_settings *st,
                                  const char *actor, hl_time now, char **json)
{
    char week[32] = "{", opens[8], closes[8], ls[8], le[8], at[48];
    for (int d = 0; d < 7; d++)
        if (st->working_week & (1u << d)) {
            size_t len = strlen(week);
            snprintf(week + len, sizeof week - len, "%s%d", len > 1 ? "," : "", d);
        }
    strcat(week, "}");
    hhmm(st->opens, opens, sizeof opens);
    hhmm(st->closes, closes, sizeof closes);
    hhmm(st->lunch_start, ls, sizeof ls);
    hhmm(st->lunch_end, le, sizeof le);
    tf_format_rfc3339(now, 0, at, sizeof at);
    struct strbuf win, rules, more;
    strbuf_init(&win);
    strbuf_init(&rules);
    strbuf_init(&more);
    strbuf_puts(&win, "[");
    for (int i = 0; i < st->nwindows; i++) {
        char s[8], e[8];
        hhmm(st->windows[i].start, s, sizeof s);
        hhmm(st->windows[i].end, e, sizeof e);
        strbuf_printf(&win, "%s{\"start\":\"%s\",\"end\":\"%s\"}", i ? "," : "", s, e);
    }
    strbuf_puts(&win, "]");
    const struct rules *r = &st->rules;
    strbuf_printf(&rules,
                  "{\"general_days\":%d,\"hard_days\":%d,\"special_callback_days\":%d,"
                  "\"government_relay_minutes\":%d,\"government_callback_minutes\":%d,"
                  "\"complaint_notice_hours\":%d,\"escalation_delay_minutes\":%d,"
                  "\"followup_retry_minutes\":%d,\"followup_max_attempts\":%d,"
                  "\"satisfaction_after_business_days\":%d}",
                  r->general_days, r->hard_days, r->special_callback_days,
                  r->government_relay_minutes, r->government_callback_minutes,
                  r->complaint_notice_hours, r->escalation_delay_minutes,
                  r->followup_retry_minutes, r->followup_max_attempts,
                  r->satisfaction_after_business_days);
    strbuf_printf(&more,
                  "{\"dispatch_accept_business_minutes\":%d,\"warning_percent\":%d,"
                  "\"satisfaction_min_score\":%d}",
                  r->dispatch_accept_business_minutes, r->warning_percent,
                  r->satisfaction_min_score);
    const char *params[] = {st->zone, week, opens, closes, ls, le, win.data, rules.data, at,
                            actor, "1", more.data};
    enum db_status s =
        win.oom || rules.oom || more.oom ? DB_ERROR : sql_exec_json(db, &q_put, params, json);
    strbuf_free(&win);
    strbuf_free(&rules);
    strbuf_free(&more);
    return s;
}

enum db_status store_calendar_day_get(struct db *db, const char *date, char **json)
{
    const char *params[] = {date};
    return sql_exec_json(db, &q_day_get, params, json);
}

enum db_status store_calendar_day_put(struct db *db, const char *date,
                                      const struct calendar_day_input *in, const char *actor,
                                      hl_time now, bool *created, char **json)
{
    char at[48];
    tf_format_rfc3339(now, 0, at, sizeof at);
    const char *params[] = {date, calendar_day_kind_names[in->kind], in->name, at, actor};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_day_put, params, &res);
    if (s != DB_OK)
        return s;
    *created = strcmp(db_get(res, 0, "created"), "t") == 0;
    *json = strdup(db_get(res, 0, "json"));
    PQclear(res);
    return *json ? DB_OK : DB_ERROR;
}

enum db_status store_calendar_day_delete(struct db *db, const char *date)
{
    const char *params[] = {date};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_day_delete, params, &res);
    if (s == DB_OK && db_get_i64(res, 0, "n") == 0)
        s = DB_NOT_FOUND;
    PQclear(res);
    return s;
}

enum db_status store_calendar_days_list(struct db *db, const char *from, const char *to,
                                        char **json)
{
    const char *params[] = {from, to};
    return sql_exec_json(db, &q_days_list, params, json);
}
