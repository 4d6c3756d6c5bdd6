/**
 * @file idempotency.c
 * @brief SQL for idempotency_keys.
 */
#include "store/idempotency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

DB_STMT(q_claim, 6,
        "INSERT INTO idempotency_keys (actor, key, method, path, request_hash, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6::timestamptz) ON CONFLICT DO NOTHING RETURNING 1");
DB_STMT(q_stored, 2,
        "SELECT method, path, request_hash, status, response FROM idempotency_keys "
        "WHERE actor = $1 AND key = $2");
DB_STMT(q_save, 4,
        "UPDATE idempotency_keys SET status = $3::int, response = $4 "
        "WHERE actor = $1 AND key = $2");
DB_STMT(q_expire, 1,
        "DELETE FROM idempotency_keys WHERE ctid IN (SELECT ctid FROM idempotency_keys "
        "WHERE created_at < $1::timestamptz LIMIT 10000)");

static enum db_status load_stored(struct db *db, const struct idem_key *k,
                                  enum idem_outcome *outcome, int *status, char **response)
{
    const char *params[] = {k->actor, k->key};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_stored, params, &res);
    if (s != DB_OK)
        return s;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return DB_RETRY; /* the other request rolled back between our insert and select */
    }
    bool same = strcmp(db_get(res, 0, "request_hash"), k->request_hash) == 0 &&
                strcmp(db_get(res, 0, "method"), k->method) == 0 &&
                strcmp(db_get(res, 0, "path"), k->path) == 0;
    *outcome = same ? IDEM_REPLAY : IDEM_MISMATCH;
    if (same) {
        *status = (int)db_get_i64(res, 0, "status");
        *response = strdup(db_get(res, 0, "response"));
        if (!*response)
            s = DB_ERROR;
    }
    PQclear(res);
    return s;
}

enum db_status store_idem_claim(struct db *db, const struct idem_key *k, hl_time now,
                                enum idem_outcome *outcome, int *status, char **response)
{
    char at[48];
    tf_format_rfc3339(now, 0, at, sizeof at);
    const char *params[] = {k->actor, k->key, k->method, k->path, k->request_hash, at};
    PGresult *res = NULL;
    *response = NULL;
    enum db_status s = db_exec(db, &q_claim, params, &res);
    if (s != DB_OK)
        return s;
    bool claimed = PQntuples(res) == 1;
    PQclear(res);
    if (claimed) {
        *outcome = IDEM_NEW;
        return DB_OK;
    }
    return load_stored(db, k, outcome, status, response);
}

enum db_status store_idem_save(struct db *db, const struct idem_key *k, int status,
                               const char *response)
{
    char st[16];
    snprintf(st, sizeof st, "%d", status);
    const char *params[] = {k->actor, k->key, st, response};
    return db_run(db, &q_save, params);
}

enum db_status store_idem_expire(struct db *db, hl_time before, long *deleted)
{
    char at[48];
    tf_format_rfc3339(before, 0, at, sizeof at);
    const char *params[] = {at};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_expire, params, &res);
    *deleted = s == DB_OK ? strtol(PQcmdTuples(res), NULL, 10) : 0;
    PQclear(res);
    return s;
}
