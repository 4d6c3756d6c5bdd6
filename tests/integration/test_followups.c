/**
 * @file test_followups.c
 * @brief Follow-up calls over HTTP with the clock moved: calling windows across lunch, evening,
 *        weekend and holiday; three unanswered attempts → failed → the owner told; declined is
 *        respected; a weekly callback made starts the next week; the agent's queue in order;
 *        overdue follow-ups; bad input refused with nothing changed.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct hs srv;
static const char *agent, *admin;
static long long ticket;

static int setup(void **state)
{
    (void)state;
    hs_start_at(&srv, "followups", NULL, "2026-11-26T10:00:00+08:00"); /* Thursday */
    agent = h_token("agent", "li");
    admin = h_token("admin", "ops");
    struct h_resp *r = h_req(&srv, "POST", "/tickets", agent,
                             "{\"class\":\"hard\",\"subject\":\"Call me back\","
                             "\"caller_phone\":\"13800138000\"}",
                             NULL);
    h_expect(r, 201);
    ticket = h_int(r->json, "id");
    h_free(r);
    r = h_req(&srv, "PUT", "/calendar/days/2026-12-31", admin,
              "{\"kind\":\"holiday\",\"name\":\"New Year's Eve off\"}", NULL);
    h_expect(r, 201);
    h_free(r);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(hs_stop(&srv), 0);
    return 0;
}

static json_t *create(const char *body, long expect)
{
    char path[64];
    snprintf(path, sizeof path, "/tickets/%lld/followups", ticket);
    struct h_resp *r = h_req(&srv, "POST", path, agent, body, NULL);
    h_expect(r, expect);
    json_t *j = json_incref(r->json);
    h_free(r);
    return j;
}

static void expect_instant(const json_t *t, const char *key, const char *want)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT ('%s'::timestamptz = '%s'::timestamptz)::int", h_str(t, key),
             want);
    if (h_db_long(sql) != 1)
        fail_msg("%s is %s, want %s", key, h_str(t, key), want);
}

static void test_calling_windows(void **state)
{
    (void)state;
    struct {
        const char *wanted, *due, *label;
    } rows[] = {
        {"2026-11-26T10:30:00+08:00", "2026-11-26T10:30:00+08:00", "in the morning window"},
        {"2026-11-26T12:30:00+08:00", "2026-11-26T14:00:00+08:00", "lunch"},
        {"2026-11-26T17:30:00+08:00", "2026-11-27T09:00:00+08:00", "evening"},
        {"2026-11-28T10:00:00+08:00", "2026-11-30T09:00:00+08:00", "weekend"},
        {"2026-12-30T17:05:00+08:00", "2027-01-01T09:00:00+08:00", "before a holiday"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char body[200];
        snprintf(body, sizeof body, "{\"kind\":\"agreed_callback\",\"due_at\":\"%s\"}",
                 rows[i].wanted);
        json_t *f = create(body, 201);
        expect_instant(f, "due_at", rows[i].due);
        assert_string_equal(h_str(f, "phone"), "13800138000");
        assert_string_equal(h_str(f, "agent"), "li");
        json_decref(f);
    }
    /* the customer asked for 19:00: urgent keeps the time */
    json_t *f = create("{\"kind\":\"agreed_callback\",\"due_at\":\"2026-11-26T19:00:00+08:00\","
                       "\"urgent\":true}",
                       201);
    expect_instant(f, "due_at", "2026-11-26T19:00:00+08:00");
    json_decref(f);
}

static long long attempt(long long id, const char *body, long expect, json_t **out)
{
    char path[64];
    snprintf(path, sizeof path, "/followups/%lld/attempts", id);
    struct h_resp *r = h_req(&srv, "POST", path, agent, body, NULL);
    h_expect(r, expect);
    if (out)
        *out = json_incref(r->json);
    h_free(r);
    return 0;
}

static void test_three_unanswered_then_failed(void **state)
{
    (void)state;
    hs_clock(&srv, "2026-11-26T10:00:00+08:00");
    json_t *f = create("{\"kind\":\"custom\",\"due_at\":\"2026-11-26T10:00:00+08:00\","
                       "\"notes\":\"confirm the address\"}",
                       201);
    long long id = h_int(f, "id");
    json_decref(f);
    json_t *after;
    attempt(id, "{\"outcome\":\"no_answer\"}", 201, &after);
    assert_string_equal(h_str(after, "status"), "pending");
    expect_instant(after, "due_at", "2026-11-26T11:00:00+08:00"); /* retry gap 60 min */
    json_decref(after);
    hs_clock(&srv, "2026-11-26T11:30:00+08:00");
    attempt(id, "{\"outcome\":\"busy\"}", 201, &after);
    expect_instant(after, "due_at", "2026-11-26T14:00:00+08:00"); /* 12:30 is lunch */
    json_decref(after);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM ticket_events WHERE ticket_id = %lld AND "
                              "kind = 'followup_failed'", ticket);
    long long before = h_db_long(sql);
    attempt(id, "{\"outcome\":\"no_answer\",\"notes\":\"third try\"}", 201, &after);
    assert_string_equal(h_str(after, "status"), "failed");
    assert_int_equal(h_int(after, "attempts"), 3);
    assert_int_equal(json_array_size(json_object_get(after, "attempt_log")), 3);
    json_decref(after);
    assert_int_equal(h_db_long(sql), before + 1); /* the owner is told */
    attempt(id, "{\"outcome\":\"reached\"}", 409, NULL); /* nothing more on a failed task */
}

static void test_declined_is_respected(void **state)
{
    (void)state;
    json_t *f = create("{\"kind\":\"custom\",\"due_at\":\"2026-11-26T10:00:00+08:00\"}", 201);
    long long id = h_int(f, "id");
    json_decref(f);
    json_t *after;
    attempt(id, "{\"outcome\":\"declined\",\"notes\":\"does not want calls\"}", 201, &after);
    assert_string_equal(h_str(after, "status"), "done");
    assert_string_equal(h_str(after, "outcome"), "declined");
    json_decref(after);
    attempt(id, "{\"outcome\":\"no_answer\"}", 409, NULL);
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM followup_attempts WHERE followup_id = %lld", id);
    assert_int_equal(h_db_long(sql), 1);
}

static void test_weekly_callback_made_starts_next_week(void **state)
{
    (void)state;
    hs_clock(&srv, "2026-11-26T10:00:00+08:00");
    struct h_resp *r = h_req(&srv, "POST", "/tickets", agent,
                             "{\"class\":\"special\",\"subject\":\"Company decision\","
                             "\"caller_phone\":\"13800138002\"}",
                             NULL);
    h_expect(r, 201);
    long long tid = h_int(r->json, "id");
    h_free(r);
    r = h_get(&srv, agent, "/followups?ticket_id=%lld&kind=weekly_callback&status=pending", tid);
    h_expect(r, 200);
    json_t *items = json_object_get(r->json, "items");
    assert_int_equal(json_array_size(items), 1);
    long long fid = h_int(json_array_get(items, 0), "id");
    h_free(r);
    hs_clock(&srv, "2026-12-03T10:30:00+08:00");
    attempt(fid, "{\"outcome\":\"reached\",\"notes\":\"decision expected next week\"}", 201, NULL);
    r = h_get(&srv, agent, "/tickets/%lld", tid);
    expect_instant(r->json, "next_callback_due_at", "2026-12-10T10:30:00+08:00");
    h_free(r);
    r = h_get(&srv, agent, "/followups?ticket_id=%lld&kind=weekly_callback&status=pending", tid);
    items = json_object_get(r->json, "items");
    assert_int_equal(json_array_size(items), 1);
    assert_true(h_int(json_array_get(items, 0), "id") != fid);
    expect_instant(json_array_get(items, 0), "due_at", "2026-12-10T10:30:00+08:00");
    h_free(r);
}

static void test_agent_queue_in_order(void **state)
{
    (void)state;
    const char *key[] = {"Idempotency-Key: queue-1", NULL};
    char path[64];
    snprintf(path, sizeof path, "/tickets/%lld/followups", ticket);
    const char *body = "{\"kind\":\"agreed_callback\",\"due_at\":\"2026-11-27T15:00:00+08:00\","
                       "\"agent\":\"queue-agent\"}";
    struct h_resp *a = h_req(&srv, "POST", path, agent, body, key);
    struct h_resp *b = h_req(&srv, "POST", path, agent, body, key);
    h_expect(a, 201);
    h_expect(b, 201);
    assert_int_equal(h_int(a->json, "id"), h_int(b->json, "id")); /* a retry is not a second call */
    h_free(a);
    h_free(b);
    json_decref(create("{\"kind\":\"agreed_callback\",\"due_at\":\"2026-11-27T09:30:00+08:00\","
                       "\"agent\":\"queue-agent\"}", 201));
    json_decref(create("{\"kind\":\"agreed_callback\",\"due_at\":\"2026-11-27T11:00:00+08:00\","
                       "\"agent\":\"queue-agent\"}", 201));
    struct h_resp *r = h_get(&srv, agent, "/followups?status=pending&agent=queue-agent&limit=2");
    h_expect(r, 200);
    json_t *items = json_object_get(r->json, "items");
    assert_int_equal(json_array_size(items), 2);
    expect_instant(json_array_get(items, 0), "due_at", "2026-11-27T09:30:00+08:00");
    expect_instant(json_array_get(items, 1), "due_at", "2026-11-27T11:00:00+08:00");
    const char *cursor = json_string_value(json_object_get(r->json, "next_cursor"));
    assert_non_null(cursor);
    struct h_resp *r2 = h_get(&srv, agent, "/followups?status=pending&agent=queue-agent&limit=2&cursor=%s", cursor);
    h_expect(r2, 200);
    items = json_object_get(r2->json, "items");
    assert_int_equal(json_array_size(items), 1);
    expect_instant(json_array_get(items, 0), "due_at", "2026-11-27T15:00:00+08:00");
    assert_true(json_is_null(json_object_get(r2->json, "next_cursor")));
    h_free(r);
    h_free(r2);
    r = h_get(&srv, agent, "/followups?status=pending&due_before=2026-11-27T10:00:00%%2B08:00&agent=queue-agent");
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 1);
    h_free(r);
}

static void test_overdue_followup(void **state)
{
    (void)state;
    hs_clock(&srv, "2026-11-26T10:00:00+08:00");
    json_t *f = create("{\"kind\":\"custom\",\"due_at\":\"2026-11-26T15:00:00+08:00\"}", 201);
    long long id = h_int(f, "id");
    json_decref(f);
    hs_clock(&srv, "2026-11-26T15:00:01+08:00");
    json_t *got = NULL;
    for (int i = 0; i < 100; i++) {
        struct h_resp *r = h_get(&srv, agent, "/followups/%lld", id);
        if (json_is_true(json_object_get(r->json, "overdue")))
            got = json_incref(r->json);
        h_free(r);
        if (got)
            break;
        h_sleep_ms(50);
    }
    assert_non_null(got);
    assert_int_equal(h_int(got, "escalation_level"), 1);
    json_decref(got);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM ticket_events WHERE kind = 'followup_overdue' "
                              "AND (after->>'followup_id')::bigint = %lld", id);
    h_sleep_ms(300);
    assert_int_equal(h_db_long(sql), 1);
}

static void test_bad_input_changes_nothing(void **state)
{
    (void)state;
    long long f0 = h_db_long("SELECT count(*) FROM followups");
    long long a0 = h_db_long("SELECT count(*) FROM followup_attempts");
    const char *bad[] = {
        "{\"kind\":\"weekly_callback\",\"due_at\":\"2026-11-26T10:00:00+08:00\"}",
        "{\"kind\":\"custom\"}",
        "{\"kind\":\"custom\",\"due_at\":\"tomorrow\"}",
        "{\"kind\":\"custom\",\"due_at\":\"2026-11-26T10:00:00+08:00\",\"phone\":\"call me\"}",
        "{\"kind\":\"custom\",\"due_at\":\"2026-11-26T10:00:00+08:00\",\"priority\":1}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        json_decref(create(bad[i], 400));
    struct h_resp *r = h_req(&srv, "POST", "/tickets/999999/followups", agent,
                             "{\"kind\":\"custom\",\"due_at\":\"2026-11-26T10:00:00+08:00\"}", NULL);
    h_expect_problem(r, 404);
    h_free(r);
    json_t *f = create("{\"kind\":\"custom\",\"due_at\":\"2026-11-26T10:00:00+08:00\"}", 201);
    long long id = h_int(f, "id");
    json_decref(f);
    attempt(id, "{\"outcome\":\"hung_up\"}", 400, NULL);
    attempt(id, "{\"outcome\":\"no_answer\",\"satisfaction\":5}", 400, NULL);
    attempt(id, "{\"outcome\":\"reached\",\"satisfaction\":6}", 400, NULL);
    attempt(999999, "{\"outcome\":\"reached\"}", 404, NULL);
    r = h_get(&srv, agent, "/followups?status=waiting");
    h_expect_problem(r, 400);
    h_free(r);
    assert_int_equal(h_db_long("SELECT count(*) FROM followups"), f0 + 1);
    assert_int_equal(h_db_long("SELECT count(*) FROM followup_attempts"), a0);
}

/* The sweeper's second pass (still pending 4 h after overdue) reads its own partial index, not
 * every pending follow-up. Inside a transaction that is rolled back, so nothing is left. */
static void test_escalation_query_uses_the_index(void **state)
{
    (void)state;
    PGconn *db = h_db();
    h_db_exec("BEGIN");
    h_db_exec("INSERT INTO followups (kind, due_at, status, escalation_level, overdue_at, "
              "created_by, created_at, updated_at) "
              "SELECT 'custom', timestamptz '2030-01-01', 'pending', "
              "CASE WHEN g % 1000 = 0 THEN 1 ELSE 0 END, "
              "CASE WHEN g % 1000 = 0 THEN timestamptz '2030-01-01' END, 'bulk', now(), now() "
              "FROM generate_series(1, 100000) g");
    h_db_exec("ANALYZE followups");
    PGresult *res = PQexec(db, "EXPLAIN SELECT id FROM followups WHERE status = 'pending' AND "
                               "escalation_level = 1 AND overdue_at <= now() - interval '4 hours' "
                               "ORDER BY overdue_at, id LIMIT 100 FOR UPDATE SKIP LOCKED");
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    bool uses_index = false;
    for (int i = 0; i < PQntuples(res); i++)
        uses_index |= strstr(PQgetvalue(res, i, 0), "followups_overdue_escalate") != NULL;
    char plan[256];
    snprintf(plan, sizeof plan, "%s", PQntuples(res) ? PQgetvalue(res, 0, 0) : "(no plan)");
    PQclear(res);
    h_db_exec("ROLLBACK");
    if (!uses_index)
        fail_msg("the escalation pass does not use followups_overdue_escalate: %s", plan);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calling_windows),
        cmocka_unit_test(test_three_unanswered_then_failed),
        cmocka_unit_test(test_declined_is_respected),
        cmocka_unit_test(test_weekly_callback_made_starts_next_week),
        cmocka_unit_test(test_agent_queue_in_order),
        cmocka_unit_test(test_overdue_followup),
        cmocka_unit_test(test_bad_input_changes_nothing),
        cmocka_unit_test(test_escalation_query_uses_the_index),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
