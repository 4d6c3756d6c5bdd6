/**
 * @file test_notifications.c
 * @brief Notifying the affected customers one by one: lists built from a selection (with and
 *        without phones, re-runs add only new customers), 200 concurrent claims by 20 agents,
 *        no-answer retries and the attempt limit, lapsed claims, the all-clear round, the
 *        report whose counts add up (JSON and CSV), and who may see any of it.
 */
#include "harness.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AGENTS 20
#define CLAIMS 200

static struct hs srv;
static const char *agent, *agent2, *supervisor, *ops, *cti;
static const char *agents[AGENTS];
static const char *env[] = {"HOTLINE_NOTIFY_MAX_ATTEMPTS=3", "HOTLINE_NOTIFY_RETRY_MINUTES=10",
                            "HOTLINE_NOTIFY_CLAIM_MINUTES=5", "HOTLINE_THREADS=8", NULL};

/* area, how many, how many of them without a phone */
static void add_customers(const char *area, int n, int without_phone, int first)
{
    size_t cap = (size_t)n * 100 + 100, len = 0;
    char *csv = malloc(cap);
    len += (size_t)snprintf(csv, cap, "account_number,name,phones,area_code,address\n");
    for (int i = 0; i < n; i++) {
        char phone[24] = "";
        if (i >= without_phone)
            snprintf(phone, sizeof phone, "137%08d", first + i);
        len += (size_t)snprintf(csv + len, cap - len, "%s-%05d,Resident %d,%s,%s,%d Lane %s\n",
                                area, first + i, first + i, phone, area, i, area);
    }
    struct h_resp *r = h_req(&srv, "POST", "/customers/import", supervisor, csv,
                             (const char *const[]){"Content-Type: text/csv", NULL});
    h_expect(r, 200);
    assert_int_equal(h_int(r->json, "inserted"), n);
    h_free(r);
    free(csv);
}

static int setup(void **state)
{
    (void)state;
    hs_start_at(&srv, "notifications", env, "2026-11-29T23:00:00+08:00"); /* Sunday night: no calling window */
    agent = h_token("agent", "li");
    agent2 = h_token("agent", "wang");
    supervisor = h_token("supervisor", "zhou");
    ops = h_token("operations", "dispatch");
    cti = h_token("cti", "pbx");
    for (int i = 0; i < AGENTS; i++) {
        char name[16];
        snprintf(name, sizeof name, "desk%02d", i);
        agents[i] = h_token("agent", name);
    }
    add_customers("N1", 30, 6, 0);
    add_customers("N2", 10, 0, 100);
    add_customers("C9", CLAIMS, 0, 1000);
    add_customers("R1", 2, 0, 5000);
    add_customers("P1", 2, 0, 6000);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(hs_stop(&srv), 0);
    return 0;
}

static long long new_incident(const char *area)
{
    char body[300];
    snprintf(body, sizeof body,
             "{\"hazard\":\"gas_leak\",\"severity\":\"critical\",\"location\":\"Lanes of %s\","
             "\"area_code\":\"%s\",\"description\":\"Leak at the regulator station\"}",
             area, area);
    struct h_resp *r = h_req(&srv, "POST", "/incidents", agent, body, NULL);
    h_expect(r, 201);
    long long id = h_int(r->json, "id");
    h_free(r);
    return id;
}

static struct h_resp *build(const char *token, long long id, const char *selection)
{
    char path[64];
    snprintf(path, sizeof path, "/incidents/%lld/notifications", id);
    return h_req(&srv, "POST", path, token, selection, NULL);
}

static void expect_built(long long id, const char *selection, long sel, long pending, long none)
{
    struct h_resp *r = build(agent, id, selection);
    h_expect(r, 200);
    if (h_int(r->json, "selected") != sel || h_int(r->json, "pending") != pending ||
        h_int(r->json, "no_contact") != none)
        fail_msg("%s: %.300s", selection, r->body);
    h_free(r);
}

static struct h_resp *claim(const char *token, long long id, const char *query)
{
    char path[96];
    snprintf(path, sizeof path, "/incidents/%lld/notifications/claim%s", id, query);
    return h_req(&srv, "POST", path, token, NULL, NULL);
}

static struct h_resp *result(const char *token, long long id, long long nid, const char *body)
{
    char path[96];
    snprintf(path, sizeof path, "/incidents/%lld/notifications/%lld/result", id, nid);
    return h_req(&srv, "POST", path, token, body, NULL);
}

static long long rows(void)
{
    return h_db_long("SELECT (SELECT count(*) FROM incident_notifications) * 1000 + "
                     "(SELECT count(*) FROM incident_notification_attempts)");
}

static void test_lists_from_a_selection(void **state)
{
    (void)state;
    long long id = new_incident("N1");
    long long r0 = rows();
    static const char *const bad[] = {"{}", "{\"areas\":[]}", "{\"areas\":\"N1\"}",
                                      "{\"areas\":[\"N1\"],\"everyone\":true}",
                                      "{\"customer_ids\":[0]}", "{\"round\":\"soon\",\"areas\":[\"N1\"]}",
                                      "{\"alert_list\":true}", NULL};
    for (int i = 0; bad[i]; i++) {
        struct h_resp *r = build(agent, id, bad[i]);
        h_expect_problem(r, 400);
        h_free(r);
    }
    struct h_resp *r = build(agent, 999999, "{\"areas\":[\"N1\"]}");
    h_expect_problem(r, 404);
    h_free(r);
    r = build(ops, id, "{\"areas\":[\"N1\"]}");
    h_expect_problem(r, 403);
    h_free(r);
    assert_int_equal(rows(), r0);
    /* 24 with a phone to call, 6 without for a visit */
    expect_built(id, "{\"areas\":[\"N1\"]}", 30, 24, 6);
    /* again: nobody new */
    expect_built(id, "{\"areas\":[\"N1\"]}", 30, 0, 0);
    /* a street of another area, by address prefix, plus one customer by id */
    long long extra = h_db_long("SELECT id FROM customers WHERE account_number = 'N2-00100'");
    char sel[160];
    snprintf(sel, sizeof sel, "{\"areas\":[\"N1\",\"N2\"],\"address_prefix\":\"1 Lane\","
                              "\"customer_ids\":[%lld]}", extra);
    /* "1 Lane N1" (listed already) and "1 Lane N2", plus N2-00100 ("0 Lane N2") */
    expect_built(id, sel, 3, 2, 0);
    /* a customer added to the area later is added by the next run, alone */
    add_customers("N1", 1, 0, 900);
    expect_built(id, "{\"areas\":[\"N1\"]}", 31, 1, 0);
    r = h_get(&srv, agent, "/incidents/%lld/notifications?status=no_contact&limit=200", id);
    h_expect(r, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 6);
    h_free(r);
    r = h_get(&srv, agent, "/incidents/%lld", id);
    json_t *p = json_object_get(json_object_get(r->json, "progress"), "alert");
    assert_int_equal(h_int(p, "total"), 27);
    assert_int_equal(h_int(p, "remaining"), 27);
    assert_int_equal(h_int(p, "no_contact"), 6);
    assert_int_equal(h_int(p, "done"), 0);
    h_free(r);
}

struct worker {
    const char *token;
    long long incident;
    int claimed, failures;
    long long got[CLAIMS];
};

static void work_loop(struct worker *w)
{
    for (;;) {
        struct h_resp *r = claim(w->token, w->incident, "");
        if (r->status == 204) {
            h_free(r);
            return;
        }
        long long nid = r->status == 200 ? json_integer_value(json_object_get(r->json, "id")) : 0;
        h_free(r);
        if (!nid || w->claimed == CLAIMS) {
            w->failures++;
            return;
        }
        w->got[w->claimed++] = nid;
        r = result(w->token, w->incident, nid, "{\"result\":\"reached\"}");
        w->failures += r->status != 200;
        h_free(r);
    }
}

static void *work(void *arg)
{
    work_loop(arg);
    h_thread_done();
    return NULL;
}

static void test_concurrent_claims(void **state)
{
    (void)state;
    long long id = new_incident("C9");
    expect_built(id, "{\"areas\":[\"C9\"]}", CLAIMS, CLAIMS, 0);
    static struct worker w[AGENTS];
    pthread_t t[AGENTS];
    for (int i = 0; i < AGENTS; i++) {
        w[i] = (struct worker){.token = agents[i], .incident = id};
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    int total = 0, busy = 0;
    static char seen[CLAIMS * 64];
    memset(seen, 0, sizeof seen);
    long long base = h_db_long("SELECT min(id) FROM incident_notifications WHERE round = 'alert' "
                               "AND incident_id = (SELECT max(id) FROM incidents)");
    for (int i = 0; i < AGENTS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].failures, 0);
        total += w[i].claimed;
        busy += w[i].claimed > 0;
        for (int k = 0; k < w[i].claimed; k++) {
            long long off = w[i].got[k] - base;
            assert_true(off >= 0 && off < CLAIMS);
            if (seen[off])
                fail_msg("notification %lld handed out twice", w[i].got[k]);
            seen[off] = 1;
        }
    }
    assert_int_equal(total, CLAIMS); /* none missed */
    assert_true(busy > 1);
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM incident_notifications WHERE incident_id = "
                              "%lld AND status = 'reached' AND attempts = 1", id);
    assert_int_equal(h_db_long(sql), CLAIMS);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM incident_notification_attempts a JOIN "
                              "incident_notifications n ON n.id = a.notification_id WHERE "
                              "n.incident_id = %lld AND a.actor = n.claimed_by", id);
    assert_int_equal(h_db_long(sql), CLAIMS);
    struct h_resp *r = claim(agent, id, "");
    assert_int_equal(r->status, 204);
    h_free(r);
}

static long long claimed_id(const char *token, long long incident)
{
    struct h_resp *r = claim(token, incident, "");
    h_expect(r, 200);
    long long nid = h_int(r->json, "id");
    h_free(r);
    return nid;
}

static void test_retries_and_lapsed_claims(void **state)
{
    (void)state;
    hs_clock(&srv, "2026-11-29T23:00:00+08:00");
    long long id = new_incident("R1");
    expect_built(id, "{\"areas\":[\"R1\"]}", 2, 2, 0);
    long long nid = claimed_id(agent, id);
    /* a retried claim gets the same customer back */
    assert_int_equal(claimed_id(agent, id), nid);
    long long other = claimed_id(agent2, id);
    assert_true(other != nid);
    /* another agent's customer: not yours to record; bad results change nothing */
    long long r0 = rows();
    struct h_resp *r = result(agent2, id, nid, "{\"result\":\"reached\"}");
    h_expect_problem(r, 409);
    h_free(r);
    static const char *const bad[] = {"{}", "{\"result\":\"maybe\"}", "{\"result\":\"reached\","
                                      "\"mood\":\"happy\"}", "{\"result\":null}", NULL};
    for (int i = 0; bad[i]; i++) {
        r = result(agent, id, nid, bad[i]);
        h_expect_problem(r, 400);
        h_free(r);
        if (rows() != r0)
            fail_msg("%s wrote a row", bad[i]);
    }
    r = result(agent, id, 999999, "{\"result\":\"reached\"}");
    h_expect_problem(r, 404);
    h_free(r);
    assert_int_equal(rows(), r0);
    /* no answer: called again after the delay, day or night, up to three calls */
    const char *times[] = {"2026-11-29T23:10:00+08:00", "2026-11-29T23:20:00+08:00"};
    for (int attempt = 1; attempt <= 3; attempt++) {
        r = result(agent, id, nid, "{\"result\":\"no_answer\",\"note\":\"rang out\"}");
        h_expect(r, 200);
        assert_int_equal(h_int(r->json, "attempts"), attempt);
        assert_string_equal(h_str(r->json, "status"), attempt < 3 ? "pending" : "not_reached");
        h_free(r);
        if (attempt == 3)
            break;
        r = claim(agent, id, ""); /* not before the delay */
        assert_int_equal(r->status, 204);
        h_free(r);
        hs_clock(&srv, times[attempt - 1]);
        /* wang's claim has lapsed meanwhile (five minutes); he takes his customer again */
        assert_int_equal(claimed_id(agent2, id), other);
        assert_int_equal(claimed_id(agent, id), nid);
    }
    r = result(agent, id, nid, "{\"result\":\"reached\"}");
    h_expect_problem(r, 409);
    h_free(r);
    /* a claim without a result returns to the pool after five minutes */
    hs_clock(&srv, "2026-11-29T23:26:00+08:00");
    assert_int_equal(claimed_id(agent, id), other);
    r = result(agent2, id, other, "{\"result\":\"reached\"}");
    h_expect_problem(r, 409);
    h_free(r);
    r = result(agent, id, other, "{\"result\":\"wrong_number\",\"call_id\":\"pbx-778\"}");
    h_expect(r, 200);
    assert_string_equal(h_str(r->json, "last_call_id"), "pbx-778");
    h_free(r);
    r = h_get(&srv, agent, "/incidents/%lld", id);
    json_t *p = json_object_get(json_object_get(r->json, "progress"), "alert");
    assert_int_equal(h_int(p, "done"), 2);
    assert_int_equal(h_int(p, "remaining"), 0);
    assert_int_equal(h_int(p, "reached"), 0);
    h_free(r);
}

/* Sum of a JSON object's integer members. */
static long long sum(const json_t *o)
{
    long long s = 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v)
        s += json_integer_value(v);
    return s;
}

static void test_report_and_all_clear(void **state)
{
    (void)state;
    hs_clock(&srv, "2026-11-30T00:00:00+08:00");
    long long id = new_incident("N2");
    expect_built(id, "{\"areas\":[\"N2\"]}", 10, 10, 0);
    const char *results[] = {"reached", "reached", "declined", "wrong_number", "no_answer"};
    for (int i = 0; i < 5; i++) {
        long long nid = claimed_id(agent, id);
        char body[64];
        snprintf(body, sizeof body, "{\"result\":\"%s\"}", results[i]);
        struct h_resp *r = result(agent, id, nid, body);
        h_expect(r, 200);
        h_free(r);
    }
    claimed_id(agent2, id); /* one being called now */
    /* the all-clear waits for the hazard to end */
    struct h_resp *r = build(agent, id, "{\"round\":\"all_clear\",\"alert_list\":true}");
    h_expect_problem(r, 409);
    h_free(r);
    r = h_get(&srv, agent, "/incidents/%lld/report", id);
    h_expect(r, 200);
    json_t *alert = json_object_get(json_object_get(r->json, "rounds"), "alert");
    json_t *c = json_object_get(alert, "counts");
    assert_int_equal(h_int(alert, "total"), 10);
    assert_int_equal(sum(c), 10);
    assert_int_equal(h_int(c, "reached"), 2);
    assert_int_equal(h_int(c, "declined"), 1);
    assert_int_equal(h_int(c, "wrong_number"), 1);
    assert_int_equal(h_int(c, "pending"), 5);
    assert_int_equal(h_int(c, "claimed"), 1);
    assert_int_equal(json_array_size(json_object_get(alert, "notified")) +
                         json_array_size(json_object_get(alert, "not_notified")) +
                         json_array_size(json_object_get(alert, "no_contact")),
                     10);
    json_t *first = json_array_get(json_object_get(alert, "not_notified"), 0);
    assert_true(json_is_string(json_object_get(first, "reason")));
    h_free(r);
    r = h_req(&srv, "GET", "/incidents/999999/report", agent, NULL, NULL);
    h_expect_problem(r, 404);
    h_free(r);
    char report_path[64];
    snprintf(report_path, sizeof report_path, "/incidents/%lld/report", id);
    r = h_req(&srv, "GET", report_path, agent, NULL,
              (const char *const[]){"Accept: application/pdf", NULL});
    h_expect_problem(r, 406);
    h_free(r);
    /* the same as CSV */
    char path[64];
    snprintf(path, sizeof path, "/incidents/%lld/report", id);
    r = h_req(&srv, "GET", path, agent, NULL, (const char *const[]){"Accept: text/csv", NULL});
    h_expect(r, 200);
    assert_non_null(strstr(h_header(r, "Content-Type"), "text/csv"));
    int lines = 0;
    for (const char *p = r->body; (p = strstr(p, "\r\n")); p += 2)
        lines++;
    assert_int_equal(lines, 11);
    assert_int_equal(strncmp(r->body, "round,status,reason,account_number,name", 39), 0);
    h_free(r);
    snprintf(path, sizeof path, "incident:%lld", id);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM audit_log WHERE action = 'incident.report' "
                              "AND subject = '%s' AND actor = 'li' AND (detail->>'rows')::int = 10",
             path);
    assert_int_equal(h_db_long(sql), 2);
    /* over: operations repairs and resolves; the all-clear goes to everyone alerted */
    snprintf(path, sizeof path, "/incidents/%lld/ack", id);
    r = h_req(&srv, "POST", path, ops, NULL, NULL);
    h_expect(r, 200);
    h_free(r);
    snprintf(path, sizeof path, "/incidents/%lld/transitions", id);
    r = h_req(&srv, "POST", path, ops, "{\"to\":\"repairing\"}", NULL);
    h_expect(r, 200);
    h_free(r);
    r = h_req(&srv, "POST", path, ops, "{\"to\":\"resolved\",\"note\":\"Regulator replaced\"}",
              NULL);
    h_expect(r, 200);
    h_free(r);
    r = build(agent, id, "{\"round\":\"alert\",\"areas\":[\"N2\"]}");
    h_expect_problem(r, 409);
    h_free(r);
    expect_built(id, "{\"alert_list\":true}", 10, 10, 0); /* the round follows the phase */
    r = claim(agent, id, "");
    h_expect(r, 200);
    assert_string_equal(h_str(r->json, "round"), "all_clear");
    h_free(r);
    r = claim(agent, id, "?round=alert"); /* the first round goes on apart */
    h_expect(r, 200);
    assert_string_equal(h_str(r->json, "round"), "alert");
    h_free(r);
    r = claim(agent, id, "?round=later");
    h_expect_problem(r, 400);
    h_free(r);
    r = h_get(&srv, agent, "/incidents/%lld/report", id);
    json_t *rounds = json_object_get(r->json, "rounds");
    assert_int_equal(h_int(json_object_get(rounds, "all_clear"), "total"), 10);
    assert_int_equal(h_int(json_object_get(rounds, "alert"), "total"), 10);
    h_free(r);
}

static void pbx(const char *fmt, const char *call_id, const char *number)
{
    char body[400];
    snprintf(body, sizeof body, fmt, call_id, number);
    struct h_resp *r = h_req(&srv, "POST", "/calls/events", cti, body, NULL);
    h_expect(r, 200);
    h_free(r);
}

#define OFFERED "{\"call_id\":\"%s\",\"event\":\"offered\",\"at\":\"2026-11-30T01:00:00+08:00\"," \
                "\"direction\":\"outbound\",\"from\":\"8001\",\"to\":\"%s\",\"agent\":\"li\"}"
#define ANSWERED "[{\"call_id\":\"%s\",\"event\":\"answered\",\"at\":\"2026-11-30T01:00:09+08:00\"}," \
                 "{\"call_id\":\"%s\",\"event\":\"hangup\",\"at\":\"2026-11-30T01:01:00+08:00\"," \
                 "\"cause\":\"normal\"}]"
#define UNANSWERED "{\"call_id\":\"%s\",\"event\":\"hangup\",\"at\":\"2026-11-30T01:00:30+08:00\"," \
                   "\"cause\":\"no_answer\"}%.0s"

/* Outbound calls the PBX reports through /calls/events give the result by call_id. */
static void test_results_from_pbx_calls(void **state)
{
    (void)state;
    hs_clock(&srv, "2026-11-30T01:00:00+08:00");
    long long id = new_incident("P1");
    expect_built(id, "{\"areas\":[\"P1\"]}", 2, 2, 0);
    long long nid = claimed_id(agent, id);
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT phones[1] FROM incident_notifications WHERE id = %lld", nid);
    PGresult *res = PQexec(h_db(), sql);
    char number[32];
    snprintf(number, sizeof number, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    pbx(OFFERED, "out-1", number);
    struct h_resp *r = result(agent, id, nid, "{}");
    h_expect_problem(r, 400);
    h_free(r);
    r = result(agent, id, nid, "{\"call_id\":\"out-1\"}"); /* still ringing */
    h_expect_problem(r, 409);
    h_free(r);
    r = result(agent, id, nid, "{\"call_id\":\"out-0\"}"); /* never reported */
    h_expect_problem(r, 409);
    h_free(r);
    pbx(OFFERED, "out-2", "13999999999");
    pbx(ANSWERED, "out-2", "out-2");
    r = result(agent, id, nid, "{\"call_id\":\"out-2\"}"); /* someone else's number */
    h_expect_problem(r, 409);
    h_free(r);
    r = result(agent, id, nid, "{\"result\":\"reached\",\"call_id\":\"out-2\"}");
    h_expect_problem(r, 409);
    h_free(r);
    pbx(ANSWERED, "out-1", "out-1");
    r = result(agent, id, nid, "{\"call_id\":\"out-1\"}");
    h_expect(r, 200);
    assert_string_equal(h_str(r->json, "status"), "reached");
    assert_string_equal(h_str(r->json, "last_call_id"), "out-1");
    h_free(r);
    /* unanswered: a no_answer, called again later */
    long long second = claimed_id(agent, id);
    snprintf(sql, sizeof sql, "SELECT phones[1] FROM incident_notifications WHERE id = %lld",
             second);
    res = PQexec(h_db(), sql);
    snprintf(number, sizeof number, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    pbx(OFFERED, "out-3", number);
    pbx(UNANSWERED, "out-3", "");
    r = result(agent, id, second, "{\"call_id\":\"out-3\"}");
    h_expect(r, 200);
    assert_string_equal(h_str(r->json, "status"), "pending");
    assert_string_equal(h_str(r->json, "last_result"), "no_answer");
    h_free(r);
}

static void test_who_may_see(void **state)
{
    (void)state;
    long long id = h_db_long("SELECT max(incident_id) FROM incident_notifications WHERE "
                             "round = 'all_clear'");
    const char *paths[] = {"/incidents/%lld/report", "/incidents/%lld/notifications"};
    for (int i = 0; i < 2; i++) {
        struct h_resp *r = h_get(&srv, cti, paths[i], id);
        h_expect_problem(r, 403);
        h_free(r);
        r = h_get(&srv, ops, paths[i], id);
        h_expect_problem(r, 403);
        h_free(r);
    }
    struct h_resp *r = claim(ops, id, "");
    h_expect_problem(r, 403);
    h_free(r);
    /* operations follows the progress, without customer data */
    r = h_get(&srv, ops, "/incidents/%lld", id);
    h_expect(r, 200);
    assert_non_null(json_object_get(json_object_get(r->json, "progress"), "all_clear"));
    assert_null(strstr(r->body, "Resident"));
    h_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lists_from_a_selection),
        cmocka_unit_test(test_concurrent_claims),
        cmocka_unit_test(test_retries_and_lapsed_claims),
        cmocka_unit_test(test_report_and_all_clear),
        cmocka_unit_test(test_results_from_pbx_calls),
        cmocka_unit_test(test_who_may_see),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
