/**
 * @file webhooks.c
 * @brief SQL for webhooks. The secret is write-only: no statement returns it to the API.
 */
#include "store/webhooks.h"
#include "store/sqlbits.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

#define WEBHOOK_JSON                                                                               \
    "json_build_object('id', w.id, 'url', w.url, 'events', w.events, 'description', "            \
    "w.description, 'active', w.active, 'created_by', w.created_by, 'created_at', w.created_at)"

DB_STMT(q_create, 6,
        "WITH w AS (INSERT INTO webhooks (url, secret, events, description, created_by, "
        "created_at, updated_at) VALUES ($1, $2, $3::text[], $4, $5, $6::timestamptz, "
        "$6::timestamptz) RETURNING *) SELECT " WEBHOOK_JSON "::text AS json FROM w");
DB_STMT(q_list, 0,
        "SELECT coalesce(json_agg(" WEBHOOK_JSON " ORDER BY w.id), '[]')::text AS json "
        "FROM webhooks w WHERE w.active");
DB_STMT(q_deactivate, 2,
        "UPDATE webhooks SET active = false, updated_at = $2::timestamptz "
        "WHERE id = $1 AND active");


enum db_status store_webhook_create(struct db *db, const struct webhook_input *in,
                                    const char *actor, hl_time now, char **json)
{
    struct strbuf events;
    strbuf_init(&events);
    strbuf_puts(&events, "{");
    for (int i = 0; i < in->nevents; i++)
        strbuf_printf(&events, "%s\"%s\"", i ? "," : "", in->events[i]);
    strbuf_puts(&events, "}");
    char at[48];
    tf_format_rfc3339(now, 0, at, sizeof at);
    const char *params[] = {in->url, in->secret, events.data, in->description, actor, at};
    enum db_status s = events.oom ? DB_ERROR : sql_exec_json(db, &q_create, params, json);
    strbuf_free(&events);
    return s;
}

enum db_status store_webhooks_json(struct db *db, char **json)
{
    return sql_exec_json(db, &q_list, NULL, json);
}

enum db_status store_webhook_deactivate(struct db *db, int64_t id, hl_time now)
{
    char ids[24], at[48];
    snprintf(ids, sizeof ids, "%" PRId64, id);
    tf_format_rfc3339(now, 0, at, sizeof at);
    const char *params[] = {ids, at};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_deactivate, params, &res);
    if (s == DB_OK && strcmp(PQcmdTuples(res), "0") == 0)
        s = DB_NOT_FOUND;
    PQclear(res);
    return s;
}
