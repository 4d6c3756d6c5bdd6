/**
 * @file db.h
 * @brief PostgreSQL connections: one per thread, prepared statements, timeouts, transactions.
 *
 * Every statement runs asynchronously with a client-side deadline (HOTLINE_DB_TIMEOUT_MS) so a
 * stopped, hung or unreachable server costs a request at most that long; a broken connection
 * is dropped and re-opened on the next use. Outcomes are small enums; api/ maps them to HTTP.
 */
#ifndef HOTLINE_STORE_DB_H
#define HOTLINE_STORE_DB_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/histo.h"

enum db_status {
    DB_OK,
    DB_NOT_FOUND,   /* the statement matched no row (decided by the caller) */
    DB_DUPLICATE,   /* unique violation (23505) */
    DB_CONFLICT,    /* a business precondition failed (version, state); decided by the caller */
    DB_RETRY,       /* serialization failure or deadlock: safe to run the transaction again */
    DB_UNAVAILABLE, /* no connection, or the server went away */
    DB_TIMEOUT,     /* the statement ran out of time (client deadline, statement/lock timeout) */
    DB_INVALID,     /* data the database refused (22xxx, 23xxx other than 23505) */
    DB_ERROR,       /* anything else: our bug or the server's */
};

/** A statement prepared once per connection; declare with DB_STMT, never share across files. */
struct db_stmt {
    const char *sql;
    int nparams;
    int id; /* assigned on first use */
};

#define DB_STMT(var, n, text) static struct db_stmt var = {text, n, 0}

struct db;

/** Counters for /metrics (monotonic unless stated). */
struct db_stats {
    uint64_t connects, connect_failures, errors, timeouts, statements;
    int64_t open;   /* connections open now */
    int64_t in_use; /* statements running now */
    uint64_t reconnects;      /* connects by a handle that had a connection before */
    uint64_t connect_wait_us; /* time spent opening connections, failed attempts included */
    uint64_t failures[DB_ERROR + 1]; /* failed statements by outcome; [DB_OK] stays 0 */
    struct histo_snapshot statement_seconds; /* db_exec/db_exec_sql, preparation included */
};

/** The outcome's name for logs and metrics ("ok", "unavailable", "timeout", ...). */
const char *db_status_name(enum db_status s);

/** Create an unconnected handle with the process configuration. Caller frees with db_free. */
struct db *db_new(void);

/** Close and free. NULL is fine. */
void db_free(struct db *db);

/** The calling thread's handle, created on first use and freed when the thread ends. */
struct db *db_thread(void);

/** Free the calling thread's handle now (e.g. before a thread exits on its own). */
void db_thread_release(void);

/**
 * Run a prepared statement. Text parameters (NULL = SQL NULL).
 * @param[out] out the result on DB_OK (caller PQclears); NULL otherwise
 */
enum db_status db_exec(struct db *db, struct db_stmt *stmt, const char *const *params,
                       PGresult **out);

/** Run SQL built at run time (still parameterized); no preparation. */
enum db_status db_exec_sql(struct db *db, const char *sql, int nparams,
                           const char *const *params, PGresult **out);

/**
 * Run SQL built at run time from a few shapes (a list's optional filters): each distinct text
 * is prepared once per connection, like a DB_STMT, up to 64 texts (then run unprepared). Never
 * put values in the text: parameters only.
 */
enum db_status db_exec_dynamic(struct db *db, const char *sql, int nparams,
                               const char *const *params, PGresult **out);

/** Run a statement whose result is ignored. */
enum db_status db_run(struct db *db, struct db_stmt *stmt, const char *const *params);

typedef enum db_status (*db_tx_fn)(struct db *db, void *ctx);

/**
 * BEGIN; fn; COMMIT — rolling back when fn returns anything but DB_OK. Serialization failures
 * and deadlocks are retried a few times; a broken connection found before COMMIT is re-opened
 * and the transaction run once more. fn must be safe to run again (keep its effects in ctx
 * resettable).
 */
enum db_status db_transaction(struct db *db, db_tx_fn fn, void *ctx);

/**
 * fn inside a transaction: the caller's when one is open, else a new one (db_transaction).
 * Store operations of several statements use this so they compose with an outer transaction.
 */
enum db_status db_atomically(struct db *db, db_tx_fn fn, void *ctx);

/**
 * A longer deadline than HOTLINE_DB_TIMEOUT_MS for this handle's statements, client and server
 * side (bulk work on a handle of its own); 0 restores the default.
 */
void db_set_timeout(struct db *db, int ms);

/**
 * Inside a transaction: give its statements up to ms (client deadline and the server's
 * statement_timeout) until it ends — for one bulk statement among quick ones.
 */
enum db_status db_set_local_timeout(struct db *db, int ms);

/**
 * BEGIN on a handle kept across calls (a streamed request's own handle), ended by db_end.
 * Unlike db_transaction nothing is retried: the caller decides.
 */
enum db_status db_begin(struct db *db);

/** COMMIT (commit true) or ROLLBACK what db_begin opened; nothing when none is open. */
enum db_status db_end(struct db *db, bool commit);

/** Start COPY ... FROM STDIN (sql, no parameters); rows follow with db_copy_put. */
enum db_status db_copy_begin(struct db *db, const char *sql);

/** Send COPY data (text format, whole rows or not). */
enum db_status db_copy_put(struct db *db, const char *data, size_t len);

/**
 * End the COPY and wait for its outcome.
 * @param abort_reason non-NULL: abandon it (the statement fails)
 * @param[out] rows rows copied (may be NULL)
 */
enum db_status db_copy_end(struct db *db, const char *abort_reason, long *rows);

/** True while inside db_transaction. */
bool db_in_transaction(const struct db *db);

/** A snapshot of the counters. */
void db_stats_get(struct db_stats *out);

/** Read a column by name; "" when NULL. The pointer dies with the result. */
const char *db_get(const PGresult *res, int row, const char *col);

/** True when the named column is NULL. */
bool db_is_null(const PGresult *res, int row, const char *col);

/** Read a bigint column by name (0 when NULL). */
int64_t db_get_i64(const PGresult *res, int row, const char *col);

/** Open a standalone connection with the process settings (for migrate and CLI tools). */
PGconn *db_connect_raw(char *err, size_t errlen);

/** db_connect_raw under another application_name (how pg_stat_activity tells it apart). */
PGconn *db_connect_as(const char *application_name, char *err, size_t errlen);

/**
 * The handle's connection (borrowed; NULL when not connected), for what the statement API does
 * not cover: waiting for notifications after LISTEN.
 */
PGconn *db_pgconn(struct db *db);

#endif
