/**
 * @file calls.c
 * @brief SQL for call_events, calls and the caller screen-pop.
 */
#include "store/calls.h"
#include "store/sqlbits.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

/* Advisory-lock namespaces (the two-key form, apart from the migration lock's one key). */
#define LOCK_CALL "4101"
#define LOCK_NUMBER "4102"

/* The public representation of a call row "c". */
#define CALL_JSON_COLUMNS                                                                          \
    "c.call_id, c.parent_call_id, c.direction, c.from_number AS \"from\", "                       \
    "c.from_norm AS from_normalized, c.to_number AS \"to\", c.to_norm AS to_normalized, "         \
    "c.agent, c.queue, c.state, c.outcome, c.cause, c.offered_at, c.answered_at, "                \
    "c.transferred_at, c.ended_at, c.ring_seconds, c.talk_seconds, "                              \
    "c.answered_within_threshold, c.event_count"

DB_STMT(q_event_insert, 17,
        "INSERT INTO call_events (call_id, dedup_key, event_id, event, at, direction, "
        "from_number, from_norm, to_number, to_norm, agent, queue, cause, parent_call_id, "
        "source, received_by, received_at) VALUES ($1, $2, $3, $4, $5::timestamptz, $6, $7, $8, "
        "$9, $10, $11, $12, $13, $14, $15, $16, $17::timestamptz) "
        "ON CONFLICT (call_id, dedup_key) DO NOTHING RETURNING id");

DB_STMT(q_lock, 1, "SELECT pg_advisory_xact_lock(" LOCK_CALL ", hashtext($1))");

DB_STMT(q_lock_number, 1, "SELECT pg_advisory_xact_lock(" LOCK_NUMBER ", hashtext($1))");

DB_STMT(q_events_load, 1,
        "SELECT event, (extract(epoch FROM at) * 1000000)::bigint AS at_us, direction, "
        "from_number, from_norm, to_number, to_norm, agent, queue, cause, parent_call_id, "
        "dedup_key, event_id FROM call_events WHERE call_id = $1 ORDER BY id");

DB_STMT(q_save, 21,
        "INSERT INTO calls AS c (call_id, parent_call_id, direction, from_number, from_norm, "
        "to_number, to_norm, agent, queue, state, outcome, cause, offered_at, answered_at, "
        "transferred_at, ended_at, ring_seconds, talk_seconds, answered_within_threshold, "
        "event_count, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
        "$11, $12, $13::timestamptz, $14::timestamptz, $15::timestamptz, $16::timestamptz, "
        "$17::numeric, $18::numeric, $19::boolean, $20::integer, $21::timestamptz, "
        "$21::timestamptz) "
        "ON CONFLICT (call_id) DO UPDATE SET parent_call_id = EXCLUDED.parent_call_id, "
        "direction = EXCLUDED.direction, from_number = EXCLUDED.from_number, "
        "from_norm = EXCLUDED.from_norm, to_number = EXCLUDED.to_number, "
        "to_norm = EXCLUDED.to_norm, agent = EXCLUDED.agent, queue = EXCLUDED.queue, "
        "state = EXCLUDED.state, outcome = EXCLUDED.outcome, cause = EXCLUDED.cause, "
        "offered_at = EXCLUDED.offered_at, answered_at = EXCLUDED.answered_at, "
        "transferred_at = EXCLUDED.transferred_at, ended_at = EXCLUDED.ended_at, "
        "ring_seconds = EXCLUDED.ring_seconds, talk_seconds = EXCLUDED.talk_seconds, "
        "answered_within_threshold = EXCLUDED.answered_within_threshold, "
        "event_count = EXCLUDED.event_count, updated_at = EXCLUDED.updated_at "
        "RETURNING coalesce(c.followup_id, 0) AS followup_id");

DB_STMT(q_set_followup, 2,
        "UPDATE calls SET followup_id = nullif($2::bigint, 0) WHERE call_id = $1");

DB_STMT(q_reached_since, 3,
        "SELECT EXISTS (SELECT 1 FROM calls WHERE from_norm = $1 AND direction = 'inbound' "
        "AND answered_at >= $2::timestamptz AND call_id <> $3) OR EXISTS (SELECT 1 FROM calls "
        "WHERE to_norm = $1 AND direction = 'outbound' AND answered_at >= $2::timestamptz AND "
        "call_id <> $3) AS reached");

DB_STMT(q_missed_pending, 1,
        "SELECT id FROM followups WHERE phone_norm = $1 AND kind = 'missed_call' AND "
        "status = 'pending' ORDER BY id LIMIT 1");

/* A task's last missed call is the latest call still linked to it; with none linked, the call
 * that created it (then every linked call was answered after all) or its creation time. */
DB_STMT(q_missed_close, 5,
        "WITH t AS (SELECT f.id, (SELECT max(c.offered_at) FROM calls c WHERE c.followup_id = "
        "f.id) AS last_missed, (SELECT c.offered_at FROM calls c WHERE c.call_id = "
        "f.source_call_id) AS source_offered, f.created_at FROM followups f WHERE f.phone_norm = "
        "$1 AND f.kind = 'missed_call' AND f.status = 'pending' FOR UPDATE OF f), "
        "d AS (SELECT id, (last_missed IS NULL AND source_offered IS NOT NULL) AS not_missed, "
        "coalesce(last_missed, source_offered, created_at) AS last FROM t), "
        "closed AS (UPDATE followups f SET status = CASE WHEN d.not_missed THEN 'cancelled' "
        "ELSE 'done' END, outcome = CASE WHEN d.not_missed THEN NULL ELSE 'reached' END, "
        "attempts = f.attempts + CASE WHEN d.not_missed THEN 0 ELSE 1 END, "
        "closed_at = $4::timestamptz, updated_at = $4::timestamptz, version = f.version + 1 "
        "FROM d WHERE f.id = d.id AND d.last <= $3::timestamptz RETURNING f.id, f.status), "
        "attempt AS (INSERT INTO followup_attempts (followup_id, at, actor, outcome, notes, "
        "call_id) SELECT id, $4::timestamptz, $5, 'reached', 'closed automatically: the number "
        "was reached on a later call', $2 FROM closed WHERE status = 'done') "
        "SELECT count(*) AS closed FROM closed");

/* The customer's side of a call: the caller of an inbound call, the callee of an outbound. */
#define CUSTOMER_NUMBER "CASE WHEN c.direction = 'outbound' THEN c.to_number ELSE c.from_number END"
#define CUSTOMER_NORM "CASE WHEN c.direction = 'outbound' THEN c.to_norm ELSE c.from_norm END"

DB_STMT(q_brief, 1,
        "SELECT coalesce(" CUSTOMER_NUMBER ", '') AS number, coalesce(" CUSTOMER_NORM
        ", '') AS number_norm, coalesce(c.agent, '') AS agent FROM calls c WHERE c.call_id = $1");

/* The legs around a call: up to its first leg (at most 20 hops), then every leg from there. */
#define CALL_CHAIN                                                                                 \
    "(WITH RECURSIVE up (call_id, parent_call_id, depth) AS (SELECT call_id, parent_call_id, 0 "  \
    "FROM calls WHERE call_id = $1 UNION ALL SELECT p.call_id, p.parent_call_id, up.depth + 1 "   \
    "FROM calls p JOIN up ON p.call_id = up.parent_call_id WHERE up.depth < 20), "                \
    "root AS (SELECT call_id FROM up ORDER BY depth DESC LIMIT 1), "                              \
    "down (call_id, depth) AS (SELECT call_id, 0 FROM root UNION ALL SELECT k.call_id, "          \
    "down.depth + 1 FROM calls k JOIN down ON k.parent_call_id = down.call_id "                   \
    "WHERE down.depth < 20) "                                                                     \
    "SELECT json_agg(json_build_object('call_id', l.call_id, 'parent_call_id', "                  \
    "l.parent_call_id, 'state', l.state, 'outcome', l.outcome, 'agent', l.agent, 'queue', "       \
    "l.queue, 'offered_at', l.offered_at, 'answered_at', l.answered_at, 'ended_at', l.ended_at) " \
    "ORDER BY l.offered_at, l.id) FROM calls l WHERE l.call_id IN (SELECT call_id FROM down))"

DB_STMT(q_get, 1,
        "SELECT row_to_json(x)::text AS json FROM (SELECT " CALL_JSON_COLUMNS ", "
        "(SELECT coalesce(json_agg(json_build_object('id', t.id, 'class', t.class, 'kind', "
        "t.kind, 'status', t.status, 'subject', t.subject, 'owner', t.owner) ORDER BY t.id), "
        "'[]') FROM tickets t WHERE t.call_id = c.call_id) AS tickets, " CALL_CHAIN " AS chain, "
        "(SELECT json_agg(json_build_object('id', e.id, 'event', e.event, 'at', e.at, "
        "'event_id', e.event_id, 'direction', e.direction, 'from', e.from_number, 'to', "
        "e.to_number, 'agent', e.agent, 'queue', e.queue, 'cause', e.cause, 'parent_call_id', "
        "e.parent_call_id, 'source', e.source, 'received_by', e.received_by, 'received_at', "
        "e.received_at) ORDER BY e.at, e.id) FROM call_events e WHERE e.call_id = c.call_id) "
        "AS events FROM calls c WHERE c.call_id = $1) x");

/* Recent calls, open tickets, pending follow-ups (the number's own and its tickets') and the
 * last satisfaction result, each read through an index on the normal form of the number (the
 * calls and follow-ups as a UNION of two index reads: with an OR, a generic plan scans). */
#define NUMBER_FOLLOWUPS(cond)                                                                     \
    "(SELECT f.* FROM followups f WHERE f.phone_norm = $1 AND " cond " UNION SELECT f.* FROM "    \
    "followups f WHERE f.ticket_id IN (SELECT id FROM tk) AND " cond ")"

/* The customer's ten latest calls: as the caller, or as the callee of an outbound call; two
 * index reads, newest first each. */
#define NUMBER_CALLS                                                                               \
    "((SELECT * FROM calls WHERE from_norm = $1 ORDER BY offered_at DESC, id DESC LIMIT 10) "     \
    "UNION (SELECT * FROM calls WHERE to_norm = $1 AND direction = 'outbound' "                   \
    "ORDER BY offered_at DESC, id DESC LIMIT 10))"

DB_STMT(q_screen, 1,
        "WITH tk AS (SELECT t.id FROM tickets t WHERE t.caller_phone_norm = $1) "
        "SELECT json_build_object('phone', $1::text, "
        "'caller_name', (SELECT t.caller_name FROM tickets t WHERE t.caller_phone_norm = $1 AND "
        "t.caller_name IS NOT NULL ORDER BY t.id DESC LIMIT 1), "
        "'recent_calls', coalesce((SELECT json_agg(x ORDER BY x.offered_at DESC) FROM (SELECT "
        "c.call_id, c.direction, c.state, c.outcome, c.agent, c.queue, c.offered_at, "
        "c.answered_at, c.ended_at, c.ring_seconds, c.talk_seconds FROM " NUMBER_CALLS " c "
        "ORDER BY c.offered_at DESC, c.id DESC LIMIT 10) x), '[]'), "
        "'open_tickets', coalesce((SELECT json_agg(x ORDER BY x.id DESC) FROM (SELECT t.id, "
        "t.class, t.kind, t.status, t.subject, t.owner, t.department, t.call_id, t.created_at, "
        "t.updated_at, t.resolve_due_at, t.relay_due_at, t.callback_due_at, "
        "t.next_callback_due_at, t.progress_due_at, t.next_due_at, t.overdue, t.overdue_since, "
        "t.escalation_level FROM tickets t WHERE t.caller_phone_norm = $1 AND t.status NOT IN "
        "('resolved', 'closed') ORDER BY t.id DESC LIMIT 20) x), '[]'), "
        "'pending_followups', coalesce((SELECT json_agg(x ORDER BY x.due_at, x.id) FROM (SELECT "
        "f.id, f.kind, f.ticket_id, f.due_at, f.agent, f.agent_group, f.attempts, "
        "f.source_call_id FROM " NUMBER_FOLLOWUPS("f.status = 'pending'") " f "
        "ORDER BY f.due_at, f.id LIMIT 20) x), '[]'), "
        "'last_satisfaction', (SELECT json_build_object('followup_id', f.id, 'ticket_id', "
        "f.ticket_id, 'satisfaction', f.satisfaction, 'at', coalesce(f.closed_at, f.updated_at)) "
        "FROM " NUMBER_FOLLOWUPS("f.satisfaction IS NOT NULL") " f "
        "ORDER BY coalesce(f.closed_at, f.updated_at) DESC, f.id DESC LIMIT 1))::text AS json");

static const char *name_or_null(const char *const *names, int i)
{
    return i >= 0 ? names[i] : NULL;
}

enum db_status store_call_event_insert(struct db *db, const struct call_event *e,
                                       const char *source, const char *actor, hl_time now,
                                       bool *applied)
{
    char key[CALL_DEDUP_KEY_MAX], at[48], received[48];
    call_event_dedup_key(e, key, sizeof key);
    tf_format_rfc3339(e->at, 0, at, sizeof at);
    tf_format_rfc3339(now, 0, received, sizeof received);
    const char *params[] = {
        e->call_id, key, e->event_id, call_event_names[e->kind], at,
        name_or_null(call_direction_names, e->direction),
        e->from, e->from ? e->from_norm : NULL, e->to, e->to ? e->to_norm : NULL,
        e->agent, e->queue, name_or_null(call_cause_names, e->cause), e->parent_call_id,
        source, actor, received,
    };
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_event_insert, params, &res);
    if (s == DB_OK)
        *applied = PQntuples(res) == 1;
    PQclear(res);
    return s;
}

enum db_status store_call_lock(struct db *db, const char *call_id)
{
    const char *params[] = {call_id};
    return db_run(db, &q_lock, params);
}

enum db_status store_call_lock_number(struct db *db, const char *number_norm)
{
    const char *params[] = {number_norm};
    return db_run(db, &q_lock_number, params);
}

static const char *get_or_null(const PGresult *res, int row, const char *col)
{
    return db_is_null(res, row, col) ? NULL : db_get(res, row, col);
}

static void event_from_row(const PGresult *res, int row, struct call_event *e)
{
    memset(e, 0, sizeof *e);
    e->kind = (enum call_event_kind)enum_index(call_event_names, db_get(res, row, "event"));
    e->at = db_get_i64(res, row, "at_us");
    const char *dir = get_or_null(res, row, "direction");
    e->direction = dir ? enum_index(call_direction_names, dir) : -1;
    const char *cause = get_or_null(res, row, "cause");
    e->cause = cause ? enum_index(call_cause_names, cause) : -1;
    e->from = get_or_null(res, row, "from_number");
    e->to = get_or_null(res, row, "to_number");
    snprintf(e->from_norm, sizeof e->from_norm, "%s", db_get(res, row, "from_norm"));
    snprintf(e->to_norm, sizeof e->to_norm, "%s", db_get(res, row, "to_norm"));
    e->agent = get_or_null(res, row, "agent");
    e->queue = get_or_null(res, row, "queue");
    e->parent_call_id = get_or_null(res, row, "parent_call_id");
    e->event_id = get_or_null(res, row, "event_id");
    e->dedup_key = db_get(res, row, "dedup_key");
}

enum db_status store_call_events_load(struct db *db, const char *call_id,
                                      struct call_event_list *out)
{
    memset(out, 0, sizeof *out);
    const char *params[] = {call_id};
    enum db_status s = db_exec(db, &q_events_load, params, &out->res);
    if (s != DB_OK)
        return s;
    int rows = PQntuples(out->res);
    out->ev = calloc(rows ? (size_t)rows : 1, sizeof *out->ev);
    if (!out->ev) {
        call_event_list_free(out);
        return DB_ERROR;
    }
    for (int i = 0; i < rows; i++) {
        event_from_row(out->res, i, &out->ev[i]);
        out->ev[i].call_id = call_id;
    }
    out->n = (size_t)rows;
    return DB_OK;
}

void call_event_list_free(struct call_event_list *l)
{
    free(l->ev);
    PQclear(l->res);
    memset(l, 0, sizeof *l);
}

static const char *time_or_null(bool has, hl_time t, char *buf, size_t n)
{
    if (!has)
        return NULL;
    tf_format_rfc3339(t, 0, buf, n);
    return buf;
}

static const char *seconds_or_null(int64_t us, char *buf, size_t n)
{
    if (us < 0)
        return NULL;
    call_format_seconds(us, buf, n);
    return buf;
}

enum db_status store_call_save(struct db *db, const char *call_id, const struct call_record *r,
                               hl_time now, int64_t *followup_id)
{
    char offered[48], answered[48], transferred[48], ended[48], ring[32], talk[32], count[16],
        at[48];
    tf_format_rfc3339(r->offered_at, 0, offered, sizeof offered);
    tf_format_rfc3339(now, 0, at, sizeof at);
    snprintf(count, sizeof count, "%d", r->event_count);
    const char *params[] = {
        call_id, r->parent_call_id, name_or_null(call_direction_names, r->direction),
        r->from, r->from ? r->from_norm : NULL, r->to, r->to ? r->to_norm : NULL,
        r->agent, r->queue, call_state_names[r->state],
        name_or_null(call_outcome_names, r->outcome), name_or_null(call_cause_names, r->cause),
        offered,
        time_or_null(r->answered, r->answered_at, answered, sizeof answered),
        time_or_null(r->transferred, r->transferred_at, transferred, sizeof transferred),
        time_or_null(r->ended, r->ended_at, ended, sizeof ended),
        seconds_or_null(r->ring_us, ring, sizeof ring),
        seconds_or_null(r->talk_us, talk, sizeof talk),
        r->within_threshold < 0 ? NULL : r->within_threshold ? "t" : "f",
        count, at,
    };
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_save, params, &res);
    if (s == DB_OK)
        *followup_id = db_get_i64(res, 0, "followup_id");
    PQclear(res);
    return s;
}

enum db_status store_call_set_followup(struct db *db, const char *call_id, int64_t followup_id)
{
    char id[24];
    snprintf(id, sizeof id, "%" PRId64, followup_id);
    const char *params[] = {call_id, id};
    return db_run(db, &q_set_followup, params);
}

enum db_status store_call_reached_since(struct db *db, const char *number_norm, hl_time since,
                                        const char *except_call_id, bool *reached)
{
    char at[48];
    tf_format_rfc3339(since, 0, at, sizeof at);
    const char *params[] = {number_norm, at, except_call_id};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_reached_since, params, &res);
    if (s == DB_OK)
        *reached = strcmp(db_get(res, 0, "reached"), "t") == 0;
    PQclear(res);
    return s;
}

enum db_status store_missed_task_pending(struct db *db, const char *number_norm, int64_t *id)
{
    const char *params[] = {number_norm};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_missed_pending, params, &res);
    if (s == DB_OK)
        *id = PQntuples(res) ? db_get_i64(res, 0, "id") : 0;
    PQclear(res);
    return s;
}

enum db_status store_missed_tasks_close(struct db *db, const char *number_norm,
                                        const char *call_id, hl_time reached_at,
                                        const char *actor, hl_time now, int *closed)
{
    char reached[48], at[48];
    tf_format_rfc3339(reached_at, 0, reached, sizeof reached);
    tf_format_rfc3339(now, 0, at, sizeof at);
    const char *params[] = {number_norm, call_id, reached, at, actor};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_missed_close, params, &res);
    if (s == DB_OK)
        *closed = (int)db_get_i64(res, 0, "closed");
    PQclear(res);
    return s;
}

enum db_status store_call_brief(struct db *db, const char *call_id, struct call_brief *out)
{
    memset(out, 0, sizeof *out);
    const char *params[] = {call_id};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_brief, params, &res);
    if (s != DB_OK)
        return s;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return DB_NOT_FOUND;
    }
    snprintf(out->number, sizeof out->number, "%s", db_get(res, 0, "number"));
    snprintf(out->number_norm, sizeof out->number_norm, "%s", db_get(res, 0, "number_norm"));
    snprintf(out->agent, sizeof out->agent, "%s", db_get(res, 0, "agent"));
    PQclear(res);
    return DB_OK;
}


enum db_status store_call_get(struct db *db, const char *call_id, char **json)
{
    const char *params[] = {call_id};
    return sql_exec_json(db, &q_get, params, json);
}

enum db_status store_caller_screen(struct db *db, const char *number_norm, char **json)
{
    const char *params[] = {number_norm};
    return sql_exec_json(db, &q_screen, params, json);
}

/* ---- GET /calls --------------------------------------------------------------------------- */

static void add_param(struct strbuf *sql, const char **params, int *n, const char *cond,
                      const char *value)
{
    params[*n] = value;
    (*n)++;
    strbuf_printf(sql, " AND %s $%d", cond, *n);
}

/* Turn up to limit + 1 rows of (json, k1, k2) into a page; takes the result. */
static enum db_status collect_page(PGresult *res, int limit, struct call_page *out)
{
    int rows = PQntuples(res);
    out->more = rows > limit;
    int count = out->more ? limit : rows;
    struct strbuf items;
    strbuf_init(&items);
    strbuf_puts(&items, "[");
    for (int i = 0; i < count; i++) {
        strbuf_puts(&items, i ? "," : "");
        strbuf_puts(&items, db_get(res, i, "json"));
        out->last_key[0] = db_get_i64(res, i, "k1");
        out->last_key[1] = db_get_i64(res, i, "k2");
    }
    strbuf_puts(&items, "]");
    PQclear(res);
    out->items = strbuf_steal(&items, NULL);
    return out->items ? DB_OK : DB_ERROR;
}

enum db_status store_call_list(struct db *db, const struct call_filter *f, struct call_page *out)
{
    memset(out, 0, sizeof *out);
    struct strbuf sql;
    strbuf_init(&sql);
    const char *params[10];
    int n = 0;
    char from[48], to[48], cur_at[48], cur_id[24], limit[16];
    strbuf_puts(&sql, "SELECT x.json, x.k1, x.k2 FROM (SELECT (SELECT row_to_json(r) FROM "
                      "(SELECT " CALL_JSON_COLUMNS ", (SELECT coalesce(json_agg(t.id ORDER BY "
                      "t.id), '[]') FROM tickets t WHERE t.call_id = c.call_id) AS ticket_ids) r)"
                      "::text AS json, (extract(epoch FROM c.offered_at) * 1000000)::bigint AS k1, "
                      "c.id AS k2 FROM calls c WHERE true");
    if (f->direction)
        add_param(&sql, params, &n, "c.direction =", f->direction);
    if (f->outcome)
        add_param(&sql, params, &n, "c.outcome =", f->outcome);
    if (f->agent)
        add_param(&sql, params, &n, "c.agent =", f->agent);
    if (f->number_norm) {
        params[n++] = f->number_norm;
        strbuf_printf(&sql, " AND (c.from_norm = $%d OR (c.to_norm = $%d AND c.direction = "
                            "'outbound'))", n, n);
    }
    if (f->has_from) {
        tf_format_rfc3339(f->offered_from, 0, from, sizeof from);
        add_param(&sql, params, &n, "c.offered_at >=", from);
    }
    if (f->has_to) {
        tf_format_rfc3339(f->offered_to, 0, to, sizeof to);
        add_param(&sql, params, &n, "c.offered_at <", to);
    }
    if (f->has_cursor) {
        tf_format_rfc3339(f->cursor[0], 0, cur_at, sizeof cur_at);
        snprintf(cur_id, sizeof cur_id, "%" PRId64, f->cursor[1]);
        params[n++] = cur_at;
        params[n++] = cur_id;
        strbuf_printf(&sql, " AND (c.offered_at, c.id) < ($%d::timestamptz, $%d::bigint)", n - 1,
                      n);
    }
    snprintf(limit, sizeof limit, "%d", f->limit + 1);
    params[n++] = limit;
    strbuf_printf(&sql, " ORDER BY c.offered_at DESC, c.id DESC LIMIT $%d) x "
                        "ORDER BY x.k1 DESC, x.k2 DESC", n);
    PGresult *res = NULL;
    enum db_status s = sql.oom ? DB_ERROR : db_exec_sql(db, sql.data, n, params, &res);
    strbuf_free(&sql);
    if (s != DB_OK)
        return s;
    return collect_page(res, f->limit, out);
}
