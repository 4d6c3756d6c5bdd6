/**
 * @file followups.c
 * @brief SQL for followups.
 */
#include "store/followups.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

DB_STMT(q_create, 11,
        "INSERT INTO followups (kind, ticket_id, phone, phone_norm, due_at, agent, agent_group, "
        "notes, source_call_id, created_by, created_at, updated_at) VALUES ($1, $2::bigint, $3, "
        "$4, $5::timestamptz, $6, $7, $8, $9, $10, $11::timestamptz, $11::timestamptz) "
        "RETURNING id");

enum db_status store_followup_create(struct db *db, const struct followup_new *f, int64_t *id)
{
    char ticket[24], due[48], now[48];
    snprintf(ticket, sizeof ticket, "%" PRId64, f->ticket_id);
    tf_format_rfc3339(f->due_at, 0, due, sizeof due);
    tf_format_rfc3339(f->now, 0, now, sizeof now);
    const char *params[] = {followup_kind_names[f->kind], f->ticket_id ? ticket : NULL, f->phone,
                            f->phone_norm, due, f->agent, f->agent_group, f->notes,
                            f->source_call_id, f->created_by, now};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_create, params, &res);
    if (s == DB_OK && id)
        *id = db_get_i64(res, 0, "id");
    PQclear(res);
    return s;
}
