/**
 * @file outbox.c
 * @brief SQL for the outbox.
 */
#include "store/outbox.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

/* delivery_id: unique per row and stable across retries (the receiver's de-duplication key). */
DB_STMT(q_emit, 5,
        "INSERT INTO outbox (delivery_id, event, webhook_id, subject_type, subject_id, payload, "
        "next_attempt_at, created_at) SELECT gen_random_uuid()::text, $1, w.id, $2, $3::bigint, "
        "$4::jsonb, $5::timestamptz, $5::timestamptz "
        "FROM webhooks w WHERE w.active AND $1 = ANY (w.events)");

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
