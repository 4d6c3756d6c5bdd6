/**
 * @file health.c
 * @brief Health probes. /healthz never touches the database, so it answers while it is down.
 */
#include "api/health.h"

#include "api/common.h"
#include "store/migrate.h"

void api_health_live(struct http_request *req)
{
    http_reply_json(req, 200, json_pack("{s:s, s:s}", "status", "ok", "version", HOTLINE_VERSION));
}

void api_health_ready(struct http_request *req)
{
    enum db_status s = store_schema_check(http_db(req));
    const char *schema = hotline_migrations[hotline_migrations_count - 1].name;
    if (s == DB_OK)
        http_reply_json(req, 200, json_pack("{s:s, s:s}", "status", "ready", "schema", schema));
    else if (s == DB_CONFLICT)
        http_reply_problem(req, PROBLEM_UNAVAILABLE,
                           "the database schema is not at %s; run hotlined migrate", schema);
    else
        http_reply_problem(req, PROBLEM_UNAVAILABLE, "the database is not reachable");
}
