/**
 * @file escalations.c
 * @brief SQL for ticket_escalations.
 */
#include "store/escalations.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/outbox.h"
#include "store/sqlbits.h"

#define ESCALATION_JSON                                                                            \
    "json_build_object('id', x.id, 'ticket_id', x.ticket_id, 'at', x.at, 'from_level', "           \
    "x.from_level, 'to_level', x.to_level, 'must_act', x.must_act, 'assignee', x.assignee, "       \
    "'reason', x.reason, 'actor', x.actor)"

/* must_act is the level's name: agent, supervisor, manager. */
DB_STMT(q_record, 7,
        "WITH x AS (INSERT INTO ticket_escalations (ticket_id, at, from_level, to_level, "
        "must_act, reason, actor, assignee) VALUES ($1, $2::timestamptz, $3::int, $4::int, "
        "(ARRAY['agent','supervisor','manager'])[$4::int + 1], $5, $6, $7) RETURNING *), "
        "e AS (INSERT INTO ticket_events (ticket_id, at, actor, kind, before, after, note) "
        "SELECT x.ticket_id, x.at, x.actor, 'escalated', "
        "jsonb_build_object('escalation_level', x.from_level), "
        "jsonb_strip_nulls(jsonb_build_object('escalation_level', x.to_level, 'must_act', "
        "x.must_act, 'assignee', x.assignee, 'escalation_id', x.id)), x.reason FROM x) "
        "SELECT " ESCALATION_JSON "::text AS json, (" ESCALATION_JSON "::jsonb || "
        "jsonb_build_object('escalation_level', x.to_level))::text AS webhook FROM x");

DB_STMT(q_set, 5,
        "UPDATE tickets SET escalation_level = $2::int, escalated_at = $5::timestamptz, "
        "next_escalation_at = $3::timestamptz, next_due_at = $4::timestamptz, "
        "version = version + 1, updated_at = $5::timestamptz WHERE id = $1 RETURNING id");

DB_STMT(q_list, 1,
        "SELECT (SELECT json_build_object('items', coalesce(json_agg(" ESCALATION_JSON
        " ORDER BY x.id), '[]'))::text FROM ticket_escalations x WHERE x.ticket_id = t.id) "
        "AS json FROM tickets t WHERE t.id = $1");

enum db_status store_escalation_record(struct db *db, const struct escalation_record *e,
                                       char **json)
{
    char ids[24], at[48], from[16], to[16];
    snprintf(ids, sizeof ids, "%" PRId64, e->ticket_id);
    snprintf(from, sizeof from, "%d", e->from_level);
    snprintf(to, sizeof to, "%d", e->to_level);
    tf_format_rfc3339(e->now, 0, at, sizeof at);
    const char *params[] = {ids, at, from, to, e->reason, e->actor, e->assignee};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_record, params, &res);
    if (s != DB_OK)
        return s;
    char *row = PQntuples(res) ? strdup(db_get(res, 0, "json")) : NULL;
    /* the webhook carries the escalation as recorded: ticket_id, escalation_level, must_act,
     * assignee, reason, actor */
    s = row ? store_outbox_emit(db, "ticket.escalated", "ticket", e->ticket_id,
                                db_get(res, 0, "webhook"), e->now, NULL)
            : DB_ERROR;
    PQclear(res);
    if (s == DB_OK && json)
        *json = row;
    else
        free(row);
    return s;
}

enum db_status store_ticket_escalation_set(struct db *db, int64_t ticket_id, int level,
                                           const hl_time *next_escalation_at,
                                           const hl_time *next_due_at, hl_time now)
{
    char ids[24], lvl[16], esc[48], due[48], at[48];
    snprintf(ids, sizeof ids, "%" PRId64, ticket_id);
    snprintf(lvl, sizeof lvl, "%d", level);
    tf_format_rfc3339(now, 0, at, sizeof at);
    if (next_escalation_at)
        tf_format_rfc3339(*next_escalation_at, 0, esc, sizeof esc);
    if (next_due_at)
        tf_format_rfc3339(*next_due_at, 0, due, sizeof due);
    const char *params[] = {ids, lvl, next_escalation_at ? esc : NULL, next_due_at ? due : NULL,
                            at};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_set, params, &res);
    if (s == DB_OK && PQntuples(res) == 0)
        s = DB_NOT_FOUND;
    PQclear(res);
    return s;
}

enum db_status store_escalations_json(struct db *db, int64_t ticket_id, char **json)
{
    return sql_id_json(db, &q_list, ticket_id, json);
}
