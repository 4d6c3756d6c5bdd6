/**
 * @file tokens.c
 * @brief SQL for api_tokens.
 */
#include "store/tokens.h"

#include <stdio.h>
#include <string.h>

DB_STMT(q_insert, 4,
        "INSERT INTO api_tokens (name, role, token_hash, created_at) "
        "VALUES ($1, $2, $3, $4::timestamptz)");
DB_STMT(q_revoke, 2,
        "UPDATE api_tokens SET revoked_at = $2::timestamptz "
        "WHERE name = $1 AND revoked_at IS NULL");
DB_STMT(q_find, 1,
        "SELECT name, role FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL");

enum db_status store_token_insert(struct db *db, const char *name, const char *role,
                                  const char *hash_hex, hl_time now)
{
    char at[48];
    tf_format_rfc3339(now, 0, at, sizeof at);
    const char *params[] = {name, role, hash_hex, at};
    return db_run(db, &q_insert, params);
}

enum db_status store_token_revoke(struct db *db, const char *name, hl_time now)
{
    char at[48];
    tf_format_rfc3339(now, 0, at, sizeof at);
    const char *params[] = {name, at};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_revoke, params, &res);
    if (s == DB_OK && strcmp(PQcmdTuples(res), "0") == 0)
        s = DB_NOT_FOUND;
    PQclear(res);
    return s;
}

enum db_status store_token_find(struct db *db, const char *hash_hex, char role[TOKEN_ROLE_MAX],
                                char name[TOKEN_NAME_MAX])
{
    const char *params[] = {hash_hex};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_find, params, &res);
    if (s != DB_OK)
        return s;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return DB_NOT_FOUND;
    }
    snprintf(role, TOKEN_ROLE_MAX, "%s", db_get(res, 0, "role"));
    snprintf(name, TOKEN_NAME_MAX, "%s", db_get(res, 0, "name"));
    PQclear(res);
    return DB_OK;
}
