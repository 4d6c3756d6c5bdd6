/**
 * @file extensions.c
 * @brief SQL for ticket_extensions.
 */
#include "store/extensions.h"
#include "store/sqlbits.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXTENSION_JSON                                                                             \
    "json_build_object('id', x.id, 'ticket_id', x.ticket_id, 'deadline', x.deadline, 'due_at', "   \
    "x.due_at, 'until', x.until, 'reason', x.reason, 'status', x.status, 'requested_by', "         \
    "x.requested_by, 'requested_at', x.requested_at, 'decided_by', x.decided_by, 'decided_at', "   \
    "x.decided_at, 'decision_note', x.decision_note, 'followup_id', x.followup_id)"

DB_STMT(q_create, 7,
        "WITH x AS (INSERT INTO ticket_extensions (ticket_id, deadline, due_at, until, reason, "
        "requested_by, requested_at) VALUES ($1, $2, $3::timestamptz, $4::timestamptz, $5, $6, "
        "$7::timestamptz) RETURNING *), "
        "e AS (INSERT INTO ticket_events (ticket_id, at, actor, kind, after, note) SELECT "
        "x.ticket_id, x.requested_at, x.requested_by, 'extension_requested', jsonb_build_object("
        "'extension_id', x.id, 'deadline', x.deadline, 'due_at', x.due_at, 'until', x.until), "
        "x.reason FROM x) "
        "SELECT " EXTENSION_JSON "::text AS json FROM x");

DB_STMT(q_row_lock, 1,
        "SELECT id, ticket_id, coalesce(followup_id, 0) AS followup_id, deadline, "
        "status = 'requested' AS waiting, (extract(epoch FROM until) * 1000000)::bigint AS "
        "until_us FROM ticket_extensions WHERE id = $1 FOR UPDATE");

DB_STMT(q_decide, 6,
        "WITH x AS (UPDATE ticket_extensions SET status = CASE WHEN $2::bool THEN 'approved' "
        "ELSE 'refused' END, decided_by = $4, decided_at = $5::timestamptz, decision_note = $3, "
        "followup_id = $6::bigint WHERE id = $1 RETURNING *), "
        "e AS (INSERT INTO ticket_events (ticket_id, at, actor, kind, after, note) SELECT "
        "x.ticket_id, x.decided_at, x.decided_by, 'extension_refused', jsonb_build_object("
        "'extension_id', x.id, 'deadline', x.deadline, 'due_at', x.due_at, 'until', x.until), "
        "x.decision_note FROM x WHERE NOT $2::bool) "
        "SELECT " EXTENSION_JSON "::text AS json FROM x");

DB_STMT(q_list, 1,
        "SELECT (SELECT json_build_object('items', coalesce(json_agg(" EXTENSION_JSON
        " ORDER BY x.id), '[]'))::text FROM ticket_extensions x WHERE x.ticket_id = t.id) "
        "AS json FROM tickets t WHERE t.id = $1");


enum db_status store_extension_create(struct db *db, const struct extension_new *e, char **json)
{
    char tid[24], due[48], until[48], at[48];
    snprintf(tid, sizeof tid, "%" PRId64, e->ticket_id);
    tf_format_rfc3339(e->due_at, 0, due, sizeof due);
    tf_format_rfc3339(e->in->until, 0, until, sizeof until);
    tf_format_rfc3339(e->now, 0, at, sizeof at);
    const char *params[] = {
        tid, deadline_names[e->in->deadline], due, until, e->in->reason, e->actor, at};
    return sql_exec_json(db, &q_create, params, json);
}

enum db_status store_extension_row_lock(struct db *db, int64_t id, struct extension_row *out)
{
    char ids[24];
    snprintf(ids, sizeof ids, "%" PRId64, id);
    const char *params[] = {ids};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_row_lock, params, &res);
    if (s != DB_OK)
        return s;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return DB_NOT_FOUND;
    }
    out->id = db_get_i64(res, 0, "id");
    out->ticket_id = db_get_i64(res, 0, "ticket_id");
    out->followup_id = db_get_i64(res, 0, "followup_id");
    out->deadline =
        strcmp(db_get(res, 0, "deadline"), "weekly_callback") == 0 ? DL_WEEKLY : DL_RESOLVE;
    out->waiting = strcmp(db_get(res, 0, "waiting"), "t") == 0;
    out->until = db_get_i64(res, 0, "until_us");
    PQclear(res);
    return DB_OK;
}

enum db_status store_extension_decide(struct db *db, const struct extension_decision *d,
                                      char **json)
{
    char ids[24], at[48], fid[24];
    snprintf(ids, sizeof ids, "%" PRId64, d->id);
    snprintf(fid, sizeof fid, "%" PRId64, d->followup_id);
    tf_format_rfc3339(d->now, 0, at, sizeof at);
    const char *params[] = {ids, d->approve ? "t" : "f",     d->note, d->actor,
                            at,  d->followup_id ? fid : NULL};
    return sql_exec_json(db, &q_decide, params, json);
}

enum db_status store_extensions_json(struct db *db, int64_t ticket_id, char **json)
{
    return sql_id_json(db, &q_list, ticket_id, json);
}
