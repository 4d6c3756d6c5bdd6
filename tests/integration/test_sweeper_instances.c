/**
 * @file test_sweeper_instances.c
 * @brief Two hotlined instances on one database, the clock moved past 1,000 deadlines:
 *        exactly 1,000 warnings, 1,000 overdue events and 1,000 escalations — none twice,
 *        none missed.
 */
#include "harness.h"

#include <stdio.h>
#include <string.h>

#define N_TICKETS 1000

static struct hs a, b;
static const char *agent;

static int setup(void **state)
{
    (void)state;
    hs_start_at(&a, "sweeper-a", NULL, "2026-11-26T10:00:00+08:00");
    hs_start_at(&b, "sweeper-b", NULL, "2026-11-26T10:00:00+08:00");
    agent = h_token("agent", "li");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    int ra = hs_stop(&a), rb = hs_stop(&b);
    assert_int_equal(ra, 0);
    assert_int_equal(rb, 0);
    return 0;
}

static long long stable_count(const char *sql, long long want)
{
    long long n = -1, last = -2;
    for (int i = 0; i < 300 && !(n == want && n == last); i++) {
        last = n;
        h_sleep_ms(100);
        n = h_db_long(sql);
    }
    return n;
}

static void test_exactly_once(void **state)
{
    (void)state;
    for (int i = 0; i < N_TICKETS; i++) {
        struct h_resp *r = h_req(i % 2 ? &a : &b, "POST", "/tickets", agent,
                                 "{\"class\":\"general\",\"subject\":\"due at six\"}", NULL);
        h_expect(r, 201);
        h_free(r);
    }
    assert_int_equal(h_db_long("SELECT count(*) FROM tickets WHERE next_due_at IS NOT NULL"),
                     N_TICKETS);
    /* 80% of 10:00-18:00: every ticket is warned of once */
    hs_clock(&a, "2026-11-26T16:24:00+08:00");
    hs_clock(&b, "2026-11-26T16:24:00+08:00");
    assert_int_equal(stable_count("SELECT count(*) FROM ticket_events WHERE kind = 'warning'",
                                  N_TICKETS),
                     N_TICKETS);
    assert_int_equal(h_db_long("SELECT count(*) FROM (SELECT ticket_id FROM ticket_events WHERE "
                               "kind = 'warning' GROUP BY ticket_id HAVING count(*) <> 1) x"),
                     0);
    hs_clock(&a, "2026-11-26T18:00:01+08:00");
    hs_clock(&b, "2026-11-26T18:00:01+08:00");
    assert_int_equal(stable_count("SELECT count(*) FROM ticket_events WHERE kind = 'overdue'",
                                  N_TICKETS),
                     N_TICKETS);
    assert_int_equal(stable_count("SELECT count(*) FROM ticket_events WHERE kind = 'escalated'",
                                  N_TICKETS),
                     N_TICKETS);
    assert_int_equal(h_db_long("SELECT count(*) FROM ticket_escalations"), N_TICKETS);
    assert_int_equal(h_db_long("SELECT count(*) FROM (SELECT ticket_id FROM ticket_events WHERE "
                               "kind = 'overdue' GROUP BY ticket_id HAVING count(*) <> 1) x"),
                     0);
    assert_int_equal(h_db_long("SELECT count(*) FROM tickets WHERE overdue AND "
                               "escalation_level = 1"),
                     N_TICKETS);
    /* and at the escalation delay, the second level, again exactly once each */
    hs_clock(&a, "2026-11-26T22:00:01+08:00");
    hs_clock(&b, "2026-11-26T22:00:01+08:00");
    assert_int_equal(stable_count("SELECT count(*) FROM ticket_escalations", 2 * N_TICKETS),
                     2 * N_TICKETS);
    assert_int_equal(h_db_long("SELECT count(*) FROM tickets WHERE escalation_level = 2"),
                     N_TICKETS);
    assert_int_equal(h_db_long("SELECT count(*) FROM tickets WHERE next_due_at IS NOT NULL"), 0);
    assert_int_equal(h_db_long("SELECT count(*) FROM ticket_events WHERE kind = 'warning'"),
                     N_TICKETS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exactly_once),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
