/**
 * @file db.c
 * @brief Connections, statement execution with deadlines, SQLSTATE classification, transactions.
 */
#include "store/db.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "config.h"
#include "log.h"

#define DB_MAX_STMTS 512
#define RECONNECT_PAUSE_US 250000 /* after a failed connect, answer 503 at once for this long */
#define TX_RETRIES 4
/* A connection idle longer than this is checked before use (one extra recv), so one closed by
 * a database restart is replaced before a statement fails on it; a busy one is not. */
#define PROBE_AFTER_IDLE_US 1000000
/* Distinct texts of run-time SQL (list filters, BEGIN/COMMIT) prepared per connection. */
#define DB_DYN_STMTS 64

struct db {
    PGconn *conn;
    uint64_t prepared[DB_MAX_STMTS / 64];
    int64_t down_until;
    bool in_tx;
    bool used; /* the connection has run a statement since it was opened */
    bool connected_before; /* for counting reconnects */
    int64_t use_start_us;  /* when the running statement started (metrics) */
    int timeout_ms; /* 0: cfg.db_timeout_ms */
    int tx_timeout_ms; /* for the open transaction only (db_set_local_timeout) */
    int64_t last_ok_us;    /* when a statement last succeeded on it */
    int ndyn;
    struct {
        uint64_t hash;
        char *sql; /* owned */
    } dyn[DB_DYN_STMTS];
};

/* Shared by every thread: while the server is unreachable or silent, one thread at a time
 * probes it and the others answer 503 at once instead of each waiting out its own deadline
 * (a worker stuck on a dead database also holds every request queued behind it on its
 * connections). Closed (0) whenever a statement gets an answer. */
static atomic_int_fast64_t breaker_until;

static atomic_int next_stmt_id = 1;
static atomic_uint_fast64_t st_connects, st_connect_failures, st_errors, st_timeouts,
    st_statements;
static atomic_int_fast64_t st_open, st_in_use;
static atomic_uint_fast64_t st_reconnects, st_connect_us, st_failures[DB_ERROR + 1];
static struct histo st_statement_time;
static pthread_key_t thread_key;
static pthread_once_t thread_once = PTHREAD_ONCE_INIT;

static void conn_options(char *out, size_t n)
{
    int stmt_ms = cfg.db_timeout_ms > 500 ? cfg.db_timeout_ms - 250 : cfg.db_timeout_ms;
    snprintf(out, n,
             "-c statement_timeout=%d -c lock_timeout=%d -c idle_in_transaction_session_timeout=%d"
             " -c TimeZone=%s",
             stmt_ms, stmt_ms, cfg.db_timeout_ms * 4 + 1000, cfg.tz);
}

/* Drive a non-blocking connect to its end or to the deadline. libpq's own connect_timeout
 * counts whole seconds (at least 2) per host and blocks; a stopped (SIGSTOP) or unreachable
 * server would then hold a request longer than HOTLINE_DB_TIMEOUT_MS. */
static bool connect_poll(PGconn *c, int64_t deadline, char *why, size_t whylen)
{
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    for (;;) {
        if (st == PGRES_POLLING_OK)
            return true;
        if (st == PGRES_POLLING_FAILED)
            return false;
        int64_t left = deadline - clock_mono_us();
        if (left <= 0) {
            snprintf(why, whylen, "no answer within %d ms", cfg.db_timeout_ms);
            return false;
        }
        struct pollfd p = {.fd = PQsocket(c),
                           .events = st == PGRES_POLLING_READING ? POLLIN : POLLOUT};
        int r = poll(&p, 1, (int)(left / 1000) + 1);
        if (r < 0 && errno != EINTR) {
            snprintf(why, whylen, "poll: %s", strerror(errno));
            return false;
        }
        if (r > 0)
            st = PQconnectPoll(c);
    }
}

PGconn *db_connect_raw(char *err, size_t errlen)
{
    return db_connect_as("hotlined", err, errlen);
}

PGconn *db_connect_as(const char *application_name, char *err, size_t errlen)
{
    char options[256], seconds[16];
    conn_options(options, sizeof options);
    snprintf(seconds, sizeof seconds, "%d", cfg.db_timeout_ms / 1000 + 2); /* a backstop only */
    const char *keys[] = {"dbname", "application_name", "connect_timeout", "options",
                          "keepalives", "keepalives_idle", NULL};
    const char *vals[] = {cfg.database_url, application_name, seconds, options, "1", "10", NULL};
    int64_t deadline = clock_mono_us() + (int64_t)cfg.db_timeout_ms * 1000;
    PGconn *c = PQconnectStartParams(keys, vals, 1);
    char why[128] = "";
    if (c && PQstatus(c) != CONNECTION_BAD && connect_poll(c, deadline, why, sizeof why) &&
        PQstatus(c) == CONNECTION_OK)
        return c;
    if (err) {
        snprintf(err, errlen, "%s", why[0] ? why : c ? PQerrorMessage(c) : "out of memory");
        err[strcspn(err, "\n")] = '\0';
    }
    PQfinish(c);
    return NULL;
}

struct db *db_new(void)
{
    return calloc(1, sizeof(struct db));
}

static void drop(struct db *db)
{
    if (db->conn) {
        PQfinish(db->conn);
        db->conn = NULL;
        atomic_fetch_sub(&st_open, 1);
    }
    memset(db->prepared, 0, sizeof db->prepared);
    for (int i = 0; i < db->ndyn; i++)
        free(db->dyn[i].sql);
    db->ndyn = 0;
    db->in_tx = false;
    db->tx_timeout_ms = 0;
    db->used = false;
}

void db_free(struct db *db)
{
    if (!db)
        return;
    drop(db);
    free(db);
}

static void thread_key_init(void)
{
    pthread_key_create(&thread_key, (void (*)(void *))db_free);
}

struct db *db_thread(void)
{
    pthread_once(&thread_once, thread_key_init);
    struct db *db = pthread_getspecific(thread_key);
    if (!db) {
        db = db_new();
        pthread_setspecific(thread_key, db);
    }
    return db;
}

void db_thread_release(void)
{
    pthread_once(&thread_once, thread_key_init);
    db_free(pthread_getspecific(thread_key));
    pthread_setspecific(thread_key, NULL);
}

static void breaker_trip(void)
{
    atomic_store(&breaker_until, clock_mono_us() + RECONNECT_PAUSE_US);
}

/* True when this thread may go to the database now; when the pause is over, exactly one
 * thread (the one that wins the exchange) probes, for at most one deadline. */
static bool breaker_allows(void)
{
    int_fast64_t until = atomic_load(&breaker_until);
    if (until == 0)
        return true;
    int64_t now = clock_mono_us();
    if (now < until)
        return false;
    int_fast64_t probe_until = now + (int64_t)cfg.db_timeout_ms * 1000 + RECONNECT_PAUSE_US;
    return atomic_compare_exchange_strong(&breaker_until, &until, probe_until);
}

/* Make sure db->conn is open and not closed by the server since last use. */
static enum db_status ensure_connected(struct db *db)
{
    if (db->conn && clock_mono_us() - db->last_ok_us > PROBE_AFTER_IDLE_US &&
        (PQconsumeInput(db->conn) == 0 || PQstatus(db->conn) != CONNECTION_OK)) {
        if (db->in_tx)
            return DB_UNAVAILABLE;
        drop(db);
    }
    if (db->conn)
        return DB_OK;
    int64_t now = clock_mono_us();
    if (now < db->down_until)
        return DB_UNAVAILABLE;
    char err[256];
    db->conn = db_connect_raw(err, sizeof err);
    atomic_fetch_add(&st_connect_us, (uint_fast64_t)(clock_mono_us() - now));
    if (!db->conn) {
        db->down_until = clock_mono_us() + RECONNECT_PAUSE_US;
        breaker_trip();
        atomic_fetch_add(&st_connect_failures, 1);
        log_mask_digits(err);
        log_msg(LOG_WARN, "database connect failed: %s", err);
        return DB_UNAVAILABLE;
    }
    atomic_fetch_add(&st_connects, 1);
    atomic_fetch_add(&st_open, 1);
    if (db->connected_before)
        atomic_fetch_add(&st_reconnects, 1);
    db->connected_before = true;
    return DB_OK;
}

static bool sqlstate_is(const char *st, const char *code)
{
    return st && strcmp(st, code) == 0;
}

static enum db_status classify(struct db *db, PGresult *res)
{
    ExecStatusType rs = PQresultStatus(res);
    if (rs == PGRES_COMMAND_OK || rs == PGRES_TUPLES_OK)
        return DB_OK;
    const char *st = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (PQstatus(db->conn) != CONNECTION_OK || !st || strncmp(st, "08", 2) == 0 ||
        sqlstate_is(st, "57P01") || sqlstate_is(st, "57P02") || sqlstate_is(st, "57P03") ||
        sqlstate_is(st, "53300"))
        return DB_UNAVAILABLE;
    if (sqlstate_is(st, "23505"))
        return DB_DUPLICATE;
    if (sqlstate_is(st, "40001") || sqlstate_is(st, "40P01"))
        return DB_RETRY;
    if (sqlstate_is(st, "57014") || sqlstate_is(st, "55P03"))
        return DB_TIMEOUT;
    if (strncmp(st, "22", 2) == 0 || strncmp(st, "23", 2) == 0)
        return DB_INVALID;
    return DB_ERROR;
}

static void log_failure(struct db *db, PGresult *res, enum db_status s)
{
    if (s == DB_DUPLICATE || s == DB_RETRY)
        return;
    const char *st = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    char msg[512];
    snprintf(msg, sizeof msg, "%s",
             res && PQresultErrorMessage(res)[0] ? PQresultErrorMessage(res)
                                                 : (db->conn ? PQerrorMessage(db->conn) : ""));
    msg[strcspn(msg, "\n")] = '\0';
    log_mask_digits(msg);
    log_json(s == DB_ERROR ? LOG_ERROR : LOG_WARN, "database statement failed",
             json_pack("{s:s, s:s}", "sqlstate", st ? st : "", "detail", msg));
}

/* Wait for the statement's last result within the deadline; drops the connection on timeout. */
static int timeout_of(const struct db *db)
{
    if (db->in_tx && db->tx_timeout_ms)
        return db->tx_timeout_ms;
    return db->timeout_ms ? db->timeout_ms : cfg.db_timeout_ms;
}

static enum db_status await_result(struct db *db, PGresult **out)
{
    int64_t deadline = clock_mono_us() + (int64_t)timeout_of(db) * 1000;
    PGresult *last = NULL;
    for (;;) {
        while (PQisBusy(db->conn)) {
            int64_t left = deadline - clock_mono_us();
            struct pollfd p = {.fd = PQsocket(db->conn), .events = POLLIN};
            int r = left > 0 ? poll(&p, 1, (int)(left / 1000) + 1) : 0;
            if (r == 0) {
                PQclear(last);
                atomic_fetch_add(&st_timeouts, 1);
                atomic_fetch_add(&st_failures[DB_TIMEOUT], 1);
                breaker_trip();
                log_msg(LOG_WARN, "database statement timed out after %d ms; connection dropped",
                        timeout_of(db));
                drop(db);
                return DB_TIMEOUT;
            }
            if (r < 0 || PQconsumeInput(db->conn) == 0)
                break;
        }
        PGresult *res = PQgetResult(db->conn);
        if (!res)
            break;
        PQclear(last);
        last = res;
        if (PQstatus(db->conn) != CONNECTION_OK)
            break;
    }
    enum db_status s = last ? classify(db, last) : DB_UNAVAILABLE;
    if (s == DB_UNAVAILABLE)
        breaker_trip();
    else if (atomic_load(&breaker_until) != 0)
        atomic_store(&breaker_until, 0); /* the server answered: it is back */
    if (s != DB_OK) {
        atomic_fetch_add(&st_errors, 1);
        atomic_fetch_add(&st_failures[s], 1);
        log_failure(db, last, s);
        PQclear(last);
        last = NULL;
        if (s == DB_UNAVAILABLE)
            drop(db);
    }
    *out = last;
    return s;
}

static enum db_status prepare(struct db *db, struct db_stmt *stmt, char *name, size_t n)
{
    int id = __atomic_load_n(&stmt->id, __ATOMIC_ACQUIRE);
    if (id == 0) {
        int fresh = atomic_fetch_add(&next_stmt_id, 1);
        int expected = 0;
        if (!__atomic_compare_exchange_n(&stmt->id, &expected, fresh, false, __ATOMIC_ACQ_REL,
                                         __ATOMIC_ACQUIRE))
            fresh = expected;
        id = fresh;
    }
    if (id >= DB_MAX_STMTS) {
        log_msg(LOG_ERROR, "too many prepared statements (raise DB_MAX_STMTS)");
        return DB_ERROR;
    }
    snprintf(name, n, "s%d", id);
    if (db->prepared[id / 64] & (UINT64_C(1) << (id % 64)))
        return DB_OK;
    if (!PQsendPrepare(db->conn, name, stmt->sql, stmt->nparams, NULL))
        return DB_UNAVAILABLE;
    PGresult *res = NULL;
    enum db_status s = await_result(db, &res);
    PQclear(res);
    if (s == DB_OK)
        db->prepared[id / 64] |= UINT64_C(1) << (id % 64);
    return s;
}

static enum db_status begin_use(struct db *db)
{
    if (!breaker_allows()) {
        atomic_fetch_add(&st_failures[DB_UNAVAILABLE], 1);
        return DB_UNAVAILABLE;
    }
    enum db_status s = ensure_connected(db);
    if (s == DB_OK) {
        atomic_fetch_add(&st_in_use, 1);
        atomic_fetch_add(&st_statements, 1);
        db->use_start_us = clock_mono_us();
    } else {
        atomic_fetch_add(&st_failures[s], 1);
    }
    return s;
}

static enum db_status end_use(struct db *db, enum db_status s)
{
    histo_observe(&st_statement_time, clock_mono_us() - db->use_start_us);
    atomic_fetch_sub(&st_in_use, 1);
    if (s == DB_OK) {
        db->used = true;
        db->last_ok_us = clock_mono_us();
    }
    return s;
}

enum db_status db_exec(struct db *db, struct db_stmt *stmt, const char *const *params,
                       PGresult **out)
{
    *out = NULL;
    enum db_status s = begin_use(db);
    if (s != DB_OK)
        return s;
    char name[16];
    s = prepare(db, stmt, name, sizeof name);
    if (s == DB_OK) {
        if (PQsendQueryPrepared(db->conn, name, stmt->nparams, params, NULL, NULL, 0))
            s = await_result(db, out);
        else
            s = DB_UNAVAILABLE;
    }
    if (s == DB_UNAVAILABLE && db->conn && !db->in_tx)
        drop(db);
    return end_use(db, s);
}

enum db_status db_exec_sql(struct db *db, const char *sql, int nparams,
                           const char *const *params, PGresult **out)
{
    *out = NULL;
    enum db_status s = begin_use(db);
    if (s != DB_OK)
        return s;
    if (PQsendQueryParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0))
        s = await_result(db, out);
    else
        s = DB_UNAVAILABLE;
    return end_use(db, s);
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* The name of sql prepared on this connection ("d<n>"), preparing it first if needed.
 * @return DB_OK with name set; DB_NOT_FOUND when the table is full (run it unprepared) */
static enum db_status prepare_dynamic(struct db *db, const char *sql, int nparams, char *name,
                                      size_t n)
{
    uint64_t h = fnv1a(sql);
    for (int i = 0; i < db->ndyn; i++)
        if (db->dyn[i].hash == h && strcmp(db->dyn[i].sql, sql) == 0) {
            snprintf(name, n, "d%d", i);
            return DB_OK;
        }
    if (db->ndyn == DB_DYN_STMTS)
        return DB_NOT_FOUND;
    char *copy = strdup(sql);
    if (!copy)
        return DB_NOT_FOUND;
    snprintf(name, n, "d%d", db->ndyn);
    if (!PQsendPrepare(db->conn, name, sql, nparams, NULL)) {
        free(copy);
        return DB_UNAVAILABLE;
    }
    PGresult *res = NULL;
    enum db_status s = await_result(db, &res);
    PQclear(res);
    if (s != DB_OK || !db->conn) {
        free(copy);
        return s;
    }
    db->dyn[db->ndyn].hash = h;
    db->dyn[db->ndyn].sql = copy;
    db->ndyn++;
    return DB_OK;
}

enum db_status db_exec_dynamic(struct db *db, const char *sql, int nparams,
                               const char *const *params, PGresult **out)
{
    *out = NULL;
    enum db_status s = begin_use(db);
    if (s != DB_OK)
        return s;
    char name[16];
    s = prepare_dynamic(db, sql, nparams, name, sizeof name);
    if (s == DB_NOT_FOUND) {
        s = PQsendQueryParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0)
                ? await_result(db, out)
                : DB_UNAVAILABLE;
    } else if (s == DB_OK) {
        s = PQsendQueryPrepared(db->conn, name, nparams, params, NULL, NULL, 0)
                ? await_result(db, out)
                : DB_UNAVAILABLE;
    }
    if (s == DB_UNAVAILABLE && db->conn && !db->in_tx)
        drop(db);
    return end_use(db, s);
}

enum db_status db_run(struct db *db, struct db_stmt *stmt, const char *const *params)
{
    PGresult *res = NULL;
    enum db_status s = db_exec(db, stmt, params, &res);
    PQclear(res);
    return s;
}

static enum db_status simple(struct db *db, const char *sql)
{
    PGresult *res = NULL;
    enum db_status s = db_exec_dynamic(db, sql, 0, NULL, &res);
    PQclear(res);
    return s;
}

static void backoff(int attempt)
{
    struct timespec ts = {0, (long)(1 + attempt * attempt) * 2000000L};
    nanosleep(&ts, NULL);
}

enum db_status db_transaction(struct db *db, db_tx_fn fn, void *ctx)
{
    enum db_status s = DB_ERROR;
    bool reconnected = false;
    for (int attempt = 0; attempt <= TX_RETRIES; attempt++) {
        bool was_used = db->conn && db->used, commit_sent = false;
        s = simple(db, "BEGIN");
        if (s == DB_OK) {
            db->in_tx = true;
            s = fn(db, ctx);
            if (s == DB_OK) {
                commit_sent = true;
                s = simple(db, "COMMIT");
            } else if (db->conn && PQstatus(db->conn) == CONNECTION_OK) {
                simple(db, "ROLLBACK");
            }
            db->in_tx = false;
            db->tx_timeout_ms = 0;
            if (s == DB_OK)
                return DB_OK;
        }
        if (s == DB_UNAVAILABLE && db->conn)
            drop(db);
        /* A stale connection (server restarted since its last use) gets one fresh try, but only
         * when COMMIT was never sent: then nothing of this attempt can have been kept. */
        if (s == DB_UNAVAILABLE && was_used && !commit_sent && !reconnected) {
            reconnected = true;
            continue;
        }
        if (s != DB_RETRY)
            return s;
        backoff(attempt);
    }
    return s;
}

enum db_status db_atomically(struct db *db, db_tx_fn fn, void *ctx)
{
    return db->in_tx ? fn(db, ctx) : db_transaction(db, fn, ctx);
}

void db_set_timeout(struct db *db, int ms)
{
    db->timeout_ms = ms;
}

static enum db_status server_timeout(struct db *db, int ms)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SET LOCAL statement_timeout = %d", ms > 500 ? ms - 250 : ms);
    return simple(db, sql);
}

enum db_status db_set_local_timeout(struct db *db, int ms)
{
    if (!db->in_tx)
        return DB_ERROR; /* our bug: SET LOCAL outside a transaction does nothing */
    enum db_status s = server_timeout(db, ms);
    if (s == DB_OK)
        db->tx_timeout_ms = ms;
    return s;
}

enum db_status db_begin(struct db *db)
{
    enum db_status s = simple(db, "BEGIN");
    if (s == DB_OK && db->timeout_ms) {
        s = server_timeout(db, db->timeout_ms);
        if (s != DB_OK && db->conn)
            simple(db, "ROLLBACK");
    }
    db->in_tx = s == DB_OK;
    return s;
}

enum db_status db_end(struct db *db, bool commit)
{
    if (!db->in_tx)
        return DB_OK;
    enum db_status s = DB_UNAVAILABLE;
    if (db->conn && PQstatus(db->conn) == CONNECTION_OK)
        s = simple(db, commit ? "COMMIT" : "ROLLBACK");
    db->in_tx = false;
    db->tx_timeout_ms = 0;
    return s;
}

enum db_status db_copy_begin(struct db *db, const char *sql)
{
    enum db_status s = begin_use(db);
    if (s != DB_OK)
        return s;
    if (!PQsendQuery(db->conn, sql))
        return end_use(db, DB_UNAVAILABLE);
    int64_t deadline = clock_mono_us() + (int64_t)timeout_of(db) * 1000;
    while (PQisBusy(db->conn) && clock_mono_us() < deadline) {
        struct pollfd p = {.fd = PQsocket(db->conn), .events = POLLIN};
        if (poll(&p, 1, 100) < 0 || PQconsumeInput(db->conn) == 0)
            break;
    }
    PGresult *res = PQisBusy(db->conn) ? NULL : PQgetResult(db->conn);
    if (res && PQresultStatus(res) == PGRES_COPY_IN) {
        PQclear(res);
        return end_use(db, DB_OK);
    }
    if (!res) {
        atomic_fetch_add(&st_timeouts, 1);
        drop(db);
        return end_use(db, DB_TIMEOUT);
    }
    /* refused: report why, and read on until the connection is idle again */
    s = classify(db, res);
    if (s == DB_OK)
        s = DB_ERROR; /* not a COPY statement: our bug */
    atomic_fetch_add(&st_errors, 1);
    log_failure(db, res, s);
    PQclear(res);
    while ((res = PQgetResult(db->conn)) != NULL)
        PQclear(res);
    return end_use(db, s);
}

enum db_status db_copy_put(struct db *db, const char *data, size_t len)
{
    if (!db->conn)
        return DB_UNAVAILABLE;
    while (len > 0) {
        int n = len > (1 << 20) ? 1 << 20 : (int)len;
        if (PQputCopyData(db->conn, data, n) != 1)
            return DB_UNAVAILABLE;
        data += n;
        len -= (size_t)n;
    }
    return DB_OK;
}

enum db_status db_copy_end(struct db *db, const char *abort_reason, long *rows)
{
    if (!db->conn)
        return DB_UNAVAILABLE;
    enum db_status s = begin_use(db);
    if (s != DB_OK)
        return s;
    if (PQputCopyEnd(db->conn, abort_reason) != 1)
        return end_use(db, DB_UNAVAILABLE);
    PGresult *res = NULL;
    s = await_result(db, &res);
    if (s == DB_OK && rows)
        *rows = strtol(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    return end_use(db, s);
}

bool db_in_transaction(const struct db *db)
{
    return db->in_tx;
}

PGconn *db_pgconn(struct db *db)
{
    return db->conn;
}

void db_stats_get(struct db_stats *out)
{
    out->connects = atomic_load(&st_connects);
    out->connect_failures = atomic_load(&st_connect_failures);
    out->errors = atomic_load(&st_errors);
    out->timeouts = atomic_load(&st_timeouts);
    out->statements = atomic_load(&st_statements);
    out->open = atomic_load(&st_open);
    out->in_use = atomic_load(&st_in_use);
    out->reconnects = atomic_load(&st_reconnects);
    out->connect_wait_us = atomic_load(&st_connect_us);
    for (int i = 0; i <= DB_ERROR; i++)
        out->failures[i] = atomic_load(&st_failures[i]);
    histo_snapshot(&st_statement_time, &out->statement_seconds);
}

const char *db_status_name(enum db_status s)
{
    static const char *const names[] = {
        [DB_OK] = "ok",           [DB_NOT_FOUND] = "not_found", [DB_DUPLICATE] = "duplicate",
        [DB_CONFLICT] = "conflict", [DB_RETRY] = "retry",       [DB_UNAVAILABLE] = "unavailable",
        [DB_TIMEOUT] = "timeout", [DB_INVALID] = "invalid",     [DB_ERROR] = "error",
    };
    return (unsigned)s <= DB_ERROR ? names[s] : "error";
}

const char *db_get(const PGresult *res, int row, const char *col)
{
    int c = PQfnumber(res, col);
    if (c < 0 || row >= PQntuples(res))
        return "";
    return PQgetvalue(res, row, c);
}

bool db_is_null(const PGresult *res, int row, const char *col)
{
    int c = PQfnumber(res, col);
    return c < 0 || row >= PQntuples(res) || PQgetisnull(res, row, c);
}

int64_t db_get_i64(const PGresult *res, int row, const char *col)
{
    return strtoll(db_get(res, row, col), NULL, 10);
}
