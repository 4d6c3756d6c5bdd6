/**
 * @file outbox.c
 * @brief SQL for the outbox.
 */
#include "store/outbox.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* delivery_id: unique per row and stable across retries (the receiver's de-duplication key). */
DB_STMT(q_emit, 5,
        "INSERT INTO outbox (delivery_id, event, webhook_id, subject_type, subject_id, payload, "
        "next_attempt_at, created_at) SELECT gen_random_uuid()::text, $1, w.id, $2, $3::bigint, "
        "$4::jsonb, $5::timestamptz, $5::timestamptz "
        "FROM webhooks w WHERE w.active AND $1 = ANY (w.events)");

DB_STMT(q_claim, 3,
        "UPDATE outbox o SET leased_until = $1::timestamptz + make_interval(secs => $2::int / "
        "1000.0) FROM webhooks w WHERE w.id = o.webhook_id AND o.id IN (SELECT id FROM outbox "
        "WHERE status = 'pending' AND next_attempt_at <= $1::timestamptz AND (leased_until IS "
        "NULL OR leased_until <= $1::timestamptz) ORDER BY next_attempt_at, id LIMIT $3::int "
        "FOR UPDATE SKIP LOCKED) RETURNING o.id, o.delivery_id, o.event, o.subject_type, "
        "o.subject_id, o.payload::text AS payload, o.attempts, w.url, w.secret, "
        "to_json(o.created_at)#>>'{}' AS created_at");

DB_STMT(q_result, 8,
        "WITH a AS (INSERT INTO outbox_attempts (outbox_id, at, http_status, error, duration_ms) "
        "VALUES ($1, $2::timestamptz, $3::int, $4, $5::int)) "
        "UPDATE outbox SET attempts = attempts + 1, last_status = $3::int, last_error = $4, "
        "leased_until = NULL, status = CASE WHEN $6::bool THEN 'delivered' WHEN $7::bool "
        "THEN 'failed' ELSE 'pending' END, delivered_at = CASE WHEN $6::bool THEN "
        "$2::timestamptz END, next_attempt_at = coalesce($8::timestamptz, next_attempt_at) "
        "WHERE id = $1");

DB_STMT(q_log, 3,
        "SELECT coalesce(json_agg(json_build_object('delivery_id', o.delivery_id, 'event', "
        "o.event, 'url', w.url, 'status', o.status, 'attempts', o.attempts, 'last_status', "
        "o.last_status, 'last_error', o.last_error, 'created_at', o.created_at, 'delivered_at', "
        "o.delivered_at, 'next_attempt_at', CASE WHEN o.status = 'pending' THEN o.next_attempt_at "
        "END, 'attempt_log', (SELECT coalesce(json_agg(json_build_object('at', a.at, "
        "'http_status', a.http_status, 'error', a.error, 'duration_ms', a.duration_ms) ORDER BY "
        "a.id), '[]') FROM outbox_attempts a WHERE a.outbox_id = o.id)) ORDER BY o.id), '[]')"
        "::text AS json FROM outbox o JOIN webhooks w ON w.id = o.webhook_id "
        "WHERE o.subject_type = $2 AND o.subject_id = $3::bigint AND o.event = $1");

DB_STMT(q_backlog, 0,
        "SELECT count(*) FILTER (WHERE status = 'pending') AS pending, "
        "count(*) FILTER (WHERE status = 'failed') AS failed FROM outbox "
        "WHERE status IN ('pending', 'failed')");

void store_outbox_item_free(struct outbox_item *it)
{
    free(it->delivery_id);
    free(it->event);
    free(it->subject_type);
    free(it->payload);
    free(it->url);
    free(it->secret);
    free(it->created_at);
    memset(it, 0, sizeof *it);
}

enum db_status store_outbox_claim(struct db *db, hl_time now, int lease_ms, int limit,
                                  struct outbox_item *items, int *n)
{
    char at[48], lease[16], lim[16];
    tf_format_rfc3339(now, 0, at, sizeof at);
    snprintf(lease, sizeof lease, "%d", lease_ms);
    snprintf(lim, sizeof lim, "%d", limit);
    const char *params[] = {at, lease, lim};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_claim, params, &res);
    *n = 0;
    if (s != DB_OK)
        return s;
    for (int i = 0; i < PQntuples(res) && i < limit; i++) {
        struct outbox_item *it = &items[(*n)++];
        it->id = db_get_i64(res, i, "id");
        it->subject_id = db_get_i64(res, i, "subject_id");
        it->attempts = (int)db_get_i64(res, i, "attempts");
        it->delivery_id = strdup(db_get(res, i, "delivery_id"));
        it->event = strdup(db_get(res, i, "event"));
        it->subject_type = strdup(db_get(res, i, "subject_type"));
        it->payload = strdup(db_get(res, i, "payload"));
        it->url = strdup(db_get(res, i, "url"));
        it->secret = strdup(db_get(res, i, "secret"));
        it->created_at = strdup(db_get(res, i, "created_at"));
    }
    PQclear(res);
    return DB_OK;
}

enum db_status store_outbox_result(struct db *db, const struct outbox_result *r)
{
    char id[24], at[48], st[16], ms[16], next[48];
    snprintf(id, sizeof id, "%" PRId64, r->id);
    snprintf(st, sizeof st, "%d", r->http_status);
    snprintf(ms, sizeof ms, "%d", r->duration_ms);
    tf_format_rfc3339(r->now, 0, at, sizeof at);
    tf_format_rfc3339(r->next_attempt_at, 0, next, sizeof next);
    bool retry = !r->delivered && !r->give_up;
    const char *params[] = {id, at, r->http_status ? st : NULL, r->error, ms,
                            r->delivered ? "t" : "f", r->give_up ? "t" : "f",
                            retry ? next : NULL};
    return db_run(db, &q_result, params);
}

enum db_status store_outbox_log_json(struct db *db, const char *event, const char *subject_type,
                                     int64_t subject_id, char **json)
{
    char id[24];
    snprintf(id, sizeof id, "%" PRId64, subject_id);
    const char *params[] = {event, subject_type, id};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_log, params, &res);
    if (s == DB_OK && !(*json = strdup(db_get(res, 0, "json"))))
        s = DB_ERROR;
    PQclear(res);
    return s;
}

enum db_status store_outbox_backlog(struct db *db, long *pending, long *failed)
{
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_backlog, NULL, &res);
    if (s == DB_OK) {
        *pending = (long)db_get_i64(res, 0, "pending");
        *failed = (long)db_get_i64(res, 0, "failed");
    }
    PQclear(res);
    return s;
}

enum db_status store_outbox_emit(struct db *db, const char *event, const char *subject_type,
                                 int64_t subject_id, const char *payload, hl_time now,
                                 int *queued)
{
    char id[24], at[48];
    snprintf(id, sizeof id, "%" PRId64, subject_id);
    tf_format_rfc3339(now, 0, at, sizeof at);
    const char *params[] = {event, subject_type, id, payload, at};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_emit, params, &res);
    if (s == DB_OK && queued)
        *queued = (int)strtol(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    return s;
}
