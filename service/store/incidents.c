/**
 * @file incidents.c
 * @brief SQL for incidents and incident_events.
 */
#include "store/incidents.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store/outbox.h"
#include "store/sqlbits.h"
#include "util/strbuf.h"

/* The public representation of an incident row "i". */
#define INCIDENT_JSON_COLUMNS                                                                      \
    "i.id, i.status, i.hazard, i.severity, i.location, i.area_code, i.street, i.description, "    \
    "i.reporter_name, i.reporter_phone, i.reporter_phone_norm AS reporter_phone_normalized, "     \
    "i.ticket_id, i.call_id, i.created_by, i.created_at, i.updated_at, i.version, i.ack_due_at, " \
    "i.acknowledged_at, i.acknowledged_by, i.relayed_at, i.repairing_at, i.resolved_at, "         \
    "i.closed_at, i.escalation_level, "                                                           \
    "(ARRAY[NULL, 'supervisor', 'manager'])[i.escalation_level + 1] AS escalated_to, "            \
    "i.escalated_at, i.next_due_at"

#define RELAY_OF(i)                                                                                \
    "outbox o WHERE o.subject_type = 'incident' AND o.subject_id = " i                            \
    " AND o.event = 'incident.relay'"

/* $6: description, $7 reporter name, $8/$9 reporter phone and its normal form, $11 call id;
 * left out (NULL) they come from the ticket $10 when there is one. */
DB_STMT(q_create, 14,
        "WITH t AS (SELECT subject, details, caller_name, caller_phone, caller_phone_norm, "
        "call_id FROM tickets WHERE id = $10::bigint), "
        "i AS (INSERT INTO incidents (hazard, severity, location, area_code, street, description, "
        "reporter_name, reporter_phone, reporter_phone_norm, ticket_id, call_id, created_by, "
        "created_at, updated_at, ack_due_at, next_due_at) SELECT $1, $2, $3, $4, $5, "
        "coalesce($6, (SELECT coalesce(details, subject) FROM t)), "
        "coalesce($7, (SELECT caller_name FROM t)), "
        "CASE WHEN $8::text IS NULL THEN (SELECT caller_phone FROM t) ELSE $8 END, "
        "CASE WHEN $8::text IS NULL THEN (SELECT caller_phone_norm FROM t) ELSE $9 END, "
        "$10::bigint, coalesce($11, (SELECT call_id FROM t)), $12, $13::timestamptz, "
        "$13::timestamptz, $14::timestamptz, $14::timestamptz RETURNING *), "
        "e AS (INSERT INTO incident_events (incident_id, at, actor, kind, after) "
        "SELECT i.id, i.created_at, i.created_by, 'reported', to_jsonb(i) - 'version' FROM i) "
        "SELECT x.id, row_to_json(x)::text AS payload FROM (SELECT " INCIDENT_JSON_COLUMNS
        " FROM i) x");

DB_STMT(q_relay_event, 4,
        "INSERT INTO incident_events (incident_id, at, actor, kind, after, note) VALUES "
        "($1::bigint, $2::timestamptz, $3, 'relay_queued', jsonb_build_object('webhooks', "
        "$4::int), CASE WHEN $4::int = 0 THEN 'no webhook subscribes to incident.relay: relay "
        "it by phone and record it as relayed' END)");

#define PROGRESS_OF_I                                                                              \
    "(SELECT coalesce(json_object_agg(p.round, json_build_object('total', p.total, 'done', "      \
    "p.done, 'remaining', p.remaining, 'reached', p.reached, 'no_contact', p.no_contact, "        \
    "'rate_per_minute', round(p.rate, 2), 'eta_seconds', CASE WHEN p.rate > 0 THEN "              \
    "ceil(p.remaining / p.rate * 60)::bigint END, 'started_at', p.started_at)), '{}') FROM "      \
    "(SELECT q.*, q.recent / greatest(1.0, least(15.0, extract(epoch FROM ($2::timestamptz - "     \
    "q.started_at)) / 60.0)) AS rate FROM (SELECT n.round, "                                      \
    "count(*) FILTER (WHERE n.status <> 'no_contact') AS total, "                                 \
    "count(*) FILTER (WHERE n.status IN ('reached', 'not_reached', 'wrong_number', "              \
    "'declined')) AS done, "                                                                      \
    "count(*) FILTER (WHERE n.status IN ('pending', 'claimed')) AS remaining, "                   \
    "count(*) FILTER (WHERE n.status = 'reached') AS reached, "                                   \
    "count(*) FILTER (WHERE n.status = 'no_contact') AS no_contact, "                             \
    "count(*) FILTER (WHERE n.done_at > $2::timestamptz - interval '15 minutes') AS recent, "     \
    "min(n.created_at) AS started_at FROM incident_notifications n WHERE n.incident_id = i.id "   \
    "GROUP BY n.round) q) p) AS progress"

DB_STMT(q_get, 2,
        "SELECT row_to_json(x)::text AS json, x.version FROM (SELECT " INCIDENT_JSON_COLUMNS ", "
        "(SELECT json_build_object('queued', count(*), 'delivered', count(*) FILTER (WHERE "
        "o.status = 'delivered'), 'failed', count(*) FILTER (WHERE o.status = 'failed'), "
        "'delivered_at', min(o.delivered_at)) FROM " RELAY_OF("i.id") ") AS relay, "
        PROGRESS_OF_I " FROM incidents i WHERE i.id = $1) x");

DB_STMT(q_ticket, 1,
        "SELECT t.kind = 'emergency' AS emergency, (SELECT i.id FROM incidents i WHERE "
        "i.ticket_id = t.id) AS incident FROM tickets t WHERE t.id = $1");

DB_STMT(q_ticket_event, 4,
        "INSERT INTO ticket_events (ticket_id, at, actor, kind, after) VALUES ($1::bigint, "
        "$2::timestamptz, $3, 'incident_reported', jsonb_build_object('incident_id', $4::bigint))");

#define STATE_COLUMNS                                                                              \
    "id, version, status, (extract(epoch FROM ack_due_at) * 1000000)::bigint AS ack_due_at_us, "  \
    "escalation_level"

DB_STMT(q_state, 1, "SELECT " STATE_COLUMNS " FROM incidents WHERE id = $1");
DB_STMT(q_state_lock, 1, "SELECT " STATE_COLUMNS " FROM incidents WHERE id = $1 FOR UPDATE");

DB_STMT(q_transition, 7,
        "WITH u AS (UPDATE incidents SET status = $2, updated_at = $3::timestamptz, "
        "version = version + 1, "
        "relayed_at = CASE WHEN $2 = 'relayed' THEN coalesce(relayed_at, $3::timestamptz) "
        "ELSE relayed_at END, "
        "acknowledged_at = CASE WHEN $2 = 'acknowledged' THEN $3::timestamptz "
        "ELSE acknowledged_at END, "
        "acknowledged_by = CASE WHEN $2 = 'acknowledged' THEN $4 ELSE acknowledged_by END, "
        "repairing_at = CASE WHEN $2 = 'repairing' THEN coalesce(repairing_at, $3::timestamptz) "
        "ELSE repairing_at END, "
        "resolved_at = CASE WHEN $2 = 'resolved' THEN $3::timestamptz WHEN $2 = 'repairing' "
        "THEN NULL ELSE resolved_at END, "
        "closed_at = CASE WHEN $2 = 'closed' THEN $3::timestamptz ELSE closed_at END, "
        "next_due_at = $5::timestamptz WHERE id = $1 RETURNING id), "
        "e AS (INSERT INTO incident_events (incident_id, at, actor, kind, before, after, note) "
        "SELECT u.id, $3::timestamptz, $4, 'transition', jsonb_build_object('status', $6::text), "
        "jsonb_build_object('status', $2::text), $7 FROM u) "
        "SELECT count(*) AS n FROM u");

DB_STMT(q_events, 3,
        "SELECT row_to_json(x)::text AS json, x.id FROM (SELECT e.id, e.at, e.actor, e.kind, "
        "e.before, e.after, e.note FROM incident_events e WHERE e.incident_id = $1 AND e.id > $2 "
        "ORDER BY e.id LIMIT $3) x ORDER BY x.id");

DB_STMT(q_exists, 1, "SELECT 1 FROM incidents WHERE id = $1");

/* The sweeper's claim, through incidents_next_due; rows another instance holds are skipped
 * and looked at again after its commit has moved next_due_at on. */
DB_STMT(q_due_claim, 2,
        "SELECT " STATE_COLUMNS " FROM incidents WHERE next_due_at <= $1::timestamptz "
        "ORDER BY next_due_at LIMIT $2::int FOR UPDATE SKIP LOCKED");

DB_STMT(q_due_apply, 6,
        "WITH u AS (UPDATE incidents SET "
        "escalation_level = CASE WHEN $2::int > 0 THEN $2::int ELSE escalation_level END, "
        "escalated_at = CASE WHEN $2::int > 0 THEN $3::timestamptz ELSE escalated_at END, "
        "updated_at = CASE WHEN $2::int > 0 THEN $3::timestamptz ELSE updated_at END, "
        "version = version + CASE WHEN $2::int > 0 THEN 1 ELSE 0 END, "
        "next_due_at = $4::timestamptz WHERE id = $1 RETURNING *), "
        "e AS (INSERT INTO incident_events (incident_id, at, actor, kind, before, after, note) "
        "SELECT u.id, $3::timestamptz, 'sweeper', 'escalated', "
        "jsonb_build_object('escalation_level', $2::int - 1), "
        "jsonb_build_object('escalation_level', $2::int, 'escalated_to', $5::text), $6 "
        "FROM u WHERE $2::int > 0) "
        "SELECT json_build_object('incident_id', u.id, 'status', u.status, 'hazard', u.hazard, "
        "'severity', u.severity, 'location', u.location, 'ack_due_at', u.ack_due_at, "
        "'escalation_level', u.escalation_level, 'escalated_to', $5::text)::text AS payload "
        "FROM u");

DB_STMT(q_confirm_relays, 2,
        "WITH c AS (SELECT i.id FROM incidents i WHERE i.status = 'reported' AND EXISTS "
        "(SELECT 1 FROM " RELAY_OF("i.id") " AND o.status = 'delivered') ORDER BY i.id "
        "LIMIT $2::int FOR UPDATE OF i SKIP LOCKED), "
        "u AS (UPDATE incidents i SET status = 'relayed', relayed_at = coalesce((SELECT "
        "min(o.delivered_at) FROM " RELAY_OF("i.id") " AND o.status = 'delivered'), "
        "$1::timestamptz), updated_at = $1::timestamptz, version = i.version + 1 FROM c "
        "WHERE i.id = c.id RETURNING i.id), "
        "e AS (INSERT INTO incident_events (incident_id, at, actor, kind, before, after, note) "
        "SELECT u.id, $1::timestamptz, 'outbox', 'transition', '{\"status\":\"reported\"}', "
        "'{\"status\":\"relayed\"}', 'the relay to operations was delivered' FROM u) "
        "SELECT count(*) AS n FROM u");

static void id_text(int64_t id, char buf[24])
{
    snprintf(buf, 24, "%" PRId64, id);
}

/* ---- create ----------------------------------------------------------------------------------- */

struct create_tx {
    const struct incident_new *n;
    char **json;
    int64_t *id;
};

static enum db_status insert_incident(struct db *db, const struct incident_new *n, int64_t *id,
                                      char **payload)
{
    const struct incident_input *in = n->in;
    char at[48], due[48], ticket[24];
    tf_format_rfc3339(n->now, 0, at, sizeof at);
    tf_format_rfc3339(n->ack_due_at, 0, due, sizeof due);
    id_text(n->ticket_id, ticket);
    const char *params[] = {
        in->hazard, in->severity, in->location, in->area_code, in->street, in->description,
        in->reporter_name, in->reporter_phone,
        in->reporter_phone ? in->reporter_phone_norm : NULL,
        n->ticket_id ? ticket : NULL, in->call_id, n->actor, at, due,
    };
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_create, params, &res);
    if (s != DB_OK)
        return s;
    *id = db_get_i64(res, 0, "id");
    *payload = strdup(db_get(res, 0, "payload"));
    PQclear(res);
    return *payload ? DB_OK : DB_ERROR;
}

static enum db_status create_tx(struct db *db, void *arg)
{
    struct create_tx *c = arg;
    free(*c->json);
    *c->json = NULL;
    char *payload = NULL;
    int queued = 0;
    enum db_status s = insert_incident(db, c->n, c->id, &payload);
    if (s == DB_OK)
        s = store_outbox_emit(db, "incident.relay", "incident", *c->id, payload, c->n->now,
                              &queued);
    free(payload);
    if (s == DB_OK) {
        char ids[24], at[48], count[16];
        id_text(*c->id, ids);
        tf_format_rfc3339(c->n->now, 0, at, sizeof at);
        snprintf(count, sizeof count, "%d", queued);
        const char *params[] = {ids, at, c->n->actor, count};
        s = db_run(db, &q_relay_event, params);
        if (s == DB_OK && queued == 0)
            log_msg(LOG_WARN, "incident %" PRId64 ": no webhook subscribes to incident.relay",
                    *c->id);
    }
    if (s == DB_OK)
        s = store_incident_get(db, *c->id, c->n->now, c->json, NULL);
    return s;
}

enum db_status store_incident_create(struct db *db, const struct incident_new *n, char **json,
                                     int64_t *id)
{
    struct create_tx c = {n, json, id};
    return db_atomically(db, create_tx, &c);
}

enum db_status store_incident_ticket(struct db *db, int64_t ticket_id, struct incident_ticket *out)
{
    char ids[24];
    id_text(ticket_id, ids);
    const char *params[] = {ids};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_ticket, params, &res);
    if (s != DB_OK)
        return s;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return DB_NOT_FOUND;
    }
    out->emergency = strcmp(db_get(res, 0, "emergency"), "t") == 0;
    out->incident = db_get_i64(res, 0, "incident");
    PQclear(res);
    return DB_OK;
}

enum db_status store_incident_ticket_event(struct db *db, int64_t ticket_id, int64_t incident_id,
                                           const char *actor, hl_time now)
{
    char tid[24], iid[24], at[48];
    id_text(ticket_id, tid);
    id_text(incident_id, iid);
    tf_format_rfc3339(now, 0, at, sizeof at);
    const char *params[] = {tid, at, actor, iid};
    return db_run(db, &q_ticket_event, params);
}

/* ---- read ------------------------------------------------------------------------------------- */

enum db_status store_incident_get(struct db *db, int64_t id, hl_time now, char **json,
                                  int *version)
{
    char ids[24], at[48];
    id_text(id, ids);
    tf_format_rfc3339(now, 0, at, sizeof at);
    const char *params[] = {ids, at};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_get, params, &res);
    return sql_single_json(res, s, json, version);
}

static void read_state(const PGresult *res, int row, struct incident_state *out)
{
    memset(out, 0, sizeof *out);
    out->id = db_get_i64(res, row, "id");
    out->version = (int)db_get_i64(res, row, "version");
    int st = enum_index(incident_status_names, db_get(res, row, "status"));
    out->clock.status = st < 0 ? INCIDENT_CLOSED : (enum incident_status)st;
    out->clock.ack_due_at = db_get_i64(res, row, "ack_due_at_us");
    out->clock.escalation_level = (int)db_get_i64(res, row, "escalation_level");
}

enum db_status store_incident_state(struct db *db, int64_t id, bool lock,
                                    struct incident_state *out)
{
    char ids[24];
    id_text(id, ids);
    const char *params[] = {ids};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, lock ? &q_state_lock : &q_state, params, &res);
    if (s != DB_OK)
        return s;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return DB_NOT_FOUND;
    }
    read_state(res, 0, out);
    PQclear(res);
    return DB_OK;
}

enum db_status store_incident_transition(struct db *db, const struct incident_change *c)
{
    char ids[24], at[48], due[48];
    id_text(c->id, ids);
    tf_format_rfc3339(c->now, 0, at, sizeof at);
    const char *params[] = {ids, incident_status_names[c->to], at, c->actor,
                            sql_opt_time(c->has_next_due, c->next_due, due),
                            incident_status_names[c->from], c->note};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_transition, params, &res);
    if (s == DB_OK && db_get_i64(res, 0, "n") != 1)
        s = DB_NOT_FOUND;
    PQclear(res);
    return s;
}

enum db_status store_incident_list(struct db *db, const struct incident_filter *f,
                                   struct page *out)
{
    memset(out, 0, sizeof *out);
    struct strbuf sql;
    strbuf_init(&sql);
    const char *params[4];
    int n = 0;
    char before[24], limit[16];
    strbuf_puts(&sql, "SELECT row_to_json(x)::text AS json, x.id FROM (SELECT "
                      INCIDENT_JSON_COLUMNS " FROM incidents i WHERE true");
    if (f->status) {
        params[n++] = f->status;
        strbuf_printf(&sql, " AND i.status = $%d", n);
    }
    if (f->has_cursor) {
        id_text(f->before_id, before);
        params[n++] = before;
        strbuf_printf(&sql, " AND i.id < $%d", n);
    }
    snprintf(limit, sizeof limit, "%d", f->limit + 1);
    params[n++] = limit;
    strbuf_printf(&sql, " ORDER BY i.id DESC LIMIT $%d) x ORDER BY x.id DESC", n);
    PGresult *res = NULL;
    enum db_status s = sql.oom ? DB_ERROR : db_exec_sql(db, sql.data, n, params, &res);
    strbuf_free(&sql);
    if (s != DB_OK)
        return s;
    return sql_collect_page(res, f->limit, out);
}

enum db_status store_incident_events(struct db *db, int64_t id, int64_t after_id, int limit,
                                     struct page *out)
{
    return sql_history_page(db, &q_events, &q_exists, id, after_id, limit, out);
}

/* ---- the sweeper ------------------------------------------------------------------------------ */

enum db_status store_incidents_claim_due(struct db *db, hl_time now, int limit,
                                         struct incident_state *rows, int *n)
{
    char at[48], lim[16];
    tf_format_rfc3339(now, 0, at, sizeof at);
    snprintf(lim, sizeof lim, "%d", limit);
    const char *params[] = {at, lim};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_due_claim, params, &res);
    if (s != DB_OK)
        return s;
    *n = PQntuples(res) < limit ? PQntuples(res) : limit;
    for (int i = 0; i < *n; i++)
        read_state(res, i, &rows[i]);
    PQclear(res);
    return DB_OK;
}

enum db_status store_incident_apply_sweep(struct db *db, int64_t id,
                                          const struct incident_sweep *d, hl_time now)
{
    static const char *const who[] = {NULL, "supervisor", "manager"};
    char ids[24], to[16], at[48], next[48], note[160];
    id_text(id, ids);
    snprintf(to, sizeof to, "%d", d->escalate_to);
    tf_format_rfc3339(now, 0, at, sizeof at);
    snprintf(note, sizeof note, "operations has not acknowledged the incident in time");
    const char *params[] = {ids, to, at, sql_opt_time(d->has_next_due, d->next_due, next),
                            d->escalate_to > 0 && d->escalate_to <= 2 ? who[d->escalate_to]
                                                                      : NULL,
                            note};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_due_apply, params, &res);
    if (s != DB_OK)
        return s;
    char *payload = PQntuples(res) ? strdup(db_get(res, 0, "payload")) : NULL;
    PQclear(res);
    if (d->escalate_to > 0 && payload)
        s = store_outbox_emit(db, "incident.escalated", "incident", id, payload, now, NULL);
    free(payload);
    return s;
}

enum db_status store_incidents_confirm_relays(struct db *db, hl_time now, int limit, long *n)
{
    char at[48], lim[16];
    tf_format_rfc3339(now, 0, at, sizeof at);
    snprintf(lim, sizeof lim, "%d", limit);
    const char *params[] = {at, lim};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_confirm_relays, params, &res);
    if (s == DB_OK)
        *n = (long)db_get_i64(res, 0, "n");
    PQclear(res);
    return s;
}
