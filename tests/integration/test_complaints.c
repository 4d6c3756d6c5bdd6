/**
 * @file test_complaints.c
 * @brief A complaint walked through every branch over HTTP, with the clock moved: dispatched,
 *        returned (退单), re-dispatched (改派), signed for (签收) and answered; an extension
 *        approved and one refused; escalated by hand and by the sweeper after a missed 24-hour
 *        notice (warned first, by event and webhook); sent back by review, approved, unsatisfied
 *        → reopened, resolved again, satisfied → archived; then its history in order. Also: the
 *        unsatisfied callback raising the level, the unreachable customer, a dispatch overdue
 *        once, the roles, and bad input answered with problem+json and nothing changed.
 */
#include "harness.h"
#include "harness_receiver.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECRET "complaints-secret-0123"

static struct hs srv;
static struct receiver *rx;
static const char *agent, *agent2, *super, *manager, *cti, *admin, *dept;

static int setup(void **state)
{
    (void)state;
    rx = rx_start();
    assert_non_null(rx);
    hs_start_at(&srv, "complaints", NULL, "2026-11-26T10:00:00+08:00"); /* a Thursday */
    agent = h_token("agent", "li");
    agent2 = h_token("agent", "wu");
    super = h_token("supervisor", "zhang");
    manager = h_token("manager", "chen");
    cti = h_token("cti", "pbx");
    admin = h_token("admin", "ops");
    dept = h_token("operations", "finance-desk");
    char body[400];
    snprintf(body, sizeof body,
             "{\"url\":\"%s\",\"secret\":\"" SECRET "\",\"events\":[\"ticket.warning\","
             "\"ticket.escalated\",\"dispatch.overdue\"]}",
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

/* ---- helpers -------------------------------------------------------------------------------- */

/* A request with a printf-made path; fails unless the status is `expect`; returns the body. */
static json_t *call(const char *method, const char *token, const char *body, long expect,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static json_t *call(const char *method, const char *token, const char *body, long expect,
                    const char *fmt, ...)
{
    char path[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof path, fmt, ap);
    va_end(ap);
    struct h_resp *r = h_req(&srv, method, path, token, body, NULL);
    if (expect >= 400)
        h_expect_problem(r, expect);
    else
        h_expect(r, expect);
    json_t *j = json_incref(r->json);
    h_free(r);
    return j;
}

static long long id_of(json_t *j)
{
    long long id = h_int(j, "id");
    json_decref(j);
    return id;
}

static json_t *ticket(long long id)
{
    return call("GET", agent, NULL, 200, "/tickets/%lld", id);
}

static void expect_str(long long id, const char *key, const char *want)
{
    json_t *t = ticket(id);
    const char *got = json_string_value(json_object_get(t, key));
    if (!got || strcmp(got, want) != 0)
        fail_msg("ticket %lld: %s is %s, want %s", id, key, got ? got : "null", want);
    json_decref(t);
}

static void expect_instant(const json_t *j, const char *key, const char *want)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT ('%s'::timestamptz = '%s'::timestamptz)::int", h_str(j, key),
             want);
    if (h_db_long(sql) != 1)
        fail_msg("%s is %s, want %s", key, h_str(j, key), want);
}

#define COMPLAINT_RECORD                                                                           \
    "\"complaint\":{\"product\":\"Gas bill, account 4410\",\"what_happened\":\"Charged twice "     \
    "for November\",\"customer_wants\":\"The second charge refunded\"}"

static long long new_complaint(const char *subject)
{
    char body[600];
    snprintf(body, sizeof body,
             "{\"class\":\"hard\",\"kind\":\"complaint\",\"subject\":\"%s\",\"caller_name\":"
             "\"张三\",\"caller_phone\":\"13800138000\"," COMPLAINT_RECORD "}",
             subject);
    return id_of(call("POST", agent, body, 201, "/tickets"));
}

static void transition(long long id, const char *to, const char *note, long expect)
{
    char body[300];
    snprintf(body, sizeof body, "{\"to\":\"%s\",\"note\":\"%s\"}", to, note);
    json_decref(call("POST", agent, body, expect, "/tickets/%lld/transitions", id));
}

static void review(long long id, const char *body, long expect)
{
    json_decref(call("POST", manager, body, expect, "/tickets/%lld/review", id));
}

/* The pending follow-up of a kind on a ticket (fails when there is none). */
static long long pending_followup(long long ticket_id, const char *kind)
{
    json_t *l = call("GET", agent, NULL, 200, "/followups?ticket_id=%lld&kind=%s&status=pending",
                     ticket_id, kind);
    json_t *items = json_object_get(l, "items");
    if (json_array_size(items) != 1)
        fail_msg("ticket %lld: %zu pending %s follow-ups", ticket_id, json_array_size(items), kind);
    long long id = h_int(json_array_get(items, 0), "id");
    json_decref(l);
    return id;
}

static void attempt(long long followup, const char *body, long expect)
{
    json_decref(call("POST", agent, body, expect, "/followups/%lld/attempts", followup));
}

/* Wait (the sweeper runs every 200 ms) until a count reaches want. */
static void wait_count(const char *sql, long long want)
{
    long long n = -1;
    for (int i = 0; i < 200 && n != want; i++) {
        n = h_db_long(sql);
        if (n != want)
            h_sleep_ms(25);
    }
    if (n != want)
        fail_msg("%s: %lld, want %lld", sql, n, want);
}

static long long events(long long id, const char *kind)
{
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM ticket_events WHERE ticket_id = %lld AND kind = '%s'", id, kind);
    return h_db_long(sql);
}

static bool listed(const char *query, long long id)
{
    json_t *l = call("GET", super, NULL, 200, "/tickets?%s&limit=200", query);
    json_t *items = json_object_get(l, "items");
    bool found = false;
    for (size_t i = 0; i < json_array_size(items); i++)
        found |= h_int(json_array_get(items, i), "id") == id;
    json_decref(l);
    return found;
}

/* ---- the walk ------------------------------------------------------------------------------- */

static void test_complaint_walk(void **state)
{
    (void)state;
    hs_clock(&srv, "2026-11-26T10:00:00+08:00");
    long long id = new_complaint("Charged twice");
    json_t *t = ticket(id);
    assert_string_equal(h_str(t, "complaint_stage"), "handling");
    assert_string_equal(h_str(t, "owner"), "li");
    assert_string_equal(h_str(json_object_get(t, "complaint"), "customer_wants"),
                        "The second charge refunded");
    expect_instant(t, "resolve_due_at", "2026-11-27T18:00:00+08:00");
    expect_instant(t, "progress_due_at", "2026-11-27T10:00:00+08:00");
    json_decref(t);

    /* dispatched to billing, which returns it: not its function (退单) */
    json_t *d = call("POST", agent,
                     "{\"department\":\"Billing\",\"contact_person\":\"Wang\",\"agreed\":"
                     "\"Check the double charge today\"}",
                     201, "/tickets/%lld/dispatches", id);
    long long d1 = h_int(d, "id");
    assert_string_equal(h_str(d, "status"), "sent");
    expect_instant(d, "accept_due_at", "2026-11-26T12:00:00+08:00"); /* two business hours */
    json_decref(d);
    hs_clock(&srv, "2026-11-26T10:20:00+08:00");
    d = call("POST", dept,
             "{\"contact_person\":\"Wang\",\"reason\":\"Not our function: card "
             "payments belong to Finance\"}",
             200, "/dispatches/%lld/return", d1);
    assert_string_equal(h_str(d, "status"), "returned");
    json_decref(d);
    /* the owner re-dispatches it to finance (改派), which signs for it and replies */
    hs_clock(&srv, "2026-11-26T10:30:00+08:00");
    d = call("POST", agent,
             "{\"department\":\"Finance\",\"contact_person\":\"Zhao\",\"agreed\":\"Refund the "
             "second charge within three days\"}",
             201, "/dispatches/%lld/redispatch", d1);
    long long d2 = h_int(d, "id");
    assert_int_equal(h_int(d, "previous_id"), d1);
    json_decref(d);
    d = call("GET", agent, NULL, 200, "/dispatches/%lld", d1);
    assert_string_equal(h_str(d, "status"), "redispatched");
    assert_int_equal(h_int(d, "next_id"), d2);
    json_decref(d);
    hs_clock(&srv, "2026-11-26T10:40:00+08:00");
    json_decref(
        call("POST", dept, "{\"contact_person\":\"Zhao\"}", 200, "/dispatches/%lld/accept", d2));
    hs_clock(&srv, "2026-11-26T11:00:00+08:00");
    d = call("POST", dept, "{\"result\":\"Refund of 86.50 issued, reference RF-2211\"}", 200,
             "/dispatches/%lld/reply", d2);
    assert_string_equal(h_str(d, "status"), "replied");
    assert_string_equal(h_str(d, "replied_by"), "Zhao");
    json_decref(d);
    d = call("GET", agent, NULL, 200, "/tickets/%lld/dispatches", id);
    assert_int_equal(json_array_size(json_object_get(d, "items")), 2);
    json_decref(d);

    /* an extension asked and approved: the deadline moves, the customer is to be told */
    hs_clock(&srv, "2026-11-26T11:10:00+08:00");
    json_t *x = call("POST", agent,
                     "{\"until\":\"2026-11-30T18:00:00+08:00\",\"reason\":\"The "
                     "refund takes three days to show\"}",
                     201, "/tickets/%lld/extensions", id);
    long long x1 = h_int(x, "id");
    assert_string_equal(h_str(x, "status"), "requested");
    json_decref(x);
    hs_clock(&srv, "2026-11-26T11:20:00+08:00");
    x = call("POST", super, "{\"decision\":\"approved\",\"note\":\"Fine\"}", 200,
             "/extensions/%lld/decision", x1);
    assert_string_equal(h_str(x, "status"), "approved");
    long long told = h_int(x, "followup_id");
    json_decref(x);
    t = ticket(id);
    expect_instant(t, "resolve_due_at", "2026-11-30T18:00:00+08:00");
    assert_non_null(
        strstr(h_str(json_object_get(t, "deadline_rules"), "resolve_due_at"), "extended"));
    json_decref(t);
    json_t *f = call("GET", agent, NULL, 200, "/followups/%lld", told);
    assert_string_equal(h_str(f, "kind"), "custom");
    assert_string_equal(h_str(f, "agent"), "li");
    assert_non_null(strstr(h_str(f, "notes"), "new deadline"));
    json_decref(f);
    attempt(told, "{\"outcome\":\"reached\",\"notes\":\"Told: by Monday evening\"}", 201);
    /* another, refused: nothing moves */
    x = call("POST", agent,
             "{\"until\":\"2026-12-04T18:00:00+08:00\",\"reason\":\"Finance is "
             "slow\"}",
             201, "/tickets/%lld/extensions", id);
    long long x2 = h_int(x, "id");
    json_decref(x);
    x = call("POST", super, "{\"decision\":\"refused\",\"note\":\"Three days is enough\"}", 200,
             "/extensions/%lld/decision", x2);
    assert_string_equal(h_str(x, "status"), "refused");
    json_decref(x);
    t = ticket(id);
    expect_instant(t, "resolve_due_at", "2026-11-30T18:00:00+08:00");
    json_decref(t);

    /* escalated by hand: the supervisor must act, named */
    hs_clock(&srv, "2026-11-26T11:30:00+08:00");
    json_t *e = call("POST", super,
                     "{\"reason\":\"The customer called three times\","
                     "\"to\":\"supervisor\",\"assignee\":\"zhang\"}",
                     201, "/tickets/%lld/escalations", id);
    assert_int_equal(h_int(e, "from_level"), 0);
    assert_int_equal(h_int(e, "to_level"), 1);
    assert_string_equal(h_str(e, "must_act"), "supervisor");
    json_decref(e);

    /* the 24-hour progress notice: warned at 80% of it, then missed → escalated by the sweeper */
    int before = rx_count(rx);
    hs_clock(&srv, "2026-11-27T05:12:00+08:00");
    char sql[300];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM ticket_events WHERE ticket_id = %lld AND "
             "kind = 'warning' AND after->>'deadline' = 'progress_notice'",
             id);
    wait_count(sql, 1);
    bool webhook = false;
    for (int i = 0; i < 200 && !webhook; i++) {
        struct rx_msg m;
        for (int k = before; rx_get(rx, k, &m); k++)
            webhook |= strcmp(m.event, "ticket.warning") == 0 && strstr(m.body, "progress_notice");
        if (!webhook)
            h_sleep_ms(25);
    }
    assert_true(webhook);
    hs_clock(&srv, "2026-11-27T10:00:01+08:00");
    snprintf(sql, sizeof sql, "SELECT count(*) FROM ticket_escalations WHERE ticket_id = %lld", id);
    wait_count(sql, 2);
    h_sleep_ms(400); /* further passes change nothing: once each */
    assert_int_equal(h_db_long(sql), 2);
    assert_int_equal(events(id, "warning"), 1);
    assert_int_equal(events(id, "overdue"), 1);
    e = call("GET", agent, NULL, 200, "/tickets/%lld/escalations", id);
    json_t *items = json_object_get(e, "items");
    assert_int_equal(json_array_size(items), 2);
    assert_string_equal(h_str(json_array_get(items, 0), "actor"), "zhang");
    assert_string_equal(h_str(json_array_get(items, 0), "assignee"), "zhang");
    assert_string_equal(h_str(json_array_get(items, 1), "actor"), "sweeper");
    assert_string_equal(h_str(json_array_get(items, 1), "reason"),
                        "deadline passed: progress_notice");
    assert_int_equal(h_int(json_array_get(items, 1), "to_level"), 2);
    json_decref(e);
    t = ticket(id);
    assert_true(json_is_true(json_object_get(t, "overdue")));
    assert_string_equal(h_str(t, "must_act"), "manager");
    json_decref(t);
    /* the notice is given late: the next period starts */
    hs_clock(&srv, "2026-11-27T10:30:00+08:00");
    attempt(pending_followup(id, "progress_notice"),
            "{\"outcome\":\"reached\",\"notes\":\"Refund on its way\"}", 201);
    t = ticket(id);
    assert_false(json_is_true(json_object_get(t, "overdue")));
    expect_instant(t, "progress_due_at", "2026-11-28T10:30:00+08:00");
    json_decref(t);

    /* resolved; closing now skips the review: refused, naming it */
    hs_clock(&srv, "2026-11-27T11:00:00+08:00");
    transition(id, "resolved", "Told the customer the refund RF-2211 is issued", 200);
    assert_true(listed("kind=complaint&stage=awaiting_review", id));
    json_t *p = call("POST", agent, "{\"to\":\"closed\"}", 409, "/tickets/%lld/transitions", id);
    assert_string_equal(h_str(p, "missing_step"), "manager_review");
    json_decref(p);
    /* the manager sends it back; it is handled again */
    hs_clock(&srv, "2026-11-27T11:30:00+08:00");
    review(id, "{\"decision\":\"sent_back\",\"reason\":\"Record the refund reference\"}", 200);
    expect_str(id, "status", "in_progress");
    expect_str(id, "complaint_stage", "handling");
    json_decref(call("PATCH", agent,
                     "{\"complaint\":{\"handling\":\"Finance refunded, reference RF-2211\"}}", 200,
                     "/tickets/%lld", id));
    hs_clock(&srv, "2026-11-27T11:40:00+08:00");
    transition(id, "resolved", "Refund RF-2211 confirmed to the customer", 200);
    /* approved: the satisfaction callback is due in the first window of the next business day */
    hs_clock(&srv, "2026-11-27T12:00:00+08:00");
    review(id, "{\"decision\":\"approved\"}", 200);
    expect_str(id, "complaint_stage", "awaiting_callback");
    assert_true(listed("kind=complaint&stage=awaiting_callback", id));
    long long sat = pending_followup(id, "satisfaction");
    f = call("GET", agent, NULL, 200, "/followups/%lld", sat);
    expect_instant(f, "due_at", "2026-11-30T09:00:00+08:00");
    json_decref(f);
    p = call("POST", agent, "{\"to\":\"closed\"}", 409, "/tickets/%lld/transitions", id);
    assert_string_equal(h_str(p, "missing_step"), "satisfaction_callback");
    json_decref(p);

    /* unsatisfied (score 2 < 4): back to handling, the reopen counted */
    hs_clock(&srv, "2026-11-30T09:10:00+08:00");
    attempt(sat, "{\"outcome\":\"reached\",\"satisfaction\":2,\"notes\":\"Still charged\"}", 201);
    t = ticket(id);
    assert_string_equal(h_str(t, "status"), "reopened");
    assert_string_equal(h_str(t, "complaint_stage"), "handling");
    assert_string_equal(h_str(t, "complaint_outcome"), "unsatisfied");
    assert_int_equal(h_int(t, "reopen_count"), 1);
    assert_int_equal(h_int(t, "escalation_level"), 2); /* at the manager already */
    json_decref(t);
    /* resolved again, approved again, satisfied → archived */
    hs_clock(&srv, "2026-11-30T10:00:00+08:00");
    transition(id, "resolved", "Second charge reversed by the bank", 200);
    hs_clock(&srv, "2026-11-30T10:30:00+08:00");
    review(id, "{\"decision\":\"approved\",\"reason\":\"Reversal confirmed\"}", 200);
    sat = pending_followup(id, "satisfaction");
    hs_clock(&srv, "2026-12-01T09:05:00+08:00");
    attempt(sat, "{\"outcome\":\"reached\",\"satisfied\":true,\"satisfaction\":5}", 201);
    t = ticket(id);
    assert_string_equal(h_str(t, "status"), "closed");
    assert_string_equal(h_str(t, "complaint_stage"), "archived");
    assert_string_equal(h_str(t, "complaint_outcome"), "satisfied");
    assert_string_equal(h_str(t, "owner"), "li"); /* first-responsible to the end */
    json_decref(t);
    assert_true(listed("kind=complaint&stage=archived", id));
    assert_false(listed("kind=complaint&stage=handling", id));

    /* the history: every step, with actor and time, in order */
    json_t *h = call("GET", agent, NULL, 200, "/tickets/%lld/events?limit=200", id);
    struct {
        const char *kind, *actor;
    } steps[] = {
        {"created", "li"},
        {"dispatched", "li"},
        {"dispatch_returned", "finance-desk"},
        {"redispatched", "li"},
        {"dispatch_accepted", "finance-desk"},
        {"dispatch_replied", "finance-desk"},
        {"extension_requested", "li"},
        {"extension_approved", "zhang"},
        {"extension_requested", "li"},
        {"extension_refused", "zhang"},
        {"escalated", "zhang"},
        {"warning", "sweeper"},
        {"overdue", "sweeper"},
        {"escalated", "sweeper"},
        {"callback_made", "li"},
        {"transition", "li"},
        {"transition", "chen"}, /* sent back by the review */
        {"updated", "li"},
        {"transition", "li"},
        {"reviewed", "chen"},
        {"satisfaction", "li"},
        {"transition", "li"}, /* reopened: unsatisfied */
        {"transition", "li"},
        {"reviewed", "chen"},
        {"satisfaction", "li"},
        {"transition", "li"}, /* archived: satisfied */
    };
    size_t n = sizeof steps / sizeof steps[0], k = 0;
    json_t *list = json_object_get(h, "items");
    const char *last_at = "";
    for (size_t i = 0; i < json_array_size(list) && k < n; i++) {
        json_t *ev = json_array_get(list, i);
        const char *at = h_str(ev, "at");
        char cmp[200];
        if (*last_at) { /* times never go back */
            snprintf(cmp, sizeof cmp, "SELECT ('%s'::timestamptz >= '%s'::timestamptz)::int", at,
                     last_at);
            assert_int_equal(h_db_long(cmp), 1);
        }
        last_at = at;
        if (strcmp(h_str(ev, "kind"), steps[k].kind) == 0 &&
            strcmp(h_str(ev, "actor"), steps[k].actor) == 0)
            k++;
    }
    if (k != n)
        fail_msg("history: step %zu (%s by %s) missing or out of order", k, steps[k].kind,
                 steps[k].actor);
    json_decref(h);
    assert_int_equal(events(id, "owner_changed"), 0);
    /* status changes are transition events (reports count them), saying which step made them */
    snprintf(sql, sizeof sql, "SELECT string_agg(after->>'status' || ':' || coalesce(after->>'via', "
                              "'request') || ':' || coalesce(after->>'complaint_outcome', '-'), ' ' "
                              "ORDER BY id) FROM ticket_events WHERE ticket_id = %lld AND kind = "
                              "'transition'", id);
    PGresult *res = PQexec(h_db(), sql);
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    assert_string_equal(PQgetvalue(res, 0, 0),
                        "resolved:request:- in_progress:review:- resolved:request:- "
                        "reopened:satisfaction_callback:unsatisfied resolved:request:- "
                        "closed:satisfaction_callback:satisfied");
    PQclear(res);
}

/* ---- the other branches --------------------------------------------------------------------- */

static long long resolved_and_approved(const char *subject)
{
    long long id = new_complaint(subject);
    transition(id, "resolved", "Explained the tariff", 200);
    review(id, "{\"decision\":\"approved\"}", 200);
    return id;
}

static void test_unsatisfied_raises_the_level(void **state)
{
    (void)state;
    hs_clock(&srv, "2026-12-02T10:00:00+08:00");
    long long id = resolved_and_approved("Tariff unclear");
    hs_clock(&srv, "2026-12-03T09:30:00+08:00");
    attempt(pending_followup(id, "satisfaction"), "{\"outcome\":\"reached\",\"satisfied\":false}",
            201);
    json_t *t = ticket(id);
    assert_string_equal(h_str(t, "status"), "reopened");
    assert_int_equal(h_int(t, "escalation_level"), 1);
    assert_int_equal(h_int(t, "reopen_count"), 1);
    json_decref(t);
    json_t *e = call("GET", super, NULL, 200, "/tickets/%lld/escalations", id);
    json_t *first = json_array_get(json_object_get(e, "items"), 0);
    assert_string_equal(h_str(first, "reason"),
                        "the customer is not satisfied with the resolution");
    json_decref(e);
}

static void test_unreachable_is_archived(void **state)
{
    (void)state;
    hs_clock(&srv, "2026-12-02T10:00:00+08:00");
    long long id = resolved_and_approved("Meter reading wrong");
    long long sat = pending_followup(id, "satisfaction");
    hs_clock(&srv, "2026-12-03T09:00:00+08:00");
    attempt(sat, "{\"outcome\":\"no_answer\"}", 201);
    expect_str(id, "complaint_stage", "awaiting_callback");
    attempt(sat, "{\"outcome\":\"busy\"}", 201);
    attempt(sat, "{\"outcome\":\"no_answer\"}", 201); /* the third: the allowed attempts */
    json_t *t = ticket(id);
    assert_string_equal(h_str(t, "status"), "closed");
    assert_string_equal(h_str(t, "complaint_outcome"), "unreachable");
    json_decref(t);
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM ticket_events WHERE ticket_id = %lld AND "
                              "kind = 'transition' AND after->>'status' = 'closed' AND "
                              "after->>'via' = 'satisfaction_callback' AND "
                              "after->>'complaint_outcome' = 'unreachable'", id);
    assert_int_equal(h_db_long(sql), 1);
    assert_int_equal(events(id, "followup_failed"), 1);
}

static void test_dispatch_overdue_once(void **state)
{
    (void)state;
    hs_clock(&srv, "2026-12-04T16:30:00+08:00"); /* Friday afternoon */
    long long id = new_complaint("Nobody signs");
    json_t *d = call("POST", agent,
                     "{\"department\":\"Field service\",\"contact_person\":\"Sun\","
                     "\"agreed\":\"Visit on Monday\"}",
                     201, "/tickets/%lld/dispatches", id);
    long long did = h_int(d, "id");
    expect_instant(d, "accept_due_at", "2026-12-07T09:30:00+08:00"); /* Monday: 90 + 30 min */
    json_decref(d);
    /* and 200 more, swept by two instances at once */
    for (int i = 0; i < 200; i++)
        json_decref(call("POST", agent,
                         "{\"department\":\"Depot\",\"contact_person\":\"Ma\","
                         "\"agreed\":\"Collect the meter\"}",
                         201, "/tickets/%lld/dispatches", id));
    struct hs srv2;
    hs_start_at(&srv2, "complaints-b", NULL, "2026-12-04T16:30:00+08:00");
    int before = rx_count(rx);
    hs_clock(&srv, "2026-12-07T09:29:00+08:00");
    hs_clock(&srv2, "2026-12-07T09:29:00+08:00");
    h_sleep_ms(500);
    assert_int_equal(events(id, "dispatch_overdue"), 0);
    hs_clock(&srv, "2026-12-07T09:30:00+08:00");
    hs_clock(&srv2, "2026-12-07T09:30:00+08:00");
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM ticket_events WHERE ticket_id = %lld AND "
             "kind = 'dispatch_overdue'",
             id);
    wait_count(sql, 201);
    h_sleep_ms(500);
    assert_int_equal(h_db_long(sql), 201);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM (SELECT after->>'dispatch_id' FROM "
             "ticket_events WHERE ticket_id = %lld AND kind = 'dispatch_overdue' "
             "GROUP BY 1 HAVING count(*) <> 1) x",
             id);
    assert_int_equal(h_db_long(sql), 0);
    assert_int_equal(h_db_long("SELECT count(*) FROM outbox WHERE event = 'dispatch.overdue'"),
                     201);
    assert_true(rx_wait(rx, before + 201, 5000));
    assert_int_equal(hs_stop(&srv2), 0);
    d = call("GET", dept, NULL, 200, "/dispatches/%lld", did);
    assert_true(json_is_true(json_object_get(d, "overdue")));
    json_decref(d);
    /* a late signature is still taken */
    json_decref(call("POST", dept, "{}", 200, "/dispatches/%lld/accept", did));
}

static void test_roles(void **state)
{
    (void)state;
    hs_clock(&srv, "2026-12-08T10:00:00+08:00");
    long long id = new_complaint("Roles");
    transition(id, "resolved", "Answered", 200);
    /* an agent does not review; a supervisor neither: the customer-service manager does */
    json_decref(
        call("POST", agent, "{\"decision\":\"approved\"}", 403, "/tickets/%lld/review", id));
    json_decref(
        call("POST", super, "{\"decision\":\"approved\"}", 403, "/tickets/%lld/review", id));
    /* a phone system touches no complaint step */
    const char *body = "{\"department\":\"x\",\"contact_person\":\"y\",\"agreed\":\"z\"}";
    json_decref(call("POST", cti, body, 403, "/tickets/%lld/dispatches", id));
    json_decref(call("GET", cti, NULL, 403, "/tickets/%lld/dispatches", id));
    json_decref(call("POST", cti, "{\"reason\":\"x\"}", 403, "/tickets/%lld/escalations", id));
    json_decref(call("GET", cti, NULL, 403, "/tickets/%lld/escalations", id));
    json_decref(call("POST", cti, "{\"until\":\"2026-12-09T10:00:00+08:00\",\"reason\":\"x\"}", 403,
                     "/tickets/%lld/extensions", id));
    json_decref(call("POST", cti, "{\"decision\":\"approved\"}", 403, "/tickets/%lld/review", id));
    json_decref(
        call("POST", cti, "{\"to\":\"wu\",\"reason\":\"x\"}", 403, "/tickets/%lld/handover", id));
    json_decref(call("POST", cti, "{}", 403, "/dispatches/1/accept"));
    json_decref(call("POST", cti, "{\"decision\":\"approved\"}", 403, "/extensions/1/decision"));
    json_decref(call("GET", cti, NULL, 403, "/tickets/%lld", id));
    /* nor does an agent escalate, rule or decide */
    json_decref(call("POST", agent, "{\"reason\":\"x\"}", 403, "/tickets/%lld/escalations", id));
    json_decref(call("POST", agent, "{\"decision\":\"approved\"}", 403, "/extensions/1/decision"));

    /* hand-over: only a supervisor, with a reason, recorded */
    long long open = new_complaint("Hand me over");
    json_decref(call("POST", agent2, "{\"to\":\"wu\",\"reason\":\"I take it\"}", 403,
                     "/tickets/%lld/handover", open));
    json_decref(call("POST", agent, "{\"to\":\"wu\",\"reason\":\"Going on leave\"}", 403,
                     "/tickets/%lld/handover", open));
    json_t *t = call("POST", super, "{\"to\":\"wu\",\"reason\":\"Li is on leave until Monday\"}",
                     200, "/tickets/%lld/handover", open);
    assert_string_equal(h_str(t, "owner"), "wu");
    json_decref(t);
    char sql[300];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM ticket_events WHERE ticket_id = %lld AND "
             "kind = 'owner_changed' AND actor = 'zhang' AND before->>'owner' = "
             "'li' AND after->>'owner' = 'wu' AND note = 'Li is on leave until "
             "Monday'",
             open);
    assert_int_equal(h_db_long(sql), 1);
    /* the owner acts; the former owner no longer does */
    json_decref(call("POST", agent, body, 403, "/tickets/%lld/dispatches", open));
    json_decref(call("POST", agent2, body, 201, "/tickets/%lld/dispatches", open));
    /* owner is not changed by PATCH */
    json_decref(call("PATCH", agent, "{\"owner\":\"li\"}", 400, "/tickets/%lld", open));
}

/* ---- bad input: a problem, and nothing changed ---------------------------------------------- */

/* Wait until the sweeper has nothing left to do at the pinned clock `now`, so that nothing
 * but the request under test can change the database. */
static void settle(const char *now)
{
    char sql[900];
    snprintf(sql, sizeof sql,
             "SELECT (SELECT count(*) FROM tickets WHERE next_due_at <= '%s') + "
             "(SELECT count(*) FROM ticket_dispatches WHERE status = 'sent' AND overdue_at IS "
             "NULL AND accept_due_at <= '%s') + (SELECT count(*) FROM followups WHERE status = "
             "'pending' AND ((overdue_at IS NULL AND due_at <= '%s') OR (escalation_level = 1 "
             "AND overdue_at <= '%s'::timestamptz - interval '240 minutes')))",
             now, now, now, now);
    wait_count(sql, 0);
    h_sleep_ms(300);
}

/* Everything these endpoints may write, as one number. */
static long long snapshot(void)
{
    return h_db_long(
        "SELECT ('x' || substr(md5("
        "(SELECT coalesce(json_agg(t ORDER BY id)::text, '') FROM tickets t) || "
        "(SELECT coalesce(json_agg(e ORDER BY id)::text, '') FROM ticket_events e) || "
        "(SELECT coalesce(json_agg(d ORDER BY id)::text, '') FROM ticket_dispatches d) || "
        "(SELECT coalesce(json_agg(x ORDER BY id)::text, '') FROM ticket_extensions x) || "
        "(SELECT coalesce(json_agg(s ORDER BY id)::text, '') FROM ticket_escalations s) || "
        "(SELECT coalesce(json_agg(f ORDER BY id)::text, '') FROM followups f) || "
        "(SELECT count(*) FROM outbox)::text), 1, 15))::bit(60)::bigint");
}

struct bad {
    const char *method, *token, *body;
    long status;
    const char *path;
    const char *field; /* the field a 400 names, or NULL */
};

static void refused(const struct bad *b)
{
    long long before = snapshot();
    json_t *p = call(b->method, b->token, b->body, b->status, "%s", b->path);
    if (b->field) {
        const char *f = h_str(json_array_get(json_object_get(p, "errors"), 0), "field");
        if (strcmp(f, b->field) != 0)
            fail_msg("%s %s: error on %s, want %s", b->method, b->path, f, b->field);
    }
    json_decref(p);
    if (snapshot() != before)
        fail_msg("%s %s (%ld) changed the database", b->method, b->path, b->status);
}

static void test_bad_input_changes_nothing(void **state)
{
    (void)state;
    hs_clock(&srv, "2026-12-07T10:00:00+08:00");
    long long late = new_complaint("Asked too late"); /* due Tuesday 18:00 */
    hs_clock(&srv, "2026-12-09T10:00:00+08:00");
    long long open = new_complaint("Bad input");
    long long resolved = new_complaint("Resolved one");
    transition(resolved, "resolved", "Answered", 200);
    long long archived = resolved_and_approved("Archived one");
    attempt(pending_followup(archived, "satisfaction"),
            "{\"outcome\":\"reached\","
            "\"satisfaction\":5}",
            201);
    long long inquiry = id_of(
        call("POST", agent, "{\"class\":\"general\",\"subject\":\"Hours\"}", 201, "/tickets"));
    json_t *d = call("POST", agent,
                     "{\"department\":\"Billing\",\"contact_person\":\"Wang\","
                     "\"agreed\":\"Look\"}",
                     201, "/tickets/%lld/dispatches", open);
    long long sent = h_int(d, "id");
    json_decref(d);
    d = call("POST", agent,
             "{\"department\":\"Legal\",\"contact_person\":\"Qian\","
             "\"agreed\":\"Look\"}",
             201, "/tickets/%lld/dispatches", open);
    long long returned = h_int(d, "id");
    json_decref(d);
    json_decref(
        call("POST", dept, "{\"reason\":\"Not ours\"}", 200, "/dispatches/%lld/return", returned));
    json_t *x = call("POST", agent, "{\"until\":\"2026-12-11T18:00:00+08:00\",\"reason\":\"Wait\"}",
                     201, "/tickets/%lld/extensions", open);
    long long waiting = h_int(x, "id");
    json_decref(x);
    long long sat_pending = 0;
    long long ext_decided = 0;
    {
        long long other = new_complaint("Decided extension");
        x = call("POST", agent, "{\"until\":\"2026-12-11T18:00:00+08:00\",\"reason\":\"Wait\"}",
                 201, "/tickets/%lld/extensions", other);
        ext_decided = h_int(x, "id");
        json_decref(x);
        json_decref(call("POST", super, "{\"decision\":\"approved\"}", 200,
                         "/extensions/%lld/decision", ext_decided));
        long long awaiting = resolved_and_approved("Awaiting callback");
        sat_pending = pending_followup(awaiting, "satisfaction");
    }
    settle("2026-12-09T10:00:00+08:00");
    char p[48][96];
    int n = 0;
#define PATH(...) (snprintf(p[n], sizeof p[n], __VA_ARGS__), p[n++])
    const char *disp = "{\"department\":\"Billing\",\"contact_person\":\"Wang\",\"agreed\":\"x\"}";
    struct bad rows[] = {
        /* dispatches */
        {"POST", agent, disp, 404, PATH("/tickets/999999/dispatches"), NULL},
        {"POST", agent, "{\"department\":\"Billing\",\"contact_person\":\" \",\"agreed\":\"x\"}",
         400, PATH("/tickets/%lld/dispatches", open), "contact_person"},
        {"POST", agent, "{\"department\":\"Billing\",\"agreed\":\"x\"}", 400,
         PATH("/tickets/%lld/dispatches", open), "contact_person"},
        {"POST", agent, disp, 409, PATH("/tickets/%lld/dispatches", archived), NULL},
        {"POST", agent, disp, 409, PATH("/tickets/%lld/dispatches", resolved), NULL},
        {"POST", dept, "{}", 404, PATH("/dispatches/999999/accept"), NULL},
        {"POST", dept, "{\"contact_person\":\"\"}", 400, PATH("/dispatches/%lld/accept", sent),
         "contact_person"},
        {"POST", dept, "{}", 400, PATH("/dispatches/%lld/return", sent), "reason"},
        {"POST", dept, "{\"result\":\"done\"}", 409, PATH("/dispatches/%lld/reply", sent), NULL},
        {"POST", dept, "{\"reason\":\"again\"}", 409, PATH("/dispatches/%lld/return", returned),
         NULL},
        {"POST", agent, disp, 409, PATH("/dispatches/%lld/redispatch", sent), NULL},
        {"POST", super, "{\"decision\":\"reassign\",\"reason\":\"Theirs\"}", 400,
         PATH("/dispatches/%lld/ruling", returned), "department"},
        {"POST", super, "{\"decision\":\"department_keeps\"}", 400,
         PATH("/dispatches/%lld/ruling", returned), "reason"},
        /* escalations */
        {"POST", super, "{}", 400, PATH("/tickets/%lld/escalations", open), "reason"},
        {"POST", super, "{\"reason\":\"x\",\"to\":\"agent\"}", 400,
         PATH("/tickets/%lld/escalations", open), "to"},
        {"POST", super, "{\"reason\":\"x\"}", 404, PATH("/tickets/999999/escalations"), NULL},
        {"POST", super, "{\"reason\":\"x\"}", 409, PATH("/tickets/%lld/escalations", archived),
         NULL},
        /* hand-over */
        {"POST", super, "{\"to\":\"wu\"}", 400, PATH("/tickets/%lld/handover", open), "reason"},
        {"POST", super, "{\"to\":\"li\",\"reason\":\"x\"}", 400,
         PATH("/tickets/%lld/handover", open), "to"},
        {"POST", super, "{\"to\":\"wu\",\"reason\":\"x\"}", 409,
         PATH("/tickets/%lld/handover", archived), NULL},
        /* extensions */
        {"POST", agent, "{\"until\":\"2026-12-12T18:00:00+08:00\"}", 400,
         PATH("/tickets/%lld/extensions", open), "reason"},
        {"POST", agent, "{\"until\":\"2026-12-12T18:00:00+08:00\",\"reason\":\"x\"}", 409,
         PATH("/tickets/%lld/extensions", open), NULL}, /* one is waiting */
        {"POST", agent, "{\"until\":\"2026-12-09T12:00:00+08:00\",\"reason\":\"x\"}", 400,
         PATH("/tickets/%lld/extensions", open), "until"}, /* not after the deadline */
        {"POST", agent, "{\"until\":\"2026-12-12T18:00:00+08:00\",\"reason\":\"x\"}", 409,
         PATH("/tickets/%lld/extensions", late), NULL}, /* asked after the deadline */
        {"POST", agent, "{\"until\":\"2026-12-12T18:00:00+08:00\",\"reason\":\"x\"}", 409,
         PATH("/tickets/%lld/extensions", resolved), NULL}, /* no deadline running */
        {"POST", agent, "{\"until\":\"2026-12-12T18:00:00+08:00\",\"reason\":\"x\"}", 404,
         PATH("/tickets/999999/extensions"), NULL},
        {"POST", super, "{\"decision\":\"approved\"}", 409,
         PATH("/extensions/%lld/decision", ext_decided), NULL},
        {"POST", super, "{\"decision\":\"refused\"}", 400,
         PATH("/extensions/%lld/decision", waiting), "note"},
        {"POST", super, "{\"decision\":\"maybe\"}", 400, PATH("/extensions/%lld/decision", waiting),
         "decision"},
        /* review, transitions, callback */
        {"POST", manager, "{\"decision\":\"approved\"}", 409, PATH("/tickets/%lld/review", open),
         NULL},
        {"POST", manager, "{\"decision\":\"sent_back\"}", 400,
         PATH("/tickets/%lld/review", resolved), "reason"},
        {"POST", manager, "{\"decision\":\"approved\"}", 409, PATH("/tickets/%lld/review", inquiry),
         NULL},
        {"POST", manager, "{\"decision\":\"approved\"}", 404, PATH("/tickets/999999/review"), NULL},
        {"POST", agent, "{\"to\":\"closed\"}", 409, PATH("/tickets/%lld/transitions", resolved),
         NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        refused(&rows[i]);
    struct bad more[] = {
        {"POST", agent, "{\"outcome\":\"reached\"}", 400,
         PATH("/followups/%lld/attempts", sat_pending), "satisfaction"},
        {"PATCH", agent, "{\"complaint\":{\"product\":\"x\"}}", 400, PATH("/tickets/%lld", inquiry),
         "complaint"},
        {"PATCH", agent, "{\"kind\":\"inquiry\"}", 409, PATH("/tickets/%lld", resolved), NULL},
        {"GET", super, NULL, 400, PATH("/tickets?kind=complaint&stage=done"), "stage"},
    };
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
        refused(&more[i]);
    /* a complaint record is checked member by member */
    json_t *r = call("POST", agent,
                     "{\"class\":\"hard\",\"kind\":\"complaint\",\"subject\":\"x\","
                     "\"complaint\":{\"product\":\"\",\"mood\":\"angry\"}}",
                     400, "/tickets");
    assert_int_equal(json_array_size(json_object_get(r, "errors")), 2);
    json_decref(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_complaint_walk),
        cmocka_unit_test(test_unsatisfied_raises_the_level),
        cmocka_unit_test(test_unreachable_is_archived),
        cmocka_unit_test(test_dispatch_overdue_once),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_bad_input_changes_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
