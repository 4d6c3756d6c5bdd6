/**
 * @file test_fault_slow_db.c
 * @brief A slow or hung database: a lock held by another session, then every PostgreSQL
 *        process stopped with SIGSTOP. Under write load, answers are 503 + Retry-After within
 *        the bound (one connect and one statement, each HOTLINE_DB_TIMEOUT_MS), /healthz keeps
 *        answering, nothing acknowledged is lost, and once the database is back every worker's
 *        connection recovers without a restart.
 */
#include "fault.h"

static struct hs srv;
static const char *token;
static pid_t stopped[64];
static int nstopped;

static void resume_pg(void)
{
    for (int i = nstopped - 1; i >= 0; i--)
        kill(stopped[i], SIGCONT);
    nstopped = 0;
}

static int setup(void **state)
{
    (void)state;
    char timeout[64];
    snprintf(timeout, sizeof timeout, "HOTLINE_DB_TIMEOUT_MS=%d", FAULT_DB_TIMEOUT_MS);
    const char *env[] = {timeout, NULL};
    hs_start(&srv, "fault-slow", env);
    token = h_token("agent", "fault-slow");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    resume_pg();
    assert_int_equal(hs_stop(&srv), 0);
    return 0;
}

/* After the fault: every worker thread (4 in tests) answers from the database again. */
static void assert_recovered(const char *label)
{
    double t0 = h_now();
    for (int i = 0; i < 16; i++) {
        struct h_resp *r = h_get(&srv, token, "/tickets?limit=1");
        if (r->status != 200 && h_now() - t0 < 10) {
            h_free(r);
            h_sleep_ms(100);
            i--;
            continue;
        }
        if (r->status != 200)
            fail_msg("%s: no recovery, %ld: %s", label, r->status, r->body);
        h_free(r);
    }
    print_message("%s: all workers answered again %.2f s after the fault ended\n", label,
                  h_now() - t0);
}

/* A request waits at most one deadline for its own statement, but a worker thread blocked on
 * a lock also holds the requests queued behind it on its keep-alive connections: with 4
 * writers and a prober on 4 workers, up to two more deadlines. (A hung server is different:
 * the breaker answers queued requests at once, so the plain bound holds there.) */
#define LOCK_ANSWER_BOUND_S (3.0 * FAULT_DB_TIMEOUT_MS / 1000.0 + 1.5)

static void check_fault_window(const char *label, struct load *l, long before503, double bound)
{
    struct load_stats s;
    load_peek(l, &s);
    if (s.s503 <= before503)
        fail_msg("%s: no 503 while the database hung", label);
    if (s.max_503_s > bound)
        fail_msg("%s: a 503 took %.2f s (bound %.2f s)", label, s.max_503_s, bound);
    if (s.health_max_s > bound)
        fail_msg("%s: /healthz took %.2f s (bound %.2f s)", label, s.health_max_s, bound);
}

static void test_lock_held_by_another_session(void **state)
{
    (void)state;
    bool lng = fault_long();
    struct hs *targets[] = {&srv};
    struct load_opts o = {.writers = 4, .retry_for_ms = 20000, .probe_health = true,
                          .pace_ms = 5};
    struct load *l = load_start(targets, 1, token, "lock", &o);
    h_sleep_ms(500);
    PGconn *locker = PQconnectdb(getenv("HOTLINE_TEST_DB"));
    assert_int_equal(PQstatus(locker), CONNECTION_OK);
    PQclear(PQexec(locker, "BEGIN"));
    PGresult *res = PQexec(locker, "LOCK TABLE tickets IN ACCESS EXCLUSIVE MODE");
    assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
    PQclear(res);
    struct load_stats s0;
    load_peek(l, &s0);
    /* a reader meets the lock too, and is told to come back */
    struct h_resp *r = h_get(&srv, token, "/tickets?limit=1");
    h_expect_problem(r, 503);
    assert_string_equal(h_header(r, "Retry-After"), "1");
    assert_true(r->seconds <= LOCK_ANSWER_BOUND_S);
    h_free(r);
    h_sleep_ms(lng ? 8000 : 2500);
    check_fault_window("lock held", l, s0.s503, LOCK_ANSWER_BOUND_S);
    PQclear(PQexec(locker, "ROLLBACK"));
    PQfinish(locker);
    h_sleep_ms(1000);
    struct load_stats s;
    struct load_check c;
    load_stop(l, &s);
    load_account(l, &c);
    fault_assert_accounting("lock held by another session", &s, &c);
    load_free(l);
    assert_recovered("lock held");
}

static void test_sigstopped_postgres(void **state)
{
    (void)state;
    bool lng = fault_long();
    struct hs *targets[] = {&srv};
    struct load_opts o = {.writers = lng ? 8 : 4, .retry_for_ms = 30000, .probe_health = true,
                          .pace_ms = 5};
    struct load *l = load_start(targets, 1, token, "sigstop", &o);
    h_sleep_ms(500);
    struct load_stats s0;
    load_peek(l, &s0);
    nstopped = fault_pg_pids(stopped, 64);
    assert_true(nstopped >= 2);
    for (int i = 0; i < nstopped; i++) /* the postmaster first: it starts no one new */
        kill(stopped[i], SIGSTOP);
    h_sleep_ms(lng ? 8000 : 3000);
    check_fault_window("SIGSTOP", l, s0.s503, FAULT_ANSWER_BOUND_S);
    resume_pg();
    h_sleep_ms(1000);
    struct load_stats s;
    struct load_check c;
    load_stop(l, &s);
    load_account(l, &c);
    fault_assert_accounting("postgres SIGSTOPped", &s, &c);
    load_free(l);
    assert_recovered("SIGSTOP");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lock_held_by_another_session),
        cmocka_unit_test(test_sigstopped_postgres),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
