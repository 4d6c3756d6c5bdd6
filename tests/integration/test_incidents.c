/**
 * @file test_incidents.c
 * @brief Emergencies through the HTTP API: an emergency call becomes an incident whose signed
 *        relay reaches a local receiver within a second; the lifecycle through the state
 *        machine with its roles and history; bad reports change nothing.
 */
#include "harness.h"
#include "harness_receiver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECRET "ops-secret-0123456789"

static struct hs srv;
static struct receiver *rx;
static const char *agent, *supervisor, *ops, *cti, *admin;
static const char *env[] = {"HOTLINE_OUTBOX_BACKOFF_MS=1000", "HOTLINE_OUTBOX_TIMEOUT_MS=2000",
                            NULL};

static const char *const report =
    "{\"hazard\":\"gas_leak\",\"severity\":\"critical\",\"location\":\"No. 5 Jianshe Road, "
    "stairwell of building 2\",\"area_code\":\"A12\",\"street\":\"Jianshe Road\","
    "\"description\":\"Strong smell of gas on every floor\",\"reporter_name\":\"王五\","
    "\"reporter_phone\":\"138 0013 8000\"}";

static int setup(void **state)
{
    (void)state;
    rx = rx_start();
    assert_non_null(rx);
    hs_start_at(&srv, "incidents", env, "2026-11-29T03:00:00+08:00"); /* 03:00 on a Sunday: emergencies never wait */
    agent = h_token("agent", "li");
    supervisor = h_token("supervisor", "zhou");
    ops = h_token("operations", "dispatch");
    cti = h_token("cti", "pbx");
    admin = h_token("admin", "root");
    char body[400];
    snprintf(body, sizeof body,
             "{\"url\":\"%s\",\"secret\":\"" SECRET "\",\"events\":[\"incident.relay\","
             "\"incident.escalated\"],\"description\":\"operations duty room\"}",
             rx_url(rx));
    struct h_resp *r = h_req(&srv, "POST", "/webhooks", admin, body, NULL);
    h_expect(r, 201);
    h_free(r);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    int rc = hs_stop(&srv);
    rx_stop(rx);
    assert_int_equal(rc, 0);
    return 0;
}

static struct h_resp *post(const char *token, const char *path, const char *body)
{
    return h_req(&srv, "POST", path, token, body, NULL);
}

static json_t *incident(long long id)
{
    struct h_resp *r = h_get(&srv, agent, "/incidents/%lld", id);
    h_expect(r, 200);
    json_t *j = json_incref(r->json);
    h_free(r);
    return j;
}

/* Index of the first relay of this incident from message `from` on, or -1. */
static int find_relay(long long id, int from, struct rx_msg *out)
{
    for (int i = from; rx_get(rx, i, out); i++) {
        json_t *b = json_loads(out->body, 0, NULL);
        bool hit = strcmp(out->event, "incident.relay") == 0 &&
                   json_integer_value(json_object_get(json_object_get(b, "data"), "id")) == id;
        json_decref(b);
        if (hit)
            return i;
    }
    return -1;
}

static long long counts(void)
{
    return h_db_long("SELECT (SELECT count(*) FROM incidents) * 1000000 + (SELECT count(*) FROM "
                     "incident_events) * 1000 + (SELECT count(*) FROM outbox)");
}

static void test_emergency_call_relayed_at_once(void **state)
{
    (void)state;
    struct h_resp *r = post(agent, "/tickets",
                            "{\"class\":\"general\",\"kind\":\"emergency\",\"subject\":\"Gas smell "
                            "in Jianshe Road\",\"details\":\"Caller smells gas in the stairwell\","
                            "\"caller_name\":\"王五\",\"caller_phone\":\"13800138000\"}");
    h_expect(r, 201);
    long long ticket = h_int(r->json, "id");
    h_free(r);
    int before = rx_count(rx);
    double t0 = h_now();
    char path[64];
    snprintf(path, sizeof path, "/tickets/%lld/incident", ticket);
    r = post(agent, path, "{\"hazard\":\"gas_leak\",\"severity\":\"high\",\"location\":"
                          "\"Jianshe Road 5\",\"area_code\":\"A12\"}");
    h_expect(r, 201);
    long long id = h_int(r->json, "id");
    assert_string_equal(h_str(r->json, "status"), "reported");
    assert_string_equal(h_str(r->json, "description"), "Caller smells gas in the stairwell");
    assert_string_equal(h_str(r->json, "reporter_phone_normalized"), "8613800138000");
    assert_int_equal(h_int(r->json, "ticket_id"), ticket);
    assert_int_equal(h_int(json_object_get(r->json, "relay"), "queued"), 1);
    assert_non_null(h_header(r, "Location"));
    h_free(r);
    /* the signed relay reaches operations within a second */
    assert_true(rx_wait(rx, before + 1, 2000));
    double took = h_now() - t0;
    struct rx_msg m;
    assert_true(find_relay(id, before, &m) >= 0);
    if (took > 1.0)
        fail_msg("the relay took %.2f s", took);
    assert_true(rx_signature_ok(&m, SECRET));
    json_t *b = json_loads(m.body, 0, NULL);
    assert_string_equal(h_str(json_object_get(b, "data"), "hazard"), "gas_leak");
    assert_string_equal(h_str(json_object_get(b, "data"), "location"), "Jianshe Road 5");
    json_decref(b);
    /* the delivery makes it relayed (the sweeper reads the outbox) */
    json_t *i = NULL;
    for (int k = 0; k < 100; k++) {
        i = incident(id);
        if (strcmp(h_str(i, "status"), "relayed") == 0)
            break;
        json_decref(i);
        i = NULL;
        h_sleep_ms(50);
    }
    assert_non_null(i);
    assert_true(json_is_string(json_object_get(i, "relayed_at")));
    assert_int_equal(h_int(json_object_get(i, "relay"), "delivered"), 1);
    json_decref(i);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM ticket_events WHERE ticket_id = %lld AND "
                              "kind = 'incident_reported' AND (after->>'incident_id')::bigint = "
                              "%lld", ticket, id);
    assert_int_equal(h_db_long(sql), 1);
    /* one incident per ticket; only emergencies start one */
    long long c0 = counts();
    r = post(agent, path, "{\"hazard\":\"gas_leak\",\"severity\":\"high\",\"location\":\"x\"}");
    h_expect_problem(r, 409);
    h_free(r);
    r = post(agent, "/tickets", "{\"class\":\"general\",\"subject\":\"Opening hours?\"}");
    long long plain = h_int(r->json, "id");
    h_free(r);
    snprintf(path, sizeof path, "/tickets/%lld/incident", plain);
    r = post(agent, path, "{\"hazard\":\"gas_leak\",\"severity\":\"high\",\"location\":\"x\"}");
    h_expect_problem(r, 409);
    h_free(r);
    r = post(agent, "/tickets/999999/incident",
             "{\"hazard\":\"gas_leak\",\"severity\":\"high\",\"location\":\"x\"}");
    h_expect_problem(r, 404);
    h_free(r);
    assert_int_equal(counts(), c0);
}

static void test_bad_reports_change_nothing(void **state)
{
    (void)state;
    long long c0 = counts();
    static const char *const bad[] = {
        "{}",
        "[]",
        "{\"hazard\":\"gas_leak\"}",
        "{\"hazard\":\"dragon\",\"severity\":\"high\",\"location\":\"x\",\"description\":\"y\"}",
        "{\"hazard\":\"gas_leak\",\"severity\":\"high\",\"location\":\"\",\"description\":\"y\"}",
        "{\"hazard\":\"gas_leak\",\"severity\":\"high\",\"location\":\"x\",\"description\":\"y\","
        "\"reporter_phone\":\"call me\"}",
        "{\"hazard\":\"gas_leak\",\"severity\":\"high\",\"location\":\"x\",\"description\":\"y\","
        "\"status\":\"closed\"}",
        "{\"hazard\":\"gas_leak\",\"severity\":\"high\",\"location\":\"x\",\"description\":\"y\","
        "\"hazard\":\"fire\"}",
        "{\"hazard\":",
        NULL};
    for (int i = 0; bad[i]; i++) {
        struct h_resp *r = post(agent, "/incidents", bad[i]);
        h_expect_problem(r, 400);
        h_free(r);
    }
    struct h_resp *r = post(cti, "/incidents", report);
    h_expect_problem(r, 403);
    h_free(r);
    r = post(ops, "/incidents", report);
    h_expect_problem(r, 403);
    h_free(r);
    r = post(NULL, "/incidents", report);
    h_expect_problem(r, 401);
    h_free(r);
    r = h_req(&srv, "POST", "/incidents", agent, "hazard=gas_leak",
              (const char *const[]){"Content-Type: text/plain", NULL});
    h_expect_problem(r, 415);
    h_free(r);
    assert_int_equal(counts(), c0);
}

static long long create(const char *key)
{
    char line[128];
    snprintf(line, sizeof line, "Idempotency-Key: %s", key);
    struct h_resp *r = h_req(&srv, "POST", "/incidents", agent, report,
                             (const char *const[]){line, NULL});
    h_expect(r, 201);
    long long id = h_int(r->json, "id");
    h_free(r);
    return id;
}

static struct h_resp *move(const char *token, long long id, const char *body)
{
    char path[64];
    snprintf(path, sizeof path, "/incidents/%lld/transitions", id);
    return post(token, path, body);
}

static void expect_allowed(const struct h_resp *r, const char *from, const char *allowed)
{
    h_expect_problem(r, 409);
    assert_string_equal(h_str(r->json, "from"), from);
    json_t *a = json_object_get(r->json, "allowed");
    char got[128] = "";
    for (size_t i = 0; i < json_array_size(a); i++) {
        size_t len = strlen(got);
        snprintf(got + len, sizeof got - len, "%s%s", i ? "," : "",
                 json_string_value(json_array_get(a, i)));
    }
    assert_string_equal(got, allowed);
}

static void test_lifecycle_roles_and_history(void **state)
{
    (void)state;
    rx_pause(rx); /* no delivery: the incident stays reported until operations acknowledges */
    long long id = create("desk-7-incident-1");
    /* a retried report is the same incident, relayed once */
    long long again = create("desk-7-incident-1");
    assert_int_equal(again, id);
    char sql[200], path[64];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM outbox WHERE subject_type = 'incident' AND "
                              "subject_id = %lld", id);
    assert_int_equal(h_db_long(sql), 1);
    snprintf(path, sizeof path, "/incidents/%lld/ack", id);
    /* only operations acknowledges */
    struct h_resp *r = post(agent, path, NULL);
    h_expect_problem(r, 403);
    h_free(r);
    r = move(supervisor, id, "{\"to\":\"acknowledged\"}");
    h_expect_problem(r, 403);
    h_free(r);
    r = move(agent, id, "{\"to\":\"repairing\"}");
    expect_allowed(r, "reported", "relayed");
    h_free(r);
    r = post(ops, path, NULL);
    h_expect(r, 200);
    assert_string_equal(h_str(r->json, "status"), "acknowledged");
    assert_string_equal(h_str(r->json, "acknowledged_by"), "dispatch");
    assert_true(json_is_null(json_object_get(r->json, "next_due_at")));
    h_free(r);
    r = post(ops, path, NULL);
    expect_allowed(r, "acknowledged", "repairing");
    h_free(r);
    r = move(ops, id, "{\"to\":\"repairing\",\"note\":\"Crew of three on site, supply cut\"}");
    h_expect(r, 200);
    h_free(r);
    /* resolving says what was done */
    long long c0 = counts();
    r = move(ops, id, "{\"to\":\"resolved\"}");
    h_expect_problem(r, 400);
    h_free(r);
    r = move(ops, id, "{\"to\":\"finished\",\"note\":\"x\"}");
    h_expect_problem(r, 400);
    h_free(r);
    r = move(ops, id, "{\"to\":\"resolved\",\"note\":\"x\",\"by\":\"me\"}");
    h_expect_problem(r, 400);
    h_free(r);
    assert_int_equal(counts(), c0);
    r = move(ops, id, "{\"to\":\"resolved\",\"note\":\"Pipe joint replaced, gas back on\"}");
    h_expect(r, 200);
    assert_true(json_is_string(json_object_get(r->json, "resolved_at")));
    h_free(r);
    /* closing is for supervisors, after the all-clear */
    r = move(ops, id, "{\"to\":\"closed\"}");
    h_expect_problem(r, 403);
    h_free(r);
    r = move(supervisor, id, "{\"to\":\"closed\",\"note\":\"All clear given\"}");
    h_expect(r, 200);
    h_free(r);
    r = move(ops, id, "{\"to\":\"repairing\"}");
    expect_allowed(r, "closed", "");
    h_free(r);
    /* every step is history: who, when, what */
    r = h_get(&srv, ops, "/incidents/%lld/events", id);
    h_expect(r, 200);
    json_t *items = json_object_get(r->json, "items");
    static const char *const kinds[] = {"reported", "relay_queued", "transition", "transition",
                                        "transition", "transition", NULL};
    static const char *const actors[] = {"li", "li", "dispatch", "dispatch", "dispatch", "zhou"};
    assert_int_equal(json_array_size(items), 6);
    for (int i = 0; kinds[i]; i++) {
        json_t *e = json_array_get(items, (size_t)i);
        assert_string_equal(h_str(e, "kind"), kinds[i]);
        assert_string_equal(h_str(e, "actor"), actors[i]);
        assert_true(json_is_string(json_object_get(e, "at")));
    }
    assert_string_equal(h_str(json_object_get(json_array_get(items, 5), "after"), "status"),
                        "closed");
    h_free(r);
    /* history is append-only */
    PGresult *res = PQexec(h_db(), "DELETE FROM incident_events");
    assert_int_not_equal(PQresultStatus(res), PGRES_COMMAND_OK);
    PQclear(res);
    /* the list, newest first, filtered by status */
    r = h_get(&srv, ops, "/incidents?status=closed&limit=1");
    h_expect(r, 200);
    assert_int_equal(h_int(json_array_get(json_object_get(r->json, "items"), 0), "id"), id);
    h_free(r);
    r = h_get(&srv, ops, "/incidents?status=lost");
    h_expect_problem(r, 400);
    h_free(r);
    r = h_get(&srv, cti, "/incidents/%lld", id);
    h_expect_problem(r, 403);
    h_free(r);
    rx_resume(rx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_emergency_call_relayed_at_once),
        cmocka_unit_test(test_bad_reports_change_nothing),
        cmocka_unit_test(test_lifecycle_roles_and_history),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
