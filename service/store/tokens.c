/**
 * @file tokens.c
 * @brief SQL for api_tokens.
 */
#include "store/tokens.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "store/token_cache.h"
#include "util/crypto.h"

#define REVOKE_ACK_WAIT_MS 2000
#define MAX_LISTENERS 256

DB_STMT(q_insert, 4,
        "INSERT INTO api_tokens (name, role, token_hash, created_at) "
        "VALUES ($1, $2, $3, $4::timestamptz)");
/* The revocation and, when something was revoked, the notice every instance's token cache
 * acknowledges with $3 (the trigger of migration 0007 also notifies, without a payload). */
DB_STMT(q_revoke, 3,
        "WITH r AS (UPDATE api_tokens SET revoked_at = $2::timestamptz "
        "WHERE name = $1 AND revoked_at IS NULL RETURNING 1) "
        "SELECT n, CASE WHEN n > 0 THEN pg_notify('" TOKEN_CACHE_CHANNEL "', $3) END AS notified "
        "FROM (SELECT count(*) AS n FROM r) c");
/* Instances whose token cache is on; each must acknowledge before a revocation returns. */
DB_STMT(q_listeners, 1,
        "SELECT pid FROM pg_stat_activity WHERE application_name = $1 "
        "AND datname = current_database()");
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

static enum db_status simple(struct db *db, const char *sql)
{
    PGresult *res = NULL;
    enum db_status s = db_exec_sql(db, sql, 0, NULL, &res);
    PQclear(res);
    return s;
}

/* Wait until every listener pid has acknowledged nonce, or the time is up.
 * @return how many did not. */
static int await_acks(struct db *db, const char *nonce, int *pids, int npids)
{
    int missing = npids;
    int64_t deadline = clock_mono_us() + REVOKE_ACK_WAIT_MS * 1000LL;
    PGconn *c = db_pgconn(db);
    while (c && missing > 0) {
        PGnotify *n;
        while ((n = PQnotifies(c)) != NULL) {
            if (strcmp(n->relname, TOKEN_CACHE_ACK_CHANNEL) == 0 && n->extra &&
                strcmp(n->extra, nonce) == 0)
                for (int i = 0; i < npids; i++)
                    if (pids[i] == n->be_pid) {
                        pids[i] = 0;
                        missing--;
                    }
            PQfreemem(n);
        }
        int64_t left = deadline - clock_mono_us();
        if (missing == 0 || left <= 0)
            break;
        struct pollfd p = {.fd = PQsocket(c), .events = POLLIN};
        if (poll(&p, 1, (int)(left / 1000) + 1) < 0 || !PQconsumeInput(c))
            break;
    }
    return missing;
}

enum db_status store_token_revoke(struct db *db, const char *name, hl_time now)
{
    char at[48], nonce[33];
    tf_format_rfc3339(now, 0, at, sizeof at);
    if (!crypto_random_hex(nonce, 16))
        return DB_ERROR;
    /* Inside a caller's transaction nothing is sent before its COMMIT: do not wait then. */
    bool wait = !db_in_transaction(db) && simple(db, "LISTEN " TOKEN_CACHE_ACK_CHANNEL) == DB_OK;
    const char *params[] = {name, at, nonce};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_revoke, params, &res);
    if (s == DB_OK && db_get_i64(res, 0, "n") == 0)
        s = DB_NOT_FOUND;
    PQclear(res);
    if (s == DB_OK && wait) {
        const char *app[] = {TOKEN_CACHE_LISTENER_APP};
        int pids[MAX_LISTENERS], npids = 0;
        if (db_exec(db, &q_listeners, app, &res) == DB_OK) {
            for (int i = 0; i < PQntuples(res) && npids < MAX_LISTENERS; i++)
                pids[npids++] = (int)db_get_i64(res, i, "pid");
            PQclear(res);
        }
        int missing = await_acks(db, nonce, pids, npids);
        if (missing > 0)
            log_msg(LOG_WARN,
                    "token revoked, but %d of %d running instances did not confirm within %d ms; "
                    "they drop cached tokens when their listener reconnects, at the latest in %d s",
                    missing, npids, REVOKE_ACK_WAIT_MS, TOKEN_CACHE_TTL_S);
    }
    if (wait)
        simple(db, "UNLISTEN " TOKEN_CACHE_ACK_CHANNEL);
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
