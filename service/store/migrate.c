/**
 * @file migrate.c
 * @brief The migration runner.
 */
#include "store/migrate.h"

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "util/strbuf.h"

#define MIGRATION_LOCK_KEY "7201836452"

static bool ok_or_err(PGconn *c, PGresult *res, char *err, size_t errlen)
{
    ExecStatusType st = PQresultStatus(res);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok) {
        snprintf(err, errlen, "%s", PQresultErrorMessage(res)[0] ? PQresultErrorMessage(res)
                                                                  : PQerrorMessage(c));
        err[strcspn(err, "\n")] = '\0';
    }
    PQclear(res);
    return ok;
}

static bool exec_ok(PGconn *c, const char *sql, char *err, size_t errlen)
{
    return ok_or_err(c, PQexec(c, sql), err, errlen);
}

static int is_applied(PGconn *c, const char *name, char *err, size_t errlen)
{
    const char *params[] = {name};
    PGresult *res = PQexecParams(c, "SELECT 1 FROM schema_migrations WHERE version = $1", 1, NULL,
                                 params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        ok_or_err(c, res, err, errlen);
        return -1;
    }
    int n = PQntuples(res);
    PQclear(res);
    return n > 0;
}

static bool apply_one(PGconn *c, const struct migration *m, char *err, size_t errlen)
{
    const char *params[] = {m->name};
    if (!exec_ok(c, "BEGIN", err, errlen))
        return false;
    if (!exec_ok(c, m->sql, err, errlen) ||
        !ok_or_err(c,
                   PQexecParams(c, "INSERT INTO schema_migrations (version, applied_at) "
                                   "VALUES ($1, now())",
                                1, NULL, params, NULL, NULL, 0),
                   err, errlen)) {
        char ignored[8];
        exec_ok(c, "ROLLBACK", ignored, sizeof ignored);
        return false;
    }
    return exec_ok(c, "COMMIT", err, errlen);
}

static bool run_all(PGconn *c, int *applied, char *err, size_t errlen)
{
    if (!exec_ok(c, "CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, "
                    "applied_at timestamptz NOT NULL)",
                 err, errlen))
        return false;
    for (size_t i = 0; i < hotline_migrations_count; i++) {
        const struct migration *m = &hotline_migrations[i];
        int done = is_applied(c, m->name, err, errlen);
        if (done < 0)
            return false;
        if (done)
            continue;
        if (!apply_one(c, m, err, errlen)) {
            char msg[1024];
            snprintf(msg, sizeof msg, "migration %s failed: %s", m->name, err);
            snprintf(err, errlen, "%s", msg);
            return false;
        }
        (*applied)++;
        log_msg(LOG_INFO, "applied migration %s", m->name);
    }
    return true;
}

bool store_migrate(int *applied, char *err, size_t errlen)
{
    *applied = 0;
    PGconn *c = db_connect_raw(err, errlen);
    if (!c)
        return false;
    bool ok = exec_ok(c, "SET client_min_messages = warning", err, errlen) &&
              exec_ok(c, "SELECT pg_advisory_lock(" MIGRATION_LOCK_KEY ")", err, errlen);
    if (ok) {
        ok = run_all(c, applied, err, errlen);
        char ignored[8];
        exec_ok(c, "SELECT pg_advisory_unlock(" MIGRATION_LOCK_KEY ")", ignored, sizeof ignored);
    }
    PQfinish(c);
    return ok;
}

DB_STMT(q_applied, 1,
        "SELECT count(*) AS n FROM schema_migrations WHERE version = ANY ($1::text[])");

enum db_status store_schema_check(struct db *db)
{
    /* Ready when every migration this binary embeds is applied, whatever else is: a newer
     * release may have migrated first during a rolling upgrade, and this instance keeps
     * serving until it is replaced (migrations expand first and contract a release later).
     * Counting our own names, not comparing the newest, also catches a gap left when
     * migrations from parallel branches land out of number order. */
    struct strbuf names;
    strbuf_init(&names);
    strbuf_puts(&names, "{");
    for (size_t i = 0; i < hotline_migrations_count; i++)
        strbuf_printf(&names, "%s\"%s\"", i ? "," : "", hotline_migrations[i].name);
    strbuf_puts(&names, "}");
    if (names.oom) {
        strbuf_free(&names);
        return DB_ERROR;
    }
    const char *params[] = {names.data};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_applied, params, &res);
    strbuf_free(&names);
    if (s != DB_OK)
        return s;
    s = db_get_i64(res, 0, "n") == (int64_t)hotline_migrations_count ? DB_OK : DB_CONFLICT;
    PQclear(res);
    return s;
}
