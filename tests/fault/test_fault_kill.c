/**
 * @file test_fault_kill.c
 * @brief hotlined killed with SIGKILL under continuous write load, then started again; and two
 *        instances on one database, one killed mid-run while the other carries on. Every write
 *        a client was told succeeded exists exactly once; a write whose answer was lost with the
 *        process is retried with its Idempotency-Key and answered from the stored outcome
 *        (a replay), never written twice. The restarted instance's background work resumes.
 *
 * Pending (issue 3 is not on main yet): sweeper work (overdue marks, escalations, follow-ups,
 * outbox) with two instances and one killed mid-batch: no lost or duplicated work. The
 * two-instance harness below is ready for it.
 */
#include "fault.h"

static struct hs a, b;
static const char *token;

static const char *env[] = {"HOTLINE_DB_TIMEOUT_MS=1500", "HOTLINE_SWEEP_INTERVAL_MS=100",
                            NULL};

static int setup(void **state)
{
    (void)state;
    token = h_token("agent", "fault-kill");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (a.pid)
        hs_stop(&a);
    if (b.pid)
        hs_stop(&b);
    return 0;
}

static void test_sigkill_and_restart(void **state)
{
    (void)state;
    bool lng = fault_long();
    int cycles = lng ? 5 : 1;
    hs_start(&a, "fault-kill-a", env);
    struct hs *targets[] = {&a};
    struct load_opts o = {.writers = lng ? 6 : 3, .retry_for_ms = 20000, .pace_ms = 2};
    struct load *l = load_start(targets, 1, token, "kill", &o);
    long expired_left = 0;
    for (int c = 0; c < cycles; c++) {
        h_sleep_ms(lng ? 2000 : 1000);
        hs_kill(&a);
        load_target_down(l, 0);
        /* work the dead instance left behind: expired idempotency keys for the sweeper */
        h_db_exec("INSERT INTO idempotency_keys (actor, key, method, path, request_hash, "
                  "created_at) SELECT 'fault-kill', 'expired-' || g || '-' || "
                  "floor(random() * 1e9), 'POST', '/tickets', 'x', now() - interval '3 days' "
                  "FROM generate_series(1, 50) g");
        h_sleep_ms(300);
        hs_start(&a, "fault-kill-a", env);
        load_target_up(l, 0, a.base);
        for (int i = 0; i < 50; i++) {
            expired_left = h_db_long("SELECT count(*) FROM idempotency_keys "
                                     "WHERE created_at < now() - interval '2 days'");
            if (expired_left == 0)
                break;
            h_sleep_ms(100);
        }
        if (expired_left != 0)
            fail_msg("the restarted instance's sweeper did not resume: %ld expired keys left",
                     expired_left);
    }
    h_sleep_ms(lng ? 2000 : 1000);
    struct load_stats s;
    struct load_check c;
    load_stop(l, &s);
    load_account(l, &c);
    char label[64];
    snprintf(label, sizeof label, "SIGKILL + restart x%d", cycles);
    fault_assert_accounting(label, &s, &c);
    load_free(l);
    assert_int_equal(hs_stop(&a), 0);
}

static void test_two_instances_one_killed(void **state)
{
    (void)state;
    bool lng = fault_long();
    hs_start(&a, "fault-two-a", env);
    hs_start(&b, "fault-two-b", env);
    struct hs *targets[] = {&a, &b};
    struct load_opts o = {.writers = lng ? 6 : 4, .retry_for_ms = 20000, .probe_health = false,
                          .pace_ms = 2};
    struct load *l = load_start(targets, 2, token, "two", &o);
    for (int c = 0; c < (lng ? 4 : 1); c++) {
        h_sleep_ms(lng ? 2000 : 1000);
        hs_kill(&a);
        load_target_down(l, 0);
        h_sleep_ms(lng ? 2000 : 1000); /* b carries the load alone */
        hs_start(&a, "fault-two-a", env);
        load_target_up(l, 0, a.base);
    }
    h_sleep_ms(1000);
    struct load_stats s;
    struct load_check c;
    load_stop(l, &s);
    load_account(l, &c);
    fault_assert_accounting("two instances, one SIGKILLed", &s, &c);
    load_free(l);
    assert_int_equal(hs_stop(&a), 0);
    assert_int_equal(hs_stop(&b), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigkill_and_restart),
        cmocka_unit_test(test_two_instances_one_killed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
