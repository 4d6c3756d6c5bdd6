/**
 * @file dispatches.c
 * @brief SQL for ticket_dispatches.
 */
#include "store/dispatches.h"
#include "store/sqlbits.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DISPATCH_JSON                                                                              \
    "json_build_object('id', d.id, 'ticket_id', d.ticket_id, 'department', d.department, "         \
    "'contact_person', d.contact_person, 'agreed', d.agreed, 'note', d.note, 'status', "           \
    "d.status, 'dispatched_at', d.dispatched_at, 'dispatched_by', d.dispatched_by, "               \
    "'accept_due_at', d.accept_due_at, 'overdue', d.overdue_at IS NOT NULL, 'overdue_at', "        \
    "d.overdue_at, 'accepted_at', d.accepted_at, 'accepted_by', d.accepted_by, 'returned_at', "    \
    "d.returned_at, 'returned_by', d.returned_by, 'return_reason', d.return_reason, "              \
    "'replied_at', d.replied_at, 'replied_by', d.replied_by, 'reply', d.reply, 'ruling', "         \
    "d.ruling, 'ruled_by', d.ruled_by, 'ruled_at', d.ruled_at, 'previous_id', d.previous_id, "     \
    "'next_id', d.next_id, 'updated_at', d.updated_at, 'version', d.version)"

/* What a dispatch event says: which, where, with whom. */
#define DISPATCH_EVENT                                                                             \
    "jsonb_build_object('dispatch_id', d.id, 'department', d.department, 'contact_person', "       \
    "d.contact_person, 'status', d.status)"

DB_STMT(q_create, 10,
        "WITH d AS (INSERT INTO ticket_dispatches (ticket_id, department, contact_person, agreed, "
        "note, dispatched_at, dispatched_by, accept_due_at, previous_id, updated_at) VALUES ($1, "
        "$2, $3, $4, $5, $6::timestamptz, $7, $8::timestamptz, $9::bigint, $6::timestamptz) "
        "RETURNING *), "
        "e AS (INSERT INTO ticket_events (ticket_id, at, actor, kind, after) SELECT d.ticket_id, "
        "d.dispatched_at, d.dispatched_by, $10, " DISPATCH_EVENT " || jsonb_strip_nulls("
        "jsonb_build_object('agreed', d.agreed, 'accept_due_at', d.accept_due_at, "
        "'previous_id', d.previous_id)) FROM d) "
        "SELECT " DISPATCH_JSON "::text AS json, d.id FROM d");

DB_STMT(q_row, 1,
        "SELECT id, ticket_id, status, contact_person FROM ticket_dispatches WHERE id = $1");
DB_STMT(q_row_lock, 1,
        "SELECT id, ticket_id, status, contact_person FROM ticket_dispatches WHERE id = $1 "
        "FOR UPDATE");

/* $3: the action; $5: the department's person; $6: its text; $7: a new accept deadline. */
DB_STMT(q_step, 11,
        "WITH d AS (UPDATE ticket_dispatches SET status = $2, "
        "accepted_at = CASE WHEN $3 = 'accept' THEN $4::timestamptz ELSE accepted_at END, "
        "accepted_by = CASE WHEN $3 = 'accept' THEN $5 ELSE accepted_by END, "
        "returned_at = CASE WHEN $3 = 'return' THEN $4::timestamptz ELSE returned_at END, "
        "returned_by = CASE WHEN $3 = 'return' THEN $5 ELSE returned_by END, "
        "return_reason = CASE WHEN $3 = 'return' THEN $6 ELSE return_reason END, "
        "replied_at = CASE WHEN $3 = 'reply' THEN $4::timestamptz ELSE replied_at END, "
        "replied_by = CASE WHEN $3 = 'reply' THEN $5 ELSE replied_by END, "
        "reply = CASE WHEN $3 = 'reply' THEN $6 ELSE reply END, "
        "ruling = CASE WHEN $3 LIKE 'rule_%' THEN $6 ELSE ruling END, "
        "ruled_by = CASE WHEN $3 LIKE 'rule_%' THEN $9 ELSE ruled_by END, "
        "ruled_at = CASE WHEN $3 LIKE 'rule_%' THEN $4::timestamptz ELSE ruled_at END, "
        "accept_due_at = coalesce($7::timestamptz, accept_due_at), "
        "overdue_at = CASE WHEN $7 IS NOT NULL THEN NULL ELSE overdue_at END, "
        "next_id = coalesce($8::bigint, next_id), "
        "updated_at = $4::timestamptz, version = version + 1 WHERE id = $1 RETURNING *), "
        "e AS (INSERT INTO ticket_events (ticket_id, at, actor, kind, before, after, note) "
        "SELECT d.ticket_id, $4::timestamptz, $9, $10::text, jsonb_build_object('status', "
        "$11::text), " DISPATCH_EVENT " || jsonb_strip_nulls(jsonb_build_object('by', $5::text, "
        "'accept_due_at', $7::timestamptz, 'next_id', $8::bigint)), $6 FROM d "
        "WHERE $10::text IS NOT NULL) "
        "SELECT " DISPATCH_JSON "::text AS json FROM d");

DB_STMT(q_json, 1,
        "SELECT " DISPATCH_JSON "::text AS json FROM ticket_dispatches d WHERE d.id = $1");

DB_STMT(q_list, 1,
        "SELECT (SELECT json_build_object('items', coalesce(json_agg(" DISPATCH_JSON
        " ORDER BY d.id), '[]'))::text FROM ticket_dispatches d WHERE d.ticket_id = t.id) "
        "AS json FROM tickets t WHERE t.id = $1");

/* Claimed through ticket_dispatches_accept_due; rows another instance holds are skipped. */
DB_STMT(q_overdue, 2,
        "WITH c AS (SELECT id FROM ticket_dispatches WHERE status = 'sent' AND overdue_at IS NULL "
        "AND accept_due_at <= $1::timestamptz ORDER BY accept_due_at, id LIMIT $2::int "
        "FOR UPDATE SKIP LOCKED), "
        "d AS (UPDATE ticket_dispatches x SET overdue_at = $1::timestamptz, "
        "updated_at = $1::timestamptz, version = x.version + 1 FROM c WHERE x.id = c.id "
        "RETURNING x.*), "
        "e AS (INSERT INTO ticket_events (ticket_id, at, actor, kind, after) SELECT d.ticket_id, "
        "$1::timestamptz, 'sweeper', 'dispatch_overdue', " DISPATCH_EVENT
        " || jsonb_build_object('accept_due_at', d.accept_due_at) FROM d) "
        "SELECT d.id, d.ticket_id, json_build_object('dispatch_id', d.id, 'ticket_id', "
        "d.ticket_id, 'department', d.department, 'contact_person', d.contact_person, "
        "'dispatched_at', d.dispatched_at, 'accept_due_at', d.accept_due_at)::text AS payload "
        "FROM d");


enum db_status store_dispatch_create(struct db *db, const struct dispatch_new *d, int64_t *id,
                                     char **json)
{
    char tid[24], at[48], due[48], prev[24];
    snprintf(tid, sizeof tid, "%" PRId64, d->ticket_id);
    snprintf(prev, sizeof prev, "%" PRId64, d->previous_id);
    tf_format_rfc3339(d->now, 0, at, sizeof at);
    tf_format_rfc3339(d->accept_due_at, 0, due, sizeof due);
    const char *params[] = {tid,
                            d->in->department,
                            d->in->contact_person,
                            d->in->agreed,
                            d->in->note,
                            at,
                            d->actor,
                            due,
                            d->previous_id ? prev : NULL,
                            d->event_kind};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_create, params, &res);
    if (s == DB_OK && PQntuples(res) && id)
        *id = db_get_i64(res, 0, "id");
    return sql_single_json(res, s, json, NULL);
}

enum db_status store_dispatch_row(struct db *db, int64_t id, bool lock, struct dispatch_row *out)
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
    int st = enum_index(dispatch_status_names, db_get(res, 0, "status"));
    out->status = st < 0 ? DS_SENT : (enum dispatch_status)st;
    snprintf(out->contact_person, sizeof out->contact_person, "%s",
             db_get(res, 0, "contact_person"));
    PQclear(res);
    return DB_OK;
}

enum db_status store_dispatch_step(struct db *db, const struct dispatch_step *st, char **json)
{
    char ids[24], at[48], due[48], next[24];
    snprintf(ids, sizeof ids, "%" PRId64, st->id);
    snprintf(next, sizeof next, "%" PRId64, st->next_id);
    tf_format_rfc3339(st->now, 0, at, sizeof at);
    if (st->has_accept_due)
        tf_format_rfc3339(st->accept_due_at, 0, due, sizeof due);
    const char *params[] = {ids,
                            dispatch_status_names[st->to],
                            dispatch_action_names[st->action],
                            at,
                            st->person,
                            st->text,
                            st->has_accept_due ? due : NULL,
                            st->next_id ? next : NULL,
                            st->actor,
                            st->event_kind,
                            dispatch_status_names[st->from]};
    return sql_exec_json(db, &q_step, params, json);
}

enum db_status store_dispatch_json(struct db *db, int64_t id, char **json)
{
    return sql_id_json(db, &q_json, id, json);
}

enum db_status store_dispatches_json(struct db *db, int64_t ticket_id, char **json)
{
    return sql_id_json(db, &q_list, ticket_id, json);
}

enum db_status store_dispatches_mark_overdue(struct db *db, hl_time now, int limit,
                                             struct dispatch_overdue *rows, int *n)
{
    char at[48], lim[16];
    tf_format_rfc3339(now, 0, at, sizeof at);
    snprintf(lim, sizeof lim, "%d", limit);
    const char *params[] = {at, lim};
    PGresult *res = NULL;
    *n = 0;
    enum db_status s = db_exec(db, &q_overdue, params, &res);
    if (s != DB_OK)
        return s;
    int got = PQntuples(res) < limit ? PQntuples(res) : limit;
    for (int i = 0; i < got; i++) {
        rows[i].id = db_get_i64(res, i, "id");
        rows[i].ticket_id = db_get_i64(res, i, "ticket_id");
        rows[i].payload = strdup(db_get(res, i, "payload"));
        (*n)++;
        if (!rows[i].payload) {
            s = DB_ERROR;
            break;
        }
    }
    PQclear(res);
    return s;
}
