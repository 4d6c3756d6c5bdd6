/**
 * @file test_metrics.c
 * @brief GET /metrics over real HTTP: who may read it, the format (a strict reader and
 *        promtool), counters that move by exactly the requests made, the hotline gauges
 *        against hand-counted rows, reconnects, and the scrape token while the database is
 *        unreachable.
 */
#include "harness.h"
#include "harness_prom.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define SCRAPE_TOKEN "scrape-token-for-tests-0123456789"
#define NOW "2026-11-27T10:00:00+08:00"

static struct hs srv;
static const char *agent, *admin;

static int setup(void **state)
{
    (void)state;
    const char *env[] = {"HOTLINE_METRICS_TOKEN=" SCRAPE_TOKEN, NULL};
    hs_start_at(&srv, "metrics", env, NOW);
    agent = h_token("agent", "m-agent");
    admin = h_token("admin", "m-admin");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(hs_stop(&srv), 0);
    return 0;
}

/* A scrape as admin, checked strictly; caller frees. */
static char *scrape(struct hs *s, const char *token)
{
    struct h_resp *r = h_get(s, token, "/metrics");
    h_expect(r, 200);
    const char *ct = h_header(r, "Content-Type");
    assert_non_null(ct);
    assert_string_equal(ct, "text/plain; version=0.0.4; charset=utf-8");
    assert_true(prom_check(r->body) > 50);
    char *body = strdup(r->body);
    h_free(r);
    return body;
}

static double value(const char *body, const char *series)
{
    double v = prom_value(body, series);
    if (isnan(v))
        fail_msg("no series %s in:\n%.3000s", series, body);
    return v;
}

static void test_who_may_read(void **state)
{
    (void)state;
    struct h_resp *r = h_get(&srv, NULL, "/metrics");
    h_expect_problem(r, 401);
    h_free(r);
    r = h_get(&srv, agent, "/metrics");
    h_expect_problem(r, 403);
    h_free(r);
    free(scrape(&srv, admin));
    free(scrape(&srv, SCRAPE_TOKEN));
    /* the scrape token opens /metrics and nothing else */
    r = h_get(&srv, SCRAPE_TOKEN, "/tickets");
    h_expect_problem(r, 401);
    h_free(r);
    /* no query parameters are declared */
    r = h_get(&srv, admin, "/metrics?name=x");
    h_expect_problem(r, 400);
    h_free(r);
}

static void test_format_passes_promtool(void **state)
{
    (void)state;
    /* some traffic first, so every family has samples */
    struct h_resp *r = h_get(&srv, agent, "/tickets");
    h_expect(r, 200);
    h_free(r);
    char *body = scrape(&srv, admin);
    prom_promtool(body);
    assert_true(value(body, "hotline_build_info{version=\"" HOTLINE_VERSION "\"}") == 1);
    assert_true(value(body, "hotline_http_requests_in_flight") >= 1); /* this scrape */
    assert_true(value(body, "hotline_db_connections_max") == 5);      /* 4 threads + sweeper */
    assert_true(value(body, "hotline_db_connections_open") >= 1);
    assert_true(value(body, "process_start_time_seconds") > 1.7e9);
    assert_true(value(body, "process_open_fds") > 0);
    free(body);
}

static void test_counters_move(void **state)
{
    (void)state;
    const char *tickets_ok = "hotline_http_requests_total{method=\"GET\",route=\"/tickets\","
                             "status=\"200\"}";
    const char *unmatched = "hotline_http_requests_total{method=\"\",route=\"unmatched\","
                            "status=\"404\"}";
    const char *denied = "hotline_http_requests_total{method=\"GET\",route=\"/metrics\","
                         "status=\"403\"}";
    const char *latency = "hotline_http_request_duration_seconds_count{method=\"GET\","
                          "route=\"/tickets\"}";
    char *before = scrape(&srv, admin);
    double b_ok = prom_value(before, tickets_ok), b_un = prom_value(before, unmatched),
           b_den = prom_value(before, denied);
    double b_lat = value(before, latency);
    double b_stmt = value(before, "hotline_db_statements_total");
    for (int i = 0; i < 3; i++) {
        struct h_resp *r = h_get(&srv, agent, "/tickets?limit=5");
        h_expect(r, 200);
        h_free(r);
    }
    struct h_resp *r = h_get(&srv, agent, "/no-such-thing");
    h_expect_problem(r, 404);
    h_free(r);
    r = h_get(&srv, agent, "/metrics");
    h_expect_problem(r, 403);
    h_free(r);
    char *after = scrape(&srv, admin);
    assert_true(value(after, tickets_ok) == (isnan(b_ok) ? 0 : b_ok) + 3);
    assert_true(value(after, unmatched) == (isnan(b_un) ? 0 : b_un) + 1);
    assert_true(value(after, denied) == (isnan(b_den) ? 0 : b_den) + 1);
    assert_true(value(after, latency) == b_lat + 3);
    /* the list queries went to the database (the token, once looked up, comes from the
     * token cache: store/token_cache.c) */
    assert_true(value(after, "hotline_db_statements_total") >= b_stmt + 3);
    /* the sweeper runs every 200 ms in tests */
    assert_true(value(after, "hotline_sweeper_runs_total") >= 1);
    assert_true(value(after, "hotline_sweeper_last_run_timestamp_seconds") > 1.7e9);
    assert_true(value(after, "hotline_sweeper_pass_duration_seconds_count") >= 1);
    free(before);
    free(after);
}

static long long create(const char *cls)
{
    char body[128];
    snprintf(body, sizeof body, "{\"class\":\"%s\",\"subject\":\"metrics\"}", cls);
    struct h_resp *r = h_req(&srv, "POST", "/tickets", agent, body, NULL);
    h_expect(r, 201);
    long long id = h_int(r->json, "id");
    h_free(r);
    return id;
}

static void test_hotline_gauges(void **state)
{
    (void)state;
    /* Three special tickets, counted by hand: one stays new, one in progress, one closed. */
    create("special");
    long long b = create("special"), c = create("special");
    char sql[256];
    snprintf(sql, sizeof sql, "UPDATE tickets SET status = 'in_progress' WHERE id = %lld", b);
    h_db_exec(sql);
    snprintf(sql, sizeof sql, "UPDATE tickets SET status = 'closed' WHERE id = %lld", c);
    h_db_exec(sql);
    /* Agreed callbacks (made by hand only; the rules create the other kinds) at NOW: one overdue,
     * one due later, one done (past due but not pending). */
    h_db_exec("INSERT INTO followups (kind, ticket_id, due_at, status, created_by, created_at,"
              " updated_at) SELECT 'agreed_callback', min(id), d::timestamptz, st, 't', now(),"
              " now() FROM tickets, (VALUES ('2026-11-27T09:59:00+08:00', 'pending'),"
              " ('2026-11-27T10:01:00+08:00', 'pending'), ('2026-11-26T10:00:00+08:00', 'done'))"
              " AS v(d, st) GROUP BY d, st");
    char *body = scrape(&srv, admin);
    assert_true(value(body, "hotline_gauges_up") == 1);
    assert_true(value(body, "hotline_tickets_open{class=\"special\",status=\"new\"}") == 1);
    assert_true(value(body, "hotline_tickets_open{class=\"special\",status=\"in_progress\"}") == 1);
    /* combinations without rows read 0; end states are not open */
    assert_true(value(body, "hotline_tickets_open{class=\"special\",status=\"relayed\"}") == 0);
    assert_true(
        isnan(prom_value(body, "hotline_tickets_open{class=\"special\",status=\"closed\"}")));
    assert_true(value(body, "hotline_followups_pending{kind=\"agreed_callback\"}") == 2);
    assert_true(value(body, "hotline_followups_overdue{kind=\"agreed_callback\"}") == 1);
    assert_true(value(body, "hotline_followups_overdue{kind=\"custom\"}") == 0);
    /* the open total is what the table says */
    assert_true(prom_sum(body, "hotline_tickets_open") ==
                (double)h_db_long("SELECT count(*) FROM tickets"
                                  " WHERE status NOT IN ('resolved', 'closed')"));
    free(body);
    /* the gauges follow the clock: a day later both agreed callbacks are overdue */
    hs_clock(&srv, "2026-11-28T10:00:00+08:00");
    body = scrape(&srv, admin);
    assert_true(value(body, "hotline_followups_overdue{kind=\"agreed_callback\"}") == 2);
    free(body);
    hs_clock(&srv, NOW);
}

/* Overdue tickets of one class, every escalation level. */
static double overdue_of(const char *body, const char *cls)
{
    double sum = 0;
    for (int level = 0; level <= 2; level++) {
        char series[128];
        snprintf(series, sizeof series,
                 "hotline_tickets_overdue{class=\"%s\",escalation_level=\"%d\"}", cls, level);
        sum += value(body, series);
    }
    return sum;
}

static void test_overdue_tickets_and_outbox(void **state)
{
    (void)state;
    /* A general ticket registered Friday 10:00 is due the same business day (18:00); at 19:00
     * the sweeper (every 200 ms in tests) marks it overdue (and may escalate it at once, the
     * escalation delay having passed), and the gauge follows. */
    hs_clock(&srv, NOW);
    create("general");
    char *body = scrape(&srv, admin);
    double before = overdue_of(body, "general");
    free(body);
    hs_clock(&srv, "2026-11-27T19:00:00+08:00");
    double now = before;
    for (int i = 0; i < 50 && now == before; i++) {
        h_sleep_ms(100);
        body = scrape(&srv, admin);
        now = overdue_of(body, "general");
        free(body);
    }
    assert_true(now == before + 1);
    body = scrape(&srv, admin);
    assert_true(
        value(body, "hotline_tickets_overdue{class=\"government\",escalation_level=\"2\"}") == 0);
    /* by class and level exactly as the table has them */
    assert_true(prom_sum(body, "hotline_tickets_overdue") ==
                (double)h_db_long("SELECT count(*) FROM tickets WHERE overdue"));
    char series[128];
    long long level = h_db_long("SELECT max(escalation_level) FROM tickets WHERE overdue"
                                " AND class = 'general'");
    snprintf(series, sizeof series,
             "hotline_tickets_overdue{class=\"general\",escalation_level=\"%lld\"}", level);
    assert_true(value(body, series) ==
                (double)h_db_long("SELECT count(*) FROM tickets WHERE overdue AND class = 'general'"
                                  " AND escalation_level = (SELECT max(escalation_level) FROM"
                                  " tickets WHERE overdue AND class = 'general')"));
    free(body);

    /* the outbox backlog: two pending; given up and delivered rows are not backlog */
    h_db_exec("INSERT INTO webhooks (url, secret, events, created_by, created_at, updated_at)"
              " VALUES ('https://example.invalid/h', 'sixteen-chars-secret', '{ticket.overdue}',"
              " 't', now(), now())");
    h_db_exec("INSERT INTO outbox (delivery_id, event, webhook_id, subject_type, subject_id,"
              " payload, status, next_attempt_at, created_at)"
              " SELECT 'd' || i, 'ticket.overdue', (SELECT max(id) FROM webhooks), 'ticket', 1,"
              " '{}', st, now(), now()"
              " FROM (VALUES (1, 'pending'), (2, 'pending'), (3, 'failed'), (4, 'delivered'))"
              " AS v(i, st)");
    body = scrape(&srv, admin);
    assert_true(value(body, "hotline_outbox_pending") == 2);
    assert_true(value(body, "hotline_outbox_failed") == 1);
    free(body);
    hs_clock(&srv, NOW);
}

static void test_reconnects_counted(void **state)
{
    (void)state;
    char *before = scrape(&srv, admin);
    double b = value(before, "hotline_db_reconnects_total");
    free(before);
    /* cut every connection of the server; the sweeper (every 200 ms) and the next requests
     * open new ones */
    h_db_exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
              " WHERE application_name = 'hotlined' AND datname = current_database()");
    double now = b;
    for (int i = 0; i < 50 && now <= b; i++) {
        h_sleep_ms(100);
        struct h_resp *r = h_get(&srv, SCRAPE_TOKEN, "/metrics");
        if (r->status == 200)
            now = prom_value(r->body, "hotline_db_reconnects_total");
        h_free(r);
    }
    assert_true(now > b);
}

static void test_scrape_token_without_database(void **state)
{
    (void)state;
    /* a server whose database never answers: the scrape still works, and says so */
    struct hs down;
    const char *env[] = {"HOTLINE_DATABASE_URL=host=127.0.0.1 port=1 dbname=none "
                         "connect_timeout=1",
                         "HOTLINE_METRICS_TOKEN=" SCRAPE_TOKEN, NULL};
    hs_start(&down, "metrics-nodb", env);
    char *body = scrape(&down, SCRAPE_TOKEN);
    prom_promtool(body);
    assert_true(value(body, "hotline_gauges_up") == 0);
    assert_true(isnan(prom_value(body, "hotline_tickets_open{class=\"hard\",status=\"new\"}")));
    assert_true(value(body, "hotline_db_connect_failures_total") >= 1);
    assert_true(value(body, "hotline_db_errors_total{kind=\"unavailable\"}") >= 1);
    free(body);
    /* admin tokens need the database, so they get 503, not a wrong answer */
    struct h_resp *r = h_get(&down, admin, "/metrics");
    h_expect_problem(r, 503);
    h_free(r);
    assert_int_equal(hs_stop(&down), 0);
}

static void test_bad_scrape_token_refused_at_start(void **state)
{
    (void)state;
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "HOTLINE_METRICS_TOKEN=short '%s' --version >/dev/null 2>&1; "
             "HOTLINE_METRICS_TOKEN=short HOTLINE_LISTEN=127.0.0.1:0 timeout 5 '%s' serve"
             " >/dev/null 2>&1",
             getenv("HOTLINE_TEST_BIN"), getenv("HOTLINE_TEST_BIN"));
    int rc = system(cmd);
    assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) == 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_who_may_read),
        cmocka_unit_test(test_format_passes_promtool),
        cmocka_unit_test(test_counters_move),
        cmocka_unit_test(test_hotline_gauges),
        cmocka_unit_test(test_overdue_tickets_and_outbox),
        cmocka_unit_test(test_reconnects_counted),
        cmocka_unit_test(test_scrape_token_without_database),
        cmocka_unit_test(test_bad_scrape_token_refused_at_start),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
