/**
 * @file followups.c
 * @brief SQL for followups and followup_attempts.
 */
#include "store/followups.h"
#include "store/sqlbits.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

#define FOLLOWUP_JSON_COLUMNS                                                                      \
    "f.id, f.kind, f.ticket_id, f.phone, f.phone_norm AS phone_normalized, f.due_at, f.agent, "   \
    "f.agent_group, f.status, f.attempts, f.outcome, f.satisfaction, f.notes, f.urgent, "         \
    "(f.status = 'pending' AND f.overdue_at IS NOT NULL) AS overdue, f.overdue_at, "               \
    "f.escalation_level, f.source_call_id, f.created_by, f.created_at, f.updated_at, "            \
    "f.closed_at, f.version"

DB_STMT(q_create, 12,
        "INSERT INTO followups (kind, ticket_id, phone, phone_norm, due_at, agent, agent_group, "
        "notes, source_call_id, created_by, created_at, updated_at, urgent) VALUES ($1, "
        "$2::bigint, $3, $4, $5::timestamptz, $6, $7, $8, $9, $10, $11::timestamptz, "
        "$11::timestamptz, $12::bool) RETURNING id");

DB_STMT(q_json, 1,
        "SELECT (row_to_json(x)::jsonb || jsonb_build_object('attempt_log', coalesce((SELECT "
        "jsonb_agg(jsonb_build_object('at', a.at, 'actor', a.actor, 'outcome', a.outcome, "
        "'satisfaction', a.satisfaction, 'notes', a.notes, 'call_id', a.call_id) ORDER BY a.id) "
        "FROM followup_attempts a WHERE a.followup_id = x.id), '[]')))::text AS json "
        "FROM (SELECT " FOLLOWUP_JSON_COLUMNS " FROM followups f WHERE f.id = $1) x");

DB_STMT(q_row, 1,
        "SELECT id, coalesce(ticket_id, 0) AS ticket_id, kind, status, attempts, urgent "
        "FROM followups WHERE id = $1");
DB_STMT(q_row_lock, 1,
        "SELECT id, coalesce(ticket_id, 0) AS ticket_id, kind, status, attempts, urgent "
        "FROM followups WHERE id = $1 FOR UPDATE");

DB_STMT(q_attempt, 10,
        "WITH a AS (INSERT INTO followup_attempts (followup_id, at, actor, outcome, "
        "satisfaction, notes, call_id) VALUES ($1, $2::timestamptz, $3, $4, $5::int, $6, $7) "
        "RETURNING followup_id), "
        "f AS (UPDATE followups f SET attempts = f.attempts + 1, outcome = $4, "
        "satisfaction = coalesce($5::int, f.satisfaction), status = $8, "
        "due_at = CASE WHEN $9::bool THEN $10::timestamptz ELSE f.due_at END, "
        "overdue_at = CASE WHEN $9::bool THEN NULL ELSE f.overdue_at END, "
        "escalation_level = CASE WHEN $9::bool THEN 0 ELSE f.escalation_level END, "
        "closed_at = CASE WHEN $8 = 'pending' THEN NULL ELSE $2::timestamptz END, "
        "updated_at = $2::timestamptz, version = f.version + 1 "
        "FROM a WHERE f.id = a.followup_id RETURNING f.id) "
        "SELECT id FROM f");

DB_STMT(q_claim_new, 2,
        "SELECT id, coalesce(ticket_id, 0) AS ticket_id, kind, escalation_level FROM followups "
        "WHERE status = 'pending' AND overdue_at IS NULL AND due_at <= $1::timestamptz "
        "ORDER BY due_at, id LIMIT $2::int FOR UPDATE SKIP LOCKED");
DB_STMT(q_claim_again, 3,
        "SELECT id, coalesce(ticket_id, 0) AS ticket_id, kind, escalation_level FROM followups "
        "WHERE status = 'pending' AND escalation_level = 1 "
        "AND overdue_at <= $1::timestamptz - make_interval(mins => $2::int) "
        "ORDER BY overdue_at, id LIMIT $3::int FOR UPDATE SKIP LOCKED");
DB_STMT(q_mark, 4,
        "WITH f AS (UPDATE followups SET overdue_at = coalesce(overdue_at, $2::timestamptz), "
        "escalation_level = $3::int, updated_at = $2::timestamptz, version = version + 1 "
        "WHERE id = $1 RETURNING id, ticket_id, kind, due_at, agent) "
        "INSERT INTO ticket_events (ticket_id, at, actor, kind, after) SELECT f.ticket_id, "
        "$2::timestamptz, 'sweeper', $4, jsonb_build_object('followup_id', f.id, 'kind', "
        "f.kind, 'due_at', f.due_at, 'agent', f.agent, 'escalation_level', $3::int, 'must_act', "
        "(ARRAY['agent','supervisor','manager'])[$3::int + 1]) FROM f WHERE f.ticket_id IS NOT NULL");

static int name_index(const char *const *names, const char *s)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return 0;
}

enum db_status store_followup_create(struct db *db, const struct followup_new *f, int64_t *id)
{
    char ticket[24], due[48], now[48];
    snprintf(ticket, sizeof ticket, "%" PRId64, f->ticket_id);
    tf_format_rfc3339(f->due_at, 0, due, sizeof due);
    tf_format_rfc3339(f->now, 0, now, sizeof now);
    const char *params[] = {followup_kind_names[f->kind], f->ticket_id ? ticket : NULL, f->phone,
                            f->phone_norm, due, f->agent, f->agent_group, f->notes,
                            f->source_call_id, f->created_by, now, f->urgent ? "t" : "f"};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_create, params, &res);
    if (s == DB_OK && id)
        *id = db_get_i64(res, 0, "id");
    PQclear(res);
    return s;
}

enum db_status store_followup_json(struct db *db, int64_t id, char **json)
{
    return sql_id_json(db, &q_json, id, json);
}

enum db_status store_followup_row(struct db *db, int64_t id, bool lock, struct followup_row *out)
{
    char ids[24];
    snprintf(ids, sizeof ids, "%" PRId64, id);
    const char *params[] = {ids};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, lock ? &q_row_lock : &q_row, params, &res);
    if (s != DB_OK)
        return s;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return DB_NOT_FOUND;
    }
    out->id = db_get_i64(res, 0, "id");
    out->ticket_id = db_get_i64(res, 0, "ticket_id");
    out->kind = (enum followup_kind)name_index(followup_kind_names, db_get(res, 0, "kind"));
    out->status = (enum followup_status)name_index(followup_status_names, db_get(res, 0, "status"));
    out->attempts = (int)db_get_i64(res, 0, "attempts");
    out->urgent = strcmp(db_get(res, 0, "urgent"), "t") == 0;
    PQclear(res);
    return DB_OK;
}

enum db_status store_followup_attempt(struct db *db, const struct followup_attempt_write *w,
                                      char **json)
{
    char ids[24], now[48], score[16], due[48];
    snprintf(ids, sizeof ids, "%" PRId64, w->id);
    snprintf(score, sizeof score, "%d", w->satisfaction);
    tf_format_rfc3339(w->now, 0, now, sizeof now);
    tf_format_rfc3339(w->due_at, 0, due, sizeof due);
    const char *params[] = {ids,
                            now,
                            w->actor,
                            w->outcome,
                            w->satisfaction ? score : NULL,
                            w->notes,
                            w->call_id,
                            followup_status_names[w->status],
                            w->reschedule ? "t" : "f",
                            due};
    enum db_status s = db_run(db, &q_attempt, params);
    return s == DB_OK ? store_followup_json(db, w->id, json) : s;
}

static void add_param(struct strbuf *sql, const char **params, int *n, const char *cond,
                      const char *value)
{
    params[*n] = value;
    (*n)++;
    strbuf_printf(sql, " AND %s $%d", cond, *n);
}

enum db_status store_followups_list(struct db *db, const struct followup_filter *f,
                                    char **items, bool *more, int64_t keys[2])
{
    struct strbuf sql;
    strbuf_init(&sql);
    const char *params[10];
    int n = 0;
    char due[48], ticket[24], after_due[48], after_id[24], limit[16];
    strbuf_puts(&sql, "SELECT row_to_json(x)::text AS json, x.id, (extract(epoch FROM x.due_at) "
                      "* 1000000)::bigint AS due_us FROM (SELECT " FOLLOWUP_JSON_COLUMNS
                      " FROM followups f WHERE true");
    if (f->status)
        add_param(&sql, params, &n, "f.status =", f->status);
    if (f->agent)
        add_param(&sql, params, &n, "f.agent =", f->agent);
    if (f->kind)
        add_param(&sql, params, &n, "f.kind =", f->kind);
    if (f->ticket_id) {
        snprintf(ticket, sizeof ticket, "%" PRId64, f->ticket_id);
        add_param(&sql, params, &n, "f.ticket_id =", ticket);
    }
    if (f->has_due_before) {
        tf_format_rfc3339(f->due_before, 0, due, sizeof due);
        add_param(&sql, params, &n, "f.due_at <", due);
    }
    if (f->has_cursor) {
        tf_format_rfc3339(f->after_due, 0, after_due, sizeof after_due);
        snprintf(after_id, sizeof after_id, "%" PRId64, f->after_id);
        params[n++] = after_due;
        params[n++] = after_id;
        strbuf_printf(&sql, " AND (f.due_at, f.id) > ($%d::timestamptz, $%d::bigint)", n - 1, n);
    }
    snprintf(limit, sizeof limit, "%d", f->limit + 1);
    params[n++] = limit;
    strbuf_printf(&sql, " ORDER BY f.due_at, f.id LIMIT $%d) x ORDER BY x.due_at, x.id", n);
    PGresult *res = NULL;
    enum db_status s = sql.oom ? DB_ERROR : db_exec_sql(db, sql.data, n, params, &res);
    strbuf_free(&sql);
    if (s != DB_OK)
        return s;
    int rows = PQntuples(res);
    *more = rows > f->limit;
    int count = *more ? f->limit : rows;
    struct strbuf out;
    strbuf_init(&out);
    strbuf_puts(&out, "[");
    for (int i = 0; i < count; i++) {
        strbuf_puts(&out, i ? "," : "");
        strbuf_puts(&out, db_get(res, i, "json"));
        keys[0] = db_get_i64(res, i, "due_us");
        keys[1] = db_get_i64(res, i, "id");
    }
    strbuf_puts(&out, "]");
    PQclear(res);
    *items = strbuf_steal(&out, NULL);
    return *items ? DB_OK : DB_ERROR;
}

static enum db_status claim(struct db *db, struct db_stmt *st, const char *const *params,
                            struct followup_due *rows, int limit, int *n)
{
    PGresult *res = NULL;
    enum db_status s = db_exec(db, st, params, &res);
    if (s != DB_OK)
        return s;
    for (int i = 0; i < PQntuples(res) && *n < limit; i++) {
        struct followup_due *r = &rows[(*n)++];
        r->id = db_get_i64(res, i, "id");
        r->ticket_id = db_get_i64(res, i, "ticket_id");
        r->kind = (enum followup_kind)name_index(followup_kind_names, db_get(res, i, "kind"));
        r->escalation_level = (int)db_get_i64(res, i, "escalation_level");
    }
    PQclear(res);
    return DB_OK;
}

enum db_status store_followups_claim_overdue(struct db *db, hl_time now, int delay_minutes,
                                             int limit, struct followup_due *rows, int *n)
{
    char at[48], lim[16], delay[16];
    tf_format_rfc3339(now, 0, at, sizeof at);
    snprintf(lim, sizeof lim, "%d", limit);
    snprintf(delay, sizeof delay, "%d", delay_minutes);
    *n = 0;
    const char *p1[] = {at, lim};
    enum db_status s = claim(db, &q_claim_new, p1, rows, limit, n);
    const char *p2[] = {at, delay, lim};
    if (s == DB_OK && *n < limit)
        s = claim(db, &q_claim_again, p2, rows, limit, n);
    return s;
}

enum db_status store_followup_mark_overdue(struct db *db, const struct followup_due *f,
                                           hl_time now)
{
    char ids[24], at[48], level[16];
    snprintf(ids, sizeof ids, "%" PRId64, f->id);
    snprintf(level, sizeof level, "%d", f->escalation_level + 1 > 2 ? 2 : f->escalation_level + 1);
    tf_format_rfc3339(now, 0, at, sizeof at);
    const char *params[] = {ids, at, level,
                            f->escalation_level == 0 ? "followup_overdue" : "followup_escalated"};
    return db_run(db, &q_mark, params);
}
