/**
 * @file harness.h
 * @brief Integration-test helpers: start/stop hotlined processes, issue tokens, make HTTP
 *        requests (libcurl and raw sockets), query the database, move the test clock.
 *
 * Environment (set by tests/run.sh): HOTLINE_TEST_BIN, HOTLINE_TEST_PROD_BIN, HOTLINE_TEST_DB,
 * HOTLINE_TEST_PGENV, HOTLINE_TEST_TMP, HOTLINE_TEST_ROOT.
 */
#ifndef HOTLINE_TEST_HARNESS_H
#define HOTLINE_TEST_HARNESS_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/types.h>

struct hs {
    pid_t pid;
    int port;
    char base[64];
    char log_path[512];
    char clock_path[512];
    char name[32];
};

/**
 * Start hotlined (the test build) on 127.0.0.1 with a free port and wait until /healthz answers.
 * @param name labels its log file
 * @param env extra "KEY=VALUE" strings, NULL-terminated (may be NULL)
 */
void hs_start(struct hs *s, const char *name, const char *const *env);
/** hs_start with the test clock already at rfc3339, so the first sweep (run at start) does
 *  not see the real time: a server restarted in the middle of a test must use this. */
void hs_start_at(struct hs *s, const char *name, const char *const *env, const char *rfc3339);

/** SIGTERM and wait (SIGKILL after 10 s); fails on a sanitizer report in its log.
 * @return the exit status. */
int hs_stop(struct hs *s);

/** SIGKILL and reap. */
void hs_kill(struct hs *s);

/** Pin the server's clock (test build only) to an RFC 3339 instant; NULL unpins. */
void hs_clock(struct hs *s, const char *rfc3339);

/** A token of this role, made with `hotlined token create` (static storage, up to 64). */
const char *h_token(const char *role, const char *name);

struct h_resp {
    long status;
    char *body;
    size_t body_len;
    char *headers; /* raw header block */
    json_t *json;  /* parsed body, or NULL */
    double seconds;
};

/**
 * One request with libcurl.
 * @param token bearer token or NULL
 * @param body request body or NULL (sent as application/json unless a Content-Type header given)
 * @param headers extra header lines, NULL-terminated (may be NULL)
 */
struct h_resp *h_req(struct hs *s, const char *method, const char *path, const char *token,
                     const char *body, const char *const *headers);

/** Free the calling thread's HTTP handle (a test's own threads call it before they end). */
void h_thread_done(void);

/** printf-style path. */
struct h_resp *h_get(struct hs *s, const char *token, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** A response header's value (static buffer, case-insensitive name) or NULL. */
const char *h_header(const struct h_resp *r, const char *name);

void h_free(struct h_resp *r);

/** Fail the test (printing the body) unless the status matches. */
void h_expect(const struct h_resp *r, long status);

/** h_expect plus the problem+json shape: content type, type, title, status, detail. */
void h_expect_problem(const struct h_resp *r, long status);

/** The value of a JSON member as an integer / string (fails when missing). */
long long h_int(const json_t *obj, const char *key);
const char *h_str(const json_t *obj, const char *key);

/**
 * Send raw bytes to the server over TCP and read the answer (until close or timeout_ms).
 * @return bytes read into out (NUL-terminated)
 */
size_t h_raw(struct hs *s, const char *data, size_t len, char *out, size_t outlen,
             int timeout_ms);

/** The status code of a raw HTTP answer, or -1. */
int h_raw_status(const char *answer);

/** Direct database connection (the test's own database). */
PGconn *h_db(void);

/** Run SQL and return the first column of the first row as a long (fails on error). */
long long h_db_long(const char *sql);

/** Run SQL; fails the test on error. */
void h_db_exec(const char *sql);

/** Stop / start the PostgreSQL cluster (mode: fast, immediate). */
void h_pg_stop(const char *mode);
void h_pg_start(void);

/** A path under this test's temp folder. */
const char *h_tmp_path(const char *name);

/** Read a whole file (caller frees) or NULL. */
char *h_read_file(const char *path);

/** Milliseconds sleep. */
void h_sleep_ms(int ms);

/** Monotonic seconds. */
double h_now(void);

#endif
