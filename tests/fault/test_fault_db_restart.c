/**
 * @file test_fault_db_restart.c
 * @brief PostgreSQL stopped (fast and immediate) and started again under continuous write
 *        load: answers during the outage are 503 + Retry-After within the bound, /healthz keeps
 *        answering, the service recovers without a restart, and every write the clients were
 *        told succeeded exists exactly once (writes are retried with their Idempotency-Key).
 */
#include "fault.h"

static struct hs srv;
static const char *token;

static int setup(void **state)
{
    (void)state;
    char timeout[64];
    snprintf(timeout, sizeof timeout, "HOTLINE_DB_TIMEOUT_MS=%d", FAULT_DB_TIMEOUT_MS);
    const char *env[] = {timeout, NULL};
    hs_start(&srv, "fault-restart", env);
    token = h_token("agent", "fault-restart");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    h_pg_start();
    assert_int_equal(hs_stop(&srv), 0);
    return 0;
}

static void outages(const char *mode)
{
    bool lng = fault_long();
    int cycles = lng ? 5 : 1;
    struct load_opts o = {.writers = lng ? 6 : 3, .retry_for_ms = 20000, .probe_health = true,
                         .pace_ms = 5};
    struct hs *targets[] = {&srv};
    char tag[64];
    snprintf(tag, sizeof tag, "restart-%s", mode);
    struct load *l = load_start(targets, 1, token, tag, &o);
    for (int c = 0; c < cycles; c++) {
        h_sleep_ms(lng ? 2000 : 800);
        h_pg_stop(mode);
        h_sleep_ms(lng ? 3000 : 1500);
        h_pg_start();
    }
    h_sleep_ms(lng ? 2000 : 1000);
    struct load_stats s;
    struct load_check c;
    load_stop(l, &s);
    load_account(l, &c);
    char label[64];
    snprintf(label, sizeof label, "db restart %s x%d", mode, cycles);
    fault_assert_accounting(label, &s, &c);
    if (s.s503 == 0)
        fail_msg("%s: no request met the outage (no 503 at all)", label);
    if (s.max_503_s > FAULT_ANSWER_BOUND_S)
        fail_msg("%s: a 503 took %.2f s (bound %.2f s)", label, s.max_503_s,
                 FAULT_ANSWER_BOUND_S);
    load_free(l);
}

static void test_fast(void **state)
{
    (void)state;
    outages("fast");
}

static void test_immediate(void **state)
{
    (void)state;
    outages("immediate");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fast),
        cmocka_unit_test(test_immediate),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
