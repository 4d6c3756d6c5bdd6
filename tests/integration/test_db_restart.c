/**
 * @file test_db_restart.c
 * @brief PostgreSQL stopped and started under a running hotlined: requests during the outage
 *        get 503 + Retry-After quickly, /healthz keeps answering, and service resumes without
 *        a process restart.
 */
#include "harness.h"

#include <stdio.h>
#include <string.h>

static struct hs srv;
static const char *agent;

static int setup(void **state)
{
    (void)state;
    hs_start(&srv, "restart", NULL);
    agent = h_token("agent", "restart-agent");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    h_pg_start();
    hs_stop(&srv);
    return 0;
}

static void outage(const char *mode)
{
    const char *body = "{\"class\":\"general\",\"subject\":\"during outage\"}";
    struct h_resp *r = h_req(&srv, "POST", "/tickets", agent, body, NULL);
    h_expect(r, 201);
    h_free(r);
    h_pg_stop(mode);
    for (int i = 0; i < 5; i++) {
        r = h_req(&srv, "POST", "/tickets", agent, body, NULL);
        h_expect_problem(r, 503);
        assert_string_equal(h_header(r, "Retry-After"), "1");
        if (r->seconds > 5.0)
            fail_msg("a request during the outage took %.1f s", r->seconds);
        h_free(r);
    }
    r = h_get(&srv, NULL, "/healthz");
    h_expect(r, 200);
    h_free(r);
    r = h_get(&srv, NULL, "/readyz");
    h_expect_problem(r, 503);
    h_free(r);
    h_pg_start();
    /* no process restart: the next requests reconnect (allow the 250 ms reconnect pause) */
    long status = 0;
    for (int i = 0; i < 40 && status != 201; i++) {
        r = h_req(&srv, "POST", "/tickets", agent, body, NULL);
        status = r->status;
        h_free(r);
        if (status != 201)
            h_sleep_ms(100);
    }
    assert_int_equal(status, 201);
    for (int i = 0; i < 8; i++) { /* every worker thread's connection recovers */
        r = h_get(&srv, agent, "/tickets?limit=1");
        h_expect(r, 200);
        h_free(r);
    }
}

static void test_fast_restart(void **state)
{
    (void)state;
    outage("fast");
}

static void test_immediate_restart(void **state)
{
    (void)state;
    outage("immediate");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fast_restart),
        cmocka_unit_test(test_immediate_restart),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
