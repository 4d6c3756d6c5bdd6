/**
 * @file test_outbox.c
 * @brief Government relays and webhooks through the outbox, to a receiver started by the test:
 *        a signed relay at once; a receiver that is down gets retries with backoff and one
 *        delivery id; hotlined killed after the commit and before delivery delivers after
 *        restart.
 */
#include "harness.h"
#include "harness_receiver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECRET "test-secret-0123456789"

static struct hs srv;
static struct receiver *rx;
static const char *agent, *admin, *cti;
static const char *env[] = {"HOTLINE_OUTBOX_BACKOFF_MS=1000", "HOTLINE_OUTBOX_TIMEOUT_MS=2000",
                            NULL};
static void set_clock(const char *t)
{
    hs_clock(&srv, t);
}

static int setup(void **state)
{
    (void)state;
    rx = rx_start();
    assert_non_null(rx);
    hs_start_at(&srv, "outbox", env, "2026-11-29T03:00:00+08:00");
    agent = h_token("agent", "li");
    admin = h_token("admin", "ops");
    cti = h_token("cti", "pbx");
    char body[400];
    snprintf(body, sizeof body,
             "{\"url\":\"%s\",\"secret\":\"" SECRET "\",\"events\":[\"government.relay\","
             "\"ticket.overdue\",\"ticket.escalated\"],\"description\":\"district office\"}",
             rx_url(rx));
    struct h_resp *r = h_req(&srv, "POST", "/webhooks", admin, body, NULL);
    h_expect(r, 201);
    assert_null(json_object_get(r->json, "secret")); /* write-only */
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

static long long government_ticket(void)
{
    struct h_resp *r = h_req(&srv, "POST", "/tickets", agent,
                             "{\"class\":\"government\",\"subject\":\"Water main burst on Lane 5\","
                             "\"caller_phone\":\"13800138000\"}",
                             NULL);
    h_expect(r, 201);
    long long id = h_int(r->json, "id");
    h_free(r);
    return id;
}

/* Index of the first message for this ticket's relay after `from`, or -1. */
static int find_relay(long long id, int from, struct rx_msg *out)
{
    for (int i = from; rx_get(rx, i, out); i++) {
        json_t *b = json_loads(out->body, 0, NULL);
        json_t *data = json_object_get(b, "data");
        bool hit = strcmp(out->event, "government.relay") == 0 &&
                   json_integer_value(json_object_get(data, "id")) == id;
        json_decref(b);
        if (hit)
            return i;
    }
    return -1;
}

static void test_relay_signed_at_once(void **state)
{
    (void)state;
    int before = rx_count(rx);
    double t0 = h_now();
    long long id = government_ticket();
    assert_true(rx_wait(rx, before + 1, 2000));
    double took = h_now() - t0;
    struct rx_msg m;
    int i = find_relay(id, before, &m);
    assert_true(i >= 0);
    if (took > 1.0)
        fail_msg("the relay took %.2f s", took);
    assert_true(rx_signature_ok(&m, SECRET));
    assert_false(rx_signature_ok(&m, "another-secret-0000000"));
    json_t *b = json_loads(m.body, 0, NULL);
    assert_string_equal(h_str(b, "delivery_id"), m.delivery);
    assert_string_equal(h_str(b, "event"), "government.relay");
    assert_string_equal(h_str(json_object_get(b, "data"), "caller_phone"), "13800138000");
    json_decref(b);
    /* the recipient's 2xx meets the relay deadline and starts the callback */
    json_t *t = NULL;
    for (int k = 0; k < 100 && !t; k++) {
        struct h_resp *r = h_get(&srv, agent, "/tickets/%lld", id);
        if (json_is_string(json_object_get(r->json, "relayed_at")))
            t = json_incref(r->json);
        h_free(r);
        if (!t)
            h_sleep_ms(20);
    }
    assert_non_null(t);
    assert_string_equal(h_str(t, "status"), "relayed");
    assert_true(json_is_string(json_object_get(t, "callback_due_at")));
    json_decref(t);
    struct h_resp *r = h_get(&srv, agent, "/tickets/%lld/relays", id);
    h_expect(r, 200);
    json_t *d = json_array_get(json_object_get(r->json, "items"), 0);
    assert_string_equal(h_str(d, "status"), "delivered");
    assert_int_equal(h_int(d, "attempts"), 1);
    h_free(r);
}

static void test_receiver_down_then_up(void **state)
{
    (void)state;
    rx_set_status(rx, 503);
    int before = rx_count(rx);
    long long id = government_ticket();
    assert_true(rx_wait(rx, before + 1, 2000));
    /* the clock stands still: no retry before the backoff has passed */
    h_sleep_ms(600);
    assert_int_equal(rx_count(rx), before + 1);
    set_clock("2026-11-29T03:00:05+08:00");
    assert_true(rx_wait(rx, before + 2, 3000));
    /* past the relay deadline the ticket is overdue: that is a webhook too */
    set_clock("2026-11-29T03:16:00+08:00");
    bool overdue_now = false;
    for (int i = 0; i < 200 && !overdue_now; i++) {
        struct h_resp *t = h_get(&srv, agent, "/tickets/%lld", id);
        overdue_now = json_is_true(json_object_get(t->json, "overdue"));
        h_free(t);
        if (!overdue_now)
            h_sleep_ms(25);
    }
    assert_true(overdue_now);
    rx_set_status(rx, 200);
    set_clock("2026-11-29T03:20:00+08:00");
    int relays = 0, acked = 0, overdue = 0;
    char first_id[80] = "";
    for (int wait = 0; wait < 400 && !(acked == 1 && overdue >= 1); wait++) {
        h_sleep_ms(25);
        relays = acked = overdue = 0;
        first_id[0] = '\0';
        struct rx_msg m;
        for (int i = before; rx_get(rx, i, &m); i++) {
            if (strcmp(m.event, "ticket.overdue") == 0 && m.answered == 200)
                overdue++;
            if (find_relay(id, i, &m) != i)
                continue;
            relays++;
            if (!first_id[0])
                snprintf(first_id, sizeof first_id, "%s", m.delivery);
            assert_string_equal(m.delivery, first_id); /* one delivery id across retries */
            assert_true(rx_signature_ok(&m, SECRET));
            acked += m.answered / 100 == 2;
        }
    }
    h_sleep_ms(300); /* nothing more may arrive for the relay once acknowledged */
    int relays_after = 0;
    struct rx_msg m;
    for (int i = before; rx_get(rx, i, &m); i++)
        relays_after += find_relay(id, i, &m) == i;
    assert_int_equal(relays_after, relays);
    assert_true(relays >= 3);
    assert_int_equal(acked, 1);
    assert_true(overdue >= 1);
    struct h_resp *r = h_get(&srv, agent, "/tickets/%lld/relays", id);
    json_t *d = json_array_get(json_object_get(r->json, "items"), 0);
    assert_string_equal(h_str(d, "status"), "delivered");
    assert_int_equal(h_int(d, "attempts"), relays);
    assert_int_equal(json_array_size(json_object_get(d, "attempt_log")), relays);
    h_free(r);
}

static void test_killed_before_delivery(void **state)
{
    (void)state;
    rx_pause(rx); /* nobody listens: the delivery cannot happen before the kill */
    set_clock("2026-11-29T04:00:00+08:00");
    long long id = government_ticket();
    hs_kill(&srv);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM outbox WHERE subject_id = %lld AND event = "
                              "'government.relay' AND status = 'pending'", id);
    assert_int_equal(h_db_long(sql), 1);
    int before = rx_count(rx);
    rx_resume(rx);
    /* past any backoff and the dead instance's lease */
    hs_start_at(&srv, "outbox-restarted", env, "2026-11-29T04:05:00+08:00");
    struct rx_msg m;
    int found = -1;
    for (int i = 0; i < 250 && found < 0; i++) {
        found = find_relay(id, before, &m);
        if (found < 0)
            h_sleep_ms(20);
    }
    assert_true(found >= 0);
    assert_true(rx_signature_ok(&m, SECRET));
    snprintf(sql, sizeof sql, "SELECT count(*) FROM outbox WHERE subject_id = %lld AND event = "
                              "'government.relay' AND status = 'delivered'", id);
    for (int i = 0; i < 100 && h_db_long(sql) != 1; i++)
        h_sleep_ms(20);
    assert_int_equal(h_db_long(sql), 1);
}

static void test_webhook_input(void **state)
{
    (void)state;
    const char *bad[] = {
        "{\"url\":\"ftp://x.example/hook\",\"secret\":\"0123456789abcdef\",\"events\":[\"ticket.overdue\"]}",
        "{\"url\":\"http://x.example/hook\",\"secret\":\"short\",\"events\":[\"ticket.overdue\"]}",
        "{\"url\":\"http://x.example/hook\",\"secret\":\"0123456789abcdef\",\"events\":[]}",
        "{\"url\":\"http://x.example/hook\",\"secret\":\"0123456789abcdef\",\"events\":[\"ticket.exploded\"]}",
        "{\"url\":\"http://x.example/hook\",\"secret\":\"0123456789abcdef\",\"events\":\"ticket.overdue\"}",
    };
    long long n = h_db_long("SELECT count(*) FROM webhooks");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct h_resp *r = h_req(&srv, "POST", "/webhooks", admin, bad[i], NULL);
        h_expect_problem(r, 400);
        h_free(r);
    }
    struct h_resp *r = h_req(&srv, "POST", "/webhooks", agent, bad[0], NULL);
    h_expect_problem(r, 403);
    h_free(r);
    assert_int_equal(h_db_long("SELECT count(*) FROM webhooks"), n);
    r = h_get(&srv, admin, "/webhooks");
    h_expect(r, 200);
    assert_null(strstr(r->body, SECRET));
    h_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_relay_signed_at_once),
        cmocka_unit_test(test_receiver_down_then_up),
        cmocka_unit_test(test_killed_before_delivery),
        cmocka_unit_test(test_webhook_input),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
