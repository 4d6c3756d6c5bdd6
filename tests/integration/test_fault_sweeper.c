/**
 * @file test_fault_sweeper.c
 * @brief Two instances sweep 2,000 deadlines while one of them is killed with SIGKILL in the
 *        middle of the work and started again: every deadline is still marked overdue and
 *        escalated exactly once — a batch cut short by the kill rolls back and is done again
 *        by whichever instance claims it next.
 */
#include "harness.h"

#include <stdio.h>
#include <string.h>

#define N_TICKETS 2000

static struct hs a, b;

static int setup(void **state)
{
    (void)state;
    hs_start_at(&a, "fault-sweeper-a", NULL, "2026-11-26T10:00:00+08:00");
    hs_start_at(&b, "fault-sweeper-b", NULL, "2026-11-26T10:00:00+08:00");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hs_stop(&a);
    hs_stop(&b);
    return 0;
}

static long long stable_count(const char *sql, long long want)
{
    long long n = -1, last = -2;
    for (int i = 0; i < 600 && !(n == want && n == last); i++) {
        last = n;
        h_sleep_ms(100);
        n = h_db_long(sql);
    }
    return n;
}

static void test_kill_during_sweep(void **state)
{
    (void)state;
    /* the deadlines are written by the service itself: one real ticket gives the row shape */
    const char *agent = h_token("agent", "li");
    struct h_resp *r = h_req(&a, "POST", "/tickets", agent,
                             "{\"class\":\"general\",\"subject\":\"due at six\"}", NULL);
    h_expect(r, 201);
    h_free(r);
    char sql[1024];
    snprintf(sql, sizeof sql,
             "INSERT INTO tickets (class, kind, subject, owner, created_by, created_at, "
             "updated_at, resolve_due_at, deadline_rules, next_due_at) SELECT class, kind, "
             "subject, owner, created_by, created_at, updated_at, resolve_due_at, "
             "deadline_rules, next_due_at FROM tickets, generate_series(2, %d)",
             N_TICKETS);
    h_db_exec(sql);
    assert_int_equal(h_db_long("SELECT count(*) FROM tickets WHERE next_due_at IS NOT NULL"),
                     N_TICKETS);
    hs_clock(&a, "2026-11-26T18:00:01+08:00");
    hs_clock(&b, "2026-11-26T18:00:01+08:00");
    /* kill A as soon as the work has started, then bring it back */
    for (int i = 0; i < 400 && h_db_long("SELECT count(*) FROM ticket_escalations") == 0; i++)
        h_sleep_ms(5);
    hs_kill(&a);
    long long at_kill = h_db_long("SELECT count(*) FROM ticket_escalations");
    hs_start_at(&a, "fault-sweeper-a2", NULL, "2026-11-26T18:00:01+08:00");
    assert_int_equal(stable_count("SELECT count(*) FROM ticket_events WHERE kind = 'overdue'",
                                  N_TICKETS),
                     N_TICKETS);
    assert_int_equal(stable_count("SELECT count(*) FROM ticket_escalations", N_TICKETS),
                     N_TICKETS);
    assert_int_equal(h_db_long("SELECT count(*) FROM (SELECT ticket_id FROM ticket_events WHERE "
                               "kind = 'overdue' GROUP BY ticket_id HAVING count(*) <> 1) x"),
                     0);
    assert_int_equal(h_db_long("SELECT count(*) FROM tickets WHERE overdue AND "
                               "escalation_level = 1 AND next_due_at IS NOT NULL"),
                     N_TICKETS);
    print_message("escalations when A was killed: %lld of %d\n", at_kill, N_TICKETS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_during_sweep),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
