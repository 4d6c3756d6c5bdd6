/**
 * @file test_rules.c
 * @brief The duty rules through the HTTP API with the clock moved: deadlines per class, the
 *        sweeper marking tickets overdue and escalating them, the calendar API and its effect,
 *        the state machine refusing a forbidden transition.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct hs srv;
static const char *agent, *admin, *cti;

static int setup(void **state)
{
    (void)state;
    hs_start_at(&srv, "rules", NULL, "2026-11-26T10:00:00+08:00"); /* a Thursday */
    agent = h_token("agent", "li");
    admin = h_token("admin", "ops");
    cti = h_token("cti", "pbx");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(hs_stop(&srv), 0);
    return 0;
}

static json_t *create(const char *body)
{
    struct h_resp *r = h_req(&srv, "POST", "/tickets", agent, body, NULL);
    h_expect(r, 201);
    json_t *t = json_incref(r->json);
    h_free(r);
    return t;
}

static json_t *get(long long id)
{
    struct h_resp *r = h_get(&srv, agent, "/tickets/%lld", id);
    h_expect(r, 200);
    json_t *t = json_incref(r->json);
    h_free(r);
    return t;
}

/* Compare an RFC 3339 member with an instant, whatever offset the server wrote it in. */
static void expect_instant(const json_t *t, const char *key, const char *want)
{
    const char *got = h_str(t, key);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "SELECT ('%s'::timestamptz = '%s'::timestamptz)::int", got, want);
    if (h_db_long(cmd) != 1)
        fail_msg("%s is %s, want %s", key, got, want);
}

/* Move the clock and wait until the sweeper has looked at the ticket at that time. */
static json_t *at_time(long long id, const char *when, bool expect_overdue)
{
    hs_clock(&srv, when);
    for (int i = 0; i < 100; i++) {
        json_t *t = get(id);
        if (json_is_true(json_object_get(t, "overdue")) == expect_overdue)
            return t;
        json_decref(t);
        h_sleep_ms(50);
    }
    fail_msg("ticket %lld: overdue did not become %d at %s", id, expect_overdue, when);
    return NULL;
}

static long long count_events(long long id, const char *kind)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM ticket_events WHERE ticket_id = %lld "
                              "AND kind = '%s'", id, kind);
    return h_db_long(sql);
}

static void test_general_overdue_at_closing(void **state)
{
    (void)state;
    hs_clock(&srv, "2026-11-26T10:00:00+08:00");
    json_t *t = create("{\"class\":\"general\",\"subject\":\"Opening hours?\"}");
    long long id = h_int(t, "id");
    expect_instant(t, "resolve_due_at", "2026-11-26T18:00:00+08:00");
    assert_non_null(strstr(h_str(json_object_get(t, "deadline_rules"), "resolve_due_at"),
                           "same business day"));
    assert_false(json_is_true(json_object_get(t, "overdue")));
    json_decref(t);
    /* one second before closing nothing happens; give the sweeper a few passes */
    hs_clock(&srv, "2026-11-26T17:59:59+08:00");
    h_sleep_ms(600);
    t = get(id);
    assert_false(json_is_true(json_object_get(t, "overdue")));
    assert_int_equal(count_events(id, "overdue"), 0);
    json_decref(t);
    /* at closing it is overdue and the supervisor must act */
    t = at_time(id, "2026-11-26T18:00:00+08:00", true);
    assert_int_equal(h_int(t, "escalation_level"), 1);
    assert_string_equal(h_str(t, "must_act"), "supervisor");
    expect_instant(t, "overdue_since", "2026-11-26T18:00:00+08:00");
    json_decref(t);
    h_sleep_ms(400);
    assert_int_equal(count_events(id, "overdue"), 1);
    assert_int_equal(count_events(id, "escalated"), 1);
    /* after the escalation delay (240 minutes) the manager */
    hs_clock(&srv, "2026-11-26T22:00:00+08:00");
    for (int i = 0; i < 100; i++) {
        t = get(id);
        if (h_int(t, "escalation_level") == 2)
            break;
        json_decref(t);
        t = NULL;
        h_sleep_ms(50);
    }
    assert_non_null(t);
    assert_string_equal(h_str(t, "must_act"), "manager");
    json_decref(t);
    h_sleep_ms(400);
    assert_int_equal(count_events(id, "escalated"), 2);
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM ticket_escalations WHERE ticket_id = %lld", id);
    assert_int_equal(h_db_long(sql), 2);
    /* listed as overdue and as escalated to the manager */
    struct h_resp *r = h_get(&srv, agent, "/tickets?overdue=true&escalation_level=2&limit=200");
    h_expect(r, 200);
    bool found = false;
    json_t *items = json_object_get(r->json, "items");
    for (size_t i = 0; i < json_array_size(items); i++)
        found |= h_int(json_array_get(items, i), "id") == id;
    assert_true(found);
    h_free(r);
    /* resolving stops the clock and clears the overdue mark */
    char path[64];
    snprintf(path, sizeof path, "/tickets/%lld/transitions", id);
    r = h_req(&srv, "POST", path, agent, "{\"to\":\"resolved\",\"note\":\"Told the customer\"}",
              NULL);
    h_expect(r, 200);
    assert_false(json_is_true(json_object_get(r->json, "overdue")));
    assert_true(json_is_null(json_object_get(r->json, "next_due_at")));
    h_free(r);
}

static void test_hard_on_second_business_day(void **state)
{
    (void)state;
    hs_clock(&srv, "2026-11-27T19:00:00+08:00"); /* Friday evening */
    json_t *t = create("{\"class\":\"hard\",\"subject\":\"Warranty across two departments\"}");
    long long id = h_int(t, "id");
    expect_instant(t, "resolve_due_at", "2026-12-01T18:00:00+08:00"); /* Tuesday */
    json_decref(t);
    t = at_time(id, "2026-12-01T17:59:00+08:00", false);
    json_decref(t);
    t = at_time(id, "2026-12-01T18:00:01+08:00", true);
    json_decref(t);
}

static void test_special_weekly_callbacks(void **state)
{
    (void)state;
    hs_clock(&srv, "2026-11-26T10:00:00+08:00");
    json_t *t = create("{\"class\":\"special\",\"subject\":\"Company decision on refund policy\","
                       "\"caller_phone\":\"13800138000\"}");
    long long id = h_int(t, "id");
    assert_true(json_is_null(json_object_get(t, "resolve_due_at")));
    expect_instant(t, "next_callback_due_at", "2026-12-03T10:00:00+08:00");
    json_decref(t);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM followups WHERE ticket_id = %lld AND kind = "
                              "'weekly_callback' AND status = 'pending' AND due_at = "
                              "'2026-12-03T10:00:00+08:00'", id);
    assert_int_equal(h_db_long(sql), 1);
    t = at_time(id, "2026-12-03T10:00:00+08:00", true);
    json_decref(t);
    h_sleep_ms(300);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM ticket_events WHERE ticket_id = %lld AND "
                              "kind = 'overdue' AND after->>'deadline' = 'weekly_callback'", id);
    assert_int_equal(h_db_long(sql), 1);
}

static void test_government_relay_at_minute_15(void **state)
{
    (void)state;
    hs_clock(&srv, "2026-11-29T03:00:00+08:00"); /* 03:00 on a Sunday */
    struct h_resp *r = h_req(&srv, "POST", "/tickets", cti,
                             "{\"class\":\"government\",\"subject\":\"Road collapse reported\","
                             "\"owner\":\"li\"}",
                             NULL);
    h_expect(r, 201);
    long long id = h_int(r->json, "id");
    expect_instant(r->json, "relay_due_at", "2026-11-29T03:15:00+08:00");
    h_free(r);
    json_t *t = at_time(id, "2026-11-29T03:14:59+08:00", false);
    json_decref(t);
    t = at_time(id, "2026-11-29T03:15:00+08:00", true);
    json_decref(t);
    /* the relay made late: the relay deadline is met, the callback now runs for 60 minutes */
    hs_clock(&srv, "2026-11-29T03:20:00+08:00");
    char path[64];
    snprintf(path, sizeof path, "/tickets/%lld/transitions", id);
    r = h_req(&srv, "POST", path, agent, "{\"to\":\"relayed\",\"note\":\"Told the district\"}",
              NULL);
    h_expect(r, 200);
    assert_false(json_is_true(json_object_get(r->json, "overdue")));
    expect_instant(r->json, "relayed_at", "2026-11-29T03:20:00+08:00");
    expect_instant(r->json, "callback_due_at", "2026-11-29T04:20:00+08:00");
    h_free(r);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM followups WHERE ticket_id = %lld AND kind = "
                              "'government_callback' AND status = 'pending'", id);
    assert_int_equal(h_db_long(sql), 1);
    t = at_time(id, "2026-11-29T04:20:00+08:00", true);
    assert_int_equal(h_int(t, "escalation_level"), 2); /* second breach: one level more */
    json_decref(t);
}

static void test_complaint_progress_notice(void **state)
{
    (void)state;
    hs_clock(&srv, "2026-11-26T10:00:00+08:00");
    json_t *t = create("{\"class\":\"hard\",\"kind\":\"complaint\",\"subject\":\"Rude courier\","
                       "\"caller_phone\":\"13800138001\",\"complaint\":{\"product\":\"Delivery\","
                       "\"what_happened\":\"The courier shouted\",\"customer_wants\":"
                       "\"An apology\"}}");
    long long id = h_int(t, "id");
    expect_instant(t, "progress_due_at", "2026-11-27T10:00:00+08:00");
    json_decref(t);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM followups WHERE ticket_id = %lld AND kind = "
                              "'progress_notice' AND status = 'pending'", id);
    assert_int_equal(h_db_long(sql), 1);
    t = at_time(id, "2026-11-27T09:59:00+08:00", false);
    json_decref(t);
    t = at_time(id, "2026-11-27T10:00:00+08:00", true);
    json_decref(t);
    /* resolving cancels the rule's pending follow-ups */
    char path[64];
    snprintf(path, sizeof path, "/tickets/%lld/transitions", id);
    struct h_resp *r = h_req(&srv, "POST", path, agent,
                             "{\"to\":\"resolved\",\"note\":\"Apologised, courier retrained\"}",
                             NULL);
    h_expect(r, 200);
    h_free(r);
    assert_int_equal(h_db_long(sql), 0);
}

static void test_forbidden_transition(void **state)
{
    (void)state;
    hs_clock(&srv, "2026-11-26T10:00:00+08:00");
    json_t *t = create("{\"class\":\"general\",\"subject\":\"Close me too early\"}");
    long long id = h_int(t, "id");
    json_decref(t);
    char path[64];
    snprintf(path, sizeof path, "/tickets/%lld/transitions", id);
    long long events = count_events(id, "transition");
    struct h_resp *r = h_req(&srv, "POST", path, agent, "{\"to\":\"closed\"}", NULL);
    h_expect_problem(r, 409);
    json_t *allowed = json_object_get(r->json, "allowed");
    assert_int_equal(json_array_size(allowed), 3);
    assert_string_equal(json_string_value(json_array_get(allowed, 0)), "in_progress");
    h_free(r);
    r = h_req(&srv, "POST", path, agent, "{\"to\":\"resolved\"}", NULL); /* no note */
    h_expect_problem(r, 400);
    h_free(r);
    r = h_req(&srv, "POST", path, agent, "{\"to\":\"archived\"}", NULL);
    h_expect_problem(r, 400);
    h_free(r);
    const char *stale[] = {"If-Match: \"7\"", NULL};
    r = h_req(&srv, "POST", path, agent, "{\"to\":\"in_progress\"}", stale);
    h_expect_problem(r, 412);
    h_free(r);
    assert_int_equal(count_events(id, "transition"), events);
    /* allowed ones are recorded with who and why */
    r = h_req(&srv, "POST", path, agent, "{\"to\":\"in_progress\",\"note\":\"on it\"}", NULL);
    h_expect(r, 200);
    assert_string_equal(h_str(r->json, "status"), "in_progress");
    h_free(r);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM ticket_events WHERE ticket_id = %lld AND kind "
                              "= 'transition' AND actor = 'li' AND note = 'on it' AND "
                              "after->>'status' = 'in_progress'", id);
    assert_int_equal(h_db_long(sql), 1);
}

static void test_calendar_api(void **state)
{
    (void)state;
    struct h_resp *r = h_get(&srv, agent, "/calendar");
    h_expect(r, 200);
    assert_string_equal(h_str(r->json, "opens"), "09:00");
    assert_string_equal(h_str(r->json, "closes"), "18:00");
    assert_int_equal(h_int(json_object_get(r->json, "rules"), "government_relay_minutes"), 15);
    h_free(r);
    /* bad settings name their field and change nothing */
    const char *base = "{\"zone\":\"%s\",\"working_days\":[\"monday\",\"tuesday\",\"wednesday\","
                       "\"thursday\",\"friday\"],\"opens\":\"%s\",\"closes\":\"%s\",\"lunch\":"
                       "{\"start\":\"%s\",\"end\":\"14:00\"},\"calling_windows\":[{\"start\":"
                       "\"09:00\",\"end\":\"12:00\"},{\"start\":\"14:00\",\"end\":\"17:00\"}],"
                       "\"rules\":{\"general_days\":1,\"hard_days\":2,\"special_callback_days\":7,"
                       "\"government_relay_minutes\":15,\"government_callback_minutes\":60,"
                       "\"complaint_notice_hours\":24,\"escalation_delay_minutes\":240,"
                       "\"followup_retry_minutes\":60,\"followup_max_attempts\":3,"
                       "\"satisfaction_after_business_days\":1,"
                       "\"dispatch_accept_business_minutes\":120,\"warning_percent\":80,"
                       "\"satisfaction_min_score\":4}}";
    struct {
        const char *zone, *opens, *closes, *lunch, *field;
    } bad[] = {
        {"Asia/Shanghai", "18:00", "09:00", "12:00", "closes"},
        {"Asia/Shanghai", "09:00", "18:00", "19:00", "lunch"},
        {"Mars/Olympus_Mons", "09:00", "18:00", "12:00", "zone"},
        {"../../etc/passwd", "09:00", "18:00", "12:00", "zone"},
        {"Asia/Shanghai", "9am", "18:00", "12:00", "opens"},
    };
    char body[1200];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(body, sizeof body, base, bad[i].zone, bad[i].opens, bad[i].closes, bad[i].lunch);
        r = h_req(&srv, "PUT", "/calendar", admin, body, NULL);
        h_expect_problem(r, 400);
        if (strcmp(h_str(json_array_get(json_object_get(r->json, "errors"), 0), "field"),
                   bad[i].field) != 0)
            fail_msg("expected an error on %s: %s", bad[i].field, r->body);
        h_free(r);
    }
    assert_int_equal(h_db_long("SELECT version FROM calendar_settings"), 1);
    /* only admin may change it */
    snprintf(body, sizeof body, base, "Asia/Shanghai", "09:00", "18:00", "12:00");
    r = h_req(&srv, "PUT", "/calendar", agent, body, NULL);
    h_expect_problem(r, 403);
    h_free(r);
    r = h_req(&srv, "PUT", "/calendar", admin, body, NULL);
    h_expect(r, 200);
    assert_int_equal(h_int(r->json, "version"), 2);
    h_free(r);
    /* days: bad dates, then a holiday on Friday moves a Thursday-evening deadline to Monday */
    r = h_req(&srv, "PUT", "/calendar/days/2026-02-30", admin,
              "{\"kind\":\"holiday\",\"name\":\"Nope\"}", NULL);
    h_expect_problem(r, 400);
    assert_string_equal(h_str(json_array_get(json_object_get(r->json, "errors"), 0), "field"), "date");
    h_free(r);
    r = h_req(&srv, "PUT", "/calendar/days/2026-12-04", admin, "{\"kind\":\"feast\"}", NULL);
    h_expect_problem(r, 400);
    h_free(r);
    r = h_req(&srv, "PUT", "/calendar/days/2026-12-04", admin,
              "{\"kind\":\"holiday\",\"name\":\"Company day\"}", NULL);
    h_expect(r, 201);
    h_free(r);
    r = h_req(&srv, "PUT", "/calendar/days/2026-12-04", admin,
              "{\"kind\":\"holiday\",\"name\":\"Company day off\"}", NULL);
    h_expect(r, 200);
    h_free(r);
    r = h_get(&srv, agent, "/calendar/days/2026-12-04");
    h_expect(r, 200);
    assert_string_equal(h_str(r->json, "name"), "Company day off");
    h_free(r);
    r = h_get(&srv, agent, "/calendar/days?from=2026-12-01&to=2026-12-31");
    h_expect(r, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 1);
    h_free(r);
    r = h_req(&srv, "PUT", "/calendar/days/2026-12-05", admin,
              "{\"kind\":\"workday\",\"name\":\"Make-up Saturday\"}", NULL);
    h_expect(r, 201);
    h_free(r);
    hs_clock(&srv, "2026-12-03T18:30:00+08:00"); /* Thursday evening, Friday off */
    json_t *t = create("{\"class\":\"general\",\"subject\":\"After the holiday\"}");
    expect_instant(t, "resolve_due_at", "2026-12-05T18:00:00+08:00"); /* the make-up Saturday */
    json_decref(t);
    r = h_req(&srv, "DELETE", "/calendar/days/2026-12-05", admin, NULL, NULL);
    h_expect(r, 204);
    h_free(r);
    t = create("{\"class\":\"general\",\"subject\":\"Without the make-up day\"}");
    expect_instant(t, "resolve_due_at", "2026-12-07T18:00:00+08:00"); /* Monday */
    json_decref(t);
    r = h_req(&srv, "DELETE", "/calendar/days/2026-12-05", admin, NULL, NULL);
    h_expect_problem(r, 404);
    h_free(r);
    r = h_req(&srv, "DELETE", "/calendar/days/2026-12-04", admin, NULL, NULL);
    h_expect(r, 204);
    h_free(r);
}

static void test_class_change_recomputes(void **state)
{
    (void)state;
    hs_clock(&srv, "2026-11-26T10:00:00+08:00");
    json_t *t = create("{\"class\":\"general\",\"subject\":\"Turns out to be hard\"}");
    long long id = h_int(t, "id");
    json_decref(t);
    char path[64];
    snprintf(path, sizeof path, "/tickets/%lld", id);
    struct h_resp *r = h_req(&srv, "PATCH", path, agent, "{\"class\":\"hard\"}", NULL);
    h_expect(r, 200);
    expect_instant(r->json, "resolve_due_at", "2026-11-27T18:00:00+08:00");
    assert_non_null(strstr(h_str(json_object_get(r->json, "deadline_rules"), "resolve_due_at"),
                           "hard"));
    h_free(r);
    assert_int_equal(count_events(id, "deadlines_recomputed"), 1);
}

static void test_due_queries_use_the_index(void **state)
{
    (void)state;
    h_db_exec("INSERT INTO tickets (class, kind, subject, owner, created_by, created_at, "
              "updated_at, resolve_due_at, next_due_at, status) "
              "SELECT 'general', 'inquiry', 'bulk', 'bulk', 'bulk', now(), now(), "
              "now() + interval '1 year', CASE WHEN g % 1000 = 0 THEN now() + interval '1 year' "
              "END, CASE WHEN g % 1000 = 0 THEN 'new' ELSE 'closed' END "
              "FROM generate_series(1, 200000) g");
    h_db_exec("ANALYZE tickets");
    PGresult *res = PQexec(h_db(), "EXPLAIN SELECT id FROM tickets WHERE next_due_at <= now() "
                                   "ORDER BY next_due_at LIMIT 100 FOR UPDATE SKIP LOCKED");
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    bool uses_index = false;
    for (int i = 0; i < PQntuples(res); i++)
        uses_index |= strstr(PQgetvalue(res, i, 0), "tickets_next_due") != NULL;
    if (!uses_index)
        fail_msg("the sweeper's claim does not use tickets_next_due: %s", PQgetvalue(res, 0, 0));
    PQclear(res);
    h_db_exec("DELETE FROM tickets WHERE subject = 'bulk'");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_general_overdue_at_closing),
        cmocka_unit_test(test_hard_on_second_business_day),
        cmocka_unit_test(test_special_weekly_callbacks),
        cmocka_unit_test(test_government_relay_at_minute_15),
        cmocka_unit_test(test_complaint_progress_notice),
        cmocka_unit_test(test_forbidden_transition),
        cmocka_unit_test(test_calendar_api),
        cmocka_unit_test(test_class_change_recomputes),
        cmocka_unit_test(test_due_queries_use_the_index),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
