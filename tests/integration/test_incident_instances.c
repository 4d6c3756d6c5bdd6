/**
 * @file test_incident_instances.c
 * @brief The acknowledgement deadline with two hotlined instances on one database and the
 *        clock moved: every incident operations did not acknowledge escalates to the
 *        supervisor at the deadline and to the manager one acknowledgement time later, each
 *        exactly once; acknowledged ones never.
 */
#include "harness.h"

#include <stdio.h>
#include <string.h>

#define N_INCIDENTS 40
#define N_ACKED 10

static struct hs a, b;
static const char *agent, *ops;
static const char *env[] = {"HOTLINE_INCIDENT_ACK_MINUTES=5", NULL};

static void both_at(const char *t)
{
    hs_clock(&a, t);
    hs_clock(&b, t);
}

static int setup(void **state)
{
    (void)state;
    hs_start(&a, "incidents-a", env);
    hs_start(&b, "incidents-b", env);
    both_at("2026-11-28T23:58:00+08:00"); /* a Saturday night */
    agent = h_token("agent", "li");
    ops = h_token("operations", "dispatch");
    /* a subscriber to escalations, so each one is queued in the outbox as well */
    h_db_exec("INSERT INTO webhooks (url, secret, events, created_by, created_at, updated_at) "
              "VALUES ('http://127.0.0.1:9/wall', 'wall-secret-0123456789', "
              "'{incident.escalated}', 'test', now(), now())");
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

#define ESCALATED "SELECT count(*) FROM incident_events WHERE kind = 'escalated'"

static void test_escalated_once_per_level(void **state)
{
    (void)state;
    long long first = 0;
    for (int i = 0; i < N_INCIDENTS; i++) {
        struct h_resp *r = h_req(i % 2 ? &a : &b, "POST", "/incidents", agent,
                                 "{\"hazard\":\"burst_main\",\"severity\":\"high\",\"location\":"
                                 "\"Lane 5\",\"description\":\"Water in the street\"}",
                                 NULL);
        h_expect(r, 201);
        if (!first)
            first = h_int(r->json, "id");
        h_free(r);
    }
    /* operations acknowledges some in time */
    for (int i = 0; i < N_ACKED; i++) {
        char path[64];
        snprintf(path, sizeof path, "/incidents/%lld/ack", first + i);
        struct h_resp *r = h_req(i % 2 ? &b : &a, "POST", path, ops, NULL, NULL);
        h_expect(r, 200);
        h_free(r);
    }
    /* one second before the deadline nothing happens */
    both_at("2026-11-29T00:02:59+08:00");
    h_sleep_ms(800);
    assert_int_equal(h_db_long(ESCALATED), 0);
    /* at the deadline: the supervisor, once each */
    both_at("2026-11-29T00:03:00+08:00");
    const long long open = N_INCIDENTS - N_ACKED;
    assert_int_equal(stable_count(ESCALATED, open), open);
    assert_int_equal(h_db_long("SELECT count(*) FROM incidents WHERE escalation_level = 1"), open);
    assert_int_equal(h_db_long("SELECT count(*) FROM (SELECT incident_id FROM incident_events "
                               "WHERE kind = 'escalated' GROUP BY incident_id "
                               "HAVING count(*) <> 1) x"),
                     0);
    struct h_resp *r = h_get(&a, agent, "/incidents/%lld", first + N_ACKED);
    h_expect(r, 200);
    assert_string_equal(h_str(r->json, "escalated_to"), "supervisor");
    h_free(r);
    /* one acknowledgement time later: the manager, once each; then nothing more is due */
    both_at("2026-11-29T00:08:00+08:00");
    assert_int_equal(stable_count(ESCALATED, 2 * open), 2 * open);
    assert_int_equal(h_db_long("SELECT count(*) FROM incidents WHERE escalation_level = 2"), open);
    assert_int_equal(h_db_long("SELECT count(*) FROM incidents WHERE next_due_at IS NOT NULL"), 0);
    both_at("2026-11-29T09:00:00+08:00");
    h_sleep_ms(600);
    assert_int_equal(h_db_long(ESCALATED), 2 * open);
    assert_int_equal(h_db_long("SELECT count(*) FROM outbox WHERE event = 'incident.escalated'"),
                     2 * open);
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM incidents WHERE id < %lld AND "
                              "escalation_level > 0", first + N_ACKED);
    assert_int_equal(h_db_long(sql), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escalated_once_per_level),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
